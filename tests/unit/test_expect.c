/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for policy/expect and the parse context: parse, evaluate, describe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "formats/yaml.h"
#include "policy/expect.h"
#include "policy/pctx.h"
#include "policy/policy.h"
#include "util.h"

/* The variables every test can refer to with {var: NAME}. */
static const char vars_pack[] =
	"pack: e\n"
	"title: Expectation variables\n"
	"vars:\n"
	"  owner: root\n"
	"  limit: 5\n"
	"  hexlimit: 0x20\n"
	"  pattern: '^ab+$'\n"
	"  mode: \"0640\"\n"
	"  symbolic: u=rw,g=r\n"
	"  empty: \"\"\n"
	"rules: []\n";

struct fixture {
	struct vg_policy *pol;
	struct vg_diags diags;
	struct vg_pctx pc;
	struct vg_ydoc *doc;
	struct vg_expect e;
	char *why;
	char *desc;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct vg_diags d;
	struct vg_error err = {0};

	if (!fx)
		return -1;
	vg_diags_init(&d);
	if (vg_policy_load_string(&fx->pol, "vars.yaml", vars_pack, strlen(vars_pack), &d,
				  &err) < 0) {
		for (size_t i = 0; i < d.count; i++)
			fprintf(stderr, "%s\n", d.msgs[i]);
		vg_diags_finish(&d);
		free(fx);
		return -1;
	}
	vg_diags_finish(&d);
	vg_diags_init(&fx->diags);
	vg_pctx_init(&fx->pc, "e.yaml", &fx->diags, fx->pol);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	vg_expect_finish(&fx->e);
	vg_pctx_finish(&fx->pc);
	vg_ydoc_free(fx->doc);
	vg_diags_finish(&fx->diags);
	vg_policy_free(fx->pol);
	free(fx->why);
	free(fx->desc);
	free(fx);
	return 0;
}

/* Forgets what an earlier parse in the same test left. */
static void reset(struct fixture *fx)
{
	vg_expect_finish(&fx->e);
	vg_pctx_finish(&fx->pc);
	vg_ydoc_free(fx->doc);
	fx->doc = NULL;
	vg_diags_finish(&fx->diags);
	vg_diags_init(&fx->diags);
	vg_pctx_init(&fx->pc, "e.yaml", &fx->diags, fx->pol);
}

static void dump_diags(const struct fixture *fx)
{
	for (size_t i = 0; i < fx->diags.count; i++)
		fprintf(stderr, "  diag: %s\n", fx->diags.msgs[i]);
}

/* Parses YAML text into fx->doc; the test fails on a YAML error. */
static const struct vg_ynode *yaml(struct fixture *fx, const char *text)
{
	struct vg_error err = {0};

	reset(fx);
	if (vg_ydoc_parse(&fx->doc, "e.yaml", text, strlen(text), &fx->diags, &err) < 0) {
		dump_diags(fx);
		fail();
	}
	return fx->doc->root;
}

/* Parses text as an expectation into fx->e. */
static int parse(struct fixture *fx, const char *text, bool only_own)
{
	const struct vg_ynode *root = yaml(fx, text);

	return vg_expect_parse(&fx->e, &fx->pc, root, only_own);
}

