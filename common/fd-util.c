/* SPDX-License-Identifier: GPL-3.0-only */
#include "fd-util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fault.h"

int sn_openat_beneath_fallback(int dirfd, const char *path, int flags, mode_t mode)
{
    if (!path || !*path || path[0] == '/')
        return -EXDEV;
    _sn_free_ char *copy = strdup(path);
    if (!copy)
        return -ENOMEM;
    _sn_close_ int cur = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
    if (cur < 0)
        return sn_negative_errno();
    char *save = NULL;
    char *part = strtok_r(copy, "/", &save);
    while (part) {
        char *next = strtok_r(NULL, "/", &save);
        if (strcmp(part, "..") == 0)
            return -EXDEV;
        if (strcmp(part, ".") == 0) {
            if (!next) {
                int fd = openat(cur, ".", flags | O_CLOEXEC | O_NOFOLLOW, mode);
                return fd < 0 ? sn_negative_errno() : fd;
            }
            part = next;
            continue;
        }
        if (next) {
            int fd = openat(cur, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0) {
                /* O_NOFOLLOW with O_PATH|O_DIRECTORY reports a symlink as ENOTDIR. */
                struct stat st;
                if (errno == ENOTDIR && fstatat(cur, part, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
                    return -ELOOP;
                return sn_negative_errno();
            }
            sn_safe_close(cur);
            cur = fd;
        } else {
            int fd = openat(cur, part, flags | O_CLOEXEC | O_NOFOLLOW, mode);
            return fd < 0 ? sn_negative_errno() : fd;
        }
        part = next;
    }
    /* The path was only slashes or dots: it names dirfd itself. */
    int fd = openat(cur, ".", flags | O_CLOEXEC, mode);
    return fd < 0 ? sn_negative_errno() : fd;
}

int sn_openat_beneath(int dirfd, const char *path, int flags, mode_t mode)
{
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC),
        .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    if (!sn_faulty("openat2")) {
        long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
        if (fd >= 0)
            return (int)fd;
        if (errno != ENOSYS)
            return sn_negative_errno();
    }
    return sn_openat_beneath_fallback(dirfd, path, flags, mode);
}

int sn_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return sn_negative_errno();
        }
        if (n == 0)
            return -EIO;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

ssize_t sn_read_full(int fd, void *data, size_t len)
{
    char *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t n = read(fd, p + done, len - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return sn_negative_errno();
        }
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

int sn_read_fd_all(int fd, size_t max, char **ret_data, size_t *ret_len)
{
    size_t cap = 4096, len = 0;
    _sn_free_ char *buf = malloc(cap);
    if (!buf)
        return -ENOMEM;
    for (;;) {
        if (len + 1 >= cap) {
            if (cap > max + 1)
                return -EFBIG;
            size_t ncap = cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb)
                return -ENOMEM;
            buf = nb;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return sn_negative_errno();
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > max)
            return -EFBIG;
    }
    buf[len] = '\0';
    if (ret_len)
        *ret_len = len;
    *ret_data = SN_TAKE_PTR(buf);
    return 0;
}

int sn_read_file_at(int dirfd, const char *path, size_t max, char **ret_data, size_t *ret_len)
{
    _sn_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return sn_negative_errno();
    return sn_read_fd_all(fd, max, ret_data, ret_len);
}
