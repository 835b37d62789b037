/* SPDX-License-Identifier: Apache-2.0 */
/* Collects configured mounts (fstab, systemd mount units) and live ones (/proc/self/mounts). */
#include "facts/mounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts/confdirs.h"
#include "limits.h"

static const char *const unit_dirs[] = {
	"/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
	"/usr/lib/systemd/system", "/lib/systemd/system", NULL,
};
#define ADMIN_UNIT_DIRS 2  /* the first two are the administrator's */

/* The file systems systemd mounts itself early at boot (mount-setup.c). */
static const struct {
	const char *target, *fstype, *options;
} builtin_mounts[] = {
	{"/proc", "proc", "nosuid,noexec,nodev"},
	{"/sys", "sysfs", "nosuid,noexec,nodev"},
	{"/dev", "devtmpfs", "nosuid,strictatime,mode=0755"},
	{"/dev/shm", "tmpfs", "nosuid,nodev,strictatime,mode=1777"},
	{"/dev/pts", "devpts", "nosuid,noexec,mode=0620,gid=5"},
	{"/run", "tmpfs", "nosuid,nodev,strictatime,mode=0755"},
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void entry_free(void *p)
{
	struct vg_mount_entry *e = p;

	if (!e)
		return;
	free(e->source);
	free(e->target);
	free(e->fstype);
	free(e->options);
	free(e->file);
	free(e);
}

void vg_mount_table_init(struct vg_mount_table *t)
{
	vg_vec_init(&t->entries);
	vg_vec_init(&t->warnings);
}

void vg_mount_table_finish(struct vg_mount_table *t)
{
	if (!t)
		return;
	vg_vec_finish(&t->entries, entry_free);
	vg_vec_finish(&t->warnings, free);
}

void vg_mount_table_free(struct vg_mount_table *t)
{
	if (!t)
		return;
	vg_mount_table_finish(t);
	free(t);
}

static bool is_octal(char c)
{
	return c >= '0' && c <= '7';
}

int vg_mounts_unescape(char **out, const char *s, size_t len)
{
	char *d = malloc(len + 1);
	size_t n = 0;

	*out = NULL;
	if (!d)
		return VG_ENOMEM;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len && is_octal(s[i + 1]) &&
		    is_octal(s[i + 2]) && is_octal(s[i + 3])) {
			unsigned v = (unsigned)(s[i + 1] - '0') * 64 + (unsigned)(s[i + 2] - '0') * 8 +
				     (unsigned)(s[i + 3] - '0');

			if (v >= 1 && v <= 255) {
				d[n++] = (char)v;
				i += 3;
				continue;
			}
		}
		d[n++] = s[i];
	}
	d[n] = '\0';
	*out = d;
	return 0;
}

int vg_mounts_normalize(char **out, const char *path, struct vg_error *err)
{
	size_t len = strlen(path), n = 0;
	char *d;

	*out = NULL;
	if (path[0] != '/')
		return vg_error_set(err, VG_EPARSE, "mount point '%s' is not an absolute path",
				    path);
	d = malloc(len + 1);
	if (!d)
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	for (size_t i = 0; i < len; i++) {
		if (path[i] == '/' && n && d[n - 1] == '/')
			continue;
		d[n++] = path[i];
	}
	if (n > 1 && d[n - 1] == '/')
		n--;
	d[n] = '\0';
	*out = d;
	return 0;
}

static int warn(struct vg_mount_table *t, const char *file, size_t line, const char *why,
		struct vg_error *err)
{
	char *w;

	if (t->entries.len + t->warnings.len >= VG_MAX_CONFIG_ENTRIES)
		return vg_error_set(err, VG_ELIMIT, "%s:%zu: more than %d mount lines", file, line,
				    VG_MAX_CONFIG_ENTRIES);
	w = vg_asprintf("%s:%zu: %s", file, line, why);
	if (!w || vg_vec_push(&t->warnings, w) < 0) {
		free(w);
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	}
	return 0;
}

