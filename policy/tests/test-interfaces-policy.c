/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "assert-decode.h"
#include "interfaces-policy.h"

static SnIfaceEnd end(const char *snap, const char *name, const char *iface, const char *type, json_t *attrs)
{
    return (SnIfaceEnd){.snap = snap, .name = name, .interface = iface, .snap_type = type, .attrs = attrs};
}

/* 0 or the error's message in msg. */
static int conn(const char *iface, const char *slot_type, json_t *pa, json_t *sa, bool classic, bool autoconn,
                char *msg, size_t size)
{
    SnIfaceEnd p = end("app", "p", iface, "app", pa), s = end("sys", "s", iface, slot_type, sa);
    SnIfaceCandidate c = {.plug = &p, .slot = &s, .on_classic = classic};
    SnError *err = NULL;
    int r = autoconn ? sn_iface_check_auto_connection(&c, NULL, &err) : sn_iface_check_connection(&c, &err);
    snprintf(msg, size, "%s", err ? err->message : "");
    sn_error_free(err);
    return r;
}

Test(interfaces_policy, base_declaration_has_a_rule_per_interface)
{
    const SnAssertValue *b = sn_iface_base_declaration();
    cr_assert_str_eq(sn_assert_value_map_get_string(b, "type"), "base-declaration");
    const SnAssertValue *slots = sn_assert_value_map_get(b, "slots");
    cr_assert_not_null(slots);
    for (const SnInterface *const *i = sn_iface_all(); *i; i++)
        cr_assert_not_null(sn_assert_value_map_get(slots, sn_iface_name(*i)), "no slot rule for %s", sn_iface_name(*i));
    cr_assert_not_null(sn_assert_value_map_get(sn_assert_value_map_get(b, "plugs"), "shutdown"));
}

Test(interfaces_policy, network_auto_connects_and_observers_do_not)
{
    char m[256];
    cr_assert_eq(conn("network", "snapd", NULL, NULL, true, true, m, sizeof(m)), 0, "%s", m);
    cr_assert_eq(conn("network-bind", "os", NULL, NULL, false, true, m, sizeof(m)), 0, "%s", m);
    const char *manual[] = {"network-observe", "log-observe", "removable-media", "hardware-observe",
                            "camera",          "raw-usb",     "mount-observe",   "system-observe"};
    for (size_t i = 0; i < sizeof(manual) / sizeof(manual[0]); i++) {
        cr_assert_eq(conn(manual[i], "snapd", NULL, NULL, true, true, m, sizeof(m)), -EPERM, "%s", manual[i]);
        char want[128];
        snprintf(want, sizeof(want), "auto-connection denied by slot rule of interface \"%s\"", manual[i]);
        cr_assert_str_eq(m, want);
        cr_assert_eq(conn(manual[i], "snapd", NULL, NULL, true, false, m, sizeof(m)), 0, "manual %s: %s", manual[i], m);
    }
}

Test(interfaces_policy, home_auto_connects_on_classic_only_and_read_all_is_denied)
{
    char m[256];
    cr_assert_eq(conn("home", "snapd", NULL, NULL, true, true, m, sizeof(m)), 0, "%s", m);
    cr_assert_eq(conn("home", "snapd", NULL, NULL, false, true, m, sizeof(m)), -EPERM);
    cr_assert_str_eq(m, "auto-connection denied by slot rule of interface \"home\"");
    cr_assert_eq(conn("home", "snapd", NULL, NULL, false, false, m, sizeof(m)), 0, "manual on core: %s", m);
    json_t *all = json_pack("{s:s}", "read", "all");
    cr_assert_eq(conn("home", "snapd", all, NULL, true, false, m, sizeof(m)), -EPERM);
    cr_assert_str_eq(m, "connection denied by slot rule of interface \"home\"");
    json_decref(all);
}

Test(interfaces_policy, audio_playback_connects_on_classic_only)
{
    char m[256];
    cr_assert_eq(conn("audio-playback", "snapd", NULL, NULL, true, true, m, sizeof(m)), 0, "%s", m);
    cr_assert_eq(conn("audio-playback", "snapd", NULL, NULL, false, false, m, sizeof(m)), -EPERM);
    cr_assert_str_eq(m, "connection denied by slot rule of interface \"audio-playback\"");
}

Test(interfaces_policy, content_needs_the_same_label_and_publisher_to_auto_connect)
{
    char m[256];
    json_t *pa = json_pack("{s:s}", "content", "fonts"), *sa = json_pack("{s:s}", "content", "fonts");
    json_t *other = json_pack("{s:s}", "content", "themes");
    SnIfaceEnd p = end("consumer", "fonts", "content", "app", pa), s = end("provider", "fonts", "content", "app", sa);
    SnIfaceCandidate c = {.plug = &p, .slot = &s, .on_classic = true};
    SnError *err = NULL;
    cr_assert_eq(sn_iface_check_connection(&c, NULL), 0);
    /* Unasserted snaps have no publisher: no auto-connection. */
    cr_assert_eq(sn_iface_check_auto_connection(&c, NULL, &err), -EPERM);
    cr_assert_str_eq(err->message, "auto-connection not allowed by slot rule of interface \"content\"");
    err = sn_error_free(err);
    p.publisher_id = s.publisher_id = "pub1";
    cr_assert_eq(sn_iface_check_auto_connection(&c, NULL, NULL), 0);
    s.publisher_id = "pub2";
    cr_assert_eq(sn_iface_check_auto_connection(&c, NULL, NULL), -EPERM);
    /* A different label does not even connect manually. */
    s.publisher_id = "pub1";
    p.attrs = other;
    cr_assert_eq(conn("content", "app", other, sa, true, false, m, sizeof(m)), -EPERM);
    cr_assert_str_eq(m, "connection not allowed by slot rule of interface \"content\"");
    json_decref(pa);
    json_decref(sa);
    json_decref(other);
}

