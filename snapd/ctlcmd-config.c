/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snapctl get, set and unset: configuration options, and the plug and slot attributes of an interface hook
 * (get/set :NAME).
 */
#include "ctlcmd.h"

#include <errno.h>
#include <string.h>

#include "configstate.h"
#include "ctlcmd-internal.h"
#include "ifacestate.h"
#include "snap-yaml.h"
#include "state-change.h"
#include "state-snap.h"
#include "strutil.h"

/* ---- get ---- */

/* snapd's printPatch: one key prints its value (strings bare, unless typed), else the document. */
static int print_patch(Cmd *c, json_t *patch, char *const *keys, bool document, bool typed)
{
    json_t *show = patch;
    if (!document && keys[0] && !keys[1])
        show = json_object_get(patch, keys[0]); /* NULL when unset */
    if (typed && !show)
        sn_buf_puts(&c->out, "null\n");
    else if (!typed && json_is_string(show))
        sn_buf_printf(&c->out, "%s\n", json_string_value(show));
    else if (!show)
        sn_buf_puts(&c->out, "\n");
    else {
        _sn_free_ char *text = sn_ctl_json_indent(show);
        if (!text)
            return -ENOMEM;
        sn_buf_printf(&c->out, "%s\n", text);
    }
    return 0;
}

/* ---- interface attributes: snapctl get/set :NAME in interface hooks ---- */

/* Whether an interface hook is of the plug side ("prepare-plug-X", "disconnect-plug-X", ...). */
static bool is_plug_hook(const char *hook)
{
    const char *dash = hook ? strchr(hook, '-') : NULL;
    return dash && sn_startswith(dash, "-plug-");
}

/*
 * snapd's getAttribute: the value (new reference) at the dotted path parts of attrs; -ENOENT
 * "no \"a.b\" attribute" naming the path up to the missing part, -EINVAL when it goes through a
 * value that is not a map.
 */
static int attr_lookup(json_t *attrs, char *const *parts, const char *snap, json_t **ret, SnError **reterr)
{
    json_t *v = attrs;
    SnBuf path = {0};
    int r = 0;
    for (size_t i = 0; parts[i]; i++) {
        sn_buf_printf(&path, "%s%s", i ? "." : "", parts[i]);
        if (!json_is_object(v)) {
            r = sn_error_set(reterr, -EINVAL, "snap \"%s\" attribute \"%.*s\" is not a map", snap,
                             (int)(path.len - strlen(parts[i]) - 1), path.data ? path.data : "");
            break;
        }
        v = json_object_get(v, parts[i]);
        if (!v) {
            r = sn_error_set(reterr, -ENOENT, "no \"%s\" attribute", path.data ? path.data : "");
            break;
        }
    }
    sn_buf_done(&path);
    if (r >= 0)
        *ret = json_incref(v);
    return r;
}

/* The own side of the hook is plug_side; its plug or slot must be name (snapd's validatePlugOrSlot). */
static int own_side_check(Cmd *c, bool plug_side, const char *name, SnError **reterr)
{
    _sn_free_ char *own = NULL;
    json_t *st = NULL, *dyn = NULL;
    int r = sn_hook_context_attrs(c->ctx, c->st, plug_side, &own, &st, &dyn, reterr);
    json_decref(st);
    json_decref(dyn);
    if (r >= 0 && !SN_STREQ(own, name))
        r = sn_error_set(reterr, -EINVAL, "unknown plug or slot \"%s\"", name);
    return r;
}

