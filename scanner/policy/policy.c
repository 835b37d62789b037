/* SPDX-License-Identifier: Apache-2.0 */
/* Loads rule packs from YAML, validates them strictly, resolves profiles, vars and selection. */
#include "policy/policy.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checks/check.h"
#include "glob.h"
#include "limits.h"
#include "policy/embedded.h"
#include "policy/pctx.h"
#include "targets/fs.h"

/* One parsed source file, kept until every rule has been built from it. */
struct source {
	char *name;
	struct vg_ydoc *doc;
	struct vg_pack *pack;
};

struct loader {
	struct vg_policy *pol;
	struct vg_diags *diags;
	struct vg_vec sources; /* struct source * */
	size_t errors;
};

static const struct {
	const char *name;
	unsigned bit;
} target_names[] = {
	{"tree", VG_TARGET_TREE}, {"root", VG_TARGET_ROOT},     {"host", VG_TARGET_HOST},
	{"git", VG_TARGET_GIT},   {"staged", VG_TARGET_STAGED}, {"tls", VG_TARGET_TLS},
	{"nft", VG_TARGET_NFT},
};

const char *vg_target_kind_name(unsigned kind)
{
	for (size_t i = 0; i < sizeof(target_names) / sizeof(target_names[0]); i++)
		if (target_names[i].bit == kind)
			return target_names[i].name;
	return "unknown";
}

unsigned vg_target_kind_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(target_names) / sizeof(target_names[0]); i++)
		if (!strcmp(target_names[i].name, s))
			return target_names[i].bit;
	return 0;
}

/* ---- freeing ---- */

static void check_free(struct vg_check *c)
{
	if (!c)
		return;
	if (c->impl && c->impl->free)
		c->impl->free(c->cfg);
	for (size_t i = 0; i < c->nkids; i++)
		check_free(c->kids[i]);
	free(c->kids);
	free(c);
}

static void example_finish(struct vg_example *e)
{
	free(e->content);
	free(e->path);
	for (size_t i = 0; i < e->nfiles; i++) {
		free(e->files[i].path);
		free(e->files[i].content);
		free(e->files[i].target);
	}
	free(e->files);
}

static void vars_free(struct vg_var *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
		free(v[i].description);
	}
	free(v);
}

static void rule_free(void *p)
{
	struct vg_rule *r = p;

	if (!r)
		return;
	vg_rule_meta_finish(&r->meta);
	vg_strv_free(r->os_family);
	vg_strv_free(r->requires_paths);
	check_free(r->check);
	for (size_t i = 0; i < r->nexamples; i++)
		example_finish(&r->examples[i]);
	free(r->examples);
	free(r->file);
	free(r);
}

static void profile_free(void *p)
{
	struct vg_profile *pr = p;

	if (!pr)
		return;
	free(pr->id);
	free(pr->title);
	free(pr->extends);
	vg_strv_free(pr->select);
	vg_strv_free(pr->deselect);
	vars_free(pr->vars, pr->nvars);
	vg_strv_free(pr->sev_rule);
	free(pr->sev_value);
	free(pr);
}

static void pack_free(void *p)
{
	struct vg_pack *pk = p;

	if (!pk)
		return;
	free(pk->id);
	free(pk->title);
	free(pk->version);
	free(pk->description);
	free(pk->file);
	vars_free(pk->vars, pk->nvars);
	vg_vec_finish(&pk->rules, rule_free);
	vg_vec_finish(&pk->profiles, profile_free);
	free(pk);
}

static void var_ptr_free(void *p)
{
	struct vg_var *v = p;

	if (!v)
		return;
	free(v->name);
	free(v->value);
	free(v->description);
	free(v);
}

void vg_policy_free(struct vg_policy *p)
{
	if (!p)
		return;
	vg_vec_finish(&p->rules, NULL);
	vg_vec_finish(&p->packs, pack_free);
	vg_vec_finish(&p->vars, var_ptr_free);
	free(p->profile);
	free(p);
}

struct vg_rule *vg_policy_find_rule(const struct vg_policy *p, const char *id)
{
	for (size_t i = 0; p && id && i < p->rules.len; i++) {
		struct vg_rule *r = p->rules.items[i];

		/* while loading, a rule whose id was missing is kept to report its other problems */
		if (r->meta.id && !strcmp(r->meta.id, id))
			return r;
	}
	return NULL;
}

static struct vg_var *find_var(const struct vg_policy *p, const char *name)
{
	for (size_t i = 0; p && name && i < p->vars.len; i++) {
		struct vg_var *v = p->vars.items[i];

		if (!strcmp(v->name, name))
			return v;
	}
	return NULL;
}

const char *vg_policy_var(const struct vg_policy *p, const char *name)
{
	struct vg_var *v = find_var(p, name);

	return v ? v->value : NULL;
}

/* ---- small validation helpers ---- */

static bool valid_id(const char *s, bool dotted)
{
	bool start = true;

	if (!s || !*s || strlen(s) > 200)
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (start) {
			if (!(islower(c) || isdigit(c)))
				return false;
			start = false;
		} else if (c == '.' && dotted) {
			start = true;
		} else if (!(islower(c) || isdigit(c) || c == '-' || c == '_')) {
			return false;
		}
	}
	return !start;
}

static char *dup_scalar(struct vg_pctx *pc, const struct vg_ynode *map, const char *key)
{
	const char *s = vg_pctx_str(pc, map, key);

	return s ? strdup(s) : NULL;
}

static int parse_severity(struct vg_pctx *pc, const struct vg_ynode *n, enum vg_severity *out)
{
	n = vg_pctx_value(pc, n);
	if (!n)
		return VG_EPARSE;
	if (n->type != VG_YNODE_SCALAR || !vg_severity_parse(n->str, out)) {
		vg_pctx_error(pc, n, "severity must be one of info, low, medium, high, critical");
		return VG_EPARSE;
	}
	return 0;
}

static unsigned parse_targets(struct vg_pctx *pc, const struct vg_ynode *map, const char *key)
{
	const struct vg_ynode *n = vg_pctx_value(pc, vg_ynode_get(map, key));
	size_t count;
	unsigned bits = 0;

	if (!n || (n->type != VG_YNODE_SCALAR && n->type != VG_YNODE_SEQUENCE))
		return 0; /* absent, or a type problem the field check reported */
	count = n->type == VG_YNODE_SEQUENCE ? n->nitems : 1;
	for (size_t i = 0; i < count; i++) {
		const struct vg_ynode *it = n->type == VG_YNODE_SEQUENCE ?
					    vg_pctx_value(pc, n->items[i]) : n;
		unsigned b;

		if (!it || it->type != VG_YNODE_SCALAR)
			continue;
		b = vg_target_kind_parse(it->str);
		if (!b)
			vg_pctx_error(pc, it,
				      "unknown target kind '%s' (expected tree, root, host, git, "
				      "staged, tls or nft)",
				      it->str);
		bits |= b;
	}
	return bits;
}

/* ---- variables ---- */

static int add_var(struct vg_var **arr, size_t *n, const char *name, const char *value,
		   const char *desc)
{
	struct vg_var *a = vg_reallocarray(*arr, *n + 1, sizeof(**arr));

	if (!a)
		return VG_ENOMEM;
	*arr = a;
	a[*n].name = strdup(name);
	a[*n].value = strdup(value);
	a[*n].description = vg_strdup(desc);
	if (!a[*n].name || !a[*n].value || (desc && !a[*n].description)) {
		free(a[*n].name);
		free(a[*n].value);
		free(a[*n].description);
		return VG_ENOMEM;
	}
	(*n)++;
	return 0;
}

