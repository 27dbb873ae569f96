/*
 * keys.c: the acting user's own API key, for /users/current, /my/account
 * and the "My account" page. Created on the fly, as Redmine does.
 */
#include "keys.h"
#include "log.h"

static void
unreadable(void)
{
	log_event(LK_LOG_ERROR, "key_unreadable", "reason",
	    "sealed under another secret: reset the key", (char *)NULL);
}

int
keys_unseal(struct app *app, const char *bytea, char key[LK_KEY_LEN + 1])
{
	if (lk_pgstore_unseal(&app->keys, bytea, key) != LK_OK) {
		unreadable();
		return -1;
	}
	return 0;
}

int
keys_get_or_create(struct app *app, int64_t user_id, char key[LK_KEY_LEN + 1],
    char created_on[LK_TIME_MAX])
{
	enum lk_err err = lk_pgstore_key_get(
	    &app->pgstore, &app->keys, user_id, true, key, created_on);

	if (err == LK_ECRYPTO)
		unreadable();
	if (err != LK_OK)
		db_check(app);
	return err == LK_OK ? 0 : -1;
}
