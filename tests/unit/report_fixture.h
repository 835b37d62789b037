/* SPDX-License-Identifier: Apache-2.0 */
/* Results for the SARIF, JUnit and HTML reporter tests: every status, hostile names, many. */
#ifndef VG_TEST_REPORT_FIXTURE_H
#define VG_TEST_REPORT_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "reporter.h"

/* A file name and evidence that try to become markup, script or terminal
 * escapes in every format. */
#define HOSTILE_PATH "<img src=x onerror=alert(1)>.txt"
#define HOSTILE_EVIDENCE "x = \"</script><script>alert(1)</script>\" ]]> &amp;"
#define CTRL_PATH "ctl\x01\x1b[31mred.txt"
#define SPACE_PATH "dir with space/100% #hash?q.txt"
#define UNICODE_PATH "\xc3\xbc" "n" "\xc3\xaf" "c" "\xc3\xb8" "d" "\xc3\xa9" "/" \
	"\xd1\x84\xd0\xb0\xd0\xb9\xd0\xbb.txt"
#define BAD_UTF8_PATH "bad\xff\xfeutf8.txt"
#define BIDI_PATH "bidi\xe2\x80\xae" "txt.exe"

static inline char *fx_strdup(const char *s)
{
	char *r = strdup(s);

	assert_non_null(r);
	return r;
}

static inline char **fx_strv(size_t n, ...)
{
	char **v = calloc(n ? n : 1, sizeof(*v));
	va_list ap;

	assert_non_null(v);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		v[i] = fx_strdup(va_arg(ap, const char *));
	va_end(ap);
	return v;
}

static inline struct vg_results *fx_results(void)
{
	struct vg_results *r = vg_results_new();

	assert_non_null(r);
	r->owns_rules = true;
	r->tool_version = fx_strdup("0.1.0");
	r->started = 1700000000;
	r->finished = 1700000042;
	r->targets = fx_strv(1, ".");
	r->ntargets = 1;
	r->policies = fx_strv(1, "secrets@1.0");
	r->npolicies = 1;
	r->fail_on = VG_SEV_LOW;
	return r;
}

static inline struct vg_rule_meta *fx_rule(struct vg_results *r, const char *id,
					   enum vg_severity sev, const char *pack)
{
	struct vg_rule_meta *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	m->id = fx_strdup(id);
	m->pack = pack ? fx_strdup(pack) : NULL;
	m->title = fx_strdup(id);
	m->severity = sev;
	m->security_severity = -1.0;
	assert_int_equal(vg_vec_push(&r->rules, m), 0);
	return m;
}

static inline struct vg_finding *fx_finding(struct vg_results *r, const struct vg_rule_meta *rule,
					    enum vg_status st, const char *path, size_t line,
					    size_t col, const char *object, const char *message)
{
	struct vg_finding *f = vg_finding_new();

	assert_non_null(f);
	f->rule = rule;
	f->status = st;
	f->severity = rule ? rule->severity : VG_SEV_INFO;
	f->target = fx_strdup(".");
	f->loc.path = path ? fx_strdup(path) : NULL;
	f->loc.line = line;
	f->loc.col = col;
	f->loc.object = object ? fx_strdup(object) : NULL;
	f->message = message ? fx_strdup(message) : NULL;
	vg_finding_fingerprint(f, message, message ? strlen(message) : 0);
	assert_int_equal(vg_vec_push(&r->findings, f), 0);
	return f;
}

/* Every status and severity, suppressions of each kind, a non-file fact,
 * hostile paths, evidence, titles and pack names; two targets, a profile. */
