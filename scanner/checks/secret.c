/* SPDX-License-Identifier: Apache-2.0 */
/* The `secret` check: a credential detector (keywords, PCRE2 pattern, entropy, allowlists, inline markers). */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check.h"
#include "checks/secret.h"
#include "engine/prefilter.h"
#include "glob.h"
#include "limits.h"
#include "regex.h"

static const struct vg_field fields[] = {
	{"regex", VG_FIELD_STRING, true},     {"keywords", VG_FIELD_STRINGS, false},
	{"entropy", VG_FIELD_STRING, false},  {"secret_group", VG_FIELD_STRING, false},
	{"paths", VG_FIELD_STRINGS, false},   {"allow", VG_FIELD_MAPPING, false},
	{"placeholders", VG_FIELD_BOOL, false}, {"nocase", VG_FIELD_BOOL, false},
	{"min_length", VG_FIELD_INT, false},  {NULL, 0, false},
};

static const struct vg_field allow_fields[] = {
	{"values", VG_FIELD_STRINGS, false},
	{"stopwords", VG_FIELD_STRINGS, false},
	{"paths", VG_FIELD_STRINGS, false},
	{"lines", VG_FIELD_STRINGS, false},
	{NULL, 0, false},
};

static void regexes_free(struct vg_regex **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vg_regex_free(v[i]);
	free(v);
}

void vg_secret_cfg_free(void *p)
{
	struct vg_secret_cfg *c = p;

	if (!c)
		return;
	vg_regex_free(c->re);
	vg_strv_free(c->keywords);
	vg_strv_free(c->paths);
	vg_strv_free(c->allow_paths);
	vg_strv_free(c->stopwords);
	regexes_free(c->allow_values, c->nallow_values);
	regexes_free(c->allow_lines, c->nallow_lines);
	free(c->anchors);
	free(c);
}

static struct vg_regex **compile_list(struct vg_pctx *pc, const struct vg_ynode *map,
				      const char *key, size_t *n)
{
	const struct vg_ynode *list = vg_ynode_get(map, key);
	struct vg_regex **out;
	size_t count;

	*n = 0;
	if (!list)
		return NULL;
	count = list->type == VG_YNODE_SEQUENCE ? list->nitems : 1;
	out = vg_calloc(count, sizeof(*out));
	if (!out)
		return NULL;
	for (size_t i = 0; i < count; i++) {
		const struct vg_ynode *n1 = list->type == VG_YNODE_SEQUENCE ? list->items[i] : list;
		struct vg_regex *re = vg_pctx_regex(pc, n1, 0);

		if (re)
			out[(*n)++] = re;
	}
	return out;
}

