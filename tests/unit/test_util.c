/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for util.c: bounded buffers, vectors, checked sizes and small parsers. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "util.h"

#define BUF_MAX 16

/* Buffer tests get a fresh buffer capped at BUF_MAX bytes. */
static int buf_setup(void **state)
{
	struct vg_buf *b = malloc(sizeof(*b));

	if (!b)
		return -1;
	vg_buf_init(b, BUF_MAX);
	*state = b;
	return 0;
}

static int buf_teardown(void **state)
{
	vg_buf_finish(*state);
	free(*state);
	return 0;
}

static void test_size_overflow(void **state)
{
	const size_t half = (size_t)1 << (sizeof(size_t) * 4);
	size_t r = 0;

	assert_true(vg_add_size(&r, 40, 2));
	assert_int_equal(r, 42);
	assert_true(vg_add_size(&r, SIZE_MAX - 1, 1));
	assert_int_equal(r, SIZE_MAX);
	assert_false(vg_add_size(&r, SIZE_MAX, 1));
	assert_false(vg_add_size(&r, SIZE_MAX / 2 + 1, SIZE_MAX / 2 + 1));
	assert_true(vg_mul_size(&r, 6, 7));
	assert_int_equal(r, 42);
	assert_true(vg_mul_size(&r, SIZE_MAX, 0));
	assert_int_equal(r, 0);
	assert_false(vg_mul_size(&r, SIZE_MAX / 2 + 1, 2));
	/* half = sqrt(SIZE_MAX + 1): half * half is one past the top */
	assert_false(vg_mul_size(&r, half, half));
	assert_true(vg_mul_size(&r, half - 1, half));
	assert_int_equal(r, SIZE_MAX - half + 1);
}

static void test_alloc_helpers(void **state)
{
	char *p = NULL;
	void *q = NULL;

	q = vg_calloc(0, 0); /* never NULL for a zero size */
	assert_non_null(q);
	free(q);
	assert_null(vg_calloc(SIZE_MAX, 2));
	q = vg_calloc(4, sizeof(int));
	assert_non_null(q);
	assert_int_equal(((int *)q)[3], 0);
	assert_null(vg_reallocarray(q, SIZE_MAX / 2 + 1, 2)); /* q is left alone */
	q = vg_reallocarray(q, 8, sizeof(int));
	assert_non_null(q);
	free(q);

	assert_null(vg_strdup(NULL));
	p = vg_strdup("abc");
	assert_string_equal(p, "abc");
	free(p);
	assert_null(vg_strndup(NULL, 3));
	p = vg_strndup("abcdef", 3);
	assert_string_equal(p, "abc");
	free(p);
	p = vg_strndup("ab", 100); /* stops at the NUL, reads nothing past it */
	assert_string_equal(p, "ab");
	free(p);
	p = vg_strndup("ab", 0);
	assert_string_equal(p, "");
	free(p);
	p = vg_asprintf("%s-%d", "x", 42);
	assert_string_equal(p, "x-42");
	free(p);
}

