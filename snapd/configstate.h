/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Snap configuration (snapd's overlord/configstate): one JSON object per snap in the state's
 * config table, read and written by dotted keys ("a.b.c" is {"a":{"b":{"c":...}}}).
 *
 * Setting follows snapd's config.Transaction: a patch is a map of dotted keys to values, applied
 * shallowest key first; intermediate maps are created or merged into, never replaced, unless a
 * shorter key of the same patch replaces them; a null value unsets (nulls are purged from the
 * whole document afterwards, empty maps are kept); a key that would go through a value that is
 * not a map fails ("snap \"S\" option \"a\" is not a map").
 *
 * The system's own options live under the snap name "core" (the API's "system" is an alias, as in
 * snapd). They are checked as snapd's configcore does: an option snapd does not know is refused
 * ("cannot set \"core.foo\": unsupported system option"); refresh.retain must be 2..20,
 * refresh.max-inhibition-days 1..21, refresh.hold "forever" or RFC3339, refresh.metered "" or
 * "hold", refresh.timer a valid schedule, experimental flags true or false. Other known options
 * are stored without acting on them yet.
 *
 * A PUT /v2/snaps/NAME/conf is a change "configure-snap" ("Change configuration of \"NAME\" snap")
 * with one "run-hook" task for the configure hook ("Run configure hook of \"NAME\" snap"), whose
 * data holds the patch. hookstate.h's run-hook handler stages the patch in the hook's context, runs
 * the snap's configure hook, and stores the result only when the hook succeeds (for "core", which
 * has no hook program, it applies the patch directly, with the system option checks below).
 *
 * Functions taking an SnState expect the state lock held.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "state-change.h"
#include "state.h"
#include "taskrunner.h"

/* snapd's refresh.retain default and range (overlord/snapstate, configcore/refresh.go). */
#define SN_CONFIG_REFRESH_RETAIN_DEFAULT 2
#define SN_CONFIG_REFRESH_RETAIN_MIN 2
#define SN_CONFIG_REFRESH_RETAIN_MAX 20

/* snapd's RemapSnapFromRequest: "system" is "core"; any other name is itself. */
const char *sn_configstate_remap(const char *snap);

/*
 * Splits a dotted key as snapd's config.ParseKey: "" is the whole document (no parts); each part
 * must match ^(?:[a-z0-9]+-?)*[a-z](?:-?[a-z0-9])*$, else -EINVAL "invalid option name: \"PART\"".
 * Returns the number of parts and *ret_parts (NULL-terminated, caller frees with sn_strv_free).
 */
int sn_configstate_parse_key(const char *key, char ***ret_parts, SnError **reterr);

/* The stored document of snap (a new reference to an object, {} when there is none). */
int sn_configstate_get_doc(SnState *st, const char *snap, json_t **ret_doc, SnError **reterr);

/*
 * The value at key ("" for the whole document). -ENOENT with snapd's message when it is not set:
 * "snap \"S\" has no \"a.b\" configuration option" (or "snap \"S\" has no configuration" for
 * the whole document); -EINVAL for an invalid key; -EINVAL "snap \"S\" option \"a\" is not a
 * map" when the path goes through a value that is not a map. *ret_value is a new reference.
 */
int sn_configstate_get(SnState *st, const char *snap, const char *key, json_t **ret_value, SnError **reterr);
/* The same lookup in doc (an object, borrowed) instead of the stored document. */
int sn_configstate_get_in(json_t *doc, const char *snap, const char *key, json_t **ret_value, SnError **reterr);

/*
 * Applies patch (an object of dotted key -> value, borrowed) to doc (an object, changed in place)
 * as described above; snap names the snap in messages and decides the rules ("core" refuses map
 * keys that are not valid option names). *ret_changes (may be NULL) gets the changed leaf keys
 * prefixed with "SNAP." (snapd's Transaction.Changes(), sorted; sn_strv_free). On failure doc
 * may be half-changed: callers patch a copy.
 */
int sn_configstate_patch(json_t *doc, const char *snap, json_t *patch, char ***ret_changes, SnError **reterr);

/* The system options' checks (snap "core"): changes are sn_configstate_patch's, doc the result. */
int sn_configstate_validate_core(json_t *doc, char *const *changes, SnError **reterr);

/*
 * Applies patch (borrowed) to the stored document of snap and stores it, checking the system
 * options when snap is "core". Works inside the caller's transaction. An empty patch changes
 * nothing. 0 or -errno with the message of the refusal (nothing is stored then).
 */
int sn_configstate_apply(SnState *st, const char *snap, json_t *patch, SnError **reterr);

/* refresh.retain of the system, or the default when it is unset or not a valid number. */
unsigned sn_configstate_refresh_retain(SnState *st);

/*
 * Creates the configure-snap change for snap (a request name: "system" is "core") with patch
 * (borrowed), as snapd's ConfigureInstalled: any snap but "core" must be installed (-ENOENT
 * "snap \"NAME\" is not installed"), must not be the snapd snap or a base (-EINVAL with snapd's
 * messages), and must have no other change in flight (-EBUSY, *ret_conflict filled as
 * sn_change_create does). Opens its own transaction. Returns 0 and *ret_change_id.
 */
int sn_configstate_configure(SnState *st, const char *snap, json_t *patch, int64_t *ret_change_id,
                             SnConflict *ret_conflict, SnError **reterr);
