/* SPDX-License-Identifier: Apache-2.0 */
/* Reads the dpkg status database and orders Debian versions as dpkg does. */
#include "facts/packages.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "facts/accounts.h"
#include "limits.h"
#include "util.h"

static void pkg_finish(struct vg_pkg *k)
{
	free(k->name);
	free(k->arch);
	free(k->version);
	free(k->state);
	memset(k, 0, sizeof(*k));
}

void vg_packages_free(struct vg_packages *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->npkgs; i++)
		pkg_finish(&p->pkgs[i]);
	free(p->pkgs);
	free(p);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A field value with surrounding blanks removed, copied. */
static char *value_dup(const char *s, size_t n)
{
	while (n && is_blank(*s)) {
		s++;
		n--;
	}
	while (n && is_blank(s[n - 1]))
		n--;
	return vg_strndup(s, n);
}

/* The third word of a Status value ("install ok installed" -> "installed"). */
static char *status_state(const char *v)
{
	const char *p = v;

	for (int word = 0; word < 2; word++) {
		while (*p && !is_blank(*p))
			p++;
		while (*p && is_blank(*p))
			p++;
	}
	if (!*p)
		return NULL;
	return value_dup(p, strcspn(p, " \t"));
}

static int cmp_pkg(const void *x, const void *y)
{
	const struct vg_pkg *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	return strcmp(a->arch ? a->arch : "", b->arch ? b->arch : "");
}

/* Ends the stanza in cur: kept when it has a Package and a Status, else counted. */
static int finish_stanza(struct vg_packages *p, struct vg_pkg *cur, char *status, size_t *cap)
{
	int rc = 0;

	if (!cur->name && !status && !cur->version && !cur->arch)
		return 0; /* nothing there (blank lines) */
	if (!cur->name || !status) {
		p->problems++;
		goto drop;
	}
	if (p->npkgs >= VG_MAX_CONFIG_ENTRIES) {
		rc = VG_ELIMIT;
		goto drop;
	}
	cur->state = status_state(status);
	if (!cur->state) {
		p->problems++;
		goto drop;
	}
	cur->installed = strcmp(cur->state, "not-installed") && strcmp(cur->state, "config-files");
	if (p->npkgs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		struct vg_pkg *n = vg_reallocarray(p->pkgs, ncap, sizeof(*n));

		if (!n) {
			rc = VG_ENOMEM;
			goto drop;
		}
		p->pkgs = n;
		*cap = ncap;
	}
	p->pkgs[p->npkgs++] = *cur;
	memset(cur, 0, sizeof(*cur));
	free(status);
	return 0;
drop:
	pkg_finish(cur);
	free(status);
	return rc;
}

int vg_packages_parse_dpkg(struct vg_packages *p, const char *data, size_t len,
			   struct vg_error *err)
{
	struct vg_pkg cur = {0};
	char *status = NULL;
	size_t lineno = 0, cap = p->npkgs;
	int rc = 0;

	if (vg_accounts_looks_binary(data, len)) {
		p->code = vg_error_set(&p->err, VG_EPARSE, "%s is not a text file (binary data)",
				       VG_DPKG_STATUS);
		return vg_error_set(err, VG_EPARSE, "%s", p->err.msg);
	}
	for (size_t off = 0; off <= len && rc == 0;) {
		const char *line = data + off;
		const char *nl = off < len ? memchr(line, '\n', len - off) : NULL;
		size_t n = off < len ? (nl ? (size_t)(nl - line) : len - off) : 0;
		const char *colon;
		char **slot = NULL;
		size_t klen;

		off += n + 1; /* past the end ends the last stanza below */
		lineno++;
		if (n && line[n - 1] == '\r')
			n--;
		if (n == 0) {
			rc = finish_stanza(p, &cur, status, &cap);
			status = NULL;
			continue;
		}
		if (is_blank(line[0]))
			continue; /* a continuation of a field we do not keep */
		colon = memchr(line, ':', n);
		if (!colon)
			continue;
		if (!cur.line)
			cur.line = lineno;
		klen = (size_t)(colon - line);
		if (klen == 7 && !strncasecmp(line, "Package", 7))
			slot = &cur.name;
		else if (klen == 7 && !strncasecmp(line, "Version", 7))
			slot = &cur.version;
		else if (klen == 12 && !strncasecmp(line, "Architecture", 12))
			slot = &cur.arch;
		else if (klen == 6 && !strncasecmp(line, "Status", 6))
			slot = &status;
		if (!slot)
			continue;
		free(*slot);
		*slot = value_dup(colon + 1, n - klen - 1);
		if (!*slot)
			rc = VG_ENOMEM;
	}
	if (rc == 0)
		rc = finish_stanza(p, &cur, status, &cap);
	else {
		pkg_finish(&cur);
		free(status);
	}
	if (rc == VG_ELIMIT) {
		p->code = vg_error_set(&p->err, rc, "%s lists more than %d packages",
				       VG_DPKG_STATUS, VG_MAX_CONFIG_ENTRIES);
		return vg_error_set(err, rc, "%s", p->err.msg);
	}
	if (rc < 0)
		return vg_error_set(err, rc, "%s: out of memory", VG_DPKG_STATUS);
	if (p->npkgs > 1)
		qsort(p->pkgs, p->npkgs, sizeof(*p->pkgs), cmp_pkg);
	p->code = 0;
	return 0;
}

