/* SPDX-License-Identifier: Apache-2.0 */
/* Runs a rule's own pass and fail examples: the driver behind `vigil rules test`. */
#ifndef VG_RULETEST_H
#define VG_RULETEST_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "policy/policy.h"

/* The result of one example. */
struct vg_ruletest_result {
	const struct vg_rule *rule;
	const struct vg_example *example;
	size_t index;          /* 1-based among the rule's examples */
	bool ok;               /* behaved as the example says */
	bool skipped;          /* could not be laid out here (e.g. owners need root) */
	char *detail;          /* what happened, when not ok (or NULL) */
};

typedef void (*vg_ruletest_fn)(void *ud, const struct vg_ruletest_result *r);

struct vg_ruletest_counts {
	size_t passed;
	size_t failed;
	size_t skipped;
};

/* Runs every example of rule, calling fn for each. File-tree examples are laid
 * out in a new mkdtemp directory under $TMPDIR (or /tmp) and removed again.
 * Returns 0 when the examples could be run (whatever they showed), or a VG_E*
 * code when the machinery failed (err set). counts are added to. */
int vg_ruletest_run(const struct vg_rule *rule, vg_ruletest_fn fn, void *ud,
		    struct vg_ruletest_counts *counts, struct vg_error *err);

#endif
