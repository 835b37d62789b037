/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for formats/yaml: the node tree, positions, limits and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "formats/yaml.h"
#include "limits.h"
#include "testutil.h"
#include "util.h"

struct fixture {
	char dir[256];
	struct vg_diags diags;
	struct vg_error err;
	struct vg_ydoc *doc;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx || tu_mkdtemp(fx->dir, sizeof(fx->dir)) < 0) {
		free(fx);
		return -1;
	}
	vg_diags_init(&fx->diags);
	vg_error_clear(&fx->err);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	vg_ydoc_free(fx->doc);
	vg_diags_finish(&fx->diags);
	tu_rmtree(fx->dir);
	free(fx);
	return 0;
}

/* Parses s[0..len) into fx->doc, resetting what an earlier parse in the same test left. */
static int parse_n(struct fixture *fx, const char *s, size_t len)
{
	vg_ydoc_free(fx->doc);
	fx->doc = NULL;
	vg_diags_finish(&fx->diags);
	vg_diags_init(&fx->diags);
	vg_error_clear(&fx->err);
	return vg_ydoc_parse(&fx->doc, "t.yaml", s, len, &fx->diags, &fx->err);
}

static int parse(struct fixture *fx, const char *s)
{
	return parse_n(fx, s, strlen(s));
}

/* A failed parse: the code, no document, one diagnostic equal to err's text, which
 * starts with prefix ("t.yaml:L:C:") and contains want. */
static void check_failure(struct fixture *fx, int rc, int code, const char *prefix,
			  const char *want)
{
	assert_int_equal(rc, code);
	assert_null(fx->doc);
	assert_int_equal(fx->err.code, code);
	assert_int_equal(fx->diags.count, 1);
	assert_string_equal(fx->diags.msgs[0], fx->err.msg);
	if (strncmp(fx->err.msg, prefix, strlen(prefix)) != 0)
		fail_msg("message '%s' does not start with '%s'", fx->err.msg, prefix);
	if (want && !strstr(fx->err.msg, want))
		fail_msg("message '%s' does not contain '%s'", fx->err.msg, want);
}

static void check_pos(const struct vg_ynode *n, size_t line, size_t col)
{
	assert_non_null(n);
	if (n->line != line || n->col != col)
		fail_msg("node at %zu:%zu, expected %zu:%zu", n->line, n->col, line, col);
}

static void check_str(const struct vg_ynode *n, const char *s)
{
	assert_non_null(n);
	assert_int_equal(n->type, VG_YNODE_SCALAR);
	assert_int_equal(n->len, strlen(s));
	assert_memory_equal(n->str, s, n->len);
	assert_int_equal(n->str[n->len], '\0');
}

