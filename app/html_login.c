/*
 * html_login.c: /login, /logout and /my/password.
 *
 * The sign-in form checks its password with lk_login: the same cache,
 * argon2id gate and timing as Basic on the API, and the same throttling
 * of failures per address. A wrong password, an unknown login and a
 * locked or unactivated user all read "Invalid user or password" (Redmine
 * says when an account is locked; that tells a guesser the login exists).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "log.h"
#include "page.h"

#define PASSWORD_MAX 1024 /* bytes of a password in a form */
#define PASSWORD_MIN 8    /* characters: Redmine's default minimum */
#define BAD_LOGIN    "Invalid user or password"

/* The password stamp of session.h, as SQL. */
#define STAMP_SQL                                                              \
	"coalesce((extract(epoch FROM passwd_changed_on) * 1000000)"           \
	"::bigint, 0)"

/* Where the sign-in form may send people back to: a fixed list, so the
 * back_url parameter can never make it an open redirect. */
static const char *
back_url(const char *v)
{
	static const char *const allowed[] = { "/my/account", "/settings" };
	size_t i;

	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (strcmp(v, allowed[i]) == 0)
			return allowed[i];
	return "/my/account";
}

/*
 * The sign-in form's token, from the pre-session cookie. With make, a
 * browser without a usable one gets a new cookie (the form's GET);
 * without, the token stays "" and so matches nothing (the POST).
 */
static void
presession(struct page *p, bool make)
{
	const char *v;
	size_t vlen;
	char fresh[CSRF_PRESESSION_LEN + 1];

	if (session_cookie_find(
		p->req->cookie, CSRF_PRESESSION_COOKIE, &v, &vlen) == 1 &&
	    csrf_presession_token(&p->app->keys, v, vlen, p->csrf) == 0)
		return;
	if (!make)
		return;
	csrf_presession_new(fresh);
	/* Path=/login: no other page ever receives it. */
	session_set_cookie(
	    p->resp, CSRF_PRESESSION_COOKIE, fresh, "/login", p->req->https);
	if (csrf_presession_token(
		&p->app->keys, fresh, strlen(fresh), p->csrf) != 0)
		p->csrf[0] = '\0';
}

static void
login_form(struct page *p, const char *error, const char *login,
    const char *back, int status)
{
	char flash[16];
	const char *names[2] = { "flash", NULL };
	size_t len;

	page_begin(p, "Sign in");
	if (error != NULL)
		page_alert(p, error);
	else if (lk_query_get(p->req->query, p->req->query_len, names, flash,
		     sizeof(flash), &len) == LK_QUERY_FOUND &&
		 strcmp(flash, "signed_out") == 0)
		page_notice(p, "You have been signed out.");
	page_printf(p, "<form method=\"post\" action=\"/login\">");
	page_csrf_field(p);
	page_printf(p,
	    "<input type=\"hidden\" name=\"back_url\" value=\"%s\">\n"
	    "<label for=\"username\">Login</label>\n"
	    "<input type=\"text\" id=\"username\" name=\"username\" "
	    "value=\"%s\" autocomplete=\"username\" autocapitalize=\"none\" "
	    "spellcheck=\"false\" maxlength=\"255\" required%s>\n"
	    "<label for=\"password\">Password</label>\n"
	    "<input type=\"password\" id=\"password\" name=\"password\" "
	    "autocomplete=\"current-password\" maxlength=\"1024\" "
	    "required%s>\n"
	    "<div><button type=\"submit\">Sign in</button></div>\n</form>\n",
	    back, login, login[0] == '\0' ? " autofocus" : "",
	    login[0] != '\0' ? " autofocus" : "");
	page_end(p, status);
}

void
page_login_get(struct page *p)
{
	const char *names[2] = { "back_url", NULL };
	char back[64] = "";
	size_t len;

	if (lk_query_get(p->req->query, p->req->query_len, names, back,
		sizeof(back), &len) != LK_QUERY_FOUND)
		back[0] = '\0';
	if (p->user.id != 0) {
		page_redirect(p, back_url(back));
		return;
	}
	presession(p, true);
	login_form(p, NULL, "", back_url(back), 200);
}

