/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for targets/fs.c: confined lookups, bounded reads, FIFOs and devices, listing, globs. */
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

#include "error.h"
#include "limits.h"
#include "targets/fs.h"
#include "testutil.h"
#include "util.h"

static void chmod_back(const char *path)
{
	chmod(path, 0755);
}

/* Reads path and checks the contents. */
static void expect_read(struct vg_fs *fs, const char *path, const char *want)
{
	struct vg_error err = {0};
	struct vg_blob b = {0};

	assert_int_equal(vg_fs_read(fs, path, 1024, &b, &err), 0);
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.data, want, b.len);
	assert_int_equal(b.data[b.len], '\0');
	vg_blob_finish(&b);
}

/* Reads path expecting an error code and a message containing part. */
static void expect_read_error(struct vg_fs *fs, const char *path, int code, const char *part)
{
	struct vg_error err = {0};
	struct vg_blob b = {0};

	assert_int_equal(vg_fs_read(fs, path, 1024, &b, &err), code);
	assert_int_equal(err.code, code);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_null(strchr(err.msg, '\n'));
	if (part)
		assert_non_null(strstr(err.msg, part));
}

static void test_open_errors(void **state)
{
	struct tu_tree *t = *state;
	struct vg_error err = {0};
	struct vg_fs *fs = (struct vg_fs *)1;
	char path[512];

	snprintf(path, sizeof(path), "%s/missing", t->dir);
	assert_int_equal(vg_fs_open(&fs, path, VG_FS_BENEATH, &err), VG_ENOTFOUND);
	assert_null(fs);
	assert_non_null(strstr(err.msg, "missing"));

	tu_put(t->dir, "file", "x");
	snprintf(path, sizeof(path), "%s/file", t->dir);
	assert_int_equal(vg_fs_open(&fs, path, VG_FS_IN_ROOT, &err), VG_EUNSUPPORTED);
	assert_non_null(strstr(err.msg, "not a directory"));

	assert_int_equal(vg_fs_open(&fs, "", VG_FS_IN_ROOT, &err), VG_ENOTFOUND);
	assert_true(vg_fs_open(&fs, NULL, VG_FS_IN_ROOT, &err) < 0);
	assert_true(vg_fs_open(&fs, t->root, (enum vg_fs_mode)7, &err) < 0);
	assert_null(fs);

	/* the root may itself be a symlink */
	tu_symlink(t->dir, "rootlink", "root");
	tu_put(t->root, "a", "via link");
	snprintf(path, sizeof(path), "%s/rootlink", t->dir);
	fs = tu_fs_open(path, VG_FS_BENEATH);
	assert_string_equal(vg_fs_root(fs), path);
	assert_int_equal(vg_fs_mode(fs), VG_FS_BENEATH);
	expect_read(fs, "/a", "via link");
	vg_fs_free(fs);
	vg_fs_free(NULL);
	vg_blob_finish(NULL);
}

static void test_read_basic(void **state)
{
	struct tu_tree *t = *state;
	struct vg_error err = {0};
	struct vg_blob b = {0};
	struct vg_fs *fs;
	const char bin[] = {'a', '\0', 'b', '\0'};

	tu_dir(t->root, "etc", 0755);
	tu_put(t->root, "etc/hosts", "127.0.0.1 localhost\n");
	tu_putn(t->root, "bin", bin, sizeof(bin), 0644);
	tu_put(t->root, "empty", "");
	for (int mode = VG_FS_IN_ROOT; mode <= VG_FS_BENEATH; mode++) {
		fs = tu_fs_open(t->root, (enum vg_fs_mode)mode);
		expect_read(fs, "/etc/hosts", "127.0.0.1 localhost\n");
		expect_read(fs, "etc/hosts", "127.0.0.1 localhost\n");
		expect_read(fs, "//etc//hosts", "127.0.0.1 localhost\n");
		expect_read(fs, "empty", "");
		assert_int_equal(vg_fs_read(fs, "/bin", 4, &b, &err), 0);
		assert_int_equal(b.len, 4);
		assert_memory_equal(b.data, bin, 4);
		assert_int_equal(b.data[4], '\0');
		vg_blob_finish(&b);
		assert_null(b.data);
		expect_read_error(fs, "/etc/nope", VG_ENOTFOUND, "/etc/nope");
		expect_read_error(fs, "/etc/hosts/x", VG_ENOTFOUND, "/etc/hosts/x");
		expect_read_error(fs, "/etc", VG_EUNSUPPORTED, "directory");
		expect_read_error(fs, "/", VG_EUNSUPPORTED, "directory");
		vg_fs_free(fs);
	}
}

