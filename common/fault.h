/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Compile-time fault injection: `if (sn_faulty("mount") || mount(...) < 0)`.
 *
 * In builds with -Dfault_injection=true, sn_faulty(name) is true when the comma-separated list in
 * SN_FAULTS contains name (each entry may be "name" or "name:N" to fail only the N-th call,
 * 1-based). In release builds it is the constant false and the compiler removes the branch.
 */
#pragma once

#include <stdbool.h>

#include "config.h"

#if SN_FAULT_INJECTION
bool sn_faulty(const char *name);
#else
static inline bool sn_faulty(const char *name)
{
    (void)name;
    return false;
}
#endif
