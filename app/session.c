/*
 * session.c: see session.h.
 *
 * The sealed payload is version (1 byte), user id, expiry and password
 * stamp (8 bytes each, big-endian) and the CSRF seed: fixed length, so a
 * value of any other length is refused before libsodium sees it.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "session.h"

#define SESSION_VERSION 1
#define PAYLOAD_LEN     (1 + 8 + 8 + 8 + SESSION_SEED_LEN)
#define SEALED_LEN                                                             \
	(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + PAYLOAD_LEN)
#define B64_VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING

_Static_assert(
    sodium_base64_ENCODED_LEN(SEALED_LEN, B64_VARIANT) <= SESSION_VALUE_MAX + 1,
    "a sealed session fits SESSION_VALUE_MAX");

int
session_cookie_find(
    const char *hdr, const char *name, const char **value, size_t *vlen)
{
	size_t namelen = strlen(name), len;
	const char *p, *end, *next, *v = NULL, *vend;
	int found = 0;

	if (hdr == NULL)
		return 0;
	len = strnlen(hdr, SESSION_HEADER_MAX + 1);
	if (len > SESSION_HEADER_MAX)
		return -1;
	end = hdr + len;
	for (p = hdr; p < end; p = next + 1) {
		next = memchr(p, ';', (size_t)(end - p));
		if (next == NULL)
			next = end;
		while (p < next && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(next - p) <= namelen || p[namelen] != '=' ||
		    memcmp(p, name, namelen) != 0)
			continue;
		if (found++)
			return -1;
		v = p + namelen + 1;
		for (vend = next;
		     vend > v && (vend[-1] == ' ' || vend[-1] == '\t');)
			vend--;
		*vlen = (size_t)(vend - v);
	}
	if (found)
		*value = v;
	return found;
}

static void
put64(uint8_t *p, int64_t v)
{
	uint64_t u = (uint64_t)v;
	int i;

	for (i = 7; i >= 0; i--, u >>= 8)
		p[i] = (uint8_t)(u & 0xff);
}

static int64_t
get64(const uint8_t *p)
{
	uint64_t u = 0;
	int i;

	for (i = 0; i < 8; i++)
		u = (u << 8) | p[i];
	return (int64_t)u;
}

void
session_new(struct session *s, int64_t user_id, int64_t pw_stamp, int64_t now,
    unsigned lifetime)
{
	s->user_id = user_id;
	s->expires = now + (int64_t)lifetime;
	s->pw_stamp = pw_stamp;
	randombytes_buf(s->seed, sizeof(s->seed));
}

void
session_seal(const struct lk_keys *keys, const struct session *s,
    char out[SESSION_VALUE_MAX + 1])
{
	uint8_t payload[PAYLOAD_LEN], sealed[SEALED_LEN];
	uint8_t *nonce = sealed;

	payload[0] = SESSION_VERSION;
	put64(payload + 1, s->user_id);
	put64(payload + 9, s->expires);
	put64(payload + 17, s->pw_stamp);
	memcpy(payload + 25, s->seed, SESSION_SEED_LEN);
	randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(sealed + crypto_secretbox_NONCEBYTES, payload,
	    sizeof(payload), nonce, keys->session);
	sodium_bin2base64(
	    out, SESSION_VALUE_MAX + 1, sealed, sizeof(sealed), B64_VARIANT);
	sodium_memzero(payload, sizeof(payload));
}

int
session_open(const struct lk_keys *keys, const char *v, size_t len, int64_t now,
    struct session *s)
{
	uint8_t payload[PAYLOAD_LEN], sealed[SEALED_LEN];
	size_t binlen = 0;
	const char *b64end = NULL;
	struct session got;
	int rc = -1;

	if (len == 0 || len > SESSION_VALUE_MAX)
		return -1;
	/* libsodium 1.0.18 decodes bytes over 0x7f as '/' (t/fuzz/README):
	 * only our alphabet reaches it, so one value has one reading. */
	if (!lk_b64url_shape(v, len))
		return -1;
	if (sodium_base642bin(sealed, sizeof(sealed), v, len, NULL, &binlen,
		&b64end, B64_VARIANT) != 0 ||
	    binlen != sizeof(sealed) || b64end != v + len)
		return -1;
	if (crypto_secretbox_open_easy(payload,
		sealed + crypto_secretbox_NONCEBYTES,
		sizeof(sealed) - crypto_secretbox_NONCEBYTES, sealed,
		keys->session) != 0)
		return -1;
	if (payload[0] != SESSION_VERSION)
		goto out;
	got.user_id = get64(payload + 1);
	got.expires = get64(payload + 9);
	got.pw_stamp = get64(payload + 17);
	memcpy(got.seed, payload + 25, SESSION_SEED_LEN);
	if (got.user_id <= 0 || got.expires <= now)
		goto out;
	*s = got;
	rc = 0;
out:
	sodium_memzero(payload, sizeof(payload));
	sodium_memzero(&got, sizeof(got));
	return rc;
}

void
session_set_cookie(struct response *resp, const char *name, const char *value,
    const char *path, bool secure)
{
	/* Expiring a cookie: an empty value dated in the past, both ways. */
	buf_printf(&resp->headers,
	    "Set-Cookie: %s=%s; Path=%s; HttpOnly; SameSite=Lax%s%s\r\n", name,
	    value != NULL ? value : "", path,
	    value != NULL
		? ""
		: "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
	    secure ? "; Secure" : "");
}
