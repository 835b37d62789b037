/* SPDX-License-Identifier: Apache-2.0 */
/* Drop-in configuration directories (sysctl.d, modprobe.d, ...): which files apply, in order. */
#ifndef VG_CONFDIRS_H
#define VG_CONFDIRS_H

#include "error.h"
#include "targets/fs.h"
#include "util.h"

/* One file chosen from the drop-in directories. */
struct vg_conffile {
	char *name;  /* file name, e.g. "60-vigil.conf" */
	char *path;  /* where it was found, inside the fs */
};

/* Lists the files whose names end in suffix in dirs (a NULL-terminated list,
 * highest priority first), as systemd and kmod do: a name found in an earlier
 * directory masks the same name in every later one; the survivors come back
 * sorted by name, whatever directory they are in. Hidden names (leading '.')
 * are skipped; so is a name whose winning entry is not a regular file after
 * following symlinks (a symlink to /dev/null masks, a directory is ignored).
 * A missing directory is skipped; one that cannot be read fails with its code
 * (VG_EPERM without privileges). out is initialised here and holds struct
 * vg_conffile *; free it with vg_conffiles_finish, whatever this returns. */
int vg_conffiles_list(struct vg_vec *out, struct vg_fs *fs, const char *const *dirs,
		      const char *suffix, struct vg_error *err);
void vg_conffiles_finish(struct vg_vec *files);

#endif
