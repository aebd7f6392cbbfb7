/* SPDX-License-Identifier: GPL-3.0-only */
/* Shared by ifacestate.c (records, repository, tasks) and ifacestate-ns.c (the content mounts). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "interfaces.h"

/*
 * Brings the content bind mounts of snap `name`'s preserved mount namespace to `want`: unmounts
 * what was mounted and is no longer wanted, mounts what is new (read-only ones remounted
 * read-only), in a child process that entered the namespace. Without a preserved namespace only
 * the record is dropped. Every mount must pass sn_policy_mount_check for name (-EINVAL); paths are
 * opened without following symlinks (a provider's symlinked share fails with -ELOOP). A target under
 * /var/snap/NAME is created when missing; one in a read-only squashfs must exist. Holds
 * snap-confine's per-snap lock throughout. When an operation fails in the namespace, the namespace
 * is discarded (its file, info and record removed; running apps keep it, the next launch builds a
 * new one from the blobs); then strict returns -errno with a message naming the mount, and !strict
 * (a snap regenerated because a snap connected to it changed) returns 0.
 */
int sn_ifacestate_ns_update(const char *root, const char *name, const SnIfaceMount *want, size_t n_want, bool strict,
                            SnError **reterr);
