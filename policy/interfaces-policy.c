/* SPDX-License-Identifier: GPL-3.0-only */
#include "interfaces-policy.h"

#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assert-decode.h"
#include "interfaces-internal.h"
#include "strutil.h"

/* ---- the base-declaration ---- */

static SnAssertValue *base_decl;
static pthread_once_t base_decl_once = PTHREAD_ONCE_INIT;

static void compose_base_declaration(void)
{
    SnBuf b = {0};
    sn_buf_puts(&b, "type: base-declaration\nauthority-id: canonical\nseries: 16\nrevision: 0\nplugs:\n");
    for (const SnInterface *const *i = sn_iface_all(); *i; i++)
        if ((*i)->decl_plugs)
            sn_buf_puts(&b, (*i)->decl_plugs);
    sn_buf_puts(&b, "slots:\n");
    for (const SnInterface *const *i = sn_iface_all(); *i; i++)
        if ((*i)->decl_slots)
            sn_buf_puts(&b, (*i)->decl_slots);
    /* The header format has no trailing newline. */
    if (sn_buf_ok(&b) && b.len && b.data[b.len - 1] == '\n')
        b.data[--b.len] = '\0';
    SnAssertValue *v = NULL;
    if (sn_buf_ok(&b) && sn_assert_parse_headers(b.data, b.len, &v, NULL) >= 0)
        base_decl = v;
    sn_buf_done(&b);
    if (!base_decl)
        base_decl = sn_assert_value_new_map(); /* only on ENOMEM: a unit test pins the parse */
}

const SnAssertValue *sn_iface_base_declaration(void)
{
    pthread_once(&base_decl_once, compose_base_declaration);
    return base_decl;
}

/* ---- constraints ---- */

typedef struct Eval {
    const SnIfaceCandidate *c;
    const SnIfaceEnd *only; /* installation checks: the one end */
    bool only_is_slot;
    bool on_classic;
    bool any_slots; /* out: slots-per-plug: * seen in the matching alternative */
} Eval;

static bool is_true(const SnAssertValue *v)
{
    return v && v->kind == SN_ASSERT_VALUE_STRING && SN_STREQ(v->str, "true");
}

static bool list_contains(const SnAssertValue *list, const char *s)
{
    if (!s || !list)
        return false;
    if (list->kind == SN_ASSERT_VALUE_STRING)
        return SN_STREQ(list->str, s);
    if (list->kind != SN_ASSERT_VALUE_LIST)
        return false;
    for (size_t i = 0; i < list->n; i++)
        if (list->items[i]->kind == SN_ASSERT_VALUE_STRING && SN_STREQ(list->items[i]->str, s))
            return true;
    return false;
}

/* A JSON scalar as the text an attribute constraint sees; NULL for arrays, objects, null. */
static char *scalar_text(json_t *v)
{
    if (json_is_string(v))
        return strdup(json_string_value(v));
    if (json_is_integer(v))
        return sn_strdup_printf("%lld", (long long)json_integer_value(v));
    if (json_is_boolean(v))
        return strdup(json_is_true(v) ? "true" : "false");
    return NULL;
}

static bool regex_full_match(const char *re, const char *s)
{
    _sn_free_ char *anchored = sn_strdup_printf("^(%s)$", re);
    regex_t r;
    if (!anchored || regcomp(&r, anchored, REG_EXTENDED | REG_NOSUB) != 0)
        return false;
    bool ok = regexec(&r, s, 0, NULL, 0) == 0;
    regfree(&r);
    return ok;
}

/* $PLUG(a.b) / $SLOT(a.b): the other side's attribute, by dotted path. */
static json_t *attr_by_path(json_t *attrs, const char *path)
{
    _sn_free_ char *copy = strdup(path);
    json_t *v = attrs;
    for (char *save = NULL, *tok = copy ? strtok_r(copy, ".", &save) : NULL; tok && v; tok = strtok_r(NULL, ".", &save))
        v = json_object_get(v, tok);
    return v;
}

static bool match_attr(const Eval *e, const SnAssertValue *con, json_t *value);

static bool match_attr_string(const Eval *e, const char *con, json_t *value)
{
    if (SN_STREQ(con, "$MISSING"))
        return value == NULL;
    if (!value)
        return false;
    if (sn_startswith(con, "$PLUG(") || sn_startswith(con, "$SLOT(")) {
        size_t n = strlen(con);
        if (!e->c || n < 7 || con[n - 1] != ')')
            return false;
        _sn_free_ char *path = strndup(con + 6, n - 7);
        const SnIfaceEnd *other = con[1] == 'P' ? e->c->plug : e->c->slot;
        json_t *want = path ? attr_by_path(other->attrs, path) : NULL;
        return want && json_equal(want, value);
    }
    if (json_is_array(value)) {
        /* Every element must match. */
        size_t i;
        json_t *item;
        json_array_foreach(value, i, item) if (!match_attr_string(e, con, item)) return false;
        return json_array_size(value) > 0;
    }
    _sn_free_ char *text = scalar_text(value);
    return text && regex_full_match(con, text);
}

