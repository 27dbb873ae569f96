/*
 * res_issues.c: /issues (GET with filters, POST) and /issues/ID (GET with
 * include=journals, PUT, DELETE), as Redmine 5 serves them.
 *
 * Who sees an issue: whoever sees its project (PERM_VISIBLE), except that
 * a private issue (is_private) shows only to administrators, its author,
 * its assignee and the project's managers: Redmine's default roles, where
 * only Manager has "all issues" visibility.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

#define SUBJECT_MAX 255
#define TEXT_MAX    (256 * 1024) /* description, notes: bounded by the body */
#define FILTER_MAX  256

/* The columns of one issue, in the order render() reads them; then the
 * project's visibility and whether the issue itself is visible, for the
 * checks of a single issue. */
#define ISSUE_COLS                                                             \
	"i.id, p.id, p.name, t.id, t.name, s.id, s.name, s.is_closed, "        \
	"pr.id, pr.name, au.id, au.firstname || ' ' || au.lastname, "          \
	"asg.id, asg.firstname || ' ' || asg.lastname, i.subject, "            \
	"i.description, to_char(i.start_date, 'YYYY-MM-DD'), "                 \
	"to_char(i.due_date, 'YYYY-MM-DD'), i.done_ratio, i.is_private, "      \
	"i.estimated_hours::text, iso8601(i.created_on), "                     \
	"iso8601(i.updated_on), iso8601(i.closed_on)"
#define ISSUE_FROM                                                             \
	" FROM issues i JOIN projects p ON p.id = i.project_id "               \
	"JOIN trackers t ON t.id = i.tracker_id "                              \
	"JOIN issue_statuses s ON s.id = i.status_id "                         \
	"JOIN issue_priorities pr ON pr.id = i.priority_id "                   \
	"JOIN users au ON au.id = i.author_id "                                \
	"LEFT JOIN users asg ON asg.id = i.assigned_to_id "
/* Over issues aliased i, parameters as PERM_VISIBLE's. */
#define ISSUE_VISIBLE(U, A)                                                    \
	"(NOT i.is_private OR $" #A "::boolean OR "                            \
	"i.author_id = $" #U "::bigint OR i.assigned_to_id = $" #U             \
	"::bigint OR EXISTS (SELECT 1 FROM members mi WHERE "                  \
	"mi.project_id = i.project_id AND mi.user_id = $" #U "::bigint "       \
	"AND mi.role = 'manager'))"
/*
 * The list's page: issues only, with the projects and statuses the filters
 * allow as small sets ($3 project, $4 status mode (open, closed, *, =)
 * with $5 the ids, $6 assignee mode ("", *, !*, =) with $7 the ids): one
 * generic plan serves every filter in well under a millisecond.
 */
/* clang-format off */
#define ISSUE_PAGE                                                             \
	" FROM issues i WHERE i.project_id IN (SELECT p.id FROM projects p "   \
	"WHERE " PERM_VISIBLE(1, 2) " "                                        \
	"AND ($3::bigint IS NULL OR p.id = $3::bigint)) "                      \
	"AND i.status_id IN (SELECT s.id FROM issue_statuses s WHERE "         \
	"CASE $4::text WHEN 'open' THEN NOT s.is_closed "                      \
	"WHEN 'closed' THEN s.is_closed WHEN '*' THEN true "                   \
	"ELSE s.id = ANY ($5::bigint[]) END) "                                 \
	"AND " ISSUE_VISIBLE(1, 2) " "                                         \
	"AND CASE $6::text WHEN '' THEN true "                                 \
	"WHEN '*' THEN i.assigned_to_id IS NOT NULL "                          \
	"WHEN '!*' THEN i.assigned_to_id IS NULL "                             \
	"ELSE i.assigned_to_id = ANY ($7::bigint[]) END"
/* clang-format on */

