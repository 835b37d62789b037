/* SPDX-License-Identifier: Apache-2.0 */
/* The `packages` check: packages that must or must not be installed, and minimum versions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check.h"
#include "checks/hits.h"
#include "facts/packages.h"
#include "glob.h"

struct packages_cfg {
	char **names;         /* package names or vg_glob_match_str patterns */
	size_t nnames;
	int installed;        /* 1 must be, -1 must not be, 0 no demand */
	char *vmin, *vmax, *vequals;
};

static const struct vg_field fields[] = {
	{"name", VG_FIELD_STRINGS, true}, {"installed", VG_FIELD_BOOL, false},
	{"version", VG_FIELD_MAPPING, false}, {NULL, 0, false},
};

static const struct vg_field version_fields[] = {
	{"min", VG_FIELD_STRING, false}, {"max", VG_FIELD_STRING, false},
	{"equals", VG_FIELD_STRING, false}, {NULL, 0, false},
};

static void packages_free(void *p)
{
	struct packages_cfg *c = p;

	if (!c)
		return;
	vg_strv_free(c->names);
	free(c->vmin);
	free(c->vmax);
	free(c->vequals);
	free(c);
}

static int version_key(struct vg_pctx *pc, const struct vg_ynode *map, const char *key,
		       char **out)
{
	const char *s = vg_pctx_str(pc, map, key);

	if (!s)
		return 0;
	if (!vg_packages_version_valid(s)) {
		vg_pctx_error(pc, vg_ynode_get(map, key), "'%s' is not a Debian version "
			      "([epoch:]upstream[-revision])", s);
		return VG_EPARSE;
	}
	*out = strdup(s);
	return *out ? 0 : VG_ENOMEM;
}

