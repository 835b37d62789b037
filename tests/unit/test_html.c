/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for the HTML reporter: scan data stays text, the CSP admits only the page's own script. */
#include "report_fixture.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

struct page {
	char *text;
	htmlDocPtr doc;
	xmlNodePtr root;
};

static struct page render(const struct vg_results *res)
{
	struct page p;

	p.text = fx_render("html", res);
	p.doc = htmlReadMemory(p.text, (int)strlen(p.text), "report.html", "UTF-8",
			       HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	assert_non_null(p.doc);
	p.root = xmlDocGetRootElement(p.doc);
	assert_non_null(p.root);
	return p;
}

static void page_free(struct page *p)
{
	xmlFreeDoc(p->doc);
	free(p->text);
}

static bool is(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !strcasecmp((const char *)n->name, name);
}

static size_t count_elements(xmlNodePtr n, const char *name)
{
	size_t k = 0;

	for (; n; n = n->next) {
		k += is(n, name);
		k += count_elements(n->children, name);
	}
	return k;
}

/* The first element, in document order, for which match is true. */
static xmlNodePtr find(xmlNodePtr n, bool (*match)(xmlNodePtr, const void *), const void *arg)
{
	for (; n; n = n->next) {
		xmlNodePtr hit;

		if (n->type == XML_ELEMENT_NODE && match(n, arg))
			return n;
		if ((hit = find(n->children, match, arg)))
			return hit;
	}
	return NULL;
}

static char *get_attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s = v ? fx_strdup((const char *)v) : NULL;

	xmlFree(v);
	return s;
}

static bool attr_is(xmlNodePtr n, const void *arg)
{
	const char *const *kv = arg;
	char *v = get_attr(n, kv[0]);
	bool ok = v && !strcmp(v, kv[1]);

	free(v);
	return ok;
}

static bool named(xmlNodePtr n, const void *arg)
{
	return is(n, arg);
}

static xmlNodePtr by_attr(const struct page *p, const char *name, const char *value)
{
	const char *kv[2] = { name, value };

	return find(p->root, attr_is, kv);
}

static char *text_of(xmlNodePtr n)
{
	xmlChar *c = xmlNodeGetContent(n);
	char *s = fx_strdup(c ? (const char *)c : "");

	xmlFree(c);
	return s;
}

/* Nothing in the page can run or load: no event handler attributes, no
 * src, no link that leaves the page, no frames, objects or images. */
static void check_inert(xmlNodePtr n)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (xmlAttrPtr a = n->properties; a; a = a->next) {
			const char *name = (const char *)a->name;

			if (!strncasecmp(name, "on", 2))
				fail_msg("event handler %s on <%s>", name, (const char *)n->name);
			if (!strcasecmp(name, "src") || !strcasecmp(name, "srcset") ||
			    !strcasecmp(name, "action") || !strcasecmp(name, "formaction"))
				fail_msg("%s on <%s>", name, (const char *)n->name);
			if (!strcasecmp(name, "href")) {
				char *v = get_attr(n, "href");

				assert_int_equal(v[0], '#');
				free(v);
			}
		}
		check_inert(n->children);
	}
}

static void check_page(const struct page *p)
{
	xmlNodePtr meta = by_attr(p, "http-equiv", "Content-Security-Policy");
	xmlNodePtr script = find(p->root, named, "script");
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char b64[64], want[96];
	char *csp, *code;

	assert_non_null(meta);
	csp = get_attr(meta, "content");
	assert_non_null(strstr(csp, "default-src 'none'"));
	assert_non_null(strstr(csp, "img-src data:"));
	assert_null(strstr(csp, "unsafe-eval"));
	/* the one script, allowed by its hash and nothing else */
	assert_int_equal(count_elements(p->root, "script"), 1);
	assert_int_equal(fx_count(p->text, "<script"), 1);
	assert_int_equal(fx_count(p->text, "</script>"), 1);
	code = text_of(script);
	assert_true(EVP_Digest(code, strlen(code), md, &mdlen, EVP_sha256(), NULL));
	EVP_EncodeBlock((unsigned char *)b64, md, (int)mdlen);
	snprintf(want, sizeof(want), "script-src 'sha256-%s';", b64);
	assert_non_null(strstr(csp, want));
	check_inert(p->root);
	for (const char *tag = "img\0iframe\0object\0embed\0link\0base\0form\0"; *tag;
	     tag += strlen(tag) + 1)
		assert_int_equal(count_elements(p->root, tag), 0);
	/* the filters only appear when the script runs */
	assert_true(xmlHasProp(by_attr(p, "id", "filters"), (const xmlChar *)"hidden") != NULL);
	free(csp);
	free(code);
}

