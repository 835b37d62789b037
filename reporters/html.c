/* SPDX-License-Identifier: Apache-2.0 */
/* The HTML reporter: one self-contained page for reviews, readable printed and without JS. */
#include "reporter.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "report_util.h"

#ifndef VG_VERSION
#define VG_VERSION "unknown"
#endif

/* What a finding shows as in the report: the statuses, with failures that
 * do not count (baseline, inline, .vigilignore) apart from real ones. */
enum shown {
	SH_FAIL,
	SH_ERROR,
	SH_NOT_EVALUATED,
	SH_WAIVED,
	SH_SUPPRESSED,
	SH_PASS,
	SH_NOT_APPLICABLE,
	SH_COUNT,
};

static const char *const shown_name[SH_COUNT] = {
	[SH_FAIL] = "fail",
	[SH_ERROR] = "error",
	[SH_NOT_EVALUATED] = "not-evaluated",
	[SH_WAIVED] = "waived",
	[SH_SUPPRESSED] = "suppressed",
	[SH_PASS] = "pass",
	[SH_NOT_APPLICABLE] = "not-applicable",
};

/* Weights of the score: how much a rule of each severity counts. */
static const unsigned score_weight[VG_SEV_COUNT] = {
	[VG_SEV_INFO] = 0,
	[VG_SEV_LOW] = 1,
	[VG_SEV_MEDIUM] = 3,
	[VG_SEV_HIGH] = 6,
	[VG_SEV_CRITICAL] = 10,
};

static const char *const sev_color[VG_SEV_COUNT] = {
	[VG_SEV_INFO] = "#607d8b",
	[VG_SEV_LOW] = "#1e88e5",
	[VG_SEV_MEDIUM] = "#f59e0b",
	[VG_SEV_HIGH] = "#e53935",
	[VG_SEV_CRITICAL] = "#8e24aa",
};

/* Everything on the page comes from this file and the data below; the CSP
 * allows this one script by its hash and no other script, no request at all. */
static const char style[] =
	":root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa}\n"
	"*{box-sizing:border-box}\n"
	"body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);"
	"background:var(--bg);margin:0 auto;max-width:1200px;padding:24px}\n"
	"h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;border-bottom:1px solid var(--line);"
	"padding-bottom:4px;margin-top:32px}h3{font-size:17px;margin:0 0 6px}"
	"h4{font-size:14px;margin:14px 0 4px;color:var(--muted);text-transform:uppercase;"
	"letter-spacing:.04em}\n"
	"code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}\n"
	"pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:10px;"
	"white-space:pre-wrap;overflow-wrap:anywhere}\n"
	"code{overflow-wrap:anywhere;white-space:pre-wrap}\n"
	"table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;"
	"padding:6px 8px;border-bottom:1px solid var(--line)}th{background:var(--soft);"
	"font-size:13px}\n"
	"[hidden]{display:none!important}\n"
	".verdict{display:inline-block;font-weight:600;padding:4px 10px;border-radius:6px;"
	"margin:8px 0}\n"
	".v-pass{background:#dafbe1;color:#116329}.v-fail{background:#ffebe9;color:#a40e26}"
	".v-error{background:#fff8c5;color:#7d4e00}\n"
	"dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}"
	"dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;overflow-wrap:anywhere}\n"
	".summary{display:grid;grid-template-columns:repeat(auto-fit,minmax(210px,1fr));gap:16px;"
	"align-items:start;margin-top:16px}\n"
	".chart{width:100%;max-width:320px;height:auto}\n"
	".card{border:1px solid var(--line);border-radius:8px;padding:12px 16px}\n"
	".score{font-size:40px;font-weight:700;line-height:1}.score small{font-size:15px;"
	"font-weight:400;color:var(--muted)}\n"
	".counts td,.counts th{padding:2px 10px 2px 0;border:0;background:none}"
	".counts td.n{text-align:right}\n"
	".sev{display:inline-block;min-width:68px;text-align:center;border-radius:10px;"
	"padding:0 8px;font-size:12px;font-weight:600;color:#fff;text-transform:uppercase}\n"
	".sev-critical{background:#8e24aa}.sev-high{background:#e53935}"
	".sev-medium{background:#f59e0b;color:#1f2328}.sev-low{background:#1e88e5}"
	".sev-info{background:#607d8b}\n"
	".st{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;"
	"border:1px solid var(--line);white-space:nowrap}\n"
	".st-fail{background:#ffebe9;color:#a40e26;border-color:#ffcecb}"
	".st-pass{background:#dafbe1;color:#116329;border-color:#aceebb}"
	".st-error{background:#fff8c5;color:#7d4e00;border-color:#f5e0a0}"
	".st-waived,.st-suppressed{background:#eef1f4;color:#424a53}"
	".st-not-evaluated{background:#fff1e5;color:#953800}"
	".st-not-applicable{color:var(--muted)}\n"
	"#filters{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:8px 0 12px;"
	"padding:8px 12px;background:var(--soft);border:1px solid var(--line);border-radius:8px}\n"
	"#filters label{font-size:13px;color:var(--muted)}#filters select,#filters input{"
	"font:inherit;margin-left:4px}#f-count{margin-left:auto;font-size:13px;"
	"color:var(--muted)}\n"
	"article.rule{border:1px solid var(--line);border-radius:8px;padding:14px 16px;"
	"margin:16px 0}\n"
	".sub{color:var(--muted);font-size:13px}.nowrap{white-space:nowrap}\n"
	"a{color:#0969da}\n"
	"@media print{body{max-width:none;padding:0;font-size:12px}#filters{display:none}"
	"article.rule{break-inside:avoid-page}a{color:inherit;text-decoration:none}}\n";

