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

/* "hyperscan" or "aho-corasick". */
const char *vg_prefilter_engine(const struct vg_prefilter *pf);

/* Releases the calling thread's scratch space (done automatically at thread exit). */
void vg_prefilter_thread_cleanup(void);

#endif
