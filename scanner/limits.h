/* SPDX-License-Identifier: Apache-2.0 */
/* Every cap on untrusted input lives here, so they can be reviewed in one place. */
#ifndef VG_LIMITS_H
#define VG_LIMITS_H

/* Policies */
#define VG_MAX_POLICY_BYTES (8u * 1024 * 1024)  /* one policy or waiver file */
#define VG_MAX_POLICY_FILES 4096                /* files under one --policy DIR */
#define VG_MAX_YAML_DEPTH 64                    /* nesting of mappings/sequences */
#define VG_MAX_YAML_NODES 1000000               /* nodes in one document, aliases expanded */
#define VG_MAX_YAML_ALIASES 10000               /* alias references in one document */
#define VG_MAX_SCALAR_BYTES (1024u * 1024)      /* one scalar value */
#define VG_MAX_RULES 20000                      /* rules across all packs */
#define VG_MAX_DIAGS 200                        /* policy errors kept for one report */
#define VG_MAX_PROFILE_DEPTH 16                 /* `extends` chain */
#define VG_MAX_VARS 1024

/* Regular expressions (PCRE2) */
#define VG_MAX_REGEX_BYTES 8192                 /* pattern source */
#define VG_REGEX_MATCH_LIMIT 1000000u           /* pcre2_set_match_limit, plus: */
#define VG_REGEX_MATCH_PER_BYTE 16u             /* per byte of subject left to search */
#define VG_REGEX_DEPTH_LIMIT 10000u             /* pcre2_set_depth_limit */
#define VG_REGEX_HEAP_LIMIT_KIB 20480u          /* pcre2_set_heap_limit */
#define VG_REGEX_JIT_STACK_MAX (1024u * 1024)   /* per thread */

/* Files and trees */
#define VG_DEFAULT_MAX_FILE_SIZE (10ull * 1024 * 1024) /* --max-file-size default */
#define VG_MAX_FILE_SIZE_CAP (4ull * 1024 * 1024 * 1024) /* highest --max-file-size */
#define VG_MAX_CONFIG_FILE_BYTES (16u * 1024 * 1024)   /* a config file read by a collector */
#define VG_MAX_CONFIG_LINE_BYTES (64u * 1024)   /* one line of a config file a collector parses */
#define VG_MAX_CONFIG_TOTAL_BYTES (64u * 1024 * 1024) /* one config with all its includes */
#define VG_MAX_INCLUDE_DEPTH 16                 /* nested Include directives (sshd allows 16) */
#define VG_MAX_INCLUDE_FILES 1024               /* files one config pulls in through Include */
#define VG_MAX_CONFIG_ENTRIES 200000               /* settings one collector keeps from a target */
#define VG_MAX_CONFIG_DEPTH 256                 /* nesting in a JSON or XML config file */
#define VG_MAX_CONFIG_NODES 1000000             /* values in one JSON config file */
#define VG_XPATH_OP_LIMIT 10000000ul            /* libxml2 XPath operations per evaluation */
#define VG_MAX_PATH_BYTES 4096
#define VG_MAX_WALK_DEPTH 256                   /* directory nesting */
#define VG_DEFAULT_SWEEP_ENTRIES 1000000        /* entries a filesystem sweep looks at */
#define VG_MAX_SWEEP_ENTRIES 100000000         /* highest max_files a rule may ask for */
#define VG_MAX_GLOB_MATCHES 100000              /* paths one glob may expand to */
#define VG_MAX_DIR_ENTRIES 1000000              /* names listed from one directory */
#define VG_MAX_GLOB_READS 1000000               /* listings and lookups one glob may make */
#define VG_MAX_LINE_BYTES (1024u * 1024)        /* a line shown as evidence is cut here */
#define VG_BINARY_SNIFF_BYTES 8192              /* bytes inspected to call a file binary */

/* Findings */
#define VG_MAX_FINDINGS_PER_RULE 10000          /* then one note says more were dropped */
#define VG_MAX_EVIDENCE_BYTES 512               /* evidence text kept per finding */
#define VG_MAX_QUOTE_BYTES 200                  /* a value quoted in a message or reason */
#define VG_MAX_JOBS 256

/* Secrets engine */
#define VG_MAX_PREFILTER_STATES 32768          /* Aho-Corasick states (all keywords) */
#define VG_MAX_ANCHOR_CANDIDATES (1u << 18)    /* a file's anchor hits kept; past it, whole-file regexes */

/* Saved results (vigil report) */
#define VG_MAX_RESULTS_BYTES (256u * 1024 * 1024) /* one results JSON file read back */

#endif
