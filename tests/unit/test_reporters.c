/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for the reporter registry, the text and JSON reporters and reading saved JSON back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "error.h"
#include "limits.h"
#include "report_fixture.h"
#include "reporter.h"
#include "testutil.h"

/* A scan's results plus a private directory for the files a test writes. */
struct fx {
	char dir[256];
	struct vg_results *res;
	char path[512];
};

static struct vg_rule_meta *add_rule(struct vg_results *r, const char *id,
				     enum vg_severity sev)
{
	struct vg_rule_meta *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	m->id = fx_strdup(id);
	m->severity = sev;
	m->security_severity = -1.0;
	assert_int_equal(vg_vec_push(&r->rules, m), 0);
	return m;
}

static void add_skip(struct vg_results *r, const char *path, const char *reason)
{
	struct vg_skip *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->path = fx_strdup(path);
	s->reason = reason ? fx_strdup(reason) : NULL;
	assert_int_equal(vg_vec_push(&r->skipped, s), 0);
}

/* Every status, every severity, suppressed and non-file findings. */
static struct vg_results *build_full(void)
{
	struct vg_results *r = vg_results_new();
	struct vg_rule_meta *crit, *high, *med, *low, *info;
	struct vg_finding *f;

	assert_non_null(r);
	r->owns_rules = true;
	r->tool_version = fx_strdup("0.1.0");
	r->started = 1700000000;
	r->finished = 1700000042;
	r->targets = fx_strv(2, ".", "host");
	r->ntargets = 2;
	r->profile = fx_strdup("default");
	r->policies = fx_strv(2, "secrets@1.0", "files@1.2");
	r->npolicies = 2;
	r->root = fx_strdup("/srv/tree");
	r->files_scanned = 140;
	r->bytes_scanned = 123456789;
	r->fail_on = VG_SEV_MEDIUM;

	crit = add_rule(r, "secrets.aws-key", VG_SEV_CRITICAL);
	crit->pack = fx_strdup("secrets");
	crit->title = fx_strdup("AWS access key");
	crit->description = fx_strdup("An AWS access key id and secret.");
	crit->rationale = fx_strdup("Keys in repositories leak.");
	crit->remediation = fx_strdup("Rotate the key.");
	crit->remediation_script =
		fx_strdup("aws iam delete-access-key --access-key-id \"$KEY\"\n");
	crit->tags = fx_strv(2, "cwe-798", "secret");
	crit->ntags = 2;
	crit->references = fx_strv(1, "https://example.org/keys");
	crit->nreferences = 1;
	crit->security_severity = 9.5;
	crit->precision = fx_strdup("high");
	crit->sensitive = true;
	crit->source = fx_strdup("rules/secrets.yaml:12");
	high = add_rule(r, "files.world-writable", VG_SEV_HIGH);
	high->title = fx_strdup("No world-writable files");
	high->security_severity = 6.1;
	med = add_rule(r, "sysctl.ip-forward", VG_SEV_MEDIUM);
	low = add_rule(r, "ssh.banner", VG_SEV_LOW);
	info = add_rule(r, "info.readme", VG_SEV_INFO);

	f = fx_finding(r, crit, VG_STATUS_FAIL, "src/config.py", 3, 7, NULL, "AWS access key");
	f->loc.end_line = 3;
	f->loc.end_col = 27;
	f->evidence = fx_strdup("aws_key = AKIA****");
	f->redacted = true;
	fx_finding(r, high, VG_STATUS_FAIL, "etc/passwd", 1, 1, NULL, "world-writable file");
	f = fx_finding(r, med, VG_STATUS_FAIL, NULL, 0, 0, "sysctl:net.ipv4.ip_forward",
			"is 1, expected 0");
	free(f->target);
	f->target = fx_strdup("host");
	f = fx_finding(r, low, VG_STATUS_FAIL, "etc/issue", 2, 0, NULL, "banner reveals version");
	f->commit = fx_strdup("0123456789abcdef0123456789abcdef01234567");
	f->author = fx_strdup("Dev <dev@example.org>");
	f->date = fx_strdup("2024-01-02T03:04:05Z");
	fx_finding(r, info, VG_STATUS_FAIL, "README", 0, 0, NULL, "no security contact");
	f = fx_finding(r, crit, VG_STATUS_WAIVED, "tests/fixture.py", 1, 1, NULL, "test key");
	f->suppression = VG_SUPPRESS_WAIVER;
	f->justification = fx_strdup("test fixture");
	f = fx_finding(r, high, VG_STATUS_FAIL, "var/old", 4, 2, NULL, "world-writable file");
	f->suppression = VG_SUPPRESS_BASELINE;
	fx_finding(r, med, VG_STATUS_ERROR, "broken.yaml", 0, 0, NULL, "cannot parse");
	fx_finding(r, low, VG_STATUS_NOT_EVALUATED, NULL, 0, 0, "service:sshd", "needs root");
	fx_finding(r, info, VG_STATUS_PASS, NULL, 0, 0, NULL, "ok");
	fx_finding(r, high, VG_STATUS_NOT_APPLICABLE, NULL, 0, 0, NULL, "not debian");

	add_skip(r, "big.iso", "larger than --max-file-size (12 MiB > 10 MiB)");
	add_skip(r, "fifo", "fifo");
	assert_int_equal(vg_vec_push(&r->errors, fx_strdup("target /nope: cannot open")), 0);
	vg_results_sort(r);
	return r;
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx || tu_mkdtemp(fx->dir, sizeof(fx->dir)) < 0) {
		free(fx);
		return -1;
	}
	fx->res = build_full();
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	tu_rmtree(fx->dir);
	vg_results_free(fx->res);
	free(fx);
	return 0;
}

static const char *fx_path(struct fx *fx, const char *name)
{
	snprintf(fx->path, sizeof(fx->path), "%s/%s", fx->dir, name);
	return fx->path;
}

/* The reporter's output as a string (caller frees). */
static char *render(const struct vg_reporter_impl *rep, const struct vg_results *res,
		    const struct vg_report_opts *opts)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct vg_error err = { 0 };

	assert_non_null(f);
	assert_int_equal(rep->write(f, res, opts, &err), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(strlen(buf), len);
	return buf;
}

