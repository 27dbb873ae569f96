/*
 * html.h: the HTML pages of SPEC section 8 (/login, /logout, /my/account,
 * /settings). They never take API credentials, and API requests never use
 * their session cookie.
 */
#ifndef HTML_H
#define HTML_H

#include "app.h"

/* Answer req if its path is one of the pages: true if it did. */
bool html_handle(
    struct app *app, const struct request *req, struct response *resp);

#endif
