/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assert-corpus.h"
#include "assert-db.h"
#include "assert-decode.h"
#include "assert-trusted.h"
#include "openpgp.h"

/* What INDEX.md's verdicts mean: signatures and key ownership up to a root, no time or consistency rules. */
#define CRYPTO_ONLY (SN_ASSERT_DB_SKIP_CONSISTENCY | SN_ASSERT_DB_SKIP_TIME)

/* One assertion of the corpus and what happened to it. */
typedef struct Item {
    char file[256];
    int index;
    char *error; /* NULL: verified */
} Item;

typedef struct Loaded {
    Item *items;
    size_t n;
    SnAssertDb *prod;    /* built-in Canonical roots + testrootorg */
    SnAssertDb *staging; /* Canonical's staging root */
} Loaded;

static void add_trusted_file(SnAssertDb *db, const char *rel)
{
    size_t len;
    _sn_free_ char *data = corpus_read(rel, &len);
    SnError *err = NULL;
    int r = sn_assert_db_add_trusted_stream(db, data, len, &err);
    cr_assert_eq(r, 0, "%s: %s", rel, sn_error_message(err, r));
}

static void loaded_free(Loaded *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].error);
    free(l->items);
    sn_assert_db_free(l->prod);
    sn_assert_db_free(l->staging);
}

/* Loads every positive corpus assertion into the database of its root, in any order. */
static void load_corpus(Loaded *l, unsigned flags)
{
    memset(l, 0, sizeof(*l));
    SnError *err = NULL;
    cr_assert_eq(sn_assert_db_new(&l->prod), 0);
    cr_assert_eq(sn_assert_db_new(&l->staging), 0);
    int r = sn_assert_db_add_builtin(l->prod, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    add_trusted_file(l->prod, "testrootorg/testrootorg.account");
    add_trusted_file(l->prod, "testrootorg/testrootorg-root.account-key");
    add_trusted_file(l->staging, "canonical-staging/staging-canonical.account");
    add_trusted_file(l->staging, "canonical-staging/staging-canonical-root.account-key");

    SnAssertion *pending[2][256];
    size_t where[2][256], np[2] = {0, 0};
    _sn_strv_free_ char **files = corpus_files(false);
    for (char **f = files; *f; f++) {
        size_t len, n;
        _sn_free_ char *data = corpus_read(*f, &len);
        SnAssertion **list = NULL;
        r = sn_assert_decode_stream(data, len, &list, &n, &err);
        cr_assert_eq(r, 0, "%s: %s", *f, sn_error_message(err, r));
        int which = sn_startswith(*f, "canonical-staging/") ? 1 : 0;
        SnAssertDb *db = which ? l->staging : l->prod;
        for (size_t i = 0; i < n; i++) {
            l->items = realloc(l->items, (l->n + 1) * sizeof(*l->items));
            Item *it = &l->items[l->n];
            memset(it, 0, sizeof(*it));
            snprintf(it->file, sizeof(it->file), "%s", *f);
            it->index = (int)i;
            /* a trusted root or predefined assertion: verify it in place (roots sign themselves) */
            bool present;
            const SnAssertType *t = list[i]->type;
            const char *keys[5];
            for (size_t k = 0; k < t->n_primary_key; k++)
                keys[k] = sn_assertion_header(list[i], t->primary_key[k]);
            present = sn_assert_db_find(db, t->name, keys, t->n_primary_key) != NULL;
            if (present) {
                SnError *e = NULL;
                int k = sn_assert_db_check(db, list[i], flags, &e);
                it->error = k < 0 ? strdup(sn_error_message(e, k)) : NULL;
                sn_error_free(e);
                sn_assertion_free(list[i]);
            } else {
                cr_assert_lt(np[which], 256);
                where[which][np[which]] = l->n;
                pending[which][np[which]++] = list[i];
            }
            l->n++;
        }
        free(list);
    }
    for (int which = 0; which < 2; which++) {
        char **errors = NULL;
        sn_assert_db_add_many(which ? l->staging : l->prod, pending[which], np[which], flags, &errors);
        for (size_t i = 0; i < np[which]; i++)
            l->items[where[which][i]].error = errors[i] ? strdup(errors[i]) : NULL;
        sn_assert_db_errors_free(errors, np[which]);
    }
}

static Item *find_item(Loaded *l, const char *file, int index)
{
    for (size_t i = 0; i < l->n; i++)
        if (SN_STREQ(l->items[i].file, file) && l->items[i].index == index)
            return &l->items[i];
    return NULL;
}

/* Every row of INDEX.md's assertion table: file, position, verdict. */
typedef struct Row {
    char file[256];
    int index;
    char verdict[512];
} Row;

static size_t index_rows(Row **ret)
{
    size_t len;
    _sn_free_ char *index = corpus_read("INDEX.md", &len);
    Row *rows = NULL;
    size_t n = 0;
    char *save = NULL;
    for (char *line = strtok_r(index, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] != '|')
            continue;
        char *cols[9] = {NULL};
        int nc = 0;
        char *s2 = NULL;
        for (char *c = strtok_r(line + 1, "|", &s2); c && nc < 9; c = strtok_r(NULL, "|", &s2))
            cols[nc++] = c;
        if (nc < 8)
            continue;
        for (int i = 0; i < nc; i++) {
            while (*cols[i] == ' ')
                cols[i]++;
            char *e = cols[i] + strlen(cols[i]);
            while (e > cols[i] && e[-1] == ' ')
                *--e = 0;
        }
        if (!strchr(cols[0], '/') || strspn(cols[1], "0123456789") != strlen(cols[1]) || !*cols[1])
            continue;
        rows = realloc(rows, (n + 1) * sizeof(*rows));
        snprintf(rows[n].file, sizeof(rows[n].file), "%s", cols[0]);
        rows[n].index = atoi(cols[1]);
        snprintf(rows[n].verdict, sizeof(rows[n].verdict), "%s", cols[6]);
        n++;
    }
    *ret = rows;
    return n;
}

