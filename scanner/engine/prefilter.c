/* SPDX-License-Identifier: Apache-2.0 */
/* Keyword prefilter: Hyperscan's literal matcher when available, else a case-folded Aho-Corasick DFA. */
#include "engine/prefilter.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "util.h"

#ifdef VG_HAVE_HYPERSCAN
#include <hs/hs.h>
#endif

struct vg_prefilter {
	size_t ngroups;
	uint64_t *always;      /* groups without keywords */
	size_t words;
	unsigned serial;
#ifdef VG_HAVE_HYPERSCAN
	hs_database_t *db;
#endif
	/* Aho-Corasick (used when db is NULL) */
	uint16_t *delta;       /* nstates * 256 */
	uint32_t *out_start;   /* nstates + 1 offsets into out */
	uint32_t *out;         /* group ids */
	size_t nstates;
};

static atomic_uint next_serial = 1;

/* ---- per-thread scratch (Hyperscan) ---- */

#ifdef VG_HAVE_HYPERSCAN
struct tls_scratch {
	hs_scratch_t *scratch;
	unsigned serial;       /* last prefilter the scratch was sized for */
};

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_destroy(void *p)
{
	struct tls_scratch *t = p;

	if (!t)
		return;
	hs_free_scratch(t->scratch);
	free(t);
}

static void scratch_key_init(void)
{
	pthread_key_create(&scratch_key, scratch_destroy);
}

static hs_scratch_t *thread_scratch(const struct vg_prefilter *pf)
{
	struct tls_scratch *t;

	pthread_once(&scratch_once, scratch_key_init);
	t = pthread_getspecific(scratch_key);
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t || pthread_setspecific(scratch_key, t) != 0) {
			free(t);
			return NULL;
		}
	}
	if (t->serial != pf->serial || !t->scratch) {
		if (hs_alloc_scratch(pf->db, &t->scratch) != HS_SUCCESS)
			return NULL;
		t->serial = pf->serial;
	}
	return t->scratch;
}
#endif

void vg_prefilter_thread_cleanup(void)
{
#ifdef VG_HAVE_HYPERSCAN
	struct tls_scratch *t;

	pthread_once(&scratch_once, scratch_key_init);
	t = pthread_getspecific(scratch_key);
	scratch_destroy(t);
	pthread_setspecific(scratch_key, NULL);
#endif
}

/* ---- Aho-Corasick ---- */

struct trie {
	uint16_t *next;  /* nstates * 256, 0 = none (state 0 is the root) */
	struct vg_vec *outs; /* per state: group ids (as uintptr_t) */
	size_t nstates, cap;
};

static int trie_grow(struct trie *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 256;
	uint16_t *n;
	struct vg_vec *o;

	if (ncap > VG_MAX_PREFILTER_STATES)
		ncap = VG_MAX_PREFILTER_STATES;
	if (ncap <= t->cap)
		return VG_ELIMIT;
	n = vg_reallocarray(t->next, ncap, 256 * sizeof(*n));
	if (!n)
		return VG_ENOMEM;
	t->next = n;
	memset(t->next + t->cap * 256, 0, (ncap - t->cap) * 256 * sizeof(*n));
	o = vg_reallocarray(t->outs, ncap, sizeof(*o));
	if (!o)
		return VG_ENOMEM;
	t->outs = o;
	for (size_t i = t->cap; i < ncap; i++)
		vg_vec_init(&t->outs[i]);
	t->cap = ncap;
	return 0;
}

static int trie_add(struct trie *t, const char *kw, size_t group)
{
	size_t s = 0;
	int rc;

	for (const unsigned char *p = (const unsigned char *)kw; *p; p++) {
		unsigned c = (unsigned)tolower(*p);

		if (!t->next[s * 256 + c]) {
			if (t->nstates == t->cap && (rc = trie_grow(t)) < 0)
				return rc;
			t->next[s * 256 + c] = (uint16_t)t->nstates++;
		}
		s = t->next[s * 256 + c];
	}
	return vg_vec_push(&t->outs[s], (void *)(uintptr_t)group);
}

static bool has_group(const struct vg_vec *v, uintptr_t g)
{
	for (size_t i = 0; i < v->len; i++)
		if ((uintptr_t)v->items[i] == g)
			return true;
	return false;
}

