/*
 * utf8.c: strict UTF-8 validation (RFC 3629): no overlong forms, no
 * surrogates, nothing above U+10FFFF, and no NUL bytes, which C strings
 * and PostgreSQL text cannot hold; and counting characters.
 */
#include "lk_parse.h"

bool
lk_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, k;
	unsigned char lo, hi;

	while (i < len) {
		unsigned char c = p[i];

		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		/*
		 * The second byte's range depends on the first: that is
		 * where overlongs (E0, F0), surrogates (ED) and code points
		 * past U+10FFFF (F4) are excluded (RFC 3629, section 4).
		 */
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else
			return false; /* 80..C1 and F5..FF never start */
		if (len - i - 1 < n)
			return false;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return false;
		for (k = 2; k <= n; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xbf)
				return false;
		i += n + 1;
	}
	return true;
}

size_t
lk_utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}
