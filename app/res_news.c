/*
 * res_news.c: /news, /projects/ID/news (GET, POST) and /news/ID (GET, PUT,
 * DELETE), as Redmine 5 serves them: lists newest first, writes answered
 * 204 with no body. Managers (and admins) write; whoever sees the project
 * reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

/* Redmine's News validations. */
#define TITLE_MAX       60
#define SUMMARY_MAX     255
#define DESCRIPTION_MAX (256 * 1024)

/* The columns of one news item, in the order render() reads them; the
 * project's visibility last, for perm_require. */
#define NEWS_COLS                                                              \
	"n.id, p.id, p.name, u.id, u.firstname || ' ' || u.lastname, "         \
	"n.title, n.summary, n.description, iso8601(n.created_on), "           \
	"p.is_public"
#define NEWS_FROM                                                              \
	" FROM news n JOIN projects p ON p.id = n.project_id "                 \
	"JOIN users u ON u.id = n.author_id "
#define NEWS_ORDER " ORDER BY n.created_on DESC, n.id DESC "
#define NEWS_NCOLS 10 /* NEWS_COLS' count: a list's total comes after */

enum {
	COL_ID,
	COL_PROJECT_ID,
	COL_PROJECT,
	COL_AUTHOR_ID,
	COL_AUTHOR,
	COL_TITLE,
	COL_SUMMARY,
	COL_DESCRIPTION,
	COL_CREATED,
	COL_IS_PUBLIC,
};

static void
render(struct emit *e, const PGresult *res, int row)
{
#define V(c) PQgetvalue(res, row, (c))
	emit_object(e, "news");
	emit_int(e, "id", strtoll(V(COL_ID), NULL, 10));
	emit_ref(
	    e, "project", strtoll(V(COL_PROJECT_ID), NULL, 10), V(COL_PROJECT));
	emit_ref(
	    e, "author", strtoll(V(COL_AUTHOR_ID), NULL, 10), V(COL_AUTHOR));
	emit_str(e, "title", V(COL_TITLE));
	emit_str(e, "summary", V(COL_SUMMARY));
	emit_str(e, "description", V(COL_DESCRIPTION));
	emit_str(e, "created_on", V(COL_CREATED));
	emit_end(e);
#undef V
}

/*
 * The visible news, of one project (project_id not NULL: the caller has
 * checked that the user sees it) or of all. Two sets of statements, not
 * one with "$3 IS NULL OR ...": each keeps a plan that uses its index.
 */
static void
list(struct api *a, const char *project_id)
{
	char uid[24], limit[24], offset[24];
	const char *values[5] = { uid, NULL, limit, offset, NULL };
	const char *one[3] = { project_id, limit, offset };
	struct page page;
	struct emit *e;
	PGresult *count = NULL, *res;
	int i;

	api_page(a, &page);
	perm_params(a, uid, &values[1]);
	snprintf(limit, sizeof(limit), "%lld", page.limit);
	snprintf(offset, sizeof(offset), "%lld", page.offset);
	/* The page with its total as a window count: one query. Past the
	 * end no row carries the total, and a count is asked for. */
	if (project_id != NULL)
		res = db_query(a->app,
		    "SELECT " NEWS_COLS ", count(*) OVER ()" NEWS_FROM
		    "WHERE n.project_id = $1::bigint" NEWS_ORDER
		    "LIMIT $2 OFFSET $3",
		    3, one);
	else
		res = db_query(a->app,
		    "SELECT " NEWS_COLS ", count(*) OVER ()" NEWS_FROM
		    "WHERE " PERM_VISIBLE(1, 2) NEWS_ORDER "LIMIT $3 OFFSET $4",
		    4, values);
	if (res != NULL && PQntuples(res) == 0 && page.offset > 0)
		count =
		    project_id != NULL
			? db_query(a->app,
			      "SELECT count(*) FROM news WHERE project_id = "
			      "$1::bigint",
			      1, one)
			: db_query(a->app,
			      "SELECT count(*)" NEWS_FROM
			      "WHERE " PERM_VISIBLE(1, 2),
			      2, values);
	if (res == NULL ||
	    (PQntuples(res) == 0 && page.offset > 0 && count == NULL)) {
		PQclear(res);
		api_unavailable(a);
		return;
	}
	page.total_count =
	    PQntuples(res) > 0
		? strtoll(PQgetvalue(res, 0, NEWS_NCOLS), NULL, 10)
	    : count != NULL ? strtoll(PQgetvalue(count, 0, 0), NULL, 10)
			    : 0;
	if ((e = api_emit(a)) != NULL) {
		emit_array(e, "news", &page);
		for (i = 0; i < PQntuples(res); i++)
			render(e, res, i);
		emit_end(e);
		emit_finish(e, a->resp, 200);
	}
	PQclear(count);
	PQclear(res);
}

/* One project's news, key its id or identifier. */
static void
list_project(struct api *a, const char *key)
{
	struct project_ref p = { 0 };
	char id[24];

	if (perm_project(a, key, PERM_VIEW, &p) != 0)
		return;
	snprintf(id, sizeof(id), "%lld", p.id);
	list(a, id);
}

void
res_news_index(struct api *a)
{
	char key[128];

	/* Redmine takes /news?project_id=X as /projects/X/news (and
	 * python-redmine filters news that way). */
	switch (api_param(a, "project_id", key, sizeof(key))) {
	case 0:
		list(a, NULL);
		break;
	case 1:
		list_project(a, key);
		break;
	default:
		api_bad_request(a);
	}
}

