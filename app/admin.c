/*
 * admin.c: the latchkey admin tool. It reads the same configuration file
 * as latchkeyd and talks to the same database.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "admin.h"
#include "keys.h"
#include "log.h"
#include "migrations.h"

#define DEFAULT_CONF "/etc/latchkey/latchkeyd.conf"

static const char usage_text[] =
    "usage: latchkey [-c FILE] COMMAND [ARGS]\n"
    "\n"
    "  -c FILE   configuration file (default $LATCHKEY_CONF, else " DEFAULT_CONF
    ")\n"
    "\n"
    "commands:\n"
    "  init                       create the server secret (secret_file)\n"
    "  migrate                    apply the schema migrations not yet applied\n"
    "  load FILE.json             load a data set (users, projects, ...)\n"
    "  user add|passwd|lock|unlock|list ...   manage users\n"
    "  key show|reset|import LOGIN            manage a user's API key\n"
    "  setting get|set NAME [VALUE]           read or change a setting\n"
    "  reload                     tell latchkeyd to reload (SIGHUP)\n"
    "\n"
    "Every command takes --help.\n";

bool
admin_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return true;
	return false;
}

int
admin_open(struct admin *ad)
{
	if (ad->opened)
		return 0;
	if (app_init(&ad->app, &ad->cfg) != 0 || db_connect(&ad->app) != 0)
		return 1;
	ad->opened = true;
	return 0;
}

long long
admin_user_id(struct admin *ad, const char *login)
{
	const char *values[1] = { login };
	PGresult *res;
	long long id;

	if (!lk_utf8_valid(login, strlen(login)) ||
	    strlen(login) > LK_LOGIN_MAX) {
		fprintf(stderr, "latchkey: no user with that login\n");
		return 0;
	}
	res = db_query(&ad->app,
	    "SELECT id FROM users WHERE lower(login) = lower($1)", 1, values);
	if (res == NULL) {
		fprintf(stderr, "latchkey: database error: %s",
		    ad->app.conn ? PQerrorMessage(ad->app.conn) : "\n");
		return -1;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		fprintf(stderr, "latchkey: no user '%s'\n", login);
		return 0;
	}
	id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return id;
}

static int
read_line(FILE *f, char *out, size_t size)
{
	size_t len;

	if (fgets(out, (int)size, f) == NULL)
		return -1;
	len = strlen(out);
	if (len > 0 && out[len - 1] == '\n')
		out[--len] = '\0';
	else if (!feof(f))
		return -1; /* longer than size: refuse, do not truncate */
	if (len > 0 && out[len - 1] == '\r')
		out[--len] = '\0';
	return 0;
}

int
admin_read_password(const char *prompt, bool confirm, char *out, size_t size)
{
	struct termios old, quiet;
	char again[LK_CRED_MAX + 2];
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	int rc = 1;

	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		fprintf(stderr, "%s: ", prompt);
	}
	if (read_line(stdin, out, size) != 0) {
		fprintf(stderr,
		    "%slatchkey: no password read (one line on "
		    "standard input, at most %zu bytes)\n",
		    tty ? "\n" : "", size - 2);
		goto out;
	}
	if (tty && confirm) {
		fprintf(stderr, "\nagain: ");
		if (read_line(stdin, again, sizeof(again)) != 0 ||
		    strcmp(again, out) != 0) {
			fprintf(stderr, "\nlatchkey: the passwords differ\n");
			goto out;
		}
	}
	if (out[0] == '\0') {
		fprintf(
		    stderr, "%slatchkey: empty password\n", tty ? "\n" : "");
		goto out;
	}
	rc = 0;
out:
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		if (rc == 0)
			fprintf(stderr, "\n");
	}
	sodium_memzero(again, sizeof(again));
	return rc;
}