/* vars: {name: scalar} or {name: {default: scalar, description: text}} */
static void parse_vars(struct vg_pctx *pc, const struct vg_ynode *node, struct vg_var **arr,
		       size_t *n, bool allow_desc)
{
	static const struct vg_field var_fields[] = {
		{"default", VG_FIELD_STRING, true},
		{"description", VG_FIELD_STRING, false},
		{NULL, 0, false},
	};

	/* not a mapping: the caller's field check reported it */
	if (!node || node->type != VG_YNODE_MAPPING)
		return;
	for (size_t i = 0; i < node->npairs; i++) {
		const struct vg_ynode *k = node->pairs[i].key, *v = node->pairs[i].value;
		const char *value = NULL, *desc = NULL;

		if (k->type != VG_YNODE_SCALAR || !valid_id(k->str, false)) {
			vg_pctx_error(pc, k, "variable names use a-z, 0-9, '-' and '_'");
			continue;
		}
		if (*n >= VG_MAX_VARS) {
			vg_pctx_error(pc, k, "too many variables (at most %d)", VG_MAX_VARS);
			return;
		}
		if (v->type == VG_YNODE_MAPPING && allow_desc) {
			if (!vg_pctx_check_fields(pc, v, var_fields))
				continue;
			value = vg_ynode_get(v, "default")->str;
			desc = vg_pctx_str(pc, v, "description");
		} else if (v->type == VG_YNODE_SCALAR && !vg_ynode_is_null(v)) {
			value = v->str;
		} else {
			vg_pctx_error(pc, v, "variable '%s' needs a scalar value", k->str);
			continue;
		}
		if (add_var(arr, n, k->str, value, desc) < 0)
			vg_pctx_error(pc, v, "out of memory");
	}
}

/* ---- profiles ---- */

static void parse_sev_overrides(struct vg_pctx *pc, const struct vg_ynode *node,
				struct vg_profile *pr)
{
	/* not a mapping: the caller's field check reported it */
	if (!node || node->type != VG_YNODE_MAPPING)
		return;
	pr->sev_rule = vg_calloc(node->npairs + 1, sizeof(char *));
	pr->sev_value = vg_calloc(node->npairs + 1, sizeof(enum vg_severity));
	if (!pr->sev_rule || !pr->sev_value) {
		vg_pctx_error(pc, node, "out of memory");
		return;
	}
	for (size_t i = 0; i < node->npairs; i++) {
		const struct vg_ynode *k = node->pairs[i].key;
		enum vg_severity s;

		if (k->type != VG_YNODE_SCALAR) {
			vg_pctx_error(pc, k, "keys must be rule-id globs");
			continue;
		}
		if (parse_severity(pc, node->pairs[i].value, &s) < 0)
			continue;
		pr->sev_rule[pr->nsev] = strdup(k->str);
		if (!pr->sev_rule[pr->nsev]) {
			vg_pctx_error(pc, k, "out of memory");
			return;
		}
		pr->sev_value[pr->nsev++] = s;
	}
}

static void parse_profile(struct vg_pctx *pc, struct vg_pack *pack, const struct vg_ynode *node)
{
	static const struct vg_field fields[] = {
		{"id", VG_FIELD_STRING, true},      {"title", VG_FIELD_STRING, false},
		{"description", VG_FIELD_STRING, false},
		{"extends", VG_FIELD_STRING, false}, {"select", VG_FIELD_STRINGS, false},
		{"deselect", VG_FIELD_STRINGS, false}, {"vars", VG_FIELD_MAPPING, false},
		{"severity", VG_FIELD_MAPPING, false}, {NULL, 0, false},
	};
	struct vg_profile *pr = NULL;

	/* an unknown key does not hide problems in the known ones */
	if (!vg_pctx_check_fields(pc, node, fields) && node->type != VG_YNODE_MAPPING)
		return;
	pr = calloc(1, sizeof(*pr));
	if (!pr)
		goto nomem;
	pr->pack = pack;
	pr->line = node->line;
	pr->col = node->col;
	pr->id = dup_scalar(pc, node, "id");
	pr->title = dup_scalar(pc, node, "title");
	pr->extends = dup_scalar(pc, node, "extends");
	if (pr->id && !valid_id(pr->id, true))
		vg_pctx_error(pc, vg_ynode_get(node, "id"),
			      "profile ids use a-z, 0-9, '-', '_' and '.'");
	pr->select = vg_pctx_strv(pc, node, "select", &pr->nselect);
	pr->deselect = vg_pctx_strv(pc, node, "deselect", &pr->ndeselect);
	parse_vars(pc, vg_ynode_get(node, "vars"), &pr->vars, &pr->nvars, false);
	parse_sev_overrides(pc, vg_ynode_get(node, "severity"), pr);
	if (vg_vec_push(&pack->profiles, pr) < 0)
		goto nomem;
	return;
nomem:
	profile_free(pr);
	vg_pctx_error(pc, node, "out of memory");
}

/* ---- pack header (everything but the rules) ---- */

static const struct vg_field pack_fields[] = {
	{"pack", VG_FIELD_STRING, true},      {"title", VG_FIELD_STRING, true},
	{"version", VG_FIELD_STRING, false},  {"description", VG_FIELD_STRING, false},
	{"targets", VG_FIELD_STRINGS, false}, {"sensitive", VG_FIELD_BOOL, false},
	{"vars", VG_FIELD_MAPPING, false},    {"profiles", VG_FIELD_ANY, false},
	{"rules", VG_FIELD_ANY, true},        {NULL, 0, false},
};

static int parse_pack_header(struct loader *ld, struct source *src)
{
	const struct vg_ynode *root = src->doc->root;
	const struct vg_ynode *profiles;
	struct vg_pctx pc;
	struct vg_pack *pk = NULL;
	int rc = 0;

	vg_pctx_init(&pc, src->name, ld->diags, NULL);
	if (!root) {
		vg_pctx_error(&pc, NULL, "empty policy file (expected a pack: pack, title, rules)");
		rc = VG_EPARSE;
		goto out;
	}
	if (!vg_pctx_check_fields(&pc, root, pack_fields) && root->type != VG_YNODE_MAPPING) {
		rc = VG_EPARSE;
		goto out;
	}
	pk = calloc(1, sizeof(*pk));
	if (!pk) {
		rc = VG_ENOMEM;
		goto out;
	}
	vg_vec_init(&pk->rules);
	vg_vec_init(&pk->profiles);
	pk->id = dup_scalar(&pc, root, "pack");
	pk->title = dup_scalar(&pc, root, "title");
	pk->version = dup_scalar(&pc, root, "version");
	if (!pk->version)
		pk->version = strdup("0");
	pk->description = dup_scalar(&pc, root, "description");
	pk->file = strdup(src->name);
	if (pk->id && !valid_id(pk->id, true))
		vg_pctx_error(&pc, vg_ynode_get(root, "pack"),
			      "pack ids use a-z, 0-9, '-', '_' and '.'");
	pk->targets = parse_targets(&pc, root, "targets");
	pk->sensitive = vg_pctx_bool(&pc, root, "sensitive", false);
	parse_vars(&pc, vg_ynode_get(root, "vars"), &pk->vars, &pk->nvars, true);
	profiles = vg_ynode_get(root, "profiles");
	if (profiles && profiles->type != VG_YNODE_SEQUENCE)
		vg_pctx_error(&pc, profiles, "'profiles' must be a list");
	else if (profiles)
		for (size_t i = 0; i < profiles->nitems; i++)
			parse_profile(&pc, pk, profiles->items[i]);
	{
		const struct vg_ynode *rules = vg_ynode_get(root, "rules");

		if (rules && rules->type != VG_YNODE_SEQUENCE)
			vg_pctx_error(&pc, rules, "'rules' must be a list");
	}
	if (!pk->file || !pk->version) {
		rc = VG_ENOMEM;
		goto out;
	}
	/* two packs with one id would make rule provenance ambiguous */
	for (size_t i = 0; pk->id && i < ld->pol->packs.len; i++) {
		struct vg_pack *o = ld->pol->packs.items[i];

		if (o->id && !strcmp(o->id, pk->id))
			vg_pctx_error(&pc, vg_ynode_get(root, "pack"),
				      "pack '%s' is already defined in %s", pk->id, o->file);
	}
	if (vg_vec_push(&ld->pol->packs, pk) < 0) {
		rc = VG_ENOMEM;
		goto out;
	}
	src->pack = pk;
	pk = NULL;
out:
	ld->errors += pc.errors;
	if (rc == 0 && pc.errors)
		rc = VG_EPARSE;
	pack_free(pk);
	vg_pctx_finish(&pc);
	return rc;
}

