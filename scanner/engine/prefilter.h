/* SPDX-License-Identifier: Apache-2.0 */
/* A multi-keyword prefilter: one pass over a buffer says which detectors' keywords occur in it. */
#ifndef VG_PREFILTER_H
#define VG_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct vg_prefilter;

/* Builds a prefilter over n groups of keywords: group i is "hit" when any of
 * keywords[i][0..counts[i]) occurs in a buffer, compared case-insensitively.
 * A group with no keywords is always hit. Uses Hyperscan's literal matcher
 * where vigil was built with it, otherwise an Aho-Corasick automaton.
 * *out is freed with vg_prefilter_free. */
int vg_prefilter_new(struct vg_prefilter **out, char *const *const *keywords,
		     const size_t *counts, size_t n, struct vg_error *err);
void vg_prefilter_free(struct vg_prefilter *pf);

/* Number of 64-bit words a hit set for this prefilter needs. Cannot fail. */
size_t vg_prefilter_words(const struct vg_prefilter *pf);

/* Scans data[0..len) and sets bit i of hits (vg_prefilter_words() words,
 * cleared by the caller) for every group hit. Thread-safe: each thread keeps
 * its own scratch space. Returns 0, or VG_ENOMEM/VG_ERROR. */
int vg_prefilter_scan(const struct vg_prefilter *pf, const char *data, size_t len,
		      uint64_t *hits);

/* Called for each occurrence of a positional literal (see
 * vg_prefilter_new_lits) with the literal's index and the offset just past
 * the occurrence. A non-zero return stops the scan and is returned. */
typedef int (*vg_prefilter_lit_fn)(void *ud, size_t lit, size_t end);

enum {
	/* Compile Hyperscan only once the buffers scanned add up to 8 MB; until
	 * then the automaton, much quicker to build, serves: a small scan (a
	 * pre-commit run) never pays Hyperscan's compile. */
	VG_PREFILTER_LAZY = 1u << 0,
};

/* As vg_prefilter_new, and also nlits positional literals (lower-case, 1 to
 * 64 bytes): vg_prefilter_scan_lits reports every occurrence of each,
 * compared case-insensitively, in the same pass. flags: VG_PREFILTER_*. */
int vg_prefilter_new_lits(struct vg_prefilter **out, char *const *const *keywords,
			  const size_t *counts, size_t n, char *const *lits, size_t nlits,
			  unsigned flags, struct vg_error *err);

/* vg_prefilter_scan, and fn for every occurrence of a positional literal, in
 * order of end offset (occurrences ending at the same offset in any order). */
int vg_prefilter_scan_lits(const struct vg_prefilter *pf, const char *data, size_t len,
			   uint64_t *hits, vg_prefilter_lit_fn fn, void *ud);

/* A literal every match of a regex contains: it starts between omin and omax
 * bytes after the start of the match. */
struct vg_anchor {
	char lit[33];          /* lower-case; compare case-insensitively */
	size_t len;
	size_t omin, omax;
};

/* Proves, by reading the pattern, a set of literals one of which every match
 * of it contains at a bounded distance from the match start, so a matcher
 * need only try the few start positions each occurrence allows. flags are
 * the VG_RE_* flags the pattern is compiled with. *out (*n entries) is freed
 * with free(). Returns 0; VG_EUNSUPPORTED when no such set can be proven
 * (a construct the analysis does not follow, such as \K or (*VERB), UTF or
 * extended mode; a literal shorter than 3 bytes; an unbounded distance); or
 * VG_ENOMEM. Never reads past the pattern's NUL. */
int vg_prefilter_anchors(struct vg_anchor **out, size_t *n, const char *pattern,
			 unsigned flags);

/* "hyperscan" or "aho-corasick": the engine the next scan of a large buffer uses. */
const char *vg_prefilter_engine(const struct vg_prefilter *pf);

/* Releases the calling thread's scratch space (done automatically at thread exit). */
void vg_prefilter_thread_cleanup(void);

#endif