static bool match_attr(const Eval *e, const SnAssertValue *con, json_t *value)
{
    switch (con->kind) {
    case SN_ASSERT_VALUE_STRING:
        return match_attr_string(e, con->str, value);
    case SN_ASSERT_VALUE_LIST:
        for (size_t i = 0; i < con->n; i++)
            if (match_attr(e, con->items[i], value))
                return true;
        return false;
    case SN_ASSERT_VALUE_MAP:
        if (!json_is_object(value))
            return false;
        for (size_t i = 0; i < con->n; i++)
            if (!match_attr(e, con->items[i], json_object_get(value, con->keys[i])))
                return false;
        return true;
    }
    return false;
}

static const char *type_for_constraints(const char *type)
{
    /* snapd calls the system snap's type "core" in constraints (os and snapd snaps). */
    return type && (SN_STREQ(type, "os") || SN_STREQ(type, "snapd")) ? "core" : type;
}

static bool match_publisher(const Eval *e, const SnAssertValue *list, const SnIfaceEnd *end)
{
    if (!end->publisher_id || !*end->publisher_id || !list)
        return false;
    const SnAssertValue *items = list;
    size_t n = list->kind == SN_ASSERT_VALUE_LIST ? list->n : 1;
    for (size_t i = 0; i < n; i++) {
        const SnAssertValue *it = list->kind == SN_ASSERT_VALUE_LIST ? items->items[i] : list;
        if (it->kind != SN_ASSERT_VALUE_STRING)
            continue;
        const char *want = it->str;
        if (e->c && SN_STREQ(want, "$SLOT_PUBLISHER_ID"))
            want = e->c->slot->publisher_id;
        else if (e->c && SN_STREQ(want, "$PLUG_PUBLISHER_ID"))
            want = e->c->plug->publisher_id;
        if (want && SN_STREQ(want, end->publisher_id))
            return true;
    }
    return false;
}

static bool match_names(const SnAssertValue *list, const SnIfaceEnd *end)
{
    if (!list || list->kind != SN_ASSERT_VALUE_LIST)
        return false;
    for (size_t i = 0; i < list->n; i++) {
        const SnAssertValue *it = list->items[i];
        if (it->kind != SN_ASSERT_VALUE_STRING)
            continue;
        if (SN_STREQ(it->str, end->name) || (SN_STREQ(it->str, "$INTERFACE") && SN_STREQ(end->name, end->interface)))
            return true;
    }
    return false;
}

/* One map of constraints: every key must hold. */
static bool match_constraints(Eval *e, const SnAssertValue *m)
{
    bool any_slots = false;
    for (size_t i = 0; i < m->n; i++) {
        const char *key = m->keys[i];
        const SnAssertValue *v = m->items[i];
        const SnIfaceEnd *end = NULL;
        const char *rest = key;
        if (sn_startswith(key, "plug-")) {
            end = e->c ? e->c->plug : (e->only_is_slot ? NULL : e->only);
            rest = key + 5;
        } else if (sn_startswith(key, "slot-") && !SN_STREQ(key, "slots-per-plug")) {
            end = e->c ? e->c->slot : (e->only_is_slot ? e->only : NULL);
            rest = key + 5;
        }
        bool ok;
        if (SN_STREQ(key, "on-classic"))
            ok = v->kind == SN_ASSERT_VALUE_STRING ? (SN_STREQ(v->str, "true") == e->on_classic)
                                                   : (v->kind == SN_ASSERT_VALUE_LIST && e->on_classic);
        else if (SN_STREQ(key, "on-core-desktop"))
            ok = v->kind == SN_ASSERT_VALUE_STRING && SN_STREQ(v->str, "false");
        else if (SN_STREQ(key, "slots-per-plug")) {
            any_slots = v->kind == SN_ASSERT_VALUE_STRING && SN_STREQ(v->str, "*");
            ok = true;
        } else if (SN_STREQ(key, "plugs-per-slot"))
            ok = true;
        else if (!end)
            ok = false; /* on-store, on-brand, on-model, unknown keys, or the other end at install time */
        else if (SN_STREQ(rest, "snap-type"))
            ok = list_contains(v, type_for_constraints(end->snap_type));
        else if (SN_STREQ(rest, "snap-id"))
            ok = list_contains(v, end->snap_id);
        else if (SN_STREQ(rest, "publisher-id"))
            ok = match_publisher(e, v, end);
        else if (SN_STREQ(rest, "attributes")) {
            json_t *none = end->attrs ? NULL : json_object();
            ok = v->kind == SN_ASSERT_VALUE_MAP && match_attr(e, v, end->attrs ? end->attrs : none);
            json_decref(none);
        } else if (SN_STREQ(rest, "names"))
            ok = match_names(v, end);
        else
            ok = false;
        if (!ok)
            return false;
    }
    e->any_slots = any_slots;
    return true;
}