/* ---- checks ---- */

static struct vg_check *parse_check(struct vg_pctx *pc, const struct vg_ynode *node, size_t depth);

static struct vg_check *parse_combinator(struct vg_pctx *pc, enum vg_check_op op,
					 const struct vg_ynode *key, const struct vg_ynode *val,
					 size_t depth)
{
	struct vg_check *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->op = op;
	c->line = key->line;
	c->col = key->col;
	if (op == VG_CHECK_NOT) {
		c->kids = calloc(1, sizeof(*c->kids));
		if (!c->kids)
			goto fail;
		c->kids[0] = parse_check(pc, val, depth + 1);
		if (!c->kids[0])
			goto fail;
		c->nkids = 1;
		return c;
	}
	if (val->type != VG_YNODE_SEQUENCE || val->nitems == 0) {
		vg_pctx_error(pc, val, "'%s' takes a non-empty list of checks", key->str);
		goto fail;
	}
	c->kids = vg_calloc(val->nitems, sizeof(*c->kids));
	if (!c->kids)
		goto fail;
	for (size_t i = 0; i < val->nitems; i++) {
		struct vg_check *k = parse_check(pc, val->items[i], depth + 1);

		if (!k)
			continue;
		c->kids[c->nkids++] = k;
	}
	if (c->nkids != val->nitems)
		goto fail;
	return c;
fail:
	check_free(c);
	return NULL;
}

static struct vg_check *parse_check(struct vg_pctx *pc, const struct vg_ynode *node, size_t depth)
{
	const struct vg_ynode *key, *val;
	const struct vg_check_impl *impl;
	struct vg_check *c = NULL;
	size_t before = pc->errors;

	if (depth > VG_MAX_YAML_DEPTH) {
		vg_pctx_error(pc, node, "checks nested too deeply");
		return NULL;
	}
	if (!node || node->type != VG_YNODE_MAPPING || node->npairs != 1) {
		vg_pctx_error(pc, node,
			      "a check is a mapping with exactly one key: a check type, all, any or not");
		return NULL;
	}
	key = node->pairs[0].key;
	val = node->pairs[0].value;
	if (key->type != VG_YNODE_SCALAR) {
		vg_pctx_error(pc, key, "a check type must be a string");
		return NULL;
	}
	if (!strcmp(key->str, "all"))
		return parse_combinator(pc, VG_CHECK_ALL, key, val, depth);
	if (!strcmp(key->str, "any"))
		return parse_combinator(pc, VG_CHECK_ANY, key, val, depth);
	if (!strcmp(key->str, "not"))
		return parse_combinator(pc, VG_CHECK_NOT, key, val, depth);
	impl = vg_check_find(key->str);
	if (!impl) {
		struct vg_buf names;
		const struct vg_check_impl *const *all = vg_check_all();

		vg_buf_init(&names, 4096);
		for (size_t i = 0; all[i]; i++)
			vg_buf_printf(&names, "%s%s", i ? ", " : "", all[i]->name);
		vg_pctx_error(pc, key, "unknown check type '%s' (known: all, any, not, %s)", key->str,
			      names.data ? names.data : "");
		vg_buf_finish(&names);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		vg_pctx_error(pc, key, "out of memory");
		return NULL;
	}
	c->op = VG_CHECK_LEAF;
	c->impl = impl;
	c->line = key->line;
	c->col = key->col;
	if (impl->parse(&c->cfg, pc, val) < 0 || pc->errors != before) {
		if (pc->errors == before)
			vg_pctx_error(pc, val, "invalid '%s' check", impl->name);
		check_free(c);
		return NULL;
	}
	return c;
}

/* Target kinds every leaf of c supports. */
static unsigned check_targets(const struct vg_check *c)
{
	unsigned t = ~0u;

	if (c->op == VG_CHECK_LEAF)
		return c->impl->targets;
	for (size_t i = 0; i < c->nkids; i++)
		t &= check_targets(c->kids[i]);
	return t;
}

/* ---- examples ---- */

/* True when p, without its leading slashes, is a plain relative path: no
 * empty or ".." components (example trees are laid out under a temporary
 * root). "/" alone names that root. */
static bool plain_example_path(const char *p, char type)
{
	while (*p == '/')
		p++;
	if (!*p)
		return type == 'd';
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p == '/')
			p++;
	}
	return true;
}

static int check_example_path(struct vg_pctx *pc, const struct vg_ynode *k, char type)
{
	if (plain_example_path(k->str, type))
		return 0;
	vg_pctx_error(pc, k, "example file name '%s' must be a plain path (no '..' or empty "
			     "components)", k->str);
	return VG_EPARSE;
}

