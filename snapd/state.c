/* SPDX-License-Identifier: GPL-3.0-only */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "fault.h"
#include "fileio.h"
#include "strutil.h"

struct SnState {
    pthread_mutex_t mutex;
    sqlite3 *db;
    int lock_fd;
    char *root;
};

/*
 * Migrations, in order: migrations[i] takes the schema from version i to i + 1. A released
 * migration is never edited; a change of schema is a new entry.
 */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE snaps ("
    "  name TEXT PRIMARY KEY,"
    "  type TEXT NOT NULL DEFAULT 'app',"
    "  active INTEGER NOT NULL DEFAULT 0,"
    "  current INTEGER NOT NULL DEFAULT 0," /* revision; 0 = unset, < 0 = local (x1 is -1) */
    "  tracking_channel TEXT NOT NULL DEFAULT '',"
    "  flags TEXT NOT NULL DEFAULT '{}'," /* devmode, jailmode, classic, ... */
    "  data TEXT NOT NULL DEFAULT '{}'"   /* anything else of snapd's SnapState */
    ");"
    "CREATE TABLE snap_revisions ("
    "  snap TEXT NOT NULL REFERENCES snaps(name) ON DELETE CASCADE,"
    "  seq INTEGER NOT NULL," /* position in the sequence, oldest first */
    "  revision INTEGER NOT NULL,"
    "  snap_id TEXT NOT NULL DEFAULT '',"
    "  channel TEXT NOT NULL DEFAULT '',"
    "  side_info TEXT NOT NULL DEFAULT '{}',"
    "  PRIMARY KEY (snap, revision),"
    "  UNIQUE (snap, seq)"
    ");"
    "CREATE TABLE changes ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT," /* never reused, like snapd's last-change-id */
    "  kind TEXT NOT NULL,"
    "  summary TEXT NOT NULL,"
    "  status INTEGER NOT NULL," /* derived from the tasks, cached */
    "  spawn_time INTEGER NOT NULL,"
    "  ready_time INTEGER,"
    "  data TEXT NOT NULL DEFAULT '{}'" /* snapd's change data (api-data, ...) */
    ");"
    "CREATE INDEX changes_by_status ON changes(status);"
    "CREATE TABLE change_snaps ("
    "  change_id INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,"
    "  snap TEXT NOT NULL,"
    "  PRIMARY KEY (change_id, snap)"
    ");"
    "CREATE INDEX change_snaps_by_snap ON change_snaps(snap);"
    "CREATE TABLE tasks ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  change_id INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL,"
    "  summary TEXT NOT NULL,"
    "  status INTEGER NOT NULL,"
    "  data TEXT NOT NULL DEFAULT '{}',"
    "  log TEXT NOT NULL DEFAULT '[]',"
    "  progress_label TEXT NOT NULL DEFAULT '',"
    "  progress_done INTEGER NOT NULL DEFAULT 0,"
    "  progress_total INTEGER NOT NULL DEFAULT 0,"
    "  spawn_time INTEGER NOT NULL,"
    "  ready_time INTEGER,"
    "  at_time INTEGER NOT NULL DEFAULT 0" /* do not run before (retry) */
    ");"
    "CREATE INDEX tasks_by_change ON tasks(change_id);"
    "CREATE INDEX tasks_by_status ON tasks(status);"
    "CREATE TABLE task_waits (" /* task_id waits for wait_id; wait_id halts task_id */
    "  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,"
    "  wait_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (task_id, wait_id)"
    ");"
    "CREATE INDEX task_waits_by_wait ON task_waits(wait_id);"
    "CREATE TABLE config ("
    "  snap TEXT PRIMARY KEY,"
    "  doc TEXT NOT NULL" /* the snap's whole configuration, a JSON object */
    ");"
    "CREATE TABLE assertions ("
    "  type TEXT NOT NULL,"
    "  primary_key TEXT NOT NULL," /* the primary-key headers joined by '/', escaped */
    "  revision INTEGER NOT NULL,"
    "  body BLOB NOT NULL," /* the encoded assertion, signature included */
    "  PRIMARY KEY (type, primary_key)"
    ");"
    "CREATE TABLE warnings ("
    "  message TEXT PRIMARY KEY,"
    "  first_added INTEGER NOT NULL,"
    "  last_added INTEGER NOT NULL,"
    "  last_shown INTEGER,"
    "  expire_after INTEGER NOT NULL,"
    "  repeat_after INTEGER NOT NULL"
    ");"
    "CREATE TABLE kv ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ");",
};

