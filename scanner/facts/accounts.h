/* SPDX-License-Identifier: Apache-2.0 */
/* Local accounts from /etc/passwd, /etc/shadow, /etc/group, /etc/gshadow and /etc/login.defs. */
#ifndef VG_FACTS_ACCOUNTS_H
#define VG_FACTS_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "facts/facts.h"
#include "targets/fs.h"
#include "util.h"

/* What a password field holds. The field itself is never kept: it may be a
 * hash, and hashes must not reach a report. */
enum vg_pw_state {
	VG_PW_EMPTY,    /* "": no password at all */
	VG_PW_SHADOWED, /* "x": the hash is in the shadow file */
	VG_PW_LOCKED,   /* starts with '!' or '*': no password login */
	VG_PW_HASH,     /* anything else: a usable hash */
};

/* The files the collector reads, in this order. */
enum vg_acct_kind {
	VG_ACCT_PASSWD,
	VG_ACCT_SHADOW,
	VG_ACCT_GROUP,
	VG_ACCT_GSHADOW,
	VG_ACCT_LOGIN_DEFS,
	VG_ACCT_NKINDS,
};

/* A line that could not be used. The message never quotes the line: in the
 * shadow files it may hold a hash. */
struct vg_acct_problem {
	size_t line;
	char *msg;
};

/* How reading one file went. */
struct vg_acct_file {
	const char *path;      /* "/etc/passwd", ... (static) */
	int code;              /* 0 read; VG_ENOTFOUND, VG_EPERM, VG_EPARSE (binary),
				* VG_ELIMIT, VG_EUNSUPPORTED (not a file), VG_EIO */
	struct vg_error err;   /* message when code < 0 */
	struct vg_vec problems;/* struct vg_acct_problem *: malformed lines */
};

struct vg_passwd_ent {
	char *name;
	enum vg_pw_state pw;
	int64_t uid, gid;
	char *gecos, *home, *shell;
	size_t line;
};

/* Ageing fields are kept as written: NULL when empty (not set). */
struct vg_shadow_ent {
	char *name;
	enum vg_pw_state pw;
	char *lastchg, *min, *max, *warn, *inactive, *expire;
	size_t line;
};

struct vg_group_ent {
	char *name;
	enum vg_pw_state pw;
	int64_t gid;
	char *members;         /* as written, comma-separated; "" when none */
	size_t line;
};

struct vg_gshadow_ent {
	char *name;
	enum vg_pw_state pw;
	char *admins, *members;
	size_t line;
};

/* One login.defs setting (the last definition of a name wins, as in shadow-utils). */
struct vg_logindef {
	char *key;
	char *value;
	size_t line;
};

struct vg_accounts {
	struct vg_acct_file files[VG_ACCT_NKINDS];
	struct vg_vec users;     /* struct vg_passwd_ent *, file order */
	struct vg_vec shadows;   /* struct vg_shadow_ent * */
	struct vg_vec groups;    /* struct vg_group_ent * */
	struct vg_vec gshadows;  /* struct vg_gshadow_ent * */
	struct vg_vec defs;      /* struct vg_logindef *, file order */
	/* sorted ids for fast membership tests (vg_accounts_index) */
	int64_t *uids, *gids;
	size_t nuids, ngids;
};

/* A new, empty set (every file marked VG_ENOTFOUND). NULL on ENOMEM. */
struct vg_accounts *vg_accounts_new(void);
void vg_accounts_free(struct vg_accounts *a);

/* Parses one file's text into a, reading lines the way glibc does: missing
 * trailing fields are empty (a five-field shadow line is an account). What is
 * wrong with a line is recorded in a->files[kind].problems; the line is
 * skipped only when it has fewer than two fields, no name, or lacks (or has a
 * non-numeric) uid or gid. Shadow lines glibc would ignore (a form it refuses,
 * ageing fields that are not numbers) are kept, so that an empty password in
 * them is still seen, and recorded as problems. Binary data (NUL bytes, control characters) fails
 * with VG_EPARSE and keeps nothing from the file; more than
 * VG_MAX_CONFIG_ENTRIES lines with entries or problems fail with VG_ELIMIT.
 * Also sets the file's code. Returns 0, VG_EPARSE, VG_ELIMIT or VG_ENOMEM. */
int vg_accounts_parse(struct vg_accounts *a, enum vg_acct_kind kind, const char *data,
		      size_t len, struct vg_error *err);

/* Builds the sorted id arrays after parsing (vg_accounts_load does it). */
int vg_accounts_index(struct vg_accounts *a);

/* Reads all five files from fs. A file that is missing, unreadable, too large
 * or binary is recorded in a->files[kind] and the others are still read.
 * Fails only with VG_ENOMEM. */
int vg_accounts_load(struct vg_accounts **out, struct vg_fs *fs, struct vg_error *err);

/* The shadow entry for name (the first one), or NULL. Borrowed. */
const struct vg_shadow_ent *vg_accounts_shadow(const struct vg_accounts *a, const char *name);
/* The group entry with gid (the first one), or NULL. Borrowed. */
const struct vg_group_ent *vg_accounts_group_by_gid(const struct vg_accounts *a, int64_t gid);
const struct vg_group_ent *vg_accounts_group_by_name(const struct vg_accounts *a,
						     const char *name);

/* The login.defs value of key: the last definition, or NULL when unset. *line
 * (may be NULL) gets its line. Borrowed. */
const char *vg_accounts_def(const struct vg_accounts *a, const char *key, size_t *line);
/* shadow-utils' built-in value of a login.defs key when it is unset, or NULL. */
const char *vg_accounts_def_default(const char *key);
/* An integer login.defs value, falling back to the built-in default and then
 * to def when neither is a number. */
int64_t vg_accounts_def_int(const struct vg_accounts *a, const char *key, int64_t def);

/* Whether uid / gid appears in passwd / group (after vg_accounts_index). */
bool vg_accounts_has_uid(const struct vg_accounts *a, int64_t uid);
bool vg_accounts_has_gid(const struct vg_accounts *a, int64_t gid);

/* Account classes: human = UID_MIN <= uid <= UID_MAX and not nobody/nfsnobody;
 * system = uid < UID_MIN, or nobody (65534) / nfsnobody. */
bool vg_accounts_is_human(const struct vg_accounts *a, const struct vg_passwd_ent *u);
bool vg_accounts_is_system(const struct vg_accounts *a, const struct vg_passwd_ent *u);
/* Whether the account has a usable password: its shadow entry (or, when the
 * passwd field is not "x", the passwd field) holds a hash that is not locked. */
bool vg_accounts_has_password(const struct vg_accounts *a, const struct vg_passwd_ent *u);
/* Whether shell refuses logins: ends in /nologin or /false. An empty shell
 * means /bin/sh, which does not. */
bool vg_accounts_shell_is_nologin(const char *shell);

/* "empty", "shadowed", "locked", "hash": for evidence (never the hash). */
const char *vg_accounts_pw_name(enum vg_pw_state s);

/* True when data looks binary rather than text: a NUL byte, or many control
 * characters in the first VG_BINARY_SNIFF_BYTES. Shared by the host-fact
 * parsers (accounts, PAM, dpkg, systemd). */
bool vg_accounts_looks_binary(const char *data, size_t len);

extern const struct vg_collector vg_collector_accounts;

#endif
