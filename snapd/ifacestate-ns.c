/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Content mounts in a preserved mount namespace: the daemon's equivalent of snap-update-ns for the
 * content interface. The daemon is multi-threaded and setns(CLONE_NEWNS) needs a single-threaded
 * caller, so a forked child enters the namespace; it only makes system calls on strings prepared
 * before the fork, and reports the first failure (index and errno) through a pipe. Paths are opened
 * with sn_policy_mount_open_dir (no symlink followed: a provider controls its squashfs and its
 * $SNAP_DATA), as snap-confine does when it applies the same list to a namespace it creates
 * (confine/content-mounts.c); both write and read the same record, run/snapd/ns/snap.NAME.content.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"
#include "ifacestate-internal.h"
#include "policy-blob.h"
#include "strutil.h"

#define NSFS_MAGIC 0x6e736673

typedef struct Op {
    bool mount; /* else unmount */
    bool read_only;
    bool mkdir_target;
    const char *source;
    const char *target;
} Op;

static const char *fdpath(char buf[static 32], int fd)
{
    snprintf(buf, 32, "/proc/self/fd/%d", fd);
    return buf;
}

/* One operation inside the namespace; 0 or an errno. Stack only: this runs in the forked child. */
static int child_op(int rootfd, const Op *op)
{
    char s[32], d[32];
    if (!op->mount) {
        int fd = sn_policy_mount_open_dir(rootfd, op->target, false, NULL);
        if (fd == -ENOENT)
            return 0;
        if (fd < 0)
            return -fd;
        /* The magic link names the mount on top of the target: detach it (EINVAL: nothing mounted). */
        int r = umount2(fdpath(d, fd), MNT_DETACH) < 0 && errno != EINVAL ? errno : 0;
        close(fd);
        return r;
    }
    int src = sn_policy_mount_open_dir(rootfd, op->source, false, NULL);
    if (src < 0)
        return -src;
    int dst = sn_policy_mount_open_dir(rootfd, op->target, op->mkdir_target, NULL);
    if (dst < 0) {
        close(src);
        return -dst;
    }
    int r = mount(fdpath(s, src), fdpath(d, dst), NULL, MS_BIND, NULL) < 0 ? errno : 0;
    close(dst);
    if (r || !op->read_only) {
        close(src);
        return r;
    }
    /* Apps may run in this namespace: the path reopened must lead to the source's directory. */
    int top = sn_policy_mount_open_dir(rootfd, op->target, false, NULL);
    struct stat a, b;
    if (top >= 0 && (fstat(top, &a) < 0 || fstat(src, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino)) {
        close(top);
        top = -EXDEV;
    }
    close(src);
    if (top < 0)
        return -top;
    struct statvfs sv;
    if (mount(NULL, fdpath(d, top), NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
        r = errno;
    else if (fstatvfs(top, &sv) < 0 || !(sv.f_flag & ST_RDONLY))
        r = EROFS; /* read back: a read-only share must not come out writable */
    close(top);
    return r;
}

static _sn_noreturn_ void child(int nsfd, const Op *ops, size_t n, int report)
{
    int result[2] = {-1, 0};
    if (setns(nsfd, CLONE_NEWNS) < 0) {
        result[1] = errno;
        goto out;
    }
    int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) {
        result[1] = errno;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        result[0] = (int)i;
        result[1] = child_op(rootfd, &ops[i]);
        if (result[1])
            goto out;
    }
    result[0] = -1;
out:
    (void)!write(report, result, sizeof(result));
    _exit(result[1] ? 1 : 0);
}

/* Each line of the record: "ro|rw SOURCE TARGET". */
static int read_record(const char *path, char ***ret_lines)
{
    _sn_free_ char *text = NULL;
    int r = sn_read_file_at(AT_FDCWD, path, 1 << 20, &text, NULL);
    *ret_lines = NULL;
    if (r == -ENOENT)
        return 0;
    if (r < 0)
        return r;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        if (*l && sn_strv_push(ret_lines, l) < 0)
            return -ENOMEM;
    return 0;
}

static char *mount_line(const SnIfaceMount *m)
{
    return sn_strdup_printf("%s %s %s", m->read_only ? "ro" : "rw", m->source, m->target);
}

int sn_ifacestate_ns_update(const char *root, const char *name, const SnIfaceMount *want, size_t n_want, bool strict,
                            SnError **reterr)
{
    _sn_free_ char *nsfile = sn_strdup_printf("%s/run/snapd/ns/snap.%s.mnt", root, name);
    _sn_free_ char *record = sn_strdup_printf("%s/run/snapd/ns/snap.%s.content", root, name);
    _sn_free_ char *lock = sn_strdup_printf("%s/run/snapd/lock/%s.lock", root, name);
    if (!nsfile || !record || !lock)
        return -ENOMEM;
    for (size_t i = 0; i < n_want; i++) {
        int r = sn_policy_mount_check(name, want[i].read_only ? SN_POLICY_MOUNT_READ_ONLY : 0, want[i].source,
                                      want[i].target, reterr);
        if (r < 0)
            return r;
    }
    /*
     * snap-confine's per-snap lock: a launch that is creating the namespace (and writing the record
     * of the mounts it made from the blob) finishes first. No lock file: no launch ever ran.
     */
    _sn_close_ int lockfd = open(lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (lockfd >= 0 && flock(lockfd, LOCK_EX) < 0)
        return sn_error_set(reterr, -errno, "cannot lock %s: %m", lock);
    _sn_close_ int nsfd = open(nsfile, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct statfs sfs;
    if (nsfd < 0 || fstatfs(nsfd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC) {
        /* No preserved namespace (or only the file a failed launch left): nothing is mounted anywhere. */
        if (unlink(record) < 0 && errno != ENOENT)
            return sn_error_set(reterr, -errno, "cannot remove %s: %m", record);
        return 0;
    }
    _sn_strv_free_ char **had = NULL;
    int r = read_record(record, &had);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot read %s: %s", record, strerror(-r));
    _sn_strv_free_ char **now = NULL;
    for (size_t i = 0; i < n_want; i++) {
        _sn_free_ char *l = mount_line(&want[i]);
        if (!l || sn_strv_push(&now, l) < 0)
            return -ENOMEM;
    }

    /* Unmount the old ones that go (last first), mount the new ones (in order). */
    size_t n_had = sn_strv_length(had), n_ops = 0;
    Op *ops = calloc(n_had + n_want + 1, sizeof(Op));
    if (!ops)
        return -ENOMEM;
    for (size_t i = n_had; i-- > 0;) {
        if (sn_strv_contains(now, had[i]))
            continue;
        char *t = strrchr(had[i], ' ');
        if (t)
            ops[n_ops++] = (Op){.mount = false, .target = t + 1};
    }
    for (size_t i = 0; i < n_want; i++) {
        if (sn_strv_contains(had, now[i]))
            continue;
        ops[n_ops++] = (Op){.mount = true,
                            .read_only = want[i].read_only,
                            .mkdir_target = sn_startswith(want[i].target, "/var/snap/"),
                            .source = want[i].source,
                            .target = want[i].target};
    }
    if (n_ops == 0) {
        free(ops);
        return 0;
    }
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        free(ops);
        return sn_error_set(reterr, -errno, "cannot create a pipe: %m");
    }
    pid_t pid = fork();
    if (pid < 0) {
        r = -errno;
        close(pipefd[0]);
        close(pipefd[1]);
        free(ops);
        return sn_error_set(reterr, r, "cannot fork: %s", strerror(-r));
    }
    if (pid == 0)
        child(nsfd, ops, n_ops, pipefd[1]);
    close(pipefd[1]);
    int result[2] = {-1, EIO};
    ssize_t got = read(pipefd[0], result, sizeof(result));
    close(pipefd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (got != (ssize_t)sizeof(result) || result[1] != 0) {
        /*
         * Half done (the old mounts may be gone already): the namespace no longer matches any record,
         * so it is discarded, as snap-discard-ns would. Running apps keep theirs; the next launch
         * builds a new one from the blobs, which already hold the wanted mounts.
         */
        _sn_free_ char *info = sn_strdup_printf("%s/run/snapd/ns/snap.%s.info", root, name);
        (void)umount2(nsfile, MNT_DETACH | UMOUNT_NOFOLLOW);
        (void)unlink(nsfile);
        if (info)
            (void)unlink(info);
        (void)unlink(record);
        if (!strict) {
            free(ops);
            return 0;
        }
        const Op *op = result[0] >= 0 && (size_t)result[0] < n_ops ? &ops[result[0]] : NULL;
        r = sn_error_set(reterr, -(result[1] ? result[1] : EIO),
                         "cannot %s %s in the mount namespace of snap \"%s\": %s",
                         op && !op->mount ? "unmount" : "mount", op ? op->target : "content", name,
                         strerror(result[1] ? result[1] : EIO));
        free(ops);
        return r;
    }
    free(ops);
    /* The record says what the namespace now has. */
    SnBuf b = {0};
    for (size_t i = 0; now && now[i]; i++)
        sn_buf_printf(&b, "%s\n", now[i]);
    if (!sn_buf_ok(&b)) {
        sn_buf_done(&b);
        return -ENOMEM;
    }
    r = sn_write_file_atomic(AT_FDCWD, record, b.data ? b.data : "", b.len, 0644);
    sn_buf_done(&b);
    return r < 0 ? sn_error_set(reterr, r, "cannot write %s: %s", record, strerror(-r)) : 0;
}
