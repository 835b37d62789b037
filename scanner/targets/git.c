/* SPDX-License-Identifier: Apache-2.0 */
/* Reads git histories, the index and .gitignore rules through libgit2 (never by parsing git's output). */
#include "targets/git.h"

#include <git2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "limits.h"
#include "util.h"

/* ---- a map from object ids to indices (a set when the values go unused) ---- */

struct oidmap {
	git_oid *keys;
	size_t *vals;
	unsigned char *used;
	size_t cap, len;
};

static size_t oid_hash(const git_oid *id)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h)); /* ids are uniformly distributed already */
	return h;
}

static int oidmap_grow(struct oidmap *m)
{
	struct oidmap n = {0};

	if (!vg_mul_size(&n.cap, m->cap ? m->cap : 2048, 2))
		return VG_ENOMEM;
	n.keys = vg_calloc(n.cap, sizeof(*n.keys));
	n.vals = vg_calloc(n.cap, sizeof(*n.vals));
	n.used = vg_calloc(n.cap, 1);
	if (!n.keys || !n.vals || !n.used) {
		free(n.keys);
		free(n.vals);
		free(n.used);
		return VG_ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++) {
		size_t k;

		if (!m->used[i])
			continue;
		for (k = oid_hash(&m->keys[i]) & (n.cap - 1); n.used[k]; k = (k + 1) & (n.cap - 1))
			;
		n.keys[k] = m->keys[i];
		n.vals[k] = m->vals[i];
		n.used[k] = 1;
		n.len++;
	}
	free(m->keys);
	free(m->vals);
	free(m->used);
	*m = n;
	return 0;
}

/* Looks id up, adding it with value val when absent; *out (may be NULL) gets
 * the stored value. Returns 1 when added, 0 when already there, VG_ENOMEM. */
static int oidmap_put(struct oidmap *m, const git_oid *id, size_t val, size_t *out)
{
	size_t k;

	if ((m->len + 1) * 2 > m->cap && oidmap_grow(m) < 0)
		return VG_ENOMEM;
	for (k = oid_hash(id) & (m->cap - 1); m->used[k]; k = (k + 1) & (m->cap - 1)) {
		if (!git_oid_cmp(&m->keys[k], id)) {
			if (out)
				*out = m->vals[k];
			return 0;
		}
	}
	m->keys[k] = *id;
	m->vals[k] = val;
	m->used[k] = 1;
	m->len++;
	if (out)
		*out = val;
	return 1;
}

static void oidmap_finish(struct oidmap *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	memset(m, 0, sizeof(*m));
}

/* p grown to hold at least need items of size bytes (*cap updated), or NULL
 * with p untouched. */
static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	while (n < need)
		if (!vg_mul_size(&n, n, 2))
			return NULL;
	q = vg_reallocarray(p, n, size);
	if (q)
		*cap = n;
	return q;
}

/* ---- errors ---- */

static const char *git_msg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

