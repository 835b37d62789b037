/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for findings: names, fingerprints, redaction, ordering, counts and exit codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "findings/finding.h"

/* Rules shared by the tests; the results built here borrow them (owns_rules false). */
static struct vg_rule_meta rule_a = { .id = "a.rule", .severity = VG_SEV_HIGH,
				      .security_severity = -1.0 };
static struct vg_rule_meta rule_b = { .id = "b.rule", .severity = VG_SEV_LOW,
				      .security_severity = -1.0 };

static struct vg_finding *mk(const struct vg_rule_meta *rule, enum vg_status st,
			     enum vg_severity sev, const char *path, size_t line, size_t col,
			     const char *object)
{
	struct vg_finding *f = vg_finding_new();

	assert_non_null(f);
	f->rule = rule;
	f->status = st;
	f->severity = sev;
	f->loc.path = path ? strdup(path) : NULL;
	f->loc.line = line;
	f->loc.col = col;
	f->loc.object = object ? strdup(object) : NULL;
	return f;
}

static void push(struct vg_results *r, struct vg_finding *f)
{
	assert_int_equal(vg_vec_push(&r->findings, f), 0);
}

static int setup_results(void **state)
{
	struct vg_results *r = vg_results_new();

	if (!r)
		return -1;
	*state = r;
	return 0;
}

static int teardown_results(void **state)
{
	vg_results_free(*state);
	return 0;
}

static void test_severity_names(void **state)
{
	static const char *const names[] = { "info", "low", "medium", "high", "critical" };
	enum vg_severity s;

	for (int i = 0; i < VG_SEV_COUNT; i++) {
		assert_string_equal(vg_severity_name(i), names[i]);
		assert_true(vg_severity_parse(names[i], &s));
		assert_int_equal(s, i);
	}
	assert_false(vg_severity_parse("HIGH", &s));
	assert_false(vg_severity_parse("", &s));
	assert_false(vg_severity_parse(NULL, &s));
	assert_string_equal(vg_severity_name((enum vg_severity)99), "unknown");
}

static void test_status_names(void **state)
{
	static const char *const names[] = { "fail", "pass", "error", "not-evaluated",
					      "not-applicable", "waived" };
	enum vg_status s;

	for (int i = 0; i < VG_STATUS_COUNT; i++) {
		assert_string_equal(vg_status_name(i), names[i]);
		assert_true(vg_status_parse(names[i], &s));
		assert_int_equal(s, i);
	}
	assert_false(vg_status_parse("failed", &s));
	assert_false(vg_status_parse(NULL, &s));
	assert_string_equal(vg_status_name((enum vg_status)-1), "unknown");
}

static void test_suppression_names(void **state)
{
	static const char *const names[] = { "none", "waiver", "baseline", "inline", "ignore" };
	enum vg_suppression s;

	for (int i = 0; i < 5; i++) {
		assert_string_equal(vg_suppression_name(i), names[i]);
		assert_true(vg_suppression_parse(names[i], &s));
		assert_int_equal(s, i);
	}
	assert_false(vg_suppression_parse("waived", &s));
	assert_string_equal(vg_suppression_name((enum vg_suppression)5), "unknown");
}

static char **strv2(const char *a, const char *b)
{
	char **v = calloc(2, sizeof(*v));

	assert_non_null(v);
	v[0] = strdup(a);
	v[1] = strdup(b);
	return v;
}

static void test_rule_meta_finish(void **state)
{
	struct vg_rule_meta m = {
		.id = strdup("x.y"), .pack = strdup("x"), .title = strdup("t"),
		.description = strdup("d"), .rationale = strdup("r"),
		.remediation = strdup("fix"), .remediation_script = strdup("chmod 600 f"),
		.tags = strv2("cwe-1", "cis:1"), .ntags = 2,
		.references = strv2("https://a", "https://b"), .nreferences = 2,
		.severity = VG_SEV_CRITICAL, .security_severity = 9.1,
		.precision = strdup("high"), .sensitive = true, .source = strdup("p.yaml:3"),
	};

	vg_rule_meta_finish(&m); /* the sanitizer build reports anything left */
	assert_null(m.id);
	assert_null(m.tags);
	assert_int_equal(m.ntags, 0);
	assert_null(m.source);
	vg_rule_meta_finish(&m); /* twice is harmless */
	vg_rule_meta_finish(NULL);
}