static void parse_ok(struct fixture *fx, const char *text)
{
	int rc = parse(fx, text, true);

	if (rc != 0 || fx->diags.count) {
		fprintf(stderr, "parsing %s failed: %d\n", text, rc);
		dump_diags(fx);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(fx->diags.count, 0);
	assert_int_equal(fx->pc.errors, 0);
}

/* Asserts parsing failed with exactly one diagnostic "e.yaml:where: ...needle...". */
static void parse_fails(struct fixture *fx, const char *text, bool only_own, const char *where,
			const char *needle)
{
	int rc = parse(fx, text, only_own);
	char *prefix = vg_asprintf("e.yaml:%s: ", where);

	if (rc != VG_EPARSE || fx->diags.count != 1 ||
	    strncmp(fx->diags.msgs[0], prefix, strlen(prefix)) ||
	    !strstr(fx->diags.msgs[0], needle)) {
		fprintf(stderr, "parsing %s: rc %d, want one '%s...%s'\n", text, rc, prefix, needle);
		dump_diags(fx);
		free(prefix);
		fail();
	}
	free(prefix);
	/* a failed parse leaves nothing to free and nothing half set */
	assert_int_equal(fx->e.has, 0);
	assert_null(fx->e.equals);
	assert_null(fx->e.in);
	assert_null(fx->e.matches);
	assert_int_equal(fx->pc.errors, 1);
}

/* Evaluates fx->e on value and checks the outcome and the explanation. */
static void eval(struct fixture *fx, const char *value, bool want, const char *why)
{
	bool got;

	free(fx->why);
	fx->why = NULL;
	got = vg_expect_eval(&fx->e, value, &fx->why);
	if (got != want || (why && (!fx->why || strcmp(fx->why, why))) || (!why && fx->why)) {
		fprintf(stderr, "eval '%s': %d, want %d; why '%s', want '%s'\n",
			value ? value : "(absent)", got, want, fx->why ? fx->why : "(none)",
			why ? why : "(none)");
		fail();
	}
	/* the result does not depend on whether an explanation is asked for */
	assert_int_equal(vg_expect_eval(&fx->e, value, NULL), want);
}

static void describe(struct fixture *fx, const char *want)
{
	free(fx->desc);
	fx->desc = vg_expect_describe(&fx->e);
	assert_non_null(fx->desc);
	assert_string_equal(fx->desc, want);
}

/* ---- the vocabulary ---- */

static void test_scalar_is_equals(void **state)
{
	struct fixture *fx = *state;

	parse_ok(fx, "root");
	assert_int_equal(fx->e.has, VG_EXPECT_EQUALS);
	assert_string_equal(fx->e.equals, "root");
	eval(fx, "root", true, NULL);
	eval(fx, "Root", false, "is 'Root', expected 'root'");
	eval(fx, "root ", false, "is 'root ', expected 'root'");
	eval(fx, "", false, "is '', expected 'root'");
	eval(fx, NULL, false, "is not set");
	describe(fx, "equals 'root'");

	/* numbers and booleans keep their text */
	parse_ok(fx, "0");
	assert_string_equal(fx->e.equals, "0");
	eval(fx, "0", true, NULL);
	eval(fx, "00", false, "is '00', expected '0'");
	parse_ok(fx, "\"\"");
	eval(fx, "", true, NULL);
}

static void test_equals_nocase(void **state)
{
	struct fixture *fx = *state;

	parse_ok(fx, "{equals: Yes}");
	eval(fx, "Yes", true, NULL);
	eval(fx, "yes", false, "is 'yes', expected 'Yes'");
	describe(fx, "equals 'Yes'");
	parse_ok(fx, "{equals: Yes, nocase: true}");
	assert_int_equal(fx->e.has, VG_EXPECT_EQUALS | VG_EXPECT_NOCASE);
	eval(fx, "yes", true, NULL);
	eval(fx, "YES", true, NULL);
	eval(fx, "yess", false, "is 'yess', expected 'Yes'");
	describe(fx, "equals 'Yes' (ignoring case)");
	parse_ok(fx, "{equals: Yes, nocase: false}");
	assert_int_equal(fx->e.has, VG_EXPECT_EQUALS);
	eval(fx, "yes", false, "is 'yes', expected 'Yes'");
}

static void test_in(void **state)
{
	struct fixture *fx = *state;

	parse_ok(fx, "{in: [yes, no]}");
	assert_int_equal(fx->e.has, VG_EXPECT_IN);
	assert_int_equal(fx->e.nin, 2);
	assert_string_equal(fx->e.in[1], "no");
	assert_null(fx->e.in[2]);
	eval(fx, "yes", true, NULL);
	eval(fx, "no", true, NULL);
	eval(fx, "NO", false, "is 'NO', expected one of [yes, no]");
	eval(fx, "maybe", false, "is 'maybe', expected one of [yes, no]");
	eval(fx, NULL, false, "is not set");
	describe(fx, "in [yes, no]");

	/* a single scalar is a list of one */
	parse_ok(fx, "{in: prohibit-password}");
	assert_int_equal(fx->e.nin, 1);
	eval(fx, "prohibit-password", true, NULL);

	parse_ok(fx, "{in: [Yes, No], nocase: true}");
	eval(fx, "NO", true, NULL);
	eval(fx, "nope", false, "is 'nope', expected one of [Yes, No]");
	describe(fx, "in [Yes, No] (ignoring case)");
}

static void test_not_in(void **state)
{
	struct fixture *fx = *state;

	parse_ok(fx, "{not_in: [telnet, rsh]}");
	assert_int_equal(fx->e.has, VG_EXPECT_NOT_IN);
	assert_int_equal(fx->e.nnot_in, 2);
	eval(fx, "ssh", true, NULL);
	eval(fx, "Telnet", true, NULL);
	eval(fx, "telnet", false, "is 'telnet', which is not allowed");
	eval(fx, "rsh", false, "is 'rsh', which is not allowed");
	/* nothing set is nothing forbidden */
	eval(fx, NULL, true, NULL);
	describe(fx, "not in [telnet, rsh]");

	parse_ok(fx, "{not_in: [telnet], nocase: true}");
	eval(fx, "TELNET", false, "is 'TELNET', which is not allowed");
	eval(fx, NULL, true, NULL);

	/* with anything else, an absent value is a failure again */
	parse_ok(fx, "{not_in: [telnet], matches: '^[a-z]+$'}");
	eval(fx, NULL, false, "is not set");
	eval(fx, "ssh", true, NULL);
	parse_ok(fx, "{not_in: [telnet], exists: true}");
	eval(fx, NULL, false, "is not set");

	/* an empty not_in forbids nothing */
	parse_ok(fx, "{not_in: []}");
	eval(fx, "anything", true, NULL);
}

static void test_matches(void **state)
{
	struct fixture *fx = *state;

	parse_ok(fx, "{matches: '^[0-9]+$'}");
	assert_int_equal(fx->e.has, VG_EXPECT_MATCHES);
	assert_non_null(fx->e.matches);
	eval(fx, "123", true, NULL);
	eval(fx, "12a", false, "is '12a', which does not match /^[0-9]+$/");
	eval(fx, "", false, "is '', which does not match /^[0-9]+$/");
	eval(fx, NULL, false, "is not set");
	describe(fx, "matches /^[0-9]+$/");

	/* unanchored: anywhere in the value */
	parse_ok(fx, "{matches: 'sha(256|512)'}");
	eval(fx, "hmac-sha512,hmac-sha256", true, NULL);
	eval(fx, "hmac-md5", false, "is 'hmac-md5', which does not match /sha(256|512)/");
}

static void test_min_max(void **state)
{
	struct fixture *fx = *state;

	parse_ok(fx, "{min: 1, max: 10}");
	assert_int_equal(fx->e.has, VG_EXPECT_MIN | VG_EXPECT_MAX);
	assert_int_equal(fx->e.min, 1);
	assert_int_equal(fx->e.max, 10);
	eval(fx, "1", true, NULL);
	eval(fx, "10", true, NULL);
	eval(fx, "0", false, "is 0, less than 1");
	eval(fx, "11", false, "is 11, more than 10");
	eval(fx, "-4", false, "is -4, less than 1");
	eval(fx, "+7", true, NULL);
	eval(fx, "0xa", true, NULL);
	eval(fx, "0x0B", false, "is 11, more than 10");
	eval(fx, "0o12", true, NULL);
	/* leading zeros stay decimal: "010" is ten, "09" is nine */
	eval(fx, "010", true, NULL);
	eval(fx, "09", true, NULL);
	eval(fx, "011", false, "is 11, more than 10");
	describe(fx, ">= 1, <= 10");

	/* anything but a whole integer is not a number */
	eval(fx, "abc", false, "is 'abc', not a number");
	eval(fx, "", false, "is '', not a number");
	eval(fx, "5.5", false, "is '5.5', not a number");
	eval(fx, " 5", false, "is ' 5', not a number");
	eval(fx, "5 ", false, "is '5 ', not a number");
	eval(fx, "5k", false, "is '5k', not a number");
	eval(fx, "0x", false, "is '0x', not a number");
	eval(fx, "-", false, "is '-', not a number");
	eval(fx, "0o8", false, "is '0o8', not a number");
	eval(fx, "99999999999999999999", false, "is '99999999999999999999', not a number");
	eval(fx, NULL, false, "is not set");

	/* the full 64-bit range */
	parse_ok(fx, "{min: -9223372036854775808}");
	eval(fx, "-9223372036854775808", true, NULL);
	eval(fx, "9223372036854775807", true, NULL);
	eval(fx, "9223372036854775808", false, "is '9223372036854775808', not a number");
	eval(fx, "-9223372036854775809", false, "is '-9223372036854775809', not a number");

	/* one bound only; bounds written in hex and octal */
	parse_ok(fx, "{max: 0x10}");
	assert_int_equal(fx->e.has, VG_EXPECT_MAX);
	assert_int_equal(fx->e.max, 16);
	eval(fx, "16", true, NULL);
	eval(fx, "17", false, "is 17, more than 16");
	describe(fx, "<= 16");
	parse_ok(fx, "{min: 0o17}");
	assert_int_equal(fx->e.min, 15);
	eval(fx, "14", false, "is 14, less than 15");
	describe(fx, ">= 15");
}

static void test_mode_max(void **state)
{
	struct fixture *fx = *state;

	parse_ok(fx, "{mode_max: \"0640\"}");
	assert_int_equal(fx->e.has, VG_EXPECT_MODE_MAX);
	assert_int_equal(fx->e.mode_max, 0640);
	eval(fx, "0640", true, NULL);
	eval(fx, "0600", true, NULL);
	eval(fx, "0400", true, NULL);
	eval(fx, "0", true, NULL);
	eval(fx, "640", true, NULL);
	eval(fx, "0644", false, "is 0644, wider than 0640");
	eval(fx, "644", false, "is 0644, wider than 0640");
	eval(fx, "0740", false, "is 0740, wider than 0640");
	eval(fx, "4640", false, "is 4640, wider than 0640");
	eval(fx, "u=rw,g=r", true, NULL);
	eval(fx, "a=r", false, "is 0444, wider than 0640");
	eval(fx, "rw-r-----", false, "is 'rw-r-----', not an octal mode");
	eval(fx, "0888", false, "is '0888', not an octal mode");
	eval(fx, "", false, "is '', not an octal mode");
	eval(fx, NULL, false, "is not set");
	describe(fx, "mode no wider than 0640");

	/* any bit the maximum lacks is wider, special bits included */
	parse_ok(fx, "{mode_max: \"0755\"}");
	eval(fx, "0711", true, NULL);
	eval(fx, "4755", false, "is 4755, wider than 0755");
	eval(fx, "1777", false, "is 1777, wider than 0755");

	/* unquoted and symbolic maximums */
	parse_ok(fx, "{mode_max: 600}");
	assert_int_equal(fx->e.mode_max, 0600);
	parse_ok(fx, "{mode_max: \"u=rw,g=r\"}");
	assert_int_equal(fx->e.mode_max, 0640);
	eval(fx, "0644", false, "is 0644, wider than 0640");
}

static void test_parse_mode(void **state)
{
	static const struct {
		const char *s;
		unsigned mode; /* ~0u: invalid */
	} cases[] = {
		{"0", 0},         {"7", 07},          {"640", 0640},       {"0640", 0640},
		{"00640", 0640},  {"7777", 07777},    {"07777", 07777},    {"4755", 04755},
		{"17777", ~0u},   {"000640", ~0u},    {"08", ~0u},         {"0o640", ~0u},
		{"0x1a4", ~0u},   {"-1", ~0u},        {"+644", ~0u},       {" 644", ~0u},
		{"644 ", ~0u},    {"", ~0u},          {"6.4", ~0u},
		/* symbolic, applied to no bits at all */
		{"u=rw,g=r", 0640},  {"u=rw,g=r,o=", 0640}, {"u=rwx,go=rx", 0755},
		{"a=r", 0444},       {"=r", 0444},          {"ug=rw", 0660},
		{"a+rwx,o-w", 0775}, {"u=rwx,u-x", 0600},   {"u+s", 04000},
		{"g+s", 02000},      {"+t", 01000},         {"o+t", 01000},
		{"u+t", 0},          {"u=rws,g=rxs,o=rwxt", 07657},
		{"u+r+w-r", 0200},   {"u=", 0},
		{"u", ~0u},          {"u=q", ~0u},          {"u=r,,g=r", ~0u},
		{"u=r,", ~0u},       {",u=r", ~0u},         {"x=r", ~0u},
		{"u=rw;g=r", ~0u},   {"rw-r-----", ~0u},    {"U=rw", ~0u},
		{"u=r,g=r,o=r,u=r,g=r,o=r,u=r,g=r,o=r,u=r,g=r,o=r,u=r,g=r,o=r,u=r,g=r", ~0u},
	};
	unsigned m;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool ok;

		m = 0xdead;
		ok = vg_expect_parse_mode(cases[i].s, &m);
		if (ok != (cases[i].mode != ~0u) || (ok && m != cases[i].mode)) {
			fprintf(stderr, "mode '%s': ok %d, %04o; want %04o\n", cases[i].s, ok, m,
				cases[i].mode);
			fail();
		}
		if (!ok)
			assert_int_equal(m, 0xdead); /* untouched on failure */
	}
	assert_false(vg_expect_parse_mode(NULL, &m));
}

