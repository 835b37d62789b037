/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for targets/walk.c: order, pruning, .git, symlinks never followed, depth and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "limits.h"
#include "targets/fs.h"
#include "targets/walk.h"
#include "testutil.h"
#include "util.h"

/* What one walk reported: entries as "path" (or "path@depth" when asked),
 * errors as "code:path". */
struct seen {
	struct vg_vec entries;
	struct vg_vec errors;
	struct vg_vec messages;
	bool with_depth;
	size_t stop_after;   /* stop the walk after this many entries (0: never) */
	int stop_value;
	int error_return;    /* what on_error returns */
	mode_t last_mode;
};

static int on_entry(void *ud, const struct vg_walk_entry *e)
{
	struct seen *s = ud;
	char *item;
	const char *slash = strrchr(e->path, '/');

	/* name is always the last component of path */
	assert_string_equal(e->name, slash ? slash + 1 : e->path);
	assert_false(S_ISDIR(e->st.mode));
	item = s->with_depth ? vg_asprintf("%s@%zu", e->path, e->depth) : strdup(e->path);
	assert_non_null(item);
	assert_int_equal(vg_vec_push(&s->entries, item), 0);
	s->last_mode = e->st.mode;
	if (s->stop_after && s->entries.len == s->stop_after)
		return s->stop_value;
	return 0;
}

static int on_error(void *ud, const char *path, int code, const char *msg)
{
	struct seen *s = ud;
	char *item = vg_asprintf("%d:%s", code, path);

	assert_non_null(item);
	assert_int_equal(vg_vec_push(&s->errors, item), 0);
	assert_null(strchr(msg, '\n'));
	assert_int_equal(vg_vec_push(&s->messages, strdup(msg)), 0);
	return s->error_return;
}

static void seen_reset(struct seen *s)
{
	vg_vec_finish(&s->entries, free);
	vg_vec_finish(&s->errors, free);
	vg_vec_finish(&s->messages, free);
}

/* Compares what was seen with want (NULL-terminated) and resets it. */
static void expect_list(struct vg_vec *got, const char *const *want, const char *what)
{
	size_t n = 0;

	while (want[n])
		n++;
	for (size_t i = 0; i < got->len && i < n; i++)
		if (strcmp(got->items[i], want[i]) != 0)
			fail_msg("%s %zu is \"%s\", want \"%s\"", what, i, (char *)got->items[i],
				 want[i]);
	if (got->len != n)
		fail_msg("%zu %s, want %zu", got->len, what, n);
}

static void expect_walk(struct vg_fs *fs, const char *start, const struct vg_walk_opts *o,
			struct seen *s, const char *const *entries, const char *const *errors)
{
	struct vg_error err = {0};

	assert_int_equal(vg_walk(fs, start, o, on_entry, on_error, s, &err), 0);
	expect_list(&s->entries, entries, "entries");
	expect_list(&s->errors, errors, "errors");
	seen_reset(s);
}

static const char *const none[] = {NULL};

static void test_order(void **state)
{
	struct tu_tree *t = *state;
	struct seen s = {.with_depth = true};
	struct vg_fs *fs;

	tu_dir(t->root, "b/d", 0755);
	tu_dir(t->root, "empty", 0755);
	tu_put(t->root, "a", "");
	tu_put(t->root, "B", "");
	tu_put(t->root, "b.x", "");
	tu_put(t->root, "b/c", "");
	tu_put(t->root, "b/d/e", "");
	tu_put(t->root, "b/d/f", "");
	tu_put(t->root, "b/a b", "");

	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	expect_walk(fs, "", NULL, &s, (const char *const[]){"B@1", "a@1", "b/a b@2", "b/c@2",
		    "b/d/e@3", "b/d/f@3", "b.x@1", NULL}, none);
	expect_walk(fs, ".", NULL, &s, (const char *const[]){"B@1", "a@1", "b/a b@2", "b/c@2",
		    "b/d/e@3", "b/d/f@3", "b.x@1", NULL}, none);
	/* start inside the tree: paths stay relative to the root, depth to start */
	expect_walk(fs, "b", NULL, &s, (const char *const[]){"b/a b@1", "b/c@1", "b/d/e@2",
		    "b/d/f@2", NULL}, none);
	expect_walk(fs, "./b/", NULL, &s, (const char *const[]){"b/a b@1", "b/c@1", "b/d/e@2",
		    "b/d/f@2", NULL}, none);
	expect_walk(fs, "/b//d", NULL, &s, (const char *const[]){"b/d/e@1", "b/d/f@1", NULL},
		    none);
	expect_walk(fs, "empty", NULL, &s, none, none);
	vg_fs_free(fs);
}

