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
int admin_read_password(
    const char *prompt, bool confirm, char *out, size_t size);
/* The id of the user with this login (case-insensitive): >0, 0 if none
 * (printed), -1 on a database error (printed). */
long long admin_user_id(struct admin *ad, const char *login);
/* True if argv holds -h or --help. */
bool admin_wants_help(int argc, char **argv);

/* --- admin_check.c: what people type or load. Each check answers NULL
 * if s[0..len) is fine, else a short constant reason ("empty"). */
#define ADMIN_FIRSTNAME_MAX 30 /* characters, as Redmine and the schema */
#define ADMIN_LASTNAME_MAX  255
#define ADMIN_MAIL_MAX      254 /* bytes */

/* 1..255 bytes of UTF-8, no control character, no surrounding space, no
 * colon (Basic authentication could not carry it). */
const char *admin_check_login(const char *s, size_t len);
/* A first or last name: non-empty, at most maxchars characters. */
const char *admin_check_name(const char *s, size_t len, size_t maxchars);
/* A sane mail address: local@domain.tld, no spaces. */
const char *admin_check_mail(const char *s, size_t len);
/* A project identifier: ^[a-z][a-z0-9_-]{0,99}$, not "new". */
const char *admin_check_identifier(const char *s, size_t len);
/* Characters (not bytes) of valid UTF-8. */
/* s[0..len) made safe to quote in a message: control characters and bad
 * UTF-8 as '?', cut with "..." to fit out[size]. Returns out. */
const char *admin_shown(const char *s, size_t len, char *out, size_t size);

int admin_user(struct admin *ad, int argc, char **argv);
int admin_load(struct admin *ad, int argc, char **argv);

#endif
