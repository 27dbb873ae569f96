/*
 * test_hashfmt.c: lk_hashfmt_classify.
 */
#include <stdio.h>
#include <string.h>

#include "lk_parse.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1

#define UNREADABLE LK_HASH_UNREADABLE
#define ARGON2ID   LK_HASH_ARGON2ID
#define BCRYPT     LK_HASH_BCRYPT
#define SHA1       LK_HASH_REDMINE_SHA1

/* The pieces of a real argon2id string from crypto_pwhash_str. */
#define A_PRE  "$argon2id$v=19$"
#define A_PAR  "m=19456,t=2,p=1"
#define A_SALT "NZX8u6+nnxZYprzmvd9qyw"
#define A_HASH "zquk8WGRvHOcpA+rPjZoZFYtYtG8g5wotsdciAWmvHM"
#define ARGON  A_PRE A_PAR "$" A_SALT "$" A_HASH

/* A real bcrypt string from libxcrypt, and its variants. */
#define B_REST "abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/Jzdm"

static const struct {
	const char *what;
	const char *s;
	size_t len;
	enum lk_hashfmt want;
} rows[] = {
	{ "empty", S(""), UNREADABLE },
	/* argon2id. */
	{ "argon2id from libsodium", S(ARGON), ARGON2ID },
	{ "argon2id, at the ceilings",
	    S(A_PRE "m=1048576,t=100,p=16$" A_SALT "$" A_HASH), ARGON2ID },
	{ "argon2id, m over the ceiling",
	    S(A_PRE "m=1048577,t=1,p=1$" A_SALT "$" A_HASH), UNREADABLE },
	{ "argon2id, t over the ceiling",
	    S(A_PRE "m=8,t=101,p=1$" A_SALT "$" A_HASH), UNREADABLE },
	{ "argon2id, p over the ceiling",
	    S(A_PRE "m=1024,t=1,p=17$" A_SALT "$" A_HASH), UNREADABLE },
	{ "argon2id, 32-bit costs",
	    S(A_PRE "m=4294967295,t=4294967295,p=16777215$" A_SALT "$" A_HASH),
	    UNREADABLE },
	{ "argon2id, smallest costs", S(A_PRE "m=8,t=1,p=1$" A_SALT "$" A_HASH),
	    ARGON2ID },
	{ "argon2id, m = 8p", S(A_PRE "m=32,t=1,p=4$" A_SALT "$" A_HASH),
	    ARGON2ID },
	{ "argon2id, m < 8p", S(A_PRE "m=31,t=1,p=4$" A_SALT "$" A_HASH),
	    UNREADABLE },
	{ "argon2id, m < 8", S(A_PRE "m=7,t=1,p=1$" A_SALT "$" A_HASH),
	    UNREADABLE },
	{ "argon2id, t = 0", S(A_PRE "m=19456,t=0,p=1$" A_SALT "$" A_HASH),
	    UNREADABLE },
	{ "argon2id, p = 0", S(A_PRE "m=19456,t=2,p=0$" A_SALT "$" A_HASH),
	    UNREADABLE },
	{ "argon2id, p over 2^24-1",
	    S(A_PRE "m=4294967295,t=2,p=16777216$" A_SALT "$" A_HASH),
	    UNREADABLE },
	{ "argon2id, m over 32 bits",
	    S(A_PRE "m=4294967296,t=2,p=1$" A_SALT "$" A_HASH), UNREADABLE },
	{ "argon2id, m of 30 digits",
	    S(A_PRE "m=100000000000000000000000000000,t=2,p=1$" A_SALT
		    "$" A_HASH),
	    UNREADABLE },
	{ "argon2id, leading zero",
	    S(A_PRE "m=019456,t=2,p=1$" A_SALT "$" A_HASH), UNREADABLE },
	{ "argon2id, sign", S(A_PRE "m=+19456,t=2,p=1$" A_SALT "$" A_HASH),
	    UNREADABLE },
	{ "argon2id, empty m", S(A_PRE "m=,t=2,p=1$" A_SALT "$" A_HASH),
	    UNREADABLE },
	{ "argon2id, order t,m,p",
	    S(A_PRE "t=2,m=19456,p=1$" A_SALT "$" A_HASH), UNREADABLE },
	{ "argon2id, space", S(A_PRE "m=19456, t=2,p=1$" A_SALT "$" A_HASH),
	    UNREADABLE },
	{ "argon2id, no version", S("$argon2id$" A_PAR "$" A_SALT "$" A_HASH),
	    UNREADABLE },
	{ "argon2id, v=16", S("$argon2id$v=16$" A_PAR "$" A_SALT "$" A_HASH),
	    UNREADABLE },
	{ "argon2id, v=019", S("$argon2id$v=019$" A_PAR "$" A_SALT "$" A_HASH),
	    UNREADABLE },
	{ "argon2i", S("$argon2i$v=19$" A_PAR "$" A_SALT "$" A_HASH),
	    UNREADABLE },
	{ "argon2d", S("$argon2d$v=19$" A_PAR "$" A_SALT "$" A_HASH),
	    UNREADABLE },
	{ "ARGON2ID", S("$ARGON2ID$v=19$" A_PAR "$" A_SALT "$" A_HASH),
	    UNREADABLE },
	{ "argon2id, padded salt", S(A_PRE A_PAR "$" A_SALT "==$" A_HASH),
	    UNREADABLE },
	{ "argon2id, padded hash", S(A_PRE A_PAR "$" A_SALT "$" A_HASH "="),
	    UNREADABLE },
	{ "argon2id, url-safe salt",
	    S(A_PRE A_PAR "$NZX8u6-nnxZYprzmvd9qyw$" A_HASH), UNREADABLE },
	{ "argon2id, salt of 8 bytes", S(A_PRE A_PAR "$c2FsdHNhbHQ$" A_HASH),
	    ARGON2ID },
	{ "argon2id, salt of 7 bytes", S(A_PRE A_PAR "$c2FsdHNhbA$" A_HASH),
	    UNREADABLE },
	{ "argon2id, salt of 5n+1 characters",
	    S(A_PRE A_PAR "$c2FsdHNhbHRzc$" A_HASH), UNREADABLE },
	{ "argon2id, non-canonical salt", S(A_PRE A_PAR "$c2FsdHNhbHR$" A_HASH),
	    UNREADABLE },
	{ "argon2id, non-canonical salt (2 left)",
	    S(A_PRE A_PAR "$c2FsdHNhbHRzYWx0c2FsdB$" A_HASH), UNREADABLE },
	{ "argon2id, hash of 16 bytes",
	    S(A_PRE A_PAR "$" A_SALT "$aGFzaGhhc2hoYXNoaGFzaA"), ARGON2ID },
	{ "argon2id, hash of 15 bytes",
	    S(A_PRE A_PAR "$" A_SALT "$aGFzaGhhc2hoYXNoaGFz"), UNREADABLE },
	{ "argon2id, no hash", S(A_PRE A_PAR "$" A_SALT "$"), UNREADABLE },
	{ "argon2id, no salt", S(A_PRE A_PAR "$$" A_HASH), UNREADABLE },
	{ "argon2id, salt only", S(A_PRE A_PAR "$" A_SALT), UNREADABLE },
	{ "argon2id, trailing $", S(ARGON "$"), UNREADABLE },
	{ "argon2id, trailing newline", S(ARGON "\n"), UNREADABLE },
	{ "argon2id, trailing NUL", S(ARGON "\0"), UNREADABLE },
	{ "argon2id, leading space", S(" " ARGON), UNREADABLE },
	{ "argon2id, cut", S(A_PRE A_PAR), UNREADABLE },
	{ "argon2id, prefix only", S("$argon2id$"), UNREADABLE },
	/* bcrypt. */
	{ "$2b$ from libxcrypt", S("$2b$04$" B_REST), BCRYPT },
	{ "$2a$", S("$2a$04$" B_REST), BCRYPT },
	{ "$2y$", S("$2y$04$" B_REST), BCRYPT },
	{ "$2a$10$, a common example",
	    S("$2a$10$"
	      "N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"),
	    BCRYPT },
	{ "cost 16, the ceiling", S("$2b$16$" B_REST), BCRYPT },
	{ "cost 17", S("$2b$17$" B_REST), UNREADABLE },
	{ "cost 31", S("$2b$31$" B_REST), UNREADABLE },
	{ "cost 03", S("$2b$03$" B_REST), UNREADABLE },
	{ "cost 32", S("$2b$32$" B_REST), UNREADABLE },
	{ "cost 4", S("$2b$4$a" B_REST), UNREADABLE },
	{ "cost 99", S("$2b$99$" B_REST), UNREADABLE },
	{ "cost 1a", S("$2b$1a$" B_REST), UNREADABLE },
	{ "$2$", S("$2$04$a" B_REST), UNREADABLE },
	{ "$2x$", S("$2x$04$" B_REST), UNREADABLE },
	{ "$2B$", S("$2B$04$" B_REST), UNREADABLE },
	{ "$3b$", S("$3b$04$" B_REST), UNREADABLE },
	{ "52 characters",
	    S("$2b$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb/"
	      "Jzd"),
	    UNREADABLE },
	{ "54 characters", S("$2b$04$" B_REST "m"), UNREADABLE },
	{ "'+' is not bcrypt's",
	    S("$2b$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb+"
	      "Jzdm"),
	    UNREADABLE },
	{ "'$' inside",
	    S("$2b$04$abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb$"
	      "Jzdm"),
	    UNREADABLE },
	{ "NUL inside",
	    S("$2b$04$"
	      "abcdefghijklmnopqrstuughE8Ev8uGFaUgY2cNEySvxngrb\0Jzdm"),
	    UNREADABLE },
	{ "missing '$' after cost", S("$2b$04x" B_REST), UNREADABLE },
	/* Redmine's SHA1. */
	{ "sha1", S("356a192b7913b04c54574d18c28d46e6395428ab"), SHA1 },
	{ "sha1, zeros", S("0000000000000000000000000000000000000000"), SHA1 },
	{ "sha1, uppercase", S("356A192B7913B04C54574D18C28D46E6395428AB"),
	    UNREADABLE },
	{ "sha1, 39", S("356a192b7913b04c54574d18c28d46e6395428a"),
	    UNREADABLE },
	{ "sha1, 41", S("356a192b7913b04c54574d18c28d46e6395428ab0"),
	    UNREADABLE },
	{ "sha1, g", S("356a192b7913b04c54574d18c28d46e6395428ag"),
	    UNREADABLE },
	{ "sha1, space", S("356a192b7913b04c54574d18c28d46e6395428a "),
	    UNREADABLE },
	{ "sha1, NUL", S("356a192b7913b04c54574d18c28d46e6395428a\0"),
	    UNREADABLE },
	/* Other formats. */
	{ "md5-crypt", S("$1$abcdefgh$abcdefghijklmnopqrstuv"), UNREADABLE },
	{ "sha512-crypt", S("$6$salt$hash"), UNREADABLE },
	{ "plain text", S("password"), UNREADABLE },
	{ "sha256 hex",
	    S("5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d15"
	      "42d8"),
	    UNREADABLE },
	{ "dollar", S("$"), UNREADABLE },
};

