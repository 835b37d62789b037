/* SPDX-License-Identifier: Apache-2.0 */
/* Waivers: accepted failures, suppressed until they expire. */
#ifndef VG_WAIVER_H
#define VG_WAIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "error.h"
#include "findings/finding.h"

struct vg_waiver {
	char *rule;     /* rule-id glob */
	char *path;     /* path glob, or NULL */
	char *target;   /* target-label glob, or NULL */
	char *reason;
	char *expires;  /* "YYYY-MM-DD", or NULL */
	time_t expires_at; /* end of that day, UTC; 0 when no expiry */
	size_t line, col;
};

struct vg_waivers {
	char *file;
	struct vg_waiver *items;
	size_t count;
};

/* Loads and validates a waivers file; problems go to diags as file:line:col.
 * Returns 0, VG_EPARSE, or the read error. *out is freed with vg_waivers_free. */
int vg_waivers_load(struct vg_waivers **out, const char *path, struct vg_diags *diags,
		    struct vg_error *err);
void vg_waivers_free(struct vg_waivers *w);

/* Marks failing findings that a live waiver matches as waived, and appends a
 * failure of the rule vigil.waiver.expired for each expired waiver (adding
 * that rule to res->rules). now is the current time. */
int vg_waivers_apply(const struct vg_waivers *w, struct vg_results *res, time_t now);

#endif