static void test_exists_absent(void **state)
{
	struct fixture *fx = *state;

	parse_ok(fx, "{exists: true}");
	assert_int_equal(fx->e.has, VG_EXPECT_EXISTS);
	eval(fx, "anything", true, NULL);
	eval(fx, "", true, NULL);
	eval(fx, NULL, false, "is not set");
	describe(fx, "exists");

	parse_ok(fx, "{absent: true}");
	assert_int_equal(fx->e.has, VG_EXPECT_ABSENT);
	eval(fx, NULL, true, NULL);
	eval(fx, "x", false, "is set to 'x'");
	eval(fx, "", false, "is set to ''");
	describe(fx, "absent");

	/* false means the other one */
	parse_ok(fx, "{exists: false}");
	assert_int_equal(fx->e.has, VG_EXPECT_ABSENT);
	eval(fx, NULL, true, NULL);
	parse_ok(fx, "{absent: false}");
	assert_int_equal(fx->e.has, VG_EXPECT_EXISTS);
	eval(fx, NULL, false, "is not set");
	parse_ok(fx, "{exists: true, absent: false}");
	assert_int_equal(fx->e.has, VG_EXPECT_EXISTS);

	/* absent wins over the other keys when the value is missing */
	parse_ok(fx, "{absent: true, equals: x}");
	eval(fx, NULL, true, NULL);
	eval(fx, "x", false, "is set to 'x'");

	/* exists with more: every part must hold */
	parse_ok(fx, "{exists: true, in: [a, b]}");
	eval(fx, "a", true, NULL);
	eval(fx, "c", false, "is 'c', expected one of [a, b]");
	describe(fx, "in [a, b], exists");
}

