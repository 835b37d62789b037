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

/* Reads the configuration file at path into out (at most
 * VG_MAX_CONFIG_FILE_BYTES). A file that is gone, or that is not a regular
 * file after following symlinks, is absent: returns 1 with err cleared and
 * out empty. Else 0, or VG_E* with err set (VG_ELIMIT for a larger file,
 * VG_EPERM without privileges). Free out with vg_blob_finish either way. */
int vg_conffile_read(struct vg_blob *out, struct vg_fs *fs, const char *path,
		     struct vg_error *err);

/* Parses one configuration file's text, read from path. 0 or VG_E*. */
typedef int (*vg_conffile_parse_fn)(void *ud, const char *path, const char *data, size_t len,
				    struct vg_error *err);

/* Reads each file vg_conffiles_list picks from dirs in its order and hands it
 * to parse (a file that vanished in between is skipped), stopping at the
 * first error. 0, or the first VG_E* with err set. */
int vg_conffiles_parse(struct vg_fs *fs, const char *const *dirs, const char *suffix,
		       vg_conffile_parse_fn parse, void *ud, struct vg_error *err);

#endif
