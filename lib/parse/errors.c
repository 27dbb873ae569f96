/*
 * errors.c: names for the one error enum, and wiping of secrets.
 */
#include <string.h>

#include "lk_parse.h"

const char *
lk_err_str(enum lk_err err)
{
	switch (err) {
	case LK_OK:
		return "ok";
	case LK_EINVAL:
		return "invalid input";
	case LK_ETOOLONG:
		return "input too long";
	case LK_ENOTFOUND:
		return "not found";
	case LK_ESTORE:
		return "store unavailable";
	case LK_ECRYPTO:
		return "cryptographic failure";
	case LK_ENOMEM:
		return "out of memory";
	case LK_ESYS:
		return "system error";
	}
	/* Not a member of the enum: a caller's bug, but never a NULL. */
	return "unknown error";
}

void
lk_wipe(void *p, size_t len)
{
	/* explicit_bzero, unlike memset, survives dead-store elimination. */
	if (p != NULL && len > 0)
		explicit_bzero(p, len);
}
