/* SPDX-License-Identifier: Apache-2.0 */
/* What the SARIF, JUnit and HTML reporters share: safe markup, URIs, rule lookups, line hashes. */
#ifndef VG_REPORT_UTIL_H
#define VG_REPORT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "findings/finding.h"
#include "util.h"

/* Writes scan data as XML or HTML text. Escapes & < > " ' (so the output is
 * safe in element content and in quoted attributes), writes each invalid
 * UTF-8 byte as U+FFFD and each character XML 1.0 forbids or that would hide
 * or reorder text (control characters, C1 controls, bidi overrides, line and
 * paragraph separators, U+FFFE/U+FFFF) as visible "\xNN" or "\uNNNN" text.
 * With VG_MARKUP_ATTR, tab and newline become character references so they
 * survive attribute normalisation. s may be NULL (writes nothing). */
#define VG_MARKUP_ATTR 1u
void vg_markup_put(FILE *out, const char *s, unsigned flags);

/* Writes scan data to a terminal or text file so that it cannot forge lines
 * or escape sequences: control bytes, invalid UTF-8 and the characters that
 * hide or reorder text come out as "\xNN" escapes of their bytes. */
void vg_safe_put(FILE *out, const char *s);

/* Appends path to b percent-encoded as an RFC 3986 path: everything but
 * unreserved characters (and '/' when keep_slash) becomes %XX of its bytes.
 * Returns 0, VG_ENOMEM or VG_ELIMIT (b's cap). */
int vg_uri_encode(struct vg_buf *b, const char *path, bool keep_slash);

/* "YYYY-MM-DDTHH:MM:SSZ" in UTC, or without the zone when zone is false (the
 * JUnit timestamp). Out-of-range times are clamped. buf has 32 bytes. */
void vg_report_time(char buf[32], time_t t, bool zone);

/* Whether a finding is a failure that counts towards the exit code, and
 * whether it is a failure that is reported but does not count (waived,
 * baselined, inline-allowed or ignored). Errors are never suppressed. */
bool vg_finding_counts(const struct vg_finding *f);
bool vg_finding_suppressed(const struct vg_finding *f);

/* A JSON string for s (jansson's json_t): jansson refuses invalid UTF-8,
 * and paths and file contents can be any bytes, so each invalid byte becomes
 * U+FFFD. NULL on allocation failure. */
struct json_t;
struct json_t *vg_json_str(const char *s);

/* The upper-case label of a severity ("CRITICAL"); out-of-range values read as INFO. */
const char *vg_severity_label(enum vg_severity s);

/* The rules of one result set, each id once, and which rule each finding
 * belongs to, grouped into packs. Built once per report. */
struct vg_report_index {
	/* borrowed: res->rules in order, then the rules only findings name */
	const struct vg_rule_meta **rules;
	size_t nrules;
	size_t *rule_of;                   /* per finding: index into rules */
	const char **packs;                /* borrowed pack names, in order of their first rule */
	size_t npacks;
	size_t *pack_of;                   /* per rule: index into packs */
};

/* Builds ix for res. A rule without a pack belongs to pack "vigil"; a finding
 * without a rule to a placeholder rule "vigil.unknown". Returns 0 or VG_ENOMEM. */
int vg_report_index_init(struct vg_report_index *ix, const struct vg_results *res);
void vg_report_index_finish(struct vg_report_index *ix);

/* GitHub's primaryLocationLineHash: a rolling hash over the first 100
 * non-blank characters from the start of each line, as GitHub's upload action
 * computes it, with ":N" for the Nth line in the file that has the same hash.
 * Fill in line (1-based) for each wanted entry, sorted by line (duplicates
 * allowed); vg_line_hashes fills in hash ("hex:N", empty when the file has no
 * such line). Returns 0 or VG_ENOMEM. */
struct vg_line_want {
	size_t line;
	char hash[40];
	uint64_t raw; /* private */
	bool found;   /* private */
};
int vg_line_hashes(const char *data, size_t len, struct vg_line_want *want, size_t n);

#endif
