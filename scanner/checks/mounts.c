/* SPDX-License-Identifier: Apache-2.0 */
/* The `mounts` check: a mount point is a separate mount, with the options it must (not) have. */
#include <stdlib.h>
#include <string.h>

#include "checks/check.h"
#include "checks/hits.h"
#include "facts/mounts.h"

enum source {
	SRC_BOTH,
	SRC_FSTAB,
	SRC_LIVE,
};

struct mounts_cfg {
	char *mountpoint;   /* normalized */
	bool separate;
	char **includes;    /* options that must be in effect */
	size_t nincludes;
	char **excludes;    /* options that must not be */
	size_t nexcludes;
	enum source source;
};

static const struct vg_field fields[] = {
	{"mountpoint", VG_FIELD_STRING, true}, {"separate", VG_FIELD_BOOL, false},
	{"options", VG_FIELD_MAPPING, false},  {"source", VG_FIELD_STRING, false},
	{NULL, 0, false},
};

static const struct vg_field option_fields[] = {
	{"includes", VG_FIELD_STRINGS, false},
	{"excludes", VG_FIELD_STRINGS, false},
	{NULL, 0, false},
};

static void mounts_free(void *p)
{
	struct mounts_cfg *c = p;

	if (!c)
		return;
	free(c->mountpoint);
	vg_strv_free(c->includes);
	vg_strv_free(c->excludes);
	free(c);
}

static bool valid_options(struct vg_pctx *pc, const struct vg_ynode *node, char **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!v[i][0] || strpbrk(v[i], ", \t\n")) {
			vg_pctx_error(pc, node, "'%s' is not a single mount option", v[i]);
			return false;
		}
	}
	return true;
}

