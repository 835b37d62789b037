/* SPDX-License-Identifier: Apache-2.0 */
/* Error object and policy diagnostics. */
#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "util.h"

int vg_error_setv(struct vg_error *err, int code, const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	/* one line: messages may quote paths with newlines in them */
	for (char *p = err->msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return code;
}

int vg_error_set(struct vg_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vg_error_setv(err, code, fmt, ap);
	va_end(ap);
	return code;
}

void vg_error_clear(struct vg_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

const char *vg_error_name(int code)
{
	switch (code) {
	case VG_OK: return "success";
	case VG_ENOTFOUND: return "not found";
	case VG_EPARSE: return "parse error";
	case VG_ELIMIT: return "limit exceeded";
	case VG_EUNSUPPORTED: return "unsupported";
	case VG_EIO: return "I/O error";
	case VG_ENOMEM: return "out of memory";
	case VG_EPERM: return "permission denied";
	case VG_EUSAGE: return "usage error";
	default: return "error";
	}
}

void vg_diags_init(struct vg_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void vg_diags_finish(struct vg_diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->count; i++)
		free(d->msgs[i]);
	free(d->msgs);
	memset(d, 0, sizeof(*d));
}

void vg_diags_add(struct vg_diags *d, const char *file, size_t line, size_t col,
		  const char *fmt, ...)
{
	char tmp[VG_ERROR_MSG_MAX];
	char *msg = NULL;
	va_list ap;

	if (!d)
		return;
	if (d->count >= VG_MAX_DIAGS)
		goto dropped;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	for (char *p = tmp; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	msg = vg_asprintf("%s:%zu:%zu: %s", file ? file : "<policy>", line ? line : 1,
			  col ? col : 1, tmp);
	if (!msg)
		goto dropped;
	if (d->count == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 16;
		char **n = vg_reallocarray(d->msgs, ncap, sizeof(*n));

		if (!n)
			goto dropped;
		d->msgs = n;
		d->cap = ncap;
	}
	d->msgs[d->count++] = msg;
	return;
dropped:
	free(msg);
	d->dropped++;
}
