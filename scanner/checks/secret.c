/* SPDX-License-Identifier: Apache-2.0 */
/* The `secret` check: a credential detector (keywords, PCRE2 pattern, entropy, allowlists, inline markers). */
#include <ctype.h>
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
	*out = c;
	c = NULL;
	rc = 0;
out:
	vg_secret_cfg_free(c);
	return rc;
}

static bool any_path(char *const *globs, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (vg_glob_match(globs[i], path))
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

int vg_secret_scan_range(const struct vg_secret_cfg *c, struct vg_leaf_state *st,
			 const struct vg_file *f, const char *title, size_t from, size_t to)
{
	struct vg_regex_match m;
	struct vg_linecur cur = {0};
	size_t pos = from, found = 0;

	while (pos <= to) {
		size_t soff, send, ls, le, line, col, eline, ecol;
		struct vg_finding *h;
		int rc = vg_regex_match(c->re, f->data, to, pos, &m);

		if (rc == 0)
			break;
		if (rc < 0) {
			vg_leaf_error(st, "%s: pattern stopped at the match limit",
				      f->path ? f->path : "<input>");
			return 0;
		}
		pos = m.end > m.start ? m.end : m.start + 1;
		soff = m.start;
		send = m.end;
		if (c->group > 0 && (size_t)c->group <= m.ngroups && m.gstart[c->group] != SIZE_MAX) {
			soff = m.gstart[c->group];
			send = m.gend[c->group];
		}
		for (ls = soff; ls > 0 && f->data[ls - 1] != '\n'; ls--)
			;
		for (le = soff; le < f->len && f->data[le] != '\n'; le++)
			;
		if (value_allowed(c, f->data + soff, send - soff, f->data + ls, le - ls))
			continue;
		vg_linecol(f->data, soff, &cur, &line, &col);
		vg_linecol(f->data, send, &cur, &eline, &ecol);
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
		if (++found >= VG_MAX_FINDINGS_PER_RULE)
			break;
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
	for (size_t i = 0; i < st->hits.len; i++) {
		if (vg_vec_push(&out->hits, st->hits.items[i]) < 0)
			return VG_ENOMEM;
		st->hits.items[i] = NULL;
	}
	st->hits.len = 0;
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
 * their regular expressions. */
struct secret_group {
	const struct vg_secret_cfg **cfgs;
	size_t n;
	struct vg_prefilter *pf;
	size_t words;
	bool any_unrestricted; /* some detector reads every file */
};

static void secret_group_free(void *p)
{
	struct secret_group *g = p;

	if (!g)
		return;
	vg_prefilter_free(g->pf);
	free(g->cfgs);
	free(g);
}

static int secret_group_new(void **out, const void *const *cfgs, size_t n, struct vg_error *err)
{
	struct secret_group *g = calloc(1, sizeof(*g));
	char *const **kw = NULL;
	size_t *counts = NULL;
	int rc = VG_ENOMEM;

	*out = NULL;
	if (!g)
		return vg_error_set(err, VG_ENOMEM, "out of memory");
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
	rc = vg_prefilter_new(&g->pf, kw, counts, n, err);
	if (rc < 0)
		goto out;
	g->words = vg_prefilter_words(g->pf);
	*out = g;
	g = NULL;
out:
	free(kw);
	free(counts);
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

static int secret_group_scan(void *p, struct vg_leaf_state *const *states,
			     const struct vg_rule *const *rules, const struct vg_file *f,
			     const struct vg_eval_ctx *ev)
{
	struct secret_group *g = p;
	uint64_t small[8] = {0}, *hits = small;
	int rc;

	(void)ev;
	if (g->words > sizeof(small) / sizeof(small[0])) {
		hits = vg_calloc(g->words, sizeof(*hits));
		if (!hits)
			return VG_ENOMEM;
	}
	rc = vg_prefilter_scan(g->pf, f->data, f->len, hits);
	for (size_t w = 0; rc == 0 && w < g->words; w++) {
		for (uint64_t bits = hits[w]; rc == 0 && bits; bits &= bits - 1) {
			size_t i = w * 64 + (size_t)__builtin_ctzll(bits);

			if (i >= g->n || (f->path && !vg_secret_wants(g->cfgs[i], f->path)))
				continue;
			rc = vg_secret_scan_range(g->cfgs[i], states[i], f, rules[i]->meta.title, 0,
						  f->len);
		}
	}
	if (hits != small)
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
