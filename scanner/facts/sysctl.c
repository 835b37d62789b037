/* SPDX-License-Identifier: Apache-2.0 */
/* Collects persisted kernel parameters as systemd-sysctl applies them, and runtime ones. */
#include "facts/sysctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts/confdirs.h"
#include "glob.h"
#include "limits.h"

static const char *const sysctl_dirs[] = {
	"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d",
	"/lib/sysctl.d", NULL,
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static void setting_free(void *p)
{
	struct vg_sysctl_setting *s = p;

	if (!s)
		return;
	free(s->key);
	free(s->value);
	free(s->file);
	free(s);
}

void vg_sysctl_facts_init(struct vg_sysctl_facts *f)
{
	memset(f, 0, sizeof(*f));
	vg_vec_init(&f->settings);
	vg_vec_init(&f->globs);
	vg_vec_init(&f->excluded);
	vg_vec_init(&f->warnings);
}

void vg_sysctl_facts_finish(struct vg_sysctl_facts *f)
{
	if (!f)
		return;
	vg_vec_finish(&f->settings, setting_free);
	vg_vec_finish(&f->globs, setting_free);
	vg_vec_finish(&f->excluded, free);
	vg_vec_finish(&f->warnings, free);
}

void vg_sysctl_facts_free(struct vg_sysctl_facts *f)
{
	if (!f)
		return;
	vg_sysctl_facts_finish(f);
	free(f);
}

char *vg_sysctl_clean_value(const char *value, size_t len)
{
	struct vg_buf b;
	bool gap = false;

	vg_buf_init(&b, 0);
	for (size_t i = 0; i < len; i++) {
		if (is_space(value[i])) {
			gap = b.len > 0;
			continue;
		}
		if ((gap && vg_buf_putc(&b, ' ') < 0) || vg_buf_putc(&b, value[i]) < 0) {
			vg_buf_finish(&b);
			return NULL;
		}
		gap = false;
	}
	if (!b.data)
		return strdup("");
	return vg_buf_detach(&b);
}

int vg_sysctl_normalize(char **out, const char *key, size_t len, struct vg_error *err)
{
	size_t first, comp = 0;
	char *k = NULL;

	*out = NULL;
	if (len == 0)
		return vg_error_set(err, VG_EPARSE, "empty sysctl key");
	if (len > VG_SYSCTL_MAX_KEY)
		return vg_error_set(err, VG_EPARSE, "sysctl key longer than %d bytes",
				    VG_SYSCTL_MAX_KEY);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)key[i];

		if (c <= ' ' || c == 0x7f || c == '=')
			return vg_error_set(err, VG_EPARSE, "invalid character in sysctl key '%.*s'",
					    (int)len, key);
	}
	k = vg_strndup(key, len);
	if (!k)
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	/* sysctl.d: when the first separator is '/', dots are literal; swap into dotted form */
	first = strcspn(k, "./");
	if (k[first] == '/')
		for (char *p = k; *p; p++)
			*p = *p == '/' ? '.' : *p == '.' ? '/' : *p;
	/* every component non-empty and not "." or ".." once turned back into a path */
	for (size_t i = 0; i <= len; i++) {
		if (k[i] != '.' && k[i] != '\0')
			continue;
		if (i == comp || (i - comp == 1 && k[comp] == '/') ||
		    (i - comp == 2 && k[comp] == '/' && k[comp + 1] == '/')) {
			vg_error_set(err, VG_EPARSE, "invalid sysctl key '%.*s'", (int)len, key);
			free(k);
			return VG_EPARSE;
		}
		comp = i + 1;
	}
	*out = k;
	return 0;
}

static size_t entries(const struct vg_sysctl_facts *f)
{
	return f->settings.len + f->globs.len + f->excluded.len + f->warnings.len;
}

static int warn(struct vg_sysctl_facts *f, const char *file, size_t line, const char *why,
		struct vg_error *err)
{
	char *w;

	if (entries(f) >= VG_MAX_CONFIG_ENTRIES)
		return vg_error_set(err, VG_ELIMIT, "%s:%zu: more than %d sysctl lines", file, line,
				    VG_MAX_CONFIG_ENTRIES);
	w = vg_asprintf("%s:%zu: %s", file, line, why);
	if (!w || vg_vec_push(&f->warnings, w) < 0) {
		free(w);
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	}
	return 0;
}