/* A failed libgit2 call as "what: libgit2's message". */
static int git_fail(struct vg_error *err, int gerr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int git_fail(struct vg_error *err, int gerr, const char *fmt, ...)
{
	const git_error *e = git_error_last();
	char what[512];
	va_list ap;
	int code = VG_EIO;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (gerr == GIT_ENOTFOUND || gerr == GIT_EINVALIDSPEC || gerr == GIT_EAMBIGUOUS)
		code = VG_ENOTFOUND;
	else if (e && (e->klass == GIT_ERROR_ODB || e->klass == GIT_ERROR_ZLIB ||
		       e->klass == GIT_ERROR_OBJECT || e->klass == GIT_ERROR_INDEX))
		code = VG_EPARSE;
	return vg_error_set(err, code, "%s: %s", what, git_msg());
}

/* An object the history refers to cannot be read (missing or corrupt): the
 * repository is damaged, whatever libgit2's error class. */
static int object_fail(struct vg_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int object_fail(struct vg_error *err, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return vg_error_set(err, VG_EPARSE, "damaged repository: %s: %s (see 'git fsck')", what,
			    git_msg());
}

/* ---- blob delivery ---- */

struct parent_ref {
	git_repository *repo;
	git_tree *tree;        /* parent's tree (history) or HEAD's (staged); may be NULL */
	const char *path;      /* the file's path there (its old name when renamed) */
	uint64_t max_blob;
};

/* The size of a blob without inflating it: a huge one is never loaded whole. */
static int blob_size(git_repository *repo, const git_oid *id, uint64_t *out)
{
	git_odb *odb = NULL;
	git_object_t type;
	size_t len = 0;
	int e = git_repository_odb(&odb, repo);

	if (e == 0)
		e = git_odb_read_header(&len, &type, odb, id);
	git_odb_free(odb);
	*out = len;
	return e;
}

bool vg_git_parent_contains(const struct vg_git_blob *b, const char *s, size_t n)
{
	const struct parent_ref *p = b->priv;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	uint64_t size;
	bool found = false;

	if (!p || !p->tree || !p->path || !n)
		return false;
	if (git_tree_entry_bypath(&entry, p->tree, p->path) != 0)
		return false;
	if (git_tree_entry_type(entry) == GIT_OBJECT_BLOB &&
	    blob_size(p->repo, git_tree_entry_id(entry), &size) == 0 && size <= p->max_blob &&
	    git_blob_lookup(&blob, p->repo, git_tree_entry_id(entry)) == 0) {
		found = memmem(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), s, n);
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

static int offer_blob(struct offer_ctx *c, const git_diff_delta *d,
		      const struct vg_git_origin *origin, git_tree *parent)
{
	struct parent_ref pref = {
		.repo = c->repo, .tree = parent, .path = d->old_file.path, .max_blob = c->max_blob,
	};
	struct vg_git_blob b = {.path = d->new_file.path, .origin = origin, .priv = &pref};
	git_blob *blob = NULL;
	uint64_t size;
	int rc;

	if (d->status == GIT_DELTA_ADDED)
		pref.path = NULL; /* no previous version */
	if (blob_size(c->repo, &d->new_file.id, &size) != 0 ||
	    (size <= c->max_blob && git_blob_lookup(&blob, c->repo, &d->new_file.id) != 0)) {
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), &d->new_file.id);
		return object_fail(c->err, "blob %s (%s%s%s)", hex, b.path,
				   origin->commit[0] ? " in commit " : ", staged", origin->commit);
	}
	if (size > c->max_blob) {
		c->stats->skipped_large++;
		return 0;
	}
	if (git_blob_is_binary(blob)) {
		c->stats->skipped_binary++;
		rc = 0;
		goto out;
	}
	vg_buf_clear(&c->copy);
	if ((rc = vg_buf_append(&c->copy, git_blob_rawcontent(blob), (size_t)size)) < 0) {
		vg_error_set(c->err, rc, "out of memory reading blob of %s", b.path);
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

/* Whether a delta brings file contents the commit (or the index) adds. */
static bool offered(const git_diff_delta *d)
{
	if (d->status != GIT_DELTA_ADDED && d->status != GIT_DELTA_MODIFIED &&
	    d->status != GIT_DELTA_TYPECHANGE && d->status != GIT_DELTA_RENAMED &&
	    d->status != GIT_DELTA_COPIED)
		return false;
	return d->new_file.mode == GIT_FILEMODE_BLOB ||
	       d->new_file.mode == GIT_FILEMODE_BLOB_EXECUTABLE;
}

/* Pairs renamed files with their old names, so what a rename carries over
 * is not taken for new (range and staged scans). */
static int find_renames(git_diff *diff, struct vg_error *err)
{
	git_diff_find_options fo;

	if (git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION) != 0)
		return vg_error_set(err, VG_ERROR, "libgit2: bad diff options version");
	fo.flags = GIT_DIFF_FIND_RENAMES;
	if (git_diff_find_similar(diff, &fo) != 0)
		return object_fail(err, "finding renamed files");
	return 0;
}

struct broken {
	git_repository *repo;
	char hex[GIT_OID_HEXSZ + 1];
};

static int check_subtree(const char *root, const git_tree_entry *e, void *ud)
{
	struct broken *b = ud;
	git_tree *t = NULL;

	(void)root;
	if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
		return 0;
	if (git_tree_lookup(&t, b->repo, git_tree_entry_id(e)) != 0) {
		git_oid_tostr(b->hex, sizeof(b->hex), git_tree_entry_id(e));
		return -1;
	}
	git_tree_free(t);
	return 0;
}

/* After a diff failed: the id of the first unreadable tree below t, so the
 * message can name it; "" when every tree reads. */
static void find_broken_tree(git_repository *repo, git_tree *t, char *hex, size_t size)
{
	struct broken b = {.repo = repo};

	if (t && !*hex && git_tree_walk(t, GIT_TREEWALK_PRE, check_subtree, &b) != 0 && b.hex[0])
		snprintf(hex, size, "%s", b.hex);
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
		return vg_error_set(err, VG_ENOTFOUND, "%s is not in a git repository: %s", path,
				    git_msg());
	return 0;
}

/* ---- the commits to scan, oldest first ---- */

enum {
	NODE_SEEN = 1 << 0,    /* queued once: never again */
	NODE_QUEUED = 1 << 1,
	NODE_LOADED = 1 << 2,  /* time and parents known */
	NODE_MISSING = 1 << 3, /* beyond a shallow clone's boundary */
	NODE_WANTED = 1 << 4,  /* reachable from a revision to scan */
	NODE_HIDDEN = 1 << 5,  /* reachable from an excluded revision (A of A..B) */
};

struct cnode {
	git_oid id;
	int64_t time;
	size_t parents;        /* first of nparents entries in graph.edges */
	uint32_t nparents;
	uint32_t pending;      /* while sorting: parents not emitted yet */
	unsigned flags;
};

struct heap {
	size_t *items;         /* node indices */
	size_t len, cap;
	bool oldest_first;
};

/* The commit graph of the scanned revisions. libgit2's revwalk is not used:
 * it needs every parent object, which a shallow clone lacks, and its errors
 * do not say which commit could not be read. */
struct graph {
	git_repository *repo;
	bool shallow;
	struct cnode *nodes;
	size_t len, cap;
	size_t *edges;         /* parent indices */
	size_t nedges, edgecap;
	struct oidmap index;   /* id -> node */
	struct heap queue;     /* newest first while painting */
	size_t live;           /* queued nodes not hidden: the walk goes on while there are some */
	size_t *stack;         /* for hide() */
	size_t stackcap;
	struct vg_error *err;
};

static void graph_finish(struct graph *g)
{
	free(g->nodes);
	free(g->edges);
	free(g->queue.items);
	free(g->stack);
	oidmap_finish(&g->index);
}

static bool heap_before(const struct graph *g, const struct heap *h, size_t a, size_t b)
{
	int64_t ta = g->nodes[a].time, tb = g->nodes[b].time;

	if (ta != tb)
		return h->oldest_first ? ta < tb : ta > tb;
	return a < b; /* found first, emitted first: the order is reproducible */
}

static int heap_push(const struct graph *g, struct heap *h, size_t v)
{
	size_t i;

	if (h->len == h->cap) {
		size_t *p = grow(h->items, &h->cap, h->len + 1, sizeof(*h->items));

		if (!p)
			return VG_ENOMEM;
		h->items = p;
	}
	for (i = h->len++; i > 0 && heap_before(g, h, v, h->items[(i - 1) / 2]); i = (i - 1) / 2)
		h->items[i] = h->items[(i - 1) / 2];
	h->items[i] = v;
	return 0;
}

static size_t heap_pop(const struct graph *g, struct heap *h)
{
	size_t top = h->items[0], last = h->items[--h->len], i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->len)
			break;
		if (c + 1 < h->len && heap_before(g, h, h->items[c + 1], h->items[c]))
			c++;
		if (!heap_before(g, h, h->items[c], last))
			break;
		h->items[i] = h->items[c];
		i = c;
	}
	if (h->len)
		h->items[i] = last;
	return top;
}