static int parse_example_file(struct vg_pctx *pc, const struct vg_ynode *k,
			      const struct vg_ynode *v, struct vg_example_file *f)
{
	static const struct vg_field fields[] = {
		{"content", VG_FIELD_STRING, false}, {"type", VG_FIELD_STRING, false},
		{"mode", VG_FIELD_STRING, false},    {"target", VG_FIELD_STRING, false},
		{"owner", VG_FIELD_INT, false},      {"group", VG_FIELD_INT, false},
		{NULL, 0, false},
	};
	static const char *const id_keys[] = {"owner", "group"};
	const struct vg_ynode *n;
	const char *type;
	int rc = 0;

	f->mode = -1;
	f->uid = f->gid = -1;
	f->type = 'f';
	if (k->type != VG_YNODE_SCALAR || !k->len) {
		vg_pctx_error(pc, k, "example file names must be non-empty strings");
		return VG_EPARSE;
	}
	f->path = strdup(k->str);
	if (!f->path)
		return VG_ENOMEM;
	if (v->type == VG_YNODE_SCALAR) {
		if (vg_ynode_is_null(v)) {
			vg_pctx_error(pc, v, "example file '%s' needs content or a mapping", k->str);
			return VG_EPARSE;
		}
		rc = check_example_path(pc, k, f->type);
		f->content = vg_memdup(v->str, v->len);
		f->len = v->len;
		return f->content ? rc : VG_ENOMEM;
	}
	/* an unknown key does not hide problems in the known ones */
	if (!vg_pctx_check_fields(pc, v, fields)) {
		rc = VG_EPARSE;
		if (v->type != VG_YNODE_MAPPING)
			return rc;
	}
	type = vg_pctx_str(pc, v, "type");
	if (type) {
		if (!strcmp(type, "file")) {
			f->type = 'f';
		} else if (!strcmp(type, "directory")) {
			f->type = 'd';
		} else if (!strcmp(type, "symlink")) {
			f->type = 'l';
		} else if (!strcmp(type, "fifo")) {
			f->type = 'p';
		} else {
			vg_pctx_error(pc, vg_ynode_get(v, "type"),
				      "example file type must be file, directory, symlink or fifo");
			rc = VG_EPARSE;
		}
	}
	if ((n = vg_ynode_get(v, "mode"))) {
		const char *m = vg_pctx_str(pc, v, "mode");
		int64_t mode;

		if (!m || !vg_parse_i64(m, 8, &mode) || mode < 0 || mode > 07777 ||
		    !isdigit((unsigned char)*m)) {
			vg_pctx_error(pc, n, "mode must be octal, e.g. \"0640\"");
			rc = VG_EPARSE;
		} else {
			f->mode = (int)mode;
		}
	}
	for (size_t i = 0; i < 2; i++) {
		const struct vg_ynode *o = vg_pctx_value(pc, vg_ynode_get(v, id_keys[i]));
		long long id;

		if (!o || !vg_ynode_as_int(o, &id))
			continue;
		if (id < 0 || id > 0x7fffffffLL) {
			vg_pctx_error(pc, o, "'%s' must be a numeric id from 0 to 2147483647",
				      id_keys[i]);
			rc = VG_EPARSE;
		} else if (i == 0) {
			f->uid = (long)id;
		} else {
			f->gid = (long)id;
		}
	}
	if (check_example_path(pc, k, f->type) < 0)
		rc = VG_EPARSE;
	f->target = vg_strdup(vg_pctx_str(pc, v, "target"));
	if (f->type == 'l' && !f->target) {
		vg_pctx_error(pc, v, "a symlink example needs 'target'");
		rc = VG_EPARSE;
	} else if (f->type != 'l' && vg_ynode_get(v, "target")) {
		vg_pctx_error(pc, vg_ynode_get(v, "target"), "'target' is only for symlinks");
		rc = VG_EPARSE;
	}
	if ((n = vg_pctx_value(pc, vg_ynode_get(v, "content"))) && n->type == VG_YNODE_SCALAR) {
		if (f->type != 'f') {
			vg_pctx_error(pc, vg_ynode_get(v, "content"),
				      "'content' is only for regular files");
			rc = VG_EPARSE;
		}
		f->content = vg_memdup(n->str, n->len);
		f->len = n->len;
		if (!f->content)
			return VG_ENOMEM;
	}
	return rc;
}

static int parse_example(struct vg_pctx *pc, const struct vg_ynode *n, bool fail,
			 struct vg_example *ex)
{
	static const struct vg_field fields[] = {
		{"content", VG_FIELD_STRING, false},
		{"path", VG_FIELD_STRING, false},
		{"files", VG_FIELD_MAPPING, false},
		{NULL, 0, false},
	};
	const struct vg_ynode *files, *content;
	int rc = 0;

	memset(ex, 0, sizeof(*ex));
	ex->expect_fail = fail;
	ex->line = n->line;
	ex->col = n->col;
	if (n->type == VG_YNODE_SCALAR) {
		ex->content = vg_memdup(n->str, n->len);
		ex->len = n->len;
		return ex->content ? 0 : VG_ENOMEM;
	}
	/* an unknown key does not hide problems in the known ones */
	if (!vg_pctx_check_fields(pc, n, fields)) {
		rc = VG_EPARSE;
		if (n->type != VG_YNODE_MAPPING)
			return rc;
	}
	files = vg_ynode_get(n, "files");
	content = vg_pctx_value(pc, vg_ynode_get(n, "content"));
	if (!!files == !!vg_ynode_get(n, "content")) {
		vg_pctx_error(pc, n, "an example has either 'content' (with an optional 'path') or "
				     "'files'");
		return VG_EPARSE;
	}
	if (content && content->type == VG_YNODE_SCALAR) {
		ex->content = vg_memdup(content->str, content->len);
		ex->len = content->len;
		ex->path = vg_strdup(vg_pctx_str(pc, n, "path"));
		return ex->content ? rc : VG_ENOMEM;
	}
	if (!files || files->type != VG_YNODE_MAPPING)
		return VG_EPARSE; /* a bad content or files value, reported */
	if (vg_ynode_get(n, "path")) {
		vg_pctx_error(pc, vg_ynode_get(n, "path"), "'path' goes with 'content', not 'files'");
		return VG_EPARSE;
	}
	if (!files->npairs) {
		vg_pctx_error(pc, files, "'files' needs at least one file");
		return VG_EPARSE;
	}
	ex->files = vg_calloc(files->npairs, sizeof(*ex->files));
	if (!ex->files)
		return VG_ENOMEM;
	/* every file is looked at, so that all of their problems are reported */
	for (size_t i = 0; i < files->npairs; i++) {
		int r = parse_example_file(pc, files->pairs[i].key, files->pairs[i].value,
					   &ex->files[ex->nfiles]);

		ex->nfiles++;
		if (r == VG_ENOMEM)
			return r;
		if (r < 0)
			rc = r;
	}
	return rc;
}

static void parse_examples(struct vg_pctx *pc, const struct vg_ynode *node, struct vg_rule *r)
{
	static const struct vg_field fields[] = {
		{"pass", VG_FIELD_ANY, false},
		{"fail", VG_FIELD_ANY, false},
		{NULL, 0, false},
	};
	size_t total = 0;
	const char *which[] = {"pass", "fail"};

	if (!node)
		return;
	if (!vg_pctx_check_fields(pc, node, fields) && node->type != VG_YNODE_MAPPING)
		return;
	for (size_t w = 0; w < 2; w++) {
		const struct vg_ynode *l = vg_ynode_get(node, which[w]);

		if (l && l->type != VG_YNODE_SEQUENCE)
			vg_pctx_error(pc, l, "'%s' must be a list of examples", which[w]);
		else if (l)
			total += l->nitems;
	}
	if (!total)
		return;
	r->examples = vg_calloc(total, sizeof(*r->examples));
	if (!r->examples) {
		vg_pctx_error(pc, node, "out of memory");
		return;
	}
	for (size_t w = 0; w < 2; w++) {
		const struct vg_ynode *l = vg_ynode_get(node, which[w]);

		if (!l || l->type != VG_YNODE_SEQUENCE)
			continue;
		for (size_t i = 0; i < l->nitems; i++) {
			int rc = parse_example(pc, l->items[i], w == 1, &r->examples[r->nexamples]);

			r->nexamples++;
			if (rc == VG_ENOMEM)
				vg_pctx_error(pc, l->items[i], "out of memory");
		}
	}
}

/* ---- rules ---- */

