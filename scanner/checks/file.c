/* SPDX-License-Identifier: Apache-2.0 */
/* The `file` check: existence, type, mode, owner, group, size and link target of paths. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checks/check.h"
#include "glob.h"
#include "limits.h"
#include "policy/expect.h"

struct file_cfg {
	char **paths;        /* globs */
	size_t npaths;
	int exists;          /* 1 must exist, -1 must be absent, 0 no demand */
	char *type;          /* vg_fs_type_name value, or NULL */
	struct vg_expect mode, owner, group, size, link_target;
	bool has_mode, has_owner, has_group, has_size, has_link;
};

static const char *const type_names[] = {
	"file", "directory", "symlink", "fifo", "socket", "char-device", "block-device", NULL,
};

static const struct vg_field fields[] = {
	{"path", VG_FIELD_STRING, false},  {"paths", VG_FIELD_STRINGS, false},
	{"exists", VG_FIELD_BOOL, false},  {"absent", VG_FIELD_BOOL, false},
	{"type", VG_FIELD_STRING, false},  {"mode_max", VG_FIELD_STRING, false},
	{"mode", VG_FIELD_ANY, false},     {"owner", VG_FIELD_ANY, false},
	{"group", VG_FIELD_ANY, false},    {"size", VG_FIELD_ANY, false},
	{"link_target", VG_FIELD_ANY, false}, {NULL, 0, false},
};

static void file_free(void *p)
{
	struct file_cfg *c = p;

	if (!c)
		return;
	vg_strv_free(c->paths);
	free(c->type);
	vg_expect_finish(&c->mode);
	vg_expect_finish(&c->owner);
	vg_expect_finish(&c->group);
	vg_expect_finish(&c->size);
	vg_expect_finish(&c->link_target);
	free(c);
}

static int parse_prop(struct vg_pctx *pc, const struct vg_ynode *node, const char *key,
		      struct vg_expect *e, bool *has)
{
	const struct vg_ynode *n = vg_ynode_get(node, key);

	if (!n)
		return 0;
	*has = true;
	return vg_expect_parse(e, pc, n, true);
}

