/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "interfaces.h"
#include "policy-blob.h"
#include "snap-yaml.h"
#include "strutil.h"
#include "yaml-tree.h"

static const char *const expected[] = {
    "audio-playback", "camera",        "content", "gpio",           "hardware-observe", "home",    "i2c",
    "log-observe",    "mount-observe", "network", "network-bind",   "network-observe",  "raw-usb", "removable-media",
    "serial-port",    "shutdown",      "spi",     "system-observe",
};

Test(interfaces, registry_has_every_interface_sorted)
{
    const SnInterface *const *all = sn_iface_all();
    size_t n = 0;
    for (; all[n]; n++) {
        if (n > 0)
            cr_assert_lt(strcmp(sn_iface_name(all[n - 1]), sn_iface_name(all[n])), 0, "not sorted at %zu", n);
        cr_assert_not_null(sn_iface_summary(all[n]));
    }
    cr_assert_eq(n, sizeof(expected) / sizeof(expected[0]));
    for (size_t i = 0; i < n; i++)
        cr_assert_not_null(sn_iface_lookup(expected[i]), "%s missing", expected[i]);
    cr_assert_null(sn_iface_lookup("no-such-interface"));
    cr_assert_null(sn_iface_lookup(NULL));
}

Test(interfaces, summaries_and_doc_urls_are_snapds)
{
    cr_assert_str_eq(sn_iface_summary(sn_iface_lookup("network")), "allows access to the network");
    cr_assert_str_eq(sn_iface_summary(sn_iface_lookup("serial-port")), "allows accessing a specific serial port");
    cr_assert_str_eq(sn_iface_summary(sn_iface_lookup("content")), "allows sharing code and data with other snaps");
    cr_assert_str_eq(sn_iface_doc_url(sn_iface_lookup("home")), "https://snapcraft.io/docs/home-interface");
}

Test(interfaces, implicit_slots_follow_classic_and_core)
{
    cr_assert(sn_iface_implicit(sn_iface_lookup("network"), true));
    cr_assert(sn_iface_implicit(sn_iface_lookup("network"), false));
    cr_assert(sn_iface_implicit(sn_iface_lookup("audio-playback"), true));
    cr_assert_not(sn_iface_implicit(sn_iface_lookup("audio-playback"), false));
    cr_assert_not(sn_iface_implicit(sn_iface_lookup("serial-port"), true));
    cr_assert_not(sn_iface_implicit(sn_iface_lookup("content"), true));
    cr_assert_not(sn_iface_implicit(sn_iface_lookup("gpio"), false));
}

static SnIfaceEnd end(const char *snap, const char *name, const char *iface, const char *type, json_t *attrs)
{
    return (SnIfaceEnd){
        .snap = snap, .name = name, .interface = iface, .snap_type = type, .revision = "x1", .attrs = attrs};
}

Test(interfaces, network_releases_tcp_connect_in_the_blob)
{
    SnIfaceEnd plug = end("app", "network", "network", "app", NULL);
    SnIfaceEnd slot = end("snapd", "network", "network", "snapd", NULL);
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g = NULL;
    cr_assert_eq(sn_iface_grants_new(&g), 0);
    SnError *err = NULL;
    cr_assert_eq(sn_iface_grants_add(g, NULL, &plug, &slot, false, &err), 0);
    size_t n = 0;
    const SnPolicyGrant *grants = sn_iface_grants_get(g, &n);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(grants[0].interface, "network");
    cr_assert_eq(grants[0].landlock_net, SN_LANDLOCK_NET_CONNECT_TCP);
    cr_assert_not_null(strstr(grants[0].seccomp, "bind"));

    /* Without the grant a strict blob handles (denies) TCP bind and connect; with it, only bind. */
    SnPolicyInput in = {.snap_name = "app", .app = "a", .command = "bin/a"};
    for (int with = 0; with < 2; with++) {
        in.grants = with ? grants : NULL;
        in.n_grants = with ? n : 0;
        _sn_free_ void *data = NULL;
        size_t len = 0;
        cr_assert_eq(sn_policy_build_blob(&in, &data, &len, &err), 0, "%s", err ? err->message : "");
        _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
        cr_assert_eq(sn_policy_blob_parse(data, len, &blob, &err), 0);
        cr_assert_eq(blob->header->landlock_net_handled, with ? SN_LANDLOCK_NET_BIND_TCP : SN_LANDLOCK_NET_ALL);
    }
}

