/* SPDX-License-Identifier: Apache-2.0 */
/* The scan engine: opens targets, streams tree files to checks once, evaluates rules into findings. */
#include "engine/scan.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "facts/facts.h"
#include "findings/waiver.h"
#include "glob.h"
#include "limits.h"
#include "regex.h"
#include "targets/walk.h"

/* Problems reading part of a target: reported as findings with status error. */
static struct vg_rule_meta unreadable_rule = {
	.id = "vigil.scan.unreadable",
	.pack = "vigil",
	.title = "Part of the target could not be read",
	.description = "vigil could not read a file or directory of the target, so the rules "
		       "were not evaluated on it.",
	.remediation = "Run the scan with enough privileges to read the whole target, or "
		       "exclude the path with --exclude.",
	.severity = VG_SEV_INFO,
	.security_severity = -1.0,
};

/* One leaf's state, in the order leaves are met walking a rule's check tree. */
struct rule_run {
	const struct vg_rule *rule;
	struct vg_leaf_state *states;
	const struct vg_check **leaves;
	size_t nleaves;
	bool applicable;
	char *na_reason;
};

struct scan {
	const struct vg_scan_opts *opts;
	struct vg_results *res;
	pthread_mutex_t lock; /* res->skipped, res->findings while streaming */
	struct rule_run *runs;
	size_t nruns;
	/* streaming leaves of every run, flattened for the workers */
	const struct vg_check **stream_leaves;
	struct vg_leaf_state **stream_states;
	const struct vg_rule **stream_rules;
	size_t nstream;
	/* files of a tree target, collected by the walk */
	struct vg_vec files; /* struct entry * */
	atomic_size_t next;
	atomic_uint_least64_t files_scanned, bytes_scanned;
	const struct vg_target *target;
	struct vg_facts *facts; /* the current target's collected facts */
	int fatal;            /* first VG_ENOMEM from a worker */
	/* the tree's .vigilignore: path globs (pruned from the walk) and fingerprints */
	struct vg_vec ignore_globs;
	struct vg_vec ignore_fps;
	struct vg_blob ignore_blob;
};

struct entry {
	struct vg_stat st;
	char path[]; /* relative to the target root */
};

static unsigned default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > VG_MAX_JOBS ? VG_MAX_JOBS : (unsigned)n;
}

static uint64_t max_file_size(const struct vg_scan_opts *o)
{
	return o->max_file_size ? o->max_file_size : VG_DEFAULT_MAX_FILE_SIZE;
}

/* ---- findings ---- */

static bool has_rule(const struct vg_results *res, const struct vg_rule_meta *m)
{
	for (size_t i = 0; i < res->rules.len; i++)
		if (res->rules.items[i] == m)
			return true;
	return false;
}

static int add_rule(struct vg_results *res, const struct vg_rule_meta *m)
{
	if (has_rule(res, m))
		return 0;
	return vg_vec_push(&res->rules, (void *)m);
}

/* Redacts the secret inside the evidence unless the user asked to see it. */
static int redact(struct vg_finding *f, bool show)
{
	char *masked, *ev;
	size_t len;

	if (!f->rule->sensitive || show || !f->evidence)
		return 0;
	len = strlen(f->evidence);
	if (f->secret_len == 0) {
		masked = vg_redact(f->evidence, len);
		if (!masked)
			return VG_ENOMEM;
		free(f->evidence);
		f->evidence = masked;
		f->redacted = true;
		return 0;
	}
	if (f->secret_off > len)
		f->secret_off = len;
	if (f->secret_len > len - f->secret_off)
		f->secret_len = len - f->secret_off;
	masked = vg_redact(f->evidence + f->secret_off, f->secret_len);
	if (!masked)
		return VG_ENOMEM;
	ev = vg_asprintf("%.*s%s%s", (int)f->secret_off, f->evidence, masked,
			 f->evidence + f->secret_off + f->secret_len);
	free(masked);
	if (!ev)
		return VG_ENOMEM;
	free(f->evidence);
	f->evidence = ev;
	f->redacted = true;
	return 0;
}

/* Turns a hit (or a bare status) into a finding of rule on target; takes hit. */
static int emit(struct scan *s, const struct vg_rule *rule, const struct vg_target *t,
		enum vg_status status, struct vg_finding *hit, const char *reason)
{
	struct vg_finding *f = hit ? hit : vg_finding_new();
	int rc = VG_ENOMEM;

