/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap run [--hook=HOOK] [-r REVISION] NAME.APP|NAME [ARGS...]
 *
 * snapd's verb (cmd/snapd/cli/cmd_run.go): reads the app's snap.yaml from the `current` revision,
 * builds snapd's environment (policy/run-env.h), creates the user's data directories and execs
 * snap-confine from its compiled-in path ($SNAPPY_GLOBAL_ROOT moves it, as snap-confine checks):
 *
 *   snap-confine --base BASE snap.NAME.APP /usr/lib/snapd/snap-exec NAME.APP ARGS...
 *   snap-confine --base BASE snap.NAME.hook.HOOK /usr/lib/snapd/snap-exec --hook=HOOK NAME
 *
 * The app replaces this process, so its exit status and a killing signal reach the caller as
 * they would from the app itself. Called as /snap/bin/NAME.APP (a wrapper), `snap` runs that app.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "fd-util.h"
#include "naming.h"
#include "policy-blob.h"
#include "run-env.h"
#include "policy-build.h"
#include "read-snap.h"
#include "strutil.h"

extern char **environ;

static const char run_help[] = "Usage:\n"
                               "  snap run [run-OPTIONS] <NAME-OF-SNAP>.<NAME-OF-APP> [<SNAP-APP-ARG>...]\n"
                               "\n"
                               "The run command executes the given snap command with the right confinement\n"
                               "and environment.\n"
                               "\n"
                               "[run command options]\n"
                               "      --hook=      Hook to run\n"
                               "  -r=             Use a specific snap revision when running hook (default:\n"
                               "                  unset)\n";

/* "" or $SNAPPY_GLOBAL_ROOT without a trailing slash ("/" is the real root). */
static char *global_root(void)
{
    const char *r = getenv("SNAPPY_GLOBAL_ROOT");
    if (!r || !*r || SN_STREQ(r, "/"))
        return strdup("");
    size_t n = strlen(r);
    while (n > 1 && r[n - 1] == '/')
        n--;
    return strndup(r, n);
}

/* The revision `current` points at under ROOT/snap/INSTANCE. */
static int current_revision(const char *root, const char *instance, char **ret)
{
    _sn_free_ char *link = sn_strdup_printf("%s/snap/%s/current", root, instance);
    if (!link)
        return -ENOMEM;
    char buf[64];
    ssize_t n = readlink(link, buf, sizeof(buf) - 1);
    if (n < 0)
        return -errno;
    buf[n] = '\0';
    if (!sn_policy_revision_valid(buf))
        return -EINVAL;
    *ret = strdup(buf);
    return *ret ? 0 : -ENOMEM;
}

/* The caller's home: the password database first (as snapd's user.Current()), then $HOME. */
static const char *real_home(void)
{
    struct passwd *pw = getpwuid(getuid());
    if (pw && pw->pw_dir && pw->pw_dir[0] == '/')
        return pw->pw_dir;
    const char *h = getenv("HOME");
    return h && h[0] == '/' ? h : NULL;
}

/*
 * Apps reach snapctl with their snap's cookie (snapd's snap-confine step): SNAP_COOKIE and
 * SNAP_CONTEXT from $ROOT/var/lib/snapd/cookie/snap.INSTANCE. The file is root's (0600): for other
 * callers it is left out, as snapd leaves it out when missing. Hooks get theirs from the daemon.
 */
static int set_app_cookie(const char *root, const char *instance, char ***env)
{
    _sn_free_ char *path = sn_strdup_printf("%s/var/lib/snapd/cookie/snap.%s", root, instance);
    _sn_free_ char *cookie = NULL;
    if (!path)
        return -ENOMEM;
    _sn_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || sn_read_fd_all(fd, 256, &cookie, NULL) < 0 || !*cookie || strpbrk(cookie, "\n="))
        return 0;
    _sn_free_ char *a = sn_strdup_printf("SNAP_COOKIE=%s", cookie);
    _sn_free_ char *b = sn_strdup_printf("SNAP_CONTEXT=%s", cookie);
    char **out = NULL;
    int r = a && b ? 0 : -ENOMEM;
    for (char **e = *env; r >= 0 && e && *e; e++)
        if (!sn_startswith(*e, "SNAP_COOKIE=") && !sn_startswith(*e, "SNAP_CONTEXT="))
            r = sn_strv_push(&out, *e);
    if (r >= 0)
        r = sn_strv_push(&out, a);
    if (r >= 0)
        r = sn_strv_push(&out, b);
    if (r < 0) {
        sn_strv_free(out);
        return r;
    }
    sn_strv_free(*env);
    *env = out;
    return 0;
}

