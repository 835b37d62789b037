/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for facts/services.c and the services check: unit files, .wants links, masks, aliases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "facts/services.h"
#include "testutil.h"
#include "util.h"

/* A small Debian-like unit tree. */
static void lay_units(const struct tu_tree *t)
{
	tu_put(t->root, "/lib/systemd/system/ssh.service",
	       "[Unit]\nDescription=OpenBSD Secure Shell\n");
	tu_put(t->root, "/lib/systemd/system/cron.service", "[Unit]\n");
	tu_put(t->root, "/lib/systemd/system/avahi-daemon.service", "[Unit]\n");
	tu_put(t->root, "/lib/systemd/system/avahi-daemon.socket", "[Unit]\n");
	tu_put(t->root, "/lib/systemd/system/getty@.service", "[Unit]\n");
	tu_put(t->root, "/lib/systemd/system/cups.service", "[Unit]\n");
	tu_put(t->root, "/lib/systemd/system/not-a-unit.txt", "x\n");
	tu_dir(t->root, "/lib/systemd/system/ssh.service.d", 0755);
	tu_symlink(t->root, "/lib/systemd/system/sockets.target.wants/systemd-journald.socket",
		   "../systemd-journald.socket");
	tu_put(t->root, "/lib/systemd/system/systemd-journald.socket", "[Unit]\n");
	tu_symlink(t->root, "/etc/systemd/system/multi-user.target.wants/ssh.service",
		   "/lib/systemd/system/ssh.service");
	tu_symlink(t->root, "/etc/systemd/system/sshd.service", "/lib/systemd/system/ssh.service");
	tu_symlink(t->root, "/etc/systemd/system/multi-user.target.wants/cron.service",
		   "/lib/systemd/system/cron.service");
	tu_symlink(t->root, "/etc/systemd/system/getty.target.wants/getty@tty1.service",
		   "/lib/systemd/system/getty@.service");
	tu_symlink(t->root, "/etc/systemd/system/cups.service", "/dev/null");
	tu_symlink(t->root, "/etc/systemd/system/multi-user.target.wants/cups.service",
		   "/lib/systemd/system/cups.service");
	tu_symlink(t->root, "/etc/systemd/system/sockets.target.requires/avahi-daemon.socket",
		   "/lib/systemd/system/avahi-daemon.socket");
}

static void state_of_units(void **state)
{
	struct tu_tree *t = *state;
	struct vg_services *s = NULL;
	struct vg_error err = {0};
	struct vg_unit_state u;
	struct vg_fs *fs;

	lay_units(t);
	fs = tu_fs_open(t->root, VG_FS_IN_ROOT);
	assert_int_equal(vg_services_load(&s, fs, &err), 0);
	assert_int_equal(s->dirs_found, 2); /* /etc/systemd/system and /lib/systemd/system */
	assert_int_equal(s->denied + s->errors, 0);

	vg_services_state(s, "ssh.service", &u);
	assert_non_null(u.file);
	assert_string_equal(u.file->path, "/lib/systemd/system/ssh.service");
	assert_non_null(u.want);
	assert_string_equal(u.want->by, "multi-user.target");
	assert_false(u.want->vendor);
	assert_null(u.mask);

	/* an alias in /etc points to ssh.service, which is enabled */
	vg_services_state(s, "sshd.service", &u);
	assert_string_equal(u.name, "ssh.service");
	assert_non_null(u.want);

	vg_services_state(s, "avahi-daemon.service", &u);
	assert_non_null(u.file);
	assert_null(u.want);
	vg_services_state(s, "avahi-daemon.socket", &u);
	assert_non_null(u.want);
	assert_string_equal(u.want->by, "sockets.target");

	/* an instance of a template */
	vg_services_state(s, "getty@tty1.service", &u);
	assert_non_null(u.file);
	assert_string_equal(u.file->name, "getty@.service");
	assert_non_null(u.want);
	vg_services_state(s, "getty@tty2.service", &u);
	assert_non_null(u.file);
	assert_null(u.want);

	/* masked beats the vendor file and the wants link */
	vg_services_state(s, "cups.service", &u);
	assert_non_null(u.mask);
	assert_string_equal(u.mask->path, "/etc/systemd/system/cups.service");
	assert_null(u.file);

	vg_services_state(s, "systemd-journald.socket", &u);
	assert_non_null(u.want);
	assert_true(u.want->vendor);

	vg_services_state(s, "nosuch.service", &u);
	assert_null(u.file);
	assert_null(u.want);
	assert_null(u.mask);

	assert_true(vg_services_unit_valid("a.service"));
	assert_true(vg_services_unit_valid("getty@tty1.service"));
	assert_false(vg_services_unit_valid(".service"));
	assert_false(vg_services_unit_valid("a/b.service"));
	assert_false(vg_services_unit_valid("a.conf"));
	vg_services_free(s);
	vg_fs_free(fs);
}

