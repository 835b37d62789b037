/* SPDX-License-Identifier: Apache-2.0 */
/* The per-target fact cache: each collector runs at most once per target. */
#include "facts/facts.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct entry {
	const struct vg_collector *c;
	void *facts;
	int code;
	struct vg_error err;
};

struct vg_facts {
	pthread_mutex_t lock;
	struct vg_vec entries; /* struct entry * */
};

struct vg_facts *vg_facts_new(void)
{
	struct vg_facts *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	pthread_mutex_init(&f->lock, NULL);
	vg_vec_init(&f->entries);
	return f;
}

void vg_facts_free(struct vg_facts *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->entries.len; i++) {
		struct entry *e = f->entries.items[i];

		if (e->facts && e->c->free_facts)
			e->c->free_facts(e->facts);
		free(e);
	}
	vg_vec_finish(&f->entries, NULL);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

int vg_facts_get(struct vg_facts *f, const struct vg_collector *c, const struct vg_target *t,
		 const void **out, struct vg_error *err)
{
	struct entry *e = NULL;
	int rc;

	*out = NULL;
	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->entries.len; i++) {
		struct entry *x = f->entries.items[i];

		if (x->c == c)
			e = x;
	}
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || vg_vec_push(&f->entries, e) < 0) {
			free(e);
			pthread_mutex_unlock(&f->lock);
			return vg_error_set(err, VG_ENOMEM, "out of memory");
		}
		e->c = c;
		if (c->live_only && !t->live)
			e->code = vg_error_set(&e->err, VG_EUNSUPPORTED,
					       "%s facts need the live system (not available "
					       "offline)", c->name);
		else
			e->code = c->collect(&e->facts, t, &e->err);
	}
	rc = e->code;
	if (rc < 0 && err)
		*err = e->err;
	else
		*out = e->facts;
	pthread_mutex_unlock(&f->lock);
	return rc;
}

void vg_facts_outcome(struct vg_outcome *o, int code, const struct vg_error *err)
{
	enum vg_status st = VG_STATUS_ERROR;

	if (code == VG_EPERM)
		st = VG_STATUS_NOT_EVALUATED;
	else if (code == VG_EUNSUPPORTED)
		st = VG_STATUS_NOT_APPLICABLE;
	vg_outcome_set(o, st, "%s", err && err->msg[0] ? err->msg : vg_error_name(code));
}
