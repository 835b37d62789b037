/* SPDX-License-Identifier: Apache-2.0 */
/* Reads sshd_config the way OpenSSH's sshd does and answers "what is the effective value of X". */
#include "facts/sshd.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "glob.h"
#include "limits.h"

/* Keywords that sshd treats as the same option. */
static const struct {
	const char *alias;
	const char *key;
} aliases[] = {
	{"challengeresponseauthentication", "kbdinteractiveauthentication"},
	{"skeyauthentication", "kbdinteractiveauthentication"},
	{"dsaauthentication", "pubkeyauthentication"},
	{"pubkeyacceptedkeytypes", "pubkeyacceptedalgorithms"},
	{"hostbasedacceptedkeytypes", "hostbasedacceptedalgorithms"},
	{"authorizedkeysfile2", "authorizedkeysfile"},
};

#define DEF_CIPHERS                                                                        \
	"chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,"                  \
	"aes128-gcm@openssh.com,aes256-gcm@openssh.com"
#define DEF_MACS                                                                           \
	"umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"  \
	"hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,"     \
	"umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1"
#define DEF_KEX                                                                            \
	"sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org," \
	"ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"                        \
	"diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"              \
	"diffie-hellman-group18-sha512,diffie-hellman-group14-sha256"
#define DEF_KEYALGS                                                                        \
	"ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,"       \
	"ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com," \
	"sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,"  \
	"rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,"             \
	"ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"         \
	"sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,"                   \
	"rsa-sha2-512,rsa-sha2-256"
#define DEF_CASIGALGS                                                                      \
	"ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"         \
	"sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,"                   \
	"rsa-sha2-512,rsa-sha2-256"

/* OpenSSH 9.x (Debian 12: 9.2, Ubuntu 24.04: 9.6) built-in values, as
 * `sshd -T` prints them, for options left unset. Sorted by key. */
static const struct {
	const char *key;
	const char *value;
	bool list; /* an algorithm list: '+', '-' and '^' edit it */
} defaults[] = {
	{"addressfamily", "any", false},
	{"allowagentforwarding", "yes", false},
	{"allowstreamlocalforwarding", "yes", false},
	{"allowtcpforwarding", "yes", false},
	{"authenticationmethods", "any", false},
	{"authorizedkeysfile", ".ssh/authorized_keys .ssh/authorized_keys2", false},
	{"banner", "none", false},
	{"casignaturealgorithms", DEF_CASIGALGS, true},
	{"chrootdirectory", "none", false},
	{"ciphers", DEF_CIPHERS, true},
	{"clientalivecountmax", "3", false},
	{"clientaliveinterval", "0", false},
	{"compression", "yes", false},
	{"disableforwarding", "no", false},
	{"exposeauthinfo", "no", false},
	{"fingerprinthash", "SHA256", false},
	{"forcecommand", "none", false},
	{"gatewayports", "no", false},
	{"gssapiauthentication", "no", false},
	{"gssapicleanupcredentials", "yes", false},
	{"gssapistrictacceptorcheck", "yes", false},
	{"hostbasedacceptedalgorithms", DEF_KEYALGS, true},
	{"hostbasedauthentication", "no", false},
	{"hostbasedusesnamefrompacketonly", "no", false},
	{"hostkeyalgorithms", DEF_KEYALGS, true},
	{"ignorerhosts", "yes", false},
	{"ignoreuserknownhosts", "no", false},
	{"kbdinteractiveauthentication", "yes", false},
	{"kerberosauthentication", "no", false},
	{"kerberosorlocalpasswd", "yes", false},
	{"kerberosticketcleanup", "yes", false},
	{"kexalgorithms", DEF_KEX, true},
	{"logingracetime", "120", false},
	{"loglevel", "INFO", false},
	{"macs", DEF_MACS, true},
	{"maxauthtries", "6", false},
	{"maxsessions", "10", false},
	{"maxstartups", "10:30:100", false},
	{"passwordauthentication", "yes", false},
	{"permitemptypasswords", "no", false},
	{"permitlisten", "any", false},
	{"permitopen", "any", false},
	{"permitrootlogin", "prohibit-password", false},
	{"permittty", "yes", false},
	{"permittunnel", "no", false},
	{"permituserenvironment", "no", false},
	{"permituserrc", "yes", false},
	{"port", "22", false},
	{"printlastlog", "yes", false},
	{"printmotd", "yes", false},
	{"protocol", "2", false},
	{"pubkeyacceptedalgorithms", DEF_KEYALGS, true},
	{"pubkeyauthentication", "yes", false},
	{"pubkeyauthoptions", "none", false},
	{"rekeylimit", "default none", false},
	{"streamlocalbindunlink", "no", false},
	{"strictmodes", "yes", false},
	{"syslogfacility", "AUTH", false},
	{"tcpkeepalive", "yes", false},
	{"unusedconnectiontimeout", "none", false},
	{"usedns", "no", false},
	{"usepam", "no", false},
	{"versionaddendum", "none", false},
	{"x11displayoffset", "10", false},
	{"x11forwarding", "no", false},
	{"x11uselocalhost", "yes", false},
};

