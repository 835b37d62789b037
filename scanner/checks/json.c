/* SPDX-License-Identifier: Apache-2.0 */
/* The `json` check: a value at a dotted path in a JSON config file such as daemon.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/structured.h"
#include "formats/json.h"

struct json_cfg {
	struct vg_spath path;
};

static const struct vg_field fields[] = {
	VG_STRUCTURED_FIELDS,
	{"path", VG_FIELD_STRING, true},
	{NULL, 0, false},
};

static void json_cfg_free(void *p)
{
	struct json_cfg *j = p;

	if (!j)
		return;
	vg_spath_finish(&j->path);
	free(j);
}

static int json_cfg_parse(void **out, struct vg_structured *c, struct vg_pctx *pc,
			  const struct vg_ynode *node)
{
	struct json_cfg *j = calloc(1, sizeof(*j));
	const char *s = vg_pctx_str(pc, node, "path");
	char why[128];
	int rc;

	if (!j)
		return VG_ENOMEM;
	rc = s ? vg_spath_parse(&j->path, s, why, sizeof(why)) : VG_EPARSE;
	if (rc == VG_EPARSE)
		vg_pctx_error(pc, vg_ynode_get(node, "path"), "bad path '%s': %s", s ? s : "",
			      s ? why : "missing");
	if (rc < 0) {
		json_cfg_free(j);
		return rc;
	}
	c->addr = strdup(s);
	c->key = strdup(s);
	*out = j;
	return 0;
}

static int json_lookup(const void *fcfg, const char *name, const char *data, size_t len,
		       struct vg_svalues *out, struct vg_error *err)
{
	const struct json_cfg *j = fcfg;
	struct vg_jdoc *doc = NULL;
	const struct vg_jnode *n;
	char *text = NULL;
	int rc;

	rc = vg_jdoc_parse(&doc, name, data, len, err);
	if (rc < 0)
		return rc;
	n = vg_jdoc_root(doc);
	for (size_t i = 0; n && i < j->path.n; i++) {
		const struct vg_spath_step *s = &j->path.steps[i];

		n = s->key ? vg_jnode_get(n, s->key) : vg_jnode_at(n, s->index);
	}
	if (n) {
		rc = vg_jnode_text(&text, n, err);
		if (rc == 0 && text && vg_svalues_add(out, text, strlen(text),
						      vg_jdoc_line(doc, n)) < 0)
			rc = vg_error_set(err, VG_ENOMEM, "%s: out of memory", name);
		if (rc < 0 && rc != VG_ENOMEM) {
			char msg[VG_ERROR_MSG_MAX];

			snprintf(msg, sizeof(msg), "%s", err->msg);
			rc = vg_error_set(err, rc, "%s: %s", name, msg);
		}
	}
	free(text);
	vg_jdoc_free(doc);
	return rc;
}

static const struct vg_sformat json_format = {
	.name = "json",
	.parse = json_cfg_parse,
	.free = json_cfg_free,
	.lookup = json_lookup,
};

static int json_check_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node)
{
	return vg_structured_parse(out, pc, node, &json_format, fields);
}

const struct vg_check_impl vg_check_json = {
	.name = "json",
	.targets = VG_TARGET_TREE | VG_TARGET_ROOT | VG_TARGET_HOST,
	.offline = true,
	.summary = "a value at a dotted path in a JSON config file",
	.parse = json_check_parse,
	.free = vg_structured_free,
	.wants = vg_structured_wants,
	.scan = vg_structured_scan,
	.evaluate = vg_structured_evaluate,
};
