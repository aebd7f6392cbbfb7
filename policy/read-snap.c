/* SPDX-License-Identifier: GPL-3.0-only */
#include "read-snap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "macros.h"
#include "naming.h"
#include "strutil.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int implicit_hooks(int snapfd, const SnSnapInfo *info, char ***ret)
{
    int fd = sn_openat_beneath(snapfd, "meta/hooks", O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0)
        return fd == -ENOENT ? 0 : fd;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -errno;
    }
    _sn_strv_free_ char **hooks = NULL;
    int r = 0;
    for (struct dirent *de; (errno = 0, de = readdir(d));) {
        if (de->d_type == DT_DIR || !sn_name_hook_valid(de->d_name) || sn_snap_info_find_hook(info, de->d_name))
            continue;
        if (sn_strv_push(&hooks, de->d_name) < 0) {
            r = -ENOMEM;
            break;
        }
    }
    if (r == 0 && errno)
        r = -errno;
    closedir(d);
    if (r < 0)
        return r;
    /* readdir's order is the file system's: sort so the result does not depend on it. */
    size_t n = sn_strv_length(hooks);
    if (n > 1)
        qsort(hooks, n, sizeof(char *), cmp_str);
    *ret = SN_TAKE_PTR(hooks);
    return 0;
}

int sn_policy_read_snap(const char *snap_dir, SnSnapInfo **ret_info, char ***ret_implicit_hooks, SnError **reterr)
{
    _sn_close_ int snapfd = open(snap_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (snapfd < 0) {
        int r = -errno;
        return sn_error_set(reterr, r, "cannot open %s: %s", snap_dir, strerror(-r));
    }
    _sn_close_ int fd = sn_openat_beneath(snapfd, "meta/snap.yaml", O_RDONLY | O_NONBLOCK, 0);
    if (fd < 0)
        return sn_error_set(reterr, fd, "cannot open %s/meta/snap.yaml: %s", snap_dir, strerror(-fd));
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int r = -errno;
        return sn_error_set(reterr, r, "cannot stat %s/meta/snap.yaml: %s", snap_dir, strerror(-r));
    }
    if (!S_ISREG(st.st_mode))
        return sn_error_set(reterr, -EINVAL, "%s/meta/snap.yaml is not a regular file", snap_dir);
    _sn_free_ char *yaml = NULL;
    size_t len = 0;
    int r = sn_read_fd_all(fd, SN_SNAP_YAML_MAX_SIZE, &yaml, &len);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot read %s/meta/snap.yaml: %s", snap_dir, strerror(-r));
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    r = sn_snap_yaml_parse(yaml, len, &info, reterr);
    if (r < 0)
        return r;
    _sn_strv_free_ char **hooks = NULL;
    r = implicit_hooks(snapfd, info, &hooks);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot list %s/meta/hooks: %s", snap_dir, strerror(-r));
    *ret_info = SN_TAKE_PTR(info);
    *ret_implicit_hooks = SN_TAKE_PTR(hooks);
    return 0;
}