static int packages_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node)
{
	struct packages_cfg *c = NULL;
	const struct vg_ynode *v;
	int rc = VG_EPARSE;

	if (!vg_pctx_check_fields(pc, node, fields))
		return VG_EPARSE;
	c = calloc(1, sizeof(*c));
	if (!c)
		return VG_ENOMEM;
	c->names = vg_pctx_strv(pc, node, "name", &c->nnames);
	if (!c->nnames) {
		vg_pctx_error(pc, vg_ynode_get(node, "name"), "name lists one or more packages");
		goto out;
	}
	for (size_t i = 0; i < c->nnames; i++) {
		if (!*c->names[i]) {
			vg_pctx_error(pc, vg_ynode_get(node, "name"), "a package name is empty");
			goto out;
		}
	}
	if (vg_ynode_get(node, "installed"))
		c->installed = vg_pctx_bool(pc, node, "installed", true) ? 1 : -1;
	if ((v = vg_ynode_get(node, "version"))) {
		if (!vg_pctx_check_fields(pc, v, version_fields))
			goto out;
		if ((rc = version_key(pc, v, "min", &c->vmin)) < 0 ||
		    (rc = version_key(pc, v, "max", &c->vmax)) < 0 ||
		    (rc = version_key(pc, v, "equals", &c->vequals)) < 0)
			goto out;
		rc = VG_EPARSE;
		if (!c->vmin && !c->vmax && !c->vequals) {
			vg_pctx_error(pc, v, "version needs min, max or equals");
			goto out;
		}
		if (c->installed == -1) {
			vg_pctx_error(pc, v, "a package demanded absent has no version to check");
			goto out;
		}
	}
	if (!c->installed && !c->vmin && !c->vmax && !c->vequals) {
		vg_pctx_error(pc, node, "a packages check needs 'installed' or 'version'");
		goto out;
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	packages_free(c);
	return rc;
}

static int push_hit(struct vg_outcome *out, const struct vg_pkg *k, const char *msg,
		    const char *evidence, const char *name)
{
	char key[300];

	snprintf(key, sizeof(key), "package:%s", name);
	return vg_hits_add(out, k ? VG_DPKG_STATUS : NULL, k ? k->line : 0, 0, key, msg, evidence,
			   key);
}

/* A version failure message for k, or 0 when its version is acceptable. */
static int check_version(const struct packages_cfg *c, const struct vg_pkg *k, char *msg,
			 size_t size)
{
	const char *v = k->version;

	if (!v) {
		snprintf(msg, size, "%s is installed without a recorded version", k->name);
		return 1;
	}
	if (c->vmin && vg_packages_vercmp(v, c->vmin) < 0) {
		snprintf(msg, size, "%s %s is older than %s", k->name, v, c->vmin);
		return 1;
	}
	if (c->vmax && vg_packages_vercmp(v, c->vmax) > 0) {
		snprintf(msg, size, "%s %s is newer than %s", k->name, v, c->vmax);
		return 1;
	}
	if (c->vequals && vg_packages_vercmp(v, c->vequals) != 0) {
		snprintf(msg, size, "%s is version %s, expected %s", k->name, v, c->vequals);
		return 1;
	}
	return 0;
}

static int packages_evaluate(const void *cfg, struct vg_leaf_state *st,
			     const struct vg_eval_ctx *ev, struct vg_outcome *out)
{
	const struct packages_cfg *c = cfg;
	const struct vg_packages *p = NULL;
	const void *facts = NULL;
	struct vg_error err = {0};
	size_t versioned = 0;
	int rc;

	(void)st;
	rc = vg_facts_get(ev->facts, &vg_collector_packages, ev->target, &facts, &err);
	if (rc == VG_ENOMEM)
		return rc;
	if (rc < 0) {
		vg_facts_outcome(out, rc, &err);
		return 0;
	}
	p = facts;
	if (p->code == VG_ENOTFOUND) {
		if (p->rpm_db)
			vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE, "no dpkg database; an RPM "
				       "database is there, but reading RPM databases is not "
				       "supported (librpm is not linked)");
		else
			vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE, "no package database in the "
				       "target (" VG_DPKG_STATUS " is missing)");
		return 0;
	}
	if (p->code < 0) {
		vg_facts_outcome(out, p->code, &p->err);
		return 0;
	}
	for (size_t i = 0; i < c->nnames && rc == 0; i++) {
		bool glob = vg_glob_has_magic(c->names[i]);
		size_t count = 0, first = 0, found = 0;
		char msg[600], ev_text[400];

		if (glob)
			count = p->npkgs;
		else
			first = vg_packages_find(p, c->names[i], &count);
		for (size_t k = first; k < first + count && rc == 0; k++) {
			const struct vg_pkg *pk = &p->pkgs[k];

			if (!pk->installed || (glob && !vg_glob_match_str(c->names[i], pk->name)))
				continue;
			found++;
			snprintf(ev_text, sizeof(ev_text), "%s%s%s %s (%s)", pk->name,
				 pk->arch ? ":" : "", pk->arch ? pk->arch : "",
				 pk->version ? pk->version : "(no version)", pk->state);
			if (c->installed == -1) {
				snprintf(msg, sizeof(msg), "package %s is installed (%s)", pk->name,
					 pk->version ? pk->version : "no version");
				rc = push_hit(out, pk, msg, ev_text, pk->name);
			} else if (c->vmin || c->vmax || c->vequals) {
				versioned++;
				if (check_version(c, pk, msg, sizeof(msg)))
					rc = push_hit(out, pk, msg, ev_text, pk->name);
			}
		}
		if (rc == 0 && !found && c->installed == 1) {
			snprintf(msg, sizeof(msg), "package %s is not installed", c->names[i]);
			rc = push_hit(out, NULL, msg, "not installed", c->names[i]);
		}
	}
	if (rc < 0)
		return rc;
	if (out->hits.len)
		out->status = VG_STATUS_FAIL;
	else if ((c->vmin || c->vmax || c->vequals) && !versioned && c->installed != 1)
		vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE, "%s is not installed", c->names[0]);
	return 0;
}

const struct vg_check_impl vg_check_packages = {
	.name = "packages",
	.targets = VG_TARGET_ROOT | VG_TARGET_HOST,
	.offline = true,
	.summary = "installed packages and their versions from the dpkg status database",
	.parse = packages_parse,
	.free = packages_free,
	.evaluate = packages_evaluate,
};
