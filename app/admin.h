/*
 * admin.h: the latchkey admin tool's shared parts. Each command is a
 * function of (admin, argc, argv) with argv[0] the command's name, that
 * prints its own --help and errors and returns the exit status.
 */
#ifndef ADMIN_H
#define ADMIN_H

#include "app.h"

struct admin {
	const char *conf_path;
	struct lk_config cfg;
	struct app app;
	bool opened;
};

/* Read the secret and connect to the database: 0, or 1 (printed). */
int admin_open(struct admin *ad);
/* A password from the terminal (no echo, asked twice when confirm) or one
 * line of standard input; never from argv. 0, or 1 (printed). */
int admin_read_password(const char *prompt, bool confirm, char *out,
    size_t size);
/* The id of the user with this login (case-insensitive): >0, 0 if none
 * (printed), -1 on a database error (printed). */
long long admin_user_id(struct admin *ad, const char *login);
/* True if argv holds -h or --help. */
bool admin_wants_help(int argc, char **argv);

int admin_user(struct admin *ad, int argc, char **argv);
int admin_load(struct admin *ad, int argc, char **argv);

#endif
