/* SPDX-License-Identifier: Apache-2.0 */
/* YAML reading: libyaml's event stream composed into an arena-owned node tree under hard caps. */
#include "formats/yaml.h"

#include <search.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "limits.h"
#include "targets/fs.h"
#include "util.h"

#define ARENA_FIRST 1024u
#define ARENA_CHUNK (64u * 1024)
#define CORE_TAG_PREFIX "tag:yaml.org,2002:"
#define KEY_SHOWN_MAX 64

/* Arena: nodes, strings and arrays of one document, freed together (aliases share nodes). */
struct chunk {
	struct chunk *next;
	size_t used;
	size_t cap;
	max_align_t data[];
};

/* Chunks start small and double up to ARENA_CHUNK: a tiny document costs little. */
struct arena {
	struct chunk *head;
	size_t next;
};

/* The public node plus what composing needs: the alias-expanded size of the subtree and
 * whether it is finished (an alias to an unfinished node would make a cycle). */
struct inode {
	struct vg_ynode pub;
	size_t weight;
	bool complete;
};

struct anchor {
	char *name;
	struct inode *node;
};

/* One open mapping or sequence. kids is reused between siblings at the same depth. */
struct frame {
	struct inode *node;
	struct vg_ynode **kids;
	size_t nkids;
	size_t cap;
	size_t weight;
	void *keys; /* tsearch tree of the mapping's scalar keys, for duplicates */
};

struct composer {
	const char *name;
	const char *data;
	size_t len;
	struct arena *arena;
	struct vg_diags *diags;
	struct vg_error *err;
	struct frame frames[VG_MAX_YAML_DEPTH];
	size_t depth;
	struct inode *root;
	void *anchors; /* tsearch tree of struct anchor */
	size_t nodes;  /* aliases counted as the size of their target */
	size_t aliases;
	size_t docs;
	size_t tag_bytes; /* resolved tags, which a %TAG prefix can make far longer than written */
};

static void *arena_alloc(struct arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	struct chunk *c = NULL;
	size_t cap, total;
	bool own;
	void *p;

	if (!vg_add_size(&n, n ? n : 1, align - 1))
		return NULL;
	n &= ~(align - 1);
	if (a->head && a->head->cap - a->head->used >= n) {
		p = (unsigned char *)a->head->data + a->head->used;
		a->head->used += n;
		return p;
	}
	if (a->next < ARENA_FIRST)
		a->next = ARENA_FIRST;
	own = n > a->next / 4;
	cap = own ? n : a->next;
	if (!vg_add_size(&total, sizeof(*c), cap))
		return NULL;
	c = malloc(total);
	if (!c)
		return NULL;
	c->cap = cap;
	c->used = n;
	/* a big block gets a chunk of its own behind the head, so the head's room is kept */
	if (own && a->head) {
		c->next = a->head->next;
		a->head->next = c;
	} else {
		c->next = a->head;
		a->head = c;
		if (!own && a->next < ARENA_CHUNK)
			a->next *= 2;
	}
	return c->data;
}

static void *arena_zalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);

	if (p)
		memset(p, 0, n);
	return p;
}

/* Copies s[0..n) and a terminating NUL into the arena. */
static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	size_t total;
	char *p;

	if (!vg_add_size(&total, n, 1))
		return NULL;
	p = arena_alloc(a, total);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void arena_free(struct arena *a)
{
	struct chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

static int anchor_cmp(const void *a, const void *b)
{
	return strcmp(((const struct anchor *)a)->name, ((const struct anchor *)b)->name);
}

static void anchor_free(void *p)
{
	struct anchor *an = p;

	free(an->name);
	free(an);
}

static int key_cmp(const void *a, const void *b)
{
	const struct vg_ynode *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->str, y->str, x->len);
}

static void no_free(void *p)
{
	(void)p;
}

