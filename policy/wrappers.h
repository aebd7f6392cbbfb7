/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The command wrappers of a snap, written at link time as snapd writes them: for every app that is
 * not a service, $ROOT/snap/bin/INSTANCE.APP, or $ROOT/snap/bin/INSTANCE for the app named like the
 * snap, a symlink to the `snap` binary, which runs the app it is called as (`snap run NAME.APP`).
 */
#pragma once

#include "error.h"
#include "snap-yaml.h"

#define SN_SNAP_BIN_DIR "/snap/bin"

/*
 * Writes the wrappers of instance (NAME or NAME_KEY of info) under root ("" or $SNAPPY_GLOBAL_ROOT;
 * NULL means ""), each an atomically replaced symlink to snap_binary (NULL: this build's installed
 * `snap`), and removes the instance's wrappers for apps the snap no longer has (only symlinks whose
 * target is snap_binary: anything else in /snap/bin is left alone). Returns 0 or -errno with the
 * path in the message (-EINVAL for an instance that is not info's).
 */
int sn_policy_write_wrappers(const char *root, const SnSnapInfo *info, const char *instance, const char *snap_binary,
                             SnError **reterr);

/* Removes every wrapper of the instance (symlinks to snap_binary). Missing ones are fine. 0 or -errno. */
int sn_policy_remove_wrappers(const char *root, const char *instance, const char *snap_binary, SnError **reterr);

/* The wrapper's file name for an app of instance: "INSTANCE" when app == the snap's name, else "INSTANCE.APP". */
char *sn_policy_wrapper_name(const char *instance, const char *app);
