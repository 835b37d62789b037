/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for regex.c: matching, groups, flags, UTF-8, errors, limits and threads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "limits.h"
#include "regex.h"

/* Generous: the backtracking these tests provoke would otherwise run for ages. */
#define FAST_SECONDS 5.0

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct vg_regex *compile_ok(const char *pattern, unsigned flags)
{
	struct vg_regex *re = NULL;
	struct vg_error err = {0};
	int rc = vg_regex_compile(&re, pattern, flags, NULL, &err);

	if (rc != 0)
		fail_msg("compiling \"%s\": %d %s", pattern, rc, err.msg);
	assert_non_null(re);
	return re;
}

/* Runs one match of pattern against the whole string s. */
static int match1(const char *pattern, unsigned flags, const char *s, struct vg_regex_match *m)
{
	struct vg_regex *re = compile_ok(pattern, flags);
	int rc = vg_regex_match(re, s, strlen(s), 0, m);

	vg_regex_free(re);
	return rc;
}

static char *repeat(char c, size_t n, const char *tail)
{
	size_t tl = strlen(tail);
	char *s = malloc(n + tl + 1);

	assert_non_null(s);
	memset(s, c, n);
	memcpy(s + n, tail, tl + 1);
	return s;
}

/* Every test leaves this thread's scratch behind; drop it so leaks would show. */
static int teardown(void **state)
{
	vg_regex_thread_cleanup();
	return 0;
}

static void test_basic_match(void **state)
{
	struct vg_regex *re = compile_ok("b+", 0);
	struct vg_regex_match m;

	assert_string_equal(vg_regex_source(re), "b+");
	assert_int_equal(vg_regex_capture_count(re), 0);
	assert_int_equal(vg_regex_match(re, "aabbbc", 6, 0, &m), 1);
	assert_int_equal(m.start, 2);
	assert_int_equal(m.end, 5);
	assert_int_equal(m.ngroups, 0);
	assert_int_equal(m.gstart[1], SIZE_MAX);
	assert_int_equal(vg_regex_match(re, "aaa", 3, 0, &m), 0);
	assert_int_equal(vg_regex_match(re, "ab", 2, 0, NULL), 1); /* m is optional */
	vg_regex_free(re);
}

static void test_groups(void **state)
{
	struct vg_regex_match m;

	assert_int_equal(match1("(\\w+)@(\\w+)\\.com", 0, "mail bob@example.com now", &m), 1);
	assert_int_equal(m.ngroups, 2);
	assert_int_equal(m.start, 5);
	assert_int_equal(m.end, 20);
	assert_int_equal(m.gstart[1], 5);
	assert_int_equal(m.gend[1], 8);
	assert_int_equal(m.gstart[2], 9);
	assert_int_equal(m.gend[2], 16);

	/* an unset group reports SIZE_MAX */
	assert_int_equal(match1("(a)|(b)", 0, "b", &m), 1);
	assert_int_equal(m.ngroups, 2);
	assert_int_equal(m.gstart[1], SIZE_MAX);
	assert_int_equal(m.gend[1], SIZE_MAX);
	assert_int_equal(m.gstart[2], 0);
	assert_int_equal(m.gend[2], 1);
	assert_int_equal(match1("(b)|(a)", 0, "b", &m), 1);
	assert_int_equal(m.gstart[2], SIZE_MAX); /* trailing unset group */
}

