/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for engine/scan.c: combinators, redaction and fingerprints, tree scans and their scope, targets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/scan.h"
#include "limits.h"
#include "policy/policy.h"
#include "targets/fs.h"
#include "util.h"

struct tmp {
	char dir[256];
	struct vg_policy *pol;
	struct vg_results *res;
	struct vg_diags diags;
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

static int chmod_dirs(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_D || flag == FTW_DNR)
		chmod(path, 0700);
	return 0;
}

static int setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));
	const char *base = getenv("TMPDIR");

	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "%s/vg_scan_XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	vg_diags_init(&t->diags);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;

	vg_results_free(t->res);
	vg_policy_free(t->pol);
	vg_diags_finish(&t->diags);
	nftw(t->dir, chmod_dirs, 16, FTW_PHYS);
	nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

/* ---- helpers ---- */

static char *path_in(const struct tmp *t, const char *rel)
{
	char *p = vg_asprintf("%s/%s", t->dir, rel);

	assert_non_null(p);
	return p;
}

static void put_file(const struct tmp *t, const char *rel, const char *content, mode_t mode)
{
	char *path = path_in(t, rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
	free(path);
}

static void put_bytes(const struct tmp *t, const char *rel, const char *data, size_t len)
{
	char *path = path_in(t, rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	free(path);
}

static void put_dir(const struct tmp *t, const char *rel)
{
	char *path = path_in(t, rel);

	assert_int_equal(mkdir(path, 0755), 0);
	free(path);
}

static void put_link(const struct tmp *t, const char *rel, const char *target)
{
	char *path = path_in(t, rel);

	assert_int_equal(symlink(target, path), 0);
	free(path);
}

static struct vg_policy *load_rules(struct tmp *t, const char *rules)
{
	struct vg_diags diags;
	struct vg_error err = {0};
	char *text = vg_asprintf("pack: t\ntitle: T\nversion: \"1\"\nrules:\n%s", rules);
	int rc;

	assert_non_null(text);
	vg_diags_init(&diags);
	vg_policy_free(t->pol);
	t->pol = NULL;
	rc = vg_policy_load_string(&t->pol, "test.yaml", text, strlen(text), &diags, &err);
	for (size_t i = 0; rc < 0 && i < diags.count; i++)
		print_message("diag: %s\n", diags.msgs[i]);
	vg_diags_finish(&diags);
	free(text);
	assert_int_equal(rc, 0);
	return t->pol;
}

static const struct vg_rule *find_rule(const struct vg_policy *pol, const char *id)
{
	const struct vg_rule *r = vg_policy_find_rule(pol, id);

	assert_non_null(r);
	return r;
}

/* Runs one rule on t->dir as a tree (BENEATH) target. */
static void run_rule_tree(struct tmp *t, const struct vg_rule *r)
{
	struct vg_scan_opts o = {.jobs = 1};
	struct vg_error err = {0};
	struct vg_target tg = {.kind = VG_TARGET_TREE, .label = (char *)"tree",
			       .start = (char *)""};

	vg_results_free(t->res);
	t->res = vg_results_new();
	assert_non_null(t->res);
	assert_int_equal(vg_fs_open(&tg.fs, t->dir, VG_FS_BENEATH, &err), 0);
	assert_int_equal(vg_scan_rule_on_target(t->res, r, &tg, &o, &err), 0);
	vg_fs_free(tg.fs);
}

static void run_buffer(struct tmp *t, const struct vg_rule *r, const char *path,
		       const char *data, bool show)
{
	struct vg_scan_opts o = {.jobs = 1, .show_secrets = show};
	struct vg_error err = {0};

	vg_results_free(t->res);
	t->res = vg_results_new();
	assert_non_null(t->res);
	assert_int_equal(vg_scan_rule_on_buffer(t->res, r, path, data, strlen(data), &o, &err), 0);
}

/* Runs vg_scan_run over paths with the loaded policy; returns its code. */
static int scan_paths(struct tmp *t, struct vg_scan_opts *o, const char *const *paths, size_t n,
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

static enum vg_status verdict(const struct vg_results *res)
{
	assert_true(res->findings.len >= 1);
	for (size_t i = 0; i < res->findings.len; i++)
		if (((struct vg_finding *)res->findings.items[i])->status == VG_STATUS_FAIL)
			return VG_STATUS_FAIL;
	assert_int_equal(res->findings.len, 1);
	return ((struct vg_finding *)res->findings.items[0])->status;
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

static void combinator_tree(struct tmp *t)
{
	put_file(t, "ok.txt", "hello\n", 0644);
	put_link(t, "loop", "loop");
	put_link(t, "out", "/etc/passwd");
}

static enum vg_status eval(struct tmp *t, const char *check)
{
	char *rules = vg_asprintf("  - id: t.c\n    title: combinator\n    severity: low\n"
				  "    check: %s\n", check);

	assert_non_null(rules);
	run_rule_tree(t, find_rule(load_rules(t, rules), "t.c"));
	free(rules);
	return verdict(t->res);
}

static void test_leaves(void **state)
{
	struct tmp *t = *state;

	combinator_tree(t);
	assert_int_equal(eval(t, LEAF_PASS), VG_STATUS_PASS);
	assert_int_equal(eval(t, LEAF_FAIL), VG_STATUS_FAIL);
	assert_int_equal(eval(t, LEAF_ERR), VG_STATUS_ERROR);
	assert_int_equal(eval(t, LEAF_NE), VG_STATUS_NOT_EVALUATED);
	assert_int_equal(eval(t, LEAF_NA), VG_STATUS_NOT_APPLICABLE);
}

static void test_all(void **state)
{
	struct tmp *t = *state;

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
	struct tmp *t = *state;

	combinator_tree(t);
	put_file(t, "b.txt", "x", 0644);
	/* the findings of all are the failing children's */
	assert_int_equal(eval(t, "{all: [" LEAF_FAIL ", " LEAF_PASS
				 ", {file: {path: b.txt, type: directory}}]}"), VG_STATUS_FAIL);
	assert_int_equal(count_with(t->res, "t.c", VG_STATUS_FAIL), 2);
}

static void test_any(void **state)
{
	struct tmp *t = *state;

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
	struct tmp *t = *state;

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
	struct tmp *t = *state;
	const struct vg_finding *f;

	combinator_tree(t);
	put_file(t, "run.sh", "#!/bin/sh\nset +e\n", 0644);
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
	struct tmp *t = *state;
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
	struct tmp *t = *state;
	const struct vg_finding *f;
	char fp[33];

	load_rules(t, secret_rules);
	run_buffer(t, find_rule(t->pol, "t.tok"), "a.env", "x = tok_0123456789abcdef; y\n", false);
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

	run_buffer(t, find_rule(t->pol, "t.tok"), "a.env", "x = tok_0123456789abcdef; y\n", true);
	f = first_with(t->res, "t.tok", VG_STATUS_FAIL);
	assert_false(f->redacted);
	assert_string_equal(f->evidence, "x = tok_0123456789abcdef; y");
	assert_string_equal(f->fingerprint, fp); /* showing secrets changes no fingerprint */

	/* without a secret group the whole match is the secret */
	run_buffer(t, find_rule(t->pol, "t.whole"), NULL, "id key-12345678 end", false);
	f = first_with(t->res, "t.whole", VG_STATUS_FAIL);
	assert_true(f->redacted);
	assert_null(strstr(f->evidence, "12345678"));
	assert_non_null(strstr(f->evidence, "****"));
	assert_non_null(strstr(f->evidence, " end"));

	/* a rule that is not sensitive shows its evidence */
	run_buffer(t, find_rule(t->pol, "t.plain"), NULL, "tok_0123456789abcdef", false);
	f = first_with(t->res, "t.plain", VG_STATUS_FAIL);
	assert_false(f->redacted);
	assert_string_equal(f->evidence, "tok_0123456789abcdef");
}

static void test_redaction_long_line(void **state)
{
	struct tmp *t = *state;
	const struct vg_finding *f;
	size_t n = 100000;
	char *data = malloc(n + 64);

	assert_non_null(data);
	memset(data, 'y', n);
	memcpy(data + n, " tok_0123456789abcdef zzz\n", 27);
	load_rules(t, secret_rules);
	run_buffer(t, find_rule(t->pol, "t.tok"), "x", data, false);
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
	struct tmp *t = *state;
	char fp[33];

	load_rules(t, secret_rules);
	run_buffer(t, find_rule(t->pol, "t.tok"), "a.env", "tok_0123456789abcdef\n", false);
	memcpy(fp, first_with(t->res, "t.tok", VG_STATUS_FAIL)->fingerprint, sizeof(fp));
	run_buffer(t, find_rule(t->pol, "t.tok"), "a.env",
		   "one\ntwo\n  three tok_0123456789abcdef !\n", false);
	assert_int_equal(first_with(t->res, "t.tok", VG_STATUS_FAIL)->loc.line, 3);
	assert_string_equal(first_with(t->res, "t.tok", VG_STATUS_FAIL)->fingerprint, fp);
	/* another file or another secret: another fingerprint */
	run_buffer(t, find_rule(t->pol, "t.tok"), "b.env", "tok_0123456789abcdef\n", false);
	assert_string_not_equal(first_with(t->res, "t.tok", VG_STATUS_FAIL)->fingerprint, fp);
	run_buffer(t, find_rule(t->pol, "t.tok"), "a.env", "tok_0123456789abcdee\n", false);
	assert_string_not_equal(first_with(t->res, "t.tok", VG_STATUS_FAIL)->fingerprint, fp);
	/* another rule on the same text */
	run_buffer(t, find_rule(t->pol, "t.plain"), "a.env", "tok_0123456789abcdef\n", false);
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
	struct tmp *t = *state;
	struct vg_scan_opts o = {.fail_on = VG_SEV_LOW};
	struct vg_error err = {0};
	const char *paths[1] = {t->dir};
	const struct vg_skip *k;
	char *p;

	load_rules(t, tree_rules);
	put_dir(t, "sub");
	put_file(t, "sub/a.conf", "x\npassword=one\n", 0644);
	put_bytes(t, "sub/b.conf", "password=two\0bin\n", 17);
	put_file(t, "sub/c.key", "k", 0644);
	put_link(t, "sub/l.conf", "/etc/passwd");
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
	struct tmp *t = *state;
	struct vg_scan_opts o = {.max_file_size = 16};
	struct vg_error err = {0};
	const char *paths[1] = {t->dir};
	const struct vg_skip *k;

	load_rules(t, tree_rules);
	put_file(t, "big.conf", "0123456789012345678901234567890\npassword=x\n", 0644);
	put_file(t, "small.conf", "password=y\n", 0644);
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
	struct tmp *t = *state;
	struct vg_scan_opts o1 = {.jobs = 1}, o8 = {.jobs = 8};
	struct vg_error err = {0};
	const char *paths[1] = {t->dir};
	char *d1, *d8;

	load_rules(t, tree_rules);
	for (int d = 0; d < 5; d++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "d%d", d);
		put_dir(t, rel);
		for (int i = 0; i < 40; i++) {
			char content[64];

			snprintf(rel, sizeof(rel), "d%d/f%d.conf", d, i);
			snprintf(content, sizeof(content), "a\npassword=%d-%d\npassword=z\n", d, i);
			put_file(t, rel, content, 0644);
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
	struct tmp *t = *state;
	const char *excl[] = {"vendor"};
	struct vg_scan_opts o = {.exclude = excl, .nexclude = 1};
	struct vg_error err = {0};
	const char *paths[1] = {t->dir};
	char *single, *real;
	const char *one[1];

	load_rules(t, tree_rules);
	put_dir(t, "vendor");
	put_dir(t, ".git");
	put_dir(t, "gen");
	put_file(t, "vendor/v.key", "k", 0644);
	put_file(t, ".git/g.key", "k", 0644);
	put_file(t, "gen/x.key", "k", 0644);
	put_file(t, "a.key", "k", 0644);
	put_file(t, "b.key", "k", 0644);
	put_file(t, ".vigilignore", "gen/\n", 0644);
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
	load_rules(t, "  - id: t.nogit\n    title: no .git\n    severity: low\n"
		      "    check: {file: {path: .git, absent: true}}\n");
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), 0);
	assert_int_equal(count_with(t->res, "t.nogit", VG_STATUS_FAIL), 1);
	load_rules(t, tree_rules);
	/* everything excluded: the rule passes */
	put_file(t, ".vigilignore", "*.key\n", 0644);
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), 0);
	assert_int_equal(count_with(t->res, "t.key", VG_STATUS_FAIL), 0);
	assert_int_equal(count_with(t->res, "t.key", VG_STATUS_PASS), 1);
}

static void test_run_vigilignore_fingerprint(void **state)
{
	struct tmp *t = *state;
	struct vg_scan_opts o = {0};
	struct vg_error err = {0};
	const char *paths[1] = {t->dir};
	char ignore[64];
	const struct vg_finding *f;

	load_rules(t, tree_rules);
	put_file(t, "a.conf", "password=one\npassword=two\n", 0644);
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), 0);
	f = first_with(t->res, "t.pw", VG_STATUS_FAIL);
	assert_non_null(f);
	assert_int_equal(f->loc.line, 1);
	snprintf(ignore, sizeof(ignore), "# reviewed\n  %s  \r\n", f->fingerprint);
	put_file(t, ".vigilignore", ignore, 0644);
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
	struct tmp *t = *state;
	struct vg_scan_opts o = {0};
	struct vg_error err = {0};
	char *missing = path_in(t, "nosuch"), *fifo = path_in(t, "fifo");
	const char *paths[1];

	load_rules(t, tree_rules);
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
	struct tmp *t = *state;
	struct vg_scan_opts o = {0};
	struct vg_error err = {0};
	char *tree = path_in(t, "tree"), *wf = path_in(t, "w.yaml");
	const char *paths[1] = {tree};

	load_rules(t, tree_rules);
	put_dir(t, "tree");
	put_file(t, "tree/a.conf", "password=x\n", 0644);
	put_file(t, "w.yaml", "waivers:\n  - rule: t.pw\n    reason: fine\n", 0644);
	o.waivers = wf;
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), 0);
	assert_int_equal(count_with(t->res, "t.pw", VG_STATUS_WAIVED), 1);
	assert_int_equal(vg_results_exit_code(t->res), 0);
	put_file(t, "w.yaml", "waivers:\n  - rule: t.pw\n    reason: old\n    expires: 2001-01-01\n",
		 0644);
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), 0);
	assert_int_equal(count_with(t->res, "t.pw", VG_STATUS_FAIL), 1);
	assert_int_equal(count_with(t->res, "vigil.waiver.expired", VG_STATUS_FAIL), 1);
	put_file(t, "w.yaml", "waivers:\n  - rule: t.pw\n", 0644);
	assert_int_equal(scan_paths(t, &o, paths, 1, &err), VG_EPARSE);
	assert_null(t->res);
	assert_true(t->diags.count >= 1);
	assert_non_null(strstr(t->diags.msgs[0], "w.yaml:2:5"));
	free(tree);
	free(wf);
}

