/* SPDX-License-Identifier: Apache-2.0 */
/* JSON config reading: a bounded pre-scan, then jansson, plus value text and line lookup. */
#include "formats/json.h"

#include <float.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "limits.h"
#include "util.h"

struct vg_jdoc {
	json_t *root;
	char *text; /* a copy of the input, for line lookups */
	size_t len;
};

/* jansson nodes are handed out as opaque vg_jnode pointers. */
static const json_t *J(const struct vg_jnode *n)
{
	return (const json_t *)n;
}

static const struct vg_jnode *N(const json_t *j)
{
	return (const struct vg_jnode *)j;
}

static void line_col(const char *d, size_t off, size_t *line, size_t *col)
{
	size_t l = 1, bol = 0;

	for (size_t i = 0; i < off; i++)
		if (d[i] == '\n') {
			l++;
			bol = i + 1;
		}
	*line = l;
	*col = off - bol + 1;
}

/* Counts nesting and values before jansson sees the text, so a hostile file
 * is refused without building a huge tree or recursing deeply. */
static int prescan(const char *name, const char *d, size_t len, struct vg_error *err)
{
	size_t depth = 0, values = 1, line, col;
	bool str = false;

	for (size_t i = 0; i < len; i++) {
		char c = d[i];

		if (str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				str = false;
			continue;
		}
		switch (c) {
		case '"':
			str = true;
			break;
		case '[':
		case '{':
			if (++depth > VG_MAX_CONFIG_DEPTH) {
				line_col(d, i, &line, &col);
				return vg_error_set(err, VG_ELIMIT,
						    "%s:%zu:%zu: JSON nested deeper than %d levels",
						    name, line, col, VG_MAX_CONFIG_DEPTH);
			}
			break;
		case ']':
		case '}':
			if (depth)
				depth--;
			break;
		case ',':
			if (++values > VG_MAX_CONFIG_NODES) {
				line_col(d, i, &line, &col);
				return vg_error_set(err, VG_ELIMIT, "%s:%zu:%zu: more than %d JSON "
						    "values", name, line, col, VG_MAX_CONFIG_NODES);
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

int vg_jdoc_parse(struct vg_jdoc **out, const char *name, const char *data, size_t len,
		  struct vg_error *err)
{
	struct vg_jdoc *doc = NULL;
	json_error_t jerr;
	int rc;

	*out = NULL;
	if (!name)
		name = "<json>";
	if (len > VG_MAX_CONFIG_FILE_BYTES)
		return vg_error_set(err, VG_ELIMIT, "%s: larger than %u bytes", name,
				    VG_MAX_CONFIG_FILE_BYTES);
	rc = prescan(name, data, len, err);
	if (rc < 0)
		return rc;
	doc = calloc(1, sizeof(*doc));
	if (!doc || !(doc->text = vg_memdup(data, len))) {
		rc = vg_error_set(err, VG_ENOMEM, "%s: out of memory", name);
		goto out;
	}
	doc->len = len;
	memset(&jerr, 0, sizeof(jerr));
	doc->root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc->root) {
		rc = vg_error_set(err, VG_EPARSE, "%s:%d:%d: %s", name,
				  jerr.line > 0 ? jerr.line : 1, jerr.column > 0 ? jerr.column : 1,
				  jerr.text[0] ? jerr.text : "invalid JSON");
		goto out;
	}
	*out = doc;
	doc = NULL;
	rc = 0;
out:
	vg_jdoc_free(doc);
	return rc;
}

void vg_jdoc_free(struct vg_jdoc *doc)
{
	if (!doc)
		return;
	json_decref(doc->root);
	free(doc->text);
	free(doc);
}

const struct vg_jnode *vg_jdoc_root(const struct vg_jdoc *doc)
{
	return N(doc->root);
}

const struct vg_jnode *vg_jnode_get(const struct vg_jnode *n, const char *key)
{
	if (!n || !key || !json_is_object(J(n)))
		return NULL;
	return N(json_object_get(J(n), key));
}

const struct vg_jnode *vg_jnode_at(const struct vg_jnode *n, size_t i)
{
	if (!n || !json_is_array(J(n)))
		return NULL;
	return N(json_array_get(J(n), i));
}

/* The shortest %g form that reads back as the same double. */
static char *real_text(double v)
{
	char buf[64];

	for (int prec = 1; prec <= DBL_DECIMAL_DIG; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return strdup(buf);
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
	return vg_buf_append(data, buffer, size) < 0 ? -1 : 0;
}

int vg_jnode_text(char **out, const struct vg_jnode *n, struct vg_error *err)
{
	const json_t *j = J(n);
	struct vg_buf b;

	*out = NULL;
	switch (json_typeof(j)) {
	case JSON_NULL:
		return 0;
	case JSON_TRUE:
		*out = strdup("true");
		break;
	case JSON_FALSE:
		*out = strdup("false");
		break;
	case JSON_STRING:
		*out = vg_memdup(json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		*out = vg_asprintf("%" JSON_INTEGER_FORMAT, json_integer_value(j));
		break;
	case JSON_REAL:
		*out = real_text(json_real_value(j));
		break;
	case JSON_OBJECT:
	case JSON_ARRAY:
		vg_buf_init(&b, VG_MAX_SCALAR_BYTES);
		if (json_dump_callback(j, dump_cb, &b, JSON_COMPACT) < 0) {
			vg_buf_finish(&b);
			return vg_error_set(err, VG_ELIMIT, "JSON value longer than %u bytes",
					    VG_MAX_SCALAR_BYTES);
		}
		*out = vg_buf_detach(&b);
		break;
	}
	return *out ? 0 : vg_error_set(err, VG_ENOMEM, "out of memory");
}

/* Finding a node's position: jansson keeps no positions, so the text is
 * walked alongside the tree (objects iterate in document order, and duplicate
 * keys were refused) until the node is reached. */
struct locator {
	const char *d;
	size_t len;
	size_t pos;
	const json_t *target;
};

static void skip_ws(struct locator *l)
{
	while (l->pos < l->len && strchr(" \t\r\n", l->d[l->pos]) && l->d[l->pos])
		l->pos++;
}

static bool skip_string(struct locator *l)
{
	if (l->pos >= l->len || l->d[l->pos] != '"')
		return false;
	for (l->pos++; l->pos < l->len; l->pos++) {
		if (l->d[l->pos] == '\\')
			l->pos++;
		else if (l->d[l->pos] == '"') {
			l->pos++;
			return true;
		}
	}
	return false;
}

static bool expect_char(struct locator *l, char c)
{
	skip_ws(l);
	if (l->pos >= l->len || l->d[l->pos] != c)
		return false;
	l->pos++;
	return true;
}

/* 1: found (l->pos is at the target), 0: v skipped, -1: text and tree disagree. */
static int locate(struct locator *l, const json_t *v)
{
	int rc;

	skip_ws(l);
	if (l->pos >= l->len)
		return -1;
	if (v == l->target)
		return 1;
	if (json_is_object(v)) {
		l->pos++;
		for (void *it = json_object_iter((json_t *)v); it;
		     it = json_object_iter_next((json_t *)v, it)) {
			skip_ws(l);
			if (!skip_string(l) || !expect_char(l, ':'))
				return -1;
			rc = locate(l, json_object_iter_value(it));
			if (rc)
				return rc;
			skip_ws(l);
			if (l->pos < l->len && l->d[l->pos] == ',')
				l->pos++;
		}
		return expect_char(l, '}') ? 0 : -1;
	}
	if (json_is_array(v)) {
		l->pos++;
		for (size_t i = 0; i < json_array_size(v); i++) {
			rc = locate(l, json_array_get(v, i));
			if (rc)
				return rc;
			skip_ws(l);
			if (l->pos < l->len && l->d[l->pos] == ',')
				l->pos++;
		}
		return expect_char(l, ']') ? 0 : -1;
	}
	if (json_is_string(v))
		return skip_string(l) ? 0 : -1;
	while (l->pos < l->len && !strchr(",]} \t\r\n", l->d[l->pos]))
		l->pos++;
	return 0;
}

size_t vg_jdoc_line(const struct vg_jdoc *doc, const struct vg_jnode *n)
{
	struct locator l = {.d = doc->text, .len = doc->len, .target = J(n)};
	size_t line, col;

	if (!n || locate(&l, doc->root) != 1)
		return 0;
	line_col(doc->text, l.pos, &line, &col);
	return line;
}