static void test_many_groups(void **state)
{
	char pattern[128];
	struct vg_regex *re = NULL;
	struct vg_regex_match m;
	size_t n = 0;

	/* 20 groups "(a)(b)...(t)": only the first VG_RE_MAX_GROUPS are reported */
	for (char c = 'a'; c <= 't'; c++)
		n += (size_t)snprintf(pattern + n, sizeof(pattern) - n, "(%c)", c);
	re = compile_ok(pattern, 0);
	assert_int_equal(vg_regex_capture_count(re), 20);
	assert_int_equal(vg_regex_match(re, "xxabcdefghijklmnopqrst", 22, 0, &m), 1);
	assert_int_equal(m.start, 2);
	assert_int_equal(m.end, 22);
	assert_int_equal(m.ngroups, VG_RE_MAX_GROUPS);
	for (size_t i = 1; i <= VG_RE_MAX_GROUPS; i++) {
		assert_int_equal(m.gstart[i], 1 + i);
		assert_int_equal(m.gend[i], 2 + i);
	}
	vg_regex_free(re);
}

static void test_named_groups(void **state)
{
	struct vg_regex *re = compile_ok("(?<user>\\w+)@(?<host>\\w+)", 0);

	assert_int_equal(vg_regex_group_index(re, "user"), 1);
	assert_int_equal(vg_regex_group_index(re, "host"), 2);
	assert_int_equal(vg_regex_group_index(re, "nope"), -1);
	assert_int_equal(vg_regex_group_index(re, NULL), -1);
	assert_int_equal(vg_regex_group_index(NULL, "user"), -1);
	vg_regex_free(re);
}

static void test_start_offset(void **state)
{
	struct vg_regex *re = compile_ok("a", 0);
	struct vg_regex *lb = compile_ok("(?<=b)c", 0);
	struct vg_regex *empty = compile_ok("x*", 0);
	struct vg_regex_match m;

	assert_int_equal(vg_regex_match(re, "abca", 4, 1, &m), 1);
	assert_int_equal(m.start, 3);
	assert_int_equal(vg_regex_match(re, "abca", 4, 4, &m), 0);
	assert_int_equal(vg_regex_match(re, "abca", 4, 99, &m), 0);
	/* text before start is still seen by lookbehind */
	assert_int_equal(vg_regex_match(lb, "abc", 3, 2, &m), 1);
	assert_int_equal(m.start, 2);
	/* an empty match at the very end */
	assert_int_equal(vg_regex_match(empty, "ab", 2, 2, &m), 1);
	assert_int_equal(m.start, 2);
	assert_int_equal(m.end, 2);
	vg_regex_free(re);
	vg_regex_free(lb);
	vg_regex_free(empty);
}

static void test_length_bounded_subject(void **state)
{
	static const char subject[] = "ab\0cd";
	struct vg_regex *cd = compile_ok("cd", 0);
	struct vg_regex *d = compile_ok("d", 0);
	struct vg_regex *nul = compile_ok("b\\x00c", 0);
	struct vg_regex *any = compile_ok("^$", 0);
	struct vg_regex_match m;

	assert_int_equal(vg_regex_match(cd, subject, 5, 0, &m), 1);
	assert_int_equal(m.start, 3);
	assert_int_equal(vg_regex_match(nul, subject, 5, 0, &m), 1);
	assert_int_equal(m.start, 1);
	assert_int_equal(vg_regex_match(d, subject, 4, 0, &m), 0); /* never past len */
	assert_int_equal(vg_regex_match(any, NULL, 0, 0, &m), 1);
	assert_true(vg_regex_match(any, NULL, 3, 0, &m) < 0);
	vg_regex_free(cd);
	vg_regex_free(d);
	vg_regex_free(nul);
	vg_regex_free(any);
}

static void test_flags(void **state)
{
	struct vg_regex_match m;

	assert_int_equal(match1("secret", 0, "SECRET", &m), 0);
	assert_int_equal(match1("secret", VG_RE_CASELESS, "SECRET", &m), 1);
	assert_int_equal(match1("^b$", 0, "a\nb\nc", &m), 0);
	assert_int_equal(match1("^b$", VG_RE_MULTILINE, "a\nb\nc", &m), 1);
	assert_int_equal(m.start, 2);
	assert_int_equal(match1("a.b", 0, "a\nb", &m), 0);
	assert_int_equal(match1("a.b", VG_RE_DOTALL, "a\nb", &m), 1);
	assert_int_equal(match1("a b # a comment", 0, "ab", &m), 0);
	assert_int_equal(match1("a b # a comment", VG_RE_EXTENDED, "ab", &m), 1);
	assert_int_equal(match1("^K.Y$", VG_RE_CASELESS | VG_RE_MULTILINE | VG_RE_DOTALL,
				"x\nk\ny\nz", &m), 1);
	assert_int_equal(m.start, 2);
	assert_int_equal(m.end, 5);
}

