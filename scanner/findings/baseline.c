/* SPDX-License-Identifier: Apache-2.0 */
/* Applies a baseline: failures already known (same rule and fingerprint) stop gating. */
#include "findings/baseline.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "util.h"

/* "rule\0fingerprint" keys, sorted for bsearch. */
static int cmp_key(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;
	int c = strcmp(*x, *y);

	return c ? c : strcmp(*x + strlen(*x) + 1, *y + strlen(*y) + 1);
}

static char *make_key(const struct vg_finding *f)
{
	size_t a = strlen(f->rule->id), b = strlen(f->fingerprint);
	char *k = malloc(a + b + 2);

	if (!k)
		return NULL;
	memcpy(k, f->rule->id, a + 1);
	memcpy(k + a + 1, f->fingerprint, b + 1);
	return k;
}

static bool recorded(const struct vg_finding *f)
{
	return f->status == VG_STATUS_FAIL || f->status == VG_STATUS_WAIVED;
}

size_t vg_baseline_count(const struct vg_results *res)
{
	size_t n = 0;

	for (size_t i = 0; i < res->findings.len; i++)
		n += recorded(res->findings.items[i]);
	return n;
}

int vg_baseline_apply(struct vg_results *res, const struct vg_results *base, const char *name)
{
	char **keys = vg_calloc(base->findings.len, sizeof(*keys));
	size_t n = 0;
	int rc = VG_ENOMEM;

	if (!keys)
		return VG_ENOMEM;
	for (size_t i = 0; i < base->findings.len; i++) {
		const struct vg_finding *f = base->findings.items[i];

		if (!recorded(f))
			continue;
		if (!(keys[n] = make_key(f)))
			goto out;
		n++;
	}
	qsort(keys, n, sizeof(*keys), cmp_key);
	for (size_t i = 0; i < res->findings.len; i++) {
		struct vg_finding *f = res->findings.items[i];
		char *k;

		if (f->status != VG_STATUS_FAIL || f->suppression != VG_SUPPRESS_NONE)
			continue;
		if (!(k = make_key(f)))
			goto out;
		if (bsearch(&k, keys, n, sizeof(*keys), cmp_key)) {
			f->suppression = VG_SUPPRESS_BASELINE;
			free(f->justification);
			f->justification = vg_asprintf("recorded in baseline %s", name);
		}
		free(k);
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	return rc;
}
