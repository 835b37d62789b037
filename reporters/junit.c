/* SPDX-License-Identifier: Apache-2.0 */
/* The JUnit XML reporter: a testsuite per pack, a testcase per rule and location, for CI. */
#include "reporter.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_util.h"

#ifndef VG_VERSION
#define VG_VERSION "unknown"
#endif

/* The suite for what belongs to no pack: scan errors, or a scan with no rules. */
#define SCAN_SUITE "vigil.scan"

struct junit {
	FILE *out;
	const struct vg_results *res;
	struct vg_report_index ix;
	bool gitlab;         /* file and line attributes on testcases */
	char host[256];
	char stamp[32];
	size_t *order;       /* finding indices grouped by pack, then rule */
	bool *rule_has;      /* per rule: at least one finding */
	size_t nsuites;
};

enum outcome { PASSED, FAILED, ERRORED, SKIPPED };

static void put(const struct junit *j, const char *s)
{
	fputs(s, j->out);
}

static void put_text(const struct junit *j, const char *s)
{
	vg_markup_put(j->out, s, 0);
}

static void put_attr(const struct junit *j, const char *name, const char *value)
{
	fprintf(j->out, " %s=\"", name);
	vg_markup_put(j->out, value, VG_MARKUP_ATTR);
	fputc('"', j->out);
}

static enum outcome outcome_of(const struct vg_finding *f)
{
	switch (f->status) {
	case VG_STATUS_FAIL:
		return f->suppression == VG_SUPPRESS_NONE ? FAILED : SKIPPED;
	case VG_STATUS_PASS:
		return PASSED;
	case VG_STATUS_ERROR:
		return ERRORED;
	default:
		return SKIPPED;
	}
}

static const char *rule_id(const struct vg_rule_meta *m)
{
	return m->id ? m->id : "";
}

static const char *rule_title(const struct vg_rule_meta *m)
{
	return m->title ? m->title : rule_id(m);
}

/* "path:line:col", "object (path:line)" or "" into b. */
static int location_text(struct vg_buf *b, const struct vg_finding *f)
{
	int rc = 0;

	if (f->loc.object)
		rc = vg_buf_puts(b, f->loc.object);
	if (rc == 0 && f->loc.path) {
		rc = vg_buf_printf(b, "%s%s", f->loc.object ? " (" : "", f->loc.path);
		if (rc == 0 && f->loc.line)
			rc = vg_buf_printf(b, ":%zu", f->loc.line);
		if (rc == 0 && f->loc.line && f->loc.col)
			rc = vg_buf_printf(b, ":%zu", f->loc.col);
		if (rc == 0 && f->loc.object)
			rc = vg_buf_putc(b, ')');
	}
	return rc;
}

/* An attribute of type xs:token with minLength 1 must have a character
 * that is not blank. */
static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

static void put_properties(const struct junit *j, const char *pack)
{
	const struct vg_results *res = j->res;
	char started[32], finished[32];
	size_t plen = strlen(pack);

	vg_report_time(started, res->started, true);
	vg_report_time(finished, res->finished, true);
	put(j, "    <properties>\n");
	put(j, "      <property name=\"vigil.version\"");
	put_attr(j, "value", res->tool_version ? res->tool_version : VG_VERSION);
	put(j, "/>\n");
	for (size_t i = 0; res->targets && i < res->ntargets; i++) {
		put(j, "      <property name=\"scan.target\"");
		put_attr(j, "value", res->targets[i] ? res->targets[i] : "");
		put(j, "/>\n");
	}
	if (res->root) {
		put(j, "      <property name=\"scan.root\"");
		put_attr(j, "value", res->root);
		put(j, "/>\n");
	}
	if (res->profile) {
		put(j, "      <property name=\"scan.profile\"");
		put_attr(j, "value", res->profile);
		put(j, "/>\n");
	}
	/* the pack's own version ("secrets@1.0"), when the scan recorded it */
	for (size_t i = 0; res->policies && i < res->npolicies; i++) {
		const char *p = res->policies[i];

		if (!p || strncmp(p, pack, plen) != 0 || p[plen] != '@')
			continue;
		put(j, "      <property name=\"scan.policy\"");
		put_attr(j, "value", p);
		put(j, "/>\n");
	}
	fprintf(j->out, "      <property name=\"scan.started\" value=\"%s\"/>\n", started);
	fprintf(j->out, "      <property name=\"scan.finished\" value=\"%s\"/>\n", finished);
	fprintf(j->out, "      <property name=\"scan.fail_on\" value=\"%s\"/>\n",
		res->fail_on_none ? "none" : vg_severity_name(res->fail_on));
	fprintf(j->out, "      <property name=\"scan.files_scanned\" value=\"%" PRIu64 "\"/>\n",
		res->files_scanned);
	fprintf(j->out, "      <property name=\"scan.exit_code\" value=\"%d\"/>\n",
		vg_results_exit_code(res));
	put(j, "    </properties>\n");
}

