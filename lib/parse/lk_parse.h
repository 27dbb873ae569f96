/*
 * lk_parse.h: liblatchkey_parse, the pure parsers of latchkey.
 *
 * Every function here takes a buffer and a length and fills a caller's
 * struct: no I/O, no allocation, no global state, so each one is
 * unit-tested and fuzzed from bytes. The only dependency beyond libc is
 * libsodium's pure codecs (base64), which do no I/O either.
 *
 * Outputs are written only on success unless a prototype says otherwise.
 * Buffers that may hold secrets (Authorization, keys) are the caller's and
 * must be wiped with lk_wipe() when done.
 */
#ifndef LK_PARSE_H
#define LK_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LK_MUST_CHECK __attribute__((warn_unused_result))

/* The one error enum of all latchkey libraries. */
enum lk_err {
	LK_OK = 0,
	LK_EINVAL,    /* the input is malformed */
	LK_ETOOLONG,  /* the input is over its bound */
	LK_ENOTFOUND, /* no such thing (a store lookup) */
	LK_ESTORE,    /* the store could not answer: retry later (503) */
	LK_ECRYPTO,   /* a cryptographic primitive failed */
	LK_ENOMEM,    /* out of memory */
	LK_ESYS,      /* a system call failed; errno says why */
};

/* A short constant English name for an error, for log lines. */
const char *lk_err_str(enum lk_err err);

/* Zero len bytes at p in a way the compiler may not elide. */
void lk_wipe(void *p, size_t len);

/* Bounds. Every input is checked against one of these before use. */
#define LK_AUTHZ_MAX    4096 /* an Authorization header value */
#define LK_CRED_MAX     3072 /* a decoded Basic user or password part */
#define LK_LOGIN_MAX    255  /* a login, in bytes */
#define LK_KEY_LEN      40   /* an API key: 40 lowercase hex characters */
#define LK_KEYPARAM_MAX 256  /* a key as sent (query or header), in bytes */

/* --- utf8.c ------------------------------------------------------------ */

/* True if s[0..len) is well-formed UTF-8 without NUL bytes. */
bool lk_utf8_valid(const char *s, size_t len);
/* The characters in s[0..len) (valid UTF-8), as Redmine counts them for
 * its length limits: every byte but a continuation byte starts one. */
size_t lk_utf8_chars(const char *s, size_t len);

/* --- query.c: the query string ---------------------------------------- */

enum lk_query_result {
	LK_QUERY_ABSENT,    /* not present, or present only with empty values */
	LK_QUERY_FOUND,     /* present once, or repeated with the same value */
	LK_QUERY_CONFLICT,  /* present twice with different values (400) */
	LK_QUERY_MALFORMED, /* name[]= or name[x]= form, bad %-escape, or the
			     * decoded value does not fit in out */
};

/*
 * Look up a parameter of the query string qs[0..qslen) under any of the
 * NULL-terminated names (aliases count as one parameter: key and api_key).
 * Names and values are %-decoded and '+' is a space, as in HTML forms.
 * Matching is exact: no trimming, no case folding. On LK_QUERY_FOUND the
 * decoded value (which may hold NUL bytes) is in out[0..*outlen) and
 * out[*outlen] is NUL; out is untouched otherwise.
 */
enum lk_query_result lk_query_get(const char *qs, size_t qslen,
    const char *const *names, char *out, size_t outsz,
    size_t *outlen) LK_MUST_CHECK;

/*
 * Parse a non-negative decimal integer parameter. Absent, empty or
 * malformed (not all digits, over max) values give dflt; *bad is set to
 * true when a value was present but unusable, so callers may choose 400.
 */
long long lk_query_int(const char *qs, size_t qslen, const char *name,
    long long dflt, long long max, bool *bad);

/* --- authz.c: the Authorization header --------------------------------- */

enum lk_authz_kind {
	LK_AUTHZ_NONE,    /* header absent or empty */
	LK_AUTHZ_BASIC,   /* Basic user:password */
	LK_AUTHZ_BEARER,  /* Bearer token */
	LK_AUTHZ_INVALID, /* any other scheme, bad base64, no colon, too long */
};

struct lk_authz {
	enum lk_authz_kind kind;
	/* Basic: the decoded parts, split at the first colon; any bytes,
	 * NUL-terminated for convenience. Bearer: the token in user. */
	char user[LK_CRED_MAX + 1];
	size_t user_len;
	char pass[LK_CRED_MAX + 1];
	size_t pass_len;
};

