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
 * the record is dropped. A target under /var/snap is created when missing; one in a read-only
 * squashfs must exist. 0 or -errno with a message naming the mount.
 */
int sn_ifacestate_ns_update(const char *root, const char *name, const SnIfaceMount *want, size_t n_want,
                            SnError **reterr);