/* Keywords whose lines add to one another instead of "first one wins". */
static const char *const multi_keys[] = {
	"acceptenv", "allowgroups", "allowusers", "denygroups", "denyusers",
	"hostcertificate", "hostkey", "listenaddress", "port", "subsystem",
};

/* Match attributes this module evaluates. */
static const char *const match_attrs[] = {
	"user", "group", "host", "address", "localaddress", "localport", "rdomain",
};

static const char *const time_keys[] = {
	"logingracetime", "clientaliveinterval", "unusedconnectiontimeout",
};

#define WS " \t\r\n"

struct parser {
	struct vg_fs *fs;
	struct vg_sshd_config *cfg;
	struct vg_error *err;
	size_t total;        /* bytes read, against VG_MAX_CONFIG_TOTAL_BYTES */
};

static bool in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

bool vg_sshd_is_multi(const char *key)
{
	return key && in_list(multi_keys, sizeof(multi_keys) / sizeof(multi_keys[0]), key);
}

static int find_default(const char *key)
{
	size_t lo = 0, hi = sizeof(defaults) / sizeof(defaults[0]);

	while (key && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, defaults[mid].key);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

const char *vg_sshd_default(const char *key)
{
	int i = find_default(key);

	return i < 0 ? NULL : defaults[i].value;
}

bool vg_sshd_is_algorithm_list(const char *key)
{
	int i = find_default(key);

	return i >= 0 && defaults[i].list;
}

/* Lower-cases keyword[0..len) into a new string and resolves aliases. */
static char *canon_dup(const char *kw, size_t len)
{
	char *s = vg_strndup(kw, len);

	if (!s)
		return NULL;
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (!strcmp(s, aliases[i].alias)) {
			free(s);
			return strdup(aliases[i].key);
		}
	}
	return s;
}

bool vg_sshd_canonical(const char *keyword, char *out, size_t n)
{
	char *s = keyword ? canon_dup(keyword, strlen(keyword)) : NULL;
	size_t len = s ? strlen(s) : 0;
	bool ok = s && len < n;

	if (ok)
		memcpy(out, s, len + 1);
	free(s);
	return ok;
}

static void setting_free(void *p)
{
	struct vg_sshd_setting *s = p;

	if (!s)
		return;
	free(s->key);
	free(s->value);
	free(s);
}

static void match_free(void *p)
{
	struct vg_sshd_match *m = p;

	if (!m)
		return;
	for (size_t i = 0; i < m->ncrit; i++) {
		free(m->crit[i].attr);
		free(m->crit[i].patterns);
	}
	free(m->crit);
	free(m->text);
	free(m);
}

void vg_sshd_config_free(struct vg_sshd_config *c)
{
	if (!c)
		return;
	vg_vec_finish(&c->settings, setting_free);
	vg_vec_finish(&c->blocks, match_free);
	vg_vec_finish(&c->files, free);
	free(c);
}

void vg_sshd_value_finish(struct vg_sshd_value *v)
{
	if (!v)
		return;
	free(v->value);
	memset(v, 0, sizeof(*v));
}

static struct vg_sshd_config *config_new(void)
{
	struct vg_sshd_config *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	vg_vec_init(&c->files);
	vg_vec_init(&c->settings);
	vg_vec_init(&c->blocks);
	return c;
}

/* ---- patterns and addresses ---- */

