/* test_sha1.c: FIPS 180 vectors (checked with openssl sha1). */
#include <sodium.h>
#include <string.h>

#include "lk_auth.h"
#include "tap.h"

static void
check(const char *in, size_t len, const char *want, const char *what)
{
	uint8_t d[LK_SHA1_LEN];
	char hex[2 * LK_SHA1_LEN + 1];

	lk_sha1(in, len, d);
	sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
	is_str(hex, want, "sha1 %s", what);
}

int
main(void)
{
	char a1000[1000];
	char b64[64], b55[55], b56[56];

	memset(a1000, 'a', sizeof(a1000));
	check("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "empty");
	check("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d", "abc");
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	    "84983e441c3bd26ebaae4aa1f95129e5e54670f1", "two blocks");
	check(a1000, sizeof(a1000), "291e9a6c66994949b57ba5e650361e98fc36b1ba",
	    "1000 a");
	/* Padding edges: 55, 56 and 64 bytes. */
	memset(b55, 'b', sizeof(b55));
	memset(b56, 'b', sizeof(b56));
	memset(b64, 'b', sizeof(b64));
	check(b55, sizeof(b55), "4d055f5334ac4bca50260deff4707cd8d4fc1454",
	    "55 bytes");
	check(b56, sizeof(b56), "049adea016c8a8e3b7a9054aeeaa8643453bebd9",
	    "56 bytes");
	check(b64, sizeof(b64), "9d682ff9a7018603023176b8c12926c6a15510ee",
	    "64 bytes");
	return tap_done();
}
