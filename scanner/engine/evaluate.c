/* SPDX-License-Identifier: Apache-2.0 */
/* Evaluates a rule's check tree (all, any, not over leaves) and its applicability to a target. */
#include <stdlib.h>
#include <string.h>

#include "engine/internal.h"
#include "glob.h"
#include "limits.h"

size_t vg_engine_count_leaves(const struct vg_check *c)
{
	size_t n = 0;

	if (c->op == VG_CHECK_LEAF)
		return 1;
	for (size_t i = 0; i < c->nkids; i++)
		n += vg_engine_count_leaves(c->kids[i]);
	return n;
}

void vg_engine_list_leaves(const struct vg_check *c, const struct vg_check **out, size_t *n)
{
	if (c->op == VG_CHECK_LEAF) {
		out[(*n)++] = c;
		return;
	}
	for (size_t i = 0; i < c->nkids; i++)
		vg_engine_list_leaves(c->kids[i], out, n);
}

static void take_reason(struct vg_outcome *to, struct vg_outcome *from, enum vg_status st)
{
	to->status = st;
	if (!to->reason) {
		to->reason = from->reason;
		from->reason = NULL;
	}
}


/* all: fail beats error beats not-evaluated; pass only when every child passes
 * or does not apply. any: pass beats error beats not-evaluated beats fail. */
static int eval_combinator(struct rule_run *run, const struct vg_check *c, size_t *leaf,
			   const struct vg_eval_ctx *ev, struct vg_outcome *out)
{
	struct vg_outcome kid[1];
	size_t count[VG_STATUS_COUNT] = {0};
	struct vg_outcome fails, passes, other;
	enum vg_status other_status = VG_STATUS_PASS;
	int rc = 0;

	vg_outcome_init(&fails);
	vg_outcome_init(&passes);
	vg_outcome_init(&other);
	for (size_t i = 0; i < c->nkids; i++) {
		vg_outcome_init(kid);
		rc = vg_engine_eval(run, c->kids[i], leaf, ev, kid);
		if (rc < 0) {
			vg_outcome_finish(kid);
			goto out;
		}
		count[kid->status]++;
		if (kid->status == VG_STATUS_FAIL)
			rc = vg_outcome_take(&fails, &kid->hits);
		else if (kid->status == VG_STATUS_PASS)
			rc = vg_outcome_take(&passes, &kid->hits);
		if (kid->status == VG_STATUS_ERROR && other_status != VG_STATUS_ERROR) {
			free(other.reason);
			other.reason = NULL;
			take_reason(&other, kid, VG_STATUS_ERROR);
			other_status = VG_STATUS_ERROR;
		} else if (kid->status == VG_STATUS_NOT_EVALUATED &&
			   other_status == VG_STATUS_PASS) {
			/* a not-applicable child's reason may be there: this one explains more */
			free(other.reason);
			other.reason = NULL;
			take_reason(&other, kid, VG_STATUS_NOT_EVALUATED);
			other_status = VG_STATUS_NOT_EVALUATED;
		} else if (kid->status == VG_STATUS_NOT_APPLICABLE && !other.reason) {
			other.reason = kid->reason;
			kid->reason = NULL;
		}
		vg_outcome_finish(kid);
		if (rc < 0)
			goto out;
	}
	if (c->op == VG_CHECK_ALL) {
		if (count[VG_STATUS_FAIL]) {
			out->status = VG_STATUS_FAIL;
			rc = vg_outcome_take(out, &fails.hits);
		} else if (other_status != VG_STATUS_PASS) {
			take_reason(out, &other, other_status);
		} else if (count[VG_STATUS_NOT_APPLICABLE] == c->nkids) {
			take_reason(out, &other, VG_STATUS_NOT_APPLICABLE);
		} else {
			out->status = VG_STATUS_PASS;
			rc = vg_outcome_take(out, &passes.hits);
		}
	} else {
		if (count[VG_STATUS_PASS]) {
			out->status = VG_STATUS_PASS;
			rc = vg_outcome_take(out, &passes.hits);
		} else if (other_status != VG_STATUS_PASS) {
			take_reason(out, &other, other_status);
		} else if (count[VG_STATUS_NOT_APPLICABLE] == c->nkids) {
			take_reason(out, &other, VG_STATUS_NOT_APPLICABLE);
		} else {
			out->status = VG_STATUS_FAIL;
			rc = vg_outcome_take(out, &fails.hits);
		}
	}
out:
	vg_outcome_finish(&fails);
	vg_outcome_finish(&passes);
	vg_outcome_finish(&other);
	return rc;
}