static int secret_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node)
{
	struct vg_secret_cfg *c = NULL;
	const struct vg_ynode *allow;
	const char *s;
	unsigned flags = VG_RE_MULTILINE;
	int rc = VG_EPARSE;

	if (!vg_pctx_check_fields(pc, node, fields))
		return VG_EPARSE;
	c = calloc(1, sizeof(*c));
	if (!c)
		return VG_ENOMEM;
	c->placeholders = vg_pctx_bool(pc, node, "placeholders", true);
	if (vg_pctx_bool(pc, node, "nocase", false))
		flags |= VG_RE_CASELESS;
	c->re = vg_pctx_regex(pc, vg_ynode_get(node, "regex"), flags);
	if (!c->re)
		goto out;
	c->group = 0;
	if ((s = vg_pctx_str(pc, node, "secret_group"))) {
		int64_t g;

		if (vg_parse_i64(s, 10, &g) && g >= 0 && g <= VG_RE_MAX_GROUPS &&
		    (unsigned)g <= vg_regex_capture_count(c->re))
			c->group = (int)g;
		else if ((c->group = vg_regex_group_index(c->re, s)) < 0) {
			vg_pctx_error(pc, vg_ynode_get(node, "secret_group"),
				      "secret_group '%s' is not a group of the regex", s);
			goto out;
		}
	} else if ((c->group = vg_regex_group_index(c->re, "secret")) < 0) {
		c->group = vg_regex_capture_count(c->re) >= 1 ? 1 : 0;
	}
	if (c->group > VG_RE_MAX_GROUPS) {
		vg_pctx_error(pc, node, "the secret group must be one of the first %d groups",
			      VG_RE_MAX_GROUPS);
		goto out;
	}
	c->keywords = vg_pctx_strv(pc, node, "keywords", &c->nkeywords);
	for (size_t i = 0; i < c->nkeywords; i++) {
		if (!c->keywords[i][0] || strlen(c->keywords[i]) > 64) {
			vg_pctx_error(pc, vg_ynode_get(node, "keywords"),
				      "keywords are 1 to 64 characters");
			goto out;
		}
		for (char *p = c->keywords[i]; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	if ((s = vg_pctx_str(pc, node, "entropy"))) {
		char *end = NULL;

		c->entropy = strtod(s, &end);
		if (!end || *end || c->entropy < 0 || c->entropy > 8) {
			vg_pctx_error(pc, vg_ynode_get(node, "entropy"),
				      "entropy is bits per character, from 0 to 8");
			goto out;
		}
	}
	{
		const struct vg_ynode *ml = vg_pctx_value(pc, vg_ynode_get(node, "min_length"));
		long long v;

		if (ml && vg_ynode_as_int(ml, &v) && v >= 0 && v < 4096)
			c->min_length = (size_t)v;
	}
	c->paths = vg_pctx_strv(pc, node, "paths", &c->npaths);
	allow = vg_ynode_get(node, "allow");
	if (allow) {
		if (!vg_pctx_check_fields(pc, allow, allow_fields))
			goto out;
		c->allow_paths = vg_pctx_strv(pc, allow, "paths", &c->nallow_paths);
		c->stopwords = vg_pctx_strv(pc, allow, "stopwords", &c->nstopwords);
		for (size_t i = 0; i < c->nstopwords; i++)
			for (char *p = c->stopwords[i]; *p; p++)
				*p = (char)tolower((unsigned char)*p);
		c->allow_values = compile_list(pc, allow, "values", &c->nallow_values);
		c->allow_lines = compile_list(pc, allow, "lines", &c->nallow_lines);
	}
	/* without anchors the regex runs over whole files: slower, never different */
	c->flags = flags;
	if (vg_prefilter_anchors(&c->anchors, &c->nanchors, vg_regex_source(c->re), flags) < 0) {
		c->anchors = NULL;
		c->nanchors = 0;
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	vg_secret_cfg_free(c);
	return rc;
}

/* vg_glob_match, with the common shapes of allowlist globs answered on the
 * last path component without the general matcher: a plain name
 * (package-lock.json) and a star followed by a plain tail (*.min.js). */
static bool glob_match(const char *glob, const char *path, const char *base)
{
	const char *tail = glob[0] == '*' ? glob + 1 : glob;
	size_t tl, bl;

	if (!*base || !*tail || strpbrk(tail, "*?[\\/") || strlen(glob) > 255)
		return vg_glob_match(glob, path);
	if (tail == glob)
		return !strcmp(base, glob);
	tl = strlen(tail);
	bl = strlen(base);
	return bl >= tl && !memcmp(base + bl - tl, tail, tl);
}

static bool any_path(char *const *globs, size_t n, const char *path)
{
	const char *base;

	if (!n)
		return false;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (size_t i = 0; i < n; i++)
		if (glob_match(globs[i], path, base))
			return true;
	return false;
}

bool vg_secret_wants(const void *cfg, const char *path)
{
	const struct vg_secret_cfg *c = cfg;

	if (!path)
		return true;
	if (c->npaths && !any_path(c->paths, c->npaths, path))
		return false;
	return !any_path(c->allow_paths, c->nallow_paths, path);
}

static bool contains_nocase(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0 || n > len)
		return n == 0;
	for (size_t i = 0; i + n <= len; i++)
		if (!strncasecmp(hay + i, needle, n))
			return true;
	return false;
}

/* Values that stand for a secret rather than being one: templating and
 * environment lookups, masks, and "your-token-here" style filler. */
bool vg_secret_is_placeholder(const char *s, size_t len)
{
	static const char *const words[] = {
		"your", "placeholder", "changeme", "change_me", "replace", "redacted",
		"dummy", "<", ">", "${", "{{", "$(", "%(", "process.env", "os.environ",
		"getenv", "env[", "env.", NULL,
	};
	size_t same = 1;

	if (len == 0)
		return true;
	for (size_t i = 0; words[i]; i++)
		if (contains_nocase(s, len, words[i]))
			return true;
	/* one character repeated (xxxx, ****, 0000), ignoring a known prefix */
	for (size_t i = 1; i < len; i++)
		if (tolower((unsigned char)s[i]) == tolower((unsigned char)s[i - 1]))
			same++;
	if (len >= 8 && same * 10 >= len * 7)
		return true;
	return false;
}

/* Markers users put on a line to accept it, ours and other tools'. */
bool vg_secret_line_allowed(const char *line, size_t len)
{
	static const char *const markers[] = {
		"vigil:allow", "gitleaks:allow", "pragma: allowlist secret", "nosecret",
		"trufflehog:ignore", NULL,
	};

	for (size_t i = 0; markers[i]; i++)
		if (contains_nocase(line, len, markers[i]))
			return true;
	return false;
}

bool vg_secret_keywords_present(const struct vg_secret_cfg *c, const char *data, size_t len)
{
	if (!c->nkeywords)
		return true;
	for (size_t i = 0; i < c->nkeywords; i++)
		if (contains_nocase(data, len, c->keywords[i]))
			return true;
	return false;
}

static bool value_allowed(const struct vg_secret_cfg *c, const char *v, size_t len,
			  const char *line, size_t linelen)
{
	struct vg_regex_match m;

	if (c->min_length && len < c->min_length)
		return true;
	if (c->entropy > 0 && vg_entropy(v, len) < c->entropy)
		return true;
	if (c->placeholders && vg_secret_is_placeholder(v, len))
		return true;
	for (size_t i = 0; i < c->nstopwords; i++)
		if (contains_nocase(v, len, c->stopwords[i]))
			return true;
	for (size_t i = 0; i < c->nallow_values; i++)
		if (vg_regex_match(c->allow_values[i], v, len, 0, &m) == 1)
			return true;
	for (size_t i = 0; i < c->nallow_lines; i++)
		if (vg_regex_match(c->allow_lines[i], line, linelen, 0, &m) == 1)
			return true;
	return false;
}

/* Records one match of c's regex unless an allowlist takes it: 1 when
 * recorded, 0 when allowed, VG_ENOMEM. cur follows the matches forward. */
static int record(const struct vg_secret_cfg *c, struct vg_leaf_state *st, const struct vg_file *f,
		  const char *title, const struct vg_regex_match *m, struct vg_linecur *cur)
{
	size_t soff = m->start, send = m->end, ls, le, line, col, eline, ecol;
	struct vg_finding *h;

	if (c->group > 0 && (size_t)c->group <= m->ngroups && m->gstart[c->group] != SIZE_MAX) {
		soff = m->gstart[c->group];
		send = m->gend[c->group];
	}
	for (ls = soff; ls > 0 && f->data[ls - 1] != '\n'; ls--)
		;
	for (le = soff; le < f->len && f->data[le] != '\n'; le++)
		;
	if (value_allowed(c, f->data + soff, send - soff, f->data + ls, le - ls))
		return 0;
	vg_linecol(f->data, soff, cur, &line, &col);
	vg_linecol(f->data, send, cur, &eline, &ecol);
	h = vg_hit_new(f->path, line, col, NULL, "%s in %s at line %zu", title,
		       f->path ? f->path : "<input>", line);
	if (!h)
		return VG_ENOMEM;
	h->loc.end_line = eline;
	h->loc.end_col = ecol;
	if (le > ls && f->data[le - 1] == '\r')
		le--;
	if (vg_hit_evidence(h, f->data + ls, le > send ? le - ls : send - ls, soff - ls,
			    send - soff, f->data + soff, send - soff) < 0) {
		vg_finding_free(h);
		return VG_ENOMEM;
	}
	if (vg_secret_line_allowed(f->data + ls, le - ls)) {
		h->suppression = VG_SUPPRESS_INLINE;
		h->justification = strdup("allowed by a marker on the line");
	}
	vg_leaf_add(st, h, false);
	return 1;
}

int vg_secret_scan_range(const struct vg_secret_cfg *c, struct vg_leaf_state *st,
			 const struct vg_file *f, const char *title, size_t from, size_t to)
{
	struct vg_regex_match m;
	struct vg_linecur cur = {0};
	size_t pos = from, found = 0;

	while (pos <= to) {
		int rc = vg_regex_match(c->re, f->data, to, pos, &m);

		if (rc == 0)
			break;
		if (rc < 0) {
			vg_leaf_error(st, "%s: pattern stopped at the match limit",
				      f->path ? f->path : "<input>");
			return 0;
		}
		pos = m.end > m.start ? m.end : m.start + 1;
		rc = record(c, st, f, title, &m, &cur);
		if (rc < 0)
			return rc;
		if (rc > 0 && ++found >= VG_MAX_FINDINGS_PER_RULE)
			break;
	}
	return 0;
}

/* Start positions [a, b] a match of one member may have, from one
 * occurrence of one of its anchors. */
struct cand {
	size_t member;
	size_t a, b;
};

/* What vg_secret_scan_range finds over a whole file, trying the anchored
 * regex only at the start positions of cv[0..n) (sorted by a): a match
 * contains an anchor where the anchor says, so no other position can start
 * one. Matches are taken left to right without overlap, as there. */
static int scan_windows(const struct vg_secret_cfg *c, const struct vg_regex *anchored,
			struct vg_leaf_state *st, const struct vg_file *f, const char *title,
			const struct cand *cv, size_t n)
{
	struct vg_regex_match m;
	struct vg_linecur cur = {0};
	size_t next = 0, found = 0;

	for (size_t k = 0; k < n; k++) {
		size_t s = cv[k].a > next ? cv[k].a : next;

		while (s <= cv[k].b && s <= f->len) {
			int rc = vg_regex_match(anchored, f->data, f->len, s, &m);

			if (rc == 0) {
				s++;
				continue;
			}
			if (rc < 0) {
				vg_leaf_error(st, "%s: pattern stopped at the match limit",
					      f->path ? f->path : "<input>");
				return 0;
			}
			s = m.end > m.start ? m.end : m.start + 1;
			rc = record(c, st, f, title, &m, &cur);
			if (rc < 0)
				return rc;
			if (rc > 0 && ++found >= VG_MAX_FINDINGS_PER_RULE)
				return 0;
		}
		if (s > next)
			next = s;
	}
	return 0;
}

static int secret_scan(const void *cfg, struct vg_leaf_state *st, const struct vg_file *f,
		       const struct vg_eval_ctx *ev)
{
	const struct vg_secret_cfg *c = cfg;

	if (!vg_secret_keywords_present(c, f->data, f->len))
		return 0;
	return vg_secret_scan_range(c, st, f, ev && ev->rule ? ev->rule->meta.title : "Secret", 0,
				    f->len);
}

static int secret_evaluate(const void *cfg, struct vg_leaf_state *st,
			   const struct vg_eval_ctx *ev, struct vg_outcome *out)
{
	(void)cfg;
	(void)ev;
	if (vg_outcome_take(out, &st->hits) < 0)
		return VG_ENOMEM;
	if (out->hits.len)
		out->status = VG_STATUS_FAIL;
	else if (st->errors.len)
		vg_outcome_set(out, VG_STATUS_ERROR, "%s", (char *)st->errors.items[0]);
	else
		out->status = VG_STATUS_PASS; /* nothing found in what the scan read */
	return 0;
}

/* All detectors of a scan behind one keyword prefilter: a file costs one
 * multi-pattern pass, and only the detectors whose keywords occur in it run
 * their regular expressions. The same pass reports where their anchors
 * occur, so a detector with anchors is tried only at the few start positions
 * those allow instead of over the whole file. */
struct lit_use {
	size_t member;
	size_t len;            /* of the literal */
	size_t omin, omax;     /* from the match start to the literal */
};

struct secret_group {
	const struct vg_secret_cfg **cfgs;
	size_t n;
	struct vg_prefilter *pf;
	size_t words;
	bool any_unrestricted; /* some detector reads every file */
	/* literal k of the prefilter is used by uses[first[k] .. first[k + 1]) */
	size_t nlits;
	size_t *first;
	struct lit_use *uses;
	/* Each member's regex behind \G, compiled when first needed: most
	 * detectors never meet one of their anchors in a pre-commit scan. */
	pthread_mutex_t lock;
	struct vg_regex **anchored;
	atomic_uchar *state;   /* ANCHOR_* */
	uint64_t *with_anchors; /* bit set: the member has anchors */
};

enum { ANCHOR_UNTRIED, ANCHOR_READY, ANCHOR_NONE };

static void secret_group_free(void *p)
{
	struct secret_group *g = p;

	if (!g)
		return;
	vg_prefilter_free(g->pf);
	for (size_t i = 0; g->anchored && i < g->n; i++)
		vg_regex_free(g->anchored[i]);
	free(g->anchored);
	free(g->state);
	free(g->with_anchors);
	pthread_mutex_destroy(&g->lock);
	free(g->cfgs);
	free(g->first);
	free(g->uses);
	free(g);
}

struct use_entry {
	const char *lit;
	struct lit_use use;
};

static int cmp_use(const void *a, const void *b)
{
	const struct use_entry *x = a, *y = b;
	int c = strcmp(x->lit, y->lit);

	if (c)
		return c;
	return x->use.member < y->use.member ? -1 : x->use.member > y->use.member;
}

/* The members' anchors as positional literals: each distinct literal once,
 * with every member and offset range that uses it. */
static int plan_literals(struct secret_group *g, char ***lits_out, struct vg_error *err)
{
	struct use_entry *e = NULL;
	char **lits = NULL;
	size_t total = 0, k = 0;
	int rc = VG_ENOMEM;

	*lits_out = NULL;
	if (getenv("VIGIL_NO_ANCHORS"))
		return 0; /* for comparisons: every detector over whole files */
	for (size_t i = 0; i < g->n; i++)
		total += g->cfgs[i]->nanchors;
	if (!total)
		return 0;
	e = vg_calloc(total, sizeof(*e));
	g->uses = vg_calloc(total, sizeof(*g->uses));
	g->first = vg_calloc(total + 1, sizeof(*g->first));
	g->anchored = vg_calloc(g->n, sizeof(*g->anchored));
	g->state = vg_calloc(g->n, sizeof(*g->state));
	g->with_anchors = vg_calloc((g->n + 63) / 64, sizeof(*g->with_anchors));
	lits = vg_calloc(total, sizeof(*lits));
	if (!e || !g->uses || !g->first || !g->anchored || !g->state || !g->with_anchors || !lits)
		goto out;
	for (size_t i = 0; i < g->n; i++) {
		const struct vg_secret_cfg *c = g->cfgs[i];

		atomic_init(&g->state[i], c->nanchors ? ANCHOR_UNTRIED : ANCHOR_NONE);
		if (c->nanchors)
			g->with_anchors[i / 64] |= 1ull << (i % 64);
		for (size_t a = 0; a < c->nanchors; a++, k++) {
			e[k].lit = c->anchors[a].lit;
			e[k].use.member = i;
			e[k].use.len = c->anchors[a].len;
			e[k].use.omin = c->anchors[a].omin;
			e[k].use.omax = c->anchors[a].omax;
		}
	}
	qsort(e, total, sizeof(*e), cmp_use);
	for (k = 0; k < total; k++) {
		if (k == 0 || strcmp(e[k].lit, e[k - 1].lit)) {
			g->first[g->nlits] = k;
			lits[g->nlits++] = (char *)e[k].lit;
		}
		g->uses[k] = e[k].use;
	}
	g->first[g->nlits] = total;
	*lits_out = lits;
	lits = NULL;
	rc = 0;
out:
	if (rc < 0)
		vg_error_set(err, rc, "out of memory");
	free(e);
	free(lits);
	return rc;
}

/* Member i's regex behind \G (so it matches only where it is tried), or
 * NULL when it has none: then the member reads whole files. Thread-safe. */
static const struct vg_regex *anchored_regex(struct secret_group *g, size_t i)
{
	const struct vg_secret_cfg *c = g->cfgs[i];
	struct vg_error err = {0};
	struct vg_regex *re = NULL;
	char *wrapped = NULL;
	unsigned char st = atomic_load_explicit(&g->state[i], memory_order_acquire);

	if (st != ANCHOR_UNTRIED)
		return st == ANCHOR_READY ? g->anchored[i] : NULL;
	pthread_mutex_lock(&g->lock);
	st = atomic_load_explicit(&g->state[i], memory_order_relaxed);
	if (st == ANCHOR_UNTRIED) {
		wrapped = vg_asprintf("\\G(?:%s)", vg_regex_source(c->re));
		if (wrapped && vg_regex_compile(&re, wrapped, c->flags, NULL, &err) == 0) {
			g->anchored[i] = re;
			st = ANCHOR_READY;
		} else {
			st = ANCHOR_NONE;
		}
		atomic_store_explicit(&g->state[i], st, memory_order_release);
		free(wrapped);
	}
	pthread_mutex_unlock(&g->lock);
	return st == ANCHOR_READY ? g->anchored[i] : NULL;
}

static bool keywords_implied(const struct vg_secret_cfg *c)
{
	if (!c->nanchors || !c->nkeywords)
		return false;
	for (size_t a = 0; a < c->nanchors; a++) {
		bool has = false;

		/* both are lower-case */
		for (size_t k = 0; k < c->nkeywords && !has; k++)
			has = strstr(c->anchors[a].lit, c->keywords[k]) != NULL;
		if (!has)
			return false;
	}
	return true;
}

static int secret_group_new(void **out, const void *const *cfgs, size_t n, struct vg_error *err)
{
	struct secret_group *g = calloc(1, sizeof(*g));
	char *const **kw = NULL;
	char **lits = NULL;
	size_t *counts = NULL;
	int rc = VG_ENOMEM;

	*out = NULL;
	if (!g)
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	pthread_mutex_init(&g->lock, NULL);
	g->cfgs = vg_calloc(n, sizeof(*g->cfgs));
	kw = vg_calloc(n, sizeof(*kw));
	counts = vg_calloc(n, sizeof(*counts));
	if (!g->cfgs || !kw || !counts) {
		vg_error_set(err, VG_ENOMEM, "out of memory");
		goto out;
	}
	g->n = n;
	for (size_t i = 0; i < n; i++) {
		const struct vg_secret_cfg *c = cfgs[i];

		g->cfgs[i] = c;
		kw[i] = c->keywords;
		counts[i] = c->nkeywords;
		if (!c->npaths)
			g->any_unrestricted = true;
	}
	if ((rc = plan_literals(g, &lits, err)) < 0)
		goto out;
	/* A member whose every anchor contains one of its keywords needs no
	 * keyword search of its own: any match holds an anchor, so the file
	 * holds the keyword. Fewer literals make the prefilter pass cheaper. */
	for (size_t i = 0; g->nlits && i < n; i++)
		if (keywords_implied(g->cfgs[i]))
			counts[i] = 0;
	rc = vg_prefilter_new_lits(&g->pf, kw, counts, n, lits, g->nlits, VG_PREFILTER_LAZY, err);
	if (rc == VG_ELIMIT && g->nlits) {
		/* the anchors overfill the automaton: keywords only, whole files */
		for (size_t i = 0; i < n; i++)
			counts[i] = g->cfgs[i]->nkeywords;
		g->nlits = 0;
		rc = vg_prefilter_new_lits(&g->pf, kw, counts, n, NULL, 0, VG_PREFILTER_LAZY, err);
	}
	if (rc < 0)
		goto out;
	g->words = vg_prefilter_words(g->pf);
	*out = g;
	g = NULL;
out:
	free(kw);
	free(counts);
	free(lits);
	secret_group_free(g);
	return rc;
}

static bool secret_group_wants(const void *p, const char *path)
{
	const struct secret_group *g = p;

	if (g->any_unrestricted)
		return true;
	for (size_t i = 0; i < g->n; i++)
		if (vg_secret_wants(g->cfgs[i], path))
			return true;
	return false;
}

/* Candidate windows of one file, collected during the prefilter pass in
 * order of the anchors' end offsets. The arrays belong to the thread and
 * serve file after file: no allocation per file once they have grown. */
struct cands {
	const struct secret_group *g;
	struct cand *v;
	size_t n, cap;
	bool overflow;         /* too many to keep: the detectors read whole files */
	struct cand *sorted;   /* grouped by member, cap entries */
	size_t *at;            /* member offsets into sorted, atcap entries */
	size_t atcap;
};

static pthread_key_t cands_key;
static pthread_once_t cands_once = PTHREAD_ONCE_INIT;
static int cands_key_rc;

static void cands_free(void *p)
{
	struct cands *cs = p;

	if (!cs)
		return;
	free(cs->v);
	free(cs->sorted);
	free(cs->at);
	free(cs);
}

static void cands_key_create(void)
{
	cands_key_rc = pthread_key_create(&cands_key, cands_free);
}

/* The calling thread's arrays (freed when it exits), emptied; NULL on failure. */
static struct cands *thread_cands(const struct secret_group *g)
{
	struct cands *cs;

	if (pthread_once(&cands_once, cands_key_create) != 0 || cands_key_rc != 0)
		return NULL;
	cs = pthread_getspecific(cands_key);
	if (!cs) {
		cs = calloc(1, sizeof(*cs));
		if (!cs || pthread_setspecific(cands_key, cs) != 0) {
			free(cs);
			return NULL;
		}
	}
	cs->g = g;
	cs->n = 0;
	cs->overflow = false;
	return cs;
}

static int on_literal(void *ud, size_t lit, size_t end)
{
	struct cands *cs = ud;
	const struct lit_use *u = cs->g->uses + cs->g->first[lit];
	const struct lit_use *last = cs->g->uses + cs->g->first[lit + 1];
	size_t p = end - u->len; /* where the occurrence starts */

	for (; u < last && !cs->overflow; u++) {
		struct cand *c;

		if (p < u->omin)
			continue; /* a match would start before the file */
		if (cs->n == cs->cap) {
			size_t ncap = cs->cap ? cs->cap * 2 : 256;
			struct cand *nv;

			if (ncap > VG_MAX_ANCHOR_CANDIDATES) {
				cs->overflow = true;
				break;
			}
			nv = vg_reallocarray(cs->v, ncap, sizeof(*nv));
			if (!nv)
				return VG_ENOMEM;
			cs->v = nv;
			cs->cap = ncap;
			free(cs->sorted); /* grows with v, before it is next needed */
			cs->sorted = NULL;
		}
		c = &cs->v[cs->n++];
		c->member = u->member;
		c->a = p > u->omax ? p - u->omax : 0;
		c->b = p - u->omin;
	}
	return 0;
}

static bool bit(const uint64_t *v, size_t i)
{
	return (v[i / 64] >> (i % 64)) & 1;
}

/* Groups the candidates of members set in live by member (into out, member
 * i's at out[at[i] .. at[i + 1])), each member's sorted by first start. They
 * arrive almost sorted already, so insertion sort is close to linear. */
static void group_cands(const struct cands *cs, const uint64_t *live, size_t *at,
			struct cand *out)
{
	size_t n = cs->g->n;

	for (size_t k = 0; k < cs->n; k++)
		if (bit(live, cs->v[k].member))
			at[cs->v[k].member + 1]++;
	for (size_t i = 0; i < n; i++)
		at[i + 1] += at[i];
	for (size_t k = 0; k < cs->n; k++) {
		const struct cand *c = &cs->v[k];

		if (bit(live, c->member))
			out[at[c->member]++] = *c;
	}
	for (size_t i = n; i > 0; i--) /* at[i] is now where member i ends */
		at[i] = at[i - 1];
	at[0] = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = at[i] + 1; k < at[i + 1]; k++) {
			struct cand c = out[k];
			size_t j = k;

			for (; j > at[i] && out[j - 1].a > c.a; j--)
				out[j] = out[j - 1];
			out[j] = c;
		}
	}
}

