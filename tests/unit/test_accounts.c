/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for facts/accounts.c and the accounts check: parsing, bad input, classes, findings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "facts/accounts.h"
#include "limits.h"
#include "testutil.h"
#include "util.h"

static const char passwd_ok[] =
	"root:x:0:0:root:/root:/bin/bash\n"
	"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	"# a comment\n"
	"\n"
	"+nisuser::::::\n"
	"alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\r\n"
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";

static void parse_passwd(void **state)
{
	struct vg_accounts *a = vg_accounts_new();
	struct vg_error err = {0};
	const struct vg_passwd_ent *u;

	(void)state;
	assert_non_null(a);
	assert_int_equal(vg_accounts_parse(a, VG_ACCT_PASSWD, passwd_ok, strlen(passwd_ok), &err),
			 0);
	assert_int_equal(a->files[VG_ACCT_PASSWD].code, 0);
	assert_int_equal(a->users.len, 4);
	assert_int_equal(a->files[VG_ACCT_PASSWD].problems.len, 0);
	u = a->users.items[2];
	assert_string_equal(u->name, "alice");
	assert_int_equal(u->uid, 1000);
	assert_int_equal(u->gid, 1000);
	assert_string_equal(u->gecos, "Alice,,,");
	assert_string_equal(u->home, "/home/alice");
	assert_string_equal(u->shell, "/bin/bash"); /* the \r is gone */
	assert_int_equal(u->line, 6);
	assert_int_equal(u->pw, VG_PW_SHADOWED);
	vg_accounts_free(a);
}

/* A truncated line is a problem at its line; the lines around it still count,
 * and the message never quotes the line (it may hold a hash). A shadow line
 * with a name and a password field is kept all the same, so that an empty
 * password in it is seen. */
static void parse_truncated(void **state)
{
	static const char shadow[] = "root:*:19000:0:99999:7:::\n"
				     "eve:$6$verysecret\n"
				     "alice:$y$j9T$salt$hash:19000:1:365:7:30::\n"
				     "bob:!:19000\n"
				     "solo\n";
	struct vg_accounts *a = vg_accounts_new();
	struct vg_error err = {0};
	const struct vg_acct_problem *p;

	(void)state;
	assert_int_equal(vg_accounts_parse(a, VG_ACCT_SHADOW, shadow, strlen(shadow), &err), 0);
	assert_int_equal(a->shadows.len, 4);
	assert_int_equal(a->files[VG_ACCT_SHADOW].problems.len, 3);
	p = a->files[VG_ACCT_SHADOW].problems.items[0];
	assert_int_equal(p->line, 2);
	assert_non_null(strstr(p->msg, "/etc/shadow:2"));
	assert_non_null(strstr(p->msg, "2 of 9 fields"));
	assert_null(strstr(p->msg, "secret"));
	assert_null(strstr(p->msg, "eve"));
	p = a->files[VG_ACCT_SHADOW].problems.items[1];
	assert_int_equal(p->line, 4);
	p = a->files[VG_ACCT_SHADOW].problems.items[2];
	assert_int_equal(p->line, 5);
	assert_string_equal(((struct vg_shadow_ent *)a->shadows.items[1])->name, "eve");
	assert_int_equal(((struct vg_shadow_ent *)a->shadows.items[1])->pw, VG_PW_HASH);
	assert_null(((struct vg_shadow_ent *)a->shadows.items[1])->max);
	assert_string_equal(((struct vg_shadow_ent *)a->shadows.items[2])->name, "alice");
	vg_accounts_free(a);
}

/* glibc reads shadow lines with fewer trailing fields (the old five-field
 * form, six with an empty last one, eight): they are accounts, not problems.
 * The forms it refuses and ageing fields that are not numbers are problems,
 * and their entries are kept. */
