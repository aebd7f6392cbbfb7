/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fd-util.h"
#include "snap-yaml.h"
#include "strutil.h"

static SnSnapInfo *parse_ok(const char *yaml)
{
    SnSnapInfo *info = NULL;
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    int r = sn_snap_yaml_parse(yaml, strlen(yaml), &info, &e);
    cr_assert_eq(r, 0, "rejected: %s\n%s", sn_error_message(e, r), yaml);
    cr_assert_not_null(info);
    return info;
}

/* Returns the message of the rejection (caller frees), and the line through *ret_line. */
static char *parse_fail(const char *yaml, int *ret_line)
{
    SnSnapInfo *info = NULL;
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    int r = sn_snap_yaml_parse(yaml, strlen(yaml), &info, &e);
    cr_assert_lt(r, 0, "accepted:\n%s", yaml);
    cr_assert_null(info);
    cr_assert_not_null(e);
    if (ret_line)
        *ret_line = e->line;
    return strdup(e->message);
}

#define assert_rejected(yaml, substring)                                                                               \
    do {                                                                                                               \
        _sn_free_ char *_m = parse_fail((yaml), NULL);                                                                 \
        cr_assert(strstr(_m, (substring)), "message \"%s\" lacks \"%s\"", _m, (substring));                            \
    } while (0)

static const char *conformance_dir(void)
{
    const char *d = getenv("SN_CONFORMANCE_DIR");
    cr_assert_not_null(d, "SN_CONFORMANCE_DIR is not set");
    return d;
}

