/* SPDX-License-Identifier: Apache-2.0 */
/* Listening sockets of the live host from /proc/net, with their owning processes when visible. */
#ifndef VG_FACTS_LISTENING_H
#define VG_FACTS_LISTENING_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "facts/facts.h"
#include "targets/fs.h"
#include "util.h"

/* A TCP socket in LISTEN state or an unconnected bound UDP socket. */
struct vg_socket {
	char proto[5];            /* "tcp", "tcp6", "udp", "udp6" */
	bool v6;
	unsigned char addr[16];   /* network byte order; IPv4 in the first 4 bytes */
	unsigned port;
	unsigned long long inode;
	long long uid;
	long pid;                 /* 0: not known */
	char *process;            /* the owner's comm, or NULL when not known */
};

struct vg_listening {
	struct vg_vec sockets;    /* struct vg_socket * */
	size_t tables;            /* /proc/net tables read */
	size_t unreadable;        /* processes whose descriptors could not be read: their
				   /proc/PID/fd not listed, or a link in it refused */
	bool procs_unlisted;      /* /proc itself could not be listed: no owner is known */
	size_t problems;          /* table lines that could not be parsed */
};

struct vg_listening *vg_listening_new(void);
void vg_listening_free(struct vg_listening *l);

/* Parses one /proc/net table (proto "tcp", "tcp6", "udp" or "udp6") and keeps
 * its listening sockets. Addresses are decoded in this machine's byte order,
 * as the kernel prints them. Lines that do not parse are counted in
 * l->problems. Binary data fails with VG_EPARSE, more than
 * VG_MAX_CONFIG_ENTRIES listening sockets with VG_ELIMIT. Returns 0,
 * VG_EPARSE, VG_ELIMIT or VG_ENOMEM. */
int vg_listening_parse(struct vg_listening *l, const char *proto, const char *data, size_t len,
		       struct vg_error *err);

/* Matches socket inodes to processes through /proc/PID/fd links (readable
 * for every process only as root, and even then not for a process the kernel
 * protects from ptrace, such as a sandbox's init); counts the processes it
 * could not look into. Returns 0 or VG_ENOMEM. */
int vg_listening_owners(struct vg_listening *l, struct vg_fs *fs, struct vg_error *err);

/* Reads the four tables and the owners. A missing table (no IPv6) is
 * skipped; none at all fails with VG_ENOTFOUND, an unreadable one with its
 * code. */
int vg_listening_load(struct vg_listening **out, struct vg_fs *fs, struct vg_error *err);

/* "0.0.0.0" / "::1" style text of the address. Cannot fail. */
void vg_listening_addr(const struct vg_socket *s, char *buf, size_t size);
bool vg_listening_is_loopback(const struct vg_socket *s);
bool vg_listening_is_wildcard(const struct vg_socket *s);

extern const struct vg_collector vg_collector_listening;

#endif
