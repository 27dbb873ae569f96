/*
 * throttle.c: see throttle.h. An open-addressing table of SLOTS entries
 * keyed by a SipHash of the address (keyed at random, so nobody can aim
 * addresses at one slot), under one process-shared robust mutex: a
 * worker that dies holding it does not wedge the pool.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "throttle.h"

#define SLOTS 8192
#define PROBE 8

struct slot {
	uint64_t key;    /* 0: empty */
	uint32_t opened; /* monotonic seconds */
	uint32_t failures;
	uint32_t reported; /* the second of the last refusal reported */
};

struct throttle {
	pthread_mutex_t lock;
	uint8_t hash_key[crypto_shorthash_KEYBYTES];
	struct slot slots[SLOTS];
};

static uint32_t
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_sec;
}

struct throttle *
throttle_create(void)
{
	struct throttle *t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t attr;

	if (t == MAP_FAILED)
		return NULL;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&t->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	randombytes_buf(t->hash_key, sizeof(t->hash_key));
	return t;
}

void
throttle_destroy(struct throttle *t)
{
	if (t != NULL)
		munmap(t, sizeof(*t));
}

static void
lock(struct throttle *t)
{
	if (pthread_mutex_lock(&t->lock) == EOWNERDEAD)
		pthread_mutex_consistent(&t->lock); /* counts stay usable */
}

/*
 * Whom a failure counts against: an IPv4 address, or an IPv6 /64, which
 * is what one client gets (a guesser rotating through its /64 must not
 * start afresh at each address). The hash is keyed at random, so nobody
 * can aim addresses at one slot.
 */
static void
client_hash(const struct throttle *t, const char *addr,
    uint8_t h[crypto_shorthash_BYTES])
{
	struct in6_addr a6;

	if (strchr(addr, ':') != NULL && inet_pton(AF_INET6, addr, &a6) == 1) {
		memset(a6.s6_addr + 8, 0, 8);
		crypto_shorthash(h, a6.s6_addr, 8, t->hash_key);
		return;
	}
	crypto_shorthash(h, (const uint8_t *)addr, strlen(addr), t->hash_key);
}

/* The slot of addr: found, or (with create) claimed: an empty or expired
 * slot first, else the one whose window opened longest ago. Called
 * locked. */
static struct slot *
find(struct throttle *t, const char *addr, unsigned window, bool create)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t key;
	struct slot *s, *victim = NULL;
	bool victim_free = false;
	uint32_t now = now_s();
	size_t i, base;

	client_hash(t, addr, h);
	memcpy(&key, h, sizeof(key));
	key |= 1; /* never 0, which marks an empty slot */
	base = (size_t)(key >> 1) % SLOTS;
	for (i = 0; i < PROBE; i++) {
		s = &t->slots[(base + i) % SLOTS];
		if (s->key == key) {
			if (now - s->opened >= window) {
				s->failures = 0; /* a new window */
				s->opened = now;
			}
			return s;
		}
		if (s->key == 0 || now - s->opened >= window) {
			if (!victim_free)
				victim = s;
			victim_free = true;
		} else if (!victim_free &&
			   (victim == NULL || s->opened < victim->opened)) {
			victim = s;
		}
	}
	if (!create)
		return NULL;
	victim->key = key;
	victim->opened = now;
	victim->failures = 0;
	victim->reported = 0;
	return victim;
}

unsigned
throttle_check(struct throttle *t, const char *addr, unsigned limit,
    unsigned window, bool *report)
{
	struct slot *s;
	unsigned wait = 0;
	uint32_t now;

	*report = false;
	if (t == NULL || limit == 0)
		return 0;
	lock(t);
	now = now_s(); /* after the lock: no window opened later than now */
	s = find(t, addr, window, false);
	if (s != NULL && s->failures >= limit) {
		wait = window - (now - s->opened);
		/* +1: second 0 of the clock is a second like the others. */
		if ((*report = s->reported != now + 1))
			s->reported = now + 1;
	}
	pthread_mutex_unlock(&t->lock);
	return wait;
}

void
throttle_fail(struct throttle *t, const char *addr, unsigned window)
{
	struct slot *s;

	if (t == NULL)
		return;
	lock(t);
	s = find(t, addr, window, true);
	if (s->failures < UINT32_MAX)
		s->failures++;
	pthread_mutex_unlock(&t->lock);
}
