/* SPDX-License-Identifier: Apache-2.0 */
/* Collects modprobe.d install/blacklist lines as kmod reads them, and loaded modules. */
#include "facts/modules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts/confdirs.h"
#include "glob.h"
#include "limits.h"

static const char *const modprobe_dirs[] = {
	"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d",
	"/lib/modprobe.d", NULL,
};

/* kmod's other keywords: valid, but nothing vigil judges */
static const char *const other_keywords[] = {
	"alias", "options", "remove", "softdep", "weakdep", NULL,
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void entry_free(void *p)
{
	struct vg_modprobe_entry *e = p;

	if (!e)
		return;
	free(e->module);
	free(e->command);
	free(e->file);
	free(e);
}

void vg_modprobe_facts_init(struct vg_modprobe_facts *f)
{
	memset(f, 0, sizeof(*f));
	vg_vec_init(&f->installs);
	vg_vec_init(&f->blacklists);
	vg_vec_init(&f->warnings);
}

void vg_modprobe_facts_finish(struct vg_modprobe_facts *f)
{
	if (!f)
		return;
	vg_vec_finish(&f->installs, entry_free);
	vg_vec_finish(&f->blacklists, entry_free);
	vg_vec_finish(&f->warnings, free);
}

void vg_modprobe_facts_free(struct vg_modprobe_facts *f)
{
	if (!f)
		return;
	vg_modprobe_facts_finish(f);
	free(f);
}

void vg_modules_loaded_free(struct vg_modules_loaded *m)
{
	if (!m)
		return;
	vg_vec_finish(&m->names, free);
	free(m);
}

int vg_module_normalize(char **out, const char *name, size_t len, struct vg_error *err)
{
	char *n;
	int depth = 0;

	*out = NULL;
	if (len == 0)
		return vg_error_set(err, VG_EPARSE, "empty module name");
	if (len > VG_MODULE_MAX_NAME)
		return vg_error_set(err, VG_EPARSE, "module name longer than %d bytes",
				    VG_MODULE_MAX_NAME);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= ' ' || c == 0x7f || c == '/')
			return vg_error_set(err, VG_EPARSE, "invalid module name '%.*s'",
					    (int)len, name);
	}
	n = vg_strndup(name, len);
	if (!n)
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	/* as kmod's underscores(): a '-' inside a [...] range stays */
	for (char *p = n; *p; p++) {
		if (*p == '[')
			depth = 1;
		else if (*p == ']')
			depth = 0;
		else if (*p == '-' && !depth)
			*p = '_';
	}
	*out = n;
	return 0;
}

static size_t entries(const struct vg_modprobe_facts *f)
{
	return f->installs.len + f->blacklists.len + f->warnings.len;
}

static int warn(struct vg_modprobe_facts *f, const char *file, size_t line, const char *why,
		struct vg_error *err)
{
	char *w = vg_asprintf("%s:%zu: %s", file, line, why);

	if (!w || vg_vec_push(&f->warnings, w) < 0) {
		free(w);
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	}
	return 0;
}

/* Splits off the next blank-separated word of s[*pos..len). */
static bool next_word(const char *s, size_t len, size_t *pos, const char **w, size_t *wlen)
{
	size_t i = *pos;

	while (i < len && is_blank(s[i]))
		i++;
	if (i == len)
		return false;
	*w = s + i;
	while (i < len && !is_blank(s[i]))
		i++;
	*wlen = (size_t)(s + i - *w);
	*pos = i;
	return true;
}

static int add_entry(struct vg_modprobe_facts *f, struct vg_vec *v, const char *file,
		     size_t line, char *module, const char *cmd, size_t cmdlen,
		     struct vg_error *err)
{
	struct vg_modprobe_entry *e = calloc(1, sizeof(*e));

	if (!e) {
		free(module);
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	}
	e->module = module;
	e->line = line;
	e->file = strdup(file);
	if (cmd)
		e->command = vg_strndup(cmd, cmdlen);
	if (!e->file || (cmd && !e->command) || vg_vec_push(v, e) < 0) {
		entry_free(e);
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	}
	return 0;
}

