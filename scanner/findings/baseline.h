/* SPDX-License-Identifier: Apache-2.0 */
/* Baselines: failures recorded once (by fingerprint) and accepted afterwards, so CI fails only on new ones. */
#ifndef VG_BASELINE_H
#define VG_BASELINE_H

#include <stddef.h>

#include "findings/finding.h"

/* Marks each unsuppressed failure of res whose rule and fingerprint appear
 * among base's failures as suppressed by the baseline named name. Returns 0 or
 * VG_ENOMEM. */
int vg_baseline_apply(struct vg_results *res, const struct vg_results *base, const char *name);

/* The failures a baseline made from res would record. Cannot fail. */
size_t vg_baseline_count(const struct vg_results *res);

#endif