_Static_assert(SN_ELEMENTSOF(migrations) == SN_STATE_SCHEMA_VERSION, "one migration per schema version");

int64_t sn_state_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int sn_state_sql_error(SnState *st, SnError **reterr, const char *what)
{
    return sn_error_set(reterr, -EIO, "%s: %s", what, st && st->db ? sqlite3_errmsg(st->db) : "no database");
}

void sn_state_lock(SnState *st)
{
    pthread_mutex_lock(&st->mutex);
}

void sn_state_unlock(SnState *st)
{
    pthread_mutex_unlock(&st->mutex);
}

pthread_mutex_t *sn_state_mutex(SnState *st)
{
    return &st->mutex;
}

sqlite3 *sn_state_db(SnState *st)
{
    return st->db;
}

const char *sn_state_root(const SnState *st)
{
    return st->root;
}

int sn_state_exec(SnState *st, const char *sql, SnError **reterr)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int r = sn_error_set(reterr, -EIO, "cannot update the state database: %s", msg ? msg : "unknown error");
        sqlite3_free(msg);
        return r;
    }
    return 0;
}

int sn_state_prepare(SnState *st, const char *sql, sqlite3_stmt **ret_stmt, SnError **reterr)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return sn_state_sql_error(st, reterr, "cannot prepare a state query");
    *ret_stmt = s;
    return 0;
}

int sn_state_begin(SnState *st, SnError **reterr)
{
    if (sn_faulty("state-begin"))
        return sn_error_set(reterr, -EIO, "cannot begin a state transaction: injected fault");
    return sn_state_exec(st, "BEGIN IMMEDIATE", reterr);
}

int sn_state_commit(SnState *st, SnError **reterr)
{
    if (sn_faulty("state-commit")) {
        sn_state_rollback(st);
        return sn_error_set(reterr, -EIO, "cannot commit the state: injected fault");
    }
    int r = sn_state_exec(st, "COMMIT", reterr);
    if (r < 0)
        sn_state_rollback(st);
    return r;
}

int sn_state_begin_lazy(SnState *st, SnError **reterr)
{
    int r = sn_state_exec(st, "PRAGMA synchronous=NORMAL", reterr);
    if (r >= 0)
        r = sn_state_begin(st, reterr);
    if (r < 0)
        (void)sn_state_exec(st, "PRAGMA synchronous=FULL", NULL);
    return r;
}

int sn_state_sync(SnState *st, SnError **reterr)
{
    /* WAL frames reach the disk in order: syncing a later commit syncs every earlier one. */
    int r = sn_state_begin(st, reterr);
    if (r < 0)
        return r;
    r = sn_state_kv_set(st, "durable-point", "true", reterr);
    if (r < 0) {
        sn_state_rollback(st);
        return r;
    }
    return sn_state_commit(st, reterr);
}

int sn_state_commit_lazy(SnState *st, SnError **reterr)
{
    int r = sn_state_commit(st, reterr);
    (void)sn_state_exec(st, "PRAGMA synchronous=FULL", NULL);
    return r;
}

void sn_state_rollback_lazy(SnState *st)
{
    sn_state_rollback(st);
    (void)sn_state_exec(st, "PRAGMA synchronous=FULL", NULL);
}

