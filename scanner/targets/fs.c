/* SPDX-License-Identifier: Apache-2.0 */
/* The one place that opens files: openat2-confined lookups, bounded reads, no FIFOs or devices. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "targets/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "glob.h"
#include "limits.h"
#include "util.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* openat2 fails with EAGAIN when a rename races with a confined ".." lookup. */
#define OPEN_TRIES 16
/* First buffer for files whose size says nothing (procfs, sysfs). */
#define UNSIZED_CHUNK 4096

struct vg_fs {
	int dirfd;
	char *root;
	enum vg_fs_mode mode;
	uint64_t resolve;
};

/* How a read resolves its path: confined below a vg_fs, or a plain host path. */
struct opener {
	int at;
	uint64_t resolve; /* 0: plain openat */
};

/* A directory entry: its d_type (or the type from fstatat) and name. */
struct dent {
	unsigned char type;
	char name[];
};

static int xopenat2(int at, const char *path, int flags, uint64_t resolve)
{
	struct open_how how;
	long fd = -1;

	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_CLOEXEC);
	how.resolve = resolve;
	for (int i = 0; i < OPEN_TRIES; i++) {
		fd = syscall(SYS_openat2, at, path, &how, sizeof(how));
		if (fd >= 0 || (errno != EAGAIN && errno != EINTR))
			break;
	}
	return fd < 0 ? -1 : (int)fd;
}

static int open_with(const struct opener *o, const char *path, int flags)
{
	int fd;

	if (o->resolve)
		return xopenat2(o->at, path, flags, o->resolve);
	do
		fd = openat(o->at, path, flags | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	return fd;
}

static void close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* How a path is named in messages: the caller's spelling, "/" for the root. */
static const char *shown(const char *path)
{
	return path && *path ? path : "/";
}

/* Turns errno from a lookup or read into a VG_E* code and a message naming the path. */
static int sys_error(struct vg_error *err, int e, const char *what)
{
	char buf[128];

	switch (e) {
	case ENOENT:
		return vg_error_set(err, VG_ENOTFOUND, "%s: no such file or directory", what);
	case ENOTDIR:
		return vg_error_set(err, VG_ENOTFOUND, "%s: not a directory", what);
	case EACCES:
	case EPERM:
		return vg_error_set(err, VG_EPERM, "%s: permission denied", what);
	case EXDEV:
		return vg_error_set(err, VG_EPERM, "%s points outside the scanned tree", what);
	case ELOOP:
		return vg_error_set(err, VG_ELIMIT, "%s: too many levels of symbolic links", what);
	case ENAMETOOLONG:
		return vg_error_set(err, VG_ELIMIT, "%s: name too long", what);
	case EISDIR:
		return vg_error_set(err, VG_EUNSUPPORTED, "%s is a directory", what);
	case ENXIO:
	case ENODEV:
		return vg_error_set(err, VG_EUNSUPPORTED, "%s: not a regular file", what);
	case ENOMEM:
		return vg_error_set(err, VG_ENOMEM, "%s: out of memory", what);
	default:
		return vg_error_set(err, VG_EIO, "%s: %s", what, strerror_r(e, buf, sizeof(buf)));
	}
}

/* The path handed to openat2: without leading slashes, so "/etc/x" and "etc/x"
 * are the same in both modes, and "." for the root. */
static int rel_path(const char *path, const char **out, struct vg_error *err)
{
	if (!path)
		path = "";
	if (strnlen(path, VG_MAX_PATH_BYTES + 1) > VG_MAX_PATH_BYTES)
		return vg_error_set(err, VG_ELIMIT, "%.64s...: path longer than %d bytes", path,
				    VG_MAX_PATH_BYTES);
	while (*path == '/')
		path++;
	*out = *path ? path : ".";
	return 0;
}

static int fs_openat(const struct vg_fs *fs, const char *rel, int flags)
{
	return xopenat2(fs->dirfd, rel, flags, fs->resolve);
}

int vg_fs_open(struct vg_fs **out, const char *dir, enum vg_fs_mode mode, struct vg_error *err)
{
	struct vg_fs *fs = NULL;
	uint64_t resolve = RESOLVE_NO_MAGICLINKS;
	int fd = -1, probe = -1;
	int rc = 0;

	if (!out)
		return vg_error_set(err, VG_ERROR, "vg_fs_open: no output given");
	*out = NULL;
	if (!dir)
		return vg_error_set(err, VG_ERROR, "vg_fs_open: no directory given");
	if (mode == VG_FS_IN_ROOT)
		resolve |= RESOLVE_IN_ROOT;
	else if (mode == VG_FS_BENEATH)
		resolve |= RESOLVE_BENEATH;
	else
		return vg_error_set(err, VG_ERROR, "%s: unknown resolution mode %d", dir,
				    (int)mode);
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOTDIR)
			rc = vg_error_set(err, VG_EUNSUPPORTED, "%s: not a directory", dir);
		else
			rc = sys_error(err, errno, dir);
		goto out;
	}
	probe = xopenat2(fd, ".", O_PATH | O_DIRECTORY, resolve);
	if (probe < 0) {
		if (errno == ENOSYS)
			rc = vg_error_set(err, VG_EUNSUPPORTED,
					  "this kernel lacks openat2 (Linux 5.6+ needed)");
		else if (errno == EPERM)
			rc = vg_error_set(err, VG_EUNSUPPORTED,
					  "%s: openat2 is not permitted (a seccomp filter?)", dir);
		else
			rc = sys_error(err, errno, dir);
		goto out;
	}
	fs = calloc(1, sizeof(*fs));
	if (!fs) {
		rc = vg_error_set(err, VG_ENOMEM, "%s: out of memory", dir);
		goto out;
	}
	fs->dirfd = -1;
	fs->root = strdup(dir);
	if (!fs->root) {
		rc = vg_error_set(err, VG_ENOMEM, "%s: out of memory", dir);
		goto out;
	}
	fs->mode = mode;
	fs->resolve = resolve;
	fs->dirfd = fd;
	fd = -1;
	*out = fs;
	fs = NULL;
