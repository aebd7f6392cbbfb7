/* SPDX-License-Identifier: GPL-3.0-only */
#include "cookie-support.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "macros.h"
#include "strutil.h"
#include "trusted-path.h"

#define COOKIE_DIR "var/lib/snapd/cookie"

bool sn_confine_cookie_valid(const char *s, size_t len)
{
    if (len == 0 || len > SN_CONFINE_COOKIE_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return true;
}

int sn_confine_read_cookie(int rootfd, const char *instance, char **ret_cookie, SnError **reterr)
{
    SnError *err = NULL;
    _sn_close_ int dir = sn_confine_open_trusted_dir(rootfd, COOKIE_DIR, false, &err);
    if (dir < 0) {
        if (dir != -ENOENT && reterr && !*reterr)
            *reterr = SN_TAKE_PTR(err);
        sn_error_free(err);
        return dir == -ENOENT ? 0 : dir;
    }
    _sn_free_ char *name = sn_strdup_printf("snap.%s", instance);
    if (!name)
        return -ENOMEM;
    _sn_close_ int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        int r = sn_negative_errno();
        if (r == -ENOENT)
            return 0;
        if (r == -ELOOP)
            return sn_error_set(reterr, r, "the cookie %s/%s is a symlink", COOKIE_DIR, name);
        return sn_error_set(reterr, r, "cannot open the cookie %s/%s: %s", COOKIE_DIR, name, strerror(-r));
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot stat the cookie %s/%s", COOKIE_DIR, name);
    if (!S_ISREG(st.st_mode))
        return sn_error_set(reterr, -EINVAL, "the cookie %s/%s is not a regular file", COOKIE_DIR, name);
    if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
        return sn_error_set(reterr, -EPERM,
                            "the cookie %s/%s is not root's or is writable by others (uid %u, mode %04o)", COOKIE_DIR,
                            name, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
    if (st.st_size > SN_CONFINE_COOKIE_MAX)
        return sn_error_set(reterr, -EFBIG, "the cookie %s/%s is larger than %d bytes", COOKIE_DIR, name,
                            SN_CONFINE_COOKIE_MAX);
    _sn_free_ char *data = NULL;
    size_t len = 0;
    int r = sn_read_fd_all(fd, SN_CONFINE_COOKIE_MAX, &data, &len);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot read the cookie %s/%s", COOKIE_DIR, name);
    if (!sn_confine_cookie_valid(data, len))
        return sn_error_set(reterr, -EINVAL, "the cookie %s/%s is empty or has a character outside [A-Za-z0-9_-]",
                            COOKIE_DIR, name);
    *ret_cookie = SN_TAKE_PTR(data);
    return 1;
}
