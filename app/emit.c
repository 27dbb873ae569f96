/*
 * emit.c: see emit.h.
 */
#include <json.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"

#define MAX_DEPTH 8

struct emit {
	enum fmt fmt;
	int depth;
	/* JSON: the open containers; page fields wait for the array's end. */
	json_object *root;
	json_object *stack[MAX_DEPTH];
	struct page pages[MAX_DEPTH];
	bool paged[MAX_DEPTH];
	/* XML: arrays end in a full end tag even when empty, as Redmine's
	 * <journals type="array"></journals>. */
	bool arrays[MAX_DEPTH];
	/* XML */
	xmlBufferPtr xbuf;
	xmlTextWriterPtr w;
};

struct emit *
emit_new(enum fmt fmt)
{
	struct emit *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->fmt = fmt;
	if (fmt == FMT_JSON) {
		e->root = json_object_new_object();
		e->stack[0] = e->root;
		if (e->root == NULL)
			goto fail;
		return e;
	}
	e->xbuf = xmlBufferCreate();
	if (e->xbuf == NULL)
		goto fail;
	e->w = xmlNewTextWriterMemory(e->xbuf, 0);
	if (e->w == NULL ||
	    xmlTextWriterStartDocument(e->w, NULL, "UTF-8", NULL) < 0)
		goto fail;
	return e;
fail:
	emit_free(e);
	return NULL;
}

void
emit_free(struct emit *e)
{
	if (e == NULL)
		return;
	json_object_put(e->root);
	if (e->w != NULL)
		xmlFreeTextWriter(e->w);
	if (e->xbuf != NULL)
		xmlBufferFree(e->xbuf);
	free(e);
}

/* Add value under name to the current JSON container (takes ownership). */
static void
json_add(struct emit *e, const char *name, json_object *value)
{
	json_object *top = e->stack[e->depth];

	if (json_object_is_type(top, json_type_array))
		json_object_array_add(top, value);
	else
		json_object_object_add(top, name, value);
}

static void
json_push(struct emit *e, const char *name, json_object *value)
{
	/* Our documents nest four deep at most: past MAX_DEPTH is a bug,
	 * dropped rather than written out of bounds. */
	if (e->depth + 1 >= MAX_DEPTH) {
		json_object_put(value);
		return;
	}
	json_add(e, name, json_object_get(value));
	e->stack[++e->depth] = value;
	json_object_put(value); /* the parent holds it */
}

void
emit_object(struct emit *e, const char *name)
{
	if (e->fmt == FMT_JSON) {
		json_push(e, name, json_object_new_object());
		e->paged[e->depth] = false;
		return;
	}
	e->depth++;
	if (e->depth < MAX_DEPTH)
		e->arrays[e->depth] = false;
	xmlTextWriterStartElement(e->w, BAD_CAST name);
}

void
emit_object_id(struct emit *e, const char *name, long long id)
{
	emit_object(e, name);
	if (e->fmt == FMT_JSON)
		emit_int(e, "id", id);
	else
		xmlTextWriterWriteFormatAttribute(
		    e->w, BAD_CAST "id", "%lld", id);
}

void
emit_array(struct emit *e, const char *name, const struct page *page)
{
	if (e->fmt == FMT_JSON) {
		json_push(e, name, json_object_new_array());
		e->paged[e->depth] = page != NULL;
		if (page != NULL)
			e->pages[e->depth] = *page;
		return;
	}
	e->depth++;
	if (e->depth < MAX_DEPTH)
		e->arrays[e->depth] = true;
	xmlTextWriterStartElement(e->w, BAD_CAST name);
	if (page != NULL) {
		xmlTextWriterWriteFormatAttribute(
		    e->w, BAD_CAST "total_count", "%lld", page->total_count);
		xmlTextWriterWriteFormatAttribute(
		    e->w, BAD_CAST "offset", "%lld", page->offset);
		xmlTextWriterWriteFormatAttribute(
		    e->w, BAD_CAST "limit", "%lld", page->limit);
	}
	xmlTextWriterWriteAttribute(e->w, BAD_CAST "type", BAD_CAST "array");
}

