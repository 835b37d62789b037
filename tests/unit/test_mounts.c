/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for facts/mounts.c and checks/mounts.c: fstab, mount units, live mounts, the check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/check.h"
#include "engine/scan.h"
#include "error.h"
#include "facts/mounts.h"
#include "limits.h"
#include "policy/policy.h"
#include "targets/fs.h"
#include "testutil.h"
#include "util.h"

/* ---- parsing from strings ---- */

static void test_unescape(void **state)
{
	static const char *const cases[][2] = {
		{"/mnt/my\\040disk", "/mnt/my disk"},
		{"a\\011b\\012c", "a\tb\nc"},
		{"back\\134slash", "back\\slash"},
		{"\\000nul", "\\000nul"},   /* a NUL stays escaped */
		{"\\999", "\\999"},         /* not octal */
		{"end\\04", "end\\04"},     /* too short */
		{"end\\", "end\\"},
		{"\\1011", "A1"},
	};
	char *out = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(vg_mounts_unescape(&out, cases[i][0], strlen(cases[i][0])), 0);
		assert_string_equal(out, cases[i][1]);
		free(out);
	}
}

static void test_normalize(void **state)
{
	struct vg_error err = {0};
	char *p = NULL;

	(void)state;
	assert_int_equal(vg_mounts_normalize(&p, "//var///log/", &err), 0);
	assert_string_equal(p, "/var/log");
	free(p);
	assert_int_equal(vg_mounts_normalize(&p, "/", &err), 0);
	assert_string_equal(p, "/");
	free(p);
	assert_int_equal(vg_mounts_normalize(&p, "tmp", &err), VG_EPARSE);
	assert_null(p);
	tu_assert_msg(err.msg, "not an absolute path");
}

static void test_parse_fstab(void **state)
{
	static const char text[] =
		"# /etc/fstab: static file system information.\n"              /* 1 */
		"UUID=1234 / ext4 errors=remount-ro 0 1\n"                       /* 2 */
		"\n"                                                             /* 3 */
		"   # indented comment\n"                                        /* 4 */
		"LABEL=my\\040home\t/home\\040dir/ ext4 defaults,nodev 0 2\n"   /* 5 */
		"/dev/sdb1 /var/tmp ext4\n"                                      /* 6: no options */
		"broken-line\n"                                                  /* 7 */
		"/swapfile none swap sw 0 0\n"                                   /* 8 */
		"tmpfs /tmp tmpfs nosuid 0 0\n"                                  /* 9 */
		"tmpfs /tmp tmpfs nosuid,nodev 0 0";                             /* 10: covers 9 */
	struct vg_mount_table t;
	struct vg_error err = {0};
	const struct vg_mount_entry *e;

	(void)state;
	vg_mount_table_init(&t);
	assert_int_equal(vg_mounts_parse_fstab(&t, "/etc/fstab", text, sizeof(text) - 1,
					       VG_MOUNT_FSTAB, &err), 0);
	assert_int_equal(t.entries.len, 6);
	assert_int_equal(t.warnings.len, 1);
	tu_assert_msg(t.warnings.items[0], "/etc/fstab:7: fewer than three fields");
	e = vg_mounts_find(&t, "/home dir");
	assert_non_null(e);
	assert_string_equal(e->source, "LABEL=my home");
	assert_string_equal(e->options, "defaults,nodev");
	assert_int_equal(e->line, 5);
	assert_string_equal(e->file, "/etc/fstab");
	e = vg_mounts_find(&t, "/var/tmp");
	assert_string_equal(e->options, "defaults");
	e = vg_mounts_find(&t, "/tmp");
	assert_int_equal(e->line, 10);
	assert_string_equal(e->options, "nosuid,nodev");
	assert_non_null(vg_mounts_find(&t, "/"));
	assert_null(vg_mounts_find(&t, "/var"));
	assert_null(vg_mounts_find(&t, "/swapfile"));
	vg_mount_table_finish(&t);

	vg_mount_table_init(&t);
	assert_int_equal(vg_mounts_parse_fstab(&t, "/etc/fstab", "a /b c\0d", 8, VG_MOUNT_FSTAB,
					       &err), VG_EPARSE);
	tu_assert_msg(err.msg, "/etc/fstab: binary data");
	vg_mount_table_finish(&t);
}

