/* SPDX-License-Identifier: Apache-2.0 */
/* Reads git histories, the index and .gitignore rules through libgit2 (never by parsing git's output). */
#include "targets/git.h"

#include <git2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "limits.h"
#include "util.h"

/* ---- a set of object ids, so each blob is offered once ---- */

struct oidset {
	git_oid *slots;
	unsigned char *used;
	size_t cap, len;
};

static size_t oid_hash(const git_oid *id)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h)); /* ids are uniformly distributed already */
	return h;
}

static int oidset_grow(struct oidset *s)
{
	struct oidset n = {0};

	n.cap = s->cap ? s->cap * 2 : 4096;
	n.slots = vg_calloc(n.cap, sizeof(*n.slots));
	n.used = vg_calloc(n.cap, 1);
	if (!n.slots || !n.used) {
		free(n.slots);
		free(n.used);
		return VG_ENOMEM;
	}
	for (size_t i = 0; i < s->cap; i++) {
		size_t k;

		if (!s->used[i])
			continue;
		for (k = oid_hash(&s->slots[i]) & (n.cap - 1); n.used[k]; k = (k + 1) & (n.cap - 1))
			;
		n.slots[k] = s->slots[i];
		n.used[k] = 1;
		n.len++;
	}
	free(s->slots);
	free(s->used);
	*s = n;
	return 0;
}

/* 1 when id was new (and is now in the set), 0 when already there, <0 on ENOMEM. */
static int oidset_add(struct oidset *s, const git_oid *id)
{
	size_t k;

	if ((s->len + 1) * 2 > s->cap && oidset_grow(s) < 0)
		return VG_ENOMEM;
	for (k = oid_hash(id) & (s->cap - 1); s->used[k]; k = (k + 1) & (s->cap - 1))
		if (!git_oid_cmp(&s->slots[k], id))
			return 0;
	s->slots[k] = *id;
	s->used[k] = 1;
	s->len++;
	return 1;
}

static void oidset_finish(struct oidset *s)
{
	free(s->slots);
	free(s->used);
	memset(s, 0, sizeof(*s));
}

/* ---- errors ---- */

static int git_fail(struct vg_error *err, int gerr, const char *what)
{
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : "unknown libgit2 error";
	int code = VG_EIO;

	if (gerr == GIT_ENOTFOUND)
		code = VG_ENOTFOUND;
	else if (e && (e->klass == GIT_ERROR_ODB || e->klass == GIT_ERROR_ZLIB ||
		       e->klass == GIT_ERROR_OBJECT || e->klass == GIT_ERROR_INDEX))
		code = VG_EPARSE;
	else if (gerr == GIT_EINVALIDSPEC || gerr == GIT_EAMBIGUOUS)
		code = VG_ENOTFOUND;
	return vg_error_set(err, code, "%s: %s", what, msg);
}

/* ---- blob delivery ---- */

struct parent_ref {
	git_repository *repo;
	git_tree *tree;        /* parent's tree (history) or HEAD's (staged); may be NULL */
	const char *path;
};

bool vg_git_parent_contains(const struct vg_git_blob *b, const char *s, size_t n)
{
	const struct parent_ref *p = b->priv;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	bool found = false;

	if (!p || !p->tree || !n)
		return false;
	if (git_tree_entry_bypath(&entry, p->tree, p->path) != 0)
		return false;
	if (git_tree_entry_type(entry) == GIT_OBJECT_BLOB &&
	    git_blob_lookup(&blob, p->repo, git_tree_entry_id(entry)) == 0) {
		found = memmem(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), s, n) != NULL;
		git_blob_free(blob);
	}
	git_tree_entry_free(entry);
	return found;
}

struct offer_ctx {
	git_repository *repo;
	uint64_t max_blob;
	vg_git_blob_fn fn;
	void *ud;
	struct vg_git_stats *stats;
	struct vg_buf copy;   /* blobs are copied to add the terminating NUL */
	struct vg_error *err;
};

