/* SPDX-License-Identifier: Apache-2.0 */
/* Walks bounded roots once per target, keeping world-writable, unowned and set-ID entries. */
#include "facts/sweep.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "limits.h"
#include "targets/walk.h"

/* Pseudo, kernel and network filesystems: their contents are not files a
 * sweep should judge (and walking them is slow or hangs on a dead server).
 * Read-only images (squashfs snaps, iso9660) and vfat, which has no real
 * modes or owners, are left out too, as the CIS audits do. */
static const char *const special_types[] = {
	"proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "securityfs", "debugfs",
	"tracefs", "pstore", "bpf", "configfs", "fusectl", "mqueue", "hugetlbfs", "efivarfs",
	"selinuxfs", "autofs", "binfmt_misc", "nsfs", "rpc_pipefs", "nfsd", "nfs", "nfs4",
	"cifs", "smb3", "smbfs", "ceph", "glusterfs", "9p", "afs", "fuse.sshfs",
	"fuse.gvfsd-fuse", "fuse.portal", "fuse.lxcfs", "squashfs", "iso9660", "vfat", NULL,
};

/* Always pruned: the kernel's views, never files on the root. */
static const char *const fixed_excludes[] = {"/proc", "/sys", "/dev"};
#define NFIXED (sizeof(fixed_excludes) / sizeof(fixed_excludes[0]))

#define STOP_MAX_FILES 1 /* a walk callback's "stop": the bound was reached */

struct vg_sweep_cache {
	pthread_mutex_t lock;
	struct vg_vec results;   /* struct vg_sweep_result * */
	char **exclude;          /* mount points of special filesystems (live host) */
	size_t nexclude;
};

static void item_free(void *p)
{
	struct vg_sweep_item *it = p;

	if (it)
		free(it->path);
	free(it);
}

void vg_sweep_result_free(struct vg_sweep_result *r)
{
	if (!r)
		return;
	vg_strv_free(r->roots);
	free(r->first_problem);
	vg_vec_finish(&r->items, item_free);
	free(r);
}

static void result_free_cb(void *p)
{
	vg_sweep_result_free(p);
}

/*
 * The walk order is cut into parts: the entries the calling thread looks at
 * directly in a root (the root, its files), and each subdirectory of a root
 * with everything below it, which any thread may walk. A part records what it
 * finds with its own entry counter; putting the parts back in order gives the
 * counts a single walk would have had, so max_files and the findings cap are
 * applied exactly as one thread walking everything in order would.
 */

enum rec_type { REC_HIT, REC_DROP, REC_PROBLEM };

/* Something a part found after idx of its entries were judged. Runs are
 * one record, so that a directory of a million flagged or unreadable entries
 * costs little: n problems met at idx, or n entries from idx on dropped. */
struct rec {
	size_t idx;
	size_t n;
	enum rec_type type;
	int what;                 /* REC_DROP: kinds past the cap; REC_PROBLEM: VG_E* */
	struct vg_sweep_item *it; /* REC_HIT: the flagged entry (kinds kept) */
};

struct part {
	char *start;              /* a subdirectory to walk ("/usr"), or NULL */
	struct vg_stat st;        /* its lstat: judged with the first file below it */
	size_t entries;
	bool over;                /* met an entry past max_files */
	struct rec *recs;         /* in walk order */
	size_t nrecs, cap;
	char *first_problem;
	size_t kept[VG_SWEEP_NKINDS];
};

/* A directory entered and not judged yet, by its depth in the root's walk. */
struct pending {
	struct vg_stat st;
	size_t len;               /* its path: the first len bytes of the entries' */
};

struct sweeper {
	struct vg_fs *fs;
	const struct vg_sweep_opts *o;
	size_t max;
	const char *const *prune; /* relative paths pruned from every walk */
	size_t nprune;
	struct vg_vec *parts;     /* planning: where new parts go */
	struct part *p;           /* the part being filled */
	struct pending *pend;     /* VG_MAX_WALK_DEPTH + 1 */
	size_t flushed;           /* pend[1..flushed) are judged (1: the part's start) */
	int fatal;                /* VG_ENOMEM met inside a callback */
};

