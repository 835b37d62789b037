/* SPDX-License-Identifier: Apache-2.0 */
/* `vigil report`, `vigil diff`, and the --report FORMAT=PATH outputs `vigil scan` shares. */
#ifndef VG_CLI_REPORT_H
#define VG_CLI_REPORT_H

#include "findings/finding.h"
#include "reporter.h"
#include "util.h"

/* getopt_long code of --report, apart from cli_common.h's list. */
enum { VG_OPT_REPORT = 1100 };

/* `vigil report RESULTS.json [--format F] [-o PATH] [--report F=PATH]...`:
 * renders saved results again. Exit 0, or 2 on any error. */
int vg_cli_report(int argc, char **argv);

/* `vigil diff OLD.json NEW.json [--format text|json] [-o PATH]`: failures that
 * are new, fixed and unchanged, matched by fingerprint. Exit 1 when anything
 * is new, 0 when not, 2 on errors. */
int vg_cli_diff(int argc, char **argv);

/* Writes res with rep to path through a temporary file renamed into place
 * (a failed write leaves no truncated report; a replaced report keeps its
 * mode), or to standard output when path is NULL. 0, or -1 with the error
 * printed. */
int vg_cli_write_report(const struct vg_reporter_impl *rep, const struct vg_results *res,
			const struct vg_report_opts *ro, const char *path);

/* Checks one --report FORMAT=PATH argument (a known format, a non-empty path)
 * and appends arg, borrowed, to specs. 0, or -1 with the error printed. */
int vg_cli_report_add(struct vg_vec *specs, const char *arg);

/* Writes res once per FORMAT=PATH in specs, each through a temporary file
 * renamed into place. A failed report does not stop the others. 0, or -1
 * when any failed (each error printed). */
int vg_cli_reports_write(const struct vg_vec *specs, const struct vg_results *res,
			 const struct vg_report_opts *ro);

#endif