void
emit_end(struct emit *e)
{
	if (e->depth == 0)
		return; /* an end too many: a bug, ignored */
	if (e->fmt == FMT_XML) {
		if (e->depth < MAX_DEPTH && e->arrays[e->depth])
			xmlTextWriterFullEndElement(e->w);
		else
			xmlTextWriterEndElement(e->w);
		e->depth--;
		return;
	}
	if (e->paged[e->depth]) {
		/* Redmine puts the page fields after the array, in its
		 * parent: {"issues":[...],"total_count":..}. */
		const struct page *p = &e->pages[e->depth];
		json_object *parent = e->stack[e->depth - 1];

		json_object_object_add(parent, "total_count",
		    json_object_new_int64(p->total_count));
		json_object_object_add(
		    parent, "offset", json_object_new_int64(p->offset));
		json_object_object_add(
		    parent, "limit", json_object_new_int64(p->limit));
	}
	e->depth--;
}

static void
xml_text(struct emit *e, const char *name, const char *text)
{
	xmlTextWriterStartElement(e->w, BAD_CAST name);
	if (text != NULL)
		xmlTextWriterWriteString(e->w, BAD_CAST text);
	xmlTextWriterEndElement(e->w);
}

void
emit_str(struct emit *e, const char *name, const char *value)
{
	if (e->fmt == FMT_JSON)
		json_add(e, name, json_object_new_string(value));
	else
		xml_text(e, name, value);
}

void
emit_int(struct emit *e, const char *name, long long value)
{
	char text[24];

	if (e->fmt == FMT_JSON) {
		json_add(e, name, json_object_new_int64(value));
		return;
	}
	snprintf(text, sizeof(text), "%lld", value);
	xml_text(e, name, text);
}

void
emit_bool(struct emit *e, const char *name, bool value)
{
	if (e->fmt == FMT_JSON)
		json_add(e, name, json_object_new_boolean(value));
	else
		xml_text(e, name, value ? "true" : "false");
}

void
emit_null(struct emit *e, const char *name)
{
	if (e->fmt == FMT_JSON)
		json_add(e, name, NULL);
	else
		xml_text(e, name, NULL);
}

void
emit_opt(struct emit *e, const char *name, const char *value)
{
	if (value == NULL)
		emit_null(e, name);
	else
		emit_str(e, name, value);
}

void
emit_num(struct emit *e, const char *name, const char *value)
{
	if (value == NULL) {
		emit_null(e, name);
		return;
	}
	if (e->fmt == FMT_JSON)
		json_add(e, name, json_object_new_double(strtod(value, NULL)));
	else
		xml_text(e, name, value);
}

static void
ref(struct emit *e, const char *name, long long id, const char *label,
    int closed)
{
	if (e->fmt == FMT_JSON) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_int64(id));
		json_object_object_add(
		    o, "name", json_object_new_string(label));
		if (closed >= 0)
			json_object_object_add(
			    o, "is_closed", json_object_new_boolean(closed));
		json_add(e, name, o);
		return;
	}
	xmlTextWriterStartElement(e->w, BAD_CAST name);
	xmlTextWriterWriteFormatAttribute(e->w, BAD_CAST "id", "%lld", id);
	xmlTextWriterWriteAttribute(e->w, BAD_CAST "name", BAD_CAST label);
	if (closed >= 0)
		xmlTextWriterWriteAttribute(e->w, BAD_CAST "is_closed",
		    BAD_CAST(closed ? "true" : "false"));
	xmlTextWriterEndElement(e->w);
}

void
emit_ref(struct emit *e, const char *name, long long id, const char *label)
{
	ref(e, name, id, label, -1);
}

void
emit_status_ref(struct emit *e, const char *name, long long id,
    const char *label, bool is_closed)
{
	ref(e, name, id, label, is_closed);
}

const char *
emit_content_type(enum fmt fmt)
{
	return fmt == FMT_JSON ? "application/json; charset=utf-8"
			       : "application/xml; charset=utf-8";
}

void
emit_finish(struct emit *e, struct response *resp, int status)
{
	if (e->fmt == FMT_JSON) {
		const char *s = json_object_to_json_string_ext(e->root,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

		buf_puts(&resp->body, s);
	} else {
		xmlTextWriterEndDocument(e->w);
		xmlFreeTextWriter(e->w);
		e->w = NULL;
		buf_append(&resp->body, xmlBufferContent(e->xbuf),
		    (size_t)xmlBufferLength(e->xbuf));
	}
	resp->content_type = emit_content_type(e->fmt);
	resp->status = status;
	emit_free(e);
}
