/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap.yaml decode: a bounded YAML tree (yaml-tree.c) into SnSnapInfo, following snapd's
 * InfoFromSnapYaml (snap/info_snap_yaml.go). This file holds the top level (scalar keys, the order
 * the sections are decoded in), freeing and lookups; the sections live in snap-yaml-plugs.c,
 * snap-yaml-apps.c and snap-yaml-layout.c, the field getters in snap-yaml-fields.c. Validation
 * lives in snap-yaml-validate*.c.
 */
#include "snap-yaml.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "epoch.h"
#include "naming.h"
#include "snap-yaml-decode-internal.h"
#include "strutil.h"
#include "yaml-tree.h"

int sn_snap_yaml_error(SnError **reterr, const char *prefix, int line, const char *fmt, ...)
{
    _sn_free_ char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        return sn_error_set_at(reterr, -EINVAL, line, "%sinvalid snap.yaml", prefix ? prefix : "");
    if (line > 0)
        return sn_error_set_at(reterr, -EINVAL, line, "%s%s (line %d)", prefix ? prefix : "", msg, line);
    return sn_error_set_at(reterr, -EINVAL, line, "%s%s", prefix ? prefix : "", msg);
}

/* ---- freeing ---- */

static void plug_slot_done(SnPlugSlot *p)
{
    free(p->name);
    free(p->interface);
    free(p->label);
    sn_yaml_node_done(&p->attrs);
    sn_strv_free(p->apps);
    sn_strv_free(p->hooks);
}

static void app_done(SnApp *a)
{
    free(a->name);
    free(a->command);
    sn_strv_free(a->command_chain);
    free(a->daemon);
    free(a->daemon_scope);
    free(a->stop_command);
    free(a->reload_command);
    free(a->post_stop_command);
    free(a->bus_name);
    free(a->restart_condition);
    free(a->stop_mode);
    free(a->refresh_mode);
    free(a->install_mode);
    free(a->timer);
    sn_strv_free(a->after);
    sn_strv_free(a->before);
    sn_strv_free(a->plugs);
    sn_strv_free(a->slots);
    sn_strv_free(a->aliases);
    sn_strv_free(a->activates_on);
    free(a->common_id);
    free(a->completer);
    free(a->autostart);
    free(a->desktop);
    free(a->success_exit_status);
    for (size_t i = 0; i < a->n_sockets; i++) {
        free(a->sockets[i].name);
        free(a->sockets[i].listen_stream);
    }
    free(a->sockets);
    sn_snap_yaml_env_free(a->environment, a->n_environment);
}

static void hook_done(SnHook *h)
{
    free(h->name);
    sn_strv_free(h->command_chain);
    sn_strv_free(h->plugs);
    sn_strv_free(h->slots);
    sn_snap_yaml_env_free(h->environment, h->n_environment);
}

SnSnapInfo *sn_snap_info_free(SnSnapInfo *info)
{
    if (!info)
        return NULL;
    free(info->name);
    free(info->version);
    free(info->summary);
    free(info->description);
    free(info->title);
    free(info->license);
    free(info->base);
    free(info->provenance);
    sn_strv_free(info->architectures);
    sn_strv_free(info->assumes);
    sn_snap_yaml_env_free(info->environment, info->n_environment);
    for (size_t i = 0; i < info->n_plugs; i++)
        plug_slot_done(&info->plugs[i]);
    free(info->plugs);
    for (size_t i = 0; i < info->n_slots; i++)
        plug_slot_done(&info->slots[i]);
    free(info->slots);
    for (size_t i = 0; i < info->n_apps; i++)
        app_done(&info->apps[i]);
    free(info->apps);
    for (size_t i = 0; i < info->n_hooks; i++)
        hook_done(&info->hooks[i]);
    free(info->hooks);
    for (size_t i = 0; i < info->n_layout; i++) {
        SnLayout *l = &info->layout[i];
        free(l->path);
        free(l->bind);
        free(l->bind_file);
        free(l->type);
        free(l->symlink);
        free(l->user);
        free(l->group);
    }
    free(info->layout);
    for (size_t i = 0; i < info->n_system_usernames; i++) {
        free(info->system_usernames[i].name);
        free(info->system_usernames[i].scope);
        sn_yaml_node_done(&info->system_usernames[i].attrs);
    }
    free(info->system_usernames);
    sn_yaml_node_done(&info->unknown);
    for (size_t i = 0; i < info->n_components; i++) {
        SnComponent *c = &info->components[i];
        free(c->name);
        free(c->type);
        free(c->summary);
        free(c->description);
        for (size_t j = 0; j < c->n_hooks; j++)
            hook_done(&c->hooks[j]);
        free(c->hooks);
    }
    free(info->components);
    for (size_t i = 0; i < info->n_links; i++) {
        free(info->links[i].key);
        sn_strv_free(info->links[i].values);
    }
    free(info->links);
    free(info);
    return NULL;
}

