/* SPDX-License-Identifier: Apache-2.0 */
/* The one table of output formats: --format names map to reporter implementations here. */
#include "reporter.h"

#include <string.h>

/* Defined each in its format's file; only this table refers to them. */
extern const struct vg_reporter_impl vg_reporter_sarif;
extern const struct vg_reporter_impl vg_reporter_junit;
extern const struct vg_reporter_impl vg_reporter_junit_gitlab;
extern const struct vg_reporter_impl vg_reporter_html;

/* New formats are added here and nowhere else. */
static const struct vg_reporter_impl *const reporters[] = {
	&vg_reporter_text,
	&vg_reporter_json,
	&vg_reporter_sarif,
	&vg_reporter_junit,
	&vg_reporter_junit_gitlab,
	&vg_reporter_html,
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