/* The node of id, added when new. */
static int graph_node(struct graph *g, const git_oid *id, size_t *out)
{
	int rc = oidmap_put(&g->index, id, g->len, out);

	if (rc <= 0)
		return rc;
	if (g->len == g->cap) {
		struct cnode *p = grow(g->nodes, &g->cap, g->len + 1, sizeof(*g->nodes));

		if (!p)
			return VG_ENOMEM;
		g->nodes = p;
	}
	memset(&g->nodes[g->len], 0, sizeof(g->nodes[0]));
	g->nodes[g->len].id = *id;
	g->len++;
	return 0;
}

/* Reads a commit's time and parents. A parent a shallow clone does not have
 * is marked missing; anything else unreadable is an error naming the commit. */
static int graph_load(struct graph *g, size_t i, bool tip)
{
	git_commit *c = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	unsigned n;
	int e, rc = 0;

	if (g->nodes[i].flags & (NODE_LOADED | NODE_MISSING))
		return 0;
	e = git_commit_lookup(&c, g->repo, &g->nodes[i].id);
	if (e != 0) {
		if (e == GIT_ENOTFOUND && g->shallow && !tip) {
			g->nodes[i].flags |= NODE_MISSING;
			return 0;
		}
		git_oid_tostr(hex, sizeof(hex), &g->nodes[i].id);
		return object_fail(g->err, "commit %s", hex);
	}
	n = git_commit_parentcount(c);
	if (g->nedges + n > g->edgecap) {
		size_t *p = grow(g->edges, &g->edgecap, g->nedges + n, sizeof(*g->edges));

		if (!p) {
			rc = VG_ENOMEM;
			goto out;
		}
		g->edges = p;
	}
	g->nodes[i].time = (int64_t)git_commit_time(c);
	g->nodes[i].parents = g->nedges;
	for (unsigned k = 0; k < n; k++) {
		size_t p;

		if ((rc = graph_node(g, git_commit_parent_id(c, k), &p)) < 0)
			goto out;
		g->edges[g->nedges++] = p;
	}
	g->nodes[i].nparents = n;
	g->nodes[i].flags |= NODE_LOADED;
out:
	git_commit_free(c);
	return rc;
}