/* After too many failures from this address: 429 until its window ends,
 * without looking at the password (as the API does). */
static bool
throttled(struct page *p)
{
	unsigned wait = app_throttle_wait(p->app, p->req->remote_addr);
	char retry[16];

	if (wait == 0)
		return false;
	snprintf(retry, sizeof(retry), "%u", wait);
	resp_header(p->resp, "Retry-After", retry);
	page_error(p, 429, "Too many attempts",
	    "Too many failed sign-in attempts came from your address. Wait a "
	    "while and try again.");
	return true;
}

static void
failed(struct page *p, const struct lk_resolution *res)
{
	app_throttle_fail(p->app, p->req->remote_addr);
	/* The API's line, so one fail2ban filter sees both. */
	log_event(LK_LOG_WARN, "auth_failure", "reason", res->reason, "via",
	    "form", "login", res->login[0] ? res->login : NULL, "addr",
	    p->req->remote_addr, (char *)NULL);
}

/* Stamp last_login_on of the user just verified and sign them in: 0, or
 * -1 if the user went away (locked meanwhile) or the database failed. */
static int
signed_in(struct page *p, const struct lk_resolution *res)
{
	char id[24];
	const char *values[1];
	PGresult *r;
	int64_t uid = 0, stamp = 0;

	/* LK_AUTHENTICATED and LK_DENY_MUST_CHANGE both say who it is. */
	snprintf(id, sizeof(id), "%lld", (long long)res->user.id);
	values[0] = id;
	r = db_query(p->app,
	    "UPDATE users SET last_login_on = now() "
	    "WHERE id = $1 AND status = 1 RETURNING id, " STAMP_SQL,
	    1, values);
	if (r != NULL && PQntuples(r) == 1) {
		uid = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		stamp = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	}
	PQclear(r);
	if (uid <= 0)
		return -1;
	page_sign_in(p, uid, stamp);
	/* The pre-session has done its work. */
	session_set_cookie(
	    p->resp, CSRF_PRESESSION_COOKIE, NULL, "/login", p->req->https);
	log_event(LK_LOG_INFO, "login", "login", res->login, "via", "form",
	    "addr", p->req->remote_addr, (char *)NULL);
	return 0;
}

void
page_login_post(struct page *p)
{
	char login[2 * LK_LOGIN_MAX + 1] = "", pw[PASSWORD_MAX + 1];
	char back[64] = "";
	size_t loginlen = 0, pwlen = 0, len;
	struct lk_resolution res;
	int have_login, have_pw;

	if (page_form(p) != 0)
		return;
	presession(p, false);
	if (!page_csrf_ok(p))
		return;
	(void)page_field(p, "back_url", back, sizeof(back), &len);
	have_login = page_field(p, "username", login, sizeof(login), &loginlen);
	have_pw = page_field(p, "password", pw, sizeof(pw), &pwlen);
	if (have_login != 1 || have_pw != 1) {
		/* Empty or over-long: no user has that; nothing checked. */
		if (have_login != 1)
			login[0] = '\0';
		lk_wipe(pw, sizeof(pw));
		login_form(p, BAD_LOGIN, login, back_url(back), 200);
		return;
	}
	if (throttled(p)) {
		lk_wipe(pw, sizeof(pw));
		return;
	}
	lk_login(&p->app->resolver, login, loginlen, pw, pwlen, &res);
	lk_wipe(pw, sizeof(pw));
	switch (res.verdict) {
	case LK_AUTHENTICATED:
	case LK_DENY_MUST_CHANGE:
		if (signed_in(p, &res) != 0) {
			db_check(p->app);
			page_error(p, 503, "Service unavailable",
			    "Signing in failed. Try again in a few seconds.");
		} else {
			page_redirect(p, res.verdict == LK_AUTHENTICATED
					     ? back_url(back)
					     : "/my/password");
		}
		break;
	case LK_UNAVAILABLE:
	case LK_BUSY:
		resp_header(
		    p->resp, "Retry-After", res.verdict == LK_BUSY ? "1" : "5");
		page_error(p, 503, "Service unavailable",
		    "The server is busy. Try again in a few seconds.");
		break;
	default:
		failed(p, &res);
		login_form(p, BAD_LOGIN, login, back_url(back), 200);
		break;
	}
	lk_wipe(&res, sizeof(res));
}

