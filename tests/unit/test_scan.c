/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for engine/scan.c: combinators, redaction and fingerprints, tree scans and their scope, targets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/scan.h"
#include "limits.h"
#include "policy/policy.h"
#include "targets/fs.h"
#include "testutil.h"
#include "util.h"

/* ---- helpers ---- */

static char *path_in(const struct tu_fx *t, const char *rel)
{
	char *p = vg_asprintf("%s/%s", t->dir, rel);

	assert_non_null(p);
	return p;
}

/* Runs vg_scan_run over paths with the loaded policy; returns its code. */
static int scan_paths(struct tu_fx *t, struct vg_scan_opts *o, const char *const *paths, size_t n,
		      struct vg_error *err)
{
	vg_results_free(t->res);
	t->res = NULL;
	o->paths = paths;
	o->npaths = n;
	if (!o->jobs)
		o->jobs = 2;
	vg_diags_finish(&t->diags);
	vg_diags_init(&t->diags);
	return vg_scan_run(&t->res, t->pol, o, &t->diags, err);
}

static const struct vg_finding *first_with(const struct vg_results *res, const char *rule,
					   enum vg_status status)
{
	for (size_t i = 0; i < res->findings.len; i++) {
		const struct vg_finding *f = res->findings.items[i];

		if (!strcmp(f->rule->id, rule) && f->status == status)
			return f;
	}
	return NULL;
}

static size_t count_with(const struct vg_results *res, const char *rule, enum vg_status status)
{
	size_t n = 0;

	for (size_t i = 0; i < res->findings.len; i++) {
		const struct vg_finding *f = res->findings.items[i];

		n += !strcmp(f->rule->id, rule) && f->status == status;
	}
	return n;
}

/* The findings as "rule status path:line:col fingerprint" lines, for comparison. */
static char *describe(const struct vg_results *res)
{
	struct vg_buf b;

	vg_buf_init(&b, 0);
	for (size_t i = 0; i < res->findings.len; i++) {
		const struct vg_finding *f = res->findings.items[i];

		vg_buf_printf(&b, "%s %s %s:%zu:%zu %s\n", f->rule->id, vg_status_name(f->status),
			      f->loc.path ? f->loc.path : "-", f->loc.line, f->loc.col,
			      f->fingerprint);
	}
	return vg_buf_detach(&b);
}

/* ---- combinators ----
 * Leaves with a known outcome on the fixture tree:
 *   PASS  file ok.txt is a file
 *   FAIL  file ok.txt is a directory
 *   ERR   file loop/x exists (a symlink loop)
 *   NE    file out mode (a symlink leaving the tree: cannot look)
 *   NA    content in *.none (no such file) */
#define LEAF_PASS "{file: {path: ok.txt, type: file}}"
#define LEAF_FAIL "{file: {path: ok.txt, type: directory}}"
#define LEAF_ERR "{file: {path: loop/x, exists: true}}"
#define LEAF_NE "{file: {path: out, mode_max: '0600'}}"
#define LEAF_NA "{content: {paths: ['*.none'], forbid: x}}"

static void combinator_tree(struct tu_fx *t)
{
	tu_put(t->dir, "ok.txt", "hello\n");
	tu_symlink(t->dir, "loop", "loop");
	tu_symlink(t->dir, "out", "/etc/passwd");
}

static enum vg_status eval(struct tu_fx *t, const char *check)
{
	char *rules = vg_asprintf("  - id: t.c\n    title: combinator\n    severity: low\n"
				  "    check: %s\n", check);

	assert_non_null(rules);
	tu_fx_run(t, tu_rule(tu_fx_load(t, rules), "t.c"), VG_TARGET_TREE, "tree");
	free(rules);
	return tu_verdict(t->res);
}

static void test_leaves(void **state)
{
	struct tu_fx *t = *state;

	combinator_tree(t);
	assert_int_equal(eval(t, LEAF_PASS), VG_STATUS_PASS);
	assert_int_equal(eval(t, LEAF_FAIL), VG_STATUS_FAIL);
	assert_int_equal(eval(t, LEAF_ERR), VG_STATUS_ERROR);
	assert_int_equal(eval(t, LEAF_NE), VG_STATUS_NOT_EVALUATED);
	assert_int_equal(eval(t, LEAF_NA), VG_STATUS_NOT_APPLICABLE);
}

