/* SPDX-License-Identifier: Apache-2.0 */
/* The one entry point for reading files: paths resolved inside a root, bounded reads, no FIFOs or devices. */
#ifndef VG_FS_H
#define VG_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* How paths given to a vg_fs resolve.
 * IN_ROOT: chroot semantics without chroot (openat2 RESOLVE_IN_ROOT): "/" and
 *   absolute symlinks mean the root, ".." stops at it. For --root, --host
 *   (root "/") and rule example trees.
 * BENEATH: for scanned trees (openat2 RESOLVE_BENEATH): anything that would
 *   leave the tree, an absolute symlink included, fails with VG_EPERM and a
 *   message saying the path points outside the scanned tree. */
enum vg_fs_mode {
	VG_FS_IN_ROOT,
	VG_FS_BENEATH,
};

struct vg_fs;

/* A file's metadata (the parts vigil uses). */
struct vg_stat {
	mode_t mode;   /* type and permission bits */
	uid_t uid;
	gid_t gid;
	uint64_t size;
	uint64_t nlink;
	dev_t dev;
	ino_t ino;
	int64_t mtime; /* seconds since the epoch */
};

/* Opens dir as a root. dir itself may be a symlink (it is followed once).
 * Fails with VG_ENOTFOUND, VG_EPERM or VG_EUNSUPPORTED (not a directory, or the
 * kernel lacks openat2). *out is freed with vg_fs_free. */
int vg_fs_open(struct vg_fs **out, const char *dir, enum vg_fs_mode mode, struct vg_error *err);
void vg_fs_free(struct vg_fs *fs);
/* The directory given to vg_fs_open, as given. Borrowed. */
const char *vg_fs_root(const struct vg_fs *fs);
enum vg_fs_mode vg_fs_mode(const struct vg_fs *fs);

/* Paths below are inside the fs: absolute ("/etc/passwd") or relative to its
 * root ("src/a.c"); both name the same thing. Errors: VG_ENOTFOUND (ENOENT,
 * ENOTDIR), VG_EPERM (EACCES, escaping a BENEATH tree), VG_ELIMIT (ELOOP: too
 * many symlinks, a loop), VG_EIO otherwise; err->msg names the path. */

/* Metadata without following a final symlink. */
int vg_fs_lstat(struct vg_fs *fs, const char *path, struct vg_stat *out, struct vg_error *err);
/* Metadata after following symlinks (confined to the root). */
int vg_fs_stat(struct vg_fs *fs, const char *path, struct vg_stat *out, struct vg_error *err);
/* The target of a symlink, as stored. *out is the caller's (free()). */
int vg_fs_readlink(struct vg_fs *fs, const char *path, char **out, struct vg_error *err);

/* File contents. data is NUL-terminated one past len (so text parsers may use
 * it as a string); it may contain NULs. */
struct vg_blob {
	char *data;
	size_t len;
	bool mapped; /* private */
};
void vg_blob_finish(struct vg_blob *b);

/* Reads a regular file (symlinks followed, confined). Never opens a FIFO,
 * socket or device: those fail with VG_EUNSUPPORTED without blocking. A file
 * larger than max fails with VG_ELIMIT without reading it. */
int vg_fs_read(struct vg_fs *fs, const char *path, uint64_t max, struct vg_blob *out,
	       struct vg_error *err);

/* Reads a file given by a plain host path (policy files, waivers, baselines,
 * saved results): same rules as vg_fs_read, "-" is not special. */
int vg_file_read(const char *path, uint64_t max, struct vg_blob *out, struct vg_error *err);

/* Directory listing: calls fn for each entry name except "." and ".." in
 * lexical (strcmp) order. Stops and returns fn's value when it is non-zero. */
typedef int (*vg_fs_dir_fn)(void *ud, const char *name);
int vg_fs_list(struct vg_fs *fs, const char *dir, vg_fs_dir_fn fn, void *ud, struct vg_error *err);

/* For vg_walk: opens a directory for listing without following a final
 * symlink and stores the descriptor in *out (the caller's: close() it). With
 * at < 0, path is a path inside the fs as above; otherwise path is one entry
 * name inside the directory at (a descriptor from this function) and no
 * symlink is followed at all. A symlink or non-directory: VG_EUNSUPPORTED. */
int vg_fs_open_dir(struct vg_fs *fs, int at, const char *path, int *out, struct vg_error *err);

/* Expands an absolute glob (vg_glob_match syntax; "**" allowed) inside the fs,
 * calling fn with each matching existing path (absolute, inside the fs), in
 * lexical order. Directories that cannot be read are skipped and counted in
 * *unreadable (may be NULL). At most VG_MAX_GLOB_MATCHES paths and
 * VG_MAX_GLOB_READS directory reads (then VG_ELIMIT, and fn is not called). */
typedef int (*vg_fs_glob_fn)(void *ud, const char *path);
int vg_fs_glob(struct vg_fs *fs, const char *pattern, vg_fs_glob_fn fn, void *ud,
	       size_t *unreadable, struct vg_error *err);

/* A symbolic name for a file type: "file", "directory", "symlink", "fifo",
 * "socket", "char-device", "block-device". */
const char *vg_fs_type_name(mode_t mode);

#endif
