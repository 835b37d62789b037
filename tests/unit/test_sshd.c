/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for facts/sshd.c and checks/sshd.c: parsing, Include, Match, defaults, the check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/check.h"
#include "engine/scan.h"
#include "error.h"
#include "facts/sshd.h"
#include "limits.h"
#include "policy/policy.h"
#include "targets/fs.h"
#include "testutil.h"
#include "util.h"

static struct vg_sshd_config *load_ok(struct tu_tree *t)
{
	struct vg_sshd_config *c = NULL;
	struct vg_error err = {0};
	int rc = vg_sshd_load(&c, tu_tree_fs(t), &err);

	if (rc != 0)
		fail_msg("vg_sshd_load: %d %s", rc, err.msg);
	assert_non_null(c);
	return c;
}

static struct vg_sshd_config *parse_ok(const char *text)
{
	struct vg_sshd_config *c = NULL;
	struct vg_error err = {0};
	int rc = vg_sshd_parse_string(&c, "/etc/ssh/sshd_config", text, strlen(text), NULL, &err);

	if (rc != 0)
		fail_msg("parse: %d %s", rc, err.msg);
	assert_non_null(c);
	return c;
}

/* Parses text expecting failure code; returns the message in err. */
static void parse_fails(const char *text, size_t len, int code, const char *needle)
{
	struct vg_sshd_config *c = NULL;
	struct vg_error err = {0};

	assert_int_equal(vg_sshd_parse_string(&c, "/etc/ssh/sshd_config", text, len, NULL, &err),
			 code);
	assert_null(c);
	tu_assert_msg(err.msg, needle);
}

/* Asserts keyword's effective value (for conn) is want, set at file:line
 * (file NULL: a default). */
static void expect_val(const struct vg_sshd_config *c, const char *kw,
		       const struct vg_sshd_conn *conn, const char *want, const char *file,
		       size_t line)
{
	struct vg_sshd_value v;
	struct vg_error err = {0};
	int rc = vg_sshd_get(c, kw, conn, &v, &err);

	if (rc != 0)
		fail_msg("get %s: %d %s", kw, rc, err.msg);
	if (!want)
		assert_null(v.value);
	else if (!v.value || strcmp(v.value, want))
		fail_msg("%s: got '%s', want '%s'", kw, v.value ? v.value : "(null)", want);
	if (!file) {
		assert_null(v.file);
	} else {
		assert_non_null(v.file);
		assert_string_equal(v.file, file);
		assert_int_equal(v.line, line);
	}
	vg_sshd_value_finish(&v);
}

#define MAIN "/etc/ssh/sshd_config"

/* ---- syntax, from strings ---- */

static void test_syntax(void **state)
{
	struct vg_sshd_config *c = parse_ok("# a comment\n"
					    "PermitRootLogin no\n"
					    "  passwordauthentication=no\n"
					    "MaxAuthTries = 3\n"
					    "\n"
					    "Banner \"/etc/issue net\" # trailing comment\n"
					    "UsePAM\tyes\r\n"
					    "AuthorizedKeysFile .ssh/a 'b c' d\\ e\n"
					    "LogLevel VERBOSE   \t\f\n"
					    "#PermitEmptyPasswords yes\n"
					    "\"PermitTTY\"=no\n"
					    "MaxSessions 4");

	(void)state;
	expect_val(c, "PermitRootLogin", NULL, "no", MAIN, 2);
	expect_val(c, "PasswordAuthentication", NULL, "no", MAIN, 3);
	expect_val(c, "maxauthtries", NULL, "3", MAIN, 4);
	expect_val(c, "Banner", NULL, "/etc/issue net", MAIN, 6);
	expect_val(c, "USEPAM", NULL, "yes", MAIN, 7);
	expect_val(c, "AuthorizedKeysFile", NULL, ".ssh/a b c d e", MAIN, 8);
	expect_val(c, "LogLevel", NULL, "VERBOSE", MAIN, 9);
	expect_val(c, "PermitEmptyPasswords", NULL, "no", NULL, 0);
	expect_val(c, "PermitTTY", NULL, "no", MAIN, 11);
	/* a last line without a newline is still read */
	expect_val(c, "MaxSessions", NULL, "4", MAIN, 12);
	assert_int_equal(c->settings.len, 9);
	vg_sshd_config_free(c);
}

static void test_first_wins_and_multi(void **state)
{
	struct vg_sshd_config *c = parse_ok("PermitRootLogin no\n"
					    "PermitRootLogin yes\n"
					    "AllowUsers alice bob\n"
					    "Port 22\n"
					    "AllowUsers carol\n"
					    "Port 2222\n"
					    "Ciphers aes256-ctr\n"
					    "Ciphers aes128-cbc\n");

	(void)state;
	expect_val(c, "PermitRootLogin", NULL, "no", MAIN, 1);
	expect_val(c, "AllowUsers", NULL, "alice bob carol", MAIN, 3);
	expect_val(c, "Port", NULL, "22 2222", MAIN, 4);
	expect_val(c, "Ciphers", NULL, "aes256-ctr", MAIN, 7);
	assert_true(vg_sshd_is_multi("allowusers"));
	assert_false(vg_sshd_is_multi("ciphers"));
	vg_sshd_config_free(c);
}

