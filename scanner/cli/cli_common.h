/* SPDX-License-Identifier: Apache-2.0 */
/* Private to the CLI: the policy options shared by `scan` and `rules`. */
#ifndef VG_CLI_COMMON_H
#define VG_CLI_COMMON_H

#include "policy/policy.h"
#include "util.h"

/* getopt_long codes for long-only options. */
enum {
	VG_OPT_POLICY = 1000,
	VG_OPT_PROFILE,
	VG_OPT_RULE,
	VG_OPT_SKIP_RULE,
	VG_OPT_VAR,
	VG_OPT_ROOT,
	VG_OPT_HOST,
	VG_OPT_FORMAT,
	VG_OPT_FAIL_ON,
	VG_OPT_JOBS,
	VG_OPT_EXCLUDE,
	VG_OPT_MAX_FILE_SIZE,
	VG_OPT_WAIVERS,
	VG_OPT_SHOW_SECRETS,
	VG_OPT_COLOR,
	VG_OPT_HELP,
	VG_OPT_NO_IGNORE,
	VG_OPT_GIT,
	VG_OPT_STAGED,
	VG_OPT_BASELINE,
};

#define VG_CLI_POLICY_OPTIONS                                            \
	{"policy", required_argument, NULL, VG_OPT_POLICY},              \
	{"profile", required_argument, NULL, VG_OPT_PROFILE},            \
	{"rule", required_argument, NULL, VG_OPT_RULE},                  \
	{"skip-rule", required_argument, NULL, VG_OPT_SKIP_RULE},        \
	{"var", required_argument, NULL, VG_OPT_VAR}

/* Borrowed argv strings. */
struct vg_cli_policy {
	struct vg_vec paths;
	struct vg_vec vars;
	struct vg_vec rules;
	struct vg_vec skips;
	const char *profile;
};

void vg_cli_policy_init(struct vg_cli_policy *cp);
void vg_cli_policy_finish(struct vg_cli_policy *cp);
/* 1 when opt was a policy option (taken), 0 when not one, -1 on ENOMEM. */
int vg_cli_policy_option(struct vg_cli_policy *cp, int opt, char *arg);
/* Loads the policy; on failure prints every diagnostic and returns VG_E*. */
int vg_cli_load_policy(struct vg_policy **out, const struct vg_cli_policy *cp);
void vg_cli_print_diags(const struct vg_diags *d);

#endif
