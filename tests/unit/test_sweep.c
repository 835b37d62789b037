/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for facts/sweep.c and the filesystem check: flagged entries, bounds, pruning, sharing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "facts/sweep.h"
#include "testutil.h"
#include "util.h"

static const struct vg_sweep_item *find_item(const struct vg_sweep_result *r, const char *path)
{
	for (size_t i = 0; i < r->items.len; i++) {
		const struct vg_sweep_item *it = r->items.items[i];

		if (!strcmp(it->path, path))
			return it;
	}
	return NULL;
}

static struct vg_sweep_result *sweep(const struct tu_tree *t, const char *const *roots,
				     size_t nroots, size_t max, const struct vg_accounts *a)
{
	struct vg_sweep_opts o = {.roots = roots, .nroots = nroots, .max_files = max,
				  .accounts = a};
	struct vg_sweep_result *r = NULL;
	struct vg_error err = {0};
	struct vg_fs *fs = tu_fs_open(t->root, VG_FS_IN_ROOT);

	assert_int_equal(vg_sweep_run(&r, fs, &o, &err), 0);
	vg_fs_free(fs);
	return r;
}

static void lay_tree(const struct tu_tree *t)
{
	tu_putn(t->root, "/etc/ok", "x", 1, 0644);
	tu_putn(t->root, "/etc/open", "x", 1, 0666);
	tu_dir(t->root, "/tmp", 01777);
	tu_putn(t->root, "/tmp/f", "x", 1, 0600);
	tu_dir(t->root, "/srv/drop", 0777);
	tu_dir(t->root, "/srv/drop/a/b", 0755);
	tu_putn(t->root, "/srv/drop/a/b/f", "x", 1, 0644);
	tu_dir(t->root, "/var/deep/one/two", 0755);
	tu_dir(t->root, "/var/deep/one", 0757);
	tu_putn(t->root, "/var/deep/one/two/three", "x", 1, 0644);
	tu_putn(t->root, "/usr/bin/passwd", "x", 1, 04755);
	tu_putn(t->root, "/usr/bin/chage", "x", 1, 02755);
	tu_putn(t->root, "/usr/bin/both", "x", 1, 06755);
	tu_putn(t->root, "/usr/bin/sticky-exec", "x", 1, 01755);
	/* links are never followed, and a link's own mode means nothing */
	tu_symlink(t->root, "/etc/link-to-open", "/etc/open");
	tu_dir(t->root, "/outside", 0755);
	tu_putn(t->root, "/outside/hidden", "x", 1, 0666);
	tu_symlink(t->root, "/srv/link-dir", "/outside");
	/* the kernel's views are pruned */
	tu_putn(t->root, "/proc/1/environ", "x", 1, 0666);
}

static void flags(void **state)
{
	struct tu_tree *t = *state;
	static const char *const roots[] = {"/etc", "/tmp", "/srv", "/var", "/usr", "/proc"};
	struct vg_sweep_result *r;
	const struct vg_sweep_item *it;

	lay_tree(t);
	r = sweep(t, roots, 5, 0, NULL);
	assert_false(r->truncated);
	assert_int_equal(r->denied + r->errors + r->limited, 0);
	it = find_item(r, "/etc/open");
	assert_non_null(it);
	assert_int_equal(it->kinds, VG_SWEEP_WORLD_WRITABLE);
	assert_null(find_item(r, "/etc/ok"));
	assert_null(find_item(r, "/tmp"));
	assert_null(find_item(r, "/etc/link-to-open"));
	assert_null(find_item(r, "/outside/hidden"));
	assert_null(find_item(r, "/srv/link-dir"));
	it = find_item(r, "/srv/drop");
	assert_non_null(it);
	assert_true(S_ISDIR(it->mode));
	/* a directory the walk only passed through is still judged */
	assert_non_null(find_item(r, "/var/deep/one"));
	assert_int_equal(find_item(r, "/usr/bin/passwd")->kinds, VG_SWEEP_SUID);
	assert_int_equal(find_item(r, "/usr/bin/chage")->kinds, VG_SWEEP_SGID);
	assert_int_equal(find_item(r, "/usr/bin/both")->kinds, VG_SWEEP_SUID | VG_SWEEP_SGID);
	assert_null(find_item(r, "/usr/bin/sticky-exec"));
	assert_false(r->owners_known);
	vg_sweep_result_free(r);
	/* the same tree from "/": /proc is pruned, nothing is seen twice */
	{
		static const char *const all[] = {"/", "/etc", "/usr/bin"};
		size_t entries;

		r = sweep(t, all, 1, 0, NULL);
		entries = r->entries;
		assert_null(find_item(r, "/proc/1/environ"));
		assert_non_null(find_item(r, "/etc/open"));
		vg_sweep_result_free(r);
		r = sweep(t, all, 3, 0, NULL);
		assert_int_equal(r->entries, entries);
		vg_sweep_result_free(r);
		/* named explicitly, /proc is walked like any directory */
		r = sweep(t, roots + 5, 1, 0, NULL);
		assert_non_null(find_item(r, "/proc/1/environ"));
		vg_sweep_result_free(r);
	}
}