static void test_all(void **state)
{
	struct tu_fx *t = *state;

	combinator_tree(t);
	assert_int_equal(eval(t, "{all: [" LEAF_PASS ", " LEAF_PASS "]}"), VG_STATUS_PASS);
	assert_int_equal(eval(t, "{all: [" LEAF_PASS ", " LEAF_FAIL "]}"), VG_STATUS_FAIL);
	assert_int_equal(eval(t, "{all: [" LEAF_FAIL ", " LEAF_PASS "]}"), VG_STATUS_FAIL);
	/* never pass when a child could not be evaluated */
	assert_int_equal(eval(t, "{all: [" LEAF_PASS ", " LEAF_ERR "]}"), VG_STATUS_ERROR);
	assert_int_equal(eval(t, "{all: [" LEAF_PASS ", " LEAF_NE "]}"), VG_STATUS_NOT_EVALUATED);
	assert_int_equal(eval(t, "{all: [" LEAF_NE ", " LEAF_ERR "]}"), VG_STATUS_ERROR);
	assert_int_equal(eval(t, "{all: [" LEAF_ERR ", " LEAF_NE "]}"), VG_STATUS_ERROR);
	/* a failure decides all: whatever the unknown child says */
	assert_int_equal(eval(t, "{all: [" LEAF_NE ", " LEAF_FAIL "]}"), VG_STATUS_FAIL);
	assert_int_equal(eval(t, "{all: [" LEAF_ERR ", " LEAF_FAIL "]}"), VG_STATUS_FAIL);
	/* not-applicable children do not count against a pass */
	assert_int_equal(eval(t, "{all: [" LEAF_PASS ", " LEAF_NA "]}"), VG_STATUS_PASS);
	assert_int_equal(eval(t, "{all: [" LEAF_NA ", " LEAF_NA "]}"), VG_STATUS_NOT_APPLICABLE);
	assert_int_equal(eval(t, "{all: [" LEAF_NA ", " LEAF_NE "]}"), VG_STATUS_NOT_EVALUATED);
	assert_int_equal(eval(t, "{all: [" LEAF_PASS "]}"), VG_STATUS_PASS);
}

static void test_all_fail_hits(void **state)
{
	struct tu_fx *t = *state;

	combinator_tree(t);
	tu_put(t->dir, "b.txt", "x");
	/* the findings of all are the failing children's */
	assert_int_equal(eval(t, "{all: [" LEAF_FAIL ", " LEAF_PASS
				 ", {file: {path: b.txt, type: directory}}]}"), VG_STATUS_FAIL);
	assert_int_equal(count_with(t->res, "t.c", VG_STATUS_FAIL), 2);
}

static void test_any(void **state)
{
	struct tu_fx *t = *state;

	combinator_tree(t);
	assert_int_equal(eval(t, "{any: [" LEAF_FAIL ", " LEAF_PASS "]}"), VG_STATUS_PASS);
	assert_int_equal(eval(t, "{any: [" LEAF_FAIL ", " LEAF_FAIL "]}"), VG_STATUS_FAIL);
	/* a pass decides any, whatever the unknown child says */
	assert_int_equal(eval(t, "{any: [" LEAF_ERR ", " LEAF_PASS "]}"), VG_STATUS_PASS);
	assert_int_equal(eval(t, "{any: [" LEAF_NE ", " LEAF_PASS "]}"), VG_STATUS_PASS);
	/* never fail (nor pass) on a guess: the unknown child might have passed */
	assert_int_equal(eval(t, "{any: [" LEAF_FAIL ", " LEAF_ERR "]}"), VG_STATUS_ERROR);
	assert_int_equal(eval(t, "{any: [" LEAF_FAIL ", " LEAF_NE "]}"), VG_STATUS_NOT_EVALUATED);
	assert_int_equal(eval(t, "{any: [" LEAF_NE ", " LEAF_ERR "]}"), VG_STATUS_ERROR);
	assert_int_equal(eval(t, "{any: [" LEAF_NA ", " LEAF_FAIL "]}"), VG_STATUS_FAIL);
	assert_int_equal(eval(t, "{any: [" LEAF_NA ", " LEAF_NA "]}"), VG_STATUS_NOT_APPLICABLE);
	assert_int_equal(eval(t, "{any: [" LEAF_NA ", " LEAF_PASS "]}"), VG_STATUS_PASS);
}

