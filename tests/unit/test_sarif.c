/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for the SARIF reporter: the document parsed back and every field GitHub needs checked. */
#include "report_fixture.h"

#include <sys/stat.h>

#include <jansson.h>

#include "report_util.h"
#include "testutil.h"

struct ctx {
	char dir[256];
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c || tu_mkdtemp(c->dir, sizeof(c->dir)) < 0) {
		free(c);
		return -1;
	}
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	tu_rmtree(c->dir);
	free(c);
	return 0;
}

/* Renders res as SARIF and parses it; checks what every SARIF log must have. */
static json_t *sarif_of(const struct vg_results *res)
{
	char *text = fx_render("sarif", res);
	json_error_t jerr;
	json_t *log = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);

	if (!log)
		fail_msg("not JSON: %s at %d:%d", jerr.text, jerr.line, jerr.column);
	free(text);
	assert_string_equal(json_string_value(json_object_get(log, "version")), "2.1.0");
	assert_non_null(strstr(json_string_value(json_object_get(log, "$schema")),
			       "sarif-schema-2.1.0.json"));
	assert_int_equal(json_array_size(json_object_get(log, "runs")), 1);
	return log;
}

static json_t *run_of(json_t *log)
{
	return json_array_get(json_object_get(log, "runs"), 0);
}

static json_t *path(json_t *j, const char *p)
{
	char key[64];

	while (j && *p) {
		size_t n = strcspn(p, ".");

		assert_true(n < sizeof(key));
		memcpy(key, p, n);
		key[n] = '\0';
		if (key[0] >= '0' && key[0] <= '9')
			j = json_array_get(j, (size_t)strtoul(key, NULL, 10));
		else
			j = json_object_get(j, key);
		p += n + (p[n] == '.');
	}
	return j;
}

static const char *str_at(json_t *j, const char *p)
{
	json_t *v = path(j, p);

	if (!json_is_string(v))
		fail_msg("%s is not a string", p);
	return json_string_value(v);
}

static json_int_t int_at(json_t *j, const char *p)
{
	json_t *v = path(j, p);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", p);
	return json_integer_value(v);
}

/* The result whose primary location's URI is uri, or NULL. */
static json_t *result_at(json_t *run, const char *uri)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(run, "results"), i, r)
		if (!strcmp(str_at(r, "locations.0.physicalLocation.artifactLocation.uri"), uri))
			return r;
	return NULL;
}

static bool has_string(json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	return false;
}

static void test_empty(void **state)
{
	struct vg_results *res = fx_results();
	json_t *log = sarif_of(res), *run = run_of(log);

	assert_string_equal(str_at(run, "tool.driver.name"), "vigil");
	assert_string_equal(str_at(run, "tool.driver.semanticVersion"), "0.1.0");
	assert_non_null(strstr(str_at(run, "tool.driver.informationUri"), "https://"));
	assert_int_equal(json_array_size(path(run, "tool.driver.rules")), 0);
	assert_int_equal(json_array_size(json_object_get(run, "results")), 0);
	assert_true(json_is_true(path(run, "invocations.0.executionSuccessful")));
	assert_int_equal(json_array_size(path(run, "invocations.0.toolExecutionNotifications")), 0);
	assert_string_equal(str_at(run, "automationDetails.id"), "vigil/tree/");
	json_decref(log);
	vg_results_free(res);
}

