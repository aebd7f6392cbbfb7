/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The content interface's bind mounts in a mount namespace snap-confine has just created (the
 * daemon's snapd/ifacestate-ns.c does the same in a namespace that already exists). The list comes
 * from the policy blob's mounts section; the daemon put the same list in every blob of the snap.
 *
 * Sources live in other snaps (their squashfs or their $SNAP_DATA): a provider may ship or create
 * symlinks there, so no path is resolved with symlinks allowed. Each path is opened with
 * sn_policy_mount_open_dir (the walk the daemon uses too) beneath the namespace's root, and
 * mount(2) gets /proc/self/fd/N names of the directories opened that way.
 */
#pragma once

#include "invocation.h"
#include "policy-blob.h"

/*
 * In a new mount namespace, after pivot_root, as root and holding the snap's lock: applies every
 * mount entry of blob in order (bind, then for read-only ones a remount ro,nosuid,nodev read back
 * with fstatvfs), then writes the record "ro|rw SOURCE TARGET\n" of what was mounted to
 * snap.NAME.content in nsdir (root-owned, 0644), which the daemon diffs against on later connects
 * and disconnects. An entry whose target names another snap, or a mount that fails, is fatal. An
 * entry whose source or target cannot be opened (missing, a symlink, not a directory: a provider's
 * state, hostile or not) is skipped with a warning and left out of the record, so the app starts
 * without that content. Dies on failure.
 */
void sn_confine_apply_content_mounts(const SnInvocation *inv, const SnPolicyBlob *blob, int nsdir);
