/*
 * router.c: from a request to a response.
 *
 * The order is the security argument of the whole server: bound the
 * input, pick the route and format, refuse a throttled address, make sure
 * the database is there, resolve the credentials ONCE (lk_resolve, the
 * same for every route, collections and single items alike), refuse what
 * the verdict refuses, apply login_required and the route's need for a
 * user, and only then call the resource. A resource never looks at
 * credentials itself.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "cache.h"
#include "html.h"
#include "listcache.h"
#include "log.h"

#define QUERY_MAX    8192
#define PATH_MAX_LEN 1024
#define ARG_MAX      100

struct route {
	const char *method;  /* GET also answers HEAD */
	const char *pattern; /* ':' stands for one path segment (the arg) */
	void (*handler)(struct api *);
	bool needs_user; /* no anonymous access at all */
	bool cached;     /* a list: listcache.h */
};

static const struct route routes[] = {
	{ "GET", "/users/current", res_users_current, true, false },
	{ "GET", "/my/account", res_my_account, true, false },
	{ "PUT", "/my/account", res_my_account, true, false },
	{ "GET", "/projects", res_projects_index, false, true },
	{ "GET", "/projects/:", res_projects_show, false, false },
	{ "GET", "/projects/:/news", res_news_project, false, true },
	{ "POST", "/projects/:/news", res_news_create, false, false },
	{ "GET", "/news", res_news_index, false, true },
	{ "GET", "/news/:", res_news_show, false, false },
	{ "PUT", "/news/:", res_news_update, false, false },
	{ "DELETE", "/news/:", res_news_delete, false, false },
	{ "GET", "/issues", res_issues_index, false, true },
	{ "POST", "/issues", res_issues_create, false, false },
	{ "GET", "/issues/:", res_issues_show, false, false },
	/* Redmine's nested forms (python-redmine creates issues this way). */
	{ "GET", "/projects/:/issues", res_issues_index, false, true },
	{ "POST", "/projects/:/issues", res_issues_create, false, false },
	{ "PUT", "/issues/:", res_issues_update, false, false },
	{ "DELETE", "/issues/:", res_issues_delete, false, false },
};

void
resp_status(struct response *resp, int status)
{
	resp->status = status;
	resp->content_type = NULL;
	buf_reset(&resp->body);
}

void
resp_header(struct response *resp, const char *name, const char *value)
{
	buf_printf(&resp->headers, "%s: %s\r\n", name, value);
}

void
resp_text(struct response *resp, int status, const char *text)
{
	resp_status(resp, status);
	resp->content_type = "text/plain; charset=utf-8";
	buf_puts(&resp->body, text);
}

/* Match path against pattern; the ':' segment is copied to arg. */
static bool
match(const char *pattern, const char *path, char arg[ARG_MAX + 1])
{
	while (*pattern != '\0') {
		if (*pattern == ':') {
			size_t n = strcspn(path, "/");

			if (n == 0 || n > ARG_MAX)
				return false;
			memcpy(arg, path, n);
			arg[n] = '\0';
			pattern++;
			path += n;
			continue;
		}
		if (*pattern++ != *path++)
			return false;
	}
	return *path == '\0';
}

/* Split "/issues/1.json" into "/issues/1" and FMT_JSON. */
static enum fmt
path_format(const struct request *req, char *bare, size_t size)
{
	static const char *const fmt_param[] = { "format", NULL };
	size_t len = strlen(req->path);
	char v[8];
	size_t vlen;

	snprintf(bare, size, "%s", req->path);
	if (len > 5 && strcmp(req->path + len - 5, ".json") == 0) {
		bare[len - 5] = '\0';
		return FMT_JSON;
	}
	if (len > 4 && strcmp(req->path + len - 4, ".xml") == 0) {
		bare[len - 4] = '\0';
		return FMT_XML;
	}
	if (lk_query_get(req->query, req->query_len, fmt_param, v, sizeof(v),
		&vlen) == LK_QUERY_FOUND) {
		if (strcmp(v, "json") == 0)
			return FMT_JSON;
		if (strcmp(v, "xml") == 0)
			return FMT_XML;
	}
	return FMT_NONE;
}