static void test_option_semantics(void **state)
{
	(void)state;
	assert_true(vg_mount_option_set("defaults,nodev", "nodev"));
	assert_false(vg_mount_option_set("defaults", "nodev"));
	assert_false(vg_mount_option_set("nodev,dev", "nodev"));
	assert_true(vg_mount_option_set("dev,nodev", "nodev"));
	/* on by default unless turned off */
	assert_true(vg_mount_option_set("defaults", "dev"));
	assert_false(vg_mount_option_set("nodev", "dev"));
	assert_true(vg_mount_option_set("", "rw"));
	assert_false(vg_mount_option_set("ro", "rw"));
	assert_true(vg_mount_option_set("rw,ro", "ro"));
	/* user implies noexec, nosuid, nodev unless overridden later */
	assert_true(vg_mount_option_set("user", "noexec"));
	assert_false(vg_mount_option_set("user,exec", "noexec"));
	assert_false(vg_mount_option_set("user", "exec"));
	assert_true(vg_mount_option_set("owner", "nosuid"));
	assert_false(vg_mount_option_set("owner", "noexec"));
	/* options with values */
	assert_true(vg_mount_option_set("mode=1777,size=2G", "size"));
	assert_true(vg_mount_option_set("mode=1777", "mode=1777"));
	assert_false(vg_mount_option_set("mode=0777", "mode=1777"));
	assert_false(vg_mount_option_set("nodevice", "nodev"));
}

static void test_parse_unit(void **state)
{
	static const char unit[] = "[Unit]\nDescription=Temporary Directory /tmp\n"
				   "Options=ignored-outside-mount\n\n"
				   "[Mount]\nWhat=tmpfs\nWhere=/tmp\nType=tmpfs\n"
				   "Options=mode=1777,strictatime,nosuid,nodev\n";
	static const char dropin[] = "# systemctl edit tmp.mount\n[Mount]\n"
				     "Options=\nOptions=mode=1777,nosuid,nodev,noexec\n";
	struct vg_unit_text texts[] = {
		{"/usr/lib/systemd/system/tmp.mount", unit, sizeof(unit) - 1},
		{"/etc/systemd/system/tmp.mount.d/override.conf", dropin, sizeof(dropin) - 1},
	};
	struct vg_mount_table t;
	struct vg_error err = {0};
	const struct vg_mount_entry *e;

	(void)state;
	vg_mount_table_init(&t);
	assert_int_equal(vg_mounts_parse_unit(&t, texts, 1, VG_MOUNT_UNIT_VENDOR, &err), 0);
	assert_int_equal(vg_mounts_parse_unit(&t, texts, 2, VG_MOUNT_UNIT_VENDOR, &err), 0);
	assert_int_equal(t.entries.len, 2);
	e = t.entries.items[0];
	assert_string_equal(e->options, "mode=1777,strictatime,nosuid,nodev");
	assert_string_equal(e->file, "/usr/lib/systemd/system/tmp.mount");
	assert_int_equal(e->line, 9);
	e = t.entries.items[1];
	assert_string_equal(e->target, "/tmp");
	assert_string_equal(e->fstype, "tmpfs");
	assert_string_equal(e->options, "mode=1777,nosuid,nodev,noexec");
	assert_string_equal(e->file, "/etc/systemd/system/tmp.mount.d/override.conf");
	assert_int_equal(e->line, 4);
	/* no Where=: ignored with a warning */
	texts[0].data = "[Mount]\nWhat=x\n";
	texts[0].len = strlen(texts[0].data);
	assert_int_equal(vg_mounts_parse_unit(&t, texts, 1, VG_MOUNT_UNIT_VENDOR, &err), 0);
	assert_int_equal(t.entries.len, 2);
	assert_int_equal(t.warnings.len, 1);
	tu_assert_msg(t.warnings.items[0], "without an absolute Where=");
	vg_mount_table_finish(&t);
}

/* ---- from a root filesystem ---- */

static const char tmp_unit[] = "[Mount]\nWhat=tmpfs\nWhere=/tmp\nType=tmpfs\n"
			       "Options=mode=1777,strictatime,nosuid,nodev\n";

static struct vg_mount_table *collect_ok(struct tu_tree *t)
{
	struct vg_mount_table *m = NULL;
	struct vg_error err = {0};

	if (vg_mounts_collect_config(&m, tu_tree_fs(t), &err) != 0)
		fail_msg("collect: %s", err.msg);
	return m;
}