out:
	close_fd(probe);
	close_fd(fd);
	vg_fs_free(fs);
	return rc;
}

void vg_fs_free(struct vg_fs *fs)
{
	if (!fs)
		return;
	close_fd(fs->dirfd);
	free(fs->root);
	free(fs);
}

const char *vg_fs_root(const struct vg_fs *fs)
{
	return fs ? fs->root : NULL;
}

enum vg_fs_mode vg_fs_mode(const struct vg_fs *fs)
{
	return fs ? fs->mode : VG_FS_BENEATH;
}

static void fill_stat(struct vg_stat *out, const struct stat *st)
{
	memset(out, 0, sizeof(*out));
	out->mode = st->st_mode;
	out->uid = st->st_uid;
	out->gid = st->st_gid;
	out->size = st->st_size > 0 ? (uint64_t)st->st_size : 0;
	out->nlink = (uint64_t)st->st_nlink;
	out->dev = st->st_dev;
	out->ino = st->st_ino;
	out->mtime = (int64_t)st->st_mtim.tv_sec;
}

/* An O_PATH descriptor for path inside fs. A final symlink is followed only
 * when follow is set; with O_NOFOLLOW the descriptor is the link itself, so
 * lstat and readlink never need a lookup outside the confined resolution. */
static int lookup(struct vg_fs *fs, const char *path, bool follow, int *out, struct vg_error *err)
{
	const char *rel = NULL;
	int rc, fd;

	*out = -1;
	if (!fs)
		return vg_error_set(err, VG_ERROR, "%s: no filesystem open", shown(path));
	rc = rel_path(path, &rel, err);
	if (rc < 0)
		return rc;
	fd = fs_openat(fs, rel, O_PATH | (follow ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return sys_error(err, errno, shown(path));
	*out = fd;
	return 0;
}

static int stat_path(struct vg_fs *fs, const char *path, bool follow, struct vg_stat *out,
		     struct vg_error *err)
{
	struct stat st;
	int fd = -1;
	int rc;

	if (!out)
		return vg_error_set(err, VG_ERROR, "%s: no output given", shown(path));
	rc = lookup(fs, path, follow, &fd, err);
	if (rc < 0)
		goto out;
	if (fstat(fd, &st) < 0) {
		rc = sys_error(err, errno, shown(path));
		goto out;
	}
	fill_stat(out, &st);
out:
	close_fd(fd);
	return rc;
}

int vg_fs_lstat(struct vg_fs *fs, const char *path, struct vg_stat *out, struct vg_error *err)
{
	return stat_path(fs, path, false, out, err);
}

int vg_fs_stat(struct vg_fs *fs, const char *path, struct vg_stat *out, struct vg_error *err)
{
	return stat_path(fs, path, true, out, err);
}

int vg_fs_readlink(struct vg_fs *fs, const char *path, char **out, struct vg_error *err)
{
	char *buf = NULL;
	ssize_t n;
	int fd = -1;
	int rc;

	if (!out)
		return vg_error_set(err, VG_ERROR, "%s: no output given", shown(path));
	*out = NULL;
	rc = lookup(fs, path, false, &fd, err);
	if (rc < 0)
		goto out;
	buf = malloc(VG_MAX_PATH_BYTES + 1);
	if (!buf) {
		rc = vg_error_set(err, VG_ENOMEM, "%s: out of memory", shown(path));
		goto out;
	}
	/* "" reads the link the O_PATH|O_NOFOLLOW descriptor refers to */
	n = readlinkat(fd, "", buf, VG_MAX_PATH_BYTES);
	if (n < 0) {
		if (errno == EINVAL || errno == ENOENT)
			rc = vg_error_set(err, VG_EUNSUPPORTED, "%s is not a symlink", shown(path));
		else
			rc = sys_error(err, errno, shown(path));
		goto out;
	}
	if (n >= VG_MAX_PATH_BYTES) {
		rc = vg_error_set(err, VG_ELIMIT, "%s: symlink target longer than %d bytes",
				  shown(path), VG_MAX_PATH_BYTES - 1);
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	buf = NULL;
out:
	free(buf);
	close_fd(fd);
	return rc;
}

void vg_blob_finish(struct vg_blob *b)
{
	if (!b)
		return;
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* Only regular files are read; everything else is refused before it is opened. */
static int check_regular(const struct stat *st, const char *what, uint64_t max,
			 struct vg_error *err)
{
	if (S_ISDIR(st->st_mode))
		return vg_error_set(err, VG_EUNSUPPORTED, "%s is a directory (not read)", what);
	if (!S_ISREG(st->st_mode))
		return vg_error_set(err, VG_EUNSUPPORTED, "%s is a %s (not read)", what,
				    vg_fs_type_name(st->st_mode));
	if (st->st_size < 0 || (uint64_t)st->st_size > max)
		return vg_error_set(err, VG_ELIMIT, "%s is larger than %" PRIu64 " bytes", what,
				    max);
	return 0;
}

static ssize_t read_retry(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Reads fd to its end into a NUL-terminated buffer of at most max bytes. The
 * size from fstat is only a first guess: files grow and procfs reports 0. */
static int read_fd(int fd, const char *what, uint64_t size, uint64_t max, struct vg_blob *out,
		   struct vg_error *err)
{
	size_t limit = max < SIZE_MAX - 1 ? (size_t)max : SIZE_MAX - 1;
	size_t cap, len = 0;
	char *buf = NULL;
	int rc = 0;

	cap = size < limit ? (size_t)size : limit;
	if (cap == 0)
		cap = limit < UNSIZED_CHUNK ? limit : UNSIZED_CHUNK;
	buf = malloc(cap + 1);
	if (!buf)
		return vg_error_set(err, VG_ENOMEM, "%s: out of memory (%zu bytes)", what, cap);
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char probe;
			size_t ncap;
			char *nbuf;

			if (cap == limit) {
				/* full: one more byte means the file is over the cap */
				n = read_retry(fd, &probe, 1);
				if (n < 0) {
					rc = sys_error(err, errno, what);
					goto out;
				}
				if (n > 0) {
					rc = vg_error_set(err, VG_ELIMIT,
							  "%s is larger than %" PRIu64 " bytes",
							  what, max);
					goto out;
				}
				break;
			}
			ncap = cap > limit / 2 ? limit : cap * 2;
			nbuf = realloc(buf, ncap + 1);
			if (!nbuf) {
				rc = vg_error_set(err, VG_ENOMEM, "%s: out of memory (%zu bytes)",
						  what, ncap);
				goto out;
			}
			buf = nbuf;
			cap = ncap;
		}
		n = read_retry(fd, buf + len, cap - len);
		if (n < 0) {
			rc = sys_error(err, errno, what);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	out->data = buf;
	out->len = len;
	out->mapped = false;
	buf = NULL;
out:
	free(buf);
	return rc;
}

/* Resolves path once as O_PATH to learn its type without opening it, then
 * opens it for reading and checks that it is still the same regular file. */
static int read_regular(const struct opener *o, const char *path, const char *what, uint64_t max,
			struct vg_blob *out, struct vg_error *err)
{
	const int rflags = O_RDONLY | O_NOCTTY | O_NONBLOCK;
	struct stat st, rst;
	int pfd = -1, fd = -1;
	int rc;

	pfd = open_with(o, path, O_PATH);
	if (pfd < 0) {
		rc = sys_error(err, errno, what);
		goto out;
	}
	if (fstat(pfd, &st) < 0) {
		rc = sys_error(err, errno, what);
		goto out;
	}
	rc = check_regular(&st, what, max, err);
	if (rc < 0)
		goto out;
	/* O_NOATIME keeps a scan from touching the host; only owners may ask for it */
	fd = open_with(o, path, rflags | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = open_with(o, path, rflags);
	if (fd < 0) {
		rc = sys_error(err, errno, what);
		goto out;
	}
	if (fstat(fd, &rst) < 0) {
		rc = sys_error(err, errno, what);
		goto out;
	}
	if (!S_ISREG(rst.st_mode) || rst.st_dev != st.st_dev || rst.st_ino != st.st_ino) {
		rc = vg_error_set(err, VG_EIO, "%s was replaced while being opened", what);
		goto out;
	}
	rc = check_regular(&rst, what, max, err);
	if (rc < 0)
		goto out;
	rc = read_fd(fd, what, (uint64_t)rst.st_size, max, out, err);
out:
	close_fd(fd);
	close_fd(pfd);
	return rc;
}

int vg_fs_read(struct vg_fs *fs, const char *path, uint64_t max, struct vg_blob *out,
	       struct vg_error *err)
{
	struct opener o;
	const char *rel = NULL;
	int rc;

	if (!out)
		return vg_error_set(err, VG_ERROR, "%s: no output given", shown(path));
	memset(out, 0, sizeof(*out));
	if (!fs)
		return vg_error_set(err, VG_ERROR, "%s: no filesystem open", shown(path));
	rc = rel_path(path, &rel, err);
	if (rc < 0)
		return rc;
	o.at = fs->dirfd;
	o.resolve = fs->resolve;
	return read_regular(&o, rel, shown(path), max, out, err);
}

int vg_file_read(const char *path, uint64_t max, struct vg_blob *out, struct vg_error *err)
{
	struct opener o = {.at = AT_FDCWD, .resolve = 0};

	if (!out)
		return vg_error_set(err, VG_ERROR, "%s: no output given", path ? path : "(null)");
	memset(out, 0, sizeof(*out));
	if (!path)
		return vg_error_set(err, VG_ERROR, "vg_file_read: no path given");
	if (strnlen(path, VG_MAX_PATH_BYTES + 1) > VG_MAX_PATH_BYTES)
		return vg_error_set(err, VG_ELIMIT, "%.64s...: path longer than %d bytes", path,
				    VG_MAX_PATH_BYTES);
	return read_regular(&o, path, path, max, out, err);
}

static int cmp_dent(const void *a, const void *b)
{
	const struct dent *x = *(const struct dent *const *)a;
	const struct dent *y = *(const struct dent *const *)b;

	return strcmp(x->name, y->name);
}

/* Reads the entries of the directory fd (taken over and closed) into out,
 * sorted by name. With types, an unknown d_type is filled in by fstatat. The
 * caller frees out (vg_vec_finish(out, free)) whatever this returns. */
static int read_dir(int fd, const char *what, bool types, struct vg_vec *out,
		    struct vg_error *err)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	d = fdopendir(fd);
	if (!d) {
		rc = sys_error(err, errno, what);
		close(fd);
		return rc;
	}
	for (;;) {
		struct dent *e;
		size_t nlen, sz;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				rc = sys_error(err, errno, what);
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (out->len >= VG_MAX_DIR_ENTRIES) {
			rc = vg_error_set(err, VG_ELIMIT, "%s has more than %d entries", what,
					  VG_MAX_DIR_ENTRIES);
			break;
		}
		nlen = strlen(de->d_name);
		if (!vg_add_size(&sz, sizeof(*e) + 1, nlen) || !(e = malloc(sz))) {
			rc = vg_error_set(err, VG_ENOMEM, "%s: out of memory", what);
			break;
		}
		e->type = de->d_type;
		memcpy(e->name, de->d_name, nlen + 1);
		if (types && e->type == DT_UNKNOWN) {
			struct stat st;

			if (fstatat(dirfd(d), e->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
				e->type = IFTODT(st.st_mode);
		}
		if (vg_vec_push(out, e) < 0) {
			free(e);
			rc = vg_error_set(err, VG_ENOMEM, "%s: out of memory", what);
			break;
		}
	}
	closedir(d);
	if (rc == 0 && out->len > 1)
		qsort(out->items, out->len, sizeof(out->items[0]), cmp_dent);
	return rc;
}

int vg_fs_list(struct vg_fs *fs, const char *dir, vg_fs_dir_fn fn, void *ud, struct vg_error *err)
{
	struct vg_vec ents;
	const char *rel = NULL;
	int fd, rc;

	vg_vec_init(&ents);
	if (!fs)
		return vg_error_set(err, VG_ERROR, "%s: no filesystem open", shown(dir));
	rc = rel_path(dir, &rel, err);
	if (rc < 0)
		return rc;
	fd = fs_openat(fs, rel, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return sys_error(err, errno, shown(dir));
	/* read everything first: fn may list other directories itself */
	rc = read_dir(fd, shown(dir), false, &ents, err);
	for (size_t i = 0; rc == 0 && i < ents.len && fn; i++)
		rc = fn(ud, ((struct dent *)ents.items[i])->name);
	vg_vec_finish(&ents, free);
	return rc;
}

/* Says why a directory could not be opened when the answer was ELOOP or
 * ENOTDIR: a symlink or another file type there is VG_EUNSUPPORTED. */
static int open_dir_error(int at, const char *path, uint64_t resolve, int e, const char *what,
			  struct vg_error *err)
{
	struct stat st;
	int fd, rc = 0;

	if (e != ELOOP && e != ENOTDIR)
		return sys_error(err, e, what);
	fd = xopenat2(at, path, O_PATH | O_NOFOLLOW, resolve);
	if (fd < 0 || fstat(fd, &st) < 0)
		rc = sys_error(err, e, what);
	else if (S_ISLNK(st.st_mode))
		rc = vg_error_set(err, VG_EUNSUPPORTED, "%s is a symlink (not followed)", what);
	else if (!S_ISDIR(st.st_mode))
		rc = vg_error_set(err, VG_EUNSUPPORTED, "%s is a %s, not a directory", what,
				  vg_fs_type_name(st.st_mode));
	else
		rc = sys_error(err, e, what);
	close_fd(fd);
	return rc;
}

int vg_fs_open_dir(struct vg_fs *fs, int at, const char *path, int *out, struct vg_error *err)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
	uint64_t resolve;
	const char *rel = NULL;
	int fd, rc;

	if (!out)
		return vg_error_set(err, VG_ERROR, "%s: no output given", shown(path));
	*out = -1;
	if (!fs || !path)
		return vg_error_set(err, VG_ERROR, "%s: no filesystem or path", shown(path));
	if (at < 0) {
		rc = rel_path(path, &rel, err);
		if (rc < 0)
			return rc;
		at = fs->dirfd;
		resolve = fs->resolve;
	} else {
		/* one name below a directory this fs handed out: nothing to resolve */
		if (!*path || strchr(path, '/') || strcmp(path, ".") == 0 ||
		    strcmp(path, "..") == 0)
			return vg_error_set(err, VG_ERROR, "%s: not a single entry name", path);
		rel = path;
		resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	}
	fd = xopenat2(at, rel, flags, resolve);
	if (fd < 0)
		return open_dir_error(at, rel, resolve, errno, shown(path), err);
	*out = fd;
	return 0;
}

/* State of one vg_fs_glob expansion. path is the directory or candidate being
 * looked at, relative to the root ("" for the root itself). */
struct globber {
	struct vg_fs *fs;
	char *pattern;        /* the components joined by '/', for whole-path matches */
	struct vg_vec comps;  /* char *: pattern components, escapes kept */
	struct vg_vec hits;   /* char *: "/path" */
	size_t unreadable;
	size_t reads;         /* listings and lookups so far, against VG_MAX_GLOB_READS */
	struct vg_error *err;
	char path[VG_MAX_PATH_BYTES + 1];
	size_t plen;
};

static bool is_globstar(const char *c)
{
	return strcmp(c, "**") == 0;
}

/* A component with no metacharacter and no escape names one entry exactly. */
static bool is_literal(const char *c)
{
	return !vg_glob_has_magic(c) && !strchr(c, '\\');
}

/* Appends name as a new last component of g->path; false when too long. */
static bool path_push(struct globber *g, const char *name, size_t *saved)
{
	size_t nlen = strlen(name);
	size_t need = g->plen + (g->plen ? 1 : 0) + nlen;

	if (need > VG_MAX_PATH_BYTES)
		return false;
	*saved = g->plen;
	if (g->plen)
		g->path[g->plen++] = '/';
	memcpy(g->path + g->plen, name, nlen + 1);
	g->plen += nlen;
	return true;
}

static void path_pop(struct globber *g, size_t saved)
{
	g->plen = saved;
	g->path[saved] = '\0';
}

static const char *gpath(const struct globber *g)
{
	return g->plen ? g->path : ".";
}

static int add_hit(struct globber *g)
{
	char *s;

	if (g->hits.len >= VG_MAX_GLOB_MATCHES)
		return vg_error_set(g->err, VG_ELIMIT, "/%s matches more than %d paths", g->pattern,
				    VG_MAX_GLOB_MATCHES);
	s = vg_asprintf("/%s", g->path);
	if (!s || vg_vec_push(&g->hits, s) < 0) {
		free(s);
		return vg_error_set(g->err, VG_ENOMEM, "/%s: out of memory", g->pattern);
	}
	return 0;
}

/* A failed lookup during expansion: absent paths simply do not match, paths
 * that cannot be looked at are counted; only running out of memory stops. */
static int glob_skip(struct globber *g, int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
	case ELOOP:
	case ENAMETOOLONG:
		return 0;
	case ENOMEM:
		return vg_error_set(g->err, VG_ENOMEM, "/%s: out of memory", g->path);
	default:
		g->unreadable++;
		return 0;
	}
}

/* Wildcard components follow symlinks, so a few links to "." make a small
 * tree look exponentially large: every listing and lookup is counted. */
static int glob_budget(struct globber *g)
{
	if (++g->reads > VG_MAX_GLOB_READS)
		return vg_error_set(g->err, VG_ELIMIT,
				    "/%s: expanding takes more than %d directory reads", g->pattern,
				    VG_MAX_GLOB_READS);
	return 0;
}

/* Lists g->path into ents; on failure ents stays empty and the reason is
 * counted (or returned when fatal). */
static int glob_list(struct globber *g, bool nofollow, bool types, struct vg_vec *ents)
{
	struct vg_error lerr = {0};
	int fd, rc;

	rc = glob_budget(g);
	if (rc < 0)
		return rc;
	fd = fs_openat(g->fs, gpath(g), O_RDONLY | O_DIRECTORY | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0)
		return glob_skip(g, errno);
	rc = read_dir(fd, gpath(g), types, ents, &lerr);
	if (rc == VG_ENOMEM)
		return vg_error_set(g->err, rc, "%s", lerr.msg);
	if (rc < 0) {
		vg_vec_finish(ents, free);
		vg_vec_init(ents);
		g->unreadable++;
	}
	return 0;
}

/* "**": every entry below g->path (and g->path itself) is a candidate for the
 * whole pattern, so whatever follows the "**" needs no further expansion.
 * Symlinked directories are not entered; nesting stops at VG_MAX_WALK_DEPTH. */
static int expand_globstar(struct globber *g, size_t depth)
{
	struct vg_vec ents;
	size_t saved;
	int rc;

	vg_vec_init(&ents);
	rc = glob_list(g, depth > 0, true, &ents);
	if (rc < 0)
		goto out;
	if (depth == 0 && g->plen && vg_glob_match(g->pattern, g->path)) {
		rc = add_hit(g);
		if (rc < 0)
			goto out;
	}
	for (size_t i = 0; i < ents.len; i++) {
		const struct dent *e = ents.items[i];

		if (!path_push(g, e->name, &saved)) {
			g->unreadable++;
			continue;
		}
		if (vg_glob_match(g->pattern, g->path))
			rc = add_hit(g);
		if (rc == 0 && e->type == DT_DIR) {
			if (depth + 1 >= VG_MAX_WALK_DEPTH)
				g->unreadable++;
			else
				rc = expand_globstar(g, depth + 1);
		}
		path_pop(g, saved);
		if (rc < 0)
			break;
	}
out:
	vg_vec_finish(&ents, free);
	return rc;
}

static int expand(struct globber *g, size_t i);

/* A component with magic: list the directory and match each name. */
static int expand_listing(struct globber *g, size_t i)
{
	const char *comp = g->comps.items[i];
	bool last = i + 1 == g->comps.len;
	struct vg_vec ents;
	size_t saved;
	int rc;

	vg_vec_init(&ents);
	rc = glob_list(g, false, false, &ents);
	for (size_t k = 0; rc == 0 && k < ents.len; k++) {
		const struct dent *e = ents.items[k];

		if (!vg_glob_match(comp, e->name))
			continue;
		/* only directories (or links that may lead to one) have anything below */
		if (!last && e->type != DT_DIR && e->type != DT_LNK && e->type != DT_UNKNOWN)
			continue;
		if (!path_push(g, e->name, &saved)) {
			g->unreadable++;
			continue;
		}
		rc = last ? add_hit(g) : expand(g, i + 1);
		path_pop(g, saved);
	}
	vg_vec_finish(&ents, free);
	return rc;
}

/* A literal last component matches when the path exists (a dangling symlink does). */
static int expand_last_literal(struct globber *g)
{
	int fd, rc;

	rc = glob_budget(g);
	if (rc < 0)
		return rc;
	fd = fs_openat(g->fs, g->path, O_PATH | O_NOFOLLOW);
	if (fd < 0)
		return glob_skip(g, errno);
	close(fd);
	return add_hit(g);
}

/* Matches components i.. below g->path. Literal components are looked up
 * directly, so "/etc/ssh/sshd_config" lists nothing. */
static int expand(struct globber *g, size_t i)
{
	const char *comp;
	size_t saved;
	int rc = 0;

	if (i == g->comps.len)
		return add_hit(g);
	comp = g->comps.items[i];
	if (is_globstar(comp))
		return expand_globstar(g, 0);
	if (!is_literal(comp))
		return expand_listing(g, i);
	if (!path_push(g, comp, &saved)) {
		g->unreadable++;
		return 0;
	}
	rc = i + 1 == g->comps.len ? expand_last_literal(g) : expand(g, i + 1);
	path_pop(g, saved);
	return rc;
}

/* Splits a pattern the way vg_glob_match reads it: '/' and "\/" separate,
 * other escapes stay in the component; empty and "." components go. */
static int split_pattern(struct globber *g, const char *pattern)
{
	struct vg_buf joined;
	const char *p = pattern;
	int rc = 0;

	vg_buf_init(&joined, VG_MAX_PATH_BYTES + 1);
	while (*p) {
		const char *b;
		char *c;

		while (*p == '/' || (p[0] == '\\' && p[1] == '/'))
			p += *p == '/' ? 1 : 2;
		if (!*p)
			break;
		b = p;
		while (*p && *p != '/' && !(p[0] == '\\' && p[1] == '/'))
			p += (p[0] == '\\' && p[1]) ? 2 : 1;
		if (p - b == 1 && *b == '.')
			continue;
		if (g->comps.len >= VG_MAX_WALK_DEPTH) {
			rc = vg_error_set(g->err, VG_ELIMIT, "%.64s...: more than %d components",
					  pattern, VG_MAX_WALK_DEPTH);
			goto out;
		}
		c = vg_strndup(b, (size_t)(p - b));
		if (!c || vg_vec_push(&g->comps, c) < 0) {
			free(c);
			rc = vg_error_set(g->err, VG_ENOMEM, "%s: out of memory", pattern);
			goto out;
		}
		if ((joined.len && vg_buf_putc(&joined, '/') < 0) || vg_buf_puts(&joined, c) < 0) {
			rc = vg_error_set(g->err, VG_ENOMEM, "%s: out of memory", pattern);
			goto out;
		}
	}
	g->pattern = vg_buf_detach(&joined);
	if (!g->pattern)
		rc = vg_error_set(g->err, VG_ENOMEM, "%s: out of memory", pattern);
out:
	vg_buf_finish(&joined);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int vg_fs_glob(struct vg_fs *fs, const char *pattern, vg_fs_glob_fn fn, void *ud,
	       size_t *unreadable, struct vg_error *err)
{
	struct globber *g = NULL;
	int rc;

	if (unreadable)
		*unreadable = 0;
	if (!fs || !pattern)
		return vg_error_set(err, VG_ERROR, "vg_fs_glob: no filesystem or pattern");
	if (strnlen(pattern, VG_MAX_PATH_BYTES + 1) > VG_MAX_PATH_BYTES)
		return vg_error_set(err, VG_ELIMIT, "%.64s...: pattern longer than %d bytes",
				    pattern, VG_MAX_PATH_BYTES);
	g = calloc(1, sizeof(*g));
	if (!g)
		return vg_error_set(err, VG_ENOMEM, "%s: out of memory", pattern);
	g->fs = fs;
	g->err = err;
	vg_vec_init(&g->comps);
	vg_vec_init(&g->hits);
	rc = split_pattern(g, pattern);
	if (rc < 0)
		goto out;
	rc = expand(g, 0);
	if (rc < 0)
		goto out;
	/* expansion order is per component; callers get whole paths in strcmp order */
	if (g->hits.len > 1)
		qsort(g->hits.items, g->hits.len, sizeof(g->hits.items[0]), cmp_str);
	for (size_t i = 0; rc == 0 && i < g->hits.len && fn; i++)
		rc = fn(ud, g->hits.items[i]);
out:
	if (unreadable)
		*unreadable = g->unreadable;
	vg_vec_finish(&g->comps, free);
	vg_vec_finish(&g->hits, free);
	free(g->pattern);
	free(g);
	return rc;
}

const char *vg_fs_type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "directory";
	case S_IFLNK: return "symlink";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	case S_IFCHR: return "char-device";
	case S_IFBLK: return "block-device";
	default: return "unknown";
	}
}
