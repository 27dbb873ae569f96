/* admin_user.c: stub, being written. */
#include <stdio.h>

#include "admin.h"

int
admin_user(struct admin *ad, int argc, char **argv)
{
	(void)ad, (void)argc, (void)argv;
	fprintf(stderr, "latchkey: user: not yet\n");
	return 1;
}
