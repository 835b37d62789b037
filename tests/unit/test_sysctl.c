/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for facts/sysctl.c and checks/sysctl.c: precedence, parsing, runtime values, the check. */
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

#include "checks/check.h"
#include "engine/scan.h"
#include "error.h"
#include "facts/sysctl.h"
#include "limits.h"
#include "policy/policy.h"
#include "targets/fs.h"
#include "testutil.h"
#include "util.h"

/* The effective value of key after parsing text, or NULL. */
static const char *value_of(struct vg_sysctl_facts *f, const char *key)
{
	const struct vg_sysctl_setting *s = vg_sysctl_lookup(f, key);

	return s ? s->value : NULL;
}

static void parse_ok(struct vg_sysctl_facts *f, const char *file, const char *text)
{
	struct vg_error err = {0};

	if (vg_sysctl_parse(f, file, text, strlen(text), &err) != 0)
		fail_msg("parse: %s", err.msg);
}

/* ---- parsing from strings ---- */

static void test_parse_syntax(void **state)
{
	struct vg_sysctl_facts f;
	const struct vg_sysctl_setting *s;

	(void)state;
	vg_sysctl_facts_init(&f);
	parse_ok(&f, "/etc/sysctl.d/a.conf",
		 "# comment\n"                            /* 1 */
		 "; another comment\n"                    /* 2 */
		 "\n"                                     /* 3 */
		 "   net.ipv4.ip_forward = 1   \n"        /* 4 */
		 "kernel/randomize_va_space=2\n"          /* 5 */
		 "-fs.suid_dumpable =  0\r\n"             /* 6 */
		 "net.ipv4.tcp_rmem = 4096\t87380   6291456\n" /* 7 */
		 "net/ipv4/conf/eth0.100/rp_filter = 1\n" /* 8 */
		 "kernel.domainname =\n"                  /* 9 */
		 "net.ipv4.ip_forward = 0\n");            /* 10: later wins */
	assert_int_equal(f.warnings.len, 0);
	assert_string_equal(value_of(&f, "net.ipv4.ip_forward"), "0");
	s = vg_sysctl_lookup(&f, "net.ipv4.ip_forward");
	assert_string_equal(s->file, "/etc/sysctl.d/a.conf");
	assert_int_equal(s->line, 10);
	assert_string_equal(value_of(&f, "kernel.randomize_va_space"), "2");
	assert_string_equal(value_of(&f, "fs.suid_dumpable"), "0");
	assert_int_equal(vg_sysctl_lookup(&f, "fs.suid_dumpable")->line, 6);
	assert_string_equal(value_of(&f, "net.ipv4.tcp_rmem"), "4096 87380 6291456");
	/* the dot inside the interface name is kept as '/' in dotted form */
	assert_string_equal(value_of(&f, "net.ipv4.conf.eth0/100.rp_filter"), "1");
	assert_null(value_of(&f, "net.ipv4.conf.eth0.100.rp_filter"));
	assert_string_equal(value_of(&f, "kernel.domainname"), "");
	assert_null(value_of(&f, "kernel.ostype"));
	/* indexing keeps the same answers */
	vg_sysctl_index(&f);
	assert_string_equal(value_of(&f, "net.ipv4.ip_forward"), "0");
	assert_int_equal(vg_sysctl_lookup(&f, "net.ipv4.ip_forward")->line, 10);
	assert_string_equal(value_of(&f, "kernel.randomize_va_space"), "2");
	assert_null(value_of(&f, "kernel.ostype"));
	assert_int_equal(f.files, 1);
	vg_sysctl_facts_finish(&f);
}

static void test_parse_later_files_win(void **state)
{
	struct vg_sysctl_facts f;

	(void)state;
	vg_sysctl_facts_init(&f);
	parse_ok(&f, "/usr/lib/sysctl.d/10-a.conf", "a.b = 1\nc.d = 1\n");
	parse_ok(&f, "/etc/sysctl.d/20-b.conf", "a.b = 2\n");
	vg_sysctl_index(&f);
	/* parsing after an index drops it, and lookups stay right */
	parse_ok(&f, "/etc/sysctl.conf", "c.d = 3\n");
	assert_false(f.indexed);
	assert_string_equal(value_of(&f, "a.b"), "2");
	assert_string_equal(value_of(&f, "c.d"), "3");
	vg_sysctl_index(&f);
	assert_string_equal(vg_sysctl_lookup(&f, "c.d")->file, "/etc/sysctl.conf");
	assert_int_equal(f.settings.len, 2);
	vg_sysctl_facts_finish(&f);
}