static void test_rules(void **state)
{
	struct vg_results *res = fx_full();
	json_t *log = sarif_of(res), *run = run_of(log);
	json_t *rules = path(run, "tool.driver.rules"), *rule, *r;
	size_t i;

	/* rules with results only: fail and waived, never pass, n/a, not evaluated or error */
	assert_int_equal(json_array_size(rules), 5);
	json_array_foreach(rules, i, rule) {
		const char *id = str_at(rule, "id");

		assert_string_not_equal(id, "info.readme");
		assert_string_not_equal(id, "linux.only");
		assert_string_not_equal(id, "linux.shadow");
		assert_string_not_equal(id, "files.unreadable");
		assert_true(strlen(str_at(rule, "name")) > 0);
		assert_true(strlen(str_at(rule, "shortDescription.text")) > 0);
		assert_true(strlen(str_at(rule, "fullDescription.text")) > 0);
		assert_true(strlen(str_at(rule, "help.text")) > 0);
		assert_true(strlen(str_at(rule, "help.markdown")) > 0);
		assert_true(has_string(path(rule, "properties.tags"), "security"));
		assert_non_null(str_at(rule, "properties.precision"));
		assert_non_null(str_at(rule, "defaultConfiguration.level"));
	}
	rule = json_array_get(rules, 0);
	assert_string_equal(str_at(rule, "id"), "secrets.aws-key");
	assert_string_equal(str_at(rule, "name"), "SecretsAwsKey");
	assert_string_equal(str_at(rule, "shortDescription.text"), "AWS access key");
	assert_string_equal(str_at(rule, "defaultConfiguration.level"), "error");
	assert_string_equal(str_at(rule, "properties.security-severity"), "9.5");
	assert_string_equal(str_at(rule, "properties.precision"), "very-high");
	assert_string_equal(str_at(rule, "helpUri"), "https://example.org/keys");
	assert_true(has_string(path(rule, "properties.tags"), "external/cwe/cwe-798"));
	assert_true(has_string(path(rule, "properties.tags"), "external/cwe/cwe-522"));
	assert_true(has_string(path(rule, "properties.tags"), "cwe-798"));
	assert_non_null(strstr(str_at(rule, "help.text"), "Rotate the key."));
	assert_non_null(strstr(str_at(rule, "help.markdown"), "**Remediation:** Rotate the key."));
	/* the script holds ``` so the fence is longer */
	assert_non_null(strstr(str_at(rule, "help.markdown"), "````sh\naws iam"));
	/* a rule's own score wins; medium by default */
	rule = json_array_get(rules, 1);
	assert_string_equal(str_at(rule, "id"), "files.world-writable");
	assert_string_equal(str_at(rule, "properties.security-severity"), "6.1");
	assert_string_equal(str_at(rule, "properties.precision"), "medium");
	rule = json_array_get(rules, 2);
	assert_string_equal(str_at(rule, "properties.security-severity"), "5.5");
	assert_string_equal(str_at(rule, "defaultConfiguration.level"), "warning");
	rule = json_array_get(rules, 3);
	assert_string_equal(str_at(rule, "properties.security-severity"), "2.0");
	assert_string_equal(str_at(rule, "defaultConfiguration.level"), "note");
	/* every result points at its rule both ways */
	json_array_foreach(json_object_get(run, "results"), i, r) {
		json_t *byindex = json_array_get(rules, (size_t)int_at(r, "ruleIndex"));

		assert_non_null(byindex);
		assert_string_equal(str_at(byindex, "id"), str_at(r, "ruleId"));
	}
	json_decref(log);
	vg_results_free(res);
}

