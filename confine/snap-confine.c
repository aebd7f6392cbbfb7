/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap-confine: builds a strict snap's sandbox and execs snap-exec inside it.
 *
 *   snap-confine [--base BASE] snap.NAME.APP /usr/lib/snapd/snap-exec [ARGS...]
 *
 * Installed setuid root, or (meson -Dsnap_confine_privileges=file-capabilities) mode 0755 with the
 * permitted file capabilities SN_CONFINE_FILE_CAPS (privs.h) and no effective bit: the helper
 * raises its effective set itself. It tells the two (and a root caller) apart at start from its ids
 * and permitted set, and refuses anything else. In file-capabilities mode it sets fsuid and fsgid
 * to 0 while it builds the sandbox, so every lock, namespace file, directory and cgroup it creates
 * is root-owned exactly as in setuid mode (no chown after create). The kernel sets AT_SECURE for
 * both, so glibc ignores LD_PRELOAD and friends and secure_getenv() hides SN_FAULTS and SNAPD_DEBUG.
 *
 * The steps, in order (each dies on failure; see ../docs/security-model.md for the model):
 *   1. read the caller's ids and the permitted capabilities: setuid, file-capabilities or root
 *   2. save the umask, chdir("/"), validate every input once (invocation.c)
 *   3. open and check $SNAPPY_GLOBAL_ROOT; refuse to run from anywhere but the compiled-in path
 *      (the hardlink / copy lesson: a copy loses setuid and file capabilities, a hardlink keeps them)
 *   4. file-capabilities mode: raise the effective set, fsuid/fsgid 0 (read back)
 *   5. load the policy blob (owner, mode, magic, version, size); read the snap cookie of an app
 *   6. AppArmor detection (fail closed), device cgroup
 *   7. join or create the preserved mount namespace and pivot into the base snap
 *   8. drop to the caller (ids and fs ids read back, every capability set cleared and read back),
 *      create ~/snap/NAME as the caller, no_new_privs
 *   9. AppArmor change_onexec where enabled, Landlock
 *  10. scrub the environment, set SNAP_COOKIE and SNAP_CONTEXT, seccomp, exec snap-exec at its
 *      compiled-in in-namespace path
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "cookie-support.h"
#include "invocation.h"
#include "landlock-support.h"
#include "log.h"
#include "ns-support.h"
#include "policy-blob.h"
#include "privs.h"
#include "sandbox-support.h"
#include "strutil.h"
#include "trusted-path.h"

/* Variables glibc drops for setuid programs: the helper never passes them on; snap run saves them as SNAP_SAVED_*. */
static const char *const unsafe_env[] = {
    "GCONV_PATH",      "GETCONF_DIR",     "GLIBC_TUNABLES",   "HOSTALIASES",     "LD_AUDIT",       "LD_DEBUG",
    "LD_DEBUG_OUTPUT", "LD_DYNAMIC_WEAK", "LD_HWCAP_MASK",    "LD_LIBRARY_PATH", "LD_ORIGIN_PATH", "LD_PRELOAD",
    "LD_PROFILE",      "LD_SHOW_AUXV",    "LD_USE_LOAD_BIAS", "LOCALDOMAIN",     "LOCPATH",        "MALLOC_TRACE",
    "NIS_PATH",        "NLSPATH",         "RESOLV_HOST_CONF", "RES_OPTIONS",     "TMPDIR",         "TZDIR",
};

/* Step 1: the running image must be the helper at its expected path (not a hardlink or copy elsewhere). */
static void check_own_path(const char *root)
{
    _sn_free_ char *expected = sn_strdup_printf("%s%s/snap-confine", root, SN_LIBEXECDIR);
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (!expected || n <= 0)
        sn_confine_die("cannot read /proc/self/exe: %m");
    self[n] = '\0';
    struct stat a, b;
    if (!SN_STREQ(self, expected) || stat("/proc/self/exe", &a) < 0 || stat(expected, &b) < 0 || a.st_dev != b.st_dev ||
        a.st_ino != b.st_ino)
        sn_confine_die("refusing to run as %s: snap-confine must be run as %s", self, expected);
}

static SnPolicyBlob *load_policy(int rootfd, const char *tag)
{
    SnError *err = NULL;
    _sn_close_ int dir = sn_confine_open_trusted_dir(rootfd, "var/lib/snapd/policy", false, &err);
    if (dir < 0)
        sn_confine_die_error(err, dir, "policy directory");
    _sn_free_ char *name = sn_strdup_printf("%s.policy", tag);
    if (!name)
        sn_confine_die("out of memory");
    _sn_close_ int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        sn_confine_die("cannot open the policy of %s: %m", tag);
    SnPolicyBlob *blob = NULL;
    int r = sn_policy_blob_load_fd(fd, &blob, &err);
    if (r < 0)
        sn_confine_die_error(err, r, "refusing the policy");
    return blob;
}

