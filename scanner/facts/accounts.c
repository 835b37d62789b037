/* SPDX-License-Identifier: Apache-2.0 */
/* Parses the local account files of a target into shared facts, never keeping a password hash. */
#include "facts/accounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"

static const char *const paths[VG_ACCT_NKINDS] = {
	"/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/login.defs",
};

/* Fields of each colon file. glibc's parsers read the fields a line has and
 * leave the missing trailing ones empty; shadow-utils writes them all. */
static const size_t nfields[VG_ACCT_NKINDS] = {7, 9, 4, 4, 0};
/* Fields up to the last one glibc requires: passwd's gid, group's gid, shadow's
 * max (the old five-field form); gshadow needs none but the name. */
static const size_t need_fields[VG_ACCT_NKINDS] = {4, 5, 3, 1, 0};
static const char *const shadow_field_names[9] = {
	"name", "password", "lastchg", "min", "max", "warn", "inactive", "expire", "flag",
};

/* shadow-utils' values for login.defs keys left unset (getdef.c and its callers). */
static const char *const def_defaults[][2] = {
	{"PASS_MAX_DAYS", "99999"}, {"PASS_MIN_DAYS", "0"},     {"PASS_WARN_AGE", "7"},
	{"UID_MIN", "1000"},        {"UID_MAX", "60000"},       {"SYS_UID_MIN", "101"},
	{"SYS_UID_MAX", "999"},     {"GID_MIN", "1000"},        {"GID_MAX", "60000"},
	{"SYS_GID_MIN", "101"},     {"SYS_GID_MAX", "999"},     {"ENCRYPT_METHOD", "DES"},
	{"UMASK", "022"},           {"LOGIN_RETRIES", "5"},     {"LOGIN_TIMEOUT", "60"},
	{"SHA_CRYPT_MIN_ROUNDS", "5000"}, {"SHA_CRYPT_MAX_ROUNDS", "5000"},
	{"YESCRYPT_COST_FACTOR", "5"}, {"FAIL_DELAY", "3"},
};

static void problem_free(void *p)
{
	struct vg_acct_problem *pr = p;

	if (pr)
		free(pr->msg);
	free(pr);
}

static void passwd_free(void *p)
{
	struct vg_passwd_ent *e = p;

	if (!e)
		return;
	free(e->name);
	free(e->gecos);
	free(e->home);
	free(e->shell);
	free(e);
}

static void shadow_free(void *p)
{
	struct vg_shadow_ent *e = p;

	if (!e)
		return;
	free(e->name);
	free(e->lastchg);
	free(e->min);
	free(e->max);
	free(e->warn);
	free(e->inactive);
	free(e->expire);
	free(e);
}

static void group_free(void *p)
{
	struct vg_group_ent *e = p;

	if (!e)
		return;
	free(e->name);
	free(e->members);
	free(e);
}

static void gshadow_free(void *p)
{
	struct vg_gshadow_ent *e = p;

	if (!e)
		return;
	free(e->name);
	free(e->admins);
	free(e->members);
	free(e);
}

static void def_free(void *p)
{
	struct vg_logindef *d = p;

	if (!d)
		return;
	free(d->key);
	free(d->value);
	free(d);
}

struct vg_accounts *vg_accounts_new(void)
{
	struct vg_accounts *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	for (size_t i = 0; i < VG_ACCT_NKINDS; i++) {
		a->files[i].path = paths[i];
		a->files[i].code = VG_ENOTFOUND;
		vg_vec_init(&a->files[i].problems);
	}
	vg_vec_init(&a->users);
	vg_vec_init(&a->shadows);
	vg_vec_init(&a->groups);
	vg_vec_init(&a->gshadows);
	vg_vec_init(&a->defs);
	return a;
}

void vg_accounts_free(struct vg_accounts *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < VG_ACCT_NKINDS; i++)
		vg_vec_finish(&a->files[i].problems, problem_free);
	vg_vec_finish(&a->users, passwd_free);
	vg_vec_finish(&a->shadows, shadow_free);
	vg_vec_finish(&a->groups, group_free);
	vg_vec_finish(&a->gshadows, gshadow_free);
	vg_vec_finish(&a->defs, def_free);
	free(a->uids);
	free(a->gids);
	free(a);
}

