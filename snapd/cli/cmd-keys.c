/* SPDX-License-Identifier: GPL-3.0-only */
#include "cmd.h"

/* Placeholders until the assertions issue lands these verbs; replaced, not kept. */
int sn_cmd_create_key(int argc, char **argv)
{
    (void)argc;
    return sn_cli_failf("\"%s\" is not implemented yet", argv[0]);
}

int sn_cmd_keys(int argc, char **argv)
{
    (void)argc;
    return sn_cli_failf("\"%s\" is not implemented yet", argv[0]);
}

int sn_cmd_export_key(int argc, char **argv)
{
    (void)argc;
    return sn_cli_failf("\"%s\" is not implemented yet", argv[0]);
}
