/* SPDX-License-Identifier: GPL-3.0-only */
#include "interfaces.h"

#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "interfaces-internal.h"
#include "snap-yaml.h"
#include "strutil.h"
#include "yaml-tree.h"

/* ---- the registry ---- */

const SnInterface *const *sn_iface_all(void)
{
    return sn_iface_builtin;
}

const SnInterface *sn_iface_lookup(const char *name)
{
    for (const SnInterface *const *i = sn_iface_builtin; name && *i; i++)
        if (SN_STREQ((*i)->name, name))
            return *i;
    return NULL;
}

const char *sn_iface_name(const SnInterface *iface)
{
    return iface->name;
}

const char *sn_iface_summary(const SnInterface *iface)
{
    return iface->summary;
}

const char *sn_iface_doc_url(const SnInterface *iface)
{
    static __thread char buf[128];
    snprintf(buf, sizeof(buf), "https://snapcraft.io/docs/%s-interface", iface->name);
    return buf;
}

bool sn_iface_implicit(const SnInterface *iface, bool on_classic)
{
    return on_classic ? iface->implicit_on_classic : iface->implicit_on_core;
}

const char *sn_iface_base_declaration_plugs(const SnInterface *iface)
{
    return iface->decl_plugs;
}

const char *sn_iface_base_declaration_slots(const SnInterface *iface)
{
    return iface->decl_slots;
}

int sn_iface_sanitize_plug(const SnInterface *iface, const char *plug_name, json_t *attrs, SnError **reterr)
{
    if (!json_is_object(attrs))
        return sn_error_set(reterr, -EINVAL, "plug \"%s\" attributes must be a map", plug_name);
    return iface->sanitize_plug ? iface->sanitize_plug(plug_name, attrs, reterr) : 0;
}

int sn_iface_sanitize_slot(const SnInterface *iface, const char *slot_name, json_t *attrs, SnError **reterr)
{
    if (!json_is_object(attrs))
        return sn_error_set(reterr, -EINVAL, "slot \"%s\" attributes must be a map", slot_name);
    return iface->sanitize_slot ? iface->sanitize_slot(slot_name, attrs, reterr) : 0;
}

const char *sn_iface_attr_string(const SnIfaceEnd *end, const char *key)
{
    return json_string_value(json_object_get(end->attrs, key));
}

/* ---- grants ---- */

struct SnIfaceWork {
    char *interface;
    char **apps;  /* NULL: all */
    char **hooks; /* */
    SnBuf seccomp;
    SnBuf apparmor;
    SnPolicyLandlockGrant *landlock; /* paths owned */
    size_t n_landlock;
    SnPolicyDeviceRule *devices;
    size_t n_devices;
    uint64_t net;
    char *seccomp_text;
    char *apparmor_text;
};

struct SnIfaceGrants {
    SnPolicyGrant *grants;
    SnIfaceWork **work;
    size_t n;
};

static void work_free(SnIfaceWork *w)
{
    if (!w)
        return;
    free(w->interface);
    sn_strv_free(w->apps);
    sn_strv_free(w->hooks);
    sn_buf_done(&w->seccomp);
    sn_buf_done(&w->apparmor);
    for (size_t i = 0; i < w->n_landlock; i++)
        free((char *)w->landlock[i].path);
    free(w->landlock);
    free(w->devices);
    free(w->seccomp_text);
    free(w->apparmor_text);
    free(w);
}

int sn_iface_grants_new(SnIfaceGrants **ret)
{
    SnIfaceGrants *g = calloc(1, sizeof(*g));
    if (!g)
        return -ENOMEM;
    *ret = g;
    return 0;
}

SnIfaceGrants *sn_iface_grants_free(SnIfaceGrants *g)
{
    if (!g)
        return NULL;
    for (size_t i = 0; i < g->n; i++)
        work_free(g->work[i]);
    free(g->work);
    free(g->grants);
    free(g);
    return NULL;
}

const SnPolicyGrant *sn_iface_grants_get(const SnIfaceGrants *g, size_t *ret_n)
{
    *ret_n = g->n;
    return g->grants;
}