static char *read_corpus_file(const char *sub, const char *name, size_t *ret_len)
{
    _sn_free_ char *path = sn_strdup_printf("%s/snap-yaml/%s/%s", conformance_dir(), sub, name);
    char *data = NULL;
    int r = sn_read_file_at(AT_FDCWD, path, SN_SNAP_YAML_MAX_SIZE, &data, ret_len);
    cr_assert_eq(r, 0, "cannot read %s", path);
    return data;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the *.yaml files of a corpus folder (NULL-terminated). */
static char **list_yaml(const char *sub)
{
    _sn_free_ char *path = sn_strdup_printf("%s/snap-yaml/%s", conformance_dir(), sub);
    DIR *d = opendir(path);
    cr_assert_not_null(d, "cannot open %s", path);
    char **names = NULL;
    struct dirent *de;
    while ((de = readdir(d)))
        if (sn_endswith(de->d_name, ".yaml"))
            cr_assert_eq(sn_strv_push(&names, de->d_name), 0);
    closedir(d);
    qsort(names, sn_strv_length(names), sizeof(char *), cmp_names);
    return names;
}

Test(snap_yaml, accepts_every_valid_conformance_file)
{
    _sn_strv_free_ char **names = list_yaml("valid");
    SnBuf failures = {0};
    size_t n = 0;
    for (char **f = names; f && *f; f++, n++) {
        size_t len;
        _sn_free_ char *data = read_corpus_file("valid", *f, &len);
        SnSnapInfo *info = NULL;
        _sn_cleanup_(sn_error_freep) SnError *e = NULL;
        int r = sn_snap_yaml_parse(data, len, &info, &e);
        if (r < 0)
            sn_buf_printf(&failures, "%s: %s\n", *f, sn_error_message(e, r));
        else if (!info->name || !info->version)
            sn_buf_printf(&failures, "%s: accepted without name or version\n", *f);
        sn_snap_info_free(info);
    }
    cr_assert_eq(n, 68, "expected the 68 valid files, found %zu", n);
    cr_assert_eq(failures.len, 0, "rejected valid files:\n%s", failures.data);
    sn_buf_done(&failures);
}

/* file -> a substring of REASONS.md's wording that our message must contain, and the line (0: none). */
static const struct {
    const char *file;
    const char *reason;
    int line;
} invalid_cases[] = {
    {"01-name-double-dash.yaml", "invalid snap name: \"a--b\"", 1},
    {"02-name-leading-dash.yaml", "invalid snap name: \"-ab\"", 1},
    {"03-name-trailing-dash.yaml", "invalid snap name: \"ab-\"", 1},
    {"04-name-uppercase.yaml", "invalid snap name: \"Hello-World\"", 1},
    {"05-name-too-long-41.yaml", "invalid snap name: \"xxxxxxxxxxxxxxxxxxxx-xxxxxxxxxxxxxxxxxxxx\"", 1},
    {"06-name-digits-only.yaml", "invalid snap name: \"123\"", 1},
    {"07-name-with-dot.yaml", "invalid snap name: \"foo.something\"", 1},
    {"08-name-missing.yaml", "snap name cannot be empty", 0},
    {"09-name-with-instance-key.yaml", "invalid snap name: \"foo_bad\"", 1},
    {"10-version-missing.yaml", "invalid snap version: cannot be empty", 0},
    {"11-version-leading-dot.yaml", "invalid snap version \".1\": must start with an ASCII alphanumeric", 2},
    {"12-version-leading-dash.yaml", "invalid snap version \"-1.0\": must start with an ASCII alphanumeric", 2},
    {"13-version-too-long.yaml",
     "invalid snap version \"this-version-is-a-little-bit-older\": cannot be longer than 32 characters (got: 34)", 2},
    {"14-version-with-space.yaml", "invalid snap version \"1.0 beta\": must be printable, non-whitespace ASCII", 2},
    {"15-version-non-ascii.yaml", "invalid snap version \"1.0\\u03b2\": must be printable, non-whitespace ASCII", 2},
    {"16-version-invalid-middle-char.yaml", "invalid snap version \"1_0\": contains invalid characters: \"_\"", 2},
    {"17-app-name-underscore.yaml", "invalid definition of application \"my_app\": cannot have \"my_app\" as app name",
     4},
    {"18-app-name-bang.yaml", "cannot have \"tes!me\" as app name", 4},
    {"19-daemon-unknown-type.yaml", "\"daemon\" field contains invalid value \"sometimes\"", 4},
    {"20-daemon-scope-without-daemon.yaml", "\"daemon-scope\" can only be set for daemons", 4},
    {"21-daemon-scope-invalid.yaml", "invalid daemon scope: \"global\"", 7},
    {"22-restart-condition-invalid.yaml", "invalid restart condition", 7},
    {"23-restart-condition-not-service.yaml", "restart-condition is only applicable to services", 4},
    {"24-stop-timeout-negative.yaml", "stop-timeout cannot be negative", 4},
    {"25-timer-invalid-format.yaml", "timer has invalid format: cannot parse \"mon2-wed3\": invalid schedule fragment",
     4},
    {"26-refresh-mode-ignore-running-on-service.yaml",
     "\"refresh-mode\" cannot be set to \"ignore-running\" for services", 4},
    {"27-install-mode-invalid.yaml", "\"install-mode\" field contains invalid value \"maybe\"", 4},
    {"28-command-illegal-char.yaml", "app description field 'command' contains illegal \"bin/app;rm\"", 4},
    {"29-command-chain-with-space.yaml", "app description field 'command-chain' contains illegal \"bin/wrap er\"", 4},
    {"30-services-after-cycle.yaml", "applications are part of a before/after cycle: foo, bar", 4},
    {"31-alias-invalid.yaml", "cannot have \"foo$\" as alias name for app \"foo\"", 4},
    {"32-sockets-without-network-bind.yaml", "\"network-bind\" interface plug is required when sockets are used", 4},
    {"33-socket-path-bad-prefix.yaml",
     "invalid \"listen-stream\": system daemon sockets must have a prefix of $SNAP_DATA, $SNAP_COMMON or "
     "$XDG_RUNTIME_DIR",
     9},
    {"34-success-exit-status-out-of-range.yaml", "exit code must be an integer in range 1 to 255", 4},
    {"35-hook-name-double-dash.yaml", "invalid hook name: \"connect-plug-foo--bar\"", 4},
    {"36-hook-default-configure-without-configure.yaml",
     "cannot specify \"default-configure\" hook without \"configure\" hook", 4},
    {"37-hook-configure-on-base.yaml", "cannot specify \"configure\" hook for \"base\" snap \"test-base\"", 5},
    {"38-plug-slot-same-name.yaml", "cannot have plug and slot with the same name: \"foo\"", 6},
    {"39-plug-name-double-dash.yaml", "invalid plug name: \"p--lug\"", 4},
    {"40-slot-interface-name-invalid.yaml", "invalid interface name \"i--face\" for slot \"slot\"", 4},
    {"41-plug-reserved-attribute.yaml", "plug \"data\" uses reserved attribute \"$target\"", 6},
    {"42-epoch-zero-star.yaml", "0* is an invalid epoch", 3},
    {"43-epoch-zero-padded.yaml", "epoch numbers must be base 10 with no zero padding, but got \"001\"", 3},
    {"44-epoch-no-intersection.yaml", "epoch read and write lists must have a non-empty intersection", 3},
    {"45-layouts-plural-typo.yaml", "typo detected: use singular \"layout\" instead of plural \"layouts\"", 3},
    {"46-layout-relative-path.yaml", "layout \"usr/share/foo\" is a relative filename", 4},
    {"47-layout-new-top-level-dir.yaml", "layout \"/foo/bar\" defines a new top-level directory \"/foo\"", 4},
    {"48-layout-off-limits.yaml", "layout \"/lib/firmware\" in an off-limits area", 4},
    {"49-layout-bind-source-outside-snap.yaml",
     "layout \"/usr/share/foo\" uses invalid bind mount source \"/etc/foo\": must start with $SNAP, $SNAP_DATA or "
     "$SNAP_COMMON",
     4},
    {"50-layout-underneath-prior.yaml", "layout \"/usr/foo/bar\" underneath prior layout item \"/usr/foo\"", 6},
    {"51-base-field-on-base-type.yaml",
     "cannot have \"base\" field with value other than \"none\" on \"base\" snap \"test-base\"", 4},
    {"52-type-invalid.yaml", "invalid snap type: \"plugin\"", 3},
    {"53-grade-invalid.yaml", "unknown grade type: \"beta\"", 3},
    {"54-license-invalid-spdx.yaml", "cannot validate license \"GPL~3.0\": unknown license: GPL~3.0", 3},
    {"55-provenance-explicit-default.yaml", "provenance cannot be set to default (global-upload) explicitly", 3},
    {"56-system-username-no-scope.yaml", "system username \"snap_daemon\" does not specify a scope", 4},
    {"57-common-id-duplicate.yaml", "common-id \"org.example.Foo\" must be unique", 7},
    {"58-yaml-tab-indentation.yaml", "found character that cannot start any token", 5},
    {"59-real-snapd-base-none-with-apps.yaml", "cannot have apps or hooks with base \"none\"", 2},
    {"60-real-snapd-illegal-system-username.yaml", "invalid system username \"daemon\"", 5},
};

Test(snap_yaml, rejects_every_invalid_conformance_file_for_its_reason)
{
    _sn_strv_free_ char **names = list_yaml("invalid");
    SnBuf failures = {0};
    size_t n = 0;
    for (char **f = names; f && *f; f++, n++) {
        size_t k = 0;
        while (k < SN_ELEMENTSOF(invalid_cases) && !SN_STREQ(invalid_cases[k].file, *f))
            k++;
        if (k == SN_ELEMENTSOF(invalid_cases)) {
            sn_buf_printf(&failures, "%s: no expected reason in the test's table\n", *f);
            continue;
        }
        size_t len;
        _sn_free_ char *data = read_corpus_file("invalid", *f, &len);
        SnSnapInfo *info = NULL;
        _sn_cleanup_(sn_error_freep) SnError *e = NULL;
        int r = sn_snap_yaml_parse(data, len, &info, &e);
        if (r == 0) {
            sn_buf_printf(&failures, "%s: accepted\n", *f);
            sn_snap_info_free(info);
            continue;
        }
        if (r != -EINVAL || !e)
            sn_buf_printf(&failures, "%s: returned %d, not -EINVAL with a message\n", *f, r);
        else if (!strstr(e->message, invalid_cases[k].reason))
            sn_buf_printf(&failures, "%s: rejected for another reason: \"%s\" (expected \"%s\")\n", *f, e->message,
                          invalid_cases[k].reason);
        else if (e->line != invalid_cases[k].line)
            sn_buf_printf(&failures, "%s: error line %d, expected %d\n", *f, e->line, invalid_cases[k].line);
    }
    cr_assert_eq(n, SN_ELEMENTSOF(invalid_cases), "found %zu invalid files, the table has %zu", n,
                 SN_ELEMENTSOF(invalid_cases));
    cr_assert_eq(failures.len, 0, "%s", failures.data);
    sn_buf_done(&failures);
}

Test(snap_yaml, reasons_table_matches_reasons_md)
{
    size_t len;
    _sn_free_ char *reasons = read_corpus_file("invalid", "REASONS.md", &len);
    for (size_t k = 0; k < SN_ELEMENTSOF(invalid_cases); k++) {
        _sn_free_ char *row = sn_strdup_printf("| %s |", invalid_cases[k].file);
        cr_assert(strstr(reasons, row), "REASONS.md has no row for %s", invalid_cases[k].file);
    }
}

Test(snap_yaml, parses_every_top_level_field)
{
    const char *yaml = "name: full\n"
                       "version: '1.2'\n"
                       "summary: A summary\n"
                       "description: |\n  Long text\n"
                       "title: Full Snap\n"
                       "license: GPL-3.0-only OR MIT\n"
                       "type: app\n"
                       "base: core22\n"
                       "confinement: devmode\n"
                       "grade: devel\n"
                       "architectures: [amd64, arm64]\n"
                       "assumes: [snapd2.60, command-chain]\n"
                       "epoch: 5*\n"
                       "provenance: my-store\n"
                       "environment:\n  ZED: z\n  ALPHA: a\n  MID: 3\n"
                       "x-custom: {a: 1}\n"
                       "website-extra: hello\n"
                       "links:\n  website: [https://example.com]\n  contact: [me@example.com]\n";
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse_ok(yaml);
    cr_assert_str_eq(info->name, "full");
    cr_assert_str_eq(info->version, "1.2");
    cr_assert_str_eq(info->summary, "A summary");
    cr_assert_str_eq(info->description, "Long text\n");
    cr_assert_str_eq(info->title, "Full Snap");
    cr_assert_str_eq(info->license, "GPL-3.0-only OR MIT");
    cr_assert_eq(info->type, SN_SNAP_TYPE_APP);
    cr_assert_str_eq(info->base, "core22");
    cr_assert_eq(info->confinement, SN_CONFINEMENT_DEVMODE);
    cr_assert_eq(info->grade, SN_GRADE_DEVEL);
    cr_assert_eq(sn_strv_length(info->architectures), 2);
    cr_assert_str_eq(info->architectures[1], "arm64");
    /* assumes are sorted, as snapd sorts them */
    cr_assert_str_eq(info->assumes[0], "command-chain");
    cr_assert_str_eq(info->assumes[1], "snapd2.60");
    cr_assert_eq(info->epoch.n_read, 2);
    cr_assert_eq(info->epoch.read[0], 4);
    cr_assert_eq(info->epoch.write[0], 5);
    cr_assert_str_eq(info->provenance, "my-store");
    cr_assert_eq(info->n_environment, 3);
    cr_assert_str_eq(info->environment[0].key, "ZED");
    cr_assert_str_eq(info->environment[1].key, "ALPHA");
    cr_assert_str_eq(info->environment[2].value, "3");
    cr_assert_eq(info->unknown.kind, SN_YAML_MAP);
    cr_assert_eq(info->unknown.n_items, 2);
    cr_assert_str_eq(info->unknown.keys[0], "x-custom");
    cr_assert_eq(info->unknown.items[0].kind, SN_YAML_MAP);
    cr_assert_str_eq(info->unknown.keys[1], "website-extra");
    cr_assert_eq(info->n_links, 2);
    cr_assert_str_eq(info->links[0].values[0], "https://example.com");
    cr_assert_eq(info->lines.version, 2);
    cr_assert_eq(info->lines.license, 7);
}

Test(snap_yaml, defaults_when_fields_are_absent)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse_ok("name: tiny\nversion: 1\n");
    cr_assert_eq(info->type, SN_SNAP_TYPE_APP);
    cr_assert_eq(info->confinement, SN_CONFINEMENT_STRICT);
    cr_assert_eq(info->grade, SN_GRADE_UNSET);
    cr_assert_null(info->architectures);
    cr_assert_null(info->base);
    cr_assert_eq(info->epoch.n_read, 1);
    cr_assert_eq(info->epoch.read[0], 0);
    cr_assert_eq(info->epoch.n_write, 1);
    cr_assert_eq(info->unknown.kind, SN_YAML_NULL);
    _sn_free_ char *epoch = sn_epoch_to_string(&info->epoch);
    cr_assert_str_eq(epoch, "0");
}