/* A subrule's value: "true"/"false", a constraints map, or a list of alternatives. */
static bool eval_subrule(Eval *e, const SnAssertValue *v, bool dflt)
{
    if (!v)
        return dflt;
    switch (v->kind) {
    case SN_ASSERT_VALUE_STRING:
        return is_true(v);
    case SN_ASSERT_VALUE_MAP:
        return match_constraints(e, v);
    case SN_ASSERT_VALUE_LIST:
        for (size_t i = 0; i < v->n; i++)
            if (v->items[i]->kind == SN_ASSERT_VALUE_MAP && match_constraints(e, v->items[i]))
                return true;
        return false;
    }
    return false;
}

/* The rule for iface in a plugs/slots map: NULL when not mentioned. */
static const SnAssertValue *rule_for(const SnAssertValue *decl, const char *iface)
{
    return decl ? sn_assert_value_map_get(decl, iface) : NULL;
}

/* Applies one rule; kind is "connection", "auto-connection" or "installation". */
static int apply_rule(Eval *e, const SnAssertValue *rule, const char *kind, const char *side, const char *iface,
                      const char *name, const char *decl_snap, SnError **reterr)
{
    const SnAssertValue *deny = NULL, *allow = NULL;
    bool shortcut_false = rule->kind == SN_ASSERT_VALUE_STRING && !is_true(rule);
    if (rule->kind == SN_ASSERT_VALUE_MAP) {
        _sn_free_ char *dk = sn_strdup_printf("deny-%s", kind), *ak = sn_strdup_printf("allow-%s", kind);
        if (!dk || !ak)
            return -ENOMEM;
        deny = sn_assert_value_map_get(rule, dk);
        allow = sn_assert_value_map_get(rule, ak);
    }
    _sn_free_ char *context = decl_snap ? sn_strdup_printf(" for \"%s\" snap", decl_snap) : strdup("");
    _sn_free_ char *named = name ? sn_strdup_printf("\"%s\" ", name) : strdup("");
    if (!context || !named)
        return -ENOMEM;
    if (eval_subrule(e, deny, false))
        return sn_error_set(reterr, -EPERM, "%s denied by %s%s rule of interface \"%s\"%s", kind, named, side, iface,
                            context);
    if (shortcut_false || !eval_subrule(e, allow, true))
        return sn_error_set(reterr, -EPERM, "%s not allowed by %s%s rule of interface \"%s\"%s", kind, named, side,
                            iface, context);
    return 0;
}

static int check(const SnIfaceCandidate *c, const char *kind, bool *ret_any_slots, SnError **reterr)
{
    const char *iface = c->plug->interface;
    if (!SN_STREQ(iface, c->slot->interface))
        return sn_error_set(reterr, -EINVAL, "cannot connect mismatched plug interface \"%s\" to slot interface \"%s\"",
                            iface, c->slot->interface);
    Eval e = {.c = c, .on_classic = c->on_classic};
    const SnAssertValue *base = sn_iface_base_declaration();
    const SnAssertValue *rule;
    int r = 0;
    if ((rule = rule_for(c->plug_decl, iface)))
        r = apply_rule(&e, rule, kind, "plug", iface, NULL, c->plug->snap, reterr);
    else if ((rule = rule_for(c->slot_decl, iface)))
        r = apply_rule(&e, rule, kind, "slot", iface, NULL, c->slot->snap, reterr);
    else if ((rule = rule_for(sn_assert_value_map_get(base, "plugs"), iface)))
        r = apply_rule(&e, rule, kind, "plug", iface, NULL, NULL, reterr);
    else if ((rule = rule_for(sn_assert_value_map_get(base, "slots"), iface)))
        r = apply_rule(&e, rule, kind, "slot", iface, NULL, NULL, reterr);
    if (r >= 0 && ret_any_slots)
        *ret_any_slots = e.any_slots;
    return r;
}

int sn_iface_check_connection(const SnIfaceCandidate *c, SnError **reterr)
{
    return check(c, "connection", NULL, reterr);
}

int sn_iface_check_auto_connection(const SnIfaceCandidate *c, bool *ret_any_slots, SnError **reterr)
{
    return check(c, "auto-connection", ret_any_slots, reterr);
}

int sn_iface_check_installation(const SnIfaceEnd *end, bool is_slot, const SnAssertValue *decl, bool on_classic,
                                SnError **reterr)
{
    Eval e = {.only = end, .only_is_slot = is_slot, .on_classic = on_classic};
    const char *side = is_slot ? "slot" : "plug";
    const SnAssertValue *rule = rule_for(decl, end->interface);
    if (rule)
        return apply_rule(&e, rule, "installation", side, end->interface, end->name, end->snap, reterr);
    rule = rule_for(sn_assert_value_map_get(sn_iface_base_declaration(), is_slot ? "slots" : "plugs"), end->interface);
    return rule ? apply_rule(&e, rule, "installation", side, end->interface, end->name, NULL, reterr) : 0;
}
