/*
 * files.c: reading the config file and the server secret.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"

int
file_read(const char *path, size_t max, struct buf *out)
{
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (out->len + (size_t)n > max) {
			errno = EFBIG;
			goto fail;
		}
		buf_append(out, chunk, (size_t)n);
	}
	close(fd);
	return 0;
fail:
	n = errno;
	close(fd);
	errno = (int)n;
	return -1;
}

int
config_load(const char *path, struct lk_config *cfg, char *err, size_t errsz)
{
	struct buf b = { 0 };
	struct lk_config c = *cfg;
	int rc = -1;

	if (file_read(path, 1 << 20, &b) != 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (lk_config_parse(
		&c, b.data ? b.data : "", b.len, path, err, errsz) != LK_OK)
		goto out;
	*cfg = c;
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

int
secret_load(
    const char *path, uint8_t secret[LK_SECRET_LEN], char *err, size_t errsz)
{
	struct buf b = { 0 };
	struct stat st;
	int rc = -1;

	if (stat(path, &st) != 0 || file_read(path, 1024, &b) != 0) {
		snprintf(err, errsz, "%s: %s (create it with 'latchkey init')",
		    path, strerror(errno));
		goto out;
	}
	if (b.len != LK_SECRET_LEN) {
		snprintf(err, errsz, "%s: must hold exactly %d bytes, not %zu",
		    path, LK_SECRET_LEN, b.len);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errsz,
		    "%s: readable by others (mode %04o): "
		    "chmod 600 it",
		    path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	memcpy(secret, b.data, LK_SECRET_LEN);
	rc = 0;
out:
	buf_free(&b);
	return rc;
}
