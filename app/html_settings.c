/*
 * html_settings.c: /settings, the administrators' switches of SPEC
 * section 6. Saving writes the settings table and nothing else: its
 * trigger NOTIFYs every worker, which applies the change before the next
 * request it serves (SPEC section 1).
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "page.h"

struct switch_row {
	const char *name; /* in the settings table, and the form field */
	const char *label;
	const char *hint;
};

static const struct switch_row switches[] = {
	{ "rest_api_enabled", "Enable REST web service",
	    "Lets clients use the API with an API key or a password." },
	{ "login_required", "Authentication required",
	    "Anonymous visitors see nothing; every request must sign in." },
};
#define NSWITCHES (sizeof(switches) / sizeof(switches[0]))

/* Read the switches from the table (not this worker's copy, which a
 * change made a moment ago may not have reached yet): 0 or -1. */
static int
read_switches(struct page *p, bool on[NSWITCHES])
{
	PGresult *res = db_query(p->app,
	    "SELECT name, value FROM settings "
	    "WHERE name IN ('rest_api_enabled', 'login_required')",
	    0, NULL);
	size_t i;
	int r;

	if (res == NULL)
		return -1;
	for (i = 0; i < NSWITCHES; i++)
		on[i] = false;
	/* db.c's reading of a value, exactly: "1" or "true" is on. */
	for (r = 0; r < PQntuples(res); r++) {
		const char *name = PQgetvalue(res, r, 0);
		const char *v = PQgetvalue(res, r, 1);

		for (i = 0; i < NSWITCHES; i++)
			if (strcmp(name, switches[i].name) == 0)
				on[i] = strcmp(v, "1") == 0 ||
					strcmp(v, "true") == 0;
	}
	PQclear(res);
	return 0;
}

void
page_settings_get(struct page *p)
{
	const char *names[2] = { "flash", NULL };
	bool on[NSWITCHES];
	char flash[16];
	size_t i, len;

	if (read_switches(p, on) != 0) {
		db_check(p->app);
		resp_header(p->resp, "Retry-After", "5");
		page_error(p, 503, "Service unavailable",
		    "The database cannot be reached right now. Try again in a "
		    "few seconds.");
		return;
	}
	page_begin(p, "Settings");
	if (lk_query_get(p->req->query, p->req->query_len, names, flash,
		sizeof(flash), &len) == LK_QUERY_FOUND &&
	    strcmp(flash, "saved") == 0)
		page_notice(p, "Successful update. The running workers apply "
			       "it before the next request each of them "
			       "serves.");
	page_printf(p, "<form method=\"post\" action=\"/settings\">");
	page_csrf_field(p);
	page_printf(p, "<fieldset>\n<legend>API and access</legend>\n");
	for (i = 0; i < NSWITCHES; i++)
		page_printf(p,
		    "<label class=\"check\" for=\"%s\"><input "
		    "type=\"checkbox\" id=\"%s\" name=\"%s\" value=\"1\"%s "
		    "aria-describedby=\"%s-hint\"> %s</label>\n"
		    "<p class=\"hint\" id=\"%s-hint\">%s</p>\n",
		    switches[i].name, switches[i].name, switches[i].name,
		    on[i] ? " checked" : "", switches[i].name,
		    switches[i].label, switches[i].name, switches[i].hint);
	page_printf(p, "</fieldset>\n"
		       "<div><button type=\"submit\">Save</button></div>\n"
		       "</form>\n"
		       "<p class=\"hint\">Saving writes the settings table; "
		       "the running workers apply the change by themselves, "
		       "within moments, with no restart.</p>\n");
	page_end(p, 200);
}

void
page_settings_post(struct page *p)
{
	char v[8], values[NSWITCHES][2];
	const char *params[2 * NSWITCHES];
	size_t i, len;
	int got;

	if (page_form(p) != 0 || !page_csrf_ok(p))
		return;
	/* A checkbox is sent when ticked and left out when not. */
	for (i = 0; i < NSWITCHES; i++) {
		if ((got = page_field(
			 p, switches[i].name, v, sizeof(v), &len)) < 0) {
			page_error(p, 400, "Bad request",
			    "The form could not be read. Nothing was "
			    "changed.");
			return;
		}
		snprintf(values[i], sizeof(values[i]), "%d", got == 1);
		params[2 * i] = switches[i].name;
		params[2 * i + 1] = values[i];
	}
	/* One statement: both switches change together or not at all. The
	 * trigger fires once for it and tells every worker. */
	_Static_assert(NSWITCHES == 2, "the statement names two switches");
	if (db_command(p->app,
		"INSERT INTO settings (name, value) VALUES ($1, $2), ($3, $4) "
		"ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, "
		"updated_on = now() "
		"WHERE settings.value IS DISTINCT FROM EXCLUDED.value",
		4, params) < 0) {
		resp_header(p->resp, "Retry-After", "5");
		page_error(p, 503, "Service unavailable",
		    "The settings could not be saved. Try again in a few "
		    "seconds.");
		return;
	}
	/* This worker need not wait for its own NOTIFY. */
	p->app->settings_stale = true;
	log_event(LK_LOG_INFO, "settings_saved", "login", p->user.login,
	    "rest_api_enabled", values[0], "login_required", values[1], "addr",
	    p->req->remote_addr, (char *)NULL);
	page_redirect(p, "/settings?flash=saved");
}
