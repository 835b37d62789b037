/* SPDX-License-Identifier: Apache-2.0 */
/* Test helpers shared by the host-fact tests: temporary root trees and running one rule on them. */
#ifndef VG_HOSTTEST_H
#define VG_HOSTTEST_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/scan.h"
#include "error.h"
#include "policy/policy.h"
#include "targets/fs.h"
#include "util.h"

/* A mkdtemp directory holding "root", the tree a test lays out. */
struct ht_tree {
	char dir[256];
	char root[300];
};

static inline int ht_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

static inline int ht_open_entry(const char *path, const struct stat *st, int flag,
				struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_D || flag == FTW_DNR)
		chmod(path, 0755);
	return 0;
}

static inline int ht_setup(void **state)
{
	struct ht_tree *t = calloc(1, sizeof(*t));
	const char *base = getenv("TMPDIR");

	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "%s/vg_host_XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	/* traversable by other users: the not-evaluated tests look as nobody */
	chmod(t->dir, 0755);
	snprintf(t->root, sizeof(t->root), "%s/root", t->dir);
	if (mkdir(t->root, 0755) < 0) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static inline int ht_teardown(void **state)
{
	struct ht_tree *t = *state;

	nftw(t->dir, ht_open_entry, 16, FTW_PHYS);
	nftw(t->dir, ht_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

/* Creates the directories leading to rel (relative to the root, leading '/'
 * allowed). Returns the full path (static buffer, valid until the next call). */
static inline const char *ht_path(const struct ht_tree *t, const char *rel)
{
	static char buf[4200];
	char *p;

	while (*rel == '/')
		rel++;
	snprintf(buf, sizeof(buf), "%s/%s", t->root, rel);
	for (p = buf + strlen(t->root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(buf, 0755);
		*p = '/';
	}
	return buf;
}

static inline void ht_putn(const struct ht_tree *t, const char *rel, const char *data, size_t len,
			   mode_t mode)
{
	const char *path = ht_path(t, rel);
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, data + off, len - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	chmod(path, mode);
}

static inline void ht_put(const struct ht_tree *t, const char *rel, const char *text)
{
	ht_putn(t, rel, text, strlen(text), 0644);
}

static inline void ht_mkdir(const struct ht_tree *t, const char *rel, mode_t mode)
{
	const char *path = ht_path(t, rel);

	mkdir(path, mode);
	chmod(path, mode);
}

static inline void ht_symlink(const struct ht_tree *t, const char *rel, const char *target)
{
	const char *path = ht_path(t, rel);

	unlink(path);
	if (symlink(target, path) < 0)
		fprintf(stderr, "symlink %s: %s\n", path, strerror(errno));
}

/* A file of size bytes without writing them (a hole). */
static inline void ht_sparse(const struct ht_tree *t, const char *rel, off_t size)
{
	const char *path = ht_path(t, rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0) {
		if (ftruncate(fd, size) < 0)
			fprintf(stderr, "ftruncate %s: %s\n", path, strerror(errno));
		close(fd);
	}
}

static inline struct vg_fs *ht_open(const struct ht_tree *t)
{
	struct vg_fs *fs = NULL;
	struct vg_error err = {0};

	if (vg_fs_open(&fs, t->root, VG_FS_IN_ROOT, &err) < 0)
		fprintf(stderr, "vg_fs_open: %s\n", err.msg);
	return fs;
}

/* One rule (check given as YAML flow text) run on the tree as an offline root. */
struct ht_run {
	struct vg_policy *pol;
	struct vg_results *res;
	enum vg_status verdict;   /* fail > error > not-evaluated > not-applicable > pass */
	size_t fails;             /* findings with status fail */
	const struct vg_finding *first; /* the first finding with the verdict's status */
	int rc;                   /* < 0 when the policy did not load or the scan failed */
};

static inline int ht_rank(enum vg_status s)
{
	switch (s) {
	case VG_STATUS_FAIL:
		return 5;
	case VG_STATUS_ERROR:
		return 4;
	case VG_STATUS_NOT_EVALUATED:
		return 3;
	case VG_STATUS_NOT_APPLICABLE:
		return 2;
	default:
		return 1;
	}
}

static inline void ht_run_rule(struct ht_run *r, const struct ht_tree *t, const char *check,
			       bool live)
{
	struct vg_diags diags;
	struct vg_error err = {0};
	struct vg_scan_opts opts = {.jobs = 1};
	struct vg_target target = {0};
	const struct vg_rule *rule;
	char *text;

	memset(r, 0, sizeof(*r));
	r->verdict = VG_STATUS_PASS;
	vg_diags_init(&diags);
	text = vg_asprintf("pack: t\ntitle: t\nversion: \"1\"\ntargets: [root, host]\nrules:\n"
			   "  - id: t.r\n    title: r\n    severity: high\n    check: %s\n", check);
	r->rc = text ? vg_policy_load_string(&r->pol, "t.yaml", text, strlen(text), &diags, &err)
		     : VG_ENOMEM;
	free(text);
	for (size_t i = 0; i < diags.count; i++)
		fprintf(stderr, "%s\n", diags.msgs[i]);
	vg_diags_finish(&diags);
	if (r->rc < 0)
		return;
	rule = vg_policy_find_rule(r->pol, "t.r");
	target.kind = live ? VG_TARGET_HOST : VG_TARGET_ROOT;
	target.label = (char *)"t";
	target.start = (char *)"";
	target.live = live;
	target.fs = ht_open(t);
	r->res = vg_results_new();
	r->rc = vg_scan_rule_on_target(r->res, rule, &target, &opts, &err);
	vg_fs_free(target.fs);
	if (r->rc < 0) {
		fprintf(stderr, "scan: %s\n", err.msg);
		return;
	}
	for (size_t i = 0; i < r->res->findings.len; i++) {
		const struct vg_finding *f = r->res->findings.items[i];

		if (f->status == VG_STATUS_FAIL)
			r->fails++;
		if (ht_rank(f->status) > ht_rank(r->verdict) ||
		    (!r->first && f->status == r->verdict)) {
			r->verdict = f->status;
			r->first = f;
		}
	}
}

static inline void ht_run_free(struct ht_run *r)
{
	vg_results_free(r->res);
	vg_policy_free(r->pol);
	memset(r, 0, sizeof(*r));
}

/* Whether some finding's message or evidence contains s. */
static inline bool ht_found(const struct ht_run *r, const char *s)
{
	for (size_t i = 0; r->res && i < r->res->findings.len; i++) {
		const struct vg_finding *f = r->res->findings.items[i];

		if ((f->message && strstr(f->message, s)) ||
		    (f->evidence && strstr(f->evidence, s)))
			return true;
	}
	return false;
}

/* Runs the rule in a child process as the unprivileged user nobody (when the
 * test runs as root) and returns the verdict it saw, or -1. Without root the
 * test itself is already unprivileged and runs it directly. */
static inline int ht_verdict_unprivileged(const struct ht_tree *t, const char *check)
{
	struct ht_run r;
	pid_t pid;
	int status = 0;

	if (geteuid() != 0) {
		int v;

		ht_run_rule(&r, t, check, false);
		v = r.rc < 0 ? -1 : (int)r.verdict;
		ht_run_free(&r);
		return v;
	}
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(100);
		ht_run_rule(&r, t, check, false);
		_exit(r.rc < 0 ? 101 : (int)r.verdict);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) >= 100)
		return -1;
	return WEXITSTATUS(status);
}

#endif