static void bounded(void **state)
{
	struct tu_tree *t = *state;
	static const char *const roots[] = {"/data", "/missing", "/etc/file"};
	struct vg_sweep_result *r;
	char name[64];

	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "/data/f%02d", i);
		tu_putn(t->root, name, "x", 1, 0666);
	}
	tu_put(t->root, "/etc/file", "x");
	r = sweep(t, roots, 3, 5, NULL);
	assert_true(r->truncated);
	assert_int_equal(r->entries, 5);
	assert_true(r->items.len <= 5);
	vg_sweep_result_free(r);
	r = sweep(t, roots, 3, 0, NULL);
	assert_false(r->truncated);
	assert_int_equal(r->items.len, 20);
	assert_int_equal(r->entries, 22); /* /data, its files, and /etc/file named as a root */
	assert_int_equal(r->denied + r->errors, 0); /* a missing root is no problem */
	vg_sweep_result_free(r);
}

static void unowned(void **state)
{
	struct tu_tree *t = *state;
	static const char *const roots[] = {"/"};
	struct vg_accounts *a = vg_accounts_new();
	struct vg_error err = {0};
	struct vg_sweep_result *r;
	const struct vg_sweep_item *it;
	static const char passwd[] = "root:x:0:0::/root:/bin/sh\n";
	static const char group[] = "root:x:0:\n";

	if (geteuid() != 0) {
		vg_accounts_free(a);
		skip(); /* files cannot be given to other ids */
	}
	assert_int_equal(vg_accounts_parse(a, VG_ACCT_PASSWD, passwd, strlen(passwd), &err), 0);
	assert_int_equal(vg_accounts_parse(a, VG_ACCT_GROUP, group, strlen(group), &err), 0);
	assert_int_equal(vg_accounts_index(a), 0);
	tu_put(t->root, "/etc/passwd", passwd);
	tu_put(t->root, "/opt/nouser", "x");
	tu_put(t->root, "/opt/nogroup", "x");
	tu_dir(t->root, "/home/gone", 0700);
	tu_put(t->root, "/home/gone/.profile", "x");
	assert_int_equal(chown(tu_path(t->root, "/opt/nouser"), 4242, 0), 0);
	assert_int_equal(chown(tu_path(t->root, "/opt/nogroup"), 0, 4343), 0);
	assert_int_equal(chown(tu_path(t->root, "/home/gone"), 5000, 5000), 0);
	r = sweep(t, roots, 1, 0, a);
	assert_true(r->owners_known);
	it = find_item(r, "/opt/nouser");
	assert_non_null(it);
	assert_int_equal(it->kinds, VG_SWEEP_NOUSER);
	assert_int_equal(it->uid, 4242);
	assert_int_equal(find_item(r, "/opt/nogroup")->kinds, VG_SWEEP_NOGROUP);
	assert_int_equal(find_item(r, "/home/gone")->kinds, VG_SWEEP_NOUSER | VG_SWEEP_NOGROUP);
	assert_null(find_item(r, "/etc/passwd"));
	vg_sweep_result_free(r);
	vg_accounts_free(a);
}

static void special_mounts(void **state)
{
	static const char mounts[] =
		"/dev/sda1 / ext4 rw,relatime 0 0\n"
		"proc /proc proc rw,nosuid 0 0\n"
		"sysfs /sys sysfs rw 0 0\n"
		"tmpfs /run tmpfs rw 0 0\n"
		"server:/export /mnt/my\\040share nfs4 rw 0 0\n"
		"cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n"
		"broken-line\n"
		"overlay / overlay rw 0 0\n";
	char **m = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(vg_sweep_special_mounts(&m, &n, mounts, strlen(mounts)), 0);
	assert_int_equal(n, 4);
	assert_string_equal(m[0], "/proc");
	assert_string_equal(m[1], "/sys");
	assert_string_equal(m[2], "/mnt/my share");
	assert_string_equal(m[3], "/sys/fs/cgroup");
	assert_null(m[4]);
	vg_strv_free(m);
	assert_int_equal(vg_sweep_special_mounts(&m, &n, "", 0), 0);
	assert_int_equal(n, 0);
	vg_strv_free(m);
}

