/* SPDX-License-Identifier: Apache-2.0 */
/* The expectation vocabulary shared by every check type: parse once, evaluate against fact values. */
#include "policy/expect.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

const struct vg_field vg_expect_fields[] = {
	{"equals", VG_FIELD_STRING, false},  {"in", VG_FIELD_STRINGS, false},
	{"not_in", VG_FIELD_STRINGS, false}, {"matches", VG_FIELD_STRING, false},
	{"min", VG_FIELD_INT, false},        {"max", VG_FIELD_INT, false},
	{"mode_max", VG_FIELD_STRING, false}, {"exists", VG_FIELD_BOOL, false},
	{"absent", VG_FIELD_BOOL, false},    {"nocase", VG_FIELD_BOOL, false},
	{NULL, 0, false},
};

bool vg_expect_is_key(const char *key)
{
	for (const struct vg_field *f = vg_expect_fields; f->key; f++)
		if (!strcmp(f->key, key))
			return true;
	return false;
}

bool vg_expect_parse_mode(const char *s, unsigned *out)
{
	int64_t v;

	if (!s || !*s || strlen(s) > 5)
		return false;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '7')
			return false;
	if (!vg_parse_i64(s, 8, &v) || v < 0 || v > 07777)
		return false;
	*out = (unsigned)v;
	return true;
}

void vg_expect_finish(struct vg_expect *e)
{
	if (!e)
		return;
	free(e->equals);
	vg_strv_free(e->in);
	vg_strv_free(e->not_in);
	vg_regex_free(e->matches);
	memset(e, 0, sizeof(*e));
}

static bool get_int(struct vg_pctx *pc, const struct vg_ynode *map, const char *key,
		    long long *out)
{
	const struct vg_ynode *n = vg_pctx_value(pc, vg_ynode_get(map, key));
	int64_t v;

	if (!n)
		return false;
	if (vg_ynode_as_int(n, out))
		return true;
	/* variables arrive as plain strings */
	if (n->type == VG_YNODE_SCALAR && vg_parse_i64(n->str, 0, &v)) {
		*out = v;
		return true;
	}
	vg_pctx_error(pc, n, "'%s' must be an integer", key);
	return false;
}

int vg_expect_parse(struct vg_expect *out, struct vg_pctx *pc, const struct vg_ynode *node,
		    bool only_own)
{
	const struct vg_ynode *n;
	bool b;
	const char *s;
	int rc = VG_EPARSE;

	memset(out, 0, sizeof(*out));
	node = vg_pctx_value(pc, node);
	if (!node)
		return VG_EPARSE;
	if (node->type == VG_YNODE_SCALAR) {
		if (vg_ynode_is_null(node)) {
			vg_pctx_error(pc, node, "an expectation cannot be empty");
			return VG_EPARSE;
		}
		out->equals = strdup(node->str);
		out->has = VG_EXPECT_EQUALS;
		return out->equals ? 0 : VG_ENOMEM;
	}
	if (node->type != VG_YNODE_MAPPING) {
		vg_pctx_error(pc, node, "an expectation is a value or a mapping of equals, in, "
					"not_in, matches, min, max, mode_max, exists, absent");
		return VG_EPARSE;
	}
	if (only_own && !vg_pctx_check_fields(pc, node, vg_expect_fields))
		return VG_EPARSE;
	if ((s = vg_pctx_str(pc, node, "equals"))) {
		out->has |= VG_EXPECT_EQUALS;
		if (!(out->equals = strdup(s)))
			goto fail;
	}
	if (vg_ynode_get(node, "in")) {
		out->has |= VG_EXPECT_IN;
		out->in = vg_pctx_strv(pc, node, "in", &out->nin);
	}
	if (vg_ynode_get(node, "not_in")) {
		out->has |= VG_EXPECT_NOT_IN;
		out->not_in = vg_pctx_strv(pc, node, "not_in", &out->nnot_in);
	}
	if ((n = vg_ynode_get(node, "matches"))) {
		out->has |= VG_EXPECT_MATCHES;
		out->matches = vg_pctx_regex(pc, n, 0);
		if (!out->matches)
			goto fail;
	}
	if (vg_ynode_get(node, "min")) {
		if (!get_int(pc, node, "min", &out->min))
			goto fail;
		out->has |= VG_EXPECT_MIN;
	}
	if (vg_ynode_get(node, "max")) {
		if (!get_int(pc, node, "max", &out->max))
			goto fail;
		out->has |= VG_EXPECT_MAX;
	}
	if ((n = vg_ynode_get(node, "mode_max"))) {
		s = vg_pctx_str(pc, node, "mode_max");
		if (!s || !vg_expect_parse_mode(s, &out->mode_max)) {
			vg_pctx_error(pc, n, "mode_max must be octal permission bits, e.g. \"0640\"");
			goto fail;
		}
		out->has |= VG_EXPECT_MODE_MAX;
	}
	if ((n = vg_ynode_get(node, "exists")) && vg_ynode_as_bool(vg_pctx_value(pc, n), &b))
		out->has |= b ? VG_EXPECT_EXISTS : VG_EXPECT_ABSENT;
	if ((n = vg_ynode_get(node, "absent")) && vg_ynode_as_bool(vg_pctx_value(pc, n), &b))
		out->has |= b ? VG_EXPECT_ABSENT : VG_EXPECT_EXISTS;
	if (vg_pctx_bool(pc, node, "nocase", false))
		out->has |= VG_EXPECT_NOCASE;
	if ((out->has & VG_EXPECT_EXISTS) && (out->has & VG_EXPECT_ABSENT)) {
		vg_pctx_error(pc, node, "an expectation cannot demand both exists and absent");
		goto fail;
	}
	if (!(out->has & ~VG_EXPECT_NOCASE)) {
		vg_pctx_error(pc, node, "empty expectation (use equals, in, not_in, matches, min, "
					"max, mode_max, exists or absent)");
		goto fail;
	}
	return 0;
fail:
	vg_expect_finish(out);
	return rc;
}