static const char script[] =
	"(function () {\n"
	"  'use strict';\n"
	"  var byId = function (id) { return document.getElementById(id); };\n"
	"  var bar = byId('filters');\n"
	"  if (!bar) return;\n"
	"  var controls = { severity: byId('f-severity'), status: byId('f-status'),\n"
	"    pack: byId('f-pack'), q: byId('f-q') };\n"
	"  var keys = ['severity', 'status', 'pack', 'q'];\n"
	"  var rows = Array.prototype.slice.call(\n"
	"    document.querySelectorAll('#rule-table tbody tr'));\n"
	"  function has(list, word) {\n"
	"    return (' ' + (list || '') + ' ').indexOf(' ' + word + ' ') >= 0;\n"
	"  }\n"
	"  function apply() {\n"
	"    var sev = controls.severity.value, st = controls.status.value;\n"
	"    var pack = controls.pack.value, q = controls.q.value.trim().toLowerCase();\n"
	"    var shown = 0;\n"
	"    rows.forEach(function (row) {\n"
	"      var art = byId(row.getAttribute('data-rule'));\n"
	"      var ok = (!sev || row.getAttribute('data-severity') === sev) &&\n"
	"        (!st || has(row.getAttribute('data-statuses'), st)) &&\n"
	"        (!pack || row.getAttribute('data-pack') === pack);\n"
	"      if (ok && q) {\n"
	"        var text = row.textContent + ' ' + (art ? art.textContent : '');\n"
	"        ok = text.toLowerCase().indexOf(q) >= 0;\n"
	"      }\n"
	"      row.hidden = !ok;\n"
	"      if (art) {\n"
	"        art.hidden = !ok;\n"
	"        art.querySelectorAll('tr[data-status]').forEach(function (tr) {\n"
	"          tr.hidden = !!st && tr.getAttribute('data-status') !== st;\n"
	"        });\n"
	"      }\n"
	"      if (ok) shown++;\n"
	"    });\n"
	"    byId('f-count').textContent = 'Showing ' + shown + ' of ' + rows.length + ' rules';\n"
	"    byId('no-match').hidden = shown > 0;\n"
	"  }\n"
	"  function save() {\n"
	"    var parts = [];\n"
	"    keys.forEach(function (k) {\n"
	"      var v = controls[k].value;\n"
	"      if (v) parts.push(k + '=' + encodeURIComponent(v));\n"
	"    });\n"
	"    try {\n"
	"      history.replaceState(null, '', parts.length ? '#' + parts.join('&') :\n"
	"        location.pathname + location.search);\n"
	"    } catch (e) { /* some viewers forbid it; the filter still applies */ }\n"
	"  }\n"
	"  function load() {\n"
	"    var hash = location.hash.slice(1);\n"
	"    if (hash.indexOf('=') < 0) return false;\n"
	"    keys.forEach(function (k) { controls[k].value = ''; });\n"
	"    hash.split('&').forEach(function (kv) {\n"
	"      var i = kv.indexOf('='), k = kv.slice(0, i), v;\n"
	"      if (i < 0 || !Object.prototype.hasOwnProperty.call(controls, k)) return;\n"
	"      var c = controls[k];\n"
	"      try { v = decodeURIComponent(kv.slice(i + 1).replace(/\\+/g, ' ')); }\n"
	"      catch (e) { return; }\n"
	"      if (c.tagName !== 'SELECT') { c.value = v; return; }\n"
	"      for (var o = 0; o < c.options.length; o++)\n"
	"        if (c.options[o].value === v) c.value = v;\n"
	"    });\n"
	"    return true;\n"
	"  }\n"
	"  bar.hidden = false;\n"
	"  load();\n"
	"  apply();\n"
	"  keys.forEach(function (k) {\n"
	"    controls[k].addEventListener(k === 'q' ? 'input' : 'change', function () {\n"
	"      apply();\n"
	"      save();\n"
	"    });\n"
	"  });\n"
	"  byId('f-reset').addEventListener('click', function () {\n"
	"    keys.forEach(function (k) { controls[k].value = ''; });\n"
	"    apply();\n"
	"    save();\n"
	"  });\n"
	"  window.addEventListener('hashchange', function () { if (load()) apply(); });\n"
	"})();\n";

