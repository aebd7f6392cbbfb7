/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The daemon's state: one SQLite database, $ROOT/var/lib/snapd/state.db, opened in WAL mode with
 * synchronous=FULL and foreign keys on. A second daemon is kept out by an flock on
 * $ROOT/var/lib/snapd/state.lock (the lock file snapd uses).
 *
 * One connection is shared by every thread of the daemon. Every use of it happens between
 * sn_state_lock() and sn_state_unlock(); the functions below that take an SnState expect the
 * caller to hold the lock unless their comment says otherwise.
 *
 * The schema has a version (table schema_version) and is brought up to date on open by an
 * ordered list of migrations, each applied in its own transaction.
 */
#pragma once

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

#include "error.h"

typedef struct SnState SnState;

/* The schema version this build writes. */
#define SN_STATE_SCHEMA_VERSION 1

/*
 * Opens (creating it and its directory, mode 0700, when missing) the state of the system rooted
 * at root ("" or "/" for the real root; not copied). Takes the state.lock flock first: when
 * another process holds it, fails with -EBUSY and a message saying another daemon is running.
 * Migrates the schema to SN_STATE_SCHEMA_VERSION; a database newer than this build is refused
 * with -EPROTO. Returns 0 and *ret_state (free with sn_state_free) or -errno.
 */
int sn_state_open(const char *root, SnState **ret_state, SnError **reterr);

/* Closes the database and releases the lock. Accepts NULL; returns NULL. Caller must not hold the lock. */
SnState *sn_state_free(SnState *st);
SN_DEFINE_CLEANUP_FUNC(SnState *, sn_state_free)

/* The state lock (a plain mutex: not recursive). */
void sn_state_lock(SnState *st);
void sn_state_unlock(SnState *st);
/* The mutex itself, for condition variables that wait on the state (the task runner). */
pthread_mutex_t *sn_state_mutex(SnState *st);

/* The connection, for the state-*.c modules. Lock held. */
sqlite3 *sn_state_db(SnState *st);
/* The root directory the state was opened for ("" for /). Never NULL. */
const char *sn_state_root(const SnState *st);

/*
 * Transactions. sn_state_begin starts an IMMEDIATE transaction (the write lock is taken at once,
 * so a commit cannot fail with SQLITE_BUSY half-way). sn_state_commit commits (durably: WAL with
 * synchronous=FULL). sn_state_rollback rolls back and never fails. Lock held. 0 or -errno.
 */
int sn_state_begin(SnState *st, SnError **reterr);
int sn_state_commit(SnState *st, SnError **reterr);
void sn_state_rollback(SnState *st);
/*
 * A transaction whose commit does not wait for the disk (synchronous=NORMAL, which SQLite lets
 * change only outside a transaction): a crash may lose it, never corrupt it, and the next durable
 * commit makes it durable too (WAL frames are written in order). For bookkeeping that is safe to
 * lose: a task claimed (Do -> Doing) runs from its start either way after a crash. Begin with
 * sn_state_begin_lazy and end with sn_state_commit_lazy or sn_state_rollback_lazy (both restore
 * synchronous=FULL). Lock held. 0 or -errno.
 */
int sn_state_begin_lazy(SnState *st, SnError **reterr);
/* Makes every lazy commit so far durable (one small durable commit). Lock held, no transaction. */
int sn_state_sync(SnState *st, SnError **reterr);
int sn_state_commit_lazy(SnState *st, SnError **reterr);
void sn_state_rollback_lazy(SnState *st);

/* Runs one or more SQL statements without results. Lock held. 0 or -EIO with SQLite's message. */
int sn_state_exec(SnState *st, const char *sql, SnError **reterr);

/* Prepares one statement (caller finalizes). Lock held. 0 or -EIO with SQLite's message. */
int sn_state_prepare(SnState *st, const char *sql, sqlite3_stmt **ret_stmt, SnError **reterr);

/* Sets an error from the connection's last SQLite error: "what: <sqlite message>". Returns -EIO. */
int sn_state_sql_error(SnState *st, SnError **reterr, const char *what);

/* The schema version stored in the database. Lock held. */
int sn_state_schema_version(SnState *st, int *ret_version, SnError **reterr);

/* Wall-clock time in nanoseconds since the epoch (CLOCK_REALTIME). */
int64_t sn_state_now(void);

/* Small key/value settings of the daemon (table kv): value is JSON text. Lock held. */
int sn_state_kv_set(SnState *st, const char *key, const char *json_value, SnError **reterr);
/* *ret_value is NULL (and 0 returned) when the key is missing. Caller frees. */
int sn_state_kv_get(SnState *st, const char *key, char **ret_value, SnError **reterr);

static inline void sn_sqlite3_finalizep(sqlite3_stmt **s)
{
    if (*s)
        sqlite3_finalize(*s);
    *s = NULL;
}
#define _sn_stmt_ _sn_cleanup_(sn_sqlite3_finalizep)
