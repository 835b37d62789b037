/* SPDX-License-Identifier: Apache-2.0 */
/* Facts about a target (sshd config, sysctl values, accounts, ...), collected once per scan and shared by all rules. */
#ifndef VG_FACTS_H
#define VG_FACTS_H

#include <stdbool.h>

#include "checks/check.h"
#include "error.h"

/* A collector gathers one kind of fact from a target. Each one says whether it
 * works from files alone (an offline --root) and whether it needs the live
 * kernel (/proc, /sys, sockets). */
struct vg_collector {
	const char *name;
	bool offline;    /* works on --root images (reads files only) */
	bool live_only;  /* needs the running system: not-applicable on --root */
	/* Builds the facts for target t into *out (owned by the cache, freed
	 * with free_facts). Errors: VG_EPERM when privileges are missing (checks
	 * then report not-evaluated), others as usual. */
	int (*collect)(void **out, const struct vg_target *t, struct vg_error *err);
	void (*free_facts)(void *facts);
};

struct vg_facts;

/* One cache per target. */
struct vg_facts *vg_facts_new(void);
void vg_facts_free(struct vg_facts *f);

/* The facts of collector c for target t: collected on first use (under a
 * lock, so concurrent callers wait), then shared. A collection failure is
 * cached too: every caller gets the same code and message. *out is borrowed
 * from the cache. A live_only collector on a non-live target fails with
 * VG_EUNSUPPORTED ("needs the live system"). */
int vg_facts_get(struct vg_facts *f, const struct vg_collector *c, const struct vg_target *t,
		 const void **out, struct vg_error *err);

/* Maps a collection failure to an outcome: VG_EPERM -> not-evaluated,
 * VG_EUNSUPPORTED -> not-applicable, others -> error, with err's message. */
void vg_facts_outcome(struct vg_outcome *o, int code, const struct vg_error *err);

#endif
