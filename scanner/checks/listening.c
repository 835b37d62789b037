/* SPDX-License-Identifier: Apache-2.0 */
/* The `listening` check: ports that must not (or must) listen, and the allowed open ports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check.h"
#include "checks/hits.h"
#include "facts/listening.h"

enum addr_scope {
	SCOPE_ANY,      /* any address but loopback (default) */
	SCOPE_ALL,      /* loopback too */
	SCOPE_WILDCARD, /* only 0.0.0.0 and :: */
};

enum proto { P_ANY, P_TCP, P_UDP };

struct listening_cfg {
	unsigned *ports;    /* port mode */
	size_t nports;
	bool expect_present;
	unsigned *allowed;  /* allowed mode */
	size_t nallowed;
	bool allowed_mode;
	enum proto proto;
	enum addr_scope scope;
};

static const struct vg_field fields[] = {
	{"port", VG_FIELD_STRINGS, false},  {"allowed_ports", VG_FIELD_ANY, false},
	{"protocol", VG_FIELD_STRING, false}, {"address", VG_FIELD_STRING, false},
	{"expect", VG_FIELD_STRING, false}, {NULL, 0, false},
};

static void listening_free(void *p)
{
	struct listening_cfg *c = p;

	if (!c)
		return;
	free(c->ports);
	free(c->allowed);
	free(c);
}

static bool parse_port(const char *s, unsigned *out)
{
	int64_t v;

	if (!vg_parse_i64(s, 10, &v) || v < 1 || v > 65535)
		return false;
	*out = (unsigned)v;
	return true;
}

/* A list of ports from key: a scalar or a sequence (an empty sequence is an
 * allowed set with nothing in it). */
static int port_list(struct vg_pctx *pc, const struct vg_ynode *node, const char *key,
		     unsigned **out, size_t *n)
{
	const struct vg_ynode *v = vg_pctx_value(pc, vg_ynode_get(node, key));
	char **strs = NULL;
	size_t count = 0;
	int rc = 0;

	if (v && v->type == VG_YNODE_SEQUENCE && v->nitems == 0) {
		*out = NULL;
		*n = 0;
		return 0;
	}
	if (v && v->type == VG_YNODE_MAPPING) {
		vg_pctx_error(pc, v, "'%s' is a port or a list of ports", key);
		return VG_EPARSE;
	}
	strs = vg_pctx_strv(pc, node, key, &count);
	if (!strs)
		return VG_EPARSE;
	*out = vg_calloc(count + 1, sizeof(**out));
	if (!*out) {
		vg_strv_free(strs);
		return VG_ENOMEM;
	}
	for (size_t i = 0; i < count && rc == 0; i++) {
		if (!parse_port(strs[i], &(*out)[i])) {
			vg_pctx_error(pc, v, "'%s' is not a port number (1-65535)", strs[i]);
			rc = VG_EPARSE;
		}
	}
	*n = count;
	vg_strv_free(strs);
	return rc;
}

static int listening_parse(void **out, struct vg_pctx *pc, const struct vg_ynode *node)
{
	struct listening_cfg *c = NULL;
	const char *s;
	int rc = VG_EPARSE;

	if (!vg_pctx_check_fields(pc, node, fields))
		return VG_EPARSE;
	c = calloc(1, sizeof(*c));
	if (!c)
		return VG_ENOMEM;
	if (!!vg_ynode_get(node, "port") == !!vg_ynode_get(node, "allowed_ports")) {
		vg_pctx_error(pc, node, "a listening check needs either 'port' or 'allowed_ports'");
		goto out;
	}
	if (vg_ynode_get(node, "port")) {
		if ((rc = port_list(pc, node, "port", &c->ports, &c->nports)) < 0)
			goto out;
		rc = VG_EPARSE;
		if (!c->nports) {
			vg_pctx_error(pc, vg_ynode_get(node, "port"),
				      "port needs at least one port");
			goto out;
		}
		s = vg_pctx_str(pc, node, "expect");
		if (s && strcmp(s, "absent") && strcmp(s, "present")) {
			vg_pctx_error(pc, vg_ynode_get(node, "expect"),
				      "expect is 'absent' or 'present'");
			goto out;
		}
		c->expect_present = s && !strcmp(s, "present");
	} else {
		c->allowed_mode = true;
		if ((rc = port_list(pc, node, "allowed_ports", &c->allowed, &c->nallowed)) < 0)
			goto out;
		rc = VG_EPARSE;
		if (vg_ynode_get(node, "expect")) {
			vg_pctx_error(pc, vg_ynode_get(node, "expect"),
				      "'expect' goes with 'port'");
			goto out;
		}
	}
	s = vg_pctx_str(pc, node, "protocol");
	if (!s || !strcmp(s, "any"))
		c->proto = P_ANY;
	else if (!strcmp(s, "tcp"))
		c->proto = P_TCP;
	else if (!strcmp(s, "udp"))
		c->proto = P_UDP;
	else {
		vg_pctx_error(pc, vg_ynode_get(node, "protocol"), "protocol is tcp, udp or any");
		goto out;
	}
	s = vg_pctx_str(pc, node, "address");
	if (!s || !strcmp(s, "any"))
		c->scope = SCOPE_ANY;
	else if (!strcmp(s, "all"))
		c->scope = SCOPE_ALL;
	else if (!strcmp(s, "wildcard"))
		c->scope = SCOPE_WILDCARD;
	else {
		vg_pctx_error(pc, vg_ynode_get(node, "address"),
			      "address is any (every address but loopback), all, or wildcard");
		goto out;
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	listening_free(c);
	return rc;
}

static bool in_scope(const struct listening_cfg *c, const struct vg_socket *s)
{
	bool tcp = !strncmp(s->proto, "tcp", 3);

	if ((c->proto == P_TCP && !tcp) || (c->proto == P_UDP && tcp))
		return false;
	switch (c->scope) {
	case SCOPE_ALL:
		return true;
	case SCOPE_WILDCARD:
		return vg_listening_is_wildcard(s);
	case SCOPE_ANY:
		break;
	}
	return !vg_listening_is_loopback(s);
}

static bool has_port(const unsigned *v, size_t n, unsigned port)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == port)
			return true;
	return false;
}

