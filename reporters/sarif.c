/* SPDX-License-Identifier: Apache-2.0 */
/* The SARIF 2.1.0 reporter: one run that GitHub code scanning and other SARIF consumers accept. */
#include "reporter.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "limits.h"
#include "report_util.h"
#include "targets/fs.h"

#ifndef VG_VERSION
#define VG_VERSION "unknown"
#endif
#ifndef VG_INFORMATION_URI
#define VG_INFORMATION_URI "https://github.com/vigil-scanner/vigil"
#endif

#define SARIF_SCHEMA \
	"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#define SRCROOT "%SRCROOT%"
/* GitHub code scanning's limits: results per run, tags per rule. */
#define MAX_RESULTS 25000
#define MAX_TAGS 20
/* Tool notifications listed before one more says how many were left out. */
#define MAX_NOTIFICATIONS 5000

enum target_kind { TK_TREE, TK_ROOT, TK_HOST, TK_COUNT };

static const char *const kind_name[TK_COUNT] = { "tree", "root", "host" };

struct sarif {
	const struct vg_results *res;
	struct vg_report_index ix;
	size_t *results;         /* finding indices that become results, in order */
	size_t nresults;
	size_t ncandidates;      /* results before the cap */
	size_t *slot;            /* per ix rule: index in driver.rules, SIZE_MAX when unused */
	size_t nslots;
	char (*line_hash)[40];   /* per finding; empty when unknown */
	bool one_tree;           /* a single tree target whose root is known */
};

/* json_object_set_new steals v, and fails cleanly when v is NULL (ENOMEM). */
static int set(json_t *o, const char *key, json_t *v)
{
	return json_object_set_new(o, key, v) < 0 ? VG_ENOMEM : 0;
}

static int set_str(json_t *o, const char *key, const char *v)
{
	return v ? set(o, key, vg_json_str(v)) : 0;
}

static int push(json_t *a, json_t *v)
{
	return json_array_append_new(a, v) < 0 ? VG_ENOMEM : 0;
}

