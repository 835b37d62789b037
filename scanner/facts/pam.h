/* SPDX-License-Identifier: Apache-2.0 */
/* PAM stacks from /etc/pam.d and the module settings files under /etc/security. */
#ifndef VG_FACTS_PAM_H
#define VG_FACTS_PAM_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "facts/facts.h"
#include "targets/fs.h"
#include "util.h"

/* One module argument: "remember=24" is {remember, 24}; "nullok" has value NULL. */
struct vg_pam_arg {
	char *name;
	char *value;
};

/* One line of a service file: a module line, or "@include NAME". */
struct vg_pam_line {
	const char *path;      /* the file it is in (borrowed from its service) */
	size_t line;           /* of its first physical line */
	char *type;            /* auth, account, password or session (without '-');
				* NULL for @include */
	bool dash;             /* "-type": a missing module is ignored */
	char *control;         /* "required", "[success=1 default=ignore]", "include", ... */
	char *module;          /* as written: "pam_unix.so", "/lib/.../pam_unix.so", or a
			        * service name for include/substack */
	struct vg_pam_arg *args;
	size_t nargs;
	char *include;         /* @include: the service included; NULL otherwise */
};

struct vg_pam_problem {
	size_t line;
	char *msg;
};

struct vg_pam_service {
	char *name;            /* file name in /etc/pam.d */
	char *path;            /* "/etc/pam.d/NAME" */
	int code;              /* 0 parsed; VG_EPERM, VG_EPARSE (binary), VG_ELIMIT, VG_EIO */
	struct vg_error err;
	struct vg_vec lines;   /* struct vg_pam_line * */
	struct vg_vec problems;/* struct vg_pam_problem *: lines that were skipped */
};

/* A "key = value" (or bare "flag") line of a module's own settings file. */
struct vg_pam_setting {
	char *key;
	char *value;           /* NULL for a flag */
	char *path;            /* the file that sets it */
	size_t line;
};

/* The settings files of a module that reads them (pam_faillock, pam_pwhistory,
 * pam_pwquality with its pwquality.conf.d drop-ins, which are read first). */
struct vg_pam_conf {
	const char *module;    /* "pam_faillock.so" (static) */
	const char *path;      /* the main file (static) */
	int code;              /* worst read status: 0, VG_ENOTFOUND (main file missing),
				* VG_EPERM, VG_EPARSE (binary), ... */
	struct vg_error err;
	struct vg_vec settings;/* struct vg_pam_setting *, in reading order (last wins) */
};

struct vg_pam {
	int dir_code;          /* listing /etc/pam.d: 0, VG_ENOTFOUND, VG_EPERM, ... */
	struct vg_error dir_err;
	struct vg_vec services;/* struct vg_pam_service *, sorted by name */
	struct vg_vec confs;   /* struct vg_pam_conf * */
};

struct vg_pam_service *vg_pam_service_new(const char *name, const char *path);
void vg_pam_service_free(struct vg_pam_service *s);

/* Parses a service file's text into s: comments, "\" continuations, "-type",
 * "[value=action ...]" controls, "[arg with spaces]" arguments and "@include".
 * Lines that cannot be understood (or longer than VG_MAX_CONFIG_LINE_BYTES) go
 * to s->problems. Binary data fails with VG_EPARSE, more than
 * VG_MAX_CONFIG_ENTRIES lines with VG_ELIMIT (s->code and s->err set).
 * Returns 0, VG_EPARSE, VG_ELIMIT or VG_ENOMEM. */
int vg_pam_parse_service(struct vg_pam_service *s, const char *data, size_t len,
			 struct vg_error *err);

/* Parses one settings file (path is recorded in each setting): "deny = 5",
 * "even_deny_root". Appends to c->settings. Returns 0, VG_EPARSE (binary) or
 * VG_ENOMEM. */
int vg_pam_parse_conf(struct vg_pam_conf *c, const char *path, const char *data, size_t len,
		      struct vg_error *err);

/* Reads /etc/pam.d/ and the settings files. Files that cannot be read are
 * recorded in their entries; fails only with VG_ENOMEM. */
int vg_pam_load(struct vg_pam **out, struct vg_fs *fs, struct vg_error *err);
void vg_pam_free(struct vg_pam *p);

/* The service named name, or NULL. Borrowed. */
const struct vg_pam_service *vg_pam_find(const struct vg_pam *p, const char *name);

/* The lines service name runs, in order: "@include" replaced by the included
 * file's lines, "include"/"substack" controls by that service's lines of the
 * same type. Pointers in out are borrowed from p. A service that is missing
 * or unreadable on the way, an include cycle, or nesting deeper than
 * VG_MAX_INCLUDE_DEPTH fails with VG_ENOTFOUND / its code / VG_ELIMIT and err
 * says where. VG_ENOMEM otherwise. */
int vg_pam_expand(const struct vg_pam *p, const char *name, struct vg_vec *out,
		  struct vg_error *err);

/* The module's file name without directories: "pam_unix.so". */
const char *vg_pam_module_base(const char *module);
/* Whether a line's module is mod ("pam_unix.so" or "pam_unix"). */
bool vg_pam_module_is(const struct vg_pam_line *l, const char *mod);

/* The argument name on l: set (true) with *value (NULL for a flag), else false. */
bool vg_pam_line_arg(const struct vg_pam_line *l, const char *name, const char **value);

/* The settings files of module (any spelling vg_pam_module_is accepts), or
 * NULL for a module that reads none. Borrowed. */
const struct vg_pam_conf *vg_pam_conf_find(const struct vg_pam *p, const char *module);
/* The last setting of name in c, or NULL. Borrowed. */
const struct vg_pam_setting *vg_pam_conf_get(const struct vg_pam_conf *c, const char *name);
/* The module's built-in default for option name, or NULL. */
const char *vg_pam_default(const char *module, const char *name);

extern const struct vg_collector vg_collector_pam;

#endif
