/*
 * app.h: the state of one latchkey process (a worker or the admin tool),
 * and the request/response pair the router works on. Nothing here knows
 * FastCGI: worker.c fills a struct request from it and writes the
 * struct response back, so the router and the resources run in unit tests
 * and fuzzers from plain structs.
 */
#ifndef APP_H
#define APP_H

#include <libpq-fe.h>
#include <time.h>

#include "buf.h"
#include "lk_pg.h"

struct app {
	struct lk_config cfg;
	struct lk_keys keys;
	struct lk_settings settings;
	/* The database: one connection, opened lazily after fork. */
	PGconn *conn;
	struct lk_pgstore pgstore;
	struct lk_store store;
	struct lk_resolver resolver;
	struct timespec next_connect; /* back-off after a failed connect */
	unsigned connect_failures;
	bool settings_stale; /* NOTIFY seen, or never read */
	/* Shared by the pool, made by the master before it forks. */
	int gate_id;               /* gate.h: -1 = no cap */
	struct throttle *throttle; /* throttle.h: NULL = off */
};

enum fmt { FMT_NONE, FMT_JSON, FMT_XML };

struct request {
	const char *method; /* "GET", ... */
	const char *path;   /* decoded, normalised by nginx: /issues/1.json */
	const char *query;  /* raw query string, without '?' ("" if none) */
	size_t query_len;
	const char *content_type;
	const char *body; /* may be NULL */
	size_t body_len;
	bool body_too_large; /* Content-Length over max_body: not read */
	const char *host;    /* Host header as sent, port included */
	bool https;
	const char *remote_addr;
	const char *cookie;
	struct lk_creds creds;
};

struct response {
	int status;
	const char *content_type; /* NULL: no body */
	struct buf headers;       /* extra "Name: value\r\n" lines */
	struct buf body;
	bool head; /* HEAD: everything but the body */
};

/* Prepare a process: read the secret, derive the keys, set up the store
 * and the resolver (no database connection yet). 0 or -1 (logged). */
int app_init(struct app *app, const struct lk_config *cfg);
void app_free(struct app *app);
/* Failed-login throttling for both the API and the sign-in form: the
 * seconds addr must wait (logged as auth_throttled, at most once a second
 * per address), or 0; and counting
 * one failure of addr. Both do nothing when throttle_failures is 0. */
unsigned app_throttle_wait(struct app *app, const char *addr);
void app_throttle_fail(struct app *app, const char *addr);
/* In a worker, after fork: wire the resolver to the gate and the cache. */
void app_worker_init(struct app *app);

/* --- db.c --- */

/*
 * Make sure the connection is up and the settings are current before a
 * request: reconnects with back-off, LISTENs, applies a NOTIFY. Returns 0,
 * or -1 if the database cannot be reached now (the request gets 503).
 */
int db_ready(struct app *app);
/* Apply the NOTIFYs already received (no read): after a write, its own
 * NOTIFY came back with its answer, so the caches it changed are emptied
 * before that answer leaves. */
void db_apply_notifies(struct app *app);
/* Forget a connection that failed mid-request, so the next call of
 * db_ready reconnects. */
void db_check(struct app *app);
/* Connect once for the admin tool (no back-off): 0 or -1 (printed). */
int db_connect(struct app *app);
/* The settings table into app->settings: 0 or -1. */
int db_load_settings(struct app *app);
/* Run a parameterised query; NULL on failure (then db_check is done).
 * sql must be a string literal: its address names the prepared statement. */
PGresult *db_query(
    struct app *app, const char *sql, int n, const char *const *values);
/* Same, for commands; returns the number of rows affected or -1. */
long long db_command(
    struct app *app, const char *sql, int n, const char *const *values);
/* SQLSTATE of the last failed db_query/db_command, or "" */
const char *db_last_sqlstate(void);
/* True if the last failed db_query lost its connection after sending the
 * statement: a write may have been done even though no answer came. */
bool db_outcome_unknown(void);

/* --- files.c --- */

/* Read a whole file of at most max bytes: 0 or -1 (errno set). */
int file_read(const char *path, size_t max, struct buf *out);
/* Read the config file over the defaults; errors written to err. */
int config_load(
    const char *path, struct lk_config *cfg, char *err, size_t errsz);
/* Read the 32-byte secret file; errors written to err. */
int secret_load(
    const char *path, uint8_t secret[LK_SECRET_LEN], char *err, size_t errsz);

/* --- router.c --- */

/* Answer one request. Never fails: every outcome is a status. */
void router_handle(
    struct app *app, const struct request *req, struct response *resp);

/* Response helpers. */
void resp_status(struct response *resp, int status);
void resp_header(struct response *resp, const char *name, const char *value);
void resp_text(struct response *resp, int status, const char *text);

#endif
