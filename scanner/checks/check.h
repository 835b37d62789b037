/* SPDX-License-Identifier: Apache-2.0 */
/* The check-type interface and registry: each check type parses its YAML, gathers facts, and evaluates. */
#ifndef VG_CHECK_H
#define VG_CHECK_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "findings/finding.h"
#include "policy/policy.h"
#include "targets/fs.h"
#include "util.h"

/* One target of a scan. */
struct vg_target {
	unsigned kind;       /* one VG_TARGET_* bit */
	char *repo;          /* git/staged: a path inside the repository */
	char *range;         /* git: "A..B" or a revision, NULL for every ref */
	char *label;         /* as shown in reports: the path given, "host", "root:/mnt/img" */
	struct vg_fs *fs;    /* tree: BENEATH the tree's directory; root/host: IN_ROOT */
	char *start;         /* tree: what to walk inside fs ("" for all of it) */
	bool live;           /* host: the running kernel's /proc and /sys are this machine's */
	bool privileged;     /* running as root (live host) */
};

struct vg_git_origin;

/* A file offered to streaming checks during the tree walk (or a git blob). */
struct vg_file {
	const char *path;    /* relative to the target root */
	const char *data;    /* NUL-terminated at data[len] */
	size_t len;
	const struct vg_stat *st;                 /* NULL for blobs and in-memory examples */
	const struct vg_git_origin *origin;       /* the commit of a git blob, or NULL */
};

/* Line and column (1-based, column in bytes) of byte offset off in data.
 * The cursor makes a forward sequence of lookups linear; start it zeroed
 * (struct vg_linecur c = {0}). Cannot fail. */
struct vg_linecur {
	size_t off;
	size_t line;  /* 0 until first use */
	size_t bol;   /* offset of the current line's start */
};
void vg_linecol(const char *data, size_t off, struct vg_linecur *cur, size_t *line, size_t *col);

/* Per-leaf state for one scan, owned by the engine. Streaming checks append
 * hits under lock; evaluate reads them afterwards (single-threaded). */
struct vg_leaf_state {
	pthread_mutex_t lock;
	struct vg_vec hits;  /* struct vg_finding *: failing items */
	struct vg_vec passes;/* struct vg_finding *: items that satisfied the check (optional) */
	struct vg_vec errors;/* char *: problems met while streaming (e.g. a regex limit) */
	size_t files;        /* files offered */
	size_t dropped;      /* hits not kept past VG_MAX_FINDINGS_PER_RULE */
	void *priv;          /* the check type's own accumulator */
};

/* Adds a hit under st->lock, respecting VG_MAX_FINDINGS_PER_RULE (then the
 * hit is freed and counted in dropped). Takes ownership of hit. */