static int offer_blob(struct offer_ctx *c, const git_oid *id, const char *path,
		      const struct vg_git_origin *origin, git_tree *parent)
{
	struct parent_ref pref = {.repo = c->repo, .tree = parent, .path = path};
	struct vg_git_blob b = {.path = path, .origin = origin, .priv = &pref};
	git_blob *blob = NULL;
	git_object_size_t size;
	int rc, g;

	g = git_blob_lookup(&blob, c->repo, id);
	if (g != 0) {
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), id);
		return git_fail(c->err, g == GIT_ENOTFOUND ? GIT_ERROR : g, hex);
	}
	size = git_blob_rawsize(blob);
	if (size > c->max_blob) {
		c->stats->skipped_large++;
		rc = 0;
		goto out;
	}
	if (git_blob_is_binary(blob)) {
		c->stats->skipped_binary++;
		rc = 0;
		goto out;
	}
	vg_buf_clear(&c->copy);
	if ((rc = vg_buf_append(&c->copy, git_blob_rawcontent(blob), (size_t)size)) < 0) {
		vg_error_set(c->err, rc, "out of memory reading blob of %s", path);
		goto out;
	}
	b.data = c->copy.data ? c->copy.data : "";
	b.len = (size_t)size;
	c->stats->blobs++;
	c->stats->bytes += size;
	rc = c->fn(c->ud, &b);
out:
	git_blob_free(blob);
	return rc;
}

static bool is_file_mode(uint16_t mode)
{
	return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE;
}

