/* res_news.c: stub, being written. */
#include "api.h"

void res_news_index(struct api *a) { api_not_found(a); }
void res_news_project(struct api *a) { api_not_found(a); }
void res_news_create(struct api *a) { api_not_found(a); }
void res_news_show(struct api *a) { api_not_found(a); }
void res_news_update(struct api *a) { api_not_found(a); }
void res_news_delete(struct api *a) { api_not_found(a); }
