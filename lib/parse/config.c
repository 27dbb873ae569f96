/*
 * config.c: latchkeyd.conf, `key = value` lines.
 *
 * One table row per key says where its value goes and what it may be; the
 * parser itself knows no key by name. A '#' starts a comment only at the
 * start of a line, so values (a libpq conninfo password, say) may hold one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lk_parse.h"

#define CFG_LINE_MAX  4096 /* bytes in a line, without its line ending */
#define CFG_NAME_SHOW 64   /* bytes of an unknown key quoted in an error */

#define KIB 1024ULL
#define MIB (1024ULL * KIB)
#define GIB (1024ULL * MIB)

enum cfg_type {
	CFG_STR,    /* a string; min is its minimum length */
	CFG_LISTEN, /* an absolute socket path, or HOST:PORT */
	CFG_UINT,   /* unsigned, decimal */
	CFG_ULL,    /* unsigned long long, decimal */
	CFG_MODE,   /* unsigned, octal (0660 or 660) */
	CFG_SIZE,   /* unsigned long long bytes, decimal with k/K, M, G */
	CFG_LEVEL,  /* enum lk_log_level, by name */
};

struct cfg_key {
	const char *name; /* equals the struct lk_config field */
	enum cfg_type type;
	size_t off;
	size_t size;
	unsigned long long min, max;
};

/*
 * The offset of field f, plus zero that fails to compile unless the field
 * has type T: a row can then only store into a field of its own type.
 * (Kept from clang-format, which takes "T: 1" for a label and #f for a
 * directive.)
 */
/* clang-format off */
#define CFG_OFF(f, T)							\
	(offsetof(struct lk_config, f) +				\
	    0 * sizeof(char[_Generic(((struct lk_config *)0)->f,	\
		T: 1, default: -1)]))
#define CFG_SIZEOF(f) sizeof(((struct lk_config *)0)->f)