void
page_logout_get(struct page *p)
{
	/* A GET changes nothing: it offers the button that does. */
	if (p->user.id == 0) {
		page_redirect(p, "/login");
		return;
	}
	page_begin(p, "Sign out");
	page_printf(p, "<form method=\"post\" action=\"/logout\">");
	page_csrf_field(p);
	page_printf(p, "<p>Sign out of latchkey on this browser?</p>"
		       "<button type=\"submit\">Sign out</button></form>\n");
	page_end(p, 200);
}

void
page_logout_post(struct page *p)
{
	if (p->user.id != 0) {
		if (page_form(p) != 0 || !page_csrf_ok(p))
			return;
		log_event(LK_LOG_INFO, "logout", "login", p->user.login, "addr",
		    p->req->remote_addr, (char *)NULL);
	}
	session_set_cookie(p->resp, SESSION_COOKIE, NULL, "/", p->req->https);
	page_redirect(p, "/login?flash=signed_out");
}

static void
password_form(struct page *p, const char *error)
{
	page_begin(p, "Change password");
	if (error != NULL)
		page_alert(p, error);
	else if (p->user.must_change)
		page_notice(p, "Your password has expired or the administrator "
			       "requires you to change it.");
	page_printf(p, "<form method=\"post\" action=\"/my/password\">");
	page_csrf_field(p);
	/* The user name field helps password managers file the change. */
	page_printf(p,
	    "<input type=\"text\" name=\"login\" value=\"%s\" "
	    "autocomplete=\"username\" hidden>\n"
	    "<label for=\"password\">Current password</label>\n"
	    "<input type=\"password\" id=\"password\" name=\"password\" "
	    "autocomplete=\"current-password\" maxlength=\"1024\" required "
	    "autofocus>\n"
	    "<label for=\"new_password\">New password</label>\n"
	    "<input type=\"password\" id=\"new_password\" "
	    "name=\"new_password\" autocomplete=\"new-password\" "
	    "minlength=\"8\" maxlength=\"1024\" required "
	    "aria-describedby=\"pw-hint\">\n"
	    "<p class=\"hint\" id=\"pw-hint\">At least 8 characters.</p>\n"
	    "<label for=\"new_password_confirmation\">Confirmation</label>\n"
	    "<input type=\"password\" id=\"new_password_confirmation\" "
	    "name=\"new_password_confirmation\" autocomplete=\"new-password\" "
	    "minlength=\"8\" maxlength=\"1024\" required>\n"
	    "<div><button type=\"submit\">Apply</button></div>\n</form>\n",
	    p->user.login);
	page_end(p, 200);
}

void
page_password_get(struct page *p)
{
	password_form(p, NULL);
}

