/* SPDX-License-Identifier: Apache-2.0 */
/* Shared evaluation of structured config checks: read files and drop-ins, merge, judge. */
#include "checks/structured.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "glob.h"
#include "limits.h"
#include "util.h"

/* ---- values ---- */

int vg_svalues_add(struct vg_svalues *v, const char *value, size_t len, size_t line)
{
	struct vg_svalue *items;
	char *copy;

	if (v->n == v->cap) {
		size_t ncap = v->cap ? v->cap * 2 : 8;

		items = vg_reallocarray(v->items, ncap, sizeof(*items));
		if (!items)
			return VG_ENOMEM;
		v->items = items;
		v->cap = ncap;
	}
	copy = vg_memdup(value, len);
	if (!copy)
		return VG_ENOMEM;
	v->items[v->n].value = copy;
	v->items[v->n].len = len;
	v->items[v->n].line = line;
	v->n++;
	return 0;
}

void vg_svalues_finish(struct vg_svalues *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++)
		free(v->items[i].value);
	free(v->items);
	memset(v, 0, sizeof(*v));
}

/* ---- document paths ---- */

void vg_spath_finish(struct vg_spath *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->steps[i].key);
	free(p->steps);
	p->steps = NULL;
	p->n = 0;
}

bool vg_sline_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

void vg_sline_next(const char **pos, const char *end, const char **s, const char **e)
{
	const char *eol = memchr(*pos, '\n', (size_t)(end - *pos));

	*s = *pos;
	*e = eol ? eol : end;
	*pos = eol ? eol + 1 : end;
	if (*e > *s && (*e)[-1] == '\r')
		(*e)--;
}

void vg_sline_trim(const char **s, const char **e)
{
	while (*s < *e && vg_sline_blank(**s))
		(*s)++;
	while (*e > *s && vg_sline_blank((*e)[-1]))
		(*e)--;
}

bool vg_sline_name_is(const char *want, bool nocase, const char *s, size_t n)
{
	if (strlen(want) != n)
		return false;
	return nocase ? !strncasecmp(want, s, n) : !memcmp(want, s, n);
}

static int spath_push(struct vg_spath *p, char *key, size_t index, char *why, size_t whylen)
{
	struct vg_spath_step *s;

	if (p->n >= VG_MAX_CONFIG_DEPTH) {
		free(key);
		snprintf(why, whylen, "more than %d steps", VG_MAX_CONFIG_DEPTH);
		return VG_EPARSE;
	}
	s = vg_reallocarray(p->steps, p->n + 1, sizeof(*s));
	if (!s) {
		free(key);
		return VG_ENOMEM;
	}
	p->steps = s;
	p->steps[p->n].key = key;
	p->steps[p->n].index = index;
	p->n++;
	return 0;
}

/* One bracketed step at s[*i] == '[': an index [N] or a quoted key ["k"] / ['k']. */
static int spath_bracket(struct vg_spath *p, const char *s, size_t *i, char *why, size_t whylen)
{
	size_t j = *i + 1;
	int64_t idx;

	if (s[j] == '"' || s[j] == '\'') {
		char q = s[j++];
		struct vg_buf b;
		char *key;

		vg_buf_init(&b, 0);
		for (; s[j] && s[j] != q; j++) {
			if (s[j] == '\\' && (s[j + 1] == q || s[j + 1] == '\\'))
				j++;
			if (vg_buf_putc(&b, s[j]) < 0) {
				vg_buf_finish(&b);
				return VG_ENOMEM;
			}
		}
		if (!s[j] || s[j + 1] != ']') {
			vg_buf_finish(&b);
			snprintf(why, whylen, "unterminated quoted key at offset %zu", *i);
			return VG_EPARSE;
		}
		key = vg_buf_detach(&b);
		if (!key)
			return VG_ENOMEM;
		*i = j + 2;
		return spath_push(p, key, 0, why, whylen);
	}
	while (s[j] >= '0' && s[j] <= '9')
		j++;
	if (s[j] != ']' || j == *i + 1 || j - *i > 10) {
		snprintf(why, whylen, "expected an index such as [0] or a quoted key at offset %zu",
			 *i);
		return VG_EPARSE;
	}
	{
		char num[16];

		memcpy(num, s + *i + 1, j - *i - 1);
		num[j - *i - 1] = '\0';
		if (!vg_parse_i64(num, 10, &idx) || idx < 0) {
			snprintf(why, whylen, "bad index at offset %zu", *i);
			return VG_EPARSE;
		}
	}
	*i = j + 1;
	return spath_push(p, NULL, (size_t)idx, why, whylen);
}

