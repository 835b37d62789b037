/* SPDX-License-Identifier: Apache-2.0 */
/* The registry of check types and the helpers they share to report outcomes and hits. */
#include "checks/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"

/* Every check type, in the order `vigil rules show` lists them. New types
 * (host facts, nftables, TLS) add one line here. */
static const struct vg_check_impl *const registry[] = {
	&vg_check_file,
	&vg_check_content,
	&vg_check_secret,
	&vg_check_sshd,
	&vg_check_sysctl,
	&vg_check_kernel_modules,
	&vg_check_mounts,
	&vg_check_keyvalue,
	&vg_check_ini,
	&vg_check_json,
	&vg_check_yaml,
	&vg_check_xml,
	&vg_check_accounts,
	&vg_check_pam,
	&vg_check_packages,
	&vg_check_services,
	&vg_check_listening,
	&vg_check_filesystem,
	NULL,
};

const struct vg_check_impl *vg_check_find(const char *name)
{
	for (size_t i = 0; registry[i]; i++)
		if (!strcmp(registry[i]->name, name))
			return registry[i];
	return NULL;
}

const struct vg_check_impl *const *vg_check_all(void)
{
	return registry;
}

void vg_linecol(const char *data, size_t off, struct vg_linecur *cur, size_t *line, size_t *col)
{
	if (cur->line == 0 || off < cur->off) {
		cur->off = 0;
		cur->line = 1;
		cur->bol = 0;
	}
	for (size_t i = cur->off; i < off; i++) {
		if (data[i] == '\n') {
			cur->line++;
			cur->bol = i + 1;
		}
	}
	cur->off = off;
	*line = cur->line;
	*col = off - cur->bol + 1;
}

void vg_leaf_add(struct vg_leaf_state *st, struct vg_finding *hit, bool pass)
{
	struct vg_vec *v = pass ? &st->passes : &st->hits;

	pthread_mutex_lock(&st->lock);
	if (v->len >= VG_MAX_FINDINGS_PER_RULE || vg_vec_push(v, hit) < 0) {
		if (!pass)
			st->dropped++;
		vg_finding_free(hit);
	}
	pthread_mutex_unlock(&st->lock);
}

void vg_leaf_error(struct vg_leaf_state *st, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return;
	pthread_mutex_lock(&st->lock);
	if (st->errors.len >= VG_MAX_FINDINGS_PER_RULE || vg_vec_push(&st->errors, s) < 0)
		free(s);
	pthread_mutex_unlock(&st->lock);
}

void vg_leaf_state_init(struct vg_leaf_state *st)
{
	memset(st, 0, sizeof(*st));
	pthread_mutex_init(&st->lock, NULL);
	vg_vec_init(&st->hits);
	vg_vec_init(&st->passes);
	vg_vec_init(&st->errors);
}

static void finding_free_cb(void *p);

void vg_leaf_state_finish(struct vg_leaf_state *st)
{
	if (!st)
		return;
	vg_vec_finish(&st->hits, finding_free_cb);
	vg_vec_finish(&st->passes, finding_free_cb);
	vg_vec_finish(&st->errors, free);
	pthread_mutex_destroy(&st->lock);
}

void vg_outcome_init(struct vg_outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->status = VG_STATUS_PASS;
	vg_vec_init(&o->hits);
}

static void finding_free_cb(void *p)
{
	vg_finding_free(p);
}

void vg_outcome_finish(struct vg_outcome *o)
{
	if (!o)
		return;
	vg_vec_finish(&o->hits, finding_free_cb);
	free(o->reason);
	o->reason = NULL;
}

int vg_outcome_take(struct vg_outcome *o, struct vg_vec *from)
{
	for (size_t i = 0; i < from->len; i++) {
		if (vg_vec_push(&o->hits, from->items[i]) < 0) {
			/* keep the rest where they are, owned by from */
			memmove(from->items, from->items + i, (from->len - i) * sizeof(*from->items));
			from->len -= i;
			return VG_ENOMEM;
		}
	}
	from->len = 0;
	return 0;
}

void vg_outcome_set(struct vg_outcome *o, enum vg_status status, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	o->status = status;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(o->reason);
	o->reason = s;
}

struct vg_finding *vg_hit_new(const char *path, size_t line, size_t col, const char *object,
			      const char *fmt, ...)
{
	struct vg_finding *f = vg_finding_new();
	va_list ap;
	int n;

	if (!f)
		return NULL;
	f->loc.line = line;
	f->loc.col = line ? (col ? col : 1) : 0;
	if ((path && !(f->loc.path = strdup(path))) || (object && !(f->loc.object = strdup(object))))
		goto fail;
	va_start(ap, fmt);
	n = vasprintf(&f->message, fmt, ap);
	va_end(ap);
	if (n < 0) {
		f->message = NULL;
		goto fail;
	}
	return f;
fail:
	vg_finding_free(f);
	return NULL;
}

int vg_hit_evidence(struct vg_finding *hit, const char *evidence, size_t len, size_t secret_off,
		    size_t secret_len, const char *key, size_t keylen)
{
	size_t keep = len > VG_MAX_EVIDENCE_BYTES ? VG_MAX_EVIDENCE_BYTES : len;

	if (secret_off > len)
		secret_off = len;
	if (secret_len > len - secret_off)
		secret_len = len - secret_off;
	/* keep the secret inside the kept window so it can still be redacted */
	if (secret_len && secret_off + secret_len > keep) {
		size_t start = secret_off > 16 ? secret_off - 16 : 0;

		evidence += start;
		secret_off -= start;
		len -= start;
		keep = len > VG_MAX_EVIDENCE_BYTES ? VG_MAX_EVIDENCE_BYTES : len;
		if (secret_off + secret_len > keep)
			secret_len = keep - secret_off;
	}
	if (!key) {
		key = secret_len ? evidence + secret_off : evidence;
		keylen = secret_len ? secret_len : keep;
	}
	free(hit->evidence);
	free(hit->raw_key);
	hit->evidence = vg_memdup(evidence, keep);
	hit->raw_key = vg_memdup(key, keylen);
	hit->raw_key_len = keylen;
	hit->secret_off = secret_off;
	hit->secret_len = secret_len;
	if (!hit->evidence || !hit->raw_key)
		return VG_ENOMEM;
	return 0;
}