bool vg_accounts_looks_binary(const char *data, size_t len)
{
	size_t n = len < VG_BINARY_SNIFF_BYTES ? len : VG_BINARY_SNIFF_BYTES;
	size_t ctl = 0;

	if (memchr(data, '\0', len))
		return true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' &&
		    c != 0x1b)
			ctl++;
	}
	/* text has next to none; a stray one or two is not reason to refuse a file */
	return ctl > 2 && ctl * 32 > n;
}

const char *vg_accounts_pw_name(enum vg_pw_state s)
{
	switch (s) {
	case VG_PW_EMPTY:
		return "empty";
	case VG_PW_SHADOWED:
		return "shadowed";
	case VG_PW_LOCKED:
		return "locked";
	case VG_PW_HASH:
		break;
	}
	return "hash";
}

static enum vg_pw_state pw_state(const char *s, size_t n)
{
	if (n == 0)
		return VG_PW_EMPTY;
	if (n == 1 && s[0] == 'x')
		return VG_PW_SHADOWED;
	if (s[0] == '!' || s[0] == '*')
		return VG_PW_LOCKED;
	return VG_PW_HASH;
}

static int add_problem(struct vg_acct_file *f, size_t line, const char *msg)
{
	struct vg_acct_problem *p = calloc(1, sizeof(*p));

	if (!p || !(p->msg = vg_asprintf("%s:%zu: %s", f->path, line, msg)) ||
	    vg_vec_push(&f->problems, p) < 0) {
		problem_free(p);
		return VG_ENOMEM;
	}
	p->line = line;
	return 0;
}

/* A field copied, or NULL when empty and empty_null is set. *ok turns false on ENOMEM. */
static char *field_dup(const char *s, size_t n, bool empty_null, bool *ok)
{
	char *d;

	if (n == 0 && empty_null)
		return NULL;
	d = vg_strndup(s, n);
	if (!d)
		*ok = false;
	return d;
}

static bool parse_id(const char *s, size_t n, int64_t *out)
{
	char buf[24];

	if (n == 0 || n >= sizeof(buf))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	/* 4294967295 is (uid_t)-1, which no account may have */
	return vg_parse_i64(buf, 10, out) && *out >= 0 && *out < 4294967295LL;
}

struct span {
	const char *s;
	size_t n;
};

/* Splits a line at ':' into at most maxf fields; the fields a line lacks are
 * empty. Extra fields are counted but not kept. Returns the number of fields. */
static size_t split_colons(const char *line, size_t len, struct span *f, size_t maxf)
{
	size_t count = 0;
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || line[i] == ':') {
			if (count < maxf) {
				f[count].s = line + start;
				f[count].n = i - start;
			}
			count++;
			start = i + 1;
		}
	}
	for (size_t i = count; i < maxf; i++)
		f[i] = (struct span){line + len, 0};
	return count;
}

static bool all_digits(const struct span *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->s[i] < '0' || f->s[i] > '9')
			return false;
	return true;
}

/* Whether glibc's shadow parser takes a line of n fields: it needs the five
 * of the old form (a last field, when empty, ends the line too early), and
 * when a sixth field holds anything, all eight of the new form. */
static bool shadow_shape_ok(const struct span *fl, size_t n)
{
	switch (n) {
	case 5:
		return fl[4].n > 0;
	case 6:
		return fl[5].n == 0;
	case 8:
		return fl[7].n > 0;
	case 9:
		return true;
	default:
		return false;
	}
}

/* Records what glibc would refuse in a shadow line that is kept anyway: an
 * entry it ignores could still hold an empty password that another reader
 * (or a later edit) honours, so the checks see it and well-formed reports it. */