/* snapctl get [--plug|--slot] :NAME KEY...: the static attribute, else the dynamic one, of the chosen side. */
static int get_interface_setting(Cmd *c, const char *name, char *const *keys, bool document, bool typed,
                                 bool force_plug, bool force_slot, SnError **reterr)
{
    const char *hook = sn_hook_context_hook(c->ctx);
    if (!sn_ctlcmd_is_interface_hook(hook))
        return sn_error_set(reterr, -EINVAL,
                            "interface attributes can only be read during the execution of interface hooks");
    if (sn_hook_context_attrs_task(c->ctx) <= 0)
        return sn_error_set(reterr, -ENOENT, "internal error: cannot find attrs task");
    if (force_plug && force_slot)
        return sn_error_set(reterr, -EINVAL, "cannot use --plug and --slot together");
    bool plug_side = is_plug_hook(hook);
    _sn_free_ char *side_name = NULL;
    json_t *stat = NULL, *dyn = NULL, *patch = json_object();
    sn_state_lock(c->st);
    int r = patch ? own_side_check(c, plug_side, name, reterr) : -ENOMEM;
    if (r >= 0)
        r = sn_hook_context_attrs(c->ctx, c->st, force_plug || (plug_side && !force_slot), &side_name, &stat, &dyn,
                                  reterr);
    sn_state_unlock(c->st);
    for (char *const *k = keys; r >= 0 && *k; k++) {
        _sn_strv_free_ char **parts = NULL;
        json_t *value = NULL;
        r = sn_configstate_parse_key(*k, &parts, reterr);
        if (r >= 0 && !parts)
            r = sn_error_set(reterr, -EINVAL, "invalid option name: \"\"");
        if (r < 0)
            break;
        r = attr_lookup(stat, parts, sn_hook_context_snap(c->ctx), &value, NULL);
        if (r == -ENOENT)
            r = attr_lookup(dyn, parts, sn_hook_context_snap(c->ctx), &value, reterr);
        else if (r < 0)
            r = attr_lookup(stat, parts, sn_hook_context_snap(c->ctx), &value, reterr);
        if (r >= 0 && json_object_set_new(patch, *k, value) < 0)
            r = -ENOMEM;
    }
    if (r >= 0)
        r = print_patch(c, patch, keys, document, typed);
    json_decref(patch);
    json_decref(stat);
    json_decref(dyn);
    return r;
}

/*
 * snapctl set :NAME KEY=VALUE... in a prepare hook: stages the own side's dynamic attributes (JSON
 * values when they parse, else strings); a static attribute cannot be overwritten.
 */
static int set_interface_setting(Cmd *c, const char *name, char *const *values, SnError **reterr)
{
    if (sn_hook_context_attrs_task(c->ctx) <= 0)
        return sn_error_set(reterr, -ENOENT, "internal error: cannot find attrs task");
    bool plug_side = is_plug_hook(sn_hook_context_hook(c->ctx));
    const char *snap = sn_hook_context_snap(c->ctx);
    _sn_free_ char *own = NULL;
    json_t *stat = NULL, *dyn = NULL;
    sn_state_lock(c->st);
    int r = own_side_check(c, plug_side, name, reterr);
    if (r >= 0)
        r = sn_hook_context_attrs(c->ctx, c->st, plug_side, &own, &stat, &dyn, reterr);
    sn_state_unlock(c->st);
    for (char *const *a = values; r >= 0 && a && *a; a++) {
        const char *eq = strchr(*a, '=');
        if (!eq) {
            r = sn_error_set(reterr, -EINVAL, "invalid parameter: \"%s\" (want key=value)", *a);
            break;
        }
        _sn_free_ char *key = strndup(*a, (size_t)(eq - *a));
        _sn_strv_free_ char **parts = NULL;
        SnError *e = NULL;
        r = key ? sn_configstate_parse_key(key, &parts, &e) : -ENOMEM;
        if (r >= 0 && !parts)
            r = sn_error_set(&e, -EINVAL, "invalid option name: \"\"");
        if (r >= 0 && json_object_get(stat, parts[0]))
            r = sn_error_set(&e, -EINVAL, "attribute \"%s\" cannot be overwritten", key);
        json_t *value = r >= 0 ? json_loads(eq + 1, JSON_DECODE_ANY, NULL) : NULL;
        if (r >= 0 && !value)
            value = json_string(eq + 1);
        json_t *one = value ? json_object() : NULL;
        if (r >= 0 && (!one || json_object_set_new(one, key, value) < 0)) {
            if (!one)
                json_decref(value);
            r = -ENOMEM;
        } else if (r >= 0)
            r = sn_configstate_patch(dyn, snap, one, NULL, &e);
        json_decref(one);
        if (r < 0 && r != -ENOMEM)
            sn_error_set(reterr, r, "cannot set attribute: %s", sn_error_message(e, r));
        sn_error_free(e);
    }
    if (r >= 0)
        r = sn_hook_context_stage_attrs(c->ctx, plug_side, dyn);
    json_decref(stat);
    json_decref(dyn);
    return r;
}

