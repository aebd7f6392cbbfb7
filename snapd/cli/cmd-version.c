/* SPDX-License-Identifier: GPL-3.0-only */
/* `snap version`: the client's version and, from GET /v2/system-info, the daemon's. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "client-util.h"
#include "client.h"
#include "cmd.h"
#include "config.h"

static const char version_help[] = "Usage:\n"
                                   "  snap version [version-OPTIONS]\n"
                                   "\n"
                                   "The version command displays the versions of the running client, server,\n"
                                   "and operating system.\n"
                                   "\n"
                                   "[version command options]\n"
                                   "      --verbose          Show verbose output\n";

int sn_cmd_version(int argc, char **argv)
{
    static const struct option options[] = {
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    bool verbose = false;
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) >= 0;) {
        switch (c) {
        case 'v':
            verbose = true;
            break;
        case 'h':
            fputs(version_help, stdout);
            return 0;
        default:
            return sn_cli_unknown_flag(argv);
        }
    }
    if (optind < argc)
        return sn_cli_failf("too many arguments for command");

    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    json_t *info = NULL;
    /* snapd: any failure to ask the daemon is "unavailable", never an error. */
    if (sn_client_sync(client, "GET", "/v2/system-info", NULL, NULL, &info, NULL) < 0)
        info = NULL;

    SnTable t = SN_TABLE_INIT;
    sn_table_printf(&t, "snap\t%s\n", SN_VERSION);
    if (info) {
        json_t *osr = json_object_get(info, "os-release");
        const char *s;
        sn_table_printf(&t, "snapd\t%s\n", (s = json_string_value(json_object_get(info, "version"))) ? s : "");
        sn_table_printf(&t, "series\t%s\n", (s = json_string_value(json_object_get(info, "series"))) ? s : "");
        if (json_is_true(json_object_get(info, "on-classic"))) {
            const char *id = json_string_value(json_object_get(osr, "id"));
            const char *vid = json_string_value(json_object_get(osr, "version-id"));
            sn_table_printf(&t, "%s\t%s\n", id ? id : "", vid && *vid ? vid : "-");
        }
        if ((s = json_string_value(json_object_get(info, "kernel-version"))) && *s)
            sn_table_printf(&t, "kernel\t%s\n", s);
        if ((s = json_string_value(json_object_get(info, "architecture"))) && *s)
            sn_table_printf(&t, "architecture\t%s\n", s);
    } else {
        sn_table_printf(&t, "snapd\tunavailable\nseries\t-\n");
    }
    if (verbose) {
        const char *from = json_string_value(json_object_get(info, "snapd-bin-from"));
        sn_table_printf(&t, "snapd-bin-from\t%s\n", from && *from ? from : "-");
        sn_table_printf(&t, "snap-bin-from\tnative-package\n");
    }
    json_decref(info);
    int r = sn_table_flush(&t, stdout);
    sn_table_done(&t);
    return r < 0 ? 1 : 0;
}