static void test_first_failure_explains(void **state)
{
	struct fixture *fx = *state;

	parse_ok(fx, "{equals: \"0022\", in: [\"0022\", \"0027\"], not_in: [\"0000\"], "
		     "matches: '^0', min: 10, max: 30, mode_max: \"0027\", exists: true}");
	describe(fx, "equals '0022', in [0022, 0027], not in [0000], matches /^0/, >= 10, <= 30, "
		     "mode no wider than 0027, exists");
	eval(fx, "0022", true, NULL);
	eval(fx, "0027", false, "is '0027', expected '0022'");
	eval(fx, NULL, false, "is not set");

	parse_ok(fx, "{matches: '^0', min: 10, max: 30, mode_max: \"0027\"}");
	eval(fx, "0027", true, NULL);
	eval(fx, "027", true, NULL);
	eval(fx, "0009", false, "is 9, less than 10");
	eval(fx, "0031", false, "is 31, more than 30");
	eval(fx, "0026", true, NULL);
	eval(fx, "0028", false, "is '0028', not an octal mode");
	eval(fx, "0030", false, "is 0030, wider than 0027");
	eval(fx, "0017", false, "is 0017, wider than 0027");
	eval(fx, "1022", false, "is '1022', which does not match /^0/");
}

/* ---- parse errors ---- */