static void test_finding_new_free(void **state)
{
	struct vg_finding *f = vg_finding_new();

	assert_non_null(f);
	assert_null(f->rule);
	assert_int_equal(f->suppression, VG_SUPPRESS_NONE);
	f->target = strdup(".");
	f->loc.path = strdup("a");
	f->loc.object = strdup("o");
	f->message = strdup("m");
	f->evidence = strdup("e");
	f->justification = strdup("j");
	f->commit = strdup("c");
	f->author = strdup("au");
	f->date = strdup("d");
	f->raw_key = strdup("secret");
	f->raw_key_len = 6;
	vg_finding_free(f);
	vg_finding_free(NULL);
}

/* SHA-256 of buf, first 16 bytes in hex: what the fingerprint must be. */
static void expected_fp(char out[33], const void *buf, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	assert_int_equal(EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL), 1);
	vg_hex(out, md, 16);
}

static void test_fingerprint_value(void **state)
{
	static const char input[] = "a.rule\0src/a.c\0AKIA 1234";
	struct vg_finding *f = mk(&rule_a, VG_STATUS_FAIL, VG_SEV_HIGH, "src/a.c", 3, 1, NULL);
	char want[33];

	expected_fp(want, input, sizeof(input) - 1);
	/* surrounding and inner whitespace runs do not count */
	vg_finding_fingerprint(f, " \tAKIA \n\t 1234 \r\n", 17);
	assert_string_equal(f->fingerprint, want);
	assert_int_equal(strlen(f->fingerprint), 32);
	for (int i = 0; i < 32; i++)
		assert_true(strchr("0123456789abcdef", f->fingerprint[i]) != NULL);
	vg_finding_free(f);
}

static void test_fingerprint_object_and_null_key(void **state)
{
	static const char input[] = "b.rule\0sysctl:net.ipv4.ip_forward\0";
	struct vg_finding *f = mk(&rule_b, VG_STATUS_FAIL, VG_SEV_LOW, NULL, 0, 0,
				  "sysctl:net.ipv4.ip_forward");
	struct vg_finding *g = mk(&rule_b, VG_STATUS_FAIL, VG_SEV_LOW, NULL, 0, 0,
				  "sysctl:net.ipv4.ip_forward");
	char want[33];

	expected_fp(want, input, sizeof(input) - 1);
	vg_finding_fingerprint(f, NULL, 0);
	assert_string_equal(f->fingerprint, want);
	vg_finding_fingerprint(g, "   ", 3); /* only whitespace: the same as no key */
	assert_string_equal(g->fingerprint, want);
	vg_finding_free(f);
	vg_finding_free(g);
}

static void test_fingerprint_stability(void **state)
{
	struct vg_finding *a = mk(&rule_a, VG_STATUS_FAIL, VG_SEV_HIGH, "x/y.c", 10, 4, NULL);
	struct vg_finding *b = mk(&rule_a, VG_STATUS_FAIL, VG_SEV_HIGH, "x/y.c", 250, 9, NULL);
	struct vg_finding *c = mk(&rule_a, VG_STATUS_FAIL, VG_SEV_HIGH, "x/z.c", 10, 4, NULL);
	struct vg_finding *d = mk(&rule_b, VG_STATUS_FAIL, VG_SEV_HIGH, "x/y.c", 10, 4, NULL);
	struct vg_finding *e = mk(&rule_a, VG_STATUS_FAIL, VG_SEV_HIGH, "x/y.c", 10, 4, NULL);
	const char key[] = "password = hunter2";

	vg_finding_fingerprint(a, key, strlen(key));
	vg_finding_fingerprint(b, "password  =\thunter2", 19);
	vg_finding_fingerprint(c, key, strlen(key));
	vg_finding_fingerprint(d, key, strlen(key));
	vg_finding_fingerprint(e, "password=hunter2", 16);
	assert_string_equal(a->fingerprint, b->fingerprint); /* moved lines, re-spaced */
	assert_string_not_equal(a->fingerprint, c->fingerprint); /* other file */
	assert_string_not_equal(a->fingerprint, d->fingerprint); /* other rule */
	assert_string_not_equal(a->fingerprint, e->fingerprint); /* spaces removed, not collapsed */
	/* keylen counts: bytes past it are ignored */
	vg_finding_fingerprint(e, "password = hunter2 and more", strlen(key));
	assert_string_equal(a->fingerprint, e->fingerprint);
	vg_finding_free(a);
	vg_finding_free(b);
	vg_finding_free(c);
	vg_finding_free(d);
	vg_finding_free(e);
}

