/* SPDX-License-Identifier: Apache-2.0 */
/* Reads results saved by the JSON reporter back into vg_results, checking every member. */
#include "reporter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "limits.h"
#include "targets/fs.h"

#define SCHEMA_NAME "vigil-results"
#define SCHEMA_MAJOR 1

/* Where in the document we are, for error messages such as
 * "results.json: findings[3].location.line: expected a non-negative integer". */
struct reader {
	const char *path;
	struct vg_error *err;
	char where[64];
};

static int member_error(struct reader *rd, const char *member, const char *what)
{
	return vg_error_set(rd->err, VG_EPARSE, "%s: %s%s%s: %s", rd->path, rd->where,
			    rd->where[0] ? "." : "", member, what);
}

static int nomem(struct reader *rd)
{
	return vg_error_set(rd->err, VG_ENOMEM, "%s: out of memory reading results", rd->path);
}

/* The member key of obj, or NULL when absent or null (both mean "not set"). */
static json_t *member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return v && !json_is_null(v) ? v : NULL;
}

static int get_string(char **out, struct reader *rd, json_t *obj, const char *key, bool required)
{
	json_t *v = member(obj, key);

	if (!v)
		return required ? member_error(rd, key, "missing") : 0;
	if (!json_is_string(v))
		return member_error(rd, key, "expected a string");
	/* without JSON_ALLOW_NUL jansson has refused strings with NUL in them */
	*out = vg_strdup(json_string_value(v));
	return *out ? 0 : nomem(rd);
}

/* A borrowed string value (for names that are parsed, not kept). */
static int get_name(const char **out, struct reader *rd, json_t *obj, const char *key,
		    bool required)
{
	json_t *v = member(obj, key);

	*out = NULL;
	if (!v)
		return required ? member_error(rd, key, "missing") : 0;
	if (!json_is_string(v))
		return member_error(rd, key, "expected a string");
	*out = json_string_value(v);
	return 0;
}

static int get_u64(uint64_t *out, struct reader *rd, json_t *obj, const char *key)
{
	json_t *v = member(obj, key);

	*out = 0;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return member_error(rd, key, "expected a non-negative integer");
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int get_size(size_t *out, struct reader *rd, json_t *obj, const char *key)
{
	uint64_t v;
	int rc = get_u64(&v, rd, obj, key);

	if (rc < 0)
		return rc;
	if (v > SIZE_MAX)
		return member_error(rd, key, "number too large");
	*out = (size_t)v;
	return 0;
}

static int get_bool(bool *out, struct reader *rd, json_t *obj, const char *key)
{
	json_t *v = member(obj, key);

	*out = false;
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return member_error(rd, key, "expected true or false");
	*out = json_is_true(v);
	return 0;
}

static int get_severity(enum vg_severity *out, struct reader *rd, json_t *obj, const char *key)
{
	const char *s;
	int rc = get_name(&s, rd, obj, key, true);

	if (rc < 0)
		return rc;
	if (!vg_severity_parse(s, out))
		return member_error(rd, key, "unknown severity");
	return 0;
}

/* An array of strings into a freshly allocated char ** (NULL when empty). */
static int get_strv(char ***out, size_t *nout, struct reader *rd, json_t *obj, const char *key)
{
	json_t *v = member(obj, key), *item;
	char **strv = NULL;
	size_t n, i;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if (!v)
		return 0;
	if (!json_is_array(v))
		return member_error(rd, key, "expected an array of strings");
	n = json_array_size(v);
	if (!n)
		return 0;
	strv = vg_calloc(n, sizeof(*strv));
	if (!strv)
		return nomem(rd);
	json_array_foreach(v, i, item) {
		if (!json_is_string(item)) {
			rc = member_error(rd, key, "expected an array of strings");
			goto out;
		}
		strv[i] = vg_strdup(json_string_value(item));
		if (!strv[i]) {
			rc = nomem(rd);
			goto out;
		}
	}
	*out = strv;
	*nout = n;
	strv = NULL;
out:
	if (strv)
		for (i = 0; i < n; i++)
			free(strv[i]);
	free(strv);
	return rc;
}

/* Reads n digits of s as a number; false unless they all are digits. */
static bool digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM). Fractions
 * are dropped; results store whole seconds. */