static void parse_short_shadow(void **state)
{
	static const char shadow[] = "toor::19500:0:99\n"
				     "six::19500:0:99:\n"
				     "eight::19500:0:99:7:30:20000\n"
				     "four::19500:0\n"
				     "fivee::19500:0:\n"
				     "seven::19500:0:99:7:30\n"
				     "ten::19500:0:99:7:30:1:2:3\n"
				     "word::19500:zero:99:7:::\n";
	struct vg_accounts *a = vg_accounts_new();
	struct vg_error err = {0};
	const struct vg_shadow_ent *s;
	const struct vg_vec *pr;

	(void)state;
	assert_int_equal(vg_accounts_parse(a, VG_ACCT_SHADOW, shadow, strlen(shadow), &err), 0);
	assert_int_equal(a->shadows.len, 8);
	s = vg_accounts_shadow(a, "toor");
	assert_non_null(s);
	assert_int_equal(s->pw, VG_PW_EMPTY);
	assert_string_equal(s->max, "99");
	assert_null(s->warn);
	assert_null(s->expire);
	assert_string_equal(vg_accounts_shadow(a, "eight")->expire, "20000");
	pr = &a->files[VG_ACCT_SHADOW].problems;
	assert_int_equal(pr->len, 5);
	assert_int_equal(((struct vg_acct_problem *)pr->items[0])->line, 4);
	assert_non_null(strstr(((struct vg_acct_problem *)pr->items[0])->msg, "truncated"));
	assert_int_equal(((struct vg_acct_problem *)pr->items[1])->line, 5);
	assert_non_null(strstr(((struct vg_acct_problem *)pr->items[1])->msg, "5 of 9"));
	assert_int_equal(((struct vg_acct_problem *)pr->items[2])->line, 6);
	assert_int_equal(((struct vg_acct_problem *)pr->items[3])->line, 7);
	assert_non_null(strstr(((struct vg_acct_problem *)pr->items[3])->msg, "10 fields"));
	assert_int_equal(((struct vg_acct_problem *)pr->items[4])->line, 8);
	assert_non_null(strstr(((struct vg_acct_problem *)pr->items[4])->msg,
			       "min field is not a number"));
	vg_accounts_free(a);
}

/* Bad ids skip the line; extra fields run into the last one, as in glibc. */
static void parse_bad_fields(void **state)
{
	static const char passwd[] = "bob:x:abc:1000::/home/bob:/bin/sh\n"
				     "carl:x:1001:-1::/home/carl:/bin/sh\n"
				     "dan:x:1002:1002::/home/dan:/bin/sh:extra\n"
				     ":x:1003:1003::/:/bin/sh\n"
				     "big:x:4294967295:0::/:/bin/sh\n"
				     "ok:x:1004:1004::/home/ok:/bin/sh\n"
				     "short:x:0:0\n"
				     "shorter:x:0\n";
	struct vg_accounts *a = vg_accounts_new();
	struct vg_error err = {0};
	const struct vg_passwd_ent *u;

	(void)state;
	assert_int_equal(vg_accounts_parse(a, VG_ACCT_PASSWD, passwd, strlen(passwd), &err), 0);
	assert_int_equal(a->users.len, 3);
	assert_int_equal(a->files[VG_ACCT_PASSWD].problems.len, 6);
	assert_non_null(strstr(((struct vg_acct_problem *)
				a->files[VG_ACCT_PASSWD].problems.items[0])->msg, "uid"));
	assert_non_null(strstr(((struct vg_acct_problem *)
				a->files[VG_ACCT_PASSWD].problems.items[2])->msg, "8 fields"));
	assert_non_null(strstr(((struct vg_acct_problem *)
				a->files[VG_ACCT_PASSWD].problems.items[5])->msg,
			       "3 of 7 fields"));
	u = a->users.items[0];
	assert_string_equal(u->name, "dan");
	assert_string_equal(u->shell, "/bin/sh:extra");
	u = a->users.items[2];
	assert_string_equal(u->name, "short");
	assert_int_equal(u->uid, 0);
	assert_string_equal(u->shell, "");
	vg_accounts_free(a);
}