static void test_start_not_a_directory(void **state)
{
	struct tu_tree *t = *state;
	struct vg_walk_opts o = {.exclude = (const char *const[]){"*.c"}, .nexclude = 1};
	struct seen s = {.with_depth = true};
	struct vg_error err = {0};
	struct vg_fs *fs;

	tu_dir(t->root, "src", 0755);
	tu_put(t->root, "src/a.c", "");
	tu_symlink(t->root, "src/l", "a.c");
	tu_symlink(t->root, "dl", "src");

	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	/* named explicitly, a file is walked even when an exclude matches it */
	expect_walk(fs, "src/a.c", &o, &s, (const char *const[]){"src/a.c@0", NULL}, none);
	assert_int_equal(vg_walk(fs, "src/l", NULL, on_entry, on_error, &s, &err), 0);
	assert_true(S_ISLNK(s.last_mode));
	expect_list(&s.entries, (const char *const[]){"src/l@0", NULL}, "entries");
	seen_reset(&s);
	/* a symlinked start directory is an entry, not followed */
	expect_walk(fs, "dl", NULL, &s, (const char *const[]){"dl@0", NULL}, none);

	assert_int_equal(vg_walk(fs, "missing", NULL, on_entry, on_error, &s, &err),
			 VG_ENOTFOUND);
	assert_non_null(strstr(err.msg, "missing"));
	assert_int_equal(vg_walk(fs, "../x", NULL, on_entry, on_error, &s, &err), VG_EPERM);
	assert_int_equal(s.entries.len + s.errors.len, 0);
	assert_true(vg_walk(NULL, "", NULL, on_entry, on_error, &s, &err) < 0);
	vg_fs_free(fs);
}

static void test_exclude_prunes(void **state)
{
	struct tu_tree *t = *state;
	struct seen s = {0};
	struct vg_fs *fs;
	struct vg_walk_opts o = {0};

	tu_dir(t->root, "src/vendor/lib", 0755);
	tu_dir(t->root, "build/out", 0755);
	tu_dir(t->root, "docs", 0755);
	tu_put(t->root, "src/main.c", "");
	tu_put(t->root, "src/main.o", "");
	tu_put(t->root, "src/vendor/lib/x.c", "");
	tu_put(t->root, "build/out/y.c", "");
	tu_put(t->root, "docs/readme.md", "");
	tu_put(t->root, "docs/vendor", "a file named like the excluded directory");

	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	o.exclude = (const char *const[]){"*.o", "/build", "src/vendor"};
	o.nexclude = 3;
	expect_walk(fs, "", &o, &s, (const char *const[]){"docs/readme.md", "docs/vendor",
		    "src/main.c", NULL}, none);
	/* a bare name matches at any depth, directories and files alike */
	o.exclude = (const char *const[]){"vendor"};
	o.nexclude = 1;
	expect_walk(fs, "", &o, &s, (const char *const[]){"build/out/y.c", "docs/readme.md",
		    "src/main.c", "src/main.o", NULL}, none);
	o.exclude = (const char *const[]){"**/*.c", "*.md"};
	o.nexclude = 2;
	expect_walk(fs, "", &o, &s, (const char *const[]){"docs/vendor", "src/main.o", NULL}, none);
	vg_fs_free(fs);
}

