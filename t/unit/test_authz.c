/*
 * test_authz.c: lk_authz_parse.
 */
#include <string.h>

#include <sodium.h>

#include "lk_parse.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1

#define NONE    LK_AUTHZ_NONE
#define BASIC   LK_AUTHZ_BASIC
#define BEARER  LK_AUTHZ_BEARER
#define INVALID LK_AUTHZ_INVALID

static const struct {
	const char *v;
	size_t len;
	enum lk_authz_kind want;
	const char *user;
	size_t ulen;
	const char *pass;
	size_t plen;
} rows[] = {
	/* Absent and empty. */
	{ S(""), NONE, S(""), S("") },
	/* Basic, the usual forms. */
	{ S("Basic dXNlcjpwYXNz"), BASIC, S("user"), S("pass") },
	{ S("basic dXNlcjpwYXNz"), BASIC, S("user"), S("pass") },
	{ S("BASIC dXNlcjpwYXNz"), BASIC, S("user"), S("pass") },
	{ S("bAsIc dXNlcjpwYXNz"), BASIC, S("user"), S("pass") },
	{ S("Basic   dXNlcjpwYXNz"), BASIC, S("user"), S("pass") },
	{ S("Basic YTpi"), BASIC, S("a"), S("b") },
	{ S("Basic dTpw"), BASIC, S("u"), S("p") },
	/* Padding is optional, but must be right when present. */
	{ S("Basic dXNlcjo="), BASIC, S("user"), S("") },
	{ S("Basic dXNlcjo"), BASIC, S("user"), S("") },
	{ S("Basic Og=="), BASIC, S(""), S("") },
	{ S("Basic Og"), BASIC, S(""), S("") },
	{ S("Basic Og="), INVALID, S(""), S("") },
	{ S("Basic Og==="), INVALID, S(""), S("") },
	{ S("Basic OnBhc3M="), BASIC, S(""), S("pass") },
	{ S("Basic OnBhc3M"), BASIC, S(""), S("pass") },
	{ S("Basic dXNlcjpwYXNz="), INVALID, S(""), S("") },
	{ S("Basic dXNlcjpwYXNz=="), INVALID, S(""), S("") },
	{ S("Basic =dXNlcjpwYXNz"), INVALID, S(""), S("") },
	{ S("Basic dXNlcjp=wYXNz"), INVALID, S(""), S("") },
	{ S("Basic dXNl=cjpwYXNz"), INVALID, S(""), S("") },
	{ S("Basic ===="), INVALID, S(""), S("") },
	{ S("Basic ="), INVALID, S(""), S("") },
	/* Non-canonical base64: unused bits must be zero. */
	{ S("Basic dXNlcjp="), INVALID, S(""), S("") },
	{ S("Basic dXNlcjp"), INVALID, S(""), S("") },
	{ S("Basic Oh=="), INVALID, S(""), S("") },
	{ S("Basic Oh"), INVALID, S(""), S("") },
	/* Impossible lengths. */
	{ S("Basic O"), INVALID, S(""), S("") },
	{ S("Basic dXNlc"), INVALID, S(""), S("") },
	{ S("Basic dXNlc==="), INVALID, S(""), S("") },
	/* Split at the first colon; any bytes on either side. */
	{ S("Basic dXNlcjpwYTpzcw=="), BASIC, S("user"), S("pa:ss") },
	{ S("Basic dXMAZXI6cGEAc3M="), BASIC, S("us\0er"), S("pa\0ss") },
	{ S("Basic //46wyg="), BASIC, S("\xff\xfe"), S("\xc3\x28") },
	{ S("Basic MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2NzpY"),
	    BASIC, S("0123456789abcdef0123456789abcdef01234567"), S("X") },
	{ S("Basic IHVzZXIgOnBhc3M="), BASIC, S(" user "), S("pass") },
	/* No colon. */
	{ S("Basic dXNlcg=="), INVALID, S(""), S("") },
	{ S("Basic dXNlcg"), INVALID, S(""), S("") },
	{ S("Basic AA=="), INVALID, S(""), S("") },
	/* Not the standard alphabet, and not base64 at all. */
	{ S("Basic //46wyg"), BASIC, S("\xff\xfe"), S("\xc3\x28") },
	{ S("Basic __46wyg"), INVALID, S(""), S("") },
	{ S("Basic --46wyg"), INVALID, S(""), S("") },
	{ S("Basic user:pass"), INVALID, S(""), S("") },
	{ S("Basic dXNl\0cjpwYXNz"), INVALID, S(""), S("") },
	{ S("Basic dXNlcjpwYXNz\0"), INVALID, S(""), S("") },
	{ S("Basic \xc3\xa9"), INVALID, S(""), S("") },
	/* libsodium 1.0.18 reads any byte over 0x7f as '/' (found by
	 * fuzz_authz, see corpus/fuzz_authz/high-byte-as-slash). */
	{ S("Basic YTo/"), BASIC, S("a"), S("?") },
	{ S("Basic YTo\xff"), INVALID, S(""), S("") },
	{ S("Basic YTo\x80"), INVALID, S(""), S("") },
	{ S("Basic YT\xe9/"), INVALID, S(""), S("") },
	{ S("Basic \xc3\xa9\xc3\xa9"), INVALID, S(""), S("") },
	/* Nothing may follow the base64. */
	{ S("Basic dXNlcjpwYXNz "), INVALID, S(""), S("") },
	{ S("Basic dXNlcjpwYXNz\t"), INVALID, S(""), S("") },
	{ S("Basic dXNlcjpwYXNz\r\n"), INVALID, S(""), S("") },
	{ S("Basic dXNlcjpwYXNz,"), INVALID, S(""), S("") },
	{ S("Basic dXNlcjpwYXNz, Basic YTpi"), INVALID, S(""), S("") },
	{ S("Basic dXNlcjo=, Basic YTpi"), INVALID, S(""), S("") },
	{ S("Basic dXNlcjpwYXNz, Bearer abc"), INVALID, S(""), S("") },
	{ S("Basic dXNlcjpwYXNz x"), INVALID, S(""), S("") },
	{ S("Basic dXNlcjpw YXNz"), INVALID, S(""), S("") },
	/* Bare schemes, and only spaces as separators. */
	{ S("Basic"), INVALID, S(""), S("") },
	{ S("Basic "), INVALID, S(""), S("") },
	{ S("Basic    "), INVALID, S(""), S("") },
	{ S("Basic\tdXNlcjpwYXNz"), INVALID, S(""), S("") },
	{ S("Basic\0dXNlcjpwYXNz"), INVALID, S(""), S("") },
	{ S("BasicdXNlcjpwYXNz"), INVALID, S(""), S("") },
	{ S(" Basic dXNlcjpwYXNz"), INVALID, S(""), S("") },
	{ S("\tBasic dXNlcjpwYXNz"), INVALID, S(""), S("") },
	{ S(" "), INVALID, S(""), S("") },
	{ S("Basic: dXNlcjpwYXNz"), INVALID, S(""), S("") },
	{ S("Basi dXNlcjpwYXNz"), INVALID, S(""), S("") },
	{ S("Basics dXNlcjpwYXNz"), INVALID, S(""), S("") },
	{ S("B\xc3\xa1sic dXNlcjpwYXNz"), INVALID, S(""), S("") },
	/* Other schemes. */
	{ S("Digest username=\"u\""), INVALID, S(""), S("") },
	{ S("Negotiate YIIG"), INVALID, S(""), S("") },
	{ S("Token abc"), INVALID, S(""), S("") },
	{ S("dXNlcjpwYXNz"), INVALID, S(""), S("") },
	{ S("0123456789abcdef0123456789abcdef01234567"), INVALID, S(""),
	    S("") },
	/* Bearer. */
	{ S("Bearer 0123456789abcdef0123456789abcdef01234567"), BEARER,
	    S("0123456789abcdef0123456789abcdef01234567"), S("") },
	{ S("bearer abc"), BEARER, S("abc"), S("") },
	{ S("BEARER abc"), BEARER, S("abc"), S("") },
	{ S("Bearer    abc"), BEARER, S("abc"), S("") },
	{ S("Bearer a-b.c_d~e+f/g"), BEARER, S("a-b.c_d~e+f/g"), S("") },
	{ S("Bearer abc="), BEARER, S("abc="), S("") },
	{ S("Bearer abc=="), BEARER, S("abc=="), S("") },
	{ S("Bearer x"), BEARER, S("x"), S("") },
	{ S("Bearer /"), BEARER, S("/"), S("") },
	{ S("Bearer ="), INVALID, S(""), S("") },
	{ S("Bearer =abc"), INVALID, S(""), S("") },
	{ S("Bearer ab=c"), INVALID, S(""), S("") },
	{ S("Bearer abc "), INVALID, S(""), S("") },
	{ S("Bearer abc\t"), INVALID, S(""), S("") },
	{ S("Bearer abc, Bearer abc"), INVALID, S(""), S("") },
	{ S("Bearer abc,"), INVALID, S(""), S("") },
	{ S("Bearer a bc"), INVALID, S(""), S("") },
	{ S("Bearer a:b"), INVALID, S(""), S("") },
	{ S("Bearer a\0b"), INVALID, S(""), S("") },
	{ S("Bearer a%20b"), INVALID, S(""), S("") },
	{ S("Bearer \"abc\""), INVALID, S(""), S("") },
	{ S("Bearer \xc3\xa9"), INVALID, S(""), S("") },
	{ S("Bearer"), INVALID, S(""), S("") },
	{ S("Bearer "), INVALID, S(""), S("") },
	{ S("Bearer\tabc"), INVALID, S(""), S("") },
	{ S("Bearerabc"), INVALID, S(""), S("") },
};

