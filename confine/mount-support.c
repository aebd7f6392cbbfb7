/* SPDX-License-Identifier: GPL-3.0-only */
#include "mount-support.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "fault.h"
#include "privs.h"
#include "strutil.h"
#include "trusted-path.h"

#define SCRATCH "/tmp/sn-rootfs"

static const char *fdpath(char buf[static 32], int fd)
{
    snprintf(buf, 32, "/proc/self/fd/%d", fd);
    return buf;
}

static void must_mount(const char *src, const char *dst, const char *type, unsigned long flags, const char *data,
                       const char *what)
{
    if (sn_faulty("mount") || mount(src, dst, type, flags, data) < 0)
        sn_confine_die("cannot mount %s: %m", what);
}

/*
 * Opens the mount target rel (relative, inside the scratch root) as an O_PATH directory without
 * following symlinks at any step: a base snap cannot redirect a bind with a symlink. -1 if missing.
 */
static int open_target(int scratch, const char *rel, bool required)
{
    SnError *err = NULL;
    int fd = sn_confine_open_trusted_dir(scratch, rel, false, &err);
    if (fd < 0) {
        if (fd == -ENOENT && !required) {
            sn_error_free(err);
            return -1;
        }
        sn_confine_die_error(err, fd, "base snap mount point");
    }
    return fd;
}

static void bind_fd(int src, int scratch, const char *rel, bool required, const char *what)
{
    _sn_close_ int dst = open_target(scratch, rel, required);
    if (dst < 0)
        return;
    char s[32], d[32];
    must_mount(fdpath(s, src), fdpath(d, dst), NULL, MS_BIND | MS_REC, NULL, what);
    /* The fd still names the covered directory; the new mount is reached by path from the scratch fd. */
    _sn_close_ int top = open_target(scratch, rel, true);
    must_mount(NULL, fdpath(d, top), NULL, MS_REC | MS_SLAVE, NULL, what);
}

static int open_host_dir(const char *path)
{
    int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && errno != ENOENT && errno != ENOTDIR)
        sn_confine_die("cannot open host directory %s: %m", path);
    return fd;
}

static int open_root_dir(int rootfd, const char *rel, bool required)
{
    SnError *err = NULL;
    int fd = sn_confine_open_trusted_dir(rootfd, rel, true, &err);
    if (fd < 0) {
        if (!required && fd == -ENOENT) {
            sn_error_free(err);
            return -1;
        }
        sn_confine_die_error(err, fd, rel);
    }
    return fd;
}

size_t sn_confine_mount_plan(const char *root, const char *libexec_rel, SnConfineBind ret[static SN_CONFINE_MAX_BINDS])
{
    static const char *const host_dirs[] = {"dev", "etc",         "home",    "root",    "proc",  "sys", "var/tmp",
                                            "run", "lib/modules", "usr/src", "var/log", "media", "mnt"};
    bool test_root = root && *root && !SN_STREQ(root, "/");
    size_t n = 0;
    for (size_t i = 0; i < SN_ELEMENTSOF(host_dirs); i++) {
        /* A test root's run-time state is its own: the host's /run would hold another system's sockets. */
        if (test_root && SN_STREQ(host_dirs[i], "run"))
            ret[n++] = (SnConfineBind){"run", "run", SN_CONFINE_FROM_ROOT, true, false};
        else
            ret[n++] = (SnConfineBind){host_dirs[i], host_dirs[i], SN_CONFINE_FROM_HOST, false, false};
    }
    ret[n++] = (SnConfineBind){"snap", "snap", SN_CONFINE_FROM_ROOT, true, true};
    ret[n++] = (SnConfineBind){"var/snap", "var/snap", SN_CONFINE_FROM_ROOT, false, false};
    ret[n++] = (SnConfineBind){"var/lib/snapd", "var/lib/snapd", SN_CONFINE_FROM_ROOT, false, false};
    ret[n++] = (SnConfineBind){libexec_rel, "usr/lib/snapd", SN_CONFINE_FROM_ROOT, true, true};
    return n;
}