int vg_packages_load(struct vg_packages **out, struct vg_fs *fs, struct vg_error *err)
{
	struct vg_packages *p = calloc(1, sizeof(*p));
	struct vg_blob b = {0};
	struct vg_error scratch = {0};
	struct vg_stat st;
	int rc = 0;

	*out = NULL;
	if (!p)
		return vg_error_set(err, VG_ENOMEM, "packages: out of memory");
	p->code = vg_fs_read(fs, VG_DPKG_STATUS, VG_MAX_CONFIG_FILE_BYTES, &b, &p->err);
	if (p->code == VG_ENOMEM) {
		rc = vg_error_set(err, VG_ENOMEM, "%s", p->err.msg);
		goto out;
	}
	if (p->code == 0) {
		rc = vg_packages_parse_dpkg(p, b.data, b.len, err);
		if (rc == VG_ENOMEM)
			goto out;
		rc = 0;
	} else if (p->code == VG_ENOTFOUND) {
		p->rpm_db = vg_fs_lstat(fs, "/var/lib/rpm", &st, &scratch) == 0 ||
			    vg_fs_lstat(fs, "/usr/lib/sysimage/rpm", &st, &scratch) == 0;
	}
	*out = p;
	p = NULL;
out:
	vg_blob_finish(&b);
	vg_packages_free(p);
	return rc;
}

size_t vg_packages_find(const struct vg_packages *p, const char *name, size_t *count)
{
	size_t lo = 0, hi = p->npkgs, first;

	*count = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(p->pkgs[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < p->npkgs && !strcmp(p->pkgs[lo].name, name))
		lo++;
	*count = lo - first;
	return first;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool vg_packages_version_valid(const char *v)
{
	const char *colon = strchr(v, ':');
	const char *up = colon ? colon + 1 : v;
	const char *dash = strrchr(up, '-');
	const char *up_end = dash ? dash : up + strlen(up);

	if (colon) {
		if (colon == v)
			return false;
		for (const char *p = v; p < colon; p++)
			if (!is_digit(*p))
				return false;
	}
	if (up == up_end)
		return false;
	for (const char *p = up; p < up_end; p++)
		if (!is_digit(*p) && !is_alpha(*p) && !strchr(".+-~", *p))
			return false;
	if (dash) {
		if (!dash[1])
			return false;
		for (const char *p = dash + 1; *p; p++)
			if (!is_digit(*p) && !is_alpha(*p) && !strchr(".+~", *p))
				return false;
	}
	return true;
}

/* Sort weight of one character in a non-digit run: '~' before the end of the
 * part, the end before letters, letters before everything else. */
static int weight(char c)
{
	if (c == '~')
		return -1;
	if (c == '\0' || is_digit(c))
		return 0;
	if (is_alpha(c))
		return (unsigned char)c;
	return (unsigned char)c + 256;
}

/* Compares [a, ae) and [b, be) with dpkg's alternating non-digit / digit rule. */
static int part_cmp(const char *a, const char *ae, const char *b, const char *be)
{
	while (a < ae || b < be) {
		while ((a < ae && !is_digit(*a)) || (b < be && !is_digit(*b))) {
			int wa = weight(a < ae ? *a : '\0');
			int wb = weight(b < be ? *b : '\0');

			if (wa != wb)
				return wa < wb ? -1 : 1;
			if (a < ae)
				a++;
			if (b < be)
				b++;
		}
		/* digit runs: numerically, without converting (they may be long) */
		while (a < ae && *a == '0')
			a++;
		while (b < be && *b == '0')
			b++;
		{
			const char *da = a, *db = b;
			int first = 0;

			while (da < ae && is_digit(*da))
				da++;
			while (db < be && is_digit(*db))
				db++;
			if (da - a != db - b)
				return da - a < db - b ? -1 : 1;
			for (; a < da; a++, b++)
				if (!first && *a != *b)
					first = *a < *b ? -1 : 1;
			if (first)
				return first;
		}
	}
	return 0;
}

struct ver {
	unsigned long long epoch;
	const char *up, *up_end, *rev, *rev_end;
};

static void split_version(const char *v, struct ver *out)
{
	const char *colon = strchr(v, ':');
	const char *dash;
	int64_t e = 0;

	out->epoch = 0;
	if (colon) {
		char buf[24];
		size_t n = (size_t)(colon - v);

		if (n < sizeof(buf)) {
			memcpy(buf, v, n);
			buf[n] = '\0';
			if (vg_parse_i64(buf, 10, &e) && e >= 0)
				out->epoch = (unsigned long long)e;
		}
		v = colon + 1;
	}
	dash = strrchr(v, '-');
	out->up = v;
	out->up_end = dash ? dash : v + strlen(v);
	out->rev = dash ? dash + 1 : out->up_end;
	out->rev_end = out->rev + strlen(out->rev);
}

int vg_packages_vercmp(const char *a, const char *b)
{
	struct ver va, vb;
	int c;

	split_version(a, &va);
	split_version(b, &vb);
	if (va.epoch != vb.epoch)
		return va.epoch < vb.epoch ? -1 : 1;
	c = part_cmp(va.up, va.up_end, vb.up, vb.up_end);
	if (c)
		return c;
	return part_cmp(va.rev, va.rev_end, vb.rev, vb.rev_end);
}

static int collect(void **out, const struct vg_target *t, struct vg_error *err)
{
	struct vg_packages *p = NULL;
	int rc = vg_packages_load(&p, t->fs, err);

	*out = p;
	return rc;
}

static void free_facts(void *p)
{
	vg_packages_free(p);
}

const struct vg_collector vg_collector_packages = {
	.name = "packages",
	.offline = true,
	.live_only = false,
	.collect = collect,
	.free_facts = free_facts,
};