/* As the caller: ~/snap (0700, CVE-2021-3155) and ~/snap/NAME, so the Landlock rule has a directory to name. */
static void make_user_dirs(const SnInvocation *inv)
{
    if (!inv->home)
        return;
    _sn_close_ int home = open(inv->home, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (home < 0)
        return;
    if (mkdirat(home, "snap", 0700) < 0 && errno != EEXIST)
        return;
    _sn_close_ int snapdir = openat(home, "snap", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (snapdir >= 0 && mkdirat(snapdir, inv->snap_name, 0755) < 0 && errno != EEXIST)
        sn_confine_die("cannot create ~/snap/%s: %m", inv->snap_name);
}

int main(int argc, char **argv)
{
    sn_log_set_program("snap-confine");
    sn_log_init_from_env();
    sn_confine_init_privileges();
    uid_t uid = getuid();
    gid_t gid = getgid();

    mode_t saved_umask = umask(022);
    char cwd_buf[PATH_MAX];
    const char *cwd = getcwd(cwd_buf, sizeof(cwd_buf));
    if (chdir("/") < 0)
        sn_confine_die("cannot chdir to /: %m");

    /* The one place that reads argv and the environment. SNAPPY_GLOBAL_ROOT is read with getenv on
     * purpose (secure_getenv hides it from setuid programs); its tree is checked below. */
    SnInvocationInputs in = {
        .argc = argc,
        .argv = argv,
        .env_root = getenv("SNAPPY_GLOBAL_ROOT"),
        .env_instance = getenv("SNAP_INSTANCE_NAME"),
        /* snap run sets HOME to $SNAP_USER_DATA and passes the user's own home as SNAP_REAL_HOME. */
        .env_home = getenv("SNAP_REAL_HOME") ? getenv("SNAP_REAL_HOME") : getenv("HOME"),
        .cwd = cwd,
        .uid = uid,
        .gid = gid,
    };
    SnInvocation *inv = NULL;
    SnError *err = NULL;
    int r = sn_invocation_parse(&in, &inv, &err);
    if (r < 0)
        sn_confine_die_error(err, r, "invalid invocation");

    int rootfd = sn_confine_open_root(inv->root, &err);
    if (rootfd < 0)
        sn_confine_die_error(err, rootfd, "invalid invocation");
    check_own_path(inv->root);
    sn_confine_raise_privileges();
    SnPolicyBlob *blob = load_policy(rootfd, inv->security_tag);

    /* Read while privileged (the file is root's, 0600), reported once privileges are dropped. */
    _sn_free_ char *cookie = NULL;
    SnError *cookie_err = NULL;
    int cookie_r = inv->hook ? 0 : sn_confine_read_cookie(rootfd, inv->snap_name, &cookie, &cookie_err);

    int aa = sn_confine_apparmor_enabled();
    if (aa < 0)
        sn_confine_die("cannot tell whether AppArmor is enabled (%s): refusing to run unconfined", strerror(-aa));
    if (aa > 0)
        sn_confine_apparmor_check_profile(inv->security_tag);

    if (!sn_confine_apply_device_cgroup(blob, inv->security_tag))
        sn_log_debug("no v1 devices controller: device access is limited by Landlock only");
    sn_confine_enter_mount_ns(inv, blob, rootfd);
    close(rootfd);

    sn_confine_drop_privileges();
    if (cookie_r < 0) {
        /* As snapd: the app runs without a cookie (snapctl will say it has no context). */
        sn_log_warning("ignoring the cookie of %s: %s", inv->snap_name, sn_error_message(cookie_err, cookie_r));
        sn_error_free(cookie_err);
    }
    make_user_dirs(inv);
    sn_confine_set_no_new_privs();
    if (aa > 0)
        sn_confine_apparmor_change_onexec(inv->security_tag);
    /* The caller's runtime dir, where logind makes it; inside a test root's sandbox /run is $ROOT/run. */
    char runtime_dir[sizeof(SN_CONFINE_RUN_USER) + 24];
    snprintf(runtime_dir, sizeof(runtime_dir), SN_CONFINE_RUN_USER "/%u", (unsigned)uid);
    sn_confine_apply_landlock(blob, inv->home, runtime_dir, uid);

    for (size_t i = 0; i < SN_ELEMENTSOF(unsafe_env); i++)
        unsetenv(unsafe_env[i]);
    /* Inside, the root's trees are at / (mount-support.h): a root path there would name the snap's own
     * /tmp or a base's directory, where an app could plant what snapctl takes for the daemon's socket. */
    unsetenv("SNAPPY_GLOBAL_ROOT");
    if (setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games:/usr/local/games", 1) <
            0 ||
        setenv("TMPDIR", "/tmp", 1) < 0 || setenv("TEMPDIR", "/tmp", 1) < 0)
        sn_confine_die("cannot set the environment: %m");
    /* snapctl's context for apps; without a cookie file whatever the caller passed stays, as in snapd. */
    if (cookie && (setenv("SNAP_COOKIE", cookie, 1) < 0 || setenv("SNAP_CONTEXT", cookie, 1) < 0))
        sn_confine_die("cannot set the environment: %m");
    /* The caller's cwd, looked up inside the new root as the caller; "/" when it does not exist there. */
    if (!inv->cwd || chdir(inv->cwd) < 0) {
        if (chdir("/") < 0)
            sn_confine_die("cannot chdir to /: %m");
    }
    umask(saved_umask);

    /* Last: after this only the syscalls the snap may make are left, and execve is one of them. */
    sn_confine_apply_seccomp(blob);
    execv(SN_CONFINE_SNAP_EXEC, inv->argv);
    sn_confine_die("cannot exec %s: %m", SN_CONFINE_SNAP_EXEC);
}
