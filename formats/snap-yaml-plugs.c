/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap.yaml decode: top-level plugs and slots, their binding to apps and hooks (named, implicit,
 * and unscoped ones bound to everything), and the core snap's renamed plugs.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snap-yaml-decode-internal.h"
#include "strutil.h"
#include "yaml-tree.h"

SnPlugSlot *sn_snap_yaml_find_plug_slot(const SnPlugSlot *arr, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (SN_STREQ(arr[i].name, name))
            return (SnPlugSlot *)&arr[i];
    return NULL;
}

/* snapd's metautil.NormalizeValue: every leaf must be a non-null scalar. */
int sn_snap_yaml_check_attr_value(const SnYamlNode *v, const char *kind, const char *name, const char *key,
                                  SnError **reterr)
{
    switch (v->kind) {
    case SN_YAML_NULL:
        return ERR(reterr, v->line, "attribute \"%s\" of %s \"%s\": invalid scalar: <nil>", key, kind, name);
    case SN_YAML_SCALAR:
        return 0;
    case SN_YAML_SEQ:
    case SN_YAML_MAP:
        for (size_t i = 0; i < v->n_items; i++) {
            int r = sn_snap_yaml_check_attr_value(&v->items[i], kind, name, key, reterr);
            if (r < 0)
                return r;
        }
        return 0;
    }
    return 0;
}

/* convertToSlotOrPlugData: null, a string (the interface), or a map of interface/label/attributes. */
static int decode_plug_slot(const char *kind, const char *name, const SnYamlNode *v, SnPlugSlot *ps, SnError **reterr)
{
    int r;
    ps->line = v->line;
    if ((r = sn_snap_yaml_dup(name, &ps->name)) < 0)
        return r;
    SnYamlScalarType t = sn_yaml_node_type(v);
    if (v->kind == SN_YAML_NULL)
        return sn_snap_yaml_dup(name, &ps->interface);
    if (v->kind == SN_YAML_SCALAR) {
        if (t != SN_YAML_TYPE_STR)
            return ERR(reterr, v->line, "%s \"%s\" has malformed definition (found a non-string scalar \"%s\")", kind,
                       name, v->scalar);
        return sn_snap_yaml_dup(v->scalar, &ps->interface);
    }
    if (v->kind != SN_YAML_MAP)
        return ERR(reterr, v->line, "%s \"%s\" has malformed definition (found a %s)", kind, name,
                   sn_yaml_kind_to_string(v->kind));
    for (size_t i = 0; i < v->n_items; i++) {
        const char *key = v->keys[i];
        const SnYamlNode *val = &v->items[i];
        if (key[0] == '$')
            return ERR(reterr, val->line, "%s \"%s\" uses reserved attribute \"%s\"", kind, name, key);
        if (!*key)
            return ERR(reterr, val->line, "%s \"%s\" has an empty attribute key", kind, name);
        if (SN_STREQ(key, "interface") || SN_STREQ(key, "label")) {
            if (sn_yaml_node_type(val) != SN_YAML_TYPE_STR)
                return ERR(reterr, val->line, "%s of %s \"%s\" is not a string",
                           SN_STREQ(key, "interface") ? "interface name" : "label", kind, name);
            r = sn_snap_yaml_dup(val->scalar, SN_STREQ(key, "interface") ? &ps->interface : &ps->label);
            if (r < 0)
                return r;
            continue;
        }
        r = sn_snap_yaml_check_attr_value(val, kind, name, key, reterr);
        if (r < 0)
            return r;
        if (ps->attrs.kind == SN_YAML_NULL) {
            ps->attrs = (SnYamlNode){.kind = SN_YAML_MAP, .line = v->line};
            ps->attrs.items = calloc(v->n_items, sizeof(SnYamlNode));
            ps->attrs.keys = calloc(v->n_items, sizeof(char *));
            if (!ps->attrs.items || !ps->attrs.keys)
                return -ENOMEM;
        }
        size_t j = ps->attrs.n_items;
        ps->attrs.keys[j] = strdup(key);
        if (!ps->attrs.keys[j])
            return -ENOMEM;
        ps->attrs.n_items++;
        r = sn_yaml_node_copy(val, &ps->attrs.items[j]);
        if (r < 0)
            return r;
    }
    if (!ps->interface)
        return sn_snap_yaml_dup(name, &ps->interface);
    return 0;
}