static void test_bad_arguments(void **state)
{
	struct tu_tree *t = *state;
	struct vg_error err = {0};
	struct vg_blob b = {0};
	struct vg_stat st;
	struct vg_fs *fs;
	char *link = NULL;
	char *longpath;

	assert_true(vg_fs_read(NULL, "x", 10, &b, &err) < 0);
	assert_true(vg_fs_lstat(NULL, "x", &st, &err) < 0);
	assert_true(vg_fs_readlink(NULL, "x", &link, &err) < 0);
	assert_true(vg_fs_list(NULL, "x", NULL, NULL, &err) < 0);
	assert_true(vg_fs_glob(NULL, "/x", NULL, NULL, NULL, &err) < 0);
	assert_true(vg_file_read(NULL, 10, &b, &err) < 0);
	assert_true(vg_file_read("x", 10, NULL, &err) < 0);

	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	longpath = malloc(VG_MAX_PATH_BYTES + 2);
	assert_non_null(longpath);
	memset(longpath, 'a', VG_MAX_PATH_BYTES + 1);
	longpath[VG_MAX_PATH_BYTES + 1] = '\0';
	assert_int_equal(vg_fs_read(fs, longpath, 10, &b, &err), VG_ELIMIT);
	assert_int_equal(vg_fs_lstat(fs, longpath, &st, &err), VG_ELIMIT);
	assert_int_equal(vg_file_read(longpath, 10, &b, &err), VG_ELIMIT);
	assert_int_equal(vg_fs_glob(fs, longpath, NULL, NULL, NULL, &err), VG_ELIMIT);
	/* a single over-long component is the kernel's ENAMETOOLONG */
	longpath[300] = '\0';
	expect_read_error(fs, longpath, VG_ELIMIT, "name too long");
	free(longpath);
	/* errors may be ignored: a NULL error object is fine */
	assert_int_equal(vg_fs_read(fs, "missing", 10, &b, NULL), VG_ENOTFOUND);
	vg_fs_free(fs);
}

static void test_in_root_absolute_symlink(void **state)
{
	struct tu_tree *t = *state;
	struct vg_error err = {0};
	struct vg_blob host = {0};
	struct vg_stat st;
	struct vg_fs *fs;
	char *target = NULL;

	tu_dir(t->root, "etc", 0755);
	tu_put(t->root, "etc/real", "image real\n");
	tu_symlink(t->root, "etc/link", "/etc/real");
	tu_put(t->root, "etc/passwd", "image:x:0:0::/:/bin/false\n");
	tu_symlink(t->root, "pw", "/etc/passwd");
	tu_symlink(t->root, "etc/rel", "../etc/./real");

	fs = tu_fs_open(t->root, VG_FS_IN_ROOT);
	expect_read(fs, "/etc/link", "image real\n");
	expect_read(fs, "etc/rel", "image real\n");
	expect_read(fs, "/pw", "image:x:0:0::/:/bin/false\n");
	/* the host's file really is different, so the read above stayed inside */
	if (vg_file_read("/etc/passwd", VG_MAX_CONFIG_FILE_BYTES, &host, &err) == 0)
		assert_false(host.len == 26 && memcmp(host.data, "image:x:0:0::/:/bin/false\n",
						      26) == 0);
	vg_blob_finish(&host);

	assert_int_equal(vg_fs_lstat(fs, "/etc/link", &st, &err), 0);
	assert_true(S_ISLNK(st.mode));
	assert_int_equal(vg_fs_stat(fs, "/etc/link", &st, &err), 0);
	assert_true(S_ISREG(st.mode));
	assert_int_equal(st.size, strlen("image real\n"));
	assert_int_equal(vg_fs_readlink(fs, "/etc/link", &target, &err), 0);
	assert_string_equal(target, "/etc/real");
	free(target);
	target = NULL;
	assert_int_equal(vg_fs_readlink(fs, "/etc/real", &target, &err), VG_EUNSUPPORTED);
	assert_null(target);
	assert_non_null(strstr(err.msg, "not a symlink"));
	assert_int_equal(vg_fs_readlink(fs, "/etc/none", &target, &err), VG_ENOTFOUND);
	vg_fs_free(fs);
}

