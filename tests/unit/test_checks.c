/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for checks/: the registry, vg_linecol, hits and evidence, and the file and content check types. */
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

#include "checks/check.h"
#include "engine/scan.h"
#include "limits.h"
#include "policy/policy.h"
#include "targets/fs.h"
#include "testutil.h"
#include "util.h"

/* ---- fixture: a fresh directory per test ---- */

/* ---- helpers ---- */

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
	struct tu_fx *t = *state;
	const struct vg_rule *r = rule0(tu_fx_load(t,
		"  - id: t.pw\n    title: Password\n    severity: medium\n"
		"    check: {content: {forbid: 'pw=(?<value>\\w+)'}}\n"));

	tu_fx_run_buffer(t, r, "a.conf", "x\n pw=one pw=two\n\npw=three", false);
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	assert_fails(t->res, "a.conf:2:5\na.conf:2:12\na.conf:4:4\n");
	/* the end of the value, exclusive */
	assert_int_equal(finding0(t->res)->loc.end_line, 2);
	assert_int_equal(finding0(t->res)->loc.end_col, 8);
	assert_string_equal(finding0(t->res)->evidence, " pw=one pw=two");
	tu_fx_run_buffer(t, r, "a.conf", "nothing to see\n", false);
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
}

static void test_content_require(void **state)
{
	struct tu_fx *t = *state;
	const struct vg_rule *r = rule0(tu_fx_load(t,
		"  - id: t.umask\n    title: umask\n    severity: high\n"
		"    check: {content: {require: '^umask 027'}}\n"));

	tu_fx_run_buffer(t, r, "run.sh", "#!/bin/sh\necho hi\n", false);
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	assert_fails(t->res, "run.sh:0:0\n");
	tu_fx_run_buffer(t, r, "run.sh", "#!/bin/sh\numask 027\n", false);
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
	/* multiline is the default: ^ matches after a newline */
	tu_fx_run_buffer(t, r, "run.sh", "x\n\numask 027", false);
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
	tu_fx_run_buffer(t, r, "run.sh", "", false);
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
}

static void test_content_flags(void **state)
{
	struct tu_fx *t = *state;
	const struct vg_rule *r;

	r = rule0(tu_fx_load(t, "  - id: t.a\n    title: A\n    severity: low\n"
			     "    check: {content: {forbid: '^secret$', multiline: false}}\n"));
	tu_fx_run_buffer(t, r, NULL, "x\nsecret\n", false);
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
	tu_fx_run_buffer(t, r, NULL, "secret", false);
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	r = rule0(tu_fx_load(t, "  - id: t.a\n    title: A\n    severity: low\n"
			     "    check: {content: {forbid: 'secret', nocase: true}}\n"));
	tu_fx_run_buffer(t, r, NULL, "SeCrEt", false);
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	r = rule0(tu_fx_load(t, "  - id: t.a\n    title: A\n    severity: low\n"
			     "    check: {content: {forbid: 'secret'}}\n"));
	tu_fx_run_buffer(t, r, NULL, "SeCrEt", false);
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
	r = rule0(tu_fx_load(t, "  - id: t.a\n    title: A\n    severity: low\n"
			     "    check: {content: {forbid: 'a.b', dotall: true}}\n"));
	tu_fx_run_buffer(t, r, NULL, "a\nb", false);
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	r = rule0(tu_fx_load(t, "  - id: t.a\n    title: A\n    severity: low\n"
			     "    check: {content: {forbid: 'a.b'}}\n"));
	tu_fx_run_buffer(t, r, NULL, "a\nb", false);
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
}

static void test_content_paths_filter(void **state)
{
	struct tu_fx *t = *state;
	const struct vg_rule *r = rule0(tu_fx_load(t,
		"  - id: t.a\n    title: A\n    severity: low\n"
		"    check: {content: {paths: ['*.conf', 'etc/**'], forbid: 'bad'}}\n"));

	tu_fx_run_buffer(t, r, "deep/dir/x.conf", "bad", false);
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	tu_fx_run_buffer(t, r, "etc/a/b/c", "bad", false);
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	tu_fx_run_buffer(t, r, "x.txt", "bad", false);
	assert_int_equal(tu_verdict(t->res), VG_STATUS_NOT_APPLICABLE);
	assert_non_null(strstr(finding0(t->res)->message, "no file matched"));
	/* without a path the filter does not apply */
	tu_fx_run_buffer(t, r, NULL, "bad", false);
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
}