/* Whether text has this exact line. */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

static const char *line_pos(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return p;
	return NULL;
}

static const char *last_line(const char *text)
{
	size_t n = strlen(text);

	assert_true(n > 1 && text[n - 1] == '\n');
	for (size_t i = n - 1; i > 0; i--)
		if (text[i - 1] == '\n')
			return text + i;
	return text;
}

static void save_json(const char *path, const struct vg_results *res)
{
	FILE *f = fopen(path, "wb");
	struct vg_error err = { 0 };

	assert_non_null(f);
	assert_int_equal(vg_reporter_json.write(f, res, NULL, &err), 0);
	assert_int_equal(fclose(f), 0);
}

/* ---- registry ---- */

static void test_registry(void **state)
{
	const struct vg_reporter_impl *const *all = vg_reporter_all();
	size_t n = 0;

	assert_ptr_equal(vg_reporter_find("text"), &vg_reporter_text);
	assert_ptr_equal(vg_reporter_find("json"), &vg_reporter_json);
	assert_null(vg_reporter_find("JSON"));
	assert_null(vg_reporter_find("nope"));
	assert_null(vg_reporter_find(""));
	assert_null(vg_reporter_find(NULL));
	for (; all[n]; n++) {
		assert_non_null(all[n]->name);
		assert_non_null(all[n]->extension);
		assert_non_null(all[n]->write);
		assert_ptr_equal(vg_reporter_find(all[n]->name), all[n]);
	}
	assert_true(n >= 2);
}

/* ---- text ---- */

static void test_text_empty(void **state)
{
	struct vg_results *r = vg_results_new();
	struct vg_report_opts opts = { 0 };
	char *out;

	out = render(&vg_reporter_text, r, &opts);
	assert_string_equal(out, "vigil: 0 failed, 0 passed, 0 waived, 0 errors, 0 not evaluated; "
				 "0 files scanned, 0 skipped\n");
	free(out);
	opts.verbose = 2;
	out = render(&vg_reporter_text, r, NULL); /* no options: the defaults */
	assert_string_equal(out, "vigil: 0 failed, 0 passed, 0 waived, 0 errors, 0 not evaluated; "
				 "0 files scanned, 0 skipped\n");
	free(out);
	vg_results_free(r);
}

static const char full_summary[] =
	"vigil: 5 failed (1 critical, 1 high, 1 medium, 1 low, 1 info), 1 passed, 1 waived, "
	"1 suppressed, 2 errors, 1 not evaluated; 140 files scanned, 2 skipped";

static void test_text_full(void **state)
{
	struct fx *fx = *state;
	struct vg_report_opts opts = { 0 };
	char *out = render(&vg_reporter_text, fx->res, &opts);
	const char *crit, *high, *med, *low, *info;

	crit = line_pos(out, "CRITICAL secrets.aws-key  src/config.py:3:7  AWS access key");
	high = line_pos(out, "HIGH files.world-writable  etc/passwd:1:1  world-writable file");
	med = line_pos(out, "MEDIUM sysctl.ip-forward  sysctl:net.ipv4.ip_forward  "
			    "is 1, expected 0");
	low = line_pos(out, "LOW ssh.banner  etc/issue:2  banner reveals version");
	info = line_pos(out, "INFO info.readme  README  no security contact");
	assert_non_null(crit);
	assert_non_null(high);
	assert_non_null(med);
	assert_non_null(low);
	assert_non_null(info);
	assert_true(crit < high && high < med && med < low && low < info);
	/* evidence right under its finding */
	assert_true(strncmp(strchr(crit, '\n') + 1, "    evidence: aws_key = AKIA****\n", 33) == 0);
	assert_true(has_line(out, "    commit 0123456789abcdef0123456789abcdef01234567 by "
				  "Dev <dev@example.org> on 2024-01-02T03:04:05Z"));
	/* suppressed ones are not failures */
	assert_true(has_line(out, "Waived or suppressed:"));
	assert_true(has_line(out, "  secrets.aws-key  tests/fixture.py:1:1  "
				  "(waiver: test fixture)"));
	assert_true(has_line(out, "  files.world-writable  var/old:4:2  (baseline)"));
	assert_null(strstr(out, "HIGH files.world-writable  var/old"));
	assert_true(has_line(out, "Errors:"));
	assert_true(has_line(out, "  sysctl.ip-forward  broken.yaml  cannot parse"));
	assert_true(has_line(out, "  target /nope: cannot open"));
	assert_true(has_line(out, "Not evaluated:"));
	assert_true(has_line(out, "  ssh.banner  service:sshd  needs root"));
	/* passes, not-applicable and skipped files only when verbose */
	assert_null(strstr(out, "Passed:"));
	assert_null(strstr(out, "not debian"));
	assert_null(strstr(out, "big.iso"));
	assert_null(strchr(out, '\033'));
	assert_int_equal(strncmp(last_line(out), full_summary, sizeof(full_summary) - 1), 0);
	assert_string_equal(last_line(out) + sizeof(full_summary) - 1, "\n");
	free(out);
}

static void test_text_verbose(void **state)
{
	struct fx *fx = *state;
	struct vg_report_opts opts = { .verbose = 1 };
	char *out = render(&vg_reporter_text, fx->res, &opts);

	assert_true(has_line(out, "Passed:"));
	assert_true(has_line(out, "  info.readme  ok"));
	assert_true(has_line(out, "Not applicable:"));
	assert_true(has_line(out, "  files.world-writable  not debian"));
	assert_true(has_line(out, "Skipped:"));
	assert_true(has_line(out, "  big.iso: larger than --max-file-size (12 MiB > 10 MiB)"));
	assert_true(has_line(out, "  fifo: fifo"));
	assert_int_equal(strncmp(last_line(out), full_summary, sizeof(full_summary) - 1), 0);
	free(out);
}

