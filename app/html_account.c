/*
 * html_account.c: "My account" (/my/account) with the API access key
 * section, and its Reset button (POST /my/api_key).
 *
 * The key shows only on request (?show_key=1, a plain link: no script),
 * and the page is never cached (the worker sends Cache-Control: no-store
 * with every answer). Asking to see it creates a user's first key, as
 * Redmine does.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "page.h"

/* A query parameter of ours (short, fixed values): true if name=want. */
static bool
param_is(const struct page *p, const char *name, const char *want)
{
	const char *names[2] = { name, NULL };
	char v[16];
	size_t len;

	return lk_query_get(p->req->query, p->req->query_len, names, v,
		   sizeof(v), &len) == LK_QUERY_FOUND &&
	       strcmp(v, want) == 0;
}

static void
detail(struct page *p, const char *label, const char *value)
{
	page_printf(p, "<dt>%s</dt><dd>%s</dd>\n", label, value);
}

/* The API access key section: 0, or -1 if the store failed (then nothing
 * was written that the caller must keep). */
static int
key_section(struct page *p, bool show)
{
	char key[LK_KEY_LEN + 1], created[LK_TIME_MAX];
	enum lk_err err;

	err = lk_pgstore_key_get(
	    &p->app->pgstore, &p->app->keys, p->user.id, show, key, created);
	if (err == LK_ESTORE ||
	    (err != LK_OK && err != LK_ENOTFOUND && err != LK_ECRYPTO)) {
		db_check(p->app);
		return -1;
	}
	page_printf(p, "<section aria-labelledby=\"api-key\">\n"
		       "<h2 id=\"api-key\">API access key</h2>\n");
	if (err == LK_OK) {
		page_printf(p, "<p>Created on ");
		page_time(p, created);
		page_printf(p, ".</p>\n");
		if (show)
			page_printf(p,
			    "<p>Your API access key: <code class=\"key\" "
			    "id=\"api-key-value\">%s</code></p>\n",
			    key);
		else
			page_printf(p, "<p><a href=\"/my/account?show_key=1"
				       "#api-key\">Show</a> your API access "
				       "key.</p>\n");
	} else if (err == LK_ENOTFOUND) {
		page_printf(p, "<p>You have no API access key yet. "
			       "<a href=\"/my/account?show_key=1#api-key\">"
			       "Show</a> makes one.</p>\n");
	} else {
		log_event(LK_LOG_ERROR, "key_unreadable", "login",
		    p->user.login, "reason",
		    "sealed under another secret: reset the key", (char *)NULL);
		page_alert(p, "Your API access key cannot be shown: it was "
			      "sealed under another server secret. Reset it "
			      "to get a new one.");
	}
	lk_wipe(key, sizeof(key));
	page_printf(p, "<form class=\"inline\" method=\"post\" "
		       "action=\"/my/api_key\">");
	page_csrf_field(p);
	page_printf(p,
	    "<button type=\"submit\" class=\"secondary\">Reset</button>"
	    "</form>\n"
	    "<p class=\"hint\">Send the key with each API request as the "
	    "X-Redmine-API-Key header (or the key parameter). Resetting it "
	    "makes a new key; the old one stops working at once.</p>\n"
	    "</section>\n");
	return 0;
}

void
page_account_get(struct page *p)
{
	const struct page_user *u = &p->user;

	page_begin(p, "My account");
	if (param_is(p, "flash", "key_reset"))
		page_notice(p, "Your API access key was reset.");
	else if (param_is(p, "flash", "password"))
		page_notice(p, "Password was successfully updated.");
	page_printf(p, "<section aria-labelledby=\"info\">\n"
		       "<h2 id=\"info\">Information</h2>\n<dl>\n");
	detail(p, "Login", u->login);
	detail(p, "First name", u->firstname);
	detail(p, "Last name", u->lastname);
	detail(p, "Email", u->mail);
	detail(p, "Administrator", u->admin ? "Yes" : "No");
	page_printf(p, "<dt>Registered on</dt><dd>");
	page_time(p, u->created_on);
	page_printf(p, "</dd>\n<dt>Last sign-in</dt><dd>");
	if (u->last_login_on[0] != '\0')
		page_time(p, u->last_login_on);
	else
		page_printf(p, "Never");
	page_printf(p, "</dd>\n</dl>\n"
		       "<p><a href=\"/my/password\">Change password</a></p>\n"
		       "</section>\n");
	/* Redmine shows the section only while the REST API is on. */
	if (p->app->settings.rest_api_enabled &&
	    key_section(p, param_is(p, "show_key", "1")) != 0) {
		resp_header(p->resp, "Retry-After", "5");
		page_error(p, 503, "Service unavailable",
		    "The database cannot be reached right now. Try again in a "
		    "few seconds.");
		return;
	}
	page_end(p, 200);
}

void
page_api_key_post(struct page *p)
{
	char key[LK_KEY_LEN + 1];
	enum lk_err err;

	if (page_form(p) != 0 || !page_csrf_ok(p))
		return;
	/* Allowed with the REST API off too: revoking a leaked key must not
	 * wait for it to come back on. */
	err = lk_pgstore_key_set(
	    &p->app->pgstore, &p->app->keys, p->user.id, NULL, key);
	lk_wipe(key, sizeof(key));
	if (err != LK_OK) {
		db_check(p->app);
		resp_header(p->resp, "Retry-After", "5");
		page_error(p, 503, "Service unavailable",
		    "The key could not be reset. Try again in a few seconds.");
		return;
	}
	log_event(LK_LOG_INFO, "api_key_reset", "login", p->user.login, "via",
	    "form", "addr", p->req->remote_addr, (char *)NULL);
	page_redirect(p, "/my/account?flash=key_reset#api-key");
}
