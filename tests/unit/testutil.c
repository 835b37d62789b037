/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers the unit tests share: temporary trees, files, policies from text, rules, nobody. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "testutil.h"
#include "util.h"

/* ---- directories ---- */

int tu_mkdtemp(char *dir, size_t size)
{
	const char *base = getenv("TMPDIR");
	const char *name = program_invocation_short_name;

	if (!strncmp(name, "test_", 5))
		name += 5;
	snprintf(dir, size, "%s/vigil-test-%s-XXXXXX", base && *base ? base : "/tmp", name);
	return mkdtemp(dir) ? 0 : -1;
}

static int open_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_D || flag == FTW_DNR)
		chmod(path, 0700);
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

void tu_rmtree(const char *dir)
{
	if (!dir || !*dir)
		return;
	/* tests leave directories a user cannot list or enter */
	nftw(dir, open_entry, 16, FTW_PHYS);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *tu_path(const char *top, const char *rel)
{
	static char buf[4200];
	size_t n = strlen(top);

	while (*rel == '/')
		rel++;
	assert_true((size_t)snprintf(buf, sizeof(buf), "%s/%s", top, rel) < sizeof(buf));
	for (char *p = buf + n + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(buf, 0755);
		*p = '/';
	}
	return buf;
}

void tu_putn(const char *top, const char *rel, const void *data, size_t len, mode_t mode)
{
	const char *path = tu_path(top, rel);
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		fail_msg("create %s: %s", path, strerror(errno));
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, (const char *)data + off, len - off);

		assert_true(n > 0);
		off += (size_t)n;
	}
	assert_int_equal(close(fd), 0);
	assert_int_equal(chmod(path, mode), 0);
}

void tu_put(const char *top, const char *rel, const char *s)
{
	tu_putn(top, rel, s, strlen(s), 0644);
}

void tu_putm(const char *top, const char *rel, const char *s, mode_t mode)
{
	tu_putn(top, rel, s, strlen(s), mode);
}