static void test_parse_globs(void **state)
{
	struct vg_sysctl_facts f;
	const struct vg_sysctl_setting *s;

	(void)state;
	vg_sysctl_facts_init(&f);
	/* systemd's own example: explicit keys beat globs whatever the order */
	parse_ok(&f, "/usr/lib/sysctl.d/50-default.conf",
		 "net.ipv4.conf.default.rp_filter = 2\n"
		 "net.ipv4.conf.*.rp_filter = 2\n"
		 "-net.ipv4.conf.all.rp_filter\n");
	parse_ok(&f, "/etc/sysctl.d/90-late.conf", "net.ipv4.conf.*.rp_filter = 0\n");
	parse_ok(&f, "/etc/sysctl.d/10-early.conf", "net.ipv4.conf.lo.rp_filter = 1\n");
	vg_sysctl_index(&f);
	assert_string_equal(value_of(&f, "net.ipv4.conf.default.rp_filter"), "2");
	assert_string_equal(value_of(&f, "net.ipv4.conf.lo.rp_filter"), "1");
	s = vg_sysctl_lookup(&f, "net.ipv4.conf.eth0.rp_filter");
	assert_non_null(s);
	assert_true(s->glob);
	assert_string_equal(s->value, "0");
	assert_string_equal(s->file, "/etc/sysctl.d/90-late.conf");
	/* excluded from the patterns, and nothing explicit: unset */
	assert_null(value_of(&f, "net.ipv4.conf.all.rp_filter"));
	assert_null(value_of(&f, "net.ipv4.conf.all.forwarding"));
	assert_int_equal(f.warnings.len, 0);
	vg_sysctl_facts_finish(&f);
}

static void test_parse_malformed_lines(void **state)
{
	struct vg_sysctl_facts f;

	(void)state;
	vg_sysctl_facts_init(&f);
	parse_ok(&f, "/etc/sysctl.d/bad.conf",
		 "net.ipv4.ip_forward 1\n"       /* 1: no '=' */
		 "= 5\n"                         /* 2: no key */
		 "net..ipv4 = 1\n"               /* 3: empty component */
		 "net.ipv4.a b = 1\n"            /* 4: space in key */
		 "a/../b = 1\n"                  /* 5: '..' component */
		 "kernel.sysrq = 0\n"            /* 6: fine */
		 "-\n"                           /* 7: nothing to exclude */
		 "net.ipv4.tcp_syncookies = 1"); /* 8: no final newline */
	assert_int_equal(f.warnings.len, 6);
	tu_assert_msg(f.warnings.items[0], "/etc/sysctl.d/bad.conf:1: not an assignment");
	tu_assert_msg(f.warnings.items[1], "/etc/sysctl.d/bad.conf:2: empty sysctl key");
	tu_assert_msg(f.warnings.items[2], "bad.conf:3: invalid sysctl key 'net..ipv4'");
	tu_assert_msg(f.warnings.items[3], "bad.conf:4: invalid character");
	tu_assert_msg(f.warnings.items[4], "bad.conf:5: invalid sysctl key");
	tu_assert_msg(f.warnings.items[5], "bad.conf:7:");
	assert_string_equal(value_of(&f, "kernel.sysrq"), "0");
	assert_string_equal(value_of(&f, "net.ipv4.tcp_syncookies"), "1");
	assert_int_equal(vg_sysctl_lookup(&f, "net.ipv4.tcp_syncookies")->line, 8);
	assert_null(value_of(&f, "net.ipv4.ip_forward"));
	vg_sysctl_facts_finish(&f);
}

