/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Connection and installation policy (snapd's interfaces/policy): the base-declaration composed from
 * every interface's rules, and the checks of a candidate connection against the snap-declarations
 * of both snaps and the base-declaration.
 *
 * Semantics, as snapd's ConnectCandidate.check: the first rule set that mentions the interface is
 * used, in this order: the plug snap's snap-declaration plug rule, the slot snap's slot rule, the
 * base-declaration plug rule, the base-declaration slot rule; none means allowed. In that rule the
 * deny-KIND constraints are checked first (any alternative matching denies), then allow-KIND (no
 * alternative matching refuses); a missing subrule allows, the shortcuts "true"/"false" stand for
 * the whole rule. Constraint keys: plug-/slot-snap-type ("core" matches the system snap), -snap-id,
 * -publisher-id ($PLUG_PUBLISHER_ID / $SLOT_PUBLISHER_ID), -attributes (anchored regular
 * expressions, $PLUG(attr) / $SLOT(attr) equality, $MISSING, nested maps, lists as alternatives),
 * -names ($INTERFACE), on-classic, on-core-desktop, slots-per-plug / plugs-per-slot.
 *
 * Simplified, as documented in docs/interfaces.md: there is no model or store here, so on-store,
 * on-brand and on-model never match; compatibility labels ($SLOT_COMPAT) are not supported; an
 * unknown constraint key never matches. Unasserted (dangerous) snaps have no publisher, so
 * publisher constraints do not match them.
 */
#pragma once

#include <stdbool.h>

#include "assert-value.h"
#include "error.h"
#include "interfaces.h"

typedef struct SnIfaceCandidate {
    const SnIfaceEnd *plug;
    const SnIfaceEnd *slot;
    const SnAssertValue *plug_decl; /* the plug snap's snap-declaration "plugs" header map, or NULL */
    const SnAssertValue *slot_decl; /* the slot snap's snap-declaration "slots" header map, or NULL */
    bool on_classic;
} SnIfaceCandidate;

/* The composed base-declaration's headers (a map with "plugs" and "slots"), parsed once; never NULL. */
const SnAssertValue *sn_iface_base_declaration(void);

/*
 * Whether a manual connection is allowed ("connection" rules). Returns 0, or -EPERM with snapd's
 * message ("connection denied by slot rule of interface \"home\"", "... not allowed by ...").
 */
int sn_iface_check_connection(const SnIfaceCandidate *c, SnError **reterr);

/*
 * Whether the pair auto-connects ("auto-connection" rules). Returns 0 with *ret_any_slots (may be
 * NULL) true when the matching rule says slots-per-plug: * (the plug may auto-connect to several
 * slots), or -EPERM with the message.
 */
int sn_iface_check_auto_connection(const SnIfaceCandidate *c, bool *ret_any_slots, SnError **reterr);

/*
 * Whether a snap with this plug (is_slot false) or slot may be installed ("installation" rules of
 * its snap-declaration decl, may be NULL, else of the base-declaration). Returns 0 or -EPERM with
 * snapd's message ("installation not allowed by \"serial\" slot rule of interface \"serial-port\"").
 */
int sn_iface_check_installation(const SnIfaceEnd *end, bool is_slot, const SnAssertValue *decl, bool on_classic,
                                SnError **reterr);
