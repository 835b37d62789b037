/* SPDX-License-Identifier: Apache-2.0 */
/* The one entry point for JSON config files: jansson under size, depth and count caps. */
#ifndef VG_JSON_H
#define VG_JSON_H

#include <stddef.h>

#include "error.h"

/* A parsed document and its values. Nodes belong to their document. */
struct vg_jdoc;
struct vg_jnode;

/* Parses data[0..len) (need not be NUL-terminated). name is used in messages.
 * The top level must be an object or an array. Limits: VG_MAX_CONFIG_FILE_BYTES
 * of input, VG_MAX_CONFIG_DEPTH nesting, VG_MAX_CONFIG_NODES values; duplicate
 * object keys and NUL characters in strings are errors. On success *out is a
 * new document (vg_jdoc_free). Errors: VG_EPARSE ("name:line:col: message"),
 * VG_ELIMIT, VG_ENOMEM; err says which. */
int vg_jdoc_parse(struct vg_jdoc **out, const char *name, const char *data, size_t len,
		  struct vg_error *err);
void vg_jdoc_free(struct vg_jdoc *doc);

/* The top-level value. Borrowed; cannot fail. */
const struct vg_jnode *vg_jdoc_root(const struct vg_jdoc *doc);
/* The member key of object n, or NULL when n is not an object or has no such
 * member. Borrowed. */
const struct vg_jnode *vg_jnode_get(const struct vg_jnode *n, const char *key);
/* Item i of array n, or NULL when n is not an array or is shorter. Borrowed. */
const struct vg_jnode *vg_jnode_at(const struct vg_jnode *n, size_t i);

/* The value as text in *out (the caller's, free()): strings as they are,
 * numbers in their shortest exact form, true/false, and objects and arrays as
 * compact JSON (at most VG_MAX_SCALAR_BYTES). null gives *out = NULL: an unset
 * value. Errors: VG_ENOMEM, VG_ELIMIT (err says so). */
int vg_jnode_text(char **out, const struct vg_jnode *n, struct vg_error *err);

/* The 1-based line where value n starts in the document's text, or 0 when n
 * is not part of doc. Cannot fail. */
size_t vg_jdoc_line(const struct vg_jdoc *doc, const struct vg_jnode *n);

#endif
