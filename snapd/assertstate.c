/* SPDX-License-Identifier: GPL-3.0-only */
#include "assertstate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "assert-encode.h"
#include "assert-trusted.h"
#include "digest.h"
#include "fd-util.h"
#include "strutil.h"

/* Trusted assertion files are small: a root account and its keys. */
#define TRUSTED_FILE_MAX (1024 * 1024)

/*
 * The trust database and, since it cannot be walked, the list of what was put in it, in snapd's
 * backstore order (trusted, predefined, stored). The pointers are borrowed from db.
 */
typedef struct Catalog {
    SnAssertDb *db;
    const SnAssertion **v;
    size_t n, cap;
} Catalog;

static void catalog_done(Catalog *c)
{
    c->db = sn_assert_db_free(c->db);
    free(c->v);
    c->v = NULL;
    c->n = c->cap = 0;
}

static int catalog_push(Catalog *c, const SnAssertion *a)
{
    if (!a)
        return 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i] == a)
            return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        const SnAssertion **v = realloc(c->v, cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = a;
    return 0;
}

/* The primary-key values of a (optional ones filled with their default by the decoder). */
static size_t primary_keys(const SnAssertion *a, const char *keys[static 5])
{
    for (size_t i = 0; i < a->type->n_primary_key; i++)
        keys[i] = sn_assertion_header(a, a->type->primary_key[i]);
    return a->type->n_primary_key;
}

static const SnAssertion *db_find_like(SnAssertDb *db, const SnAssertion *a)
{
    const char *keys[5];
    size_t n = primary_keys(a, keys);
    return sn_assert_db_find(db, a->type->name, keys, n);
}

/* The primary_key column: the values joined by '/' (they never contain one). */
static char *primary_key_column(const SnAssertion *a)
{
    SnBuf b = {0};
    for (size_t i = 0; i < a->type->n_primary_key; i++) {
        if (i > 0)
            sn_buf_putc(&b, '/');
        sn_buf_puts(&b, sn_assertion_header(a, a->type->primary_key[i]) ?: "");
    }
    if (b.len == 0)
        sn_buf_puts(&b, "");
    return sn_buf_steal(&b);
}

/*
 * What sn_assert_db_add_builtin puts in: Canonical's root account and key (trusted) and snapd's
 * predefined generic account, models key and generic-classic model (asserts/sysdb). A unit test
 * checks that each one is found, so a change of the built-in set cannot go unnoticed here.
 */
static const struct {
    const char *type;
    const char *keys[3];
    size_t n_keys;
} builtin_refs[] = {
    {"account", {"canonical"}, 1},
    {"account-key", {"-CvQKAwRQ5h3Ffn10FILJoEZUXOv6km9FwA80-Rcj-f-6jadQ89VRswHNiEB9Lxk"}, 1},
    {"account", {"generic"}, 1},
    {"account-key", {"d-JcZF9nD9eBw7bwMnH61x-bklnQOhQud1Is6o_cn2wTj8EYDi9musrIT9z2MdAa"}, 1},
    {"model", {"16", "generic", "generic-classic"}, 3},
};

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists what sn_assert_db_load_trusted_dir (which checked ownership and modes) added from dir. */
static int catalog_list_trusted_dir(Catalog *c, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    _sn_strv_free_ char **names = NULL;
    int r = 0;
    for (struct dirent *de; (de = readdir(d));)
        if (de->d_name[0] != '.' && (r = sn_strv_push(&names, de->d_name)) < 0)
            break;
    closedir(d);
    if (r < 0 || !names)
        return r;
    qsort(names, sn_strv_length(names), sizeof(*names), name_cmp);
    _sn_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return 0;
    for (char **name = names; *name; name++) {
        _sn_free_ char *data = NULL;
        size_t len = 0;
        if (sn_read_file_at(dfd, *name, TRUSTED_FILE_MAX, &data, &len) < 0)
            continue;
        _sn_cleanup_(sn_assertion_list_freep) SnAssertion **list = NULL;
        if (sn_assert_decode_stream(data, len, &list, NULL, NULL) < 0)
            continue;
        for (SnAssertion **a = list; *a; a++)
            if ((r = catalog_push(c, db_find_like(c->db, *a))) < 0)
                return r;
    }
    return 0;
}

