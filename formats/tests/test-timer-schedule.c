/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <string.h>

#include "macros.h"
#include "timer-schedule.h"

Test(timer_schedule, accepts_snapd_schedules)
{
    static const char *const good[] = {
        "mon",
        "mon,fri,10:00,15:00",
        "mon-wed,fri,9:00-11:00/2",
        "mon,9:00~11:00,,wed,22:00~23:00",
        "mon,,wed",
        "mon1-wed",
        "mon-wed1",
        "mon1",
        "mon5-fri",
        "mon2-wed3",
        "0:00-24:00/96",
        "0:00~24:00/96",
        "mon2-fri,0:00~10:00,,mon5-fri,0:00-10:00",
        "23:59",
        "09:05",
        "10:00-9:00",
        "fri,23:00-01:00",
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(good); i++) {
        _sn_cleanup_(sn_error_freep) SnError *e = NULL;
        cr_assert_eq(sn_timer_schedule_validate(good[i], &e), 0, "%s: %s", good[i], sn_error_message(e, -EINVAL));
    }
}

Test(timer_schedule, refuses_with_snapd_messages)
{
    static const char *const bad[][2] = {
        {"mon,10:00-12:00,mon2-wed3", "cannot parse \"mon2-wed3\": invalid schedule fragment"},
        {"", "not a valid fragment"},
        {"mon,", "cannot parse \"mon,\": not a valid fragment"},
        {"foo", "\"foo\" is not a valid weekday"},
        {"mon6", "\"mon6\" is not a valid weekday"},
        {"mon0", "is not a valid weekday"},
        {"mon-tue-wed", "cannot parse \"mon-tue-wed\": invalid week span"},
        {"mon4-mon1", "cannot parse \"mon4-mon1\": unsupported schedule"},
        {"24:01", "cannot parse \"24:01\": not a valid time"},
        {"9:60", "not a valid time"},
        {"9:00-", "not a valid time"},
        {"9:00/0", "cannot parse \"9:00/0\": not a valid interval"},
        {"9:00/1/2", "not a valid interval"},
        {"9:00/x", "not a valid interval"},
        {"123:00", "not a valid time"},
        {"-", "is not a valid weekday"},
        {"mon,,", "not a valid fragment"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(bad); i++) {
        _sn_cleanup_(sn_error_freep) SnError *e = NULL;
        cr_assert_eq(sn_timer_schedule_validate(bad[i][0], &e), -EINVAL, "accepted \"%s\"", bad[i][0]);
        cr_assert(strstr(e->message, bad[i][1]), "%s: \"%s\" lacks \"%s\"", bad[i][0], e->message, bad[i][1]);
    }
    cr_assert_eq(sn_timer_schedule_validate(NULL, NULL), -EINVAL);
}
