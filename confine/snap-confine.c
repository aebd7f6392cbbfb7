/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap-confine: builds a strict snap's sandbox and execs snap-exec inside it.
 *
 *   snap-confine [--base BASE] snap.NAME.APP /usr/lib/snapd/snap-exec [ARGS...]
 *
 * Installed setuid root. The steps, in order (each dies on failure; see ../docs for the model):
 *   1. refuse to run from anywhere but the compiled-in path (the hardlink / copy lesson)
 *   2. read the caller's ids, save the umask, chdir("/"), validate every input once (invocation.c)
 *   3. open and check $SNAPPY_GLOBAL_ROOT and the policy blob (owner, mode, magic, version, size)
 *   4. AppArmor detection (fail closed), device cgroup
 *   5. join or create the preserved mount namespace and pivot into the base snap
 *   6. drop to the caller (read back), create ~/snap/NAME as the caller, no_new_privs
 *   7. AppArmor change_onexec where enabled, Landlock, seccomp
 *   8. scrub the environment and exec snap-exec at its compiled-in in-namespace path
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
    uid_t uid = getuid();
    gid_t gid = getgid();
    sn_confine_set_caller(uid, gid);
    if (geteuid() != 0)
        sn_confine_die("must be run setuid root or as root");

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
    SnPolicyBlob *blob = load_policy(rootfd, inv->security_tag);

    int aa = sn_confine_apparmor_enabled();
    if (aa < 0)
        sn_confine_die("cannot tell whether AppArmor is enabled (%s): refusing to run unconfined", strerror(-aa));

    if (!sn_confine_apply_device_cgroup(blob, inv->security_tag))
        sn_log_debug("no v1 devices controller: device access is limited by Landlock only");
    sn_confine_enter_mount_ns(inv, rootfd);
    close(rootfd);

    sn_confine_drop_privileges();
    make_user_dirs(inv);
    sn_confine_set_no_new_privs();
    if (aa > 0)
        sn_confine_apparmor_change_onexec(inv->security_tag);
    sn_confine_apply_landlock(blob, inv->home);

    for (size_t i = 0; i < SN_ELEMENTSOF(unsafe_env); i++)
        unsetenv(unsafe_env[i]);
    if (setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games:/usr/local/games", 1) <
            0 ||
        setenv("TMPDIR", "/tmp", 1) < 0 || setenv("TEMPDIR", "/tmp", 1) < 0)
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