static void parse_binary(void **state)
{
	static const char junk[] = "root:x:0:0\0\x01\x02\x03garbage\xff\xfe";
	struct vg_accounts *a = vg_accounts_new();
	struct vg_error err = {0};

	(void)state;
	assert_int_equal(vg_accounts_parse(a, VG_ACCT_GROUP, junk, sizeof(junk) - 1, &err),
			 VG_EPARSE);
	assert_int_equal(a->files[VG_ACCT_GROUP].code, VG_EPARSE);
	assert_non_null(strstr(err.msg, "/etc/group"));
	assert_non_null(strstr(err.msg, "binary"));
	assert_int_equal(a->groups.len, 0);
	/* control characters without a NUL count too */
	assert_true(vg_accounts_looks_binary("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
	assert_false(vg_accounts_looks_binary("a:b\tc\r\n", 7));
	vg_accounts_free(a);
}

/* A file of many tiny lines hits the entry cap instead of eating memory. */
static void parse_too_many(void **state)
{
	size_t n = (size_t)VG_MAX_CONFIG_ENTRIES + 1;
	char *text = malloc(n * 2);
	struct vg_accounts *a = vg_accounts_new();
	struct vg_error err = {0};

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < n; i++) {
		text[2 * i] = 'x';
		text[2 * i + 1] = '\n';
	}
	assert_int_equal(vg_accounts_parse(a, VG_ACCT_PASSWD, text, n * 2, &err), VG_ELIMIT);
	assert_int_equal(a->files[VG_ACCT_PASSWD].code, VG_ELIMIT);
	assert_non_null(strstr(err.msg, "more than"));
	free(text);
	vg_accounts_free(a);
}

static void shadow_states(void **state)
{
	static const char shadow[] = "a::19000:0:99999:7:::\n"
				     "b:!:19000:0:99999:7:::\n"
				     "c:*:19000::::::\n"
				     "d:$6$s$h:19000:1:90:7:30:20000:\n"
				     "e:!$6$s$h:19000:0:99999:7:::\n"
				     "f:x:19000:0:99999:7::\n";
	struct vg_accounts *a = vg_accounts_new();
	struct vg_error err = {0};
	const struct vg_shadow_ent *s;

	(void)state;
	assert_int_equal(vg_accounts_parse(a, VG_ACCT_SHADOW, shadow, strlen(shadow), &err), 0);
	assert_int_equal(a->shadows.len, 6);
	assert_int_equal(((struct vg_shadow_ent *)a->shadows.items[0])->pw, VG_PW_EMPTY);
	assert_int_equal(((struct vg_shadow_ent *)a->shadows.items[1])->pw, VG_PW_LOCKED);
	assert_int_equal(((struct vg_shadow_ent *)a->shadows.items[2])->pw, VG_PW_LOCKED);
	assert_int_equal(((struct vg_shadow_ent *)a->shadows.items[3])->pw, VG_PW_HASH);
	assert_int_equal(((struct vg_shadow_ent *)a->shadows.items[4])->pw, VG_PW_LOCKED);
	s = vg_accounts_shadow(a, "c");
	assert_non_null(s);
	assert_null(s->max);
	assert_null(s->inactive);
	s = vg_accounts_shadow(a, "d");
	assert_string_equal(s->min, "1");
	assert_string_equal(s->max, "90");
	assert_string_equal(s->warn, "7");
	assert_string_equal(s->inactive, "30");
	assert_string_equal(s->expire, "20000");
	assert_null(vg_accounts_shadow(a, "zz"));
	assert_string_equal(vg_accounts_pw_name(VG_PW_HASH), "hash");
	vg_accounts_free(a);
}

static void login_defs(void **state)
{
	static const char defs[] = "# comment\n"
				   "PASS_MAX_DAYS\t99999\n"
				   "  UID_MIN   500  # trailing\n"
				   "ENCRYPT_METHOD \"SHA512\"\n"
				   "PASS_MAX_DAYS 90\n"
				   "LONELY\n";
	struct vg_accounts *a = vg_accounts_new();
	struct vg_error err = {0};
	size_t line = 0;

	(void)state;
	assert_int_equal(vg_accounts_parse(a, VG_ACCT_LOGIN_DEFS, defs, strlen(defs), &err), 0);
	assert_string_equal(vg_accounts_def(a, "PASS_MAX_DAYS", &line), "90");
	assert_int_equal(line, 5);
	assert_string_equal(vg_accounts_def(a, "ENCRYPT_METHOD", NULL), "SHA512");
	assert_null(vg_accounts_def(a, "PASS_MIN_DAYS", NULL));
	assert_string_equal(vg_accounts_def_default("PASS_MIN_DAYS"), "0");
	assert_string_equal(vg_accounts_def_default("ENCRYPT_METHOD"), "DES");
	assert_null(vg_accounts_def_default("NO_SUCH_KEY"));
	assert_int_equal(vg_accounts_def_int(a, "UID_MIN", 1), 500);
	assert_int_equal(vg_accounts_def_int(a, "UID_MAX", 1), 60000);
	assert_int_equal(vg_accounts_def_int(a, "NO_SUCH_KEY", 7), 7);
	assert_int_equal(a->files[VG_ACCT_LOGIN_DEFS].problems.len, 1);
	vg_accounts_free(a);
}

static void classes(void **state)
{
	static const char passwd[] = "root:x:0:0::/root:/bin/bash\n"
				     "svc:x:600:600::/srv:/bin/sh\n"
				     "alice:x:1000:1000::/home/alice:/bin/bash\n"
				     "nobody:x:65534:65534::/:/usr/sbin/nologin\n"
				     "old:$1$x$y:1001:1001::/home/old:/bin/sh\n"
				     "nohash:x:1002:1002::/home/nohash:/bin/sh\n";
	static const char shadow[] = "alice:$y$j9T$a$b:19000::::::\n";
	static const char defs[] = "UID_MIN 500\n";
	struct vg_accounts *a = vg_accounts_new();
	struct vg_error err = {0};

	(void)state;
	assert_int_equal(vg_accounts_parse(a, VG_ACCT_PASSWD, passwd, strlen(passwd), &err), 0);
	assert_int_equal(vg_accounts_parse(a, VG_ACCT_SHADOW, shadow, strlen(shadow), &err), 0);
	assert_int_equal(vg_accounts_index(a), 0);
	/* UID_MIN from login.defs is not there yet: 1000 */
	assert_false(vg_accounts_is_human(a, a->users.items[1]));
	assert_true(vg_accounts_is_system(a, a->users.items[1]));
	assert_int_equal(vg_accounts_parse(a, VG_ACCT_LOGIN_DEFS, defs, strlen(defs), &err), 0);
	assert_true(vg_accounts_is_human(a, a->users.items[1]));
	assert_false(vg_accounts_is_system(a, a->users.items[1]));
	assert_true(vg_accounts_is_human(a, a->users.items[2]));
	assert_false(vg_accounts_is_human(a, a->users.items[3])); /* nobody */
	assert_true(vg_accounts_is_system(a, a->users.items[3]));
	assert_true(vg_accounts_has_password(a, a->users.items[2]));
	assert_true(vg_accounts_has_password(a, a->users.items[4]));  /* hash in passwd */
	assert_false(vg_accounts_has_password(a, a->users.items[5])); /* no shadow entry */
	assert_false(vg_accounts_has_password(a, a->users.items[0]));
	assert_true(vg_accounts_has_uid(a, 65534));
	assert_true(vg_accounts_has_uid(a, 0));
	assert_false(vg_accounts_has_uid(a, 4242));
	assert_true(vg_accounts_shell_is_nologin("/usr/sbin/nologin"));
	assert_true(vg_accounts_shell_is_nologin("/bin/false"));
	assert_false(vg_accounts_shell_is_nologin(""));
	assert_false(vg_accounts_shell_is_nologin("/bin/nologin-not"));
	vg_accounts_free(a);
}

/* From a tree: missing, too large, binary and non-regular files are recorded
 * per file and the others are still read. */
static void load_tree(void **state)
{
	struct tu_tree *t = *state;
	struct vg_accounts *a = NULL;
	struct vg_error err = {0};
	struct vg_fs *fs;

	tu_put(t->root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
	tu_sparse(t->root, "/etc/shadow", (off_t)VG_MAX_CONFIG_FILE_BYTES + 1);
	tu_putn(t->root, "/etc/group", "root\0\0\0\xff", 8, 0644);
	tu_dir(t->root, "/etc/login.defs", 0755);
	fs = tu_fs_open(t->root, VG_FS_IN_ROOT);
	assert_non_null(fs);
	assert_int_equal(vg_accounts_load(&a, fs, &err), 0);
	assert_int_equal(a->files[VG_ACCT_PASSWD].code, 0);
	assert_int_equal(a->users.len, 1);
	assert_int_equal(a->files[VG_ACCT_SHADOW].code, VG_ELIMIT);
	assert_non_null(strstr(a->files[VG_ACCT_SHADOW].err.msg, "larger than"));
	assert_int_equal(a->files[VG_ACCT_GROUP].code, VG_EPARSE);
	assert_int_equal(a->files[VG_ACCT_GSHADOW].code, VG_ENOTFOUND);
	assert_int_equal(a->files[VG_ACCT_LOGIN_DEFS].code, VG_EUNSUPPORTED);
	vg_accounts_free(a);
	vg_fs_free(fs);
}

static void check_uid0(void **state)
{
	struct tu_tree *t = *state;
	struct tu_run r;

	tu_put(t->root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
	       "toor:x:0:0::/root:/bin/bash\n");
	tu_run_rule(&r, t, "{accounts: {assert: uid0-only-root}}", false);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_int_equal(r.fails, 1);
	assert_string_equal(r.first->loc.path, "/etc/passwd");
	assert_int_equal(r.first->loc.line, 2);
	assert_string_equal(r.first->evidence, "toor:uid=0");
	tu_run_free(&r);
	tu_put(t->root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
	tu_run_rule(&r, t, "{accounts: {assert: uid0-only-root}}", false);
	assert_int_equal(r.verdict, VG_STATUS_PASS);
	tu_run_free(&r);
}

/* Hashes never reach findings, whatever the check. */
static void check_no_hash_leak(void **state)
{
	struct tu_tree *t = *state;
	struct tu_run r;

	tu_put(t->root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
	       "alice:$6$saltsalt$SECRETHASHVALUE:1000:1000::/home/alice:"
	       "/bin/sh\n");
	tu_put(t->root, "/etc/shadow", "root:*:19000:0:99999:7:::\n"
	       "alice:$6$saltsalt$SECRETHASHVALUE:19000:0:99999:7:::\n"
	       "eve:$6$saltsalt$SECRETHASHVALUE2\n");
	tu_run_rule(&r, t, "{accounts: {assert: shadowed-passwords}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_string_equal(r.first->evidence, "alice:password=<redacted>");
	assert_false(tu_found(&r, "SECRET"));
	tu_run_free(&r);
	tu_run_rule(&r, t, "{accounts: {field: pass_max_days, users: with_password, "
		    "expect: {max: 365}}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_int_equal(r.fails, 1);
	assert_string_equal(r.first->evidence, "alice:pass_max_days=99999");
	assert_string_equal(r.first->loc.path, "/etc/shadow");
	assert_int_equal(r.first->loc.line, 2);
	assert_false(tu_found(&r, "SECRET"));
	tu_run_free(&r);
	tu_run_rule(&r, t, "{accounts: {assert: well-formed}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_int_equal(r.first->loc.line, 3);
	assert_false(tu_found(&r, "SECRET"));
	assert_false(tu_found(&r, "eve"));
	tu_run_free(&r);
}

static void check_empty_and_missing(void **state)
{
	struct tu_tree *t = *state;
	struct tu_run r;

	tu_put(t->root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
	tu_run_rule(&r, t, "{accounts: {assert: no-empty-passwords}}", false);
	assert_int_equal(r.verdict, VG_STATUS_NOT_APPLICABLE);
	assert_non_null(strstr(r.first->message, "no /etc/shadow"));
	tu_run_free(&r);
	tu_put(t->root, "/etc/shadow", "root:*:19000:0:99999:7:::\nguest::19000:0:99999:7:::\n");
	tu_run_rule(&r, t, "{accounts: {assert: no-empty-passwords}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_string_equal(r.first->evidence, "guest:password=<empty>");
	tu_run_free(&r);
	tu_putn(t->root, "/etc/shadow", "\x7f" "ELF\0\0\0\x02\x01", 9, 0640);
	tu_run_rule(&r, t, "{accounts: {assert: no-empty-passwords}}", false);
	assert_int_equal(r.verdict, VG_STATUS_ERROR);
	assert_non_null(strstr(r.first->message, "binary"));
	tu_run_free(&r);
}

static void check_duplicates_and_groups(void **state)
{
	struct tu_tree *t = *state;
	struct tu_run r;

	tu_put(t->root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
	       "alice:x:1000:1000::/home/alice:/bin/bash\n"
	       "bob:x:1000:42::/home/bob:/bin/bash\n"
	       "alice:x:1001:1234::/home/a2:/bin/bash\n");
	tu_put(t->root, "/etc/group", "root:x:0:\nalice:x:1000:\nshadow:x:42:carl\nstaff:x:50:\n"
	       "staff2:x:50:\n");
	tu_run_rule(&r, t, "{accounts: {assert: unique-uids}}", false);
	assert_int_equal(r.fails, 1);
	assert_int_equal(r.first->loc.line, 3);
	assert_non_null(strstr(r.first->message, "also used by alice"));
	tu_run_free(&r);
	tu_run_rule(&r, t, "{accounts: {assert: unique-user-names}}", false);
	assert_int_equal(r.fails, 1);
	assert_int_equal(r.first->loc.line, 4);
	tu_run_free(&r);
	tu_run_rule(&r, t, "{accounts: {assert: unique-gids}}", false);
	assert_int_equal(r.fails, 1);
	assert_int_equal(r.first->loc.line, 5);
	tu_run_free(&r);
	tu_run_rule(&r, t, "{accounts: {assert: groups-exist}}", false);
	assert_int_equal(r.fails, 1);
	assert_string_equal(r.first->evidence, "alice:gid=1234");
	tu_run_free(&r);
	tu_run_rule(&r, t, "{accounts: {assert: shadow-group-empty}}", false);
	assert_int_equal(r.fails, 2); /* bob's primary group, carl a member */
	tu_run_free(&r);
}

static void check_login_defs_default(void **state)
{
	struct tu_tree *t = *state;
	struct tu_run r;

	tu_run_rule(&r, t, "{accounts: {login_defs: PASS_MAX_DAYS, expect: {max: 365}}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_null(r.first->loc.path);
	assert_string_equal(r.first->loc.object, "login.defs:PASS_MAX_DAYS");
	assert_non_null(strstr(r.first->message, "default"));
	tu_run_free(&r);
	tu_put(t->root, "/etc/login.defs", "PASS_MAX_DAYS 400\nPASS_MAX_DAYS 300\n");
	tu_run_rule(&r, t, "{accounts: {login_defs: PASS_MAX_DAYS, expect: {max: 365}}}", false);
	assert_int_equal(r.verdict, VG_STATUS_PASS);
	tu_run_free(&r);
	tu_put(t->root, "/etc/login.defs", "PASS_MAX_DAYS 300\nPASS_MAX_DAYS 400\n");
	tu_run_rule(&r, t, "{accounts: {login_defs: PASS_MAX_DAYS, expect: {max: 365}}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_int_equal(r.first->loc.line, 2);
	tu_run_free(&r);
}

static void check_home(void **state)
{
	struct tu_tree *t = *state;
	struct tu_run r;

	tu_put(t->root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
	       "alice:x:1000:1000::/home/alice:/bin/bash\n"
	       "bob:x:1001:1001::/home/bob:/bin/bash\n");
	tu_dir(t->root, "/home/alice", 0750);
	tu_dir(t->root, "/home/bob", 0777);
	tu_run_rule(&r, t, "{accounts: {field: home_mode, users: human, "
		    "expect: {mode_max: \"0750\"}}}", false);
	assert_int_equal(r.fails, 1);
	assert_string_equal(r.first->evidence, "bob:home_mode=0777");
	tu_run_free(&r);
	rmdir(tu_path(t->root, "/home/bob"));
	tu_run_rule(&r, t, "{accounts: {field: home_mode, users: human, "
		    "expect: {mode_max: \"0750\"}}}", false);
	assert_int_equal(r.fails, 1);
	assert_string_equal(r.first->evidence, "bob:home_mode unset");
	tu_run_free(&r);
}

static void check_bad_policy(void **state)
{
	static const char *const bad[] = {
		"{accounts: {assert: no-such-thing}}",
		"{accounts: {field: shell}}",
		"{accounts: {assert: unique-uids, field: shell, expect: x}}",
		"{accounts: {field: shell, users: robots, expect: x}}",
	};

	(void)state;
	tu_expect_rejected(bad, sizeof(bad) / sizeof(bad[0]));
}

/* Without the privileges to read /etc/shadow the check says so: not-evaluated, never pass. */
static void check_unreadable(void **state)
{
	struct tu_tree *t = *state;
	int v;

	tu_put(t->root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
	tu_putn(t->root, "/etc/shadow", "root:*:19000:0:99999:7:::\n", 26, 0600);
	if (chown(tu_path(t->root, "/etc/shadow"), 0, 0) < 0 && geteuid() == 0)
		fail();
	if (geteuid() != 0)
		chmod(tu_path(t->root, "/etc/shadow"), 0000);
	v = tu_verdict_unprivileged(t, "{accounts: {assert: no-empty-passwords}}");
	assert_int_equal(v, VG_STATUS_NOT_EVALUATED);
	v = tu_verdict_unprivileged(t, "{accounts: {assert: uid0-only-root}}");
	assert_int_equal(v, VG_STATUS_PASS);
}

/* A five-field shadow line is an account glibc honours: its empty password fails. */
static void check_short_shadow(void **state)
{
	struct tu_tree *t = *state;
	struct tu_run r;

	tu_put(t->root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
	tu_put(t->root, "/etc/shadow", "root:*:19000:0:99999:7:::\ntoor::19500:0:99\n");
	tu_run_rule(&r, t, "{accounts: {assert: no-empty-passwords}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_int_equal(r.fails, 1);
	assert_string_equal(r.first->evidence, "toor:password=<empty>");
	assert_int_equal(r.first->loc.line, 2);
	tu_run_free(&r);
	tu_run_rule(&r, t, "{accounts: {assert: well-formed}}", false);
	assert_int_equal(r.verdict, VG_STATUS_PASS);
	tu_run_free(&r);
	/* a line glibc refuses is still judged, and reported as malformed */
	tu_put(t->root, "/etc/shadow", "root:*:19000:0:99999:7:::\ntoor::19500\n");
	tu_run_rule(&r, t, "{accounts: {assert: no-empty-passwords}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	tu_run_free(&r);
	tu_run_rule(&r, t, "{accounts: {assert: well-formed}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_int_equal(r.first->loc.line, 2);
	assert_false(tu_found(&r, "toor"));
	tu_run_free(&r);
}

/* An unreadable login.defs leaves out only what needs it: the account classes
 * (UID_MIN, UID_MAX) and login.defs settings. */
static void check_unreadable_login_defs(void **state)
{
	struct tu_tree *t = *state;
	static const struct {
		const char *check;
		int verdict;
	} cases[] = {
		{"{accounts: {assert: uid0-only-root}}", VG_STATUS_PASS},
		{"{accounts: {assert: no-empty-passwords}}", VG_STATUS_FAIL},
		{"{accounts: {assert: unique-gids}}", VG_STATUS_PASS},
		{"{accounts: {field: shell, expect: {matches: '^/'}}}", VG_STATUS_PASS},
		{"{accounts: {field: pass_max_days, users: with_password, "
		 "expect: {max: 365}}}", VG_STATUS_PASS},
		{"{accounts: {assert: system-accounts-no-login}}", VG_STATUS_NOT_EVALUATED},
		{"{accounts: {field: shell, users: human, expect: {matches: '^/'}}}",
		 VG_STATUS_NOT_EVALUATED},
		{"{accounts: {login_defs: PASS_MAX_DAYS, expect: {max: 365}}}",
		 VG_STATUS_NOT_EVALUATED},
	};

	tu_put(t->root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
	tu_put(t->root, "/etc/group", "root:x:0:\n");
	tu_put(t->root, "/etc/shadow", "root:*:19000:0:99999:7:::\ntoor::19500:0:99\n");
	tu_putn(t->root, "/etc/login.defs", "UID_MIN 1000\n", 13, 0600);
	if (chown(tu_path(t->root, "/etc/login.defs"), 0, 0) < 0 && geteuid() == 0)
		fail();
	if (geteuid() != 0)
		chmod(tu_path(t->root, "/etc/login.defs"), 0000);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int v = tu_verdict_unprivileged(t, cases[i].check);

		if (v != cases[i].verdict)
			fail_msg("%s: verdict %d, expected %d", cases[i].check, v,
				 cases[i].verdict);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_passwd),
		cmocka_unit_test(parse_truncated),
		cmocka_unit_test(parse_short_shadow),
		cmocka_unit_test(parse_bad_fields),
		cmocka_unit_test(parse_binary),
		cmocka_unit_test(parse_too_many),
		cmocka_unit_test(shadow_states),
		cmocka_unit_test(login_defs),
		cmocka_unit_test(classes),
		TU_TREE_TEST(load_tree),
		TU_TREE_TEST(check_uid0),
		TU_TREE_TEST(check_no_hash_leak),
		TU_TREE_TEST(check_empty_and_missing),
		TU_TREE_TEST(check_duplicates_and_groups),
		TU_TREE_TEST(check_login_defs_default),
		TU_TREE_TEST(check_home),
		cmocka_unit_test(check_bad_policy),
		TU_TREE_TEST(check_unreadable),
		TU_TREE_TEST(check_short_shadow),
		TU_TREE_TEST(check_unreadable_login_defs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
