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

/* The output options `scan`, `report` and `diff` share (argv strings borrowed). */
struct vg_cli_output {
	const char *format;     /* --format, NULL until the command sets its default */
	const char *output;     /* -o PATH; NULL: standard output */
	const char *color;      /* --color auto|always|never; NULL: auto */
	struct vg_vec reports;  /* --report FORMAT=PATH */
	int verbose;
	bool quiet;
};

#define VG_CLI_OUTPUT_OPTIONS                                            \
	{"format", required_argument, NULL, VG_OPT_FORMAT},              \
	{"output", required_argument, NULL, 'o'},                        \
	{"report", required_argument, NULL, VG_OPT_REPORT},              \
	{"color", required_argument, NULL, VG_OPT_COLOR},                \
	{"quiet", no_argument, NULL, 'q'},                               \
	{"verbose", no_argument, NULL, 'v'}

void vg_cli_output_init(struct vg_cli_output *o);
void vg_cli_output_finish(struct vg_cli_output *o);
/* 1 when opt (a getopt_long result) was an output option (taken), 0 when not
 * one, -1 when its value is bad (the error printed). */
int vg_cli_output_option(struct vg_cli_output *o, int opt, char *arg);
/* Whether the report to o->output is colored: only on standard output, as
 * --color says, else unless NO_COLOR or TERM=dumb, when it is a terminal. */
bool vg_cli_output_color(const struct vg_cli_output *o);
/* Writes res as o->format to o->output, then once per --report, each file
 * through a temporary file renamed into place. A failed report does not stop
 * the others. 0, or -1 when any failed (each error printed). */
int vg_cli_output_write(const struct vg_cli_output *o, const struct vg_results *res);

#endif