static void test_buf_append(void **state)
{
	struct vg_buf b;

	vg_buf_init(&b, 0);
	assert_null(b.data);
	assert_int_equal(vg_buf_puts(&b, "hello"), 0);
	assert_int_equal(vg_buf_putc(&b, ' '), 0);
	assert_int_equal(vg_buf_append(&b, "world!!", 5), 0);
	assert_int_equal(vg_buf_printf(&b, " %d-%s", 7, "x"), 0);
	assert_int_equal(b.len, 15);
	assert_string_equal(b.data, "hello world 7-x");
	assert_int_equal(vg_buf_append(&b, NULL, 0), 0);
	assert_int_equal(b.len, 15);
	/* binary data and growth well past the first allocation */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(vg_buf_append(&b, "\0\1", 2), 0);
	assert_int_equal(b.len, 2015);
	assert_int_equal(b.data[15], '\0');
	assert_int_equal(b.data[2014], '\1');
	assert_int_equal(b.data[2015], '\0');
	assert_true(b.cap > b.len);
	vg_buf_clear(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	vg_buf_finish(&b);
	assert_null(b.data);
	vg_buf_finish(&b); /* twice is fine */
	vg_buf_finish(NULL);
}

static void test_buf_max(void **state)
{
	struct vg_buf *b = *state;

	assert_int_equal(vg_buf_puts(b, "0123456789"), 0);
	assert_int_equal(vg_buf_puts(b, "abcdef"), 0); /* exactly BUF_MAX */
	assert_int_equal(b->len, BUF_MAX);
	assert_int_equal(vg_buf_putc(b, 'x'), VG_ELIMIT);
	assert_int_equal(vg_buf_append(b, "x", 1), VG_ELIMIT);
	assert_int_equal(vg_buf_printf(b, "%s", "x"), VG_ELIMIT);
	/* nothing was appended by the failed calls */
	assert_int_equal(b->len, BUF_MAX);
	assert_string_equal(b->data, "0123456789abcdef");
	assert_int_equal(vg_buf_append(b, "", 0), 0);
	vg_buf_clear(b);
	assert_int_equal(vg_buf_printf(b, "%0*d", BUF_MAX + 1, 1), VG_ELIMIT);
	assert_int_equal(b->len, 0);
	assert_int_equal(vg_buf_printf(b, "%0*d", BUF_MAX, 1), 0);
	assert_int_equal(b->len, BUF_MAX);
}

static void test_buf_huge_lengths(void **state)
{
	struct vg_buf *b = *state;
	struct vg_buf unbounded;

	/* sizes that overflow are refused before anything is read or allocated */
	assert_int_equal(vg_buf_append(b, "x", SIZE_MAX), VG_ELIMIT);
	assert_int_equal(vg_buf_puts(b, "ab"), 0);
	assert_int_equal(vg_buf_append(b, "x", SIZE_MAX - 1), VG_ELIMIT);
	assert_int_equal(b->len, 2);
	vg_buf_init(&unbounded, 0);
	assert_int_equal(vg_buf_putc(&unbounded, 'a'), 0);
	assert_int_equal(vg_buf_append(&unbounded, "x", SIZE_MAX), VG_ELIMIT);
	assert_int_equal(vg_buf_append(&unbounded, "x", SIZE_MAX - 1), VG_ELIMIT);
	assert_string_equal(unbounded.data, "a");
	vg_buf_finish(&unbounded);
}

static void test_buf_detach(void **state)
{
	struct vg_buf *b = *state;
	char *s = NULL;

	s = vg_buf_detach(b); /* nothing appended yet: still a string */
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(vg_buf_puts(b, "keep"), 0);
	s = vg_buf_detach(b);
	assert_string_equal(s, "keep");
	assert_null(b->data);
	assert_int_equal(b->len, 0);
	assert_int_equal(b->cap, 0);
	/* the buffer is usable again and keeps its cap */
	assert_int_equal(vg_buf_puts(b, "again"), 0);
	assert_string_equal(b->data, "again");
	assert_string_equal(s, "keep");
	assert_int_equal(vg_buf_puts(b, "0123456789ab"), VG_ELIMIT);
	free(s);
}

static int freed;

static void count_free(void *p)
{
	freed++;
	free(p);
}

static void test_vec(void **state)
{
	struct vg_vec v;
	static int items[1000];

	vg_vec_init(&v);
	assert_int_equal(v.len, 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(vg_vec_push(&v, &items[i]), 0);
	assert_int_equal(v.len, 1000);
	assert_true(v.cap >= 1000);
	for (int i = 0; i < 1000; i++)
		assert_ptr_equal(v.items[i], &items[i]);
	assert_int_equal(vg_vec_push(&v, NULL), 0); /* NULL items are allowed */
	assert_null(v.items[1000]);
	vg_vec_finish(&v, NULL); /* does not own the items */
	assert_null(v.items);
	assert_int_equal(v.len, 0);

	freed = 0;
	for (int i = 0; i < 10; i++)
		assert_int_equal(vg_vec_push(&v, strdup("x")), 0);
	vg_vec_finish(&v, count_free);
	assert_int_equal(freed, 10);
	vg_vec_finish(&v, count_free); /* empty now: nothing more is freed */
	assert_int_equal(freed, 10);
	vg_vec_finish(NULL, count_free);
}

static void test_hex(void **state)
{
	static const unsigned char in[] = {0x00, 0xff, 0x0a, 0xb1, 0x7f};
	char out[2 * sizeof(in) + 1];

	memset(out, 'Z', sizeof(out));
	vg_hex(out, in, sizeof(in));
	assert_string_equal(out, "00ff0ab17f");
	vg_hex(out, in, 0);
	assert_string_equal(out, "");
}

/* Strict UTF-8: what JSON and terminals can take as it is. */
static void test_utf8_len(void **state)
{
	static const struct {
		const char *s;
		size_t n, want;
	} cases[] = {
		{"a", 1, 1},
		{"\0", 1, 1},
		{"\xc3\xa9", 2, 2},          /* U+00E9 */
		{"\xe2\x82\xac", 3, 3},      /* U+20AC */
		{"\xf0\x9f\x98\x80", 4, 4},  /* U+1F600 */
		{"\xf4\x8f\xbf\xbf", 4, 4},  /* U+10FFFF */
		{"\x80", 1, 0},              /* a continuation byte alone */
		{"\xc0\xaf", 2, 0},          /* overlong */
		{"\xc1\xbf", 2, 0},
		{"\xe0\x9f\xbf", 3, 0},      /* overlong */
		{"\xed\xa0\x80", 3, 0},      /* a surrogate */
		{"\xf0\x8f\xbf\xbf", 4, 0},  /* overlong */
		{"\xf4\x90\x80\x80", 4, 0},  /* past U+10FFFF */
		{"\xf5\x80\x80\x80", 4, 0},
		{"\xff", 1, 0},
		{"\xe2\x82" "A", 3, 0},       /* cut short by another character */
		{"\xf0\x9f\x98" "A", 4, 0},
		{"\xe2\x82\xac", 2, 0},      /* cut short by the end */
		{"\xc3", 1, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (vg_utf8_len((const unsigned char *)cases[i].s, cases[i].n) != cases[i].want)
			fail_msg("case %zu: %zu, want %zu", i,
				 vg_utf8_len((const unsigned char *)cases[i].s, cases[i].n),
				 cases[i].want);
}

/* Values quoted in messages are cut at VG_MAX_QUOTE_BYTES with "...", never
 * inside a UTF-8 character, and without reading far into a huge value. */
static void test_shorten(void **state)
{
	struct vg_short sh;
	char *big = malloc(VG_MAX_QUOTE_BYTES * 4 + 1);
	const char *r;

	(void)state;
	assert_non_null(big);
	assert_string_equal(vg_shorten(&sh, NULL), "");
	assert_string_equal(vg_shorten(&sh, "nodev,nosuid"), "nodev,nosuid");
	memset(big, 'a', VG_MAX_QUOTE_BYTES);
	big[VG_MAX_QUOTE_BYTES] = '\0';
	assert_ptr_equal(vg_shorten(&sh, big), big); /* exactly the cap: as it is */
	memset(big, 'a', VG_MAX_QUOTE_BYTES * 4);
	big[VG_MAX_QUOTE_BYTES * 4] = '\0';
	r = vg_shorten(&sh, big);
	assert_int_equal(strlen(r), VG_MAX_QUOTE_BYTES + 3);
	assert_string_equal(r + VG_MAX_QUOTE_BYTES, "...");
	/* a two-byte character (U+00E9) straddling the cut is left out whole */
	big[VG_MAX_QUOTE_BYTES - 1] = '\xc3';
	big[VG_MAX_QUOTE_BYTES] = '\xa9';
	r = vg_shorten(&sh, big);
	assert_int_equal(strlen(r), VG_MAX_QUOTE_BYTES - 1 + 3);
	assert_int_equal((unsigned char)r[VG_MAX_QUOTE_BYTES - 2], 'a');
	assert_string_equal(r + VG_MAX_QUOTE_BYTES - 1, "...");
	free(big);
}

static void test_parse_i64(void **state)
{
	static const struct {
		const char *s;
		int base;
		int64_t want;
	} good[] = {
		{"0", 10, 0},
		{"42", 10, 42},
		{"-42", 10, -42},
		{"+7", 10, 7},
		{"9223372036854775807", 10, INT64_MAX},
		{"-9223372036854775808", 10, INT64_MIN},
		{"ff", 16, 255},
		{"0x1F", 0, 31},
		{"017", 0, 15},
		{"0o17", 0, 15},
		{"0O7", 0, 7},
		{"0644", 8, 0644},
		{"-0x10", 0, -16},
	};
	static const struct {
		const char *s;
		int base;
	} bad[] = {
		{"", 10}, {" 1", 10}, {"1 ", 10}, {"1x", 10}, {"x", 10}, {"-", 10}, {"+", 10},
		{"9223372036854775808", 10}, {"-9223372036854775809", 10}, {"1.5", 10},
		{"08", 0}, {"0x", 0}, {"0o", 0}, {"0o-7", 0}, {"0o 7", 0}, {"0o+7", 0},
		{"0o8", 0}, {"0o17", 8}, {"9", 8}, {"g", 16}, {"1", 1}, {"1", 37},
	};
	int64_t v = 0;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 12345;
		if (!vg_parse_i64(good[i].s, good[i].base, &v) || v != good[i].want)
			fail_msg("\"%s\" base %d: got %lld", good[i].s, good[i].base, (long long)v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (vg_parse_i64(bad[i].s, bad[i].base, &v))
			fail_msg("\"%s\" base %d was accepted", bad[i].s, bad[i].base);
	assert_false(vg_parse_i64(NULL, 10, &v));
}

static void test_parse_size(void **state)
{
	static const struct {
		const char *s;
		uint64_t want;
	} good[] = {
		{"0", 0},
		{"1000", 1000},
		{"512k", 512ull * 1024},
		{"512K", 512ull * 1024},
		{"10M", 10ull * 1024 * 1024},
		{"2G", 2ull * 1024 * 1024 * 1024},
		{"10MiB", 10ull * 1024 * 1024},
		{"1kb", 1024},
		{"1KB", 1024},
		{"18446744073709551615", UINT64_MAX},
		{"17179869183G", 17179869183ull << 30},
	};
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "1 k", "k", "1T", "1kx", "1kiBx", "1.5M", "0x10",
		"18446744073709551616",   /* past UINT64_MAX */
		"17179869184G",           /* 2^64 after the multiplier */
		"99999999999999999999k",
	};
	uint64_t v = 0;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 12345;
		if (!vg_parse_size(good[i].s, &v) || v != good[i].want)
			fail_msg("\"%s\": got %llu", good[i].s, (unsigned long long)v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (vg_parse_size(bad[i], &v))
			fail_msg("\"%s\" was accepted", bad[i]);
	assert_false(vg_parse_size(NULL, &v));
}

static void test_entropy(void **state)
{
	unsigned char all[256];

	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	assert_true(vg_entropy("", 0) == 0.0);
	assert_true(vg_entropy(NULL, 0) == 0.0);
	assert_true(vg_entropy("aaaa", 4) == 0.0);
	assert_true(fabs(vg_entropy("ab", 2) - 1.0) < 1e-9);
	assert_true(fabs(vg_entropy("abcdabcd", 8) - 2.0) < 1e-9);
	assert_true(fabs(vg_entropy((const char *)all, 256) - 8.0) < 1e-9);
	/* only len bytes count, NULs included */
	assert_true(fabs(vg_entropy("a\0b\0", 4) - 1.5) < 1e-9);
	assert_true(vg_entropy("abcd", 1) == 0.0);
	/* a random-looking key scores well above English-like text */
	assert_true(vg_entropy("AKIAIOSFODNN7EXAMPLEwJalrXUtnFEMIK7MDENGbPxRfiCY", 48) >
		    vg_entropy("the the the the the the the the the the the the ", 48));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_overflow),
		cmocka_unit_test(test_alloc_helpers),
		cmocka_unit_test(test_buf_append),
		cmocka_unit_test_setup_teardown(test_buf_max, buf_setup, buf_teardown),
		cmocka_unit_test_setup_teardown(test_buf_huge_lengths, buf_setup, buf_teardown),
		cmocka_unit_test_setup_teardown(test_buf_detach, buf_setup, buf_teardown),
		cmocka_unit_test(test_vec),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_utf8_len),
		cmocka_unit_test(test_shorten),
		cmocka_unit_test(test_parse_i64),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_entropy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