/* Handles one trimmed, non-empty, non-comment line. */
static int parse_line(struct vg_sysctl_facts *f, const char *file, size_t lineno, const char *s,
		      size_t len, struct vg_error *err)
{
	const char *eq = memchr(s, '=', len);
	const char *val = eq ? eq + 1 : NULL;
	size_t vlen = eq ? (size_t)(s + len - val) : 0;
	struct vg_sysctl_setting *st = NULL;
	struct vg_error kerr = {0};
	size_t klen;
	char *key = NULL;
	int rc;

	if (entries(f) >= VG_MAX_CONFIG_ENTRIES)
		return vg_error_set(err, VG_ELIMIT, "%s:%zu: more than %d sysctl lines", file,
				    lineno, VG_MAX_CONFIG_ENTRIES);
	if (!eq) {
		/* "-key" alone keeps key out of every glob assignment */
		if (s[0] == '-' && vg_sysctl_normalize(&key, s + 1, len - 1, &kerr) == 0) {
			if (vg_vec_push(&f->excluded, key) < 0) {
				free(key);
				return vg_error_set(err, VG_ENOMEM, "out of memory");
			}
			return 0;
		}
		return warn(f, file, lineno, kerr.code ? kerr.msg : "not an assignment (ignored)",
			    err);
	}
	klen = (size_t)(eq - s);
	while (klen && is_space(s[klen - 1]))
		klen--;
	/* "-key = value": failures to set it are ignored; the value still counts */
	if (klen && s[0] == '-') {
		s++;
		klen--;
		while (klen && is_space(s[0])) {
			s++;
			klen--;
		}
	}
	if (vg_sysctl_normalize(&key, s, klen, &kerr) < 0) {
		if (kerr.code == VG_ENOMEM)
			return vg_error_set(err, VG_ENOMEM, "out of memory");
		return warn(f, file, lineno, kerr.msg, err);
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		free(key);
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	}
	st->key = key;
	st->line = lineno;
	st->seq = f->seq++;
	st->glob = vg_glob_has_magic(key);
	st->value = vg_sysctl_clean_value(val, vlen);
	st->file = strdup(file);
	if (!st->value || !st->file) {
		rc = vg_error_set(err, VG_ENOMEM, "out of memory");
		goto fail;
	}
	if (vg_vec_push(st->glob ? &f->globs : &f->settings, st) < 0) {
		rc = vg_error_set(err, VG_ENOMEM, "out of memory");
		goto fail;
	}
	if (!st->glob)
		f->indexed = false;
	return 0;
fail:
	setting_free(st);
	return rc;
}

int vg_sysctl_parse(struct vg_sysctl_facts *f, const char *file, const char *data, size_t len,
		    struct vg_error *err)
{
	char too_long[80];
	size_t lineno = 0;

	snprintf(too_long, sizeof(too_long), "line longer than %u bytes (ignored)",
		 VG_MAX_CONFIG_LINE_BYTES);

	if (memchr(data, '\0', len))
		return vg_error_set(err, VG_EPARSE, "%s: binary data, not a sysctl configuration "
					"file", file);
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		size_t a = pos, b = end;
		int rc;

		lineno++;
		pos = end + 1;
		if (b - a > VG_MAX_CONFIG_LINE_BYTES) {
			rc = warn(f, file, lineno, too_long, err);
			if (rc < 0)
				return rc;
			continue;
		}
		while (a < b && is_space(data[a]))
			a++;
		while (b > a && is_space(data[b - 1]))
			b--;
		if (a == b || data[a] == '#' || data[a] == ';')
			continue;
		rc = parse_line(f, file, lineno, data + a, b - a, err);
		if (rc < 0)
			return rc;
	}
	f->files++;
	return 0;
}