static void part_free(void *v)
{
	struct part *p = v;

	if (!p)
		return;
	for (size_t i = 0; i < p->nrecs; i++)
		item_free(p->recs[i].it);
	free(p->recs);
	free(p->start);
	free(p->first_problem);
	free(p);
}

static int kind_index(unsigned bit)
{
	for (int i = 0; i < VG_SWEEP_NKINDS; i++)
		if (bit == 1u << i)
			return i;
	return 0;
}

static int add_rec(struct sweeper *s, enum rec_type type, int what, struct vg_sweep_item *it)
{
	struct part *p = s->p;
	struct rec *last = p->nrecs ? &p->recs[p->nrecs - 1] : NULL;

	if (last && !it && last->type == type && last->what == what &&
	    last->idx + (type == REC_DROP ? last->n : 0) == p->entries) {
		last->n++;
		return 0;
	}
	if (p->nrecs == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct rec *r = vg_reallocarray(p->recs, cap, sizeof(*r));

		if (!r) {
			item_free(it);
			s->fatal = VG_ENOMEM;
			return VG_ENOMEM;
		}
		p->recs = r;
		p->cap = cap;
	}
	p->recs[p->nrecs++] = (struct rec){p->entries, 1, type, what, it};
	return 0;
}

static void note(struct sweeper *s, int code, const char *msg)
{
	if (code == VG_ENOTFOUND)
		return; /* vanished while walking: a live system changes */
	if (add_rec(s, REC_PROBLEM, code, NULL) < 0)
		return;
	if (!s->p->first_problem && !(s->p->first_problem = strdup(msg)))
		s->fatal = VG_ENOMEM;
}

/* Judges one entry (its path: the first len bytes of rel, relative to the fs
 * root) and records it when flagged. */
static int examine(struct sweeper *s, const char *rel, size_t len, const struct vg_stat *st)
{
	const struct vg_accounts *a = s->o->accounts;
	struct part *p = s->p;
	unsigned kinds = 0, keep = 0, drop = 0;
	struct vg_sweep_item *it;

	if (p->entries >= s->max) {
		p->over = true;
		return STOP_MAX_FILES;
	}
	if (S_ISREG(st->mode) && (st->mode & S_IWOTH))
		kinds |= VG_SWEEP_WORLD_WRITABLE;
	if (S_ISDIR(st->mode) && (st->mode & S_IWOTH) && !(st->mode & S_ISVTX))
		kinds |= VG_SWEEP_WORLD_WRITABLE;
	if (S_ISREG(st->mode) && (st->mode & S_ISUID))
		kinds |= VG_SWEEP_SUID;
	if (S_ISREG(st->mode) && (st->mode & S_ISGID))
		kinds |= VG_SWEEP_SGID;
	if (a && !vg_accounts_has_uid(a, st->uid))
		kinds |= VG_SWEEP_NOUSER;
	if (a && !vg_accounts_has_gid(a, st->gid))
		kinds |= VG_SWEEP_NOGROUP;
	/* the findings cap bounds memory on a badly broken system */
	for (unsigned bit = 1; kinds && bit < 1u << VG_SWEEP_NKINDS; bit <<= 1) {
		int k = kind_index(bit);

		if (!(kinds & bit))
			continue;
		if (p->kept[k] < VG_MAX_FINDINGS_PER_RULE) {
			p->kept[k]++;
			keep |= bit;
		} else {
			drop |= bit;
		}
	}
	if (drop && add_rec(s, REC_DROP, (int)drop, NULL) < 0)
		return VG_ENOMEM;
	if (keep) {
		it = calloc(1, sizeof(*it));
		if (!it || !(it->path = vg_asprintf("/%.*s", (int)len, rel))) {
			item_free(it);
			s->fatal = VG_ENOMEM;
			return VG_ENOMEM;
		}
		it->kinds = keep;
		it->mode = st->mode;
		it->uid = st->uid;
		it->gid = st->gid;
		if (add_rec(s, REC_HIT, 0, it) < 0)
			return VG_ENOMEM;
	}
	p->entries++;
	return 0;
}

