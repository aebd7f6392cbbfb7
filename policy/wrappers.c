/* SPDX-License-Identifier: GPL-3.0-only */
#include "wrappers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "macros.h"
#include "naming.h"
#include "strutil.h"

char *sn_policy_wrapper_name(const char *instance, const char *app)
{
    size_t n = strcspn(instance, "_");
    if (strlen(app) == n && strncmp(instance, app, n) == 0)
        return strdup(instance);
    return sn_strdup_printf("%s.%s", instance, app);
}

static int open_bin_dir(const char *root, bool create, SnError **reterr)
{
    _sn_free_ char *path = sn_strdup_printf("%s%s", root ? root : "", SN_SNAP_BIN_DIR);
    if (!path)
        return -ENOMEM;
    if (create) {
        int r = sn_mkdir_p(path, 0755);
        if (r < 0)
            return sn_error_set(reterr, r, "cannot create %s: %s", path, strerror(-r));
    }
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        int r = -errno;
        if (r == -ENOENT && !create)
            return r;
        return sn_error_set(reterr, r, "cannot open %s: %s", path, strerror(-r));
    }
    return fd;
}

/* Whether name (in dirfd) is one of instance's wrappers: INSTANCE or INSTANCE.X, a symlink to target. */
static bool is_wrapper_of(int dirfd, const char *name, const char *instance, const char *target)
{
    size_t n = strlen(instance);
    if (strncmp(name, instance, n) != 0 || (name[n] != '\0' && name[n] != '.'))
        return false;
    char buf[4096];
    ssize_t len = readlinkat(dirfd, name, buf, sizeof(buf) - 1);
    if (len < 0)
        return false;
    buf[len] = '\0';
    return SN_STREQ(buf, target);
}

/* Removes the instance's wrappers whose names are not in keep. */
static int prune(int dirfd, const char *instance, const char *target, char *const *keep)
{
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    DIR *d = fdopendir(fd);
    if (!d) {
        int r = -errno;
        close(fd);
        return r;
    }
    int r = 0;
    bool removed = false;
    for (struct dirent *de; (errno = 0, de = readdir(d));) {
        if (sn_strv_contains(keep, de->d_name) || !is_wrapper_of(dirfd, de->d_name, instance, target))
            continue;
        if (unlinkat(dirfd, de->d_name, 0) < 0 && errno != ENOENT) {
            r = -errno;
            break;
        }
        removed = true;
    }
    if (r == 0 && errno)
        r = -errno;
    closedir(d);
    if (r == 0 && removed && fsync(dirfd) < 0)
        r = -errno;
    return r;
}

int sn_policy_write_wrappers(const char *root, const SnSnapInfo *info, const char *instance, const char *snap_binary,
                             SnError **reterr)
{
    const char *target = snap_binary ? snap_binary : SN_POLICY_SNAP_BINARY;
    if (!instance || !sn_name_instance_valid(instance) || strncmp(instance, info->name, strlen(info->name)) != 0 ||
        (instance[strlen(info->name)] != '\0' && instance[strlen(info->name)] != '_'))
        return sn_error_set(reterr, -EINVAL, "wrappers: %s is not an instance of %s", instance ? instance : "(null)",
                            info->name);
    _sn_close_ int dirfd = open_bin_dir(root, true, reterr);
    if (dirfd < 0)
        return dirfd;
    _sn_strv_free_ char **names = NULL;
    bool written = false;
    for (size_t i = 0; i < info->n_apps; i++) {
        const SnApp *app = &info->apps[i];
        if (app->daemon)
            continue;
        _sn_free_ char *name = sn_policy_wrapper_name(instance, app->name);
        _sn_free_ char *tmp = name ? sn_strdup_printf(".#%s.%u", name, (unsigned)getpid()) : NULL;
        if (!tmp || sn_strv_push(&names, name) < 0)
            return -ENOMEM;
        (void)unlinkat(dirfd, tmp, 0);
        if (symlinkat(target, dirfd, tmp) < 0 || renameat(dirfd, tmp, dirfd, name) < 0) {
            int r = -errno;
            (void)unlinkat(dirfd, tmp, 0);
            return sn_error_set(reterr, r, "cannot write %s%s/%s: %s", root ? root : "", SN_SNAP_BIN_DIR, name,
                                strerror(-r));
        }
        written = true;
    }
    if (written && fsync(dirfd) < 0) {
        int r = -errno;
        return sn_error_set(reterr, r, "cannot sync %s: %s", SN_SNAP_BIN_DIR, strerror(-r));
    }
    int r = prune(dirfd, instance, target, names);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot remove stale wrappers of %s: %s", instance, strerror(-r));
    return 0;
}

int sn_policy_remove_wrappers(const char *root, const char *instance, const char *snap_binary, SnError **reterr)
{
    if (!instance || !sn_name_instance_valid(instance))
        return sn_error_set(reterr, -EINVAL, "wrappers: invalid instance name");
    _sn_close_ int dirfd = open_bin_dir(root, false, reterr);
    if (dirfd == -ENOENT)
        return 0;
    if (dirfd < 0)
        return dirfd;
    int r = prune(dirfd, instance, snap_binary ? snap_binary : SN_POLICY_SNAP_BINARY, NULL);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot remove the wrappers of %s: %s", instance, strerror(-r));
    return 0;
}
