/* SPDX-License-Identifier: Apache-2.0 */
/* Building host checks' hits and settling their two-sided verdicts (see hits.h). */
#include "checks/hits.h"

#include <string.h>

int vg_hits_push(struct vg_outcome *out, struct vg_finding *hit, const char *evidence,
		 const char *key)
{
	if (!hit || !evidence || !key ||
	    vg_hit_evidence(hit, evidence, strlen(evidence), 0, 0, key, strlen(key)) < 0 ||
	    vg_vec_push(&out->hits, hit) < 0) {
		vg_finding_free(hit);
		return VG_ENOMEM;
	}
	return 0;
}

int vg_hits_add(struct vg_outcome *out, const char *path, size_t line, size_t col,
		const char *object, const char *msg, const char *evidence, const char *key)
{
	return vg_hits_push(out, vg_hit_new(path, line, col, object, "%s", msg), evidence, key);
}

int vg_hits_rank(enum vg_status s)
{
	return s == VG_STATUS_ERROR ? 2 : s == VG_STATUS_NOT_EVALUATED ? 1 : 0;
}

bool vg_hits_settle(struct vg_outcome *out, const struct vg_outcome *a,
		    const struct vg_outcome *b)
{
	const struct vg_outcome *bad;

	if (out->hits.len) {
		out->status = VG_STATUS_FAIL;
		return true;
	}
	if (!vg_hits_rank(a->status) && !vg_hits_rank(b->status))
		return false;
	bad = vg_hits_rank(a->status) >= vg_hits_rank(b->status) ? a : b;
	vg_outcome_set(out, bad->status, "%s", bad->reason ? bad->reason : "");
	return true;
}