static int on_error(void *ud, const char *path, int code, const char *msg)
{
	(void)path;
	note(ud, code, msg);
	return 0;
}

/* ---- walking one subdirectory of a root (any thread) ---- */

static int part_dir(void *ud, const struct vg_walk_entry *e)
{
	struct sweeper *s = ud;

	s->pend[e->depth] = (struct pending){e->st, strlen(e->path)};
	if (s->flushed > e->depth)
		s->flushed = e->depth;
	return 0;
}

/* A file: first the directories it lies in that were not judged yet. */
static int part_file(void *ud, const struct vg_walk_entry *e)
{
	struct sweeper *s = ud;
	int rc;

	for (; s->flushed < e->depth; s->flushed++) {
		rc = examine(s, e->path, s->pend[s->flushed].len, &s->pend[s->flushed].st);
		if (rc)
			return rc;
	}
	return examine(s, e->path, strlen(e->path), &e->st);
}

static void walk_part(struct sweeper *s, struct part *p)
{
	/* depths count from the root, as in a walk of the whole root */
	struct vg_walk_opts wo = {
		.prune = s->prune, .nprune = s->nprune, .base_depth = 1, .on_dir = part_dir,
		.absolute = true,
	};
	struct vg_error e = {0};
	int rc;

	s->p = p;
	s->pend[1] = (struct pending){p->st, strlen(p->start) - 1};
	s->flushed = 1;
	rc = vg_walk(s->fs, p->start, &wo, part_file, on_error, s, &e);
	if (rc < 0 && !s->fatal && rc != VG_ENOMEM)
		note(s, e.code, e.msg);
	else if (rc == VG_ENOMEM)
		s->fatal = VG_ENOMEM;
}

struct pool {
	struct sweeper proto;     /* what each worker's sweeper starts as */
	struct part **parts;
	size_t nparts;
	atomic_size_t next;
	atomic_int fatal;
};

static void *worker(void *arg)
{
	struct pool *pl = arg;
	struct sweeper s = pl->proto;

	s.pend = vg_calloc(VG_MAX_WALK_DEPTH + 1, sizeof(*s.pend));
	if (!s.pend) {
		atomic_store(&pl->fatal, VG_ENOMEM);
		return NULL;
	}
	while (!atomic_load(&pl->fatal)) {
		size_t i = atomic_fetch_add(&pl->next, 1);

		if (i >= pl->nparts)
			break;
		if (!pl->parts[i]->start)
			continue;
		walk_part(&s, pl->parts[i]);
		if (s.fatal)
			atomic_store(&pl->fatal, s.fatal);
	}
	free(s.pend);
	return NULL;
}

/* Walks every subdirectory part on up to jobs threads (this one included). */
static int walk_parts(struct sweeper *proto, struct vg_vec *parts, unsigned jobs)
{
	struct pool pl = {.proto = *proto, .parts = (struct part **)parts->items,
			  .nparts = parts->len};
	pthread_t th[VG_MAX_JOBS];
	size_t ndirs = 0, started = 0;

	atomic_init(&pl.next, 0);
	atomic_init(&pl.fatal, 0);
	for (size_t i = 0; i < parts->len; i++)
		ndirs += ((struct part *)parts->items[i])->start != NULL;
	if (jobs > VG_MAX_JOBS)
		jobs = VG_MAX_JOBS;
	while (started + 1 < jobs && started + 1 < ndirs &&
	       pthread_create(&th[started], NULL, worker, &pl) == 0)
		started++;
	worker(&pl);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	return atomic_load(&pl.fatal);
}

/* ---- planning: each root, its files, and its subdirectories as parts ---- */

/* The part the planning thread fills: a new one after a subdirectory part. */
static struct part *inline_part(struct sweeper *s)
{
	struct part *p;

	if (s->p && !s->p->start)
		return s->p;
	p = calloc(1, sizeof(*p));
	if (!p || vg_vec_push(s->parts, p) < 0) {
		free(p);
		s->fatal = VG_ENOMEM;
		return NULL;
	}
	s->p = p;
	return p;
}

