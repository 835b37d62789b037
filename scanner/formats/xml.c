/* SPDX-License-Identifier: Apache-2.0 */
/* XML reading: the only user of libxml2, set up so a document never fetches or expands anything. */
#include "formats/xml.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "limits.h"
#include "util.h"

/* No NOENT (substitute entities), DTDLOAD, DTDATTR, DTDVALID, XINCLUDE or
 * HUGE (which would lift the depth and amplification limits). libxml2 2.9
 * has no XML_PARSE_NO_XXE: the refusing entity loader below stands in. */
#define PARSE_OPTIONS \
	(XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES)

#if LIBXML_VERSION >= 21200
typedef const xmlError *error_ptr;
#else
typedef xmlErrorPtr error_ptr;
#endif

/* xmlCtxtReadMemory takes an int size */
_Static_assert(VG_MAX_CONFIG_FILE_BYTES <= 0x7fffffff, "config cap must fit an int");

struct vg_xdoc {
	xmlDocPtr doc;
};

struct vg_xpath {
	char *expr;
	char **ns;   /* prefix, URI, prefix, URI, ... */
	size_t nns;
};

/* The first error libxml2 reported during one operation. */
struct capture {
	int code;
	int line;
	char msg[256];
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* Every external DTD, entity or document a parse would load ends here. */
static xmlParserInputPtr refuse_load(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

static void init_libxml(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(refuse_load);
}

static void quiet_generic(void *ud, const char *msg, ...)
{
	(void)ud;
	(void)msg;
}

static void quiet_structured(void *ud, error_ptr e)
{
	(void)ud;
	(void)e;
}

static void capture_error(void *ud, error_ptr e)
{
	struct capture *c = ud;
	size_t n;

	if (!c || !e || c->code || e->level == XML_ERR_WARNING)
		return;
	c->code = e->code ? e->code : -1;
	c->line = e->line;
	snprintf(c->msg, sizeof(c->msg), "%s", e->message ? e->message : "error");
	n = strlen(c->msg);
	while (n && (c->msg[n - 1] == '\n' || c->msg[n - 1] == ' '))
		c->msg[--n] = '\0';
}

/* libxml2's error handlers are per thread: keep this thread's quiet, so a
 * hostile document cannot write to our stderr. */
static void setup_thread(void)
{
	pthread_once(&init_once, init_libxml);
	xmlSetGenericErrorFunc(NULL, quiet_generic);
	xmlSetStructuredErrorFunc(NULL, quiet_structured);
}

int vg_xdoc_parse(struct vg_xdoc **out, const char *name, const char *data, size_t len,
		  struct vg_error *err)
{
	xmlParserCtxtPtr ctxt = NULL;
	struct vg_xdoc *d = NULL;
	xmlDocPtr doc = NULL;
	struct capture cap = {0};
	int rc = 0;

	*out = NULL;
	if (!name)
		name = "<xml>";
	if (len > VG_MAX_CONFIG_FILE_BYTES)
		return vg_error_set(err, VG_ELIMIT, "%s: larger than %u bytes", name,
				    VG_MAX_CONFIG_FILE_BYTES);
	setup_thread();
	ctxt = xmlNewParserCtxt();
	d = calloc(1, sizeof(*d));
	if (!ctxt || !d) {
		rc = vg_error_set(err, VG_ENOMEM, "%s: out of memory", name);
		goto out;
	}
	/* the first problem is the one worth showing: later ones tend to follow from it */
	xmlSetStructuredErrorFunc(&cap, capture_error);
	doc = xmlCtxtReadMemory(ctxt, data, (int)len, NULL, NULL, PARSE_OPTIONS);
	xmlSetStructuredErrorFunc(NULL, quiet_structured);
	if (!doc || !xmlDocGetRootElement(doc)) {
		if (!cap.code)
			capture_error(&cap, xmlCtxtGetLastError(ctxt));
		rc = vg_error_set(err, VG_EPARSE, "%s:%d: %s", name, cap.line > 0 ? cap.line : 1,
				  cap.code ? cap.msg : "not an XML document");
		goto out;
	}
	d->doc = doc;
	doc = NULL;
	*out = d;
	d = NULL;
out:
	xmlFreeDoc(doc);
	free(d);
	xmlFreeParserCtxt(ctxt);
	return rc;
}

void vg_xdoc_free(struct vg_xdoc *doc)
{
	if (!doc)
		return;
	xmlFreeDoc(doc->doc);
	free(doc);
}

static xmlXPathContextPtr new_context(xmlDocPtr doc, const struct vg_xpath *xp,
				      struct capture *cap)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);

