/* res_projects.c: stub, being written. */
#include "api.h"

void
res_projects_index(struct api *a)
{
	api_not_found(a);
}

void
res_projects_show(struct api *a)
{
	api_not_found(a);
}