static int
cmd_init(struct admin *ad, int argc, char **argv)
{
	uint8_t secret[LK_SECRET_LEN];
	const char *path = ad->cfg.secret_file;
	ssize_t n;
	int fd;

	if (admin_wants_help(argc, argv) || argc != 1) {
		fprintf(admin_wants_help(argc, argv) ? stdout : stderr,
		    "usage: latchkey init\n"
		    "Create the server secret, the file secret_file names in "
		    "the configuration\n(default /etc/latchkey/secret): 32 "
		    "random bytes, mode 0600. Refuses to\noverwrite one: "
		    "every API key and session is sealed under it.\n");
		return admin_wants_help(argc, argv) ? 0 : 1;
	}
	if (sodium_init() < 0)
		return 1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "latchkey: init: %s: %s%s\n", path,
		    strerror(errno),
		    errno == EEXIST ? " (refusing to replace the secret)" : "");
		return 1;
	}
	randombytes_buf(secret, sizeof(secret));
	n = write(fd, secret, sizeof(secret));
	sodium_memzero(secret, sizeof(secret));
	if (n != (ssize_t)sizeof(secret) || fsync(fd) != 0 || close(fd) != 0) {
		fprintf(stderr, "latchkey: init: %s: write failed\n", path);
		unlink(path);
		return 1;
	}
	printf("latchkey: created %s\n", path);
	return 0;
}

static int
exec_sql(PGconn *conn, const char *sql, const char *what)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		fprintf(stderr, "latchkey: %s: %s", what, PQerrorMessage(conn));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

static int
cmd_migrate(struct admin *ad, int argc, char **argv)
{
	PGconn *conn;
	size_t i, applied = 0;

	if (admin_wants_help(argc, argv) || argc != 1) {
		fprintf(admin_wants_help(argc, argv) ? stdout : stderr,
		    "usage: latchkey migrate\n"
		    "Apply, in order, each migration of sql/ not yet recorded "
		    "in\nschema_migrations, each in its own transaction. "
		    "Running it again\nis a no-op. It needs no server secret, "
		    "so the database owner can run it\nwith a configuration "
		    "of its own.\n");
		return admin_wants_help(argc, argv) ? 0 : 1;
	}
	/* The schema owner may not read the secret: connect only. */
	ad->app.cfg = ad->cfg;
	if (db_connect(&ad->app) != 0)
		return 1;
	conn = ad->app.conn;
	if (exec_sql(conn,
		"SET client_min_messages = warning; "
		"CREATE TABLE IF NOT EXISTS schema_migrations (version text "
		"PRIMARY KEY, applied_on timestamptz NOT NULL DEFAULT now())",
		"schema_migrations") != 0)
		return 1;
	for (i = 0; i < migrations_count; i++) {
		const char *values[1] = { migrations[i].name };
		PGresult *res;
		bool done;

		/* The advisory lock makes two concurrent runs take turns. */
		if (exec_sql(conn, "BEGIN; SELECT pg_advisory_xact_lock(4242)",
			"begin") != 0)
			return 1;
		res = PQexecParams(conn,
		    "SELECT 1 FROM schema_migrations "
		    "WHERE version = $1",
		    1, NULL, values, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			fprintf(stderr, "latchkey: migrate: %s",
			    PQerrorMessage(conn));
			PQclear(res);
			return 1;
		}
		done = PQntuples(res) > 0;
		PQclear(res);
		if (done) {
			exec_sql(conn, "ROLLBACK", "rollback");
			continue;
		}
		if (exec_sql(conn, migrations[i].sql, migrations[i].name) !=
		    0) {
			exec_sql(conn, "ROLLBACK", "rollback");
			return 1;
		}
		res = PQexecParams(conn,
		    "INSERT INTO schema_migrations "
		    "(version) VALUES ($1)",
		    1, NULL, values, NULL, NULL, 0);
		/* Not recorded, not applied: the COMMIT of a failed
		 * transaction would say nothing and roll it all back. */
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			fprintf(stderr, "latchkey: migrate: %s: %s",
			    migrations[i].name, PQerrorMessage(conn));
			PQclear(res);
			exec_sql(conn, "ROLLBACK", "rollback");
			return 1;
		}
		PQclear(res);
		if (exec_sql(conn, "COMMIT", "commit") != 0)
			return 1;
		printf("latchkey: applied %s\n", migrations[i].name);
		applied++;
	}
	if (applied == 0)
		printf("latchkey: schema up to date\n");
	return 0;
}

static int
parse_bool(const char *v, const char **out)
{
	if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "on") == 0 || strcmp(v, "yes") == 0)
		*out = "1";
	else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0 ||
		 strcmp(v, "off") == 0 || strcmp(v, "no") == 0)
		*out = "0";
	else
		return -1;
	return 0;
}

static const char *const known_settings[] = { "rest_api_enabled",
	"login_required", NULL };