static void check_redact(const char *secret, size_t len, const char *want)
{
	char *r = vg_redact(secret, len);

	assert_non_null(r);
	assert_string_equal(r, want);
	free(r);
}

static void test_redact(void **state)
{
	check_redact("AKIAIOSFODNN7EXAMPLE", 20, "AKIA****");
	check_redact("abcdefgh", 8, "ab****");
	check_redact("abcdefghijklmnopqrstuvwxyz0123456789", 36, "abcd****");
	check_redact("abc", 3, "****");
	check_redact("abcd", 4, "a****");
	check_redact("", 0, "****");
	check_redact(NULL, 0, "****");
	/* len is the secret's length, not strlen: the rest is not revealed */
	check_redact("abcdefgh-and-not-this", 8, "ab****");
	/* a multi-byte character that would be cut in half is left out */
	check_redact("ab\xe2\x82\xac" "zzzzzzzzzzz", 16, "ab****");
	check_redact("\xe2\x82\xac" "zzzzzzzzzzzzz", 16, "\xe2\x82\xac" "z****");
}

static void test_results_free_everything(void **state)
{
	struct vg_results *r = vg_results_new();
	struct vg_rule_meta *m = calloc(1, sizeof(*m));
	struct vg_skip *s = calloc(1, sizeof(*s));

	assert_non_null(r);
	assert_non_null(m);
	assert_non_null(s);
	r->tool_version = strdup("0.1.0");
	r->targets = strv2(".", "src");
	r->ntargets = 2;
	r->policies = strv2("secrets@1.0", "files@1.0");
	r->npolicies = 2;
	r->profile = strdup("default");
	r->root = strdup("/srv");
	m->id = strdup("owned.rule");
	m->tags = strv2("t1", "t2");
	m->ntags = 2;
	r->owns_rules = true;
	assert_int_equal(vg_vec_push(&r->rules, m), 0);
	push(r, mk(m, VG_STATUS_FAIL, VG_SEV_LOW, "p", 1, 1, NULL));
	s->path = strdup("big.bin");
	s->reason = strdup("binary");
	assert_int_equal(vg_vec_push(&r->skipped, s), 0);
	assert_int_equal(vg_vec_push(&r->errors, strdup("target gone")), 0);
	vg_results_free(r);
	vg_results_free(NULL);
}

static void test_results_borrowed_rules(void **state)
{
	struct vg_results *r = *state;

	/* static rules: freeing them would be caught by the sanitizer */
	assert_false(r->owns_rules);
	assert_int_equal(vg_vec_push(&r->rules, &rule_a), 0);
	assert_int_equal(vg_vec_push(&r->rules, &rule_b), 0);
	push(r, mk(&rule_a, VG_STATUS_FAIL, VG_SEV_HIGH, "p", 1, 1, NULL));
}

static void test_sort_order(void **state)
{
	struct vg_results *r = *state;
	struct vg_finding *f[8];

	f[0] = mk(&rule_b, VG_STATUS_FAIL, VG_SEV_LOW, "b.c", 1, 1, NULL);
	f[1] = mk(&rule_a, VG_STATUS_FAIL, VG_SEV_CRITICAL, "z.c", 9, 1, NULL);
	f[2] = mk(&rule_a, VG_STATUS_FAIL, VG_SEV_HIGH, "a.c", 10, 2, NULL);
	f[3] = mk(&rule_a, VG_STATUS_FAIL, VG_SEV_HIGH, "a.c", 10, 1, NULL);
	f[4] = mk(&rule_a, VG_STATUS_FAIL, VG_SEV_HIGH, "a.c", 2, 5, NULL);
	f[5] = mk(&rule_b, VG_STATUS_FAIL, VG_SEV_HIGH, "a.c", 1, 1, NULL);
	f[6] = mk(&rule_a, VG_STATUS_FAIL, VG_SEV_HIGH, NULL, 0, 0, "sysctl:x");
	f[7] = mk(&rule_a, VG_STATUS_PASS, VG_SEV_HIGH, NULL, 0, 0, NULL);
	for (int i = 0; i < 8; i++)
		push(r, f[i]);
	vg_results_sort(r);
	/* critical first; then rule id, path (none first), line, column */
	assert_ptr_equal(r->findings.items[0], f[1]);
	assert_ptr_equal(r->findings.items[1], f[7]);
	assert_ptr_equal(r->findings.items[2], f[6]);
	assert_ptr_equal(r->findings.items[3], f[4]);
	assert_ptr_equal(r->findings.items[4], f[3]);
	assert_ptr_equal(r->findings.items[5], f[2]);
	assert_ptr_equal(r->findings.items[6], f[5]);
	assert_ptr_equal(r->findings.items[7], f[0]);
}

