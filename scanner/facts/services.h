/* SPDX-License-Identifier: Apache-2.0 */
/* systemd unit state from the unit directories: installed, enabled, masked, aliases. */
#ifndef VG_FACTS_SERVICES_H
#define VG_FACTS_SERVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "facts/facts.h"
#include "targets/fs.h"
#include "util.h"

/* A unit file (or a symlink standing for one) in a unit directory. */
struct vg_unit_file {
	char *name;       /* "ssh.service" */
	char *path;       /* "/lib/systemd/system/ssh.service" */
	size_t prio;      /* index of its directory: lower wins */
	char *link;       /* symlink target as stored, or NULL for a plain file */
};

/* A symlink in a "<unit>.wants/", ".requires/" or ".upholds/" directory: the
 * unit it names is pulled in by that unit, i.e. enabled. */
struct vg_unit_want {
	char *unit;       /* the link's name: "avahi-daemon.service" */
	char *path;       /* the link itself */
	char *by;         /* "multi-user.target" */
	bool vendor;      /* in a package's directory (/usr/lib, /lib), not /etc or /run */
};

struct vg_services {
	size_t dirs_found;     /* unit directories that exist */
	struct vg_vec files;   /* struct vg_unit_file *, by directory precedence then name */
	struct vg_vec wants;   /* struct vg_unit_want * */
	size_t denied;         /* directories that could not be listed (permission) */
	size_t errors;         /* other listing problems (or more than VG_MAX_CONFIG_ENTRIES) */
	bool full;             /* stopped keeping files and links at the cap */
	struct vg_error problem; /* the first of those */
};

/* The state of one unit. */
struct vg_unit_state {
	const char *name;                  /* the unit, after following an alias link */
	const struct vg_unit_file *file;   /* its unit file (or template), or NULL: not installed */
	const struct vg_unit_file *mask;   /* the link to /dev/null that masks it, or NULL */
	const struct vg_unit_want *want;   /* the first link that enables it, or NULL */
};

/* The unit directories in precedence order (NULL-terminated). */
extern const char *const vg_services_dirs[];

struct vg_services *vg_services_new(void);
void vg_services_free(struct vg_services *s);

/* Reads every unit directory of fs. Directories that cannot be listed are
 * counted (denied / errors); fails only with VG_ENOMEM. */
int vg_services_load(struct vg_services **out, struct vg_fs *fs, struct vg_error *err);

/* Works out unit's state: the highest-precedence file (a template
 * "name@.service" stands in for an instance), masking, one alias link
 * followed, and the wants links naming the unit or its alias. Cannot fail. */
void vg_services_state(const struct vg_services *s, const char *unit, struct vg_unit_state *out);

/* Whether unit names a well-formed unit: "name.suffix" with a known suffix. */
bool vg_services_unit_valid(const char *unit);

/* On a live host: whether a process of service unit runs, from its control
 * group under /sys/fs/cgroup (no systemctl, no D-Bus). *running gets the
 * answer. Fails with VG_EUNSUPPORTED when systemd is not the running init
 * (no /run/systemd/system) or the unit is not a service, VG_EPERM when the
 * cgroup cannot be read. */
int vg_services_running(struct vg_fs *fs, const char *unit, bool *running, struct vg_error *err);

extern const struct vg_collector vg_collector_services;

#endif
