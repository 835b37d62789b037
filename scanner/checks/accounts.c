/* SPDX-License-Identifier: Apache-2.0 */
/* The `accounts` check: assertions over local accounts, per-account fields, login.defs. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "checks/check.h"
#include "checks/hits.h"
#include "facts/accounts.h"
#include "policy/expect.h"

enum mode { M_ASSERT, M_FIELD, M_DEF };

enum assertion {
	A_UID0,
	A_UNIQUE_UIDS,
	A_UNIQUE_GIDS,
	A_UNIQUE_USERS,
	A_UNIQUE_GROUPS,
	A_NO_EMPTY,
	A_SHADOWED,
	A_SYS_NOLOGIN,
	A_GROUPS_EXIST,
	A_SHADOW_GROUP_EMPTY,
	A_GID0_ROOT,
	A_GROUP0_ROOT,
	A_CHANGE_PAST,
	A_WELL_FORMED,
};

#define NEED(k) (1u << (k))

static const struct {
	const char *name;
	unsigned needs; /* files that must be readable */
} asserts[] = {
	[A_UID0] = {"uid0-only-root", NEED(VG_ACCT_PASSWD)},
	[A_UNIQUE_UIDS] = {"unique-uids", NEED(VG_ACCT_PASSWD)},
	[A_UNIQUE_GIDS] = {"unique-gids", NEED(VG_ACCT_GROUP)},
	[A_UNIQUE_USERS] = {"unique-user-names", NEED(VG_ACCT_PASSWD)},
	[A_UNIQUE_GROUPS] = {"unique-group-names", NEED(VG_ACCT_GROUP)},
	[A_NO_EMPTY] = {"no-empty-passwords", NEED(VG_ACCT_SHADOW)},
	[A_SHADOWED] = {"shadowed-passwords", NEED(VG_ACCT_PASSWD)},
	/* system accounts are those below UID_MIN */
	[A_SYS_NOLOGIN] = {"system-accounts-no-login",
			   NEED(VG_ACCT_PASSWD) | NEED(VG_ACCT_LOGIN_DEFS)},
	[A_GROUPS_EXIST] = {"groups-exist", NEED(VG_ACCT_PASSWD) | NEED(VG_ACCT_GROUP)},
	[A_SHADOW_GROUP_EMPTY] = {"shadow-group-empty", NEED(VG_ACCT_PASSWD) | NEED(VG_ACCT_GROUP)},
	[A_GID0_ROOT] = {"gid0-only-root", NEED(VG_ACCT_PASSWD)},
	[A_GROUP0_ROOT] = {"group-gid0-only-root", NEED(VG_ACCT_GROUP)},
	[A_CHANGE_PAST] = {"password-change-in-past", NEED(VG_ACCT_SHADOW)},
	[A_WELL_FORMED] = {"well-formed", 0},
};
#define NASSERTS (sizeof(asserts) / sizeof(asserts[0]))

enum field { F_MAX, F_MIN, F_WARN, F_INACTIVE, F_SHELL, F_HOME, F_HOME_MODE, F_HOME_OWNED };

static const char *const field_names[] = {
	"pass_max_days", "pass_min_days", "pass_warn_days", "inactive", "shell", "home",
	"home_mode", "home_owned", NULL,
};

enum users { U_ALL, U_HUMAN, U_SYSTEM, U_WITH_PASSWORD };

static const char *const user_classes[] = {"all", "human", "system", "with_password", NULL};

struct accounts_cfg {
	enum mode mode;
	int assertion;
	int field;
	int users;
	char *def;
	struct vg_expect expect;
};

static const struct vg_field fields[] = {
	{"assert", VG_FIELD_STRING, false}, {"field", VG_FIELD_STRING, false},
	{"login_defs", VG_FIELD_STRING, false}, {"expect", VG_FIELD_ANY, false},
	{"users", VG_FIELD_STRING, false},  {NULL, 0, false},
};

static void accounts_free(void *p)
{
	struct accounts_cfg *c = p;

	if (!c)
		return;
	free(c->def);
	vg_expect_finish(&c->expect);
	free(c);
}

