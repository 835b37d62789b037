/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for facts/pam.c and the pam check: line syntax, includes, settings files, findings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "facts/pam.h"
#include "limits.h"
#include "testutil.h"
#include "util.h"

static struct vg_pam_service *parse(const char *text)
{
	struct vg_pam_service *s = vg_pam_service_new("svc", "/etc/pam.d/svc");
	struct vg_error err = {0};

	assert_non_null(s);
	assert_int_equal(vg_pam_parse_service(s, text, strlen(text), &err), 0);
	return s;
}

static const struct vg_pam_line *line_at(const struct vg_pam_service *s, size_t i)
{
	assert_true(i < s->lines.len);
	return s->lines.items[i];
}

static void parse_lines(void **state)
{
	struct vg_pam_service *s;
	const struct vg_pam_line *l;
	const char *v;

	(void)state;
	s = parse("# comment\n"
		  "auth\t[success=1 default=ignore]\tpam_unix.so nullok # trailing\n"
		  "-session optional pam_systemd.so\n"
		  "password requisite /lib/x86_64-linux-gnu/security/pam_pwhistory.so remember=24 "
		  "use_authtok\n"
		  "@include common-auth\n"
		  "session required pam_exec.so [cmd=/bin/echo a b \\] c] quiet\n"
		  "account include system-account\n");
	assert_int_equal(s->lines.len, 6);
	assert_int_equal(s->problems.len, 0);
	l = line_at(s, 0);
	assert_string_equal(l->type, "auth");
	assert_false(l->dash);
	assert_string_equal(l->control, "[success=1 default=ignore]");
	assert_string_equal(l->module, "pam_unix.so");
	assert_int_equal(l->nargs, 1);
	assert_true(vg_pam_line_arg(l, "nullok", &v));
	assert_null(v);
	assert_int_equal(l->line, 2);
	l = line_at(s, 1);
	assert_true(l->dash);
	assert_string_equal(l->type, "session");
	l = line_at(s, 2);
	assert_true(vg_pam_module_is(l, "pam_pwhistory.so"));
	assert_true(vg_pam_module_is(l, "pam_pwhistory"));
	assert_false(vg_pam_module_is(l, "pam_unix.so"));
	assert_true(vg_pam_line_arg(l, "remember", &v));
	assert_string_equal(v, "24");
	assert_false(vg_pam_line_arg(l, "enforce_for_root", &v));
	l = line_at(s, 3);
	assert_string_equal(l->include, "common-auth");
	assert_null(l->type);
	l = line_at(s, 4);
	assert_int_equal(l->nargs, 2);
	assert_string_equal(l->args[0].name, "cmd");
	assert_string_equal(l->args[0].value, "/bin/echo a b ] c");
	l = line_at(s, 5);
	assert_string_equal(l->control, "include");
	assert_false(vg_pam_module_is(l, "system-account"));
	vg_pam_service_free(s);
}

static void parse_continuation_and_problems(void **state)
{
	struct vg_pam_service *s;
	const struct vg_pam_line *l;

	(void)state;
	s = parse("auth required \\\n"
		  "   pam_faillock.so \\\n"
		  "   preauth\n"
		  "bogus required pam_x.so\n"
		  "auth required\n"
		  "auth [default=die pam_x.so\n"
		  "@include\n"
		  "@include ../../etc/shadow\n"
		  "account required pam_permit.so\\");
	assert_int_equal(s->lines.len, 2);
	l = line_at(s, 0);
	assert_int_equal(l->line, 1);
	assert_string_equal(l->module, "pam_faillock.so");
	assert_string_equal(l->args[0].name, "preauth");
	l = line_at(s, 1);
	assert_string_equal(l->module, "pam_permit.so");
	assert_int_equal(l->line, 9);
	assert_int_equal(s->problems.len, 5);
	assert_int_equal(((struct vg_pam_problem *)s->problems.items[0])->line, 4);
	assert_non_null(strstr(((struct vg_pam_problem *)s->problems.items[2])->msg,
			       "unterminated"));
	vg_pam_service_free(s);
}

