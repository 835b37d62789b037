/* SPDX-License-Identifier: Apache-2.0 */
/* PCRE2 behind one small API: JIT when available, match limits always, per-thread scratch. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "regex.h"

#include <pcre2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "util.h"

#define JIT_STACK_START (32u * 1024)

struct vg_regex {
	pcre2_code *code;
	char *source;
	unsigned capture_count;
};

/* Scratch one thread needs to run a match; never shared between threads. */
struct tls {
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *stack;
};

static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static int tls_key_rc;

static void tls_free(void *p)
{
	struct tls *t = p;

	if (!t)
		return;
	pcre2_match_data_free(t->md);
	pcre2_match_context_free(t->mctx);
	pcre2_jit_stack_free(t->stack);
	free(t);
}

static void tls_key_create(void)
{
	tls_key_rc = pthread_key_create(&tls_key, tls_free);
}

static bool jit_available(void)
{
	uint32_t jit = 0;

	return pcre2_config(PCRE2_CONFIG_JIT, &jit) >= 0 && jit;
}

/* Returns the calling thread's scratch, creating it on first use; NULL on failure. */
static struct tls *tls_get(void)
{
	struct tls *t = NULL;

	if (pthread_once(&tls_once, tls_key_create) != 0 || tls_key_rc != 0)
		return NULL;
	t = pthread_getspecific(tls_key);
	if (t)
		return t;
	t = vg_calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	/* whole match plus VG_RE_MAX_GROUPS groups; later groups are not reported */
	t->md = pcre2_match_data_create(VG_RE_MAX_GROUPS + 1, NULL);
	t->mctx = pcre2_match_context_create(NULL);
	if (!t->md || !t->mctx)
		goto fail;
	pcre2_set_match_limit(t->mctx, VG_REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(t->mctx, VG_REGEX_DEPTH_LIMIT);
	pcre2_set_heap_limit(t->mctx, VG_REGEX_HEAP_LIMIT_KIB);
	if (jit_available()) {
		/* without its own stack JIT would use 32 KiB of the machine stack */
		t->stack = pcre2_jit_stack_create(JIT_STACK_START, VG_REGEX_JIT_STACK_MAX, NULL);
		if (!t->stack)
			goto fail;
		pcre2_jit_stack_assign(t->mctx, NULL, t->stack);
	}
	if (pthread_setspecific(tls_key, t) != 0)
		goto fail;
	return t;
fail:
	tls_free(t);
	return NULL;
}

void vg_regex_thread_cleanup(void)
{
	if (pthread_once(&tls_once, tls_key_create) != 0 || tls_key_rc != 0)
		return;
	tls_free(pthread_getspecific(tls_key));
	pthread_setspecific(tls_key, NULL);
}

static bool is_limit_error(int code)
{
	return code == PCRE2_ERROR_PATTERN_TOO_LARGE ||
	       code == PCRE2_ERROR_PARENTHESES_NEST_TOO_DEEP ||
	       code == PCRE2_ERROR_PATTERN_TOO_COMPLICATED ||
	       code == PCRE2_ERROR_PATTERN_STRING_TOO_LONG;
}

int vg_regex_compile(struct vg_regex **out, const char *pattern, unsigned flags,
		     size_t *erroffset, struct vg_error *err)
{
	struct vg_regex *re = NULL;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off = 0;
	uint32_t opts, ncap = 0;
	int code = 0, rc = 0;
	size_t len;

	*out = NULL;
	if (erroffset)
		*erroffset = 0;
	if (!pattern)
		return vg_error_set(err, VG_ERROR, "regex pattern is missing");
	len = strnlen(pattern, VG_MAX_REGEX_BYTES + 1);
	if (len > VG_MAX_REGEX_BYTES) {
		if (erroffset)
			*erroffset = VG_MAX_REGEX_BYTES;
		return vg_error_set(err, VG_ELIMIT, "regex is longer than %u bytes",
				    (unsigned)VG_MAX_REGEX_BYTES);
	}

	/* \C can split a UTF-8 character and is never needed to scan text */
	opts = PCRE2_NEVER_BACKSLASH_C;
	if (flags & VG_RE_CASELESS)
		opts |= PCRE2_CASELESS;
	if (flags & VG_RE_MULTILINE)
		opts |= PCRE2_MULTILINE;
	if (flags & VG_RE_DOTALL)
		opts |= PCRE2_DOTALL;
	if (flags & VG_RE_EXTENDED)
		opts |= PCRE2_EXTENDED;
	/* Invalid UTF-8 in a subject must never be a match error: UTF mode always
	 * comes with MATCH_INVALID_UTF, and a pattern may not turn plain UTF mode
	 * on by itself with (*UTF). */
	if (flags & VG_RE_UTF)
		opts |= PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	else
		opts |= PCRE2_NEVER_UTF;

	re = vg_calloc(1, sizeof(*re));
	if (!re) {
		rc = vg_error_set(err, VG_ENOMEM, "out of memory compiling regex");
		goto out;
	}
	re->source = vg_strndup(pattern, len);
	if (!re->source) {
		rc = vg_error_set(err, VG_ENOMEM, "out of memory compiling regex");
		goto out;
	}
	re->code = pcre2_compile((PCRE2_SPTR)pattern, len, opts, &code, &off, NULL);
	if (!re->code) {
		if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
			memcpy(msg, "unknown error", sizeof("unknown error"));
		if (erroffset)
			*erroffset = off;
		if (code == PCRE2_ERROR_HEAP_FAILED)
			rc = VG_ENOMEM;
		else
			rc = is_limit_error(code) ? VG_ELIMIT : VG_EPARSE;
		vg_error_set(err, rc, "%s at offset %zu", (const char *)msg, (size_t)off);
		goto out;
	}
	/* JIT is only a speed-up: on failure the interpreter runs the same pattern */
	if (jit_available())
		(void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
	pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &ncap);
	re->capture_count = ncap;
	*out = re;
	re = NULL;
out:
	vg_regex_free(re);
	return rc;
}

void vg_regex_free(struct vg_regex *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	free(re->source);
	free(re);
}

int vg_regex_match(const struct vg_regex *re, const char *subject, size_t len, size_t start,
		   struct vg_regex_match *m)
{
	struct tls *t = NULL;
	PCRE2_SIZE *ov;
	size_t n;
	int rc;

