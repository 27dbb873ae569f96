/*
 * fuzz_hashfmt.c: lk_hashfmt_classify.
 *
 * Besides the shape of each class, argon2id strings are checked against
 * libsodium's own decoder, both ways: what we call ARGON2ID it must be
 * able to read, and what it reads as argon2id version 19 we must accept
 * (ASCII only, see below).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "lk_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char str[crypto_pwhash_STRBYTES];
	enum lk_hashfmt h;
	size_t i;
	bool sodium_reads = false, nul = memchr(s, '\0', size) != NULL;
	bool ascii = true;

	for (i = 0; i < size; i++)
		if ((unsigned char)s[i] >= 0x80)
			ascii = false;

	h = lk_hashfmt_classify(s, size);
	CHECK(h == LK_HASH_UNREADABLE || h == LK_HASH_ARGON2ID ||
	      h == LK_HASH_BCRYPT || h == LK_HASH_REDMINE_SHA1);
	CHECK(size > 0 || h == LK_HASH_UNREADABLE);
	if (h != LK_HASH_UNREADABLE)
		CHECK(!nul);

	/* libsodium reads argon2id strings shorter than 128 bytes. */
	if (!nul && size < sizeof(str)) {
		memset(str, 0, sizeof(str));
		memcpy(str, s, size);
		sodium_reads = size >= 15 &&
			       memcmp(s, "$argon2id$v=19$", 15) == 0 &&
			       crypto_pwhash_argon2id_str_needs_rehash(str, 1,
				   crypto_pwhash_argon2id_MEMLIMIT_MIN) != -1;
		if (h == LK_HASH_ARGON2ID)
			CHECK(sodium_reads);
		/*
		 * The other way only for ASCII: libsodium 1.0.18's base64
		 * decoder, which its Argon2 decoder uses, reads any byte
		 * over 0x7f as '/' (it feeds a signed char to a decoder
		 * written for 0..255); we rightly refuse those. See
		 * corpus/fuzz_hashfmt/argon2id-high-bytes.
		 */
		if (sodium_reads && ascii)
			CHECK(h == LK_HASH_ARGON2ID);
	}

	switch (h) {
	case LK_HASH_ARGON2ID:
		CHECK(size < 256 && memcmp(s, "$argon2id$v=19$m=", 17) == 0);
		break;
	case LK_HASH_BCRYPT:
		CHECK(size == 60 && s[0] == '$' && s[1] == '2' && s[3] == '$' &&
		      s[6] == '$');
		for (i = 7; i < size; i++)
			CHECK(s[i] != '$' && s[i] != '+');
		break;
	case LK_HASH_REDMINE_SHA1:
		CHECK(size == 40);
		for (i = 0; i < size; i++)
			CHECK((s[i] >= '0' && s[i] <= '9') ||
			      (s[i] >= 'a' && s[i] <= 'f'));
		break;
	case LK_HASH_UNREADABLE:
		break;
	}
	return 0;
}
