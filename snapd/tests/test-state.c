/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "state.h"

static char root[] = "/tmp/sn-state-XXXXXX";

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
}

static void teardown(void)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(state, .init = setup, .fini = teardown);

static SnState *must_open(void)
{
    SnState *st = NULL;
    SnError *err = NULL;
    int r = sn_state_open(root, &st, &err);
    cr_assert_eq(r, 0, "open: %s", sn_error_message(err, r));
    sn_error_free(err);
    return st;
}

static char *pragma_text(SnState *st, const char *pragma)
{
    sqlite3_stmt *s = NULL;
    char sql[64];
    snprintf(sql, sizeof(sql), "PRAGMA %s", pragma);
    cr_assert_eq(sn_state_prepare(st, sql, &s, NULL), 0);
    cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
    char *v = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v;
}

Test(state, creates_database_with_wal_full_sync_and_foreign_keys)
{
    _sn_cleanup_(sn_state_freep) SnState *st = must_open();
    char path[256];
    snprintf(path, sizeof(path), "%s/var/lib/snapd/state.db", root);
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0);
    cr_assert_eq(sb.st_mode & 0777, 0600);

    sn_state_lock(st);
    _sn_free_ char *mode = pragma_text(st, "journal_mode");
    _sn_free_ char *sync = pragma_text(st, "synchronous");
    _sn_free_ char *fk = pragma_text(st, "foreign_keys");
    int version = -1;
    cr_assert_eq(sn_state_schema_version(st, &version, NULL), 0);
    sn_state_unlock(st);
    cr_assert_str_eq(mode, "wal");
    cr_assert_str_eq(sync, "2"); /* FULL */
    cr_assert_str_eq(fk, "1");
    cr_assert_eq(version, SN_STATE_SCHEMA_VERSION);
}

Test(state, has_every_table)
{
    _sn_cleanup_(sn_state_freep) SnState *st = must_open();
    const char *tables[] = {"snaps",  "snap_revisions", "changes",  "change_snaps", "tasks",         "task_waits",
                            "config", "assertions",     "warnings", "kv",           "schema_version"};
    sn_state_lock(st);
    for (size_t i = 0; i < SN_ELEMENTSOF(tables); i++) {
        sqlite3_stmt *s = NULL;
        cr_assert_eq(sn_state_prepare(st, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", &s, NULL),
                     0);
        sqlite3_bind_text(s, 1, tables[i], -1, SQLITE_STATIC);
        cr_expect_eq(sqlite3_step(s), SQLITE_ROW, "table %s missing", tables[i]);
        sqlite3_finalize(s);
    }
    sn_state_unlock(st);
}

Test(state, second_daemon_is_kept_out_with_a_clear_error)
{
    _sn_cleanup_(sn_state_freep) SnState *st = must_open();
    SnState *other = NULL;
    SnError *err = NULL;
    int r = sn_state_open(root, &other, &err);
    cr_assert_eq(r, -EBUSY);
    cr_assert_null(other);
    cr_assert_not_null(strstr(err->message, "another snapd is running"), "%s", err->message);
    sn_error_free(err);

    /* Released on free: the next one gets in. */
    st = sn_state_free(st);
    _sn_unused_ _sn_cleanup_(sn_state_freep) SnState *again = must_open();
}

Test(state, reopen_keeps_data_and_does_not_migrate_again)
{
    {
        _sn_cleanup_(sn_state_freep) SnState *st = must_open();
        sn_state_lock(st);
        cr_assert_eq(sn_state_kv_set(st, "seeded", "true", NULL), 0);
        sn_state_unlock(st);
    }
    _sn_cleanup_(sn_state_freep) SnState *st = must_open();
    _sn_free_ char *v = NULL;
    sn_state_lock(st);
    cr_assert_eq(sn_state_kv_get(st, "seeded", &v, NULL), 0);
    _sn_free_ char *missing = (char *)1;
    cr_assert_eq(sn_state_kv_get(st, "nope", &missing, NULL), 0);
    sn_state_unlock(st);
    cr_assert_str_eq(v, "true");
    cr_assert_null(missing);
}

Test(state, refuses_a_newer_schema)
{
    {
        _sn_cleanup_(sn_state_freep) SnState *st = must_open();
        sn_state_lock(st);
        cr_assert_eq(sn_state_exec(st, "UPDATE schema_version SET version = 99", NULL), 0);
        sn_state_unlock(st);
    }
    SnState *st = NULL;
    SnError *err = NULL;
    cr_assert_eq(sn_state_open(root, &st, &err), -EPROTO);
    cr_assert_not_null(strstr(err->message, "schema version 99"), "%s", err->message);
    sn_error_free(err);
}

#if SN_FAULT_INJECTION
Test(state, failed_migration_leaves_an_empty_schema_and_retries_next_time)
{
    setenv("SN_FAULTS", "state-migrate", 1);
    SnState *st = NULL;
    SnError *err = NULL;
    int r = sn_state_open(root, &st, &err);
    cr_assert_lt(r, 0);
    cr_assert_not_null(strstr(err->message, "cannot migrate the state from schema version 0 to 1"), "%s", err->message);
    sn_error_free(err);
    unsetenv("SN_FAULTS");

    _sn_cleanup_(sn_state_freep) SnState *ok = must_open();
    int version = -1;
    sn_state_lock(ok);
    cr_assert_eq(sn_state_schema_version(ok, &version, NULL), 0);
    sn_state_unlock(ok);
    cr_assert_eq(version, SN_STATE_SCHEMA_VERSION);
}

Test(state, failed_commit_rolls_back)
{
    _sn_cleanup_(sn_state_freep) SnState *st = must_open();
    sn_state_lock(st);
    cr_assert_eq(sn_state_begin(st, NULL), 0);
    cr_assert_eq(sn_state_kv_set(st, "k", "1", NULL), 0);
    setenv("SN_FAULTS", "state-commit", 1);
    cr_assert_lt(sn_state_commit(st, NULL), 0);
    unsetenv("SN_FAULTS");
    _sn_free_ char *v = NULL;
    cr_assert_eq(sn_state_kv_get(st, "k", &v, NULL), 0);
    cr_assert_null(v);
    sn_state_unlock(st);
}
#endif

Test(state, open_fails_clearly_when_the_directory_cannot_be_made)
{
    char bad[300];
    snprintf(bad, sizeof(bad), "%s/file", root);
    FILE *f = fopen(bad, "w");
    cr_assert_not_null(f);
    fclose(f);
    SnState *st = NULL;
    SnError *err = NULL;
    int r = sn_state_open(bad, &st, &err);
    cr_assert_lt(r, 0);
    cr_assert_not_null(strstr(err->message, "cannot create"), "%s", err->message);
    sn_error_free(err);
}