/* One logical line (continuations joined, comments gone). */
static int parse_line(struct vg_modprobe_facts *f, const char *file, size_t lineno,
		      const char *s, size_t len, struct vg_error *err)
{
	const char *kw = NULL, *mod = NULL;
	size_t kwlen = 0, modlen = 0, pos = 0;
	struct vg_error nerr = {0};
	char *name = NULL;
	bool install, blacklist;

	if (entries(f) >= VG_MAX_CONFIG_ENTRIES)
		return vg_error_set(err, VG_ELIMIT, "%s:%zu: more than %d modprobe lines", file,
				    lineno, VG_MAX_CONFIG_ENTRIES);
	while (len && is_blank(s[len - 1]))
		len--;
	if (!next_word(s, len, &pos, &kw, &kwlen))
		return 0;
	install = kwlen == 7 && !memcmp(kw, "install", 7);
	blacklist = kwlen == 9 && !memcmp(kw, "blacklist", 9);
	if (!install && !blacklist) {
		for (size_t i = 0; other_keywords[i]; i++)
			if (strlen(other_keywords[i]) == kwlen &&
			    !memcmp(other_keywords[i], kw, kwlen))
				return 0;
		return warn(f, file, lineno, "unknown keyword (line ignored, as modprobe does)",
			    err);
	}
	if (!next_word(s, len, &pos, &mod, &modlen))
		return warn(f, file, lineno, install ? "install without a module (ignored)" :
						       "blacklist without a module (ignored)", err);
	if (vg_module_normalize(&name, mod, modlen, &nerr) < 0)
		return nerr.code == VG_ENOMEM ? vg_error_set(err, VG_ENOMEM, "out of memory") :
						warn(f, file, lineno, nerr.msg, err);
	if (blacklist)
		return add_entry(f, &f->blacklists, file, lineno, name, NULL, 0, err);
	while (pos < len && is_blank(s[pos]))
		pos++;
	if (pos == len) {
		free(name);
		return warn(f, file, lineno, "install without a command (ignored)", err);
	}
	return add_entry(f, &f->installs, file, lineno, name, s + pos, len - pos, err);
}

int vg_modprobe_parse(struct vg_modprobe_facts *f, const char *file, const char *data,
		      size_t len, struct vg_error *err)
{
	struct vg_buf line;
	size_t lineno = 0, start = 0;
	bool too_long = false;
	char why[80];
	int rc = 0;

	if (memchr(data, '\0', len))
		return vg_error_set(err, VG_EPARSE, "%s: binary data, not a modprobe configuration "
					"file", file);
	vg_buf_init(&line, VG_MAX_CONFIG_LINE_BYTES);
	for (size_t pos = 0; pos < len && rc == 0;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		size_t b = end;
		bool cont;

		lineno++;
		if (!line.len && !too_long)
			start = lineno;
		while (b > pos && data[b - 1] == '\r')
			b--;
		/* a trailing backslash joins the next line, as kmod's reader does */
		cont = b > pos && data[b - 1] == '\\' && nl;
		if (!too_long) {
			rc = vg_buf_append(&line, data + pos, cont ? b - 1 - pos : b - pos);
			if (rc == VG_ENOMEM) {
				rc = vg_error_set(err, rc, "out of memory");
				break;
			}
			/* a line past the cap is reported and left out, not kept in part */
			too_long = rc == VG_ELIMIT;
			rc = 0;
		}
		pos = end + 1;
		if (cont)
			continue;
		if (too_long) {
			snprintf(why, sizeof(why), "line longer than %u bytes (ignored)",
				 VG_MAX_CONFIG_LINE_BYTES);
			rc = warn(f, file, start, why, err);
			too_long = false;
		} else if (line.data) {
			size_t a = 0;

			while (a < line.len && is_blank(line.data[a]))
				a++;
			if (a < line.len && line.data[a] != '#')
				rc = parse_line(f, file, start, line.data + a, line.len - a, err);
		}
		vg_buf_clear(&line);
	}
	vg_buf_finish(&line);
	if (rc == 0)
		f->files++;
	return rc;
}

static int parse_file(void *ud, const char *path, const char *data, size_t len,
		      struct vg_error *err)
{
	return vg_modprobe_parse(ud, path, data, len, err);
}

int vg_modprobe_collect(struct vg_modprobe_facts **out, struct vg_fs *fs, struct vg_error *err)
{
	struct vg_modprobe_facts *f = NULL;
	int rc;

	*out = NULL;
	f = malloc(sizeof(*f));
	if (!f)
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	vg_modprobe_facts_init(f);
	rc = vg_conffiles_parse(fs, modprobe_dirs, ".conf", parse_file, f, err);
	if (rc < 0)
		goto out;
	*out = f;
	f = NULL;
out:
	vg_modprobe_facts_free(f);
	return rc;
}