/* Control groups in a tree stand in for /sys/fs/cgroup on a live host. */
static void running_from_cgroups(void **state)
{
	struct tu_tree *t = *state;
	struct vg_error err = {0};
	struct vg_fs *fs;
	bool running = true;

	fs = tu_fs_open(t->root, VG_FS_IN_ROOT);
	assert_int_equal(vg_services_running(fs, "cron.service", &running, &err),
			 VG_EUNSUPPORTED);
	assert_non_null(strstr(err.msg, "systemd is not the running init"));
	tu_dir(t->root, "/run/systemd/system", 0755);
	assert_int_equal(vg_services_running(fs, "cron.service", &running, &err),
			 VG_EUNSUPPORTED);
	assert_non_null(strstr(err.msg, "control groups"));
	tu_dir(t->root, "/sys/fs/cgroup/system.slice", 0755);
	assert_int_equal(vg_services_running(fs, "cron.service", &running, &err), 0);
	assert_false(running);
	tu_put(t->root, "/sys/fs/cgroup/system.slice/cron.service/cgroup.procs", "");
	assert_int_equal(vg_services_running(fs, "cron.service", &running, &err), 0);
	assert_false(running);
	tu_put(t->root, "/sys/fs/cgroup/system.slice/cron.service/cgroup.procs", "612\n");
	assert_int_equal(vg_services_running(fs, "cron.service", &running, &err), 0);
	assert_true(running);
	tu_put(t->root,
	       "/sys/fs/cgroup/system.slice/system-getty.slice/getty@tty1.service/cgroup.procs",
	       "700\n");
	assert_int_equal(vg_services_running(fs, "getty@tty1.service", &running, &err), 0);
	assert_true(running);
	tu_put(t->root, "/sys/fs/cgroup/systemd/system.slice/"
	       "system-systemd\\x2dfsck.slice/systemd-fsck@sda1.service/cgroup.procs", "9\n");
	assert_int_equal(vg_services_running(fs, "systemd-fsck@sda1.service", &running, &err), 0);
	assert_true(running);
	assert_int_equal(vg_services_running(fs, "cron.socket", &running, &err),
			 VG_EUNSUPPORTED);
	vg_fs_free(fs);
}

