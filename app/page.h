/*
 * page.h: what an HTML page handler sees (SPEC section 8), as api.h is for
 * the API resources. html.c has already made sure the database is there,
 * opened the session cookie, re-read the signed-in user and applied the
 * page's need for a user, an administrator, or a changed password; a
 * handler renders, or checks its form and acts.
 *
 * Every dynamic string reaches the HTML through page_esc (directly, or
 * as a %s of page_printf): there is no other way to write one.
 */
#ifndef PAGE_H
#define PAGE_H

#include "app.h"
#include "csrf.h"
#include "session.h"

/* The signed-in user, re-read from the database on every request. */
struct page_user {
	int64_t id; /* 0: nobody is signed in */
	char login[LK_LOGIN_MAX + 1];
	char firstname[4 * 30 + 1]; /* the schema's limits, in UTF-8 bytes */
	char lastname[4 * 255 + 1];
	char mail[4 * 254 + 1];
	char created_on[LK_TIME_MAX];
	char last_login_on[LK_TIME_MAX]; /* "" if never */
	bool admin;
	bool must_change;
	int64_t pw_stamp; /* see struct session */
};

struct page {
	struct app *app;
	const struct request *req;
	struct response *resp;
	struct page_user user;
	struct session sess; /* valid while user.id != 0 */
	/* The token this response's forms carry: the session's, or on the
	 * sign-in page the pre-session cookie's; "" if none. */
	char csrf[CSRF_TOKEN_LEN + 1];
};

/* --- page.c: rendering --- */

/* The one HTML escaping function: s with & < > " ' as entities. */
void page_esc(struct buf *b, const char *s);
/* Append fmt to the body; its only directives are %s, which is always
 * escaped by page_esc (NULL prints nothing), and %%. */
void page_printf(struct page *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The document up to <main> and its <h1>title</h1>, with the site
 * header (who is signed in, the links, the sign-out button). */
void page_begin(struct page *p, const char *title);
/* A message box: notice (role status) or error (role alert). */
void page_notice(struct page *p, const char *msg);
void page_alert(struct page *p, const char *msg);
/* The hidden field with p->csrf. */
void page_csrf_field(struct page *p);
/* Close the document and send it with status and the page headers. */
void page_end(struct page *p, int status);
/* A whole page with one paragraph: for 403, 404, 503 and the like. */
void page_error(struct page *p, int status, const char *title, const char *msg);
/* 303 See Other to a path of ours (a literal: never user input). */
void page_redirect(struct page *p, const char *location);
/* An ISO 8601 time as people read it: "2026-01-02 03:04 UTC". */
void page_time(struct page *p, const char *iso8601);

/* --- page.c: forms --- */

#define PAGE_FORM_MAX 16384 /* an urlencoded form body, in bytes */

/*
 * Check that the request carries a form this size: 0, or -1 with the
 * answer sent (413 too large, 415 not application/x-www-form-urlencoded).
 */
int page_form(struct page *p);
/*
 * A field of the form, %-decoded into v[size] (NUL-ended, *len bytes):
 * 1 found, 0 absent or empty, -1 malformed, repeated with another value,
 * not UTF-8, or too long for v.
 */
int page_field(
    const struct page *p, const char *name, char *v, size_t size, size_t *len);
/* Whether the form's CSRF field matches p->csrf; if not, the 403 page is
 * sent and the attempt logged: the caller changes nothing. */
bool page_csrf_ok(struct page *p);

/* --- html.c --- */

/* Sign user in: a new session cookie, and the CSRF token of it. */
void page_sign_in(struct page *p, int64_t user_id, int64_t pw_stamp);

/* --- the pages --- */

void page_login_get(struct page *p);
void page_login_post(struct page *p);
void page_logout_get(struct page *p);
void page_logout_post(struct page *p);
void page_password_get(struct page *p);
void page_password_post(struct page *p);
void page_account_get(struct page *p);
void page_api_key_post(struct page *p);
void page_settings_get(struct page *p);
void page_settings_post(struct page *p);

#endif
