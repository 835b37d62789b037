/* SPDX-License-Identifier: Apache-2.0 */
/* Private to the policy loader: the parse context behind struct vg_pctx. */
#ifndef VG_PCTX_H
#define VG_PCTX_H

#include "policy/policy.h"

struct vg_pctx {
	const char *file;            /* name used in messages */
	struct vg_diags *diags;
	const struct vg_policy *pol; /* effective variables */
	const struct vg_rule *rule;  /* rule being parsed, or NULL */
	struct vg_vec synth;         /* struct vg_ynode *: variable values handed out */
	size_t errors;               /* problems reported through this context */
};

void vg_pctx_init(struct vg_pctx *pc, const char *file, struct vg_diags *diags,
		  const struct vg_policy *pol);
void vg_pctx_finish(struct vg_pctx *pc);

#endif