static void test_sort_stable_and_tiebreaks(void **state)
{
	struct vg_results *r = *state;
	struct vg_finding *f[40];

	/* identical findings keep their order; fingerprint and status break other ties */
	for (int i = 0; i < 40; i++) {
		f[i] = mk(&rule_a, VG_STATUS_FAIL, VG_SEV_MEDIUM, "same.c", 1, 1, NULL);
		push(r, f[i]);
	}
	memcpy(f[7]->fingerprint, "00000000000000000000000000000001", 33);
	f[3]->status = VG_STATUS_WAIVED;
	vg_results_sort(r);
	assert_ptr_equal(r->findings.items[0], f[0]);
	assert_ptr_equal(r->findings.items[1], f[1]);
	assert_ptr_equal(r->findings.items[2], f[2]);
	assert_ptr_equal(r->findings.items[3], f[4]);
	assert_ptr_equal(r->findings.items[37], f[39]);
	assert_ptr_equal(r->findings.items[38], f[3]); /* waived sorts after fail */
	assert_ptr_equal(r->findings.items[39], f[7]); /* the only non-empty fingerprint */
	vg_results_sort(r); /* sorting again changes nothing */
	assert_ptr_equal(r->findings.items[3], f[4]);
	assert_ptr_equal(r->findings.items[39], f[7]);
	vg_results_sort(NULL);
}

static void test_count(void **state)
{
	struct vg_results *r = *state;
	struct vg_counts c;
	struct vg_finding *sup = mk(&rule_a, VG_STATUS_FAIL, VG_SEV_CRITICAL, "s", 1, 1, NULL);
	struct vg_finding *w = mk(&rule_a, VG_STATUS_WAIVED, VG_SEV_HIGH, "w", 1, 1, NULL);

	sup->suppression = VG_SUPPRESS_BASELINE;
	w->suppression = VG_SUPPRESS_WAIVER;
	push(r, mk(&rule_a, VG_STATUS_FAIL, VG_SEV_HIGH, "a", 1, 1, NULL));
	push(r, mk(&rule_a, VG_STATUS_FAIL, VG_SEV_HIGH, "b", 1, 1, NULL));
	push(r, mk(&rule_b, VG_STATUS_FAIL, VG_SEV_LOW, "c", 1, 1, NULL));
	push(r, mk(&rule_b, VG_STATUS_PASS, VG_SEV_LOW, NULL, 0, 0, NULL));
	push(r, mk(&rule_b, VG_STATUS_ERROR, VG_SEV_LOW, "e", 0, 0, NULL));
	push(r, mk(&rule_b, VG_STATUS_NOT_EVALUATED, VG_SEV_LOW, NULL, 0, 0, "svc"));
	push(r, mk(&rule_b, VG_STATUS_NOT_APPLICABLE, VG_SEV_LOW, NULL, 0, 0, NULL));
	push(r, sup);
	push(r, w);
	vg_results_count(r, &c);
	assert_int_equal(c.status[VG_STATUS_FAIL], 4);
	assert_int_equal(c.status[VG_STATUS_PASS], 1);
	assert_int_equal(c.status[VG_STATUS_ERROR], 1);
	assert_int_equal(c.status[VG_STATUS_NOT_EVALUATED], 1);
	assert_int_equal(c.status[VG_STATUS_NOT_APPLICABLE], 1);
	assert_int_equal(c.status[VG_STATUS_WAIVED], 1);
	assert_int_equal(c.fail_by_severity[VG_SEV_CRITICAL], 0); /* the suppressed one */
	assert_int_equal(c.fail_by_severity[VG_SEV_HIGH], 2);
	assert_int_equal(c.fail_by_severity[VG_SEV_LOW], 1);
	assert_int_equal(c.suppressed, 2);
	vg_results_count(NULL, &c);
	assert_int_equal(c.status[VG_STATUS_FAIL], 0);
}

