/*
 * gate.h: a pool-wide cap on concurrent password hashing (argon2id takes
 * password_memlimit bytes per check, so N workers hashing at once take N
 * times that). A System V semaphore made by the master before it forks:
 * SEM_UNDO gives a slot back when a worker dies holding it.
 */
#ifndef GATE_H
#define GATE_H

#include <stdbool.h>

/* Make a gate of slots slots: its id, or -1 (errno set). */
int gate_create(unsigned slots);
void gate_destroy(int id);

/* Take a slot if one is free, without waiting: false if none is. */
bool gate_enter(int id);
void gate_leave(int id);

#endif
