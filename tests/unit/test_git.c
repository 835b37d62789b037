/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for targets/git.c on repositories built here: history, ranges, staged, .gitignore. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <git2.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "targets/git.h"
#include "util.h"

extern char **environ;

/* 2020-01-01T00:00:00Z: commit times are fixed so dates can be checked */
#define T0 1577836800L
#define DAY 86400L

struct tmp {
	char dir[256];
	char repo[300];
};

/* One offered blob. */
struct rec {
	char *path;
	char *data;
	char commit[41];
	char *author;
	char date[32];
	uint64_t seq;
	bool parent_has;   /* vg_git_parent_contains(probe) */
};

struct seen {
	struct rec items[64];
	size_t n;
	const char *probe;
	size_t stop_after; /* return stop_value after this many blobs (0: never) */
	int stop_value;
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

static int group_setup(void **state)
{
	(void)state;
	/* git and libgit2 must not read the user's configuration or excludes */
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	git_libgit2_init();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	git_libgit2_shutdown();
	return 0;
}

static int setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));
	const char *base = getenv("TMPDIR");

	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "%s/vg_git_XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	snprintf(t->repo, sizeof(t->repo), "%s/repo", t->dir);
	if (mkdir(t->repo, 0755) < 0)
		return -1;
	/* libgit2 reads HOME's configuration too: point it at an empty directory */
	setenv("HOME", t->dir, 1);
	setenv("XDG_CONFIG_HOME", t->dir, 1);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, t->dir);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, t->dir);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, t->dir);
	*state = t;
	return 0;
}

static void seen_clear(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->items[i].path);
		free(s->items[i].data);
		free(s->items[i].author);
	}
	s->n = 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;

	nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

/* Runs git (found on PATH) in dir with commit dates at `when`, its output
 * discarded; the arguments end with NULL. Returns git's exit status. */
