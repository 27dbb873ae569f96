/*
 * gate.c: see gate.h.
 */
#define _GNU_SOURCE /* semtimedop */
#include <errno.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <time.h>

#include "gate.h"

/* Long enough to ride out a burst of logins, short enough that a flood
 * of guesses cannot park every worker here. */
#define WAIT_NS 250000000L

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

int
gate_create(unsigned slots)
{
	union semun arg = { .val = (int)slots };
	int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);

	if (id < 0)
		return -1;
	if (semctl(id, 0, SETVAL, arg) != 0) {
		gate_destroy(id);
		return -1;
	}
	return id;
}

void
gate_destroy(int id)
{
	if (id >= 0)
		semctl(id, 0, IPC_RMID);
}

bool
gate_enter(int id)
{
	struct sembuf op = { 0, -1, SEM_UNDO };
	struct timespec wait = { 0, WAIT_NS };

	if (id < 0)
		return true;
	while (semtimedop(id, &op, 1, &wait) != 0)
		if (errno != EINTR)
			return false;
	return true;
}

void
gate_leave(int id)
{
	struct sembuf op = { 0, 1, SEM_UNDO };

	if (id >= 0)
		semop(id, &op, 1);
}
