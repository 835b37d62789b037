/* SPDX-License-Identifier: Apache-2.0 */
/* Glob matching for paths and rule ids, without recursion and in O(pattern * subject) time. */
#include "glob.h"

#include <stddef.h>
#include <string.h>

#include "limits.h"

/*
 * Both levels use the classic wildcard loop that remembers only the last star:
 * each token other than a star consumes exactly one unit (a byte inside a
 * component, a component inside a path), so resuming after the most recent
 * star is enough and no state ever needs a second backtrack point.
 *
 * Path mode works on components: empty ones are skipped, so leading, trailing
 * and doubled slashes do not matter. A component that is exactly "**" is the
 * star of the outer loop and matches zero or more whole components; any other
 * "**" behaves like "*" (as in .gitignore). '?', '*' and classes never match
 * '/', because they only ever see one component. Matching is on bytes.
 *
 * The work is bounded by pattern length times subject length, and patterns are
 * capped at VG_MAX_PATH_BYTES (longer ones match nothing), so a hostile policy
 * cannot make one comparison expensive.
 */

/* Last ']' in [p, pe) that closes a class, i.e. is not escaped by an odd run of
 * backslashes; NULL when there is none. Where a class ends does not depend on
 * ranges, so knowing this lets an unclosed '[' be spotted in O(1) instead of
 * rescanning the rest of the pattern on every backtrack. */
static const char *last_closer(const char *p, const char *pe)
{
	for (const char *q = pe; q-- > p;) {
		size_t run = 0;

		if (*q != ']')
			continue;
		while (q - run > p && q[-1 - (ptrdiff_t)run] == '\\')
			run++;
		if (run % 2 == 0)
			return q;
	}
	return NULL;
}

/* Matches byte c against the class whose '[' is at p. Returns the position after
 * its ']', or NULL when the class is not closed (the '[' is then an ordinary
 * character). closer is last_closer() of the span. */
static const char *match_class(const char *p, const char *pe, const char *closer,
			       unsigned char c, bool *hit)
{
	bool neg = false, found = false;
	const char *first;

	p++;
	if (p < pe && (*p == '!' || *p == '^')) {
		neg = true;
		p++;
	}
	first = p;
	/* a ']' right at the start is a member, not the end */
	if (!closer || closer <= first)
		return NULL;
	while (p < pe) {
		unsigned char lo, hi;

		if (*p == ']' && p != first) {
			*hit = found != neg;
			return p + 1;
		}
		if (*p == '\\' && p + 1 < pe)
			p++;
		lo = (unsigned char)*p++;
		hi = lo;
		if (p + 1 < pe && *p == '-' && p[1] != ']') {
			p++;
			if (*p == '\\' && p + 1 < pe)
				p++;
			hi = (unsigned char)*p++;
		}
		if (lo <= c && c <= hi)
			found = true;
	}
	return NULL;
}

/* Matches one token at p against byte c; sets *next to the token's end. */
static bool match_one(const char *p, const char *pe, const char *closer, unsigned char c,
		      const char **next)
{
	const char *after;
	bool hit = false;

	if (*p == '?') {
		*next = p + 1;
		return true;
	}
	if (*p == '[') {
		after = match_class(p, pe, closer, c, &hit);
		if (after) {
			*next = after;
			return hit;
		}
	}
	if (*p == '\\' && p + 1 < pe)
		p++;
	*next = p + 1;
	return (unsigned char)*p == c;
}

/* Matches [p, pe) against the whole of [s, se) with '*', '?', classes and escapes. */
static bool match_span(const char *p, const char *pe, const char *s, const char *se)
{
	const char *closer = last_closer(p, pe);
	const char *star_p = NULL, *star_s = NULL;
	const char *next;

	while (s < se) {
		if (p < pe && *p == '*') {
			while (p < pe && *p == '*')
				p++;
			star_p = p;
			star_s = s;
			continue;
		}
		if (p < pe && match_one(p, pe, closer, (unsigned char)*s, &next)) {
			p = next;
			s++;
			continue;
		}
		if (!star_p)
			return false;
		p = star_p;
		s = ++star_s;
	}
	while (p < pe && *p == '*')
		p++;
	return p == pe;
}

