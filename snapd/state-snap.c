/* SPDX-License-Identifier: GPL-3.0-only */
#include "state-snap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

SnSnapState *sn_snap_state_new(const char *name)
{
    SnSnapState *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->name = strdup(name);
    s->type = strdup("app");
    s->tracking_channel = strdup("");
    s->flags = json_object();
    s->data = json_object();
    if (!s->name || !s->type || !s->tracking_channel || !s->flags || !s->data)
        return sn_snap_state_free(s);
    return s;
}

static void seq_entry_done(SnSeqEntry *e)
{
    free(e->snap_id);
    free(e->channel);
    json_decref(e->side_info);
}

SnSnapState *sn_snap_state_free(SnSnapState *s)
{
    if (!s)
        return NULL;
    for (size_t i = 0; i < s->n_sequence; i++)
        seq_entry_done(&s->sequence[i]);
    free(s->sequence);
    free(s->name);
    free(s->type);
    free(s->tracking_channel);
    json_decref(s->flags);
    json_decref(s->data);
    free(s);
    return NULL;
}

void sn_snap_state_array_free(SnSnapState **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        sn_snap_state_free(v[i]);
    free(v);
}

static int append_entry(SnSnapState *s, int64_t revision, const char *snap_id, const char *channel, json_t *side_info)
{
    /* side_info, when given, is taken over even on failure. */
    for (size_t i = 0; i < s->n_sequence; i++)
        if (s->sequence[i].revision == revision) {
            json_decref(side_info);
            return -EEXIST;
        }
    SnSeqEntry *n = reallocarray(s->sequence, s->n_sequence + 1, sizeof(*n));
    if (!n) {
        json_decref(side_info);
        return -ENOMEM;
    }
    s->sequence = n;
    SnSeqEntry e = {
        .revision = revision,
        .snap_id = strdup(snap_id ? snap_id : ""),
        .channel = strdup(channel ? channel : ""),
        .side_info = side_info ? side_info : json_object(),
    };
    if (!e.snap_id || !e.channel || !e.side_info) {
        seq_entry_done(&e);
        return -ENOMEM;
    }
    s->sequence[s->n_sequence++] = e;
    return 0;
}

int sn_snap_state_append(SnSnapState *s, int64_t revision, const char *snap_id, const char *channel)
{
    return append_entry(s, revision, snap_id, channel, NULL);
}

const char *sn_revision_format(int64_t revision, char buf[static 24])
{
    if (revision == 0)
        snprintf(buf, 24, "unset");
    else if (revision < 0)
        snprintf(buf, 24, "x%" PRIu64, (uint64_t)0 - (uint64_t)revision);
    else
        snprintf(buf, 24, "%" PRId64, revision);
    return buf;
}

int sn_revision_parse(const char *s, int64_t *ret)
{
    bool local = s[0] == 'x';
    uint64_t v;
    if (sn_parse_u64(local ? s + 1 : s, &v) < 0 || v == 0 || v > INT64_MAX)
        return -EINVAL;
    *ret = local ? -(int64_t)v : (int64_t)v;
    return 0;
}

static char *dump(json_t *v)
{
    return json_dumps(v, JSON_COMPACT);
}

static json_t *load_object(sqlite3_stmt *s, int col)
{
    const char *text = (const char *)sqlite3_column_text(s, col);
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_object(v)) {
        json_decref(v);
        v = json_object();
    }
    return v;
}

