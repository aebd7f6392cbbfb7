/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The snap cookie of apps. As snapd's snap-confine does, the helper reads
 * $ROOT/var/lib/snapd/cookie/snap.INSTANCE (written by the daemon, snapd/hookstate.c: the directory
 * 0700, the file 0600, both root's, so only the privileged helper can read it for a non-root
 * caller) and gives it to the app as SNAP_COOKIE and SNAP_CONTEXT, so that snapctl works from apps
 * whoever runs them. Hooks are left alone: the daemon gives each hook its own context.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* The largest cookie file accepted, in bytes (the daemon writes 52; snapd's snap-confine reads up to 255). */
#define SN_CONFINE_COOKIE_MAX 255

/* Whether s[0..len) is a cookie: 1..SN_CONFINE_COOKIE_MAX characters of [A-Za-z0-9_-] (unpadded base64url). */
bool sn_confine_cookie_valid(const char *s, size_t len);

/*
 * Reads the cookie of instance (an already validated instance name) beneath rootfd, the trusted
 * root: var/lib/snapd/cookie must be a trusted directory (sn_confine_open_trusted_dir: root-owned,
 * not writable by others, no symlinks); snap.INSTANCE is opened without following a symlink and
 * must be a regular file owned by root, not writable by group or others, of at most
 * SN_CONFINE_COOKIE_MAX bytes, and valid as above (no newline, no '='). Returns 1 and *ret_cookie
 * (caller frees); 0 when the directory or the file does not exist (*ret_cookie untouched); or
 * -errno with a message naming the file: -ELOOP (a symlink), -EPERM (owner or mode, or an untrusted
 * directory), -EFBIG (size), -EINVAL (not a regular file, empty, or a character outside the set).
 * Never dies.
 */
int sn_confine_read_cookie(int rootfd, const char *instance, char **ret_cookie, SnError **reterr);