static void test_empty(void **state)
{
	struct vg_results *res = fx_results();
	struct page p = render(res);

	check_page(&p);
	assert_non_null(strstr(p.text, "Passed: no failure"));
	assert_non_null(strstr(p.text, "<div class=\"score\">&ndash;</div>"));
	assert_non_null(by_attr(&p, "id", "rule-table"));
	assert_int_equal(count_elements(p.root, "article"), 0);
	page_free(&p);
	vg_results_free(res);
}

static void test_hostile(void **state)
{
	struct vg_results *res = fx_full();
	struct page p = render(res);
	char *all = text_of(p.root);
	xmlNodePtr row;
	char *pack;

	check_page(&p);
	/* markup in the scan data is text on the page */
	assert_null(strstr(p.text, "<img"));
	assert_null(strstr(p.text, "<svg onload"));
	assert_null(strstr(p.text, "<b>not bold"));
	assert_non_null(strstr(p.text, "&lt;img src=x onerror=alert(1)&gt;.txt"));
	assert_non_null(strstr(all, HOSTILE_PATH));
	assert_non_null(strstr(all, HOSTILE_EVIDENCE));
	assert_non_null(strstr(all, "<svg onload=alert(1)> & \"quotes\""));
	assert_non_null(strstr(all, "<script>alert('m')</script>"));
	/* characters that hide or reorder text are shown as escapes */
	assert_non_null(strstr(all, "ctl\\x01\\x1b[31mred.txt"));
	assert_non_null(strstr(all, "bidi\\u202etxt.exe"));
	assert_non_null(strstr(all, "bad\xef\xbf\xbd\xef\xbf\xbdutf8.txt"));
	assert_null(strstr(p.text, "\x1b"));
	/* a hostile pack name stays one attribute value */
	row = by_attr(&p, "data-pack", "pack\"><script>alert(1)</script>");
	assert_non_null(row);
	pack = get_attr(row, "data-severity");
	assert_string_equal(pack, "high");
	free(pack);
	/* references are text, never links */
	assert_non_null(strstr(all, "https://example.org/keys"));
	assert_non_null(strstr(all, "javascript:alert(1)"));
	assert_null(strstr(p.text, "href=\"http"));
	assert_null(strstr(p.text, "href=\"javascript"));
	free(all);
	page_free(&p);
	vg_results_free(res);
}