/* Next non-empty component of a pattern: a backslash escapes the character after
 * it, and "\/" is a separator like "/". Returns false when none is left. */
static bool next_pat_comp(const char **cur, const char **b, const char **e)
{
	const char *p = *cur;

	for (;;) {
		while (*p == '/')
			p++;
		if (p[0] == '\\' && p[1] == '/') {
			p += 2;
			continue;
		}
		break;
	}
	if (!*p)
		return false;
	*b = p;
	while (*p && *p != '/') {
		if (p[0] == '\\' && p[1] == '/')
			break;
		if (p[0] == '\\' && p[1])
			p++;
		p++;
	}
	*e = p;
	*cur = p;
	return true;
}

/* Next non-empty component of a path. */
static bool next_path_comp(const char **cur, const char **b, const char **e)
{
	const char *p = *cur;

	while (*p == '/')
		p++;
	if (!*p)
		return false;
	*b = p;
	while (*p && *p != '/')
		p++;
	*e = p;
	*cur = p;
	return true;
}

static bool is_globstar(const char *b, const char *e)
{
	return e - b == 2 && b[0] == '*' && b[1] == '*';
}

/* Matches pattern components against path components; "**" is the star. */
static bool match_comps(const char *pat, const char *path)
{
	const char *p = pat, *s = path;
	const char *star_p = NULL, *star_s = NULL;
	const char *pb, *pe, *sb, *se, *tmp;

	for (;;) {
		const char *pnext = p, *snext = s;
		bool have_p = next_pat_comp(&pnext, &pb, &pe);
		bool have_s;

		if (have_p && is_globstar(pb, pe)) {
			p = pnext;
			star_p = p;
			star_s = s;
			continue;
		}
		have_s = next_path_comp(&snext, &sb, &se);
		if (!have_s) {
			/* only globstars may be left, and they match nothing */
			while (have_p && is_globstar(pb, pe))
				have_p = next_pat_comp(&pnext, &pb, &pe);
			return !have_p;
		}
		if (have_p && match_span(pb, pe, sb, se)) {
			p = pnext;
			s = snext;
			continue;
		}
		if (!star_p)
			return false;
		/* let the last "**" swallow one more component */
		tmp = star_s;
		next_path_comp(&tmp, &sb, &se);
		star_s = tmp;
		p = star_p;
		s = star_s;
	}
}

static bool too_long(const char *pattern)
{
	return strnlen(pattern, VG_MAX_PATH_BYTES + 1) > VG_MAX_PATH_BYTES;
}

bool vg_glob_match(const char *pattern, const char *path)
{
	const char *last = NULL, *cur, *b, *e;

	if (!pattern || !path || too_long(pattern))
		return false;
	if (strchr(pattern, '/'))
		return match_comps(pattern, path);
	/* like .gitignore: a bare name matches the last component at any depth */
	cur = path;
	while (next_path_comp(&cur, &b, &e))
		last = b;
	return match_comps(pattern, last ? last : "");
}

bool vg_glob_match_str(const char *pattern, const char *s)
{
	if (!pattern || !s || too_long(pattern))
		return false;
	return match_span(pattern, pattern + strlen(pattern), s, s + strlen(s));
}

bool vg_glob_has_magic(const char *pattern)
{
	if (!pattern)
		return false;
	for (const char *p = pattern; *p; p++) {
		/* an escape changes the meaning too, so the pattern is not a literal */
		if (*p == '*' || *p == '?' || *p == '\\')
			return true;
		if (*p == '[' && strchr(p + 1, ']'))
			return true;
	}
	return false;
}
