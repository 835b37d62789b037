/* SPDX-License-Identifier: Apache-2.0 */
/* `vigil scan`: parse options, load the policy, scan the targets, write the report, pick the exit code. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
#include "cli/cli_report.h"
#include "engine/scan.h"
#include "findings/baseline.h"
#include "limits.h"
#include "reporter.h"

struct scan_args {
	struct vg_cli_policy pol;
	struct vg_vec excludes;
	struct vg_cli_output out;
	const char *root;
	bool host;
	const char *waivers;
	enum vg_severity fail_on;
	bool fail_on_none;
	unsigned jobs;
	uint64_t max_file_size;
	bool show_secrets;
	bool no_ignore;
	bool git;
	const char *git_range;
	bool staged;
	const char *baseline;      /* --baseline FILE: results whose failures are accepted */
};

static const struct option options[] = {
	VG_CLI_POLICY_OPTIONS,
	{"root", required_argument, NULL, VG_OPT_ROOT},
	{"host", no_argument, NULL, VG_OPT_HOST},
	VG_CLI_OUTPUT_OPTIONS,
	{"fail-on", required_argument, NULL, VG_OPT_FAIL_ON},
	{"jobs", required_argument, NULL, VG_OPT_JOBS},
	{"exclude", required_argument, NULL, VG_OPT_EXCLUDE},
	{"max-file-size", required_argument, NULL, VG_OPT_MAX_FILE_SIZE},
	{"waivers", required_argument, NULL, VG_OPT_WAIVERS},
	{"show-secrets", no_argument, NULL, VG_OPT_SHOW_SECRETS},
	{"no-ignore", no_argument, NULL, VG_OPT_NO_IGNORE},
	{"git", optional_argument, NULL, VG_OPT_GIT},
	{"staged", no_argument, NULL, VG_OPT_STAGED},
	{"baseline", required_argument, NULL, VG_OPT_BASELINE},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* Parses options into a; returns -1 to continue, or an exit code. */
static int parse_args(struct scan_args *a, int argc, char **argv)
{
	int opt, r;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:qvh", options, NULL)) != -1) {
		r = vg_cli_policy_option(&a->pol, opt, optarg);
		if (r == 0)
			r = vg_cli_output_option(&a->out, opt, optarg);
		if (r < 0)
			return VG_EXIT_ERROR;
		if (r > 0)
			continue;
		switch (opt) {
		case VG_OPT_ROOT:
			a->root = optarg;
			break;
		case VG_OPT_HOST:
			a->host = true;
			break;
		case VG_OPT_FAIL_ON:
			if (!strcmp(optarg, "none") || !strcmp(optarg, "never")) {
				a->fail_on_none = true;
			} else if (!vg_severity_parse(optarg, &a->fail_on)) {
				vg_cli_error("--fail-on takes info, low, medium, high, critical or none, "
					     "not '%s'", optarg);
				return VG_EXIT_ERROR;
			}
			break;
		case VG_OPT_JOBS: {
			int64_t n;

			if (!vg_parse_i64(optarg, 10, &n) || n < 1 || n > VG_MAX_JOBS) {
				vg_cli_error("--jobs takes a number from 1 to %d", VG_MAX_JOBS);
				return VG_EXIT_ERROR;
			}
			a->jobs = (unsigned)n;
			break;
		}
		case VG_OPT_EXCLUDE:
			if (vg_vec_push(&a->excludes, optarg) < 0)
				return VG_EXIT_ERROR;
			break;
		case VG_OPT_MAX_FILE_SIZE:
			if (!vg_parse_size(optarg, &a->max_file_size) || a->max_file_size == 0 ||
			    a->max_file_size > VG_MAX_FILE_SIZE_CAP) {
				vg_cli_error("--max-file-size takes a size such as 512k, 10M or 1G "
					     "(at most 4G), not '%s'", optarg);
				return VG_EXIT_ERROR;
			}
			break;
		case VG_OPT_WAIVERS:
			a->waivers = optarg;
			break;
		case VG_OPT_SHOW_SECRETS:
			a->show_secrets = true;
			break;
		case VG_OPT_NO_IGNORE:
			a->no_ignore = true;
			break;
		case VG_OPT_GIT:
			a->git = true;
			if (optarg && !*optarg) {
				vg_cli_error("--git= needs a revision range such as main..HEAD");
				return VG_EXIT_ERROR;
			}
			a->git_range = optarg;
			break;
		case VG_OPT_STAGED:
			a->staged = true;
			break;
		case VG_OPT_BASELINE:
			a->baseline = optarg;
			break;
		default:
			return vg_cli_other_option(opt, argv[optind - 1], "scan");
		}
	}
	if (a->git && a->staged) {
		vg_cli_error("--git and --staged scan different things: use one");
		return VG_EXIT_ERROR;
	}
	if ((a->git || a->staged) && (a->root || a->host)) {
		vg_cli_error("--git and --staged scan repositories, not --root or --host");
		return VG_EXIT_ERROR;
	}
	if (!a->out.format)
		a->out.format = "text";
	if (!vg_reporter_find(a->out.format)) {
		vg_cli_error("unknown format '%s'", a->out.format);
		return VG_EXIT_ERROR;
	}
	return -1;
}