static int mounts_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node)
{
	struct mounts_cfg *c = NULL;
	struct vg_error err = {0};
	const struct vg_ynode *opts;
	const char *s;
	int rc = VG_EPARSE;

	if (!vg_pctx_check_fields(pc, node, fields))
		return VG_EPARSE;
	c = calloc(1, sizeof(*c));
	if (!c)
		return VG_ENOMEM;
	s = vg_pctx_str(pc, node, "mountpoint");
	if (!s)
		goto out;
	if (vg_mounts_normalize(&c->mountpoint, s, &err) < 0) {
		vg_pctx_error(pc, vg_ynode_get(node, "mountpoint"), "%s", err.msg);
		goto out;
	}
	c->separate = vg_pctx_bool(pc, node, "separate", false);
	if ((opts = vg_ynode_get(node, "options"))) {
		if (!vg_pctx_check_fields(pc, opts, option_fields))
			goto out;
		c->includes = vg_pctx_strv(pc, opts, "includes", &c->nincludes);
		c->excludes = vg_pctx_strv(pc, opts, "excludes", &c->nexcludes);
		if (!valid_options(pc, opts, c->includes, c->nincludes) ||
		    !valid_options(pc, opts, c->excludes, c->nexcludes))
			goto out;
		if (!c->nincludes && !c->nexcludes) {
			vg_pctx_error(pc, opts, "'options' needs 'includes' or 'excludes'");
			goto out;
		}
	}
	if (!c->separate && !c->nincludes && !c->nexcludes) {
		vg_pctx_error(pc, node, "a mounts check needs 'separate: true' or 'options'");
		goto out;
	}
	if ((s = vg_pctx_str(pc, node, "source"))) {
		if (!strcmp(s, "both")) {
			c->source = SRC_BOTH;
		} else if (!strcmp(s, "fstab")) {
			c->source = SRC_FSTAB;
		} else if (!strcmp(s, "live")) {
			c->source = SRC_LIVE;
		} else {
			vg_pctx_error(pc, vg_ynode_get(node, "source"),
				      "source must be fstab, live or both");
			goto out;
		}
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	mounts_free(c);
	return rc;
}

static const char *origin_text(const struct vg_mount_entry *e)
{
	switch (e->origin) {
	case VG_MOUNT_UNIT_ADMIN:
	case VG_MOUNT_UNIT_VENDOR:
		return "systemd mount unit";
	case VG_MOUNT_FSTAB:
		return "/etc/fstab";
	case VG_MOUNT_BUILTIN:
		return "systemd's built-in mount";
	case VG_MOUNT_LIVE:
		break;
	}
	return "/proc/self/mounts";
}

static int add_hit(struct vg_outcome *out, const struct vg_mount_entry *e, bool live,
		   const char *mountpoint, const char *keypart, const char *msg)
{
	char *obj = vg_asprintf("mount:%s", mountpoint);
	char *evid = e ? vg_asprintf("%s %s %s %s", e->source, e->target, e->fstype, e->options) :
			 vg_asprintf("%s not mounted", mountpoint);
	char *key = vg_asprintf("%s:%s:%s", live ? "live" : "config", mountpoint, keypart);
	int rc = VG_ENOMEM;

	/* a live mount has no file: the object names it */
	if (obj && evid && key)
		rc = vg_hits_add(out, e && !live ? e->file : NULL, e && !live ? e->line : 0, 1, obj,
				 msg, evid, key);
	free(obj);
	free(evid);
	free(key);
	return rc;
}

/* Judges one table: part gets PASS or why it could not say; hits go to out. */
static int eval_table(const struct mounts_cfg *c, const struct vg_eval_ctx *ev, bool live,
		      struct vg_outcome *part, struct vg_outcome *out)
{
	const struct vg_collector *col = live ? &vg_collector_mounts_live :
						&vg_collector_mounts_config;
	const char *absent = live ? "it is not mounted now (/proc/self/mounts)" :
				    "no entry in /etc/fstab or an enabled systemd mount unit";
	const struct vg_mount_table *t;
	const struct vg_mount_entry *e;
	const void *p = NULL;
	struct vg_error err = {0};
	struct vg_short so;
	size_t before = out->hits.len;
	const char *opts;
	char *msg = NULL;
	int rc;

	rc = vg_facts_get(ev->facts, col, ev->target, &p, &err);
	if (rc < 0) {
		vg_facts_outcome(part, rc, &err);
		return rc == VG_ENOMEM ? rc : 0;
	}
	t = p;
	e = vg_mounts_find(t, c->mountpoint);
	if (!e) {
		if (c->separate) {
			msg = vg_asprintf("%s is not a separate mount: %s", c->mountpoint, absent);
			rc = msg ? add_hit(out, NULL, live, c->mountpoint, "separate", msg) :
				   VG_ENOMEM;
			free(msg);
			return rc;
		}
		vg_outcome_set(part, VG_STATUS_NOT_APPLICABLE, "%s is not a separate mount (%s), "
			       "so its options were not checked", c->mountpoint, absent);
		return 0;
	}
	opts = vg_shorten(&so, e->options);
	for (size_t i = 0; rc == 0 && i < c->nincludes + c->nexcludes; i++) {
		bool inc = i < c->nincludes;
		const char *opt = inc ? c->includes[i] : c->excludes[i - c->nincludes];

		if (vg_mount_option_set(e->options, opt) == inc)
			continue;
		if (live)
			msg = vg_asprintf("%s is mounted %s %s (options now: %s)", c->mountpoint,
					  inc ? "without" : "with", opt, opts);
		else if (e->origin == VG_MOUNT_FSTAB)
			msg = vg_asprintf("%s is mounted %s %s (%s:%zu: %s)", c->mountpoint,
					  inc ? "without" : "with", opt, e->file, e->line, opts);
		else if (e->file)
			msg = vg_asprintf("%s is mounted %s %s (%s %s:%zu: %s)", c->mountpoint,
					  inc ? "without" : "with", opt, origin_text(e), e->file,
					  e->line, opts);
		else
			msg = vg_asprintf("%s is mounted %s %s (%s: %s)", c->mountpoint,
					  inc ? "without" : "with", opt, origin_text(e), opts);
		rc = msg ? add_hit(out, e, live, c->mountpoint, opt, msg) : VG_ENOMEM;
		free(msg);
		msg = NULL;
	}
	if (rc == 0 && out->hits.len == before)
		vg_outcome_set(part, VG_STATUS_PASS, "%s: %s%s%s (%s)", c->mountpoint,
			       live ? "mounted now" : "configured",
			       opts[0] ? " with " : "", opts, origin_text(e));
	return rc;
}

static int mounts_evaluate(const void *cfg, struct vg_leaf_state *st,
			   const struct vg_eval_ctx *ev, struct vg_outcome *out)
{
	const struct mounts_cfg *c = cfg;
	bool live = ev->target->live;
	struct vg_outcome conf, now;
	int rc = 0;

	vg_outcome_init(&conf);
	vg_outcome_init(&now);
	vg_outcome_set(&conf, VG_STATUS_NOT_APPLICABLE, "configured mounts not checked");
	vg_outcome_set(&now, VG_STATUS_NOT_APPLICABLE, "what is mounted now on %s needs the "
		       "live system (not available offline)", c->mountpoint);
	if (c->source != SRC_LIVE)
		rc = eval_table(c, ev, false, &conf, out);
	if (rc == 0 && c->source != SRC_FSTAB && live)
		rc = eval_table(c, ev, true, &now, out);
	if (rc < 0 || vg_hits_settle(out, &conf, &now))
		goto out;
	if (conf.status == VG_STATUS_PASS || now.status == VG_STATUS_PASS) {
		bool both = conf.status == VG_STATUS_PASS && now.status == VG_STATUS_PASS;

		vg_outcome_set(out, VG_STATUS_PASS, "%s%s%s",
			       conf.status == VG_STATUS_PASS ? conf.reason : "", both ? "; " : "",
			       now.status == VG_STATUS_PASS ? now.reason : "");
	} else {
		const struct vg_outcome *why = c->source == SRC_LIVE ? &now : &conf;

		vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE, "%s", why->reason ? why->reason : "");
	}
out:
	vg_outcome_finish(&conf);
	vg_outcome_finish(&now);
	return rc;
}

const struct vg_check_impl vg_check_mounts = {
	.name = "mounts",
	.targets = VG_TARGET_ROOT | VG_TARGET_HOST,
	.offline = true,
	.summary = "a mount point is a separate mount with the options it needs (/etc/fstab, "
		   "mount units, /proc/self/mounts)",
	.parse = mounts_parse,
	.free = mounts_free,
	.evaluate = mounts_evaluate,
};
