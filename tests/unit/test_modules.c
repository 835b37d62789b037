/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for facts/modules.c and checks/kernel_modules.c: modprobe.d, /proc/modules, the check. */
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
#include "facts/modules.h"
#include "limits.h"
#include "policy/policy.h"
#include "targets/fs.h"
#include "testutil.h"
#include "util.h"

static void parse_ok(struct vg_modprobe_facts *f, const char *file, const char *text)
{
	struct vg_error err = {0};

	if (vg_modprobe_parse(f, file, text, strlen(text), &err) != 0)
		fail_msg("parse: %s", err.msg);
}

/* ---- parsing from strings ---- */

static void test_normalize(void **state)
{
	struct vg_error err = {0};
	char *n = NULL;

	(void)state;
	assert_int_equal(vg_module_normalize(&n, "usb-storage", 11, &err), 0);
	assert_string_equal(n, "usb_storage");
	free(n);
	/* a range inside brackets keeps its '-' */
	assert_int_equal(vg_module_normalize(&n, "snd-[a-c]x", 10, &err), 0);
	assert_string_equal(n, "snd_[a-c]x");
	free(n);
	assert_int_equal(vg_module_normalize(&n, "", 0, &err), VG_EPARSE);
	assert_int_equal(vg_module_normalize(&n, "a b", 3, &err), VG_EPARSE);
	assert_int_equal(vg_module_normalize(&n, "../x", 4, &err), VG_EPARSE);
	assert_null(n);
}

static void test_parse_lines(void **state)
{
	struct vg_modprobe_facts f;
	const struct vg_modprobe_entry *e;

	(void)state;
	vg_modprobe_facts_init(&f);
	parse_ok(&f, "/etc/modprobe.d/cis.conf",
		 "# CIS 1.1.1\n"                              /* 1 */
		 "install cramfs /bin/false\n"                /* 2 */
		 "blacklist cramfs\n"                         /* 3 */
		 "  install   usb-storage\t /bin/true  \n"    /* 4 */
		 "blacklist usb_storage extra words\n"        /* 5 */
		 "options snd-hda-intel model=auto\n"         /* 6 */
		 "alias net-pf-33 rds\n"                      /* 7 */
		 "install dccp \\\n"                          /* 8 */
		 "  /bin/false\n"                             /* 9: continued */
		 "install cramfs /bin/sh -c 'modprobe -i cramfs'\n" /* 10: first install wins */
		 "install hfs* /usr/bin/false\n"              /* 11: a pattern */
		 "install hfsplus /bin/bash\n");              /* 12: comes after the pattern */
	assert_int_equal(f.warnings.len, 0);
	e = vg_modprobe_install(&f, "cramfs");
	assert_non_null(e);
	assert_string_equal(e->command, "/bin/false");
	assert_int_equal(e->line, 2);
	assert_string_equal(e->file, "/etc/modprobe.d/cis.conf");
	e = vg_modprobe_install(&f, "usb_storage");
	assert_non_null(e);
	assert_string_equal(e->command, "/bin/true");
	assert_non_null(vg_modprobe_blacklist(&f, "usb_storage"));
	assert_int_equal(vg_modprobe_blacklist(&f, "usb_storage")->line, 5);
	assert_int_equal(vg_modprobe_blacklist(&f, "cramfs")->line, 3);
	assert_null(vg_modprobe_blacklist(&f, "dccp"));
	e = vg_modprobe_install(&f, "dccp");
	assert_non_null(e);
	assert_string_equal(e->command, "/bin/false");
	assert_int_equal(e->line, 8);
	assert_string_equal(vg_modprobe_install(&f, "hfsplus")->command, "/usr/bin/false");
	assert_string_equal(vg_modprobe_install(&f, "hfs")->command, "/usr/bin/false");
	assert_null(vg_modprobe_install(&f, "udf"));
	assert_int_equal(f.files, 1);
	vg_modprobe_facts_finish(&f);
}

static void test_parse_bad_lines(void **state)
{
	struct vg_modprobe_facts f;

	(void)state;
	vg_modprobe_facts_init(&f);
	parse_ok(&f, "/etc/modprobe.d/bad.conf",
		 "install\n"                     /* 1 */
		 "install cramfs\n"              /* 2: no command */
		 "blacklist\n"                   /* 3 */
		 "frobnicate cramfs\n"           /* 4 */
		 "blacklist\tfreevxfs\n"         /* 5: fine */
		 "include /etc/other.conf\n"     /* 6: not parsed by kmod */
		 "install jffs2 /bin/false\\");  /* 7: a continuation at the end */
	assert_int_equal(f.warnings.len, 5);
	tu_assert_msg(f.warnings.items[0], "bad.conf:1: install without a module");
	tu_assert_msg(f.warnings.items[1], "bad.conf:2: install without a command");
	tu_assert_msg(f.warnings.items[2], "bad.conf:3: blacklist without a module");
	tu_assert_msg(f.warnings.items[3], "bad.conf:4: unknown keyword");
	tu_assert_msg(f.warnings.items[4], "bad.conf:6: unknown keyword");
	assert_non_null(vg_modprobe_blacklist(&f, "freevxfs"));
	assert_null(vg_modprobe_install(&f, "cramfs"));
	assert_string_equal(vg_modprobe_install(&f, "jffs2")->command, "/bin/false\\");
	vg_modprobe_facts_finish(&f);
}

