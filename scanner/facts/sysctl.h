/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel parameters: persisted in sysctl.d and /etc/sysctl.conf, and live in /proc/sys. */
#ifndef VG_FACTS_SYSCTL_H
#define VG_FACTS_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "facts/facts.h"
#include "targets/fs.h"
#include "util.h"

/* Keys are kept in dotted form: "net.ipv4.ip_forward". A dot inside a path
 * component (the interface eth0.100) is written '/', as sysctl.d allows:
 * "net.ipv4.conf.eth0/100.rp_filter" is /proc/sys/net/ipv4/conf/eth0.100/rp_filter. */
#define VG_SYSCTL_MAX_KEY 512

/* One assignment from a configuration file. */
struct vg_sysctl_setting {
	char *key;     /* normalized (dotted) */
	char *value;   /* trimmed, inner runs of whitespace collapsed to one space */
	char *file;    /* where it was set, inside the target */
	size_t line;
	bool glob;     /* the key is a glob pattern */
	size_t seq;    /* private: order of application */
};

/* Persisted configuration in the order systemd-sysctl applies it. */
struct vg_sysctl_facts {
	struct vg_vec settings;  /* struct vg_sysctl_setting *: explicit keys */
	struct vg_vec globs;     /* struct vg_sysctl_setting *: glob keys, in order */
	struct vg_vec excluded;  /* char *: keys that "-key" lines keep out of globs */
	struct vg_vec warnings;  /* char *: "file:line: why" for each ignored line */
	size_t files;            /* files applied */
	size_t seq;              /* private: assignments seen */
	bool indexed;            /* private: settings sorted, one per key */
};

void vg_sysctl_facts_init(struct vg_sysctl_facts *f);
void vg_sysctl_facts_finish(struct vg_sysctl_facts *f);
/* Heap variant for the fact cache; accepts NULL. */
void vg_sysctl_facts_free(struct vg_sysctl_facts *f);

/* Normalizes key[0..len) (either separator; no leading "-", callers strip it)
 * into its dotted form in *out (the caller's). Fails with VG_EPARSE for an empty key, an empty or
 * "."/".." component, whitespace or control characters, or more than
 * VG_SYSCTL_MAX_KEY bytes. Glob characters are allowed. */
int vg_sysctl_normalize(char **out, const char *key, size_t len, struct vg_error *err);

/* Applies the text of one configuration file (named file in findings) on top
 * of f: later assignments override earlier ones. Lines that are not
 * assignments are recorded in f->warnings and skipped, as systemd-sysctl does,
 * and so are lines longer than VG_MAX_CONFIG_LINE_BYTES.
 * Data containing NUL bytes fails with VG_EPARSE ("binary data"); more than
 * VG_MAX_CONFIG_ENTRIES assignments in f fails with VG_ELIMIT. */
int vg_sysctl_parse(struct vg_sysctl_facts *f, const char *file, const char *data, size_t len,
		    struct vg_error *err);

/* Reads the target's persisted configuration into *out (free with
 * vg_sysctl_facts_free): the *.conf files of /etc/sysctl.d, /run/sysctl.d,
 * /usr/local/lib/sysctl.d, /usr/lib/sysctl.d and /lib/sysctl.d (a name in an
 * earlier directory masks it in later ones; files applied in name order),
 * then /etc/sysctl.conf, which is applied last and so wins. Errors: VG_EPERM
 * when a directory or file cannot be read, VG_EPARSE for a binary file,
 * VG_ELIMIT for a file over VG_MAX_CONFIG_FILE_BYTES; err names the file. */
int vg_sysctl_collect(struct vg_sysctl_facts **out, struct vg_fs *fs, struct vg_error *err);

/* Keeps only the effective explicit assignment of each key and sorts them,
 * so lookups are fast (vg_sysctl_collect does this). Parsing more text after
 * this is allowed; it drops the index. Cannot fail. */
void vg_sysctl_index(struct vg_sysctl_facts *f);

/* The effective persisted setting of key (normalized): the last explicit
 * assignment (systemd gives explicit keys priority over globs whatever their
 * order); without one, the last glob that matches unless a "-key" line
 * excludes it. NULL when nothing persists it. Borrowed from f. Read-only, so
 * concurrent lookups are safe. */
const struct vg_sysctl_setting *vg_sysctl_lookup(const struct vg_sysctl_facts *f,
						 const char *key);

/* The runtime value of key (normalized) from /proc/sys inside fs, trimmed and
 * with whitespace runs collapsed, into *out (the caller's). Errors:
 * VG_ENOTFOUND when the running kernel has no such parameter, VG_EPERM when
 * it may not be read, others from vg_fs_read. */
int vg_sysctl_runtime(char **out, struct vg_fs *fs, const char *key, struct vg_error *err);

/* Collapses whitespace in value as the facts store it; returns a new string
 * (NULL on ENOMEM). Used to compare expectations with stored values. */
char *vg_sysctl_clean_value(const char *value, size_t len);

/* The collector of persisted values (works offline). */
extern const struct vg_collector vg_collector_sysctl;

#endif
