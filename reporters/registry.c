/* SPDX-License-Identifier: Apache-2.0 */
/* The one table of output formats: --format names map to reporter implementations here. */
#include "reporter.h"

#include <string.h>

/* New formats (sarif, junit, html) are added here and nowhere else. */
static const struct vg_reporter_impl *const reporters[] = {
	&vg_reporter_text,
	&vg_reporter_json,
	NULL,
};

const struct vg_reporter_impl *vg_reporter_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; reporters[i]; i++)
		if (strcmp(reporters[i]->name, name) == 0)
			return reporters[i];
	return NULL;
}

const struct vg_reporter_impl *const *vg_reporter_all(void)
{
	return reporters;
}
