/* SPDX-License-Identifier: Apache-2.0 */
/* Parses PAM service files and module settings files, and expands a service's includes. */
#include "facts/pam.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts/accounts.h"
#include "limits.h"

#define PAM_DIR "/etc/pam.d"

/* Modules that read a settings file, and the options' built-in defaults. */
static const struct {
	const char *module;
	const char *path;
	const char *dropins; /* directory read before path, or NULL */
} conf_files[] = {
	{"pam_faillock.so", "/etc/security/faillock.conf", NULL},
	{"pam_pwhistory.so", "/etc/security/pwhistory.conf", NULL},
	{"pam_pwquality.so", "/etc/security/pwquality.conf", "/etc/security/pwquality.conf.d"},
};
#define NCONFS (sizeof(conf_files) / sizeof(conf_files[0]))

static const char *const defaults[][3] = {
	{"pam_faillock.so", "deny", "3"},        {"pam_faillock.so", "unlock_time", "600"},
	{"pam_faillock.so", "fail_interval", "900"},
	{"pam_pwhistory.so", "remember", "10"},  {"pam_pwhistory.so", "retry", "1"},
	{"pam_pwquality.so", "minlen", "8"},     {"pam_pwquality.so", "difok", "1"},
	{"pam_pwquality.so", "dcredit", "0"},    {"pam_pwquality.so", "ucredit", "0"},
	{"pam_pwquality.so", "lcredit", "0"},    {"pam_pwquality.so", "ocredit", "0"},
	{"pam_pwquality.so", "minclass", "0"},   {"pam_pwquality.so", "maxrepeat", "0"},
	{"pam_pwquality.so", "maxsequence", "0"}, {"pam_pwquality.so", "maxclassrepeat", "0"},
	{"pam_pwquality.so", "dictcheck", "1"},  {"pam_pwquality.so", "usercheck", "1"},
	{"pam_pwquality.so", "retry", "1"},
};

/* Backup and package-manager leftovers that no service ever names. */
static const char *const ignored_suffixes[] = {
	".dpkg-old", ".dpkg-dist", ".dpkg-new", ".dpkg-bak", ".dpkg-tmp", ".ucf-old",
	".ucf-dist", ".ucf-new", ".rpmsave", ".rpmnew", ".rpmorig", ".bak", ".orig", ".swp",
	"~", NULL,
};

static void line_free(void *p)
{
	struct vg_pam_line *l = p;

	if (!l)
		return;
	free(l->type);
	free(l->control);
	free(l->module);
	for (size_t i = 0; i < l->nargs; i++) {
		free(l->args[i].name);
		free(l->args[i].value);
	}
	free(l->args);
	free(l->include);
	free(l);
}

static void problem_free(void *p)
{
	struct vg_pam_problem *pr = p;

	if (pr)
		free(pr->msg);
	free(pr);
}

static void setting_free(void *p)
{
	struct vg_pam_setting *s = p;

	if (!s)
		return;
	free(s->key);
	free(s->value);
	free(s->path);
	free(s);
}

struct vg_pam_service *vg_pam_service_new(const char *name, const char *path)
{
	struct vg_pam_service *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	vg_vec_init(&s->lines);
	vg_vec_init(&s->problems);
	s->name = strdup(name);
	s->path = strdup(path);
	if (!s->name || !s->path) {
		vg_pam_service_free(s);
		return NULL;
	}
	return s;
}

void vg_pam_service_free(struct vg_pam_service *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->path);
	vg_vec_finish(&s->lines, line_free);
	vg_vec_finish(&s->problems, problem_free);
	free(s);
}

static void service_free_cb(void *p)
{
	vg_pam_service_free(p);
}

static void conf_free_cb(void *p)
{
	struct vg_pam_conf *c = p;

	if (!c)
		return;
	vg_vec_finish(&c->settings, setting_free);
	free(c);
}

void vg_pam_free(struct vg_pam *p)
{
	if (!p)
		return;
	vg_vec_finish(&p->services, service_free_cb);
	vg_vec_finish(&p->confs, conf_free_cb);
	free(p);
}

