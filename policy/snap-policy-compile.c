/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap-policy-compile: the daemon's setup-profiles step as a command, for tests and for installing
 * by hand. A thin wrapper over sn_policy_setup_profiles().
 *
 *   snap-policy-compile [--instance NAME_KEY] [--landlock-optional] [--wrappers SNAP] SNAPDIR REVISION
 *   snap-policy-compile --remove INSTANCE
 *
 * --wrappers also writes the /snap/bin wrappers (symlinks to SNAP, the `snap` binary), as link-snap
 * does; --remove removes the profiles (and, with --wrappers, the wrappers).
 *
 * SNAPDIR is the mounted snap (normally $SNAPPY_GLOBAL_ROOT/snap/NAME/REVISION). The files go under
 * $SNAPPY_GLOBAL_ROOT/var/lib/snapd/ (see policy/setup-profiles.h); the written tags are printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "read-snap.h"
#include "setup-profiles.h"
#include "strutil.h"
#include "wrappers.h"

static _sn_noreturn_ void usage(void)
{
    fprintf(stderr, "usage: snap-policy-compile [--instance NAME_KEY] [--landlock-optional] [--wrappers SNAP] SNAPDIR "
                    "REVISION\n"
                    "       snap-policy-compile [--wrappers SNAP] --remove INSTANCE\n");
    exit(2);
}

int main(int argc, char **argv)
{
    sn_log_set_program("snap-policy-compile");
    SnPolicySetup setup = {0};
    const char *remove = NULL, *wrappers = NULL;
    int i = 1;
    for (; i < argc && sn_startswith(argv[i], "--"); i++) {
        const char *a = argv[i];
        if (SN_STREQ(a, "--")) {
            i++;
            break;
        } else if (SN_STREQ(a, "--landlock-optional")) {
            setup.flags |= SN_POLICY_FLAG_LANDLOCK_OPTIONAL;
        } else if (SN_STREQ(a, "--instance") && i + 1 < argc) {
            setup.instance_name = argv[++i];
        } else if (SN_STREQ(a, "--wrappers") && i + 1 < argc) {
            wrappers = argv[++i];
        } else if (SN_STREQ(a, "--remove") && i + 1 < argc) {
            remove = argv[++i];
        } else {
            usage();
        }
    }
    const char *root = getenv("SNAPPY_GLOBAL_ROOT");
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    if (remove) {
        if (i != argc)
            usage();
        int r = sn_policy_remove_profiles(root, remove, &err);
        if (r >= 0 && wrappers)
            r = sn_policy_remove_wrappers(root, remove, wrappers, &err);
        if (r < 0)
            sn_die("%s", sn_error_message(err, r));
        return 0;
    }
    if (argc - i != 2)
        usage();
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    _sn_strv_free_ char **hooks = NULL;
    int r = sn_policy_read_snap(argv[i], &info, &hooks, &err);
    if (r < 0)
        sn_die("%s", sn_error_message(err, r));
    setup.info = info;
    setup.revision = argv[i + 1];
    setup.implicit_hooks = hooks;
    _sn_strv_free_ char **tags = NULL;
    r = sn_policy_setup_profiles(root, &setup, &tags, &err);
    if (r >= 0 && wrappers)
        r = sn_policy_write_wrappers(root, info, setup.instance_name ? setup.instance_name : info->name, wrappers,
                                     &err);
    if (r < 0)
        sn_die("%s", sn_error_message(err, r));
    for (char **t = tags; t && *t; t++)
        printf("%s\n", *t);
    return 0;
}