struct rule_info {
	size_t idx;                 /* index into ix.rules */
	size_t count[SH_COUNT];
	enum shown state;           /* the rule as a whole */
};

struct html {
	FILE *out;
	const struct vg_results *res;
	struct vg_report_index ix;
	struct rule_info *rules;    /* in display order */
	size_t *first_of;           /* per ix rule: position in display order */
	size_t *order;              /* finding indices grouped by rule, in scan order */
	size_t *start;              /* per ix rule: its first entry in order; start[nrules] = end */
};

static enum shown shown_of(const struct vg_finding *f)
{
	switch (f->status) {
	case VG_STATUS_FAIL:
		return f->suppression == VG_SUPPRESS_NONE ? SH_FAIL : SH_SUPPRESSED;
	case VG_STATUS_PASS:
		return SH_PASS;
	case VG_STATUS_ERROR:
		return SH_ERROR;
	case VG_STATUS_NOT_EVALUATED:
		return SH_NOT_EVALUATED;
	case VG_STATUS_WAIVED:
		return SH_WAIVED;
	default:
		return SH_NOT_APPLICABLE;
	}
}

static enum vg_severity sev_of(const struct vg_rule_meta *m)
{
	return (unsigned)m->severity < VG_SEV_COUNT ? m->severity : VG_SEV_INFO;
}

static void put(const struct html *h, const char *s)
{
	fputs(s, h->out);
}

static void esc(const struct html *h, const char *s)
{
	vg_markup_put(h->out, s, 0);
}

static void esc_attr(const struct html *h, const char *s)
{
	vg_markup_put(h->out, s, VG_MARKUP_ATTR);
}

static const char *rule_id(const struct vg_rule_meta *m)
{
	return m->id ? m->id : "";
}

/* 'sha256-BASE64' of the script, for the Content-Security-Policy. */
static int script_hash(char out[64])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!EVP_Digest(script, sizeof(script) - 1, md, &len, EVP_sha256(), NULL) || len != 32)
		return VG_ERROR;
	memcpy(out, "sha256-", 7);
	/* 32 bytes are 44 base64 characters and a NUL */
	EVP_EncodeBlock((unsigned char *)out + 7, md, (int)len);
	return 0;
}

static void put_sev(const struct html *h, enum vg_severity s)
{
	fprintf(h->out, "<span class=\"sev sev-%s\">%s</span>", vg_severity_name(s),
		vg_severity_name(s));
}

static void put_status(const struct html *h, enum shown s)
{
	fprintf(h->out, "<span class=\"st st-%s\">%s</span>", shown_name[s], shown_name[s]);
}

static void put_time(const struct html *h, time_t t)
{
	char buf[32];

	vg_report_time(buf, t, false);
	buf[10] = ' ';
	fprintf(h->out, "%s UTC", buf);
}

static void put_list(const struct html *h, char *const *v, size_t n, const char *none)
{
	if (!v || !n) {
		put(h, none);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (i)
			put(h, ", ");
		put(h, "<code>");
		esc(h, v[i] ? v[i] : "");
		put(h, "</code>");
	}
}

/* ---- header and summary ---- */

