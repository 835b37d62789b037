/* SPDX-License-Identifier: Apache-2.0 */
/* The scan engine: opens targets, streams their files to checks once, evaluates rules into findings. */
#include "engine/scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/internal.h"
#include "findings/waiver.h"
#include "limits.h"
#include "regex.h"

uint64_t vg_engine_max_file_size(const struct vg_scan_opts *o)
{
	return o->max_file_size ? o->max_file_size : VG_DEFAULT_MAX_FILE_SIZE;
}

static void runs_free(struct scan *s)
{
	for (size_t i = 0; i < s->nruns; i++) {
		for (size_t k = 0; k < s->runs[i].nleaves; k++)
			vg_leaf_state_finish(&s->runs[i].states[k]);
		free(s->runs[i].states);
		free(s->runs[i].leaves);
		free(s->runs[i].na_reason);
	}
	free(s->runs);
	vg_engine_stream_finish(s);
	free(s->stream_leaves);
	free(s->stream_states);
	free(s->stream_rules);
	s->runs = NULL;
	s->nruns = s->nstream = 0;
	s->stream_leaves = NULL;
	s->stream_states = NULL;
	s->stream_rules = NULL;
}

static int prepare(struct scan *s, const struct vg_rule *const *rules, size_t n,
		   const struct vg_target *t, struct vg_error *err)
{
	size_t total = 0, k = 0;

	s->runs = vg_calloc(n, sizeof(*s->runs));
	if (!s->runs)
		return VG_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct rule_run *run = &s->runs[s->nruns++];

		run->rule = rules[i];
		run->nleaves = vg_engine_count_leaves(rules[i]->check);
		run->leaves = vg_calloc(run->nleaves, sizeof(*run->leaves));
		run->states = vg_calloc(run->nleaves, sizeof(*run->states));
		if (!run->leaves || !run->states) {
			run->nleaves = 0;
			return VG_ENOMEM;
		}
		run->nleaves = 0;
		vg_engine_list_leaves(rules[i]->check, run->leaves, &run->nleaves);
		for (size_t j = 0; j < run->nleaves; j++)
			vg_leaf_state_init(&run->states[j]);
		run->na_reason = vg_engine_applies(rules[i], t);
		run->applicable = run->na_reason == NULL;
		for (size_t j = 0; run->applicable && j < run->nleaves; j++)
			total += run->leaves[j]->impl->scan != NULL;
	}
	if (!(t->kind & VG_TARGET_FILES) || !total)
		return 0;
	s->stream_leaves = vg_calloc(total, sizeof(*s->stream_leaves));
	s->stream_states = vg_calloc(total, sizeof(*s->stream_states));
	s->stream_rules = vg_calloc(total, sizeof(*s->stream_rules));
	if (!s->stream_leaves || !s->stream_states || !s->stream_rules)
		return VG_ENOMEM;
	for (size_t i = 0; i < s->nruns; i++) {
		struct rule_run *run = &s->runs[i];

		for (size_t j = 0; run->applicable && j < run->nleaves; j++) {
			if (!run->leaves[j]->impl->scan)
				continue;
			s->stream_leaves[k] = run->leaves[j];
			s->stream_states[k] = &run->states[j];
			s->stream_rules[k] = run->rule;
			k++;
		}
	}
	s->nstream = k;
	return vg_engine_stream_prepare(s, err);
}

/* Drops the hits out of scope; returns how many are left. */
static size_t keep_in_scope(const struct scan *s, const struct vg_target *t,
			    struct vg_outcome *out)
{
	size_t n = 0;

	for (size_t i = 0; i < out->hits.len; i++) {
		struct vg_finding *h = out->hits.items[i];

		if (vg_engine_out_of_scope(s, t, h->loc.path))
			vg_finding_free(h);
		else
			out->hits.items[n++] = h;
	}
	out->hits.len = n;
	return n;
}

/* --jobs, or the online CPUs when it was not given. */
static unsigned eval_jobs(const struct vg_scan_opts *o)
{
	long n = o->jobs ? (long)o->jobs : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > VG_MAX_JOBS ? VG_MAX_JOBS : (unsigned)n;
}

