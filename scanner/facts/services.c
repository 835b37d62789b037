/* SPDX-License-Identifier: Apache-2.0 */
/* Reads systemd's unit directories to tell which units are installed, enabled and masked. */
#include "facts/services.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "limits.h"

/* systemd's system unit search path, highest precedence first. */
const char *const vg_services_dirs[] = {
	"/etc/systemd/system",
	"/run/systemd/system",
	"/usr/local/lib/systemd/system",
	"/usr/lib/systemd/system",
	"/lib/systemd/system",
	NULL,
};
#define FIRST_VENDOR_DIR 2

static const char *const suffixes[] = {
	".service", ".socket", ".target", ".timer", ".path", ".mount", ".automount", ".swap",
	".slice", ".scope", ".device", NULL,
};

static void file_free(void *p)
{
	struct vg_unit_file *f = p;

	if (!f)
		return;
	free(f->name);
	free(f->path);
	free(f->link);
	free(f);
}

static void want_free(void *p)
{
	struct vg_unit_want *w = p;

	if (!w)
		return;
	free(w->unit);
	free(w->path);
	free(w->by);
	free(w);
}

struct vg_services *vg_services_new(void)
{
	struct vg_services *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	vg_vec_init(&s->files);
	vg_vec_init(&s->wants);
	return s;
}

