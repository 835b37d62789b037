/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for policy/policy: the model, strict validation, hostile input, vars, profiles. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "checks/check.h"
#include "error.h"
#include "limits.h"
#include "policy/policy.h"
#include "testutil.h"
#include "util.h"

struct fixture {
	char dir[256];
	struct vg_diags diags;
	struct vg_error err;
	struct vg_policy *pol;
};

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

static int teardown(void **state)
{
	struct fixture *fx = *state;

	vg_policy_free(fx->pol);
	vg_diags_finish(&fx->diags);
	tu_rmtree(fx->dir);
	free(fx);
	return 0;
}

/* Forgets what an earlier load in the same test left. */
static void reset(struct fixture *fx)
{
	vg_policy_free(fx->pol);
	fx->pol = NULL;
	vg_diags_finish(&fx->diags);
	vg_diags_init(&fx->diags);
	vg_error_clear(&fx->err);
}

static void dump_diags(const struct fixture *fx)
{
	for (size_t i = 0; i < fx->diags.count; i++)
		fprintf(stderr, "  diag: %s\n", fx->diags.msgs[i]);
}

static int load_text(struct fixture *fx, const char *text)
{
	reset(fx);
	return vg_policy_load_string(&fx->pol, "p.yaml", text, strlen(text), &fx->diags,
				     &fx->err);
}

static int load_opts(struct fixture *fx, const struct vg_policy_opts *o)
{
	reset(fx);
	return vg_policy_load(&fx->pol, o, &fx->diags, &fx->err);
}

/* Loads one path with an optional profile, variables and rule globs. */
static int load_path(struct fixture *fx, const char *path, const char *profile,
		     const char *const *vars, size_t nvars)
{
	struct vg_policy_opts o = {
		.paths = &path, .npaths = 1, .profile = profile, .vars = vars, .nvars = nvars,
	};

	return load_opts(fx, &o);
}

/* Asserts a load succeeded, showing the diagnostics when it did not. */
static void expect_ok(struct fixture *fx, int rc)
{
	if (rc != 0 || fx->diags.count) {
		fprintf(stderr, "load failed: %d %s\n", rc, fx->err.msg);
		dump_diags(fx);
	}
	assert_int_equal(rc, 0);
	assert_non_null(fx->pol);
	assert_int_equal(fx->diags.count, 0);
}

/* The diagnostic starting with "where: " that contains needle, or NULL. */
static const char *find_diag(const struct fixture *fx, const char *where, const char *needle)
{
	size_t wl = strlen(where);

	for (size_t i = 0; i < fx->diags.count; i++) {
		const char *m = fx->diags.msgs[i];

		if (!strncmp(m, where, wl) && m[wl] == ':' && m[wl + 1] == ' ' &&
		    strstr(m + wl, needle))
			return m;
	}
	return NULL;
}

static void expect_diag(const struct fixture *fx, const char *where, const char *needle)
{
	if (!find_diag(fx, where, needle)) {
		fprintf(stderr, "no diagnostic '%s: ...%s...' among:\n", where, needle);
		dump_diags(fx);
		fail();
	}
}

static size_t count_diags(const struct fixture *fx, const char *needle)
{
	size_t n = 0;

	for (size_t i = 0; i < fx->diags.count; i++)
		n += strstr(fx->diags.msgs[i], needle) != NULL;
	return n;
}

/* Asserts a load failed with rc, left no policy, and reported n problems. */
static void expect_fail(struct fixture *fx, int rc, int want_rc, size_t n)
{
	if (rc != want_rc || fx->diags.count != n) {
		fprintf(stderr, "rc %d (want %d), %zu diagnostics (want %zu)\n", rc, want_rc,
			fx->diags.count, n);
		dump_diags(fx);
	}
	assert_int_equal(rc, want_rc);
	assert_null(fx->pol);
	assert_int_equal(fx->diags.count, n);
	assert_non_null(strstr(fx->err.msg, "invalid policy"));
}

static char *path_of(const struct fixture *fx, const char *rel)
{
	char *p = vg_asprintf("%s/%s", fx->dir, rel);

	assert_non_null(p);
	return p;
}

static const struct vg_rule *rule(const struct fixture *fx, const char *id)
{
	const struct vg_rule *r = vg_policy_find_rule(fx->pol, id);

	if (!r)
		fprintf(stderr, "no rule %s\n", id);
	assert_non_null(r);
	return r;
}

static const struct vg_example_file *example_file(const struct vg_example *ex, const char *path)
{
	for (size_t i = 0; i < ex->nfiles; i++)
		if (!strcmp(ex->files[i].path, path))
			return &ex->files[i];
	fprintf(stderr, "no example file %s\n", path);
	fail();
	return NULL;
}

/* A rule with a passing check, for packs that only test other parts. */
#define RULE(id) \
	"  - id: " id "\n" \
	"    title: Rule " id "\n" \
	"    severity: low\n" \
	"    check: {file: {path: /etc/x, exists: true}}\n"

/* ---- the model of a valid pack ---- */

static const char full_pack[] =
	"pack: demo\n"                                            /* 1 */
	"title: Demo pack\n"                                      /* 2 */
	"version: \"2.1\"\n"                                      /* 3 */
	"description: A pack with every field.\n"                 /* 4 */
	"sensitive: true\n"                                       /* 5 */
	"vars:\n"                                                 /* 6 */
	"  max_size: 100\n"                                       /* 7 */
	"  owner: {default: root, description: Who owns it}\n"    /* 8 */
	"rules:\n"                                                /* 9 */
	"  - id: demo.files.shadow\n"                             /* 10 */
	"    title: Shadow is private\n"                          /* 11 */
	"    severity: high\n"                                    /* 12 */
	"    tags: [cis:7.1.1, cwe-732]\n"                        /* 13 */
	"    description: Only root reads it.\n"                  /* 14 */
	"    rationale: Hashes can be cracked.\n"                 /* 15 */
	"    references: [\"https://example.org/a\", \"https://example.org/b\"]\n"
	"    precision: very-high\n"                              /* 17 */
	"    security_severity: 7.5\n"                            /* 18 */
	"    sensitive: false\n"                                  /* 19 */
	"    applies:\n"                                          /* 20 */
	"      target: [root, host]\n"                            /* 21 */
	"      os_family: [debian, ubuntu]\n"                     /* 22 */
	"      exists: /etc/shadow\n"                             /* 23 */
	"    check:\n"                                            /* 24 */
	"      all:\n"                                            /* 25 */
	"        - file: {path: /etc/shadow, mode_max: \"0640\", owner: {var: owner}}\n"
	"        - not: {file: {path: /etc/shadow.bak, exists: true}}\n"
	"        - any:\n"                                        /* 28 */
	"            - file: {path: /etc/shadow, size: {max: {var: max_size}}}\n"
	"            - file: {path: /etc/gshadow, group: {in: [root, shadow]}}\n"
	"    remediation:\n"                                      /* 31 */
	"      text: Run chmod.\n"                                /* 32 */
	"      script: |\n"                                       /* 33 */
	"        chmod 0640 /etc/shadow\n"                        /* 34 */
	"    examples:\n"                                         /* 35 */
	"      fail:\n"                                           /* 36 */
	"        - files:\n"                                      /* 37 */
	"            /etc/shadow: {content: \"root:*:1::::::\\n\", mode: \"0644\", owner: 0, "
	"group: 42}\n"
	"            /etc/ssh: {type: directory, mode: \"0755\"}\n"
	"            /etc/alternatives/x: {type: symlink, target: /usr/bin/x}\n"
	"            /run/fifo: {type: fifo}\n"                   /* 41 */
	"            /etc/plain: just text\n"                     /* 42 */
	"      pass:\n"                                           /* 43 */
	"        - files:\n"                                      /* 44 */
	"            /etc/shadow: {content: \"x\", mode: \"0600\"}\n"
	"  - id: demo.content.password\n"                         /* 46 */
	"    title: No passwords\n"                               /* 47 */
	"    severity: medium\n"                                  /* 48 */
	"    check: {content: {paths: [\"**/*.conf\"], forbid: 'password\\s*=\\s*\\S+'}}\n"
	"    remediation: Use a secret store.\n"                  /* 50 */
	"    examples:\n"                                         /* 51 */
	"      fail:\n"                                           /* 52 */
	"        - \"password = hunter2\"\n"                      /* 53 */
	"        - {path: config/app.conf, content: \"password=x\"}\n"
	"      pass:\n"                                           /* 55 */
	"        - \"password = ${DB_PASSWORD}\"\n";              /* 56 */