static int add_problem(struct vg_pam_service *s, size_t line, const char *msg)
{
	struct vg_pam_problem *p = calloc(1, sizeof(*p));

	if (!p || !(p->msg = vg_asprintf("%s:%zu: %s", s->path, line, msg)) ||
	    vg_vec_push(&s->problems, p) < 0) {
		problem_free(p);
		return VG_ENOMEM;
	}
	p->line = line;
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r' || c == '\n';
}

/* The next token of [*p, end): a run of non-blanks, or with brackets set a
 * "[...]" group (inner "\]" is a literal ']'). keep_brackets keeps the
 * brackets in the token (controls); arguments lose them. Returns 1 with *out
 * set, 0 at the end, VG_EPARSE for an unterminated group, VG_ENOMEM. */
static int next_token(const char **p, const char *end, bool brackets, bool keep_brackets,
		      char **out)
{
	const char *s = *p;
	struct vg_buf b;

	*out = NULL;
	while (s < end && is_space(*s))
		s++;
	if (s == end) {
		*p = s;
		return 0;
	}
	vg_buf_init(&b, VG_MAX_LINE_BYTES);
	if (brackets && *s == '[') {
		bool closed = false;

		if (keep_brackets && vg_buf_putc(&b, '[') < 0)
			goto nomem;
		for (s++; s < end; s++) {
			if (*s == '\\' && s + 1 < end && s[1] == ']') {
				s++;
			} else if (*s == ']') {
				closed = true;
				s++;
				break;
			}
			if (vg_buf_putc(&b, *s) < 0)
				goto nomem;
		}
		if (!closed) {
			vg_buf_finish(&b);
			*p = s;
			return VG_EPARSE;
		}
		if (keep_brackets && vg_buf_putc(&b, ']') < 0)
			goto nomem;
	} else {
		const char *t = s;

		while (s < end && !is_space(*s))
			s++;
		if (vg_buf_append(&b, t, (size_t)(s - t)) < 0)
			goto nomem;
	}
	*p = s;
	*out = vg_buf_detach(&b);
	if (!*out)
		*out = strdup("");
	return *out ? 1 : VG_ENOMEM;
nomem:
	vg_buf_finish(&b);
	return VG_ENOMEM;
}

static bool valid_type(const char *t)
{
	return !strcmp(t, "auth") || !strcmp(t, "account") || !strcmp(t, "password") ||
	       !strcmp(t, "session");
}

static int add_arg(struct vg_pam_line *l, char *tok)
{
	struct vg_pam_arg *na = vg_reallocarray(l->args, l->nargs + 1, sizeof(*na));
	char *eq = strchr(tok, '=');

	if (!na) {
		free(tok);
		return VG_ENOMEM;
	}
	l->args = na;
	na[l->nargs].name = tok;
	na[l->nargs].value = NULL;
	if (eq) {
		na[l->nargs].value = strdup(eq + 1);
		*eq = '\0';
		if (!na[l->nargs].value) {
			free(tok);
			return VG_ENOMEM;
		}
	}
	l->nargs++;
	return 0;
}

