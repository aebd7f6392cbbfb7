/* SPDX-License-Identifier: GPL-3.0-only */
/* The shape of an interface's row (interfaces-builtin.c) and the grant builder its functions use. */
#pragma once

#include "interfaces.h"

/* What one side of a connection gets from the interface regardless of attributes. */
typedef struct SnIfaceGrantSpec {
    const char *seccomp;                   /* seccomp lines, or NULL */
    const char *apparmor;                  /* AppArmor rules, or NULL */
    const SnPolicyLandlockGrant *landlock; /* terminated by an entry with a NULL path; may be NULL */
    const char *const *devices;            /* device node glob patterns ("/dev/video[0-9]*"), NULL-terminated */
    uint64_t net;                          /* SN_LANDLOCK_NET_* released */
} SnIfaceGrantSpec;

typedef struct SnIfaceWork SnIfaceWork; /* one grant being built */

/* Attribute-driven additions (gpio, i2c, spi, serial-port, content). */
typedef int (*SnIfaceExtraFn)(SnIfaceWork *w, const SnIfaceContext *ctx, const SnIfaceEnd *plug, const SnIfaceEnd *slot,
                              SnError **reterr);
typedef int (*SnIfaceSanitizeFn)(const char *name, json_t *attrs, SnError **reterr);

struct SnInterface {
    const char *name;
    const char *summary;
    bool implicit_on_core;
    bool implicit_on_classic;
    const char *decl_plugs; /* base-declaration plug rules, or NULL */
    const char *decl_slots; /* base-declaration slot rules, or NULL */
    SnIfaceGrantSpec plug;  /* the connected plug's grant */
    SnIfaceGrantSpec slot;  /* the connected slot's grant */
    /* snapd's PermanentPlug / PermanentSlot snippets: what the snap declaring a plug (slot) of this
     * interface gets for the apps and hooks bound to it, connected or not. */
    SnIfaceGrantSpec permanent_plug;
    SnIfaceGrantSpec permanent_slot;
    SnIfaceSanitizeFn sanitize_plug;
    SnIfaceSanitizeFn sanitize_slot;
    SnIfaceExtraFn plug_extra;
    SnIfaceExtraFn slot_extra;
};

/* The table (interfaces-builtin.c), sorted by name, NULL-terminated. */
extern const SnInterface *const sn_iface_builtin[];

/* ---- for the rows' functions ---- */

int sn_iface_work_landlock(SnIfaceWork *w, uint32_t anchor, const char *path, uint64_t access);
/* Adds a device rule for the node at path (under ctx->dev_root) when it exists and is a device. */
int sn_iface_work_device(SnIfaceWork *w, const SnIfaceContext *ctx, const char *path);
/* The same for every node a glob pattern matches. */
int sn_iface_work_device_glob(SnIfaceWork *w, const SnIfaceContext *ctx, const char *pattern);
/* Appends AppArmor rules (a printf format; the result must be balanced rule lines). */
int sn_iface_work_apparmor(SnIfaceWork *w, const char *fmt, ...) _sn_printf_(2, 3);

/* A string attribute, or NULL. */
const char *sn_iface_attr_string(const SnIfaceEnd *end, const char *key);

/* Content: the slot's "read" or "write" paths (from "source" when present), a JSON array or NULL. */
json_t *sn_iface_content_paths(json_t *slot_attrs, const char *which);