int vg_spath_parse(struct vg_spath *out, const char *s, char *why, size_t whylen)
{
	size_t i = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!s || !*s) {
		snprintf(why, whylen, "the path is empty");
		return VG_EPARSE;
	}
	while (s[i]) {
		if (s[i] == '[') {
			rc = spath_bracket(out, s, &i, why, whylen);
		} else {
			size_t k = strcspn(s + i, ".[]");
			char *key;

			if (!k) {
				snprintf(why, whylen, "empty key at offset %zu", i);
				rc = VG_EPARSE;
				goto out;
			}
			key = vg_strndup(s + i, k);
			if (!key) {
				rc = VG_ENOMEM;
				goto out;
			}
			i += k;
			rc = spath_push(out, key, 0, why, whylen);
		}
		if (rc < 0)
			goto out;
		if (s[i] == '.') {
			i++;
			if (!s[i] || s[i] == '.' || s[i] == '[' || s[i] == ']') {
				snprintf(why, whylen, "expected a key after '.' at offset %zu",
					 i - 1);
				rc = VG_EPARSE;
				goto out;
			}
		} else if (s[i] && s[i] != '[') {
			snprintf(why, whylen, "unexpected '%c' at offset %zu", s[i], i);
			rc = VG_EPARSE;
			goto out;
		}
	}
out:
	if (rc < 0)
		vg_spath_finish(out);
	return rc;
}

/* ---- parsing the common keys ---- */

void vg_structured_free(void *cfg)
{
	struct vg_structured *c = cfg;

	if (!c)
		return;
	if (c->fmt && c->fmt->free)
		c->fmt->free(c->fcfg);
	vg_strv_free(c->paths);
	vg_strv_free(c->dropins);
	vg_expect_finish(&c->expect);
	free(c->def);
	free(c->addr);
	free(c->key);
	free(c);
}

static bool paths_ok(struct vg_pctx *pc, const struct vg_ynode *node, char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(v[i]) + 1 >= VG_MAX_PATH_BYTES) {
			vg_pctx_error(pc, node, "path longer than %d bytes", VG_MAX_PATH_BYTES);
			return false;
		}
	return true;
}

