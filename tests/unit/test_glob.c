/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for glob.c: path and string globs, edge cases and worst-case running time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "glob.h"
#include "limits.h"

struct gcase {
	const char *pattern;
	const char *path;
	bool want;
};

static void run_cases(const struct gcase *c, size_t n, bool (*fn)(const char *, const char *))
{
	for (size_t i = 0; i < n; i++) {
		bool got = fn(c[i].pattern, c[i].path);

		if (got != c[i].want)
			fail_msg("glob \"%s\" vs \"%s\": got %d, want %d", c[i].pattern, c[i].path,
				 got, c[i].want);
	}
}

#define RUN(cases, fn) run_cases(cases, sizeof(cases) / sizeof(cases[0]), fn)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Generous: the exponential algorithms these guard against take hours. */
#define FAST_SECONDS 5.0

static void test_basename_rule(void **state)
{
	static const struct gcase cases[] = {
		{"*.c", "src/a.c", true},
		{"*.c", "a.c", true},
		{"*.c", "/abs/deep/dir/x.c", true},
		{"*.c", "src/a.h", false},
		{"*.c", "src.c/a.h", false},     /* only the last component counts */
		{"a.c", "x/y/a.c", true},
		{"a.c", "x/a.c/y", false},
		{"Makefile", "Makefile", true},
		{"Makefile", "sub/Makefile", true},
		{"Makefile", "sub/Makefile.am", false},
		{"*", "a/b/c", true},
		{"?", "dir/x", true},
		{"?", "dir/xy", false},
		{"dir", "a/dir/", true},        /* trailing slash on the path */
	};

	RUN(cases, vg_glob_match);
}

static void test_anchored(void **state)
{
	static const struct gcase cases[] = {
		{"src/*.c", "src/a.c", true},
		{"src/*.c", "src/a/b.c", false},  /* '*' never crosses '/' */
		{"src/*.c", "lib/src/a.c", false},/* anchored at the start */
		{"src/?.c", "src/a.c", true},
		{"src/?.c", "src/ab.c", false},
		{"src/a?c", "src/a/c", false},    /* '?' never matches '/' */
		{"a/b/c", "a/b/c", true},
		{"a/b/c", "a/b", false},
		{"a/b", "a/b/c", false},
		{"s*/x", "src/x", true},
		{"s*/x", "s/x", true},
		{"s*/x", "src/y/x", false},
	};

	RUN(cases, vg_glob_match);
}

static void test_globstar(void **state)
{
	static const struct gcase cases[] = {
		{"src/**/*.c", "src/a/b.c", true},
		{"src/**/*.c", "src/b.c", true},    /* zero components */
		{"src/**/*.c", "src/a/b/c/d.c", true},
		{"src/**/*.c", "lib/src/b.c", false},
		{"src/**/*.c", "src/a/b.h", false},
		{"**", "", true},
		{"**", "a", true},
		{"**", "a/b/c", true},
		{"**", "/etc/passwd", true},
		{"**/x", "x", true},
		{"**/x", "a/b/x", true},
		{"**/x", "a/b/xy", false},
		{"a/**", "a", true},
		{"a/**", "a/b", true},
		{"a/**", "a/b/c", true},
		{"a/**", "ab/c", false},
		{"a/**/b", "a/b", true},
		{"a/**/b", "a/x/y/b", true},
		{"a/**/b", "a/x/y/bc", false},
		{"**/b/**/d", "a/b/c/d", true},
		{"**/b/**/d", "b/d", true},
		{"**/b/**/d", "a/c/d", false},
		{"a/**/**/b", "a/b", true},
		{"a/**/x/**/x", "a/x/x", true},
		{"a/**/x/**/x", "a/x", false},
		/* not a whole component: a plain '*' */
		{"src/**.c", "src/a.c", true},
		{"src/**.c", "src/a/b.c", false},
		{"a**/b", "abc/b", true},
		{"a**/b", "a/c/b", false},
	};

	RUN(cases, vg_glob_match);
}

static void test_leading_slash(void **state)
{
	static const struct gcase cases[] = {
		{"/etc/*.conf", "etc/a.conf", true},
		{"/etc/*.conf", "/etc/a.conf", true},
		{"etc/*.conf", "/etc/a.conf", true},
		{"/etc/*.conf", "/usr/etc/a.conf", false},
		{"/etc/*.conf", "/etc/a.confx", false},
		{"/a.c", "a.c", true},
		{"/a.c", "x/a.c", false},  /* a leading '/' anchors: not the basename rule */
		{"/", "/", true},
		{"/", "", true},
		{"/", "a", false},
	};

	RUN(cases, vg_glob_match);
}

