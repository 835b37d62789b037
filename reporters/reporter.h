/* SPDX-License-Identifier: Apache-2.0 */
/* The reporter interface: each output format turns scan results into a stream. */
#ifndef VG_REPORTER_H
#define VG_REPORTER_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "findings/finding.h"

struct vg_report_opts {
	bool color;        /* ANSI colours (text; only when writing to a terminal) */
	int verbose;       /* text: >0 lists passing rules and skipped files */
	bool quiet;        /* text: only the summary line */
};

struct vg_reporter_impl {
	const char *name;      /* --format value */
	const char *extension; /* conventional file extension, e.g. "sarif" */
	/* Writes res to out. Returns 0 or VG_EIO/VG_ENOMEM with err set. */
	int (*write)(FILE *out, const struct vg_results *res, const struct vg_report_opts *opts,
		     struct vg_error *err);
};

/* The reporter named name, or NULL. */
const struct vg_reporter_impl *vg_reporter_find(const char *name);
/* All reporters, NULL-terminated. */
const struct vg_reporter_impl *const *vg_reporter_all(void);

extern const struct vg_reporter_impl vg_reporter_text;
extern const struct vg_reporter_impl vg_reporter_json;

/* Reads results written by the json reporter (schema "vigil-results", major
 * version 1) back into memory. *out owns its rules and findings. */
int vg_results_read_json(struct vg_results **out, const char *path, struct vg_error *err);

#endif
