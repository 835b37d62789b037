/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for the keyword prefilter: both engines agree with a naive search; anchors are sound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "engine/prefilter.h"
#include "regex.h"

static bool naive_hit(char *const *kw, size_t n, const char *data, size_t len)
{
	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(kw[i]);

		for (size_t p = 0; p + k <= len; p++)
			if (!strncasecmp(data + p, kw[i], k))
				return true;
	}
	return false;
}

/* Random keyword groups over a small alphabet so that hits and misses both occur. */
static void compare_engines(bool hyperscan)
{
	enum { GROUPS = 150, MAXKW = 4, TRIALS = 300 };
	static char storage[GROUPS][MAXKW][12];
	char *kwp[GROUPS][MAXKW];
	char *const *groups[GROUPS];
	size_t counts[GROUPS];
	struct vg_prefilter *pf = NULL;
	struct vg_error err = {0};
	unsigned seed = 12345;

	if (hyperscan)
		unsetenv("VIGIL_NO_HYPERSCAN");
	else
		setenv("VIGIL_NO_HYPERSCAN", "1", 1);
	for (size_t g = 0; g < GROUPS; g++) {
		counts[g] = (size_t)(rand_r(&seed) % (MAXKW + 1)); /* 0: always hit */
		for (size_t i = 0; i < counts[g]; i++) {
			size_t len = 3 + (size_t)(rand_r(&seed) % 6);

			for (size_t c = 0; c < len; c++)
				storage[g][i][c] = "abcdXY_-"[rand_r(&seed) % 8];
			storage[g][i][len] = '\0';
			kwp[g][i] = storage[g][i];
		}
		groups[g] = kwp[g];
	}
	assert_int_equal(vg_prefilter_new(&pf, groups, counts, GROUPS, &err), 0);
	if (hyperscan && strcmp(vg_prefilter_engine(pf), "hyperscan") != 0) {
		vg_prefilter_free(pf);
		skip();
	}
	if (!hyperscan)
		assert_string_equal(vg_prefilter_engine(pf), "aho-corasick");
	for (int t = 0; t < TRIALS; t++) {
		char data[400];
		size_t len = (size_t)(rand_r(&seed) % sizeof(data));
		uint64_t hits[(GROUPS + 63) / 64] = {0};

		for (size_t c = 0; c < len; c++)
			data[c] = "abcdxyABCDXY_- \n"[rand_r(&seed) % 16];
		assert_int_equal(vg_prefilter_words(pf), (GROUPS + 63) / 64);
		assert_int_equal(vg_prefilter_scan(pf, data, len, hits), 0);
		for (size_t g = 0; g < GROUPS; g++) {
			bool got = (hits[g / 64] >> (g % 64)) & 1;

			assert_int_equal(got, naive_hit(groups[g], counts[g], data, len));
		}
	}
	vg_prefilter_free(pf);
	vg_prefilter_thread_cleanup();
	unsetenv("VIGIL_NO_HYPERSCAN");
}

static void test_aho_corasick_matches_naive(void **state)
{
	(void)state;
	compare_engines(false);
}

static void test_hyperscan_matches_naive(void **state)
{
	(void)state;
	compare_engines(true);
}

static void test_case_insensitive_and_overlaps(void **state)
{
	char *g0[] = {"ghp_"}, *g1[] = {"hp_x"}, *g2[] = {"zzz"};
	char *const *groups[] = {g0, g1, g2};
	size_t counts[] = {1, 1, 1};
	struct vg_prefilter *pf = NULL;
	struct vg_error err = {0};
	uint64_t hits[1] = {0};

	(void)state;
	setenv("VIGIL_NO_HYPERSCAN", "1", 1);
	assert_int_equal(vg_prefilter_new(&pf, groups, counts, 3, &err), 0);
	assert_int_equal(vg_prefilter_scan(pf, "token=GHP_Xabc", 14, hits), 0);
	assert_int_equal(hits[0], 3u); /* both overlapping keywords, not the third */
	vg_prefilter_free(pf);
	unsetenv("VIGIL_NO_HYPERSCAN");
}


/* ---- positional literals ---- */

struct occ {
	size_t n;
	size_t lit[4096], end[4096];
};