Test(snap_yaml, scalars_keep_their_raw_text)
{
    /* yaml.v2 stores the text of 1.10 and true in string fields, not a float or a bool. */
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse_ok("name: raw\nversion: 1.10\napps:\n  app:\n    command: true\n");
    cr_assert_str_eq(info->version, "1.10");
    cr_assert_str_eq(info->apps[0].command, "true");
}

Test(snap_yaml, snap_named_snapd_is_of_type_snapd)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse_ok("name: snapd\nversion: 1\n");
    cr_assert_eq(info->type, SN_SNAP_TYPE_SNAPD);
    cr_assert_str_eq(sn_snap_type_to_string(info->type), "snapd");
}

Test(snap_yaml, types_and_application_alias)
{
    static const struct {
        const char *text;
        SnSnapType type;
    } cases[] = {{"app", SN_SNAP_TYPE_APP},       {"application", SN_SNAP_TYPE_APP}, {"gadget", SN_SNAP_TYPE_GADGET},
                 {"kernel", SN_SNAP_TYPE_KERNEL}, {"base", SN_SNAP_TYPE_BASE},       {"os", SN_SNAP_TYPE_OS},
                 {"snapd", SN_SNAP_TYPE_SNAPD}};
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        _sn_free_ char *yaml = sn_strdup_printf("name: some-snap\nversion: 1\ntype: %s\n", cases[i].text);
        _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse_ok(yaml);
        cr_assert_eq(info->type, cases[i].type, "type %s", cases[i].text);
    }
    assert_rejected("name: x1\nversion: 1\ntype: core\n", "invalid snap type: \"core\"");
    assert_rejected("name: x1\nversion: 1\ntype: \"\"\n", "invalid snap type: \"\"");
    assert_rejected("name: x1\nversion: 1\nconfinement: loose\n", "invalid confinement type: \"loose\"");
}

