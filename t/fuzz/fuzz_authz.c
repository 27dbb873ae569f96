/*
 * fuzz_authz.c: lk_authz_parse.
 *
 * Whatever comes back must be consistent with the input: a BASIC result
 * re-encodes to exactly the base64 that was sent (so nothing was skipped,
 * added or decoded loosely), a BEARER token is exactly the text after the
 * scheme, and anything else carries no credentials at all.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "lk_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True if s[0..len) is scheme, in any case, followed by a space. */
static bool
has_scheme(const char *s, size_t len, const char *scheme)
{
	size_t i, n = strlen(scheme);

	if (len <= n || s[n] != ' ')
		return false;
	for (i = 0; i < n; i++)
		if ((s[i] | 0x20) != scheme[i])
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lk_authz a;
	static char bin[2 * LK_CRED_MAX + 2], b64[LK_AUTHZ_MAX * 2];
	const char *s = (const char *)data, *cred = s;
	size_t i, clen, blen;

	memset(&a, 0xa5, sizeof(a));
	lk_authz_parse(s, size, &a);

	/* The credentials: past the scheme and its spaces. */
	while (cred < s + size && *cred != ' ')
		cred++;
	while (cred < s + size && *cred == ' ')
		cred++;
	clen = (size_t)(s + size - cred);

	switch (a.kind) {
	case LK_AUTHZ_NONE:
		CHECK(size == 0);
		break;
	case LK_AUTHZ_INVALID:
		CHECK(size > 0);
		break;
	case LK_AUTHZ_BASIC:
		CHECK(size <= LK_AUTHZ_MAX && has_scheme(s, size, "basic"));
		CHECK(a.user_len <= LK_CRED_MAX && a.pass_len <= LK_CRED_MAX);
		CHECK(a.user[a.user_len] == '\0' && a.pass[a.pass_len] == '\0');
		CHECK(memchr(a.user, ':', a.user_len) == NULL);
		memcpy(bin, a.user, a.user_len);
		bin[a.user_len] = ':';
		memcpy(bin + a.user_len + 1, a.pass, a.pass_len);
		blen = a.user_len + 1 + a.pass_len;
		sodium_bin2base64(b64, sizeof(b64), (unsigned char *)bin, blen,
		    cred[clen - 1] == '='
			? sodium_base64_VARIANT_ORIGINAL
			: sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
		CHECK(strlen(b64) == clen && memcmp(b64, cred, clen) == 0);
		break;
	case LK_AUTHZ_BEARER:
		CHECK(size <= LK_AUTHZ_MAX && has_scheme(s, size, "bearer"));
		CHECK(a.user_len > 0 && a.user_len <= LK_CRED_MAX);
		CHECK(a.user[a.user_len] == '\0');
		CHECK(a.user_len == clen && memcmp(a.user, cred, clen) == 0);
		CHECK(a.user[0] != '=');
		for (i = 0; i < a.user_len; i++)
			CHECK(a.user[i] > ' ' && a.user[i] < 0x7f &&
			      a.user[i] != ',' && a.user[i] != '"');
		CHECK(a.pass_len == 0 && a.pass[0] == '\0');
		break;
	default:
		CHECK(!"kind out of range");
	}
	if (a.kind == LK_AUTHZ_NONE || a.kind == LK_AUTHZ_INVALID) {
		CHECK(a.user_len == 0 && a.user[0] == '\0');
		CHECK(a.pass_len == 0 && a.pass[0] == '\0');
	}
	/* Over the bound, nothing parses. */
	if (size > LK_AUTHZ_MAX)
		CHECK(a.kind == LK_AUTHZ_INVALID);
	lk_wipe(&a, sizeof(a));
	return 0;
}
