/*
 * password.c: hashing new passwords (argon2id) and verifying stored hashes
 * of every accepted form. The stored hash is classified first (hashfmt.c),
 * because crypto_pwhash_str_verify answers -1 both for a wrong password
 * and for a malformed hash, and "denied" must stay apart from "broken".
 */
#include <crypt.h>
#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "lk_auth.h"

enum lk_err
lk_password_hash(const struct lk_password_cost *cost, const char *pw,
    size_t pwlen, char out[LK_HASH_MAX])
{
	char str[crypto_pwhash_STRBYTES];

	static_assert(crypto_pwhash_STRBYTES <= LK_HASH_MAX, "hash size");
	if (crypto_pwhash_str_alg(str, pw, pwlen, cost->opslimit,
		cost->memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return LK_ENOMEM;
	memcpy(out, str, sizeof(str));
	return LK_OK;
}

_Static_assert(LK_ARGON2ID_STR_MAX < crypto_pwhash_STRBYTES,
    "a classified argon2id string fits libsodium's buffer");

/* hash: classified LK_HASH_ARGON2ID (its length and costs are bounded). */
static enum lk_pw_verdict
verify_argon2id(const char *hash, const char *pw, size_t pwlen)
{
	/* libsodium 1.0.18 reads a 128-byte array whatever the string. */
	char str[crypto_pwhash_STRBYTES] = { 0 };

	memcpy(str, hash, strlen(hash));
	return crypto_pwhash_str_verify(str, pw, pwlen) == 0 ? LK_PW_MATCH
							     : LK_PW_MISMATCH;
}

static enum lk_pw_verdict
verify_bcrypt(const char *hash, const char *pw, size_t pwlen)
{
	struct crypt_data data;
	char phrase[LK_CRED_MAX + 1];
	const char *got;
	enum lk_pw_verdict v = LK_PW_MISMATCH;
	size_t len = strlen(hash);

	/* crypt() takes a C string: a password with a NUL in it would be
	 * cut short and could match a prefix, so it never matches. */
	if (pwlen > LK_CRED_MAX || memchr(pw, '\0', pwlen) != NULL)
		return LK_PW_MISMATCH;
	memcpy(phrase, pw, pwlen);
	phrase[pwlen] = '\0';
	memset(&data, 0, sizeof(data));
	got = crypt_rn(phrase, hash, &data, sizeof(data));
	if (got == NULL || got[0] == '*')
		v = LK_PW_UNREADABLE;
	else if (strlen(got) == len && sodium_memcmp(got, hash, len) == 0)
		v = LK_PW_MATCH;
	sodium_memzero(phrase, sizeof(phrase));
	sodium_memzero(&data, sizeof(data));
	return v;
}

/* Redmine: hashed_password = SHA1(salt + SHA1(password)), both in hex. */
static enum lk_pw_verdict
verify_redmine_sha1(
    const char *hash, const char *salt, const char *pw, size_t pwlen)
{
	uint8_t digest[LK_SHA1_LEN];
	char buf[LK_HASH_MAX + 2 * LK_SHA1_LEN + 1];
	char hex[2 * LK_SHA1_LEN + 1];
	size_t saltlen = salt ? strlen(salt) : 0;
	enum lk_pw_verdict v;

	if (saltlen >= LK_HASH_MAX)
		return LK_PW_UNREADABLE;
	lk_sha1(pw, pwlen, digest);
	memcpy(buf, salt, saltlen);
	sodium_bin2hex(
	    buf + saltlen, sizeof(buf) - saltlen, digest, sizeof(digest));
	lk_sha1(buf, saltlen + 2 * LK_SHA1_LEN, digest);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	v = sodium_memcmp(hex, hash, 2 * LK_SHA1_LEN) == 0 ? LK_PW_MATCH
							   : LK_PW_MISMATCH;
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(digest, sizeof(digest));
	return v;
}

enum lk_pw_verdict
lk_password_verify(
    const char *hash, const char *salt, const char *pw, size_t pwlen)
{
	switch (lk_hashfmt_classify(hash, strlen(hash))) {
	case LK_HASH_ARGON2ID:
		return verify_argon2id(hash, pw, pwlen);
	case LK_HASH_BCRYPT:
		return verify_bcrypt(hash, pw, pwlen);
	case LK_HASH_REDMINE_SHA1:
		return verify_redmine_sha1(hash, salt, pw, pwlen);
	case LK_HASH_UNREADABLE:
		break;
	}
	return LK_PW_UNREADABLE;
}

bool
lk_password_needs_upgrade(const struct lk_password_cost *cost, const char *hash)
{
	char str[crypto_pwhash_STRBYTES] = { 0 };
	size_t len = strlen(hash);

	if (lk_hashfmt_classify(hash, len) != LK_HASH_ARGON2ID ||
	    len >= sizeof(str))
		return true;
	memcpy(str, hash, len);
	return crypto_pwhash_str_needs_rehash(
		   str, cost->opslimit, cost->memlimit) != 0;
}
