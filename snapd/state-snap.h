/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Installed snaps and their revision sequences in the state database (snapd's SnapState).
 * Revisions are integers as in snapd: N > 0 a store revision, N < 0 the local revision x(-N),
 * 0 unset. Every function expects the state lock held and works inside the caller's transaction.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "state.h"

typedef struct SnSeqEntry {
    int64_t revision;
    char *snap_id;     /* "" for unasserted */
    char *channel;     /* "" when unknown */
    json_t *side_info; /* object, owned: anything else snapd keeps per revision */
} SnSeqEntry;

typedef struct SnSnapState {
    char *name;
    char *type; /* "app", "base", "os", "snapd", "kernel", "gadget" */
    bool active;
    int64_t current;
    char *tracking_channel;
    json_t *flags;        /* object, owned */
    json_t *data;         /* object, owned */
    SnSeqEntry *sequence; /* oldest first */
    size_t n_sequence;
} SnSnapState;

/* An empty snap state for name (type "app"). NULL on allocation failure. */
SnSnapState *sn_snap_state_new(const char *name);
SnSnapState *sn_snap_state_free(SnSnapState *s);
SN_DEFINE_CLEANUP_FUNC(SnSnapState *, sn_snap_state_free)
/* Frees an array of n snap states (as sn_snap_state_list returns). */
void sn_snap_state_array_free(SnSnapState **v, size_t n);

/* Appends a revision to the sequence. 0, -EEXIST when the revision is already there, -ENOMEM. */
int sn_snap_state_append(SnSnapState *s, int64_t revision, const char *snap_id, const char *channel);

/* Formats a revision as snapd does: "29", "x1", "unset" for 0. Writes into buf (at least 24 bytes). */
const char *sn_revision_format(int64_t revision, char buf[static 24]);
/* Parses "29", "x1". -EINVAL for anything else (0, "x0", signs, spaces). */
int sn_revision_parse(const char *s, int64_t *ret);

/* Inserts or replaces the snap and its whole sequence. */
int sn_snap_state_put(SnState *st, const SnSnapState *s, SnError **reterr);
/* Loads one snap. -ENOENT ("snap not installed") when there is none. */
int sn_snap_state_get(SnState *st, const char *name, SnSnapState **ret, SnError **reterr);
/* Loads every snap, by name. *ret_v is NULL when there are none. Free with sn_snap_state_array_free. */
int sn_snap_state_list(SnState *st, SnSnapState ***ret_v, size_t *ret_n, SnError **reterr);
/* Deletes the snap and its sequence. -ENOENT when there is none. */
int sn_snap_state_delete(SnState *st, const char *name, SnError **reterr);