/* Runs the app or hook; returns only on failure (exit status 1, message printed). */
static int run(const char *target, const char *hook, const char *revision, int nargs, char **args)
{
    _sn_free_ char *root = global_root();
    if (!root)
        return sn_cli_failf("out of memory");
    /* snap-confine accepts only a normalised root: pass on the one used here ("dir/" becomes "dir"). */
    if (*root && setenv("SNAPPY_GLOBAL_ROOT", root, 1) < 0)
        return sn_cli_failf("out of memory");

    /* NAME.APP or NAME (the app named like the snap); hooks take NAME. */
    _sn_free_ char *instance = strndup(target, strcspn(target, "."));
    if (!instance)
        return sn_cli_failf("out of memory");
    const char *dot = strchr(target, '.');
    const char *app = hook ? NULL : dot ? dot + 1 : NULL;
    if (!sn_name_instance_valid(instance) || (hook && dot))
        return sn_cli_failf("cannot find app \"%s\" in snap", target);
    _sn_free_ char *store = strndup(instance, strcspn(instance, "_"));
    if (!store)
        return sn_cli_failf("out of memory");
    if (!hook && !app)
        app = store;
    if ((app && !sn_name_app_valid(app)) || (hook && !sn_name_hook_valid(hook)))
        return sn_cli_failf("invalid %s name \"%s\"", app ? "app" : "hook", app ? app : hook);

    _sn_free_ char *rev = NULL;
    if (revision) {
        if (!sn_policy_revision_valid(revision))
            return sn_cli_failf("invalid revision \"%s\"", revision);
        rev = strdup(revision);
    } else {
        int r = current_revision(root, instance, &rev);
        if (r == -ENOENT)
            return sn_cli_failf("snap \"%s\" is not installed", instance);
        if (r < 0)
            return sn_cli_failf("cannot read the current revision of \"%s\": %s", instance, strerror(-r));
    }
    if (!rev)
        return sn_cli_failf("out of memory");

    _sn_free_ char *snapdir = sn_strdup_printf("%s/snap/%s/%s", root, instance, rev);
    if (!snapdir)
        return sn_cli_failf("out of memory");
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    _sn_strv_free_ char **implicit = NULL;
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    int r = sn_policy_read_snap(snapdir, &info, &implicit, &err);
    if (r < 0)
        return sn_cli_fail(r, err);
    if (!SN_STREQ(info->name, store))
        return sn_cli_failf("snap \"%s\" has the name \"%s\" in its snap.yaml", instance, info->name);
    if (app && !sn_snap_info_find_app(info, app))
        return sn_cli_failf("cannot find app \"%s\" in \"%s\"", app, instance);
    if (hook && !sn_snap_info_find_hook(info, hook) && !sn_strv_contains(implicit, hook))
        return sn_cli_failf("cannot find hook \"%s\" in \"%s\"", hook, instance);
    if (info->confinement == SN_CONFINEMENT_CLASSIC)
        return sn_cli_failf("cannot run \"%s\": classic confinement is not supported yet", instance);

    const char *home = real_home();
    if (home) {
        r = sn_run_make_user_dirs(home, instance, rev, &err);
        if (r < 0)
            return sn_cli_fail(r, err);
    }
    /* snap-confine creates nothing under /run/user: do it here when the user has a runtime dir. A test
     * root's /run is $ROOT/run inside the sandbox (confine/mount-support.h), so its /run/user is there. */
    _sn_free_ char *xdg_parent = sn_strdup_printf("%s/run/user/%u", root, (unsigned)geteuid());
    _sn_free_ char *xdg = sn_strdup_printf("%s/snap.%s", xdg_parent ? xdg_parent : "", instance);
    if (xdg_parent && xdg && access(xdg_parent, W_OK) == 0 && mkdir(xdg, 0700) < 0 && errno != EEXIST)
        return sn_cli_failf("cannot create %s: %m", xdg);

    SnRunEnvInput in = {
        .instance_name = instance,
        .revision = rev,
        .version = info->version,
        .real_home = home,
        .uid = getuid(),
        .euid = geteuid(),
    };
    _sn_strv_free_ char **env = NULL;
    r = sn_run_env_build(environ, &in, &env);
    if (r >= 0 && !hook)
        r = set_app_cookie(root, instance, &env);
    if (r < 0)
        return sn_cli_failf("cannot build the environment of %s: %s", target, strerror(-r));

    SnPolicyInput tagin = {.snap_name = instance, .app = app, .hook = hook};
    _sn_free_ char *tag = sn_policy_security_tag(&tagin);
    _sn_free_ char *confine = sn_strdup_printf("%s%s/snap-confine", root, SN_LIBEXECDIR);
    _sn_free_ char *hook_opt = hook ? sn_strdup_printf("--hook=%s", hook) : NULL;
    _sn_free_ char *exec_target = hook ? strdup(instance) : sn_strdup_printf("%s.%s", instance, app);
    if (!tag || !confine || !exec_target || (hook && !hook_opt))
        return sn_cli_failf("out of memory");
    _sn_strv_free_ char **argv = NULL;
    const char *fixed[] = {confine, "--base", info->base ? info->base : "core", tag, "/usr/lib/snapd/snap-exec"};
    for (size_t i = 0; i < SN_ELEMENTSOF(fixed); i++)
        if (sn_strv_push(&argv, fixed[i]) < 0)
            return sn_cli_failf("out of memory");
    if ((hook_opt && sn_strv_push(&argv, hook_opt) < 0) || sn_strv_push(&argv, exec_target) < 0)
        return sn_cli_failf("out of memory");
    for (int i = 0; i < nargs; i++)
        if (sn_strv_push(&argv, args[i]) < 0)
            return sn_cli_failf("out of memory");
    fflush(stdout);
    execve(confine, argv, env);
    return sn_cli_failf("cannot run %s: cannot exec %s: %m", target, confine);
}

