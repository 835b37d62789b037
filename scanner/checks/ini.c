/* SPDX-License-Identifier: Apache-2.0 */
/* The `ini` check: a key in a section of an INI or systemd-style file, with drop-in directories. */
#include <stdlib.h>
#include <string.h>

#include "checks/structured.h"
#include "util.h"

struct ini_cfg {
	char *section;  /* NULL: keys before the first section header */
	char *key;
	bool nocase;    /* section and key names compare case-insensitively */
};

static const struct vg_field fields[] = {
	VG_STRUCTURED_FIELDS,
	VG_STRUCTURED_DROPINS_FIELD,
	{"section", VG_FIELD_STRING, false},
	{"key", VG_FIELD_STRING, true},
	{"nocase_keys", VG_FIELD_BOOL, false},
	{NULL, 0, false},
};

static void ini_free(void *p)
{
	struct ini_cfg *k = p;

	if (!k)
		return;
	free(k->section);
	free(k->key);
	free(k);
}

static bool one_line(const char *s)
{
	return s && *s && !strchr(s, '\n');
}

static int ini_parse(void **out, struct vg_structured *c, struct vg_pctx *pc,
		     const struct vg_ynode *node)
{
	struct ini_cfg *k = calloc(1, sizeof(*k));
	const char *s;
	int rc = VG_EPARSE;

	if (!k)
		return VG_ENOMEM;
	s = vg_pctx_str(pc, node, "key");
	if (!one_line(s) || strchr(s, '=')) {
		vg_pctx_error(pc, vg_ynode_get(node, "key"),
			      "'key' must be a non-empty name without '=' or line breaks");
		goto out;
	}
	k->key = strdup(s);
	if ((s = vg_pctx_str(pc, node, "section"))) {
		if (!one_line(s) || strchr(s, ']')) {
			vg_pctx_error(pc, vg_ynode_get(node, "section"),
				      "'section' must be a name without ']' or line breaks");
			goto out;
		}
		if (!(k->section = strdup(s)))
			goto nomem;
	}
	k->nocase = vg_pctx_bool(pc, node, "nocase_keys", false);
	if (!k->key)
		goto nomem;
	c->addr = k->section ? vg_asprintf("[%s] %s", k->section, k->key) : strdup(k->key);
	c->key = strdup(k->key);
	*out = k;
	k = NULL;
	rc = 0;
	goto out;
nomem:
	rc = VG_ENOMEM;
out:
	ini_free(k);
	return rc;
}

static int ini_lookup(const void *fcfg, const char *name, const char *data, size_t len,
		      struct vg_svalues *out, struct vg_error *err)
{
	const struct ini_cfg *k = fcfg;
	const char *end = data + len, *pos = data;
	bool in_section = k->section == NULL;
	struct vg_buf val;
	size_t lineno = 0;
	int rc = 0;

	vg_buf_init(&val, 0);
	while (pos < end) {
		const char *s, *e, *eq, *ks, *ke, *vs, *ve;
		size_t keyline;

		vg_sline_next(&pos, end, &s, &e);
		lineno++;
		vg_sline_trim(&s, &e);
		if (s == e || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			const char *close = memchr(s, ']', (size_t)(e - s));
			const char *rest = close ? close + 1 : e;

			/* "[name]", optionally followed by a comment */
			while (rest < e && vg_sline_blank(*rest))
				rest++;
			if (!close || (rest < e && *rest != '#' && *rest != ';')) {
				rc = vg_error_set(err, VG_EPARSE,
						  "%s:%zu: a section header must end with ']'",
						  name, lineno);
				goto out;
			}
			ks = s + 1;
			ke = close;
			vg_sline_trim(&ks, &ke);
			in_section = k->section && vg_sline_name_is(k->section, k->nocase, ks,
								    (size_t)(ke - ks));
			continue;
		}
		keyline = lineno;
		eq = memchr(s, '=', (size_t)(e - s));
		ks = s;
		ke = eq ? eq : e;
		vs = eq ? eq + 1 : e;
		ve = e;
		vg_sline_trim(&ks, &ke);
		vg_sline_trim(&vs, &ve);
		vg_buf_clear(&val);
		/* systemd joins a line ending in a backslash with the next one */
		while (ve > vs && ve[-1] == '\\' && pos < end) {
			const char *pe = ve - 1;

			while (pe > vs && vg_sline_blank(pe[-1]))
				pe--;
			if ((rc = vg_buf_append(&val, vs, (size_t)(pe - vs))) < 0 ||
			    (rc = vg_buf_putc(&val, ' ')) < 0)
				goto nomem;
			vg_sline_next(&pos, end, &vs, &ve);
			lineno++;
			vg_sline_trim(&vs, &ve);
		}
		if (!in_section || !vg_sline_name_is(k->key, k->nocase, ks, (size_t)(ke - ks)))
			continue;
		if ((rc = vg_buf_append(&val, vs, (size_t)(ve - vs))) < 0)
			goto nomem;
		if ((rc = vg_svalues_add(out, val.data ? val.data : "", val.len, keyline)) < 0)
			goto nomem;
	}
	goto out;
nomem:
	rc = vg_error_set(err, VG_ENOMEM, "%s: out of memory", name);
out:
	vg_buf_finish(&val);
	return rc;
}

static const struct vg_sformat ini_format = {
	.name = "ini",
	.parse = ini_parse,
	.free = ini_free,
	.lookup = ini_lookup,
};

static int ini_check_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node)
{
	return vg_structured_parse(out, pc, node, &ini_format, fields);
}

const struct vg_check_impl vg_check_ini = {
	.name = "ini",
	.targets = VG_TARGET_TREE | VG_TARGET_ROOT | VG_TARGET_HOST,
	.offline = true,
	.summary = "a key in a section of an INI or systemd-style file, drop-ins applied",
	.parse = ini_check_parse,
	.free = vg_structured_free,
	.wants = vg_structured_wants,
	.scan = vg_structured_scan,
	.evaluate = vg_structured_evaluate,
};
