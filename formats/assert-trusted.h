/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The roots of trust: Canonical's root account and account-key built in (as snapd's
 * asserts/sysdb does), snapd's predefined "generic" assertions, and roots the device's owner
 * adds in a root-owned directory ($SNAPPY_GLOBAL_ROOT/etc/microsnap/trusted.d/, every regular
 * file a stream of account / account-key assertions).
 */
#pragma once

#include "assert-db.h"

/* Adds the built-in trusted roots and the predefined generic assertions to db. */
int sn_assert_db_add_builtin(SnAssertDb *db, SnError **reterr);

/* $SNAPPY_GLOBAL_ROOT/etc/microsnap/trusted.d (caller frees). */
char *sn_assert_trusted_dir(void);

/*
 * Adds every regular file in dir as trusted roots (sorted by name). dir and its files must be
 * owned by root and not writable by group or others (-EPERM otherwise); symlinks are refused. A
 * missing dir is not an error.
 */
int sn_assert_db_load_trusted_dir(SnAssertDb *db, const char *dir, SnError **reterr);