static int evaluate_runs(struct scan *s, const struct vg_target *t)
{
	int rc = 0;

	for (size_t i = 0; i < s->nruns && rc == 0; i++) {
		struct rule_run *run = &s->runs[i];
		struct vg_eval_ctx ev = {
			.target = t,
			.rule = run->rule,
			.max_file_size = vg_engine_max_file_size(s->opts),
			.facts = s->facts,
			.jobs = eval_jobs(s->opts),
		};
		struct vg_outcome out;
		size_t leaf = 0;

		if ((rc = vg_engine_add_rule(s->res, &run->rule->meta)) < 0)
			break;
		if (!run->applicable) {
			rc = vg_engine_emit(s, run->rule, t, VG_STATUS_NOT_APPLICABLE, NULL, run->na_reason);
			continue;
		}
		vg_outcome_init(&out);
		rc = vg_engine_eval(run, run->rule->check, &leaf, &ev, &out);
		if (rc == 0 && out.status == VG_STATUS_FAIL && out.hits.len &&
		    !keep_in_scope(s, t, &out))
			out.status = VG_STATUS_PASS;
		if (rc == 0 && out.status == VG_STATUS_FAIL && out.hits.len) {
			for (size_t h = 0; h < out.hits.len && rc == 0; h++) {
				rc = vg_engine_emit(s, run->rule, t, VG_STATUS_FAIL, out.hits.items[h], NULL);
				out.hits.items[h] = NULL;
			}
			for (size_t j = 0; j < run->nleaves; j++)
				if (run->states[j].dropped && rc == 0)
					rc = vg_engine_emit(s, run->rule, t, VG_STATUS_ERROR, NULL,
						  "more findings than the per-rule limit; the rest "
						  "were dropped");
		} else if (rc == 0) {
			rc = vg_engine_emit(s, run->rule, t, out.status, NULL, out.reason);
		}
		vg_outcome_finish(&out);
	}
	return rc;
}

static int run_target(struct scan *s, const struct vg_rule *const *rules, size_t n,
		      const struct vg_target *t, const char *buf, size_t buflen, const char *bufpath,
		      struct vg_error *err)
{
	int rc;

	s->target = t;
	s->facts = vg_facts_new();
	if (!s->facts) {
		rc = VG_ENOMEM;
		goto out;
	}
	rc = prepare(s, rules, n, t, err);
	if (rc < 0)
		goto out;
	if (buf) {
		struct vg_file f = {.path = bufpath, .data = buf, .len = buflen};

		rc = vg_engine_offer(s, &f);
		atomic_fetch_add(&s->files_scanned, 1);
		atomic_fetch_add(&s->bytes_scanned, buflen);
	} else if ((t->kind & VG_TARGET_TREE) && t->fs) {
		rc = vg_engine_stream_tree(s, t, err);
	} else if (t->kind & (VG_TARGET_GIT | VG_TARGET_STAGED)) {
		rc = vg_engine_stream_git(s, t, err);
	}
	if (rc < 0)
		goto out;
	rc = evaluate_runs(s, t);
out:
	if (rc == VG_ENOMEM)
		vg_error_set(err, rc, "out of memory while scanning %s", t->label);
	runs_free(s);
	vg_engine_ignore_finish(s);
	vg_facts_free(s->facts);
	s->facts = NULL;
	return rc;
}

static void scan_init(struct scan *s, const struct vg_scan_opts *o, struct vg_results *res)
{
	memset(s, 0, sizeof(*s));
	s->opts = o;
	s->res = res;
	pthread_mutex_init(&s->lock, NULL);
}

static void scan_finish(struct scan *s)
{
	s->res->files_scanned += atomic_load(&s->files_scanned);
	s->res->bytes_scanned += atomic_load(&s->bytes_scanned);
	pthread_mutex_destroy(&s->lock);
}

int vg_scan_rule_on_target(struct vg_results *res, const struct vg_rule *rule,
			   const struct vg_target *target, const struct vg_scan_opts *opts,
			   struct vg_error *err)
{
	struct scan s;
	int rc;

	scan_init(&s, opts, res);
	rc = run_target(&s, &rule, 1, target, NULL, 0, NULL, err);
	scan_finish(&s);
	return rc;
}

int vg_scan_rule_on_buffer(struct vg_results *res, const struct vg_rule *rule, const char *path,
			   const char *data, size_t len, const struct vg_scan_opts *opts,
			   struct vg_error *err)
{
	struct vg_target t = {.kind = VG_TARGET_TREE, .label = (char *)"<example>"};
	struct scan s;
	int rc;

	scan_init(&s, opts, res);
	rc = run_target(&s, &rule, 1, &t, data, len, path, err);
	scan_finish(&s);
	return rc;
}

/* ---- targets ---- */

static void target_finish(struct vg_target *t)
{
	vg_fs_free(t->fs);
	free(t->label);
	free(t->start);
	free(t->repo);
	free(t->range);
}

/* A git target: the history (or the staged changes) of the repository that
 * holds path. Paths in findings are relative to the repository's top. */
