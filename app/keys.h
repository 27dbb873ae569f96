/*
 * keys.h: the acting user's own API key.
 */
#ifndef KEYS_H
#define KEYS_H

#include "app.h"

/* The user's key (created if missing) and its creation time: 0 or -1. */
int keys_get_or_create(struct app *app, int64_t user_id,
    char key[LK_KEY_LEN + 1], char created_on[LK_TIME_MAX]);

/* Open a sealed key as PostgreSQL prints it: 0 or -1 (logged). */
int keys_unseal(struct app *app, const char *bytea, char key[LK_KEY_LEN + 1]);

#endif
