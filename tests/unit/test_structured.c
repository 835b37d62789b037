/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for the structured config checks (keyvalue, ini, json, yaml, xml) and their formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checks/check.h"
#include "checks/structured.h"
#include "error.h"
#include "formats/json.h"
#include "formats/xml.h"
#include "formats/yaml.h"
#include "limits.h"
#include "policy/pctx.h"
#include "targets/fs.h"
#include "testutil.h"
#include "util.h"

struct fixture {
	char dir[256];              /* mkdtemp: the root laid out for each test */
	struct vg_fs *root_fs;      /* dir as an offline root */
	struct vg_fs *tree_fs;      /* dir as a scanned tree */
	struct vg_diags diags;
	struct vg_ydoc *doc;        /* the check's YAML */
	const struct vg_check_impl *impl;
	void *cfg;
	struct vg_outcome out;
	bool have_out;
};

/* Opens fx->dir afresh: files laid out after vg_fs_open are seen anyway, but a
 * fresh fs per evaluation keeps the tests independent of any caching. */
static void open_fs(struct fixture *fx)
{
	struct vg_error err = {0};

	vg_fs_free(fx->root_fs);
	vg_fs_free(fx->tree_fs);
	fx->root_fs = fx->tree_fs = NULL;
	assert_int_equal(vg_fs_open(&fx->root_fs, fx->dir, VG_FS_IN_ROOT, &err), 0);
	assert_int_equal(vg_fs_open(&fx->tree_fs, fx->dir, VG_FS_BENEATH, &err), 0);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx || tu_mkdtemp(fx->dir, sizeof(fx->dir)) < 0) {
		free(fx);
		return -1;
	}
	vg_diags_init(&fx->diags);
	*state = fx;
	return 0;
}

static void reset_check(struct fixture *fx)
{
	if (fx->impl && fx->cfg)
		fx->impl->free(fx->cfg);
	fx->cfg = NULL;
	vg_ydoc_free(fx->doc);
	fx->doc = NULL;
	if (fx->have_out)
		vg_outcome_finish(&fx->out);
	fx->have_out = false;
	vg_diags_finish(&fx->diags);
	vg_diags_init(&fx->diags);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	reset_check(fx);
	vg_diags_finish(&fx->diags);
	vg_fs_free(fx->root_fs);
	vg_fs_free(fx->tree_fs);
	tu_rmtree(fx->dir);
	free(fx);
	return 0;
}

/* dir/path in a buffer of the fixture's (valid until the next call). */
static const char *full(struct fixture *fx, const char *path)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s%s", fx->dir, path);
	return buf;
}

/* Parses a check of type name from YAML text; returns the parse's code. */
static int parse_check(struct fixture *fx, const char *name, const char *yaml)
{
	struct vg_error err = {0};
	struct vg_pctx pc;
	int rc;

	reset_check(fx);
	fx->impl = vg_check_find(name);
	assert_non_null(fx->impl);
	rc = vg_ydoc_parse(&fx->doc, "t.yaml", yaml, strlen(yaml), &fx->diags, &err);
	assert_int_equal(rc, 0);
	vg_pctx_init(&pc, "t.yaml", &fx->diags, NULL);
	rc = fx->impl->parse(&fx->cfg, &pc, fx->doc->root);
	vg_pctx_finish(&pc);
	if (rc < 0)
		fx->cfg = NULL;
	return rc;
}

static void must_parse(struct fixture *fx, const char *name, const char *yaml)
{
	int rc = parse_check(fx, name, yaml);

	if (rc != 0)
		for (size_t i = 0; i < fx->diags.count; i++)
			fprintf(stderr, "%s\n", fx->diags.msgs[i]);
	assert_int_equal(rc, 0);
}

/* A parse that fails with a diagnostic containing want. */
static void must_not_parse(struct fixture *fx, const char *name, const char *yaml,
			   const char *want)
{
	bool seen = false;

	assert_int_not_equal(parse_check(fx, name, yaml), 0);
	for (size_t i = 0; i < fx->diags.count; i++)
		seen |= strstr(fx->diags.msgs[i], want) != NULL;
	if (!seen)
		for (size_t i = 0; i < fx->diags.count; i++)
			fprintf(stderr, "diag: %s\n", fx->diags.msgs[i]);
	assert_true(seen);
}

/* Evaluates the parsed check on fx->dir as an offline root. */
static struct vg_outcome *eval_root(struct fixture *fx)
{
	struct vg_target t = {.kind = VG_TARGET_ROOT, .label = "root"};
	struct vg_eval_ctx ev = {.target = &t, .max_file_size = VG_DEFAULT_MAX_FILE_SIZE};
	struct vg_leaf_state st;

	open_fs(fx);
	t.fs = fx->root_fs;
	t.start = "";
	if (fx->have_out)
		vg_outcome_finish(&fx->out);
	vg_outcome_init(&fx->out);
	fx->have_out = true;
	vg_leaf_state_init(&st);
	assert_int_equal(fx->impl->evaluate(fx->cfg, &st, &ev, &fx->out), 0);
	vg_leaf_state_finish(&st);
	return &fx->out;
}

/* Streams one in-memory file through the check as a tree scan would. */
static struct vg_outcome *eval_string(struct fixture *fx, const char *path, const char *data,
				      size_t len)
{
	struct vg_target t = {.kind = VG_TARGET_TREE, .label = "tree"};
	struct vg_eval_ctx ev = {.target = &t, .max_file_size = VG_DEFAULT_MAX_FILE_SIZE};
	struct vg_file f = {.path = path, .data = data, .len = len};
	struct vg_leaf_state st;

	open_fs(fx);
	t.fs = fx->tree_fs;
	t.start = "";
	if (fx->have_out)
		vg_outcome_finish(&fx->out);
	vg_outcome_init(&fx->out);
	fx->have_out = true;
	vg_leaf_state_init(&st);
	if (fx->impl->wants(fx->cfg, path))
		assert_int_equal(fx->impl->scan(fx->cfg, &st, &f, &ev), 0);
	assert_int_equal(fx->impl->evaluate(fx->cfg, &st, &ev, &fx->out), 0);
	vg_leaf_state_finish(&st);
	return &fx->out;
}

static struct vg_outcome *eval_str(struct fixture *fx, const char *path, const char *data)
{
	return eval_string(fx, path, data, strlen(data));
}

struct unreadable {
	struct fixture *fx;
	const char *want;
};

/* Evaluates the parsed check on the root: 0 when the outcome is not-evaluated
 * with a reason naming want. It reports through its value, not cmocka, so that
 * it can run in a child as nobody. */
