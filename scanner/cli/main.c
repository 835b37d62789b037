/* SPDX-License-Identifier: Apache-2.0 */
/* The vigil executable. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
	return vg_cli_main(argc, argv);
}