static void test_command_disables(void **state)
{
	(void)state;
	assert_true(vg_modprobe_command_disables("/bin/false"));
	assert_true(vg_modprobe_command_disables("/bin/true"));
	assert_true(vg_modprobe_command_disables("/usr/bin/false"));
	assert_true(vg_modprobe_command_disables("true"));
	assert_false(vg_modprobe_command_disables("/bin/true; modprobe -i cramfs"));
	assert_false(vg_modprobe_command_disables("/bin/false || modprobe -i cramfs"));
	assert_false(vg_modprobe_command_disables("/sbin/modprobe --ignore-install cramfs"));
	assert_false(vg_modprobe_command_disables(""));
}

static void test_parse_binary_and_cap(void **state)
{
	static const char nul[] = "blacklist cramfs\n\0\x01\x02";
	struct vg_modprobe_facts f;
	struct vg_error err = {0};
	size_t n = (size_t)VG_MAX_CONFIG_ENTRIES + 1, len = 0;
	char *text = malloc(n * 14);

	(void)state;
	assert_non_null(text);
	vg_modprobe_facts_init(&f);
	assert_int_equal(vg_modprobe_parse(&f, "/etc/modprobe.d/x.conf", nul, sizeof(nul) - 1,
					   &err), VG_EPARSE);
	tu_assert_msg(err.msg, "/etc/modprobe.d/x.conf: binary data");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, 14, "blacklist m%zu\n", i % 10);
	assert_int_equal(vg_modprobe_parse(&f, "/etc/modprobe.d/y.conf", text, len, &err),
			 VG_ELIMIT);
	tu_assert_msg(err.msg, "/etc/modprobe.d/y.conf:");
	vg_modprobe_facts_finish(&f);
	free(text);
}

static void test_loaded_parse(void **state)
{
	static const char text[] =
		"nf_tables 327680 0 - Live 0x0000000000000000\n"
		"usb_storage 81920 1 uas, Live 0x0000000000000000\n"
		"\n"
		"cramfs 16384 0 - Live 0x0000000000000000 (E)\n";
	struct vg_modules_loaded m;
	struct vg_error err = {0};

	(void)state;
	assert_int_equal(vg_modules_parse_loaded(&m, text, sizeof(text) - 1, &err), 0);
	assert_int_equal(m.names.len, 3);
	assert_true(vg_modules_is_loaded(&m, "cramfs"));
	assert_true(vg_modules_is_loaded(&m, "usb_storage"));
	assert_false(vg_modules_is_loaded(&m, "udf"));
	vg_vec_finish(&m.names, free);
	assert_int_equal(vg_modules_parse_loaded(&m, "a 1\0", 4, &err), VG_EPARSE);
	vg_vec_finish(&m.names, free);
}

/* ---- from a root filesystem ---- */

static void test_tree_masking(void **state)
{
	struct tu_tree *t = *state;
	struct vg_modprobe_facts *f = NULL;
	struct vg_error err = {0};
	const struct vg_modprobe_entry *e;

	/* the vendor disables cramfs; the administrator's same-named file replaces it */
	tu_put(t->root, "lib/modprobe.d/cramfs.conf",
	       "install cramfs /bin/false\nblacklist cramfs\n");
	tu_put(t->root, "etc/modprobe.d/cramfs.conf", "blacklist cramfs\n");
	/* names sort across directories: 10-a before 20-b, so 10-a's install wins */
	tu_put(t->root, "usr/lib/modprobe.d/20-b.conf", "install udf /bin/bash\n");
	tu_put(t->root, "run/modprobe.d/10-a.conf", "install udf /bin/true\n");
	tu_put(t->root, "etc/modprobe.d/udf.conf.disabled", "blacklist udf\n");
	f = NULL;
	assert_int_equal(vg_modprobe_collect(&f, tu_tree_fs(t), &err), 0);
	assert_null(vg_modprobe_install(f, "cramfs"));
	e = vg_modprobe_blacklist(f, "cramfs");
	assert_non_null(e);
	assert_string_equal(e->file, "/etc/modprobe.d/cramfs.conf");
	e = vg_modprobe_install(f, "udf");
	assert_string_equal(e->command, "/bin/true");
	assert_string_equal(e->file, "/run/modprobe.d/10-a.conf");
	assert_null(vg_modprobe_blacklist(f, "udf"));
	assert_int_equal(f->files, 3);
	vg_modprobe_facts_free(f);
}

