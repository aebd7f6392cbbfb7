/* SPDX-License-Identifier: GPL-3.0-only */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "fd-util.h"
#include "macros.h"
#include "strutil.h"

int sn_fsync_parent(int dirfd, const char *path)
{
    _sn_free_ char *copy = strdup(path);
    if (!copy)
        return -ENOMEM;
    const char *dir = dirname(copy);
    _sn_close_ int fd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return sn_negative_errno();
    if (fsync(fd) < 0)
        return sn_negative_errno();
    return 0;
}

int sn_atomic_begin(int dirfd, const char *path, mode_t mode, int *ret_fd, char **ret_tmp)
{
    _sn_free_ char *copy = strdup(path);
    if (!copy)
        return -ENOMEM;
    const char *base = basename(copy);
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path + 1) : 0;
    for (int attempt = 0; attempt < 100; attempt++) {
        _sn_free_ char *tmp =
            sn_strdup_printf("%.*s.#%s.%x%x", dirlen, path, base, (unsigned)getpid(), (unsigned)random());
        if (!tmp)
            return -ENOMEM;
        int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0) {
            if (errno == EEXIST)
                continue;
            return sn_negative_errno();
        }
        /* The umask must not weaken or widen the mode we were asked for. */
        if (fchmod(fd, mode) < 0) {
            int r = sn_negative_errno();
            unlinkat(dirfd, tmp, 0);
            close(fd);
            return r;
        }
        *ret_fd = fd;
        *ret_tmp = SN_TAKE_PTR(tmp);
        return 0;
    }
    return -EEXIST;
}

int sn_atomic_commit(int dirfd, int fd, const char *tmp, const char *path)
{
    int r = 0;
    if (sn_faulty("fsync") || fsync(fd) < 0)
        r = sn_negative_errno();
    else if (sn_faulty("rename") || renameat(dirfd, tmp, dirfd, path) < 0)
        r = sn_negative_errno();
    if (r < 0) {
        unlinkat(dirfd, tmp, 0);
        return r;
    }
    return sn_fsync_parent(dirfd, path);
}

void sn_atomic_abort(int dirfd, const char *tmp)
{
    if (tmp)
        unlinkat(dirfd, tmp, 0);
}

int sn_write_file_atomic(int dirfd, const char *path, const void *data, size_t len, mode_t mode)
{
    _sn_close_ int fd = -1;
    _sn_free_ char *tmp = NULL;
    int r = sn_atomic_begin(dirfd, path, mode, &fd, &tmp);
    if (r < 0)
        return r;
    r = sn_faulty("write") ? -ENOSPC : sn_write_all(fd, data, len);
    if (r < 0) {
        sn_atomic_abort(dirfd, tmp);
        return r;
    }
    return sn_atomic_commit(dirfd, fd, tmp, path);
}

int sn_mkdir_p(const char *path, mode_t mode)
{
    _sn_free_ char *copy = strdup(path);
    if (!copy)
        return -ENOMEM;
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, mode) < 0 && errno != EEXIST)
            return sn_negative_errno();
        *p = '/';
    }
    if (mkdir(copy, mode) < 0 && errno != EEXIST)
        return sn_negative_errno();
    return 0;
}