int sn_cmd_run(int argc, char **argv)
{
    static const struct option options[] = {
        {"hook", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    const char *arg_hook = NULL, *arg_revision = NULL;
    optind = 0;
    opterr = 0;
    /* "+": options end at the first non-option, so the app's own options pass through untouched. */
    for (int c; (c = getopt_long(argc, argv, "+hr:", options, NULL)) >= 0;) {
        switch (c) {
        case 'H':
            arg_hook = optarg;
            break;
        case 'r':
            arg_revision = optarg;
            break;
        case 'h':
            fputs(run_help, stdout);
            return 0;
        default:
            return sn_cli_failf("unknown flag `%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return sn_cli_failf("need the application to run as argument");
    if (arg_revision && !arg_hook)
        return sn_cli_failf("-r can only be used with --hook");
    if (arg_hook && argc - optind > 1)
        return sn_cli_failf("too many arguments for hook \"%s\": %s", arg_hook, argv[optind + 1]);
    return run(argv[optind], arg_hook, arg_revision, argc - optind - 1, argv + optind + 1);
}

bool sn_cmd_run_is_wrapper(const char *argv0)
{
    const char *base = strrchr(argv0, '/');
    base = base ? base + 1 : argv0;
    if (SN_STREQ(base, "snap") || SN_STREQ(base, "snap-full"))
        return false;
    _sn_free_ char *instance = strndup(base, strcspn(base, "."));
    return instance && sn_name_instance_valid(instance);
}

int sn_cmd_run_wrapper(int argc, char **argv)
{
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    return run(base, NULL, NULL, argc - 1, argv + 1);
}