static void test_tree_huge(void **state)
{
	struct tu_tree *t = *state;
	struct vg_modprobe_facts *f = NULL;
	struct vg_error err = {0};
	char path[512];

	tu_put(t->root, "etc/modprobe.d/big.conf", "");
	snprintf(path, sizeof(path), "%s/etc/modprobe.d/big.conf", t->root);
	assert_int_equal(truncate(path, (off_t)VG_MAX_CONFIG_FILE_BYTES + 1), 0);
	assert_int_equal(vg_modprobe_collect(&f, tu_tree_fs(t), &err), VG_ELIMIT);
	assert_null(f);
	tu_assert_msg(err.msg, "big.conf");
}

static void test_loaded_live(void **state)
{
	struct vg_modules_loaded *m = NULL;
	struct vg_fs *fs = NULL;
	struct vg_error err = {0};
	struct stat st;

	(void)state;
	assert_int_equal(vg_fs_open(&fs, "/", VG_FS_IN_ROOT, &err), 0);
	assert_int_equal(vg_modules_collect_loaded(&m, fs, &err), 0);
	assert_non_null(m);
	/* kernels without module support have no /proc/modules */
	assert_int_equal(m->no_module_support, stat("/proc/modules", &st) != 0);
	if (m->no_module_support)
		assert_int_equal(m->names.len, 0);
	assert_false(vg_modules_is_loaded(m, "vigil_no_such_module"));
	vg_modules_loaded_free(m);
	vg_fs_free(fs);
}

/* ---- the check type, through the engine ---- */

static const char pack[] =
	"pack: t\n"
	"title: t\n"
	"targets: [root, host]\n"
	"rules:\n"
	"  - id: t.cramfs\n"
	"    title: cramfs\n"
	"    severity: low\n"
	"    check: {kernel_modules: {module: cramfs, disabled: true, loaded: false}}\n"
	"  - id: t.usb\n"
	"    title: usb\n"
	"    severity: low\n"
	"    check: {kernel_modules: {module: usb-storage, disabled: true}}\n"
	"  - id: t.enabled\n"
	"    title: enabled\n"
	"    severity: low\n"
	"    check: {kernel_modules: {module: udf, disabled: false}}\n"
	"  - id: t.loaded\n"
	"    title: loaded\n"
	"    severity: low\n"
	"    check: {kernel_modules: {module: vigil_no_such_module, loaded: false}}\n";

static const struct vg_finding *find_obj(const struct vg_results *res, const char *needle)
{
	for (size_t i = 0; i < res->findings.len; i++) {
		const struct vg_finding *f = res->findings.items[i];

		if (f->message && strstr(f->message, needle))
			return f;
	}
	fail_msg("no finding with '%s'", needle);
	return NULL;
}

static void test_check_offline(void **state)
{
	struct tu_tree *t = *state;
	struct vg_policy *pol = tu_policy_load("t.yaml", pack);
	struct vg_results *res;
	const struct vg_finding *f;

	tu_put(t->root, "etc/modprobe.d/cramfs.conf",
	       "install cramfs /bin/true; modprobe -i cramfs\n");
	tu_put(t->root, "etc/modprobe.d/usb.conf",
	       "install usb_storage /bin/false\nblacklist usb-storage\n");
	tu_put(t->root, "usr/lib/modprobe.d/udf.conf", "blacklist udf\n");

	/* a command that still loads it, and no blacklist: two findings */
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.cramfs");
	assert_int_equal(res->findings.len, 2);
	f = find_obj(res, "runs a command");
	assert_int_equal(f->status, VG_STATUS_FAIL);
	assert_string_equal(f->loc.path, "/etc/modprobe.d/cramfs.conf");
	assert_int_equal(f->loc.line, 1);
	assert_string_equal(f->loc.object, "module:cramfs");
	assert_string_equal(f->evidence, "install cramfs /bin/true; modprobe -i cramfs");
	f = find_obj(res, "not blacklisted");
	assert_null(f->loc.path);
	vg_results_free(res);

	/* '-' and '_' are the same module */
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.usb");
	assert_int_equal(res->findings.len, 1);
	f = res->findings.items[0];
	assert_int_equal(f->status, VG_STATUS_PASS);
	vg_results_free(res);

	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.enabled");
	assert_int_equal(res->findings.len, 1);
	f = res->findings.items[0];
	assert_int_equal(f->status, VG_STATUS_FAIL);
	assert_string_equal(f->loc.path, "/usr/lib/modprobe.d/udf.conf");
	tu_assert_msg(f->message, "udf is blacklisted");
	vg_results_free(res);

	/* loaded modules need the live kernel */
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.loaded");
	assert_int_equal(res->findings.len, 1);
	f = res->findings.items[0];
	assert_int_equal(f->status, VG_STATUS_NOT_APPLICABLE);
	tu_assert_msg(f->message, "needs the live system");
	vg_results_free(res);

	/* binary garbage: an error naming the file */
	{
		char path[512];
		FILE *fp;

		snprintf(path, sizeof(path), "%s/etc/modprobe.d/zz.conf", t->root);
		fp = fopen(path, "wb");
		assert_non_null(fp);
		fwrite("blacklist x\n\0", 1, 13, fp);
		fclose(fp);
	}
	vg_fs_free(t->fs);
	t->fs = NULL;
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.usb");
	assert_int_equal(res->findings.len, 1);
	f = res->findings.items[0];
	assert_int_equal(f->status, VG_STATUS_ERROR);
	tu_assert_msg(f->message, "zz.conf: binary data");
	vg_results_free(res);
	vg_policy_free(pol);
}