static void check_full_pack(const struct fixture *fx, const char *file)
{
	const struct vg_pack *pk;
	const struct vg_rule *r;
	const struct vg_check *c;
	const struct vg_example *ex;
	const struct vg_example_file *f;

	assert_int_equal(fx->pol->packs.len, 1);
	pk = fx->pol->packs.items[0];
	assert_string_equal(pk->id, "demo");
	assert_string_equal(pk->title, "Demo pack");
	assert_string_equal(pk->version, "2.1");
	assert_string_equal(pk->description, "A pack with every field.");
	assert_string_equal(pk->file, file);
	assert_true(pk->sensitive);
	assert_int_equal(pk->nvars, 2);
	assert_string_equal(pk->vars[1].name, "owner");
	assert_string_equal(pk->vars[1].value, "root");
	assert_string_equal(pk->vars[1].description, "Who owns it");
	assert_int_equal(pk->rules.len, 2);
	assert_int_equal(fx->pol->rules.len, 2);
	assert_null(fx->pol->profile);

	r = rule(fx, "demo.files.shadow");
	assert_ptr_equal(r->pack, pk);
	assert_string_equal(r->meta.pack, "demo");
	assert_string_equal(r->meta.title, "Shadow is private");
	assert_int_equal(r->meta.severity, VG_SEV_HIGH);
	assert_int_equal(r->default_severity, VG_SEV_HIGH);
	assert_int_equal(r->meta.ntags, 2);
	assert_string_equal(r->meta.tags[0], "cis:7.1.1");
	assert_string_equal(r->meta.tags[1], "cwe-732");
	assert_null(r->meta.tags[2]);
	assert_string_equal(r->meta.description, "Only root reads it.");
	assert_string_equal(r->meta.rationale, "Hashes can be cracked.");
	assert_int_equal(r->meta.nreferences, 2);
	assert_string_equal(r->meta.references[1], "https://example.org/b");
	assert_string_equal(r->meta.precision, "very-high");
	assert_true(r->meta.security_severity > 7.49 && r->meta.security_severity < 7.51);
	assert_false(r->meta.sensitive); /* the rule overrides the pack */
	assert_int_equal(r->targets, VG_TARGET_ROOT | VG_TARGET_HOST);
	assert_int_equal(r->nos_family, 2);
	assert_string_equal(r->os_family[1], "ubuntu");
	assert_int_equal(r->nrequires_paths, 1);
	assert_string_equal(r->requires_paths[0], "/etc/shadow");
	assert_string_equal(r->meta.remediation, "Run chmod.");
	assert_string_equal(r->meta.remediation_script, "chmod 0640 /etc/shadow\n");
	assert_string_equal(r->file, file);
	assert_int_equal(r->line, 10);
	assert_int_equal(r->col, 5);
	assert_non_null(r->meta.source);
	assert_non_null(strstr(r->meta.source, ":10"));
	assert_true(r->selected);

	/* check tree: all(file, not(file), any(file, file)) */
	c = r->check;
	assert_int_equal(c->op, VG_CHECK_ALL);
	assert_int_equal(c->line, 25);
	assert_int_equal(c->col, 7);
	assert_int_equal(c->nkids, 3);
	assert_int_equal(c->kids[0]->op, VG_CHECK_LEAF);
	assert_string_equal(c->kids[0]->impl->name, "file");
	assert_non_null(c->kids[0]->cfg);
	assert_int_equal(c->kids[0]->line, 26);
	assert_int_equal(c->kids[0]->col, 11);
	assert_int_equal(c->kids[1]->op, VG_CHECK_NOT);
	assert_int_equal(c->kids[1]->nkids, 1);
	assert_string_equal(c->kids[1]->kids[0]->impl->name, "file");
	assert_int_equal(c->kids[2]->op, VG_CHECK_ANY);
	assert_int_equal(c->kids[2]->nkids, 2);

	/* examples: one fail tree, one pass tree */
	assert_int_equal(r->nexamples, 2);
	ex = NULL;
	for (size_t i = 0; i < r->nexamples; i++)
		if (r->examples[i].expect_fail)
			ex = &r->examples[i];
	assert_non_null(ex);
	assert_null(ex->content);
	assert_int_equal(ex->nfiles, 5);
	assert_int_equal(ex->line, 37);
	assert_int_equal(ex->col, 11);
	f = example_file(ex, "/etc/shadow");
	assert_int_equal(f->type, 'f');
	assert_int_equal(f->mode, 0644);
	assert_int_equal(f->uid, 0);
	assert_int_equal(f->gid, 42);
	assert_int_equal(f->len, 15);
	assert_memory_equal(f->content, "root:*:1::::::\n", 16);
	f = example_file(ex, "/etc/ssh");
	assert_int_equal(f->type, 'd');
	assert_int_equal(f->mode, 0755);
	assert_null(f->content);
	assert_int_equal(f->uid, -1);
	assert_int_equal(f->gid, -1);
	f = example_file(ex, "/etc/alternatives/x");
	assert_int_equal(f->type, 'l');
	assert_string_equal(f->target, "/usr/bin/x");
	assert_int_equal(f->mode, -1);
	f = example_file(ex, "/run/fifo");
	assert_int_equal(f->type, 'p');
	f = example_file(ex, "/etc/plain");
	assert_int_equal(f->type, 'f');
	assert_string_equal(f->content, "just text");

	r = rule(fx, "demo.content.password");
	assert_int_equal(r->meta.severity, VG_SEV_MEDIUM);
	assert_true(r->meta.sensitive); /* inherited from the pack */
	assert_true(r->meta.security_severity < 0);
	assert_null(r->meta.precision);
	assert_string_equal(r->meta.remediation, "Use a secret store.");
	assert_null(r->meta.remediation_script);
	assert_int_equal(r->meta.ntags, 0);
	/* no applies.target and no pack targets: every kind the check supports */
	assert_true(r->targets & VG_TARGET_TREE);
	assert_true(r->targets & VG_TARGET_GIT);
	assert_int_equal(r->check->op, VG_CHECK_LEAF);
	assert_string_equal(r->check->impl->name, "content");
	/* pass examples come first */
	assert_int_equal(r->nexamples, 3);
	assert_false(r->examples[0].expect_fail);
	assert_int_equal(r->examples[0].line, 56);
	assert_int_equal(r->examples[0].col, 11);
	assert_true(r->examples[1].expect_fail);
	assert_string_equal(r->examples[1].content, "password = hunter2");
	assert_int_equal(r->examples[1].len, 18);
	assert_null(r->examples[1].path);
	assert_int_equal(r->examples[1].nfiles, 0);
	assert_true(r->examples[2].expect_fail);
	assert_string_equal(r->examples[2].path, "config/app.conf");
	assert_string_equal(r->examples[2].content, "password=x");

	assert_string_equal(vg_policy_var(fx->pol, "max_size"), "100");
	assert_string_equal(vg_policy_var(fx->pol, "owner"), "root");
	assert_null(vg_policy_var(fx->pol, "nope"));
}

static void test_full_pack_from_string(void **state)
{
	struct fixture *fx = *state;

	expect_ok(fx, load_text(fx, full_pack));
	check_full_pack(fx, "p.yaml");
}

static void test_full_pack_from_file(void **state)
{
	struct fixture *fx = *state;
	char *path = path_of(fx, "demo.yaml");

	tu_put(fx->dir, "demo.yaml", full_pack);
	expect_ok(fx, load_path(fx, path, NULL, NULL, 0));
	check_full_pack(fx, path);
	free(path);
}

static void test_find_rule_and_var(void **state)
{
	struct fixture *fx = *state;

	expect_ok(fx, load_text(fx, full_pack));
	assert_null(vg_policy_find_rule(fx->pol, "demo.files"));
	assert_null(vg_policy_find_rule(fx->pol, "demo.files.*"));
	assert_null(vg_policy_find_rule(fx->pol, "DEMO.FILES.SHADOW"));
	assert_null(vg_policy_find_rule(fx->pol, NULL));
	assert_null(vg_policy_find_rule(NULL, "demo.files.shadow"));
	assert_null(vg_policy_var(fx->pol, NULL));
	assert_null(vg_policy_var(NULL, "owner"));
	vg_policy_free(NULL);
}

static void test_target_kinds(void **state)
{
	static const char *const names[] = {"tree", "root", "host", "git", "staged", "tls", "nft"};

	(void)state;
	for (unsigned i = 0; i < 7; i++) {
		assert_int_equal(vg_target_kind_parse(names[i]), 1u << i);
		assert_string_equal(vg_target_kind_name(1u << i), names[i]);
	}
	assert_int_equal(vg_target_kind_parse("Tree"), 0);
	assert_int_equal(vg_target_kind_parse(""), 0);
	assert_string_equal(vg_target_kind_name(0), "unknown");
	assert_string_equal(vg_target_kind_name(VG_TARGET_TREE | VG_TARGET_ROOT), "unknown");
}

static void test_pack_targets_default(void **state)
{
	struct fixture *fx = *state;

	/* pack targets narrow to what the check supports; applies.target wins */
	expect_ok(fx, load_text(fx, "pack: t\ntitle: T\ntargets: [tree, git]\nrules:\n"
				    "  - {id: t.a, title: A, severity: low,\n"
				    "     check: {file: {path: x, exists: true}}}\n"
				    "  - {id: t.b, title: B, severity: low,\n"
				    "     check: {content: {forbid: x}}}\n"
				    "  - {id: t.c, title: C, severity: low, applies: {target: host},\n"
				    "     check: {content: {forbid: x}}}\n"));
	assert_int_equal(rule(fx, "t.a")->targets, VG_TARGET_TREE);
	assert_int_equal(rule(fx, "t.b")->targets, VG_TARGET_TREE | VG_TARGET_GIT);
	assert_int_equal(rule(fx, "t.c")->targets, VG_TARGET_HOST);
	assert_int_equal(((struct vg_pack *)fx->pol->packs.items[0])->targets,
			 VG_TARGET_TREE | VG_TARGET_GIT);
}

static void test_embedded_defaults(void **state)
{
	struct fixture *fx = *state;

	/* no paths (and NULL options) load the packs compiled into the binary */
	expect_ok(fx, load_opts(fx, NULL));
	assert_true(fx->pol->packs.len > 0);
	assert_true(fx->pol->rules.len > 0);
	for (size_t i = 0; i < fx->pol->rules.len; i++) {
		const struct vg_rule *r = fx->pol->rules.items[i];

		assert_true(r->selected);
		assert_non_null(strstr(r->file, "<embedded>/"));
	}
}

/* ---- strict validation, every problem at once ---- */

static void test_unknown_keys(void **state)
{
	struct fixture *fx = *state;
	int rc = load_text(fx,
		"pack: k\n"                                              /* 1 */
		"title: K\n"                                             /* 2 */
		"colour: blue\n"                                         /* 3 */
		"rules:\n"                                               /* 4 */
		"  - id: k.a\n"                                          /* 5 */
		"    title: A\n"                                         /* 6 */
		"    severity: low\n"                                    /* 7 */
		"    owner: me\n"                                        /* 8 */
		"    applies: {target: root, distro: debian}\n"          /* 9 */
		"    check: {file: {path: /x, exists: true, colour: red}}\n" /* 10 */
		"    examples:\n"                                        /* 11 */
		"      maybe: []\n"                                      /* 12 */
		"      fail:\n"                                          /* 13 */
		"        - {content: x, name: y}\n"                      /* 14 */
		"        - files: {/a: {content: x, perms: \"0600\"}}\n"); /* 15 */

	expect_fail(fx, rc, VG_EPARSE, 7);
	expect_diag(fx, "p.yaml:3:1", "unknown key 'colour' (expected one of: pack, title,");
	expect_diag(fx, "p.yaml:8:5", "rule k.a: unknown key 'owner'");
	expect_diag(fx, "p.yaml:9:29", "rule k.a: unknown key 'distro' (expected one of: target, "
				       "os_family, exists)");
	expect_diag(fx, "p.yaml:10:44", "rule k.a: unknown key 'colour'");
	expect_diag(fx, "p.yaml:12:7", "unknown key 'maybe' (expected one of: pass, fail)");
	expect_diag(fx, "p.yaml:14:24", "unknown key 'name' (expected one of: content, path, "
					"files)");
	expect_diag(fx, "p.yaml:15:36", "rule k.a: unknown key 'perms'");
}

static void test_unknown_example_file_key(void **state)
{
	struct fixture *fx = *state;
	int rc = load_text(fx, "pack: k\ntitle: K\nrules:\n"
			       "  - id: k.a\n"
			       "    title: A\n"
			       "    severity: low\n"
			       "    check: {file: {path: /x, exists: true}}\n"
			       "    examples:\n"
			       "      fail:\n"
			       "        - files: {/a: {content: x, perms: \"0600\"}}\n");

	expect_fail(fx, rc, VG_EPARSE, 1);
	expect_diag(fx, "p.yaml:10:36", "rule k.a: unknown key 'perms' (expected one of: content, "
					"type, mode, target, owner, group)");
}

