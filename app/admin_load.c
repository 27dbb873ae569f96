/* admin_load.c: stub, being written. */
#include <stdio.h>

#include "admin.h"

int
admin_load(struct admin *ad, int argc, char **argv)
{
	(void)ad, (void)argc, (void)argv;
	fprintf(stderr, "latchkey: load: not yet\n");
	return 1;
}