	if (!re || (!subject && len))
		return VG_ERROR;
	if (!subject)
		subject = "";
	if (start > len)
		return 0;
	t = tls_get();
	if (!t)
		return VG_ENOMEM;
	/* One call searches from start to the end of the subject, so the budget
	 * grows with what is left to search: a large file is not an error, while
	 * catastrophic backtracking, which is far from linear, still stops. */
	{
		uint64_t limit = VG_REGEX_MATCH_LIMIT + (uint64_t)VG_REGEX_MATCH_PER_BYTE * (len - start);

		pcre2_set_match_limit(t->mctx, limit > UINT32_MAX ? UINT32_MAX : (uint32_t)limit);
	}
	rc = pcre2_match(re->code, (PCRE2_SPTR)subject, len, start, 0, t->md, t->mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
		return VG_ELIMIT;
	if (rc == PCRE2_ERROR_NOMEMORY)
		return VG_ENOMEM;
	if (rc < 0)
		return VG_ERROR;
	if (!m)
		return 1;

	/* rc == 0 means the pattern has more groups than the match data holds:
	 * the match is still good and every slot we have is filled in. */
	ov = pcre2_get_ovector_pointer(t->md);
	n = re->capture_count < VG_RE_MAX_GROUPS ? re->capture_count : VG_RE_MAX_GROUPS;
	m->start = ov[0];
	m->end = ov[1];
	m->ngroups = n;
	for (size_t i = 0; i <= VG_RE_MAX_GROUPS; i++) {
		/* PCRE2_UNSET is SIZE_MAX, and slots past rc are unset for this match */
		bool set = i <= n && (rc == 0 || i < (size_t)rc) && ov[2 * i] != PCRE2_UNSET;

		m->gstart[i] = set ? ov[2 * i] : SIZE_MAX;
		m->gend[i] = set ? ov[2 * i + 1] : SIZE_MAX;
	}
	return 1;
}

int vg_regex_group_index(const struct vg_regex *re, const char *name)
{
	int n;

	if (!re || !name)
		return -1;
	n = pcre2_substring_number_from_name(re->code, (PCRE2_SPTR)name);
	return n < 0 ? -1 : n;
}

unsigned vg_regex_capture_count(const struct vg_regex *re)
{
	return re ? re->capture_count : 0;
}

const char *vg_regex_source(const struct vg_regex *re)
{
	return re ? re->source : NULL;
}
