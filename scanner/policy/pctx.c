/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers check types use to validate their YAML strictly and resolve variables. */
#include "policy/pctx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "regex.h"

void vg_pctx_init(struct vg_pctx *pc, const char *file, struct vg_diags *diags,
		  const struct vg_policy *pol)
{
	memset(pc, 0, sizeof(*pc));
	pc->file = file;
	pc->diags = diags;
	pc->pol = pol;
	vg_vec_init(&pc->synth);
}

static void synth_free(void *p)
{
	struct vg_ynode *n = p;

	if (!n)
		return;
	free(n->str);
	free(n);
}

void vg_pctx_finish(struct vg_pctx *pc)
{
	if (!pc)
		return;
	vg_vec_finish(&pc->synth, synth_free);
}

void vg_pctx_error(struct vg_pctx *pc, const struct vg_ynode *node, const char *fmt, ...)
{
	char msg[VG_ERROR_MSG_MAX];
	size_t line = node ? node->line : (pc->rule ? pc->rule->line : 1);
	size_t col = node ? node->col : (pc->rule ? pc->rule->col : 1);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pc->errors++;
	if (pc->rule && pc->rule->meta.id)
		vg_diags_add(pc->diags, pc->file, line, col, "rule %s: %s", pc->rule->meta.id, msg);
	else
		vg_diags_add(pc->diags, pc->file, line, col, "%s", msg);
}

const struct vg_rule *vg_pctx_rule(const struct vg_pctx *pc)
{
	return pc->rule;
}

/* A {var: NAME} mapping names a variable; anything else is a literal. */
static const struct vg_ynode *var_name(const struct vg_ynode *node)
{
	if (!node || node->type != VG_YNODE_MAPPING || node->npairs != 1)
		return NULL;
	if (node->pairs[0].key->type != VG_YNODE_SCALAR || strcmp(node->pairs[0].key->str, "var"))
		return NULL;
	return node->pairs[0].value;
}

/* Tags a synth entry that only records a reference already reported as bad. */
static const char bad_ref[] = "!vigil-bad-ref";

/* True when the bad {var: NAME} at name was reported before; otherwise notes
 * it. The loader and check types may resolve one node several times
 * (validation, then reading the value), and each problem is reported once. */
static bool seen_bad_ref(struct vg_pctx *pc, const struct vg_ynode *name)
{
	struct vg_ynode *mark = NULL;

	for (size_t i = 0; i < pc->synth.len; i++) {
		const struct vg_ynode *s = pc->synth.items[i];

		if (s->tag == bad_ref && s->line == name->line && s->col == name->col)
			return true;
	}
	mark = calloc(1, sizeof(*mark));
	if (!mark)
		return false;
	mark->tag = bad_ref;
	mark->line = name->line;
	mark->col = name->col;
	if (vg_vec_push(&pc->synth, mark) < 0)
		free(mark);
	return false;
}