static int collect(void *ud, size_t lit, size_t end)
{
	struct occ *o = ud;

	if (o->n < 4096) {
		o->lit[o->n] = lit;
		o->end[o->n++] = end;
	}
	return 0;
}

/* Every occurrence of every literal is reported once, in order of its end. */
static void compare_literals(bool hyperscan)
{
	enum { NLITS = 40, TRIALS = 200 };
	static char storage[NLITS][10];
	char *lits[NLITS];
	char *g0[] = {"xyz"};
	char *const *groups[] = {g0};
	size_t counts[] = {1};
	struct vg_prefilter *pf = NULL;
	struct vg_error err = {0};
	unsigned seed = 777;

	if (hyperscan)
		unsetenv("VIGIL_NO_HYPERSCAN");
	else
		setenv("VIGIL_NO_HYPERSCAN", "1", 1);
	for (size_t k = 0; k < NLITS; k++) {
		size_t len = 2 + (size_t)(rand_r(&seed) % 5);

		for (size_t c = 0; c < len; c++)
			storage[k][c] = "abxy_"[rand_r(&seed) % 5];
		storage[k][len] = '\0';
		lits[k] = storage[k];
	}
	assert_int_equal(vg_prefilter_new_lits(&pf, groups, counts, 1, lits, NLITS, 0, &err), 0);
	if (hyperscan && strcmp(vg_prefilter_engine(pf), "hyperscan") != 0) {
		vg_prefilter_free(pf);
		skip();
	}
	for (int t = 0; t < TRIALS; t++) {
		static struct occ got;
		char data[300];
		size_t len = (size_t)(rand_r(&seed) % sizeof(data)), want = 0, last = 0;
		uint64_t hits[1] = {0};

		for (size_t c = 0; c < len; c++)
			data[c] = "abxyABXY_z "[rand_r(&seed) % 11];
		got.n = 0;
		assert_int_equal(vg_prefilter_scan_lits(pf, data, len, hits, collect, &got), 0);
		assert_int_equal(hits[0] & 1, naive_hit(g0, 1, data, len));
		for (size_t i = 0; i < got.n; i++) {
			size_t k = got.lit[i], l = strlen(lits[k]);

			assert_true(k < NLITS);
			assert_true(got.end[i] >= l && got.end[i] <= len);
			assert_true(got.end[i] >= last);
			last = got.end[i];
			assert_int_equal(strncasecmp(data + got.end[i] - l, lits[k], l), 0);
		}
		for (size_t k = 0; k < NLITS; k++) {
			size_t l = strlen(lits[k]);

			for (size_t p = 0; p + l <= len; p++) {
				bool seen = false;

				if (strncasecmp(data + p, lits[k], l))
					continue;
				want++;
				for (size_t i = 0; i < got.n && !seen; i++)
					seen = got.lit[i] == k && got.end[i] == p + l;
				assert_true(seen);
			}
		}
		assert_int_equal(got.n, want);
	}
	vg_prefilter_free(pf);
	vg_prefilter_thread_cleanup();
	unsetenv("VIGIL_NO_HYPERSCAN");
}

static void test_literals_aho_corasick(void **state)
{
	(void)state;
	compare_literals(false);
}

static void test_literals_hyperscan(void **state)
{
	(void)state;
	compare_literals(true);
}

static int stop_at_first(void *ud, size_t lit, size_t end)
{
	(void)ud;
	(void)lit;
	(void)end;
	return VG_ENOMEM;
}

static void test_literals_callback_stops_scan(void **state)
{
	char *lits[] = {"abc"};
	struct vg_prefilter *pf = NULL;
	struct vg_error err = {0};
	uint64_t hits[1] = {0};

	(void)state;
	for (int hs = 0; hs < 2; hs++) {
		if (hs)
			unsetenv("VIGIL_NO_HYPERSCAN");
		else
			setenv("VIGIL_NO_HYPERSCAN", "1", 1);
		assert_int_equal(vg_prefilter_new_lits(&pf, NULL, NULL, 0, lits, 1, 0, &err), 0);
		assert_int_equal(
			vg_prefilter_scan_lits(pf, "xxABCxx", 7, hits, stop_at_first, NULL),
			VG_ENOMEM);
		vg_prefilter_free(pf);
	}
	/* literals are 1 to 64 bytes */
	lits[0] = "";
	assert_int_equal(vg_prefilter_new_lits(&pf, NULL, NULL, 0, lits, 1, 0, &err), VG_ERROR);
	assert_null(pf);
	assert_non_null(strstr(err.msg, "1 to 64"));
	vg_prefilter_thread_cleanup();
	unsetenv("VIGIL_NO_HYPERSCAN");
}

