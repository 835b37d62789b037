/* SPDX-License-Identifier: Apache-2.0 */
/* The expectation vocabulary every check type shares: parsed once, evaluated on fact values. */
#include "policy/expect.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/pctx.h"
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

/* Permission bits one of u, g, o stands for in a symbolic mode. */
static unsigned who_bits(char who, char perm)
{
	unsigned shift = who == 'u' ? 6 : who == 'g' ? 3 : 0;

	switch (perm) {
	case 'r': return 04u << shift;
	case 'w': return 02u << shift;
	case 'x': return 01u << shift;
	case 's': return who == 'u' ? 04000u : who == 'g' ? 02000u : 0;
	case 't': return who == 'o' ? 01000u : 0;
	default: return 0;
	}
}

/* chmod-style "u=rw,g=r" (who: u g o a, ops: = + -, perms: r w x s t),
 * applied to no bits at all; an empty who means a. */
static bool parse_symbolic_mode(const char *s, unsigned *out)
{
	unsigned mode = 0;
	const char *p = s;

	for (;;) {
		const char *who = p;
		size_t nwho = strspn(p, "ugoa");

		p += nwho;
		if (*p != '=' && *p != '+' && *p != '-')
			return false;
		while (*p == '=' || *p == '+' || *p == '-') {
			char op = *p++;
			unsigned bits = 0, class_bits = 0;
			size_t nperm = strspn(p, "rwxst");

			for (const char *c = "ugo"; *c; c++) {
				bool in = !nwho || memchr(who, *c, nwho) || memchr(who, 'a', nwho);

				if (!in)
					continue;
				for (const char *q = "rwxst"; *q; q++)
					class_bits |= who_bits(*c, *q);
				for (size_t i = 0; i < nperm; i++)
					bits |= who_bits(*c, p[i]);
			}
			p += nperm;
			if (op == '=')
				mode = (mode & ~class_bits) | bits;
			else if (op == '+')
				mode |= bits;
			else
				mode &= ~bits;
		}
		if (*p == '\0')
			break;
		if (*p++ != ',')
			return false;
	}
	*out = mode;
	return true;
}

bool vg_expect_parse_mode(const char *s, unsigned *out)
{
	int64_t v;
	size_t len;

	if (!s || !*s)
		return false;
	len = strlen(s);
	if (!isdigit((unsigned char)*s)) {
		/* "u=rw,g=r,o=" is the longest sensible form; cap the work anyway */
		return len <= 64 && parse_symbolic_mode(s, out);
	}
	if (len > 5)
		return false;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '7')
			return false;
	if (!vg_parse_i64(s, 8, &v) || v < 0 || v > 07777)
		return false;
	*out = (unsigned)v;
	return true;
}

/* Integers in policies and facts: decimal (leading zeros stay decimal, as in
 * "0022" or "090"), 0x hex or 0o octal, with an optional sign. */
static bool parse_number(const char *s, int64_t *out)
{
	uint64_t v = 0, limit;
	unsigned base = 10;
	bool neg = false;
	const char *p = s;

	if (!p)
		return false;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
		base = 8;
		p += 2;
	}
	if (!*p)
		return false;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *p; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (*p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			return false;
		if (d >= base || v > (limit - d) / base)
			return false;
		v = v * base + d;
	}
	*out = neg ? (v ? -(int64_t)(v - 1) - 1 : 0) : (int64_t)v;
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
	if (n->type == VG_YNODE_SCALAR && parse_number(n->str, &v)) {
		*out = v;
		return true;
	}
	vg_pctx_error(pc, n, "'%s' must be an integer", key);
	return false;
}

/* A string list of the expectation; an empty `in` could never hold. */
static bool get_list(struct vg_pctx *pc, const struct vg_ynode *map, const char *key,
		     char ***out, size_t *n)
{
	size_t before = pc->errors;

	*out = vg_pctx_strv(pc, map, key, n);
	if (pc->errors != before)
		return false;
	if (!*out || (!*n && !strcmp(key, "in"))) {
		vg_pctx_error(pc, vg_ynode_get(map, key), "'%s' needs at least one value", key);
		return false;
	}
	return true;
}