/* ---- top level ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_unknown(SnSnapInfo *info, const char *key, const SnYamlNode *v, size_t capacity)
{
    SnYamlNode *u = &info->unknown;
    if (u->kind == SN_YAML_NULL) {
        *u = (SnYamlNode){.kind = SN_YAML_MAP, .line = 1};
        u->items = calloc(capacity, sizeof(*u->items));
        u->keys = calloc(capacity, sizeof(*u->keys));
        if (!u->items || !u->keys)
            return -ENOMEM;
    }
    size_t j = u->n_items;
    u->keys[j] = strdup(key);
    if (!u->keys[j])
        return -ENOMEM;
    u->n_items++;
    return sn_yaml_node_copy(v, &u->items[j]);
}

static int decode_scalar_enum(const SnYamlNode *v, const char *field, const char *const *names, size_t n,
                              const char *msg, int *ret, SnError **reterr)
{
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_SCALAR)
        return sn_snap_yaml_type_error(reterr, v, NULL, field, "a string");
    for (size_t i = 0; i < n; i++)
        if (names[i] && SN_STREQ(v->scalar, names[i])) {
            *ret = (int)i;
            return 0;
        }
    return PERR(reterr, v->line, "%s: %s: \"%s\"", field, msg, v->scalar);
}

static const char *const type_names[] = {
    [SN_SNAP_TYPE_APP] = "app",   [SN_SNAP_TYPE_GADGET] = "gadget", [SN_SNAP_TYPE_KERNEL] = "kernel",
    [SN_SNAP_TYPE_BASE] = "base", [SN_SNAP_TYPE_SNAPD] = "snapd",   [SN_SNAP_TYPE_OS] = "os",
};
static const char *const confinement_names[] = {
    [SN_CONFINEMENT_STRICT] = "strict",
    [SN_CONFINEMENT_DEVMODE] = "devmode",
    [SN_CONFINEMENT_CLASSIC] = "classic",
};
static const char *const grade_names[] = {
    [SN_GRADE_UNSET] = "",
    [SN_GRADE_STABLE] = "stable",
    [SN_GRADE_DEVEL] = "devel",
};

static int decode(SnSnapYamlDecoder *d, const SnYamlNode *root)
{
    SnSnapInfo *info = d->info;
    SnError **reterr = d->reterr;
    const SnYamlNode *plugs = NULL, *slots = NULL, *apps = NULL, *hooks = NULL, *layout = NULL, *usernames = NULL,
                     *links = NULL, *components = NULL;
    int r;

    sn_epoch_init_default(&info->epoch);
    if (root->kind == SN_YAML_NULL)
        return 0;
    if (root->kind != SN_YAML_MAP)
        return PERR(reterr, root->line, "the document is a %s, not a map", sn_yaml_kind_to_string(root->kind));

    for (size_t i = 0; i < root->n_items; i++) {
        const char *k = root->keys[i];
        const SnYamlNode *v = &root->items[i];
        static const struct {
            const char *key;
            size_t offset;
            size_t line_offset;
        } strings[] = {
            {"name", offsetof(SnSnapInfo, name), offsetof(SnSnapInfo, lines.name)},
            {"version", offsetof(SnSnapInfo, version), offsetof(SnSnapInfo, lines.version)},
            {"title", offsetof(SnSnapInfo, title), offsetof(SnSnapInfo, lines.title)},
            {"summary", offsetof(SnSnapInfo, summary), offsetof(SnSnapInfo, lines.summary)},
            {"description", offsetof(SnSnapInfo, description), offsetof(SnSnapInfo, lines.description)},
            {"license", offsetof(SnSnapInfo, license), offsetof(SnSnapInfo, lines.license)},
            {"base", offsetof(SnSnapInfo, base), offsetof(SnSnapInfo, lines.base)},
            {"provenance", offsetof(SnSnapInfo, provenance), offsetof(SnSnapInfo, lines.provenance)},
        };
        bool done = false;
        for (size_t s = 0; s < SN_ELEMENTSOF(strings); s++)
            if (SN_STREQ(k, strings[s].key)) {
                r = sn_snap_yaml_get_str(v, NULL, k, (char **)((char *)info + strings[s].offset), reterr);
                if (r < 0)
                    return r;
                *(int *)((char *)info + strings[s].line_offset) = v->line;
                done = true;
            }
        if (done)
            continue;

        if (SN_STREQ(k, "type")) {
            int t = SN_SNAP_TYPE_APP;
            info->lines.type = v->line;
            if (v->kind == SN_YAML_SCALAR && SN_STREQ(v->scalar, "application"))
                t = SN_SNAP_TYPE_APP;
            else if ((r = decode_scalar_enum(v, "type", type_names, SN_ELEMENTSOF(type_names), "invalid snap type", &t,
                                             reterr)) < 0)
                return r;
            info->type = (SnSnapType)t;
        } else if (SN_STREQ(k, "confinement")) {
            int c = SN_CONFINEMENT_STRICT;
            info->lines.confinement = v->line;
            if ((r = decode_scalar_enum(v, "confinement", confinement_names, SN_ELEMENTSOF(confinement_names),
                                        "invalid confinement type", &c, reterr)) < 0)
                return r;
            info->confinement = (SnConfinement)c;
        } else if (SN_STREQ(k, "grade")) {
            int g = SN_GRADE_UNSET;
            info->lines.grade = v->line;
            if ((r = decode_scalar_enum(v, "grade", grade_names, SN_ELEMENTSOF(grade_names), "unknown grade type", &g,
                                        reterr)) < 0)
                return r;
            info->grade = (SnGrade)g;
        } else if (SN_STREQ(k, "architectures")) {
            if ((r = sn_snap_yaml_get_strv(v, NULL, k, &info->architectures, reterr)) < 0)
                return r;
            if (info->architectures && !info->architectures[0])
                info->architectures = sn_strv_free(info->architectures);
        } else if (SN_STREQ(k, "assumes")) {
            if ((r = sn_snap_yaml_get_strv(v, NULL, k, &info->assumes, reterr)) < 0)
                return r;
            if (info->assumes)
                qsort(info->assumes, sn_strv_length(info->assumes), sizeof(char *), cmp_str);
        } else if (SN_STREQ(k, "epoch")) {
            info->lines.epoch = v->line;
            _sn_cleanup_(sn_error_freep) SnError *e = NULL;
            r = sn_epoch_from_yaml(v, &info->epoch, &e);
            if (r == -ENOMEM)
                return r;
            if (r < 0)
                return PERR(reterr, e ? e->line : v->line, "epoch: %s", sn_error_message(e, r));
        } else if (SN_STREQ(k, "environment")) {
            if ((r = sn_snap_yaml_get_env(v, NULL, &info->environment, &info->n_environment, reterr)) < 0)
                return r;
        } else if (SN_STREQ(k, "layouts")) {
            return PERR(reterr, v->line, "typo detected: use singular \"layout\" instead of plural \"layouts\"");
        } else if (SN_STREQ(k, "plugs")) {
            plugs = v;
        } else if (SN_STREQ(k, "slots")) {
            slots = v;
        } else if (SN_STREQ(k, "apps")) {
            apps = v;
        } else if (SN_STREQ(k, "hooks")) {
            hooks = v;
            info->lines.hooks = v->line;
        } else if (SN_STREQ(k, "layout")) {
            layout = v;
        } else if (SN_STREQ(k, "system-usernames")) {
            usernames = v;
        } else if (SN_STREQ(k, "links")) {
            links = v;
        } else if (SN_STREQ(k, "components")) {
            components = v;
        } else {
            if ((r = add_unknown(info, k, v, root->n_items)) < 0)
                return r;
        }
    }

    /* A snap named snapd is of type snapd. */
    if (info->name && SN_STREQ(info->name, "snapd"))
        info->type = SN_SNAP_TYPE_SNAPD;

    if ((r = sn_snap_yaml_decode_plugs_slots(d, plugs, true)) < 0 ||
        (r = sn_snap_yaml_decode_plugs_slots(d, slots, false)) < 0 ||
        (r = sn_snap_yaml_decode_components(d, components)) < 0 || (r = sn_snap_yaml_decode_apps(d, apps)) < 0 ||
        (r = sn_snap_yaml_decode_hooks(d, hooks)) < 0 || (r = sn_snap_yaml_bind_unscoped(d)) < 0 ||
        (r = sn_snap_yaml_decode_layout(d, layout)) < 0 || (r = sn_snap_yaml_rename_core_plugs(info)) < 0 ||
        (r = sn_snap_yaml_decode_system_usernames(d, usernames)) < 0 || (r = sn_snap_yaml_decode_links(d, links)) < 0)
        return r;
    return 0;
}