static void test_parse_errors(void **state)
{
	struct fixture *fx = *state;

	parse_fails(fx, "~", true, "1:1", "an expectation cannot be empty");
	parse_fails(fx, "key: ", true, "1:1", "unknown key 'key'");
	parse_fails(fx, "[a, b]", true, "1:1", "an expectation is a value or a mapping of equals");
	parse_fails(fx, "{}", true, "1:1", "empty expectation (use equals, in, not_in");
	parse_fails(fx, "{nocase: true}", true, "1:1", "empty expectation");
	parse_fails(fx, "{equals: a, colour: b}", true, "1:13",
		    "unknown key 'colour' (expected one of: equals, in, not_in, matches, min, max, "
		    "mode_max, exists, absent, nocase)");
	parse_fails(fx, "{min: abc}", true, "1:7", "'min' must be an integer, found string");
	parse_fails(fx, "{max: \"5\"}", true, "1:7", "'max' must be an integer, found string");
	parse_fails(fx, "{max: 1.5}", true, "1:7", "'max' must be an integer");
	parse_fails(fx, "{equals: [a]}", true, "1:10", "'equals' must be a string, found sequence");
	parse_fails(fx, "{equals: ~}", true, "1:10", "'equals' must be a string, found null");
	parse_fails(fx, "{in: {a: b}}", true, "1:6", "'in' must be a string or a list of strings");
	parse_fails(fx, "{in: [a, [b]]}", true, "1:6", "'in' must be a string or a list");
	parse_fails(fx, "{exists: yes}", true, "1:10", "'exists' must be true or false");
	parse_fails(fx, "{nocase: 1}", true, "1:10", "'nocase' must be true or false");
	parse_fails(fx, "{in: []}", true, "1:6", "'in' needs at least one value");
	parse_fails(fx, "{min: 5, max: 1}", true, "1:7",
		    "min (5) is greater than max (1): nothing could match");
	parse_fails(fx, "{exists: true, absent: true}", true, "1:1",
		    "an expectation cannot demand both exists and absent");
	parse_fails(fx, "{exists: false, absent: false}", true, "1:1", "both exists and absent");
	parse_fails(fx, "{mode_max: \"0999\"}", true, "1:12",
		    "mode_max must be permission bits, e.g. \"0640\" or \"u=rw,g=r\"");
	parse_fails(fx, "{mode_max: rwxr-x---}", true, "1:12", "mode_max must be permission bits");
	/* the column points into the pattern: quote at 11, offset 2 */
	parse_fails(fx, "{matches: 'a(b'}", true, "1:15",
		    "invalid regular expression: missing closing parenthesis at offset 3");
	parse_fails(fx, "matches: x[a-\n", true, "1:14",
		    "invalid regular expression: missing terminating ] for character class");
	parse_fails(fx, "{matches: [a]}", true, "1:11", "'matches' must be a string");
}