/* True if path minus a ".ext" suffix is one of the routes. */
static bool
other_format(const char *path)
{
	char bare[PATH_MAX_LEN + 1], arg[ARG_MAX + 1];
	const char *dot = strrchr(path, '.');
	size_t i;

	if (dot == NULL || strchr(dot, '/') != NULL || dot[1] == '\0')
		return false;
	snprintf(bare, sizeof(bare), "%.*s", (int)(dot - path), path);
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (match(routes[i].pattern, bare, arg))
			return true;
	return false;
}

void
api_need_login(struct api *a)
{
	resp_status(a->resp, a->app->settings.rest_api_enabled ? 401 : 403);
	if (a->app->settings.rest_api_enabled)
		resp_header(
		    a->resp, "WWW-Authenticate", "Basic realm=\"Redmine API\"");
}

void
api_deny(struct api *a)
{
	if (a->user == NULL)
		api_need_login(a);
	else
		resp_status(a->resp, 403);
}

void
api_not_found(struct api *a)
{
	resp_status(a->resp, 404);
}

void
api_no_content(struct api *a)
{
	resp_status(a->resp, 204);
}

void
api_delete(struct api *a, const char *sql, const char *id)
{
	const char *values[1] = { id };

	if (db_command(a->app, sql, 1, values) < 0)
		api_unavailable(a);
	else
		api_no_content(a);
}

void
api_bad_request(struct api *a)
{
	resp_status(a->resp, 400);
}

/*
 * 503 says "not done: try again". A write whose database connection died
 * under it may have been done all the same, and saying 503 would invite
 * a client to do it twice: that is 502, the outcome unknown, as nginx
 * says when a worker dies holding a request.
 */
void
api_unavailable(struct api *a)
{
	const char *m = a->req->method;

	if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 &&
	    db_outcome_unknown()) {
		resp_status(a->resp, 502);
		return;
	}
	resp_status(a->resp, 503);
	resp_header(a->resp, "Retry-After", "5");
}

struct emit *
api_emit(struct api *a)
{
	struct emit *e = emit_new(a->fmt);

	if (e == NULL)
		api_unavailable(a);
	return e;
}

void
api_invalid(struct api *a, const char *const *messages)
{
	struct emit *e = api_emit(a);

	if (e == NULL)
		return;
	emit_array(e, "errors", NULL);
	for (; *messages != NULL; messages++)
		emit_str(e, "error", *messages);
	emit_end(e);
	emit_finish(e, a->resp, 422);
}

void
api_page(const struct api *a, struct page *p)
{
	bool bad = false;

	/* Redmine: limit defaults to 25 and is clamped to 1..100. */
	p->offset = lk_query_int(
	    a->req->query, a->req->query_len, "offset", 0, 1000000000LL, &bad);
	p->limit = lk_query_int(
	    a->req->query, a->req->query_len, "limit", 25, 1000000000LL, &bad);
	if (p->limit < 1)
		p->limit = 1;
	if (p->limit > 100)
		p->limit = 100;
	p->total_count = 0;
}

int
api_param(const struct api *a, const char *name, char *v, size_t size)
{
	const char *names[2] = { name, NULL };
	size_t len;

	switch (lk_query_get(
	    a->req->query, a->req->query_len, names, v, size, &len)) {
	case LK_QUERY_ABSENT:
		return 0;
	case LK_QUERY_FOUND:
		return lk_utf8_valid(v, len) ? 1 : -1;
	default:
		return -1;
	}
}

long long
api_id(const char *s)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n > 18 || s[n] != '\0')
		return 0;
	return strtoll(s, NULL, 10);
}

void
api_write_failed(struct api *a, const char *message)
{
	const char *state = db_last_sqlstate();
	const char *messages[2] = { message, NULL };

	if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0)
		api_invalid(a, messages);
	else
		api_unavailable(a);
}