static void test_normalize(void **state)
{
	static const char *const good[][2] = {
		{"kernel.ostype", "kernel.ostype"},
		{"kernel/ostype", "kernel.ostype"},
		{"net/ipv4/conf/eth0.100/forwarding", "net.ipv4.conf.eth0/100.forwarding"},
		{"net.ipv4.conf.eth0/100.forwarding", "net.ipv4.conf.eth0/100.forwarding"},
		{"net.ipv4.conf.*.rp_filter", "net.ipv4.conf.*.rp_filter"},
	};
	static const char *const bad[] = {
		"", ".", "a.", ".a", "a..b", "a/./b", "a/../b", "a b", "a\tb", "a=b", "a\x01",
	};
	struct vg_error err = {0};
	char *k = NULL;
	char big[VG_SYSCTL_MAX_KEY + 2];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(vg_sysctl_normalize(&k, good[i][0], strlen(good[i][0]), &err), 0);
		assert_string_equal(k, good[i][1]);
		free(k);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (vg_sysctl_normalize(&k, bad[i], strlen(bad[i]), &err) != VG_EPARSE)
			fail_msg("'%s' accepted", bad[i]);
		assert_null(k);
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(vg_sysctl_normalize(&k, big, strlen(big), &err), VG_EPARSE);
	tu_assert_msg(err.msg, "longer than");
}

static void test_parse_binary_garbage(void **state)
{
	static const char nul[] = "kernel.sysrq = 0\n\x7f" "ELF\x02\x01\0\0\0\n";
	struct vg_sysctl_facts f;
	struct vg_error err = {0};
	char junk[4096];
	unsigned x = 12345;

	(void)state;
	vg_sysctl_facts_init(&f);
	assert_int_equal(vg_sysctl_parse(&f, "/etc/sysctl.d/x.conf", nul, sizeof(nul) - 1, &err),
			 VG_EPARSE);
	tu_assert_msg(err.msg, "/etc/sysctl.d/x.conf: binary data");
	/* high-bit noise without NULs: every line a warning or a setting, nothing else */
	for (size_t i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (char)((x >> 16) | 0x01);
	}
	assert_int_equal(vg_sysctl_parse(&f, "junk", junk, sizeof(junk), &err), 0);
	vg_sysctl_index(&f);
	vg_sysctl_facts_finish(&f);
}

static void test_parse_too_many_lines(void **state)
{
	struct vg_sysctl_facts f;
	struct vg_error err = {0};
	size_t n = (size_t)VG_MAX_CONFIG_ENTRIES + 1, len = 0;
	char *text = malloc(n * 8);

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, 8, "a.b=%zu\n", i % 10);
	vg_sysctl_facts_init(&f);
	assert_int_equal(vg_sysctl_parse(&f, "/etc/sysctl.conf", text, len, &err), VG_ELIMIT);
	tu_assert_msg(err.msg, "/etc/sysctl.conf:");
	vg_sysctl_facts_finish(&f);
	free(text);
}

/* ---- from a root filesystem ---- */

static struct vg_sysctl_facts *collect_ok(struct tu_tree *t)
{
	struct vg_sysctl_facts *f = NULL;
	struct vg_error err = {0};

	if (vg_sysctl_collect(&f, tu_tree_fs(t), &err) != 0)
		fail_msg("collect: %s", err.msg);
	return f;
}