static void test_in_root_dotdot(void **state)
{
	struct tu_tree *t = *state;
	struct vg_stat st, rootst;
	struct vg_error err = {0};
	struct vg_fs *fs;

	tu_dir(t->root, "etc", 0755);
	tu_dir(t->root, "a/b", 0755);
	tu_put(t->root, "etc/passwd", "image passwd\n");
	tu_put(t->dir, "secret", "outside\n");
	tu_symlink(t->root, "a/b/up", "../../../../../../..");
	tu_symlink(t->root, "a/out", "../../secret");

	fs = tu_fs_open(t->root, VG_FS_IN_ROOT);
	expect_read(fs, "../../../../etc/passwd", "image passwd\n");
	expect_read(fs, "/../etc/passwd", "image passwd\n");
	expect_read(fs, "a/b/up/etc/passwd", "image passwd\n");
	/* "../../secret" from /a clamps at the root: /secret, which does not exist */
	expect_read_error(fs, "a/out", VG_ENOTFOUND, "a/out");
	expect_read_error(fs, "../secret", VG_ENOTFOUND, NULL);
	assert_int_equal(vg_fs_stat(fs, "/", &rootst, &err), 0);
	assert_int_equal(vg_fs_stat(fs, "a/b/up", &st, &err), 0);
	assert_int_equal(st.ino, rootst.ino);
	assert_int_equal(vg_fs_lstat(fs, "..", &st, &err), 0);
	assert_int_equal(st.ino, rootst.ino);
	vg_fs_free(fs);
}

static void test_beneath_refuses_escapes(void **state)
{
	struct tu_tree *t = *state;
	struct vg_error err = {0};
	struct vg_stat st;
	struct vg_fs *fs;

	tu_dir(t->root, "etc", 0755);
	tu_dir(t->root, "sub", 0755);
	tu_put(t->root, "etc/real", "real\n");
	tu_put(t->dir, "secret", "outside\n");
	tu_symlink(t->root, "etc/abs", "/etc/real");
	tu_symlink(t->root, "pw", "/etc/passwd");
	tu_symlink(t->root, "rel", "../secret");
	tu_symlink(t->root, "sub/inside", "../etc/real");

	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	expect_read(fs, "/etc/real", "real\n");
	expect_read(fs, "sub/inside", "real\n");
	expect_read(fs, "sub/../etc/real", "real\n");
	expect_read_error(fs, "etc/abs", VG_EPERM, "etc/abs points outside the scanned tree");
	expect_read_error(fs, "/pw", VG_EPERM, "points outside the scanned tree");
	expect_read_error(fs, "rel", VG_EPERM, "points outside the scanned tree");
	expect_read_error(fs, "../secret", VG_EPERM, "points outside the scanned tree");
	expect_read_error(fs, "/../secret", VG_EPERM, "points outside the scanned tree");
	expect_read_error(fs, "sub/../../secret", VG_EPERM, "points outside the scanned tree");

	/* the link itself is inside; only following it leaves */
	assert_int_equal(vg_fs_lstat(fs, "etc/abs", &st, &err), 0);
	assert_true(S_ISLNK(st.mode));
	assert_int_equal(vg_fs_stat(fs, "etc/abs", &st, &err), VG_EPERM);
	assert_non_null(strstr(err.msg, "outside the scanned tree"));
	assert_int_equal(vg_fs_lstat(fs, "..", &st, &err), VG_EPERM);
	assert_int_equal(vg_fs_list(fs, "..", NULL, NULL, &err), VG_EPERM);
	vg_fs_free(fs);
}

static void test_symlink_loop(void **state)
{
	struct tu_tree *t = *state;
	struct vg_error err = {0};
	struct vg_stat st;
	struct vg_fs *fs;

	tu_symlink(t->root, "a", "b");
	tu_symlink(t->root, "b", "a");
	tu_symlink(t->root, "self", "self/x");
	for (int mode = VG_FS_IN_ROOT; mode <= VG_FS_BENEATH; mode++) {
		fs = tu_fs_open(t->root, (enum vg_fs_mode)mode);
		expect_read_error(fs, "a", VG_ELIMIT, "a: too many levels of symbolic links");
		expect_read_error(fs, "self", VG_ELIMIT, "symbolic links");
		assert_int_equal(vg_fs_stat(fs, "/b", &st, &err), VG_ELIMIT);
		assert_int_equal(vg_fs_lstat(fs, "/b", &st, &err), 0);
		assert_true(S_ISLNK(st.mode));
		vg_fs_free(fs);
	}
}

static void test_fifo_not_opened(void **state)
{
	struct tu_tree *t = *state;
	struct vg_error err = {0};
	struct vg_blob b = {0};
	struct vg_stat st;
	struct vg_fs *fs;
	char path[512];

	snprintf(path, sizeof(path), "%s/fifo", t->root);
	assert_int_equal(mkfifo(path, 0644), 0);
	tu_symlink(t->root, "to-fifo", "fifo");
	/* a regression would block forever on the writerless FIFO */
	alarm(20);
	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	expect_read_error(fs, "fifo", VG_EUNSUPPORTED, "fifo is a fifo (not read)");
	expect_read_error(fs, "to-fifo", VG_EUNSUPPORTED, "fifo");
	assert_int_equal(vg_file_read(path, 1024, &b, &err), VG_EUNSUPPORTED);
	assert_non_null(strstr(err.msg, "(not read)"));
	assert_null(b.data);
	assert_int_equal(vg_fs_lstat(fs, "fifo", &st, &err), 0);
	assert_true(S_ISFIFO(st.mode));
	assert_string_equal(vg_fs_type_name(st.mode), "fifo");
	vg_fs_free(fs);
	alarm(0);
}