/* A stored row that a newer revision in the batch being added replaces: it is left out. */
typedef bool (*ExcludeFn)(const SnAssertion *stored, void *userdata);

static int catalog_load(SnState *st, ExcludeFn exclude, void *userdata, Catalog *c, SnError **reterr)
{
    int r = sn_assert_db_new(&c->db);
    if (r < 0)
        return r;
    r = sn_assert_db_add_builtin(c->db, reterr);
    if (r < 0)
        return r;
    for (size_t i = 0; i < SN_ELEMENTSOF(builtin_refs); i++)
        if ((r = catalog_push(
                 c, sn_assert_db_find(c->db, builtin_refs[i].type, builtin_refs[i].keys, builtin_refs[i].n_keys))) < 0)
            return r;

    _sn_free_ char *dir = sn_strdup_printf("%s/etc/microsnap/trusted.d", sn_state_root(st));
    if (!dir)
        return -ENOMEM;
    r = sn_assert_db_load_trusted_dir(c->db, dir, reterr);
    if (r < 0)
        return r;
    r = catalog_list_trusted_dir(c, dir);
    if (r < 0)
        return r;

    _sn_stmt_ sqlite3_stmt *s = NULL;
    r = sn_state_prepare(st, "SELECT type, primary_key, body FROM assertions ORDER BY type, primary_key", &s, reterr);
    if (r < 0)
        return r;
    for (;;) {
        int k = sqlite3_step(s);
        if (k == SQLITE_DONE)
            break;
        if (k != SQLITE_ROW)
            return sn_state_sql_error(st, reterr, "cannot read the assertions");
        const char *body = (const char *)sqlite3_column_blob(s, 2);
        size_t len = (size_t)sqlite3_column_bytes(s, 2);
        SnAssertion *a = NULL;
        SnError *err = NULL;
        r = sn_assert_decode(body ? body : "", len, &a, &err);
        if (r < 0) {
            r = sn_error_set(reterr, -EIO, "cannot decode the stored %s assertion %s: %s",
                             (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
                             sn_error_message(err, r));
            sn_error_free(err);
            return r;
        }
        if (exclude && exclude(a, userdata)) {
            sn_assertion_free(a);
            continue;
        }
        /* the database takes a: keep what finds it again */
        const SnAssertType *t = a->type;
        const char *keys[5];
        size_t n = primary_keys(a, keys);
        _sn_free_ char *pk = primary_key_column(a);
        _sn_strv_free_ char **kcopy = NULL;
        bool oom = !pk;
        for (size_t i = 0; !oom && i < n; i++)
            oom = sn_strv_push(&kcopy, keys[i] ?: "") < 0;
        if (oom) {
            sn_assertion_free(a);
            return -ENOMEM;
        }
        r = sn_assert_db_add_predefined(c->db, a, &err);
        if (r == -EEXIST) {
            /* the same primary key as a root (one added to trusted.d later): the root wins */
            sn_error_free(err);
            continue;
        }
        if (r < 0) {
            r = sn_error_set(reterr, r, "cannot load the stored %s assertion %s: %s", t->name, pk,
                             sn_error_message(err, r));
            sn_error_free(err);
            return r;
        }
        if ((r = catalog_push(c, sn_assert_db_find(c->db, t->name, (const char *const *)kcopy, n))) < 0)
            return r;
    }
    return 0;
}

int sn_assertstate_open_db(SnState *st, SnAssertDb **ret_db, SnError **reterr)
{
    Catalog c = {0};
    int r = catalog_load(st, NULL, NULL, &c, reterr);
    if (r < 0) {
        catalog_done(&c);
        return r;
    }
    *ret_db = SN_TAKE_PTR(c.db);
    catalog_done(&c);
    return 0;
}

/* ---- adding ---- */

/* snapd's Ref.String(): "TYPE (KEY)", or "TYPE (LAST; k1:v1 k2:v2)" for several keys. */
static char *ref_string(const SnAssertType *t, const char *const *keys, size_t n)
{
    size_t nopt = t->optional_last_default ? 1 : 0;
    SnBuf b = {0};
    sn_buf_printf(&b, "%s (", t->name);
    if (n > t->n_primary_key || n + nopt < t->n_primary_key)
        sn_buf_puts(&b, "???");
    else if (t->n_primary_key > 0) {
        size_t last = t->n_primary_key - nopt - 1;
        sn_buf_puts(&b, keys[last]);
        if (t->n_primary_key > 1) {
            sn_buf_putc(&b, ';');
            for (size_t i = 0; i < last; i++)
                sn_buf_printf(&b, " %s:%s", t->primary_key[i], keys[i]);
            for (size_t i = t->n_primary_key - nopt; i < n; i++)
                if (!SN_STREQ(keys[i], t->optional_last_default))
                    sn_buf_printf(&b, " %s:%s", t->primary_key[i], keys[i]);
        }
    } else
        sn_buf_putc(&b, '-');
    sn_buf_putc(&b, ')');
    return sn_buf_steal(&b);
}

typedef struct Ref {
    const char *type;
    const char *keys[3];
    size_t n;
} Ref;

/* snapd's Prerequisites() of each type (besides the signing key). Returns how many. */
static size_t prerequisites(const SnAssertion *a, Ref out[4])
{
    const char *name = a->type->name;
    size_t n = 0;
#define H(h) (sn_assertion_header(a, h) ?: "")
    if (SN_STREQ(name, "account-key") || SN_STREQ(name, "account-key-request"))
        out[n++] = (Ref){"account", {H("account-id")}, 1};
    else if (SN_STREQ(name, "snap-declaration"))
        out[n++] = (Ref){"account", {H("publisher-id")}, 1};
    else if (SN_STREQ(name, "snap-revision") || SN_STREQ(name, "snap-resource-revision")) {
        out[n++] = (Ref){"snap-declaration", {"16", H("snap-id")}, 2};
        out[n++] = (Ref){"account", {H("developer-id")}, 1};
    } else if (SN_STREQ(name, "snap-resource-pair"))
        out[n++] = (Ref){"snap-declaration", {"16", H("snap-id")}, 2};
    else if (SN_STREQ(name, "validation")) {
        out[n++] = (Ref){"snap-declaration", {H("series"), H("snap-id")}, 2};
        out[n++] = (Ref){"snap-declaration", {H("series"), H("approved-snap-id")}, 2};
    } else if (SN_STREQ(name, "snap-developer")) {
        out[n++] = (Ref){"snap-declaration", {"16", H("snap-id")}, 2};
        out[n++] = (Ref){"account", {H("publisher-id")}, 1};
    } else if (SN_STREQ(name, "store"))
        out[n++] = (Ref){"account", {H("operator-id")}, 1};
    else if (SN_STREQ(name, "confdb-control"))
        out[n++] = (Ref){"serial", {H("brand-id"), H("model"), H("serial")}, 3};
#undef H
    return n;
}

static bool ref_is(const SnAssertion *a, const Ref *ref)
{
    if (!SN_STREQ(a->type->name, ref->type) || a->type->n_primary_key != ref->n)
        return false;
    for (size_t i = 0; i < ref->n; i++)
        if (!SN_STREQ(sn_assertion_header(a, a->type->primary_key[i]) ?: "", ref->keys[i]))
            return false;
    return true;
}

typedef struct Batch {
    SnAssertion **list;
    size_t n;
    unsigned char *mark; /* 0 new, 1 being resolved, 2 resolved */
} Batch;

/*
 * snapd's prerequisite walk (Batch.prereqSort with a Fetcher): each assertion's prerequisites,
 * then its signing key, must be a known (trusted or predefined) assertion, in the batch, or
 * stored.
 */
static int resolve(Catalog *c, Batch *b, size_t i, SnError **reterr);

static int resolve_ref(Catalog *c, Batch *b, const Ref *ref, SnError **reterr)
{
    if (sn_assert_db_find(c->db, ref->type, ref->keys, ref->n))
        return 0;
    for (size_t j = 0; j < b->n; j++) {
        if (!ref_is(b->list[j], ref))
            continue;
        if (b->mark[j] == 1) {
            _sn_free_ char *s = ref_string(b->list[j]->type, ref->keys, ref->n);
            return sn_error_set(reterr, -EBADMSG, "circular assertions are not expected: %s", s ?: ref->type);
        }
        return b->mark[j] == 2 ? 0 : resolve(c, b, j, reterr);
    }
    _sn_free_ char *s = ref_string(sn_assert_type_lookup(ref->type), ref->keys, ref->n);
    return sn_error_set(reterr, -ENOKEY, "cannot resolve prerequisite assertion: %s", s ?: ref->type);
}

static int resolve(Catalog *c, Batch *b, size_t i, SnError **reterr)
{
    const SnAssertion *a = b->list[i];
    b->mark[i] = 1;
    Ref refs[4];
    size_t n = prerequisites(a, refs);
    for (size_t k = 0; k < n; k++) {
        int r = resolve_ref(c, b, &refs[k], reterr);
        if (r < 0)
            return r;
    }
    if (!(a->type->flags & SN_ASSERT_NO_AUTHORITY)) {
        Ref key = {"account-key", {sn_assertion_sign_key(a) ?: ""}, 1};
        int r = resolve_ref(c, b, &key, reterr);
        if (r < 0)
            return r;
    }
    b->mark[i] = 2;
    return 0;
}

/* The batch's newest revision per primary key, to leave the stored older ones out of the db. */
static bool superseded(const SnAssertion *stored, void *userdata)
{
    const Batch *b = userdata;
    for (size_t i = 0; i < b->n; i++) {
        const SnAssertion *a = b->list[i];
        if (a->type != stored->type || a->revision <= stored->revision)
            continue;
        bool same = true;
        for (size_t k = 0; same && k < a->type->n_primary_key; k++)
            same = SN_STREQ(sn_assertion_header(a, a->type->primary_key[k]) ?: "",
                            sn_assertion_header(stored, a->type->primary_key[k]) ?: "");
        if (same)
            return true;
    }
    return false;
}

/* What is needed to find an assertion again once the database has taken it. */
typedef struct Pending {
    char *type;
    char **keys;
    size_t n_keys;
    bool known; /* the database had it already (at this or a newer revision): nothing to store */
} Pending;

static void pending_free(Pending *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++) {
        free(p[i].type);
        sn_strv_free(p[i].keys);
    }
    free(p);
}

