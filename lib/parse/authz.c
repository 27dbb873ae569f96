/*
 * authz.c: the Authorization header (RFC 7235 syntax, RFC 7617 Basic,
 * RFC 6750 Bearer).
 *
 * The grammar is taken strictly. In particular nothing may follow the
 * credentials: nginx joins a repeated header with ", ", and a request with
 * two Authorization values is an ambiguity, not a choice for us to make.
 */
#include <string.h>

#include <sodium.h>

#include "lk_parse.h"

/* The decoded size of the longest base64 that fits LK_AUTHZ_MAX. */
#define AUTHZ_BIN_MAX (LK_AUTHZ_MAX / 4 * 3 + 3)

/* ASCII-only case folding: strncasecmp follows the locale. */
static bool
authz_scheme_is(const char *s, size_t len, const char *scheme)
{
	size_t i;

	if (len != strlen(scheme))
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c != (unsigned char)scheme[i])
			return false;
	}
	return true;
}

static bool
authz_basic(const char *b64, size_t len, struct lk_authz *out)
{
	unsigned char bin[AUTHZ_BIN_MAX];
	const char *b64_end = NULL;
	const unsigned char *colon;
	size_t binlen = 0, ulen, plen, i;
	bool ok = false;
	int variant;

	/*
	 * libsodium 1.0.18 decodes every byte over 0x7f as '/' (its decoder
	 * takes a signed char), so it cannot be trusted with the alphabet:
	 * check it here, the padding is left to it.
	 */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)b64[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '+' || c == '/' ||
			c == '='))
			return false;
	}
	/* Padding is optional, but if present it must be right. */
	variant = b64[len - 1] == '='
		      ? sodium_base64_VARIANT_ORIGINAL
		      : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
	/*
	 * sodium_base642bin stops quietly at the first byte outside the
	 * alphabet: only b64_end tells that something followed.
	 */
	if (sodium_base642bin(bin, sizeof(bin), b64, len, NULL, &binlen,
		&b64_end, variant) != 0 ||
	    b64_end != b64 + len)
		goto out;
	if ((colon = memchr(bin, ':', binlen)) == NULL)
		goto out;
	ulen = (size_t)(colon - bin);
	plen = binlen - ulen - 1;
	if (ulen > LK_CRED_MAX || plen > LK_CRED_MAX)
		goto out;
	memcpy(out->user, bin, ulen);
	out->user[ulen] = '\0';
	out->user_len = ulen;
	memcpy(out->pass, colon + 1, plen);
	out->pass[plen] = '\0';
	out->pass_len = plen;
	ok = true;
out:
	lk_wipe(bin, sizeof(bin));
	return ok;
}

/* RFC 6750 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" /
 * "/" ) *"=" */
static bool
authz_bearer(const char *tok, size_t len, struct lk_authz *out)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)tok[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '.' ||
			c == '_' || c == '~' || c == '+' || c == '/'))
			break;
		i++;
	}
	if (i == 0)
		return false;
	while (i < len && tok[i] == '=')
		i++;
	if (i != len || len > LK_CRED_MAX)
		return false;
	memcpy(out->user, tok, len);
	out->user[len] = '\0';
	out->user_len = len;
	return true;
}

void
lk_authz_parse(const char *value, size_t len, struct lk_authz *out)
{
	const char *sp, *cred, *end;

	/* Start from nothing, so no earlier secret survives a failure. */
	lk_wipe(out, sizeof(*out));
	out->kind = LK_AUTHZ_NONE;
	if (value == NULL || len == 0)
		return;
	out->kind = LK_AUTHZ_INVALID;
	if (len > LK_AUTHZ_MAX)
		return;

	end = value + len;
	if ((sp = memchr(value, ' ', len)) == NULL)
		return; /* a bare scheme */
	for (cred = sp; cred < end && *cred == ' '; cred++)
		continue;
	if (cred == end)
		return; /* a scheme and spaces */

	if (authz_scheme_is(value, (size_t)(sp - value), "basic")) {
		if (authz_basic(cred, (size_t)(end - cred), out))
			out->kind = LK_AUTHZ_BASIC;
	} else if (authz_scheme_is(value, (size_t)(sp - value), "bearer")) {
		if (authz_bearer(cred, (size_t)(end - cred), out))
			out->kind = LK_AUTHZ_BEARER;
	}
	/* Both helpers write the parts only on success: INVALID stays empty. */
}