Test(assert_db, corpus_chains_verify_up_to_their_roots_as_index_says, .timeout = 120)
{
    Loaded l;
    load_corpus(&l, CRYPTO_ONLY);
    Row *rows = NULL;
    size_t n = index_rows(&rows);
    size_t verified = 0, missing_key = 0, checked = 0;
    for (size_t i = 0; i < n; i++) {
        if (sn_startswith(rows[i].file, "negative/"))
            continue;
        Item *it = find_item(&l, rows[i].file, rows[i].index);
        cr_assert(it, "%s #%d of INDEX.md is not in the corpus", rows[i].file, rows[i].index);
        checked++;
        if (sn_startswith(rows[i].verdict, "VERIFIES") || sn_startswith(rows[i].verdict, "verifies with")) {
            cr_expect_null(it->error, "%s #%d: expected to verify, got: %s", it->file, it->index, it->error);
            verified++;
        } else if (sn_startswith(rows[i].verdict, "cannot verify here")) {
            cr_expect(it->error && strstr(it->error, "no matching public key"),
                      "%s #%d: expected \"no matching public key\", got: %s", it->file, it->index,
                      it->error ? it->error : "ok");
            missing_key++;
        } else {
            cr_expect_fail("%s #%d: unknown verdict %s", it->file, it->index, rows[i].verdict);
        }
    }
    /* every decoded assertion has a row */
    cr_expect_eq(checked, l.n, "INDEX.md lists %zu positive assertions, the corpus holds %zu", checked, l.n);
    cr_expect_geq(verified, 80);
    cr_expect_geq(missing_key, 30);
    free(rows);
    loaded_free(&l);
}

Test(assert_db, full_consistency_rules_hold_where_prerequisites_are_present, .timeout = 120)
{
    Loaded l;
    load_corpus(&l, 0);
    /* chains whose every prerequisite is in the corpus pass snapd's full checks too */
    const char *must_pass[] = {
        "canonical-trusted/canonical-root.account-key",
        "canonical-trusted/canonical.account",
        "canonical-trusted/canonical-repair-root.account-key",
        "canonical-store-chain/fde-on-classic-model-etc.assert",
        "testrootorg/developer1.account",
        "testrootorg/developer1.account-key",
        "testrootorg/developer1-22-signed.model",
        "testrootorg/testrootorg-store.account-key",
        "snapd-spread-log-2022/generic-serials.account-key.assert",
        "snapd-spread-log-2022/serial-41d8987e-e2eb-4d56-a518-52dd6f639a92.assert",
        "snapd-spread-log-2022/device-session-request-41d8987e-e2eb-4d56-a518-52dd6f639a92.assert",
        "canonical-staging/staging-generic-classic.model",
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(must_pass); i++)
        for (int k = 0; k < 8; k++) {
            Item *it = find_item(&l, must_pass[i], k);
            if (!it)
                break;
            cr_expect_null(it->error, "%s #%d: %s", it->file, k, it->error);
        }
    /*
     * What fails with snapd's full rules fails for a missing key or prerequisite, or, for old
     * developer1 test models, because their timestamp predates the developer1 key's "since"
     * (snapd refuses those too: CheckTimestampVsSigningKeyValidity).
     */
    for (size_t i = 0; i < l.n; i++) {
        const char *e = l.items[i].error;
        if (!e)
            continue;
        bool old_dev1 = sn_startswith(l.items[i].file, "testrootorg/developer1-") &&
                        strstr(e, "outside of signing key validity (key valid since \"2020-09-11T16:47:45Z\")");
        cr_expect(strstr(e, "no matching public key") || strstr(e, "does not have a matching") || old_dev1,
                  "%s #%d failed for an unexpected reason: %s", l.items[i].file, l.items[i].index, e);
    }
    loaded_free(&l);
}

