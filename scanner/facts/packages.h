/* SPDX-License-Identifier: Apache-2.0 */
/* Installed packages from the dpkg status database, and Debian version ordering. */
#ifndef VG_FACTS_PACKAGES_H
#define VG_FACTS_PACKAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "facts/facts.h"
#include "targets/fs.h"

#define VG_DPKG_STATUS "/var/lib/dpkg/status"

struct vg_pkg {
	char *name;
	char *arch;      /* NULL when the stanza has none */
	char *version;   /* NULL when the stanza has none */
	char *state;     /* third word of Status: "installed", "config-files", ... */
	bool installed;  /* its files are on disk: any state but not-installed/config-files */
	size_t line;     /* of the stanza's first line */
};

struct vg_packages {
	int code;           /* 0 read; VG_ENOTFOUND (no dpkg database), VG_EPERM, VG_EPARSE, ... */
	struct vg_error err;
	bool rpm_db;        /* no dpkg database, but an RPM one is there (not read) */
	struct vg_pkg *pkgs;/* sorted by name, then architecture */
	size_t npkgs;
	size_t problems;    /* stanzas skipped: no Package or Status field */
};

/* Parses the text of a dpkg status file into p (sorted). Stanzas without a
 * Package or a Status field are counted in p->problems and skipped. Binary
 * data fails with VG_EPARSE, more than VG_MAX_CONFIG_ENTRIES packages with
 * VG_ELIMIT (p->code and p->err set). Returns 0, VG_EPARSE, VG_ELIMIT or
 * VG_ENOMEM. */
int vg_packages_parse_dpkg(struct vg_packages *p, const char *data, size_t len,
			   struct vg_error *err);

/* Reads VG_DPKG_STATUS from fs. A missing or unreadable database is recorded
 * in (*out)->code (and rpm_db noted); fails only with VG_ENOMEM. */
int vg_packages_load(struct vg_packages **out, struct vg_fs *fs, struct vg_error *err);
void vg_packages_free(struct vg_packages *p);

/* The entries named name (one per architecture): index of the first in
 * p->pkgs and their count (0 when there is none). */
size_t vg_packages_find(const struct vg_packages *p, const char *name, size_t *count);

/* Whether v is a well-formed Debian version: [epoch:]upstream[-revision]. */
bool vg_packages_version_valid(const char *v);
/* Compares two Debian versions as dpkg does (epoch, then upstream and
 * revision with '~' sorting before everything, letters before other
 * characters, digit runs numerically). Returns <0, 0, >0. Versions that are
 * not valid compare as strings after the valid ones are handled; cannot fail. */
int vg_packages_vercmp(const char *a, const char *b);

extern const struct vg_collector vg_collector_packages;

#endif