static void test_tree_units(void **state)
{
	struct tu_tree *t = *state;
	struct vg_mount_table *m;
	const struct vg_mount_entry *e;

	tu_put(t->root, "etc/fstab",
	       "UUID=1 / ext4 defaults 0 1\ntmpfs /tmp tmpfs defaults,noexec 0 0\n"
	       "/dev/sdb1 /srv ext4 defaults 0 2\n");
	/* a vendor unit enabled through a .wants link: fstab still wins */
	tu_put(t->root, "usr/lib/systemd/system/tmp.mount", tmp_unit);
	tu_symlink(t->root, "usr/lib/systemd/system/local-fs.target.wants/tmp.mount",
		   "../tmp.mount");
	/* an administrator's unit beats fstab */
	tu_put(t->root, "etc/systemd/system/srv.mount",
	       "[Mount]\nWhat=/dev/sdc1\nWhere=/srv\nType=xfs\nOptions=nodev,nosuid\n");
	tu_symlink(t->root, "etc/systemd/system/multi-user.target.wants/srv.mount",
		   "/etc/systemd/system/srv.mount");
	/* a unit nothing wants is not mounted */
	tu_put(t->root, "usr/lib/systemd/system/var-tmp.mount",
	       "[Mount]\nWhat=tmpfs\nWhere=/var/tmp\nType=tmpfs\n");
	m = collect_ok(t);
	e = vg_mounts_find(m, "/tmp");
	assert_int_equal(e->origin, VG_MOUNT_FSTAB);
	assert_string_equal(e->options, "defaults,noexec");
	e = vg_mounts_find(m, "/srv");
	assert_int_equal(e->origin, VG_MOUNT_UNIT_ADMIN);
	assert_string_equal(e->fstype, "xfs");
	assert_string_equal(e->file, "/etc/systemd/system/srv.mount");
	assert_int_equal(e->line, 5);
	assert_null(vg_mounts_find(m, "/var/tmp"));
	/* no systemd binary in this root: no built-in mounts */
	assert_null(vg_mounts_find(m, "/dev/shm"));
	vg_mount_table_free(m);
}

static void test_tree_unit_dropin_and_mask(void **state)
{
	struct tu_tree *t = *state;
	struct vg_mount_table *m;
	const struct vg_mount_entry *e;

	tu_put(t->root, "usr/lib/systemd/system/tmp.mount", tmp_unit);
	tu_symlink(t->root, "usr/lib/systemd/system/local-fs.target.wants/tmp.mount",
		   "../tmp.mount");
	tu_put(t->root, "etc/systemd/system/tmp.mount.d/50-noexec.conf",
	       "[Mount]\nOptions=mode=1777,strictatime,nosuid,nodev,noexec\n");
	tu_put(t->root, "usr/lib/systemd/systemd", "ELF");
	m = collect_ok(t);
	e = vg_mounts_find(m, "/tmp");
	assert_int_equal(e->origin, VG_MOUNT_UNIT_VENDOR);
	assert_true(vg_mount_option_set(e->options, "noexec"));
	assert_string_equal(e->file, "/etc/systemd/system/tmp.mount.d/50-noexec.conf");
	/* systemd's own /dev/shm */
	e = vg_mounts_find(m, "/dev/shm");
	assert_non_null(e);
	assert_int_equal(e->origin, VG_MOUNT_BUILTIN);
	assert_null(e->file);
	assert_true(vg_mount_option_set(e->options, "nodev"));
	assert_false(vg_mount_option_set(e->options, "noexec"));
	vg_mount_table_free(m);

	/* masking the unit in /etc hides the vendor unit */
	tu_symlink(t->root, "etc/systemd/system/tmp.mount", "/dev/null");
	vg_fs_free(t->fs);
	t->fs = NULL;
	m = collect_ok(t);
	assert_null(vg_mounts_find(m, "/tmp"));
	vg_mount_table_free(m);
}

static void test_tree_missing_and_huge(void **state)
{
	struct tu_tree *t = *state;
	struct vg_mount_table *m = NULL;
	struct vg_error err = {0};
	char path[512];

	/* no /etc/fstab at all (a container image): an empty table */
	m = collect_ok(t);
	assert_int_equal(m->entries.len, 0);
	vg_mount_table_free(m);
	m = NULL;

	tu_put(t->root, "etc/fstab", "");
	snprintf(path, sizeof(path), "%s/etc/fstab", t->root);
	assert_int_equal(truncate(path, (off_t)VG_MAX_CONFIG_FILE_BYTES + 1), 0);
	assert_int_equal(vg_mounts_collect_config(&m, tu_tree_fs(t), &err), VG_ELIMIT);
	assert_null(m);
	tu_assert_msg(err.msg, "/etc/fstab");
}