static void test_not(void **state)
{
	struct tu_fx *t = *state;

	combinator_tree(t);
	assert_int_equal(eval(t, "{not: " LEAF_PASS "}"), VG_STATUS_FAIL);
	assert_int_equal(eval(t, "{not: " LEAF_FAIL "}"), VG_STATUS_PASS);
	assert_int_equal(eval(t, "{not: " LEAF_ERR "}"), VG_STATUS_ERROR);
	assert_int_equal(eval(t, "{not: " LEAF_NE "}"), VG_STATUS_NOT_EVALUATED);
	assert_int_equal(eval(t, "{not: " LEAF_NA "}"), VG_STATUS_NOT_APPLICABLE);
	assert_int_equal(eval(t, "{not: {not: " LEAF_PASS "}}"), VG_STATUS_PASS);
	/* nesting keeps the unknowns unknown */
	assert_int_equal(eval(t, "{not: {all: [" LEAF_PASS ", " LEAF_NE "]}}"),
			 VG_STATUS_NOT_EVALUATED);
	assert_int_equal(eval(t, "{any: [{not: " LEAF_PASS "}, " LEAF_ERR "]}"), VG_STATUS_ERROR);
	assert_int_equal(eval(t, "{all: [{not: " LEAF_FAIL "}, {any: [" LEAF_FAIL ", " LEAF_PASS
				 "]}]}"), VG_STATUS_PASS);
}

static void test_not_points_at_what_matched(void **state)
{
	struct tu_fx *t = *state;
	const struct vg_finding *f;

	combinator_tree(t);
	tu_put(t->dir, "run.sh", "#!/bin/sh\nset +e\n");
	/* not require: the required match is what the rule forbids, at its line */
	assert_int_equal(eval(t, "{not: {content: {paths: ['*.sh'], require: 'set \\+e'}}}"),
			 VG_STATUS_FAIL);
	f = first_with(t->res, "t.c", VG_STATUS_FAIL);
	assert_non_null(f);
	assert_string_equal(f->loc.path, "run.sh");
	assert_int_equal(f->loc.line, 2);
	assert_non_null(strstr(f->message, "must not hold"));
}

static void test_combinator_reasons(void **state)
{
	struct tu_fx *t = *state;
	const struct vg_finding *f;

	combinator_tree(t);
	/* the reason given is the one that explains the status */
	assert_int_equal(eval(t, "{all: [" LEAF_NA ", " LEAF_NE "]}"), VG_STATUS_NOT_EVALUATED);
	f = t->res->findings.items[0];
	assert_null(strstr(f->message, "no file matched"));
	assert_non_null(strstr(f->message, "out"));
	assert_int_equal(eval(t, "{all: [" LEAF_NE ", " LEAF_ERR "]}"), VG_STATUS_ERROR);
	f = t->res->findings.items[0];
	assert_non_null(strstr(f->message, "loop"));
}

/* ---- redaction and fingerprints ---- */

static const char *secret_rules =
	"  - id: t.tok\n    title: token\n    severity: high\n    sensitive: true\n"
	"    check: {content: {forbid: 'tok_(?<secret>[a-z0-9]{16})'}}\n"
	"  - id: t.whole\n    title: whole match\n    severity: high\n    sensitive: true\n"
	"    check: {content: {forbid: 'key-[0-9]{8}'}}\n"
	"  - id: t.plain\n    title: not secret\n    severity: low\n"
	"    check: {content: {forbid: 'tok_(?<secret>[a-z0-9]{16})'}}\n";