enum {
	COL_ID,
	COL_PROJECT_ID,
	COL_PROJECT,
	COL_TRACKER_ID,
	COL_TRACKER,
	COL_STATUS_ID,
	COL_STATUS,
	COL_STATUS_CLOSED,
	COL_PRIORITY_ID,
	COL_PRIORITY,
	COL_AUTHOR_ID,
	COL_AUTHOR,
	COL_ASSIGNEE_ID,
	COL_ASSIGNEE,
	COL_SUBJECT,
	COL_DESCRIPTION,
	COL_START,
	COL_DUE,
	COL_DONE,
	COL_PRIVATE,
	COL_ESTIMATED,
	COL_CREATED,
	COL_UPDATED,
	COL_CLOSED,
	COL_IS_PUBLIC, /* single issue only */
	COL_VISIBLE,
	COL_ROLE,
};

enum { J_ID, J_USER_ID, J_USER, J_NOTES, J_CREATED, J_PRIVATE };

/* A 422 with one message. */
static void
invalid(struct api *a, const char *message)
{
	const char *m[2] = { message, NULL };

	api_invalid(a, m);
}

static long long
num(const PGresult *res, int row, int col)
{
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static const char *
opt(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static void
render_journals(struct emit *e, const PGresult *j)
{
	int i;

	emit_array(e, "journals", NULL);
	for (i = 0; i < PQntuples(j); i++) {
		emit_object_id(e, "journal", num(j, i, J_ID));
		emit_ref(
		    e, "user", num(j, i, J_USER_ID), PQgetvalue(j, i, J_USER));
		emit_str(e, "notes", PQgetvalue(j, i, J_NOTES));
		emit_str(e, "created_on", PQgetvalue(j, i, J_CREATED));
		emit_bool(
		    e, "private_notes", PQgetvalue(j, i, J_PRIVATE)[0] == 't');
		/* Field changes are not recorded: always empty. */
		emit_array(e, "details", NULL);
		emit_end(e);
		emit_end(e);
	}
	emit_end(e);
}

/* One issue, in Redmine's field order; journals (may be NULL) after
 * closed_on, as Redmine's show with include=journals. */
static void
render(struct emit *e, const PGresult *res, int row, const PGresult *j)
{
#define V(c) PQgetvalue(res, row, (c))
	emit_object(e, "issue");
	emit_int(e, "id", num(res, row, COL_ID));
	emit_ref(e, "project", num(res, row, COL_PROJECT_ID), V(COL_PROJECT));
	emit_ref(e, "tracker", num(res, row, COL_TRACKER_ID), V(COL_TRACKER));
	emit_status_ref(e, "status", num(res, row, COL_STATUS_ID),
	    V(COL_STATUS), V(COL_STATUS_CLOSED)[0] == 't');
	emit_ref(
	    e, "priority", num(res, row, COL_PRIORITY_ID), V(COL_PRIORITY));
	emit_ref(e, "author", num(res, row, COL_AUTHOR_ID), V(COL_AUTHOR));
	if (!PQgetisnull(res, row, COL_ASSIGNEE_ID))
		emit_ref(e, "assigned_to", num(res, row, COL_ASSIGNEE_ID),
		    V(COL_ASSIGNEE));
	emit_str(e, "subject", V(COL_SUBJECT));
	emit_str(e, "description", V(COL_DESCRIPTION));
	emit_opt(e, "start_date", opt(res, row, COL_START));
	emit_opt(e, "due_date", opt(res, row, COL_DUE));
	emit_int(e, "done_ratio", num(res, row, COL_DONE));
	emit_bool(e, "is_private", V(COL_PRIVATE)[0] == 't');
	emit_num(e, "estimated_hours", opt(res, row, COL_ESTIMATED));
	/* No subtasks here: the total is the issue's own estimate. */
	emit_num(e, "total_estimated_hours", opt(res, row, COL_ESTIMATED));
	emit_str(e, "created_on", V(COL_CREATED));
	emit_str(e, "updated_on", V(COL_UPDATED));
	emit_opt(e, "closed_on", opt(res, row, COL_CLOSED));
	if (j != NULL)
		render_journals(e, j);
	emit_end(e);
#undef V
}

/* --- GET /issues ---------------------------------------------------- */

struct filter {
	const char *project; /* id, or NULL for all projects */
	const char *status_mode;
	const char *status_ids;
	const char *assignee_mode;
	const char *assignee_ids;
	char project_buf[24];
	char status_buf[FILTER_MAX + 2];
	char assignee_buf[FILTER_MAX + 2];
};

/*
 * Redmine's list of values "1|2|3" as a PostgreSQL array literal "{1,2,3}"
 * (a parameter, never SQL); me stands for the acting user (0 for
 * anonymous, who is assigned nothing). false if any value is not an id.
 */
static bool
id_list(const struct api *a, const char *v, bool me_ok, char *out, size_t size)
{
	char item[FILTER_MAX + 1];
	size_t len = 1, n;
	long long id;

	snprintf(out, size, "{");
	for (;;) {
		n = strcspn(v, "|");
		snprintf(item, sizeof(item), "%.*s", (int)n, v);
		if (me_ok && strcmp(item, "me") == 0)
			id = a->user ? (long long)a->user->id : 0;
		else if ((id = api_id(item)) == 0)
			return false;
		len += (size_t)snprintf(
		    out + len, size - len, "%s%lld", len > 1 ? "," : "", id);
		if (len >= size)
			return false;
		if (v[n] == '\0')
			break;
		v += n + 1;
	}
	return len + 1 < size && snprintf(out + len, size - len, "}") == 1;
}

/* status_id: open (the default), closed, * (any) or ids: false if none
 * of these. */
static bool
status_filter(const struct api *a, const char *v, struct filter *f)
{
	static const char *const modes[] = { "open", "closed", "*", NULL };
	const char *const *m;

	for (m = modes; *m != NULL; m++)
		if (strcmp(v, *m) == 0) {
			f->status_mode = *m; /* v does not outlive us */
			return true;
		}
	f->status_mode = "=";
	f->status_ids = f->status_buf;
	return id_list(a, v, false, f->status_buf, sizeof(f->status_buf));
}

/* assigned_to_id: * (anyone), !* (no one), or ids and me. */
static bool
assignee_filter(const struct api *a, const char *v, struct filter *f)
{
	if (strcmp(v, "*") == 0 || strcmp(v, "!*") == 0) {
		f->assignee_mode = v[0] == '*' ? "*" : "!*";
		return true;
	}
	f->assignee_mode = "=";
	f->assignee_ids = f->assignee_buf;
	return id_list(a, v, true, f->assignee_buf, sizeof(f->assignee_buf));
}

/* The filters of the query string: 0, or -1 with the answer sent. */
static int
filters(struct api *a, struct filter *f)
{
	char project[FILTER_MAX + 1], status[FILTER_MAX + 1],
	    assigned[FILTER_MAX + 1];
	struct project_ref p = { 0 };
	int rp, rs, ra;

	memset(f, 0, sizeof(*f));
	f->status_mode = "open"; /* Redmine's default: open issues */
	f->assignee_mode = "";
	rp = api_param(a, "project_id", project, sizeof(project));
	rs = api_param(a, "status_id", status, sizeof(status));
	ra = api_param(a, "assigned_to_id", assigned, sizeof(assigned));
	if (rp < 0 || rs < 0 || ra < 0) {
		api_bad_request(a);
		return -1;
	}
	/* /projects/ID/issues: the path names the project. */
	if (a->arg != NULL)
		rp = snprintf(project, sizeof(project), "%s", a->arg) > 0;
	if (rp > 0) {
		if (perm_project(a, project, PERM_VIEW, &p) != 0)
			return -1;
		snprintf(f->project_buf, sizeof(f->project_buf), "%lld", p.id);
		f->project = f->project_buf;
	}
	if (rs > 0 && !status_filter(a, status, f)) {
		invalid(a, "Status is invalid");
		return -1;
	}
	if (ra > 0 && !assignee_filter(a, assigned, f)) {
		invalid(a, "Assignee is invalid");
		return -1;
	}
	return 0;
}

/* The full rows of the ids in column 0 of ids, newest first. */
static PGresult *
page_rows(struct api *a, const PGresult *ids)
{
	struct buf list = { 0 };
	const char *values[1];
	PGresult *res;
	int i;

	buf_puts(&list, "{");
	for (i = 0; i < PQntuples(ids); i++)
		if (!PQgetisnull(ids, i, 0))
			buf_printf(
			    &list, "%s%s", i ? "," : "", PQgetvalue(ids, i, 0));
	buf_puts(&list, "}");
	values[0] = list.data;
	res = db_query(a->app,
	    "SELECT " ISSUE_COLS ISSUE_FROM
	    "WHERE i.id = ANY ($1::bigint[]) ORDER BY i.id DESC",
	    1, values);
	buf_free(&list);
	return res;
}

void
res_issues_index(struct api *a)
{
	char uid[24], limit[24], offset[24];
	const char *values[9];
	struct filter f;
	struct page page;
	struct emit *e;
	PGresult *count, *res = NULL;
	int i;

	if (filters(a, &f) != 0)
		return;
	api_page(a, &page);
	perm_params(a, uid, &values[1]);
	snprintf(limit, sizeof(limit), "%lld", page.limit);
	snprintf(offset, sizeof(offset), "%lld", page.offset);
	values[0] = uid;
	values[2] = f.project;
	values[3] = f.status_mode;
	values[4] = f.status_ids;
	values[5] = f.assignee_mode;
	values[6] = f.assignee_ids;
	values[7] = limit;
	values[8] = offset;
	/*
	 * Two short queries rather than one long one: the page's ids and the
	 * total (a window count) over the three tables the filters need, then
	 * the page's 25 rows by id. The filters' catch-all form would make
	 * PostgreSQL plan the seven-table join afresh on every call.
	 */
	count = db_query(a->app,
	    "SELECT i.id, count(*) OVER ()" ISSUE_PAGE
	    " ORDER BY i.id DESC LIMIT $8 OFFSET $9",
	    9, values);
	if (count != NULL && PQntuples(count) == 0 && page.offset > 0) {
		/* Past the end: the total still counts. */
		PQclear(count);
		count = db_query(
		    a->app, "SELECT NULL, count(*)" ISSUE_PAGE, 7, values);
	}
	if (count != NULL)
		res = page_rows(a, count);
	if (res == NULL) {
		PQclear(count);
		api_unavailable(a);
		return;
	}
	page.total_count = PQntuples(count) > 0 ? num(count, 0, 1) : 0;
	if ((e = api_emit(a)) != NULL) {
		emit_array(e, "issues", &page);
		for (i = 0; i < PQntuples(res); i++)
			render(e, res, i, NULL);
		emit_end(e);
		emit_finish(e, a->resp, 200);
	}
	PQclear(count);
	PQclear(res);
}

/* --- one issue --------------------------------------------------------- */

/* The issue's row (ISSUE_COLS, is_public, visible, the acting user's
 * role), or NULL (503 if *failed, else there is no such issue). */
static PGresult *
load(struct api *a, const char *id, bool *failed)
{
	char uid[24];
	const char *values[3] = { id, uid, NULL };
	PGresult *res;

	perm_params(a, uid, &values[2]);
	res = db_query(a->app,
	    "SELECT " ISSUE_COLS ", p.is_public, " ISSUE_VISIBLE(
		2, 3) ", " PERM_ROLE(2) ISSUE_FROM "WHERE i.id = $1::bigint",
	    3, values);
	*failed = res == NULL;
	if (res != NULL && PQntuples(res) != 1) {
		PQclear(res);
		res = NULL;
	}
	return res;
}

/*
 * The issue of the path, if the acting user sees it and may do action:
 * its row (PQclear it), with its project and the user's role there in *p;
 * or NULL with the answer sent (404, 401/403, 503).
 */
static PGresult *
find(struct api *a, enum perm_action action, struct project_ref *p)
{
	long long id = api_id(a->arg);
	char sid[24];
	PGresult *res;
	bool failed = false;

	snprintf(sid, sizeof(sid), "%lld", id);
	if (id == 0 || (res = load(a, sid, &failed)) == NULL) {
		if (id != 0 && failed)
			api_unavailable(a);
		else
			api_not_found(a);
		return NULL;
	}
	p->id = num(res, 0, COL_PROJECT_ID);
	snprintf(
	    p->name, sizeof(p->name), "%s", PQgetvalue(res, 0, COL_PROJECT));
	p->is_public = PQgetvalue(res, 0, COL_IS_PUBLIC)[0] == 't';
	p->role_known = true;
	snprintf(p->role, sizeof(p->role), "%s", PQgetvalue(res, 0, COL_ROLE));
	if (PQgetvalue(res, 0, COL_VISIBLE)[0] != 't') {
		PQclear(res);
		api_deny(a);
		return NULL;
	}
	if (perm_require(a, p, action) != 0) {
		PQclear(res);
		return NULL;
	}
	return res;
}

/* include=journals (or a comma-separated list holding it). */
static bool
wants_journals(const struct api *a)
{
	char v[FILTER_MAX + 1], *item, *last;

	if (api_param(a, "include", v, sizeof(v)) <= 0)
		return false;
	for (item = strtok_r(v, ", ", &last); item != NULL;
	     item = strtok_r(NULL, ", ", &last))
		if (strcmp(item, "journals") == 0)
			return true;
	return false;
}

/* The journals a user may read: private notes only to admins and their
 * writers (no role here may view private notes). NULL: 503 due. */
static PGresult *
journals(struct api *a, const char *issue_id)
{
	char uid[24];
	const char *values[3] = { issue_id, uid, NULL };

	perm_params(a, uid, &values[2]);
	return db_query(a->app,
	    "SELECT j.id, u.id, u.firstname || ' ' || u.lastname, "
	    "j.notes, iso8601(j.created_on), j.private_notes "
	    "FROM journals j JOIN users u ON u.id = j.user_id "
	    "WHERE j.issue_id = $1::bigint AND (NOT j.private_notes "
	    "OR $3::boolean OR j.user_id = $2::bigint) "
	    "ORDER BY j.created_on, j.id",
	    3, values);
}

/* Send one issue (status 200 or 201); with_journals: include them. */
static void
show(struct api *a, const PGresult *res, bool with_journals, int status)
{
	PGresult *j = NULL;
	struct emit *e;

	if (with_journals &&
	    (j = journals(a, PQgetvalue(res, 0, COL_ID))) == NULL) {
		api_unavailable(a);
		return;
	}
	if ((e = api_emit(a)) != NULL) {
		render(e, res, 0, j);
		emit_finish(e, a->resp, status);
	}
	PQclear(j);
}

void
res_issues_show(struct api *a)
{
	struct project_ref p = { 0 };
	PGresult *res = find(a, PERM_VIEW, &p);

	if (res == NULL)
		return;
	show(a, res, wants_journals(a), 200);
	PQclear(res);
}

/* --- request bodies ---------------------------------------------------- */

/* What a POST or PUT body asks for; NULL members were not given. */
struct input {
	const char *subject;
	const char *description;
	const char *notes;
	const char *tracker;
	const char *status;
	const char *priority;
	const char *done_ratio;
	const char *assignee; /* NULL with assign: unassign */
	bool assign;          /* assigned_to_id was given */
	bool edits;           /* a field beyond notes was given */
	char buf[5][24];
};

/* A reference id member: its text in buf, NULL if absent. A malformed one
 * reads "0", which names nothing: check_refs reports it in its place. */
static const char *
ref_id(json_object *o, const char *name, char buf[24])
{
	bool bad = false;
	long long id = body_id(o, name, &bad);

	if (id == 0 && !bad)
		return NULL;
	snprintf(buf, 24, "%lld", bad ? 0 : id);
	return buf;
}

/* done_ratio: 0..100 as a number or a string of digits. */
static const char *
done_ratio(json_object *o, char buf[24], struct api_errors *errs)
{
	json_object *v;
	const char *s;
	long long n = -1;

	if (!json_object_object_get_ex(o, "done_ratio", &v) || v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_int))
		n = json_object_get_int64(v);
	else if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		if (*s == '\0')
			return NULL;
		if (strspn(s, "0123456789") == strlen(s) && strlen(s) <= 3)
			n = strtoll(s, NULL, 10);
	}
	if (n < 0 || n > 100) {
		api_error(errs, "%% Done is not included in the list");
		return NULL;
	}
	snprintf(buf, 24, "%lld", n);
	return buf;
}

