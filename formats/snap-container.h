/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The container check snapd runs before packing and installing (snap/container.go,
 * ValidateSnapContainer): meta/snap.yaml readable, every app command and hook present, modes
 * usable by a non-root user, no symlink under meta/ escaping the snap. The same check runs on a
 * directory (snap pack, snap try) and on a squashfs image (install), through SnContainer.
 *
 * Messages are snapd's, word for word: "snap is unusable due to missing files: path \"bin/x\"
 * does not exist", "snap is unusable due to bad permissions: \"meta/snap.yaml\" should be
 * world-readable, and isn't: -rw-------".
 */
#pragma once

#include "path-util.h"

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "snap-yaml.h"

typedef struct SnSquashfs SnSquashfs;

/*
 * A read-only view of a snap's files. Paths are relative and clean ("." is the root).
 * lstat returns 0 with *ret_mode (S_IFMT | permission bits) or -ENOENT/-errno; readlink gives the
 * target (caller frees); list gives the names in a directory, sorted by byte order, as a
 * NULL-terminated vector (caller frees with sn_strv_free).
 */
typedef struct SnContainer {
    int (*lstat)(struct SnContainer *c, const char *path, uint32_t *ret_mode);
    int (*readlink)(struct SnContainer *c, const char *path, char **ret);
    int (*list)(struct SnContainer *c, const char *path, char ***ret);
    int dirfd;      /* for the directory implementation */
    SnSquashfs *sq; /* for the squashfs implementation */
} SnContainer;

/* A container over the directory open at dirfd (not owned; must outlive the container). */
SnContainer sn_container_from_dir(int dirfd);
/* A container over an open squashfs image (not owned). */
SnContainer sn_container_from_squashfs(SnSquashfs *sq);

/* Receives each diagnostic as snapd logs it ("in snap \"x\": path \"bin/y\" does not exist"). */
typedef void (*SnContainerLogFn)(const char *message, void *userdata);

/*
 * snapd's ValidateSnapContainer. Returns 0 when the container is usable, -ENOENT when a required
 * path is missing (snapd's ErrMissingPaths: `snap pack --check-skeleton` only logs these),
 * -EACCES for bad modes, bad symlinks or wrong file types (ErrBadModes), or another -errno when
 * the container cannot be read. logf (may be NULL) gets every problem, not only the first.
 */
int sn_snap_container_validate(SnContainer *c, const SnSnapInfo *info, SnContainerLogFn logf, void *userdata,
                               SnError **reterr);

/*
 * snap pack's extra checks for snaps on bases after core24 (snap/pack/pack.go): $SNAP content
 * plug targets and layout sources must exist in the container with the right type.
 * Returns 0 or -ENOENT with snapd's message. A no-op for base core, core18..core24 (and none).
 */
int sn_snap_container_validate_layout_and_content(SnContainer *c, const SnSnapInfo *info, SnError **reterr);

/* The text Go's %q gives for s (a double-quoted, escaped string). Caller frees. */
char *sn_go_quote(const char *s);

/* Go's os.FileMode String() for a Unix mode: "drwxr-xr-x", "-rw-------", "Lrwxrwxrwx", "urwxr-xr-x". */
void sn_go_mode_string(uint32_t mode, char ret[16]);