static int open_git(struct vg_target *t, const char *path, const struct vg_scan_opts *o,
		    struct vg_error *err)
{
	memset(t, 0, sizeof(*t));
	t->kind = o->staged ? VG_TARGET_STAGED : VG_TARGET_GIT;
	t->repo = strdup(path);
	t->range = vg_strdup(o->git_range);
	t->start = strdup("");
	t->label = o->staged ? vg_asprintf("staged:%s", path)
			     : vg_asprintf("git:%s%s%s", path, o->git_range ? "@" : "",
					   o->git_range ? o->git_range : "");
	if (!t->repo || !t->start || !t->label || (o->git_range && !t->range))
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	return 0;
}

struct ranked {
	struct vg_finding *f;
	size_t index;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	int c = strcmp(x->f->rule->id, y->f->rule->id);

	if (!c)
		c = strcmp(x->f->fingerprint, y->f->fingerprint);
	if (!c) /* the earlier finding came from the earlier commit */
		c = x->index < y->index ? -1 : x->index > y->index;
	return c;
}

/* A secret that stays in a file over many commits is one finding, at the
 * commit that introduced it: keep the first of each rule and fingerprint. */
static int dedupe_history(struct vg_results *res, size_t from)
{
	size_t n = res->findings.len - from, keep = from;
	struct ranked *r;

	if (n < 2)
		return 0;
	r = vg_calloc(n, sizeof(*r));
	if (!r)
		return VG_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		r[i].f = res->findings.items[from + i];
		r[i].index = i;
	}
	qsort(r, n, sizeof(*r), cmp_ranked);
	for (size_t i = 1; i < n; i++) {
		struct vg_finding *a = r[i - 1].f, *b = r[i].f;

		if (a && a->status == VG_STATUS_FAIL && b->status == VG_STATUS_FAIL &&
		    a->rule == b->rule && !strcmp(a->fingerprint, b->fingerprint)) {
			res->findings.items[from + r[i].index] = NULL;
			vg_finding_free(b);
			r[i].f = a; /* later duplicates compare with the first */
		}
	}
	for (size_t i = from; i < res->findings.len; i++)
		if (res->findings.items[i])
			res->findings.items[keep++] = res->findings.items[i];
	res->findings.len = keep;
	free(r);
	return 0;
}

/* A tree target: a directory (walked) or a single regular file. */
static int open_tree(struct vg_target *t, const char *path, struct vg_error *err)
{
	struct stat st;
	char *dir = NULL;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	t->kind = VG_TARGET_TREE;
	if (stat(path, &st) < 0) {
		int e = errno;

		return vg_error_set(err, e == EACCES ? VG_EPERM : VG_ENOTFOUND,
				    "cannot scan '%s': %s", path, strerror(e));
	}
	if (S_ISDIR(st.st_mode)) {
		rc = vg_fs_open(&t->fs, path, VG_FS_BENEATH, err);
		t->start = strdup("");
	} else if (S_ISREG(st.st_mode)) {
		/* A file named on the command line is scanned even through a symlink,
		 * as a directory named there is; the walk follows none, so open the
		 * directory that really holds the file. */
		char *real = realpath(path, NULL);
		const char *slash = real ? strrchr(real, '/') : NULL;

		if (!slash) {
			free(real);
			return vg_error_set(err, VG_ENOTFOUND, "cannot scan '%s': %s", path,
					    strerror(errno));
		}
		dir = vg_strndup(real, slash == real ? 1 : (size_t)(slash - real));
		t->start = strdup(slash + 1);
		free(real);
		if (!dir) {
			free(t->start);
			t->start = NULL;
			return VG_ENOMEM;
		}
		rc = vg_fs_open(&t->fs, dir, VG_FS_BENEATH, err);
	} else {
		return vg_error_set(err, VG_EUNSUPPORTED,
				    "cannot scan '%s': it is a %s (only files and directories "
				    "are scanned)",
				    path, vg_fs_type_name(st.st_mode));
	}
	free(dir);
	if (rc < 0)
		return rc;
	t->label = strdup(path);
	if (!t->label || !t->start)
		return VG_ENOMEM;
	return 0;
}

static int open_system(struct vg_target *t, const char *dir, bool live, struct vg_error *err)
{
	int rc;

	memset(t, 0, sizeof(*t));
	t->kind = live ? VG_TARGET_HOST : VG_TARGET_ROOT;
	t->live = live;
	t->privileged = live && geteuid() == 0;
	rc = vg_fs_open(&t->fs, dir, VG_FS_IN_ROOT, err);
	if (rc < 0)
		return rc;
	t->label = live ? strdup("host") : vg_asprintf("root:%s", dir);
	t->start = strdup("");
	return t->label && t->start ? 0 : VG_ENOMEM;
}

