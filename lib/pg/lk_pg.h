/*
 * lk_pg.h: liblatchkey_pg, the PostgreSQL store behind struct lk_store and
 * the API-key operations that need both the database and the server keys.
 *
 * The connection is the caller's (one per worker, opened after fork); this
 * library prepares its statements on it lazily and never keeps a PGresult
 * beyond one call. Every call answers LK_ESTORE when the database cannot,
 * so callers can say 503 instead of guessing.
 */
#ifndef LK_PG_H
#define LK_PG_H

#include <libpq-fe.h>

#include "lk_auth.h"

#define LK_TIME_MAX 32 /* "2026-01-02T03:04:05Z" and room to spare */

struct lk_pgstore {
	PGconn *conn;      /* borrowed */
	unsigned prepared; /* a bit per statement that exists on conn */
};

/* Attach to a (new) connection; statements are prepared on first use. */
void lk_pgstore_attach(struct lk_pgstore *s, PGconn *conn);

/* Fill *out with callbacks over s (which must outlive it). */
void lk_pgstore_store(struct lk_pgstore *s, struct lk_store *out);

/*
 * The user's API key in out (40 characters + NUL) and its creation time.
 * With create, a user without a key gets one (Redmine creates keys on the
 * fly); without it, LK_ENOTFOUND. LK_ECRYPTO if the stored copy does not
 * open under this secret (the secret file was replaced).
 */
enum lk_err lk_pgstore_key_get(struct lk_pgstore *s, const struct lk_keys *keys,
    int64_t user_id, bool create, char out[LK_KEY_LEN + 1],
    char created_on[LK_TIME_MAX]) LK_MUST_CHECK;

/* Open a sealed key as PostgreSQL prints a bytea (\x...) into out. */
enum lk_err lk_pgstore_unseal(const struct lk_keys *keys, const char *bytea,
    char out[LK_KEY_LEN + 1]) LK_MUST_CHECK;

/*
 * Give the user a new key: key is a 40-hex key to import, or NULL for a
 * fresh random one; the old key stops working in the same transaction.
 * The key set is written to out. LK_EINVAL if key is malformed or another
 * user has it.
 */
enum lk_err lk_pgstore_key_set(struct lk_pgstore *s, const struct lk_keys *keys,
    int64_t user_id, const char *key, char out[LK_KEY_LEN + 1]) LK_MUST_CHECK;

#endif /* LK_PG_H */