static void parse_long_and_many(void **state)
{
	size_t big = (size_t)VG_MAX_CONFIG_LINE_BYTES + 100;
	size_t n = (size_t)VG_MAX_CONFIG_ENTRIES + 1;
	char *text = malloc(big + 64);
	struct vg_pam_service *s = vg_pam_service_new("svc", "/etc/pam.d/svc");
	struct vg_error err = {0};
	size_t len;

	(void)state;
	assert_non_null(text);
	memcpy(text, "auth required pam_x.so ", 23);
	memset(text + 23, 'a', big - 23);
	len = big;
	len += (size_t)snprintf(text + len, 64, "\nauth required pam_unix.so\n");
	assert_int_equal(vg_pam_parse_service(s, text, len, &err), 0);
	assert_int_equal(s->lines.len, 1);
	assert_int_equal(s->problems.len, 1);
	assert_int_equal(line_at(s, 0)->line, 2);
	vg_pam_service_free(s);
	free(text);

	text = malloc(n * 2);
	assert_non_null(text);
	for (size_t i = 0; i < n; i++) {
		text[2 * i] = 'x';
		text[2 * i + 1] = '\n';
	}
	s = vg_pam_service_new("svc", "/etc/pam.d/svc");
	assert_int_equal(vg_pam_parse_service(s, text, n * 2, &err), VG_ELIMIT);
	assert_int_equal(s->code, VG_ELIMIT);
	vg_pam_service_free(s);
	free(text);
}

static void parse_binary(void **state)
{
	struct vg_pam_service *s = vg_pam_service_new("svc", "/etc/pam.d/svc");
	struct vg_error err = {0};
	static const char junk[] = "auth\0\x01\x02\x03\xff required";

	(void)state;
	assert_int_equal(vg_pam_parse_service(s, junk, sizeof(junk) - 1, &err), VG_EPARSE);
	assert_int_equal(s->code, VG_EPARSE);
	assert_non_null(strstr(err.msg, "/etc/pam.d/svc"));
	assert_int_equal(s->lines.len, 0);
	vg_pam_service_free(s);
}

static void parse_conf(void **state)
{
	struct vg_pam_conf c = {.module = "pam_faillock.so", .path = "/etc/security/faillock.conf"};
	struct vg_error err = {0};
	static const char text[] = "# comment\n deny = 4 \neven_deny_root\n\nunlock_time=0 # x\n"
				   "deny = 6\n";
	const struct vg_pam_setting *st;

	(void)state;
	vg_vec_init(&c.settings);
	assert_int_equal(vg_pam_parse_conf(&c, c.path, text, strlen(text), &err), 0);
	st = vg_pam_conf_get(&c, "deny");
	assert_non_null(st);
	assert_string_equal(st->value, "6");
	assert_int_equal(st->line, 6);
	st = vg_pam_conf_get(&c, "even_deny_root");
	assert_non_null(st);
	assert_null(st->value);
	assert_string_equal(vg_pam_conf_get(&c, "unlock_time")->value, "0");
	assert_null(vg_pam_conf_get(&c, "nope"));
	assert_int_equal(vg_pam_parse_conf(&c, c.path, "a\0b", 3, &err), VG_EPARSE);
	for (size_t i = 0; i < c.settings.len; i++) {
		struct vg_pam_setting *x = c.settings.items[i];

		free(x->key);
		free(x->value);
		free(x->path);
		free(x);
	}
	vg_vec_finish(&c.settings, NULL);
	assert_string_equal(vg_pam_default("pam_faillock.so", "deny"), "3");
	assert_string_equal(vg_pam_default("/usr/lib/security/pam_pwhistory.so", "remember"), "10");
	assert_null(vg_pam_default("pam_unix.so", "remember"));
}