int vg_structured_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node,
			const struct vg_sformat *fmt, const struct vg_field *fields)
{
	struct vg_structured *c = NULL;
	const struct vg_ynode *n;
	const char *s;
	int rc = VG_EPARSE;

	if (!vg_pctx_check_fields(pc, node, fields))
		return VG_EPARSE;
	c = calloc(1, sizeof(*c));
	if (!c)
		return VG_ENOMEM;
	c->fmt = fmt;
	c->missing = VG_STATUS_NOT_APPLICABLE;
	c->merge = VG_SMERGE_LAST;
	c->paths = vg_pctx_strv(pc, node, "paths", &c->npaths);
	if (!c->npaths) {
		vg_pctx_error(pc, node, "a %s check needs 'paths': the files to read", fmt->name);
		goto out;
	}
	if (!paths_ok(pc, vg_ynode_get(node, "paths"), c->paths, c->npaths))
		goto out;
	if ((n = vg_ynode_get(node, "dropins"))) {
		c->dropins = vg_pctx_strv(pc, node, "dropins", &c->ndropins);
		if (!c->ndropins) {
			vg_pctx_error(pc, n, "'dropins' is empty");
			goto out;
		}
		if (!paths_ok(pc, n, c->dropins, c->ndropins))
			goto out;
	}
	if (vg_expect_parse(&c->expect, pc, vg_ynode_get(node, "expect"), true) < 0)
		goto out;
	if ((s = vg_pctx_str(pc, node, "default"))) {
		if (c->expect.has & (VG_EXPECT_EXISTS | VG_EXPECT_ABSENT)) {
			vg_pctx_error(pc, vg_ynode_get(node, "default"),
				      "'default' makes no sense with exists or absent");
			goto out;
		}
		if (!(c->def = strdup(s))) {
			rc = VG_ENOMEM;
			goto out;
		}
	}
	if ((s = vg_pctx_str(pc, node, "missing"))) {
		if (!strcmp(s, "pass")) {
			c->missing = VG_STATUS_PASS;
		} else if (!strcmp(s, "fail")) {
			c->missing = VG_STATUS_FAIL;
		} else if (strcmp(s, "not-applicable")) {
			vg_pctx_error(pc, vg_ynode_get(node, "missing"),
				      "missing must be pass, fail or not-applicable");
			goto out;
		}
	}
	rc = fmt->parse(&c->fcfg, c, pc, node);
	if (rc < 0)
		goto out;
	if (!c->addr || !c->key) {
		rc = VG_ENOMEM;
		goto out;
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	vg_structured_free(c);
	return rc;
}

/* ---- evaluation ---- */

bool vg_structured_wants(const void *cfg, const char *path)
{
	const struct vg_structured *c = cfg;

	/* vg_glob_match ignores a leading '/': absolute globs name paths from the tree's top */
	for (size_t i = 0; path && i < c->npaths; i++)
		if (vg_glob_match(c->paths[i], path))
			return true;
	return false;
}

/* One evaluation of a check on a target (or, in a tree, on one streamed file). */
struct run {
	const struct vg_structured *c;
	const struct vg_eval_ctx *ev;
	struct vg_leaf_state *st;
	bool tree;          /* paths are shown relative to the tree */
	size_t sets;        /* files evaluated (with their drop-ins) */
	size_t denied;
	char *first_denied;
};

/* An effective value and where it was set. */
struct found {
	char *value;
	size_t len;
	size_t line;
	char *path;
};

struct founds {
	struct found *items;
	size_t n;
};

static void founds_clear(struct founds *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->items[i].value);
		free(f->items[i].path);
	}
	f->n = 0;
}

static void founds_finish(struct founds *f)
{
	founds_clear(f);
	free(f->items);
	f->items = NULL;
}

/* Moves v's values found in path into acc according to how values merge. */
static int merge_values(const struct vg_structured *c, struct founds *acc, struct vg_svalues *v,
			const char *path)
{
	size_t from = 0, to = v->n;
	struct found *items;

	if (!v->n)
		return 0;
	if (c->merge == VG_SMERGE_LAST) {
		founds_clear(acc);
		from = v->n - 1;
	} else if (c->merge == VG_SMERGE_FIRST) {
		if (acc->n)
			return 0;
		to = 1;
	}
	items = vg_reallocarray(acc->items, acc->n + (to - from), sizeof(*items));
	if (!items)
		return VG_ENOMEM;
	acc->items = items;
	for (size_t i = from; i < to; i++) {
		struct found *f = &acc->items[acc->n];

		f->path = strdup(path);
		if (!f->path)
			return VG_ENOMEM;
		f->value = v->items[i].value;
		f->len = v->items[i].len;
		f->line = v->items[i].line;
		v->items[i].value = NULL;
		acc->n++;
	}
	return 0;
}

/* How a path is shown: relative in a tree, absolute inside a root. */
static const char *shown(const struct run *r, const char *path)
{
	if (r->tree)
		while (*path == '/')
			path++;
	return path;
}

static void note_denied(struct run *r, const char *msg)
{
	r->denied++;
	if (!r->first_denied)
		r->first_denied = strdup(msg);
}

/* Offset of the first byte no text config holds (NUL and most control
 * characters), or len when there is none. */
static size_t binary_at(const char *d, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)d[i];

		if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r' && ch != '\f' &&
		     ch != '\v' && ch != 0x1b) || ch == 0x7f)
			return i;
	}
	return len;
}

/* Finds the check's values in one document and merges them into acc. A
 * document that cannot be read as the format is an error of the check:
 * *broken is set and the problem recorded. */
static int lookup_doc(struct run *r, const char *path, const char *data, size_t len,
		      struct founds *acc, bool *broken)
{
	const struct vg_structured *c = r->c;
	struct vg_svalues vals = {0};
	struct vg_error err = {0};
	const char *name = shown(r, path);
	size_t bad;
	int rc = 0;

