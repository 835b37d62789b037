/* SPDX-License-Identifier: Apache-2.0 */
/* Git targets through libgit2: every distinct blob of a history once, or what the index stages. */
#ifndef VG_GIT_H
#define VG_GIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Where a blob came from. */
struct vg_git_origin {
	char commit[41];     /* hex id of the commit that introduced it; "" when staged */
	const char *author;  /* "Name <email>", or NULL */
	char date[32];       /* RFC 3339 UTC, or "" */
	uint64_t seq;        /* order of the commit, oldest first (0 for staged) */
};

struct vg_git_blob {
	const char *path;    /* path inside the repository */
	const char *data;    /* NUL-terminated at data[len] */
	size_t len;
	const struct vg_git_origin *origin;
	/* The same path in the parent commit (history) or in HEAD (staged), so
	 * callers can tell what is new: vg_git_parent_contains(). Private. */
	void *priv;
};

/* True when the previous version of b's path (first parent's, or HEAD's for a
 * staged file; under its old name when range and staged scans detect a
 * rename) contains s[0..n): the secret was not introduced by this blob. */
bool vg_git_parent_contains(const struct vg_git_blob *b, const char *s, size_t n);

/* Called for each blob to scan; a non-zero return stops and is returned. */
typedef int (*vg_git_blob_fn)(void *ud, const struct vg_git_blob *b);

struct vg_git_stats {
	uint64_t commits;
	uint64_t blobs;         /* distinct blobs offered */
	uint64_t bytes;
	uint64_t skipped_binary;
	uint64_t skipped_large;
	bool shallow;           /* the repository is a shallow clone: history is partial */
};

/* Walks the history of the repository containing path: every commit reachable
 * from any ref or HEAD (or, when range is non-NULL, those of "A..B", of
 * "A...B" since the merge base, or of one revision and its ancestors),
 * parents before children and otherwise oldest first, and offers every blob
 * a commit adds or changes (compared with its first parent) exactly once,
 * with the commit that first introduced it. In a shallow clone the boundary
 * commits are compared with nothing and stats->shallow is set. Binary blobs
 * and blobs over max_blob bytes (never inflated) are skipped and counted.
 * Errors: VG_ENOTFOUND (not a repository, unknown revision), VG_EPARSE
 * (missing or corrupt objects: the message names the object), VG_ENOMEM, or
 * fn's non-zero return. */
int vg_git_history(const char *path, const char *range, uint64_t max_blob, vg_git_blob_fn fn,
		   void *ud, struct vg_git_stats *stats, struct vg_error *err);

/* Offers every file the index adds, changes or renames relative to HEAD (an
 * unborn HEAD counts as empty), with its staged contents. Errors as for
 * vg_git_history; VG_EUNSUPPORTED for a bare repository. */
int vg_git_staged(const char *path, uint64_t max_blob, vg_git_blob_fn fn, void *ud,
		  struct vg_git_stats *stats, struct vg_error *err);

/* The work tree's top directory of the repository holding path (new string),
 * or NULL when there is none. */
char *vg_git_workdir(const char *path);

/* Whether path lies in a git work tree (for .gitignore handling); *out gets an
 * opaque handle for vg_git_ignored, freed with vg_git_ignore_free. Returns
 * VG_ENOTFOUND when path is not in a work tree. */
struct vg_git_ignore;
int vg_git_ignore_open(struct vg_git_ignore **out, const char *path, struct vg_error *err);
/* True when rel (relative to the directory given to vg_git_ignore_open) is
 * ignored by .gitignore rules. Thread-safe. */
bool vg_git_ignored(struct vg_git_ignore *ig, const char *rel, bool is_dir);
void vg_git_ignore_free(struct vg_git_ignore *ig);

#endif
