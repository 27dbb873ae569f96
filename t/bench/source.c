/*
 * source.c: an LD_PRELOAD library that makes a client's IPv4 connections
 * leave from the address in BENCH_SOURCE (any 127.x.y.z is local), so that
 * t/bench/run's flood of wrong passwords comes from another client address
 * than the key requests it runs beside, as it would in the world: wrk
 * cannot choose its source address itself. A bind that fails fails the
 * connect, so a flood from the wrong address shows as errors, not as a
 * quietly different row.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	static int (*next)(int, const struct sockaddr *, socklen_t);
	const char *source = getenv("BENCH_SOURCE");
	struct sockaddr_in from = { .sin_family = AF_INET };

	if (next == NULL &&
	    (next = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(
		 RTLD_NEXT, "connect")) == NULL)
		return -1;
	if (source != NULL && addr->sa_family == AF_INET) {
		if (inet_pton(AF_INET, source, &from.sin_addr) != 1 ||
		    bind(fd, (const struct sockaddr *)&from, sizeof(from)) != 0)
			return -1;
	}
	return next(fd, addr, len);
}