static int plan_dir(void *ud, const struct vg_walk_entry *e)
{
	struct sweeper *s = ud;
	struct part *p = calloc(1, sizeof(*p));

	if (!p || !(p->start = vg_asprintf("/%s", e->path)) || vg_vec_push(s->parts, p) < 0) {
		part_free(p);
		s->fatal = VG_ENOMEM;
		return VG_ENOMEM;
	}
	p->st = e->st;
	s->p = p;
	return VG_WALK_SKIP;
}

static int plan_file(void *ud, const struct vg_walk_entry *e)
{
	struct sweeper *s = ud;

	if (!inline_part(s))
		return VG_ENOMEM;
	return examine(s, e->path, strlen(e->path), &e->st);
}

static int plan_error(void *ud, const char *path, int code, const char *msg)
{
	struct sweeper *s = ud;

	if (inline_part(s))
		note(s, code, msg);
	return 0;
}

/* Whether root a contains b (or is b): "/" contains everything. */
static bool contains(const char *a, const char *b)
{
	size_t n = strlen(a);

	while (n > 1 && a[n - 1] == '/')
		n--;
	if (n == 1 && a[0] == '/')
		return true;
	return !strncmp(a, b, n) && (b[n] == '\0' || b[n] == '/');
}

/* Plans root i: judges it, and its files; its subdirectories become parts.
 * Returns STOP_MAX_FILES when max_files is reached, VG_ENOMEM, or 0. */
static int plan_root(struct sweeper *s, size_t i)
{
	const struct vg_sweep_opts *o = s->o;
	struct vg_walk_opts wo = {.prune = s->prune, .nprune = s->nprune, .on_dir = plan_dir,
				  .absolute = true};
	const char *rel = o->roots[i] + strspn(o->roots[i], "/");
	struct vg_error e = {0};
	struct vg_stat st;
	bool nested = false;
	int rc;

	/* a root inside another root (or a repeat) is already covered */
	for (size_t k = 0; k < o->nroots && !nested; k++)
		nested = k != i && contains(o->roots[k], o->roots[i]) &&
			 (!contains(o->roots[i], o->roots[k]) || k < i);
	if (nested)
		return 0;
	if (!inline_part(s))
		return VG_ENOMEM;
	if (vg_fs_lstat(s->fs, o->roots[i], &st, &e) < 0) {
		note(s, e.code, e.msg);
		return s->fatal;
	}
	if (S_ISLNK(st.mode))
		return 0; /* a symlinked root (/bin -> usr/bin) is never followed */
	rc = examine(s, rel, strlen(rel), &st);
	if (rc || !S_ISDIR(st.mode))
		return rc;
	rc = vg_walk(s->fs, o->roots[i], &wo, plan_file, plan_error, s, &e);
	if (s->fatal)
		return s->fatal;
	if (rc < 0 && inline_part(s))
		note(s, e.code, e.msg);
	return rc == STOP_MAX_FILES ? rc : s->fatal;
}

/* Puts the parts back in walk order into r. */
static void merge(struct vg_sweep_result *r, struct vg_vec *parts, size_t max)
{
	size_t base = 0, kept[VG_SWEEP_NKINDS] = {0};

	for (size_t i = 0; i < parts->len && !r->truncated; i++) {
		struct part *p = parts->items[i];

		for (size_t j = 0; j < p->nrecs; j++) {
			struct rec *x = &p->recs[j];
			size_t g = base + x->idx;

			if (x->type == REC_PROBLEM && g <= max) {
				/* a single walk notes a problem until it stops */
				if (x->what == VG_EPERM)
					r->denied += x->n;
				else if (x->what == VG_ELIMIT)
					r->limited += x->n;
				else
					r->errors += x->n;
				if (!r->first_problem) {
					r->first_problem = p->first_problem;
					p->first_problem = NULL;
				}
			} else if (x->type == REC_DROP && g < max) {
				size_t n = x->n < max - g ? x->n : max - g;

				for (int k = 0; k < VG_SWEEP_NKINDS; k++)
					if ((unsigned)x->what & (1u << k))
						r->dropped[k] += n;
			} else if (x->type == REC_HIT && g < max) {
				unsigned keep = 0;

				for (int k = 0; k < VG_SWEEP_NKINDS; k++) {
					if (!(x->it->kinds & (1u << k)))
						continue;
					if (kept[k] < VG_MAX_FINDINGS_PER_RULE) {
						kept[k]++;
						keep |= 1u << k;
					} else {
						r->dropped[k]++;
					}
				}
				x->it->kinds = keep;
				/* r->items has room: it was sized for every hit */
				if (keep) {
					r->items.items[r->items.len++] = x->it;
					x->it = NULL;
				}
			}
		}
		if (p->over || base + p->entries > max)
			r->truncated = true;
		base += p->entries;
	}
	r->entries = base < max ? base : max;
}

