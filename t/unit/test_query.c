/*
 * test_query.c: lk_query_get and lk_query_int.
 */
#include <stdbool.h>
#include <string.h>

#include "lk_parse.h"
#include "tap.h"

/* A string literal and its length, NUL bytes included. */
#define S(x) x, sizeof(x) - 1

static const char *const keynames[] = { "key", "api_key", NULL };
static const char *const limitname[] = { "limit", NULL };
static const char *const nonames[] = { NULL };

#define F LK_QUERY_FOUND
#define A LK_QUERY_ABSENT
#define C LK_QUERY_CONFLICT
#define M LK_QUERY_MALFORMED

static const struct {
	const char *qs;
	size_t qslen;
	const char *const *names;
	size_t outsz;
	enum lk_query_result want;
	const char *val; /* when FOUND */
	size_t vallen;
} get_rows[] = {
	/* Plain lookups and aliases. */
	{ S("key=abc"), keynames, 64, F, S("abc") },
	{ S("api_key=abc"), keynames, 64, F, S("abc") },
	{ S("a=1&key=abc&b=2"), keynames, 64, F, S("abc") },
	{ S("a=1&b=2"), keynames, 64, A, S("") },
	{ S(""), keynames, 64, A, S("") },
	{ S("&&&"), keynames, 64, A, S("") },
	{ S("key=abc&&"), keynames, 64, F, S("abc") },
	{ S("=abc"), keynames, 64, A, S("") },
	{ S("=&key=x"), keynames, 64, F, S("x") },
	{ S("key=a=b"), keynames, 64, F, S("a=b") },
	{ S("a=1"), nonames, 64, A, S("") },
	/* Exact matching: no case folding, no trimming, no prefixes. */
	{ S("KEY=abc"), keynames, 64, A, S("") },
	{ S("Key=abc"), keynames, 64, A, S("") },
	{ S("key+=abc"), keynames, 64, A, S("") },
	{ S("+key=abc"), keynames, 64, A, S("") },
	{ S("%20key=abc"), keynames, 64, A, S("") },
	{ S("keys=abc"), keynames, 64, A, S("") },
	{ S("ke=abc"), keynames, 64, A, S("") },
	{ S("apikey=abc"), keynames, 64, A, S("") },
	{ S("api-key=abc"), keynames, 64, A, S("") },
	{ S("key%00=abc"), keynames, 64, A, S("") },
	{ S("key]=abc"), keynames, 64, A, S("") },
	{ S("key=+abc+"), keynames, 64, F, S(" abc ") },
	{ S("key=%20abc"), keynames, 64, F, S(" abc") },
	{ S("key=ABC"), keynames, 64, F, S("ABC") },
	/* Decoding of names and values. */
	{ S("%6b%65%79=abc"), keynames, 64, F, S("abc") },
	{ S("%6B%65%79=abc"), keynames, 64, F, S("abc") },
	{ S("api%5fkey=abc"), keynames, 64, F, S("abc") },
	{ S("key=a%2bb"), keynames, 64, F, S("a+b") },
	{ S("key=a+b"), keynames, 64, F, S("a b") },
	{ S("key=a%26b"), keynames, 64, F, S("a&b") },
	{ S("key=a%3Db"), keynames, 64, F, S("a=b") },
	{ S("key=%00"), keynames, 64, F, S("\0") },
	{ S("key=a%00b"), keynames, 64, F, S("a\0b") },
	{ S("key=%ff%fe"), keynames, 64, F, S("\xff\xfe") },
	{ S("key=\xc3\x28"), keynames, 64, F, S("\xc3\x28") },
	{ S("key=a\0b"), keynames, 64, F, S("a\0b") },
	{ S("key=%2525"), keynames, 64, F, S("%25") },
	/* Bad escapes anywhere: the whole query is malformed. */
	{ S("key=%zz"), keynames, 64, M, S("") },
	{ S("key=%4"), keynames, 64, M, S("") },
	{ S("key=%"), keynames, 64, M, S("") },
	{ S("key=ab%"), keynames, 64, M, S("") },
	{ S("key=%g0"), keynames, 64, M, S("") },
	{ S("key=%0g"), keynames, 64, M, S("") },
	{ S("key=%%41"), keynames, 64, M, S("") },
	{ S("key=abc&x=%zz"), keynames, 64, M, S("") },
	{ S("x=%zz&key=abc"), keynames, 64, M, S("") },
	{ S("k%zzey=abc"), keynames, 64, M, S("") },
	{ S("%=1"), keynames, 64, M, S("") },
	{ S("a=1&b=%"), limitname, 64, M, S("") },
	/* Array and hash forms are never a plain key. */
	{ S("key[]=abc"), keynames, 64, M, S("") },
	{ S("key[a]=abc"), keynames, 64, M, S("") },
	{ S("key[=abc"), keynames, 64, M, S("") },
	{ S("api_key[]=abc"), keynames, 64, M, S("") },
	{ S("key%5B%5D=abc"), keynames, 64, M, S("") },
	{ S("key%5b=abc"), keynames, 64, M, S("") },
	{ S("key=abc&key[]=abc"), keynames, 64, M, S("") },
	{ S("key[]=abc&key=abc"), keynames, 64, M, S("") },
	{ S("key[]"), keynames, 64, M, S("") },
	{ S("key[]="), keynames, 64, M, S("") },
	{ S("key=a&key=b&key[x]=c"), keynames, 64, M, S("") },
	{ S("keys[]=abc"), keynames, 64, A, S("") },
	{ S("x[key]=abc"), keynames, 64, A, S("") },
	/* Empty values count as absent. */
	{ S("key="), keynames, 64, A, S("") },
	{ S("key"), keynames, 64, A, S("") },
	{ S("key&api_key="), keynames, 64, A, S("") },
	{ S("key=&key="), keynames, 64, A, S("") },
	/* Repeats: equal values are one value, others a conflict. */
	{ S("key=abc&key=abc"), keynames, 64, F, S("abc") },
	{ S("key=abc&api_key=abc"), keynames, 64, F, S("abc") },
	{ S("key=abc&api_key=%61bc"), keynames, 64, F, S("abc") },
	{ S("key=a+b&key=a%20b"), keynames, 64, F, S("a b") },
	{ S("key=abc&key=abd"), keynames, 64, C, S("") },
	{ S("key=abc&api_key=abd"), keynames, 64, C, S("") },
	{ S("key=abc&key=ABC"), keynames, 64, C, S("") },
	{ S("key=abc&key=abc+"), keynames, 64, C, S("") },
	{ S("key=abc&key=ab"), keynames, 64, C, S("") },
	{ S("key=ab&key=abc"), keynames, 64, C, S("") },
	{ S("key=abc&key=abc%00"), keynames, 64, C, S("") },
	{ S("key=abc&key="), keynames, 64, C, S("") },
	{ S("key=&key=abc"), keynames, 64, C, S("") },
	{ S("key&key=abc"), keynames, 64, C, S("") },
	{ S("key=abc&key"), keynames, 64, C, S("") },
	{ S("key=abc&key=abc&key=abd"), keynames, 64, C, S("") },
	{ S("key=a&key=b&key=a"), keynames, 64, C, S("") },
	/* The value must fit, with room for its NUL. */
	{ S("key=abcd"), keynames, 5, F, S("abcd") },
	{ S("key=abcde"), keynames, 5, M, S("") },
	{ S("key=%61%62%63%64"), keynames, 5, F, S("abcd") },
	{ S("key=a"), keynames, 1, M, S("") },
	{ S("key=a"), keynames, 0, M, S("") },
	{ S("key="), keynames, 0, A, S("") },
	{ S("key=abcd&key=abcdefgh"), keynames, 5, M, S("") },
	{ S("key=abcdefgh&key=abcd"), keynames, 5, M, S("") },
	/* Other parameters. */
	{ S("limit=25&offset=0"), limitname, 64, F, S("25") },
	{ S("key=x&limit=1"), limitname, 64, F, S("1") },
};