/* Makes room in cs for grouping its candidates among g's members. */
static int cands_room(struct cands *cs, size_t members)
{
	if (!cs->sorted) {
		cs->sorted = vg_calloc(cs->cap, sizeof(*cs->sorted));
		if (!cs->sorted)
			return VG_ENOMEM;
	}
	if (cs->atcap < members + 1) {
		size_t *nat = vg_reallocarray(cs->at, members + 1, sizeof(*nat));

		if (!nat)
			return VG_ENOMEM;
		cs->at = nat;
		cs->atcap = members + 1;
	}
	memset(cs->at, 0, (members + 1) * sizeof(*cs->at));
	return 0;
}

static int secret_group_scan(void *p, struct vg_leaf_state *const *states,
			     const struct vg_rule *const *rules, const struct vg_file *f,
			     const struct vg_eval_ctx *ev)
{
	struct secret_group *g = p;
	struct cands *cs = thread_cands(g);
	uint64_t small[2][8] = {{0}}, *hits = small[0], *seen = small[1];
	bool windows;
	int rc;

	(void)ev;
	if (!cs)
		return VG_ENOMEM;
	if (g->words > sizeof(small[0]) / sizeof(small[0][0])) {
		hits = vg_calloc(2 * g->words, sizeof(*hits));
		if (!hits)
			return VG_ENOMEM;
		seen = hits + g->words;
	}
	rc = vg_prefilter_scan_lits(g->pf, f->data, f->len, hits, g->nlits ? on_literal : NULL,
				    cs);
	windows = rc == 0 && g->nlits && !cs->overflow;
	/* a member with anchors runs only where one of them occurs */
	if (windows) {
		for (size_t k = 0; k < cs->n; k++)
			seen[cs->v[k].member / 64] |= 1ull << (cs->v[k].member % 64);
		for (size_t w = 0; w < g->words; w++)
			hits[w] &= seen[w] | ~g->with_anchors[w];
	}
	/* and only on the files that are its own */
	for (size_t w = 0; rc == 0 && f->path && w < g->words; w++) {
		for (uint64_t bits = hits[w]; bits; bits &= bits - 1) {
			size_t i = w * 64 + (size_t)__builtin_ctzll(bits);

			if (i >= g->n || !vg_secret_wants(g->cfgs[i], f->path))
				hits[w] &= ~(1ull << (i % 64));
		}
	}
	if (windows && cs->n && (rc = cands_room(cs, g->n)) == 0)
		group_cands(cs, hits, cs->at, cs->sorted);
	for (size_t w = 0; rc == 0 && w < g->words; w++) {
		for (uint64_t bits = hits[w]; rc == 0 && bits; bits &= bits - 1) {
			size_t i = w * 64 + (size_t)__builtin_ctzll(bits);
			const struct vg_secret_cfg *c = g->cfgs[i];
			const struct vg_regex *re;

			if (windows && c->nanchors && (re = anchored_regex(g, i)))
				rc = scan_windows(c, re, states[i], f, rules[i]->meta.title,
						  cs->sorted + cs->at[i], cs->at[i + 1] - cs->at[i]);
			else
				rc = vg_secret_scan_range(c, states[i], f, rules[i]->meta.title, 0,
							  f->len);
		}
	}
	if (hits != small[0])
		free(hits);
	return rc;
}

const struct vg_check_impl vg_check_secret = {
	.name = "secret",
	.targets = VG_TARGET_TREE | VG_TARGET_GIT | VG_TARGET_STAGED,
	.offline = true,
	.summary = "a credential detector: keywords, pattern, entropy and allowlists",
	.parse = secret_parse,
	.free = vg_secret_cfg_free,
	.wants = vg_secret_wants,
	.scan = secret_scan,
	.evaluate = secret_evaluate,
	.group_new = secret_group_new,
	.group_free = secret_group_free,
	.group_wants = secret_group_wants,
	.group_scan = secret_group_scan,
};