static void test_excluded_directory_not_opened(void **state)
{
	struct tu_tree *t = *state;
	struct vg_walk_opts o = {.exclude = (const char *const[]){"closed"}, .nexclude = 1};
	struct seen s = {0};
	struct vg_fs *fs;
	char path[512];

	tu_dir(t->root, "closed", 0755);
	tu_put(t->root, "closed/f", "");
	tu_put(t->root, "open", "");
	snprintf(path, sizeof(path), "%s/closed", t->root);
	assert_int_equal(chmod(path, 0), 0);
	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	/* pruned before it is opened: no permission error even for non-root */
	expect_walk(fs, "", &o, &s, (const char *const[]){"open", NULL}, none);
	if (geteuid() != 0) {
		expect_walk(fs, "", NULL, &s, (const char *const[]){"open", NULL},
			    (const char *const[]){"-8:closed", NULL});
	}
	chmod(path, 0755);
	vg_fs_free(fs);
}

static void test_git_dir(void **state)
{
	struct tu_tree *t = *state;
	struct vg_walk_opts o = {.skip_git_dir = true};
	struct seen s = {0};
	struct vg_fs *fs;

	tu_dir(t->root, ".git/objects", 0755);
	tu_dir(t->root, "sub", 0755);
	tu_put(t->root, ".git/config", "");
	tu_put(t->root, ".git/objects/ab", "");
	tu_put(t->root, ".gitignore", "");
	tu_put(t->root, "sub/.git", "gitdir: ../.git/worktrees/sub\n");
	tu_put(t->root, "sub/x", "");

	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	/* only a directory named .git is skipped; a .git file (worktree) is an entry */
	expect_walk(fs, "", &o, &s, (const char *const[]){".gitignore", "sub/.git", "sub/x", NULL},
		    none);
	o.skip_git_dir = false;
	expect_walk(fs, "", &o, &s, (const char *const[]){".git/config", ".git/objects/ab",
		    ".gitignore", "sub/.git", "sub/x", NULL}, none);
	vg_fs_free(fs);
}

static void test_symlinks_not_followed(void **state)
{
	struct tu_tree *t = *state;
	struct seen s = {0};
	struct vg_error err = {0};
	struct vg_fs *fs;

	tu_dir(t->root, "d/e", 0755);
	tu_dir(t->dir, "outside", 0755);
	tu_put(t->dir, "outside/secret", "");
	tu_put(t->root, "d/e/f", "");
	tu_symlink(t->root, "a", "b");
	tu_symlink(t->root, "b", "a");
	tu_symlink(t->root, "d/e/up", "../..");
	tu_symlink(t->root, "d/self", ".");
	tu_symlink(t->root, "abs", "/");
	tu_symlink(t->root, "out", "../outside");

	for (int mode = VG_FS_IN_ROOT; mode <= VG_FS_BENEATH; mode++) {
		fs = tu_fs_open(t->root, (enum vg_fs_mode)mode);
		assert_int_equal(vg_walk(fs, "", NULL, on_entry, on_error, &s, &err), 0);
		expect_list(&s.entries, (const char *const[]){"a", "abs", "b", "d/e/f", "d/e/up",
			    "d/self", "out", NULL}, "entries");
		expect_list(&s.errors, none, "errors");
		seen_reset(&s);
		vg_fs_free(fs);
	}
}

static int check_link(void *ud, const struct vg_walk_entry *e)
{
	(void)ud;
	if (strcmp(e->name, "loop") == 0)
		assert_true(S_ISLNK(e->st.mode));
	if (strcmp(e->name, "fifo") == 0)
		assert_true(S_ISFIFO(e->st.mode));
	if (strcmp(e->name, "f") == 0) {
		assert_true(S_ISREG(e->st.mode));
		assert_int_equal(e->st.size, 5);
	}
	return 0;
}