static int enqueue(struct graph *g, size_t i, bool tip)
{
	int rc;

	if (g->nodes[i].flags & NODE_SEEN)
		return 0;
	g->nodes[i].flags |= NODE_SEEN;
	if ((rc = graph_load(g, i, tip)) < 0)
		return rc;
	if (g->nodes[i].flags & NODE_MISSING)
		return 0;
	if ((rc = heap_push(g, &g->queue, i)) < 0)
		return rc;
	g->nodes[i].flags |= NODE_QUEUED;
	if (!(g->nodes[i].flags & NODE_HIDDEN))
		g->live++;
	return 0;
}

/* Marks i and every ancestor known so far as excluded from the scan. */
static int hide(struct graph *g, size_t i)
{
	size_t top = 0;

	if (g->nodes[i].flags & NODE_HIDDEN)
		return 0;
	if (!g->stackcap && !(g->stack = grow(NULL, &g->stackcap, 64, sizeof(*g->stack))))
		return VG_ENOMEM;
	g->stack[top++] = i;
	while (top) {
		struct cnode *n = &g->nodes[g->stack[--top]];

		if (n->flags & NODE_HIDDEN)
			continue;
		n->flags |= NODE_HIDDEN;
		if (n->flags & NODE_QUEUED)
			g->live--;
		if (!(n->flags & NODE_LOADED))
			continue;
		if (top + n->nparents > g->stackcap) {
			size_t *p = grow(g->stack, &g->stackcap, top + n->nparents,
					 sizeof(*g->stack));

			if (!p)
				return VG_ENOMEM;
			g->stack = p;
		}
		for (uint32_t k = 0; k < n->nparents; k++)
			g->stack[top++] = g->edges[n->parents + k];
	}
	return 0;
}

static int add_revision(struct graph *g, const git_oid *id, bool hidden)
{
	size_t i;
	int rc;

	if ((rc = graph_node(g, id, &i)) < 0)
		return rc;
	if (hidden && (rc = hide(g, i)) < 0)
		return rc;
	if (!hidden)
		g->nodes[i].flags |= NODE_WANTED;
	return enqueue(g, i, true);
}

/* Commit times can be skewed: after the last wanted commit left the queue,
 * this many excluded ones are still followed to catch late exclusions. */