/* Turns the trie into a full DFA (goto + failure links folded in) with merged outputs. */
static int build_dfa(struct vg_prefilter *pf, struct trie *t)
{
	uint32_t *fail = vg_calloc(t->nstates, sizeof(*fail));
	uint32_t *queue = vg_calloc(t->nstates, sizeof(*queue));
	size_t head = 0, tail = 0, total = 0;
	int rc = VG_ENOMEM;

	if (!fail || !queue)
		goto out;
	for (unsigned c = 0; c < 256; c++) {
		uint16_t s = t->next[c];

		if (s) {
			fail[s] = 0;
			queue[tail++] = s;
		}
	}
	while (head < tail) {
		uint32_t r = queue[head++];

		for (size_t i = 0; i < t->outs[fail[r]].len; i++) {
			uintptr_t g = (uintptr_t)t->outs[fail[r]].items[i];

			if (!has_group(&t->outs[r], g) && vg_vec_push(&t->outs[r], (void *)g) < 0)
				goto out;
		}
		for (unsigned c = 0; c < 256; c++) {
			uint16_t s = t->next[r * 256 + c];

			if (s) {
				fail[s] = t->next[fail[r] * 256 + c];
				queue[tail++] = s;
			} else {
				t->next[r * 256 + c] = t->next[fail[r] * 256 + c];
			}
		}
	}
	/* upper-case bytes follow their lower-case twins */
	for (size_t s = 0; s < t->nstates; s++)
		for (unsigned c = 'A'; c <= 'Z'; c++)
			t->next[s * 256 + c] = t->next[s * 256 + (c | 0x20)];
	pf->out_start = vg_calloc(t->nstates + 1, sizeof(*pf->out_start));
	if (!pf->out_start)
		goto out;
	for (size_t s = 0; s < t->nstates; s++) {
		pf->out_start[s] = (uint32_t)total;
		total += t->outs[s].len;
	}
	pf->out_start[t->nstates] = (uint32_t)total;
	pf->out = vg_calloc(total, sizeof(*pf->out));
	if (!pf->out)
		goto out;
	for (size_t s = 0, k = 0; s < t->nstates; s++)
		for (size_t i = 0; i < t->outs[s].len; i++)
			pf->out[k++] = (uint32_t)(uintptr_t)t->outs[s].items[i];
	pf->delta = t->next;
	pf->nstates = t->nstates;
	t->next = NULL;
	rc = 0;
out:
	free(fail);
	free(queue);
	return rc;
}

static void trie_finish(struct trie *t)
{
	for (size_t i = 0; i < t->cap; i++)
		vg_vec_finish(&t->outs[i], NULL);
	free(t->outs);
	free(t->next);
}

static int build_ac(struct vg_prefilter *pf, char *const *const *kw, const size_t *counts,
		    size_t n, struct vg_error *err)
{
	struct trie t = {0};
	int rc;

	if ((rc = trie_grow(&t)) < 0)
		goto out;
	t.nstates = 1;
	for (size_t g = 0; g < n; g++)
		for (size_t i = 0; i < counts[g]; i++)
			if ((rc = trie_add(&t, kw[g][i], g)) < 0)
				goto out;
	rc = build_dfa(pf, &t);
out:
	trie_finish(&t);
	if (rc == VG_ELIMIT)
		vg_error_set(err, rc, "too many keywords for the prefilter (more than %d states)",
			     VG_MAX_PREFILTER_STATES);
	else if (rc < 0)
		vg_error_set(err, rc, "out of memory building the prefilter");
	return rc;
}

/* ---- Hyperscan ---- */

#ifdef VG_HAVE_HYPERSCAN
static int build_hs(struct vg_prefilter *pf, char *const *const *kw, const size_t *counts,
		    size_t n, struct vg_error *err)
{
	hs_compile_error_t *cerr = NULL;
	const char **exprs = NULL;
	unsigned *flags = NULL, *ids = NULL;
	size_t *lens = NULL, total = 0, k = 0;
	int rc = VG_ENOMEM;

	for (size_t g = 0; g < n; g++)
		total += counts[g];
	if (!total)
		return 0;
	exprs = vg_calloc(total, sizeof(*exprs));
	flags = vg_calloc(total, sizeof(*flags));
	ids = vg_calloc(total, sizeof(*ids));
	lens = vg_calloc(total, sizeof(*lens));
	if (!exprs || !flags || !ids || !lens)
		goto out;
	for (size_t g = 0; g < n; g++) {
		for (size_t i = 0; i < counts[g]; i++, k++) {
			exprs[k] = kw[g][i];
			lens[k] = strlen(kw[g][i]);
			flags[k] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
			ids[k] = (unsigned)g;
		}
	}
	if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)total, HS_MODE_BLOCK, NULL,
				 &pf->db, &cerr) != HS_SUCCESS) {
		/* not fatal: the automaton does the same job more slowly */
		hs_free_compile_error(cerr);
		pf->db = NULL;
		rc = 0;
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		vg_error_set(err, rc, "out of memory building the prefilter");
	free(exprs);
	free(flags);
	free(ids);
	free(lens);
	return rc;
}