static void test_redaction(void **state)
{
	struct tu_fx *t = *state;
	const struct vg_finding *f;
	char fp[33];

	tu_fx_load(t, secret_rules);
	tu_fx_run_buffer(t, tu_rule(t->pol, "t.tok"), "a.env", "x = tok_0123456789abcdef; y\n",
			 false);
	f = first_with(t->res, "t.tok", VG_STATUS_FAIL);
	assert_non_null(f);
	assert_true(f->redacted);
	assert_string_equal(f->evidence, "x = tok_0123****; y");
	assert_null(strstr(f->evidence, "456789abcdef"));
	/* evaluation-time fields never leave the engine */
	assert_null(f->raw_key);
	assert_int_equal(f->secret_len, 0);
	memcpy(fp, f->fingerprint, sizeof(fp));
	assert_int_equal(strlen(fp), 32);

	tu_fx_run_buffer(t, tu_rule(t->pol, "t.tok"), "a.env", "x = tok_0123456789abcdef; y\n",
			 true);
	f = first_with(t->res, "t.tok", VG_STATUS_FAIL);
	assert_false(f->redacted);
	assert_string_equal(f->evidence, "x = tok_0123456789abcdef; y");
	assert_string_equal(f->fingerprint, fp); /* showing secrets changes no fingerprint */

	/* without a secret group the whole match is the secret */
	tu_fx_run_buffer(t, tu_rule(t->pol, "t.whole"), NULL, "id key-12345678 end", false);
	f = first_with(t->res, "t.whole", VG_STATUS_FAIL);
	assert_true(f->redacted);
	assert_null(strstr(f->evidence, "12345678"));
	assert_non_null(strstr(f->evidence, "****"));
	assert_non_null(strstr(f->evidence, " end"));

	/* a rule that is not sensitive shows its evidence */
	tu_fx_run_buffer(t, tu_rule(t->pol, "t.plain"), NULL, "tok_0123456789abcdef", false);
	f = first_with(t->res, "t.plain", VG_STATUS_FAIL);
	assert_false(f->redacted);
	assert_string_equal(f->evidence, "tok_0123456789abcdef");
}

static void test_redaction_long_line(void **state)
{
	struct tu_fx *t = *state;
	const struct vg_finding *f;
	size_t n = 100000;
	char *data = malloc(n + 64);

	assert_non_null(data);
	memset(data, 'y', n);
	memcpy(data + n, " tok_0123456789abcdef zzz\n", 27);
	tu_fx_load(t, secret_rules);
	tu_fx_run_buffer(t, tu_rule(t->pol, "t.tok"), "x", data, false);
	free(data);
	f = first_with(t->res, "t.tok", VG_STATUS_FAIL);
	assert_non_null(f);
	assert_true(strlen(f->evidence) <= VG_MAX_EVIDENCE_BYTES);
	assert_non_null(strstr(f->evidence, "tok_0123****"));
	assert_null(strstr(f->evidence, "456789abcdef"));
	assert_int_equal(f->loc.col, n + 6);
}

static void test_fingerprint_stable(void **state)
{
	struct tu_fx *t = *state;
	char fp[33];

	tu_fx_load(t, secret_rules);
	tu_fx_run_buffer(t, tu_rule(t->pol, "t.tok"), "a.env", "tok_0123456789abcdef\n", false);
	memcpy(fp, first_with(t->res, "t.tok", VG_STATUS_FAIL)->fingerprint, sizeof(fp));
	tu_fx_run_buffer(t, tu_rule(t->pol, "t.tok"), "a.env",
			 "one\ntwo\n  three tok_0123456789abcdef !\n", false);
	assert_int_equal(first_with(t->res, "t.tok", VG_STATUS_FAIL)->loc.line, 3);
	assert_string_equal(first_with(t->res, "t.tok", VG_STATUS_FAIL)->fingerprint, fp);
	/* another file or another secret: another fingerprint */
	tu_fx_run_buffer(t, tu_rule(t->pol, "t.tok"), "b.env", "tok_0123456789abcdef\n", false);
	assert_string_not_equal(first_with(t->res, "t.tok", VG_STATUS_FAIL)->fingerprint, fp);
	tu_fx_run_buffer(t, tu_rule(t->pol, "t.tok"), "a.env", "tok_0123456789abcdee\n", false);
	assert_string_not_equal(first_with(t->res, "t.tok", VG_STATUS_FAIL)->fingerprint, fp);
	/* another rule on the same text */
	tu_fx_run_buffer(t, tu_rule(t->pol, "t.plain"), "a.env", "tok_0123456789abcdef\n", false);
	assert_string_not_equal(first_with(t->res, "t.plain", VG_STATUS_FAIL)->fingerprint, fp);
}

