/*
 * token.c: API keys. A key is never stored as it is: the tokens table holds
 * a keyed BLAKE2b digest (for lookup through a unique index) and a
 * secretbox-sealed copy (so its owner can see it again). A database dump
 * without the server secret reveals neither.
 */
#include <assert.h>
#include <sodium.h>
#include <string.h>

#include "lk_auth.h"

void
lk_token_generate(char out[LK_KEY_LEN + 1])
{
	uint8_t raw[LK_KEY_LEN / 2];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, LK_KEY_LEN + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

void
lk_token_digest(const struct lk_keys *keys, const char *key, size_t len,
    uint8_t out[LK_DIGEST_LEN])
{
	crypto_generichash(out, LK_DIGEST_LEN, (const uint8_t *)key, len,
	    keys->token_digest, sizeof(keys->token_digest));
}

void
lk_token_seal(const struct lk_keys *keys, const char key[LK_KEY_LEN],
    uint8_t out[LK_SEALED_LEN])
{
	static_assert(LK_SEALED_LEN == crypto_secretbox_NONCEBYTES +
					   crypto_secretbox_MACBYTES +
					   LK_KEY_LEN,
	    "sealed size");

	randombytes_buf(out, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES,
	    (const uint8_t *)key, LK_KEY_LEN, out, keys->token_seal);
}

enum lk_err
lk_token_unseal(const struct lk_keys *keys, const uint8_t *sealed, size_t len,
    char out[LK_KEY_LEN + 1])
{
	uint8_t plain[LK_KEY_LEN];

	if (len != LK_SEALED_LEN)
		return LK_ECRYPTO;
	if (crypto_secretbox_open_easy(plain,
		sealed + crypto_secretbox_NONCEBYTES,
		len - crypto_secretbox_NONCEBYTES, sealed,
		keys->token_seal) != 0)
		return LK_ECRYPTO;
	memcpy(out, plain, LK_KEY_LEN);
	out[LK_KEY_LEN] = '\0';
	sodium_memzero(plain, sizeof(plain));
	return LK_OK;
}