static int push_socket_hit(struct vg_outcome *out, const struct vg_listening *l,
			   const struct vg_socket *s, const char *why)
{
	char addr[64], obj[128], owner[200], ev[400], msg[600];
	bool dup = false;

	vg_listening_addr(s, addr, sizeof(addr));
	snprintf(obj, sizeof(obj), "listening:%s:%s%s%s:%u", s->proto, s->v6 ? "[" : "", addr,
		 s->v6 ? "]" : "", s->port);
	/* several sockets on one address and port (SO_REUSEPORT) are one finding */
	for (size_t i = 0; i < out->hits.len && !dup; i++) {
		const struct vg_finding *f = out->hits.items[i];

		dup = f->loc.object && !strcmp(f->loc.object, obj);
	}
	if (dup)
		return 0;
	/* the owner only describes the finding; not knowing it is said, never guessed */
	if (s->pid)
		snprintf(owner, sizeof(owner), "%s, pid %ld", s->process ? s->process : "?",
			 s->pid);
	else if (l->procs_unlisted)
		snprintf(owner, sizeof(owner), "owner not determined: /proc could not be listed");
	else if (l->unreadable)
		snprintf(owner, sizeof(owner), "owner not determined: permission denied reading "
			 "/proc/PID/fd of %zu process%s", l->unreadable,
			 l->unreadable == 1 ? "" : "es");
	else
		snprintf(owner, sizeof(owner), "owner not determined: no process visible in /proc "
			 "holds the socket");
	snprintf(ev, sizeof(ev), "%s %s%s%s:%u (%s)", s->proto, s->v6 ? "[" : "", addr,
		 s->v6 ? "]" : "", s->port, s->pid ? owner : "owner not determined");
	snprintf(msg, sizeof(msg), "%s port %u listens on %s (%s)%s", s->proto, s->port, addr,
		 owner, why);
	return vg_hits_add(out, NULL, 0, 0, obj, msg, ev, obj);
}

static int listening_evaluate(const void *cfg, struct vg_leaf_state *st,
			      const struct vg_eval_ctx *ev, struct vg_outcome *out)
{
	const struct listening_cfg *c = cfg;
	const struct vg_listening *l = NULL;
	const void *facts = NULL;
	struct vg_error err = {0};
	size_t found = 0;
	int rc;

	(void)st;
	rc = vg_facts_get(ev->facts, &vg_collector_listening, ev->target, &facts, &err);
	if (rc == VG_ENOMEM)
		return rc;
	if (rc < 0) {
		vg_facts_outcome(out, rc, &err);
		return 0;
	}
	l = facts;
	for (size_t i = 0; i < l->sockets.len && rc == 0; i++) {
		const struct vg_socket *s = l->sockets.items[i];

		if (!in_scope(c, s))
			continue;
		if (c->allowed_mode) {
			if (!has_port(c->allowed, c->nallowed, s->port))
				rc = push_socket_hit(out, l, s, ": not an allowed port");
		} else if (has_port(c->ports, c->nports, s->port)) {
			found++;
			if (!c->expect_present)
				rc = push_socket_hit(out, l, s, "");
		}
	}
	if (rc < 0)
		return rc;
	if (!c->allowed_mode && c->expect_present && !found) {
		char obj[64], msg[200];

		snprintf(obj, sizeof(obj), "listening:%u", c->ports[0]);
		snprintf(msg, sizeof(msg), "nothing listens on port %u", c->ports[0]);
		if (vg_hits_add(out, NULL, 0, 0, obj, msg, "not listening", obj) < 0)
			return VG_ENOMEM;
	}
	if (out->hits.len)
		out->status = VG_STATUS_FAIL;
	return 0;
}

const struct vg_check_impl vg_check_listening = {
	.name = "listening",
	.targets = VG_TARGET_HOST | VG_TARGET_ROOT,
	.offline = false,
	.summary = "listening TCP/UDP sockets of the live host (/proc/net), with their processes",
	.parse = listening_parse,
	.free = listening_free,
	.evaluate = listening_evaluate,
};