/* A long install command is cut in the message; a line (continuations
 * joined) past VG_MAX_CONFIG_LINE_BYTES is a warning and is not kept. */
static void test_check_long_values(void **state)
{
	struct tu_tree *t = *state;
	struct vg_policy *pol = tu_policy_load("t.yaml", pack);
	size_t n = 8192, big = (size_t)VG_MAX_CONFIG_LINE_BYTES / 2 + 10;
	char *text = malloc(2 * big + 100);
	struct vg_modprobe_facts mf;
	struct vg_error err = {0};
	struct vg_results *res;
	const struct vg_finding *f;
	size_t len;

	assert_non_null(text);
	memcpy(text, "install cramfs /bin/true;", 25);
	memset(text + 25, 'x', n);
	memcpy(text + 25 + n, "\n", 2);
	tu_put(t->root, "etc/modprobe.d/cramfs.conf", text);
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.cramfs");
	f = find_obj(res, "runs a command");
	assert_true(strlen(f->message) < 2 * VG_MAX_QUOTE_BYTES);
	tu_assert_msg(f->message, "xxx...' (/etc/modprobe.d/cramfs.conf:1)");
	vg_results_free(res);
	vg_policy_free(pol);

	/* two halves joined by a backslash make one line too long */
	len = 0;
	memcpy(text, "install cramfs ", 15);
	len = 15;
	memset(text + len, 'x', big);
	len += big;
	memcpy(text + len, "\\\n", 2);
	len += 2;
	memset(text + len, 'y', big);
	len += big;
	memcpy(text + len, "\nblacklist udf\n", 15);
	len += 15;
	vg_modprobe_facts_init(&mf);
	assert_int_equal(vg_modprobe_parse(&mf, "/etc/modprobe.d/x.conf", text, len, &err), 0);
	assert_null(vg_modprobe_install(&mf, "cramfs"));
	assert_non_null(vg_modprobe_blacklist(&mf, "udf"));
	assert_int_equal(mf.warnings.len, 1);
	tu_assert_msg(mf.warnings.items[0], "x.conf:1: line longer than");
	vg_modprobe_facts_finish(&mf);
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
	res = tu_scan_root(fs, true, pol, "t.loaded");
	assert_int_equal(res->findings.len, 1);
	f = res->findings.items[0];
	assert_int_equal(f->status, VG_STATUS_PASS);
	tu_assert_msg(f->message, "not loaded");
	vg_results_free(res);
	vg_fs_free(fs);
	vg_policy_free(pol);
}

static void test_check_parse_errors(void **state)
{
	static const char *const bad[][2] = {
		{"{kernel_modules: {module: cramfs}}", "needs 'disabled' or 'loaded'"},
		{"{kernel_modules: {disabled: true}}", "module"},
		{"{kernel_modules: {module: \"cram*\", disabled: true}}", "not a pattern"},
		{"{kernel_modules: {module: \"a b\", disabled: true}}", "invalid module name"},
		{"{kernel_modules: {module: cramfs, disabled: true, blacklisted: true}}",
		 "blacklisted"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tu_expect_check_rejected(bad[i][0], bad[i][1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_parse_lines),
		cmocka_unit_test(test_parse_bad_lines),
		cmocka_unit_test(test_command_disables),
		cmocka_unit_test(test_parse_binary_and_cap),
		cmocka_unit_test(test_loaded_parse),
		TU_TREE_TEST(test_tree_masking),
		TU_TREE_TEST(test_tree_huge),
		cmocka_unit_test(test_loaded_live),
		TU_TREE_TEST(test_check_offline),
		TU_TREE_TEST(test_check_long_values),
		cmocka_unit_test(test_check_live),
		cmocka_unit_test(test_check_parse_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