bool vg_sshd_wildmatch(const char *pattern, const char *s, bool nocase)
{
	const char *star = NULL, *resume = NULL;

	/* greedy with one backtrack point: linear in each retry, never recursive */
	while (*s) {
		if (*pattern == '*') {
			star = ++pattern;
			resume = s;
			continue;
		}
		if (*pattern && (*pattern == '?' || *pattern == *s ||
				 (nocase && tolower((unsigned char)*pattern) ==
						    tolower((unsigned char)*s)))) {
			pattern++;
			s++;
			continue;
		}
		if (!star)
			return false;
		pattern = star;
		s = ++resume;
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}

/* One element of a comma-separated list: [start, end). */
static bool next_item(const char **p, const char **start, size_t *len)
{
	const char *s = *p;

	while (*s == ',')
		s++;
	if (!*s)
		return false;
	*start = s;
	while (*s && *s != ',')
		s++;
	*len = (size_t)(s - *start);
	*p = s;
	return true;
}

/* OpenSSH's match_pattern_list: 1 when a pattern matches, -1 when a negated
 * ("!") pattern matches (which always wins), 0 otherwise. */
static int match_list(const char *s, const char *list, bool nocase)
{
	const char *it, *p = list;
	size_t len;
	int got = 0;

	while (next_item(&p, &it, &len)) {
		bool neg = *it == '!';
		char *pat = vg_strndup(it + neg, len - neg);
		bool hit;

		if (!pat)
			return -2;
		hit = vg_sshd_wildmatch(pat, s, nocase);
		free(pat);
		if (hit && neg)
			return -1;
		if (hit)
			got = 1;
	}
	return got;
}

struct cidr {
	int family;
	unsigned char addr[16];
	unsigned bits;
};

/* Parses "addr" or "addr/bits". 0 on success, -1 when it is not an address
 * (so a wildcard pattern), -2 when the mask is inconsistent or out of range. */
static int parse_cidr(const char *s, size_t len, struct cidr *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;
	int64_t bits = -1;

	if (len == 0 || len >= sizeof(buf) || strspn(s, "0123456789abcdefABCDEF.:/") < len)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (!vg_parse_i64(slash + 1, 10, &bits) || bits < 0)
			return -2;
	}
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = AF_INET;
		out->bits = bits < 0 ? 32 : (unsigned)bits;
		if (bits > 32)
			return -2;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = AF_INET6;
		out->bits = bits < 0 ? 128 : (unsigned)bits;
		if (bits > 128)
			return -2;
	} else {
		return -1;
	}
	/* like sshd, refuse a network with host bits set ("10.0.0.1/8") */
	for (unsigned i = out->bits; i < (out->family == AF_INET ? 32u : 128u); i++)
		if (out->addr[i / 8] & (0x80u >> (i % 8)))
			return -2;
	return 0;
}

static bool cidr_contains(const struct cidr *net, const struct cidr *a)
{
	if (net->family != a->family)
		return false;
	for (unsigned i = 0; i < net->bits; i++) {
		unsigned m = 0x80u >> (i % 8);

		if ((net->addr[i / 8] & m) != (a->addr[i / 8] & m))
			return false;
	}
	return true;
}

/* OpenSSH's addr_match_list: CIDR entries, else wildcard patterns; negation
 * wins. addr NULL only validates. Returns 1, 0, -1 (negated match) or -2
 * (malformed entry). */
static int match_addr_list(const char *addr, const char *list)
{
	struct cidr a, net;
	bool have_a = false;
	const char *it, *p = list;
	size_t len;
	int got = 0;

	if (addr)
		have_a = parse_cidr(addr, strlen(addr), &a) == 0 && a.bits ==
			 (a.family == AF_INET ? 32u : 128u);
	while (next_item(&p, &it, &len)) {
		bool neg = *it == '!';
		int r = parse_cidr(it + neg, len - neg, &net);
		bool hit = false;

		if (len == (size_t)neg || r == -2)
			return -2;
		if (!addr)
			continue;
		if (r == 0) {
			hit = have_a && cidr_contains(&net, &a);
		} else {
			char *pat = vg_strndup(it + neg, len - neg);

			if (!pat)
				return -2;
			hit = vg_sshd_wildmatch(pat, addr, false);
			free(pat);
		}
		if (hit && neg)
			return -1;
		if (hit)
			got = 1;
	}
	return got;
}

static int parse_port(const char *s)
{
	int64_t v;

	if (!vg_parse_i64(s, 10, &v) || v < 1 || v > 65535)
		return -1;
	return (int)v;
}

/* ---- the line parser ---- */

/* Splits s into arguments as OpenSSH's argv_split does: blanks separate,
 * "..." and '...' quote, backslash escapes quotes, backslash and (unquoted)
 * space, and '#' at the start of an argument ends the line. */
static int split_args(const char *s, struct vg_vec *out)
{
	char *scratch = malloc(strlen(s) + 1); /* one argument at a time */
	int rc = 0;

	if (!scratch)
		return VG_ENOMEM;
	while (*s && rc == 0) {
		char quote = 0, *w = scratch, *arg;

		if (*s == ' ' || *s == '\t') {
			s++;
			continue;
		}
		if (*s == '#')
			break;
		for (; *s; s++) {
			if (*s == '\\' && (s[1] == '\'' || s[1] == '"' || s[1] == '\\' ||
					   (!quote && s[1] == ' '))) {
				*w++ = *++s;
			} else if (!quote && (*s == ' ' || *s == '\t')) {
				break;
			} else if (!quote && (*s == '"' || *s == '\'')) {
				quote = *s;
			} else if (quote && *s == quote) {
				quote = 0;
			} else {
				*w++ = *s;
			}
		}
		if (quote) {
			rc = VG_EPARSE;
			break;
		}
		arg = vg_strndup(scratch, (size_t)(w - scratch));
		if (!arg || vg_vec_push(out, arg) < 0) {
			free(arg);
			rc = VG_ENOMEM;
		}
	}
	free(scratch);
	return rc;
}