Test(snap_yaml, plugs_and_slots_in_all_three_forms)
{
    const char *yaml = "name: ps\nversion: 1\n"
                       "plugs:\n"
                       "  home:\n"
                       "  net: network\n"
                       "  data:\n    interface: content\n    label: Data\n    target: $SNAP/data\n"
                       "    read: [a, b]\n    nested: {k: [1, 2]}\n"
                       "slots:\n"
                       "  srv: {interface: dbus, bus: session, name: org.example}\n";
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse_ok(yaml);
    cr_assert_eq(info->n_plugs, 3);
    cr_assert_str_eq(info->plugs[0].name, "home");
    cr_assert_str_eq(info->plugs[0].interface, "home");
    cr_assert_eq(info->plugs[0].attrs.kind, SN_YAML_NULL);
    cr_assert_str_eq(info->plugs[1].interface, "network");
    const SnPlugSlot *data = &info->plugs[2];
    cr_assert_str_eq(data->interface, "content");
    cr_assert_str_eq(data->label, "Data");
    cr_assert_eq(data->attrs.kind, SN_YAML_MAP);
    cr_assert_eq(data->attrs.n_items, 3);
    cr_assert_str_eq(data->attrs.keys[0], "target");
    cr_assert_str_eq(data->attrs.items[0].scalar, "$SNAP/data");
    cr_assert_eq(data->attrs.items[1].kind, SN_YAML_SEQ);
    cr_assert_eq(data->attrs.items[2].items[0].items[1].kind, SN_YAML_SCALAR);
    cr_assert_eq(info->n_slots, 1);
    cr_assert_str_eq(info->slots[0].interface, "dbus");
    cr_assert_eq(info->slots[0].attrs.n_items, 2);
}

