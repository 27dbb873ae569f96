/*
 * gate.c: see gate.h.
 */
#include <errno.h>
#include <sys/ipc.h>
#include <sys/sem.h>

#include "gate.h"

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

/*
 * No waiting: a worker that found every slot taken answers 503 at once.
 * Waiting even a little would let a flood of guesses park every worker
 * here while requests with keys queue behind them (t/bench/run, row 7).
 */
bool
gate_enter(int id)
{
	struct sembuf op = { 0, -1, SEM_UNDO | IPC_NOWAIT };

	if (id < 0)
		return true;
	while (semop(id, &op, 1) != 0)
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
