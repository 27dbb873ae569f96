/* res_issues.c: stub, being written. */
#include "api.h"

void res_issues_index(struct api *a) { api_not_found(a); }
void res_issues_create(struct api *a) { api_not_found(a); }
void res_issues_show(struct api *a) { api_not_found(a); }
void res_issues_update(struct api *a) { api_not_found(a); }
void res_issues_delete(struct api *a) { api_not_found(a); }
