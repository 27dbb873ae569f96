/*
 * test_session.c: the sign-in cookie (session.c), the CSRF tokens
 * (csrf.c) and the HTML escaping of the pages (page_esc).
 */
#include <sodium.h>
#include <stdlib.h>

#include "csrf.h"
#include "page.h"
#include "session.h"
#include "tap.h"

static struct lk_keys keys, other;

static void
test_cookie_find(void)
{
	const char *v = NULL;
	size_t len = 0;
	char *big;

	is_int(session_cookie_find(NULL, "s", &v, &len), 0, "no header");
	is_int(session_cookie_find("", "s", &v, &len), 0, "empty header");
	is_int(session_cookie_find("s=abc", "s", &v, &len), 1, "alone");
	ok(len == 3 && memcmp(v, "abc", 3) == 0, "value abc");
	is_int(session_cookie_find("a=1; s=xyz ;b=2", "s", &v, &len), 1,
	    "among others, with spaces");
	ok(len == 3 && memcmp(v, "xyz", 3) == 0, "value trimmed");
	is_int(session_cookie_find("xs=1; sx=2; s =3", "s", &v, &len), 0,
	    "names must match exactly");
	is_int(session_cookie_find("s=1; s=2", "s", &v, &len), -1,
	    "twice: trust neither");
	is_int(session_cookie_find("s=", "s", &v, &len), 1, "empty value");
	is_int((long long)len, 0, "of length 0");
	is_int(session_cookie_find(";;; s=q;", "s", &v, &len), 1,
	    "stray separators");
	big = malloc(SESSION_HEADER_MAX + 2);
	memset(big, 'a', SESSION_HEADER_MAX + 1);
	memcpy(big, "s=1; x=", 7);
	big[SESSION_HEADER_MAX + 1] = '\0';
	is_int(session_cookie_find(big, "s", &v, &len), -1,
	    "a header over SESSION_HEADER_MAX is ignored");
	big[SESSION_HEADER_MAX] = '\0';
	is_int(session_cookie_find(big, "s", &v, &len), 1,
	    "one at the bound is read");
	free(big);
}

static void
test_seal_open(void)
{
	struct session s, got;
	char v[SESSION_VALUE_MAX + 1], v2[SESSION_VALUE_MAX + 1];
	size_t len;

	session_new(&s, 42, 1700000000123456LL, 1000, 3600);
	is_int(s.expires, 4600, "expires = now + lifetime");
	session_seal(&keys, &s, v);
	len = strlen(v);
	ok(len > 0 && len <= SESSION_VALUE_MAX, "sealed value of %zu bytes",
	    len);
	ok(strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		     "0123456789-_") == len,
	    "base64url without padding");
	memset(&got, 0, sizeof(got));
	is_int(session_open(&keys, v, len, 1000, &got), 0, "opens");
	is_int(got.user_id, 42, "user id");
	is_int(got.expires, 4600, "expiry");
	is_int(got.pw_stamp, 1700000000123456LL, "password stamp");
	ok(memcmp(got.seed, s.seed, SESSION_SEED_LEN) == 0, "seed");
	is_int(session_open(&keys, v, len, 4599, &got), 0,
	    "a second before expiry");
	is_int(session_open(&keys, v, len, 4600, &got), -1, "expired");
	is_int(session_open(&other, v, len, 1000, &got), -1,
	    "under another secret: refused");
	session_seal(&keys, &s, v2);
	ok(strcmp(v, v2) != 0, "a fresh nonce each time");

	v[5] = v[5] == 'A' ? 'B' : 'A';
	is_int(session_open(&keys, v, len, 1000, &got), -1,
	    "a changed character: refused");
	v[5] = v2[5];
	memcpy(v, v2, sizeof(v));
	is_int(session_open(&keys, v, len - 1, 1000, &got), -1, "truncated");
	v[len - 1] = '=';
	is_int(session_open(&keys, v, len, 1000, &got), -1, "not base64url");
	is_int(session_open(&keys, "", 0, 1000, &got), -1, "empty");
	memset(v, 'A', SESSION_VALUE_MAX);
	is_int(session_open(&keys, v, SESSION_VALUE_MAX + 1, 1000, &got), -1,
	    "over-long: refused before decoding");

	/* libsodium 1.0.18 reads a byte over 0x7f as the last letter of
	 * the alphabet: such a value must not open as the real one. */
	{
		char *u = NULL;
		int tries;

		for (tries = 0; tries < 200 && u == NULL; tries++) {
			session_seal(&keys, &s, v);
			u = strchr(v, '_');
		}
		ok(u != NULL, "a sealed value with '_' in it");
		if (u != NULL) {
			is_int(session_open(&keys, v, strlen(v), 1000, &got), 0,
			    "it opens");
			*u = (char)0xff;
			is_int(session_open(&keys, v, strlen(v), 1000, &got),
			    -1, "with '_' as 0xff it does not");
		}
	}

	session_new(&s, 0, 0, 1000, 3600);
	session_seal(&keys, &s, v);
	is_int(session_open(&keys, v, strlen(v), 1000, &got), -1,
	    "user id 0 is nobody");
	session_new(&s, 7, 0, 1000, 3600);
	ok(memcmp(s.seed, got.seed, SESSION_SEED_LEN) != 0,
	    "every session has its own seed");
}

