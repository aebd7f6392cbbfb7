/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "snap-yaml-internal.h"
#include "snap-yaml-test.h"
#include "snap-yaml.h"
#include "strutil.h"

#define HEAD "name: vt\nversion: 1\n"

Test(snap_yaml_validate, rejects_uppercase_name)
{
    bad("name: Foo\nversion: 1\n", "invalid snap name: \"Foo\"");
    ok("name: foo-0\nversion: 1\n");
}

Test(snap_yaml_validate, version_rules)
{
    ok("name: vt\nversion: 1.0~rc1+git\n");
    ok("name: vt\nversion: a\n");
    bad("name: vt\nversion: 1.0-\n", "must end with an ASCII alphanumeric or one of '+' or '~' (and not '-')");
    bad("name: vt\nversion: \"-x!y.\"\n",
        "must start with an ASCII alphanumeric (and not '-'), must end with an ASCII alphanumeric or one of '+' or "
        "'~' (and not '.'), and contains invalid characters: \"!\"");
    bad("name: vt\nversion: \"a\\tb\"\n", "\"a\\tb\": must be printable, non-whitespace ASCII");
    bad("name: vt\nversion: \"1.0\\U0001F601\"\n", "\\U0001f601");
}

Test(snap_yaml_validate, title_and_description_lengths)
{
    ok(HEAD "title: 1234567890123456789012345678901234567890\n");
    bad(HEAD "title: 12345678901234567890123456789012345678901\n", "title can have up to 40 codepoints, got 41");
    /* codepoints, not bytes */
    ok(HEAD "title: ééééééééééééééééééééééééééééééééééééééé\n");
}

Test(snap_yaml_validate, plug_slot_names_and_uniqueness)
{
    bad(HEAD "slots:\n  Bad:\n", "invalid slot name: \"Bad\"");
    bad(HEAD "plugs:\n  p:\n    interface: Bad\n", "invalid interface name \"Bad\" for plug \"p\"");
    bad(HEAD "apps:\n  a:\n    command: x\n    plugs: [x]\n    slots: [x]\n",
        "cannot have plug and slot with the same name: \"x\"");
    bad(HEAD "apps:\n  a:\n    command: x\n    plugs: [bad_name]\n", "invalid plug name: \"bad_name\"");
}

Test(snap_yaml_validate, base_rules)
{
    ok(HEAD "base: core24\n");
    ok("name: mybase\nversion: 1\ntype: base\nbase: none\n");
    bad(HEAD "base: core_x\n", "base cannot specify a snap instance name: \"core_x\"");
    bad(HEAD "base: Core\n", "invalid base name: invalid snap name: \"Core\"");
    bad(HEAD "base: none\nhooks:\n  install:\n", "cannot have apps or hooks with base \"none\"");
    bad("name: os1\nversion: 1\ntype: os\nbase: core\n", "cannot have \"base\" field with value other than \"none\"");
}

Test(snap_yaml_validate, provenance)
{
    ok(HEAD "provenance: my-store-1\n");
    bad(HEAD "provenance: \"-x\"\n", "invalid provenance: \"-x\"");
}

Test(snap_yaml_validate, licenses)
{
    ok(HEAD "license: (MIT OR Apache-2.0) AND GPL-2.0-or-later WITH Classpath-exception-2.0\n");
    bad(HEAD "license: MIT Apache-2.0\n", "missing AND or OR between \"MIT\" and \"Apache-2.0\"");
    bad(HEAD "license: MIT AND\n", "missing license after AND");
}

Test(snap_yaml_validate, system_usernames)
{
    ok(HEAD "system-usernames:\n  snap_daemon: shared\n  _daemon_: shared\n");
    bad(HEAD "system-usernames:\n  \"Bad\": shared\n", "invalid system username \"Bad\"");
    bad(HEAD "system-usernames:\n  nobody: shared\n", "invalid system username \"nobody\"");
}

Test(snap_yaml_validate, links)
{
    ok(HEAD "links:\n  website: [https://x.org]\n  contact: [mailto:me@x.org, me@x.org]\n");
    bad(HEAD "links:\n  website: []\n", "\"website\" links cannot be specified and empty");
    bad(HEAD "links:\n  website: [ftp://x.org]\n", "must have one of http|https schemes");
    bad(HEAD "links:\n  contact: [nobody]\n", "invalid \"contact\" email address \"nobody\"");
    bad(HEAD "links:\n  bad_key: [a@b]\n", "links key is invalid: bad_key");
}

Test(snap_yaml_validate, common_ids_and_aliases)
{
    ok(HEAD "apps:\n  a:\n    command: x\n    common-id: a.b\n    aliases: [a.b_c-d]\n  b:\n    command: y\n"
            "    common-id: c.d\n");
    bad(HEAD "apps:\n  a:\n    command: x\n    aliases: [\".a\"]\n", "cannot have \".a\" as alias name");
}

Test(snap_yaml_validate, validate_refuses_null_and_nameless_info)
{
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    cr_assert_eq(sn_snap_info_validate(NULL, &e), -EINVAL);
    SnSnapInfo empty = {0};
    cr_assert_eq(sn_snap_info_validate(&empty, NULL), -EINVAL);
}

Test(snap_yaml_validate, version_with_every_defect_lists_four_reasons)
{
    /* found by fuzzing: four reasons overflowed a three-slot array */
    bad("name: vt\nversion: \")))))))))))))))))))))))))))))))))))))\"\n",
        "cannot be longer than 32 characters (got: 37), must start with an ASCII alphanumeric (and not ')'), must end "
        "with an ASCII alphanumeric or one of '+' or '~' (and not ')'), and contains invalid characters: "
        "\")))))))))))))))))))))))))))))))))))\"");
}