/* Takes the decoded target and stores it normalized when it is a path
 * ("none" and "swap" stay as they are: they match no mount point). */
static int set_target(struct vg_mount_entry *e, char *target)
{
	char *norm = NULL;

	if (target[0] == '/' && vg_mounts_normalize(&norm, target, NULL) < 0) {
		free(target);
		return VG_ENOMEM;
	}
	if (norm) {
		free(target);
		target = norm;
	}
	e->target = target;
	return 0;
}

static int add_entry(struct vg_mount_table *t, struct vg_mount_entry *e, struct vg_error *err)
{
	if (t->entries.len + t->warnings.len >= VG_MAX_CONFIG_ENTRIES) {
		entry_free(e);
		return vg_error_set(err, VG_ELIMIT, "more than %d mount entries",
				    VG_MAX_CONFIG_ENTRIES);
	}
	if (vg_vec_push(&t->entries, e) < 0) {
		entry_free(e);
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	}
	return 0;
}

/* One non-comment fstab line: the first four blank-separated fields make the entry. */
static int parse_fstab_line(struct vg_mount_table *t, const char *file, size_t lineno,
			    const char *s, size_t len, enum vg_mount_origin origin,
			    struct vg_error *err)
{
	const char *f[4] = {NULL};
	size_t fl[4] = {0}, nf = 0, i = 0;
	struct vg_mount_entry *e = NULL;
	char *target = NULL;

	while (nf < 4) {
		while (i < len && is_blank(s[i]))
			i++;
		if (i == len)
			break;
		f[nf] = s + i;
		while (i < len && !is_blank(s[i]))
			i++;
		fl[nf] = (size_t)(s + i - f[nf]);
		nf++;
	}
	if (nf < 3)
		return warn(t, file, lineno, "fewer than three fields (ignored)", err);
	e = calloc(1, sizeof(*e));
	if (!e)
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	e->origin = origin;
	e->line = lineno;
	if (vg_mounts_unescape(&e->source, f[0], fl[0]) < 0 ||
	    vg_mounts_unescape(&target, f[1], fl[1]) < 0 || set_target(e, target) < 0 ||
	    vg_mounts_unescape(&e->fstype, f[2], fl[2]) < 0 ||
	    !(e->options = nf > 3 ? vg_strndup(f[3], fl[3]) : strdup("defaults")) ||
	    !(e->file = strdup(file))) {
		entry_free(e);
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	}
	return add_entry(t, e, err);
}

int vg_mounts_parse_fstab(struct vg_mount_table *t, const char *file, const char *data,
			  size_t len, enum vg_mount_origin origin, struct vg_error *err)
{
	size_t lineno = 0;
	char why[80];

	if (memchr(data, '\0', len))
		return vg_error_set(err, VG_EPARSE, "%s: binary data, not a mount table", file);
	snprintf(why, sizeof(why), "line longer than %u bytes (ignored)",
		 VG_MAX_CONFIG_LINE_BYTES);
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		size_t a = pos;
		int rc;

		lineno++;
		if (end - pos > VG_MAX_CONFIG_LINE_BYTES) {
			rc = warn(t, file, lineno, why, err);
			if (rc < 0)
				return rc;
			pos = end + 1;
			continue;
		}
		while (a < end && is_blank(data[a]))
			a++;
		if (a < end && data[a] != '#') {
			rc = parse_fstab_line(t, file, lineno, data + a, end - a, origin, err);
			if (rc < 0)
				return rc;
		}
		pos = end + 1;
	}
	return 0;
}

/* The state of one unit while its files are read. */
struct unit_state {
	char *what, *where, *type, *options;
	const char *opt_file, *where_file;
	size_t opt_line, where_line;
};

