/*
 * res_projects.c: /projects and /projects/ID (numeric id or identifier),
 * the projects the acting user may see, as Redmine 5 shows them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

/* The columns of one project, in the order render() reads them. */
#define PROJECT_COLS                                                           \
	"p.id, p.name, p.identifier, p.description, p.homepage, p.status, "    \
	"p.is_public, p.inherit_members, iso8601(p.created_on), "              \
	"iso8601(p.updated_on)"

enum {
	COL_ID,
	COL_NAME,
	COL_IDENTIFIER,
	COL_DESCRIPTION,
	COL_HOMEPAGE,
	COL_STATUS,
	COL_IS_PUBLIC,
	COL_INHERIT,
	COL_CREATED,
	COL_UPDATED,
};

/* One project; show: /projects/ID's fields (with homepage), else the
 * list's. */
static void
render(struct emit *e, const PGresult *res, int row, bool show)
{
#define V(c) PQgetvalue(res, row, (c))
	emit_object(e, "project");
	emit_int(e, "id", strtoll(V(COL_ID), NULL, 10));
	emit_str(e, "name", V(COL_NAME));
	emit_str(e, "identifier", V(COL_IDENTIFIER));
	emit_str(e, "description", V(COL_DESCRIPTION));
	if (show)
		emit_str(e, "homepage", V(COL_HOMEPAGE));
	emit_int(e, "status", strtoll(V(COL_STATUS), NULL, 10));
	emit_bool(e, "is_public", V(COL_IS_PUBLIC)[0] == 't');
	emit_bool(e, "inherit_members", V(COL_INHERIT)[0] == 't');
	emit_str(e, "created_on", V(COL_CREATED));
	emit_str(e, "updated_on", V(COL_UPDATED));
	emit_end(e);
#undef V
}

/* How many projects the acting user sees: 0, or -1 (503 sent). */
static int
count_visible(struct api *a, struct page *page)
{
	char uid[24];
	const char *admin;
	const char *values[2] = { uid, NULL };
	PGresult *res;

	perm_params(a, uid, &admin);
	values[1] = admin;
	res = db_query(a->app,
	    "SELECT count(*) FROM projects p WHERE " PERM_VISIBLE(1, 2), 2,
	    values);
	if (res == NULL) {
		api_unavailable(a);
		return -1;
	}
	page->total_count = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

void
res_projects_index(struct api *a)
{
	char uid[24], limit[24], offset[24];
	const char *values[4] = { uid, NULL, limit, offset };
	struct page page;
	struct emit *e;
	PGresult *res;
	int i;

	api_page(a, &page);
	if (count_visible(a, &page) != 0)
		return;
	perm_params(a, uid, &values[1]);
	snprintf(limit, sizeof(limit), "%lld", page.limit);
	snprintf(offset, sizeof(offset), "%lld", page.offset);
	/* Redmine orders by the nested set, which puts top-level projects
	 * in the order of their names, case-insensitively. */
	res = db_query(a->app,
	    "SELECT " PROJECT_COLS " FROM projects p WHERE " PERM_VISIBLE(
		1, 2) " ORDER BY lower(p.name) COLLATE \"C\", p.id "
		      "LIMIT $3 OFFSET $4",
	    4, values);
	if (res == NULL) {
		api_unavailable(a);
		return;
	}
	if ((e = api_emit(a)) != NULL) {
		emit_array(e, "projects", &page);
		for (i = 0; i < PQntuples(res); i++)
			render(e, res, i, false);
		emit_end(e);
		emit_finish(e, a->resp, 200);
	}
	PQclear(res);
}

void
res_projects_show(struct api *a)
{
	struct project_ref p = { 0 };
	char id[24];
	const char *values[1] = { id };
	struct emit *e;
	PGresult *res;

	if (perm_project(a, a->arg, PERM_VIEW, &p) != 0)
		return;
	snprintf(id, sizeof(id), "%lld", p.id);
	res = db_query(a->app,
	    "SELECT " PROJECT_COLS " FROM projects p WHERE p.id = $1", 1,
	    values);
	if (res == NULL || PQntuples(res) != 1) {
		/* Gone since perm_find_project: a race, not a 503. */
		if (res != NULL)
			api_not_found(a);
		else
			api_unavailable(a);
		PQclear(res);
		return;
	}
	if ((e = api_emit(a)) != NULL) {
		render(e, res, 0, true);
		emit_finish(e, a->resp, 200);
	}
	PQclear(res);
}
