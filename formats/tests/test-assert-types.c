/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * assert-types.c: the registry of assertion types and the types whose check lives there.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "assert-test.h"
#include "assert-types.h"

Test(assert_types, the_registry_holds_snapds_types_with_their_primary_keys)
{
    const SnAssertType *const *all = sn_assert_types();
    size_t n = 0;
    while (all[n])
        n++;
    cr_assert_eq(n, 26);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(sn_assert_type_lookup(all[i]->name), all[i]);
    cr_assert_null(sn_assert_type_lookup("Model"));
    cr_assert_null(sn_assert_type_lookup("snap-frobnicator"));
    cr_assert_null(sn_assert_type_lookup(NULL));

    const SnAssertType *model = sn_assert_type_lookup("model");
    cr_assert_eq(model->n_primary_key, 3);
    cr_assert_str_eq(model->primary_key[0], "series");
    cr_assert_str_eq(model->primary_key[2], "model");
    const SnAssertType *vs = sn_assert_type_lookup("validation-set");
    cr_assert(vs->flags & SN_ASSERT_SEQUENCE_FORMING);
    cr_assert_eq(sn_assert_type_lookup("serial-request")->n_primary_key, 0);
    cr_assert(sn_assert_type_lookup("serial-request")->flags & SN_ASSERT_NO_AUTHORITY);
    cr_assert(sn_assert_type_lookup("confdb-schema")->flags & SN_ASSERT_JSON_BODY);
    cr_assert_eq(sn_assert_type_lookup("snap-declaration")->max_format, 7);
    cr_assert_eq(sn_assert_type_lookup("system-user")->max_format, 2);
    cr_assert_eq(sn_assert_type_lookup("account-key")->max_format, 1);
}

Test(assert_types, only_provenance_keys_have_a_default)
{
    const SnAssertType *rev = sn_assert_type_lookup("snap-revision");
    cr_assert_str_eq(sn_assert_type_key_default(rev, "provenance"), SN_ASSERT_DEFAULT_PROVENANCE);
    cr_assert_null(sn_assert_type_key_default(rev, "snap-sha3-384"));
    cr_assert_null(sn_assert_type_key_default(sn_assert_type_lookup("model"), "model"));
    cr_assert_str_eq(sn_assert_type_key_default(sn_assert_type_lookup("snap-resource-pair"), "provenance"),
                     "global-upload");
}

#define BASE_DECL "type: base-declaration\nauthority-id: canonical\nseries: 16\ntimestamp: 2016-09-29T19:50:49Z\n"

Test(assert_types, base_declaration_confdb_schema_and_timestamp_only_types)
{
    a_ok(BASE_DECL);
    a_ok(BASE_DECL "plugs:\n  home:\n    allow-installation: true\n");
    a_bad(BASE_DECL "plugs: x\n", "\"plugs\" header must be a map");
    a_bad(BASE_DECL "slots:\n  - a\n", "\"slots\" header must be a map");
    _sn_free_ char *no_ts = drop_header(BASE_DECL, "timestamp");
    a_bad(no_ts, "\"timestamp\" header is mandatory");

    const char *repair = "type: repair\nauthority-id: canonical\nbrand-id: canonical\nrepair-id: 1\n"
                         "timestamp: 2017-01-01T00:00:00Z\n";
    a_ok(repair);
    _sn_free_ char *bad_ts = set_header(repair, "timestamp", "yesterday");
    a_bad(bad_ts, "\"timestamp\" header is not a RFC3339 date: yesterday");

    const char *confdb = "type: confdb-schema\nauthority-id: developer1\naccount-id: developer1\nname: network\n"
                         "views:\n  v:\n    rules:\n      -\n        request: a\n        storage: a\n"
                         "timestamp: 2024-01-01T00:00:00Z\n";
    const char *body = "{\n  \"storage\": {}\n}";
    _sn_free_ char *m = try_decode(confdb, body, NULL);
    cr_assert_null(m, "%s", m);
    _sn_free_ char *bad_name = set_header(confdb, "name", "Net_Work");
    _sn_free_ char *m2 = try_decode(bad_name, body, NULL);
    cr_assert(m2 && strstr(m2, "\"name\" header contains invalid characters: \"Net_Work\""), "%s", m2);
    _sn_free_ char *m3 = try_decode(confdb, "{\"storage\": {}}", NULL);
    cr_assert(m3 && strstr(m3, "JSON in body must be indented with 2 spaces"), "%s", m3);
}
