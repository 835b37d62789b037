/* SPDX-License-Identifier: Apache-2.0 */
/* The sshd collector: the effective OpenSSH server configuration (Include, Match, defaults). */
#ifndef VG_FACTS_SSHD_H
#define VG_FACTS_SSHD_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "facts/facts.h"
#include "targets/fs.h"
#include "util.h"

/* The main configuration file, inside the target. */
#define VG_SSHD_CONFIG "/etc/ssh/sshd_config"

/* One keyword line, in the order sshd reads it (Includes expanded in place). */
struct vg_sshd_setting {
	char *key;        /* canonical keyword: lower case, aliases resolved */
	char *value;      /* the arguments, quotes and escapes removed, joined by one space */
	const char *file; /* path inside the target (borrowed from the config) */
	size_t line;
	size_t block;     /* 0: global context; otherwise index + 1 of the Match block */
};

/* One Match criterion: an attribute and its pattern list. */
struct vg_sshd_criterion {
	char *attr;       /* lower case: user, group, host, address, localport, ... */
	char *patterns;   /* as written, e.g. "alice,!bob,adm*" */
	bool supported;
};

/* One Match block. A block opened in a file included from inside another
 * block applies only where that block does too (parent). */
struct vg_sshd_match {
	char *text;       /* the Match line's arguments, for messages */
	const char *file;
	size_t line;
	size_t parent;    /* 0 or index + 1 of the enclosing block */
	bool all;         /* Match all */
	struct vg_sshd_criterion *crit;
	size_t ncrit;
};

/* The parsed configuration. Read-only once loaded: safe to share between threads. */
struct vg_sshd_config {
	bool missing;           /* no /etc/ssh/sshd_config: sshd is not configured */
	struct vg_vec files;    /* char *: every file read, in order */
	struct vg_vec settings; /* struct vg_sshd_setting * */
	struct vg_vec blocks;   /* struct vg_sshd_match * */
};

/* A connection to evaluate Match blocks for (sshd -T -C). Unset members (NULL,
 * 0) make the criteria that need them not match, as sshd's test mode does. */
struct vg_sshd_conn {
	const char *user;
	const char *const *groups; /* the user's groups, for Match Group */
	size_t ngroups;
	const char *host;
	const char *address;
	const char *local_address;
	int local_port;            /* 0: unset */
	const char *rdomain;
};

/* An effective value. */
struct vg_sshd_value {
	char *value;      /* NULL when unset and without a default */
	const char *file; /* NULL: OpenSSH's built-in default (or unset); borrowed */
	size_t line;
	size_t block;     /* block of the line that set it (0 global) */
};
void vg_sshd_value_finish(struct vg_sshd_value *v);

/* Reads VG_SSHD_CONFIG from fs and everything it includes, in sshd's order.
 * A missing main file is not an error: *out has missing set. Errors:
 * VG_EPERM (a file or an Include directory cannot be read), VG_EPARSE
 * (binary data, bad quotes, a keyword without arguments, bad Match line),
 * VG_ELIMIT (a file, a line or the whole set of files over its cap, Includes
 * nested deeper than VG_MAX_INCLUDE_DEPTH), VG_EIO; err says "file:line:
 * what". *out is the caller's (vg_sshd_config_free). */
int vg_sshd_load(struct vg_sshd_config **out, struct vg_fs *fs, struct vg_error *err);

/* Parses text as the contents of a file named name (tests, and the collector).
 * Include lines are resolved through fs; with fs NULL they are errors. */
int vg_sshd_parse_string(struct vg_sshd_config **out, const char *name, const char *text,
			 size_t len, struct vg_fs *fs, struct vg_error *err);

void vg_sshd_config_free(struct vg_sshd_config *c);

/* The canonical form of a keyword (lower case, aliases such as
 * ChallengeResponseAuthentication resolved) into out (size n); false when it
 * does not fit. */
bool vg_sshd_canonical(const char *keyword, char *out, size_t n);

/* OpenSSH 9.x's built-in default for a canonical keyword, or NULL. Borrowed. */
const char *vg_sshd_default(const char *key);

/* True for keywords whose lines accumulate (AcceptEnv, AllowGroups,
 * AllowUsers, DenyGroups, DenyUsers, HostCertificate, HostKey, ListenAddress,
 * Port, Subsystem); every other keyword takes the first value obtained. */
bool vg_sshd_is_multi(const char *key);

/* The effective value of keyword for conn, or for the global context when
 * conn is NULL (a connection that matches no conditional Match block; lines
 * under "Match all" apply to it). As sshd does per connection: the first value
 * from a matching Match block wins, then the first global line, then the
 * default; multi-valued keywords accumulate within whichever of the two
 * supplied the value. out->value is the caller's (vg_sshd_value_finish).
 * Errors: VG_EUNSUPPORTED when a Match block that sets keyword and may apply
 * uses a criterion this module cannot evaluate (err says file:line and which),
 * VG_ENOMEM. */
int vg_sshd_get(const struct vg_sshd_config *c, const char *keyword,
		const struct vg_sshd_conn *conn, struct vg_sshd_value *out, struct vg_error *err);

/* True for algorithm-list keywords (Ciphers, MACs, KexAlgorithms,
 * HostKeyAlgorithms, PubkeyAcceptedAlgorithms, HostbasedAcceptedAlgorithms,
 * CASignatureAlgorithms), whose values may start with '+', '-' or '^'. */
bool vg_sshd_is_algorithm_list(const char *key);

/* The items a value enables: for algorithm lists, value expanded against the
 * default list ('+' appends, '-' removes the names or wildcards that follow,
 * '^' prepends; duplicates dropped); for other keywords, value split at commas
 * and blanks. Appends new strings to out (char *). 0 or VG_ENOMEM. */
int vg_sshd_list_items(const char *key, const char *value, struct vg_vec *out);

/* OpenSSH's pattern match: '*' and '?' wildcards. */
bool vg_sshd_wildmatch(const char *pattern, const char *s, bool nocase);

/* For time-valued keywords (LoginGraceTime, ClientAliveInterval,
 * UnusedConnectionTimeout): value in seconds ("1m30s" is 90), as sshd reads
 * it. False for other keywords or an invalid time. */
bool vg_sshd_seconds(const char *key, const char *value, long long *out);

/* The collector behind the sshd check type (offline: reads files only). */
extern const struct vg_collector vg_collector_sshd;

#endif