static void
check(const char *what, const char *v, size_t len, enum lk_authz_kind want,
    const char *user, size_t ulen, const char *pass, size_t plen)
{
	static struct lk_authz a;

	/* Start dirty, to see that the parser leaves nothing behind. */
	memset(&a, 'Z', sizeof(a));
	lk_authz_parse(v, len, &a);
	is_int(a.kind, want, "%s: kind", what);
	ok(a.user_len == ulen && memcmp(a.user, user, ulen) == 0 &&
		a.user[ulen] == '\0',
	    "%s: user", what);
	ok(a.pass_len == plen && memcmp(a.pass, pass, plen) == 0 &&
		a.pass[plen] == '\0',
	    "%s: pass", what);
	lk_wipe(&a, sizeof(a));
}

static void
test_rows(void)
{
	char what[128], shown[49];
	size_t i, j;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		/* TAP lines must stay one line: no control bytes. */
		for (j = 0; j < rows[i].len && j < sizeof(shown) - 1; j++)
			shown[j] = (unsigned char)rows[i].v[j] < 0x20 ||
					   (unsigned char)rows[i].v[j] >= 0x7f
				       ? '?'
				       : rows[i].v[j];
		shown[j] = '\0';
		snprintf(what, sizeof(what), "#%zu '%s'", i, shown);
		check(what, rows[i].v, rows[i].len, rows[i].want, rows[i].user,
		    rows[i].ulen, rows[i].pass, rows[i].plen);
	}
	check("NULL", NULL, 0, NONE, "", 0, "", 0);
	check("NULL, length 5", NULL, 5, NONE, "", 0, "", 0);
	check("length bounds the value", "Basic dXNlcjpwYXNzJUNK", 18, BASIC,
	    "user", 4, "pass", 4);
}

