/* SPDX-License-Identifier: Apache-2.0 */
/* The `yaml` check: a value at a dotted path in a YAML config file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/structured.h"
#include "formats/yaml.h"
#include "util.h"

/* A mapping or sequence value is shown in flow style, cut at this size. */
#define FLOW_MAX 4096

struct yaml_cfg {
	struct vg_spath path;
};

static const struct vg_field fields[] = {
	VG_STRUCTURED_FIELDS,
	{"path", VG_FIELD_STRING, true},
	{NULL, 0, false},
};

static void yaml_cfg_free(void *p)
{
	struct yaml_cfg *y = p;

	if (!y)
		return;
	vg_spath_finish(&y->path);
	free(y);
}

static int yaml_cfg_parse(void **out, struct vg_structured *c, struct vg_pctx *pc,
			  const struct vg_ynode *node)
{
	struct yaml_cfg *y = calloc(1, sizeof(*y));
	const char *s = vg_pctx_str(pc, node, "path");
	char why[128];
	int rc;

	if (!y)
		return VG_ENOMEM;
	rc = s ? vg_spath_parse(&y->path, s, why, sizeof(why)) : VG_EPARSE;
	if (rc == VG_EPARSE)
		vg_pctx_error(pc, vg_ynode_get(node, "path"), "bad path '%s': %s", s ? s : "",
			      s ? why : "missing");
	if (rc < 0) {
		yaml_cfg_free(y);
		return rc;
	}
	c->addr = strdup(s);
	c->key = strdup(s);
	*out = y;
	return 0;
}

/* Flow-style text of a node; stops at the buffer's cap (VG_ELIMIT), which
 * also bounds the walk through aliases. */
static int flow(struct vg_buf *b, const struct vg_ynode *n)
{
	int rc = 0;

	switch (n->type) {
	case VG_YNODE_SCALAR:
		return vg_buf_append(b, vg_ynode_is_null(n) ? "null" : n->str,
				     vg_ynode_is_null(n) ? 4 : n->len);
	case VG_YNODE_SEQUENCE:
		rc = vg_buf_putc(b, '[');
		for (size_t i = 0; rc == 0 && i < n->nitems; i++) {
			if (i)
				rc = vg_buf_puts(b, ", ");
			if (rc == 0)
				rc = flow(b, n->items[i]);
		}
		return rc ? rc : vg_buf_putc(b, ']');
	case VG_YNODE_MAPPING:
		rc = vg_buf_putc(b, '{');
		for (size_t i = 0; rc == 0 && i < n->npairs; i++) {
			if (i)
				rc = vg_buf_puts(b, ", ");
			if (rc == 0)
				rc = flow(b, n->pairs[i].key);
			if (rc == 0)
				rc = vg_buf_puts(b, ": ");
			if (rc == 0)
				rc = flow(b, n->pairs[i].value);
		}
		return rc ? rc : vg_buf_putc(b, '}');
	}
	return 0;
}

static const struct vg_ynode *item(const struct vg_ynode *n, size_t i)
{
	return n && n->type == VG_YNODE_SEQUENCE && i < n->nitems ? n->items[i] : NULL;
}

static int yaml_lookup(const void *fcfg, const char *name, const char *data, size_t len,
		       struct vg_svalues *out, struct vg_error *err)
{
	const struct yaml_cfg *y = fcfg;
	struct vg_ydoc *doc = NULL;
	const struct vg_ynode *n;
	struct vg_diags diags;
	struct vg_buf b;
	int rc;

	vg_diags_init(&diags);
	vg_buf_init(&b, FLOW_MAX);
	rc = vg_ydoc_parse(&doc, name, data, len, &diags, err);
	if (rc < 0) {
		/* the first diagnostic says file:line:col: what */
		if (diags.count)
			vg_error_set(err, rc, "%s", diags.msgs[0]);
		goto out;
	}
	n = doc->root;
	for (size_t i = 0; n && i < y->path.n; i++) {
		const struct vg_spath_step *s = &y->path.steps[i];

		n = s->key ? vg_ynode_get(n, s->key) : item(n, s->index);
	}
	if (!n || vg_ynode_is_null(n))
		goto out;
	if (n->type == VG_YNODE_SCALAR) {
		rc = vg_svalues_add(out, n->str, n->len, n->line);
	} else {
		rc = flow(&b, n);
		if (rc == VG_ELIMIT)
			rc = 0; /* the start of a long value is enough to show */
		if (rc == 0)
			rc = vg_svalues_add(out, b.data ? b.data : "", b.len, n->line);
	}
	if (rc < 0)
		rc = vg_error_set(err, rc, "%s: out of memory", name);
out:
	vg_buf_finish(&b);
	vg_diags_finish(&diags);
	vg_ydoc_free(doc);
	return rc;
}

static const struct vg_sformat yaml_format = {
	.name = "yaml",
	.parse = yaml_cfg_parse,
	.free = yaml_cfg_free,
	.lookup = yaml_lookup,
};

static int yaml_check_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node)
{
	return vg_structured_parse(out, pc, node, &yaml_format, fields);
}

const struct vg_check_impl vg_check_yaml = {
	.name = "yaml",
	.targets = VG_TARGET_TREE | VG_TARGET_ROOT | VG_TARGET_HOST,
	.offline = true,
	.summary = "a value at a dotted path in a YAML config file",
	.parse = yaml_check_parse,
	.free = vg_structured_free,
	.wants = vg_structured_wants,
	.scan = vg_structured_scan,
	.evaluate = vg_structured_evaluate,
};
