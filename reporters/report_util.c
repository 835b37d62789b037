/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the SARIF, JUnit and HTML reporters (see report_util.h). */
#include "report_util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "error.h"

/* 9999-12-31T23:59:59Z: the last instant RFC 3339 can write. */
#define MAX_RFC3339_TIME 253402300799LL

/* The bounds of the second byte of a UTF-8 sequence led by c, and its length;
 * 0 when c cannot lead a sequence. Tight bounds exclude overlongs, surrogates
 * and code points past U+10FFFF. */
static size_t utf8_lead(unsigned char c, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef) {
		if (c == 0xe0)
			*lo = 0xa0;
		else if (c == 0xed)
			*hi = 0x9f;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (c == 0xf0)
			*lo = 0x90;
		else if (c == 0xf4)
			*hi = 0x8f;
		return 4;
	}
	return 0;
}

/* Decodes one character at s like a WHATWG UTF-8 decoder (what Node.js and
 * browsers do): the longest valid prefix of a broken sequence becomes one
 * U+FFFD. Returns the bytes consumed (>= 1). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char lo, hi;
	size_t len;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	len = utf8_lead(s[0], &lo, &hi);
	if (!len) {
		*cp = 0xfffd;
		return 1;
	}
	v = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*cp = 0xfffd;
			return i;
		}
		v = (v << 6) | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return len;
}

/* Characters that are invalid in XML 1.0 or that change how surrounding text
 * is displayed: C0 and C1 controls, DEL, bidi embeddings, overrides, isolates
 * and marks, line and paragraph separators, and the non-characters U+FFFE/F. */
static bool is_hidden(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0xfffe || cp == 0xffff;
}

void vg_markup_put(FILE *out, const char *str, unsigned flags)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	if (!s)
		return;
	n = strlen(str);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = utf8_decode(s + i, n - i, &cp);

		if (cp == 0xfffd && !(l == 3 && s[i] == 0xef)) {
			fputs("\xef\xbf\xbd", out); /* the bytes were not UTF-8 */
			i += l;
			continue;
		}
		switch (cp) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		case '\t':
			fputs(flags & VG_MARKUP_ATTR ? "&#9;" : "\t", out);
			break;
		case '\n':
			fputs(flags & VG_MARKUP_ATTR ? "&#10;" : "\n", out);
			break;
		default:
			if (cp < 0x80 && is_hidden(cp))
				fprintf(out, "\\x%02" PRIx32, cp);
			else if (is_hidden(cp))
				fprintf(out, "\\u%04" PRIx32, cp);
			else
				fwrite(s + i, 1, l, out);
		}
		i += l;
	}
}

void vg_safe_put(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	if (!s)
		return;
	n = strlen(str);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = utf8_decode(s + i, n - i, &cp);
		bool bad = cp == 0xfffd && !(l == 3 && s[i] == 0xef);

		if (bad || is_hidden(cp)) {
			/* a broken sequence byte by byte, a hidden character as all its bytes */
			for (size_t k = 0; k < (bad ? 1 : l); k++)
				fprintf(out, "\\x%02x", s[i + k]);
			i += bad ? 1 : l;
			continue;
		}
		fwrite(s + i, 1, l, out);
		i += l;
	}
}

int vg_uri_encode(struct vg_buf *b, const char *path, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	for (const unsigned char *p = (const unsigned char *)path; *p && rc == 0; p++) {
		unsigned char c = *p;
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || strchr("-._~", c) ||
			     (c == '/' && keep_slash);
		char esc[3] = {'%', hex[c >> 4], hex[c & 15]};

		rc = plain ? vg_buf_putc(b, (char)c) : vg_buf_append(b, esc, sizeof(esc));
	}
	return rc;
}