struct counts {
	size_t tests, failures, errors, skipped;
};

static void put_suite_open(struct junit *j, const char *name, const struct counts *c)
{
	if (blank(name))
		name = "vigil";
	put(j, "  <testsuite");
	put_attr(j, "name", name);
	put_attr(j, "package", name);
	fprintf(j->out,
		" id=\"%zu\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\""
		" time=\"0.000\" timestamp=\"%s\"",
		j->nsuites++, c->tests, c->failures, c->errors, c->skipped, j->stamp);
	put_attr(j, "hostname", j->host);
	put(j, ">\n");
	put_properties(j, name);
}

static void put_suite_close(const struct junit *j, const char *summary)
{
	put(j, "    <system-out>");
	put_text(j, summary);
	put(j, "</system-out>\n    <system-err></system-err>\n  </testsuite>\n");
}

/* The testcase's name: rule id, then where, then which target when there are several. */
static int case_name(struct vg_buf *b, const struct junit *j, const struct vg_rule_meta *m,
		     const struct vg_finding *f)
{
	int rc = vg_buf_puts(b, rule_id(m));

	if (rc == 0 && f && (f->loc.path || f->loc.object)) {
		rc = vg_buf_putc(b, ' ');
		if (rc == 0)
			rc = location_text(b, f);
	}
	if (rc == 0 && f && f->target && j->res->ntargets > 1)
		rc = vg_buf_printf(b, " [%s]", f->target);
	return rc;
}

/* The body of a failure or error: where, what, and what to do about it. */
static int detail_text(struct vg_buf *b, const struct vg_rule_meta *m, const struct vg_finding *f)
{
	int rc = 0;

	if (f->loc.path || f->loc.object) {
		rc = vg_buf_puts(b, "location: ");
		if (rc == 0)
			rc = location_text(b, f);
		if (rc == 0)
			rc = vg_buf_putc(b, '\n');
	}
	if (rc == 0 && f->target)
		rc = vg_buf_printf(b, "target: %s\n", f->target);
	if (rc == 0 && f->message)
		rc = vg_buf_printf(b, "message: %s\n", f->message);
	if (rc == 0 && f->evidence)
		rc = vg_buf_printf(b, "evidence: %s\n", f->evidence);
	if (rc == 0 && f->commit)
		rc = vg_buf_printf(b, "commit: %s%s%s%s%s\n", f->commit, f->author ? " by " : "",
				   f->author ? f->author : "", f->date ? " on " : "",
				   f->date ? f->date : "");
	if (rc == 0 && f->fingerprint[0])
		rc = vg_buf_printf(b, "fingerprint: %s\n", f->fingerprint);
	if (rc == 0 && m->remediation)
		rc = vg_buf_printf(b, "remediation: %s\n", m->remediation);
	if (rc == 0 && m->remediation_script)
		rc = vg_buf_printf(b, "remediation script:\n%s", m->remediation_script);
	return rc;
}

/* Why a testcase is skipped: "waived: reason", "not applicable: reason" ... */
static int skip_reason(struct vg_buf *b, const struct vg_finding *f)
{
	const char *why = f->justification ? f->justification : f->message;
	int rc;

	if (f->status == VG_STATUS_WAIVED)
		rc = vg_buf_puts(b, "waived");
	else if (f->status == VG_STATUS_FAIL)
		rc = vg_buf_printf(b, "suppressed (%s)", vg_suppression_name(f->suppression));
	else if (f->status == VG_STATUS_NOT_APPLICABLE)
		rc = vg_buf_puts(b, "not applicable");
	else
		rc = vg_buf_puts(b, "not evaluated");
	if (rc == 0 && why)
		rc = vg_buf_printf(b, ": %s", why);
	return rc;
}