static int shadow_problems(struct vg_acct_file *f, const struct span *fl, size_t n,
			   size_t lineno)
{
	char msg[160];

	if (n < need_fields[VG_ACCT_SHADOW])
		snprintf(msg, sizeof(msg), "truncated entry: %zu of %zu fields (glibc ignores "
			 "it)", n, nfields[VG_ACCT_SHADOW]);
	else if (n > nfields[VG_ACCT_SHADOW])
		snprintf(msg, sizeof(msg), "entry has %zu fields, expected %zu (glibc ignores "
			 "it)", n, nfields[VG_ACCT_SHADOW]);
	else if (!shadow_shape_ok(fl, n))
		snprintf(msg, sizeof(msg), "entry has %zu of %zu fields, a form glibc ignores "
			 "(5 or 8 fields ending in a value, 6 ending empty, or 9)", n,
			 nfields[VG_ACCT_SHADOW]);
	else
		msg[0] = '\0';
	for (size_t i = 2; !msg[0] && i < nfields[VG_ACCT_SHADOW]; i++)
		if (!all_digits(&fl[i]))
			snprintf(msg, sizeof(msg), "the %s field is not a number (glibc ignores "
				 "the entry)", shadow_field_names[i]);
	return msg[0] ? add_problem(f, lineno, msg) : 0;
}

/* One line of passwd, shadow, group or gshadow. A line is skipped only when
 * it names no account or lacks an id glibc requires; otherwise it is kept the
 * way glibc reads it (missing trailing fields empty; in passwd, group and
 * gshadow extra fields run into the last one) and what is wrong with it is
 * recorded as a problem. */