static void test_utf(void **state)
{
	struct vg_regex_match m;

	/* "é" is two bytes: one character only in UTF mode */
	assert_int_equal(match1("^.$", 0, "\xc3\xa9", &m), 0);
	assert_int_equal(match1("^.$", VG_RE_UTF, "\xc3\xa9", &m), 1);
	assert_int_equal(m.end, 2);
	assert_int_equal(match1("\xc3\xa9", VG_RE_UTF | VG_RE_CASELESS, "\xc3\x89", &m), 1);
}

/* Without VG_RE_UTF a pattern may not turn UTF on itself: invalid subject bytes
 * would then be match errors. */
static void test_pattern_cannot_enable_utf(void **state)
{
	struct vg_regex *re = NULL;
	struct vg_error err = {0};

	assert_int_equal(vg_regex_compile(&re, "(*UTF)a", 0, NULL, &err), VG_EPARSE);
	assert_null(re);
	assert_non_null(strstr(err.msg, "UTF"));
	re = compile_ok("(*UTF)a", VG_RE_UTF);
	assert_int_equal(vg_regex_match(re, "\xff" "a", 2, 0, NULL), 1);
	vg_regex_free(re);
}

static void test_invalid_utf_subject(void **state)
{
	static const char *const bad[] = {
		"\xff\xfe" "abc",        /* bytes that never appear in UTF-8 */
		"\xc3" "abc",            /* truncated sequence */
		"\xc0\xaf" "abc",        /* overlong '/' */
		"\xed\xa0\x80" "abc",    /* UTF-16 surrogate */
		"\xf4\x90\x80\x80" "abc",/* past U+10FFFF */
		"\x80\x80\x80" "abc",    /* lone continuation bytes */
	};
	struct vg_regex *abc = compile_ok("abc", VG_RE_UTF);
	struct vg_regex *dot = compile_ok(".", VG_RE_UTF);
	struct vg_regex *word = compile_ok("\\w+$", VG_RE_UTF | VG_RE_CASELESS);
	struct vg_regex_match m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i]);

		assert_int_equal(vg_regex_match(abc, bad[i], len, 0, &m), 1);
		assert_int_equal(m.start, len - 3);
		assert_int_equal(vg_regex_match(dot, bad[i], len, 0, &m), 1);
		assert_int_equal(m.start, len - 3); /* invalid bytes are not characters */
		assert_int_equal(vg_regex_match(word, bad[i], len, 0, &m), 1);
		assert_int_equal(m.end, len);
		/* every start offset, including ones inside a sequence */
		for (size_t off = 0; off <= len; off++)
			assert_true(vg_regex_match(dot, bad[i], len, off, &m) >= 0);
	}
	assert_int_equal(vg_regex_match(dot, "\xff", 1, 0, &m), 0);
	/* starting inside a valid two-byte character */
	assert_true(vg_regex_match(dot, "\xc3\xa9", 2, 1, &m) >= 0);
	vg_regex_free(abc);
	vg_regex_free(dot);
	vg_regex_free(word);
}