static void test_devices_refused(void **state)
{
	struct vg_error err = {0};
	struct vg_blob b = {0};
	struct vg_fs *fs;

	(void)state;
	alarm(20);
	fs = tu_fs_open("/", VG_FS_IN_ROOT);
	expect_read_error(fs, "/dev/null", VG_EUNSUPPORTED,
			  "/dev/null is a char-device (not read)");
	expect_read_error(fs, "dev/zero", VG_EUNSUPPORTED, "char-device");
	assert_int_equal(vg_file_read("/dev/zero", 1024, &b, &err), VG_EUNSUPPORTED);
	assert_null(b.data);
	assert_int_equal(vg_file_read("/dev/null", 1024, &b, &err), VG_EUNSUPPORTED);
	vg_fs_free(fs);
	alarm(0);
}

static void test_procfs(void **state)
{
	struct vg_error err = {0};
	struct vg_blob b = {0};
	struct vg_stat st;
	struct vg_fs *fs;

	(void)state;
	fs = tu_fs_open("/", VG_FS_IN_ROOT);
	if (vg_fs_stat(fs, "/proc/self/status", &st, &err) < 0) {
		vg_fs_free(fs);
		skip();
	}
	/* procfs files claim size 0: the read must not trust fstat */
	assert_int_equal(vg_fs_read(fs, "/proc/self/status", 1024 * 1024, &b, &err), 0);
	assert_true(b.len > 10);
	assert_non_null(strstr(b.data, "Name:"));
	vg_blob_finish(&b);
	/* and a cap is still a cap when the size was unknown */
	assert_int_equal(vg_fs_read(fs, "/proc/self/status", 10, &b, &err), VG_ELIMIT);
	assert_non_null(strstr(err.msg, "larger than 10 bytes"));
	assert_null(b.data);
	/* magic links (/proc/PID/root, /proc/PID/fd/N) are never followed */
	assert_int_equal(vg_fs_read(fs, "/proc/self/root/etc/hostname", 1024, &b, &err),
			 VG_ELIMIT);
	vg_fs_free(fs);
}

static void test_size_cap(void **state)
{
	struct tu_tree *t = *state;
	struct vg_error err = {0};
	struct vg_blob b = {0};
	struct vg_fs *fs;
	char data[100];
	char path[512];

	memset(data, 'x', sizeof(data));
	tu_putn(t->root, "hundred", data, sizeof(data), 0644);
	tu_put(t->root, "empty", "");
	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	assert_int_equal(vg_fs_read(fs, "hundred", 100, &b, &err), 0);
	assert_int_equal(b.len, 100);
	vg_blob_finish(&b);
	assert_int_equal(vg_fs_read(fs, "hundred", 99, &b, &err), VG_ELIMIT);
	assert_string_equal(err.msg, "hundred is larger than 99 bytes");
	assert_null(b.data);
	assert_int_equal(vg_fs_read(fs, "hundred", 0, &b, &err), VG_ELIMIT);
	assert_int_equal(vg_fs_read(fs, "empty", 0, &b, &err), 0);
	assert_int_equal(b.len, 0);
	assert_non_null(b.data);
	assert_int_equal(b.data[0], '\0');
	vg_blob_finish(&b);

	snprintf(path, sizeof(path), "%s/hundred", t->root);
	assert_int_equal(vg_file_read(path, 100, &b, &err), 0);
	assert_int_equal(b.len, 100);
	vg_blob_finish(&b);
	assert_int_equal(vg_file_read(path, 50, &b, &err), VG_ELIMIT);
	assert_non_null(strstr(err.msg, "larger than 50 bytes"));
	vg_fs_free(fs);
}

