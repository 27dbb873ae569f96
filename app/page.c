/*
 * page.c: HTML rendering and form reading for the pages (page.h).
 *
 * The pages are small, server-rendered HTML5 with an inline stylesheet and
 * no script at all: the Content-Security-Policy sent with every page
 * allows inline styles and nothing else, so even an escaping mistake could
 * not run a script. Escaping is still the rule: page_esc is the only way
 * a dynamic string gets into a page.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "page.h"

/* Small, readable, and fine without it; colours pass WCAG AA contrast. */
static const char stylesheet[] =
    "*{box-sizing:border-box}"
    "body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',"
    "Roboto,'Helvetica Neue',Arial,sans-serif;color:#1f2328;"
    "background:#f6f8fa}"
    ".wrap{max-width:46rem;margin:0 auto;padding:0 1rem}"
    ".skip{position:absolute;left:-999px;top:0;background:#fff;"
    "padding:.5rem 1rem}"
    ".skip:focus{left:1rem;z-index:1}"
    "header.site{background:#24292f;color:#fff}"
    "header.site .wrap{display:flex;flex-wrap:wrap;align-items:center;"
    "justify-content:space-between;gap:.5rem;padding-top:.6rem;"
    "padding-bottom:.6rem}"
    ".brand{color:#fff;font-weight:700;text-decoration:none;"
    "font-size:1.15rem}"
    "header.site ul{list-style:none;display:flex;flex-wrap:wrap;"
    "align-items:center;gap:1rem;margin:0;padding:0}"
    "header.site a,header.site button.link{color:#fff}"
    "header.site a[aria-current]{font-weight:700}"
    "main.wrap{background:#fff;border:1px solid #d0d7de;border-radius:6px;"
    "margin:1.5rem auto;padding:1rem 1.5rem 1.5rem}"
    "h1{font-size:1.6rem;margin:.5rem 0 1rem}"
    "h2{font-size:1.2rem;margin:1.5rem 0 .5rem;padding-bottom:.3rem;"
    "border-bottom:1px solid #d0d7de}"
    "a{color:#0550ae}"
    "dl{display:grid;grid-template-columns:max-content 1fr;"
    "gap:.3rem 1rem;margin:0}"
    "dt{font-weight:600}dd{margin:0}"
    "form.inline{display:inline;margin:0}"
    "label{display:block;font-weight:600;margin:.8rem 0 .2rem}"
    "label.check{display:flex;gap:.5rem;align-items:center;"
    "font-weight:400}"
    "input[type=text],input[type=password]{width:100%;max-width:22rem;"
    "font:inherit;padding:.4rem .5rem;border:1px solid #8c959f;"
    "border-radius:4px}"
    "input[type=checkbox]{width:1.1rem;height:1.1rem}"
    "button{font:inherit;padding:.4rem 1rem;border-radius:4px;"
    "border:1px solid #1f6feb;background:#1f6feb;color:#fff;"
    "cursor:pointer;margin-top:1rem}"
    "button.secondary{background:#fff;color:#cf222e;border-color:#cf222e}"
    "button.link{background:none;border:0;padding:0;margin:0;"
    "text-decoration:underline}"
    ":focus-visible{outline:3px solid #fb8f44;outline-offset:2px}"
    ".flash{padding:.6rem 1rem;border-radius:4px;border:1px solid}"
    ".notice{background:#dafbe1;border-color:#4ac26b}"
    ".error{background:#ffebe9;border-color:#ff8182}"
    ".key{display:inline-block;font:1rem/1.4 ui-monospace,Menlo,"
    "Consolas,monospace;background:#f6f8fa;border:1px solid #d0d7de;"
    "border-radius:4px;padding:.3rem .5rem;word-break:break-all}"
    ".hint{color:#57606a;font-size:.9rem}"
    "footer.wrap{color:#57606a;font-size:.85rem;text-align:center;"
    "margin-bottom:2rem}";

void
page_esc(struct buf *b, const char *s)
{
	const char *run = s;

	if (s == NULL)
		return;
	for (; *s != '\0'; s++) {
		const char *ent;

		switch (*s) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		default:
			continue;
		}
		buf_append(b, run, (size_t)(s - run));
		buf_puts(b, ent);
		run = s + 1;
	}
	buf_append(b, run, (size_t)(s - run));
}

void
page_printf(struct page *p, const char *fmt, ...)
{
	struct buf *b = &p->resp->body;
	const char *run = fmt;
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%')
			continue;
		buf_append(b, run, (size_t)(fmt - run));
		fmt++;
		if (*fmt == 's')
			page_esc(b, va_arg(ap, const char *));
		else if (*fmt == '%')
			buf_puts(b, "%");
		else
			abort(); /* a programming error, caught by any test */
		run = fmt + 1;
	}
	buf_append(b, run, (size_t)(fmt - run));
	va_end(ap);
}

/* A link of the site header; aria-current on the page we are on. */
static void
nav_link(struct page *p, const char *path, const char *label)
{
	if (strcmp(p->req->path, path) == 0)
		page_printf(p,
		    "<li><a href=\"%s\" aria-current=\"page\">%s</a></li>",
		    path, label);
	else
		page_printf(p, "<li><a href=\"%s\">%s</a></li>", path, label);
}