/* Every rule over the same roots shares one walk. */
static void shared_cache(void **state)
{
	struct tu_tree *t = *state;
	static const char *const roots[] = {"/etc"};
	struct vg_sweep_opts o = {.roots = roots, .nroots = 1};
	struct vg_target target = {.kind = VG_TARGET_ROOT};
	const struct vg_sweep_result *a = NULL, *b = NULL, *c = NULL;
	struct vg_error err = {0};
	void *cache = NULL;

	tu_putn(t->root, "/etc/open", "x", 1, 0666);
	target.fs = tu_fs_open(t->root, VG_FS_IN_ROOT);
	assert_int_equal(vg_collector_sweep.collect(&cache, &target, &err), 0);
	assert_int_equal(vg_sweep_get(cache, &target, &o, &a, &err), 0);
	tu_putn(t->root, "/etc/open2", "x", 1, 0666);
	assert_int_equal(vg_sweep_get(cache, &target, &o, &b, &err), 0);
	assert_ptr_equal(a, b);
	assert_int_equal(b->items.len, 1); /* collected once */
	o.max_files = 10;
	assert_int_equal(vg_sweep_get(cache, &target, &o, &c, &err), 0);
	assert_ptr_not_equal(a, c);
	assert_int_equal(c->items.len, 2);
	vg_collector_sweep.free_facts(cache);
	vg_fs_free(target.fs);
}

static void check_rules(void **state)
{
	struct tu_tree *t = *state;
	struct tu_run r;

	lay_tree(t);
	tu_run_rule(&r, t, "{filesystem: {sweep: world-writable, roots: [/etc, /srv, /var]}}",
		    false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_int_equal(r.fails, 3);
	assert_true(tu_found(&r, "/etc/open is a world-writable file (mode 0666)"));
	assert_true(tu_found(&r, "/srv/drop is a world-writable directory without the sticky bit"));
	tu_run_free(&r);
	tu_run_rule(&r, t, "{filesystem: {sweep: world-writable, roots: [/etc, /srv, /var], "
		    "allow: [/etc/open, \"/srv/**\", /var/deep/one]}}", false);
	assert_int_equal(r.verdict, VG_STATUS_PASS);
	tu_run_free(&r);
	tu_run_rule(&r, t, "{filesystem: {sweep: suid, roots: [/usr], "
		    "allow: [/usr/bin/passwd]}}", false);
	assert_int_equal(r.fails, 1);
	assert_string_equal(r.first->loc.path, "/usr/bin/both");
	assert_non_null(strstr(r.first->evidence, "mode 6755"));
	tu_run_free(&r);
	tu_run_rule(&r, t, "{filesystem: {sweep: sgid, roots: [/usr], max_files: 2}}", false);
	assert_int_equal(r.verdict, VG_STATUS_NOT_EVALUATED);
	assert_non_null(strstr(r.first->message, "max_files"));
	tu_run_free(&r);
	/* unowned needs the target's accounts */
	tu_run_rule(&r, t, "{filesystem: {sweep: unowned, roots: [/etc]}}", false);
	assert_int_equal(r.verdict, VG_STATUS_NOT_APPLICABLE);
	assert_non_null(strstr(r.first->message, "/etc/passwd"));
	tu_run_free(&r);
	tu_put(t->root, "/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
	tu_put(t->root, "/etc/group", "root:x:0:\n");
	tu_run_rule(&r, t, "{filesystem: {sweep: unowned, roots: [/etc]}}", false);
	assert_int_equal(r.verdict, geteuid() == 0 ? VG_STATUS_PASS : VG_STATUS_FAIL);
	tu_run_free(&r);
}

static void check_unreadable(void **state)
{
	struct tu_tree *t = *state;

	tu_putn(t->root, "/srv/secret/inner/file", "x", 1, 0644);
	chmod(tu_path(t->root, "/srv/secret"), 0700);
	if (geteuid() != 0)
		chmod(tu_path(t->root, "/srv/secret"), 0000);
	assert_int_equal(tu_verdict_unprivileged(t, "{filesystem: {sweep: suid, roots: [/srv]}}"),
			 VG_STATUS_NOT_EVALUATED);
}

/* Walked on several threads, a sweep finds what one thread finds, in the
 * same order, with max_files and the findings cap cutting at the same place. */
static void parallel(void **state)
{
	struct tu_tree *t = *state;
	static const char *const roots[] = {"/", "/usr/bin", "/missing", "/etc/file"};
	struct vg_fs *fs;
	char name[64];

	lay_tree(t);
	tu_put(t->root, "/etc/file", "x");
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "/%c/sub%d/f%02d", 'a' + i % 4, i % 3, i);
		tu_putn(t->root, name, "x", 1, i % 5 ? 0666 : 04755);
	}
	tu_dir(t->root, "/b/open-and-empty", 0777);
	fs = tu_fs_open(t->root, VG_FS_IN_ROOT);
	for (size_t max = 0; max < 90; max += max < 10 ? 1 : 7) {
		struct vg_sweep_opts o = {.roots = roots, .nroots = 4, .max_files = max};
		struct vg_sweep_result *one = NULL, *many = NULL;
		struct vg_error err = {0};

		assert_int_equal(vg_sweep_run(&one, fs, &o, &err), 0);
		o.jobs = 4;
		assert_int_equal(vg_sweep_run(&many, fs, &o, &err), 0);
		assert_int_equal(one->entries, many->entries);
		assert_int_equal(one->truncated, many->truncated);
		assert_int_equal(one->denied + one->errors + one->limited,
				 many->denied + many->errors + many->limited);
		assert_int_equal(one->items.len, many->items.len);
		for (size_t i = 0; i < one->items.len; i++) {
			const struct vg_sweep_item *x = one->items.items[i];
			const struct vg_sweep_item *y = many->items.items[i];

			assert_string_equal(x->path, y->path);
			assert_int_equal(x->kinds, y->kinds);
		}
		if (!max) {
			assert_false(one->truncated);
			assert_non_null(find_item(one, "/b/sub1/f01"));
			/* judged on the way to a file only: an empty directory is not seen */
			assert_null(find_item(one, "/b/open-and-empty"));
		}
		vg_sweep_result_free(one);
		vg_sweep_result_free(many);
	}
	vg_fs_free(fs);
}

