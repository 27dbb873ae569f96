/*
 * app.c: what every latchkey process sets up before its first request.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "cache.h"
#include "gate.h"
#include "log.h"
#include "throttle.h"

int
app_init(struct app *app, const struct lk_config *cfg)
{
	uint8_t secret[LK_SECRET_LEN];
	char err[512];
	struct lk_password_cost cost;

	memset(app, 0, sizeof(*app));
	app->cfg = *cfg;
	app->settings_stale = true;
	app->gate_id = -1;
	if (lk_secret_init() != LK_OK) {
		log_event(LK_LOG_ERROR, "sodium_init_failed", (char *)NULL);
		return -1;
	}
	if (secret_load(cfg->secret_file, secret, err, sizeof(err)) != 0) {
		log_event(LK_LOG_ERROR, "secret_unreadable", "error", err,
		    (char *)NULL);
		return -1;
	}
	lk_secret_derive(&app->keys, secret);
	lk_wipe(secret, sizeof(secret));
	lk_pgstore_attach(&app->pgstore, NULL);
	lk_pgstore_store(&app->pgstore, &app->store);
	cost.opslimit = cfg->password_opslimit;
	cost.memlimit = (size_t)cfg->password_memlimit;
	if (lk_resolver_init(&app->resolver, &app->keys, &app->store, &cost) !=
	    LK_OK) {
		log_event(LK_LOG_ERROR, "password_cost_unusable", "error",
		    "argon2id failed at password_opslimit/password_memlimit",
		    (char *)NULL);
		return -1;
	}
	return 0;
}

static bool
slow_enter(void *ctx)
{
	return gate_enter(((struct app *)ctx)->gate_id);
}

static void
slow_leave(void *ctx)
{
	gate_leave(((struct app *)ctx)->gate_id);
}

unsigned
app_throttle_wait(struct app *app, const char *addr)
{
	unsigned wait;
	char retry[16];
	bool report;

	if (app->cfg.throttle_failures == 0)
		return 0;
	wait = throttle_check(app->throttle, addr, app->cfg.throttle_failures,
	    app->cfg.throttle_window, &report);
	if (report) {
		snprintf(retry, sizeof(retry), "%u", wait);
		log_event(LK_LOG_WARN, "auth_throttled", "addr", addr,
		    "retry_after", retry, (char *)NULL);
	}
	return wait;
}

void
app_throttle_fail(struct app *app, const char *addr)
{
	if (app->cfg.throttle_failures > 0)
		throttle_fail(app->throttle, addr, app->cfg.throttle_window);
}

void
app_worker_init(struct app *app)
{
	app->resolver.hooks = (struct lk_resolver_hooks){
		.ctx = app,
		.slow_enter = slow_enter,
		.slow_leave = slow_leave,
		.cache_get = cache_get,
		.cache_put = cache_put,
	};
	cache_configure(app->cfg.cache_ttl);
}

void
app_free(struct app *app)
{
	if (app->conn != NULL)
		PQfinish(app->conn);
	app->conn = NULL;
	lk_wipe(&app->keys, sizeof(app->keys));
}
