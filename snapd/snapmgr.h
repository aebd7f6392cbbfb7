/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The snap manager (snapd's overlord/snapstate for local snaps): builds the changes that install a
 * local .snap file (or refresh an installed snap to one), revert, remove, enable and disable, and
 * provides the do/undo handlers of their tasks to the task runner.
 *
 * Layout (snapd's, under the state's root): blobs at /var/lib/snapd/snaps/NAME_REV.snap, read-only
 * mounts at /snap/NAME/REV, SNAP_DATA at /var/snap/NAME/REV, SNAP_COMMON at /var/snap/NAME/common,
 * `current` symlinks in /snap/NAME and /var/snap/NAME.
 *
 * Builders (sn_snapmgr_add_*) expect the state lock held, check snapd's preconditions (a change in
 * flight on the snap gives -EBUSY "snap \"NAME\" has \"KIND\" change in progress"; a missing snap
 * -ENOENT "snap \"NAME\" is not installed"; other refusals -EINVAL with snapd's message), and append
 * the tasks of one operation on one snap to a new change, naming the snap for conflicts. The caller
 * stores the change with sn_change_create (which checks conflicts again, atomically).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "state-change.h"
#include "state.h"
#include "taskrunner.h"

typedef struct SnSnapMgr SnSnapMgr;

/* A manager over st (borrowed, must outlive it); the root is the state's. */
int sn_snapmgr_new(SnState *st, SnSnapMgr **ret);
SnSnapMgr *sn_snapmgr_free(SnSnapMgr *m);
SN_DEFINE_CLEANUP_FUNC(SnSnapMgr *, sn_snapmgr_free)

/*
 * Registers the handlers of every task kind the manager's changes use. Before the runner starts.
 * "run-hook" is left to whoever registered it first (configstate); otherwise a no-op is added.
 */
int sn_snapmgr_register(SnSnapMgr *m, SnTaskRunner *runner);

/*
 * Re-establishes what a reboot loses: mounts every revision of every installed snap whose blob is
 * there (where systemd is PID 1, writes and starts snapd's mount units instead). Lock not held.
 * Keeps going past a failure; returns the first error, with *ret_mounted (may be NULL) the count
 * of revisions newly mounted.
 */
int sn_snapmgr_ensure_mounts(SnSnapMgr *m, unsigned *ret_mounted, SnError **reterr);

/*
 * Removes the sideload spool files ($ROOT/var/lib/snapd/snaps/.local-install-*) that no change in
 * flight owns: uploads a crash or a stop cut short. Lock not held. *ret_removed (may be NULL).
 */
int sn_snapmgr_sweep_spool(SnSnapMgr *m, unsigned *ret_removed, SnError **reterr);

typedef struct SnInstallOptions {
    const char *display_path;  /* the client's file name, for the summary; NULL: path */
    const char *instance_name; /* the name the caller asked for, or NULL */
    bool remove_path;          /* the file is a sideload spool file: the change owns and removes it */
    bool dangerous;
    bool devmode, classic, jailmode;
    /* From assertions (asserted installs); revision 0 and snap_id NULL for an unasserted file. */
    int64_t revision;
    const char *snap_id;
} SnInstallOptions;

/*
 * Reads the snap.yaml of the file at path (without mounting it) and checks it as snapd's sideload
 * does: -EBADMSG/-EINVAL "cannot read snap file: ..." for a file that is not a valid snap. On success
 * *ret_name (caller frees) is the snap's name.
 */
int sn_snapmgr_read_snap_name(const char *path, char **ret_name, SnError **reterr);

/* Install of the local file path (a refresh when the snap is installed). */
int sn_snapmgr_add_install_path(SnSnapMgr *m, SnNewChange *c, const char *path, const SnInstallOptions *opts,
                                SnError **reterr);
/* Revert to revision (0: the previous one in the sequence). */
int sn_snapmgr_add_revert(SnSnapMgr *m, SnNewChange *c, const char *name, int64_t revision, SnError **reterr);
/* Remove the whole snap (revision 0) or one inactive revision. */
int sn_snapmgr_add_remove(SnSnapMgr *m, SnNewChange *c, const char *name, int64_t revision, bool purge,
                          SnError **reterr);
int sn_snapmgr_add_enable(SnSnapMgr *m, SnNewChange *c, const char *name, SnError **reterr);
int sn_snapmgr_add_disable(SnSnapMgr *m, SnNewChange *c, const char *name, SnError **reterr);

/* refresh.retain from the config (snap "core"/"system"), 2..20, default 2. Lock held. */
unsigned sn_snapmgr_refresh_retain(SnState *st);

/* The root ("" for /). */
const char *sn_snapmgr_root(const SnSnapMgr *m);
