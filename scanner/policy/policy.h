/* SPDX-License-Identifier: Apache-2.0 */
/* The policy model (packs, rules, checks, profiles, variables) and its strict loader. */
#ifndef VG_POLICY_H
#define VG_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "findings/finding.h"
#include "formats/yaml.h"
#include "util.h"

/* Kinds of target a rule may apply to (bit flags). */
enum vg_target_kind {
	VG_TARGET_TREE = 1u << 0,   /* files and directories named on the command line */
	VG_TARGET_ROOT = 1u << 1,   /* an offline root filesystem (--root DIR) */
	VG_TARGET_HOST = 1u << 2,   /* the live machine (--host) */
	VG_TARGET_GIT = 1u << 3,    /* git history (--git) */
	VG_TARGET_STAGED = 1u << 4, /* staged changes (--staged) */
	VG_TARGET_TLS = 1u << 5,    /* TLS endpoints and certificates */
	VG_TARGET_NFT = 1u << 6,    /* nftables ruleset */
};
#define VG_TARGET_FILES (VG_TARGET_TREE | VG_TARGET_GIT | VG_TARGET_STAGED)
#define VG_TARGET_SYSTEM (VG_TARGET_ROOT | VG_TARGET_HOST)

/* "tree", "root", ... for one bit; parse returns 0 for an unknown name. */
const char *vg_target_kind_name(unsigned kind);
unsigned vg_target_kind_parse(const char *s);

struct vg_check_impl;

enum vg_check_op {
	VG_CHECK_LEAF,
	VG_CHECK_ALL,
	VG_CHECK_ANY,
	VG_CHECK_NOT,
};

/* A node of a rule's check tree: a leaf (one check type from the registry)
 * or a combinator over children. */
struct vg_check {
	enum vg_check_op op;
	const struct vg_check_impl *impl; /* leaf */
	void *cfg;                        /* leaf: owned, freed by impl->free */
	struct vg_check **kids;           /* all/any: >= 1; not: exactly 1 */
	size_t nkids;
	size_t line, col;
	size_t slot;                      /* leaf: index of its state in a scan (engine) */
};

/* A file laid out for a rule example. */
struct vg_example_file {
	char *path;      /* absolute for system rules, relative for tree rules */
	char *content;   /* NULL for directories and symlinks */
	size_t len;
	char type;       /* 'f' file, 'd' directory, 'l' symlink, 'p' FIFO */
	int mode;        /* permission bits, -1 for the default (0644 / 0755) */
	long uid, gid;   /* -1: leave as created */
	char *target;    /* symlink target */
};

/* One `examples:` case: a string (content checks) or a file tree. */
struct vg_example {
	bool expect_fail;
	char *content;   /* string example, or NULL */
	size_t len;
	char *path;      /* for a string example: the file name it is given, or NULL */
	struct vg_example_file *files;
	size_t nfiles;
	size_t line, col;
};

struct vg_pack;

struct vg_rule {
	struct vg_rule_meta meta;   /* id, title, severity (effective), tags, ... */
	enum vg_severity default_severity;
	unsigned targets;           /* vg_target_kind bits the rule applies to */
	char **os_family;           /* applies.os_family, or NULL/0 */
	size_t nos_family;
	char **requires_paths;      /* applies.exists: paths that must exist, else not-applicable */
	size_t nrequires_paths;
	struct vg_check *check;
	struct vg_example *examples;
	size_t nexamples;
	const struct vg_pack *pack; /* borrowed */
	char *file;
	size_t line, col;
	bool selected;              /* chosen by profile / --rule / --skip-rule */
};

struct vg_var {
	char *name;
	char *value;          /* as a string; numbers and booleans keep their YAML text */
	char *description;
};

struct vg_profile {
	char *id;
	char *title;
	char *extends;        /* another profile's id, or NULL */
	char **select;        /* rule id globs; NULL/0: everything the parent selects */
	size_t nselect;
	char **deselect;
	size_t ndeselect;
	struct vg_var *vars;
	size_t nvars;
	char **sev_rule;      /* severity overrides: rule id glob -> severity */
	enum vg_severity *sev_value;
	size_t nsev;
	const struct vg_pack *pack;
	size_t line, col;
};

struct vg_pack {
	char *id;
	char *title;
	char *version;
	char *description;
	char *file;           /* where it was loaded from ("<embedded>/secrets/x.yaml" for built-ins) */
	unsigned targets;     /* default for its rules */
	bool sensitive;       /* default for its rules */
	struct vg_var *vars;
	size_t nvars;
	struct vg_vec rules;    /* struct vg_rule * (owned) */
	struct vg_vec profiles; /* struct vg_profile * (owned) */
};