Test(interfaces, home_grants_the_home_directory_and_builds)
{
    SnIfaceEnd plug = end("app", "home", "home", "app", NULL);
    SnIfaceEnd slot = end("snapd", "home", "home", "snapd", NULL);
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g = NULL;
    cr_assert_eq(sn_iface_grants_new(&g), 0);
    cr_assert_eq(sn_iface_grants_add(g, NULL, &plug, &slot, false, NULL), 0);
    size_t n = 0;
    const SnPolicyGrant *grants = sn_iface_grants_get(g, &n);
    cr_assert_eq(grants[0].n_landlock, 1);
    cr_assert_str_eq(grants[0].landlock[0].path, ".");
    cr_assert_eq(grants[0].landlock[0].anchor, SN_POLICY_ANCHOR_HOME);
    SnPolicyInput in = {.snap_name = "app", .app = "a", .command = "bin/a", .grants = grants, .n_grants = n};
    _sn_free_ void *data = NULL;
    size_t len = 0;
    SnError *err = NULL;
    cr_assert_eq(sn_policy_build_blob(&in, &data, &len, &err), 0, "%s", err ? err->message : "");
    _sn_free_ char *aa = NULL;
    cr_assert_eq(sn_policy_apparmor_profile(&in, &aa, &err), 0, "%s", err ? err->message : "");
    cr_assert_not_null(strstr(aa, "owner @{HOME}/[^s.]** rwkl,"));
}

Test(interfaces, grants_keep_the_plugs_app_binding)
{
    char *apps[] = {"one", NULL};
    char *hooks[] = {NULL};
    SnIfaceEnd plug = end("app", "net", "network", "app", NULL);
    plug.apps = apps;
    plug.hooks = hooks;
    SnIfaceEnd slot = end("snapd", "network", "network", "snapd", NULL);
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g = NULL;
    cr_assert_eq(sn_iface_grants_new(&g), 0);
    cr_assert_eq(sn_iface_grants_add(g, NULL, &plug, &slot, false, NULL), 0);
    size_t n = 0;
    const SnPolicyGrant *grants = sn_iface_grants_get(g, &n);
    cr_assert(sn_policy_grant_applies(&grants[0], "one", NULL));
    cr_assert_not(sn_policy_grant_applies(&grants[0], "two", NULL));
    cr_assert_not(sn_policy_grant_applies(&grants[0], NULL, "install"));
}

Test(interfaces, mismatched_or_unknown_interfaces_are_refused)
{
    SnIfaceEnd plug = end("app", "x", "network", "app", NULL);
    SnIfaceEnd slot = end("snapd", "home", "home", "snapd", NULL);
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g = NULL;
    cr_assert_eq(sn_iface_grants_new(&g), 0);
    SnError *err = NULL;
    cr_assert_eq(sn_iface_grants_add(g, NULL, &plug, &slot, false, &err), -EINVAL);
    cr_assert_not_null(strstr(err->message, "mismatched"));
    err = sn_error_free(err);
    plug.interface = slot.interface = "nope";
    cr_assert_eq(sn_iface_grants_add(g, NULL, &plug, &slot, false, &err), -EINVAL);
    cr_assert_str_eq(err->message, "interface \"nope\" is not known");
    sn_error_free(err);
}

/* A fake /dev with one device node (needs root for mknod). */
static char *fake_dev(const char *node, unsigned maj, unsigned min)
{
    char tmpl[] = "/tmp/sn-iface-dev-XXXXXX";
    cr_assert_not_null(mkdtemp(tmpl));
    char *root = strdup(tmpl);
    _sn_free_ char *dir = sn_strdup_printf("%s/dev", root);
    _sn_free_ char *path = sn_strdup_printf("%s%s", root, node);
    mkdir(dir, 0755);
    _sn_free_ char *parent = strdup(path);
    *strrchr(parent, '/') = '\0';
    mkdir(parent, 0755);
    if (mknod(path, S_IFCHR | 0600, makedev(maj, min)) < 0) {
        free(root);
        cr_skip_test("mknod needs root");
    }
    return root;
}