static int count_occ(void *ud, size_t lit, size_t end)
{
	(void)lit;
	(void)end;
	(*(size_t *)ud)++;
	return 0;
}

/* A lazy prefilter starts on the automaton and moves to Hyperscan after
 * 8 MB, with the same results on both sides of the switch. */
static void test_lazy_switches_engines(void **state)
{
	enum { MB = 1024 * 1024 };
	char *g0[] = {"needle"}, *g1[] = {"absent"}, *lits[] = {"xyz"};
	char *const *groups[] = {g0, g1};
	size_t counts[] = {1, 1};
	struct vg_prefilter *pf = NULL;
	struct vg_error err = {0};
	char *buf = malloc(MB);

	(void)state;
	assert_non_null(buf);
	memset(buf, 'a', MB);
	memcpy(buf + 1000, "NEEDLE", 6);
	for (size_t p = 5000; p + 3 < MB; p += 100000)
		memcpy(buf + p, "xYz", 3);
	unsetenv("VIGIL_NO_HYPERSCAN");
	assert_int_equal(vg_prefilter_new_lits(&pf, groups, counts, 2, lits, 1, VG_PREFILTER_LAZY,
					       &err),
			 0);
	assert_string_equal(vg_prefilter_engine(pf), "aho-corasick");
	for (int i = 0; i < 20; i++) {
		uint64_t hits[1] = {0};
		size_t n = 0;

		assert_int_equal(vg_prefilter_scan_lits(pf, buf, MB, hits, count_occ, &n), 0);
		assert_int_equal(hits[0], 1u);
		assert_int_equal(n, 11u);
	}
#ifdef VG_HAVE_HYPERSCAN
	assert_string_equal(vg_prefilter_engine(pf), "hyperscan");
#endif
	vg_prefilter_free(pf);
	vg_prefilter_thread_cleanup();
	free(buf);
}

/* ---- anchors ---- */

static char *anchors_str(const char *pattern, unsigned flags, int *rc)
{
	static char buf[2048];
	struct vg_anchor *a = NULL;
	size_t n = 0, used = 0;

	*rc = vg_prefilter_anchors(&a, &n, pattern, flags);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s@%zu-%zu",
					 i ? " " : "", a[i].lit, a[i].omin, a[i].omax);
	free(a);
	return buf;
}

static void test_anchors_found(void **state)
{
	static const struct {
		const char *re, *want;
	} cases[] = {
		{"ghp_[A-Za-z0-9]{36}", "ghp_@0-0"},
		{"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z2-7]{16}", "akia@0-0 asia@0-0"},
		{"[0-9a-f]{32}-us[0-9]{1,2}", "-us@32-32"},
		{"discord(?:app)?\\.com/api", "discord.com/api@0-0 discordapp.com/api@0-0"},
		{"gh[pousr]_x", "gho_x@0-0 ghp_x@0-0 ghr_x@0-0 ghs_x@0-0 ghu_x@0-0"},
		{"x?secret", "secret@0-0 xsecret@0-0"},
		{"(?i:token)\\s{0,4}=", "token@0-0"},
		{"[a-z]{2,5}=(?=[a-z]{0,3}KEY)", "key@3-9"},
		{"(?:password|pass)[a-z]", "pass@0-0"}, /* password adds nothing to pass */
		{"(?|a(?<s>bcd)|xy(?<s>zzz))", "abcd@0-0 xyzzz@0-0"},
		{"^(?#comment)\\bfoo\\x41\\.", "fooa.@0-0"},
	};
	int rc;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = anchors_str(cases[i].re, VG_RE_MULTILINE, &rc);

		if (rc != 0 || strcmp(got, cases[i].want) != 0)
			fail_msg("%s: got rc %d '%s', want '%s'", cases[i].re, rc, got,
				 cases[i].want);
	}
}