static int put_case(const struct junit *j, const struct vg_rule_meta *m, const char *pack,
		    const struct vg_finding *f)
{
	enum outcome oc = f ? outcome_of(f) : PASSED;
	struct vg_buf name, text;
	int rc;

	vg_buf_init(&name, 0);
	vg_buf_init(&text, 0);
	rc = case_name(&name, j, m, f);
	if (rc < 0)
		goto out;
	put(j, "    <testcase");
	put_attr(j, "name", name.data);
	put_attr(j, "classname", pack);
	put(j, " time=\"0\"");
	if (j->gitlab && f && f->loc.path) {
		put_attr(j, "file", f->loc.path);
		if (f->loc.line)
			fprintf(j->out, " line=\"%zu\"", f->loc.line);
	}
	if (oc == PASSED) {
		put(j, "/>\n");
		goto out;
	}
	put(j, ">\n");
	if (oc == SKIPPED) {
		if ((rc = skip_reason(&text, f)) < 0)
			goto out;
		put(j, "      <skipped");
		put_attr(j, "message", text.data);
		put(j, "/>\n");
	} else {
		if ((rc = detail_text(&text, m, f)) < 0)
			goto out;
		put(j, oc == FAILED ? "      <failure" : "      <error");
		put_attr(j, "type", rule_id(m));
		fprintf(j->out, " message=\"[%s] ", vg_severity_label(f->severity));
		vg_markup_put(j->out, oc == FAILED ? rule_title(m) : f->message ? f->message
			      : rule_title(m), VG_MARKUP_ATTR);
		put(j, "\">");
		put_text(j, text.data);
		put(j, oc == FAILED ? "</failure>\n" : "</error>\n");
	}
	put(j, "    </testcase>\n");
out:
	vg_buf_finish(&name);
	vg_buf_finish(&text);
	return rc;
}

static void count(struct counts *c, enum outcome oc)
{
	c->tests++;
	if (oc == FAILED)
		c->failures++;
	else if (oc == ERRORED)
		c->errors++;
	else if (oc == SKIPPED)
		c->skipped++;
}

/* One pack: findings order[from..to) all belong to it. */
static int put_pack(struct junit *j, size_t p, size_t from, size_t to)
{
	const struct vg_results *res = j->res;
	const char *pack = j->ix.packs[p];
	struct counts c = {0};
	char *summary = NULL;
	size_t rules = 0;
	int rc = 0;

	for (size_t k = from; k < to; k++)
		count(&c, outcome_of(res->findings.items[j->order[k]]));
	for (size_t r = 0; r < j->ix.nrules; r++) {
		if (j->ix.pack_of[r] != p)
			continue;
		rules++;
		if (!j->rule_has[r])
			count(&c, PASSED);
	}
	put_suite_open(j, pack, &c);
	/* rules in index order; each rule's findings in scan order; a rule with none passed */
	for (size_t r = 0, k = from; r < j->ix.nrules && rc == 0; r++) {
		if (j->ix.pack_of[r] != p)
			continue;
		if (!j->rule_has[r])
			rc = put_case(j, j->ix.rules[r], pack, NULL);
		for (; k < to && j->ix.rule_of[j->order[k]] == r && rc == 0; k++)
			rc = put_case(j, j->ix.rules[r], pack, res->findings.items[j->order[k]]);
	}
	summary = vg_asprintf("%zu rule%s, %zu tests: %zu failed, %zu errors, %zu skipped\n",
			      rules, rules == 1 ? "" : "s",
			      c.tests, c.failures, c.errors, c.skipped);
	put_suite_close(j, summary ? summary : "");
	free(summary);
	return rc;
}

/* Scan-level errors (or a scan without rules) as a suite of their own, so CI
 * shows them as errors rather than a green, empty run. */
