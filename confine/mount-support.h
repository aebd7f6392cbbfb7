/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Building the snap's filesystem view inside a new mount namespace (snapd's sc_populate_mount_ns,
 * reshaped so that no attacker-reachable path is ever handed to mount(): every source is an fd the
 * helper opened and checked, and every target lies in a tmpfs only this namespace can see).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "invocation.h"

/* Where the source of one bind into the new root comes from. */
typedef enum SnConfineBindFrom {
    SN_CONFINE_FROM_HOST, /* the host's /SRC, opened by path */
    SN_CONFINE_FROM_ROOT, /* $SNAPPY_GLOBAL_ROOT/SRC, walked from the trusted root fd (sn_confine_open_trusted_dir) */
} SnConfineBindFrom;

typedef struct SnConfineBind {
    const char *src; /* relative to the host's / or to the root, no leading '/' */
    const char *dst; /* relative to the new root (the base snap) */
    SnConfineBindFrom from;
    bool src_required; /* a missing source is fatal; otherwise the bind is skipped */
    bool dst_required; /* a base without the mount point is fatal; otherwise the bind is skipped */
} SnConfineBind;

#define SN_CONFINE_MAX_BINDS 24

/*
 * The binds that make the snap's root over the base snap, in mount order: the host directories
 * snapd binds (/dev /etc /home /root /proc /sys /var/tmp /run /lib/modules /usr/src /var/log /media
 * /mnt, each skipped when missing on either side), then from the root /snap, /var/snap,
 * /var/lib/snapd and the helper directory libexec_rel (SN_LIBEXECDIR without its '/') at
 * usr/lib/snapd.
 *
 * root is the invocation's root ("" for the real one). Under a test root (anything but "") /run is
 * the root's run-time state, $ROOT/run (required: snap-confine has created $ROOT/run/snapd by
 * then), never the host's: the daemon's sockets, /run/user, /run/snapd/ns and /run/mount all live
 * there, as snapd's dirs.SetRootDir puts them, and nothing on the host's /run is visible or
 * created. Writes the entries to ret (pointers to static strings and to libexec_rel) and returns
 * their count. Pure: no syscalls.
 */
size_t sn_confine_mount_plan(const char *root, const char *libexec_rel, SnConfineBind ret[static SN_CONFINE_MAX_BINDS]);

/*
 * In a fresh mount namespace (the caller unshared it), as root: makes / rslave; reopens and rechecks
 * $SNAPPY_GLOBAL_ROOT in it; opens the base snap $ROOT/snap/BASE/current and every source of
 * sn_confine_mount_plan (root-relative ones as trusted directories) before anything is covered;
 * mounts a private tmpfs on /tmp as scratch; binds the base there, then each planned source
 * (recursive, then rslave) onto its mount point, opened without following symlinks; a new tmpfs at
 * /tmp (mode 1777) and a new devpts instance with its ptmx; then pivot_root into it and detaches the
 * old root. Dies on any failure.
 */
void sn_confine_populate_mount_ns(const SnInvocation *inv);