static const struct vg_ynode *get(const struct vg_ynode *map, const char *key)
{
	const struct vg_ynode *v = vg_ynode_get(map, key);

	if (!v)
		fail_msg("no key '%s'", key);
	return v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_nested_block(void **state)
{
	struct fixture *fx = *state;
	const struct vg_ynode *root, *rules, *r0, *tags, *check;
	const char *y =
		"pack: demo\n"
		"# comment\n"
		"rules:\n"
		"  - id: a.b\n"
		"    tags: [x, yy]\n"
		"    check:\n"
		"      type: file\n"
		"  - id: c\n";

	assert_int_equal(parse(fx, y), 0);
	assert_int_equal(fx->diags.count, 0);
	assert_string_equal(fx->doc->name, "t.yaml");
	root = fx->doc->root;
	assert_non_null(root);
	assert_int_equal(root->type, VG_YNODE_MAPPING);
	assert_int_equal(root->npairs, 2);
	check_pos(root, 1, 1);
	check_pos(root->pairs[0].key, 1, 1);
	check_str(get(root, "pack"), "demo");
	check_pos(get(root, "pack"), 1, 7);
	rules = get(root, "rules");
	assert_int_equal(rules->type, VG_YNODE_SEQUENCE);
	assert_int_equal(rules->nitems, 2);
	check_pos(rules, 4, 3);
	r0 = rules->items[0];
	assert_int_equal(r0->type, VG_YNODE_MAPPING);
	check_pos(r0, 4, 5);
	check_str(get(r0, "id"), "a.b");
	check_pos(get(r0, "id"), 4, 9);
	tags = get(r0, "tags");
	assert_int_equal(tags->type, VG_YNODE_SEQUENCE);
	check_pos(tags, 5, 11);
	assert_int_equal(tags->nitems, 2);
	check_str(tags->items[0], "x");
	check_pos(tags->items[0], 5, 12);
	check_str(tags->items[1], "yy");
	check_pos(tags->items[1], 5, 15);
	check = get(r0, "check");
	check_pos(check, 7, 7);
	check_str(get(check, "type"), "file");
	check_pos(get(check, "type"), 7, 13);
	check_str(get(rules->items[1], "id"), "c");
	check_pos(rules->items[1], 8, 5);
	/* pairs keep document order */
	check_str(r0->pairs[0].key, "id");
	check_str(r0->pairs[1].key, "tags");
	check_str(r0->pairs[2].key, "check");
	assert_null(vg_ynode_get(root, "missing"));
}

static void test_flow_style(void **state)
{
	struct fixture *fx = *state;
	const struct vg_ynode *root, *a, *m;

	assert_int_equal(parse(fx, "{a: [1, 2, {b: c}], d: \"e\", f: {}, g: []}"), 0);
	root = fx->doc->root;
	assert_int_equal(root->type, VG_YNODE_MAPPING);
	check_pos(root, 1, 1);
	assert_int_equal(root->npairs, 4);
	a = get(root, "a");
	assert_int_equal(a->type, VG_YNODE_SEQUENCE);
	check_pos(a, 1, 5);
	assert_int_equal(a->nitems, 3);
	check_str(a->items[0], "1");
	check_pos(a->items[1], 1, 9);
	m = a->items[2];
	assert_int_equal(m->type, VG_YNODE_MAPPING);
	check_pos(m, 1, 12);
	check_str(get(m, "b"), "c");
	check_pos(get(m, "b"), 1, 16);
	check_str(get(root, "d"), "e");
	assert_true(get(root, "d")->quoted);
	assert_int_equal(get(root, "f")->type, VG_YNODE_MAPPING);
	assert_int_equal(get(root, "f")->npairs, 0);
	assert_null(get(root, "f")->pairs);
	assert_int_equal(get(root, "g")->type, VG_YNODE_SEQUENCE);
	assert_int_equal(get(root, "g")->nitems, 0);

	/* multi-line flow collection */
	assert_int_equal(parse(fx, "x: [\n  one,\n  two\n]\n"), 0);
	a = get(fx->doc->root, "x");
	check_pos(a, 1, 4);
	check_pos(a->items[1], 3, 3);
}

static void test_block_scalars(void **state)
{
	struct fixture *fx = *state;
	const struct vg_ynode *root;
	const char *y =
		"lit: |\n"
		"  line1\n"
		"  line2\n"
		"fold: >\n"
		"  a\n"
		"  b\n"
		"strip: |-\n"
		"  z\n"
		"plain: one\n"
		"  two\n";

	assert_int_equal(parse(fx, y), 0);
	root = fx->doc->root;
	check_str(get(root, "lit"), "line1\nline2\n");
	assert_true(get(root, "lit")->quoted);
	check_pos(get(root, "lit"), 1, 6);
	check_str(get(root, "fold"), "a b\n");
	assert_true(get(root, "fold")->quoted);
	check_str(get(root, "strip"), "z");
	check_str(get(root, "plain"), "one two");
	assert_false(get(root, "plain")->quoted);
	check_pos(get(root, "plain"), 9, 8);
}

static void test_quoted_and_nul(void **state)
{
	struct fixture *fx = *state;
	const struct vg_ynode *root, *n;
	const char *y =
		"s: 'it''s'\n"
		"d: \"a\\0b\\tc\"\n"
		"p: plain\n"
		"qn: 'null'\n"
		"qt: \"true\"\n"
		"u: \"\\u00e9\"\n";

	assert_int_equal(parse(fx, y), 0);
	root = fx->doc->root;
	check_str(get(root, "s"), "it's");
	assert_true(get(root, "s")->quoted);
	n = get(root, "d");
	assert_true(n->quoted);
	assert_int_equal(n->len, 5);
	assert_memory_equal(n->str, "a\0b\tc", 6);
	assert_false(get(root, "p")->quoted);
	assert_false(vg_ynode_is_null(get(root, "qn")));
	assert_string_equal(vg_ynode_kind(get(root, "qn")), "string");
	assert_false(vg_ynode_as_bool(get(root, "qt"), NULL));
	check_str(get(root, "u"), "\xc3\xa9");
	assert_null(get(root, "s")->tag);
}

static void test_tags(void **state)
{
	struct fixture *fx = *state;
	const struct vg_ynode *root;
	long long v = 0;
	const char *y =
		"a: !!str 123\n"
		"b: !custom x\n"
		"c: !!map {k: v}\n"
		"d: !<tag:example.com,2024:thing> y\n"
		"e: !!seq [1]\n"
		"f: 7\n";

	assert_int_equal(parse(fx, y), 0);
	root = fx->doc->root;
	assert_string_equal(get(root, "a")->tag, "!!str");
	check_str(get(root, "a"), "123");
	/* an explicit !!str is a string, whatever it looks like */
	assert_false(vg_ynode_as_int(get(root, "a"), &v));
	assert_string_equal(get(root, "b")->tag, "!custom");
	assert_string_equal(get(root, "c")->tag, "!!map");
	assert_int_equal(get(root, "c")->type, VG_YNODE_MAPPING);
	assert_string_equal(get(root, "d")->tag, "tag:example.com,2024:thing");
	assert_string_equal(get(root, "e")->tag, "!!seq");
	assert_null(get(root, "f")->tag);
	assert_true(vg_ynode_as_int(get(root, "f"), &v));
	assert_int_equal(v, 7);
}

static void test_anchors_shared(void **state)
{
	struct fixture *fx = *state;
	const struct vg_ynode *root, *base;
	const char *y =
		"base: &b {k: v, n: [1, 2]}\n"
		"one: *b\n"
		"two: [*b, *b]\n"
		"s: &x first\n"
		"s1: *x\n"
		"s2: &x second\n"
		"s3: *x\n";

	assert_int_equal(parse(fx, y), 0);
	root = fx->doc->root;
	base = get(root, "base");
	assert_int_equal(base->type, VG_YNODE_MAPPING);
	assert_ptr_equal(get(root, "one"), base);
	assert_ptr_equal(get(root, "two")->items[0], base);
	assert_ptr_equal(get(root, "two")->items[1], base);
	check_pos(get(root, "one"), 1, 7);
	check_str(get(root, "s1"), "first");
	assert_ptr_equal(get(root, "s1"), get(root, "s"));
	/* a redefined anchor: the later definition wins from there on */
	check_str(get(root, "s3"), "second");
	assert_ptr_equal(get(root, "s3"), get(root, "s2"));
}

static void test_alias_errors(void **state)
{
	struct fixture *fx = *state;

	check_failure(fx, parse(fx, "a: 1\nb: *nope\n"), VG_EPARSE, "t.yaml:2:4:", "'*nope'");
	/* an alias used before its anchor is unknown too */
	check_failure(fx, parse(fx, "a: *x\nb: &x 1\n"), VG_EPARSE, "t.yaml:1:4:", "no anchor");
	/* an alias inside the node it names would make a cycle */
	check_failure(fx, parse(fx, "a: &x [1, *x]\n"), VG_EPARSE, "t.yaml:1:11:", "recursive");
	check_failure(fx, parse(fx, "a: &m\n  b: *m\n"), VG_EPARSE, "t.yaml:2:6:", "recursive");
}

/* "billion laughs": 9 levels of 10 aliases each would be 10^9 nodes. */
static void test_billion_laughs(void **state)
{
	struct fixture *fx = *state;
	struct vg_buf b;
	double t0;
	int rc;

	vg_buf_init(&b, 0);
	assert_int_equal(vg_buf_puts(&b, "a: &a [lol, lol, lol, lol, lol, "
				     "lol, lol, lol, lol, lol]\n"), 0);
	for (char lvl = 'b'; lvl <= 'i'; lvl++) {
		assert_int_equal(vg_buf_printf(&b, "%c: &%c [", lvl, lvl), 0);
		for (int i = 0; i < 10; i++)
			assert_int_equal(vg_buf_printf(&b, "%s*%c", i ? ", " : "", lvl - 1), 0);
		assert_int_equal(vg_buf_puts(&b, "]\n"), 0);
	}
	t0 = now();
	rc = parse_n(fx, b.data, b.len);
	assert_true(now() - t0 < 2.0);
	/* 1 + 10 * 111111 nodes are reached in level f, line 6 */
	check_failure(fx, rc, VG_ELIMIT, "t.yaml:6:", "more than 1000000 nodes");
	vg_buf_finish(&b);
}

/* Aliases count as the size of what they point to, also for a single large anchor. */
static void test_alias_expansion_counted(void **state)
{
	struct fixture *fx = *state;
	struct vg_buf b;
	int rc;

	vg_buf_init(&b, 0);
	assert_int_equal(vg_buf_puts(&b, "a: &a ["), 0);
	for (int i = 0; i < 9999; i++)
		assert_int_equal(vg_buf_puts(&b, "x,"), 0);
	assert_int_equal(vg_buf_puts(&b, "x]\nb: ["), 0);
	/* 10001 nodes per alias, 10005 besides: 98 of them stay under the cap, 99 do not */
	for (int i = 0; i < 98; i++)
		assert_int_equal(vg_buf_puts(&b, "*a,"), 0);
	assert_int_equal(vg_buf_puts(&b, "]\n"), 0);
	assert_int_equal(parse_n(fx, b.data, b.len), 0);
	assert_int_equal(get(fx->doc->root, "b")->nitems, 98);
	b.len -= 2;
	assert_int_equal(vg_buf_puts(&b, "*a]\n"), 0);
	rc = parse_n(fx, b.data, b.len);
	check_failure(fx, rc, VG_ELIMIT, "t.yaml:2:", "nodes");
	vg_buf_finish(&b);
}

static void test_alias_count_limit(void **state)
{
	struct fixture *fx = *state;
	struct vg_buf b;
	int rc;

	vg_buf_init(&b, 0);
	assert_int_equal(vg_buf_puts(&b, "a: &x 1\nb:\n"), 0);
	for (int i = 0; i < VG_MAX_YAML_ALIASES; i++)
		assert_int_equal(vg_buf_puts(&b, "- *x\n"), 0);
	assert_int_equal(parse_n(fx, b.data, b.len), 0);
	assert_int_equal(get(fx->doc->root, "b")->nitems, VG_MAX_YAML_ALIASES);
	assert_int_equal(vg_buf_puts(&b, "- *x\n"), 0);
	rc = parse_n(fx, b.data, b.len);
	check_failure(fx, rc, VG_ELIMIT, "t.yaml:10003:3:", "more than 10000 aliases");
	vg_buf_finish(&b);
}

static void test_node_limit(void **state)
{
	struct fixture *fx = *state;
	struct vg_buf b;
	int rc;

	/* VG_MAX_YAML_NODES plain nodes: the sequence and its items */
	vg_buf_init(&b, 0);
	assert_int_equal(vg_buf_putc(&b, '['), 0);
	for (int i = 0; i < VG_MAX_YAML_NODES - 1; i++)
		assert_int_equal(vg_buf_puts(&b, "1,"), 0);
	assert_int_equal(vg_buf_putc(&b, ']'), 0);
	assert_int_equal(parse_n(fx, b.data, b.len), 0);
	assert_int_equal(fx->doc->root->nitems, VG_MAX_YAML_NODES - 1);
	b.len--;
	assert_int_equal(vg_buf_puts(&b, "1]"), 0);
	rc = parse_n(fx, b.data, b.len);
	check_failure(fx, rc, VG_ELIMIT, "t.yaml:1:2000000:", "nodes");
	vg_buf_finish(&b);
}

static void test_depth(void **state)
{
	struct fixture *fx = *state;
	size_t n = 10000;
	char *s = malloc(2 * n + 1);
	const struct vg_ynode *node;
	struct vg_buf b;
	double t0;
	int rc;

	assert_non_null(s);
	memset(s, '[', n);
	memset(s + n, ']', n);
	s[2 * n] = '\0';
	t0 = now();
	rc = parse(fx, s);
	assert_true(now() - t0 < 2.0);
	check_failure(fx, rc, VG_ELIMIT, "t.yaml:1:65:", "nesting deeper than 64");
	/* exactly the limit is fine */
	memmove(s + VG_MAX_YAML_DEPTH, s + 2 * n - VG_MAX_YAML_DEPTH, VG_MAX_YAML_DEPTH + 1);
	assert_int_equal(parse(fx, s), 0);
	node = fx->doc->root;
	for (int i = 1; i < VG_MAX_YAML_DEPTH; i++) {
		assert_int_equal(node->nitems, 1);
		node = node->items[0];
	}
	assert_int_equal(node->type, VG_YNODE_SEQUENCE);
	assert_int_equal(node->nitems, 0);
	/* block mappings count the same way */
	vg_buf_init(&b, 0);
	for (int i = 0; i <= VG_MAX_YAML_DEPTH; i++)
		assert_int_equal(vg_buf_printf(&b, "%*sk:\n", i, ""), 0);
	rc = parse_n(fx, b.data, b.len);
	check_failure(fx, rc, VG_ELIMIT, "t.yaml:65:65:", "nesting");
	vg_buf_finish(&b);
	free(s);
}

/* A long %TAG prefix applied to many short tags must not multiply the input. */
static void test_tag_bomb(void **state)
{
	struct fixture *fx = *state;
	struct vg_buf b;
	double t0;
	int rc;

	vg_buf_init(&b, 0);
	assert_int_equal(vg_buf_puts(&b, "%TAG !e! tag:x,2000:"), 0);
	while (b.len < 1024 * 1024)
		assert_int_equal(vg_buf_putc(&b, 'p'), 0);
	assert_int_equal(vg_buf_puts(&b, "\n---\n"), 0);
	for (int i = 0; i < 7; i++)
		assert_int_equal(vg_buf_puts(&b, "- !e!a\n"), 0);
	assert_int_equal(parse_n(fx, b.data, b.len), 0);
	assert_int_equal(fx->doc->root->nitems, 7);
	/* "%TAG !e! " is not part of the prefix, the suffix "a" is */
	assert_int_equal(strlen(fx->doc->root->items[6]->tag), 1024 * 1024 - 9 + 1);
	for (int i = 0; i < 2000; i++)
		assert_int_equal(vg_buf_puts(&b, "- !e!a\n"), 0);
	t0 = now();
	rc = parse_n(fx, b.data, b.len);
	assert_true(now() - t0 < 2.0);
	/* 8 tags fit in 8 MiB, the 9th (line 11) does not */
	check_failure(fx, rc, VG_ELIMIT, "t.yaml:11:3:", "tags add up to more than");
	vg_buf_finish(&b);
}

static void test_size_limits(void **state)
{
	struct fixture *fx = *state;
	size_t big = VG_MAX_POLICY_BYTES + 1;
	char *s = malloc(big);
	int rc;

	assert_non_null(s);
	memset(s, ' ', big);
	rc = parse_n(fx, s, big);
	check_failure(fx, rc, VG_ELIMIT, "t.yaml:1:1:", "larger than the limit");
	/* one scalar: the cap is fine, one byte more is not */
	memcpy(s, "k: ", 3);
	memset(s + 3, 'a', VG_MAX_SCALAR_BYTES);
	assert_int_equal(parse_n(fx, s, 3 + VG_MAX_SCALAR_BYTES), 0);
	assert_int_equal(get(fx->doc->root, "k")->len, VG_MAX_SCALAR_BYTES);
	memset(s + 3, 'a', VG_MAX_SCALAR_BYTES + 1);
	rc = parse_n(fx, s, 4 + VG_MAX_SCALAR_BYTES);
	check_failure(fx, rc, VG_ELIMIT, "t.yaml:1:4:", "scalar of 1048577 bytes");
	free(s);
}

static void test_duplicate_keys(void **state)
{
	struct fixture *fx = *state;
	const struct vg_ynode *root;

	check_failure(fx, parse(fx, "a: 1\nb: 2\na: 3\n"), VG_EPARSE, "t.yaml:3:1:",
		      "duplicate key 'a' (first at line 1)");
	check_failure(fx, parse(fx, "x:\n  y: 1\n  'y': 2\n"), VG_EPARSE, "t.yaml:3:3:",
		      "duplicate key 'y' (first at line 2)");
	check_failure(fx, parse(fx, "{k: 1, k: 2}"), VG_EPARSE, "t.yaml:1:8:",
		      "duplicate key 'k'");
	check_failure(fx, parse(fx, "&n a: 1\n*n : 2\n"), VG_EPARSE, "t.yaml:2:1:",
		      "duplicate key 'a'");
	/* the shown key is cut and made printable */
	check_failure(fx, parse(fx, "\"a\\nb\": 1\n\"a\\nb\": 2\n"), VG_EPARSE, "t.yaml:2:1:",
		      "duplicate key 'a?b'");
	/* the same key in different mappings, and keys differing only after a NUL, are fine */
	assert_int_equal(parse(fx, "a: {x: 1}\nb: {x: 2}\n\"k\\0a\": 1\n\"k\\0b\": 2\nk: 3\n"), 0);
	root = fx->doc->root;
	assert_int_equal(root->npairs, 5);
	check_str(get(root, "k"), "3");
	/* keys that are not scalars are kept and never compared */
	assert_int_equal(parse(fx, "? [a, b]\n: 1\n? [a, b]\n: 2\n[c]: 3\nd: 4\n"), 0);
	root = fx->doc->root;
	assert_int_equal(root->npairs, 4);
	assert_int_equal(root->pairs[0].key->type, VG_YNODE_SEQUENCE);
	check_pos(root->pairs[0].key, 1, 3);
	check_str(root->pairs[0].value, "1");
	check_str(get(root, "d"), "4");
	assert_null(vg_ynode_get(root, "a"));
}

static void test_multi_document(void **state)
{
	struct fixture *fx = *state;

	check_failure(fx, parse(fx, "a: 1\n---\nb: 2\n"), VG_EPARSE, "t.yaml:2:1:",
		      "more than one document");
	check_failure(fx, parse(fx, "--- a\n--- b\n"), VG_EPARSE, "t.yaml:2:1:", "document");
	check_failure(fx, parse(fx, "a: 1\n...\n---\n"), VG_EPARSE, "t.yaml:3:1:", "document");
	/* one explicit document, with an end marker, is fine */
	assert_int_equal(parse(fx, "%YAML 1.1\n---\na: 1\n...\n"), 0);
	check_str(get(fx->doc->root, "a"), "1");
	check_pos(fx->doc->root, 3, 1);
}

static void test_syntax_errors(void **state)
{
	struct fixture *fx = *state;

	/* a tab used for indentation */
	check_failure(fx, parse(fx, "a:\n  b: 1\n\tc: 2\n"), VG_EPARSE, "t.yaml:3:1:",
		      "tab character that violates indentation");
	check_failure(fx, parse(fx, "a: 1\nb: 2\n\t- c\n"), VG_EPARSE, "t.yaml:3:", NULL);
	/* an unclosed quote: the message says where the scalar started */
	/* an unclosed quote or bracket runs to the end of the file: the error points at
	 * where it was opened */
	check_failure(fx, parse(fx, "a: 1\nb: 2\nc: \"open\nd: 4\n\n"), VG_EPARSE, "t.yaml:3:4:",
		      "end of stream while scanning a quoted scalar that is not closed");
	check_failure(fx, parse(fx, "a: 1\nb: 2\nc: 'open"), VG_EPARSE, "t.yaml:3:4:",
		      "end of stream");
	check_failure(fx, parse(fx, "a: 1\nb: {c: 1\n"), VG_EPARSE, "t.yaml:2:4:",
		      "flow mapping that is not closed");
	/* otherwise at the problem, with where the construct began */
	check_failure(fx, parse(fx, "a: [1, 2\nb: 3\n"), VG_EPARSE, "t.yaml:2:2:",
		      "(while parsing a flow sequence started at line 1, column 4)");
	check_failure(fx, parse(fx, "a: |\n  x\n y: 1\n"), VG_EPARSE, "t.yaml:3:2:",
		      "block mapping");
	check_failure(fx, parse(fx, "a: 1\nb: @x\n"), VG_EPARSE, "t.yaml:2:4:",
		      "found character that cannot start any token while scanning");
	check_failure(fx, parse(fx, "a: b: c\n"), VG_EPARSE, "t.yaml:1:5:", "mapping values");
	check_failure(fx, parse(fx, "key: value\n  bad: indent\n"), VG_EPARSE, "t.yaml:2:", NULL);
	check_failure(fx, parse(fx, "- a\nb: c\n"), VG_EPARSE, "t.yaml:2:1:", NULL);
	check_failure(fx, parse(fx, "a: \"\\q\"\n"), VG_EPARSE, "t.yaml:1:5:", "escape");
	check_failure(fx, parse(fx, "a: &\n"), VG_EPARSE, "t.yaml:1:5:", "anchor");
	check_failure(fx, parse(fx, "%YAML 2.0\n---\na\n"), VG_EPARSE, "t.yaml:1:", NULL);
}

static void test_bad_bytes(void **state)
{
	struct fixture *fx = *state;
	static const char nul[] = "a: 1\nb: x\0y\n";
	static const char utf8[] = "a: 1\nbb: \xc3\xa9\xff\n";

	check_failure(fx, parse_n(fx, nul, sizeof(nul) - 1), VG_EPARSE, "t.yaml:2:5:",
		      "control characters");
	check_failure(fx, parse_n(fx, utf8, sizeof(utf8) - 1), VG_EPARSE, "t.yaml:2:6:",
		      "UTF-8");
	/* UTF-16 is not read as such: policies are UTF-8 */
	check_failure(fx, parse_n(fx, "\xff\xfe" "a\0:\0", 6), VG_EPARSE, "t.yaml:1:1:", NULL);
	check_failure(fx, parse(fx, "a: \xe2\x82\n"), VG_EPARSE, "t.yaml:1:", "UTF-8");
}

/* Random bytes, prefixes of a real document and mutations of it: a clean result or a
 * clean error, never a crash (run under the sanitizers). */
static void test_garbage(void **state)
{
	struct fixture *fx = *state;
	const char *good =
		"pack: demo\n"
		"vars: {a: &v 1, b: [*v, \"q\\0\"]}\n"
		"rules:\n"
		"  - id: x\n"
		"    text: |\n"
		"      block\n"
		"    tag: !!str 5\n"
		"    ? [k]\n"
		"    : 'v'\n";
	size_t glen = strlen(good);
	char buf[512];
	unsigned seed = 12345;
	int rc;

	srand(seed);
	for (int iter = 0; iter < 2000; iter++) {
		size_t n = (size_t)rand() % sizeof(buf);

		for (size_t i = 0; i < n; i++)
			buf[i] = (char)(rand() & 0xff);
		rc = parse_n(fx, buf, n);
		if (rc == 0)
			continue;
		assert_true(rc == VG_EPARSE || rc == VG_ELIMIT);
		assert_null(fx->doc);
		assert_int_equal(fx->diags.count, 1);
		assert_int_equal(strncmp(fx->err.msg, "t.yaml:", 7), 0);
	}
	/* 256 random bytes with the high bit set are never valid UTF-8 at the start */
	for (int i = 0; i < 256; i++)
		buf[i] = (char)(0x80 | (rand() & 0x3f));
	check_failure(fx, parse_n(fx, buf, 256), VG_EPARSE, "t.yaml:1:1:", "UTF-8");

	assert_int_equal(parse_n(fx, good, glen), 0);
	for (size_t cut = 0; cut < glen; cut++) {
		rc = parse_n(fx, good, cut);
		assert_true(rc == 0 || rc == VG_EPARSE);
		if (rc)
			assert_int_equal(fx->diags.count, 1);
	}
	check_failure(fx, parse_n(fx, good, 30), VG_EPARSE, "t.yaml:", NULL);
	for (int iter = 0; iter < 3000; iter++) {
		memcpy(buf, good, glen);
		for (int k = 0; k < 1 + rand() % 4; k++)
			buf[(size_t)rand() % glen] = (char)(rand() & 0xff);
		rc = parse_n(fx, buf, glen);
		assert_true(rc == 0 || rc == VG_EPARSE || rc == VG_ELIMIT);
		assert_int_equal(fx->diags.count, rc ? 1 : 0);
	}
}

static void test_empty(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(parse(fx, ""), 0);
	assert_non_null(fx->doc);
	assert_null(fx->doc->root);
	assert_int_equal(parse(fx, "# only\n   # comments\n\n"), 0);
	assert_null(fx->doc->root);
	assert_int_equal(parse_n(fx, NULL, 0), 0);
	assert_null(fx->doc->root);
	assert_int_equal(fx->diags.count, 0);
	/* an explicit empty document is a null scalar */
	assert_int_equal(parse(fx, "---\n"), 0);
	assert_non_null(fx->doc->root);
	assert_true(vg_ynode_is_null(fx->doc->root));
	/* a lone scalar document */
	assert_int_equal(parse(fx, "hello"), 0);
	check_str(fx->doc->root, "hello");
	check_pos(fx->doc->root, 1, 1);
	/* a missing value is a null scalar */
	assert_int_equal(parse(fx, "a:\nb: 1\n"), 0);
	assert_true(vg_ynode_is_null(get(fx->doc->root, "a")));
	check_pos(get(fx->doc->root, "a"), 1, 3);
	/* no output pointer, or a NULL buffer with a length */
	vg_ydoc_free(fx->doc);
	fx->doc = NULL;
	assert_int_equal(vg_ydoc_parse(NULL, "t.yaml", "a", 1, NULL, &fx->err), VG_ERROR);
	assert_int_equal(vg_ydoc_parse(&fx->doc, "t.yaml", NULL, 3, NULL, NULL), VG_ERROR);
	assert_null(fx->doc);
	vg_ydoc_free(NULL);
}

static void test_bom_crlf(void **state)
{
	struct fixture *fx = *state;
	const struct vg_ynode *root;

	assert_int_equal(parse(fx, "\xef\xbb\xbf" "a: 1\r\nb:\r\n  - x\r\n"), 0);
	root = fx->doc->root;
	check_str(get(root, "a"), "1");
	check_pos(get(root, "b")->items[0], 3, 5);
	/* diagnostics count lines the way libyaml does, CR LF once */
	check_failure(fx, parse(fx, "a: 1\r\nb: 2\r\nc: \xff\r\n"), VG_EPARSE, "t.yaml:3:4:",
		      "UTF-8");
	/* lone CR, NEL and LS are line breaks as well */
	check_failure(fx, parse(fx, "a: 1\rb: 2\xc2\x85" "c: 3\xe2\x80\xa8" "dd: \xff"), VG_EPARSE,
		      "t.yaml:4:5:", "UTF-8");
}

static void test_helpers(void **state)
{
	struct fixture *fx = *state;
	const struct vg_ynode *r;
	long long v = 42;
	bool b = false;
	const char *y =
		"nulls: [~, null, Null, NULL, '', \"null\", nil, NuLL, '~']\n"
		"bools: [true, True, TRUE, false, False, FALSE, 'true', yes, tRue, on]\n"
		"ints: [0, -0, +17, 007, 0x1F, 0xff, 0o17, 9223372036854775807,\n"
		"       -9223372036854775808, 9223372036854775808, -9223372036854775809,\n"
		"       0x7fffffffffffffff, 0x8000000000000000, 0x, 0o, 0o8, 0b1, 1_000,\n"
		"       1.5, '1', -0x1, +, -, ' 1', 0X1F, 12a, \"\\x31\\0\"]\n"
		"empty:\n";

	assert_int_equal(parse(fx, y), 0);
	r = fx->doc->root;

	/* is_null */
	{
		const struct vg_ynode *n = get(r, "nulls");
		const bool want[] = { true, true, true, true, false, false, false, false, false };

		assert_int_equal(n->nitems, 9);
		for (size_t i = 0; i < n->nitems; i++)
			assert_int_equal(vg_ynode_is_null(n->items[i]), want[i]);
		assert_true(vg_ynode_is_null(get(r, "empty")));
		assert_false(vg_ynode_is_null(NULL));
		assert_false(vg_ynode_is_null(n));
		assert_string_equal(vg_ynode_kind(n->items[0]), "null");
		assert_string_equal(vg_ynode_kind(n->items[4]), "string");
	}
	/* as_bool */
	{
		const struct vg_ynode *n = get(r, "bools");
		const int want[] = { 1, 1, 1, 0, 0, 0, -1, -1, -1, -1 };

		assert_int_equal(n->nitems, 10);
		for (size_t i = 0; i < n->nitems; i++) {
			b = !(want[i] == 1);
			assert_int_equal(vg_ynode_as_bool(n->items[i], &b), want[i] >= 0);
			if (want[i] >= 0)
				assert_int_equal(b, want[i] == 1);
		}
		assert_false(vg_ynode_as_bool(NULL, &b));
		assert_false(vg_ynode_as_bool(n, &b));
		assert_true(vg_ynode_as_bool(n->items[0], NULL));
	}
	/* as_int */
	{
		const struct vg_ynode *n = get(r, "ints");
		struct {
			bool ok;
			long long v;
		} want[] = {
			{ true, 0 }, { true, 0 }, { true, 17 }, { true, 7 }, { true, 31 },
			{ true, 255 }, { true, 15 }, { true, 9223372036854775807LL },
			{ true, -9223372036854775807LL - 1 }, { false, 0 }, { false, 0 },
			{ true, 9223372036854775807LL }, { false, 0 }, { false, 0 }, { false, 0 },
			{ false, 0 }, { false, 0 }, { false, 0 }, { false, 0 }, { false, 0 },
			{ false, 0 }, { false, 0 }, { false, 0 }, { false, 0 }, { false, 0 },
			{ false, 0 }, { false, 0 },
		};

		assert_int_equal(n->nitems, sizeof(want) / sizeof(want[0]));
		for (size_t i = 0; i < n->nitems; i++) {
			v = 42;
			if (vg_ynode_as_int(n->items[i], &v) != want[i].ok)
				fail_msg("item %zu '%s': expected %s", i, n->items[i]->str,
					 want[i].ok ? "an int" : "no int");
			assert_true(want[i].ok ? v == want[i].v : v == 42);
		}
		assert_false(vg_ynode_as_int(NULL, &v));
		assert_false(vg_ynode_as_int(n, &v));
		assert_true(vg_ynode_as_int(n->items[2], NULL));
		assert_string_equal(vg_ynode_kind(n->items[0]), "string");
	}
	/* get and kind */
	assert_null(vg_ynode_get(NULL, "a"));
	assert_null(vg_ynode_get(r, NULL));
	assert_null(vg_ynode_get(get(r, "ints"), "0"));
	assert_null(vg_ynode_get(get(r, "ints")->items[0], "0"));
	assert_string_equal(vg_ynode_kind(r), "mapping");
	assert_string_equal(vg_ynode_kind(get(r, "ints")), "sequence");
	assert_string_equal(vg_ynode_kind(NULL), "null");
	/* a key holding a NUL does not match its prefix */
	assert_int_equal(parse(fx, "\"k\\0x\": 1\n"), 0);
	assert_null(vg_ynode_get(fx->doc->root, "k"));
}

static void test_load_file(void **state)
{
	struct fixture *fx = *state;
	const char *y = "pack: demo\nrules:\n  - id: a\n";
	char path[512];
	int rc;

	snprintf(path, sizeof(path), "%s/policy.yaml", fx->dir);
	tu_put(fx->dir, "policy.yaml", y);
	assert_int_equal(vg_ydoc_load(&fx->doc, path, &fx->diags, &fx->err), 0);
	assert_string_equal(fx->doc->name, path);
	check_str(get(fx->doc->root, "pack"), "demo");
	check_pos(get(get(fx->doc->root, "rules")->items[0], "id"), 3, 9);
	vg_ydoc_free(fx->doc);
	fx->doc = NULL;

	/* errors name the file */
	tu_put(fx->dir, "policy.yaml", "a: 1\na: 2\n");
	rc = vg_ydoc_load(&fx->doc, path, &fx->diags, &fx->err);
	assert_int_equal(rc, VG_EPARSE);
	assert_null(fx->doc);
	assert_int_equal(fx->diags.count, 1);
	assert_true(strncmp(fx->diags.msgs[0], path, strlen(path)) == 0);
	assert_non_null(strstr(fx->diags.msgs[0], ":2:1: duplicate key 'a'"));
	vg_diags_finish(&fx->diags);
	vg_diags_init(&fx->diags);

	/* a missing file: the reader's code and a path:1:1 diagnostic */
	unlink(path);
	rc = vg_ydoc_load(&fx->doc, path, &fx->diags, &fx->err);
	assert_int_equal(rc, VG_ENOTFOUND);
	assert_int_equal(fx->err.code, VG_ENOTFOUND);
	assert_null(fx->doc);
	assert_int_equal(fx->diags.count, 1);
	assert_true(strncmp(fx->diags.msgs[0], path, strlen(path)) == 0);
	assert_non_null(strstr(fx->diags.msgs[0], ":1:1: "));
	/* err may be NULL */
	assert_int_equal(vg_ydoc_load(&fx->doc, path, NULL, NULL), VG_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nested_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flow_style, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_scalars, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quoted_and_nul, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_anchors_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_billion_laughs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_expansion_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_count_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tag_bomb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multi_document, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bom_crlf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_helpers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_file, setup, teardown),
	};

	return cmocka_run_group_tests_name("yaml", tests, NULL, NULL);
}
