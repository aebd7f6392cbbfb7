/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap-exec [--hook=HOOK] NAME.APP|NAME [ARGS...]
 *
 * Runs unprivileged, inside the finished sandbox. The app's command, command-chain and environment
 * come from the exec section of its policy blob, which the daemon compiles from snap.yaml; so
 * neither snap-confine nor snap-exec parses YAML, and a launch costs no YAML parse. Exit codes and
 * signals pass through: the app replaces this process.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exec-env.h"
#include "log.h"
#include "policy-blob.h"
#include "strutil.h"

#define SN_POLICY_DIR "/var/lib/snapd/policy"

extern char **environ;

int main(int argc, char **argv)
{
    sn_log_set_program("snap-exec");
    int i = 1;
    const char *hook = NULL;
    for (; i < argc && sn_startswith(argv[i], "--"); i++) {
        if (SN_STREQ(argv[i], "--")) {
            i++;
            break;
        }
        if (sn_startswith(argv[i], "--hook="))
            hook = argv[i] + 7;
        else
            sn_die("unknown option %s", argv[i]);
    }
    if (i >= argc)
        sn_die("usage: snap-exec [--hook=HOOK] NAME.APP|NAME [ARGS...]");
    const char *target = argv[i++];
    if (strchr(target, '/') || (hook && strchr(hook, '/')))
        sn_die("invalid app or hook name");
    if (!hook && !strchr(target, '.'))
        sn_die("expected NAME.APP, got %s", target);
    _sn_free_ char *tag =
        hook ? sn_strdup_printf("snap.%s.hook.%s", target, hook) : sn_strdup_printf("snap.%s", target);
    if (!tag)
        sn_die("out of memory");

    _sn_free_ char *path = sn_strdup_printf("%s/%s.policy", SN_POLICY_DIR, tag);
    _sn_close_ int fd = path ? open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) : -1;
    if (fd < 0)
        sn_die_errno("cannot open %s", path ? path : tag);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    int r = sn_policy_blob_load_fd(fd, &blob, &err);
    if (r < 0)
        sn_die("%s", sn_error_message(err, r));

    _sn_strv_free_ char **env = NULL;
    for (char **e = environ; e && *e; e++)
        if (sn_strv_push(&env, *e) < 0)
            sn_die("out of memory");
    if (sn_exec_restore_saved(&env) < 0)
        sn_die("out of memory");
    const char *snap = sn_exec_env_get(env, "SNAP");
    if (!snap || snap[0] != '/')
        sn_die("SNAP is not set to an absolute path");
    _sn_free_ char *snap_copy = strdup(snap);

    _sn_strv_free_ char **chain = NULL;
    const char *command = NULL, *text = NULL;
    size_t cursor = 0;
    for (int kind; (kind = sn_policy_blob_exec_next(blob, &cursor, &text)) != 0;) {
        if (kind == 'c')
            command = text;
        else if (kind == 'h' && sn_strv_push(&chain, text) < 0)
            sn_die("out of memory");
        else if (kind == 'e' && sn_exec_apply_env_record(&env, text) < 0)
            sn_die("invalid environment record %s", text);
    }
    if (!command || !snap_copy)
        sn_die("the policy of %s has no command", tag);
    _sn_strv_free_ char **cmd = NULL;
    r = sn_exec_build_argv(snap_copy, command, chain, argv + i, env, &cmd);
    if (r < 0)
        sn_die("cannot build the command line of %s: %s", tag, strerror(-r));
    execve(cmd[0], cmd, env);
    sn_die_errno("cannot exec %s", cmd[0]);
}
