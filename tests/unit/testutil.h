/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers the unit tests share: temporary trees, files, policies from text, rules, nobody. */
#ifndef VG_TESTUTIL_H
#define VG_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "engine/scan.h"
#include "policy/policy.h"
#include "targets/fs.h"

/* ---- directories ----
 * The helpers that lay files out assert every step they take (cmocka), so
 * they belong in test bodies, not in setup functions or a forked child. */

/* A fresh private directory under $TMPDIR (or /tmp), "vigil-test-" and the
 * test program's name, written into dir (size bytes). Returns 0 or -1; it
 * does not assert, for setup functions. */
int tu_mkdtemp(char *dir, size_t size);

/* Removes dir and everything below it, making directories enterable first;
 * symbolic links are removed, never followed. Accepts NULL. */
void tu_rmtree(const char *dir);

/* top/rel (rel may start with '/'), creating the directories leading to it
 * (0755). The path lives in a static buffer, valid until the next call of a
 * tu_ function that lays files out. */
const char *tu_path(const char *top, const char *rel);

/* Writes len bytes as top/rel with mode (a file already there is replaced). */
void tu_putn(const char *top, const char *rel, const void *data, size_t len, mode_t mode);
/* The same for a string, mode 0644. */
void tu_put(const char *top, const char *rel, const char *s);
/* The same for a string with mode. */
void tu_putm(const char *top, const char *rel, const char *s, mode_t mode);
/* A file of size bytes without writing them (a hole). */
void tu_sparse(const char *top, const char *rel, off_t size);
/* Creates the directory top/rel, which must not exist yet, with mode. */
void tu_mkdir(const char *top, const char *rel, mode_t mode);
/* Makes top/rel a directory with mode, whether it existed or not. */
void tu_dir(const char *top, const char *rel, mode_t mode);
/* Makes top/rel a symbolic link to target (a file already there is replaced). */
void tu_symlink(const char *top, const char *rel, const char *target);

/* The whole file at path, NUL-terminated (caller frees); *len gets its size
 * when len is not NULL. */
char *tu_slurp(const char *path, size_t *len);

/* Opens dir with mode. */
struct vg_fs *tu_fs_open(const char *dir, enum vg_fs_mode mode);

/* Fails the test unless msg holds needle, showing both. */
void tu_assert_msg(const char *msg, const char *needle);

/* ---- a tree fixture: a mkdtemp directory holding "root", the tree a test
 * lays out, readable by other users (tests look at it as nobody) ---- */

struct tu_tree {
	char dir[256];   /* the mkdtemp directory */
	char root[300];  /* dir/root */
	struct vg_fs *fs;/* root as an offline root, opened by tu_tree_fs */
};

int tu_tree_setup(void **state);
int tu_tree_teardown(void **state);
/* A cmocka test (CMUnitTest) run in a tree fixture of its own. */
#define TU_TREE_TEST(f) cmocka_unit_test_setup_teardown(f, tu_tree_setup, tu_tree_teardown)
/* t->root opened VG_FS_IN_ROOT, once per test (borrowed). */
struct vg_fs *tu_tree_fs(struct tu_tree *t);

/* ---- policies and rules ---- */

/* Loads the policy in text, named name; fails the test, showing the
 * diagnostics, when it does not load. */
struct vg_policy *tu_policy_load(const char *name, const char *text);

/* Loads pack "t" ("test.yaml") made of rules, the text of a YAML list of
 * rules (items indented under "rules:"). */
struct vg_policy *tu_rules_load(const char *rules);

/* The rule id of pol; fails the test when there is none (borrowed). */
const struct vg_rule *tu_rule(const struct vg_policy *pol, const char *id);

/* Runs rule on fs as a target of kind (one VG_TARGET_* bit) labelled label,
 * live when asked; asserts the scan succeeds. Results are the caller's. */
struct vg_results *tu_scan_rule(const struct vg_rule *rule, struct vg_fs *fs, unsigned kind,
				const char *label, bool live);