Test(assert_db, negative_vectors_are_rejected_for_their_reason, .timeout = 60)
{
    Loaded l;
    load_corpus(&l, CRYPTO_ONLY);
    struct {
        const char *file, *reason;
    } cases[] = {
        {"negative/derived-01-canonical-account-tampered-display-name.assert", "hash tag doesn't match"},
        {"negative/derived-02-account-key-wrong-body-length.assert", "missing content/signature separator"},
        {"negative/derived-03-model-no-blank-line-before-signature.assert", "unexpected EOF"},
        {"negative/derived-04-model-repeated-header.assert", "repeated header"},
        {"negative/derived-05-model-header-missing-space.assert", "should have a space"},
        {"negative/derived-06-model-signed-by-unknown-key-id.assert", "no matching public key"},
        {"negative/derived-07-model-signature-from-other-assertion.assert", "hash tag doesn't match"},
        {"negative/snapd-valid-for-testing-pc-revno-2-26.model", "but expected it from: test-snapd"},
        {"negative/ubuntu-image-modelAssertionEmpty.assert", "no assertion"},
        /* the fake "sig" signature: the key is unknown, and the signature would not even decode */
        {"negative/ubuntu-image-modelAssertionNotOne.assert", "no matching public key"},
        {"negative/ubuntu-image-modelAssertionReserverdHeader.assert", "no matching public key"},
        {"negative/ubuntu-image-modelAssertionValidationSets.assert", "failed signature verification"},
        {"negative/ubuntu-image-modelAssertionValidationSetsAmbiguous.assert", "failed signature verification"},
    };
    _sn_strv_free_ char **files = corpus_files(true);
    cr_assert_eq(sn_strv_length(files), SN_ELEMENTSOF(cases), "negative/ has files without a stated reason");
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        size_t len, n = 0;
        _sn_free_ char *data = corpus_read(cases[i].file, &len);
        SnAssertion **list = NULL;
        SnError *err = NULL;
        int r = sn_assert_decode_stream(data, len, &list, &n, &err);
        _sn_free_ char *reason = NULL;
        if (r < 0) {
            reason = strdup(sn_error_message(err, r));
        } else if (n == 0) {
            reason = strdup("no assertion");
            free(list);
        } else {
            /* the model (the assertion under test) is the first in each of these files */
            char **errors = NULL;
            SnAssertDb *db = strstr(cases[i].file, "staging") ? l.staging : l.prod;
            /* its prerequisites already sit in the database; the stream's other members are duplicates */
            r = sn_assert_db_check(db, list[0], CRYPTO_ONLY, &err);
            reason = r < 0 ? strdup(sn_error_message(err, r)) : NULL;
            if (strstr(cases[i].file, "NotOne") || strstr(cases[i].file, "Reserverd")) {
                SnPgpSignature *sig = NULL;
                SnError *e2 = NULL;
                cr_expect_lt(sn_pgp_signature_decode(list[0]->signature, list[0]->signature_len, &sig, &e2), 0);
                cr_expect(e2 && strstr(e2->message, "cannot decode signature"), "%s", sn_error_message(e2, -1));
                sn_error_free(e2);
            }
            for (size_t k = 0; k < n; k++)
                sn_assertion_free(list[k]);
            free(list);
            (void)errors;
        }
        sn_error_free(err);
        cr_expect(reason && strstr(reason, cases[i].reason), "%s: expected \"%s\", got: %s", cases[i].file,
                  cases[i].reason, reason ? reason : "accepted");
    }
    loaded_free(&l);
}

/* Where the unhashed issuer key ID lies in a decoded signature field, as byte offsets of the raw packet. */
static void issuer_range(const uint8_t *raw, size_t len, size_t *from, size_t *to)
{
    *from = *to = 0;
    size_t hl = raw[2] < 192 ? 2 : raw[2] < 224 ? 3 : 6; /* raw[0] is the 0x01 format byte */
    size_t body = 1 + hl;
    if (body + 6 > len)
        return;
    size_t hlen = (size_t)raw[body + 4] << 8 | raw[body + 5];
    size_t u = body + 6 + hlen;
    if (u + 2 > len)
        return;
    size_t ulen = (size_t)raw[u] << 8 | raw[u + 1];
    for (size_t i = u + 2; i + 1 < u + 2 + ulen && i + 1 < len;) {
        size_t l = raw[i];
        if (raw[i + 1] == 16 && l == 9) {
            *from = i + 2;
            *to = i + 10;
        }
        i += 1 + l;
    }
}

