/* SPDX-License-Identifier: Apache-2.0 */
/* Lays out each rule example (a string or a small file tree) and checks the rule's verdict on it. */
#include "engine/ruletest.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/scan.h"
#include "limits.h"

/* Opens one directory entry below dfd without following any symlink. */
static int open_beneath(int dfd, const char *name)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, dfd, name, &how, sizeof(how));
}

/* Opens the directory part of rel below rootfd, creating missing directories
 * one level at a time, each through a descriptor that did not pass a symlink:
 * a hostile example cannot create or change anything outside the temporary
 * root (mkdirat with a longer path would follow a symlink it contains). *leaf
 * points into rel. */
static int open_parent(int rootfd, char *rel, const char **leaf, struct vg_error *err)
{
	char *slash = strrchr(rel, '/');
	char *comp = rel;
	int fd, next;

	fd = open_beneath(rootfd, ".");
	if (fd < 0) {
		vg_error_set(err, VG_EIO, "cannot open the example root: %s", strerror(errno));
		return -1;
	}
	*leaf = slash ? slash + 1 : rel;
	if (!slash)
		return fd;
	*slash = '\0';
	while (comp) {
		char *end = strchr(comp, '/');

		if (end)
			*end = '\0';
		if (mkdirat(fd, comp, 0755) < 0 && errno != EEXIST) {
			vg_error_set(err, VG_EIO, "cannot create %s: %s", rel, strerror(errno));
			next = -1;
		} else {
			next = open_beneath(fd, comp);
			if (next < 0)
				vg_error_set(err, VG_EPERM,
					     "example path %s goes through a symlink or outside", rel);
		}
		if (end)
			*end = '/';
		close(fd);
		fd = next;
		if (fd < 0)
			break;
		comp = end ? end + 1 : NULL;
	}
	*slash = '/';
	return fd;
}

static bool safe_rel(const char *p)
{
	const char *c = p;

	if (!*p)
		return false;
	while (*c) {
		size_t n = strcspn(c, "/");

		if ((n == 2 && !strncmp(c, "..", 2)) || n == 0)
			return false;
		c += n;
		if (*c == '/')
			c++;
	}
	return true;
}

static int lay_file(int rootfd, const struct vg_example_file *f, bool *skipped,
		    struct vg_error *err)
{
	const char *leaf = NULL;
	char *rel = NULL;
	int dfd = -1, fd = -1, rc = 0;
	const char *p = f->path;