/*
 * Parse an Authorization value (RFC 7617 Basic, RFC 6750 Bearer). The scheme
 * is case-insensitive and followed by one or more spaces; Basic's base64 may
 * omit its padding and nothing may follow it. Always fills out->kind; the
 * parts only for BASIC and BEARER. Wipe *out with lk_wipe() after use.
 */
void lk_authz_parse(const char *value, size_t len, struct lk_authz *out);

/* --- apikey.c: the shape of an API key ------------------------------- */

/* True if s[0..len) is exactly 40 lowercase hexadecimal characters. */
bool lk_apikey_shape(const char *s, size_t len);

/*
 * Trim surrounding spaces and tabs of a header value in place: returns the
 * start and sets *len. Used for X-Redmine-API-Key, X-Redmine-Switch-User and
 * Basic logins (Redmine strips logins).
 */
const char *lk_trim(const char *s, size_t *len);

/* --- b64.c -----------------------------------------------------------------
 */

/* True if s[0..len) is all base64url characters (A-Z a-z 0-9 - _), which
 * must be checked before libsodium 1.0.18 decodes text from outside. */
bool lk_b64url_shape(const char *s, size_t len);

/* --- hashfmt.c: stored password hashes ---------------------------------- */

enum lk_hashfmt {
	LK_HASH_UNREADABLE,   /* none of the below: no password can match */
	LK_HASH_ARGON2ID,     /* $argon2id$v=19$m=..,t=..,p=..$salt$hash */
	LK_HASH_BCRYPT,       /* $2a$, $2b$, $2y$ with cost and 53 characters */
	LK_HASH_REDMINE_SHA1, /* 40 lowercase hex: SHA1(salt + SHA1(password))
			       */
};

/*
 * The most a stored hash may ask for. A hash is data from the database, not
 * from us: an imported row asking for gigabytes or hours would tie up a
 * worker at every login attempt, so above these it is unreadable. New
 * hashes stay within them too (password_opslimit, password_memlimit).
 */
#define LK_ARGON2_MAX_KIB   (1UL << 20) /* 1 GiB */
#define LK_ARGON2_MAX_T     100
#define LK_ARGON2_MAX_P     16
#define LK_ARGON2ID_STR_MAX 127 /* bytes: libsodium reads 128 with the NUL */
#define LK_BCRYPT_MAX_COST  16  /* 2^16 rounds: seconds */

/* Classify a stored hash by its text alone: LK_HASH_UNREADABLE for any
 * hash the verifier could not read, or whose cost is over the ceilings. */
enum lk_hashfmt lk_hashfmt_classify(const char *hash, size_t len);

/* --- config.c: latchkeyd.conf ------------------------------------------ */

enum lk_log_level { LK_LOG_ERROR, LK_LOG_WARN, LK_LOG_INFO, LK_LOG_DEBUG };

#define LK_PATH_MAX 256

/* Field names equal the configuration keys; README lists the defaults. */
struct lk_config {
	char listen[LK_PATH_MAX];      /* unix socket path or 127.0.0.1:PORT */
	unsigned socket_mode;          /* unix socket permissions, octal */
	char socket_group[64];         /* group of the socket ("" = keep) */
	char user[64];                 /* drop to this user when root */
	unsigned workers;              /* pre-forked workers, 1..256 */
	unsigned max_requests;         /* recycle a worker after; 0 = never */
	char database[1024];           /* libpq conninfo string */
	char secret_file[LK_PATH_MAX]; /* 32 random bytes */
	char pid_file[LK_PATH_MAX];    /* "" = none */
	enum lk_log_level log_level;
	unsigned long long password_opslimit; /* argon2id passes */
	unsigned long long password_memlimit; /* argon2id bytes */
	unsigned password_concurrency; /* pool-wide argon2id checks at once */
	unsigned throttle_failures;    /* failures per address; 0 = off */
	unsigned throttle_window;      /* seconds */
	unsigned long long max_body;   /* request body bytes */
	unsigned graceful_timeout; /* seconds before stragglers are killed */
	unsigned session_lifetime; /* seconds a sign-in cookie lasts */
	unsigned cache_ttl;        /* seconds a verified credential lives */
};

/* Fill cfg with the defaults. */
void lk_config_defaults(struct lk_config *cfg);

/*
 * Parse `key = value` lines (with # comments and blank lines) from
 * buf[0..len) over the values already in cfg. On error returns LK_EINVAL
 * and writes "FILE:LINE: reason" into err (file is only used for the
 * message); cfg may then be partly updated, so parse into a copy.
 */
enum lk_err lk_config_parse(struct lk_config *cfg, const char *buf, size_t len,
    const char *file, char *err, size_t errsz) LK_MUST_CHECK;

#endif /* LK_PARSE_H */
