/* SPDX-License-Identifier: Apache-2.0 */
/* Depth-first walk of a tree in lexical order through directory fds, never following symlinks. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "targets/walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glob.h"
#include "limits.h"
#include "util.h"

/*
 * Each level keeps one descriptor (its directory, opened by vg_fs_open_dir
 * relative to the parent's, so nothing is resolved twice and no symlink is
 * followed) and the sorted names of that one directory. The names are read
 * with getdents64 straight from that descriptor into one buffer per level,
 * reused from one directory to the next, so listing allocates nothing per
 * entry. Entries are looked at with fstatat(AT_SYMLINK_NOFOLLOW), which opens
 * nothing. Recursion is bounded by max_depth, itself at most
 * VG_MAX_WALK_DEPTH.
 */

/* Bytes asked of getdents64 at once: most directories in one call. */
#define DENTS_BYTES (64u * 1024)

/* The names of one directory: NUL-terminated in text, each after its d_type
 * byte (names[i][-1]), sorted through names. */
struct listing {
	char *text;
	size_t len, cap;
	char **names;
	size_t n, ncap;
};

struct walker {
	struct vg_fs *fs;
	const struct vg_walk_opts *opts;
	size_t max_depth;
	vg_walk_fn fn;
	vg_walk_error_fn on_error;
	void *ud;
	struct vg_error *err;    /* set only when the walk stops on its own error */
	struct vg_error scratch; /* messages for on_error and from vg_fs_open_dir */
	size_t *prune_len;       /* strlen of each opts->prune */
	char *dents;             /* DENTS_BYTES for getdents64 */
	struct listing *levels;  /* one per depth (max_depth + 1), reused */
	/* "/" then the path relative to the fs root: path points past the '/' */
	char buf[VG_MAX_PATH_BYTES + 2];
	char *path;
	size_t plen;
};

/* Hands a problem with w->path to on_error; its return value decides whether
 * the walk goes on. */
