/* SPDX-License-Identifier: Apache-2.0 */
/* Runs a loaded policy over targets: collect facts, evaluate checks, produce findings. */
#ifndef VG_SCAN_H
#define VG_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/check.h"
#include "error.h"
#include "findings/finding.h"
#include "policy/policy.h"

struct vg_scan_opts {
	const char *const *paths;  /* tree targets */
	size_t npaths;
	const char *root;          /* --root DIR, or NULL */
	bool host;                 /* --host */
	const char *const *exclude;/* --exclude globs */
	size_t nexclude;
	uint64_t max_file_size;    /* 0: VG_DEFAULT_MAX_FILE_SIZE */
	unsigned jobs;             /* 0: number of online CPUs */
	bool show_secrets;
	bool no_ignore;            /* --no-ignore: scan what .gitignore excludes too */
	bool git;                  /* --git: the paths are repositories, scan their history */
	const char *git_range;     /* --git=A..B */
	bool staged;               /* --staged: what the index adds relative to HEAD */
	const char *waivers;       /* --waivers FILE, or NULL */
	enum vg_severity fail_on;
	bool fail_on_none;
	int verbose;
};

/* Scans every target of opts with the selected rules of policy. Failures of
 * single files or rules become findings or skips; only a problem with the
 * scan as a whole (a target that cannot be opened, an invalid waivers file)
 * fails, with VG_E* and err set. *out is the caller's (vg_results_free). */
int vg_scan_run(struct vg_results **out, struct vg_policy *policy, const struct vg_scan_opts *opts,
		struct vg_diags *diags, struct vg_error *err);

/* Evaluates one rule on one already-opened target, appending findings to res.
 * Used by `vigil rules test` and by vg_scan_run. */
int vg_scan_rule_on_target(struct vg_results *res, const struct vg_rule *rule,
			   const struct vg_target *target, const struct vg_scan_opts *opts,
			   struct vg_error *err);

/* Evaluates one rule on an in-memory file (string examples). path may be NULL
 * (streaming checks then skip their path filter). */
int vg_scan_rule_on_buffer(struct vg_results *res, const struct vg_rule *rule, const char *path,
			   const char *data, size_t len, const struct vg_scan_opts *opts,
			   struct vg_error *err);

#endif
