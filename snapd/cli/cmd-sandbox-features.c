/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap debug sandbox-features [--required=BACKEND:FEATURE...]
 *
 * snapd's verb (cmd/snap/cmd_sandbox_features.go): prints what this kernel lets confinement enforce,
 * one "backend: tags" line per backend (policy/sandbox-features.h), or checks that each --required
 * tag is there. snapd asks the daemon (/v2/system-info); this probes the kernel itself, as the daemon
 * does, so it works without a daemon.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "sandbox-features.h"
#include "strutil.h"

static const char sandbox_help[] = "Usage:\n"
                                   "  snap debug sandbox-features [sandbox-features-OPTIONS]\n"
                                   "\n"
                                   "The sandbox command prints tags describing features of individual sandbox\n"
                                   "components used by snapd on a given system.\n"
                                   "\n"
                                   "[sandbox-features command options]\n"
                                   "      --required=<backend feature>    Ensure that given backend:feature is\n"
                                   "                                      available\n";

int sn_cmd_debug_sandbox_features(int argc, char **argv)
{
    static const struct option options[] = {
        {"required", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    _sn_strv_free_ char **required = NULL;
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "+h", options, NULL)) >= 0;) {
        switch (c) {
        case 'R':
            if (sn_strv_push(&required, optarg) < 0)
                return sn_cli_failf("out of memory");
            break;
        case 'h':
            fputs(sandbox_help, stdout);
            return 0;
        default:
            return sn_cli_failf("unknown flag `%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return sn_cli_failf("too many arguments for command");
    SnSandboxProbe p = {0};
    if (sn_sandbox_probe(NULL, -1, &p) < 0)
        return sn_cli_failf("out of memory");
    int ret = 0;
    if (required) {
        for (char **r = required; *r && ret == 0; r++)
            if (!sn_sandbox_has_feature(&p, *r))
                ret = sn_cli_failf("sandbox feature not available: \"%s\"", *r);
    } else {
        _sn_free_ char *out = sn_sandbox_features_format(&p);
        if (!out)
            ret = sn_cli_failf("out of memory");
        else
            fputs(out, stdout);
    }
    sn_sandbox_probe_done(&p);
    return ret;
}