/* assigned_to_id: an id assigns; null or "" unassigns (Redmine). */
static void
assignee(json_object *o, struct input *in)
{
	json_object *v;

	if (!json_object_object_get_ex(o, "assigned_to_id", &v))
		return;
	in->assign = true;
	if (v == NULL || (json_object_is_type(v, json_type_string) &&
			     json_object_get_string_len(v) == 0))
		return;
	in->assignee = ref_id(o, "assigned_to_id", in->buf[4]);
}

static void
input(json_object *o, enum api_text_rule rule, struct input *in,
    struct api_errors *errs)
{
	static const char *const edit_fields[] = { "subject", "description",
		"tracker_id", "status_id", "priority_id", "assigned_to_id",
		"done_ratio", NULL };
	const char *const *f;

	memset(in, 0, sizeof(*in));
	for (f = edit_fields; *f != NULL; f++)
		if (json_object_object_get_ex(o, *f, NULL))
			in->edits = true;
	in->subject =
	    api_text(o, "subject", "Subject", SUBJECT_MAX, rule, errs);
	in->description = api_text(
	    o, "description", "Description", TEXT_MAX, API_TEXT_OPTIONAL, errs);
	in->notes =
	    api_text(o, "notes", "Notes", TEXT_MAX, API_TEXT_OPTIONAL, errs);
	in->tracker = ref_id(o, "tracker_id", in->buf[0]);
	in->status = ref_id(o, "status_id", in->buf[1]);
	in->priority = ref_id(o, "priority_id", in->buf[2]);
	in->done_ratio = done_ratio(o, in->buf[3], errs);
	assignee(o, in);
}

