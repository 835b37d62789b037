/* SPDX-License-Identifier: Apache-2.0 */
/* Private to the engine: the state of one scan, shared by scan.c, stream.c, evaluate.c and emit.c. */
#ifndef VG_ENGINE_INTERNAL_H
#define VG_ENGINE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "engine/scan.h"
#include "facts/facts.h"
#include "targets/git.h"

/* One rule on the current target: its leaves' states, in the order leaves
 * are met walking the rule's check tree. */
struct rule_run {
	const struct vg_rule *rule;
	struct vg_leaf_state *states;
	const struct vg_check **leaves;
	size_t nleaves;
	bool applicable;
	char *na_reason;
};

/* Leaves of one check type that scan files together (one prefilter pass). */
struct stream_group {
	const struct vg_check_impl *impl;
	void *group;                     /* the impl's group object */
	size_t *members;                 /* indices into the stream arrays */
	struct vg_leaf_state **states;   /* the members' states and rules, in order */
	const struct vg_rule **rules;
	size_t n;
};

struct scan {
	const struct vg_scan_opts *opts;
	struct vg_results *res;
	pthread_mutex_t lock; /* res->skipped and res->findings while streaming */
	struct rule_run *runs;
	size_t nruns;
	/* streaming leaves of every applicable run, flattened for the workers */
	const struct vg_check **stream_leaves;
	struct vg_leaf_state **stream_states;
	const struct vg_rule **stream_rules;
	size_t nstream;
	struct stream_group *groups;
	size_t ngroups;
	size_t *singles;                 /* stream indices scanned one leaf at a time */
	size_t nsingles;
	bool all_wanted;                 /* some leaf reads every file: no path filter */
	/* files of a tree target, collected by the walk */
	struct vg_vec files;             /* struct entry * */
	atomic_size_t next;
	atomic_uint_least64_t files_scanned, bytes_scanned;
	const struct vg_target *target;
	struct vg_facts *facts;          /* the current target's collected facts */
	int fatal;                       /* first VG_ENOMEM from a worker */
	/* the tree's .vigilignore: path globs (pruned from the walk) and fingerprints */
	struct vg_vec ignore_globs;
	struct vg_vec ignore_fps;
	struct vg_blob ignore_blob;
	struct vg_git_ignore *gitignore; /* .gitignore rules of the tree's work tree */
	/* git targets: findings keep the commit that introduced them */
	struct vg_git_stats git_stats;
};

struct entry {
	struct vg_stat st;
	char path[]; /* relative to the target root */
};

uint64_t vg_engine_max_file_size(const struct vg_scan_opts *o);

/* emit.c: findings and skips */
int vg_engine_add_rule(struct vg_results *res, const struct vg_rule_meta *m);
/* Turns a hit (or, with hit NULL, a bare status) into a finding; takes hit. */
int vg_engine_emit(struct scan *s, const struct vg_rule *rule, const struct vg_target *t,
		   enum vg_status status, struct vg_finding *hit, const char *reason);
int vg_engine_emit_unreadable(struct scan *s, const struct vg_target *t, const char *path,
			      const char *msg);
int vg_engine_add_skip(struct scan *s, const char *path, const char *reason);

/* evaluate.c: check trees and applicability */
size_t vg_engine_count_leaves(const struct vg_check *c);
void vg_engine_list_leaves(const struct vg_check *c, const struct vg_check **out, size_t *n);
int vg_engine_eval(struct rule_run *run, const struct vg_check *c, size_t *leaf,
		   const struct vg_eval_ctx *ev, struct vg_outcome *out);
/* NULL when the rule applies to t, else why not (new string). */
char *vg_engine_applies(const struct vg_rule *r, const struct vg_target *t);

/* stream.c: files to streaming checks */
int vg_engine_stream_prepare(struct scan *s, struct vg_error *err);
void vg_engine_stream_finish(struct scan *s);
int vg_engine_offer(struct scan *s, const struct vg_file *f);
int vg_engine_stream_tree(struct scan *s, const struct vg_target *t, struct vg_error *err);
int vg_engine_stream_git(struct scan *s, const struct vg_target *t, struct vg_error *err);
bool vg_engine_out_of_scope(const struct scan *s, const struct vg_target *t, const char *path);
void vg_engine_ignore_finish(struct scan *s);

#endif
