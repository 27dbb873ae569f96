/*
 * hashfmt.c: classify stored password hashes by their text.
 *
 * crypto_pwhash_str_verify() and crypt_rn() answer "no" both for a wrong
 * password and for a hash they cannot read. Classifying first keeps the two
 * apart: a hash classified here is one the verifier can read, so a "no"
 * from it means a wrong password, and anything else is a broken account.
 * The checks therefore follow what the verifiers accept, not just the shape.
 */
#include <string.h>

#include "lk_parse.h"

#define HASH_BCRYPT_LEN 60 /* $2b$NN$ and 22 salt + 31 hash characters */

static bool
hash_is_b64(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static unsigned
hash_b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : 63;
}

/*
 * Consume unpadded standard base64 at *pp, up to end or the next '$', of at
 * least minbytes decoded bytes and in canonical form (the unused low bits of
 * the last character zero), as Argon2's own decoder demands.
 */
static bool
hash_b64(const char **pp, const char *end, size_t minbytes)
{
	const char *p = *pp, *start = *pp;
	size_t n;

	while (p < end && hash_is_b64((unsigned char)*p))
		p++;
	n = (size_t)(p - start);
	if (n % 4 == 1 || n * 3 / 4 < minbytes)
		return false;
	if (n % 4 == 2 && (hash_b64val((unsigned char)p[-1]) & 0x0f) != 0)
		return false;
	if (n % 4 == 3 && (hash_b64val((unsigned char)p[-1]) & 0x03) != 0)
		return false;
	*pp = p;
	return true;
}

/*
 * Consume the literal lit at *pp.
 */
static bool
hash_lit(const char **pp, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *pp) < n || memcmp(*pp, lit, n) != 0)
		return false;
	*pp += n;
	return true;
}

/*
 * Consume a decimal number at *pp that fits 32 bits, without leading zeros
 * (libsodium's decoder refuses them).
 */
static bool
hash_u32(const char **pp, const char *end, unsigned long *v)
{
	const char *p = *pp;
	unsigned long n = 0;

	if (p == end || *p < '0' || *p > '9' ||
	    (*p == '0' && p + 1 < end && p[1] >= '0' && p[1] <= '9'))
		return false;
	while (p < end && *p >= '0' && *p <= '9') {
		n = n * 10 + (unsigned long)(*p - '0');
		if (n > 0xffffffffUL)
			return false;
		p++;
	}
	*v = n;
	*pp = p;
	return true;
}

static bool
hash_argon2id(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	unsigned long m, t, par;

	if (len > LK_ARGON2ID_STR_MAX)
		return false;
	if (!hash_lit(&p, end, "$argon2id$v=19$m=") || !hash_u32(&p, end, &m) ||
	    !hash_lit(&p, end, ",t=") || !hash_u32(&p, end, &t) ||
	    !hash_lit(&p, end, ",p=") || !hash_u32(&p, end, &par) ||
	    !hash_lit(&p, end, "$"))
		return false;
	/* Argon2: at least one pass and one lane, and 8 KiB per lane; and
	 * no more than our ceilings. */
	if (t < 1 || t > LK_ARGON2_MAX_T || par < 1 || par > LK_ARGON2_MAX_P ||
	    m < 8 * par || m > LK_ARGON2_MAX_KIB)
		return false;
	/* Salt of 8 bytes at least, hash of 16 at least (Argon2's floors). */
	if (!hash_b64(&p, end, 8) || !hash_lit(&p, end, "$") ||
	    !hash_b64(&p, end, 16))
		return false;
	return p == end;
}

static bool
hash_bcrypt(const char *s, size_t len)
{
	size_t i;
	int cost;

	if (len != HASH_BCRYPT_LEN || s[0] != '$' || s[1] != '2' ||
	    (s[2] != 'a' && s[2] != 'b' && s[2] != 'y') || s[3] != '$')
		return false;
	if (s[4] < '0' || s[4] > '9' || s[5] < '0' || s[5] > '9' || s[6] != '$')
		return false;
	cost = (s[4] - '0') * 10 + (s[5] - '0');
	if (cost < 4 || cost > LK_BCRYPT_MAX_COST)
		return false;
	for (i = 7; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '.' || c == '/'))
			return false;
	}
	return true;
}

static bool
hash_sha1(const char *s, size_t len)
{
	size_t i;

	if (len != 40)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
			(s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

enum lk_hashfmt
lk_hashfmt_classify(const char *hash, size_t len)
{
	if (hash == NULL || len == 0)
		return LK_HASH_UNREADABLE;
	if (hash_argon2id(hash, len))
		return LK_HASH_ARGON2ID;
	if (hash_bcrypt(hash, len))
		return LK_HASH_BCRYPT;
	if (hash_sha1(hash, len))
		return LK_HASH_REDMINE_SHA1;
	return LK_HASH_UNREADABLE;
}