static void test_text_quiet(void **state)
{
	struct fx *fx = *state;
	struct vg_report_opts opts = { .quiet = true, .verbose = 3 };
	char *out = render(&vg_reporter_text, fx->res, &opts);
	char want[sizeof(full_summary) + 1];

	snprintf(want, sizeof(want), "%s\n", full_summary);
	assert_string_equal(out, want);
	free(out);
}

static void test_text_color(void **state)
{
	struct fx *fx = *state;
	struct vg_report_opts opts = { .color = true };
	char *out = render(&vg_reporter_text, fx->res, &opts);

	assert_non_null(strstr(out, "\033[1;31mCRITICAL\033[0m secrets.aws-key  "
				    "src/config.py:3:7"));
	assert_non_null(strstr(out, "\033[31mHIGH\033[0m files.world-writable"));
	free(out);
}

/* An error stays an error even when a baseline matched it: it still fails the scan. */
static void test_text_suppressed_error(void **state)
{
	struct vg_results *r = vg_results_new();
	struct vg_rule_meta *m = add_rule(r, "files.mode", VG_SEV_LOW);
	struct vg_finding *f;
	char *out;

	r->owns_rules = true;
	f = fx_finding(r, m, VG_STATUS_ERROR, "etc/shadow", 0, 0, NULL, "permission denied");
	f->suppression = VG_SUPPRESS_BASELINE;
	out = render(&vg_reporter_text, r, NULL);
	assert_true(has_line(out, "Errors:"));
	assert_true(has_line(out, "  files.mode  etc/shadow  permission denied"));
	assert_null(strstr(out, "suppressed"));
	assert_non_null(strstr(last_line(out), ", 1 error, "));
	assert_int_equal(vg_results_exit_code(r), 2);
	free(out);
	vg_results_free(r);
}

/* A file name and evidence that try to forge report lines and terminal sequences. */
static void test_text_hostile(void **state)
{
	struct vg_results *r = vg_results_new();
	struct vg_rule_meta *m = add_rule(r, "secrets.generic", VG_SEV_HIGH);
	struct vg_report_opts opts = { .verbose = 1 };
	struct vg_finding *f;
	char *out;
	size_t lines = 0;

	r->owns_rules = true;
	f = fx_finding(r, m, VG_STATUS_FAIL,
			"evil\n\033[2J\033[31mCRITICAL fake.rule  x:1:1  "
			"forged\xff\xe2\x80\xae<script>",
			5, 1, NULL, "bell\a and \xc2\x9b" "31m C1");
	f->evidence = fx_strdup("line1\r\nline2\x7f\033]0;title\a");
	add_skip(r, "dir/\033[Kname\n", "binary\r");
	assert_int_equal(vg_vec_push(&r->errors, fx_strdup("oops\nCRITICAL forged error")), 0);
	out = render(&vg_reporter_text, r, &opts);
	for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
		assert_false(*p < 0x20 && *p != '\n');
		assert_false(*p == 0x7f);
		assert_false(*p == 0xc2 && p[1] == 0x9b);
		lines += *p == '\n';
	}
	assert_false(has_line(out, "CRITICAL fake.rule  x:1:1  forged"));
	assert_false(has_line(out, "CRITICAL forged error"));
	assert_true(has_line(out, "HIGH secrets.generic  evil\\x0a\\x1b[2J\\x1b[31mCRITICAL "
				  "fake.rule  x:1:1  forged\\xff\\xe2\\x80\\xae<script>:5:1  "
				  "bell\\x07 and \\xc2\\x9b31m C1"));
	assert_true(has_line(out, "    evidence: line1\\x0d\\x0aline2\\x7f\\x1b]0;title\\x07"));
	assert_true(has_line(out, "  dir/\\x1b[Kname\\x0a: binary\\x0d"));
	assert_true(has_line(out, "  oops CRITICAL forged error") ||
		    has_line(out, "  oops\\x0aCRITICAL forged error"));
	/* finding, evidence, blank, Errors:, error, blank, Skipped:, skip, blank, summary */
	assert_int_equal(lines, 10);
	free(out);
	vg_results_free(r);
}

static void test_text_write_error(void **state)
{
	struct fx *fx = *state;
	struct vg_error err = { 0 };
	FILE *f = fopen("/dev/full", "w");

	if (!f)
		skip();
	assert_int_equal(vg_reporter_text.write(f, fx->res, NULL, &err), VG_EIO);
	assert_int_equal(err.code, VG_EIO);
	assert_non_null(strstr(err.msg, "text report"));
	fclose(f);
	vg_error_clear(&err);
	f = fopen("/dev/full", "w");
	assert_non_null(f);
	assert_int_equal(vg_reporter_json.write(f, fx->res, NULL, &err), VG_EIO);
	assert_non_null(strstr(err.msg, "JSON report"));
	fclose(f);
}

/* ---- json ---- */

static void assert_no_nulls(json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;

	assert_false(json_is_null(j));
	if (json_is_object(j)) {
		json_object_foreach(j, key, v)
			assert_no_nulls(v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			assert_no_nulls(v);
	}
}

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &e);

	if (!j)
		fail_msg("output is not JSON: %s at %d:%d", e.text, e.line, e.column);
	return j;
}

static const char *sget(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_string(v));
	return json_string_value(v);
}