static void test_anchors_refused(void **state)
{
	static const char *const cases[] = {
		"ab[0-9]+",              /* literal too short */
		"[a-z]{3}",              /* no literal */
		"a+secret",              /* unbounded distance */
		"(?:secret)?x",          /* optional */
		"abc\\Kdef",             /* \K moves the start */
		"(*UTF)abcdef",          /* a verb */
		"(?x) a b c d",          /* extended mode reads differently */
		"\\Qabc\\E",             /* not followed */
		"(?(1)abc|def)",         /* conditional */
		"(abc",                  /* unbalanced */
		"abc)",
		"",
	};
	int rc;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = anchors_str(cases[i], VG_RE_MULTILINE, &rc);

		if (rc != VG_EUNSUPPORTED)
			fail_msg("%s: got rc %d '%s', want VG_EUNSUPPORTED", cases[i], rc, got);
	}
	assert_int_equal(vg_prefilter_anchors(&(struct vg_anchor *){NULL}, &(size_t){0}, "secret",
					      VG_RE_EXTENDED),
			 VG_EUNSUPPORTED);
	assert_int_equal(vg_prefilter_anchors(&(struct vg_anchor *){NULL}, &(size_t){0}, "secret",
					      VG_RE_UTF),
			 VG_EUNSUPPORTED);
}

/* Soundness: on random text, every match of every pattern holds one of its
 * anchors where the anchor says (the property the secret check relies on). */
static void test_anchors_sound(void **state)
{
	static const char *const pats[] = {
		"ab(?:c|dd)e?f", "(?i:abc)[xy]{1,3}(?=bb)", "(?:https?://)?(?:ab|ba){1,2}c{2}",
		"(?<![a])abc(?!x)[^\\n]{0,5}?cab", "(ab|ac)\\1abc", "a{0}bcab", "x?y?abx?y?c",
		"[ab]{2}cab|ccc[ab]", "(?:abc|(?=bca)b)ca", "a.bca?b", "(?|(?<n>abc)x|y(?<n>cab))",
	};
	unsigned seed = 4242;

	(void)state;
	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		struct vg_anchor *a = NULL;
		struct vg_regex *re = NULL;
		struct vg_error err = {0};
		size_t na = 0;

		if (vg_prefilter_anchors(&a, &na, pats[i], VG_RE_MULTILINE) != 0) {
			free(a);
			continue; /* refusing is always sound */
		}
		assert_int_equal(vg_regex_compile(&re, pats[i], VG_RE_MULTILINE, NULL, &err), 0);
		for (int t = 0; t < 300; t++) {
			char data[64];
			size_t len = (size_t)(rand_r(&seed) % sizeof(data));

			for (size_t c = 0; c < len; c++)
				data[c] = "abcABCxyd:/hpst\n"[rand_r(&seed) % 16];
			for (size_t s = 0; s <= len; s++) {
				struct vg_regex_match m;
				bool ok = false;

				if (vg_regex_match(re, data, len, s, &m) != 1 || m.start != s)
					continue;
				for (size_t k = 0; k < na && !ok; k++)
					for (size_t o = a[k].omin; o <= a[k].omax && !ok; o++)
						ok = m.start + o + a[k].len <= len &&
						     !strncasecmp(data + m.start + o, a[k].lit,
								  a[k].len);
				if (!ok)
					fail_msg("%s matches '%.*s' at %zu without an anchor",
						 pats[i], (int)len, data, s);
			}
		}
		vg_regex_free(re);
		free(a);
	}
	vg_regex_thread_cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aho_corasick_matches_naive),
		cmocka_unit_test(test_hyperscan_matches_naive),
		cmocka_unit_test(test_case_insensitive_and_overlaps),
		cmocka_unit_test(test_literals_aho_corasick),
		cmocka_unit_test(test_literals_hyperscan),
		cmocka_unit_test(test_literals_callback_stops_scan),
		cmocka_unit_test(test_lazy_switches_engines),
		cmocka_unit_test(test_anchors_found),
		cmocka_unit_test(test_anchors_refused),
		cmocka_unit_test(test_anchors_sound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
