/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fd-util.h"
#include "snap-yaml-test.h"
#include "snap-yaml.h"
#include "strutil.h"

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
