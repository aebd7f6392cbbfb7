/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The checks of device-related assertion types (snapd's assembleModel, assembleSerial,
 * assembleSerialRequest, assembleDeviceSessionRequest): model (classic and extended, with its
 * snaps, authorities and validation sets), serial, serial-request and device-session-request.
 */
#include <errno.h>
#include <string.h>

#include "assert-decode.h"
#include "assert-types-internal.h"
#include "naming.h"
#include "openpgp.h"
#include "strutil.h"

#define E(reterr, ...) sn_error_set(reterr, -EBADMSG, __VA_ARGS__)

static bool channel_has_track(const char *ch)
{
    /* "latest/stable", "22", "22/edge": the first component is a track unless it is a risk */
    static const char *const risks[] = {"stable", "candidate", "beta", "edge"};
    size_t n = strcspn(ch, "/");
    if (n == 0)
        return false;
    for (size_t i = 0; i < SN_ELEMENTSOF(risks); i++)
        if (strlen(risks[i]) == n && strncmp(ch, risks[i], n) == 0)
            return false;
    return true;
}

static int check_model_snaps(const SnAssertValue *snaps, const char *base, const char *grade, bool classic,
                             SnError **reterr)
{
    static const char *const types[] = {"app", "base", "gadget", "kernel", "core", "snapd"};
    if (snaps->kind != SN_ASSERT_VALUE_LIST)
        return E(reterr, "\"snaps\" header must be a list of maps");
    bool has_kernel = false, has_gadget = false, has_snapd = false;
    for (size_t i = 0; i < snaps->n; i++) {
        const SnAssertValue *s = snaps->items[i];
        const char *name, *id = NULL, *type, *presence, *channel;
        int r;
        if (s->kind != SN_ASSERT_VALUE_MAP)
            return E(reterr, "\"snaps\" header must be a list of maps");
        if ((r = sn_assert_check_not_empty(s, "name", "of snap", &name, reterr)) < 0)
            return r;
        if (!sn_name_snap_valid(name))
            return E(reterr, "invalid snap name \"%.64s\"", name);
        for (size_t j = 0; j < i; j++)
            if (SN_STREQ(sn_assert_value_map_get_string(snaps->items[j], "name") ?: "", name))
                return E(reterr, "cannot list the same snap \"%s\" multiple times", name);
        if (sn_assert_value_map_get(s, "id")) {
            if ((r = sn_assert_check_matches(s, "id", "of snap", sn_name_snap_id_valid, &id, reterr)) < 0)
                return r;
        } else if (!SN_STREQ(grade, "dangerous")) {
            return E(reterr, "\"id\" of snap \"%s\" is mandatory for %s grade model", name, grade);
        }
        if ((r = sn_assert_check_optional_string(s, "type", "of snap", &type, reterr)) < 0 ||
            (r = sn_assert_check_optional_string(s, "presence", "of snap", &presence, reterr)) < 0 ||
            (r = sn_assert_check_optional_string(s, "default-channel", "of snap", &channel, reterr)) < 0)
            return r;
        if (!*type)
            type = "app";
        bool known = false;
        for (size_t j = 0; j < SN_ELEMENTSOF(types); j++)
            known = known || SN_STREQ(type, types[j]);
        if (!known)
            return E(reterr, "type of snap \"%s\" must be one of app|base|gadget|kernel|core|snapd", name);
        bool essential =
            SN_STREQ(type, "snapd") || SN_STREQ(type, "kernel") || SN_STREQ(type, "gadget") || SN_STREQ(name, base);
        if (*presence && !SN_STREQ(presence, "required") && !SN_STREQ(presence, "optional"))
            return E(reterr, "presence of snap \"%s\" must be one of required|optional", name);
        if (essential && *presence)
            return E(reterr, "essential snaps are always available, cannot specify presence for snap \"%s\"", name);
        if ((r = sn_assert_check_string_list(s, "modes", NULL, reterr)) < 0)
            return r;
        if (essential && sn_assert_value_map_get(s, "modes"))
            return E(reterr, "essential snaps are always available, cannot specify modes of snap \"%s\"", name);
        if (*channel && !channel_has_track(channel))
            return E(reterr, "default channel for snap \"%s\" must specify a track", name);
        bool snap_classic;
        if ((r = sn_assert_check_bool(s, "classic", "of snap", &snap_classic, reterr)) < 0)
            return r;
        if (snap_classic && !classic)
            return E(reterr, "snap \"%s\" cannot be classic in non-classic model", name);
        if (SN_STREQ(type, "kernel")) {
            if (has_kernel)
                return E(reterr, "cannot specify multiple kernel snaps");
            has_kernel = true;
        } else if (SN_STREQ(type, "gadget")) {
            if (has_gadget)
                return E(reterr, "cannot specify multiple gadget snaps");
            has_gadget = true;
        } else if (SN_STREQ(type, "snapd")) {
            if (has_snapd)
                return E(reterr, "cannot specify multiple snapd snaps");
            has_snapd = true;
        } else if (SN_STREQ(name, base) && !SN_STREQ(type, "base")) {
            return E(reterr, "boot base \"%s\" must specify type \"base\", not \"%s\"", base, type);
        }
    }
    if (!classic) {
        if (!has_gadget)
            return E(reterr, "one \"snaps\" header entry must specify the model gadget");
        if (!has_kernel)
            return E(reterr, "one \"snaps\" header entry must specify the model kernel");
    } else if (has_kernel && !has_gadget) {
        return E(reterr, "cannot specify a kernel in an extended classic model without a model gadget");
    }
    return 0;
}