	if (!ctx)
		return NULL;
	ctx->error = capture_error;
	ctx->userData = cap;
	ctx->opLimit = VG_XPATH_OP_LIMIT;
	ctx->opCount = 0;
	for (size_t i = 0; i < xp->nns; i++) {
		if (xmlXPathRegisterNs(ctx, (const xmlChar *)xp->ns[2 * i],
				       (const xmlChar *)xp->ns[2 * i + 1]) != 0) {
			xmlXPathFreeContext(ctx);
			return NULL;
		}
	}
	return ctx;
}

void vg_xpath_free(struct vg_xpath *xp)
{
	if (!xp)
		return;
	free(xp->expr);
	for (size_t i = 0; i < 2 * xp->nns; i++)
		free(xp->ns[i]);
	free(xp->ns);
	free(xp);
}

int vg_xpath_new(struct vg_xpath **out, const char *expr, char *const *ns, size_t nns,
		 struct vg_error *err)
{
	struct vg_xpath *xp = NULL;
	xmlXPathContextPtr ctx = NULL;
	xmlXPathCompExprPtr comp = NULL;
	struct capture cap = {0};
	size_t n;
	int rc = 0;

	*out = NULL;
	setup_thread();
	xp = calloc(1, sizeof(*xp));
	if (!xp || !vg_mul_size(&n, nns, 2) || !(xp->ns = vg_calloc(n ? n : 1, sizeof(char *))) ||
	    !(xp->expr = strdup(expr))) {
		rc = vg_error_set(err, VG_ENOMEM, "out of memory");
		goto out;
	}
	xp->nns = nns;
	for (size_t i = 0; i < n; i++) {
		if (!(xp->ns[i] = strdup(ns[i]))) {
			rc = vg_error_set(err, VG_ENOMEM, "out of memory");
			goto out;
		}
	}
	ctx = new_context(NULL, xp, &cap);
	if (!ctx) {
		rc = vg_error_set(err, VG_EPARSE, "cannot register the XPath namespaces");
		goto out;
	}
	comp = xmlXPathCtxtCompile(ctx, (const xmlChar *)expr);
	if (!comp) {
		rc = vg_error_set(err, VG_EPARSE, "invalid XPath '%s': %s", expr,
				  cap.code ? cap.msg : "cannot compile");
		goto out;
	}
	*out = xp;
	xp = NULL;
out:
	xmlXPathFreeCompExpr(comp);
	xmlXPathFreeContext(ctx);
	vg_xpath_free(xp);
	return rc;
}

const char *vg_xpath_source(const struct vg_xpath *xp)
{
	return xp->expr;
}

/* The XPath string value of the text below top, without ever entering an
 * entity reference (whose children are the entity's replacement). */
static int subtree_text(struct vg_buf *b, xmlNodePtr top)
{
	xmlNodePtr n = top->children;
	int rc;

	while (n) {
		if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content) {
			rc = vg_buf_puts(b, (const char *)n->content);
			if (rc < 0)
				return rc;
		} else if (n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		while (n != top && !n->next)
			n = n->parent;
		if (!n || n == top)
			break;
		n = n->next;
	}
	return 0;
}