static void test_file_read(void **state)
{
	struct tu_tree *t = *state;
	struct vg_error err = {0};
	struct vg_blob b = {0};
	char path[512];

	tu_put(t->dir, "policy.yaml", "rules: []\n");
	tu_symlink(t->dir, "link.yaml", "policy.yaml");
	snprintf(path, sizeof(path), "%s/policy.yaml", t->dir);
	assert_int_equal(vg_file_read(path, 1024, &b, &err), 0);
	assert_string_equal(b.data, "rules: []\n");
	vg_blob_finish(&b);
	snprintf(path, sizeof(path), "%s/link.yaml", t->dir);
	assert_int_equal(vg_file_read(path, 1024, &b, &err), 0);
	assert_string_equal(b.data, "rules: []\n");
	vg_blob_finish(&b);
	snprintf(path, sizeof(path), "%s/missing.yaml", t->dir);
	assert_int_equal(vg_file_read(path, 1024, &b, &err), VG_ENOTFOUND);
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(vg_file_read(t->dir, 1024, &b, &err), VG_EUNSUPPORTED);
	assert_int_equal(vg_file_read("", 1024, &b, &err), VG_ENOTFOUND);
	/* "-" is a file name like any other */
	assert_int_equal(vg_file_read("-", 1024, &b, &err), VG_ENOTFOUND);
}

static void test_permission_denied(void **state)
{
	struct tu_tree *t = *state;
	struct vg_error err = {0};
	struct vg_blob b = {0};
	struct vg_fs *fs;
	char path[512];

	tu_put(t->root, "locked", "secret");
	tu_dir(t->root, "closed", 0755);
	tu_put(t->root, "closed/f", "x");
	snprintf(path, sizeof(path), "%s/locked", t->root);
	assert_int_equal(chmod(path, 0), 0);
	snprintf(path, sizeof(path), "%s/closed", t->root);
	assert_int_equal(chmod(path, 0), 0);
	if (geteuid() == 0) {
		/* root reads regardless of mode bits: nothing to assert here */
		chmod_back(path);
		skip();
	}
	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	expect_read_error(fs, "locked", VG_EPERM, "locked: permission denied");
	expect_read_error(fs, "closed/f", VG_EPERM, "closed/f: permission denied");
	assert_int_equal(vg_fs_list(fs, "closed", NULL, NULL, &err), VG_EPERM);
	assert_non_null(strstr(err.msg, "permission denied"));
	snprintf(path, sizeof(path), "%s/locked", t->root);
	assert_int_equal(vg_file_read(path, 100, &b, &err), VG_EPERM);
	snprintf(path, sizeof(path), "%s/closed", t->root);
	chmod_back(path);
	vg_fs_free(fs);
}

static void test_odd_names(void **state)
{
	struct tu_tree *t = *state;
	static const char *const names[] = {"with space", "new\nline", "<img src=x>"};
	struct vg_error err = {0};
	struct vg_fs *fs;

	for (size_t i = 0; i < 3; i++)
		tu_put(t->root, names[i], names[i]);
	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	for (size_t i = 0; i < 3; i++) {
		char abs[64];

		expect_read(fs, names[i], names[i]);
		snprintf(abs, sizeof(abs), "/%s", names[i]);
		expect_read(fs, abs, names[i]);
	}
	expect_read_error(fs, "no such\n<img src=x>", VG_ENOTFOUND, "no such <img src=x>");
	assert_int_equal(vg_fs_list(fs, "a\nb", NULL, NULL, &err), VG_ENOTFOUND);
	assert_null(strchr(err.msg, '\n'));
	vg_fs_free(fs);
}

struct names {
	char *items[16];
	size_t n;
	size_t stop_at; /* 0: never */
};

static int collect(void *ud, const char *name)
{
	struct names *c = ud;

	assert_true(c->n < 16);
	c->items[c->n++] = strdup(name);
	if (c->stop_at && c->n == c->stop_at)
		return 42;
	return 0;
}

static void names_free(struct names *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->items[i]);
	c->n = 0;
}