static json_int_t iget(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void test_json_document(void **state)
{
	struct fx *fx = *state;
	char *out = render(&vg_reporter_json, fx->res, NULL);
	json_t *j = parse(out), *scan, *summary, *rules, *rule, *findings, *f, *loc;
	size_t n = strlen(out);

	assert_int_equal(strncmp(out, "{\n  \"schema\": \"vigil-results\",\n"
				      "  \"schema_version\": \"1.0\",\n", 58), 0);
	assert_string_equal(out + n - 2, "}\n");
	assert_no_nulls(j);
	assert_string_equal(sget(json_object_get(j, "tool"), "name"), "vigil");
	assert_string_equal(sget(json_object_get(j, "tool"), "version"), "0.1.0");

	scan = json_object_get(j, "scan");
	assert_string_equal(sget(scan, "started"), "2023-11-14T22:13:20Z");
	assert_string_equal(sget(scan, "finished"), "2023-11-14T22:14:02Z");
	assert_string_equal(sget(scan, "fail_on"), "medium");
	assert_string_equal(sget(scan, "profile"), "default");
	assert_string_equal(sget(scan, "root"), "/srv/tree");
	assert_int_equal(iget(scan, "files_scanned"), 140);
	assert_int_equal(iget(scan, "bytes_scanned"), 123456789);
	assert_int_equal(json_array_size(json_object_get(scan, "targets")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(scan, "policies"), 1)),
			    "files@1.2");

	summary = json_object_get(j, "summary");
	assert_int_equal(iget(summary, "total"), 11);
	assert_int_equal(iget(summary, "exit_code"), 2);
	assert_int_equal(iget(summary, "suppressed"), 2);
	assert_int_equal(iget(summary, "scan_errors"), 1);
	assert_int_equal(iget(json_object_get(summary, "by_status"), "fail"), 6);
	assert_int_equal(iget(json_object_get(summary, "by_status"), "not-applicable"), 1);
	assert_int_equal(iget(json_object_get(summary, "failed_by_severity"), "critical"), 1);
	assert_int_equal(iget(json_object_get(summary, "failed_by_severity"), "high"), 1);

	rules = json_object_get(j, "rules");
	assert_int_equal(json_array_size(rules), 5);
	rule = json_array_get(rules, 0);
	assert_int_equal(json_object_size(rule), 14); /* every member of vg_rule_meta */
	assert_string_equal(sget(rule, "id"), "secrets.aws-key");
	assert_string_equal(sget(rule, "remediation_script"),
			    "aws iam delete-access-key --access-key-id \"$KEY\"\n");
	assert_string_equal(json_string_value(json_array_get(json_object_get(rule, "tags"), 1)),
			    "secret");
	assert_true(json_real_value(json_object_get(rule, "security_severity")) == 9.5);
	assert_true(json_is_true(json_object_get(rule, "sensitive")));
	assert_non_null(strstr(out, "\"security_severity\": 6.1,")); /* not 6.0999999999999996 */
	rule = json_array_get(rules, 2);
	assert_string_equal(sget(rule, "id"), "sysctl.ip-forward");
	assert_null(json_object_get(rule, "security_severity"));
	assert_null(json_object_get(rule, "precision"));
	assert_true(json_is_array(json_object_get(rule, "tags")));
	assert_int_equal(json_array_size(json_object_get(rule, "references")), 0);

	findings = json_object_get(j, "findings");
	assert_int_equal(json_array_size(findings), 11);
	f = json_array_get(findings, 0); /* sorted: the critical failure first */
	assert_string_equal(sget(f, "rule"), "secrets.aws-key");
	assert_string_equal(sget(f, "status"), "fail");
	assert_string_equal(sget(f, "severity"), "critical");
	assert_string_equal(sget(f, "evidence"), "aws_key = AKIA****");
	assert_true(json_is_true(json_object_get(f, "redacted")));
	assert_string_equal(sget(f, "suppression"), "none");
	assert_int_equal(strlen(sget(f, "fingerprint")), 32);
	loc = json_object_get(f, "location");
	assert_string_equal(sget(loc, "path"), "src/config.py");
	assert_int_equal(iget(loc, "line"), 3);
	assert_int_equal(iget(loc, "col"), 7);
	assert_int_equal(iget(loc, "end_line"), 3);
	assert_int_equal(iget(loc, "end_col"), 27);
	assert_null(json_object_get(loc, "object"));
	assert_null(json_object_get(f, "commit"));

	for (size_t i = 0; i < json_array_size(findings); i++) {
		f = json_array_get(findings, i);
		loc = json_object_get(f, "location");
		assert_true(json_is_object(loc));
		if (strcmp(sget(f, "message"), "is 1, expected 0") == 0) {
			assert_string_equal(sget(loc, "object"), "sysctl:net.ipv4.ip_forward");
			assert_null(json_object_get(loc, "path"));
			assert_null(json_object_get(loc, "line"));
			assert_string_equal(sget(f, "target"), "host");
		}
		if (strcmp(sget(f, "message"), "ok") == 0)
			assert_int_equal(json_object_size(loc), 0);
		if (strcmp(sget(f, "status"), "waived") == 0) {
			assert_string_equal(sget(f, "suppression"), "waiver");
			assert_string_equal(sget(f, "justification"), "test fixture");
		}
	}
	assert_int_equal(json_array_size(json_object_get(j, "skipped")), 2);
	assert_string_equal(sget(json_array_get(json_object_get(j, "skipped"), 1), "reason"),
			    "fifo");
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "errors"), 0)),
			    "target /nope: cannot open");
	json_decref(j);
	free(out);
}

static void test_json_empty(void **state)
{
	struct vg_results *r = vg_results_new();
	char *out;
	json_t *j, *scan;

	r->fail_on_none = true;
	out = render(&vg_reporter_json, r, NULL);
	j = parse(out);
	assert_no_nulls(j);
	assert_true(json_is_array(json_object_get(j, "rules")));
	assert_int_equal(json_array_size(json_object_get(j, "findings")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "skipped")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "errors")), 0);
	scan = json_object_get(j, "scan");
	assert_string_equal(sget(scan, "fail_on"), "none");
	assert_true(json_is_array(json_object_get(scan, "targets")));
	assert_null(json_object_get(scan, "profile"));
	assert_null(json_object_get(scan, "root"));
	assert_string_equal(sget(scan, "started"), "1970-01-01T00:00:00Z");
	assert_int_equal(iget(json_object_get(j, "summary"), "exit_code"), 0);
	json_decref(j);
	free(out);
	vg_results_free(r);
}