/* ---- vg_scan_run on trees ---- */

static const char *tree_rules =
	"  - id: t.pw\n    title: password\n    severity: medium\n"
	"    check: {content: {paths: ['**/*.conf'], forbid: 'password=(?<value>\\S+)'}}\n"
	"  - id: t.key\n    title: keys\n    severity: high\n"
	"    check: {file: {paths: ['*.key'], mode_max: '0600'}}\n";

static void test_run_tree_basics(void **state)
{
	struct tu_fx *t = *state;
	struct vg_scan_opts o = {.fail_on = VG_SEV_LOW};
	struct vg_error err = {0};
	const char *paths[1] = {t->dir};
	const struct vg_skip *k;
	char *p;

	tu_fx_load(t, tree_rules);
	tu_mkdir(t->dir, "sub", 0755);
	tu_put(t->dir, "sub/a.conf", "x\npassword=one\n");
	tu_putn(t->dir, "sub/b.conf", "password=two\0bin\n", 17, 0644);
	tu_put(t->dir, "sub/c.key", "k");
	tu_symlink(t->dir, "sub/l.conf", "/etc/passwd");
	p = path_in(t, "fifo.conf");
	assert_int_equal(mkfifo(p, 0644), 0);
	free(p);
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), 0);
	assert_int_equal(count_with(t->res, "t.pw", VG_STATUS_FAIL), 1);
	assert_string_equal(first_with(t->res, "t.pw", VG_STATUS_FAIL)->loc.path, "sub/a.conf");
	assert_string_equal(first_with(t->res, "t.key", VG_STATUS_FAIL)->loc.path, "sub/c.key");
	/* a.conf: c.key is no check's business and the binary is skipped */
	assert_int_equal(t->res->files_scanned, 1);
	assert_int_equal(t->res->skipped.len, 2);
	for (size_t i = 0; i < t->res->skipped.len; i++) {
		k = t->res->skipped.items[i];
		if (!strcmp(k->path, "sub/b.conf"))
			assert_string_equal(k->reason, "binary");
		else
			assert_string_equal(k->path, "fifo.conf");
	}
	assert_int_equal(vg_results_exit_code(t->res), 1);
	assert_int_equal(t->res->ntargets, 1);
	assert_string_equal(t->res->targets[0], t->dir);
	assert_non_null(t->res->root);
	/* the findings come sorted, highest severity first */
	assert_string_equal(((struct vg_finding *)t->res->findings.items[0])->rule->id, "t.key");
}

static void test_run_max_file_size(void **state)
{
	struct tu_fx *t = *state;
	struct vg_scan_opts o = {.max_file_size = 16};
	struct vg_error err = {0};
	const char *paths[1] = {t->dir};
	const struct vg_skip *k;

	tu_fx_load(t, tree_rules);
	tu_put(t->dir, "big.conf", "0123456789012345678901234567890\npassword=x\n");
	tu_put(t->dir, "small.conf", "password=y\n");
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), 0);
	assert_int_equal(count_with(t->res, "t.pw", VG_STATUS_FAIL), 1);
	assert_string_equal(first_with(t->res, "t.pw", VG_STATUS_FAIL)->loc.path, "small.conf");
	assert_int_equal(t->res->skipped.len, 1);
	k = t->res->skipped.items[0];
	assert_string_equal(k->path, "big.conf");
	assert_non_null(strstr(k->reason, "max-file-size"));
}