	if (!f)
		return VG_ENOMEM;
	f->rule = &rule->meta;
	f->status = status;
	f->severity = rule->meta.severity;
	free(f->target);
	f->target = strdup(t->label);
	if (!f->target)
		goto fail;
	if (!f->message) {
		f->message = reason ? vg_asprintf("%s: %s", rule->meta.title, reason)
				    : strdup(rule->meta.title);
		if (!f->message)
			goto fail;
	}
	if (f->raw_key)
		vg_finding_fingerprint(f, f->raw_key, f->raw_key_len);
	else
		vg_finding_fingerprint(f, t->label, strlen(t->label));
	if (status == VG_STATUS_FAIL) {
		for (size_t i = 0; i < s->ignore_fps.len; i++) {
			if (strcmp(s->ignore_fps.items[i], f->fingerprint))
				continue;
			f->suppression = VG_SUPPRESS_IGNORE;
			free(f->justification);
			f->justification = strdup("listed in .vigilignore");
			break;
		}
	}
	if (redact(f, s->opts->show_secrets) < 0)
		goto fail;
	free(f->raw_key);
	f->raw_key = NULL;
	f->raw_key_len = f->secret_off = f->secret_len = 0;
	pthread_mutex_lock(&s->lock);
	rc = vg_vec_push(&s->res->findings, f);
	pthread_mutex_unlock(&s->lock);
	if (rc < 0)
		goto fail;
	return 0;
fail:
	vg_finding_free(f);
	return VG_ENOMEM;
}

/* A file or directory that could not be read: an error finding, the scan goes on. */
static int emit_unreadable(struct scan *s, const struct vg_target *t, const char *path,
			   const char *msg)
{
	struct vg_finding *f = vg_hit_new(path, 0, 0, NULL, "%s", msg);
	int rc;

	if (!f)
		return VG_ENOMEM;
	f->rule = &unreadable_rule;
	f->status = VG_STATUS_ERROR;
	f->severity = unreadable_rule.severity;
	f->target = strdup(t->label);
	vg_finding_fingerprint(f, msg, strlen(msg));
	pthread_mutex_lock(&s->lock);
	rc = add_rule(s->res, &unreadable_rule);
	if (rc == 0)
		rc = vg_vec_push(&s->res->findings, f);
	pthread_mutex_unlock(&s->lock);
	if (rc < 0 || !f->target) {
		if (rc == 0) /* pushed but incomplete: leave it, the label is cosmetic */
			return 0;
		vg_finding_free(f);
		return VG_ENOMEM;
	}
	return 0;
}

static int add_skip(struct scan *s, const char *path, const char *reason)
{
	struct vg_skip *k = calloc(1, sizeof(*k));
	int rc = VG_ENOMEM;

	if (!k)
		return VG_ENOMEM;
	k->path = strdup(path);
	k->reason = strdup(reason);
	if (k->path && k->reason) {
		pthread_mutex_lock(&s->lock);
		rc = vg_vec_push(&s->res->skipped, k);
		pthread_mutex_unlock(&s->lock);
	}
	if (rc < 0) {
		free(k->path);
		free(k->reason);
		free(k);
	}
	return rc;
}

/* ---- check trees ---- */

static size_t count_leaves(const struct vg_check *c)
{
	size_t n = 0;

	if (c->op == VG_CHECK_LEAF)
		return 1;
	for (size_t i = 0; i < c->nkids; i++)
		n += count_leaves(c->kids[i]);
	return n;
}

static void list_leaves(const struct vg_check *c, const struct vg_check **out, size_t *n)
{
	if (c->op == VG_CHECK_LEAF) {
		out[(*n)++] = c;
		return;
	}
	for (size_t i = 0; i < c->nkids; i++)
		list_leaves(c->kids[i], out, n);
}

static int move_hits(struct vg_outcome *to, struct vg_outcome *from)
{
	for (size_t i = 0; i < from->hits.len; i++) {
		if (vg_vec_push(&to->hits, from->hits.items[i]) < 0)
			return VG_ENOMEM;
		from->hits.items[i] = NULL;
	}
	from->hits.len = 0;
	return 0;
}

static void take_reason(struct vg_outcome *to, struct vg_outcome *from, enum vg_status st)
{
	to->status = st;
	if (!to->reason) {
		to->reason = from->reason;
		from->reason = NULL;
	}
}

