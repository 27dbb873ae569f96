/* test_password.c: hashing and verification, with the known-answer vectors
 * of data/password_vectors.tsv (made with independent tools). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk_auth.h"
#include "tap.h"

static const struct lk_password_cost cheap = { 1, 8192 };

static void
vectors(void)
{
	FILE *f = fopen(LK_SOURCE_DIR "/t/unit/data/password_vectors.tsv", "r");
	char line[1024];
	int rows = 0;

	if (!ok(f != NULL, "vector file opens"))
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *want, *pw, *salt, *hash;
		enum lk_pw_verdict v, expect;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		want = strtok(line, "\t");
		pw = strtok(NULL, "\t");
		salt = strtok(NULL, "\t");
		hash = strtok(NULL, "\t");
		if (!ok(want && pw && salt && hash, "row %d well formed", rows))
			continue;
		expect = strcmp(want, "match") == 0      ? LK_PW_MATCH
			 : strcmp(want, "mismatch") == 0 ? LK_PW_MISMATCH
							 : LK_PW_UNREADABLE;
		v = lk_password_verify(
		    hash, strcmp(salt, "-") ? salt : NULL, pw, strlen(pw));
		is_int(v, expect, "%s: '%s' against %.12s...", want, pw, hash);
		rows++;
	}
	fclose(f);
	ok(rows >= 15, "read %d vectors", rows);
}

int
main(void)
{
	char h[LK_HASH_MAX], h2[LK_HASH_MAX];
	const struct lk_password_cost other = { 2, 8192 };
	const char nul_pw[] = "secret-pass-1\0tail";

	if (lk_secret_init() != LK_OK)
		return 1;
	vectors();

	is_int(lk_password_hash(&cheap, "pw", 2, h), LK_OK, "hash");
	ok(strncmp(h, "$argon2id$v=19$m=8,t=1,p=1$", 27) == 0,
	    "argon2id at the configured cost: %s", h);
	is_int(lk_password_verify(h, NULL, "pw", 2), LK_PW_MATCH, "own hash");
	is_int(lk_password_verify(h, NULL, "pW", 2), LK_PW_MISMATCH,
	    "case matters");
	is_int(lk_password_verify(h, NULL, "pw\0", 3), LK_PW_MISMATCH,
	    "a NUL is part of the password");
	is_int(lk_password_hash(&cheap, "pw", 2, h2), LK_OK, "hash again");
	ok(strcmp(h, h2) != 0, "salted: two hashes differ");

	ok(!lk_password_needs_upgrade(&cheap, h), "same cost: no upgrade");
	ok(lk_password_needs_upgrade(&other, h), "other cost: upgrade");
	ok(lk_password_needs_upgrade(&cheap,
	       "$2y$05$qfRaVyMKISWBpZvpF1nS4.Ebi5ueW1ccRd.smf21lOdl.q8n94kaS"),
	    "bcrypt: upgrade");
	ok(lk_password_needs_upgrade(
	       &cheap, "5795b25ba83b511345b08fbc03bb9bf3a9cbcff3"),
	    "Redmine SHA-1: upgrade");
	ok(lk_password_needs_upgrade(&cheap, "garbage"), "garbage: upgrade");

	/* crypt() stops at NUL: a password with one must not match the
	 * prefix before it. */
	is_int(
	    lk_password_verify(
		"$2y$05$qfRaVyMKISWBpZvpF1nS4.Ebi5ueW1ccRd.smf21lOdl.q8n94kaS",
		NULL, nul_pw, sizeof(nul_pw) - 1),
	    LK_PW_MISMATCH, "bcrypt: embedded NUL never matches the prefix");
	/* An argon2id string longer than libsodium's 128-byte buffer. */
	memset(h2, 'A', sizeof(h2) - 1);
	h2[sizeof(h2) - 1] = '\0';
	memcpy(h2, "$argon2id$v=19$m=8,t=1,p=1$", 27);
	ok(lk_password_verify(h2, NULL, "pw", 2) != LK_PW_MATCH,
	    "overlong argon2id string never matches");
	/* A stored hash asking for an unbearable cost is not run. */
	is_int(
	    lk_password_verify(
		"$argon2id$v=19$m=4194304,t=2,p=1$"
		"c29tZXNhbHQxMjM0$CvLRebYm922AmfULiYGPX2iZhCJ1tMVpeiLbNsJAdT8",
		NULL, "correct horse", 13),
	    LK_PW_UNREADABLE, "argon2id asking for 4 GiB: unreadable");
	is_int(
	    lk_password_verify(
		"$argon2id$v=19$m=1024,t=4000000,p=1$"
		"c29tZXNhbHQxMjM0$CvLRebYm922AmfULiYGPX2iZhCJ1tMVpeiLbNsJAdT8",
		NULL, "correct horse", 13),
	    LK_PW_UNREADABLE,
	    "argon2id asking for 4 million passes: "
	    "unreadable");
	return tap_done();
}