static char *join_args(const struct vg_vec *args, size_t from)
{
	struct vg_buf b;

	vg_buf_init(&b, 0);
	for (size_t i = from; i < args->len; i++)
		if ((i > from && vg_buf_putc(&b, ' ') < 0) || vg_buf_puts(&b, args->items[i]) < 0) {
			vg_buf_finish(&b);
			return NULL;
		}
	if (!b.data && vg_buf_puts(&b, "") < 0)
		return NULL;
	return vg_buf_detach(&b);
}

static int nomem(struct parser *p)
{
	return vg_error_set(p->err, VG_ENOMEM, "out of memory reading the sshd configuration");
}

static int room(struct parser *p, const char *file, size_t line)
{
	if (p->cfg->settings.len + p->cfg->blocks.len >= VG_MAX_CONFIG_ENTRIES)
		return vg_error_set(p->err, VG_ELIMIT, "%s:%zu: more than %d settings", file, line,
				    VG_MAX_CONFIG_ENTRIES);
	return 0;
}

static int add_match(struct parser *p, const char *file, size_t line, const struct vg_vec *args,
		     size_t entry, size_t *cur)
{
	struct vg_sshd_match *m = NULL;
	int rc = room(p, file, line);

	if (rc < 0)
		return rc;
	m = calloc(1, sizeof(*m));
	if (!m || !(m->text = join_args(args, 0)) ||
	    !(m->crit = calloc(args->len / 2 + 1, sizeof(*m->crit)))) {
		rc = nomem(p);
		goto out;
	}
	m->file = file;
	m->line = line;
	m->parent = entry;
	for (size_t i = 0; i < args->len; i += 2) {
		const char *attr = args->items[i];
		struct vg_sshd_criterion *c;

		if (!strcasecmp(attr, "all")) {
			if (args->len != 1) {
				rc = vg_error_set(p->err, VG_EPARSE, "%s:%zu: 'Match all' "
						  "cannot be combined with other criteria", file,
						  line);
				goto out;
			}
			m->all = true;
			break;
		}
		if (i + 1 >= args->len) {
			rc = vg_error_set(p->err, VG_EPARSE, "%s:%zu: Match %s has no value", file,
					  line, attr);
			goto out;
		}
		c = &m->crit[m->ncrit++];
		if (!(c->attr = canon_dup(attr, strlen(attr))) ||
		    !(c->patterns = strdup(args->items[i + 1]))) {
			rc = nomem(p);
			goto out;
		}
		c->supported = in_list(match_attrs, sizeof(match_attrs) / sizeof(match_attrs[0]),
				       c->attr);
		if ((!strcmp(c->attr, "address") || !strcmp(c->attr, "localaddress")) &&
		    match_addr_list(NULL, c->patterns) == -2) {
			rc = vg_error_set(p->err, VG_EPARSE, "%s:%zu: Match %s '%s' is not a valid "
					  "address list", file, line, attr, c->patterns);
			goto out;
		}
		if (!strcmp(c->attr, "localport") && parse_port(c->patterns) < 0) {
			rc = vg_error_set(p->err, VG_EPARSE, "%s:%zu: Match LocalPort '%s' is "
					  "not a port", file, line, c->patterns);
			goto out;
		}
	}
	if (vg_vec_push(&p->cfg->blocks, m) < 0) {
		rc = nomem(p);
		goto out;
	}
	*cur = p->cfg->blocks.len;
	m = NULL;
out:
	match_free(m);
	return rc;
}

static int parse_file(struct parser *p, const char *path, size_t depth, size_t block,
		      bool optional);

struct include_ctx {
	struct parser *p;
	const char *pattern;
	size_t depth;
	size_t block;
};

/* glob(3), which sshd uses, never lets a wildcard match a leading dot. */
static bool hidden_by_glob(const char *pattern, const char *path)
{
	while (*pattern || *path) {
		size_t pl, sl;

		while (*pattern == '/')
			pattern++;
		while (*path == '/')
			path++;
		pl = strcspn(pattern, "/");
		sl = strcspn(path, "/");
		if (pl == 1 && *pattern == '.') { /* vg_fs_glob drops "." components */
			pattern++;
			continue;
		}
		if (!pl || !sl)
			return false;
		if (*path == '.' && *pattern != '.')
			return true;
		pattern += pl;
		path += sl;
	}
	return false;
}

static int include_one(void *ud, const char *path)
{
	struct include_ctx *ic = ud;

	if (hidden_by_glob(ic->pattern, path))
		return 0;
	return parse_file(ic->p, path, ic->depth, ic->block, true);
}

