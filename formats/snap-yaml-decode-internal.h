/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Shared by the snap.yaml decoder's files: snap-yaml.c (top level), snap-yaml-fields.c (typed
 * field getters), snap-yaml-plugs.c (plugs, slots, binding), snap-yaml-apps.c (apps, hooks,
 * components) and snap-yaml-layout.c (layout, system-usernames, links). Not for use outside
 * formats/.
 *
 * Every function here returns 0 or a negative errno; on a decode error it sets *reterr (through
 * the decoder's reterr) to snapd's wording with " (line N)" and returns -EINVAL. -ENOMEM comes
 * without a message. The section decoders accept NULL or a YAML null for an absent key.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "duration.h"
#include "snap-yaml-internal.h"
#include "snap-yaml.h"
#include "yaml-tree.h"

/* Errors of yaml.v2 unmarshalling carry snapd's "cannot parse snap.yaml: " prefix; the others don't. */
#define SN_SNAP_YAML_PARSE_PREFIX "cannot parse snap.yaml: "
#define PERR(reterr, line, ...) sn_snap_yaml_error(reterr, SN_SNAP_YAML_PARSE_PREFIX, line, __VA_ARGS__)
#define ERR(reterr, line, ...) sn_snap_yaml_error(reterr, NULL, line, __VA_ARGS__)

/* The state of one decode: the info being filled, and which plugs and slots an app or hook named. */
typedef struct SnSnapYamlDecoder {
    SnSnapInfo *info;
    SnError **reterr;
    bool *plug_scoped; /* parallel to info->plugs */
    bool *slot_scoped;
    size_t cap_scoped_plugs;
    size_t cap_scoped_slots;
    size_t n_bindings;
} SnSnapYamlDecoder;

/* ---- snap-yaml-fields.c ---- */

/* Frees n environment entries and the array. */
void sn_snap_yaml_env_free(SnEnvVar *env, size_t n);

/* Appends a zeroed element to *arr (of *n elements), growing by doubling. NULL on -ENOMEM. */
void *sn_snap_yaml_array_push(void *arr_ptr, size_t *n, size_t elem_size);

/* *ret = strdup(s), or NULL when s is NULL. */
int sn_snap_yaml_dup(const char *s, char **ret);

/* "cannot parse snap.yaml: [where: ]field: cannot unmarshal a KIND into WANT (line N)". */
int sn_snap_yaml_type_error(SnError **reterr, const SnYamlNode *v, const char *where, const char *field,
                            const char *want);

/* A string field: null gives NULL; a scalar its text (yaml.v2 keeps the raw text of 1.0 or true). Replaces *ret. */
int sn_snap_yaml_get_str(const SnYamlNode *v, const char *where, const char *field, char **ret, SnError **reterr);

/* A list of strings: null gives NULL; null items become "". At most SN_SNAP_YAML_MAX_ITEMS. Replaces *ret. */
int sn_snap_yaml_get_strv(const SnYamlNode *v, const char *where, const char *field, char ***ret, SnError **reterr);

/* An ordered map of strings (snapd's strutil.OrderedMap) into *ret / *ret_n (replaced). */
int sn_snap_yaml_get_env(const SnYamlNode *v, const char *where, SnEnvVar **ret, size_t *ret_n, SnError **reterr);

/* A Go duration ("1m30s"); absent gives SN_DURATION_UNSET. app names the app in messages. */
int sn_snap_yaml_get_duration(const SnYamlNode *v, const char *app, const char *field, SnDuration *ret,
                              SnError **reterr);

/* Pushes a copy of s onto *v unless it is already there. */
int sn_snap_yaml_strv_add_unique(char ***v, const char *s);

/* True for an absent value, a null or a map. */
bool sn_snap_yaml_map_or_null(const SnYamlNode *v);

/* ---- snap-yaml-plugs.c ---- */

/* snapd's metautil.NormalizeValue: every leaf of an attribute must be a non-null scalar. */
int sn_snap_yaml_check_attr_value(const SnYamlNode *v, const char *kind, const char *name, const char *key,
                                  SnError **reterr);

/* The top-level "plugs" (plugs = true) or "slots" map. */
int sn_snap_yaml_decode_plugs_slots(SnSnapYamlDecoder *d, const SnYamlNode *v, bool plugs);

/* Counts one binding against SN_SNAP_YAML_MAX_BINDINGS. */
int sn_snap_yaml_count_binding(SnSnapYamlDecoder *d);

/* Grows the scoped flags to cover every plug and slot. */
int sn_snap_yaml_ensure_scoped(SnSnapYamlDecoder *d);

/* Finds or creates (implicitly, interface = name) a plug or slot, marks it scoped, gives its index. */
int sn_snap_yaml_bind_named(SnSnapYamlDecoder *d, bool plug, const char *name, int line, size_t *ret_index);

/* Binds the plugs and slots no app or hook named to every app and hook (plugs to component hooks too). */
int sn_snap_yaml_bind_unscoped(SnSnapYamlDecoder *d);

/* The core snap's "network-bind" and "core-support" plugs become "*-plug" (they clash with its slots). */
int sn_snap_yaml_rename_core_plugs(SnSnapInfo *info);

/* ---- snap-yaml-apps.c ---- */

/* The "apps" map (after plugs and slots: apps bind to them). */
int sn_snap_yaml_decode_apps(SnSnapYamlDecoder *d, const SnYamlNode *v);

/* The "hooks" map; hooks snapd does not know are skipped. */
int sn_snap_yaml_decode_hooks(SnSnapYamlDecoder *d, const SnYamlNode *v);

/* The "components" map with their hooks (needs info->type: kernel-modules need a kernel snap). */
int sn_snap_yaml_decode_components(SnSnapYamlDecoder *d, const SnYamlNode *v);

/* ---- snap-yaml-layout.c ---- */

/* The "layout" map (mode defaults to 0755). */
int sn_snap_yaml_decode_layout(SnSnapYamlDecoder *d, const SnYamlNode *v);

/* The "system-usernames" map (a scope string or a map with "scope" and attributes). */
int sn_snap_yaml_decode_system_usernames(SnSnapYamlDecoder *d, const SnYamlNode *v);

/* The "links" map of lists. */
int sn_snap_yaml_decode_links(SnSnapYamlDecoder *d, const SnYamlNode *v);