	while (*p == '/')
		p++;
	if (!safe_rel(p)) {
		if (*p == '\0' && f->type == 'd')
			goto chmod_root;
		return vg_error_set(err, VG_EPARSE, "example file name '%s' is not a plain path",
				    f->path);
	}
	rel = strdup(p);
	if (!rel)
		return VG_ENOMEM;
	dfd = open_parent(rootfd, rel, &leaf, err);
	if (dfd < 0) {
		rc = err->code ? err->code : VG_EIO;
		goto out;
	}
	switch (f->type) {
	case 'd': {
		struct stat st;

		if (mkdirat(dfd, leaf, 0755) < 0 && errno != EEXIST)
			goto syserr;
		/* an entry named twice ("a" and "/a") must not chmod through a symlink */
		if (fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
			goto syserr;
		if (!S_ISDIR(st.st_mode)) {
			rc = vg_error_set(err, VG_EPARSE,
					  "example directory %s is already laid out as a %s",
					  f->path, vg_fs_type_name(st.st_mode));
			goto out;
		}
		break;
	}
	case 'l':
		if (symlinkat(f->target, dfd, leaf) < 0)
			goto syserr;
		break;
	case 'p':
		if (mkfifoat(dfd, leaf, 0644) < 0)
			goto syserr;
		break;
	default:
		fd = openat(dfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			goto syserr;
		for (size_t off = 0; off < f->len;) {
			ssize_t n = write(fd, f->content + off, f->len - off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				goto syserr;
			off += (size_t)n;
		}
	}
	if ((f->uid >= 0 || f->gid >= 0)) {
		if (geteuid() != 0) {
			*skipped = true;
		} else if (fchownat(dfd, leaf, (uid_t)f->uid, (gid_t)f->gid,
				    AT_SYMLINK_NOFOLLOW) < 0) {
			goto syserr;
		}
	}
	/* never through a symlink: the file by its descriptor, the rest NOFOLLOW */
	if (f->mode >= 0 && fd >= 0 && fchmod(fd, (mode_t)f->mode) < 0)
		goto syserr;
	if (f->mode >= 0 && fd < 0 && f->type != 'l' &&
	    fchmodat(dfd, leaf, (mode_t)f->mode, AT_SYMLINK_NOFOLLOW) < 0)
		goto syserr;
	goto out;
chmod_root:
	/* rootfd is an O_PATH descriptor, which fchmod refuses; "." names it */
	if (f->mode >= 0 && fchmodat(rootfd, ".", (mode_t)f->mode, 0) < 0)
		return vg_error_set(err, VG_EIO, "chmod example root: %s", strerror(errno));
	return 0;
syserr:
	rc = vg_error_set(err, VG_EIO, "cannot lay out example file %s: %s", f->path,
			  strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	free(rel);
	return rc;
}

static int open_dirs(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_D || type == FTW_DNR)
		chmod(path, 0700);
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_tree(const char *dir)
{
	chmod(dir, 0700);
	nftw(dir, open_dirs, 32, FTW_PHYS);
	nftw(dir, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
}

/* The rule's verdict: "fail" if any failure, else the first error-like status, else "pass". */
static enum vg_status verdict(const struct vg_results *res, const char **why)
{
	enum vg_status v = VG_STATUS_PASS;

	*why = NULL;
	for (size_t i = 0; i < res->findings.len; i++) {
		const struct vg_finding *f = res->findings.items[i];

		/* a failure suppressed on its own line is what the marker is for */
		if (f->status == VG_STATUS_FAIL && f->suppression == VG_SUPPRESS_NONE) {
			*why = f->message;
			return VG_STATUS_FAIL;
		}
		if ((f->status == VG_STATUS_ERROR || f->status == VG_STATUS_NOT_EVALUATED) &&
		    v == VG_STATUS_PASS) {
			v = f->status;
			*why = f->message;
		}
	}
	return v;
}

static int run_tree(const struct vg_rule *rule, const struct vg_example *ex,
		    struct vg_results *res, const struct vg_scan_opts *o, bool *skipped,
		    struct vg_error *err)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = vg_asprintf("%s/vigil-example-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	struct vg_target t = {0};
	int rootfd = -1, rc = 0;

	if (!dir)
		return VG_ENOMEM;
	if (!mkdtemp(dir)) {
		rc = vg_error_set(err, VG_EIO, "mkdtemp: %s", strerror(errno));
		free(dir);
		return rc;
	}
	rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		rc = vg_error_set(err, VG_EIO, "%s: %s", dir, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < ex->nfiles && rc == 0; i++)
		rc = lay_file(rootfd, &ex->files[i], skipped, err);
	if (rc < 0 || *skipped)
		goto out;
	if (rule->targets & (VG_TARGET_ROOT | VG_TARGET_HOST)) {
		t.kind = VG_TARGET_ROOT;
		rc = vg_fs_open(&t.fs, dir, VG_FS_IN_ROOT, err);
	} else {
		t.kind = VG_TARGET_TREE;
		rc = vg_fs_open(&t.fs, dir, VG_FS_BENEATH, err);
	}
	if (rc < 0)
		goto out;
	t.label = (char *)"<example>";
	t.start = (char *)"";
	rc = vg_scan_rule_on_target(res, rule, &t, o, err);
out:
	vg_fs_free(t.fs);
	if (rootfd >= 0)
		close(rootfd);
	remove_tree(dir);
	free(dir);
	return rc;
}

int vg_ruletest_run(const struct vg_rule *rule, vg_ruletest_fn fn, void *ud,
		    struct vg_ruletest_counts *counts, struct vg_error *err)
{
	struct vg_scan_opts o = {.jobs = 1, .show_secrets = false};
	int rc = 0;

	for (size_t i = 0; i < rule->nexamples; i++) {
		const struct vg_example *ex = &rule->examples[i];
		struct vg_ruletest_result r = {.rule = rule, .example = ex, .index = i + 1};
		struct vg_results *res = vg_results_new();
		enum vg_status v;
		const char *why;

		if (!res)
			return vg_error_set(err, VG_ENOMEM, "out of memory");
		if (ex->content)
			rc = vg_scan_rule_on_buffer(res, rule, ex->path, ex->content, ex->len, &o, err);
		else
			rc = run_tree(rule, ex, res, &o, &r.skipped, err);
		if (rc < 0) {
			/* a policy example that cannot be laid out is a failed example */
			if (rc == VG_ENOMEM) {
				vg_results_free(res);
				return rc;
			}
			r.detail = vg_asprintf("could not run: %s", err->msg);
			vg_error_clear(err);
			rc = 0;
		} else if (!r.skipped) {
			v = verdict(res, &why);
			if (ex->expect_fail && v == VG_STATUS_FAIL)
				r.ok = true;
			else if (!ex->expect_fail && v == VG_STATUS_PASS)
				r.ok = true;
			else
				r.detail = vg_asprintf("expected %s, got %s%s%s",
						       ex->expect_fail ? "fail" : "pass",
						       vg_status_name(v), why ? ": " : "",
						       why ? why : "");
		}
		if (r.skipped)
			counts->skipped++;
		else if (r.ok)
			counts->passed++;
		else
			counts->failed++;
		fn(ud, &r);
		free(r.detail);
		vg_results_free(res);
	}
	return rc;
}