static void
test_csrf(void)
{
	uint8_t seed[SESSION_SEED_LEN] = { 1, 2, 3 };
	char a[CSRF_TOKEN_LEN + 1], b[CSRF_TOKEN_LEN + 1];
	char pre[CSRF_PRESESSION_LEN + 1], c[CSRF_TOKEN_LEN + 1];

	csrf_session_token(&keys, seed, sizeof(seed), a);
	is_int((long long)strlen(a), CSRF_TOKEN_LEN, "token length");
	csrf_session_token(&keys, seed, sizeof(seed), b);
	is_str(a, b, "a seed's token is stable");
	seed[0] = 9;
	csrf_session_token(&keys, seed, sizeof(seed), b);
	ok(strcmp(a, b) != 0, "another seed, another token");
	csrf_session_token(&other, seed, sizeof(seed), c);
	ok(strcmp(b, c) != 0, "another secret, another token");
	ok(csrf_check(a, a, strlen(a)), "check: the same token");
	ok(!csrf_check(a, b, strlen(b)), "check: another token");
	ok(!csrf_check(a, a, strlen(a) - 1), "check: a prefix");
	ok(!csrf_check("", "", 0), "check: empty expected matches nothing");

	csrf_presession_new(pre);
	is_int((long long)strlen(pre), CSRF_PRESESSION_LEN,
	    "pre-session value length");
	is_int(csrf_presession_token(&keys, pre, strlen(pre), a), 0,
	    "pre-session token");
	is_int(csrf_presession_token(&keys, pre, strlen(pre), b), 0, "again");
	is_str(a, b, "stable for one cookie");
	is_int(csrf_presession_token(&keys, pre, strlen(pre) - 1, b), -1,
	    "a short cookie: refused");
	pre[3] = (char)0xff;
	is_int(csrf_presession_token(&keys, pre, strlen(pre), b), -1,
	    "a high byte: refused");
	pre[3] = '*';
	is_int(csrf_presession_token(&keys, pre, strlen(pre), b), -1,
	    "not base64url: refused");
	/* The same 16 bytes as a session seed and as a pre-session value
	 * give different tokens: one can never stand for the other. */
	memset(seed, 0, sizeof(seed));
	csrf_session_token(&keys, seed, sizeof(seed), a);
	is_int(csrf_presession_token(
		   &keys, "AAAAAAAAAAAAAAAAAAAAAA", CSRF_PRESESSION_LEN, b),
	    0, "an all-zero pre-session");
	ok(strcmp(a, b) != 0, "labels keep the two kinds apart");
}

static void
test_escape(void)
{
	struct buf b = { 0 };

	page_esc(&b, "<script>alert(\"x\" & 'y')</script>");
	is_str(b.data,
	    "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)"
	    "&lt;/script&gt;",
	    "page_esc: & < > \" '");
	buf_reset(&b);
	page_esc(&b, "plain text, ünïcode");
	is_str(b.data, "plain text, ünïcode", "page_esc: the rest as is");
	buf_reset(&b);
	page_esc(&b, NULL);
	page_esc(&b, "");
	is_int((long long)b.len, 0, "page_esc: NULL and empty add nothing");
	buf_free(&b);
}

int
main(void)
{
	uint8_t secret[LK_SECRET_LEN] = { 1 }, secret2[LK_SECRET_LEN] = { 2 };

	if (lk_secret_init() != LK_OK)
		return 1;
	lk_secret_derive(&keys, secret);
	lk_secret_derive(&other, secret2);
	test_cookie_find();
	test_seal_open();
	test_csrf();
	test_escape();
	return tap_done();
}