static void test_wrong_types(void **state)
{
	struct fixture *fx = *state;
	int rc = load_text(fx,
		"pack: w\n"                                        /* 1 */
		"title: [W]\n"                                     /* 2 */
		"sensitive: yes\n"                                 /* 3 */
		"targets: {tree: 1}\n"                             /* 4 */
		"vars: [a, b]\n"                                   /* 5 */
		"profiles: {id: x}\n"                              /* 6 */
		"rules:\n"                                         /* 7 */
		"  - id: w.a\n"                                    /* 8 */
		"    title: {text: A}\n"                           /* 9 */
		"    severity: low\n"                              /* 10 */
		"    tags: {a: b}\n"                               /* 11 */
		"    references: [[nested]]\n"                     /* 12 */
		"    sensitive: 1\n"                               /* 13 */
		"    applies: [root]\n"                            /* 14 */
		"    check: [file]\n"                              /* 15 */
		"    examples: {pass: \"x\", fail: {a: b}}\n"      /* 16 */
		"  - just a string\n");                            /* 17 */

	expect_diag(fx, "p.yaml:2:8", "'title' must be a string, found sequence");
	expect_diag(fx, "p.yaml:3:12", "'sensitive' must be true or false, found string");
	expect_diag(fx, "p.yaml:4:10", "'targets' must be a string or a list of strings, found "
				       "mapping");
	expect_diag(fx, "p.yaml:5:7", "'vars' must be a mapping, found sequence");
	expect_diag(fx, "p.yaml:6:11", "'profiles' must be a list");
	expect_diag(fx, "p.yaml:9:12", "rule w.a: 'title' must be a string, found mapping");
	expect_diag(fx, "p.yaml:11:11", "rule w.a: 'tags' must be a string or a list of strings");
	expect_diag(fx, "p.yaml:12:17", "rule w.a: 'references' must be a string or a list");
	expect_diag(fx, "p.yaml:13:16", "rule w.a: 'sensitive' must be true or false");
	expect_diag(fx, "p.yaml:14:14", "rule w.a: 'applies' must be a mapping, found sequence");
	expect_diag(fx, "p.yaml:15:12", "rule w.a: 'check' must be a mapping, found sequence");
	expect_diag(fx, "p.yaml:16:22", "rule w.a: 'pass' must be a list of examples");
	expect_diag(fx, "p.yaml:16:33", "rule w.a: 'fail' must be a list of examples");
	expect_diag(fx, "p.yaml:17:5", "a rule is a mapping");
	/* each problem once: nothing more is said about a value of the wrong type */
	expect_fail(fx, rc, VG_EPARSE, 14);
}

static void test_wrong_type_reported_once(void **state)
{
	struct fixture *fx = *state;
	int rc = load_text(fx, "pack: w\ntitle: W\nvars: {x: 1}\n"
			       "profiles: [{id: p, vars: [a], severity: [b]}]\n"
			       "rules:\n"
			       "  - id: w.a\n"
			       "    title: A\n"
			       "    severity: ~\n"
			       "    precision: [high]\n"
			       "    security_severity: {var: nope}\n"
			       "    examples: [a]\n"
			       "    check: {file: {path: x, exists: true}}\n");

	/* the field check says it; the code reading the value says nothing more */
	expect_fail(fx, rc, VG_EPARSE, 6);
	expect_diag(fx, "p.yaml:4:26", "'vars' must be a mapping, found sequence");
	expect_diag(fx, "p.yaml:4:41", "'severity' must be a mapping, found sequence");
	expect_diag(fx, "p.yaml:8:15", "rule w.a: 'severity' must be a string, found null");
	expect_diag(fx, "p.yaml:9:16", "rule w.a: 'precision' must be a string, found sequence");
	expect_diag(fx, "p.yaml:10:30", "rule w.a: unknown variable 'nope'");
	expect_diag(fx, "p.yaml:11:15", "rule w.a: 'examples' must be a mapping, found sequence");
}

static void test_rules_not_a_list(void **state)
{
	struct fixture *fx = *state;

	expect_fail(fx, load_text(fx, "pack: w\ntitle: W\nrules: {a: 1}\n"), VG_EPARSE, 1);
	expect_diag(fx, "p.yaml:3:8", "'rules' must be a list");
	expect_fail(fx, load_text(fx, "pack: w\ntitle: W\nrules:\n"), VG_EPARSE, 1);
	expect_diag(fx, "p.yaml:3:7", "'rules' must be a list");
}

static void test_missing_required(void **state)
{
	struct fixture *fx = *state;
	int rc = load_text(fx, "version: \"1\"\n"
			       "profiles:\n"
			       "  - title: no id\n"
			       "rules:\n"
			       "  - title: A\n"
			       "    severity: low\n"
			       "    check: {file: {path: /x, exists: true}}\n"
			       "  - id: m.b\n"
			       "    check: {file: {path: /x, exists: true}}\n"
			       "  - id: m.c\n"
			       "    title: C\n"
			       "    severity: low\n");

	expect_fail(fx, rc, VG_EPARSE, 7);
	expect_diag(fx, "p.yaml:1:1", "missing required key 'pack'");
	expect_diag(fx, "p.yaml:1:1", "missing required key 'title'");
	expect_diag(fx, "p.yaml:3:5", "missing required key 'id'");
	expect_diag(fx, "p.yaml:5:5", "missing required key 'id'");
	expect_diag(fx, "p.yaml:8:5", "rule m.b: missing required key 'title'");
	expect_diag(fx, "p.yaml:8:5", "rule m.b: missing required key 'severity'");
	expect_diag(fx, "p.yaml:10:5", "rule m.c: missing required key 'check'");
	/* a pack without an id is not mistaken for an allocation failure */
	assert_int_equal(count_diags(fx, "out of memory"), 0);
}

static void test_missing_rules_key(void **state)
{
	struct fixture *fx = *state;

	expect_fail(fx, load_text(fx, "pack: m\ntitle: M\n"), VG_EPARSE, 1);
	expect_diag(fx, "p.yaml:1:1", "missing required key 'rules'");
}

static void test_rule_without_id_then_more_rules(void **state)
{
	struct fixture *fx = *state;

	/* the id-less rule is kept for its other problems; the next rule looks
	 * for duplicates among the rules so far (this crashed once) */
	expect_fail(fx, load_text(fx, "pack: m\ntitle: M\nrules:\n"
				      "  - {title: A, severity: low, check: {file: {path: x, "
				      "exists: true}}}\n" RULE("m.b") RULE("m.c")),
		    VG_EPARSE, 1);
	expect_diag(fx, "p.yaml:4:5", "missing required key 'id'");
}

static void test_duplicate_rule_ids_same_pack(void **state)
{
	struct fixture *fx = *state;
	int rc = load_text(fx, "pack: d\ntitle: D\nrules:\n" RULE("d.a") RULE("d.b") RULE("d.a")
			       RULE("d.a"));

	expect_fail(fx, rc, VG_EPARSE, 2);
	expect_diag(fx, "p.yaml:12:9", "rule d.a: duplicate rule id 'd.a' (first defined at "
				       "p.yaml:4)");
	expect_diag(fx, "p.yaml:16:9", "rule d.a: duplicate rule id 'd.a'");
}

static void test_duplicates_across_packs_in_dir(void **state)
{
	struct fixture *fx = *state;
	char *dir = path_of(fx, "packs"), *want = NULL;
	int rc;

	tu_mkdir(fx->dir, "packs", 0755);
	tu_mkdir(fx->dir, "packs/sub", 0755);
	tu_put(fx->dir, "packs/a.yaml", "pack: one\ntitle: One\nvars: {port: 22}\nrules:\n"
	       RULE("x.shared") RULE("x.one"));
	tu_put(fx->dir, "packs/sub/b.yml", "pack: two\ntitle: Two\nvars: {port: 2222}\nrules:\n"
	       RULE("x.two") RULE("x.shared"));
	tu_put(fx->dir, "packs/sub/c.yaml", "pack: one\ntitle: Again\nrules: []\n");
	tu_put(fx->dir, "packs/notes.txt", "not a policy: {{{");
	tu_put(fx->dir, "packs/.hidden.yaml", "{{{ not read");
	rc = load_path(fx, dir, NULL, NULL, 0);
	expect_fail(fx, rc, VG_EPARSE, 3);
	want = vg_asprintf("%s/sub/b.yml:9:9", dir);
	expect_diag(fx, want, "rule x.shared: duplicate rule id 'x.shared' (first defined at");
	assert_non_null(strstr(find_diag(fx, want, "duplicate"), "packs/a.yaml:5"));
	free(want);
	want = vg_asprintf("%s/sub/b.yml:3:8", dir);
	expect_diag(fx, want, "variable 'port' is already defined by pack 'one'");
	free(want);
	want = vg_asprintf("%s/sub/c.yaml:1:7", dir);
	expect_diag(fx, want, "pack 'one' is already defined in");
	free(want);
	free(dir);
}

static void test_directory_loads_recursively(void **state)
{
	struct fixture *fx = *state;
	char *dir = path_of(fx, "packs");
	char *dir2 = path_of(fx, "more.yaml");
	const char *paths[2] = {NULL, NULL};
	struct vg_policy_opts o = {.paths = paths, .npaths = 2};

	tu_mkdir(fx->dir, "packs", 0755);
	tu_mkdir(fx->dir, "packs/a", 0755);
	tu_mkdir(fx->dir, "packs/a/b", 0755);
	tu_put(fx->dir, "packs/a/b/deep.yaml", "pack: deep\ntitle: D\nrules:\n" RULE("deep.one"));
	tu_put(fx->dir, "packs/top.yml", "pack: top\ntitle: T\nrules:\n" RULE("top.one"));
	tu_put(fx->dir, "more.yaml", "pack: more\ntitle: M\nrules:\n" RULE("more.one"));
	paths[0] = dir;
	paths[1] = dir2;
	expect_ok(fx, load_opts(fx, &o));
	assert_int_equal(fx->pol->packs.len, 3);
	assert_int_equal(fx->pol->rules.len, 3);
	assert_non_null(strstr(rule(fx, "deep.one")->file, "packs/a/b/deep.yaml"));
	rule(fx, "top.one");
	rule(fx, "more.one");
	free(dir);
	free(dir2);
}

