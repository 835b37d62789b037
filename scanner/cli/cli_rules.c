/* SPDX-License-Identifier: Apache-2.0 */
/* `vigil rules`: list, show, test (run every rule's examples) and lint policy files. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check.h"
#include "cli/cli.h"
#include "cli/cli_common.h"
#include "engine/ruletest.h"
#include "glob.h"

static const struct option options[] = {
	VG_CLI_POLICY_OPTIONS,
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static void print_targets(FILE *out, unsigned t)
{
	bool first = true;

	for (unsigned b = 1; b <= VG_TARGET_NFT; b <<= 1) {
		if (!(t & b))
			continue;
		fprintf(out, "%s%s", first ? "" : ",", vg_target_kind_name(b));
		first = false;
	}
}

static int cmd_list(const struct vg_policy *pol)
{
	for (size_t i = 0; i < pol->rules.len; i++) {
		const struct vg_rule *r = pol->rules.items[i];

		if (!r->selected)
			continue;
		printf("%-48s %-8s ", r->meta.id, vg_severity_name(r->meta.severity));
		print_targets(stdout, r->targets);
		printf("  %s\n", r->meta.title);
	}
	return VG_EXIT_OK;
}

static void print_check(const struct vg_check *c, int depth)
{
	static const char *const ops[] = {"", "all", "any", "not"};

	printf("%*s- %s\n", depth * 2 + 2, "", c->op == VG_CHECK_LEAF ? c->impl->name : ops[c->op]);
	for (size_t i = 0; i < c->nkids; i++)
		print_check(c->kids[i], depth + 1);
}

static void print_field(const char *name, const char *value)
{
	if (value)
		printf("%-13s %s\n", name, value);
}

static int cmd_show(const struct vg_policy *pol, const char *id)
{
	const struct vg_rule *r = vg_policy_find_rule(pol, id);

	if (!r) {
		vg_cli_error("no rule '%s' (see 'vigil rules list')", id);
		return VG_EXIT_ERROR;
	}
	print_field("id:", r->meta.id);
	print_field("title:", r->meta.title);
	print_field("pack:", r->meta.pack);
	print_field("severity:", vg_severity_name(r->meta.severity));
	printf("%-13s ", "targets:");
	print_targets(stdout, r->targets);
	putchar('\n');
	if (r->meta.ntags) {
		printf("%-13s", "tags:");
		for (size_t i = 0; i < r->meta.ntags; i++)
			printf(" %s", r->meta.tags[i]);
		putchar('\n');
	}
	print_field("source:", r->meta.source);
	print_field("description:", r->meta.description);
	print_field("rationale:", r->meta.rationale);
	for (size_t i = 0; i < r->meta.nreferences; i++)
		print_field("reference:", r->meta.references[i]);
	print_field("remediation:", r->meta.remediation);
	if (r->meta.remediation_script)
		printf("script:\n%s\n", r->meta.remediation_script);
	printf("check:\n");
	print_check(r->check, 0);
	printf("%-13s %zu\n", "examples:", r->nexamples);
	return VG_EXIT_OK;
}

struct test_ctx {
	int verbose;
};

/* The example's number among the rule's examples of the same kind, so "fail
 * example 1" is the first one under `fail:`. */
static size_t index_in_kind(const struct vg_ruletest_result *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->rule->nexamples; i++) {
		const struct vg_example *ex = &r->rule->examples[i];

		if (ex->expect_fail == r->example->expect_fail)
			n++;
		if (ex == r->example)
			return n;
	}
	return r->index;
}

static void report_example(void *ud, const struct vg_ruletest_result *r)
{
	struct test_ctx *t = ud;
	const char *kind = r->example->expect_fail ? "fail" : "pass";
	size_t index = index_in_kind(r);

	if (r->skipped) {
		if (t->verbose)
			printf("SKIP %s %s example %zu (%s:%zu:%zu): needs root to set owners\n",
			       r->rule->meta.id, kind, index, r->rule->file, r->example->line,
			       r->example->col);
		return;
	}
	if (r->ok) {
		if (t->verbose)
			printf("ok   %s %s example %zu\n", r->rule->meta.id, kind, index);
		return;
	}
	printf("FAIL %s %s example %zu (%s:%zu:%zu): %s\n", r->rule->meta.id, kind, index,
	       r->rule->file, r->example->line, r->example->col, r->detail ? r->detail : "");
}

static bool rule_in(const struct vg_rule *r, char **sel, int n)
{
	if (n == 0)
		return true;
	for (int i = 0; i < n; i++)
		if (!strcmp(sel[i], r->meta.pack) || vg_glob_match_str(sel[i], r->meta.id))
			return true;
	return false;
}

