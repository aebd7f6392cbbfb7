/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * meta/snap.yaml: parse into a complete description (SnSnapInfo) and validate with snapd's rules.
 *
 * Ownership: every pointer inside an SnSnapInfo is owned by it and released by
 * sn_snap_info_free(). Vectors of strings (char **) are NULL-terminated and may be NULL when
 * empty. Arrays of structs come with a count. Optional strings are NULL when absent.
 * Source lines are 1-based (0 when not known).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Largest snap.yaml accepted (snapd reads it from a squashfs without a limit; we cap it). */
#define SN_SNAP_YAML_MAX_SIZE (4u * 1024u * 1024u)

typedef enum SnSnapType {
    SN_SNAP_TYPE_APP = 0,
    SN_SNAP_TYPE_GADGET,
    SN_SNAP_TYPE_KERNEL,
    SN_SNAP_TYPE_BASE,
    SN_SNAP_TYPE_SNAPD,
    SN_SNAP_TYPE_OS,
} SnSnapType;

typedef enum SnConfinement {
    SN_CONFINEMENT_STRICT = 0,
    SN_CONFINEMENT_DEVMODE,
    SN_CONFINEMENT_CLASSIC,
} SnConfinement;

typedef enum SnGrade {
    SN_GRADE_UNSET = 0,
    SN_GRADE_STABLE,
    SN_GRADE_DEVEL,
} SnGrade;

/* A generic YAML value: attributes of plugs and slots, unknown keys, and anything kept verbatim. */
typedef enum SnYamlKind {
    SN_YAML_NULL = 0,
    SN_YAML_SCALAR,
    SN_YAML_SEQ,
    SN_YAML_MAP,
} SnYamlKind;

typedef struct SnYamlNode {
    SnYamlKind kind;
    int line;
    char *scalar;             /* SN_YAML_SCALAR: the text */
    bool quoted;              /* SN_YAML_SCALAR: was written quoted (so "1" is a string, 1 a number) */
    size_t n_items;           /* SN_YAML_SEQ / SN_YAML_MAP: number of items */
    struct SnYamlNode *items; /* the values */
    char **keys;              /* SN_YAML_MAP: keys[i] names items[i]; in file order */
} SnYamlNode;

/* An epoch: read and write lists, at most 10 entries each, strictly increasing. */
#define SN_EPOCH_MAX 10
typedef struct SnEpoch {
    uint32_t read[SN_EPOCH_MAX];
    size_t n_read;
    uint32_t write[SN_EPOCH_MAX];
    size_t n_write;
} SnEpoch;

/* One environment variable, in file order. */
typedef struct SnEnvVar {
    char *key;
    char *value;
} SnEnvVar;

typedef struct SnPlugSlot {
    char *name;
    char *interface; /* the name itself when not given */
    char *label;
    SnYamlNode attrs; /* SN_YAML_MAP of the other attributes (kind NULL when none) */
    char **apps;      /* apps bound to it (every app and hook when declared only at top level) */
    char **hooks;
    int line;
    bool unscoped; /* declared at top level and listed by no app or hook: bound to all of them */
    bool implicit; /* not declared at top level, created because an app or hook listed it */
} SnPlugSlot;

typedef struct SnSocket {
    char *name;
    char *listen_stream;
    uint32_t socket_mode;
    bool has_socket_mode;
    int line;
} SnSocket;

/* A Go-style duration as nanoseconds; -1 when unset. */
typedef int64_t SnDuration;
#define SN_DURATION_UNSET ((SnDuration)-1)

typedef struct SnApp {
    char *name;
    char *command;
    char **command_chain;
    char *daemon;       /* simple, forking, oneshot, dbus, notify; NULL when not a service */
    char *daemon_scope; /* system, user; "system" when daemon is set and the scope is not given */
    char *stop_command;
    char *reload_command;
    char *post_stop_command;
    char *bus_name;
    SnDuration stop_timeout;
    SnDuration start_timeout;
    SnDuration watchdog_timeout;
    SnDuration restart_delay;
    char *restart_condition; /* snapd's canonical value: "no" is stored as "never"; NULL when not given */
    char *stop_mode;
    char *refresh_mode;
    char *install_mode;
    char *timer;
    char **after;
    char **before;
    char **plugs;
    char **slots;
    char **aliases;
    char **activates_on;
    char *common_id;
    char *completer;
    char *autostart;
    char *desktop;            /* not a snap.yaml key for snapd (it reads .desktop files); kept if written */
    int *success_exit_status; /* INT_MIN where the text was not an integer (validation rejects it) */
    size_t n_success_exit_status;
    SnSocket *sockets;
    size_t n_sockets;
    SnEnvVar *environment;
    size_t n_environment;
    int line;
} SnApp;