static void test_content(void **state)
{
	struct vg_results *res = fx_full();
	struct page p = render(res);
	char *all = text_of(p.root);
	size_t rows = 0;

	/* header: what, when, which policy and profile */
	assert_non_null(strstr(p.text, "Incomplete:"));
	assert_non_null(strstr(all, "2023-11-14 22:13:20 UTC"));
	assert_non_null(strstr(all, "secrets@1.0"));
	assert_non_null(strstr(all, "default"));
	assert_int_equal(count_elements(p.root, "svg"), 1);
	/* one overview row and one article per rule, each row pointing at its article */
	for (size_t i = 1; i <= 9; i++) {
		char id[32];
		xmlNodePtr row, art;
		char *statuses;

		snprintf(id, sizeof(id), "rule-%zu", i);
		row = by_attr(&p, "data-rule", id);
		art = by_attr(&p, "id", id);
		assert_non_null(row);
		assert_true(is(art, "article"));
		statuses = get_attr(row, "data-statuses");
		assert_non_null(statuses);
		assert_true(strlen(statuses) > 0);
		free(statuses);
		rows++;
	}
	assert_null(by_attr(&p, "data-rule", "rule-10"));
	assert_int_equal(rows, 9);
	assert_int_equal(count_elements(p.root, "article"), 9);
	/* the failing critical rule comes first, with all its details */
	assert_non_null(by_attr(&p, "href", "#rule-1"));
	assert_non_null(strstr(p.text, "id=\"rule-1\" data-severity=\"critical\" "
				       "data-statuses=\"fail waived suppressed\" "
				       "data-pack=\"secrets\""));
	assert_non_null(strstr(all, "An AWS access key id and secret."));
	assert_non_null(strstr(all, "Keys in repositories leak."));
	assert_non_null(strstr(all, "Rotate the key."));
	assert_non_null(strstr(all, "aws iam delete-access-key --access-key-id \"$KEY\""));
	assert_non_null(strstr(all, "echo '</script>' ``` done"));
	assert_non_null(strstr(all, "test fixture <ok> & fine"));
	assert_non_null(strstr(all, "0123456789abcdef0123456789abcdef01234567"));
	assert_non_null(strstr(all, "target /nope: cannot open"));
	/* a finding row per finding that is not a pass, with its status */
	assert_int_equal(fx_count(p.text, "<tr data-status=\"fail\">"), 11);
	assert_int_equal(fx_count(p.text, "<tr data-status=\"suppressed\">"), 2);
	assert_int_equal(fx_count(p.text, "<tr data-status=\"waived\">"), 1);
	assert_int_equal(fx_count(p.text, "<tr data-status=\"error\">"), 1);
	assert_int_equal(fx_count(p.text, "<tr data-status=\"not-evaluated\">"), 1);
	assert_int_equal(fx_count(p.text, "<tr data-status=\"not-applicable\">"), 1);
	assert_non_null(strstr(all, "Passed on ."));
	free(all);
	page_free(&p);
	vg_results_free(res);
}

static void test_score(void **state)
{
	struct vg_results *res = fx_results();
	struct vg_rule_meta *crit = fx_rule(res, "a.crit", VG_SEV_CRITICAL, "a");
	struct vg_rule_meta *high = fx_rule(res, "a.high", VG_SEV_HIGH, "a");
	struct vg_rule_meta *info = fx_rule(res, "a.info", VG_SEV_INFO, "a");
	struct vg_rule_meta *waived = fx_rule(res, "a.waived", VG_SEV_CRITICAL, "a");
	struct page p;

	fx_finding(res, crit, VG_STATUS_PASS, NULL, 0, 0, NULL, NULL);
	fx_finding(res, high, VG_STATUS_FAIL, "x", 1, 1, NULL, "x");
	fx_finding(res, info, VG_STATUS_FAIL, "y", 1, 1, NULL, "y");
	fx_finding(res, waived, VG_STATUS_WAIVED, "z", 1, 1, NULL, "z");
	p = render(res);
	check_page(&p);
	/* 10 passed of 10 + 6: info weighs nothing, waived rules are left out */
	assert_non_null(strstr(p.text, "<div class=\"score\">63<small>"));
	assert_non_null(strstr(p.text, "Failed: 2 failures"));
	page_free(&p);
	vg_results_free(res);
}

static void test_many(void **state)
{
	struct vg_results *res = fx_many(3000);
	struct page p = render(res);

	check_page(&p);
	assert_int_equal(fx_count(p.text, "<tr data-status=\"fail\">"), 3000);
	assert_non_null(strstr(p.text, "Findings (3000)"));
	page_free(&p);
	vg_results_free(res);
}

static void test_write_error(void **state)
{
	(void)state;
	fx_expect_write_error("html", fx_many(2000), "HTML");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_content),
		cmocka_unit_test(test_score),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_write_error),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	xmlCleanupParser();
	return rc;
}
