/* SPDX-License-Identifier: Apache-2.0 */
/* Keyword prefilter: Hyperscan's literal matcher when available, else a case-folded Aho-Corasick DFA. */
#include "engine/prefilter.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "regex.h"
#include "util.h"

#ifdef VG_HAVE_HYPERSCAN
#include <hs/hs.h>
#endif

/* Bytes a lazy prefilter scans with its automaton before compiling
 * Hyperscan: the compile costs about what the automaton's slower pass over
 * this much text does, so small scans (a pre-commit run) never pay it. */
#define HS_AFTER (8u * 1024 * 1024)

struct vg_prefilter {
	size_t ngroups;        /* ids below: keyword groups; from here: positional literals */
	size_t nlits;
	uint64_t *always;      /* groups without keywords */
	size_t words;
	unsigned serial;
#ifdef VG_HAVE_HYPERSCAN
	_Atomic(hs_database_t *) db; /* NULL until compiled */
	bool hs_wanted;        /* built with Hyperscan and not told otherwise */
	atomic_bool hs_failed; /* it refused the literals: the automaton for good */
	atomic_size_t scanned; /* bytes the automaton scanned, for a lazy compile */
	pthread_mutex_t hs_lock;
	/* Hyperscan's input, kept for a compile that may come later */
	char **hs_exprs;
	unsigned *hs_flags, *hs_ids;
	size_t *hs_lens, hs_total;
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

static hs_scratch_t *thread_scratch(const struct vg_prefilter *pf, const hs_database_t *db)
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
		if (hs_alloc_scratch(db, &t->scratch) != HS_SUCCESS)
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
		    size_t n, char *const *lits, size_t nlits, struct vg_error *err)
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
	for (size_t k = 0; k < nlits; k++)
		if ((rc = trie_add(&t, lits[k], n + k)) < 0)
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
/* Keeps a copy of what Hyperscan is to compile: keywords match once per
 * buffer (their group's bit is all that is wanted), positional literals at
 * every occurrence. */
static int hs_prepare(struct vg_prefilter *pf, char *const *const *kw, const size_t *counts,
		      size_t n, char *const *lits, size_t nlits)
{
	size_t total = nlits, k = 0;

	for (size_t g = 0; g < n; g++)
		total += counts[g];
	pf->hs_total = total;
	if (!total)
		return 0;
	pf->hs_exprs = vg_calloc(total, sizeof(*pf->hs_exprs));
	pf->hs_flags = vg_calloc(total, sizeof(*pf->hs_flags));
	pf->hs_ids = vg_calloc(total, sizeof(*pf->hs_ids));
	pf->hs_lens = vg_calloc(total, sizeof(*pf->hs_lens));
	if (!pf->hs_exprs || !pf->hs_flags || !pf->hs_ids || !pf->hs_lens)
		return VG_ENOMEM;
	for (size_t g = 0; g < n; g++) {
		for (size_t i = 0; i < counts[g]; i++, k++) {
			pf->hs_lens[k] = strlen(kw[g][i]);
			pf->hs_flags[k] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
			pf->hs_ids[k] = (unsigned)g;
			if (!(pf->hs_exprs[k] = vg_strndup(kw[g][i], pf->hs_lens[k])))
				return VG_ENOMEM;
		}
	}
	for (size_t i = 0; i < nlits; i++, k++) {
		pf->hs_lens[k] = strlen(lits[i]);
		pf->hs_flags[k] = HS_FLAG_CASELESS;
		pf->hs_ids[k] = (unsigned)(n + i);
		if (!(pf->hs_exprs[k] = vg_strndup(lits[i], pf->hs_lens[k])))
			return VG_ENOMEM;
	}
	return 0;
}

/* Compiles the Hyperscan database once, whichever thread asks first; NULL
 * when it cannot be (then the automaton serves). */
static hs_database_t *hs_compile_once(struct vg_prefilter *pf)
{
	hs_compile_error_t *cerr = NULL;
	hs_database_t *db;

	pthread_mutex_lock(&pf->hs_lock);
	db = atomic_load_explicit(&pf->db, memory_order_relaxed);
	if (!db && !atomic_load(&pf->hs_failed)) {
		if (!pf->hs_total ||
		    hs_compile_lit_multi((const char *const *)pf->hs_exprs, pf->hs_flags,
					 pf->hs_ids, pf->hs_lens, (unsigned)pf->hs_total,
					 HS_MODE_BLOCK, NULL, &db, &cerr) != HS_SUCCESS) {
			hs_free_compile_error(cerr);
			db = NULL;
			atomic_store(&pf->hs_failed, true);
		} else {
			atomic_store_explicit(&pf->db, db, memory_order_release);
		}
	}
	pthread_mutex_unlock(&pf->hs_lock);
	return db;
}