void sn_confine_populate_mount_ns(const SnInvocation *inv)
{
    SnConfineBind plan[SN_CONFINE_MAX_BINDS];
    int fds[SN_CONFINE_MAX_BINDS];
    char s[32], d[32];

    /*
     * Slaves receive, never send: the daemon's shared $ROOT/snap (snapd/mount.h) becomes a slave here and
     * stays one through the recursive bind below, so revisions it mounts or unmounts later show here.
     */
    must_mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL, "/ as rslave");

    /* Reopened here: an fd opened before unshare walks the old namespace's mounts, which cannot be bound. */
    SnError *err = NULL;
    _sn_close_ int rootfd = sn_confine_open_root(inv->root, &err);
    if (rootfd < 0)
        sn_confine_die_error(err, rootfd, "invalid invocation");

    /* Everything the new root is made of is opened before /tmp (where a test root may live) is covered. */
    _sn_free_ char *base_rel = sn_strdup_printf("snap/%s/current", inv->base);
    _sn_free_ char *libexec_rel = sn_strdup_printf("%s", &SN_LIBEXECDIR[1]);
    if (!base_rel || !libexec_rel)
        sn_confine_die("out of memory");
    _sn_close_ int base = open_root_dir(rootfd, base_rel, true);
    size_t nplan = sn_confine_mount_plan(inv->root, libexec_rel, plan);
    for (size_t i = 0; i < nplan; i++) {
        if (plan[i].from == SN_CONFINE_FROM_ROOT) {
            fds[i] = open_root_dir(rootfd, plan[i].src, plan[i].src_required);
        } else {
            _sn_free_ char *abs = sn_strdup_printf("/%s", plan[i].src);
            if (!abs)
                sn_confine_die("out of memory");
            fds[i] = open_host_dir(abs);
            if (fds[i] < 0 && plan[i].src_required)
                sn_confine_die("cannot open host directory %s: %m", abs);
        }
    }

    /* /tmp is a child of the root-owned "/": its name cannot be swapped, and the tmpfs is ours alone. */
    struct stat st;
    if (lstat("/tmp", &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0)
        sn_confine_die("/tmp is not a root-owned directory");
    must_mount("none", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700", "the scratch tmpfs");
    must_mount(NULL, "/tmp", NULL, MS_PRIVATE, NULL, "the scratch tmpfs as private");
    if (mkdir(SCRATCH, 0755) < 0)
        sn_confine_die("cannot create %s: %m", SCRATCH);
    must_mount(fdpath(s, base), SCRATCH, NULL, MS_BIND | MS_REC, NULL, "the base snap");
    must_mount(NULL, SCRATCH, NULL, MS_REC | MS_SLAVE, NULL, "the base snap as rslave");
    _sn_close_ int scratch = open(SCRATCH, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (scratch < 0)
        sn_confine_die("cannot open %s: %m", SCRATCH);

    for (size_t i = 0; i < nplan; i++) {
        if (fds[i] >= 0) {
            _sn_free_ char *what = sn_strdup_printf("/%s", plan[i].dst);
            if (!what)
                sn_confine_die("out of memory");
            bind_fd(fds[i], scratch, plan[i].dst, plan[i].dst_required, what);
            fds[i] = sn_safe_close(fds[i]);
        }
    }

    /* The snap's private /tmp: a tmpfs in its own namespace, no host path anyone could race. */
    _sn_close_ int tmp = open_target(scratch, "tmp", true);
    must_mount("tmpfs", fdpath(d, tmp), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", "the private /tmp");

    /* A new devpts instance, so the snap sees only its own terminals. */
    _sn_close_ int pts = open_target(scratch, "dev/pts", false);
    if (pts >= 0) {
        must_mount("devpts", fdpath(d, pts), "devpts", MS_NOSUID | MS_NOEXEC,
                   "newinstance,ptmxmode=0666,mode=0620,gid=5", "/dev/pts");
        _sn_close_ int ptmx_src = openat(scratch, "dev/pts/ptmx", O_PATH | O_NOFOLLOW | O_CLOEXEC);
        _sn_close_ int ptmx_dst = openat(scratch, "dev/ptmx", O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (ptmx_src < 0 || ptmx_dst < 0)
            sn_confine_die("cannot open the ptmx nodes: %m");
        must_mount(fdpath(s, ptmx_src), fdpath(d, ptmx_dst), NULL, MS_BIND, NULL, "/dev/ptmx");
    }

    if (chdir(SCRATCH) < 0)
        sn_confine_die("cannot enter the new root: %m");
    if (sn_faulty("pivot_root") || syscall(SYS_pivot_root, ".", ".") < 0)
        sn_confine_die("cannot pivot_root: %m");
    /* pivot_root(".", ".") stacks the old root on top of the new one: detach it. */
    if (umount2(".", MNT_DETACH) < 0)
        sn_confine_die("cannot detach the old root: %m");
    if (chdir("/") < 0)
        sn_confine_die("cannot chdir to the new root: %m");
}
