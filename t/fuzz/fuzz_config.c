/*
 * fuzz_config.c: lk_config_parse.
 *
 * Input: one byte for the size of err (to exercise truncation), then the
 * file. A success leaves every field in its range; a failure leaves a
 * terminated "FILE:LINE: reason" in err and nothing written past errsz.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lk_parse.h"

#define TERMINATED(f) (memchr((f), '\0', sizeof(f)) != NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lk_config c, c2;
	char err[300], err2[300];
	const char *buf = (const char *)data + 1;
	size_t len, errsz, i;
	enum lk_err rc, rc2;

	if (size < 1)
		return 0;
	errsz = data[0];
	len = size - 1;

	lk_config_defaults(&c);
	memset(err, 0x5a, sizeof(err));
	rc = lk_config_parse(&c, buf, len, "fuzz.conf", err, errsz);
	CHECK(rc == LK_OK || rc == LK_EINVAL);
	for (i = errsz; i < sizeof(err); i++)
		CHECK(err[i] == 0x5a);
	if (errsz > 0)
		CHECK(memchr(err, '\0', errsz) != NULL);

	/* The same again with room for the whole message. */
	lk_config_defaults(&c2);
	rc2 = lk_config_parse(&c2, buf, len, "fuzz.conf", err2, sizeof(err2));
	CHECK(rc2 == rc);
	CHECK(TERMINATED(err2));
	if (rc == LK_OK) {
		CHECK(err2[0] == '\0');
	} else {
		CHECK(strncmp(err2, "fuzz.conf:", 10) == 0);
		CHECK(err2[10] >= '1' && err2[10] <= '9');
		CHECK(strstr(err2, ": ") != NULL);
		/* A truncated message is a prefix of the whole one. */
		if (errsz > 0)
			CHECK(strncmp(err, err2, errsz - 1) == 0);
		for (i = 0; err2[i] != '\0'; i++)
			CHECK((unsigned char)err2[i] >= 0x20 &&
			      (unsigned char)err2[i] < 0x7f);
		return 0;
	}

	CHECK(TERMINATED(c.listen) && c.listen[0] != '\0');
	CHECK(TERMINATED(c.socket_group) && TERMINATED(c.user));
	CHECK(TERMINATED(c.database) && TERMINATED(c.pid_file));
	CHECK(TERMINATED(c.secret_file) && c.secret_file[0] != '\0');
	CHECK(c.socket_mode <= 0777);
	CHECK(c.workers >= 1 && c.workers <= 256);
	CHECK(c.max_requests <= 1000000000);
	CHECK(c.log_level >= LK_LOG_ERROR && c.log_level <= LK_LOG_DEBUG);
	CHECK(c.password_opslimit >= 1 && c.password_opslimit <= 100);
	CHECK(c.password_memlimit >= 8192 && c.password_memlimit <= 4ULL << 30);
	CHECK(c.password_concurrency >= 1 && c.password_concurrency <= 256);
	CHECK(c.throttle_failures <= 1000000);
	CHECK(c.throttle_window >= 1 && c.throttle_window <= 86400);
	CHECK(c.max_body >= 1024 && c.max_body <= 64ULL << 20);
	CHECK(c.graceful_timeout >= 1 && c.graceful_timeout <= 3600);
	CHECK(c.session_lifetime >= 60 && c.session_lifetime <= 31536000);
	CHECK(c.cache_ttl <= 3600);
	return 0;
}