static void rm_fake(const char *root)
{
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

Test(interfaces, serial_port_grants_the_slots_device_node)
{
    _sn_free_ char *root = fake_dev("/dev/ttyS9", 4, 73);
    SnIfaceContext ctx = {.dev_root = root};
    json_t *attrs = json_pack("{s:s}", "path", "/dev/ttyS9");
    SnIfaceEnd plug = end("app", "serial", "serial-port", "app", NULL);
    SnIfaceEnd slot = end("gadget", "ser", "serial-port", "gadget", attrs);
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g = NULL;
    cr_assert_eq(sn_iface_grants_new(&g), 0);
    SnError *err = NULL;
    cr_assert_eq(sn_iface_grants_add(g, &ctx, &plug, &slot, false, &err), 0, "%s", err ? err->message : "");
    size_t n = 0;
    const SnPolicyGrant *grants = sn_iface_grants_get(g, &n);
    cr_assert_eq(grants[0].n_devices, 1);
    cr_assert_eq(grants[0].devices[0].type, 'c');
    cr_assert_eq(grants[0].devices[0].major, 4);
    cr_assert_eq(grants[0].devices[0].minor, 73);
    cr_assert_not_null(strstr(grants[0].apparmor, "/dev/ttyS9 rwk,"));
    /* A node that does not exist grants nothing. */
    json_object_set_new(attrs, "path", json_string("/dev/ttyS8"));
    cr_assert_eq(sn_iface_grants_add(g, &ctx, &plug, &slot, false, &err), 0);
    grants = sn_iface_grants_get(g, &n);
    cr_assert_eq(grants[1].n_devices, 0);
    /* The slot side of serial-port grants nothing. */
    cr_assert_eq(sn_iface_grants_add(g, &ctx, &plug, &slot, true, &err), 0);
    grants = sn_iface_grants_get(g, &n);
    cr_assert_eq(n, 3);
    cr_assert_eq(grants[2].n_devices, 0);
    cr_assert_null(grants[2].apparmor);
    json_decref(attrs);
    rm_fake(root);
}

Test(interfaces, camera_matches_the_nodes_that_exist)
{
    _sn_free_ char *root = fake_dev("/dev/video3", 81, 3);
    SnIfaceContext ctx = {.dev_root = root};
    SnIfaceEnd plug = end("app", "camera", "camera", "app", NULL);
    SnIfaceEnd slot = end("snapd", "camera", "camera", "snapd", NULL);
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g = NULL;
    cr_assert_eq(sn_iface_grants_new(&g), 0);
    cr_assert_eq(sn_iface_grants_add(g, &ctx, &plug, &slot, false, NULL), 0);
    size_t n = 0;
    const SnPolicyGrant *grants = sn_iface_grants_get(g, &n);
    cr_assert_eq(grants[0].n_devices, 1);
    cr_assert_eq(grants[0].devices[0].major, 81);
    rm_fake(root);
}

Test(interfaces, gpio_grants_the_pins_sysfs_directory)
{
    json_t *attrs = json_pack("{s:i}", "number", 17);
    SnIfaceEnd plug = end("app", "pin", "gpio", "app", NULL);
    SnIfaceEnd slot = end("gadget", "pin17", "gpio", "gadget", attrs);
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g = NULL;
    cr_assert_eq(sn_iface_grants_new(&g), 0);
    cr_assert_eq(sn_iface_grants_add(g, NULL, &plug, &slot, false, NULL), 0);
    size_t n = 0;
    const SnPolicyGrant *grants = sn_iface_grants_get(g, &n);
    cr_assert_eq(grants[0].n_landlock, 1);
    cr_assert_str_eq(grants[0].landlock[0].path, "/sys/class/gpio/gpio17");
    cr_assert(grants[0].landlock[0].access & SN_LANDLOCK_WRITE_FILE);
    json_object_set_new(attrs, "number", json_string("x"));
    SnError *err = NULL;
    cr_assert_eq(sn_iface_grants_add(g, NULL, &plug, &slot, false, &err), -EINVAL);
    sn_error_free(err);
    json_decref(attrs);
}

Test(interfaces, content_mounts_read_only_and_writable_paths)
{
    json_t *pa = json_pack("{s:s, s:s}", "content", "shared", "target", "$SNAP_DATA/import");
    json_t *sa =
        json_pack("{s:s, s:[s], s:[s]}", "content", "shared", "read", "$SNAP/export", "write", "$SNAP_COMMON/drop");
    SnIfaceEnd plug = end("consumer", "shared", "content", "app", pa);
    SnIfaceEnd slot = end("provider", "shared", "content", "app", sa);
    slot.revision = "7";
    SnIfaceMount *m = NULL;
    size_t n = 0;
    cr_assert_eq(sn_iface_mounts(&plug, &slot, &m, &n, NULL), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(m[0].source, "/snap/provider/7/export");
    cr_assert_str_eq(m[0].target, "/var/snap/consumer/x1/import");
    cr_assert(m[0].read_only);
    cr_assert_str_eq(m[1].source, "/var/snap/provider/common/drop");
    cr_assert_not(m[1].read_only);
    sn_iface_mounts_free(m, n);

    /* A path without a variable is under $SNAP; a "source" section appends the source's name. */
    json_decref(sa);
    sa = json_pack("{s:{s:[s]}}", "source", "read", "lib/x");
    slot.attrs = sa;
    json_object_set_new(pa, "target", json_string("ext"));
    cr_assert_eq(sn_iface_mounts(&plug, &slot, &m, &n, NULL), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(m[0].source, "/snap/provider/7/lib/x");
    cr_assert_str_eq(m[0].target, "/snap/consumer/x1/ext/x");
    sn_iface_mounts_free(m, n);

    /* The plug side gets Landlock access to both ends; other interfaces mount nothing. */
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g = NULL;
    cr_assert_eq(sn_iface_grants_new(&g), 0);
    cr_assert_eq(sn_iface_grants_add(g, NULL, &plug, &slot, false, NULL), 0);
    size_t ng = 0;
    const SnPolicyGrant *grants = sn_iface_grants_get(g, &ng);
    cr_assert_eq(grants[0].n_landlock, 2);
    cr_assert_eq(grants[0].landlock[0].access & SN_LANDLOCK_WRITE_FILE, 0);
    SnIfaceEnd np = end("a", "network", "network", "app", NULL), ns = end("snapd", "network", "network", "snapd", NULL);
    cr_assert_eq(sn_iface_mounts(&np, &ns, &m, &n, NULL), 0);
    cr_assert_eq(n, 0);
    json_decref(pa);
    json_decref(sa);
}

Test(interfaces, attributes_from_yaml_resolve_scalars)
{
    const char *y = "number: 18\nflag: true\nname: \"12\"\npaths: [a, b]\nmap: {k: v}\nhex: 0x10\n";
    SnYamlNode root = {0};
    cr_assert_eq(sn_yaml_tree_load(y, strlen(y), &root, NULL), 0);
    json_t *j = sn_iface_attrs_from_yaml(&root);
    sn_yaml_node_done(&root);
    cr_assert_eq(json_integer_value(json_object_get(j, "number")), 18);
    cr_assert(json_is_true(json_object_get(j, "flag")));
    cr_assert_str_eq(json_string_value(json_object_get(j, "name")), "12");
    cr_assert_eq(json_array_size(json_object_get(j, "paths")), 2);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "map"), "k")), "v");
    cr_assert_eq(json_integer_value(json_object_get(j, "hex")), 16);
    json_decref(j);
    json_t *empty = sn_iface_attrs_from_yaml(NULL);
    cr_assert(json_is_object(empty));
    json_decref(empty);
}

