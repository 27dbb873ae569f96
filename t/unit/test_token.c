/* test_token.c: API key generation, digests, sealing. */
#define _GNU_SOURCE /* memmem */
#include <sodium.h>
#include <string.h>

#include "lk_auth.h"
#include "tap.h"

int
main(void)
{
	uint8_t secret[LK_SECRET_LEN], other_secret[LK_SECRET_LEN];
	struct lk_keys keys, other;
	char k1[LK_KEY_LEN + 1], k2[LK_KEY_LEN + 1], out[LK_KEY_LEN + 1];
	uint8_t d1[LK_DIGEST_LEN], d2[LK_DIGEST_LEN], sealed[LK_SEALED_LEN],
	    sealed2[LK_SEALED_LEN];

	if (lk_secret_init() != LK_OK)
		return 1;
	memset(secret, 7, sizeof(secret));
	memset(other_secret, 8, sizeof(other_secret));
	lk_secret_derive(&keys, secret);
	lk_secret_derive(&other, other_secret);
	ok(memcmp(keys.token_digest, keys.token_seal, 32) != 0 &&
		memcmp(keys.token_seal, keys.session, 32) != 0,
	    "sub-keys differ from each other");

	lk_token_generate(k1);
	lk_token_generate(k2);
	ok(lk_apikey_shape(k1, strlen(k1)), "a key is 40 lowercase hex: %s",
	    k1);
	ok(strcmp(k1, k2) != 0, "two keys differ");

	lk_token_digest(&keys, k1, LK_KEY_LEN, d1);
	lk_token_digest(&keys, k1, LK_KEY_LEN, d2);
	ok(memcmp(d1, d2, sizeof(d1)) == 0, "digest is deterministic");
	lk_token_digest(&other, k1, LK_KEY_LEN, d2);
	ok(memcmp(d1, d2, sizeof(d1)) != 0, "digest depends on the secret");
	lk_token_digest(&keys, k2, LK_KEY_LEN, d2);
	ok(memcmp(d1, d2, sizeof(d1)) != 0, "digest depends on the key");

	lk_token_seal(&keys, k1, sealed);
	lk_token_seal(&keys, k1, sealed2);
	ok(memcmp(sealed, sealed2, sizeof(sealed)) != 0,
	    "sealing uses a fresh nonce");
	ok(memmem(sealed, sizeof(sealed), k1, LK_KEY_LEN) == NULL,
	    "the sealed copy does not hold the key");
	is_int(lk_token_unseal(&keys, sealed, sizeof(sealed), out), LK_OK,
	    "unseal");
	is_str(out, k1, "unsealed key is the key");
	is_int(lk_token_unseal(&other, sealed, sizeof(sealed), out), LK_ECRYPTO,
	    "another secret cannot unseal");
	sealed[30] ^= 1;
	is_int(lk_token_unseal(&keys, sealed, sizeof(sealed), out), LK_ECRYPTO,
	    "a forged copy is refused");
	is_int(lk_token_unseal(&keys, sealed2, sizeof(sealed2) - 1, out),
	    LK_ECRYPTO, "a short copy is refused");
	return tap_done();
}