static int eval_check(struct rule_run *run, const struct vg_check *c, size_t *leaf,
		      const struct vg_eval_ctx *ev, struct vg_outcome *out);

/* all: fail beats error beats not-evaluated; pass only when every child passes
 * or does not apply. any: pass beats error beats not-evaluated beats fail. */
static int eval_combinator(struct rule_run *run, const struct vg_check *c, size_t *leaf,
			   const struct vg_eval_ctx *ev, struct vg_outcome *out)
{
	struct vg_outcome kid[1];
	size_t count[VG_STATUS_COUNT] = {0};
	struct vg_outcome fails, passes, other;
	enum vg_status other_status = VG_STATUS_PASS;
	int rc = 0;

	vg_outcome_init(&fails);
	vg_outcome_init(&passes);
	vg_outcome_init(&other);
	for (size_t i = 0; i < c->nkids; i++) {
		vg_outcome_init(kid);
		rc = eval_check(run, c->kids[i], leaf, ev, kid);
		if (rc < 0) {
			vg_outcome_finish(kid);
			goto out;
		}
		count[kid->status]++;
		if (kid->status == VG_STATUS_FAIL)
			rc = move_hits(&fails, kid);
		else if (kid->status == VG_STATUS_PASS)
			rc = move_hits(&passes, kid);
		if (kid->status == VG_STATUS_ERROR && other_status != VG_STATUS_ERROR) {
			free(other.reason);
			other.reason = NULL;
			take_reason(&other, kid, VG_STATUS_ERROR);
			other_status = VG_STATUS_ERROR;
		} else if (kid->status == VG_STATUS_NOT_EVALUATED &&
			   other_status == VG_STATUS_PASS) {
			/* a not-applicable child's reason may be there: this one explains more */
			free(other.reason);
			other.reason = NULL;
			take_reason(&other, kid, VG_STATUS_NOT_EVALUATED);
			other_status = VG_STATUS_NOT_EVALUATED;
		} else if (kid->status == VG_STATUS_NOT_APPLICABLE && !other.reason) {
			other.reason = kid->reason;
			kid->reason = NULL;
		}
		vg_outcome_finish(kid);
		if (rc < 0)
			goto out;
	}
	if (c->op == VG_CHECK_ALL) {
		if (count[VG_STATUS_FAIL]) {
			out->status = VG_STATUS_FAIL;
			rc = move_hits(out, &fails);
		} else if (other_status != VG_STATUS_PASS) {
			take_reason(out, &other, other_status);
		} else if (count[VG_STATUS_NOT_APPLICABLE] == c->nkids) {
			take_reason(out, &other, VG_STATUS_NOT_APPLICABLE);
		} else {
			out->status = VG_STATUS_PASS;
			rc = move_hits(out, &passes);
		}
	} else {
		if (count[VG_STATUS_PASS]) {
			out->status = VG_STATUS_PASS;
			rc = move_hits(out, &passes);
		} else if (other_status != VG_STATUS_PASS) {
			take_reason(out, &other, other_status);
		} else if (count[VG_STATUS_NOT_APPLICABLE] == c->nkids) {
			take_reason(out, &other, VG_STATUS_NOT_APPLICABLE);
		} else {
			out->status = VG_STATUS_FAIL;
			rc = move_hits(out, &fails);
		}
	}
out:
	vg_outcome_finish(&fails);
	vg_outcome_finish(&passes);
	vg_outcome_finish(&other);
	return rc;
}

static int eval_not(struct rule_run *run, const struct vg_check *c, size_t *leaf,
		    const struct vg_eval_ctx *ev, struct vg_outcome *out)
{
	struct vg_outcome kid;
	int rc;

	vg_outcome_init(&kid);
	rc = eval_check(run, c->kids[0], leaf, ev, &kid);
	if (rc < 0)
		goto out;
	if (kid.status == VG_STATUS_FAIL) {
		out->status = VG_STATUS_PASS;
	} else if (kid.status == VG_STATUS_PASS) {
		out->status = VG_STATUS_FAIL;
		/* what satisfied the child is what the rule forbids */
		for (size_t i = 0; i < kid.hits.len; i++) {
			struct vg_finding *h = kid.hits.items[i];
			char *m = vg_asprintf("condition that must not hold: %s", h->message);

			if (!m) {
				rc = VG_ENOMEM;
				goto out;
			}
			free(h->message);
			h->message = m;
		}
		rc = move_hits(out, &kid);
	} else {
		take_reason(out, &kid, kid.status);
	}
out:
	vg_outcome_finish(&kid);
	return rc;
}

