/* SPDX-License-Identifier: GPL-3.0-only */
#include "trusted-path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"
#include "macros.h"

bool sn_confine_stat_is_trusted(const struct stat *st)
{
    if (st->st_uid != 0)
        return false;
    if (st->st_mode & S_ISVTX)
        return true;
    if (st->st_mode & S_IWOTH)
        return false;
    return !(st->st_mode & S_IWGRP) || st->st_gid == 0;
}

/* Opens one component below cur (no symlinks unless follow), checks it, returns the fd. */
static int step(int cur, const char *name, bool follow, const char *what, SnError **reterr)
{
    if (!*name || SN_STREQ(name, ".") || SN_STREQ(name, "..") || strchr(name, '/'))
        return sn_error_set(reterr, -EINVAL, "%s: invalid path component \"%s\"", what, name);
    _sn_close_ int fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return sn_error_set(reterr, sn_negative_errno(), "%s: cannot open \"%s\"", what, name);
    struct stat st;
    if (fstat(fd, &st) < 0)
        return sn_error_set(reterr, sn_negative_errno(), "%s: cannot stat \"%s\"", what, name);
    if (S_ISLNK(st.st_mode)) {
        if (!follow || st.st_uid != 0)
            return sn_error_set(reterr, -ELOOP, "%s: \"%s\" is a symlink", what, name);
        char target[NAME_MAX + 1];
        ssize_t n = readlinkat(fd, "", target, sizeof(target));
        if (n <= 0 || (size_t)n >= sizeof(target))
            return sn_error_set(reterr, -ELOOP, "%s: cannot read symlink \"%s\"", what, name);
        target[n] = '\0';
        if (strchr(target, '/') || SN_STREQ(target, ".") || SN_STREQ(target, ".."))
            return sn_error_set(reterr, -ELOOP, "%s: symlink \"%s\" does not name a sibling", what, name);
        return step(cur, target, false, what, reterr);
    }
    if (!S_ISDIR(st.st_mode))
        return sn_error_set(reterr, -ENOTDIR, "%s: \"%s\" is not a directory", what, name);
    if (sn_faulty("trusted-path") || !sn_confine_stat_is_trusted(&st))
        return sn_error_set(reterr, -EPERM,
                            "%s: \"%s\" is not owned by root or is writable by others (uid %u, mode %04o)", what, name,
                            (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
    return SN_TAKE_FD(fd);
}

static int walk(int dirfd, const char *rel, bool follow_last, bool create, mode_t mode, const char *what,
                SnError **reterr)
{
    _sn_free_ char *copy = strdup(rel);
    if (!copy)
        return -ENOMEM;
    _sn_close_ int cur = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
    if (cur < 0)
        return sn_negative_errno();
    char *save = NULL;
    for (char *part = strtok_r(copy, "/", &save); part;) {
        char *next = strtok_r(NULL, "/", &save);
        if (create && mkdirat(cur, part, mode) < 0 && errno != EEXIST)
            return sn_error_set(reterr, sn_negative_errno(), "%s: cannot create \"%s\"", what, part);
        int fd = step(cur, part, follow_last && !next, what, reterr);
        if (fd < 0)
            return fd;
        sn_safe_close(cur);
        cur = fd;
        part = next;
    }
    return SN_TAKE_FD(cur);
}

int sn_confine_open_root(const char *root, SnError **reterr)
{
    _sn_close_ int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot open /");
    struct stat st;
    if (fstat(fd, &st) < 0 || !sn_confine_stat_is_trusted(&st))
        return sn_error_set(reterr, -EPERM, "/ is not owned by root");
    if (!root || !*root || SN_STREQ(root, "/"))
        return SN_TAKE_FD(fd);
    int r = walk(fd, root + 1, false, false, 0, "SNAPPY_GLOBAL_ROOT", reterr);
    return r < 0 ? sn_error_prefix(reterr, r, "refusing SNAPPY_GLOBAL_ROOT %s", root) : r;
}

int sn_confine_open_trusted_dir(int dirfd, const char *rel, bool follow_last, SnError **reterr)
{
    return walk(dirfd, rel, follow_last, false, 0, rel, reterr);
}

int sn_confine_mkdir_trusted(int dirfd, const char *rel, mode_t mode, SnError **reterr)
{
    return walk(dirfd, rel, false, true, mode, rel, reterr);
}
