/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for the JUnit reporter: the XML parsed back and checked as both schemas require. */
#include "report_fixture.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

/* A parsed report and the text it came from. */
struct doc {
	xmlDocPtr xml;
	xmlNodePtr root;
};

static struct doc parse(const char *format, const struct vg_results *res)
{
	char *text = fx_render(format, res);
	struct doc d;

	/* no network, no entities: the document must stand on its own */
	d.xml = xmlReadMemory(text, (int)strlen(text), "junit.xml", "UTF-8",
			      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!d.xml)
		fail_msg("not well-formed XML:\n%.2000s", text);
	free(text);
	d.root = xmlDocGetRootElement(d.xml);
	assert_non_null(d.root);
	return d;
}

static bool is(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static xmlNodePtr next_element(xmlNodePtr n)
{
	while (n && n->type != XML_ELEMENT_NODE)
		n = n->next;
	return n;
}

static xmlNodePtr first_child(xmlNodePtr n)
{
	return next_element(n->children);
}

static xmlNodePtr next(xmlNodePtr n)
{
	return next_element(n->next);
}

/* An attribute's value, or NULL when absent: a static copy that stays valid
 * for the next three calls, so two values can be compared. */
static const char *attr(xmlNodePtr n, const char *name)
{
	static char bufs[4][4096];
	static unsigned turn;
	char *buf = bufs[turn++ % 4];
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);

	if (!v)
		return NULL;
	snprintf(buf, sizeof(bufs[0]), "%s", (const char *)v);
	xmlFree(v);
	return buf;
}

static long num_attr(xmlNodePtr n, const char *name)
{
	const char *v = attr(n, name);
	char *end;
	long l;

	if (!v)
		fail_msg("attribute %s missing on <%s>", name, (const char *)n->name);
	l = strtol(v, &end, 10);
	if (*end)
		fail_msg("attribute %s=\"%s\" is not an integer", name, v);
	return l;
}

static size_t nattrs(xmlNodePtr n)
{
	size_t k = 0;

	for (xmlAttrPtr a = n->properties; a; a = a->next)
		k++;
	return k;
}

