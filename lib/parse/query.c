/*
 * query.c: lookups in the query string.
 *
 * The query string is parsed afresh for each lookup, with no buffer of its
 * own: a lookup walks the '&'-separated parameters, decodes names and values
 * on the fly and compares them as it goes. Only a FOUND value is copied out.
 *
 * Strictness, in order of precedence:
 *  - any bad %-escape anywhere makes the whole query MALFORMED, as Rack does
 *    (Redmine answers 400): a name we cannot decode might be ours;
 *  - alias[] or alias[x] (after decoding) is MALFORMED: such a parameter is
 *    an array or a hash to Rails and never a plain key;
 *  - a value that does not fit the caller's buffer is MALFORMED;
 *  - two occurrences with different values, under any alias, are a CONFLICT,
 *    and so are an empty and a non-empty one: a proxy and the application
 *    must not be able to read different keys out of one request.
 */
#include <string.h>

#include "lk_parse.h"

/* Room for any long long in decimal; longer digit strings are bad anyway. */
#define LK_QUERY_INT_MAX 32

static int
query_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* True if every '%' in s[0..len) starts a %XX escape. */
static bool
query_escapes_ok(const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	while ((p = memchr(p, '%', (size_t)(end - p))) != NULL) {
		if (end - p < 3 || query_hexval((unsigned char)p[1]) < 0 ||
		    query_hexval((unsigned char)p[2]) < 0)
			return false;
		p += 3;
	}
	return true;
}

/*
 * Decode the byte at *pp (a %XX escape, a '+' or a plain byte) and advance
 * *pp past it. Escapes were checked by query_escapes_ok() beforehand.
 */
static unsigned char
query_next(const char **pp)
{
	const char *p = *pp;

	if (*p == '%') {
		*pp = p + 3;
		return (unsigned char)(query_hexval((unsigned char)p[1]) << 4 |
				       query_hexval((unsigned char)p[2]));
	}
	*pp = p + 1;
	return *p == '+' ? ' ' : (unsigned char)*p;
}

/* The decoded length of s[0..len); escapes were checked. */
static size_t
query_declen(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	size_t n = 0;

	while (p < end) {
		(void)query_next(&p);
		n++;
	}
	return n;
}

/* True if a[0..alen) and b[0..blen) decode to the same bytes. */
static bool
query_same(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;

	while (a < ae && b < be)
		if (query_next(&a) != query_next(&b))
			return false;
	return a == ae && b == be;
}

enum query_match { QUERY_OTHER, QUERY_MATCH, QUERY_BRACKET };

/*
 * Compare the encoded name s[0..len) with each alias: a MATCH if it decodes
 * to one exactly, a BRACKET if it decodes to one followed by '['.
 */
static enum query_match
query_name(const char *s, size_t len, const char *const *names)
{
	const char *const *np;

	for (np = names; *np != NULL; np++) {
		const char *p = s, *end = s + len;
		const unsigned char *a = (const unsigned char *)*np;

		while (*a != '\0' && p < end && query_next(&p) == *a)
			a++;
		if (*a != '\0')
			continue;
		if (p == end)
			return QUERY_MATCH;
		if (query_next(&p) == '[')
			return QUERY_BRACKET;
	}
	return QUERY_OTHER;
}

enum lk_query_result
lk_query_get(const char *qs, size_t qslen, const char *const *names, char *out,
    size_t outsz, size_t *outlen)
{
	const char *p, *end, *amp, *eq;
	const char *val = NULL; /* the first non-empty value, encoded */
	size_t vallen = 0, declen;
	bool empty = false, conflict = false;

	if (qs == NULL || qslen == 0 || names == NULL)
		return LK_QUERY_ABSENT;
	if (!query_escapes_ok(qs, qslen))
		return LK_QUERY_MALFORMED;

	for (p = qs, end = qs + qslen; p < end; p = amp < end ? amp + 1 : end) {
		const char *v;
		size_t nlen, vlen;

		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		/* A parameter without '=' (?key) has an empty value. */
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		nlen = (size_t)(eq - p);
		v = eq < amp ? eq + 1 : amp;
		vlen = (size_t)(amp - v);

		switch (query_name(p, nlen, names)) {
		case QUERY_OTHER:
			continue;
		case QUERY_BRACKET:
			return LK_QUERY_MALFORMED;
		case QUERY_MATCH:
			break;
		}
		/* Only an empty raw value decodes to an empty value. */
		if (vlen == 0) {
			empty = true;
			continue;
		}
		if (query_declen(v, vlen) >= outsz)
			return LK_QUERY_MALFORMED;
		if (val == NULL) {
			val = v;
			vallen = vlen;
		} else if (!query_same(val, vallen, v, vlen))
			conflict = true;
		/* Keep scanning: a later malformed form still wins. */
	}

	if (val == NULL)
		return LK_QUERY_ABSENT;
	if (conflict || empty)
		return LK_QUERY_CONFLICT;

	for (p = val, end = val + vallen, declen = 0; p < end; declen++)
		out[declen] = (char)query_next(&p);
	out[declen] = '\0';
	if (outlen != NULL)
		*outlen = declen;
	return LK_QUERY_FOUND;
}

long long
lk_query_int(const char *qs, size_t qslen, const char *name, long long dflt,
    long long max, bool *bad)
{
	const char *names[2] = { name, NULL };
	char buf[LK_QUERY_INT_MAX];
	size_t len, i;
	long long v = 0;

	if (name == NULL)
		return dflt;
	switch (lk_query_get(qs, qslen, names, buf, sizeof(buf), &len)) {
	case LK_QUERY_ABSENT:
		return dflt;
	case LK_QUERY_FOUND:
		break;
	case LK_QUERY_CONFLICT:
	case LK_QUERY_MALFORMED:
		goto bad;
	}
	/* Digits only: no sign, no '+', no spaces, no hex, no exponent. */
	for (i = 0; i < len; i++) {
		int d = buf[i] - '0';

		if (d < 0 || d > 9)
			goto bad;
		if (d > max || v > (max - d) / 10)
			goto bad;
		v = v * 10 + d;
	}
	return v;
bad:
	/* Only ever set: callers may OR several lookups into one flag. */
	if (bad != NULL)
		*bad = true;
	return dflt;
}