void vg_report_time(char buf[32], time_t t, bool zone)
{
	long long secs = (long long)t;
	time_t clamped;
	struct tm tm;

	if (secs < 0)
		secs = 0;
	if (secs > MAX_RFC3339_TIME)
		secs = MAX_RFC3339_TIME;
	clamped = (time_t)secs;
	if (!gmtime_r(&clamped, &tm) ||
	    strftime(buf, 32, zone ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		memcpy(buf, "1970-01-01T00:00:00Z", 21);
		if (!zone)
			buf[19] = '\0';
	}
}

bool vg_finding_counts(const struct vg_finding *f)
{
	return f->status == VG_STATUS_FAIL && f->suppression == VG_SUPPRESS_NONE;
}

bool vg_finding_suppressed(const struct vg_finding *f)
{
	if (f->status == VG_STATUS_ERROR)
		return false;
	return f->status == VG_STATUS_WAIVED ||
	       (f->status == VG_STATUS_FAIL && f->suppression != VG_SUPPRESS_NONE);
}

const char *vg_severity_label(enum vg_severity s)
{
	static const char *const labels[VG_SEV_COUNT] = {
		[VG_SEV_INFO] = "INFO",
		[VG_SEV_LOW] = "LOW",
		[VG_SEV_MEDIUM] = "MEDIUM",
		[VG_SEV_HIGH] = "HIGH",
		[VG_SEV_CRITICAL] = "CRITICAL",
	};

	return (unsigned)s < VG_SEV_COUNT ? labels[s] : labels[VG_SEV_INFO];
}

json_t *vg_json_str(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	struct vg_buf b;
	json_t *j = NULL;
	size_t n = strlen(str);

	vg_buf_init(&b, 0);
	for (size_t i = 0; i < n;) {
		size_t l = vg_utf8_len(s + i, n - i);

		if (vg_buf_append(&b, l ? (const char *)s + i : "\xef\xbf\xbd", l ? l : 3) < 0)
			goto out;
		i += l ? l : 1;
	}
	j = json_stringn(b.data ? b.data : "", b.len);
out:
	vg_buf_finish(&b);
	return j;
}

/* ---- rule and pack index ---- */

static const struct vg_rule_meta unknown_rule = {
	.id = "vigil.unknown",
	.pack = "vigil",
	.title = "Unknown rule",
	.description = "The saved results name no rule for this finding.",
	.severity = VG_SEV_INFO,
	.security_severity = -1.0,
};

struct keyed {
	const char *key;
	size_t pos;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Groups keys[0..n) by value. group[i] becomes the number of keys[i]'s group,
 * groups numbered in order of first appearance; first[g] is the position of
 * group g's first key. Sorting keeps this O(n log n) on hostile input. */
static int group_keys(const char *const *keys, size_t n, size_t *group, size_t *first,
		      size_t *ngroups)
{
	struct keyed *k = vg_calloc(n, sizeof(*k));
	size_t *rep = vg_calloc(n, sizeof(*rep));
	size_t *ordinal = vg_calloc(n, sizeof(*ordinal));
	bool *is_first = vg_calloc(n, sizeof(*is_first));
	size_t count = 0;
	int rc = VG_ENOMEM;

	if (n && (!k || !rep || !ordinal || !is_first))
		goto out;
	for (size_t i = 0; i < n; i++)
		k[i] = (struct keyed){ keys[i], i };
	qsort(k, n, sizeof(*k), cmp_keyed);
	for (size_t i = 0, start = 0; i < n; i++) {
		if (i > 0 && strcmp(k[i].key, k[start].key) != 0)
			start = i;
		rep[k[i].pos] = k[start].pos;
		if (i == start)
			is_first[k[i].pos] = true;
	}
	for (size_t i = 0; i < n; i++) {
		if (!is_first[i])
			continue;
		ordinal[i] = count;
		first[count++] = i;
	}
	for (size_t i = 0; i < n; i++)
		group[i] = ordinal[rep[i]];
	*ngroups = count;
	rc = 0;
out:
	free(k);
	free(rep);
	free(ordinal);
	free(is_first);
	return rc;
}

static const char *meta_id(const struct vg_rule_meta *m)
{
	return m->id ? m->id : "";
}

int vg_report_index_init(struct vg_report_index *ix, const struct vg_results *res)
{
	size_t nr = res->rules.len, nf = res->findings.len, total;
	const struct vg_rule_meta **all = NULL;
	const char **keys = NULL;
	size_t *group = NULL, *first = NULL, ngroups = 0;
	int rc = VG_ENOMEM;

	memset(ix, 0, sizeof(*ix));
	if (!vg_add_size(&total, nr, nf))
		goto out;
	/* candidates: the evaluated rules, then the rule of every finding */
	all = vg_calloc(total, sizeof(*all));
	keys = vg_calloc(total, sizeof(*keys));
	group = vg_calloc(total, sizeof(*group));
	first = vg_calloc(total, sizeof(*first));
	ix->rule_of = vg_calloc(nf, sizeof(*ix->rule_of));
	if (total && (!all || !keys || !group || !first))
		goto out;
	if (nf && !ix->rule_of)
		goto out;
	for (size_t i = 0; i < nr; i++)
		all[i] = res->rules.items[i];
	for (size_t i = 0; i < nf; i++) {
		const struct vg_finding *f = res->findings.items[i];

		all[nr + i] = f->rule ? f->rule : &unknown_rule;
	}
	for (size_t i = 0; i < total; i++)
		keys[i] = meta_id(all[i]);
	if ((rc = group_keys(keys, total, group, first, &ngroups)) < 0)
		goto out;
	rc = VG_ENOMEM;
	ix->rules = vg_calloc(ngroups, sizeof(*ix->rules));
	if (ngroups && !ix->rules)
		goto out;
	for (size_t g = 0; g < ngroups; g++)
		ix->rules[g] = all[first[g]];
	ix->nrules = ngroups;
	for (size_t i = 0; i < nf; i++)
		ix->rule_of[i] = group[nr + i];

	/* packs, in the order of their first rule */
	ix->packs = vg_calloc(ngroups, sizeof(*ix->packs));
	ix->pack_of = vg_calloc(ngroups, sizeof(*ix->pack_of));
	if (ngroups && (!ix->packs || !ix->pack_of))
		goto out;
	for (size_t r = 0; r < ngroups; r++) {
		const char *pack = ix->rules[r]->pack;

		keys[r] = pack && pack[0] ? pack : "vigil";
	}
	if ((rc = group_keys(keys, ngroups, ix->pack_of, first, &ix->npacks)) < 0)
		goto out;
	for (size_t p = 0; p < ix->npacks; p++)
		ix->packs[p] = keys[first[p]];
	rc = 0;
out:
	free(all);
	free(keys);
	free(group);
	free(first);
	if (rc < 0)
		vg_report_index_finish(ix);
	return rc;
}

void vg_report_index_finish(struct vg_report_index *ix)
{
	if (!ix)
		return;
	free(ix->rules);
	free(ix->rule_of);
	free(ix->packs);
	free(ix->pack_of);
	memset(ix, 0, sizeof(*ix));
}

/* ---- GitHub's line hash ---- */

#define HASH_BLOCK 100     /* characters per line hash */
#define HASH_MOD 37u
#define HASH_EOF 65535u    /* what the upload action feeds after the last character */

struct line_hasher {
	uint64_t window[HASH_BLOCK];
	size_t start_line[HASH_BLOCK]; /* line that starts at this window slot, 0: none */
	uint64_t hash;
	uint64_t first_mod;            /* HASH_MOD^HASH_BLOCK, wrapping like a 64-bit long */
	size_t index;
	size_t line;
	bool line_start;
	bool prev_cr;
	void (*emit)(void *ud, size_t line, uint64_t hash);
	void *ud;
};

static void hasher_update(struct line_hasher *h, uint64_t c)
{
	uint64_t begin = h->window[h->index];

	h->window[h->index] = c;
	h->hash = HASH_MOD * h->hash + c - h->first_mod * begin;
	h->index = (h->index + 1) % HASH_BLOCK;
}

static void hasher_emit(struct line_hasher *h)
{
	if (!h->start_line[h->index])
		return;
	h->emit(h->ud, h->start_line[h->index], h->hash);
	h->start_line[h->index] = 0;
}

/* One UTF-16 code unit: blanks are skipped, CR and CRLF read as LF, and once
 * a whole block follows a line's first character, that line's hash is out. */
static void hasher_put(struct line_hasher *h, uint32_t c)
{
	if (c == ' ' || c == '\t' || (h->prev_cr && c == '\n')) {
		h->prev_cr = false;
		return;
	}
	h->prev_cr = c == '\r';
	if (c == '\r')
		c = '\n';
	hasher_emit(h);
	if (h->line_start) {
		h->line_start = false;
		h->start_line[h->index] = ++h->line;
	}
	if (c == '\n')
		h->line_start = true;
	hasher_update(h, c);
}

static void hash_text(const char *data, size_t len,
		      void (*emit)(void *ud, size_t line, uint64_t hash), void *ud)
{
	const unsigned char *s = (const unsigned char *)data;
	struct line_hasher state = {0};
	struct line_hasher *h = &state;

	h->emit = emit;
	h->ud = ud;
	h->line_start = true;
	h->first_mod = 1;
	for (int i = 0; i < HASH_BLOCK; i++)
		h->first_mod *= HASH_MOD;
	for (size_t i = 0; i < len;) {
		uint32_t cp;

		i += utf8_decode(s + i, len - i, &cp);
		if (cp >= 0x10000) {
			cp -= 0x10000;
			hasher_put(h, 0xd800 + (cp >> 10));
			hasher_put(h, 0xdc00 + (cp & 0x3ff));
		} else {
			hasher_put(h, cp);
		}
	}
	hasher_put(h, HASH_EOF);
	for (int i = 0; i < HASH_BLOCK; i++) {
		hasher_emit(h);
		hasher_update(h, 0);
	}
}

struct want_pass {
	struct vg_line_want *want;
	size_t n;
	size_t next;      /* first entry whose line is not yet passed */
	uint64_t *values; /* second pass: distinct wanted hashes, sorted */
	size_t *counts;
	size_t nvalues;
};

/* First pass: the raw hash of every wanted line. */
static void take_raw(void *ud, size_t line, uint64_t hash)
{
	struct want_pass *p = ud;

	for (; p->next < p->n && p->want[p->next].line <= line; p->next++) {
		if (p->want[p->next].line != line)
			continue;
		p->want[p->next].raw = hash;
		p->want[p->next].found = true;
	}
}

static size_t value_slot(const struct want_pass *p, uint64_t v)
{
	size_t lo = 0, hi = p->nvalues;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->values[mid] == v)
			return mid;
		if (p->values[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

/* Second pass: how many lines so far had each wanted hash, which is the ":N". */
static void take_count(void *ud, size_t line, uint64_t hash)
{
	struct want_pass *p = ud;
	size_t slot = value_slot(p, hash);

	if (slot == SIZE_MAX)
		return;
	p->counts[slot]++;
	for (; p->next < p->n && p->want[p->next].line <= line; p->next++) {
		struct vg_line_want *w = &p->want[p->next];

		if (w->line == line && w->found)
			snprintf(w->hash, sizeof(w->hash), "%" PRIx64 ":%zu", hash,
				 p->counts[slot]);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

int vg_line_hashes(const char *data, size_t len, struct vg_line_want *want, size_t n)
{
	struct want_pass p = { .want = want, .n = n };
	int rc = VG_ENOMEM;

	for (size_t i = 0; i < n; i++) {
		want[i].hash[0] = '\0';
		want[i].found = false;
	}
	if (!n)
		return 0;
	hash_text(data, len, take_raw, &p);
	p.values = vg_calloc(n, sizeof(*p.values));
	p.counts = vg_calloc(n, sizeof(*p.counts));
	if (!p.values || !p.counts)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (want[i].found)
			p.values[p.nvalues++] = want[i].raw;
	qsort(p.values, p.nvalues, sizeof(*p.values), cmp_u64);
	if (p.nvalues) {
		size_t k = 1;

		for (size_t i = 1; i < p.nvalues; i++)
			if (p.values[i] != p.values[k - 1])
				p.values[k++] = p.values[i];
		p.nvalues = k;
	}
	p.next = 0;
	hash_text(data, len, take_count, &p);
	rc = 0;
out:
	free(p.values);
	free(p.counts);
	return rc;
}