/*
 * Do the ids of in exist (and may the assignee be assigned in project:
 * an active member whose role is not viewer, as Redmine's assignable
 * roles)? Messages into errs; -1 if the database could not answer.
 * assignee: the id to check, or NULL to skip (unchanged, or no project).
 */
static int
check_refs(struct api *a, const struct input *in, const char *project,
    const char *assignee_id, struct api_errors *errs)
{
	const char *values[5] = { in->tracker, in->status, in->priority,
		assignee_id, project };
	PGresult *res;

	res = db_query(a->app,
	    "SELECT $1::bigint IS NULL OR EXISTS (SELECT 1 "
	    "FROM trackers WHERE id = $1::bigint), "
	    "$2::bigint IS NULL OR EXISTS (SELECT 1 "
	    "FROM issue_statuses WHERE id = $2::bigint), "
	    "$3::bigint IS NULL OR EXISTS (SELECT 1 "
	    "FROM issue_priorities WHERE id = $3::bigint), "
	    "$4::bigint IS NULL OR EXISTS (SELECT 1 "
	    "FROM users u JOIN members m ON m.user_id = u.id "
	    "WHERE u.id = $4::bigint AND u.status = 1 "
	    "AND m.project_id = $5::bigint AND m.role <> 'viewer')",
	    5, values);
	if (res == NULL)
		return -1;
	if (PQgetvalue(res, 0, 0)[0] != 't')
		api_error(errs, "Tracker is invalid");
	if (PQgetvalue(res, 0, 1)[0] != 't')
		api_error(errs, "Status is invalid");
	if (PQgetvalue(res, 0, 2)[0] != 't')
		api_error(errs, "Priority is invalid");
	if (PQgetvalue(res, 0, 3)[0] != 't')
		api_error(errs, "Assignee is invalid");
	PQclear(res);
	return 0;
}