int sn_snap_yaml_decode_plugs_slots(SnSnapYamlDecoder *d, const SnYamlNode *v, bool plugs)
{
    const char *kind = plugs ? "plug" : "slot";
    SnPlugSlot **arr = plugs ? &d->info->plugs : &d->info->slots;
    size_t *n = plugs ? &d->info->n_plugs : &d->info->n_slots;
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_MAP)
        return sn_snap_yaml_type_error(d->reterr, v, NULL, plugs ? "plugs" : "slots", "a map");
    if (v->n_items > SN_SNAP_YAML_MAX_ITEMS)
        return PERR(d->reterr, v->line, "%ss: more than %u entries", kind, SN_SNAP_YAML_MAX_ITEMS);
    for (size_t i = 0; i < v->n_items; i++) {
        SnPlugSlot *ps = sn_snap_yaml_array_push(arr, n, sizeof(**arr));
        if (!ps)
            return -ENOMEM;
        int r = decode_plug_slot(kind, v->keys[i], &v->items[i], ps, d->reterr);
        if (r < 0)
            return r;
    }
    return 0;
}

int sn_snap_yaml_count_binding(SnSnapYamlDecoder *d)
{
    if (++d->n_bindings > SN_SNAP_YAML_MAX_BINDINGS)
        return PERR(d->reterr, 0, "more than %u plug and slot bindings", SN_SNAP_YAML_MAX_BINDINGS);
    return 0;
}

int sn_snap_yaml_ensure_scoped(SnSnapYamlDecoder *d)
{
    if (d->info->n_plugs > d->cap_scoped_plugs) {
        bool *nb = reallocarray(d->plug_scoped, d->info->n_plugs * 2, sizeof(bool));
        if (!nb)
            return -ENOMEM;
        memset(nb + d->cap_scoped_plugs, 0, (d->info->n_plugs * 2 - d->cap_scoped_plugs) * sizeof(bool));
        d->plug_scoped = nb;
        d->cap_scoped_plugs = d->info->n_plugs * 2;
    }
    if (d->info->n_slots > d->cap_scoped_slots) {
        bool *nb = reallocarray(d->slot_scoped, d->info->n_slots * 2, sizeof(bool));
        if (!nb)
            return -ENOMEM;
        memset(nb + d->cap_scoped_slots, 0, (d->info->n_slots * 2 - d->cap_scoped_slots) * sizeof(bool));
        d->slot_scoped = nb;
        d->cap_scoped_slots = d->info->n_slots * 2;
    }
    return 0;
}

/* Finds or creates (implicitly, interface = name) a plug or slot, marks it scoped, returns its index. */
int sn_snap_yaml_bind_named(SnSnapYamlDecoder *d, bool plug, const char *name, int line, size_t *ret_index)
{
    SnPlugSlot **arr = plug ? &d->info->plugs : &d->info->slots;
    size_t *n = plug ? &d->info->n_plugs : &d->info->n_slots;
    SnPlugSlot *ps = sn_snap_yaml_find_plug_slot(*arr, *n, name);
    int r = sn_snap_yaml_count_binding(d);
    if (r < 0)
        return r;
    if (!ps) {
        if (*n >= 2 * SN_SNAP_YAML_MAX_ITEMS)
            return PERR(d->reterr, line, "too many %ss", plug ? "plug" : "slot");
        ps = sn_snap_yaml_array_push(arr, n, sizeof(**arr));
        if (!ps)
            return -ENOMEM;
        ps->line = line;
        ps->implicit = true;
        ps->name = strdup(name);
        ps->interface = strdup(name);
        if (!ps->name || !ps->interface)
            return -ENOMEM;
    }
    r = sn_snap_yaml_ensure_scoped(d);
    if (r < 0)
        return r;
    size_t idx = (size_t)(ps - *arr);
    (plug ? d->plug_scoped : d->slot_scoped)[idx] = true;
    *ret_index = idx;
    return 0;
}

/* ---- binding of unscoped plugs and slots ---- */

/* Appends copies of add[0..n_add) to the NULL-terminated *v in one allocation (no duplicate check). */
static int strv_extend(char ***v, char *const *add, size_t n_add)
{
    size_t n = sn_strv_length(*v);
    if (n_add == 0)
        return 0;
    char **nv = reallocarray(*v, n + n_add + 1, sizeof(char *));
    if (!nv)
        return -ENOMEM;
    *v = nv;
    for (size_t i = 0; i < n_add; i++) {
        nv[n + i] = strdup(add[i]);
        nv[n + i + 1] = NULL;
        if (!nv[n + i])
            return -ENOMEM;
    }
    return 0;
}