static void test_content_match_limit_is_error(void **state)
{
	struct tu_fx *t = *state;
	const struct vg_rule *r = rule0(tu_fx_load(t,
		"  - id: t.slow\n    title: slow\n    severity: low\n"
		"    check: {content: {forbid: '(a|aa)+$'}}\n"));
	char *data = malloc(20002);

	assert_non_null(data);
	memset(data, 'a', 20000);
	data[20000] = '!';
	data[20001] = '\0';
	tu_fx_run_buffer(t, r, "x", data, false);
	free(data);
	assert_int_equal(tu_verdict(t->res), VG_STATUS_ERROR);
	assert_non_null(strstr(finding0(t->res)->message, "match limit"));
}

static void test_content_per_file_cap_reported(void **state)
{
	struct tu_fx *t = *state;
	const struct vg_rule *r = rule0(tu_fx_load(t,
		"  - id: t.x\n    title: x\n    severity: low\n"
		"    check: {content: {forbid: 'x'}}\n"));
	size_t n = VG_MAX_FINDINGS_PER_RULE + 10, nfail = 0, nerr = 0;
	char *data = malloc(n + 1);

	assert_non_null(data);
	memset(data, 'x', n);
	data[n] = '\0';
	tu_fx_run_buffer(t, r, "x", data, false);
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
	struct tu_fx *t = *state;
	const struct vg_rule *r;

	tu_mkdir(t->dir, "sub", 0755);
	tu_mkdir(t->dir, "sub/deep", 0755);
	tu_putm(t->dir, "top.key", "k", 0600);
	tu_put(t->dir, "sub/a.key", "k");
	tu_putm(t->dir, "sub/deep/b.key", "k", 0640);
	tu_putm(t->dir, "sub/c.txt", "k", 0777);
	r = rule0(tu_fx_load(t, "  - id: t.k\n    title: keys\n    severity: high\n"
			     "    check: {file: {paths: ['*.key'], mode_max: '0600'}}\n"));
	tu_fx_run(t, r, VG_TARGET_TREE, "test");
	/* relative paths, at any depth, sorted by the engine's order of discovery */
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	assert_fails(t->res, "sub/a.key:0:0\nsub/deep/b.key:0:0\n");
	assert_non_null(strstr(finding0(t->res)->message, "0644"));
	r = rule0(tu_fx_load(t, "  - id: t.k\n    title: keys\n    severity: high\n"
			     "    check: {file: {paths: ['sub/*.key'], mode_max: '0600'}}\n"));
	tu_fx_run(t, r, VG_TARGET_TREE, "test");
	assert_fails(t->res, "sub/a.key:0:0\n");
	r = rule0(tu_fx_load(t, "  - id: t.k\n    title: keys\n    severity: high\n"
			     "    check: {file: {path: top.key, mode: '0600'}}\n"));
	tu_fx_run(t, r, VG_TARGET_TREE, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
	r = rule0(tu_fx_load(t, "  - id: t.k\n    title: keys\n    severity: high\n"
			     "    check: {file: {path: /sub/deep/b.key, mode: {in: ['0600', '0400']}}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_fails(t->res, "/sub/deep/b.key:0:0\n");
	/* mode_max is about permission bits only: 0640 is not within 0604 */
	r = rule0(tu_fx_load(t, "  - id: t.k\n    title: keys\n    severity: high\n"
			     "    check: {file: {path: /sub/deep/b.key, mode_max: '0604'}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	r = rule0(tu_fx_load(t, "  - id: t.k\n    title: keys\n    severity: high\n"
			     "    check: {file: {path: /sub/deep/b.key, mode_max: '0750'}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
}

static void test_file_owner_numeric_and_named(void **state)
{
	struct tu_fx *t = *state;
	char rules[512], passwd[256];
	const struct vg_rule *r;

	tu_mkdir(t->dir, "etc", 0755);
	tu_put(t->dir, "etc/app", "x");
	snprintf(rules, sizeof(rules),
		 "  - id: t.o\n    title: owner\n    severity: high\n"
		 "    check: {file: {path: /etc/app, owner: '%u', group: {in: ['%u']}}}\n",
		 (unsigned)getuid(), (unsigned)getgid());
	r = rule0(tu_fx_load(t, rules));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
	snprintf(rules, sizeof(rules),
		 "  - id: t.o\n    title: owner\n    severity: high\n"
		 "    check: {file: {path: /etc/app, owner: '%u'}}\n", (unsigned)getuid() + 1);
	r = rule0(tu_fx_load(t, rules));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	/* names come from the root's own /etc/passwd, not the scanning machine's */
	snprintf(passwd, sizeof(passwd), "someone:x:%u:%u::/:/bin/sh\n", (unsigned)getuid(),
		 (unsigned)getgid());
	tu_putm(t->dir, "etc/passwd", passwd, 0644);
	r = rule0(tu_fx_load(t, "  - id: t.o\n    title: owner\n    severity: high\n"
			     "    check: {file: {path: /etc/app, owner: someone}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
	/* a forbidden owner is forbidden by name as by number */
	r = rule0(tu_fx_load(t, "  - id: t.o\n    title: owner\n    severity: high\n"
			     "    check: {file: {path: /etc/app, owner: {not_in: [someone]}}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	assert_non_null(strstr(finding0(t->res)->message, "someone"));
	snprintf(rules, sizeof(rules),
		 "  - id: t.o\n    title: owner\n    severity: high\n"
		 "    check: {file: {path: /etc/app, owner: {not_in: ['%u']}}}\n", (unsigned)getuid());
	r = rule0(tu_fx_load(t, rules));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	r = rule0(tu_fx_load(t, "  - id: t.o\n    title: owner\n    severity: high\n"
			     "    check: {file: {path: /etc/app, owner: {not_in: [other, nobody]}}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
	r = rule0(tu_fx_load(t, "  - id: t.o\n    title: owner\n    severity: high\n"
			     "    check: {file: {path: /etc/app, owner: {in: [someone, x], not_in: [y]}}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
	r = rule0(tu_fx_load(t, "  - id: t.o\n    title: owner\n    severity: high\n"
			     "    check: {file: {path: /etc/app, owner: {matches: '^some'}}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
	r = rule0(tu_fx_load(t, "  - id: t.o\n    title: owner\n    severity: high\n"
			     "    check: {file: {path: /etc/app, owner: SOMEONE}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	assert_non_null(strstr(finding0(t->res)->message, "someone"));
}

static void test_file_type_and_link(void **state)
{
	struct tu_fx *t = *state;
	const struct vg_rule *r;

	tu_mkdir(t->dir, "d", 0755);
	tu_put(t->dir, "f", "x");
	tu_symlink(t->dir, "l", "/dev/null");
	tu_symlink(t->dir, "dangling", "nowhere");
	{
		char p[512];

		snprintf(p, sizeof(p), "%s/p", t->dir);
		assert_int_equal(mkfifo(p, 0644), 0);
	}
	r = rule0(tu_fx_load(t, "  - id: t.t\n    title: types\n    severity: low\n"
			     "    check:\n      all:\n"
			     "        - file: {path: /d, type: directory}\n"
			     "        - file: {path: /f, type: file}\n"
			     "        - file: {path: /l, type: symlink}\n"
			     "        - file: {path: /p, type: fifo}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
	r = rule0(tu_fx_load(t, "  - id: t.t\n    title: types\n    severity: low\n"
			     "    check: {file: {path: /l, type: file}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	assert_non_null(strstr(finding0(t->res)->message, "symlink"));
	r = rule0(tu_fx_load(t, "  - id: t.t\n    title: link\n    severity: low\n"
			     "    check: {file: {path: /l, link_target: /dev/null}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
	r = rule0(tu_fx_load(t, "  - id: t.t\n    title: link\n    severity: low\n"
			     "    check: {file: {path: /l, link_target: {matches: '^/etc/'}}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	r = rule0(tu_fx_load(t, "  - id: t.t\n    title: link\n    severity: low\n"
			     "    check: {file: {path: /f, link_target: /dev/null}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	assert_non_null(strstr(finding0(t->res)->message, "not a symlink"));
	/* mode of a dangling symlink: the target is missing, which is a failure */
	r = rule0(tu_fx_load(t, "  - id: t.t\n    title: dangling\n    severity: low\n"
			     "    check: {file: {path: /dangling, mode_max: '0644'}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	assert_non_null(strstr(finding0(t->res)->message, "dangling"));
}

static void test_file_size_exists_absent(void **state)
{
	struct tu_fx *t = *state;
	const struct vg_rule *r;

	tu_put(t->dir, "empty", "");
	tu_put(t->dir, "ten", "0123456789");
	r = rule0(tu_fx_load(t, "  - id: t.s\n    title: size\n    severity: low\n"
			     "    check: {file: {paths: ['/*'], size: {max: 5}}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_fails(t->res, "/ten:0:0\n");
	r = rule0(tu_fx_load(t, "  - id: t.s\n    title: size\n    severity: low\n"
			     "    check: {file: {path: /empty, size: 0}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
	r = rule0(tu_fx_load(t, "  - id: t.e\n    title: exists\n    severity: low\n"
			     "    check: {file: {path: /missing, exists: true}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	assert_string_equal(finding0(t->res)->loc.object, "file:/missing");
	r = rule0(tu_fx_load(t, "  - id: t.e\n    title: exists\n    severity: low\n"
			     "    check: {file: {paths: ['/nomatch*'], exists: true}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_FAIL);
	/* a glob matching nothing passes unless exists: true */
	r = rule0(tu_fx_load(t, "  - id: t.e\n    title: mode\n    severity: low\n"
			     "    check: {file: {paths: ['/nomatch*'], mode_max: '0600'}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
	r = rule0(tu_fx_load(t, "  - id: t.e\n    title: exists\n    severity: low\n"
			     "    check: {file: {path: /ten, exists: true}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
	r = rule0(tu_fx_load(t, "  - id: t.a\n    title: absent\n    severity: low\n"
			     "    check: {file: {paths: ['/t*', '/e*'], absent: true}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_fails(t->res, "/ten:0:0\n/empty:0:0\n"); /* in the order of the paths */
	r = rule0(tu_fx_load(t, "  - id: t.a\n    title: absent\n    severity: low\n"
			     "    check: {file: {path: /missing, absent: true}}\n"));
	tu_fx_run(t, r, VG_TARGET_ROOT, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
}

/* A tree target never looks outside its directory: a symlink out of it cannot be
 * checked (not-evaluated), and a loop is an error, never a hang. */
static void test_file_symlinks_in_tree(void **state)
{
	struct tu_fx *t = *state;
	const struct vg_rule *r;

	tu_symlink(t->dir, "out", "/etc/passwd");
	tu_symlink(t->dir, "loop", "loop");
	r = rule0(tu_fx_load(t, "  - id: t.o\n    title: out\n    severity: low\n"
			     "    check: {file: {path: out, mode_max: '0600'}}\n"));
	tu_fx_run(t, r, VG_TARGET_TREE, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_NOT_EVALUATED);
	r = rule0(tu_fx_load(t, "  - id: t.o\n    title: out\n    severity: low\n"
			     "    check: {file: {path: out, type: symlink}}\n"));
	tu_fx_run(t, r, VG_TARGET_TREE, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_PASS);
	r = rule0(tu_fx_load(t, "  - id: t.o\n    title: loop\n    severity: low\n"
			     "    check: {file: {path: loop/x, exists: true}}\n"));
	tu_fx_run(t, r, VG_TARGET_TREE, "test");
	assert_int_equal(tu_verdict(t->res), VG_STATUS_ERROR);
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
		TU_FX_TEST(test_content_forbid_every_match),
		TU_FX_TEST(test_content_require),
		TU_FX_TEST(test_content_flags),
		TU_FX_TEST(test_content_paths_filter),
		TU_FX_TEST(test_content_match_limit_is_error),
		TU_FX_TEST(test_content_per_file_cap_reported),
		cmocka_unit_test(test_file_parse_errors),
		TU_FX_TEST(test_file_mode),
		TU_FX_TEST(test_file_owner_numeric_and_named),
		TU_FX_TEST(test_file_type_and_link),
		TU_FX_TEST(test_file_size_exists_absent),
		TU_FX_TEST(test_file_symlinks_in_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