/* --- POST /issues ------------------------------------------------------ */

/*
 * The project of a new issue (project_id: an id or an identifier; else
 * the path's, /projects/ID/issues), if the acting user may add issues
 * there: 0 with *p filled, 1 if it is missing or unknown (a message in
 * errs), -1 with the answer sent.
 */
static int
target_project(struct api *a, json_object *o, struct project_ref *p,
    struct api_errors *errs)
{
	bool bad = false;
	const char *key = body_string(o, "project_id", 100, &bad);
	int r;

	if (key == NULL && !bad)
		key = a->arg;
	if (bad || key == NULL || *key == '\0') {
		api_error(errs,
		    bad ? "Project is invalid" : "Project cannot be blank");
		return 1;
	}
	if ((r = perm_find_project(a, key, p)) == 1) {
		api_error(errs, "Project is invalid");
		return 1;
	}
	if (r < 0) {
		api_unavailable(a);
		return -1;
	}
	return perm_require(a, p, PERM_ISSUE_CREATE);
}

/* Location: the new issue's URL, from the scheme and the Host header the
 * client sent (left out if that header holds anything unexpected). */
static void
location(struct api *a, const char *id)
{
	const char *host = a->req->host;
	char url[512];

	if (host == NULL || *host == '\0' || strlen(host) > 255 ||
	    host[strspn(host, "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")] !=
		'\0')
		return;
	snprintf(url, sizeof(url), "%s://%s/issues/%s.%s",
	    a->req->https ? "https" : "http", host, id,
	    a->fmt == FMT_XML ? "xml" : "json");
	resp_header(a->resp, "Location", url);
}

