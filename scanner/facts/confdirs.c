/* SPDX-License-Identifier: Apache-2.0 */
/* Picks the files of drop-in configuration directories with systemd's masking and order. */
#include "facts/confdirs.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "limits.h"

struct cand {
	struct vg_conffile f;
	size_t dir;  /* index of its directory: lower wins */
};

struct lister {
	struct vg_vec *cands;
	const char *dir;
	size_t idx;
	const char *suffix;
	struct vg_error *err;
};

static void cand_free(void *p)
{
	struct cand *c = p;

	if (!c)
		return;
	free(c->f.name);
	free(c->f.path);
	free(c);
}

static int add_name(void *ud, const char *name)
{
	struct lister *l = ud;
	size_t n = strlen(name), s = strlen(l->suffix);
	struct cand *c = NULL;

	if (name[0] == '.' || n <= s || strcmp(name + n - s, l->suffix))
		return 0;
	if (l->cands->len >= VG_MAX_CONFIG_ENTRIES)
		return vg_error_set(l->err, VG_ELIMIT, "%s: more than %d configuration files",
				    l->dir, VG_MAX_CONFIG_ENTRIES);
	c = calloc(1, sizeof(*c));
	if (!c)
		return vg_error_set(l->err, VG_ENOMEM, "out of memory");
	c->dir = l->idx;
	c->f.name = strdup(name);
	c->f.path = vg_asprintf("%s/%s", l->dir, name);
	if (!c->f.name || !c->f.path || vg_vec_push(l->cands, c) < 0) {
		cand_free(c);
		return vg_error_set(l->err, VG_ENOMEM, "out of memory");
	}
	return 0;
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = *(const struct cand *const *)a;
	const struct cand *y = *(const struct cand *const *)b;
	int c = strcmp(x->f.name, y->f.name);

	if (c)
		return c;
	return x->dir < y->dir ? -1 : x->dir > y->dir;
}

int vg_conffiles_list(struct vg_vec *out, struct vg_fs *fs, const char *const *dirs,
		      const char *suffix, struct vg_error *err)
{
	struct vg_vec cands;
	const char *prev = NULL; /* name of the previous candidate (alive in cands or out) */
	int rc = 0;

	vg_vec_init(out);
	vg_vec_init(&cands);
	for (size_t i = 0; dirs[i]; i++) {
		struct lister l = {&cands, dirs[i], i, suffix, err};

		rc = vg_fs_list(fs, dirs[i], add_name, &l, err);
		if (rc == VG_ENOTFOUND) {
			rc = 0;
			vg_error_clear(err);
		}
		if (rc < 0)
			goto out;
	}
	if (cands.len > 1)
		qsort(cands.items, cands.len, sizeof(cands.items[0]), cmp_cand);
	for (size_t i = 0; i < cands.len; i++) {
		struct cand *c = cands.items[i];
		struct vg_stat st;
		int src;

		/* the first of each name is the one that counts, usable or not */
		if (prev && !strcmp(prev, c->f.name))
			continue;
		prev = c->f.name;
		src = vg_fs_stat(fs, c->f.path, &st, err);
		if (src < 0) {
			if (src == VG_EPERM) {
				rc = src;
				goto out;
			}
			/* dangling, looping: systemd skips it with a warning */
			vg_error_clear(err);
			continue;
		}
		if (!S_ISREG(st.mode))
			continue;
		if (vg_vec_push(out, c) < 0) {
			rc = vg_error_set(err, VG_ENOMEM, "out of memory");
			goto out;
		}
		cands.items[i] = NULL;
	}
out:
	vg_vec_finish(&cands, cand_free);
	return rc;
}

void vg_conffiles_finish(struct vg_vec *files)
{
	if (!files)
		return;
	vg_vec_finish(files, cand_free);
}

int vg_conffile_read(struct vg_blob *out, struct vg_fs *fs, const char *path,
		     struct vg_error *err)
{
	int rc = vg_fs_read(fs, path, VG_MAX_CONFIG_FILE_BYTES, out, err);

	if (rc == VG_ENOTFOUND || rc == VG_EUNSUPPORTED) {
		vg_error_clear(err);
		return 1;
	}
	return rc;
}

int vg_conffiles_parse(struct vg_fs *fs, const char *const *dirs, const char *suffix,
		       vg_conffile_parse_fn parse, void *ud, struct vg_error *err)
{
	struct vg_vec files;
	int rc = vg_conffiles_list(&files, fs, dirs, suffix, err);

	for (size_t i = 0; rc == 0 && i < files.len; i++) {
		const char *path = ((struct vg_conffile *)files.items[i])->path;
		struct vg_blob b = {0};

		rc = vg_conffile_read(&b, fs, path, err);
		if (rc == 0)
			rc = parse(ud, path, b.data, b.len, err);
		else if (rc == 1)
			rc = 0;
		vg_blob_finish(&b);
	}
	vg_conffiles_finish(&files);
	return rc;
}
