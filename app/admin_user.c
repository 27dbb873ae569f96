/*
 * admin_user.c: `latchkey user add|passwd|lock|unlock|list`.
 *
 * Passwords come from admin_read_password (the terminal, or one line of
 * standard input), never from argv, and are wiped once hashed. Every change
 * also stamps updated_on, so anything that caches a user (the verified-
 * credential cache) can tell the row changed.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"

#define PW_BUF (LK_CRED_MAX + 2) /* a password, its newline and NUL */

static const char usage_add[] =
    "usage: latchkey user add LOGIN --firstname F --lastname L --mail M\n"
    "                         [--admin] [--must-change-password]\n"
    "Create an active user. The password is read from the terminal (asked\n"
    "twice) or as one line of standard input, never from the command "
    "line.\n"
    "LOGIN: 1 to 255 bytes of UTF-8, unique ignoring case, without "
    "surrounding\nspaces, control characters or colons. --firstname: at "
    "most 30 characters.\n"
    "--admin makes an administrator; --must-change-password refuses "
    "password\nlogins to the API until the password is changed.\n";

static const char usage_passwd[] =
    "usage: latchkey user passwd LOGIN\n"
    "Set a new password (argon2id at the configured cost), read from the\n"
    "terminal (asked twice) or as one line of standard input. Clears the\n"
    "must-change-password flag.\n";

static const char usage_lock[] =
    "usage: latchkey user lock LOGIN\n"
    "Lock the user: no password or API key of theirs authenticates. "
    "Locking\na locked user is a no-op.\n";

static const char usage_unlock[] =
    "usage: latchkey user unlock LOGIN\n"
    "Make the user active again (from locked or registered); their API "
    "key\nworks again. Unlocking an active user is a no-op.\n";

static const char usage_list[] =
    "usage: latchkey user list\n"
    "List the users: id, login, name, mail, admin, status, and whether "
    "they\nhave an API key (never the key itself: see latchkey key "
    "show).\n";

static const struct subcommand {
	const char *name;
	const char *usage;
} subcommands[] = {
	{ "add", usage_add },
	{ "passwd", usage_passwd },
	{ "lock", usage_lock },
	{ "unlock", usage_unlock },
	{ "list", usage_list },
};

#define NSUB (sizeof(subcommands) / sizeof(subcommands[0]))

static void
usage_all(FILE *f)
{
	size_t i;

	fprintf(f, "usage: latchkey user add LOGIN --firstname F --lastname L "
		   "--mail M [--admin]\n"
		   "                         [--must-change-password]\n"
		   "       latchkey user passwd|lock|unlock LOGIN\n"
		   "       latchkey user list\n"
		   "'latchkey user COMMAND --help' says more:\n");
	for (i = 0; i < NSUB; i++)
		fprintf(f, "  %s", subcommands[i].name);
	fprintf(f, "\n");
}

/* Hash a password read from the user into hash: 0 or 1 (printed). */
static int
read_and_hash(struct admin *ad, const char *what, char hash[LK_HASH_MAX])
{
	char pw[PW_BUF];
	struct lk_password_cost cost;
	enum lk_err err;
	int rc = 1;

	/* At most LK_CRED_MAX bytes: PW_BUF leaves room for no more. */
	if (admin_read_password(what, true, pw, sizeof(pw)) != 0)
		goto out;
	cost.opslimit = ad->cfg.password_opslimit;
	cost.memlimit = (size_t)ad->cfg.password_memlimit;
	err = lk_password_hash(&cost, pw, strlen(pw), hash);
	if (err != LK_OK) {
		fprintf(stderr,
		    "latchkey: user: cannot hash the password at "
		    "password_opslimit/password_memlimit: %s\n",
		    lk_err_str(err));
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(pw, sizeof(pw));
	return rc;
}

/* Take the value of option name at argv[*i] ("--name V" or "--name=V"):
 * 1 if argv[*i] is that option (value in *out, *i moved past it), 0 if it
 * is not, -1 if the value is missing (printed). */
static int
option_value(int argc, char **argv, int *i, const char *name, const char **out)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=') {
		*out = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "latchkey: user add: %s needs a value\n", name);
		return -1;
	}
	*out = argv[++*i];
	return 1;
}