/* One logical line (continuations joined, comment removed). */
static int parse_logical(struct vg_pam_service *s, const char *text, size_t len, size_t lineno)
{
	const char *p = text, *end = text + len;
	struct vg_pam_line *l = NULL;
	char *tok = NULL;
	int rc;

	rc = next_token(&p, end, false, false, &tok);
	if (rc <= 0)
		return rc == 0 ? 0 : rc;
	l = calloc(1, sizeof(*l));
	if (!l) {
		free(tok);
		return VG_ENOMEM;
	}
	l->path = s->path;
	l->line = lineno;
	if (!strcmp(tok, "@include")) {
		free(tok);
		rc = next_token(&p, end, false, false, &l->include);
		if (rc == 0 || (rc > 0 && strchr(l->include, '/'))) {
			rc = add_problem(s, lineno, rc == 0
					 ? "@include without a service name"
					 : "@include of a path, not a service name");
			goto drop;
		}
		if (rc < 0)
			goto drop;
		goto keep;
	}
	if (tok[0] == '-') {
		l->dash = true;
		l->type = strdup(tok + 1);
		free(tok);
		if (!l->type) {
			rc = VG_ENOMEM;
			goto drop;
		}
	} else {
		l->type = tok;
	}
	if (!valid_type(l->type)) {
		rc = add_problem(s, lineno, "unknown module type (not auth, account, password "
					    "or session)");
		goto drop;
	}
	rc = next_token(&p, end, true, true, &l->control);
	if (rc > 0)
		rc = next_token(&p, end, false, false, &l->module);
	if (rc == 0 || rc == VG_EPARSE) {
		rc = add_problem(s, lineno, rc == 0 ? "incomplete line: no control or module"
						   : "unterminated '[' in the control field");
		goto drop;
	}
	if (rc < 0)
		goto drop;
	for (;;) {
		rc = next_token(&p, end, true, false, &tok);
		if (rc == VG_EPARSE) {
			rc = add_problem(s, lineno, "unterminated '[' in an argument");
			goto drop;
		}
		if (rc <= 0)
			break;
		rc = add_arg(l, tok);
		if (rc < 0)
			goto drop;
	}
	if (rc < 0)
		goto drop;
keep:
	if (vg_vec_push(&s->lines, l) < 0) {
		rc = VG_ENOMEM;
		goto drop;
	}
	return 0;
drop:
	line_free(l);
	return rc;
}

int vg_pam_parse_service(struct vg_pam_service *s, const char *data, size_t len,
			 struct vg_error *err)
{
	struct vg_buf logical;
	size_t lineno = 0, first = 0;
	bool toolong = false;
	int rc = 0;

	if (vg_accounts_looks_binary(data, len)) {
		s->code = vg_error_set(&s->err, VG_EPARSE, "%s is not a text file (binary data)",
				       s->path);
		return vg_error_set(err, VG_EPARSE, "%s", s->err.msg);
	}
	s->code = 0;
	vg_buf_init(&logical, VG_MAX_CONFIG_LINE_BYTES);
	for (size_t off = 0; off < len && rc == 0;) {
		const char *line = data + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t n = nl ? (size_t)(nl - line) : len - off;
		bool cont;

		off += n + (nl ? 1 : 0);
		lineno++;
		if (n && line[n - 1] == '\r')
			n--;
		cont = n && line[n - 1] == '\\';
		if (!logical.len && !toolong)
			first = lineno;
		if (!toolong) {
			rc = vg_buf_append(&logical, line, cont ? n - 1 : n);
			if (rc == 0 && cont)
				rc = vg_buf_putc(&logical, ' ');
			if (rc == VG_ELIMIT) {
				toolong = true; /* skip to the end of this logical line */
				rc = 0;
			}
		}
		if (rc < 0 || (cont && off < len))
			continue;
		if (toolong) {
			rc = add_problem(s, first, "line longer than the limit; skipped");
			toolong = false;
		} else if (logical.len) {
			/* PAM ends a line at '#', wherever it stands */
			char *hash = memchr(logical.data, '#', logical.len);
			size_t ln = hash ? (size_t)(hash - logical.data) : logical.len;

			rc = parse_logical(s, logical.data, ln, first);
		}
		vg_buf_clear(&logical);
		if (rc == 0 && s->lines.len + s->problems.len >= VG_MAX_CONFIG_ENTRIES)
			rc = VG_ELIMIT;
	}
	vg_buf_finish(&logical);
	if (rc == VG_ELIMIT) {
		s->code = vg_error_set(&s->err, rc, "%s has more than %d lines", s->path,
				       VG_MAX_CONFIG_ENTRIES);
		return vg_error_set(err, rc, "%s", s->err.msg);
	}
	if (rc < 0)
		return vg_error_set(err, rc, "%s: out of memory", s->path);
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s && is_space(*s))
		s++;
	e = s + strlen(s);
	while (e > s && is_space(e[-1]))
		*--e = '\0';
	return s;
}

