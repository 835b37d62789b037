/* SPDX-License-Identifier: Apache-2.0 */
/* Findings and scan results: names, fingerprints, redaction, ordering, counts and exit codes. */
#include "findings/finding.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "error.h"

static const char *const severity_names[VG_SEV_COUNT] = {
	[VG_SEV_INFO] = "info",
	[VG_SEV_LOW] = "low",
	[VG_SEV_MEDIUM] = "medium",
	[VG_SEV_HIGH] = "high",
	[VG_SEV_CRITICAL] = "critical",
};

static const char *const status_names[VG_STATUS_COUNT] = {
	[VG_STATUS_FAIL] = "fail",
	[VG_STATUS_PASS] = "pass",
	[VG_STATUS_ERROR] = "error",
	[VG_STATUS_NOT_EVALUATED] = "not-evaluated",
	[VG_STATUS_NOT_APPLICABLE] = "not-applicable",
	[VG_STATUS_WAIVED] = "waived",
};

static const char *const suppression_names[] = {
	[VG_SUPPRESS_NONE] = "none",
	[VG_SUPPRESS_WAIVER] = "waiver",
	[VG_SUPPRESS_BASELINE] = "baseline",
	[VG_SUPPRESS_INLINE] = "inline",
	[VG_SUPPRESS_IGNORE] = "ignore",
};
#define SUPPRESSION_COUNT (sizeof(suppression_names) / sizeof(suppression_names[0]))