static int unit_assign(struct unit_state *u, const char *file, size_t lineno, const char *k,
		       size_t klen, const char *v, size_t vlen)
{
	char **slot = NULL;

	if (klen == 4 && !memcmp(k, "What", 4))
		slot = &u->what;
	else if (klen == 5 && !memcmp(k, "Where", 5))
		slot = &u->where;
	else if (klen == 4 && !memcmp(k, "Type", 4))
		slot = &u->type;
	else if (klen == 7 && !memcmp(k, "Options", 7))
		slot = &u->options;
	if (!slot)
		return 0;
	free(*slot);
	*slot = vg_strndup(v, vlen);
	if (!*slot)
		return VG_ENOMEM;
	if (slot == &u->options) {
		u->opt_file = file;
		u->opt_line = lineno;
	} else if (slot == &u->where) {
		u->where_file = file;
		u->where_line = lineno;
	}
	return 0;
}

static int unit_text(struct vg_mount_table *t, struct unit_state *u,
		     const struct vg_unit_text *x, struct vg_error *err)
{
	bool in_mount = false;
	size_t lineno = 0;
	char why[80];

	if (memchr(x->data, '\0', x->len))
		return vg_error_set(err, VG_EPARSE, "%s: binary data, not a systemd unit", x->file);
	snprintf(why, sizeof(why), "line longer than %u bytes (ignored)",
		 VG_MAX_CONFIG_LINE_BYTES);
	for (size_t pos = 0; pos < x->len;) {
		const char *d = x->data;
		const char *nl = memchr(d + pos, '\n', x->len - pos);
		size_t end = nl ? (size_t)(nl - d) : x->len;
		size_t a = pos, b = end;
		const char *eq;

		lineno++;
		pos = end + 1;
		if (b - a > VG_MAX_CONFIG_LINE_BYTES) {
			int rc = warn(t, x->file, lineno, why, err);

			if (rc < 0)
				return rc;
			continue;
		}
		while (a < b && is_blank(d[a]))
			a++;
		while (b > a && is_blank(d[b - 1]))
			b--;
		if (a == b || d[a] == '#' || d[a] == ';')
			continue;
		if (d[a] == '[') {
			in_mount = b - a == 7 && !memcmp(d + a, "[Mount]", 7);
			continue;
		}
		eq = memchr(d + a, '=', b - a);
		if (!in_mount || !eq) {
			continue;
		} else {
			size_t kb = (size_t)(eq - d), va = kb + 1;

			while (kb > a && is_blank(d[kb - 1]))
				kb--;
			while (va < b && is_blank(d[va]))
				va++;
			if (unit_assign(u, x->file, lineno, d + a, kb - a, d + va, b - va) < 0)
				return vg_error_set(err, VG_ENOMEM, "out of memory");
		}
	}
	return 0;
}

int vg_mounts_parse_unit(struct vg_mount_table *t, const struct vg_unit_text *texts, size_t n,
			 enum vg_mount_origin origin, struct vg_error *err)
{
	struct unit_state u = {0};
	struct vg_mount_entry *e = NULL;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = unit_text(t, &u, &texts[i], err);
	if (rc < 0 || n == 0)
		goto out;
	if (!u.where || u.where[0] != '/') {
		rc = warn(t, texts[0].file, 0, "mount unit without an absolute Where= (ignored)",
			  err);
		goto out;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		rc = vg_error_set(err, VG_ENOMEM, "out of memory");
		goto out;
	}
	e->origin = origin;
	e->source = u.what ? u.what : strdup("");
	e->fstype = u.type ? u.type : strdup("auto");
	e->options = u.options && *u.options ? u.options : strdup("defaults");
	if (e->options != u.options)
		free(u.options);
	e->file = strdup(u.opt_file ? u.opt_file : u.where_file);
	e->line = u.opt_file ? u.opt_line : u.where_line;
	u.what = u.type = u.options = NULL;
	if (!e->source || !e->fstype || !e->options || !e->file ||
	    vg_mounts_normalize(&e->target, u.where, err) < 0) {
		entry_free(e);
		rc = vg_error_set(err, VG_ENOMEM, "out of memory");
		goto out;
	}
	rc = add_entry(t, e, err);
out:
	free(u.what);
	free(u.where);
	free(u.type);
	free(u.options);
	return rc;
}

/* Names of units some target wants or requires: the links in *.wants and
 * *.requires directories of every unit directory. */
