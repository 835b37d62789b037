/* SPDX-License-Identifier: Apache-2.0 */
/* The one entry point for XML: libxml2 without network, DTDs or entity expansion, and XPath. */
#ifndef VG_XML_H
#define VG_XML_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct vg_xdoc;

/* A validated XPath 1.0 expression with its namespace prefixes. Safe to share
 * between threads. */
struct vg_xpath;

/* Parses data[0..len). name is used in messages. External entities, DTDs and
 * the network are never fetched (every external load is refused), entities
 * are not substituted, and libxml2's own depth and amplification limits stay
 * on. Errors: VG_ELIMIT over VG_MAX_CONFIG_FILE_BYTES, VG_EPARSE with
 * "name:line: message", VG_ENOMEM. *out is freed with vg_xdoc_free. */
int vg_xdoc_parse(struct vg_xdoc **out, const char *name, const char *data, size_t len,
		  struct vg_error *err);
void vg_xdoc_free(struct vg_xdoc *doc);

/* Compiles expr to check it; ns holds nns (prefix, URI) pairs as 2*nns
 * strings, which the expression may use. Errors: VG_EPARSE with libxml2's
 * message, VG_ENOMEM. *out is freed with vg_xpath_free. */
int vg_xpath_new(struct vg_xpath **out, const char *expr, char *const *ns, size_t nns,
		 struct vg_error *err);
void vg_xpath_free(struct vg_xpath *xp);
/* The expression as given. Borrowed. */
const char *vg_xpath_source(const struct vg_xpath *xp);

/* Called for each value an evaluation yields: value is NUL-terminated (len
 * bytes), line is 1-based or 0 when unknown. A non-zero return stops the
 * evaluation and is returned by vg_xpath_eval. */
typedef int (*vg_xpath_fn)(void *ud, const char *value, size_t len, size_t line);

/* Evaluates xp on doc. A node-set yields the string value of each node in
 * document order (only the first when all is false; nothing when empty);
 * entity references inside a node count as empty text. A string, number or
 * boolean result yields one value. Errors: VG_EPARSE (evaluation failed, e.g.
 * an unknown prefix), VG_ELIMIT (XPath operation limit, or a string value
 * over VG_MAX_SCALAR_BYTES), VG_ENOMEM, or fn's value. */
int vg_xpath_eval(const struct vg_xdoc *doc, const struct vg_xpath *xp, bool all, vg_xpath_fn fn,
		  void *ud, struct vg_error *err);

#endif