int vg_pam_parse_conf(struct vg_pam_conf *c, const char *path, const char *data, size_t len,
		      struct vg_error *err)
{
	size_t lineno = 0;

	if (vg_accounts_looks_binary(data, len))
		return vg_error_set(err, VG_EPARSE, "%s is not a text file (binary data)", path);
	for (size_t off = 0; off < len;) {
		const char *line = data + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t n = nl ? (size_t)(nl - line) : len - off;
		struct vg_pam_setting *st = NULL;
		char *copy, *k, *eq, *hash;

		off += n + (nl ? 1 : 0);
		lineno++;
		copy = vg_strndup(line, n);
		if (!copy)
			return vg_error_set(err, VG_ENOMEM, "%s: out of memory", path);
		if ((hash = strchr(copy, '#')))
			*hash = '\0';
		k = trim(copy);
		if (!*k) {
			free(copy);
			continue;
		}
		eq = strchr(k, '=');
		if (eq)
			*eq = '\0';
		st = calloc(1, sizeof(*st));
		if (!st || !(st->key = strdup(trim(k))) || !(st->path = strdup(path)) ||
		    (eq && !(st->value = strdup(trim(eq + 1)))) ||
		    vg_vec_push(&c->settings, st) < 0) {
			setting_free(st);
			free(copy);
			return vg_error_set(err, VG_ENOMEM, "%s: out of memory", path);
		}
		st->line = lineno;
		free(copy);
	}
	return 0;
}

static bool ignored_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return true;
	for (size_t i = 0; ignored_suffixes[i]; i++) {
		size_t k = strlen(ignored_suffixes[i]);

		if (n > k && !strcmp(name + n - k, ignored_suffixes[i]))
			return true;
	}
	return false;
}

static int push_name(void *ud, const char *name)
{
	char *d;

	if (ignored_name(name))
		return 0;
	d = strdup(name);
	if (!d || vg_vec_push(ud, d) < 0) {
		free(d);
		return VG_ENOMEM;
	}
	return 0;
}

static int push_conf_name(void *ud, const char *name)
{
	size_t n = strlen(name);

	if (n < 6 || strcmp(name + n - 5, ".conf") || name[0] == '.')
		return 0;
	return push_name(ud, name);
}

/* Reads one settings file into c; records a failure in c->code unless it is
 * just missing and optional. */
static int read_conf_file(struct vg_fs *fs, struct vg_pam_conf *c, const char *path,
			  bool main_file)
{
	struct vg_blob b = {0};
	struct vg_error e = {0};
	int rc = vg_fs_read(fs, path, VG_MAX_CONFIG_FILE_BYTES, &b, &e);

	if (rc == 0) {
		rc = vg_pam_parse_conf(c, path, b.data, b.len, &e);
		vg_blob_finish(&b);
	}
	if (rc == VG_ENOMEM)
		return rc;
	if (rc == VG_ENOTFOUND) {
		if (main_file && c->code == 0)
			c->code = VG_ENOTFOUND;
		return 0;
	}
	if (rc < 0 && (c->code == 0 || c->code == VG_ENOTFOUND)) {
		c->code = rc;
		c->err = e;
	}
	return 0;
}

static int load_conf(struct vg_pam *p, struct vg_fs *fs, size_t i)
{
	struct vg_pam_conf *c = calloc(1, sizeof(*c));
	struct vg_vec names;
	struct vg_error e = {0};
	int rc = 0;

	vg_vec_init(&names);
	if (!c || vg_vec_push(&p->confs, c) < 0) {
		free(c);
		return VG_ENOMEM;
	}
	c->module = conf_files[i].module;
	c->path = conf_files[i].path;
	vg_vec_init(&c->settings);
	if (conf_files[i].dropins) {
		rc = vg_fs_list(fs, conf_files[i].dropins, push_conf_name, &names, &e);
		if (rc == VG_ENOMEM)
			goto out;
		if (rc < 0 && rc != VG_ENOTFOUND) {
			/* a drop-in we cannot see may set any option */
			c->code = rc;
			c->err = e;
		}
		rc = 0;
		for (size_t k = 0; k < names.len && rc == 0; k++) {
			char *path = vg_asprintf("%s/%s", conf_files[i].dropins,
						 (char *)names.items[k]);

			rc = path ? read_conf_file(fs, c, path, false) : VG_ENOMEM;
			free(path);
		}
		if (rc < 0)
			goto out;
		rc = 0;
	}
	rc = read_conf_file(fs, c, c->path, true);
out:
	vg_vec_finish(&names, free);
	return rc;
}