struct reason_args {
	const struct tu_tree *t;
	const char *check;
	const char *needle;
};

/* 1 when the check is not-evaluated and its reason holds needle. */
static int reason_has(void *arg)
{
	const struct reason_args *a = arg;
	struct tu_run r;
	int v;

	tu_run_rule(&r, a->t, a->check, false);
	v = r.rc == 0 && r.verdict == VG_STATUS_NOT_EVALUATED && r.first &&
	    strstr(r.first->message, a->needle) != NULL;
	tu_run_free(&r);
	return v;
}

/* The reason names the unreadable directory as findings name paths: absolutely. */
static void check_unreadable_path(void **state)
{
	struct tu_tree *t = *state;
	struct reason_args a = {t, "{filesystem: {sweep: world-writable, roots: [/srv]}}",
				"the first: /srv/secret: permission denied"};

	tu_putn(t->root, "/srv/secret/inner/file", "x", 1, 0644);
	tu_putn(t->root, "/srv/open/file", "x", 1, 0644);
	chmod(tu_path(t->root, "/srv/secret"), 0700);
	if (geteuid() != 0)
		chmod(tu_path(t->root, "/srv/secret"), 0000);
	assert_int_equal(tu_as_nobody(reason_has, &a), 1);
	a.check = "{filesystem: {sweep: world-writable, roots: [/srv/secret/inner]}}";
	a.needle = "/srv/secret/inner: permission denied";
	assert_int_equal(tu_as_nobody(reason_has, &a), 1);
	chmod(tu_path(t->root, "/srv/secret"), 0755);
}

static void check_bad_policy(void **state)
{
	static const char *const bad[] = {
		"{filesystem: {roots: [/]}}",
		"{filesystem: {sweep: everything}}",
		"{filesystem: {sweep: suid, roots: [etc]}}",
		"{filesystem: {sweep: suid, roots: [\"/usr/*\"]}}",
		"{filesystem: {sweep: suid, max_files: 0}}",
		"{filesystem: {sweep: suid, max_files: -5}}",
		"{filesystem: {sweep: suid, max_files: 1000000000000}}",
		"{filesystem: {sweep: suid, follow: true}}",
	};

	(void)state;
	tu_expect_rejected(bad, sizeof(bad) / sizeof(bad[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TREE_TEST(flags),
		TU_TREE_TEST(bounded),
		TU_TREE_TEST(unowned),
		cmocka_unit_test(special_mounts),
		TU_TREE_TEST(shared_cache),
		TU_TREE_TEST(check_rules),
		TU_TREE_TEST(check_unreadable),
		TU_TREE_TEST(parallel),
		TU_TREE_TEST(check_unreadable_path),
		cmocka_unit_test(check_bad_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
