/* SPDX-License-Identifier: Apache-2.0 */
/* The `xml` check: the string value of an XPath 1.0 expression in an XML config file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/structured.h"
#include "formats/xml.h"

struct xml_cfg {
	struct vg_xpath *xp;
	bool all;  /* every node of a node-set, not only the first */
};

static const struct vg_field fields[] = {
	VG_STRUCTURED_FIELDS,
	{"xpath", VG_FIELD_STRING, true},
	{"all", VG_FIELD_BOOL, false},
	{"namespaces", VG_FIELD_MAPPING, false},
	{NULL, 0, false},
};

static void xml_cfg_free(void *p)
{
	struct xml_cfg *x = p;

	if (!x)
		return;
	vg_xpath_free(x->xp);
	free(x);
}

/* namespaces: {prefix: URI, ...} as prefix, URI pairs in *out. */
static int parse_ns(struct vg_pctx *pc, const struct vg_ynode *map, char ***out, size_t *n)
{
	char **v = NULL;

	*out = NULL;
	*n = 0;
	if (!map)
		return 0;
	v = vg_calloc(2 * map->npairs + 1, sizeof(*v));
	if (!v)
		return VG_ENOMEM;
	for (size_t i = 0; i < map->npairs; i++) {
		const struct vg_ynode *k = map->pairs[i].key;
		const struct vg_ynode *u = vg_pctx_value(pc, map->pairs[i].value);

		if (k->type != VG_YNODE_SCALAR || !u || u->type != VG_YNODE_SCALAR ||
		    vg_ynode_is_null(u)) {
			vg_pctx_error(pc, k, "a namespace maps a prefix to a URI");
			vg_strv_free(v);
			return VG_EPARSE;
		}
		if (!(v[2 * i] = strdup(k->str)) || !(v[2 * i + 1] = strdup(u->str))) {
			vg_strv_free(v);
			return VG_ENOMEM;
		}
	}
	*out = v;
	*n = map->npairs;
	return 0;
}

static int xml_cfg_parse(void **out, struct vg_structured *c, struct vg_pctx *pc,
			 const struct vg_ynode *node)
{
	struct xml_cfg *x = calloc(1, sizeof(*x));
	const char *s = vg_pctx_str(pc, node, "xpath");
	struct vg_error err = {0};
	char **ns = NULL;
	size_t nns = 0;
	int rc;

	if (!x)
		return VG_ENOMEM;
	rc = parse_ns(pc, vg_ynode_get(node, "namespaces"), &ns, &nns);
	if (rc == 0 && !s)
		rc = VG_EPARSE;
	if (rc == 0) {
		rc = vg_xpath_new(&x->xp, s, ns, nns, &err);
		if (rc == VG_EPARSE)
			vg_pctx_error(pc, vg_ynode_get(node, "xpath"), "%s", err.msg);
	}
	vg_strv_free(ns);
	if (rc < 0) {
		xml_cfg_free(x);
		return rc;
	}
	x->all = vg_pctx_bool(pc, node, "all", false);
	if (x->all)
		c->merge = VG_SMERGE_ALL;
	c->addr = strdup(s);
	c->key = strdup(s);
	*out = x;
	return 0;
}

static int add_value(void *ud, const char *value, size_t len, size_t line)
{
	return vg_svalues_add(ud, value, len, line);
}

static int xml_lookup(const void *fcfg, const char *name, const char *data, size_t len,
		      struct vg_svalues *out, struct vg_error *err)
{
	const struct xml_cfg *x = fcfg;
	struct vg_xdoc *doc = NULL;
	int rc;

	rc = vg_xdoc_parse(&doc, name, data, len, err);
	if (rc < 0)
		return rc;
	rc = vg_xpath_eval(doc, x->xp, x->all, add_value, out, err);
	if (rc == VG_ENOMEM) {
		vg_error_set(err, rc, "%s: out of memory", name);
	} else if (rc < 0) {
		char msg[VG_ERROR_MSG_MAX];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		vg_error_set(err, rc, "%s: %s", name, msg);
	}
	vg_xdoc_free(doc);
	return rc;
}

static const struct vg_sformat xml_format = {
	.name = "xml",
	.parse = xml_cfg_parse,
	.free = xml_cfg_free,
	.lookup = xml_lookup,
};

static int xml_check_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node)
{
	return vg_structured_parse(out, pc, node, &xml_format, fields);
}

const struct vg_check_impl vg_check_xml = {
	.name = "xml",
	.targets = VG_TARGET_TREE | VG_TARGET_ROOT | VG_TARGET_HOST,
	.offline = true,
	.summary = "the string value of an XPath 1.0 expression in an XML config file",
	.parse = xml_check_parse,
	.free = vg_structured_free,
	.wants = vg_structured_wants,
	.scan = vg_structured_scan,
	.evaluate = vg_structured_evaluate,
};
