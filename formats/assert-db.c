/* SPDX-License-Identifier: GPL-3.0-only */
#include <errno.h>
#include <regex.h>
#include <string.h>
#include <time.h>

#include "assert-db.h"
#include "openpgp.h"
#include "strutil.h"

typedef enum EntryKind {
    ENTRY_TRUSTED,
    ENTRY_PREDEFINED,
    ENTRY_ADDED,
} EntryKind;

typedef struct Entry {
    SnAssertion *a;
    char *ref;
    EntryKind kind;
    SnPgpPublicKey *key; /* account-key body / serial device key, parsed on first use */
} Entry;

struct SnAssertDb {
    Entry *v;
    size_t n, cap;
    int64_t now;
};

int sn_assert_db_new(SnAssertDb **ret)
{
    SnAssertDb *db = calloc(1, sizeof(*db));
    if (!db)
        return -ENOMEM;
    *ret = db;
    return 0;
}

SnAssertDb *sn_assert_db_free(SnAssertDb *db)
{
    if (!db)
        return NULL;
    for (size_t i = 0; i < db->n; i++) {
        sn_assertion_free(db->v[i].a);
        free(db->v[i].ref);
        sn_pgp_public_key_free(db->v[i].key);
    }
    free(db->v);
    free(db);
    return NULL;
}

void sn_assert_db_set_time(SnAssertDb *db, int64_t now)
{
    db->now = now;
}

static int64_t db_now(const SnAssertDb *db)
{
    return db->now ? db->now : (int64_t)time(NULL);
}

size_t sn_assert_db_count(SnAssertDb *db)
{
    return db->n;
}

static Entry *find_ref(SnAssertDb *db, const char *ref)
{
    for (size_t i = 0; i < db->n; i++)
        if (SN_STREQ(db->v[i].ref, ref))
            return &db->v[i];
    return NULL;
}

const SnAssertion *sn_assert_db_find(SnAssertDb *db, const char *type, const char *const *keys, size_t n_keys)
{
    const SnAssertType *t = sn_assert_type_lookup(type);
    if (!t || n_keys > t->n_primary_key)
        return NULL;
    SnBuf b = {0};
    sn_buf_puts(&b, t->name);
    for (size_t i = 0; i < n_keys; i++) {
        const char *defl = sn_assert_type_key_default(t, t->primary_key[i]);
        if (defl && SN_STREQ(keys[i], defl) && i + 1 == t->n_primary_key)
            break;
        sn_buf_printf(&b, "/%s", keys[i]);
    }
    _sn_free_ char *ref = sn_buf_steal(&b);
    if (!ref)
        return NULL;
    Entry *e = find_ref(db, ref);
    return e ? e->a : NULL;
}

static const SnAssertion *find1(SnAssertDb *db, const char *type, const char *key)
{
    return key ? sn_assert_db_find(db, type, &key, 1) : NULL;
}

bool sn_assert_db_is_trusted_account(SnAssertDb *db, const char *account_id)
{
    if (!account_id || !*account_id)
        return false;
    _sn_free_ char *ref = sn_strdup_printf("account/%s", account_id);
    Entry *e = ref ? find_ref(db, ref) : NULL;
    return e && e->kind == ENTRY_TRUSTED;
}

