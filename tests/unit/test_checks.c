/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for checks/: the registry, vg_linecol, hits and evidence, and the file and content check types. */
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

#include "checks/check.h"
#include "engine/scan.h"
#include "limits.h"
#include "policy/policy.h"
#include "targets/fs.h"
#include "util.h"

/* ---- fixture: a fresh directory per test ---- */

struct tmp {
	char dir[256];
	struct vg_policy *pol;
	struct vg_results *res;
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
	snprintf(t->dir, sizeof(t->dir), "%s/vg_checks_XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;

	vg_results_free(t->res);
	vg_policy_free(t->pol);
	nftw(t->dir, chmod_dirs, 16, FTW_PHYS);
	nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

/* ---- helpers ---- */

static void put_file(const struct tmp *t, const char *rel, const char *content, mode_t mode)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", t->dir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static void put_dir(const struct tmp *t, const char *rel, mode_t mode)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", t->dir, rel);
	assert_int_equal(mkdir(path, mode), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void put_link(const struct tmp *t, const char *rel, const char *target)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", t->dir, rel);
	assert_int_equal(symlink(target, path), 0);
}

/* Loads one pack made of the given rules text (indented as list items). */
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

/* The problems a pack that must not load reports, joined by newlines. */
static char *load_errors(const char *rules)
{
	struct vg_policy *pol = NULL;
	struct vg_diags diags;
	struct vg_error err = {0};
	struct vg_buf b;
	char *text = vg_asprintf("pack: t\ntitle: T\nversion: \"1\"\nrules:\n%s", rules);
	int rc;

	assert_non_null(text);
	vg_diags_init(&diags);
	rc = vg_policy_load_string(&pol, "bad.yaml", text, strlen(text), &diags, &err);
	assert_true(rc < 0);
	assert_null(pol);
	vg_buf_init(&b, 0);
	for (size_t i = 0; i < diags.count; i++) {
		vg_buf_puts(&b, diags.msgs[i]);
		vg_buf_puts(&b, "\n");
	}
	vg_diags_finish(&diags);
	free(text);
	return vg_buf_detach(&b);
}

static const struct vg_rule *rule0(const struct vg_policy *pol)
{
	assert_true(pol->rules.len >= 1);
	return pol->rules.items[0];
}

/* Runs rule on t->dir as a target of the given kind; results in t->res. */
static void run_on_dir(struct tmp *t, const struct vg_rule *r, unsigned kind)
{
	struct vg_scan_opts o = {.jobs = 1};
	struct vg_error err = {0};
	struct vg_target tg = {.kind = kind, .label = (char *)"test", .start = (char *)""};

	vg_results_free(t->res);
	t->res = vg_results_new();
	assert_non_null(t->res);
	assert_int_equal(vg_fs_open(&tg.fs, t->dir, kind == VG_TARGET_TREE ? VG_FS_BENEATH
									  : VG_FS_IN_ROOT, &err), 0);
	assert_int_equal(vg_scan_rule_on_target(t->res, r, &tg, &o, &err), 0);
	vg_fs_free(tg.fs);
}

static void run_on_buffer(struct tmp *t, const struct vg_rule *r, const char *path,
			  const char *data)
{
	struct vg_scan_opts o = {.jobs = 1};
	struct vg_error err = {0};

	vg_results_free(t->res);
	t->res = vg_results_new();
	assert_non_null(t->res);
	assert_int_equal(vg_scan_rule_on_buffer(t->res, r, path, data, strlen(data), &o, &err), 0);
}

/* The rule's verdict: fail when any finding fails, else the one finding's status. */
static enum vg_status verdict(const struct vg_results *res)
{
	assert_true(res->findings.len >= 1);
	for (size_t i = 0; i < res->findings.len; i++)
		if (((struct vg_finding *)res->findings.items[i])->status == VG_STATUS_FAIL)
			return VG_STATUS_FAIL;
	assert_int_equal(res->findings.len, 1);
	return ((struct vg_finding *)res->findings.items[0])->status;
}

/* The failing findings as "path:line:col" lines, sorted as the engine left them. */
static char *fails(const struct vg_results *res)
{
	struct vg_buf b;

	vg_buf_init(&b, 0);
	for (size_t i = 0; i < res->findings.len; i++) {
		const struct vg_finding *f = res->findings.items[i];
		char line[600];

		if (f->status != VG_STATUS_FAIL)
			continue;
		snprintf(line, sizeof(line), "%s:%zu:%zu\n",
			 f->loc.path ? f->loc.path : (f->loc.object ? f->loc.object : "-"),
			 f->loc.line, f->loc.col);
		vg_buf_puts(&b, line);
	}
	return vg_buf_detach(&b);
}

static void assert_fails(const struct vg_results *res, const char *want)
{
	char *got = fails(res);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static const struct vg_finding *finding0(const struct vg_results *res)
{
	assert_true(res->findings.len >= 1);
	return res->findings.items[0];
}

/* ---- registry ---- */

static void test_registry(void **state)
{
	const struct vg_check_impl *const *all = vg_check_all();
	size_t n = 0;

	(void)state;
	assert_ptr_equal(vg_check_find("file"), &vg_check_file);
	assert_ptr_equal(vg_check_find("content"), &vg_check_content);
	assert_null(vg_check_find("nosuch"));
	assert_null(vg_check_find(""));
	for (; all[n]; n++) {
		assert_non_null(all[n]->name);
		assert_non_null(all[n]->summary);
		assert_non_null(all[n]->parse);
		assert_non_null(all[n]->evaluate);
		/* streaming checks come with both halves */
		assert_true(!all[n]->scan == !all[n]->wants || all[n]->scan);
		assert_ptr_equal(vg_check_find(all[n]->name), all[n]);
	}
	assert_true(n >= 2);
	assert_true(vg_check_file.offline);
	assert_true(vg_check_file.targets & VG_TARGET_ROOT);
	assert_true(vg_check_content.targets & VG_TARGET_TREE);
	assert_non_null(vg_check_content.scan);
	assert_null(vg_check_file.scan);
}

/* ---- vg_linecol ---- */

static void test_linecol(void **state)
{
	const char *d = "ab\ncd\r\nef\n\nx";
	struct vg_linecur c = {0};
	size_t line, col;

	(void)state;
	vg_linecol(d, 0, &c, &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 1);
	vg_linecol(d, 1, &c, &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 2);
	vg_linecol(d, 2, &c, &line, &col); /* the newline is the end of line 1 */
	assert_int_equal(line, 1);
	assert_int_equal(col, 3);
	vg_linecol(d, 3, &c, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 1);
	vg_linecol(d, 5, &c, &line, &col); /* the CR is part of line 2 */
	assert_int_equal(line, 2);
	assert_int_equal(col, 3);
	vg_linecol(d, 7, &c, &line, &col); /* after CRLF */
	assert_int_equal(line, 3);
	assert_int_equal(col, 1);
	vg_linecol(d, 10, &c, &line, &col); /* the empty line */
	assert_int_equal(line, 4);
	assert_int_equal(col, 1);
	vg_linecol(d, 11, &c, &line, &col);
	assert_int_equal(line, 5);
	assert_int_equal(col, 1);
	vg_linecol(d, 12, &c, &line, &col); /* one past the end */
	assert_int_equal(line, 5);
	assert_int_equal(col, 2);
	/* going backwards restarts from the beginning and is still right */
	vg_linecol(d, 4, &c, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 2);
	/* the same offset twice */
	vg_linecol(d, 4, &c, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 2);
}

static void test_linecol_fresh_cursor_each_time(void **state)
{
	const char *d = "one\ntwo\nthree\n";

	(void)state;
	for (size_t off = 0; off <= strlen(d); off++) {
		struct vg_linecur fresh = {0};
		size_t line, col, want_line = 1, bol = 0;

		for (size_t i = 0; i < off; i++)
			if (d[i] == '\n') {
				want_line++;
				bol = i + 1;
			}
		vg_linecol(d, off, &fresh, &line, &col);
		assert_int_equal(line, want_line);
		assert_int_equal(col, off - bol + 1);
	}
}

/* ---- hits and evidence ---- */

static void test_hit_new(void **state)
{
	struct vg_finding *h;

	(void)state;
	h = vg_hit_new("a/b.conf", 3, 0, NULL, "thing %d", 7);
	assert_non_null(h);
	assert_string_equal(h->loc.path, "a/b.conf");
	assert_int_equal(h->loc.line, 3);
	assert_int_equal(h->loc.col, 1); /* a line without a column starts at 1 */
	assert_null(h->loc.object);
	assert_string_equal(h->message, "thing 7");
	vg_finding_free(h);
	h = vg_hit_new(NULL, 0, 9, "sysctl:x", "m");
	assert_non_null(h);
	assert_null(h->loc.path);
	assert_int_equal(h->loc.line, 0);
	assert_int_equal(h->loc.col, 0); /* no line, no column */
	assert_string_equal(h->loc.object, "sysctl:x");
	vg_finding_free(h);
}

static void test_evidence_short(void **state)
{
	struct vg_finding *h = vg_hit_new("p", 1, 1, NULL, "m");

	(void)state;
	assert_non_null(h);
	assert_int_equal(vg_hit_evidence(h, "key = s3cret!", 13, 6, 6, NULL, 0), 0);
	assert_string_equal(h->evidence, "key = s3cret!");
	assert_int_equal(h->secret_off, 6);
	assert_int_equal(h->secret_len, 6);
	/* without an explicit key the secret is the key */
	assert_int_equal(h->raw_key_len, 6);
	assert_memory_equal(h->raw_key, "s3cret", 6);
	/* an explicit key wins; the evidence is replaced, not appended */
	assert_int_equal(vg_hit_evidence(h, "other", 5, 0, 0, "the-key", 7), 0);
	assert_string_equal(h->evidence, "other");
	assert_int_equal(h->raw_key_len, 7);
	assert_memory_equal(h->raw_key, "the-key", 7);
	assert_int_equal(h->secret_len, 0);
	/* no secret, no key: the evidence is the key */
	assert_int_equal(vg_hit_evidence(h, "whole", 5, 0, 0, NULL, 0), 0);
	assert_int_equal(h->raw_key_len, 5);
	assert_memory_equal(h->raw_key, "whole", 5);
	/* a secret span past the end is clamped */
	assert_int_equal(vg_hit_evidence(h, "abc", 3, 10, 10, NULL, 0), 0);
	assert_true(h->secret_off <= 3);
	assert_true(h->secret_off + h->secret_len <= 3);
	assert_int_equal(vg_hit_evidence(h, "abcdef", 6, 4, 10, NULL, 0), 0);
	assert_int_equal(h->secret_off, 4);
	assert_int_equal(h->secret_len, 2);
	vg_finding_free(h);
}

static void test_evidence_truncation_keeps_secret(void **state)
{
	enum { LEN = 5000, OFF = 3000, SLEN = 24 };
	char *line = malloc(LEN + 1);
	struct vg_finding *h = vg_hit_new("p", 1, 1, NULL, "m");
	size_t elen;

	(void)state;
	assert_non_null(line);
	assert_non_null(h);
	memset(line, 'x', LEN);
	line[LEN] = '\0';
	memcpy(line + OFF, "SECRET-0123456789abcdefg", SLEN);
	assert_int_equal(vg_hit_evidence(h, line, LEN, OFF, SLEN, NULL, 0), 0);
	elen = strlen(h->evidence);
	assert_true(elen <= VG_MAX_EVIDENCE_BYTES);
	assert_true(elen > SLEN);
	/* the secret is inside the kept window, where secret_off says */
	assert_true(h->secret_off + h->secret_len <= elen);
	assert_int_equal(h->secret_len, SLEN);
	assert_memory_equal(h->evidence + h->secret_off, "SECRET-0123456789abcdefg", SLEN);
	/* with some context before it */
	assert_true(h->secret_off > 0);
	assert_memory_equal(h->raw_key, "SECRET-0123456789abcdefg", SLEN);

	/* a secret near the start: the first VG_MAX_EVIDENCE_BYTES are kept */
	assert_int_equal(vg_hit_evidence(h, line, LEN, 10, 5, NULL, 0), 0);
	assert_int_equal(strlen(h->evidence), VG_MAX_EVIDENCE_BYTES);
	assert_int_equal(h->secret_off, 10);
	assert_int_equal(h->secret_len, 5);

	/* a secret longer than the window is cut to what fits, never past it */
	assert_int_equal(vg_hit_evidence(h, line, LEN, 100, 4000, NULL, 0), 0);
	elen = strlen(h->evidence);
	assert_true(elen <= VG_MAX_EVIDENCE_BYTES);
	assert_true(h->secret_off + h->secret_len <= elen);
	assert_true(h->secret_len > 0);

	/* a secret at the very end */
	assert_int_equal(vg_hit_evidence(h, line, LEN, LEN - 4, 4, NULL, 0), 0);
	elen = strlen(h->evidence);
	assert_true(elen <= VG_MAX_EVIDENCE_BYTES);
	assert_int_equal(h->secret_len, 4);
	assert_true(h->secret_off + 4 <= elen);
	assert_memory_equal(h->evidence + h->secret_off, line + LEN - 4, 4);
	vg_finding_free(h);
	free(line);
}

static void test_leaf_add_caps(void **state)
{
	struct vg_leaf_state st;

	(void)state;
	vg_leaf_state_init(&st);
	for (size_t i = 0; i < VG_MAX_FINDINGS_PER_RULE + 5; i++)
		vg_leaf_add(&st, vg_hit_new("p", i + 1, 1, NULL, "m"), false);
	assert_int_equal(st.hits.len, VG_MAX_FINDINGS_PER_RULE);
	assert_int_equal(st.dropped, 5);
	vg_leaf_add(&st, vg_hit_new("p", 1, 1, NULL, "pass"), true);
	assert_int_equal(st.passes.len, 1);
	assert_int_equal(st.dropped, 5);
	vg_leaf_error(&st, "problem %d", 42);
	assert_int_equal(st.errors.len, 1);
	assert_string_equal(st.errors.items[0], "problem 42");
	vg_leaf_state_finish(&st);
	vg_leaf_state_finish(NULL);
}

static void test_outcome(void **state)
{
	struct vg_outcome o;

	(void)state;
	vg_outcome_init(&o);
	assert_int_equal(o.status, VG_STATUS_PASS);
	assert_null(o.reason);
	vg_outcome_set(&o, VG_STATUS_ERROR, "bad %s", "thing");
	assert_int_equal(o.status, VG_STATUS_ERROR);
	assert_string_equal(o.reason, "bad thing");
	vg_outcome_set(&o, VG_STATUS_NOT_EVALUATED, "denied");
	assert_string_equal(o.reason, "denied");
	vg_outcome_finish(&o);
	vg_outcome_finish(NULL);
}

/* ---- content: parsing ---- */

static void test_content_parse_errors(void **state)
{
	char *e;

	(void)state;
	e = load_errors("  - id: t.a\n    title: A\n    severity: low\n"
			"    check: {content: {forbid: a, require: b}}\n");
	assert_non_null(strstr(e, "bad.yaml:8:"));
	assert_non_null(strstr(e, "exactly one of"));
	free(e);
	e = load_errors("  - id: t.a\n    title: A\n    severity: low\n"
			"    check: {content: {paths: [x]}}\n");
	assert_non_null(strstr(e, "exactly one of"));
	free(e);
	e = load_errors("  - id: t.a\n    title: A\n    severity: low\n"
			"    check:\n      content:\n        forbid: 'a(b'\n");
	assert_non_null(strstr(e, "bad.yaml:10:"));
	free(e);
	e = load_errors("  - id: t.a\n    title: A\n    severity: low\n"
			"    check: {content: {forbid: a, paths: []}}\n");
	assert_non_null(strstr(e, "empty"));
	free(e);
	e = load_errors("  - id: t.a\n    title: A\n    severity: low\n"
			"    check: {content: {forbid: a, pathz: [x]}}\n");
	assert_non_null(strstr(e, "pathz"));
	free(e);
	e = load_errors("  - id: t.a\n    title: A\n    severity: low\n"
			"    check: {content: {forbid: a, nocase: maybe}}\n");
	assert_non_null(strstr(e, "bad.yaml:8:"));
	free(e);
}

/* ---- content: matching ---- */

static void test_content_forbid_every_match(void **state)
{
	struct tmp *t = *state;
	const struct vg_rule *r = rule0(load_rules(t,
		"  - id: t.pw\n    title: Password\n    severity: medium\n"
		"    check: {content: {forbid: 'pw=(?<value>\\w+)'}}\n"));

	run_on_buffer(t, r, "a.conf", "x\n pw=one pw=two\n\npw=three");
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	assert_fails(t->res, "a.conf:2:5\na.conf:2:12\na.conf:4:4\n");
	/* the end of the value, exclusive */
	assert_int_equal(finding0(t->res)->loc.end_line, 2);
	assert_int_equal(finding0(t->res)->loc.end_col, 8);
	assert_string_equal(finding0(t->res)->evidence, " pw=one pw=two");
	run_on_buffer(t, r, "a.conf", "nothing to see\n");
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
}

static void test_content_require(void **state)
{
	struct tmp *t = *state;
	const struct vg_rule *r = rule0(load_rules(t,
		"  - id: t.umask\n    title: umask\n    severity: high\n"
		"    check: {content: {require: '^umask 027'}}\n"));

	run_on_buffer(t, r, "run.sh", "#!/bin/sh\necho hi\n");
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	assert_fails(t->res, "run.sh:0:0\n");
	run_on_buffer(t, r, "run.sh", "#!/bin/sh\numask 027\n");
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
	/* multiline is the default: ^ matches after a newline */
	run_on_buffer(t, r, "run.sh", "x\n\numask 027");
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
	run_on_buffer(t, r, "run.sh", "");
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
}

static void test_content_flags(void **state)
{
	struct tmp *t = *state;
	const struct vg_rule *r;

	r = rule0(load_rules(t, "  - id: t.a\n    title: A\n    severity: low\n"
				"    check: {content: {forbid: '^secret$', multiline: false}}\n"));
	run_on_buffer(t, r, NULL, "x\nsecret\n");
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
	run_on_buffer(t, r, NULL, "secret");
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	r = rule0(load_rules(t, "  - id: t.a\n    title: A\n    severity: low\n"
				"    check: {content: {forbid: 'secret', nocase: true}}\n"));
	run_on_buffer(t, r, NULL, "SeCrEt");
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	r = rule0(load_rules(t, "  - id: t.a\n    title: A\n    severity: low\n"
				"    check: {content: {forbid: 'secret'}}\n"));
	run_on_buffer(t, r, NULL, "SeCrEt");
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
	r = rule0(load_rules(t, "  - id: t.a\n    title: A\n    severity: low\n"
				"    check: {content: {forbid: 'a.b', dotall: true}}\n"));
	run_on_buffer(t, r, NULL, "a\nb");
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	r = rule0(load_rules(t, "  - id: t.a\n    title: A\n    severity: low\n"
				"    check: {content: {forbid: 'a.b'}}\n"));
	run_on_buffer(t, r, NULL, "a\nb");
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
}

static void test_content_paths_filter(void **state)
{
	struct tmp *t = *state;
	const struct vg_rule *r = rule0(load_rules(t,
		"  - id: t.a\n    title: A\n    severity: low\n"
		"    check: {content: {paths: ['*.conf', 'etc/**'], forbid: 'bad'}}\n"));

	run_on_buffer(t, r, "deep/dir/x.conf", "bad");
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	run_on_buffer(t, r, "etc/a/b/c", "bad");
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	run_on_buffer(t, r, "x.txt", "bad");
	assert_int_equal(verdict(t->res), VG_STATUS_NOT_APPLICABLE);
	assert_non_null(strstr(finding0(t->res)->message, "no file matched"));
	/* without a path the filter does not apply */
	run_on_buffer(t, r, NULL, "bad");
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
}

static void test_content_match_limit_is_error(void **state)
{
	struct tmp *t = *state;
	const struct vg_rule *r = rule0(load_rules(t,
		"  - id: t.slow\n    title: slow\n    severity: low\n"
		"    check: {content: {forbid: '(a|aa)+$'}}\n"));
	char *data = malloc(20002);

	assert_non_null(data);
	memset(data, 'a', 20000);
	data[20000] = '!';
	data[20001] = '\0';
	run_on_buffer(t, r, "x", data);
	free(data);
	assert_int_equal(verdict(t->res), VG_STATUS_ERROR);
	assert_non_null(strstr(finding0(t->res)->message, "match limit"));
}

static void test_content_per_file_cap_reported(void **state)
{
	struct tmp *t = *state;
	const struct vg_rule *r = rule0(load_rules(t,
		"  - id: t.x\n    title: x\n    severity: low\n"
		"    check: {content: {forbid: 'x'}}\n"));
	size_t n = VG_MAX_FINDINGS_PER_RULE + 10, nfail = 0, nerr = 0;
	char *data = malloc(n + 1);

	assert_non_null(data);
	memset(data, 'x', n);
	data[n] = '\0';
	run_on_buffer(t, r, "x", data);
	free(data);
	for (size_t i = 0; i < t->res->findings.len; i++) {
		const struct vg_finding *f = t->res->findings.items[i];

		nfail += f->status == VG_STATUS_FAIL;
		nerr += f->status == VG_STATUS_ERROR;
	}
	assert_int_equal(nfail, VG_MAX_FINDINGS_PER_RULE);
	/* more matches than kept: said so, not silently dropped */
	assert_int_equal(nerr, 1);
}

/* ---- file: parsing ---- */

static void test_file_parse_errors(void **state)
{
	char *e;

	(void)state;
	e = load_errors("  - id: t.a\n    title: A\n    severity: low\n"
			"    check: {file: {path: a, paths: [b], exists: true}}\n");
	assert_non_null(strstr(e, "either 'path' or 'paths'"));
	free(e);
	e = load_errors("  - id: t.a\n    title: A\n    severity: low\n"
			"    check: {file: {exists: true}}\n");
	assert_non_null(strstr(e, "needs 'path'"));
	free(e);
	e = load_errors("  - id: t.a\n    title: A\n    severity: low\n"
			"    check: {file: {path: a}}\n");
	assert_non_null(strstr(e, "something to check"));
	free(e);
	e = load_errors("  - id: t.a\n    title: A\n    severity: low\n"
			"    check: {file: {path: a, absent: true, mode_max: '0600'}}\n");
	assert_non_null(strstr(e, "absent"));
	free(e);
	e = load_errors("  - id: t.a\n    title: A\n    severity: low\n"
			"    check: {file: {path: a, type: pipe}}\n");
	assert_non_null(strstr(e, "bad.yaml:8:"));
	assert_non_null(strstr(e, "type must be"));
	free(e);
	e = load_errors("  - id: t.a\n    title: A\n    severity: low\n"
			"    check: {file: {path: a, mode_max: 'rw-r--r--'}}\n");
	assert_non_null(strstr(e, "octal"));
	free(e);
	e = load_errors("  - id: t.a\n    title: A\n    severity: low\n"
			"    check: {file: {path: a, mode_max: '0600', mode: '0600'}}\n");
	assert_non_null(strstr(e, "either 'mode_max' or 'mode'"));
	free(e);
	e = load_errors("  - id: t.a\n    title: A\n    severity: low\n"
			"    check: {file: {path: a, exists: true, absent: true}}\n");
	assert_non_null(strstr(e, "either 'exists' or 'absent'"));
	free(e);
}

/* ---- file: evaluation on a laid-out tree ---- */

static void test_file_mode(void **state)
{
	struct tmp *t = *state;
	const struct vg_rule *r;

	put_dir(t, "sub", 0755);
	put_dir(t, "sub/deep", 0755);
	put_file(t, "top.key", "k", 0600);
	put_file(t, "sub/a.key", "k", 0644);
	put_file(t, "sub/deep/b.key", "k", 0640);
	put_file(t, "sub/c.txt", "k", 0777);
	r = rule0(load_rules(t, "  - id: t.k\n    title: keys\n    severity: high\n"
				"    check: {file: {paths: ['*.key'], mode_max: '0600'}}\n"));
	run_on_dir(t, r, VG_TARGET_TREE);
	/* relative paths, at any depth, sorted by the engine's order of discovery */
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	assert_fails(t->res, "sub/a.key:0:0\nsub/deep/b.key:0:0\n");
	assert_non_null(strstr(finding0(t->res)->message, "0644"));
	r = rule0(load_rules(t, "  - id: t.k\n    title: keys\n    severity: high\n"
				"    check: {file: {paths: ['sub/*.key'], mode_max: '0600'}}\n"));
	run_on_dir(t, r, VG_TARGET_TREE);
	assert_fails(t->res, "sub/a.key:0:0\n");
	r = rule0(load_rules(t, "  - id: t.k\n    title: keys\n    severity: high\n"
				"    check: {file: {path: top.key, mode: '0600'}}\n"));
	run_on_dir(t, r, VG_TARGET_TREE);
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
	r = rule0(load_rules(t, "  - id: t.k\n    title: keys\n    severity: high\n"
				"    check: {file: {path: /sub/deep/b.key, mode: {in: ['0600', '0400']}}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_fails(t->res, "/sub/deep/b.key:0:0\n");
	/* mode_max is about permission bits only: 0640 is not within 0604 */
	r = rule0(load_rules(t, "  - id: t.k\n    title: keys\n    severity: high\n"
				"    check: {file: {path: /sub/deep/b.key, mode_max: '0604'}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	r = rule0(load_rules(t, "  - id: t.k\n    title: keys\n    severity: high\n"
				"    check: {file: {path: /sub/deep/b.key, mode_max: '0750'}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
}

static void test_file_owner_numeric_and_named(void **state)
{
	struct tmp *t = *state;
	char rules[512], passwd[256];
	const struct vg_rule *r;

	put_dir(t, "etc", 0755);
	put_file(t, "etc/app", "x", 0644);
	snprintf(rules, sizeof(rules),
		 "  - id: t.o\n    title: owner\n    severity: high\n"
		 "    check: {file: {path: /etc/app, owner: '%u', group: {in: ['%u']}}}\n",
		 (unsigned)getuid(), (unsigned)getgid());
	r = rule0(load_rules(t, rules));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
	snprintf(rules, sizeof(rules),
		 "  - id: t.o\n    title: owner\n    severity: high\n"
		 "    check: {file: {path: /etc/app, owner: '%u'}}\n", (unsigned)getuid() + 1);
	r = rule0(load_rules(t, rules));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	/* names come from the root's own /etc/passwd, not the scanning machine's */
	snprintf(passwd, sizeof(passwd), "someone:x:%u:%u::/:/bin/sh\n", (unsigned)getuid(),
		 (unsigned)getgid());
	put_file(t, "etc/passwd", passwd, 0644);
	r = rule0(load_rules(t, "  - id: t.o\n    title: owner\n    severity: high\n"
				"    check: {file: {path: /etc/app, owner: someone}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
	/* a forbidden owner is forbidden by name as by number */
	r = rule0(load_rules(t, "  - id: t.o\n    title: owner\n    severity: high\n"
				"    check: {file: {path: /etc/app, owner: {not_in: [someone]}}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	assert_non_null(strstr(finding0(t->res)->message, "someone"));
	snprintf(rules, sizeof(rules),
		 "  - id: t.o\n    title: owner\n    severity: high\n"
		 "    check: {file: {path: /etc/app, owner: {not_in: ['%u']}}}\n", (unsigned)getuid());
	r = rule0(load_rules(t, rules));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	r = rule0(load_rules(t, "  - id: t.o\n    title: owner\n    severity: high\n"
				"    check: {file: {path: /etc/app, owner: {not_in: [other, nobody]}}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
	r = rule0(load_rules(t, "  - id: t.o\n    title: owner\n    severity: high\n"
				"    check: {file: {path: /etc/app, owner: {in: [someone, x], not_in: [y]}}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
	r = rule0(load_rules(t, "  - id: t.o\n    title: owner\n    severity: high\n"
				"    check: {file: {path: /etc/app, owner: {matches: '^some'}}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
	r = rule0(load_rules(t, "  - id: t.o\n    title: owner\n    severity: high\n"
				"    check: {file: {path: /etc/app, owner: SOMEONE}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	assert_non_null(strstr(finding0(t->res)->message, "someone"));
}

static void test_file_type_and_link(void **state)
{
	struct tmp *t = *state;
	const struct vg_rule *r;

	put_dir(t, "d", 0755);
	put_file(t, "f", "x", 0644);
	put_link(t, "l", "/dev/null");
	put_link(t, "dangling", "nowhere");
	{
		char p[512];

		snprintf(p, sizeof(p), "%s/p", t->dir);
		assert_int_equal(mkfifo(p, 0644), 0);
	}
	r = rule0(load_rules(t, "  - id: t.t\n    title: types\n    severity: low\n"
				"    check:\n      all:\n"
				"        - file: {path: /d, type: directory}\n"
				"        - file: {path: /f, type: file}\n"
				"        - file: {path: /l, type: symlink}\n"
				"        - file: {path: /p, type: fifo}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
	r = rule0(load_rules(t, "  - id: t.t\n    title: types\n    severity: low\n"
				"    check: {file: {path: /l, type: file}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	assert_non_null(strstr(finding0(t->res)->message, "symlink"));
	r = rule0(load_rules(t, "  - id: t.t\n    title: link\n    severity: low\n"
				"    check: {file: {path: /l, link_target: /dev/null}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
	r = rule0(load_rules(t, "  - id: t.t\n    title: link\n    severity: low\n"
				"    check: {file: {path: /l, link_target: {matches: '^/etc/'}}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	r = rule0(load_rules(t, "  - id: t.t\n    title: link\n    severity: low\n"
				"    check: {file: {path: /f, link_target: /dev/null}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	assert_non_null(strstr(finding0(t->res)->message, "not a symlink"));
	/* mode of a dangling symlink: the target is missing, which is a failure */
	r = rule0(load_rules(t, "  - id: t.t\n    title: dangling\n    severity: low\n"
				"    check: {file: {path: /dangling, mode_max: '0644'}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	assert_non_null(strstr(finding0(t->res)->message, "dangling"));
}

static void test_file_size_exists_absent(void **state)
{
	struct tmp *t = *state;
	const struct vg_rule *r;

	put_file(t, "empty", "", 0644);
	put_file(t, "ten", "0123456789", 0644);
	r = rule0(load_rules(t, "  - id: t.s\n    title: size\n    severity: low\n"
				"    check: {file: {paths: ['/*'], size: {max: 5}}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_fails(t->res, "/ten:0:0\n");
	r = rule0(load_rules(t, "  - id: t.s\n    title: size\n    severity: low\n"
				"    check: {file: {path: /empty, size: 0}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
	r = rule0(load_rules(t, "  - id: t.e\n    title: exists\n    severity: low\n"
				"    check: {file: {path: /missing, exists: true}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	assert_string_equal(finding0(t->res)->loc.object, "file:/missing");
	r = rule0(load_rules(t, "  - id: t.e\n    title: exists\n    severity: low\n"
				"    check: {file: {paths: ['/nomatch*'], exists: true}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_FAIL);
	/* a glob matching nothing passes unless exists: true */
	r = rule0(load_rules(t, "  - id: t.e\n    title: mode\n    severity: low\n"
				"    check: {file: {paths: ['/nomatch*'], mode_max: '0600'}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
	r = rule0(load_rules(t, "  - id: t.e\n    title: exists\n    severity: low\n"
				"    check: {file: {path: /ten, exists: true}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
	r = rule0(load_rules(t, "  - id: t.a\n    title: absent\n    severity: low\n"
				"    check: {file: {paths: ['/t*', '/e*'], absent: true}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_fails(t->res, "/ten:0:0\n/empty:0:0\n"); /* in the order of the paths */
	r = rule0(load_rules(t, "  - id: t.a\n    title: absent\n    severity: low\n"
				"    check: {file: {path: /missing, absent: true}}\n"));
	run_on_dir(t, r, VG_TARGET_ROOT);
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
}

/* A tree target never looks outside its directory: a symlink out of it cannot be
 * checked (not-evaluated), and a loop is an error, never a hang. */
static void test_file_symlinks_in_tree(void **state)
{
	struct tmp *t = *state;
	const struct vg_rule *r;

	put_link(t, "out", "/etc/passwd");
	put_link(t, "loop", "loop");
	r = rule0(load_rules(t, "  - id: t.o\n    title: out\n    severity: low\n"
				"    check: {file: {path: out, mode_max: '0600'}}\n"));
	run_on_dir(t, r, VG_TARGET_TREE);
	assert_int_equal(verdict(t->res), VG_STATUS_NOT_EVALUATED);
	r = rule0(load_rules(t, "  - id: t.o\n    title: out\n    severity: low\n"
				"    check: {file: {path: out, type: symlink}}\n"));
	run_on_dir(t, r, VG_TARGET_TREE);
	assert_int_equal(verdict(t->res), VG_STATUS_PASS);
	r = rule0(load_rules(t, "  - id: t.o\n    title: loop\n    severity: low\n"
				"    check: {file: {path: loop/x, exists: true}}\n"));
	run_on_dir(t, r, VG_TARGET_TREE);
	assert_int_equal(verdict(t->res), VG_STATUS_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_linecol),
		cmocka_unit_test(test_linecol_fresh_cursor_each_time),
		cmocka_unit_test(test_hit_new),
		cmocka_unit_test(test_evidence_short),
		cmocka_unit_test(test_evidence_truncation_keeps_secret),
		cmocka_unit_test(test_leaf_add_caps),
		cmocka_unit_test(test_outcome),
		cmocka_unit_test(test_content_parse_errors),
		cmocka_unit_test_setup_teardown(test_content_forbid_every_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_content_require, setup, teardown),
		cmocka_unit_test_setup_teardown(test_content_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_content_paths_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_content_match_limit_is_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_content_per_file_cap_reported, setup, teardown),
		cmocka_unit_test(test_file_parse_errors),
		cmocka_unit_test_setup_teardown(test_file_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_owner_numeric_and_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_type_and_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_size_exists_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_symlinks_in_tree, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
