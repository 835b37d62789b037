/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for facts/listening.c and the listening check: /proc/net tables, owners, live sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "facts/listening.h"
#include "testutil.h"
#include "util.h"

/* Addresses are printed as 32-bit words in host order: build them that way so
 * the test holds on any byte order. */
static void word_hex(char *out, size_t size, const unsigned char *b)
{
	uint32_t w;

	memcpy(&w, b, 4);
	snprintf(out, size, "%08X", (unsigned)w);
}

static void v4_hex(char *out, size_t size, const char *addr)
{
	unsigned char b[4];

	assert_int_equal(inet_pton(AF_INET, addr, b), 1);
	word_hex(out, size, b);
}

static void v6_hex(char *out, size_t size, const char *addr)
{
	unsigned char b[16];

	assert_int_equal(inet_pton(AF_INET6, addr, b), 1);
	for (int i = 0; i < 4; i++)
		word_hex(out + i * 8, size - (size_t)i * 8, b + i * 4);
}

static const char header[] = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
			     "retrnsmt   uid  timeout inode\n";

static void parse_tcp(void **state)
{
	struct vg_listening *l = vg_listening_new();
	struct vg_error err = {0};
	char any[16], lo[16], ext[16], text[2048];
	const struct vg_socket *s;
	char addr[64];

	(void)state;
	v4_hex(any, sizeof(any), "0.0.0.0");
	v4_hex(lo, sizeof(lo), "127.0.0.1");
	v4_hex(ext, sizeof(ext), "10.1.2.3");
	snprintf(text, sizeof(text),
		 "%s"
		 "   0: %s:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"
		 "        0 1001 1 0000000000000000 100 0 0 10 0\n"
		 "   1: %s:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000   108"
		 "        0 1002 1 0000000000000000 100 0 0 10 0\n"
		 "   2: %s:0016 %s:C350 01 00000000:00000000 02:000AFC9F 00000000     0        0 "
		 "1003 4 0000000000000000 20 4 30 10 -1\n"
		 "   3: garbage\n"
		 "   4: %s:ZZZZ 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1\n",
		 header, any, lo, ext, ext, ext);
	assert_int_equal(vg_listening_parse(l, "tcp", text, strlen(text), &err), 0);
	assert_int_equal(l->sockets.len, 2); /* the established connection is no listener */
	assert_int_equal(l->problems, 2);
	s = l->sockets.items[0];
	assert_int_equal(s->port, 22);
	assert_int_equal(s->inode, 1001);
	assert_true(vg_listening_is_wildcard(s));
	assert_false(vg_listening_is_loopback(s));
	vg_listening_addr(s, addr, sizeof(addr));
	assert_string_equal(addr, "0.0.0.0");
	s = l->sockets.items[1];
	assert_int_equal(s->port, 631);
	assert_int_equal(s->uid, 108);
	assert_true(vg_listening_is_loopback(s));
	vg_listening_addr(s, addr, sizeof(addr));
	assert_string_equal(addr, "127.0.0.1");
	vg_listening_free(l);
}

static void parse_v6_and_udp(void **state)
{
	struct vg_listening *l = vg_listening_new();
	struct vg_error err = {0};
	char any6[40], lo6[40], mapped[40], v4[16], zero6[40], text[4096];
	char addr[64];
	const struct vg_socket *s;

	(void)state;
	v6_hex(any6, sizeof(any6), "::");
	v6_hex(lo6, sizeof(lo6), "::1");
	v6_hex(mapped, sizeof(mapped), "::ffff:127.0.0.1");
	v6_hex(zero6, sizeof(zero6), "::");
	v4_hex(v4, sizeof(v4), "0.0.0.0");
	snprintf(text, sizeof(text),
		 "%s"
		 "   0: %s:0050 %s:0000 0A 00000000:00000000 00:00000000 00000000 0 0 2001 1\n"
		 "   1: %s:1F90 %s:0000 0A 00000000:00000000 00:00000000 00000000 0 0 2002 1\n"
		 "   2: %s:1F91 %s:0000 0A 00000000:00000000 00:00000000 00000000 0 0 2003 1\n",
		 header, any6, zero6, lo6, zero6, mapped, zero6);
	assert_int_equal(vg_listening_parse(l, "tcp6", text, strlen(text), &err), 0);
	assert_int_equal(l->sockets.len, 3);
	s = l->sockets.items[0];
	assert_true(s->v6);
	assert_int_equal(s->port, 80);
	assert_true(vg_listening_is_wildcard(s));
	vg_listening_addr(s, addr, sizeof(addr));
	assert_string_equal(addr, "::");
	assert_true(vg_listening_is_loopback(l->sockets.items[1]));
	assert_true(vg_listening_is_loopback(l->sockets.items[2]));
	snprintf(text, sizeof(text),
		 "%s"
		 "   0: %s:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0"
		 " 3001 2\n"
		 "   1: %s:8000 0A000001:0035 01 00000000:00000000 00:00000000 00000000 0 0"
		 " 3002 2\n"
		 "   2: %s:0000 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0"
		 " 3003 2\n",
		 header, v4, v4, v4);
	assert_int_equal(vg_listening_parse(l, "udp", text, strlen(text), &err), 0);
	assert_int_equal(l->sockets.len, 4); /* bound, not connected, port set: only the first */
	s = l->sockets.items[3];
	assert_string_equal(s->proto, "udp");
	assert_int_equal(s->port, 68);
	assert_int_equal(vg_listening_parse(l, "udp", "x\0y\x01", 4, &err), VG_EPARSE);
	vg_listening_free(l);
}

