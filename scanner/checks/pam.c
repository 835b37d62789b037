/* SPDX-License-Identifier: Apache-2.0 */
/* The `pam` check: module lines of PAM services, their controls and arguments (with defaults). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check.h"
#include "checks/hits.h"
#include "facts/pam.h"
#include "policy/expect.h"

struct arg_expect {
	char *name;
	struct vg_expect e;
};

struct pam_cfg {
	char **services;      /* NULL-terminated; {"*"} for every file */
	size_t nservices;
	bool all;
	char *type;           /* NULL: any type */
	char *module;
	int present;          /* 1 required, -1 forbidden, 0 no demand */
	struct vg_expect control;
	bool has_control;
	struct arg_expect *args;
	size_t nargs;
};

static const struct vg_field fields[] = {
	{"service", VG_FIELD_STRINGS, true}, {"type", VG_FIELD_STRING, false},
	{"module", VG_FIELD_STRING, true},   {"present", VG_FIELD_BOOL, false},
	{"control", VG_FIELD_ANY, false},    {"args", VG_FIELD_MAPPING, false},
	{NULL, 0, false},
};

static void pam_free(void *p)
{
	struct pam_cfg *c = p;

	if (!c)
		return;
	vg_strv_free(c->services);
	free(c->type);
	free(c->module);
	vg_expect_finish(&c->control);
	for (size_t i = 0; i < c->nargs; i++) {
		free(c->args[i].name);
		vg_expect_finish(&c->args[i].e);
	}
	free(c->args);
	free(c);
}

