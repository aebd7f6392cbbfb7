/* SPDX-License-Identifier: GPL-3.0-only */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

typedef struct DebugVerb {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} DebugVerb;

static const DebugVerb debug_verbs[] = {
    {"verify-assertions", sn_cmd_debug_verify_assertions, "Verify assertions offline against trusted roots"},
    {"sandbox-features", sn_cmd_debug_sandbox_features, "Print sandbox features available on the system"},
};

int sn_cmd_debug(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        printf("Usage: snap debug <command> [<options>...]\n\nCommands:\n");
        for (size_t i = 0; i < SN_ELEMENTSOF(debug_verbs); i++)
            printf("  %-20s %s\n", debug_verbs[i].name, debug_verbs[i].summary);
        return argc < 2 ? 1 : 0;
    }
    for (size_t i = 0; i < SN_ELEMENTSOF(debug_verbs); i++)
        if (strcmp(debug_verbs[i].name, argv[1]) == 0)
            return debug_verbs[i].run(argc - 1, argv + 1);
    return sn_cli_failf("unknown command \"%s\", see 'snap debug --help'.", argv[1]);
}
