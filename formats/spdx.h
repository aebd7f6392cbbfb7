/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * SPDX license expressions as snapd accepts them in snap.yaml `license:` (snapd's spdx package):
 * license ids from the SPDX list (3.11, as snapd embeds it), combined with AND / OR, an exception
 * after WITH, and parentheses. Tokens are separated by spaces or newlines; '(' and ')' stand alone.
 */
#pragma once

#include <stdbool.h>

#include "error.h"

/* Returns 0 when expr is a valid expression, else -EINVAL with snapd's reason ("unknown license: X"). */
int sn_spdx_validate_license(const char *expr, SnError **reterr);

/* True when id is a known SPDX license id / exception id (exact, case-sensitive). */
bool sn_spdx_license_known(const char *id);
bool sn_spdx_exception_known(const char *id);