Test(snap_yaml, plug_definition_errors)
{
    assert_rejected("name: ps\nversion: 1\nplugs:\n  p: 42\n", "plug \"p\" has malformed definition");
    assert_rejected("name: ps\nversion: 1\nplugs:\n  p: [a]\n", "plug \"p\" has malformed definition");
    assert_rejected("name: ps\nversion: 1\nslots:\n  s:\n    interface: [x]\n",
                    "interface name of slot \"s\" is not a string");
    assert_rejected("name: ps\nversion: 1\nplugs:\n  p:\n    label: 5\n", "label of plug \"p\" is not a string");
    assert_rejected("name: ps\nversion: 1\nplugs:\n  p:\n    \"\": x\n", "plug \"p\" has an empty attribute key");
    assert_rejected("name: ps\nversion: 1\nplugs:\n  p:\n    a: [1, ~]\n",
                    "attribute \"a\" of plug \"p\": invalid scalar");
}

Test(snap_yaml, top_level_plugs_bind_to_every_app_and_hook)
{
    const char *yaml = "name: bind\nversion: 1\n"
                       "plugs:\n  shared:\n    interface: home\n  scoped:\n    interface: network\n"
                       "slots:\n  everywhere:\n    interface: dbus\n"
                       "apps:\n"
                       "  one:\n    command: bin/one\n    plugs: [scoped, implicit-plug]\n"
                       "  two:\n    command: bin/two\n"
                       "hooks:\n  install:\n  configure:\n    plugs: [hook-only]\n";
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse_ok(yaml);
    const SnApp *one = sn_snap_info_find_app(info, "one");
    const SnApp *two = sn_snap_info_find_app(info, "two");
    cr_assert(sn_strv_contains(one->plugs, "shared"));
    cr_assert(sn_strv_contains(one->plugs, "scoped"));
    cr_assert(sn_strv_contains(one->plugs, "implicit-plug"));
    cr_assert(sn_strv_contains(two->plugs, "shared"));
    cr_assert_not(sn_strv_contains(two->plugs, "scoped"));
    cr_assert(sn_strv_contains(two->slots, "everywhere"));
    const SnHook *install = sn_snap_info_find_hook(info, "install");
    cr_assert(sn_strv_contains(install->plugs, "shared"));
    cr_assert_not(sn_strv_contains(install->plugs, "hook-only"));
    cr_assert(sn_strv_contains(install->slots, "everywhere"));
    const SnHook *configure = sn_snap_info_find_hook(info, "configure");
    cr_assert(sn_strv_contains(configure->plugs, "hook-only"));
    /* the plug records who it is bound to */
    cr_assert_eq(info->n_plugs, 4);
    cr_assert(info->plugs[0].unscoped);
    cr_assert_not(info->plugs[1].unscoped);
    cr_assert_eq(sn_strv_length(info->plugs[0].apps), 2);
    cr_assert_eq(sn_strv_length(info->plugs[0].hooks), 2);
    cr_assert_str_eq(info->plugs[2].name, "implicit-plug");
    cr_assert(info->plugs[2].implicit);
    cr_assert_str_eq(info->plugs[2].interface, "implicit-plug");
    cr_assert_str_eq(info->plugs[3].name, "hook-only");
    cr_assert_str_eq(info->plugs[3].hooks[0], "configure");
}

