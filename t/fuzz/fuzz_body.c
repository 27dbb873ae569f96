/*
 * fuzz_body.c: request bodies (app/body.c), JSON or XML by the first byte.
 *
 * Whatever the bytes, the answer is a tree whose root holds the asked-for
 * object, or a 400/413/415 with nothing left allocated; XML with a DTD or
 * entities never yields a tree.
 */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = { "application/json",
		"application/xml", "text/xml; charset=utf-8", "text/plain",
		NULL };
	struct request req;
	struct response resp = { 0 };
	struct api a = { 0 };
	json_object *tree = NULL, *inner;
	const char *body = (const char *)data + 1;

	if (size < 1)
		return 0;
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = "/issues.json";
	req.query = "";
	req.content_type = types[data[0] % 5];
	req.body = body;
	req.body_len = size - 1;
	a.req = &req;
	a.resp = &resp;
	a.fmt = FMT_JSON;
	inner = body_object(&a, "issue", &tree);
	if (inner != NULL) {
		CHECK(tree != NULL);
		CHECK(json_object_is_type(inner, json_type_object));
		/* XML with a DTD never gets here. */
		if (data[0] % 5 == 1 || data[0] % 5 == 2)
			CHECK(memmem(body, size - 1, "<!DOCTYPE", 9) == NULL &&
			      memmem(body, size - 1, "<!doctype", 9) == NULL);
	} else {
		CHECK(tree == NULL);
		CHECK(resp.status == 400 || resp.status == 413 ||
		      resp.status == 415);
	}
	json_object_put(tree);
	buf_free(&resp.headers);
	buf_free(&resp.body);
	return 0;
}