static const struct vg_field rule_fields[] = {
	{"id", VG_FIELD_STRING, true},
	{"title", VG_FIELD_STRING, true},
	{"severity", VG_FIELD_STRING, true},
	{"tags", VG_FIELD_STRINGS, false},
	{"description", VG_FIELD_STRING, false},
	{"rationale", VG_FIELD_STRING, false},
	{"references", VG_FIELD_STRINGS, false},
	{"precision", VG_FIELD_STRING, false},
	{"security_severity", VG_FIELD_STRING, false},
	{"sensitive", VG_FIELD_BOOL, false},
	{"applies", VG_FIELD_MAPPING, false},
	{"check", VG_FIELD_MAPPING, true},
	{"remediation", VG_FIELD_ANY, false},
	{"examples", VG_FIELD_MAPPING, false},
	{NULL, 0, false},
};

static void parse_applies(struct vg_pctx *pc, const struct vg_ynode *node, struct vg_rule *r)
{
	static const struct vg_field fields[] = {
		{"target", VG_FIELD_STRINGS, false},
		{"os_family", VG_FIELD_STRINGS, false},
		{"exists", VG_FIELD_STRINGS, false},
		{NULL, 0, false},
	};

	if (!node)
		return;
	/* an unknown key does not hide problems in the known ones */
	if (!vg_pctx_check_fields(pc, node, fields) && node->type != VG_YNODE_MAPPING)
		return;
	r->targets = parse_targets(pc, node, "target");
	r->os_family = vg_pctx_strv(pc, node, "os_family", &r->nos_family);
	r->requires_paths = vg_pctx_strv(pc, node, "exists", &r->nrequires_paths);
}

static void parse_remediation(struct vg_pctx *pc, const struct vg_ynode *node, struct vg_rule *r)
{
	static const struct vg_field fields[] = {
		{"text", VG_FIELD_STRING, false},
		{"script", VG_FIELD_STRING, false},
		{NULL, 0, false},
	};

	if (!node)
		return;
	if (node->type == VG_YNODE_SCALAR && !vg_ynode_is_null(node)) {
		r->meta.remediation = strdup(node->str);
		return;
	}
	if (!vg_pctx_check_fields(pc, node, fields) && node->type != VG_YNODE_MAPPING)
		return;
	r->meta.remediation = dup_scalar(pc, node, "text");
	r->meta.remediation_script = dup_scalar(pc, node, "script");
}

static const char *const precisions[] = {"very-high", "high", "medium", "low", NULL};

static void parse_rule(struct loader *ld, struct vg_pctx *pc, struct vg_pack *pk,
		       const struct vg_ynode *node)
{
	struct vg_rule *r = NULL;
	const struct vg_ynode *n;
	unsigned supported;

	if (!node || node->type != VG_YNODE_MAPPING) {
		vg_pctx_error(pc, node, "a rule is a mapping (id, title, severity, check, ...), "
					"found %s", vg_ynode_kind(node));
		return;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		vg_pctx_error(pc, node, "out of memory");
		return;
	}
	r->line = node->line;
	r->col = node->col;
	r->pack = pk;
	r->meta.security_severity = -1.0;
	r->file = strdup(pc->file);
	r->meta.id = dup_scalar(pc, node, "id");
	r->meta.pack = vg_strdup(pk->id);
	r->meta.source = vg_asprintf("%s:%zu", pc->file, node->line);
	/* from here on messages name the rule */
	pc->rule = r;
	vg_pctx_check_fields(pc, node, rule_fields);
	if (r->meta.id && !valid_id(r->meta.id, true))
		vg_pctx_error(pc, vg_ynode_get(node, "id"),
			      "rule ids are dotted lower-case names (a-z, 0-9, '-', '_')");
	r->meta.title = dup_scalar(pc, node, "title");
	r->meta.description = dup_scalar(pc, node, "description");
	r->meta.rationale = dup_scalar(pc, node, "rationale");
	/* values of the wrong type were reported by the field check; only
	 * scalars (literal or from a variable) are looked at again here */
	n = vg_pctx_value(pc, vg_ynode_get(node, "severity"));
	if (n && n->type == VG_YNODE_SCALAR && !vg_ynode_is_null(n) &&
	    parse_severity(pc, n, &r->default_severity) == 0)
		r->meta.severity = r->default_severity;
	r->meta.tags = vg_pctx_strv(pc, node, "tags", &r->meta.ntags);
	r->meta.references = vg_pctx_strv(pc, node, "references", &r->meta.nreferences);
	/* here and below, a value that is not a string was reported by the field check */
	if ((n = vg_ynode_get(node, "precision")) && vg_pctx_str(pc, node, "precision")) {
		const char *p = vg_pctx_str(pc, node, "precision");
		bool ok = false;

		for (size_t i = 0; precisions[i]; i++)
			ok |= !strcmp(p, precisions[i]);
		if (!ok)
			vg_pctx_error(pc, n, "precision must be very-high, high, medium or low");
		else
			r->meta.precision = strdup(p);
	}
	if ((n = vg_ynode_get(node, "security_severity")) &&
	    vg_pctx_str(pc, node, "security_severity")) {
		const char *s = vg_pctx_str(pc, node, "security_severity");
		char *end = NULL;
		double d = strtod(s, &end);

		/* written so that NaN fails too */
		if (!end || *end || !(d >= 0.0 && d <= 10.0))
			vg_pctx_error(pc, n, "security_severity must be a number from 0.0 to 10.0");
		else
			r->meta.security_severity = d;
	}
	r->meta.sensitive = vg_pctx_bool(pc, node, "sensitive", pk->sensitive);
	if ((n = vg_ynode_get(node, "applies")) && n->type == VG_YNODE_MAPPING)
		parse_applies(pc, n, r);
	parse_remediation(pc, vg_ynode_get(node, "remediation"), r);
	if ((n = vg_ynode_get(node, "check")) && n->type == VG_YNODE_MAPPING)
		r->check = parse_check(pc, n, 0);
	if ((n = vg_ynode_get(node, "examples")) && n->type == VG_YNODE_MAPPING)
		parse_examples(pc, n, r);

	if (r->check) {
		supported = check_targets(r->check);
		if (!r->targets)
			r->targets = pk->targets ? pk->targets & supported : supported;
		if (r->targets & ~supported) {
			for (unsigned b = 1; b <= VG_TARGET_NFT; b <<= 1)
				if (r->targets & ~supported & b)
					vg_pctx_error(pc, vg_ynode_get(node, "check"),
						      "this check cannot evaluate target kind '%s'",
						      vg_target_kind_name(b));
		}
		if (!r->targets)
			vg_pctx_error(pc, vg_ynode_get(node, "check"),
				      "no target kind left for this rule (the pack's targets and "
				      "the check's differ)");
	}
	if (r->meta.id) {
		struct vg_rule *dup = vg_policy_find_rule(ld->pol, r->meta.id);

		if (dup)
			vg_pctx_error(pc, vg_ynode_get(node, "id"),
				      "duplicate rule id '%s' (first defined at %s:%zu)", r->meta.id,
				      dup->file, dup->line);
	}
	if (ld->pol->rules.len >= VG_MAX_RULES) {
		vg_pctx_error(pc, node, "too many rules (at most %d)", VG_MAX_RULES);
		goto drop;
	}
	if (!r->file || (pk->id && !r->meta.pack) || !r->meta.source) {
		vg_pctx_error(pc, node, "out of memory");
		goto drop;
	}
	if (vg_vec_push(&pk->rules, r) < 0) {
		vg_pctx_error(pc, node, "out of memory");
		goto drop;
	}
	if (vg_vec_push(&ld->pol->rules, r) < 0) {
		pk->rules.len--;
		vg_pctx_error(pc, node, "out of memory");
		goto drop;
	}
	pc->rule = NULL;
	return;
drop:
	pc->rule = NULL;
	rule_free(r);
}