/* Of these interfaces only audio-playback has snapd's permanent snippets that grant (its slot). */
Test(interfaces, only_the_audio_playback_slot_has_a_permanent_grant)
{
    for (const SnInterface *const *i = sn_iface_all(); *i; i++) {
        bool audio = SN_STREQ(sn_iface_name(*i), "audio-playback");
        cr_assert_eq(sn_iface_has_permanent(*i, true), audio, "%s", sn_iface_name(*i));
        cr_assert_not(sn_iface_has_permanent(*i, false), "%s", sn_iface_name(*i));
    }
}

Test(interfaces, audio_playback_slot_gets_snapds_tagged_sound_nodes_whatever_is_connected)
{
    /* pcmC0D0p is tagged by snapd's udev rule, hwC0D0 (also major 116) is not */
    _sn_free_ char *root = fake_dev("/dev/snd/pcmC0D0p", 116, 16);
    _sn_free_ char *hw = sn_strdup_printf("%s/dev/snd/hwC0D0", root);
    cr_assert_eq(mknod(hw, S_IFCHR | 0600, makedev(116, 4)), 0);
    SnIfaceContext ctx = {.dev_root = root};
    char *apps[] = {"server", NULL};
    char *hooks[] = {NULL};
    SnIfaceEnd slot = end("audsrv", "sound", "audio-playback", "app", NULL);
    slot.apps = apps;
    slot.hooks = hooks;
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g = NULL;
    cr_assert_eq(sn_iface_grants_new(&g), 0);
    SnError *err = NULL;
    cr_assert_eq(sn_iface_grants_add_permanent(g, &ctx, &slot, true, &err), 0, "%s", err ? err->message : "");
    size_t n = 0;
    const SnPolicyGrant *grants = sn_iface_grants_get(g, &n);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(grants[0].interface, "audio-playback");
    cr_assert_eq(grants[0].n_devices, 1);
    cr_assert_eq(grants[0].devices[0].major, 116);
    cr_assert_eq(grants[0].devices[0].minor, 16);
    cr_assert_not_null(strstr(grants[0].seccomp, "personality\n"));
    cr_assert_not_null(strstr(grants[0].seccomp, "socket AF_NETLINK - NETLINK_KOBJECT_UEVENT\n"));
    cr_assert_not_null(strstr(grants[0].apparmor, "capability sys_nice,"));
    cr_assert(sn_policy_grant_applies(&grants[0], "server", NULL));
    cr_assert_not(sn_policy_grant_applies(&grants[0], "other", NULL));
    /* the plug side has no permanent grant, and a connection adds nothing more to the slot's snap */
    SnIfaceEnd plug = end("aud", "audio-playback", "audio-playback", "app", NULL);
    cr_assert_eq(sn_iface_grants_add_permanent(g, &ctx, &plug, false, NULL), 0);
    grants = sn_iface_grants_get(g, &n);
    cr_assert_eq(n, 1);
    cr_assert_eq(sn_iface_grants_add(g, &ctx, &plug, &slot, true, NULL), 0);
    grants = sn_iface_grants_get(g, &n);
    cr_assert_eq(n, 2);
    cr_assert_eq(grants[1].n_devices, 0);
    cr_assert_null(grants[1].seccomp);
    cr_assert_null(grants[1].apparmor);
    /* an unknown interface is an error */
    slot.interface = "nope";
    cr_assert_eq(sn_iface_grants_add_permanent(g, &ctx, &slot, true, &err), -EINVAL);
    cr_assert_str_eq(err->message, "interface \"nope\" is not known");
    sn_error_free(err);
    rm_fake(root);
}

