/* SPDX-License-Identifier: Apache-2.0 */
/* The `services` check: systemd units installed, enabled, masked, and running on a live host. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check.h"
#include "checks/hits.h"
#include "facts/services.h"

struct services_cfg {
	char **units;
	size_t nunits;
	int exists, enabled, masked, running; /* 1 demanded true, -1 false, 0 no demand */
};

static const struct vg_field fields[] = {
	{"unit", VG_FIELD_STRINGS, true},  {"exists", VG_FIELD_BOOL, false},
	{"enabled", VG_FIELD_BOOL, false}, {"masked", VG_FIELD_BOOL, false},
	{"running", VG_FIELD_BOOL, false}, {NULL, 0, false},
};

static void services_free(void *p)
{
	struct services_cfg *c = p;

	if (!c)
		return;
	vg_strv_free(c->units);
	free(c);
}

static int tri(struct vg_pctx *pc, const struct vg_ynode *node, const char *key)
{
	if (!vg_ynode_get(node, key))
		return 0;
	return vg_pctx_bool(pc, node, key, true) ? 1 : -1;
}

static int services_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node)
{
	struct services_cfg *c = NULL;
	int rc = VG_EPARSE;

	if (!vg_pctx_check_fields(pc, node, fields))
		return VG_EPARSE;
	c = calloc(1, sizeof(*c));
	if (!c)
		return VG_ENOMEM;
	c->units = vg_pctx_strv(pc, node, "unit", &c->nunits);
	if (!c->nunits) {
		vg_pctx_error(pc, vg_ynode_get(node, "unit"),
			      "unit names one or more systemd units");
		goto out;
	}
	for (size_t i = 0; i < c->nunits; i++) {
		if (!vg_services_unit_valid(c->units[i])) {
			vg_pctx_error(pc, vg_ynode_get(node, "unit"),
				      "'%s' is not a unit name (name.service, .socket, "
				      ".timer, ...)",
				      c->units[i]);
			goto out;
		}
	}
	c->exists = tri(pc, node, "exists");
	c->enabled = tri(pc, node, "enabled");
	c->masked = tri(pc, node, "masked");
	c->running = tri(pc, node, "running");
	if (!c->exists && !c->enabled && !c->masked && !c->running) {
		vg_pctx_error(pc, node,
			      "a services check needs exists, enabled, masked or running");
		goto out;
	}
	if (c->exists == -1 && (c->enabled == 1 || c->masked == 1 || c->running == 1)) {
		vg_pctx_error(pc, node, "a unit demanded absent cannot also be enabled, masked or "
					"running");
		goto out;
	}
	if (c->masked == 1 && (c->enabled == 1 || c->running == 1)) {
		vg_pctx_error(pc, node, "a masked unit can be neither enabled nor running");
		goto out;
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	services_free(c);
	return rc;
}

static int push_hit(struct vg_outcome *out, const char *path, const char *unit, const char *what,
		    const char *msg)
{
	char obj[300], ev[400], key[300];

	snprintf(obj, sizeof(obj), "systemd:%s", unit);
	snprintf(ev, sizeof(ev), "%s %s", unit, what);
	snprintf(key, sizeof(key), "%s:%s", unit, what);
	return vg_hits_add(out, path, 0, 0, obj, msg, ev, key);
}

struct tally {
	size_t denied, errors, unsupported;
	struct vg_error first;
};

static void tally_note(struct tally *t, int code, const struct vg_error *e)
{
	if (code == VG_EPERM)
		t->denied++;
	else if (code == VG_EUNSUPPORTED)
		t->unsupported++;
	else
		t->errors++;
	if (!t->first.code || (code != VG_EUNSUPPORTED && t->first.code == VG_EUNSUPPORTED))
		t->first = *e;
}

static int check_unit(const struct services_cfg *c, const struct vg_services *s,
		      const struct vg_eval_ctx *ev, const char *unit, struct vg_outcome *out,
		      struct tally *t)
{
	struct vg_unit_state u;
	bool installed, masked, enabled, unsure;
	char msg[900];
	int rc = 0;

	vg_services_state(s, unit, &u);
	masked = u.mask != NULL;
	installed = u.file != NULL || masked;
	enabled = u.want && !masked && u.file;
	/* With a unit directory unlisted, what was not found may be there: only
	 * what was found can fail (the outcome becomes not-evaluated). */
	unsure = s->denied || s->errors;
	if (c->exists == 1 && !installed && !unsure) {
		snprintf(msg, sizeof(msg), "%s is not installed (no unit file)", unit);
		rc = push_hit(out, NULL, unit, "missing", msg);
	} else if (c->exists == -1 && u.file) {
		snprintf(msg, sizeof(msg), "%s is installed (%s)", unit, u.file->path);
		rc = push_hit(out, u.file->path, unit, "installed", msg);
	}
	if (rc == 0 && c->enabled == -1 && enabled) {
		snprintf(msg, sizeof(msg), "%s is enabled: %s wants it (%s)", unit, u.want->by,
			 u.want->path);
		rc = push_hit(out, u.want->path, unit, "enabled", msg);
	} else if (rc == 0 && c->enabled == 1 && !enabled && (masked || !unsure)) {
		if (masked)
			snprintf(msg, sizeof(msg), "%s is masked (%s -> /dev/null)", unit,
				 u.mask->path);
		else if (!u.file)
			snprintf(msg, sizeof(msg), "%s is not installed", unit);
		else
			snprintf(msg, sizeof(msg), "%s is installed but not enabled (no .wants "
				 "link)", unit);
		rc = push_hit(out, masked ? u.mask->path : NULL, unit, "not enabled", msg);
	}
	if (rc == 0 && c->masked == 1 && !masked && u.file && !unsure) {
		snprintf(msg, sizeof(msg), "%s is not masked", unit);
		rc = push_hit(out, NULL, unit, "not masked", msg);
	} else if (rc == 0 && c->masked == -1 && masked) {
		snprintf(msg, sizeof(msg), "%s is masked (%s -> /dev/null)", unit, u.mask->path);
		rc = push_hit(out, u.mask->path, unit, "masked", msg);
	}
	if (rc == 0 && c->running && ev->target->live) {
		struct vg_error err = {0};
		bool running = false;
		int r = vg_services_running(ev->target->fs, u.name, &running, &err);

		if (r == VG_ENOMEM)
			return r;
		if (r < 0) {
			tally_note(t, r, &err);
		} else if (c->running == -1 && running) {
			snprintf(msg, sizeof(msg), "%s is running", unit);
			rc = push_hit(out, NULL, unit, "running", msg);
		} else if (c->running == 1 && !running) {
			snprintf(msg, sizeof(msg), "%s is not running", unit);
			rc = push_hit(out, NULL, unit, "not running", msg);
		}
	}
	return rc;
}

static int services_evaluate(const void *cfg, struct vg_leaf_state *st,
			     const struct vg_eval_ctx *ev, struct vg_outcome *out)
{
	const struct services_cfg *c = cfg;
	const struct vg_services *s = NULL;
	const void *facts = NULL;
	struct vg_error err = {0};
	struct tally t = {0};
	bool only_running = !c->exists && !c->enabled && !c->masked;
	int rc;

	(void)st;
	if (only_running && !ev->target->live) {
		vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE, "whether a unit runs can only be "
			       "seen on the live host");
		return 0;
	}
	rc = vg_facts_get(ev->facts, &vg_collector_services, ev->target, &facts, &err);
	if (rc == VG_ENOMEM)
		return rc;
	if (rc < 0) {
		vg_facts_outcome(out, rc, &err);
		return 0;
	}
	s = facts;
	if (!s->dirs_found && !s->denied && !s->errors) {
		vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE, "no systemd unit directories in the "
			       "target (systemd is not installed)");
		return 0;
	}
	for (size_t i = 0; i < c->nunits && rc == 0; i++)
		rc = check_unit(c, s, ev, c->units[i], out, &t);
	if (rc < 0)
		return rc;
	if (out->hits.len) {
		out->status = VG_STATUS_FAIL;
	} else if (s->errors || s->denied) {
		/* a unit directory we could not list may hold the link that decides */
		vg_outcome_set(out, s->errors ? VG_STATUS_ERROR : VG_STATUS_NOT_EVALUATED,
			       "unit state undecided: %s", s->problem.msg);
	} else if (t.errors || t.denied) {
		vg_outcome_set(out, t.errors ? VG_STATUS_ERROR : VG_STATUS_NOT_EVALUATED, "%s",
			       t.first.msg);
	} else if (t.unsupported) {
		vg_outcome_set(out, only_running ? VG_STATUS_NOT_EVALUATED : VG_STATUS_PASS,
			       "%s%s", only_running ? "" : "unit files pass; running state not "
			       "evaluated: ", t.first.msg);
	} else if (c->running && !ev->target->live) {
		vg_outcome_set(out, VG_STATUS_PASS, "unit files pass; whether the unit runs is "
			       "only evaluated on the live host");
	}
	return 0;
}

const struct vg_check_impl vg_check_services = {
	.name = "services",
	.targets = VG_TARGET_ROOT | VG_TARGET_HOST,
	.offline = true,
	.summary = "systemd units: installed, enabled (.wants links), masked, and running on the "
		   "live host (from its control group)",
	.parse = services_parse,
	.free = services_free,
	.evaluate = services_evaluate,
};