void sn_state_rollback(SnState *st)
{
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int sn_state_schema_version(SnState *st, int *ret_version, SnError **reterr)
{
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r = sn_state_prepare(st, "SELECT version FROM schema_version", &s, reterr);
    if (r < 0)
        return r;
    if (sqlite3_step(s) != SQLITE_ROW)
        return sn_error_set(reterr, -EPROTO, "the state database has no schema version");
    *ret_version = sqlite3_column_int(s, 0);
    return 0;
}

static int state_migrate(SnState *st, SnError **reterr)
{
    int r = sn_state_exec(st, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);", reterr);
    if (r < 0)
        return r;

    int version = 0;
    {
        _sn_stmt_ sqlite3_stmt *s = NULL;
        r = sn_state_prepare(st, "SELECT version FROM schema_version", &s, reterr);
        if (r < 0)
            return r;
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
            version = sqlite3_column_int(s, 0);
        else if (rc != SQLITE_DONE)
            return sn_state_sql_error(st, reterr, "cannot read the state schema version");
        else {
            r = sn_state_exec(st, "INSERT INTO schema_version (version) VALUES (0)", reterr);
            if (r < 0)
                return r;
        }
    }

    if (version < 0 || version > SN_STATE_SCHEMA_VERSION)
        return sn_error_set(reterr, -EPROTO,
                            "the state database has schema version %d, newer than this daemon's %d: refusing to "
                            "touch it",
                            version, SN_STATE_SCHEMA_VERSION);

    for (int v = version; v < SN_STATE_SCHEMA_VERSION; v++) {
        r = sn_state_begin(st, reterr);
        if (r < 0)
            return r;
        r = sn_state_exec(st, migrations[v], reterr);
        if (r >= 0) {
            _sn_free_ char *sql = sn_strdup_printf("UPDATE schema_version SET version = %d", v + 1);
            r = sql ? sn_state_exec(st, sql, reterr) : -ENOMEM;
        }
        if (r >= 0 && sn_faulty("state-migrate"))
            r = sn_error_set(reterr, -EIO, "injected fault");
        if (r < 0) {
            sn_state_rollback(st);
            return sn_error_prefix(reterr, r, "cannot migrate the state from schema version %d to %d", v, v + 1);
        }
        r = sn_state_commit(st, reterr);
        if (r < 0)
            return r;
    }
    return 0;
}

int sn_state_open(const char *root, SnState **ret_state, SnError **reterr)
{
    if (!root || SN_STREQ(root, "/"))
        root = "";
    _sn_cleanup_(sn_state_freep) SnState *st = calloc(1, sizeof(*st));
    if (!st)
        return -ENOMEM;
    st->lock_fd = -1;
    pthread_mutex_init(&st->mutex, NULL);
    st->root = strdup(root);
    if (!st->root)
        return -ENOMEM;

    _sn_free_ char *dir = sn_strdup_printf("%s/var/lib/snapd", root);
    _sn_free_ char *lock_path = sn_strdup_printf("%s/state.lock", dir ? dir : "");
    _sn_free_ char *db_path = sn_strdup_printf("%s/state.db", dir ? dir : "");
    if (!dir || !lock_path || !db_path)
        return -ENOMEM;

    int r = sn_mkdir_p(dir, 0755);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot create %s: %s", dir, strerror(-r));

    st->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (st->lock_fd < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot open %s: %m", lock_path);
    if (flock(st->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno == EWOULDBLOCK)
            return sn_error_set(reterr, -EBUSY, "cannot lock %s: another snapd is running with this state", lock_path);
        return sn_error_set(reterr, sn_negative_errno(), "cannot lock %s: %m", lock_path);
    }

    if (sn_faulty("state-open") ||
        sqlite3_open_v2(db_path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK)
        return sn_error_set(reterr, -EIO, "cannot open %s: %s", db_path,
                            st->db ? sqlite3_errmsg(st->db) : "injected fault");
    (void)chmod(db_path, 0600);

    /* A second process (sqlite3 CLI, a test) may read while we write: wait for it briefly. */
    sqlite3_busy_timeout(st->db, 5000);
    r = sn_state_exec(st,
                      "PRAGMA journal_mode=WAL;"
                      "PRAGMA synchronous=FULL;"
                      "PRAGMA foreign_keys=ON;",
                      reterr);
    if (r < 0)
        return sn_error_prefix(reterr, r, "cannot configure %s", db_path);

    r = state_migrate(st, reterr);
    if (r < 0)
        return r;

    *ret_state = SN_TAKE_PTR(st);
    return 0;
}

SnState *sn_state_free(SnState *st)
{
    if (!st)
        return NULL;
    if (st->db)
        sqlite3_close(st->db);
    st->lock_fd = sn_safe_close(st->lock_fd);
    pthread_mutex_destroy(&st->mutex);
    free(st->root);
    free(st);
    return NULL;
}

int sn_state_kv_set(SnState *st, const char *key, const char *json_value, SnError **reterr)
{
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r = sn_state_prepare(
        st, "INSERT INTO kv (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2", &s, reterr);
    if (r < 0)
        return r;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, json_value, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        return sn_state_sql_error(st, reterr, "cannot store a state setting");
    return 0;
}

int sn_state_kv_get(SnState *st, const char *key, char **ret_value, SnError **reterr)
{
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r = sn_state_prepare(st, "SELECT value FROM kv WHERE key = ?1", &s, reterr);
    if (r < 0)
        return r;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        *ret_value = NULL;
        return 0;
    }
    if (rc != SQLITE_ROW)
        return sn_state_sql_error(st, reterr, "cannot read a state setting");
    char *v = strdup((const char *)sqlite3_column_text(s, 0));
    if (!v)
        return -ENOMEM;
    *ret_value = v;
    return 0;
}