static int cmd_test(const struct vg_policy *pol, char **sel, int nsel, int verbose)
{
	struct vg_ruletest_counts counts = {0};
	struct test_ctx t = {.verbose = verbose};
	size_t rules = 0, missing = 0;
	struct vg_error err = {0};

	for (size_t i = 0; i < pol->rules.len; i++) {
		const struct vg_rule *r = pol->rules.items[i];

		if (!r->selected || !rule_in(r, sel, nsel))
			continue;
		rules++;
		if (!r->nexamples) {
			/* a rule without examples is untested: that is a failure */
			printf("FAIL %s (%s:%zu): no examples\n", r->meta.id, r->file, r->line);
			missing++;
			counts.failed++;
			continue;
		}
		if (vg_ruletest_run(r, report_example, &t, &counts, &err) < 0) {
			vg_cli_error("%s", err.msg);
			return VG_EXIT_ERROR;
		}
	}
	if (nsel && !rules) {
		vg_cli_error("no rules match the packs or ids given");
		return VG_EXIT_ERROR;
	}
	printf("rules: %zu rules, %zu examples\n", rules,
	       counts.passed + counts.failed + counts.skipped - missing);
	printf("%zu passed, %zu failed", counts.passed, counts.failed);
	if (counts.skipped)
		printf(", %zu skipped", counts.skipped);
	putchar('\n');
	return counts.failed ? VG_EXIT_FINDINGS : VG_EXIT_OK;
}

static int cmd_lint(char **files, int n)
{
	int rc = VG_EXIT_OK;

	if (n == 0) {
		vg_cli_error("usage: vigil rules lint FILE...");
		return VG_EXIT_ERROR;
	}
	for (int i = 0; i < n; i++) {
		struct vg_policy_opts o = {.paths = (const char *const *)&files[i], .npaths = 1};
		struct vg_policy *pol = NULL;
		struct vg_diags diags;
		struct vg_error err = {0};

		vg_diags_init(&diags);
		if (vg_policy_load(&pol, &o, &diags, &err) < 0) {
			vg_cli_print_diags(&diags);
			fprintf(stderr, "%s: invalid (%s)\n", files[i], err.msg);
			rc = VG_EXIT_ERROR;
		} else {
			size_t noex = 0;

			for (size_t k = 0; k < pol->rules.len; k++) {
				const struct vg_rule *r = pol->rules.items[k];

				if (!r->nexamples) {
					fprintf(stderr, "%s:%zu:%zu: warning: rule %s has no examples\n",
						r->file, r->line, r->col, r->meta.id);
					noex++;
				}
			}
			printf("%s: ok (%zu rules", files[i], pol->rules.len);
			if (noex)
				printf(", %zu without examples", noex);
			printf(")\n");
		}
		vg_policy_free(pol);
		vg_diags_finish(&diags);
	}
	return rc;
}

int vg_cli_rules(int argc, char **argv)
{
	struct vg_cli_policy cp;
	struct vg_policy *pol = NULL;
	const char *sub;
	int opt, rc = VG_EXIT_ERROR, verbose = 0;

	vg_cli_policy_init(&cp);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":vh", options, NULL)) != -1) {
		int r = vg_cli_policy_option(&cp, opt, optarg);

		if (r < 0)
			goto out;
		if (r > 0)
			continue;
		if (opt != 'v') {
			rc = vg_cli_other_option(opt, argv[optind - 1], NULL);
			goto out;
		}
		verbose++;
	}
	if (optind >= argc) {
		vg_cli_error("usage: vigil rules list|show ID|test [PACK...]|lint FILE...");
		goto out;
	}
	sub = argv[optind++];
	if (!strcmp(sub, "lint")) {
		rc = cmd_lint(argv + optind, argc - optind);
		goto out;
	}
	if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "test")) {
		vg_cli_error("unknown rules command '%s' (list, show, test, lint)", sub);
		goto out;
	}
	if (vg_cli_load_policy(&pol, &cp) < 0)
		goto out;
	if (!strcmp(sub, "list")) {
		rc = cmd_list(pol);
	} else if (!strcmp(sub, "show")) {
		if (optind + 1 != argc) {
			vg_cli_error("usage: vigil rules show ID");
			goto out;
		}
		rc = cmd_show(pol, argv[optind]);
	} else {
		rc = cmd_test(pol, argv + optind, argc - optind, verbose);
	}
out:
	vg_policy_free(pol);
	vg_cli_policy_finish(&cp);
	return rc;
}
