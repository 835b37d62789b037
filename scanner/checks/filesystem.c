/* SPDX-License-Identifier: Apache-2.0 */
/* The `filesystem` check: sweeps for world-writable, unowned and set-ID entries (allow lists). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checks/check.h"
#include "checks/hits.h"
#include "facts/sweep.h"
#include "glob.h"
#include "limits.h"

enum sweep_kind { S_WW, S_UNOWNED, S_SUID, S_SGID };

static const char *const sweep_names[] = {"world-writable", "unowned", "suid", "sgid", NULL};

struct fs_cfg {
	enum sweep_kind kind;
	char **roots;
	size_t nroots;
	char **allow;
	size_t nallow;
	size_t max_files;
};

static const struct vg_field fields[] = {
	{"sweep", VG_FIELD_STRING, true},  {"roots", VG_FIELD_STRINGS, false},
	{"allow", VG_FIELD_STRINGS, false}, {"max_files", VG_FIELD_INT, false},
	{NULL, 0, false},
};

static void fs_free(void *p)
{
	struct fs_cfg *c = p;

	if (!c)
		return;
	vg_strv_free(c->roots);
	vg_strv_free(c->allow);
	free(c);
}

static int fs_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node)
{
	struct fs_cfg *c = NULL;
	const struct vg_ynode *n;
	const char *s;
	long long max;
	int64_t v;
	bool found;
	int rc = VG_EPARSE;

	if (!vg_pctx_check_fields(pc, node, fields))
		return VG_EPARSE;
	c = calloc(1, sizeof(*c));
	if (!c)
		return VG_ENOMEM;
	s = vg_pctx_str(pc, node, "sweep");
	found = false;
	for (size_t i = 0; s && sweep_names[i] && !found; i++) {
		if (!strcmp(sweep_names[i], s)) {
			c->kind = (enum sweep_kind)i;
			found = true;
		}
	}
	if (!found) {
		vg_pctx_error(pc, vg_ynode_get(node, "sweep"),
			      "sweep is world-writable, unowned, suid or sgid");
		goto out;
	}
	if (vg_ynode_get(node, "roots")) {
		c->roots = vg_pctx_strv(pc, node, "roots", &c->nroots);
	} else {
		c->roots = vg_calloc(2, sizeof(*c->roots));
		if (!c->roots || !(c->roots[0] = strdup("/"))) {
			rc = VG_ENOMEM;
			goto out;
		}
		c->nroots = 1;
	}
	if (!c->nroots) {
		vg_pctx_error(pc, vg_ynode_get(node, "roots"), "roots lists directories to sweep");
		goto out;
	}
	for (size_t i = 0; i < c->nroots; i++) {
		if (c->roots[i][0] != '/' || vg_glob_has_magic(c->roots[i]) ||
		    strlen(c->roots[i]) >= VG_MAX_PATH_BYTES) {
			vg_pctx_error(pc, vg_ynode_get(node, "roots"),
				      "root '%s' must be an absolute directory path (no globs)",
				      c->roots[i]);
			goto out;
		}
	}
	if (vg_ynode_get(node, "allow"))
		c->allow = vg_pctx_strv(pc, node, "allow", &c->nallow);
	c->max_files = VG_DEFAULT_SWEEP_ENTRIES;
	if ((n = vg_pctx_value(pc, vg_ynode_get(node, "max_files")))) {
		if (vg_ynode_as_int(n, &max))
			v = max;
		else if (n->type != VG_YNODE_SCALAR || !vg_parse_i64(n->str, 10, &v))
			v = -1;
		if (v < 1 || v > (long long)VG_MAX_SWEEP_ENTRIES) {
			vg_pctx_error(pc, n, "max_files must be between 1 and %lld",
				      (long long)VG_MAX_SWEEP_ENTRIES);
			goto out;
		}
		c->max_files = (size_t)v;
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	fs_free(c);
	return rc;
}

static bool allowed(const struct fs_cfg *c, const char *path)
{
	for (size_t i = 0; i < c->nallow; i++)
		if (vg_glob_match(c->allow[i], path))
			return true;
	return false;
}

static unsigned kind_bits(enum sweep_kind k)
{
	switch (k) {
	case S_WW:
		return VG_SWEEP_WORLD_WRITABLE;
	case S_UNOWNED:
		return VG_SWEEP_NOUSER | VG_SWEEP_NOGROUP;
	case S_SUID:
		return VG_SWEEP_SUID;
	case S_SGID:
		return VG_SWEEP_SGID;
	}
	return 0;
}

static int push_item(struct vg_outcome *out, const struct fs_cfg *c,
		     const struct vg_sweep_item *it)
{
	unsigned mode = (unsigned)(it->mode & 07777);
	const char *type = vg_fs_type_name(it->mode);
	char msg[VG_MAX_PATH_BYTES + 200], ev[200];
	const char *key = sweep_names[c->kind];

	switch (c->kind) {
	case S_WW:
		snprintf(msg, sizeof(msg), "%s is a world-writable %s%s (mode %04o)", it->path,
			 type, S_ISDIR(it->mode) ? " without the sticky bit" : "", mode);
		snprintf(ev, sizeof(ev), "mode %04o", mode);
		break;
	case S_UNOWNED:
		if ((it->kinds & VG_SWEEP_NOUSER) && (it->kinds & VG_SWEEP_NOGROUP))
			snprintf(msg, sizeof(msg), "%s has no owner: uid %u and gid %u are not "
				 "in /etc/passwd and /etc/group", it->path, (unsigned)it->uid,
				 (unsigned)it->gid);
		else if (it->kinds & VG_SWEEP_NOUSER)
			snprintf(msg, sizeof(msg), "%s has no owner: uid %u is not in /etc/passwd",
				 it->path, (unsigned)it->uid);
		else
			snprintf(msg, sizeof(msg), "%s has no group: gid %u is not in /etc/group",
				 it->path, (unsigned)it->gid);
		snprintf(ev, sizeof(ev), "uid %u gid %u", (unsigned)it->uid, (unsigned)it->gid);
		break;
	case S_SUID:
	case S_SGID:
		snprintf(msg, sizeof(msg), "%s is set-%s-ID (mode %04o, owner %u, group %u) and "
			 "not in the allowed list", it->path,
			 c->kind == S_SUID ? "user" : "group", mode, (unsigned)it->uid,
			 (unsigned)it->gid);
		snprintf(ev, sizeof(ev), "mode %04o uid %u gid %u", mode, (unsigned)it->uid,
			 (unsigned)it->gid);
		break;
	}
	return vg_hits_add(out, it->path, 0, 0, NULL, msg, ev, key);
}

/* The accounts to judge owners with, or NULL when they cannot be had; for
 * an unowned sweep, sets the outcome then. */