static int
cmd_setting(struct admin *ad, int argc, char **argv)
{
	const char *values[2];
	const char *const *k;
	PGresult *res;
	bool get = argc == 3 && strcmp(argv[1], "get") == 0;
	bool set = argc == 4 && strcmp(argv[1], "set") == 0;

	if (admin_wants_help(argc, argv) || (!get && !set)) {
		fprintf(admin_wants_help(argc, argv) ? stdout : stderr,
		    "usage: latchkey setting get NAME\n"
		    "       latchkey setting set NAME VALUE\n"
		    "Settings: rest_api_enabled, login_required (true|false).\n"
		    "Running latchkeyd workers apply a change before their "
		    "next request.\n");
		return admin_wants_help(argc, argv) ? 0 : 1;
	}
	for (k = known_settings; *k && strcmp(*k, argv[2]) != 0; k++)
		;
	if (*k == NULL) {
		fprintf(stderr,
		    "latchkey: setting: unknown setting '%s' "
		    "(rest_api_enabled, login_required)\n",
		    argv[2]);
		return 1;
	}
	values[0] = argv[2];
	if (set && parse_bool(argv[3], &values[1]) != 0) {
		fprintf(stderr,
		    "latchkey: setting: %s takes true or false, "
		    "not '%s'\n",
		    argv[2], argv[3]);
		return 1;
	}
	if (admin_open(ad) != 0)
		return 1;
	if (get) {
		res = db_query(&ad->app,
		    "SELECT value FROM settings WHERE name = $1", 1, values);
		if (res == NULL)
			return 1;
		printf("%s\n", PQntuples(res) == 1 &&
				       strcmp(PQgetvalue(res, 0, 0), "1") == 0
				   ? "true"
				   : "false");
		PQclear(res);
		return 0;
	}
	if (db_command(&ad->app,
		"INSERT INTO settings (name, value) VALUES ($1, $2) "
		"ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
		"updated_on = now()",
		2, values) < 0) {
		fprintf(stderr, "latchkey: setting: database error\n");
		return 1;
	}
	printf("latchkey: %s = %s\n", argv[2],
	    values[1][0] == '1' ? "true" : "false");
	return 0;
}

static int
cmd_key(struct admin *ad, int argc, char **argv)
{
	char key[LK_KEY_LEN + 1], created[LK_TIME_MAX], imported[128];
	long long id;
	enum lk_err err;
	bool show = argc == 3 && strcmp(argv[1], "show") == 0;
	bool reset = argc == 3 && strcmp(argv[1], "reset") == 0;
	bool import = argc == 3 && strcmp(argv[1], "import") == 0;

	if (admin_wants_help(argc, argv) || !(show || reset || import)) {
		fprintf(admin_wants_help(argc, argv) ? stdout : stderr,
		    "usage: latchkey key show LOGIN     print the user's API "
		    "key (created if missing)\n"
		    "       latchkey key reset LOGIN    give the user a new "
		    "key;"
		    " the old one stops working\n"
		    "       latchkey key import LOGIN   set the key read from "
		    "standard input\n"
		    "                                 (40 lowercase hex, e.g. "
		    "from a Redmine database)\n");
		return admin_wants_help(argc, argv) ? 0 : 1;
	}
	if (admin_open(ad) != 0)
		return 1;
	if ((id = admin_user_id(ad, argv[2])) <= 0)
		return 1;
	if (show) {
		if (keys_get_or_create(&ad->app, id, key, created) != 0) {
			fprintf(stderr, "latchkey: key: cannot read or create "
					"the key\n");
			return 1;
		}
		printf("%s\n", key);
		sodium_memzero(key, sizeof(key));
		return 0;
	}
	if (import) {
		/* A key is a secret: standard input, never argv. */
		if (fgets(imported, sizeof(imported), stdin) == NULL) {
			fprintf(stderr, "latchkey: key import: no key on "
					"standard input\n");
			return 1;
		}
		imported[strcspn(imported, "\r\n")] = '\0';
	}
	err = lk_pgstore_key_set(
	    &ad->app.pgstore, &ad->app.keys, id, import ? imported : NULL, key);
	sodium_memzero(imported, sizeof(imported));
	if (err == LK_EINVAL) {
		fprintf(stderr, "latchkey: key: a key is 40 lowercase hex "
				"characters, and no other user may have it\n");
		return 1;
	}
	if (err != LK_OK) {
		fprintf(stderr, "latchkey: key: database error\n");
		return 1;
	}
	if (reset)
		printf("%s\n", key);
	else
		printf("latchkey: key imported for %s\n", argv[2]);
	sodium_memzero(key, sizeof(key));
	return 0;
}