static int eval_unreadable(void *arg)
{
	const struct unreadable *u = arg;
	struct vg_target t = {.kind = VG_TARGET_ROOT, .label = "root", .start = ""};
	struct vg_eval_ctx ev = {.target = &t, .max_file_size = VG_DEFAULT_MAX_FILE_SIZE};
	struct vg_error err = {0};
	struct vg_leaf_state st;
	struct vg_outcome o;
	struct vg_fs *fs = NULL;
	int bad;

	if (vg_fs_open(&fs, u->fx->dir, VG_FS_IN_ROOT, &err) < 0)
		return 3;
	t.fs = fs;
	vg_outcome_init(&o);
	vg_leaf_state_init(&st);
	bad = u->fx->impl->evaluate(u->fx->cfg, &st, &ev, &o) != 0 ||
	      o.status != VG_STATUS_NOT_EVALUATED || !o.reason || !strstr(o.reason, u->want);
	if (bad)
		fprintf(stderr, "as nobody: status %d, reason %s\n", o.status,
			o.reason ? o.reason : "-");
	vg_leaf_state_finish(&st);
	vg_outcome_finish(&o);
	vg_fs_free(fs);
	return bad ? 1 : 0;
}

static const struct vg_finding *hit(const struct vg_outcome *o, size_t i)
{
	assert_true(i < o->hits.len);
	return o->hits.items[i];
}

static void expect_status(const struct vg_outcome *o, enum vg_status want)
{
	if (o->status != want) {
		fprintf(stderr, "status %d, want %d; reason: %s\n", o->status, want,
			o->reason ? o->reason : "-");
		for (size_t i = 0; i < o->hits.len; i++)
			fprintf(stderr, "  hit: %s\n", hit(o, i)->message);
	}
	assert_int_equal(o->status, want);
}

/* A failure with exactly one hit at path:line whose evidence is ev. */
static const struct vg_finding *expect_one_fail(const struct vg_outcome *o, const char *path,
						size_t line, const char *ev)
{
	const struct vg_finding *h;

	expect_status(o, VG_STATUS_FAIL);
	assert_int_equal(o->hits.len, 1);
	h = hit(o, 0);
	assert_string_equal(h->loc.path, path);
	assert_int_equal(h->loc.line, line);
	assert_string_equal(h->evidence, ev);
	return h;
}

static void expect_reason(const struct vg_outcome *o, enum vg_status s, const char *want)
{
	expect_status(o, s);
	assert_non_null(o->reason);
	if (!strstr(o->reason, want))
		fprintf(stderr, "reason: %s\n", o->reason);
	assert_non_null(strstr(o->reason, want));
}

/* ---- keyvalue ---- */

static const char login_defs[] =
	"# /etc/login.defs\n"
	"MAIL_DIR        /var/mail\n"
	"PASS_MAX_DAYS\t99999\n"
	"PASS_MIN_DAYS   0\n"
	"#PASS_WARN_AGE  7\n"
	"PASS_MAX_DAYS   90   \r\n"
	"\n"
	"ENCRYPT_METHOD SHA512\n";