void
page_begin(struct page *p, const char *title)
{
	buf_reset(&p->resp->body);
	page_printf(p,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<title>%s - latchkey</title>\n<style>",
	    title);
	/* A constant of ours, and CSS is not HTML: not escaped. */
	buf_puts(&p->resp->body, stylesheet);
	page_printf(p, "</style>\n</head>\n"
		       "<body>\n<a class=\"skip\" href=\"#main\">Skip to main "
		       "content</a>\n"
		       "<header class=\"site\"><div class=\"wrap\">"
		       "<a class=\"brand\" href=\"/\">latchkey</a>\n"
		       "<nav aria-label=\"Account\"><ul>");
	if (p->user.id != 0) {
		page_printf(p, "<li>Signed in as <strong>%s</strong></li>",
		    p->user.login);
		if (!p->user.must_change) {
			nav_link(p, "/my/account", "My account");
			if (p->user.admin)
				nav_link(p, "/settings", "Settings");
		}
		page_printf(p, "<li><form class=\"inline\" method=\"post\" "
			       "action=\"/logout\">");
		page_csrf_field(p);
		page_printf(p, "<button type=\"submit\" class=\"link\">Sign "
			       "out</button></form></li>");
	} else if (strcmp(p->req->path, "/login") != 0) {
		nav_link(p, "/login", "Sign in");
	}
	page_printf(p,
	    "</ul></nav></div></header>\n"
	    "<main id=\"main\" class=\"wrap\" tabindex=\"-1\">\n"
	    "<h1>%s</h1>\n",
	    title);
}

void
page_notice(struct page *p, const char *msg)
{
	page_printf(
	    p, "<p class=\"flash notice\" role=\"status\">%s</p>\n", msg);
}

void
page_alert(struct page *p, const char *msg)
{
	page_printf(p, "<p class=\"flash error\" role=\"alert\">%s</p>\n", msg);
}

void
page_csrf_field(struct page *p)
{
	page_printf(p, "<input type=\"hidden\" name=\"%s\" value=\"%s\">",
	    CSRF_FIELD, p->csrf);
}

static void
security_headers(struct response *resp)
{
	resp_header(resp, "X-Frame-Options", "DENY");
	resp_header(resp, "Content-Security-Policy",
	    "default-src 'none'; style-src 'unsafe-inline'; "
	    "form-action 'self'; frame-ancestors 'none'");
	resp_header(resp, "Referrer-Policy", "same-origin");
	resp_header(resp, "X-Content-Type-Options", "nosniff");
}

void
page_end(struct page *p, int status)
{
	page_printf(p, "</main>\n<footer class=\"wrap\">latchkey: a "
		       "Redmine-compatible REST API</footer>\n"
		       "</body>\n</html>\n");
	p->resp->status = status;
	p->resp->content_type = "text/html; charset=utf-8";
	security_headers(p->resp);
}

void
page_error(struct page *p, int status, const char *title, const char *msg)
{
	page_begin(p, title);
	page_printf(p, "<p>%s</p>\n", msg);
	page_end(p, status);
}

void
page_redirect(struct page *p, const char *location)
{
	resp_status(p->resp, 303);
	resp_header(p->resp, "Location", location);
	security_headers(p->resp);
}

void
page_time(struct page *p, const char *iso)
{
	/* 2026-01-02T03:04:05Z: the shape iso8601() in the schema makes. */
	if (strlen(iso) == 20 && iso[10] == 'T' && iso[19] == 'Z') {
		char date[11], hm[6];

		memcpy(date, iso, 10);
		date[10] = '\0';
		memcpy(hm, iso + 11, 5);
		hm[5] = '\0';
		page_printf(
		    p, "<time datetime=\"%s\">%s %s UTC</time>", iso, date, hm);
	} else {
		page_printf(p, "%s", iso);
	}
}

int
page_form(struct page *p)
{
	const char *ct = p->req->content_type;
	static const char urlencoded[] = "application/x-www-form-urlencoded";
	size_t n = sizeof(urlencoded) - 1;

	if (p->req->body_too_large || p->req->body_len > PAGE_FORM_MAX) {
		page_error(p, 413, "Form too large",
		    "The form sent is larger than this site accepts.");
		return -1;
	}
	if (ct == NULL || strncasecmp(ct, urlencoded, n) != 0 ||
	    (ct[n] != '\0' && ct[n] != ';' && ct[n] != ' ')) {
		page_error(p, 415, "Unsupported form",
		    "Forms must be sent as application/x-www-form-urlencoded.");
		return -1;
	}
	return 0;
}

int
page_field(
    const struct page *p, const char *name, char *v, size_t size, size_t *len)
{
	const char *names[2] = { name, NULL };
	const char *body = p->req->body != NULL ? p->req->body : "";

	switch (lk_query_get(body, p->req->body != NULL ? p->req->body_len : 0,
	    names, v, size, len)) {
	case LK_QUERY_ABSENT:
		return 0;
	case LK_QUERY_FOUND:
		return lk_utf8_valid(v, *len) ? 1 : -1;
	default:
		return -1;
	}
}

bool
page_csrf_ok(struct page *p)
{
	char got[CSRF_TOKEN_LEN + 2];
	size_t len = 0;
	bool good;

	good = page_field(p, CSRF_FIELD, got, sizeof(got), &len) == 1 &&
	       csrf_check(p->csrf, got, len);
	lk_wipe(got, sizeof(got));
	if (good)
		return true;
	/* Never the token itself in the log: what was sent may be real. */
	log_event(LK_LOG_WARN, "csrf_failure", "path", p->req->path, "login",
	    p->user.id != 0 ? p->user.login : NULL, "addr", p->req->remote_addr,
	    (char *)NULL);
	page_error(p, 403, "Form refused",
	    "This form was not accepted: it was not sent from a page of this "
	    "site, or it has expired. Nothing was changed. Go back, reload the "
	    "page and try again (cookies must be enabled).");
	return false;
}
