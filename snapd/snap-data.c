/* SPDX-License-Identifier: GPL-3.0-only */
#include "snap-data.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fault.h"
#include "fileio.h"
#include "strutil.h"

#define COPY_CHUNK (1U << 20)
#define MAX_DEPTH 256

static int rm_rf_at(int dfd, const char *name, int depth)
{
    if (depth > MAX_DEPTH)
        return -ELOOP;
    if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if (errno != EISDIR && errno != EPERM)
        return sn_negative_errno();
    _sn_close_ int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : sn_negative_errno();
    int dup_fd = dup(fd);
    if (dup_fd < 0)
        return sn_negative_errno();
    DIR *d = fdopendir(dup_fd);
    if (!d) {
        close(dup_fd);
        return sn_negative_errno();
    }
    int r = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (SN_STREQ(de->d_name, ".") || SN_STREQ(de->d_name, ".."))
            continue;
        r = rm_rf_at(fd, de->d_name, depth + 1);
        if (r < 0)
            break;
    }
    closedir(d);
    if (r < 0)
        return r;
    if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return sn_negative_errno();
    return 0;
}

int sn_rm_rf(const char *path)
{
    _sn_free_ char *copy = strdup(path);
    if (!copy)
        return -ENOMEM;
    char *slash = strrchr(copy, '/');
    const char *name = path;
    _sn_close_ int dfd = -1;
    if (slash) {
        *slash = '\0';
        name = slash + 1;
        dfd = open(*copy ? copy : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
            return errno == ENOENT ? 0 : sn_negative_errno();
    }
    return rm_rf_at(slash ? dfd : AT_FDCWD, name, 0);
}

char *sn_snap_data_copying_path(const char *dst)
{
    const char *slash = strrchr(dst, '/');
    if (!slash)
        return sn_strdup_printf(".%s.copying", dst);
    return sn_strdup_printf("%.*s/.%s.copying", (int)(slash - dst), dst, slash + 1);
}

typedef struct CopyCtx {
    const char *src_root;
    SnError **reterr;
} CopyCtx;

static int copy_error(CopyCtx *c, int e, const char *what, const char *rel)
{
    return sn_error_set(c->reterr, e, "cannot copy %s/%s: %s: %s", c->src_root, rel, what, strerror(-e));
}

/* Copies extended attributes (user.*, security.*, trusted.*); a filesystem without them is fine. */
static int copy_xattrs(int sfd, int dfd)
{
    char names[4096];
    ssize_t n = flistxattr(sfd, names, sizeof(names));
    if (n <= 0)
        return 0;
    for (char *p = names; p < names + n; p += strlen(p) + 1) {
        char value[4096];
        ssize_t vl = fgetxattr(sfd, p, value, sizeof(value));
        if (vl < 0)
            continue;
        if (fsetxattr(dfd, p, value, (size_t)vl, 0) < 0 && errno != ENOTSUP && errno != EPERM)
            return sn_negative_errno();
    }
    return 0;
}

static int copy_meta_fd(int fd, const struct stat *st)
{
    if (fchown(fd, st->st_uid, st->st_gid) < 0)
        return sn_negative_errno();
    if (fchmod(fd, st->st_mode & 07777) < 0)
        return sn_negative_errno();
    struct timespec ts[2] = {st->st_atim, st->st_mtim};
    if (futimens(fd, ts) < 0)
        return sn_negative_errno();
    return 0;
}

static int copy_file_data(int sfd, int dfd, off_t size)
{
    off_t done = 0;
    bool use_cfr = true;
    _sn_free_ char *buf = NULL;
    while (done < size) {
        if (sn_faulty("copy-snap-data-enospc"))
            return -ENOSPC;
        ssize_t n = -1;
        if (use_cfr) {
            n = copy_file_range(sfd, NULL, dfd, NULL, (size_t)SN_MIN((off_t)COPY_CHUNK * 16, size - done), 0);
            if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
                use_cfr = false;
                continue;
            }
        } else {
            if (!buf && !(buf = malloc(COPY_CHUNK)))
                return -ENOMEM;
            n = read(sfd, buf, COPY_CHUNK);
            if (n > 0) {
                size_t off = 0;
                while (off < (size_t)n) {
                    ssize_t w = write(dfd, buf + off, (size_t)n - off);
                    if (w < 0) {
                        if (errno == EINTR)
                            continue;
                        return sn_negative_errno();
                    }
                    off += (size_t)w;
                }
            }
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return sn_negative_errno();
        }
        if (n == 0)
            break; /* the file shrank while we copied: take what there is */
        done += n;
    }
    return 0;
}

static int copy_tree(CopyCtx *c, int sdir, int ddir, SnBuf *rel, int depth);

