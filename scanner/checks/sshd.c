/* SPDX-License-Identifier: Apache-2.0 */
/* The `sshd` check: one option of the effective OpenSSH server configuration. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check.h"
#include "facts/facts.h"
#include "facts/sshd.h"
#include "limits.h"
#include "policy/expect.h"

struct sshd_cfg {
	char *option;         /* as the rule spells it, for messages */
	char *key;            /* canonical keyword */
	struct vg_expect expect;
	bool has_expect;
	char **none, **all;   /* contains_none / contains_all patterns */
	size_t nnone, nall;
	bool has_match;
	char *user, *host, *address, *local_address, *rdomain;
	char **groups;
	size_t ngroups;
	int local_port;
	char *context;        /* "user=alice, host=x" for messages, or NULL */
};

static const struct vg_field fields[] = {
	{"option", VG_FIELD_STRING, true},         {"expect", VG_FIELD_ANY, false},
	{"match", VG_FIELD_MAPPING, false},        {"contains_none", VG_FIELD_STRINGS, false},
	{"contains_all", VG_FIELD_STRINGS, false}, {NULL, 0, false},
};

static const struct vg_field match_fields[] = {
	{"user", VG_FIELD_STRING, false},          {"group", VG_FIELD_STRINGS, false},
	{"host", VG_FIELD_STRING, false},          {"address", VG_FIELD_STRING, false},
	{"local_address", VG_FIELD_STRING, false}, {"local_port", VG_FIELD_INT, false},
	{"rdomain", VG_FIELD_STRING, false},       {NULL, 0, false},
};

static void sshd_free(void *p)
{
	struct sshd_cfg *c = p;

	if (!c)
		return;
	free(c->option);
	free(c->key);
	vg_expect_finish(&c->expect);
	vg_strv_free(c->none);
	vg_strv_free(c->all);
	free(c->user);
	free(c->host);
	free(c->address);
	free(c->local_address);
	free(c->rdomain);
	vg_strv_free(c->groups);
	free(c->context);
	free(c);
}

static bool keyword_ok(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s))
			return false;
	return true;
}

/* Copies key's string from map into *out; false on ENOMEM. */
static bool dup_field(struct vg_pctx *pc, const struct vg_ynode *map, const char *key, char **out)
{
	const char *s = vg_pctx_str(pc, map, key);

	if (!s)
		return true;
	*out = strdup(s);
	return *out != NULL;
}

static int parse_match(struct sshd_cfg *c, struct vg_pctx *pc, const struct vg_ynode *m)
{
	struct vg_buf b;
	const struct vg_ynode *n;
	long long port;

	if (!vg_pctx_check_fields(pc, m, match_fields))
		return VG_EPARSE;
	if (!m->npairs) {
		vg_pctx_error(pc, m, "'match' needs at least one of user, group, host, address, "
				     "local_address, local_port, rdomain");
		return VG_EPARSE;
	}
	if (!dup_field(pc, m, "user", &c->user) || !dup_field(pc, m, "host", &c->host) ||
	    !dup_field(pc, m, "address", &c->address) ||
	    !dup_field(pc, m, "local_address", &c->local_address) ||
	    !dup_field(pc, m, "rdomain", &c->rdomain))
		return VG_ENOMEM;
	if (vg_ynode_get(m, "group"))
		c->groups = vg_pctx_strv(pc, m, "group", &c->ngroups);
	if ((n = vg_pctx_value(pc, vg_ynode_get(m, "local_port")))) {
		int64_t v;

		if (vg_ynode_as_int(n, &port))
			v = port;
		else if (!(n->type == VG_YNODE_SCALAR && vg_parse_i64(n->str, 10, &v)))
			v = -1;
		if (v < 1 || v > 65535) {
			vg_pctx_error(pc, n, "local_port must be a port number (1-65535)");
			return VG_EPARSE;
		}
		c->local_port = (int)v;
	}
	vg_buf_init(&b, 4096);
	if (c->user)
		vg_buf_printf(&b, "%suser=%s", b.len ? ", " : "", c->user);
	for (size_t i = 0; i < c->ngroups; i++)
		vg_buf_printf(&b, "%sgroup=%s", b.len ? ", " : "", c->groups[i]);
	if (c->host)
		vg_buf_printf(&b, "%shost=%s", b.len ? ", " : "", c->host);
	if (c->address)
		vg_buf_printf(&b, "%saddress=%s", b.len ? ", " : "", c->address);
	if (c->local_address)
		vg_buf_printf(&b, "%slocal_address=%s", b.len ? ", " : "", c->local_address);
	if (c->local_port)
		vg_buf_printf(&b, "%slocal_port=%d", b.len ? ", " : "", c->local_port);
	if (c->rdomain)
		vg_buf_printf(&b, "%srdomain=%s", b.len ? ", " : "", c->rdomain);
	c->context = vg_buf_detach(&b);
	c->has_match = true;
	return c->context ? 0 : VG_ENOMEM;
}