/* True if process pid runs latchkeyd, by its name in /proc (true where
 * there is no /proc to ask: the kill then decides). */
static bool
is_latchkeyd(long pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	if ((f = fopen(path, "r")) == NULL)
		return errno != ENOENT || access("/proc/self/comm", F_OK) != 0;
	if (fgets(comm, sizeof(comm), f) == NULL)
		comm[0] = '\0';
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	return strcmp(comm, "latchkeyd") == 0;
}

static int
cmd_reload(struct admin *ad, int argc, char **argv)
{
	FILE *f;
	long pid = 0;

	if (admin_wants_help(argc, argv) || argc != 1) {
		fprintf(admin_wants_help(argc, argv) ? stdout : stderr,
		    "usage: latchkey reload\n"
		    "Send SIGHUP to the latchkeyd whose pid is in the file "
		    "pid_file names in the\nconfiguration (no default: set "
		    "it to use this command).\n");
		return admin_wants_help(argc, argv) ? 0 : 1;
	}
	if (ad->cfg.pid_file[0] == '\0') {
		fprintf(stderr, "latchkey: reload: no pid_file in %s\n",
		    ad->conf_path);
		return 1;
	}
	if ((f = fopen(ad->cfg.pid_file, "r")) == NULL ||
	    fscanf(f, "%ld", &pid) != 1 || pid <= 1) {
		fprintf(stderr,
		    "latchkey: reload: %s: no pid (is latchkeyd "
		    "running?)\n",
		    ad->cfg.pid_file);
		if (f)
			fclose(f);
		return 1;
	}
	fclose(f);
	/* A pid_file left by a latchkeyd killed outright may name some other
	 * process by now: never signal anything but latchkeyd. */
	if (!is_latchkeyd(pid)) {
		fprintf(stderr,
		    "latchkey: reload: %s: pid %ld is not latchkeyd (is "
		    "latchkeyd running?)\n",
		    ad->cfg.pid_file, pid);
		return 1;
	}
	if (kill((pid_t)pid, SIGHUP) != 0) {
		fprintf(stderr, "latchkey: reload: pid %ld: %s\n", pid,
		    strerror(errno));
		return 1;
	}
	printf("latchkey: sent SIGHUP to %ld\n", pid);
	return 0;
}

static const struct command {
	const char *name;
	int (*run)(struct admin *, int, char **);
} commands[] = {
	{ "init", cmd_init },
	{ "migrate", cmd_migrate },
	{ "load", admin_load },
	{ "user", admin_user },
	{ "key", cmd_key },
	{ "setting", cmd_setting },
	{ "reload", cmd_reload },
};

int
main(int argc, char *argv[])
{
	static struct admin ad;
	char err[512];
	int i = 1, rc = 1;
	size_t c;

	ad.conf_path =
	    getenv("LATCHKEY_CONF") ? getenv("LATCHKEY_CONF") : DEFAULT_CONF;
	log_set_tag("latchkey");
	if (i < argc && strcmp(argv[i], "-c") == 0) {
		if (i + 1 >= argc) {
			fputs(usage_text, stderr);
			return 1;
		}
		ad.conf_path = argv[i + 1];
		i += 2;
	}
	if (i >= argc || strcmp(argv[i], "-h") == 0 ||
	    strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "help") == 0) {
		fputs(usage_text, i >= argc ? stderr : stdout);
		return i >= argc ? 1 : 0;
	}
	lk_config_defaults(&ad.cfg);
	for (c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		if (strcmp(commands[c].name, argv[i]) != 0)
			continue;
		if (!admin_wants_help(argc - i, argv + i) &&
		    config_load(ad.conf_path, &ad.cfg, err, sizeof(err)) != 0) {
			fprintf(stderr, "latchkey: %s\n", err);
			return 1;
		}
		log_set_level(ad.cfg.log_level);
		rc = commands[c].run(&ad, argc - i, argv + i);
		if (ad.opened || ad.app.conn != NULL)
			app_free(&ad.app);
		return rc;
	}
	fprintf(stderr, "latchkey: unknown command '%s'\n\n%s", argv[i],
	    usage_text);
	return 1;
}