static int vrun_git(const char *dir, long when, va_list ap)
{
	char *argv[32], *envp[16], ad[80], cd[80], path[4096], home[300];
	posix_spawn_file_actions_t fa;
	const char *p = getenv("PATH"), *h = getenv("HOME");
	size_t n = 0, e = 0;
	pid_t pid;
	int st = -1;

	argv[n++] = "git";
	argv[n++] = "-C";
	argv[n++] = (char *)dir;
	argv[n++] = "-c";
	argv[n++] = "init.defaultBranch=main";
	argv[n++] = "-c";
	argv[n++] = "commit.gpgsign=false";
	argv[n++] = "-c";
	argv[n++] = "tag.gpgsign=false";
	for (char *a; n < 31 && (a = va_arg(ap, char *));)
		argv[n++] = a;
	argv[n] = NULL;
	snprintf(ad, sizeof(ad), "GIT_AUTHOR_DATE=@%ld +0000", when);
	snprintf(cd, sizeof(cd), "GIT_COMMITTER_DATE=@%ld +0000", when);
	snprintf(path, sizeof(path), "PATH=%s", p ? p : "/usr/bin:/bin");
	snprintf(home, sizeof(home), "HOME=%s", h ? h : "/nonexistent");
	envp[e++] = path;
	envp[e++] = home;
	envp[e++] = ad;
	envp[e++] = cd;
	envp[e++] = "GIT_AUTHOR_NAME=Alice";
	envp[e++] = "GIT_AUTHOR_EMAIL=alice@example.com";
	envp[e++] = "GIT_COMMITTER_NAME=Alice";
	envp[e++] = "GIT_COMMITTER_EMAIL=alice@example.com";
	envp[e++] = "GIT_CONFIG_NOSYSTEM=1";
	envp[e++] = "LC_ALL=C";
	envp[e] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "git", &fa, NULL, argv, envp) == 0) {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	posix_spawn_file_actions_destroy(&fa);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs git; it must succeed. The arguments end with NULL. */
static void git_ok(const char *dir, long when, ...)
{
	va_list ap;
	int rc;

	va_start(ap, when);
	rc = vrun_git(dir, when, ap);
	va_end(ap);
	assert_int_equal(rc, 0);
}

static void put(const char *top, const char *rel, const char *data, size_t len)
{
	char path[1024];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	for (char *p = path + strlen(top) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void put_str(const char *top, const char *rel, const char *s)
{
	put(top, rel, s, strlen(s));
}

/* Commits everything in the work tree at `when`. */
static void commit_all(const char *repo, long when, const char *msg)
{
	git_ok(repo, when, "add", "-A", NULL);
	git_ok(repo, when, "commit", "-q", "--allow-empty", "-m", msg, NULL);
}

/* The full id of a revision, through libgit2. */
static void rev(const char *repo, const char *spec, char *hex)
{
	git_repository *r = NULL;
	git_object *o = NULL;

	assert_int_equal(git_repository_open(&r, repo), 0);
	assert_int_equal(git_revparse_single(&o, r, spec), 0);
	git_oid_tostr(hex, 41, git_object_id(o));
	git_object_free(o);
	git_repository_free(r);
}

static int on_blob(void *ud, const struct vg_git_blob *b)
{
	struct seen *s = ud;
	struct rec *r;

	assert_true(s->n < sizeof(s->items) / sizeof(s->items[0]));
	assert_int_equal(b->data[b->len], '\0');
	r = &s->items[s->n++];
	r->path = strdup(b->path);
	r->data = strdup(b->data);
	assert_non_null(r->path);
	assert_non_null(r->data);
	snprintf(r->commit, sizeof(r->commit), "%s", b->origin->commit);
	r->author = b->origin->author ? strdup(b->origin->author) : NULL;
	snprintf(r->date, sizeof(r->date), "%s", b->origin->date);
	r->seq = b->origin->seq;
	if (s->probe)
		r->parent_has = vg_git_parent_contains(b, s->probe, strlen(s->probe));
	if (s->stop_after && s->n == s->stop_after)
		return s->stop_value;
	return 0;
}

/* The offered blob whose contents hold needle, or NULL; fails when two do. */
static const struct rec *find(const struct seen *s, const char *needle)
{
	const struct rec *r = NULL;

	for (size_t i = 0; i < s->n; i++) {
		if (!strstr(s->items[i].data, needle))
			continue;
		assert_null(r);
		r = &s->items[i];
	}
	return r;
}

static size_t count_path(const struct seen *s, const char *path)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += !strcmp(s->items[i].path, path);
	return n;
}

static int history(const char *path, const char *range, struct seen *s, struct vg_git_stats *st,
		   struct vg_error *err)
{
	vg_error_clear(err);
	seen_clear(s);
	return vg_git_history(path, range, 1024 * 1024, on_blob, s, st, err);
}

/* ---- history ---- */

/* A secret added, kept while the file changes, then deleted: every distinct
 * blob is offered once, oldest first, with the commit that introduced it. */
static void test_history_each_blob_once(void **state)
{
	struct tmp *t = *state;
	struct seen s = {0};
	struct vg_git_stats st;
	struct vg_error err;
	char c2[41], c3[41];
	const struct rec *r;

	git_ok(t->repo, T0, "init", "-q", NULL);
	put_str(t->repo, "a.txt", "hello\n");
	commit_all(t->repo, T0, "one");
	put_str(t->repo, "a.txt", "x\nSECRET_A\n");
	put_str(t->repo, "copy.txt", "hello\n"); /* a blob already seen, at a new path */
	git_ok(t->repo, T0 + DAY, "add", "-A", NULL);
	git_ok(t->repo, T0 + DAY, "commit", "-q", "--author=Bob <bob@example.com>", "-m", "two",
	       NULL);
	put_str(t->repo, "a.txt", "SECRET_A\nmore\n");
	commit_all(t->repo, T0 + 2 * DAY, "three");
	put_str(t->repo, "a.txt", "clean\n");
	commit_all(t->repo, T0 + 3 * DAY, "four");
	rev(t->repo, "HEAD~2", c2);
	rev(t->repo, "HEAD~1", c3);

	assert_int_equal(history(t->repo, NULL, &s, &st, &err), 0);
	assert_int_equal(st.commits, 4);
	assert_int_equal(st.blobs, 4); /* hello, the two versions with the secret, clean */
	assert_int_equal(s.n, 4);
	assert_false(st.shallow);
	assert_int_equal(count_path(&s, "copy.txt"), 0);
	r = find(&s, "x\nSECRET_A\n");
	assert_non_null(r);
	assert_string_equal(r->path, "a.txt");
	assert_string_equal(r->commit, c2);
	assert_string_equal(r->author, "Bob <bob@example.com>");
	assert_string_equal(r->date, "2020-01-02T00:00:00Z");
	r = find(&s, "SECRET_A\nmore");
	assert_non_null(r);
	assert_string_equal(r->commit, c3);
	assert_string_equal(r->author, "Alice <alice@example.com>");
	/* oldest first */
	for (size_t i = 1; i < s.n; i++)
		assert_true(s.items[i - 1].seq <= s.items[i].seq);
	assert_string_equal(s.items[0].data, "hello\n");
	assert_string_equal(s.items[s.n - 1].data, "clean\n");
	/* a subdirectory of the work tree names the same repository */
	put_str(t->repo, "sub/f", "");
	{
		char sub[400];

		snprintf(sub, sizeof(sub), "%s/sub", t->repo);
		assert_int_equal(history(sub, NULL, &s, &st, &err), 0);
		assert_int_equal(s.n, 4);
	}
	seen_clear(&s);
}

/* Commits only a side branch, only a tag or only a detached HEAD reach are
 * scanned too. */
static void test_history_all_refs(void **state)
{
	struct tmp *t = *state;
	struct seen s = {0};
	struct vg_git_stats st;
	struct vg_error err;
	char side[41], tagged[41], detached[41];
	const struct rec *r;

	git_ok(t->repo, T0, "init", "-q", NULL);
	put_str(t->repo, "a.txt", "main\n");
	commit_all(t->repo, T0, "one");
	git_ok(t->repo, T0, "checkout", "-q", "-b", "side", NULL);
	put_str(t->repo, "side.txt", "SECRET_SIDE\n");
	commit_all(t->repo, T0 + DAY, "side");
	rev(t->repo, "HEAD", side);
	git_ok(t->repo, T0, "checkout", "-q", "--detach", "main", NULL);
	put_str(t->repo, "tag.txt", "SECRET_TAG\n");
	commit_all(t->repo, T0 + 2 * DAY, "tagged");
	rev(t->repo, "HEAD", tagged);
	git_ok(t->repo, T0 + 2 * DAY, "tag", "-a", "-m", "release", "v1", NULL);
	git_ok(t->repo, T0, "checkout", "-q", "--detach", "main", NULL);
	put_str(t->repo, "head.txt", "SECRET_HEAD\n");
	commit_all(t->repo, T0 + 3 * DAY, "detached");
	rev(t->repo, "HEAD", detached);
	/* a tag of a blob leads to no commit: ignored */
	git_ok(t->repo, T0, "tag", "blobtag", "HEAD:head.txt", NULL);

	assert_int_equal(history(t->repo, NULL, &s, &st, &err), 0);
	assert_int_equal(st.commits, 4);
	r = find(&s, "SECRET_SIDE");
	assert_non_null(r);
	assert_string_equal(r->commit, side);
	r = find(&s, "SECRET_TAG");
	assert_non_null(r);
	assert_string_equal(r->commit, tagged);
	assert_string_equal(r->path, "tag.txt");
	r = find(&s, "SECRET_HEAD");
	assert_non_null(r);
	assert_string_equal(r->commit, detached);
	seen_clear(&s);
}

/* A..B offers what the range added; the parent's version tells what was there. */
static void test_history_range(void **state)
{
	struct tmp *t = *state;
	struct seen s = {.probe = "OLD_SECRET"};
	struct vg_git_stats st;
	struct vg_error err;
	const struct rec *r;

	git_ok(t->repo, T0, "init", "-q", NULL);
	put_str(t->repo, "a.txt", "OLD_SECRET\n");
	put_str(t->repo, "keep.txt", "line one\nline two\nline three\nline four\nOLD_SECRET\n");
	commit_all(t->repo, T0, "base");
	git_ok(t->repo, T0, "tag", "base", NULL);
	put_str(t->repo, "a.txt", "OLD_SECRET\nmore\n");
	put_str(t->repo, "n.txt", "NEW_SECRET\n");
	commit_all(t->repo, T0 + DAY, "two");
	/* renamed with a small change: the old name's version is the parent's */
	git_ok(t->repo, T0, "mv", "keep.txt", "moved.txt", NULL);
	put_str(t->repo, "moved.txt", "line one\nline two\nline three\nline four\nOLD_SECRET\n5\n");
	commit_all(t->repo, T0 + 2 * DAY, "three");

	assert_int_equal(history(t->repo, "base..HEAD", &s, &st, &err), 0);
	assert_int_equal(st.commits, 2);
	assert_int_equal(s.n, 3);
	r = find(&s, "OLD_SECRET\nmore\n");
	assert_non_null(r);
	assert_true(r->parent_has);      /* a.txt held it before the range */
	r = find(&s, "NEW_SECRET");
	assert_non_null(r);
	assert_false(r->parent_has);
	r = find(&s, "5\n");
	assert_non_null(r);
	assert_string_equal(r->path, "moved.txt");
	assert_true(r->parent_has);      /* found under its old name */
	assert_int_equal(count_path(&s, "keep.txt"), 0);

	/* the symmetric form and a single revision */
	assert_int_equal(history(t->repo, "base...HEAD", &s, &st, &err), 0);
	assert_int_equal(st.commits, 2);
	assert_int_equal(history(t->repo, "HEAD~1", &s, &st, &err), 0);
	assert_int_equal(st.commits, 2);
	assert_non_null(find(&s, "NEW_SECRET"));
	assert_null(find(&s, "5\n"));
	/* an empty range */
	assert_int_equal(history(t->repo, "HEAD..HEAD", &s, &st, &err), 0);
	assert_int_equal(st.commits, 0);
	assert_int_equal(s.n, 0);

	/* unknown revisions */
	assert_int_equal(history(t->repo, "nosuch..HEAD", &s, &st, &err), VG_ENOTFOUND);
	assert_non_null(strstr(err.msg, "nosuch"));
	assert_int_equal(history(t->repo, "HEAD..nosuch", &s, &st, &err), VG_ENOTFOUND);
	assert_int_equal(history(t->repo, "0123456789abcdef0123456789abcdef01234567", &s, &st,
				 &err), VG_ENOTFOUND);
	assert_int_equal(s.n, 0);
	seen_clear(&s);
}

/* Branches merged back: each blob still offered once, children after parents. */
static void test_history_merge(void **state)
{
	struct tmp *t = *state;
	struct seen s = {0};
	struct vg_git_stats st;
	struct vg_error err;
	char feature[41];
	const struct rec *r;

	git_ok(t->repo, T0, "init", "-q", NULL);
	put_str(t->repo, "a.txt", "a\n");
	commit_all(t->repo, T0, "one");
	git_ok(t->repo, T0, "checkout", "-q", "-b", "feature", NULL);
	put_str(t->repo, "f.txt", "SECRET_F\n");
	commit_all(t->repo, T0 + DAY, "feature");
	rev(t->repo, "HEAD", feature);
	git_ok(t->repo, T0, "checkout", "-q", "main", NULL);
	put_str(t->repo, "m.txt", "m\n");
	commit_all(t->repo, T0 + 2 * DAY, "main");
	git_ok(t->repo, T0 + 3 * DAY, "merge", "-q", "--no-ff", "-m", "merge", "feature", NULL);

	assert_int_equal(history(t->repo, NULL, &s, &st, &err), 0);
	assert_int_equal(st.commits, 4);
	assert_int_equal(count_path(&s, "f.txt"), 1);
	r = find(&s, "SECRET_F");
	assert_string_equal(r->commit, feature);
	/* what the merge brought into main: the feature commit and the merge */
	assert_int_equal(history(t->repo, "HEAD^1..HEAD", &s, &st, &err), 0);
	assert_int_equal(st.commits, 2);
	seen_clear(&s);
}

static void test_history_shallow(void **state)
{
	struct tmp *t = *state;
	struct seen s = {0};
	struct vg_git_stats st;
	struct vg_error err;
	char url[400], clone[400], head[41];
	const struct rec *r;

	git_ok(t->repo, T0, "init", "-q", NULL);
	put_str(t->repo, "a.txt", "SECRET_OLD\n");
	commit_all(t->repo, T0, "one");
	put_str(t->repo, "a.txt", "SECRET_OLD\nSECRET_MID\n");
	commit_all(t->repo, T0 + DAY, "two");
	put_str(t->repo, "b.txt", "SECRET_NEW\n");
	commit_all(t->repo, T0 + 2 * DAY, "three");
	snprintf(url, sizeof(url), "file://%s", t->repo);
	snprintf(clone, sizeof(clone), "%s/shallow", t->dir);
	git_ok(t->dir, T0, "clone", "-q", "--depth", "1", url, clone, NULL);
	rev(clone, "HEAD", head);

	assert_int_equal(history(clone, NULL, &s, &st, &err), 0);
	assert_true(st.shallow);
	assert_int_equal(st.commits, 1);
	/* the boundary commit is compared with nothing: it holds all it has */
	assert_int_equal(s.n, 2);
	r = find(&s, "SECRET_MID");
	assert_non_null(r);
	assert_string_equal(r->commit, head);
	assert_non_null(find(&s, "SECRET_NEW"));

	/* two commits deep; a range reaching past the boundary still works */
	snprintf(clone, sizeof(clone), "%s/shallow2", t->dir);
	git_ok(t->dir, T0, "clone", "-q", "--depth", "2", url, clone, NULL);
	assert_int_equal(history(clone, NULL, &s, &st, &err), 0);
	assert_int_equal(st.commits, 2);
	r = find(&s, "SECRET_NEW");
	assert_non_null(r);
	rev(clone, "HEAD", head);
	assert_string_equal(r->commit, head);
	assert_int_equal(history(clone, "HEAD~1..HEAD", &s, &st, &err), 0);
	assert_int_equal(st.commits, 1);
	assert_int_equal(s.n, 1);
	seen_clear(&s);
}

/* Overwrites the loose object of rev with bytes that do not inflate. */
static void corrupt(const struct tmp *t, const char *spec, char *hex)
{
	char path[600];
	int fd;

	rev(t->repo, spec, hex);
	snprintf(path, sizeof(path), "%s/.git/objects/%.2s/%s", t->repo, hex, hex + 2);
	assert_int_equal(chmod(path, 0644), 0);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not zlib data", 13), 13);
	close(fd);
}

static void make_three(const struct tmp *t)
{
	git_ok(t->repo, T0, "init", "-q", NULL);
	put_str(t->repo, "d/a.txt", "one\n");
	commit_all(t->repo, T0, "one");
	put_str(t->repo, "d/a.txt", "two\n");
	commit_all(t->repo, T0 + DAY, "two");
	put_str(t->repo, "d/a.txt", "three\n");
	commit_all(t->repo, T0 + 2 * DAY, "three");
}

/* A damaged repository: an error naming the object, never a crash. */
static void test_history_corrupt(void **state)
{
	static const char *const specs[] = {"HEAD~1:d/a.txt", "HEAD~1:d", "HEAD~1^{tree}",
					    "HEAD~1"};
	struct tmp *t = *state;
	struct seen s = {0};
	struct vg_git_stats st;
	struct vg_error err;
	char hex[41], path[600];

	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		nftw(t->repo, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		assert_int_equal(mkdir(t->repo, 0755), 0);
		make_three(t);
		corrupt(t, specs[i], hex);
		assert_int_equal(history(t->repo, NULL, &s, &st, &err), VG_EPARSE);
		assert_non_null(strstr(err.msg, hex));
		assert_null(strchr(err.msg, '\n'));
	}
	/* a missing parent in a repository that is not shallow */
	nftw(t->repo, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	assert_int_equal(mkdir(t->repo, 0755), 0);
	make_three(t);
	rev(t->repo, "HEAD~2", hex);
	snprintf(path, sizeof(path), "%s/.git/objects/%.2s/%s", t->repo, hex, hex + 2);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(history(t->repo, NULL, &s, &st, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, hex));
	seen_clear(&s);
}

static void test_history_bad_paths(void **state)
{
	struct tmp *t = *state;
	struct seen s = {0};
	struct vg_git_stats st;
	struct vg_error err;
	char missing[400];

	/* not a repository (the temporary directory has no .git above it) */
	assert_int_equal(history(t->repo, NULL, &s, &st, &err), VG_ENOTFOUND);
	assert_non_null(strstr(err.msg, t->repo));
	snprintf(missing, sizeof(missing), "%s/nope", t->dir);
	assert_int_equal(history(missing, NULL, &s, &st, &err), VG_ENOTFOUND);
	assert_int_equal(vg_git_staged(missing, 1024, on_blob, &s, &st, &err), VG_ENOTFOUND);
	/* an empty repository: nothing to offer, no error */
	git_ok(t->repo, T0, "init", "-q", NULL);
	assert_int_equal(history(t->repo, NULL, &s, &st, &err), 0);
	assert_int_equal(st.commits, 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(history(t->repo, "HEAD~1..HEAD", &s, &st, &err), VG_ENOTFOUND);
	seen_clear(&s);
}

/* Large and binary blobs are counted, not offered; the callback can stop. */
static void test_history_limits(void **state)
{
	struct tmp *t = *state;
	struct seen s = {0};
	struct vg_git_stats st;
	struct vg_error err;
	static const char bin[] = "PNG\0\1\2SECRET";
	char big[4096];

	memset(big, 'x', sizeof(big));
	git_ok(t->repo, T0, "init", "-q", NULL);
	put_str(t->repo, "a.txt", "small\n");
	put(t->repo, "big.txt", big, sizeof(big));
	put(t->repo, "img.png", bin, sizeof(bin) - 1);
	commit_all(t->repo, T0, "one");
	put_str(t->repo, "b.txt", "second\n");
	commit_all(t->repo, T0 + DAY, "two");

	assert_int_equal(vg_git_history(t->repo, NULL, 1024, on_blob, &s, &st, &err), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(st.skipped_large, 1);
	assert_int_equal(st.skipped_binary, 1);
	assert_int_equal(st.bytes, strlen("small\n") + strlen("second\n"));
	seen_clear(&s);

	s.stop_after = 1;
	s.stop_value = 7;
	assert_int_equal(vg_git_history(t->repo, NULL, 1024, on_blob, &s, &st, &err), 7);
	assert_int_equal(s.n, 1);
	seen_clear(&s);
}

/* ---- staged ---- */

static int staged(const char *path, struct seen *s, struct vg_git_stats *st, struct vg_error *err)
{
	vg_error_clear(err);
	seen_clear(s);
	return vg_git_staged(path, 1024 * 1024, on_blob, s, st, err);
}

static void test_staged(void **state)
{
	struct tmp *t = *state;
	struct seen s = {.probe = "OLD_SECRET"};
	struct vg_git_stats st;
	struct vg_error err;
	const struct rec *r;

	git_ok(t->repo, T0, "init", "-q", NULL);
	put_str(t->repo, "a.txt", "keep\nOLD_SECRET\n");
	put_str(t->repo, "gone.txt", "OLD_SECRET\n");
	put_str(t->repo, "old.txt", "alpha\nbeta\ngamma\ndelta\nOLD_SECRET\n");
	put_str(t->repo, "same.txt", "unchanged\n");
	commit_all(t->repo, T0, "one");
	/* nothing staged */
	assert_int_equal(staged(t->repo, &s, &st, &err), 0);
	assert_int_equal(s.n, 0);

	put_str(t->repo, "a.txt", "new\nkeep\nOLD_SECRET\n");
	put_str(t->repo, "s.txt", "STAGED\n");
	git_ok(t->repo, T0, "add", "a.txt", "s.txt", NULL);
	git_ok(t->repo, T0, "rm", "-q", "gone.txt", NULL);
	git_ok(t->repo, T0, "mv", "old.txt", "new.txt", NULL);
	put_str(t->repo, "s.txt", "UNSTAGED\n");       /* only in the work tree */
	put_str(t->repo, "same.txt", "UNSTAGED\n");
	put_str(t->repo, "untracked.txt", "UNSTAGED\n");

	assert_int_equal(staged(t->repo, &s, &st, &err), 0);
	assert_int_equal(s.n, 3);
	assert_null(find(&s, "UNSTAGED"));
	r = find(&s, "new\nkeep");
	assert_non_null(r);
	assert_string_equal(r->path, "a.txt");
	assert_string_equal(r->commit, "");
	assert_int_equal(r->seq, 0);
	assert_true(r->parent_has);      /* HEAD's a.txt already held it */
	r = find(&s, "STAGED\n");
	assert_non_null(r);
	assert_false(r->parent_has);
	r = find(&s, "alpha");
	assert_non_null(r);
	assert_string_equal(r->path, "new.txt");
	assert_true(r->parent_has);      /* a rename carries it over */
	assert_int_equal(count_path(&s, "gone.txt"), 0);
	seen_clear(&s);
}

static void test_staged_unborn_and_bare(void **state)
{
	struct tmp *t = *state;
	struct seen s = {.probe = "FIRST"};
	struct vg_git_stats st;
	struct vg_error err;
	char bare[400];

	git_ok(t->repo, T0, "init", "-q", NULL);
	assert_int_equal(staged(t->repo, &s, &st, &err), 0);
	assert_int_equal(s.n, 0);
	put_str(t->repo, "first.txt", "FIRST\n");
	git_ok(t->repo, T0, "add", "first.txt", NULL);
	assert_int_equal(staged(t->repo, &s, &st, &err), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.items[0].path, "first.txt");
	assert_false(s.items[0].parent_has);

	snprintf(bare, sizeof(bare), "%s/bare.git", t->dir);
	git_ok(t->dir, T0, "init", "-q", "--bare", bare, NULL);
	assert_int_equal(staged(bare, &s, &st, &err), VG_EUNSUPPORTED);
	assert_non_null(strstr(err.msg, "bare"));
	/* history of a bare repository works */
	assert_int_equal(history(bare, NULL, &s, &st, &err), 0);
	seen_clear(&s);
}

/* A damaged HEAD is an error, not an unborn branch (which would report
 * everything as new). */
static void test_staged_corrupt_head(void **state)
{
	struct tmp *t = *state;
	struct seen s = {0};
	struct vg_git_stats st;
	struct vg_error err;
	char hex[41];

	git_ok(t->repo, T0, "init", "-q", NULL);
	put_str(t->repo, "a.txt", "a\n");
	commit_all(t->repo, T0, "one");
	put_str(t->repo, "a.txt", "b\n");
	git_ok(t->repo, T0, "add", "a.txt", NULL);
	corrupt(t, "HEAD^{tree}", hex);
	assert_int_equal(staged(t->repo, &s, &st, &err), VG_EPARSE);
	assert_int_equal(s.n, 0);
	seen_clear(&s);
}

/* ---- work tree and .gitignore ---- */

static void test_workdir(void **state)
{
	struct tmp *t = *state;
	char sub[400], *top, *real;

	assert_null(vg_git_workdir(t->repo));
	git_ok(t->repo, T0, "init", "-q", NULL);
	put_str(t->repo, "x/y/f", "");
	snprintf(sub, sizeof(sub), "%s/x/y", t->repo);
	top = vg_git_workdir(sub);
	real = realpath(t->repo, NULL);
	assert_non_null(top);
	assert_non_null(real);
	assert_string_equal(top, real);
	free(top);
	free(real);
}

static void test_ignore(void **state)
{
	struct tmp *t = *state;
	struct vg_git_ignore *ig = NULL;
	struct vg_error err;
	char sub[400];

	assert_int_equal(vg_git_ignore_open(&ig, t->repo, &err), VG_ENOTFOUND);
	assert_null(ig);
	git_ok(t->repo, T0, "init", "-q", NULL);
	put_str(t->repo, ".gitignore", "*.log\nbuild/\n!keep.log\n/top-only\n");
	put_str(t->repo, "src/.gitignore", "gen/\n");
	put_str(t->repo, "src/a.c", "");

	assert_int_equal(vg_git_ignore_open(&ig, t->repo, &err), 0);
	assert_true(vg_git_ignored(ig, "x.log", false));
	assert_true(vg_git_ignored(ig, "src/deep/x.log", false));
	assert_false(vg_git_ignored(ig, "keep.log", false));
	assert_true(vg_git_ignored(ig, "build", true));
	assert_false(vg_git_ignored(ig, "build", false)); /* "build/" names directories */
	assert_true(vg_git_ignored(ig, "top-only", false));
	assert_false(vg_git_ignored(ig, "src/top-only", false));
	assert_true(vg_git_ignored(ig, "src/gen", true));
	assert_false(vg_git_ignored(ig, "gen", true));
	assert_false(vg_git_ignored(ig, "src/a.c", false));
	vg_git_ignore_free(ig);

	/* opened on a subdirectory: paths are relative to it */
	snprintf(sub, sizeof(sub), "%s/src", t->repo);
	assert_int_equal(vg_git_ignore_open(&ig, sub, &err), 0);
	assert_true(vg_git_ignored(ig, "gen", true));
	assert_true(vg_git_ignored(ig, "y.log", false));
	assert_false(vg_git_ignored(ig, "top-only", false));
	assert_false(vg_git_ignored(ig, "a.c", false));
	vg_git_ignore_free(ig);
	vg_git_ignore_free(NULL);

	/* a bare repository has no work tree */
	snprintf(sub, sizeof(sub), "%s/bare.git", t->dir);
	git_ok(t->dir, T0, "init", "-q", "--bare", sub, NULL);
	ig = NULL;
	assert_int_equal(vg_git_ignore_open(&ig, sub, &err), VG_ENOTFOUND);
	assert_null(ig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_history_each_blob_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_all_refs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_shallow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_bad_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staged_unborn_and_bare, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staged_corrupt_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_workdir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ignore, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
