/* SPDX-License-Identifier: Apache-2.0 */
/* The shared expectation vocabulary: equals, in, not_in, matches, min, max, mode_max, exists, absent. */
#ifndef VG_EXPECT_H
#define VG_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"
#include "regex.h"

enum {
	VG_EXPECT_EQUALS = 1u << 0,
	VG_EXPECT_IN = 1u << 1,
	VG_EXPECT_NOT_IN = 1u << 2,
	VG_EXPECT_MATCHES = 1u << 3,
	VG_EXPECT_MIN = 1u << 4,
	VG_EXPECT_MAX = 1u << 5,
	VG_EXPECT_MODE_MAX = 1u << 6,
	VG_EXPECT_EXISTS = 1u << 7,
	VG_EXPECT_ABSENT = 1u << 8,
	VG_EXPECT_NOCASE = 1u << 9, /* equals/in/not_in compare case-insensitively */
};

/* An expectation about one value. A plain scalar in the policy is shorthand
 * for {equals: scalar}. */
struct vg_expect {
	unsigned has;         /* VG_EXPECT_* bits present */
	char *equals;
	char **in;            /* NULL-terminated */
	size_t nin;
	char **not_in;
	size_t nnot_in;
	struct vg_regex *matches;
	long long min, max;   /* integers; values parsed as decimal or 0x/0o */
	unsigned mode_max;    /* permission bits (octal in the policy, e.g. "0640") */
};

/* The keys this module owns, for check types that mix them into their own
 * mapping (NULL-key terminated field table). */
extern const struct vg_field vg_expect_fields[];

/* True when key is one of the expectation keys. */
bool vg_expect_is_key(const char *key);

/* Parses an expectation from node: a scalar (equals) or a mapping. With
 * only_own true, keys other than the vocabulary are errors; otherwise they are
 * left for the caller. Reports problems via pc; returns 0 or VG_EPARSE.
 * An empty expectation (no keys) is an error. */
int vg_expect_parse(struct vg_expect *out, struct vg_pctx *pc, const struct vg_ynode *node,
		    bool only_own);
/* Parses "0640"/"640"/"u=rw,g=r" style modes into bits; false when invalid. */
bool vg_expect_parse_mode(const char *s, unsigned *out);

void vg_expect_finish(struct vg_expect *e);

/* Evaluates e on value (NULL when the fact is absent). Returns true when it
 * holds; otherwise *why (if non-NULL) receives a new one-line explanation such
 * as "is 0644, wider than 0640" (free()). Cannot fail except for ENOMEM,
 * where *why stays NULL. */
bool vg_expect_eval(const struct vg_expect *e, const char *value, char **why);

/* A short description of the expectation, e.g. "in [yes, no]". New string. */
char *vg_expect_describe(const struct vg_expect *e);

#endif
