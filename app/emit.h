/*
 * emit.h: one description of a response, two renderings. A resource says
 * what it returns once (emit_str(e, "subject", ...)) and gets Redmine's
 * JSON (through json-c) or Redmine's XML (through libxml2's text writer),
 * with Redmine's conventions for each:
 *
 *   JSON {"issue":{"id":1,"project":{"id":1,"name":"P"}, ...}}
 *   XML  <issue><id>1</id><project id="1" name="P"/> ...</issue>
 *
 *   JSON {"issues":[...],"total_count":4,"offset":0,"limit":25}
 *   XML  <issues total_count="4" offset="0" limit="25" type="array">...
 *
 * Nothing is built by hand, so every string is escaped by the library.
 */
#ifndef EMIT_H
#define EMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"

struct emit;

struct page {
	long long total_count;
	long long offset;
	long long limit;
};

/* Start a document; NULL only if out of memory. */
struct emit *emit_new(enum fmt fmt);
/* The Content-Type of a document in fmt (FMT_JSON or FMT_XML). */
const char *emit_content_type(enum fmt fmt);
/* Render into resp (status, Content-Type, body) and free e. */
void emit_finish(struct emit *e, struct response *resp, int status);
/* Free without rendering (an error turned up halfway). Accepts NULL. */
void emit_free(struct emit *e);

/* An object named name: the document root, or a member of the current
 * object. Inside an array, name is the XML element of the item. */
void emit_object(struct emit *e, const char *name);
/* An object whose id Redmine shows as an XML attribute (a journal):
 * JSON {"id":1,...}, XML <journal id="1">...; otherwise as emit_object. */
void emit_object_id(struct emit *e, const char *name, long long id);
void emit_end(struct emit *e);
/* An array; page (may be NULL) gives total_count, offset and limit. */
void emit_array(struct emit *e, const char *name, const struct page *page);

void emit_str(struct emit *e, const char *name, const char *value);
void emit_int(struct emit *e, const char *name, long long value);
void emit_bool(struct emit *e, const char *name, bool value);
void emit_null(struct emit *e, const char *name);
/* A string or null: value NULL or, with PQgetisnull, SQL NULL. */
void emit_opt(struct emit *e, const char *name, const char *value);
/* A number from text (SQL numeric), or null. */
void emit_num(struct emit *e, const char *name, const char *value);
/* A reference {"id":..,"name":..} / <name id=".." name=".."/>. */
void emit_ref(
    struct emit *e, const char *name, long long id, const char *label);
/* An issue status reference, which also carries is_closed. */
void emit_status_ref(struct emit *e, const char *name, long long id,
    const char *label, bool is_closed);

#endif