/* Values at and over LK_AUTHZ_MAX and LK_CRED_MAX. */
static void
test_bounds(void)
{
	static char v[LK_AUTHZ_MAX + 64], bin[LK_AUTHZ_MAX], user[LK_AUTHZ_MAX];
	size_t binlen;

	/* 3067 bytes encode to 4090 characters: "Basic " + 4090 = 4096. */
	binlen = 3067;
	memset(bin, 'u', binlen);
	bin[100] = ':';
	memcpy(v, "Basic ", 6);
	sodium_bin2base64(v + 6, sizeof(v) - 6, (unsigned char *)bin, binlen,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	is_int(strlen(v), LK_AUTHZ_MAX, "a Basic value of 4096 bytes");
	memset(user, 'u', 100);
	check("4096-byte Basic", v, LK_AUTHZ_MAX, BASIC, user, 100, bin + 101,
	    binlen - 101);

	/* One more space: 4097 bytes. */
	memmove(v + 7, v + 6, LK_AUTHZ_MAX - 6 + 1);
	v[6] = ' ';
	check("4097-byte Basic", v, LK_AUTHZ_MAX + 1, INVALID, "", 0, "", 0);

	/* The longest user part and the longest password part. */
	memset(bin, 'p', binlen);
	bin[0] = ':';
	sodium_bin2base64(v + 6, sizeof(v) - 6, (unsigned char *)bin, binlen,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	check("3066-byte password", v, strlen(v), BASIC, "", 0, bin + 1,
	    binlen - 1);
	memset(bin, 'u', binlen);
	bin[binlen - 1] = ':';
	sodium_bin2base64(v + 6, sizeof(v) - 6, (unsigned char *)bin, binlen,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	check("3066-byte user", v, strlen(v), BASIC, bin, binlen - 1, "", 0);

	/* Bearer tokens of LK_CRED_MAX and one more. */
	memcpy(v, "Bearer ", 7);
	memset(v + 7, 'k', LK_CRED_MAX + 1);
	memset(user, 'k', LK_CRED_MAX);
	check("Bearer of LK_CRED_MAX", v, 7 + LK_CRED_MAX, BEARER, user,
	    LK_CRED_MAX, "", 0);
	check("Bearer over LK_CRED_MAX", v, 7 + LK_CRED_MAX + 1, INVALID, "", 0,
	    "", 0);

	/* 4096 bytes of spaces after the scheme, and one byte more. */
	memcpy(v, "Basic", 5);
	memset(v + 5, ' ', LK_AUTHZ_MAX);
	check(
	    "Basic and spaces to 4096", v, LK_AUTHZ_MAX, INVALID, "", 0, "", 0);
	memcpy(v + LK_AUTHZ_MAX - 4, "YTpi", 4);
	check("Basic, many spaces, YTpi to 4096", v, LK_AUTHZ_MAX, BASIC, "a",
	    1, "b", 1);
	check("... and to 4097", v, LK_AUTHZ_MAX + 1, INVALID, "", 0, "", 0);
	memset(v, 'x', LK_AUTHZ_MAX + 1);
	check("4097 bytes of x", v, LK_AUTHZ_MAX + 1, INVALID, "", 0, "", 0);
}

int
main(void)
{
	test_rows();
	test_bounds();
	return tap_done();
}