struct wanted {
	struct vg_vec names;  /* char * */
	struct vg_fs *fs;
	const char *dir;
	struct vg_error *err;
};

static int add_wanted(void *ud, const char *name)
{
	struct wanted *w = ud;
	size_t n = strlen(name);
	char *s;

	if (n <= 6 || strcmp(name + n - 6, ".mount"))
		return 0;
	if (w->names.len >= VG_MAX_CONFIG_ENTRIES)
		return vg_error_set(w->err, VG_ELIMIT, "more than %d wanted mount units",
				    VG_MAX_CONFIG_ENTRIES);
	s = strdup(name);
	if (!s || vg_vec_push(&w->names, s) < 0) {
		free(s);
		return vg_error_set(w->err, VG_ENOMEM, "out of memory");
	}
	return 0;
}

static int scan_wants_dir(void *ud, const char *name)
{
	struct wanted *w = ud;
	size_t n = strlen(name);
	char *sub = NULL;
	int rc;

	if (!((n > 6 && !strcmp(name + n - 6, ".wants")) ||
	      (n > 9 && !strcmp(name + n - 9, ".requires"))))
		return 0;
	sub = vg_asprintf("%s/%s", w->dir, name);
	if (!sub)
		return vg_error_set(w->err, VG_ENOMEM, "out of memory");
	rc = vg_fs_list(w->fs, sub, add_wanted, w, w->err);
	if (rc == VG_ENOTFOUND || rc == VG_EUNSUPPORTED) {
		vg_error_clear(w->err);
		rc = 0;
	}
	free(sub);
	return rc;
}

static bool is_wanted(const struct wanted *w, const char *name)
{
	for (size_t i = 0; i < w->names.len; i++)
		if (!strcmp(w->names.items[i], name))
			return true;
	return false;
}

/* Reads one enabled unit with its drop-ins (name.d/ *.conf in every unit directory). */
static int load_unit(struct vg_mount_table *t, struct vg_fs *fs, const struct vg_conffile *uf,
		     enum vg_mount_origin origin, struct vg_error *err)
{
	const char *dirs[sizeof(unit_dirs) / sizeof(unit_dirs[0])] = {NULL};
	struct vg_vec dropins;
	struct vg_blob *blobs = NULL;
	struct vg_unit_text *texts = NULL;
	size_t n = 0;
	int rc;