static void test_run_jobs_identical(void **state)
{
	struct tu_fx *t = *state;
	struct vg_scan_opts o1 = {.jobs = 1}, o8 = {.jobs = 8};
	struct vg_error err = {0};
	const char *paths[1] = {t->dir};
	char *d1, *d8;

	tu_fx_load(t, tree_rules);
	for (int d = 0; d < 5; d++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "d%d", d);
		tu_mkdir(t->dir, rel, 0755);
		for (int i = 0; i < 40; i++) {
			char content[64];

			snprintf(rel, sizeof(rel), "d%d/f%d.conf", d, i);
			snprintf(content, sizeof(content), "a\npassword=%d-%d\npassword=z\n", d, i);
			tu_putm(t->dir, rel, content, 0644);
		}
	}
	assert_int_equal(scan_paths(t, &o1, paths, 1, &err), 0);
	d1 = describe(t->res);
	assert_int_equal(count_with(t->res, "t.pw", VG_STATUS_FAIL), 400);
	assert_int_equal(scan_paths(t, &o8, paths, 1, &err), 0);
	d8 = describe(t->res);
	assert_string_equal(d1, d8);
	free(d1);
	free(d8);
}

static void test_run_scope_of_file_hits(void **state)
{
	struct tu_fx *t = *state;
	const char *excl[] = {"vendor"};
	struct vg_scan_opts o = {.exclude = excl, .nexclude = 1};
	struct vg_error err = {0};
	const char *paths[1] = {t->dir};
	char *single, *real;
	const char *one[1];

	tu_fx_load(t, tree_rules);
	tu_mkdir(t->dir, "vendor", 0755);
	tu_mkdir(t->dir, ".git", 0755);
	tu_mkdir(t->dir, "gen", 0755);
	tu_put(t->dir, "vendor/v.key", "k");
	tu_put(t->dir, ".git/g.key", "k");
	tu_put(t->dir, "gen/x.key", "k");
	tu_put(t->dir, "a.key", "k");
	tu_put(t->dir, "b.key", "k");
	tu_put(t->dir, ".vigilignore", "gen/\n");
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), 0);
	/* the file check finds its paths itself, yet honours the walk's exclusions */
	assert_int_equal(count_with(t->res, "t.key", VG_STATUS_FAIL), 2);
	for (size_t i = 0; i < t->res->findings.len; i++) {
		const struct vg_finding *f = t->res->findings.items[i];

		if (f->loc.path) {
			assert_null(strstr(f->loc.path, "vendor"));
			assert_null(strstr(f->loc.path, ".git"));
			assert_null(strstr(f->loc.path, "gen/"));
		}
	}
	/* a single file: only that file */
	single = path_in(t, "a.key");
	one[0] = single;
	o.nexclude = 0;
	assert_int_equal(scan_paths(t, &o, one, 1, &err), 0);
	assert_int_equal(count_with(t->res, "t.key", VG_STATUS_FAIL), 1);
	assert_string_equal(first_with(t->res, "t.key", VG_STATUS_FAIL)->loc.path, "a.key");
	real = realpath(t->dir, NULL);
	assert_non_null(real);
	assert_string_equal(t->res->root, real); /* the root is the file's directory */
	free(real);
	free(single);
	/* .git itself is no secret: a rule may ask for it to be absent */
	o.paths = paths;
	tu_fx_load(t, "  - id: t.nogit\n    title: no .git\n    severity: low\n"
		   "    check: {file: {path: .git, absent: true}}\n");
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), 0);
	assert_int_equal(count_with(t->res, "t.nogit", VG_STATUS_FAIL), 1);
	tu_fx_load(t, tree_rules);
	/* everything excluded: the rule passes */
	tu_put(t->dir, ".vigilignore", "*.key\n");
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), 0);
	assert_int_equal(count_with(t->res, "t.key", VG_STATUS_FAIL), 0);
	assert_int_equal(count_with(t->res, "t.key", VG_STATUS_PASS), 1);
}

