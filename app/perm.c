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
	char uid[24];
	const char *values[2] = { key, uid };
	PGresult *res;
	size_t n = strspn(key, "0123456789");

	/* Not UTF-8: PostgreSQL would refuse the parameter (a 503); no
	 * identifier looks like that anyway. */
	if (!lk_utf8_valid(key, strlen(key)))
		return 1;
	/* Redmine: an all-digit id is an id, anything else an identifier.
	 * The acting user's role comes along (user 0: anonymous, none). */
	snprintf(
	    uid, sizeof(uid), "%lld", a->user ? (long long)a->user->id : 0LL);
	if (key[n] == '\0' && n > 0 && n <= 18)
		res = db_query(a->app,
		    "SELECT p.id, p.name, p.is_public, m.role FROM projects p "
		    "LEFT JOIN members m ON m.project_id = p.id "
		    "AND m.user_id = $2::bigint WHERE p.id = $1::bigint",
		    2, values);
	else
		res = db_query(a->app,
		    "SELECT p.id, p.name, p.is_public, m.role FROM projects p "
		    "LEFT JOIN members m ON m.project_id = p.id "
		    "AND m.user_id = $2::bigint WHERE p.identifier = $1",
		    2, values);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 1;
	}
	p->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	snprintf(p->name, sizeof(p->name), "%s", PQgetvalue(res, 0, 1));
	p->is_public = PQgetvalue(res, 0, 2)[0] == 't';
	snprintf(p->role, sizeof(p->role), "%s", PQgetvalue(res, 0, 3));
	p->role_known = true;
	PQclear(res);
	return 0;
}

static enum role
role_named(const char *r)
{
	if (strcmp(r, "manager") == 0)
		return ROLE_MANAGER;
	if (strcmp(r, "contributor") == 0)
		return ROLE_CONTRIBUTOR;
	if (strcmp(r, "viewer") == 0)
		return ROLE_VIEWER;
	return ROLE_NON_MEMBER;
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
	if (p->role_known) {
		*role = role_named(p->role);
		return 0;
	}
	snprintf(pid, sizeof(pid), "%lld", p->id);
	snprintf(uid, sizeof(uid), "%lld", (long long)a->user->id);
	res = db_query(a->app,
	    "SELECT role FROM members WHERE project_id = $1 AND user_id = $2",
	    2, values);
	if (res == NULL)
		return -1;
	*role = role_named(PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "");
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
perm_require(
    struct api *a, const struct project_ref *p, enum perm_action action)
{
	int r = perm_allowed(a, p, action);

	if (r == 1)
		return 0;
	if (r < 0)
		api_unavailable(a);
	else
		api_deny(a);
	return -1;
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
	return perm_require(a, p, action);
}