Test(snap_yaml, apps_keep_every_key)
{
    const char *yaml = "name: svc\nversion: 1\n"
                       "slots:\n  dbus-svc:\n    interface: dbus\n    bus: system\n    name: org.example.Svc\n"
                       "apps:\n"
                       "  daemon:\n"
                       "    command: bin/run --flag $SNAP_DATA\n"
                       "    command-chain: [bin/wrapper]\n"
                       "    daemon: notify\n"
                       "    stop-command: bin/stop\n"
                       "    reload-command: bin/reload\n"
                       "    post-stop-command: bin/post\n"
                       "    bus-name: org.example.Svc\n"
                       "    stop-timeout: 1m30s\n"
                       "    start-timeout: 500ms\n"
                       "    watchdog-timeout: 10s\n"
                       "    restart-delay: 2s\n"
                       "    restart-condition: no\n"
                       "    stop-mode: sigterm-all\n"
                       "    refresh-mode: endure\n"
                       "    install-mode: disable\n"
                       "    timer: mon,10:00-12:00\n"
                       "    after: [other]\n"
                       "    success-exit-status: [7, 42]\n"
                       "    activates-on: [dbus-svc]\n"
                       "    plugs: [network-bind]\n"
                       "    sockets:\n      sock:\n        listen-stream: $SNAP_DATA/sock\n        socket-mode: 0660\n"
                       "    environment:\n      B: two\n      A: one\n"
                       "  other:\n    command: bin/other\n    daemon: simple\n    daemon-scope: system\n"
                       "  gui:\n    command: bin/gui\n    common-id: org.example.Gui\n    completer: bin/complete\n"
                       "    autostart: gui.desktop\n    aliases: [gui-alias]\n    refresh-mode: ignore-running\n";
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse_ok(yaml);
    const SnApp *a = sn_snap_info_find_app(info, "daemon");
    cr_assert_not_null(a);
    cr_assert_str_eq(a->command, "bin/run --flag $SNAP_DATA");
    cr_assert_str_eq(a->command_chain[0], "bin/wrapper");
    cr_assert_str_eq(a->daemon, "notify");
    cr_assert_str_eq(a->daemon_scope, "system");
    cr_assert_str_eq(a->stop_command, "bin/stop");
    cr_assert_str_eq(a->reload_command, "bin/reload");
    cr_assert_str_eq(a->post_stop_command, "bin/post");
    cr_assert_str_eq(a->bus_name, "org.example.Svc");
    cr_assert_eq(a->stop_timeout, 90LL * 1000000000);
    cr_assert_eq(a->start_timeout, 500LL * 1000000);
    cr_assert_eq(a->watchdog_timeout, 10LL * 1000000000);
    cr_assert_eq(a->restart_delay, 2LL * 1000000000);
    cr_assert_str_eq(a->restart_condition, "never");
    cr_assert_str_eq(a->stop_mode, "sigterm-all");
    cr_assert_str_eq(a->refresh_mode, "endure");
    cr_assert_str_eq(a->install_mode, "disable");
    cr_assert_str_eq(a->timer, "mon,10:00-12:00");
    cr_assert_str_eq(a->after[0], "other");
    cr_assert_eq(a->n_success_exit_status, 2);
    cr_assert_eq(a->success_exit_status[1], 42);
    cr_assert_str_eq(a->activates_on[0], "dbus-svc");
    cr_assert(sn_strv_contains(a->slots, "dbus-svc"));
    cr_assert_eq(a->n_sockets, 1);
    cr_assert_str_eq(a->sockets[0].name, "sock");
    cr_assert_str_eq(a->sockets[0].listen_stream, "$SNAP_DATA/sock");
    cr_assert(a->sockets[0].has_socket_mode);
    cr_assert_eq(a->sockets[0].socket_mode, 0660);
    cr_assert_eq(a->n_environment, 2);
    cr_assert_str_eq(a->environment[0].key, "B");
    const SnApp *gui = sn_snap_info_find_app(info, "gui");
    cr_assert_null(gui->daemon);
    cr_assert_null(gui->daemon_scope);
    cr_assert_eq(gui->stop_timeout, SN_DURATION_UNSET);
    cr_assert_str_eq(gui->common_id, "org.example.Gui");
    cr_assert_str_eq(gui->completer, "bin/complete");
    cr_assert_str_eq(gui->autostart, "gui.desktop");
    cr_assert_str_eq(gui->aliases[0], "gui-alias");
    cr_assert_eq(info->apps[0].line, 9);
}

Test(snap_yaml, app_decode_errors)
{
    assert_rejected("name: s1\nversion: 1\napps:\n  a:\n    command: x\n    daemon: simple\n    stop-timeout: soon\n",
                    "stop-timeout: time: invalid duration \"soon\"");
    assert_rejected("name: s1\nversion: 1\napps:\n  a:\n    command: x\n    daemon: simple\n    stop-timeout: 10\n",
                    "missing unit in duration");
    assert_rejected("name: s1\nversion: 1\napps:\n  a:\n    command: [x]\n", "command: cannot unmarshal a sequence");
    assert_rejected("name: s1\nversion: 1\napps:\n  a: just-a-string\n", "cannot unmarshal a string");
    assert_rejected("name: s1\nversion: 1\napps:\n  a:\n    command: x\n    activates-on: [nope]\n",
                    "invalid activates-on value \"nope\" on app \"a\": slot not found");
    assert_rejected("name: s1\nversion: 1\napps:\n  a:\n    command: x\n    aliases: [same]\n"
                    "  b:\n    command: y\n    aliases: [same]\n",
                    "cannot set \"same\" as alias for both \"a\" and \"b\"");
    assert_rejected("name: s1\nversion: 1\napps:\n  a:\n    command: x\n    daemon: simple\n    plugs: [network-bind]\n"
                    "    sockets:\n      s:\n        listen-stream: $SNAP_DATA/s\n        socket-mode: rw\n",
                    "socket-mode");
}

Test(snap_yaml, hooks_from_the_hooks_map)
{
    const char *yaml = "name: hk\nversion: 1\n"
                       "hooks:\n"
                       "  install:\n    command-chain: [bin/chain]\n    environment:\n      K: v\n"
                       "  connect-plug-foo:\n    plugs: [foo]\n"
                       "  not-a-hook:\n"
                       "  123abc:\n"
                       "  save-view-x:\n";
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse_ok(yaml);
    /* names snapd does not know are ignored, as snapd does */
    cr_assert_eq(info->n_hooks, 3);
    const SnHook *install = sn_snap_info_find_hook(info, "install");
    cr_assert_str_eq(install->command_chain[0], "bin/chain");
    cr_assert_eq(install->n_environment, 1);
    cr_assert_str_eq(install->environment[0].value, "v");
    cr_assert_not_null(sn_snap_info_find_hook(info, "connect-plug-foo"));
    cr_assert_not_null(sn_snap_info_find_hook(info, "save-view-x"));
    cr_assert_null(sn_snap_info_find_hook(info, "not-a-hook"));
    cr_assert_str_eq(sn_snap_info_find_hook(info, "connect-plug-foo")->plugs[0], "foo");
}

