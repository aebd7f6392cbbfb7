/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client-util.h"

static char *fmt(SnTable *t)
{
    char *s = sn_table_format(t);
    cr_assert_not_null(s);
    return s;
}

Test(table, aligns_like_snapds_list)
{
    SnTable t = SN_TABLE_INIT;
    sn_table_printf(&t, "Name\tVersion\tRev\tTracking\tPublisher\tNotes\n");
    sn_table_printf(&t, "hello\t2.10\tx1\t-\t-\t-\n");
    sn_table_printf(&t, "core22\t20240111\t1122\tlatest/stable\tcanonical**\tbase\n");
    _sn_free_ char *s = fmt(&t);
    cr_assert_str_eq(s, "Name    Version   Rev   Tracking       Publisher    Notes\n"
                        "hello   2.10      x1    -              -            -\n"
                        "core22  20240111  1122  latest/stable  canonical**  base\n");
    sn_table_done(&t);
}

Test(table, minwidth_and_blocks_of_lines)
{
    SnTable t = SN_TABLE_INIT;
    /* "a" is padded to the minimum width 5; the line without a tab ends the column block. */
    sn_table_printf(&t, "a\tb\nccccccc\td\nplain line\nx\ty\n");
    _sn_free_ char *s = fmt(&t);
    cr_assert_str_eq(s, "a        b\n"
                        "ccccccc  d\n"
                        "plain line\n"
                        "x    y\n");
    sn_table_done(&t);
}

Test(table, a_trailing_tab_cell_is_padded_and_text_without_newline_kept)
{
    SnTable t = SN_TABLE_INFO_INIT;
    sn_table_printf(&t, "notes:\t\n  private:\tfalse\nlast");
    _sn_free_ char *s = fmt(&t);
    cr_assert_str_eq(s, "notes:     \n  private: false\nlast");
    sn_table_done(&t);
}

Test(table, widths_count_characters_not_bytes)
{
    SnTable t = SN_TABLE_INIT;
    sn_table_printf(&t, "é✓\tx\nab\ty\n");
    _sn_free_ char *s = fmt(&t);
    cr_assert_str_eq(s, "é✓   x\nab   y\n");
    sn_table_done(&t);
}

Test(times, rfc3339_parse_and_format)
{
    SnTime t;
    cr_assert_eq(sn_time_parse("2024-05-01T10:20:30.123456789Z", &t), 0);
    cr_assert(t.set);
    cr_assert_eq(t.sec, 1714558830);
    cr_assert_eq(t.nsec, 123456789);
    char b[64];
    sn_time_rfc3339(&t, b, sizeof(b));
    cr_assert_str_eq(b, "2024-05-01T10:20:30Z");
    cr_assert_eq(sn_time_parse("2024-05-01T12:20:30+02:00", &t), 0);
    cr_assert_eq(t.sec, 1714558830);
    sn_time_rfc3339(&t, b, sizeof(b));
    cr_assert_str_eq(b, "2024-05-01T12:20:30+02:00");
    cr_assert_eq(sn_time_parse("0001-01-01T00:00:00Z", &t), 0);
    cr_assert_not(t.set, "Go's zero time is no time");
    cr_assert_eq(sn_time_parse(NULL, &t), 0);
    cr_assert_not(t.set);
    sn_time_format(&t, false, b, sizeof(b));
    cr_assert_str_eq(b, "-");
    cr_assert_eq(sn_time_parse("2024-05-01 10:20:30Z", &t), -EINVAL);
    cr_assert_eq(sn_time_parse("2024-13-01T10:20:30Z", &t), -EINVAL);
    cr_assert_eq(sn_time_parse("2024-05-01T10:20:30", &t), -EINVAL);
    cr_assert_eq(sn_time_parse("2024-05-01T10:20:30Zjunk", &t), -EINVAL);
}

Test(times, human_times_relative_to_now)
{
    setenv("TZ", "UTC", 1);
    tzset();
    time_t now = 1714558830; /* 2024-05-01 10:20:30 UTC */
    SnTime t = {.set = true};
    char b[64];
    t.sec = now - 3600;
    sn_time_human(&t, now, b, sizeof(b));
    cr_assert_str_eq(b, "today at 09:20 UTC");
    t.sec = now - 86400;
    sn_time_human(&t, now, b, sizeof(b));
    cr_assert_str_eq(b, "yesterday at 10:20 UTC");
    t.sec = now - 3 * 86400;
    sn_time_human(&t, now, b, sizeof(b));
    cr_assert_str_eq(b, "3 days ago, at 10:20 UTC");
    t.sec = now + 86400;
    sn_time_human(&t, now, b, sizeof(b));
    cr_assert_str_eq(b, "tomorrow at 10:20 UTC");
    t.sec = now + 5 * 86400;
    sn_time_human(&t, now, b, sizeof(b));
    cr_assert_str_eq(b, "in 5 days, at 10:20 UTC");
    t.sec = now - 61 * 86400;
    sn_time_human(&t, now, b, sizeof(b));
    cr_assert_str_eq(b, "2024-03-01");
    t.sec = now - 11 * 3600; /* 23:20 the day before */
    sn_time_human(&t, now, b, sizeof(b));
    cr_assert_str_eq(b, "yesterday at 23:20 UTC");
}