static void expect_names(struct names *c, const char *const *want, size_t n)
{
	assert_int_equal(c->n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(c->items[i], want[i]);
	names_free(c);
}

static void test_list(void **state)
{
	struct tu_tree *t = *state;
	static const char *const want[] = {"B", "_", "a", "a b", "a.b", "b", "dir", "link"};
	struct names c = {0};
	struct vg_error err = {0};
	struct vg_fs *fs;

	tu_put(t->root, "b", "");
	tu_put(t->root, "a", "");
	tu_put(t->root, "B", "");
	tu_put(t->root, "a.b", "");
	tu_put(t->root, "a b", "");
	tu_put(t->root, "_", "");
	tu_dir(t->root, "dir/sub", 0755);
	tu_put(t->root, "dir/z", "");
	tu_symlink(t->root, "link", "dir");

	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	assert_int_equal(vg_fs_list(fs, "", collect, &c, &err), 0);
	expect_names(&c, want, 8);
	assert_int_equal(vg_fs_list(fs, "/", collect, &c, &err), 0);
	expect_names(&c, want, 8);
	assert_int_equal(vg_fs_list(fs, "/dir", collect, &c, &err), 0);
	expect_names(&c, (const char *const[]){"sub", "z"}, 2);
	/* listing a symlinked directory follows the link (confined) */
	assert_int_equal(vg_fs_list(fs, "link", collect, &c, &err), 0);
	expect_names(&c, (const char *const[]){"sub", "z"}, 2);
	assert_int_equal(vg_fs_list(fs, "dir/sub", collect, &c, &err), 0);
	assert_int_equal(c.n, 0);
	c.stop_at = 3;
	assert_int_equal(vg_fs_list(fs, "/", collect, &c, &err), 42);
	expect_names(&c, want, 3);
	assert_int_equal(vg_fs_list(fs, "a", collect, &c, &err), VG_ENOTFOUND);
	assert_non_null(strstr(err.msg, "not a directory"));
	assert_int_equal(vg_fs_list(fs, "missing", collect, &c, &err), VG_ENOTFOUND);
	assert_int_equal(c.n, 0);
	vg_fs_free(fs);
}

static void test_root_metadata(void **state)
{
	struct tu_tree *t = *state;
	struct vg_error err = {0};
	struct vg_stat st;
	struct stat real;
	struct vg_fs *fs;

	assert_int_equal(stat(t->root, &real), 0);
	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	assert_int_equal(vg_fs_lstat(fs, "", &st, &err), 0);
	assert_true(S_ISDIR(st.mode));
	assert_int_equal(st.ino, real.st_ino);
	assert_int_equal(vg_fs_lstat(fs, "/", &st, &err), 0);
	assert_int_equal(st.ino, real.st_ino);
	assert_int_equal(vg_fs_stat(fs, ".", &st, &err), 0);
	assert_int_equal(st.ino, real.st_ino);
	assert_int_equal(st.uid, real.st_uid);
	assert_int_equal(st.mode, real.st_mode);
	vg_fs_free(fs);
}

static void test_open_dir(void **state)
{
	struct tu_tree *t = *state;
	struct vg_error err = {0};
	struct vg_fs *fs;
	int fd = -1, sub = -1;

	tu_dir(t->root, "d/e", 0755);
	tu_put(t->root, "f", "");
	tu_symlink(t->root, "l", "d");
	tu_symlink(t->root, "d/up", "..");
	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	assert_int_equal(vg_fs_open_dir(fs, -1, "/d", &fd, &err), 0);
	assert_true(fd >= 0);
	assert_int_equal(vg_fs_open_dir(fs, fd, "e", &sub, &err), 0);
	assert_true(sub >= 0);
	close(sub);
	assert_int_equal(vg_fs_open_dir(fs, fd, "up", &sub, &err), VG_EUNSUPPORTED);
	assert_non_null(strstr(err.msg, "symlink"));
	assert_int_equal(sub, -1);
	assert_true(vg_fs_open_dir(fs, fd, "..", &sub, &err) < 0);
	assert_true(vg_fs_open_dir(fs, fd, "e/../..", &sub, &err) < 0);
	assert_true(vg_fs_open_dir(fs, fd, "", &sub, &err) < 0);
	assert_int_equal(vg_fs_open_dir(fs, fd, "gone", &sub, &err), VG_ENOTFOUND);
	close(fd);
	assert_int_equal(vg_fs_open_dir(fs, -1, "l", &fd, &err), VG_EUNSUPPORTED);
	assert_non_null(strstr(err.msg, "l is a symlink"));
	assert_int_equal(vg_fs_open_dir(fs, -1, "f", &fd, &err), VG_EUNSUPPORTED);
	assert_non_null(strstr(err.msg, "f is a file, not a directory"));
	assert_int_equal(vg_fs_open_dir(fs, -1, "..", &fd, &err), VG_EPERM);
	assert_int_equal(vg_fs_open_dir(fs, -1, "", &fd, &err), 0);
	close(fd);
	vg_fs_free(fs);
}

static void test_type_names(void **state)
{
	(void)state;
	assert_string_equal(vg_fs_type_name(S_IFREG | 0644), "file");
	assert_string_equal(vg_fs_type_name(S_IFDIR), "directory");
	assert_string_equal(vg_fs_type_name(S_IFLNK), "symlink");
	assert_string_equal(vg_fs_type_name(S_IFIFO), "fifo");
	assert_string_equal(vg_fs_type_name(S_IFSOCK), "socket");
	assert_string_equal(vg_fs_type_name(S_IFCHR), "char-device");
	assert_string_equal(vg_fs_type_name(S_IFBLK), "block-device");
	assert_string_equal(vg_fs_type_name(0), "unknown");
}

struct hits {
	char *items[64];
	size_t n;
};

static int collect_hit(void *ud, const char *path)
{
	struct hits *h = ud;

	assert_true(h->n < 64);
	h->items[h->n++] = strdup(path);
	return 0;
}

/* Expands pattern and compares with want (NULL-terminated). */
static void expect_glob(struct vg_fs *fs, const char *pattern, const char *const *want,
			size_t want_unreadable)
{
	struct vg_error err = {0};
	struct hits h = {0};
	size_t unreadable = 99, n = 0;

	assert_int_equal(vg_fs_glob(fs, pattern, collect_hit, &h, &unreadable, &err), 0);
	while (want[n])
		n++;
	for (size_t i = 0; i < h.n && i < n; i++)
		if (strcmp(h.items[i], want[i]) != 0)
			fail_msg("%s: hit %zu is %s, want %s", pattern, i, h.items[i], want[i]);
	if (h.n != n)
		fail_msg("%s: %zu hits, want %zu", pattern, h.n, n);
	assert_int_equal(unreadable, want_unreadable);
	for (size_t i = 0; i < h.n; i++)
		free(h.items[i]);
}

static void test_glob(void **state)
{
	struct tu_tree *t = *state;
	struct vg_fs *fs;

	tu_dir(t->root, "etc/sub/deep", 0755);
	tu_dir(t->root, "etc/ssh", 0755);
	tu_dir(t->root, "opt/x/sub", 0755);
	tu_put(t->root, "etc/a.conf", "");
	tu_put(t->root, "etc/b.conf", "");
	tu_put(t->root, "etc/c.txt", "");
	tu_put(t->root, "etc/sub/d.conf", "");
	tu_put(t->root, "etc/sub/deep/e.conf", "");
	tu_put(t->root, "etc/ssh/sshd_config", "");
	tu_put(t->root, "opt/x/sub/f.conf", "");
	tu_put(t->root, "etc/[x].conf", "");
	tu_symlink(t->root, "etc/linkdir", "sub");
	tu_symlink(t->root, "etc/dangling.conf", "/nowhere");
	tu_symlink(t->root, "loop", "loop");
	tu_dir(t->root, "o/a", 0755);
	tu_put(t->root, "o/a/x", "");
	tu_put(t->root, "o/a.b", "");

	fs = tu_fs_open(t->root, VG_FS_IN_ROOT);
	expect_glob(fs, "/etc/*.conf", (const char *const[]){"/etc/[x].conf", "/etc/a.conf",
		    "/etc/b.conf", "/etc/dangling.conf", NULL}, 0);
	expect_glob(fs, "/etc/?.conf", (const char *const[]){"/etc/a.conf", "/etc/b.conf", NULL},
		    0);
	expect_glob(fs, "/etc/\\[x\\].conf", (const char *const[]){"/etc/[x].conf", NULL}, 0);
	expect_glob(fs, "/etc/ssh/sshd_config", (const char *const[]){"/etc/ssh/sshd_config",
		    NULL}, 0);
	expect_glob(fs, "etc/ssh/sshd_config", (const char *const[]){"/etc/ssh/sshd_config",
		    NULL}, 0);
	expect_glob(fs, "/etc/ssh/missing", (const char *const[]){NULL}, 0);
	expect_glob(fs, "/nope/*.conf", (const char *const[]){NULL}, 0);
	expect_glob(fs, "/etc/a.conf/*", (const char *const[]){NULL}, 0);
	/* a literal symlinked directory is followed when named */
	expect_glob(fs, "/etc/linkdir/*.conf", (const char *const[]){"/etc/linkdir/d.conf", NULL},
		    0);
	/* "**" matches zero or more directories and does not enter symlinked ones */
	expect_glob(fs, "/etc/**/*.conf", (const char *const[]){"/etc/[x].conf", "/etc/a.conf",
		    "/etc/b.conf", "/etc/dangling.conf", "/etc/sub/d.conf",
		    "/etc/sub/deep/e.conf", NULL}, 0);
	expect_glob(fs, "/**/sub/*.conf", (const char *const[]){"/etc/sub/d.conf",
		    "/opt/x/sub/f.conf", NULL}, 0);
	expect_glob(fs, "/*/*/sub", (const char *const[]){"/opt/x/sub", NULL}, 0);
	expect_glob(fs, "/etc/sub/**", (const char *const[]){"/etc/sub", "/etc/sub/d.conf",
		    "/etc/sub/deep", "/etc/sub/deep/e.conf", NULL}, 0);
	expect_glob(fs, "/**/**/e.conf", (const char *const[]){"/etc/sub/deep/e.conf", NULL}, 0);
	expect_glob(fs, "/./etc/./ssh/*", (const char *const[]){"/etc/ssh/sshd_config", NULL}, 0);
	expect_glob(fs, "/", (const char *const[]){"/", NULL}, 0);
	/* whole paths in strcmp order, not in the order a depth-first walk meets them */
	expect_glob(fs, "/o/**", (const char *const[]){"/o", "/o/a", "/o/a.b", "/o/a/x", NULL}, 0);
	expect_glob(fs, "/o/*/x", (const char *const[]){"/o/a/x", NULL}, 0);
	expect_glob(fs, "/lo*/x", (const char *const[]){NULL}, 0);
	expect_glob(fs, "/lo*", (const char *const[]){"/loop", NULL}, 0);
	vg_fs_free(fs);
}

/* Counts paths and stops the expansion with 7 at the second one. */
static int stop_glob(void *ud, const char *path)
{
	size_t *n = ud;

	(void)path;
	return ++*n == 2 ? 7 : 0;
}

static int count_glob(void *ud, const char *path)
{
	size_t *n = ud;

	assert_int_equal(path[0], '/');
	++*n;
	return 0;
}

static void test_glob_unreadable_and_stop(void **state)
{
	struct tu_tree *t = *state;
	struct vg_error err = {0};
	struct vg_fs *fs;
	size_t n = 0, unreadable = 0;

	tu_dir(t->root, "a", 0755);
	tu_dir(t->dir, "outside", 0755);
	tu_put(t->dir, "outside/x.conf", "");
	tu_put(t->root, "a/x.conf", "");
	tu_put(t->root, "a/y.conf", "");
	tu_symlink(t->root, "escape", "../outside");

	/* in a BENEATH tree a directory outside cannot be looked at: counted, skipped */
	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	expect_glob(fs, "/*/x.conf", (const char *const[]){"/a/x.conf", NULL}, 1);
	expect_glob(fs, "/escape/*", (const char *const[]){NULL}, 1);
	expect_glob(fs, "/**/x.conf", (const char *const[]){"/a/x.conf", NULL}, 0);
	assert_int_equal(vg_fs_glob(fs, "/a/*", stop_glob, &n, &unreadable, &err), 7);
	assert_int_equal(n, 2);
	assert_int_equal(vg_fs_glob(fs, "/a/*", NULL, NULL, NULL, &err), 0);
	vg_fs_free(fs);
}

/* Ten links to "." make every "*" component branch tenfold without any real
 * files: the caps, not the size of the tree, must end such an expansion. */
static void test_glob_caps(void **state)
{
	struct tu_tree *t = *state;
	struct vg_error err = {0};
	struct vg_fs *fs;
	size_t n = 0;

	for (int i = 0; i < 10; i++) {
		char name[16];

		snprintf(name, sizeof(name), "s%d", i);
		tu_symlink(t->root, name, ".");
	}
	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	/* 10^5 paths exactly: at the cap, still fine */
	assert_int_equal(vg_fs_glob(fs, "/*/*/*/*/*", count_glob, &n, NULL, &err), 0);
	assert_int_equal(n, VG_MAX_GLOB_MATCHES);
	n = 0;
	/* 10^6 paths: refused, and fn never sees a partial list */
	assert_int_equal(vg_fs_glob(fs, "/*/*/*/*/*/*", count_glob, &n, NULL, &err), VG_ELIMIT);
	assert_non_null(strstr(err.msg, "matches more than 100000 paths"));
	assert_int_equal(n, 0);
	/* no match at all, but 10^6 lookups on the way */
	assert_int_equal(vg_fs_glob(fs, "/*/*/*/*/*/*/none", count_glob, &n, NULL, &err),
			 VG_ELIMIT);
	assert_non_null(strstr(err.msg, "more than 1000000 directory reads"));
	assert_int_equal(n, 0);
	vg_fs_free(fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TREE_TEST(test_open_errors),
		TU_TREE_TEST(test_read_basic),
		TU_TREE_TEST(test_bad_arguments),
		TU_TREE_TEST(test_in_root_absolute_symlink),
		TU_TREE_TEST(test_in_root_dotdot),
		TU_TREE_TEST(test_beneath_refuses_escapes),
		TU_TREE_TEST(test_symlink_loop),
		TU_TREE_TEST(test_fifo_not_opened),
		cmocka_unit_test(test_devices_refused),
		cmocka_unit_test(test_procfs),
		TU_TREE_TEST(test_size_cap),
		TU_TREE_TEST(test_file_read),
		TU_TREE_TEST(test_permission_denied),
		TU_TREE_TEST(test_odd_names),
		TU_TREE_TEST(test_list),
		TU_TREE_TEST(test_root_metadata),
		TU_TREE_TEST(test_open_dir),
		cmocka_unit_test(test_type_names),
		TU_TREE_TEST(test_glob),
		TU_TREE_TEST(test_glob_unreadable_and_stop),
		TU_TREE_TEST(test_glob_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