/* Hash the new password and store it: 0, or -1 with the answer sent. */
static int
store_password(struct page *p, const char *pw, size_t pwlen)
{
	struct lk_password_cost cost = { p->app->cfg.password_opslimit,
		(size_t)p->app->cfg.password_memlimit };
	char hash[LK_HASH_MAX], id[24];
	const char *values[2] = { id, hash };
	enum lk_err err;
	PGresult *r;
	int64_t stamp = -1;

	/* argon2id takes password_memlimit: the pool's gate bounds how
	 * many run at once, as for verification. */
	if (!gate_enter(p->app->gate_id)) {
		resp_header(p->resp, "Retry-After", "5");
		page_error(p, 503, "Service unavailable",
		    "The server is busy. Try again in a few seconds.");
		return -1;
	}
	err = lk_password_hash(&cost, pw, pwlen, hash);
	gate_leave(p->app->gate_id);
	if (err != LK_OK) {
		log_event(LK_LOG_ERROR, "password_hash_failed", "error",
		    lk_err_str(err), (char *)NULL);
		page_error(p, 503, "Service unavailable",
		    "The password could not be changed. Try again later.");
		return -1;
	}
	snprintf(id, sizeof(id), "%lld", (long long)p->user.id);
	r = db_query(p->app,
	    "UPDATE users SET hashed_password = $2, salt = '', "
	    "must_change_passwd = false, passwd_changed_on = now(), "
	    "updated_on = now() WHERE id = $1 AND status = 1 "
	    "RETURNING " STAMP_SQL,
	    2, values);
	lk_wipe(hash, sizeof(hash));
	if (r != NULL && PQntuples(r) == 1)
		stamp = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	if (stamp < 0) {
		db_check(p->app);
		page_error(p, 503, "Service unavailable",
		    "The password could not be changed. Try again later.");
		return -1;
	}
	/* Every other session of this user ends with the old stamp; this
	 * one goes on under a new cookie (and a new CSRF seed). */
	page_sign_in(p, p->user.id, stamp);
	return 0;
}

void
page_password_post(struct page *p)
{
	char cur[PASSWORD_MAX + 1], pw[PASSWORD_MAX + 1];
	char confirm[PASSWORD_MAX + 1];
	size_t curlen = 0, pwlen = 0, conflen = 0;
	const char *error = NULL;
	struct lk_resolution res;
	int have_pw, have_conf;

	memset(&res, 0, sizeof(res));
	if (page_form(p) != 0 || !page_csrf_ok(p))
		return;
	if (page_field(p, "password", cur, sizeof(cur), &curlen) != 1)
		curlen = 0;
	have_pw = page_field(p, "new_password", pw, sizeof(pw), &pwlen);
	have_conf = page_field(
	    p, "new_password_confirmation", confirm, sizeof(confirm), &conflen);
	if (have_pw < 0)
		error = "Password is too long (maximum is 1024 bytes)";
	else if (have_pw == 0 || lk_utf8_chars(pw, pwlen) < PASSWORD_MIN)
		error = "Password is too short (minimum is 8 characters)";
	else if (have_conf != 1 || conflen != pwlen ||
		 memcmp(pw, confirm, pwlen) != 0)
		error = "Password doesn't match confirmation";
	else if (curlen == pwlen && memcmp(cur, pw, pwlen) == 0)
		error = "The new password must be different from the current "
			"password";
	if (error == NULL && curlen == 0)
		error = "Wrong password";
	if (error == NULL && throttled(p))
		goto out;
	if (error == NULL) {
		lk_login(&p->app->resolver, p->user.login,
		    strlen(p->user.login), cur, curlen, &res);
		if (res.verdict == LK_UNAVAILABLE || res.verdict == LK_BUSY) {
			resp_header(p->resp, "Retry-After", "5");
			page_error(p, 503, "Service unavailable",
			    "The server is busy. Try again in a few seconds.");
			goto out;
		}
		if (res.verdict != LK_AUTHENTICATED &&
		    res.verdict != LK_DENY_MUST_CHANGE) {
			failed(p, &res);
			error = "Wrong password";
		}
	}
	if (error != NULL) {
		password_form(p, error);
		goto out;
	}
	if (store_password(p, pw, pwlen) != 0)
		goto out;
	log_event(LK_LOG_INFO, "password_changed", "login", p->user.login,
	    "via", "form", "addr", p->req->remote_addr, (char *)NULL);
	page_redirect(p, "/my/account?flash=password");
out:
	lk_wipe(cur, sizeof(cur));
	lk_wipe(pw, sizeof(pw));
	lk_wipe(confirm, sizeof(confirm));
	lk_wipe(&res, sizeof(res));
}
