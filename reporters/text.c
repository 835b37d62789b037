/* SPDX-License-Identifier: Apache-2.0 */
/* The human-readable reporter: failures grouped by severity, then a one-line summary. */
#include "reporter.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "report_util.h"

#define ANSI_RESET "\033[0m"
#define ANSI_BOLD "\033[1m"

static const char *const sev_color[VG_SEV_COUNT] = {
	[VG_SEV_INFO] = "\033[2m",
	[VG_SEV_LOW] = "\033[36m",
	[VG_SEV_MEDIUM] = "\033[33m",
	[VG_SEV_HIGH] = "\033[31m",
	[VG_SEV_CRITICAL] = "\033[1;31m",
};

struct text {
	FILE *out;
	const struct vg_report_opts *opts;
};

/* Code points that reorder or break what a reader sees on screen: C1
 * controls, line/paragraph separators and the bidi embeddings, overrides
 * and isolates ("Trojan Source"). */
static bool is_hidden_control(const unsigned char *s, size_t len)
{
	uint32_t cp;

	if (len == 2) {
		cp = ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
		return cp >= 0x80 && cp <= 0x9f;
	}
	if (len != 3)
		return false;
	cp = ((uint32_t)(s[0] & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
	return cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f;
}

/* Writes scan data (paths, messages, evidence) so that it cannot forge
 * report lines or terminal sequences: control bytes, invalid UTF-8 and
 * invisible reordering characters come out as \xNN escapes. */
static void put_safe(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	if (!s)
		return;
	n = strlen(str);
	for (size_t i = 0; i < n;) {
		size_t l = vg_utf8_len(s + i, n - i);

		if (l == 1 && s[i] >= 0x20 && s[i] != 0x7f) {
			fputc(s[i], out);
			i++;
		} else if (l > 1 && !is_hidden_control(s + i, l)) {
			fwrite(s + i, 1, l, out);
			i += l;
		} else {
			/* a bad byte alone; a hidden character as all its bytes */
			if (l == 0)
				l = 1;
			for (size_t k = 0; k < l; k++)
				fprintf(out, "\\x%02x", s[i + k]);
			i += l;
		}
	}
}

static void put_color(const struct text *t, const char *seq)
{
	if (t->opts->color)
		fputs(seq, t->out);
}

static void put_heading(const struct text *t, const char *title)
{
	put_color(t, ANSI_BOLD);
	fputs(title, t->out);
	put_color(t, ANSI_RESET);
	fputc('\n', t->out);
}

static bool has_location(const struct vg_finding *f)
{
	return f->loc.path || f->loc.object;
}

static void put_path_pos(FILE *out, const struct vg_finding *f)
{
	put_safe(out, f->loc.path);
	if (f->loc.line) {
		fprintf(out, ":%zu", f->loc.line);
		if (f->loc.col)
			fprintf(out, ":%zu", f->loc.col);
	}
}

/* "path:line:col", or the object (with the file persisting it, if known). */
static void put_location(FILE *out, const struct vg_finding *f)
{
	if (f->loc.object) {
		put_safe(out, f->loc.object);
		if (f->loc.path) {
			fputs(" (", out);
			put_path_pos(out, f);
			fputc(')', out);
		}
		return;
	}
	put_path_pos(out, f);
}

static void put_rule_id(FILE *out, const struct vg_finding *f)
{
	if (f->rule && f->rule->id)
		put_safe(out, f->rule->id);
	else
		fputs("(unknown rule)", out);
}

/* "rule.id  location  message" as used by every list. */
static void put_brief(FILE *out, const struct vg_finding *f)
{
	put_rule_id(out, f);
	if (has_location(f)) {
		fputs("  ", out);
		put_location(out, f);
	}
	if (f->message) {
		fputs("  ", out);
		put_safe(out, f->message);
	}
}

/* Errors are never listed as suppressed: they make the scan fail regardless. */
static bool is_suppressed(const struct vg_finding *f)
{
	if (f->status == VG_STATUS_ERROR)
		return false;
	return f->status == VG_STATUS_WAIVED || f->suppression != VG_SUPPRESS_NONE;
}

static void put_failure(const struct text *t, const struct vg_finding *f)
{
	FILE *out = t->out;
	enum vg_severity sev = (unsigned)f->severity < VG_SEV_COUNT ? f->severity : VG_SEV_INFO;

	put_color(t, sev_color[sev]);
	fputs(vg_severity_label(sev), out);
	put_color(t, ANSI_RESET);
	fputc(' ', out);
	put_brief(out, f);
	fputc('\n', out);
	if (f->evidence) {
		fputs("    evidence: ", out);
		put_safe(out, f->evidence);
		fputc('\n', out);
	}
	if (f->commit) {
		fputs("    commit ", out);
		put_safe(out, f->commit);
		if (f->author) {
			fputs(" by ", out);
			put_safe(out, f->author);
		}
		if (f->date) {
			fputs(" on ", out);
			put_safe(out, f->date);
		}
		fputc('\n', out);
	}
}

static void put_failures(const struct text *t, const struct vg_results *res)
{
	for (int sev = VG_SEV_CRITICAL; sev >= VG_SEV_INFO; sev--) {
		bool any = false;

		for (size_t i = 0; i < res->findings.len; i++) {
			const struct vg_finding *f = res->findings.items[i];
			int fsev = (unsigned)f->severity < VG_SEV_COUNT ? (int)f->severity : 0;

			if (!vg_finding_counts(f) || fsev != sev)
				continue;
			put_failure(t, f);
			any = true;
		}
		if (any)
			fputc('\n', t->out);
	}
}

static void put_suppressed(const struct text *t, const struct vg_results *res)
{
	bool any = false;

	for (size_t i = 0; i < res->findings.len; i++) {
		const struct vg_finding *f = res->findings.items[i];
		enum vg_suppression why = f->suppression;

		if (!is_suppressed(f))
			continue;
		if (!any)
			put_heading(t, "Waived or suppressed:");
		any = true;
		fputs("  ", t->out);
		put_rule_id(t->out, f);
		if (has_location(f)) {
			fputs("  ", t->out);
			put_location(t->out, f);
		}
		if (why == VG_SUPPRESS_NONE)
			why = VG_SUPPRESS_WAIVER;
		fprintf(t->out, "  (%s", vg_suppression_name(why));
		if (f->justification) {
			fputs(": ", t->out);
			put_safe(t->out, f->justification);
		}
		fputs(")\n", t->out);
	}
	if (any)
		fputc('\n', t->out);
}

/* Lists every unsuppressed finding with one status as "rule  location
 * message" under title; returns whether there was any. */
static bool list_status(const struct text *t, const struct vg_results *res,
			enum vg_status status, const char *title)
{
	bool any = false;

	for (size_t i = 0; i < res->findings.len; i++) {
		const struct vg_finding *f = res->findings.items[i];

		if (f->status != status || is_suppressed(f))
			continue;
		if (!any)
			put_heading(t, title);
		any = true;
		fputs("  ", t->out);
		put_brief(t->out, f);
		fputc('\n', t->out);
	}
	return any;
}

/* A section listing every finding with one status. */
static void put_status_list(const struct text *t, const struct vg_results *res,
			    enum vg_status status, const char *title)
{
	if (list_status(t, res, status, title))
		fputc('\n', t->out);
}

static void put_errors(const struct text *t, const struct vg_results *res)
{
	bool any = list_status(t, res, VG_STATUS_ERROR, "Errors:");

	for (size_t i = 0; i < res->errors.len; i++) {
		if (!any)
			put_heading(t, "Errors:");
		any = true;
		fputs("  ", t->out);
		put_safe(t->out, res->errors.items[i]);
		fputc('\n', t->out);
	}
	if (any)
		fputc('\n', t->out);
}

static void put_skipped(const struct text *t, const struct vg_results *res)
{
	if (!res->skipped.len)
		return;
	put_heading(t, "Skipped:");
	for (size_t i = 0; i < res->skipped.len; i++) {
		const struct vg_skip *s = res->skipped.items[i];

		fputs("  ", t->out);
		put_safe(t->out, s->path);
		if (s->reason) {
			fputs(": ", t->out);
			put_safe(t->out, s->reason);
		}
		fputc('\n', t->out);
	}
	fputc('\n', t->out);
}

static void put_summary(const struct text *t, const struct vg_results *res)
{
	struct vg_counts c;
	size_t failed = 0, other_suppressed = 0;
	bool first = true;

	vg_results_count(res, &c);
	for (int s = 0; s < VG_SEV_COUNT; s++)
		failed += c.fail_by_severity[s];
	/* waived findings are counted as such; this is the rest (baseline, inline, ignore) */
	for (size_t i = 0; i < res->findings.len; i++) {
		const struct vg_finding *f = res->findings.items[i];

		if (is_suppressed(f) && f->status != VG_STATUS_WAIVED)
			other_suppressed++;
	}

	put_color(t, ANSI_BOLD);
	fprintf(t->out, "vigil: %zu failed", failed);
	if (failed) {
		fputs(" (", t->out);
		for (int s = VG_SEV_CRITICAL; s >= VG_SEV_INFO; s--) {
			if (!c.fail_by_severity[s])
				continue;
			fprintf(t->out, "%s%zu %s", first ? "" : ", ", c.fail_by_severity[s],
				vg_severity_name(s));
			first = false;
		}
		fputc(')', t->out);
	}
	fprintf(t->out, ", %zu passed, %zu waived", c.status[VG_STATUS_PASS],
		c.status[VG_STATUS_WAIVED]);
	if (other_suppressed)
		fprintf(t->out, ", %zu suppressed", other_suppressed);
	fprintf(t->out, ", %zu error%s, %zu not evaluated; %" PRIu64 " file%s scanned, %zu skipped",
		c.status[VG_STATUS_ERROR] + res->errors.len,
		c.status[VG_STATUS_ERROR] + res->errors.len == 1 ? "" : "s",
		c.status[VG_STATUS_NOT_EVALUATED], res->files_scanned,
		res->files_scanned == 1 ? "" : "s", res->skipped.len);
	put_color(t, ANSI_RESET);
	fputc('\n', t->out);
}

static int text_write(FILE *out, const struct vg_results *res, const struct vg_report_opts *opts,
		      struct vg_error *err)
{
	static const struct vg_report_opts defaults;
	struct text t = { .out = out, .opts = opts ? opts : &defaults };

	if (!t.opts->quiet) {
		put_failures(&t, res);
		put_suppressed(&t, res);
		put_errors(&t, res);
		put_status_list(&t, res, VG_STATUS_NOT_EVALUATED, "Not evaluated:");
		if (t.opts->verbose > 0) {
			put_status_list(&t, res, VG_STATUS_PASS, "Passed:");
			put_status_list(&t, res, VG_STATUS_NOT_APPLICABLE, "Not applicable:");
			put_skipped(&t, res);
		}
	}
	put_summary(&t, res);
	if (fflush(out) != 0 || ferror(out))
		return vg_error_set(err, VG_EIO, "writing the text report: %s",
				    strerror(errno ? errno : EIO));
	return 0;
}

const struct vg_reporter_impl vg_reporter_text = {
	.name = "text",
	.extension = "txt",
	.write = text_write,
};