static int report(struct walker *w, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int report(struct walker *w, int code, const char *fmt, ...)
{
	va_list ap;

	if (!w->on_error)
		return 0;
	va_start(ap, fmt);
	vg_error_setv(&w->scratch, code, fmt, ap);
	va_end(ap);
	return w->on_error(w->ud, w->path, code, w->scratch.msg);
}

/* How w->path appears in messages: absolute ("/usr/x", "/") or relative
 * ("usr/x", "." for the start of a walk from the root). */
static const char *here(const struct walker *w)
{
	if (w->opts->absolute)
		return w->buf;
	return w->plen ? w->path : ".";
}

static bool path_push(struct walker *w, const char *name, size_t *saved)
{
	size_t nlen = strlen(name);
	size_t need = w->plen + (w->plen ? 1 : 0) + nlen;

	if (need > VG_MAX_PATH_BYTES)
		return false;
	*saved = w->plen;
	if (w->plen)
		w->path[w->plen++] = '/';
	memcpy(w->path + w->plen, name, nlen + 1);
	w->plen += nlen;
	return true;
}

static void path_pop(struct walker *w, size_t saved)
{
	w->plen = saved;
	w->path[saved] = '\0';
}

static bool excluded(const struct walker *w, bool is_dir)
{
	for (size_t i = 0; i < w->opts->nprune; i++)
		if (w->prune_len[i] == w->plen && !memcmp(w->opts->prune[i], w->path, w->plen))
			return true;
	for (size_t i = 0; i < w->opts->nexclude; i++)
		if (w->opts->exclude[i] && vg_glob_match(w->opts->exclude[i], w->path))
			return true;
	return w->opts->skip && w->opts->skip(w->opts->skip_ud, w->path, is_dir);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void listing_finish(struct listing *l)
{
	free(l->text);
	free(l->names);
}

/* Appends type and name (nlen bytes) to l; the name's offset goes in
 * l->names for now. */
static int listing_add(struct listing *l, unsigned char type, const char *name, size_t nlen)
{
	size_t need;

	if (!vg_add_size(&need, l->len, nlen + 2))
		return VG_ENOMEM;
	if (need > l->cap) {
		size_t cap = l->cap ? l->cap : 4096;
		char *t;

		while (cap < need)
			cap *= 2;
		t = realloc(l->text, cap);
		if (!t)
			return VG_ENOMEM;
		l->text = t;
		l->cap = cap;
	}
	if (l->n == l->ncap) {
		size_t ncap = l->ncap ? l->ncap * 2 : 64;
		char **v = vg_reallocarray(l->names, ncap, sizeof(*v));

		if (!v)
			return VG_ENOMEM;
		l->names = v;
		l->ncap = ncap;
	}
	l->text[l->len] = (char)type;
	memcpy(l->text + l->len + 1, name, nlen + 1);
	l->names[l->n++] = (char *)(uintptr_t)(l->len + 1);
	l->len = need;
	return 0;
}

/* Reads the names in directory fd into l, sorted. fd stays open (it is the
 * base for fstatat and for opening subdirectories) and is read from its
 * current offset, which is the start for a directory just opened. Returns 0,
 * or VG_ENOMEM/VG_EIO/VG_ELIMIT with w->scratch set. */
static int list_names(struct walker *w, int fd, struct listing *l)
{
	char buf[128];
	int rc = 0;

	l->len = l->n = 0;
	for (;;) {
		ssize_t got = getdents64(fd, w->dents, DENTS_BYTES);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return vg_error_set(&w->scratch, errno == ENOMEM ? VG_ENOMEM : VG_EIO,
					    "%s: cannot list: %s", here(w),
					    strerror_r(errno, buf, sizeof(buf)));
		if (got == 0)
			break;
		for (size_t off = 0; off < (size_t)got;) {
			const struct dirent64 *de = (const struct dirent64 *)(w->dents + off);
			const char *name = de->d_name;

			off += de->d_reclen;
			if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
				continue;
			if (l->n >= VG_MAX_DIR_ENTRIES)
				return vg_error_set(&w->scratch, VG_ELIMIT,
						    "%s has more than %d entries", here(w),
						    VG_MAX_DIR_ENTRIES);
			rc = listing_add(l, de->d_type, name, strlen(name));
			if (rc < 0)
				return vg_error_set(&w->scratch, rc, "%s: out of memory", here(w));
		}
	}
	/* offsets become pointers once the text no longer moves */
	for (size_t i = 0; i < l->n; i++)
		l->names[i] = l->text + (uintptr_t)l->names[i];
	if (l->n > 1)
		qsort(l->names, l->n, sizeof(l->names[0]), cmp_name);
	return 0;
}

/* True when directory fd (just opened) has an entry other than "." and "..". */
static bool has_entries(struct walker *w, int fd)
{
	ssize_t got = getdents64(fd, w->dents, DENTS_BYTES);

	for (size_t off = 0; got > 0 && off < (size_t)got;) {
		const struct dirent64 *de = (const struct dirent64 *)(w->dents + off);
		const char *name = de->d_name;

		off += de->d_reclen;
		if (!(name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]))))
			return true;
	}
	return got < 0; /* unreadable: say so rather than lose it */
}

static void fill_entry(struct vg_walk_entry *e, const struct walker *w, const char *name,
		       size_t depth, const struct stat *st)
{
	memset(e, 0, sizeof(*e));
	e->path = w->path;
	e->name = name;
	e->depth = depth;
	e->st.mode = st->st_mode;
	e->st.uid = st->st_uid;
	e->st.gid = st->st_gid;
	e->st.size = st->st_size > 0 ? (uint64_t)st->st_size : 0;
	e->st.nlink = (uint64_t)st->st_nlink;
	e->st.dev = st->st_dev;
	e->st.ino = st->st_ino;
	e->st.mtime = (int64_t)st->st_mtim.tv_sec;
}

static int walk_dir(struct walker *w, int fd, size_t depth);

/* A subdirectory of the directory parent: pruned, refused, or walked. Its
 * entries would be at depth + 1. st is its lstat, or NULL when the listing
 * said it is a directory and it was not looked at yet: then the descriptor
 * opened for walking it is asked, which spares a lookup by name. Returns
 * VG_WALK_SKIP when it turned out not to be a directory (a race, or a type
 * the listing got wrong): the caller looks at it as an entry. */
