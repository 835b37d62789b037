/* SPDX-License-Identifier: Apache-2.0 */
/* Parses /proc/net/{tcp,tcp6,udp,udp6} and finds which process owns each listening socket. */
#include "facts/listening.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts/accounts.h"
#include "limits.h"

#define TCP_LISTEN 0x0A
#define UDP_UNCONNECTED 0x07 /* TCP_CLOSE: bound, not connected */

static void socket_free(void *p)
{
	struct vg_socket *s = p;

	if (!s)
		return;
	free(s->process);
	free(s);
}

struct vg_listening *vg_listening_new(void)
{
	struct vg_listening *l = calloc(1, sizeof(*l));

	if (l)
		vg_vec_init(&l->sockets);
	return l;
}

void vg_listening_free(struct vg_listening *l)
{
	if (!l)
		return;
	vg_vec_finish(&l->sockets, socket_free);
	free(l);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* n hex digits (n <= 16) into *out. */
static bool parse_hex(const char *s, size_t n, unsigned long long *out)
{
	unsigned long long v = 0;

	if (n == 0 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = hexval(s[i]);

		if (d < 0)
			return false;
		v = v << 4 | (unsigned)d;
	}
	*out = v;
	return true;
}

static bool parse_dec(const char *s, size_t n, unsigned long long *out)
{
	unsigned long long v = 0;

	if (n == 0 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* "0100007F:0016": the address as 32-bit words the kernel printed in host
 * order (so copying each word's bytes gives network order), then the port. */
static bool parse_endpoint(const char *s, size_t n, bool v6, unsigned char *addr,
			   unsigned *port)
{
	size_t alen = v6 ? 32 : 8;
	unsigned long long v;

	if (n != alen + 5 || s[alen] != ':')
		return false;
	for (size_t w = 0; w < alen / 8; w++) {
		uint32_t word;

		if (!parse_hex(s + w * 8, 8, &v))
			return false;
		word = (uint32_t)v;
		memcpy(addr + w * 4, &word, 4);
	}
	if (!parse_hex(s + alen + 1, 4, &v))
		return false;
	*port = (unsigned)v;
	return true;
}

struct tok {
	const char *s;
	size_t n;
};

static size_t tokenize(const char *line, size_t len, struct tok *t, size_t max)
{
	size_t count = 0, i = 0;

	while (i < len && count < max) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len)
			break;
		t[count].s = line + i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		t[count].n = (size_t)(line + i - t[count].s);
		count++;
	}
	return count;
}

int vg_listening_parse(struct vg_listening *l, const char *proto, const char *data, size_t len,
		       struct vg_error *err)
{
	bool v6 = !strcmp(proto, "tcp6") || !strcmp(proto, "udp6");
	bool tcp = !strncmp(proto, "tcp", 3);
	size_t lineno = 0;

	if (vg_accounts_looks_binary(data, len))
		return vg_error_set(err, VG_EPARSE, "/proc/net/%s is not a text file", proto);
	for (size_t off = 0; off < len;) {
		const char *line = data + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t n = nl ? (size_t)(nl - line) : len - off;
		struct tok t[10];
		unsigned char laddr[16] = {0}, raddr[16] = {0};
		unsigned lport = 0, rport = 0;
		unsigned long long st, uid, inode;
		struct vg_socket *s;

		off += n + (nl ? 1 : 0);
		if (++lineno == 1 || n == 0)
			continue; /* the header */
		if (tokenize(line, n, t, 10) < 10 ||
		    !parse_endpoint(t[1].s, t[1].n, v6, laddr, &lport) ||
		    !parse_endpoint(t[2].s, t[2].n, v6, raddr, &rport) ||
		    !parse_hex(t[3].s, t[3].n, &st) || !parse_dec(t[7].s, t[7].n, &uid) ||
		    !parse_dec(t[9].s, t[9].n, &inode)) {
			l->problems++;
			continue;
		}
		if (tcp ? st != TCP_LISTEN : (st != UDP_UNCONNECTED || lport == 0))
			continue;
		if (l->sockets.len >= VG_MAX_CONFIG_ENTRIES)
			return vg_error_set(err, VG_ELIMIT, "more than %d listening sockets",
					    VG_MAX_CONFIG_ENTRIES);
		s = calloc(1, sizeof(*s));
		if (!s || vg_vec_push(&l->sockets, s) < 0) {
			free(s);
			return vg_error_set(err, VG_ENOMEM, "listening: out of memory");
		}
		snprintf(s->proto, sizeof(s->proto), "%s", proto);
		s->v6 = v6;
		memcpy(s->addr, laddr, sizeof(laddr));
		s->port = lport;
		s->inode = inode;
		s->uid = (long long)uid;
	}
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int push_name(void *ud, const char *name)
{
	char *d;

	if (!all_digits(name))
		return 0;
	d = strdup(name);
	if (!d || vg_vec_push(ud, d) < 0) {
		free(d);
		return VG_ENOMEM;
	}
	return 0;
}

/* The socket inode a /proc/PID/fd link names ("socket:[12345]"), or 0. */
static unsigned long long socket_inode(const char *link)
{
	unsigned long long v;
	size_t n = strlen(link);

	if (n < 10 || strncmp(link, "socket:[", 8) || link[n - 1] != ']')
		return 0;
	return parse_dec(link + 8, n - 9, &v) ? v : 0;
}

/* Gives pid to every unowned socket with inode; returns how many it matched. */
static size_t claim(struct vg_listening *l, unsigned long long inode, long pid, const char *comm)
{
	size_t n = 0;

	for (size_t i = 0; i < l->sockets.len; i++) {
		struct vg_socket *s = l->sockets.items[i];

		if (s->inode != inode || s->pid)
			continue;
		s->pid = pid;
		free(s->process);
		s->process = comm ? strdup(comm) : NULL;
		n++;
	}
	return n;
}

static char *read_comm(struct vg_fs *fs, const char *pid)
{
	struct vg_blob b = {0};
	struct vg_error e = {0};
	char path[64];
	char *c = NULL;

	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	if (vg_fs_read(fs, path, 4096, &b, &e) == 0) {
		size_t n = strcspn(b.data, "\n");

		c = vg_strndup(b.data, n);
	}
	vg_blob_finish(&b);
	return c;
}

int vg_listening_owners(struct vg_listening *l, struct vg_fs *fs, struct vg_error *err)
{
	struct vg_vec pids;
	size_t left = 0;
	int rc = 0;

	for (size_t i = 0; i < l->sockets.len; i++)
		left += ((struct vg_socket *)l->sockets.items[i])->inode != 0;
	if (!left)
		return 0;
	vg_vec_init(&pids);
	rc = vg_fs_list(fs, "/proc", push_name, &pids, err);
	if (rc < 0) {
		vg_vec_finish(&pids, free);
		l->procs_unlisted = true;
		return rc == VG_ENOMEM ? rc : 0; /* owners stay unknown */
	}
	for (size_t i = 0; i < pids.len && left && rc == 0; i++) {
		const char *pid = pids.items[i];
		struct vg_vec fds;
		struct vg_error e = {0};
		char dir[64];
		char *comm = NULL;
		int64_t pidnum = 0;
		bool refused = false;

		snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
		vg_vec_init(&fds);
		rc = vg_fs_list(fs, dir, push_name, &fds, &e);
		if (rc == VG_EPERM)
			l->unreadable++;
		if (rc != VG_ENOMEM)
			rc = 0;
		vg_parse_i64(pid, 10, &pidnum);
		for (size_t k = 0; k < fds.len && left && rc == 0; k++) {
			char path[96];
			char *link = NULL;
			unsigned long long ino;

			snprintf(path, sizeof(path), "%s/%s", dir, (char *)fds.items[k]);
			if (vg_fs_readlink(fs, path, &link, &e) < 0) {
				/* listed but not readable: the kernel hides this process */
				if (e.code == VG_EPERM && !refused) {
					refused = true;
					l->unreadable++;
				}
				continue;
			}
			ino = socket_inode(link);
			free(link);
			if (!ino)
				continue;
			for (size_t s = 0; s < l->sockets.len; s++) {
				const struct vg_socket *so = l->sockets.items[s];

				if (so->inode == ino && !so->pid) {
					if (!comm)
						comm = read_comm(fs, pid);
					left -= claim(l, ino, (long)pidnum, comm);
					break;
				}
			}
		}
		free(comm);
		vg_vec_finish(&fds, free);
	}
	vg_vec_finish(&pids, free);
	if (rc < 0)
		return vg_error_set(err, rc, "listening: out of memory");
	return 0;
}

int vg_listening_load(struct vg_listening **out, struct vg_fs *fs, struct vg_error *err)
{
	static const char *const protos[] = {"tcp", "tcp6", "udp", "udp6", NULL};
	struct vg_listening *l = vg_listening_new();
	int rc = 0;

	*out = NULL;
	if (!l)
		return vg_error_set(err, VG_ENOMEM, "listening: out of memory");
	for (size_t i = 0; protos[i]; i++) {
		struct vg_blob b = {0};
		char path[32];

		snprintf(path, sizeof(path), "/proc/net/%s", protos[i]);
		rc = vg_fs_read(fs, path, VG_MAX_CONFIG_FILE_BYTES, &b, err);
		if (rc == VG_ENOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc < 0)
			goto out;
		l->tables++;
		rc = vg_listening_parse(l, protos[i], b.data, b.len, err);
		vg_blob_finish(&b);
		if (rc < 0)
			goto out;
	}
	if (!l->tables) {
		rc = vg_error_set(err, VG_ENOTFOUND, "no /proc/net/tcp or udp tables: /proc is not "
				  "mounted");
		goto out;
	}
	rc = vg_listening_owners(l, fs, err);
	if (rc < 0)
		goto out;
	*out = l;
	l = NULL;
out:
	vg_listening_free(l);
	return rc;
}

void vg_listening_addr(const struct vg_socket *s, char *buf, size_t size)
{
	if (!inet_ntop(s->v6 ? AF_INET6 : AF_INET, s->addr, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

static const unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool vg_listening_is_loopback(const struct vg_socket *s)
{
	static const unsigned char v6_loop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

	if (!s->v6)
		return s->addr[0] == 127;
	if (!memcmp(s->addr, v6_loop, 16))
		return true;
	return !memcmp(s->addr, mapped_prefix, 12) && s->addr[12] == 127;
}

bool vg_listening_is_wildcard(const struct vg_socket *s)
{
	static const unsigned char zero[16];

	return !memcmp(s->addr, zero, s->v6 ? 16 : 4);
}

static int collect(void **out, const struct vg_target *t, struct vg_error *err)
{
	struct vg_listening *l = NULL;
	int rc = vg_listening_load(&l, t->fs, err);

	*out = l;
	return rc;
}

static void free_facts(void *p)
{
	vg_listening_free(p);
}

const struct vg_collector vg_collector_listening = {
	.name = "listening",
	.offline = false,
	.live_only = true,
	.collect = collect,
	.free_facts = free_facts,
};
