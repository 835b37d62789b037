/* SPDX-License-Identifier: Apache-2.0 */
/* Error codes, the one-line error object and the diagnostics list for policy errors. */
#ifndef VG_ERROR_H
#define VG_ERROR_H

#include <stdarg.h>
#include <stddef.h>

/* Functions return 0 on success or one of these negative codes. Codes are
 * passed up unchanged; the human message travels in struct vg_error. */
enum {
	VG_OK = 0,
	VG_ERROR = -1,       /* anything not named below */
	VG_ENOTFOUND = -2,   /* a file, rule, key or object does not exist */
	VG_EPARSE = -3,      /* malformed input: YAML, policy, config, JSON */
	VG_ELIMIT = -4,      /* a cap from limits.h was hit */
	VG_EUNSUPPORTED = -5,/* valid but not handled here (file type, platform) */
	VG_EIO = -6,         /* read or write failure */
	VG_ENOMEM = -7,      /* allocation failure */
	VG_EPERM = -8,       /* permission denied: the caller lacks privileges */
	VG_EUSAGE = -9,      /* bad command-line usage */
};

#define VG_ERROR_MSG_MAX 1024

/* One error: a code and a one-line message saying what and where. */
struct vg_error {
	int code;
	char msg[VG_ERROR_MSG_MAX];
};

/* Sets code and message (printf-style) and returns code, so callers can write
 * `return vg_error_set(err, VG_EIO, "...")`. err may be NULL. */
int vg_error_set(struct vg_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vg_error_setv(struct vg_error *err, int code, const char *fmt, va_list ap);
/* Clears err (code 0, empty message). Accepts NULL. */
void vg_error_clear(struct vg_error *err);
/* Short name of a code, e.g. "parse error". Never NULL. */
const char *vg_error_name(int code);

/* Diagnostics: every problem found in a policy, reported together. Each
 * message is "file:line:col: message" (line and col 1-based). */
struct vg_diags {
	char **msgs;
	size_t count;
	size_t cap;
	size_t dropped; /* messages not kept once VG_MAX_DIAGS was reached */
};

void vg_diags_init(struct vg_diags *d);
void vg_diags_finish(struct vg_diags *d);
/* Appends "file:line:col: message". Cannot fail: on allocation failure or
 * past the cap the message is counted in `dropped`. */
void vg_diags_add(struct vg_diags *d, const char *file, size_t line, size_t col,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