static void test_tree_precedence(void **state)
{
	struct tu_tree *t = *state;
	struct vg_sysctl_facts *f;
	const struct vg_sysctl_setting *s;

	/* same name: /etc masks /run masks /usr/local/lib masks /usr/lib masks /lib */
	tu_put(t->root, "usr/lib/sysctl.d/50-x.conf", "a.masked = usr\nb.only_usr = 1\n");
	tu_put(t->root, "etc/sysctl.d/50-x.conf", "a.masked = etc\n");
	tu_put(t->root, "lib/sysctl.d/60-y.conf", "c.lib = lib\n");
	tu_put(t->root, "usr/local/lib/sysctl.d/60-y.conf", "c.lib = local\n");
	/* different names apply in name order, whatever their directory */
	tu_put(t->root, "run/sysctl.d/10-first.conf", "d.order = run10\n");
	tu_put(t->root, "usr/lib/sysctl.d/90-last.conf", "d.order = usr90\n");
	/* /etc/sysctl.conf comes after everything */
	tu_put(t->root, "etc/sysctl.d/99-zz.conf", "e.conf = sysctl.d\n");
	tu_put(t->root, "etc/sysctl.conf", "e.conf = sysctl.conf\n");
	/* not configuration: wrong suffix, hidden, a directory */
	tu_put(t->root, "etc/sysctl.d/README", "f.ignored = 1\n");
	tu_put(t->root, "etc/sysctl.d/x.conf.dpkg-old", "f.ignored = 2\n");
	tu_put(t->root, "etc/sysctl.d/.hidden.conf", "f.ignored = 3\n");
	tu_put(t->root, "etc/sysctl.d/dir.conf/inner", "f.ignored = 4\n");
	/* a symlink to /dev/null masks the vendor file */
	tu_put(t->root, "usr/lib/sysctl.d/70-vendor.conf", "g.masked = 1\n");
	tu_symlink(t->root, "etc/sysctl.d/70-vendor.conf", "/dev/null");
	/* a symlink inside the root, as Debian's 99-sysctl.conf */
	tu_put(t->root, "etc/sysctl.d/80-link-target", "h.linked = yes\n");
	tu_symlink(t->root, "etc/sysctl.d/80-link.conf", "80-link-target");

	f = collect_ok(t);
	assert_string_equal(value_of(f, "a.masked"), "etc");
	assert_null(value_of(f, "b.only_usr"));
	assert_string_equal(value_of(f, "c.lib"), "local");
	s = vg_sysctl_lookup(f, "d.order");
	assert_string_equal(s->value, "usr90");
	assert_string_equal(s->file, "/usr/lib/sysctl.d/90-last.conf");
	s = vg_sysctl_lookup(f, "e.conf");
	assert_string_equal(s->value, "sysctl.conf");
	assert_string_equal(s->file, "/etc/sysctl.conf");
	assert_int_equal(s->line, 1);
	assert_null(value_of(f, "f.ignored"));
	assert_null(value_of(f, "g.masked"));
	assert_string_equal(value_of(f, "h.linked"), "yes");
	assert_true(f->indexed);
	/* 50-x, 60-y, 10-first, 90-last, 99-zz, 80-link and /etc/sysctl.conf */
	assert_int_equal(f->files, 7);
	vg_sysctl_facts_free(f);
}

static void test_tree_empty(void **state)
{
	struct tu_tree *t = *state;
	struct vg_sysctl_facts *f = collect_ok(t);

	assert_int_equal(f->files, 0);
	assert_int_equal(f->settings.len, 0);
	assert_null(value_of(f, "kernel.ostype"));
	vg_sysctl_facts_free(f);
}

static void test_tree_binary_and_huge(void **state)
{
	struct tu_tree *t = *state;
	struct vg_sysctl_facts *f = NULL;
	struct vg_error err = {0};
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/etc/sysctl.d/big.conf", t->root);
	tu_put(t->root, "etc/sysctl.d/big.conf", "");
	assert_int_equal(truncate(path, (off_t)VG_MAX_CONFIG_FILE_BYTES + 1), 0);
	assert_int_equal(vg_sysctl_collect(&f, tu_tree_fs(t), &err), VG_ELIMIT);
	assert_null(f);
	tu_assert_msg(err.msg, "big.conf");
	assert_int_equal(unlink(path), 0);

	snprintf(path, sizeof(path), "%s/etc/sysctl.d/bin.conf", t->root);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fwrite("a.b = 1\n\0\0\x01\x02", 1, 12, fp);
	fclose(fp);
	assert_int_equal(vg_sysctl_collect(&f, tu_tree_fs(t), &err), VG_EPARSE);
	assert_null(f);
	tu_assert_msg(err.msg, "/etc/sysctl.d/bin.conf: binary data");
}

static int collect(struct vg_fs *fs, struct vg_error *err)
{
	struct vg_sysctl_facts *f = NULL;
	int rc = vg_sysctl_collect(&f, fs, err);

	vg_sysctl_facts_free(f);
	return rc;
}

static void test_tree_unreadable(void **state)
{
	struct tu_tree *t = *state;
	char path[512];

	tu_put(t->root, "etc/sysctl.d/secret.conf", "kernel.sysrq = 1\n");
	snprintf(path, sizeof(path), "%s/etc/sysctl.d/secret.conf", t->root);
	assert_int_equal(chmod(path, 0000), 0);
	assert_int_equal(tu_refused_as_nobody(t, collect, "secret.conf"), 0);
}