Test(snap_yaml, layout_entries)
{
    const char *yaml = "name: lay\nversion: 1\nlayout:\n"
                       "  /usr/share/lay:\n    bind: $SNAP/usr/share/lay\n"
                       "  /etc/lay.conf:\n    bind-file: $SNAP_DATA/lay.conf\n"
                       "  /var/cache/lay:\n    type: tmpfs\n    mode: 01777\n"
                       "  /opt/lay:\n    symlink: $SNAP_COMMON/opt\n    user: root\n    group: root\n";
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse_ok(yaml);
    cr_assert_eq(info->n_layout, 4);
    cr_assert_str_eq(info->layout[0].path, "/usr/share/lay");
    cr_assert_str_eq(info->layout[0].bind, "$SNAP/usr/share/lay");
    cr_assert_eq(info->layout[0].mode, 0755);
    cr_assert_not(info->layout[0].has_mode);
    cr_assert_str_eq(info->layout[1].bind_file, "$SNAP_DATA/lay.conf");
    cr_assert_str_eq(info->layout[2].type, "tmpfs");
    cr_assert(info->layout[2].has_mode);
    cr_assert_eq(info->layout[2].mode, 01777);
    cr_assert_str_eq(info->layout[3].symlink, "$SNAP_COMMON/opt");
    cr_assert_str_eq(info->layout[3].user, "root");
    assert_rejected("name: lay\nversion: 1\nlayout:\n  /usr/x:\n    type: tmpfs\n    mode: 999\n",
                    "layout \"/usr/x\": mode");
}

Test(snap_yaml, system_usernames_short_and_long_forms)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse_ok("name: su\nversion: 1\nsystem-usernames:\n  snap_daemon: shared\n"
                 "  _daemon_:\n    scope: shared\n    extra: 1\n");
    cr_assert_eq(info->n_system_usernames, 2);
    cr_assert_str_eq(info->system_usernames[0].name, "snap_daemon");
    cr_assert_str_eq(info->system_usernames[0].scope, "shared");
    cr_assert_str_eq(info->system_usernames[1].scope, "shared");
    cr_assert_eq(info->system_usernames[1].attrs.n_items, 1);
    assert_rejected("name: su\nversion: 1\nsystem-usernames:\n  snap_daemon: [x]\n", "has malformed definition");
    assert_rejected("name: su\nversion: 1\nsystem-usernames:\n  snap_daemon:\n", "does not specify a scope");
    assert_rejected("name: su\nversion: 1\nsystem-usernames:\n  snap_daemon:\n    scope: 3\n",
                    "scope on system username \"snap_daemon\" is not a string");
}

Test(snap_yaml, components)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse_ok("name: comp\nversion: 1\ncomponents:\n  one:\n    type: standard\n    summary: s\n"
                 "    hooks:\n      install:\n        plugs: [network]\n");
    cr_assert_eq(info->n_components, 1);
    cr_assert_str_eq(info->components[0].name, "one");
    cr_assert_str_eq(info->components[0].type, "standard");
    cr_assert_eq(info->components[0].n_hooks, 1);
    cr_assert_str_eq(info->components[0].hooks[0].plugs[0], "network");
    assert_rejected("name: comp\nversion: 1\ncomponents:\n  one:\n    type: weird\n",
                    "unknown component type \"weird\"");
    assert_rejected("name: comp\nversion: 1\ncomponents:\n  one:\n    type: kernel-modules\n",
                    "kernel-modules components can exist only for kernel snaps");
    assert_rejected("name: comp\nversion: 1\ncomponents:\n  one:\n    type: standard\n    hooks:\n      configure:\n",
                    "unsupported component hook: \"configure\"");
    assert_rejected("name: comp\nversion: 1\ncomponents:\n  one:\n    type: standard\n    hooks:\n      install:\n"
                    "        slots: [x]\n",
                    "component hooks cannot have slots");
    assert_rejected("name: comp\nversion: 1\ncomponents:\n  One:\n    type: standard\n", "invalid snap name: \"One\"");
}

Test(snap_yaml, core_snap_plugs_are_renamed)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse_ok("name: core\nversion: 16\ntype: os\nplugs:\n  network-bind:\nslots:\n  network-bind:\n");
    cr_assert_str_eq(info->plugs[0].name, "network-bind-plug");
    cr_assert_str_eq(info->slots[0].name, "network-bind");
}

