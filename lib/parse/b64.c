/*
 * b64.c: the shape of base64url text. libsodium 1.0.18's decoder reads
 * every byte over 0x7f as '/', so text from outside is checked here before
 * sodium_base642bin sees it (t/fuzz/README, "Known findings").
 */
#include "lk_parse.h"

bool
lk_b64url_shape(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}