static int pam_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node)
{
	struct pam_cfg *c = NULL;
	const struct vg_ynode *n;
	const char *s;
	int rc = VG_EPARSE;

	if (!vg_pctx_check_fields(pc, node, fields))
		return VG_EPARSE;
	c = calloc(1, sizeof(*c));
	if (!c)
		return VG_ENOMEM;
	c->services = vg_pctx_strv(pc, node, "service", &c->nservices);
	if (!c->nservices) {
		vg_pctx_error(pc, vg_ynode_get(node, "service"), "service names a file in "
			      "/etc/pam.d, or \"*\" for all of them");
		goto out;
	}
	for (size_t i = 0; i < c->nservices; i++) {
		if (!strcmp(c->services[i], "*")) {
			c->all = true;
		} else if (!*c->services[i] || strchr(c->services[i], '/') ||
			   c->services[i][0] == '.') {
			vg_pctx_error(pc, vg_ynode_get(node, "service"),
				      "service '%s' is not a file name in /etc/pam.d",
				      c->services[i]);
			goto out;
		}
	}
	if (c->all && c->nservices > 1) {
		vg_pctx_error(pc, vg_ynode_get(node, "service"),
			      "\"*\" already means every service");
		goto out;
	}
	if ((s = vg_pctx_str(pc, node, "type"))) {
		if (strcmp(s, "auth") && strcmp(s, "account") && strcmp(s, "password") &&
		    strcmp(s, "session")) {
			vg_pctx_error(pc, vg_ynode_get(node, "type"),
				      "type must be auth, account, password or session");
			goto out;
		}
		if (!(c->type = strdup(s))) {
			rc = VG_ENOMEM;
			goto out;
		}
	}
	s = vg_pctx_str(pc, node, "module");
	if (!s || !*s) {
		vg_pctx_error(pc, vg_ynode_get(node, "module"), "module names a PAM module, e.g. "
			      "pam_unix.so");
		goto out;
	}
	if (!(c->module = strdup(s))) {
		rc = VG_ENOMEM;
		goto out;
	}
	if (vg_ynode_get(node, "present"))
		c->present = vg_pctx_bool(pc, node, "present", true) ? 1 : -1;
	if ((n = vg_ynode_get(node, "control"))) {
		if (vg_expect_parse(&c->control, pc, n, true) < 0)
			goto out;
		c->has_control = true;
	}
	if ((n = vg_ynode_get(node, "args"))) {
		n = vg_pctx_value(pc, n);
		if (!n || n->type != VG_YNODE_MAPPING || !n->npairs) {
			vg_pctx_error(pc, n, "args maps argument names to expectations");
			goto out;
		}
		c->args = vg_calloc(n->npairs, sizeof(*c->args));
		if (!c->args) {
			rc = VG_ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < n->npairs; i++) {
			const struct vg_ynode *k = n->pairs[i].key;

			if (k->type != VG_YNODE_SCALAR || !*k->str) {
				vg_pctx_error(pc, k, "an argument name must be a string");
				goto out;
			}
			if (!(c->args[c->nargs].name = strdup(k->str))) {
				rc = VG_ENOMEM;
				goto out;
			}
			c->nargs++;
			if (vg_expect_parse(&c->args[c->nargs - 1].e, pc, n->pairs[i].value,
					    true) < 0)
				goto out;
		}
	}
	if (c->present == -1 && (c->nargs || c->has_control)) {
		vg_pctx_error(pc, node, "a module demanded absent has no arguments or control to "
					"check");
		goto out;
	}
	if (!c->present && !c->nargs && !c->has_control) {
		vg_pctx_error(pc, node, "a pam check needs present, control or args");
		goto out;
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	pam_free(c);
	return rc;
}

struct eval {
	const struct pam_cfg *cfg;
	const struct vg_pam *pam;
	struct vg_outcome *out;
	struct vg_vec seen;   /* char *: "path:line:what" already reported */
	size_t denied, errors;
	char problem[VG_ERROR_MSG_MAX];
};

static void note(struct eval *e, int code, const char *msg)
{
	if (code == VG_EPERM)
		e->denied++;
	else
		e->errors++;
	/* an error explains more than a denial: keep the first error's message */
	if (!e->problem[0] || (code != VG_EPERM && e->errors == 1))
		snprintf(e->problem, sizeof(e->problem), "%s", msg);
}

/* Whether this item was reported already (an included line appears once per
 * including service); remembers it otherwise. -1 on ENOMEM. */
static int seen_before(struct eval *e, const char *path, size_t line, const char *what)
{
	char *k = vg_asprintf("%s:%zu:%s", path, line, what);

	if (!k)
		return -1;
	for (size_t i = 0; i < e->seen.len; i++) {
		if (!strcmp(e->seen.items[i], k)) {
			free(k);
			return 1;
		}
	}
	if (vg_vec_push(&e->seen, k) < 0) {
		free(k);
		return -1;
	}
	return 0;
}

static int push_hit(struct eval *e, const char *path, size_t line, const char *object,
		    const char *msg, const char *evidence, const char *key)
{
	return vg_hits_add(e->out, path, line, 0, object, msg, evidence, key);
}

/* The line as text for evidence: "type control module args..." (arguments
 * are options, never secrets). */
static char *line_text(const struct vg_pam_line *l)
{
	struct vg_buf b;

	vg_buf_init(&b, 400);
	vg_buf_printf(&b, "%s%s %s %s", l->dash ? "-" : "", l->type, l->control, l->module);
	for (size_t i = 0; i < l->nargs; i++) {
		if (l->args[i].value)
			vg_buf_printf(&b, " %s=%s", l->args[i].name, l->args[i].value);
		else
			vg_buf_printf(&b, " %s", l->args[i].name);
	}
	return vg_buf_detach(&b);
}

static bool line_matches(const struct pam_cfg *c, const struct vg_pam_line *l)
{
	if (l->include || !vg_pam_module_is(l, c->module))
		return false;
	if (c->type && strcmp(l->type, c->type))
		return false;
	return !c->has_control || vg_expect_eval(&c->control, l->control, NULL);
}

/* The value module option a->name has for line l: from the line, the module's
 * settings file, or its built-in default. Returns false when it cannot be
 * known (the settings file is unreadable). */
static bool arg_value(struct eval *e, const struct vg_pam_line *l, const char *name,
		      const char **value, const char **path, size_t *line, const char **origin)
{
	const struct vg_pam_conf *conf;
	const struct vg_pam_setting *s;

	*path = l->path;
	*line = l->line;
	*origin = "";
	if (vg_pam_line_arg(l, name, value)) {
		if (!*value)
			*value = "";
		return true;
	}
	conf = vg_pam_conf_find(e->pam, l->module);
	if (conf && conf->code < 0 && conf->code != VG_ENOTFOUND) {
		note(e, conf->code, conf->err.msg);
		return false;
	}
	if ((s = vg_pam_conf_get(conf, name))) {
		*value = s->value ? s->value : "";
		*path = s->path;
		*line = s->line;
		*origin = " (from the module's settings file)";
		return true;
	}
	*value = vg_pam_default(l->module, name);
	if (*value)
		*origin = " (not set: the module's default)";
	return true;
}

static int check_args(struct eval *e, const struct vg_pam_line *l)
{
	const struct pam_cfg *c = e->cfg;
	int rc = 0;

	for (size_t i = 0; i < c->nargs && rc == 0; i++) {
		const char *name = c->args[i].name, *value, *path, *origin;
		const char *mod = vg_pam_module_base(l->module);
		char msg[900], ev[400], key[300], where[400];
		char *why = NULL;
		size_t line;

		if (!arg_value(e, l, name, &value, &path, &line, &origin))
			continue;
		if (vg_expect_eval(&c->args[i].e, value, &why))
			continue;
		rc = seen_before(e, path, line, name);
		if (rc != 0) {
			free(why);
			rc = rc < 0 ? VG_ENOMEM : 0;
			continue;
		}
		/* a value from a settings file: say which module line it applies to */
		if (path != l->path)
			snprintf(where, sizeof(where), " (used by %s:%zu)", l->path, l->line);
		else
			where[0] = '\0';
		if (value && !*value && (c->args[i].e.has & VG_EXPECT_ABSENT))
			snprintf(msg, sizeof(msg), "%s%s has the argument %s%s", mod, where, name,
				 origin);
		else
			snprintf(msg, sizeof(msg), "%s%s: %s %s%s", mod, where, name,
				 why ? why : "does not meet the expectation", origin);
		if (!value)
			snprintf(ev, sizeof(ev), "%s: %s not set", mod, name);
		else if (!*value)
			snprintf(ev, sizeof(ev), "%s %s", mod, name);
		else
			snprintf(ev, sizeof(ev), "%s %s=%.200s", mod, name, value);
		snprintf(key, sizeof(key), "%s:%s:%s", l->type, mod, name);
		free(why);
		rc = push_hit(e, path, line, NULL, msg, ev, key);
	}
	return rc;
}

/* Checks the lines of one service (or of every file, for "*"). name is used
 * in messages. */
static int check_lines(struct eval *e, const char *name, const struct vg_vec *lines)
{
	const struct pam_cfg *c = e->cfg;
	size_t matched = 0;
	int rc = 0;

	for (size_t i = 0; i < lines->len && rc == 0; i++) {
		const struct vg_pam_line *l = lines->items[i];
		char msg[700], key[300];
		char *text;

		if (!line_matches(c, l))
			continue;
		matched++;
		if (c->present >= 0) {
			rc = check_args(e, l);
			continue;
		}
		rc = seen_before(e, l->path, l->line, "");
		if (rc != 0) {
			rc = rc < 0 ? VG_ENOMEM : 0;
			continue;
		}
		text = line_text(l);
		if (!text)
			return VG_ENOMEM;
		snprintf(msg, sizeof(msg), "%s uses %s (%s), which it must not", name,
			 vg_pam_module_base(l->module), l->type);
		snprintf(key, sizeof(key), "%s:%s", l->type, vg_pam_module_base(l->module));
		rc = push_hit(e, l->path, l->line, NULL, msg, text, key);
		free(text);
	}
	if (rc == 0 && c->present == 1 && !matched) {
		char msg[700], obj[300], ev[300];

		snprintf(msg, sizeof(msg), "%s has no %s%sline with %s", name,
			 c->type ? c->type : "", c->type ? " " : "", c->module);
		snprintf(obj, sizeof(obj), "pam:%s", c->all ? "*" : name);
		snprintf(ev, sizeof(ev), "%s missing", c->module);
		rc = push_hit(e, NULL, 0, obj, msg, ev, obj);
	}
	return rc;
}

static int eval_all(struct eval *e)
{
	struct vg_vec lines;
	int rc = 0;

	vg_vec_init(&lines);
	for (size_t i = 0; i < e->pam->services.len; i++) {
		const struct vg_pam_service *s = e->pam->services.items[i];

		if (s->code < 0) {
			note(e, s->code, s->err.msg);
			continue;
		}
		for (size_t k = 0; k < s->lines.len; k++) {
			if (vg_vec_push(&lines, s->lines.items[k]) < 0) {
				rc = VG_ENOMEM;
				goto out;
			}
		}
	}
	rc = check_lines(e, "/etc/pam.d", &lines);
out:
	vg_vec_finish(&lines, NULL);
	return rc;
}

static int eval_named(struct eval *e, size_t *missing)
{
	int rc = 0;

	for (size_t i = 0; i < e->cfg->nservices && rc == 0; i++) {
		const char *name = e->cfg->services[i];
		struct vg_error err = {0};
		struct vg_vec lines;

		if (!vg_pam_find(e->pam, name)) {
			char msg[400], obj[300];

			(*missing)++;
			if (e->cfg->present != 1)
				continue;
			snprintf(msg, sizeof(msg), "/etc/pam.d/%s does not exist, so nothing "
				 "there uses %s", name, e->cfg->module);
			snprintf(obj, sizeof(obj), "pam:%s", name);
			rc = push_hit(e, NULL, 0, obj, msg, "service missing", obj);
			continue;
		}
		vg_vec_init(&lines);
		rc = vg_pam_expand(e->pam, name, &lines, &err);
		if (rc == VG_ENOMEM) {
			vg_vec_finish(&lines, NULL);
			return rc;
		}
		if (rc < 0)
			note(e, rc, err.msg);
		else
			rc = check_lines(e, name, &lines);
		if (rc != VG_ENOMEM)
			rc = 0;
		vg_vec_finish(&lines, NULL);
	}
	return rc;
}

static int pam_evaluate(const void *cfg, struct vg_leaf_state *st, const struct vg_eval_ctx *ev,
			struct vg_outcome *out)
{
	const struct pam_cfg *c = cfg;
	struct eval e = {.cfg = c, .out = out};
	const void *facts = NULL;
	struct vg_error err = {0};
	size_t missing = 0;
	int rc;

	(void)st;
	rc = vg_facts_get(ev->facts, &vg_collector_pam, ev->target, &facts, &err);
	if (rc == VG_ENOMEM)
		return rc;
	if (rc < 0) {
		vg_facts_outcome(out, rc, &err);
		return 0;
	}
	e.pam = facts;
	if (e.pam->dir_code == VG_ENOTFOUND) {
		vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE,
			       "no /etc/pam.d in the target (PAM is not installed)");
		return 0;
	}
	if (e.pam->dir_code < 0) {
		vg_facts_outcome(out, e.pam->dir_code, &e.pam->dir_err);
		return 0;
	}
	vg_vec_init(&e.seen);
	rc = c->all ? eval_all(&e) : eval_named(&e, &missing);
	vg_vec_finish(&e.seen, free);
	if (rc < 0)
		return rc;
	if (out->hits.len)
		out->status = VG_STATUS_FAIL;
	else if (e.errors)
		vg_outcome_set(out, VG_STATUS_ERROR, "%s", e.problem);
	else if (e.denied)
		vg_outcome_set(out, VG_STATUS_NOT_EVALUATED, "%s", e.problem);
	else if (!c->all && missing == c->nservices)
		vg_outcome_set(out, VG_STATUS_NOT_APPLICABLE, "no /etc/pam.d/%s in the target",
			       c->services[0]);
	return 0;
}

const struct vg_check_impl vg_check_pam = {
	.name = "pam",
	.targets = VG_TARGET_ROOT | VG_TARGET_HOST,
	.offline = true,
	.summary = "PAM module lines in /etc/pam.d (includes followed): presence, control and "
		   "arguments, with the modules' settings files and defaults",
	.parse = pam_parse,
	.free = pam_free,
	.evaluate = pam_evaluate,
};