static void test_live_mounts(void **state)
{
	struct vg_mount_table *m = NULL;
	struct vg_fs *fs = NULL;
	struct vg_error err = {0};
	const struct vg_mount_entry *e;

	(void)state;
	assert_int_equal(vg_fs_open(&fs, "/", VG_FS_IN_ROOT, &err), 0);
	assert_int_equal(vg_mounts_collect_live(&m, fs, &err), 0);
	/* every running system has a root mount and procfs */
	e = vg_mounts_find(m, "/");
	assert_non_null(e);
	assert_int_equal(e->origin, VG_MOUNT_LIVE);
	e = vg_mounts_find(m, "/proc");
	assert_non_null(e);
	assert_string_equal(e->fstype, "proc");
	vg_mount_table_free(m);
	vg_fs_free(fs);
}

/* ---- the check type, through the engine ---- */

static const char pack[] =
	"pack: t\n"
	"title: t\n"
	"targets: [root, host]\n"
	"rules:\n"
	"  - id: t.tmp-sep\n"
	"    title: tmp separate\n"
	"    severity: low\n"
	"    check: {mounts: {mountpoint: /tmp/, separate: true}}\n"
	"  - id: t.tmp-opts\n"
	"    title: tmp options\n"
	"    severity: low\n"
	"    check: {mounts: {mountpoint: /tmp, options: {includes: [nodev, nosuid, noexec]}}}\n"
	"  - id: t.home-exec\n"
	"    title: home excludes\n"
	"    severity: low\n"
	"    check: {mounts: {mountpoint: /home, options: {excludes: [exec]}}}\n"
	"  - id: t.root-live\n"
	"    title: root live\n"
	"    severity: low\n"
	"    check: {mounts: {mountpoint: /, separate: true, source: live}}\n"
	"  - id: t.proc\n"
	"    title: proc\n"
	"    severity: low\n"
	"    check: {mounts: {mountpoint: /proc, options: {includes: [rw]}, source: live}}\n";

static void test_check_offline(void **state)
{
	struct tu_tree *t = *state;
	struct vg_policy *pol = tu_policy_load("t.yaml", pack);
	struct vg_results *res;
	const struct vg_finding *f;

	tu_put(t->root, "etc/fstab", "UUID=1 / ext4 defaults 0 1\n");
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.tmp-sep");
	assert_int_equal(res->findings.len, 1);
	f = res->findings.items[0];
	assert_int_equal(f->status, VG_STATUS_FAIL);
	assert_string_equal(f->loc.object, "mount:/tmp");
	tu_assert_msg(f->message, "not a separate mount: no entry in /etc/fstab");
	vg_results_free(res);

	/* no entry: the options are not applicable, and the reason says so */
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.tmp-opts");
	assert_int_equal(res->findings.len, 1);
	f = res->findings.items[0];
	assert_int_equal(f->status, VG_STATUS_NOT_APPLICABLE);
	tu_assert_msg(f->message, "options were not checked");
	vg_results_free(res);

	/* one finding per missing option, at the fstab line */
	tu_put(t->root, "etc/fstab", "UUID=1 / ext4 defaults 0 1\ntmpfs /tmp tmpfs defaults,nodev,"
	       "noexec,exec 0 0\nLABEL=h /home ext4 user,exec 0 2\n");
	vg_fs_free(t->fs);
	t->fs = NULL;
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.tmp-opts");
	assert_int_equal(res->findings.len, 2);
	for (size_t i = 0; i < 2; i++) {
		f = res->findings.items[i];
		assert_int_equal(f->status, VG_STATUS_FAIL);
		assert_string_equal(f->loc.path, "/etc/fstab");
		assert_int_equal(f->loc.line, 2);
		assert_true(strstr(f->message, "without nosuid") || strstr(f->message, "without noexec"));
	}
	vg_results_free(res);

	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.home-exec");
	assert_int_equal(res->findings.len, 1);
	f = res->findings.items[0];
	assert_int_equal(f->status, VG_STATUS_FAIL);
	tu_assert_msg(f->message, "/home is mounted with exec (/etc/fstab:3: user,exec)");
	vg_results_free(res);

	/* live-only demands offline */
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.root-live");
	f = res->findings.items[0];
	assert_int_equal(f->status, VG_STATUS_NOT_APPLICABLE);
	tu_assert_msg(f->message, "needs the live system");
	vg_results_free(res);

	/* garbage in fstab is an error */
	{
		char path[512];
		FILE *fp;

		snprintf(path, sizeof(path), "%s/etc/fstab", t->root);
		fp = fopen(path, "wb");
		assert_non_null(fp);
		fwrite("x /tmp y\0", 1, 9, fp);
		fclose(fp);
	}
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.tmp-sep");
	f = res->findings.items[0];
	assert_int_equal(f->status, VG_STATUS_ERROR);
	tu_assert_msg(f->message, "/etc/fstab: binary data");
	vg_results_free(res);
	vg_policy_free(pol);
}

