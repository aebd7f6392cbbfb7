/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Shared between the snap.yaml decoder (snap-yaml*.c, see snap-yaml-decode-internal.h) and its
 * validation (snap-yaml-validate*.c). Not for use outside formats/.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

#include "snap-yaml.h"

/* Caps on collections (no real snap comes near them; they bound the work hostile input causes). */
#define SN_SNAP_YAML_MAX_ITEMS 1024u
#define SN_SNAP_YAML_MAX_BINDINGS 16384u

/*
 * Sets *reterr to "<prefix><message>" followed by " (line N)" when line > 0, with the line stored
 * in the error too. Returns -EINVAL.
 */
int sn_snap_yaml_error(SnError **reterr, const char *prefix, int line, const char *fmt, ...) _sn_printf_(4, 5);

/*
 * The plug or slot called name in arr[0..n), or NULL, in snap-yaml-plugs.c. Like strchr, it gives
 * a mutable pointer into arr; callers holding a const array keep the result const.
 */
SnPlugSlot *sn_snap_yaml_find_plug_slot(const SnPlugSlot *arr, size_t n, const char *name);
