/* SPDX-License-Identifier: GPL-3.0-only */
/* snapd: parses its arguments and runs the daemon library. The root comes from SNAPPY_GLOBAL_ROOT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "daemon.h"
#include "log.h"

static void usage(FILE *f)
{
    fputs("Usage: snapd [--help] [--version]\n"
          "\n"
          "The microsnap daemon. It serves snapd's REST API on $SNAPPY_GLOBAL_ROOT/run/snapd.socket\n"
          "and keeps its state in $SNAPPY_GLOBAL_ROOT/var/lib/snapd/state.db. SIGTERM stops it.\n",
          f);
}

int main(int argc, char **argv)
{
    sn_log_set_program("snapd");
    sn_log_init_from_env();
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("snapd %s\n", SN_VERSION);
            return 0;
        }
        fprintf(stderr, "snapd: unknown argument: %s\n", argv[i]);
        usage(stderr);
        return 2;
    }

    SnDaemonOptions opts = {.root = secure_getenv("SNAPPY_GLOBAL_ROOT")};
    SnError *err = NULL;
    int r = sn_daemon_run(&opts, &err);
    if (r < 0) {
        sn_log_error("%s", sn_error_message(err, r));
        sn_error_free(err);
        return 1;
    }
    return 0;
}