struct hs_ctx {
	uint64_t *hits;
	size_t ngroups;
	vg_prefilter_lit_fn fn;
	void *ud;
	size_t base;           /* offset of the chunk being scanned */
	size_t seen;           /* literal occurrences ending here or before were reported */
	int rc;
};

static int on_hs_match(unsigned id, unsigned long long from, unsigned long long to,
		       unsigned fl, void *ctx)
{
	struct hs_ctx *c = ctx;
	size_t end = c->base + (size_t)to;

	(void)from;
	(void)fl;
	if (id < c->ngroups) {
		c->hits[id / 64] |= 1ull << (id % 64);
		return 0;
	}
	if (!c->fn || end <= c->seen)
		return 0;
	c->rc = c->fn(c->ud, id - c->ngroups, end);
	return c->rc != 0;
}
#endif

int vg_prefilter_new_lits(struct vg_prefilter **out, char *const *const *keywords,
			  const size_t *counts, size_t n, char *const *lits, size_t nlits,
			  unsigned flags, struct vg_error *err)
{
	struct vg_prefilter *pf = NULL;
	int rc = VG_ENOMEM;

	*out = NULL;
	for (size_t k = 0; k < nlits; k++)
		if (!lits[k][0] || strlen(lits[k]) > 64)
			return vg_error_set(err, VG_ERROR, "prefilter literals are 1 to 64 bytes");
	pf = calloc(1, sizeof(*pf));
	if (!pf)
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	pf->ngroups = n;
	pf->nlits = nlits;
	pf->words = (n + 63) / 64;
	pf->serial = atomic_fetch_add(&next_serial, 1);
#ifdef VG_HAVE_HYPERSCAN
	pthread_mutex_init(&pf->hs_lock, NULL);
	atomic_init(&pf->db, NULL);
	atomic_init(&pf->hs_failed, false);
	atomic_init(&pf->scanned, 0);
#endif
	pf->always = vg_calloc(pf->words ? pf->words : 1, sizeof(*pf->always));
	if (!pf->always)
		goto fail;
	for (size_t g = 0; g < n; g++)
		if (!counts[g])
			pf->always[g / 64] |= 1ull << (g % 64);
#ifdef VG_HAVE_HYPERSCAN
	pf->hs_wanted = getenv("VIGIL_NO_HYPERSCAN") == NULL;
	if (pf->hs_wanted) {
		if ((rc = hs_prepare(pf, keywords, counts, n, lits, nlits)) < 0) {
			vg_error_set(err, rc, "out of memory building the prefilter");
			goto fail;
		}
		if (!(flags & VG_PREFILTER_LAZY) && hs_compile_once(pf)) {
			*out = pf;
			return 0;
		}
	}
#endif
	rc = build_ac(pf, keywords, counts, n, lits, nlits, err);
#ifdef VG_HAVE_HYPERSCAN
	/* more than the automaton holds: Hyperscan from the start, if it can */
	if (rc == VG_ELIMIT && pf->hs_wanted && hs_compile_once(pf))
		rc = 0;
#endif
	if (rc < 0)
		goto fail;
	*out = pf;
	return 0;
fail:
	vg_prefilter_free(pf);
	return rc;
}

int vg_prefilter_new(struct vg_prefilter **out, char *const *const *keywords,
		     const size_t *counts, size_t n, struct vg_error *err)
{
	return vg_prefilter_new_lits(out, keywords, counts, n, NULL, 0, 0, err);
}

void vg_prefilter_free(struct vg_prefilter *pf)
{
	if (!pf)
		return;
#ifdef VG_HAVE_HYPERSCAN
	hs_free_database(atomic_load(&pf->db));
	for (size_t k = 0; pf->hs_exprs && k < pf->hs_total; k++)
		free(pf->hs_exprs[k]);
	free(pf->hs_exprs);
	free(pf->hs_flags);
	free(pf->hs_ids);
	free(pf->hs_lens);
	pthread_mutex_destroy(&pf->hs_lock);
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
	if (atomic_load(&((struct vg_prefilter *)pf)->db))
		return "hyperscan";
#endif
	(void)pf;
	return "aho-corasick";
}