static bool pending_same(const Pending *a, const Pending *b)
{
    if (!SN_STREQ(a->type, b->type) || a->n_keys != b->n_keys)
        return false;
    for (size_t k = 0; k < a->n_keys; k++)
        if (!SN_STREQ(a->keys[k], b->keys[k]))
            return false;
    return true;
}

static int store_rows(SnState *st, Catalog *c, const Pending *p, size_t n, size_t *ret_stored, SnError **reterr)
{
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r = sn_state_prepare(
        st, "INSERT OR REPLACE INTO assertions (type, primary_key, revision, body) VALUES (?, ?, ?, ?)", &s, reterr);
    if (r < 0)
        return r;
    size_t stored = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i].known)
            continue;
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = !p[j].known && pending_same(&p[j], &p[i]);
        if (dup)
            continue;
        const SnAssertion *a = sn_assert_db_find(c->db, p[i].type, (const char *const *)p[i].keys, p[i].n_keys);
        if (!a)
            return sn_error_set(reterr, -EIO, "internal error: an added %s assertion is not in the database",
                                p[i].type);
        _sn_free_ char *enc = NULL;
        size_t enc_len = 0;
        r = sn_assert_encode(a, &enc, &enc_len);
        if (r < 0)
            return sn_error_set(reterr, r, "cannot encode the %s assertion", p[i].type);
        _sn_free_ char *pk = primary_key_column(a);
        if (!pk)
            return -ENOMEM;
        sqlite3_reset(s);
        if (sqlite3_bind_text(s, 1, a->type->name, -1, SQLITE_STATIC) != SQLITE_OK ||
            sqlite3_bind_text(s, 2, pk, -1, SQLITE_STATIC) != SQLITE_OK ||
            sqlite3_bind_int64(s, 3, a->revision) != SQLITE_OK ||
            sqlite3_bind_blob(s, 4, enc, (int)enc_len, SQLITE_STATIC) != SQLITE_OK || sqlite3_step(s) != SQLITE_DONE)
            return sn_state_sql_error(st, reterr, "cannot store the assertion");
        stored++;
    }
    *ret_stored = stored;
    return 0;
}