static int do_include(struct parser *p, const char *file, size_t line, const struct vg_vec *args,
		      size_t depth, size_t block)
{
	int rc = 0;

	if (!p->fs)
		return vg_error_set(p->err, VG_EPARSE, "%s:%zu: Include needs a filesystem to read "
				    "from", file, line);
	if (depth + 1 > VG_MAX_INCLUDE_DEPTH)
		return vg_error_set(p->err, VG_ELIMIT, "%s:%zu: Include nested more than %d levels "
				    "deep (an Include loop?)", file, line, VG_MAX_INCLUDE_DEPTH);
	for (size_t i = 0; i < args->len && rc == 0; i++) {
		const char *arg = args->items[i];
		struct include_ctx ic = {.p = p, .depth = depth + 1, .block = block};
		size_t unreadable = 0;
		char *path, *w;

		/* relative to /etc/ssh like sshd; "**" is just "*" to glob(3) */
		path = arg[0] == '/' ? strdup(arg)
				     : vg_asprintf(arg[0] == '~' ? "/%s" : "/etc/ssh/%s", arg);
		if (!path)
			return nomem(p);
		w = path;
		for (const char *r = path; *r; r++)
			if (!(*r == '*' && r[1] == '*'))
				*w++ = *r;
		*w = '\0';
		ic.pattern = path;
		if (!vg_glob_has_magic(path)) {
			rc = parse_file(p, path, depth + 1, block, true);
		} else {
			rc = vg_fs_glob(p->fs, path, include_one, &ic, &unreadable, p->err);
			if (rc == 0 && unreadable)
				rc = vg_error_set(p->err, VG_EPERM, "%s:%zu: Include %s: a "
						  "directory could not be read", file, line, arg);
		}
		free(path);
	}
	return rc;
}

static int parse_line(struct parser *p, const char *file, size_t lineno, char *line,
		      size_t depth, size_t entry, size_t *cur)
{
	struct vg_sshd_setting *set = NULL;
	struct vg_vec args;
	char *s = line, *end = line + strlen(line), *key = NULL;
	char *kw;
	size_t kwlen;
	bool quoted;
	int rc = 0;

	vg_vec_init(&args);
	while (end > line && strchr(WS "\f", end[-1]))
		*--end = '\0';
	s += strspn(s, WS);
	if (!*s || *s == '#')
		return 0;
	/* sshd also accepts a keyword in double quotes */
	quoted = *s == '"';
	kw = s + quoted;
	kwlen = quoted ? strcspn(kw, "\"") : strcspn(kw, WS "=");
	if (quoted && !kw[kwlen]) {
		rc = vg_error_set(p->err, VG_EPARSE, "%s:%zu: unterminated quote", file, lineno);
		goto out;
	}
	if (!kwlen) {
		rc = vg_error_set(p->err, VG_EPARSE, "%s:%zu: a line without a keyword", file,
				  lineno);
		goto out;
	}
	key = canon_dup(kw, kwlen);
	if (!key) {
		rc = nomem(p);
		goto out;
	}
	/* "Keyword value", "Keyword=value" and "Keyword = value" */
	s = kw + kwlen + quoted;
	s += strspn(s, WS);
	if (*s == '=')
		s += 1 + strspn(s + 1, WS);
	rc = split_args(s, &args);
	if (rc == VG_EPARSE) {
		rc = vg_error_set(p->err, rc, "%s:%zu: unterminated quote", file, lineno);
		goto out;
	}
	if (rc < 0) {
		rc = nomem(p);
		goto out;
	}
	if (!args.len) {
		rc = vg_error_set(p->err, VG_EPARSE, "%s:%zu: no argument after keyword \"%.*s\"",
				  file, lineno, (int)(kwlen > 64 ? 64 : kwlen), kw);
		goto out;
	}
	if (!strcmp(key, "match")) {
		rc = add_match(p, file, lineno, &args, entry, cur);
		goto out;
	}
	if (!strcmp(key, "include")) {
		rc = do_include(p, file, lineno, &args, depth, *cur);
		goto out;
	}
	rc = room(p, file, lineno);
	if (rc < 0)
		goto out;
	set = calloc(1, sizeof(*set));
	if (!set || !(set->value = join_args(&args, 0))) {
		rc = nomem(p);
		goto out;
	}
	set->key = key;
	key = NULL;
	set->file = file;
	set->line = lineno;
	set->block = *cur;
	if (vg_vec_push(&p->cfg->settings, set) < 0) {
		rc = nomem(p);
		goto out;
	}
	set = NULL;
out:
	setting_free(set);
	free(key);
	vg_vec_finish(&args, free);
	return rc;
}