/*
 * Plugs and slots that no app or hook listed are bound to every app and hook (and plugs to every
 * component hook). Such a plug is in no app's list yet, so lists are extended without duplicate
 * checks, in linear time.
 */
static int bind_unscoped_kind(SnSnapYamlDecoder *d, bool plugs)
{
    SnSnapInfo *info = d->info;
    SnPlugSlot *arr = plugs ? info->plugs : info->slots;
    size_t n = plugs ? info->n_plugs : info->n_slots;
    const bool *scoped = plugs ? d->plug_scoped : d->slot_scoped;
    _sn_free_ char **names = calloc(n + 1, sizeof(char *));
    _sn_free_ char **app_names = calloc(info->n_apps + 1, sizeof(char *));
    _sn_free_ char **hook_names = calloc(info->n_hooks + 1, sizeof(char *));
    size_t k = 0;
    int r;

    if (!names || !app_names || !hook_names)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (!scoped || !scoped[i]) {
            arr[i].unscoped = true;
            names[k++] = arr[i].name;
        }
    if (k == 0)
        return 0;
    size_t n_component_hooks = 0;
    if (plugs)
        for (size_t c = 0; c < info->n_components; c++)
            n_component_hooks += info->components[c].n_hooks;
    size_t targets = info->n_apps + info->n_hooks + n_component_hooks;
    if (targets > 0 && k > (SN_SNAP_YAML_MAX_BINDINGS - SN_MIN(d->n_bindings, SN_SNAP_YAML_MAX_BINDINGS)) / targets)
        return PERR(d->reterr, 0, "more than %u plug and slot bindings", SN_SNAP_YAML_MAX_BINDINGS);
    d->n_bindings += k * targets;

    for (size_t a = 0; a < info->n_apps; a++) {
        app_names[a] = info->apps[a].name;
        if ((r = strv_extend(plugs ? &info->apps[a].plugs : &info->apps[a].slots, names, k)) < 0)
            return r;
    }
    for (size_t h = 0; h < info->n_hooks; h++) {
        hook_names[h] = info->hooks[h].name;
        if ((r = strv_extend(plugs ? &info->hooks[h].plugs : &info->hooks[h].slots, names, k)) < 0)
            return r;
    }
    for (size_t c = 0; plugs && c < info->n_components; c++)
        for (size_t h = 0; h < info->components[c].n_hooks; h++)
            if ((r = strv_extend(&info->components[c].hooks[h].plugs, names, k)) < 0)
                return r;
    for (size_t i = 0; i < n; i++)
        if (arr[i].unscoped) {
            if ((r = strv_extend(&arr[i].apps, app_names, info->n_apps)) < 0 ||
                (r = strv_extend(&arr[i].hooks, hook_names, info->n_hooks)) < 0)
                return r;
        }
    return 0;
}

int sn_snap_yaml_bind_unscoped(SnSnapYamlDecoder *d)
{
    int r = sn_snap_yaml_ensure_scoped(d);
    if (r < 0)
        return r;
    if ((r = bind_unscoped_kind(d, true)) < 0)
        return r;
    return bind_unscoped_kind(d, false);
}

/* snapd renames two plugs of the core snap that clash with slots of the same name. */
int sn_snap_yaml_rename_core_plugs(SnSnapInfo *info)
{
    static const char *const names[] = {"network-bind", "core-support"};
    if (!info->name || !SN_STREQ(info->name, "core") || info->type != SN_SNAP_TYPE_OS)
        return 0;
    for (size_t k = 0; k < SN_ELEMENTSOF(names); k++) {
        SnPlugSlot *p = sn_snap_yaml_find_plug_slot(info->plugs, info->n_plugs, names[k]);
        if (!p)
            continue;
        char *renamed = sn_strdup_printf("%s-plug", names[k]);
        if (!renamed)
            return -ENOMEM;
        free(p->name);
        p->name = renamed;
        for (size_t a = 0; a < info->n_apps; a++)
            for (char **s = info->apps[a].plugs; s && *s; s++)
                if (SN_STREQ(*s, names[k])) {
                    char *c = strdup(renamed);
                    if (!c)
                        return -ENOMEM;
                    free(*s);
                    *s = c;
                }
        for (size_t h = 0; h < info->n_hooks; h++)
            for (char **s = info->hooks[h].plugs; s && *s; s++)
                if (SN_STREQ(*s, names[k])) {
                    char *c = strdup(renamed);
                    if (!c)
                        return -ENOMEM;
                    free(*s);
                    *s = c;
                }
    }
    return 0;
}
