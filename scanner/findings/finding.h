/* SPDX-License-Identifier: Apache-2.0 */
/* Findings and scan results: what evaluation produces and every reporter consumes. */
#ifndef VG_FINDING_H
#define VG_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util.h"

enum vg_severity {
	VG_SEV_INFO = 0,
	VG_SEV_LOW,
	VG_SEV_MEDIUM,
	VG_SEV_HIGH,
	VG_SEV_CRITICAL,
};
#define VG_SEV_COUNT 5

enum vg_status {
	VG_STATUS_FAIL = 0,
	VG_STATUS_PASS,
	VG_STATUS_ERROR,
	VG_STATUS_NOT_EVALUATED,  /* could not look (e.g. missing privileges) */
	VG_STATUS_NOT_APPLICABLE, /* the rule does not apply to this target */
	VG_STATUS_WAIVED,         /* a failure suppressed by a waiver */
};
#define VG_STATUS_COUNT 6

/* Why a failure does not count (reported, but not gating). */
enum vg_suppression {
	VG_SUPPRESS_NONE = 0,
	VG_SUPPRESS_WAIVER,   /* --waivers: status is VG_STATUS_WAIVED */
	VG_SUPPRESS_BASELINE, /* --baseline */
	VG_SUPPRESS_INLINE,   /* a marker on the line, e.g. "vigil:allow" */
	VG_SUPPRESS_IGNORE,   /* .vigilignore */
};

/* "info", "low", ... and back. parse returns false for unknown names. */
const char *vg_severity_name(enum vg_severity s);
bool vg_severity_parse(const char *s, enum vg_severity *out);
/* "fail", "pass", "error", "not-evaluated", "not-applicable", "waived". */
const char *vg_status_name(enum vg_status s);
bool vg_status_parse(const char *s, enum vg_status *out);
const char *vg_suppression_name(enum vg_suppression s);
bool vg_suppression_parse(const char *s, enum vg_suppression *out);

/* What reporters need to know about a rule; owned by the policy (vg_rule
 * embeds one) or, for re-rendered results, by vg_results. */
struct vg_rule_meta {
	char *id;
	char *pack;
	char *title;
	char *description;
	char *rationale;
	char *remediation;        /* text */
	char *remediation_script; /* shell script, or NULL */
	char **tags;
	size_t ntags;
	char **references;
	size_t nreferences;
	enum vg_severity severity; /* effective, after profile overrides */
	double security_severity;  /* SARIF 0.0-10.0, < 0 when the rule sets none */
	char *precision;           /* SARIF precision, or NULL */
	bool sensitive;            /* evidence is a secret: redacted */
	char *source;              /* "file:line" of the rule, or NULL */
};

void vg_rule_meta_finish(struct vg_rule_meta *m);

/* Where a finding is. A file location has path; a non-file fact has object
 * (and may also have the path of the file that persists it). */
struct vg_location {
	char *path;       /* relative to the scanned tree, or absolute inside a root/host */
	size_t line;      /* 1-based; 0 when unknown */
	size_t col;
	size_t end_line;
	size_t end_col;   /* exclusive column of the end, 1-based */
	char *object;     /* e.g. "sysctl:net.ipv4.ip_forward", or NULL */
};

struct vg_finding {
	const struct vg_rule_meta *rule; /* borrowed */
	enum vg_status status;
	enum vg_severity severity;       /* = rule->severity */
	char *target;                    /* the target's label: a path, "host", "root:DIR" */
	struct vg_location loc;
	char *message;                   /* one line */
	char *evidence;                  /* already redacted unless --show-secrets; may be NULL */
	bool redacted;
	char fingerprint[33];            /* 32 hex digits, stable when unrelated lines move */
	enum vg_suppression suppression;
	char *justification;             /* waiver reason etc., or NULL */
	/* git provenance (history scans), each NULL when not from git */
	char *commit;
	char *author;
	char *date;
	/* Evaluation-time only, never reported: the key the fingerprint is made
	 * from (the secret or matched text) and the secret's span inside evidence
	 * (secret_len 0: the whole evidence when the rule is sensitive). The engine
	 * fingerprints, redacts and clears these before findings leave it. */
	char *raw_key;
	size_t raw_key_len;
	size_t secret_off;
	size_t secret_len;
};

struct vg_finding *vg_finding_new(void);
void vg_finding_free(struct vg_finding *f);

/* Computes f->fingerprint from rule id, target-relative path or object, and
 * the normalized evidence key (the secret or matched text; whitespace runs
 * collapsed). The line number does not take part. key may be NULL. */
void vg_finding_fingerprint(struct vg_finding *f, const char *key, size_t keylen);

/* Redacts a secret for display: keeps a short prefix (at most 4 bytes, at most
 * a quarter of the secret) then "****". Returns a new string or NULL on ENOMEM. */
char *vg_redact(const char *secret, size_t len);

/* A file or object left unscanned, and why. */
struct vg_skip {
	char *path;
	char *reason; /* "binary", "larger than --max-file-size (12 MiB > 10 MiB)", "fifo" ... */
};

/* Everything one scan produced. */
struct vg_results {
	char *tool_version;
	time_t started;
	time_t finished;
	char **targets;       /* labels of what was scanned */
	size_t ntargets;
	char *profile;        /* or NULL */
	char **policies;      /* pack ids with versions, "secrets@1.0" */
	size_t npolicies;
	char *root;           /* absolute path of the scanned root for %SRCROOT% (tree scans), or NULL */
	struct vg_vec rules;    /* struct vg_rule_meta *, rules that were evaluated */
	bool owns_rules;        /* true when rules were loaded from JSON */
	struct vg_vec findings; /* struct vg_finding *, sorted by vg_results_sort */
	struct vg_vec skipped;  /* struct vg_skip * */
	struct vg_vec errors;   /* char *: scan-level errors (the scan was not complete) */
	uint64_t files_scanned;
	uint64_t bytes_scanned;
	enum vg_severity fail_on;
	bool fail_on_none;      /* --fail-on none */
};

struct vg_results *vg_results_new(void);
void vg_results_free(struct vg_results *r);
/* Sorts findings: severity (highest first), rule id, path, line, column, object. */
void vg_results_sort(struct vg_results *r);

/* Counts by status and, for failures that count (not suppressed), by severity. */
struct vg_counts {
	size_t status[VG_STATUS_COUNT];
	size_t fail_by_severity[VG_SEV_COUNT];
	size_t suppressed;
};
void vg_results_count(const struct vg_results *r, struct vg_counts *out);

/* Exit code: 2 when errors exist (scan-level, or findings with status error),
 * else 1 when an unsuppressed failure is at or above fail_on, else 0. */
int vg_results_exit_code(const struct vg_results *r);

#endif