static void test_aliases_and_case(void **state)
{
	struct vg_sshd_config *c = parse_ok("CHALLENGERESPONSEAUTHENTICATION No\n"
					    "KbdInteractiveAuthentication yes\n"
					    "PubkeyAcceptedKeyTypes ssh-ed25519\n");
	char buf[64];

	(void)state;
	expect_val(c, "KbdInteractiveAuthentication", NULL, "No", MAIN, 1);
	expect_val(c, "ChallengeResponseAuthentication", NULL, "No", MAIN, 1);
	expect_val(c, "PubkeyAcceptedAlgorithms", NULL, "ssh-ed25519", MAIN, 3);
	assert_true(vg_sshd_canonical("ChallengeResponseAuthentication", buf, sizeof(buf)));
	assert_string_equal(buf, "kbdinteractiveauthentication");
	assert_true(vg_sshd_canonical("PermitRootLogin", buf, sizeof(buf)));
	assert_string_equal(buf, "permitrootlogin");
	assert_false(vg_sshd_canonical("PermitRootLogin", buf, 8));
	vg_sshd_config_free(c);
}

static void test_defaults(void **state)
{
	static const char *const want[][2] = {
		{"PermitRootLogin", "prohibit-password"}, {"PasswordAuthentication", "yes"},
		{"PermitEmptyPasswords", "no"},           {"PubkeyAuthentication", "yes"},
		{"KbdInteractiveAuthentication", "yes"},
		{"ChallengeResponseAuthentication", "yes"},
		{"UsePAM", "no"},                         {"X11Forwarding", "no"},
		{"MaxAuthTries", "6"},                    {"MaxSessions", "10"},
		{"LoginGraceTime", "120"},                {"ClientAliveInterval", "0"},
		{"ClientAliveCountMax", "3"},             {"IgnoreRhosts", "yes"},
		{"HostbasedAuthentication", "no"},        {"PermitUserEnvironment", "no"},
		{"LogLevel", "INFO"},                     {"AllowTcpForwarding", "yes"},
		{"AllowAgentForwarding", "yes"},          {"GatewayPorts", "no"},
		{"PermitTunnel", "no"},                   {"Banner", "none"},
		{"MaxStartups", "10:30:100"},             {"StrictModes", "yes"},
		{"Protocol", "2"},                        {"UseDNS", "no"},
		{"Compression", "yes"},                   {"PrintLastLog", "yes"},
		{"TCPKeepAlive", "yes"},                  {"DisableForwarding", "no"},
		{"GSSAPIAuthentication", "no"},
	};
	struct vg_sshd_config *c = parse_ok("");
	struct vg_vec items;

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		expect_val(c, want[i][0], NULL, want[i][1], NULL, 0);
	/* unset without a default */
	expect_val(c, "AllowUsers", NULL, NULL, NULL, 0);
	expect_val(c, "NoSuchOption", NULL, NULL, NULL, 0);
	assert_null(vg_sshd_default("nosuchoption"));
	assert_null(vg_sshd_default(NULL));
	/* the algorithm defaults are OpenSSH 9's lists */
	vg_vec_init(&items);
	assert_int_equal(vg_sshd_list_items("ciphers", vg_sshd_default("ciphers"), &items), 0);
	assert_int_equal(items.len, 6);
	assert_string_equal(items.items[0], "chacha20-poly1305@openssh.com");
	vg_vec_finish(&items, free);
	vg_vec_init(&items);
	assert_int_equal(vg_sshd_list_items("macs", vg_sshd_default("macs"), &items), 0);
	assert_int_equal(items.len, 10);
	assert_string_equal(items.items[9], "hmac-sha1");
	vg_vec_finish(&items, free);
	vg_vec_init(&items);
	assert_int_equal(vg_sshd_list_items("kexalgorithms", vg_sshd_default("kexalgorithms"),
					    &items), 0);
	assert_int_equal(items.len, 10);
	vg_vec_finish(&items, free);
	vg_sshd_config_free(c);
}

/* ---- Match ---- */

static const char match_conf[] = "PasswordAuthentication no\n"            /* 1 */
				 "Match User a*,!admin\n"                 /* 2 */
				 "    PasswordAuthentication yes\n"       /* 3 */
				 "    X11Forwarding yes\n"                /* 4 */
				 "Match Address 10.0.0.0/8,!10.1.2.3\n"   /* 5 */
				 "    PermitRootLogin yes\n"              /* 6 */
				 "Match Host *.Example.COM\n"             /* 7 */
				 "    Banner /etc/ex\n"                   /* 8 */
				 "Match Group wheel LocalPort 2222\n"     /* 9 */
				 "    MaxAuthTries 2\n"                   /* 10 */
				 "Match all\n"                            /* 11 */
				 "    MaxSessions 3\n"                    /* 12 */
				 "Match Address fd00::/8 RDomain vrf*\n"  /* 13 */
				 "    LogLevel DEBUG\n";                  /* 14 */