static void test_parse_reports_every_problem(void **state)
{
	struct fixture *fx = *state;
	int rc;

	/* without the field check, each key is still validated and all are reported */
	rc = parse(fx, "{min: abc, max: 0x, mode_max: \"9\", matches: \"(\", in: [], path: x}",
		   false);
	assert_int_equal(rc, VG_EPARSE);
	assert_int_equal(fx->e.has, 0);
	assert_int_equal(fx->diags.count, 5);
	assert_non_null(strstr(fx->diags.msgs[0], "'in' needs at least one value"));
	assert_non_null(strstr(fx->diags.msgs[1], "invalid regular expression"));
	assert_non_null(strstr(fx->diags.msgs[2], "'min' must be an integer"));
	assert_non_null(strstr(fx->diags.msgs[3], "'max' must be an integer"));
	assert_non_null(strstr(fx->diags.msgs[4], "mode_max must be permission bits"));
	/* the field check reports every unknown key at once */
	rc = parse(fx, "{a: 1, equals: x, b: 2}", true);
	assert_int_equal(rc, VG_EPARSE);
	assert_int_equal(fx->diags.count, 2);
	assert_non_null(strstr(fx->diags.msgs[0], "e.yaml:1:2: unknown key 'a'"));
	assert_non_null(strstr(fx->diags.msgs[1], "e.yaml:1:19: unknown key 'b'"));
}

static void test_parse_mixed_keys(void **state)
{
	struct fixture *fx = *state;
	int rc;

	/* a check type mixes its own keys in: they are left alone */
	rc = parse(fx, "{path: /etc/x, equals: a, recursive: true}", false);
	assert_int_equal(rc, 0);
	assert_int_equal(fx->diags.count, 0);
	assert_int_equal(fx->e.has, VG_EXPECT_EQUALS);
	assert_string_equal(fx->e.equals, "a");
	/* but it still needs one expectation key */
	parse_fails(fx, "{path: /etc/x}", false, "1:1", "empty expectation");
}

static void test_missing_node(void **state)
{
	struct fixture *fx = *state;

	reset(fx);
	assert_int_equal(vg_expect_parse(&fx->e, &fx->pc, NULL, true), VG_EPARSE);
	assert_int_equal(fx->diags.count, 1);
	assert_non_null(strstr(fx->diags.msgs[0], "e.yaml:1:1: missing expectation"));
	assert_int_equal(fx->e.has, 0);
}

/* ---- variables ---- */

static void test_variables(void **state)
{
	struct fixture *fx = *state;

	/* the whole expectation, or any value in it, may be a variable */
	parse_ok(fx, "{var: owner}");
	assert_int_equal(fx->e.has, VG_EXPECT_EQUALS);
	assert_string_equal(fx->e.equals, "root");
	parse_ok(fx, "{equals: {var: owner}}");
	eval(fx, "root", true, NULL);
	parse_ok(fx, "{in: [{var: owner}, adm]}");
	assert_string_equal(fx->e.in[0], "root");
	assert_string_equal(fx->e.in[1], "adm");
	parse_ok(fx, "{min: {var: limit}, max: {var: hexlimit}}");
	assert_int_equal(fx->e.min, 5);
	assert_int_equal(fx->e.max, 32);
	parse_ok(fx, "{matches: {var: pattern}}");
	eval(fx, "abbb", true, NULL);
	eval(fx, "ba", false, "is 'ba', which does not match /^ab+$/");
	parse_ok(fx, "{mode_max: {var: mode}}");
	assert_int_equal(fx->e.mode_max, 0640);
	parse_ok(fx, "{mode_max: {var: symbolic}}");
	assert_int_equal(fx->e.mode_max, 0640);
	/* an empty variable is an empty string */
	parse_ok(fx, "{equals: {var: empty}}");
	assert_string_equal(fx->e.equals, "");
	eval(fx, "", true, NULL);
}

static void test_variable_errors(void **state)
{
	struct fixture *fx = *state;

	parse_fails(fx, "{var: nope}", true, "1:7", "unknown variable 'nope'");
	parse_fails(fx, "{equals: {var: nope}}", true, "1:16", "unknown variable 'nope'");
	parse_fails(fx, "{in: [a, {var: nope}]}", true, "1:16", "unknown variable 'nope'");
	parse_fails(fx, "{min: {var: nope}}", true, "1:13", "unknown variable 'nope'");
	parse_fails(fx, "{matches: {var: nope}}", false, "1:17", "unknown variable 'nope'");
	parse_fails(fx, "{var: [a]}", true, "1:7", "a variable name must be a string");
	/* a value from a variable is validated like a literal */
	parse_fails(fx, "{min: {var: owner}}", true, "1:7", "'min' must be an integer");
	parse_fails(fx, "{mode_max: {var: owner}}", true, "1:12", "mode_max must be permission");
	/* {var: x} with another key is not a variable reference */
	parse_fails(fx, "{var: owner, equals: x}", true, "1:2", "unknown key 'var'");
}

static void test_variables_without_policy(void **state)
{
	struct fixture *fx = *state;
	struct vg_pctx pc;
	struct vg_expect e;

	/* a context without a policy (the pack header) knows no variables */
	yaml(fx, "{equals: {var: owner}}");
	vg_pctx_init(&pc, "h.yaml", &fx->diags, NULL);
	assert_int_equal(vg_expect_parse(&e, &pc, fx->doc->root, true), VG_EPARSE);
	assert_int_equal(pc.errors, 1);
	assert_non_null(strstr(fx->diags.msgs[0], "h.yaml:1:16: unknown variable 'owner'"));
	vg_pctx_finish(&pc);
}

