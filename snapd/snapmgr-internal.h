/* SPDX-License-Identifier: GPL-3.0-only */
/* Shared between snapmgr.c (change building) and snapmgr-handlers.c (the tasks' handlers). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "snapmgr.h"
#include "state-snap.h"

struct SnSnapMgr {
    SnState *st;
    char *root;
    void *handlers; /* the handlers' userdata (snapmgr-handlers.c) */
};

/*
 * The setup of one operation on one snap (snapd's SnapSetup), kept as JSON in the "snap-setup" key
 * of the task that owns it (prepare-snap, or the first task of the change); the other tasks hold
 * its id in "snap-setup-task". Keys: name, revision (int; 0 unset), snap-path, remove-snap-path,
 * snap-id, channel, type, base, and flags devmode, classic, jailmode, revert, purge.
 */
typedef struct SnapSetup {
    char *name;
    int64_t revision;
    char *snap_path;
    bool remove_snap_path;
    char *snap_id;
    char *type;
    char *base;
    bool devmode, classic, jailmode, revert, purge;
} SnapSetup;

void snap_setup_done(SnapSetup *s);
json_t *snap_setup_to_json(const SnapSetup *s);
int snap_setup_from_json(json_t *j, SnapSetup *ret);

/* Paths under the root. Caller frees; NULL on ENOMEM. */
char *snapmgr_blob_path(const SnSnapMgr *m, const char *name, int64_t rev);
char *snapmgr_mount_dir(const SnSnapMgr *m, const char *name, int64_t rev); /* rev 0: /snap/NAME */
char *snapmgr_data_dir(const SnSnapMgr *m, const char *name, int64_t rev);  /* rev 0: /var/snap/NAME */
char *snapmgr_common_dir(const SnSnapMgr *m, const char *name);

/* The index of revision in s's sequence, or -1. */
ssize_t snapmgr_seq_index(const SnSnapState *s, int64_t revision);

/* The next local revision: x1 when there is none, else one past the highest local one. */
int64_t snapmgr_next_local_revision(const SnSnapState *s);

/* For handlers (snapmgr-handlers.c): the task's snap-setup (its own, or its setup task's). */
int snapmgr_load_setup(SnTaskCtx *ctx, SnapSetup *ret, SnError **reterr);
/* The snap's state, or *ret NULL (returning 0) when it is not installed. Lock not held. */
int snapmgr_get_state(SnSnapMgr *m, const char *name, SnSnapState **ret, SnError **reterr);

/* The profile tasks (snapmgr-profiles.c): setup-profiles, remove-profiles, and their undo. */
int snapmgr_do_setup_profiles(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr);
int snapmgr_do_remove_profiles(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr);
int snapmgr_restore_profiles(SnTaskCtx *ctx, SnSnapMgr *m, SnError **reterr);

/* The handlers' table (snapmgr-handlers.c). */
int snapmgr_register_handlers(SnSnapMgr *m, SnTaskRunner *runner);
