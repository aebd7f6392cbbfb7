/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Go duration strings (time.ParseDuration): "10s", "1m30s", "1.5h", "500ms", "-12s", "0".
 * Units: ns, us, µs, μs, ms, s, m, h. snap.yaml's stop-timeout, start-timeout, watchdog-timeout and
 * restart-delay use them.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * Parses s into nanoseconds. Returns 0 and *ret, or -EINVAL (bad syntax, unknown unit, missing
 * unit) / -ERANGE (does not fit in int64); then *ret_reason (when not NULL) points to a static
 * text in Go's wording: "invalid duration", "missing unit in duration", "unknown unit in duration".
 */
int sn_duration_parse(const char *s, int64_t *ret, const char **ret_reason);

/* Formats d as Go's Duration.String() does ("1m30s", "500ms", "0s") into buf. Returns buf. */
char *sn_duration_format(int64_t d, char *buf, size_t size);
#define SN_DURATION_FORMAT_MAX 40