static void test_empty_and_slashes(void **state)
{
	static const struct gcase cases[] = {
		{"", "", true},
		{"", "a", false},
		{"", "/", true},
		{"a", "", false},
		{"*", "", false},   /* '*' matches a component, and there is none */
		{"a/b/", "a/b", true},
		{"a/b", "a/b/", true},
		{"a//b", "a/b", true},
		{"a/b", "a//b", true},
		{"src/*/", "src/x/", true},
		{"src/*/", "src/x/y", false},
	};

	RUN(cases, vg_glob_match);
}

static void test_classes(void **state)
{
	static const struct gcase cases[] = {
		{"[!a]*", "bcd", true},
		{"[!a]*", "abc", false},
		{"[^a]*", "bcd", true},
		{"[^a]*", "abc", false},
		{"[abc].txt", "b.txt", true},
		{"[abc].txt", "d.txt", false},
		{"[a-c]x", "bx", true},
		{"[a-c]x", "dx", false},
		{"[A-Za-z0-9_]", "Q", true},
		{"[A-Za-z0-9_]", "-", false},
		{"[]]", "]", true},         /* ']' first is a member */
		{"[!]]", "a", true},
		{"[!]]", "]", false},
		{"[a-]", "-", true},        /* '-' last is a member */
		{"[a-]", "b", false},
		{"[\\]x]", "]", true},
		{"[\\]x]", "x", true},
		{"[\\]x]", "\\", false},
		{"[z-a]", "m", false},      /* empty range */
		{"[ab", "[ab", true},       /* unclosed: '[' is literal */
		{"[ab", "a", false},
		{"[]", "[]", true},
		{"[!]", "[!]", true},
		{"a[/]b", "a/b", false},     /* classes never match '/' */
		{"x/[.]*", "x/.hidden", true},
	};

	RUN(cases, vg_glob_match);
}

static void test_escapes(void **state)
{
	static const struct gcase cases[] = {
		{"\\*.c", "*.c", true},
		{"\\*.c", "a.c", false},
		{"a\\?", "a?", true},
		{"a\\?", "ab", false},
		{"\\[ab]", "[ab]", true},
		{"\\[ab]", "a", false},
		{"a\\\\b", "a\\b", true},
		{"trail\\", "trail\\", true}, /* a lone trailing backslash is literal */
		{"a\\/b", "a/b", true},       /* an escaped '/' is still a separator */
		{"\\a", "a", true},
	};

	RUN(cases, vg_glob_match);
}

static void test_match_str(void **state)
{
	static const struct gcase cases[] = {
		{"secrets.aws.*", "secrets.aws.access-key", true},
		{"secrets.aws.*", "secrets.gcp.key", false},
		{"secrets.*", "secrets.aws.access-key", true},
		{"*", "", true},
		{"*", "a/b/c", true},            /* '*' crosses '/' here */
		{"a?c", "a/c", true},
		{"a*c", "a/b/c", true},
		{"**", "x.y.z", true},
		{"ssh.[a-c]*", "ssh.bad", true},
		{"ssh.[a-c]*", "ssh.root", false},
		{"", "", true},
		{"", "a", false},
		{"a", "", false},
		{"example.tmp.*", "example.tmp", false},
		{"ex\\*", "ex*", true},
		{"ex\\*", "exx", false},
		{"*.*.*", "a.b", false},
		{"*.*.*", "a.b.c", true},
	};

	RUN(cases, vg_glob_match_str);
}

static void test_has_magic(void **state)
{
	assert_true(vg_glob_has_magic("*.c"));
	assert_true(vg_glob_has_magic("src/**"));
	assert_true(vg_glob_has_magic("a?"));
	assert_true(vg_glob_has_magic("[ab]"));
	assert_true(vg_glob_has_magic("a\\b")); /* an escape: not a literal path */
	assert_false(vg_glob_has_magic("/etc/ssh/sshd_config"));
	assert_false(vg_glob_has_magic("a[b"));  /* unclosed '[' is literal */
	assert_false(vg_glob_has_magic(""));
	assert_false(vg_glob_has_magic(NULL));
}

static void test_null(void **state)
{
	assert_false(vg_glob_match(NULL, "a"));
	assert_false(vg_glob_match("a", NULL));
	assert_false(vg_glob_match_str(NULL, "a"));
	assert_false(vg_glob_match_str("a", NULL));
}

