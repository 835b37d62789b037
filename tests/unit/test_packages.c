/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for facts/packages.c and the packages check: dpkg status and Debian version order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "facts/packages.h"
#include "limits.h"
#include "testutil.h"
#include "util.h"

static int sign(int v)
{
	return v < 0 ? -1 : v > 0;
}

/* Orderings from Debian policy 5.6.12 and dpkg's own behaviour. */
static void vercmp(void **state)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		{"1.0", "1.0", 0},
		{"1.0-1", "1.0-2", -1},
		{"1.0~rc1", "1.0", -1},
		{"1.0~rc1", "1.0~rc2", -1},
		{"1.0~~", "1.0~", -1},
		{"1.0~", "1.0", -1},
		{"1.0", "1.0a", -1},
		{"1.0a", "1.0+", -1},      /* letters sort before non-letters */
		{"1.0+", "1.0.1", -1},
		{"1:0.1", "2.0", 1},       /* the epoch decides first */
		{"0:2.0", "2.0", 0},
		{"2.0", "2.0-0", 0},       /* no revision is revision 0 */
		{"1.10", "1.9", 1},        /* digits compare as numbers */
		{"1.010", "1.10", 0},      /* leading zeros do not count */
		{"1.2.3-4+deb12u1", "1.2.3-4", 1},
		{"1.2.3-4~bpo11+1", "1.2.3-4", -1},
		{"1:9.2p1-2+deb12u3", "1:9.2p1-2", 1},
		{"2.36-9+deb12u4", "2.37-1", -1},
		{"123456789012345678901234567890", "123456789012345678901234567891", -1},
		{"1.5.2-6", "1.5.2-6+deb12u1", -1},
		{"a-b-c", "a-b-d", -1},    /* the last '-' starts the revision */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = sign(vg_packages_vercmp(cases[i].a, cases[i].b));

		if (got != cases[i].want)
			fail_msg("%s vs %s: got %d, want %d", cases[i].a, cases[i].b, got,
				 cases[i].want);
		assert_int_equal(sign(vg_packages_vercmp(cases[i].b, cases[i].a)), -cases[i].want);
	}
}

static void version_valid(void **state)
{
	(void)state;
	assert_true(vg_packages_version_valid("1.0"));
	assert_true(vg_packages_version_valid("1:9.2p1-2+deb12u3"));
	assert_true(vg_packages_version_valid("2.0~rc1-1~bpo11+1"));
	assert_true(vg_packages_version_valid("a-b-c"));
	assert_false(vg_packages_version_valid(""));
	assert_false(vg_packages_version_valid(":1.0"));
	assert_false(vg_packages_version_valid("x:1.0"));
	assert_false(vg_packages_version_valid("1.0-"));
	assert_false(vg_packages_version_valid("1.0 beta"));
	assert_false(vg_packages_version_valid("1:"));
	assert_false(vg_packages_version_valid("1.0-a_b"));
}

static const char status_text[] =
	"Package: zlib1g\n"
	"Status: install ok installed\n"
	"Priority: required\n"
	"Architecture: amd64\n"
	"Multi-Arch: same\n"
	"Version: 1:1.2.13.dfsg-1\n"
	"Description: compression library - runtime\n"
	" zlib is a library implementing the deflate compression method found\n"
	" Package: fake-from-description\n"
	"\n"
	"Package: zlib1g\n"
	"Status: install ok installed\n"
	"Architecture: i386\n"
	"Version: 1:1.2.13.dfsg-1\n"
	"\n"
	"\n"
	"Package: telnetd\n"
	"Status: deinstall ok config-files\n"
	"Version: 0.17-44\n"
	"\n"
	"Version: 1.0\n"
	"Architecture: all\n"
	"\n"
	"Package: half\n"
	"Status: install reinstreq half-installed\n"
	"\n"
	"package: lowercase\r\n"
	"status: hold ok installed\r\n"
	"version: 2.0\r\n";