	vg_vec_init(&dropins);
	for (size_t i = 0; unit_dirs[i]; i++) {
		dirs[i] = vg_asprintf("%s/%s.d", unit_dirs[i], uf->name);
		if (!dirs[i]) {
			rc = vg_error_set(err, VG_ENOMEM, "out of memory");
			goto out;
		}
	}
	rc = vg_conffiles_list(&dropins, fs, dirs, ".conf", err);
	if (rc < 0)
		goto out;
	blobs = vg_calloc(dropins.len + 1, sizeof(*blobs));
	texts = vg_calloc(dropins.len + 1, sizeof(*texts));
	if (!blobs || !texts) {
		rc = vg_error_set(err, VG_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i <= dropins.len; i++) {
		const char *path = i ? ((struct vg_conffile *)dropins.items[i - 1])->path :
				       uf->path;

		rc = vg_conffile_read(&blobs[n], fs, path, err);
		if (rc < 0)
			goto out;
		if (rc == 1) {
			rc = 0;
			continue;
		}
		texts[n].file = path;
		texts[n].data = blobs[n].data;
		texts[n].len = blobs[n].len;
		n++;
	}
	if (n)
		rc = vg_mounts_parse_unit(t, texts, n, origin, err);
out:
	for (size_t i = 0; blobs && i <= dropins.len; i++)
		vg_blob_finish(&blobs[i]);
	free(blobs);
	free(texts);
	for (size_t i = 0; unit_dirs[i]; i++)
		free((char *)dirs[i]);
	vg_conffiles_finish(&dropins);
	return rc;
}

static int collect_units(struct vg_mount_table *t, struct vg_fs *fs, struct vg_error *err)
{
	struct wanted w = {.fs = fs, .err = err};
	struct vg_vec units;
	int rc = 0;

	vg_vec_init(&w.names);
	vg_vec_init(&units);
	for (size_t i = 0; rc == 0 && unit_dirs[i]; i++) {
		w.dir = unit_dirs[i];
		rc = vg_fs_list(fs, unit_dirs[i], scan_wants_dir, &w, err);
		if (rc == VG_ENOTFOUND) {
			vg_error_clear(err);
			rc = 0;
		}
	}
	if (rc == 0)
		rc = vg_conffiles_list(&units, fs, unit_dirs, ".mount", err);
	for (size_t i = 0; rc == 0 && i < units.len; i++) {
		const struct vg_conffile *uf = units.items[i];
		enum vg_mount_origin origin = VG_MOUNT_UNIT_VENDOR;

		if (!is_wanted(&w, uf->name))
			continue;
		for (size_t d = 0; d < ADMIN_UNIT_DIRS; d++) {
			size_t dl = strlen(unit_dirs[d]);

			if (!strncmp(uf->path, unit_dirs[d], dl) && uf->path[dl] == '/')
				origin = VG_MOUNT_UNIT_ADMIN;
		}
		rc = load_unit(t, fs, uf, origin, err);
	}
	vg_conffiles_finish(&units);
	vg_vec_finish(&w.names, free);
	return rc;
}

static int add_builtins(struct vg_mount_table *t, struct vg_fs *fs, struct vg_error *err)
{
	struct vg_stat st;
	int rc;
	bool systemd = vg_fs_stat(fs, "/usr/lib/systemd/systemd", &st, NULL) == 0 ||
		       vg_fs_stat(fs, "/lib/systemd/systemd", &st, NULL) == 0;

	if (!systemd)
		return 0;
	for (size_t i = 0; i < sizeof(builtin_mounts) / sizeof(builtin_mounts[0]); i++) {
		struct vg_mount_entry *e = calloc(1, sizeof(*e));

		if (!e)
			return vg_error_set(err, VG_ENOMEM, "out of memory");
		e->origin = VG_MOUNT_BUILTIN;
		e->source = strdup(builtin_mounts[i].fstype);
		e->target = strdup(builtin_mounts[i].target);
		e->fstype = strdup(builtin_mounts[i].fstype);
		e->options = strdup(builtin_mounts[i].options);
		if (!e->source || !e->target || !e->fstype || !e->options) {
			entry_free(e);
			return vg_error_set(err, VG_ENOMEM, "out of memory");
		}
		rc = add_entry(t, e, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int vg_mounts_collect_config(struct vg_mount_table **out, struct vg_fs *fs, struct vg_error *err)
{
	struct vg_mount_table *t = NULL;
	struct vg_blob b = {0};
	int rc;

	*out = NULL;
	t = malloc(sizeof(*t));
	if (!t)
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	vg_mount_table_init(t);
	rc = vg_conffile_read(&b, fs, "/etc/fstab", err);
	if (rc == 0)
		rc = vg_mounts_parse_fstab(t, "/etc/fstab", b.data, b.len, VG_MOUNT_FSTAB, err);
	else if (rc == 1)
		rc = 0;
	vg_blob_finish(&b);
	if (rc == 0)
		rc = collect_units(t, fs, err);
	if (rc == 0)
		rc = add_builtins(t, fs, err);
	if (rc < 0) {
		vg_mount_table_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

int vg_mounts_collect_live(struct vg_mount_table **out, struct vg_fs *fs, struct vg_error *err)
{
	struct vg_mount_table *t = NULL;
	struct vg_blob b = {0};
	int rc;

	*out = NULL;
	t = malloc(sizeof(*t));
	if (!t)
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	vg_mount_table_init(t);
	rc = vg_fs_read(fs, "/proc/self/mounts", VG_MAX_CONFIG_FILE_BYTES, &b, err);
	if (rc == 0)
		rc = vg_mounts_parse_fstab(t, "/proc/self/mounts", b.data, b.len, VG_MOUNT_LIVE,
					   err);
	vg_blob_finish(&b);
	if (rc < 0) {
		vg_mount_table_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

const struct vg_mount_entry *vg_mounts_find(const struct vg_mount_table *t,
					    const char *mountpoint)
{
	const struct vg_mount_entry *best = NULL;

	for (size_t i = 0; i < t->entries.len; i++) {
		const struct vg_mount_entry *e = t->entries.items[i];

		if (strcmp(e->target, mountpoint))
			continue;
		if (!best || e->origin <= best->origin)
			best = e;
	}
	return best;
}

/* The option that undoes opt: "dev" for "nodev" and back, "rw" for "ro". */
static bool is_opposite(const char *opt, const char *tok, size_t toklen)
{
	static const char *const pairs[][2] = {{"ro", "rw"}, {"sync", "async"}};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		for (int j = 0; j < 2; j++)
			if (!strcmp(opt, pairs[i][j]))
				return strlen(pairs[i][!j]) == toklen &&
				       !memcmp(tok, pairs[i][!j], toklen);
	if (!strncmp(opt, "no", 2))
		return strlen(opt + 2) == toklen && !memcmp(tok, opt + 2, toklen);
	return toklen == strlen(opt) + 2 && !memcmp(tok, "no", 2) &&
	       !memcmp(tok + 2, opt, toklen - 2);
}

static bool tok_is(const char *tok, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(tok, word, len);
}

bool vg_mount_option_set(const char *options, const char *opt)
{
	static const char *const on_by_default[] = {"rw", "suid", "dev", "exec", "async", "auto",
						    NULL};
	bool has_value = strchr(opt, '=') != NULL;
	size_t olen = strlen(opt);
	bool state = false;

	for (size_t i = 0; on_by_default[i]; i++)
		if (!strcmp(opt, on_by_default[i]))
			state = true;
	for (const char *p = options; *p;) {
		size_t len = strcspn(p, ",");

		if (tok_is(p, len, opt) ||
		    (!has_value && len > olen && !memcmp(p, opt, olen) && p[olen] == '='))
			state = true;
		else if (is_opposite(opt, p, len))
			state = false;
		else if ((tok_is(p, len, "user") || tok_is(p, len, "users")) &&
			 (!strcmp(opt, "noexec") || !strcmp(opt, "nosuid") || !strcmp(opt, "nodev")))
			state = true;
		else if ((tok_is(p, len, "user") || tok_is(p, len, "users")) &&
			 (!strcmp(opt, "exec") || !strcmp(opt, "suid") || !strcmp(opt, "dev")))
			state = false;
		else if ((tok_is(p, len, "owner") || tok_is(p, len, "group")) &&
			 (!strcmp(opt, "nosuid") || !strcmp(opt, "nodev")))
			state = true;
		else if ((tok_is(p, len, "owner") || tok_is(p, len, "group")) &&
			 (!strcmp(opt, "suid") || !strcmp(opt, "dev")))
			state = false;
		p += len;
		if (*p == ',')
			p++;
	}
	return state;
}

static int collect_config(void **out, const struct vg_target *t, struct vg_error *err)
{
	struct vg_mount_table *m = NULL;
	int rc = vg_mounts_collect_config(&m, t->fs, err);

	*out = m;
	return rc;
}

static int collect_live(void **out, const struct vg_target *t, struct vg_error *err)
{
	struct vg_mount_table *m = NULL;
	int rc = vg_mounts_collect_live(&m, t->fs, err);

	*out = m;
	return rc;
}

static void free_table(void *p)
{
	vg_mount_table_free(p);
}

const struct vg_collector vg_collector_mounts_config = {
	.name = "configured mounts",
	.offline = true,
	.live_only = false,
	.collect = collect_config,
	.free_facts = free_table,
};

const struct vg_collector vg_collector_mounts_live = {
	.name = "live mounts",
	.offline = false,
	.live_only = true,
	.collect = collect_live,
	.free_facts = free_table,
};