static void test_match_contexts(void **state)
{
	struct vg_sshd_config *c = parse_ok(match_conf);
	const char *wheel[] = {"users", "wheel"};
	struct vg_sshd_conn alice = {.user = "alice"}, admin = {.user = "admin"};
	struct vg_sshd_conn bob = {.user = "bob"}, net = {.address = "10.2.3.4"};
	struct vg_sshd_conn neg = {.address = "10.1.2.3"}, other = {.address = "192.168.1.1"};
	struct vg_sshd_conn host = {.host = "www.example.com"}, bare = {.host = "example.com"};
	struct vg_sshd_conn grp = {.groups = wheel, .ngroups = 2, .local_port = 2222};
	struct vg_sshd_conn grp22 = {.groups = wheel, .ngroups = 2, .local_port = 22};
	struct vg_sshd_conn v6 = {.address = "fd12::1", .rdomain = "vrf1"};

	(void)state;
	assert_int_equal(c->blocks.len, 6);
	/* global: no conditional block leaks in; Match all applies */
	expect_val(c, "PasswordAuthentication", NULL, "no", MAIN, 1);
	expect_val(c, "X11Forwarding", NULL, "no", NULL, 0);
	expect_val(c, "PermitRootLogin", NULL, "prohibit-password", NULL, 0);
	expect_val(c, "Banner", NULL, "none", NULL, 0);
	expect_val(c, "MaxSessions", NULL, "3", MAIN, 12);
	/* users, wildcards, negation */
	expect_val(c, "PasswordAuthentication", &alice, "yes", MAIN, 3);
	expect_val(c, "X11Forwarding", &alice, "yes", MAIN, 4);
	expect_val(c, "PasswordAuthentication", &admin, "no", MAIN, 1);
	expect_val(c, "PasswordAuthentication", &bob, "no", MAIN, 1);
	expect_val(c, "MaxSessions", &bob, "3", MAIN, 12);
	/* addresses: CIDR and a negated host */
	expect_val(c, "PermitRootLogin", &net, "yes", MAIN, 6);
	expect_val(c, "PermitRootLogin", &neg, "prohibit-password", NULL, 0);
	expect_val(c, "PermitRootLogin", &other, "prohibit-password", NULL, 0);
	/* host names compare without case */
	expect_val(c, "Banner", &host, "/etc/ex", MAIN, 8);
	expect_val(c, "Banner", &bare, "none", NULL, 0);
	/* every criterion of a line must hold */
	expect_val(c, "MaxAuthTries", &grp, "2", MAIN, 10);
	expect_val(c, "MaxAuthTries", &grp22, "6", NULL, 0);
	expect_val(c, "LogLevel", &v6, "DEBUG", MAIN, 14);
	expect_val(c, "LogLevel", &net, "INFO", NULL, 0);
	vg_sshd_config_free(c);
}

static void test_match_all_resets(void **state)
{
	struct vg_sshd_config *c = parse_ok("Match User alice\n"
					    "    X11Forwarding yes\n"
					    "Match all\n"
					    "PermitRootLogin no\n"
					    "X11Forwarding no\n");
	struct vg_sshd_config *d = parse_ok("PasswordAuthentication no\n"
					    "Match all\n"
					    "PasswordAuthentication yes\n");
	struct vg_sshd_conn alice = {.user = "alice"};

	(void)state;
	expect_val(c, "PermitRootLogin", NULL, "no", MAIN, 4);
	expect_val(c, "X11Forwarding", NULL, "no", MAIN, 5);
	/* alice's block comes first and wins for her */
	expect_val(c, "X11Forwarding", &alice, "yes", MAIN, 2);
	expect_val(c, "PermitRootLogin", &alice, "no", MAIN, 4);
	/* sshd applies Match blocks over the global values for every
	 * connection: a later "Match all" beats an earlier global line */
	expect_val(d, "PasswordAuthentication", NULL, "yes", MAIN, 3);
	vg_sshd_config_free(c);
	vg_sshd_config_free(d);
}

static void test_match_unsupported(void **state)
{
	struct vg_sshd_config *c = parse_ok("Match User bob Version 9.*\n"
					    "    PermitRootLogin yes\n"
					    "Match Invalid-User yes\n"
					    "    Banner /x\n");
	struct vg_sshd_conn alice = {.user = "alice"}, bob = {.user = "bob"};
	struct vg_sshd_value v;
	struct vg_error err = {0};

	(void)state;
	/* no connection: conditional blocks do not apply, nothing to decide */
	expect_val(c, "PermitRootLogin", NULL, "prohibit-password", NULL, 0);
	/* User decides for alice before Version is needed */
	expect_val(c, "PermitRootLogin", &alice, "prohibit-password", NULL, 0);
	/* for bob it hinges on Version */
	assert_int_equal(vg_sshd_get(c, "PermitRootLogin", &bob, &v, &err), VG_EUNSUPPORTED);
	assert_null(v.value);
	tu_assert_msg(err.msg, "/etc/ssh/sshd_config:1");
	tu_assert_msg(err.msg, "'version'");
	assert_int_equal(vg_sshd_get(c, "Banner", &alice, &v, &err), VG_EUNSUPPORTED);
	tu_assert_msg(err.msg, "sshd_config:3");
	/* options not set in such a block are unaffected */
	expect_val(c, "MaxAuthTries", &bob, "6", NULL, 0);
	vg_sshd_config_free(c);
}

