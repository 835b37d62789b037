/* SPDX-License-Identifier: Apache-2.0 */
/* Small shared helpers: bounded growable buffers, pointer vectors, checked sizes. */
#ifndef VG_UTIL_H
#define VG_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"

/* Overflow-checked size arithmetic: return false on overflow. */
static inline bool vg_add_size(size_t *out, size_t a, size_t b)
{
	return !__builtin_add_overflow(a, b, out);
}
static inline bool vg_mul_size(size_t *out, size_t a, size_t b)
{
	return !__builtin_mul_overflow(a, b, out);
}

/* Allocation helpers; they return NULL on failure (never abort). */
void *vg_calloc(size_t n, size_t size);
void *vg_reallocarray(void *p, size_t n, size_t size);
char *vg_strdup(const char *s);           /* NULL in, NULL out */
char *vg_strndup(const char *s, size_t n);  /* stops at a NUL within n */
/* Copies exactly n bytes (NULs included) and adds a terminating NUL. */
char *vg_memdup(const void *p, size_t n);
char *vg_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable, always NUL-terminated byte buffer with a maximum size. */
struct vg_buf {
	char *data;  /* NULL until the first append */
	size_t len;
	size_t cap;
	size_t max;  /* 0: no cap beyond SIZE_MAX */
};

void vg_buf_init(struct vg_buf *b, size_t max);
void vg_buf_finish(struct vg_buf *b);
/* Append functions return 0, VG_ENOMEM or VG_ELIMIT (past max; nothing appended). */
int vg_buf_append(struct vg_buf *b, const void *data, size_t len);
int vg_buf_puts(struct vg_buf *b, const char *s);
int vg_buf_putc(struct vg_buf *b, char c);
int vg_buf_printf(struct vg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the data to the caller (free with free()); the buffer is left empty. */
char *vg_buf_detach(struct vg_buf *b);
void vg_buf_clear(struct vg_buf *b);

/* A growable array of pointers. Does not own its items unless the caller says so. */
struct vg_vec {
	void **items;
	size_t len;
	size_t cap;
};

void vg_vec_init(struct vg_vec *v);
/* Frees the array; if item_free is non-NULL it is called on every item first. */
void vg_vec_finish(struct vg_vec *v, void (*item_free)(void *));
int vg_vec_push(struct vg_vec *v, void *item); /* 0 or VG_ENOMEM */

/* Room for a value vg_shorten cuts: VG_MAX_QUOTE_BYTES, "..." and a NUL. */
struct vg_short {
	char s[VG_MAX_QUOTE_BYTES + 4];
};

/* A value read from a target, fit to be quoted in a message or a reason: s
 * itself when it is at most VG_MAX_QUOTE_BYTES long, else its first bytes
 * (not cutting a UTF-8 character) and "..." written into out. Returns "" for
 * NULL. Reads at most VG_MAX_QUOTE_BYTES + 1 bytes of s; cannot fail. */
const char *vg_shorten(struct vg_short *out, const char *s);

/* Length of the valid UTF-8 sequence at s (n > 0 bytes available), or 0 when
 * the bytes there are not valid UTF-8: no overlongs, surrogates or code points
 * past U+10FFFF, nor a sequence cut short (strict like jansson's own check).
 * An ASCII byte, NUL included, is 1. Cannot fail. */
size_t vg_utf8_len(const unsigned char *s, size_t n);

/* Lower-case hex of len bytes into out (2*len+1 bytes). Cannot fail. */
void vg_hex(char *out, const unsigned char *in, size_t len);

/* Parses a whole decimal (or 0x/0 prefixed when base is 0) integer; false if s is
 * not entirely a number in range. */
bool vg_parse_i64(const char *s, int base, int64_t *out);
/* Parses sizes such as "10M", "512k", "2G", "1000". */
bool vg_parse_size(const char *s, uint64_t *out);

/* Shannon entropy in bits per byte of s[0..len). */
double vg_entropy(const char *s, size_t len);

#endif
