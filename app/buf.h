/*
 * buf.h: a growable byte buffer (redis's sds, smaller). The buffer owns
 * data; data is always NUL-terminated when non-NULL. Allocation failure
 * aborts: a worker out of memory cannot answer anything sensible, and the
 * master respawns it.
 */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_append(struct buf *b, const void *p, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Empty it but keep the memory (for the next request). */
void buf_reset(struct buf *b);
/* Release the memory, wiping it first (it may have held a secret). */
void buf_free(struct buf *b);

#endif