static int eval_check(struct rule_run *run, const struct vg_check *c, size_t *leaf,
		      const struct vg_eval_ctx *ev, struct vg_outcome *out)
{
	struct vg_leaf_state *st;

	switch (c->op) {
	case VG_CHECK_ALL:
	case VG_CHECK_ANY:
		return eval_combinator(run, c, leaf, ev, out);
	case VG_CHECK_NOT:
		return eval_not(run, c, leaf, ev, out);
	case VG_CHECK_LEAF:
		break;
	}
	st = &run->states[(*leaf)++];
	if (!ev->target->fs && !c->impl->scan) {
		vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE, "the '%s' check needs a file tree",
			       c->impl->name);
		return 0;
	}
	if (!(c->impl->targets & ev->target->kind)) {
		vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE, "the '%s' check does not apply to %s "
			       "targets", c->impl->name, vg_target_kind_name(ev->target->kind));
		return 0;
	}
	return c->impl->evaluate(c->cfg, st, ev, out);
}

/* ---- applicability ---- */

/* ID and ID_LIKE of /etc/os-release (or /usr/lib/os-release) inside the target. */
static bool os_family_matches(const struct vg_target *t, char *const *fams, size_t n)
{
	static const char *const files[] = {"/etc/os-release", "/usr/lib/os-release"};
	struct vg_error err = {0};
	struct vg_blob b = {0};
	bool hit = false;

	if (!t->fs || !(t->kind & (VG_TARGET_ROOT | VG_TARGET_HOST)))
		return false;
	for (size_t i = 0; i < 2 && !b.data; i++)
		if (vg_fs_read(t->fs, files[i], VG_MAX_CONFIG_FILE_BYTES, &b, &err) < 0)
			vg_blob_finish(&b);
	if (!b.data)
		return false;
	for (char *line = b.data; line && !hit;) {
		char *nl = strchr(line, '\n'), *v;

		if (nl)
			*nl = '\0';
		if (!strncmp(line, "ID=", 3) || !strncmp(line, "ID_LIKE=", 8)) {
			v = strchr(line, '=') + 1;
			if (*v == '"' || *v == '\'')
				v++;
			v[strcspn(v, "\"'")] = '\0';
			for (char *sp = NULL, *tok = strtok_r(v, " ", &sp); tok && !hit;
			     tok = strtok_r(NULL, " ", &sp))
				for (size_t k = 0; k < n; k++)
					hit |= !strcmp(tok, fams[k]);
		}
		line = nl ? nl + 1 : NULL;
	}
	vg_blob_finish(&b);
	return hit;
}

static int exists_cb(void *ud, const char *path)
{
	(void)path;
	*(bool *)ud = true;
	return 1;
}

static bool path_exists(const struct vg_target *t, const char *p)
{
	struct vg_error err = {0};
	struct vg_stat st;
	bool found = false;

	if (!t->fs)
		return false;
	if (!vg_glob_has_magic(p))
		return vg_fs_lstat(t->fs, p, &st, &err) == 0;
	vg_fs_glob(t->fs, p, exists_cb, &found, NULL, &err);
	return found;
}

static char *applies(const struct vg_rule *r, const struct vg_target *t)
{
	if (r->nos_family && !os_family_matches(t, r->os_family, r->nos_family))
		return strdup("the target's operating system is not one the rule is for");
	for (size_t i = 0; i < r->nrequires_paths; i++)
		if (!path_exists(t, r->requires_paths[i]))
			return vg_asprintf("%s does not exist", r->requires_paths[i]);
	return NULL;
}

/* ---- tree streaming ---- */

static int collect_entry(void *ud, const struct vg_walk_entry *e)
{
	struct scan *s = ud;
	struct entry *en;
	size_t len = strlen(e->path), size;

	if (!S_ISREG(e->st.mode)) {
		if (S_ISLNK(e->st.mode))
			return 0; /* never followed; what it points to inside the tree is scanned there */
		return add_skip(s, e->path, vg_fs_type_name(e->st.mode)) < 0 ? VG_ENOMEM : 0;
	}
	if (!vg_add_size(&size, sizeof(*en), len + 1))
		return VG_ELIMIT;
	en = malloc(size);
	if (!en)
		return VG_ENOMEM;
	en->st = e->st;
	memcpy(en->path, e->path, len + 1);
	if (vg_vec_push(&s->files, en) < 0) {
		free(en);
		return VG_ENOMEM;
	}
	return 0;
}