	if (len > VG_MAX_CONFIG_FILE_BYTES) {
		vg_leaf_error(r->st, "%s is larger than %u bytes, the limit for a config file",
			      name, VG_MAX_CONFIG_FILE_BYTES);
		*broken = true;
		return 0;
	}
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) {
		data += 3;
		len -= 3;
	}
	bad = binary_at(data, len);
	if (bad < len) {
		vg_leaf_error(r->st, "%s: binary data (byte 0x%02x at offset %zu), not a %s file",
			      name, (unsigned char)data[bad], bad, c->fmt->name);
		*broken = true;
		return 0;
	}
	rc = c->fmt->lookup(c->fcfg, name, data, len, &vals, &err);
	if (rc == VG_ENOMEM)
		goto out;
	if (rc < 0) {
		vg_leaf_error(r->st, "%s", err.msg[0] ? err.msg : name);
		*broken = true;
		rc = 0;
		goto out;
	}
	rc = merge_values(c, acc, &vals, path);
out:
	vg_svalues_finish(&vals);
	return rc;
}

/* Drop-in files found by the globs, in the order they apply. */
struct dropin {
	char *path;
	const char *base;
	size_t glob;  /* index of the glob that found it: earlier globs take precedence */
	size_t seq;
};

struct dropins {
	struct dropin *items;
	size_t n;
	size_t glob;
	bool full;
};

static int add_dropin(void *ud, const char *path)
{
	struct dropins *d = ud;
	struct dropin *items;
	const char *slash;

	if (d->n >= VG_MAX_INCLUDE_FILES) {
		d->full = true;
		return 1;
	}
	items = vg_reallocarray(d->items, d->n + 1, sizeof(*items));
	if (!items)
		return VG_ENOMEM;
	d->items = items;
	if (!(items[d->n].path = strdup(path)))
		return VG_ENOMEM;
	slash = strrchr(items[d->n].path, '/');
	items[d->n].base = slash ? slash + 1 : items[d->n].path;
	items[d->n].glob = d->glob;
	items[d->n].seq = d->n;
	d->n++;
	return 0;
}

static int dropin_cmp(const void *a, const void *b)
{
	const struct dropin *x = a, *y = b;
	int c = strcmp(x->base, y->base);

	if (c)
		return c;
	if (x->glob != y->glob)
		return x->glob < y->glob ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void dropins_finish(struct dropins *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->items[i].path);
	free(d->items);
}

/* An absolute glob for a target's fs: relative ones count from its top. */
static char *absolute(const char *glob)
{
	return glob[0] == '/' ? strdup(glob) : vg_asprintf("/%s", glob);
}

/* Lists the drop-ins in the order systemd applies them: sorted by file name
 * across all directories; of two files with the same name, the one from the
 * earlier glob replaces the other. Returns VG_ENOMEM or 0 (problems are
 * recorded in r; *broken when the list is incomplete). */
static int list_dropins(struct run *r, struct dropins *d, bool *broken)
{
	const struct vg_structured *c = r->c;
	struct vg_error err = {0};
	size_t keep = 0;
	int rc = 0;

	for (size_t i = 0; i < c->ndropins; i++) {
		size_t unreadable = 0;
		char *pat = absolute(c->dropins[i]);

		if (!pat)
			return VG_ENOMEM;
		d->glob = i;
		rc = vg_fs_glob(r->ev->target->fs, pat, add_dropin, d, &unreadable, &err);
		if (rc == VG_ENOMEM) {
			free(pat);
			return rc;
		}
		if (d->full) {
			vg_leaf_error(r->st, "%s matches more than %d drop-in files", shown(r, pat),
				      VG_MAX_INCLUDE_FILES);
			*broken = true;
		} else if (rc == VG_EPERM) {
			note_denied(r, err.msg);
		} else if (rc < 0 && rc != VG_ENOTFOUND) {
			vg_leaf_error(r->st, "%s", err.msg);
			*broken = true;
		}
		if (unreadable) {
			char *m = vg_asprintf("%zu directories could not be read under %s",
					      unreadable, shown(r, pat));

			note_denied(r, m ? m : "permission denied");
			free(m);
		}
		free(pat);
		rc = 0;
		vg_error_clear(&err);
		if (*broken)
			return 0;
	}
	if (d->n)
		qsort(d->items, d->n, sizeof(*d->items), dropin_cmp);
	for (size_t i = 0; i < d->n; i++) {
		if (keep && !strcmp(d->items[keep - 1].base, d->items[i].base)) {
			free(d->items[i].path);
			continue;
		}
		d->items[keep++] = d->items[i];
	}
	d->n = keep;
	return 0;
}