static int parse_colon_line(struct vg_accounts *a, enum vg_acct_kind kind, const char *line,
			    size_t len, size_t lineno)
{
	struct vg_acct_file *f = &a->files[kind];
	struct span fl[9];
	size_t max = nfields[kind];
	size_t n = split_colons(line, len, fl, max);
	bool ok = true;
	char msg[128];
	int64_t id1 = 0, id2 = 0;
	int rc;

	if (fl[0].n == 0)
		return add_problem(f, lineno, "entry without a name");
	if (n < 2 || (n < need_fields[kind] && kind != VG_ACCT_SHADOW)) {
		snprintf(msg, sizeof(msg), "truncated entry: %zu of %zu fields", n, max);
		return add_problem(f, lineno, msg);
	}
	if (kind == VG_ACCT_PASSWD && !parse_id(fl[2].s, fl[2].n, &id1))
		return add_problem(f, lineno, "the uid is not a number");
	if (kind == VG_ACCT_PASSWD && !parse_id(fl[3].s, fl[3].n, &id2))
		return add_problem(f, lineno, "the gid is not a number");
	if (kind == VG_ACCT_GROUP && !parse_id(fl[2].s, fl[2].n, &id1))
		return add_problem(f, lineno, "the gid is not a number");
	if (kind == VG_ACCT_SHADOW) {
		rc = shadow_problems(f, fl, n, lineno);
		if (rc < 0)
			return rc;
	} else if (n > max) {
		/* glibc reads the rest of the line as the last field */
		fl[max - 1].n = (size_t)(line + len - fl[max - 1].s);
		snprintf(msg, sizeof(msg), "entry has %zu fields, expected %zu (the extra ones "
			 "are read as part of the last)", n, max);
		rc = add_problem(f, lineno, msg);
		if (rc < 0)
			return rc;
	}
	if (kind == VG_ACCT_PASSWD) {
		struct vg_passwd_ent *e = calloc(1, sizeof(*e));

		if (!e)
			return VG_ENOMEM;
		e->name = field_dup(fl[0].s, fl[0].n, false, &ok);
		e->pw = pw_state(fl[1].s, fl[1].n);
		e->uid = id1;
		e->gid = id2;
		e->gecos = field_dup(fl[4].s, fl[4].n, false, &ok);
		e->home = field_dup(fl[5].s, fl[5].n, false, &ok);
		e->shell = field_dup(fl[6].s, fl[6].n, false, &ok);
		e->line = lineno;
		if (!ok || vg_vec_push(&a->users, e) < 0) {
			passwd_free(e);
			return VG_ENOMEM;
		}
	} else if (kind == VG_ACCT_SHADOW) {
		struct vg_shadow_ent *e = calloc(1, sizeof(*e));

		if (!e)
			return VG_ENOMEM;
		e->name = field_dup(fl[0].s, fl[0].n, false, &ok);
		e->pw = pw_state(fl[1].s, fl[1].n);
		e->lastchg = field_dup(fl[2].s, fl[2].n, true, &ok);
		e->min = field_dup(fl[3].s, fl[3].n, true, &ok);
		e->max = field_dup(fl[4].s, fl[4].n, true, &ok);
		e->warn = field_dup(fl[5].s, fl[5].n, true, &ok);
		e->inactive = field_dup(fl[6].s, fl[6].n, true, &ok);
		e->expire = field_dup(fl[7].s, fl[7].n, true, &ok);
		e->line = lineno;
		if (!ok || vg_vec_push(&a->shadows, e) < 0) {
			shadow_free(e);
			return VG_ENOMEM;
		}
	} else if (kind == VG_ACCT_GROUP) {
		struct vg_group_ent *e = calloc(1, sizeof(*e));

		if (!e)
			return VG_ENOMEM;
		e->name = field_dup(fl[0].s, fl[0].n, false, &ok);
		e->pw = pw_state(fl[1].s, fl[1].n);
		e->gid = id1;
		e->members = field_dup(fl[3].s, fl[3].n, false, &ok);
		e->line = lineno;
		if (!ok || vg_vec_push(&a->groups, e) < 0) {
			group_free(e);
			return VG_ENOMEM;
		}
	} else {
		struct vg_gshadow_ent *e = calloc(1, sizeof(*e));

		if (!e)
			return VG_ENOMEM;
		e->name = field_dup(fl[0].s, fl[0].n, false, &ok);
		e->pw = pw_state(fl[1].s, fl[1].n);
		e->admins = field_dup(fl[2].s, fl[2].n, false, &ok);
		e->members = field_dup(fl[3].s, fl[3].n, false, &ok);
		e->line = lineno;
		if (!ok || vg_vec_push(&a->gshadows, e) < 0) {
			gshadow_free(e);
			return VG_ENOMEM;
		}
	}
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* login.defs: "NAME value", '#' comments; a quoted value loses its quotes. */
static int parse_def_line(struct vg_accounts *a, const char *line, size_t len, size_t lineno)
{
	struct vg_logindef *d = NULL;
	size_t i = 0, ks, ke, vs, ve;

	while (i < len && is_space(line[i]))
		i++;
	if (i == len || line[i] == '#')
		return 0;
	ks = i;
	while (i < len && !is_space(line[i]))
		i++;
	ke = i;
	while (i < len && is_space(line[i]))
		i++;
	vs = i;
	if (i < len && line[i] == '"') {
		vs = ++i;
		while (i < len && line[i] != '"')
			i++;
		ve = i;
	} else {
		while (i < len && !is_space(line[i]))
			i++;
		ve = i;
	}
	if (vs == ve)
		return add_problem(&a->files[VG_ACCT_LOGIN_DEFS], lineno,
				   "a setting without a value");
	d = calloc(1, sizeof(*d));
	if (!d || !(d->key = vg_strndup(line + ks, ke - ks)) ||
	    !(d->value = vg_strndup(line + vs, ve - vs)) || vg_vec_push(&a->defs, d) < 0) {
		def_free(d);
		return VG_ENOMEM;
	}
	d->line = lineno;
	return 0;
}

/* Entries of kind kept so far. */
static size_t kept(const struct vg_accounts *a, enum vg_acct_kind kind)
{
	switch (kind) {
	case VG_ACCT_PASSWD:
		return a->users.len;
	case VG_ACCT_SHADOW:
		return a->shadows.len;
	case VG_ACCT_GROUP:
		return a->groups.len;
	case VG_ACCT_GSHADOW:
		return a->gshadows.len;
	default:
		return a->defs.len;
	}
}

int vg_accounts_parse(struct vg_accounts *a, enum vg_acct_kind kind, const char *data,
		      size_t len, struct vg_error *err)
{
	struct vg_acct_file *f = &a->files[kind];
	size_t lineno = 0;
	int rc = 0;

	if (vg_accounts_looks_binary(data, len)) {
		f->code = vg_error_set(&f->err, VG_EPARSE, "%s is not a text file (binary data)",
				       f->path);
		return vg_error_set(err, VG_EPARSE, "%s", f->err.msg);
	}
	f->code = 0;
	vg_error_clear(&f->err);
	for (size_t off = 0; off < len && rc == 0;) {
		const char *line = data + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t n = nl ? (size_t)(nl - line) : len - off;

		off += n + (nl ? 1 : 0);
		lineno++;
		/* a hostile file of tiny lines must not become millions of entries */
		if (kept(a, kind) + f->problems.len >= VG_MAX_CONFIG_ENTRIES) {
			f->code = vg_error_set(&f->err, VG_ELIMIT, "%s has more than %d entries",
					       f->path, VG_MAX_CONFIG_ENTRIES);
			return vg_error_set(err, VG_ELIMIT, "%s", f->err.msg);
		}
		if (n && line[n - 1] == '\r')
			n--;
		if (kind == VG_ACCT_LOGIN_DEFS) {
			rc = parse_def_line(a, line, n, lineno);
			continue;
		}
		/* blank lines, comments and NIS compat entries ("+", "-") are no accounts */
		if (n == 0 || line[0] == '#' || line[0] == '+' || line[0] == '-')
			continue;
		rc = parse_colon_line(a, kind, line, n, lineno);
	}
	if (rc < 0)
		return vg_error_set(err, rc, "%s: out of memory", f->path);
	return 0;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

int vg_accounts_index(struct vg_accounts *a)
{
	free(a->uids);
	free(a->gids);
	a->uids = vg_calloc(a->users.len + 1, sizeof(*a->uids));
	a->gids = vg_calloc(a->groups.len + 1, sizeof(*a->gids));
	a->nuids = a->ngids = 0;
	if (!a->uids || !a->gids)
		return VG_ENOMEM;
	for (size_t i = 0; i < a->users.len; i++)
		a->uids[a->nuids++] = ((struct vg_passwd_ent *)a->users.items[i])->uid;
	for (size_t i = 0; i < a->groups.len; i++)
		a->gids[a->ngids++] = ((struct vg_group_ent *)a->groups.items[i])->gid;
	qsort(a->uids, a->nuids, sizeof(*a->uids), cmp_i64);
	qsort(a->gids, a->ngids, sizeof(*a->gids), cmp_i64);
	return 0;
}

int vg_accounts_load(struct vg_accounts **out, struct vg_fs *fs, struct vg_error *err)
{
	struct vg_accounts *a = vg_accounts_new();
	int rc = 0;

	*out = NULL;
	if (!a)
		return vg_error_set(err, VG_ENOMEM, "accounts: out of memory");
	for (int k = 0; k < VG_ACCT_NKINDS; k++) {
		struct vg_acct_file *f = &a->files[k];
		struct vg_blob b = {0};

		vg_error_clear(&f->err);
		f->code = vg_fs_read(fs, f->path, VG_MAX_CONFIG_FILE_BYTES, &b, &f->err);
		if (f->code == VG_ENOMEM) {
			rc = vg_error_set(err, VG_ENOMEM, "%s", f->err.msg);
			goto out;
		}
		if (f->code == 0) {
			rc = vg_accounts_parse(a, (enum vg_acct_kind)k, b.data, b.len, err);
			vg_blob_finish(&b);
			if (rc == VG_ENOMEM)
				goto out;
			rc = 0; /* binary, too many entries: recorded in the file's code */
		}
	}
	rc = vg_accounts_index(a);
	if (rc < 0) {
		vg_error_set(err, rc, "accounts: out of memory");
		goto out;
	}
	*out = a;
	a = NULL;
out:
	vg_accounts_free(a);
	return rc;
}

const struct vg_shadow_ent *vg_accounts_shadow(const struct vg_accounts *a, const char *name)
{
	for (size_t i = 0; i < a->shadows.len; i++) {
		const struct vg_shadow_ent *e = a->shadows.items[i];

		if (!strcmp(e->name, name))
			return e;
	}
	return NULL;
}

const struct vg_group_ent *vg_accounts_group_by_gid(const struct vg_accounts *a, int64_t gid)
{
	for (size_t i = 0; i < a->groups.len; i++) {
		const struct vg_group_ent *e = a->groups.items[i];

		if (e->gid == gid)
			return e;
	}
	return NULL;
}

const struct vg_group_ent *vg_accounts_group_by_name(const struct vg_accounts *a,
						     const char *name)
{
	for (size_t i = 0; i < a->groups.len; i++) {
		const struct vg_group_ent *e = a->groups.items[i];

		if (!strcmp(e->name, name))
			return e;
	}
	return NULL;
}

const char *vg_accounts_def(const struct vg_accounts *a, const char *key, size_t *line)
{
	for (size_t i = a->defs.len; i-- > 0;) {
		const struct vg_logindef *d = a->defs.items[i];

		if (!strcmp(d->key, key)) {
			if (line)
				*line = d->line;
			return d->value;
		}
	}
	return NULL;
}

const char *vg_accounts_def_default(const char *key)
{
	for (size_t i = 0; i < sizeof(def_defaults) / sizeof(def_defaults[0]); i++)
		if (!strcmp(def_defaults[i][0], key))
			return def_defaults[i][1];
	return NULL;
}

int64_t vg_accounts_def_int(const struct vg_accounts *a, const char *key, int64_t def)
{
	const char *v = vg_accounts_def(a, key, NULL);
	int64_t n;

	if (v && vg_parse_i64(v, 10, &n))
		return n;
	v = vg_accounts_def_default(key);
	if (v && vg_parse_i64(v, 10, &n))
		return n;
	return def;
}

static bool in_sorted(const int64_t *v, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] == x)
			return true;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool vg_accounts_has_uid(const struct vg_accounts *a, int64_t uid)
{
	return in_sorted(a->uids, a->nuids, uid);
}

bool vg_accounts_has_gid(const struct vg_accounts *a, int64_t gid)
{
	return in_sorted(a->gids, a->ngids, gid);
}

static bool is_nobody(const struct vg_passwd_ent *u)
{
	return u->uid == 65534 || !strcmp(u->name, "nobody") || !strcmp(u->name, "nfsnobody");
}

bool vg_accounts_is_human(const struct vg_accounts *a, const struct vg_passwd_ent *u)
{
	return u->uid >= vg_accounts_def_int(a, "UID_MIN", 1000) &&
	       u->uid <= vg_accounts_def_int(a, "UID_MAX", 60000) && !is_nobody(u);
}

bool vg_accounts_is_system(const struct vg_accounts *a, const struct vg_passwd_ent *u)
{
	return u->uid < vg_accounts_def_int(a, "UID_MIN", 1000) || is_nobody(u);
}

bool vg_accounts_has_password(const struct vg_accounts *a, const struct vg_passwd_ent *u)
{
	const struct vg_shadow_ent *s;

	if (u->pw != VG_PW_SHADOWED)
		return u->pw == VG_PW_HASH;
	s = vg_accounts_shadow(a, u->name);
	return s && s->pw == VG_PW_HASH;
}

bool vg_accounts_shell_is_nologin(const char *shell)
{
	const char *base = shell ? strrchr(shell, '/') : NULL;

	base = base ? base + 1 : shell;
	return base && (!strcmp(base, "nologin") || !strcmp(base, "false"));
}

static int collect(void **out, const struct vg_target *t, struct vg_error *err)
{
	struct vg_accounts *a = NULL;
	int rc = vg_accounts_load(&a, t->fs, err);

	*out = a;
	return rc;
}

static void free_facts(void *p)
{
	vg_accounts_free(p);
}

const struct vg_collector vg_collector_accounts = {
	.name = "accounts",
	.offline = true,
	.live_only = false,
	.collect = collect,
	.free_facts = free_facts,
};