static void
test_get(void)
{
	char out[64];
	size_t i, outlen;

	for (i = 0; i < sizeof(get_rows) / sizeof(get_rows[0]); i++) {
		enum lk_query_result r;

		memset(out, 'Z', sizeof(out));
		outlen = 12345;
		r = lk_query_get(get_rows[i].qs, get_rows[i].qslen,
		    get_rows[i].names, out, get_rows[i].outsz, &outlen);
		is_int(r, get_rows[i].want, "get #%zu '%s' result", i,
		    get_rows[i].qs);
		if (get_rows[i].want == LK_QUERY_FOUND) {
			ok(outlen == get_rows[i].vallen &&
				memcmp(out, get_rows[i].val, outlen) == 0 &&
				out[outlen] == '\0',
			    "get #%zu '%s' value", i, get_rows[i].qs);
		} else {
			/* Outputs are written only on success. */
			ok(outlen == 12345 && out[0] == 'Z',
			    "get #%zu '%s' leaves out alone", i,
			    get_rows[i].qs);
		}
	}
}

static void
test_get_edges(void)
{
	char big[8192], out[64];
	size_t outlen = 99;
	enum lk_query_result r;

	r = lk_query_get(NULL, 0, keynames, out, sizeof(out), &outlen);
	is_int(r, LK_QUERY_ABSENT, "NULL query string is absent");
	r = lk_query_get("key=a", 5, NULL, out, sizeof(out), &outlen);
	is_int(r, LK_QUERY_ABSENT, "NULL names is absent");
	r = lk_query_get("key=ab", 5, keynames, out, sizeof(out), &outlen);
	is_int(r, LK_QUERY_FOUND, "qslen bounds the query string");
	is_str(out, "a", "... and the value stops there");
	r = lk_query_get("key=ab", 6, keynames, out, sizeof(out), NULL);
	is_int(r, LK_QUERY_FOUND, "outlen may be NULL");
	is_str(out, "ab", "... and out is still filled");

	/* A long query with the key at the very end. */
	memset(big, 'a', sizeof(big));
	big[0] = 'x';
	big[1] = '=';
	memcpy(big + sizeof(big) - 8, "&key=xy", 7);
	big[sizeof(big) - 1] = 'z';
	r = lk_query_get(big, sizeof(big), keynames, out, sizeof(out), &outlen);
	is_int(r, LK_QUERY_FOUND, "key at the end of an 8 KiB query");
	is_int(outlen, 3, "... its length");
	is_str(out, "xyz", "... its value");
}