static int visit_dir(struct walker *w, int parent, const char *name, size_t depth,
		     const struct stat *st)
{
	struct stat own;
	int fd = -1;
	int rc;

	if (w->opts->skip_git_dir && strcmp(name, ".git") == 0)
		return 0;
	if (excluded(w, true))
		return 0;
	rc = vg_fs_open_dir(w->fs, parent, name, &fd, &w->scratch);
	if (rc == VG_ENOMEM) {
		vg_error_set(w->err, rc, "%s: out of memory", here(w));
		return rc;
	}
	if (rc == VG_EUNSUPPORTED && !st)
		return VG_WALK_SKIP;
	if (rc == VG_EPERM)
		return report(w, rc, "%s: permission denied", here(w));
	if (rc == VG_ENOTFOUND)
		return report(w, rc, "%s: vanished while walking", here(w));
	if (rc == VG_EUNSUPPORTED)
		return report(w, rc, "%s: no longer a directory while walking", here(w));
	if (rc < 0)
		return report(w, rc, "%s: cannot open directory (%s)", here(w), vg_error_name(rc));
	if (!st) {
		char buf[128];

		if (fstat(fd, &own) < 0) {
			rc = report(w, VG_EIO, "%s: %s", here(w),
				    strerror_r(errno, buf, sizeof(buf)));
			close(fd);
			return rc;
		}
		st = &own;
	}
	if (w->opts->on_dir) {
		struct vg_walk_entry e;

		fill_entry(&e, w, name, depth, st);
		rc = w->opts->on_dir(w->ud, &e);
		if (rc) {
			close(fd);
			return rc == VG_WALK_SKIP ? 0 : rc;
		}
	}
	if (depth >= w->max_depth) {
		/* an empty directory at the limit loses nothing */
		rc = 0;
		if (has_entries(w, fd))
			rc = report(w, VG_ELIMIT,
				    "%s: nested deeper than %zu directories, not walked", here(w),
				    w->max_depth);
	} else {
		rc = walk_dir(w, fd, depth + 1);
	}
	close(fd);
	return rc;
}

/* Reports the entries of directory fd (w->path) at the given depth. */
static int walk_dir(struct walker *w, int fd, size_t depth)
{
	struct listing *l = &w->levels[depth];
	char buf[128];
	size_t saved;
	int rc;

	rc = list_names(w, fd, l);
	if (rc == VG_ENOMEM) {
		vg_error_set(w->err, rc, "%s", w->scratch.msg);
		return rc;
	}
	if (rc < 0)
		return w->on_error ? w->on_error(w->ud, w->path, rc, w->scratch.msg) : 0;
	/* l stays valid below: deeper levels have listings of their own */
	for (size_t i = 0; rc == 0 && i < l->n; i++) {
		const char *name = l->names[i];
		struct vg_walk_entry e;
		struct stat st;

		if (!path_push(w, name, &saved)) {
			rc = report(w, VG_ELIMIT, "%s/%s: path longer than %d bytes", here(w), name,
				    VG_MAX_PATH_BYTES);
			continue;
		}
		/* a directory is opened at once: its descriptor tells the rest */
		if (name[-1] == DT_DIR) {
			rc = visit_dir(w, fd, name, depth, NULL);
			if (rc != VG_WALK_SKIP) {
				path_pop(w, saved);
				continue;
			}
			rc = 0;
		}
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				rc = report(w, VG_ENOTFOUND, "%s: vanished while walking", here(w));
			else if (errno == EACCES || errno == EPERM)
				rc = report(w, VG_EPERM, "%s: permission denied", here(w));
			else
				rc = report(w, VG_EIO, "%s: %s", here(w),
					    strerror_r(errno, buf, sizeof(buf)));
		} else if (S_ISDIR(st.st_mode)) {
			rc = visit_dir(w, fd, name, depth, &st);
		} else if (!excluded(w, false) && w->fn) {
			fill_entry(&e, w, name, depth, &st);
			rc = w->fn(w->ud, &e);
		}
		path_pop(w, saved);
	}
	return rc;
}