static void test_results(void **state)
{
	struct vg_results *res = fx_full();
	json_t *log = sarif_of(res), *run = run_of(log), *r, *sup;
	size_t i;
	const char *msg;

	/* 11 aws-key results (3 suppressed), world-writable, sysctl, banner, hostile */
	assert_int_equal(json_array_size(json_object_get(run, "results")), 14);
	json_array_foreach(json_object_get(run, "results"), i, r) {
		const char *text = str_at(r, "message.text");

		assert_true(int_at(r, "locations.0.physicalLocation.region.startLine") >= 1);
		assert_true(int_at(r, "locations.0.physicalLocation.region.startColumn") >= 1);
		assert_string_equal(str_at(r, "locations.0.physicalLocation.artifactLocation."
					   "uriBaseId"), "%SRCROOT%");
		assert_int_equal(strlen(str_at(r, "partialFingerprints.vigil/v1")), 32);
		/* the first sentence stands alone */
		assert_true(strchr(".!?", text[strlen(text) - 1]) != NULL);
	}
	r = result_at(run, "src/config.py");
	assert_non_null(r);
	assert_string_equal(str_at(r, "ruleId"), "secrets.aws-key");
	assert_string_equal(str_at(r, "level"), "error");
	assert_string_equal(str_at(r, "message.text"), "AWS access key.");
	assert_int_equal(int_at(r, "locations.0.physicalLocation.region.startLine"), 3);
	assert_int_equal(int_at(r, "locations.0.physicalLocation.region.startColumn"), 7);
	assert_int_equal(int_at(r, "locations.0.physicalLocation.region.endLine"), 3);
	assert_int_equal(int_at(r, "locations.0.physicalLocation.region.endColumn"), 27);
	assert_null(path(r, "suppressions"));
	assert_string_equal(str_at(r, "properties.evidence"), "aws_key = AKIA****");
	/* percent-encoded, relative, RFC 3986 */
	assert_non_null(result_at(run, "dir%20with%20space/100%25%20%23hash%3Fq.txt"));
	assert_non_null(result_at(run, "%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.txt"));
	assert_non_null(result_at(run, "%C3%BCn%C3%AFc%C3%B8d%C3%A9/%D1%84%D0%B0%D0%B9%D0%BB.txt"));
	assert_non_null(result_at(run, "ctl%01%1B%5B31mred.txt"));
	assert_non_null(result_at(run, "bad%FF%FEutf8.txt"));
	assert_non_null(result_at(run, "bidi%E2%80%AEtxt.exe"));
	/* a file-level finding has line 1 */
	r = result_at(run, "etc/passwd");
	assert_int_equal(int_at(r, "locations.0.physicalLocation.region.startLine"), 1);
	assert_null(path(r, "locations.0.physicalLocation.region.endColumn"));
	/* a live value: pseudo-path and the object as a logical location */
	r = result_at(run, ".vigil/host/sysctl/net.ipv4.ip_forward");
	assert_non_null(r);
	assert_string_equal(str_at(r, "level"), "warning");
	assert_string_equal(str_at(r, "locations.0.logicalLocations.0.fullyQualifiedName"),
			    "sysctl:net.ipv4.ip_forward");
	assert_string_equal(str_at(r, "locations.0.logicalLocations.0.name"),
			    "net.ipv4.ip_forward");
	msg = str_at(r, "message.text");
	assert_string_equal(msg, "is 1, expected 0. Object: sysctl:net.ipv4.ip_forward.");
	/* a fact persisted in a file: the file, and the object too */
	r = result_at(run, "etc/issue");
	assert_non_null(r);
	assert_string_equal(str_at(r, "level"), "note");
	assert_string_equal(str_at(r, "locations.0.logicalLocations.0.fullyQualifiedName"),
			    "banner:issue");
	assert_string_equal(str_at(r, "properties.commit"),
			    "0123456789abcdef0123456789abcdef01234567");
	/* waived, baselined and inline-allowed failures are suppressed results */
	sup = path(result_at(run, "tests/fixture.py"), "suppressions.0");
	assert_string_equal(str_at(sup, "kind"), "external");
	assert_string_equal(str_at(sup, "justification"), "test fixture <ok> & fine");
	sup = path(result_at(run, "old/key.py"), "suppressions.0");
	assert_string_equal(str_at(sup, "kind"), "external");
	assert_string_equal(str_at(sup, "justification"), "in the baseline");
	sup = path(result_at(run, "inline.py"), "suppressions.0");
	assert_string_equal(str_at(sup, "kind"), "inSource");
	/* hostile text is data: JSON-escaped, unchanged */
	r = result_at(run, "h.txt");
	assert_string_equal(str_at(r, "message.text"), "<script>alert('m')</script>.");
	json_decref(log);
	vg_results_free(res);
}

