/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * SNAP_DATA on disk: the crash-safe copy of $ROOT/var/snap/NAME/OLD to .../NEW on refresh (snapd's
 * copy-snap-data, `cp -a` semantics: modes, owners, times, symlinks, special files and extended
 * attributes; hard links become separate files), and a recursive removal that never follows a
 * symlink or leaves its tree.
 *
 * The copy goes into a sibling ".NEW.copying" first; only a complete copy, synced to disk, is
 * renamed to NEW (then the parent is fsynced). A crash or a full disk at any point leaves either no
 * NEW at all or a whole one: a stale ".copying" is removed by the next attempt.
 */
#pragma once

#include "error.h"

/*
 * Copies the tree src to dst, which must not exist (-EEXIST). On failure (-ENOSPC for a full
 * disk, -errno otherwise, with a message naming the file) the partial copy is removed and dst
 * does not exist. Returns 0 on success.
 */
int sn_snap_data_copy(const char *src, const char *dst, SnError **reterr);

/* The name of the temporary copy of dst (caller frees): "DIR/.BASE.copying". NULL on ENOMEM. */
char *sn_snap_data_copying_path(const char *dst);

/* Removes path and everything under it, not following symlinks. Missing is fine. 0 or -errno. */
int sn_rm_rf(const char *path);
