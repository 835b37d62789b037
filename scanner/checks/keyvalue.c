/* SPDX-License-Identifier: Apache-2.0 */
/* The `keyvalue` check: a setting in a "key value" or "key = value" file such as login.defs. */
#include <stdlib.h>
#include <string.h>

#include "checks/structured.h"

struct kv_cfg {
	char *key;
	char *sep;      /* NULL: a run of blanks separates key and value */
	char *comment;  /* characters that start a comment line */
	bool nocase;    /* keys compare case-insensitively */
	bool unquote;   /* drop one pair of quotes around the value */
};

static const struct vg_field fields[] = {
	VG_STRUCTURED_FIELDS,
	VG_STRUCTURED_DROPINS_FIELD,
	{"key", VG_FIELD_STRING, true},
	{"separator", VG_FIELD_STRING, false},
	{"comment", VG_FIELD_ANY, false},
	{"nocase_keys", VG_FIELD_BOOL, false},
	{"wins", VG_FIELD_STRING, false},
	{"multi", VG_FIELD_BOOL, false},
	{"unquote", VG_FIELD_BOOL, false},
	{NULL, 0, false},
};

static void kv_free(void *p)
{
	struct kv_cfg *k = p;

	if (!k)
		return;
	free(k->key);
	free(k->sep);
	free(k->comment);
	free(k);
}

static int kv_parse(void **out, struct vg_structured *c, struct vg_pctx *pc,
		    const struct vg_ynode *node)
{
	struct kv_cfg *k = calloc(1, sizeof(*k));
	const struct vg_ynode *n;
	const char *s;
	int rc = VG_EPARSE;

	if (!k)
		return VG_ENOMEM;
	s = vg_pctx_str(pc, node, "key");
	if (!s || !*s || strchr(s, '\n')) {
		vg_pctx_error(pc, vg_ynode_get(node, "key"), "'key' must be a non-empty line");
		goto out;
	}
	k->key = strdup(s);
	if ((s = vg_pctx_str(pc, node, "separator"))) {
		bool all_blank = true;

		for (const char *p = s; *p; p++)
			all_blank &= vg_sline_blank(*p);
		if (!*s || strchr(s, '\n')) {
			vg_pctx_error(pc, vg_ynode_get(node, "separator"),
				      "'separator' must be a non-empty string on one line");
			goto out;
		}
		/* " " asks for the default: any run of blanks */
		if (!all_blank && !(k->sep = strdup(s)))
			goto nomem;
	}
	/* an empty string is allowed here: no comment lines at all */
	if ((n = vg_pctx_value(pc, vg_ynode_get(node, "comment")))) {
		if (n->type != VG_YNODE_SCALAR) {
			vg_pctx_error(pc, n, "'comment' is a string of comment characters");
			goto out;
		}
		k->comment = strdup(vg_ynode_is_null(n) ? "" : n->str);
	} else {
		k->comment = strdup("#");
	}
	k->nocase = vg_pctx_bool(pc, node, "nocase_keys", false);
	k->unquote = vg_pctx_bool(pc, node, "unquote", false);
	if (vg_pctx_bool(pc, node, "multi", false)) {
		if (vg_ynode_get(node, "wins")) {
			vg_pctx_error(pc, vg_ynode_get(node, "wins"),
				      "'wins' and 'multi' exclude each other");
			goto out;
		}
		c->merge = VG_SMERGE_ALL;
	}
	if ((s = vg_pctx_str(pc, node, "wins"))) {
		if (!strcmp(s, "first")) {
			c->merge = VG_SMERGE_FIRST;
		} else if (strcmp(s, "last")) {
			vg_pctx_error(pc, vg_ynode_get(node, "wins"), "wins must be first or last");
			goto out;
		}
	}
	if (!k->key || !k->comment || !(c->addr = strdup(k->key)) || !(c->key = strdup(k->key)))
		goto nomem;
	*out = k;
	k = NULL;
	rc = 0;
	goto out;
nomem:
	rc = VG_ENOMEM;
out:
	kv_free(k);
	return rc;
}

/* The separator inside [s, e), or NULL. */
static const char *find_sep(const char *sep, const char *s, const char *e)
{
	size_t n = strlen(sep);

	for (const char *p = s; p + n <= e; p++)
		if (!memcmp(p, sep, n))
			return p;
	return NULL;
}

static int kv_lookup(const void *fcfg, const char *name, const char *data, size_t len,
		     struct vg_svalues *out, struct vg_error *err)
{
	const struct kv_cfg *k = fcfg;
	const char *end = data + len;
	size_t lineno = 0;

	for (const char *pos = data; pos < end;) {
		const char *ls, *le, *ks, *ke, *vs, *ve, *sep;

		vg_sline_next(&pos, end, &ls, &le);
		lineno++;
		ks = ls;
		ke = le;
		vg_sline_trim(&ks, &ke);
		if (ks == ke || strchr(k->comment, *ks))
			continue;
		if (k->sep) {
			sep = find_sep(k->sep, ks, ke);
			vs = sep ? sep + strlen(k->sep) : ke;
			ke = sep ? sep : ke;
		} else {
			for (sep = ks; sep < ke && !vg_sline_blank(*sep); sep++)
				;
			vs = sep;
			ke = sep;
		}
		ve = le;
		vg_sline_trim(&ks, &ke);
		vg_sline_trim(&vs, &ve);
		if (!vg_sline_name_is(k->key, k->nocase, ks, (size_t)(ke - ks)))
			continue;
		if (k->unquote && ve - vs >= 2 && (*vs == '"' || *vs == '\'') && ve[-1] == *vs) {
			vs++;
			ve--;
		}
		if (vg_svalues_add(out, vs, (size_t)(ve - vs), lineno) < 0)
			return vg_error_set(err, VG_ENOMEM, "%s: out of memory", name);
	}
	return 0;
}

static const struct vg_sformat kv_format = {
	.name = "keyvalue",
	.parse = kv_parse,
	.free = kv_free,
	.lookup = kv_lookup,
};

static int keyvalue_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node)
{
	return vg_structured_parse(out, pc, node, &kv_format, fields);
}

const struct vg_check_impl vg_check_keyvalue = {
	.name = "keyvalue",
	.targets = VG_TARGET_TREE | VG_TARGET_ROOT | VG_TARGET_HOST,
	.offline = true,
	.summary = "a setting in a line-oriented key/value file (login.defs, auditd.conf, ...)",
	.parse = keyvalue_parse,
	.free = vg_structured_free,
	.wants = vg_structured_wants,
	.scan = vg_structured_scan,
	.evaluate = vg_structured_evaluate,
};