int sn_snap_state_put(SnState *st, const SnSnapState *s, SnError **reterr)
{
    _sn_free_ char *flags = dump(s->flags), *data = dump(s->data);
    if (!flags || !data)
        return -ENOMEM;
    {
        _sn_stmt_ sqlite3_stmt *q = NULL;
        int r = sn_state_prepare(st,
                                 "INSERT INTO snaps (name, type, active, current, tracking_channel, flags, data) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(name) DO UPDATE SET type = ?2, "
                                 "active = ?3, current = ?4, tracking_channel = ?5, flags = ?6, data = ?7",
                                 &q, reterr);
        if (r < 0)
            return r;
        sqlite3_bind_text(q, 1, s->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, s->type, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 3, s->active);
        sqlite3_bind_int64(q, 4, s->current);
        sqlite3_bind_text(q, 5, s->tracking_channel, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, flags, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 7, data, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            return sn_state_sql_error(st, reterr, "cannot store a snap");
    }
    {
        _sn_stmt_ sqlite3_stmt *q = NULL;
        int r = sn_state_prepare(st, "DELETE FROM snap_revisions WHERE snap = ?1", &q, reterr);
        if (r < 0)
            return r;
        sqlite3_bind_text(q, 1, s->name, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            return sn_state_sql_error(st, reterr, "cannot store a snap's sequence");
    }
    for (size_t i = 0; i < s->n_sequence; i++) {
        const SnSeqEntry *e = &s->sequence[i];
        _sn_free_ char *side = dump(e->side_info);
        if (!side)
            return -ENOMEM;
        _sn_stmt_ sqlite3_stmt *q = NULL;
        int r = sn_state_prepare(st,
                                 "INSERT INTO snap_revisions (snap, seq, revision, snap_id, channel, side_info) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                 &q, reterr);
        if (r < 0)
            return r;
        sqlite3_bind_text(q, 1, s->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, (int64_t)i);
        sqlite3_bind_int64(q, 3, e->revision);
        sqlite3_bind_text(q, 4, e->snap_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, e->channel, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, side, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            return sn_state_sql_error(st, reterr, "cannot store a snap's sequence");
    }
    return 0;
}

static int load_snap(SnState *st, sqlite3_stmt *q, SnSnapState **ret, SnError **reterr)
{
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = sn_snap_state_new((const char *)sqlite3_column_text(q, 0));
    if (!s)
        return -ENOMEM;
    free(s->type);
    s->type = strdup((const char *)sqlite3_column_text(q, 1));
    s->active = sqlite3_column_int(q, 2) != 0;
    s->current = sqlite3_column_int64(q, 3);
    free(s->tracking_channel);
    s->tracking_channel = strdup((const char *)sqlite3_column_text(q, 4));
    json_decref(s->flags);
    s->flags = load_object(q, 5);
    json_decref(s->data);
    s->data = load_object(q, 6);
    if (!s->type || !s->tracking_channel || !s->flags || !s->data)
        return -ENOMEM;

    _sn_stmt_ sqlite3_stmt *r2 = NULL;
    int r = sn_state_prepare(st,
                             "SELECT revision, snap_id, channel, side_info FROM snap_revisions WHERE snap = ?1 "
                             "ORDER BY seq",
                             &r2, reterr);
    if (r < 0)
        return r;
    sqlite3_bind_text(r2, 1, s->name, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(r2)) == SQLITE_ROW) {
        r = append_entry(s, sqlite3_column_int64(r2, 0), (const char *)sqlite3_column_text(r2, 1),
                         (const char *)sqlite3_column_text(r2, 2), load_object(r2, 3));
        if (r < 0)
            return r;
    }
    if (rc != SQLITE_DONE)
        return sn_state_sql_error(st, reterr, "cannot read a snap's sequence");
    *ret = SN_TAKE_PTR(s);
    return 0;
}

#define SNAP_COLUMNS "name, type, active, current, tracking_channel, flags, data"

int sn_snap_state_get(SnState *st, const char *name, SnSnapState **ret, SnError **reterr)
{
    _sn_stmt_ sqlite3_stmt *q = NULL;
    int r = sn_state_prepare(st, "SELECT " SNAP_COLUMNS " FROM snaps WHERE name = ?1", &q, reterr);
    if (r < 0)
        return r;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE)
        return sn_error_set(reterr, -ENOENT, "snap not installed");
    if (rc != SQLITE_ROW)
        return sn_state_sql_error(st, reterr, "cannot read a snap");
    return load_snap(st, q, ret, reterr);
}

int sn_snap_state_list(SnState *st, SnSnapState ***ret_v, size_t *ret_n, SnError **reterr)
{
    _sn_stmt_ sqlite3_stmt *q = NULL;
    int r = sn_state_prepare(st, "SELECT " SNAP_COLUMNS " FROM snaps ORDER BY name", &q, reterr);
    if (r < 0)
        return r;
    SnSnapState **v = NULL;
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        SnSnapState **m = reallocarray(v, n + 1, sizeof(*m));
        if (!m) {
            sn_snap_state_array_free(v, n);
            return -ENOMEM;
        }
        v = m;
        r = load_snap(st, q, &v[n], reterr);
        if (r < 0) {
            sn_snap_state_array_free(v, n);
            return r;
        }
        n++;
    }
    if (rc != SQLITE_DONE) {
        sn_snap_state_array_free(v, n);
        return sn_state_sql_error(st, reterr, "cannot list snaps");
    }
    *ret_v = v;
    *ret_n = n;
    return 0;
}

int sn_snap_state_delete(SnState *st, const char *name, SnError **reterr)
{
    _sn_stmt_ sqlite3_stmt *q = NULL;
    int r = sn_state_prepare(st, "DELETE FROM snaps WHERE name = ?1", &q, reterr);
    if (r < 0)
        return r;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        return sn_state_sql_error(st, reterr, "cannot delete a snap");
    if (sqlite3_changes(sn_state_db(st)) == 0)
        return sn_error_set(reterr, -ENOENT, "snap \"%s\" is not installed", name);
    return 0;
}
