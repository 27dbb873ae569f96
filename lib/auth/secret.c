/*
 * secret.c: one server secret, several independent sub-keys.
 *
 * Each use of the secret gets its own key (crypto_kdf), so a weakness in
 * one use (say, a cookie oracle) says nothing about the others.
 */
#include <assert.h>
#include <sodium.h>

#include "lk_auth.h"

/* crypto_kdf contexts are exactly 8 characters. */
#define LK_KDF_CONTEXT "latchkey"

enum lk_subkey_id {
	LK_SUBKEY_TOKEN_DIGEST = 1,
	LK_SUBKEY_TOKEN_SEAL,
	LK_SUBKEY_SESSION,
	LK_SUBKEY_CSRF,
	LK_SUBKEY_CACHE,
};

enum lk_err
lk_secret_init(void)
{
	return sodium_init() < 0 ? LK_ECRYPTO : LK_OK;
}

void
lk_secret_derive(struct lk_keys *out, const uint8_t secret[LK_SECRET_LEN])
{
	static_assert(LK_SECRET_LEN == crypto_kdf_KEYBYTES, "secret size");

	crypto_kdf_derive_from_key(out->token_digest, sizeof(out->token_digest),
	    LK_SUBKEY_TOKEN_DIGEST, LK_KDF_CONTEXT, secret);
	crypto_kdf_derive_from_key(out->token_seal, sizeof(out->token_seal),
	    LK_SUBKEY_TOKEN_SEAL, LK_KDF_CONTEXT, secret);
	crypto_kdf_derive_from_key(out->session, sizeof(out->session),
	    LK_SUBKEY_SESSION, LK_KDF_CONTEXT, secret);
	crypto_kdf_derive_from_key(out->csrf, sizeof(out->csrf), LK_SUBKEY_CSRF,
	    LK_KDF_CONTEXT, secret);
	crypto_kdf_derive_from_key(out->cache, sizeof(out->cache),
	    LK_SUBKEY_CACHE, LK_KDF_CONTEXT, secret);
}