/* ---- the table and the helpers ---- */

static void test_keys(void **state)
{
	static const char *const keys[] = {"equals", "in", "not_in", "matches", "min", "max",
					   "mode_max", "exists", "absent", "nocase"};
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_true(vg_expect_is_key(keys[i]));
	for (const struct vg_field *f = vg_expect_fields; f->key; f++) {
		assert_true(vg_expect_is_key(f->key));
		assert_false(f->required);
		n++;
	}
	assert_int_equal(n, sizeof(keys) / sizeof(keys[0]));
	assert_false(vg_expect_is_key("path"));
	assert_false(vg_expect_is_key("Equals"));
	assert_false(vg_expect_is_key(""));
	assert_false(vg_expect_is_key("var"));
}

static void test_finish(void **state)
{
	struct fixture *fx = *state;

	parse_ok(fx, "{equals: a, in: [b], not_in: [c], matches: d}");
	vg_expect_finish(&fx->e);
	assert_int_equal(fx->e.has, 0);
	assert_null(fx->e.equals);
	vg_expect_finish(&fx->e);
	vg_expect_finish(NULL);
}

static void test_describe_has_nothing_to_hide(void **state)
{
	struct fixture *fx = *state;

	/* describe says what eval checks, key by key */
	parse_ok(fx, "{not_in: [a, b], nocase: true}");
	describe(fx, "not in [a, b] (ignoring case)");
	parse_ok(fx, "{matches: x, nocase: true}");
	describe(fx, "matches /x/");
	parse_ok(fx, "{in: \"a, b\"}");
	describe(fx, "in [a, b]");
	assert_int_equal(fx->e.nin, 1);
	eval(fx, "a", false, "is 'a', expected one of [a, b]");
}

static void test_pctx_fields(void **state)
{
	struct fixture *fx = *state;
	static const struct vg_field fields[] = {
		{"name", VG_FIELD_STRING, true},   {"count", VG_FIELD_INT, false},
		{"on", VG_FIELD_BOOL, false},      {"list", VG_FIELD_STRINGS, false},
		{"map", VG_FIELD_MAPPING, false},  {"any", VG_FIELD_ANY, false},
		{NULL, 0, false},
	};
	const struct vg_ynode *root;
	char **v;
	size_t n;

	root = yaml(fx, "{name: {var: owner}, count: {var: limit}, on: true, "
			"list: [a, {var: owner}], map: {}, any: [1]}");
	assert_true(vg_pctx_check_fields(&fx->pc, root, fields));
	assert_string_equal(vg_pctx_str(&fx->pc, root, "name"), "root");
	assert_null(vg_pctx_str(&fx->pc, root, "nothing"));
	assert_null(vg_pctx_str(&fx->pc, root, "map"));
	assert_true(vg_pctx_bool(&fx->pc, root, "on", false));
	assert_true(vg_pctx_bool(&fx->pc, root, "nothing", true));
	v = vg_pctx_strv(&fx->pc, root, "list", &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[1], "root");
	assert_null(v[2]);
	vg_strv_free(v);
	v = vg_pctx_strv(&fx->pc, root, "name", &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0], "root");
	vg_strv_free(v);
	assert_null(vg_pctx_strv(&fx->pc, root, "nothing", &n));
	assert_int_equal(n, 0);
	vg_strv_free(NULL);
	assert_int_equal(fx->diags.count, 0);

	/* a whole list from a variable */
	root = yaml(fx, "{name: x, list: {var: owner}}");
	assert_true(vg_pctx_check_fields(&fx->pc, root, fields));

	/* every problem at once */
	root = yaml(fx, "{count: x, on: 1, list: {a: b}, map: [], extra: 1, name: ~}");
	assert_false(vg_pctx_check_fields(&fx->pc, root, fields));
	assert_int_equal(fx->diags.count, 6);
	assert_string_equal(fx->diags.msgs[0], "e.yaml:1:9: 'count' must be an integer, "
					       "found string");
	assert_string_equal(fx->diags.msgs[1], "e.yaml:1:16: 'on' must be true or false, "
					       "found string");
	assert_string_equal(fx->diags.msgs[2], "e.yaml:1:25: 'list' must be a string or a "
					       "list of strings, found mapping");
	assert_string_equal(fx->diags.msgs[3], "e.yaml:1:38: 'map' must be a mapping, found "
					       "sequence");
	assert_string_equal(fx->diags.msgs[4], "e.yaml:1:42: unknown key 'extra' (expected one "
					       "of: name, count, on, list, map, any)");
	assert_string_equal(fx->diags.msgs[5], "e.yaml:1:58: 'name' must be a string, found "
					       "null");
	assert_int_equal(fx->pc.errors, 6);

	root = yaml(fx, "[a]");
	assert_false(vg_pctx_check_fields(&fx->pc, root, fields));
	assert_string_equal(fx->diags.msgs[0], "e.yaml:1:1: expected a mapping, found sequence");
	root = yaml(fx, "{count: 1}");
	assert_false(vg_pctx_check_fields(&fx->pc, root, fields));
	assert_string_equal(fx->diags.msgs[0], "e.yaml:1:1: missing required key 'name'");
}