/*
 * An argon2id string of exactly total bytes: the parameters given, the
 * usual salt and a hash of 'A's to fill up.
 */
static enum lk_hashfmt
classify_long(const char *params, size_t total)
{
	char big[512];
	int n;

	n = snprintf(big, sizeof(big), "%s%s$%s$", A_PRE, params, A_SALT);
	memset(big + n, 'A', sizeof(big) - (size_t)n);
	return lk_hashfmt_classify(big, total);
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		is_int(lk_hashfmt_classify(rows[i].s, rows[i].len),
		    rows[i].want, "%s", rows[i].what);
	is_int(lk_hashfmt_classify(NULL, 0), UNREADABLE, "NULL");
	is_int(lk_hashfmt_classify(ARGON "$x", sizeof(ARGON) - 1), ARGON2ID,
	    "length bounds the input");
	is_int(lk_hashfmt_classify(ARGON, 5), UNREADABLE, "length 5");

	/*
	 * The whole argon2id string must fit libsodium's 128-byte buffer
	 * with its NUL. The parameters are chosen so that each hash part
	 * has a valid base64 length: only the total can be wrong.
	 */
	is_int(classify_long("m=194560,t=2,p=1", 127), ARGON2ID,
	    "argon2id of 127 bytes");
	is_int(classify_long("m=19456,t=2,p=1", 128), UNREADABLE,
	    "argon2id of 128 bytes");
	is_int(classify_long("m=194560,t=2,p=1", 130), UNREADABLE,
	    "argon2id of 130 bytes");
	return tap_done();
}
