/* SPDX-License-Identifier: GPL-3.0-only */
#include "snap-link.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "macros.h"

int sn_link_set_current(const char *dir, const char *target, SnError **reterr)
{
    _sn_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (dfd < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot open %s: %m", dir);
    char cur[PATH_MAX];
    ssize_t n = readlinkat(dfd, "current", cur, sizeof(cur) - 1);
    if (n >= 0) {
        cur[n] = '\0';
        if (SN_STREQ(cur, target))
            return 0;
    }
    (void)unlinkat(dfd, ".current.new", 0);
    if (symlinkat(target, dfd, ".current.new") < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot create a symlink in %s: %m", dir);
    if (sn_faulty("link-rename") || renameat(dfd, ".current.new", dfd, "current") < 0) {
        int e = errno ? sn_negative_errno() : -EIO;
        (void)unlinkat(dfd, ".current.new", 0);
        return sn_error_set(reterr, e, "cannot switch %s/current to %s: %s", dir, target, strerror(-e));
    }
    if (fsync(dfd) < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot sync %s: %m", dir);
    return 0;
}

int sn_link_remove_current(const char *dir, SnError **reterr)
{
    _sn_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (dfd < 0) {
        if (errno == ENOENT)
            return 0;
        return sn_error_set(reterr, sn_negative_errno(), "cannot open %s: %m", dir);
    }
    (void)unlinkat(dfd, ".current.new", 0);
    if (unlinkat(dfd, "current", 0) < 0) {
        if (errno == ENOENT)
            return 0;
        return sn_error_set(reterr, sn_negative_errno(), "cannot remove %s/current: %m", dir);
    }
    if (fsync(dfd) < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot sync %s: %m", dir);
    return 0;
}

int sn_link_read_current(const char *dir, char **ret_target)
{
    _sn_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (dfd < 0)
        return sn_negative_errno();
    char cur[PATH_MAX];
    ssize_t n = readlinkat(dfd, "current", cur, sizeof(cur) - 1);
    if (n < 0)
        return sn_negative_errno();
    cur[n] = '\0';
    char *t = strdup(cur);
    if (!t)
        return -ENOMEM;
    *ret_target = t;
    return 0;
}
