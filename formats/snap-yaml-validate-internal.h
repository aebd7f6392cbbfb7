/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Shared by the files of snap.yaml validation: snap-yaml-validate.c (the top level,
 * sn_snap_info_validate), snap-yaml-validate-apps.c and snap-yaml-validate-layout.c. Not for use
 * outside formats/.
 *
 * Each check returns 0, or -EINVAL with snapd's message (and " (line N)") in *reterr; -ENOMEM
 * without a message.
 */
#pragma once

#include "snap-yaml-internal.h"
#include "snap-yaml.h"

/* Validation messages carry no "cannot parse snap.yaml: " prefix. */
#define VERR(reterr, line, ...) sn_snap_yaml_error(reterr, NULL, line, __VA_ARGS__)

/* ---- snap-yaml-validate-apps.c ---- */

/* One app (messages without the "invalid definition of application" prefix the caller adds). */
int sn_snap_yaml_validate_app(const SnSnapInfo *info, const SnApp *app, SnError **reterr);

/* Refuses services whose before/after lists form a cycle (Kahn's algorithm, as snapd's SortServices). */
int sn_snap_yaml_validate_order_cycles(const SnSnapInfo *info, SnError **reterr);

/* One hook's name and command chain (snap hooks and component hooks). */
int sn_snap_yaml_validate_hook(const SnHook *hook, SnError **reterr);

/* Every snap hook, and which snap types may have configure and default-configure hooks. */
int sn_snap_yaml_validate_hooks(const SnSnapInfo *info, SnError **reterr);

/* ---- snap-yaml-validate-layout.c ---- */

/* Every layout entry, and how they fit together. */
int sn_snap_yaml_validate_layouts(const SnSnapInfo *info, SnError **reterr);
