/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * assert-types-device.c: model, serial, serial-request and device-session-request checks, on
 * hand-made assertions and edited corpus ones.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "assert-corpus.h"
#include "assert-test.h"

#define MODEL                                                                                                          \
    "type: model\nauthority-id: brand1\nseries: 16\nbrand-id: brand1\nmodel: my-model\narchitecture: amd64\n"          \
    "gadget: pc\nkernel: pc-kernel\ntimestamp: 2020-01-01T00:00:00Z\n"

Test(assert_types_device, classic_and_core_models)
{
    static const char *const required[] = {"model", "architecture", "gadget", "kernel", "timestamp"};
    check_required(MODEL, required, SN_ELEMENTSOF(required));
    _sn_free_ char *other = set_header(MODEL, "authority-id", "brand2");
    a_bad(other, "authority-id and brand-id must match, model assertions are expected to be signed by the brand: "
                 "\"brand2\" != \"brand1\"");
    _sn_free_ char *upper = set_header(MODEL, "model", "My-Model");
    a_bad(upper, "\"model\" header cannot contain uppercase letters");
    a_bad(MODEL "grade: signed\n", "cannot specify a grade for model without the extended snaps header");
    _sn_free_ char *classic = drop_header(MODEL, "kernel");
    _sn_free_ char *classic2 = sn_strdup_printf("%sclassic: true\n", classic);
    a_ok(classic2);
    a_bad(MODEL "classic: true\n", "cannot specify a kernel with a non-extended classic model");
    a_bad(MODEL "required-snaps:\n  - Bad_Name\n", "invalid snap name in \"required-snaps\" header: Bad_Name");
    a_bad(MODEL "system-user-authority: x\n", "\"system-user-authority\" header must be '*' or a list of account ids");
    a_ok(MODEL "system-user-authority: *\n");
    a_ok(MODEL "system-user-authority:\n  - brand1\n");
}

#define EXTENDED                                                                                                       \
    "type: model\nauthority-id: brand1\nseries: 16\nbrand-id: brand1\nmodel: uc\narchitecture: amd64\n"                \
    "base: core22\ngrade: dangerous\ntimestamp: 2020-01-01T00:00:00Z\nsnaps:\n"                                        \
    "  -\n    name: pc\n    type: gadget\n    default-channel: 22/stable\n"                                            \
    "  -\n    name: pc-kernel\n    type: kernel\n    default-channel: 22/stable\n"

Test(assert_types_device, extended_models)
{
    a_ok(EXTENDED);
    a_ok(EXTENDED "  -\n    name: core22\n    type: base\n");
    a_bad(EXTENDED "  -\n    name: pc\n    type: app\n", "cannot list the same snap \"pc\" multiple times");
    a_bad(EXTENDED "  -\n    name: k2\n    type: kernel\n", "cannot specify multiple kernel snaps");
    a_bad(EXTENDED "  -\n    name: core22\n    type: app\n",
          "boot base \"core22\" must specify type \"base\", not \"app\"");
    a_bad(EXTENDED "  -\n    name: app1\n    default-channel: stable\n",
          "default channel for snap \"app1\" must specify a track");
    a_bad(EXTENDED "  -\n    name: app1\n    presence: sometimes\n",
          "presence of snap \"app1\" must be one of required|optional");
    a_bad(EXTENDED "gadget: pc\n", "cannot specify separate \"gadget\" header once using the extended snaps header");
    _sn_free_ char *signed_grade = set_header(EXTENDED, "grade", "signed");
    a_bad(signed_grade, "\"id\" of snap \"pc\" is mandatory for signed grade model");
    _sn_free_ char *secured = set_header(EXTENDED, "grade", "secured");
    _sn_free_ char *secured_ss = sn_strdup_printf("%sstorage-safety: prefer-encrypted\n", secured);
    a_bad(secured_ss, "secured grade model must not have storage-safety overridden");
    a_bad(EXTENDED "validation-sets:\n  -\n    name: set1\n    mode: sometimes\n",
          "\"mode\" of validation-set must be prefer-enforce|enforce, not \"sometimes\"");
}

#define SERIAL "snapd-spread-log-2022/serial-41d8987e-e2eb-4d56-a518-52dd6f639a92.assert"
#define SERIAL_REQUEST "snapd-spread-log-2022/serial-request-with-model.assert"

Test(assert_types_device, serials_carry_their_device_key)
{
    _sn_free_ char *id = try_corpus_edit(SERIAL, "device-key-sha3-384: ", "device-key-sha3-384: x");
    cr_assert(id && strstr(id, "device key does not match provided key id"), "%s", id);
    _sn_free_ char *model = try_corpus_edit(SERIAL, "model: generic-classic", "model: Generic");
    cr_assert(model && strstr(model, "\"model\" header contains invalid characters: \"Generic\""), "%s", model);
    _sn_free_ char *key = try_corpus_edit(SERIAL, "device-key:\n    AcbB", "device-key:\n    AcbC");
    cr_assert_not_null(key, "a damaged device key is refused");
    _sn_free_ char *same = try_corpus_edit(SERIAL, "type: serial", "type: serial");
    cr_assert_null(same, "%s", same);
}

Test(assert_types_device, serial_requests_are_signed_by_their_device_key)
{
    _sn_free_ char *same = try_corpus_edit(SERIAL_REQUEST, "type: serial-request", "type: serial-request");
    cr_assert_null(same, "%s", same);
    /* the signing key must be the device key */
    size_t len;
    _sn_free_ char *data = corpus_read(SERIAL_REQUEST, &len);
    const char *sk = strstr(data, "sign-key-sha3-384: ");
    cr_assert_not_null(sk);
    _sn_free_ char *old = strndup(sk, strcspn(sk, "\n"));
    _sn_free_ char *m = try_corpus_edit(SERIAL_REQUEST, old, "sign-key-sha3-384: " SIGN_KEY);
    cr_assert(m && strstr(m, "device key does not match included signing key id"), "%s", m);
    _sn_free_ char *req = try_corpus_edit(SERIAL_REQUEST, "request-id: ", "request-ix: ");
    cr_assert(req && strstr(req, "\"request-id\" header is mandatory"), "%s", req);
}

#define SESSION                                                                                                        \
    "type: device-session-request\nbrand-id: brand1\nmodel: my-model\nserial: s1\nnonce: abc\n"                        \
    "timestamp: 2020-01-01T00:00:00Z\n"

Test(assert_types_device, device_session_requests)
{
    static const char *const required[] = {"model", "nonce", "timestamp"};
    check_required(SESSION, required, SN_ELEMENTSOF(required));
    _sn_free_ char *upper = set_header(SESSION, "model", "MY");
    a_bad(upper, "\"model\" header contains invalid characters: \"MY\"");
}