static bool parse_rfc3339(const char *s, time_t *out)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	struct tm tm;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		return false;
	s += 19;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		if (!digits(s + 1, 2, &oh) || s[3] != ':' || !digits(s + 4, 2, &om))
			return false;
		s += 6;
	} else {
		return false;
	}
	if (*s || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60 || oh > 23 ||
	    om > 59)
		return false;
	if (d > mdays[mo - 1] + (mo == 2 && leap_year(y)))
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	*out = t - sign * (oh * 3600 + om * 60);
	return true;
}

static int get_time(time_t *out, struct reader *rd, json_t *obj, const char *key)
{
	const char *s;
	int rc = get_name(&s, rd, obj, key, false);

	*out = 0;
	if (rc < 0 || !s)
		return rc;
	if (!parse_rfc3339(s, out))
		return member_error(rd, key, "expected an RFC 3339 date-time");
	return 0;
}

static void rule_meta_free(struct vg_rule_meta *m)
{
	vg_rule_meta_finish(m);
	free(m);
}

static int read_rule(struct vg_rule_meta **out, struct reader *rd, json_t *o)
{
	struct vg_rule_meta *m = NULL;
	json_t *score;
	int rc;

	*out = NULL;
	if (!json_is_object(o))
		return vg_error_set(rd->err, VG_EPARSE, "%s: %s: expected an object", rd->path,
				    rd->where);
	m = vg_calloc(1, sizeof(*m));
	if (!m)
		return nomem(rd);
	m->security_severity = -1.0;
	if ((rc = get_string(&m->id, rd, o, "id", true)) < 0 ||
	    (rc = get_string(&m->pack, rd, o, "pack", false)) < 0 ||
	    (rc = get_string(&m->title, rd, o, "title", false)) < 0 ||
	    (rc = get_string(&m->description, rd, o, "description", false)) < 0 ||
	    (rc = get_string(&m->rationale, rd, o, "rationale", false)) < 0 ||
	    (rc = get_string(&m->remediation, rd, o, "remediation", false)) < 0 ||
	    (rc = get_string(&m->remediation_script, rd, o, "remediation_script", false)) < 0 ||
	    (rc = get_strv(&m->tags, &m->ntags, rd, o, "tags")) < 0 ||
	    (rc = get_strv(&m->references, &m->nreferences, rd, o, "references")) < 0 ||
	    (rc = get_severity(&m->severity, rd, o, "severity")) < 0 ||
	    (rc = get_string(&m->precision, rd, o, "precision", false)) < 0 ||
	    (rc = get_bool(&m->sensitive, rd, o, "sensitive")) < 0 ||
	    (rc = get_string(&m->source, rd, o, "source", false)) < 0)
		goto out;
	score = member(o, "security_severity");
	if (score) {
		double v = json_is_number(score) ? json_number_value(score) : -1.0;

		if (!(v >= 0.0 && v <= 10.0)) {
			rc = member_error(rd, "security_severity",
					  "expected a number from 0 to 10");
			goto out;
		}
		m->security_severity = v;
	}
	*out = m;
	m = NULL;
out:
	rule_meta_free(m);
	return rc;
}

static int cmp_meta(const void *a, const void *b)
{
	const struct vg_rule_meta *x = *(const struct vg_rule_meta *const *)a;
	const struct vg_rule_meta *y = *(const struct vg_rule_meta *const *)b;

	return strcmp(x->id, y->id);
}

static int cmp_key_meta(const void *key, const void *item)
{
	const struct vg_rule_meta *m = *(const struct vg_rule_meta *const *)item;

	return strcmp(key, m->id);
}

/* Reads "rules" into res (which owns them) and returns them sorted by id in
 * *index (caller frees) for the findings to look up. */