void vg_leaf_add(struct vg_leaf_state *st, struct vg_finding *hit, bool pass);
/* Records a problem under st->lock (printf-style). */
void vg_leaf_error(struct vg_leaf_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vg_leaf_state_init(struct vg_leaf_state *st);
void vg_leaf_state_finish(struct vg_leaf_state *st);

/* What evaluating one check node produced. */
struct vg_outcome {
	enum vg_status status;
	struct vg_vec hits;  /* struct vg_finding *: for FAIL, each failing item; for PASS, what satisfied it */
	char *reason;        /* why, for ERROR / NOT_EVALUATED / NOT_APPLICABLE (and optionally PASS) */
};
void vg_outcome_init(struct vg_outcome *o);
void vg_outcome_finish(struct vg_outcome *o);
/* Moves every finding of from (struct vg_finding *) to o->hits, leaving from
 * empty. On VG_ENOMEM the findings not moved yet stay in from. */
int vg_outcome_take(struct vg_outcome *o, struct vg_vec *from);
/* Sets status and a printf-style reason. */
void vg_outcome_set(struct vg_outcome *o, enum vg_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Creates a hit (a partly filled finding: location, message). path and object
 * may be NULL; line 0 means no position. Returns NULL on ENOMEM. */
struct vg_finding *vg_hit_new(const char *path, size_t line, size_t col, const char *object,
			      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Sets the hit's evidence (copied, cut at VG_MAX_EVIDENCE_BYTES) and the
 * fingerprint key. secret_off/secret_len give the secret inside evidence (0,0:
 * whole evidence when the rule is sensitive). key NULL: the evidence is the key. */
int vg_hit_evidence(struct vg_finding *hit, const char *evidence, size_t len, size_t secret_off,
		    size_t secret_len, const char *key, size_t keylen);

/* What a check sees while evaluating. */
struct vg_eval_ctx {
	const struct vg_target *target;
	const struct vg_rule *rule;
	uint64_t max_file_size;
	struct vg_facts *facts;  /* collectors' shared cache (one per target) */
	unsigned jobs;           /* threads a check may use for work of its own (0, 1: one) */
};

/* A check type. Tables of these are listed in the registry (check.c). */
struct vg_check_impl {
	const char *name;   /* the key under `check:` */
	unsigned targets;   /* VG_TARGET_* kinds it can evaluate */
	bool offline;       /* its collector works from files alone (--root) */
	const char *summary;/* one line for `vigil rules show` and docs */

	/* Parses and validates node (the value under the check's key); reports
	 * problems through vg_pctx_error and returns a VG_E* code if any. */
	int (*parse)(void **out, struct vg_pctx *pc, const struct vg_ynode *node);
	void (*free)(void *cfg);

	/* Streaming over a tree walk (NULL for checks that do not read files one by
	 * one): wants decides from the relative path whether the file is offered;
	 * scan examines one file and records hits in st. Called from worker
	 * threads, concurrently for different files. */
	bool (*wants)(const void *cfg, const char *path);
	int (*scan)(const void *cfg, struct vg_leaf_state *st, const struct vg_file *file,
		    const struct vg_eval_ctx *ev);

	/* Evaluates the check on ctx->target after streaming (if any) ended.
	 * Moves hits from st (may be NULL for non-streaming checks) into out. */
	int (*evaluate)(const void *cfg, struct vg_leaf_state *st, const struct vg_eval_ctx *ev,
			struct vg_outcome *out);

	/* Optional, for streaming types with many leaves per scan (secret
	 * detectors): group_new builds one object over the configurations of all
	 * the type's leaves; group_scan examines one file for all of them at once
	 * (one prefilter pass instead of one per leaf), recording hits for
	 * cfgs[i] in states[i]; group_wants says whether any leaf wants a path.
	 * group_scan is called from worker threads concurrently. */
	int (*group_new)(void **out, const void *const *cfgs, size_t n, struct vg_error *err);
	void (*group_free)(void *group);
	bool (*group_wants)(const void *group, const char *path);
	int (*group_scan)(void *group, struct vg_leaf_state *const *states,
			  const struct vg_rule *const *rules, const struct vg_file *f,
			  const struct vg_eval_ctx *ev);
};

/* The check type named name, or NULL. */
const struct vg_check_impl *vg_check_find(const char *name);
/* All registered check types, NULL-terminated. */
const struct vg_check_impl *const *vg_check_all(void);

/* Built-in check types. */
extern const struct vg_check_impl vg_check_file;
extern const struct vg_check_impl vg_check_content;
extern const struct vg_check_impl vg_check_keyvalue;
extern const struct vg_check_impl vg_check_ini;
extern const struct vg_check_impl vg_check_json;
extern const struct vg_check_impl vg_check_yaml;
extern const struct vg_check_impl vg_check_xml;
extern const struct vg_check_impl vg_check_secret;
extern const struct vg_check_impl vg_check_sshd;
extern const struct vg_check_impl vg_check_sysctl;
extern const struct vg_check_impl vg_check_kernel_modules;
extern const struct vg_check_impl vg_check_mounts;
extern const struct vg_check_impl vg_check_accounts;
extern const struct vg_check_impl vg_check_pam;
extern const struct vg_check_impl vg_check_packages;
extern const struct vg_check_impl vg_check_services;
extern const struct vg_check_impl vg_check_listening;
extern const struct vg_check_impl vg_check_filesystem;

#endif
