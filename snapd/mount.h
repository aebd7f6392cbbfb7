/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Mounting one snap revision: the blob $ROOT/var/lib/snapd/snaps/NAME_REV.snap read-only at
 * $ROOT/snap/NAME/REV, as snapd's mount units do (squashfs, options nodev,ro).
 *
 * The blob is attached to a free loop device with LOOP_CONFIGURE (LOOP_SET_FD + LOOP_SET_STATUS64
 * on kernels without it), read-only and with autoclear, so the kernel detaches the device when the
 * filesystem is unmounted, or when the daemon dies between attaching and mounting. Where no loop
 * device can be had (no /dev/loop-control, or the kernel refuses the squashfs mount to an
 * unprivileged container) the blob is mounted with squashfuse instead.
 *
 * Every function is idempotent: mounting what is mounted, or unmounting what is not, succeeds. The
 * daemon alone calls these (they need root); library code, no logging.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define SN_SQUASHFUSE_PATH "/usr/bin/squashfuse"

/*
 * Mounts blob at where (the directory must exist). Returns 0, or -errno with a message naming the
 * blob. When where already has a mount, does nothing.
 */
int sn_mount_snap(const char *blob, const char *where, SnError **reterr);

/*
 * Unmounts every mount stacked at where (none is fine), lazily when busy, then waits a moment for
 * the loop devices backed by blob to autoclear (blob may be NULL: then only the unmount). A device
 * still in use after that (held by a copy of the mount in a mount namespace made before the snaps'
 * directory was shared, or by an open fd) is left to autoclear with its last user: it does not
 * fail the unmount. Returns 0, the number (> 0) of such devices left attached, or -errno with a
 * message when the unmount itself failed.
 */
int sn_umount_snap(const char *blob, const char *where, SnError **reterr);

/*
 * Makes dir, the snaps' mount directory ($ROOT/snap), propagate: snap-confine makes every new
 * snap namespace a slave of it, so that the daemon's later mounts and unmounts below it (a new
 * revision, a removed snap) appear and disappear in the namespaces preserved until then (snapd's
 * sc_ensure_shared_snap_mount, done here once by the daemon before it mounts any snap).
 *
 * Nothing is done when dir is a shared mount point already (an earlier start of the daemon), or
 * when the mount that holds it is shared (a "/" that systemd made shared). A mount point that is
 * not shared is made shared (recursively). Otherwise dir is bound onto itself and the new mount
 * made shared; the mounts already below dir are moved into it, so that none stays hidden under it
 * holding its loop device. dir is created (0755) when missing. Needs CAP_SYS_ADMIN.
 *
 * Returns 0 when nothing was needed, 1 when dir was made shared, or -errno with a message (-EBUSY
 * when a mount below dir has another stacked on it: it cannot be moved alone).
 */
int sn_mount_ensure_shared(const char *dir, SnError **reterr);

/* 1 when something is mounted at where (by /proc/self/mountinfo), 0 when not, -errno on error. */
int sn_mount_is_mounted(const char *where);

/*
 * The loop devices (numbers N of /dev/loopN) whose backing file is path, from
 * /sys/block/loop*\/loop/backing_file. *ret_v is malloc'ed (may be NULL when *ret_n is 0).
 */
int sn_loop_find_backing(const char *path, int **ret_v, size_t *ret_n);

/* Detaches /dev/loopN (LOOP_CLR_FD); a device already free is fine. 0 or -errno. */
int sn_loop_detach(int n);

/*
 * systemd's escaping of a path into a unit name (systemd-escape --path --suffix=mount):
 * "/snap/hello-world/29" -> "snap-hello\x2dworld-29.mount". Caller frees; NULL on ENOMEM.
 */
char *sn_mount_unit_name(const char *where);

/*
 * The text of snapd's mount unit for one revision (systemd/systemd.go): What=blob, Where=where,
 * Type=squashfs (fuse.squashfuse with fuse true), Options=nodev,ro,x-gdu.hide,x-gvfs-hide
 * (+allow_other for fuse), LazyUnmount=yes, wanted by snapd.mounts.target and multi-user.target.
 * Caller frees; NULL on ENOMEM.
 */
char *sn_mount_unit_content(const char *snap_name, const char *revision, const char *blob, const char *where,
                            bool fuse);

/* True when systemd is PID 1 (as sd_booted(): /run/systemd/system exists). */
bool sn_mount_systemd_booted(void);

/* Runs systemctl with up to three arguments (NULL ends them; no shell: unit names hold backslashes),
 * output discarded. 0, -EIO when it failed, -errno when it could not run. */
int sn_systemctl(const char *a1, const char *a2, const char *a3);

/*
 * What the daemon calls. On a system where systemd is PID 1 and root is "" (the real root), does
 * as snapd: writes the mount unit to /etc/systemd/system (atomically), reloads systemd and enables
 * and starts the unit, so that the mount also comes back at boot before the daemon starts;
 * elsewhere (a container, a test root) mounts directly with sn_mount_snap. snap and revision name
 * the unit's description. Idempotent. 0 or -errno with a message.
 */
int sn_mount_snap_persistent(const char *root, const char *snap, const char *revision, const char *blob,
                             const char *where, SnError **reterr);

/* The reverse: stops and disables the unit and removes its file (systemd), then sn_umount_snap (same results). */
int sn_umount_snap_persistent(const char *root, const char *blob, const char *where, SnError **reterr);