int sn_snap_yaml_parse_unvalidated(const char *data, size_t len, SnSnapInfo **ret_info, SnError **reterr)
{
    SnYamlNode root = {0};
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    int r;

    if (!data && len > 0)
        return sn_error_set(reterr, -EINVAL, "cannot parse snap.yaml: no data");
    if (len > SN_SNAP_YAML_MAX_SIZE)
        return sn_error_set(reterr, -EFBIG, "cannot parse snap.yaml: %zu bytes is larger than the limit of %u", len,
                            SN_SNAP_YAML_MAX_SIZE);
    r = sn_yaml_tree_load(data ? data : "", len, &root, reterr);
    if (r < 0)
        return sn_error_prefix(reterr, r, "cannot parse snap.yaml");

    info = calloc(1, sizeof(*info));
    if (!info) {
        sn_yaml_node_done(&root);
        return -ENOMEM;
    }
    SnSnapYamlDecoder d = {.info = info, .reterr = reterr};
    r = decode(&d, &root);
    free(d.plug_scoped);
    free(d.slot_scoped);
    sn_yaml_node_done(&root);
    if (r < 0) {
        if (r == -ENOMEM)
            sn_error_set(reterr, r, "cannot parse snap.yaml: out of memory");
        return r;
    }
    *ret_info = SN_TAKE_PTR(info);
    return 0;
}