static bool str_eq(const struct vg_expect *e, const char *a, const char *b)
{
	return (e->has & VG_EXPECT_NOCASE) ? !strcasecmp(a, b) : !strcmp(a, b);
}

static bool in_list(const struct vg_expect *e, char *const *list, size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (str_eq(e, list[i], v))
			return true;
	return false;
}

static char *join(char *const *list, size_t n)
{
	struct vg_buf b;

	vg_buf_init(&b, 4096);
	vg_buf_putc(&b, '[');
	for (size_t i = 0; i < n; i++)
		if (vg_buf_printf(&b, "%s%s", i ? ", " : "", list[i]) < 0)
			break;
	vg_buf_putc(&b, ']');
	return vg_buf_detach(&b);
}

static bool fail_with(char **why, char *msg)
{
	if (why)
		*why = msg;
	else
		free(msg);
	return false;
}

bool vg_expect_eval(const struct vg_expect *e, const char *value, char **why)
{
	int64_t num = 0;

	if (why)
		*why = NULL;
	if (!value) {
		if (e->has & VG_EXPECT_ABSENT)
			return true;
		/* "not_in" alone is satisfied by an absent value: nothing forbidden is set */
		if ((e->has & ~VG_EXPECT_NOCASE) == VG_EXPECT_NOT_IN)
			return true;
		return fail_with(why, strdup("is not set"));
	}
	if (e->has & VG_EXPECT_ABSENT)
		return fail_with(why, vg_asprintf("is set to '%s'", value));
	if ((e->has & VG_EXPECT_EQUALS) && !str_eq(e, e->equals, value))
		return fail_with(why, vg_asprintf("is '%s', expected '%s'", value, e->equals));
	if ((e->has & VG_EXPECT_IN) && !in_list(e, e->in, e->nin, value)) {
		char *l = join(e->in, e->nin);
		char *m = vg_asprintf("is '%s', expected one of %s", value, l ? l : "");

		free(l);
		return fail_with(why, m);
	}
	if ((e->has & VG_EXPECT_NOT_IN) && in_list(e, e->not_in, e->nnot_in, value))
		return fail_with(why, vg_asprintf("is '%s', which is not allowed", value));
	if (e->has & VG_EXPECT_MATCHES) {
		struct vg_regex_match m;
		int rc = vg_regex_match(e->matches, value, strlen(value), 0, &m);

		if (rc < 0)
			return fail_with(why, vg_asprintf("could not be matched (regex limit reached)"));
		if (rc == 0)
			return fail_with(why, vg_asprintf("is '%s', which does not match /%s/", value,
							  vg_regex_source(e->matches)));
	}
	if (e->has & (VG_EXPECT_MIN | VG_EXPECT_MAX)) {
		if (!vg_parse_i64(value, 0, &num))
			return fail_with(why, vg_asprintf("is '%s', not a number", value));
		if ((e->has & VG_EXPECT_MIN) && num < e->min)
			return fail_with(why, vg_asprintf("is %lld, less than %lld", (long long)num,
							  e->min));
		if ((e->has & VG_EXPECT_MAX) && num > e->max)
			return fail_with(why, vg_asprintf("is %lld, more than %lld", (long long)num,
							  e->max));
	}
	if (e->has & VG_EXPECT_MODE_MAX) {
		unsigned mode;

		if (!vg_expect_parse_mode(value, &mode))
			return fail_with(why, vg_asprintf("is '%s', not an octal mode", value));
		if (mode & ~e->mode_max)
			return fail_with(why, vg_asprintf("is %04o, wider than %04o", mode,
							  e->mode_max));
	}
	return true;
}

char *vg_expect_describe(const struct vg_expect *e)
{
	struct vg_buf b;
	char *l;

	vg_buf_init(&b, 4096);
	if (e->has & VG_EXPECT_EQUALS)
		vg_buf_printf(&b, "%sequals '%s'", b.len ? ", " : "", e->equals);
	if (e->has & VG_EXPECT_IN) {
		l = join(e->in, e->nin);
		vg_buf_printf(&b, "%sin %s", b.len ? ", " : "", l ? l : "");
		free(l);
	}
	if (e->has & VG_EXPECT_NOT_IN) {
		l = join(e->not_in, e->nnot_in);
		vg_buf_printf(&b, "%snot in %s", b.len ? ", " : "", l ? l : "");
		free(l);
	}
	if (e->has & VG_EXPECT_MATCHES)
		vg_buf_printf(&b, "%smatches /%s/", b.len ? ", " : "", vg_regex_source(e->matches));
	if (e->has & VG_EXPECT_MIN)
		vg_buf_printf(&b, "%s>= %lld", b.len ? ", " : "", e->min);
	if (e->has & VG_EXPECT_MAX)
		vg_buf_printf(&b, "%s<= %lld", b.len ? ", " : "", e->max);
	if (e->has & VG_EXPECT_MODE_MAX)
		vg_buf_printf(&b, "%smode no wider than %04o", b.len ? ", " : "", e->mode_max);
	if (e->has & VG_EXPECT_EXISTS)
		vg_buf_printf(&b, "%sexists", b.len ? ", " : "");
	if (e->has & VG_EXPECT_ABSENT)
		vg_buf_printf(&b, "%sabsent", b.len ? ", " : "");
	return vg_buf_detach(&b);
}