static inline struct vg_results *fx_full(void)
{
	struct vg_results *r = fx_results();
	struct vg_rule_meta *crit, *high, *med, *low, *info, *na, *ne, *err, *hostile;
	struct vg_finding *f;

	free(r->targets[0]);
	free(r->targets);
	r->targets = fx_strv(2, ".", "host");
	r->ntargets = 2;
	r->profile = fx_strdup("default");
	r->fail_on = VG_SEV_MEDIUM;
	assert_int_equal(vg_vec_push(&r->errors, fx_strdup("target /nope: cannot open")), 0);

	crit = fx_rule(r, "secrets.aws-key", VG_SEV_CRITICAL, "secrets");
	free(crit->title);
	crit->title = fx_strdup("AWS access key");
	crit->description = fx_strdup("An AWS access key id and secret.");
	crit->rationale = fx_strdup("Keys in repositories leak.");
	crit->remediation = fx_strdup("Rotate the key.");
	crit->remediation_script = fx_strdup("aws iam delete-access-key --access-key-id \"$KEY\"\n"
					     "echo '</script>' ``` done\n");
	crit->tags = fx_strv(3, "cwe-798", "secret", "CWE-522");
	crit->ntags = 3;
	crit->references = fx_strv(2, "https://example.org/keys", "javascript:alert(1)");
	crit->nreferences = 2;
	crit->precision = fx_strdup("very-high");
	crit->sensitive = true;
	crit->source = fx_strdup("rules/secrets.yaml:12");
	high = fx_rule(r, "files.world-writable", VG_SEV_HIGH, "files");
	high->security_severity = 6.1;
	med = fx_rule(r, "sysctl.ip-forward", VG_SEV_MEDIUM, "linux");
	low = fx_rule(r, "ssh.banner", VG_SEV_LOW, "linux");
	info = fx_rule(r, "info.readme", VG_SEV_INFO, "files");
	na = fx_rule(r, "linux.only", VG_SEV_HIGH, "linux");
	ne = fx_rule(r, "linux.shadow", VG_SEV_HIGH, "linux");
	err = fx_rule(r, "files.unreadable", VG_SEV_LOW, "files");
	hostile = fx_rule(r, "hostile.rule", VG_SEV_HIGH, "pack\"><script>alert(1)</script>");
	free(hostile->title);
	hostile->title = fx_strdup("<svg onload=alert(1)> & \"quotes\"");
	hostile->description = fx_strdup("Evidence is </script> and <b>not bold</b>.");

	f = fx_finding(r, crit, VG_STATUS_FAIL, "src/config.py", 3, 7, NULL, "AWS access key");
	f->loc.end_line = 3;
	f->loc.end_col = 27;
	f->evidence = fx_strdup("aws_key = AKIA****");
	f->redacted = true;
	f = fx_finding(r, crit, VG_STATUS_FAIL, HOSTILE_PATH, 1, 1, NULL, "AWS access key");
	f->evidence = fx_strdup(HOSTILE_EVIDENCE);
	fx_finding(r, crit, VG_STATUS_FAIL, SPACE_PATH, 2, 0, NULL, "AWS access key");
	fx_finding(r, crit, VG_STATUS_FAIL, UNICODE_PATH, 4, 2, NULL, "AWS access key");
	fx_finding(r, crit, VG_STATUS_FAIL, CTRL_PATH, 5, 1, NULL, "AWS access key\x1b[2J");
	fx_finding(r, crit, VG_STATUS_FAIL, BAD_UTF8_PATH, 6, 1, NULL, "AWS access key");
	fx_finding(r, crit, VG_STATUS_FAIL, BIDI_PATH, 7, 1, NULL, "AWS access key");
	f = fx_finding(r, crit, VG_STATUS_WAIVED, "tests/fixture.py", 1, 1, NULL, "AWS access key");
	f->suppression = VG_SUPPRESS_WAIVER;
	f->justification = fx_strdup("test fixture <ok> & fine");
	f = fx_finding(r, crit, VG_STATUS_FAIL, "old/key.py", 9, 1, NULL, "AWS access key");
	f->suppression = VG_SUPPRESS_BASELINE;
	f = fx_finding(r, crit, VG_STATUS_FAIL, "inline.py", 2, 1, NULL, "AWS access key");
	f->suppression = VG_SUPPRESS_INLINE;
	f->justification = fx_strdup("vigil:allow");
	fx_finding(r, high, VG_STATUS_FAIL, "etc/passwd", 0, 0, NULL, "world-writable file");
	f = fx_finding(r, med, VG_STATUS_FAIL, NULL, 0, 0, "sysctl:net.ipv4.ip_forward",
		       "is 1, expected 0");
	free(f->target);
	f->target = fx_strdup("host");
	f = fx_finding(r, low, VG_STATUS_FAIL, "/etc/issue", 2, 0, "banner:issue",
		       "banner reveals version");
	free(f->target);
	f->target = fx_strdup("host");
	f->commit = fx_strdup("0123456789abcdef0123456789abcdef01234567");
	f->author = fx_strdup("Dev <dev@example.org>");
	fx_finding(r, info, VG_STATUS_PASS, NULL, 0, 0, NULL, NULL);
	fx_finding(r, na, VG_STATUS_NOT_APPLICABLE, NULL, 0, 0, NULL, "only on Debian");
	fx_finding(r, ne, VG_STATUS_NOT_EVALUATED, "/etc/shadow", 0, 0, NULL, "needs root");
	fx_finding(r, err, VG_STATUS_ERROR, "secret/dir", 0, 0, NULL, "permission denied");
	f = fx_finding(r, hostile, VG_STATUS_FAIL, "h.txt", 1, 1, NULL,
		       "<script>alert('m')</script>");
	f->evidence = fx_strdup("</script>");
	return r;
}

/* n failures of one rule spread over n files. */
static inline struct vg_results *fx_many(size_t n)
{
	struct vg_results *r = fx_results();
	struct vg_rule_meta *m = fx_rule(r, "many.rule", VG_SEV_MEDIUM, "many");
	char path[64];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "dir/file%zu.txt", i);
		fx_finding(r, m, VG_STATUS_FAIL, path, i % 50 + 1, 1, NULL, path);
	}
	return r;
}

/* The report in the named format, as a NUL-terminated string the caller frees. */
static inline char *fx_render(const char *format, const struct vg_results *res)
{
	const struct vg_reporter_impl *rep = vg_reporter_find(format);
	struct vg_error err = {0};
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_non_null(rep);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(rep->write(f, res, NULL, &err), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

static inline size_t fx_count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* Writing res (freed here) as format to a full disk fails with VG_EIO and a
 * message containing part. */
static inline void fx_expect_write_error(const char *format, struct vg_results *res,
					 const char *part)
{
	const struct vg_reporter_impl *rep = vg_reporter_find(format);
	struct vg_error err = {0};
	FILE *f = fopen("/dev/full", "w");

	assert_non_null(rep);
	if (!f) {
		vg_results_free(res);
		skip();
	}
	assert_int_equal(rep->write(f, res, NULL, &err), VG_EIO);
	assert_non_null(strstr(err.msg, part));
	fclose(f);
	vg_results_free(res);
}

#endif
