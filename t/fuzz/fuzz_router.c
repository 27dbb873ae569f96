/*
 * fuzz_router.c: router_handle from raw request parts, with the database
 * out of reach (its conninfo names a socket that does not exist), so every
 * path through routing, formats, pages, bounds and refusals that comes
 * before or instead of the database runs. Parts are split at newlines:
 * method, path, query, Content-Type, Authorization, X-Redmine-API-Key,
 * Cookie, then the body.
 *
 * Checked: the status is one latchkeyd may give, never a 500, and an
 * error status of the API has an empty body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "check.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct app app;

static void
setup(void)
{
	static const struct lk_password_cost cost = { 1, 8192 };
	uint8_t secret[LK_SECRET_LEN] = { 0 };

	log_set_level(LK_LOG_ERROR);
	lk_config_defaults(&app.cfg);
	snprintf(app.cfg.database, sizeof(app.cfg.database),
	    "host=/nonexistent/latchkey-fuzz dbname=none");
	if (lk_secret_init() != LK_OK)
		abort();
	lk_secret_derive(&app.keys, secret);
	lk_pgstore_attach(&app.pgstore, NULL);
	lk_pgstore_store(&app.pgstore, &app.store);
	if (lk_resolver_init(&app.resolver, &app.keys, &app.store, &cost) !=
	    LK_OK)
		abort();
	app.gate_id = -1;
	app.settings.rest_api_enabled = true;
}

/* The next newline-separated part, copied NUL-terminated into out. */
static const char *
part(const char **p, const char *end, char *out, size_t size)
{
	const char *nl;
	size_t n;

	if (*p >= end)
		return NULL;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	n = (size_t)((nl ? nl : end) - *p);
	if (n >= size)
		n = size - 1;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p = nl ? nl + 1 : end;
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static char method[32], path[2048], query[10000], ctype[128],
	    authz[5000], key[300], cookie[5000];
	const char *p = (const char *)data, *end = p + size;
	struct request req;
	struct response resp = { 0 };
	int st;

	if (!ready) {
		setup();
		ready = true;
	}
	memset(&req, 0, sizeof(req));
	req.method = part(&p, end, method, sizeof(method));
	req.path = part(&p, end, path, sizeof(path));
	req.query = part(&p, end, query, sizeof(query));
	if (req.method == NULL || req.path == NULL)
		return 0;
	if (req.query == NULL)
		req.query = "";
	req.query_len = strlen(req.query);
	req.content_type = part(&p, end, ctype, sizeof(ctype));
	req.creds.authorization = part(&p, end, authz, sizeof(authz));
	req.creds.authorization_len =
	    req.creds.authorization ? strlen(authz) : 0;
	req.creds.api_key = part(&p, end, key, sizeof(key));
	req.creds.api_key_len = req.creds.api_key ? strlen(key) : 0;
	req.creds.query = req.query;
	req.creds.query_len = req.query_len;
	req.cookie = part(&p, end, cookie, sizeof(cookie));
	req.body = p < end ? p : NULL;
	req.body_len = (size_t)(end - p);
	req.remote_addr = "127.0.0.1";
	req.host = "localhost";

	router_handle(&app, &req, &resp);
	st = resp.status;
	CHECK(st == 200 || st == 201 || st == 204 || st == 303 || st == 400 ||
	      st == 401 || st == 403 || st == 404 || st == 405 || st == 406 ||
	      st == 412 || st == 413 || st == 414 || st == 415 || st == 422 ||
	      st == 429 || st == 503);
	if ((st == 401 || st == 412 || st == 503) && resp.content_type == NULL)
		CHECK(resp.body.len == 0);
	buf_free(&resp.headers);
	buf_free(&resp.body);
	return 0;
}
