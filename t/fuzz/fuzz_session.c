/*
 * fuzz_session.c: the sign-in cookie of the pages (app/session.c) and the
 * pre-session CSRF cookie (app/csrf.c), from bytes a browser could send.
 *
 * Input: the first byte picks what to do (byte % 4), the rest is the data:
 *  0  session_cookie_find over the data as a Cookie header: the value
 *     found lies inside the header, holds no ';', follows "s=" at the
 *     start or after a separator, and is found once;
 *  1  session_open of the data: whatever it is, it does not open (no
 *     input can forge the MAC), and *s is untouched;
 *  2  a session made of the data's bytes seals and opens to itself, and
 *     any one byte changed in the sealed value makes it fail;
 *  3  csrf_presession_token: accepted only for 22 base64url characters.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "csrf.h"
#include "session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct lk_keys keys;
static bool ready;

static bool
b64url(const char *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (strchr(
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			"0123456789-_",
			v[i]) == NULL ||
		    v[i] == '\0')
			return false;
	return true;
}

static void
find(const char *hdr)
{
	const char *v = NULL;
	size_t len = 0;
	int r = session_cookie_find(hdr, "s", &v, &len);

	CHECK(r >= -1 && r <= 1);
	if (r != 1)
		return;
	CHECK(v >= hdr + 2 && v + len <= hdr + strlen(hdr));
	CHECK(memchr(v, ';', len) == NULL);
	CHECK(v[-1] == '=' && v[-2] == 's');
	CHECK(v - 2 == hdr || v[-3] == ';' || v[-3] == ' ' || v[-3] == '\t');
}

static void
roundtrip(const uint8_t *d, size_t n)
{
	struct session s, got;
	char v[SESSION_VALUE_MAX + 1];
	size_t len, at;
	uint8_t raw[8 * 3] = { 0 };

	memcpy(raw, d, n < sizeof(raw) ? n : sizeof(raw));
	memcpy(&s.user_id, raw, 8);
	memcpy(&s.expires, raw + 8, 8);
	memcpy(&s.pw_stamp, raw + 16, 8);
	memset(s.seed, n > 0 ? d[0] : 0, sizeof(s.seed));
	session_seal(&keys, &s, v);
	len = strlen(v);
	CHECK(len > 0 && len <= SESSION_VALUE_MAX && b64url(v, len));
	memset(&got, 0, sizeof(got));
	if (s.user_id > 0 && s.expires > INT64_MIN) {
		CHECK(session_open(&keys, v, len, s.expires - 1, &got) == 0);
		CHECK(got.user_id == s.user_id && got.expires == s.expires &&
		      got.pw_stamp == s.pw_stamp &&
		      memcmp(got.seed, s.seed, sizeof(s.seed)) == 0);
		CHECK(session_open(&keys, v, len, s.expires, &got) == -1);
	} else {
		CHECK(session_open(&keys, v, len, INT64_MIN, &got) == -1);
	}
	/* One byte changed anywhere: never opens. */
	at = n > 1 ? d[1] % len : 0;
	v[at] = v[at] == 'A' ? 'B' : 'A';
	CHECK(session_open(&keys, v, len, INT64_MIN, &got) == -1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *str;
	struct session s, before;
	char tok[CSRF_TOKEN_LEN + 1];

	if (!ready) {
		uint8_t secret[LK_SECRET_LEN] = { 7 };

		CHECK(lk_secret_init() == LK_OK);
		lk_secret_derive(&keys, secret);
		ready = true;
	}
	if (size == 0)
		return 0;
	str = malloc(size);
	CHECK(str != NULL);
	memcpy(str, data + 1, size - 1);
	str[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0:
		find(str);
		break;
	case 1:
		memset(&s, 0x5a, sizeof(s));
		before = s;
		CHECK(session_open(&keys, (const char *)data + 1, size - 1,
			  INT64_MIN, &s) == -1);
		CHECK(memcmp(&s, &before, sizeof(s)) == 0);
		break;
	case 2:
		roundtrip(data + 1, size - 1);
		break;
	default:
		if (csrf_presession_token(
			&keys, (const char *)data + 1, size - 1, tok) == 0) {
			CHECK(size - 1 == CSRF_PRESESSION_LEN);
			CHECK(b64url((const char *)data + 1, size - 1));
			CHECK(strlen(tok) == CSRF_TOKEN_LEN);
		}
		break;
	}
	free(str);
	return 0;
}
