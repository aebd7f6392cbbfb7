/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Opening paths the helper may trust: every directory on the way is owned by root and not writable
 * by others (nor by a non-root group) unless it is sticky, so no unprivileged user can have prepared
 * or swapped any part of it. Symlinks are not followed, except a last-component link whose target is
 * a single plain name in the same directory (snapd's "current" -> "REV").
 */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>

#include "error.h"

/* True when st describes something owned by root that no unprivileged user can write. */
bool sn_confine_stat_is_trusted(const struct stat *st);

/*
 * Opens "/" and walks root (absolute, normalised; "" means "/"), checking "/" and every component.
 * Returns an O_PATH directory fd or -errno: -EPERM (with the offending path) for an untrusted
 * component, -ELOOP for a symlink, -ENOTDIR.
 */
int sn_confine_open_root(const char *root, SnError **reterr);

/*
 * Walks rel (relative, components separated by '/', no "." or "..") beneath dirfd, checking every
 * directory as above; the result must be a directory. With follow_last, a symlink as the last
 * component is followed when its target is a plain name. Returns an O_PATH fd or -errno (-ENOENT
 * when a component is missing).
 */
int sn_confine_open_trusted_dir(int dirfd, const char *rel, bool follow_last, SnError **reterr);

/*
 * mkdir -p of rel beneath dirfd with mode for new directories, as root, never following symlinks;
 * every existing or created directory must be trusted (an existing untrusted one is an error, never
 * "repaired": the CVE-2022-3328 lesson). Returns an O_PATH fd of the last directory or -errno.
 */
int sn_confine_mkdir_trusted(int dirfd, const char *rel, mode_t mode, SnError **reterr);