int sn_ctlcmd_get(Cmd *c, char *const *args, SnError **reterr)
{
    static const Flag flags[] = {
        {"d", 'd', false},      {"t", 't', false},    {"slot", 0, false}, {"plug", 0, false},    {"view", 0, false},
        {"previous", 0, false}, {"default", 0, true}, {"with", 0, true},  {"wait-for", 0, true},
    };
    _sn_cleanup_(sn_ctlcmd_parsed_done) Parsed p = {0};
    int r = sn_ctlcmd_parse_args(args, flags, SN_ELEMENTSOF(flags), &p, reterr);
    if (r < 0)
        return r;
    bool document = p.values[0], typed = p.values[1];
    if (!p.positional)
        return sn_error_set(reterr, -EINVAL, "get which option?");
    r = sn_ctlcmd_need_context(c, reterr);
    if (r < 0)
        return r;
    if (typed && document)
        return sn_error_set(reterr, -EINVAL, "cannot use -d and -t together");
    if (p.values[5] && !p.values[4])
        return sn_error_set(reterr, -EINVAL, "cannot use --previous without --view");
    if (p.values[6] && !p.values[4])
        return sn_error_set(reterr, -EINVAL, "cannot use --default with non-confdb read (missing --view)");
    if (p.values[7] && !p.values[4])
        return sn_error_set(reterr, -EINVAL, "cannot use --with with non-confdb read (missing --view)");
    const char *spec = p.positional[0];
    if (strchr(spec, ':')) {
        const char *colon = strchr(spec, ':');
        if (!colon[1])
            return sn_error_set(reterr, -EINVAL, "plug or slot name not provided");
        if (colon != spec)
            return sn_error_set(reterr, -EINVAL, "\"snapctl get %s\" not supported, use \"snapctl get :%s\" instead",
                                spec, colon + 1);
        if (p.values[4])
            return sn_error_set(reterr, -EINVAL, "cannot use --view: confdb is not supported by this daemon");
        if (!p.positional[1])
            return sn_error_set(reterr, -EINVAL, "get which attribute?");
        return get_interface_setting(c, colon + 1, p.positional + 1, document, typed, p.values[3], p.values[2], reterr);
    }
    if (p.values[2] || p.values[3])
        return sn_error_set(reterr, -EINVAL, "cannot use --plug or --slot without <snap>:<plug|slot> argument");

    json_t *patch = json_object();
    if (!patch)
        return -ENOMEM;
    sn_state_lock(c->st);
    for (char **k = p.positional; r >= 0 && *k; k++) {
        json_t *value = NULL;
        SnError *e = NULL;
        int g = sn_hook_context_config_get(c->ctx, c->st, *k, &value, &e);
        if (g == -ENOENT) {
            /* not set: left out */
        } else if (g < 0) {
            r = sn_error_set(reterr, g, "%s", sn_error_message(e, g));
        } else if (json_object_set_new(patch, *k, value) < 0)
            r = -ENOMEM;
        sn_error_free(e);
    }
    sn_state_unlock(c->st);
    if (r < 0) {
        json_decref(patch);
        return r;
    }
    r = print_patch(c, patch, p.positional, document, typed);
    json_decref(patch);
    return r;
}

/* ---- set / unset ---- */

