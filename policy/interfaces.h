/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The interfaces (snapd's interfaces/builtin): a registry of what each interface is (name, summary,
 * where its implicit system slot exists, its base-declaration rules), how its plug and slot
 * attributes are checked (snapd's BeforePreparePlug / BeforePrepareSlot), and what a connection
 * grants to the apps and hooks bound to the plug (and, for some, the slot): seccomp lines, Landlock
 * paths and TCP rights, device-cgroup rules for the device nodes that exist when the profiles are
 * compiled, AppArmor rules, and for content the bind mounts into the plug snap's namespace.
 *
 * Each interface is a row of data in interfaces-builtin.c; the few that depend on attributes
 * (gpio, i2c, spi, serial-port, content) add a small function. Connection rules are evaluated in
 * interfaces-policy.h.
 *
 * Device nodes are looked up on the host (snap-confine binds the host's /dev into every snap's
 * namespace), under SnIfaceContext.dev_root when tests set it. A device that appears after the
 * profiles were compiled is granted at the next regeneration (a connect, a refresh), where snapd's
 * udev tagging would grant it at once: a documented difference.
 *
 * Known limits, each documented in docs/interfaces.md: Landlock cannot exclude files below a
 * granted directory, so on a kernel without AppArmor `home` grants the whole home directory,
 * hidden files included (AppArmor, where present, enforces snapd's exclusions); Landlock mediates
 * TCP only, so UDP and raw sockets stay as the seccomp template allows them.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "policy-build.h"

typedef struct SnInterface SnInterface;

/* One end of a connection: a plug or a slot of an installed snap (or of the system snap). */
typedef struct SnIfaceEnd {
    const char *snap;         /* instance name */
    const char *name;         /* plug or slot name */
    const char *interface;    /* interface name */
    const char *snap_type;    /* "app", "gadget", "kernel", "base", "snapd", "os" (the system snap: "snapd") */
    const char *revision;     /* "12" or "x1", for $SNAP paths; NULL for the system snap */
    json_t *attrs;            /* a JSON object, sanitized (borrowed); NULL means {} */
    char *const *apps;        /* apps bound to it, NULL-terminated; apps and hooks both NULL: all */
    char *const *hooks;       /* hooks bound to it */
    const char *snap_id;      /* NULL when unasserted */
    const char *publisher_id; /* NULL when unasserted */
} SnIfaceEnd;

/* Where grants look things up. */
typedef struct SnIfaceContext {
    const char *dev_root; /* prefix for device node lookups ("" or NULL: the host's /dev) */
    const char *root;     /* $SNAPPY_GLOBAL_ROOT for /sys/class/gpio and similar ("" or NULL: /) */
    bool on_classic;
} SnIfaceContext;

/* The interface called name, or NULL. */
const SnInterface *sn_iface_lookup(const char *name);
/* Every interface, sorted by name, NULL-terminated. */
const SnInterface *const *sn_iface_all(void);

const char *sn_iface_name(const SnInterface *iface);
/* snapd's summary string ("allows access to the network"). */
const char *sn_iface_summary(const SnInterface *iface);
/* snapd's documentation URL for the interface ("https://snapcraft.io/docs/NAME-interface"). */
const char *sn_iface_doc_url(const SnInterface *iface);
/* Whether the system snap carries an implicit slot of this interface (on classic or on core). */
bool sn_iface_implicit(const SnInterface *iface, bool on_classic);
/* Its base-declaration rules, in the assertion header format ("  NAME:\n    allow-...:"), or NULL. */
const char *sn_iface_base_declaration_plugs(const SnInterface *iface);
const char *sn_iface_base_declaration_slots(const SnInterface *iface);

/*
 * Checks and completes a plug's (or slot's) attributes in place, as snapd's BeforePreparePlug /
 * BeforePrepareSlot: content gets its default "content" label; serial-port, i2c, spi and gpio
 * slots must carry a valid path / number; content slots a read or write path; content plugs a
 * target. attrs is a JSON object. Returns 0 or -EINVAL with snapd's message.
 */
int sn_iface_sanitize_plug(const SnInterface *iface, const char *plug_name, json_t *attrs, SnError **reterr);
int sn_iface_sanitize_slot(const SnInterface *iface, const char *slot_name, json_t *attrs, SnError **reterr);

/*
 * What a set of connections grants one snap: owns every string and array the SnPolicyGrant
 * entries point into, so the array can be handed to sn_policy_setup_profiles as is.
 */
typedef struct SnIfaceGrants SnIfaceGrants;

int sn_iface_grants_new(SnIfaceGrants **ret);
SnIfaceGrants *sn_iface_grants_free(SnIfaceGrants *g);
SN_DEFINE_CLEANUP_FUNC(SnIfaceGrants *, sn_iface_grants_free)

/* The grants collected so far (valid until the next add or the free). */
const SnPolicyGrant *sn_iface_grants_get(const SnIfaceGrants *g, size_t *ret_n);

/*
 * Adds what the connection plug -> slot grants to the plug's snap (for_slot false: bound to the
 * plug's apps and hooks) or to the slot's snap (for_slot true). Device nodes named by the slot's
 * attributes or matched by the interface's patterns are stat()ed now: a missing one grants
 * nothing. Returns 0, -EINVAL (attributes that fail the interface's checks, message naming them)
 * or -ENOMEM.
 */
int sn_iface_grants_add(SnIfaceGrants *g, const SnIfaceContext *ctx, const SnIfaceEnd *plug, const SnIfaceEnd *slot,
                        bool for_slot, SnError **reterr);

/*
 * Permanent grants (snapd's PermanentPlug / PermanentSlot snippets): what declaring a plug or a slot
 * of an interface gives the declaring snap's apps and hooks bound to it, whether or not anything is
 * connected. Of the interfaces here only audio-playback has them (its slot: the audio server's
 * sound devices, seccomp and AppArmor rules); snapd's other permanent snippets among these
 * interfaces are not grants (serial-port's udev symlink rule, system-observe's /boot mount:
 * docs/interfaces.md).
 */
bool sn_iface_has_permanent(const SnInterface *iface, bool is_slot);

/*
 * Adds the permanent grant of end (a plug, or a slot when is_slot) to its own snap, bound to
 * end's apps and hooks. Device patterns are stat()ed now, as for connections. An interface without
 * a permanent grant adds nothing (0). Returns 0, -EINVAL (unknown interface) or -ENOMEM.
 */
int sn_iface_grants_add_permanent(SnIfaceGrants *g, const SnIfaceContext *ctx, const SnIfaceEnd *end, bool is_slot,
                                  SnError **reterr);

/*
 * The permanent grants of every plug and slot info declares, for its instance (NULL:
 * info->name) at revision, added to g. Plugs and slots of interfaces this build does not know, or
 * whose attributes fail the interface's checks, are skipped (the daemon's repository drops them
 * too). Returns 0 or -ENOMEM.
 */
struct SnSnapInfo;
int sn_iface_grants_add_snap_permanent(SnIfaceGrants *g, const SnIfaceContext *ctx, const struct SnSnapInfo *info,
                                       const char *instance, const char *revision, SnError **reterr);

/* One bind mount the content interface makes inside the plug snap's mount namespace. */
typedef struct SnIfaceMount {
    char *source; /* absolute, in the namespace: /snap/PROVIDER/REV/DIR or /var/snap/PROVIDER/... */
    char *target; /* absolute, in the namespace: /snap/CONSUMER/REV/DIR or /var/snap/CONSUMER/... */
    bool read_only;
} SnIfaceMount;

/*
 * The mounts a content connection makes (slot "read" paths read-only, "write" paths read-write;
 * $SNAP, $SNAP_DATA and $SNAP_COMMON expanded, a path without a variable taken under $SNAP; with
 * a "source" section the target gets the source's last component appended). Other interfaces have
 * none (*ret_n = 0). Returns 0 with *ret (free with sn_iface_mounts_free) or -EINVAL / -ENOMEM.
 */
int sn_iface_mounts(const SnIfaceEnd *plug, const SnIfaceEnd *slot, SnIfaceMount **ret, size_t *ret_n,
                    SnError **reterr);
void sn_iface_mounts_free(SnIfaceMount *m, size_t n);

/* ---- helpers shared with the daemon ---- */

/*
 * A plug's or slot's attributes from snap.yaml as JSON: scalars resolved as YAML 1.1 does (ints,
 * bools, strings), sequences as arrays, maps as objects. node may be NULL ({}). NULL on ENOMEM.
 */
struct SnYamlNode;
json_t *sn_iface_attrs_from_yaml(const struct SnYamlNode *node);
