/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap-policy-compile: writes the policy blob of one app or hook, until the daemon's setup-profiles
 * step calls the policy library itself.
 *
 *   snap-policy-compile [OPTIONS] SNAPNAME APP
 *     --hook                  APP names a hook
 *     --command CMD           the command (relative to $SNAP), default bin/APP (hooks: meta/hooks/HOOK)
 *     --command-chain PATH    a command-chain entry (repeatable)
 *     --env KEY=VALUE         an environment entry (repeatable, in order)
 *     --seccomp FILE          seccomp source instead of the default template
 *     --landlock-optional     allow running where the kernel has no Landlock
 *     --apparmor FILE         also write the AppArmor profile text to FILE
 *     --output FILE           default $SNAPPY_GLOBAL_ROOT/var/lib/snapd/policy/TAG.policy
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "fd-util.h"
#include "fileio.h"
#include "log.h"
#include "policy-build.h"
#include "strutil.h"

int main(int argc, char **argv)
{
    sn_log_set_program("snap-policy-compile");
    SnPolicyInput in = {0};
    _sn_strv_free_ char **chain = NULL, **env = NULL;
    const char *seccomp_file = NULL, *apparmor_file = NULL, *output = NULL;
    bool hook = false;
    int i = 1;
    for (; i < argc && sn_startswith(argv[i], "--"); i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (SN_STREQ(a, "--")) {
            i++;
            break;
        } else if (SN_STREQ(a, "--hook")) {
            hook = true;
        } else if (SN_STREQ(a, "--landlock-optional")) {
            in.flags |= SN_POLICY_FLAG_LANDLOCK_OPTIONAL;
        } else if (!has_value) {
            sn_die("%s needs a value", a);
        } else if (SN_STREQ(a, "--command")) {
            in.command = argv[++i];
        } else if (SN_STREQ(a, "--command-chain")) {
            if (sn_strv_push(&chain, argv[++i]) < 0)
                sn_die("out of memory");
        } else if (SN_STREQ(a, "--env")) {
            if (sn_strv_push(&env, argv[++i]) < 0)
                sn_die("out of memory");
        } else if (SN_STREQ(a, "--seccomp")) {
            seccomp_file = argv[++i];
        } else if (SN_STREQ(a, "--apparmor")) {
            apparmor_file = argv[++i];
        } else if (SN_STREQ(a, "--output")) {
            output = argv[++i];
        } else {
            sn_die("unknown option %s", a);
        }
    }
    if (argc - i != 2)
        sn_die("usage: snap-policy-compile [OPTIONS] SNAPNAME APP");
    in.snap_name = argv[i];
    if (hook)
        in.hook = argv[i + 1];
    else
        in.app = argv[i + 1];
    in.command_chain = chain;
    in.environment = env;
    _sn_free_ char *default_cmd = hook ? NULL : sn_strdup_printf("bin/%s", in.app);
    if (!in.command)
        in.command = default_cmd;

    _sn_free_ char *source = NULL;
    if (seccomp_file) {
        int r = sn_read_file_at(AT_FDCWD, seccomp_file, 1 << 20, &source, NULL);
        if (r < 0)
            sn_die("cannot read %s: %s", seccomp_file, strerror(-r));
        in.seccomp_source = source;
    }
    _sn_free_ char *tag = sn_policy_security_tag(&in);
    if (!tag)
        sn_die("invalid snap, app or hook name");

    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    _sn_free_ void *data = NULL;
    size_t len = 0;
    int r = sn_policy_build_blob(&in, &data, &len, &err);
    if (r < 0)
        sn_die("%s", sn_error_message(err, r));

    _sn_free_ char *path = NULL;
    if (!output) {
        const char *root = getenv("SNAPPY_GLOBAL_ROOT");
        _sn_free_ char *dir = sn_strdup_printf("%s/var/lib/snapd/policy", root ? root : "");
        if (!dir || sn_mkdir_p(dir, 0755) < 0)
            sn_die("cannot create the policy directory");
        path = sn_strdup_printf("%s/%s.policy", dir, tag);
        output = path;
    }
    r = sn_write_file_atomic(AT_FDCWD, output, data, len, 0644);
    if (r < 0)
        sn_die("cannot write %s: %s", output, strerror(-r));
    if (apparmor_file) {
        _sn_free_ char *text = NULL;
        r = sn_policy_apparmor_profile(&in, &text, &err);
        if (r < 0)
            sn_die("%s", sn_error_message(err, r));
        r = sn_write_file_atomic(AT_FDCWD, apparmor_file, text, strlen(text), 0644);
        if (r < 0)
            sn_die("cannot write %s: %s", apparmor_file, strerror(-r));
    }
    printf("%s\n", output);
    return 0;
}