static SnSnapInfo *parse_yaml(const char *text)
{
    SnSnapInfo *info = NULL;
    SnError *err = NULL;
    cr_assert_eq(sn_snap_yaml_parse(text, strlen(text), &info, &err), 0, "%s", err ? err->message : "");
    return info;
}

Test(interfaces, a_snaps_permanent_grants_follow_its_slots_bindings)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse_yaml("name: audsrv\nversion: 1\nslots:\n  sound:\n    interface: audio-playback\n"
                   "  other:\n    interface: no-such-interface\nplugs:\n  audio-playback:\n"
                   "apps:\n  server:\n    command: bin/s\n    slots: [sound]\n  tool:\n    command: bin/t\n"
                   "hooks:\n  install:\n");
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g = NULL;
    cr_assert_eq(sn_iface_grants_new(&g), 0);
    cr_assert_eq(sn_iface_grants_add_snap_permanent(g, NULL, info, "audsrv_x", "3", NULL), 0);
    size_t n = 0;
    const SnPolicyGrant *grants = sn_iface_grants_get(g, &n);
    cr_assert_eq(n, 1, "one grant: the slot's (the plug and the unknown interface have none)");
    cr_assert(sn_policy_grant_applies(&grants[0], "server", NULL));
    cr_assert_not(sn_policy_grant_applies(&grants[0], "tool", NULL));
    cr_assert_not(sn_policy_grant_applies(&grants[0], NULL, "install"));

    /* a slot declared at top level only is bound to every app and hook */
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *all =
        parse_yaml("name: audsrv\nversion: 1\nslots:\n  sound:\n    interface: audio-playback\n"
                   "apps:\n  server:\n    command: bin/s\n  tool:\n    command: bin/t\nhooks:\n  install:\n");
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g2 = NULL;
    cr_assert_eq(sn_iface_grants_new(&g2), 0);
    cr_assert_eq(sn_iface_grants_add_snap_permanent(g2, NULL, all, NULL, "3", NULL), 0);
    grants = sn_iface_grants_get(g2, &n);
    cr_assert_eq(n, 1);
    cr_assert(sn_policy_grant_applies(&grants[0], "server", NULL));
    cr_assert(sn_policy_grant_applies(&grants[0], "tool", NULL));
    cr_assert(sn_policy_grant_applies(&grants[0], NULL, "install"));
}