int sn_assertstate_add(SnState *st, SnAssertion **list, size_t n, size_t *ret_stored, SnError **reterr)
{
    Catalog c = {0};
    Pending *p = NULL;
    char **errors = NULL;
    unsigned char *mark = calloc(n + 1, 1);
    size_t stored = 0;
    int r;
    if (!mark) {
        r = -ENOMEM;
        goto finish;
    }
    Batch b = {.list = list, .n = n, .mark = mark};
    r = catalog_load(st, superseded, &b, &c, reterr);
    if (r < 0)
        goto finish;
    for (size_t i = 0; i < n; i++)
        if (mark[i] == 0 && (r = resolve(&c, &b, i, reterr)) < 0)
            goto finish;

    p = calloc(n + 1, sizeof(*p));
    if (!p) {
        r = -ENOMEM;
        goto finish;
    }
    for (size_t i = 0; i < n; i++) {
        const char *keys[5];
        p[i].n_keys = primary_keys(list[i], keys);
        p[i].type = strdup(list[i]->type->name);
        if (!p[i].type) {
            r = -ENOMEM;
            goto finish;
        }
        for (size_t k = 0; k < p[i].n_keys; k++)
            if ((r = sn_strv_push(&p[i].keys, keys[k] ?: "")) < 0)
                goto finish;
        p[i].known = db_find_like(c.db, list[i]) != NULL;
    }

    int failed = sn_assert_db_add_many(c.db, list, n, 0, &errors);
    if (failed < 0) {
        r = failed;
        goto finish;
    }
    if (failed > 0) {
        SnBuf msg = {0};
        sn_buf_puts(&msg, "cannot accept some assertions:");
        for (size_t i = 0; i < n; i++)
            if (errors[i])
                sn_buf_printf(&msg, "\n - %s", errors[i]);
        _sn_free_ char *text = sn_buf_steal(&msg);
        r = sn_error_set(reterr, -EBADMSG, "%s", text ? text : "cannot accept some assertions");
        goto finish;
    }

    r = sn_state_begin(st, reterr);
    if (r < 0)
        goto finish;
    r = store_rows(st, &c, p, n, &stored, reterr);
    if (r < 0) {
        sn_state_rollback(st);
        goto finish;
    }
    r = sn_state_commit(st, reterr);
    if (r >= 0 && ret_stored)
        *ret_stored = stored;
finish:
    for (size_t i = 0; i < n; i++)
        list[i] = sn_assertion_free(list[i]);
    sn_assert_db_errors_free(errors, n);
    pending_free(p, n);
    free(mark);
    catalog_done(&c);
    return r;
}

