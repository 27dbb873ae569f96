/* html.c: stub, being written. */
#include "html.h"

bool
html_handle(struct app *app, const struct request *req, struct response *resp)
{
	(void)app, (void)req, (void)resp;
	return false;
}