struct add_args {
	const char *login, *firstname, *lastname, *mail;
	bool admin, must_change;
};

/* 0, or 1 (printed). */
static int
add_parse(int argc, char **argv, struct add_args *a)
{
	static const char *const names[] = { "--firstname", "--lastname",
		"--mail" };
	const char **slots[] = { &a->firstname, &a->lastname, &a->mail };
	bool options = true;
	int i, r;
	size_t k;

	memset(a, 0, sizeof(*a));
	for (i = 2; i < argc; i++) {
		if (options && strcmp(argv[i], "--") == 0) {
			options = false;
			continue;
		}
		if (options && argv[i][0] == '-') {
			if (strcmp(argv[i], "--admin") == 0) {
				a->admin = true;
				continue;
			}
			if (strcmp(argv[i], "--must-change-password") == 0) {
				a->must_change = true;
				continue;
			}
			for (k = 0; k < 3; k++) {
				r = option_value(
				    argc, argv, &i, names[k], slots[k]);
				if (r < 0)
					return 1;
				if (r > 0)
					break;
			}
			if (k < 3)
				continue;
			/* Not its value: it may be a password after all. */
			fprintf(stderr,
			    "latchkey: user add: unknown option '%.*s' "
			    "(the password is read from standard "
			    "input)\n\n%s",
			    (int)strcspn(argv[i], "="), argv[i], usage_add);
			return 1;
		}
		if (a->login != NULL) {
			/* Not echoed: it may be a password after all. */
			fprintf(stderr,
			    "latchkey: user add: one LOGIN only (the "
			    "password is read from standard input)\n\n%s",
			    usage_add);
			return 1;
		}
		a->login = argv[i];
	}
	if (a->login == NULL || a->firstname == NULL || a->lastname == NULL ||
	    a->mail == NULL) {
		fprintf(stderr,
		    "latchkey: user add: LOGIN, --firstname, --lastname "
		    "and --mail are required\n\n%s",
		    usage_add);
		return 1;
	}
	return 0;
}

/* Print why a field is refused: 1. */
static int
refuse(const char *field, const char *value, const char *why)
{
	char shown[96];

	fprintf(stderr, "latchkey: user add: %s '%s': %s\n", field,
	    admin_shown(value, strlen(value), shown, sizeof(shown)), why);
	return 1;
}