int sn_assertstate_add_stream(SnState *st, const char *data, size_t len, size_t *ret_stored, bool *ret_decode_error,
                              SnError **reterr)
{
    SnAssertion **list = NULL;
    size_t n = 0;
    int r = sn_assert_decode_stream(data, len, &list, &n, reterr);
    if (ret_decode_error)
        *ret_decode_error = r < 0;
    if (r < 0)
        return r;
    r = sn_assertstate_add(st, list, n, ret_stored, reterr);
    sn_assertion_list_free(list);
    return r;
}

/* ---- finding ---- */

static SnAssertion *copy_assertion(const SnAssertion *a)
{
    _sn_free_ char *enc = NULL;
    size_t len = 0;
    SnAssertion *copy = NULL;
    if (sn_assert_encode(a, &enc, &len) < 0 || sn_assert_decode(enc, len, &copy, NULL) < 0)
        return NULL;
    return copy;
}

int sn_assertstate_find(SnState *st, const char *type, const SnAssertFilter *filters, size_t n_filters,
                        SnAssertion ***ret_list, size_t *ret_n, SnError **reterr)
{
    const SnAssertType *t = sn_assert_type_lookup(type);
    if (!t)
        return sn_error_set(reterr, -EINVAL, "invalid assert type: \"%s\"", type);
    Catalog c = {0};
    int r = catalog_load(st, NULL, NULL, &c, reterr);
    SnAssertion **out = NULL;
    size_t n = 0;
    if (r >= 0) {
        out = calloc(c.n + 1, sizeof(*out));
        if (!out)
            r = -ENOMEM;
    }
    for (size_t i = 0; r >= 0 && i < c.n; i++) {
        const SnAssertion *a = c.v[i];
        if (a->type != t || a->format > t->max_format)
            continue;
        bool match = true;
        for (size_t k = 0; match && k < n_filters; k++) {
            const char *v = sn_assertion_header(a, filters[k].name);
            match = v && SN_STREQ(v, filters[k].value);
        }
        if (!match)
            continue;
        out[n] = copy_assertion(a);
        if (!out[n])
            r = -ENOMEM;
        else
            n++;
    }
    catalog_done(&c);
    if (r < 0) {
        sn_assertion_list_free(out);
        return r;
    }
    *ret_list = out;
    if (ret_n)
        *ret_n = n;
    return 0;
}