void vg_services_free(struct vg_services *s)
{
	if (!s)
		return;
	vg_vec_finish(&s->files, file_free);
	vg_vec_finish(&s->wants, want_free);
	free(s);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

bool vg_services_unit_valid(const char *unit)
{
	size_t n = strlen(unit);

	if (n == 0 || n > 255 || strchr(unit, '/') || unit[0] == '.')
		return false;
	for (size_t i = 0; suffixes[i]; i++)
		if (ends_with(unit, suffixes[i]) && n > strlen(suffixes[i]))
			return true;
	return false;
}

static int push_name(void *ud, const char *name)
{
	char *d = strdup(name);

	if (!d || vg_vec_push(ud, d) < 0) {
		free(d);
		return VG_ENOMEM;
	}
	return 0;
}

static void note_problem(struct vg_services *s, const struct vg_error *e)
{
	if (e->code == VG_EPERM)
		s->denied++;
	else
		s->errors++;
	if (!s->problem.code)
		s->problem = *e;
}

/* Whether the unit and link lists are full (noted once as a problem): a
 * hostile image must not make them grow without bound. */
static bool too_many(struct vg_services *s)
{
	struct vg_error e = {0};

	if (s->files.len + s->wants.len < VG_MAX_CONFIG_ENTRIES)
		return false;
	if (!s->full) {
		s->full = true;
		vg_error_set(&e, VG_ELIMIT, "more than %d unit files and links",
			     VG_MAX_CONFIG_ENTRIES);
		note_problem(s, &e);
	}
	return true;
}

/* Lists dir; missing is not a problem. Returns 1 when listed, 0 when absent
 * or unreadable (noted), VG_ENOMEM. */
static int list_dir(struct vg_services *s, struct vg_fs *fs, const char *dir,
		    struct vg_vec *names)
{
	struct vg_error e = {0};
	int rc = vg_fs_list(fs, dir, push_name, names, &e);

	if (rc == VG_ENOMEM)
		return rc;
	if (rc == VG_ENOTFOUND)
		return 0;
	if (rc < 0) {
		note_problem(s, &e);
		return 0;
	}
	return 1;
}

/* The unit names in a .wants/.requires/.upholds directory. */
static int load_wants(struct vg_services *s, struct vg_fs *fs, const char *dir,
		      const char *dirname, size_t prio)
{
	struct vg_vec names;
	size_t dot = strrchr(dirname, '.') - dirname;
	int rc;

	vg_vec_init(&names);
	rc = list_dir(s, fs, dir, &names);
	for (size_t i = 0; rc > 0 && i < names.len; i++) {
		const char *n = names.items[i];
		struct vg_unit_want *w;

		if (!vg_services_unit_valid(n))
			continue;
		if (too_many(s))
			break;
		w = calloc(1, sizeof(*w));
		if (!w || !(w->unit = strdup(n)) || !(w->path = vg_asprintf("%s/%s", dir, n)) ||
		    !(w->by = vg_strndup(dirname, dot)) || vg_vec_push(&s->wants, w) < 0) {
			want_free(w);
			rc = VG_ENOMEM;
			break;
		}
		w->vendor = prio >= FIRST_VENDOR_DIR;
	}
	vg_vec_finish(&names, free);
	return rc < 0 ? rc : 0;
}

static int load_dir(struct vg_services *s, struct vg_fs *fs, const char *dir, size_t prio)
{
	struct vg_vec names;
	int rc;

	vg_vec_init(&names);
	rc = list_dir(s, fs, dir, &names);
	if (rc > 0)
		s->dirs_found++;
	for (size_t i = 0; rc > 0 && i < names.len; i++) {
		const char *n = names.items[i];
		struct vg_error e = {0};
		struct vg_unit_file *f = NULL;
		struct vg_stat st;
		char *path = vg_asprintf("%s/%s", dir, n);
		int r;

		if (!path) {
			rc = VG_ENOMEM;
			break;
		}
		r = vg_fs_lstat(fs, path, &st, &e);
		if (r < 0) {
			if (r == VG_ENOMEM)
				rc = r;
			else if (r != VG_ENOTFOUND)
				note_problem(s, &e);
			free(path);
			continue;
		}
		if (S_ISDIR(st.mode)) {
			if (ends_with(n, ".wants") || ends_with(n, ".requires") ||
			    ends_with(n, ".upholds"))
				r = load_wants(s, fs, path, n, prio);
			free(path);
			if (r < 0)
				rc = r;
			continue;
		}
		if (!vg_services_unit_valid(n) || too_many(s)) {
			free(path);
			continue;
		}
		f = calloc(1, sizeof(*f));
		if (!f || !(f->name = strdup(n))) {
			free(path);
			file_free(f);
			rc = VG_ENOMEM;
			break;
		}
		f->path = path;
		f->prio = prio;
		if (S_ISLNK(st.mode)) {
			r = vg_fs_readlink(fs, path, &f->link, &e);
			if (r == VG_ENOMEM)
				rc = r;
			else if (r < 0)
				note_problem(s, &e);
		}
		if (rc < 0 || vg_vec_push(&s->files, f) < 0) {
			file_free(f);
			rc = VG_ENOMEM;
			break;
		}
	}
	vg_vec_finish(&names, free);
	return rc < 0 ? rc : 0;
}

int vg_services_load(struct vg_services **out, struct vg_fs *fs, struct vg_error *err)
{
	struct vg_services *s = vg_services_new();
	int rc = 0;

	*out = NULL;
	if (!s)
		return vg_error_set(err, VG_ENOMEM, "services: out of memory");
	for (size_t i = 0; vg_services_dirs[i] && rc == 0; i++)
		rc = load_dir(s, fs, vg_services_dirs[i], i);
	if (rc < 0) {
		vg_services_free(s);
		return vg_error_set(err, rc, "services: out of memory");
	}
	*out = s;
	return 0;
}

static const struct vg_unit_file *find_file(const struct vg_services *s, const char *name)
{
	/* files are in precedence order: the first one wins */
	for (size_t i = 0; i < s->files.len; i++) {
		const struct vg_unit_file *f = s->files.items[i];

		if (!strcmp(f->name, name))
			return f;
	}
	return NULL;
}

static bool is_mask(const struct vg_unit_file *f)
{
	return f && f->link && !strcmp(f->link, "/dev/null");
}

/* "foo@bar.service" -> "foo@.service" into buf; false when not an instance. */
static bool template_of(const char *unit, char *buf, size_t size)
{
	const char *at = strchr(unit, '@');
	const char *dot = strrchr(unit, '.');

	if (!at || !dot || dot < at || dot == at + 1)
		return false;
	return (size_t)snprintf(buf, size, "%.*s%s", (int)(at - unit + 1), unit, dot) < size;
}

static const struct vg_unit_want *find_want(const struct vg_services *s, const char *a,
					    const char *b)
{
	for (size_t i = 0; i < s->wants.len; i++) {
		const struct vg_unit_want *w = s->wants.items[i];

		if (!strcmp(w->unit, a) || (b && !strcmp(w->unit, b)))
			return w;
	}
	return NULL;
}

void vg_services_state(const struct vg_services *s, const char *unit, struct vg_unit_state *out)
{
	const struct vg_unit_file *f = find_file(s, unit);
	const char *alias_of = NULL;
	char tmpl[300];

	memset(out, 0, sizeof(*out));
	out->name = unit;
	if (f && is_mask(f)) {
		out->mask = f;
		out->want = find_want(s, unit, NULL);
		return;
	}
	if (f && f->link) {
		/* a link to a unit file with another name is an alias of that unit */
		const char *slash = strrchr(f->link, '/');
		const char *base = slash ? slash + 1 : f->link;

		if (strcmp(base, unit) && vg_services_unit_valid(base)) {
			const struct vg_unit_file *real = find_file(s, base);

			alias_of = base;
			out->name = real ? real->name : unit;
			if (real && is_mask(real)) {
				out->mask = real;
				out->want = find_want(s, unit, base);
				return;
			}
		}
	}
	if (!f && template_of(unit, tmpl, sizeof(tmpl))) {
		f = find_file(s, tmpl);
		if (f && is_mask(f)) {
			out->mask = f;
			out->want = find_want(s, unit, NULL);
			return;
		}
	}
	out->file = f;
	out->want = find_want(s, unit, alias_of);
}

/* systemd's escaping of a unit name prefix for a slice name: '-' and other
 * special characters become \xNN. */
static void escape_prefix(const char *s, size_t n, char *buf, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '.' || c == ':') {
			buf[o++] = (char)c;
		} else {
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
		}
	}
	buf[o < size ? o : size - 1] = '\0';
}

