/* SPDX-License-Identifier: GPL-3.0-only */
#pragma once

#include <stdbool.h>

/* The name rules of snap-confine's gate (lower case, digits, single inner '-', 1..64); upper case for apps. */
bool sn_policy_name_ok(const char *s, bool allow_upper);
