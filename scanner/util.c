/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded buffers, vectors and small parsing helpers. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

void *vg_calloc(size_t n, size_t size)
{
	size_t total;

	/* calloc checks this too, but sanitizers abort on the attempt */
	if (!vg_mul_size(&total, n, size))
		return NULL;
	return calloc(n ? n : 1, size ? size : 1);
}

void *vg_reallocarray(void *p, size_t n, size_t size)
{
	size_t total;

	if (!vg_mul_size(&total, n, size))
		return NULL;
	return realloc(p, total ? total : 1);
}

char *vg_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *vg_strndup(const char *s, size_t n)
{
	const char *nul;
	char *r;

	if (!s)
		return NULL;
	/* like strndup: stop at a NUL, never read past it */
	nul = memchr(s, '\0', n);
	if (nul)
		n = (size_t)(nul - s);
	if (n == SIZE_MAX)
		return NULL;
	r = malloc(n + 1);
	if (!r)
		return NULL;
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

char *vg_memdup(const void *p, size_t n)
{
	char *r;

	if (!p || n == SIZE_MAX)
		return NULL;
	r = malloc(n + 1);
	if (!r)
		return NULL;
	memcpy(r, p, n);
	r[n] = '\0';
	return r;
}

char *vg_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

void vg_buf_init(struct vg_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void vg_buf_finish(struct vg_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static int grow(struct vg_buf *b, size_t extra)
{
	size_t need, ncap;
	char *n;

	if (!vg_add_size(&need, b->len, extra) || !vg_add_size(&need, need, 1))
		return VG_ELIMIT;
	if (b->max && need - 1 > b->max)
		return VG_ELIMIT;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need) {
		if (!vg_mul_size(&ncap, ncap, 2)) {
			ncap = need;
			break;
		}
	}
	n = realloc(b->data, ncap);
	if (!n)
		return VG_ENOMEM;
	b->data = n;
	b->cap = ncap;
	return 0;
}

int vg_buf_append(struct vg_buf *b, const void *data, size_t len)
{
	int rc = grow(b, len);

	if (rc < 0)
		return rc;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int vg_buf_puts(struct vg_buf *b, const char *s)
{
	return vg_buf_append(b, s, strlen(s));
}

int vg_buf_putc(struct vg_buf *b, char c)
{
	return vg_buf_append(b, &c, 1);
}

int vg_buf_printf(struct vg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return VG_ERROR;
	rc = grow(b, (size_t)n);
	if (rc < 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

char *vg_buf_detach(struct vg_buf *b)
{
	char *d = b->data;

	if (!d)
		d = strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return d;
}

void vg_buf_clear(struct vg_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void vg_vec_init(struct vg_vec *v)
{
	memset(v, 0, sizeof(*v));
}

void vg_vec_finish(struct vg_vec *v, void (*item_free)(void *))
{
	if (!v)
		return;
	if (item_free)
		for (size_t i = 0; i < v->len; i++)
			item_free(v->items[i]);
	free(v->items);
	memset(v, 0, sizeof(*v));
}

int vg_vec_push(struct vg_vec *v, void *item)
{
	if (v->len == v->cap) {
		size_t ncap = 8;
		void **n = NULL;

		if (v->cap && !vg_mul_size(&ncap, v->cap, 2))
			return VG_ENOMEM;
		n = vg_reallocarray(v->items, ncap, sizeof(*n));
		if (!n)
			return VG_ENOMEM;
		v->items = n;
		v->cap = ncap;
	}
	v->items[v->len++] = item;
	return 0;
}

const char *vg_shorten(struct vg_short *out, const char *s)
{
	size_t n;

	if (!s)
		return "";
	n = strnlen(s, VG_MAX_QUOTE_BYTES + 1);
	if (n <= VG_MAX_QUOTE_BYTES)
		return s;
	n = VG_MAX_QUOTE_BYTES;
	/* s[n] is the first byte left out: step back over a character it continues */
	for (int i = 0; i < 3 && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; i++)
		n--;
	memcpy(out->s, s, n);
	memcpy(out->s + n, "...", 4);
	return out->s;
}

size_t vg_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	/* the second byte's range rules out overlongs, surrogates and > U+10FFFF */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

void vg_hex(char *out, const unsigned char *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

bool vg_parse_i64(const char *s, int base, int64_t *out)
{
	char *end = NULL;
	long long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return false;
	if (base == 0 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
		s += 2;
		base = 8;
		/* strtoll would take "" as 0 and skip spaces or a sign after the prefix */
		if (!isdigit((unsigned char)*s))
			return false;
	}
	errno = 0;
	v = strtoll(s, &end, base);
	if (errno || !end || *end)
		return false;
	*out = v;
	return true;
}

bool vg_parse_size(const char *s, uint64_t *out)
{
	char *end = NULL;
	unsigned long long v;
	uint64_t mult = 1;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return false;
	if (*end) {
		switch (tolower((unsigned char)*end)) {
		case 'k': mult = 1024ull; break;
		case 'm': mult = 1024ull * 1024; break;
		case 'g': mult = 1024ull * 1024 * 1024; break;
		default: return false;
		}
		end++;
		if (*end == 'i' || *end == 'I')
			end++;
		if (*end == 'b' || *end == 'B')
			end++;
		if (*end)
			return false;
	}
	if (__builtin_mul_overflow((uint64_t)v, mult, out))
		return false;
	return true;
}

double vg_entropy(const char *s, size_t len)
{
	size_t counts[256] = {0};
	double h = 0.0;

	if (!len)
		return 0.0;
	for (size_t i = 0; i < len; i++)
		counts[(unsigned char)s[i]]++;
	for (size_t i = 0; i < 256; i++) {
		double p;

		if (!counts[i])
			continue;
		p = (double)counts[i] / (double)len;
		h -= p * log2(p);
	}
	return h;
}
