/* SPDX-License-Identifier: Apache-2.0 */
/* Streams a target's files to the checks that read them: a tree walked once, or a git history's blobs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/internal.h"
#include "engine/prefilter.h"
#include "glob.h"
#include "limits.h"
#include "regex.h"
#include "targets/walk.h"

static unsigned default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > VG_MAX_JOBS ? VG_MAX_JOBS : (unsigned)n;
}

/* ---- the set of streaming leaves ---- */

void vg_engine_stream_finish(struct scan *s)
{
	for (size_t i = 0; i < s->ngroups; i++) {
		if (s->groups[i].impl)
			s->groups[i].impl->group_free(s->groups[i].group);
		free(s->groups[i].members);
		free(s->groups[i].states);
		free(s->groups[i].rules);
	}
	free(s->groups);
	free(s->singles);
	s->groups = NULL;
	s->singles = NULL;
	s->ngroups = s->nsingles = 0;
}

/* Puts the streaming leaves of types that scan together into groups, so a
 * file costs one prefilter pass for all secret detectors, not one per rule. */
int vg_engine_stream_prepare(struct scan *s, struct vg_error *err)
{
	const void **cfgs = NULL;
	bool *grouped = vg_calloc(s->nstream, sizeof(*grouped));
	int rc = 0;

	s->singles = vg_calloc(s->nstream, sizeof(*s->singles));
	s->groups = vg_calloc(s->nstream, sizeof(*s->groups));
	cfgs = vg_calloc(s->nstream, sizeof(*cfgs));
	if (!grouped || !s->singles || !s->groups || !cfgs) {
		rc = vg_error_set(err, VG_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < s->nstream; i++) {
		const struct vg_check_impl *impl = s->stream_leaves[i]->impl;
		struct stream_group *g;
		size_t n = 0;

		if (grouped[i])
			continue;
		if (!impl->group_new) {
			s->singles[s->nsingles++] = i;
			if (!impl->wants)
				s->all_wanted = true;
			continue;
		}
		g = &s->groups[s->ngroups];
		g->impl = impl;
		g->members = vg_calloc(s->nstream - i, sizeof(*g->members));
		g->states = vg_calloc(s->nstream - i, sizeof(*g->states));
		g->rules = vg_calloc(s->nstream - i, sizeof(*g->rules));
		s->ngroups++; /* freed with the others from here on */
		if (!g->members || !g->states || !g->rules) {
			g->impl = NULL;
			rc = vg_error_set(err, VG_ENOMEM, "out of memory");
			goto out;
		}
		for (size_t k = i; k < s->nstream; k++) {
			if (s->stream_leaves[k]->impl != impl)
				continue;
			grouped[k] = true;
			g->members[n] = k;
			g->states[n] = s->stream_states[k];
			g->rules[n] = s->stream_rules[k];
			cfgs[n++] = s->stream_leaves[k]->cfg;
		}
		g->n = n;
		rc = impl->group_new(&g->group, cfgs, n, err);
		if (rc < 0) {
			g->impl = NULL;
			goto out;
		}
	}
out:
	free(grouped);
	free(cfgs);
	return rc;
}

/* Whether some streaming leaf wants the file: no other file is read at all. */
static bool wanted(const struct scan *s, const char *path)
{
	if (s->all_wanted)
		return true;
	for (size_t i = 0; i < s->ngroups; i++)
		if (s->groups[i].impl->group_wants(s->groups[i].group, path))
			return true;
	for (size_t i = 0; i < s->nsingles; i++) {
		const struct vg_check *c = s->stream_leaves[s->singles[i]];

		if (c->impl->wants(c->cfg, path))
			return true;
	}
	return false;
}

/* Offers one file's bytes to every streaming leaf that wants it. */
int vg_engine_offer(struct scan *s, const struct vg_file *f)
{
	struct vg_eval_ctx ev = {
		.target = s->target,
		.max_file_size = vg_engine_max_file_size(s->opts),
		.facts = s->facts,
	};
	int rc;

	for (size_t i = 0; i < s->ngroups; i++) {
		const struct stream_group *g = &s->groups[i];

		rc = g->impl->group_scan(g->group, g->states, g->rules, f, &ev);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < s->nsingles; i++) {
		const struct vg_check *c = s->stream_leaves[s->singles[i]];

		if (f->path && c->impl->wants && !c->impl->wants(c->cfg, f->path))
			continue;
		ev.rule = s->stream_rules[s->singles[i]];
		rc = c->impl->scan(c->cfg, s->stream_states[s->singles[i]], f, &ev);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- trees ---- */

/* The files of a tree, handed to the workers as the walk finds them, so
 * reading starts while directories are still being listed. */
struct feed {
	struct scan *s;
	pthread_mutex_t lock;  /* s->files and the fields below */
	pthread_cond_t more;
	size_t taken;          /* files handed out */
	bool done;             /* the walk is over: no more files will come */
	bool stop;             /* a worker ran out of memory: hand out nothing more */
};

static int collect_entry(void *ud, const struct vg_walk_entry *e)
{
	struct feed *fd = ud;
	struct scan *s = fd->s;
	struct entry *en;
	size_t len = strlen(e->path), size;
	int rc;

	if (!S_ISREG(e->st.mode)) {
		if (S_ISLNK(e->st.mode))
			return 0; /* never followed; what it points to inside the tree is scanned there */
		return vg_engine_add_skip(s, e->path, vg_fs_type_name(e->st.mode)) < 0 ? VG_ENOMEM
											  : 0;
	}
	if (!wanted(s, e->path))
		return 0;
	if (!vg_add_size(&size, sizeof(*en), len + 1))
		return VG_ELIMIT;
	en = malloc(size);
	if (!en)
		return VG_ENOMEM;
	en->st = e->st;
	memcpy(en->path, e->path, len + 1);
	pthread_mutex_lock(&fd->lock);
	rc = vg_vec_push(&s->files, en);
	if (rc == 0)
		pthread_cond_signal(&fd->more);
	pthread_mutex_unlock(&fd->lock);
	if (rc < 0) {
		free(en);
		return VG_ENOMEM;
	}
	return 0;
}

static int walk_error(void *ud, const char *path, int code, const char *msg)
{
	struct scan *s = ((struct feed *)ud)->s;

	(void)code;
	return vg_engine_emit_unreadable(s, s->target, path, msg) < 0 ? VG_ENOMEM : 0;
}

static bool is_binary(const char *data, size_t len)
{
	size_t n = len < VG_BINARY_SNIFF_BYTES ? len : VG_BINARY_SNIFF_BYTES;

	return memchr(data, '\0', n) != NULL;
}

static int scan_one(struct scan *s, const struct entry *en)
{
	struct vg_error err = {0};
	struct vg_blob b = {0};
	uint64_t max = vg_engine_max_file_size(s->opts);
	struct vg_file f = {.path = en->path, .st = &en->st};
	int rc;

	if (en->st.size > max) {
		char reason[128];

		snprintf(reason, sizeof(reason), "larger than --max-file-size (%llu > %llu bytes)",
			 (unsigned long long)en->st.size, (unsigned long long)max);
		return vg_engine_add_skip(s, en->path, reason);
	}
	rc = vg_fs_read(s->target->fs, en->path, max, &b, &err);
	if (rc == VG_ELIMIT && strstr(err.msg, "larger"))
		return vg_engine_add_skip(s, en->path, "grew past --max-file-size while being read");
	if (rc == VG_EUNSUPPORTED || rc == VG_ENOTFOUND)
		return vg_engine_add_skip(s, en->path, err.msg); /* replaced since the walk */
	if (rc < 0)
		return vg_engine_emit_unreadable(s, s->target, en->path, err.msg);
	if (is_binary(b.data, b.len)) {
		rc = vg_engine_add_skip(s, en->path, "binary");
		goto out;
	}
	atomic_fetch_add(&s->files_scanned, 1);
	atomic_fetch_add(&s->bytes_scanned, b.len);
	f.data = b.data;
	f.len = b.len;
	rc = vg_engine_offer(s, &f);
out:
	vg_blob_finish(&b);
	return rc;
}

/* The next file to scan, waiting for the walk when it has none yet; NULL
 * when there are no more. */
static const struct entry *next_file(struct feed *fd)
{
	const struct entry *en = NULL;

	pthread_mutex_lock(&fd->lock);
	while (fd->taken == fd->s->files.len && !fd->done && !fd->stop)
		pthread_cond_wait(&fd->more, &fd->lock);
	if (fd->taken < fd->s->files.len && !fd->stop)
		en = fd->s->files.items[fd->taken++];
	pthread_mutex_unlock(&fd->lock);
	return en;
}

static void *worker(void *ud)
{
	struct feed *fd = ud;
	const struct entry *en;

	while ((en = next_file(fd))) {
		if (scan_one(fd->s, en) == VG_ENOMEM) {
			pthread_mutex_lock(&fd->s->lock);
			fd->s->fatal = VG_ENOMEM;
			pthread_mutex_unlock(&fd->s->lock);
			pthread_mutex_lock(&fd->lock);
			fd->stop = true;
			pthread_cond_broadcast(&fd->more);
			pthread_mutex_unlock(&fd->lock);
			break;
		}
	}
	vg_regex_thread_cleanup();
	vg_prefilter_thread_cleanup();
	return NULL;
}

/* Ends the feed: workers take what is left and return. */
static void feed_close(struct feed *fd)
{
	pthread_mutex_lock(&fd->lock);
	fd->done = true;
	pthread_cond_broadcast(&fd->more);
	pthread_mutex_unlock(&fd->lock);
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
		return vg_engine_emit_unreadable(s, t, ".vigilignore", err.msg);
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

void vg_engine_ignore_finish(struct scan *s)
{
	vg_vec_finish(&s->ignore_globs, NULL);
	vg_vec_finish(&s->ignore_fps, NULL);
	vg_blob_finish(&s->ignore_blob);
	vg_git_ignore_free(s->gitignore);
	s->gitignore = NULL;
}

static bool gitignored(void *ud, const char *path, bool is_dir)
{
	struct scan *s = ud;

	return s->gitignore && vg_git_ignored(s->gitignore, path, is_dir);
}

/* Inside a git work tree, files .gitignore excludes are not scanned, as
 * git itself would not track them (--no-ignore turns this off). */
static void open_gitignore(struct scan *s, const struct vg_target *t)
{
	struct vg_error err = {0};

	if (s->opts->no_ignore || *t->start)
		return;
	if (vg_git_ignore_open(&s->gitignore, vg_fs_root(t->fs), &err) < 0)
		s->gitignore = NULL;
}

int vg_engine_stream_tree(struct scan *s, const struct vg_target *t, struct vg_error *err)
{
	const char **excl = NULL;
	struct vg_walk_opts wo = {.skip_git_dir = true, .skip = gitignored, .skip_ud = s};
	unsigned jobs = s->opts->jobs ? s->opts->jobs : default_jobs();
	struct feed fd = {.s = s};
	pthread_t *th = NULL;
	size_t started = 0;
	int rc;

	vg_vec_init(&s->files);
	pthread_mutex_init(&fd.lock, NULL);
	pthread_cond_init(&fd.more, NULL);
	if ((rc = load_ignore(s, t)) < 0)
		goto out;
	if (!s->nstream)
		goto out; /* no check reads files one by one: nothing to walk for */
	open_gitignore(s, t);
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
	/* with several jobs the workers start first and scan while this thread
	 * walks; with one, the walk comes first and this thread scans */
	if (jobs > 1) {
		th = vg_calloc(jobs, sizeof(*th));
		if (!th) {
			rc = VG_ENOMEM;
			goto out;
		}
		for (; started < jobs; started++)
			if (pthread_create(&th[started], NULL, worker, &fd) != 0)
				break;
	}
	rc = vg_walk(t->fs, t->start, &wo, collect_entry, walk_error, &fd, err);
	if (rc < 0) {
		pthread_mutex_lock(&fd.lock);
		fd.stop = true;
		pthread_mutex_unlock(&fd.lock);
	}
	feed_close(&fd);
	if (!started && rc == 0)
		worker(&fd);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if (rc == 0 && s->fatal)
		rc = s->fatal;
out:
	if (rc == VG_ENOMEM)
		vg_error_set(err, rc, "out of memory while scanning %s", t->label);
	free(th);
	free(excl);
	vg_vec_finish(&s->files, free);
	pthread_cond_destroy(&fd.more);
	pthread_mutex_destroy(&fd.lock);
	return rc;
}

/* Whether path (as a check found it) is outside what the tree target scans:
 * not the file named on the command line, inside .git, or pruned by --exclude
 * or .vigilignore. The walk applies these to streamed files; checks that look
 * paths up themselves (file) do not see them, so their hits are filtered here. */
bool vg_engine_out_of_scope(const struct scan *s, const struct vg_target *t, const char *path)
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

/* ---- git ---- */

/* Fingerprints this git scan has already kept, so a secret a file holds over
 * many commits is one hit from the start (not thousands that fill the
 * per-rule cap before scan.c's dedupe_history sees them). */
struct fpset {
	char (*slots)[33];    /* "" marks a free slot */
	size_t cap, len;
};

static size_t fp_hash(const char *fp)
{
	size_t h = 0;

	for (size_t i = 0; i < 2 * sizeof(h) && fp[i]; i++)
		h = h << 4 | (size_t)(fp[i] <= '9' ? fp[i] - '0' : fp[i] - 'a' + 10);
	return h;
}

/* 1 when fp was new (now in the set), 0 when already there, VG_ENOMEM. */
static int fpset_add(struct fpset *set, const char *fp)
{
	size_t k;

	if ((set->len + 1) * 2 > set->cap) {
		struct fpset n = {.cap = set->cap ? set->cap * 2 : 1024};

		n.slots = vg_calloc(n.cap, sizeof(*n.slots));
		if (!n.slots)
			return VG_ENOMEM;
		for (size_t i = 0; i < set->cap; i++) {
			if (!set->slots[i][0])
				continue;
			for (k = fp_hash(set->slots[i]) & (n.cap - 1); n.slots[k][0];
			     k = (k + 1) & (n.cap - 1))
				;
			memcpy(n.slots[k], set->slots[i], sizeof(n.slots[k]));
			n.len++;
		}
		free(set->slots);
		*set = n;
	}
	for (k = fp_hash(fp) & (set->cap - 1); set->slots[k][0]; k = (k + 1) & (set->cap - 1))
		if (!strcmp(set->slots[k], fp))
			return 0;
	snprintf(set->slots[k], sizeof(set->slots[k]), "%s", fp);
	set->len++;
	return 1;
}

struct git_walk {
	struct scan *s;
	const struct vg_target *t;
	size_t *marks;        /* hits per stream state before the current blob */
	bool only_new;        /* range and staged scans: drop what the parent already had */
	struct fpset kept;
};

/* Whether --exclude or .vigilignore prunes path or a directory above it, as
 * they prune the tree walk. */
static bool excluded_blob(const struct scan *s, const char *path)
{
	char buf[VG_MAX_PATH_BYTES];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, path, len + 1);
	for (char *p = buf;;) {
		char *slash = strchr(p, '/');

		if (slash)
			*slash = '\0';
		for (size_t i = 0; i < s->opts->nexclude; i++)
			if (vg_glob_match(s->opts->exclude[i], buf))
				return true;
		for (size_t i = 0; i < s->ignore_globs.len; i++)
			if (vg_glob_match(s->ignore_globs.items[i], buf))
				return true;
		if (!slash)
			return false;
		*slash = '/';
		p = slash + 1;
	}
}

/* The .vigilignore at the top of the work tree applies to git scans too (a
 * bare repository has none). */
static int load_git_ignore(struct scan *s, const struct vg_target *t)
{
	struct vg_target top = {.kind = VG_TARGET_TREE, .label = t->label, .start = (char *)""};
	struct vg_error err = {0};
	char *dir = vg_git_workdir(t->repo);
	int rc = 0;

	if (dir && vg_fs_open(&top.fs, dir, VG_FS_BENEATH, &err) == 0)
		rc = load_ignore(s, &top);
	vg_fs_free(top.fs);
	free(dir);
	return rc;
}

/* Gives the new hits of one blob their commit, and in range or staged scans
 * drops hits whose secret the previous version of the file already held. */
static int annotate_hits(struct git_walk *w, const struct vg_git_blob *b)
{
	struct scan *s = w->s;

	for (size_t i = 0; i < s->nstream; i++) {
		struct vg_vec *hits = &s->stream_states[i]->hits;
		size_t keep = w->marks[i];

		for (size_t k = w->marks[i]; k < hits->len; k++) {
			struct vg_finding *h = hits->items[k];
			int added = 1;

			if (w->only_new && h->raw_key &&
			    vg_git_parent_contains(b, h->raw_key, h->raw_key_len)) {
				vg_finding_free(h);
				continue;
			}
			if (h->raw_key) { /* the fingerprint vg_engine_emit will give it */
				h->rule = &s->stream_rules[i]->meta;
				vg_finding_fingerprint(h, h->raw_key, h->raw_key_len);
				if (h->fingerprint[0])
					added = fpset_add(&w->kept, h->fingerprint);
				if (added < 0)
					return VG_ENOMEM;
			}
			if (!added) {
				vg_finding_free(h);
				continue;
			}
			if (b->origin->commit[0]) {
				h->commit = strdup(b->origin->commit);
				h->author = vg_strdup(b->origin->author);
				h->date = strdup(b->origin->date);
				if (!h->commit || !h->date)
					return VG_ENOMEM;
			}
			hits->items[keep++] = h;
		}
		hits->len = keep;
		w->marks[i] = keep;
	}
	return 0;
}

static int on_blob(void *ud, const struct vg_git_blob *b)
{
	struct git_walk *w = ud;
	struct scan *s = w->s;
	struct vg_file f = {.path = b->path, .data = b->data, .len = b->len, .origin = b->origin};
	int rc;

	if (excluded_blob(s, b->path) || !wanted(s, b->path))
		return 0;
	atomic_fetch_add(&s->files_scanned, 1);
	atomic_fetch_add(&s->bytes_scanned, b->len);
	rc = vg_engine_offer(s, &f);
	if (rc < 0)
		return rc;
	return annotate_hits(w, b);
}

/* Blobs a git scan left out, one note each kind (a history can hold many). */
static int note_git_skips(struct scan *s, const struct vg_target *t, uint64_t max)
{
	const struct vg_git_stats *st = &s->git_stats;
	char reason[160];
	int rc = 0;

	if (st->skipped_large) {
		snprintf(reason, sizeof(reason),
			 "%llu blob%s larger than --max-file-size (%llu bytes)",
			 (unsigned long long)st->skipped_large, st->skipped_large == 1 ? "" : "s",
			 (unsigned long long)max);
		rc = vg_engine_add_skip(s, t->repo, reason);
	}
	if (rc == 0 && st->skipped_binary) {
		snprintf(reason, sizeof(reason), "%llu binary blob%s",
			 (unsigned long long)st->skipped_binary,
			 st->skipped_binary == 1 ? "" : "s");
		rc = vg_engine_add_skip(s, t->repo, reason);
	}
	return rc;
}

int vg_engine_stream_git(struct scan *s, const struct vg_target *t, struct vg_error *err)
{
	struct git_walk w = {.s = s, .t = t};
	uint64_t max = vg_engine_max_file_size(s->opts);
	int rc;

	if (!s->nstream)
		return 0;
	if ((rc = load_git_ignore(s, t)) < 0)
		return vg_error_set(err, rc, "out of memory");
	w.marks = vg_calloc(s->nstream, sizeof(*w.marks));
	if (!w.marks)
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	if (t->kind == VG_TARGET_STAGED) {
		w.only_new = true;
		rc = vg_git_staged(t->repo, max, on_blob, &w, &s->git_stats, err);
	} else {
		w.only_new = t->range != NULL;
		rc = vg_git_history(t->repo, t->range, max, on_blob, &w, &s->git_stats, err);
	}
	if (rc == 0)
		rc = note_git_skips(s, t, max);
	free(w.marks);
	free(w.kept.slots);
	return rc;
}
