/* SPDX-License-Identifier: Apache-2.0 */
/* The one entry point for YAML: libyaml events composed into a bounded node tree with positions. */
#ifndef VG_YAML_H
#define VG_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum vg_ynode_type {
	VG_YNODE_SCALAR,
	VG_YNODE_SEQUENCE,
	VG_YNODE_MAPPING,
};

struct vg_ynode;

struct vg_ypair {
	struct vg_ynode *key;
	struct vg_ynode *value;
};

/* A node. Positions are 1-based and point at the node's first character.
 * Nodes belong to their document; an alias is resolved to the anchored node,
 * so the same node may be reached through several parents. */
struct vg_ynode {
	enum vg_ynode_type type;
	size_t line;
	size_t col;
	/* scalar */
	char *str;        /* NUL-terminated value (may contain NULs; see len) */
	size_t len;
	bool quoted;      /* written with quotes or as a block scalar: never null/bool/number */
	/* sequence: items; mapping: pairs, in document order */
	struct vg_ynode **items;
	size_t nitems;
	struct vg_ypair *pairs;
	size_t npairs;
	const char *tag;  /* explicit tag such as "!!str", or NULL */
};

struct vg_ydoc {
	char *name;            /* file name used in messages */
	struct vg_ynode *root; /* NULL for an empty document */
	/* private: arena of nodes */
	void *priv;
};

/* Parses one YAML document from data[0..len). name is used in messages.
 * On success *out is a new document (free with vg_ydoc_free); an empty input
 * gives a document with root NULL. On failure returns VG_EPARSE or VG_ELIMIT
 * and adds "name:line:col: message" to diags (and a summary to err).
 * A stream with more than one document is an error. Limits: VG_MAX_POLICY_BYTES
 * of input, VG_MAX_YAML_DEPTH nesting, VG_MAX_YAML_NODES nodes counting each
 * alias as the size of what it refers to (defeats "billion laughs"),
 * VG_MAX_YAML_ALIASES aliases, VG_MAX_SCALAR_BYTES per scalar. Duplicate
 * mapping keys are an error. */
int vg_ydoc_parse(struct vg_ydoc **out, const char *name, const char *data, size_t len,
		  struct vg_diags *diags, struct vg_error *err);

/* Same, reading the file through vg_fs_read_path (no FIFOs, size-capped). */
int vg_ydoc_load(struct vg_ydoc **out, const char *path, struct vg_diags *diags,
		 struct vg_error *err);

void vg_ydoc_free(struct vg_ydoc *doc);

/* Mapping lookup by key (scalar keys only); NULL when absent or node is not a mapping. */
const struct vg_ynode *vg_ynode_get(const struct vg_ynode *map, const char *key);

/* Scalar helpers. Each returns false when the node is not a scalar of that kind.
 * is_null: unquoted "", "~", "null", "Null", "NULL". */
bool vg_ynode_is_null(const struct vg_ynode *n);
bool vg_ynode_as_bool(const struct vg_ynode *n, bool *out);    /* true/false (YAML 1.2 core), unquoted */
bool vg_ynode_as_int(const struct vg_ynode *n, long long *out); /* decimal, 0x hex, 0o octal, unquoted */
/* A node's type name for messages: "string", "sequence", "mapping", "null". */
const char *vg_ynode_kind(const struct vg_ynode *n);

#endif
