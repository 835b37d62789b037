/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for the keyword prefilter: both engines agree with a naive search. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "engine/prefilter.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aho_corasick_matches_naive),
		cmocka_unit_test(test_hyperscan_matches_naive),
		cmocka_unit_test(test_case_insensitive_and_overlaps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