int vg_pam_load(struct vg_pam **out, struct vg_fs *fs, struct vg_error *err)
{
	struct vg_pam *p = calloc(1, sizeof(*p));
	struct vg_vec names;
	size_t total = 0;
	int rc = 0;

	*out = NULL;
	vg_vec_init(&names);
	if (!p)
		return vg_error_set(err, VG_ENOMEM, "pam: out of memory");
	vg_vec_init(&p->services);
	vg_vec_init(&p->confs);
	p->dir_code = vg_fs_list(fs, PAM_DIR, push_name, &names, &p->dir_err);
	if (p->dir_code == VG_ENOMEM) {
		rc = VG_ENOMEM;
		goto out;
	}
	for (size_t i = 0; p->dir_code == 0 && i < names.len; i++) {
		const char *name = names.items[i];
		char *path = vg_asprintf("%s/%s", PAM_DIR, name);
		struct vg_pam_service *s = path ? vg_pam_service_new(name, path) : NULL;
		struct vg_blob b = {0};
		struct vg_error e = {0};

		free(path);
		if (!s || vg_vec_push(&p->services, s) < 0) {
			vg_pam_service_free(s);
			rc = VG_ENOMEM;
			goto out;
		}
		if (total >= VG_MAX_CONFIG_TOTAL_BYTES) {
			/* a directory of huge files is not read without end */
			s->code = vg_error_set(&s->err, VG_ELIMIT, "%s not read: /etc/pam.d holds "
					       "more than %u bytes", s->path,
					       VG_MAX_CONFIG_TOTAL_BYTES);
			continue;
		}
		s->code = vg_fs_read(fs, s->path, VG_MAX_CONFIG_FILE_BYTES, &b, &s->err);
		total += b.len;
		if (s->code == VG_ENOMEM) {
			rc = VG_ENOMEM;
			goto out;
		}
		if (s->code == 0) {
			rc = vg_pam_parse_service(s, b.data, b.len, &e);
			vg_blob_finish(&b);
			if (rc == VG_ENOMEM)
				goto out;
			rc = 0;
		}
	}
	for (size_t i = 0; i < NCONFS && rc == 0; i++)
		rc = load_conf(p, fs, i);
	if (rc < 0)
		goto out;
	*out = p;
	p = NULL;
out:
	vg_vec_finish(&names, free);
	vg_pam_free(p);
	if (rc == VG_ENOMEM)
		vg_error_set(err, rc, "pam: out of memory");
	return rc;
}

const struct vg_pam_service *vg_pam_find(const struct vg_pam *p, const char *name)
{
	for (size_t i = 0; i < p->services.len; i++) {
		const struct vg_pam_service *s = p->services.items[i];

		if (!strcmp(s->name, name))
			return s;
	}
	return NULL;
}

static bool is_include_control(const char *control)
{
	return control && (!strcmp(control, "include") || !strcmp(control, "substack"));
}

