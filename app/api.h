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
/* Run sql (a literal whose $1 is id) for a DELETE: 204, or 503/502. */
void api_delete(struct api *a, const char *sql, const char *id);
/* 400 for a malformed body or parameter (empty body). */
void api_bad_request(struct api *a);
/* 422 with Redmine's error list: messages is a NULL-terminated list. */
void api_invalid(struct api *a, const char *const *messages);
/* Start a document in the request's format; NULL: the 503 is sent. */
struct emit *api_emit(struct api *a);

/* Pagination from offset/limit: Redmine's defaults and clamps. */
void api_page(const struct api *a, struct page *p);

/* A query parameter, %-decoded, into v[size]: 1 (found; valid UTF-8),
 * 0 (absent or empty), -1 (malformed, repeated with another value, not
 * UTF-8, or too long: the caller answers 400). */
int api_param(const struct api *a, const char *name, char *v, size_t size);

/* An object id as a path segment or parameter: 1 to 18 digits, nothing
 * else. The id, or 0 if s is anything else (the caller answers 404). */
long long api_id(const char *s);

/* After a failed write: 422 if PostgreSQL refused the values (SQLSTATE
 * class 22 or 23: a check, a foreign key, a range), with message; else
 * the database is in trouble: 503. */
void api_write_failed(struct api *a, const char *message);

/* Validation errors gathered for one 422 (Redmine reports them all). */
#define API_ERRORS_MAX 8
struct api_errors {
	size_t n;
	char msg[API_ERRORS_MAX][128];
};

/* Add a message (printf format); past API_ERRORS_MAX they are dropped. */
void api_error(struct api_errors *errs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The 422 for the gathered errors (errs->n > 0). */
void api_invalid_errors(struct api *a, const struct api_errors *errs);

enum api_text_rule {
	API_TEXT_OPTIONAL,  /* may be absent or blank */
	API_TEXT_NOT_BLANK, /* may be absent, not blank (an update) */
	API_TEXT_REQUIRED,  /* present and not blank (a create) */
};
/*
 * A text member of a request body checked as Redmine validates it, the
 * messages naming label: "<label> cannot be blank" (see the rules; blank
 * is empty or white space), "<label> is too long (maximum is N
 * characters)" over max_chars characters, "<label> is invalid" if not
 * text. Returns the text, or NULL when absent or refused (then errs grew).
 */
const char *api_text(json_object *obj, const char *name, const char *label,
    size_t max_chars, enum api_text_rule rule, struct api_errors *errs);

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
const char *body_string(
    json_object *obj, const char *name, size_t max, bool *bad);
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
	/* The acting user's membership, when perm_find_project read it with
	 * the project (saves perm_allowed a query); zero-initialise a
	 * project_ref filled by hand. */
	bool role_known;
	char role[16]; /* "" for none */
};

/*
 * Find a project by numeric id or identifier: 0 (found, *p filled),
 * 1 (no such project), -1 (database unavailable).
 */
int perm_find_project(
    struct api *a, const char *id_or_identifier, struct project_ref *p);
/* May the acting user do action in project p? -1 if the database could
 * not answer. */
int perm_allowed(
    struct api *a, const struct project_ref *p, enum perm_action action);
/* May the acting user do action in p? 0 if so; else -1 and the answer is
 * sent (401/403 by api_deny, or 503). Any action allowed implies
 * PERM_VIEW. */
int perm_require(
    struct api *a, const struct project_ref *p, enum perm_action action);
/*
 * Find a project by id or identifier and check that the acting user may do
 * action there: 0 if so, with *p filled; else -1 and the answer is sent
 * (404 no such project, 401/403 by api_deny, 503).
 */
int perm_project(struct api *a, const char *id_or_identifier,
    enum perm_action action, struct project_ref *p);
/* SQL: the acting user's role in project p ("" for none), with the
 * user's id as parameter $U. */
#define PERM_ROLE(U)                                                           \
	"coalesce((SELECT m.role FROM members m WHERE m.project_id = p.id "    \
	"AND m.user_id = $" #U "::bigint), '')"
/*
 * SQL condition "project p is visible to the acting user", over projects
 * aliased p, with the user's id as parameter $U and whether they are an
 * administrator as $A (fill both with perm_params). Anonymous (id 0) sees
 * public projects only. A macro, so queries stay string literals (db.c
 * names prepared statements by the literal's address).
 */
#define PERM_VISIBLE(U, A)                                                     \
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