static void put_head(const struct html *h, const char *hash)
{
	const struct vg_results *res = h->res;

	put(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
	fprintf(h->out, "<meta http-equiv=\"Content-Security-Policy\" "
		"content=\"default-src 'none'; style-src 'unsafe-inline'; script-src '%s'; "
		"img-src data:; base-uri 'none'; form-action 'none'\">\n", hash);
	put(h, "<meta name=\"referrer\" content=\"no-referrer\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
	put(h, "<meta name=\"generator\" content=\"vigil ");
	esc_attr(h, res->tool_version ? res->tool_version : VG_VERSION);
	put(h, "\">\n<title>vigil report: ");
	for (size_t i = 0; res->targets && i < res->ntargets; i++) {
		if (i)
			put(h, ", ");
		esc(h, res->targets[i] ? res->targets[i] : "");
	}
	put(h, "</title>\n<style>\n");
	put(h, style);
	put(h, "</style>\n</head>\n<body>\n");
}

static size_t failed_total(const struct vg_counts *c)
{
	size_t n = 0;

	for (int s = 0; s < VG_SEV_COUNT; s++)
		n += c->fail_by_severity[s];
	return n;
}

static void put_verdict(const struct html *h, const struct vg_counts *c)
{
	const struct vg_results *res = h->res;
	const char *threshold = res->fail_on_none ? "none" : vg_severity_name(res->fail_on);
	int exit_code = vg_results_exit_code(res);

	if (exit_code == 2)
		put(h, "<p class=\"verdict v-error\">Incomplete: parts of the target could not be "
		       "checked (exit status 2)</p>\n");
	else if (exit_code == 1)
		fprintf(h->out, "<p class=\"verdict v-fail\">Failed: %zu failure%s, at or above "
			"&ldquo;%s&rdquo; (exit status 1)</p>\n", failed_total(c),
			failed_total(c) == 1 ? "" : "s", threshold);
	else
		fprintf(h->out, "<p class=\"verdict v-pass\">Passed: no failure at or above "
			"&ldquo;%s&rdquo; (exit status 0)</p>\n", threshold);
}

static void put_meta(const struct html *h)
{
	const struct vg_results *res = h->res;
	long long secs = (long long)res->finished - (long long)res->started;

	put(h, "<dl class=\"meta\">\n<dt>Scanned</dt><dd>");
	put_list(h, res->targets, res->ntargets, "nothing");
	put(h, "</dd>\n");
	if (res->root) {
		put(h, "<dt>Root</dt><dd><code>");
		esc(h, res->root);
		put(h, "</code></dd>\n");
	}
	put(h, "<dt>Started</dt><dd>");
	put_time(h, res->started);
	fprintf(h->out, " (%lld second%s)</dd>\n", secs > 0 ? secs : 0, secs == 1 ? "" : "s");
	put(h, "<dt>Policy</dt><dd>");
	put_list(h, res->policies, res->npolicies, "none recorded");
	put(h, "</dd>\n<dt>Profile</dt><dd>");
	if (res->profile) {
		put(h, "<code>");
		esc(h, res->profile);
		put(h, "</code>");
	} else {
		put(h, "none (all selected rules)");
	}
	fprintf(h->out, "</dd>\n<dt>Fails on</dt><dd>%s</dd>\n",
		res->fail_on_none ? "never (--fail-on none)" : vg_severity_name(res->fail_on));
	fprintf(h->out, "<dt>Files scanned</dt><dd>%" PRIu64 " (%" PRIu64 " bytes), %zu skipped"
		"</dd>\n", res->files_scanned, res->bytes_scanned, res->skipped.len);
	put(h, "<dt>vigil</dt><dd>");
	esc(h, res->tool_version ? res->tool_version : VG_VERSION);
	put(h, "</dd>\n</dl>\n");
}

/* Passing rules' share of all rules that passed or failed, weighted by
 * severity; -1 when no rule with a weight passed or failed. */
static int score(const struct html *h)
{
	uint64_t passed = 0, total = 0;

	for (size_t i = 0; i < h->ix.nrules; i++) {
		const struct rule_info *ri = &h->rules[i];
		unsigned w = score_weight[sev_of(h->ix.rules[ri->idx])];

		if (ri->state == SH_PASS)
			passed += w;
		if (ri->state == SH_PASS || ri->state == SH_FAIL)
			total += w;
	}
	if (!total)
		return -1;
	return (int)((passed * 100 + total / 2) / total);
}

/* A bar per severity: how many failures that count. */
static void put_chart(const struct html *h, const struct vg_counts *c)
{
	size_t max = 0;

	for (int s = 0; s < VG_SEV_COUNT; s++)
		if (c->fail_by_severity[s] > max)
			max = c->fail_by_severity[s];
	put(h, "<svg class=\"chart\" width=\"320\" height=\"130\" viewBox=\"0 0 320 130\" "
	       "role=\"img\" aria-label=\"Failures by severity\">\n");
	for (int s = VG_SEV_CRITICAL, row = 0; s >= VG_SEV_INFO; s--, row++) {
		size_t n = c->fail_by_severity[s];
		unsigned w = max ? (unsigned)((n * 200 + max - 1) / max) : 0;
		unsigned y = 4 + (unsigned)row * 25;

		fprintf(h->out, "<text x=\"0\" y=\"%u\" font-size=\"12\" fill=\"#59636e\">%s</text>"
			"<rect x=\"70\" y=\"%u\" width=\"%u\" height=\"16\" rx=\"3\" fill=\"%s\"/>"
			"<text x=\"%u\" y=\"%u\" font-size=\"12\" fill=\"#1f2328\">%zu</text>\n",
			y + 12, vg_severity_name(s), y, w, sev_color[s], 76 + w, y + 12, n);
	}
	put(h, "</svg>\n");
}

static void put_summary(const struct html *h)
{
	const struct vg_results *res = h->res;
	size_t shown[SH_COUNT] = {0};
	struct vg_counts c;
	int sc = score(h);

	vg_results_count(res, &c);
	for (size_t i = 0; i < res->findings.len; i++)
		shown[shown_of(res->findings.items[i])]++;
	put(h, "<section class=\"summary\" aria-label=\"Summary\">\n<div class=\"card\">"
	       "<div class=\"score\">");
	if (sc >= 0)
		fprintf(h->out, "%d<small> / 100</small>", sc);
	else
		put(h, "&ndash;");
	put(h, "</div><p class=\"sub\">Score: the share of rules that passed, weighted by "
	       "severity<br>(critical 10, high 6, medium 3, low 1; waived, not applicable "
	       "and unchecked rules left out)</p></div>\n");
	put(h, "<div class=\"card\"><h4>Failures by severity</h4><table class=\"counts\">\n");
	for (int s = VG_SEV_CRITICAL; s >= VG_SEV_INFO; s--) {
		put(h, "<tr><td>");
		put_sev(h, s);
		fprintf(h->out, "</td><td class=\"n\">%zu</td></tr>\n", c.fail_by_severity[s]);
	}
	put(h, "</table></div>\n<div class=\"card\"><h4>Findings by status</h4>"
	       "<table class=\"counts\">\n");
	for (int s = 0; s < SH_COUNT; s++) {
		put(h, "<tr><td>");
		put_status(h, s);
		fprintf(h->out, "</td><td class=\"n\">%zu</td></tr>\n", shown[s]);
	}
	fprintf(h->out, "<tr><td>scan errors</td><td class=\"n\">%zu</td></tr>\n", res->errors.len);
	put(h, "</table></div>\n<div class=\"card\"><h4>Failures</h4>\n");
	put_chart(h, &c);
	put(h, "</div>\n</section>\n");
}

/* ---- rules ---- */

static void put_rule_data(const struct html *h, const struct rule_info *ri)
{
	const struct vg_rule_meta *m = h->ix.rules[ri->idx];
	bool first = true;

	fprintf(h->out, " data-severity=\"%s\" data-statuses=\"", vg_severity_name(sev_of(m)));
	for (int s = 0; s < SH_COUNT; s++) {
		if (!ri->count[s])
			continue;
		fprintf(h->out, "%s%s", first ? "" : " ", shown_name[s]);
		first = false;
	}
	put(h, "\" data-pack=\"");
	esc_attr(h, h->ix.packs[h->ix.pack_of[ri->idx]]);
	put(h, "\"");
}

/* "2 fail, 1 waived" */
static void put_rule_counts(const struct html *h, const struct rule_info *ri)
{
	bool first = true;

	for (int s = 0; s < SH_COUNT; s++) {
		if (!ri->count[s])
			continue;
		fprintf(h->out, "%s%zu&nbsp;%s", first ? "" : ", ", ri->count[s], shown_name[s]);
		first = false;
	}
	if (first)
		put(h, "&ndash;");
}

static void put_filters(const struct html *h)
{
	put(h, "<div id=\"filters\" hidden>\n<label>Severity<select id=\"f-severity\">"
	       "<option value=\"\">all</option>");
	for (int s = VG_SEV_CRITICAL; s >= VG_SEV_INFO; s--)
		fprintf(h->out, "<option>%s</option>", vg_severity_name(s));
	put(h, "</select></label>\n<label>Status<select id=\"f-status\">"
	       "<option value=\"\">all</option>");
	for (int s = 0; s < SH_COUNT; s++)
		fprintf(h->out, "<option>%s</option>", shown_name[s]);
	put(h, "</select></label>\n<label>Pack<select id=\"f-pack\">"
	       "<option value=\"\">all</option>");
	for (size_t p = 0; p < h->ix.npacks; p++) {
		put(h, "<option value=\"");
		esc_attr(h, h->ix.packs[p]);
		put(h, "\">");
		esc(h, h->ix.packs[p]);
		put(h, "</option>");
	}
	put(h, "</select></label>\n<label>Search<input id=\"f-q\" type=\"search\" "
	       "placeholder=\"rule, path, text\"></label>\n"
	       "<button id=\"f-reset\" type=\"button\">Reset</button>\n"
	       "<span id=\"f-count\"></span>\n</div>\n");
}

static void put_overview(const struct html *h)
{
	put(h, "<section id=\"rules\">\n<h2>Rules</h2>\n");
	put_filters(h);
	put(h, "<table id=\"rule-table\">\n<thead><tr><th>Severity</th><th>Status</th>"
	       "<th>Rule</th><th>Pack</th><th>Findings</th><th>Title</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < h->ix.nrules; i++) {
		const struct rule_info *ri = &h->rules[i];
		const struct vg_rule_meta *m = h->ix.rules[ri->idx];

		fprintf(h->out, "<tr data-rule=\"rule-%zu\"", i + 1);
		put_rule_data(h, ri);
		put(h, "><td>");
		put_sev(h, sev_of(m));
		put(h, "</td><td>");
		put_status(h, ri->state);
		fprintf(h->out, "</td><td><a href=\"#rule-%zu\"><code>", i + 1);
		esc(h, rule_id(m));
		put(h, "</code></a></td><td>");
		esc(h, h->ix.packs[h->ix.pack_of[ri->idx]]);
		put(h, "</td><td class=\"nowrap\">");
		put_rule_counts(h, ri);
		put(h, "</td><td>");
		esc(h, m->title ? m->title : "");
		put(h, "</td></tr>\n");
	}
	put(h, "</tbody>\n</table>\n<p id=\"no-match\" hidden>No rule matches the filters.</p>\n"
	       "</section>\n");
}

static void put_location(const struct html *h, const struct vg_finding *f)
{
	if (!f->loc.path && !f->loc.object) {
		put(h, "<span class=\"sub\">(whole target)</span>");
		return;
	}
	put(h, "<code>");
	if (f->loc.object) {
		esc(h, f->loc.object);
		if (f->loc.path)
			put(h, "</code><br><span class=\"sub\">in</span> <code>");
	}
	if (f->loc.path) {
		esc(h, f->loc.path);
		if (f->loc.line)
			fprintf(h->out, ":%zu", f->loc.line);
		if (f->loc.line && f->loc.col)
			fprintf(h->out, ":%zu", f->loc.col);
	}
	put(h, "</code>");
}

static void put_finding(const struct html *h, const struct vg_finding *f)
{
	enum shown s = shown_of(f);

	fprintf(h->out, "<tr data-status=\"%s\"><td>", shown_name[s]);
	put_status(h, s);
	if (s == SH_SUPPRESSED)
		fprintf(h->out, "<br><span class=\"sub\">%s</span>",
			vg_suppression_name(f->suppression));
	put(h, "</td><td>");
	put_location(h, f);
	if (f->target && h->res->ntargets > 1) {
		put(h, "<br><span class=\"sub\">target</span> <code>");
		esc(h, f->target);
		put(h, "</code>");
	}
	put(h, "</td><td>");
	esc(h, f->message ? f->message : "");
	if (f->justification) {
		put(h, "<br><span class=\"sub\">justification:</span> ");
		esc(h, f->justification);
	}
	if (f->commit) {
		put(h, "<br><span class=\"sub\">commit</span> <code>");
		esc(h, f->commit);
		put(h, "</code>");
		if (f->author) {
			put(h, " <span class=\"sub\">by</span> ");
			esc(h, f->author);
		}
		if (f->date) {
			put(h, " <span class=\"sub\">on</span> ");
			esc(h, f->date);
		}
	}
	if (f->fingerprint[0]) {
		put(h, "<br><span class=\"sub\">fingerprint <code>");
		esc(h, f->fingerprint);
		put(h, "</code></span>");
	}
	put(h, "</td><td>");
	if (f->evidence) {
		put(h, "<code>");
		esc(h, f->evidence);
		put(h, "</code>");
		if (f->redacted)
			put(h, "<br><span class=\"sub\">redacted</span>");
	}
	put(h, "</td></tr>\n");
}

static void put_paragraph(const struct html *h, const char *title, const char *text)
{
	if (!text || !text[0])
		return;
	fprintf(h->out, "<h4>%s</h4>\n<p>", title);
	esc(h, text);
	put(h, "</p>\n");
}

static void put_rule_findings(const struct html *h, size_t r)
{
	const struct vg_results *res = h->res;
	size_t listed = 0, passed = 0;

	for (size_t k = h->start[r]; k < h->start[r + 1]; k++) {
		if (shown_of(res->findings.items[h->order[k]]) == SH_PASS)
			passed++;
		else
			listed++;
	}
	if (passed) {
		size_t n = 0;

		put(h, "<p>Passed on ");
		for (size_t k = h->start[r]; k < h->start[r + 1]; k++) {
			const struct vg_finding *f = res->findings.items[h->order[k]];

			if (shown_of(f) != SH_PASS)
				continue;
			put(h, n++ ? ", " : "");
			if (f->loc.path || f->loc.object) {
				put_location(h, f);
			} else {
				put(h, "<code>");
				esc(h, f->target ? f->target : "the target");
				put(h, "</code>");
			}
		}
		put(h, ".</p>\n");
	}
	if (!listed)
		return;
	fprintf(h->out, "<h4>Findings (%zu)</h4>\n<table class=\"findings\">\n<thead><tr>"
		"<th>Status</th><th>Location</th><th>Message</th><th>Evidence</th></tr></thead>\n"
		"<tbody>\n", listed);
	for (size_t k = h->start[r]; k < h->start[r + 1]; k++) {
		const struct vg_finding *f = res->findings.items[h->order[k]];

		if (shown_of(f) != SH_PASS)
			put_finding(h, f);
	}
	put(h, "</tbody>\n</table>\n");
}

static void put_rule(const struct html *h, size_t i)
{
	const struct rule_info *ri = &h->rules[i];
	const struct vg_rule_meta *m = h->ix.rules[ri->idx];

	fprintf(h->out, "<article class=\"rule\" id=\"rule-%zu\"", i + 1);
	put_rule_data(h, ri);
	put(h, ">\n<h3>");
	put_sev(h, sev_of(m));
	put(h, " ");
	put_status(h, ri->state);
	put(h, " <code>");
	esc(h, rule_id(m));
	put(h, "</code> ");
	esc(h, m->title ? m->title : "");
	put(h, "</h3>\n<p class=\"sub\">pack <code>");
	esc(h, h->ix.packs[h->ix.pack_of[ri->idx]]);
	put(h, "</code>");
	if (m->ntags && m->tags) {
		put(h, " &middot; tags ");
		put_list(h, m->tags, m->ntags, "");
	}
	if (m->precision) {
		put(h, " &middot; precision ");
		esc(h, m->precision);
	}
	if (m->source) {
		put(h, " &middot; defined at <code>");
		esc(h, m->source);
		put(h, "</code>");
	}
	put(h, "</p>\n");
	put_paragraph(h, "Description", m->description);
	put_paragraph(h, "Rationale", m->rationale);
	if (m->references && m->nreferences) {
		/* references are text: the page makes no request, not even on a click */
		put(h, "<h4>References</h4>\n<ul>\n");
		for (size_t k = 0; k < m->nreferences; k++) {
			put(h, "<li><code>");
			esc(h, m->references[k] ? m->references[k] : "");
			put(h, "</code></li>\n");
		}
		put(h, "</ul>\n");
	}
	put_rule_findings(h, ri->idx);
	put_paragraph(h, "Remediation", m->remediation);
	if (m->remediation_script) {
		put(h, "<h4>Remediation script</h4>\n<pre><code>");
		esc(h, m->remediation_script);
		put(h, "</code></pre>\n");
	}
	put(h, "</article>\n");
}

static void put_details(const struct html *h)
{
	put(h, "<section id=\"details\">\n<h2>Details</h2>\n");
	for (size_t i = 0; i < h->ix.nrules; i++)
		put_rule(h, i);
	put(h, "</section>\n");
}

static void put_errors_and_skips(const struct html *h)
{
	const struct vg_results *res = h->res;

	if (res->errors.len) {
		put(h, "<section id=\"errors\">\n<h2>Scan errors</h2>\n<ul>\n");
		for (size_t i = 0; i < res->errors.len; i++) {
			put(h, "<li>");
			esc(h, res->errors.items[i]);
			put(h, "</li>\n");
		}
		put(h, "</ul>\n</section>\n");
	}
	if (res->skipped.len) {
		fprintf(h->out, "<section id=\"skipped\">\n<h2>Skipped files (%zu)</h2>\n<ul>\n",
			res->skipped.len);
		for (size_t i = 0; i < res->skipped.len; i++) {
			const struct vg_skip *s = res->skipped.items[i];

			put(h, "<li><code>");
			esc(h, s->path ? s->path : "");
			put(h, "</code>");
			if (s->reason) {
				put(h, ": ");
				esc(h, s->reason);
			}
			put(h, "</li>\n");
		}
		put(h, "</ul>\n</section>\n");
	}
}

/* ---- ordering ---- */

/* Which state stands for a rule: the most pressing status among its findings. */
static enum shown rule_state(const size_t count[SH_COUNT])
{
	for (int s = 0; s < SH_COUNT; s++)
		if (count[s])
			return s;
	return SH_PASS;
}

struct rule_key {
	enum shown state;
	enum vg_severity sev;
	const char *id;
	size_t idx;
};

static int cmp_rule_key(const void *a, const void *b)
{
	const struct rule_key *x = a, *y = b;
	int c;

	if (x->state != y->state)
		return x->state < y->state ? -1 : 1;
	if (x->sev != y->sev)
		return x->sev > y->sev ? -1 : 1;
	c = strcmp(x->id, y->id);
	if (c)
		return c;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Counts each rule's findings, groups findings by rule and orders the rules:
 * failing first, then by severity and id. */
static int prepare(struct html *h)
{
	const struct vg_results *res = h->res;
	size_t n = res->findings.len, nr;
	struct rule_info *per_rule = NULL;
	struct rule_key *keys = NULL;
	size_t *fill = NULL;
	int rc = vg_report_index_init(&h->ix, res);

	if (rc < 0)
		return rc;
	nr = h->ix.nrules;
	rc = VG_ENOMEM;
	h->rules = vg_calloc(nr, sizeof(*h->rules));
	h->order = vg_calloc(n, sizeof(*h->order));
	h->start = vg_calloc(nr + 1, sizeof(*h->start));
	per_rule = vg_calloc(nr, sizeof(*per_rule));
	keys = vg_calloc(nr, sizeof(*keys));
	fill = vg_calloc(nr, sizeof(*fill));
	if ((nr && (!h->rules || !per_rule || !keys || !fill)) || (n && !h->order) || !h->start)
		goto out;
	for (size_t i = 0; i < n; i++)
		per_rule[h->ix.rule_of[i]].count[shown_of(res->findings.items[i])]++;
	/* counting sort of findings by rule keeps scan order within each rule */
	for (size_t i = 0; i < n; i++)
		h->start[h->ix.rule_of[i] + 1]++;
	for (size_t r = 0; r < nr; r++)
		h->start[r + 1] += h->start[r];
	for (size_t i = 0; i < n; i++) {
		size_t r = h->ix.rule_of[i];

		h->order[h->start[r] + fill[r]++] = i;
	}
	for (size_t r = 0; r < nr; r++) {
		per_rule[r].idx = r;
		per_rule[r].state = rule_state(per_rule[r].count);
		keys[r] = (struct rule_key){ per_rule[r].state, sev_of(h->ix.rules[r]),
					     rule_id(h->ix.rules[r]), r };
	}
	qsort(keys, nr, sizeof(*keys), cmp_rule_key);
	for (size_t i = 0; i < nr; i++)
		h->rules[i] = per_rule[keys[i].idx];
	rc = 0;
out:
	free(per_rule);
	free(keys);
	free(fill);
	return rc;
}

static int html_write(FILE *out, const struct vg_results *res, const struct vg_report_opts *opts,
		      struct vg_error *err)
{
	struct html h = { .out = out, .res = res };
	struct vg_counts c;
	char hash[64];
	int rc;

	rc = prepare(&h);
	if (rc == 0)
		rc = script_hash(hash);
	if (rc < 0) {
		rc = vg_error_set(err, rc, "building the HTML report: %s", vg_error_name(rc));
		goto out;
	}
	vg_results_count(res, &c);
	put_head(&h, hash);
	put(&h, "<header>\n<h1>vigil security report</h1>\n");
	put_verdict(&h, &c);
	put_meta(&h);
	put(&h, "</header>\n");
	put_summary(&h);
	put_overview(&h);
	put_details(&h);
	put_errors_and_skips(&h);
	put(&h, "<footer><p class=\"sub\">Written by vigil ");
	esc(&h, res->tool_version ? res->tool_version : VG_VERSION);
	put(&h, ". This page is self-contained: it loads nothing, and its only script adds the "
		"filters.</p></footer>\n<script>");
	put(&h, script);
	put(&h, "</script>\n</body>\n</html>\n");
	errno = 0;
	if (fflush(out) != 0 || ferror(out))
		rc = vg_error_set(err, VG_EIO, "writing the HTML report: %s",
				  errno ? strerror(errno) : "write error");
out:
	vg_report_index_finish(&h.ix);
	free(h.rules);
	free(h.order);
	free(h.start);
	return rc;
}

const struct vg_reporter_impl vg_reporter_html = {
	.name = "html",
	.extension = "html",
	.write = html_write,
};
