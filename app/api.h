/*
 * api.h: what a resource handler sees. The router has already resolved
 * the credentials (once, for every route alike), checked the REST switch
 * and login_required, and parsed the id in the path; a handler only
 * decides what this user may do with this object.
 */
#ifndef API_H
#define API_H

#include <json.h>

#include "app.h"
#include "emit.h"

struct api {
	struct app *app;
	const struct request *req;
	struct response *resp;
	enum fmt fmt;
	/* The acting user, or NULL for anonymous. */
	const struct lk_user *user;
	/* The first path argument (an id or an identifier), or NULL. */
	const char *arg;
};

/* --- router.c: answers --- */

/* 401 (with the Basic challenge) for anonymous when the REST API is on,
 * else 403: Redmine's require_login for API requests. */
void api_need_login(struct api *a);
/* 403 for a user, or need_login for anonymous: Redmine's deny_access. */
void api_deny(struct api *a);
/* 404, 204, 503 (with Retry-After): empty bodies. */
void api_not_found(struct api *a);
void api_no_content(struct api *a);
void api_unavailable(struct api *a);
/* 400 for a malformed body or parameter (empty body). */
void api_bad_request(struct api *a);
/* 422 with Redmine's error list: messages is a NULL-terminated list. */
void api_invalid(struct api *a, const char *const *messages);
/* Start a document in the request's format; NULL: the 503 is sent. */
struct emit *api_emit(struct api *a);

/* Pagination from offset/limit: Redmine's defaults and clamps. */
void api_page(const struct api *a, struct page *p);

/* --- body.c: request bodies --- */

/*
 * The body as a JSON tree, whatever it came as: a JSON body by json-c
 * (depth bounded), an XML body by libxml2 (no network, no DTD, no
 * entities) turned into objects of strings. The root must be an object
 * holding an object named root ("issue"); that inner object is returned,
 * owned by *tree (json_object_put it once). NULL: the 400 is sent.
 */
json_object *body_object(struct api *a, const char *root, json_object **tree);

/* A string member of obj: its text, or NULL if absent or null. *bad is set
 * if present but not a string or number, or not valid UTF-8 without NUL,
 * or longer than max bytes. */
const char *body_string(json_object *obj, const char *name, size_t max,
    bool *bad);
/* An integer member (a number or a string of digits): 0 if absent, -1 and
 * *bad if malformed. */
long long body_id(json_object *obj, const char *name, bool *bad);

/* --- perm.c: who may do what (SPEC section 7) --- */

enum perm_action {
	PERM_VIEW,
	PERM_ISSUE_CREATE,
	PERM_ISSUE_NOTES,
	PERM_ISSUE_EDIT,
	PERM_ISSUE_DELETE,
	PERM_NEWS_MANAGE,
};

struct project_ref {
	long long id;
	char name[256];
	bool is_public;
};

/*
 * Find a project by numeric id or identifier: 0 (found, *p filled),
 * 1 (no such project), -1 (database unavailable).
 */
int perm_find_project(struct api *a, const char *id_or_identifier,
    struct project_ref *p);
/* May the acting user do action in project p? -1 if the database could
 * not answer. */
int perm_allowed(struct api *a, const struct project_ref *p,
    enum perm_action action);
/*
 * SQL condition "project p is visible to the acting user", over projects
 * aliased p, with the user's id as parameter $U and whether they are an
 * administrator as $A (fill both with perm_params). Anonymous (id 0) sees
 * public projects only. A macro, so queries stay string literals (db.c
 * names prepared statements by the literal's address).
 */
#define PERM_VISIBLE(U, A)                                                   \
	"(p.is_public OR $" #A "::boolean OR EXISTS (SELECT 1 FROM members m " \
	"WHERE m.project_id = p.id AND m.user_id = $" #U "::bigint))"
void perm_params(const struct api *a, char user_id[24], const char **admin);

/* --- the resources --- */

void res_users_current(struct api *a);
void res_my_account(struct api *a);
void res_projects_index(struct api *a);
void res_projects_show(struct api *a);
void res_news_index(struct api *a);
void res_news_project(struct api *a);
void res_news_create(struct api *a);
void res_news_show(struct api *a);
void res_news_update(struct api *a);
void res_news_delete(struct api *a);
void res_issues_index(struct api *a);
void res_issues_create(struct api *a);
void res_issues_show(struct api *a);
void res_issues_update(struct api *a);
void res_issues_delete(struct api *a);

#endif