static void test_run_unreadable(void **state)
{
	struct tmp *t = *state;
	struct vg_scan_opts o = {0};
	struct vg_error err = {0};
	const char *paths[1] = {t->dir};
	char *p;

	if (geteuid() == 0)
		skip(); /* root reads everything; the integration tests drop privileges */
	load_rules(t, tree_rules);
	put_file(t, "a.conf", "password=visible\n", 0644);
	put_file(t, "b.conf", "password=hidden\n", 0000);
	put_dir(t, "closed");
	put_file(t, "closed/c.conf", "password=inside\n", 0644);
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
	struct tmp *t = *state;
	struct vg_scan_opts o = {0};
	struct vg_error err = {0};

	load_rules(t, "  - id: t.deb\n    title: deb\n    severity: low\n"
		      "    applies: {target: [root], os_family: [debian]}\n"
		      "    check: {file: {path: /etc/marker, exists: true}}\n"
		      "  - id: t.ssh\n    title: ssh\n    severity: low\n"
		      "    applies: {target: [root], exists: /etc/ssh/sshd_config}\n"
		      "    check: {file: {path: /etc/marker, exists: true}}\n"
		      "  - id: t.abs\n    title: abs\n    severity: low\n"
		      "    applies: {target: [root]}\n"
		      "    check: {content: {paths: [/etc/link], forbid: '^inside$'}}\n");
	put_dir(t, "etc");
	put_file(t, "etc/os-release", "NAME=x\nID=\"debian\"\n", 0644);
	put_file(t, "etc/inner", "inside\n", 0644);
	put_link(t, "etc/link", "/etc/inner");
	o.root = t->dir;
	assert_int_equal(scan_paths(t, &o, NULL, 0, &err), 0);
	assert_int_equal(count_with(t->res, "t.deb", VG_STATUS_FAIL), 1);
	assert_int_equal(count_with(t->res, "t.ssh", VG_STATUS_NOT_APPLICABLE), 1);
	/* an absolute symlink resolves inside the root */
	assert_int_equal(count_with(t->res, "t.abs", VG_STATUS_FAIL), 1);
	assert_string_equal(first_with(t->res, "t.abs", VG_STATUS_FAIL)->loc.path, "/etc/link");
	put_file(t, "etc/os-release", "ID=fedora\n", 0644);
	assert_int_equal(scan_paths(t, &o, NULL, 0, &err), 0);
	assert_int_equal(count_with(t->res, "t.deb", VG_STATUS_NOT_APPLICABLE), 1);
	assert_null(t->res->root); /* only tree scans have a source root */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_leaves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_fail_hits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_any, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_points_at_what_matched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_combinator_reasons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redaction_long_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fingerprint_stable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_tree_basics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_max_file_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_jobs_identical, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_scope_of_file_hits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_vigilignore_fingerprint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_bad_targets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_waivers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_root_applies, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