/* True when flipped and original signature fields differ only inside the unsigned issuer key ID. */
static bool only_issuer_changed(const SnAssertion *orig, const char *sig, size_t siglen)
{
    _sn_free_ uint8_t *a = NULL;
    _sn_free_ uint8_t *b = NULL;
    size_t alen, blen;
    if (sn_base64_decode(orig->signature, orig->signature_len, &a, &alen) < 0 ||
        sn_base64_decode(sig, siglen, &b, &blen) < 0 || alen != blen)
        return false;
    size_t from, to;
    issuer_range(a, alen, &from, &to);
    for (size_t i = 0; i < alen; i++)
        if (a[i] != b[i] && (i < from || i >= to))
            return false;
    return true;
}

Test(assert_db, flipping_any_byte_of_a_verified_assertion_is_rejected, .timeout = 120)
{
    Loaded l;
    load_corpus(&l, CRYPTO_ONLY);
    size_t flips = 0, issuer_only = 0, assertions = 0;
    _sn_strv_free_ char **files = corpus_files(false);
    for (char **f = files; *f; f++) {
        size_t len, n;
        _sn_free_ char *data = corpus_read(*f, &len);
        SnAssertion **list = NULL;
        cr_assert_eq(sn_assert_decode_stream(data, len, &list, &n, NULL), 0);
        SnAssertDb *db = sn_startswith(*f, "canonical-staging/") ? l.staging : l.prod;
        for (size_t i = 0; i < n; i++) {
            Item *it = find_item(&l, *f, (int)i);
            if (!it || it->error)
                continue; /* only assertions that verify are interesting */
            assertions++;
            /* the assertion as snapd's Encode gives it: content, blank line, signature, newline */
            SnBuf enc = {0};
            sn_buf_append(&enc, list[i]->content, list[i]->content_len);
            sn_buf_puts(&enc, "\n\n");
            sn_buf_append(&enc, list[i]->signature, list[i]->signature_len);
            sn_buf_putc(&enc, '\n');
            cr_assert(sn_buf_ok(&enc));
            for (size_t pos = 0; pos < enc.len; pos++) {
                enc.data[pos] ^= 0x01;
                SnAssertion *a = NULL;
                if (sn_assert_decode(enc.data, enc.len, &a, NULL) == 0) {
                    int r = sn_assert_db_check(db, a, CRYPTO_ONLY, NULL);
                    if (r == 0) {
                        /* OpenPGP does not sign the unhashed issuer key ID: snapd ignores it too */
                        cr_assert(pos > list[i]->content_len &&
                                      only_issuer_changed(list[i], a->signature, a->signature_len),
                                  "%s #%zu: flipping byte %zu (0x%02x) still verifies", *f, i, pos,
                                  (unsigned char)(enc.data[pos] ^ 0x01));
                        issuer_only++;
                    }
                    sn_assertion_free(a);
                }
                enc.data[pos] ^= 0x01;
                flips++;
            }
            sn_buf_done(&enc);
        }
        for (size_t i = 0; i < n; i++)
            sn_assertion_free(list[i]);
        free(list);
    }
    cr_log_info("%zu flips over %zu verified assertions; %zu only touched the unsigned issuer key ID", flips,
                assertions, issuer_only);
    cr_assert_geq(assertions, 80);
    loaded_free(&l);
}

Test(assert_db, keys_are_checked_against_time)
{
    SnAssertDb *db = NULL;
    SnError *err = NULL;
    cr_assert_eq(sn_assert_db_new(&db), 0);
    cr_assert_eq(sn_assert_db_add_builtin(db, &err), 0);
    size_t len;
    _sn_free_ char *data = corpus_read("canonical-store-chain/fde-on-classic-model-etc.assert", &len);
    SnAssertion **list = NULL;
    size_t n;
    cr_assert_eq(sn_assert_decode_stream(data, len, &list, &n, NULL), 0);
    /* before the root key's since (2016-04-01) nothing it signed is valid */
    sn_assert_db_set_time(db, 1451606400);
    int r = sn_assert_db_check(db, list[0], SN_ASSERT_DB_SKIP_CONSISTENCY, &err);
    cr_assert_lt(r, 0);
    cr_assert(strstr(err->message, "expired public key") || strstr(err->message, "no matching public key"), "%s",
              err->message);
    sn_error_free(err);
    err = NULL;
    for (size_t i = 0; i < n; i++)
        sn_assertion_free(list[i]);
    free(list);
    sn_assert_db_free(db);
}