static int read_rules(struct vg_rule_meta ***index, struct reader *rd, struct vg_results *res,
		      json_t *root)
{
	json_t *rules = member(root, "rules"), *item;
	struct vg_rule_meta **sorted = NULL;
	size_t i;
	int rc = 0;

	*index = NULL;
	rd->where[0] = '\0';
	if (!rules)
		return member_error(rd, "rules", "missing");
	if (!json_is_array(rules))
		return member_error(rd, "rules", "expected an array");
	if (json_array_size(rules) > VG_MAX_RULES)
		return vg_error_set(rd->err, VG_ELIMIT, "%s: more than %d rules", rd->path,
				    VG_MAX_RULES);
	json_array_foreach(rules, i, item) {
		struct vg_rule_meta *m = NULL;

		snprintf(rd->where, sizeof(rd->where), "rules[%zu]", i);
		rc = read_rule(&m, rd, item);
		if (rc < 0)
			goto out;
		if (vg_vec_push(&res->rules, m) < 0) {
			rule_meta_free(m);
			rc = nomem(rd);
			goto out;
		}
	}
	sorted = vg_calloc(res->rules.len, sizeof(*sorted));
	if (!sorted) {
		rc = nomem(rd);
		goto out;
	}
	for (i = 0; i < res->rules.len; i++)
		sorted[i] = res->rules.items[i];
	if (res->rules.len > 1)
		qsort(sorted, res->rules.len, sizeof(*sorted), cmp_meta);
	for (i = 1; i < res->rules.len; i++) {
		if (strcmp(sorted[i - 1]->id, sorted[i]->id) == 0) {
			rd->where[0] = '\0';
			rc = vg_error_set(rd->err, VG_EPARSE, "%s: rules: rule id listed twice",
					  rd->path);
			goto out;
		}
	}
	*index = sorted;
	sorted = NULL;
out:
	free(sorted);
	return rc;
}

static int read_location(struct vg_location *loc, struct reader *rd, json_t *f)
{
	json_t *o = member(f, "location");
	size_t len = strlen(rd->where);
	int rc;

	if (!o)
		return 0;
	if (!json_is_object(o))
		return member_error(rd, "location", "expected an object");
	snprintf(rd->where + len, sizeof(rd->where) - len, ".location");
	if ((rc = get_string(&loc->path, rd, o, "path", false)) < 0 ||
	    (rc = get_size(&loc->line, rd, o, "line")) < 0 ||
	    (rc = get_size(&loc->col, rd, o, "col")) < 0 ||
	    (rc = get_size(&loc->end_line, rd, o, "end_line")) < 0 ||
	    (rc = get_size(&loc->end_col, rd, o, "end_col")) < 0 ||
	    (rc = get_string(&loc->object, rd, o, "object", false)) < 0)
		return rc;
	rd->where[len] = '\0';
	return 0;
}

