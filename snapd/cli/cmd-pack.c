/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap pack [--check-skeleton] [--filename=NAME] [--compression=xz|lzo|zstd] [<snap-dir>] [<target-dir>]
 *
 * snapd's verb (cmd/snap/cmd_pack.go), packing in-process. Options and messages are snapd's.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "snap-pack.h"
#include "strutil.h"

static const char pack_help[] = "Usage:\n"
                                "  snap pack [pack-OPTIONS] [<snap-dir>] [<target-dir>]\n"
                                "\n"
                                "The pack command packs the given snap-dir as a snap and writes the result to\n"
                                "target-dir. If target-dir is omitted, the result is written to current\n"
                                "directory. If both source-dir and target-dir are omitted, the pack command packs\n"
                                "the current directory.\n"
                                "\n"
                                "The default file name for a snap can be derived entirely from its snap.yaml, but\n"
                                "in some situations it's simpler for a script to feed the filename in. In those\n"
                                "cases, --filename can be given to override the default. If this filename is\n"
                                "not absolute it will be taken as relative to target-dir.\n"
                                "\n"
                                "When used with --check-skeleton, pack only checks whether snap-dir contains\n"
                                "valid snap metadata and raises an error otherwise. Application commands listed\n"
                                "in snap metadata file, but appearing with incorrect permission bits result in an\n"
                                "error. Commands that are missing from snap-dir are listed in diagnostic\n"
                                "messages.\n"
                                "\n"
                                "The output is reproducible: the build time and every file's time come from\n"
                                "SOURCE_DATE_EPOCH (0 when unset).\n"
                                "\n"
                                "[pack command options]\n"
                                "      --check-skeleton     Validate snap-dir metadata only\n"
                                "      --filename=          Output to this filename (default:\n"
                                "                           <name>_<version>_<architecture>.snap)\n"
                                "      --compression=       Compression to use (xz, lzo or zstd)\n";

static void log_stderr(const char *message, void *userdata)
{
    (void)userdata;
    fprintf(stderr, "%s\n", message);
}

/* SOURCE_DATE_EPOCH (reproducible-builds.org): the time written into the image; 0 when unset. */
static int source_date_epoch(uint32_t *ret)
{
    const char *s = secure_getenv("SOURCE_DATE_EPOCH");
    uint64_t v = 0;
    if (s && *s && (sn_parse_u64(s, &v) < 0 || v > UINT32_MAX))
        return sn_cli_failf("invalid SOURCE_DATE_EPOCH \"%s\": want seconds since 1970 (at most %u)", s,
                            (unsigned)UINT32_MAX);
    *ret = (uint32_t)v;
    return 0;
}

int sn_cmd_pack(int argc, char **argv)
{
    static const struct option options[] = {
        {"check-skeleton", no_argument, NULL, 'k'},
        {"filename", required_argument, NULL, 'f'},
        {"compression", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    bool arg_check_skeleton = false;
    const char *arg_filename = NULL, *arg_compression = NULL;

    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "+h", options, NULL)) >= 0;) {
        switch (c) {
        case 'k':
            arg_check_skeleton = true;
            break;
        case 'f':
            arg_filename = optarg;
            break;
        case 'c':
            arg_compression = optarg;
            break;
        case 'h':
            fputs(pack_help, stdout);
            return 0;
        default:
            if (optopt)
                return sn_cli_failf("unknown flag `%c'", optopt);
            return sn_cli_failf("unknown flag `%s'", argv[optind - 1] + strspn(argv[optind - 1], "-"));
        }
    }
    int npos = argc - optind;
    if (npos > 2)
        return sn_cli_failf("too many arguments for command");
    const char *snap_dir = npos >= 1 ? argv[optind] : NULL;
    const char *target_dir = npos >= 2 ? argv[optind + 1] : NULL;

    if (target_dir && *target_dir && arg_filename && arg_filename[0] == '/')
        return sn_cli_failf("you can't specify an absolute filename while also specifying target dir.");
    if (!snap_dir || !*snap_dir)
        snap_dir = ".";
    if (!target_dir || !*target_dir)
        target_dir = ".";

    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    if (arg_check_skeleton) {
        int r = sn_snap_pack_check(snap_dir, log_stderr, NULL, true, NULL, &err);
        return r < 0 ? sn_cli_fail(r, err) : 0;
    }

    SnSnapPackOptions opts = {
        .compression = arg_compression,
        .target_dir = target_dir,
        .filename = arg_filename,
        .logf = log_stderr,
    };
    if (source_date_epoch(&opts.mkfs_time) != 0)
        return 1;
    _sn_free_ char *built = NULL;
    int r = sn_snap_pack(snap_dir, &opts, &built, &err);
    if (r < 0) {
        _sn_free_ char *q = sn_go_quote(snap_dir);
        return sn_cli_failf("cannot pack %s: %s", q ? q : snap_dir, sn_error_message(err, r));
    }
    printf("built: %s\n", built);
    return 0;
}