int sn_iface_work_landlock(SnIfaceWork *w, uint32_t anchor, const char *path, uint64_t access)
{
    SnPolicyLandlockGrant *n = realloc(w->landlock, (w->n_landlock + 1) * sizeof(*n));
    if (!n)
        return -ENOMEM;
    w->landlock = n;
    char *p = strdup(path);
    if (!p)
        return -ENOMEM;
    w->landlock[w->n_landlock++] = (SnPolicyLandlockGrant){.path = p, .anchor = anchor, .access = access};
    return 0;
}

static int work_device_rule(SnIfaceWork *w, char type, int major, int minor)
{
    for (size_t i = 0; i < w->n_devices; i++)
        if (w->devices[i].type == type && w->devices[i].major == major && w->devices[i].minor == minor)
            return 0;
    if (w->n_devices >= SN_POLICY_BLOB_MAX_DEVICE_RULES / 2)
        return -E2BIG;
    SnPolicyDeviceRule *n = realloc(w->devices, (w->n_devices + 1) * sizeof(*n));
    if (!n)
        return -ENOMEM;
    w->devices = n;
    w->devices[w->n_devices++] = (SnPolicyDeviceRule){
        .type = (uint8_t)type, .access = SN_POLICY_DEV_READ | SN_POLICY_DEV_WRITE, .major = major, .minor = minor};
    return 0;
}

static const char *dev_root(const SnIfaceContext *ctx)
{
    return ctx && ctx->dev_root ? ctx->dev_root : "";
}