int vg_sweep_run(struct vg_sweep_result **out, struct vg_fs *fs, const struct vg_sweep_opts *o,
		 struct vg_error *err)
{
	struct vg_sweep_result *r = calloc(1, sizeof(*r));
	struct sweeper s = {.fs = fs, .o = o};
	struct vg_vec parts, prune;
	size_t nhits = 0;
	int rc = 0;

	*out = NULL;
	vg_vec_init(&parts);
	vg_vec_init(&prune);
	if (!r)
		goto nomem;
	vg_vec_init(&r->items);
	r->max_files = o->max_files ? o->max_files : VG_DEFAULT_SWEEP_ENTRIES;
	r->owners_known = o->accounts != NULL;
	r->roots = vg_calloc(o->nroots + 1, sizeof(*r->roots));
	if (!r->roots)
		goto nomem;
	for (size_t i = 0; i < o->nroots; i++) {
		if (!(r->roots[i] = strdup(o->roots[i])))
			goto nomem;
		r->nroots++;
	}
	/* the walk compares pruned paths as it names entries: relative, no '/' at the ends */
	for (size_t i = 0; i < NFIXED + o->nexclude; i++) {
		const char *p = i < NFIXED ? fixed_excludes[i] : o->exclude[i - NFIXED];
		size_t n;
		char *rel;

		p += strspn(p, "/");
		n = strlen(p);
		while (n && p[n - 1] == '/')
			n--;
		if (!n)
			continue;
		if (!(rel = vg_strndup(p, n)) || vg_vec_push(&prune, rel) < 0) {
			free(rel);
			goto nomem;
		}
	}
	s.max = r->max_files;
	s.prune = (const char *const *)prune.items;
	s.nprune = prune.len;
	s.parts = &parts;
	for (size_t i = 0; i < o->nroots && rc == 0; i++)
		rc = plan_root(&s, i);
	/* planning stopped at max_files: the parts it made still count before it */
	if (rc == VG_ENOMEM || s.fatal)
		goto nomem;
	s.p = NULL;
	if (walk_parts(&s, &parts, o->jobs ? o->jobs : 1) < 0)
		goto nomem;
	for (size_t i = 0; i < parts.len; i++)
		nhits += ((struct part *)parts.items[i])->nrecs;
	r->items.items = vg_calloc(nhits + 1, sizeof(*r->items.items));
	if (!r->items.items)
		goto nomem;
	r->items.cap = nhits + 1;
	merge(r, &parts, s.max);
	vg_vec_finish(&parts, part_free);
	vg_vec_finish(&prune, free);
	*out = r;
	return 0;
nomem:
	vg_vec_finish(&parts, part_free);
	vg_vec_finish(&prune, free);
	vg_sweep_result_free(r);
	return vg_error_set(err, VG_ENOMEM, "sweep: out of memory");
}

static bool is_special(const char *type)
{
	for (size_t i = 0; special_types[i]; i++)
		if (!strcmp(special_types[i], type))
			return true;
	return false;
}

/* Decodes the \040-style escapes of a mounts field in place. */
static void unescape(char *s)
{
	char *w = s;

	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*w++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
}