static void test_invocation(void **state)
{
	struct vg_results *res = fx_full();
	json_t *log = sarif_of(res), *run = run_of(log), *notes, *n;
	bool saw_error = false, saw_not_evaluated = false, saw_scan_error = false;
	size_t i;

	assert_true(json_is_false(path(run, "invocations.0.executionSuccessful")));
	assert_string_equal(str_at(run, "invocations.0.startTimeUtc"), "2023-11-14T22:13:20Z");
	notes = path(run, "invocations.0.toolExecutionNotifications");
	assert_int_equal(json_array_size(notes), 3);
	json_array_foreach(notes, i, n) {
		const char *text = str_at(n, "message.text");

		if (strstr(text, "cannot open")) {
			saw_scan_error = true;
			assert_string_equal(str_at(n, "level"), "error");
		} else if (strstr(text, "permission denied")) {
			saw_error = true;
			assert_string_equal(str_at(n, "level"), "error");
			assert_string_equal(str_at(n, "associatedRule.id"), "files.unreadable");
			assert_string_equal(str_at(n, "locations.0.physicalLocation."
						   "artifactLocation.uri"), "secret/dir");
		} else if (strstr(text, "needs root")) {
			saw_not_evaluated = true;
			assert_string_equal(str_at(n, "level"), "warning");
			assert_string_equal(str_at(n, "associatedRule.id"), "linux.shadow");
		}
	}
	assert_true(saw_error && saw_not_evaluated && saw_scan_error);
	/* two kinds of target and a profile make the category */
	assert_string_equal(str_at(run, "automationDetails.id"), "vigil/tree+host/default/");
	/* several targets: no single root to name */
	assert_null(path(run, "originalUriBaseIds.%SRCROOT%.uri"));
	assert_non_null(path(run, "originalUriBaseIds.%SRCROOT%"));
	assert_int_equal(int_at(run, "properties.exitCode"), 2);
	json_decref(log);
	vg_results_free(res);
}

static void test_truncated(void **state)
{
	struct vg_results *res = fx_many(25003);
	json_t *log = sarif_of(res), *run = run_of(log), *notes;
	const char *text;

	assert_int_equal(json_array_size(json_object_get(run, "results")), 25000);
	assert_int_equal(json_array_size(path(run, "tool.driver.rules")), 1);
	notes = path(run, "invocations.0.toolExecutionNotifications");
	assert_int_equal(json_array_size(notes), 1);
	text = str_at(notes, "0.message.text");
	assert_non_null(strstr(text, "25000 of 25003"));
	assert_string_equal(str_at(notes, "0.level"), "warning");
	/* truncation alone is no failed execution */
	assert_true(json_is_true(path(run, "invocations.0.executionSuccessful")));
	json_decref(log);
	vg_results_free(res);
}

/* GitHub's own test vectors for its line hash, line by line. */
static void check_hashes(const char *text, const char *const *want, size_t n)
{
	struct vg_line_want w[16];

	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++)
		w[i].line = i + 1;
	assert_int_equal(vg_line_hashes(text, strlen(text), w, n), 0);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(w[i].hash, want[i]);
}

