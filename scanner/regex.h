/* SPDX-License-Identifier: Apache-2.0 */
/* The one entry point for regular expressions: PCRE2 with JIT and match limits. */
#ifndef VG_REGEX_H
#define VG_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum {
	VG_RE_CASELESS = 1u << 0,
	VG_RE_MULTILINE = 1u << 1, /* ^ and $ match at line breaks */
	VG_RE_DOTALL = 1u << 2,    /* . matches newlines */
	VG_RE_EXTENDED = 1u << 3,  /* whitespace and # comments ignored */
	VG_RE_UTF = 1u << 4,       /* pattern and subject are UTF-8 (invalid subject bytes never crash) */
};

#define VG_RE_MAX_GROUPS 16

struct vg_regex;

struct vg_regex_match {
	size_t start, end;         /* whole match, byte offsets into the subject */
	size_t ngroups;            /* capture groups reported, <= VG_RE_MAX_GROUPS */
	size_t gstart[VG_RE_MAX_GROUPS + 1]; /* index 1..ngroups; SIZE_MAX when unset */
	size_t gend[VG_RE_MAX_GROUPS + 1];
};

/* Compiles pattern (NUL-terminated, at most VG_MAX_REGEX_BYTES) with JIT when
 * available. On error returns VG_EPARSE (or VG_ELIMIT) with err->msg set to
 * PCRE2's message and *erroffset (if non-NULL) to the offset in the pattern. */
int vg_regex_compile(struct vg_regex **out, const char *pattern, unsigned flags,
		     size_t *erroffset, struct vg_error *err);
void vg_regex_free(struct vg_regex *re);

/* Finds the first match at or after start. Returns 1 on a match (filling m),
 * 0 when there is none, VG_ELIMIT when a match/depth/heap limit was hit.
 * Thread-safe: each thread uses its own match data and JIT stack. */
int vg_regex_match(const struct vg_regex *re, const char *subject, size_t len, size_t start,
		   struct vg_regex_match *m);

/* Number of a named group, or -1 when the pattern has no such name. */
int vg_regex_group_index(const struct vg_regex *re, const char *name);
/* Number of capture groups in the pattern. Cannot fail. */
unsigned vg_regex_capture_count(const struct vg_regex *re);
const char *vg_regex_source(const struct vg_regex *re);

/* Releases the calling thread's match data and JIT stack (also done
 * automatically when a thread exits). */
void vg_regex_thread_cleanup(void);

#endif