int vg_expect_parse(struct vg_expect *out, struct vg_pctx *pc, const struct vg_ynode *node,
		    bool only_own)
{
	const struct vg_ynode *n;
	bool b, ok = true;
	const char *s;
	size_t before = pc->errors;

	memset(out, 0, sizeof(*out));
	if (!node) {
		vg_pctx_error(pc, NULL, "missing expectation");
		return VG_EPARSE;
	}
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
	/* the field check reports every unknown key and wrong type at once;
	 * going on would report the wrong types a second time */
	if (only_own && !vg_pctx_check_fields(pc, node, vg_expect_fields))
		return VG_EPARSE;
	/* Every key is looked at even after a problem, so that all are reported. */
	if (vg_ynode_get(node, "equals")) {
		if ((s = vg_pctx_str(pc, node, "equals"))) {
			out->has |= VG_EXPECT_EQUALS;
			if (!(out->equals = strdup(s)))
				goto nomem;
		} else {
			ok = false;
		}
	}
	if (vg_ynode_get(node, "in")) {
		out->has |= VG_EXPECT_IN;
		ok &= get_list(pc, node, "in", &out->in, &out->nin);
	}
	if (vg_ynode_get(node, "not_in")) {
		out->has |= VG_EXPECT_NOT_IN;
		ok &= get_list(pc, node, "not_in", &out->not_in, &out->nnot_in);
	}
	if ((n = vg_ynode_get(node, "matches"))) {
		out->has |= VG_EXPECT_MATCHES;
		out->matches = vg_pctx_regex(pc, n, 0);
		ok &= out->matches != NULL;
	}
	if (vg_ynode_get(node, "min")) {
		out->has |= VG_EXPECT_MIN;
		ok &= get_int(pc, node, "min", &out->min);
	}
	if (vg_ynode_get(node, "max")) {
		out->has |= VG_EXPECT_MAX;
		ok &= get_int(pc, node, "max", &out->max);
	}
	if ((out->has & VG_EXPECT_MIN) && (out->has & VG_EXPECT_MAX) && ok &&
	    out->min > out->max) {
		vg_pctx_error(pc, vg_ynode_get(node, "min"),
			      "min (%lld) is greater than max (%lld): nothing could match",
			      out->min, out->max);
		ok = false;
	}
	if ((n = vg_ynode_get(node, "mode_max"))) {
		s = vg_pctx_str(pc, node, "mode_max");
		out->has |= VG_EXPECT_MODE_MAX;
		if (!s || !vg_expect_parse_mode(s, &out->mode_max)) {
			vg_pctx_error(pc, n, "mode_max must be permission bits, e.g. \"0640\" or "
					     "\"u=rw,g=r\"");
			ok = false;
		}
	}
	if ((n = vg_ynode_get(node, "exists")) && vg_ynode_as_bool(vg_pctx_value(pc, n), &b))
		out->has |= b ? VG_EXPECT_EXISTS : VG_EXPECT_ABSENT;
	if ((n = vg_ynode_get(node, "absent")) && vg_ynode_as_bool(vg_pctx_value(pc, n), &b))
		out->has |= b ? VG_EXPECT_ABSENT : VG_EXPECT_EXISTS;
	if (vg_pctx_bool(pc, node, "nocase", false))
		out->has |= VG_EXPECT_NOCASE;
	if ((out->has & VG_EXPECT_EXISTS) && (out->has & VG_EXPECT_ABSENT)) {
		vg_pctx_error(pc, node, "an expectation cannot demand both exists and absent");
		ok = false;
	}
	if (ok && !(out->has & ~VG_EXPECT_NOCASE)) {
		vg_pctx_error(pc, node, "empty expectation (use equals, in, not_in, matches, min, "
					"max, mode_max, exists or absent)");
		ok = false;
	}
	/* a bad variable inside a list, say, was reported but left no other trace */
	if (ok && pc->errors == before)
		return 0;
	vg_expect_finish(out);
	return VG_EPARSE;
nomem:
	vg_expect_finish(out);
	return VG_ENOMEM;
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
	struct vg_short sv;
	const char *v; /* value as quoted in *why */
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
	v = vg_shorten(&sv, value);
	if (e->has & VG_EXPECT_ABSENT)
		return fail_with(why, vg_asprintf("is set to '%s'", v));
	if ((e->has & VG_EXPECT_EQUALS) && !str_eq(e, e->equals, value))
		return fail_with(why, vg_asprintf("is '%s', expected '%s'", v, e->equals));
	if ((e->has & VG_EXPECT_IN) && !in_list(e, e->in, e->nin, value)) {
		char *l = join(e->in, e->nin);
		char *m = vg_asprintf("is '%s', expected one of %s", v, l ? l : "");

		free(l);
		return fail_with(why, m);
	}
	if ((e->has & VG_EXPECT_NOT_IN) && in_list(e, e->not_in, e->nnot_in, value))
		return fail_with(why, vg_asprintf("is '%s', which is not allowed", v));
	if (e->has & VG_EXPECT_MATCHES) {
		struct vg_regex_match m;
		int rc = vg_regex_match(e->matches, value, strlen(value), 0, &m);

		if (rc < 0)
			return fail_with(why, vg_asprintf("could not be matched (regex limit reached)"));
		if (rc == 0)
			return fail_with(why, vg_asprintf("is '%s', which does not match /%s/", v,
							  vg_regex_source(e->matches)));
	}
	if (e->has & (VG_EXPECT_MIN | VG_EXPECT_MAX)) {
		if (!parse_number(value, &num))
			return fail_with(why, vg_asprintf("is '%s', not a number", v));
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
			return fail_with(why, vg_asprintf("is '%s', not an octal mode", v));
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
	if ((e->has & VG_EXPECT_NOCASE) && (e->has & (VG_EXPECT_EQUALS | VG_EXPECT_IN |
						      VG_EXPECT_NOT_IN)))
		vg_buf_printf(&b, " (ignoring case)");
	return vg_buf_detach(&b);
}
