/*
 * apikey.c: the shape of an API key, and trimming of header values.
 */
#include "lk_parse.h"

bool
lk_apikey_shape(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || len != LK_KEY_LEN)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/* Lowercase only: keys are compared as stored, exactly. */
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

const char *
lk_trim(const char *s, size_t *len)
{
	size_t n = *len;

	if (s == NULL) {
		*len = 0;
		return s;
	}
	while (n > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*len = n;
	return s;
}