/* {"text": s} */
static json_t *text_obj(const char *s)
{
	json_t *o = json_object();

	if (o && set(o, "text", vg_json_str(s)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static enum target_kind target_kind(const char *label)
{
	if (label && !strcmp(label, "host"))
		return TK_HOST;
	if (label && !strncmp(label, "root:", 5))
		return TK_ROOT;
	return TK_TREE;
}

static const char *level_of(enum vg_severity s)
{
	if (s >= VG_SEV_HIGH)
		return "error";
	if (s == VG_SEV_MEDIUM)
		return "warning";
	return "note";
}

/* GitHub's scale: critical 9.0-10.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9. */
static double security_severity(const struct vg_rule_meta *m)
{
	static const double by_severity[VG_SEV_COUNT] = {
		[VG_SEV_INFO] = -1.0,
		[VG_SEV_LOW] = 2.0,
		[VG_SEV_MEDIUM] = 5.5,
		[VG_SEV_HIGH] = 8.0,
		[VG_SEV_CRITICAL] = 9.5,
	};

	if (isfinite(m->security_severity) && m->security_severity >= 0.0 &&
	    m->security_severity <= 10.0)
		return m->security_severity;
	return (unsigned)m->severity < VG_SEV_COUNT ? by_severity[m->severity] : -1.0;
}

static const char *rule_id(const struct vg_rule_meta *m)
{
	return m->id ? m->id : "";
}

static bool is_result(const struct vg_finding *f)
{
	return f->status == VG_STATUS_FAIL || f->status == VG_STATUS_WAIVED;
}

/* ---- rules ---- */

/* "secrets.aws.access-key-id" -> "SecretsAwsAccessKeyId": SARIF's friendly name. */
static json_t *pascal_name(const char *id)
{
	struct vg_buf b;
	bool up = true;
	json_t *j = NULL;

	vg_buf_init(&b, 0);
	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		unsigned char c = *p;
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');

		if (!alnum) {
			up = true;
			continue;
		}
		if (up && c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		up = false;
		if (vg_buf_putc(&b, (char)c) < 0)
			goto out;
	}
	j = json_string(b.len ? b.data : "Rule");
out:
	vg_buf_finish(&b);
	return j;
}

static bool has_tag(json_t *tags, const char *t)
{
	size_t i;
	json_t *v;

	json_array_foreach(tags, i, v)
		if (!strcmp(json_string_value(v), t))
			return true;
	return false;
}

static int add_tag(json_t *tags, const char *t)
{
	json_t *s;

	if (json_array_size(tags) >= MAX_TAGS)
		return 0;
	s = vg_json_str(t);
	if (!s)
		return VG_ENOMEM;
	if (has_tag(tags, json_string_value(s))) {
		json_decref(s);
		return 0;
	}
	return push(tags, s);
}

/* Whether t is "cwe-" (any case) followed by digits only. */
static bool is_cwe(const char *t)
{
	if (strncasecmp(t, "cwe-", 4) != 0 || !t[4])
		return false;
	for (const char *p = t + 4; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/* "security", GitHub's "external/cwe/cwe-N" form of CWE tags, then the rule's own. */
static json_t *tags_json(const struct vg_rule_meta *m)
{
	json_t *tags = json_array();
	size_t n = m->tags ? m->ntags : 0;
	int rc;

	if (!tags)
		return NULL;
	rc = add_tag(tags, "security");
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *t;

		if (!m->tags[i] || !is_cwe(m->tags[i]))
			continue;
		t = vg_asprintf("external/cwe/cwe-%s", m->tags[i] + 4);
		rc = t ? add_tag(tags, t) : VG_ENOMEM;
		free(t);
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		if (m->tags[i] && m->tags[i][0])
			rc = add_tag(tags, m->tags[i]);
	if (rc < 0) {
		json_decref(tags);
		return NULL;
	}
	return tags;
}

/* Whether s is an absolute http(s) URL made only of characters RFC 3986
 * allows, so it can go into helpUri (format "uri") as it is. */
static bool is_plain_url(const char *s)
{
	const char *p;

	if (!strncmp(s, "https://", 8))
		p = s + 8;
	else if (!strncmp(s, "http://", 7))
		p = s + 7;
	else
		return false;
	if (!*p || *p == '/')
		return false;
	for (; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && !strchr("-._~:/?#[]@!$&'()*+,;=%", *p))
			return false;
	return true;
}

/* The longest run of backticks in s, so a code fence can be longer. */
static size_t backtick_run(const char *s)
{
	size_t best = 0, cur = 0;

	for (; *s; s++) {
		cur = *s == '`' ? cur + 1 : 0;
		if (cur > best)
			best = cur;
	}
	return best;
}

/* The rule's help as plain text (markdown false) or GitHub markdown. */
static json_t *help_text(const struct vg_rule_meta *m, bool markdown)
{
	const char *bold = markdown ? "**" : "";
	struct vg_buf b;
	json_t *j = NULL;
	int rc = 0;

	vg_buf_init(&b, 0);
	rc = vg_buf_puts(&b, m->description ? m->description : m->title ? m->title : rule_id(m));
	if (rc == 0 && m->rationale)
		rc = vg_buf_printf(&b, "\n\n%sWhy it matters:%s %s", bold, bold, m->rationale);
	if (rc == 0 && m->remediation)
		rc = vg_buf_printf(&b, "\n\n%sRemediation:%s %s", bold, bold, m->remediation);
	if (rc == 0 && m->remediation_script) {
		size_t fence = backtick_run(m->remediation_script) + 1;
		size_t len = strlen(m->remediation_script);
		bool nl = len && m->remediation_script[len - 1] == '\n';

		if (fence < 3)
			fence = 3;
		if (!markdown) {
			rc = vg_buf_printf(&b, "\n\nRemediation script:\n%s",
					   m->remediation_script);
		} else {
			rc = vg_buf_printf(&b, "\n\n**Remediation script:**\n\n");
			for (size_t i = 0; i < fence && rc == 0; i++)
				rc = vg_buf_putc(&b, '`');
			if (rc == 0)
				rc = vg_buf_printf(&b, "sh\n%s%s", m->remediation_script,
						   nl ? "" : "\n");
			for (size_t i = 0; i < fence && rc == 0; i++)
				rc = vg_buf_putc(&b, '`');
		}
	}
	if (rc == 0 && m->references && m->nreferences) {
		rc = vg_buf_printf(&b, "\n\n%sReferences:%s", bold, bold);
		for (size_t i = 0; i < m->nreferences && rc == 0; i++)
			if (m->references[i])
				rc = vg_buf_printf(&b, "\n- %s", m->references[i]);
	}
	if (rc == 0)
		j = vg_json_str(b.data ? b.data : "");
	vg_buf_finish(&b);
	return j;
}

static json_t *rule_json(const struct vg_rule_meta *m)
{
	static const char *const precisions[] = { "very-high", "high", "medium", "low" };
	const char *title = m->title ? m->title : rule_id(m);
	const char *precision = "medium";
	double score = security_severity(m);
	json_t *o = json_object(), *help = json_object(), *conf = json_object();
	json_t *props = json_object();
	char num[16];

	if (!o || !help || !conf || !props)
		goto fail;
	for (size_t i = 0; m->precision && i < sizeof(precisions) / sizeof(*precisions); i++)
		if (!strcmp(m->precision, precisions[i]))
			precision = precisions[i];
	if (set(help, "text", help_text(m, false)) < 0 ||
	    set(help, "markdown", help_text(m, true)) < 0 ||
	    set(conf, "level", json_string(level_of(m->severity))) < 0 ||
	    set(props, "tags", tags_json(m)) < 0 ||
	    set(props, "precision", json_string(precision)) < 0)
		goto fail;
	if (score >= 0.0) {
		snprintf(num, sizeof(num), "%.1f", score);
		if (set(props, "security-severity", json_string(num)) < 0)
			goto fail;
	}
	if (set(o, "id", vg_json_str(rule_id(m))) < 0 ||
	    set(o, "name", pascal_name(rule_id(m))) < 0 ||
	    set(o, "shortDescription", text_obj(title)) < 0 ||
	    set(o, "fullDescription", text_obj(m->description ? m->description : title)) < 0)
		goto fail;
	for (size_t i = 0; m->references && i < m->nreferences; i++) {
		if (!m->references[i] || !is_plain_url(m->references[i]))
			continue;
		if (set(o, "helpUri", json_string(m->references[i])) < 0)
			goto fail;
		break;
	}
	/* set() takes each over, even when it fails */
	if (set(o, "help", json_incref(help)) < 0 ||
	    set(o, "defaultConfiguration", json_incref(conf)) < 0 ||
	    set(o, "properties", json_incref(props)) < 0)
		goto fail;
	json_decref(help);
	json_decref(conf);
	json_decref(props);
	return o;
fail:
	json_decref(o);
	json_decref(help);
	json_decref(conf);
	json_decref(props);
	return NULL;
}

/* ---- locations ---- */

/* path without leading "/" and "./" runs. */
static const char *relative(const char *path)
{
	for (;;) {
		if (path[0] == '/')
			path++;
		else if (path[0] == '.' && path[1] == '/')
			path += 2;
		else
			return path;
	}
}

/* Whether a tree target's label names the file the finding is in, rather
 * than a directory: a file target's findings carry its base name as path. */
static bool label_is_file(const char *label, const char *path)
{
	size_t ll = strlen(label), pl = strlen(path);

	if (!strcmp(label, path))
		return true;
	return ll > pl && label[ll - pl - 1] == '/' && !strcmp(label + ll - pl, path);
}

/* Appends the percent-encoded URI of f's file relative to %SRCROOT% to b.
 * With one tree target, paths are already relative to its root; with several
 * they are prefixed with their target; root and host paths are absolute
 * inside the system and become relative to its "/". */
static int file_uri(struct vg_buf *b, const struct sarif *s, const struct vg_finding *f)
{
	const char *path = f->loc.path, *label = f->target ? f->target : "";
	char *joined = NULL;
	int rc;

	if (!s->one_tree && target_kind(label) == TK_TREE && label[0]) {
		size_t dirlen = strlen(label);

		if (label_is_file(label, path)) {
			const char *slash = strrchr(label, '/');

			dirlen = slash ? (size_t)(slash - label) : 0;
		}
		if (dirlen && !(dirlen == 1 && label[0] == '.')) {
			joined = vg_asprintf("%.*s/%s", (int)dirlen, label, relative(path));
			if (!joined)
				return VG_ENOMEM;
			path = joined;
		}
	}
	rc = vg_uri_encode(b, relative(path), true);
	free(joined);
	return rc;
}

/* A stable stand-in for a finding that is not about a file, under .vigil/:
 * ".vigil/host/sysctl/net.ipv4.ip_forward". */
static int pseudo_uri(struct vg_buf *b, const struct vg_finding *f)
{
	const char *obj = f->loc.object, *colon;
	int rc = vg_buf_printf(b, ".vigil/%s/", kind_name[target_kind(f->target)]);

	if (rc < 0)
		return rc;
	if (!obj || !obj[0]) {
		rc = vg_buf_puts(b, "rule/");
		return rc < 0 ? rc : vg_uri_encode(b, f->rule && f->rule->id ? f->rule->id : "rule",
						   false);
	}
	colon = strchr(obj, ':');
	if (colon && colon != obj && colon[1]) {
		char *type = vg_strndup(obj, (size_t)(colon - obj));

		if (!type)
			return VG_ENOMEM;
		rc = vg_uri_encode(b, type, false);
		free(type);
		if (rc == 0)
			rc = vg_buf_putc(b, '/');
		return rc < 0 ? rc : vg_uri_encode(b, colon + 1, false);
	}
	rc = vg_buf_puts(b, "object/");
	return rc < 0 ? rc : vg_uri_encode(b, obj, false);
}

static json_t *region_json(const struct vg_location *loc)
{
	json_t *o = json_object();
	size_t line = loc->line ? loc->line : 1;
	size_t col = loc->line && loc->col ? loc->col : 1;
	size_t end_line = loc->end_line ? loc->end_line : line;

	if (!o)
		return NULL;
	if (set(o, "startLine", json_integer((json_int_t)line)) < 0 ||
	    set(o, "startColumn", json_integer((json_int_t)col)) < 0)
		goto fail;
	if (loc->line && loc->end_line >= line &&
	    set(o, "endLine", json_integer((json_int_t)loc->end_line)) < 0)
		goto fail;
	/* endColumn is exclusive: it must come after the start on a one-line region */
	if (loc->line && loc->end_col && end_line >= line &&
	    (end_line > line || loc->end_col > col) &&
	    set(o, "endColumn", json_integer((json_int_t)loc->end_col)) < 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* "net.ipv4.ip_forward" of "sysctl:net.ipv4.ip_forward". */
static const char *object_name(const char *object)
{
	const char *colon = strchr(object, ':');

	return colon && colon[1] ? colon + 1 : object;
}

static json_t *logical_json(const char *object)
{
	json_t *a = json_array(), *o = json_object();
	const char *name = object_name(object);

	if (!a || !o || set(o, "name", vg_json_str(name)) < 0 ||
	    set(o, "fullyQualifiedName", vg_json_str(object)) < 0 || push(a, json_incref(o)) < 0) {
		json_decref(a);
		json_decref(o);
		return NULL;
	}
	json_decref(o);
	return a;
}

/* The one location of a result: the file, or a pseudo-path and the object. */
static json_t *location_json(const struct sarif *s, const struct vg_finding *f, bool region)
{
	json_t *loc = json_object(), *phys = json_object(), *art = json_object();
	struct vg_buf uri;
	int rc = VG_ENOMEM;

	vg_buf_init(&uri, 0);
	if (!loc || !phys || !art)
		goto out;
	if (f->loc.path && f->loc.path[0] && relative(f->loc.path)[0])
		rc = file_uri(&uri, s, f);
	else
		rc = pseudo_uri(&uri, f);
	if (rc < 0)
		goto out;
	rc = VG_ENOMEM;
	if (set(art, "uri", json_string(uri.data ? uri.data : "")) < 0 ||
	    set(art, "uriBaseId", json_string(SRCROOT)) < 0 ||
	    set(phys, "artifactLocation", json_incref(art)) < 0 ||
	    (region && set(phys, "region", region_json(&f->loc)) < 0) ||
	    set(loc, "physicalLocation", json_incref(phys)) < 0)
		goto out;
	if (f->loc.object && f->loc.object[0] &&
	    set(loc, "logicalLocations", logical_json(f->loc.object)) < 0)
		goto out;
	rc = 0;
out:
	vg_buf_finish(&uri);
	json_decref(art);
	json_decref(phys);
	if (rc < 0) {
		json_decref(loc);
		return NULL;
	}
	return loc;
}

/* ---- GitHub line hashes ---- */

struct hash_req {
	const char *path;
	size_t line;
	size_t finding;
};

static int cmp_req(const void *a, const void *b)
{
	const struct hash_req *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	return (x->line > y->line) - (x->line < y->line);
}

/* Hashes the wanted lines of one file; a file that cannot be read (gone,
 * changed into something else, too large) simply gets no hashes. */
static int hash_file(struct sarif *s, struct vg_fs *fs, const struct hash_req *reqs, size_t n)
{
	struct vg_line_want *want = vg_calloc(n, sizeof(*want));
	struct vg_blob blob = {0};
	struct vg_error err = {0};
	int rc;

	if (!want)
		return VG_ENOMEM;
	/* larger files were not scanned by default, and GitHub computes missing hashes itself */
	if (vg_fs_read(fs, relative(reqs[0].path), VG_DEFAULT_MAX_FILE_SIZE, &blob, &err) < 0) {
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		want[i].line = reqs[i].line;
	rc = vg_line_hashes(blob.data, blob.len, want, n);
	for (size_t i = 0; i < n && rc == 0; i++)
		memcpy(s->line_hash[reqs[i].finding], want[i].hash, sizeof(want[i].hash));
out:
	vg_blob_finish(&blob);
	free(want);
	return rc;
}

/* primaryLocationLineHash for results in files of a tree whose root is
 * known; the file is read through the scanned tree's confinement. */
static int compute_line_hashes(struct sarif *s)
{
	const struct vg_results *res = s->res;
	struct hash_req *reqs = NULL;
	struct vg_fs *fs = NULL;
	struct vg_error err = {0};
	size_t n = 0;
	int rc = 0;

	if (!s->one_tree)
		return 0;
	reqs = vg_calloc(s->nresults, sizeof(*reqs));
	if (s->nresults && !reqs)
		return VG_ENOMEM;
	for (size_t i = 0; i < s->nresults; i++) {
		const struct vg_finding *f = res->findings.items[s->results[i]];

		if (!f->loc.path || !relative(f->loc.path)[0])
			continue;
		reqs[n++] = (struct hash_req){ f->loc.path, f->loc.line ? f->loc.line : 1,
					       s->results[i] };
	}
	if (!n || vg_fs_open(&fs, res->root, VG_FS_BENEATH, &err) < 0)
		goto out;
	qsort(reqs, n, sizeof(*reqs), cmp_req);
	for (size_t i = 0, start = 0; i <= n && rc == 0; i++) {
		if (i < n && strcmp(reqs[i].path, reqs[start].path) == 0)
			continue;
		rc = hash_file(s, fs, reqs + start, i - start);
		start = i;
	}
out:
	vg_fs_free(fs);
	free(reqs);
	return rc;
}

/* ---- results ---- */

/* The message: the finding's own one line as a sentence that stands alone,
 * then, for facts that are not files, which object it is about. */
static json_t *message_json(const struct vg_finding *f, const struct vg_rule_meta *m)
{
	const char *msg = f->message && f->message[0] ? f->message
			  : m->title ? m->title : rule_id(m);
	size_t len = strlen(msg);
	struct vg_buf b;
	json_t *o = NULL;
	int rc;

	while (len && (msg[len - 1] == ' ' || msg[len - 1] == '\n' || msg[len - 1] == '\t'))
		len--;
	vg_buf_init(&b, 0);
	rc = vg_buf_append(&b, msg, len);
	if (rc == 0 && (!len || !strchr(".!?", msg[len - 1])))
		rc = vg_buf_putc(&b, '.');
	/* say which object, unless the message already names it */
	if (rc == 0 && f->loc.object && f->loc.object[0] &&
	    !strstr(msg, object_name(f->loc.object)))
		rc = vg_buf_printf(&b, " Object: %s.", f->loc.object);
	if (rc == 0)
		o = text_obj(b.data);
	vg_buf_finish(&b);
	return o;
}

static json_t *suppressions_json(const struct vg_finding *f)
{
	static const char *const fallback[] = {
		[VG_SUPPRESS_NONE] = "waived",
		[VG_SUPPRESS_WAIVER] = "waived",
		[VG_SUPPRESS_BASELINE] = "in the baseline",
		[VG_SUPPRESS_INLINE] = "allowed by an inline marker",
		[VG_SUPPRESS_IGNORE] = "listed in .vigilignore",
	};
	enum vg_suppression why = (unsigned)f->suppression <= VG_SUPPRESS_IGNORE ? f->suppression
										 : VG_SUPPRESS_NONE;
	json_t *a = json_array(), *o = json_object();

	if (!a || !o ||
	    set(o, "kind", json_string(why == VG_SUPPRESS_INLINE ? "inSource" : "external")) < 0 ||
	    set(o, "status", json_string("accepted")) < 0 ||
	    set(o, "justification", vg_json_str(f->justification && f->justification[0]
						  ? f->justification : fallback[why])) < 0 ||
	    push(a, json_incref(o)) < 0) {
		json_decref(a);
		json_decref(o);
		return NULL;
	}
	json_decref(o);
	return a;
}

static json_t *result_props(const struct vg_finding *f, const struct vg_rule_meta *m)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	/* evidence of a secret is there only redacted (unless --show-secrets said otherwise) */
	if (set_str(o, "target", f->target) < 0 ||
	    set(o, "status", json_string(vg_status_name(f->status))) < 0 ||
	    (f->evidence && (!m->sensitive || f->redacted) &&
	     set_str(o, "evidence", f->evidence) < 0) ||
	    set_str(o, "commit", f->commit) < 0 ||
	    set_str(o, "author", f->author) < 0 ||
	    set_str(o, "date", f->date) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *result_json(const struct sarif *s, size_t fi)
{
	const struct vg_finding *f = s->res->findings.items[fi];
	size_t r = s->ix.rule_of[fi];
	const struct vg_rule_meta *m = s->ix.rules[r];
	json_t *o = json_object(), *locs = json_array(), *fps = json_object();

	if (!o || !locs || !fps)
		goto fail;
	if (push(locs, location_json(s, f, true)) < 0 ||
	    (f->fingerprint[0] && set(fps, "vigil/v1", vg_json_str(f->fingerprint)) < 0) ||
	    (s->line_hash[fi][0] &&
	     set(fps, "primaryLocationLineHash", json_string(s->line_hash[fi])) < 0))
		goto fail;
	if (set(o, "ruleId", vg_json_str(rule_id(m))) < 0 ||
	    set(o, "ruleIndex", json_integer((json_int_t)s->slot[r])) < 0 ||
	    set(o, "level", json_string(level_of(f->severity))) < 0 ||
	    set(o, "message", message_json(f, m)) < 0 ||
	    set(o, "locations", json_incref(locs)) < 0 ||
	    set(o, "partialFingerprints", json_incref(fps)) < 0)
		goto fail;
	if (vg_finding_suppressed(f) && set(o, "suppressions", suppressions_json(f)) < 0)
		goto fail;
	if (set(o, "properties", result_props(f, m)) < 0)
		goto fail;
	json_decref(locs);
	json_decref(fps);
	return o;
fail:
	json_decref(o);
	json_decref(locs);
	json_decref(fps);
	return NULL;
}

/* ---- notifications ---- */

static json_t *notification(const char *level, const char *text)
{
	json_t *o = json_object();

	if (!o || set(o, "level", json_string(level)) < 0 ||
	    set(o, "message", text_obj(text)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* An error or not-evaluated finding: something vigil could not check. */
static json_t *finding_notification(const struct sarif *s, size_t fi)
{
	const struct vg_finding *f = s->res->findings.items[fi];
	const struct vg_rule_meta *m = s->ix.rules[s->ix.rule_of[fi]];
	bool error = f->status == VG_STATUS_ERROR;
	char *text = NULL;
	json_t *o = NULL, *rule = json_object(), *locs = json_array();

	text = vg_asprintf("%s%s: %s", rule_id(m), error ? "" : " was not evaluated",
			   f->message ? f->message : m->title ? m->title : "no reason given");
	o = text ? notification(error ? "error" : "warning", text) : NULL;
	if (!o || !rule || !locs || set(rule, "id", vg_json_str(rule_id(m))) < 0 ||
	    set(o, "associatedRule", json_incref(rule)) < 0)
		goto fail;
	if ((f->loc.path && f->loc.path[0]) || (f->loc.object && f->loc.object[0])) {
		if (push(locs, location_json(s, f, false)) < 0 ||
		    set(o, "locations", json_incref(locs)) < 0)
			goto fail;
	}
	free(text);
	json_decref(rule);
	json_decref(locs);
	return o;
fail:
	free(text);
	json_decref(o);
	json_decref(rule);
	json_decref(locs);
	return NULL;
}

static int notifications(json_t *a, const struct sarif *s)
{
	const struct vg_results *res = s->res;
	size_t listed = 0, left_out = 0;
	char *text = NULL;
	int rc = 0;

	for (size_t i = 0; i < res->errors.len && rc == 0; i++) {
		if (listed >= MAX_NOTIFICATIONS) {
			left_out++;
			continue;
		}
		rc = push(a, notification("error", res->errors.items[i] ? res->errors.items[i]
					  : "scan error"));
		listed++;
	}
	for (size_t i = 0; i < res->findings.len && rc == 0; i++) {
		const struct vg_finding *f = res->findings.items[i];

		if (f->status != VG_STATUS_ERROR && f->status != VG_STATUS_NOT_EVALUATED)
			continue;
		if (listed >= MAX_NOTIFICATIONS) {
			left_out++;
			continue;
		}
		rc = push(a, finding_notification(s, i));
		listed++;
	}
	if (rc == 0 && left_out) {
		text = vg_asprintf("%zu more errors and not-evaluated rules are not listed here; "
				   "the JSON report has them all.", left_out);
		rc = text ? push(a, notification("warning", text)) : VG_ENOMEM;
	}
	if (rc == 0 && s->ncandidates > s->nresults) {
		free(text);
		text = vg_asprintf("Only the first %zu of %zu results are included: GitHub code "
				   "scanning accepts at most %d results per run. The most severe "
				   "come first; the JSON report has them all.",
				   s->nresults, s->ncandidates, MAX_RESULTS);
		rc = text ? push(a, notification("warning", text)) : VG_ENOMEM;
	}
	free(text);
	return rc;
}

/* ---- the run ---- */

static bool scan_succeeded(const struct vg_results *res)
{
	if (res->errors.len)
		return false;
	for (size_t i = 0; i < res->findings.len; i++)
		if (((const struct vg_finding *)res->findings.items[i])->status == VG_STATUS_ERROR)
			return false;
	return true;
}

static json_t *invocation_json(const struct sarif *s)
{
	json_t *a = json_array(), *o = json_object(), *notes = json_array();
	char start[32], end[32];

	vg_report_time(start, s->res->started, true);
	vg_report_time(end, s->res->finished, true);
	if (!a || !o || !notes || notifications(notes, s) < 0 ||
	    set(o, "executionSuccessful", json_boolean(scan_succeeded(s->res))) < 0 ||
	    set(o, "startTimeUtc", json_string(start)) < 0 ||
	    set(o, "endTimeUtc", json_string(end)) < 0 ||
	    set(o, "toolExecutionNotifications", json_incref(notes)) < 0 ||
	    push(a, json_incref(o)) < 0) {
		json_decref(a);
		a = NULL;
	}
	json_decref(o);
	json_decref(notes);
	return a;
}

/* "vigil/tree/", "vigil/host/", "vigil/tree+host/strict/": GitHub keeps the
 * latest upload per category, so scans of different kinds or profiles must
 * not replace each other's alerts. */
static json_t *automation_json(const struct vg_results *res)
{
	bool kinds[TK_COUNT] = {0};
	bool any = false;
	struct vg_buf b;
	json_t *o = NULL;
	int rc;

	for (size_t i = 0; res->targets && i < res->ntargets; i++)
		kinds[target_kind(res->targets[i])] = true;
	vg_buf_init(&b, 0);
	rc = vg_buf_puts(&b, "vigil/");
	for (int k = 0; k < TK_COUNT && rc == 0; k++) {
		if (!kinds[k])
			continue;
		rc = vg_buf_printf(&b, "%s%s", any ? "+" : "", kind_name[k]);
		any = true;
	}
	if (rc == 0 && !any)
		rc = vg_buf_puts(&b, "tree");
	if (rc == 0)
		rc = vg_buf_putc(&b, '/');
	if (rc == 0 && res->profile && res->profile[0]) {
		rc = vg_uri_encode(&b, res->profile, false);
		if (rc == 0)
			rc = vg_buf_putc(&b, '/');
	}
	o = rc == 0 ? json_object() : NULL;
	if (o && set(o, "id", json_string(b.data)) < 0) {
		json_decref(o);
		o = NULL;
	}
	vg_buf_finish(&b);
	return o;
}

/* %SRCROOT%: the scanned directory as a file URI when it is known. */
static json_t *base_ids_json(const struct vg_results *res)
{
	const char *dir = NULL;
	json_t *ids = json_object(), *root = json_object();
	struct vg_buf b;
	int rc = 0;

	vg_buf_init(&b, 0);
	if (res->root && res->root[0] == '/')
		dir = res->root;
	else if (res->ntargets == 1 && target_kind(res->targets[0]) == TK_HOST)
		dir = "/";
	else if (res->ntargets == 1 && target_kind(res->targets[0]) == TK_ROOT &&
		 res->targets[0][5] == '/')
		dir = res->targets[0] + 5;
	if (!ids || !root)
		goto fail;
	if (dir) {
		size_t len = strlen(dir);

		rc = vg_buf_puts(&b, "file://");
		if (rc == 0)
			rc = vg_uri_encode(&b, dir, true);
		if (rc == 0 && (!len || dir[len - 1] != '/'))
			rc = vg_buf_putc(&b, '/');
		if (rc < 0 || set(root, "uri", json_string(b.data)) < 0)
			goto fail;
	}
	if (set(root, "description", text_obj("The root of what vigil scanned")) < 0 ||
	    set(ids, SRCROOT, json_incref(root)) < 0)
		goto fail;
	json_decref(root);
	vg_buf_finish(&b);
	return ids;
fail:
	json_decref(ids);
	json_decref(root);
	vg_buf_finish(&b);
	return NULL;
}

static json_t *driver_json(const struct sarif *s)
{
	const char *version = s->res->tool_version ? s->res->tool_version : VG_VERSION;
	json_t *d = json_object(), *rules = json_array();

	if (!d || !rules)
		goto fail;
	for (size_t r = 0; r < s->ix.nrules; r++)
		if (s->slot[r] != SIZE_MAX && push(rules, rule_json(s->ix.rules[r])) < 0)
			goto fail;
	if (set(d, "name", json_string("vigil")) < 0 ||
	    set(d, "version", vg_json_str(version)) < 0 ||
	    set(d, "semanticVersion", vg_json_str(version)) < 0 ||
	    set(d, "informationUri", json_string(VG_INFORMATION_URI)) < 0 ||
	    set(d, "rules", json_incref(rules)) < 0)
		goto fail;
	json_decref(rules);
	return d;
fail:
	json_decref(d);
	json_decref(rules);
	return NULL;
}

static json_t *str_array(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && v && i < n; i++) {
		if (push(a, vg_json_str(v[i] ? v[i] : "")) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *run_props(const struct vg_results *res)
{
	json_t *o = json_object();

	if (!o || set(o, "targets", str_array(res->targets, res->ntargets)) < 0 ||
	    set(o, "policies", str_array(res->policies, res->npolicies)) < 0 ||
	    set_str(o, "profile", res->profile) < 0 ||
	    set(o, "failOn", json_string(res->fail_on_none ? "none"
					 : vg_severity_name(res->fail_on))) < 0 ||
	    set(o, "exitCode", json_integer(vg_results_exit_code(res))) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *run_json(const struct sarif *s)
{
	json_t *run = json_object(), *tool = json_object(), *results = json_array();

	if (!run || !tool || !results)
		goto fail;
	for (size_t i = 0; i < s->nresults; i++)
		if (push(results, result_json(s, s->results[i])) < 0)
			goto fail;
	if (set(tool, "driver", driver_json(s)) < 0 ||
	    set(run, "tool", json_incref(tool)) < 0 ||
	    set(run, "automationDetails", automation_json(s->res)) < 0 ||
	    set(run, "originalUriBaseIds", base_ids_json(s->res)) < 0 ||
	    set(run, "invocations", invocation_json(s)) < 0 ||
	    set(run, "results", json_incref(results)) < 0 ||
	    set(run, "properties", run_props(s->res)) < 0)
		goto fail;
	json_decref(tool);
	json_decref(results);
	return run;
fail:
	json_decref(run);
	json_decref(tool);
	json_decref(results);
	return NULL;
}

static json_t *log_json(const struct sarif *s)
{
	json_t *log = json_object(), *runs = json_array();

	if (!log || !runs || set(log, "$schema", json_string(SARIF_SCHEMA)) < 0 ||
	    set(log, "version", json_string("2.1.0")) < 0 || push(runs, run_json(s)) < 0 ||
	    set(log, "runs", json_incref(runs)) < 0) {
		json_decref(log);
		log = NULL;
	}
	json_decref(runs);
	return log;
}

/* Picks the results (at most MAX_RESULTS, the most severe first as the
 * findings are sorted) and numbers the rules they use. */
static int prepare(struct sarif *s, const struct vg_results *res)
{
	int rc;

	s->res = res;
	if ((rc = vg_report_index_init(&s->ix, res)) < 0)
		return rc;
	s->results = vg_calloc(res->findings.len, sizeof(*s->results));
	s->line_hash = vg_calloc(res->findings.len, sizeof(*s->line_hash));
	s->slot = vg_calloc(s->ix.nrules, sizeof(*s->slot));
	if ((res->findings.len && (!s->results || !s->line_hash)) || (s->ix.nrules && !s->slot))
		return VG_ENOMEM;
	for (size_t r = 0; r < s->ix.nrules; r++)
		s->slot[r] = SIZE_MAX;
	for (size_t i = 0; i < res->findings.len; i++) {
		if (!is_result(res->findings.items[i]))
			continue;
		s->ncandidates++;
		if (s->nresults < MAX_RESULTS)
			s->results[s->nresults++] = i;
	}
	/* driver.rules in index order, so the numbering does not depend on findings' order */
	for (size_t i = 0; i < s->nresults; i++)
		s->slot[s->ix.rule_of[s->results[i]]] = 0;
	for (size_t r = 0; r < s->ix.nrules; r++)
		if (s->slot[r] != SIZE_MAX)
			s->slot[r] = s->nslots++;
	s->one_tree = res->root && res->ntargets == 1 && target_kind(res->targets[0]) == TK_TREE;
	return compute_line_hashes(s);
}

static int sarif_write(FILE *out, const struct vg_results *res, const struct vg_report_opts *opts,
		       struct vg_error *err)
{
	struct sarif s = {0};
	json_t *log = NULL;
	int rc;

	rc = prepare(&s, res);
	if (rc == 0) {
		log = log_json(&s);
		if (!log)
			rc = VG_ENOMEM;
	}
	if (rc < 0) {
		rc = vg_error_set(err, rc, "building the SARIF report: %s", vg_error_name(rc));
		goto out;
	}
	errno = 0;
	if (json_dumpf(log, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 ||
	    fputc('\n', out) == EOF || fflush(out) != 0 || ferror(out)) {
		rc = vg_error_set(err, VG_EIO, "writing the SARIF report: %s",
				  errno ? strerror(errno) : "write error");
		goto out;
	}
out:
	json_decref(log);
	vg_report_index_finish(&s.ix);
	free(s.results);
	free(s.line_hash);
	free(s.slot);
	return rc;
}

const struct vg_reporter_impl vg_reporter_sarif = {
	.name = "sarif",
	.extension = "sarif",
	.write = sarif_write,
};