static void check_enabled_masked(void **state)
{
	struct tu_tree *t = *state;
	struct tu_run r;

	lay_units(t);
	tu_run_rule(&r, t, "{services: {unit: [avahi-daemon.service, avahi-daemon.socket], "
		    "enabled: false}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_int_equal(r.fails, 1);
	assert_string_equal(r.first->loc.path,
			    "/etc/systemd/system/sockets.target.requires/avahi-daemon.socket");
	assert_string_equal(r.first->loc.object, "systemd:avahi-daemon.socket");
	assert_string_equal(r.first->evidence, "avahi-daemon.socket enabled");
	tu_run_free(&r);
	tu_run_rule(&r, t, "{services: {unit: [cups.service, telnet.socket], enabled: false}}",
		    false);
	assert_int_equal(r.verdict, VG_STATUS_PASS); /* masked, and not installed */
	tu_run_free(&r);
	tu_run_rule(&r, t, "{services: {unit: [cups.service, nosuch.service], masked: true}}",
		    false);
	assert_int_equal(r.verdict, VG_STATUS_PASS);
	tu_run_free(&r);
	tu_run_rule(&r, t, "{services: {unit: avahi-daemon.service, masked: true}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	tu_run_free(&r);
	tu_run_rule(&r, t, "{services: {unit: [cron.service, sshd.service, cups.service, "
		    "auditd.service], enabled: true}}", false);
	assert_int_equal(r.fails, 2);
	assert_true(tu_found(&r, "cups.service is masked"));
	assert_true(tu_found(&r, "auditd.service is not installed"));
	tu_run_free(&r);
	tu_run_rule(&r, t, "{services: {unit: cups.service, exists: false}}", false);
	assert_int_equal(r.verdict, VG_STATUS_PASS);
	tu_run_free(&r);
	tu_run_rule(&r, t, "{services: {unit: ssh.service, exists: false}}", false);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	tu_run_free(&r);
}

static void check_running_and_outcomes(void **state)
{
	struct tu_tree *t = *state;
	struct tu_run r;

	tu_run_rule(&r, t, "{services: {unit: cron.service, enabled: true}}", false);
	assert_int_equal(r.verdict, VG_STATUS_NOT_APPLICABLE);
	assert_non_null(strstr(r.first->message, "systemd is not installed"));
	tu_run_free(&r);
	tu_run_rule(&r, t, "{services: {unit: cron.service, running: true}}", false);
	assert_int_equal(r.verdict, VG_STATUS_NOT_APPLICABLE);
	tu_run_free(&r);
	lay_units(t);
	tu_run_rule(&r, t, "{services: {unit: cron.service, enabled: true, running: true}}", false);
	assert_int_equal(r.verdict, VG_STATUS_PASS);
	tu_run_free(&r);
	/* "live" on the tree: the control groups under its /sys decide */
	tu_dir(t->root, "/run/systemd/system", 0755);
	tu_dir(t->root, "/sys/fs/cgroup/system.slice", 0755);
	tu_put(t->root, "/sys/fs/cgroup/system.slice/ssh.service/cgroup.procs", "1\n");
	tu_run_rule(&r, t, "{services: {unit: [cron.service, sshd.service], running: false}}",
		    true);
	assert_int_equal(r.fails, 1);
	assert_string_equal(r.first->evidence, "sshd.service running");
	tu_run_free(&r);
	tu_run_rule(&r, t, "{services: {unit: cron.service, running: true}}", true);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	tu_run_free(&r);
	tu_dir(t->root, "/etc/systemd/system/secret.target.wants", 0700);
	if (geteuid() != 0)
		chmod(tu_path(t->root, "/etc/systemd/system/secret.target.wants"), 0000);
	assert_int_equal(tu_verdict_unprivileged(t, "{services: {unit: avahi-daemon.service, "
						 "enabled: false}}"),
			 VG_STATUS_NOT_EVALUATED);
}

/* A unit directory that cannot be listed may hold the unit file or the link
 * that decides: what was not found is not-evaluated, what was found fails. */
static void check_unlisted_dir(void **state)
{
	struct tu_tree *t = *state;
	static const struct {
		const char *check;
		int verdict;
	} cases[] = {
		{"{services: {unit: cron.service, enabled: true}}", VG_STATUS_NOT_EVALUATED},
		{"{services: {unit: auditd.service, exists: true}}", VG_STATUS_NOT_EVALUATED},
		{"{services: {unit: avahi-daemon.service, masked: true}}",
		 VG_STATUS_NOT_EVALUATED},
		{"{services: {unit: cron.service, exists: false}}", VG_STATUS_FAIL},
		{"{services: {unit: cups.service, enabled: false}}", VG_STATUS_NOT_EVALUATED},
	};

	tu_put(t->root, "/lib/systemd/system/cron.service", "[Unit]\n");
	tu_put(t->root, "/lib/systemd/system/cups.service", "[Unit]\n");
	tu_put(t->root, "/lib/systemd/system/avahi-daemon.service", "[Unit]\n");
	tu_symlink(t->root, "/etc/systemd/system/multi-user.target.wants/cron.service",
		   "/lib/systemd/system/cron.service");
	tu_dir(t->root, "/etc/systemd/system", 0700);
	if (geteuid() != 0)
		chmod(tu_path(t->root, "/etc/systemd/system"), 0000);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int v = tu_verdict_unprivileged(t, cases[i].check);

		if (v != cases[i].verdict)
			fail_msg("%s: verdict %d, expected %d", cases[i].check, v,
				 cases[i].verdict);
	}
	if (geteuid() != 0)
		chmod(tu_path(t->root, "/etc/systemd/system"), 0755);
}

static void check_bad_policy(void **state)
{
	static const char *const bad[] = {
		"{services: {unit: cron}}",
		"{services: {unit: cron.service}}",
		"{services: {unit: ../x.service, enabled: false}}",
		"{services: {unit: cron.service, masked: true, enabled: true}}",
		"{services: {unit: cron.service, exists: false, running: true}}",
		"{services: {unit: cron.service, enabled: maybe}}",
	};

	(void)state;
	tu_expect_rejected(bad, sizeof(bad) / sizeof(bad[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TREE_TEST(state_of_units),
		TU_TREE_TEST(running_from_cgroups),
		TU_TREE_TEST(check_enabled_masked),
		TU_TREE_TEST(check_running_and_outcomes),
		TU_TREE_TEST(check_unlisted_dir),
		cmocka_unit_test(check_bad_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