/* Reads a file of a root or host target. Returns 0 with *have false when the
 * file cannot be used (the reason is recorded), VG_ENOMEM otherwise. */
static int read_file(struct run *r, const char *path, struct vg_blob *b, bool *have,
		     bool *broken)
{
	struct vg_error err = {0};
	int rc = vg_fs_read(r->ev->target->fs, path, VG_MAX_CONFIG_FILE_BYTES, b, &err);

	*have = rc == 0;
	if (rc == 0 || rc == VG_ENOTFOUND)
		return 0;
	if (rc == VG_ENOMEM)
		return rc;
	if (rc == VG_EPERM) {
		note_denied(r, err.msg);
	} else if (rc == VG_ELIMIT && strstr(err.msg, "larger")) {
		vg_leaf_error(r->st, "%s is larger than %u bytes, the limit for a config file",
			      shown(r, path), VG_MAX_CONFIG_FILE_BYTES);
		*broken = true;
	} else {
		vg_leaf_error(r->st, "%s", err.msg);
		*broken = true;
	}
	return 0;
}

static void count_set(struct run *r)
{
	pthread_mutex_lock(&r->st->lock);
	r->st->files++;
	pthread_mutex_unlock(&r->st->lock);
	r->sets++;
}

/* Values shown in messages are cut here; evidence is cut by vg_hit_evidence. */
#define SHOWN_VALUE_MAX 200

/* A one-line copy of s, at most max bytes plus "...": config values may hold
 * line breaks (XML text) or be long. NULL on ENOMEM. */
static char *one_line(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);
	char *r = n > max ? vg_asprintf("%.*s...", (int)max, s) : strdup(s);

	for (char *p = r; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return r;
}

/* Records the judgement of one effective value (or of an unset one: f NULL). */
static int judge(struct run *r, const char *main_path, const struct found *f)
{
	const struct vg_structured *c = r->c;
	const char *value = f ? f->value : c->def;
	const char *path = shown(r, f ? f->path : main_path);
	bool is_default = !f && c->def;
	char *why = NULL, *reason = NULL, *shown_value = NULL, *ev = NULL, *key = NULL;
	struct vg_finding *h = NULL;
	bool ok = vg_expect_eval(&c->expect, value, &why);
	int rc = VG_ENOMEM;

	reason = one_line(why ? why : "does not meet the expectation", 2 * SHOWN_VALUE_MAX);
	shown_value = value ? one_line(value, SHOWN_VALUE_MAX) : strdup("");
	if (!reason || !shown_value)
		goto out;
	if (f && ok)
		h = vg_hit_new(path, f->line, 0, NULL, "%s in %s is '%s'", c->addr, path,
			       shown_value);
	else if (f)
		h = vg_hit_new(path, f->line, 0, NULL, "%s in %s %s", c->addr, path, reason);
	else if (is_default && ok)
		h = vg_hit_new(path, 0, 0, NULL, "%s is not set in %s; the default is '%s'",
			       c->addr, path, shown_value);
	else if (is_default)
		h = vg_hit_new(path, 0, 0, NULL, "%s is not set in %s and the default %s", c->addr,
			       path, reason);
	else
		h = vg_hit_new(path, 0, 0, NULL, "%s is not set in %s", c->addr, path);
	/* the evidence is for reading; the key keeps the exact value for the fingerprint */
	free(shown_value);
	shown_value = value ? one_line(value, VG_MAX_EVIDENCE_BYTES) : NULL;
	if (f) {
		ev = vg_asprintf("%s = %s", c->key, shown_value ? shown_value : "");
		key = vg_asprintf("%s=%s", c->key, value);
	} else if (is_default) {
		ev = vg_asprintf("%s = %s (default)", c->key, shown_value ? shown_value : "");
		key = vg_asprintf("%s=%s (default)", c->key, value);
	} else {
		ev = vg_asprintf("%s (not set)", c->key);
		key = vg_asprintf("%s (not set)", c->key);
	}
	if (!h || !ev || !key || (value && !shown_value) ||
	    vg_hit_evidence(h, ev, strlen(ev), 0, 0, key, strlen(key)) < 0)
		goto out;
	vg_leaf_add(r->st, h, ok);
	h = NULL;
	rc = 0;
out:
	vg_finding_free(h);
	free(why);
	free(reason);
	free(shown_value);
	free(ev);
	free(key);
	return rc;
}

