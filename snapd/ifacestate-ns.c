/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Content mounts in a preserved mount namespace: the daemon's equivalent of snap-update-ns for the
 * content interface. The daemon is multi-threaded and setns(CLONE_NEWNS) needs a single-threaded
 * caller, so a forked child enters the namespace; it only makes system calls on strings prepared
 * before the fork, and reports the first failure (index and errno) through a pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"
#include "ifacestate-internal.h"
#include "strutil.h"

typedef struct Op {
    bool mount; /* else unmount */
    bool read_only;
    bool mkdir_target;
    const char *source;
    const char *target;
} Op;

/* Creates target's missing directories (as root, inside the namespace), without following symlinks. */
static int mkdir_beneath(const char *target)
{
    char buf[4096];
    size_t n = strlen(target);
    if (n >= sizeof(buf))
        return -ENAMETOOLONG;
    memcpy(buf, target, n + 1);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            struct stat st;
            if (lstat(buf, &st) < 0) {
                if (errno != ENOENT || mkdir(buf, 0755) < 0)
                    return -errno;
            } else if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
            *p = c;
            if (!c)
                return 0;
        }
    }
}

static _sn_noreturn_ void child(int nsfd, const Op *ops, size_t n, int report)
{
    int result[2] = {-1, 0};
    if (setns(nsfd, CLONE_NEWNS) < 0) {
        result[1] = errno;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const Op *op = &ops[i];
        result[0] = (int)i;
        if (!op->mount) {
            if (umount2(op->target, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT) {
                result[1] = errno;
                goto out;
            }
            continue;
        }
        if (op->mkdir_target) {
            int r = mkdir_beneath(op->target);
            if (r < 0) {
                result[1] = -r;
                goto out;
            }
        }
        struct stat st;
        if (lstat(op->target, &st) < 0 || !S_ISDIR(st.st_mode) || lstat(op->source, &st) < 0 || !S_ISDIR(st.st_mode)) {
            result[1] = errno ? errno : ENOTDIR;
            goto out;
        }
        if (mount(op->source, op->target, NULL, MS_BIND, NULL) < 0 ||
            (op->read_only &&
             mount(NULL, op->target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)) {
            result[1] = errno;
            goto out;
        }
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

int sn_ifacestate_ns_update(const char *root, const char *name, const SnIfaceMount *want, size_t n_want,
                            SnError **reterr)
{
    _sn_free_ char *nsfile = sn_strdup_printf("%s/run/snapd/ns/snap.%s.mnt", root, name);
    _sn_free_ char *record = sn_strdup_printf("%s/run/snapd/ns/snap.%s.content", root, name);
    if (!nsfile || !record)
        return -ENOMEM;
    _sn_close_ int nsfd = open(nsfile, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (nsfd < 0) {
        /* No preserved namespace: nothing is mounted anywhere. */
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