static int sshd_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node)
{
	struct sshd_cfg *c = NULL;
	const struct vg_ynode *n;
	const char *opt;
	int rc = VG_EPARSE;

	if (!vg_pctx_check_fields(pc, node, fields))
		return VG_EPARSE;
	c = calloc(1, sizeof(*c));
	if (!c)
		return VG_ENOMEM;
	opt = vg_pctx_str(pc, node, "option");
	if (!opt || !keyword_ok(opt)) {
		vg_pctx_error(pc, vg_ynode_get(node, "option"),
			      "option must be an sshd_config keyword such as PermitRootLogin");
		goto out;
	}
	if (!(c->option = strdup(opt)) || !(c->key = malloc(strlen(opt) + 64)) ||
	    !vg_sshd_canonical(opt, c->key, strlen(opt) + 64)) {
		rc = VG_ENOMEM;
		goto out;
	}
	if ((n = vg_ynode_get(node, "expect"))) {
		if (vg_expect_parse(&c->expect, pc, n, true) < 0)
			goto out;
		/* sshd reads yes/no/keywords case-insensitively */
		c->expect.has |= VG_EXPECT_NOCASE;
		c->has_expect = true;
	}
	if (vg_ynode_get(node, "contains_none")) {
		c->none = vg_pctx_strv(pc, node, "contains_none", &c->nnone);
		if (!c->nnone) {
			vg_pctx_error(pc, vg_ynode_get(node, "contains_none"), "'contains_none' is "
				      "empty");
			goto out;
		}
	}
	if (vg_ynode_get(node, "contains_all")) {
		c->all = vg_pctx_strv(pc, node, "contains_all", &c->nall);
		if (!c->nall) {
			vg_pctx_error(pc, vg_ynode_get(node, "contains_all"), "'contains_all' is "
				      "empty");
			goto out;
		}
	}
	if (!c->has_expect && !c->nnone && !c->nall) {
		vg_pctx_error(pc, node, "an sshd check needs 'expect', 'contains_none' or "
					"'contains_all'");
		goto out;
	}
	if ((n = vg_ynode_get(node, "match"))) {
		rc = parse_match(c, pc, n);
		if (rc < 0)
			goto out;
		rc = VG_EPARSE;
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	sshd_free(c);
	return rc;
}

/* Where a value came from, for findings: its file and line, or the object
 * "sshd:<option>" for a built-in default. */
static struct vg_finding *new_hit(const struct sshd_cfg *c, const struct vg_sshd_value *v,
				  const char *what)
{
	char *obj = vg_asprintf("sshd:%s", c->key);
	struct vg_finding *h = NULL;
	char where[96] = "";

	if (!obj)
		return NULL;
	if (c->has_match)
		snprintf(where, sizeof(where), " for connections with %.60s", c->context);
	if (v->file)
		h = vg_hit_new(v->file, v->line, 1, obj, "%s %s%s", c->option, what, where);
	else if (!v->value)
		h = vg_hit_new(NULL, 0, 0, obj, "%s %s%s", c->option, what, where);
	else
		h = vg_hit_new(NULL, 0, 0, obj, "%s %s%s (OpenSSH default)", c->option, what,
			       where);
	free(obj);
	return h;
}

/* Adds a hit with evidence "Option value" and key "option value" (or item). */
static int add_hit(struct vg_vec *hits, const struct sshd_cfg *c, const struct vg_sshd_value *v,
		   const char *what, const char *item)
{
	struct vg_finding *h = new_hit(c, v, what);
	char *ev = vg_asprintf("%s %s", c->option, v->value ? v->value : "(unset)");
	char *key = vg_asprintf("%s %s", c->key, item ? item : v->value ? v->value : "");
	int rc = VG_ENOMEM;

	if (h && ev && key && vg_hit_evidence(h, ev, strlen(ev), 0, 0, key, strlen(key)) == 0 &&
	    vg_vec_push(hits, h) == 0) {
		h = NULL;
		rc = 0;
	}
	vg_finding_free(h);
	free(ev);
	free(key);
	return rc;
}

static bool any_matches(char *const *pats, size_t n, const char *item)
{
	for (size_t i = 0; i < n; i++)
		if (vg_sshd_wildmatch(pats[i], item, true))
			return true;
	return false;
}

static int check_lists(const struct sshd_cfg *c, const struct vg_sshd_value *v,
		       struct vg_outcome *out)
{
	struct vg_vec items;
	int rc;

	vg_vec_init(&items);
	rc = vg_sshd_list_items(c->key, v->value, &items);
	for (size_t i = 0; rc == 0 && i < items.len; i++) {
		char *what;

		if (out->hits.len >= VG_MAX_FINDINGS_PER_RULE)
			break;
		if (!any_matches(c->none, c->nnone, items.items[i]))
			continue;
		what = vg_asprintf("enables %s", (char *)items.items[i]);
		rc = what ? add_hit(&out->hits, c, v, what, items.items[i]) : VG_ENOMEM;
		free(what);
	}
	for (size_t k = 0; rc == 0 && k < c->nall; k++) {
		bool found = false;
		char *what;

		for (size_t i = 0; i < items.len && !found; i++)
			found = vg_sshd_wildmatch(c->all[k], items.items[i], true);
		if (found || out->hits.len >= VG_MAX_FINDINGS_PER_RULE)
			continue;
		what = vg_asprintf("does not enable %s", c->all[k]);
		rc = what ? add_hit(&out->hits, c, v, what, c->all[k]) : VG_ENOMEM;
		free(what);
	}
	vg_vec_finish(&items, free);
	return rc;
}

static int sshd_evaluate(const void *cfg, struct vg_leaf_state *st, const struct vg_eval_ctx *ev,
			 struct vg_outcome *out)
{
	const struct sshd_cfg *c = cfg;
	const struct vg_sshd_config *f = NULL;
	const void *facts = NULL;
	struct vg_sshd_conn conn = {0};
	struct vg_sshd_value v = {0};
	struct vg_error err = {0};
	char *why = NULL, *what = NULL;
	int rc;

	(void)st;
	rc = vg_facts_get(ev->facts, &vg_collector_sshd, ev->target, &facts, &err);
	if (rc < 0) {
		vg_facts_outcome(out, rc, &err);
		return rc == VG_ENOMEM ? rc : 0;
	}
	f = facts;
	if (f->missing) {
		vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE,
			       "sshd is not configured (no " VG_SSHD_CONFIG ")");
		return 0;
	}
	conn.user = c->user;
	conn.groups = (const char *const *)c->groups;
	conn.ngroups = c->ngroups;
	conn.host = c->host;
	conn.address = c->address;
	conn.local_address = c->local_address;
	conn.local_port = c->local_port;
	conn.rdomain = c->rdomain;
	rc = vg_sshd_get(f, c->key, c->has_match ? &conn : NULL, &v, &err);
	if (rc == VG_ENOMEM)
		return rc;
	if (rc < 0) {
		vg_outcome_set(out, VG_STATUS_ERROR, "%s", err.msg);
		return 0;
	}
	rc = 0;
	if (c->has_expect) {
		long long secs;
		char num[32];
		const char *val = v.value;

		/* "1m" is 60 to sshd: compare time options in seconds */
		if (vg_sshd_seconds(c->key, v.value, &secs)) {
			snprintf(num, sizeof(num), "%lld", secs);
			val = num;
		}
		if (!vg_expect_eval(&c->expect, val, &why)) {
			if (val != v.value && why && strcmp(val, v.value))
				what = vg_asprintf("%s (written '%s')", why, v.value);
			else
				what = strdup(why ? why : "does not meet the expectation");
			rc = what ? add_hit(&out->hits, c, &v, what, NULL) : VG_ENOMEM;
		}
	}
	if (rc == 0 && (c->nnone || c->nall))
		rc = check_lists(c, &v, out);
	if (rc < 0)
		goto out;
	if (out->hits.len) {
		out->status = VG_STATUS_FAIL;
	} else {
		/* what satisfied the check, for `not` */
		free(what);
		what = vg_asprintf("is '%s'", v.value ? v.value : "(unset)");
		rc = what ? add_hit(&out->hits, c, &v, what, NULL) : VG_ENOMEM;
		out->status = VG_STATUS_PASS;
	}
out:
	free(why);
	free(what);
	vg_sshd_value_finish(&v);
	return rc;
}

const struct vg_check_impl vg_check_sshd = {
	.name = "sshd",
	.targets = VG_TARGET_ROOT | VG_TARGET_HOST,
	.offline = true,
	.summary = "an option of the effective OpenSSH server configuration (Include, Match, "
		   "defaults)",
	.parse = sshd_parse,
	.free = sshd_free,
	.evaluate = sshd_evaluate,
};