static const struct {
	const char *qs;
	long long dflt, max;
	long long want;
	bool bad;
} int_rows[] = {
	{ "limit=25", 25, 100, 25, false },
	{ "limit=0", 25, 100, 0, false },
	{ "limit=100", 25, 100, 100, false },
	{ "limit=007", 25, 100, 7, false },
	{ "limit=101", 25, 100, 25, true },
	{ "limit=", 25, 100, 25, false },
	{ "limit", 25, 100, 25, false },
	{ "offset=3", 25, 100, 25, false },
	{ "", 25, 100, 25, false },
	{ "limit=-1", 25, 100, 25, true },
	{ "limit=+1", 25, 100, 25, true },
	{ "limit=%2B1", 25, 100, 25, true },
	{ "limit=1+", 25, 100, 25, true },
	{ "limit=+", 25, 100, 25, true },
	{ "limit=1a", 25, 100, 25, true },
	{ "limit=0x10", 25, 100, 25, true },
	{ "limit=1e2", 25, 100, 25, true },
	{ "limit=1.0", 25, 100, 25, true },
	{ "limit=%31%30", 25, 100, 10, false },
	{ "limit=1%00", 25, 100, 25, true },
	{ "limit=%zz", 25, 100, 25, true },
	{ "limit=1&limit=2", 25, 100, 25, true },
	{ "limit=2&limit=2", 25, 100, 2, false },
	{ "limit[]=2", 25, 100, 25, true },
	{ "limit=9223372036854775807", 0, 9223372036854775807LL,
	    9223372036854775807LL, false },
	{ "limit=9223372036854775808", 0, 9223372036854775807LL, 0, true },
	{ "limit=99999999999999999999", 0, 9223372036854775807LL, 0, true },
	{ "limit=000000000000000000000000000000000001", 5,
	    9223372036854775807LL, 5, true },
	{ "limit=7", 1, 5, 1, true },
	{ "limit=5", 1, 5, 5, false },
	{ "limit=6", 1, 5, 1, true },
	{ "limit=0", 1, 0, 0, false },
	{ "limit=0", 1, -1, 1, true },
	{ "limit=10", 1, 9, 1, true },
};

static void
test_int(void)
{
	size_t i;
	bool bad;

	for (i = 0; i < sizeof(int_rows) / sizeof(int_rows[0]); i++) {
		long long v;

		bad = false;
		v = lk_query_int(int_rows[i].qs, strlen(int_rows[i].qs),
		    "limit", int_rows[i].dflt, int_rows[i].max, &bad);
		is_int(v, int_rows[i].want, "int #%zu '%s' value", i,
		    int_rows[i].qs);
		is_int(bad, int_rows[i].bad, "int #%zu '%s' bad", i,
		    int_rows[i].qs);
	}

	/* bad is only ever set, so one flag can collect several lookups. */
	bad = true;
	(void)lk_query_int("limit=5", 7, "limit", 1, 10, &bad);
	ok(bad, "a good value leaves bad set");
	is_int(lk_query_int("limit=5", 7, "limit", 1, 10, NULL), 5,
	    "bad may be NULL");
	is_int(lk_query_int("limit=x", 7, "limit", 1, 10, NULL), 1,
	    "bad may be NULL for a bad value");
	is_int(lk_query_int("limit=5", 7, NULL, 1, 10, NULL), 1,
	    "no name gives the default");
}

int
main(void)
{
	test_get();
	test_get_edges();
	test_int();
	return tap_done();
}
