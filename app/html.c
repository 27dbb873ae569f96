/*
 * html.c: the HTML pages' router (SPEC section 8).
 *
 * The order mirrors router.c's for the API: pick the page and method,
 * make sure the database is there, then find who is signed in from the
 * session cookie alone (never from API credentials: a page ignores key=,
 * X-Redmine-API-Key and Authorization entirely), re-reading the user so
 * that a locked user's session stops at once, and apply the page's need
 * (a user, an administrator, a password changed first) before its handler
 * runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "listcache.h"
#include "html.h"
#include "log.h"
#include "page.h"

enum need {
	NEED_NOBODY,   /* anyone: the sign-in pages */
	NEED_PASSWORD, /* a user, even one who must change the password */
	NEED_USER,     /* a user who may use the site */
	NEED_ADMIN,    /* an administrator */
};

struct page_route {
	const char *path;
	void (*get)(struct page *);  /* also HEAD; NULL: none */
	void (*post)(struct page *); /* NULL: none */
	enum need need;
};

static void home_get(struct page *p);

static const struct page_route pages[] = {
	{ "/", home_get, NULL, NEED_NOBODY },
	{ "/login", page_login_get, page_login_post, NEED_NOBODY },
	{ "/logout", page_logout_get, page_logout_post, NEED_NOBODY },
	{ "/my/password", page_password_get, page_password_post,
	    NEED_PASSWORD },
	{ "/my/account", page_account_get, NULL, NEED_USER },
	{ "/my/api_key", NULL, page_api_key_post, NEED_USER },
	{ "/settings", page_settings_get, page_settings_post, NEED_ADMIN },
};

/* The user row, with the password stamp in microseconds since the epoch
 * (what the session carries). */
#define PAGE_USER_SQL                                                          \
	"SELECT login, firstname, lastname, mail, admin, status, "             \
	"must_change_passwd, iso8601(created_on), "                            \
	"coalesce(iso8601(last_login_on), ''), "                               \
	"coalesce((extract(epoch FROM passwd_changed_on) * 1000000)"           \
	"::bigint, 0) FROM users WHERE id = $1"

static void
copy_col(char *dst, size_t size, const PGresult *res, int col)
{
	snprintf(dst, size, "%s", PQgetvalue(res, 0, col));
}

/*
 * Who is signed in: the session cookie opened, and the user re-read. 0
 * (p->user.id set, or 0 for nobody), or -1 if the database failed.
 */
static int
load_user(struct page *p)
{
	const char *v;
	size_t vlen;
	char id[24];
	const char *values[1] = { id };
	PGresult *res;
	struct page_user *u = &p->user;

	u->id = 0;
	if (session_cookie_find(p->req->cookie, SESSION_COOKIE, &v, &vlen) !=
		1 ||
	    session_open(
		&p->app->keys, v, vlen, (int64_t)time(NULL), &p->sess) != 0)
		return 0;
	snprintf(id, sizeof(id), "%lld", (long long)p->sess.user_id);
	if ((res = db_query(p->app, PAGE_USER_SQL, 1, values)) == NULL)
		return -1;
	if (PQntuples(res) == 1) {
		copy_col(u->login, sizeof(u->login), res, 0);
		copy_col(u->firstname, sizeof(u->firstname), res, 1);
		copy_col(u->lastname, sizeof(u->lastname), res, 2);
		copy_col(u->mail, sizeof(u->mail), res, 3);
		u->admin = PQgetvalue(res, 0, 4)[0] == 't';
		u->must_change = PQgetvalue(res, 0, 6)[0] == 't';
		copy_col(u->created_on, sizeof(u->created_on), res, 7);
		copy_col(u->last_login_on, sizeof(u->last_login_on), res, 8);
		u->pw_stamp = strtoll(PQgetvalue(res, 0, 9), NULL, 10);
		/* Locked (or never activated) users and sessions from before
		 * the last password change are nobody. */
		if (atoi(PQgetvalue(res, 0, 5)) == LK_STATUS_ACTIVE &&
		    u->pw_stamp == p->sess.pw_stamp)
			u->id = p->sess.user_id;
	}
	PQclear(res);
	if (u->id != 0)
		csrf_session_token(
		    &p->app->keys, p->sess.seed, sizeof(p->sess.seed), p->csrf);
	else
		memset(u, 0, sizeof(*u));
	return 0;
}

void
page_sign_in(struct page *p, int64_t user_id, int64_t pw_stamp)
{
	char value[SESSION_VALUE_MAX + 1];

	session_new(&p->sess, user_id, pw_stamp, (int64_t)time(NULL),
	    p->app->cfg.session_lifetime);
	session_seal(&p->app->keys, &p->sess, value);
	session_set_cookie(p->resp, SESSION_COOKIE, value, "/", p->req->https);
	csrf_session_token(
	    &p->app->keys, p->sess.seed, sizeof(p->sess.seed), p->csrf);
	lk_wipe(value, sizeof(value));
}

static void
home_get(struct page *p)
{
	page_redirect(p, p->user.id != 0 ? "/my/account" : "/login");
}

/* Anonymous on a page that needs a user: to the sign-in page, which comes
 * back here afterwards (only to the pages it knows: no open redirect). */
static void
to_login(struct page *p)
{
	if (strcmp(p->req->path, "/settings") == 0)
		page_redirect(p, "/login?back_url=%2Fsettings");
	else
		page_redirect(p, "/login");
}

bool
html_handle(struct app *app, const struct request *req, struct response *resp)
{
	const struct page_route *route = NULL;
	struct page p;
	bool get, ready;
	size_t i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (strcmp(pages[i].path, req->path) == 0)
			route = &pages[i];
	if (route == NULL)
		return false;
	memset(&p, 0, sizeof(p));
	p.app = app;
	p.req = req;
	p.resp = resp;
	get =
	    strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
	if ((get && route->get == NULL) ||
	    (!get &&
		(strcmp(req->method, "POST") != 0 || route->post == NULL))) {
		resp_header(resp, "Allow",
		    route->get == NULL    ? "POST"
		    : route->post == NULL ? "GET, HEAD"
					  : "GET, HEAD, POST");
		page_error(&p, 405, "Method not allowed",
		    "This page does not answer that method.");
		return true;
	}
	/* What the page reads from now on may be cached (cache_begin). */
	ready = db_ready(app) == 0;
	if (ready) {
		cache_begin();
		listcache_begin();
	}
	if (!ready || load_user(&p) != 0) {
		resp_header(resp, "Retry-After", "5");
		page_error(&p, 503, "Service unavailable",
		    "The database cannot be reached right now. Try again in a "
		    "few seconds.");
		goto out;
	}
	if (route->need != NEED_NOBODY && p.user.id == 0) {
		to_login(&p);
		goto out;
	}
	/* Nothing else until the password is changed (Redmine's rule). */
	if (route->need > NEED_PASSWORD && p.user.must_change) {
		page_redirect(&p, "/my/password");
		goto out;
	}
	if (route->need == NEED_ADMIN && !p.user.admin) {
		page_error(&p, 403, "Access denied",
		    "You are not authorized to access this page: it is for "
		    "administrators.");
		goto out;
	}
	if (get) {
		route->get(&p);
	} else {
		route->post(&p);
		/* What the form changed (a key, a password, a setting) came
		 * back as its own NOTIFY: every worker forgets the old now,
		 * before this answer leaves. */
		db_apply_notifies(app);
	}
out:
	lk_wipe(&p.sess, sizeof(p.sess));
	lk_wipe(p.csrf, sizeof(p.csrf));
	return true;
}