typedef struct SnHook {
    char *name;
    char **command_chain;
    char **plugs;
    char **slots;
    SnEnvVar *environment;
    size_t n_environment;
    int line;
} SnHook;

/* mode is 0755 unless written (has_mode); user and group are NULL unless written (snapd: root). */
typedef struct SnLayout {
    char *path;
    char *bind;
    char *bind_file;
    char *type; /* "tmpfs" */
    char *symlink;
    char *user;
    char *group;
    uint32_t mode;
    bool has_mode;
    int line;
} SnLayout;

typedef struct SnSystemUsername {
    char *name;
    char *scope;
    SnYamlNode attrs; /* SN_YAML_MAP of the other attributes of the long form (kind NULL when none) */
    int line;
} SnSystemUsername;

/* One entry of `components:`; type is "standard", "kernel-modules" or "test". */
typedef struct SnComponent {
    char *name;
    char *type;
    char *summary;
    char *description;
    SnHook *hooks; /* only install, pre-refresh, post-refresh, remove; never slots */
    size_t n_hooks;
    int line;
} SnComponent;

/* One entry of `links:` (e.g. website: [https://...]). */
typedef struct SnLinks {
    char *key;
    char **values;
    int line;
} SnLinks;

/* Where each top-level scalar field was written (0 when absent), for error messages. */
typedef struct SnSnapInfoLines {
    int name;
    int version;
    int type;
    int base;
    int license;
    int title;
    int summary;
    int description;
    int provenance;
    int epoch;
    int confinement;
    int grade;
    int hooks;
} SnSnapInfoLines;

typedef struct SnSnapInfo {
    char *name;
    char *version;
    char *summary;
    char *description;
    char *title;
    char *license;
    char *base;
    char *provenance;
    SnSnapType type;
    SnConfinement confinement;
    SnGrade grade;
    char **architectures; /* NULL means the default, [all] */
    char **assumes;
    SnEpoch epoch;
    SnEnvVar *environment;
    size_t n_environment;
    SnPlugSlot *plugs;
    size_t n_plugs;
    SnPlugSlot *slots;
    size_t n_slots;
    SnApp *apps;
    size_t n_apps;
    SnHook *hooks;
    size_t n_hooks;
    SnLayout *layout;
    size_t n_layout;
    SnSystemUsername *system_usernames;
    size_t n_system_usernames;
    SnYamlNode unknown; /* SN_YAML_MAP of top-level keys we do not know, kept and ignored */
    SnComponent *components;
    size_t n_components;
    SnLinks *links;
    size_t n_links;
    SnSnapInfoLines lines;
} SnSnapInfo;

/*
 * Parses and validates a snap.yaml held in data[0..len) (need not be NUL-terminated). On success
 * returns 0 and *ret_info (caller frees with sn_snap_info_free). On failure returns -EINVAL
 * (bad YAML, bad types, or a rule broken), -EFBIG (larger than SN_SNAP_YAML_MAX_SIZE) or -ENOMEM,
 * and *reterr names the field and, where it has one, the line. Never dies.
 */
int sn_snap_yaml_parse(const char *data, size_t len, SnSnapInfo **ret_info, SnError **reterr);

/* Parses without the validation step (snapd's InfoFromSnapYaml alone). Same contract. */
int sn_snap_yaml_parse_unvalidated(const char *data, size_t len, SnSnapInfo **ret_info, SnError **reterr);

/* Applies snapd's snap.Validate rules to info. Returns 0 or -EINVAL with *reterr set. */
int sn_snap_info_validate(const SnSnapInfo *info, SnError **reterr);

/* Frees info and everything it owns. Accepts NULL; returns NULL. */
SnSnapInfo *sn_snap_info_free(SnSnapInfo *info);
SN_DEFINE_CLEANUP_FUNC(SnSnapInfo *, sn_snap_info_free)

/* Releases the contents of a node (not the node itself). Accepts NULL. */
void sn_yaml_node_done(SnYamlNode *node);

/* Names as snapd prints them: "app", "gadget", ..., "os"; "strict", ...; "stable", "devel", "". */
const char *sn_snap_type_to_string(SnSnapType type);
const char *sn_confinement_to_string(SnConfinement c);
const char *sn_grade_to_string(SnGrade g);

/* The epoch as snapd writes it: "0", "1*", or "{read: [1, 2], write: [2]}" (caller frees). */
char *sn_epoch_to_string(const SnEpoch *epoch);

/* Looks up an app or hook by name; NULL when absent. */
const SnApp *sn_snap_info_find_app(const SnSnapInfo *info, const char *name);
const SnHook *sn_snap_info_find_hook(const SnSnapInfo *info, const char *name);
