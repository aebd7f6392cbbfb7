/* SPDX-License-Identifier: GPL-3.0-only */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"
#include "snap-pack.h"
#include "squashfs-pack.h"
#include "strutil.h"

/*
 * snapd's excludes (snap/pack/pack.go), which it hands to mksquashfs -wildcards -ef. Anchored
 * patterns match only entries at the top of the tree; the others match a name at any depth.
 * mksquashfs matches with fnmatch(FNM_PATHNAME | FNM_PERIOD | FNM_EXTMATCH): "*~" does not match
 * ".foo~", and neither does "*.snap" match ".x.snap".
 */
static const char *const excludes_anchored[] = {
    "DEBIAN",      ".arch-ids",   ".arch-inventory", ".bzr",    ".bzr-builddeb",  ".bzr.backup",
    ".bzr.tags",   ".bzrignore",  ".cvsignore",      ".git",    ".gitattributes", ".gitignore",
    ".gitmodules", ".hg",         ".hgignore",       ".hgsigs", ".hgtags",        ".shelf",
    ".svn",        "CVS",         "DEADJOE",         "RCS",     "_MTN",           "_darcs",
    "{arch}",      ".snapignore",
};
static const char *const excludes_anywhere[] = {
    ".[#~]*", "*.snap", "*.click", ".*.sw?", "*~", ",,*",
};

bool sn_snap_pack_excluded(const char *relpath)
{
    const char *slash = strrchr(relpath, '/');
    const char *name = slash ? slash + 1 : relpath;
    const int flags = FNM_PATHNAME | FNM_PERIOD | FNM_EXTMATCH;
    if (!slash)
        for (size_t i = 0; i < SN_ELEMENTSOF(excludes_anchored); i++)
            if (fnmatch(excludes_anchored[i], name, flags) == 0)
                return true;
    for (size_t i = 0; i < SN_ELEMENTSOF(excludes_anywhere); i++)
        if (fnmatch(excludes_anywhere[i], name, flags) == 0)
            return true;
    return false;
}

static bool exclude_cb(const char *relpath, bool is_dir, void *userdata)
{
    (void)is_dir;
    (void)userdata;
    return sn_snap_pack_excluded(relpath);
}

const char *sn_snap_pack_architecture(const SnSnapInfo *info)
{
    switch (sn_strv_length(info->architectures)) {
    case 0:
        return "all";
    case 1:
        return info->architectures[0];
    default:
        return "multi";
    }
}

int sn_snap_pack_check(const char *srcdir, SnContainerLogFn logf, void *userdata, bool allow_missing_paths,
                       SnSnapInfo **ret_info, SnError **reterr)
{
    _sn_free_ char *yaml_path = sn_strdup_printf("%s/meta/snap.yaml", srcdir);
    if (!yaml_path)
        return -ENOMEM;
    _sn_free_ char *yaml = NULL;
    size_t len = 0;
    int r = sn_read_file_at(AT_FDCWD, yaml_path, SN_SNAP_YAML_MAX_SIZE, &yaml, &len);
    if (r < 0)
        return sn_error_set(reterr, r, "open %s: %s", yaml_path, r == -EFBIG ? "file too large" : strerror(-r));

    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    r = sn_snap_yaml_parse_unvalidated(yaml, len, &info, reterr);
    if (r < 0)
        return r;
    r = sn_snap_info_validate(info, reterr);
    if (r < 0)
        return sn_error_prefix(reterr, r, "cannot validate snap \"%s\"", info->name ? info->name : "");

    _sn_close_ int dirfd = open(srcdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return sn_error_set(reterr, sn_negative_errno(), "open %s: %m", srcdir);
    SnContainer c = sn_container_from_dir(dirfd);
    _sn_cleanup_(sn_error_freep) SnError *cerr = NULL;
    r = sn_snap_container_validate(&c, info, logf, userdata, &cerr);
    if (r == -ENOENT && allow_missing_paths) {
        if (ret_info)
            *ret_info = SN_TAKE_PTR(info);
        return 0;
    }
    if (r < 0) {
        if (reterr && !*reterr)
            *reterr = SN_TAKE_PTR(cerr);
        return r;
    }
    r = sn_snap_container_validate_layout_and_content(&c, info, reterr);
    if (r < 0)
        return r;
    if (ret_info)
        *ret_info = SN_TAKE_PTR(info);
    return 0;
}

int sn_snap_pack(const char *srcdir, const SnSnapPackOptions *opts, char **ret_path, SnError **reterr)
{
    static const SnSnapPackOptions defaults = {0};
    if (!opts)
        opts = &defaults;
    const char *comp = opts->compression && *opts->compression ? opts->compression : "xz";
    if (!SN_STREQ(comp, "xz") && !SN_STREQ(comp, "lzo") && !SN_STREQ(comp, "zstd"))
        return sn_error_set(reterr, -EINVAL, "cannot use compression \"%s\"", comp);
    const char *target_dir = opts->target_dir && *opts->target_dir ? opts->target_dir : NULL;

    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    int r = sn_snap_pack_check(srcdir, opts->logf, opts->userdata, false, &info, reterr);
    if (r < 0)
        return r;

    _sn_free_ char *name = opts->filename && *opts->filename
                               ? strdup(opts->filename)
                               : sn_strdup_printf("%s_%s_%s.snap", info->name, info->version ? info->version : "",
                                                  sn_snap_pack_architecture(info));
    if (!name)
        return -ENOMEM;
    _sn_free_ char *path = NULL;
    if (target_dir && name[0] != '/') {
        _sn_free_ char *joined = sn_strdup_printf("%s/%s", target_dir, name);
        path = joined ? sn_path_clean(joined) : NULL;
    } else {
        path = strdup(name);
    }
    if (!path)
        return -ENOMEM;
    if (target_dir) {
        r = sn_mkdir_p(target_dir, 0755);
        if (r < 0)
            return sn_error_set(reterr, r, "mkdir %s: %s", target_dir, strerror(-r));
    }

    /* snapd keeps owners and xattrs for os, base and snapd snaps; app snaps are all-root. */
    bool keep_owners =
        info->type == SN_SNAP_TYPE_OS || info->type == SN_SNAP_TYPE_BASE || info->type == SN_SNAP_TYPE_SNAPD;
    SnSquashfsPackOptions po = {
        .compression = comp,
        .mkfs_time = opts->mkfs_time,
        .all_root = !keep_owners,
        .workers = opts->workers,
        .min_size = SN_SNAP_MIN_SIZE,
        .exclude = exclude_cb,
    };
    r = sn_squashfs_pack(srcdir, path, &po, NULL, reterr);
    if (r < 0)
        return r;
    *ret_path = SN_TAKE_PTR(path);
    return 0;
}
