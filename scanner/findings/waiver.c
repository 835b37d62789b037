/* SPDX-License-Identifier: Apache-2.0 */
/* Loads waiver files and applies them to findings; expired waivers are reported, not honoured. */
#include "findings/waiver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/yaml.h"
#include "glob.h"
#include "limits.h"
#include "util.h"

/* Reported when a waiver's date has passed, so it is renewed or removed. */
static struct vg_rule_meta expired_rule = {
	.id = "vigil.waiver.expired",
	.pack = "vigil",
	.title = "Waiver has expired",
	.description = "A waiver in the waivers file is past its expiry date and no longer "
		       "suppresses the failures it matched.",
	.remediation = "Fix the waived failures, or renew the waiver with a new expiry date and "
		       "a current reason.",
	.severity = VG_SEV_LOW,
	.security_severity = -1.0,
};

void vg_waivers_free(struct vg_waivers *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->count; i++) {
		free(w->items[i].rule);
		free(w->items[i].path);
		free(w->items[i].target);
		free(w->items[i].reason);
		free(w->items[i].expires);
	}
	free(w->items);
	free(w->file);
	free(w);
}

static const char *scalar(const struct vg_ynode *map, const char *key)
{
	const struct vg_ynode *n = vg_ynode_get(map, key);

	return n && n->type == VG_YNODE_SCALAR && !vg_ynode_is_null(n) ? n->str : NULL;
}