int sn_snap_yaml_parse(const char *data, size_t len, SnSnapInfo **ret_info, SnError **reterr)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    int r = sn_snap_yaml_parse_unvalidated(data, len, &info, reterr);
    if (r < 0)
        return r;
    r = sn_snap_info_validate(info, reterr);
    if (r < 0)
        return r;
    *ret_info = SN_TAKE_PTR(info);
    return 0;
}

const char *sn_snap_type_to_string(SnSnapType type)
{
    if ((size_t)type < SN_ELEMENTSOF(type_names))
        return type_names[type];
    return "app";
}

const char *sn_confinement_to_string(SnConfinement c)
{
    if ((size_t)c < SN_ELEMENTSOF(confinement_names))
        return confinement_names[c];
    return "strict";
}

const char *sn_grade_to_string(SnGrade g)
{
    if ((size_t)g < SN_ELEMENTSOF(grade_names))
        return grade_names[g];
    return "";
}

const SnApp *sn_snap_info_find_app(const SnSnapInfo *info, const char *name)
{
    if (!info || !name)
        return NULL;
    for (size_t i = 0; i < info->n_apps; i++)
        if (SN_STREQ(info->apps[i].name, name))
            return &info->apps[i];
    return NULL;
}

const SnHook *sn_snap_info_find_hook(const SnSnapInfo *info, const char *name)
{
    if (!info || !name)
        return NULL;
    for (size_t i = 0; i < info->n_hooks; i++)
        if (SN_STREQ(info->hooks[i].name, name))
            return &info->hooks[i];
    return NULL;
}