/* Whether msg only repeats the last diagnostic printed (a waivers file that
 * does not parse sets both), so it is not shown twice. */
static bool repeats_last_diag(const struct vg_diags *d, const char *msg)
{
	size_t n = strlen(msg), len;
	const char *last;

	if (!d->count || !n)
		return false;
	last = d->msgs[d->count - 1];
	len = strlen(last);
	return len >= n && !strcmp(last + len - n, msg);
}

static int apply_baseline(struct vg_results *res, const char *path)
{
	struct vg_results *base = NULL;
	struct vg_error err = {0};
	int rc;

	rc = vg_results_read_json(&base, path, &err);
	if (rc == 0)
		rc = vg_baseline_apply(res, base, path);
	if (rc < 0)
		vg_cli_error("baseline %s: %s", path, err.msg[0] ? err.msg : vg_error_name(rc));
	vg_results_free(base);
	return rc;
}

/* `vigil baseline create`: the scan's results as JSON (secrets redacted), so a
 * later --baseline accepts every failure it holds. */
static int write_baseline(const struct vg_results *res, const char *path)
{
	struct vg_report_opts ro = {0};

	if (!path) {
		vg_cli_error("vigil baseline create needs -o FILE");
		return VG_EXIT_ERROR;
	}
	if (vg_cli_write_report(&vg_reporter_json, res, &ro, path) < 0)
		return VG_EXIT_ERROR;
	fprintf(stderr, "vigil: baseline %s records %zu failing finding%s\n", path,
		vg_baseline_count(res), vg_baseline_count(res) == 1 ? "" : "s");
	return vg_results_exit_code(res) == VG_EXIT_ERROR ? VG_EXIT_ERROR : VG_EXIT_OK;
}

static int scan_main(int argc, char **argv, bool baseline_mode);

int vg_cli_scan(int argc, char **argv)
{
	return scan_main(argc, argv, false);
}

int vg_cli_baseline(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "create")) {
		vg_cli_error("usage: vigil baseline create -o FILE [SCAN OPTIONS] [PATH...]");
		return VG_EXIT_ERROR;
	}
	return scan_main(argc - 1, argv + 1, true);
}

static int scan_main(int argc, char **argv, bool baseline_mode)
{
	static const char *const dot[] = {"."};
	struct scan_args a = {.fail_on = VG_SEV_LOW};
	struct vg_policy *pol = NULL;
	struct vg_results *res = NULL;
	struct vg_diags diags;
	struct vg_error err = {0};
	struct vg_scan_opts so = {0};
	int rc;

	vg_diags_init(&diags);
	vg_cli_policy_init(&a.pol);
	vg_vec_init(&a.excludes);
	vg_cli_output_init(&a.out);
	rc = parse_args(&a, argc, argv);
	if (rc >= 0)
		goto out;
	rc = VG_EXIT_ERROR;
	if (vg_cli_load_policy(&pol, &a.pol) < 0)
		goto out;
	so.paths = (const char *const *)(argv + optind);
	so.npaths = (size_t)(argc - optind);
	if (!so.npaths && !a.root && !a.host) {
		so.paths = dot;
		so.npaths = 1;
	}
	so.root = a.root;
	so.host = a.host;
	so.exclude = (const char *const *)a.excludes.items;
	so.nexclude = a.excludes.len;
	so.max_file_size = a.max_file_size;
	so.jobs = a.jobs;
	so.show_secrets = a.show_secrets;
	so.waivers = a.waivers;
	so.fail_on = a.fail_on;
	so.fail_on_none = a.fail_on_none;
	so.verbose = a.out.verbose;
	so.no_ignore = a.no_ignore;
	so.git = a.git;
	so.git_range = a.git_range;
	so.staged = a.staged;
	if (baseline_mode)
		so.show_secrets = false; /* a baseline records fingerprints, never secrets */
	if (vg_scan_run(&res, pol, &so, &diags, &err) < 0) {
		vg_cli_print_diags(&diags);
		if (!repeats_last_diag(&diags, err.msg))
			vg_cli_error("%s", err.msg[0] ? err.msg : vg_error_name(err.code));
		goto out;
	}
	if (a.baseline && apply_baseline(res, a.baseline) < 0)
		goto out;
	if (baseline_mode) {
		rc = write_baseline(res, a.out.output);
		goto out;
	}
	if (vg_cli_output_write(&a.out, res) < 0)
		goto out;
	rc = vg_results_exit_code(res);
out:
	vg_results_free(res);
	vg_policy_free(pol);
	vg_diags_finish(&diags);
	vg_vec_finish(&a.excludes, NULL);
	vg_cli_output_finish(&a.out);
	vg_cli_policy_finish(&a.pol);
	return rc;
}