/* "YYYY-MM-DD" to the first second after that day (UTC); false if invalid. */
static bool parse_date(const char *s, time_t *out)
{
	struct tm tm = {0};
	int64_t y, m, d;
	char buf[5];

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	/* digits only: strtoll would also take "+1" or " 1" as a month */
	for (size_t i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	memcpy(buf, s, 4);
	buf[4] = '\0';
	if (!vg_parse_i64(buf, 10, &y))
		return false;
	memcpy(buf, s + 5, 2);
	buf[2] = '\0';
	if (!vg_parse_i64(buf, 10, &m))
		return false;
	memcpy(buf, s + 8, 2);
	if (!vg_parse_i64(buf, 10, &d))
		return false;
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = (int)m - 1;
	tm.tm_mday = (int)d + 1;
	*out = timegm(&tm);
	/* reject dates such as 02-31 that timegm would roll over */
	{
		time_t day = *out - 86400;
		struct tm back;

		gmtime_r(&day, &back);
		if (back.tm_mday != (int)d || back.tm_mon != (int)m - 1)
			return false;
	}
	return *out != (time_t)-1;
}

static void waiver_error(struct vg_diags *diags, const char *file, const struct vg_ynode *n,
			 const char *msg, size_t *errors)
{
	vg_diags_add(diags, file, n ? n->line : 1, n ? n->col : 1, "%s", msg);
	(*errors)++;
}

int vg_waivers_load(struct vg_waivers **out, const char *path, struct vg_diags *diags,
		    struct vg_error *err)
{
	static const char *const known[] = {"rule", "path", "target", "reason", "expires", NULL};
	struct vg_ydoc *doc = NULL;
	struct vg_waivers *w = NULL;
	const struct vg_ynode *list;
	size_t errors = 0;
	int rc;

	*out = NULL;
	rc = vg_ydoc_load(&doc, path, diags, err);
	if (rc < 0)
		goto out;
	w = calloc(1, sizeof(*w));
	if (!w || !(w->file = strdup(path))) {
		rc = VG_ENOMEM;
		goto out;
	}
	if (!doc->root || doc->root->type != VG_YNODE_MAPPING ||
	    !(list = vg_ynode_get(doc->root, "waivers")) || list->type != VG_YNODE_SEQUENCE) {
		waiver_error(diags, path, doc->root, "a waivers file is a mapping with a 'waivers' list",
			     &errors);
		goto done;
	}
	for (size_t i = 0; i < doc->root->npairs; i++)
		if (strcmp(doc->root->pairs[i].key->str ? doc->root->pairs[i].key->str : "",
			   "waivers"))
			waiver_error(diags, path, doc->root->pairs[i].key,
				     "unknown key (expected 'waivers')", &errors);
	w->items = vg_calloc(list->nitems, sizeof(*w->items));
	if (!w->items) {
		rc = VG_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < list->nitems; i++) {
		const struct vg_ynode *n = list->items[i];
		struct vg_waiver *v = &w->items[w->count];
		const char *s;

		if (n->type != VG_YNODE_MAPPING) {
			waiver_error(diags, path, n, "a waiver is a mapping (rule, reason, ...)", &errors);
			continue;
		}
		for (size_t k = 0; k < n->npairs; k++) {
			const struct vg_ynode *key = n->pairs[k].key, *val = n->pairs[k].value;
			bool ok = false;

			for (size_t j = 0; known[j]; j++)
				ok |= key->type == VG_YNODE_SCALAR && !strcmp(known[j], key->str);
			if (!ok)
				waiver_error(diags, path, key,
					     "unknown key (expected rule, path, target, reason, expires)",
					     &errors);
			else if (val->type != VG_YNODE_SCALAR || vg_ynode_is_null(val))
				waiver_error(diags, path, val, "waiver values must be strings", &errors);
		}
		v->line = n->line;
		v->col = n->col;
		if (!(s = scalar(n, "rule"))) {
			waiver_error(diags, path, n, "missing required key 'rule'", &errors);
			continue;
		}
		if (!scalar(n, "reason")) {
			waiver_error(diags, path, n, "missing required key 'reason' (say why)", &errors);
			continue;
		}
		/* counted first, so vg_waivers_free releases whatever was copied */
		w->count++;
		v->rule = strdup(s);
		v->reason = strdup(scalar(n, "reason"));
		v->path = vg_strdup(scalar(n, "path"));
		v->target = vg_strdup(scalar(n, "target"));
		v->expires = vg_strdup(scalar(n, "expires"));
		if (!v->rule || !v->reason || (scalar(n, "path") && !v->path) ||
		    (scalar(n, "target") && !v->target) || (scalar(n, "expires") && !v->expires)) {
			rc = vg_error_set(err, VG_ENOMEM, "out of memory reading %s", path);
			goto out;
		}
		if (v->expires && !parse_date(v->expires, &v->expires_at))
			waiver_error(diags, path, vg_ynode_get(n, "expires"),
				     "expires must be a date, YYYY-MM-DD", &errors);
	}
done:
	if (errors)
		rc = vg_error_set(err, VG_EPARSE, "invalid waivers file %s", path);
out:
	vg_ydoc_free(doc);
	if (rc < 0) {
		vg_waivers_free(w);
		w = NULL;
	}
	*out = w;
	return rc;
}

static bool waiver_matches(const struct vg_waiver *v, const struct vg_finding *f)
{
	if (!vg_glob_match_str(v->rule, f->rule->id))
		return false;
	if (v->path) {
		const char *p = f->loc.path ? f->loc.path : f->loc.object;

		if (!p || !vg_glob_match(v->path, p))
			return false;
	}
	if (v->target && (!f->target || !vg_glob_match_str(v->target, f->target)))
		return false;
	return true;
}

int vg_waivers_apply(const struct vg_waivers *w, struct vg_results *res, time_t now)
{
	bool rule_added = false;

	for (size_t i = 0; i < res->findings.len; i++) {
		struct vg_finding *f = res->findings.items[i];

		if (f->status != VG_STATUS_FAIL || f->suppression != VG_SUPPRESS_NONE)
			continue;
		for (size_t k = 0; k < w->count; k++) {
			const struct vg_waiver *v = &w->items[k];

			if (v->expires_at && now >= v->expires_at)
				continue;
			if (!waiver_matches(v, f))
				continue;
			f->status = VG_STATUS_WAIVED;
			f->suppression = VG_SUPPRESS_WAIVER;
			free(f->justification);
			f->justification = strdup(v->reason);
			break;
		}
	}
	for (size_t k = 0; k < w->count; k++) {
		const struct vg_waiver *v = &w->items[k];
		struct vg_finding *f;

		if (!v->expires_at || now < v->expires_at)
			continue;
		if (!rule_added) {
			if (vg_vec_push(&res->rules, &expired_rule) < 0)
				return VG_ENOMEM;
			rule_added = true;
		}
		f = vg_finding_new();
		if (!f)
			return VG_ENOMEM;
		f->rule = &expired_rule;
		f->status = VG_STATUS_FAIL;
		f->severity = expired_rule.severity;
		f->loc.path = strdup(w->file);
		f->loc.line = v->line;
		f->loc.col = v->col;
		f->target = strdup("waivers");
		f->message = vg_asprintf("waiver for %s expired on %s: %s", v->rule, v->expires,
					 v->reason);
		f->evidence = vg_asprintf("rule: %s, expires: %s", v->rule, v->expires);
		if (!f->loc.path || !f->target || !f->message || !f->evidence ||
		    vg_vec_push(&res->findings, f) < 0) {
			vg_finding_free(f);
			return VG_ENOMEM;
		}
		vg_finding_fingerprint(f, f->evidence, strlen(f->evidence));
	}
	return 0;
}