/* Control characters other than blanks mean the file is not text. */
static bool is_binary_byte(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\r' && c != '\f' && c != '\v' && c != '\n') ||
	       c == 0x7f;
}

/* Parses text as file (a string the config owns) with depth Includes above it,
 * lines starting in block. */
static int parse_text(struct parser *p, const char *file, const char *text, size_t len,
		      size_t depth, size_t block)
{
	size_t cur = block, lineno = 0, off = 0;
	char *buf = NULL;
	int rc = 0;

	/* a whole-file pass first, so garbage is reported as such and not as
	 * whatever keyword error its first line happens to make */
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			lineno++;
		else if (is_binary_byte((unsigned char)text[i]))
			return vg_error_set(p->err, VG_EPARSE, "%s:%zu: binary data (byte 0x%02x), "
					    "not an sshd configuration", file, lineno + 1,
					    (unsigned char)text[i]);
	}
	lineno = 0;
	buf = malloc(VG_MAX_CONFIG_LINE_BYTES + 1);
	if (!buf)
		return nomem(p);
	while (off < len && rc == 0) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;

		lineno++;
		if (n > VG_MAX_CONFIG_LINE_BYTES) {
			rc = vg_error_set(p->err, VG_ELIMIT, "%s:%zu: line longer than %u bytes",
					  file, lineno, VG_MAX_CONFIG_LINE_BYTES);
			break;
		}
		memcpy(buf, text + off, n);
		buf[n] = '\0';
		rc = parse_line(p, file, lineno, buf, depth, block, &cur);
		off += n + (nl ? 1 : 0);
	}
	free(buf);
	return rc;
}

