/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap.yaml decode: the layout, system-usernames and links maps.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snap-yaml-decode-internal.h"
#include "strutil.h"
#include "yaml-tree.h"

/* ---- layout, system-usernames, links ---- */

int sn_snap_yaml_decode_layout(SnSnapYamlDecoder *d, const SnYamlNode *v)
{
    SnSnapInfo *info = d->info;
    int r;
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_MAP)
        return sn_snap_yaml_type_error(d->reterr, v, NULL, "layout", "a map");
    if (v->n_items > SN_SNAP_YAML_MAX_ITEMS)
        return PERR(d->reterr, v->line, "layout: more than %u entries", SN_SNAP_YAML_MAX_ITEMS);
    info->layout = calloc(v->n_items ? v->n_items : 1, sizeof(*info->layout));
    if (!info->layout)
        return -ENOMEM;
    for (size_t i = 0; i < v->n_items; i++) {
        const SnYamlNode *e = &v->items[i];
        SnLayout *l = &info->layout[info->n_layout++];
        l->line = e->line;
        l->mode = 0755;
        if ((r = sn_snap_yaml_dup(v->keys[i], &l->path)) < 0)
            return r;
        if (!sn_snap_yaml_map_or_null(e))
            return sn_snap_yaml_type_error(d->reterr, e, l->path, "layout", "a map");
        static const struct {
            const char *key;
            size_t offset;
        } fields[] = {
            {"bind", offsetof(SnLayout, bind)}, {"bind-file", offsetof(SnLayout, bind_file)},
            {"type", offsetof(SnLayout, type)}, {"symlink", offsetof(SnLayout, symlink)},
            {"user", offsetof(SnLayout, user)}, {"group", offsetof(SnLayout, group)},
        };
        for (size_t f = 0; f < SN_ELEMENTSOF(fields); f++) {
            r = sn_snap_yaml_get_str(sn_yaml_node_get(e, fields[f].key), l->path, fields[f].key,
                                     (char **)((char *)l + fields[f].offset), d->reterr);
            if (r < 0)
                return r;
        }
        _sn_free_ char *mode = NULL;
        if ((r = sn_snap_yaml_get_str(sn_yaml_node_get(e, "mode"), l->path, "mode", &mode, d->reterr)) < 0)
            return r;
        if (mode && *mode) {
            /* strconv.ParseUint(mode, 8, 32) */
            uint64_t m = 0;
            bool ok = true;
            for (const char *p = mode; *p && ok; p++) {
                if (*p < '0' || *p > '7' || __builtin_mul_overflow(m, 8, &m) || m + (uint64_t)(*p - '0') > UINT32_MAX)
                    ok = false;
                else
                    m += (uint64_t)(*p - '0');
            }
            if (!ok)
                return ERR(d->reterr, e->line, "layout \"%s\": mode: cannot parse \"%s\" as an octal number", l->path,
                           mode);
            l->mode = (uint32_t)m;
            l->has_mode = true;
        }
    }
    return 0;
}