static bool is_fingerprint(const char *s)
{
	size_t n = strlen(s);

	/* empty: the scanner could not hash (out of memory) */
	if (n != 0 && n != 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int read_finding(struct vg_finding **out, struct reader *rd, json_t *o,
			struct vg_rule_meta **index, size_t nrules)
{
	struct vg_finding *f = NULL;
	const char *rule = NULL, *status = NULL, *supp = NULL, *fp = NULL;
	struct vg_rule_meta **hit;
	int rc;

	*out = NULL;
	if (!json_is_object(o))
		return vg_error_set(rd->err, VG_EPARSE, "%s: %s: expected an object", rd->path,
				    rd->where);
	f = vg_finding_new();
	if (!f)
		return nomem(rd);
	if ((rc = get_name(&rule, rd, o, "rule", false)) < 0 ||
	    (rc = get_name(&status, rd, o, "status", true)) < 0 ||
	    (rc = get_severity(&f->severity, rd, o, "severity")) < 0 ||
	    (rc = get_string(&f->target, rd, o, "target", false)) < 0 ||
	    (rc = read_location(&f->loc, rd, o)) < 0 ||
	    (rc = get_string(&f->message, rd, o, "message", false)) < 0 ||
	    (rc = get_string(&f->evidence, rd, o, "evidence", false)) < 0 ||
	    (rc = get_bool(&f->redacted, rd, o, "redacted")) < 0 ||
	    (rc = get_name(&fp, rd, o, "fingerprint", false)) < 0 ||
	    (rc = get_name(&supp, rd, o, "suppression", false)) < 0 ||
	    (rc = get_string(&f->justification, rd, o, "justification", false)) < 0 ||
	    (rc = get_string(&f->commit, rd, o, "commit", false)) < 0 ||
	    (rc = get_string(&f->author, rd, o, "author", false)) < 0 ||
	    (rc = get_string(&f->date, rd, o, "date", false)) < 0)
		goto out;
	if (!vg_status_parse(status, &f->status)) {
		rc = member_error(rd, "status", "unknown status");
		goto out;
	}
	if (supp && !vg_suppression_parse(supp, &f->suppression)) {
		rc = member_error(rd, "suppression", "unknown suppression");
		goto out;
	}
	if (fp) {
		if (!is_fingerprint(fp)) {
			rc = member_error(rd, "fingerprint", "expected 32 lower-case hex digits");
			goto out;
		}
		memcpy(f->fingerprint, fp, strlen(fp) + 1);
	}
	if (rule) {
		hit = nrules ? bsearch(rule, index, nrules, sizeof(*index), cmp_key_meta) : NULL;
		if (!hit) {
			rc = member_error(rd, "rule", "no rule with this id in \"rules\"");
			goto out;
		}
		f->rule = *hit;
	}
	*out = f;
	f = NULL;
out:
	vg_finding_free(f);
	return rc;
}

static int read_findings(struct reader *rd, struct vg_results *res, json_t *root,
			 struct vg_rule_meta **index)
{
	json_t *arr = member(root, "findings"), *item;
	size_t i;
	int rc;

	rd->where[0] = '\0';
	if (!arr)
		return member_error(rd, "findings", "missing");
	if (!json_is_array(arr))
		return member_error(rd, "findings", "expected an array");
	json_array_foreach(arr, i, item) {
		struct vg_finding *f = NULL;

		snprintf(rd->where, sizeof(rd->where), "findings[%zu]", i);
		rc = read_finding(&f, rd, item, index, res->rules.len);
		if (rc < 0)
			return rc;
		if (vg_vec_push(&res->findings, f) < 0) {
			vg_finding_free(f);
			return nomem(rd);
		}
	}
	return 0;
}

static int read_skipped(struct reader *rd, struct vg_results *res, json_t *root)
{
	json_t *arr = member(root, "skipped"), *item;
	size_t i;
	int rc;

	rd->where[0] = '\0';
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return member_error(rd, "skipped", "expected an array");
	json_array_foreach(arr, i, item) {
		struct vg_skip *s;

		snprintf(rd->where, sizeof(rd->where), "skipped[%zu]", i);
		if (!json_is_object(item))
			return vg_error_set(rd->err, VG_EPARSE, "%s: %s: expected an object",
					    rd->path, rd->where);
		s = vg_calloc(1, sizeof(*s));
		if (!s)
			return nomem(rd);
		if (vg_vec_push(&res->skipped, s) < 0) {
			free(s);
			return nomem(rd);
		}
		/* s belongs to res now: vg_results_free frees it and its strings */
		if ((rc = get_string(&s->path, rd, item, "path", true)) < 0 ||
		    (rc = get_string(&s->reason, rd, item, "reason", false)) < 0)
			return rc;
	}
	return 0;
}

static int read_errors(struct reader *rd, struct vg_results *res, json_t *root)
{
	json_t *arr = member(root, "errors"), *item;
	size_t i;

	rd->where[0] = '\0';
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return member_error(rd, "errors", "expected an array of strings");
	json_array_foreach(arr, i, item) {
		char *msg;

		if (!json_is_string(item)) {
			snprintf(rd->where, sizeof(rd->where), "errors[%zu]", i);
			return vg_error_set(rd->err, VG_EPARSE, "%s: %s: expected a string",
					    rd->path, rd->where);
		}
		msg = vg_strdup(json_string_value(item));
		if (!msg || vg_vec_push(&res->errors, msg) < 0) {
			free(msg);
			return nomem(rd);
		}
	}
	return 0;
}

static int read_scan(struct reader *rd, struct vg_results *res, json_t *root)
{
	json_t *scan = member(root, "scan"), *tool = member(root, "tool");
	const char *fail_on = NULL;
	int rc;

	rd->where[0] = '\0';
	if (tool) {
		if (!json_is_object(tool))
			return member_error(rd, "tool", "expected an object");
		snprintf(rd->where, sizeof(rd->where), "tool");
		rc = get_string(&res->tool_version, rd, tool, "version", false);
		if (rc < 0)
			return rc;
		rd->where[0] = '\0';
	}
	if (!scan)
		return 0;
	if (!json_is_object(scan))
		return member_error(rd, "scan", "expected an object");
	snprintf(rd->where, sizeof(rd->where), "scan");
	if ((rc = get_time(&res->started, rd, scan, "started")) < 0 ||
	    (rc = get_time(&res->finished, rd, scan, "finished")) < 0 ||
	    (rc = get_strv(&res->targets, &res->ntargets, rd, scan, "targets")) < 0 ||
	    (rc = get_string(&res->profile, rd, scan, "profile", false)) < 0 ||
	    (rc = get_strv(&res->policies, &res->npolicies, rd, scan, "policies")) < 0 ||
	    (rc = get_string(&res->root, rd, scan, "root", false)) < 0 ||
	    (rc = get_name(&fail_on, rd, scan, "fail_on", false)) < 0 ||
	    (rc = get_u64(&res->files_scanned, rd, scan, "files_scanned")) < 0 ||
	    (rc = get_u64(&res->bytes_scanned, rd, scan, "bytes_scanned")) < 0)
		return rc;
	if (fail_on && strcmp(fail_on, "none") == 0)
		res->fail_on_none = true;
	else if (fail_on && !vg_severity_parse(fail_on, &res->fail_on))
		return member_error(rd, "fail_on", "expected a severity or \"none\"");
	return 0;
}

/* "1.0", "1.2.3": digit runs joined by single dots, at least two of them. */
static bool is_version(const char *v)
{
	size_t n = strlen(v), dots = 0;

	if (n == 0 || n > 32 || v[0] == '.' || v[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '.') {
			if (v[i + 1] == '.')
				return false;
			dots++;
		} else if (v[i] < '0' || v[i] > '9') {
			return false;
		}
	}
	return dots > 0;
}

/* Accepts major version 1; newer minors only add members, which this reader
 * ignores. */
static int check_schema(struct reader *rd, json_t *root)
{
	const char *name = NULL, *version = NULL;
	int64_t major = 0;
	size_t ndigits;
	int rc;

	rd->where[0] = '\0';
	if (!json_is_object(root))
		return vg_error_set(rd->err, VG_EPARSE,
				    "%s: not a vigil results file (not a JSON object)", rd->path);
	if ((rc = get_name(&name, rd, root, "schema", true)) < 0)
		return rc;
	if (strcmp(name, SCHEMA_NAME) != 0)
		return vg_error_set(rd->err, VG_EUNSUPPORTED,
				    "%s: not a vigil results file (schema is not \"" SCHEMA_NAME
				    "\")", rd->path);
	if ((rc = get_name(&version, rd, root, "schema_version", true)) < 0)
		return rc;
	/* checked first, so the message below can quote it safely */
	if (!is_version(version))
		return member_error(rd, "schema_version", "expected a version such as \"1.0\"");
	ndigits = strcspn(version, ".");
	for (size_t i = 0; i < ndigits && i < 9; i++)
		major = major * 10 + (version[i] - '0');
	if (ndigits >= 9 || major != SCHEMA_MAJOR)
		return vg_error_set(rd->err, VG_EUNSUPPORTED,
				    "%s: unsupported results schema version %s (this vigil reads "
				    "version 1.x)", rd->path, version);
	return 0;
}

int vg_results_read_json(struct vg_results **out, const char *path, struct vg_error *err)
{
	struct reader rd = { .path = path, .err = err };
	struct vg_blob blob = { 0 };
	struct vg_results *res = NULL;
	struct vg_rule_meta **index = NULL;
	json_t *root = NULL;
	json_error_t jerr;
	int rc;

	*out = NULL;
	rc = vg_file_read(path, VG_MAX_RESULTS_BYTES, &blob, err);
	if (rc < 0)
		goto out;
	root = json_loadb(blob.data, blob.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		rc = vg_error_set(err, VG_EPARSE, "%s:%d:%d: not valid JSON: %s", path, jerr.line,
				  jerr.column, jerr.text);
		goto out;
	}
	rc = check_schema(&rd, root);
	if (rc < 0)
		goto out;
	res = vg_results_new();
	if (!res) {
		rc = nomem(&rd);
		goto out;
	}
	res->owns_rules = true;
	if ((rc = read_scan(&rd, res, root)) < 0 ||
	    (rc = read_rules(&index, &rd, res, root)) < 0 ||
	    (rc = read_findings(&rd, res, root, index)) < 0 ||
	    (rc = read_skipped(&rd, res, root)) < 0 ||
	    (rc = read_errors(&rd, res, root)) < 0)
		goto out;
	*out = res;
	res = NULL;
out:
	free(index);
	vg_results_free(res);
	json_decref(root);
	vg_blob_finish(&blob);
	return rc;
}
