/*
 * log.c: see log.h. Lines look like
 *   2026-01-02T03:04:05Z latchkeyd[123]: level=warn event=auth_failure
 *   reason="wrong password" login="alice" addr=127.0.0.1
 * (one line), which fail2ban matches with deploy/fail2ban/latchkey.conf.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"

static enum lk_log_level threshold = LK_LOG_INFO;
static const char *tag = "latchkeyd";

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void
log_set_level(enum lk_log_level level)
{
	threshold = level;
}

void
log_set_tag(const char *t)
{
	tag = t;
}

/* Bare if it is a simple token, else quoted with \" \\ and \xNN escapes. */
static void
put_value(struct buf *b, const char *v)
{
	const unsigned char *p;
	bool bare = *v != '\0';

	for (p = (const unsigned char *)v; *p && bare; p++)
		bare = (*p > 0x20 && *p < 0x7f && *p != '"' && *p != '=' &&
			*p != '\\');
	if (bare) {
		buf_puts(b, v);
		return;
	}
	buf_puts(b, "\"");
	for (p = (const unsigned char *)v; *p && b->len < 2048; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			buf_printf(b, "\\x%02x", *p);
		else
			buf_append(b, p, 1);
	}
	buf_puts(b, "\"");
}

void
log_event(enum lk_log_level level, const char *event, ...)
{
	struct buf b = { 0 };
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	const char *k, *v;
	va_list ap;

	if (level > threshold)
		return;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_printf(&b, "%s %s[%ld]: level=%s event=", ts, tag, (long)getpid(),
	    level_names[level]);
	put_value(&b, event);
	va_start(ap, event);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (v == NULL)
			continue;
		buf_printf(&b, " %s=", k);
		put_value(&b, v);
	}
	va_end(ap);
	buf_puts(&b, "\n");
	/* One write per line, so lines of several processes do not mix. */
	(void)!write(STDERR_FILENO, b.data, b.len);
	buf_free(&b);
}