static int expand(const struct vg_pam *p, const char *name, const char *type, size_t depth,
		  const char **stack, struct vg_vec *out, struct vg_error *err)
{
	const struct vg_pam_service *s = vg_pam_find(p, name);
	int rc = 0;

	if (!s)
		return vg_error_set(err, VG_ENOTFOUND, "%s/%s does not exist%s%s", PAM_DIR, name,
				    depth ? ", but is included from " : "",
				    depth ? stack[depth - 1] : "");
	if (s->code < 0)
		return vg_error_set(err, s->code, "%s", s->err.msg);
	if (depth >= VG_MAX_INCLUDE_DEPTH)
		return vg_error_set(err, VG_ELIMIT, "%s: includes nested deeper than %d levels",
				    s->path, VG_MAX_INCLUDE_DEPTH);
	for (size_t i = 0; i < depth; i++)
		if (!strcmp(stack[i], name))
			return vg_error_set(err, VG_ELIMIT, "%s: include cycle through %s",
					    s->path, stack[depth - 1]);
	stack[depth] = s->name;
	for (size_t i = 0; i < s->lines.len && rc == 0; i++) {
		const struct vg_pam_line *l = s->lines.items[i];

		if (l->include)
			rc = expand(p, l->include, type, depth + 1, stack, out, err);
		else if (type && strcmp(l->type, type))
			continue;
		else if (is_include_control(l->control) && !strchr(l->module, '/'))
			rc = expand(p, l->module, l->type, depth + 1, stack, out, err);
		else if (vg_vec_push(out, (void *)l) < 0)
			rc = vg_error_set(err, VG_ENOMEM, "pam: out of memory");
	}
	return rc;
}

int vg_pam_expand(const struct vg_pam *p, const char *name, struct vg_vec *out,
		  struct vg_error *err)
{
	const char *stack[VG_MAX_INCLUDE_DEPTH + 1];

	return expand(p, name, NULL, 0, stack, out, err);
}

const char *vg_pam_module_base(const char *module)
{
	const char *slash = strrchr(module, '/');

	return slash ? slash + 1 : module;
}

/* "pam_unix" and "pam_unix.so" name the same module. */
static bool same_module(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	if (na > 3 && !strcmp(a + na - 3, ".so"))
		na -= 3;
	if (nb > 3 && !strcmp(b + nb - 3, ".so"))
		nb -= 3;
	return na == nb && !strncmp(a, b, na);
}

bool vg_pam_module_is(const struct vg_pam_line *l, const char *mod)
{
	return l->module && !l->include && !is_include_control(l->control) &&
	       same_module(vg_pam_module_base(l->module), vg_pam_module_base(mod));
}

bool vg_pam_line_arg(const struct vg_pam_line *l, const char *name, const char **value)
{
	bool found = false;

	/* a repeated argument: the module sees them in order, the last one counts */
	for (size_t i = 0; i < l->nargs; i++) {
		if (!strcmp(l->args[i].name, name)) {
			*value = l->args[i].value;
			found = true;
		}
	}
	return found;
}

const struct vg_pam_conf *vg_pam_conf_find(const struct vg_pam *p, const char *module)
{
	for (size_t i = 0; i < p->confs.len; i++) {
		const struct vg_pam_conf *c = p->confs.items[i];

		if (same_module(c->module, vg_pam_module_base(module)))
			return c;
	}
	return NULL;
}

const struct vg_pam_setting *vg_pam_conf_get(const struct vg_pam_conf *c, const char *name)
{
	for (size_t i = c ? c->settings.len : 0; i-- > 0;) {
		const struct vg_pam_setting *s = c->settings.items[i];

		if (!strcmp(s->key, name))
			return s;
	}
	return NULL;
}

const char *vg_pam_default(const char *module, const char *name)
{
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (same_module(defaults[i][0], vg_pam_module_base(module)) &&
		    !strcmp(defaults[i][1], name))
			return defaults[i][2];
	return NULL;
}

static int collect(void **out, const struct vg_target *t, struct vg_error *err)
{
	struct vg_pam *p = NULL;
	int rc = vg_pam_load(&p, t->fs, err);

	*out = p;
	return rc;
}

static void free_facts(void *p)
{
	vg_pam_free(p);
}

const struct vg_collector vg_collector_pam = {
	.name = "pam",
	.offline = true,
	.live_only = false,
	.collect = collect,
	.free_facts = free_facts,
};
