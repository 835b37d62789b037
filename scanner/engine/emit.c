/* SPDX-License-Identifier: Apache-2.0 */
/* Turns check outcomes into findings: fingerprints, .vigilignore suppression, redaction, skips. */
#include <stdlib.h>
#include <string.h>

#include "engine/internal.h"
#include "limits.h"

/* Problems reading part of a target: reported as findings with status error. */
static struct vg_rule_meta unreadable_rule = {
	.id = "vigil.scan.unreadable",
	.pack = "vigil",
	.title = "Part of the target could not be read",
	.description = "vigil could not read a file or directory of the target, so the rules "
		       "were not evaluated on it.",
	.remediation = "Run the scan with enough privileges to read the whole target, or "
		       "exclude the path with --exclude.",
	.severity = VG_SEV_INFO,
	.security_severity = -1.0,
};

static bool has_rule(const struct vg_results *res, const struct vg_rule_meta *m)
{
	for (size_t i = 0; i < res->rules.len; i++)
		if (res->rules.items[i] == m)
			return true;
	return false;
}

int vg_engine_add_rule(struct vg_results *res, const struct vg_rule_meta *m)
{
	if (has_rule(res, m))
		return 0;
	return vg_vec_push(&res->rules, (void *)m);
}

/* Redacts the secret inside the evidence unless the user asked to see it. */
static int redact(struct vg_finding *f, bool show)
{
	char *masked, *ev;
	size_t len;

	if (!f->rule->sensitive || show || !f->evidence)
		return 0;
	len = strlen(f->evidence);
	if (f->secret_len == 0) {
		masked = vg_redact(f->evidence, len);
		if (!masked)
			return VG_ENOMEM;
		free(f->evidence);
		f->evidence = masked;
		f->redacted = true;
		return 0;
	}
	if (f->secret_off > len)
		f->secret_off = len;
	if (f->secret_len > len - f->secret_off)
		f->secret_len = len - f->secret_off;
	masked = vg_redact(f->evidence + f->secret_off, f->secret_len);
	if (!masked)
		return VG_ENOMEM;
	ev = vg_asprintf("%.*s%s%s", (int)f->secret_off, f->evidence, masked,
			 f->evidence + f->secret_off + f->secret_len);
	free(masked);
	if (!ev)
		return VG_ENOMEM;
	free(f->evidence);
	f->evidence = ev;
	f->redacted = true;
	return 0;
}

/* Turns a hit (or a bare status) into a finding of rule on target; takes hit. */
int vg_engine_emit(struct scan *s, const struct vg_rule *rule, const struct vg_target *t,
		   enum vg_status status, struct vg_finding *hit, const char *reason)
{
	struct vg_finding *f = hit ? hit : vg_finding_new();
	int rc = VG_ENOMEM;

	if (!f)
		return VG_ENOMEM;
	f->rule = &rule->meta;
	f->status = status;
	f->severity = rule->meta.severity;
	free(f->target);
	f->target = strdup(t->label);
	if (!f->target)
		goto fail;
	if (!f->message) {
		f->message = reason ? vg_asprintf("%s: %s", rule->meta.title, reason)
				    : strdup(rule->meta.title);
		if (!f->message)
			goto fail;
	}
	if (f->raw_key)
		vg_finding_fingerprint(f, f->raw_key, f->raw_key_len);
	else
		vg_finding_fingerprint(f, t->label, strlen(t->label));
	if (status == VG_STATUS_FAIL) {
		for (size_t i = 0; i < s->ignore_fps.len; i++) {
			if (strcmp(s->ignore_fps.items[i], f->fingerprint))
				continue;
			f->suppression = VG_SUPPRESS_IGNORE;
			free(f->justification);
			f->justification = strdup("listed in .vigilignore");
			break;
		}
	}
	if (redact(f, s->opts->show_secrets) < 0)
		goto fail;
	free(f->raw_key);
	f->raw_key = NULL;
	f->raw_key_len = f->secret_off = f->secret_len = 0;
	pthread_mutex_lock(&s->lock);
	rc = vg_vec_push(&s->res->findings, f);
	pthread_mutex_unlock(&s->lock);
	if (rc < 0)
		goto fail;
	return 0;
fail:
	vg_finding_free(f);
	return VG_ENOMEM;
}

/* A file or directory that could not be read: an error finding, the scan goes on. */
int vg_engine_emit_unreadable(struct scan *s, const struct vg_target *t, const char *path,
			      const char *msg)
{
	struct vg_finding *f = vg_hit_new(path, 0, 0, NULL, "%s", msg);
	int rc;

	if (!f)
		return VG_ENOMEM;
	f->rule = &unreadable_rule;
	f->status = VG_STATUS_ERROR;
	f->severity = unreadable_rule.severity;
	f->target = strdup(t->label);
	vg_finding_fingerprint(f, msg, strlen(msg));
	pthread_mutex_lock(&s->lock);
	rc = vg_engine_add_rule(s->res, &unreadable_rule);
	if (rc == 0)
		rc = vg_vec_push(&s->res->findings, f);
	pthread_mutex_unlock(&s->lock);
	if (rc < 0 || !f->target) {
		if (rc == 0) /* pushed but incomplete: leave it, the label is cosmetic */
			return 0;
		vg_finding_free(f);
		return VG_ENOMEM;
	}
	return 0;
}

int vg_engine_add_skip(struct scan *s, const char *path, const char *reason)
{
	struct vg_skip *k = calloc(1, sizeof(*k));
	int rc = VG_ENOMEM;

	if (!k)
		return VG_ENOMEM;
	k->path = strdup(path);
	k->reason = strdup(reason);
	if (k->path && k->reason) {
		pthread_mutex_lock(&s->lock);
		rc = vg_vec_push(&s->res->skipped, k);
		pthread_mutex_unlock(&s->lock);
	}
	if (rc < 0) {
		free(k->path);
		free(k->reason);
		free(k);
	}
	return rc;
}