static void lay_stacks(const struct tu_tree *t)
{
	tu_put(t->root, "/etc/pam.d/common-auth",
	       "auth [success=1 default=ignore] pam_unix.so nullok\n"
	       "auth requisite pam_deny.so\n");
	tu_put(t->root, "/etc/pam.d/common-password", "password required pam_unix.so yescrypt\n");
	tu_put(t->root, "/etc/pam.d/system-account", "account required pam_unix.so\n"
	       "auth required pam_env.so\n");
	tu_put(t->root, "/etc/pam.d/login", "auth optional pam_faildelay.so delay=3000000\n"
	       "@include common-auth\n"
	       "account include system-account\n"
	       "@include common-password\n");
	tu_put(t->root, "/etc/pam.d/loop-a", "@include loop-b\n");
	tu_put(t->root, "/etc/pam.d/loop-b", "auth required pam_permit.so\n@include loop-a\n");
	tu_put(t->root, "/etc/pam.d/broken", "@include missing-one\n");
	tu_put(t->root, "/etc/pam.d/login.dpkg-old", "auth required pam_unix.so nullok\n");
}

static void load_and_expand(void **state)
{
	struct tu_tree *t = *state;
	struct vg_pam *p = NULL;
	struct vg_error err = {0};
	struct vg_fs *fs;
	struct vg_vec lines;
	const struct vg_pam_line *l;

	lay_stacks(t);
	fs = tu_fs_open(t->root, VG_FS_IN_ROOT);
	assert_int_equal(vg_pam_load(&p, fs, &err), 0);
	assert_int_equal(p->dir_code, 0);
	assert_non_null(vg_pam_find(p, "login"));
	assert_null(vg_pam_find(p, "login.dpkg-old")); /* leftovers are no services */
	vg_vec_init(&lines);
	assert_int_equal(vg_pam_expand(p, "login", &lines, &err), 0);
	/* faildelay, 2 common-auth lines, the account line of system-account (not
	 * its auth line), the password line */
	assert_int_equal(lines.len, 5);
	l = lines.items[1];
	assert_string_equal(l->path, "/etc/pam.d/common-auth");
	assert_int_equal(l->line, 1);
	l = lines.items[3];
	assert_string_equal(l->path, "/etc/pam.d/system-account");
	assert_string_equal(l->type, "account");
	vg_vec_finish(&lines, NULL);
	vg_vec_init(&lines);
	assert_int_equal(vg_pam_expand(p, "loop-a", &lines, &err), VG_ELIMIT);
	assert_non_null(strstr(err.msg, "cycle"));
	vg_vec_finish(&lines, NULL);
	vg_vec_init(&lines);
	assert_int_equal(vg_pam_expand(p, "broken", &lines, &err), VG_ENOTFOUND);
	assert_non_null(strstr(err.msg, "missing-one"));
	vg_vec_finish(&lines, NULL);
	vg_pam_free(p);
	vg_fs_free(fs);
}

/* pwquality reads its drop-ins first and then the main file, which wins. */
static void conf_precedence(void **state)
{
	struct tu_tree *t = *state;
	struct vg_pam *p = NULL;
	struct vg_error err = {0};
	struct vg_fs *fs;
	const struct vg_pam_conf *c;

	tu_put(t->root, "/etc/pam.d/common-password", "password requisite pam_pwquality.so\n");
	tu_put(t->root, "/etc/security/pwquality.conf.d/10-a.conf", "minlen = 10\ndifok = 3\n");
	tu_put(t->root, "/etc/security/pwquality.conf.d/20-b.conf", "minlen = 12\n");
	tu_put(t->root, "/etc/security/pwquality.conf.d/30-c.txt", "minlen = 99\n");
	tu_put(t->root, "/etc/security/pwquality.conf", "minlen = 14\n");
	fs = tu_fs_open(t->root, VG_FS_IN_ROOT);
	assert_int_equal(vg_pam_load(&p, fs, &err), 0);
	c = vg_pam_conf_find(p, "pam_pwquality.so");
	assert_non_null(c);
	assert_int_equal(c->code, 0);
	assert_string_equal(vg_pam_conf_get(c, "minlen")->value, "14");
	assert_string_equal(vg_pam_conf_get(c, "minlen")->path, "/etc/security/pwquality.conf");
	assert_string_equal(vg_pam_conf_get(c, "difok")->path,
			    "/etc/security/pwquality.conf.d/10-a.conf");
	c = vg_pam_conf_find(p, "pam_faillock");
	assert_non_null(c);
	assert_int_equal(c->code, VG_ENOTFOUND);
	assert_null(vg_pam_conf_find(p, "pam_unix.so"));
	vg_pam_free(p);
	vg_fs_free(fs);
}

