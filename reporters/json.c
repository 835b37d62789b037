/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON reporter: everything in vg_results, in the versioned "vigil-results" schema. */
#include "reporter.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "report_util.h"

#ifndef VG_VERSION
#define VG_VERSION "unknown"
#endif

#define SCHEMA_NAME "vigil-results"
#define SCHEMA_VERSION "1.0"

static json_t *juint(uint64_t v)
{
	/* json_int_t is signed; counts that large do not happen, but stay valid */
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static json_t *jtime(time_t t)
{
	char buf[32];

	vg_report_time(buf, t, true);
	return json_string(buf);
}

/* json_object_set_new steals v, and fails cleanly when v is NULL (ENOMEM). */
static int set(json_t *o, const char *key, json_t *v)
{
	return json_object_set_new(o, key, v) < 0 ? VG_ENOMEM : 0;
}

/* Absent members are left out rather than written as null. */
static int set_str(json_t *o, const char *key, const char *v)
{
	return v ? set(o, key, vg_json_str(v)) : 0;
}

static int set_nonzero(json_t *o, const char *key, uint64_t v)
{
	return v ? set(o, key, juint(v)) : 0;
}

static json_t *str_array(char *const *v, size_t n)
{
	json_t *a = json_array();

	if (!a)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (json_array_append_new(a, vg_json_str(v[i] ? v[i] : "")) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static const char *rule_id(const struct vg_rule_meta *m)
{
	return m && m->id ? m->id : "";
}

static json_t *rule_json(const struct vg_rule_meta *m)
{
	json_t *o = json_object();
	bool has_score = m->security_severity >= 0.0 && isfinite(m->security_severity);

	if (!o)
		return NULL;
	if (set(o, "id", vg_json_str(rule_id(m))) < 0 ||
	    set_str(o, "pack", m->pack) < 0 ||
	    set_str(o, "title", m->title) < 0 ||
	    set_str(o, "description", m->description) < 0 ||
	    set_str(o, "rationale", m->rationale) < 0 ||
	    set_str(o, "remediation", m->remediation) < 0 ||
	    set_str(o, "remediation_script", m->remediation_script) < 0 ||
	    set(o, "tags", str_array(m->tags, m->tags ? m->ntags : 0)) < 0 ||
	    set(o, "references",
		str_array(m->references, m->references ? m->nreferences : 0)) < 0 ||
	    set(o, "severity", json_string(vg_severity_name(m->severity))) < 0 ||
	    (has_score && set(o, "security_severity", json_real(m->security_severity)) < 0) ||
	    set_str(o, "precision", m->precision) < 0 ||
	    set(o, "sensitive", json_boolean(m->sensitive)) < 0 ||
	    set_str(o, "source", m->source) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

struct rule_ref {
	const struct vg_rule_meta *m;
	size_t pos;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct rule_ref *x = a, *y = b;
	int c = strcmp(rule_id(x->m), rule_id(y->m));

	if (c)
		return c;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Whether a rule with this id is in refs (sorted by id). */
static bool refs_have(const struct rule_ref *refs, size_t n, const char *id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(rule_id(refs[mid].m), id);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The rules array: res->rules in order, each id once, then any rule a finding
 * points at that res->rules lacks, so every finding's rule can be read back. */
static json_t *rules_json(const struct vg_results *res)
{
	size_t n = res->rules.len;
	struct rule_ref *refs = NULL;
	bool *dup = NULL;
	struct vg_vec extra;
	json_t *a = json_array(), *ret = NULL;

	vg_vec_init(&extra);
	if (!a)
		goto out;
	refs = vg_calloc(n, sizeof(*refs));
	dup = vg_calloc(n, sizeof(*dup));
	if (!refs || !dup)
		goto out;
	for (size_t i = 0; i < n; i++)
		refs[i] = (struct rule_ref){ res->rules.items[i], i };
	qsort(refs, n, sizeof(*refs), cmp_ref);
	for (size_t i = 1; i < n; i++)
		if (strcmp(rule_id(refs[i - 1].m), rule_id(refs[i].m)) == 0)
			dup[refs[i].pos] = true;
	for (size_t i = 0; i < n; i++) {
		if (dup[i])
			continue;
		if (json_array_append_new(a, rule_json(res->rules.items[i])) < 0)
			goto out;
	}
	for (size_t i = 0; i < res->findings.len; i++) {
		const struct vg_finding *f = res->findings.items[i];
		bool known;

		if (!f->rule)
			continue;
		known = refs_have(refs, n, rule_id(f->rule));
		for (size_t k = 0; !known && k < extra.len; k++)
			known = strcmp(rule_id(extra.items[k]), rule_id(f->rule)) == 0;
		if (known)
			continue;
		if (vg_vec_push(&extra, (void *)f->rule) < 0 ||
		    json_array_append_new(a, rule_json(f->rule)) < 0)
			goto out;
	}
	ret = a;
	a = NULL;
out:
	json_decref(a);
	vg_vec_finish(&extra, NULL);
	free(refs);
	free(dup);
	return ret;
}

static json_t *location_json(const struct vg_location *loc)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (set_str(o, "path", loc->path) < 0 ||
	    set_nonzero(o, "line", loc->line) < 0 ||
	    set_nonzero(o, "col", loc->col) < 0 ||
	    set_nonzero(o, "end_line", loc->end_line) < 0 ||
	    set_nonzero(o, "end_col", loc->end_col) < 0 ||
	    set_str(o, "object", loc->object) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *finding_json(const struct vg_finding *f)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if ((f->rule && set(o, "rule", vg_json_str(rule_id(f->rule))) < 0) ||
	    set(o, "status", json_string(vg_status_name(f->status))) < 0 ||
	    set(o, "severity", json_string(vg_severity_name(f->severity))) < 0 ||
	    set_str(o, "target", f->target) < 0 ||
	    set(o, "location", location_json(&f->loc)) < 0 ||
	    set_str(o, "message", f->message) < 0 ||
	    set_str(o, "evidence", f->evidence) < 0 ||
	    set(o, "redacted", json_boolean(f->redacted)) < 0 ||
	    set(o, "fingerprint", vg_json_str(f->fingerprint)) < 0 ||
	    set(o, "suppression", json_string(vg_suppression_name(f->suppression))) < 0 ||
	    set_str(o, "justification", f->justification) < 0 ||
	    set_str(o, "commit", f->commit) < 0 ||
	    set_str(o, "author", f->author) < 0 ||
	    set_str(o, "date", f->date) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *scan_json(const struct vg_results *res)
{
	json_t *o = json_object();
	const char *fail_on = res->fail_on_none ? "none" : vg_severity_name(res->fail_on);

	if (!o)
		return NULL;
	if (set(o, "started", jtime(res->started)) < 0 ||
	    set(o, "finished", jtime(res->finished)) < 0 ||
	    set(o, "targets", str_array(res->targets, res->targets ? res->ntargets : 0)) < 0 ||
	    set_str(o, "profile", res->profile) < 0 ||
	    set(o, "policies",
		str_array(res->policies, res->policies ? res->npolicies : 0)) < 0 ||
	    set_str(o, "root", res->root) < 0 ||
	    set(o, "fail_on", json_string(fail_on)) < 0 ||
	    set(o, "files_scanned", juint(res->files_scanned)) < 0 ||
	    set(o, "bytes_scanned", juint(res->bytes_scanned)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Derived numbers, for readers that want totals without counting; ignored
 * when results are read back (they are recomputed). */
static json_t *summary_json(const struct vg_results *res)
{
	json_t *o = NULL, *st = NULL, *sev = NULL;
	struct vg_counts c;

	vg_results_count(res, &c);
	st = json_object();
	if (!st)
		goto fail;
	for (int s = 0; s < VG_STATUS_COUNT; s++)
		if (set(st, vg_status_name(s), juint(c.status[s])) < 0)
			goto fail;
	sev = json_object();
	if (!sev)
		goto fail;
	for (int s = VG_SEV_CRITICAL; s >= VG_SEV_INFO; s--)
		if (set(sev, vg_severity_name(s), juint(c.fail_by_severity[s])) < 0)
			goto fail;
	o = json_object();
	if (!o)
		goto fail;
	/* set() takes st and sev over, even when it fails */
	if (set(o, "total", juint(res->findings.len)) < 0 ||
	    set(o, "by_status", json_incref(st)) < 0 ||
	    set(o, "failed_by_severity", json_incref(sev)) < 0 ||
	    set(o, "suppressed", juint(c.suppressed)) < 0 ||
	    set(o, "scan_errors", juint(res->errors.len)) < 0 ||
	    set(o, "exit_code", json_integer(vg_results_exit_code(res))) < 0)
		goto fail;
	json_decref(st);
	json_decref(sev);
	return o;
fail:
	json_decref(st);
	json_decref(sev);
	json_decref(o);
	return NULL;
}

static json_t *findings_json(const struct vg_results *res)
{
	json_t *a = json_array();

	if (!a)
		return NULL;
	for (size_t i = 0; i < res->findings.len; i++) {
		if (json_array_append_new(a, finding_json(res->findings.items[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *skipped_json(const struct vg_results *res)
{
	json_t *a = json_array();

	if (!a)
		return NULL;
	for (size_t i = 0; i < res->skipped.len; i++) {
		const struct vg_skip *s = res->skipped.items[i];
		json_t *o = json_object();

		if (json_array_append_new(a, o) < 0 ||
		    set(o, "path", vg_json_str(s->path ? s->path : "")) < 0 ||
		    set_str(o, "reason", s->reason) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *tool_json(const struct vg_results *res)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (set(o, "name", json_string("vigil")) < 0 ||
	    set(o, "version",
		vg_json_str(res->tool_version ? res->tool_version : VG_VERSION)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *results_json(const struct vg_results *res)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (set(o, "schema", json_string(SCHEMA_NAME)) < 0 ||
	    set(o, "schema_version", json_string(SCHEMA_VERSION)) < 0 ||
	    set(o, "tool", tool_json(res)) < 0 ||
	    set(o, "scan", scan_json(res)) < 0 ||
	    set(o, "summary", summary_json(res)) < 0 ||
	    set(o, "rules", rules_json(res)) < 0 ||
	    set(o, "findings", findings_json(res)) < 0 ||
	    set(o, "skipped", skipped_json(res)) < 0 ||
	    set(o, "errors", str_array((char *const *)res->errors.items, res->errors.len)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int json_write(FILE *out, const struct vg_results *res, const struct vg_report_opts *opts,
		      struct vg_error *err)
{
	/* 15 significant digits print 6.1 as "6.1" and read back to the same double */
	const size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15);
	json_t *root = NULL;
	int rc = 0;

	root = results_json(res);
	if (!root) {
		rc = vg_error_set(err, VG_ENOMEM, "building the JSON report: out of memory");
		goto out;
	}
	errno = 0;
	if (json_dumpf(root, out, flags) < 0 || fputc('\n', out) == EOF || fflush(out) != 0 ||
	    ferror(out)) {
		rc = vg_error_set(err, VG_EIO, "writing the JSON report: %s",
				  errno ? strerror(errno) : "write error");
		goto out;
	}
out:
	json_decref(root);
	return rc;
}

const struct vg_reporter_impl vg_reporter_json = {
	.name = "json",
	.extension = "json",
	.write = json_write,
};