static void test_pctx_regex_and_errors(void **state)
{
	struct fixture *fx = *state;
	struct vg_regex *re;
	const struct vg_ynode *root;

	root = yaml(fx, "{a: 'x+', b: \"(\", c: {var: pattern}, d: ~}");
	re = vg_pctx_regex(&fx->pc, vg_ynode_get(root, "a"), 0);
	assert_non_null(re);
	vg_regex_free(re);
	re = vg_pctx_regex(&fx->pc, vg_ynode_get(root, "c"), 0);
	assert_non_null(re);
	vg_regex_free(re);
	assert_null(vg_pctx_regex(&fx->pc, vg_ynode_get(root, "b"), 0));
	assert_null(vg_pctx_regex(&fx->pc, vg_ynode_get(root, "d"), 0));
	assert_int_equal(fx->diags.count, 2);
	assert_non_null(strstr(fx->diags.msgs[0], "e.yaml:1:16: invalid regular expression: "
						  "missing closing parenthesis at offset 1"));
	assert_string_equal(fx->diags.msgs[1], "e.yaml:1:41: a regular expression must be a "
					       "string, found null");

	/* without a node, an error is placed at the rule, or at 1:1 */
	reset(fx);
	vg_pctx_error(&fx->pc, NULL, "plain %d", 1);
	assert_string_equal(fx->diags.msgs[0], "e.yaml:1:1: plain 1");
	assert_null(vg_pctx_rule(&fx->pc));
}

static void test_through_file_check(void **state)
{
	struct fixture *fx = *state;
	struct vg_policy *pol = NULL;
	struct vg_diags d;
	struct vg_error err = {0};
	static const char good[] =
		"pack: f\ntitle: F\nvars: {who: root}\nrules:\n"
		"  - id: f.a\n"
		"    title: A\n"
		"    severity: low\n"
		"    check:\n"
		"      file:\n"
		"        path: /etc/shadow\n"
		"        owner: {var: who}\n"
		"        group: {in: [root, shadow]}\n"
		"        size: {max: 0}\n"
		"        mode: {mode_max: \"u=rw,g=r\"}\n"
		"        link_target: {absent: true}\n";
	static const char bad[] =
		"pack: f\ntitle: F\nrules:\n"
		"  - id: f.a\n"
		"    title: A\n"
		"    severity: low\n"
		"    check:\n"
		"      file:\n"
		"        path: /etc/shadow\n"
		"        owner: {equals: root, colour: red}\n"
		"  - id: f.b\n"
		"    title: B\n"
		"    severity: low\n"
		"    check: {file: {path: /etc/shadow, size: {min: 10, max: 1}}}\n"
		"  - id: f.c\n"
		"    title: C\n"
		"    severity: low\n"
		"    check: {file: {path: /etc/shadow, mode: {mode_max: \"0649\"}}}\n";

	(void)fx;
	vg_diags_init(&d);
	assert_int_equal(vg_policy_load_string(&pol, "f.yaml", good, strlen(good), &d, &err), 0);
	assert_int_equal(d.count, 0);
	vg_policy_free(pol);
	pol = NULL;
	assert_int_equal(vg_policy_load_string(&pol, "f.yaml", bad, strlen(bad), &d, &err),
			 VG_EPARSE);
	assert_null(pol);
	assert_int_equal(d.count, 3);
	assert_string_equal(d.msgs[0], "f.yaml:10:31: rule f.a: unknown key 'colour' (expected "
				       "one of: equals, in, not_in, matches, min, max, mode_max, "
				       "exists, absent, nocase)");
	assert_string_equal(d.msgs[1], "f.yaml:14:51: rule f.b: min (10) is greater than max (1): "
				       "nothing could match");
	assert_non_null(strstr(d.msgs[2], "f.yaml:18:56: rule f.c: mode_max must be permission "
					  "bits"));
	vg_diags_finish(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scalar_is_equals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_equals_nocase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_matches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_min_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exists_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_failure_explains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_reports_every_problem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_mixed_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_node, setup, teardown),
		cmocka_unit_test_setup_teardown(test_variables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_variable_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_variables_without_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_finish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_describe_has_nothing_to_hide, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pctx_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pctx_regex_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_through_file_check, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
