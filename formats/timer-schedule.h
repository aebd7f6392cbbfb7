/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The schedule syntax of snap.yaml `timer:` and refresh.timer (snapd's timeutil.ParseSchedule):
 *
 *   eventlist = eventset *( ",," eventset )
 *   eventset  = wdaylist / timelist / wdaylist "," timelist
 *   wdayset   = wday [ "-" wday ]           wday = mon..sun [ 1..5 ]
 *   timeset   = time [ ( "-" / "~" ) time ] [ "/" count ]  |  "-" / "~" [ "/" count ]
 *   time      = H:MM or HH:MM (0:00..23:59, or 24:00)
 *
 * Only checks validity; computing the next window is not needed here.
 */
#pragma once

#include "error.h"

/* Returns 0 when spec parses, else -EINVAL with snapd's message ("cannot parse \"x\": ..."). */
int sn_timer_schedule_validate(const char *spec, SnError **reterr);