/* A socket this test opens is found in the live tables, with this process as its owner. */
static void live_owner(void **state)
{
	struct tu_tree host = {.root = "/"};
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	struct vg_listening *l = NULL;
	struct vg_error err = {0};
	struct vg_fs *fs;
	struct tu_run r;
	char check[256];
	bool found = false;
	int fd;

	(void)state;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	fs = tu_fs_open(host.root, VG_FS_IN_ROOT);
	assert_non_null(fs);
	if (vg_listening_load(&l, fs, &err) < 0) {
		close(fd);
		vg_fs_free(fs);
		print_message("no /proc/net here (%s)\n", err.msg);
		skip();
	}
	assert_true(l->tables >= 1);
	for (size_t i = 0; i < l->sockets.len; i++) {
		const struct vg_socket *s = l->sockets.items[i];

		if (s->port != ntohs(sa.sin_port) || !vg_listening_is_loopback(s))
			continue;
		found = true;
		assert_int_equal(s->pid, (long)getpid());
		assert_non_null(s->process);
	}
	assert_true(found);
	vg_listening_free(l);
	vg_fs_free(fs);

	snprintf(check, sizeof(check), "{listening: {port: %u, protocol: tcp, expect: absent, "
		 "address: all}}", (unsigned)ntohs(sa.sin_port));
	tu_run_rule(&r, &host, check, true);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	assert_non_null(strstr(r.first->evidence, "127.0.0.1"));
	assert_non_null(strstr(r.first->evidence, "pid"));
	tu_run_free(&r);
	/* loopback is not "any" address */
	snprintf(check, sizeof(check), "{listening: {port: %u, protocol: tcp, expect: absent}}",
		 (unsigned)ntohs(sa.sin_port));
	tu_run_rule(&r, &host, check, true);
	assert_int_equal(r.verdict, VG_STATUS_PASS);
	tu_run_free(&r);
	snprintf(check, sizeof(check), "{listening: {port: %u, protocol: udp, expect: present, "
		 "address: all}}", (unsigned)ntohs(sa.sin_port));
	tu_run_rule(&r, &host, check, true);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	tu_run_free(&r);
	tu_run_rule(&r, &host, "{listening: {allowed_ports: [], protocol: tcp, address: all}}",
		    true);
	assert_int_equal(r.verdict, VG_STATUS_FAIL);
	snprintf(check, sizeof(check), "port %u listens", (unsigned)ntohs(sa.sin_port));
	assert_true(tu_found(&r, check));
	tu_run_free(&r);
	snprintf(check, sizeof(check), "{listening: {allowed_ports: [%u], protocol: tcp, "
		 "address: all}}", (unsigned)ntohs(sa.sin_port));
	tu_run_rule(&r, &host, check, true);
	snprintf(check, sizeof(check), "port %u listens", (unsigned)ntohs(sa.sin_port));
	assert_false(tu_found(&r, check));
	tu_run_free(&r);
	close(fd);
}

struct hidden_args {
	int fd;          /* the parent's socket: closed in the child */
	unsigned port;
};

/* In a child without root: 1 when the finding on the parent's socket says
 * why its owner is not known, and does not guess one. */
static int owner_not_determined(void *arg)
{
	const struct hidden_args *a = arg;
	struct tu_tree host = {.root = "/"};
	struct tu_run r;
	char check[160];
	int v;

	close(a->fd);
	snprintf(check, sizeof(check), "{listening: {port: %u, protocol: tcp, expect: absent, "
		 "address: all}}", a->port);
	tu_run_rule(&r, &host, check, true);
	v = r.verdict == VG_STATUS_FAIL && r.first &&
	    strstr(r.first->message, "owner not determined: permission denied reading "
				     "/proc/PID/fd of ") &&
	    !strstr(r.first->message, "pid ") &&
	    !strcmp(strchr(r.first->evidence, '('), "(owner not determined)");
	tu_run_free(&r);
	return v;
}

/* A socket whose process cannot be looked into still fails, saying so. */
static void hidden_owner(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	struct hidden_args a;

	(void)state;
	if (geteuid() != 0)
		skip(); /* our own processes are always visible to us */
	a.fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(a.fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(a.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(a.fd, 1), 0);
	assert_int_equal(getsockname(a.fd, (struct sockaddr *)&sa, &len), 0);
	a.port = ntohs(sa.sin_port);
	assert_int_equal(tu_as_nobody(owner_not_determined, &a), 1);
	close(a.fd);
}

static void offline_not_applicable(void **state)
{
	struct tu_tree *t = *state;
	struct tu_run r;

	tu_run_rule(&r, t, "{listening: {port: 23, expect: absent}}", false);
	assert_int_equal(r.verdict, VG_STATUS_NOT_APPLICABLE);
	assert_non_null(strstr(r.first->message, "live system"));
	tu_run_free(&r);
}

static void check_bad_policy(void **state)
{
	static const char *const bad[] = {
		"{listening: {protocol: tcp}}",
		"{listening: {port: 0}}",
		"{listening: {port: 70000}}",
		"{listening: {port: ssh}}",
		"{listening: {port: 22, allowed_ports: [22]}}",
		"{listening: {port: 22, expect: maybe}}",
		"{listening: {allowed_ports: [22], expect: absent}}",
		"{listening: {port: 22, protocol: sctp}}",
		"{listening: {port: 22, address: 10.0.0.1}}",
		"{listening: {allowed_ports: {a: 1}}}",
	};

	(void)state;
	tu_expect_rejected(bad, sizeof(bad) / sizeof(bad[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_tcp),
		cmocka_unit_test(parse_v6_and_udp),
		cmocka_unit_test(live_owner),
		cmocka_unit_test(hidden_owner),
		TU_TREE_TEST(offline_not_applicable),
		cmocka_unit_test(check_bad_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