static void parse_rules(struct loader *ld, struct source *src)
{
	const struct vg_ynode *rules = vg_ynode_get(src->doc->root, "rules");
	struct vg_pctx pc;

	if (!rules || rules->type != VG_YNODE_SEQUENCE)
		return;
	vg_pctx_init(&pc, src->name, ld->diags, ld->pol);
	for (size_t i = 0; i < rules->nitems; i++)
		parse_rule(ld, &pc, src->pack, rules->items[i]);
	ld->errors += pc.errors;
	vg_pctx_finish(&pc);
}

/* ---- profiles, variables, selection ---- */

static struct vg_profile *find_profile(const struct vg_policy *pol, const char *id)
{
	for (size_t i = 0; i < pol->packs.len; i++) {
		struct vg_pack *pk = pol->packs.items[i];

		for (size_t j = 0; j < pk->profiles.len; j++) {
			struct vg_profile *pr = pk->profiles.items[j];

			if (pr->id && !strcmp(pr->id, id))
				return pr;
		}
	}
	return NULL;
}

/* The YAML behind a pack, for positions in messages about it; NULL for none. */
static const struct vg_ynode *pack_root(const struct loader *ld, const struct vg_pack *pk)
{
	for (size_t i = 0; i < ld->sources.len; i++) {
		const struct source *src = ld->sources.items[i];

		if (src->pack == pk)
			return src->doc ? src->doc->root : NULL;
	}
	return NULL;
}

/* The key node (not the value) named name in map, or NULL. */
static const struct vg_ynode *map_key(const struct vg_ynode *map, const char *name)
{
	for (size_t i = 0; map && map->type == VG_YNODE_MAPPING && i < map->npairs; i++) {
		const struct vg_ynode *k = map->pairs[i].key;

		if (k->type == VG_YNODE_SCALAR && !strcmp(k->str, name))
			return k;
	}
	return NULL;
}

/* The YAML mapping a profile was parsed from (matched by position), or NULL. */
static const struct vg_ynode *profile_node(const struct loader *ld, const struct vg_profile *pr)
{
	const struct vg_ynode *list = vg_ynode_get(pack_root(ld, pr->pack), "profiles");

	for (size_t i = 0; list && list->type == VG_YNODE_SEQUENCE && i < list->nitems; i++) {
		const struct vg_ynode *n = list->items[i];

		if (n->line == pr->line && n->col == pr->col)
			return n;
	}
	return NULL;
}

