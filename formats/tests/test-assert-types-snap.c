/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * assert-types-snap.c: snap-declaration, snap-revision, snap-build and validation-set checks, on
 * hand-made assertions.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "assert-test.h"

#define SNAP_ID "buPKUD3TKqCOgLEjjHx5kSiCpIs5cMuQ"
#define DIGEST SIGN_KEY

#define DECL                                                                                                           \
    "type: snap-declaration\nauthority-id: canonical\nseries: 16\nsnap-id: " SNAP_ID "\nsnap-name: hello\n"            \
    "publisher-id: canonical\ntimestamp: 2020-01-01T00:00:00Z\n"

Test(assert_types_snap, snap_declaration_checks)
{
    static const char *const required[] = {"snap-id", "snap-name", "publisher-id", "timestamp"};
    check_required(DECL, required, SN_ELEMENTSOF(required));
    a_ok(DECL "aliases:\n  -\n    name: hi\n    target: hello\n");
    a_bad(DECL "aliases:\n  -\n    name: hi\n    target: he/llo\n", "\"target\" for alias contains invalid characters");
    a_bad(DECL "aliases:\n  - hi\n", "\"aliases\" header must be a list of alias maps");
    a_bad(DECL "auto-aliases:\n  - \"bad alias\"\n", "\"auto-aliases\" header contains an invalid element");
    a_bad(DECL "plugs: x\n", "\"plugs\" header must be a map");
    a_ok(DECL "revision-authority:\n  -\n    account-id: canonical\n    provenance:\n      - prov1\n"
              "    min-revision: 1\n");
    a_bad(DECL "revision-authority:\n  -\n    account-id: canonical\n    provenance:\n      - prov1\n"
               "    min-revision: 0\n",
          "\"min-revision\" in revision authority must be >=1: 0");
    a_bad(DECL "revision-authority:\n  -\n    account-id: canonical\n",
          "provenance in revision authority cannot be empty");
}

#define REVISION                                                                                                       \
    "type: snap-revision\nauthority-id: canonical\nsnap-sha3-384: " DIGEST "\nsnap-id: " SNAP_ID "\n"                  \
    "snap-size: 4096\nsnap-revision: 5\ndeveloper-id: canonical\ntimestamp: 2020-01-01T00:00:00Z\n"

Test(assert_types_snap, snap_revision_checks)
{
    static const char *const required[] = {"snap-sha3-384", "snap-id",      "snap-size",
                                           "snap-revision", "developer-id", "timestamp"};
    check_required(REVISION, required, SN_ELEMENTSOF(required));
    SnAssertion *a = NULL;
    _sn_free_ char *m = try_decode(REVISION, NULL, &a);
    cr_assert_null(m, "%s", m);
    cr_assert_str_eq(sn_assertion_header(a, "provenance"), "global-upload", "the default provenance is filled in");
    sn_assertion_free(a);
    _sn_free_ char *size = set_header(REVISION, "snap-size", "012");
    a_bad(size, "\"snap-size\" header has invalid prefix zeros: 012");
    _sn_free_ char *rev = set_header(REVISION, "snap-revision", "0");
    a_bad(rev, "\"snap-revision\" header must be >=1: 0");
    _sn_free_ char *digest = set_header(REVISION, "snap-sha3-384", "abc");
    a_bad(digest, "\"snap-sha3-384\" header cannot be decoded or does not have the expected bit length");
    a_ok(REVISION "integrity:\n  -\n    type: dm-verity\n");
    a_bad(REVISION "integrity:\n  -\n    type: fs-verity\n", "invalid integrity data type: \"fs-verity\"");
}

#define BUILD                                                                                                          \
    "type: snap-build\nauthority-id: dev1\nsnap-sha3-384: " DIGEST "\nsnap-id: " SNAP_ID "\ngrade: stable\n"           \
    "snap-size: 10\ntimestamp: 2020-01-01T00:00:00Z\n"

Test(assert_types_snap, snap_build_checks)
{
    static const char *const required[] = {"snap-sha3-384", "snap-id", "grade", "snap-size", "timestamp"};
    check_required(BUILD, required, SN_ELEMENTSOF(required));
}

#define VSET                                                                                                           \
    "type: validation-set\nauthority-id: acc1\nseries: 16\naccount-id: acc1\nname: my-set\nsequence: 2\n"              \
    "snaps:\n  -\n    name: hello\n    id: " SNAP_ID "\n    presence: optional\n    revision: 3\n"                     \
    "timestamp: 2020-01-01T00:00:00Z\n"

Test(assert_types_snap, validation_set_checks)
{
    a_ok(VSET);
    _sn_free_ char *other = set_header(VSET, "authority-id", "acc2");
    a_bad(other, "authority-id and account-id must match, validation-set assertions are expected to be signed by the "
                 "issuer account");
    _sn_free_ char *seq = set_header(VSET, "sequence", "0");
    a_bad(seq, "\"sequence\" must be >=1: 0");
    _sn_free_ char *name = set_header(VSET, "name", "My-Set");
    a_bad(name, "\"name\" header contains invalid characters: \"My-Set\"");
    const char *no_snaps = "type: validation-set\nauthority-id: acc1\nseries: 16\naccount-id: acc1\nname: my-set\n"
                           "sequence: 2\ntimestamp: 2020-01-01T00:00:00Z\n";
    a_bad(no_snaps, "\"snaps\" header is mandatory");
    const char *presence = "type: validation-set\nauthority-id: acc1\nseries: 16\naccount-id: acc1\nname: my-set\n"
                           "sequence: 2\nsnaps:\n  -\n    name: hello\n    id: " SNAP_ID "\n    presence: maybe\n"
                           "timestamp: 2020-01-01T00:00:00Z\n";
    a_bad(presence, "presence of snap \"hello\" must be one of required|optional|invalid");
}
