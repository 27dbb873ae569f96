/*
 * tap.h: the smallest Test Anything Protocol emitter, for prove.
 * A test program calls ok()/is_int()/is_str() and returns tap_done().
 */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 2, 3))) static int
ok(int pass, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", pass ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass)
		tap_failed++;
	return pass;
}

#define is_int(got, want, ...)                                                 \
	do {                                                                   \
		long long g_ = (got), w_ = (want);                             \
		if (!ok(g_ == w_, __VA_ARGS__))                                \
			printf("#   got %lld, want %lld (%s:%d)\n", g_, w_,    \
			    __FILE__, __LINE__);                               \
	} while (0)

#define is_str(got, want, ...)                                                 \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		if (!ok(g_ && w_ && strcmp(g_, w_) == 0, __VA_ARGS__))         \
			printf("#   got '%s', want '%s' (%s:%d)\n",            \
			    g_ ? g_ : "(null)", w_ ? w_ : "(null)", __FILE__,  \
			    __LINE__);                                         \
	} while (0)

static int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