/* ---- snap files ---- */

void sn_assert_snap_info_done(SnAssertSnapInfo *info)
{
    if (!info)
        return;
    free(info->snap_id);
    free(info->snap_name);
    free(info->sha3_384);
    free(info->developer_id);
    free(info->publisher_id);
    free(info->publisher_username);
    free(info->publisher_display_name);
    free(info->publisher_validation);
    *info = (SnAssertSnapInfo){0};
}

int sn_assertstate_check_snap(SnState *st, const char *snap_path, const char *sha3_384, uint64_t size,
                              const char *snap_name, SnAssertSnapInfo *ret_info, SnError **reterr)
{
    _sn_free_ char *digest = NULL;
    int r;
    if (!sha3_384) {
        if (!snap_path)
            return sn_error_set(reterr, -EINVAL, "internal error: neither a snap file nor its digest");
        r = sn_digest_file_sha3_384(AT_FDCWD, snap_path, &digest, NULL, &size, reterr);
        if (r < 0)
            return r;
        sha3_384 = digest;
    }
    Catalog c = {0};
    r = catalog_load(st, NULL, NULL, &c, reterr);
    if (r < 0) {
        catalog_done(&c);
        return r;
    }
    const char *rkeys[] = {sha3_384, SN_ASSERT_DEFAULT_PROVENANCE};
    const SnAssertion *rev = sn_assert_db_find(c.db, "snap-revision", rkeys, 2);
    if (!rev) {
        catalog_done(&c);
        return sn_error_set(reterr, -ENOENT, "cannot find signatures with metadata for snap \"%s\"",
                            snap_path ? snap_path : sha3_384);
    }
    const char *dkeys[] = {"16", sn_assertion_header(rev, "snap-id") ?: ""};
    const SnAssertion *decl = sn_assert_db_find(c.db, "snap-declaration", dkeys, 2);
    /* without a name from the file, the declared one (snapd's DeriveSideInfo) */
    const char *name = snap_name ? snap_name : decl ? sn_assertion_header(decl, "snap-name") : "";
    r = sn_assert_db_cross_check_snap(c.db, sha3_384, size, name ?: "", &rev, &decl, reterr);
    if (r < 0) {
        catalog_done(&c);
        return r;
    }
    int64_t revision = 0;
    if (sn_parse_i64(sn_assertion_header(rev, "snap-revision"), &revision) < 0 || revision < 1) {
        catalog_done(&c);
        return sn_error_set(reterr, -EBADMSG, "snap-revision for \"%s\" has no valid snap-revision", name);
    }
    const char *publisher = sn_assertion_header(decl, "publisher-id") ?: "";
    const char *akeys[] = {publisher};
    const SnAssertion *account = sn_assert_db_find(c.db, "account", akeys, 1);
#define ACC(h) (account ? sn_assertion_header(account, h) ?: "" : "")
    SnAssertSnapInfo info = {
        .snap_id = strdup(dkeys[1]),
        .snap_name = strdup(sn_assertion_header(decl, "snap-name") ?: ""),
        .revision = revision,
        .sha3_384 = strdup(sha3_384),
        .size = size,
        .developer_id = strdup(sn_assertion_header(rev, "developer-id") ?: ""),
        .publisher_id = strdup(publisher),
        .publisher_username = strdup(ACC("username")),
        .publisher_display_name = strdup(ACC("display-name")),
        .publisher_validation = strdup(ACC("validation")),
    };
#undef ACC
    catalog_done(&c);
    if (!info.snap_id || !info.snap_name || !info.sha3_384 || !info.developer_id || !info.publisher_id ||
        !info.publisher_username || !info.publisher_display_name || !info.publisher_validation) {
        sn_assert_snap_info_done(&info);
        return -ENOMEM;
    }
    *ret_info = info;
    return 0;
}