/* Evaluates one file (data NULL when only its drop-ins exist) with its drop-ins. */
static int eval_set(struct run *r, const char *path, const char *data, size_t len)
{
	const struct vg_structured *c = r->c;
	struct dropins d = {0};
	struct founds acc = {0};
	bool broken = false, any = data != NULL;
	size_t denied = r->denied, total = data ? len : 0;
	int rc = 0;

	if (data) {
		rc = lookup_doc(r, path, data, len, &acc, &broken);
		if (rc < 0 || broken)
			goto out;
	}
	if (c->ndropins) {
		rc = list_dropins(r, &d, &broken);
		for (size_t i = 0; rc == 0 && !broken && i < d.n; i++) {
			struct vg_blob b = {0};
			bool have = false;

			rc = read_file(r, d.items[i].path, &b, &have, &broken);
			if (rc == 0 && have && (!vg_add_size(&total, total, b.len) ||
						total > VG_MAX_CONFIG_TOTAL_BYTES)) {
				vg_leaf_error(r->st, "%s with its drop-ins is larger than %u bytes",
					      shown(r, path), VG_MAX_CONFIG_TOTAL_BYTES);
				broken = true;
			} else if (rc == 0 && have) {
				any = true;
				rc = lookup_doc(r, d.items[i].path, b.data, b.len, &acc, &broken);
			}
			vg_blob_finish(&b);
		}
		if (rc < 0 || broken)
			goto out;
	}
	if (!any)
		goto out;
	count_set(r);
	if (r->denied > denied)
		goto out; /* a drop-in we could not read may set the value */
	if (!acc.n)
		rc = judge(r, path, NULL);
	for (size_t i = 0; rc == 0 && i < acc.n; i++)
		rc = judge(r, path, &acc.items[i]);
out:
	dropins_finish(&d);
	founds_finish(&acc);
	return rc;
}

int vg_structured_scan(const void *cfg, struct vg_leaf_state *st, const struct vg_file *file,
		       const struct vg_eval_ctx *ev)
{
	struct run r = {.c = cfg, .ev = ev, .st = st, .tree = true};
	int rc;

	rc = eval_set(&r, file->path, file->data, file->len);
	if (rc == 0 && r.denied)
		vg_leaf_error(st, "%s", r.first_denied ? r.first_denied : "permission denied");
	free(r.first_denied);
	return rc;
}

/* Evaluates one path of a root or host target (a glob match, or a plain path
 * that may be absent while its drop-ins exist). */
static int visit(void *ud, const char *path)
{
	struct run *r = ud;
	struct vg_error err = {0};
	struct vg_blob b = {0};
	struct vg_stat st;
	bool have = false, broken = false;
	int rc;

	rc = vg_fs_lstat(r->ev->target->fs, path, &st, &err);
	if (rc == VG_ENOTFOUND)
		return r->c->ndropins ? eval_set(r, path, NULL, 0) : 0;
	if (rc == VG_EPERM) {
		note_denied(r, err.msg);
		return 0;
	}
	if (rc < 0) {
		vg_leaf_error(r->st, "%s", err.msg);
		return 0;
	}
	if (S_ISDIR(st.mode))
		return 0;
	rc = read_file(r, path, &b, &have, &broken);
	if (rc == 0 && have)
		rc = eval_set(r, path, b.data, b.len);
	vg_blob_finish(&b);
	return rc;
}

static int move_all(struct vg_vec *to, struct vg_vec *from)
{
	for (size_t i = 0; i < from->len; i++) {
		if (vg_vec_push(to, from->items[i]) < 0)
			return VG_ENOMEM;
		from->items[i] = NULL;
	}
	from->len = 0;
	return 0;
}

