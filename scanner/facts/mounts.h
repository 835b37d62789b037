/* SPDX-License-Identifier: Apache-2.0 */
/* Mounts: what /etc/fstab and systemd mount units configure, and what is mounted now. */
#ifndef VG_FACTS_MOUNTS_H
#define VG_FACTS_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "facts/facts.h"
#include "targets/fs.h"
#include "util.h"

/* Where a mount entry comes from, strongest first: systemd units in /etc and
 * /run override the units systemd generates from /etc/fstab, which override
 * the units packages ship in /usr/lib; systemd's own API mounts (/dev/shm,
 * /run, ...) apply when nothing else configures the mountpoint. */
enum vg_mount_origin {
	VG_MOUNT_UNIT_ADMIN = 0, /* enabled .mount unit in /etc/systemd/system or /run/systemd/system */
	VG_MOUNT_FSTAB,          /* /etc/fstab */
	VG_MOUNT_UNIT_VENDOR,    /* enabled .mount unit in /usr/local/lib, /usr/lib or /lib */
	VG_MOUNT_BUILTIN,        /* mounted by systemd itself */
	VG_MOUNT_LIVE,           /* /proc/self/mounts */
};

struct vg_mount_entry {
	char *source;     /* decoded (\040 is a space) */
	char *target;     /* decoded, normalized: no repeated or trailing '/' */
	char *fstype;
	char *options;    /* comma-separated, as written ("defaults" when none) */
	char *file;       /* where it is set (the Options= line for units); NULL for built-ins */
	size_t line;
	enum vg_mount_origin origin;
};

struct vg_mount_table {
	struct vg_vec entries;   /* struct vg_mount_entry *, in file order */
	struct vg_vec warnings;  /* char *: "file:line: why" for each ignored line */
};

void vg_mount_table_init(struct vg_mount_table *t);
void vg_mount_table_finish(struct vg_mount_table *t);
void vg_mount_table_free(struct vg_mount_table *t);

/* Decodes the octal escapes of fstab and /proc/self/mounts fields ("\040"
 * is a space, "\134" a backslash) from s[0..len) into *out (the caller's).
 * A backslash not followed by three octal digits naming a byte from 1 to 255
 * stays as it is. Fails only with VG_ENOMEM. */
int vg_mounts_unescape(char **out, const char *s, size_t len);

/* Normalizes an absolute path: repeated and trailing '/' removed ("/" stays).
 * VG_EPARSE for a relative path. *out is the caller's. */
int vg_mounts_normalize(char **out, const char *path, struct vg_error *err);

/* Parses fstab-format text (also /proc/self/mounts): blank-separated source,
 * target, type, options, with '#' comments. Lines with fewer than three
 * fields or longer than VG_MAX_CONFIG_LINE_BYTES are recorded in t->warnings
 * and skipped. Every entry gets origin and file. NUL
 * bytes: VG_EPARSE; more than VG_MAX_CONFIG_ENTRIES entries: VG_ELIMIT. */
int vg_mounts_parse_fstab(struct vg_mount_table *t, const char *file, const char *data,
			  size_t len, enum vg_mount_origin origin, struct vg_error *err);

/* One file of a systemd unit: the unit itself or one of its drop-ins. */
struct vg_unit_text {
	const char *file;
	const char *data;
	size_t len;
};
/* Parses a systemd .mount unit (What=, Where=, Type=, Options= in [Mount])
 * and its drop-ins, given in application order (later assignments win, an
 * empty Options= resets), into one entry of t. A unit without Where= is
 * recorded as a warning, and so is a line longer than VG_MAX_CONFIG_LINE_BYTES
 * (skipped). NUL bytes: VG_EPARSE. */
int vg_mounts_parse_unit(struct vg_mount_table *t, const struct vg_unit_text *texts, size_t n,
			 enum vg_mount_origin origin, struct vg_error *err);

/* What the target configures: /etc/fstab (missing: nothing), enabled .mount
 * units with their drop-ins, and systemd's API mounts when the target runs
 * systemd. *out is freed with vg_mount_table_free. VG_EPERM when something
 * cannot be read. */
int vg_mounts_collect_config(struct vg_mount_table **out, struct vg_fs *fs, struct vg_error *err);
/* What is mounted now: /proc/self/mounts inside fs. */
int vg_mounts_collect_live(struct vg_mount_table **out, struct vg_fs *fs, struct vg_error *err);

/* The entry that decides mountpoint (normalized): the strongest origin, and
 * within it the last entry (a later mount covers an earlier one). NULL when
 * nothing mounts it. Borrowed. */
const struct vg_mount_entry *vg_mounts_find(const struct vg_mount_table *t,
					    const char *mountpoint);

/* Whether option opt is in effect after the comma-separated options: the
 * last of opt and its opposite wins ("nodev"/"dev", "ro"/"rw"); "user" and
 * "users" imply noexec, nosuid and nodev, "owner" and "group" nosuid and
 * nodev; options the kernel turns on by default (rw, suid, dev, exec, async,
 * auto) hold unless turned off. An option with a value ("mode=1777") holds
 * when written exactly; a bare name ("size") when written with any value. */
bool vg_mount_option_set(const char *options, const char *opt);

/* Collectors: configured mounts (works offline) and live mounts (live only). */
extern const struct vg_collector vg_collector_mounts_config;
extern const struct vg_collector vg_collector_mounts_live;

#endif
