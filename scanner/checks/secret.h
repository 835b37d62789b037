/* SPDX-License-Identifier: Apache-2.0 */
/* The `secret` check's configuration, shared with the multi-pattern prefilter. */
#ifndef VG_SECRET_H
#define VG_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "checks/check.h"
#include "regex.h"

struct vg_anchor;

struct vg_secret_cfg {
	struct vg_regex *re;
	int group;               /* capture group holding the secret; 0: whole match */
	char **keywords;         /* lower-case literals; one must occur for the regex to run */
	size_t nkeywords;
	double entropy;          /* minimum bits per character of the secret; 0: none */
	size_t min_length;
	bool placeholders;       /* drop values that look like placeholders (default true) */
	char **paths;            /* only these files, when set */
	size_t npaths;
	char **allow_paths;      /* never these files */
	size_t nallow_paths;
	char **stopwords;        /* lower-case; a secret containing one is not reported */
	size_t nstopwords;
	struct vg_regex **allow_values;
	size_t nallow_values;
	struct vg_regex **allow_lines;
	size_t nallow_lines;
	unsigned flags;          /* the VG_RE_* flags re is compiled with */
	/* Literals every match of re contains near its start (engine/prefilter.h):
	 * a group scan tries re (behind \G) only at the start positions their
	 * occurrences allow. NULL/0 when none could be proven. */
	struct vg_anchor *anchors;
	size_t nanchors;
};

void vg_secret_cfg_free(void *cfg);
bool vg_secret_wants(const void *cfg, const char *path);
/* True when any keyword occurs in data (case-insensitively), or there are none. */
bool vg_secret_keywords_present(const struct vg_secret_cfg *c, const char *data, size_t len);
/* Runs the detector over f->data[from, to) and records hits in st. */
int vg_secret_scan_range(const struct vg_secret_cfg *c, struct vg_leaf_state *st,
			 const struct vg_file *f, const char *title, size_t from, size_t to);
bool vg_secret_is_placeholder(const char *s, size_t len);
bool vg_secret_line_allowed(const char *line, size_t len);

#endif