int sn_ctlcmd_set(Cmd *c, char *const *args, SnError **reterr)
{
    static const Flag flags[] = {{"s", 's', false}, {"t", 't', false}, {"view", 0, false}, {"wait-for", 0, true}};
    _sn_cleanup_(sn_ctlcmd_parsed_done) Parsed p = {0};
    int r = sn_ctlcmd_parse_args(args, flags, SN_ELEMENTSOF(flags), &p, reterr);
    if (r < 0)
        return r;
    if (!p.positional)
        return sn_error_set(reterr, -EINVAL, "set which option?");
    r = sn_ctlcmd_need_context(c, reterr);
    if (r < 0)
        return r;
    bool string = p.values[0], typed = p.values[1];
    if (typed && string)
        return sn_error_set(reterr, -EINVAL, "cannot use -t and -s together");
    const char *spec = p.positional[0];
    if (!strchr(spec, '=') && strchr(spec, ':')) {
        const char *colon = strchr(spec, ':');
        if (!colon[1])
            return sn_error_set(reterr, -EINVAL, "plug or slot name not provided");
        if (colon != spec)
            return sn_error_set(reterr, -EINVAL, "\"snapctl set %s\" not supported, use \"snapctl set :%s\" instead",
                                spec, colon + 1);
        if (p.values[2])
            return sn_error_set(reterr, -EINVAL, "cannot use --view: confdb is not supported by this daemon");
        const char *hook = sn_hook_context_hook(c->ctx);
        if (!hook || !(sn_startswith(hook, "prepare-plug-") || sn_startswith(hook, "prepare-slot-")))
            return sn_error_set(reterr, -EINVAL,
                                "interface attributes can only be set during the execution of prepare hooks");
        return set_interface_setting(c, colon + 1, p.positional + 1, reterr);
    }
    /* snapd's ParseConfigValues, then one Set per key in order */
    json_t *patches = json_array();
    if (!patches)
        return -ENOMEM;
    for (char **a = p.positional; r >= 0 && *a; a++) {
        const char *eq = strchr(*a, '=');
        json_t *value = NULL;
        _sn_free_ char *key = NULL;
        size_t len = strlen(*a);
        if (!eq && len > 0 && (*a)[len - 1] == '!') {
            if (len == 1) {
                r = sn_error_set(reterr, -EINVAL, "configuration keys cannot be empty (use key! to unset a key)");
                break;
            }
            key = strndup(*a, len - 1);
            value = json_null();
        } else if (!eq) {
            r = sn_error_set(reterr, -EINVAL, "invalid configuration: \"%s\" (want key=value)", *a);
            break;
        } else if (eq == *a) {
            r = sn_error_set(reterr, -EINVAL, "configuration keys cannot be empty");
            break;
        } else {
            key = strndup(*a, (size_t)(eq - *a));
            json_error_t jerr;
            value = string ? NULL : json_loads(eq + 1, JSON_DECODE_ANY, &jerr);
            if (!value && typed && !string) {
                r = sn_error_set(reterr, -EINVAL, "failed to parse JSON: %s", jerr.text);
                break;
            }
            if (!value)
                value = json_string(eq + 1);
        }
        json_t *one = key && value ? json_object() : NULL;
        if (!one || json_object_set_new(one, key, value) < 0 || json_array_append_new(patches, one) < 0) {
            if (!one)
                json_decref(value);
            r = -ENOMEM;
        }
    }
    if (r >= 0) {
        sn_state_lock(c->st);
        size_t i;
        json_t *one;
        json_array_foreach(patches, i, one)
        {
            r = sn_hook_context_config_patch(c->ctx, c->st, one, reterr);
            if (r < 0)
                break;
        }
        sn_state_unlock(c->st);
    }
    json_decref(patches);
    return r;
}

int sn_ctlcmd_unset(Cmd *c, char *const *args, SnError **reterr)
{
    static const Flag flags[] = {{"view", 0, false}, {"wait-for", 0, true}};
    _sn_cleanup_(sn_ctlcmd_parsed_done) Parsed p = {0};
    int r = sn_ctlcmd_parse_args(args, flags, SN_ELEMENTSOF(flags), &p, reterr);
    if (r < 0)
        return r;
    if (!p.positional)
        return sn_error_set(reterr, -EINVAL, "unset which option?");
    r = sn_ctlcmd_need_context(c, reterr);
    if (r < 0)
        return r;
    if (p.values[0])
        return sn_error_set(reterr, -EINVAL, "cannot use --view: confdb is not supported by this daemon");
    sn_state_lock(c->st);
    for (char **k = p.positional; *k; k++) {
        json_t *one = json_pack("{s:n}", *k);
        /* snapd ignores what Set says here (an invalid key unsets nothing) */
        if (one)
            (void)sn_hook_context_config_patch(c->ctx, c->st, one, NULL);
        json_decref(one);
    }
    sn_state_unlock(c->st);
    return 0;
}