static int fail(struct composer *c, int code, size_t line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Reports one problem at line:col (1-based) both as a diagnostic and in err. */
static int fail(struct composer *c, int code, size_t line, size_t col, const char *fmt, ...)
{
	char msg[VG_ERROR_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vg_diags_add(c->diags, c->name, line, col, "%s", msg);
	vg_error_set(c->err, code, "%s:%zu:%zu: %s", c->name, line, col, msg);
	return code;
}

/* A key or anchor name fit for a one-line message: short, control bytes shown as '?'. */
static void shown(char *out, size_t outsz, const char *s, size_t len)
{
	size_t n = len < KEY_SHOWN_MAX ? len : KEY_SHOWN_MAX;
	size_t i;

	if (n + 4 > outsz)
		n = outsz - 4;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		out[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	if (n < len) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

/* Length of the line break at data[i], or 0. libyaml's breaks: LF, CR, CR LF, NEL, LS, PS. */
static size_t break_len(const char *data, size_t len, size_t i)
{
	const unsigned char *d = (const unsigned char *)data;

	if (d[i] == '\n')
		return 1;
	if (d[i] == '\r')
		return i + 1 < len && d[i + 1] == '\n' ? 2 : 1;
	if (d[i] == 0xc2 && i + 1 < len && d[i + 1] == 0x85)
		return 2;
	if (d[i] == 0xe2 && i + 2 < len && d[i + 1] == 0x80 &&
	    (d[i + 2] == 0xa8 || d[i + 2] == 0xa9))
		return 3;
	return 0;
}

/* libyaml's reader reports a byte offset, not a mark: turn it into line:col (col in
 * characters, like libyaml's marks). */
static void offset_position(const struct composer *c, size_t off, size_t *line, size_t *col)
{
	size_t l = 1, k = 1, i = 0, b;

	if (off > c->len)
		off = c->len;
	while (i < off) {
		b = break_len(c->data, c->len, i);
		if (b) {
			l++;
			k = 1;
			i += b;
			continue;
		}
		if (((unsigned char)c->data[i] & 0xc0) != 0x80)
			k++;
		i++;
	}
	*line = l;
	*col = k;
}

/* Whether a libyaml mark is the end of the input (libyaml moves that to the start of the
 * next line when the last line has no break). */
static bool at_end(const struct composer *c, const yaml_mark_t *m)
{
	size_t line, col;

	offset_position(c, c->len, &line, &col);
	if (m->line + 1 == line && m->column + 1 == col)
		return true;
	return col != 1 && m->line == line && m->column == 0;
}

static int libyaml_error(struct composer *c, const yaml_parser_t *parser)
{
	const char *problem = parser->problem ? parser->problem : "malformed YAML";
	const yaml_mark_t *pm = &parser->problem_mark, *cm = &parser->context_mark;
	size_t line, col;

	switch (parser->error) {
	case YAML_MEMORY_ERROR:
		return fail(c, VG_ENOMEM, 1, 1, "out of memory while parsing YAML");
	case YAML_READER_ERROR:
		offset_position(c, parser->problem_offset, &line, &col);
		if (parser->problem_value >= 0)
			return fail(c, VG_EPARSE, line, col, "%s (0x%02X)", problem,
				    (unsigned)parser->problem_value);
		return fail(c, VG_EPARSE, line, col, "%s", problem);
	default:
		if (!parser->context)
			return fail(c, VG_EPARSE, pm->line + 1, pm->column + 1, "%s", problem);
		if (pm->line == cm->line && pm->column == cm->column)
			return fail(c, VG_EPARSE, pm->line + 1, pm->column + 1, "%s %s", problem,
				    parser->context);
		/* the end of the file says little: point at what was left open, an unclosed
		 * quote or bracket */
		if (at_end(c, pm))
			return fail(c, VG_EPARSE, cm->line + 1, cm->column + 1,
				    "%s %s that is not closed", problem, parser->context);
		return fail(c, VG_EPARSE, pm->line + 1, pm->column + 1,
			    "%s (%s started at line %zu, column %zu)", problem, parser->context,
			    cm->line + 1, cm->column + 1);
	}
}

/* Counts n more nodes towards VG_MAX_YAML_NODES. */
static int count_nodes(struct composer *c, size_t n, const yaml_mark_t *m)
{
	if (n > VG_MAX_YAML_NODES || c->nodes > VG_MAX_YAML_NODES - n)
		return fail(c, VG_ELIMIT, m->line + 1, m->column + 1,
			    "document has more than %d nodes (aliases counted as the size of what "
			    "they refer to)", VG_MAX_YAML_NODES);
	c->nodes += n;
	return 0;
}

/* Makes a node at m with its explicit tag, if any. Reports its own errors. */
static int new_node(struct inode **out, struct composer *c, enum vg_ynode_type type,
		    const yaml_mark_t *m, const yaml_char_t *tag)
{
	const size_t plen = strlen(CORE_TAG_PREFIX);
	const char *t = (const char *)tag;
	struct inode *n = NULL;
	size_t tlen;

	*out = NULL;
	n = arena_zalloc(c->arena, sizeof(*n));
	if (!n)
		goto nomem;
	n->pub.type = type;
	n->pub.line = m->line + 1;
	n->pub.col = m->column + 1;
	if (t) {
		tlen = strlen(t);
		/* a long %TAG prefix on many short "!e!x" tags would multiply the input */
		if (tlen > VG_MAX_POLICY_BYTES - c->tag_bytes)
			return fail(c, VG_ELIMIT, m->line + 1, m->column + 1,
				    "tags add up to more than %u bytes once %%TAG prefixes are "
				    "applied", VG_MAX_POLICY_BYTES);
		c->tag_bytes += tlen;
		/* "!!str" is stored as written, not as libyaml's expansion */
		if (tlen >= plen && memcmp(t, CORE_TAG_PREFIX, plen) == 0) {
			char *s = arena_alloc(c->arena, tlen - plen + 3);

			if (!s)
				goto nomem;
			memcpy(s, "!!", 2);
			memcpy(s + 2, t + plen, tlen - plen + 1);
			n->pub.tag = s;
		} else {
			n->pub.tag = arena_strndup(c->arena, t, tlen);
			if (!n->pub.tag)
				goto nomem;
		}
	}
	*out = n;
	return 0;
nomem:
	return fail(c, VG_ENOMEM, m->line + 1, m->column + 1, "out of memory");
}

/* Records an anchor; a later definition of the same name replaces the earlier one. */
static int define_anchor(struct composer *c, const yaml_char_t *name, struct inode *n)
{
	struct anchor key = { .name = (char *)name };
	struct anchor *an = NULL;
	void *found;

	found = tfind(&key, &c->anchors, anchor_cmp);
	if (found) {
		(*(struct anchor **)found)->node = n;
		return 0;
	}
	an = calloc(1, sizeof(*an));
	if (!an)
		goto nomem;
	an->name = vg_strdup((const char *)name);
	an->node = n;
	if (!an->name)
		goto nomem;
	found = tsearch(an, &c->anchors, anchor_cmp);
	if (!found)
		goto nomem;
	return 0;
nomem:
	anchor_free(an);
	return fail(c, VG_ENOMEM, n->pub.line, n->pub.col, "out of memory");
}

/* Adds a finished node to the innermost open container, or makes it the root.
 * weight is what the node adds to its parent's size; m is where it occurs. */
static int attach(struct composer *c, struct inode *n, size_t weight, const yaml_mark_t *m)
{
	struct frame *f;

	if (c->depth == 0) {
		c->root = n;
		return 0;
	}
	f = &c->frames[c->depth - 1];
	if (f->node->pub.type == VG_YNODE_MAPPING && f->nkids % 2 == 0 &&
	    n->pub.type == VG_YNODE_SCALAR) {
		/* look up before inserting: an aliased key is the very node it repeats */
		void *found = tfind(&n->pub, &f->keys, key_cmp);
		char key[KEY_SHOWN_MAX + 4];

		if (found) {
			const struct vg_ynode *first = *(const struct vg_ynode **)found;

			shown(key, sizeof(key), n->pub.str, n->pub.len);
			return fail(c, VG_EPARSE, m->line + 1, m->column + 1,
				    "duplicate key '%s' (first at line %zu)", key, first->line);
		}
		if (!tsearch(&n->pub, &f->keys, key_cmp))
			return fail(c, VG_ENOMEM, m->line + 1, m->column + 1, "out of memory");
	}
	if (f->nkids == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 8;
		struct vg_ynode **k = vg_reallocarray(f->kids, ncap, sizeof(*k));

		if (!k)
			return fail(c, VG_ENOMEM, m->line + 1, m->column + 1, "out of memory");
		f->kids = k;
		f->cap = ncap;
	}
	f->kids[f->nkids++] = &n->pub;
	f->weight += weight;
	return 0;
}

static int on_scalar(struct composer *c, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	struct inode *n;
	int rc;

	rc = count_nodes(c, 1, m);
	if (rc)
		return rc;
	if (ev->data.scalar.length > VG_MAX_SCALAR_BYTES)
		return fail(c, VG_ELIMIT, m->line + 1, m->column + 1,
			    "scalar of %zu bytes is longer than the limit of %u bytes",
			    ev->data.scalar.length, VG_MAX_SCALAR_BYTES);
	rc = new_node(&n, c, VG_YNODE_SCALAR, m, ev->data.scalar.tag);
	if (rc)
		return rc;
	n->pub.str = arena_strndup(c->arena, (const char *)ev->data.scalar.value,
				   ev->data.scalar.length);
	if (!n->pub.str)
		return fail(c, VG_ENOMEM, m->line + 1, m->column + 1, "out of memory");
	n->pub.len = ev->data.scalar.length;
	switch (ev->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
	case YAML_LITERAL_SCALAR_STYLE:
	case YAML_FOLDED_SCALAR_STYLE:
		n->pub.quoted = true;
		break;
	default:
		break;
	}
	n->weight = 1;
	n->complete = true;
	if (ev->data.scalar.anchor) {
		rc = define_anchor(c, ev->data.scalar.anchor, n);
		if (rc)
			return rc;
	}
	return attach(c, n, 1, m);
}

static int on_alias(struct composer *c, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	struct anchor key = { .name = (char *)ev->data.alias.anchor };
	char name[KEY_SHOWN_MAX + 4];
	struct inode *target;
	void *found;
	int rc;

	if (c->aliases >= VG_MAX_YAML_ALIASES)
		return fail(c, VG_ELIMIT, m->line + 1, m->column + 1,
			    "document has more than %d aliases", VG_MAX_YAML_ALIASES);
	c->aliases++;
	found = tfind(&key, &c->anchors, anchor_cmp);
	shown(name, sizeof(name), key.name, strlen(key.name));
	if (!found)
		return fail(c, VG_EPARSE, m->line + 1, m->column + 1,
			    "alias '*%s' refers to no anchor (no '&%s' before it)", name, name);
	target = (*(struct anchor **)found)->node;
	if (!target->complete)
		return fail(c, VG_EPARSE, m->line + 1, m->column + 1,
			    "alias '*%s' refers to a node that contains it (recursive)", name);
	rc = count_nodes(c, target->weight, m);
	if (rc)
		return rc;
	return attach(c, target, target->weight, m);
}

static int on_start(struct composer *c, const yaml_event_t *ev, enum vg_ynode_type type)
{
	const yaml_mark_t *m = &ev->start_mark;
	const yaml_char_t *tag, *anchor;
	struct frame *f;
	struct inode *n;
	int rc;

	if (type == VG_YNODE_MAPPING) {
		tag = ev->data.mapping_start.tag;
		anchor = ev->data.mapping_start.anchor;
	} else {
		tag = ev->data.sequence_start.tag;
		anchor = ev->data.sequence_start.anchor;
	}
	if (c->depth >= VG_MAX_YAML_DEPTH)
		return fail(c, VG_ELIMIT, m->line + 1, m->column + 1,
			    "nesting deeper than %d levels", VG_MAX_YAML_DEPTH);
	rc = count_nodes(c, 1, m);
	if (rc)
		return rc;
	rc = new_node(&n, c, type, m, tag);
	if (rc)
		return rc;
	if (anchor) {
		rc = define_anchor(c, anchor, n);
		if (rc)
			return rc;
	}
	f = &c->frames[c->depth++];
	f->node = n;
	f->nkids = 0;
	f->weight = 1;
	f->keys = NULL;
	return 0;
}

static int on_end(struct composer *c)
{
	struct frame *f = &c->frames[c->depth - 1];
	struct inode *n = f->node;
	yaml_mark_t m = { .line = n->pub.line - 1, .column = n->pub.col - 1 };
	size_t bytes, i;

	tdestroy(f->keys, no_free);
	f->keys = NULL;
	if (n->pub.type == VG_YNODE_MAPPING) {
		size_t npairs = f->nkids / 2;

		if (npairs) {
			if (!vg_mul_size(&bytes, npairs, sizeof(*n->pub.pairs)))
				goto nomem;
			n->pub.pairs = arena_alloc(c->arena, bytes);
			if (!n->pub.pairs)
				goto nomem;
			for (i = 0; i < npairs; i++) {
				n->pub.pairs[i].key = f->kids[2 * i];
				n->pub.pairs[i].value = f->kids[2 * i + 1];
			}
		}
		n->pub.npairs = npairs;
	} else if (f->nkids) {
		if (!vg_mul_size(&bytes, f->nkids, sizeof(*n->pub.items)))
			goto nomem;
		n->pub.items = arena_alloc(c->arena, bytes);
		if (!n->pub.items)
			goto nomem;
		memcpy(n->pub.items, f->kids, bytes);
		n->pub.nitems = f->nkids;
	}
	n->weight = f->weight;
	n->complete = true;
	c->depth--;
	return attach(c, n, n->weight, &m);
nomem:
	return fail(c, VG_ENOMEM, n->pub.line, n->pub.col, "out of memory");
}

static int on_event(struct composer *c, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (c->docs++ > 0)
			return fail(c, VG_EPARSE, m->line + 1, m->column + 1,
				    "more than one document in the stream "
				    "(a second one starts here)");
		return 0;
	case YAML_SCALAR_EVENT:
		return on_scalar(c, ev);
	case YAML_ALIAS_EVENT:
		return on_alias(c, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_start(c, ev, VG_YNODE_SEQUENCE);
	case YAML_MAPPING_START_EVENT:
		return on_start(c, ev, VG_YNODE_MAPPING);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (c->depth == 0)
			return fail(c, VG_EPARSE, m->line + 1, m->column + 1,
				    "unbalanced YAML events");
		return on_end(c);
	default:
		return 0;
	}
}

int vg_ydoc_parse(struct vg_ydoc **out, const char *name, const char *data, size_t len,
		  struct vg_diags *diags, struct vg_error *err)
{
	struct composer c = { 0 };
	struct vg_ydoc *doc = NULL;
	yaml_parser_t parser;
	yaml_event_t ev;
	bool parser_ready = false;
	bool done = false;
	int rc = 0;

	memset(&ev, 0, sizeof(ev));
	c.name = name ? name : "<yaml>";
	/* libyaml miscounts columns after a BOM when the encoding is forced, so drop it here */
	if (data && len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	c.data = data;
	c.len = len;
	c.diags = diags;
	c.err = err;
	if (out)
		*out = NULL;
	if (!out || (!data && len))
		return vg_error_set(err, VG_ERROR,
				    "%s: no output or no data given to the YAML parser", c.name);
	if (len > VG_MAX_POLICY_BYTES) {
		rc = fail(&c, VG_ELIMIT, 1, 1,
			  "YAML input of %zu bytes is larger than the limit of %u bytes", len,
			  VG_MAX_POLICY_BYTES);
		goto out;
	}
	doc = calloc(1, sizeof(*doc));
	c.arena = calloc(1, sizeof(*c.arena));
	if (!doc || !c.arena) {
		free(doc);
		doc = NULL;
		rc = fail(&c, VG_ENOMEM, 1, 1, "out of memory");
		goto out;
	}
	doc->priv = c.arena;
	doc->name = arena_strndup(c.arena, c.name, strlen(c.name));
	if (!doc->name || !yaml_parser_initialize(&parser)) {
		rc = fail(&c, VG_ENOMEM, 1, 1, "out of memory");
		goto out;
	}
	parser_ready = true;
	yaml_parser_set_input_string(&parser, (const unsigned char *)(data ? data : ""), len);
	/* policies are UTF-8; a forced encoding also keeps reader offsets in input bytes */
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = libyaml_error(&c, &parser);
			goto out;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = on_event(&c, &ev);
		yaml_event_delete(&ev);
		if (rc)
			goto out;
	}
	doc->root = c.root ? &c.root->pub : NULL;
	*out = doc;
	doc = NULL;
out:
	yaml_event_delete(&ev);
	if (parser_ready)
		yaml_parser_delete(&parser);
	for (size_t i = 0; i < VG_MAX_YAML_DEPTH; i++) {
		tdestroy(c.frames[i].keys, no_free);
		free(c.frames[i].kids);
	}
	tdestroy(c.anchors, anchor_free);
	if (doc)
		vg_ydoc_free(doc);
	else if (rc && c.arena)
		arena_free(c.arena);
	return rc;
}

int vg_ydoc_load(struct vg_ydoc **out, const char *path, struct vg_diags *diags,
		 struct vg_error *err)
{
	struct vg_blob blob = { 0 };
	struct vg_error local = { 0 };
	struct vg_error *e = err ? err : &local;
	int rc;

	if (out)
		*out = NULL;
	rc = vg_file_read(path, VG_MAX_POLICY_BYTES, &blob, e);
	if (rc) {
		vg_diags_add(diags, path, 1, 1, "%s", e->msg);
		goto out;
	}
	rc = vg_ydoc_parse(out, path, blob.data, blob.len, diags, err);
out:
	vg_blob_finish(&blob);
	return rc;
}

void vg_ydoc_free(struct vg_ydoc *doc)
{
	if (!doc)
		return;
	arena_free(doc->priv);
	free(doc);
}

const struct vg_ynode *vg_ynode_get(const struct vg_ynode *map, const char *key)
{
	size_t klen;

	if (!map || !key || map->type != VG_YNODE_MAPPING)
		return NULL;
	klen = strlen(key);
	for (size_t i = 0; i < map->npairs; i++) {
		const struct vg_ynode *k = map->pairs[i].key;

		if (k->type == VG_YNODE_SCALAR && k->len == klen && memcmp(k->str, key, klen) == 0)
			return map->pairs[i].value;
	}
	return NULL;
}

/* A scalar that may be read as null, bool or number: unquoted and not tagged "!!str". */
static bool is_plain(const struct vg_ynode *n)
{
	return n && n->type == VG_YNODE_SCALAR && !n->quoted &&
	       !(n->tag && strcmp(n->tag, "!!str") == 0);
}

static bool is_text(const struct vg_ynode *n, const char *s)
{
	size_t l = strlen(s);

	return n->len == l && memcmp(n->str, s, l) == 0;
}

bool vg_ynode_is_null(const struct vg_ynode *n)
{
	if (!is_plain(n))
		return false;
	return n->len == 0 || is_text(n, "~") || is_text(n, "null") || is_text(n, "Null") ||
	       is_text(n, "NULL");
}

bool vg_ynode_as_bool(const struct vg_ynode *n, bool *out)
{
	bool v;

	if (!is_plain(n))
		return false;
	if (is_text(n, "true") || is_text(n, "True") || is_text(n, "TRUE"))
		v = true;
	else if (is_text(n, "false") || is_text(n, "False") || is_text(n, "FALSE"))
		v = false;
	else
		return false;
	if (out)
		*out = v;
	return true;
}

static int digit_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return 99;
}

bool vg_ynode_as_int(const struct vg_ynode *n, long long *out)
{
	/* LLONG_MAX without <limits.h>, which scanner/limits.h shadows on the include path */
	unsigned long long v = 0, limit = ~0ull >> 1;
	const char *s;
	size_t i = 0, len;
	unsigned base = 10;
	bool neg = false;

	if (!is_plain(n))
		return false;
	s = n->str;
	len = n->len;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
		base = s[1] == 'x' ? 16 : 8;
		i = 2;
	} else if (len >= 1 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len)
		return false;
	if (neg)
		limit++;
	for (; i < len; i++) {
		unsigned d = (unsigned)digit_value(s[i]);

		if (d >= base)
			return false;
		if (v > (limit - d) / base)
			return false;
		v = v * base + d;
	}
	if (out) {
		if (neg)
			*out = v == limit ? -(long long)(limit - 1) - 1 : -(long long)v;
		else
			*out = (long long)v;
	}
	return true;
}

const char *vg_ynode_kind(const struct vg_ynode *n)
{
	if (!n)
		return "null";
	switch (n->type) {
	case VG_YNODE_SEQUENCE:
		return "sequence";
	case VG_YNODE_MAPPING:
		return "mapping";
	default:
		return vg_ynode_is_null(n) ? "null" : "string";
	}
}
