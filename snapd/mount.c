/* SPDX-License-Identifier: GPL-3.0-only */
#include "mount.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "fd-util.h"
#include "fileio.h"
#include "strutil.h"

/* Tries, 10 ms apart, for autoclear to free a loop device after its unmount, and again after LOOP_CLR_FD. */
#define SN_LOOP_SETTLE_TRIES 10

#ifndef LOOP_CONFIGURE
#define LOOP_CONFIGURE 0x4C0A
struct loop_config {
    __u32 fd;
    __u32 block_size;
    struct loop_info64 info;
    __u64 __reserved[8];
};
#endif

/* Undoes mountinfo's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash) in place. */
static void unescape_mountinfo(char *s)
{
    char *o = s;
    for (char *p = s; *p;) {
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
            *o++ = (char)(((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0'));
            p += 4;
        } else
            *o++ = *p++;
    }
    *o = '\0';
}

/* One line of /proc/self/mountinfo; the strings point into the text it was parsed from. */
typedef struct MountEntry {
    uint64_t id;
    uint64_t parent;
    const char *where; /* unescaped */
    bool shared;       /* a "shared:N" optional field: mounts below it propagate to its peers */
} MountEntry;

/*
 * Parses mountinfo text in place into *ret_v (malloc'ed), in the kernel's order. Lines that do
 * not parse are skipped (a mount point with a newline is escaped, so none should).
 */
static int parse_mountinfo(char *text, MountEntry **ret_v, size_t *ret_n)
{
    _sn_free_ MountEntry *v = NULL;
    size_t n = 0;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        /* id parent major:minor root mountpoint options [optional fields...] - type source super */
        char *f[5];
        char *p = line;
        size_t k = 0;
        for (; k < 5 && p; k++) {
            f[k] = p;
            p = strchr(p, ' ');
            if (p)
                *p++ = '\0';
        }
        if (k < 5 || !p)
            continue;
        char *sep = strstr(p, " - ");
        if (sep)
            *sep = '\0';
        uint64_t id, parent;
        if (sn_parse_u64(f[0], &id) < 0 || sn_parse_u64(f[1], &parent) < 0)
            continue;
        unescape_mountinfo(f[4]);
        MountEntry *m = reallocarray(v, n + 1, sizeof(*m));
        if (!m)
            return -ENOMEM;
        v = m;
        /* p holds the options then the optional fields, each after a space. */
        v[n++] = (MountEntry){.id = id, .parent = parent, .where = f[4], .shared = strstr(p, " shared:") != NULL};
    }
    *ret_v = SN_TAKE_PTR(v);
    *ret_n = n;
    return 0;
}

static int read_mountinfo(char **ret_text, MountEntry **ret_v, size_t *ret_n)
{
    _sn_free_ char *text = NULL;
    int r = sn_read_file_at(AT_FDCWD, "/proc/self/mountinfo", 64U * 1024 * 1024, &text, NULL);
    if (r < 0)
        return r;
    r = parse_mountinfo(text, ret_v, ret_n);
    if (r < 0)
        return r;
    *ret_text = SN_TAKE_PTR(text);
    return 0;
}

/* Counts the mounts at where. */
static int count_mounts(const char *where)
{
    _sn_free_ char *text = NULL;
    _sn_free_ MountEntry *v = NULL;
    size_t n = 0;
    int r = read_mountinfo(&text, &v, &n);
    if (r < 0)
        return r;
    int c = 0;
    for (size_t i = 0; i < n; i++)
        if (SN_STREQ(v[i].where, where))
            c++;
    return c;
}

int sn_mount_is_mounted(const char *where)
{
    int n = count_mounts(where);
    return n < 0 ? n : n > 0;
}

int sn_loop_find_backing(const char *path, int **ret_v, size_t *ret_n)
{
    _sn_free_ int *v = NULL;
    size_t n = 0;
    DIR *d = opendir("/sys/block");
    if (!d)
        return sn_negative_errno();
    struct dirent *de;
    int r = 0;
    while ((de = readdir(d))) {
        int num;
        char tail;
        if (sscanf(de->d_name, "loop%d%c", &num, &tail) != 1 || num < 0)
            continue;
        char p[PATH_MAX];
        snprintf(p, sizeof(p), "/sys/block/%s/loop/backing_file", de->d_name);
        _sn_free_ char *bf = NULL;
        if (sn_read_file_at(AT_FDCWD, p, PATH_MAX + 64, &bf, NULL) < 0)
            continue; /* not attached */
        size_t l = strlen(bf);
        while (l > 0 && bf[l - 1] == '\n')
            bf[--l] = '\0';
        /* An unlinked backing file reads "PATH (deleted)": it is still ours to detach. */
        if (sn_endswith(bf, " (deleted)"))
            bf[l - strlen(" (deleted)")] = '\0';
        if (!SN_STREQ(bf, path))
            continue;
        int *m = reallocarray(v, n + 1, sizeof(*m));
        if (!m) {
            r = -ENOMEM;
            break;
        }
        v = m;
        v[n++] = num;
    }
    closedir(d);
    if (r < 0)
        return r;
    *ret_v = SN_TAKE_PTR(v);
    *ret_n = n;
    return 0;
}

/* Opens /dev/loopN, creating the node where a container's /dev lacks it. */
static int open_loop(int n, int flags)
{
    char dev[32];
    snprintf(dev, sizeof(dev), "/dev/loop%d", n);
    int fd = open(dev, flags | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        if (mknod(dev, S_IFBLK | 0660, makedev(7, (unsigned)n)) < 0 && errno != EEXIST)
            return sn_negative_errno();
        fd = open(dev, flags | O_CLOEXEC);
    }
    return fd < 0 ? sn_negative_errno() : fd;
}

int sn_loop_detach(int n)
{
    _sn_close_ int fd = open_loop(n, O_RDONLY);
    if (fd < 0)
        return fd;
    if (ioctl(fd, LOOP_CLR_FD, 0) < 0 && errno != ENXIO)
        return sn_negative_errno();
    return 0;
}

/*
 * Attaches backing_fd to a free loop device, read-only with autoclear. Returns the open device fd
 * and its number, or -errno (-ENODEV when there is no loop support at all).
 */
static int loop_attach(int backing_fd, const char *name, int *ret_n, SnError **reterr)
{
    if (sn_faulty("mount-no-loop"))
        return sn_error_set(reterr, -ENODEV, "cannot open /dev/loop-control: injected fault");
    _sn_close_ int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
    if (ctl < 0)
        return sn_error_set(reterr, errno == ENOENT ? -ENODEV : sn_negative_errno(),
                            "cannot open /dev/loop-control: %m");
    for (int attempt = 0; attempt < 20; attempt++) {
        int n = ioctl(ctl, LOOP_CTL_GET_FREE);
        if (n < 0)
            return sn_error_set(reterr, sn_negative_errno(), "cannot find a free loop device: %m");
        _sn_close_ int fd = open_loop(n, O_RDWR);
        if (fd < 0)
            return sn_error_set(reterr, fd, "cannot open /dev/loop%d: %s", n, strerror(-fd));

        struct loop_config cfg = {.fd = (__u32)backing_fd};
        cfg.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
        snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name), "%s", name);
        if (ioctl(fd, LOOP_CONFIGURE, &cfg) == 0) {
            *ret_n = n;
            return SN_TAKE_FD(fd);
        }
        if (errno == EBUSY)
            continue; /* someone took it between GET_FREE and CONFIGURE */
        if (errno != EINVAL && errno != ENOTTY)
            return sn_error_set(reterr, sn_negative_errno(), "cannot attach /dev/loop%d: %m", n);

        /* Kernels before 5.8: the two-step attach. */
        if (ioctl(fd, LOOP_SET_FD, backing_fd) < 0) {
            if (errno == EBUSY)
                continue;
            return sn_error_set(reterr, sn_negative_errno(), "cannot attach /dev/loop%d: %m", n);
        }
        if (ioctl(fd, LOOP_SET_STATUS64, &cfg.info) < 0) {
            int e = sn_negative_errno();
            (void)ioctl(fd, LOOP_CLR_FD, 0);
            return sn_error_set(reterr, e, "cannot configure /dev/loop%d: %s", n, strerror(-e));
        }
        *ret_n = n;
        return SN_TAKE_FD(fd);
    }
    return sn_error_set(reterr, -EBUSY, "cannot find a free loop device: all busy");
}