int sn_iface_work_device(SnIfaceWork *w, const SnIfaceContext *ctx, const char *path)
{
    _sn_free_ char *full = sn_strdup_printf("%s%s", dev_root(ctx), path);
    if (!full)
        return -ENOMEM;
    struct stat st;
    /* stat, not lstat: udev's symlinks (/dev/serial-port-*) name the node they point to. */
    if (stat(full, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
        return 0;
    return work_device_rule(w, S_ISCHR(st.st_mode) ? 'c' : 'b', (int)major(st.st_rdev), (int)minor(st.st_rdev));
}

int sn_iface_work_device_glob(SnIfaceWork *w, const SnIfaceContext *ctx, const char *pattern)
{
    _sn_free_ char *full = sn_strdup_printf("%s%s", dev_root(ctx), pattern);
    if (!full)
        return -ENOMEM;
    glob_t gl = {0};
    int r = glob(full, GLOB_NOSORT, NULL, &gl);
    if (r == GLOB_NOMATCH)
        return 0;
    if (r != 0)
        return r == GLOB_NOSPACE ? -ENOMEM : 0;
    size_t skip = strlen(dev_root(ctx));
    r = 0;
    for (size_t i = 0; i < gl.gl_pathc && r >= 0; i++)
        r = sn_iface_work_device(w, ctx, gl.gl_pathv[i] + skip);
    globfree(&gl);
    return r;
}

int sn_iface_work_apparmor(SnIfaceWork *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    _sn_free_ char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -ENOMEM;
    sn_buf_puts(&w->apparmor, s);
    sn_buf_putc(&w->apparmor, '\n');
    return sn_buf_ok(&w->apparmor) ? 0 : -ENOMEM;
}

static char **strv_copy(char *const *v)
{
    if (!v)
        return NULL;
    size_t n = sn_strv_length(v);
    char **c = calloc(n + 1, sizeof(char *));
    if (!c)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(c[i] = strdup(v[i])))
            return sn_strv_free(c);
    return c;
}

static int apply_spec(SnIfaceWork *w, const SnIfaceContext *ctx, const SnIfaceGrantSpec *spec)
{
    int r;
    if (spec->seccomp)
        sn_buf_puts(&w->seccomp, spec->seccomp);
    if (spec->apparmor)
        sn_buf_puts(&w->apparmor, spec->apparmor);
    for (const SnPolicyLandlockGrant *l = spec->landlock; l && l->path; l++)
        if ((r = sn_iface_work_landlock(w, l->anchor, l->path, l->access)) < 0)
            return r;
    for (const char *const *d = spec->devices; d && *d; d++)
        if ((r = sn_iface_work_device_glob(w, ctx, *d)) < 0)
            return r;
    w->net |= spec->net;
    return 0;
}

/* Points the SnPolicyGrant at the work's storage. */
static void sync_grant(SnPolicyGrant *g, SnIfaceWork *w)
{
    *g = (SnPolicyGrant){
        .interface = w->interface,
        .apps = w->apps,
        .hooks = w->hooks,
        .seccomp = w->seccomp_text,
        .apparmor = w->apparmor_text,
        .landlock = w->landlock,
        .n_landlock = w->n_landlock,
        .devices = w->devices,
        .n_devices = w->n_devices,
        .landlock_net = w->net,
    };
}

/*
 * Builds one grant for self's snap from spec (and extra, called with plug and slot) and appends it
 * to g.
 */
static int add_grant(SnIfaceGrants *g, const SnIfaceContext *ctx, const SnInterface *iface, const SnIfaceEnd *self,
                     const SnIfaceGrantSpec *spec, SnIfaceExtraFn extra, const SnIfaceEnd *plug, const SnIfaceEnd *slot,
                     SnError **reterr)
{
    SnIfaceWork *w = calloc(1, sizeof(*w));
    if (!w)
        return -ENOMEM;
    int r = -ENOMEM;
    w->interface = strdup(iface->name);
    w->apps = strv_copy(self->apps);
    w->hooks = strv_copy(self->hooks);
    if (!w->interface || (self->apps && !w->apps) || (self->hooks && !w->hooks))
        goto fail;
    if ((r = apply_spec(w, ctx, spec)) < 0) {
        sn_error_set(reterr, r, "cannot compute the %s grant of %s:%s", iface->name, self->snap, self->name);
        goto fail;
    }
    if (extra && (r = extra(w, ctx, plug, slot, reterr)) < 0)
        goto fail;
    r = -ENOMEM;
    if (!sn_buf_ok(&w->seccomp) || !sn_buf_ok(&w->apparmor))
        goto fail;
    if (w->seccomp.len)
        w->seccomp_text = sn_buf_steal(&w->seccomp);
    if (w->apparmor.len)
        w->apparmor_text = sn_buf_steal(&w->apparmor);

    SnPolicyGrant *ng = realloc(g->grants, (g->n + 1) * sizeof(*ng));
    if (!ng)
        goto fail;
    g->grants = ng;
    SnIfaceWork **nw = realloc(g->work, (g->n + 1) * sizeof(*nw));
    if (!nw)
        goto fail;
    g->work = nw;
    g->work[g->n] = w;
    sync_grant(&g->grants[g->n], w);
    g->n++;
    return 0;
fail:
    work_free(w);
    return r;
}

int sn_iface_grants_add(SnIfaceGrants *g, const SnIfaceContext *ctx, const SnIfaceEnd *plug, const SnIfaceEnd *slot,
                        bool for_slot, SnError **reterr)
{
    const SnInterface *iface = sn_iface_lookup(plug->interface);
    if (!iface)
        return sn_error_set(reterr, -EINVAL, "interface \"%s\" is not known", plug->interface);
    if (!SN_STREQ(plug->interface, slot->interface))
        return sn_error_set(reterr, -EINVAL, "cannot connect mismatched plug interface \"%s\" to slot interface \"%s\"",
                            plug->interface, slot->interface);
    return add_grant(g, ctx, iface, for_slot ? slot : plug, for_slot ? &iface->slot : &iface->plug,
                     for_slot ? iface->slot_extra : iface->plug_extra, plug, slot, reterr);
}

static bool spec_empty(const SnIfaceGrantSpec *spec)
{
    return !spec->seccomp && !spec->apparmor && !spec->landlock && !spec->devices && !spec->net;
}

bool sn_iface_has_permanent(const SnInterface *iface, bool is_slot)
{
    return !spec_empty(is_slot ? &iface->permanent_slot : &iface->permanent_plug);
}

int sn_iface_grants_add_permanent(SnIfaceGrants *g, const SnIfaceContext *ctx, const SnIfaceEnd *end, bool is_slot,
                                  SnError **reterr)
{
    const SnInterface *iface = sn_iface_lookup(end->interface);
    if (!iface)
        return sn_error_set(reterr, -EINVAL, "interface \"%s\" is not known", end->interface);
    if (!sn_iface_has_permanent(iface, is_slot))
        return 0;
    return add_grant(g, ctx, iface, end, is_slot ? &iface->permanent_slot : &iface->permanent_plug, NULL, NULL, NULL,
                     reterr);
}

/* "Bound to all" is NULL apps and hooks; otherwise the lists, an empty one for none. */
static char **bound_or_empty(char **v)
{
    return v ? strv_copy(v) : calloc(1, sizeof(char *));
}

int sn_iface_grants_add_snap_permanent(SnIfaceGrants *g, const SnIfaceContext *ctx, const SnSnapInfo *info,
                                       const char *instance, const char *revision, SnError **reterr)
{
    if (!instance)
        instance = info->name;
    int r = 0;
    for (int side = 0; side < 2 && r >= 0; side++) {
        const SnPlugSlot *v = side ? info->slots : info->plugs;
        size_t n = side ? info->n_slots : info->n_plugs;
        for (size_t i = 0; i < n && r >= 0; i++) {
            const SnInterface *iface = sn_iface_lookup(v[i].interface);
            if (!iface || !sn_iface_has_permanent(iface, side == 1))
                continue;
            json_t *attrs = sn_iface_attrs_from_yaml(v[i].attrs.kind ? &v[i].attrs : NULL);
            if (!attrs)
                return -ENOMEM;
            if (!json_is_object(attrs)) {
                json_decref(attrs);
                if (!(attrs = json_object()))
                    return -ENOMEM;
            }
            int ok = side ? sn_iface_sanitize_slot(iface, v[i].name, attrs, NULL)
                          : sn_iface_sanitize_plug(iface, v[i].name, attrs, NULL);
            char **apps = NULL, **hooks = NULL;
            if (ok >= 0 && !v[i].unscoped) {
                apps = bound_or_empty(v[i].apps);
                hooks = bound_or_empty(v[i].hooks);
                if (!apps || !hooks)
                    r = -ENOMEM;
            }
            if (ok >= 0 && r >= 0) {
                SnIfaceEnd end = {.snap = instance,
                                  .name = v[i].name,
                                  .interface = v[i].interface,
                                  .snap_type = sn_snap_type_to_string(info->type),
                                  .revision = revision,
                                  .attrs = attrs,
                                  .apps = apps,
                                  .hooks = hooks};
                r = sn_iface_grants_add_permanent(g, ctx, &end, side == 1, reterr);
            }
            sn_strv_free(apps);
            sn_strv_free(hooks);
            json_decref(attrs);
        }
    }
    return r;
}

/* ---- content mounts ---- */

json_t *sn_iface_content_paths(json_t *slot_attrs, const char *which)
{
    json_t *source = json_object_get(slot_attrs, "source");
    json_t *v = json_is_object(source) ? json_object_get(source, which) : json_object_get(slot_attrs, which);
    return json_is_array(v) ? v : NULL;
}

/* $SNAP, $SNAP_DATA, $SNAP_COMMON at the start of path, else $SNAP implied (snapd's resolveSpecialVariable). */
static char *resolve_path(const char *path, const SnIfaceEnd *end)
{
    const char *rev = end->revision ? end->revision : "current";
    static const char *const vars[] = {"$SNAP_DATA", "$SNAP_COMMON", "$SNAP"};
    for (size_t i = 0; i < SN_ELEMENTSOF(vars); i++) {
        size_t n = strlen(vars[i]);
        if (strncmp(path, vars[i], n) != 0 || (path[n] != '/' && path[n] != '\0'))
            continue;
        if (i == 0)
            return sn_strdup_printf("/var/snap/%s/%s%s", end->snap, rev, path + n);
        if (i == 1)
            return sn_strdup_printf("/var/snap/%s/common%s", end->snap, path + n);
        return sn_strdup_printf("/snap/%s/%s%s", end->snap, rev, path + n);
    }
    return sn_strdup_printf("/snap/%s/%s/%s", end->snap, rev, path);
}

void sn_iface_mounts_free(SnIfaceMount *m, size_t n)
{
    for (size_t i = 0; m && i < n; i++) {
        free(m[i].source);
        free(m[i].target);
    }
    free(m);
}

int sn_iface_mounts(const SnIfaceEnd *plug, const SnIfaceEnd *slot, SnIfaceMount **ret, size_t *ret_n, SnError **reterr)
{
    *ret = NULL;
    *ret_n = 0;
    if (!SN_STREQ(plug->interface, "content") || !SN_STREQ(slot->interface, "content"))
        return 0;
    const char *target = sn_iface_attr_string(plug, "target");
    if (!target || !*target)
        return sn_error_set(reterr, -EINVAL, "content plug must contain target path");
    bool has_source = json_is_object(json_object_get(slot->attrs, "source"));
    SnIfaceMount *m = NULL;
    size_t n = 0;
    static const char *const which[] = {"read", "write"};
    for (size_t k = 0; k < 2; k++) {
        json_t *paths = sn_iface_content_paths(slot->attrs, which[k]);
        size_t i;
        json_t *p;
        json_array_foreach(paths, i, p)
        {
            if (!json_is_string(p))
                continue;
            SnIfaceMount *nm = realloc(m, (n + 1) * sizeof(*nm));
            if (!nm)
                goto enomem;
            m = nm;
            m[n] = (SnIfaceMount){.read_only = k == 0};
            m[n].source = resolve_path(json_string_value(p), slot);
            _sn_free_ char *t = resolve_path(target, plug);
            n++;
            if (!m[n - 1].source || !t)
                goto enomem;
            if (has_source) {
                const char *last = strrchr(m[n - 1].source, '/');
                m[n - 1].target = sn_strdup_printf("%s%s", t, last);
            } else
                m[n - 1].target = SN_TAKE_PTR(t);
            if (!m[n - 1].target)
                goto enomem;
        }
    }
    *ret = m;
    *ret_n = n;
    return 0;
enomem:
    sn_iface_mounts_free(m, n);
    return -ENOMEM;
}

/* ---- attributes ---- */

json_t *sn_iface_attrs_from_yaml(const SnYamlNode *node)
{
    if (!node || node->kind == SN_YAML_NULL)
        return node ? json_null() : json_object();
    switch (node->kind) {
    case SN_YAML_SCALAR: {
        int64_t i;
        switch (sn_yaml_node_type(node)) {
        case SN_YAML_TYPE_NULL:
            return json_null();
        case SN_YAML_TYPE_BOOL:
            return json_boolean(strchr("yYtT", node->scalar[0]) || SN_STREQ(node->scalar, "on") ||
                                SN_STREQ(node->scalar, "On") || SN_STREQ(node->scalar, "ON"));
        case SN_YAML_TYPE_INT:
            if (sn_yaml_parse_int(node->scalar, &i) == 0)
                return json_integer(i);
            return json_string(node->scalar);
        case SN_YAML_TYPE_FLOAT:
            return json_real(strtod(node->scalar, NULL));
        default:
            return json_string(node->scalar);
        }
    }
    case SN_YAML_SEQ: {
        json_t *a = json_array();
        for (size_t i = 0; a && i < node->n_items; i++) {
            json_t *v = sn_iface_attrs_from_yaml(&node->items[i]);
            if (!v || json_array_append_new(a, v) < 0) {
                json_decref(a);
                return NULL;
            }
        }
        return a;
    }
    case SN_YAML_MAP: {
        json_t *o = json_object();
        for (size_t i = 0; o && i < node->n_items; i++) {
            json_t *v = sn_iface_attrs_from_yaml(&node->items[i]);
            if (!v || json_object_set_new(o, node->keys[i], v) < 0) {
                json_decref(o);
                return NULL;
            }
        }
        return o;
    }
    default:
        return json_null();
    }
}