/* start without "./", empty and "." components, and trailing slashes. */
static int set_start(struct walker *w, const char *start, struct vg_error *err)
{
	const char *p = start ? start : "";

	w->plen = 0;
	w->path[0] = '\0';
	while (*p) {
		const char *b;
		size_t n, saved;
		char comp[256];

		while (*p == '/')
			p++;
		b = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - b);
		if (n == 0 || (n == 1 && *b == '.'))
			continue;
		if (n >= sizeof(comp))
			return vg_error_set(err, VG_ELIMIT, "%.64s...: name longer than %zu bytes",
					    b, sizeof(comp) - 1);
		memcpy(comp, b, n);
		comp[n] = '\0';
		if (!path_push(w, comp, &saved))
			return vg_error_set(err, VG_ELIMIT, "%.64s...: path longer than %d bytes",
					    start, VG_MAX_PATH_BYTES);
	}
	return 0;
}

static void walker_free(struct walker *w)
{
	if (!w)
		return;
	for (size_t i = 0; w->levels && i <= w->max_depth; i++)
		listing_finish(&w->levels[i]);
	free(w->levels);
	free(w->dents);
	free(w->prune_len);
	free(w);
}

int vg_walk(struct vg_fs *fs, const char *start, const struct vg_walk_opts *opts, vg_walk_fn fn,
	    vg_walk_error_fn on_error, void *ud, struct vg_error *err)
{
	static const struct vg_walk_opts defaults;
	struct walker *w = NULL;
	struct vg_stat st;
	int fd = -1;
	int rc;

	if (!fs)
		return vg_error_set(err, VG_ERROR, "vg_walk: no filesystem open");
	w = calloc(1, sizeof(*w));
	if (!w)
		return vg_error_set(err, VG_ENOMEM, "vg_walk: out of memory");
	w->fs = fs;
	w->opts = opts ? opts : &defaults;
	w->max_depth = w->opts->max_depth;
	if (w->max_depth == 0 || w->max_depth > VG_MAX_WALK_DEPTH)
		w->max_depth = VG_MAX_WALK_DEPTH;
	w->fn = fn;
	w->on_error = on_error;
	w->ud = ud;
	w->err = err;
	w->buf[0] = '/';
	w->path = w->buf + 1;
	w->dents = malloc(DENTS_BYTES);
	w->prune_len = vg_calloc(w->opts->nprune + 1, sizeof(*w->prune_len));
	w->levels = vg_calloc(w->max_depth + 1, sizeof(*w->levels));
	if (!w->dents || !w->prune_len || !w->levels) {
		rc = vg_error_set(err, VG_ENOMEM, "vg_walk: out of memory");
		goto out;
	}
	for (size_t i = 0; i < w->opts->nprune; i++)
		w->prune_len[i] = w->opts->prune[i] ? strlen(w->opts->prune[i]) : SIZE_MAX;
	rc = set_start(w, start, err);
	if (rc < 0)
		goto out;
	/* the path as messages show it: "/usr/x" for absolute ones */
	rc = vg_fs_lstat(fs, w->opts->absolute ? w->buf : w->path, &st, err);
	if (rc < 0)
		goto out;
	if (!S_ISDIR(st.mode)) {
		/* a start that is not a directory is the one entry; named explicitly,
		 * it is not subject to exclude patterns */
		struct vg_walk_entry e = {.path = w->path, .st = st, .depth = w->opts->base_depth};
		const char *slash = strrchr(w->path, '/');

		e.name = slash ? slash + 1 : w->path;
		rc = fn ? fn(ud, &e) : 0;
		goto out;
	}
	rc = vg_fs_open_dir(fs, -1, w->opts->absolute ? w->buf : w->path, &fd, err);
	if (rc < 0)
		goto out;
	if (w->opts->base_depth >= w->max_depth) {
		rc = has_entries(w, fd) ? report(w, VG_ELIMIT, "%s: nested deeper than %zu "
						 "directories, not walked", here(w), w->max_depth)
					: 0;
		goto out;
	}
	rc = walk_dir(w, fd, w->opts->base_depth + 1);
out:
	if (fd >= 0)
		close(fd);
	walker_free(w);
	return rc;
}
