/*
 * test_utf8.c: lk_utf8_valid.
 */
#include "lk_parse.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1

static const struct {
	const char *what;
	const char *s;
	size_t len;
	bool want;
} rows[] = {
	{ "empty", S(""), true },
	{ "ASCII", S("hello, world"), true },
	{ "DEL", S("\x7f"), true },
	{ "NUL", S("\0"), false },
	{ "NUL inside", S("ab\0cd"), false },
	{ "NUL at the end", S("abc\0"), false },
	{ "2 bytes: e acute", S("\xc3\xa9"), true },
	{ "2 bytes: U+0080", S("\xc2\x80"), true },
	{ "2 bytes: U+07FF", S("\xdf\xbf"), true },
	{ "3 bytes: U+0800", S("\xe0\xa0\x80"), true },
	{ "3 bytes: euro", S("\xe2\x82\xac"), true },
	{ "3 bytes: U+D7FF", S("\xed\x9f\xbf"), true },
	{ "3 bytes: U+E000", S("\xee\x80\x80"), true },
	{ "3 bytes: U+FFFD", S("\xef\xbf\xbd"), true },
	{ "3 bytes: U+FFFF", S("\xef\xbf\xbf"), true },
	{ "4 bytes: U+10000", S("\xf0\x90\x80\x80"), true },
	{ "4 bytes: emoji", S("\xf0\x9f\x98\x80"), true },
	{ "4 bytes: U+10FFFF", S("\xf4\x8f\xbf\xbf"), true },
	{ "mixed", S("a\xc3\xa9z\xe2\x82\xac\xf0\x9f\x98\x80."), true },
	/* Overlongs. */
	{ "overlong NUL C0 80", S("\xc0\x80"), false },
	{ "overlong C1 BF", S("\xc1\xbf"), false },
	{ "overlong slash E0 80 AF", S("\xe0\x80\xaf"), false },
	{ "overlong E0 9F BF", S("\xe0\x9f\xbf"), false },
	{ "overlong F0 8F BF BF", S("\xf0\x8f\xbf\xbf"), false },
	{ "overlong F0 80 80 80", S("\xf0\x80\x80\x80"), false },
	/* Surrogates. */
	{ "surrogate U+D800", S("\xed\xa0\x80"), false },
	{ "surrogate U+DFFF", S("\xed\xbf\xbf"), false },
	{ "surrogate pair (CESU-8)", S("\xed\xa0\xbd\xed\xb8\x80"), false },
	/* Beyond U+10FFFF and never-valid bytes. */
	{ "U+110000", S("\xf4\x90\x80\x80"), false },
	{ "F5", S("\xf5\x80\x80\x80"), false },
	{ "F8 five bytes", S("\xf8\x88\x80\x80\x80"), false },
	{ "FC six bytes", S("\xfc\x84\x80\x80\x80\x80"), false },
	{ "FE", S("\xfe"), false },
	{ "FF", S("\xff"), false },
	/* Broken sequences. */
	{ "lone continuation", S("\x80"), false },
	{ "continuation after ASCII", S("a\xbf"), false },
	{ "truncated 2", S("\xc3"), false },
	{ "truncated 3", S("\xe2\x82"), false },
	{ "truncated 4", S("\xf0\x9f\x98"), false },
	{ "truncated then ASCII",
	    S("\xc3"
	      "a"),
	    false },
	{ "bad second byte", S("\xc3\x28"), false },
	{ "bad third byte", S("\xe2\x82\x28"), false },
	{ "bad fourth byte", S("\xf0\x9f\x98\x28"), false },
	{ "NUL as continuation", S("\xc3\0"), false },
	{ "Latin-1 e acute", S("caf\xe9"), false },
};

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		is_int(lk_utf8_valid(rows[i].s, rows[i].len), rows[i].want,
		    "%s", rows[i].what);
	/* The length bounds the check: the bad byte is past it. */
	ok(lk_utf8_valid("ab\xff", 2), "length bounds the input");
	ok(!lk_utf8_valid("\xe2\x82\xac", 2), "a cut sequence is invalid");
	ok(lk_utf8_valid(NULL, 0), "NULL with length 0 is empty");
	is_int(lk_utf8_chars("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10), 4,
	    "lk_utf8_chars: one character of each length");
	is_int(lk_utf8_chars("\xe2\x82\xacxyz", 2), 1,
	    "lk_utf8_chars: the length bounds the count");
	is_int(lk_utf8_chars(NULL, 0), 0, "lk_utf8_chars: empty");
	return tap_done();
}