static bool is_timestamp(const char *s)
{
	static const char pattern[] = "dddd-dd-ddTdd:dd:dd";

	if (!s || strlen(s) != sizeof(pattern) - 1)
		return false;
	for (size_t i = 0; pattern[i]; i++)
		if (pattern[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != pattern[i])
			return false;
	return true;
}

/* Checks one testsuite against the strict Ant schema: attributes, element
 * order, counts that add up, testcases with only name, classname and time. */
static void check_suite(xmlNodePtr suite, long id, bool gitlab)
{
	long tests = 0, failures = 0, errors = 0, skipped = 0;
	xmlNodePtr c = first_child(suite);

	assert_true(is(suite, "testsuite"));
	assert_non_null(attr(suite, "name"));
	assert_true(strlen(attr(suite, "name")) > 0);
	assert_string_equal(attr(suite, "package"), attr(suite, "name"));
	assert_int_equal(num_attr(suite, "id"), id);
	assert_true(is_timestamp(attr(suite, "timestamp")));
	assert_true(strlen(attr(suite, "hostname")) > 0);
	assert_string_equal(attr(suite, "time"), "0.000");
	assert_true(is(c, "properties"));
	for (xmlNodePtr p = first_child(c); p; p = next(p)) {
		assert_true(is(p, "property"));
		assert_true(strlen(attr(p, "name")) > 0);
		assert_non_null(attr(p, "value"));
	}
	for (c = next(c); is(c, "testcase"); c = next(c)) {
		xmlNodePtr kid = first_child(c);

		tests++;
		assert_non_null(attr(c, "name"));
		assert_string_equal(attr(c, "classname"), attr(suite, "name"));
		assert_string_equal(attr(c, "time"), "0");
		if (!gitlab)
			assert_int_equal(nattrs(c), 3);
		if (!kid)
			continue;
		assert_null(next(kid)); /* at most one of skipped, error, failure */
		if (is(kid, "failure") || is(kid, "error")) {
			const char *name = attr(c, "name");
			size_t idlen = strcspn(name, " ");

			failures += is(kid, "failure");
			errors += is(kid, "error");
			/* type is the rule id, which the name starts with (scan errors aside) */
			if (strcmp(attr(suite, "name"), "vigil.scan") != 0) {
				assert_int_equal(strlen(attr(kid, "type")), idlen);
				assert_memory_equal(attr(kid, "type"), name, idlen);
				assert_int_equal(attr(kid, "message")[0], '[');
			}
		} else {
			assert_true(is(kid, "skipped"));
			assert_non_null(attr(kid, "message"));
			skipped++;
		}
	}
	assert_true(is(c, "system-out"));
	c = next(c);
	assert_true(is(c, "system-err"));
	assert_null(next(c));
	assert_int_equal(num_attr(suite, "tests"), tests);
	assert_int_equal(num_attr(suite, "failures"), failures);
	assert_int_equal(num_attr(suite, "errors"), errors);
	assert_int_equal(num_attr(suite, "skipped"), skipped);
}

static size_t check_doc(const struct doc *d, bool gitlab)
{
	long id = 0;

	assert_true(is(d->root, "testsuites"));
	/* the strict schema allows no attribute here */
	assert_int_equal(nattrs(d->root), 0);
	for (xmlNodePtr s = first_child(d->root); s; s = next(s))
		check_suite(s, id++, gitlab);
	return (size_t)id;
}

static xmlNodePtr suite_named(const struct doc *d, const char *name)
{
	for (xmlNodePtr s = first_child(d->root); s; s = next(s))
		if (!strcmp(attr(s, "name"), name))
			return s;
	fail_msg("no testsuite %s", name);
	return NULL;
}

static xmlNodePtr case_named(xmlNodePtr suite, const char *name)
{
	for (xmlNodePtr c = first_child(suite); c; c = next(c))
		if (is(c, "testcase") && !strcmp(attr(c, "name"), name))
			return c;
	fail_msg("no testcase '%s' in %s", name, attr(suite, "name"));
	return NULL;
}

static void test_empty(void **state)
{
	struct vg_results *res = fx_results();
	struct doc d = parse("junit", res);
	xmlNodePtr s;

	/* no rules: one suite says so, rather than an empty, green run */
	assert_int_equal(check_doc(&d, false), 1);
	s = suite_named(&d, "vigil.scan");
	assert_int_equal(num_attr(s, "tests"), 1);
	assert_null(first_child(case_named(s, "scan")));
	xmlFreeDoc(d.xml);
	vg_results_free(res);
}

static void test_full(void **state)
{
	struct vg_results *res = fx_full();
	struct doc d = parse("junit", res);
	xmlNodePtr s, c, k;
	xmlChar *body;

	assert_int_equal(check_doc(&d, false), 5);
	s = suite_named(&d, "secrets");
	assert_int_equal(num_attr(s, "failures"), 7);
	assert_int_equal(num_attr(s, "skipped"), 3);
	assert_string_equal(attr(s, "timestamp"), "2023-11-14T22:13:20");
	c = case_named(s, "secrets.aws-key src/config.py:3:7 [.]");
	k = first_child(c);
	assert_true(is(k, "failure"));
	assert_string_equal(attr(k, "type"), "secrets.aws-key");
	assert_string_equal(attr(k, "message"), "[CRITICAL] AWS access key");
	body = xmlNodeGetContent(k);
	assert_non_null(strstr((const char *)body, "location: src/config.py:3:7\n"));
	assert_non_null(strstr((const char *)body, "evidence: aws_key = AKIA****\n"));
	assert_non_null(strstr((const char *)body, "remediation: Rotate the key.\n"));
	xmlFree(body);
	/* hostile names and evidence come back as the text they were */
	c = case_named(s, "secrets.aws-key " HOSTILE_PATH ":1:1 [.]");
	body = xmlNodeGetContent(first_child(c));
	assert_non_null(strstr((const char *)body, "evidence: " HOSTILE_EVIDENCE "\n"));
	xmlFree(body);
	case_named(s, "secrets.aws-key " SPACE_PATH ":2 [.]");
	case_named(s, "secrets.aws-key " UNICODE_PATH ":4:2 [.]");
	/* what XML cannot hold is shown, not dropped or passed through */
	case_named(s, "secrets.aws-key ctl\\x01\\x1b[31mred.txt:5:1 [.]");
	case_named(s, "secrets.aws-key bad\xef\xbf\xbd\xef\xbf\xbdutf8.txt:6:1 [.]");
	case_named(s, "secrets.aws-key bidi\\u202etxt.exe:7:1 [.]");
	k = first_child(case_named(s, "secrets.aws-key tests/fixture.py:1:1 [.]"));
	assert_true(is(k, "skipped"));
	assert_string_equal(attr(k, "message"), "waived: test fixture <ok> & fine");
	k = first_child(case_named(s, "secrets.aws-key old/key.py:9:1 [.]"));
	assert_string_equal(attr(k, "message"), "suppressed (baseline): AWS access key");

	s = suite_named(&d, "files");
	assert_null(first_child(case_named(s, "info.readme [.]")));
	k = first_child(case_named(s, "files.unreadable secret/dir [.]"));
	assert_true(is(k, "error"));
	assert_string_equal(attr(k, "message"), "[LOW] permission denied");
	s = suite_named(&d, "linux");
	k = first_child(case_named(s, "linux.only [.]"));
	assert_string_equal(attr(k, "message"), "not applicable: only on Debian");
	k = first_child(case_named(s, "linux.shadow /etc/shadow [.]"));
	assert_string_equal(attr(k, "message"), "not evaluated: needs root");
	case_named(s, "sysctl.ip-forward sysctl:net.ipv4.ip_forward [host]");
	case_named(s, "ssh.banner banner:issue (/etc/issue:2) [host]");
	s = suite_named(&d, "pack\"><script>alert(1)</script>");
	k = first_child(case_named(s, "hostile.rule h.txt:1:1 [.]"));
	assert_string_equal(attr(k, "message"), "[HIGH] <svg onload=alert(1)> & \"quotes\"");
	/* scan errors make a suite of their own */
	k = first_child(case_named(suite_named(&d, "vigil.scan"), "scan"));
	assert_true(is(k, "error"));
	assert_string_equal(attr(k, "type"), "vigil.scan-error");
	xmlFreeDoc(d.xml);
	vg_results_free(res);
}

static void test_many(void **state)
{
	struct vg_results *res = fx_many(3000);
	struct doc d = parse("junit", res);
	xmlNodePtr s;

	assert_int_equal(check_doc(&d, false), 1);
	s = suite_named(&d, "many");
	assert_int_equal(num_attr(s, "tests"), 3000);
	assert_int_equal(num_attr(s, "failures"), 3000);
	xmlFreeDoc(d.xml);
	vg_results_free(res);
}

static void test_rule_without_findings(void **state)
{
	struct vg_results *res = fx_results();
	struct doc d;
	xmlNodePtr s;

	fx_rule(res, "quiet.rule", VG_SEV_HIGH, NULL);
	d = parse("junit", res);
	assert_int_equal(check_doc(&d, false), 1);
	/* no pack: "vigil" */
	s = suite_named(&d, "vigil");
	assert_null(first_child(case_named(s, "quiet.rule")));
	xmlFreeDoc(d.xml);
	vg_results_free(res);
}

static void test_gitlab(void **state)
{
	struct vg_results *res = fx_full();
	struct doc d = parse("junit-gitlab", res);
	xmlNodePtr s, c;

	check_doc(&d, true);
	s = suite_named(&d, "secrets");
	c = case_named(s, "secrets.aws-key src/config.py:3:7 [.]");
	assert_string_equal(attr(c, "file"), "src/config.py");
	assert_string_equal(attr(c, "line"), "3");
	c = case_named(suite_named(&d, "files"), "files.world-writable etc/passwd [.]");
	assert_string_equal(attr(c, "file"), "etc/passwd");
	assert_null(attr(c, "line"));
	c = case_named(suite_named(&d, "linux"), "sysctl.ip-forward sysctl:net.ipv4.ip_forward "
		       "[host]");
	assert_null(attr(c, "file"));
	xmlFreeDoc(d.xml);
	vg_results_free(res);
}

static void test_write_error(void **state)
{
	(void)state;
	fx_expect_write_error("junit", fx_many(2000), "JUnit");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_rule_without_findings),
		cmocka_unit_test(test_gitlab),
		cmocka_unit_test(test_write_error),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	xmlCleanupParser();
	return rc;
}
