/*
 * body.c: request bodies, JSON or XML by Content-Type, into one json-c
 * tree so resources read both alike.
 *
 * XML is parsed with no network access, no DTD (a document with one is
 * refused outright: no external entities, no entity expansion) and a depth
 * bound; JSON with json-c's depth bound. Sizes were bounded by the worker
 * (max_body) before we get here.
 */
#define _GNU_SOURCE /* memmem */
#include <libxml/parser.h>
#include <string.h>
#include <strings.h>

#include "api.h"

#define BODY_DEPTH 8

static bool
type_is(const char *ct, const char *type)
{
	size_t n = strlen(type);

	return ct != NULL && strncasecmp(ct, type, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static json_object *
parse_json(const char *body, size_t len)
{
	struct json_tokener *tok = json_tokener_new_ex(BODY_DEPTH);
	json_object *root;

	if (tok == NULL || len > INT32_MAX)
		return NULL;
	root = json_tokener_parse_ex(tok, body, (int)len);
	/* Whole body, nothing after it, no half-parsed document. */
	if (root != NULL &&
	    (json_tokener_get_error(tok) != json_tokener_success ||
		json_tokener_get_parse_end(tok) != len)) {
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	return root;
}

/* An element with element children is an object; else its text. */
static json_object *
xml_node(xmlNode *node, int depth)
{
	xmlNode *c;
	json_object *obj;
	bool has_elements = false;

	if (depth > BODY_DEPTH)
		return NULL;
	for (c = node->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE)
			has_elements = true;
		else if (c->type != XML_TEXT_NODE &&
			 c->type != XML_CDATA_SECTION_NODE)
			return NULL; /* entity references, PIs: refused */
	}
	if (!has_elements) {
		xmlChar *text = xmlNodeGetContent(node);

		obj = json_object_new_string(text ? (const char *)text : "");
		xmlFree(text);
		return obj;
	}
	obj = json_object_new_object();
	for (c = node->children; c != NULL; c = c->next) {
		json_object *v;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		/* A repeated element is ambiguous: refuse it. */
		if (json_object_object_get_ex(
			obj, (const char *)c->name, NULL) ||
		    (v = xml_node(c, depth + 1)) == NULL) {
			json_object_put(obj);
			return NULL;
		}
		json_object_object_add(obj, (const char *)c->name, v);
	}
	return obj;
}

static xmlParserInputPtr
no_entity_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url, (void)id, (void)ctxt;
	return NULL;
}

/* libxml2 prints what it dislikes to stderr, which is our log, quoting
 * bytes of the body: hostile input must not write there. */
static void
silent_generic(void *ctx, const char *msg, ...)
{
	(void)ctx, (void)msg;
}

static void
silent_structured(void *ctx, xmlErrorPtr err)
{
	(void)ctx, (void)err;
}

static json_object *
parse_xml(const char *body, size_t len)
{
	xmlDoc *doc;
	xmlNode *root;
	json_object *tree = NULL, *inner;

	/* NUL is not a character XML allows, and libxml2 stops reading at
	 * one: whatever followed it would pass unseen. A DTD is refused
	 * before parsing, so its entity declarations are never even read. */
	if (len > INT32_MAX || memchr(body, '\0', len) != NULL ||
	    memmem(body, len, "<!DOCTYPE", 9) != NULL)
		return NULL;
	xmlSetExternalEntityLoader(no_entity_loader);
	xmlSetGenericErrorFunc(NULL, silent_generic);
	xmlSetStructuredErrorFunc(NULL, silent_structured);
	doc = xmlReadMemory(body, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
		return NULL;
	root = xmlDocGetRootElement(doc);
	if (root != NULL && doc->intSubset == NULL && doc->extSubset == NULL &&
	    (inner = xml_node(root, 1)) != NULL) {
		tree = json_object_new_object();
		json_object_object_add(tree, (const char *)root->name, inner);
	}
	xmlFreeDoc(doc);
	return tree;
}

json_object *
body_object(struct api *a, const char *root, json_object **tree)
{
	const struct request *req = a->req;
	json_object *inner;

	*tree = NULL;
	if (req->body_too_large) {
		resp_text(a->resp, 413, "Request body too large.\n");
		return NULL;
	}
	if (type_is(req->content_type, "application/json"))
		*tree = parse_json(req->body ? req->body : "", req->body_len);
	else if (type_is(req->content_type, "application/xml") ||
		 type_is(req->content_type, "text/xml"))
		*tree = parse_xml(req->body ? req->body : "", req->body_len);
	else {
		resp_text(a->resp, 415,
		    "Send the body as application/json or application/xml.\n");
		return NULL;
	}
	if (*tree == NULL || !json_object_is_type(*tree, json_type_object) ||
	    !json_object_object_get_ex(*tree, root, &inner) ||
	    !json_object_is_type(inner, json_type_object)) {
		json_object_put(*tree);
		*tree = NULL;
		api_bad_request(a);
		return NULL;
	}
	return inner;
}

const char *
body_string(json_object *obj, const char *name, size_t max, bool *bad)
{
	json_object *v;
	const char *s;
	size_t len;

	if (!json_object_object_get_ex(obj, name, &v) || v == NULL)
		return NULL;
	if (!json_object_is_type(v, json_type_string) &&
	    !json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double)) {
		*bad = true;
		return NULL;
	}
	s = json_object_get_string(v);
	len = json_object_is_type(v, json_type_string)
		  ? (size_t)json_object_get_string_len(v)
		  : strlen(s);
	if (len > max || !lk_utf8_valid(s, len)) {
		*bad = true;
		return NULL;
	}
	return s;
}

long long
body_id(json_object *obj, const char *name, bool *bad)
{
	json_object *v;
	const char *s;
	size_t n;

	if (!json_object_object_get_ex(obj, name, &v) || v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);

		if (i > 0 && i < INT64_MAX)
			return i;
	} else if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		n = strspn(s, "0123456789");
		if (n > 0 && n <= 18 && s[n] == '\0' &&
		    (size_t)json_object_get_string_len(v) == n)
			return strtoll(s, NULL, 10);
	}
	*bad = true;
	return -1;
}