static void test_exit_code_empty_and_passing(void **state)
{
	struct vg_results *r = *state;

	assert_int_equal(vg_results_exit_code(r), 0);
	push(r, mk(&rule_a, VG_STATUS_PASS, VG_SEV_CRITICAL, NULL, 0, 0, NULL));
	push(r, mk(&rule_a, VG_STATUS_NOT_APPLICABLE, VG_SEV_CRITICAL, NULL, 0, 0, NULL));
	push(r, mk(&rule_a, VG_STATUS_NOT_EVALUATED, VG_SEV_CRITICAL, NULL, 0, 0, "x"));
	assert_int_equal(vg_results_exit_code(r), 0);
	assert_int_equal(vg_results_exit_code(NULL), 0);
}

static void test_exit_code_fail_on(void **state)
{
	struct vg_results *r = *state;

	push(r, mk(&rule_a, VG_STATUS_FAIL, VG_SEV_MEDIUM, "a", 1, 1, NULL));
	r->fail_on = VG_SEV_HIGH;
	assert_int_equal(vg_results_exit_code(r), 0); /* below the threshold */
	r->fail_on = VG_SEV_MEDIUM;
	assert_int_equal(vg_results_exit_code(r), 1); /* at it */
	r->fail_on = VG_SEV_INFO;
	assert_int_equal(vg_results_exit_code(r), 1);
	r->fail_on_none = true;
	assert_int_equal(vg_results_exit_code(r), 0);
}

static void test_exit_code_suppressed(void **state)
{
	struct vg_results *r = *state;
	static const enum vg_suppression why[] = { VG_SUPPRESS_WAIVER, VG_SUPPRESS_BASELINE,
						   VG_SUPPRESS_INLINE, VG_SUPPRESS_IGNORE };
	struct vg_finding *w = mk(&rule_a, VG_STATUS_WAIVED, VG_SEV_CRITICAL, "w", 1, 1, NULL);

	w->suppression = VG_SUPPRESS_WAIVER;
	push(r, w);
	for (int i = 0; i < 4; i++) {
		struct vg_finding *f = mk(&rule_a, VG_STATUS_FAIL, VG_SEV_CRITICAL, "s", 1, 1,
					  NULL);

		f->suppression = why[i];
		push(r, f);
	}
	assert_int_equal(vg_results_exit_code(r), 0);
	push(r, mk(&rule_a, VG_STATUS_FAIL, VG_SEV_INFO, "x", 1, 1, NULL));
	assert_int_equal(vg_results_exit_code(r), 1);
}

static void test_exit_code_errors(void **state)
{
	struct vg_results *r = *state;
	struct vg_finding *e = mk(&rule_a, VG_STATUS_ERROR, VG_SEV_INFO, "e", 0, 0, NULL);

	push(r, mk(&rule_a, VG_STATUS_FAIL, VG_SEV_CRITICAL, "a", 1, 1, NULL));
	assert_int_equal(vg_results_exit_code(r), 1);
	push(r, e);
	assert_int_equal(vg_results_exit_code(r), 2); /* errors win over failures */
	r->fail_on_none = true;
	assert_int_equal(vg_results_exit_code(r), 2); /* even with --fail-on none */
	e->status = VG_STATUS_PASS;
	assert_int_equal(vg_results_exit_code(r), 0);
	/* a scan-level error alone */
	assert_int_equal(vg_vec_push(&r->errors, strdup("cannot open target")), 0);
	assert_int_equal(vg_results_exit_code(r), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_severity_names),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_suppression_names),
		cmocka_unit_test(test_rule_meta_finish),
		cmocka_unit_test(test_finding_new_free),
		cmocka_unit_test(test_fingerprint_value),
		cmocka_unit_test(test_fingerprint_object_and_null_key),
		cmocka_unit_test(test_fingerprint_stability),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_results_free_everything),
		cmocka_unit_test_setup_teardown(test_results_borrowed_rules, setup_results,
						teardown_results),
		cmocka_unit_test_setup_teardown(test_sort_order, setup_results, teardown_results),
		cmocka_unit_test_setup_teardown(test_sort_stable_and_tiebreaks, setup_results,
						teardown_results),
		cmocka_unit_test_setup_teardown(test_count, setup_results, teardown_results),
		cmocka_unit_test_setup_teardown(test_exit_code_empty_and_passing, setup_results,
						teardown_results),
		cmocka_unit_test_setup_teardown(test_exit_code_fail_on, setup_results,
						teardown_results),
		cmocka_unit_test_setup_teardown(test_exit_code_suppressed, setup_results,
						teardown_results),
		cmocka_unit_test_setup_teardown(test_exit_code_errors, setup_results,
						teardown_results),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