/* ---- runtime values on this machine ---- */

static void test_runtime_live(void **state)
{
	struct vg_fs *fs = NULL;
	struct vg_error err = {0};
	char *v = NULL;

	(void)state;
	assert_int_equal(vg_fs_open(&fs, "/", VG_FS_IN_ROOT, &err), 0);
	/* procfs reports size 0: the read must still see the text */
	assert_int_equal(vg_sysctl_runtime(&v, fs, "kernel.ostype", &err), 0);
	assert_string_equal(v, "Linux");
	free(v);
	assert_int_equal(vg_sysctl_runtime(&v, fs, "kernel.no_such_parameter_vigil", &err),
			 VG_ENOTFOUND);
	assert_null(v);
	/* a directory is not a parameter */
	assert_true(vg_sysctl_runtime(&v, fs, "kernel", &err) < 0);
	assert_null(v);
	vg_fs_free(fs);
}

static void test_clean_value(void **state)
{
	char *v;

	(void)state;
	v = vg_sysctl_clean_value("  4096\t87380 \n 6291456\n", 23);
	assert_string_equal(v, "4096 87380 6291456");
	free(v);
	v = vg_sysctl_clean_value(" \t\n", 3);
	assert_string_equal(v, "");
	free(v);
}

/* ---- the check type, through the engine ---- */

static const char pack[] =
	"pack: t\n"
	"title: t\n"
	"targets: [root, host]\n"
	"rules:\n"
	"  - id: t.fwd\n"
	"    title: fwd\n"
	"    severity: high\n"
	"    check: {sysctl: {key: net.ipv4.ip_forward, expect: \"0\", default: \"0\"}}\n"
	"  - id: t.martians\n"
	"    title: martians\n"
	"    severity: low\n"
	"    check: {sysctl: {key: net/ipv4/conf/all/log_martians, expect: \"1\", default: 0}}\n"
	"  - id: t.nodefault\n"
	"    title: nodefault\n"
	"    severity: low\n"
	"    check: {sysctl: {key: kernel.sysrq, expect: {in: [\"0\"]}}}\n"
	"  - id: t.ptrace\n"
	"    title: ptrace\n"
	"    severity: low\n"
	"    check: {sysctl: {key: kernel.yama.ptrace_scope, expect: {min: 1}, "
	"source: persisted}}\n"
	"  - id: t.ostype\n"
	"    title: ostype\n"
	"    severity: low\n"
	"    check: {sysctl: {key: kernel.ostype, expect: Linux, source: runtime}}\n"
	"  - id: t.ostype-both\n"
	"    title: ostype both\n"
	"    severity: low\n"
	"    check: {sysctl: {key: kernel.ostype, expect: Linux, default: Linux}}\n"
	"  - id: t.ostype-wrong\n"
	"    title: ostype wrong\n"
	"    severity: low\n"
	"    check: {sysctl: {key: kernel.ostype, expect: Hurd, default: Hurd}}\n"
	"  - id: t.ostype-agree\n"
	"    title: ostype agree\n"
	"    severity: low\n"
	"    check: {sysctl: {key: kernel.ostype, expect: Hurd, default: Linux}}\n"
	"  - id: t.missing\n"
	"    title: missing\n"
	"    severity: low\n"
	"    check: {sysctl: {key: kernel.vigil_no_such_key, expect: \"1\", default: \"0\"}}\n";