static void test_entry_metadata(void **state)
{
	struct tu_tree *t = *state;
	struct vg_error err = {0};
	struct seen s = {0};
	struct vg_fs *fs;
	char path[512];

	tu_put(t->root, "f", "hello");
	tu_symlink(t->root, "loop", "loop");
	snprintf(path, sizeof(path), "%s/fifo", t->root);
	assert_int_equal(mkfifo(path, 0644), 0);
	alarm(20);
	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	assert_int_equal(vg_walk(fs, "", NULL, check_link, NULL, NULL, &err), 0);
	expect_walk(fs, "", NULL, &s, (const char *const[]){"f", "fifo", "loop", NULL}, none);
	vg_fs_free(fs);
	alarm(0);
}

static void test_max_depth(void **state)
{
	struct tu_tree *t = *state;
	struct vg_walk_opts o = {.max_depth = 2};
	struct seen s = {.with_depth = true};
	struct vg_fs *fs;

	tu_dir(t->root, "a/b/c", 0755);
	tu_dir(t->root, "a/empty", 0755);
	tu_put(t->root, "top", "");
	tu_put(t->root, "a/mid", "");
	tu_put(t->root, "a/b/low", "");
	tu_put(t->root, "a/b/c/lower", "");

	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	/* a/b would list entries at depth 3; an empty directory at the limit loses nothing */
	expect_walk(fs, "", &o, &s, (const char *const[]){"a/mid@2", "top@1", NULL},
		    (const char *const[]){"-4:a/b", NULL});
	o.max_depth = 1;
	expect_walk(fs, "a", &o, &s, (const char *const[]){"a/mid@1", NULL},
		    (const char *const[]){"-4:a/b", NULL});
	o.max_depth = 0;
	expect_walk(fs, "", &o, &s, (const char *const[]){"a/b/c/lower@4", "a/b/low@3",
		    "a/mid@2", "top@1", NULL}, none);
	vg_fs_free(fs);
}

