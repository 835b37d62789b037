/* SPDX-License-Identifier: Apache-2.0 */
/* Walks a scanned tree once: every entry below a root, without following symlinks. */
#ifndef VG_WALK_H
#define VG_WALK_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "targets/fs.h"

struct vg_walk_entry {
	const char *path;      /* relative to the fs root, '/'-separated, no leading "./" */
	const char *name;      /* last component */
	struct vg_stat st;     /* lstat: symlinks are reported, never followed */
	size_t depth;          /* 1 for entries directly in the start directory */
};

struct vg_walk_opts {
	const char *const *exclude;  /* vg_glob_match patterns; an excluded directory is pruned */
	size_t nexclude;
	bool skip_git_dir;           /* never descend into ".git" */
	size_t max_depth;            /* 0: VG_MAX_WALK_DEPTH */
	/* Optional: true leaves the entry out (a directory is pruned), e.g. for
	 * .gitignore rules. path is relative to the fs root. */
	bool (*skip)(void *ud, const char *path, bool is_dir);
	void *skip_ud;
};

/* Called for every entry that is not a directory (regular files, symlinks,
 * FIFOs, sockets, devices). A non-zero return stops the walk and is returned. */
typedef int (*vg_walk_fn)(void *ud, const struct vg_walk_entry *e);
/* Called for an entry that could not be read (a directory without permission,
 * an entry that vanished). code is a VG_E* value, msg says what and where. The
 * walk goes on unless this returns non-zero. */
typedef int (*vg_walk_error_fn)(void *ud, const char *path, int code, const char *msg);

/* Walks start (a directory inside fs, "" or "." for the root) depth-first in
 * lexical order. Directories deeper than max_depth are reported through on_error
 * with VG_ELIMIT. Returns 0, a callback's non-zero value, or a VG_E* code when
 * start itself cannot be opened. */
int vg_walk(struct vg_fs *fs, const char *start, const struct vg_walk_opts *opts, vg_walk_fn fn,
	    vg_walk_error_fn on_error, void *ud, struct vg_error *err);

#endif