void
api_error(struct api_errors *errs, const char *fmt, ...)
{
	va_list ap;

	if (errs->n >= API_ERRORS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(errs->msg[errs->n++], sizeof(errs->msg[0]), fmt, ap);
	va_end(ap);
}

void
api_invalid_errors(struct api *a, const struct api_errors *errs)
{
	const char *messages[API_ERRORS_MAX + 1];
	size_t i;

	for (i = 0; i < errs->n; i++)
		messages[i] = errs->msg[i];
	messages[i] = NULL;
	api_invalid(a, messages);
}

const char *
api_text(json_object *obj, const char *name, const char *label,
    size_t max_chars, enum api_text_rule rule, struct api_errors *errs)
{
	json_object *v = NULL;
	const char *s;
	bool bad = false;

	/* A UTF-8 character takes at most 4 bytes: longer is too long. */
	if (json_object_object_get_ex(obj, name, &v) && v != NULL &&
	    json_object_is_type(v, json_type_string) &&
	    (size_t)json_object_get_string_len(v) > max_chars * 4) {
		api_error(errs, "%s is too long (maximum is %zu characters)",
		    label, max_chars);
		return NULL;
	}
	s = body_string(obj, name, max_chars * 4, &bad);
	if (bad) {
		api_error(errs, "%s is invalid", label);
		return NULL;
	}
	if ((s == NULL && rule == API_TEXT_REQUIRED) ||
	    (s != NULL && rule != API_TEXT_OPTIONAL &&
		s[strspn(s, " \t\r\n")] == '\0')) {
		api_error(errs, "%s cannot be blank", label);
		return NULL;
	}
	if (s != NULL && lk_utf8_chars(s, strlen(s)) > max_chars) {
		api_error(errs, "%s is too long (maximum is %zu characters)",
		    label, max_chars);
		return NULL;
	}
	return s;
}

static const char *
via_name(enum lk_via via)
{
	static const char *const names[] = { "none", "query", "header",
		"password", "basic_key", "bearer" };

	return names[via];
}

/*
 * An address over its failure budget gets 429 for anything that carries
 * credentials, right or wrong, until its window ends: otherwise a guesser
 * would still learn when a guess was right. Anonymous requests pass.
 */
static bool
throttled(struct api *a)
{
	unsigned wait;
	char retry[16];

	/* Off, or nothing to throttle: no second parse of the query. */
	if (a->app->cfg.throttle_failures == 0 ||
	    !lk_creds_present(&a->req->creds) ||
	    (wait = app_throttle_wait(a->app, a->req->remote_addr)) == 0)
		return false;
	snprintf(retry, sizeof(retry), "%u", wait);
	resp_status(a->resp, 429);
	resp_header(a->resp, "Retry-After", retry);
	return true;
}

/* Turn a refusal into its status; true if the request may go on. */
static bool
apply_verdict(struct api *a, const struct lk_resolution *res)
{
	const struct request *req = a->req;
	int status = lk_verdict_status(res->verdict);

	if (res->verdict == LK_ANONYMOUS || res->verdict == LK_AUTHENTICATED) {
		if (res->switched)
			log_event(LK_LOG_INFO, "switch_user", "admin",
			    res->admin_login, "as", res->user.login, "addr",
			    req->remote_addr, (char *)NULL);
		return true;
	}
	if (res->verdict == LK_BUSY) {
		/* A full gate frees up in milliseconds. */
		resp_status(a->resp, 503);
		resp_header(a->resp, "Retry-After", "1");
		return false;
	}
	if (res->verdict == LK_UNAVAILABLE) {
		api_unavailable(a);
		return false;
	}
	if (status == 401)
		app_throttle_fail(a->app, req->remote_addr);
	/* Never a key, a password or the Authorization value here. */
	log_event(LK_LOG_WARN, "auth_failure", "reason", res->reason, "via",
	    via_name(res->via), "login", res->login[0] ? res->login : NULL,
	    "addr", req->remote_addr, (char *)NULL);
	resp_status(a->resp, status);
	if (res->verdict == LK_DENY_BASIC)
		resp_header(
		    a->resp, "WWW-Authenticate", "Basic realm=\"Redmine API\"");
	else if (res->verdict == LK_DENY_BEARER)
		resp_header(a->resp, "WWW-Authenticate",
		    "Bearer realm=\"Redmine API\", error=\"invalid_token\"");
	return false;
}

/*
 * Call the route's handler, through the list cache for a cached GET. A
 * write that changed what lists show sent NOTIFY latchkey_data (sql/005),
 * which came back to this connection with the write's own answer: applied
 * here, it empties the lists before this answer leaves, so whoever reads
 * after it sees it, on any worker. A write that changed nothing (refused,
 * or asking for no change) sent nothing and empties nothing, or anyone
 * could keep the cache empty. A 502 is a write whose answer was lost: it
 * may have committed.
 */
static void
serve(struct api *a, const struct route *route, bool is_get)
{
	uint8_t key[LISTCACHE_KEY_LEN];

	if (!is_get) {
		route->handler(a);
		db_apply_notifies(a->app);
		if (a->resp->status == 502)
			listcache_flush();
	} else if (route->cached && listcache_key(a, key) == 0) {
		if (!listcache_get(key, a))
			listcache_fill(key, a, route->handler);
	} else {
		route->handler(a);
	}
}

void
router_handle(struct app *app, const struct request *req, struct response *resp)
{
	char bare[PATH_MAX_LEN + 1], arg[ARG_MAX + 1] = "";
	const struct route *route = NULL;
	bool path_known = false, is_get;
	struct lk_resolution res;
	struct api a = { app, req, resp, FMT_NONE, NULL, NULL };
	size_t i;

	resp->status = 200;
	resp->head = strcmp(req->method, "HEAD") == 0;
	if (strlen(req->path) > PATH_MAX_LEN || req->query_len > QUERY_MAX) {
		resp_text(resp, 414, "Request-URI too long.\n");
		return;
	}
	a.fmt = path_format(req, bare, sizeof(bare));
	is_get = resp->head || strcmp(req->method, "GET") == 0;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!match(routes[i].pattern, bare, arg))
			continue;
		path_known = true;
		if (strcmp(routes[i].method, req->method) == 0 ||
		    (is_get && strcmp(routes[i].method, "GET") == 0)) {
			route = &routes[i];
			break;
		}
	}
	/* Pages are not API resources: the format suffix decides. */
	if (a.fmt == FMT_NONE && html_handle(app, req, resp))
		return;
	if (!path_known && a.fmt == FMT_NONE && other_format(bare)) {
		/* /users/current.txt: a resource in a format we do not
		 * speak. Redmine: 406, as for no format at all. */
		path_known = true;
	}
	if (!path_known) {
		resp_text(resp, 404, "Not found.\n");
		return;
	}
	if (a.fmt == FMT_NONE) {
		/* Redmine answers API paths without a format with 406. */
		resp_text(resp, 406,
		    "Append .json or .xml to the path (or add ?format=json) "
		    "for the REST API.\n");
		return;
	}
	if (route == NULL) {
		resp_text(resp, 405, "Method not allowed.\n");
		return;
	}
	a.arg = arg[0] ? arg : NULL;
	/* A throttled address is refused before anything else is done for
	 * it, even reading what the database sent: a flood must cost as
	 * little as possible. */
	if (throttled(&a))
		return;
	if (db_ready(app) != 0) {
		api_unavailable(&a);
		return;
	}
	cache_begin();
	listcache_begin();
	lk_resolve(&app->resolver, &app->settings, &req->creds, &res);
	if (!apply_verdict(&a, &res))
		goto out;
	a.user = res.verdict == LK_AUTHENTICATED ? &res.user : NULL;
	if (a.user == NULL &&
	    (route->needs_user || app->settings.login_required)) {
		api_need_login(&a);
		goto out;
	}
	serve(&a, route, is_get);
out:
	lk_wipe(&res, sizeof(res));
}
