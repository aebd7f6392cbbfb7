/* SPDX-License-Identifier: GPL-3.0-only */
#include "content-mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fault.h"
#include "fd-util.h"
#include "log.h"
#include "privs.h"
#include "strutil.h"

static const char *fdpath(char buf[static 32], int fd)
{
    snprintf(buf, 32, "/proc/self/fd/%d", fd);
    return buf;
}

/* Binds one entry; false (with a warning) when the source or target cannot be opened safely. */
static bool apply_one(int rootfd, const char *source, const char *target, bool read_only)
{
    SnError *err = NULL;
    _sn_close_ int src = sn_policy_mount_open_dir(rootfd, source, false, &err);
    if (src < 0) {
        sn_log_warning("skipping content mount %s -> %s: source %s", source, target, err ? err->message : "");
        sn_error_free(err);
        return false;
    }
    _sn_close_ int dst = sn_policy_mount_open_dir(rootfd, target, true, &err);
    if (dst < 0) {
        sn_log_warning("skipping content mount %s -> %s: target %s", source, target, err ? err->message : "");
        sn_error_free(err);
        return false;
    }
    char s[32], d[32];
    if (sn_faulty("content-mount") || mount(fdpath(s, src), fdpath(d, dst), NULL, MS_BIND, NULL) < 0)
        sn_confine_die("cannot bind %s onto %s: %m", source, target);
    if (!read_only)
        return true;
    /* dst still names the covered directory: reopen the path to reach the new mount on top of it. */
    _sn_close_ int top = sn_policy_mount_open_dir(rootfd, target, false, &err);
    if (top < 0)
        sn_confine_die_error(err, top, "cannot reopen a content mount target");
    /* It must be the source's directory, or the read-only flag would land on something else. */
    struct stat a, b;
    if (fstat(top, &a) < 0 || fstat(src, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino)
        sn_confine_die("the content mount at %s is not the one just made", target);
    if (sn_faulty("content-remount") ||
        mount(NULL, fdpath(d, top), NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
        sn_confine_die("cannot make %s read-only: %m", target);
    /* Read back: a read-only share that came out writable must never reach the app. */
    _sn_close_ int check = openat(top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct statvfs sv;
    if (check < 0 || fstatvfs(check, &sv) < 0 || !(sv.f_flag & ST_RDONLY))
        sn_confine_die("the content mount at %s is not read-only", target);
    return true;
}

void sn_confine_apply_content_mounts(const SnInvocation *inv, const SnPolicyBlob *blob, int nsdir)
{
    size_t n = 0;
    const SnPolicyMountEntry *entries = sn_policy_blob_mounts(blob, &n);
    SnBuf record = {0};
    _sn_close_ int rootfd = -1;
    if (n > 0) {
        rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
            sn_confine_die("cannot open the namespace's root: %m");
    }
    for (size_t i = 0; i < n; i++) {
        const char *source = sn_policy_blob_mount_source(blob, &entries[i]);
        const char *target = sn_policy_blob_mount_target(blob, &entries[i]);
        bool ro = entries[i].flags & SN_POLICY_MOUNT_READ_ONLY;
        /* The parser checked the grammar; only here is the snap known: its own directories only. */
        SnError *err = NULL;
        int r = sn_policy_mount_check(inv->snap_name, entries[i].flags, source, target, &err);
        if (r < 0)
            sn_confine_die_error(err, r, "refusing the policy");
        if (apply_one(rootfd, source, target, ro))
            sn_buf_printf(&record, "%s %s %s\n", ro ? "ro" : "rw", source, target);
    }
    if (!sn_buf_ok(&record))
        sn_confine_die("out of memory");

    /* Always written: a record left by a namespace discarded earlier must not describe this one. */
    _sn_free_ char *name = sn_strdup_printf("snap.%s.content", inv->snap_name);
    if (!name)
        sn_confine_die("out of memory");
    _sn_close_ int fd = openat(nsdir, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 || sn_write_all(fd, record.data ? record.data : "", record.len) < 0)
        sn_confine_die("cannot write %s: %m", name);
    sn_buf_done(&record);
}