static int cmp_setting(const void *a, const void *b)
{
	const struct vg_sysctl_setting *x = *(const struct vg_sysctl_setting *const *)a;
	const struct vg_sysctl_setting *y = *(const struct vg_sysctl_setting *const *)b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void vg_sysctl_index(struct vg_sysctl_facts *f)
{
	size_t n = 0;

	if (f->indexed)
		return;
	if (f->settings.len > 1)
		qsort(f->settings.items, f->settings.len, sizeof(f->settings.items[0]),
		      cmp_setting);
	/* keep the last assignment of each key */
	for (size_t i = 0; i < f->settings.len; i++) {
		struct vg_sysctl_setting *s = f->settings.items[i];
		struct vg_sysctl_setting *next = i + 1 < f->settings.len ?
							 f->settings.items[i + 1] : NULL;

		if (next && !strcmp(next->key, s->key)) {
			setting_free(s);
			continue;
		}
		f->settings.items[n++] = s;
	}
	f->settings.len = n;
	f->indexed = true;
}

static int cmp_key(const void *k, const void *e)
{
	return strcmp(k, (*(const struct vg_sysctl_setting *const *)e)->key);
}

const struct vg_sysctl_setting *vg_sysctl_lookup(const struct vg_sysctl_facts *f,
						 const char *key)
{
	if (f->indexed) {
		struct vg_sysctl_setting *const *hit = NULL;

		if (f->settings.len)
			hit = bsearch(key, f->settings.items, f->settings.len,
				      sizeof(f->settings.items[0]), cmp_key);
		if (hit)
			return *hit;
	} else {
		for (size_t i = f->settings.len; i-- > 0;) {
			const struct vg_sysctl_setting *s = f->settings.items[i];

			if (!strcmp(s->key, key))
				return s;
		}
	}
	for (size_t i = 0; i < f->excluded.len; i++)
		if (!strcmp(f->excluded.items[i], key))
			return NULL;
	for (size_t i = f->globs.len; i-- > 0;) {
		const struct vg_sysctl_setting *s = f->globs.items[i];

		if (vg_glob_match_str(s->key, key))
			return s;
	}
	return NULL;
}

/* Applies one drop-in file (vg_conffiles_parse skips a mask or a vanished one). */
static int parse_file(void *ud, const char *path, const char *data, size_t len,
		      struct vg_error *err)
{
	return vg_sysctl_parse(ud, path, data, len, err);
}

int vg_sysctl_collect(struct vg_sysctl_facts **out, struct vg_fs *fs, struct vg_error *err)
{
	struct vg_sysctl_facts *f = NULL;
	struct vg_blob b = {0};
	int rc;

	*out = NULL;
	f = malloc(sizeof(*f));
	if (!f)
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	vg_sysctl_facts_init(f);
	rc = vg_conffiles_parse(fs, sysctl_dirs, ".conf", parse_file, f, err);
	/* procps applies /etc/sysctl.conf after the directories: it wins */
	if (rc == 0)
		rc = vg_conffile_read(&b, fs, "/etc/sysctl.conf", err);
	if (rc == 0)
		rc = vg_sysctl_parse(f, "/etc/sysctl.conf", b.data, b.len, err);
	if (rc < 0)
		goto out;
	vg_sysctl_index(f);
	*out = f;
	f = NULL;
	rc = 0;
out:
	vg_blob_finish(&b);
	vg_sysctl_facts_free(f);
	return rc;
}

int vg_sysctl_runtime(char **out, struct vg_fs *fs, const char *key, struct vg_error *err)
{
	struct vg_blob b = {0};
	char *path = NULL;
	int rc;

	*out = NULL;
	path = vg_asprintf("/proc/sys/%s", key);
	if (!path)
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	/* back to path form: dots separate, '/' stood for a literal dot */
	for (char *p = path + strlen("/proc/sys/"); *p; p++)
		*p = *p == '.' ? '/' : *p == '/' ? '.' : *p;
	rc = vg_fs_read(fs, path, VG_MAX_CONFIG_FILE_BYTES, &b, err);
	if (rc < 0)
		goto out;
	if (memchr(b.data, '\0', b.len)) {
		rc = vg_error_set(err, VG_EPARSE, "%s: binary data", path);
		goto out;
	}
	*out = vg_sysctl_clean_value(b.data, b.len);
	if (!*out)
		rc = vg_error_set(err, VG_ENOMEM, "out of memory");
out:
	vg_blob_finish(&b);
	free(path);
	return rc;
}

static int collect(void **out, const struct vg_target *t, struct vg_error *err)
{
	struct vg_sysctl_facts *f = NULL;
	int rc = vg_sysctl_collect(&f, t->fs, err);

	*out = f;
	return rc;
}

static void free_facts(void *p)
{
	vg_sysctl_facts_free(p);
}

const struct vg_collector vg_collector_sysctl = {
	.name = "sysctl",
	.offline = true,
	.live_only = false,
	.collect = collect,
	.free_facts = free_facts,
};
