/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The `current` symlinks of a snap: $ROOT/snap/NAME/current and $ROOT/var/snap/NAME/current, each a
 * relative symlink to the revision ("29", "x1"), as snapd's backend/link.go writes them.
 *
 * A symlink is switched by creating the new one beside it (".current.new") and renaming it over
 * "current": a reader sees the old target or the new, never none. The directory is fsynced after
 * each switch so that the switch survives a power cut. Each call is idempotent.
 */
#pragma once

#include "error.h"

/* Points dir/current at target (a bare revision name), atomically. dir must exist. 0 or -errno. */
int sn_link_set_current(const char *dir, const char *target, SnError **reterr);

/* Removes dir/current (missing is fine; a missing dir too). 0 or -errno. */
int sn_link_remove_current(const char *dir, SnError **reterr);

/* The target of dir/current (caller frees). -ENOENT when there is none. */
int sn_link_read_current(const char *dir, char **ret_target);