static SnAssertValue *headers(const char *text)
{
    SnAssertValue *v = NULL;
    SnError *err = NULL;
    cr_assert_eq(sn_assert_parse_headers(text, strlen(text), &v, &err), 0, "%s", err ? err->message : "");
    return v;
}

Test(interfaces_policy, a_snap_declaration_rule_takes_precedence)
{
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *decl =
        headers("plugs:\n  serial-port:\n    allow-auto-connection:\n      slot-snap-type:\n        - gadget\n"
                "      slots-per-plug: *");
    const SnAssertValue *plugs = sn_assert_value_map_get(decl, "plugs");
    json_t *sa = json_pack("{s:s}", "path", "/dev/ttyS0");
    SnIfaceEnd p = end("app", "ser", "serial-port", "app", NULL), s = end("gadget", "s0", "serial-port", "gadget", sa);
    SnIfaceCandidate c = {.plug = &p, .slot = &s, .on_classic = false};
    SnError *err = NULL;
    cr_assert_eq(sn_iface_check_auto_connection(&c, NULL, &err), -EPERM, "the base declaration denies it");
    err = sn_error_free(err);
    c.plug_decl = plugs;
    bool any = false;
    cr_assert_eq(sn_iface_check_auto_connection(&c, &any, &err), 0, "%s", err ? err->message : "");
    cr_assert(any, "slots-per-plug: * is reported");
    s.snap_type = "app";
    cr_assert_eq(sn_iface_check_auto_connection(&c, NULL, &err), -EPERM);
    cr_assert_str_eq(err->message,
                     "auto-connection not allowed by plug rule of interface \"serial-port\" for \"app\" snap");
    sn_error_free(err);
    json_decref(sa);
}

Test(interfaces_policy, attribute_constraints_match_regexps_and_the_other_side)
{
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *decl =
        headers("slots:\n  i2c:\n    allow-connection:\n      -\n        plug-attributes:\n          bus: i2c-[0-9]+\n"
                "      -\n        plug-attributes:\n          bus: $SLOT(path)\n    deny-connection:\n"
                "      plug-attributes:\n        evil: $MISSING\n        other: yes");
    json_t *pa = json_pack("{s:s, s:s}", "bus", "i2c-7", "other", "yes");
    json_t *sa = json_pack("{s:s}", "path", "/dev/i2c-1");
    SnIfaceEnd p = end("app", "p", "i2c", "app", pa), s = end("gadget", "s", "i2c", "gadget", sa);
    SnIfaceCandidate c = {.plug = &p, .slot = &s, .slot_decl = sn_assert_value_map_get(decl, "slots")};
    SnError *err = NULL;
    cr_assert_eq(sn_iface_check_connection(&c, &err), -EPERM, "deny: evil missing and other=yes");
    cr_assert_str_eq(err->message, "connection denied by slot rule of interface \"i2c\" for \"gadget\" snap");
    err = sn_error_free(err);
    json_object_set_new(pa, "evil", json_true());
    cr_assert_eq(sn_iface_check_connection(&c, NULL), 0);
    json_object_set_new(pa, "bus", json_string("i2c-7x"));
    cr_assert_eq(sn_iface_check_connection(&c, NULL), -EPERM, "anchored regexp");
    json_object_set_new(pa, "bus", json_string("/dev/i2c-1"));
    cr_assert_eq(sn_iface_check_connection(&c, NULL), 0, "$SLOT(path) equality");
    json_decref(pa);
    json_decref(sa);
}

Test(interfaces_policy, installation_rules)
{
    SnError *err = NULL;
    SnIfaceEnd slot = end("app", "ser", "serial-port", "app", NULL);
    cr_assert_eq(sn_iface_check_installation(&slot, true, NULL, true, &err), -EPERM);
    cr_assert_str_eq(err->message, "installation not allowed by \"ser\" slot rule of interface \"serial-port\"");
    err = sn_error_free(err);
    slot.snap_type = "gadget";
    cr_assert_eq(sn_iface_check_installation(&slot, true, NULL, true, NULL), 0);
    SnIfaceEnd net = end("app", "network", "network", "app", NULL);
    cr_assert_eq(sn_iface_check_installation(&net, true, NULL, true, NULL), -EPERM, "apps cannot slot network");
    cr_assert_eq(sn_iface_check_installation(&net, false, NULL, true, NULL), 0, "plugs are fine");
    SnIfaceEnd sd = end("app", "shutdown", "shutdown", "app", NULL);
    cr_assert_eq(sn_iface_check_installation(&sd, false, NULL, true, &err), -EPERM);
    cr_assert_str_eq(err->message, "installation not allowed by \"shutdown\" plug rule of interface \"shutdown\"");
    sn_error_free(err);
    /* The snap-declaration may allow it. */
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *decl =
        headers("plugs:\n  shutdown:\n    allow-installation: true");
    cr_assert_eq(sn_iface_check_installation(&sd, false, sn_assert_value_map_get(decl, "plugs"), true, NULL), 0);
}
