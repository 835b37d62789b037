/* SPDX-License-Identifier: Apache-2.0 */
/* What host checks share in reporting: a hit with its evidence, one verdict from two sides. */
#ifndef VG_HITS_H
#define VG_HITS_H

#include <stdbool.h>
#include <stddef.h>

#include "checks/check.h"

/* Gives hit its evidence and fingerprint key (strings) and appends it to
 * out->hits, taking ownership of hit. A NULL hit, evidence or key (a failed
 * allocation) gives VG_ENOMEM, as does running out of memory here; then hit
 * is freed and nothing is appended. Returns 0 or VG_ENOMEM. */
int vg_hits_push(struct vg_outcome *out, struct vg_finding *hit, const char *evidence,
		 const char *key);

/* vg_hits_push of a new hit saying msg at path:line:col and/or on object
 * (either may be NULL, as for vg_hit_new). */
int vg_hits_add(struct vg_outcome *out, const char *path, size_t line, size_t col,
		const char *object, const char *msg, const char *evidence, const char *key);

/* How badly one side of a check could not judge: 2 for an error, 1 for not
 * evaluated, 0 when it could (pass, fail, not applicable). Cannot fail. */
int vg_hits_rank(enum vg_status s);

/* Settles out for a check that judged two sides apart (a configured side a,
 * a live side b), their hits already in out: FAIL when out has hits, else the
 * status and reason of a side that could not judge (the worse; a on a tie).
 * Returns true when out is settled, false when each side passed or did not
 * apply, for the caller to say which. */
bool vg_hits_settle(struct vg_outcome *out, const struct vg_outcome *a,
		    const struct vg_outcome *b);

#endif
