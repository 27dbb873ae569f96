/*
 * db.c: the worker's one PostgreSQL connection.
 *
 * Opened lazily after fork (never inherited: libpq state must not be shared
 * between processes), re-opened with back-off when it breaks, and LISTENing
 * on latchkey_settings, latchkey_auth, latchkey_profile and latchkey_data,
 * so that a change to the settings, to credentials, to users' records or
 * to what lists show applies before the next request.
 * Every query of app/ goes through db_query, which prepares each SQL text
 * once per connection: the SQL strings are literals, so their address names
 * them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cache.h"
#include "listcache.h"
#include "log.h"
#include "profile.h"

#define MAX_STATEMENTS 128

static struct {
	const char *sql;
} prepared[MAX_STATEMENTS];
static size_t nprepared;
static char last_sqlstate[6];
static bool lost_mid_statement;
/* The server said FATAL while we were idle (a shutdown, a terminated
 * backend): libpq hands that to the notice receiver and may not have seen
 * the connection close yet. */
static bool server_gone;

static void
on_notice(void *arg, const PGresult *res)
{
	const char *severity =
	    PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);

	(void)arg;
	if (severity != NULL &&
	    (strcmp(severity, "FATAL") == 0 || strcmp(severity, "PANIC") == 0))
		server_gone = true;
}

static void
forget_connection(struct app *app)
{
	if (app->conn != NULL)
		PQfinish(app->conn);
	app->conn = NULL;
	server_gone = false;
	nprepared = 0;
	lk_pgstore_attach(&app->pgstore, NULL);
}

static PGconn *
open_connection(const struct app *app)
{
	/*
	 * Ours first: values in the user's conninfo (database) override.
	 * Generic plans: every statement here is prepared once and is small
	 * OLTP work, where planning each call (what PostgreSQL does when a
	 * parameter could change the plan) costs more than it saves.
	 */
	const char *const keys[] = { "connect_timeout",
		"fallback_application_name", "options", "dbname", NULL };
	const char *const values[] = { "3", "latchkeyd",
		"-c plan_cache_mode=force_generic_plan", app->cfg.database,
		NULL };

	return PQconnectdbParams(keys, values, 1);
}

static int
listen_channels(struct app *app)
{
	PGresult *res =
	    PQexec(app->conn, "LISTEN latchkey_settings; LISTEN latchkey_auth; "
			      "LISTEN latchkey_data; LISTEN latchkey_profile");
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	PQclear(res);
	if (!ok)
		return -1;
	/* Lists may be cached only if every change to them is announced:
	 * not before `latchkey migrate` has added sql/005's triggers (a
	 * binary started before it ran). */
	res = PQexec(app->conn, "SELECT to_regproc('data_notify') IS NOT NULL");
	ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
	if (ok) {
		bool announced = PQgetvalue(res, 0, 0)[0] == 't';

		if (!announced && listcache_enabled())
			log_event(LK_LOG_WARN, "list_cache_off", "reason",
			    "the schema lacks sql/005 (run latchkey migrate)",
			    (char *)NULL);
		listcache_enable(announced);
	}
	PQclear(res);
	return ok ? 0 : -1;
}

static void
next_attempt(struct app *app)
{
	/* 100 ms, doubling to 2 s: a down database costs little CPU, and a
	 * database back up is noticed within 2 s by every worker. */
	unsigned ms = 100;
	unsigned i;

	for (i = 1; i < app->connect_failures && ms < 2000; i++)
		ms *= 2;
	if (ms > 2000)
		ms = 2000;
	clock_gettime(CLOCK_MONOTONIC, &app->next_connect);
	app->next_connect.tv_sec += ms / 1000;
	app->next_connect.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (app->next_connect.tv_nsec >= 1000000000L) {
		app->next_connect.tv_sec++;
		app->next_connect.tv_nsec -= 1000000000L;
	}
}

static int
reconnect(struct app *app)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (app->connect_failures > 0 &&
	    (now.tv_sec < app->next_connect.tv_sec ||
		(now.tv_sec == app->next_connect.tv_sec &&
		    now.tv_nsec < app->next_connect.tv_nsec)))
		return -1;
	forget_connection(app);
	app->conn = open_connection(app);
	PQsetNoticeReceiver(app->conn, on_notice, NULL);
	if (PQstatus(app->conn) != CONNECTION_OK || listen_channels(app) != 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(app->conn));
		msg[strcspn(msg, "\n")] = '\0';
		forget_connection(app);
		app->connect_failures++;
		next_attempt(app);
		if (app->connect_failures == 1 ||
		    app->connect_failures % 50 == 0)
			log_event(LK_LOG_ERROR, "db_unavailable", "error", msg,
			    (char *)NULL);
		return -1;
	}
	if (app->connect_failures > 0)
		log_event(LK_LOG_INFO, "db_reconnected", (char *)NULL);
	app->connect_failures = 0;
	lk_pgstore_attach(&app->pgstore, app->conn);
	/* Whatever happened while we were away (NOTIFYs lost with the old
	 * connection), read the settings anew and forget cached users. */
	app->settings_stale = true;
	cache_flush();
	listcache_flush();
	return 0;
}

int
db_connect(struct app *app)
{
	forget_connection(app);
	app->conn = open_connection(app);
	if (PQstatus(app->conn) != CONNECTION_OK) {
		fprintf(stderr, "latchkey: database: %s",
		    PQerrorMessage(app->conn));
		forget_connection(app);
		return -1;
	}
	lk_pgstore_attach(&app->pgstore, app->conn);
	return 0;
}