#define ROW_STR(f, min)							\
	{ #f, CFG_STR, CFG_OFF(f, char *), CFG_SIZEOF(f), min, 0 }
#define ROW_NUM(f, type, T, min, max)					\
	{ #f, type, CFG_OFF(f, T), CFG_SIZEOF(f), min, max }
/* clang-format on */

static const struct cfg_key cfg_keys[] = {
	{ "listen", CFG_LISTEN, CFG_OFF(listen, char *), CFG_SIZEOF(listen), 1,
	    0 },
	ROW_NUM(socket_mode, CFG_MODE, unsigned, 0, 0777),
	ROW_STR(socket_group, 0),
	ROW_STR(user, 0),
	ROW_NUM(workers, CFG_UINT, unsigned, 1, 256),
	ROW_NUM(max_requests, CFG_UINT, unsigned, 0, 1000000000),
	ROW_STR(database, 0),
	ROW_STR(secret_file, 1),
	ROW_STR(pid_file, 0),
	ROW_NUM(log_level, CFG_LEVEL, enum lk_log_level, 0, 0),
	ROW_NUM(
	    password_opslimit, CFG_ULL, unsigned long long, 1, LK_ARGON2_MAX_T),
	ROW_NUM(password_memlimit, CFG_SIZE, unsigned long long, 8 * KIB,
	    LK_ARGON2_MAX_KIB *KIB),
	ROW_NUM(password_concurrency, CFG_UINT, unsigned, 1, 256),
	ROW_NUM(throttle_failures, CFG_UINT, unsigned, 0, 1000000),
	ROW_NUM(throttle_window, CFG_UINT, unsigned, 1, 86400),
	ROW_NUM(max_body, CFG_SIZE, unsigned long long, 1 * KIB, 64 * MIB),
	ROW_NUM(graceful_timeout, CFG_UINT, unsigned, 1, 3600),
	ROW_NUM(session_lifetime, CFG_UINT, unsigned, 60, 31536000),
	ROW_NUM(cache_ttl, CFG_UINT, unsigned, 0, 3600),
};

/* Indexed by enum lk_log_level. */
static const char *const cfg_levels[] = { "error", "warn", "info", "debug" };

static const struct lk_config cfg_defaults = {
	.listen = "/run/latchkey/latchkeyd.sock",
	.socket_mode = 0660,
	.socket_group = "",
	.user = "",
	.workers = 4,
	.max_requests = 10000,
	.database = "dbname=latchkey",
	.secret_file = "/etc/latchkey/secret",
	.pid_file = "",
	.log_level = LK_LOG_INFO,
	.password_opslimit = 2,
	.password_memlimit = 19 * MIB,
	.password_concurrency = 2,
	.throttle_failures = 10,
	.throttle_window = 300,
	.max_body = 1 * MIB,
	.graceful_timeout = 30,
	.session_lifetime = 86400,
	.cache_ttl = 60,
};

void
lk_config_defaults(struct lk_config *cfg)
{
	*cfg = cfg_defaults;
}

static bool
cfg_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Write "FILE:LINE: reason" into err, which may be NULL. */
__attribute__((format(printf, 5, 6))) static enum lk_err
cfg_error(char *err, size_t errsz, const char *file, size_t line,
    const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err == NULL || errsz == 0)
		return LK_EINVAL;
	n = snprintf(err, errsz, "%s:%zu: ", file, line);
	if (n >= 0 && (size_t)n < errsz) {
		va_start(ap, fmt);
		(void)vsnprintf(err + n, errsz - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return LK_EINVAL;
}

/*
 * Copy a key from the file into buf for an error message: control and
 * non-ASCII bytes become '?', so a binary file cannot garble a log line.
 */
static const char *
cfg_show(char *buf, size_t bufsz, const char *s, size_t len)
{
	size_t i, n = len < bufsz - 4 ? len : bufsz - 4;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (n < len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/* Parse a decimal (base 10) or octal (base 8) number, digits only. */
static bool
cfg_number(const char *s, size_t len, unsigned base, unsigned long long *v)
{
	unsigned long long n = 0;
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		unsigned d = (unsigned)(unsigned char)s[i] - '0';

		if (d >= base || n > (~0ULL - d) / base)
			return false;
		n = n * base + d;
	}
	*v = n;
	return true;
}

/* A byte count with an optional binary suffix: k or K, M, G. */
static bool
cfg_size(const char *s, size_t len, unsigned long long *v)
{
	unsigned long long mult = 1, n;

	if (len > 0) {
		switch (s[len - 1]) {
		case 'k':
		case 'K':
			mult = KIB;
			break;
		case 'M':
			mult = MIB;
			break;
		case 'G':
			mult = GIB;
			break;
		}
		if (mult != 1)
			len--;
	}
	if (!cfg_number(s, len, 10, &n) || n > ~0ULL / mult)
		return false;
	*v = n * mult;
	return true;
}

/* Format a size for an error message, with the largest exact suffix. */
static const char *
cfg_fmtsize(char *buf, size_t bufsz, unsigned long long v)
{
	if (v != 0 && v % GIB == 0)
		snprintf(buf, bufsz, "%lluG", v / GIB);
	else if (v != 0 && v % MIB == 0)
		snprintf(buf, bufsz, "%lluM", v / MIB);
	else if (v != 0 && v % KIB == 0)
		snprintf(buf, bufsz, "%lluK", v / KIB);
	else
		snprintf(buf, bufsz, "%llu", v);
	return buf;
}

/* An absolute unix socket path, or HOST:PORT with a port 1..65535. */
static bool
cfg_listen(const char *v, size_t len)
{
	const char *colon = NULL;
	unsigned long long port;
	size_t i;

	if (len > 0 && v[0] == '/')
		return true;
	for (i = 0; i < len; i++)
		if (v[i] == ':')
			colon = v + i;
	if (colon == NULL || colon == v)
		return false;
	return cfg_number(
		   colon + 1, len - (size_t)(colon + 1 - v), 10, &port) &&
	       port >= 1 && port <= 65535;
}

/* Store the value v[0..len) of key k into cfg. */
static enum lk_err
cfg_set(struct lk_config *cfg, const struct cfg_key *k, const char *v,
    size_t len, const char *file, size_t line, char *err, size_t errsz)
{
	char *field = (char *)cfg + k->off;
	char lo[32], hi[32];
	unsigned long long n = 0;
	size_t i;

	switch (k->type) {
	case CFG_LISTEN:
	case CFG_STR:
		if (memchr(v, '\0', len) != NULL)
			return cfg_error(err, errsz, file, line,
			    "%s: must not contain a NUL byte", k->name);
		if (len < k->min)
			return cfg_error(err, errsz, file, line,
			    "%s: must not be empty", k->name);
		if (len >= k->size)
			return cfg_error(err, errsz, file, line,
			    "%s: value too long (at most %zu bytes)", k->name,
			    k->size - 1);
		if (k->type == CFG_LISTEN && !cfg_listen(v, len))
			return cfg_error(err, errsz, file, line,
			    "%s: must be an absolute socket path or HOST:PORT "
			    "(e.g. 127.0.0.1:9000)",
			    k->name);
		memcpy(field, v, len);
		field[len] = '\0';
		return LK_OK;
	case CFG_UINT:
	case CFG_ULL:
		if (!cfg_number(v, len, 10, &n) || n < k->min || n > k->max)
			return cfg_error(err, errsz, file, line,
			    "%s: must be a number from %llu to %llu", k->name,
			    k->min, k->max);
		break;
	case CFG_MODE:
		if (!cfg_number(v, len, 8, &n) || n < k->min || n > k->max)
			return cfg_error(err, errsz, file, line,
			    "%s: must be an octal mode from %llo to 0%llo",
			    k->name, k->min, k->max);
		break;
	case CFG_SIZE:
		if (!cfg_size(v, len, &n) || n < k->min || n > k->max)
			return cfg_error(err, errsz, file, line,
			    "%s: must be a size from %s to %s "
			    "(bytes, or with a suffix k, M or G)",
			    k->name, cfg_fmtsize(lo, sizeof(lo), k->min),
			    cfg_fmtsize(hi, sizeof(hi), k->max));
		break;
	case CFG_LEVEL:
		for (i = 0; i < sizeof(cfg_levels) / sizeof(cfg_levels[0]); i++)
			if (strlen(cfg_levels[i]) == len &&
			    memcmp(cfg_levels[i], v, len) == 0) {
				*(enum lk_log_level *)(void *)field =
				    (enum lk_log_level)i;
				return LK_OK;
			}
		return cfg_error(err, errsz, file, line,
		    "%s: must be one of error, warn, info, debug", k->name);
	}

	/* CFG_OFF checked at compile time that these casts are right. */
	if (k->type == CFG_ULL || k->type == CFG_SIZE)
		*(unsigned long long *)(void *)field = n;
	else
		*(unsigned *)(void *)field = (unsigned)n;
	return LK_OK;
}

/* Parse one line, without its line ending. */
static enum lk_err
cfg_line(struct lk_config *cfg, const char *s, size_t len, const char *file,
    size_t line, char *err, size_t errsz)
{
	const char *end = s + len, *key, *v;
	char show[CFG_NAME_SHOW + 4];
	size_t keylen, vlen, i;

	while (s < end && cfg_space(*s))
		s++;
	if (s == end || *s == '#')
		return LK_OK;

	key = s;
	while (s < end && !cfg_space(*s) && *s != '=')
		s++;
	keylen = (size_t)(s - key);
	while (s < end && cfg_space(*s))
		s++;
	if (keylen == 0)
		return cfg_error(err, errsz, file, line, "empty key");
	if (s == end || *s != '=')
		return cfg_error(err, errsz, file, line,
		    "missing '=' after key '%s'",
		    cfg_show(show, sizeof(show), key, keylen));
	s++;

	for (i = 0; i < sizeof(cfg_keys) / sizeof(cfg_keys[0]); i++)
		if (strlen(cfg_keys[i].name) == keylen &&
		    memcmp(cfg_keys[i].name, key, keylen) == 0)
			break;
	if (i == sizeof(cfg_keys) / sizeof(cfg_keys[0]))
		return cfg_error(err, errsz, file, line, "unknown key '%s'",
		    cfg_show(show, sizeof(show), key, keylen));

	while (s < end && cfg_space(*s))
		s++;
	while (end > s && cfg_space(end[-1]))
		end--;
	v = s;
	vlen = (size_t)(end - s);
	/* Quotes keep surrounding spaces; inside, everything is verbatim. */
	if (vlen > 0 && v[0] == '"') {
		if (vlen < 2 || v[vlen - 1] != '"')
			return cfg_error(err, errsz, file, line,
			    "%s: unterminated quoted value", cfg_keys[i].name);
		v++;
		vlen -= 2;
	}
	return cfg_set(cfg, &cfg_keys[i], v, vlen, file, line, err, errsz);
}

enum lk_err
lk_config_parse(struct lk_config *cfg, const char *buf, size_t len,
    const char *file, char *err, size_t errsz)
{
	const char *p = buf, *end, *nl;
	size_t line, n;
	enum lk_err rc;

	if (file == NULL)
		file = "(config)";
	if (err != NULL && errsz > 0)
		err[0] = '\0';
	if (buf == NULL)
		return len == 0 ? LK_OK : LK_EINVAL;

	end = buf + len;
	for (line = 1; p < end; line++, p = nl < end ? nl + 1 : end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--; /* CRLF */
		if (n > CFG_LINE_MAX)
			return cfg_error(err, errsz, file, line,
			    "line longer than %d bytes", CFG_LINE_MAX);
		if ((rc = cfg_line(cfg, p, n, file, line, err, errsz)) != LK_OK)
			return rc;
	}
	return LK_OK;
}