static void test_compile_errors(void **state)
{
	static char junk;
	struct vg_regex *re = (struct vg_regex *)&junk; /* must come back NULL */
	struct vg_error err = {0};
	size_t off = 99;

	assert_int_equal(vg_regex_compile(&re, "(abc", 0, &off, &err), VG_EPARSE);
	assert_null(re);
	assert_int_equal(err.code, VG_EPARSE);
	assert_int_equal(off, 4);
	assert_string_equal(err.msg, "missing closing parenthesis at offset 4");

	assert_int_equal(vg_regex_compile(&re, "ab[c", 0, &off, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "missing terminating ]"));
	assert_int_equal(vg_regex_compile(&re, "a{2,1}", 0, &off, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "at offset 5"));
	assert_int_equal(off, 5);
	assert_int_equal(vg_regex_compile(&re, "x(?<n>a)(?<n>b)", 0, &off, &err), VG_EPARSE);
	assert_int_equal(vg_regex_compile(&re, "a\\Cb", 0, &off, &err), VG_EPARSE);
	/* an invalid UTF-8 pattern is an error in UTF mode, fine as bytes otherwise */
	assert_int_equal(vg_regex_compile(&re, "a\xff", VG_RE_UTF, &off, &err), VG_EPARSE);
	assert_int_equal(off, 1);
	assert_int_equal(vg_regex_compile(&re, "a\xff", 0, &off, &err), 0);
	vg_regex_free(re);
	re = NULL;

	/* NULL err and erroffset are allowed */
	assert_int_equal(vg_regex_compile(&re, "(", 0, NULL, NULL), VG_EPARSE);
	assert_null(re);
	assert_true(vg_regex_compile(&re, NULL, 0, &off, &err) < 0);
	assert_null(re);
	assert_true(err.msg[0] != '\0');
}

static void test_pattern_too_long(void **state)
{
	char *p = repeat('a', VG_MAX_REGEX_BYTES + 1, "");
	struct vg_regex *re = NULL;
	struct vg_error err = {0};
	size_t off = 0;

	assert_int_equal(vg_regex_compile(&re, p, 0, &off, &err), VG_ELIMIT);
	assert_null(re);
	assert_int_equal(err.code, VG_ELIMIT);
	assert_non_null(strstr(err.msg, "8192"));
	p[VG_MAX_REGEX_BYTES] = '\0'; /* exactly at the cap */
	assert_int_equal(vg_regex_compile(&re, p, 0, &off, &err), 0);
	assert_int_equal(strlen(vg_regex_source(re)), VG_MAX_REGEX_BYTES);
	vg_regex_free(re);
	free(p);
}

static void test_catastrophic_backtracking(void **state)
{
	static const char *const patterns[] = {"(a+)+$", "(a|aa)+$", "(a*)*$", "^(\\w+\\s?)*$"};
	char *s = repeat('a', 10000, "b!");
	struct vg_regex_match m;
	double t0 = now();

	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		struct vg_regex *re = compile_ok(patterns[i], 0);

		if (vg_regex_match(re, s, strlen(s), 0, &m) != VG_ELIMIT)
			fail_msg("\"%s\" did not hit the match limit", patterns[i]);
		vg_regex_free(re);
	}
	assert_true(t0 + FAST_SECONDS > now());
	free(s);
}

static void test_deep_backtracking_stack(void **state)
{
	struct vg_regex *re = compile_ok("^(?:(a)|b)*$", 0);
	char *big = repeat('a', 1000000, "");
	char *mid = repeat('a', 2500, "");

	/* More than the 32 KiB JIT stack PCRE2 uses when none is assigned, well under
	 * VG_REGEX_JIT_STACK_MAX, and under the interpreter's depth limit too. */
	assert_int_equal(vg_regex_match(re, mid, strlen(mid), 0, NULL), 1);
	/* a million nested backtrack points: the JIT stack or heap limit stops it */
	assert_int_equal(vg_regex_match(re, big, strlen(big), 0, NULL), VG_ELIMIT);
	vg_regex_free(re);
	free(big);
	free(mid);
}