static const char *add_file(struct parser *p, const char *path)
{
	char *s = strdup(path);

	if (!s || vg_vec_push(&p->cfg->files, s) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* Reads and parses one file. optional: a file that does not exist is skipped
 * (an Include whose glob matches nothing, as sshd does). */
static int parse_file(struct parser *p, const char *path, size_t depth, size_t block,
		      bool optional)
{
	struct vg_blob b = {0};
	const char *file;
	int rc;

	if (p->cfg->files.len >= VG_MAX_INCLUDE_FILES)
		return vg_error_set(p->err, VG_ELIMIT, "%s: the sshd configuration includes more "
				    "than %d files", path, VG_MAX_INCLUDE_FILES);
	rc = vg_fs_read(p->fs, path, VG_MAX_CONFIG_FILE_BYTES, &b, p->err);
	if (rc == VG_ENOTFOUND && optional) {
		vg_error_clear(p->err);
		return 0;
	}
	if (rc < 0)
		return rc;
	if (b.len > VG_MAX_CONFIG_TOTAL_BYTES - p->total) {
		rc = vg_error_set(p->err, VG_ELIMIT, "%s: the sshd configuration is larger than %u "
				  "bytes with its includes", path, VG_MAX_CONFIG_TOTAL_BYTES);
		goto out;
	}
	p->total += b.len;
	file = add_file(p, path);
	if (!file) {
		rc = nomem(p);
		goto out;
	}
	rc = parse_text(p, file, b.data, b.len, depth, block);
out:
	vg_blob_finish(&b);
	return rc;
}

int vg_sshd_parse_string(struct vg_sshd_config **out, const char *name, const char *text,
			 size_t len, struct vg_fs *fs, struct vg_error *err)
{
	struct parser p = {.fs = fs, .err = err};
	const char *file;
	int rc;

	*out = NULL;
	if (len > VG_MAX_CONFIG_FILE_BYTES)
		return vg_error_set(err, VG_ELIMIT, "%s is larger than %u bytes", name,
				    VG_MAX_CONFIG_FILE_BYTES);
	p.cfg = config_new();
	if (!p.cfg)
		return nomem(&p);
	p.total = len;
	file = add_file(&p, name);
	rc = file ? parse_text(&p, file, text, len, 0, 0) : nomem(&p);
	if (rc < 0) {
		vg_sshd_config_free(p.cfg);
		return rc;
	}
	*out = p.cfg;
	return 0;
}

int vg_sshd_load(struct vg_sshd_config **out, struct vg_fs *fs, struct vg_error *err)
{
	struct parser p = {.fs = fs, .err = err};
	int rc;

	*out = NULL;
	p.cfg = config_new();
	if (!p.cfg)
		return nomem(&p);
	rc = parse_file(&p, VG_SSHD_CONFIG, 0, 0, false);
	if (rc == VG_ENOTFOUND && p.cfg->files.len == 0) {
		vg_error_clear(err);
		p.cfg->missing = true;
		rc = 0;
	}
	if (rc < 0) {
		vg_sshd_config_free(p.cfg);
		return rc;
	}
	*out = p.cfg;
	return 0;
}

/* ---- effective values ---- */

/* 1 when criterion c holds for conn, 0 when not, VG_EUNSUPPORTED when it
 * cannot be evaluated here. */
static int criterion_holds(const struct vg_sshd_criterion *c, const struct vg_sshd_conn *conn)
{
	const char *a = c->attr;
	int r = 0;

	if (!c->supported)
		return VG_EUNSUPPORTED;
	if (!strcmp(a, "user")) {
		r = conn->user ? match_list(conn->user, c->patterns, false) : 0;
	} else if (!strcmp(a, "group")) {
		/* any group matching, unless a negated pattern matches one */
		for (size_t i = 0; i < conn->ngroups; i++) {
			int g = match_list(conn->groups[i], c->patterns, false);

			if (g < 0) {
				r = g;
				break;
			}
			if (g > 0)
				r = 1;
		}
	} else if (!strcmp(a, "host")) {
		r = conn->host ? match_list(conn->host, c->patterns, true) : 0;
	} else if (!strcmp(a, "address")) {
		r = conn->address ? match_addr_list(conn->address, c->patterns) : 0;
	} else if (!strcmp(a, "localaddress")) {
		r = conn->local_address ? match_addr_list(conn->local_address, c->patterns) : 0;
	} else if (!strcmp(a, "localport")) {
		r = conn->local_port && conn->local_port == parse_port(c->patterns);
	} else if (!strcmp(a, "rdomain")) {
		r = conn->rdomain ? match_list(conn->rdomain, c->patterns, false) : 0;
	}
	if (r == -2)
		return VG_ENOMEM;
	return r == 1;
}

/* Whether Match block b (index + 1) applies to conn: 1, 0 or a negative code. */
static int block_applies(const struct vg_sshd_config *c, size_t b, const struct vg_sshd_conn *conn,
			 struct vg_error *err)
{
	const struct vg_sshd_match *m;
	const struct vg_sshd_criterion *unsup = NULL;
	int r;

	if (b == 0)
		return 1;
	m = c->blocks.items[b - 1];
	r = block_applies(c, m->parent, conn, err);
	if (r <= 0)
		return r;
	if (m->all)
		return 1;
	if (!conn)
		return 0; /* no connection: conditional criteria never match */
	for (size_t i = 0; i < m->ncrit; i++) {
		r = criterion_holds(&m->crit[i], conn);
		if (r == VG_EUNSUPPORTED && !unsup)
			unsup = &m->crit[i];
		else if (r < 0 && r != VG_EUNSUPPORTED)
			return vg_error_set(err, r, "out of memory matching %s:%zu", m->file,
					    m->line);
		else if (r == 0)
			return 0;
	}
	if (unsup)
		return vg_error_set(err, VG_EUNSUPPORTED, "%s:%zu: Match criterion '%s' is not "
				    "supported by vigil (supported: User, Group, Host, Address, "
				    "LocalAddress, LocalPort, RDomain, all)", m->file, m->line,
				    unsup->attr);
	return 1;
}

/* Collects the value of key from lines in matching Match blocks (global
 * false) or from global lines (global true). */
static int collect_value(const struct vg_sshd_config *c, const char *key,
			 const struct vg_sshd_conn *conn, bool global, struct vg_sshd_value *out,
			 struct vg_buf *acc, struct vg_error *err)
{
	bool multi = vg_sshd_is_multi(key);

	for (size_t i = 0; i < c->settings.len; i++) {
		const struct vg_sshd_setting *s = c->settings.items[i];
		int r;

		if (strcmp(s->key, key) || (global != (s->block == 0)))
			continue;
		if (!global) {
			r = block_applies(c, s->block, conn, err);
			if (r < 0)
				return r;
			if (!r)
				continue;
		}
		if (!out->file) {
			out->file = s->file;
			out->line = s->line;
			out->block = s->block;
		}
		if ((acc->len && vg_buf_putc(acc, ' ') < 0) || vg_buf_puts(acc, s->value) < 0)
			return vg_error_set(err, VG_ENOMEM, "out of memory");
		if (!multi)
			break;
	}
	return 0;
}

int vg_sshd_get(const struct vg_sshd_config *c, const char *keyword,
		const struct vg_sshd_conn *conn, struct vg_sshd_value *out, struct vg_error *err)
{
	struct vg_buf acc;
	char *key = NULL;
	const char *def;
	int rc;

	memset(out, 0, sizeof(*out));
	vg_buf_init(&acc, 0);
	key = canon_dup(keyword, strlen(keyword));
	if (!key)
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	/* what sshd copies from matching Match blocks over the global values */
	rc = collect_value(c, key, conn, false, out, &acc, err);
	if (rc == 0 && !out->file)
		rc = collect_value(c, key, conn, true, out, &acc, err);
	if (rc < 0)
		goto out;
	if (out->file) {
		if (!acc.data && vg_buf_puts(&acc, "") < 0) {
			rc = vg_error_set(err, VG_ENOMEM, "out of memory");
			goto out;
		}
		out->value = vg_buf_detach(&acc);
	} else if ((def = vg_sshd_default(key)) && !(out->value = strdup(def))) {
		rc = vg_error_set(err, VG_ENOMEM, "out of memory");
	}
out:
	if (rc < 0)
		vg_sshd_value_finish(out);
	vg_buf_finish(&acc);
	free(key);
	return rc;
}

/* ---- lists ---- */

static bool vec_has(const struct vg_vec *v, const char *s, size_t len)
{
	for (size_t i = 0; i < v->len; i++)
		if (strlen(v->items[i]) == len && !strncmp(v->items[i], s, len))
			return true;
	return false;
}

/* Past this many items duplicates are kept: checking would be quadratic. */
#define DEDUP_MAX 1024

/* Appends the items of list (separated by any of seps), skipping duplicates. */
static int add_items(struct vg_vec *out, const char *list, const char *seps)
{
	while (*list) {
		size_t n;
		char *s;

		list += strspn(list, seps);
		n = strcspn(list, seps);
		if (!n)
			break;
		if (out->len >= DEDUP_MAX || !vec_has(out, list, n)) {
			s = vg_strndup(list, n);
			if (!s || vg_vec_push(out, s) < 0) {
				free(s);
				return VG_ENOMEM;
			}
		}
		list += n;
	}
	return 0;
}

int vg_sshd_list_items(const char *key, const char *value, struct vg_vec *out)
{
	const char *def = vg_sshd_default(key);
	struct vg_vec tmp;
	int rc = 0;

	if (!value)
		return 0;
	if (!vg_sshd_is_algorithm_list(key) || !def)
		return add_items(out, value, ", \t");
	switch (value[0]) {
	case '+':
		rc = add_items(out, def, ",");
		return rc < 0 ? rc : add_items(out, value + 1, ",");
	case '^':
		rc = add_items(out, value + 1, ",");
		return rc < 0 ? rc : add_items(out, def, ",");
	case '-':
		vg_vec_init(&tmp);
		rc = add_items(&tmp, def, ",");
		for (size_t i = 0; rc == 0 && i < tmp.len; i++) {
			int m = match_list(tmp.items[i], value + 1, false);

			if (m == -2) {
				rc = VG_ENOMEM;
			} else if (m != 1) {
				if (vg_vec_push(out, tmp.items[i]) < 0)
					rc = VG_ENOMEM;
				else
					tmp.items[i] = NULL;
			}
		}
		vg_vec_finish(&tmp, free);
		return rc;
	default:
		return add_items(out, value, ",");
	}
}

bool vg_sshd_seconds(const char *key, const char *value, long long *out)
{
	long long total = 0;
	const char *p = value;

	if (!key || !value || !in_list(time_keys, sizeof(time_keys) / sizeof(time_keys[0]), key) ||
	    !*value)
		return false;
	while (*p) {
		long long n = 0, mult = 1;

		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p)) {
			n = n * 10 + (*p++ - '0');
			if (n > INT32_MAX)
				return false;
		}
		switch (*p) {
		case '\0':
			break;
		case 's': case 'S':
			p++;
			break;
		case 'm': case 'M':
			mult = 60;
			p++;
			break;
		case 'h': case 'H':
			mult = 3600;
			p++;
			break;
		case 'd': case 'D':
			mult = 86400;
			p++;
			break;
		case 'w': case 'W':
			mult = 604800;
			p++;
			break;
		default:
			return false;
		}
		total += n * mult;
		if (total > INT32_MAX)
			return false;
	}
	*out = total;
	return true;
}

/* ---- the collector ---- */

static int collect(void **out, const struct vg_target *t, struct vg_error *err)
{
	struct vg_sshd_config *c = NULL;
	int rc;

	if (!t->fs)
		return vg_error_set(err, VG_EUNSUPPORTED, "sshd facts need a filesystem");
	rc = vg_sshd_load(&c, t->fs, err);
	/* a directory or FIFO where a config file belongs is an error, not "not
	 * applicable" (which is what VG_EUNSUPPORTED from a collector means) */
	if (rc == VG_EUNSUPPORTED)
		rc = err->code = VG_EIO;
	if (rc < 0)
		return rc;
	*out = c;
	return 0;
}

static void free_facts(void *facts)
{
	vg_sshd_config_free(facts);
}

const struct vg_collector vg_collector_sshd = {
	.name = "sshd",
	.offline = true,
	.live_only = false,
	.collect = collect,
	.free_facts = free_facts,
};