static void kv_whitespace_last_wins(void **state)
{
	struct fixture *fx = *state;
	const struct vg_finding *h;

	tu_put(fx->dir, "/etc/login.defs", login_defs);
	must_parse(fx, "keyvalue", "paths: /etc/login.defs\nkey: PASS_MAX_DAYS\n"
				   "expect: {min: 1, max: 365}\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	/* a pass carries what satisfied it */
	assert_int_equal(fx->out.hits.len, 1);
	assert_int_equal(hit(&fx->out, 0)->loc.line, 6);
	assert_string_equal(hit(&fx->out, 0)->evidence, "PASS_MAX_DAYS = 90");

	must_parse(fx, "keyvalue", "paths: /etc/login.defs\nkey: PASS_MAX_DAYS\nwins: first\n"
				   "expect: {min: 1, max: 365}\n");
	h = expect_one_fail(eval_root(fx), "/etc/login.defs", 3, "PASS_MAX_DAYS = 99999");
	assert_non_null(strstr(h->message, "PASS_MAX_DAYS in /etc/login.defs is 99999, more than "
					   "365"));
	assert_string_equal(h->raw_key, "PASS_MAX_DAYS=99999");
}

static void kv_comments_and_missing_keys(void **state)
{
	struct fixture *fx = *state;
	const struct vg_finding *h;

	tu_put(fx->dir, "/etc/login.defs", login_defs);
	/* commented out: unset */
	must_parse(fx, "keyvalue", "paths: [/etc/login.defs]\nkey: PASS_WARN_AGE\n"
				   "expect: {min: 7}\n");
	h = expect_one_fail(eval_root(fx), "/etc/login.defs", 0, "PASS_WARN_AGE (not set)");
	assert_non_null(strstr(h->message, "PASS_WARN_AGE is not set in /etc/login.defs"));
	/* unset with a failing default */
	must_parse(fx, "keyvalue", "paths: [/etc/login.defs]\nkey: PASS_WARN_AGE\n"
				   "expect: {min: 7}\ndefault: 0\n");
	h = expect_one_fail(eval_root(fx), "/etc/login.defs", 0, "PASS_WARN_AGE = 0 (default)");
	assert_non_null(strstr(h->message, "the default is 0, less than 7"));
	/* unset with a safe default passes */
	must_parse(fx, "keyvalue", "paths: [/etc/login.defs]\nkey: PASS_WARN_AGE\n"
				   "expect: {min: 7}\ndefault: 7\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	assert_non_null(strstr(hit(&fx->out, 0)->message, "the default is '7'"));
	/* absent / exists */
	must_parse(fx, "keyvalue", "paths: [/etc/login.defs]\nkey: PASS_WARN_AGE\n"
				   "expect: {absent: true}\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	must_parse(fx, "keyvalue", "paths: [/etc/login.defs]\nkey: MAIL_DIR\n"
				   "expect: {absent: true}\n");
	expect_one_fail(eval_root(fx), "/etc/login.defs", 2, "MAIL_DIR = /var/mail");
	/* no comment characters: "#PASS_WARN_AGE" is a key like any other */
	must_parse(fx, "keyvalue", "paths: [/etc/login.defs]\nkey: \"#PASS_WARN_AGE\"\n"
				   "comment: \"\"\nexpect: 7\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	/* ';' is data by default, a comment when asked */
	tu_put(fx->dir, "/etc/x.conf", "; a = 1\n# b = 2\nb = 3\n");
	must_parse(fx, "keyvalue", "paths: [/etc/x.conf]\nkey: \"; a\"\nseparator: \"=\"\n"
				   "expect: {exists: true}\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	must_parse(fx, "keyvalue", "paths: [/etc/x.conf]\nkey: \"; a\"\nseparator: \"=\"\n"
				   "comment: \"#;\"\nexpect: {exists: true}\n");
	expect_one_fail(eval_root(fx), "/etc/x.conf", 0, "; a (not set)");
	must_parse(fx, "keyvalue", "paths: [/etc/x.conf]\nkey: b\nseparator: \"=\"\n"
				   "wins: first\nexpect: 2\n");
	expect_one_fail(eval_root(fx), "/etc/x.conf", 3, "b = 3");
}

static void kv_separator_case_multi_quotes(void **state)
{
	struct fixture *fx = *state;

	tu_put(fx->dir, "/etc/security/pwquality.conf",
	       "# minlen = 20\nMinLen=8\nenforce_for_root\n  dictcheck  =  0  \n"
	       "name = \"quoted value\"\n");
	must_parse(fx, "keyvalue", "paths: /etc/security/pwquality.conf\nkey: minlen\n"
				   "separator: \"=\"\nexpect: {min: 14}\n");
	expect_one_fail(eval_root(fx), "/etc/security/pwquality.conf", 0, "minlen (not set)");
	must_parse(fx, "keyvalue", "paths: /etc/security/pwquality.conf\nkey: minlen\n"
				   "separator: \"=\"\nnocase_keys: true\nexpect: {min: 14}\n");
	expect_one_fail(eval_root(fx), "/etc/security/pwquality.conf", 2, "minlen = 8");
	/* a bare key is present with an empty value */
	must_parse(fx, "keyvalue", "paths: /etc/security/pwquality.conf\nkey: enforce_for_root\n"
				   "separator: \"=\"\nexpect: {exists: true}\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	must_parse(fx, "keyvalue", "paths: /etc/security/pwquality.conf\nkey: dictcheck\n"
				   "separator: \"=\"\nexpect: {not_in: [\"0\"]}\n");
	expect_one_fail(eval_root(fx), "/etc/security/pwquality.conf", 4, "dictcheck = 0");
	must_parse(fx, "keyvalue", "paths: /etc/security/pwquality.conf\nkey: name\n"
				   "separator: \"=\"\nunquote: true\nexpect: quoted value\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	must_parse(fx, "keyvalue", "paths: /etc/security/pwquality.conf\nkey: name\n"
				   "separator: \"=\"\nexpect: quoted value\n");
	expect_status(eval_root(fx), VG_STATUS_FAIL);

	/* multi: every value counts, each failing one is a finding at its line */
	tu_put(fx->dir, "/etc/rsyslog.conf", "$FileCreateMode 0640\n$FileCreateMode 0644\n"
	       "$FileCreateMode 0600\n$FileCreateMode 0666\n");
	must_parse(fx, "keyvalue", "paths: /etc/rsyslog.conf\nkey: $FileCreateMode\nmulti: true\n"
				   "expect: {mode_max: \"0640\"}\n");
	expect_status(eval_root(fx), VG_STATUS_FAIL);
	assert_int_equal(fx->out.hits.len, 2);
	assert_int_equal(hit(&fx->out, 0)->loc.line, 2);
	assert_int_equal(hit(&fx->out, 1)->loc.line, 4);
	assert_string_equal(hit(&fx->out, 1)->evidence, "$FileCreateMode = 0666");
}

static void kv_dropins(void **state)
{
	struct fixture *fx = *state;
	const char *check = "paths: /etc/rsyslog.conf\ndropins: [/etc/rsyslog.d/*.conf, "
			    "/usr/lib/rsyslog.d/*.conf]\nkey: $FileCreateMode\n"
			    "expect: {mode_max: \"0640\"}\ndefault: \"0644\"\n";

	tu_put(fx->dir, "/etc/rsyslog.conf", "$FileCreateMode 0640\n");
	tu_put(fx->dir, "/etc/rsyslog.d/50-a.conf", "*.* /var/log/all\n");
	/* same name as a file in an earlier glob: replaced by it, never read */
	tu_put(fx->dir, "/usr/lib/rsyslog.d/50-a.conf", "$FileCreateMode 0777\n");
	must_parse(fx, "keyvalue", check);
	expect_status(eval_root(fx), VG_STATUS_PASS);
	/* a later drop-in (by file name, across directories) wins */
	tu_put(fx->dir, "/usr/lib/rsyslog.d/60-b.conf", "$FileCreateMode 0644\n");
	expect_one_fail(eval_root(fx), "/usr/lib/rsyslog.d/60-b.conf", 1, "$FileCreateMode = 0644");
	tu_put(fx->dir, "/etc/rsyslog.d/70-c.conf", "$FileCreateMode 0600\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	assert_string_equal(hit(&fx->out, 0)->loc.path, "/etc/rsyslog.d/70-c.conf");
	/* the main file missing: the drop-ins alone still count */
	unlink(full(fx, "/etc/rsyslog.conf"));
	expect_status(eval_root(fx), VG_STATUS_PASS);
	/* dropins are only for line-oriented formats */
	must_not_parse(fx, "json", "paths: /a.json\ndropins: /a.d/*.json\npath: a\nexpect: 1\n",
		       "unknown key 'dropins'");
}

static void kv_missing_files(void **state)
{
	struct fixture *fx = *state;
	const char *base = "paths: [/etc/login.defs, /etc/login.defs.d/*]\nkey: UMASK\n"
			   "expect: {matches: '^0?[0-7][2367]7$'}\n";
	char yaml[512];

	must_parse(fx, "keyvalue", base);
	expect_reason(eval_root(fx), VG_STATUS_NOT_APPLICABLE, "no file matches /etc/login.defs");
	snprintf(yaml, sizeof(yaml), "%smissing: pass\n", base);
	must_parse(fx, "keyvalue", yaml);
	expect_status(eval_root(fx), VG_STATUS_PASS);
	snprintf(yaml, sizeof(yaml), "%smissing: fail\n", base);
	must_parse(fx, "keyvalue", yaml);
	expect_status(eval_root(fx), VG_STATUS_FAIL);
	assert_string_equal(hit(&fx->out, 0)->loc.object, "file:/etc/login.defs");
	/* a directory matching the glob is not a config file */
	mkdir(full(fx, "/etc"), 0755);
	mkdir(full(fx, "/etc/login.defs.d"), 0755);
	mkdir(full(fx, "/etc/login.defs.d/sub"), 0755);
	expect_status(eval_root(fx), VG_STATUS_FAIL);
	/* each matching file is judged on its own */
	tu_put(fx->dir, "/etc/login.defs.d/a", "UMASK 027\n");
	tu_put(fx->dir, "/etc/login.defs.d/b", "UMASK 022\n");
	expect_one_fail(eval_root(fx), "/etc/login.defs.d/b", 1, "UMASK = 022");
}

static void kv_bad_input(void **state)
{
	struct fixture *fx = *state;
	char garbage[600];
	char path[512];
	int fd;

	for (size_t i = 0; i < sizeof(garbage); i++)
		garbage[i] = (char)((i * 131 + 7) % 256);
	memcpy(garbage, "UMASK 027\n", 10);
	tu_putn(fx->dir, "/etc/login.defs", garbage, sizeof(garbage), 0644);
	must_parse(fx, "keyvalue", "paths: /etc/login.defs\nkey: UMASK\nexpect: \"027\"\n");
	expect_reason(eval_root(fx), VG_STATUS_ERROR, "/etc/login.defs: binary data");
	assert_int_equal(fx->out.hits.len, 0);
	/* the same from a tree, as a string */
	expect_reason(eval_string(fx, "etc/login.defs", garbage, sizeof(garbage)), VG_STATUS_ERROR,
		      "etc/login.defs: binary data");
	/* over the cap: a clear error, without reading it */
	snprintf(path, sizeof(path), "%s/etc/login.defs", fx->dir);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)VG_MAX_CONFIG_FILE_BYTES + 1), 0);
	close(fd);
	expect_reason(eval_root(fx), VG_STATUS_ERROR, "larger than");
	/* truncated last line, no newline: still read */
	tu_put(fx->dir, "/etc/login.defs", "UMASK 027");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	/* a FIFO is refused without blocking */
	unlink(path);
	assert_int_equal(mkfifo(path, 0644), 0);
	expect_status(eval_root(fx), VG_STATUS_ERROR);
	unlink(path);
	/* unreadable: not evaluated, never pass (root reads everything: look as nobody) */
	tu_put(fx->dir, "/etc/login.defs", "UMASK 022\n");
	chmod(path, 0);
	chmod(fx->dir, 0755);
	chmod(full(fx, "/etc"), 0755);
	assert_int_equal(tu_as_nobody(eval_unreadable, &(struct unreadable){fx, "login.defs"}), 0);
	chmod(path, 0644);
}

static void kv_policy_errors(void **state)
{
	struct fixture *fx = *state;

	must_not_parse(fx, "keyvalue", "paths: /a\nkey: k\nexpect: 1\nbogus: 2\n",
		       "unknown key 'bogus'");
	must_not_parse(fx, "keyvalue", "paths: /a\nexpect: 1\n", "key");
	must_not_parse(fx, "keyvalue", "key: k\nexpect: 1\n", "paths");
	must_not_parse(fx, "keyvalue", "paths: /a\nkey: k\n", "expect");
	must_not_parse(fx, "keyvalue", "paths: /a\nkey: k\nexpect: 1\nwins: middle\n",
		       "wins must be first or last");
	must_not_parse(fx, "keyvalue", "paths: /a\nkey: k\nexpect: 1\nwins: first\nmulti: true\n",
		       "exclude each other");
	must_not_parse(fx, "keyvalue", "paths: /a\nkey: k\nexpect: 1\nmissing: maybe\n",
		       "missing must be pass, fail or not-applicable");
	must_not_parse(fx, "keyvalue", "paths: /a\nkey: k\nexpect: {absent: true}\ndefault: x\n",
		       "'default' makes no sense");
	must_not_parse(fx, "keyvalue", "paths: /a\nkey: k\nexpect: {between: 1}\n",
		       "unknown key 'between'");
	must_not_parse(fx, "keyvalue", "paths: []\nkey: k\nexpect: 1\n", "needs 'paths'");
}

/* ---- ini ---- */

static const char journald[] =
	"#  This file is part of systemd.\n"
	"Storage=none\n"
	"[Journal]\n"
	"#Storage=auto\n"
	"Storage = volatile\n"
	"Compress=yes\n"
	"[Other]\n"
	"Storage=persistent\n"
	"[Journal]\n"
	"SystemMaxUse=1G\n";

static void ini_sections(void **state)
{
	struct fixture *fx = *state;
	const struct vg_finding *h;

	tu_put(fx->dir, "/etc/systemd/journald.conf", journald);
	must_parse(fx, "ini", "paths: /etc/systemd/journald.conf\nsection: Journal\nkey: Storage\n"
			      "expect: persistent\n");
	h = expect_one_fail(eval_root(fx), "/etc/systemd/journald.conf", 5, "Storage = volatile");
	assert_non_null(strstr(h->message, "[Journal] Storage in /etc/systemd/journald.conf is "
					   "'volatile', expected 'persistent'"));
	/* keys before any section */
	must_parse(fx, "ini", "paths: /etc/systemd/journald.conf\nkey: Storage\nexpect: none\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	assert_int_equal(hit(&fx->out, 0)->loc.line, 2);
	/* a section that appears twice is one section */
	must_parse(fx, "ini", "paths: /etc/systemd/journald.conf\nsection: Journal\n"
			      "key: SystemMaxUse\nexpect: 1G\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	/* case */
	must_parse(fx, "ini", "paths: /etc/systemd/journald.conf\nsection: journal\n"
			      "key: compress\nexpect: yes\n");
	expect_status(eval_root(fx), VG_STATUS_FAIL);
	must_parse(fx, "ini", "paths: /etc/systemd/journald.conf\nsection: journal\n"
			      "key: compress\nnocase_keys: true\nexpect: 'yes'\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	/* the software's default when unset */
	must_parse(fx, "ini", "paths: /etc/systemd/journald.conf\nsection: Journal\n"
			      "key: ForwardToSyslog\ndefault: 'yes'\nexpect: 'yes'\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
}

static void ini_dropins_and_continuations(void **state)
{
	struct fixture *fx = *state;
	const char *check = "paths: /etc/systemd/journald.conf\n"
			    "dropins: [/etc/systemd/journald.conf.d/*.conf, "
			    "/run/systemd/journald.conf.d/*.conf, "
			    "/usr/lib/systemd/journald.conf.d/*.conf]\n"
			    "section: Journal\nkey: Storage\nexpect: persistent\n";

	tu_put(fx->dir, "/etc/systemd/journald.conf", journald);
	tu_put(fx->dir, "/usr/lib/systemd/journald.conf.d/10-a.conf",
	       "[Journal]\nStorage=persistent\n");
	must_parse(fx, "ini", check);
	expect_status(eval_root(fx), VG_STATUS_PASS);
	assert_string_equal(hit(&fx->out, 0)->loc.path,
			    "/usr/lib/systemd/journald.conf.d/10-a.conf");
	/* a later name wins; a drop-in setting it in another section does not count */
	tu_put(fx->dir, "/run/systemd/journald.conf.d/20-b.conf", "[Journal]\nStorage=auto\n");
	tu_put(fx->dir, "/run/systemd/journald.conf.d/30-c.conf", "[Other]\nStorage=persistent\n");
	expect_one_fail(eval_root(fx), "/run/systemd/journald.conf.d/20-b.conf", 2,
			"Storage = auto");
	/* /etc masks the same name in /run */
	tu_put(fx->dir, "/etc/systemd/journald.conf.d/20-b.conf",
	       "[Journal]\nStorage=persistent\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	/* a broken drop-in makes the result an error, not a guess */
	tu_put(fx->dir, "/etc/systemd/journald.conf.d/90-bad.conf",
	       "[Journal\nStorage=persistent\n");
	expect_reason(eval_root(fx), VG_STATUS_ERROR,
		      "/etc/systemd/journald.conf.d/90-bad.conf:1: a section header");

	/* backslash continuation joins lines; the value's line is the key's */
	tu_put(fx->dir, "/etc/app.ini", "[a]\nlist = one \\\n  two \\\n three\nafter = 1\n");
	must_parse(fx, "ini", "paths: /etc/app.ini\nsection: a\nkey: list\n"
			      "expect: one two three\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	assert_int_equal(hit(&fx->out, 0)->loc.line, 2);
	must_parse(fx, "ini", "paths: /etc/app.ini\nsection: a\nkey: after\nexpect: 1\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	assert_int_equal(hit(&fx->out, 0)->loc.line, 5);
	/* repeated keys: last wins; bare words are keys with empty values (my.cnf) */
	expect_status(eval_str(fx, "my.cnf", "[mysqld]\nport=1\nport=2\nskip-name-resolve\n"),
		      VG_STATUS_NOT_APPLICABLE);
	must_parse(fx, "ini", "paths: '**/my.cnf'\nsection: mysqld\nkey: port\nexpect: 2\n");
	expect_status(eval_str(fx, "etc/my.cnf", "[mysqld]\nport=1\nport=2\n"), VG_STATUS_PASS);
	must_parse(fx, "ini", "paths: '**/my.cnf'\nsection: mysqld\nkey: skip-name-resolve\n"
			      "expect: {exists: true}\n");
	expect_status(eval_str(fx, "my.cnf", "[mysqld]\nskip-name-resolve\n"), VG_STATUS_PASS);
	expect_reason(eval_str(fx, "my.cnf", "[mysqld\nx=1\n"), VG_STATUS_ERROR,
		      "my.cnf:1: a section header must end with ']'");
	expect_reason(eval_str(fx, "my.cnf", "\n[mysqld] x\nx=1\n"), VG_STATUS_ERROR,
		      "my.cnf:2: a section header must end with ']'");
	expect_status(eval_str(fx, "my.cnf", "[ mysqld ] # server\nskip-name-resolve\n"),
		      VG_STATUS_PASS);
	expect_reason(eval_string(fx, "my.cnf", "[mysqld]\n\x01\x02\x00", 12), VG_STATUS_ERROR,
		      "binary data");
}

/* ---- document paths ---- */

static void spath_syntax(void **state)
{
	static const char *const bad[] = {
		"", "a..b", ".a", "a.", "a[", "a[x]", "a[]", "a[-1]", "a[\"b]", "a]b", "a.[0]",
		"a[0]b", "a[99999999999]",
	};
	struct vg_spath p;
	char why[128];

	(void)state;
	assert_int_equal(vg_spath_parse(&p, "a.b[0].c", why, sizeof(why)), 0);
	assert_int_equal(p.n, 4);
	assert_string_equal(p.steps[0].key, "a");
	assert_string_equal(p.steps[1].key, "b");
	assert_null(p.steps[2].key);
	assert_int_equal(p.steps[2].index, 0);
	assert_string_equal(p.steps[3].key, "c");
	vg_spath_finish(&p);
	assert_int_equal(vg_spath_parse(&p, "[2][\"x.y\"]['it\\'s'].log-driver", why, sizeof(why)),
			 0);
	assert_int_equal(p.n, 4);
	assert_int_equal(p.steps[0].index, 2);
	assert_string_equal(p.steps[1].key, "x.y");
	assert_string_equal(p.steps[2].key, "it's");
	assert_string_equal(p.steps[3].key, "log-driver");
	vg_spath_finish(&p);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (vg_spath_parse(&p, bad[i], why, sizeof(why)) != VG_EPARSE)
			fail_msg("'%s' parsed", bad[i]);
		assert_true(why[0] != '\0');
		assert_null(p.steps);
	}
}

/* ---- json ---- */

static const char daemon_json[] =
	"{\n"
	"  \"log-driver\": \"json-file\",\n"
	"  \"log-opts\": {\"max-size\": \"10m\", \"max-file\": 3},\n"
	"  \"a\": {\n"
	"    \"b\": [\n"
	"      {\"c\": 1},\n"
	"      {\"c\": 2.5, \"d\": null}\n"
	"    ]\n"
	"  },\n"
	"  \"x.y\": true,\n"
	"  \"icc\": false\n"
	"}\n";

static void json_reader(void **state)
{
	struct vg_error err = {0};
	struct vg_jdoc *doc = NULL;
	const struct vg_jnode *n;
	char *text = NULL;

	(void)state;
	assert_int_equal(vg_jdoc_parse(&doc, "d.json", daemon_json, strlen(daemon_json), &err), 0);
	n = vg_jnode_get(vg_jdoc_root(doc), "log-opts");
	assert_non_null(n);
	assert_int_equal(vg_jdoc_line(doc, n), 3);
	assert_int_equal(vg_jnode_text(&text, n, &err), 0);
	assert_string_equal(text, "{\"max-size\":\"10m\",\"max-file\":3}");
	free(text);
	n = vg_jnode_get(vg_jnode_at(vg_jnode_get(vg_jnode_get(vg_jdoc_root(doc), "a"), "b"), 1),
			 "c");
	assert_int_equal(vg_jdoc_line(doc, n), 7);
	assert_int_equal(vg_jnode_text(&text, n, &err), 0);
	assert_string_equal(text, "2.5");
	free(text);
	n = vg_jnode_get(vg_jnode_at(vg_jnode_get(vg_jnode_get(vg_jdoc_root(doc), "a"), "b"), 1),
			 "d");
	assert_non_null(n);
	assert_int_equal(vg_jnode_text(&text, n, &err), 0);
	assert_null(text);
	assert_int_equal(vg_jdoc_line(doc, vg_jnode_get(vg_jdoc_root(doc), "icc")), 11);
	assert_int_equal(vg_jdoc_line(doc, vg_jdoc_root(doc)), 1);
	assert_null(vg_jnode_at(vg_jdoc_root(doc), 0));
	assert_null(vg_jnode_get(n, "x"));
	vg_jdoc_free(doc);
	vg_jdoc_free(NULL);
}

static int jparse(struct vg_jdoc **doc, const char *text, struct vg_error *err)
{
	return vg_jdoc_parse(doc, "d.json", text, strlen(text), err);
}

static void json_reader_limits(void **state)
{
	struct vg_error err = {0};
	struct vg_jdoc *doc = NULL;
	struct vg_buf b;

	(void)state;
	assert_int_equal(jparse(&doc, "{\"a\":1,\n\"a\":2}", &err),
			 VG_EPARSE);
	assert_null(doc);
	assert_non_null(strstr(err.msg, "d.json:2:"));
	assert_non_null(strstr(err.msg, "duplicate"));
	assert_int_equal(jparse(&doc, "{\"a\":\n", &err), VG_EPARSE);
	assert_int_equal(jparse(&doc, "\"top-level string\"", &err),
			 VG_EPARSE);
	assert_int_equal(jparse(&doc, "{\"a\":\"x\\u0000y\"}", &err),
			 VG_EPARSE);
	/* nesting: refused before jansson recurses */
	vg_buf_init(&b, 0);
	for (int i = 0; i < VG_MAX_CONFIG_DEPTH + 1; i++)
		vg_buf_puts(&b, "[");
	for (int i = 0; i < VG_MAX_CONFIG_DEPTH + 1; i++)
		vg_buf_puts(&b, "]");
	assert_int_equal(vg_jdoc_parse(&doc, "deep.json", b.data, b.len, &err), VG_ELIMIT);
	assert_non_null(strstr(err.msg, "nested deeper"));
	/* brackets inside strings do not count */
	vg_buf_clear(&b);
	vg_buf_puts(&b, "{\"a\":\"");
	for (int i = 0; i < 1000; i++)
		vg_buf_puts(&b, "[{\\\"");
	vg_buf_puts(&b, "\"}");
	assert_int_equal(vg_jdoc_parse(&doc, "s.json", b.data, b.len, &err), 0);
	vg_jdoc_free(doc);
	doc = NULL;
	/* too many values */
	vg_buf_clear(&b);
	vg_buf_puts(&b, "[");
	for (int i = 0; i < VG_MAX_CONFIG_NODES + 1; i++)
		vg_buf_puts(&b, "0,");
	vg_buf_puts(&b, "0]");
	assert_int_equal(vg_jdoc_parse(&doc, "wide.json", b.data, b.len, &err), VG_ELIMIT);
	vg_buf_finish(&b);
}

static void json_check(void **state)
{
	struct fixture *fx = *state;

	tu_put(fx->dir, "/etc/docker/daemon.json", daemon_json);
	must_parse(fx, "json", "paths: /etc/docker/daemon.json\npath: log-driver\n"
			       "expect: {in: [journald, syslog]}\n");
	expect_one_fail(eval_root(fx), "/etc/docker/daemon.json", 2, "log-driver = json-file");
	must_parse(fx, "json", "paths: /etc/docker/daemon.json\npath: a.b[1].c\n"
			       "expect: {max: 2}\n");
	expect_status(eval_root(fx), VG_STATUS_FAIL); /* 2.5 is not an integer */
	must_parse(fx, "json", "paths: /etc/docker/daemon.json\npath: a.b[0].c\n"
			       "expect: {max: 2}\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	assert_int_equal(hit(&fx->out, 0)->loc.line, 6);
	must_parse(fx, "json", "paths: /etc/docker/daemon.json\npath: '[\"x.y\"]'\n"
			       "expect: 'true'\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	must_parse(fx, "json", "paths: /etc/docker/daemon.json\npath: icc\nexpect: 'false'\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	/* missing members, indices past the end and null are unset */
	must_parse(fx, "json", "paths: /etc/docker/daemon.json\npath: a.b[1].d\n"
			       "expect: {absent: true}\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	must_parse(fx, "json", "paths: /etc/docker/daemon.json\npath: a.b[7].c\n"
			       "expect: {absent: true}\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	must_parse(fx, "json", "paths: /etc/docker/daemon.json\npath: log-driver.x\n"
			       "expect: {absent: true}\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	must_parse(fx, "json", "paths: /etc/docker/daemon.json\npath: userns-remap\n"
			       "default: ''\nexpect: {matches: '.'}\n");
	expect_one_fail(eval_root(fx), "/etc/docker/daemon.json", 0, "userns-remap =  (default)");
	/* objects compare as compact JSON */
	must_parse(fx, "json", "paths: /etc/docker/daemon.json\npath: log-opts\n"
			       "expect: {matches: '\"max-size\"'}\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	/* relative globs in a tree */
	must_parse(fx, "json", "paths: 'config/*.json'\npath: debug\nexpect: 'false'\n");
	expect_status(eval_str(fx, "config/app.json", "{\"debug\": true}"), VG_STATUS_FAIL);
	assert_string_equal(hit(&fx->out, 0)->loc.path, "config/app.json");
	assert_int_equal(hit(&fx->out, 0)->loc.line, 1);
	expect_status(eval_str(fx, "other/app.json", "{\"debug\": true}"),
		      VG_STATUS_NOT_APPLICABLE);
	expect_reason(eval_str(fx, "config/app.json", "{\"debug\": true,\n\"debug\": false}"),
		      VG_STATUS_ERROR, "config/app.json:2:");
	expect_reason(eval_str(fx, "config/app.json", "{\"debug\": tru"), VG_STATUS_ERROR,
		      "config/app.json:1:");
	expect_reason(eval_string(fx, "config/app.json", "{\"a\":\0}", 7), VG_STATUS_ERROR,
		      "binary data (byte 0x00 at offset 5), not a json file");
	/* bad paths are policy errors */
	must_not_parse(fx, "json", "paths: /a.json\npath: 'a..b'\nexpect: 1\n", "bad path 'a..b'");
}

/* ---- yaml ---- */

static void yaml_check(void **state)
{
	struct fixture *fx = *state;
	const char *cfg = "# kubelet\n"
			  "authentication:\n"
			  "  anonymous:\n"
			  "    enabled: false\n"
			  "  webhook: {enabled: true}\n"
			  "tlsCipherSuites:\n"
			  "  - TLS_AES_128_GCM_SHA256\n"
			  "  - TLS_RSA_WITH_RC4_128_SHA\n"
			  "readOnlyPort: ~\n"
			  "labels: {a.b: \"1\"}\n";

	tu_put(fx->dir, "/var/lib/kubelet/config.yaml", cfg);
	must_parse(fx, "yaml", "paths: /var/lib/kubelet/config.yaml\n"
			       "path: authentication.anonymous.enabled\nexpect: 'false'\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	assert_int_equal(hit(&fx->out, 0)->loc.line, 4);
	must_parse(fx, "yaml", "paths: /var/lib/kubelet/config.yaml\npath: tlsCipherSuites[1]\n"
			       "expect: {not_in: [TLS_RSA_WITH_RC4_128_SHA]}\n");
	expect_one_fail(eval_root(fx), "/var/lib/kubelet/config.yaml", 8,
			"tlsCipherSuites[1] = TLS_RSA_WITH_RC4_128_SHA");
	must_parse(fx, "yaml", "paths: /var/lib/kubelet/config.yaml\npath: readOnlyPort\n"
			       "default: 10255\nexpect: 0\n");
	expect_one_fail(eval_root(fx), "/var/lib/kubelet/config.yaml", 0,
			"readOnlyPort = 10255 (default)");
	must_parse(fx, "yaml", "paths: /var/lib/kubelet/config.yaml\npath: authentication.webhook\n"
			       "expect: '{enabled: true}'\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	must_parse(fx, "yaml", "paths: /var/lib/kubelet/config.yaml\npath: labels[\"a.b\"]\n"
			       "expect: '1'\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	must_parse(fx, "yaml", "paths: /var/lib/kubelet/config.yaml\npath: tlsCipherSuites.x\n"
			       "expect: {absent: true}\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	/* malformed and duplicate keys are errors naming the file and line */
	tu_put(fx->dir, "/var/lib/kubelet/config.yaml", "a: 1\nb: [1, 2\n");
	expect_reason(eval_root(fx), VG_STATUS_ERROR, "/var/lib/kubelet/config.yaml:");
	tu_put(fx->dir, "/var/lib/kubelet/config.yaml", "a: 1\na: 2\n");
	expect_reason(eval_root(fx), VG_STATUS_ERROR, "/var/lib/kubelet/config.yaml:2:");
	tu_put(fx->dir, "/var/lib/kubelet/config.yaml", "");
	expect_status(eval_root(fx), VG_STATUS_PASS); /* empty document: unset */
}

/* ---- xml ---- */

static const char server_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<Server port=\"8005\" shutdown=\"SHUTDOWN\">\n"
	"  <Service name=\"Catalina\">\n"
	"    <Connector port=\"8080\" secure=\"false\"/>\n"
	"    <Connector port=\"8443\" secure=\"true\"/>\n"
	"    <Note>a &amp; <b>b</b><![CDATA[<c>]]></Note>\n"
	"  </Service>\n"
	"</Server>\n";

static void xml_check(void **state)
{
	struct fixture *fx = *state;

	tu_put(fx->dir, "/etc/tomcat/server.xml", server_xml);
	must_parse(fx, "xml", "paths: /etc/tomcat/server.xml\nxpath: /Server/@shutdown\n"
			      "expect: {not_in: [SHUTDOWN]}\n");
	expect_one_fail(eval_root(fx), "/etc/tomcat/server.xml", 2, "/Server/@shutdown = SHUTDOWN");
	/* the first node only, or every node with all */
	must_parse(fx, "xml", "paths: /etc/tomcat/server.xml\nxpath: //Connector/@secure\n"
			      "expect: 'true'\n");
	expect_one_fail(eval_root(fx), "/etc/tomcat/server.xml", 4, "//Connector/@secure = false");
	must_parse(fx, "xml", "paths: /etc/tomcat/server.xml\nxpath: //Connector/@secure\n"
			      "all: true\nexpect: 'false'\n");
	expect_one_fail(eval_root(fx), "/etc/tomcat/server.xml", 5, "//Connector/@secure = true");
	/* element string value: text, descendants and CDATA */
	must_parse(fx, "xml", "paths: /etc/tomcat/server.xml\nxpath: //Note\nexpect: 'a & b<c>'\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	assert_int_equal(hit(&fx->out, 0)->loc.line, 6);
	/* numbers and booleans */
	must_parse(fx, "xml", "paths: /etc/tomcat/server.xml\nxpath: count(//Connector)\n"
			      "expect: {max: 1}\n");
	expect_one_fail(eval_root(fx), "/etc/tomcat/server.xml", 0, "count(//Connector) = 2");
	must_parse(fx, "xml", "paths: /etc/tomcat/server.xml\n"
			      "xpath: boolean(//Connector[@port='8080'])\nexpect: 'false'\n");
	expect_status(eval_root(fx), VG_STATUS_FAIL);
	/* values with line breaks, or long ones, stay one bounded line in messages */
	{
		struct vg_buf b;

		vg_buf_init(&b, 0);
		vg_buf_puts(&b, "<m>line1\nline2 ");
		for (int i = 0; i < 5000; i++)
			vg_buf_puts(&b, "xy");
		vg_buf_puts(&b, "</m>\n");
		tu_putn(fx->dir, "/etc/m.xml", b.data, b.len, 0644);
		vg_buf_finish(&b);
		must_parse(fx, "xml", "paths: /etc/m.xml\nxpath: /m\nexpect: {absent: true}\n");
		expect_status(eval_root(fx), VG_STATUS_FAIL);
		assert_null(strchr(hit(&fx->out, 0)->message, '\n'));
		assert_true(strlen(hit(&fx->out, 0)->message) < 1000);
		assert_non_null(strstr(hit(&fx->out, 0)->evidence, "/m = line1 line2 xyxy"));
		assert_true(strlen(hit(&fx->out, 0)->evidence) <= VG_MAX_EVIDENCE_BYTES);
	}
	/* an empty node-set is unset */
	must_parse(fx, "xml", "paths: /etc/tomcat/server.xml\nxpath: //Valve/@className\n"
			      "expect: {absent: true}\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	/* namespaces */
	tu_put(fx->dir, "/app/web.xml", "<web-app xmlns=\"http://xmlns.jcp.org/xml/ns/javaee\">\n"
	       "<session-config><cookie-config><secure>false</secure>"
	       "</cookie-config></session-config></web-app>\n");
	must_parse(fx, "xml", "paths: /app/web.xml\n"
			      "namespaces: {j: 'http://xmlns.jcp.org/xml/ns/javaee'}\n"
			      "xpath: //j:cookie-config/j:secure\nexpect: 'true'\n");
	expect_one_fail(eval_root(fx), "/app/web.xml", 2, "//j:cookie-config/j:secure = false");
	/* an unknown prefix fails at evaluation: an error, not a pass */
	must_parse(fx, "xml", "paths: /app/web.xml\nxpath: //q:secure\nexpect: {absent: true}\n");
	expect_reason(eval_root(fx), VG_STATUS_ERROR, "/app/web.xml: XPath '//q:secure'");
	/* policy errors */
	must_not_parse(fx, "xml", "paths: /a.xml\nxpath: '//['\nexpect: 1\n", "invalid XPath");
	must_not_parse(fx, "xml", "paths: /a.xml\nexpect: 1\n", "xpath");
	/* malformed documents */
	must_parse(fx, "xml", "paths: /app/web.xml\nxpath: /a\nexpect: {exists: true}\n");
	tu_put(fx->dir, "/app/web.xml", "<a>\n<b></a>\n");
	expect_reason(eval_root(fx), VG_STATUS_ERROR, "/app/web.xml:2: ");
	tu_put(fx->dir, "/app/web.xml", "not xml at all");
	expect_reason(eval_root(fx), VG_STATUS_ERROR, "/app/web.xml:1: ");
	tu_putn(fx->dir, "/app/web.xml", "<a>\0\0\xff</a>", 10, 0644);
	expect_reason(eval_root(fx), VG_STATUS_ERROR, "binary data");
}

static void xml_xxe(void **state)
{
	struct fixture *fx = *state;
	char doc[2048], secret[512];

	/* a file outside the scanned root that an entity tries to pull in */
	snprintf(secret, sizeof(secret), "%s.secret", fx->dir);
	{
		FILE *f = fopen(secret, "w");

		assert_non_null(f);
		fputs("TOPSECRET-MARKER\n", f);
		fclose(f);
	}
	snprintf(doc, sizeof(doc),
		 "<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n"
		 "<!ENTITY pw SYSTEM \"file:///etc/passwd\">\n"
		 "<!ENTITY sec SYSTEM \"file://%s\">\n"
		 "<!ENTITY net SYSTEM \"http://127.0.0.1:9/x\">\n"
		 "]>\n<r a=\"x\">[&pw;][&sec;][&net;]</r>\n", secret);
	tu_put(fx->dir, "/etc/x.xml", doc);
	must_parse(fx, "xml", "paths: /etc/x.xml\nxpath: /r\nexpect: '[][][]'\n");
	expect_status(eval_root(fx), VG_STATUS_PASS);
	assert_null(strstr(hit(&fx->out, 0)->evidence, "root:"));
	assert_null(strstr(hit(&fx->out, 0)->evidence, "TOPSECRET"));
	/* parameter entities and an external DTD are not loaded either */
	snprintf(doc, sizeof(doc),
		 "<?xml version=\"1.0\"?>\n<!DOCTYPE r SYSTEM \"file://%s\" [\n"
		 "<!ENTITY %% p SYSTEM \"file://%s\">\n%%p;\n]>\n<r>ok</r>\n", secret, secret);
	tu_put(fx->dir, "/etc/x.xml", doc);
	must_parse(fx, "xml", "paths: /etc/x.xml\nxpath: string(/)\nexpect: {matches: SECRET}\n");
	expect_status(eval_root(fx), VG_STATUS_FAIL);
	assert_null(strstr(fx->out.hits.len ? hit(&fx->out, 0)->evidence : "", "TOPSECRET"));
	unlink(secret);
}

static void xml_entity_bombs(void **state)
{
	struct fixture *fx = *state;
	struct vg_buf b;
	clock_t t0;

	vg_buf_init(&b, 0);
	vg_buf_puts(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE l [\n<!ENTITY l0 \"lollollollol\">\n");
	for (int i = 1; i < 10; i++) {
		vg_buf_printf(&b, "<!ENTITY l%d \"", i);
		for (int k = 0; k < 10; k++)
			vg_buf_printf(&b, "&l%d;", i - 1);
		vg_buf_puts(&b, "\">\n");
	}
	vg_buf_puts(&b, "]>\n<l a=\"&l9;\">&l9;</l>\n");
	tu_putn(fx->dir, "/etc/bomb.xml", b.data, b.len, 0644);
	vg_buf_finish(&b);
	t0 = clock();
	must_parse(fx, "xml", "paths: /etc/bomb.xml\nxpath: /l\nexpect: {exists: true}\n");
	eval_root(fx);
	/* refused, or at least bounded: never a billion laughs */
	assert_true(fx->out.status == VG_STATUS_ERROR || fx->out.status == VG_STATUS_PASS);
	if (fx->out.status == VG_STATUS_PASS)
		assert_true(strlen(hit(&fx->out, 0)->evidence) <= VG_MAX_EVIDENCE_BYTES);
	must_parse(fx, "xml", "paths: /etc/bomb.xml\nxpath: /l/@a\nexpect: {exists: true}\n");
	eval_root(fx);
	assert_true(fx->out.status == VG_STATUS_ERROR || fx->out.status == VG_STATUS_PASS);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);

	/* deep nesting stops at libxml2's default depth limit */
	vg_buf_init(&b, 0);
	for (int i = 0; i < 5000; i++)
		vg_buf_puts(&b, "<a>");
	for (int i = 0; i < 5000; i++)
		vg_buf_puts(&b, "</a>");
	tu_putn(fx->dir, "/etc/deep.xml", b.data, b.len, 0644);
	vg_buf_finish(&b);
	must_parse(fx, "xml", "paths: /etc/deep.xml\nxpath: /a\nexpect: {exists: true}\n");
	expect_status(eval_root(fx), VG_STATUS_ERROR);
}

static void xml_reader(void **state)
{
	struct vg_error err = {0};
	struct vg_xpath *xp = NULL;
	struct vg_xdoc *doc = NULL;
	char *ns[] = {"p", "urn:x"};

	(void)state;
	assert_int_equal(vg_xpath_new(&xp, "//p:a", ns, 1, &err), 0);
	assert_string_equal(vg_xpath_source(xp), "//p:a");
	vg_xpath_free(xp);
	assert_int_equal(vg_xpath_new(&xp, "//a[", NULL, 0, &err), VG_EPARSE);
	assert_null(xp);
	assert_non_null(strstr(err.msg, "invalid XPath '//a['"));
	/* the size is refused before any byte is read */
	assert_int_equal(vg_xdoc_parse(&doc, "big.xml", "<a/>",
				       (size_t)VG_MAX_CONFIG_FILE_BYTES + 1, &err), VG_ELIMIT);
	assert_null(doc);
	assert_int_equal(vg_xdoc_parse(&doc, "e.xml", "", 0, &err), VG_EPARSE);
	assert_non_null(strstr(err.msg, "e.xml:1:"));
	vg_xdoc_free(NULL);
	vg_xpath_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(kv_whitespace_last_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(kv_comments_and_missing_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(kv_separator_case_multi_quotes, setup, teardown),
		cmocka_unit_test_setup_teardown(kv_dropins, setup, teardown),
		cmocka_unit_test_setup_teardown(kv_missing_files, setup, teardown),
		cmocka_unit_test_setup_teardown(kv_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(kv_policy_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(ini_sections, setup, teardown),
		cmocka_unit_test_setup_teardown(ini_dropins_and_continuations, setup, teardown),
		cmocka_unit_test(spath_syntax),
		cmocka_unit_test(json_reader),
		cmocka_unit_test(json_reader_limits),
		cmocka_unit_test_setup_teardown(json_check, setup, teardown),
		cmocka_unit_test_setup_teardown(yaml_check, setup, teardown),
		cmocka_unit_test_setup_teardown(xml_check, setup, teardown),
		cmocka_unit_test_setup_teardown(xml_xxe, setup, teardown),
		cmocka_unit_test_setup_teardown(xml_entity_bombs, setup, teardown),
		cmocka_unit_test(xml_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