/* Paths are bytes: invalid UTF-8 must not make the report fail. */
static void test_json_invalid_utf8(void **state)
{
	struct vg_results *r = vg_results_new();
	struct vg_rule_meta *m = add_rule(r, "secrets.generic", VG_SEV_HIGH);
	struct vg_finding *f;
	char *out;
	json_t *j, *jf;

	r->owns_rules = true;
	f = fx_finding(r, m, VG_STATUS_FAIL, "bad\xff" "name\xc3(\xe2\x82\xac.txt", 1, 1, NULL,
			"evil\n\033[31m <script>alert(1)</script>");
	f->evidence = fx_strdup("\xed\xa0\x80 surrogate, \xf4\x90\x80\x80 too big, "
			      "\xc0\xaf overlong");
	add_skip(r, "\xfe\xfe", "binary");
	out = render(&vg_reporter_json, r, NULL);
	j = parse(out);
	jf = json_array_get(json_object_get(j, "findings"), 0);
	assert_string_equal(sget(json_object_get(jf, "location"), "path"),
			    "bad\xef\xbf\xbdname\xef\xbf\xbd(\xe2\x82\xac.txt");
	assert_string_equal(sget(jf, "message"), "evil\n\033[31m <script>alert(1)</script>");
	assert_string_equal(sget(jf, "evidence"),
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd surrogate, "
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd too big, "
			    "\xef\xbf\xbd\xef\xbf\xbd overlong");
	assert_string_equal(sget(json_array_get(json_object_get(j, "skipped"), 0), "path"),
			    "\xef\xbf\xbd\xef\xbf\xbd");
	/* control characters are escaped by JSON itself, never raw in the output */
	for (const char *p = out; *p; p++)
		assert_false((unsigned char)*p < 0x20 && *p != '\n');
	json_decref(j);
	free(out);
	vg_results_free(r);
}

static void test_json_rules_completed(void **state)
{
	struct vg_results *r = vg_results_new();
	struct vg_rule_meta *a, *dup;
	struct vg_rule_meta orphan = { .id = "not.listed", .severity = VG_SEV_LOW,
				       .security_severity = -1.0 };
	char *out;
	json_t *j, *rules;

	r->owns_rules = true;
	a = add_rule(r, "listed.once", VG_SEV_HIGH);
	dup = add_rule(r, "listed.once", VG_SEV_LOW);
	fx_finding(r, a, VG_STATUS_FAIL, "x", 1, 1, NULL, "m");
	fx_finding(r, dup, VG_STATUS_FAIL, "y", 1, 1, NULL, "m");
	fx_finding(r, &orphan, VG_STATUS_FAIL, "z", 1, 1, NULL, "m");
	fx_finding(r, &orphan, VG_STATUS_FAIL, "w", 1, 1, NULL, "m");
	out = render(&vg_reporter_json, r, NULL);
	j = parse(out);
	rules = json_object_get(j, "rules");
	/* a finding's rule is always listed, and each id only once */
	assert_int_equal(json_array_size(rules), 2);
	assert_string_equal(sget(json_array_get(rules, 0), "id"), "listed.once");
	assert_string_equal(sget(json_array_get(rules, 0), "severity"), "high");
	assert_string_equal(sget(json_array_get(rules, 1), "id"), "not.listed");
	json_decref(j);
	free(out);
	vg_results_free(r);
}

/* ---- reading back ---- */