void tu_sparse(const char *top, const char *rel, off_t size)
{
	const char *path = tu_path(top, rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		fail_msg("create %s: %s", path, strerror(errno));
	assert_int_equal(ftruncate(fd, size), 0);
	assert_int_equal(close(fd), 0);
}

void tu_mkdir(const char *top, const char *rel, mode_t mode)
{
	const char *path = tu_path(top, rel);

	if (mkdir(path, mode) != 0)
		fail_msg("mkdir %s: %s", path, strerror(errno));
	assert_int_equal(chmod(path, mode), 0);
}

void tu_dir(const char *top, const char *rel, mode_t mode)
{
	const char *path = tu_path(top, rel);

	if (mkdir(path, mode) != 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", path, strerror(errno));
	assert_int_equal(chmod(path, mode), 0);
}

void tu_symlink(const char *top, const char *rel, const char *target)
{
	const char *path = tu_path(top, rel);

	unlink(path);
	if (symlink(target, path) != 0)
		fail_msg("symlink %s: %s", path, strerror(errno));
}

char *tu_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	assert_non_null(f);
	do {
		if (n + 4096 + 1 > cap) {
			cap = (n + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		got = fread(buf + n, 1, 4096, f);
		n += got;
	} while (got > 0);
	assert_int_equal(ferror(f), 0);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

struct vg_fs *tu_fs_open(const char *dir, enum vg_fs_mode mode)
{
	struct vg_error err = {0};
	struct vg_fs *fs = NULL;

	if (vg_fs_open(&fs, dir, mode, &err) != 0)
		fail_msg("vg_fs_open %s: %s", dir, err.msg);
	assert_non_null(fs);
	return fs;
}

void tu_assert_msg(const char *msg, const char *needle)
{
	if (!msg || !strstr(msg, needle))
		fail_msg("'%s' does not contain '%s'", msg ? msg : "(null)", needle);
}

/* ---- the tree fixture ---- */

int tu_tree_setup(void **state)
{
	struct tu_tree *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	if (tu_mkdtemp(t->dir, sizeof(t->dir)) < 0) {
		free(t);
		return -1;
	}
	/* traversable by other users: some tests look as nobody */
	snprintf(t->root, sizeof(t->root), "%s/root", t->dir);
	if (chmod(t->dir, 0755) < 0 || mkdir(t->root, 0755) < 0) {
		tu_rmtree(t->dir);
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

int tu_tree_teardown(void **state)
{
	struct tu_tree *t = *state;

	vg_fs_free(t->fs);
	tu_rmtree(t->dir);
	free(t);
	return 0;
}

struct vg_fs *tu_tree_fs(struct tu_tree *t)
{
	if (!t->fs)
		t->fs = tu_fs_open(t->root, VG_FS_IN_ROOT);
	return t->fs;
}

/* ---- policies and rules ---- */

struct vg_policy *tu_policy_load(const char *name, const char *text)
{
	struct vg_policy *pol = NULL;
	struct vg_diags d;
	struct vg_error err = {0};
	int rc;

	vg_diags_init(&d);
	rc = vg_policy_load_string(&pol, name, text, strlen(text), &d, &err);
	for (size_t i = 0; rc != 0 && i < d.count; i++)
		print_message("diag: %s\n", d.msgs[i]);
	vg_diags_finish(&d);
	if (rc != 0)
		fail_msg("policy %s: %d %s", name, rc, err.msg);
	assert_non_null(pol);
	return pol;
}

struct vg_policy *tu_rules_load(const char *rules)
{
	char *text = vg_asprintf("pack: t\ntitle: T\nversion: \"1\"\nrules:\n%s", rules);
	struct vg_policy *pol;

	assert_non_null(text);
	pol = tu_policy_load("test.yaml", text);
	free(text);
	return pol;
}

const struct vg_rule *tu_rule(const struct vg_policy *pol, const char *id)
{
	const struct vg_rule *r = vg_policy_find_rule(pol, id);

	if (!r)
		fail_msg("no rule %s", id);
	return r;
}

struct vg_results *tu_scan_rule(const struct vg_rule *rule, struct vg_fs *fs, unsigned kind,
				const char *label, bool live)
{
	struct vg_results *res = vg_results_new();
	struct vg_scan_opts o = {.jobs = 1};
	struct vg_target tg = {.kind = kind, .label = (char *)label, .fs = fs,
			       .start = (char *)"", .live = live};
	struct vg_error err = {0};
	int rc;

	assert_non_null(res);
	assert_non_null(rule);
	rc = vg_scan_rule_on_target(res, rule, &tg, &o, &err);
	if (rc != 0)
		fail_msg("scan %s: %d %s", rule->meta.id, rc, err.msg);
	return res;
}

struct vg_results *tu_scan_root(struct vg_fs *fs, bool live, const struct vg_policy *pol,
				const char *id)
{
	return tu_scan_rule(tu_rule(pol, id), fs, live ? VG_TARGET_HOST : VG_TARGET_ROOT, "test",
			    live);
}

struct vg_results *tu_scan_buffer(const struct vg_rule *rule, const char *path, const char *data,
				  bool show)
{
	struct vg_results *res = vg_results_new();
	struct vg_scan_opts o = {.jobs = 1, .show_secrets = show};
	struct vg_error err = {0};

	assert_non_null(res);
	assert_int_equal(vg_scan_rule_on_buffer(res, rule, path, data, strlen(data), &o, &err), 0);
	return res;
}

enum vg_status tu_verdict(const struct vg_results *res)
{
	assert_true(res->findings.len >= 1);
	for (size_t i = 0; i < res->findings.len; i++)
		if (((struct vg_finding *)res->findings.items[i])->status == VG_STATUS_FAIL)
			return VG_STATUS_FAIL;
	assert_int_equal(res->findings.len, 1);
	return ((struct vg_finding *)res->findings.items[0])->status;
}

const struct vg_finding *tu_only(const struct vg_results *res, size_t i, size_t n)
{
	if (res->findings.len != n)
		fail_msg("%zu findings, expected %zu (first: %s)", res->findings.len, n,
			 res->findings.len ?
				 ((struct vg_finding *)res->findings.items[0])->message : "-");
	return res->findings.items[i];
}

/* ---- the scan fixture ---- */

int tu_fx_setup(void **state)
{
	struct tu_fx *fx = calloc(1, sizeof(*fx));

	if (!fx || tu_mkdtemp(fx->dir, sizeof(fx->dir)) < 0) {
		free(fx);
		return -1;
	}
	vg_diags_init(&fx->diags);
	*state = fx;
	return 0;
}

int tu_fx_teardown(void **state)
{
	struct tu_fx *fx = *state;

	vg_results_free(fx->res);
	vg_policy_free(fx->pol);
	vg_diags_finish(&fx->diags);
	tu_rmtree(fx->dir);
	free(fx);
	return 0;
}

struct vg_policy *tu_fx_load(struct tu_fx *fx, const char *rules)
{
	vg_policy_free(fx->pol);
	fx->pol = NULL;
	fx->pol = tu_rules_load(rules);
	return fx->pol;
}

void tu_fx_run(struct tu_fx *fx, const struct vg_rule *rule, unsigned kind, const char *label)
{
	struct vg_fs *fs = tu_fs_open(fx->dir, kind == VG_TARGET_TREE ? VG_FS_BENEATH
								      : VG_FS_IN_ROOT);

	vg_results_free(fx->res);
	fx->res = NULL;
	fx->res = tu_scan_rule(rule, fs, kind, label, false);
	vg_fs_free(fs);
}

void tu_fx_run_buffer(struct tu_fx *fx, const struct vg_rule *rule, const char *path,
		      const char *data, bool show)
{
	vg_results_free(fx->res);
	fx->res = NULL;
	fx->res = tu_scan_buffer(rule, path, data, show);
}

/* ---- one check on a tree fixture ---- */

static int rank(enum vg_status s)
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

/* One rule "t.r" with check, for offline roots and the host. */
static char *pack_of(const char *check)
{
	return vg_asprintf("pack: t\ntitle: t\nversion: \"1\"\ntargets: [root, host]\nrules:\n"
			   "  - id: t.r\n    title: r\n    severity: high\n    check: %s\n", check);
}

void tu_run_rule(struct tu_run *r, const struct tu_tree *t, const char *check, bool live)
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
	text = pack_of(check);
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
	if (vg_fs_open(&target.fs, t->root, VG_FS_IN_ROOT, &err) < 0)
		fprintf(stderr, "vg_fs_open: %s\n", err.msg);
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
		if (rank(f->status) > rank(r->verdict) || (!r->first && f->status == r->verdict)) {
			r->verdict = f->status;
			r->first = f;
		}
	}
}

void tu_run_free(struct tu_run *r)
{
	vg_results_free(r->res);
	vg_policy_free(r->pol);
	memset(r, 0, sizeof(*r));
}

bool tu_found(const struct tu_run *r, const char *s)
{
	for (size_t i = 0; r->res && i < r->res->findings.len; i++) {
		const struct vg_finding *f = r->res->findings.items[i];

		if ((f->message && strstr(f->message, s)) ||
		    (f->evidence && strstr(f->evidence, s)))
			return true;
	}
	return false;
}

void tu_expect_check_rejected(const char *check, const char *want)
{
	struct vg_policy *pol = NULL;
	struct vg_diags d;
	struct vg_error err = {0};
	char *text = pack_of(check);
	bool found = !want;
	int rc;

	assert_non_null(text);
	vg_diags_init(&d);
	rc = vg_policy_load_string(&pol, "t.yaml", text, strlen(text), &d, &err);
	free(text);
	if (rc == 0) {
		vg_policy_free(pol);
		vg_diags_finish(&d);
		fail_msg("accepted: %s", check);
	}
	assert_null(pol);
	for (size_t i = 0; !found && i < d.count; i++)
		found = strstr(d.msgs[i], want) != NULL;
	if (!found)
		fail_msg("%s: no diagnostic with '%s' (first: %s)", check, want,
			 d.count ? d.msgs[0] : err.msg);
	vg_diags_finish(&d);
}

void tu_expect_rejected(const char *const *checks, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tu_expect_check_rejected(checks[i], NULL);
}

/* ---- looking as nobody ---- */

int tu_as_nobody(int (*fn)(void *arg), void *arg)
{
	pid_t pid;
	int status = 0, v;

	if (geteuid() != 0) {
		v = fn(arg);
		return v >= 0 && v < 100 ? v : -1;
	}
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
		    setresuid(65534, 65534, 65534) < 0)
			_exit(100);
		v = fn(arg);
		_exit(v >= 0 && v < 100 ? v : 101);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) >= 100)
		return -1;
	return WEXITSTATUS(status);
}

struct refused_args {
	const struct tu_tree *t;
	int (*load)(struct vg_fs *fs, struct vg_error *err);
	const char *want;
};

static int refused(void *arg)
{
	const struct refused_args *a = arg;
	struct vg_error err = {0};
	struct vg_fs *fs = NULL;
	int rc;

	if (vg_fs_open(&fs, a->t->root, VG_FS_IN_ROOT, &err) < 0)
		return 2;
	rc = a->load(fs, &err);
	vg_fs_free(fs);
	if (rc == VG_EPERM && strstr(err.msg, a->want))
		return 0;
	fprintf(stderr, "as nobody: %d %s\n", rc, err.msg);
	return 1;
}

int tu_refused_as_nobody(const struct tu_tree *t,
			 int (*load)(struct vg_fs *fs, struct vg_error *err), const char *want)
{
	struct refused_args a = {t, load, want};

	return tu_as_nobody(refused, &a);
}

struct verdict_args {
	const struct tu_tree *t;
	const char *check;
};

static int verdict_of(void *arg)
{
	const struct verdict_args *a = arg;
	struct tu_run r;
	int v;

	tu_run_rule(&r, a->t, a->check, false);
	v = r.rc < 0 ? 100 : (int)r.verdict;
	tu_run_free(&r);
	return v;
}

int tu_verdict_unprivileged(const struct tu_tree *t, const char *check)
{
	struct verdict_args a = {t, check};

	return tu_as_nobody(verdict_of, &a);
}
