/*
 * test_apikey.c: lk_apikey_shape and lk_trim.
 */
#include "lk_parse.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1

static const struct {
	const char *s;
	size_t len;
	bool want;
} shape_rows[] = {
	{ S("0123456789abcdef0123456789abcdef01234567"), true },
	{ S("ffffffffffffffffffffffffffffffffffffffff"), true },
	{ S("0000000000000000000000000000000000000000"), true },
	{ S("0123456789ABCDEF0123456789abcdef01234567"), false },
	{ S("0123456789abcdef0123456789abcdef0123456"), false },
	{ S("0123456789abcdef0123456789abcdef012345678"), false },
	{ S("0123456789abcdef0123456789abcdef0123456g"), false },
	{ S(" 0123456789abcdef0123456789abcdef0123456"), false },
	{ S("0123456789abcdef0123456789abcdef0123456 "), false },
	{ S("0123456789abcdef0123456789abcdef0123456\0"), false },
	{ S("0123456789abcdef\0"
	    "123456789abcdef01234567"),
	    false },
	{ S("0123456789abcdef0123456789abcdef0123456\xe9"), false },
	{ S("0x23456789abcdef0123456789abcdef01234567"), false },
	{ S(""), false },
};

static const struct {
	const char *s;
	size_t len;
	size_t off, want;
} trim_rows[] = {
	{ S("abc"), 0, 3 },
	{ S(" abc"), 1, 3 },
	{ S("abc "), 0, 3 },
	{ S(" \t abc \t "), 3, 3 },
	{ S("\tabc\t"), 1, 3 },
	{ S("a b"), 0, 3 },
	{ S(" a\tb "), 1, 3 },
	{ S("   "), 3, 0 },
	{ S("\t"), 1, 0 },
	{ S(""), 0, 0 },
	/* Only spaces and tabs: other whitespace is part of the value. */
	{ S("\nabc\r"), 0, 5 },
	{ S("\vabc\f"), 0, 5 },
	{ S("\0abc\0"), 0, 5 },
	{ S(" \0 "), 1, 1 },
	{ S("\xa0"
	    "abc"),
	    0, 4 },
};

int
main(void)
{
	size_t i, len;
	const char *p;

	for (i = 0; i < sizeof(shape_rows) / sizeof(shape_rows[0]); i++)
		is_int(lk_apikey_shape(shape_rows[i].s, shape_rows[i].len),
		    shape_rows[i].want, "shape #%zu", i);
	ok(!lk_apikey_shape(NULL, 40), "shape of NULL");

	for (i = 0; i < sizeof(trim_rows) / sizeof(trim_rows[0]); i++) {
		len = trim_rows[i].len;
		p = lk_trim(trim_rows[i].s, &len);
		ok(p == trim_rows[i].s + trim_rows[i].off &&
			len == trim_rows[i].want,
		    "trim #%zu", i);
	}
	len = 3;
	p = lk_trim(" ab", &len);
	ok(p[0] == 'a' && len == 2, "trim leaves the rest alone");
	len = 2;
	p = lk_trim("ab  ", &len);
	ok(len == 2, "trim looks no further than len");

	ok(lk_b64url_shape("AZaz09-_", 8), "base64url: its whole alphabet");
	ok(lk_b64url_shape("", 0), "base64url: empty");
	ok(!lk_b64url_shape("ab+c", 4), "base64url: no '+'");
	ok(!lk_b64url_shape("ab/c", 4), "base64url: no '/'");
	ok(!lk_b64url_shape("abc=", 4), "base64url: no padding");
	ok(!lk_b64url_shape("ab\xff"
			    "c",
	       4),
	    "base64url: no byte over 0x7f (libsodium reads it as '/')");
	ok(!lk_b64url_shape("ab\0c", 4), "base64url: no NUL");
	ok(lk_b64url_shape("ab!c", 2), "base64url: looks no further than len");
	return tap_done();
}