const struct vg_ynode *vg_pctx_value(struct vg_pctx *pc, const struct vg_ynode *node)
{
	const struct vg_ynode *name = var_name(node);
	struct vg_ynode *n = NULL;
	const char *value;

	if (!name)
		return node;
	if (name->type != VG_YNODE_SCALAR) {
		if (!seen_bad_ref(pc, name))
			vg_pctx_error(pc, name, "a variable name must be a string");
		return NULL;
	}
	value = pc->pol ? vg_policy_var(pc->pol, name->str) : NULL;
	if (!value) {
		if (!seen_bad_ref(pc, name))
			vg_pctx_error(pc, name, "unknown variable '%s'", name->str);
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		goto nomem;
	n->type = VG_YNODE_SCALAR;
	n->line = node->line;
	n->col = node->col;
	n->str = strdup(value);
	n->len = n->str ? strlen(n->str) : 0;
	/* an empty value (--var NAME=) is an empty string, not YAML's null */
	n->quoted = n->len == 0;
	if (!n->str || vg_vec_push(&pc->synth, n) < 0)
		goto nomem;
	return n;
nomem:
	synth_free(n);
	vg_pctx_error(pc, node, "out of memory");
	return NULL;
}

static const char *type_name(enum vg_field_type t)
{
	switch (t) {
	case VG_FIELD_STRING: return "a string";
	case VG_FIELD_INT: return "an integer";
	case VG_FIELD_BOOL: return "true or false";
	case VG_FIELD_STRINGS: return "a string or a list of strings";
	case VG_FIELD_MAPPING: return "a mapping";
	default: return "a value";
	}
}

static bool field_ok(struct vg_pctx *pc, const struct vg_ynode *v, enum vg_field_type t)
{
	long long i;
	bool b;

	switch (t) {
	case VG_FIELD_STRING:
		return v->type == VG_YNODE_SCALAR && !vg_ynode_is_null(v);
	case VG_FIELD_INT:
		return vg_ynode_as_int(v, &i);
	case VG_FIELD_BOOL:
		return vg_ynode_as_bool(v, &b);
	case VG_FIELD_STRINGS:
		if (v->type == VG_YNODE_SCALAR)
			return !vg_ynode_is_null(v);
		if (v->type != VG_YNODE_SEQUENCE)
			return false;
		for (size_t k = 0; k < v->nitems; k++) {
			const struct vg_ynode *it = vg_pctx_value(pc, v->items[k]);

			if (!it)
				return true; /* already reported */
			if (it->type != VG_YNODE_SCALAR || vg_ynode_is_null(it))
				return false;
		}
		return true;
	case VG_FIELD_MAPPING:
		return v->type == VG_YNODE_MAPPING;
	case VG_FIELD_ANY:
		return true;
	}
	return false;
}

bool vg_pctx_check_fields(struct vg_pctx *pc, const struct vg_ynode *node,
			  const struct vg_field *fields)
{
	size_t before = pc->errors;

	if (!node || node->type != VG_YNODE_MAPPING) {
		vg_pctx_error(pc, node, "expected a mapping, found %s", vg_ynode_kind(node));
		return false;
	}
	for (size_t i = 0; i < node->npairs; i++) {
		const struct vg_ynode *key = node->pairs[i].key;
		const struct vg_ynode *val = node->pairs[i].value;
		const struct vg_field *f = NULL;

		if (key->type != VG_YNODE_SCALAR) {
			vg_pctx_error(pc, key, "keys must be strings");
			continue;
		}
		for (const struct vg_field *c = fields; c->key; c++)
			if (!strcmp(c->key, key->str))
				f = c;
		if (!f) {
			char list[512] = "";
			size_t used = 0;

			for (const struct vg_field *c = fields; c->key && used < sizeof(list); c++) {
				int n = snprintf(list + used, sizeof(list) - used, "%s%s",
						 used ? ", " : "", c->key);
				if (n < 0)
					break;
				used += (size_t)n;
			}
			vg_pctx_error(pc, key, "unknown key '%s' (expected one of: %s)", key->str, list);
			continue;
		}
		if (f->type != VG_FIELD_MAPPING && f->type != VG_FIELD_ANY) {
			val = vg_pctx_value(pc, val);
			if (!val)
				continue;
		}
		if (!field_ok(pc, val, f->type))
			vg_pctx_error(pc, val, "'%s' must be %s, found %s", f->key, type_name(f->type),
				      vg_ynode_kind(val));
	}
	for (const struct vg_field *c = fields; c->key; c++)
		if (c->required && !vg_ynode_get(node, c->key))
			vg_pctx_error(pc, node, "missing required key '%s'", c->key);
	return pc->errors == before;
}

const char *vg_pctx_str(struct vg_pctx *pc, const struct vg_ynode *map, const char *key)
{
	const struct vg_ynode *v = vg_pctx_value(pc, vg_ynode_get(map, key));

	if (!v || v->type != VG_YNODE_SCALAR || vg_ynode_is_null(v))
		return NULL;
	return v->str;
}

char **vg_pctx_strv(struct vg_pctx *pc, const struct vg_ynode *map, const char *key, size_t *n)
{
	const struct vg_ynode *v = vg_pctx_value(pc, vg_ynode_get(map, key));
	size_t count, k = 0;
	char **out = NULL;

	*n = 0;
	if (!v)
		return NULL;
	count = v->type == VG_YNODE_SEQUENCE ? v->nitems : 1;
	out = vg_reallocarray(NULL, count + 1, sizeof(*out));
	if (!out)
		goto nomem;
	if (v->type == VG_YNODE_SCALAR) {
		if (!(out[k++] = strdup(v->str)))
			goto nomem;
	} else if (v->type == VG_YNODE_SEQUENCE) {
		for (size_t i = 0; i < v->nitems; i++) {
			const struct vg_ynode *it = vg_pctx_value(pc, v->items[i]);

			if (!it || it->type != VG_YNODE_SCALAR)
				continue;
			out[k] = strdup(it->str);
			if (!out[k])
				goto nomem;
			k++;
		}
	}
	out[k] = NULL;
	*n = k;
	return out;
nomem:
	if (out) {
		out[k] = NULL;
		vg_strv_free(out);
	}
	vg_pctx_error(pc, v, "out of memory");
	return NULL;
}

bool vg_pctx_bool(struct vg_pctx *pc, const struct vg_ynode *map, const char *key, bool def)
{
	const struct vg_ynode *v = vg_pctx_value(pc, vg_ynode_get(map, key));
	bool b;

	if (v && vg_ynode_as_bool(v, &b))
		return b;
	return def;
}

struct vg_regex *vg_pctx_regex(struct vg_pctx *pc, const struct vg_ynode *node, unsigned flags)
{
	const struct vg_ynode *v = vg_pctx_value(pc, node);
	struct vg_regex *re = NULL;
	struct vg_error err = {0};
	size_t off = 0;

	if (!v)
		return NULL;
	if (v->type != VG_YNODE_SCALAR || vg_ynode_is_null(v)) {
		vg_pctx_error(pc, v, "a regular expression must be a string, found %s",
			      vg_ynode_kind(v));
		return NULL;
	}
	if (vg_regex_compile(&re, v->str, flags, &off, &err) < 0) {
		/* Point into the pattern when it is written on one line; a pattern
		 * taken from a variable is reported at the reference. */
		struct vg_ynode at = *v;

		if (v != node) {
			vg_pctx_error(pc, v, "invalid regular expression in variable '%s': %s",
				      var_name(node)->str, err.msg);
			return NULL;
		}
		if (!strchr(v->str, '\n'))
			at.col = v->col + (v->quoted ? 1 : 0) + off;
		vg_pctx_error(pc, &at, "invalid regular expression: %s", err.msg);
		return NULL;
	}
	return re;
}

void vg_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}