/* Adds "file:line:col: message" at node, or at line/col when node is NULL. */
static void loader_error(struct loader *ld, const char *file, const struct vg_ynode *node,
			 size_t line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void loader_error(struct loader *ld, const char *file, const struct vg_ynode *node,
			 size_t line, size_t col, const char *fmt, ...)
{
	char msg[VG_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vg_diags_add(ld->diags, file, node ? node->line : line, node ? node->col : col, "%s", msg);
	ld->errors++;
}

/* Collects every pack's variable defaults; a name defined twice is an error. */
static void collect_vars(struct loader *ld)
{
	for (size_t i = 0; i < ld->pol->packs.len; i++) {
		struct vg_pack *pk = ld->pol->packs.items[i];

		for (size_t j = 0; j < pk->nvars; j++) {
			struct vg_var *v;

			if (find_var(ld->pol, pk->vars[j].name)) {
				const struct vg_pack *first = NULL;

				for (size_t k = 0; !first && k < i; k++) {
					const struct vg_pack *o = ld->pol->packs.items[k];

					for (size_t m = 0; m < o->nvars; m++)
						if (!strcmp(o->vars[m].name, pk->vars[j].name))
							first = o;
				}
				loader_error(ld, pk->file,
					     map_key(vg_ynode_get(pack_root(ld, pk), "vars"),
						     pk->vars[j].name),
					     1, 1, "variable '%s' is already defined by pack '%s' (%s)",
					     pk->vars[j].name, first && first->id ? first->id : "?",
					     first ? first->file : "?");
				continue;
			}
			v = calloc(1, sizeof(*v));
			if (!v || !(v->name = strdup(pk->vars[j].name)) ||
			    !(v->value = strdup(pk->vars[j].value)) ||
			    vg_vec_push(&ld->pol->vars, v) < 0) {
				var_ptr_free(v);
				loader_error(ld, pk->file, NULL, 1, 1, "out of memory");
				return;
			}
			v->description = vg_strdup(pk->vars[j].description);
		}
	}
}

enum chain_state {
	CHAIN_OK,
	CHAIN_UNKNOWN,  /* a profile in it extends one that does not exist */
	CHAIN_CIRCULAR, /* it comes back to where it started */
	CHAIN_LONG,     /* longer than VG_MAX_PROFILE_DEPTH (or a loop further up) */
};

/* The profile's ancestors, nearest first, into chain (room for
 * VG_MAX_PROFILE_DEPTH); *n gets how many were found before a problem. */
static enum chain_state profile_chain(const struct vg_policy *pol, const struct vg_profile *pr,
				      const struct vg_profile **chain, size_t *n)
{
	const struct vg_profile *cur = pr;

	*n = 0;
	while (cur->extends) {
		const struct vg_profile *parent = find_profile(pol, cur->extends);

		if (!parent)
			return CHAIN_UNKNOWN;
		if (parent == pr)
			return CHAIN_CIRCULAR;
		if (*n >= VG_MAX_PROFILE_DEPTH)
			return CHAIN_LONG;
		chain[(*n)++] = parent;
		cur = parent;
	}
	return CHAIN_OK;
}

/* Checks every profile, chosen or not, so that `rules lint` sees their
 * problems: duplicate ids, unknown or circular `extends`, unknown variables. */
static void validate_profiles(struct loader *ld)
{
	const struct vg_profile *chain[VG_MAX_PROFILE_DEPTH];

	for (size_t i = 0; i < ld->pol->packs.len; i++) {
		struct vg_pack *pk = ld->pol->packs.items[i];

		for (size_t j = 0; j < pk->profiles.len; j++) {
			const struct vg_profile *pr = pk->profiles.items[j], *first;
			const struct vg_ynode *node = profile_node(ld, pr);
			const struct vg_ynode *ext = vg_ynode_get(node, "extends");
			enum chain_state st;
			size_t n;

			if (!pr->id)
				continue;
			first = find_profile(ld->pol, pr->id);
			if (first != pr) {
				loader_error(ld, pk->file, vg_ynode_get(node, "id"), pr->line, pr->col,
					     "profile '%s' is already defined at %s:%zu", pr->id,
					     first->pack->file, first->line);
				continue;
			}
			st = profile_chain(ld->pol, pr, chain, &n);
			if (st == CHAIN_CIRCULAR)
				loader_error(ld, pk->file, ext, pr->line, pr->col,
					     "profile '%s': 'extends' chain is circular", pr->id);
			else if (st == CHAIN_LONG)
				loader_error(ld, pk->file, ext, pr->line, pr->col,
					     "profile '%s': 'extends' chain is longer than %d or "
					     "circular", pr->id, VG_MAX_PROFILE_DEPTH);
			else if (st == CHAIN_UNKNOWN && n == 0) /* else an ancestor reports it */
				loader_error(ld, pk->file, ext, pr->line, pr->col,
					     "profile '%s' extends unknown profile '%s'", pr->id,
					     pr->extends);
			for (size_t k = 0; k < pr->nvars; k++)
				if (!find_var(ld->pol, pr->vars[k].name))
					loader_error(ld, pk->file,
						     map_key(vg_ynode_get(node, "vars"),
							     pr->vars[k].name),
						     pr->line, pr->col,
						     "profile '%s' sets unknown variable '%s'", pr->id,
						     pr->vars[k].name);
		}
	}
}

static int set_var(struct vg_policy *pol, const char *name, const char *value)
{
	struct vg_var *v = find_var(pol, name);
	char *dup = NULL;

	if (!v)
		return VG_ENOTFOUND;
	dup = strdup(value);
	if (!dup)
		return VG_ENOMEM;
	free(v->value);
	v->value = dup;
	return 0;
}

/* Applies the chosen profile's variables, root of the chain first. Problems
 * in the chain were reported by validate_profiles. */
static int apply_profile_vars(struct loader *ld, const struct vg_profile *pr)
{
	const struct vg_profile *chain[VG_MAX_PROFILE_DEPTH + 1];
	size_t n;

	if (profile_chain(ld->pol, pr, chain + 1, &n) != CHAIN_OK)
		return VG_EPARSE;
	chain[0] = pr;
	for (size_t i = n + 1; i-- > 0;) {
		for (size_t k = 0; k < chain[i]->nvars; k++) {
			int rc = set_var(ld->pol, chain[i]->vars[k].name, chain[i]->vars[k].value);

			/* an unknown name was reported by validate_profiles */
			if (rc < 0 && rc != VG_ENOTFOUND)
				return rc;
		}
	}
	return 0;
}

static bool any_glob(char *const *globs, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (vg_glob_match_str(globs[i], id))
			return true;
	return false;
}

/* Marks the rules the profile chain selects. depth was checked by apply_profile_vars. */
static void apply_profile_selection(struct vg_policy *pol, const struct vg_profile *pr)
{
	if (pr->extends) {
		apply_profile_selection(pol, find_profile(pol, pr->extends));
	} else {
		for (size_t i = 0; i < pol->rules.len; i++)
			((struct vg_rule *)pol->rules.items[i])->selected = pr->nselect == 0;
	}
	for (size_t i = 0; i < pol->rules.len; i++) {
		struct vg_rule *r = pol->rules.items[i];

		if (any_glob(pr->select, pr->nselect, r->meta.id))
			r->selected = true;
		if (any_glob(pr->deselect, pr->ndeselect, r->meta.id))
			r->selected = false;
		for (size_t k = 0; k < pr->nsev; k++)
			if (vg_glob_match_str(pr->sev_rule[k], r->meta.id))
				r->meta.severity = pr->sev_value[k];
	}
}

/* "a, b, c" of every profile id, for the unknown-profile message. New string. */
static char *profile_names(const struct vg_policy *pol)
{
	struct vg_buf b;

	vg_buf_init(&b, 2048);
	for (size_t i = 0; i < pol->packs.len; i++) {
		const struct vg_pack *pk = pol->packs.items[i];

		for (size_t j = 0; j < pk->profiles.len; j++) {
			const struct vg_profile *pr = pk->profiles.items[j];

			if (pr->id && vg_buf_printf(&b, "%s%s", b.len ? ", " : "", pr->id) < 0)
				break;
		}
	}
	return vg_buf_detach(&b);
}

static int resolve(struct loader *ld, const struct vg_policy_opts *o)
{
	const struct vg_profile *pr = NULL;
	int rc = 0;

	collect_vars(ld);
	validate_profiles(ld);
	if (o->profile) {
		pr = find_profile(ld->pol, o->profile);
		if (!pr) {
			char *known = profile_names(ld->pol);

			loader_error(ld, "--profile", NULL, 1, 1, "unknown profile '%s' (%s%s)",
				     o->profile, known && *known ? "known: " : "no profiles defined",
				     known ? known : "");
			free(known);
			rc = VG_ENOTFOUND;
		} else {
			int r = apply_profile_vars(ld, pr);

			if (r == VG_ENOMEM)
				return r;
			ld->pol->profile = strdup(o->profile);
			if (!ld->pol->profile)
				return VG_ENOMEM;
		}
	}
	/* --var is checked even after a bad --profile, so that every problem is reported */
	for (size_t i = 0; i < o->nvars; i++) {
		const char *eq = o->vars[i] ? strchr(o->vars[i], '=') : NULL;
		char *name;
		int r;

		if (!eq || eq == o->vars[i]) {
			loader_error(ld, "--var", NULL, 1, 1, "'%s' is not NAME=VALUE",
				     o->vars[i] ? o->vars[i] : "");
			continue;
		}
		name = vg_strndup(o->vars[i], (size_t)(eq - o->vars[i]));
		if (!name)
			return VG_ENOMEM;
		r = set_var(ld->pol, name, eq + 1);
		if (r == VG_ENOTFOUND)
			loader_error(ld, "--var", NULL, 1, 1, "unknown variable '%s'", name);
		free(name);
		if (r == VG_ENOMEM)
			return r;
	}
	if (rc == 0 && ld->errors)
		rc = VG_EPARSE;
	return rc;
}

static void select_rules(struct vg_policy *pol, const struct vg_profile *pr,
			 const struct vg_policy_opts *o)
{
	if (pr) {
		apply_profile_selection(pol, pr);
	} else {
		for (size_t i = 0; i < pol->rules.len; i++)
			((struct vg_rule *)pol->rules.items[i])->selected = true;
	}
	for (size_t i = 0; i < pol->rules.len; i++) {
		struct vg_rule *r = pol->rules.items[i];

		if (o->nrule_globs && !any_glob((char *const *)o->rule_globs, o->nrule_globs,
						r->meta.id))
			r->selected = false;
		if (any_glob((char *const *)o->skip_globs, o->nskip_globs, r->meta.id))
			r->selected = false;
	}
}

/* ---- sources ---- */

static void source_free(void *p)
{
	struct source *s = p;

	if (!s)
		return;
	free(s->name);
	vg_ydoc_free(s->doc);
	free(s);
}

static int add_source(struct loader *ld, const char *name, const char *data, size_t len)
{
	struct source *s = calloc(1, sizeof(*s));
	struct vg_error err = {0};
	int rc;

	if (!s)
		return VG_ENOMEM;
	s->name = strdup(name);
	if (!s->name || vg_vec_push(&ld->sources, s) < 0) {
		source_free(s);
		return VG_ENOMEM;
	}
	rc = vg_ydoc_parse(&s->doc, name, data, len, ld->diags, &err);
	if (rc < 0) {
		ld->errors++;
		return rc;
	}
	return 0;
}

static bool is_yaml_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml"));
}

struct dir_walk {
	struct loader *ld;
	struct vg_fs *fs;
	const char *top;
	char *rel;
	size_t depth;
	int rc;
	size_t files;
};

static int load_dir_entry(void *ud, const char *name);

static int load_dir(struct dir_walk *w, const char *rel)
{
	struct vg_error err = {0};
	int rc;

	if (w->depth > VG_MAX_WALK_DEPTH) {
		vg_diags_add(w->ld->diags, w->top, 1, 1,
			     "policy directory nested deeper than %d levels at %s",
			     VG_MAX_WALK_DEPTH, rel);
		w->ld->errors++;
		if (w->rc == 0)
			w->rc = VG_ELIMIT;
		return VG_ELIMIT;
	}
	w->rel = (char *)rel;
	rc = vg_fs_list(w->fs, rel, load_dir_entry, w, &err);
	if (rc < 0 && w->rc == 0) {
		vg_diags_add(w->ld->diags, w->top, 1, 1, "%s", err.msg);
		w->ld->errors++;
		w->rc = rc;
	}
	return rc;
}

static int load_dir_entry(void *ud, const char *name)
{
	struct dir_walk *w = ud;
	struct vg_error err = {0};
	struct vg_stat st;
	struct vg_blob blob = {0};
	char *path = NULL, *display = NULL;
	const char *parent = w->rel;
	int rc = 0;

	if (name[0] == '.')
		return 0;
	path = *parent ? vg_asprintf("%s/%s", parent, name) : strdup(name);
	display = vg_asprintf("%s/%s", w->top, path ? path : name);
	if (!path || !display) {
		rc = VG_ENOMEM;
		goto out;
	}
	if (vg_fs_lstat(w->fs, path, &st, &err) < 0)
		goto fail;
	if (S_ISDIR(st.mode)) {
		w->depth++;
		load_dir(w, path);
		w->depth--;
		w->rel = (char *)parent;
		goto out;
	}
	if (!is_yaml_name(name))
		goto out;
	if (++w->files > VG_MAX_POLICY_FILES) {
		vg_error_set(&err, VG_ELIMIT, "more than %d policy files", VG_MAX_POLICY_FILES);
		goto fail;
	}
	if (vg_fs_read(w->fs, path, VG_MAX_POLICY_BYTES, &blob, &err) < 0)
		goto fail;
	rc = add_source(w->ld, display, blob.data, blob.len);
	if (rc == VG_ENOMEM)
		goto out;
	rc = 0;
	goto out;
fail:
	vg_diags_add(w->ld->diags, display, 1, 1, "%s", err.msg);
	w->ld->errors++;
	if (w->rc == 0)
		w->rc = err.code ? err.code : VG_EIO;
out:
	vg_blob_finish(&blob);
	free(path);
	free(display);
	return rc;
}

static int load_path(struct loader *ld, const char *path)
{
	struct vg_error err = {0};
	struct vg_blob blob = {0};
	struct vg_fs *fs = NULL;
	struct vg_stat st;
	int rc;

	rc = vg_fs_open(&fs, path, VG_FS_BENEATH, &err);
	if (rc == 0) {
		struct dir_walk w = {.ld = ld, .fs = fs, .top = path};

		(void)st;
		rc = load_dir(&w, "");
		if (rc == 0 && w.rc)
			rc = w.rc;
		if (rc == 0 && w.files == 0) {
			vg_diags_add(ld->diags, path, 1, 1, "no policy files (*.yaml) in directory");
			ld->errors++;
			rc = VG_ENOTFOUND;
		}
		goto out;
	}
	/* not a directory: a single policy file */
	vg_error_clear(&err);
	rc = vg_file_read(path, VG_MAX_POLICY_BYTES, &blob, &err);
	if (rc < 0) {
		vg_diags_add(ld->diags, path, 1, 1, "%s", err.msg);
		ld->errors++;
		goto out;
	}
	rc = add_source(ld, path, blob.data, blob.len);
out:
	vg_blob_finish(&blob);
	vg_fs_free(fs);
	return rc;
}

static int finish_load(struct loader *ld, const struct vg_policy_opts *o)
{
	const struct vg_profile *pr = NULL;
	int rc = 0;

	for (size_t i = 0; i < ld->sources.len; i++) {
		struct source *s = ld->sources.items[i];

		if (s->doc && parse_pack_header(ld, s) == VG_ENOMEM)
			return VG_ENOMEM;
	}
	rc = resolve(ld, o);
	if (rc < 0 && rc != VG_EPARSE && rc != VG_ENOTFOUND)
		return rc;
	/* Rules are parsed even after earlier errors so that every problem is reported. */
	for (size_t i = 0; i < ld->sources.len; i++) {
		struct source *s = ld->sources.items[i];

		if (s->pack)
			parse_rules(ld, s);
	}
	if (ld->errors)
		return rc < 0 ? rc : VG_EPARSE;
	if (o->profile)
		pr = find_profile(ld->pol, o->profile);
	select_rules(ld->pol, pr, o);
	return 0;
}

static int load(struct vg_policy **out, const struct vg_policy_opts *o, const char *name,
		const char *text, size_t len, struct vg_diags *diags, struct vg_error *err)
{
	struct loader ld = {.diags = diags};
	int rc = 0;

	*out = NULL;
	vg_vec_init(&ld.sources);
	ld.pol = calloc(1, sizeof(*ld.pol));
	if (!ld.pol) {
		rc = VG_ENOMEM;
		goto out;
	}
	if (text) {
		rc = add_source(&ld, name, text, len);
	} else if (o->npaths) {
		for (size_t i = 0; i < o->npaths; i++) {
			int r = load_path(&ld, o->paths[i]);

			if (r == VG_ENOMEM) {
				rc = r;
				goto out;
			}
			if (r < 0 && rc == 0)
				rc = r;
		}
	} else {
		for (size_t i = 0; i < vg_embedded_packs_count; i++) {
			char *n = vg_asprintf("<embedded>/%s", vg_embedded_packs[i].path);

			if (!n) {
				rc = VG_ENOMEM;
				goto out;
			}
			if (add_source(&ld, n, vg_embedded_packs[i].data, vg_embedded_packs[i].len) ==
			    VG_ENOMEM) {
				free(n);
				rc = VG_ENOMEM;
				goto out;
			}
			free(n);
		}
	}
	if (rc == VG_ENOMEM)
		goto out;
	{
		int r = finish_load(&ld, o);

		if (r < 0 && (rc == 0 || r == VG_ENOMEM))
			rc = r;
	}
	if (rc == 0 && ld.errors)
		rc = VG_EPARSE;
out:
	if (rc < 0) {
		size_t n = diags ? diags->count + diags->dropped : 0;

		if (rc == VG_ENOMEM)
			vg_error_set(err, rc, "out of memory while loading the policy");
		else
			vg_error_set(err, rc, "invalid policy: %zu problem%s", n, n == 1 ? "" : "s");
		vg_policy_free(ld.pol);
	} else {
		*out = ld.pol;
	}
	vg_vec_finish(&ld.sources, source_free);
	return rc;
}

int vg_policy_load(struct vg_policy **out, const struct vg_policy_opts *opts,
		   struct vg_diags *diags, struct vg_error *err)
{
	struct vg_policy_opts none = {0};

	return load(out, opts ? opts : &none, NULL, NULL, 0, diags, err);
}

int vg_policy_load_string(struct vg_policy **out, const char *name, const char *text, size_t len,
			  struct vg_diags *diags, struct vg_error *err)
{
	struct vg_policy_opts o = {0};

	return load(out, &o, name ? name : "<policy>", text ? text : "", text ? len : 0, diags,
		    err);
}