#define WALK_SLOP 5

/* Newest first, spreads "wanted" and "hidden" down to parents, and stops once
 * only hidden commits are left (an A..B range need not read all of A). */
static int paint(struct graph *g)
{
	unsigned slop = 0;
	int rc;

	while (g->queue.len) {
		size_t i;
		unsigned flags;

		if (!g->live && ++slop > WALK_SLOP)
			break;
		i = heap_pop(g, &g->queue);
		g->nodes[i].flags &= ~(unsigned)NODE_QUEUED;
		flags = g->nodes[i].flags;
		if (!(flags & NODE_HIDDEN))
			g->live--;
		for (uint32_t k = 0; k < g->nodes[i].nparents; k++) {
			size_t p = g->edges[g->nodes[i].parents + k];

			rc = 0;
			if (flags & NODE_HIDDEN)
				rc = hide(g, p);
			else
				g->nodes[p].flags |= NODE_WANTED;
			if (rc == 0)
				rc = enqueue(g, p, false);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static bool included(const struct cnode *n)
{
	return (n->flags & (NODE_LOADED | NODE_WANTED | NODE_HIDDEN | NODE_MISSING)) ==
	       (NODE_LOADED | NODE_WANTED);
}

/* The scanned commits, parents before children and otherwise oldest first:
 * *out (owned by the caller) gets *n node indices. */
static int sort_commits(struct graph *g, size_t **out, size_t *n)
{
	size_t *start = NULL, *children = NULL, *order = NULL, *fill = NULL;
	struct heap ready = {.oldest_first = true};
	size_t len = 0;
	int rc = VG_ENOMEM;

	*out = NULL;
	*n = 0;
	start = vg_calloc(g->len + 1, sizeof(*start));
	fill = vg_calloc(g->len + 1, sizeof(*fill));
	children = vg_calloc(g->nedges + 1, sizeof(*children));
	order = vg_calloc(g->len + 1, sizeof(*order));
	if (!start || !fill || !children || !order)
		goto out;
	/* child lists, counted then filled */
	for (size_t i = 0; i < g->len; i++) {
		struct cnode *c = &g->nodes[i];

		c->pending = 0;
		if (!included(c))
			continue;
		for (uint32_t k = 0; k < c->nparents; k++) {
			size_t p = g->edges[c->parents + k];

			if (included(&g->nodes[p])) {
				c->pending++;
				start[p + 1]++;
			}
		}
	}
	for (size_t i = 0; i < g->len; i++)
		start[i + 1] += start[i];
	for (size_t i = 0; i < g->len; i++) {
		const struct cnode *c = &g->nodes[i];

		if (!included(c))
			continue;
		for (uint32_t k = 0; k < c->nparents; k++) {
			size_t p = g->edges[c->parents + k];

			if (included(&g->nodes[p]))
				children[start[p] + fill[p]++] = i;
		}
	}
	for (size_t i = 0; i < g->len; i++)
		if (included(&g->nodes[i]) && !g->nodes[i].pending &&
		    heap_push(g, &ready, i) < 0)
			goto out;
	while (ready.len) {
		size_t i = heap_pop(g, &ready);

		order[len++] = i;
		for (size_t k = start[i]; k < start[i + 1]; k++)
			if (--g->nodes[children[k]].pending == 0 &&
			    heap_push(g, &ready, children[k]) < 0)
				goto out;
	}
	*out = order;
	*n = len;
	order = NULL;
	rc = 0;
out:
	if (rc < 0)
		vg_error_set(g->err, rc, "out of memory sorting commits");
	free(start);
	free(fill);
	free(children);
	free(order);
	free(ready.items);
	return rc;
}

static int peel_commit(git_oid *out, git_object *obj)
{
	git_object *c = NULL;
	int g = git_object_peel(&c, obj, GIT_OBJECT_COMMIT);

	if (g == 0)
		git_oid_cpy(out, git_object_id(c));
	git_object_free(c);
	return g;
}

/* Every ref that leads to a commit, and HEAD (which may be detached). */
static int add_refs(struct graph *g)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	git_oid id;
	int e, rc = 0;

	if ((e = git_reference_iterator_new(&it, g->repo)) != 0)
		return git_fail(g->err, e, "listing refs");
	while ((e = git_reference_next(&ref, it)) == 0) {
		git_object *obj = NULL;

		/* a symbolic ref leads to another ref, listed too (or to nothing) */
		if (git_reference_type(ref) == GIT_REFERENCE_DIRECT) {
			e = git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT);
			if (e == 0) {
				rc = add_revision(g, git_object_id(obj), false);
			} else if (e != GIT_EPEEL && e != GIT_EINVALIDSPEC) {
				char hex[GIT_OID_HEXSZ + 1];

				git_oid_tostr(hex, sizeof(hex), git_reference_target(ref));
				rc = object_fail(g->err, "ref %s (object %s)",
						 git_reference_name(ref), hex);
			}
			/* else a tag of a tree or blob: no history */
		}
		git_object_free(obj);
		git_reference_free(ref);
		if (rc < 0)
			break;
	}
	git_reference_iterator_free(it);
	if (rc == 0 && e != GIT_ITEROVER)
		rc = git_fail(g->err, e, "listing refs");
	if (rc == 0 && git_reference_name_to_id(&id, g->repo, "HEAD") == 0)
		rc = add_revision(g, &id, false); /* else unborn: an empty repository */
	return rc;
}

/* "A..B" (what B has and A does not), "A...B" (either side since their merge
 * base) or a single revision (it and its ancestors). */
static int add_range(struct graph *g, const char *range)
{
	git_revspec spec = {0};
	git_oid from, to, base;
	int e, rc = 0;

	if ((e = git_revparse(&spec, g->repo, range)) != 0) {
		/* libgit2 may keep A when B fails to parse */
		rc = git_fail(g->err, e, "--git=%s", range);
		goto out;
	}
	if ((e = peel_commit(&from, spec.from)) != 0) {
		rc = git_fail(g->err, e, "--git=%s", range);
		goto out;
	}
	if (!(spec.flags & GIT_REVSPEC_RANGE)) {
		rc = add_revision(g, &from, false);
		goto out;
	}
	if ((e = peel_commit(&to, spec.to)) != 0) {
		rc = git_fail(g->err, e, "--git=%s", range);
		goto out;
	}
	if (spec.flags & GIT_REVSPEC_MERGE_BASE) {
		e = git_merge_base(&base, g->repo, &from, &to);
		if (e == 0)
			rc = add_revision(g, &base, true);
		else if (e != GIT_ENOTFOUND) /* unrelated histories: all of both */
			rc = git_fail(g->err, e, "--git=%s: merge base", range);
		if (rc == 0)
			rc = add_revision(g, &from, false);
	} else {
		rc = add_revision(g, &from, true);
	}
	if (rc == 0)
		rc = add_revision(g, &to, false);
out:
	git_object_free(spec.from);
	git_object_free(spec.to);
	return rc;
}


/* One commit: compare with its first parent and offer the blobs not offered
 * before. renames: pair renamed files with their old names (range scans). */
static int walk_commit(struct offer_ctx *c, struct oidmap *seen, git_commit *commit,
		       uint64_t seq, char **author, bool shallow, bool renames)
{
	struct vg_git_origin origin;
	git_commit *parent = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	git_diff *diff = NULL;
	char hex[GIT_OID_HEXSZ + 1], other[GIT_OID_HEXSZ + 1];
	int e, rc = 0;

	git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
	if (git_commit_tree(&tree, commit) != 0) {
		git_oid_tostr(other, sizeof(other), git_commit_tree_id(commit));
		return object_fail(c->err, "tree %s of commit %s", other, hex);
	}
	if (git_commit_parentcount(commit) > 0) {
		e = git_commit_parent(&parent, commit, 0);
		if (e == 0 && git_commit_tree(&ptree, parent) != 0) {
			git_oid_tostr(other, sizeof(other), git_commit_tree_id(parent));
			rc = object_fail(c->err, "tree %s of commit %s", other,
					 git_oid_tostr_s(git_commit_id(parent)));
			goto out;
		}
		/* a shallow clone's boundary commit has no parent: compared with nothing */
		if (e != 0 && !(e == GIT_ENOTFOUND && shallow)) {
			git_oid_tostr(other, sizeof(other), git_commit_parent_id(commit, 0));
			rc = object_fail(c->err, "commit %s, parent of %s", other, hex);
			goto out;
		}
	}
	if (git_diff_tree_to_tree(&diff, c->repo, ptree, tree, NULL) != 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", git_msg());
		other[0] = '\0';
		find_broken_tree(c->repo, tree, other, sizeof(other));
		find_broken_tree(c->repo, ptree, other, sizeof(other));
		rc = vg_error_set(c->err, VG_EPARSE,
				  "damaged repository: comparing commit %s with its parent%s%s: %s "
				  "(see 'git fsck')",
				  hex, other[0] ? ": unreadable tree " : "", other, msg);
		goto out;
	}
	if (renames && (rc = find_renames(diff, c->err)) < 0)
		goto out;
	set_origin(&origin, commit, author, seq);
	for (size_t i = 0; i < git_diff_num_deltas(diff) && rc == 0; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (!offered(d))
			continue;
		rc = oidmap_put(seen, &d->new_file.id, 0, NULL);
		if (rc == 1)
			rc = offer_blob(c, d, &origin, ptree);
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
	struct graph g = {.err = err};
	struct oidmap seen = {0};
	size_t *order = NULL, n = 0;
	char *author = NULL;
	int rc;

	memset(stats, 0, sizeof(*stats));
	git_libgit2_init();
	vg_buf_init(&c.copy, 0);
	if ((rc = open_repo(&c.repo, path, err)) < 0)
		goto out;
	g.repo = c.repo;
	g.shallow = stats->shallow = git_repository_is_shallow(c.repo) == 1;
	rc = range ? add_range(&g, range) : add_refs(&g);
	if (rc == 0)
		rc = paint(&g);
	if (rc == 0)
		rc = sort_commits(&g, &order, &n);
	for (size_t i = 0; i < n && rc == 0; i++) {
		git_commit *commit = NULL;

		if (git_commit_lookup(&commit, c.repo, &g.nodes[order[i]].id) != 0) {
			rc = object_fail(err, "commit %s", git_oid_tostr_s(&g.nodes[order[i]].id));
			break;
		}
		stats->commits++;
		rc = walk_commit(&c, &seen, commit, i + 1, &author, g.shallow, range != NULL);
		git_commit_free(commit);
	}
out:
	if (rc == VG_ENOMEM)
		vg_error_set(err, rc, "out of memory reading the history of %s", path);
	free(order);
	free(author);
	graph_finish(&g);
	vg_buf_finish(&c.copy);
	oidmap_finish(&seen);
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
	int e, rc = 0;

	memset(stats, 0, sizeof(*stats));
	git_libgit2_init();
	vg_buf_init(&c.copy, 0);
	if ((rc = open_repo(&c.repo, path, err)) < 0)
		goto out;
	if (git_repository_is_bare(c.repo)) {
		rc = vg_error_set(err, VG_EUNSUPPORTED,
				  "%s is a bare repository: --staged needs its work tree and index", path);
		goto out;
	}
	if ((e = git_repository_index(&index, c.repo)) != 0) {
		rc = git_fail(err, e, "reading the index of %s", path);
		goto out;
	}
	/* an unborn branch has no HEAD: everything staged is new */
	e = git_repository_head_unborn(c.repo);
	if (e < 0) {
		rc = git_fail(err, e, "reading HEAD of %s", path);
		goto out;
	}
	if (e == 0) {
		if (git_revparse_single(&head, c.repo, "HEAD^{tree}") != 0) {
			rc = object_fail(err, "the tree of HEAD");
			goto out;
		}
		htree = (git_tree *)head;
	}
	if (git_diff_tree_to_index(&diff, c.repo, htree, index, NULL) != 0) {
		rc = object_fail(err, "comparing the index with HEAD");
		goto out;
	}
	if ((rc = find_renames(diff, err)) < 0)
		goto out;
	for (size_t i = 0; i < git_diff_num_deltas(diff) && rc == 0; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (offered(d))
			rc = offer_blob(&c, d, &origin, htree);
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