void
db_check(struct app *app)
{
	if (app->conn != NULL && PQstatus(app->conn) != CONNECTION_OK)
		forget_connection(app);
}

int
db_load_settings(struct app *app)
{
	PGresult *res =
	    db_query(app, "SELECT name, value FROM settings", 0, NULL);
	struct lk_settings s = { false, false };
	int i;

	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0);
		const char *v = PQgetvalue(res, i, 1);
		bool on = strcmp(v, "1") == 0 || strcmp(v, "true") == 0;

		if (strcmp(name, "rest_api_enabled") == 0)
			s.rest_api_enabled = on;
		else if (strcmp(name, "login_required") == 0)
			s.login_required = on;
	}
	PQclear(res);
	if (s.rest_api_enabled != app->settings.rest_api_enabled ||
	    s.login_required != app->settings.login_required)
		log_event(LK_LOG_INFO, "settings", "rest_api_enabled",
		    s.rest_api_enabled ? "1" : "0", "login_required",
		    s.login_required ? "1" : "0", (char *)NULL);
	app->settings = s;
	app->settings_stale = false;
	return 0;
}

int
db_ready(struct app *app)
{
	bool read_ok;

	/* A new request: nothing of the last one is unknown any more. */
	lost_mid_statement = false;
	if (app->conn == NULL || PQstatus(app->conn) != CONNECTION_OK) {
		if (reconnect(app) != 0)
			return -1;
	}
	/* Read what the server sent since the last request, without
	 * blocking, and parse it (db_apply_notifies): a broken socket shows
	 * here, and so does a server that said it was closing our session
	 * (a restart), before its socket reads as closed: a new connection
	 * now, rather than a failed query in this request. */
	read_ok = PQconsumeInput(app->conn) != 0 &&
		  PQstatus(app->conn) == CONNECTION_OK;
	if (read_ok)
		db_apply_notifies(app);
	if (!read_ok || server_gone) {
		forget_connection(app);
		if (reconnect(app) != 0)
			return -1;
	}
	if (app->settings_stale && db_load_settings(app) != 0)
		return -1;
	return 0;
}

void
db_apply_notifies(struct app *app)
{
	PGnotify *n;

	if (app->conn == NULL)
		return;
	while ((n = PQnotifies(app->conn)) != NULL) {
		if (strcmp(n->relname, "latchkey_auth") == 0)
			cache_flush();
		else if (strcmp(n->relname, "latchkey_data") == 0)
			listcache_flush();
		else if (strcmp(n->relname, "latchkey_profile") == 0)
			profile_flush();
		else
			app->settings_stale = true;
		PQfreemem(n);
	}
}

/*
 * Prepare sql once per connection. Returns the result to report when the
 * PREPARE itself failed (a missing table, say: inside a transaction that
 * failure also aborts it, so its own error is the one to tell), else NULL
 * with name set, or with name empty when every slot is taken (then the
 * statement runs unprepared: still correct, only slower).
 */
static PGresult *
statement_name(struct app *app, const char *sql, int n, char name[32])
{
	size_t i;
	PGresult *res;

	name[0] = '\0';
	for (i = 0; i < nprepared; i++)
		if (prepared[i].sql == sql) {
			snprintf(name, 32, "app%zu", i);
			return NULL;
		}
	if (nprepared == MAX_STATEMENTS)
		return NULL;
	snprintf(name, 32, "app%zu", nprepared);
	res = PQprepare(app->conn, name, sql, n, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		name[0] = '\0';
		return res;
	}
	PQclear(res);
	prepared[nprepared++].sql = sql;
	return NULL;
}

PGresult *
db_query(struct app *app, const char *sql, int n, const char *const *values)
{
	char name[32];
	PGresult *res;
	ExecStatusType st;
	const char *state;

	last_sqlstate[0] = '\0';
	lost_mid_statement = false;
	if (app->conn == NULL)
		return NULL;
	res = statement_name(app, sql, n, name);
	if (res == NULL && name[0] != '\0')
		res = PQexecPrepared(app->conn, name, n, values, NULL, NULL, 0);
	else if (res == NULL)
		res = PQexecParams(
		    app->conn, sql, n, NULL, values, NULL, NULL, 0);
	st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	snprintf(
	    last_sqlstate, sizeof(last_sqlstate), "%s", state ? state : "");
	/* Constraint violations are the caller's to report (422); anything
	 * else is the database's trouble and worth a line. */
	if (state == NULL || strncmp(state, "23", 2) != 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(app->conn));
		msg[strcspn(msg, "\n")] = '\0';
		log_event(LK_LOG_ERROR, "db_error", "sqlstate", last_sqlstate,
		    "error", msg, (char *)NULL);
	}
	PQclear(res);
	/* The statement was sent and the connection died under it: it may
	 * have committed (the answer was lost, not the work). */
	lost_mid_statement = PQstatus(app->conn) != CONNECTION_OK;
	db_check(app);
	return NULL;
}

long long
db_command(struct app *app, const char *sql, int n, const char *const *values)
{
	PGresult *res = db_query(app, sql, n, values);
	long long rows;

	if (res == NULL)
		return -1;
	rows = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return rows;
}

const char *
db_last_sqlstate(void)
{
	return last_sqlstate;
}

bool
db_outcome_unknown(void)
{
	return lost_mid_statement;
}
