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
 * followed) and the sorted names of that one directory. Entries are looked at
 * with fstatat(AT_SYMLINK_NOFOLLOW), which opens nothing. Recursion is bounded
 * by max_depth, itself at most VG_MAX_WALK_DEPTH.
 */

struct walker {
	struct vg_fs *fs;
	const struct vg_walk_opts *opts;
	size_t max_depth;
	vg_walk_fn fn;
	vg_walk_error_fn on_error;
	void *ud;
	struct vg_error *err;    /* set only when the walk stops on its own error */
	struct vg_error scratch; /* messages for on_error and from vg_fs_open_dir */
	char path[VG_MAX_PATH_BYTES + 1];
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

/* How w->path appears in messages: "." for the start of a walk from the root. */
static const char *here(const struct walker *w)
{
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
	for (size_t i = 0; i < w->opts->nexclude; i++)
		if (w->opts->exclude[i] && vg_glob_match(w->opts->exclude[i], w->path))
			return true;
	return w->opts->skip && w->opts->skip(w->opts->skip_ud, w->path, is_dir);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Reads the names in directory fd, sorted. fd stays open (it is the base for
 * fstatat and for opening subdirectories): the listing goes through a
 * duplicate. Returns 0, or VG_ENOMEM/VG_EIO/VG_ELIMIT with w->scratch set. */
static int list_names(struct walker *w, int fd, struct vg_vec *names)
{
	struct dirent *de;
	char buf[128];
	DIR *d = NULL;
	int dfd, rc = 0;

	dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		rc = errno == ENOMEM || errno == EMFILE || errno == ENFILE ? VG_ENOMEM : VG_EIO;
		vg_error_set(&w->scratch, rc, "%s: cannot list: %s", here(w),
			     strerror_r(errno, buf, sizeof(buf)));
		if (dfd >= 0)
			close(dfd);
		return rc;
	}
	for (;;) {
		char *name;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				rc = vg_error_set(&w->scratch, VG_EIO, "%s: cannot list: %s",
						  here(w), strerror_r(errno, buf, sizeof(buf)));
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (names->len >= VG_MAX_DIR_ENTRIES) {
			rc = vg_error_set(&w->scratch, VG_ELIMIT, "%s has more than %d entries",
					  here(w), VG_MAX_DIR_ENTRIES);
			break;
		}
		name = strdup(de->d_name);
		if (!name || vg_vec_push(names, name) < 0) {
			free(name);
			rc = vg_error_set(&w->scratch, VG_ENOMEM, "%s: out of memory", here(w));
			break;
		}
	}
	closedir(d);
	if (rc == 0 && names->len > 1)
		qsort(names->items, names->len, sizeof(names->items[0]), cmp_name);
	return rc;
}

/* True when directory fd has an entry other than "." and "..". */
static bool has_entries(int fd)
{
	struct dirent *de;
	bool found = false;
	DIR *d;
	int dfd;

	dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dfd < 0)
		return true;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return true;
	}
	while (!found && (de = readdir(d)))
		found = strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return found;
}

static int walk_dir(struct walker *w, int fd, size_t depth);

/* A subdirectory of the directory parent: pruned, refused, or walked. Its
 * entries would be at depth + 1. */
static int visit_dir(struct walker *w, int parent, const char *name, size_t depth)
{
	int fd = -1;
	int rc;

	if (w->opts->skip_git_dir && strcmp(name, ".git") == 0)
		return 0;
	if (excluded(w, true))
		return 0;
	rc = vg_fs_open_dir(w->fs, parent, name, &fd, &w->scratch);
	if (rc == VG_ENOMEM) {
		vg_error_set(w->err, rc, "%s: out of memory", w->path);
		return rc;
	}
	if (rc == VG_EPERM)
		return report(w, rc, "%s: permission denied", w->path);
	if (rc == VG_ENOTFOUND)
		return report(w, rc, "%s: vanished while walking", w->path);
	if (rc == VG_EUNSUPPORTED)
		return report(w, rc, "%s: no longer a directory while walking", w->path);
	if (rc < 0)
		return report(w, rc, "%s: cannot open directory (%s)", w->path, vg_error_name(rc));
	if (depth >= w->max_depth) {
		/* an empty directory at the limit loses nothing */
		rc = 0;
		if (has_entries(fd))
			rc = report(w, VG_ELIMIT,
				    "%s: nested deeper than %zu directories, not walked", w->path,
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
	struct vg_vec names;
	char buf[128];
	size_t saved;
	int rc;

	vg_vec_init(&names);
	rc = list_names(w, fd, &names);
	if (rc == VG_ENOMEM) {
		vg_error_set(w->err, rc, "%s", w->scratch.msg);
		goto out;
	}
	if (rc < 0) {
		rc = w->on_error ? w->on_error(w->ud, w->path, rc, w->scratch.msg) : 0;
		goto out;
	}
	for (size_t i = 0; rc == 0 && i < names.len; i++) {
		const char *name = names.items[i];
		struct vg_walk_entry e;
		struct stat st;

		if (!path_push(w, name, &saved)) {
			rc = report(w, VG_ELIMIT, "%s/%s: path longer than %d bytes", here(w), name,
				    VG_MAX_PATH_BYTES);
			continue;
		}
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				rc = report(w, VG_ENOTFOUND, "%s: vanished while walking", w->path);
			else if (errno == EACCES || errno == EPERM)
				rc = report(w, VG_EPERM, "%s: permission denied", w->path);
			else
				rc = report(w, VG_EIO, "%s: %s", w->path,
					    strerror_r(errno, buf, sizeof(buf)));
		} else if (S_ISDIR(st.st_mode)) {
			rc = visit_dir(w, fd, name, depth);
		} else if (!excluded(w, false) && w->fn) {
			memset(&e, 0, sizeof(e));
			e.path = w->path;
			e.name = name;
			e.depth = depth;
			e.st.mode = st.st_mode;
			e.st.uid = st.st_uid;
			e.st.gid = st.st_gid;
			e.st.size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
			e.st.nlink = (uint64_t)st.st_nlink;
			e.st.dev = st.st_dev;
			e.st.ino = st.st_ino;
			e.st.mtime = (int64_t)st.st_mtim.tv_sec;
			rc = w->fn(w->ud, &e);
		}
		path_pop(w, saved);
	}
out:
	vg_vec_finish(&names, free);
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
	rc = set_start(w, start, err);
	if (rc < 0)
		goto out;
	rc = vg_fs_lstat(fs, w->path, &st, err);
	if (rc < 0)
		goto out;
	if (!S_ISDIR(st.mode)) {
		/* a start that is not a directory is the one entry; named explicitly,
		 * it is not subject to exclude patterns */
		struct vg_walk_entry e = {.path = w->path, .st = st, .depth = 0};
		const char *slash = strrchr(w->path, '/');

		e.name = slash ? slash + 1 : w->path;
		rc = fn ? fn(ud, &e) : 0;
		goto out;
	}
	rc = vg_fs_open_dir(fs, -1, w->path, &fd, err);
	if (rc < 0)
		goto out;
	rc = walk_dir(w, fd, 1);
out:
	if (fd >= 0)
		close(fd);
	free(w);
	return rc;
}