static void test_unknown_check_type(void **state)
{
	struct fixture *fx = *state;
	int rc = load_text(fx, "pack: c\ntitle: C\nrules:\n"
			       "  - id: c.a\n"
			       "    title: A\n"
			       "    severity: low\n"
			       "    check: {frobnicate: {key: x}}\n");
	const char *m;

	expect_fail(fx, rc, VG_EPARSE, 1);
	expect_diag(fx, "p.yaml:7:13", "rule c.a: unknown check type 'frobnicate' (known: all, any, "
				       "not, ");
	m = find_diag(fx, "p.yaml:7:13", "known");
	assert_non_null(strstr(m, "file"));
	assert_non_null(strstr(m, "content"));
}

static void test_invalid_regex(void **state)
{
	struct fixture *fx = *state;
	int rc = load_text(fx, "pack: r\ntitle: R\nrules:\n"
			       "  - id: r.a\n"
			       "    title: A\n"
			       "    severity: low\n"
			       "    check: {content: {forbid: 'abc(def'}}\n"
			       "  - id: r.b\n"
			       "    title: B\n"
			       "    severity: low\n"
			       "    check:\n"
			       "      content:\n"
			       "        require: x[a-\n"
			       "  - id: r.c\n"
			       "    title: C\n"
			       "    severity: low\n"
			       "    check: {file: {path: x, owner: {matches: \"a{2,1}\"}}}\n");

	expect_fail(fx, rc, VG_EPARSE, 3);
	/* quoted: the column of the quote + 1 + PCRE2's offset (7, the end) */
	expect_diag(fx, "p.yaml:7:39", "rule r.a: invalid regular expression: missing closing "
				       "parenthesis at offset 7");
	/* plain scalar at col 18, PCRE2's offset 4 */
	expect_diag(fx, "p.yaml:13:22", "rule r.b: invalid regular expression: missing "
					"terminating ] for character class");
	expect_diag(fx, "p.yaml:17:52", "rule r.c: invalid regular expression: numbers out of "
					"order in {} quantifier at offset 5");
}

static void test_bad_severity_and_ids(void **state)
{
	struct fixture *fx = *state;
	int rc = load_text(fx,
		"pack: Bad_Pack\n"                                       /* 1 */
		"title: B\n"                                             /* 2 */
		"profiles:\n"                                            /* 3 */
		"  - id: Strict\n"                                       /* 4 */
		"    severity: {\"b.*\": severe}\n"                      /* 5 */
		"rules:\n"                                               /* 6 */
		"  - id: b.Upper\n"                                      /* 7 */
		"    title: A\n"                                         /* 8 */
		"    severity: hgh\n"                                    /* 9 */
		"    check: {file: {path: x, exists: true}}\n"           /* 10 */
		"  - id: b..double\n"                                    /* 11 */
		"    title: B\n"                                         /* 12 */
		"    severity: HIGH\n"                                   /* 13 */
		"    check: {file: {path: x, exists: true}}\n"           /* 14 */
		"  - id: b.trailing.\n"                                  /* 15 */
		"    title: C\n"                                         /* 16 */
		"    severity: [high]\n"                                 /* 17 */
		"    check: {file: {path: x, exists: true}}\n"           /* 18 */
		"  - id: -b.dash\n"                                      /* 19 */
		"    title: D\n"                                         /* 20 */
		"    severity: critical\n"                               /* 21 */
		"    precision: certain\n"                               /* 22 */
		"    security_severity: 11\n"                            /* 23 */
		"    check: {file: {path: x, exists: true}}\n"           /* 24 */
		"  - id: b.nan\n"                                        /* 25 */
		"    title: E\n"                                         /* 26 */
		"    severity: info\n"                                   /* 27 */
		"    security_severity: nan\n"                           /* 28 */
		"    check: {file: {path: x, exists: true}}\n");         /* 29 */

	expect_diag(fx, "p.yaml:1:7", "pack ids use a-z, 0-9");
	expect_diag(fx, "p.yaml:4:9", "profile ids use a-z, 0-9");
	expect_diag(fx, "p.yaml:5:23", "severity must be one of info, low, medium, high, critical");
	expect_diag(fx, "p.yaml:7:9", "rule b.Upper: rule ids are dotted lower-case names");
	expect_diag(fx, "p.yaml:9:15", "rule b.Upper: severity must be one of info, low, medium, "
				       "high, critical");
	expect_diag(fx, "p.yaml:11:9", "rule b..double: rule ids are dotted");
	expect_diag(fx, "p.yaml:13:15", "rule b..double: severity must be one of");
	expect_diag(fx, "p.yaml:15:9", "rule b.trailing.: rule ids are dotted");
	expect_diag(fx, "p.yaml:17:15", "rule b.trailing.: 'severity' must be a string");
	expect_diag(fx, "p.yaml:19:9", "rule -b.dash: rule ids are dotted");
	expect_diag(fx, "p.yaml:22:16", "precision must be very-high, high, medium or low");
	expect_diag(fx, "p.yaml:23:24", "security_severity must be a number from 0.0 to 10.0");
	expect_diag(fx, "p.yaml:28:24", "rule b.nan: security_severity must be a number");
	expect_fail(fx, rc, VG_EPARSE, 13);
}

static void test_check_shapes(void **state)
{
	struct fixture *fx = *state;
	int rc = load_text(fx,
		"pack: s\ntitle: S\nrules:\n"                            /* 1-3 */
		"  - id: s.two\n"                                        /* 4 */
		"    title: A\n"                                         /* 5 */
		"    severity: low\n"                                    /* 6 */
		"    check: {file: {path: x, exists: true}, content: {forbid: x}}\n" /* 7 */
		"  - id: s.all\n"                                        /* 8 */
		"    title: B\n"                                         /* 9 */
		"    severity: low\n"                                    /* 10 */
		"    check: {all: []}\n"                                 /* 11 */
		"  - id: s.any\n"                                        /* 12 */
		"    title: C\n"                                         /* 13 */
		"    severity: low\n"                                    /* 14 */
		"    check: {any: {file: {path: x, exists: true}}}\n"    /* 15 */
		"  - id: s.not\n"                                        /* 16 */
		"    title: D\n"                                         /* 17 */
		"    severity: low\n"                                    /* 18 */
		"    check: {not: [{file: {path: x, exists: true}}]}\n"  /* 19 */
		"  - id: s.empty\n"                                      /* 20 */
		"    title: E\n"                                         /* 21 */
		"    severity: low\n"                                    /* 22 */
		"    check: {}\n"                                        /* 23 */
		"  - id: s.kid\n"                                        /* 24 */
		"    title: F\n"                                         /* 25 */
		"    severity: low\n"                                    /* 26 */
		"    check: {any: [{file: {path: x, exists: true}}, {nope: 1}, x]}\n"); /* 27 */

	expect_fail(fx, rc, VG_EPARSE, 7);
	expect_diag(fx, "p.yaml:7:12", "rule s.two: a check is a mapping with exactly one key");
	expect_diag(fx, "p.yaml:11:18", "rule s.all: 'all' takes a non-empty list of checks");
	expect_diag(fx, "p.yaml:15:18", "rule s.any: 'any' takes a non-empty list of checks");
	expect_diag(fx, "p.yaml:19:18", "rule s.not: a check is a mapping with exactly one key");
	expect_diag(fx, "p.yaml:23:12", "rule s.empty: a check is a mapping with exactly one key");
	expect_diag(fx, "p.yaml:27:53", "rule s.kid: unknown check type 'nope'");
	expect_diag(fx, "p.yaml:27:63", "rule s.kid: a check is a mapping with exactly one key");
}

static void test_target_problems(void **state)
{
	struct fixture *fx = *state;
	int rc = load_text(fx,
		"pack: t\ntitle: T\n"                                    /* 1-2 */
		"targets: [tree, moon]\n"                                /* 3 */
		"rules:\n"                                               /* 4 */
		"  - id: t.a\n"                                          /* 5 */
		"    title: A\n"                                         /* 6 */
		"    severity: low\n"                                    /* 7 */
		"    applies: {target: [root, mars], colour: red}\n"     /* 8 */
		"    check: {file: {path: /x, exists: true}}\n"          /* 9 */
		"  - id: t.b\n"                                          /* 10 */
		"    title: B\n"                                         /* 11 */
		"    severity: low\n"                                    /* 12 */
		"    applies: {target: [tree, git]}\n"                   /* 13 */
		"    check: {file: {path: x, exists: true}}\n"           /* 14 */
		"  - id: t.c\n"                                          /* 15 */
		"    title: C\n"                                         /* 16 */
		"    severity: low\n"                                    /* 17 */
		"    applies: {target: tls}\n"                           /* 18 */
		"    check: {all: [{file: {path: x, exists: true}}, {content: {forbid: x}}]}\n");

	expect_fail(fx, rc, VG_EPARSE, 5);
	/* at the item itself */
	expect_diag(fx, "p.yaml:3:17", "unknown target kind 'moon' (expected tree, root, host, git, "
				       "staged, tls or nft)");
	/* an unknown key in applies does not hide the unknown target */
	expect_diag(fx, "p.yaml:8:37", "rule t.a: unknown key 'colour'");
	expect_diag(fx, "p.yaml:8:30", "rule t.a: unknown target kind 'mars'");
	expect_diag(fx, "p.yaml:14:12", "rule t.b: this check cannot evaluate target kind 'git'");
	/* file cannot do tls, so all of (file, content) cannot either */
	expect_diag(fx, "p.yaml:19:12", "rule t.c: this check cannot evaluate target kind 'tls'");
}

static void test_no_target_left(void **state)
{
	struct fixture *fx = *state;

	expect_fail(fx, load_text(fx, "pack: t\ntitle: T\ntargets: git\nrules:\n" RULE("t.a")),
		    VG_EPARSE, 1);
	expect_diag(fx, "p.yaml:8:12", "rule t.a: no target kind left for this rule");
}

static void test_check_type_errors(void **state)
{
	struct fixture *fx = *state;
	int rc = load_text(fx,
		"pack: f\ntitle: F\nrules:\n"                            /* 1-3 */
		"  - id: f.a\n"                                          /* 4 */
		"    title: A\n"                                         /* 5 */
		"    severity: low\n"                                    /* 6 */
		"    check: {file: {path: x, mode_max: \"999\"}}\n"      /* 7 */
		"  - id: f.b\n"                                          /* 8 */
		"    title: B\n"                                         /* 9 */
		"    severity: low\n"                                    /* 10 */
		"    check: {file: {path: x, mode_max: rwx}}\n"          /* 11 */
		"  - id: f.c\n"                                          /* 12 */
		"    title: C\n"                                         /* 13 */
		"    severity: low\n"                                    /* 14 */
		"    check: {file: {path: x, size: {max: big}}}\n"     /* 15 */
		"  - id: f.d\n"                                          /* 16 */
		"    title: D\n"                                         /* 17 */
		"    severity: low\n"                                    /* 18 */
		"    check: {file: {path: x, group: {equals: a, colour: b}}}\n" /* 19 */
		"  - id: f.e\n"                                          /* 20 */
		"    title: E\n"                                         /* 21 */
		"    severity: low\n"                                    /* 22 */
		"    check: {file: {path: x, owner: {in: []}}}\n");     /* 23 */

	expect_fail(fx, rc, VG_EPARSE, 5);
	expect_diag(fx, "p.yaml:7:39", "rule f.a: mode_max must be octal permission bits");
	expect_diag(fx, "p.yaml:11:39", "rule f.b: mode_max must be octal permission bits");
	expect_diag(fx, "p.yaml:15:41", "rule f.c: 'max' must be an integer");
	expect_diag(fx, "p.yaml:19:48", "rule f.d: unknown key 'colour' (expected one of: equals, "
					"in, not_in, matches, min, max, mode_max, exists, absent, "
					"nocase)");
	expect_diag(fx, "p.yaml:23:41", "rule f.e: 'in' needs at least one value");
}