/* A huge options field never makes a huge message: values quoted in messages
 * and pass reasons are cut, and a line past VG_MAX_CONFIG_LINE_BYTES is a
 * warning, not an entry. */
static void test_long_values(void **state)
{
	struct tu_tree *t = *state;
	struct vg_policy *pol = tu_policy_load("t.yaml", pack);
	size_t n = 8192, big = (size_t)VG_MAX_CONFIG_LINE_BYTES + 10;
	char *opts = malloc(big + 100), *text = malloc(2 * big + 400);
	struct vg_mount_table mt;
	struct vg_error err = {0};
	struct vg_results *res;
	const struct vg_finding *f;

	assert_non_null(opts);
	assert_non_null(text);
	memset(opts, 'o', n);
	opts[n] = '\0';
	snprintf(text, 2 * big + 400, "UUID=1 / ext4 defaults 0 1\ntmpfs /tmp tmpfs nodev,%s 0 0\n"
		 "LABEL=h /home ext4 noexec,%s 0 2\n", opts, opts);
	tu_put(t->root, "etc/fstab", text);
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.tmp-opts");
	assert_int_equal(res->findings.len, 2);
	f = res->findings.items[0];
	assert_int_equal(f->status, VG_STATUS_FAIL);
	assert_true(strlen(f->message) < 2 * VG_MAX_QUOTE_BYTES);
	tu_assert_msg(f->message, "ooo...");
	vg_results_free(res);
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.home-exec");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_PASS);
	assert_true(strlen(f->message) < 2 * VG_MAX_QUOTE_BYTES);
	vg_results_free(res);
	vg_policy_free(pol);

	memset(opts, 'o', big);
	opts[big] = '\0';
	snprintf(text, 2 * big + 400, "tmpfs /tmp tmpfs %s 0 0\ntmpfs /run tmpfs nodev 0 0\n",
		 opts);
	vg_mount_table_init(&mt);
	assert_int_equal(vg_mounts_parse_fstab(&mt, "/etc/fstab", text, strlen(text),
					       VG_MOUNT_FSTAB, &err), 0);
	assert_null(vg_mounts_find(&mt, "/tmp"));
	assert_non_null(vg_mounts_find(&mt, "/run"));
	assert_int_equal(mt.warnings.len, 1);
	tu_assert_msg(mt.warnings.items[0], "/etc/fstab:1: line longer than");
	vg_mount_table_finish(&mt);
	free(opts);
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
	res = tu_scan_root(fs, true, pol, "t.root-live");
	assert_int_equal(res->findings.len, 1);
	f = res->findings.items[0];
	assert_int_equal(f->status, VG_STATUS_PASS);
	tu_assert_msg(f->message, "mounted now");
	vg_results_free(res);

	res = tu_scan_root(fs, true, pol, "t.proc");
	assert_int_equal(res->findings.len, 1);
	f = res->findings.items[0];
	assert_int_equal(f->status, VG_STATUS_PASS);
	vg_results_free(res);
	vg_fs_free(fs);
	vg_policy_free(pol);
}

static void test_check_parse_errors(void **state)
{
	static const char *const bad[][2] = {
		{"{mounts: {mountpoint: /tmp}}", "needs 'separate: true' or 'options'"},
		{"{mounts: {mountpoint: tmp, separate: true}}", "not an absolute path"},
		{"{mounts: {mountpoint: /tmp, options: {}}}", "needs 'includes' or 'excludes'"},
		{"{mounts: {mountpoint: /tmp, options: {includes: [\"a,b\"]}}}",
		 "not a single mount option"},
		{"{mounts: {mountpoint: /tmp, options: {contains: [nodev]}}}", "contains"},
		{"{mounts: {mountpoint: /tmp, separate: true, source: disk}}", "fstab, live or both"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tu_expect_check_rejected(bad[i][0], bad[i][1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_parse_fstab),
		cmocka_unit_test(test_option_semantics),
		cmocka_unit_test(test_parse_unit),
		TU_TREE_TEST(test_tree_units),
		TU_TREE_TEST(test_tree_unit_dropin_and_mask),
		TU_TREE_TEST(test_tree_missing_and_huge),
		cmocka_unit_test(test_live_mounts),
		TU_TREE_TEST(test_check_offline),
		TU_TREE_TEST(test_long_values),
		cmocka_unit_test(test_check_live),
		cmocka_unit_test(test_check_parse_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