/* A loaded policy: every pack, and the rules chosen for this run. */
struct vg_policy {
	struct vg_vec packs;    /* struct vg_pack * (owned) */
	struct vg_vec rules;    /* struct vg_rule *, every rule of every pack, borrowed */
	struct vg_vec vars;     /* struct vg_var *: effective values after profile and --var */
	char *profile;          /* the chosen profile id, or NULL */
};

/* How to load: which sources, which profile and variables. */
struct vg_policy_opts {
	const char *const *paths;  /* --policy FILE|DIR; none: the embedded packs */
	size_t npaths;
	const char *profile;       /* --profile, or NULL */
	const char *const *vars;   /* --var NAME=VALUE */
	size_t nvars;
	const char *const *rule_globs;  /* --rule */
	size_t nrule_globs;
	const char *const *skip_globs;  /* --skip-rule */
	size_t nskip_globs;
};

/* Loads and validates every pack, then resolves the profile, variables and
 * selection. All problems are collected in diags as "file:line:col: message";
 * any problem makes the load fail with VG_EPARSE (or VG_ELIMIT, VG_EIO,
 * VG_ENOTFOUND for unreadable sources) and *out stays NULL. */
int vg_policy_load(struct vg_policy **out, const struct vg_policy_opts *opts,
		   struct vg_diags *diags, struct vg_error *err);

/* Parses one pack from text, for `rules lint` and tests. Same validation. */
int vg_policy_load_string(struct vg_policy **out, const char *name, const char *text, size_t len,
			  struct vg_diags *diags, struct vg_error *err);

void vg_policy_free(struct vg_policy *p);

/* A rule by exact id, or NULL. Borrowed. */
struct vg_rule *vg_policy_find_rule(const struct vg_policy *p, const char *id);
/* The effective value of a variable, or NULL. Borrowed. */
const char *vg_policy_var(const struct vg_policy *p, const char *name);

/* ---- For check types: the parse context handed to vg_check_impl.parse ---- */

struct vg_pctx;

/* Reports "file:line:col: message" at node (or at the enclosing rule when
 * node is NULL). Cannot fail. */
void vg_pctx_error(struct vg_pctx *pc, const struct vg_ynode *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A value node with variables resolved: a mapping {var: NAME} becomes the
 * variable's current value (a scalar node owned by the context); anything else
 * is returned as is. Reports an unknown variable and returns NULL. */
const struct vg_ynode *vg_pctx_value(struct vg_pctx *pc, const struct vg_ynode *node);
/* The rule whose check is being parsed. */
const struct vg_rule *vg_pctx_rule(const struct vg_pctx *pc);

/* Field schemas for strict validation of a mapping. */
enum vg_field_type {
	VG_FIELD_STRING,   /* scalar */
	VG_FIELD_INT,      /* scalar integer */
	VG_FIELD_BOOL,
	VG_FIELD_STRINGS,  /* a scalar or a sequence of scalars */
	VG_FIELD_MAPPING,
	VG_FIELD_ANY,
};
struct vg_field {
	const char *key;
	enum vg_field_type type;
	bool required;
};
/* Checks that node is a mapping whose keys are all in fields (NULL-key
 * terminated), of the right types, with every required key present. Reports
 * every problem; returns true when there was none. {var: NAME} values are
 * accepted for scalar fields. */
bool vg_pctx_check_fields(struct vg_pctx *pc, const struct vg_ynode *node,
			  const struct vg_field *fields);
/* Resolved string value of key in map, or NULL when absent. Borrowed. */
const char *vg_pctx_str(struct vg_pctx *pc, const struct vg_ynode *map, const char *key);
/* Resolved string list (scalar or sequence) into a new NULL-terminated array
 * (free with vg_strv_free); *n gets the count. NULL when absent. */
char **vg_pctx_strv(struct vg_pctx *pc, const struct vg_ynode *map, const char *key, size_t *n);
/* Resolved boolean; def when absent. */
bool vg_pctx_bool(struct vg_pctx *pc, const struct vg_ynode *map, const char *key, bool def);
/* Compiles a regex from a node, reporting PCRE2's message at the node with the
 * offset (file:line:col points into the pattern when it is a plain scalar). */
struct vg_regex *vg_pctx_regex(struct vg_pctx *pc, const struct vg_ynode *node, unsigned flags);

void vg_strv_free(char **v);

#endif