int vg_services_running(struct vg_fs *fs, const char *unit, bool *running, struct vg_error *err)
{
	static const char *const roots[] = {
		"/sys/fs/cgroup", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/systemd", NULL,
	};
	const char *at = strchr(unit, '@');
	char slice[400] = "", esc[300];
	struct vg_stat st;
	bool hierarchy = false;
	int rc;

	*running = false;
	if (!ends_with(unit, ".service"))
		return vg_error_set(err, VG_EUNSUPPORTED, "%s: only service units run processes",
				    unit);
	rc = vg_fs_lstat(fs, "/run/systemd/system", &st, err);
	if (rc == VG_EPERM)
		return rc;
	if (rc < 0 || !S_ISDIR(st.mode))
		return vg_error_set(err, VG_EUNSUPPORTED, "systemd is not the running init here "
				    "(no /run/systemd/system): unit activity cannot be read");
	if (at) {
		escape_prefix(unit, (size_t)(at - unit), esc, sizeof(esc));
		snprintf(slice, sizeof(slice), "/system-%s.slice", esc);
	}
	for (size_t i = 0; roots[i]; i++) {
		struct vg_blob b = {0};
		char *path = vg_asprintf("%s/system.slice%s/%s/cgroup.procs", roots[i], slice,
					 unit);
		char *sys = vg_asprintf("%s/system.slice", roots[i]);

		if (!path || !sys) {
			free(path);
			free(sys);
			return vg_error_set(err, VG_ENOMEM, "services: out of memory");
		}
		if (vg_fs_lstat(fs, sys, &st, err) == 0 && S_ISDIR(st.mode))
			hierarchy = true;
		free(sys);
		rc = vg_fs_read(fs, path, VG_MAX_CONFIG_FILE_BYTES, &b, err);
		free(path);
		if (rc == 0) {
			for (size_t k = 0; k < b.len && !*running; k++)
				*running = b.data[k] >= '0' && b.data[k] <= '9';
			vg_blob_finish(&b);
			return 0;
		}
		if (rc != VG_ENOTFOUND)
			return rc;
	}
	if (!hierarchy)
		return vg_error_set(err, VG_EUNSUPPORTED, "no systemd control groups under "
				    "/sys/fs/cgroup: unit activity cannot be read");
	vg_error_clear(err);
	return 0; /* systemd removes a unit's control group once nothing runs in it */
}

static int collect(void **out, const struct vg_target *t, struct vg_error *err)
{
	struct vg_services *s = NULL;
	int rc = vg_services_load(&s, t->fs, err);

	*out = s;
	return rc;
}

static void free_facts(void *p)
{
	vg_services_free(p);
}

const struct vg_collector vg_collector_services = {
	.name = "services",
	.offline = true,
	.live_only = false,
	.collect = collect,
	.free_facts = free_facts,
};