static char *join_paths(const struct vg_structured *c)
{
	struct vg_buf b;

	vg_buf_init(&b, 4096);
	for (size_t i = 0; i < c->npaths; i++)
		if (vg_buf_printf(&b, "%s%s", i ? ", " : "", c->paths[i]) < 0)
			break;
	return vg_buf_detach(&b);
}

/* The outcome when no file exists, as the check's `missing` says. */
static int missing_outcome(const struct vg_structured *c, struct vg_outcome *out)
{
	char *list = join_paths(c);
	struct vg_finding *h = NULL;
	int rc = 0;

	if (!list)
		return VG_ENOMEM;
	if (c->missing == VG_STATUS_NOT_APPLICABLE) {
		vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE, "no file matches %s", list);
	} else if (c->missing == VG_STATUS_PASS) {
		vg_outcome_set(out, VG_STATUS_PASS, "no file matches %s", list);
	} else {
		h = vg_hit_new(NULL, 0, 0, NULL, "no file matches %s", list);
		if (!h || !(h->loc.object = vg_asprintf("file:%s", c->paths[0])) ||
		    vg_hit_evidence(h, "missing", 7, 0, 0, list, strlen(list)) < 0 ||
		    vg_vec_push(&out->hits, h) < 0) {
			vg_finding_free(h);
			rc = VG_ENOMEM;
		} else {
			out->status = VG_STATUS_FAIL;
		}
	}
	free(list);
	return rc;
}

static int finish(const struct vg_structured *c, struct vg_leaf_state *st, struct run *r,
		  struct vg_outcome *out)
{
	int rc = move_all(&out->hits, &st->hits);

	if (rc < 0)
		return rc;
	if (out->hits.len) {
		out->status = VG_STATUS_FAIL;
	} else if (st->errors.len) {
		if (st->errors.len > 1)
			vg_outcome_set(out, VG_STATUS_ERROR, "%s (and %zu more problems)",
				       (char *)st->errors.items[0], st->errors.len - 1);
		else
			vg_outcome_set(out, VG_STATUS_ERROR, "%s", (char *)st->errors.items[0]);
	} else if (r->denied) {
		vg_outcome_set(out, VG_STATUS_NOT_EVALUATED, "%s",
			       r->first_denied ? r->first_denied : "permission denied");
	} else if (!st->files) {
		return missing_outcome(c, out);
	} else {
		out->status = VG_STATUS_PASS;
		/* a pass carries what satisfied it, so `not` can point at it */
		return move_all(&out->hits, &st->passes);
	}
	return 0;
}

int vg_structured_evaluate(const void *cfg, struct vg_leaf_state *st,
			   const struct vg_eval_ctx *ev, struct vg_outcome *out)
{
	const struct vg_structured *c = cfg;
	struct vg_leaf_state local;
	struct run r = {.c = c, .ev = ev};
	struct vg_error err = {0};
	int rc = 0;

	if (!st) {
		vg_leaf_state_init(&local);
		st = &local;
	}
	r.st = st;
	r.tree = (ev->target->kind & VG_TARGET_TREE) != 0;
	for (size_t i = 0; !r.tree && i < c->npaths; i++) {
		size_t unreadable = 0;
		char *pat = absolute(c->paths[i]);

		if (!pat) {
			rc = VG_ENOMEM;
			goto out;
		}
		if (!vg_glob_has_magic(pat)) {
			rc = visit(&r, pat);
		} else {
			rc = vg_fs_glob(ev->target->fs, pat, visit, &r, &unreadable, &err);
			if (rc == VG_EPERM) {
				note_denied(&r, err.msg);
			} else if (rc < 0 && rc != VG_ENOMEM && rc != VG_ENOTFOUND) {
				vg_leaf_error(st, "%s", err.msg);
			}
			if (unreadable) {
				char *m = vg_asprintf("%zu directories could not be read under %s",
						      unreadable, pat);

				note_denied(&r, m ? m : "permission denied");
				free(m);
			}
			if (rc != VG_ENOMEM)
				rc = 0;
		}
		free(pat);
		vg_error_clear(&err);
		if (rc < 0)
			goto out;
	}
	rc = finish(c, st, &r, out);
out:
	free(r.first_denied);
	if (st == &local)
		vg_leaf_state_finish(&local);
	return rc;
}
