/* SPDX-License-Identifier: Apache-2.0 */
/* The `kernel_modules` check: a module disabled in modprobe.d, and not loaded. */
#include <stdlib.h>
#include <string.h>

#include "checks/check.h"
#include "checks/hits.h"
#include "facts/modules.h"
#include "glob.h"

struct modules_cfg {
	char *module;   /* normalized */
	int disabled;   /* 1 must be disabled, -1 must not be, 0 no demand */
	int loaded;     /* 1 must be loaded, -1 must not be, 0 no demand */
};

static const struct vg_field fields[] = {
	{"module", VG_FIELD_STRING, true}, {"disabled", VG_FIELD_BOOL, false},
	{"loaded", VG_FIELD_BOOL, false},  {NULL, 0, false},
};

static void modules_free(void *p)
{
	struct modules_cfg *c = p;

	if (!c)
		return;
	free(c->module);
	free(c);
}

static int modules_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node)
{
	struct modules_cfg *c = NULL;
	struct vg_error err = {0};
	const char *s;
	int rc = VG_EPARSE;

	if (!vg_pctx_check_fields(pc, node, fields))
		return VG_EPARSE;
	c = calloc(1, sizeof(*c));
	if (!c)
		return VG_ENOMEM;
	s = vg_pctx_str(pc, node, "module");
	if (!s)
		goto out;
	if (vg_glob_has_magic(s)) {
		vg_pctx_error(pc, vg_ynode_get(node, "module"), "name one module, not a pattern");
		goto out;
	}
	if (vg_module_normalize(&c->module, s, strlen(s), &err) < 0) {
		vg_pctx_error(pc, vg_ynode_get(node, "module"), "%s", err.msg);
		goto out;
	}
	if (vg_ynode_get(node, "disabled"))
		c->disabled = vg_pctx_bool(pc, node, "disabled", false) ? 1 : -1;
	if (vg_ynode_get(node, "loaded"))
		c->loaded = vg_pctx_bool(pc, node, "loaded", false) ? 1 : -1;
	if (!c->disabled && !c->loaded) {
		vg_pctx_error(pc, node, "a kernel_modules check needs 'disabled' or 'loaded'");
		goto out;
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	modules_free(c);
	return rc;
}

static int add_hit(struct vg_outcome *out, const char *file, size_t line, const char *module,
		   const char *evidence, const char *key, const char *msg)
{
	char *obj = vg_asprintf("module:%s", module);
	int rc = obj ? vg_hits_add(out, file, line, 1, obj, msg, evidence, key) : VG_ENOMEM;

	free(obj);
	return rc;
}

/* Judges the modprobe.d side: part gets PASS or why it could not say; hits go to out. */
static int eval_config(const struct modules_cfg *c, const struct vg_eval_ctx *ev,
		       struct vg_outcome *part, struct vg_outcome *out)
{
	const struct vg_modprobe_entry *inst, *bl;
	const struct vg_modprobe_facts *f;
	const void *p = NULL;
	struct vg_error err = {0};
	struct vg_short sm, sc;
	char *m = NULL, *e = NULL, *k = NULL;
	size_t before = out->hits.len;
	int rc;

	rc = vg_facts_get(ev->facts, &vg_collector_modprobe, ev->target, &p, &err);
	if (rc < 0) {
		vg_facts_outcome(part, rc, &err);
		return rc == VG_ENOMEM ? rc : 0;
	}
	f = p;
	inst = vg_modprobe_install(f, c->module);
	bl = vg_modprobe_blacklist(f, c->module);
	if (c->disabled > 0) {
		if (!inst) {
			m = vg_asprintf("%s has no 'install %s /bin/false' line in modprobe.d: "
					"modprobe would load it", c->module, c->module);
			e = vg_asprintf("no install line for %s", c->module);
			k = vg_asprintf("install:%s", c->module);
			rc = m && e && k ? add_hit(out, NULL, 0, c->module, e, k, m) : VG_ENOMEM;
		} else if (!vg_modprobe_command_disables(inst->command)) {
			m = vg_asprintf("'install %s %s' (%s:%zu) runs a command instead of "
					"/bin/false: modprobe may still load %s",
					vg_shorten(&sm, inst->module),
					vg_shorten(&sc, inst->command), inst->file, inst->line,
					c->module);
			e = vg_asprintf("install %s %s", inst->module, inst->command);
			k = vg_asprintf("install:%s=%s", c->module, inst->command);
			rc = m && e && k ? add_hit(out, inst->file, inst->line, c->module, e, k, m) :
					   VG_ENOMEM;
		}
		free(m);
		free(e);
		free(k);
		m = e = k = NULL;
		if (rc == 0 && !bl) {
			m = vg_asprintf("%s is not blacklisted in modprobe.d ('blacklist %s')",
					c->module, c->module);
			e = vg_asprintf("no blacklist line for %s", c->module);
			k = vg_asprintf("blacklist:%s", c->module);
			rc = m && e && k ? add_hit(out, NULL, 0, c->module, e, k, m) : VG_ENOMEM;
		}
	} else {
		if (inst && vg_modprobe_command_disables(inst->command)) {
			m = vg_asprintf("%s is disabled by 'install %s %s' (%s:%zu)", c->module,
					vg_shorten(&sm, inst->module),
					vg_shorten(&sc, inst->command), inst->file, inst->line);
			e = vg_asprintf("install %s %s", inst->module, inst->command);
			k = vg_asprintf("install:%s=%s", c->module, inst->command);
			rc = m && e && k ? add_hit(out, inst->file, inst->line, c->module, e, k, m) :
					   VG_ENOMEM;
		}
		free(m);
		free(e);
		free(k);
		m = e = k = NULL;
		if (rc == 0 && bl) {
			m = vg_asprintf("%s is blacklisted (%s:%zu)", c->module, bl->file, bl->line);
			e = vg_asprintf("blacklist %s", bl->module);
			k = vg_asprintf("blacklist:%s", c->module);
			rc = m && e && k ? add_hit(out, bl->file, bl->line, c->module, e, k, m) :
					   VG_ENOMEM;
		}
	}
	free(m);
	free(e);
	free(k);
	if (rc == 0 && out->hits.len == before)
		part->status = VG_STATUS_PASS;
	return rc;
}

static int eval_loaded(const struct modules_cfg *c, const struct vg_eval_ctx *ev,
		       struct vg_outcome *part, struct vg_outcome *out)
{
	const struct vg_modules_loaded *m;
	const void *p = NULL;
	struct vg_error err = {0};
	bool loaded;
	char *msg = NULL, *e = NULL, *k = NULL;
	int rc;

	rc = vg_facts_get(ev->facts, &vg_collector_modules_loaded, ev->target, &p, &err);
	if (rc < 0) {
		vg_facts_outcome(part, rc, &err);
		return rc == VG_ENOMEM ? rc : 0;
	}
	m = p;
	loaded = vg_modules_is_loaded(m, c->module);
	if (loaded == (c->loaded > 0)) {
		part->status = VG_STATUS_PASS;
		return 0;
	}
	if (loaded) {
		msg = vg_asprintf("%s is loaded in the running kernel (/proc/modules)", c->module);
		e = vg_asprintf("%s loaded", c->module);
	} else {
		msg = vg_asprintf("%s is not loaded in the running kernel%s", c->module,
				  m->no_module_support ? " (no module support)" : "");
		e = vg_asprintf("%s not loaded", c->module);
	}
	k = vg_asprintf("loaded:%s=%s", c->module, loaded ? "yes" : "no");
	rc = msg && e && k ? add_hit(out, NULL, 0, c->module, e, k, msg) : VG_ENOMEM;
	free(msg);
	free(e);
	free(k);
	return rc;
}

static int modules_evaluate(const void *cfg, struct vg_leaf_state *st,
			    const struct vg_eval_ctx *ev, struct vg_outcome *out)
{
	const struct modules_cfg *c = cfg;
	struct vg_outcome conf, live;
	int rc = 0;

	vg_outcome_init(&conf);
	vg_outcome_init(&live);
	vg_outcome_set(&conf, VG_STATUS_NOT_APPLICABLE, "no modprobe.d demand");
	vg_outcome_set(&live, VG_STATUS_NOT_APPLICABLE, "whether %s is loaded needs the live "
		       "system (not available offline)", c->module);
	if (c->disabled)
		rc = eval_config(c, ev, &conf, out);
	if (rc == 0 && c->loaded && ev->target->live)
		rc = eval_loaded(c, ev, &live, out);
	if (rc < 0 || vg_hits_settle(out, &conf, &live))
		goto out;
	if (conf.status == VG_STATUS_PASS || live.status == VG_STATUS_PASS) {
		bool cp = conf.status == VG_STATUS_PASS, lp = live.status == VG_STATUS_PASS;

		vg_outcome_set(out, VG_STATUS_PASS, "%s:%s%s%s", c->module,
			       !cp ? "" : c->disabled > 0 ? " disabled in modprobe.d" :
							    " not disabled in modprobe.d",
			       cp && lp ? "," : "",
			       !lp ? "" : c->loaded > 0 ? " loaded" : " not loaded");
	} else {
		vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE, "%s", live.reason ? live.reason : "");
	}
out:
	vg_outcome_finish(&conf);
	vg_outcome_finish(&live);
	return rc;
}

const struct vg_check_impl vg_check_kernel_modules = {
	.name = "kernel_modules",
	.targets = VG_TARGET_ROOT | VG_TARGET_HOST,
	.offline = true,
	.summary = "a kernel module disabled in modprobe.d (install /bin/false, blacklist) and "
		   "not loaded",
	.parse = modules_parse,
	.free = modules_free,
	.evaluate = modules_evaluate,
};