static int eval_not(struct rule_run *run, const struct vg_check *c, size_t *leaf,
		    const struct vg_eval_ctx *ev, struct vg_outcome *out)
{
	struct vg_outcome kid;
	int rc;

	vg_outcome_init(&kid);
	rc = vg_engine_eval(run, c->kids[0], leaf, ev, &kid);
	if (rc < 0)
		goto out;
	if (kid.status == VG_STATUS_FAIL) {
		out->status = VG_STATUS_PASS;
	} else if (kid.status == VG_STATUS_PASS) {
		out->status = VG_STATUS_FAIL;
		/* what satisfied the child is what the rule forbids */
		for (size_t i = 0; i < kid.hits.len; i++) {
			struct vg_finding *h = kid.hits.items[i];
			char *m = vg_asprintf("condition that must not hold: %s", h->message);

			if (!m) {
				rc = VG_ENOMEM;
				goto out;
			}
			free(h->message);
			h->message = m;
		}
		rc = vg_outcome_take(out, &kid.hits);
	} else {
		take_reason(out, &kid, kid.status);
	}
out:
	vg_outcome_finish(&kid);
	return rc;
}

int vg_engine_eval(struct rule_run *run, const struct vg_check *c, size_t *leaf,
		   const struct vg_eval_ctx *ev, struct vg_outcome *out)
{
	struct vg_leaf_state *st;

	switch (c->op) {
	case VG_CHECK_ALL:
	case VG_CHECK_ANY:
		return eval_combinator(run, c, leaf, ev, out);
	case VG_CHECK_NOT:
		return eval_not(run, c, leaf, ev, out);
	case VG_CHECK_LEAF:
		break;
	}
	st = &run->states[(*leaf)++];
	if (!ev->target->fs && !c->impl->scan) {
		vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE, "the '%s' check needs a file tree",
			       c->impl->name);
		return 0;
	}
	if (!(c->impl->targets & ev->target->kind)) {
		vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE, "the '%s' check does not apply to %s "
			       "targets", c->impl->name, vg_target_kind_name(ev->target->kind));
		return 0;
	}
	return c->impl->evaluate(c->cfg, st, ev, out);
}

/* ---- applicability ---- */

/* ID and ID_LIKE of /etc/os-release (or /usr/lib/os-release) inside the target. */
static bool os_family_matches(const struct vg_target *t, char *const *fams, size_t n)
{
	static const char *const files[] = {"/etc/os-release", "/usr/lib/os-release"};
	struct vg_error err = {0};
	struct vg_blob b = {0};
	bool hit = false;

	if (!t->fs || !(t->kind & (VG_TARGET_ROOT | VG_TARGET_HOST)))
		return false;
	for (size_t i = 0; i < 2 && !b.data; i++)
		if (vg_fs_read(t->fs, files[i], VG_MAX_CONFIG_FILE_BYTES, &b, &err) < 0)
			vg_blob_finish(&b);
	if (!b.data)
		return false;
	for (char *line = b.data; line && !hit;) {
		char *nl = strchr(line, '\n'), *v;

		if (nl)
			*nl = '\0';
		if (!strncmp(line, "ID=", 3) || !strncmp(line, "ID_LIKE=", 8)) {
			v = strchr(line, '=') + 1;
			if (*v == '"' || *v == '\'')
				v++;
			v[strcspn(v, "\"'")] = '\0';
			for (char *sp = NULL, *tok = strtok_r(v, " ", &sp); tok && !hit;
			     tok = strtok_r(NULL, " ", &sp))
				for (size_t k = 0; k < n; k++)
					hit |= !strcmp(tok, fams[k]);
		}
		line = nl ? nl + 1 : NULL;
	}
	vg_blob_finish(&b);
	return hit;
}

static int exists_cb(void *ud, const char *path)
{
	(void)path;
	*(bool *)ud = true;
	return 1;
}

static bool path_exists(const struct vg_target *t, const char *p)
{
	struct vg_error err = {0};
	struct vg_stat st;
	bool found = false;

	if (!t->fs)
		return false;
	if (!vg_glob_has_magic(p))
		return vg_fs_lstat(t->fs, p, &st, &err) == 0;
	vg_fs_glob(t->fs, p, exists_cb, &found, NULL, &err);
	return found;
}

char *vg_engine_applies(const struct vg_rule *r, const struct vg_target *t)
{
	if (r->nos_family && !os_family_matches(t, r->os_family, r->nos_family))
		return strdup("the target's operating system is not one the rule is for");
	for (size_t i = 0; i < r->nrequires_paths; i++)
		if (!path_exists(t, r->requires_paths[i]))
			return vg_asprintf("%s does not exist", r->requires_paths[i]);
	return NULL;
}