static int node_value(struct vg_buf *b, xmlNodePtr n, size_t *line)
{
	long l;

	*line = 0;
	switch (n->type) {
	case XML_NAMESPACE_DECL: {
		xmlNsPtr ns = (xmlNsPtr)n;

		return ns->href ? vg_buf_puts(b, (const char *)ns->href) : 0;
	}
	case XML_ATTRIBUTE_NODE:
		l = n->parent ? xmlGetLineNo(n->parent) : -1;
		break;
	default:
		l = xmlGetLineNo(n);
		break;
	}
	*line = l > 0 ? (size_t)l : 0;
	switch (n->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
	case XML_COMMENT_NODE:
	case XML_PI_NODE:
		return n->content ? vg_buf_puts(b, (const char *)n->content) : 0;
	case XML_ELEMENT_NODE:
	case XML_ATTRIBUTE_NODE:
	case XML_DOCUMENT_NODE:
	case XML_DOCUMENT_FRAG_NODE:
		return subtree_text(b, n);
	default:
		return 0;
	}
}

static int emit(vg_xpath_fn fn, void *ud, const char *s, size_t line, struct vg_error *err)
{
	int rc;

	if (!s)
		return vg_error_set(err, VG_ENOMEM, "out of memory");
	rc = fn(ud, s, strlen(s), line);
	return rc;
}

int vg_xpath_eval(const struct vg_xdoc *doc, const struct vg_xpath *xp, bool all, vg_xpath_fn fn,
		  void *ud, struct vg_error *err)
{
	xmlXPathContextPtr ctx = NULL;
	xmlXPathObjectPtr obj = NULL;
	struct capture cap = {0};
	xmlChar *num = NULL;
	struct vg_buf b;
	int rc = 0;

	vg_buf_init(&b, VG_MAX_SCALAR_BYTES);
	setup_thread();
	ctx = new_context(doc->doc, xp, &cap);
	if (!ctx) {
		rc = vg_error_set(err, VG_ENOMEM, "out of memory");
		goto out;
	}
	obj = xmlXPathEvalExpression((const xmlChar *)xp->expr, ctx);
	if (!obj || cap.code) {
		bool limit = cap.code == XML_XPATH_EXPRESSION_OK + XPATH_OP_LIMIT_EXCEEDED ||
			     cap.code == XML_XPATH_EXPRESSION_OK + XPATH_RECURSION_LIMIT_EXCEEDED;

		rc = vg_error_set(err, limit ? VG_ELIMIT : VG_EPARSE, "XPath '%s': %s", xp->expr,
				  cap.code ? cap.msg : "evaluation failed");
		goto out;
	}
	switch (obj->type) {
	case XPATH_NODESET:
		for (int i = 0; obj->nodesetval && i < obj->nodesetval->nodeNr; i++) {
			size_t line;

			vg_buf_clear(&b);
			rc = node_value(&b, obj->nodesetval->nodeTab[i], &line);
			if (rc == VG_ELIMIT) {
				rc = vg_error_set(err, rc, "XPath '%s': a value is longer than %u "
						  "bytes", xp->expr, VG_MAX_SCALAR_BYTES);
				goto out;
			}
			if (rc < 0) {
				rc = vg_error_set(err, rc, "out of memory");
				goto out;
			}
			rc = emit(fn, ud, b.data ? b.data : "", line, err);
			if (rc || !all)
				goto out;
		}
		break;
	case XPATH_STRING:
		rc = emit(fn, ud, obj->stringval ? (const char *)obj->stringval : "", 0, err);
		break;
	case XPATH_BOOLEAN:
		rc = emit(fn, ud, obj->boolval ? "true" : "false", 0, err);
		break;
	case XPATH_NUMBER:
		num = xmlXPathCastNumberToString(obj->floatval);
		rc = emit(fn, ud, (const char *)num, 0, err);
		break;
	default:
		rc = vg_error_set(err, VG_EUNSUPPORTED, "XPath '%s': unsupported result type",
				  xp->expr);
		break;
	}
out:
	xmlFree(num);
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	vg_buf_finish(&b);
	return rc;
}
