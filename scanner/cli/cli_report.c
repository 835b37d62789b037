/* SPDX-License-Identifier: Apache-2.0 */
/* `vigil report` (render saved results again), `vigil diff` (what changed), --report outputs. */
#include "cli/cli_report.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cli_common.h"
#include "report_util.h"

/* Writes through fn to path via a temporary file renamed into place, so a
 * failed write never leaves a truncated file behind; without a path, to
 * standard output. A path that is not a regular file (/dev/null, a FIFO, a
 * terminal) is written in place: a file renamed over it would replace it.
 * fn returns 0 or VG_E* with err set. */
typedef int (*write_fn)(FILE *out, const void *ud, struct vg_error *err);

/* mkstemp makes 0600: a new report gets the mode a plain create would, a
 * report written again keeps its mode. */
static mode_t file_mode(const char *path)
{
	struct stat st;
	mode_t mask;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return st.st_mode & 07777;
	mask = umask(0);
	umask(mask);
	return 0666 & ~mask;
}

static int write_atomic(const char *path, write_fn fn, const void *ud)
{
	struct vg_error err = {0};
	struct stat st;
	char *tmp = NULL, *real = NULL;
	FILE *f = NULL;
	int fd = -1, rc = -1;

	if (!path) {
		rc = fn(stdout, ud, &err);
		if (rc == 0 && fflush(stdout) != 0)
			rc = vg_error_set(&err, VG_EIO, "writing standard output: %s",
					  strerror(errno));
		goto out;
	}
	/* a symlink is written through, never replaced: the link is the user's */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && (real = realpath(path, NULL)))
		path = real;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0 || !(f = fdopen(fd, "w"))) {
			vg_error_set(&err, VG_EIO, "cannot write %s: %s", path, strerror(errno));
			goto out;
		}
		fd = -1;
		rc = fn(f, ud, &err);
		if (fclose(f) != 0 && rc == 0)
			rc = vg_error_set(&err, VG_EIO, "cannot write %s: %s", path,
					  strerror(errno));
		f = NULL;
		goto out;
	}
	tmp = vg_asprintf("%s.vigil-XXXXXX", path);
	if (!tmp) {
		vg_error_set(&err, VG_ENOMEM, "out of memory");
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		vg_error_set(&err, VG_EIO, "cannot write %s: %s", path, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (fchmod(fd, file_mode(path)) < 0 || !(f = fdopen(fd, "w"))) {
		vg_error_set(&err, VG_EIO, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	fd = -1;
	rc = fn(f, ud, &err);
	if (fclose(f) != 0 && rc == 0)
		rc = vg_error_set(&err, VG_EIO, "cannot write %s: %s", path, strerror(errno));
	f = NULL;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = vg_error_set(&err, VG_EIO, "cannot write %s: %s", path, strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (f)
		fclose(f);
	if (rc < 0 && tmp)
		unlink(tmp);
	if (rc < 0)
		vg_cli_error("%s", err.msg[0] ? err.msg : vg_error_name(rc));
	free(tmp);
	free(real);
	return rc;
}

struct report_job {
	const struct vg_reporter_impl *rep;
	const struct vg_results *res;
	const struct vg_report_opts *ro;
};

static int run_reporter(FILE *out, const void *ud, struct vg_error *err)
{
	const struct report_job *job = ud;

	return job->rep->write(out, job->res, job->ro, err);
}

int vg_cli_write_report(const struct vg_reporter_impl *rep, const struct vg_results *res,
			const struct vg_report_opts *ro, const char *path)
{
	struct report_job job = { rep, res, ro };

	return write_atomic(path, run_reporter, &job);
}

/* The reporter and path of "FORMAT=PATH"; *rep NULL when the format is unknown. */
static const char *split_spec(const char *spec, const struct vg_reporter_impl **rep)
{
	const char *eq = strchr(spec, '=');
	char *format;

	*rep = NULL;
	if (!eq)
		return NULL;
	format = vg_strndup(spec, (size_t)(eq - spec));
	*rep = vg_reporter_find(format);
	free(format);
	return eq + 1;
}

int vg_cli_report_add(struct vg_vec *specs, const char *arg)
{
	const struct vg_reporter_impl *rep;
	const char *path = split_spec(arg, &rep);

	if (!path || !path[0]) {
		vg_cli_error("--report takes FORMAT=PATH, e.g. sarif=vigil.sarif, not '%s'", arg);
		return -1;
	}
	if (!rep) {
		vg_cli_error("--report: unknown format in '%s' (text, json, sarif, junit, "
			     "junit-gitlab, html)", arg);
		return -1;
	}
	for (size_t i = 0; i < specs->len; i++) {
		const struct vg_reporter_impl *other;

		if (!strcmp(split_spec(specs->items[i], &other), path)) {
			vg_cli_error("--report: %s is named twice", path);
			return -1;
		}
	}
	if (vg_vec_push(specs, (void *)arg) < 0) {
		vg_cli_error("out of memory");
		return -1;
	}
	return 0;
}

/* Writes res once per FORMAT=PATH in specs (uncolored). 0, or -1 when any failed. */
static int write_reports(const struct vg_vec *specs, const struct vg_results *res,
			 const struct vg_report_opts *ro)
{
	struct vg_report_opts file_opts = *ro;
	int rc = 0;

	file_opts.color = false;
	for (size_t i = 0; i < specs->len; i++) {
		const struct vg_reporter_impl *rep;
		const char *path = split_spec(specs->items[i], &rep);

		if (rep && vg_cli_write_report(rep, res, &file_opts, path) < 0)
			rc = -1;
	}
	return rc;
}

void vg_cli_output_init(struct vg_cli_output *o)
{
	memset(o, 0, sizeof(*o));
	vg_vec_init(&o->reports);
}

void vg_cli_output_finish(struct vg_cli_output *o)
{
	if (o)
		vg_vec_finish(&o->reports, NULL);
}

int vg_cli_output_option(struct vg_cli_output *o, int opt, char *arg)
{
	switch (opt) {
	case VG_OPT_FORMAT:
		o->format = arg;
		return 1;
	case 'o':
		o->output = arg;
		return 1;
	case VG_OPT_REPORT:
		return vg_cli_report_add(&o->reports, arg) < 0 ? -1 : 1;
	case VG_OPT_COLOR:
		if (strcmp(arg, "auto") && strcmp(arg, "always") && strcmp(arg, "never")) {
			vg_cli_error("--color takes auto, always or never");
			return -1;
		}
		o->color = arg;
		return 1;
	case 'q':
		o->quiet = true;
		return 1;
	case 'v':
		o->verbose++;
		return 1;
	default:
		return 0;
	}
}

bool vg_cli_output_color(const struct vg_cli_output *o)
{
	const char *term = getenv("TERM");

	if (o->output)
		return false;
	if (o->color && !strcmp(o->color, "always"))
		return true;
	if (o->color && !strcmp(o->color, "never"))
		return false;
	if (getenv("NO_COLOR") || (term && !strcmp(term, "dumb")))
		return false;
	return isatty(fileno(stdout));
}

int vg_cli_output_write(const struct vg_cli_output *o, const struct vg_results *res)
{
	struct vg_report_opts ro = {
		.verbose = o->verbose,
		.quiet = o->quiet,
		.color = vg_cli_output_color(o),
	};
	int rc = 0;

	/* every report is attempted, even after one failed */
	if (vg_cli_write_report(vg_reporter_find(o->format), res, &ro, o->output) < 0)
		rc = -1;
	if (write_reports(&o->reports, res, &ro) < 0)
		rc = -1;
	return rc;
}

/* ---- vigil report ---- */

static const struct option report_options[] = {
	VG_CLI_OUTPUT_OPTIONS,
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* Options of report and diff; returns -1 to go on, or an exit code. */
static int parse_report_args(struct vg_cli_output *a, int argc, char **argv, const char *cmd,
			     bool diff)
{
	int opt, r;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:qvh", report_options, NULL)) != -1) {
		if (diff && opt == VG_OPT_REPORT) {
			vg_cli_error("vigil diff has no --report option");
			return VG_EXIT_ERROR;
		}
		r = vg_cli_output_option(a, opt, optarg);
		if (r < 0)
			return VG_EXIT_ERROR;
		if (r == 0)
			return vg_cli_other_option(opt, argv[optind - 1], cmd);
	}
	if (!a->format)
		a->format = "text";
	if (diff ? strcmp(a->format, "text") && strcmp(a->format, "json")
		 : !vg_reporter_find(a->format)) {
		vg_cli_error("unknown format '%s'%s", a->format,
			     diff ? " (vigil diff writes text or json)" : "");
		return VG_EXIT_ERROR;
	}
	if (argc - optind != (diff ? 2 : 1)) {
		vg_cli_error(diff ? "usage: vigil diff OLD.json NEW.json [--format text|json] "
				    "[-o FILE]"
				  : "usage: vigil report RESULTS.json [--format FORMAT] [-o FILE] "
				    "[--report FORMAT=FILE]...");
		return VG_EXIT_ERROR;
	}
	return -1;
}

static int read_results(struct vg_results **out, const char *path)
{
	struct vg_error err = {0};
	int rc = vg_results_read_json(out, path, &err);

	if (rc < 0)
		vg_cli_error("%s", err.msg[0] ? err.msg : vg_error_name(rc));
	return rc;
}

int vg_cli_report(int argc, char **argv)
{
	struct vg_cli_output a;
	struct vg_results *res = NULL;
	int rc;

	vg_cli_output_init(&a);
	rc = parse_report_args(&a, argc, argv, "report", false);
	if (rc >= 0)
		goto out;
	rc = VG_EXIT_ERROR;
	if (read_results(&res, argv[optind]) < 0)
		goto out;
	rc = vg_cli_output_write(&a, res) < 0 ? VG_EXIT_ERROR : VG_EXIT_OK;
out:
	vg_results_free(res);
	vg_cli_output_finish(&a);
	return rc;
}

/* ---- vigil diff ---- */

enum change { CH_NONE, CH_NEW, CH_FIXED, CH_UNCHANGED };

static const char *const change_name[] = {
	[CH_NONE] = "",
	[CH_NEW] = "new",
	[CH_FIXED] = "fixed",
	[CH_UNCHANGED] = "unchanged",
};

/* One side of the diff: its results, each finding's key and what changed. */
struct side {
	struct vg_results *res;
	char **keys;          /* per finding; NULL for passes and the like */
	enum change *change;  /* per finding */
	const char **other;   /* per finding: how the other side had it, when not as a failure */
};

struct keyed {
	const char *key;
	size_t idx;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* The fingerprint, or without one (hand-made results) what identifies the finding. */
static char *finding_key(const struct vg_finding *f)
{
	if (f->fingerprint[0])
		return vg_strdup(f->fingerprint);
	return vg_asprintf("%s\x1f%s\x1f%s\x1f%s\x1f%s", f->rule && f->rule->id ? f->rule->id : "",
			   f->target ? f->target : "", f->loc.path ? f->loc.path : "",
			   f->loc.object ? f->loc.object : "", f->message ? f->message : "");
}

static bool is_failure(const struct vg_finding *f)
{
	return f->status == VG_STATUS_FAIL || f->status == VG_STATUS_WAIVED;
}

/* Keys of the failures of one side: those that count (counting true) or
 * those that are suppressed, sorted. */
static struct keyed *side_keys(const struct side *s, bool counting, size_t *n)
{
	size_t len = s->res->findings.len;
	struct keyed *k = vg_calloc(len ? len : 1, sizeof(*k));

	*n = 0;
	if (!k)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		const struct vg_finding *f = s->res->findings.items[i];

		if (!s->keys[i] || vg_finding_counts(f) != counting)
			continue;
		k[(*n)++] = (struct keyed){ s->keys[i], i };
	}
	qsort(k, *n, sizeof(*k), cmp_keyed);
	return k;
}

static int side_init(struct side *s, const char *path)
{
	size_t n;

	if (read_results(&s->res, path) < 0)
		return -1;
	n = s->res->findings.len;
	s->keys = vg_calloc(n ? n : 1, sizeof(*s->keys));
	s->change = vg_calloc(n ? n : 1, sizeof(*s->change));
	s->other = vg_calloc(n ? n : 1, sizeof(*s->other));
	if (!s->keys || !s->change || !s->other)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		const struct vg_finding *f = s->res->findings.items[i];

		if (!is_failure(f))
			continue;
		s->keys[i] = finding_key(f);
		if (!s->keys[i])
			goto nomem;
	}
	return 0;
nomem:
	vg_cli_error("out of memory");
	return -1;
}

static void side_finish(struct side *s)
{
	for (size_t i = 0; s->res && s->keys && i < s->res->findings.len; i++)
		free(s->keys[i]);
	free(s->keys);
	free(s->change);
	free(s->other);
	vg_results_free(s->res);
}

/* How the other side has a finding with this key when not as a failure that
 * counts: "waived", "baseline", ... or NULL. */
static const char *suppressed_as(const struct side *s, const struct keyed *k, size_t n,
				 const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(k[mid].key, key);

		if (c == 0) {
			const struct vg_finding *f = s->res->findings.items[k[mid].idx];

			return f->status == VG_STATUS_WAIVED ? "waived"
							     : vg_suppression_name(f->suppression);
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Pairs the failures that count on both sides by key, as multisets: a key
 * twice in NEW and once in OLD is one unchanged and one new finding. */
static int match(struct side *old, struct side *new)
{
	size_t no, nn, so, sn;
	struct keyed *ko = side_keys(old, true, &no), *kn = side_keys(new, true, &nn);
	struct keyed *sup_old = side_keys(old, false, &so), *sup_new = side_keys(new, false, &sn);
	size_t i = 0, j = 0;
	int rc = -1;

	if (!ko || !kn || !sup_old || !sup_new) {
		vg_cli_error("out of memory");
		goto out;
	}
	while (i < no || j < nn) {
		int c = i == no ? 1 : j == nn ? -1 : strcmp(ko[i].key, kn[j].key);

		if (c < 0) {
			old->change[ko[i].idx] = CH_FIXED;
			old->other[ko[i].idx] = suppressed_as(new, sup_new, sn, ko[i].key);
			i++;
		} else if (c > 0) {
			new->change[kn[j].idx] = CH_NEW;
			new->other[kn[j].idx] = suppressed_as(old, sup_old, so, kn[j].key);
			j++;
		} else {
			new->change[kn[j].idx] = CH_UNCHANGED;
			i++;
			j++;
		}
	}
	rc = 0;
out:
	free(ko);
	free(kn);
	free(sup_old);
	free(sup_new);
	return rc;
}

static size_t count_change(const struct side *s, enum change ch)
{
	size_t n = 0;

	for (size_t i = 0; i < s->res->findings.len; i++)
		n += s->change[i] == ch;
	return n;
}

static void put_diff_line(FILE *out, const struct side *s, size_t i, bool color)
{
	const struct vg_finding *f = s->res->findings.items[i];
	enum change ch = s->change[i];

	fprintf(out, "  %s%-8s%s ", color ? "\033[1m" : "", vg_severity_label(f->severity),
		color ? "\033[0m" : "");
	vg_safe_put(out, f->rule && f->rule->id ? f->rule->id : "(unknown rule)");
	if (f->loc.object) {
		fputs("  ", out);
		vg_safe_put(out, f->loc.object);
	}
	if (f->loc.path) {
		fputs(f->loc.object ? " (" : "  ", out);
		vg_safe_put(out, f->loc.path);
		if (f->loc.line)
			fprintf(out, ":%zu", f->loc.line);
		if (f->loc.line && f->loc.col)
			fprintf(out, ":%zu", f->loc.col);
		if (f->loc.object)
			fputc(')', out);
	}
	if (f->message) {
		fputs("  ", out);
		vg_safe_put(out, f->message);
	}
	if (s->other[i])
		fprintf(out, "  (%s %s)", ch == CH_NEW ? "was" : "now", s->other[i]);
	fputc('\n', out);
}

static void put_diff_section(FILE *out, const struct side *s, enum change ch, const char *title,
			     bool color)
{
	size_t n = count_change(s, ch);

	if (!n)
		return;
	fprintf(out, "%s%s (%zu):%s\n", color ? "\033[1m" : "", title, n, color ? "\033[0m" : "");
	for (size_t i = 0; i < s->res->findings.len; i++)
		if (s->change[i] == ch)
			put_diff_line(out, s, i, color);
	fputc('\n', out);
}

static int diff_text(FILE *out, const struct side *old, const struct side *new, bool color)
{
	put_diff_section(out, new, CH_NEW, "New", color);
	put_diff_section(out, old, CH_FIXED, "Fixed", color);
	put_diff_section(out, new, CH_UNCHANGED, "Unchanged", color);
	fprintf(out, "vigil diff: %zu new, %zu fixed, %zu unchanged\n", count_change(new, CH_NEW),
		count_change(old, CH_FIXED), count_change(new, CH_UNCHANGED));
	return ferror(out) ? -1 : 0;
}

static int set(json_t *o, const char *key, json_t *v)
{
	return json_object_set_new(o, key, v) < 0 ? -1 : 0;
}

static int set_str(json_t *o, const char *key, const char *v)
{
	return v ? set(o, key, vg_json_str(v)) : 0;
}

static int set_pos(json_t *o, const char *key, size_t v)
{
	return v ? set(o, key, json_integer((json_int_t)v)) : 0;
}

static json_t *diff_finding(const struct side *s, size_t i)
{
	const struct vg_finding *f = s->res->findings.items[i];
	json_t *o = json_object(), *loc = json_object();

	if (!o || !loc || set_str(loc, "path", f->loc.path) < 0 ||
	    set_pos(loc, "line", f->loc.line) < 0 || set_pos(loc, "col", f->loc.col) < 0 ||
	    set_str(loc, "object", f->loc.object) < 0 ||
	    set_str(o, "rule", f->rule ? f->rule->id : NULL) < 0 ||
	    set(o, "severity", json_string(vg_severity_name(f->severity))) < 0 ||
	    set(o, "status", json_string(vg_status_name(f->status))) < 0 ||
	    set_str(o, "target", f->target) < 0 || set(o, "location", json_incref(loc)) < 0 ||
	    set_str(o, "message", f->message) < 0 || set_str(o, "evidence", f->evidence) < 0 ||
	    (f->fingerprint[0] && set_str(o, "fingerprint", f->fingerprint) < 0) ||
	    set_str(o, s->change[i] == CH_NEW ? "previously" : "now", s->other[i]) < 0) {
		json_decref(o);
		o = NULL;
	}
	json_decref(loc);
	return o;
}

static json_t *diff_list(const struct side *s, enum change ch)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < s->res->findings.len; i++) {
		if (s->change[i] != ch)
			continue;
		if (json_array_append_new(a, diff_finding(s, i)) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *scan_brief(const struct vg_results *res)
{
	json_t *o = json_object(), *targets = json_array();
	char started[32];

	vg_report_time(started, res->started, true);
	for (size_t i = 0; targets && res->targets && i < res->ntargets; i++)
		if (json_array_append_new(targets, vg_json_str(res->targets[i] ? res->targets[i]
								      : "")) < 0)
			goto fail;
	if (!o || !targets || set(o, "started", json_string(started)) < 0 ||
	    set(o, "targets", json_incref(targets)) < 0)
		goto fail;
	json_decref(targets);
	return o;
fail:
	json_decref(o);
	json_decref(targets);
	return NULL;
}

static int diff_json(FILE *out, const struct side *old, const struct side *new)
{
	json_t *o = json_object(), *sum = json_object(), *scans = json_object();
	int rc = -1;

	if (!o || !sum || !scans || set(o, "schema", json_string("vigil-diff")) < 0 ||
	    set(o, "schema_version", json_string("1.0")) < 0 ||
	    set(scans, "old", scan_brief(old->res)) < 0 ||
	    set(scans, "new", scan_brief(new->res)) < 0 ||
	    set(o, "scans", json_incref(scans)) < 0 ||
	    set(sum, "new", json_integer((json_int_t)count_change(new, CH_NEW))) < 0 ||
	    set(sum, "fixed", json_integer((json_int_t)count_change(old, CH_FIXED))) < 0 ||
	    set(sum, "unchanged", json_integer((json_int_t)count_change(new, CH_UNCHANGED))) < 0 ||
	    set(o, "summary", json_incref(sum)) < 0 ||
	    set(o, change_name[CH_NEW], diff_list(new, CH_NEW)) < 0 ||
	    set(o, change_name[CH_FIXED], diff_list(old, CH_FIXED)) < 0 ||
	    set(o, change_name[CH_UNCHANGED], diff_list(new, CH_UNCHANGED)) < 0)
		goto out;
	if (json_dumpf(o, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 || fputc('\n', out) == EOF)
		goto out;
	rc = 0;
out:
	json_decref(o);
	json_decref(sum);
	json_decref(scans);
	return rc;
}

struct diff_job {
	const struct vg_cli_output *a;
	const struct side *old;
	const struct side *new;
};

static int run_diff(FILE *out, const void *ud, struct vg_error *err)
{
	const struct diff_job *job = ud;
	int rc;

	errno = 0;
	if (!strcmp(job->a->format, "json"))
		rc = diff_json(out, job->old, job->new);
	else
		rc = diff_text(out, job->old, job->new, vg_cli_output_color(job->a));
	if (rc < 0 || fflush(out) != 0 || ferror(out))
		return vg_error_set(err, VG_EIO, "writing the diff: %s",
				    errno ? strerror(errno) : "out of memory or write error");
	return 0;
}

int vg_cli_diff(int argc, char **argv)
{
	struct vg_cli_output a;
	struct side old = {0}, new = {0};
	struct diff_job job;
	int rc;

	vg_cli_output_init(&a);
	rc = parse_report_args(&a, argc, argv, "diff", true);
	if (rc >= 0)
		goto out;
	rc = VG_EXIT_ERROR;
	if (side_init(&old, argv[optind]) < 0 || side_init(&new, argv[optind + 1]) < 0 ||
	    match(&old, &new) < 0)
		goto out;
	job = (struct diff_job){ &a, &old, &new };
	if (write_atomic(a.output, run_diff, &job) < 0)
		goto out;
	rc = count_change(&new, CH_NEW) ? VG_EXIT_FINDINGS : VG_EXIT_OK;
out:
	side_finish(&old);
	side_finish(&new);
	vg_cli_output_finish(&a);
	return rc;
}
