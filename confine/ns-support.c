/* SPDX-License-Identifier: GPL-3.0-only */
#include "ns-support.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "content-mounts.h"
#include "fault.h"
#include "fd-util.h"
#include "mount-support.h"
#include "privs.h"
#include "strutil.h"
#include "trusted-path.h"

#define SN_NSFS_MAGIC 0x6e736673
#define SN_NSIO 0xb7
#define SN_NS_GET_MNTNS_ID _IOR(SN_NSIO, 0x5, uint64_t)
/* Attempts to get a namespace id that sorts after the capture helper's (the 6.18 mnt_ns_loop bug). */
#define SN_MAX_UNSHARE_TRIES 64

int sn_confine_mntns_id(int nsfd, uint64_t *ret_id)
{
    uint64_t id = 0;
    if (ioctl(nsfd, SN_NS_GET_MNTNS_ID, &id) < 0)
        return sn_negative_errno();
    *ret_id = id;
    return 0;
}

static const char *fdpath(char buf[static 32], int fd)
{
    snprintf(buf, 32, "/proc/self/fd/%d", fd);
    return buf;
}

static int must_lock(int lockdir, const char *name)
{
    int fd = openat(lockdir, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        sn_confine_die("cannot open lock %s: %m", name);
    if (flock(fd, LOCK_EX) < 0)
        sn_confine_die("cannot lock %s: %m", name);
    return fd;
}

/* The mount id of an fd (statx STATX_MNT_ID, Linux 5.8+). */
static uint64_t mount_id(int fd)
{
    struct statx stx;
    if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0 || !(stx.stx_mask & STATX_MNT_ID))
        sn_confine_die("cannot read a mount id: %m");
    return stx.stx_mnt_id;
}

/* Whether the mount with this id propagates (a "shared:" tag in its mountinfo line). */
static bool mount_is_shared(uint64_t id)
{
    _sn_free_ char *info = NULL;
    int r = sn_read_file_at(AT_FDCWD, "/proc/self/mountinfo", 16 << 20, &info, NULL);
    if (r < 0)
        sn_confine_die("cannot read mountinfo: %s", strerror(-r));
    for (char *line = info; line && *line;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        unsigned long long mid = 0;
        if (sscanf(line, "%llu ", &mid) == 1 && mid == id) {
            /* Optional fields sit between the mount options and " - ". */
            char *sep = strstr(line, " - ");
            if (sep)
                *sep = '\0';
            return strstr(line, " shared:") != NULL;
        }
        line = end ? end + 1 : NULL;
    }
    sn_confine_die("mount %llu is not in mountinfo", (unsigned long long)id);
}

/*
 * snapd's sc_initialize_mount_ns: the ns directory must be a private mount, or the bind of an ns file
 * would propagate into the namespace it preserves. Mount points are told by mount ids, not by paths.
 */
