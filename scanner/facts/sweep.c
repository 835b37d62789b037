/* SPDX-License-Identifier: Apache-2.0 */
/* Walks bounded roots once per target, keeping world-writable, unowned and set-ID entries. */
#include "facts/sweep.h"

#include <pthread.h>
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

struct sweeper {
	struct vg_fs *fs;
	const struct vg_sweep_opts *o;
	struct vg_sweep_result *r;
	size_t max;
	size_t kept[VG_SWEEP_NKINDS];
	char last_dir[VG_MAX_PATH_BYTES + 1]; /* directory of the previous entry (relative) */
	int fatal;                            /* VG_ENOMEM met inside a callback */
};

static int kind_index(unsigned bit)
{
	for (int i = 0; i < VG_SWEEP_NKINDS; i++)
		if (bit == 1u << i)
			return i;
	return 0;
}

static void note(struct sweeper *s, int code, const char *msg)
{
	if (code == VG_ENOTFOUND)
		return; /* vanished while walking: a live system changes */
	if (code == VG_EPERM)
		s->r->denied++;
	else if (code == VG_ELIMIT)
		s->r->limited++;
	else
		s->r->errors++;
	if (!s->r->first_problem)
		s->r->first_problem = strdup(msg);
}

/* Judges one entry (path relative to the fs root) and records it when flagged. */
static int examine(struct sweeper *s, const char *rel, const struct vg_stat *st)
{
	const struct vg_accounts *a = s->o->accounts;
	unsigned kinds = 0, keep = 0;
	struct vg_sweep_item *it;

	if (s->r->entries >= s->max) {
		s->r->truncated = true;
		return STOP_MAX_FILES;
	}
	s->r->entries++;
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
	if (!kinds)
		return 0;
	/* the findings cap bounds memory on a badly broken system */
	for (unsigned bit = 1; bit < 1u << VG_SWEEP_NKINDS; bit <<= 1) {
		int k = kind_index(bit);

		if (!(kinds & bit))
			continue;
		if (s->kept[k] < VG_MAX_FINDINGS_PER_RULE) {
			s->kept[k]++;
			keep |= bit;
		} else {
			s->r->dropped[k]++;
		}
	}
	if (!keep)
		return 0;
	it = calloc(1, sizeof(*it));
	if (!it || !(it->path = vg_asprintf("/%s", rel)) || vg_vec_push(&s->r->items, it) < 0) {
		item_free(it);
		s->fatal = VG_ENOMEM;
		return VG_ENOMEM;
	}
	it->kinds = keep;
	it->mode = st->mode;
	it->uid = st->uid;
	it->gid = st->gid;
	return 0;
}

/* Judges the directories between the previous entry's directory and dir (its
 * dlen first bytes) that the walk entered without reporting them. */
static int visit_dirs(struct sweeper *s, const char *dir, size_t dlen)
{
	const char *last = s->last_dir;
	char path[VG_MAX_PATH_BYTES + 1];
	size_t i = 0, common;
	int rc = 0;

	if (dlen > VG_MAX_PATH_BYTES)
		return 0;
	while (i < dlen && last[i] && last[i] == dir[i])
		i++;
	/* the shared part, cut back to whole components */
	if ((i == dlen || dir[i] == '/') && (last[i] == '\0' || last[i] == '/')) {
		common = i;
	} else {
		while (i > 0 && dir[i - 1] != '/')
			i--;
		common = i ? i - 1 : 0;
	}
	memcpy(path, dir, dlen);
	path[dlen] = '\0';
	for (size_t k = common + 1; k <= dlen && rc == 0; k++) {
		struct vg_error e = {0};
		struct vg_stat st;

		if (k < dlen && dir[k] != '/')
			continue;
		path[k] = '\0';
		if (vg_fs_lstat(s->fs, path, &st, &e) < 0)
			note(s, e.code, e.msg);
		else
			rc = examine(s, path, &st);
		if (k < dlen)
			path[k] = '/';
	}
	memcpy(s->last_dir, dir, dlen);
	s->last_dir[dlen] = '\0';
	return rc;
}

static int on_entry(void *ud, const struct vg_walk_entry *e)
{
	struct sweeper *s = ud;
	const char *slash = strrchr(e->path, '/');
	int rc;

	rc = visit_dirs(s, e->path, slash ? (size_t)(slash - e->path) : 0);
	if (rc)
		return rc;
	return examine(s, e->path, &e->st);
}