static void check_nullok_everywhere(void **state)
{
	struct tu_tree *t = *state;
	struct tu_run r;

	lay_stacks(t);
	tu_run_rule(&r, t, "{pam: {service: \"*\", module: pam_unix.so, "
		    "args: {nullok: {absent: true}}}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_int_equal(r.fails, 1); /* not the .dpkg-old copy */
	assert_string_equal(r.first->loc.path, "/etc/pam.d/common-auth");
	assert_int_equal(r.first->loc.line, 1);
	assert_string_equal(r.first->evidence, "pam_unix.so nullok");
	tu_run_free(&r);
	/* named service: the included line counts once */
	tu_run_rule(&r, t, "{pam: {service: [login, common-auth], module: pam_unix.so, "
		    "args: {nullok: {absent: true}}}}", false);
	assert_int_equal(r.fails, 1);
	tu_run_free(&r);
}

static void check_present_and_defaults(void **state)
{
	struct tu_tree *t = *state;
	struct tu_run r;

	lay_stacks(t);
	tu_run_rule(&r, t, "{pam: {service: login, type: password, module: pam_pwhistory.so, "
		    "present: true}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_string_equal(r.first->loc.object, "pam:login");
	tu_run_free(&r);
	tu_put(t->root, "/etc/pam.d/common-password",
	       "password requisite pam_pwhistory.so use_authtok\n"
	       "password required pam_unix.so yescrypt\n");
	tu_run_rule(&r, t, "{pam: {service: login, type: password, module: pam_pwhistory.so, "
		    "present: true, args: {remember: {min: 24}}}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_non_null(strstr(r.first->message, "default"));
	assert_string_equal(r.first->evidence, "pam_pwhistory.so remember=10");
	tu_run_free(&r);
	tu_put(t->root, "/etc/security/pwhistory.conf", "remember = 24\n");
	tu_run_rule(&r, t, "{pam: {service: login, type: password, module: pam_pwhistory.so, "
		    "present: true, args: {remember: {min: 24}}}}", false);
	assert_int_equal(r.verdict, VG_STATUS_PASS);
	tu_run_free(&r);
	/* the line wins over the settings file */
	tu_put(t->root, "/etc/pam.d/common-password",
	       "password requisite pam_pwhistory.so remember=5\n");
	tu_run_rule(&r, t, "{pam: {service: common-password, module: pam_pwhistory.so, "
		    "args: {remember: {min: 24}}}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_string_equal(r.first->loc.path, "/etc/pam.d/common-password");
	tu_run_free(&r);
	/* a value from the settings file is reported where it is set */
	tu_put(t->root, "/etc/pam.d/common-password", "password requisite pam_pwhistory.so\n");
	tu_put(t->root, "/etc/security/pwhistory.conf", "# x\nremember = 3\n");
	tu_run_rule(&r, t, "{pam: {service: common-password, module: pam_pwhistory.so, "
		    "args: {remember: {min: 24}}}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_string_equal(r.first->loc.path, "/etc/security/pwhistory.conf");
	assert_int_equal(r.first->loc.line, 2);
	assert_non_null(strstr(r.first->message, "used by /etc/pam.d/common-password:1"));
	tu_run_free(&r);
}

static void check_absent_and_outcomes(void **state)
{
	struct tu_tree *t = *state;
	struct tu_run r;

	tu_run_rule(&r, t, "{pam: {service: login, module: pam_rootok.so, present: false}}",
		    false);
	assert_int_equal(r.verdict, VG_STATUS_NOT_APPLICABLE);
	assert_non_null(strstr(r.first->message, "PAM is not installed"));
	tu_run_free(&r);
	lay_stacks(t);
	tu_put(t->root, "/etc/pam.d/su", "auth sufficient pam_rootok.so\n@include common-auth\n");
	tu_run_rule(&r, t, "{pam: {service: su, type: auth, module: pam_rootok.so, "
		    "present: false}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_string_equal(r.first->evidence, "auth sufficient pam_rootok.so");
	tu_run_free(&r);
	tu_run_rule(&r, t, "{pam: {service: nosuch, module: pam_rootok.so, present: false}}",
		    false);
	assert_int_equal(r.verdict, VG_STATUS_NOT_APPLICABLE);
	tu_run_free(&r);
	tu_run_rule(&r, t, "{pam: {service: broken, module: pam_unix.so, present: true}}", false);
	assert_int_equal(r.verdict, VG_STATUS_ERROR);
	assert_non_null(strstr(r.first->message, "missing-one"));
	tu_run_free(&r);
	tu_putn(t->root, "/etc/pam.d/garbage", "\x01\x02\x03\0\xff\xfe", 6, 0644);
	tu_run_rule(&r, t, "{pam: {service: \"*\", module: pam_unix.so, "
		    "args: {remember: {absent: true}}}}", false);
	assert_int_equal(r.verdict, VG_STATUS_ERROR);
	assert_non_null(strstr(r.first->message, "binary"));
	tu_run_free(&r);
	tu_sparse(t->root, "/etc/pam.d/garbage", (off_t)VG_MAX_CONFIG_FILE_BYTES + 10);
	tu_run_rule(&r, t, "{pam: {service: \"*\", module: pam_unix.so, "
		    "args: {remember: {absent: true}}}}", false);
	assert_int_equal(r.verdict, VG_STATUS_ERROR);
	assert_non_null(strstr(r.first->message, "larger than"));
	tu_run_free(&r);
}

static void check_unreadable(void **state)
{
	struct tu_tree *t = *state;

	lay_stacks(t);
	chmod(tu_path(t->root, "/etc/pam.d/common-auth"), 0600);
	if (geteuid() != 0)
		chmod(tu_path(t->root, "/etc/pam.d/common-auth"), 0000);
	assert_int_equal(tu_verdict_unprivileged(t, "{pam: {service: common-auth, "
				"module: pam_unix.so, args: {nullok: {absent: true}}}}"),
			 VG_STATUS_NOT_EVALUATED);
	assert_int_equal(tu_verdict_unprivileged(t, "{pam: {service: common-password, "
				"module: pam_unix.so, args: {nullok: {absent: true}}}}"),
			 VG_STATUS_PASS);
}

static void check_bad_policy(void **state)
{
	static const char *const bad[] = {
		"{pam: {service: login}}",
		"{pam: {service: login, module: pam_unix.so}}",
		"{pam: {service: ../x, module: pam_unix.so, present: true}}",
		"{pam: {service: [\"*\", login], module: pam_unix.so, present: true}}",
		"{pam: {service: login, type: bogus, module: pam_unix.so, present: true}}",
		"{pam: {service: login, module: pam_unix.so, present: false, args: {a: b}}}",
		"{pam: {service: login, module: pam_unix.so, args: {a: {nope: 1}}}}",
		"{pam: {service: login, module: pam_unix.so, args: [a]}}",
	};

	(void)state;
	tu_expect_rejected(bad, sizeof(bad) / sizeof(bad[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_lines),
		cmocka_unit_test(parse_continuation_and_problems),
		cmocka_unit_test(parse_long_and_many),
		cmocka_unit_test(parse_binary),
		cmocka_unit_test(parse_conf),
		TU_TREE_TEST(load_and_expand),
		TU_TREE_TEST(conf_precedence),
		TU_TREE_TEST(check_nullok_everywhere),
		TU_TREE_TEST(check_present_and_defaults),
		TU_TREE_TEST(check_absent_and_outcomes),
		TU_TREE_TEST(check_unreadable),
		cmocka_unit_test(check_bad_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
