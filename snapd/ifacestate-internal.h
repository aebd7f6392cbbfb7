/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Shared by ifacestate.c (connection records, the repository, profile regeneration), ifacestate-tasks.c
 * (auto-connect and the task handlers), ifacestate-api.c (the API's JSON and changes) and ifacestate-ns.c
 * (the content mounts).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "error.h"
#include "interfaces-policy.h"
#include "interfaces.h"
#include "snap-yaml.h"
#include "state.h"

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

/* A connection record (a row of the connections table). */
typedef struct Conn {
    char *plug_snap, *plug, *slot_snap, *slot, *interface;
    bool autoc, by_gadget, undesired;
    json_t *plug_static, *slot_static, *plug_dynamic, *slot_dynamic;
} Conn;

/* The repository: plugs and slots of what is installed. */
typedef struct End {
    SnIfaceEnd e; /* points into the fields below */
    char *snap, *name, *interface, *label, *revision, *snap_type;
    json_t *attrs;
    char **apps, **hooks;
    bool is_slot;
} End;

typedef struct RepoSnap {
    char *name;
    char *revision;
    SnSnapInfo *info;
    char **implicit_hooks;
} RepoSnap;

typedef struct Repo {
    End *ends;
    size_t n_ends;
    RepoSnap *snaps;
    size_t n_snaps;
    const char *system;
    bool on_classic;
    const char *root;
} Repo;

/* The interface hooks of a connect and of a disconnect. */
#define CONNECT_HOOKS                                                                                                  \
    (SN_IFACE_HOOK_PREPARE_PLUG | SN_IFACE_HOOK_PREPARE_SLOT | SN_IFACE_HOOK_CONNECT_SLOT | SN_IFACE_HOOK_CONNECT_PLUG)
#define DISCONNECT_HOOKS (SN_IFACE_HOOK_DISCONNECT_SLOT | SN_IFACE_HOOK_DISCONNECT_PLUG)

/* Frees c's contents and zeroes it. */
void sn_ifacestate_conn_done(Conn *c);

/* Frees the n records of v and v (NULL accepted). */
void sn_ifacestate_conns_free(Conn *v, size_t n);

/* snapd's ConnRef.ID(), "ps:p ss:s" (malloc'd; NULL when out of memory). */
char *sn_ifacestate_conn_id(const char *ps, const char *p, const char *ss, const char *s);

/* Every record, by id. Lock held. */
int sn_ifacestate_conns_load(SnState *st, Conn **ret, size_t *ret_n, SnError **reterr);

/* Inserts or replaces record c. Lock held. */
int sn_ifacestate_conn_put(SnState *st, const Conn *c, SnError **reterr);

/* Runs fn in a transaction of its own. Lock held. */
int sn_ifacestate_in_transaction(SnState *st, int (*fn)(SnState *, const void *, SnError **), const void *arg,
                                 SnError **reterr);

/* sn_ifacestate_in_transaction callbacks: put a Conn, delete a record by id (a string). */
int sn_ifacestate_put_fn(SnState *st, const void *c, SnError **reterr);
int sn_ifacestate_delete_fn(SnState *st, const void *id, SnError **reterr);

/* Frees the repository's contents and zeroes it. */
void sn_ifacestate_repo_done(Repo *r);

/* Loads the plugs and slots of the installed snaps (and the system snap's implicit ones). Lock held. */
int sn_ifacestate_repo_load(SnState *st, Repo *repo, SnError **reterr);

/* The plug (or slot when is_slot) snap:name of the repository (borrowed), or NULL. */
End *sn_ifacestate_repo_find(Repo *repo, const char *snap, const char *name, bool is_slot);

/* The repository's snap `name` (borrowed), or NULL. */
RepoSnap *sn_ifacestate_repo_snap(Repo *repo, const char *name);

/* The SnIfaceHooks bits (of want) of connection ps:p ss:s whose hooks its snaps have. */
unsigned sn_ifacestate_conn_hooks(Repo *repo, const char *ps, const char *p, const char *ss, const char *s,
                                  unsigned want);

/* The policy check's view of plug and slot (borrowing them). */
SnIfaceCandidate sn_ifacestate_candidate(const Repo *repo, const End *plug, const End *slot);

/*
 * Regenerates snap `name`'s profiles and content mounts from the connections conns. Lock not held.
 * strict: a content mount that cannot be applied in the snap's preserved namespace is an error (the
 * namespace is discarded either way, see sn_ifacestate_ns_update).
 */
int sn_ifacestate_regenerate(const Repo *repo, const Conn *conns, size_t n_conns, const char *name, bool strict,
                             SnError **reterr);

/*
 * Exports the gpio pins of the connected gpio slots of the snaps named in snaps, and unexports those
 * no longer connected (a snap that is gone or inactive keeps none), before their plugs' profiles are
 * compiled (the AppArmor rule names the exported pin's sysfs directory). What snapd only logs (a pin
 * that cannot be exported) is logged. Lock not held.
 */
int sn_ifacestate_gpio_sync_snaps(const Repo *repo, const Conn *conns, size_t n_conns, char *const *snaps,
                                  SnError **reterr);

/* Loads the repository and the connections and regenerates every snap named in snaps. Lock not held. */
int sn_ifacestate_regenerate_snaps(SnState *st, char *const *snaps, SnError **reterr);

/* Appends s to the NULL-terminated *v unless it is there: 0, or -ENOMEM. */
int sn_ifacestate_push_unique(char ***v, const char *s);
