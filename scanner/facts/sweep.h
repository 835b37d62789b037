/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded filesystem sweeps: world-writable, unowned, SUID and SGID entries under chosen roots. */
#ifndef VG_FACTS_SWEEP_H
#define VG_FACTS_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "facts/accounts.h"
#include "facts/facts.h"
#include "limits.h"
#include "targets/fs.h"
#include "util.h"

/* What an entry is flagged for (bits). */
enum {
	VG_SWEEP_WORLD_WRITABLE = 1u << 0, /* a file, or a directory without the sticky bit */
	VG_SWEEP_NOUSER = 1u << 1,         /* uid not in /etc/passwd */
	VG_SWEEP_NOGROUP = 1u << 2,        /* gid not in /etc/group */
	VG_SWEEP_SUID = 1u << 3,           /* a regular file with the set-user-ID bit */
	VG_SWEEP_SGID = 1u << 4,           /* a regular file with the set-group-ID bit */
};
#define VG_SWEEP_NKINDS 5

struct vg_sweep_item {
	char *path;      /* absolute inside the target */
	unsigned kinds;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

/* One sweep over a set of roots. */
struct vg_sweep_result {
	char **roots;             /* as asked (NULL-terminated) */
	size_t nroots;
	size_t max_files;
	bool owners_known;        /* accounts were given: NOUSER/NOGROUP were looked for */
	size_t entries;           /* entries examined (files, directories, links, ...) */
	bool truncated;           /* stopped after max_files entries */
	size_t denied;            /* directories or entries that could not be read */
	size_t limited;           /* directories not walked: nested too deep, paths too long */
	size_t errors;            /* other problems (I/O) */
	char *first_problem;
	struct vg_vec items;      /* struct vg_sweep_item *, walk order */
	size_t dropped[VG_SWEEP_NKINDS]; /* items of a kind not kept past the findings cap */
};

struct vg_sweep_opts {
	const char *const *roots;        /* absolute directories inside the fs */
	size_t nroots;
	size_t max_files;                /* 0: VG_DEFAULT_SWEEP_ENTRIES */
	const struct vg_accounts *accounts; /* NULL: owners are not judged */
	const char *const *exclude;      /* absolute paths pruned (special filesystems) */
	size_t nexclude;
	unsigned jobs;                   /* threads walking at once; 0 or 1: the caller's */
};

/* Walks every root with vg_walk (symlinks never followed; /proc, /sys, /dev
 * and opts->exclude pruned) and records the flagged entries. A directory is
 * judged when the walk first passes through it to a file below it, so a
 * directory with no file anywhere below it is not seen. A missing root is
 * skipped. With jobs > 1 the subdirectories of each root are walked on that
 * many threads; the result is the same as with one (items in walk order,
 * max_files and the findings cap applied in that order). Messages name
 * paths absolutely. Fails only with VG_ENOMEM; problems are counted in the
 * result. */
int vg_sweep_run(struct vg_sweep_result **out, struct vg_fs *fs, const struct vg_sweep_opts *o,
		 struct vg_error *err);
void vg_sweep_result_free(struct vg_sweep_result *r);

/* The shared per-target cache of sweeps (the collector's facts). */
struct vg_sweep_cache;

/* The sweep of t over these roots: run on first use (under the cache's lock),
 * then shared by every rule asking the same (roots, max_files, owners known;
 * o->jobs only says how many threads the first one uses).
 * *out is borrowed from the cache. Fails only with VG_ENOMEM. */
int vg_sweep_get(const struct vg_sweep_cache *c, const struct vg_target *t,
		 const struct vg_sweep_opts *o, const struct vg_sweep_result **out,
		 struct vg_error *err);

/* The mount points of special and network filesystems in a /proc/self/mounts
 * text (proc, sysfs, devtmpfs, cgroup, nfs, ...), octal escapes decoded, as a
 * new NULL-terminated array (vg_strv_free). Returns 0 or VG_ENOMEM. */
int vg_sweep_special_mounts(char ***out, size_t *n, const char *data, size_t len);

extern const struct vg_collector vg_collector_sweep;

#endif
