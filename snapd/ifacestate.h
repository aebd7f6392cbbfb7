/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The interface manager (snapd's overlord/ifacestate): connections in the state, the plugs and
 * slots of the installed snaps (and the system snap's implicit slots), auto-connection, the
 * connect / disconnect tasks with undo, and the regeneration of the profiles of the snaps a
 * connection change affects.
 *
 * Connections live in the table `connections` of state.db, keyed as snapd keys them
 * ("PLUGSNAP:PLUG SLOTSNAP:SLOT"), with snapd's ConnState fields: interface, auto, by-gadget,
 * undesired, plug/slot static and dynamic attributes. The table is created by
 * sn_ifacestate_init when missing (an idempotent schema step owned by this module).
 *
 * The system snap is "snapd" (or "core" when only a core snap is installed); it always exists for
 * interfaces, with the implicit slots of the interfaces that have one on this system (classic unless
 * $ROOT/var/lib/snapd/modeenv exists, snapd's Ubuntu Core marker). Plugs and slots of interfaces
 * this build does not know are ignored, as are those whose attributes fail the interface's checks.
 *
 * Content connections change the plug snap's preserved mount namespace at once: the daemon enters
 * it ($ROOT/run/snapd/ns/snap.NAME.mnt) in a child process and bind-mounts (or unmounts) the
 * provider's directories at their targets, so running and future apps of that snap see the change
 * without a restart. What was mounted is recorded in $ROOT/run/snapd/ns/snap.NAME.content. A
 * namespace created after the connection does not get the mounts (snap-confine has no mount
 * profile yet; docs/interfaces.md).
 *
 * Functions take the state lock themselves unless marked "lock held".
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "state-change.h"
#include "state.h"
#include "taskrunner.h"

/* Creates the connections table when missing. Lock not held. */
int sn_ifacestate_init(SnState *st, SnError **reterr);

/*
 * Registers the handlers of "connect", "disconnect", "auto-connect", "auto-disconnect" and
 * "discard-conns". Before the snap manager registers (which only adds no-ops for kinds nobody
 * has taken). -EEXIST when a kind is taken.
 */
int sn_ifacestate_register(SnTaskRunner *runner);

/*
 * What the "auto-connect" task of an install, refresh or enable does for snap `name` (its current
 * revision must be linked): connects every plug of it to the one slot the policy allows to
 * auto-connect (several with slots-per-plug: *), and every slot of it to the plugs of other snaps
 * that have no connection yet and for which it is the only candidate, skipping connections the
 * user disconnected (undesired); then regenerates the profiles of every snap involved (the snap
 * itself included). *ret_made (may be NULL) gets a JSON array of the connection ids it made (for
 * undo: sn_ifacestate_forget). It runs no interface hooks: the "auto-connect" task instead injects
 * snapd's connect chain (ifacestate-hooks.h) for each connection whose snaps have one. Lock not held.
 */
int sn_ifacestate_auto_connect(SnState *st, const char *name, json_t **ret_made, SnError **reterr);

/* Removes the connections with these ids and regenerates the profiles involved. Lock not held. */
int sn_ifacestate_forget(SnState *st, json_t *ids, SnError **reterr);

/*
 * The setup-profiles step for snap `name` with its connections: compiles every app's and hook's
 * blob with the grants of its connected plugs and slots (sn_policy_setup_profiles) and brings the
 * content mounts of its preserved namespace up to date. The snap manager's setup-profiles may call
 * it. A snap that is not installed is skipped (0); one that is inactive is set up all the same (the
 * undo of a refresh sets up the old revision before it is active again). Lock not held.
 */
int sn_ifacestate_setup_profiles(SnState *st, const char *name, SnError **reterr);

/*
 * At the daemon's start, after the snaps are mounted: regenerates (with their connections' grants
 * and content mounts) the profiles of every active snap that has no policy blob, or a blob of
 * another version than SN_POLICY_BLOB_VERSION (written by an older daemon: snap-confine refuses
 * those). A namespace that cannot follow is discarded. Returns 0 and the number of snaps
 * regenerated in *ret_n (may be NULL), or -errno. Lock not held.
 */
int sn_ifacestate_refresh_stale_profiles(SnState *st, unsigned *ret_n, SnError **reterr);

/* ---- the API's view (lock held for these) ---- */

/*
 * GET /v2/connections: {"established":[...],"undesired":[...],"plugs":[...],"slots":[...]} with
 * snapd's field names; snap (may be NULL) keeps what involves that snap, iface (may be NULL) that
 * interface; all=false keeps only connected plugs and slots. Lock held.
 */
int sn_ifacestate_connections_json(SnState *st, const char *snap, const char *iface, bool all, json_t **ret,
                                   SnError **reterr);

/*
 * GET /v2/interfaces?select=...: [{"name","summary","doc-url","plugs","slots"}], sorted by name;
 * names (NULL-terminated, may be NULL) keeps those; connected keeps interfaces with a connection;
 * doc/plugs/slots add those fields. Lock held.
 */
int sn_ifacestate_interfaces_json(SnState *st, char *const *names, bool connected, bool doc, bool plugs, bool slots,
                                  json_t **ret, SnError **reterr);

/*
 * Builds a connect change for plug_snap:plug -> slot_snap:slot as the API asks (snap names may be
 * "" for the system snap, slot may be "" for the only slot of the plug's interface), with snapd's
 * errors: -ENOENT "snap \"x\" has no plug named \"y\"", -EINVAL for the rest. The change is snapd's
 * chain with the interface hooks the two snaps have (ifacestate-hooks.h). Connecting an existing
 * connection gives a change whose one task changes nothing (it ends Done, as snapd's does).
 * *ret_change is ready for sn_change_create. Lock held.
 */
int sn_ifacestate_connect_change(SnState *st, const char *plug_snap, const char *plug, const char *slot_snap,
                                 const char *slot, SnNewChange **ret_change, SnError **reterr);

/*
 * A disconnect change (snapd's ResolveDisconnect forms: both ends, or one plug or slot for all its
 * connections; forget removes the record of an auto-connection instead of marking it undesired).
 * Nothing to disconnect gives -ENODATA ("nothing to do"); a named pair that is not connected -EINVAL
 * with snapd's message. Each connection's disconnect chain (its disconnect hooks, then the
 * disconnect task) follows the one before. Lock held.
 */
int sn_ifacestate_disconnect_change(SnState *st, const char *plug_snap, const char *plug, const char *slot_snap,
                                    const char *slot, bool forget, SnNewChange **ret_change, SnError **reterr);

/* The system snap's name ("snapd" or "core"). Lock held. */
const char *sn_ifacestate_system_snap(SnState *st);