static json_t *j(const char *text)
{
    json_t *v = json_loads(text, 0, NULL);
    cr_assert_not_null(v);
    return v;
}

Test(notes, notes_column_as_snapd)
{
    struct {
        const char *snap, *want;
    } cases[] = {
        {"{\"type\":\"app\",\"status\":\"active\"}", "-"},
        {"{\"type\":\"os\",\"status\":\"active\"}", "core"},
        {"{\"type\":\"base\",\"status\":\"installed\"}", "base,disabled"},
        {"{\"status\":\"active\",\"devmode\":true}", "devmode"},
        {"{\"status\":\"active\",\"confinement\":\"classic\"}", "classic"},
        {"{\"status\":\"active\",\"confinement\":\"classic\",\"jailmode\":true}", "jailmode"},
        {"{\"status\":\"active\",\"trymode\":true,\"private\":true}", "private,try"},
        {"{\"status\":\"active\",\"health\":{\"status\":\"okay\"}}", "-"},
        {"{\"status\":\"active\",\"health\":{\"status\":\"error\"}}", "error"},
        {"{\"status\":\"active\",\"hold\":\"2999-01-01T00:00:00Z\"}", "held"},
        {"{\"status\":\"active\",\"hold\":\"2000-01-01T00:00:00Z\"}", "-"},
        {"{\"status\":\"active\",\"cohort-key\":\"k\",\"ignore-validation\":true}", "ignore-validation,in-cohort"},
        {"{\"status\":\"active\",\"components\":[{\"install-date\":\"x\"},{}]}", "components[1/2]"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        json_t *s = j(cases[i].snap);
        _sn_free_ char *n = sn_snap_notes(s, time(NULL));
        cr_assert_str_eq(n, cases[i].want, "%s", cases[i].snap);
        json_decref(s);
    }
}

Test(notes, channels_and_publishers)
{
    _sn_free_ char *a = sn_fmt_channel("");
    _sn_free_ char *b = sn_fmt_channel("latest/stable");
    _sn_free_ char *c = sn_fmt_channel("latest/stable/fix-123");
    cr_assert_str_eq(a, "-");
    cr_assert_str_eq(b, "latest/stable");
    cr_assert_str_eq(c, "latest/stable/…");

    SnEscapes plain, uni;
    cr_assert_eq(sn_escapes_get("never", "never", false, &plain), 0);
    cr_assert_eq(sn_escapes_get("never", "always", false, &uni), 0);
    cr_assert_eq(sn_escapes_get("sometimes", "never", false, &plain), -EINVAL);
    json_t *p = j("{\"username\":\"canonical\",\"display-name\":\"Canonical\",\"validation\":\"verified\"}");
    _sn_free_ char *s1 = sn_short_publisher(&plain, p);
    _sn_free_ char *s2 = sn_short_publisher(&uni, p);
    _sn_free_ char *l1 = sn_long_publisher(&plain, p);
    _sn_free_ char *s3 = sn_short_publisher(&plain, NULL);
    _sn_free_ char *l2 = sn_long_publisher(&plain, NULL);
    cr_assert_str_eq(s1, "canonical**");
    cr_assert_str_eq(s2, "canonical✓");
    cr_assert_str_eq(l1, "Canonical**");
    cr_assert_str_eq(s3, "-");
    cr_assert_str_eq(l2, "--");
    json_decref(p);
    json_t *q = j("{\"username\":\"jdoe\",\"display-name\":\"Jane Doe\"}");
    _sn_free_ char *l3 = sn_long_publisher(&plain, q);
    cr_assert_str_eq(l3, "Jane Doe (jdoe)");
    json_decref(q);
    SnEscapes col;
    cr_assert_eq(sn_escapes_get("always", "never", false, &col), 0);
    cr_assert_str_eq(col.green, "\033[32m");
}

Test(config, set_arguments_become_a_patch)
{
    char *args[] = {"a=1", "b.c=\"x\"", "d=not json", "e={\"k\":[1,2]}", "f!", "g.h.i=true"};
    json_t *patch = NULL;
    _sn_strv_free_ char **keys = NULL;
    SnError *err = NULL;
    int r = sn_config_parse_values(args, SN_ELEMENTSOF(args), false, false, &patch, &keys, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    _sn_free_ char *s = json_dumps(patch, JSON_COMPACT | JSON_SORT_KEYS);
    cr_assert_str_eq(s, "{\"a\":1,\"b.c\":\"x\",\"d\":\"not json\",\"e\":{\"k\":[1,2]},\"f\":null,\"g.h.i\":true}");
    cr_assert_str_eq(keys[0], "a");
    cr_assert_str_eq(keys[4], "f");
    cr_assert_null(keys[6]);
    json_decref(patch);
}

Test(config, string_and_typed_modes)
{
    char *args[] = {"a=1"};
    json_t *patch = NULL;
    cr_assert_eq(sn_config_parse_values(args, 1, true, false, &patch, NULL, NULL), 0);
    cr_assert_str_eq(json_string_value(json_object_get(patch, "a")), "1");
    json_decref(patch);
    char *bad[] = {"a=not json"};
    SnError *err = NULL;
    int r = sn_config_parse_values(bad, 1, false, true, &patch, NULL, &err);
    cr_assert_eq(r, -EINVAL);
    cr_assert(sn_startswith(sn_error_message(err, r), "failed to parse JSON: "));
    sn_error_free(err);
}

Test(config, bad_arguments_have_snapds_wording)
{
    struct {
        const char *arg, *msg;
    } cases[] = {
        {"novalue", "invalid configuration: \"novalue\" (want key=value)"},
        {"=1", "configuration keys cannot be empty"},
        {"!", "configuration keys cannot be empty (use key! to unset a key)"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        char *args[] = {(char *)cases[i].arg};
        json_t *patch = NULL;
        SnError *err = NULL;
        int r = sn_config_parse_values(args, 1, false, false, &patch, NULL, &err);
        cr_assert_eq(r, -EINVAL);
        cr_assert_null(patch);
        cr_assert_str_eq(sn_error_message(err, r), cases[i].msg);
        sn_error_free(err);
    }
}

Test(config, values_print_as_snap_get_does)
{
    json_t *v = j("{\"b\":[1,\"x\"],\"a\":{\"c\":null}}");
    _sn_free_ char *s = sn_config_format_value(v, false);
    cr_assert_str_eq(s, "{\n\t\"a\": {\n\t\t\"c\": null\n\t},\n\t\"b\": [\n\t\t1,\n\t\t\"x\"\n\t]\n}");
    json_decref(v);
    json_t *str = json_string("frank");
    _sn_free_ char *s1 = sn_config_format_value(str, false);
    _sn_free_ char *s2 = sn_config_format_value(str, true);
    cr_assert_str_eq(s1, "frank");
    cr_assert_str_eq(s2, "\"frank\"");
    json_decref(str);
}

Test(config, list_rows_sorted_with_dots_first)
{
    json_t *conf = j("{\"a-b\":1,\"a\":{\"x\":1,\"y\":{\"z\":2}},\"b\":\"s\"}");
    SnTable t = SN_TABLE_INIT;
    sn_config_list(&t, conf, true);
    _sn_free_ char *root = fmt(&t);
    cr_assert_str_eq(root, "Key  Value\n"
                           "a    {...}\n"
                           "a-b  1\n"
                           "b    s\n");
    sn_config_list(&t, conf, false);
    _sn_free_ char *expanded = fmt(&t);
    cr_assert_str_eq(expanded, "Key  Value\n"
                               "a.x  1\n"
                               "a.y  {...}\n"
                               "a-b  1\n"
                               "b    s\n");
    sn_table_done(&t);
    json_decref(conf);
}

Test(fill, long_messages_wrap_under_error_prefix)
{
    _sn_free_ char *short_msg = sn_cli_fill("snap \"foo\" is not installed");
    cr_assert_str_eq(short_msg, "snap \"foo\" is not installed");
    _sn_free_ char *long_msg = sn_cli_fill("cannot remove \"aaaa\", \"bbbb\" due to low disk space for automatic "
                                           "snapshot, use --purge to avoid creating a snapshot");
    cr_assert_str_eq(long_msg, "cannot remove \"aaaa\", \"bbbb\" due to low disk space for automatic\n"
                               "       snapshot, use --purge to avoid creating a snapshot");
}