static int ensure_private_ns_dir(int rootfd, int nsdir)
{
    char s[32];
    _sn_close_ int parent = openat(nsdir, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (parent < 0)
        sn_confine_die("cannot open the parent of the namespace directory: %m");
    if (mount_id(parent) == mount_id(nsdir)) {
        if (mount(fdpath(s, nsdir), fdpath(s, nsdir), NULL, MS_BIND, NULL) < 0)
            sn_confine_die("cannot bind the namespace directory onto itself: %m");
    }
    SnError *err = NULL;
    int fd = sn_confine_open_trusted_dir(rootfd, "run/snapd/ns", false, &err);
    if (fd < 0)
        sn_confine_die_error(err, fd, "namespace directory");
    if (mount_is_shared(mount_id(fd)) && mount(NULL, fdpath(s, fd), NULL, MS_PRIVATE, NULL) < 0)
        sn_confine_die("cannot make the namespace directory private: %m");
    return fd;
}

static bool base_matches(int nsdir, const char *name, const char *base)
{
    _sn_free_ char *info = NULL;
    _sn_free_ char *file = sn_strdup_printf("snap.%s.info", name);
    _sn_free_ char *want = sn_strdup_printf("base-snap-name=%s\n", base);
    if (!file || !want)
        sn_confine_die("out of memory");
    _sn_close_ int fd = openat(nsdir, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || sn_read_fd_all(fd, 4096, &info, NULL) < 0)
        return false;
    return SN_STREQ(info, want);
}

/* Moves to the next allowed CPU, so that the next unshare draws its id from another per-CPU batch. */
static void hop_cpu(const cpu_set_t *allowed)
{
    int cur = sched_getcpu();
    for (int k = 1; k <= CPU_SETSIZE; k++) {
        int c = (cur + k) % CPU_SETSIZE;
        if (CPU_ISSET(c, allowed)) {
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(c, &one);
            if (sched_setaffinity(0, sizeof(one), &one) < 0)
                sn_confine_die("cannot move to CPU %d: %m", c);
            return;
        }
    }
}

/* unshare(CLONE_NEWNS) until the new namespace's id sorts after parent_id (6.18's per-CPU ids). */
static void unshare_ordered(int parent_nsfd)
{
    uint64_t parent_id = 0;
    /* The fault point lets a test measure what the check prevents (root callers only: SN_FAULTS is secure_getenv'd). */
    bool check = !sn_faulty("skip-ns-id-order") && sn_confine_mntns_id(parent_nsfd, &parent_id) == 0;
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
        sn_confine_die("cannot read the CPU affinity: %m");
    for (int tries = 0;; tries++) {
        if (sn_faulty("unshare") || unshare(CLONE_NEWNS) < 0)
            sn_confine_die("cannot create a mount namespace: %m");
        if (!check)
            break;
        _sn_close_ int self = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
        uint64_t id = 0;
        if (self < 0 || sn_confine_mntns_id(self, &id) < 0)
            sn_confine_die("cannot read the new mount namespace id: %m");
        if (id > parent_id)
            break;
        if (tries >= SN_MAX_UNSHARE_TRIES)
            sn_confine_die("no mount namespace id after %llu in %d tries", (unsigned long long)parent_id, tries);
        hop_cpu(&allowed);
    }
    if (sched_setaffinity(0, sizeof(allowed), &allowed) < 0)
        sn_confine_die("cannot restore the CPU affinity: %m");
}

/* The capture helper: waits for the go, then binds /proc/PID/ns/mnt onto the ns file and reports errno. */
_sn_noreturn_ static void capture_helper(pid_t parent, int nsfile, int go, int done)
{
    char c;
    if (read(go, &c, 1) != 1)
        _exit(1);
    char src[64], dst[32];
    snprintf(src, sizeof(src), "/proc/%d/ns/mnt", (int)parent);
    int err = 0;
    if (sn_faulty("capture") || mount(src, fdpath(dst, nsfile), NULL, MS_BIND, NULL) < 0)
        err = errno ? errno : EIO;
    if (write(done, &err, sizeof(err)) != sizeof(err))
        _exit(1);
    _exit(0);
}

static void create_ns(const SnInvocation *inv, const SnPolicyBlob *blob, int nsdir, int nsfile)
{
    _sn_close_ int parent_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
    if (parent_ns < 0)
        sn_confine_die("cannot open the current mount namespace: %m");
    int go[2], done[2];
    if (pipe2(go, O_CLOEXEC) < 0 || pipe2(done, O_CLOEXEC) < 0)
        sn_confine_die("cannot create pipes: %m");
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        sn_confine_die("cannot fork the capture helper: %m");
    if (pid == 0) {
        close(go[1]);
        close(done[0]);
        capture_helper(parent, nsfile, go[0], done[1]);
    }
    close(go[0]);
    close(done[1]);

    unshare_ordered(parent_ns);
    sn_confine_populate_mount_ns(inv);
    /* A new namespace has none of the snap's content yet (a joined one keeps what the daemon mounted). */
    sn_confine_apply_content_mounts(inv, blob, nsdir);

    _sn_free_ char *info = sn_strdup_printf("snap.%s.info", inv->snap_name);
    _sn_free_ char *text = sn_strdup_printf("base-snap-name=%s\n", inv->base);
    if (!info || !text)
        sn_confine_die("out of memory");
    _sn_close_ int fd = openat(nsdir, info, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 || sn_write_all(fd, text, strlen(text)) < 0)
        sn_confine_die("cannot write %s: %m", info);

    int err = 0;
    if (write(go[1], "g", 1) != 1 || read(done[0], &err, sizeof(err)) != sizeof(err))
        sn_confine_die("the capture helper did not answer");
    close(go[1]);
    close(done[0]);
    int status = 0;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        sn_confine_die("the capture helper failed");
    if (err) {
        errno = err;
        sn_confine_die("cannot preserve the mount namespace of %s: %m", inv->snap_name);
    }
}

void sn_confine_enter_mount_ns(const SnInvocation *inv, const SnPolicyBlob *blob, int rootfd)
{
    SnError *err = NULL;
    _sn_close_ int lockdir = sn_confine_mkdir_trusted(rootfd, "run/snapd/lock", 0755, &err);
    if (lockdir < 0)
        sn_confine_die_error(err, lockdir, "lock directory");
    _sn_close_ int nsdir_plain = sn_confine_mkdir_trusted(rootfd, "run/snapd/ns", 0755, &err);
    if (nsdir_plain < 0)
        sn_confine_die_error(err, nsdir_plain, "namespace directory");

    _sn_close_ int global = must_lock(lockdir, ".lock");
    _sn_close_ int nsdir = ensure_private_ns_dir(rootfd, nsdir_plain);
    global = sn_safe_close(global);

    _sn_free_ char *lockname = sn_strdup_printf("%s.lock", inv->snap_name);
    _sn_free_ char *nsname = sn_strdup_printf("snap.%s.mnt", inv->snap_name);
    if (!lockname || !nsname)
        sn_confine_die("out of memory");
    _sn_unused_ _sn_close_ int lock = must_lock(lockdir, lockname); /* held until return */

    _sn_close_ int nsfile = openat(nsdir, nsname, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (nsfile < 0)
        sn_confine_die("cannot open %s: %m", nsname);
    struct statfs sfs;
    if (fstatfs(nsfile, &sfs) < 0)
        sn_confine_die("cannot inspect %s: %m", nsname);
    if (sfs.f_type == SN_NSFS_MAGIC) {
        if (base_matches(nsdir, inv->snap_name, inv->base)) {
            if (sn_faulty("setns") || setns(nsfile, CLONE_NEWNS) < 0)
                sn_confine_die("cannot join the preserved mount namespace of %s: %m", inv->snap_name);
            if (chdir("/") < 0)
                sn_confine_die("cannot chdir to /: %m");
            return;
        }
        /* Built on another base: discard it (snap-discard-ns) and build a new one. */
        char p[32];
        if (umount2(fdpath(p, nsfile), MNT_DETACH) < 0)
            sn_confine_die("cannot discard the stale mount namespace of %s: %m", inv->snap_name);
        nsfile = sn_safe_close(nsfile);
        nsfile = openat(nsdir, nsname, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (nsfile < 0 || fstatfs(nsfile, &sfs) < 0 || sfs.f_type == SN_NSFS_MAGIC)
            sn_confine_die("cannot reopen %s after discarding it", nsname);
    }
    create_ns(inv, blob, nsdir, nsfile);
}