static int copy_entry(CopyCtx *c, int sdir, int ddir, const char *name, SnBuf *rel, int depth)
{
    /* Simulates kill -9 in the middle of a large copy (SN_FAULTS=copy-snap-data-kill:N). */
    if (sn_faulty("copy-snap-data-kill"))
        raise(SIGKILL);
    struct stat st;
    if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return copy_error(c, sn_negative_errno(), "stat", rel->data);
    int r = 0;
    if (S_ISDIR(st.st_mode)) {
        if (mkdirat(ddir, name, 0700) < 0)
            return copy_error(c, sn_negative_errno(), "mkdir", rel->data);
        _sn_close_ int s = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        _sn_close_ int d = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s < 0 || d < 0)
            return copy_error(c, sn_negative_errno(), "open", rel->data);
        r = copy_tree(c, s, d, rel, depth + 1);
        if (r < 0)
            return r;
        r = copy_xattrs(s, d);
        if (r >= 0)
            r = copy_meta_fd(d, &st);
        return r < 0 ? copy_error(c, r, "set attributes", rel->data) : 0;
    }
    if (S_ISREG(st.st_mode)) {
        _sn_close_ int s = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (s < 0)
            return copy_error(c, sn_negative_errno(), "open", rel->data);
        _sn_close_ int d = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (d < 0)
            return copy_error(c, sn_negative_errno(), "create", rel->data);
        r = copy_file_data(s, d, st.st_size);
        if (r < 0)
            return copy_error(c, r, "write", rel->data);
        r = copy_xattrs(s, d);
        if (r >= 0)
            r = copy_meta_fd(d, &st);
        return r < 0 ? copy_error(c, r, "set attributes", rel->data) : 0;
    }
    if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(sdir, name, target, sizeof(target) - 1);
        if (n < 0)
            return copy_error(c, sn_negative_errno(), "readlink", rel->data);
        target[n] = '\0';
        if (symlinkat(target, ddir, name) < 0)
            return copy_error(c, sn_negative_errno(), "symlink", rel->data);
    } else {
        if (mknodat(ddir, name, st.st_mode, st.st_rdev) < 0)
            return copy_error(c, sn_negative_errno(), "mknod", rel->data);
        if (fchmodat(ddir, name, st.st_mode & 07777, 0) < 0)
            return copy_error(c, sn_negative_errno(), "chmod", rel->data);
    }
    if (fchownat(ddir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
        return copy_error(c, sn_negative_errno(), "chown", rel->data);
    struct timespec ts[2] = {st.st_atim, st.st_mtim};
    if (utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
        return copy_error(c, sn_negative_errno(), "set times", rel->data);
    return 0;
}

static int copy_tree(CopyCtx *c, int sdir, int ddir, SnBuf *rel, int depth)
{
    if (depth > MAX_DEPTH)
        return copy_error(c, -ELOOP, "too deep", rel->data);
    int dup_fd = dup(sdir);
    if (dup_fd < 0)
        return copy_error(c, sn_negative_errno(), "dup", rel->data);
    DIR *d = fdopendir(dup_fd);
    if (!d) {
        close(dup_fd);
        return copy_error(c, sn_negative_errno(), "opendir", rel->data);
    }
    rewinddir(d);
    int r = 0;
    struct dirent *de;
    size_t base = rel->len;
    while ((de = readdir(d))) {
        if (SN_STREQ(de->d_name, ".") || SN_STREQ(de->d_name, ".."))
            continue;
        rel->len = base;
        if (rel->data)
            rel->data[base] = '\0';
        if (base > 0)
            sn_buf_putc(rel, '/');
        sn_buf_puts(rel, de->d_name);
        if (!sn_buf_ok(rel)) {
            r = -ENOMEM;
            break;
        }
        r = copy_entry(c, sdir, ddir, de->d_name, rel, depth);
        if (r < 0)
            break;
    }
    rel->len = base;
    if (rel->data)
        rel->data[base] = '\0';
    closedir(d);
    return r;
}

int sn_snap_data_copy(const char *src, const char *dst, SnError **reterr)
{
    struct stat st;
    if (lstat(dst, &st) == 0)
        return sn_error_set(reterr, -EEXIST, "cannot copy data to %s: it exists", dst);
    _sn_free_ char *tmp = sn_snap_data_copying_path(dst);
    if (!tmp)
        return -ENOMEM;
    int r = sn_rm_rf(tmp); /* a copy a crash interrupted */
    if (r < 0)
        return sn_error_set(reterr, r, "cannot remove %s: %s", tmp, strerror(-r));

    _sn_close_ int sfd = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sfd < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot open %s: %m", src);
    if (fstat(sfd, &st) < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot stat %s: %m", src);
    if (mkdir(tmp, 0700) < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot create %s: %m", tmp);
    _sn_close_ int dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) {
        r = sn_error_set(reterr, sn_negative_errno(), "cannot open %s: %m", tmp);
        goto fail;
    }
    CopyCtx c = {.src_root = src, .reterr = reterr};
    SnBuf rel = {0};
    r = copy_tree(&c, sfd, dfd, &rel, 0);
    sn_buf_done(&rel);
    if (r < 0)
        goto fail;
    r = copy_xattrs(sfd, dfd);
    if (r >= 0)
        r = copy_meta_fd(dfd, &st);
    if (r < 0) {
        r = sn_error_set(reterr, r, "cannot set the attributes of %s: %s", tmp, strerror(-r));
        goto fail;
    }
    /* One syncfs for the whole tree instead of an fsync per file: same durability, far fewer flushes. */
    if (syncfs(dfd) < 0) {
        r = sn_error_set(reterr, sn_negative_errno(), "cannot sync %s: %m", tmp);
        goto fail;
    }
    if (rename(tmp, dst) < 0) {
        r = sn_error_set(reterr, sn_negative_errno(), "cannot rename %s to %s: %m", tmp, dst);
        goto fail;
    }
    r = sn_fsync_parent(AT_FDCWD, dst);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot sync the directory of %s: %s", dst, strerror(-r));
    return 0;
fail:
    (void)sn_rm_rf(tmp);
    return r;
}