static int on_error(void *ud, const char *path, int code, const char *msg)
{
	(void)path;
	note(ud, code, msg);
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

/* An exclude pattern that matches path literally (glob characters escaped). */
static char *literal_glob(const char *path)
{
	struct vg_buf b;

	vg_buf_init(&b, VG_MAX_PATH_BYTES * 2 + 2);
	for (const char *p = path; *p; p++) {
		if (strchr("*?[]\\", *p) && vg_buf_putc(&b, '\\') < 0)
			break;
		if (vg_buf_putc(&b, *p) < 0)
			break;
	}
	return vg_buf_detach(&b);
}

int vg_sweep_run(struct vg_sweep_result **out, struct vg_fs *fs, const struct vg_sweep_opts *o,
		 struct vg_error *err)
{
	struct vg_sweep_result *r = calloc(1, sizeof(*r));
	struct sweeper *s = calloc(1, sizeof(*s));
	char **excl = NULL;
	size_t nexcl = 0;
	int rc = 0;

	*out = NULL;
	if (!r || !s)
		goto nomem;
	vg_vec_init(&r->items);
	r->max_files = o->max_files ? o->max_files : VG_DEFAULT_SWEEP_ENTRIES;
	r->owners_known = o->accounts != NULL;
	r->roots = vg_calloc(o->nroots + 1, sizeof(*r->roots));
	excl = vg_calloc(NFIXED + o->nexclude + 1, sizeof(*excl));
	if (!r->roots || !excl)
		goto nomem;
	for (size_t i = 0; i < o->nroots; i++) {
		if (!(r->roots[i] = strdup(o->roots[i])))
			goto nomem;
		r->nroots++;
	}
	for (size_t i = 0; i < NFIXED + o->nexclude; i++) {
		const char *p = i < NFIXED ? fixed_excludes[i] : o->exclude[i - NFIXED];

		if (!(excl[nexcl] = literal_glob(p)))
			goto nomem;
		nexcl++;
	}
	s->fs = fs;
	s->o = o;
	s->r = r;
	s->max = r->max_files;
	for (size_t i = 0; i < o->nroots && !r->truncated; i++) {
		struct vg_walk_opts wo = {.exclude = (const char *const *)excl, .nexclude = nexcl};
		struct vg_error e = {0};
		struct vg_stat st;
		bool nested = false;

		/* a root inside another root (or a repeat) is already covered */
		for (size_t k = 0; k < o->nroots && !nested; k++)
			nested = k != i && contains(o->roots[k], o->roots[i]) &&
				 (!contains(o->roots[i], o->roots[k]) || k < i);
		if (nested)
			continue;
		if (vg_fs_lstat(fs, o->roots[i], &st, &e) < 0) {
			note(s, e.code, e.msg);
			continue;
		}
		if (S_ISLNK(st.mode))
			continue; /* a symlinked root (/bin -> usr/bin) is never followed */
		if (!S_ISDIR(st.mode)) {
			rc = examine(s, o->roots[i] + strspn(o->roots[i], "/"), &st);
			if (rc == STOP_MAX_FILES)
				break;
			if (rc < 0)
				goto nomem;
			continue;
		}
		s->last_dir[0] = '\0';
		rc = examine(s, o->roots[i] + strspn(o->roots[i], "/"), &st);
		if (rc == STOP_MAX_FILES)
			break;
		if (rc < 0)
			goto nomem;
		{
			const char *start = o->roots[i] + strspn(o->roots[i], "/");
			size_t n = strlen(start);

			while (n && start[n - 1] == '/')
				n--;
			if (n <= VG_MAX_PATH_BYTES) {
				memcpy(s->last_dir, start, n);
				s->last_dir[n] = '\0';
			}
		}
		rc = vg_walk(fs, o->roots[i], &wo, on_entry, on_error, s, &e);
		if (s->fatal)
			goto nomem;
		if (rc == STOP_MAX_FILES)
			break;
		if (rc < 0)
			note(s, e.code, e.msg);
		rc = 0;
	}
	for (size_t i = 0; i < nexcl; i++)
		free(excl[i]);
	free(excl);
	free(s);
	*out = r;
	return 0;
nomem:
	for (size_t i = 0; excl && i < nexcl; i++)
		free(excl[i]);
	free(excl);
	free(s);
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