static void parse_status(void **state)
{
	struct vg_packages p = {0};
	struct vg_error err = {0};
	size_t n, i;

	(void)state;
	assert_int_equal(vg_packages_parse_dpkg(&p, status_text, strlen(status_text), &err), 0);
	assert_int_equal(p.npkgs, 5);
	assert_int_equal(p.problems, 1); /* the stanza without Package */
	i = vg_packages_find(&p, "zlib1g", &n);
	assert_int_equal(n, 2);
	assert_string_equal(p.pkgs[i].arch, "amd64");
	assert_string_equal(p.pkgs[i + 1].arch, "i386");
	assert_string_equal(p.pkgs[i].version, "1:1.2.13.dfsg-1");
	assert_true(p.pkgs[i].installed);
	assert_int_equal(p.pkgs[i].line, 1);
	i = vg_packages_find(&p, "telnetd", &n);
	assert_int_equal(n, 1);
	assert_false(p.pkgs[i].installed);
	assert_string_equal(p.pkgs[i].state, "config-files");
	i = vg_packages_find(&p, "half", &n);
	assert_int_equal(n, 1);
	assert_true(p.pkgs[i].installed); /* its files may be on disk */
	assert_null(p.pkgs[i].version);
	i = vg_packages_find(&p, "lowercase", &n);
	assert_int_equal(n, 1);
	assert_string_equal(p.pkgs[i].version, "2.0");
	vg_packages_find(&p, "fake-from-description", &n);
	assert_int_equal(n, 0);
	vg_packages_find(&p, "aaa", &n);
	assert_int_equal(n, 0);
	vg_packages_find(&p, "zzz", &n);
	assert_int_equal(n, 0);
	for (i = 0; i < p.npkgs; i++) {
		free(p.pkgs[i].name);
		free(p.pkgs[i].arch);
		free(p.pkgs[i].version);
		free(p.pkgs[i].state);
	}
	free(p.pkgs);
}

static void parse_binary_and_empty(void **state)
{
	struct vg_packages p = {0};
	struct vg_error err = {0};
	static const char junk[] = "Package: x\0\x01\x02\xff";

	(void)state;
	assert_int_equal(vg_packages_parse_dpkg(&p, junk, sizeof(junk) - 1, &err), VG_EPARSE);
	assert_int_equal(p.code, VG_EPARSE);
	assert_int_equal(p.npkgs, 0);
	assert_int_equal(vg_packages_parse_dpkg(&p, "", 0, &err), 0);
	assert_int_equal(p.npkgs, 0);
	assert_int_equal(vg_packages_parse_dpkg(&p, "\n\n\n", 3, &err), 0);
	assert_int_equal(p.npkgs, 0);
	assert_int_equal(p.problems, 0);
}

static void parse_too_many(void **state)
{
	static const char stanza[] = "Package: p\nStatus: install ok installed\n\n";
	size_t n = (size_t)VG_MAX_CONFIG_ENTRIES + 1, sl = sizeof(stanza) - 1;
	char *text = malloc(n * sl);
	struct vg_packages p = {0};
	struct vg_error err = {0};

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		memcpy(text + i * sl, stanza, sl);
	assert_int_equal(vg_packages_parse_dpkg(&p, text, n * sl, &err), VG_ELIMIT);
	assert_int_equal(p.code, VG_ELIMIT);
	for (size_t i = 0; i < p.npkgs; i++) {
		free(p.pkgs[i].name);
		free(p.pkgs[i].state);
	}
	free(p.pkgs);
	free(text);
}

static void load_tree(void **state)
{
	struct tu_tree *t = *state;
	struct vg_packages *p = NULL;
	struct vg_error err = {0};
	struct vg_fs *fs = tu_fs_open(t->root, VG_FS_IN_ROOT);

	assert_int_equal(vg_packages_load(&p, fs, &err), 0);
	assert_int_equal(p->code, VG_ENOTFOUND);
	assert_false(p->rpm_db);
	vg_packages_free(p);
	tu_dir(t->root, "/var/lib/rpm", 0755);
	assert_int_equal(vg_packages_load(&p, fs, &err), 0);
	assert_int_equal(p->code, VG_ENOTFOUND);
	assert_true(p->rpm_db);
	vg_packages_free(p);
	tu_sparse(t->root, VG_DPKG_STATUS, (off_t)VG_MAX_CONFIG_FILE_BYTES + 1);
	assert_int_equal(vg_packages_load(&p, fs, &err), 0);
	assert_int_equal(p->code, VG_ELIMIT);
	vg_packages_free(p);
	vg_fs_free(fs);
}