static int store(SnAssertDb *db, SnAssertion *a, EntryKind kind, SnError **reterr)
{
    _sn_cleanup_(sn_assertion_freep) SnAssertion *owned = a;
    _sn_free_ char *ref = sn_assertion_unique_ref(a);
    if (!ref)
        return -ENOMEM;
    Entry *old = find_ref(db, ref);
    if (old) {
        if (old->kind != ENTRY_ADDED)
            return sn_error_set(reterr, -EEXIST,
                                "cannot add \"%s\" assertion with primary key clashing with a %s assertion",
                                a->type->name, old->kind == ENTRY_TRUSTED ? "trusted" : "predefined");
        if (a->revision == old->a->revision && a->content_len == old->a->content_len &&
            memcmp(a->content, old->a->content, a->content_len) == 0)
            return 0; /* the same assertion again */
        if (a->revision <= old->a->revision)
            return a->revision == old->a->revision
                       ? sn_error_set(reterr, -EEXIST, "revision %d is already the current revision", a->revision)
                       : sn_error_set(reterr, -EEXIST, "revision %d is older than current revision %d", a->revision,
                                      old->a->revision);
        sn_assertion_free(old->a);
        sn_pgp_public_key_free(old->key);
        old->key = NULL;
        old->a = SN_TAKE_PTR(owned);
        return 0;
    }
    if (db->n == db->cap) {
        size_t cap = db->cap ? db->cap * 2 : 16;
        Entry *v = realloc(db->v, cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        db->v = v;
        db->cap = cap;
    }
    db->v[db->n++] = (Entry){.a = SN_TAKE_PTR(owned), .ref = SN_TAKE_PTR(ref), .kind = kind};
    return 0;
}

int sn_assert_db_add_trusted(SnAssertDb *db, SnAssertion *a, SnError **reterr)
{
    if (!SN_STREQ(a->type->name, "account") && !SN_STREQ(a->type->name, "account-key")) {
        int r =
            sn_error_set(reterr, -EINVAL, "cannot predefine trusted assertions that are not account-key or account: %s",
                         a->type->name);
        sn_assertion_free(a);
        return r;
    }
    return store(db, a, ENTRY_TRUSTED, reterr);
}

int sn_assert_db_add_predefined(SnAssertDb *db, SnAssertion *a, SnError **reterr)
{
    return store(db, a, ENTRY_PREDEFINED, reterr);
}

int sn_assert_db_add_trusted_stream(SnAssertDb *db, const char *data, size_t len, SnError **reterr)
{
    SnAssertion **list = NULL;
    size_t n = 0;
    int r = sn_assert_decode_stream(data, len, &list, &n, reterr);
    if (r < 0)
        return r;
    if (n == 0) {
        free(list);
        return sn_error_set(reterr, -EBADMSG, "no assertion found");
    }
    for (size_t i = 0; i < n; i++) {
        int k = sn_assert_db_add_trusted(db, list[i], reterr);
        list[i] = NULL;
        if (k < 0 && r == 0)
            r = k;
    }
    free(list);
    return r;
}

/* The parsed public key of an account-key entry (cached). */
static int entry_key(Entry *e, SnPgpPublicKey **ret, SnError **reterr)
{
    if (!e->key) {
        int r = sn_pgp_public_key_decode(e->a->body ? e->a->body : "", e->a->body_len, &e->key, reterr);
        if (r < 0)
            return r;
    }
    *ret = e->key;
    return 0;
}

static Entry *find_entry(SnAssertDb *db, const char *type, const char *key)
{
    _sn_free_ char *ref = sn_strdup_printf("%s/%s", type, key);
    return ref ? find_ref(db, ref) : NULL;
}

/* ---- account-key constraints (a subset of snapd's attribute matchers: strings are anchored regexps) ---- */

static bool match_value(const SnAssertValue *constraint, const SnAssertValue *value);

static bool match_string(const char *pattern, const SnAssertValue *value)
{
    if (!value || value->kind != SN_ASSERT_VALUE_STRING)
        return false;
    _sn_free_ char *anchored = sn_strdup_printf("^(%s)$", pattern);
    regex_t re;
    if (!anchored || regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB) != 0)
        return false;
    bool ok = regexec(&re, value->str, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

static bool match_value(const SnAssertValue *constraint, const SnAssertValue *value)
{
    switch (constraint->kind) {
    case SN_ASSERT_VALUE_STRING:
        if (value && value->kind == SN_ASSERT_VALUE_LIST) {
            for (size_t i = 0; i < value->n; i++)
                if (!match_value(constraint, value->items[i]))
                    return false;
            return true;
        }
        return match_string(constraint->str, value);
    case SN_ASSERT_VALUE_LIST: /* alternatives */
        for (size_t i = 0; i < constraint->n; i++)
            if (match_value(constraint->items[i], value))
                return true;
        return false;
    case SN_ASSERT_VALUE_MAP:
        if (!value || value->kind != SN_ASSERT_VALUE_MAP)
            return false;
        for (size_t i = 0; i < constraint->n; i++)
            if (!match_value(constraint->items[i], sn_assert_value_map_get(value, constraint->keys[i])))
                return false;
        return true;
    }
    return false;
}

static bool key_allows(const SnAssertion *key, const SnAssertion *a)
{
    SnAssertValue *cs = sn_assert_value_map_get(key->headers, "constraints");
    if (!cs || cs->kind != SN_ASSERT_VALUE_LIST || cs->n == 0)
        return true;
    for (size_t i = 0; i < cs->n; i++)
        if (match_value(sn_assert_value_map_get(cs->items[i], "headers"), a->headers))
            return true;
    return false;
}

/* ---- consistency (each type's checkConsistency) ---- */

static int need_account(SnAssertDb *db, const SnAssertion *a, const char *account, SnError **reterr)
{
    if (find1(db, "account", account))
        return 0;
    return sn_error_set(reterr, -ENOENT, "%s assertion for \"%s\" does not have a matching account assertion%s%s",
                        a->type->name, sn_assertion_header(a, "account-id") ?: account,
                        SN_STREQ(a->type->name, "account-key") ? "" : " for ",
                        SN_STREQ(a->type->name, "account-key") ? "" : account);
}

static int check_consistency(SnAssertDb *db, const SnAssertion *a, SnError **reterr)
{
    const char *t = a->type->name, *auth = sn_assertion_authority(a);
    if (SN_STREQ(t, "account")) {
        if (!sn_assert_db_is_trusted_account(db, auth))
            return sn_error_set(reterr, -EPERM,
                                "account assertion for \"%s\" is not signed by a directly trusted authority: %s",
                                sn_assertion_header(a, "account-id"), auth);
    } else if (SN_STREQ(t, "account-key")) {
        if (!sn_assert_db_is_trusted_account(db, auth))
            return sn_error_set(reterr, -EPERM,
                                "account-key assertion for \"%s\" is not signed by a directly trusted authority: %s",
                                sn_assertion_header(a, "account-id"), auth);
        return need_account(db, a, sn_assertion_header(a, "account-id"), reterr);
    } else if (SN_STREQ(t, "account-key-request")) {
        return need_account(db, a, sn_assertion_header(a, "account-id"), reterr);
    } else if (SN_STREQ(t, "snap-declaration")) {
        if (!sn_assert_db_is_trusted_account(db, auth))
            return sn_error_set(reterr, -EPERM,
                                "snap-declaration assertion for \"%s\" (id \"%s\") is not signed by a directly trusted "
                                "authority: %s",
                                sn_assertion_header(a, "snap-name"), sn_assertion_header(a, "snap-id"), auth);
        if (!find1(db, "account", sn_assertion_header(a, "publisher-id")))
            return sn_error_set(reterr, -ENOENT,
                                "snap-declaration assertion for \"%s\" (id \"%s\") does not have a matching account "
                                "assertion for the publisher \"%s\"",
                                sn_assertion_header(a, "snap-name"), sn_assertion_header(a, "snap-id"),
                                sn_assertion_header(a, "publisher-id"));
    } else if (SN_STREQ(t, "snap-revision")) {
        const char *prov = sn_assertion_header(a, "provenance");
        bool other = prov && !SN_STREQ(prov, SN_ASSERT_DEFAULT_PROVENANCE);
        if (!other && !sn_assert_db_is_trusted_account(db, auth))
            return sn_error_set(reterr, -EPERM,
                                "snap-revision assertion for snap id \"%s\" is not signed by a store: %s",
                                sn_assertion_header(a, "snap-id"), auth);
        if (!find1(db, "account", sn_assertion_header(a, "developer-id")))
            return sn_error_set(reterr, -ENOENT,
                                "snap-revision assertion for snap id \"%s\" does not have a matching account assertion "
                                "for the developer \"%s\"",
                                sn_assertion_header(a, "snap-id"), sn_assertion_header(a, "developer-id"));
        const char *keys[] = {"16", sn_assertion_header(a, "snap-id")};
        const SnAssertion *decl = sn_assert_db_find(db, "snap-declaration", keys, 2);
        if (!decl)
            return sn_error_set(reterr, -ENOENT,
                                "snap-revision assertion for snap id \"%s\" does not have a matching snap-declaration "
                                "assertion",
                                keys[1]);
        if (other) {
            SnAssertValue *ras = sn_assert_value_map_get(decl->headers, "revision-authority");
            int64_t rev = 0;
            sn_assert_atoi(sn_assertion_header(a, "snap-revision"), &rev);
            bool ok = false;
            for (size_t i = 0; ras && i < ras->n && !ok; i++) {
                const SnAssertValue *ra = ras->items[i];
                const SnAssertValue *provs = sn_assert_value_map_get(ra, "provenance");
                bool has = false;
                for (size_t j = 0; provs && j < provs->n; j++)
                    has = has || SN_STREQ(provs->items[j]->str, prov);
                int64_t min = 1, max = 0;
                const char *s;
                if ((s = sn_assert_value_map_get_string(ra, "min-revision")))
                    sn_assert_atoi(s, &min);
                if ((s = sn_assert_value_map_get_string(ra, "max-revision")))
                    sn_assert_atoi(s, &max);
                ok = has && SN_STREQ(sn_assert_value_map_get_string(ra, "account-id") ?: "", auth) && rev >= min &&
                     (max == 0 || rev <= max);
            }
            if (!ok)
                return sn_error_set(reterr, -EPERM,
                                    "snap-revision assertion with provenance \"%s\" for snap id \"%s\" is not signed "
                                    "by an authorized authority: %s",
                                    prov, keys[1], auth);
        }
    } else if (SN_STREQ(t, "serial")) {
        const char *brand = sn_assertion_header(a, "brand-id");
        if (!SN_STREQ(brand, auth)) {
            const char *keys[] = {"16", brand, sn_assertion_header(a, "model")};
            const SnAssertion *model = sn_assert_db_find(db, "model", keys, 3);
            SnAssertValue *sa = model ? sn_assert_value_map_get(model->headers, "serial-authority") : NULL;
            bool ok = false;
            for (size_t i = 0; sa && sa->kind == SN_ASSERT_VALUE_LIST && i < sa->n; i++)
                ok = ok || SN_STREQ(sa->items[i]->str, auth);
            if (!ok)
                return sn_error_set(reterr, -EPERM,
                                    "serial with authority \"%s\" different from brand \"%s\" without model assertion "
                                    "with serial-authority set to to allow for them",
                                    auth, brand);
        }
    } else if (SN_STREQ(t, "store")) {
        return need_account(db, a, sn_assertion_header(a, "operator-id"), reterr);
    }
    return 0;
}

/* ---- checking ---- */

static int no_authority_key(SnAssertDb *db, const SnAssertion *a, SnPgpPublicKey **ret_owned, SnError **reterr)
{
    const char *t = a->type->name;
    if (SN_STREQ(t, "account-key-request"))
        return sn_pgp_public_key_decode(a->body ? a->body : "", a->body_len, ret_owned, reterr);
    if (SN_STREQ(t, "serial-request")) {
        const char *enc = sn_assertion_header(a, "device-key");
        return sn_pgp_public_key_decode(enc, strlen(enc), ret_owned, reterr);
    }
    if (SN_STREQ(t, "device-session-request")) {
        const char *keys[] = {sn_assertion_header(a, "brand-id"), sn_assertion_header(a, "model"),
                              sn_assertion_header(a, "serial")};
        const SnAssertion *serial = sn_assert_db_find(db, "serial", keys, 3);
        if (!serial)
            return sn_error_set(reterr, -ENOKEY,
                                "cannot check no-authority assertion type \"device-session-request\": serial "
                                "assertion for %s/%s/%s not found",
                                keys[0], keys[1], keys[2]);
        const char *enc = sn_assertion_header(serial, "device-key");
        return sn_pgp_public_key_decode(enc, strlen(enc), ret_owned, reterr);
    }
    return sn_error_set(reterr, -EPERM, "cannot check no-authority assertion type \"%s\"", t);
}

static void fmt_time(int64_t t, char *buf, size_t size)
{
    sn_assert_format_time(t, buf, size);
}

int sn_assert_db_check(SnAssertDb *db, const SnAssertion *a, unsigned flags, SnError **reterr)
{
    if (a->format > a->type->max_format)
        return sn_error_set(reterr, -EBADMSG, "proposed \"%s\" assertion has format %d but %d is latest supported",
                            a->type->name, a->format, a->type->max_format);
    const char *auth = sn_assertion_authority(a), *keyid = sn_assertion_sign_key(a);
    SnPgpPublicKey *key = NULL;
    _sn_cleanup_(sn_pgp_public_key_freep) SnPgpPublicKey *owned_key = NULL;
    int r;
    if (!(a->type->flags & SN_ASSERT_NO_AUTHORITY)) {
        Entry *e = find_entry(db, "account-key", keyid);
        if (!e)
            return sn_error_set(reterr, -ENOKEY, "no matching public key \"%s\" for signature by \"%s\"", keyid, auth);
        const char *owner = sn_assertion_header(e->a, "account-id");
        if (!SN_STREQ(owner, auth))
            return sn_error_set(reterr, -EPERM,
                                "error finding matching public key for signature: found public key \"%s\" from "
                                "\"%s\" but expected it from: %s",
                                keyid, owner, auth);
        int64_t since, until, now = db_now(db);
        r = sn_assert_key_validity(e->a, &since, &until, reterr);
        if (r < 0)
            return r;
        char b1[40], b2[40], b3[40];
        if (!(flags & SN_ASSERT_DB_SKIP_TIME) && (now < since || (until && now >= until))) {
            fmt_time(now, b1, sizeof(b1));
            fmt_time(since, b2, sizeof(b2));
            fmt_time(until, b3, sizeof(b3));
            return sn_error_set(reterr, -EPERM,
                                "assertion is signed with expired public key \"%s\" from \"%s\": current time is %s "
                                "but key is valid %s %s%s%s",
                                keyid, auth, b1, until ? "during [" : "from", b2, until ? ", " : "", until ? b3 : "");
        }
        if (!key_allows(e->a, a))
            return sn_error_set(reterr, -EPERM,
                                "assertion does not match signing constraints for public key \"%s\" from \"%s\"", keyid,
                                auth);
        r = entry_key(e, &key, reterr);
        if (r < 0)
            return r;
        if (!(flags & SN_ASSERT_DB_SKIP_TIME) && a->has_timestamp &&
            (a->timestamp < since || (until && a->timestamp >= until))) {
            fmt_time(a->timestamp, b1, sizeof(b1));
            fmt_time(since, b2, sizeof(b2));
            return sn_error_set(reterr, -EPERM,
                                "%s assertion timestamp \"%s\" outside of signing key validity (key valid since "
                                "\"%s\")",
                                a->type->name, b1, b2);
        }
    } else {
        r = no_authority_key(db, a, &owned_key, reterr);
        if (r < 0)
            return r;
        key = owned_key;
    }
    _sn_cleanup_(sn_pgp_signature_freep) SnPgpSignature *sig = NULL;
    r = sn_pgp_signature_decode(a->signature, a->signature_len, &sig, reterr);
    if (r < 0)
        return r;
    r = sn_pgp_verify(key, a->content, a->content_len, sig, reterr);
    if (r < 0)
        return r;
    if (!(flags & SN_ASSERT_DB_SKIP_CONSISTENCY))
        return check_consistency(db, a, reterr);
    return 0;
}

int sn_assert_db_add(SnAssertDb *db, SnAssertion *a, unsigned flags, SnError **reterr)
{
    int r = sn_assert_db_check(db, a, flags, reterr);
    if (r < 0) {
        sn_assertion_free(a);
        return r;
    }
    if (a->type->n_primary_key == 0) {
        r = sn_error_set(reterr, -EINVAL, "internal error: assertion type \"%s\" has no primary key", a->type->name);
        sn_assertion_free(a);
        return r;
    }
    return store(db, a, ENTRY_ADDED, reterr);
}

void sn_assert_db_errors_free(char **errors, size_t n)
{
    if (!errors)
        return;
    for (size_t i = 0; i < n; i++)
        free(errors[i]);
    free(errors);
}

int sn_assert_db_add_many(SnAssertDb *db, SnAssertion **list, size_t n, unsigned flags, char ***ret_errors)
{
    char **errors = calloc(n + 1, sizeof(*errors));
    bool *done = calloc(n + 1, sizeof(*done));
    int failed = 0;
    if (!errors || !done) {
        free(errors);
        free(done);
        for (size_t i = 0; i < n; i++)
            list[i] = sn_assertion_free(list[i]);
        return -ENOMEM;
    }
    /* retry while something gets in: a key, an account or a declaration may unlock others */
    for (bool progress = true; progress;) {
        progress = false;
        for (size_t i = 0; i < n; i++) {
            if (done[i])
                continue;
            SnError *err = NULL;
            int r = sn_assert_db_check(db, list[i], flags, &err);
            if (r == 0) {
                SnAssertion *a = SN_TAKE_PTR(list[i]);
                r = store(db, a, ENTRY_ADDED, &err);
                /* it verified; an equal or newer revision is already held: nothing to update */
                if (r == -EEXIST)
                    r = 0;
            }
            free(errors[i]);
            errors[i] = NULL;
            if (r == 0) {
                done[i] = true;
                progress = true;
            } else if (r != -ENOKEY && r != -ENOENT) {
                done[i] = true; /* final */
                errors[i] = strdup(sn_error_message(err, r));
                list[i] = sn_assertion_free(list[i]);
            } else {
                errors[i] = strdup(sn_error_message(err, r));
            }
            sn_error_free(err);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (list[i] || errors[i]) {
            failed++;
            if (!errors[i])
                errors[i] = strdup("cannot add assertion");
        }
        list[i] = sn_assertion_free(list[i]);
    }
    free(done);
    if (ret_errors)
        *ret_errors = errors;
    else
        sn_assert_db_errors_free(errors, n);
    return failed;
}

int sn_assert_db_cross_check_snap(SnAssertDb *db, const char *snap_sha3_384, uint64_t snap_size, const char *snap_name,
                                  const SnAssertion **ret_revision, const SnAssertion **ret_declaration,
                                  SnError **reterr)
{
    const SnAssertion *rev = find1(db, "snap-revision", snap_sha3_384);
    if (!rev)
        return sn_error_set(reterr, -ENOENT, "cannot find pre-populated snap-revision assertion for \"%s\": %s",
                            snap_name, snap_sha3_384);
    uint64_t size = 0;
    if (sn_parse_u64(sn_assertion_header(rev, "snap-size"), &size) < 0 || size != snap_size)
        return sn_error_set(reterr, -EBADMSG,
                            "snap \"%s\" file does not have expected size according to signatures (download is "
                            "broken or tampered): %llu != %llu",
                            snap_name, (unsigned long long)snap_size, (unsigned long long)size);
    const char *keys[] = {"16", sn_assertion_header(rev, "snap-id")};
    const SnAssertion *decl = sn_assert_db_find(db, "snap-declaration", keys, 2);
    if (!decl)
        return sn_error_set(reterr, -ENOENT, "cannot find pre-populated snap-declaration assertion for \"%s\": %s",
                            snap_name, keys[1]);
    const char *declared = sn_assertion_header(decl, "snap-name");
    if (!SN_STREQ(declared, snap_name))
        return sn_error_set(reterr, -EBADMSG,
                            "cannot install \"%s\", snap \"%s\" is undergoing a rename to \"%s\" (the snap-declaration "
                            "names it \"%s\")",
                            snap_name, snap_name, declared, declared);
    if (ret_revision)
        *ret_revision = rev;
    if (ret_declaration)
        *ret_declaration = decl;
    return 0;
}