#ifdef VG_HAVE_HYPERSCAN
static int scan_hs(const struct vg_prefilter *pf, const hs_database_t *db, const char *data,
		   size_t len, uint64_t *hits, vg_prefilter_lit_fn fn, void *ud)
{
	hs_scratch_t *scratch = thread_scratch(pf, db);
	struct hs_ctx c = {.hits = hits, .ngroups = pf->ngroups, .fn = fn, .ud = ud};

	if (!scratch)
		return VG_ENOMEM;
	/* hs_scan takes an unsigned length: large buffers go in pieces that
	 * overlap by the longest keyword; literals ending in an overlap were
	 * reported with the piece before */
	while (len > 0) {
		size_t chunk = len > (1u << 30) ? (1u << 30) : len;
		hs_error_t e = hs_scan(db, data + c.base, (unsigned)chunk, 0, scratch, on_hs_match,
				       &c);

		if (e == HS_SCAN_TERMINATED && c.rc)
			return c.rc;
		if (e != HS_SUCCESS)
			return VG_ERROR;
		if (chunk == len)
			break;
		c.seen = c.base + chunk;
		c.base += chunk - 64;
		len -= chunk - 64;
	}
	return 0;
}
#endif

int vg_prefilter_scan_lits(const struct vg_prefilter *pf, const char *data, size_t len,
			   uint64_t *hits, vg_prefilter_lit_fn fn, void *ud)
{
	for (size_t i = 0; i < pf->words; i++)
		hits[i] |= pf->always[i];
#ifdef VG_HAVE_HYPERSCAN
	{
		/* the object is never defined const: only its users see it so */
		struct vg_prefilter *m = (struct vg_prefilter *)pf;
		hs_database_t *db = atomic_load_explicit(&m->db, memory_order_acquire);

		if (!db && m->hs_wanted && !atomic_load(&m->hs_failed) &&
		    atomic_fetch_add(&m->scanned, len) + len >= HS_AFTER)
			db = hs_compile_once(m);
		if (db)
			return scan_hs(pf, db, data, len, hits, fn, ud);
	}
#endif
	if (pf->nstates) {
		const unsigned char *p = (const unsigned char *)data, *end = p + len;
		const uint16_t *delta = pf->delta;
		const uint32_t *os = pf->out_start;
		uint32_t s = 0;

		for (; p < end; p++) {
			s = delta[s * 256 + *p];
			if (os[s] == os[s + 1])
				continue;
			for (uint32_t k = os[s]; k < os[s + 1]; k++) {
				uint32_t id = pf->out[k];
				int rc;

				if (id < pf->ngroups) {
					hits[id / 64] |= 1ull << (id % 64);
					continue;
				}
				if (!fn)
					continue;
				rc = fn(ud, id - pf->ngroups,
					(size_t)(p - (const unsigned char *)data) + 1);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
}

int vg_prefilter_scan(const struct vg_prefilter *pf, const char *data, size_t len,
		      uint64_t *hits)
{
	return vg_prefilter_scan_lits(pf, data, len, hits, NULL, NULL);
}

/* ---- anchors: literals every match of a regex contains ----
 *
 * A small reader of PCRE2 syntax computes, for each node of the pattern, the
 * range of lengths its matches span, whether it matches one of a few fixed
 * strings (compared case-folded), and a set of literals one of which every
 * match contains at a bounded offset. A sequence picks its best literal set
 * among its items' and among runs of consecutive fixed-string items; an
 * alternation needs one in every branch. Whatever the reader does not follow
 * makes the whole pattern unsupported, so a caller falls back to running the
 * regex over everything: the analysis may miss a chance, never a match. */

enum {
	LIT_MIN = 3,    /* shorter literals are everywhere: useless as anchors */
	LIT_MAX = 32,
	SET_MAX = 16,   /* strings in a fixed-string set */
	ANCH_MAX = 48,  /* literals in one anchor set */
	WIN_MAX = 512,  /* widest range of match starts one occurrence may leave */
	DEPTH_MAX = 32, /* nested groups */
};
#define WINF SIZE_MAX

struct lit {
	unsigned char len;
	char s[LIT_MAX + 1];
};

struct anch {
	struct lit lit;
	size_t omin, omax;
};

struct info {
	size_t minw, maxw;     /* bytes a match spans; maxw WINF: no bound */
	bool finite;           /* every match is one of fin[] (case-folded) */
	size_t nfin;
	struct lit fin[SET_MAX];
	bool anchored;         /* every match holds one of anch[] where it says */
	size_t nanch;
	struct anch anch[ANCH_MAX];
};

struct rparser {
	const unsigned char *p, *end;
	int depth;
};

static size_t wadd(size_t a, size_t b)
{
	size_t r;

	return a == WINF || b == WINF || !vg_add_size(&r, a, b) ? WINF : r;
}

static size_t wmul(size_t a, size_t n)
{
	size_t r;

	if (a == 0 || n == 0)
		return 0;
	return a == WINF || n == WINF || !vg_mul_size(&r, a, n) ? WINF : r;
}

static double set_cost(const struct anch *a, size_t n)
{
	double cost = 0;

	/* how often a literal turns up falls about 16-fold per byte; each
	 * occurrence costs one matcher call per start position it allows */
	for (size_t i = 0; i < n; i++) {
		double f = 1;

		for (size_t k = 0; k < a[i].lit.len && k < 12; k++)
			f /= 16;
		cost += f * (double)(a[i].omax - a[i].omin + 1);
	}
	return cost;
}

static size_t min_len(const struct anch *a, size_t n)
{
	size_t m = SIZE_MAX;

	for (size_t i = 0; i < n; i++)
		if (a[i].lit.len < m)
			m = a[i].lit.len;
	return m;
}

/* Offers anchors a[0..n) shifted by [smin, smax] as the node's set; keeps
 * whichever is cheaper. */
static void offer(struct info *x, const struct anch *a, size_t n, size_t smin, size_t smax)
{
	struct anch tmp[ANCH_MAX];

	if (n == 0 || n > ANCH_MAX || smax == WINF)
		return;
	for (size_t i = 0; i < n; i++) {
		tmp[i] = a[i];
		tmp[i].omin = wadd(a[i].omin, smin);
		tmp[i].omax = wadd(a[i].omax, smax);
		if (tmp[i].lit.len < LIT_MIN || tmp[i].omax == WINF ||
		    tmp[i].omax - tmp[i].omin > WIN_MAX)
			return;
	}
	if (x->anchored) {
		double now = set_cost(x->anch, x->nanch), cand = set_cost(tmp, n);

		/* on a tie, longer literals: fewer chance occurrences to confirm */
		if (now < cand || (now == cand && min_len(x->anch, x->nanch) >= min_len(tmp, n)))
			return;
	}
	memcpy(x->anch, tmp, n * sizeof(*tmp));
	x->nanch = n;
	x->anchored = true;
}

/* Offers fixed strings fin[0..n), starting [smin, smax] into the node. */
static void offer_strings(struct info *x, const struct lit *fin, size_t n, size_t smin,
			  size_t smax)
{
	struct anch a[SET_MAX];

	for (size_t i = 0; i < n; i++) {
		if (fin[i].len < LIT_MIN)
			return;
		a[i].lit = fin[i];
		a[i].omin = a[i].omax = 0;
	}
	offer(x, a, n, smin, smax);
}

static void finalize(struct info *x)
{
	if (x->finite)
		offer_strings(x, x->fin, x->nfin, 0, 0);
}

static bool lit_eq(const struct lit *a, const struct lit *b)
{
	return a->len == b->len && !memcmp(a->s, b->s, a->len);
}

/* out = a x b (every string of a followed by every string of b); false when
 * it would hold too many or too long strings. out may be a. */
static bool cross(struct lit *out, size_t *nout, const struct lit *a, size_t na,
		  const struct lit *b, size_t nb)
{
	struct lit tmp[SET_MAX];
	size_t n = 0;

	if (na * nb > SET_MAX)
		return false;
	for (size_t i = 0; i < na; i++) {
		for (size_t k = 0; k < nb; k++) {
			struct lit l;
			bool dup = false;

			if (a[i].len + b[k].len > LIT_MAX)
				return false;
			l.len = (unsigned char)(a[i].len + b[k].len);
			memcpy(l.s, a[i].s, a[i].len);
			memcpy(l.s + a[i].len, b[k].s, b[k].len);
			l.s[l.len] = '\0';
			for (size_t j = 0; j < n && !dup; j++)
				dup = lit_eq(&tmp[j], &l);
			if (!dup)
				tmp[n++] = l;
		}
	}
	memcpy(out, tmp, n * sizeof(*tmp));
	*nout = n;
	return true;
}

static bool set_union(struct lit *a, size_t *na, const struct lit *b, size_t nb)
{
	for (size_t k = 0; k < nb; k++) {
		bool dup = false;

		for (size_t j = 0; j < *na && !dup; j++)
			dup = lit_eq(&a[j], &b[k]);
		if (dup)
			continue;
		if (*na == SET_MAX)
			return false;
		a[(*na)++] = b[k];
	}
	return true;
}

static void set_empty(struct info *x)
{
	memset(x, 0, sizeof(*x));
	x->finite = true;
	x->nfin = 1; /* the empty string */
}

static void set_char(struct info *x, unsigned c)
{
	memset(x, 0, sizeof(*x));
	x->minw = x->maxw = 1;
	x->finite = c != 0;
	x->nfin = 1;
	x->fin[0].len = 1;
	x->fin[0].s[0] = (char)tolower((int)c);
}

static void set_any(struct info *x, size_t minw, size_t maxw)
{
	memset(x, 0, sizeof(*x));
	x->minw = minw;
	x->maxw = maxw;
}

static int parse_alt(struct rparser *rp, struct info *out);

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* After a backslash: a single byte (*c), a class of several (*c = -1), or
 * VG_EUNSUPPORTED. Handles what may appear both inside and outside []. */
static int escape_byte(struct rparser *rp, int *c)
{
	int e, v = 0, n = 0;

	if (rp->p >= rp->end)
		return VG_EUNSUPPORTED;
	e = *rp->p++;
	switch (e) {
	case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
	case 'h': case 'H': case 'v': case 'V':
		*c = -1;
		return 0;
	case 'n': *c = '\n'; return 0;
	case 'r': *c = '\r'; return 0;
	case 't': *c = '\t'; return 0;
	case 'f': *c = '\f'; return 0;
	case 'e': *c = 0x1b; return 0;
	case 'a': *c = 0x07; return 0;
	case 'x':
		if (rp->p < rp->end && *rp->p == '{') {
			for (rp->p++; rp->p < rp->end && hexval(*rp->p) >= 0 && n < 3; rp->p++, n++)
				v = v * 16 + hexval(*rp->p);
			if (rp->p >= rp->end || *rp->p != '}' || n == 0 || v > 0xff)
				return VG_EUNSUPPORTED;
			rp->p++;
		} else {
			for (; rp->p < rp->end && hexval(*rp->p) >= 0 && n < 2; rp->p++, n++)
				v = v * 16 + hexval(*rp->p);
		}
		*c = v;
		return 0;
	case 'c':
		if (rp->p >= rp->end || *rp->p < 0x20 || *rp->p > 0x7e)
			return VG_EUNSUPPORTED;
		*c = toupper(*rp->p++) ^ 0x40;
		return 0;
	default:
		if (isalnum(e))
			return VG_EUNSUPPORTED; /* octal, properties, \R, \X, \N... */
		*c = e;
		return 0;
	}
}

/* A bracketed class; rp->p is just past '['. */
static int parse_class(struct rparser *rp, struct info *x)
{
	bool set[256] = {false}, neg = false, big = false, first = true;
	size_t n = 0;

	if (rp->p < rp->end && *rp->p == '^') {
		neg = true;
		rp->p++;
	}
	for (;;) {
		int lo, hi, rc;

		if (rp->p >= rp->end)
			return VG_EUNSUPPORTED;
		if (*rp->p == ']' && !first) {
			rp->p++;
			break;
		}
		first = false;
		if (*rp->p == '[' && rp->p + 1 < rp->end &&
		    (rp->p[1] == ':' || rp->p[1] == '.' || rp->p[1] == '=')) {
			const unsigned char *q = rp->p + 2;

			while (q + 1 < rp->end && !(q[0] == rp->p[1] && q[1] == ']'))
				q++;
			if (q + 1 >= rp->end)
				return VG_EUNSUPPORTED;
			rp->p = q + 2;
			big = true;
			continue;
		}
		if (*rp->p == '\\') {
			rp->p++;
			if (rp->p < rp->end && (*rp->p == 'Q' || *rp->p == 'E' || *rp->p == 'b'))
				return VG_EUNSUPPORTED;
			if ((rc = escape_byte(rp, &lo)) < 0)
				return rc;
		} else {
			lo = *rp->p++;
		}
		if (lo < 0) {
			big = true;
			continue;
		}
		hi = lo;
		if (rp->p + 1 < rp->end && rp->p[0] == '-' && rp->p[1] != ']') {
			rp->p++;
			if (*rp->p == '\\') {
				rp->p++;
				if ((rc = escape_byte(rp, &hi)) < 0)
					return rc;
				if (hi < 0)
					return VG_EUNSUPPORTED;
			} else if (*rp->p == '[') {
				return VG_EUNSUPPORTED;
			} else {
				hi = *rp->p++;
			}
			if (hi < lo)
				return VG_EUNSUPPORTED;
		}
		for (int c = lo; c <= hi; c++)
			set[tolower(c)] = true;
	}
	set_any(x, 1, 1);
	if (big || neg)
		return 0;
	for (int c = 0; c < 256; c++)
		if (set[c])
			n++;
	if (n == 0 || n > 8 || set[0])
		return 0;
	x->finite = true;
	for (int c = 0; c < 256; c++) {
		if (!set[c])
			continue;
		x->fin[x->nfin].len = 1;
		x->fin[x->nfin].s[0] = (char)c;
		x->fin[x->nfin++].s[1] = '\0';
	}
	return 0;
}

/* (?flags) or (?flags: ; rp->p at the first flag letter. Extended mode
 * changes how the pattern reads: not followed. */
static int parse_flags(struct rparser *rp, bool *group)
{
	bool on = true;

	for (; rp->p < rp->end; rp->p++) {
		int c = *rp->p;

		if (c == ')' || c == ':') {
			*group = c == ':';
			rp->p++;
			return 0;
		}
		if (c == '-') {
			on = false;
		} else if (c == '^') {
			on = true;
		} else if (c == 'x') {
			if (on)
				return VG_EUNSUPPORTED;
		} else if (!strchr("imnsJU", c)) {
			return VG_EUNSUPPORTED;
		}
	}
	return VG_EUNSUPPORTED;
}

/* rp->p just past '('. */
static int parse_group(struct rparser *rp, struct info *x)
{
	enum { PLAIN, LOOKAHEAD, ZERO } kind = PLAIN;
	struct info *in = NULL;
	int rc;

	if (rp->p < rp->end && *rp->p == '*')
		return VG_EUNSUPPORTED; /* (*VERB) */
	if (rp->p < rp->end && *rp->p == '?') {
		const unsigned char *q = ++rp->p;

		if (q >= rp->end)
			return VG_EUNSUPPORTED;
		if (*q == ':' || *q == '|' || *q == '>') {
			rp->p++;
		} else if (*q == '=') {
			kind = LOOKAHEAD;
			rp->p++;
		} else if (*q == '!') {
			kind = ZERO;
			rp->p++;
		} else if (*q == '<' && q + 1 < rp->end && (q[1] == '=' || q[1] == '!')) {
			kind = ZERO;
			rp->p += 2;
		} else if (*q == '<' || *q == '\'' ||
			   (*q == 'P' && q + 1 < rp->end && q[1] == '<')) {
			int close = *q == '\'' ? '\'' : '>';

			while (rp->p < rp->end && *rp->p != close)
				rp->p++;
			if (rp->p >= rp->end)
				return VG_EUNSUPPORTED;
			rp->p++;
		} else if (*q == '#') {
			while (rp->p < rp->end && *rp->p != ')')
				rp->p++;
			if (rp->p >= rp->end)
				return VG_EUNSUPPORTED;
			rp->p++;
			set_empty(x);
			return 0;
		} else if (strchr("imnsxJU-^", *q)) {
			bool group = false;

			if ((rc = parse_flags(rp, &group)) < 0)
				return rc;
			if (!group) {
				set_empty(x);
				return 0;
			}
		} else {
			return VG_EUNSUPPORTED; /* recursion, conditionals, callouts, (?P=...) */
		}
	}
	if (++rp->depth > DEPTH_MAX)
		return VG_EUNSUPPORTED;
	in = calloc(1, sizeof(*in));
	if (!in)
		return VG_ENOMEM;
	rc = parse_alt(rp, in);
	rp->depth--;
	if (rc == 0 && (rp->p >= rp->end || *rp->p != ')'))
		rc = VG_EUNSUPPORTED;
	if (rc < 0)
		goto out;
	rp->p++;
	if (kind == PLAIN) {
		*x = *in;
	} else {
		/* consumes nothing; a lookahead's literals still occur where it stands */
		set_empty(x);
		if (kind == LOOKAHEAD && in->anchored) {
			x->anchored = true;
			x->nanch = in->nanch;
			memcpy(x->anch, in->anch, in->nanch * sizeof(*in->anch));
		}
	}
out:
	free(in);
	return rc;
}

/* One atom, without its quantifier. */
static int parse_atom(struct rparser *rp, struct info *x)
{
	int c = *rp->p++, rc;

	switch (c) {
	case '(':
		return parse_group(rp, x);
	case '[':
		return parse_class(rp, x);
	case '.':
		set_any(x, 1, 1);
		return 0;
	case '^':
	case '$':
		set_empty(x);
		return 0;
	case '\\':
		if (rp->p >= rp->end)
			return VG_EUNSUPPORTED;
		c = *rp->p;
		if (strchr("bBAzZG", c)) {
			rp->p++;
			set_empty(x);
			return 0;
		}
		if (c == 'k' || c == 'g' || (c >= '1' && c <= '9')) {
			/* a back-reference: any length; skip its name or number */
			rp->p++;
			if (c == 'g' && rp->p < rp->end && (*rp->p == '-' || *rp->p == '+'))
				rp->p++;
			if (rp->p < rp->end && strchr("<{'", *rp->p)) {
				int close = *rp->p == '<' ? '>' : *rp->p == '{' ? '}' : '\'';

				while (rp->p < rp->end && *rp->p != close)
					rp->p++;
				if (rp->p >= rp->end)
					return VG_EUNSUPPORTED;
				rp->p++;
			} else {
				while (rp->p < rp->end && isdigit(*rp->p))
					rp->p++;
			}
			set_any(x, 0, WINF);
			return 0;
		}
		if (c == 'Q') {
			/* \Q...\E: a literal run, one byte per item is enough here */
			return VG_EUNSUPPORTED;
		}
		if ((rc = escape_byte(rp, &c)) < 0)
			return rc;
		if (c < 0)
			set_any(x, 1, 1);
		else
			set_char(x, (unsigned)c);
		return 0;
	case '*': case '+': case '?': case ')': case '|':
		return VG_EUNSUPPORTED; /* cannot start an atom */
	default:
		set_char(x, (unsigned)c);
		return 0;
	}
}

/* A quantifier after an atom, if any: {m}, {m,}, {m,n}, *, +, ? and their
 * lazy and possessive forms. Returns 1 when one was read. */
static int read_quant(struct rparser *rp, size_t *m, size_t *n)
{
	const unsigned char *q = rp->p;
	size_t a = 0, b;

	if (q >= rp->end)
		return 0;
	if (*q == '*' || *q == '+' || *q == '?') {
		*m = *q == '+' ? 1 : 0;
		*n = *q == '?' ? 1 : WINF;
		rp->p++;
	} else if (*q == '{') {
		q++;
		if (q < rp->end && *q == ',')
			return VG_EUNSUPPORTED; /* {,n}: a literal or a quantifier by version */
		if (q >= rp->end || !isdigit(*q))
			return 0; /* a literal '{' */
		for (; q < rp->end && isdigit(*q); q++)
			if (!vg_mul_size(&a, a, 10) || !vg_add_size(&a, a, (size_t)(*q - '0')))
				return VG_EUNSUPPORTED;
		b = a;
		if (q < rp->end && *q == ',') {
			q++;
			if (q < rp->end && isdigit(*q)) {
				for (b = 0; q < rp->end && isdigit(*q); q++)
					if (!vg_mul_size(&b, b, 10) ||
					    !vg_add_size(&b, b, (size_t)(*q - '0')))
						return VG_EUNSUPPORTED;
			} else {
				b = WINF;
			}
		}
		if (q >= rp->end || *q != '}')
			return 0; /* not a quantifier: a literal '{' */
		if (b < a)
			return VG_EUNSUPPORTED;
		rp->p = q + 1;
		*m = a;
		*n = b;
	} else {
		return 0;
	}
	if (rp->p < rp->end && (*rp->p == '?' || *rp->p == '+'))
		rp->p++;
	return 1;
}

static void apply_quant(struct info *x, size_t m, size_t n)
{
	struct info r = *x;

	r.minw = wmul(x->minw, m);
	r.maxw = n == WINF ? (x->maxw ? WINF : 0) : wmul(x->maxw, n);
	r.finite = false;
	r.nfin = 0;
	if (x->finite && n != WINF && n <= 4) {
		struct lit pw[SET_MAX] = {{0}};
		size_t npw = 1;      /* x^0 = {""} */
		bool ok = true;

		r.finite = true;
		if (m == 0) {
			r.fin[0].len = 0; /* "" */
			r.fin[0].s[0] = '\0';
			r.nfin = 1;
		}
		for (size_t k = 1; k <= n && ok; k++) {
			ok = cross(pw, &npw, pw, npw, x->fin, x->nfin);
			if (ok && k >= m)
				ok = set_union(r.fin, &r.nfin, pw, npw);
		}
		r.finite = ok;
		if (!ok)
			r.nfin = 0;
	}
	if (m == 0) {
		r.anchored = false;
		r.nanch = 0;
	}
	*x = r;
	finalize(x);
}

/* A run of consecutive fixed-string items of a sequence. */
struct run {
	size_t smin, smax;     /* where it starts in the sequence */
	size_t n;
	struct lit set[SET_MAX];
};

struct seq {
	struct info acc;       /* the sequence so far */
	struct run runs[LIT_MAX + 1];
	size_t nruns;
	struct info item;
};

static void seq_add(struct seq *q, const struct info *it)
{
	struct info *acc = &q->acc;
	size_t keep = 0;

	/* the item's own anchors, after everything before it */
	if (it->anchored)
		offer(acc, it->anch, it->nanch, acc->minw, acc->maxw);
	/* runs of fixed strings that end with this item */
	if (it->finite) {
		for (size_t i = 0; i < q->nruns; i++) {
			struct run *r = &q->runs[i];

			if (!cross(r->set, &r->n, r->set, r->n, it->fin, it->nfin))
				continue;
			offer_strings(acc, r->set, r->n, r->smin, r->smax);
			q->runs[keep++] = *r;
		}
		q->nruns = keep;
		if (acc->maxw != WINF && q->nruns < sizeof(q->runs) / sizeof(q->runs[0])) {
			struct run *r = &q->runs[q->nruns++];

			r->smin = acc->minw;
			r->smax = acc->maxw;
			r->n = it->nfin;
			memcpy(r->set, it->fin, it->nfin * sizeof(*it->fin));
		}
	} else {
		q->nruns = 0;
	}
	if (acc->finite && it->finite)
		acc->finite = cross(acc->fin, &acc->nfin, acc->fin, acc->nfin, it->fin, it->nfin);
	else
		acc->finite = false;
	if (!acc->finite)
		acc->nfin = 0;
	acc->minw = wadd(acc->minw, it->minw);
	acc->maxw = wadd(acc->maxw, it->maxw);
}

static int parse_seq(struct rparser *rp, struct info *out)
{
	struct seq *q = calloc(1, sizeof(*q));
	int rc = 0;

	if (!q)
		return VG_ENOMEM;
	set_empty(&q->acc);
	while (rp->p < rp->end && *rp->p != '|' && *rp->p != ')') {
		size_t m, n;

		if ((rc = parse_atom(rp, &q->item)) < 0)
			goto out;
		if ((rc = read_quant(rp, &m, &n)) < 0)
			goto out;
		if (rc == 1)
			apply_quant(&q->item, m, n);
		rc = 0;
		seq_add(q, &q->item);
	}
	*out = q->acc;
	finalize(out);
out:
	free(q);
	return rc;
}

static int parse_alt(struct rparser *rp, struct info *out)
{
	struct info *b = NULL;
	int rc;

	if ((rc = parse_seq(rp, out)) < 0)
		return rc;
	while (rp->p < rp->end && *rp->p == '|') {
		rp->p++;
		if (!b && !(b = calloc(1, sizeof(*b))))
			return VG_ENOMEM;
		if ((rc = parse_seq(rp, b)) < 0)
			break;
		out->minw = out->minw < b->minw ? out->minw : b->minw;
		out->maxw = out->maxw > b->maxw ? out->maxw : b->maxw;
		if (out->finite && b->finite)
			out->finite = set_union(out->fin, &out->nfin, b->fin, b->nfin);
		else
			out->finite = false;
		if (!out->finite)
			out->nfin = 0;
		if (out->anchored && b->anchored && out->nanch + b->nanch <= ANCH_MAX) {
			memcpy(out->anch + out->nanch, b->anch, b->nanch * sizeof(*b->anch));
			out->nanch += b->nanch;
		} else {
			out->anchored = false;
			out->nanch = 0;
		}
	}
	free(b);
	return rc;
}

/* Whether anchor y, found inside every occurrence of x, allows at least the
 * start positions x allows: then x adds nothing. */
static bool covers(const struct anch *y, const struct anch *x)
{
	for (size_t j = 0; j + y->lit.len <= x->lit.len; j++)
		if (!memcmp(x->lit.s + j, y->lit.s, y->lit.len) && y->omin <= x->omin + j &&
		    y->omax >= x->omax + j)
			return true;
	return false;
}

/* Drops anchors another one covers (password where pass is one), so the
 * prefilter has fewer literals to look for. */
static void prune(struct info *x)
{
	size_t keep = 0;

	for (size_t i = 0; i < x->nanch; i++) {
		bool drop = false;

		for (size_t k = 0; k < x->nanch && !drop; k++)
			if (k != i && covers(&x->anch[k], &x->anch[i]) &&
			    (!covers(&x->anch[i], &x->anch[k]) || k < i))
				drop = true;
		if (!drop)
			x->anch[keep++] = x->anch[i];
	}
	x->nanch = keep;
}

int vg_prefilter_anchors(struct vg_anchor **out, size_t *n, const char *pattern,
			 unsigned flags)
{
	struct rparser rp = {0};
	struct info *x = NULL;
	size_t len;
	int rc;

	*out = NULL;
	*n = 0;
	if (!pattern || (flags & (VG_RE_EXTENDED | VG_RE_UTF)))
		return VG_EUNSUPPORTED;
	len = strnlen(pattern, VG_MAX_REGEX_BYTES + 1);
	if (len > VG_MAX_REGEX_BYTES)
		return VG_EUNSUPPORTED;
	rp.p = (const unsigned char *)pattern;
	rp.end = rp.p + len;
	x = calloc(1, sizeof(*x));
	if (!x)
		return VG_ENOMEM;
	rc = parse_alt(&rp, x);
	if (rc == 0 && rp.p != rp.end)
		rc = VG_EUNSUPPORTED; /* an unbalanced ')' */
	if (rc == 0 && !x->anchored)
		rc = VG_EUNSUPPORTED;
	if (rc == 0)
		prune(x);
	if (rc == 0) {
		*out = vg_calloc(x->nanch, sizeof(**out));
		if (!*out) {
			rc = VG_ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < x->nanch; i++) {
			memcpy((*out)[i].lit, x->anch[i].lit.s, x->anch[i].lit.len);
			(*out)[i].lit[x->anch[i].lit.len] = '\0';
			(*out)[i].len = x->anch[i].lit.len;
			(*out)[i].omin = x->anch[i].omin;
			(*out)[i].omax = x->anch[i].omax;
		}
		*n = x->nanch;
	}
out:
	free(x);
	return rc;
}
