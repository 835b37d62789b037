/* SPDX-License-Identifier: Apache-2.0 */
/* The `sysctl` check: a kernel parameter's persisted value, runtime value, or both. */
#include <stdlib.h>
#include <string.h>

#include "checks/check.h"
#include "checks/hits.h"
#include "facts/sysctl.h"
#include "glob.h"
#include "policy/expect.h"

enum source {
	SRC_BOTH,
	SRC_PERSISTED,
	SRC_RUNTIME,
};

struct sysctl_cfg {
	char *key;            /* normalized */
	struct vg_expect expect;
	enum source source;
	char *def;            /* the kernel's value when nothing persists one, or NULL */
};

static const struct vg_field fields[] = {
	{"key", VG_FIELD_STRING, true},     {"expect", VG_FIELD_ANY, true},
	{"source", VG_FIELD_STRING, false}, {"default", VG_FIELD_STRING, false},
	{NULL, 0, false},
};

static void sysctl_free(void *p)
{
	struct sysctl_cfg *c = p;

	if (!c)
		return;
	free(c->key);
	vg_expect_finish(&c->expect);
	free(c->def);
	free(c);
}

static int sysctl_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node)
{
	struct sysctl_cfg *c = NULL;
	struct vg_error err = {0};
	const char *s;
	int rc = VG_EPARSE;

	if (!vg_pctx_check_fields(pc, node, fields))
		return VG_EPARSE;
	c = calloc(1, sizeof(*c));
	if (!c)
		return VG_ENOMEM;
	s = vg_pctx_str(pc, node, "key");
	if (!s)
		goto out;
	if (vg_glob_has_magic(s)) {
		vg_pctx_error(pc, vg_ynode_get(node, "key"), "a sysctl check names one key, not a "
							     "pattern");
		goto out;
	}
	if (vg_sysctl_normalize(&c->key, s, strlen(s), &err) < 0) {
		vg_pctx_error(pc, vg_ynode_get(node, "key"), "%s", err.msg);
		goto out;
	}
	if (vg_expect_parse(&c->expect, pc, vg_ynode_get(node, "expect"), true) < 0)
		goto out;
	if ((s = vg_pctx_str(pc, node, "source"))) {
		if (!strcmp(s, "both")) {
			c->source = SRC_BOTH;
		} else if (!strcmp(s, "persisted")) {
			c->source = SRC_PERSISTED;
		} else if (!strcmp(s, "runtime")) {
			c->source = SRC_RUNTIME;
		} else {
			vg_pctx_error(pc, vg_ynode_get(node, "source"),
				      "source must be persisted, runtime or both");
			goto out;
		}
	}
	if ((s = vg_pctx_str(pc, node, "default"))) {
		if (c->source == SRC_RUNTIME) {
			vg_pctx_error(pc, vg_ynode_get(node, "default"),
				      "'default' stands in for a missing persisted value; a "
				      "runtime-only check has none");
			goto out;
		}
		c->def = vg_sysctl_clean_value(s, strlen(s));
		if (!c->def) {
			rc = VG_ENOMEM;
			goto out;
		}
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	sysctl_free(c);
	return rc;
}

/* What one side (persisted or runtime) found. */
struct side {
	enum vg_status status;   /* PASS, FAIL, or why it could not say */
	char *reason;            /* for the non-PASS, non-FAIL statuses */
	char *why;               /* for FAIL: the expectation's explanation */
	char *value;             /* the value judged, or NULL */
	char *where;             /* "file:line", or NULL */
	bool is_default;         /* value is the kernel default: nothing persists it */
	const struct vg_sysctl_setting *set; /* the persisted assignment, or NULL */
};

static void side_finish(struct side *s)
{
	free(s->reason);
	free(s->why);
	free(s->value);
	free(s->where);
}

/* Judges the persisted value: the effective assignment, else the kernel default. */
static int judge_persisted(const struct sysctl_cfg *c, const struct vg_eval_ctx *ev,
			   struct side *ps, char **warning)
{
	const struct vg_sysctl_facts *f = NULL;
	const void *p = NULL;
	struct vg_error err = {0};
	struct vg_outcome tmp;
	struct vg_short sw;
	int rc;

	rc = vg_facts_get(ev->facts, &vg_collector_sysctl, ev->target, &p, &err);
	if (rc < 0) {
		vg_outcome_init(&tmp);
		vg_facts_outcome(&tmp, rc, &err);
		ps->status = tmp.status;
		ps->reason = tmp.reason;
		tmp.reason = NULL;
		vg_outcome_finish(&tmp);
		return rc == VG_ENOMEM ? rc : 0;
	}
	f = p;
	if (f->warnings.len)
		*warning = vg_asprintf("%zu sysctl line%s ignored, first: %s", f->warnings.len,
				       f->warnings.len == 1 ? "" : "s",
				       vg_shorten(&sw, f->warnings.items[0]));
	ps->set = vg_sysctl_lookup(f, c->key);
	ps->value = vg_strdup(ps->set ? ps->set->value : c->def);
	ps->is_default = !ps->set && c->def;
	if (ps->set)
		ps->where = vg_asprintf("%s:%zu", ps->set->file, ps->set->line);
	if ((ps->set || c->def) && !ps->value)
		return VG_ENOMEM;
	if (ps->set && !ps->where)
		return VG_ENOMEM;
	ps->status = vg_expect_eval(&c->expect, ps->value, &ps->why) ? VG_STATUS_PASS :
								      VG_STATUS_FAIL;
	return 0;
}

static int judge_runtime(const struct sysctl_cfg *c, const struct vg_eval_ctx *ev,
			 struct side *rs)
{
	struct vg_error err = {0};
	int rc;

	rc = vg_sysctl_runtime(&rs->value, ev->target->fs, c->key, &err);
	if (rc == VG_ENOMEM)
		return rc;
	if (rc == VG_ENOTFOUND) {
		rs->status = VG_STATUS_NOT_APPLICABLE;
		rs->reason = vg_asprintf("the running kernel has no %s (feature absent or "
					 "disabled)", c->key);
		return rs->reason ? 0 : VG_ENOMEM;
	}
	if (rc < 0) {
		rs->status = rc == VG_EPERM ? VG_STATUS_NOT_EVALUATED : VG_STATUS_ERROR;
		rs->reason = vg_asprintf("runtime value of %s: %s", c->key, err.msg);
		return rs->reason ? 0 : VG_ENOMEM;
	}
	rs->status = vg_expect_eval(&c->expect, rs->value, &rs->why) ? VG_STATUS_PASS :
								      VG_STATUS_FAIL;
	return 0;
}

/* The finding for a wrong persisted value (or default); mentions the runtime value. */
static int report_persisted(const struct sysctl_cfg *c, const struct side *ps,
			    const struct side *rs, struct vg_outcome *out)
{
	const struct vg_sysctl_setting *s = ps->set;
	const char *why = ps->why ? ps->why : "not as expected";
	char *obj = vg_asprintf("sysctl:%s", c->key);
	char *rt = NULL, *evid = NULL, *key = NULL;
	struct vg_short s1, s2;
	struct vg_finding *h = NULL;
	int rc;

	if (rs->value)
		rt = vg_asprintf(" (runtime value: '%s')", vg_shorten(&s1, rs->value));
	if (!obj || (rs->value && !rt)) {
		rc = VG_ENOMEM;
		goto out;
	}
	if (s) {
		h = vg_hit_new(s->file, s->line, 1, obj, "%s is persisted as '%s' (%s%s%s): %s%s",
			       c->key, vg_shorten(&s1, s->value), ps->where,
			       s->glob ? ", by the pattern " : "",
			       s->glob ? vg_shorten(&s2, s->key) : "", why, rt ? rt : "");
		evid = vg_asprintf("%s = %s", s->key, s->value);
		key = vg_asprintf("%s=%s", c->key, s->value);
	} else if (c->def) {
		h = vg_hit_new(NULL, 0, 0, obj, "%s is not persisted in any sysctl file, so the "
				  "kernel default '%s' applies: %s%s", c->key, c->def, why,
			       rt ? rt : "");
		evid = vg_asprintf("%s = %s (kernel default)", c->key, c->def);
		key = vg_asprintf("default:%s=%s", c->key, c->def);
	} else {
		h = vg_hit_new(NULL, 0, 0, obj, "%s is not persisted in any sysctl file: %s%s",
			       c->key, why, rt ? rt : "");
		evid = vg_asprintf("%s not set", c->key);
		key = vg_asprintf("unset:%s", c->key);
	}
	rc = vg_hits_push(out, h, evid, key);
out:
	free(obj);
	free(rt);
	free(evid);
	free(key);
	return rc;
}

/* The finding for a wrong runtime value, saying what is persisted. */
static int report_runtime(const struct sysctl_cfg *c, const struct side *ps,
			  const struct side *rs, struct vg_outcome *out)
{
	char *obj = vg_asprintf("sysctl:%s", c->key);
	char *evid = NULL, *key = NULL, *pdesc = NULL;
	struct vg_short sv;
	struct vg_finding *h = NULL;
	int rc = VG_ENOMEM;

	if (ps->where)
		pdesc = vg_asprintf("but persisted as '%s' (%s)", vg_shorten(&sv, ps->value),
				    ps->where);
	else if (ps->is_default)
		pdesc = vg_asprintf("not persisted (kernel default '%s')", ps->value);
	else if (c->source == SRC_BOTH)
		pdesc = strdup("not persisted");
	else
		pdesc = strdup("persisted value not checked");
	if (!obj || !pdesc)
		goto out;
	h = vg_hit_new(NULL, 0, 0, obj, "%s is '%s' at runtime, %s: %s", c->key,
		       vg_shorten(&sv, rs->value), pdesc, rs->why ? rs->why : "not as expected");
	evid = vg_asprintf("%s = %s (runtime)", c->key, rs->value);
	key = vg_asprintf("runtime:%s=%s", c->key, rs->value);
	rc = vg_hits_push(out, h, evid, key);
out:
	free(obj);
	free(evid);
	free(key);
	free(pdesc);
	return rc;
}

/* Says what satisfied the check, e.g.
 * "net.ipv4.ip_forward: persisted '0' (/etc/sysctl.d/x.conf:3), runtime '0'". */
static int pass_reason(const struct sysctl_cfg *c, const struct side *ps, const struct side *rs,
		       const char *warning, struct vg_outcome *out)
{
	struct vg_short sv;
	struct vg_buf b;

	vg_buf_init(&b, 0);
	vg_buf_printf(&b, "%s:", c->key);
	if (ps->status == VG_STATUS_PASS && ps->where)
		vg_buf_printf(&b, " persisted '%s' (%s)", vg_shorten(&sv, ps->value), ps->where);
	else if (ps->status == VG_STATUS_PASS && ps->is_default)
		vg_buf_printf(&b, " not persisted, kernel default '%s'", ps->value);
	else if (ps->status == VG_STATUS_PASS)
		vg_buf_puts(&b, " not persisted");
	if (rs->status == VG_STATUS_PASS)
		vg_buf_printf(&b, "%s runtime '%s'", ps->status == VG_STATUS_PASS ? "," : "",
			      vg_shorten(&sv, rs->value));
	if (warning)
		vg_buf_printf(&b, "; %s", warning);
	if (!b.data)
		return VG_ENOMEM;
	out->status = VG_STATUS_PASS;
	free(out->reason);
	out->reason = vg_buf_detach(&b);
	return 0;
}

static int sysctl_evaluate(const void *cfg, struct vg_leaf_state *st,
			   const struct vg_eval_ctx *ev, struct vg_outcome *out)
{
	const struct sysctl_cfg *c = cfg;
	bool live = ev->target->live;
	struct side ps = {.status = VG_STATUS_NOT_APPLICABLE};
	struct side rs = {.status = VG_STATUS_NOT_APPLICABLE};
	const struct side *bad = NULL;
	char *warning = NULL;
	int rc = 0;

	if (c->source == SRC_RUNTIME && !live) {
		vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE, "the runtime value of %s needs the "
			       "live system (not available offline)", c->key);
		return 0;
	}
	if (c->source != SRC_RUNTIME)
		rc = judge_persisted(c, ev, &ps, &warning);
	if (rc == 0 && c->source != SRC_PERSISTED && live)
		rc = judge_runtime(c, ev, &rs);
	if (rc < 0)
		goto out;
	/* a parameter the running kernel lacks is moot, whatever persists it */
	if (live && c->source != SRC_PERSISTED && rs.status == VG_STATUS_NOT_APPLICABLE &&
	    vg_hits_rank(ps.status) == 0) {
		vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE, "%s", rs.reason);
		goto out;
	}
	if (ps.status == VG_STATUS_FAIL)
		rc = report_persisted(c, &ps, &rs, out);
	/* one finding when both sides hold the same wrong value */
	if (rc == 0 && rs.status == VG_STATUS_FAIL &&
	    !(ps.status == VG_STATUS_FAIL && ps.value && !strcmp(ps.value, rs.value)))
		rc = report_runtime(c, &ps, &rs, out);
	if (rc < 0)
		goto out;
	if (out->hits.len) {
		out->status = VG_STATUS_FAIL;
		goto out;
	}
	if (vg_hits_rank(ps.status) || vg_hits_rank(rs.status)) {
		bad = vg_hits_rank(ps.status) >= vg_hits_rank(rs.status) ? &ps : &rs;
		vg_outcome_set(out, bad->status, "%s", bad->reason ? bad->reason : "");
		goto out;
	}
	rc = pass_reason(c, &ps, &rs, warning, out);
out:
	side_finish(&ps);
	side_finish(&rs);
	free(warning);
	return rc;
}

const struct vg_check_impl vg_check_sysctl = {
	.name = "sysctl",
	.targets = VG_TARGET_ROOT | VG_TARGET_HOST,
	.offline = true,
	.summary = "a kernel parameter: persisted in sysctl.d and /etc/sysctl.conf, and at runtime",
	.parse = sysctl_parse,
	.free = sysctl_free,
	.evaluate = sysctl_evaluate,
};
