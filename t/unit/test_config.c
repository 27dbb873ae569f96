/*
 * test_config.c: lk_config_defaults and lk_config_parse.
 */
#include <stdio.h>
#include <string.h>

#include "lk_parse.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1

/* A row's text for a TAP line: one line, printable, not too long. */
static const char *
shown(const char *s, size_t len)
{
	static char buf[64];
	size_t i;

	for (i = 0; i < len && i < sizeof(buf) - 1; i++)
		buf[i] =
		    (unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f
			? '?'
			: s[i];
	buf[i] = '\0';
	return buf;
}

static void
test_defaults(void)
{
	struct lk_config c;

	memset(&c, 0x5a, sizeof(c));
	lk_config_defaults(&c);
	is_str(c.listen, "/run/latchkey/latchkeyd.sock", "default listen");
	is_int(c.socket_mode, 0660, "default socket_mode");
	is_str(c.socket_group, "", "default socket_group");
	is_str(c.user, "", "default user");
	is_int(c.workers, 4, "default workers");
	is_int(c.max_requests, 10000, "default max_requests");
	is_str(c.database, "dbname=latchkey", "default database");
	is_str(c.secret_file, "/etc/latchkey/secret", "default secret_file");
	is_str(c.pid_file, "", "default pid_file");
	is_int(c.log_level, LK_LOG_INFO, "default log_level");
	is_int(c.password_opslimit, 2, "default password_opslimit");
	is_int(c.password_memlimit, 19922944, "default password_memlimit");
	is_int(c.password_concurrency, 2, "default password_concurrency");
	is_int(c.throttle_failures, 10, "default throttle_failures");
	is_int(c.throttle_window, 300, "default throttle_window");
	is_int(c.max_body, 1048576, "default max_body");
	is_int(c.graceful_timeout, 30, "default graceful_timeout");
	is_int(c.session_lifetime, 86400, "default session_lifetime");
	is_int(c.cache_ttl, 60, "default cache_ttl");
}

/*
 * One row per accepted value: the text, the field it lands in (by name,
 * see field()) and what the field then holds.
 */
static const struct {
	const char *text;
	size_t len;
	const char *field;
	long long num;   /* numeric fields */
	const char *str; /* string fields */
} good_rows[] = {
	{ S("listen = /tmp/x.sock"), "listen", 0, "/tmp/x.sock" },
	{ S("listen = 127.0.0.1:9000"), "listen", 0, "127.0.0.1:9000" },
	{ S("listen=/a"), "listen", 0, "/a" },
	{ S("listen\t=\t/a\t"), "listen", 0, "/a" },
	{ S("   listen   =   /a   "), "listen", 0, "/a" },
	{ S("\tlisten = /a"), "listen", 0, "/a" },
	{ S("listen = /a b"), "listen", 0, "/a b" },
	{ S("pid_file = \" /a b \""), "pid_file", 0, " /a b " },
	{ S("listen = \"/a b \""), "listen", 0, "/a b " },
	{ S("listen = \"/a\"b\""), "listen", 0, "/a\"b" },
	{ S("listen = /a\r\n"), "listen", 0, "/a" },
	{ S("listen = /a\n"), "listen", 0, "/a" },
	{ S("listen = /a#b"), "listen", 0, "/a#b" },
	{ S("listen = /a # not a comment"), "listen", 0, "/a # not a comment" },
	{ S("socket_mode = 0660"), "socket_mode", 0660, NULL },
	{ S("socket_mode = 660"), "socket_mode", 0660, NULL },
	{ S("socket_mode = 0"), "socket_mode", 0, NULL },
	{ S("socket_mode = 0777"), "socket_mode", 0777, NULL },
	{ S("socket_mode = 00600"), "socket_mode", 0600, NULL },
	{ S("socket_mode = \"0600\""), "socket_mode", 0600, NULL },
	{ S("socket_group = www-data"), "socket_group", 0, "www-data" },
	{ S("socket_group ="), "socket_group", 0, "" },
	{ S("socket_group = \"\""), "socket_group", 0, "" },
	{ S("user = latchkey"), "user", 0, "latchkey" },
	{ S("workers = 1"), "workers", 1, NULL },
	{ S("workers = 256"), "workers", 256, NULL },
	{ S("workers = 0008"), "workers", 8, NULL },
	{ S("max_requests = 0"), "max_requests", 0, NULL },
	{ S("max_requests = 1000000000"), "max_requests", 1000000000, NULL },
	{ S("database = host=db user=lk password=a#b=c dbname=x"), "database",
	    0, "host=db user=lk password=a#b=c dbname=x" },
	{ S("database = \"password='a b' dbname=x\""), "database", 0,
	    "password='a b' dbname=x" },
	{ S("database ="), "database", 0, "" },
	{ S("database = postgresql://u@h/db?sslmode=require"), "database", 0,
	    "postgresql://u@h/db?sslmode=require" },
	{ S("secret_file = /etc/lk/s"), "secret_file", 0, "/etc/lk/s" },
	{ S("pid_file = /run/lk.pid"), "pid_file", 0, "/run/lk.pid" },
	{ S("pid_file ="), "pid_file", 0, "" },
	{ S("log_level = error"), "log_level", LK_LOG_ERROR, NULL },
	{ S("log_level = warn"), "log_level", LK_LOG_WARN, NULL },
	{ S("log_level = info"), "log_level", LK_LOG_INFO, NULL },
	{ S("log_level = debug"), "log_level", LK_LOG_DEBUG, NULL },
	{ S("log_level = \"debug\""), "log_level", LK_LOG_DEBUG, NULL },
	{ S("password_opslimit = 1"), "password_opslimit", 1, NULL },
	{ S("password_opslimit = 100"), "password_opslimit", 100, NULL },
	{ S("password_memlimit = 8192"), "password_memlimit", 8192, NULL },
	{ S("password_memlimit = 8k"), "password_memlimit", 8192, NULL },
	{ S("password_memlimit = 8K"), "password_memlimit", 8192, NULL },
	{ S("password_memlimit = 19M"), "password_memlimit", 19922944, NULL },
	{ S("password_memlimit = 64M"), "password_memlimit", 67108864, NULL },
	{ S("password_memlimit = 1G"), "password_memlimit", 1073741824, NULL },
	{ S("password_memlimit = 1048576K"), "password_memlimit", 1073741824,
	    NULL },
	{ S("password_memlimit = 1073741824"), "password_memlimit", 1073741824,
	    NULL },
	{ S("password_concurrency = 1"), "password_concurrency", 1, NULL },
	{ S("password_concurrency = 256"), "password_concurrency", 256, NULL },
	{ S("throttle_failures = 0"), "throttle_failures", 0, NULL },
	{ S("throttle_failures = 1000000"), "throttle_failures", 1000000,
	    NULL },
	{ S("throttle_window = 1"), "throttle_window", 1, NULL },
	{ S("throttle_window = 86400"), "throttle_window", 86400, NULL },
	{ S("max_body = 1K"), "max_body", 1024, NULL },
	{ S("max_body = 1024"), "max_body", 1024, NULL },
	{ S("max_body = 64M"), "max_body", 67108864, NULL },
	{ S("max_body = 65536k"), "max_body", 67108864, NULL },
	{ S("graceful_timeout = 1"), "graceful_timeout", 1, NULL },
	{ S("graceful_timeout = 3600"), "graceful_timeout", 3600, NULL },
	{ S("session_lifetime = 60"), "session_lifetime", 60, NULL },
	{ S("session_lifetime = 31536000"), "session_lifetime", 31536000,
	    NULL },
	{ S("cache_ttl = 0"), "cache_ttl", 0, NULL },
	{ S("cache_ttl = 3600"), "cache_ttl", 3600, NULL },
};

/* Every field, as N(name) for numbers and T(name) for strings. */
/* (clang-format cannot settle on a layout for this list) */
/* clang-format off */
#define FIELDS								\
	T(listen) N(socket_mode) T(socket_group) T(user) N(workers)	\
	N(max_requests) T(database) T(secret_file) T(pid_file)		\
	N(log_level) N(password_opslimit) N(password_memlimit)		\
	N(password_concurrency) N(throttle_failures) N(throttle_window)	\
	N(max_body) N(graceful_timeout) N(session_lifetime) N(cache_ttl)
/* clang-format on */

/* A field of c by name, as a number or a string. */
static long long
field(const struct lk_config *c, const char *name, const char **str)
{
	*str = NULL;
#define N(f)                                                                   \
	if (strcmp(name, #f) == 0)                                             \
		return (long long)c->f;
#define T(f)                                                                   \
	if (strcmp(name, #f) == 0) {                                           \
		*str = c->f;                                                   \
		return 0;                                                      \
	}
	FIELDS
#undef N
#undef T
	return -1;
}

/* The number of fields other than name where a and b differ. */
static int
differ(const struct lk_config *a, const struct lk_config *b, const char *name)
{
	int n = 0;

#define N(f)                                                                   \
	if (strcmp(name, #f) != 0 && a->f != b->f)                             \
		n++;
#define T(f)                                                                   \
	if (strcmp(name, #f) != 0 && strcmp(a->f, b->f) != 0)                  \
		n++;
	FIELDS
#undef N
#undef T
	return n;
}

static void
test_good(void)
{
	struct lk_config c, d;
	char err[256];
	size_t i;

	lk_config_defaults(&d);
	for (i = 0; i < sizeof(good_rows) / sizeof(good_rows[0]); i++) {
		const char *str, *name;
		long long num;
		enum lk_err rc;

		lk_config_defaults(&c);
		strcpy(err, "untouched");
		rc = lk_config_parse(&c, good_rows[i].text, good_rows[i].len,
		    "t.conf", err, sizeof(err));
		name = shown(good_rows[i].text, good_rows[i].len);
		is_int(rc, LK_OK, "'%s' parses", name);
		is_str(err, "", "'%s' leaves err empty", name);
		num = field(&c, good_rows[i].field, &str);
		if (good_rows[i].str != NULL)
			is_str(str, good_rows[i].str, "'%s' value", name);
		else
			is_int(num, good_rows[i].num, "'%s' value", name);
		is_int(differ(&c, &d, good_rows[i].field), 0,
		    "'%s' changes nothing else", name);
	}
}

static const struct {
	const char *text;
	size_t len;
	const char *err;
} bad_rows[] = {
	{ S("wrokers = 4"), "t.conf:1: unknown key 'wrokers'" },
	{ S("listen = relative.sock"),
	    "t.conf:1: listen: must be an absolute socket path or HOST:PORT "
	    "(e.g. 127.0.0.1:9000)" },
	{ S("listen = 127.0.0.1"),
	    "t.conf:1: listen: must be an absolute socket path or HOST:PORT "
	    "(e.g. 127.0.0.1:9000)" },
	{ S("listen = 127.0.0.1:0"),
	    "t.conf:1: listen: must be an absolute socket path or HOST:PORT "
	    "(e.g. 127.0.0.1:9000)" },
	{ S("listen = 127.0.0.1:65536"),
	    "t.conf:1: listen: must be an absolute socket path or HOST:PORT "
	    "(e.g. 127.0.0.1:9000)" },
	{ S("listen = :9000"),
	    "t.conf:1: listen: must be an absolute socket path or HOST:PORT "
	    "(e.g. 127.0.0.1:9000)" },
	{ S("Workers = 4"), "t.conf:1: unknown key 'Workers'" },
	{ S("workers.x = 4"), "t.conf:1: unknown key 'workers.x'" },
	{ S("# c\n\nwrokers = 4"), "t.conf:3: unknown key 'wrokers'" },
	{ S("k\x01\xff = 4"), "t.conf:1: unknown key 'k?\?'" },
	{ S("wor\0kers = 4"), "t.conf:1: unknown key 'wor?kers'" },
	{ S("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaa = 1"),
	    "t.conf:1: unknown key "
	    "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaa...'" },
	{ S("workers"), "t.conf:1: missing '=' after key 'workers'" },
	{ S("workers 4"), "t.conf:1: missing '=' after key 'workers'" },
	{ S("workers: 4"), "t.conf:1: missing '=' after key 'workers:'" },
	{ S("work ers = 4"), "t.conf:1: missing '=' after key 'work'" },
	{ S("= 4"), "t.conf:1: empty key" },
	{ S("  =4"), "t.conf:1: empty key" },
	{ S("workers = 0"),
	    "t.conf:1: workers: must be a number from 1 to 256" },
	{ S("workers = 257"),
	    "t.conf:1: workers: must be a number from 1 to 256" },
	{ S("workers ="), "t.conf:1: workers: must be a number from 1 to 256" },
	{ S("workers = -1"),
	    "t.conf:1: workers: must be a number from 1 to 256" },
	{ S("workers = +4"),
	    "t.conf:1: workers: must be a number from 1 to 256" },
	{ S("workers = 4x"),
	    "t.conf:1: workers: must be a number from 1 to 256" },
	{ S("workers = 4 4"),
	    "t.conf:1: workers: must be a number from 1 to 256" },
	{ S("workers = 0x4"),
	    "t.conf:1: workers: must be a number from 1 to 256" },
	{ S("workers = 4 # four"),
	    "t.conf:1: workers: must be a number from 1 to 256" },
	{ S("workers = 4294967300"),
	    "t.conf:1: workers: must be a number from 1 to 256" },
	{ S("workers = 99999999999999999999999"),
	    "t.conf:1: workers: must be a number from 1 to 256" },
	{ S("workers = 4\0"),
	    "t.conf:1: workers: must be a number from 1 to 256" },
	{ S("workers = 4K"),
	    "t.conf:1: workers: must be a number from 1 to 256" },
	{ S("max_requests = 1000000001"), "t.conf:1: max_requests: must be a "
					  "number from 0 to 1000000000" },
	{ S("password_opslimit = 0"),
	    "t.conf:1: password_opslimit: must be a number from 1 to 100" },
	{ S("password_opslimit = 101"),
	    "t.conf:1: password_opslimit: must be a number from 1 to 100" },
	{ S("password_concurrency = 0"), "t.conf:1: password_concurrency: must "
					 "be a number from 1 to 256" },
	{ S("throttle_failures = 1000001"), "t.conf:1: throttle_failures: must "
					    "be a number from 0 to 1000000" },
	{ S("throttle_window = 0"),
	    "t.conf:1: throttle_window: must be a number from 1 to 86400" },
	{ S("graceful_timeout = 3601"),
	    "t.conf:1: graceful_timeout: must be a number from 1 to 3600" },
	{ S("session_lifetime = 59"), "t.conf:1: session_lifetime: must be a "
				      "number from 60 to 31536000" },
	{ S("cache_ttl = 3601"),
	    "t.conf:1: cache_ttl: must be a number from 0 to 3600" },
	{ S("socket_mode = 0800"),
	    "t.conf:1: socket_mode: must be an octal mode from 0 to 0777" },
	{ S("socket_mode = 01000"),
	    "t.conf:1: socket_mode: must be an octal mode from 0 to 0777" },
	{ S("socket_mode = 1777"),
	    "t.conf:1: socket_mode: must be an octal mode from 0 to 0777" },
	{ S("socket_mode = rw-rw----"),
	    "t.conf:1: socket_mode: must be an octal mode from 0 to 0777" },
	{ S("socket_mode = 0o660"),
	    "t.conf:1: socket_mode: must be an octal mode from 0 to 0777" },
	{ S("socket_mode ="),
	    "t.conf:1: socket_mode: must be an octal mode from 0 to 0777" },
	{ S("password_memlimit = 8191"),
	    "t.conf:1: password_memlimit: must be a size from 8K to 1G "
	    "(bytes, or with a suffix k, M or G)" },
	{ S("password_memlimit = 7k"),
	    "t.conf:1: password_memlimit: must be a size from 8K to 1G "
	    "(bytes, or with a suffix k, M or G)" },
	{ S("password_memlimit = 1073741825"),
	    "t.conf:1: password_memlimit: must be a size from 8K to 1G "
	    "(bytes, or with a suffix k, M or G)" },
	{ S("password_memlimit = 2G"),
	    "t.conf:1: password_memlimit: must be a size from 8K to 1G "
	    "(bytes, or with a suffix k, M or G)" },
	{ S("password_memlimit = 19m"),
	    "t.conf:1: password_memlimit: must be a size from 8K to 1G "
	    "(bytes, or with a suffix k, M or G)" },
	{ S("password_memlimit = 19 M"),
	    "t.conf:1: password_memlimit: must be a size from 8K to 1G "
	    "(bytes, or with a suffix k, M or G)" },
	{ S("password_memlimit = 19MB"),
	    "t.conf:1: password_memlimit: must be a size from 8K to 1G "
	    "(bytes, or with a suffix k, M or G)" },
	{ S("password_memlimit = 19MiB"),
	    "t.conf:1: password_memlimit: must be a size from 8K to 1G "
	    "(bytes, or with a suffix k, M or G)" },
	{ S("password_memlimit = M"),
	    "t.conf:1: password_memlimit: must be a size from 8K to 1G "
	    "(bytes, or with a suffix k, M or G)" },
	{ S("password_memlimit = 1.5G"),
	    "t.conf:1: password_memlimit: must be a size from 8K to 1G "
	    "(bytes, or with a suffix k, M or G)" },
	{ S("password_memlimit = 18446744073709551615G"),
	    "t.conf:1: password_memlimit: must be a size from 8K to 1G "
	    "(bytes, or with a suffix k, M or G)" },
	{ S("password_memlimit = 18446744073709551616"),
	    "t.conf:1: password_memlimit: must be a size from 8K to 1G "
	    "(bytes, or with a suffix k, M or G)" },
	{ S("password_memlimit = 17179869184G"),
	    "t.conf:1: password_memlimit: must be a size from 8K to 1G "
	    "(bytes, or with a suffix k, M or G)" },
	{ S("max_body = 1023"),
	    "t.conf:1: max_body: must be a size from 1K to 64M "
	    "(bytes, or with a suffix k, M or G)" },
	{ S("max_body = 65M"),
	    "t.conf:1: max_body: must be a size from 1K to 64M "
	    "(bytes, or with a suffix k, M or G)" },
	{ S("log_level = verbose"),
	    "t.conf:1: log_level: must be one of error, warn, info, debug" },
	{ S("log_level = INFO"),
	    "t.conf:1: log_level: must be one of error, warn, info, debug" },
	{ S("log_level = warning"),
	    "t.conf:1: log_level: must be one of error, warn, info, debug" },
	{ S("log_level ="),
	    "t.conf:1: log_level: must be one of error, warn, info, debug" },
	{ S("listen ="), "t.conf:1: listen: must not be empty" },
	{ S("listen = \"\""), "t.conf:1: listen: must not be empty" },
	{ S("secret_file ="), "t.conf:1: secret_file: must not be empty" },
	{ S("listen = /a\0b"),
	    "t.conf:1: listen: must not contain a NUL byte" },
	{ S("listen = \"/a"), "t.conf:1: listen: unterminated quoted value" },
	{ S("listen = \""), "t.conf:1: listen: unterminated quoted value" },
	{ S("listen = \"/a\" # c"),
	    "t.conf:1: listen: unterminated quoted value" },
	{ S("workers = 4\nworkers = 5\nlisten = \"x"),
	    "t.conf:3: listen: unterminated quoted value" },
	{ S("workers = 4\r\n\r\nbad\r\n"),
	    "t.conf:3: missing '=' after key 'bad'" },
	{ S("\n\n\n\n\n\n=x"), "t.conf:7: empty key" },
};

static void
test_bad(void)
{
	struct lk_config c;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		lk_config_defaults(&c);
		is_int(lk_config_parse(&c, bad_rows[i].text, bad_rows[i].len,
			   "t.conf", err, sizeof(err)),
		    LK_EINVAL, "bad #%zu '%s' fails", i,
		    shown(bad_rows[i].text, bad_rows[i].len));
		is_str(err, bad_rows[i].err, "bad #%zu message", i);
	}
}

/* Strings at and over their fields' sizes. */
static void
test_lengths(void)
{
	static char buf[8192];
	struct lk_config c;
	char err[256];
	int n;

	lk_config_defaults(&c);
	n = snprintf(buf, sizeof(buf), "listen = /%0*d", LK_PATH_MAX - 2, 0);
	is_int(lk_config_parse(&c, buf, (size_t)n, "t.conf", err, sizeof(err)),
	    LK_OK, "listen of 255 bytes");
	is_int(strlen(c.listen), LK_PATH_MAX - 1, "... fits");
	n = snprintf(buf, sizeof(buf), "listen = /%0*d", LK_PATH_MAX - 1, 0);
	is_int(lk_config_parse(&c, buf, (size_t)n, "t.conf", err, sizeof(err)),
	    LK_EINVAL, "listen of 256 bytes");
	is_str(err, "t.conf:1: listen: value too long (at most 255 bytes)",
	    "... too long");
	n = snprintf(buf, sizeof(buf), "socket_group = \"%0*d\"", 64, 0);
	is_int(lk_config_parse(&c, buf, (size_t)n, "t.conf", err, sizeof(err)),
	    LK_EINVAL, "quoted socket_group of 64 bytes");
	is_str(err, "t.conf:1: socket_group: value too long (at most 63 bytes)",
	    "... too long");
	n = snprintf(buf, sizeof(buf), "database = %0*d", 1023, 0);
	is_int(lk_config_parse(&c, buf, (size_t)n, "t.conf", err, sizeof(err)),
	    LK_OK, "database of 1023 bytes");
	n = snprintf(buf, sizeof(buf), "database = %0*d", 1024, 0);
	is_int(lk_config_parse(&c, buf, (size_t)n, "t.conf", err, sizeof(err)),
	    LK_EINVAL, "database of 1024 bytes");

	/* Lines of 4096 bytes are fine, 4097 not, CR not counted. */
	n = snprintf(buf, sizeof(buf), "# %0*d", 4096 - 2, 0);
	is_int(lk_config_parse(&c, buf, (size_t)n, "t.conf", err, sizeof(err)),
	    LK_OK, "comment of 4096 bytes");
	n = snprintf(buf, sizeof(buf), "# %0*d\r\n", 4096 - 2, 0);
	is_int(lk_config_parse(&c, buf, (size_t)n, "t.conf", err, sizeof(err)),
	    LK_OK, "comment of 4096 bytes and CRLF");
	n = snprintf(buf, sizeof(buf), "workers = 5\n# %0*d\n", 4096 - 1, 0);
	is_int(lk_config_parse(&c, buf, (size_t)n, "t.conf", err, sizeof(err)),
	    LK_EINVAL, "comment of 4097 bytes");
	is_str(err, "t.conf:2: line longer than 4096 bytes", "... too long");
	n = snprintf(buf, sizeof(buf), "%*s", 4097, "");
	is_int(lk_config_parse(&c, buf, (size_t)n, "t.conf", err, sizeof(err)),
	    LK_EINVAL, "4097 spaces");
	n = snprintf(buf, sizeof(buf), "database = %0*d", 4096 - 11, 0);
	is_int(lk_config_parse(&c, buf, (size_t)n, "t.conf", err, sizeof(err)),
	    LK_EINVAL, "a 4096-byte line with a too long value");
	is_str(err, "t.conf:1: database: value too long (at most 1023 bytes)",
	    "... says the value is too long");
}

static void
test_file(void)
{
	static const char conf[] =
	    "# latchkeyd.conf\n"
	    "\n"
	    "   # indented comment\n"
	    "listen = 127.0.0.1:9000\r\n"
	    "workers=8\n"
	    "\t \n"
	    "database = host=/run/postgresql dbname=lk password=#x\n"
	    "log_level = debug\n"
	    "password_memlimit = 64M\n"
	    "workers = 2\n"
	    "max_body = 2M"; /* no final newline */
	struct lk_config c;
	char err[256];

	lk_config_defaults(&c);
	is_int(lk_config_parse(
		   &c, conf, sizeof(conf) - 1, "lk.conf", err, sizeof(err)),
	    LK_OK, "a whole file parses");
	is_str(c.listen, "127.0.0.1:9000", "... listen");
	is_int(c.workers, 2, "... workers: the last one wins");
	is_str(c.database, "host=/run/postgresql dbname=lk password=#x",
	    "... database keeps its '#'");
	is_int(c.log_level, LK_LOG_DEBUG, "... log_level");
	is_int(c.password_memlimit, 64 << 20, "... password_memlimit");
	is_int(c.max_body, 2 << 20, "... max_body");
	is_int(c.cache_ttl, 60, "... cache_ttl keeps its default");

	is_int(lk_config_parse(&c, "", 0, "lk.conf", err, sizeof(err)), LK_OK,
	    "an empty file");
	is_int(lk_config_parse(&c, NULL, 0, "lk.conf", err, sizeof(err)), LK_OK,
	    "a NULL buffer of length 0");
	is_int(lk_config_parse(&c, "\n\n\r\n", 4, "lk.conf", err, sizeof(err)),
	    LK_OK, "blank lines only");

	/* The example of the brief, and err of all sizes. */
	is_int(lk_config_parse(&c, S("# x\n\nworkers = 300\n"),
		   "latchkeyd.conf", err, sizeof(err)),
	    LK_EINVAL, "workers = 300");
	is_str(err, "latchkeyd.conf:3: workers: must be a number from 1 to 256",
	    "... message");
	is_int(lk_config_parse(&c, S("wrokers = 4"), "latchkeyd.conf", err, 10),
	    LK_EINVAL, "a short err buffer");
	is_str(err, "latchkeyd", "... is truncated and terminated");
	is_int(lk_config_parse(&c, S("wrokers = 4"), "latchkeyd.conf", err, 20),
	    LK_EINVAL, "an err buffer that cuts the reason");
	is_str(err, "latchkeyd.conf:1: u", "... is truncated and terminated");
	is_int(lk_config_parse(&c, S("wrokers = 4"), "latchkeyd.conf", NULL, 0),
	    LK_EINVAL, "no err buffer");
	is_int(lk_config_parse(&c, S("wrokers = 4"), NULL, err, sizeof(err)),
	    LK_EINVAL, "no file name");
	is_str(err, "(config):1: unknown key 'wrokers'", "... a placeholder");
}

int
main(void)
{
	test_defaults();
	test_good();
	test_bad();
	test_lengths();
	test_file();
	return tap_done();
}
