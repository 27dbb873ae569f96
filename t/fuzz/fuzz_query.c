/*
 * fuzz_query.c: lk_query_get and lk_query_int.
 *
 * Input: one byte choosing the names and the size of out, then the query
 * string. Each answer is compared with a slow reference that decodes the
 * whole query string into pairs first and applies the rules to the list.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lk_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names_key[] = { "key", "api_key", NULL };
static const char *const names_limit[] = { "limit", NULL };
/* One alias a prefix of the other, and a one-letter name. */
static const char *const names_ab[] = { "a", "ab", NULL };
static const char *const *const name_sets[] = { names_key, names_limit,
	names_ab };

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s[0..len) into a new buffer; -1 on a bad escape. */
static long
decode(const char *s, size_t len, char **out)
{
	size_t i, n = 0;
	char *d;

	if ((d = malloc(len + 1)) == NULL)
		abort();
	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (i + 2 >= len || hexval(s[i + 1]) < 0 ||
			    hexval(s[i + 2]) < 0) {
				free(d);
				return -1;
			}
			d[n++] =
			    (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else
			d[n++] = s[i] == '+' ? ' ' : s[i];
	}
	*out = d;
	return (long)n;
}

/* The rules of lk_query_get, written plainly. */
static enum lk_query_result
reference(const char *qs, size_t len, const char *const *names, size_t outsz,
    char *out, size_t *outlen)
{
	enum lk_query_result r = LK_QUERY_ABSENT;
	char *first = NULL;
	long firstlen = 0;
	bool empty = false, conflict = false, malformed = false;
	size_t start = 0, i, end, eq;

	while (start <= len) {
		char *n = NULL, *v = NULL;
		long nl, vl;
		const char *const *np;
		int match = 0;

		for (end = start; end < len && qs[end] != '&'; end++)
			continue;
		for (eq = start; eq < end && qs[eq] != '='; eq++)
			continue;
		nl = decode(qs + start, eq - start, &n);
		vl = eq < end ? decode(qs + eq + 1, end - eq - 1, &v)
			      : decode("", 0, &v);
		if (nl < 0 || vl < 0) {
			malformed = true;
			free(n);
			free(v);
			break;
		}
		for (np = names; *np != NULL && match == 0; np++) {
			size_t al = strlen(*np);

			if ((size_t)nl == al && memcmp(n, *np, al) == 0)
				match = 1;
			else if ((size_t)nl > al && memcmp(n, *np, al) == 0 &&
				 n[al] == '[')
				match = 2;
		}
		if (match == 2)
			malformed = true;
		else if (match == 1 && vl == 0)
			empty = true;
		else if (match == 1 && (size_t)vl >= outsz)
			malformed = true;
		else if (match == 1 && first == NULL) {
			first = v;
			firstlen = vl;
			v = NULL;
		} else if (match == 1 && (vl != firstlen ||
					     memcmp(v, first, (size_t)vl) != 0))
			conflict = true;
		free(n);
		free(v);
		start = end + 1;
	}
	/* A bad escape after the first break still counts: scan all. */
	for (i = 0; i < len; i++)
		if (qs[i] == '%' && (i + 2 >= len || hexval(qs[i + 1]) < 0 ||
					hexval(qs[i + 2]) < 0))
			malformed = true;

	if (malformed)
		r = LK_QUERY_MALFORMED;
	else if (first == NULL)
		r = LK_QUERY_ABSENT;
	else if (conflict || empty)
		r = LK_QUERY_CONFLICT;
	else {
		memcpy(out, first, (size_t)firstlen);
		out[firstlen] = '\0';
		*outlen = (size_t)firstlen;
		r = LK_QUERY_FOUND;
	}
	free(first);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const *names;
	const char *qs;
	char out[80], ref[80];
	size_t qslen, outsz, outlen = 777, reflen = 0, i;
	enum lk_query_result r, rr;
	const char *one[2] = { NULL, NULL };
	long long v, want, max;
	bool bad = false, wantbad;

	if (size < 1)
		return 0;
	names = name_sets[data[0] % 3];
	outsz = (size_t)(data[0] >> 2) + 1; /* 1..64 */
	qs = (const char *)data + 1;
	qslen = size - 1;

	memset(out, 0x5a, sizeof(out));
	r = lk_query_get(qs, qslen, names, out, outsz, &outlen);
	CHECK(r == LK_QUERY_ABSENT || r == LK_QUERY_FOUND ||
	      r == LK_QUERY_CONFLICT || r == LK_QUERY_MALFORMED);
	if (r == LK_QUERY_FOUND) {
		CHECK(outlen > 0 && outlen < outsz);
		CHECK(out[outlen] == '\0');
		for (i = outsz; i < sizeof(out); i++)
			CHECK(out[i] == 0x5a);
	} else {
		/* Untouched on anything but FOUND. */
		CHECK(outlen == 777);
		for (i = 0; i < sizeof(out); i++)
			CHECK(out[i] == 0x5a);
	}

	rr = reference(qs, qslen, names, outsz, ref, &reflen);
	if (r != rr)
		fprintf(stderr, "lk_query_get %d, reference %d\n", r, rr);
	CHECK(r == rr);
	if (r == LK_QUERY_FOUND)
		CHECK(outlen == reflen && memcmp(out, ref, outlen) == 0);

	/*
	 * lk_query_int under the first name alone, with a max taken from the
	 * same byte, against the reference and a plain digit loop.
	 */
	one[0] = names[0];
	max = (long long)(data[0] & 0x3f) * 1000;
	v = lk_query_int(qs, qslen, names[0], -5, max, &bad);
	rr = reference(qs, qslen, one, 32, ref, &reflen);
	want = -5;
	wantbad = rr == LK_QUERY_CONFLICT || rr == LK_QUERY_MALFORMED;
	if (rr == LK_QUERY_FOUND) {
		unsigned long long n = 0;

		for (i = 0; i < reflen && !wantbad; i++) {
			if (ref[i] < '0' || ref[i] > '9')
				wantbad = true;
			else if ((n = n * 10 + (unsigned)(ref[i] - '0')) >
				 (unsigned long long)max)
				wantbad = true;
		}
		if (!wantbad)
			want = (long long)n;
	}
	CHECK(v == want && bad == wantbad);
	return 0;
}
