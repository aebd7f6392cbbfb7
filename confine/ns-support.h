/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The snap's preserved mount namespace, $ROOT/run/snapd/ns/snap.NAME.mnt: joined when it exists
 * (and was built on the same base), otherwise created, populated and preserved by a capture helper
 * process that stays in the original namespace and bind-mounts /proc/PID/ns/mnt onto the file.
 */
#pragma once

#include <stdint.h>

#include "invocation.h"
#include "policy-blob.h"

/*
 * Leaves the calling process inside the snap's mount namespace with its root at the base snap.
 * Takes $ROOT/run/snapd/lock/.lock while making $ROOT/run/snapd/ns a private mount, then
 * $ROOT/run/snapd/lock/NAME.lock while creating or joining. A namespace it creates gets the content
 * mounts of blob (sn_confine_apply_content_mounts); a joined one is left as it is. Dies on any
 * failure.
 */
void sn_confine_enter_mount_ns(const SnInvocation *inv, const SnPolicyBlob *blob, int rootfd);

/* The id of the mount namespace behind an nsfs fd (NS_GET_MNTNS_ID), or -errno (-ENOTTY on old kernels). */
int sn_confine_mntns_id(int nsfd, uint64_t *ret_id);