void
res_news_project(struct api *a)
{
	list_project(a, a->arg);
}

/*
 * The news item of the path, if the acting user may do action with it:
 * its row (PQclear it), or NULL when the answer is sent (404, 401/403,
 * 503).
 */
static PGresult *
find(struct api *a, enum perm_action action)
{
	long long id = api_id(a->arg);
	char sid[24], uid[24];
	const char *values[2] = { sid, uid };
	struct project_ref p = { 0 };
	PGresult *res;

	if (id == 0) {
		api_not_found(a);
		return NULL;
	}
	snprintf(sid, sizeof(sid), "%lld", id);
	snprintf(
	    uid, sizeof(uid), "%lld", a->user ? (long long)a->user->id : 0LL);
	/* The acting user's role comes along: perm_require needs no query. */
	res = db_query(a->app,
	    "SELECT " NEWS_COLS ", " PERM_ROLE(2) NEWS_FROM
	    "WHERE n.id = $1::bigint",
	    2, values);
	if (res == NULL) {
		api_unavailable(a);
		return NULL;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		api_not_found(a);
		return NULL;
	}
	p.id = strtoll(PQgetvalue(res, 0, COL_PROJECT_ID), NULL, 10);
	snprintf(p.name, sizeof(p.name), "%s", PQgetvalue(res, 0, COL_PROJECT));
	p.is_public = PQgetvalue(res, 0, COL_IS_PUBLIC)[0] == 't';
	p.role_known = true;
	snprintf(p.role, sizeof(p.role), "%s", PQgetvalue(res, 0, NEWS_NCOLS));
	if (perm_require(a, &p, action) != 0) {
		PQclear(res);
		return NULL;
	}
	return res;
}

void
res_news_show(struct api *a)
{
	PGresult *res = find(a, PERM_VIEW);
	struct emit *e;

	if (res == NULL)
		return;
	if ((e = api_emit(a)) != NULL) {
		render(e, res, 0);
		emit_finish(e, a->resp, 200);
	}
	PQclear(res);
}

/* The fields of a news body; rule: API_TEXT_REQUIRED for a create,
 * API_TEXT_NOT_BLANK for an update. */
struct news_fields {
	const char *title;
	const char *summary;
	const char *description;
};

static void
fields(json_object *n, enum api_text_rule rule, struct news_fields *f,
    struct api_errors *errs)
{
	f->title = api_text(n, "title", "Title", TITLE_MAX, rule, errs);
	f->summary = api_text(
	    n, "summary", "Summary", SUMMARY_MAX, API_TEXT_OPTIONAL, errs);
	f->description = api_text(
	    n, "description", "Description", DESCRIPTION_MAX, rule, errs);
}

void
res_news_create(struct api *a)
{
	struct project_ref p = { 0 };
	struct news_fields f;
	struct api_errors errs = { 0 };
	json_object *tree, *n;
	char pid[24], uid[24];

	if (perm_project(a, a->arg, PERM_NEWS_MANAGE, &p) != 0)
		return;
	if ((n = body_object(a, "news", &tree)) == NULL)
		return;
	fields(n, API_TEXT_REQUIRED, &f, &errs);
	if (errs.n > 0) {
		api_invalid_errors(a, &errs);
		goto out;
	}
	snprintf(pid, sizeof(pid), "%lld", p.id);
	snprintf(uid, sizeof(uid), "%lld", (long long)a->user->id);
	{
		const char *values[5] = { pid, uid, f.title, f.summary,
			f.description };

		if (db_command(a->app,
			"INSERT INTO news (project_id, author_id, title, "
			"summary, "
			"description) VALUES ($1, $2, $3, coalesce($4, "
			"''), $5)",
			5, values) < 0) {
			api_write_failed(a, "News is invalid");
			goto out;
		}
	}
	api_no_content(a);
out:
	json_object_put(tree);
}

void
res_news_update(struct api *a)
{
	PGresult *res = find(a, PERM_NEWS_MANAGE);
	struct news_fields f;
	struct api_errors errs = { 0 };
	json_object *tree = NULL, *n;

	if (res == NULL)
		return;
	if ((n = body_object(a, "news", &tree)) == NULL)
		goto out;
	fields(n, API_TEXT_NOT_BLANK, &f, &errs);
	if (errs.n > 0) {
		api_invalid_errors(a, &errs);
		goto out;
	}
	{
		const char *values[4] = { PQgetvalue(res, 0, COL_ID), f.title,
			f.summary, f.description };

		if (db_command(a->app,
			"UPDATE news SET title = coalesce($2, title), "
			"summary = coalesce($3, summary), "
			"description = coalesce($4, description) "
			"WHERE id = $1::bigint",
			4, values) < 0) {
			api_write_failed(a, "News is invalid");
			goto out;
		}
	}
	api_no_content(a);
out:
	json_object_put(tree);
	PQclear(res);
}

void
res_news_delete(struct api *a)
{
	PGresult *res = find(a, PERM_NEWS_MANAGE);

	if (res == NULL)
		return;
	api_delete(a, "DELETE FROM news WHERE id = $1::bigint",
	    PQgetvalue(res, 0, COL_ID));
	PQclear(res);
}
