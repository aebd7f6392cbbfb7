/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * `snap pack`: validate a snap's source tree and write NAME_VERSION_ARCH.snap with snapd's
 * choices (snap/pack/pack.go, snap/squashfs/squashfs.go): xz by default, no fragments,
 * everything owned by root for app snaps, no xattrs, snapd's excludes (version control and
 * editor droppings), padded to at least 16 KiB. The output is reproducible (see squashfs-pack.h).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "snap-container.h"
#include "snap-yaml.h"

/* snapd's MinimumSnapSize: the kernel probes smaller loop devices for partition tables. */
#define SN_SNAP_MIN_SIZE 16384u

typedef struct SnSnapPackOptions {
    const char *compression; /* NULL or "xz", "lzo", "zstd" */
    const char *target_dir;  /* NULL or "" means the current directory; created (0755) when missing */
    const char *filename;    /* NULL: NAME_VERSION_ARCH.snap; relative names are taken inside target_dir */
    uint32_t mkfs_time;      /* build time written to the image (SOURCE_DATE_EPOCH, or 0) */
    unsigned workers;        /* compression threads; 0 means one per online CPU */
    SnContainerLogFn logf;   /* diagnostics of the container check; may be NULL */
    void *userdata;
} SnSnapPackOptions;

/* True when snapd's excludes leave relpath out of a packed snap (".git" at the top, "*~" anywhere...). */
bool sn_snap_pack_excluded(const char *relpath);

/* "all" for no architectures (the default), the one architecture, or "multi" for several. */
const char *sn_snap_pack_architecture(const SnSnapInfo *info);

/*
 * Reads and validates DIR/meta/snap.yaml (snap.yaml rules, then the container check, then the
 * layout/content checks for bases after core24). On success returns 0 and, when ret_info is not
 * NULL, the parsed info (caller frees). Failures: the errors of sn_snap_yaml_parse prefixed as
 * snapd does ("cannot validate snap \"x\": ..."), those of sn_snap_container_validate (-ENOENT
 * for missing paths, -EACCES for bad modes), or -errno when the file cannot be read.
 * With allow_missing_paths (snap pack --check-skeleton), missing command paths are only logged
 * and the check stops there with success, as snapd's does.
 */
int sn_snap_pack_check(const char *srcdir, SnContainerLogFn logf, void *userdata, bool allow_missing_paths,
                       SnSnapInfo **ret_info, SnError **reterr);

/*
 * Validates as sn_snap_pack_check, then packs srcdir. Returns 0 and *ret_path (the written file,
 * as snapd prints it after "built: "; caller frees). -EINVAL for an unknown compression or an
 * absolute filename given together with a target directory.
 */
int sn_snap_pack(const char *srcdir, const SnSnapPackOptions *opts, char **ret_path, SnError **reterr);