static void assert_same_str(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_same_results(const struct vg_results *a, const struct vg_results *b)
{
	assert_same_str(a->tool_version, b->tool_version);
	assert_int_equal(a->started, b->started);
	assert_int_equal(a->finished, b->finished);
	assert_int_equal(a->ntargets, b->ntargets);
	for (size_t i = 0; i < a->ntargets; i++)
		assert_string_equal(a->targets[i], b->targets[i]);
	assert_int_equal(a->npolicies, b->npolicies);
	for (size_t i = 0; i < a->npolicies; i++)
		assert_string_equal(a->policies[i], b->policies[i]);
	assert_same_str(a->profile, b->profile);
	assert_same_str(a->root, b->root);
	assert_int_equal(a->files_scanned, b->files_scanned);
	assert_int_equal(a->bytes_scanned, b->bytes_scanned);
	assert_int_equal(a->fail_on_none, b->fail_on_none);
	if (!a->fail_on_none)
		assert_int_equal(a->fail_on, b->fail_on);
	assert_int_equal(a->rules.len, b->rules.len);
	for (size_t i = 0; i < a->rules.len; i++) {
		const struct vg_rule_meta *x = a->rules.items[i], *y = b->rules.items[i];

		assert_string_equal(x->id, y->id);
		assert_same_str(x->pack, y->pack);
		assert_same_str(x->title, y->title);
		assert_same_str(x->description, y->description);
		assert_same_str(x->rationale, y->rationale);
		assert_same_str(x->remediation, y->remediation);
		assert_same_str(x->remediation_script, y->remediation_script);
		assert_same_str(x->precision, y->precision);
		assert_same_str(x->source, y->source);
		assert_int_equal(x->ntags, y->ntags);
		for (size_t k = 0; k < x->ntags; k++)
			assert_string_equal(x->tags[k], y->tags[k]);
		assert_int_equal(x->nreferences, y->nreferences);
		for (size_t k = 0; k < x->nreferences; k++)
			assert_string_equal(x->references[k], y->references[k]);
		assert_int_equal(x->severity, y->severity);
		assert_true(x->security_severity == y->security_severity ||
			    (x->security_severity < 0 && y->security_severity < 0));
		assert_int_equal(x->sensitive, y->sensitive);
	}
	assert_int_equal(a->findings.len, b->findings.len);
	for (size_t i = 0; i < a->findings.len; i++) {
		const struct vg_finding *x = a->findings.items[i], *y = b->findings.items[i];

		assert_string_equal(x->rule->id, y->rule->id);
		assert_int_equal(x->status, y->status);
		assert_int_equal(x->severity, y->severity);
		assert_same_str(x->target, y->target);
		assert_same_str(x->loc.path, y->loc.path);
		assert_int_equal(x->loc.line, y->loc.line);
		assert_int_equal(x->loc.col, y->loc.col);
		assert_int_equal(x->loc.end_line, y->loc.end_line);
		assert_int_equal(x->loc.end_col, y->loc.end_col);
		assert_same_str(x->loc.object, y->loc.object);
		assert_same_str(x->message, y->message);
		assert_same_str(x->evidence, y->evidence);
		assert_int_equal(x->redacted, y->redacted);
		assert_string_equal(x->fingerprint, y->fingerprint);
		assert_int_equal(x->suppression, y->suppression);
		assert_same_str(x->justification, y->justification);
		assert_same_str(x->commit, y->commit);
		assert_same_str(x->author, y->author);
		assert_same_str(x->date, y->date);
	}
	assert_int_equal(a->skipped.len, b->skipped.len);
	for (size_t i = 0; i < a->skipped.len; i++) {
		const struct vg_skip *x = a->skipped.items[i], *y = b->skipped.items[i];

		assert_string_equal(x->path, y->path);
		assert_same_str(x->reason, y->reason);
	}
	assert_int_equal(a->errors.len, b->errors.len);
	for (size_t i = 0; i < a->errors.len; i++)
		assert_string_equal(a->errors.items[i], b->errors.items[i]);
	assert_int_equal(vg_results_exit_code(a), vg_results_exit_code(b));
}

/* write, read, write again: the same bytes */
static struct vg_results *round_trip(struct fx *fx, const struct vg_results *res)
{
	struct vg_results *back = NULL;
	struct vg_error err = { 0 };
	char first[600], second[600];
	char *a, *b;
	size_t alen, blen;

	snprintf(first, sizeof(first), "%s", fx_path(fx, "first.json"));
	snprintf(second, sizeof(second), "%s", fx_path(fx, "second.json"));
	save_json(first, res);
	if (vg_results_read_json(&back, first, &err) < 0)
		fail_msg("reading back: %s", err.msg);
	assert_non_null(back);
	assert_true(back->owns_rules);
	save_json(second, back);
	a = tu_slurp(first, &alen);
	b = tu_slurp(second, &blen);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(a);
	free(b);
	return back;
}

static void test_round_trip_full(void **state)
{
	struct fx *fx = *state;
	struct vg_results *back = round_trip(fx, fx->res);

	assert_same_results(fx->res, back);
	/* findings point at the rules the results own */
	for (size_t i = 0; i < back->findings.len; i++) {
		const struct vg_finding *f = back->findings.items[i];
		bool found = false;

		for (size_t k = 0; k < back->rules.len; k++)
			found = found || back->rules.items[k] == f->rule;
		assert_true(found);
	}
	vg_results_free(back);
}

static void test_round_trip_empty(void **state)
{
	struct fx *fx = *state;
	struct vg_results *r = vg_results_new(), *back;

	r->fail_on_none = true;
	r->tool_version = fx_strdup("9.9.9");
	back = round_trip(fx, r);
	assert_same_results(r, back);
	assert_int_equal(back->rules.len, 0);
	vg_results_free(back);
	vg_results_free(r);
}

static void test_round_trip_hostile(void **state)
{
	struct fx *fx = *state;
	struct vg_results *r = vg_results_new(), *back;
	struct vg_rule_meta *m = add_rule(r, "weird \"id\"\t<script>", VG_SEV_CRITICAL);
	struct vg_finding *f, *g;

	r->owns_rules = true;
	m->security_severity = 0.1;
	m->tags = fx_strv(1, "\xff");
	m->ntags = 1;
	f = fx_finding(r, m, VG_STATUS_FAIL, "a\nb\033c\xff", SIZE_MAX / 2, 3, "obj\x01", "m\n");
	f->evidence = fx_strdup("</script><script>alert(1)</script>");
	fx_finding(r, NULL, VG_STATUS_ERROR, NULL, 0, 0, NULL, NULL);
	back = round_trip(fx, r);
	g = back->findings.items[0];
	assert_string_equal(g->loc.path, "a\nb\033c\xef\xbf\xbd");
	assert_string_equal(g->loc.object, "obj\x01");
	assert_int_equal(g->loc.line, SIZE_MAX / 2);
	assert_string_equal(g->evidence, f->evidence);
	assert_string_equal(g->rule->id, m->id);
	assert_true(((struct vg_rule_meta *)back->rules.items[0])->security_severity == 0.1);
	assert_null(((struct vg_finding *)back->findings.items[1])->rule);
	assert_int_equal(vg_results_exit_code(back), 2);
	vg_results_free(back);
	vg_results_free(r);
}

/* Writes the full results, lets edit change the document, saves it as
 * bad.json and reads that back. */
static int read_edited(struct fx *fx, void (*edit)(json_t *root), struct vg_error *err)
{
	struct vg_results *back = (struct vg_results *)1;
	char *text = render(&vg_reporter_json, fx->res, NULL);
	json_t *root = parse(text);
	const char *path = fx_path(fx, "bad.json");
	int rc;

	edit(root);
	assert_int_equal(json_dump_file(root, path, JSON_INDENT(1)), 0);
	json_decref(root);
	free(text);
	vg_error_clear(err);
	rc = vg_results_read_json(&back, path, err);
	if (rc < 0) {
		assert_null(back);
		assert_int_equal(err->code, rc);
		assert_non_null(strstr(err->msg, "bad.json"));
	} else {
		vg_results_free(back);
	}
	return rc;
}

static int read_text(struct fx *fx, const char *data, size_t len, struct vg_error *err)
{
	struct vg_results *back = (struct vg_results *)1;
	const char *path = fx_path(fx, "bad.json");
	int rc;

	tu_putn(fx->dir, "bad.json", data, len, 0644);
	vg_error_clear(err);
	rc = vg_results_read_json(&back, path, err);
	if (rc < 0)
		assert_null(back);
	else
		vg_results_free(back);
	return rc;
}

static void test_read_not_json(void **state)
{
	static const char nul_in_string[] = "{\"schema\": \"vigil-\0results\"}";
	static const char dup_key[] = "{\"schema\": \"vigil-results\", \"schema\": \"x\"}";
	struct fx *fx = *state;
	struct vg_error err;
	char *full = render(&vg_reporter_json, fx->res, NULL);
	char deep[20001];

	assert_int_equal(read_text(fx, "hello world", 11, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "not valid JSON"));
	assert_int_equal(read_text(fx, "", 0, &err), VG_EPARSE);
	assert_int_equal(read_text(fx, nul_in_string, sizeof(nul_in_string) - 1, &err), VG_EPARSE);
	/* truncated half way */
	assert_int_equal(read_text(fx, full, strlen(full) / 2, &err), VG_EPARSE);
	assert_int_equal(read_text(fx, full, strlen(full) - 3, &err), VG_EPARSE);
	/* duplicate keys are not silently resolved */
	assert_int_equal(read_text(fx, dup_key, sizeof(dup_key) - 1, &err), VG_EPARSE);
	assert_int_equal(read_text(fx, "[]", 2, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "not a JSON object"));
	/* nesting far deeper than jansson's limit */
	memset(deep, '[', 10000);
	memset(deep + 10000, ']', 10000);
	assert_int_equal(read_text(fx, deep, 20000, &err), VG_EPARSE);
	/* larger than VG_MAX_RESULTS_BYTES: refused before reading (a sparse file) */
	tu_putn(fx->dir, "huge.json", "{", 1, 0644);
	assert_int_equal(truncate(fx_path(fx, "huge.json"), (off_t)VG_MAX_RESULTS_BYTES + 1), 0);
	assert_int_equal(vg_results_read_json(&(struct vg_results *){ NULL }, fx->path, &err),
			 VG_ELIMIT);
	/* and a missing file */
	assert_true(vg_results_read_json(&(struct vg_results *){ NULL }, fx_path(fx, "absent.json"),
					 &err) < 0);
	assert_true(err.msg[0] != '\0');
	free(full);
}

static void edit_schema_name(json_t *root)
{
	json_object_set_new(root, "schema", json_string("sarif"));
}

static void edit_schema_missing(json_t *root)
{
	json_object_del(root, "schema");
}

static void edit_version_2(json_t *root)
{
	json_object_set_new(root, "schema_version", json_string("2.0"));
}

static void edit_version_number(json_t *root)
{
	json_object_set_new(root, "schema_version", json_integer(1));
}

static void edit_version_garbage(json_t *root)
{
	json_object_set_new(root, "schema_version", json_string("1.\033[31m"));
}

static void edit_minor_newer(json_t *root)
{
	json_object_set_new(root, "schema_version", json_string("1.7"));
	json_object_set_new(root, "future_member", json_string("ignored"));
	json_object_set_new(json_array_get(json_object_get(root, "findings"), 0), "extra",
			    json_true());
}

static void test_read_schema_checks(void **state)
{
	struct fx *fx = *state;
	struct vg_error err;

	assert_int_equal(read_edited(fx, edit_schema_name, &err), VG_EUNSUPPORTED);
	assert_non_null(strstr(err.msg, "not a vigil results file"));
	assert_int_equal(read_edited(fx, edit_schema_missing, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "schema: missing"));
	assert_int_equal(read_edited(fx, edit_version_2, &err), VG_EUNSUPPORTED);
	assert_non_null(strstr(err.msg, "unsupported results schema version 2.0"));
	assert_int_equal(read_edited(fx, edit_version_number, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "schema_version: expected a string"));
	assert_int_equal(read_edited(fx, edit_version_garbage, &err), VG_EPARSE);
	assert_null(strchr(err.msg, '\033'));
	assert_int_equal(read_edited(fx, edit_minor_newer, &err), 0);
}

static json_t *finding_at(json_t *root, size_t i)
{
	return json_array_get(json_object_get(root, "findings"), i);
}

static json_t *rule_at(json_t *root, size_t i)
{
	return json_array_get(json_object_get(root, "rules"), i);
}

static void edit_line_string(json_t *root)
{
	json_object_set_new(json_object_get(finding_at(root, 1), "location"), "line",
			    json_string("3"));
}

static void edit_line_negative(json_t *root)
{
	json_object_set_new(json_object_get(finding_at(root, 1), "location"), "col",
			    json_integer(-4));
}

static void edit_status_unknown(json_t *root)
{
	json_object_set_new(finding_at(root, 0), "status", json_string("broken"));
}

static void edit_status_missing(json_t *root)
{
	json_object_del(finding_at(root, 4), "status");
}

static void edit_rule_unknown(json_t *root)
{
	json_object_set_new(finding_at(root, 2), "rule", json_string("no.such.rule"));
}

static void edit_redacted_string(json_t *root)
{
	json_object_set_new(finding_at(root, 0), "redacted", json_string("yes"));
}

static void edit_fingerprint(json_t *root)
{
	json_object_set_new(finding_at(root, 0), "fingerprint", json_string("XYZ"));
}

static void edit_finding_number(json_t *root)
{
	json_array_set_new(json_object_get(root, "findings"), 3, json_integer(5));
}

static void edit_location_array(json_t *root)
{
	json_object_set_new(finding_at(root, 0), "location", json_array());
}

static void edit_message_number(json_t *root)
{
	json_object_set_new(finding_at(root, 6), "message", json_real(1.5));
}

static void edit_findings_object(json_t *root)
{
	json_object_set_new(root, "findings", json_object());
}

static void edit_suppression(json_t *root)
{
	json_object_set_new(finding_at(root, 0), "suppression", json_string("maybe"));
}

static void test_read_finding_types(void **state)
{
	struct fx *fx = *state;
	struct vg_error err;

	assert_int_equal(read_edited(fx, edit_line_string, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "findings[1].location.line: expected a non-negative"));
	assert_int_equal(read_edited(fx, edit_line_negative, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "findings[1].location.col"));
	assert_int_equal(read_edited(fx, edit_status_unknown, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "findings[0].status: unknown status"));
	assert_int_equal(read_edited(fx, edit_status_missing, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "findings[4].status: missing"));
	assert_int_equal(read_edited(fx, edit_rule_unknown, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "findings[2].rule"));
	assert_int_equal(read_edited(fx, edit_redacted_string, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "findings[0].redacted"));
	assert_int_equal(read_edited(fx, edit_fingerprint, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "findings[0].fingerprint"));
	assert_int_equal(read_edited(fx, edit_finding_number, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "findings[3]: expected an object"));
	assert_int_equal(read_edited(fx, edit_location_array, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "findings[0].location: expected an object"));
	assert_int_equal(read_edited(fx, edit_message_number, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "findings[6].message: expected a string"));
	assert_int_equal(read_edited(fx, edit_findings_object, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "findings: expected an array"));
	assert_int_equal(read_edited(fx, edit_suppression, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "findings[0].suppression"));
}

static void edit_tags_number(json_t *root)
{
	json_array_append_new(json_object_get(rule_at(root, 0), "tags"), json_integer(1));
}

static void edit_score_string(json_t *root)
{
	json_object_set_new(rule_at(root, 0), "security_severity", json_string("high"));
}

static void edit_score_range(json_t *root)
{
	json_object_set_new(rule_at(root, 1), "security_severity", json_real(11.0));
}

static void edit_rule_dup(json_t *root)
{
	json_object_set_new(rule_at(root, 1), "id", json_string(sget(rule_at(root, 0), "id")));
}

static void edit_rule_severity(json_t *root)
{
	json_object_set_new(rule_at(root, 3), "severity", json_string("urgent"));
}

static void edit_rules_missing(json_t *root)
{
	json_object_del(root, "rules");
}

static void edit_rule_sensitive(json_t *root)
{
	json_object_set_new(rule_at(root, 0), "sensitive", json_integer(1));
}

static void test_read_rule_types(void **state)
{
	struct fx *fx = *state;
	struct vg_error err;

	assert_int_equal(read_edited(fx, edit_tags_number, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "rules[0].tags: expected an array of strings"));
	assert_int_equal(read_edited(fx, edit_score_string, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "rules[0].security_severity"));
	assert_int_equal(read_edited(fx, edit_score_range, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "rules[1].security_severity"));
	assert_int_equal(read_edited(fx, edit_rule_dup, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "listed twice"));
	assert_int_equal(read_edited(fx, edit_rule_severity, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "rules[3].severity: unknown severity"));
	assert_int_equal(read_edited(fx, edit_rules_missing, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "rules: missing"));
	assert_int_equal(read_edited(fx, edit_rule_sensitive, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "rules[0].sensitive"));
}

static void edit_started(json_t *root)
{
	json_object_set_new(json_object_get(root, "scan"), "started", json_string("yesterday"));
}

static void edit_started_feb29(json_t *root)
{
	json_object_set_new(json_object_get(root, "scan"), "started",
			    json_string("2023-02-29T00:00:00Z"));
}

static void edit_files_negative(json_t *root)
{
	json_object_set_new(json_object_get(root, "scan"), "files_scanned", json_integer(-1));
}

static void edit_fail_on(json_t *root)
{
	json_object_set_new(json_object_get(root, "scan"), "fail_on", json_string("extreme"));
}

static void edit_targets(json_t *root)
{
	json_object_set_new(json_object_get(root, "scan"), "targets", json_string("."));
}

static void edit_scan_array(json_t *root)
{
	json_object_set_new(root, "scan", json_array());
}

static void edit_skip_path(json_t *root)
{
	json_object_del(json_array_get(json_object_get(root, "skipped"), 1), "path");
}

static void edit_errors_number(json_t *root)
{
	json_array_append_new(json_object_get(root, "errors"), json_integer(1));
}

static void edit_tool_version(json_t *root)
{
	json_object_set_new(json_object_get(root, "tool"), "version", json_false());
}

static void test_read_scan_types(void **state)
{
	struct fx *fx = *state;
	struct vg_error err;

	assert_int_equal(read_edited(fx, edit_started, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "scan.started: expected an RFC 3339 date-time"));
	assert_int_equal(read_edited(fx, edit_started_feb29, &err), VG_EPARSE);
	assert_int_equal(read_edited(fx, edit_files_negative, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "scan.files_scanned"));
	assert_int_equal(read_edited(fx, edit_fail_on, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "scan.fail_on"));
	assert_int_equal(read_edited(fx, edit_targets, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "scan.targets"));
	assert_int_equal(read_edited(fx, edit_scan_array, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "scan: expected an object"));
	assert_int_equal(read_edited(fx, edit_skip_path, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "skipped[1].path: missing"));
	assert_int_equal(read_edited(fx, edit_errors_number, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "errors[1]: expected a string"));
	assert_int_equal(read_edited(fx, edit_tool_version, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "tool.version"));
}

static void edit_time_offset(json_t *root)
{
	json_t *scan = json_object_get(root, "scan");

	json_object_set_new(scan, "started", json_string("2024-02-29T12:00:00.123+02:00"));
	json_object_set_new(scan, "finished", json_string("2024-03-01t00:30:00-01:30"));
}

static void test_read_time_formats(void **state)
{
	struct fx *fx = *state;
	struct vg_results *back = NULL;
	struct vg_error err = { 0 };
	struct tm tm = { .tm_year = 124, .tm_mon = 1, .tm_mday = 29, .tm_hour = 10 };
	time_t want = timegm(&tm);

	assert_int_equal(read_edited(fx, edit_time_offset, &err), 0);
	assert_int_equal(vg_results_read_json(&back, fx_path(fx, "bad.json"), &err), 0);
	assert_int_equal(back->started, want);
	assert_int_equal(back->finished, want + 16 * 3600);
	vg_results_free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_text_empty),
		cmocka_unit_test_setup_teardown(test_text_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_verbose, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_quiet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_color, setup, teardown),
		cmocka_unit_test(test_text_suppressed_error),
		cmocka_unit_test(test_text_hostile),
		cmocka_unit_test_setup_teardown(test_text_write_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_document, setup, teardown),
		cmocka_unit_test(test_json_empty),
		cmocka_unit_test(test_json_invalid_utf8),
		cmocka_unit_test(test_json_rules_completed),
		cmocka_unit_test_setup_teardown(test_round_trip_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_not_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_schema_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_finding_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_rule_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_scan_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_time_formats, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