static void test_too_long_pattern(void **state)
{
	size_t n = VG_MAX_PATH_BYTES + 1;
	char *p = malloc(n + 1);

	assert_non_null(p);
	memset(p, '*', n);
	p[n] = '\0';
	assert_false(vg_glob_match(p, "a"));
	assert_false(vg_glob_match_str(p, "a"));
	p[n - 1] = '\0'; /* exactly at the cap: accepted */
	assert_true(vg_glob_match(p, "a"));
	assert_true(vg_glob_match_str(p, "a"));
	free(p);
}

static void test_pathological_stars(void **state)
{
	const size_t n = 10000;
	char *path = malloc(n + 1);
	double t0;

	assert_non_null(path);
	memset(path, 'a', n);
	path[n] = '\0';
	t0 = now();
	assert_false(vg_glob_match("*a*a*a*a*a*a*a*a*b", path));
	assert_false(vg_glob_match_str("*a*a*a*a*a*a*a*a*b", path));
	assert_false(vg_glob_match("**/*a*a*a*a*a*a*a*a*b", path));
	path[n - 1] = 'b';
	assert_true(vg_glob_match("*a*a*a*a*a*a*a*a*b", path));
	assert_true(vg_glob_match_str("*a*a*a*a*a*a*a*a*b", path));
	/* the same with slashes: in path mode only the last component counts */
	for (size_t i = 50; i < n; i += 100)
		path[i] = '/';
	assert_true(vg_glob_match("*a*a*a*a*a*a*a*a*b", path));
	assert_true(vg_glob_match_str("*a*a*a*a*a*a*a*a*b", path));
	assert_false(vg_glob_match("a*/*a*a*a*a*a*c", path));
	assert_true(vg_glob_match("**/a*a*a*a*b", path));
	assert_true(t0 + FAST_SECONDS > now());
	free(path);
}

static void test_pathological_globstars(void **state)
{
	const size_t comps = 2500;
	char *path = malloc(comps * 2 + 2);
	char *pat = NULL;
	size_t plen = 0;
	double t0;

	assert_non_null(path);
	for (size_t i = 0; i < comps; i++) {
		path[2 * i] = 'a';
		path[2 * i + 1] = '/';
	}
	path[comps * 2 - 1] = '\0'; /* "a/a/.../a" */

	t0 = now();
	assert_false(vg_glob_match("**/**/**/**/x", path));
	assert_true(vg_glob_match("**/**/**/**/a", path));
	assert_false(vg_glob_match("**/a/**/a/**/a/**/b/**", path));
	assert_true(vg_glob_match("**/a/**/a/**/a/**", path));

	/* many globstars: 400 copies of "**" + "/a/" and a final "x" */
	pat = malloc(400 * 5 + 2);
	assert_non_null(pat);
	for (size_t i = 0; i < 400; i++) {
		memcpy(pat + plen, "**/a/", 5);
		plen += 5;
	}
	memcpy(pat + plen, "x", 2);
	assert_false(vg_glob_match(pat, path));
	pat[plen] = 'a';
	assert_true(vg_glob_match(pat, path));
	assert_true(t0 + FAST_SECONDS > now());
	free(pat);
	free(path);
}

/* An unclosed '[' must not cost a rescan of the pattern on every backtrack. */
static void test_pathological_brackets(void **state)
{
	const size_t n = VG_MAX_PATH_BYTES - 4;
	char *pat = malloc(n + 5);
	char *s = malloc(n + 2);
	double t0;

	assert_non_null(pat);
	assert_non_null(s);
	/* "*[[[...[\]b" against "[[[...[x": every start position is tried */
	pat[0] = '*';
	memset(pat + 1, '[', n);
	memcpy(pat + 1 + n, "\\]b", 4);
	memset(s, '[', n);
	memcpy(s + n, "x", 2);
	t0 = now();
	assert_false(vg_glob_match_str(pat, s));
	assert_false(vg_glob_match(pat, s));
	assert_true(t0 + FAST_SECONDS > now());
	free(pat);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basename_rule),
		cmocka_unit_test(test_anchored),
		cmocka_unit_test(test_globstar),
		cmocka_unit_test(test_leading_slash),
		cmocka_unit_test(test_empty_and_slashes),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_match_str),
		cmocka_unit_test(test_has_magic),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_too_long_pattern),
		cmocka_unit_test(test_pathological_stars),
		cmocka_unit_test(test_pathological_globstars),
		cmocka_unit_test(test_pathological_brackets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
