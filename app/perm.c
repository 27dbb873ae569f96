/*
 * perm.c: the permissions of SPEC section 7, a small version of Redmine's
 * roles. A member gets their role's permissions only (as in Redmine, the
 * "Non member" role applies to non-members); administrators may do
 * everything; private projects exist only for their members and admins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

enum role {
	ROLE_ANONYMOUS,
	ROLE_NON_MEMBER,
	ROLE_VIEWER,
	ROLE_CONTRIBUTOR,
	ROLE_MANAGER
};

void
perm_params(const struct api *a, char user_id[24], const char **admin)
{
	snprintf(user_id, 24, "%lld", a->user ? (long long)a->user->id : 0LL);
	*admin = a->user && a->user->admin ? "true" : "false";
}

int
perm_find_project(struct api *a, const char *key, struct project_ref *p)
{
	const char *values[1] = { key };
	PGresult *res;
	size_t n = strspn(key, "0123456789");

	/* Not UTF-8: PostgreSQL would refuse the parameter (a 503); no
	 * identifier looks like that anyway. */
	if (!lk_utf8_valid(key, strlen(key)))
		return 1;
	/* Redmine: an all-digit id is an id, anything else an identifier. */
	if (key[n] == '\0' && n > 0 && n <= 18)
		res = db_query(a->app,
		    "SELECT id, name, is_public FROM projects WHERE id = $1", 1,
		    values);
	else
		res = db_query(a->app,
		    "SELECT id, name, is_public FROM projects "
		    "WHERE identifier = $1",
		    1, values);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 1;
	}
	p->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	snprintf(p->name, sizeof(p->name), "%s", PQgetvalue(res, 0, 1));
	p->is_public = PQgetvalue(res, 0, 2)[0] == 't';
	PQclear(res);
	return 0;
}

static int
role_in(struct api *a, const struct project_ref *p, enum role *role)
{
	char pid[24], uid[24];
	const char *values[2] = { pid, uid };
	PGresult *res;

	if (a->user == NULL) {
		*role = ROLE_ANONYMOUS;
		return 0;
	}
	snprintf(pid, sizeof(pid), "%lld", p->id);
	snprintf(uid, sizeof(uid), "%lld", (long long)a->user->id);
	res = db_query(a->app,
	    "SELECT role FROM members WHERE project_id = $1 AND user_id = $2",
	    2, values);
	if (res == NULL)
		return -1;
	*role = ROLE_NON_MEMBER;
	if (PQntuples(res) == 1) {
		const char *r = PQgetvalue(res, 0, 0);

		if (strcmp(r, "manager") == 0)
			*role = ROLE_MANAGER;
		else if (strcmp(r, "contributor") == 0)
			*role = ROLE_CONTRIBUTOR;
		else
			*role = ROLE_VIEWER;
	}
	PQclear(res);
	return 0;
}

int
perm_allowed(
    struct api *a, const struct project_ref *p, enum perm_action action)
{
	enum role role;

	if (a->user != NULL && a->user->admin)
		return 1;
	if (role_in(a, p, &role) != 0)
		return -1;
	if (!p->is_public && role < ROLE_VIEWER)
		return 0;
	switch (action) {
	case PERM_VIEW:
		return 1;
	case PERM_ISSUE_CREATE:
	case PERM_ISSUE_NOTES:
		return role == ROLE_NON_MEMBER || role >= ROLE_CONTRIBUTOR;
	case PERM_ISSUE_EDIT:
		return role >= ROLE_CONTRIBUTOR;
	case PERM_ISSUE_DELETE:
	case PERM_NEWS_MANAGE:
		return role == ROLE_MANAGER;
	}
	return 0;
}

int
perm_project(struct api *a, const char *key, enum perm_action action,
    struct project_ref *p)
{
	int r;

	if ((r = perm_find_project(a, key, p)) != 0) {
		if (r < 0)
			api_unavailable(a);
		else
			api_not_found(a);
		return -1;
	}
	if ((r = perm_allowed(a, p, action)) != 1) {
		if (r < 0)
			api_unavailable(a);
		else
			api_deny(a);
		return -1;
	}
	return 0;
}
