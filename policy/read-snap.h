/* SPDX-License-Identifier: GPL-3.0-only */
/* Reading what policy needs from a mounted snap (its own file: `snap run` uses it and links no libseccomp). */
#pragma once

#include "error.h"
#include "snap-yaml.h"

/*
 * Reads a mounted (or unpacked) snap at snap_dir: meta/snap.yaml, parsed and validated, and the
 * implicit hooks (entries of meta/hooks with a valid hook name that snap.yaml does not declare).
 * Nothing is followed out of snap_dir (openat2 beneath, no symlinks), snap.yaml must be a regular
 * file. Returns 0 with *ret_info (free with sn_snap_info_free) and *ret_implicit_hooks (may be NULL
 * when there are none; free with sn_strv_free), or -errno with a message naming the file.
 */
int sn_policy_read_snap(const char *snap_dir, SnSnapInfo **ret_info, char ***ret_implicit_hooks, SnError **reterr);
