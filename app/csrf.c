/*
 * csrf.c: see csrf.h. The two kinds of seed are hashed under different
 * labels, so a pre-session value can never stand for a session's seed.
 */
#include <sodium.h>
#include <string.h>

#include "csrf.h"

#define B64_VARIANT      sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define PRESESSION_BYTES 16

_Static_assert(sodium_base64_ENCODED_LEN(32, B64_VARIANT) == CSRF_TOKEN_LEN + 1,
    "CSRF_TOKEN_LEN is base64url of 32 bytes");
_Static_assert(sodium_base64_ENCODED_LEN(PRESESSION_BYTES, B64_VARIANT) ==
		   CSRF_PRESESSION_LEN + 1,
    "CSRF_PRESESSION_LEN is base64url of 16");

static void
derive(const struct lk_keys *keys, const char *label, const uint8_t *seed,
    size_t seedlen, char out[CSRF_TOKEN_LEN + 1])
{
	crypto_generichash_state st;
	uint8_t mac[32];

	crypto_generichash_init(
	    &st, keys->csrf, sizeof(keys->csrf), sizeof(mac));
	/* The label with its NUL: "session" cannot run into its seed. */
	crypto_generichash_update(
	    &st, (const uint8_t *)label, strlen(label) + 1);
	crypto_generichash_update(&st, seed, seedlen);
	crypto_generichash_final(&st, mac, sizeof(mac));
	sodium_bin2base64(
	    out, CSRF_TOKEN_LEN + 1, mac, sizeof(mac), B64_VARIANT);
	sodium_memzero(mac, sizeof(mac));
	sodium_memzero(&st, sizeof(st));
}

void
csrf_session_token(const struct lk_keys *keys, const uint8_t *seed,
    size_t seedlen, char out[CSRF_TOKEN_LEN + 1])
{
	derive(keys, "latchkey session csrf", seed, seedlen, out);
}

void
csrf_presession_new(char out[CSRF_PRESESSION_LEN + 1])
{
	uint8_t raw[PRESESSION_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(
	    out, CSRF_PRESESSION_LEN + 1, raw, sizeof(raw), B64_VARIANT);
}

int
csrf_presession_token(const struct lk_keys *keys, const char *v, size_t len,
    char out[CSRF_TOKEN_LEN + 1])
{
	uint8_t raw[PRESESSION_BYTES];
	size_t rawlen = 0;
	const char *end = NULL;

	/* Our alphabet only: libsodium 1.0.18 reads high bytes as '/'. */
	if (len != CSRF_PRESESSION_LEN || !lk_b64url_shape(v, len) ||
	    sodium_base642bin(raw, sizeof(raw), v, len, NULL, &rawlen, &end,
		B64_VARIANT) != 0 ||
	    rawlen != sizeof(raw) || end != v + len)
		return -1;
	derive(keys, "latchkey presession csrf", raw, sizeof(raw), out);
	return 0;
}

bool
csrf_check(const char *expected, const char *got, size_t len)
{
	/* Lengths are public (always CSRF_TOKEN_LEN); contents are not. */
	return strlen(expected) == CSRF_TOKEN_LEN && len == CSRF_TOKEN_LEN &&
	       sodium_memcmp(expected, got, CSRF_TOKEN_LEN) == 0;
}