static int
user_add(struct admin *ad, int argc, char **argv)
{
	struct add_args a;
	char hash[LK_HASH_MAX] = "";
	const char *why, *values[7];
	PGresult *res;
	int rc = 1;

	if (add_parse(argc, argv, &a) != 0)
		return 1;
	if ((why = admin_check_login(a.login, strlen(a.login))) != NULL)
		return refuse("login", a.login, why);
	if ((why = admin_check_name(a.firstname, strlen(a.firstname),
		 ADMIN_FIRSTNAME_MAX)) != NULL)
		return refuse("--firstname", a.firstname, why);
	if ((why = admin_check_name(
		 a.lastname, strlen(a.lastname), ADMIN_LASTNAME_MAX)) != NULL)
		return refuse("--lastname", a.lastname, why);
	if ((why = admin_check_mail(a.mail, strlen(a.mail))) != NULL)
		return refuse("--mail", a.mail, why);
	if (admin_open(ad) != 0)
		return 1;
	/* Before the password is asked for, not after it was typed. */
	values[0] = a.login;
	res = db_query(&ad->app,
	    "SELECT login FROM users WHERE lower(login) = lower($1)", 1,
	    values);
	if (res == NULL) {
		fprintf(stderr, "latchkey: user add: database error\n");
		return 1;
	}
	if (PQntuples(res) > 0) {
		char shown[96];

		fprintf(stderr,
		    "latchkey: user add: login '%s' is taken by user '%s' "
		    "(logins are compared ignoring case)\n",
		    a.login,
		    admin_shown(PQgetvalue(res, 0, 0),
			(size_t)PQgetlength(res, 0, 0), shown, sizeof(shown)));
		PQclear(res);
		return 1;
	}
	PQclear(res);
	if (read_and_hash(ad, "password", hash) != 0)
		goto out;
	values[1] = a.firstname;
	values[2] = a.lastname;
	values[3] = a.mail;
	values[4] = a.admin ? "t" : "f";
	values[5] = hash;
	values[6] = a.must_change ? "t" : "f";
	res = db_query(&ad->app,
	    "INSERT INTO users (login, firstname, lastname, mail, admin, "
	    "hashed_password, must_change_passwd, passwd_changed_on) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, now()) RETURNING id",
	    7, values);
	if (res == NULL) {
		/* Someone added the same login since our SELECT. */
		if (strcmp(db_last_sqlstate(), "23505") == 0)
			fprintf(stderr,
			    "latchkey: user add: login '%s' is taken "
			    "(logins are compared ignoring case)\n",
			    a.login);
		else
			fprintf(stderr, "latchkey: user add: database error\n");
		goto out;
	}
	printf("latchkey: added user %s (id %s%s%s)\n", a.login,
	    PQgetvalue(res, 0, 0), a.admin ? ", administrator" : "",
	    a.must_change ? ", must change the password" : "");
	PQclear(res);
	rc = 0;
out:
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

static int
user_passwd(struct admin *ad, const char *login)
{
	char hash[LK_HASH_MAX] = "", id[24];
	const char *values[2] = { id, hash };
	long long uid;
	int rc = 1;

	if (admin_open(ad) != 0)
		return 1;
	if ((uid = admin_user_id(ad, login)) <= 0)
		return 1;
	if (read_and_hash(ad, "new password", hash) != 0)
		goto out;
	snprintf(id, sizeof(id), "%lld", uid);
	/* salt belongs to a Redmine SHA-1 hash; an argon2id one has none. */
	if (db_command(&ad->app,
		"UPDATE users SET hashed_password = $2, salt = '', "
		"must_change_passwd = false, passwd_changed_on = now(), "
		"updated_on = now() WHERE id = $1",
		2, values) != 1) {
		fprintf(stderr, "latchkey: user passwd: database error\n");
		goto out;
	}
	printf("latchkey: password of %s changed\n", login);
	rc = 0;
out:
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

static int
user_set_status(struct admin *ad, const char *login, bool lock)
{
	char id[24];
	const char *values[2] = { id, lock ? "3" : "1" };
	long long uid, n;

	if (admin_open(ad) != 0)
		return 1;
	if ((uid = admin_user_id(ad, login)) <= 0)
		return 1;
	snprintf(id, sizeof(id), "%lld", uid);
	/* Only a real change stamps updated_on: lock twice is a no-op. */
	n = db_command(&ad->app,
	    "UPDATE users SET status = $2::smallint, updated_on = now() "
	    "WHERE id = $1 AND status <> $2::smallint",
	    2, values);
	if (n < 0) {
		fprintf(stderr, "latchkey: user %s: database error\n",
		    lock ? "lock" : "unlock");
		return 1;
	}
	if (n == 0)
		printf("latchkey: %s is already %s\n", login,
		    lock ? "locked" : "active");
	else
		printf("latchkey: %s %s\n", login,
		    lock ? "locked" : "unlocked (active)");
	return 0;
}

enum {
	COL_ID,
	COL_LOGIN,
	COL_NAME,
	COL_MAIL,
	COL_ADMIN,
	COL_STATUS,
	COL_KEY,
	NCOL
};

static const char *
status_name(const char *v)
{
	switch (atoi(v)) {
	case LK_STATUS_ACTIVE:
		return "active";
	case LK_STATUS_REGISTERED:
		return "registered";
	case LK_STATUS_LOCKED:
		return "locked";
	}
	return "?";
}

/* Cell c of row r (r = -1: the header), made printable into buf. */
static const char *
cell(PGresult *res, int r, int c, char *buf, size_t size)
{
	static const char *const header[NCOL] = { "ID", "LOGIN", "NAME", "MAIL",
		"ADMIN", "STATUS", "KEY" };
	const char *v;

	if (r < 0)
		return header[c];
	v = PQgetvalue(res, r, c);
	switch (c) {
	case COL_ADMIN:
	case COL_KEY:
		return v[0] == 't' ? "yes" : "no";
	case COL_STATUS:
		return status_name(v);
	}
	/* Rows may have come in by plain SQL: never print raw control
	 * characters to a terminal. */
	return admin_shown(v, (size_t)PQgetlength(res, r, c), buf, size);
}

static int
user_list(struct admin *ad)
{
	char buf[NCOL][300];
	size_t width[NCOL] = { 0 }, w;
	PGresult *res;
	int r, c, n;

	if (admin_open(ad) != 0)
		return 1;
	res = db_query(&ad->app,
	    "SELECT u.id, u.login, u.firstname || ' ' || u.lastname, "
	    "u.mail, u.admin, u.status, EXISTS (SELECT 1 FROM tokens t "
	    "WHERE t.user_id = u.id) FROM users u ORDER BY u.id",
	    0, NULL);
	if (res == NULL) {
		fprintf(stderr, "latchkey: user list: database error\n");
		return 1;
	}
	n = PQntuples(res);
	for (r = -1; r < n; r++)
		for (c = 0; c < NCOL; c++) {
			const char *v = cell(res, r, c, buf[c], sizeof(buf[c]));

			w = lk_utf8_chars(v, strlen(v));
			if (w > width[c])
				width[c] = w;
		}
	for (r = -1; r < n; r++) {
		for (c = 0; c < NCOL; c++) {
			const char *v = cell(res, r, c, buf[c], sizeof(buf[c]));

			if (c == NCOL - 1) {
				printf("%s\n", v);
				break;
			}
			/* Pad by characters: printf's width counts bytes. */
			w = lk_utf8_chars(v, strlen(v));
			printf("%s%*s", v, (int)(width[c] - w + 2), "");
		}
	}
	PQclear(res);
	return 0;
}

int
admin_user(struct admin *ad, int argc, char **argv)
{
	const struct subcommand *sub = NULL;
	size_t i;

	for (i = 0; argc > 1 && i < NSUB; i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			sub = &subcommands[i];
	if (sub == NULL) {
		bool help = admin_wants_help(argc, argv);

		if (!help && argc > 1)
			fprintf(stderr,
			    "latchkey: user: unknown command '%s'\n\n",
			    argv[1]);
		usage_all(help ? stdout : stderr);
		return help ? 0 : 1;
	}
	if (admin_wants_help(argc, argv)) {
		fputs(sub->usage, stdout);
		return 0;
	}
	if (strcmp(sub->name, "add") == 0)
		return user_add(ad, argc, argv);
	if (strcmp(sub->name, "list") == 0) {
		if (argc != 2) {
			fprintf(stderr,
			    "latchkey: user list takes no arguments\n\n%s",
			    sub->usage);
			return 1;
		}
		return user_list(ad);
	}
	if (argc != 3) {
		fprintf(stderr, "latchkey: user %s takes one LOGIN\n\n%s",
		    sub->name, sub->usage);
		return 1;
	}
	if (strcmp(sub->name, "passwd") == 0)
		return user_passwd(ad, argv[2]);
	return user_set_status(ad, argv[2], strcmp(sub->name, "lock") == 0);
}