/* Insert the issue: 0 with its id in id, or -1 with the answer sent. */
static int
insert(struct api *a, const struct project_ref *p, const struct input *in,
    char id[24])
{
	char pid[24], uid[24];
	const char *values[9] = { pid, in->tracker, in->status, in->priority,
		uid, in->assignee, in->subject, in->description,
		in->done_ratio };
	PGresult *res;

	snprintf(pid, sizeof(pid), "%lld", p->id);
	snprintf(uid, sizeof(uid), "%lld", (long long)a->user->id);
	/* Redmine's defaults: the first tracker and status, the default
	 * priority; a new issue in a closed status is closed now. */
	res = db_query(a->app,
	    "INSERT INTO issues (project_id, tracker_id, status_id, "
	    "priority_id, author_id, assigned_to_id, subject, "
	    "description, done_ratio, closed_on) "
	    "SELECT $1::bigint, "
	    "coalesce($2::int, (SELECT id FROM trackers "
	    "ORDER BY position, id LIMIT 1)), st.id, "
	    "coalesce($4::int, (SELECT id FROM issue_priorities "
	    "ORDER BY is_default DESC, position, id LIMIT 1)), "
	    "$5::bigint, $6::bigint, $7::text, "
	    "coalesce($8::text, ''), coalesce($9::int, 0), "
	    "CASE WHEN st.is_closed THEN now() END "
	    "FROM issue_statuses st WHERE st.id = coalesce($3::int, "
	    "(SELECT id FROM issue_statuses "
	    "ORDER BY position, id LIMIT 1)) RETURNING id",
	    9, values);
	if (res == NULL) {
		api_write_failed(a, "Issue is invalid");
		return -1;
	}
	if (PQntuples(res) != 1) {
		/* The default status is gone: nothing to insert with. */
		PQclear(res);
		invalid(a, "Status is invalid");
		return -1;
	}
	snprintf(id, 24, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

void
res_issues_create(struct api *a)
{
	struct api_errors errs = { 0 };
	struct project_ref p = { 0 };
	struct input in;
	json_object *tree, *o;
	PGresult *res;
	char pid[24], id[24];
	bool failed;
	int r;

	/* Anonymous may never add issues: no need to read the body. */
	if (a->user == NULL) {
		api_need_login(a);
		return;
	}
	if ((o = body_object(a, "issue", &tree)) == NULL)
		return;
	input(o, API_TEXT_REQUIRED, &in, &errs);
	if ((r = target_project(a, o, &p, &errs)) < 0)
		goto out;
	/* No project: nothing to check an assignee against. */
	if (r == 0)
		snprintf(pid, sizeof(pid), "%lld", p.id);
	if (check_refs(a, &in, r == 0 ? pid : NULL, r == 0 ? in.assignee : NULL,
		&errs) != 0) {
		api_unavailable(a);
		goto out;
	}
	if (errs.n > 0) {
		api_invalid_errors(a, &errs);
		goto out;
	}
	if (insert(a, &p, &in, id) != 0)
		goto out;
	if ((res = load(a, id, &failed)) == NULL) {
		api_unavailable(a);
		goto out;
	}
	location(a, id);
	show(a, res, false, 201);
	PQclear(res);
out:
	json_object_put(tree);
}

/* --- PUT /issues/ID ---------------------------------------------------- */

/* Apply in to the issue, and record its notes as a journal of the acting
 * user, in one statement (so both or neither): 0 or -1 (answer sent). */
static int
apply(struct api *a, const char *id, const struct input *in)
{
	char uid[24];
	const char *values[11] = { id, in->subject, in->description,
		in->tracker, in->status, in->priority, in->assign ? "t" : "f",
		in->assignee, in->done_ratio, uid, in->notes };

	snprintf(uid, sizeof(uid), "%lld", (long long)a->user->id);
	/* closed_on: set when the issue goes from open to closed (Redmine
	 * keeps it on reopening). */
	if (db_command(a->app,
		"WITH u AS (UPDATE issues SET "
		"subject = coalesce($2::text, subject), "
		"description = coalesce($3::text, description), "
		"tracker_id = coalesce($4::int, tracker_id), "
		"status_id = coalesce($5::int, status_id), "
		"priority_id = coalesce($6::int, priority_id), "
		"assigned_to_id = CASE WHEN $7::boolean "
		"THEN $8::bigint ELSE assigned_to_id END, "
		"done_ratio = coalesce($9::int, done_ratio), "
		"closed_on = CASE WHEN (SELECT is_closed "
		"FROM issue_statuses WHERE id = $5::int) "
		"AND NOT (SELECT is_closed FROM issue_statuses "
		"WHERE id = issues.status_id) "
		"THEN now() ELSE closed_on END, updated_on = now() "
		"WHERE id = $1::bigint RETURNING id) "
		"INSERT INTO journals (issue_id, user_id, notes) "
		"SELECT id, $10::bigint, $11::text FROM u "
		"WHERE coalesce($11::text, '') <> ''",
		11, values) < 0) {
		api_write_failed(a, "Issue is invalid");
		return -1;
	}
	return 0;
}

void
res_issues_update(struct api *a)
{
	struct api_errors errs = { 0 };
	json_object *tree = NULL, *o;
	struct project_ref p = { 0 };
	PGresult *res = find(a, PERM_VIEW, &p);
	const char *check;
	struct input in;

	if (res == NULL)
		return;
	if ((o = body_object(a, "issue", &tree)) == NULL)
		goto out;
	input(o, API_TEXT_NOT_BLANK, &in, &errs);
	/* Notes alone need the notes permission, any other field edit
	 * rights (Redmine's add_issue_notes and edit_issues). */
	if (perm_require(
		a, &p, in.edits ? PERM_ISSUE_EDIT : PERM_ISSUE_NOTES) != 0)
		goto out;
	/* An unchanged assignee stays valid even if no longer assignable. */
	check = in.assignee;
	if (check != NULL && !PQgetisnull(res, 0, COL_ASSIGNEE_ID) &&
	    strcmp(check, PQgetvalue(res, 0, COL_ASSIGNEE_ID)) == 0)
		check = NULL;
	if (check_refs(a, &in, PQgetvalue(res, 0, COL_PROJECT_ID), check,
		&errs) != 0) {
		api_unavailable(a);
		goto out;
	}
	if (errs.n > 0) {
		api_invalid_errors(a, &errs);
		goto out;
	}
	/* Nothing asked (no field, no notes): nothing to change. */
	if (!in.edits && (in.notes == NULL || *in.notes == '\0'))
		api_no_content(a);
	else if (apply(a, PQgetvalue(res, 0, COL_ID), &in) == 0)
		api_no_content(a);
out:
	json_object_put(tree);
	PQclear(res);
}

/* --- DELETE /issues/ID ------------------------------------------------- */

void
res_issues_delete(struct api *a)
{
	struct project_ref p = { 0 };
	PGresult *res = find(a, PERM_ISSUE_DELETE, &p);

	if (res == NULL)
		return;
	api_delete(a, "DELETE FROM issues WHERE id = $1::bigint",
	    PQgetvalue(res, 0, COL_ID));
	PQclear(res);
}