/* Index of s in names[0..n), or -1. */
static int name_index(const char *const *names, size_t n, const char *s)
{
	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

const char *vg_severity_name(enum vg_severity s)
{
	if ((unsigned)s >= VG_SEV_COUNT)
		return "unknown";
	return severity_names[s];
}

bool vg_severity_parse(const char *s, enum vg_severity *out)
{
	int i = name_index(severity_names, VG_SEV_COUNT, s);

	if (i < 0)
		return false;
	*out = (enum vg_severity)i;
	return true;
}

const char *vg_status_name(enum vg_status s)
{
	if ((unsigned)s >= VG_STATUS_COUNT)
		return "unknown";
	return status_names[s];
}

bool vg_status_parse(const char *s, enum vg_status *out)
{
	int i = name_index(status_names, VG_STATUS_COUNT, s);

	if (i < 0)
		return false;
	*out = (enum vg_status)i;
	return true;
}

const char *vg_suppression_name(enum vg_suppression s)
{
	if ((unsigned)s >= SUPPRESSION_COUNT)
		return "unknown";
	return suppression_names[s];
}

bool vg_suppression_parse(const char *s, enum vg_suppression *out)
{
	int i = name_index(suppression_names, SUPPRESSION_COUNT, s);

	if (i < 0)
		return false;
	*out = (enum vg_suppression)i;
	return true;
}

static void free_strv(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void vg_rule_meta_finish(struct vg_rule_meta *m)
{
	if (!m)
		return;
	free(m->id);
	free(m->pack);
	free(m->title);
	free(m->description);
	free(m->rationale);
	free(m->remediation);
	free(m->remediation_script);
	free_strv(m->tags, m->ntags);
	free_strv(m->references, m->nreferences);
	free(m->precision);
	free(m->source);
	memset(m, 0, sizeof(*m));
	m->security_severity = -1.0;
}

struct vg_finding *vg_finding_new(void)
{
	return vg_calloc(1, sizeof(struct vg_finding));
}

void vg_finding_free(struct vg_finding *f)
{
	if (!f)
		return;
	free(f->target);
	free(f->loc.path);
	free(f->loc.object);
	free(f->message);
	free(f->evidence);
	free(f->justification);
	free(f->commit);
	free(f->author);
	free(f->date);
	free(f->raw_key);
	free(f);
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Feeds key to the digest with leading and trailing whitespace dropped and
 * each inner whitespace run turned into one space, so re-indenting or
 * re-wrapping the matched text keeps its fingerprint. */
static int digest_normalized(EVP_MD_CTX *ctx, const char *key, size_t keylen)
{
	unsigned char chunk[256];
	size_t n = 0;
	bool pending_space = false, started = false;

	for (size_t i = 0; i < keylen; i++) {
		unsigned char c = (unsigned char)key[i];

		if (is_space(c)) {
			pending_space = started;
			continue;
		}
		/* room for a space and the byte */
		if (n + 2 > sizeof(chunk)) {
			if (EVP_DigestUpdate(ctx, chunk, n) != 1)
				return VG_ERROR;
			n = 0;
		}
		if (pending_space)
			chunk[n++] = ' ';
		chunk[n++] = c;
		pending_space = false;
		started = true;
	}
	if (n && EVP_DigestUpdate(ctx, chunk, n) != 1)
		return VG_ERROR;
	return 0;
}

void vg_finding_fingerprint(struct vg_finding *f, const char *key, size_t keylen)
{
	EVP_MD_CTX *ctx = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const char *id = f->rule && f->rule->id ? f->rule->id : "";
	const char *where = f->loc.path ? f->loc.path : f->loc.object ? f->loc.object : "";

	/* an empty fingerprint tells readers hashing failed (out of memory) */
	f->fingerprint[0] = '\0';
	if (!key)
		keylen = 0;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		goto out;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	/* the NULs keep ("a.b", "c") and ("a", "b.c")-style splits apart */
	if (EVP_DigestUpdate(ctx, id, strlen(id) + 1) != 1 ||
	    EVP_DigestUpdate(ctx, where, strlen(where) + 1) != 1)
		goto out;
	if (digest_normalized(ctx, key, keylen) < 0)
		goto out;
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen < 16)
		goto out;
	vg_hex(f->fingerprint, md, 16);
out:
	EVP_MD_CTX_free(ctx);
}

char *vg_redact(const char *secret, size_t len)
{
	struct vg_buf b;
	size_t keep = len / 4, i = 0;

	if (keep > 4)
		keep = 4;
	if (!secret)
		keep = 0;
	/* stop before a character that would be cut in half: showing less is fine */
	while (i < keep) {
		size_t l = vg_utf8_len((const unsigned char *)secret + i, len - i);

		if (l == 0)
			l = 1;
		if (i + l > keep)
			break;
		i += l;
	}
	keep = i;
	vg_buf_init(&b, 0);
	if (vg_buf_append(&b, secret, keep) < 0 || vg_buf_puts(&b, "****") < 0) {
		vg_buf_finish(&b);
		return NULL;
	}
	return vg_buf_detach(&b);
}

struct vg_results *vg_results_new(void)
{
	struct vg_results *r = vg_calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	vg_vec_init(&r->rules);
	vg_vec_init(&r->findings);
	vg_vec_init(&r->skipped);
	vg_vec_init(&r->errors);
	return r;
}

static void skip_free(void *p)
{
	struct vg_skip *s = p;

	if (!s)
		return;
	free(s->path);
	free(s->reason);
	free(s);
}

static void finding_free_item(void *p)
{
	vg_finding_free(p);
}

static void rule_meta_free_item(void *p)
{
	vg_rule_meta_finish(p);
	free(p);
}

void vg_results_free(struct vg_results *r)
{
	if (!r)
		return;
	free(r->tool_version);
	free_strv(r->targets, r->ntargets);
	free(r->profile);
	free_strv(r->policies, r->npolicies);
	free(r->root);
	vg_vec_finish(&r->findings, finding_free_item);
	vg_vec_finish(&r->rules, r->owns_rules ? rule_meta_free_item : NULL);
	vg_vec_finish(&r->skipped, skip_free);
	vg_vec_finish(&r->errors, free);
	free(r);
}

/* NULL sorts before any string, so object-only findings come first. */
static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmp_size(size_t a, size_t b)
{
	return (a > b) - (a < b);
}

static int cmp_finding(const struct vg_finding *a, const struct vg_finding *b)
{
	int c;

	if ((c = cmp_size(b->severity, a->severity)))
		return c;
	if ((c = cmp_str(a->rule ? a->rule->id : NULL, b->rule ? b->rule->id : NULL)))
		return c;
	if ((c = cmp_str(a->loc.path, b->loc.path)))
		return c;
	if ((c = cmp_size(a->loc.line, b->loc.line)))
		return c;
	if ((c = cmp_size(a->loc.col, b->loc.col)))
		return c;
	if ((c = cmp_str(a->loc.object, b->loc.object)))
		return c;
	if ((c = cmp_str(a->target, b->target)))
		return c;
	if ((c = strcmp(a->fingerprint, b->fingerprint)))
		return c;
	return cmp_size(a->status, b->status);
}

/* Bottom-up merge sort: stable, so findings equal under cmp_finding keep the
 * order the engine produced them in. */
static int merge_sort(void **items, size_t n)
{
	void **tmp = NULL, **src = items, **dst, **t;

	if (n < 2)
		return 0;
	tmp = vg_reallocarray(NULL, n, sizeof(*tmp));
	if (!tmp)
		return VG_ENOMEM;
	dst = tmp;
	for (size_t width = 1; width < n; width = width > n / 2 ? n : width * 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = mid + width < n ? mid + width : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi) {
				if (cmp_finding(src[j], src[i]) < 0)
					dst[k++] = src[j++];
				else
					dst[k++] = src[i++];
			}
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != items)
		memcpy(items, src, n * sizeof(*items));
	free(tmp);
	return 0;
}

static int qsort_cmp(const void *a, const void *b)
{
	return cmp_finding(*(void *const *)a, *(void *const *)b);
}

void vg_results_sort(struct vg_results *r)
{
	if (!r || r->findings.len < 2)
		return;
	/* without memory for the merge buffer the order is still deterministic
	 * for all but findings identical in every compared field */
	if (merge_sort(r->findings.items, r->findings.len) < 0)
		qsort(r->findings.items, r->findings.len, sizeof(void *), qsort_cmp);
}

void vg_results_count(const struct vg_results *r, struct vg_counts *out)
{
	memset(out, 0, sizeof(*out));
	if (!r)
		return;
	for (size_t i = 0; i < r->findings.len; i++) {
		const struct vg_finding *f = r->findings.items[i];

		if ((unsigned)f->status < VG_STATUS_COUNT)
			out->status[f->status]++;
		if (f->suppression != VG_SUPPRESS_NONE) {
			out->suppressed++;
			continue;
		}
		if (f->status == VG_STATUS_FAIL && (unsigned)f->severity < VG_SEV_COUNT)
			out->fail_by_severity[f->severity]++;
	}
}

int vg_results_exit_code(const struct vg_results *r)
{
	bool fail = false;

	if (!r)
		return 0;
	if (r->errors.len)
		return 2;
	for (size_t i = 0; i < r->findings.len; i++) {
		const struct vg_finding *f = r->findings.items[i];

		if (f->status == VG_STATUS_ERROR)
			return 2;
		if (f->status == VG_STATUS_FAIL && f->suppression == VG_SUPPRESS_NONE &&
		    !r->fail_on_none && f->severity >= r->fail_on)
			fail = true;
	}
	return fail ? 1 : 0;
}