static void test_run_vigilignore_fingerprint(void **state)
{
	struct tu_fx *t = *state;
	struct vg_scan_opts o = {0};
	struct vg_error err = {0};
	const char *paths[1] = {t->dir};
	char ignore[64];
	const struct vg_finding *f;

	tu_fx_load(t, tree_rules);
	tu_put(t->dir, "a.conf", "password=one\npassword=two\n");
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), 0);
	f = first_with(t->res, "t.pw", VG_STATUS_FAIL);
	assert_non_null(f);
	assert_int_equal(f->loc.line, 1);
	snprintf(ignore, sizeof(ignore), "# reviewed\n  %s  \r\n", f->fingerprint);
	tu_putm(t->dir, ".vigilignore", ignore, 0644);
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), 0);
	assert_int_equal(count_with(t->res, "t.pw", VG_STATUS_FAIL), 2);
	for (size_t i = 0; i < t->res->findings.len; i++) {
		f = t->res->findings.items[i];
		if (strcmp(f->rule->id, "t.pw"))
			continue;
		if (f->loc.line == 1) {
			assert_int_equal(f->suppression, VG_SUPPRESS_IGNORE);
			assert_non_null(f->justification);
		} else {
			assert_int_equal(f->suppression, VG_SUPPRESS_NONE);
		}
	}
	assert_int_equal(vg_results_exit_code(t->res), 1);
}

static void test_run_bad_targets(void **state)
{
	struct tu_fx *t = *state;
	struct vg_scan_opts o = {0};
	struct vg_error err = {0};
	char *missing = path_in(t, "nosuch"), *fifo = path_in(t, "fifo");
	const char *paths[1];

	tu_fx_load(t, tree_rules);
	paths[0] = missing;
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), VG_ENOTFOUND);
	assert_null(t->res);
	assert_non_null(strstr(err.msg, "nosuch"));
	assert_int_equal(mkfifo(fifo, 0644), 0);
	paths[0] = fifo;
	vg_error_clear(&err);
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), VG_EUNSUPPORTED);
	assert_null(t->res);
	assert_non_null(strstr(err.msg, "fifo"));
	paths[0] = "/dev/null";
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), VG_EUNSUPPORTED);
	o.root = missing;
	assert_true(scan_paths(t, &o, NULL, 0, &err) < 0);
	assert_null(t->res);
	free(missing);
	free(fifo);
}

static void test_run_waivers(void **state)
{
	struct tu_fx *t = *state;
	struct vg_scan_opts o = {0};
	struct vg_error err = {0};
	char *tree = path_in(t, "tree"), *wf = path_in(t, "w.yaml");
	const char *paths[1] = {tree};

	tu_fx_load(t, tree_rules);
	tu_mkdir(t->dir, "tree", 0755);
	tu_put(t->dir, "tree/a.conf", "password=x\n");
	tu_put(t->dir, "w.yaml", "waivers:\n  - rule: t.pw\n    reason: fine\n");
	o.waivers = wf;
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), 0);
	assert_int_equal(count_with(t->res, "t.pw", VG_STATUS_WAIVED), 1);
	assert_int_equal(vg_results_exit_code(t->res), 0);
	tu_putm(t->dir, "w.yaml",
		"waivers:\n  - rule: t.pw\n    reason: old\n    expires: 2001-01-01\n",
		0644);
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), 0);
	assert_int_equal(count_with(t->res, "t.pw", VG_STATUS_FAIL), 1);
	assert_int_equal(count_with(t->res, "vigil.waiver.expired", VG_STATUS_FAIL), 1);
	tu_put(t->dir, "w.yaml", "waivers:\n  - rule: t.pw\n");
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), VG_EPARSE);
	assert_null(t->res);
	assert_true(t->diags.count >= 1);
	assert_non_null(strstr(t->diags.msgs[0], "w.yaml:2:5"));
	free(tree);
	free(wf);
}