static void test_check_offline(void **state)
{
	struct tu_tree *t = *state;
	struct vg_policy *pol = tu_policy_load("t.yaml", pack);
	struct vg_results *res;
	const struct vg_finding *f;

	tu_put(t->root, "usr/lib/sysctl.d/50-net.conf", "net.ipv4.ip_forward = 0\n");
	tu_put(t->root, "etc/sysctl.d/60-vigil.conf",
	       "net.ipv4.ip_forward = 0\nkernel.sysrq = 0\n");
	tu_put(t->root, "etc/sysctl.conf", "# local\nnet/ipv4/ip_forward=1\n");

	/* /etc/sysctl.conf wins: the finding is at its line */
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.fwd");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_FAIL);
	assert_string_equal(f->loc.path, "/etc/sysctl.conf");
	assert_int_equal(f->loc.line, 2);
	assert_string_equal(f->loc.object, "sysctl:net.ipv4.ip_forward");
	assert_string_equal(f->evidence, "net.ipv4.ip_forward = 1");
	tu_assert_msg(f->message, "persisted as '1' (/etc/sysctl.conf:2)");
	vg_results_free(res);

	/* unset with an unsafe kernel default: the object names the key */
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.martians");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_FAIL);
	assert_null(f->loc.path);
	assert_string_equal(f->loc.object, "sysctl:net.ipv4.conf.all.log_martians");
	tu_assert_msg(f->message, "kernel default '0' applies");
	vg_results_free(res);

	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.nodefault");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_PASS);
	tu_assert_msg(f->message, "persisted '0' (/etc/sysctl.d/60-vigil.conf:2)");
	vg_results_free(res);

	/* unset, no default: fails, saying so */
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.ptrace");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_FAIL);
	tu_assert_msg(f->message, "not persisted in any sysctl file: is not set");
	vg_results_free(res);

	/* runtime only: not applicable offline */
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.ostype");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_NOT_APPLICABLE);
	tu_assert_msg(f->message, "needs the live system");
	vg_results_free(res);

	/* garbage in a sysctl.d file: an error naming it */
	tu_put(t->root, "etc/sysctl.d/70-bad.conf", "");
	{
		char path[512];
		FILE *fp;

		snprintf(path, sizeof(path), "%s/etc/sysctl.d/70-bad.conf", t->root);
		fp = fopen(path, "wb");
		assert_non_null(fp);
		fwrite("x\0y", 1, 3, fp);
		fclose(fp);
	}
	vg_fs_free(t->fs);
	t->fs = NULL;
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.nodefault");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_ERROR);
	tu_assert_msg(f->message, "70-bad.conf: binary data");
	vg_results_free(res);
	vg_policy_free(pol);
}

/* A long value is cut where messages quote it (twice in a failure: the value
 * and the expectation's reason); a line past VG_MAX_CONFIG_LINE_BYTES is
 * ignored with a warning, as a malformed line is. */
static void test_check_long_values(void **state)
{
	struct tu_tree *t = *state;
	struct vg_policy *pol = tu_policy_load("t.yaml", pack);
	size_t n = 8192, big = (size_t)VG_MAX_CONFIG_LINE_BYTES + 10;
	char *text = malloc(big + 100);
	struct vg_results *res;
	const struct vg_finding *f;

	assert_non_null(text);
	tu_put(t->root, "usr/lib/sysctl.d/50-net.conf", "net.ipv4.ip_forward = 0\n");
	memcpy(text, "net.ipv4.ip_forward = ", 22);
	memset(text + 22, '7', n);
	memcpy(text + 22 + n, "\n", 2);
	tu_put(t->root, "etc/sysctl.conf", text);
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.fwd");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_FAIL);
	assert_true(strlen(f->message) < 4 * VG_MAX_QUOTE_BYTES);
	tu_assert_msg(f->message, "777...' (/etc/sysctl.conf:1)");
	vg_results_free(res);

	memset(text + 22, '7', big);
	memcpy(text + 22 + big, "\n", 2);
	tu_put(t->root, "etc/sysctl.conf", text);
	vg_fs_free(t->fs);
	t->fs = NULL;
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.fwd");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_PASS);
	tu_assert_msg(f->message, "persisted '0' (/usr/lib/sysctl.d/50-net.conf:1)");
	tu_assert_msg(f->message, "/etc/sysctl.conf:1: line longer than");
	assert_true(strlen(f->message) < 2 * VG_MAX_QUOTE_BYTES);
	vg_results_free(res);
	vg_policy_free(pol);
	free(text);
}