static void check_installed(void **state)
{
	struct tu_tree *t = *state;
	struct tu_run r;

	tu_put(t->root, VG_DPKG_STATUS, status_text);
	tu_run_rule(&r, t, "{packages: {name: [telnetd, zlib1g], installed: false}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_int_equal(r.fails, 2); /* one per architecture; telnetd is only config-files */
	assert_string_equal(r.first->loc.path, VG_DPKG_STATUS);
	assert_string_equal(r.first->loc.object, "package:zlib1g");
	assert_non_null(strstr(r.first->evidence, "zlib1g:amd64 1:1.2.13.dfsg-1"));
	tu_run_free(&r);
	tu_run_rule(&r, t, "{packages: {name: [auditd, zlib1g], installed: true}}", false);
	assert_int_equal(r.fails, 1);
	assert_string_equal(r.first->loc.object, "package:auditd");
	assert_null(r.first->loc.path);
	tu_run_free(&r);
	tu_run_rule(&r, t, "{packages: {name: \"zlib*\", installed: false}}", false);
	assert_int_equal(r.fails, 2);
	tu_run_free(&r);
}

static void check_versions(void **state)
{
	struct tu_tree *t = *state;
	struct tu_run r;

	tu_put(t->root, VG_DPKG_STATUS, status_text);
	tu_run_rule(&r, t, "{packages: {name: zlib1g, version: {min: \"1:1.2.13-1\"}}}", false);
	assert_int_equal(r.verdict, VG_STATUS_PASS);
	tu_run_free(&r);
	tu_run_rule(&r, t, "{packages: {name: zlib1g, version: {min: \"1:1.3\"}}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_non_null(strstr(r.first->message, "older than 1:1.3"));
	tu_run_free(&r);
	tu_run_rule(&r, t, "{packages: {name: zlib1g, version: {max: \"1.9\"}}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	tu_run_free(&r);
	tu_run_rule(&r, t, "{packages: {name: nothere, version: {min: \"1.0\"}}}", false);
	assert_int_equal(r.verdict, VG_STATUS_NOT_APPLICABLE);
	tu_run_free(&r);
	tu_run_rule(&r, t, "{packages: {name: nothere, installed: true, version: {min: \"1.0\"}}}",
		    false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	tu_run_free(&r);
}

static void check_outcomes(void **state)
{
	struct tu_tree *t = *state;
	struct tu_run r;
	int v;

	tu_run_rule(&r, t, "{packages: {name: telnetd, installed: false}}", false);
	assert_int_equal(r.verdict, VG_STATUS_NOT_APPLICABLE);
	tu_run_free(&r);
	tu_dir(t->root, "/usr/lib/sysimage/rpm", 0755);
	tu_run_rule(&r, t, "{packages: {name: telnetd, installed: false}}", false);
	assert_int_equal(r.verdict, VG_STATUS_NOT_APPLICABLE);
	assert_non_null(strstr(r.first->message, "RPM"));
	tu_run_free(&r);
	tu_putn(t->root, VG_DPKG_STATUS, "\0\0\0\x01", 4, 0644);
	tu_run_rule(&r, t, "{packages: {name: telnetd, installed: false}}", false);
	assert_int_equal(r.verdict, VG_STATUS_ERROR);
	tu_run_free(&r);
	tu_putn(t->root, VG_DPKG_STATUS, status_text, strlen(status_text), 0600);
	if (geteuid() != 0)
		chmod(tu_path(t->root, VG_DPKG_STATUS), 0000);
	v = tu_verdict_unprivileged(t, "{packages: {name: telnetd, installed: false}}");
	assert_int_equal(v, VG_STATUS_NOT_EVALUATED);
}

static void check_bad_policy(void **state)
{
	static const char *const bad[] = {
		"{packages: {name: x}}",
		"{packages: {installed: true}}",
		"{packages: {name: x, version: {min: \"not a version\"}}}",
		"{packages: {name: x, version: {above: \"1.0\"}}}",
		"{packages: {name: x, installed: false, version: {min: \"1.0\"}}}",
		"{packages: {name: x, version: {}}}",
	};

	(void)state;
	tu_expect_rejected(bad, sizeof(bad) / sizeof(bad[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vercmp),
		cmocka_unit_test(version_valid),
		cmocka_unit_test(parse_status),
		cmocka_unit_test(parse_binary_and_empty),
		cmocka_unit_test(parse_too_many),
		TU_TREE_TEST(load_tree),
		TU_TREE_TEST(check_installed),
		TU_TREE_TEST(check_versions),
		TU_TREE_TEST(check_outcomes),
		cmocka_unit_test(check_bad_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