static void test_line_hash_vectors(void **state)
{
	static const char *const empty[] = { "c129715d7a2bc9a3:1" };
	static const char *const short_lines[] = {
		"271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1",
		"a23a3dc5e078b07b:1",
	};
	static const char *const greetings[] = {
		"e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1",
		"e20e36e16fcb0cc8:1", "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1",
		"c129715d7a2bc9a3:1",
	};
	static const char *const lorem[] = {
		"a7f2ff13bc495cf2:1", "a7f2ff13bc495cf2:2", "a7f2ff13bc495cf2:3",
		"a7f2ff13bc495cf2:4", "a7f2ff13bc495cf2:5", "a7f2ff13bc495cf2:6",
		"a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1", "55ec222b86bcae53:1",
		"cc97dc7b1d7d8f7b:1", "c129715d7a2bc9a3:1",
	};
	/* what Node's UTF-8 decoder makes of multi-byte, 4-byte and broken sequences */
	static const char *const unicode[] = {
		"3d7068983d8861e:1", "c84b60a52ba7e458:1", "aa257142b20ec718:1",
	};
	struct vg_line_want w[3] = { { .line = 2 }, { .line = 2 }, { .line = 99 } };
	char buf[400] = "";

	check_hashes("", empty, 1);
	check_hashes(" a\nb\n  \t\tc\n d", short_lines, 4);
	check_hashes(" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n", greetings, 7);
	check_hashes(" hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r", greetings, 7);
	check_hashes(" hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n", greetings, 7);
	check_hashes(" hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n", greetings, 7);
	for (size_t i = 0, len = strlen("Lorem ipsum dolor sit amet.\n"); i < 10; i++)
		memcpy(buf + i * len, "Lorem ipsum dolor sit amet.\n", len + 1);
	check_hashes(buf, lorem, 11);
	check_hashes("h\xc3\xa9llo w\xc3\xb6rld \xf0\x9f\x98\x80 x\n\xe2\x82 bad \xff\xc0\x80 "
		     "\xed\xa0\x80\nlast\xf0\x9f", unicode, 3);
	/* the same line twice, and a line the file does not have */
	assert_int_equal(vg_line_hashes("a\nb\n", 4, w, 3), 0);
	assert_string_equal(w[0].hash, w[1].hash);
	assert_string_equal(w[2].hash, "");
	assert_int_equal(vg_line_hashes("x", 1, NULL, 0), 0);
}