static int put_scan_suite(struct junit *j)
{
	const struct vg_results *res = j->res;
	struct counts c = { .tests = 1, .errors = res->errors.len ? 1 : 0 };
	struct vg_buf text;
	int rc = 0;

	vg_buf_init(&text, 0);
	for (size_t i = 0; i < res->errors.len && rc == 0; i++)
		rc = vg_buf_printf(&text, "%s\n", (const char *)res->errors.items[i]);
	if (rc < 0)
		goto out;
	put_suite_open(j, SCAN_SUITE, &c);
	put(j, "    <testcase name=\"scan\" classname=\"" SCAN_SUITE "\" time=\"0\"");
	if (!res->errors.len) {
		put(j, "/>\n");
	} else {
		fprintf(j->out, ">\n      <error type=\"vigil.scan-error\" message=\"%zu scan "
			"error%s: the scan is incomplete\">", res->errors.len,
			res->errors.len == 1 ? "" : "s");
		put_text(j, text.data);
		put(j, "</error>\n    </testcase>\n");
	}
	put_suite_close(j, res->errors.len ? "the scan could not read all of its targets\n"
			: "no rules were evaluated\n");
out:
	vg_buf_finish(&text);
	return rc;
}

struct case_key {
	size_t pack, rule, finding;
};

static int cmp_key(const void *a, const void *b)
{
	const struct case_key *x = a, *y = b;

	if (x->pack != y->pack)
		return (x->pack > y->pack) - (x->pack < y->pack);
	if (x->rule != y->rule)
		return (x->rule > y->rule) - (x->rule < y->rule);
	return (x->finding > y->finding) - (x->finding < y->finding);
}

static int prepare(struct junit *j)
{
	const struct vg_results *res = j->res;
	size_t n = res->findings.len;
	struct case_key *keys;
	int rc = vg_report_index_init(&j->ix, res);

	if (rc < 0)
		return rc;
	j->order = vg_calloc(n, sizeof(*j->order));
	j->rule_has = vg_calloc(j->ix.nrules, sizeof(*j->rule_has));
	if ((n && !j->order) || (j->ix.nrules && !j->rule_has))
		return VG_ENOMEM;
	keys = vg_calloc(n, sizeof(*keys));
	if (n && !keys)
		return VG_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t r = j->ix.rule_of[i];

		keys[i] = (struct case_key){ j->ix.pack_of[r], r, i };
		j->rule_has[r] = true;
	}
	qsort(keys, n, sizeof(*keys), cmp_key);
	for (size_t i = 0; i < n; i++)
		j->order[i] = keys[i].finding;
	free(keys);
	if (gethostname(j->host, sizeof(j->host) - 1) < 0 || blank(j->host))
		snprintf(j->host, sizeof(j->host), "localhost");
	j->host[sizeof(j->host) - 1] = '\0';
	vg_report_time(j->stamp, res->started, false);
	return 0;
}

static int write_junit(FILE *out, const struct vg_results *res, bool gitlab, struct vg_error *err)
{
	struct junit j = { .out = out, .res = res, .gitlab = gitlab };
	size_t n = res->findings.len;
	int rc;

	rc = prepare(&j);
	if (rc < 0)
		goto out;
	put(&j, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
	for (size_t p = 0, k = 0; p < j.ix.npacks && rc == 0; p++) {
		size_t from = k;

		while (k < n && j.ix.pack_of[j.ix.rule_of[j.order[k]]] == p)
			k++;
		rc = put_pack(&j, p, from, k);
	}
	if (rc == 0 && (res->errors.len || !j.ix.npacks))
		rc = put_scan_suite(&j);
	put(&j, "</testsuites>\n");
out:
	vg_report_index_finish(&j.ix);
	free(j.order);
	free(j.rule_has);
	if (rc < 0)
		return vg_error_set(err, rc, "building the JUnit report: %s", vg_error_name(rc));
	errno = 0;
	if (fflush(out) != 0 || ferror(out))
		return vg_error_set(err, VG_EIO, "writing the JUnit report: %s",
				    errno ? strerror(errno) : "write error");
	return 0;
}

static int junit_write(FILE *out, const struct vg_results *res, const struct vg_report_opts *opts,
		       struct vg_error *err)
{
	return write_junit(out, res, false, err);
}

static int junit_gitlab_write(FILE *out, const struct vg_results *res,
			      const struct vg_report_opts *opts, struct vg_error *err)
{
	return write_junit(out, res, true, err);
}

const struct vg_reporter_impl vg_reporter_junit = {
	.name = "junit",
	.extension = "xml",
	.write = junit_write,
};

/* The same with file and line attributes on testcases, which GitLab and
 * GitHub annotation actions read but neither JUnit schema allows. */
const struct vg_reporter_impl vg_reporter_junit_gitlab = {
	.name = "junit-gitlab",
	.extension = "xml",
	.write = junit_gitlab_write,
};