int vg_sweep_special_mounts(char ***out, size_t *n, const char *data, size_t len)
{
	struct vg_vec v;

	*out = NULL;
	*n = 0;
	vg_vec_init(&v);
	for (size_t off = 0; off < len;) {
		const char *line = data + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t ln = nl ? (size_t)(nl - line) : len - off;
		char *copy, *dev, *mnt, *type, *save = NULL;

		off += ln + (nl ? 1 : 0);
		if (ln > VG_MAX_LINE_BYTES)
			continue;
		copy = vg_strndup(line, ln);
		if (!copy)
			goto nomem;
		dev = strtok_r(copy, " \t", &save);
		mnt = dev ? strtok_r(NULL, " \t", &save) : NULL;
		type = mnt ? strtok_r(NULL, " \t", &save) : NULL;
		if (type && is_special(type) && mnt[0] == '/' && strcmp(mnt, "/")) {
			char *m;

			unescape(mnt);
			m = strdup(mnt);
			if (!m || vg_vec_push(&v, m) < 0) {
				free(m);
				free(copy);
				goto nomem;
			}
		}
		free(copy);
	}
	if (vg_vec_push(&v, NULL) < 0)
		goto nomem;
	*n = v.len - 1;
	*out = (char **)v.items;
	return 0;
nomem:
	vg_vec_finish(&v, free);
	return VG_ENOMEM;
}

static bool same_roots(const struct vg_sweep_result *r, const struct vg_sweep_opts *o)
{
	if (r->nroots != o->nroots)
		return false;
	for (size_t i = 0; i < o->nroots; i++)
		if (strcmp(r->roots[i], o->roots[i]))
			return false;
	return true;
}

int vg_sweep_get(const struct vg_sweep_cache *cc, const struct vg_target *t,
		 const struct vg_sweep_opts *o, const struct vg_sweep_result **out,
		 struct vg_error *err)
{
	/* the cache is shared facts: it only ever grows, under its own lock */
	struct vg_sweep_cache *c = (struct vg_sweep_cache *)cc;
	struct vg_sweep_opts run = *o;
	struct vg_sweep_result *r = NULL;
	size_t max = o->max_files ? o->max_files : VG_DEFAULT_SWEEP_ENTRIES;
	int rc = 0;

	*out = NULL;
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->results.len && !*out; i++) {
		const struct vg_sweep_result *x = c->results.items[i];

		if (x->max_files == max && x->owners_known == (o->accounts != NULL) &&
		    same_roots(x, o))
			*out = x;
	}
	if (!*out) {
		run.exclude = (const char *const *)c->exclude;
		run.nexclude = c->nexclude;
		rc = vg_sweep_run(&r, t->fs, &run, err);
		if (rc == 0 && vg_vec_push(&c->results, r) < 0) {
			vg_sweep_result_free(r);
			rc = vg_error_set(err, VG_ENOMEM, "sweep: out of memory");
		} else if (rc == 0) {
			*out = r;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

static void cache_free(void *p)
{
	struct vg_sweep_cache *c = p;

	if (!c)
		return;
	vg_vec_finish(&c->results, result_free_cb);
	vg_strv_free(c->exclude);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static int collect(void **out, const struct vg_target *t, struct vg_error *err)
{
	struct vg_sweep_cache *c = calloc(1, sizeof(*c));
	struct vg_blob b = {0};
	struct vg_error e = {0};

	*out = NULL;
	if (!c)
		return vg_error_set(err, VG_ENOMEM, "sweep: out of memory");
	pthread_mutex_init(&c->lock, NULL);
	vg_vec_init(&c->results);
	/* on the live host, the mount table names the special filesystems to prune */
	if (t->live && vg_fs_read(t->fs, "/proc/self/mounts", VG_MAX_CONFIG_FILE_BYTES, &b,
				  &e) == 0) {
		int rc = vg_sweep_special_mounts(&c->exclude, &c->nexclude, b.data, b.len);

		vg_blob_finish(&b);
		if (rc < 0) {
			cache_free(c);
			return vg_error_set(err, rc, "sweep: out of memory");
		}
	}
	*out = c;
	return 0;
}

const struct vg_collector vg_collector_sweep = {
	.name = "sweep",
	.offline = true,
	.live_only = false,
	.collect = collect,
	.free_facts = cache_free,
};
