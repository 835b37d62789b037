/* SPDX-License-Identifier: Apache-2.0 */
/* Subcommand dispatch, usage text, and the policy options scan and rules share. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_common.h"
#include "cli/cli_report.h"
#include "glob.h"
#include "regex.h"

void vg_cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("vigil: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int vg_cli_other_option(int opt, const char *name, const char *cmd)
{
	if (opt == 'h') {
		vg_cli_print_usage(stdout);
		return VG_EXIT_OK;
	}
	if (opt == ':')
		vg_cli_error("option '%s' needs a value", name);
	else if (cmd)
		vg_cli_error("unknown option '%s' (try 'vigil %s --help')", name, cmd);
	else
		vg_cli_error("unknown option '%s'", name);
	return VG_EXIT_ERROR;
}

void vg_cli_print_usage(FILE *out)
{
	fputs("usage: vigil scan [OPTIONS] [PATH...]\n"
	      "       vigil rules list|show ID|test [PACK...]|lint FILE... [POLICY OPTIONS]\n"
	      "       vigil report RESULTS.json [--format FORMAT] [-o FILE]\n"
	      "                    [--report FORMAT=FILE]...\n"
	      "       vigil diff OLD.json NEW.json [--format text|json] [-o FILE]\n"
	      "       vigil baseline create -o FILE [SCAN OPTIONS] [PATH...]\n"
	      "       vigil version\n"
	      "\n"
	      "Scans files, directory trees, offline root filesystems and the live host\n"
	      "with YAML policies. Without --policy the embedded default packs apply.\n"
	      "\n"
	      "Targets:\n"
	      "  PATH...               files and directories to scan (default: .)\n"
	      "  --root DIR            an offline root filesystem (image or chroot); every\n"
	      "                        absolute path, absolute symlinks included, stays in DIR\n"
	      "  --host                the live machine\n"
	      "  --git[=RANGE]         the history of the repositories at PATH: every blob of\n"
	      "                        every ref once (or what RANGE, e.g. main..HEAD, adds)\n"
	      "  --staged              what the index adds relative to HEAD (pre-commit)\n"
	      "\n"
	      "Policy:\n"
	      "  --policy FILE|DIR     load packs from FILE or DIR (repeatable)\n"
	      "  --profile NAME        apply a profile (selection, variables, severities)\n"
	      "  --rule GLOB           only rules whose id matches (repeatable)\n"
	      "  --skip-rule GLOB      leave out rules whose id matches (repeatable)\n"
	      "  --var NAME=VALUE      override a policy variable (repeatable)\n"
	      "  --waivers FILE        suppress accepted failures until their expiry date\n"
	      "  --baseline FILE       accept the failures recorded in FILE (from 'vigil\n"
	      "                        baseline create' or any --format json results)\n"
	      "\n"
	      "Scanning:\n"
	      "  --exclude GLOB        skip paths matching GLOB (repeatable)\n"
	      "  --max-file-size SIZE  skip larger files (default 10M; k, M, G suffixes)\n"
	      "  --jobs N              worker threads (default: number of CPUs)\n"
	      "  --show-secrets        print secrets in evidence instead of redacting them\n"
	      "  --no-ignore           also scan what .gitignore excludes in a git work tree\n"
	      "\n"
	      "Output:\n"
	      "  --format FORMAT       text (default), json, sarif, junit, junit-gitlab, html\n"
	      "  -o, --output FILE     write the report to FILE instead of standard output\n"
	      "  --report FORMAT=FILE  also write FILE in FORMAT (repeatable), e.g.\n"
	      "                        --report sarif=vigil.sarif --report html=vigil.html;\n"
	      "                        written even when the exit status is 1 or 2\n"
	      "  --fail-on SEVERITY    exit 1 on failures at or above info|low|medium|high|\n"
	      "                        critical, or never with 'none' (default: low)\n"
	      "  --color auto|always|never\n"
	      "  -q, --quiet           only the summary line (text)\n"
	      "  -v, --verbose         also passing rules and skipped files (text)\n"
	      "\n"
	      "Exit status:\n"
	      "  0  no unsuppressed failure at or above the --fail-on severity\n"
	      "  1  failures at or above the --fail-on severity\n"
	      "  2  the scan could not be completed as asked: usage error, invalid policy,\n"
	      "     unreadable target, or parts of the target that could not be read.\n"
	      "     An error outranks findings.\n"
	      "\n"
	      "vigil report renders results saved with --format json again (exit 0, or 2).\n"
	      "vigil diff lists failures that are new, fixed and unchanged between two saved\n"
	      "results, matched by fingerprint; it exits 1 when anything is new, 0 when\n"
	      "not, 2 on errors.\n",
	      out);
}

static void vec_strs_free(struct vg_vec *v)
{
	vg_vec_finish(v, NULL);
}

void vg_cli_policy_init(struct vg_cli_policy *cp)
{
	memset(cp, 0, sizeof(*cp));
	vg_vec_init(&cp->paths);
	vg_vec_init(&cp->vars);
	vg_vec_init(&cp->rules);
	vg_vec_init(&cp->skips);
}

void vg_cli_policy_finish(struct vg_cli_policy *cp)
{
	vec_strs_free(&cp->paths);
	vec_strs_free(&cp->vars);
	vec_strs_free(&cp->rules);
	vec_strs_free(&cp->skips);
}

int vg_cli_policy_option(struct vg_cli_policy *cp, int opt, char *arg)
{
	switch (opt) {
	case VG_OPT_POLICY:
		return vg_vec_push(&cp->paths, arg) < 0 ? -1 : 1;
	case VG_OPT_PROFILE:
		cp->profile = arg;
		return 1;
	case VG_OPT_RULE:
		return vg_vec_push(&cp->rules, arg) < 0 ? -1 : 1;
	case VG_OPT_SKIP_RULE:
		return vg_vec_push(&cp->skips, arg) < 0 ? -1 : 1;
	case VG_OPT_VAR:
		return vg_vec_push(&cp->vars, arg) < 0 ? -1 : 1;
	default:
		return 0;
	}
}

void vg_cli_print_diags(const struct vg_diags *d)
{
	for (size_t i = 0; i < d->count; i++)
		fprintf(stderr, "%s\n", d->msgs[i]);
	if (d->dropped)
		fprintf(stderr, "vigil: %zu more problems not shown\n", d->dropped);
}

int vg_cli_load_policy(struct vg_policy **out, const struct vg_cli_policy *cp)
{
	struct vg_policy_opts o = {
		.paths = (const char *const *)cp->paths.items,
		.npaths = cp->paths.len,
		.profile = cp->profile,
		.vars = (const char *const *)cp->vars.items,
		.nvars = cp->vars.len,
		.rule_globs = (const char *const *)cp->rules.items,
		.nrule_globs = cp->rules.len,
		.skip_globs = (const char *const *)cp->skips.items,
		.nskip_globs = cp->skips.len,
	};
	struct vg_diags diags;
	struct vg_error err = {0};
	int rc;

	vg_diags_init(&diags);
	rc = vg_policy_load(out, &o, &diags, &err);
	if (rc < 0) {
		vg_cli_print_diags(&diags);
		vg_cli_error("%s", err.msg[0] ? err.msg : vg_error_name(rc));
	}
	vg_diags_finish(&diags);
	/* a mistyped --rule would otherwise run nothing and pass */
	for (size_t i = 0; rc == 0 && i < cp->rules.len; i++) {
		const char *glob = cp->rules.items[i];
		bool hit = false;

		for (size_t k = 0; k < (*out)->rules.len && !hit; k++) {
			const struct vg_rule *r = (*out)->rules.items[k];

			hit = vg_glob_match_str(glob, r->meta.id);
		}
		if (!hit) {
			vg_cli_error("--rule '%s' matches no rule (see 'vigil rules list')", glob);
			vg_policy_free(*out);
			*out = NULL;
			rc = VG_ENOTFOUND;
		}
	}
	return rc;
}

int vg_cli_main(int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		vg_cli_print_usage(stderr);
		return VG_EXIT_ERROR;
	}
	if (!strcmp(argv[1], "scan"))
		rc = vg_cli_scan(argc - 1, argv + 1);
	else if (!strcmp(argv[1], "baseline"))
		rc = vg_cli_baseline(argc - 1, argv + 1);
	else if (!strcmp(argv[1], "rules"))
		rc = vg_cli_rules(argc - 1, argv + 1);
	else if (!strcmp(argv[1], "report"))
		rc = vg_cli_report(argc - 1, argv + 1);
	else if (!strcmp(argv[1], "diff"))
		rc = vg_cli_diff(argc - 1, argv + 1);
	else if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("vigil %s\n", VG_VERSION);
		rc = VG_EXIT_OK;
	} else if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
		   !strcmp(argv[1], "-h")) {
		vg_cli_print_usage(stdout);
		rc = VG_EXIT_OK;
	} else {
		vg_cli_error("unknown command '%s' (try 'vigil --help')", argv[1]);
		rc = VG_EXIT_ERROR;
	}
	vg_regex_thread_cleanup();
	return rc;
}
