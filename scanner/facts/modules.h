/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel modules: modprobe.d `install` and `blacklist` lines, and the loaded modules. */
#ifndef VG_FACTS_MODULES_H
#define VG_FACTS_MODULES_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "facts/facts.h"
#include "targets/fs.h"
#include "util.h"

/* Module names are compared with '-' read as '_', as kmod does. */
#define VG_MODULE_MAX_NAME 256

/* One `install` or `blacklist` line. */
struct vg_modprobe_entry {
	char *module;   /* normalized ('_'); for install, a glob as kmod allows */
	char *command;  /* install: the shell command, trimmed; blacklist: NULL */
	char *file;     /* inside the target */
	size_t line;
};

/* modprobe.d configuration, in the order kmod reads it. */
struct vg_modprobe_facts {
	struct vg_vec installs;    /* struct vg_modprobe_entry *: the first match wins */
	struct vg_vec blacklists;  /* struct vg_modprobe_entry * */
	struct vg_vec warnings;    /* char *: "file:line: why" for each ignored line */
	size_t files;
};

/* Modules loaded in the running kernel (/proc/modules). */
struct vg_modules_loaded {
	struct vg_vec names;      /* char *: normalized, sorted */
	bool no_module_support;   /* /proc/modules is absent: nothing can be loaded */
};

void vg_modprobe_facts_init(struct vg_modprobe_facts *f);
void vg_modprobe_facts_finish(struct vg_modprobe_facts *f);
void vg_modprobe_facts_free(struct vg_modprobe_facts *f);
void vg_modules_loaded_free(struct vg_modules_loaded *m);

/* Copies name[0..len) with every '-' turned into '_' into *out (the
 * caller's). VG_EPARSE for an empty name, whitespace, '/' or more than
 * VG_MODULE_MAX_NAME bytes. */
int vg_module_normalize(char **out, const char *name, size_t len, struct vg_error *err);

/* Applies one modprobe.d file's text (named file in findings) to f. Lines may
 * be continued with a trailing backslash. Lines kmod would reject, and lines
 * (continuations joined) longer than VG_MAX_CONFIG_LINE_BYTES, are recorded in
 * f->warnings and skipped; other keywords (alias, options, ...)
 * are ignored. NUL bytes: VG_EPARSE ("binary data"); more than
 * VG_MAX_CONFIG_ENTRIES entries: VG_ELIMIT. */
int vg_modprobe_parse(struct vg_modprobe_facts *f, const char *file, const char *data,
		      size_t len, struct vg_error *err);

/* Reads the *.conf files of /etc/modprobe.d, /run/modprobe.d,
 * /usr/local/lib/modprobe.d, /usr/lib/modprobe.d and /lib/modprobe.d (a name
 * in an earlier directory masks it in later ones; files read in name order)
 * into *out (free with vg_modprobe_facts_free). Errors as vg_sysctl_collect. */
int vg_modprobe_collect(struct vg_modprobe_facts **out, struct vg_fs *fs, struct vg_error *err);

/* The install line that applies to module (normalized): the first whose
 * pattern matches, or NULL. Borrowed. */
const struct vg_modprobe_entry *vg_modprobe_install(const struct vg_modprobe_facts *f,
						    const char *module);
/* The first blacklist line for module (normalized), or NULL. Borrowed. */
const struct vg_modprobe_entry *vg_modprobe_blacklist(const struct vg_modprobe_facts *f,
						      const char *module);
/* True when an install command keeps the module from loading: exactly
 * /bin/false, /bin/true, /usr/bin/false, /usr/bin/true, false or true. */
bool vg_modprobe_command_disables(const char *command);

/* Parses /proc/modules text into m (initialised here; free with
 * vg_modules_loaded_free on the heap or by finishing names). NUL bytes:
 * VG_EPARSE. */
int vg_modules_parse_loaded(struct vg_modules_loaded *m, const char *data, size_t len,
			    struct vg_error *err);
/* Reads /proc/modules inside fs into *out. A kernel without /proc/modules has
 * no module support: an empty list with no_module_support set. */
int vg_modules_collect_loaded(struct vg_modules_loaded **out, struct vg_fs *fs,
			      struct vg_error *err);
/* True when module (normalized) is loaded. */
bool vg_modules_is_loaded(const struct vg_modules_loaded *m, const char *module);

/* Collectors: modprobe.d (works offline) and /proc/modules (live only). */
extern const struct vg_collector vg_collector_modprobe;
extern const struct vg_collector vg_collector_modules_loaded;

#endif