static void test_match_errors(void **state)
{
	static const char *const bad[][2] = {
		{"Match all User x\n", "cannot be combined"},
		{"Match User x all\n", "cannot be combined"},
		{"Match\n", "no argument"},
		{"Match User\n", "has no value"},
		{"Match User x Host\n", "has no value"},
		{"Match Address 10.0.0.1/8\n", "not a valid address list"},
		{"Match Address 10.0.0.0/33\n", "not a valid address list"},
		{"Match Address 10.0.0.0,!\n", "not a valid address list"},
		{"Match LocalPort http\n", "not a port"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_fails(bad[i][0], strlen(bad[i][0]), VG_EPARSE, bad[i][1]);
}

/* ---- bad input ---- */

static void test_bad_lines(void **state)
{
	static const char *const bad[][2] = {
		{"PermitRootLogin no\nBanner \"/etc/issue\n",
		 "/etc/ssh/sshd_config:2: unterminated quote"},
		/* a file cut off inside a quoted value */
		{"Banner 'abc", "sshd_config:1: unterminated quote"},
		{"Port 22\nBanner\n", "sshd_config:2: no argument after keyword"},
		{"Banner   # nothing\n", "no argument after keyword \"Banner\""},
		{"Banner=\n", "no argument"},
		{"=yes\n", "sshd_config:1: a line without a keyword"},
		{"\"\" yes\n", "sshd_config:1: a line without a keyword"},
		{"\"Banner x\n", "sshd_config:1: unterminated quote"},
		{"Include /etc/ssh/x.conf\n", "Include needs a filesystem"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_fails(bad[i][0], strlen(bad[i][0]), VG_EPARSE, bad[i][1]);
}

static void test_binary(void **state)
{
	static const char elf[] = "PermitRootLogin no\n\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\n";
	static const char nul[] = "PermitRootLogin no\nMaxAuthTries 3\0\n";
	static const char ctl[] = "Port 22\nPort 2\x01" "2\n";

	(void)state;
	parse_fails(elf, sizeof(elf) - 1, VG_EPARSE, "/etc/ssh/sshd_config:2: binary data");
	parse_fails(nul, sizeof(nul) - 1, VG_EPARSE, "sshd_config:2: binary data (byte 0x00)");
	parse_fails(ctl, sizeof(ctl) - 1, VG_EPARSE, "sshd_config:2: binary data (byte 0x01)");
}

static void test_long_line(void **state)
{
	size_t n = VG_MAX_CONFIG_LINE_BYTES + 1;
	char *text = malloc(n + 32);
	struct vg_sshd_config *c = NULL;
	struct vg_error err = {0};

	(void)state;
	assert_non_null(text);
	/* exactly at the cap: fine */
	memcpy(text, "Port 22\nBanner ", 15);
	memset(text + 15, 'a', VG_MAX_CONFIG_LINE_BYTES - 7);
	text[8 + VG_MAX_CONFIG_LINE_BYTES] = '\n';
	assert_int_equal(vg_sshd_parse_string(&c, MAIN, text, 9 + VG_MAX_CONFIG_LINE_BYTES, NULL,
					      &err), 0);
	vg_sshd_config_free(c);
	c = NULL;
	/* one byte over */
	text[8 + VG_MAX_CONFIG_LINE_BYTES] = 'a';
	text[8 + n] = '\n';
	parse_fails(text, 9 + n, VG_ELIMIT, "/etc/ssh/sshd_config:2: line longer than");
	free(text);
}

static void test_huge_string(void **state)
{
	size_t n = (size_t)VG_MAX_CONFIG_FILE_BYTES + 1;
	char *text = malloc(n);

	(void)state;
	assert_non_null(text);
	memset(text, '#', n);
	parse_fails(text, n, VG_ELIMIT, "larger than");
	free(text);
}

/* ---- lists, times, patterns ---- */

static char *items_of(const char *key, const char *value)
{
	struct vg_vec v;
	struct vg_buf b;

	vg_vec_init(&v);
	vg_buf_init(&b, 0);
	assert_int_equal(vg_sshd_list_items(key, value, &v), 0);
	for (size_t i = 0; i < v.len; i++)
		assert_int_equal(vg_buf_printf(&b, "%s%s", i ? "," : "", (char *)v.items[i]), 0);
	vg_vec_finish(&v, free);
	if (!b.data)
		assert_int_equal(vg_buf_puts(&b, ""), 0);
	return vg_buf_detach(&b);
}

static void expect_items(const char *key, const char *value, const char *want)
{
	char *got = items_of(key, value);

	if (strcmp(got, want))
		fail_msg("%s '%s': got '%s', want '%s'", key, value, got, want);
	free(got);
}

static void test_list_items(void **state)
{
	const char *def = "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,"
			  "aes128-gcm@openssh.com,aes256-gcm@openssh.com";
	char want[512];

	(void)state;
	assert_true(vg_sshd_is_algorithm_list("ciphers"));
	assert_true(vg_sshd_is_algorithm_list("kexalgorithms"));
	assert_false(vg_sshd_is_algorithm_list("allowusers"));
	expect_items("ciphers", "aes256-ctr,aes128-ctr,aes256-ctr", "aes256-ctr,aes128-ctr");
	snprintf(want, sizeof(want), "%s,aes128-cbc", def);
	expect_items("ciphers", "+aes128-cbc,aes128-ctr", want);
	snprintf(want, sizeof(want), "aes128-cbc,%s", def);
	expect_items("ciphers", "^aes128-cbc", want);
	expect_items("ciphers", "-*-ctr,chacha20*",
		     "aes128-gcm@openssh.com,aes256-gcm@openssh.com");
	expect_items("macs", "-hmac-sha1,umac-64*",
		     "umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
		     "hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,"
		     "umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512");
	expect_items("allowusers", "alice bob,carol\tdave", "alice,bob,carol,dave");
	expect_items("allowusers", "", "");
}

static void test_seconds(void **state)
{
	long long s = -1;

	(void)state;
	assert_true(vg_sshd_seconds("logingracetime", "1m30s", &s));
	assert_int_equal(s, 90);
	assert_true(vg_sshd_seconds("clientaliveinterval", "2H", &s));
	assert_int_equal(s, 7200);
	assert_true(vg_sshd_seconds("logingracetime", "45", &s));
	assert_int_equal(s, 45);
	assert_true(vg_sshd_seconds("logingracetime", "1w1d", &s));
	assert_int_equal(s, 691200);
	assert_false(vg_sshd_seconds("logingracetime", "abc", &s));
	assert_false(vg_sshd_seconds("logingracetime", "1x", &s));
	assert_false(vg_sshd_seconds("logingracetime", "", &s));
	assert_false(vg_sshd_seconds("logingracetime", "99999999999", &s));
	assert_false(vg_sshd_seconds("logingracetime", "100000w", &s));
	assert_false(vg_sshd_seconds("maxauthtries", "3", &s));
}

static void test_wildmatch(void **state)
{
	char s[4096];

	(void)state;
	assert_true(vg_sshd_wildmatch("*", "", false));
	assert_true(vg_sshd_wildmatch("a*c", "abbbc", false));
	assert_true(vg_sshd_wildmatch("a?c", "abc", false));
	assert_false(vg_sshd_wildmatch("a?c", "ac", false));
	assert_false(vg_sshd_wildmatch("ABC", "abc", false));
	assert_true(vg_sshd_wildmatch("ABC", "abc", true));
	assert_true(vg_sshd_wildmatch("*-cbc", "aes128-cbc", false));
	assert_false(vg_sshd_wildmatch("*-cbc", "aes128-cbc@x", false));
	/* pathological patterns stay fast */
	memset(s, 'a', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	assert_false(vg_sshd_wildmatch("*a*a*a*a*a*a*a*a*b", s, false));
}

/* ---- file trees ---- */

static void test_tree_missing(void **state)
{
	struct tu_tree *t = *state;
	struct vg_sshd_config *c;

	tu_put(t->root, "etc/ssh/ssh_config", "Host *\n");
	c = load_ok(t);
	assert_true(c->missing);
	assert_int_equal(c->files.len, 0);
	vg_sshd_config_free(c);
}

static void test_tree_dropin_precedence(void **state)
{
	struct tu_tree *t = *state;
	struct vg_sshd_config *c;
	const char *cloud = "/etc/ssh/sshd_config.d/50-cloud-init.conf";

	tu_put(t->root, "etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\n"
	       "PasswordAuthentication no\n"
	       "X11Forwarding yes\n"
	       "PermitRootLogin no\n");
	tu_put(t->root, "etc/ssh/sshd_config.d/50-cloud-init.conf", "PasswordAuthentication yes\n");
	tu_put(t->root, "etc/ssh/sshd_config.d/60-local.conf", "# nothing\nPermitRootLogin yes\n");
	c = load_ok(t);
	assert_false(c->missing);
	assert_int_equal(c->files.len, 3);
	expect_val(c, "PasswordAuthentication", NULL, "yes", cloud, 1);
	expect_val(c, "PermitRootLogin", NULL, "yes", "/etc/ssh/sshd_config.d/60-local.conf", 2);
	expect_val(c, "X11Forwarding", NULL, "yes", MAIN, 3);
	vg_sshd_config_free(c);
}

static void test_tree_glob_order(void **state)
{
	struct tu_tree *t = *state;
	struct vg_sshd_config *c;

	tu_put(t->root, "etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\n");
	tu_put(t->root, "etc/ssh/sshd_config.d/9-a.conf", "MaxAuthTries 9\nBanner /nine\n");
	tu_put(t->root, "etc/ssh/sshd_config.d/20-c.conf", "MaxAuthTries 20\nLogLevel ERROR\n");
	tu_put(t->root, "etc/ssh/sshd_config.d/10-b.conf", "MaxAuthTries 10\n");
	tu_put(t->root, "etc/ssh/sshd_config.d/.00-hidden.conf", "MaxAuthTries 0\nUsePAM no\n");
	tu_put(t->root, "etc/ssh/sshd_config.d/00-old.conf.bak", "MaxAuthTries 1\n");
	c = load_ok(t);
	/* lexical order: 10-b, 20-c, 9-a; no dot files, no other suffixes */
	assert_int_equal(c->files.len, 4);
	assert_string_equal(c->files.items[1], "/etc/ssh/sshd_config.d/10-b.conf");
	assert_string_equal(c->files.items[2], "/etc/ssh/sshd_config.d/20-c.conf");
	assert_string_equal(c->files.items[3], "/etc/ssh/sshd_config.d/9-a.conf");
	expect_val(c, "MaxAuthTries", NULL, "10", "/etc/ssh/sshd_config.d/10-b.conf", 1);
	expect_val(c, "LogLevel", NULL, "ERROR", "/etc/ssh/sshd_config.d/20-c.conf", 2);
	expect_val(c, "Banner", NULL, "/nine", "/etc/ssh/sshd_config.d/9-a.conf", 2);
	expect_val(c, "UsePAM", NULL, "no", NULL, 0);
	vg_sshd_config_free(c);
}

static void test_tree_relative_include(void **state)
{
	struct tu_tree *t = *state;
	struct vg_sshd_config *c;

	tu_put(t->root, "etc/ssh/sshd_config", "Include extra/*.conf sshd_more\n"
	       "Include /nonexistent.conf /etc/ssh/none.d/*.conf\n"
	       "Include=local/**.conf\n"
	       "Port 22\n");
	tu_put(t->root, "etc/ssh/extra/a.conf", "MaxAuthTries 2\n");
	tu_put(t->root, "etc/ssh/sshd_more", "Banner /more\n");
	tu_put(t->root, "etc/ssh/local/x.conf", "LogLevel VERBOSE\n");
	tu_put(t->root, "etc/ssh/local/sub/y.conf", "LogLevel QUIET\n");
	c = load_ok(t);
	expect_val(c, "MaxAuthTries", NULL, "2", "/etc/ssh/extra/a.conf", 1);
	expect_val(c, "Banner", NULL, "/more", "/etc/ssh/sshd_more", 1);
	/* "**" is a plain "*" to sshd's glob(3): no recursion */
	expect_val(c, "LogLevel", NULL, "VERBOSE", "/etc/ssh/local/x.conf", 1);
	expect_val(c, "Port", NULL, "22", MAIN, 4);
	assert_int_equal(c->files.len, 4);
	vg_sshd_config_free(c);
}

static void test_tree_include_loop(void **state)
{
	struct tu_tree *t = *state;
	struct vg_sshd_config *c = NULL;
	struct vg_error err = {0};

	tu_put(t->root, "etc/ssh/sshd_config", "Port 22\nInclude /etc/ssh/a.conf\n");
	tu_put(t->root, "etc/ssh/a.conf", "Include b.conf\n");
	tu_put(t->root, "etc/ssh/b.conf", "PermitRootLogin no\nInclude a.conf\n");
	assert_int_equal(vg_sshd_load(&c, tu_tree_fs(t), &err), VG_ELIMIT);
	assert_null(c);
	tu_assert_msg(err.msg, "Include nested more than 16 levels deep");
	tu_assert_msg(err.msg, ".conf:");
}

static void test_tree_include_fanout(void **state)
{
	struct tu_tree *t = *state;
	struct vg_sshd_config *c = NULL;
	struct vg_error err = {0};
	char name[64];

	/* shallow but wide: 40 files each including 40 more */
	tu_put(t->root, "etc/ssh/sshd_config", "Include /etc/ssh/d1/*\n");
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "etc/ssh/d1/%02d", i);
		tu_put(t->root, name, "Include /etc/ssh/d2/*\n");
		snprintf(name, sizeof(name), "etc/ssh/d2/%02d", i);
		tu_put(t->root, name, "Port 22\n");
	}
	assert_int_equal(vg_sshd_load(&c, tu_tree_fs(t), &err), VG_ELIMIT);
	assert_null(c);
	tu_assert_msg(err.msg, "includes more than 1024 files");
}

static void test_tree_include_in_match(void **state)
{
	struct tu_tree *t = *state;
	struct vg_sshd_config *c;
	struct vg_sshd_conn alice = {.user = "alice"}, bob = {.user = "bob"};

	tu_put(t->root, "etc/ssh/sshd_config", "Include /etc/ssh/pre.conf\n"
	       "PermitRootLogin no\n"
	       "Match User alice\n"
	       "Include /etc/ssh/alice.conf\n"
	       "PermitTTY no\n");
	/* a Match in an included file ends with that file */
	tu_put(t->root, "etc/ssh/pre.conf", "Port 22\nMatch User bob\nBanner /bob\n");
	/* lines of a file included inside a Match block belong to it */
	tu_put(t->root, "etc/ssh/alice.conf", "X11Forwarding yes\nMatch all\nLogLevel VERBOSE\n");
	c = load_ok(t);
	expect_val(c, "PermitRootLogin", NULL, "no", MAIN, 2);
	expect_val(c, "Banner", NULL, "none", NULL, 0);
	expect_val(c, "Banner", &bob, "/bob", "/etc/ssh/pre.conf", 3);
	expect_val(c, "X11Forwarding", NULL, "no", NULL, 0);
	expect_val(c, "X11Forwarding", &alice, "yes", "/etc/ssh/alice.conf", 1);
	expect_val(c, "X11Forwarding", &bob, "no", NULL, 0);
	/* "Match all" inside alice's include applies to alice only */
	expect_val(c, "LogLevel", NULL, "INFO", NULL, 0);
	expect_val(c, "LogLevel", &alice, "VERBOSE", "/etc/ssh/alice.conf", 3);
	expect_val(c, "LogLevel", &bob, "INFO", NULL, 0);
	/* back in the main file, still in alice's block */
	expect_val(c, "PermitTTY", NULL, "yes", NULL, 0);
	expect_val(c, "PermitTTY", &alice, "no", MAIN, 5);
	vg_sshd_config_free(c);
}

static void test_tree_binary_dropin(void **state)
{
	struct tu_tree *t = *state;
	struct vg_sshd_config *c = NULL;
	struct vg_error err = {0};
	char path[512];
	int fd;

	tu_put(t->root, "etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\n");
	tu_put(t->root, "etc/ssh/sshd_config.d/10-x.conf", "Port 22\n");
	snprintf(path, sizeof(path), "%s/etc/ssh/sshd_config.d/10-x.conf", t->root);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), 16);
	close(fd);
	assert_int_equal(vg_sshd_load(&c, tu_tree_fs(t), &err), VG_EPARSE);
	assert_null(c);
	tu_assert_msg(err.msg, "/etc/ssh/sshd_config.d/10-x.conf:3: binary data");
}

static void test_tree_huge_file(void **state)
{
	struct tu_tree *t = *state;
	struct vg_sshd_config *c = NULL;
	struct vg_error err = {0};
	char path[512];

	tu_put(t->root, "etc/ssh/sshd_config", "Include /etc/ssh/big.conf\n");
	tu_put(t->root, "etc/ssh/big.conf", "");
	snprintf(path, sizeof(path), "%s/etc/ssh/big.conf", t->root);
	assert_int_equal(truncate(path, (off_t)VG_MAX_CONFIG_FILE_BYTES + 1), 0);
	assert_int_equal(vg_sshd_load(&c, tu_tree_fs(t), &err), VG_ELIMIT);
	assert_null(c);
	tu_assert_msg(err.msg, "big.conf");
}

static int load(struct vg_fs *fs, struct vg_error *err)
{
	struct vg_sshd_config *c = NULL;
	int rc = vg_sshd_load(&c, fs, err);

	vg_sshd_config_free(c);
	return rc;
}

static void test_tree_unreadable(void **state)
{
	struct tu_tree *t = *state;
	char path[512];

	tu_put(t->root, "etc/ssh/sshd_config", "PermitRootLogin no\n");
	snprintf(path, sizeof(path), "%s/etc/ssh/sshd_config", t->root);
	assert_int_equal(chmod(path, 0000), 0);
	assert_int_equal(tu_refused_as_nobody(t, load, "sshd_config"), 0);
}

static void test_tree_unreadable_dropins(void **state)
{
	struct tu_tree *t = *state;
	char path[512];

	tu_put(t->root, "etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nPort 22\n");
	tu_put(t->root, "etc/ssh/sshd_config.d/10-a.conf", "PermitRootLogin yes\n");
	snprintf(path, sizeof(path), "%s/etc/ssh/sshd_config.d", t->root);
	assert_int_equal(chmod(path, 0311), 0); /* can enter, cannot list */
	assert_int_equal(tu_refused_as_nobody(t, load, "sshd_config"), 0);
}

/* ---- the check type, through the engine ---- */

static const char pack[] =
	"pack: t\n"
	"title: t\n"
	"targets: [root]\n"
	"rules:\n"
	"  - id: t.root\n"
	"    title: root\n"
	"    severity: high\n"
	"    check: {sshd: {option: permitrootlogin, expect: {in: [\"no\"]}}}\n"
	"  - id: t.tries\n"
	"    title: tries\n"
	"    severity: low\n"
	"    check: {sshd: {option: MaxAuthTries, expect: {max: 4}}}\n"
	"  - id: t.grace\n"
	"    title: grace\n"
	"    severity: low\n"
	"    check: {sshd: {option: LoginGraceTime, expect: {max: 60}}}\n"
	"  - id: t.macs\n"
	"    title: macs\n"
	"    severity: low\n"
	"    check: {sshd: {option: MACs, contains_none: [\"hmac-md5*\", \"umac-64*\"]}}\n"
	"  - id: t.alice\n"
	"    title: alice\n"
	"    severity: low\n"
	"    check: {sshd: {option: X11Forwarding, expect: \"no\", match: {user: alice}}}\n"
	"  - id: t.not\n"
	"    title: not\n"
	"    severity: low\n"
	"    check: {not: {sshd: {option: UsePAM, expect: \"NO\"}}}\n"
	"  - id: t.kex\n"
	"    title: kex\n"
	"    severity: low\n"
	"    check: {sshd: {option: KexAlgorithms, contains_all: [curve25519-sha256]}}\n";

static void test_check_findings(void **state)
{
	struct tu_tree *t = *state;
	struct vg_policy *pol;
	struct vg_results *res;
	const struct vg_finding *f;

	tu_put(t->root, "etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\n"
	       "PermitRootLogin no\n"
	       "LoginGraceTime 2m\n"
	       "MACs +hmac-md5\n"
	       "Match User alice\n"
	       "  X11Forwarding yes\n");
	tu_put(t->root, "etc/ssh/sshd_config.d/50-cloud.conf", "PermitRootLogin yes\n");
	pol = tu_policy_load("t.yaml", pack);

	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.root");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_FAIL);
	assert_string_equal(f->loc.path, "/etc/ssh/sshd_config.d/50-cloud.conf");
	assert_int_equal(f->loc.line, 1);
	assert_string_equal(f->evidence, "permitrootlogin yes");
	tu_assert_msg(f->message, "is 'yes'");
	vg_results_free(res);

	/* an unsafe default: no file, the object names the option */
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.tries");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_FAIL);
	assert_null(f->loc.path);
	assert_string_equal(f->loc.object, "sshd:maxauthtries");
	tu_assert_msg(f->message, "(OpenSSH default)");
	vg_results_free(res);

	/* times are compared in seconds */
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.grace");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_FAIL);
	assert_int_equal(f->loc.line, 3);
	tu_assert_msg(f->message, "120");
	vg_results_free(res);

	/* one finding per forbidden algorithm, at the line that enabled it */
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.macs");
	assert_int_equal(res->findings.len, 3);
	for (size_t i = 0; i < 3; i++) {
		f = res->findings.items[i];
		assert_int_equal(f->status, VG_STATUS_FAIL);
		assert_int_equal(f->loc.line, 4);
	}
	vg_results_free(res);

	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.alice");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_FAIL);
	assert_int_equal(f->loc.line, 6);
	tu_assert_msg(f->message, "for connections with user=alice");
	vg_results_free(res);

	/* not: UsePAM is "no" by default, which the rule forbids */
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.not");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_FAIL);
	vg_results_free(res);

	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.kex");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_PASS);
	vg_results_free(res);
	vg_policy_free(pol);
}

static void test_check_statuses(void **state)
{
	struct tu_tree *t = *state;
	struct vg_policy *pol = tu_policy_load("t.yaml", pack);
	struct vg_results *res;
	const struct vg_finding *f;

	/* no sshd_config: not applicable, with the reason */
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.root");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_NOT_APPLICABLE);
	tu_assert_msg(f->message, "sshd is not configured (no /etc/ssh/sshd_config)");
	vg_results_free(res);

	/* garbage: an error naming file and line */
	tu_put(t->root, "etc/ssh/sshd_config", "Port 22\n\x01\x02\x03\n");
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.root");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_ERROR);
	tu_assert_msg(f->message, "/etc/ssh/sshd_config:2: binary data");
	vg_results_free(res);

	/* the safe default passes */
	tu_put(t->root, "etc/ssh/sshd_config", "Port 22\nMaxAuthTries 3\n");
	res = tu_scan_root(tu_tree_fs(t), false, pol, "t.tries");
	f = tu_only(res, 0, 1);
	assert_int_equal(f->status, VG_STATUS_PASS);
	vg_results_free(res);
	vg_policy_free(pol);
}

static void test_check_parse_errors(void **state)
{
	static const char *const bad[][2] = {
		{"{sshd: {option: PermitRootLogin}}", "needs 'expect'"},
		{"{sshd: {expect: \"no\"}}", "option"},
		{"{sshd: {option: \"Permit Root\", expect: \"no\"}}", "sshd_config keyword"},
		{"{sshd: {option: X, expect: \"no\", colour: red}}", "colour"},
		{"{sshd: {option: X, expect: \"no\", match: {user: a, shell: b}}}", "shell"},
		{"{sshd: {option: X, expect: \"no\", match: {local_port: 70000}}}", "local_port"},
		{"{sshd: {option: X, expect: \"no\", match: {}}}", "at least one"},
		{"{sshd: {option: X, contains_none: []}}", "empty"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tu_expect_check_rejected(bad[i][0], bad[i][1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_first_wins_and_multi),
		cmocka_unit_test(test_aliases_and_case),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_match_contexts),
		cmocka_unit_test(test_match_all_resets),
		cmocka_unit_test(test_match_unsupported),
		cmocka_unit_test(test_match_errors),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_huge_string),
		cmocka_unit_test(test_list_items),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_wildmatch),
		TU_TREE_TEST(test_tree_missing),
		TU_TREE_TEST(test_tree_dropin_precedence),
		TU_TREE_TEST(test_tree_glob_order),
		TU_TREE_TEST(test_tree_relative_include),
		TU_TREE_TEST(test_tree_include_loop),
		TU_TREE_TEST(test_tree_include_fanout),
		TU_TREE_TEST(test_tree_include_in_match),
		TU_TREE_TEST(test_tree_binary_dropin),
		TU_TREE_TEST(test_tree_huge_file),
		TU_TREE_TEST(test_tree_unreadable),
		TU_TREE_TEST(test_tree_unreadable_dropins),
		TU_TREE_TEST(test_check_findings),
		TU_TREE_TEST(test_check_statuses),
		cmocka_unit_test(test_check_parse_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