int sn_snap_yaml_decode_system_usernames(SnSnapYamlDecoder *d, const SnYamlNode *v)
{
    SnSnapInfo *info = d->info;
    int r;
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_MAP)
        return sn_snap_yaml_type_error(d->reterr, v, NULL, "system-usernames", "a map");
    if (v->n_items > SN_SNAP_YAML_MAX_ITEMS)
        return PERR(d->reterr, v->line, "system-usernames: more than %u entries", SN_SNAP_YAML_MAX_ITEMS);
    info->system_usernames = calloc(v->n_items ? v->n_items : 1, sizeof(*info->system_usernames));
    if (!info->system_usernames)
        return -ENOMEM;
    for (size_t i = 0; i < v->n_items; i++) {
        const char *user = v->keys[i];
        const SnYamlNode *e = &v->items[i];
        SnSystemUsername *su = &info->system_usernames[info->n_system_usernames++];
        su->line = e->line;
        if ((r = sn_snap_yaml_dup(user, &su->name)) < 0)
            return r;
        if (!*user)
            return ERR(d->reterr, e->line, "system username cannot be empty");
        if (e->kind == SN_YAML_SCALAR) {
            if (sn_yaml_node_type(e) != SN_YAML_TYPE_STR)
                return ERR(d->reterr, e->line, "system username \"%s\" has malformed definition (found \"%s\")", user,
                           e->scalar);
            if ((r = sn_snap_yaml_dup(e->scalar, &su->scope)) < 0)
                return r;
        } else if (e->kind == SN_YAML_MAP) {
            for (size_t k = 0; k < e->n_items; k++) {
                const char *key = e->keys[k];
                const SnYamlNode *val = &e->items[k];
                if (SN_STREQ(key, "scope")) {
                    if (sn_yaml_node_type(val) != SN_YAML_TYPE_STR)
                        return ERR(d->reterr, val->line, "scope on system username \"%s\" is not a string", user);
                    if ((r = sn_snap_yaml_dup(val->scalar, &su->scope)) < 0)
                        return r;
                } else if (!*key) {
                    return ERR(d->reterr, val->line, "system username \"%s\" has an empty attribute key", user);
                } else {
                    if ((r = sn_snap_yaml_check_attr_value(val, "system username", user, key, d->reterr)) < 0)
                        return r;
                    if (su->attrs.kind == SN_YAML_NULL) {
                        su->attrs = (SnYamlNode){.kind = SN_YAML_MAP, .line = e->line};
                        su->attrs.items = calloc(e->n_items, sizeof(SnYamlNode));
                        su->attrs.keys = calloc(e->n_items, sizeof(char *));
                        if (!su->attrs.items || !su->attrs.keys)
                            return -ENOMEM;
                    }
                    size_t j = su->attrs.n_items;
                    su->attrs.keys[j] = strdup(key);
                    if (!su->attrs.keys[j])
                        return -ENOMEM;
                    su->attrs.n_items++;
                    if ((r = sn_yaml_node_copy(val, &su->attrs.items[j])) < 0)
                        return r;
                }
            }
        } else if (e->kind != SN_YAML_NULL) {
            return ERR(d->reterr, e->line, "system username \"%s\" has malformed definition (found a %s)", user,
                       sn_yaml_kind_to_string(e->kind));
        }
        if (!su->scope || !*su->scope)
            return ERR(d->reterr, e->line, "system username \"%s\" does not specify a scope", user);
    }
    return 0;
}

static bool valid_links_key(const char *s)
{
    /* ^[a-zA-Z](?:-?[a-zA-Z0-9])*$ */
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        return false;
    for (const char *p = s; *p; p++) {
        bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
        if (*p == '-') {
            if (p[1] == '-' || p[1] == '\0')
                return false;
        } else if (!alnum) {
            return false;
        }
    }
    return true;
}

int sn_snap_yaml_decode_links(SnSnapYamlDecoder *d, const SnYamlNode *v)
{
    SnSnapInfo *info = d->info;
    int r;
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_MAP)
        return sn_snap_yaml_type_error(d->reterr, v, NULL, "links", "a map of lists");
    if (v->n_items > SN_SNAP_YAML_MAX_ITEMS)
        return PERR(d->reterr, v->line, "links: more than %u entries", SN_SNAP_YAML_MAX_ITEMS);
    info->links = calloc(v->n_items ? v->n_items : 1, sizeof(*info->links));
    if (!info->links)
        return -ENOMEM;
    for (size_t i = 0; i < v->n_items; i++) {
        SnLinks *l = &info->links[info->n_links++];
        l->line = v->items[i].line;
        if ((r = sn_snap_yaml_dup(v->keys[i], &l->key)) < 0)
            return r;
        if ((r = sn_snap_yaml_get_strv(&v->items[i], "links", l->key, &l->values, d->reterr)) < 0)
            return r;
        if (!*l->key)
            return ERR(d->reterr, l->line, "links key cannot be empty");
        if (!valid_links_key(l->key))
            return ERR(d->reterr, l->line, "links key is invalid: %s", l->key);
    }
    return 0;
}
