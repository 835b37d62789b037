/* SPDX-License-Identifier: Apache-2.0 */
/* What the structured config checks (keyvalue, ini, json, yaml, xml) share. */
#ifndef VG_STRUCTURED_H
#define VG_STRUCTURED_H

#include <stdbool.h>
#include <stddef.h>

#include "checks/check.h"
#include "policy/expect.h"

/* The keys every structured check takes, for its field table (`path` is not
 * one: json and yaml use it for the place inside the document). `dropins` is
 * listed separately: only line-oriented formats accept it. */
#define VG_STRUCTURED_FIELDS \
	{"paths", VG_FIELD_STRINGS, true}, {"expect", VG_FIELD_ANY, true}, \
	{"default", VG_FIELD_STRING, false}, {"missing", VG_FIELD_STRING, false}
#define VG_STRUCTURED_DROPINS_FIELD {"dropins", VG_FIELD_STRINGS, false}

/* How values found in a file and its drop-ins combine into the effective ones. */
enum vg_smerge {
	VG_SMERGE_LAST,  /* the last value found wins */
	VG_SMERGE_FIRST, /* the first value found wins */
	VG_SMERGE_ALL,   /* every value found is checked */
};

/* One value a format found in a document. */
struct vg_svalue {
	char *value; /* NUL-terminated after len bytes */
	size_t len;
	size_t line; /* 1-based; 0 when the format gives no position */
};

/* The values found in one document, in document order. */
struct vg_svalues {
	struct vg_svalue *items;
	size_t n;
	size_t cap;
};

/* Appends a copy of value[0..len). Returns 0 or VG_ENOMEM. */
int vg_svalues_add(struct vg_svalues *v, const char *value, size_t len, size_t line);
void vg_svalues_finish(struct vg_svalues *v);

struct vg_structured;

/* A config format. */
struct vg_sformat {
	const char *name;
	/* Parses the format's own keys of node (whose fields were validated) into
	 * *out and sets c->addr, c->key and c->merge. Reports problems through pc
	 * and returns VG_EPARSE (or VG_ENOMEM). */
	int (*parse)(void **out, struct vg_structured *c, struct vg_pctx *pc,
		     const struct vg_ynode *node);
	void (*free)(void *fcfg);
	/* Appends to out every value fcfg addresses in data[0..len), which is
	 * NUL-terminated and holds text (no NUL or control bytes). name is the file
	 * in messages. Errors: VG_EPARSE, VG_ELIMIT (err says "name:line: what"),
	 * VG_ENOMEM. */
	int (*lookup)(const void *fcfg, const char *name, const char *data, size_t len,
		      struct vg_svalues *out, struct vg_error *err);
};

/* A structured check's settings: the common part and the format's own. */
struct vg_structured {
	const struct vg_sformat *fmt;
	void *fcfg;
	char **paths;         /* globs: absolute for root/host, relative for trees */
	size_t npaths;
	char **dropins;       /* globs of drop-in files read after each main file */
	size_t ndropins;
	struct vg_expect expect;
	char *def;            /* the value the software uses when unset, or NULL */
	enum vg_status missing; /* outcome when no file exists: pass, fail, not-applicable */
	char *addr;           /* where the value is, for messages: "[Journal] Storage" */
	char *key;            /* its name in evidence: "Storage" */
	enum vg_smerge merge;
};

/* The check type functions the structured checks share. parse validates node
 * against fields (the format's table, including VG_STRUCTURED_FIELDS), parses
 * the common keys and then the format's. */
int vg_structured_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node,
			const struct vg_sformat *fmt, const struct vg_field *fields);
void vg_structured_free(void *cfg);
bool vg_structured_wants(const void *cfg, const char *path);
int vg_structured_scan(const void *cfg, struct vg_leaf_state *st, const struct vg_file *file,
		       const struct vg_eval_ctx *ev);
int vg_structured_evaluate(const void *cfg, struct vg_leaf_state *st,
			   const struct vg_eval_ctx *ev, struct vg_outcome *out);

/* A path into a JSON or YAML document: `a.b[0].c`, `["key.with.dots"][2]`. */
struct vg_spath_step {
	char *key;    /* a mapping key, or NULL for a sequence index */
	size_t index;
};
struct vg_spath {
	struct vg_spath_step *steps;
	size_t n;
};

/* Parses text into out. On a syntax error returns VG_EPARSE and writes the
 * reason to why (whylen bytes); VG_ENOMEM otherwise. At most
 * VG_MAX_CONFIG_DEPTH steps. */
int vg_spath_parse(struct vg_spath *out, const char *text, char *why, size_t whylen);
void vg_spath_finish(struct vg_spath *p);

/* For the line formats (keyvalue, ini). None of these can fail. */

/* Whether c is a blank inside a line: space, tab, form feed, vertical tab. */
bool vg_sline_blank(char c);
/* The next line of [*pos, end) as [*s, *e), without its "\n" or "\r\n";
 * *pos moves past it. */
void vg_sline_next(const char **pos, const char *end, const char **s, const char **e);
/* Narrows [*s, *e) to leave out blanks on both sides. */
void vg_sline_trim(const char **s, const char **e);
/* Whether s[0..n) is the name want, ignoring ASCII case when nocase. */
bool vg_sline_name_is(const char *want, bool nocase, const char *s, size_t n);

#endif