static void test_example_errors(void **state)
{
	struct fixture *fx = *state;
	int rc = load_text(fx,
		"pack: e\ntitle: E\nrules:\n"                            /* 1-3 */
		"  - id: e.a\n"                                          /* 4 */
		"    title: A\n"                                         /* 5 */
		"    severity: low\n"                                    /* 6 */
		"    check: {file: {path: /x, exists: true}}\n"          /* 7 */
		"    examples:\n"                                        /* 8 */
		"      pass:\n"                                          /* 9 */
		"        - {content: x, files: {/a: b}}\n"               /* 10 */
		"        - {path: a.conf}\n"                             /* 11 */
		"        - {path: a.conf, files: {/a: b}}\n"             /* 12 */
		"        - {files: {}}\n"                                /* 13 */
		"      fail:\n"                                          /* 14 */
		"        - files:\n"                                     /* 15 */
		"            /l: {type: symlink}\n"                      /* 16 */
		"            /d: {type: door}\n"                         /* 17 */
		"            /m: {mode: \"0999\"}\n"                     /* 18 */
		"            /o: {owner: root}\n"                        /* 19 */
		"            /g: {group: -5}\n"                          /* 20 */
		"            ../escape: x\n"                             /* 21 */
		"            /a//b: x\n"                                 /* 22 */
		"            /t: {content: x, target: /y}\n"             /* 23 */
		"            /dir: {type: directory, content: x}\n"      /* 24 */
		"            /n:\n");                                    /* 25 */

	expect_diag(fx, "p.yaml:10:11", "rule e.a: an example has either 'content' (with an "
					"optional 'path') or 'files'");
	expect_diag(fx, "p.yaml:11:11", "an example has either 'content'");
	expect_diag(fx, "p.yaml:12:18", "'path' goes with 'content', not 'files'");
	expect_diag(fx, "p.yaml:13:19", "'files' needs at least one file");
	expect_diag(fx, "p.yaml:16:17", "rule e.a: a symlink example needs 'target'");
	expect_diag(fx, "p.yaml:17:24", "example file type must be file, directory, symlink or "
					"fifo");
	expect_diag(fx, "p.yaml:18:24", "mode must be octal");
	expect_diag(fx, "p.yaml:19:25", "'owner' must be an integer, found string");
	expect_diag(fx, "p.yaml:20:25", "'group' must be a numeric id");
	expect_diag(fx, "p.yaml:21:13", "example file name '../escape' must be a plain path");
	expect_diag(fx, "p.yaml:22:13", "example file name '/a//b' must be a plain path");
	expect_diag(fx, "p.yaml:23:38", "'target' is only for symlinks");
	expect_diag(fx, "p.yaml:24:46", "'content' is only for regular files");
	expect_diag(fx, "p.yaml:25:16", "example file '/n' needs content or a mapping");
	assert_int_equal(fx->diags.count, 14);
	assert_int_equal(rc, VG_EPARSE);
	assert_null(fx->pol);
}

static void test_example_file_key_types(void **state)
{
	struct fixture *fx = *state;

	/* "/" names the temporary root itself, for its mode */
	expect_ok(fx, load_text(fx, "pack: e\ntitle: E\nrules:\n"
				    "  - id: e.a\n"
				    "    title: A\n"
				    "    severity: low\n"
				    "    check: {file: {path: /x, exists: true}}\n"
				    "    examples:\n"
				    "      fail: [{files: {/: {type: directory, mode: \"0700\"},\n"
				    "                      etc/x/: {type: directory}}}]\n"));
	assert_int_equal(rule(fx, "e.a")->examples[0].nfiles, 2);
	assert_int_equal(rule(fx, "e.a")->examples[0].files[0].mode, 0700);
}

static void test_remediation_shapes(void **state)
{
	struct fixture *fx = *state;
	int rc = load_text(fx, "pack: r\ntitle: R\nrules:\n"
			       "  - id: r.a\n"
			       "    title: A\n"
			       "    severity: low\n"
			       "    check: {file: {path: /x, exists: true}}\n"
			       "    remediation: {text: T, run: x}\n"
			       "  - id: r.b\n"
			       "    title: B\n"
			       "    severity: low\n"
			       "    check: {file: {path: /x, exists: true}}\n"
			       "    remediation: [x]\n");

	expect_fail(fx, rc, VG_EPARSE, 2);
	expect_diag(fx, "p.yaml:8:28", "rule r.a: unknown key 'run' (expected one of: text, script)");
	expect_diag(fx, "p.yaml:13:18", "rule r.b: expected a mapping, found sequence");
}

static void test_all_errors_counted_in_err(void **state)
{
	struct fixture *fx = *state;
	int rc = load_text(fx, "pack: c\ntitle: C\nrules:\n"
			       "  - {id: c.a, title: A, severity: bad, check: {file: {path: x, "
			       "exists: true}}}\n"
			       "  - {id: c.b, title: B, severity: bad, check: {file: {path: x, "
			       "exists: true}}}\n"
			       "  - {id: c.c, title: C, severity: bad, check: {file: {path: x, "
			       "exists: true}}}\n");

	expect_fail(fx, rc, VG_EPARSE, 3);
	assert_int_equal(fx->err.code, VG_EPARSE);
	assert_string_equal(fx->err.msg, "invalid policy: 3 problems");
}

static void test_many_errors_capped(void **state)
{
	struct fixture *fx = *state;
	struct vg_buf b;
	int rc;

	vg_buf_init(&b, 0);
	vg_buf_puts(&b, "pack: c\ntitle: C\nrules:\n");
	for (int i = 0; i < VG_MAX_DIAGS + 50; i++)
		vg_buf_printf(&b, "  - {id: c.r%d, title: T, severity: bad, check: {file: "
				  "{path: x, exists: true}}}\n", i);
	reset(fx);
	rc = vg_policy_load_string(&fx->pol, "p.yaml", b.data, b.len, &fx->diags, &fx->err);
	assert_int_equal(rc, VG_EPARSE);
	assert_null(fx->pol);
	assert_int_equal(fx->diags.count, VG_MAX_DIAGS);
	assert_int_equal(fx->diags.dropped, 50);
	assert_non_null(strstr(fx->err.msg, "250 problems"));
	vg_buf_finish(&b);
}

static void test_bad_variable_reported_once(void **state)
{
	struct fixture *fx = *state;
	int rc = load_text(fx, "pack: v\ntitle: V\nrules:\n"
			       "  - id: v.a\n"
			       "    title: {var: t}\n"
			       "    severity: {var: s}\n"
			       "    tags: [{var: g}]\n"
			       "    check: {file: {path: {var: p}, exists: true}}\n"
			       "  - id: v.b\n"
			       "    title: B\n"
			       "    severity: low\n"
			       "    check: {file: {path: x, owner: {var: o}}}\n"
			       "  - id: v.c\n"
			       "    title: C\n"
			       "    severity: low\n"
			       "    check: {file: {path: x, group: {in: [{var: i}]}}}\n");

	/* the loader and the check type resolve these several times; each is reported once */
	expect_fail(fx, rc, VG_EPARSE, 6);
	expect_diag(fx, "p.yaml:5:18", "rule v.a: unknown variable 't'");
	expect_diag(fx, "p.yaml:6:21", "rule v.a: unknown variable 's'");
	expect_diag(fx, "p.yaml:7:18", "rule v.a: unknown variable 'g'");
	expect_diag(fx, "p.yaml:8:32", "rule v.a: unknown variable 'p'");
	expect_diag(fx, "p.yaml:12:42", "rule v.b: unknown variable 'o'");
	expect_diag(fx, "p.yaml:16:48", "rule v.c: unknown variable 'i'");
	assert_int_equal(count_diags(fx, "unknown variable"), 6);
}

/* ---- hostile input ---- */

static void test_billion_laughs(void **state)
{
	struct fixture *fx = *state;
	const char *lol =
		"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
		"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
		"h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
		"i: [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	int rc = load_text(fx, lol);

	assert_true(rc == VG_ELIMIT || rc == VG_EPARSE);
	assert_null(fx->pol);
	assert_int_equal(fx->diags.count, 1);
	assert_non_null(strstr(fx->diags.msgs[0], "p.yaml:"));
	assert_non_null(strstr(fx->diags.msgs[0], "nodes"));
}

static void test_deep_nesting(void **state)
{
	struct fixture *fx = *state;
	struct vg_buf b;
	int rc;

	/* YAML nesting past the cap */
	vg_buf_init(&b, 0);
	for (int i = 0; i < 10000; i++)
		vg_buf_putc(&b, '[');
	for (int i = 0; i < 10000; i++)
		vg_buf_putc(&b, ']');
	reset(fx);
	rc = vg_policy_load_string(&fx->pol, "p.yaml", b.data, b.len, &fx->diags, &fx->err);
	assert_true(rc == VG_ELIMIT || rc == VG_EPARSE);
	assert_null(fx->pol);
	assert_int_equal(fx->diags.count, 1);
	assert_non_null(strstr(fx->diags.msgs[0], "nesting"));
	vg_buf_finish(&b);

	/* check combinators nested as deep as YAML allows: a clean error, no crash */
	vg_buf_init(&b, 0);
	vg_buf_puts(&b, "pack: n\ntitle: N\nrules:\n- id: n.a\n  title: A\n  severity: low\n"
			"  check: ");
	for (int i = 0; i < 40; i++)
		vg_buf_puts(&b, "{not: ");
	vg_buf_puts(&b, "{file: {path: x, exists: true}}");
	for (int i = 0; i < 40; i++)
		vg_buf_putc(&b, '}');
	vg_buf_putc(&b, '\n');
	reset(fx);
	rc = vg_policy_load_string(&fx->pol, "p.yaml", b.data, b.len, &fx->diags, &fx->err);
	expect_ok(fx, rc);
	vg_buf_finish(&b);
}

