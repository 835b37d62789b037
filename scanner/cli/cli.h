/* SPDX-License-Identifier: Apache-2.0 */
/* The vigil command line: one function per subcommand, each returning the process exit code. */
#ifndef VG_CLI_H
#define VG_CLI_H

#include <stdio.h>

/* Exit codes, stable for CI gates. */
enum {
	VG_EXIT_OK = 0,         /* nothing at or above the --fail-on threshold */
	VG_EXIT_FINDINGS = 1,   /* failures at or above the threshold */
	VG_EXIT_ERROR = 2,      /* the scan could not be completed as asked */
};

int vg_cli_scan(int argc, char **argv);
int vg_cli_rules(int argc, char **argv);
int vg_cli_baseline(int argc, char **argv);
/* Entry point used by main() and by tests: argv[0] is the program name. */
int vg_cli_main(int argc, char **argv);

/* Prints "vigil: error: MESSAGE" to stderr. */
void vg_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vg_cli_print_usage(FILE *out);

/* For an option (a getopt_long result, name as given) that no case of the
 * command took: -h prints the usage and gives exit 0; a missing value or an
 * unknown option is an error (exit 2), with a hint at `vigil CMD --help`
 * when cmd is not NULL. */
int vg_cli_other_option(int opt, const char *name, const char *cmd);

#endif