static int record_targets(struct vg_results *res, const struct vg_target *ts, size_t n)
{
	res->targets = vg_calloc(n + 1, sizeof(char *));
	if (!res->targets)
		return VG_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		res->targets[i] = strdup(ts[i].label);
		if (!res->targets[i])
			return VG_ENOMEM;
		res->ntargets++;
	}
	return 0;
}

static int record_policy(struct vg_results *res, const struct vg_policy *pol)
{
	res->policies = vg_calloc(pol->packs.len + 1, sizeof(char *));
	if (!res->policies)
		return VG_ENOMEM;
	for (size_t i = 0; i < pol->packs.len; i++) {
		const struct vg_pack *pk = pol->packs.items[i];

		res->policies[i] = vg_asprintf("%s@%s", pk->id, pk->version);
		if (!res->policies[i])
			return VG_ENOMEM;
		res->npolicies++;
	}
	if (pol->profile && !(res->profile = strdup(pol->profile)))
		return VG_ENOMEM;
	return 0;
}

int vg_scan_run(struct vg_results **out, struct vg_policy *policy, const struct vg_scan_opts *o,
		struct vg_diags *diags, struct vg_error *err)
{
	struct vg_results *res = NULL;
	struct vg_waivers *waivers = NULL;
	struct vg_target *targets = NULL;
	const struct vg_rule **rules = NULL;
	size_t ntargets = 0;
	struct scan s;
	bool scan_started = false;
	int rc = 0;

	*out = NULL;
	res = vg_results_new();
	if (!res)
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	res->tool_version = strdup(VG_VERSION);
	res->started = time(NULL);
	res->fail_on = o->fail_on;
	res->fail_on_none = o->fail_on_none;
	if (o->waivers && (rc = vg_waivers_load(&waivers, o->waivers, diags, err)) < 0)
		goto out;
	targets = vg_calloc(o->npaths + 2, sizeof(*targets));
	rules = vg_calloc(policy->rules.len + 1, sizeof(*rules));
	if (!targets || !rules || !res->tool_version) {
		rc = vg_error_set(err, VG_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < o->npaths; i++) {
		if (o->git || o->staged)
			rc = open_git(&targets[ntargets], o->paths[i], o, err);
		else
			rc = open_tree(&targets[ntargets], o->paths[i], err);
		ntargets++;
		if (rc < 0)
			goto out;
	}
	if (o->root) {
		rc = open_system(&targets[ntargets++], o->root, false, err);
		if (rc < 0)
			goto out;
	}
	if (o->host) {
		rc = open_system(&targets[ntargets++], "/", true, err);
		if (rc < 0)
			goto out;
	}
	if (ntargets == 1 && targets[0].kind == VG_TARGET_TREE)
		res->root = realpath(vg_fs_root(targets[0].fs), NULL); /* a file's directory */
	else if (ntargets == 1 && (targets[0].kind & (VG_TARGET_GIT | VG_TARGET_STAGED)))
		res->root = vg_git_workdir(targets[0].repo);
	if ((rc = record_targets(res, targets, ntargets)) < 0 ||
	    (rc = record_policy(res, policy)) < 0) {
		vg_error_set(err, rc, "out of memory");
		goto out;
	}
	scan_init(&s, o, res);
	scan_started = true;
	for (size_t i = 0; i < ntargets && rc == 0; i++) {
		size_t n = 0;

		for (size_t k = 0; k < policy->rules.len; k++) {
			const struct vg_rule *r = policy->rules.items[k];

			if (r->selected && (r->targets & targets[i].kind))
				rules[n++] = r;
		}
		size_t before = res->findings.len;

		rc = run_target(&s, rules, n, &targets[i], NULL, 0, NULL, err);
		if (rc == 0 && targets[i].kind == VG_TARGET_GIT)
			rc = dedupe_history(res, before);
		if (rc == 0 && (targets[i].kind & (VG_TARGET_GIT | VG_TARGET_STAGED)) &&
		    s.git_stats.shallow) {
			rc = vg_engine_add_skip(&s, targets[i].repo,
						"shallow clone: history before its oldest commit "
						"is not in the repository");
		}
	}
	if (rc < 0)
		goto out;
	if (waivers && (rc = vg_waivers_apply(waivers, res, time(NULL))) < 0) {
		vg_error_set(err, rc, "out of memory");
		goto out;
	}
	res->finished = time(NULL);
	vg_results_sort(res);
	*out = res;
	res = NULL;
out:
	if (scan_started)
		scan_finish(&s);
	for (size_t i = 0; i < ntargets; i++)
		target_finish(&targets[i]);
	free(targets);
	free(rules);
	vg_waivers_free(waivers);
	vg_results_free(res);
	vg_regex_thread_cleanup();
	return rc;
}
