/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap.yaml `epoch:` (snapd's snap/epoch.go): "N", "N*" (read N-1 and N, write N), or
 * {read: [...], write: [...]}. SnEpoch itself is declared in snap-yaml.h; sn_epoch_to_string too.
 */
#pragma once

#include <stdbool.h>

#include "error.h"
#include "snap-yaml.h"

/* The default epoch, {read: [0], write: [0]}. */
void sn_epoch_init_default(SnEpoch *ret);

/*
 * Parses the short form ("", "0", "5", "5*"). Returns 0 and *ret, or -EINVAL with snapd's message
 * ("0* is an invalid epoch", "epoch numbers must be base 10 with no zero padding, but got ...").
 */
int sn_epoch_from_string(const char *s, SnEpoch *ret, SnError **reterr);

/*
 * Parses an `epoch:` value: null (the default), a scalar (short form) or a map with read/write
 * lists, then validates it. Errors carry node's line. Returns 0 or -EINVAL.
 */
int sn_epoch_from_yaml(const SnYamlNode *node, SnEpoch *ret, SnError **reterr);

/* snapd's Epoch.Validate: lists strictly increasing, at most 10 entries, intersecting. */
int sn_epoch_validate(const SnEpoch *epoch, SnError **reterr);

/* True when a snap with epoch `reader` can read data written at epoch `writer` (snapd's CanRead). */
bool sn_epoch_can_read(const SnEpoch *reader, const SnEpoch *writer);