/* Runs rule id of pol on fs as an offline root or, live, the host (label "test"). */
struct vg_results *tu_scan_root(struct vg_fs *fs, bool live, const struct vg_policy *pol,
				const char *id);

/* Runs rule on an in-memory file (show: do not redact secrets). */
struct vg_results *tu_scan_buffer(const struct vg_rule *rule, const char *path, const char *data,
				  bool show);

/* The rule's verdict: fail when any finding fails, else the status of the
 * one finding there must be. */
enum vg_status tu_verdict(const struct vg_results *res);

/* Finding i of res, which must hold exactly n. */
const struct vg_finding *tu_only(const struct vg_results *res, size_t i, size_t n);

/* ---- a scan fixture: a mkdtemp directory to scan, and what a test loaded and found ---- */

struct tu_fx {
	char dir[256];
	struct vg_policy *pol;
	struct vg_results *res;
	struct vg_diags diags;
};

int tu_fx_setup(void **state);
int tu_fx_teardown(void **state);
/* A cmocka test (CMUnitTest) run in a scan fixture of its own. */
#define TU_FX_TEST(f) cmocka_unit_test_setup_teardown(f, tu_fx_setup, tu_fx_teardown)
/* Replaces fx->pol with the pack tu_rules_load makes of rules (borrowed). */
struct vg_policy *tu_fx_load(struct tu_fx *fx, const char *rules);
/* Replaces fx->res with what rule finds on fx->dir as a target of kind: a
 * tree (opened VG_FS_BENEATH) or a root (VG_FS_IN_ROOT). */
void tu_fx_run(struct tu_fx *fx, const struct vg_rule *rule, unsigned kind, const char *label);
/* Replaces fx->res with what rule finds in an in-memory file. */
void tu_fx_run_buffer(struct tu_fx *fx, const struct vg_rule *rule, const char *path,
		      const char *data, bool show);

/* ---- one check, given as YAML flow text, on a tree fixture (host checks) ---- */

struct tu_run {
	struct vg_policy *pol;
	struct vg_results *res;
	enum vg_status verdict;   /* fail > error > not-evaluated > not-applicable > pass */
	size_t fails;             /* findings with status fail */
	const struct vg_finding *first; /* the first finding with the verdict's status */
	int rc;                   /* < 0 when the policy did not load or the scan failed */
};

/* Runs check on t->root as an offline root (or, live, as the host). Does not
 * assert, so a forked child may use it. */
void tu_run_rule(struct tu_run *r, const struct tu_tree *t, const char *check, bool live);
void tu_run_free(struct tu_run *r);

/* Whether some finding's message or evidence contains s. */
bool tu_found(const struct tu_run *r, const char *s);

/* Fails the test unless the pack tu_run_rule makes of check fails to load
 * with a diagnostic containing want (NULL: any reason). */
void tu_expect_check_rejected(const char *check, const char *want);

/* tu_expect_check_rejected for each of the n checks. */
void tu_expect_rejected(const char *const *checks, size_t n);

/* ---- looking as nobody ---- */

/* Runs fn(arg) as the unprivileged user nobody: in a forked child that drops
 * root when the test runs as root (cmocka's asserts do not cross the fork, so
 * fn reports through its value), directly otherwise. fn returns 0 to 99;
 * returns what fn returned, or -1 when it returned anything else or the child
 * could not be arranged. */
int tu_as_nobody(int (*fn)(void *arg), void *arg);

/* As nobody, runs load (which frees what it loads) on t->root opened as an
 * offline root: 0 when it fails with VG_EPERM and a message containing want,
 * else 1 (what it said is printed) or -1. */
int tu_refused_as_nobody(const struct tu_tree *t,
			 int (*load)(struct vg_fs *fs, struct vg_error *err), const char *want);

/* The verdict tu_run_rule gives for check on t as nobody, or -1. */
int tu_verdict_unprivileged(const struct tu_tree *t, const char *check);

#endif