static int lookup_name(const char *const *names, const char *s)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

static int accounts_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node)
{
	struct accounts_cfg *c = NULL;
	const char *s;
	int modes = 0, rc = VG_EPARSE;

	if (!vg_pctx_check_fields(pc, node, fields))
		return VG_EPARSE;
	c = calloc(1, sizeof(*c));
	if (!c)
		return VG_ENOMEM;
	c->assertion = c->field = -1;
	modes = !!vg_ynode_get(node, "assert") + !!vg_ynode_get(node, "field") +
		!!vg_ynode_get(node, "login_defs");
	if (modes != 1) {
		vg_pctx_error(pc, node, "an accounts check needs exactly one of 'assert', 'field' "
					"or 'login_defs'");
		goto out;
	}
	if ((s = vg_pctx_str(pc, node, "assert"))) {
		c->mode = M_ASSERT;
		for (size_t i = 0; i < NASSERTS; i++)
			if (!strcmp(asserts[i].name, s))
				c->assertion = (int)i;
		if (c->assertion < 0) {
			vg_pctx_error(pc, vg_ynode_get(node, "assert"),
				      "unknown accounts assertion '%s' (uid0-only-root, "
				      "unique-uids, unique-gids, unique-user-names, "
				      "unique-group-names, no-empty-passwords, shadowed-passwords, "
				      "system-accounts-no-login, groups-exist, shadow-group-empty, "
				      "gid0-only-root, group-gid0-only-root, "
				      "password-change-in-past, well-formed)", s);
			goto out;
		}
		if (vg_ynode_get(node, "expect") || vg_ynode_get(node, "users")) {
			vg_pctx_error(pc, node,
				      "'expect' and 'users' go with 'field', not 'assert'");
			goto out;
		}
	} else if (vg_ynode_get(node, "field")) {
		c->mode = M_FIELD;
		s = vg_pctx_str(pc, node, "field");
		if (!s || (c->field = lookup_name(field_names, s)) < 0) {
			vg_pctx_error(pc, vg_ynode_get(node, "field"),
				      "field must be pass_max_days, pass_min_days, pass_warn_days, "
				      "inactive, shell, home, home_mode or home_owned");
			goto out;
		}
		s = vg_pctx_str(pc, node, "users");
		if (s && (c->users = lookup_name(user_classes, s)) < 0) {
			vg_pctx_error(pc, vg_ynode_get(node, "users"),
				      "users must be human, system, all or with_password");
			goto out;
		}
	} else {
		c->mode = M_DEF;
		s = vg_pctx_str(pc, node, "login_defs");
		if (!s || !*s) {
			vg_pctx_error(pc, vg_ynode_get(node, "login_defs"),
				      "login_defs names a setting, e.g. PASS_MAX_DAYS");
			goto out;
		}
		if (!(c->def = strdup(s))) {
			rc = VG_ENOMEM;
			goto out;
		}
		if (vg_ynode_get(node, "users")) {
			vg_pctx_error(pc, node, "'users' goes with 'field'");
			goto out;
		}
	}
	if (c->mode != M_ASSERT) {
		if (!vg_ynode_get(node, "expect")) {
			vg_pctx_error(pc, node, "'%s' needs 'expect'",
				      c->mode == M_FIELD ? "field" : "login_defs");
			goto out;
		}
		if (vg_expect_parse(&c->expect, pc, vg_ynode_get(node, "expect"), true) < 0)
			goto out;
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	accounts_free(c);
	return rc;
}

/* Appends a failing item at path:line with evidence "user:field..." and a
 * message built from fmt. Evidence never holds a password field. */
static int add_hit(struct vg_outcome *out, const char *path, size_t line, const char *evidence,
		   const char *key, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int add_hit(struct vg_outcome *out, const char *path, size_t line, const char *evidence,
		   const char *key, const char *fmt, ...)
{
	struct vg_finding *h = NULL;
	char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return VG_ENOMEM;
	h = vg_hit_new(path, line, 0, path ? NULL : key, "%s", msg);
	free(msg);
	return vg_hits_push(out, h, evidence, key);
}

/* Hits whose texts are formatted into small buffers first. */
static int hit2(struct vg_outcome *out, const char *path, size_t line, const char *msg,
		const char *evidence, const char *key)
{
	return add_hit(out, path, line, evidence, key, "%s", msg);
}

/* Whether every file in needs was read; otherwise sets the outcome. A file
 * that does not exist makes the check not applicable; login.defs may be
 * missing (the built-in defaults apply). */
static bool files_ok(const struct vg_accounts *a, unsigned needs, struct vg_outcome *out)
{
	const struct vg_acct_file *bad = NULL;
	int worst = 0;

	/* broken beats unreadable beats missing: the most serious one is reported */
	for (int k = 0; k < VG_ACCT_NKINDS; k++) {
		const struct vg_acct_file *f = &a->files[k];
		int rank;

		if (!(needs & NEED(k)) || f->code == 0)
			continue;
		if (f->code == VG_ENOTFOUND && k == VG_ACCT_LOGIN_DEFS)
			continue;
		rank = f->code == VG_ENOTFOUND ? 1 : f->code == VG_EPERM ? 2 : 3;
		if (rank > worst) {
			worst = rank;
			bad = f;
		}
	}
	if (!bad)
		return true;
	if (worst == 1)
		vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE, "no %s in the target", bad->path);
	else if (worst == 2)
		vg_outcome_set(out, VG_STATUS_NOT_EVALUATED, "%s", bad->err.msg);
	else
		vg_outcome_set(out, VG_STATUS_ERROR, "%s", bad->err.msg);
	return false;
}

struct idx {
	int64_t id;
	const char *name;
	size_t pos;
};

static int cmp_id(const void *x, const void *y)
{
	const struct idx *a = x, *b = y;

	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static int cmp_name(const void *x, const void *y)
{
	const struct idx *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Duplicate ids or names among users (or groups): every entry after the first
 * of a kind is a hit. */
static int duplicates(const struct vg_accounts *a, bool groups, bool by_name,
		      struct vg_outcome *out)
{
	const struct vg_vec *v = groups ? &a->groups : &a->users;
	const char *path = a->files[groups ? VG_ACCT_GROUP : VG_ACCT_PASSWD].path;
	struct idx *ix = vg_calloc(v->len + 1, sizeof(*ix));
	char msg[600], ev[300], key[300];
	int rc = 0;

	if (!ix)
		return VG_ENOMEM;
	for (size_t i = 0; i < v->len; i++) {
		if (groups) {
			const struct vg_group_ent *g = v->items[i];

			ix[i] = (struct idx){g->gid, g->name, i};
		} else {
			const struct vg_passwd_ent *u = v->items[i];

			ix[i] = (struct idx){u->uid, u->name, i};
		}
	}
	qsort(ix, v->len, sizeof(*ix), by_name ? cmp_name : cmp_id);
	for (size_t i = 1, first = 0; i < v->len && rc == 0; i++) {
		bool same = by_name ? !strcmp(ix[i].name, ix[first].name)
				    : ix[i].id == ix[first].id;
		size_t line = groups ? ((struct vg_group_ent *)v->items[ix[i].pos])->line
				     : ((struct vg_passwd_ent *)v->items[ix[i].pos])->line;
		const char *what = groups ? "gid" : "uid";

		if (!same) {
			first = i;
			continue;
		}
		if (by_name) {
			snprintf(msg, sizeof(msg), "%s %s is defined more than once",
				 groups ? "group" : "user", ix[i].name);
			snprintf(ev, sizeof(ev), "%s:%s=%lld (duplicate name)", ix[i].name, what,
				 (long long)ix[i].id);
			snprintf(key, sizeof(key), "%s:duplicate-name", ix[i].name);
		} else {
			snprintf(msg, sizeof(msg), "%s %s: %s %lld is also used by %s",
				 groups ? "group" : "user", ix[i].name, what, (long long)ix[i].id,
				 ix[first].name);
			snprintf(ev, sizeof(ev), "%s:%s=%lld", ix[i].name, what,
				 (long long)ix[i].id);
			snprintf(key, sizeof(key), "%s:duplicate-%s=%lld", ix[i].name, what,
				 (long long)ix[i].id);
		}
		rc = hit2(out, path, line, msg, ev, key);
	}
	free(ix);
	return rc;
}

static bool login_exempt(const char *name)
{
	return !strcmp(name, "root") || !strcmp(name, "sync") || !strcmp(name, "shutdown") ||
	       !strcmp(name, "halt");
}

static int eval_assert(const struct accounts_cfg *c, const struct vg_accounts *a,
		       struct vg_outcome *out)
{
	const char *pwpath = a->files[VG_ACCT_PASSWD].path;
	const char *grpath = a->files[VG_ACCT_GROUP].path;
	const char *shpath = a->files[VG_ACCT_SHADOW].path;
	char msg[600], ev[300], key[300];
	int rc = 0;

	switch ((enum assertion)c->assertion) {
	case A_UNIQUE_UIDS:
		return duplicates(a, false, false, out);
	case A_UNIQUE_GIDS:
		return duplicates(a, true, false, out);
	case A_UNIQUE_USERS:
		return duplicates(a, false, true, out);
	case A_UNIQUE_GROUPS:
		return duplicates(a, true, true, out);
	case A_WELL_FORMED:
		for (int k = 0; k < VG_ACCT_NKINDS && rc == 0; k++) {
			const struct vg_acct_file *f = &a->files[k];

			for (size_t i = 0; i < f->problems.len && rc == 0; i++) {
				const struct vg_acct_problem *p = f->problems.items[i];
				const char *m = strchr(p->msg, ' ');

				snprintf(key, sizeof(key), "%s:%s", f->path, m ? m + 1 : p->msg);
				rc = hit2(out, f->path, p->line, p->msg, m ? m + 1 : p->msg, key);
			}
		}
		return rc;
	default:
		break;
	}
	for (size_t i = 0; i < a->users.len && rc == 0; i++) {
		const struct vg_passwd_ent *u = a->users.items[i];

		switch ((enum assertion)c->assertion) {
		case A_UID0:
			if (u->uid != 0 || !strcmp(u->name, "root"))
				continue;
			snprintf(msg, sizeof(msg), "%s has uid 0: a second superuser", u->name);
			snprintf(ev, sizeof(ev), "%s:uid=0", u->name);
			snprintf(key, sizeof(key), "%s:uid0", u->name);
			break;
		case A_GID0_ROOT:
			if (u->gid != 0 || login_exempt(u->name) || !strcmp(u->name, "operator"))
				continue;
			snprintf(msg, sizeof(msg), "%s has primary group 0 (root)", u->name);
			snprintf(ev, sizeof(ev), "%s:gid=0", u->name);
			snprintf(key, sizeof(key), "%s:gid0", u->name);
			break;
		case A_SHADOWED:
			if (u->pw == VG_PW_SHADOWED)
				continue;
			snprintf(msg, sizeof(msg), "%s: the password field in /etc/passwd is %s, "
				 "not 'x'", u->name, u->pw == VG_PW_EMPTY ? "empty" : "set");
			snprintf(ev, sizeof(ev), "%s:password=<%s>", u->name,
				 u->pw == VG_PW_EMPTY ? "empty" : "redacted");
			snprintf(key, sizeof(key), "%s:not-shadowed", u->name);
			break;
		case A_SYS_NOLOGIN:
			if (!vg_accounts_is_system(a, u) || login_exempt(u->name) ||
			    vg_accounts_shell_is_nologin(u->shell))
				continue;
			snprintf(msg, sizeof(msg), "system account %s (uid %lld) has the login "
				 "shell %s", u->name, (long long)u->uid,
				 *u->shell ? u->shell : "/bin/sh (empty field)");
			snprintf(ev, sizeof(ev), "%s:shell=%s", u->name, u->shell);
			snprintf(key, sizeof(key), "%s:login-shell", u->name);
			break;
		case A_GROUPS_EXIST:
			if (vg_accounts_group_by_gid(a, u->gid))
				continue;
			snprintf(msg, sizeof(msg), "%s: primary group %lld does not exist in %s",
				 u->name, (long long)u->gid, grpath);
			snprintf(ev, sizeof(ev), "%s:gid=%lld", u->name, (long long)u->gid);
			snprintf(key, sizeof(key), "%s:missing-group=%lld", u->name,
				 (long long)u->gid);
			break;
		case A_SHADOW_GROUP_EMPTY: {
			const struct vg_group_ent *g = vg_accounts_group_by_name(a, "shadow");

			if (!g || u->gid != g->gid)
				continue;
			snprintf(msg, sizeof(msg), "%s has the shadow group as primary group",
				 u->name);
			snprintf(ev, sizeof(ev), "%s:gid=%lld (shadow)", u->name,
				 (long long)u->gid);
			snprintf(key, sizeof(key), "%s:primary-shadow", u->name);
			break;
		}
		default:
			continue;
		}
		rc = hit2(out, pwpath, u->line, msg, ev, key);
	}
	if (rc < 0)
		return rc;
	if (c->assertion == A_SHADOW_GROUP_EMPTY) {
		const struct vg_group_ent *g = vg_accounts_group_by_name(a, "shadow");

		if (g && *g->members) {
			snprintf(msg, sizeof(msg), "the shadow group has members: %.400s",
				 g->members);
			snprintf(ev, sizeof(ev), "shadow:members=%.250s", g->members);
			rc = hit2(out, grpath, g->line, msg, ev, "shadow:members");
		}
	}
	for (size_t i = 0; c->assertion == A_GROUP0_ROOT && i < a->groups.len && rc == 0; i++) {
		const struct vg_group_ent *g = a->groups.items[i];

		if (g->gid != 0 || !strcmp(g->name, "root"))
			continue;
		snprintf(msg, sizeof(msg), "group %s has gid 0", g->name);
		snprintf(ev, sizeof(ev), "%s:gid=0", g->name);
		snprintf(key, sizeof(key), "%s:group-gid0", g->name);
		rc = hit2(out, grpath, g->line, msg, ev, key);
	}
	for (size_t i = 0; c->assertion == A_NO_EMPTY && i < a->shadows.len && rc == 0; i++) {
		const struct vg_shadow_ent *s = a->shadows.items[i];

		if (s->pw != VG_PW_EMPTY)
			continue;
		snprintf(msg, sizeof(msg), "%s has an empty password field: no password needed",
			 s->name);
		snprintf(ev, sizeof(ev), "%s:password=<empty>", s->name);
		snprintf(key, sizeof(key), "%s:empty-password", s->name);
		rc = hit2(out, shpath, s->line, msg, ev, key);
	}
	for (size_t i = 0; c->assertion == A_CHANGE_PAST && i < a->shadows.len && rc == 0; i++) {
		const struct vg_shadow_ent *s = a->shadows.items[i];
		int64_t days, today = (int64_t)(time(NULL) / 86400);

		if (!s->lastchg || !vg_parse_i64(s->lastchg, 10, &days) || days <= today)
			continue;
		snprintf(msg, sizeof(msg), "%s: the last password change (day %lld) is in the "
			 "future (today is day %lld)", s->name, (long long)days, (long long)today);
		snprintf(ev, sizeof(ev), "%s:lastchg=%lld", s->name, (long long)days);
		snprintf(key, sizeof(key), "%s:lastchg-future", s->name);
		rc = hit2(out, shpath, s->line, msg, ev, key);
	}
	return rc;
}

static bool selected(const struct vg_accounts *a, int users, const struct vg_passwd_ent *u)
{
	switch ((enum users)users) {
	case U_HUMAN:
		return vg_accounts_is_human(a, u);
	case U_SYSTEM:
		return vg_accounts_is_system(a, u);
	case U_WITH_PASSWORD:
		return vg_accounts_has_password(a, u);
	case U_ALL:
		break;
	}
	return true;
}

struct field_state {
	size_t checked;
	size_t denied;
	size_t errors;
	char problem[VG_ERROR_MSG_MAX];
};

/* The home directory facts of u: value for home_mode / home_owned, NULL when
 * it does not exist. Returns false when it could not be looked at. */
static bool home_value(const struct vg_eval_ctx *ev, const struct vg_passwd_ent *u, int field,
		       char *buf, size_t size, const char **value, struct field_state *fs)
{
	struct vg_error err = {0};
	struct vg_stat st;
	int rc;

	*value = NULL;
	if (!*u->home)
		return true;
	rc = vg_fs_stat(ev->target->fs, u->home, &st, &err);
	if (rc == VG_ENOTFOUND)
		return true;
	if (rc < 0) {
		if (rc == VG_EPERM)
			fs->denied++;
		else
			fs->errors++;
		if (!fs->problem[0])
			snprintf(fs->problem, sizeof(fs->problem), "%s", err.msg);
		return false;
	}
	if (!S_ISDIR(st.mode))
		return true;
	if (field == F_HOME_MODE)
		snprintf(buf, size, "%04o", (unsigned)(st.mode & 07777));
	else
		snprintf(buf, size, "%s", (int64_t)st.uid == u->uid ? "true" : "false");
	*value = buf;
	return true;
}

static int eval_field(const struct accounts_cfg *c, const struct vg_accounts *a,
		      const struct vg_eval_ctx *ev, struct vg_outcome *out)
{
	struct field_state fs = {0};
	const char *fname = field_names[c->field];
	int rc = 0;

	for (size_t i = 0; i < a->users.len && rc == 0; i++) {
		const struct vg_passwd_ent *u = a->users.items[i];
		const struct vg_shadow_ent *s = NULL;
		const char *value = NULL, *path = a->files[VG_ACCT_PASSWD].path;
		size_t line = u->line;
		char buf[32], ev_text[600], key[300];
		char *why = NULL;

		if (!selected(a, c->users, u))
			continue;
		switch ((enum field)c->field) {
		case F_MAX:
		case F_MIN:
		case F_WARN:
		case F_INACTIVE:
			s = vg_accounts_shadow(a, u->name);
			if (!s)
				continue; /* no shadow entry: no password to age */
			value = c->field == F_MAX ? s->max : c->field == F_MIN ? s->min
				: c->field == F_WARN ? s->warn : s->inactive;
			path = a->files[VG_ACCT_SHADOW].path;
			line = s->line;
			break;
		case F_SHELL:
			value = u->shell;
			break;
		case F_HOME:
			value = u->home;
			break;
		case F_HOME_MODE:
		case F_HOME_OWNED:
			if (!home_value(ev, u, c->field, buf, sizeof(buf), &value, &fs))
				continue;
			break;
		}
		fs.checked++;
		if (vg_expect_eval(&c->expect, value, &why))
			continue;
		if (value)
			snprintf(ev_text, sizeof(ev_text), "%s:%s=%.400s", u->name, fname, value);
		else
			snprintf(ev_text, sizeof(ev_text), "%s:%s unset", u->name, fname);
		snprintf(key, sizeof(key), "%s:%s", u->name, fname);
		rc = add_hit(out, path, line, ev_text, key, "%s: %s %s", u->name, fname,
			     why ? why : "does not meet the expectation");
		free(why);
	}
	if (rc < 0 || out->hits.len)
		return rc;
	if (fs.errors)
		vg_outcome_set(out, VG_STATUS_ERROR, "%s", fs.problem);
	else if (fs.denied)
		vg_outcome_set(out, VG_STATUS_NOT_EVALUATED, "%s", fs.problem);
	else if (!fs.checked)
		vg_outcome_set(out, VG_STATUS_PASS, "no %s accounts to check",
			       user_classes[c->users]);
	return 0;
}

static int eval_def(const struct accounts_cfg *c, const struct vg_accounts *a,
		    struct vg_outcome *out)
{
	const struct vg_acct_file *f = &a->files[VG_ACCT_LOGIN_DEFS];
	size_t line = 0;
	const char *value = vg_accounts_def(a, c->def, &line);
	bool dflt = !value;
	char *why = NULL, *obj = NULL;
	char ev[600];
	int rc;

	if (dflt)
		value = vg_accounts_def_default(c->def);
	if (vg_expect_eval(&c->expect, value, &why))
		return 0;
	snprintf(ev, sizeof(ev), "%s %.400s%s", c->def, value ? value : "(unset)",
		 dflt ? " (default)" : "");
	obj = vg_asprintf("login.defs:%s", c->def);
	if (!obj) {
		free(why);
		return VG_ENOMEM;
	}
	if (dflt)
		rc = add_hit(out, NULL, 0, ev, obj, "%s %s (not set in %s%s)", c->def,
			     why ? why : "does not meet the expectation", f->path,
			     value ? ": the built-in default applies" : "");
	else
		rc = add_hit(out, f->path, line, ev, obj, "%s %s", c->def,
			     why ? why : "does not meet the expectation");
	free(why);
	free(obj);
	return rc;
}

static int accounts_evaluate(const void *cfg, struct vg_leaf_state *st,
			     const struct vg_eval_ctx *ev, struct vg_outcome *out)
{
	const struct accounts_cfg *c = cfg;
	const struct vg_accounts *a = NULL;
	const void *facts = NULL;
	struct vg_error err = {0};
	unsigned needs = 0;
	size_t malformed = 0;
	int rc;

	(void)st;
	rc = vg_facts_get(ev->facts, &vg_collector_accounts, ev->target, &facts, &err);
	if (rc == VG_ENOMEM)
		return rc;
	if (rc < 0) {
		vg_facts_outcome(out, rc, &err);
		return 0;
	}
	a = facts;
	if (c->mode == M_ASSERT)
		needs = asserts[c->assertion].needs;
	else if (c->mode == M_DEF)
		needs = NEED(VG_ACCT_LOGIN_DEFS);
	else if (c->field <= F_INACTIVE || c->users == U_WITH_PASSWORD)
		needs = NEED(VG_ACCT_PASSWD) | NEED(VG_ACCT_SHADOW);
	else
		needs = NEED(VG_ACCT_PASSWD);
	/* human and system accounts are told apart by UID_MIN and UID_MAX */
	if (c->mode == M_FIELD && (c->users == U_HUMAN || c->users == U_SYSTEM))
		needs |= NEED(VG_ACCT_LOGIN_DEFS);
	if (c->mode == M_ASSERT && c->assertion == A_WELL_FORMED) {
		/* every file that exists must be readable: its lines are what is judged */
		for (int k = 0; k < VG_ACCT_NKINDS; k++)
			if (a->files[k].code != VG_ENOTFOUND)
				needs |= NEED(k);
	}
	if (!files_ok(a, needs, out))
		return 0;
	if (c->mode == M_ASSERT)
		rc = eval_assert(c, a, out);
	else if (c->mode == M_FIELD)
		rc = eval_field(c, a, ev, out);
	else
		rc = eval_def(c, a, out);
	if (rc < 0)
		return rc;
	if (out->hits.len) {
		out->status = VG_STATUS_FAIL;
		return 0;
	}
	if (out->status != VG_STATUS_PASS || out->reason)
		return 0;
	for (int k = 0; k < VG_ACCT_NKINDS; k++)
		if (needs & NEED(k))
			malformed += a->files[k].problems.len;
	if (malformed)
		vg_outcome_set(out, VG_STATUS_PASS, "%zu account lines are malformed (see the "
			       "well-formed assertion)", malformed);
	return 0;
}

const struct vg_check_impl vg_check_accounts = {
	.name = "accounts",
	.targets = VG_TARGET_ROOT | VG_TARGET_HOST,
	.offline = true,
	.summary = "local accounts: uid 0, duplicates, empty or unshadowed passwords, login "
		   "shells, password ageing, login.defs",
	.parse = accounts_parse,
	.free = accounts_free,
	.evaluate = accounts_evaluate,
};