const struct vg_modprobe_entry *vg_modprobe_install(const struct vg_modprobe_facts *f,
						    const char *module)
{
	for (size_t i = 0; i < f->installs.len; i++) {
		const struct vg_modprobe_entry *e = f->installs.items[i];

		if (vg_glob_match_str(e->module, module))
			return e;
	}
	return NULL;
}

const struct vg_modprobe_entry *vg_modprobe_blacklist(const struct vg_modprobe_facts *f,
						      const char *module)
{
	for (size_t i = 0; i < f->blacklists.len; i++) {
		const struct vg_modprobe_entry *e = f->blacklists.items[i];

		if (!strcmp(e->module, module))
			return e;
	}
	return NULL;
}

bool vg_modprobe_command_disables(const char *command)
{
	static const char *const nops[] = {
		"/bin/false", "/bin/true", "/usr/bin/false", "/usr/bin/true", "false", "true", NULL,
	};

	/* anything more (arguments, ';', '&&') could still load the module */
	for (size_t i = 0; nops[i]; i++)
		if (!strcmp(command, nops[i]))
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int vg_modules_parse_loaded(struct vg_modules_loaded *m, const char *data, size_t len,
			    struct vg_error *err)
{
	memset(m, 0, sizeof(*m));
	vg_vec_init(&m->names);
	if (memchr(data, '\0', len))
		return vg_error_set(err, VG_EPARSE, "/proc/modules: binary data");
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		const char *w = NULL;
		size_t wlen = 0, p = pos;
		struct vg_error nerr = {0};
		char *name = NULL;

		pos = end + 1;
		if (!next_word(data, end, &p, &w, &wlen))
			continue;
		if (m->names.len >= VG_MAX_CONFIG_ENTRIES)
			return vg_error_set(err, VG_ELIMIT, "/proc/modules: more than %d modules",
					    VG_MAX_CONFIG_ENTRIES);
		if (vg_module_normalize(&name, w, wlen, &nerr) < 0) {
			if (nerr.code == VG_ENOMEM)
				return vg_error_set(err, VG_ENOMEM, "out of memory");
			continue;
		}
		if (vg_vec_push(&m->names, name) < 0) {
			free(name);
			return vg_error_set(err, VG_ENOMEM, "out of memory");
		}
	}
	if (m->names.len > 1)
		qsort(m->names.items, m->names.len, sizeof(m->names.items[0]), cmp_str);
	return 0;
}

int vg_modules_collect_loaded(struct vg_modules_loaded **out, struct vg_fs *fs,
			      struct vg_error *err)
{
	struct vg_modules_loaded *m = NULL;
	struct vg_blob b = {0};
	int rc;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	vg_vec_init(&m->names);
	rc = vg_fs_read(fs, "/proc/modules", VG_MAX_CONFIG_FILE_BYTES, &b, err);
	if (rc == VG_ENOTFOUND) {
		vg_error_clear(err);
		m->no_module_support = true;
		rc = 0;
	} else if (rc == 0) {
		rc = vg_modules_parse_loaded(m, b.data, b.len, err);
	}
	vg_blob_finish(&b);
	if (rc < 0) {
		vg_modules_loaded_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

bool vg_modules_is_loaded(const struct vg_modules_loaded *m, const char *module)
{
	const char *key = module;

	if (!m->names.len)
		return false;
	return bsearch(&key, m->names.items, m->names.len, sizeof(m->names.items[0]),
		       cmp_str) != NULL;
}

static int collect_modprobe(void **out, const struct vg_target *t, struct vg_error *err)
{
	struct vg_modprobe_facts *f = NULL;
	int rc = vg_modprobe_collect(&f, t->fs, err);

	*out = f;
	return rc;
}

static void free_modprobe(void *p)
{
	vg_modprobe_facts_free(p);
}

static int collect_loaded(void **out, const struct vg_target *t, struct vg_error *err)
{
	struct vg_modules_loaded *m = NULL;
	int rc = vg_modules_collect_loaded(&m, t->fs, err);

	*out = m;
	return rc;
}

static void free_loaded(void *p)
{
	vg_modules_loaded_free(p);
}

const struct vg_collector vg_collector_modprobe = {
	.name = "modprobe.d",
	.offline = true,
	.live_only = false,
	.collect = collect_modprobe,
	.free_facts = free_modprobe,
};

const struct vg_collector vg_collector_modules_loaded = {
	.name = "loaded kernel modules",
	.offline = false,
	.live_only = true,
	.collect = collect_loaded,
	.free_facts = free_loaded,
};
