/* SPDX-License-Identifier: GPL-3.0-only */
#include "cmd.h"

/* Placeholder until the owning issue lands this verb; replaced, not kept. */
int sn_cmd_sign(int argc, char **argv)
{
    (void)argc;
    return sn_cli_failf("\"%s\" is not implemented yet", argv[0]);
}