static void test_run_unreadable(void **state)
{
	struct tu_fx *t = *state;
	struct vg_scan_opts o = {0};
	struct vg_error err = {0};
	const char *paths[1] = {t->dir};
	char *p;

	if (geteuid() == 0)
		skip(); /* root reads everything; the integration tests drop privileges */
	tu_fx_load(t, tree_rules);
	tu_put(t->dir, "a.conf", "password=visible\n");
	tu_putm(t->dir, "b.conf", "password=hidden\n", 0000);
	tu_mkdir(t->dir, "closed", 0755);
	tu_put(t->dir, "closed/c.conf", "password=inside\n");
	p = path_in(t, "closed");
	assert_int_equal(chmod(p, 0000), 0);
	free(p);
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), 0);
	assert_int_equal(count_with(t->res, "vigil.scan.unreadable", VG_STATUS_ERROR), 2);
	assert_int_equal(count_with(t->res, "t.pw", VG_STATUS_FAIL), 1);
	assert_int_equal(vg_results_exit_code(t->res), 2);
}

static void test_run_root_applies(void **state)
{
	struct tu_fx *t = *state;
	struct vg_scan_opts o = {0};
	struct vg_error err = {0};

	tu_fx_load(t, "  - id: t.deb\n    title: deb\n    severity: low\n"
		   "    applies: {target: [root], os_family: [debian]}\n"
		   "    check: {file: {path: /etc/marker, exists: true}}\n"
		   "  - id: t.ssh\n    title: ssh\n    severity: low\n"
		   "    applies: {target: [root], exists: /etc/ssh/sshd_config}\n"
		   "    check: {file: {path: /etc/marker, exists: true}}\n"
		   "  - id: t.abs\n    title: abs\n    severity: low\n"
		   "    applies: {target: [root]}\n"
		   "    check: {content: {paths: [/etc/link], forbid: '^inside$'}}\n");
	tu_mkdir(t->dir, "etc", 0755);
	tu_putm(t->dir, "etc/os-release", "NAME=x\nID=\"debian\"\n", 0644);
	tu_put(t->dir, "etc/inner", "inside\n");
	tu_symlink(t->dir, "etc/link", "/etc/inner");
	o.root = t->dir;
	assert_int_equal(scan_paths(t, &o, NULL, 0, &err), 0);
	assert_int_equal(count_with(t->res, "t.deb", VG_STATUS_FAIL), 1);
	assert_int_equal(count_with(t->res, "t.ssh", VG_STATUS_NOT_APPLICABLE), 1);
	/* an absolute symlink resolves inside the root */
	assert_int_equal(count_with(t->res, "t.abs", VG_STATUS_FAIL), 1);
	assert_string_equal(first_with(t->res, "t.abs", VG_STATUS_FAIL)->loc.path, "/etc/link");
	tu_put(t->dir, "etc/os-release", "ID=fedora\n");
	assert_int_equal(scan_paths(t, &o, NULL, 0, &err), 0);
	assert_int_equal(count_with(t->res, "t.deb", VG_STATUS_NOT_APPLICABLE), 1);
	assert_null(t->res->root); /* only tree scans have a source root */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_FX_TEST(test_leaves),
		TU_FX_TEST(test_all),
		TU_FX_TEST(test_all_fail_hits),
		TU_FX_TEST(test_any),
		TU_FX_TEST(test_not),
		TU_FX_TEST(test_not_points_at_what_matched),
		TU_FX_TEST(test_combinator_reasons),
		TU_FX_TEST(test_redaction),
		TU_FX_TEST(test_redaction_long_line),
		TU_FX_TEST(test_fingerprint_stable),
		TU_FX_TEST(test_run_tree_basics),
		TU_FX_TEST(test_run_max_file_size),
		TU_FX_TEST(test_run_jobs_identical),
		TU_FX_TEST(test_run_scope_of_file_hits),
		TU_FX_TEST(test_run_vigilignore_fingerprint),
		TU_FX_TEST(test_run_bad_targets),
		TU_FX_TEST(test_run_waivers),
		TU_FX_TEST(test_run_unreadable),
		TU_FX_TEST(test_run_root_applies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