static int file_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node)
{
	struct file_cfg *c = NULL;
	const char *s;
	bool b;
	int rc = VG_EPARSE;

	if (!vg_pctx_check_fields(pc, node, fields))
		return VG_EPARSE;
	c = calloc(1, sizeof(*c));
	if (!c)
		return VG_ENOMEM;
	if (vg_ynode_get(node, "path") && vg_ynode_get(node, "paths")) {
		vg_pctx_error(pc, node, "use either 'path' or 'paths'");
		goto out;
	}
	c->paths = vg_pctx_strv(pc, node, vg_ynode_get(node, "path") ? "path" : "paths",
				&c->npaths);
	if (!c->npaths) {
		vg_pctx_error(pc, node, "a file check needs 'path' or 'paths'");
		goto out;
	}
	for (size_t i = 0; i < c->npaths; i++)
		if (strlen(c->paths[i]) >= VG_MAX_PATH_BYTES) {
			vg_pctx_error(pc, node, "path longer than %d bytes", VG_MAX_PATH_BYTES);
			goto out;
		}
	if (vg_ynode_get(node, "exists") && vg_ynode_as_bool(vg_ynode_get(node, "exists"), &b))
		c->exists = b ? 1 : -1;
	if (vg_ynode_get(node, "absent") && vg_ynode_as_bool(vg_ynode_get(node, "absent"), &b)) {
		if (c->exists) {
			vg_pctx_error(pc, vg_ynode_get(node, "absent"),
				      "use either 'exists' or 'absent'");
			goto out;
		}
		c->exists = b ? -1 : 1;
	}
	if ((s = vg_pctx_str(pc, node, "type"))) {
		bool ok = false;

		for (size_t i = 0; type_names[i]; i++)
			ok |= !strcmp(type_names[i], s);
		if (!ok) {
			vg_pctx_error(pc, vg_ynode_get(node, "type"),
				      "type must be file, directory, symlink, fifo, socket, "
				      "char-device or block-device");
			goto out;
		}
		c->type = strdup(s);
	}
	if (vg_ynode_get(node, "mode_max")) {
		if (vg_ynode_get(node, "mode")) {
			vg_pctx_error(pc, vg_ynode_get(node, "mode_max"),
				      "use either 'mode_max' or 'mode'");
			goto out;
		}
		s = vg_pctx_str(pc, node, "mode_max");
		if (!s || !vg_expect_parse_mode(s, &c->mode.mode_max)) {
			vg_pctx_error(pc, vg_ynode_get(node, "mode_max"),
				      "mode_max must be octal permission bits, e.g. \"0640\"");
			goto out;
		}
		c->mode.has = VG_EXPECT_MODE_MAX;
		c->has_mode = true;
	}
	if (parse_prop(pc, node, "mode", &c->mode, &c->has_mode) < 0 ||
	    parse_prop(pc, node, "owner", &c->owner, &c->has_owner) < 0 ||
	    parse_prop(pc, node, "group", &c->group, &c->has_group) < 0 ||
	    parse_prop(pc, node, "size", &c->size, &c->has_size) < 0 ||
	    parse_prop(pc, node, "link_target", &c->link_target, &c->has_link) < 0)
		goto out;
	if (c->exists == -1 && (c->type || c->has_mode || c->has_owner || c->has_group ||
				c->has_size || c->has_link)) {
		vg_pctx_error(pc, node, "a path demanded absent has no properties to check");
		goto out;
	}
	if (!c->exists && !c->type && !c->has_mode && !c->has_owner && !c->has_group &&
	    !c->has_size && !c->has_link) {
		vg_pctx_error(pc, node, "a file check needs something to check: exists, absent, "
					"type, mode_max, mode, owner, group, size or link_target");
		goto out;
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	file_free(c);
	return rc;
}

/* Name for uid/gid from the target's own account files, so offline roots
 * report their users, not the scanning machine's. NULL when unknown. */
static char *account_name(const struct vg_target *t, const char *file, unsigned long id)
{
	struct vg_blob b = {0};
	struct vg_error err = {0};
	char *name = NULL;

	if (!t->fs || vg_fs_read(t->fs, file, VG_MAX_CONFIG_FILE_BYTES, &b, &err) < 0)
		return NULL;
	for (char *line = b.data; line && *line && !name;) {
		char *nl = strchr(line, '\n');
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		char *c3 = c2 ? strchr(c2 + 1, ':') : NULL;
		int64_t v;

		if (nl)
			*nl = '\0';
		if (c1 && c2 && c3 && (!nl || c3 < nl)) {
			*c3 = '\0';
			if (vg_parse_i64(c2 + 1, 10, &v) && v >= 0 && (unsigned long)v == id)
				name = vg_strndup(line, (size_t)(c1 - line));
		}
		line = nl ? nl + 1 : NULL;
	}
	vg_blob_finish(&b);
	return name;
}

static char *id_name(const struct vg_target *t, bool user, unsigned long id)
{
	if (t->kind & (VG_TARGET_ROOT | VG_TARGET_HOST)) {
		char *n = account_name(t, user ? "/etc/passwd" : "/etc/group", id);

		/* id 0 is root on every Linux system, listed or not */
		return n || id != 0 ? n : strdup("root");
	}
	/* a tree on this machine: its owners are this machine's accounts */
	if (user) {
		struct passwd pw, *res = NULL;
		char buf[4096];

		if (getpwuid_r((uid_t)id, &pw, buf, sizeof(buf), &res) == 0 && res)
			return strdup(pw.pw_name);
	} else {
		struct group gr, *res = NULL;
		char buf[8192];

		if (getgrgid_r((gid_t)id, &gr, buf, sizeof(buf), &res) == 0 && res)
			return strdup(gr.gr_name);
	}
	return NULL;
}

/* An owner or group has two names, the account name and the number. What the
 * expectation asks for (equals, in, matches, min, max) holds when either name
 * satisfies it; what it forbids (not_in) must hold for both, or {not_in:
 * [nobody]} would always pass on the number. */
static bool check_id(const struct vg_target *t, const struct vg_expect *e, bool user,
		     unsigned long id, char **why)
{
	struct vg_expect want = *e, forbid = *e; /* shallow views, owned by e */
	char num[32];
	char *name = id_name(t, user, id);
	bool ok = true;

	snprintf(num, sizeof(num), "%lu", id);
	want.has &= ~(unsigned)VG_EXPECT_NOT_IN;
	forbid.has &= VG_EXPECT_NOT_IN | VG_EXPECT_NOCASE;
	*why = NULL;
	if (want.has & ~(unsigned)VG_EXPECT_NOCASE) {
		ok = vg_expect_eval(&want, num, why);
		if (!ok && name) {
			free(*why);
			ok = vg_expect_eval(&want, name, why);
		}
	}
	if (ok && (forbid.has & VG_EXPECT_NOT_IN))
		ok = vg_expect_eval(&forbid, num, why) &&
		     (!name || vg_expect_eval(&forbid, name, why));
	free(name);
	return ok;
}

struct eval_state {
	const struct file_cfg *cfg;
	const struct vg_eval_ctx *ev;
	struct vg_outcome *out;
	size_t matched;
	size_t denied;
	size_t errors;
	char *first_problem;
};

static int add_fail(struct eval_state *s, const char *path, const char *what, const char *why)
{
	struct vg_finding *h = vg_hit_new(path, 0, 0, NULL, "%s %s %s", path, what, why);

	if (!h || vg_hit_evidence(h, why, strlen(why), 0, 0, what, strlen(what)) < 0 ||
	    vg_vec_push(&s->out->hits, h) < 0) {
		vg_finding_free(h);
		return VG_ENOMEM;
	}
	return 0;
}

static void note_problem(struct eval_state *s, const struct vg_error *err, bool denied)
{
	if (denied)
		s->denied++;
	else
		s->errors++;
	if (!s->first_problem)
		s->first_problem = strdup(err->msg);
}

/* Checks one existing path. */
static int check_path(void *ud, const char *path)
{
	struct eval_state *s = ud;
	const struct file_cfg *c = s->cfg;
	const struct vg_target *t = s->ev->target;
	struct vg_error err = {0};
	struct vg_stat lst, st;
	char *why = NULL, *link = NULL;
	int rc = 0;

	s->matched++;
	/* lookups take "/sub/x"; a tree reports it as "sub/x", like its other findings */
	if (t->kind & VG_TARGET_TREE)
		path += strspn(path, "/");
	if (vg_fs_lstat(t->fs, path, &lst, &err) < 0) {
		if (err.code == VG_ENOTFOUND) { /* vanished since the glob */
			s->matched--;
			return 0;
		}
		note_problem(s, &err, err.code == VG_EPERM);
		return 0;
	}
	if (c->exists == -1)
		return add_fail(s, path, "exists:", "it should be absent");
	if (c->type && strcmp(vg_fs_type_name(lst.mode), c->type)) {
		char *m = vg_asprintf("is a %s, expected a %s", vg_fs_type_name(lst.mode), c->type);

		rc = m ? add_fail(s, path, "type", m) : VG_ENOMEM;
		free(m);
		return rc;
	}
	if (c->has_link) {
		if (!S_ISLNK(lst.mode)) {
			if (!vg_expect_eval(&c->link_target, NULL, &why))
				rc = add_fail(s, path, "link target", "is not a symlink");
		} else if (vg_fs_readlink(t->fs, path, &link, &err) < 0) {
			note_problem(s, &err, err.code == VG_EPERM);
		} else if (!vg_expect_eval(&c->link_target, link, &why)) {
			rc = add_fail(s, path, "link target", why ? why : "differs");
		}
		free(why);
		why = NULL;
		free(link);
		if (rc < 0)
			return rc;
	}
	st = lst;
	if (S_ISLNK(lst.mode) && (c->has_mode || c->has_owner || c->has_group || c->has_size)) {
		if (vg_fs_stat(t->fs, path, &st, &err) < 0) {
			if (err.code == VG_ENOTFOUND)
				return add_fail(s, path, "is", "a dangling symlink");
			note_problem(s, &err, err.code == VG_EPERM);
			return 0;
		}
	}
	if (c->has_mode) {
		char mode[16];

		snprintf(mode, sizeof(mode), "%04o", (unsigned)(st.mode & 07777));
		if (!vg_expect_eval(&c->mode, mode, &why))
			rc = add_fail(s, path, "mode", why ? why : "differs");
		free(why);
		why = NULL;
	}
	if (rc == 0 && c->has_owner) {
		if (!check_id(t, &c->owner, true, st.uid, &why))
			rc = add_fail(s, path, "owner", why ? why : "differs");
		free(why);
		why = NULL;
	}
	if (rc == 0 && c->has_group) {
		if (!check_id(t, &c->group, false, st.gid, &why))
			rc = add_fail(s, path, "group", why ? why : "differs");
		free(why);
		why = NULL;
	}
	if (rc == 0 && c->has_size) {
		char size[32];

		snprintf(size, sizeof(size), "%llu", (unsigned long long)st.size);
		if (!vg_expect_eval(&c->size, size, &why))
			rc = add_fail(s, path, "size", why ? why : "differs");
		free(why);
	}
	return rc;
}

static int file_evaluate(const void *cfg, struct vg_leaf_state *st, const struct vg_eval_ctx *ev,
			 struct vg_outcome *out)
{
	const struct file_cfg *c = cfg;
	struct eval_state s = {.cfg = c, .ev = ev, .out = out};
	struct vg_error err = {0};
	char *anywhere = NULL;
	int rc = 0;

	for (size_t i = 0; i < c->npaths; i++) {
		size_t unreadable = 0, before = s.matched;
		const char *pat = c->paths[i];

		/* in a tree, a pattern without '/' matches a name at any depth, as
		 * vg_glob_match and the content check's paths do */
		free(anywhere);
		anywhere = NULL;
		if ((ev->target->kind & VG_TARGET_TREE) && !strchr(pat, '/')) {
			anywhere = vg_asprintf("**/%s", pat);
			if (!anywhere) {
				rc = VG_ENOMEM;
				goto out;
			}
			pat = anywhere;
		}
		if (!vg_glob_has_magic(pat)) {
			struct vg_stat tmp;

			if (vg_fs_lstat(ev->target->fs, pat, &tmp, &err) == 0) {
				rc = check_path(&s, pat);
			} else if (err.code != VG_ENOTFOUND) {
				note_problem(&s, &err, err.code == VG_EPERM);
			}
		} else {
			rc = vg_fs_glob(ev->target->fs, pat, check_path, &s, &unreadable, &err);
			if (rc < 0 && rc != VG_ENOMEM) {
				note_problem(&s, &err, rc == VG_EPERM);
				rc = 0;
			}
			if (unreadable) {
				s.denied += unreadable;
				if (!s.first_problem)
					s.first_problem = vg_asprintf("%zu directories could not be "
								      "read under %s",
								      unreadable, c->paths[i]);
			}
		}
		if (rc < 0)
			goto out;
		vg_error_clear(&err);
		if (s.matched == before && c->exists == 1 && !s.denied && !s.errors) {
			struct vg_finding *h = vg_hit_new(NULL, 0, 0, NULL, "%s does not exist",
							  c->paths[i]);

			/* a missing file has no location of its own: name it as the object */
			if (h && !(h->loc.object = vg_asprintf("file:%s", c->paths[i]))) {
				vg_finding_free(h);
				h = NULL;
			}
			if (!h || vg_hit_evidence(h, "missing", 7, 0, 0, c->paths[i],
						  strlen(c->paths[i])) < 0 ||
			    vg_vec_push(&out->hits, h) < 0) {
				vg_finding_free(h);
				rc = VG_ENOMEM;
				goto out;
			}
		}
	}
	if (out->hits.len)
		out->status = VG_STATUS_FAIL;
	else if (s.errors)
		vg_outcome_set(out, VG_STATUS_ERROR, "%s", s.first_problem ? s.first_problem : "error");
	else if (s.denied)
		vg_outcome_set(out, VG_STATUS_NOT_EVALUATED, "%s",
			       s.first_problem ? s.first_problem : "permission denied");
	else
		out->status = VG_STATUS_PASS;
out:
	free(anywhere);
	free(s.first_problem);
	return rc;
}

const struct vg_check_impl vg_check_file = {
	.name = "file",
	.targets = VG_TARGET_TREE | VG_TARGET_ROOT | VG_TARGET_HOST,
	.offline = true,
	.summary = "existence, type, mode, owner, group, size and link target of paths",
	.parse = file_parse,
	.free = file_free,
	.evaluate = file_evaluate,
};