static void test_huge_file(void **state)
{
	struct fixture *fx = *state;
	char *path = path_of(fx, "huge.yaml");
	char *want = vg_asprintf("%s:1:1", path);
	FILE *f = fopen(path, "w");
	char line[80];
	int rc;

	assert_non_null(f);
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	for (size_t n = 0; n <= VG_MAX_POLICY_BYTES; n += sizeof(line) - 1)
		assert_int_equal(fputs(line, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	rc = load_path(fx, path, NULL, NULL, 0);
	assert_int_equal(rc, VG_ELIMIT);
	assert_null(fx->pol);
	assert_int_equal(fx->diags.count, 1);
	expect_diag(fx, want, "larger than");
	free(want);
	free(path);
}

static void test_huge_string(void **state)
{
	struct fixture *fx = *state;
	size_t len = (size_t)VG_MAX_POLICY_BYTES + 1;
	char *big = malloc(len);
	int rc;

	assert_non_null(big);
	memset(big, '#', len);
	reset(fx);
	rc = vg_policy_load_string(&fx->pol, "p.yaml", big, len, &fx->diags, &fx->err);
	assert_true(rc == VG_ELIMIT);
	assert_null(fx->pol);
	assert_int_equal(fx->diags.count, 1);
	free(big);
}

static void test_binary_garbage(void **state)
{
	struct fixture *fx = *state;
	char junk[4096];
	uint32_t x = 0x12345678u;
	int rc;

	for (size_t i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (char)(x >> 24);
	}
	junk[10] = '\0';
	reset(fx);
	rc = vg_policy_load_string(&fx->pol, "p.yaml", junk, sizeof(junk), &fx->diags,
				   &fx->err);
	assert_int_equal(rc, VG_EPARSE);
	assert_null(fx->pol);
	assert_true(fx->diags.count >= 1);
	assert_non_null(strstr(fx->diags.msgs[0], "p.yaml:"));
}

static void test_not_a_pack(void **state)
{
	struct fixture *fx = *state;

	expect_fail(fx, load_text(fx, "just a string\n"), VG_EPARSE, 1);
	expect_diag(fx, "p.yaml:1:1", "expected a mapping, found string");
	expect_fail(fx, load_text(fx, "- a\n- b\n"), VG_EPARSE, 1);
	expect_diag(fx, "p.yaml:1:1", "expected a mapping, found sequence");
	expect_fail(fx, load_text(fx, "pack: a\n---\npack: b\n"), VG_EPARSE, 1);
	expect_fail(fx, load_text(fx, "pack: a\npack: b\ntitle: T\nrules: []\n"), VG_EPARSE, 1);
	expect_diag(fx, "p.yaml:2:1", "pack");
}

static void test_empty_input(void **state)
{
	struct fixture *fx = *state;
	char *path = path_of(fx, "empty.yaml");
	char *want = vg_asprintf("%s:1:1", path);

	expect_fail(fx, load_text(fx, ""), VG_EPARSE, 1);
	expect_diag(fx, "p.yaml:1:1", "empty policy file");
	expect_fail(fx, load_text(fx, "# only a comment\n"), VG_EPARSE, 1);
	reset(fx);
	assert_int_equal(vg_policy_load_string(&fx->pol, "p.yaml", NULL, 0, &fx->diags,
					       &fx->err), VG_EPARSE);
	assert_null(fx->pol);
	/* without a name, messages still say where */
	reset(fx);
	assert_int_equal(vg_policy_load_string(&fx->pol, NULL, "x: 1\n", 5, &fx->diags,
					       &fx->err), VG_EPARSE);
	assert_non_null(strstr(fx->diags.msgs[0], "<policy>:1:1: unknown key 'x'"));
	tu_put(fx->dir, "empty.yaml", "");
	expect_fail(fx, load_path(fx, path, NULL, NULL, 0), VG_EPARSE, 1);
	expect_diag(fx, want, "empty policy file");
	free(want);
	free(path);
}

static void test_dir_without_yaml(void **state)
{
	struct fixture *fx = *state;
	char *dir = path_of(fx, "nothing");
	char *want = vg_asprintf("%s:1:1", dir);

	tu_mkdir(fx->dir, "nothing", 0755);
	tu_mkdir(fx->dir, "nothing/sub", 0755);
	tu_put(fx->dir, "nothing/readme.txt", "pack: x\n");
	tu_put(fx->dir, "nothing/x.yaml.bak", "pack: x\n");
	expect_fail(fx, load_path(fx, dir, NULL, NULL, 0), VG_ENOTFOUND, 1);
	expect_diag(fx, want, "no policy files (*.yaml) in directory");
	free(want);
	free(dir);
}

static void test_dir_too_deep(void **state)
{
	struct fixture *fx = *state;
	char *top = path_of(fx, "deep");
	struct vg_buf rel;
	int rc;

	/* a pack at the bottom of more directory levels than the walk allows */
	vg_buf_init(&rel, 0);
	vg_buf_puts(&rel, "deep");
	tu_mkdir(fx->dir, rel.data, 0755);
	for (int i = 0; i <= VG_MAX_WALK_DEPTH + 1; i++) {
		vg_buf_puts(&rel, "/d");
		tu_mkdir(fx->dir, rel.data, 0755);
	}
	vg_buf_puts(&rel, "/x.yaml");
	tu_put(fx->dir, rel.data, "pack: x\ntitle: X\nrules: []\n");
	tu_put(fx->dir, "deep/top.yaml", "pack: t\ntitle: T\nrules:\n" RULE("t.a"));
	rc = load_path(fx, top, NULL, NULL, 0);
	assert_int_equal(rc, VG_ELIMIT);
	assert_null(fx->pol);
	assert_int_equal(fx->diags.count, 1);
	assert_non_null(strstr(fx->diags.msgs[0], "nested deeper than"));
	vg_buf_finish(&rel);
	free(top);
}

static void on_alarm(int sig)
{
	(void)sig;
	/* a load that blocks on a FIFO would hang here forever */
	_exit(99);
}

static void test_fifo_in_dir(void **state)
{
	struct fixture *fx = *state;
	char *dir = path_of(fx, "fifo");
	char *fifo = path_of(fx, "fifo/x.yaml");
	char *want = vg_asprintf("%s/x.yaml:1:1", dir);
	int rc;

	tu_mkdir(fx->dir, "fifo", 0755);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	tu_put(fx->dir, "fifo/ok.yaml", "pack: ok\ntitle: OK\nrules:\n" RULE("ok.a"));
	signal(SIGALRM, on_alarm);
	alarm(20);
	rc = load_path(fx, dir, NULL, NULL, 0);
	assert_true(rc < 0);
	assert_null(fx->pol);
	assert_int_equal(fx->diags.count, 1);
	expect_diag(fx, want, "fifo");
	/* the FIFO named directly */
	rc = load_path(fx, fifo, NULL, NULL, 0);
	alarm(0);
	assert_true(rc < 0);
	assert_null(fx->pol);
	assert_int_equal(fx->diags.count, 1);
	assert_non_null(strstr(fx->diags.msgs[0], "fifo"));
	free(want);
	free(fifo);
	free(dir);
}

static void test_unreadable_file(void **state)
{
	struct fixture *fx = *state;
	char *path = path_of(fx, "secret.yaml");
	int rc;

	if (geteuid() == 0) {
		free(path);
		skip(); /* root reads everything */
	}
	tu_put(fx->dir, "secret.yaml", "pack: s\ntitle: S\nrules: []\n");
	assert_int_equal(chmod(path, 0), 0);
	rc = load_path(fx, path, NULL, NULL, 0);
	assert_true(rc < 0);
	assert_null(fx->pol);
	assert_int_equal(fx->diags.count, 1);
	assert_non_null(strstr(fx->diags.msgs[0], path));
	free(path);
}

static void test_nonexistent_path(void **state)
{
	struct fixture *fx = *state;
	char *path = path_of(fx, "missing.yaml");
	char *want = vg_asprintf("%s:1:1", path);
	const char *paths[2] = {NULL, NULL};
	struct vg_policy_opts o = {.paths = paths, .npaths = 2};
	int rc;

	rc = load_path(fx, path, NULL, NULL, 0);
	assert_int_equal(rc, VG_ENOTFOUND);
	assert_null(fx->pol);
	assert_int_equal(fx->diags.count, 1);
	expect_diag(fx, want, "no such file");
	/* a good path next to a missing one still fails the load */
	tu_put(fx->dir, "good.yaml", "pack: g\ntitle: G\nrules:\n" RULE("g.a"));
	paths[0] = path_of(fx, "good.yaml");
	paths[1] = path;
	rc = load_opts(fx, &o);
	assert_int_equal(rc, VG_ENOTFOUND);
	assert_null(fx->pol);
	assert_int_equal(fx->diags.count, 1);
	free((char *)paths[0]);
	free(want);
	free(path);
}

/* ---- variables ---- */

static const char vars_pack[] =
	"pack: v\n"                                            /* 1 */
	"title: V\n"                                           /* 2 */
	"vars:\n"                                              /* 3 */
	"  max_size: 100\n"                                    /* 4 */
	"  who: {default: root, description: The owner}\n"     /* 5 */
	"  pat: 'secret=\\w+'\n"                               /* 6 */
	"  word: alpha\n"                                      /* 7 */
	"profiles:\n"                                          /* 8 */
	"  - id: base\n"                                       /* 9 */
	"    vars: {max_size: 50, word: beta}\n"               /* 10 */
	"  - id: child\n"                                      /* 11 */
	"    extends: base\n"                                  /* 12 */
	"    vars: {max_size: 10}\n"                           /* 13 */
	"rules:\n"                                             /* 14 */
	"  - id: v.size\n"                                     /* 15 */
	"    title: {var: word}\n"                             /* 16 */
	"    severity: low\n"                                  /* 17 */
	"    tags: [{var: word}, fixed]\n"                     /* 18 */
	"    check: {file: {path: /x, owner: {var: who}, size: {max: {var: max_size}}}}\n"
	"  - id: v.pat\n"                                      /* 20 */
	"    title: P\n"                                       /* 21 */
	"    severity: low\n"                                  /* 22 */
	"    check: {content: {forbid: {var: pat}}}\n";        /* 23 */

static void test_vars_defaults(void **state)
{
	struct fixture *fx = *state;
	const struct vg_pack *pk;

	expect_ok(fx, load_text(fx, vars_pack));
	pk = fx->pol->packs.items[0];
	assert_int_equal(pk->nvars, 4);
	assert_string_equal(pk->vars[0].name, "max_size");
	assert_string_equal(pk->vars[0].value, "100");
	assert_null(pk->vars[0].description);
	assert_string_equal(pk->vars[1].description, "The owner");
	assert_string_equal(vg_policy_var(fx->pol, "max_size"), "100");
	assert_string_equal(vg_policy_var(fx->pol, "who"), "root");
	assert_string_equal(vg_policy_var(fx->pol, "pat"), "secret=\\w+");
	/* {var: NAME} is resolved wherever a value goes */
	assert_string_equal(rule(fx, "v.size")->meta.title, "alpha");
	assert_string_equal(rule(fx, "v.size")->meta.tags[0], "alpha");
	assert_string_equal(rule(fx, "v.size")->meta.tags[1], "fixed");
	assert_int_equal(fx->pol->vars.len, 4);
}

static void test_vars_profile_and_overrides(void **state)
{
	struct fixture *fx = *state;
	char *path = path_of(fx, "v.yaml");
	const char *vars[] = {"word=gamma", "pat=a=b"};

	tu_put(fx->dir, "v.yaml", vars_pack);
	expect_ok(fx, load_path(fx, path, "base", NULL, 0));
	assert_string_equal(fx->pol->profile, "base");
	assert_string_equal(vg_policy_var(fx->pol, "max_size"), "50");
	assert_string_equal(vg_policy_var(fx->pol, "word"), "beta");
	assert_string_equal(rule(fx, "v.size")->meta.title, "beta");
	/* the child's value wins over its parent's, the parent's stays where the child is silent */
	expect_ok(fx, load_path(fx, path, "child", NULL, 0));
	assert_string_equal(vg_policy_var(fx->pol, "max_size"), "10");
	assert_string_equal(vg_policy_var(fx->pol, "word"), "beta");
	/* --var beats every profile; only the first '=' splits */
	expect_ok(fx, load_path(fx, path, "child", vars, 2));
	assert_string_equal(vg_policy_var(fx->pol, "word"), "gamma");
	assert_string_equal(vg_policy_var(fx->pol, "pat"), "a=b");
	assert_string_equal(vg_policy_var(fx->pol, "max_size"), "10");
	assert_string_equal(rule(fx, "v.size")->meta.title, "gamma");
	/* an empty value is a value */
	vars[0] = "word=";
	expect_ok(fx, load_path(fx, path, NULL, vars, 1));
	assert_string_equal(vg_policy_var(fx->pol, "word"), "");
	free(path);
}

static void test_var_values_validated_in_checks(void **state)
{
	struct fixture *fx = *state;
	char *path = path_of(fx, "v.yaml");
	const char *bad[] = {"max_size=lots", "pat=(unclosed"};
	const char *good[] = {"max_size=0x10"};

	tu_put(fx->dir, "v.yaml", vars_pack);
	/* values from --var go through the same validation as literals */
	expect_fail(fx, load_path(fx, path, NULL, bad, 2), VG_EPARSE, 2);
	{
		char *w1 = vg_asprintf("%s:19:61", path), *w2 = vg_asprintf("%s:23:31", path);

		expect_diag(fx, w1, "rule v.size: 'max' must be an integer");
		expect_diag(fx, w2, "rule v.pat: invalid regular expression in variable 'pat': "
				    "missing closing parenthesis");
		free(w1);
		free(w2);
	}
	expect_ok(fx, load_path(fx, path, NULL, good, 1));
	assert_string_equal(vg_policy_var(fx->pol, "max_size"), "0x10");
	free(path);
}

static void test_var_errors(void **state)
{
	struct fixture *fx = *state;
	char *path = path_of(fx, "v.yaml");
	const char *vars[] = {"nosuch=1", "novalue", "=x", "who=admin"};
	int rc;

	tu_put(fx->dir, "v.yaml", vars_pack);
	rc = load_path(fx, path, NULL, vars, 4);
	expect_fail(fx, rc, VG_EPARSE, 3);
	expect_diag(fx, "--var:1:1", "unknown variable 'nosuch'");
	expect_diag(fx, "--var:1:1", "'novalue' is not NAME=VALUE");
	expect_diag(fx, "--var:1:1", "'=x' is not NAME=VALUE");
	free(path);
}

static void test_var_definition_errors(void **state)
{
	struct fixture *fx = *state;
	int rc = load_text(fx,
		"pack: v\n"                                            /* 1 */
		"title: V\n"                                           /* 2 */
		"vars:\n"                                              /* 3 */
		"  Bad Name: 1\n"                                      /* 4 */
		"  empty:\n"                                           /* 5 */
		"  list: [a]\n"                                        /* 6 */
		"  desc: {default: 1, note: x}\n"                      /* 7 */
		"  nodefault: {description: x}\n"                      /* 8 */
		"rules:\n"                                             /* 9 */
		"  - id: v.a\n"                                        /* 10 */
		"    title: T\n"                                       /* 11 */
		"    severity: low\n"                                  /* 12 */
		"    check: {file: {path: {var: Bad Name}, exists: true}}\n"); /* 13 */

	expect_fail(fx, rc, VG_EPARSE, 6);
	expect_diag(fx, "p.yaml:4:3", "variable names use a-z, 0-9");
	expect_diag(fx, "p.yaml:5:9", "variable 'empty' needs a scalar value");
	expect_diag(fx, "p.yaml:6:9", "variable 'list' needs a scalar value");
	expect_diag(fx, "p.yaml:7:22", "unknown key 'note'");
	expect_diag(fx, "p.yaml:8:14", "missing required key 'default'");
	expect_diag(fx, "p.yaml:13:32", "rule v.a: unknown variable 'Bad Name'");
}

static void test_var_in_two_packs(void **state)
{
	struct fixture *fx = *state;
	char *a = path_of(fx, "a.yaml"), *b = path_of(fx, "b.yaml");
	char *want = vg_asprintf("%s:4:3", b);
	const char *paths[] = {a, b};
	struct vg_policy_opts o = {.paths = paths, .npaths = 2};

	tu_put(fx->dir, "a.yaml", "pack: a\ntitle: A\nvars: {port: 22}\nrules: []\n");
	tu_put(fx->dir, "b.yaml", "pack: b\ntitle: B\nvars:\n  port: 2222\nrules: []\n");
	expect_fail(fx, load_opts(fx, &o), VG_EPARSE, 1);
	expect_diag(fx, want, "variable 'port' is already defined by pack 'a'");
	free(want);
	free(a);
	free(b);
}

static void test_var_shared_across_packs(void **state)
{
	struct fixture *fx = *state;
	char *a = path_of(fx, "a.yaml"), *b = path_of(fx, "b.yaml");
	const char *paths[] = {a, b};
	const char *vars[] = {"label=from-cli"};
	struct vg_policy_opts o = {.paths = paths, .npaths = 2, .vars = vars, .nvars = 1};

	/* one pack defines a variable, another pack's rule uses it */
	tu_put(fx->dir, "a.yaml", "pack: a\ntitle: A\nvars: {label: from-a}\nrules: []\n");
	tu_put(fx->dir, "b.yaml", "pack: b\ntitle: B\nrules:\n"
	       "  - {id: b.r, title: {var: label}, severity: low,\n"
	       "     check: {file: {path: x, exists: true}}}\n");
	o.nvars = 0;
	expect_ok(fx, load_opts(fx, &o));
	assert_string_equal(rule(fx, "b.r")->meta.title, "from-a");
	o.nvars = 1;
	expect_ok(fx, load_opts(fx, &o));
	assert_string_equal(rule(fx, "b.r")->meta.title, "from-cli");
	free(a);
	free(b);
}

/* ---- profiles and selection ---- */

static const char profile_pack[] =
	"pack: p\n"                                            /* 1 */
	"title: P\n"                                           /* 2 */
	"profiles:\n"                                          /* 3 */
	"  - id: base\n"                                       /* 4 */
	"    title: Keys only\n"                               /* 5 */
	"    select: [\"p.keys.*\"]\n"                         /* 6 */
	"    deselect: p.keys.noisy\n"                         /* 7 */
	"  - id: strict\n"                                     /* 8 */
	"    extends: base\n"                                  /* 9 */
	"    select: [\"p.tmp.*\"]\n"                          /* 10 */
	"    severity: {\"p.keys.*\": critical, p.tmp.world: info}\n" /* 11 */
	"  - id: everything\n"                                 /* 12 */
	"    deselect: [\"*.noisy\"]\n"                        /* 13 */
	"  - id: stricter\n"                                   /* 14 */
	"    extends: strict\n"                                /* 15 */
	"    deselect: [p.keys.rsa]\n"                         /* 16 */
	"rules:\n"                                             /* 17 */
	RULE("p.keys.rsa")
	RULE("p.keys.noisy")
	RULE("p.tmp.world")
	RULE("p.other");

static bool selected(const struct fixture *fx, const char *id)
{
	return rule(fx, id)->selected;
}

static void test_profile_select_deselect(void **state)
{
	struct fixture *fx = *state;
	char *path = path_of(fx, "p.yaml");
	const struct vg_profile *pr;

	tu_put(fx->dir, "p.yaml", profile_pack);
	/* no profile: everything */
	expect_ok(fx, load_path(fx, path, NULL, NULL, 0));
	assert_true(selected(fx, "p.keys.rsa") && selected(fx, "p.keys.noisy") &&
		    selected(fx, "p.tmp.world") && selected(fx, "p.other"));
	pr = ((struct vg_pack *)fx->pol->packs.items[0])->profiles.items[1];
	assert_string_equal(pr->id, "strict");
	assert_string_equal(pr->extends, "base");
	assert_int_equal(pr->nselect, 1);
	assert_int_equal(pr->nsev, 2);
	assert_int_equal(pr->sev_value[0], VG_SEV_CRITICAL);
	assert_int_equal(pr->line, 8);
	assert_int_equal(pr->col, 5);

	expect_ok(fx, load_path(fx, path, "base", NULL, 0));
	assert_true(selected(fx, "p.keys.rsa"));
	assert_false(selected(fx, "p.keys.noisy"));
	assert_false(selected(fx, "p.tmp.world"));
	assert_false(selected(fx, "p.other"));
	assert_int_equal(rule(fx, "p.keys.rsa")->meta.severity, VG_SEV_LOW);

	/* without select a root profile takes everything but what it deselects */
	expect_ok(fx, load_path(fx, path, "everything", NULL, 0));
	assert_true(selected(fx, "p.keys.rsa") && selected(fx, "p.tmp.world") &&
		    selected(fx, "p.other"));
	assert_false(selected(fx, "p.keys.noisy"));
	free(path);
}

static void test_profile_extends_and_severity(void **state)
{
	struct fixture *fx = *state;
	char *path = path_of(fx, "p.yaml");

	tu_put(fx->dir, "p.yaml", profile_pack);
	/* the child adds to its parent's selection and overrides severities */
	expect_ok(fx, load_path(fx, path, "strict", NULL, 0));
	assert_true(selected(fx, "p.keys.rsa"));
	assert_false(selected(fx, "p.keys.noisy"));
	assert_true(selected(fx, "p.tmp.world"));
	assert_false(selected(fx, "p.other"));
	assert_int_equal(rule(fx, "p.keys.rsa")->meta.severity, VG_SEV_CRITICAL);
	assert_int_equal(rule(fx, "p.keys.noisy")->meta.severity, VG_SEV_CRITICAL);
	assert_int_equal(rule(fx, "p.tmp.world")->meta.severity, VG_SEV_INFO);
	assert_int_equal(rule(fx, "p.other")->meta.severity, VG_SEV_LOW);
	assert_int_equal(rule(fx, "p.keys.rsa")->default_severity, VG_SEV_LOW);

	/* a grandchild inherits both ancestors and deselects on top */
	expect_ok(fx, load_path(fx, path, "stricter", NULL, 0));
	assert_false(selected(fx, "p.keys.rsa"));
	assert_true(selected(fx, "p.tmp.world"));
	assert_int_equal(rule(fx, "p.tmp.world")->meta.severity, VG_SEV_INFO);
	free(path);
}

static void test_profile_with_rule_globs(void **state)
{
	struct fixture *fx = *state;
	char *path = path_of(fx, "p.yaml");
	const char *rules[] = {"p.keys.*", "p.other"};
	const char *skips[] = {"*.rsa"};
	struct vg_policy_opts o = {
		.paths = (const char *const *)&path, .npaths = 1, .profile = "strict",
		.rule_globs = rules, .nrule_globs = 1, .skip_globs = skips, .nskip_globs = 1,
	};

	tu_put(fx->dir, "p.yaml", profile_pack);
	/* --rule narrows what the profile selects, --skip-rule removes */
	expect_ok(fx, load_opts(fx, &o));
	assert_false(selected(fx, "p.keys.rsa"));  /* skipped */
	assert_false(selected(fx, "p.keys.noisy")); /* the profile deselects it */
	assert_false(selected(fx, "p.tmp.world")); /* not in --rule */
	assert_false(selected(fx, "p.other"));
	/* --rule never adds what the profile left out */
	o.nrule_globs = 2;
	o.nskip_globs = 0;
	expect_ok(fx, load_opts(fx, &o));
	assert_true(selected(fx, "p.keys.rsa"));
	assert_false(selected(fx, "p.other"));
	assert_false(selected(fx, "p.tmp.world"));
	/* without a profile */
	o.profile = NULL;
	o.nskip_globs = 1;
	expect_ok(fx, load_opts(fx, &o));
	assert_false(selected(fx, "p.keys.rsa"));
	assert_true(selected(fx, "p.keys.noisy"));
	assert_true(selected(fx, "p.other"));
	assert_false(selected(fx, "p.tmp.world"));
	free(path);
}

static void test_unknown_profile(void **state)
{
	struct fixture *fx = *state;
	char *path = path_of(fx, "p.yaml");
	const char *vars[] = {"nosuch=1"};

	tu_put(fx->dir, "p.yaml", profile_pack);
	expect_fail(fx, load_path(fx, path, "nope", NULL, 0), VG_ENOTFOUND, 1);
	expect_diag(fx, "--profile:1:1", "unknown profile 'nope' (known: base, strict, "
					 "everything, stricter)");
	/* a bad --var is reported along with the bad --profile */
	expect_fail(fx, load_path(fx, path, "nope", vars, 1), VG_ENOTFOUND, 2);
	expect_diag(fx, "--var:1:1", "unknown variable 'nosuch'");
	/* a policy without profiles says so */
	tu_put(fx->dir, "p.yaml", "pack: q\ntitle: Q\nrules:\n" RULE("q.a"));
	expect_fail(fx, load_path(fx, path, "strict", NULL, 0), VG_ENOTFOUND, 1);
	expect_diag(fx, "--profile:1:1", "unknown profile 'strict' (no profiles defined)");
	free(path);
}

static void test_profile_circular_extends(void **state)
{
	struct fixture *fx = *state;
	char *path = path_of(fx, "c.yaml");
	char *w1 = vg_asprintf("%s:5:14", path), *w2 = vg_asprintf("%s:7:14", path);
	char *w3 = vg_asprintf("%s:9:14", path);
	int rc;

	tu_put(fx->dir, "c.yaml", "pack: c\ntitle: C\nprofiles:\n"
	       "  - id: a\n"
	       "    extends: b\n"
	       "  - id: b\n"
	       "    extends: a\n"
	       "  - id: self\n"
	       "    extends: self\n"
	       "rules:\n" RULE("c.a"));
	/* every profile is checked, whether chosen or not */
	rc = load_path(fx, path, NULL, NULL, 0);
	expect_fail(fx, rc, VG_EPARSE, 3);
	expect_diag(fx, w1, "profile 'a': 'extends' chain is circular");
	expect_diag(fx, w2, "profile 'b': 'extends' chain is circular");
	expect_diag(fx, w3, "profile 'self': 'extends' chain is circular");
	/* choosing one terminates with the same errors */
	rc = load_path(fx, path, "a", NULL, 0);
	expect_fail(fx, rc, VG_EPARSE, 3);
	rc = load_path(fx, path, "self", NULL, 0);
	expect_fail(fx, rc, VG_EPARSE, 3);
	free(w1);
	free(w2);
	free(w3);
	free(path);
}

static void test_profile_long_chain(void **state)
{
	struct fixture *fx = *state;
	struct vg_buf b;
	int rc;

	/* p0 <- p1 <- ... <- p20: longer than VG_MAX_PROFILE_DEPTH */
	vg_buf_init(&b, 0);
	vg_buf_puts(&b, "pack: l\ntitle: L\nprofiles:\n  - id: p0\n");
	for (int i = 1; i <= VG_MAX_PROFILE_DEPTH + 4; i++)
		vg_buf_printf(&b, "  - {id: p%d, extends: p%d}\n", i, i - 1);
	vg_buf_puts(&b, "rules:\n" RULE("l.a"));
	reset(fx);
	rc = vg_policy_load_string(&fx->pol, "p.yaml", b.data, b.len, &fx->diags, &fx->err);
	assert_int_equal(rc, VG_EPARSE);
	assert_null(fx->pol);
	/* p17..p20 are too deep; p16 and shallower are fine */
	assert_int_equal(count_diags(fx, "'extends' chain is longer than 16"), 4);
	assert_non_null(find_diag(fx, "p.yaml:21:24", "profile 'p17'"));
	vg_buf_finish(&b);
}

static void test_profile_errors(void **state)
{
	struct fixture *fx = *state;
	int rc = load_text(fx,
		"pack: e\ntitle: E\n"                                  /* 1-2 */
		"vars: {known: 1}\n"                                   /* 3 */
		"profiles:\n"                                          /* 4 */
		"  - id: orphan\n"                                     /* 5 */
		"    extends: nobody\n"                                /* 6 */
		"  - id: grandchild\n"                                 /* 7 */
		"    extends: orphan\n"                                /* 8 */
		"  - id: setter\n"                                     /* 9 */
		"    vars: {known: 2, unknown: 3}\n"                   /* 10 */
		"  - id: setter\n"                                     /* 11 */
		"  - id: odd\n"                                        /* 12 */
		"    colour: red\n"                                    /* 13 */
		"    select: {a: b}\n"                                 /* 14 */
		"    severity: [high]\n"                               /* 15 */
		"rules:\n" RULE("e.a"));

	expect_fail(fx, rc, VG_EPARSE, 6);
	expect_diag(fx, "p.yaml:6:14", "profile 'orphan' extends unknown profile 'nobody'");
	expect_diag(fx, "p.yaml:10:22", "profile 'setter' sets unknown variable 'unknown'");
	expect_diag(fx, "p.yaml:11:9", "profile 'setter' is already defined at p.yaml:9");
	expect_diag(fx, "p.yaml:13:5", "unknown key 'colour'");
	expect_diag(fx, "p.yaml:14:13", "'select' must be a string or a list of strings");
	expect_diag(fx, "p.yaml:15:15", "'severity' must be a mapping");
	/* the grandchild's chain is broken, but the problem is reported once, at its source */
	assert_null(find_diag(fx, "p.yaml:8:14", "grandchild"));
}

static void test_profile_across_packs(void **state)
{
	struct fixture *fx = *state;
	char *a = path_of(fx, "a.yaml"), *b = path_of(fx, "b.yaml");
	const char *paths[] = {a, b};
	struct vg_policy_opts o = {.paths = paths, .npaths = 2, .profile = "team"};

	/* a profile in one pack extends one in another, selecting rules of both */
	tu_put(fx->dir, "a.yaml", "pack: a\ntitle: A\nvars: {limit: 1}\n"
	       "profiles: [{id: org, select: [\"a.*\"], vars: {limit: 2}}]\n"
	       "rules:\n" RULE("a.one") RULE("a.two"));
	tu_put(fx->dir, "b.yaml", "pack: b\ntitle: B\n"
	       "profiles: [{id: team, extends: org, select: b.one, "
	       "deselect: a.two, vars: {limit: 3}}]\n"
	       "rules:\n" RULE("b.one") RULE("b.two"));
	expect_ok(fx, load_opts(fx, &o));
	assert_true(selected(fx, "a.one"));
	assert_false(selected(fx, "a.two"));
	assert_true(selected(fx, "b.one"));
	assert_false(selected(fx, "b.two"));
	assert_string_equal(vg_policy_var(fx->pol, "limit"), "3");
	o.profile = "org";
	expect_ok(fx, load_opts(fx, &o));
	assert_string_equal(vg_policy_var(fx->pol, "limit"), "2");
	assert_false(selected(fx, "b.one"));
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_pack_from_string, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_pack_from_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_rule_and_var, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pack_targets_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_embedded_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_example_file_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_type_reported_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules_not_a_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_required, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_rules_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule_without_id_then_more_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_rule_ids_same_pack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates_across_packs_in_dir, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_directory_loads_recursively, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_check_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_regex, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_severity_and_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_problems, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_target_left, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_type_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_example_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_example_file_key_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remediation_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_errors_counted_in_err, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_errors_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_variable_reported_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_billion_laughs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_string, setup, teardown),
		cmocka_unit_test_setup_teardown(test_binary_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_pack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_without_yaml, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_too_deep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_in_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nonexistent_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vars_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vars_profile_and_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_var_values_validated_in_checks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_var_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_var_definition_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_var_in_two_packs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_var_shared_across_packs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profile_select_deselect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profile_extends_and_severity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profile_with_rule_globs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_profile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profile_circular_extends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profile_long_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profile_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profile_across_packs, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