static int walk_error(void *ud, const char *path, int code, const char *msg)
{
	struct scan *s = ud;

	(void)code;
	return emit_unreadable(s, s->target, path, msg) < 0 ? VG_ENOMEM : 0;
}

static bool is_binary(const char *data, size_t len)
{
	size_t n = len < VG_BINARY_SNIFF_BYTES ? len : VG_BINARY_SNIFF_BYTES;

	return memchr(data, '\0', n) != NULL;
}

/* Offers one file's bytes to every streaming leaf that wants it. */
static int offer(struct scan *s, const char *path, const char *data, size_t len,
		 const struct vg_stat *st)
{
	struct vg_file f = {.path = path, .data = data, .len = len, .st = st};

	for (size_t i = 0; i < s->nstream; i++) {
		const struct vg_check *c = s->stream_leaves[i];
		struct vg_eval_ctx ev = {
			.target = s->target,
			.rule = s->stream_rules[i],
			.max_file_size = max_file_size(s->opts),
			.facts = s->facts,
		};
		int rc;

		if (path && c->impl->wants && !c->impl->wants(c->cfg, path))
			continue;
		rc = c->impl->scan(c->cfg, s->stream_states[i], &f, &ev);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Whether some streaming leaf wants the file: no other file is read at all. */
static bool wanted(const struct scan *s, const char *path)
{
	for (size_t i = 0; i < s->nstream; i++) {
		const struct vg_check *c = s->stream_leaves[i];

		if (!c->impl->wants || c->impl->wants(c->cfg, path))
			return true;
	}
	return false;
}

static int scan_one(struct scan *s, const struct entry *en)
{
	struct vg_error err = {0};
	struct vg_blob b = {0};
	uint64_t max = max_file_size(s->opts);
	int rc;

	if (!wanted(s, en->path))
		return 0;

	if (en->st.size > max) {
		char reason[128];

		snprintf(reason, sizeof(reason), "larger than --max-file-size (%llu > %llu bytes)",
			 (unsigned long long)en->st.size, (unsigned long long)max);
		return add_skip(s, en->path, reason);
	}
	rc = vg_fs_read(s->target->fs, en->path, max, &b, &err);
	if (rc == VG_ELIMIT && strstr(err.msg, "larger"))
		return add_skip(s, en->path, "grew past --max-file-size while being read");
	if (rc == VG_EUNSUPPORTED || rc == VG_ENOTFOUND)
		return add_skip(s, en->path, err.msg); /* replaced since the walk */
	if (rc < 0)
		return emit_unreadable(s, s->target, en->path, err.msg);
	if (is_binary(b.data, b.len)) {
		rc = add_skip(s, en->path, "binary");
		goto out;
	}
	atomic_fetch_add(&s->files_scanned, 1);
	atomic_fetch_add(&s->bytes_scanned, b.len);
	rc = offer(s, en->path, b.data, b.len, &en->st);
out:
	vg_blob_finish(&b);
	return rc;
}

static void *worker(void *ud)
{
	struct scan *s = ud;

	for (;;) {
		size_t i = atomic_fetch_add(&s->next, 1);
		int rc;

		if (i >= s->files.len)
			break;
		rc = scan_one(s, s->files.items[i]);
		if (rc == VG_ENOMEM) {
			pthread_mutex_lock(&s->lock);
			s->fatal = rc;
			pthread_mutex_unlock(&s->lock);
			break;
		}
	}
	vg_regex_thread_cleanup();
	return NULL;
}

static bool is_fingerprint(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == 32;
}

/* Reads .vigilignore at the top of a scanned directory: one path glob or
 * finding fingerprint per line, '#' starts a comment. */
static int load_ignore(struct scan *s, const struct vg_target *t)
{
	struct vg_error err = {0};
	int rc;

	if (*t->start)
		return 0;
	rc = vg_fs_read(t->fs, ".vigilignore", VG_MAX_CONFIG_FILE_BYTES, &s->ignore_blob, &err);
	if (rc == VG_ENOTFOUND)
		return 0;
	if (rc < 0)
		return emit_unreadable(s, t, ".vigilignore", err.msg);
	for (char *line = s->ignore_blob.data; line && *line;) {
		char *nl = strchr(line, '\n'), *end;

		if (nl)
			*nl = '\0';
		line += strspn(line, " \t");
		end = line + strlen(line);
		while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			*--end = '\0';
		/* "dir/" means the directory, as in .gitignore */
		while (end > line + 1 && end[-1] == '/')
			*--end = '\0';
		if (*line && *line != '#') {
			rc = vg_vec_push(is_fingerprint(line) ? &s->ignore_fps : &s->ignore_globs, line);
			if (rc < 0)
				return rc;
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

static void ignore_finish(struct scan *s)
{
	vg_vec_finish(&s->ignore_globs, NULL);
	vg_vec_finish(&s->ignore_fps, NULL);
	vg_blob_finish(&s->ignore_blob);
}

static int stream_tree(struct scan *s, const struct vg_target *t, struct vg_error *err)
{
	const char **excl = NULL;
	struct vg_walk_opts wo = {.skip_git_dir = true};
	unsigned jobs = s->opts->jobs ? s->opts->jobs : default_jobs();
	pthread_t *th = NULL;
	size_t started = 0;
	int rc;

	vg_vec_init(&s->files);
	atomic_store(&s->next, 0);
	if ((rc = load_ignore(s, t)) < 0)
		goto out;
	if (!s->nstream)
		goto out; /* no check reads files one by one: nothing to walk for */
	excl = vg_calloc(s->opts->nexclude + s->ignore_globs.len + 1, sizeof(*excl));
	if (!excl) {
		rc = VG_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < s->opts->nexclude; i++)
		excl[wo.nexclude++] = s->opts->exclude[i];
	for (size_t i = 0; i < s->ignore_globs.len; i++)
		excl[wo.nexclude++] = s->ignore_globs.items[i];
	wo.exclude = excl;
	rc = vg_walk(t->fs, t->start, &wo, collect_entry, walk_error, s, err);
	if (rc < 0)
		goto out;
	if (jobs > s->files.len)
		jobs = s->files.len ? (unsigned)s->files.len : 1;
	if (jobs <= 1) {
		worker(s);
	} else {
		th = vg_calloc(jobs, sizeof(*th));
		if (!th) {
			rc = VG_ENOMEM;
			goto out;
		}
		for (; started < jobs; started++)
			if (pthread_create(&th[started], NULL, worker, s) != 0)
				break;
		if (!started)
			worker(s);
		for (size_t i = 0; i < started; i++)
			pthread_join(th[i], NULL);
	}
	if (s->fatal)
		rc = s->fatal;
out:
	if (rc == VG_ENOMEM)
		vg_error_set(err, rc, "out of memory while scanning %s", t->label);
	free(th);
	free(excl);
	vg_vec_finish(&s->files, free);
	return rc;
}

/* ---- one target ---- */

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
		   const struct vg_target *t)
{
	size_t total = 0, k = 0;

	s->runs = vg_calloc(n, sizeof(*s->runs));
	if (!s->runs)
		return VG_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct rule_run *run = &s->runs[s->nruns++];

		run->rule = rules[i];
		run->nleaves = count_leaves(rules[i]->check);
		run->leaves = vg_calloc(run->nleaves, sizeof(*run->leaves));
		run->states = vg_calloc(run->nleaves, sizeof(*run->states));
		if (!run->leaves || !run->states) {
			run->nleaves = 0;
			return VG_ENOMEM;
		}
		run->nleaves = 0;
		list_leaves(rules[i]->check, run->leaves, &run->nleaves);
		for (size_t j = 0; j < run->nleaves; j++)
			vg_leaf_state_init(&run->states[j]);
		run->na_reason = applies(rules[i], t);
		run->applicable = run->na_reason == NULL;
		for (size_t j = 0; run->applicable && j < run->nleaves; j++)
			total += run->leaves[j]->impl->scan != NULL;
	}
	if (!(t->kind & VG_TARGET_TREE) || !total)
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
	return 0;
}

/* Whether path (as a check found it) is outside what the tree target scans:
 * not the file named on the command line, inside .git, or pruned by --exclude
 * or .vigilignore. The walk applies these to streamed files; checks that look
 * paths up themselves (file) do not see them, so their hits are filtered here. */
static bool out_of_scope(const struct scan *s, const struct vg_target *t, const char *path)
{
	char buf[VG_MAX_PATH_BYTES];
	size_t len;

	if (!(t->kind & VG_TARGET_TREE) || !path || !t->start) /* in-memory examples: no start */
		return false;
	path += strspn(path, "/");
	if (*t->start)
		return strcmp(path, t->start) != 0; /* named explicitly: no exclusions */
	len = strlen(path);
	if (len >= sizeof(buf))
		return false;
	memcpy(buf, path, len + 1);
	/* every leading part, as the walk tests each directory before entering it */
	for (char *comp = buf;;) {
		char *slash = strchr(comp, '/');

		if (slash)
			*slash = '\0';
		if (slash && !strcmp(comp, ".git")) /* inside it; .git itself may be checked */
			return true;
		for (size_t i = 0; i < s->opts->nexclude; i++)
			if (vg_glob_match(s->opts->exclude[i], buf))
				return true;
		for (size_t i = 0; i < s->ignore_globs.len; i++)
			if (vg_glob_match(s->ignore_globs.items[i], buf))
				return true;
		if (!slash)
			return false;
		*slash = '/';
		comp = slash + 1;
	}
}

/* Drops the hits out of scope; returns how many are left. */
static size_t keep_in_scope(const struct scan *s, const struct vg_target *t,
			    struct vg_outcome *out)
{
	size_t n = 0;

	for (size_t i = 0; i < out->hits.len; i++) {
		struct vg_finding *h = out->hits.items[i];

		if (out_of_scope(s, t, h->loc.path))
			vg_finding_free(h);
		else
			out->hits.items[n++] = h;
	}
	out->hits.len = n;
	return n;
}

static int evaluate_runs(struct scan *s, const struct vg_target *t)
{
	int rc = 0;

	for (size_t i = 0; i < s->nruns && rc == 0; i++) {
		struct rule_run *run = &s->runs[i];
		struct vg_eval_ctx ev = {
			.target = t,
			.rule = run->rule,
			.max_file_size = max_file_size(s->opts),
			.facts = s->facts,
		};
		struct vg_outcome out;
		size_t leaf = 0;

		if ((rc = add_rule(s->res, &run->rule->meta)) < 0)
			break;
		if (!run->applicable) {
			rc = emit(s, run->rule, t, VG_STATUS_NOT_APPLICABLE, NULL, run->na_reason);
			continue;
		}
		vg_outcome_init(&out);
		rc = eval_check(run, run->rule->check, &leaf, &ev, &out);
		if (rc == 0 && out.status == VG_STATUS_FAIL && out.hits.len &&
		    !keep_in_scope(s, t, &out))
			out.status = VG_STATUS_PASS;
		if (rc == 0 && out.status == VG_STATUS_FAIL && out.hits.len) {
			for (size_t h = 0; h < out.hits.len && rc == 0; h++) {
				rc = emit(s, run->rule, t, VG_STATUS_FAIL, out.hits.items[h], NULL);
				out.hits.items[h] = NULL;
			}
			for (size_t j = 0; j < run->nleaves; j++)
				if (run->states[j].dropped && rc == 0)
					rc = emit(s, run->rule, t, VG_STATUS_ERROR, NULL,
						  "more findings than the per-rule limit; the rest "
						  "were dropped");
		} else if (rc == 0) {
			rc = emit(s, run->rule, t, out.status, NULL, out.reason);
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
	rc = prepare(s, rules, n, t);
	if (rc < 0)
		goto out;
	if (buf) {
		rc = offer(s, bufpath, buf, buflen, NULL);
		atomic_fetch_add(&s->files_scanned, 1);
		atomic_fetch_add(&s->bytes_scanned, buflen);
	} else if ((t->kind & VG_TARGET_TREE) && t->fs) {
		rc = stream_tree(s, t, err);
	}
	if (rc < 0)
		goto out;
	rc = evaluate_runs(s, t);
out:
	if (rc == VG_ENOMEM)
		vg_error_set(err, rc, "out of memory while scanning %s", t->label);
	runs_free(s);
	ignore_finish(s);
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
		rc = run_target(&s, rules, n, &targets[i], NULL, 0, NULL, err);
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
