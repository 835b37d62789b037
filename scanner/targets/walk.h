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

/* Called for every entry that is not a directory (regular files, symlinks,
 * FIFOs, sockets, devices). A non-zero return stops the walk and is returned. */
typedef int (*vg_walk_fn)(void *ud, const struct vg_walk_entry *e);

/* What an on_dir callback returns to leave a directory out without stopping. */
#define VG_WALK_SKIP 0x7ffe0001

struct vg_walk_opts {
	const char *const *exclude;  /* vg_glob_match patterns; an excluded directory is pruned */
	size_t nexclude;
	/* Paths relative to the fs root ("proc", "sys/fs/cgroup"; no leading or
	 * trailing '/', no empty or "." components) left out like excluded ones,
	 * compared literally: cheaper than patterns for a list of mount points. */
	const char *const *prune;
	size_t nprune;
	bool skip_git_dir;           /* never descend into ".git" */
	size_t max_depth;            /* 0: VG_MAX_WALK_DEPTH */
	/* The depth of start itself (0): a walk of part of a larger one counts
	 * entry depths and max_depth as the larger walk would. */
	size_t base_depth;
	/* Optional: true leaves the entry out (a directory is pruned), e.g. for
	 * .gitignore rules. path is relative to the fs root. */
	bool (*skip)(void *ud, const char *path, bool is_dir);
	void *skip_ud;
	/* Optional: called with each directory the walk enters (not pruned, and
	 * opened), before its entries, with the ud given to vg_walk. 0 walks it,
	 * VG_WALK_SKIP leaves it out, anything else stops the walk and is
	 * returned. Not called for the start directory. */
	vg_walk_fn on_dir;
	/* Messages name paths absolutely ("/usr/x", "/" for the root), as paths in
	 * a root or host target are shown; otherwise relative ("usr/x", "."). */
	bool absolute;
};
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