static void test_null_args(void **state)
{
	vg_regex_free(NULL);
	assert_int_equal(vg_regex_capture_count(NULL), 0);
	assert_null(vg_regex_source(NULL));
	assert_true(vg_regex_match(NULL, "a", 1, 0, NULL) < 0);
}

static void test_thread_cleanup(void **state)
{
	struct vg_regex *re = compile_ok("b", 0);
	struct vg_regex_match m;

	vg_regex_thread_cleanup(); /* before any match: nothing to free */
	assert_int_equal(vg_regex_match(re, "ab", 2, 0, &m), 1);
	vg_regex_thread_cleanup();
	vg_regex_thread_cleanup();
	/* scratch is created again on demand */
	assert_int_equal(vg_regex_match(re, "ab", 2, 0, &m), 1);
	assert_int_equal(m.start, 1);
	vg_regex_free(re);
}

#define NTHREADS 8
#define NITER 2000

struct worker {
	const struct vg_regex *kv;
	const struct vg_regex *evil;
	int id;
	int failures;
};

/* Matches subjects unique to this thread, so a shared ovector would show up as
 * wrong offsets or numbers. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char subject[128];
	char *evil = repeat('a', 3000, "b");

	for (int i = 0; i < NITER; i++) {
		struct vg_regex_match m;
		int pad = (w->id + i) % 7;
		int n = snprintf(subject, sizeof(subject), "%*skey=%d-%d;", pad, "", w->id, i);
		long a, b;

		if (vg_regex_match(w->kv, subject, (size_t)n, 0, &m) != 1 ||
		    m.start != (size_t)pad || m.end != (size_t)n || m.ngroups != 2) {
			w->failures++;
			continue;
		}
		a = strtol(subject + m.gstart[1], NULL, 10);
		b = strtol(subject + m.gstart[2], NULL, 10);
		if (a != w->id || b != i || subject[m.gend[1]] != '-' || subject[m.gend[2]] != ';')
			w->failures++;
		/* limits hold per thread too */
		if (i % 500 == 0 &&
		    vg_regex_match(w->evil, evil, strlen(evil), 0, NULL) != VG_ELIMIT)
			w->failures++;
		if (i == NITER / 2 && w->id % 2)
			vg_regex_thread_cleanup(); /* odd threads drop scratch midway */
	}
	free(evil);
	return NULL; /* the rest is released by the thread-exit destructor */
}

static void test_threads(void **state)
{
	struct vg_regex *kv = compile_ok("key=(\\d+)-(\\d+);", 0);
	struct vg_regex *evil = compile_ok("(a+)+$", 0);
	pthread_t th[NTHREADS];
	struct worker w[NTHREADS];

	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){.kv = kv, .evil = evil, .id = i};
		assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
	}
	vg_regex_free(kv);
	vg_regex_free(evil);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_basic_match, teardown),
		cmocka_unit_test_teardown(test_groups, teardown),
		cmocka_unit_test_teardown(test_many_groups, teardown),
		cmocka_unit_test_teardown(test_named_groups, teardown),
		cmocka_unit_test_teardown(test_start_offset, teardown),
		cmocka_unit_test_teardown(test_length_bounded_subject, teardown),
		cmocka_unit_test_teardown(test_flags, teardown),
		cmocka_unit_test_teardown(test_utf, teardown),
		cmocka_unit_test_teardown(test_pattern_cannot_enable_utf, teardown),
		cmocka_unit_test_teardown(test_invalid_utf_subject, teardown),
		cmocka_unit_test_teardown(test_compile_errors, teardown),
		cmocka_unit_test_teardown(test_pattern_too_long, teardown),
		cmocka_unit_test_teardown(test_catastrophic_backtracking, teardown),
		cmocka_unit_test_teardown(test_deep_backtracking_stack, teardown),
		cmocka_unit_test_teardown(test_null_args, teardown),
		cmocka_unit_test_teardown(test_thread_cleanup, teardown),
		cmocka_unit_test_teardown(test_threads, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
