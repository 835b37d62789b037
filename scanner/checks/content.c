/* SPDX-License-Identifier: Apache-2.0 */
/* The `content` check: a PCRE2 pattern forbidden in, or required of, the files its paths select. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checks/check.h"
#include "glob.h"
#include "limits.h"
#include "regex.h"

struct content_cfg {
	char **paths;          /* globs; NULL: every file of a tree */
	size_t npaths;
	struct vg_regex *re;
	bool require;          /* require: a file without a match fails; forbid: each match fails */
	int secret_group;      /* named group "secret" or "value", or -1 */
};

static const struct vg_field fields[] = {
	{"paths", VG_FIELD_STRINGS, false},  {"forbid", VG_FIELD_STRING, false},
	{"require", VG_FIELD_STRING, false}, {"multiline", VG_FIELD_BOOL, false},
	{"nocase", VG_FIELD_BOOL, false},    {"dotall", VG_FIELD_BOOL, false},
	{NULL, 0, false},
};

static void content_free(void *p)
{
	struct content_cfg *c = p;

	if (!c)
		return;
	vg_strv_free(c->paths);
	vg_regex_free(c->re);
	free(c);
}

static int content_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node)
{
	struct content_cfg *c = NULL;
	const struct vg_ynode *forbid, *require;
	unsigned flags = 0;
	int rc = VG_EPARSE;

	if (!vg_pctx_check_fields(pc, node, fields))
		return VG_EPARSE;
	forbid = vg_ynode_get(node, "forbid");
	require = vg_ynode_get(node, "require");
	if (!!forbid == !!require) {
		vg_pctx_error(pc, node, "a content check has exactly one of 'forbid' or 'require'");
		return VG_EPARSE;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return VG_ENOMEM;
	c->require = require != NULL;
	if (vg_pctx_bool(pc, node, "multiline", true))
		flags |= VG_RE_MULTILINE;
	if (vg_pctx_bool(pc, node, "nocase", false))
		flags |= VG_RE_CASELESS;
	if (vg_pctx_bool(pc, node, "dotall", false))
		flags |= VG_RE_DOTALL;
	c->re = vg_pctx_regex(pc, forbid ? forbid : require, flags);
	if (!c->re)
		goto out;
	c->secret_group = vg_regex_group_index(c->re, "secret");
	if (c->secret_group < 0)
		c->secret_group = vg_regex_group_index(c->re, "value");
	if (vg_ynode_get(node, "paths")) {
		c->paths = vg_pctx_strv(pc, node, "paths", &c->npaths);
		if (!c->npaths) {
			vg_pctx_error(pc, vg_ynode_get(node, "paths"), "'paths' is empty");
			goto out;
		}
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	content_free(c);
	return rc;
}

static bool content_wants(const void *cfg, const char *path)
{
	const struct content_cfg *c = cfg;

	if (!c->paths || !path)
		return true;
	for (size_t i = 0; i < c->npaths; i++)
		if (vg_glob_match(c->paths[i], path))
			return true;
	return false;
}

/* The line around [start, end): from the start of its first line to the end of that line. */
static void line_bounds(const char *d, size_t len, size_t start, size_t *ls, size_t *le)
{
	size_t a = start, b = start;

	while (a > 0 && d[a - 1] != '\n')
		a--;
	while (b < len && d[b] != '\n')
		b++;
	if (b > a && d[b - 1] == '\r')
		b--;
	*ls = a;
	*le = b < start ? start : b;
}

static int report_match(const struct content_cfg *c, struct vg_leaf_state *st,
			const struct vg_file *f, const struct vg_regex_match *m,
			struct vg_linecur *cur, bool pass, const char *title)
{
	size_t line, col, eline, ecol, ls, le, soff = m->start, send = m->end;
	struct vg_finding *h;

	if (c->secret_group > 0 && (size_t)c->secret_group <= m->ngroups &&
	    m->gstart[c->secret_group] != SIZE_MAX) {
		soff = m->gstart[c->secret_group];
		send = m->gend[c->secret_group];
	}
	vg_linecol(f->data, soff, cur, &line, &col);
	vg_linecol(f->data, send, cur, &eline, &ecol);
	line_bounds(f->data, f->len, soff, &ls, &le);
	h = pass ? vg_hit_new(f->path, line, col, NULL, "%s matches at line %zu",
			      f->path ? f->path : "<input>", line)
		 : vg_hit_new(f->path, line, col, NULL, "%s in %s at line %zu", title,
			      f->path ? f->path : "<input>", line);
	if (!h)
		return VG_ENOMEM;
	h->loc.end_line = eline;
	h->loc.end_col = ecol;
	/* the evidence is the whole line; the matched part is the key and the secret */
	if (vg_hit_evidence(h, f->data + ls, le - ls, soff - ls,
			    send > le ? le - soff : send - soff, f->data + soff, send - soff) < 0) {
		vg_finding_free(h);
		return VG_ENOMEM;
	}
	vg_leaf_add(st, h, pass);
	return 0;
}

static int content_scan(const void *cfg, struct vg_leaf_state *st, const struct vg_file *f,
			const struct vg_eval_ctx *ev)
{
	const struct content_cfg *c = cfg;
	struct vg_regex_match m;
	struct vg_linecur cur = {0};
	size_t pos = 0, found = 0;
	int rc;

	pthread_mutex_lock(&st->lock);
	st->files++;
	pthread_mutex_unlock(&st->lock);
	while (pos <= f->len) {
		rc = vg_regex_match(c->re, f->data, f->len, pos, &m);
		if (rc == 0)
			break;
		if (rc < 0) {
			vg_leaf_error(st, "%s: pattern stopped at the match limit",
				      f->path ? f->path : "<input>");
			return 0;
		}
		found++;
		rc = report_match(c, st, f, &m, &cur, c->require,
				  ev && ev->rule ? ev->rule->meta.title : "forbidden content");
		if (rc < 0)
			return rc;
		pos = m.end > m.start ? m.end : m.start + 1;
		if (c->require)
			break;
		if (found >= VG_MAX_FINDINGS_PER_RULE) {
			/* say that the file had more, as the per-rule cap does */
			if (pos <= f->len && vg_regex_match(c->re, f->data, f->len, pos, &m) > 0) {
				pthread_mutex_lock(&st->lock);
				st->dropped++;
				pthread_mutex_unlock(&st->lock);
			}
			break;
		}
	}
	if (c->require && !found) {
		struct vg_finding *h = vg_hit_new(f->path, 0, 0, NULL, "%s has no line matching /%s/",
						  f->path ? f->path : "<input>",
						  vg_regex_source(c->re));

		if (!h || vg_hit_evidence(h, "no match", 8, 0, 0, vg_regex_source(c->re),
					  strlen(vg_regex_source(c->re))) < 0) {
			vg_finding_free(h);
			return VG_ENOMEM;
		}
		vg_leaf_add(st, h, false);
	}
	return 0;
}

struct sys_scan {
	const struct content_cfg *cfg;
	struct vg_leaf_state *st;
	const struct vg_eval_ctx *ev;
	size_t denied;
	char *first_denied;
};

/* Reads one file of a root or host target and scans it like a streamed one. */
static int scan_system_path(void *ud, const char *path)
{
	struct sys_scan *s = ud;
	struct vg_error err = {0};
	struct vg_blob b = {0};
	struct vg_stat st;
	struct vg_file f;
	int rc;

	/* as in a tree walk: regular files only, never a FIFO, socket or device */
	if (vg_fs_lstat(s->ev->target->fs, path, &st, &err) < 0 ||
	    !(S_ISREG(st.mode) || S_ISLNK(st.mode)))
		return 0;
	rc = vg_fs_read(s->ev->target->fs, path, s->ev->max_file_size, &b, &err);
	if (rc == VG_EPERM) {
		s->denied++;
		if (!s->first_denied)
			s->first_denied = strdup(err.msg);
		return 0;
	}
	/* gone, or a symlink to a directory or a special file: nothing to read */
	if (rc == VG_ENOTFOUND || rc == VG_EUNSUPPORTED)
		return 0;
	if (rc < 0) {
		vg_leaf_error(s->st, "%s", err.msg);
		return 0;
	}
	/* binary files are skipped, as in tree scans */
	if (memchr(b.data, '\0', b.len < VG_BINARY_SNIFF_BYTES ? b.len : VG_BINARY_SNIFF_BYTES)) {
		vg_blob_finish(&b);
		return 0;
	}
	f.path = path;
	f.data = b.data;
	f.len = b.len;
	f.st = &st;
	rc = content_scan(s->cfg, s->st, &f, s->ev);
	vg_blob_finish(&b);
	return rc;
}

static int content_evaluate(const void *cfg, struct vg_leaf_state *st,
			    const struct vg_eval_ctx *ev, struct vg_outcome *out)
{
	const struct content_cfg *c = cfg;
	struct sys_scan s = {.cfg = c, .st = st, .ev = ev};
	struct vg_error err = {0};
	int rc = 0;

	if (ev->target->kind & (VG_TARGET_ROOT | VG_TARGET_HOST)) {
		if (!c->paths) {
			vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE,
				       "a content check without paths only applies to trees");
			return 0;
		}
		for (size_t i = 0; i < c->npaths; i++) {
			size_t unreadable = 0;

			rc = vg_fs_glob(ev->target->fs, c->paths[i], scan_system_path, &s,
					&unreadable, &err);
			if (rc == VG_ENOMEM)
				goto out;
			if (rc < 0)
				vg_leaf_error(st, "%s", err.msg);
			s.denied += unreadable;
			rc = 0;
		}
	}
	/* the outcome owns the hits from here */
	if ((rc = vg_outcome_take(out, &st->hits)) < 0)
		goto out;
	if (out->hits.len)
		out->status = VG_STATUS_FAIL;
	else if (st->errors.len)
		vg_outcome_set(out, VG_STATUS_ERROR, "%s", (char *)st->errors.items[0]);
	else if (s.denied)
		vg_outcome_set(out, VG_STATUS_NOT_EVALUATED, "%s",
			       s.first_denied ? s.first_denied : "permission denied");
	else if (!st->files)
		vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE, "no file matched the check's paths");
	else
		out->status = VG_STATUS_PASS;
	/* a pass carries what satisfied it, so `not` can point at it */
	if (out->status == VG_STATUS_PASS)
		rc = vg_outcome_take(out, &st->passes);
out:
	free(s.first_denied);
	return rc;
}

const struct vg_check_impl vg_check_content = {
	.name = "content",
	.targets = VG_TARGET_TREE | VG_TARGET_ROOT | VG_TARGET_HOST | VG_TARGET_GIT |
		   VG_TARGET_STAGED,
	.offline = true,
	.summary = "a PCRE2 pattern forbidden in, or required of, selected files",
	.parse = content_parse,
	.free = content_free,
	.wants = content_wants,
	.scan = content_scan,
	.evaluate = content_evaluate,
};