Test(snap_yaml, yaml_errors_name_the_line)
{
    int line = 0;
    _sn_free_ char *m = parse_fail("name: x1\nversion: 1\napps:\n  a:\n    command: [unclosed\n", &line);
    cr_assert(strstr(m, "cannot parse snap.yaml"), "%s", m);
    cr_assert_gt(line, 0);
    _sn_free_ char *m2 = parse_fail("name: x1\nversion: 1\nname: x2\n", &line);
    cr_assert(strstr(m2, "mapping key \"name\" already defined at line 1"), "%s", m2);
    cr_assert_eq(line, 3);
    _sn_free_ char *m3 = parse_fail("- a\n- b\n", &line);
    cr_assert(strstr(m3, "not a map"), "%s", m3);
    _sn_free_ char *m4 = parse_fail("name: [x]\nversion: 1\n", &line);
    cr_assert(strstr(m4, "name: cannot unmarshal a sequence into a string"), "%s", m4);
    cr_assert_eq(line, 1);
}

Test(snap_yaml, empty_and_hostile_documents_are_refused_cleanly)
{
    assert_rejected("", "snap name cannot be empty");
    assert_rejected("# only a comment\n", "snap name cannot be empty");
    assert_rejected("\x01\x02\xff\xfe", "cannot parse snap.yaml");
    /* later documents are ignored, as yaml.v2's Unmarshal ignores them */
    sn_snap_info_free(parse_ok("name: x1\nversion: 1\n---\n- second doc\n"));
    SnSnapInfo *info = NULL;
    cr_assert_eq(sn_snap_yaml_parse(NULL, 0, &info, NULL), -EINVAL);
    cr_assert_null(info);
}

Test(snap_yaml, refuses_documents_larger_than_the_cap)
{
    size_t len = SN_SNAP_YAML_MAX_SIZE + 1;
    char *big = malloc(len);
    cr_assert_not_null(big);
    memset(big, ' ', len);
    SnSnapInfo *info = NULL;
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    cr_assert_eq(sn_snap_yaml_parse(big, len, &info, &e), -EFBIG);
    cr_assert_null(info);
    free(big);
}

Test(snap_yaml, billion_laughs_is_capped)
{
    SnBuf b = {0};
    sn_buf_puts(&b, "name: lol\nversion: 1\nx-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i < 12; i++) {
        sn_buf_printf(&b, "x-a%d: &a%d [", i, i);
        for (int j = 0; j < 10; j++)
            sn_buf_printf(&b, "%s*a%d", j ? ", " : "", i - 1);
        sn_buf_puts(&b, "]\n");
    }
    SnSnapInfo *info = NULL;
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    int r = sn_snap_yaml_parse(b.data, b.len, &info, &e);
    cr_assert_eq(r, -E2BIG, "returned %d: %s", r, sn_error_message(e, r));
    cr_assert(strstr(e->message, "nodes") || strstr(e->message, "bytes"), "%s", e->message);
    sn_buf_done(&b);
}

Test(snap_yaml, small_aliases_are_expanded)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse_ok("name: al\nversion: 1\nx-common: &cmd bin/run\napps:\n  a:\n    command: *cmd\n");
    cr_assert_str_eq(info->apps[0].command, "bin/run");
}

Test(snap_yaml, deep_nesting_is_capped)
{
    SnBuf b = {0};
    sn_buf_puts(&b, "name: deep\nversion: 1\nx-deep: ");
    for (int i = 0; i < 10000; i++)
        sn_buf_putc(&b, '[');
    for (int i = 0; i < 10000; i++)
        sn_buf_putc(&b, ']');
    sn_buf_putc(&b, '\n');
    SnSnapInfo *info = NULL;
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    int r = sn_snap_yaml_parse(b.data, b.len, &info, &e);
    cr_assert_eq(r, -E2BIG, "returned %d", r);
    cr_assert(strstr(e->message, "nesting deeper"), "%s", e->message);
    sn_buf_done(&b);
}

Test(snap_yaml, unvalidated_parse_skips_the_rules)
{
    SnSnapInfo *info = NULL;
    const char *yaml = "name: Bad_Name\nversion: '1'\n";
    cr_assert_eq(sn_snap_yaml_parse_unvalidated(yaml, strlen(yaml), &info, NULL), 0);
    cr_assert_str_eq(info->name, "Bad_Name");
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    cr_assert_eq(sn_snap_info_validate(info, &e), -EINVAL);
    cr_assert(strstr(e->message, "invalid snap name"));
    sn_snap_info_free(info);
}

Test(snap_yaml, to_string_helpers)
{
    cr_assert_str_eq(sn_snap_type_to_string(SN_SNAP_TYPE_OS), "os");
    cr_assert_str_eq(sn_snap_type_to_string(SN_SNAP_TYPE_GADGET), "gadget");
    cr_assert_str_eq(sn_confinement_to_string(SN_CONFINEMENT_CLASSIC), "classic");
    cr_assert_str_eq(sn_grade_to_string(SN_GRADE_STABLE), "stable");
    cr_assert_str_eq(sn_grade_to_string(SN_GRADE_UNSET), "");
    cr_assert_null(sn_snap_info_free(NULL));
    cr_assert_null(sn_snap_info_find_app(NULL, "x"));
}