static void test_line_hash_in_results(void **state)
{
	struct ctx *c = *state;
	static const char text[] = " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n";
	struct vg_results *res = fx_results();
	struct vg_rule_meta *m = fx_rule(res, "t.rule", VG_SEV_HIGH, "t");
	char sub[300];
	json_t *log, *run;

	snprintf(sub, sizeof(sub), "%s/sub dir", c->dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	tu_put(c->dir, "sub dir/a.txt", text);
	res->root = fx_strdup(c->dir);
	fx_finding(res, m, VG_STATUS_FAIL, "sub dir/a.txt", 2, 1, NULL, "world");
	fx_finding(res, m, VG_STATUS_FAIL, "sub dir/a.txt", 5, 1, NULL, "greetings");
	fx_finding(res, m, VG_STATUS_FAIL, "sub dir/a.txt", 0, 0, NULL, "whole file");
	fx_finding(res, m, VG_STATUS_FAIL, "gone.txt", 1, 1, NULL, "gone");
	log = sarif_of(res);
	run = run_of(log);
	assert_string_equal(str_at(run, "results.0.partialFingerprints.primaryLocationLineHash"),
			    "fb7c023a8b9ccb3f:1");
	assert_string_equal(str_at(run, "results.1.partialFingerprints.primaryLocationLineHash"),
			    "b3edc88f2938467e:1");
	/* without a line GitHub hashes line 1 */
	assert_string_equal(str_at(run, "results.2.partialFingerprints.primaryLocationLineHash"),
			    "e9496ae3ebfced30:1");
	/* a file that is not there gets none, but still vigil's own */
	assert_null(path(run, "results.3.partialFingerprints.primaryLocationLineHash"));
	assert_non_null(path(run, "results.3.partialFingerprints.vigil/v1"));
	assert_string_equal(str_at(run, "results.0.locations.0.physicalLocation.artifactLocation."
				   "uri"), "sub%20dir/a.txt");
	/* the root as a file URI ending in a slash */
	assert_non_null(strstr(str_at(run, "originalUriBaseIds.%SRCROOT%.uri"), "file:///"));
	assert_non_null(strstr(str_at(run, "originalUriBaseIds.%SRCROOT%.uri"), "/vigil-test-"));
	assert_int_equal(str_at(run, "originalUriBaseIds.%SRCROOT%.uri")
			 [strlen(str_at(run, "originalUriBaseIds.%SRCROOT%.uri")) - 1], '/');
	json_decref(log);

	/* no root (saved results of several trees, host scans): no line hash */
	free(res->root);
	res->root = NULL;
	log = sarif_of(res);
	assert_null(path(run_of(log), "results.0.partialFingerprints.primaryLocationLineHash"));
	json_decref(log);
	vg_results_free(res);
}

/* Several targets: each path is made relative to the directory the target names. */
static void test_target_uris(void **state)
{
	struct vg_results *res = fx_results();
	struct vg_rule_meta *m = fx_rule(res, "t.rule", VG_SEV_LOW, "t");
	struct vg_finding *f;
	json_t *log, *run;

	free(res->targets[0]);
	free(res->targets);
	res->targets = fx_strv(3, "src", "lib/one.py", "root:/mnt/image");
	res->ntargets = 3;
	f = fx_finding(res, m, VG_STATUS_FAIL, "a/b.c", 1, 1, NULL, "in a directory");
	free(f->target);
	f->target = fx_strdup("src");
	f = fx_finding(res, m, VG_STATUS_FAIL, "one.py", 1, 1, NULL, "a file target");
	free(f->target);
	f->target = fx_strdup("lib/one.py");
	f = fx_finding(res, m, VG_STATUS_FAIL, "/etc/passwd", 1, 1, NULL, "in an image");
	free(f->target);
	f->target = fx_strdup("root:/mnt/image");
	f = fx_finding(res, m, VG_STATUS_FAIL, NULL, 0, 0, "service:ssh/../x", "a service");
	free(f->target);
	f->target = fx_strdup("root:/mnt/image");
	f = fx_finding(res, m, VG_STATUS_FAIL, NULL, 0, 0, "mount:/dev/shm",
		       "/dev/shm is mounted without noexec");
	free(f->target);
	f->target = fx_strdup("root:/mnt/image");
	log = sarif_of(res);
	run = run_of(log);
	/* the object is named once: by the message, or after it */
	assert_string_equal(str_at(result_at(run, ".vigil/root/service/ssh%2F..%2Fx"),
				   "message.text"), "a service. Object: service:ssh/../x.");
	assert_string_equal(str_at(result_at(run, ".vigil/root/mount/%2Fdev%2Fshm"),
				   "message.text"), "/dev/shm is mounted without noexec.");
	assert_non_null(result_at(run, "src/a/b.c"));
	assert_non_null(result_at(run, "lib/one.py"));
	assert_non_null(result_at(run, "etc/passwd"));
	/* the object's own slashes cannot climb out of .vigil */
	assert_non_null(result_at(run, ".vigil/root/service/ssh%2F..%2Fx"));
	assert_string_equal(str_at(run, "automationDetails.id"), "vigil/tree+root/");
	json_decref(log);
	vg_results_free(res);
}

/* Each byte of a sequence cut short becomes U+FFFD: the string is still valid JSON. */
static void test_json_str_cut_sequence(void **state)
{
	json_t *j = vg_json_str("x\xe2\x82" "A\xf0\x9f\x98");

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(j), "x\xef\xbf\xbd\xef\xbf\xbd" "A"
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	json_decref(j);
}

static void test_write_error(void **state)
{
	(void)state;
	fx_expect_write_error("sarif", fx_full(), "SARIF");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_results),
		cmocka_unit_test(test_invocation),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_line_hash_vectors),
		cmocka_unit_test_setup_teardown(test_line_hash_in_results, setup, teardown),
		cmocka_unit_test(test_target_uris),
		cmocka_unit_test(test_json_str_cut_sequence),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