static int check_authority_list(const SnAssertValue *h, const char *name, bool wildcard, SnError **reterr)
{
    SnAssertValue *v = sn_assert_value_map_get(h, name);
    if (!v)
        return 0;
    if (v->kind == SN_ASSERT_VALUE_STRING && wildcard && SN_STREQ(v->str, "*"))
        return 0;
    if (v->kind == SN_ASSERT_VALUE_LIST && sn_assert_check_string_list(h, name, sn_name_account_id_valid, NULL) == 0)
        return 0;
    return E(reterr,
             wildcard ? "\"%s\" header must be '*' or a list of account ids"
                      : "\"%s\" header must be a list of account ids",
             name);
}

int sn_assert_type_check_model(SnAssertion *a, SnError **reterr)
{
    SnAssertValue *h = a->headers;
    const char *brand = sn_assertion_header(a, "brand-id"), *auth = sn_assertion_authority(a);
    int r;
    if (!brand || !auth || !SN_STREQ(brand, auth))
        return E(reterr,
                 "authority-id and brand-id must match, model assertions are expected to be signed by the brand: "
                 "\"%s\" != \"%s\"",
                 auth ?: "", brand ?: "");
    if ((r = sn_assert_check_matches(h, "model", "header", sn_name_app_valid, NULL, reterr)) < 0)
        return r;
    if (!sn_assert_model_name_valid(sn_assertion_header(a, "model")))
        return E(reterr, "\"model\" header cannot contain uppercase letters");
    bool classic;
    if ((r = sn_assert_check_bool(h, "classic", "header", &classic, reterr)) < 0)
        return r;
    SnAssertValue *snaps = sn_assert_value_map_get(h, "snaps");
    bool extended = snaps != NULL;
    static const char *const conflicting[] = {"gadget", "kernel", "required-snaps"};
    if (extended) {
        for (size_t i = 0; i < SN_ELEMENTSOF(conflicting); i++)
            if (sn_assert_value_map_get(h, conflicting[i]))
                return E(reterr, "cannot specify separate \"%s\" header once using the extended snaps header",
                         conflicting[i]);
    } else {
        if (sn_assert_value_map_get(h, "grade"))
            return E(reterr, "cannot specify a grade for model without the extended snaps header");
        if (sn_assert_value_map_get(h, "storage-safety"))
            return E(reterr, "cannot specify storage-safety for model without the extended snaps header");
    }
    if (classic && !extended) {
        if (sn_assert_value_map_get(h, "kernel"))
            return E(reterr, "cannot specify a kernel with a non-extended classic model");
        if (sn_assert_value_map_get(h, "base"))
            return E(reterr, "cannot specify a base with a non-extended classic model");
    }
    if (classic && extended) {
        const char *d;
        if ((r = sn_assert_check_not_empty(h, "distribution", "header", &d, reterr)) < 0)
            return r;
        if (strspn(d, "abcdefghijklmnopqrstuvwxyz0123456789._-") != strlen(d))
            return E(reterr,
                     "\"distribution\" header contains invalid characters: \"%.64s\", see distribution ID "
                     "in os-release spec",
                     d);
    } else if (sn_assert_value_map_get(h, "distribution")) {
        return E(reterr, "cannot specify distribution for model unless it is classic and has an extended snaps header");
    }
    static const char *const mandatory[] = {"architecture", "gadget", "kernel"};
    static const char *const ext_mandatory[] = {"architecture", "base"};
    const char *const *check = extended ? ext_mandatory : mandatory;
    size_t ncheck = extended ? SN_ELEMENTSOF(ext_mandatory) : SN_ELEMENTSOF(mandatory);
    for (size_t i = 0; i < ncheck; i++) {
        if (!extended && classic) {
            if (SN_STREQ(check[i], "kernel"))
                continue;
            r = sn_assert_check_optional_string(h, check[i], "header", NULL, reterr);
        } else {
            r = sn_assert_check_not_empty(h, check[i], "header", NULL, reterr);
        }
        if (r < 0)
            return r;
    }
    const char *base, *grade = "signed";
    if ((r = sn_assert_check_optional_string(h, "base", "header", &base, reterr)) < 0)
        return r;
    if (*base && !sn_name_snap_valid(base))
        return E(reterr, "invalid snap name in \"base\" header: %.64s", base);
    if ((r = sn_assert_check_optional_string(h, "store", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_optional_string(h, "display-name", "header", NULL, reterr)) < 0)
        return r;
    if (extended) {
        const char *g, *ss;
        if ((r = sn_assert_check_optional_string(h, "grade", "header", &g, reterr)) < 0 ||
            (r = sn_assert_check_optional_string(h, "storage-safety", "header", &ss, reterr)) < 0)
            return r;
        if (*g && !SN_STREQ(g, "dangerous") && !SN_STREQ(g, "signed") && !SN_STREQ(g, "secured"))
            return E(reterr, "grade for model must be secured|signed|dangerous, not \"%.32s\"", g);
        if (*g)
            grade = g;
        if (*ss && !SN_STREQ(ss, "prefer-unencrypted") && !SN_STREQ(ss, "prefer-encrypted") &&
            !SN_STREQ(ss, "encrypted"))
            return E(reterr,
                     "storage-safety for model must be encrypted|prefer-encrypted|prefer-unencrypted, not "
                     "\"%.32s\"",
                     ss);
        if (SN_STREQ(grade, "secured") && *ss && !SN_STREQ(ss, "encrypted"))
            return E(reterr,
                     "secured grade model must not have storage-safety overridden, only \"encrypted\" is valid");
        if ((r = check_model_snaps(snaps, base, grade, classic, reterr)) < 0)
            return r;
    } else {
        static const char *const tracked[] = {"kernel", "gadget"};
        for (size_t i = 0; i < SN_ELEMENTSOF(tracked); i++) {
            SnAssertValue *v = sn_assert_value_map_get(h, tracked[i]);
            if (!v)
                continue;
            if (v->kind != SN_ASSERT_VALUE_STRING)
                return E(reterr, "\"%s\" header must be a string", tracked[i]);
            _sn_free_ char *name = strndup(v->str, strcspn(v->str, "="));
            if (!name)
                return -ENOMEM;
            if (!sn_name_snap_valid(name))
                return E(reterr, "invalid snap name in \"%s\" header: %.64s", tracked[i], v->str);
        }
        if ((r = sn_assert_check_string_list(h, "required-snaps", NULL, reterr)) < 0)
            return r;
        SnAssertValue *req = sn_assert_value_map_get(h, "required-snaps");
        for (size_t i = 0; req && i < req->n; i++)
            if (!sn_name_snap_valid(req->items[i]->str))
                return E(reterr, "invalid snap name in \"required-snaps\" header: %.64s", req->items[i]->str);
    }
    if ((r = check_authority_list(h, "serial-authority", false, reterr)) < 0 ||
        (r = check_authority_list(h, "system-user-authority", true, reterr)) < 0 ||
        (r = check_authority_list(h, "preseed-authority", false, reterr)) < 0 ||
        (r = sn_assert_check_timestamp(a, reterr)) < 0)
        return r;
    SnAssertValue *vs;
    if ((r = sn_assert_check_kind(h, "validation-sets", SN_ASSERT_VALUE_LIST, "header", &vs, reterr)) < 0)
        return r;
    for (size_t i = 0; vs && i < vs->n; i++) {
        const SnAssertValue *item = vs->items[i];
        const char *mode;
        if (item->kind != SN_ASSERT_VALUE_MAP)
            return E(reterr, "entry in \"validation-sets\" is not a valid validation-set");
        if ((r = sn_assert_check_matches(item, "name", "of validation-set", sn_assert_lower_alnum_dash_name_valid, NULL,
                                         reterr)) < 0 ||
            (r = sn_assert_check_not_empty(item, "mode", "of validation-set", &mode, reterr)) < 0)
            return r;
        if (!SN_STREQ(mode, "prefer-enforce") && !SN_STREQ(mode, "enforce"))
            return E(reterr, "\"mode\" of validation-set must be prefer-enforce|enforce, not \"%.32s\"", mode);
    }
    return 0;
}

int sn_assert_type_check_serial(SnAssertion *a, SnError **reterr)
{
    SnAssertValue *h = a->headers;
    const char *enc, *id;
    int r;
    if ((r = sn_assert_check_matches(h, "brand-id", "header", sn_name_account_id_valid, NULL, reterr)) < 0 ||
        (r = sn_assert_check_matches(h, "model", "header", sn_assert_model_name_valid, NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(h, "device-key", "header", &enc, reterr)) < 0)
        return r;
    _sn_cleanup_(sn_pgp_public_key_freep) SnPgpPublicKey *key = NULL;
    if ((r = sn_pgp_public_key_decode(enc, strlen(enc), &key, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(h, "device-key-sha3-384", "header", &id, reterr)) < 0)
        return r;
    if (!SN_STREQ(id, key->id))
        return E(reterr, "device key does not match provided key id");
    return sn_assert_check_timestamp(a, reterr);
}

int sn_assert_type_check_serial_request(SnAssertion *a, SnError **reterr)
{
    SnAssertValue *h = a->headers;
    const char *enc;
    int r;
    if ((r = sn_assert_check_not_empty(h, "brand-id", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_matches(h, "model", "header", sn_assert_model_name_valid, NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(h, "request-id", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_optional_string(h, "serial", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(h, "device-key", "header", &enc, reterr)) < 0)
        return r;
    _sn_cleanup_(sn_pgp_public_key_freep) SnPgpPublicKey *key = NULL;
    if ((r = sn_pgp_public_key_decode(enc, strlen(enc), &key, reterr)) < 0)
        return r;
    if (!SN_STREQ(key->id, sn_assertion_sign_key(a)))
        return E(reterr, "device key does not match included signing key id");
    return 0;
}

int sn_assert_type_check_device_session_request(SnAssertion *a, SnError **reterr)
{
    int r;
    if ((r = sn_assert_check_matches(a->headers, "model", "header", sn_assert_model_name_valid, NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(a->headers, "nonce", "header", NULL, reterr)) < 0)
        return r;
    return sn_assert_check_timestamp(a, reterr);
}