static void set_origin(struct vg_git_origin *o, const git_commit *commit, char **author,
		       uint64_t seq)
{
	const git_signature *sig = git_commit_author(commit);
	struct tm tm;
	time_t t;

	git_oid_tostr(o->commit, sizeof(o->commit), git_commit_id(commit));
	free(*author);
	*author = sig ? vg_asprintf("%s <%s>", sig->name ? sig->name : "",
				    sig->email ? sig->email : "")
		      : NULL;
	o->author = *author;
	o->date[0] = '\0';
	if (sig) {
		t = (time_t)sig->when.time;
		if (gmtime_r(&t, &tm))
			strftime(o->date, sizeof(o->date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	o->seq = seq;
}

static int open_repo(git_repository **repo, const char *path, struct vg_error *err)
{
	int g = git_repository_open_ext(repo, path, 0, NULL);

	if (g != 0)
		return git_fail(err, g, path);
	return 0;
}

/* One commit: compare with its first parent and offer new blobs. */
static int walk_commit(struct offer_ctx *c, struct oidset *seen, git_commit *commit,
		       uint64_t seq, char **author)
{
	struct vg_git_origin origin;
	git_commit *parent = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	git_diff *diff = NULL;
	int g, rc = 0;

	if ((g = git_commit_tree(&tree, commit)) != 0)
		return git_fail(c->err, g, "commit tree");
	/* a shallow clone's boundary commit has no parent object: treat it as a root */
	if (git_commit_parentcount(commit) > 0 && git_commit_parent(&parent, commit, 0) == 0 &&
	    (g = git_commit_tree(&ptree, parent)) != 0) {
		rc = git_fail(c->err, g, "parent tree");
		goto out;
	}
	if ((g = git_diff_tree_to_tree(&diff, c->repo, ptree, tree, NULL)) != 0) {
		rc = git_fail(c->err, g, "diff");
		goto out;
	}
	set_origin(&origin, commit, author, seq);
	for (size_t i = 0; i < git_diff_num_deltas(diff) && rc == 0; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (d->status != GIT_DELTA_ADDED && d->status != GIT_DELTA_MODIFIED &&
		    d->status != GIT_DELTA_TYPECHANGE)
			continue;
		if (!is_file_mode(d->new_file.mode))
			continue;
		rc = oidset_add(seen, &d->new_file.id);
		if (rc == 1)
			rc = offer_blob(c, &d->new_file.id, d->new_file.path, &origin, ptree);
		else if (rc < 0)
			vg_error_set(c->err, rc, "out of memory");
	}
out:
	git_diff_free(diff);
	git_tree_free(ptree);
	git_tree_free(tree);
	git_commit_free(parent);
	return rc;
}

int vg_git_history(const char *path, const char *range, uint64_t max_blob, vg_git_blob_fn fn,
		   void *ud, struct vg_git_stats *stats, struct vg_error *err)
{
	struct offer_ctx c = {.max_blob = max_blob, .fn = fn, .ud = ud, .stats = stats, .err = err};
	struct oidset seen = {0};
	git_revwalk *walk = NULL;
	char *author = NULL;
	git_oid id;
	uint64_t seq = 0;
	int g, rc = 0;

	memset(stats, 0, sizeof(*stats));
	git_libgit2_init();
	vg_buf_init(&c.copy, 0);
	if ((rc = open_repo(&c.repo, path, err)) < 0)
		goto out;
	stats->shallow = git_repository_is_shallow(c.repo) == 1;
	if ((g = git_revwalk_new(&walk, c.repo)) != 0) {
		rc = git_fail(err, g, "revwalk");
		goto out;
	}
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME | GIT_SORT_REVERSE);
	if (range) {
		g = strstr(range, "..") ? git_revwalk_push_range(walk, range)
					: git_revwalk_push_ref(walk, range);
		if (g != 0) {
			git_object *obj = NULL;

			/* a plain revision (commit id, tag) */
			if (!strstr(range, "..") && git_revparse_single(&obj, c.repo, range) == 0) {
				g = git_revwalk_push(walk, git_object_id(obj));
				git_object_free(obj);
			}
			if (g != 0) {
				rc = git_fail(err, g, range);
				goto out;
			}
		}
	} else {
		/* every ref, and a detached HEAD; an empty repository has neither */
		git_revwalk_push_glob(walk, "*");
		git_revwalk_push_head(walk);
	}
	while ((g = git_revwalk_next(&id, walk)) == 0) {
		git_commit *commit = NULL;

		if ((g = git_commit_lookup(&commit, c.repo, &id)) != 0) {
			char hex[GIT_OID_HEXSZ + 1];

			git_oid_tostr(hex, sizeof(hex), &id);
			rc = git_fail(err, g == GIT_ENOTFOUND ? GIT_ERROR : g, hex);
			goto out;
		}
		stats->commits++;
		rc = walk_commit(&c, &seen, commit, ++seq, &author);
		git_commit_free(commit);
		if (rc != 0)
			goto out;
	}
	if (g != GIT_ITEROVER)
		rc = git_fail(err, g, "walking history");
out:
	free(author);
	vg_buf_finish(&c.copy);
	oidset_finish(&seen);
	git_revwalk_free(walk);
	git_repository_free(c.repo);
	git_libgit2_shutdown();
	return rc;
}

int vg_git_staged(const char *path, uint64_t max_blob, vg_git_blob_fn fn, void *ud,
		  struct vg_git_stats *stats, struct vg_error *err)
{
	struct offer_ctx c = {.max_blob = max_blob, .fn = fn, .ud = ud, .stats = stats, .err = err};
	struct vg_git_origin origin = {.commit = ""};
	git_index *index = NULL;
	git_object *head = NULL;
	git_tree *htree = NULL;
	git_diff *diff = NULL;
	int g, rc = 0;

	memset(stats, 0, sizeof(*stats));
	git_libgit2_init();
	vg_buf_init(&c.copy, 0);
	if ((rc = open_repo(&c.repo, path, err)) < 0)
		goto out;
	if ((g = git_repository_index(&index, c.repo)) != 0) {
		rc = git_fail(err, g, "index");
		goto out;
	}
	/* an unborn branch has no HEAD: everything staged is new */
	if (git_revparse_single(&head, c.repo, "HEAD^{tree}") == 0)
		htree = (git_tree *)head;
	if ((g = git_diff_tree_to_index(&diff, c.repo, htree, index, NULL)) != 0) {
		rc = git_fail(err, g, "diff of the index");
		goto out;
	}
	for (size_t i = 0; i < git_diff_num_deltas(diff) && rc == 0; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (d->status != GIT_DELTA_ADDED && d->status != GIT_DELTA_MODIFIED &&
		    d->status != GIT_DELTA_TYPECHANGE)
			continue;
		if (!is_file_mode(d->new_file.mode))
			continue;
		rc = offer_blob(&c, &d->new_file.id, d->new_file.path, &origin, htree);
	}
out:
	git_diff_free(diff);
	git_object_free(head);
	git_index_free(index);
	vg_buf_finish(&c.copy);
	git_repository_free(c.repo);
	git_libgit2_shutdown();
	return rc;
}

char *vg_git_workdir(const char *path)
{
	git_repository *repo = NULL;
	char *out = NULL;

	git_libgit2_init();
	if (git_repository_open_ext(&repo, path, 0, NULL) == 0 && git_repository_workdir(repo)) {
		out = strdup(git_repository_workdir(repo));
		if (out && strlen(out) > 1 && out[strlen(out) - 1] == '/')
			out[strlen(out) - 1] = '\0';
	}
	git_repository_free(repo);
	git_libgit2_shutdown();
	return out;
}

/* ---- .gitignore ---- */

struct vg_git_ignore {
	git_repository *repo;
	char *prefix;          /* the scanned directory relative to the work tree, "" or "dir/" */
	pthread_mutex_t lock;  /* libgit2 objects are not safe across threads */
};

int vg_git_ignore_open(struct vg_git_ignore **out, const char *path, struct vg_error *err)
{
	struct vg_git_ignore *ig = NULL;
	const char *wd;
	char *real = NULL;
	int g, rc = 0;

	*out = NULL;
	git_libgit2_init();
	ig = calloc(1, sizeof(*ig));
	if (!ig) {
		rc = vg_error_set(err, VG_ENOMEM, "out of memory");
		goto fail;
	}
	pthread_mutex_init(&ig->lock, NULL);
	g = git_repository_open_ext(&ig->repo, path, 0, NULL);
	if (g != 0 || git_repository_is_bare(ig->repo)) {
		rc = vg_error_set(err, VG_ENOTFOUND, "%s is not in a git work tree", path);
		goto fail;
	}
	wd = git_repository_workdir(ig->repo);
	real = realpath(path, NULL);
	if (!wd || !real) {
		rc = vg_error_set(err, VG_ENOTFOUND, "%s is not in a git work tree", path);
		goto fail;
	}
	{
		size_t wl = strlen(wd);
		size_t rl = strlen(real);

		/* wd ends with '/'; real does not */
		if (rl + 1 >= wl && !strncmp(real, wd, wl - 1))
			ig->prefix = rl + 1 == wl ? strdup("") : vg_asprintf("%s/", real + wl);
	}
	if (!ig->prefix) {
		rc = vg_error_set(err, VG_ENOTFOUND, "%s is outside its work tree", path);
		goto fail;
	}
	free(real);
	*out = ig;
	return 0;
fail:
	free(real);
	vg_git_ignore_free(ig);
	return rc;
}

bool vg_git_ignored(struct vg_git_ignore *ig, const char *rel, bool is_dir)
{
	char *full;
	int ignored = 0;

	full = vg_asprintf("%s%s%s", ig->prefix, rel, is_dir ? "/" : "");
	if (!full)
		return false;
	pthread_mutex_lock(&ig->lock);
	if (git_ignore_path_is_ignored(&ignored, ig->repo, full) != 0)
		ignored = 0;
	pthread_mutex_unlock(&ig->lock);
	free(full);
	return ignored == 1;
}

void vg_git_ignore_free(struct vg_git_ignore *ig)
{
	if (!ig)
		return;
	git_repository_free(ig->repo);
	free(ig->prefix);
	pthread_mutex_destroy(&ig->lock);
	free(ig);
	git_libgit2_shutdown();
}