static void test_check_live(void **state)
{
	struct vg_policy *pol = tu_policy_load("t.yaml", pack);
	struct vg_fs *fs = NULL;
	struct vg_error err = {0};
	struct vg_results *res;
	const struct vg_finding *f;

	(void)state;
	assert_int_equal(vg_fs_open(&fs, "/", VG_FS_IN_ROOT, &err), 0);
	res = tu_scan_root(fs, true, pol, "t.ostype");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_PASS);
	tu_assert_msg(f->message, "runtime 'Linux'");
	vg_results_free(res);

	res = tu_scan_root(fs, true, pol, "t.ostype-both");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_PASS);
	vg_results_free(res);

	/* the default is right, the running kernel is not */
	res = tu_scan_root(fs, true, pol, "t.ostype-wrong");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_FAIL);
	assert_string_equal(f->loc.object, "sysctl:kernel.ostype");
	tu_assert_msg(f->message, "is 'Linux' at runtime, not persisted (kernel default 'Hurd')");
	vg_results_free(res);

	/* runtime and default agree and are both wrong: one finding, saying both */
	res = tu_scan_root(fs, true, pol, "t.ostype-agree");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_FAIL);
	tu_assert_msg(f->message, "kernel default 'Linux' applies: is 'Linux', expected 'Hurd' "
		      "(runtime value: 'Linux')");
	vg_results_free(res);

	/* a parameter this kernel does not have */
	res = tu_scan_root(fs, true, pol, "t.missing");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_NOT_APPLICABLE);
	tu_assert_msg(f->message, "running kernel has no kernel.vigil_no_such_key");
	vg_results_free(res);
	vg_fs_free(fs);
	vg_policy_free(pol);
}

static void test_check_runtime_disagrees(void **state)
{
	struct tu_tree *t = *state;
	struct vg_policy *pol = tu_policy_load("t.yaml", pack);
	struct vg_results *res;
	const struct vg_finding *f;

	/* the persisted value is right, the running kernel is not: a runtime finding.
	 * The target's root is the temp tree, but its /proc/sys is laid out here. */
	tu_put(t->root, "etc/sysctl.d/60-vigil.conf", "kernel.ostype = Hurd\n");
	tu_put(t->root, "proc/sys/kernel/ostype", "Linux\n");
	res = tu_scan_root(tu_tree_fs(t), true, pol, "t.ostype-wrong");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_FAIL);
	assert_null(f->loc.path);
	assert_string_equal(f->loc.object, "sysctl:kernel.ostype");
	tu_assert_msg(f->message, "is 'Linux' at runtime, but persisted as 'Hurd' "
		      "(/etc/sysctl.d/60-vigil.conf:1)");
	vg_results_free(res);
	vg_policy_free(pol);
}

static void test_check_parse_errors(void **state)
{
	static const char *const bad[][2] = {
		{"{sysctl: {key: a.b}}", "expect"},
		{"{sysctl: {key: a.b, expect: \"1\", bogus: 1}}", "bogus"},
		{"{sysctl: {key: \"net.*.x\", expect: \"1\"}}", "not a pattern"},
		{"{sysctl: {key: \"a..b\", expect: \"1\"}}", "invalid sysctl key"},
		{"{sysctl: {key: a.b, expect: \"1\", source: disk}}", "persisted, runtime or both"},
		{"{sysctl: {key: a.b, expect: \"1\", source: runtime, default: \"1\"}}",
		 "runtime-only"},
		{"{sysctl: {key: a.b, expect: {}}}", "empty expectation"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tu_expect_check_rejected(bad[i][0], bad[i][1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_syntax),
		cmocka_unit_test(test_parse_later_files_win),
		cmocka_unit_test(test_parse_globs),
		cmocka_unit_test(test_parse_malformed_lines),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_parse_binary_garbage),
		cmocka_unit_test(test_parse_too_many_lines),
		cmocka_unit_test(test_clean_value),
		TU_TREE_TEST(test_tree_precedence),
		TU_TREE_TEST(test_tree_empty),
		TU_TREE_TEST(test_tree_binary_and_huge),
		TU_TREE_TEST(test_tree_unreadable),
		cmocka_unit_test(test_runtime_live),
		TU_TREE_TEST(test_check_offline),
		TU_TREE_TEST(test_check_long_values),
		cmocka_unit_test(test_check_live),
		TU_TREE_TEST(test_check_runtime_disagrees),
		cmocka_unit_test(test_check_parse_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
