/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Building the snap's filesystem view inside a new mount namespace (snapd's sc_populate_mount_ns,
 * reshaped so that no attacker-reachable path is ever handed to mount(): every source is an fd the
 * helper opened and checked, and every target lies in a tmpfs only this namespace can see).
 */
#pragma once

#include "invocation.h"

/*
 * In a fresh mount namespace (the caller unshared it), as root: makes / rslave; reopens and rechecks
 * $SNAPPY_GLOBAL_ROOT in it; opens the base snap
 * $ROOT/snap/BASE/current, $ROOT/snap, $ROOT/var/snap, $ROOT/var/lib/snapd and the helper directory
 * $ROOT<libexecdir> as trusted directories; mounts a private tmpfs on /tmp as scratch; binds the
 * base there, then the host directories snapd binds that exist (/dev /etc /home /root /proc /sys
 * /var/tmp /run /lib/modules /usr/src /var/log /media /mnt) and the trusted ones at /snap, /var/snap,
 * /var/lib/snapd and /usr/lib/snapd; a new tmpfs at /tmp (mode 1777) and a new devpts instance with
 * its ptmx; then pivot_root into it and detaches the old root. Dies on any failure.
 */
void sn_confine_populate_mount_ns(const SnInvocation *inv);