static void test_deep_tree(void **state)
{
	struct tu_tree *t = *state;
	struct vg_error err = {0};
	struct seen s = {0};
	struct vg_fs *fs;
	int fd, next;

	/* deeper than VG_MAX_WALK_DEPTH: the walk stops with one error, not a crash */
	fd = open(t->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	for (int i = 0; i < VG_MAX_WALK_DEPTH + 10; i++) {
		assert_int_equal(mkdirat(fd, "d", 0755), 0);
		next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	next = openat(fd, "leaf", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(next >= 0);
	close(next);
	close(fd);

	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	assert_int_equal(vg_walk(fs, "", NULL, on_entry, on_error, &s, &err), 0);
	assert_int_equal(s.entries.len, 0);
	assert_int_equal(s.errors.len, 1);
	assert_int_equal(strncmp(s.errors.items[0], "-4:d/d/d/", 9), 0);
	assert_int_equal(strlen(s.errors.items[0]), strlen("-4:") + 2 * VG_MAX_WALK_DEPTH - 1);
	assert_non_null(strstr(s.messages.items[0], "nested deeper than"));
	seen_reset(&s);
	vg_fs_free(fs);
}

static void test_callback_stops(void **state)
{
	struct tu_tree *t = *state;
	struct seen s = {.stop_after = 2, .stop_value = 42};
	struct vg_error err = {0};
	struct vg_fs *fs;

	tu_dir(t->root, "d", 0755);
	tu_put(t->root, "a", "");
	tu_put(t->root, "d/b", "");
	tu_put(t->root, "d/c", "");
	tu_put(t->root, "e", "");
	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	assert_int_equal(vg_walk(fs, "", NULL, on_entry, on_error, &s, &err), 42);
	expect_list(&s.entries, (const char *const[]){"a", "d/b", NULL}, "entries");
	seen_reset(&s);
	s.stop_value = VG_EIO;
	s.stop_after = 1;
	assert_int_equal(vg_walk(fs, "d", NULL, on_entry, on_error, &s, &err), VG_EIO);
	seen_reset(&s);
	/* no callbacks at all is fine */
	assert_int_equal(vg_walk(fs, "", NULL, NULL, NULL, NULL, &err), 0);
	vg_fs_free(fs);
}

static void test_permission_denied(void **state)
{
	struct tu_tree *t = *state;
	struct seen s = {0};
	struct vg_error err = {0};
	struct vg_fs *fs;
	char path[512];

	tu_dir(t->root, "a", 0755);
	tu_dir(t->root, "locked", 0755);
	tu_put(t->root, "a/x", "");
	tu_put(t->root, "locked/secret", "");
	tu_put(t->root, "z", "");
	snprintf(path, sizeof(path), "%s/locked", t->root);
	assert_int_equal(chmod(path, 0), 0);
	if (geteuid() == 0) {
		chmod(path, 0755);
		skip();
	}
	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	/* the walk reports the directory and goes on */
	expect_walk(fs, "", NULL, &s, (const char *const[]){"a/x", "z", NULL},
		    (const char *const[]){"-8:locked", NULL});
	assert_int_equal(vg_walk(fs, "", NULL, on_entry, on_error, &s, &err), 0);
	assert_string_equal(s.messages.items[0], "locked: permission denied");
	seen_reset(&s);
	/* unless on_error says stop */
	s.error_return = 9;
	assert_int_equal(vg_walk(fs, "", NULL, on_entry, on_error, &s, &err), 9);
	expect_list(&s.entries, (const char *const[]){"a/x", NULL}, "entries");
	seen_reset(&s);
	/* the start itself unreadable is the walk's own error */
	assert_int_equal(vg_walk(fs, "locked", NULL, on_entry, on_error, &s, &err), VG_EPERM);
	assert_non_null(strstr(err.msg, "permission denied"));
	chmod(path, 0755);
	vg_fs_free(fs);
}

static void test_odd_names(void **state)
{
	struct tu_tree *t = *state;
	struct seen s = {0};
	struct vg_fs *fs;

	tu_dir(t->root, "dir with space", 0755);
	tu_dir(t->root, "<img src=x>", 0755);
	tu_put(t->root, "dir with space/new\nline", "");
	tu_put(t->root, "<img src=x>/a;b", "");
	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	expect_walk(fs, "", NULL, &s, (const char *const[]){"<img src=x>/a;b",
		    "dir with space/new\nline", NULL}, none);
	expect_walk(fs, "dir with space", NULL, &s,
		    (const char *const[]){"dir with space/new\nline", NULL}, none);
	vg_fs_free(fs);
}

static int on_dir(void *ud, const struct vg_walk_entry *e)
{
	struct seen *s = ud;
	char *item = vg_asprintf("D:%s@%zu", e->path, e->depth);

	assert_true(S_ISDIR(e->st.mode));
	assert_non_null(item);
	assert_int_equal(vg_vec_push(&s->entries, item), 0);
	/* "skipme" is left out without stopping; "stop" stops the walk */
	if (!strcmp(e->name, "skipme"))
		return VG_WALK_SKIP;
	return strcmp(e->name, "stop") ? 0 : 77;
}

/* Directories reported on the way in, literal prunes, depths counted from a
 * larger walk, and messages that name paths absolutely. */
static void test_dirs_prune_absolute(void **state)
{
	struct tu_tree *t = *state;
	struct vg_walk_opts o = {.on_dir = on_dir,
				 .prune = (const char *const[]){"b/d", "x"}, .nprune = 2};
	struct seen s = {.with_depth = true};
	struct vg_error err = {0};
	struct vg_fs *fs;

	tu_dir(t->root, "b/d", 0755);
	tu_dir(t->root, "b/skipme", 0755);
	tu_dir(t->root, "c/deep/er", 0755);
	tu_dir(t->root, "empty", 0755);
	tu_put(t->root, "a", "");
	tu_put(t->root, "b/c", "");
	tu_put(t->root, "b/d/e", "");
	tu_put(t->root, "b/skipme/f", "");
	tu_put(t->root, "c/deep/er/g", "");
	tu_put(t->root, "x", "");
	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	expect_walk(fs, "", &o, &s, (const char *const[]){"a@1", "D:b@1", "b/c@2",
		    "D:b/skipme@2", "D:c@1", "D:c/deep@2", "D:c/deep/er@3", "c/deep/er/g@4",
		    "D:empty@1", NULL}, none);
	/* part of a larger walk: depths as that walk would count them */
	o.base_depth = 1;
	expect_walk(fs, "c", &o, &s, (const char *const[]){"D:c/deep@2", "D:c/deep/er@3",
		    "c/deep/er/g@4", NULL}, none);
	/* the depth limit counts from there too, and the message is absolute */
	o.max_depth = 2;
	o.absolute = true;
	expect_walk(fs, "/c", &o, &s, (const char *const[]){"D:c/deep@2", NULL},
		    (const char *const[]){"-4:c/deep", NULL});
	assert_int_equal(vg_walk(fs, "/c", &o, on_entry, on_error, &s, &err), 0);
	assert_string_equal(s.messages.items[0],
			    "/c/deep: nested deeper than 2 directories, not walked");
	seen_reset(&s);
	o.absolute = false;
	assert_int_equal(vg_walk(fs, "/c", &o, on_entry, on_error, &s, &err), 0);
	assert_string_equal(s.messages.items[0],
			    "c/deep: nested deeper than 2 directories, not walked");
	seen_reset(&s);
	/* any other value from on_dir stops the walk and comes back */
	tu_dir(t->root, "c/stop", 0755);
	o.max_depth = 0;
	o.base_depth = 0;
	assert_int_equal(vg_walk(fs, "c", &o, on_entry, on_error, &s, &err), 77);
	seen_reset(&s);
	vg_fs_free(fs);
}

/* Many names in one directory: more than one getdents64 buffer, still sorted. */
static void test_big_directory(void **state)
{
	struct tu_tree *t = *state;
	struct seen s = {0};
	struct vg_error err = {0};
	struct vg_fs *fs;
	char name[64];

	for (int i = 2999; i >= 0; i--) {
		snprintf(name, sizeof(name), "big/file-with-a-long-name-%04d", i);
		tu_put(t->root, name, "");
	}
	fs = tu_fs_open(t->root, VG_FS_BENEATH);
	assert_int_equal(vg_walk(fs, "", NULL, on_entry, on_error, &s, &err), 0);
	assert_int_equal(s.entries.len, 3000);
	for (size_t i = 1; i < s.entries.len; i++)
		assert_true(strcmp(s.entries.items[i - 1], s.entries.items[i]) < 0);
	seen_reset(&s);
	vg_fs_free(fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TREE_TEST(test_order),
		TU_TREE_TEST(test_dirs_prune_absolute),
		TU_TREE_TEST(test_big_directory),
		TU_TREE_TEST(test_start_not_a_directory),
		TU_TREE_TEST(test_exclude_prunes),
		TU_TREE_TEST(test_excluded_directory_not_opened),
		TU_TREE_TEST(test_git_dir),
		TU_TREE_TEST(test_symlinks_not_followed),
		TU_TREE_TEST(test_entry_metadata),
		TU_TREE_TEST(test_max_depth),
		TU_TREE_TEST(test_deep_tree),
		TU_TREE_TEST(test_callback_stops),
		TU_TREE_TEST(test_permission_denied),
		TU_TREE_TEST(test_odd_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