static int on_hs_match(unsigned id, unsigned long long from, unsigned long long to,
		       unsigned fl, void *ctx)
{
	uint64_t *hits = ctx;

	(void)from;
	(void)to;
	(void)fl;
	hits[id / 64] |= 1ull << (id % 64);
	return 0;
}
#endif

int vg_prefilter_new(struct vg_prefilter **out, char *const *const *keywords,
		     const size_t *counts, size_t n, struct vg_error *err)
{
	struct vg_prefilter *pf = calloc(1, sizeof(*pf));
	int rc = VG_ENOMEM;

	*out = NULL;
	if (!pf)
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	pf->ngroups = n;
	pf->words = (n + 63) / 64;
	pf->serial = atomic_fetch_add(&next_serial, 1);
	pf->always = vg_calloc(pf->words ? pf->words : 1, sizeof(*pf->always));
	if (!pf->always)
		goto fail;
	for (size_t g = 0; g < n; g++)
		if (!counts[g])
			pf->always[g / 64] |= 1ull << (g % 64);
#ifdef VG_HAVE_HYPERSCAN
	if (getenv("VIGIL_NO_HYPERSCAN") == NULL && (rc = build_hs(pf, keywords, counts, n, err)) < 0)
		goto fail;
	if (pf->db) {
		*out = pf;
		return 0;
	}
#endif
	if ((rc = build_ac(pf, keywords, counts, n, err)) < 0)
		goto fail;
	*out = pf;
	return 0;
fail:
	vg_prefilter_free(pf);
	return rc;
}

void vg_prefilter_free(struct vg_prefilter *pf)
{
	if (!pf)
		return;
#ifdef VG_HAVE_HYPERSCAN
	hs_free_database(pf->db);
#endif
	free(pf->always);
	free(pf->delta);
	free(pf->out_start);
	free(pf->out);
	free(pf);
}

size_t vg_prefilter_words(const struct vg_prefilter *pf)
{
	return pf->words ? pf->words : 1;
}

const char *vg_prefilter_engine(const struct vg_prefilter *pf)
{
#ifdef VG_HAVE_HYPERSCAN
	if (pf->db)
		return "hyperscan";
#endif
	(void)pf;
	return "aho-corasick";
}

int vg_prefilter_scan(const struct vg_prefilter *pf, const char *data, size_t len,
		      uint64_t *hits)
{
	for (size_t i = 0; i < pf->words; i++)
		hits[i] |= pf->always[i];
#ifdef VG_HAVE_HYPERSCAN
	if (pf->db) {
		hs_scratch_t *scratch = thread_scratch(pf);

		if (!scratch)
			return VG_ENOMEM;
		/* hs_scan takes an unsigned length: large buffers go in pieces that
		 * overlap by the longest keyword */
		while (len > 0) {
			size_t chunk = len > (1u << 30) ? (1u << 30) : len;

			if (hs_scan(pf->db, data, (unsigned)chunk, 0, scratch, on_hs_match, hits) !=
			    HS_SUCCESS)
				return VG_ERROR;
			if (chunk == len)
				break;
			data += chunk - 64;
			len -= chunk - 64;
		}
		return 0;
	}
#endif
	if (pf->nstates) {
		const unsigned char *p = (const unsigned char *)data, *end = p + len;
		const uint16_t *delta = pf->delta;
		const uint32_t *os = pf->out_start;
		uint32_t s = 0;

		for (; p < end; p++) {
			s = delta[s * 256 + *p];
			if (os[s] != os[s + 1])
				for (uint32_t k = os[s]; k < os[s + 1]; k++)
					hits[pf->out[k] / 64] |= 1ull << (pf->out[k] % 64);
		}
	}
	return 0;
}