static int mount_fuse(const char *blob, const char *where, SnError **reterr)
{
    pid_t pid = fork();
    if (pid < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot fork: %m");
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
        }
        execl(SN_SQUASHFUSE_PATH, "squashfuse", "-o", "ro,nodev,allow_other", blob, where, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return sn_error_set(reterr, sn_negative_errno(), "cannot wait for squashfuse: %m");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return sn_error_set(reterr, -EIO, "cannot mount %s with squashfuse: exit status %d", blob,
                            WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return 0;
}

int sn_mount_snap(const char *blob, const char *where, SnError **reterr)
{
    int r = sn_mount_is_mounted(where);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot read the mount table: %s", strerror(-r));
    if (r > 0)
        return 0;

    _sn_close_ int bfd = open(blob, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (bfd < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot open %s: %m", blob);

    int n = -1;
    SnError *lerr = NULL;
    _sn_close_ int lfd = loop_attach(bfd, blob, &n, &lerr);
    if (lfd == -ENODEV || lfd == -EPERM || lfd == -EACCES) {
        sn_error_free(lerr);
        return mount_fuse(blob, where, reterr);
    }
    if (lfd < 0) {
        sn_error_set(reterr, lfd, "%s", sn_error_message(lerr, lfd));
        sn_error_free(lerr);
        return lfd;
    }
    char dev[32];
    snprintf(dev, sizeof(dev), "/dev/loop%d", n);
    if (sn_faulty("mount-snap-mount") || mount(dev, where, "squashfs", MS_RDONLY | MS_NODEV, NULL) < 0) {
        int e = errno == 0 || errno == EEXIST ? -EIO : sn_negative_errno();
        (void)ioctl(lfd, LOOP_CLR_FD, 0);
        if (e == -EPERM) /* an unprivileged container: the kernel's squashfs is out of reach */
            return mount_fuse(blob, where, reterr);
        return sn_error_set(reterr, e, "cannot mount %s at %s: %s", blob, where, strerror(-e));
    }
    /* The device stays attached while mounted (autoclear): closing our fd is what we want. */
    return 0;
}

int sn_umount_snap(const char *blob, const char *where, SnError **reterr)
{
    for (int i = 0; i < 16; i++) {
        int r = sn_mount_is_mounted(where);
        if (r < 0)
            return sn_error_set(reterr, r, "cannot read the mount table: %s", strerror(-r));
        if (r == 0)
            break;
        if (umount2(where, UMOUNT_NOFOLLOW) < 0) {
            if (errno == EINVAL || errno == ENOENT)
                break;
            if (errno != EBUSY)
                return sn_error_set(reterr, sn_negative_errno(), "cannot unmount %s: %m", where);
            /* Busy (an app running from it): detach lazily, as snapd's LazyUnmount=yes does. */
            if (umount2(where, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
                return sn_error_set(reterr, sn_negative_errno(), "cannot unmount %s: %m", where);
        }
    }
    if (!blob)
        return 0;
    /*
     * Autoclear detaches a device when its last user goes, a moment after the unmount. A device
     * still attached after that is held elsewhere: a copy of the mount in a mount namespace made
     * before the snaps' directory was shared, or an open fd. LOOP_CLR_FD frees an idle device and,
     * on one in use, only sets autoclear: it goes with its last user. Neither fails the unmount
     * (snapd stops the mount unit and leaves the device to autoclear, as mount -o loop sets it).
     */
    for (int wait = 0;; wait++) {
        _sn_free_ int *v = NULL;
        size_t n = 0;
        int r = sn_loop_find_backing(blob, &v, &n);
        if (r < 0)
            return sn_error_set(reterr, r, "cannot list loop devices: %s", strerror(-r));
        if (n == 0)
            return 0;
        if (wait == SN_LOOP_SETTLE_TRIES)
            for (size_t i = 0; i < n; i++) {
                r = sn_loop_detach(v[i]);
                if (r < 0 && r != -EBUSY)
                    return sn_error_set(reterr, r, "cannot detach /dev/loop%d: %s", v[i], strerror(-r));
            }
        if (wait == 2 * SN_LOOP_SETTLE_TRIES)
            return (int)n;
        struct timespec ts = {.tv_nsec = 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* The id of the mount that fd is on (statx STATX_MNT_ID, Linux 5.8). */
static int fd_mount_id(int fd, uint64_t *ret_id)
{
    struct statx stx;
    if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
        return sn_negative_errno();
    if (!(stx.stx_mask & STATX_MNT_ID))
        return -EOPNOTSUPP;
    *ret_id = stx.stx_mnt_id;
    return 0;
}

static void close_all(int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

int sn_mount_ensure_shared(const char *dir, SnError **reterr)
{
    int r = sn_mkdir_p(dir, 0755);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot create %s: %s", dir, strerror(-r));
    /* mountinfo names mount points by their real paths (/snap may be a symlink on some systems). */
    _sn_free_ char *real = realpath(dir, NULL);
    if (!real)
        return sn_error_set(reterr, sn_negative_errno(), "cannot resolve %s: %m", dir);
    _sn_close_ int dfd = open(real, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot open %s: %m", real);
    uint64_t id = 0;
    r = fd_mount_id(dfd, &id);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot read the mount id of %s: %s", real, strerror(-r));

    _sn_free_ char *text = NULL;
    _sn_free_ MountEntry *v = NULL;
    size_t n = 0;
    r = read_mountinfo(&text, &v, &n);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot read the mount table: %s", strerror(-r));
    const MountEntry *holder = NULL;
    for (size_t i = 0; i < n && !holder; i++)
        if (v[i].id == id)
            holder = &v[i];
    if (!holder)
        return sn_error_set(reterr, -ENOENT, "the mount of %s (id %llu) is not in the mount table", real,
                            (unsigned long long)id);

    if (SN_STREQ(holder->where, real)) {
        /* Already a mount point (an earlier start of the daemon, or its own filesystem). */
        if (holder->shared)
            return 0;
        errno = 0;
        if (sn_faulty("mount-share") || mount(NULL, real, NULL, MS_SHARED | MS_REC, NULL) < 0) {
            r = sn_negative_errno();
            return sn_error_set(reterr, r, "cannot make %s a shared mount: %s", real, strerror(-r));
        }
        return 1;
    }
    /* A shared "/" (systemd makes it so) already carries the mounts below dir to the namespaces. */
    if (holder->shared)
        return 0;

    /*
     * Mounts already below dir (a daemon that did not share it mounted them) would end up hidden
     * under the bind, each keeping its loop device: they are opened now and moved into it after.
     */
    size_t len = strlen(real);
    size_t nchild = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].parent == id && sn_startswith(v[i].where, real) && v[i].where[len] == '/')
            nchild++;
    _sn_free_ int *fds = nchild ? calloc(nchild, sizeof(int)) : NULL;
    _sn_free_ const char **dst = nchild ? calloc(nchild, sizeof(char *)) : NULL;
    if (nchild && (!fds || !dst))
        return -ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n && k < nchild; i++) {
        if (v[i].parent != id || !sn_startswith(v[i].where, real) || v[i].where[len] != '/')
            continue;
        dst[k] = v[i].where;
        fds[k] = open(v[i].where, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        uint64_t cid = 0;
        if (fds[k] < 0 || fd_mount_id(fds[k], &cid) < 0 || cid != v[i].id) {
            /* Another mount stacked on it: the path reaches that one, which cannot be moved alone. */
            r = fds[k] < 0 ? sn_negative_errno() : -EBUSY;
            close_all(fds, k + 1);
            return sn_error_set(reterr, r, "cannot share %s: cannot take hold of the mount at %s", real, v[i].where);
        }
        k++;
    }

    errno = 0;
    if (sn_faulty("mount-share") || mount(real, real, NULL, MS_BIND, NULL) < 0) {
        r = sn_negative_errno();
        sn_error_set(reterr, r, "cannot bind %s onto itself: %s", real, strerror(-r));
        close_all(fds, k);
        return r;
    }
    if (mount(NULL, real, NULL, MS_SHARED, NULL) < 0) {
        r = sn_error_set(reterr, sn_negative_errno(), "cannot make %s a shared mount: %m", real);
        (void)umount2(real, MNT_DETACH | UMOUNT_NOFOLLOW);
        close_all(fds, k);
        return r;
    }
    r = 1;
    for (size_t i = 0; i < k; i++) {
        char src[32];
        snprintf(src, sizeof(src), "/proc/self/fd/%d", fds[i]);
        /* The same path now reaches the directory inside the new mount. */
        errno = 0;
        if (r > 0 && (sn_faulty("mount-share-move") || mount(src, dst[i], NULL, MS_MOVE, NULL) < 0)) {
            r = sn_negative_errno();
            sn_error_set(reterr, r, "cannot move the mount at %s into the shared %s: %s", dst[i], real, strerror(-r));
        }
        close(fds[i]);
    }
    return r;
}

char *sn_mount_unit_name(const char *where)
{
    SnBuf b = {0};
    const char *p = where;
    while (*p == '/')
        p++;
    bool first = true;
    for (; *p; p++) {
        char c = *p;
        if (c == '/') {
            while (p[1] == '/')
                p++;
            if (p[1] == '\0')
                break;
            sn_buf_putc(&b, '-');
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' || c == '_' ||
                   (c == '.' && !first))
            sn_buf_putc(&b, c);
        else
            sn_buf_printf(&b, "\\x%02x", (unsigned char)c);
        first = c == '/';
    }
    if (b.len == 0)
        sn_buf_putc(&b, '-');
    sn_buf_puts(&b, ".mount");
    return sn_buf_steal(&b);
}

char *sn_mount_unit_content(const char *snap_name, const char *revision, const char *blob, const char *where, bool fuse)
{
    return sn_strdup_printf("[Unit]\n"
                            "Description=Mount unit for %s, revision %s\n"
                            "After=snapd.mounts-pre.target\n"
                            "Before=snapd.mounts.target\n"
                            "\n"
                            "[Mount]\n"
                            "What=%s\n"
                            "Where=%s\n"
                            "Type=%s\n"
                            "Options=nodev,ro,x-gdu.hide,x-gvfs-hide%s\n"
                            "LazyUnmount=yes\n"
                            "\n"
                            "[Install]\n"
                            "WantedBy=snapd.mounts.target\n"
                            "WantedBy=multi-user.target\n",
                            snap_name, revision, blob, where, fuse ? "fuse.squashfuse" : "squashfs",
                            fuse ? ",allow_other" : "");
}

bool sn_mount_systemd_booted(void)
{
    struct stat st;
    return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

int sn_systemctl(const char *a1, const char *a2, const char *a3)
{
    pid_t pid = fork();
    if (pid < 0)
        return sn_negative_errno();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull >= 0) {
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        const char *bin = access("/usr/bin/systemctl", X_OK) == 0 ? "/usr/bin/systemctl" : "/bin/systemctl";
        execl(bin, "systemctl", a1, a2, a3, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return sn_negative_errno();
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static bool use_units(const char *root)
{
    return (!root || !*root) && sn_mount_systemd_booted();
}

int sn_mount_snap_persistent(const char *root, const char *snap, const char *revision, const char *blob,
                             const char *where, SnError **reterr)
{
    if (!use_units(root))
        return sn_mount_snap(blob, where, reterr);
    _sn_free_ char *unit = sn_mount_unit_name(where);
    _sn_free_ char *content = sn_mount_unit_content(snap, revision, blob, where, false);
    _sn_free_ char *path = unit ? sn_strdup_printf("/etc/systemd/system/%s", unit) : NULL;
    if (!content || !path)
        return -ENOMEM;
    int r = sn_mkdir_p("/etc/systemd/system", 0755);
    if (r >= 0)
        r = sn_write_file_atomic(AT_FDCWD, path, content, strlen(content), 0644);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot write %s: %s", path, strerror(-r));
    if (sn_systemctl("daemon-reload", NULL, NULL) < 0 || sn_systemctl("enable", "--now", unit) < 0)
        return sn_error_set(reterr, -EIO, "cannot start %s", unit);
    return 0;
}

int sn_umount_snap_persistent(const char *root, const char *blob, const char *where, SnError **reterr)
{
    if (use_units(root)) {
        _sn_free_ char *unit = sn_mount_unit_name(where);
        _sn_free_ char *path = unit ? sn_strdup_printf("/etc/systemd/system/%s", unit) : NULL;
        if (!path)
            return -ENOMEM;
        if (access(path, F_OK) == 0) {
            (void)sn_systemctl("disable", "--now", unit);
            if (unlink(path) < 0 && errno != ENOENT)
                return sn_error_set(reterr, sn_negative_errno(), "cannot remove %s: %m", path);
            (void)sn_systemctl("daemon-reload", NULL, NULL);
        }
    }
    return sn_umount_snap(blob, where, reterr);
}