static const struct vg_accounts *get_accounts(const struct fs_cfg *c,
					      const struct vg_eval_ctx *ev,
					      struct vg_outcome *out, int *rc)
{
	const struct vg_accounts *a;
	const void *facts = NULL;
	struct vg_error err = {0};
	const struct vg_acct_file *bad = NULL;

	*rc = vg_facts_get(ev->facts, &vg_collector_accounts, ev->target, &facts, &err);
	if (*rc == VG_ENOMEM)
		return NULL;
	if (*rc < 0) {
		if (c->kind == S_UNOWNED)
			vg_facts_outcome(out, *rc, &err);
		*rc = 0;
		return NULL;
	}
	a = facts;
	if (a->files[VG_ACCT_PASSWD].code < 0)
		bad = &a->files[VG_ACCT_PASSWD];
	else if (a->files[VG_ACCT_GROUP].code < 0)
		bad = &a->files[VG_ACCT_GROUP];
	if (!bad)
		return a;
	if (c->kind == S_UNOWNED) {
		if (bad->code == VG_ENOTFOUND)
			vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE, "no %s in the target: owners "
				       "cannot be judged", bad->path);
		else
			vg_facts_outcome(out, bad->code, &bad->err);
	}
	return NULL;
}

static int fs_evaluate(const void *cfg, struct vg_leaf_state *st, const struct vg_eval_ctx *ev,
		       struct vg_outcome *out)
{
	const struct fs_cfg *c = cfg;
	const struct vg_accounts *a;
	const struct vg_sweep_result *r = NULL;
	const void *facts = NULL;
	struct vg_sweep_opts o = {0};
	struct vg_error err = {0};
	unsigned bits = kind_bits(c->kind);
	size_t dropped = 0;
	int rc;

	(void)st;
	a = get_accounts(c, ev, out, &rc);
	if (rc < 0)
		return rc;
	if (!a && c->kind == S_UNOWNED)
		return 0;
	rc = vg_facts_get(ev->facts, &vg_collector_sweep, ev->target, &facts, &err);
	if (rc == VG_ENOMEM)
		return rc;
	if (rc < 0) {
		vg_facts_outcome(out, rc, &err);
		return 0;
	}
	o.roots = (const char *const *)c->roots;
	o.nroots = c->nroots;
	o.max_files = c->max_files;
	o.accounts = a;
	o.jobs = ev->jobs;
	rc = vg_sweep_get(facts, ev->target, &o, &r, &err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < r->items.len && rc == 0; i++) {
		const struct vg_sweep_item *it = r->items.items[i];

		if ((it->kinds & bits) && !allowed(c, it->path))
			rc = push_item(out, c, it);
	}
	if (rc < 0)
		return rc;
	for (int k = 0; k < VG_SWEEP_NKINDS; k++)
		if (bits & (1u << k))
			dropped += r->dropped[k];
	if (out->hits.len) {
		out->status = VG_STATUS_FAIL;
		if (dropped || r->truncated)
			vg_outcome_set(out, VG_STATUS_FAIL, "%zu more entries not listed%s",
				       dropped,
				       r->truncated ? "; the sweep stopped at max_files" : "");
	} else if (r->errors) {
		vg_outcome_set(out, VG_STATUS_ERROR, "%zu problems while sweeping, the first: %s",
			       r->errors, r->first_problem ? r->first_problem : "?");
	} else if (r->truncated) {
		vg_outcome_set(out, VG_STATUS_NOT_EVALUATED, "the sweep stopped after %zu entries "
			       "(max_files) and found nothing in that part; raise max_files or "
			       "narrow roots", r->entries);
	} else if (r->limited) {
		vg_outcome_set(out, VG_STATUS_NOT_EVALUATED, "%zu directories were beyond the "
			       "walk's limits and not swept, the first: %s", r->limited,
			       r->first_problem ? r->first_problem : "?");
	} else if (r->denied) {
		vg_outcome_set(out, VG_STATUS_NOT_EVALUATED, "%zu entries could not be read, the "
			       "first: %s", r->denied, r->first_problem ? r->first_problem : "?");
	}
	return 0;
}

const struct vg_check_impl vg_check_filesystem = {
	.name = "filesystem",
	.targets = VG_TARGET_ROOT | VG_TARGET_HOST,
	.offline = true,
	.summary = "bounded sweeps for world-writable, unowned, SUID and SGID entries",
	.parse = fs_parse,
	.free = fs_free,
	.evaluate = fs_evaluate,
};
