/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * JSON bodies of assertion types with snapd's jsonBody flag (confdb-schema) must be canonical:
 * exactly what Go's json.MarshalIndent(value, "", "  ") prints for the decoded value (2-space
 * indent, object keys sorted, Go's string escaping including its HTML escapes). Parsed with
 * jansson.
 */
#pragma once

#include <stddef.h>

#include "error.h"

/* Returns 0 when body is canonical JSON as snapd requires, else -EBADMSG with snapd's message. */
int sn_assert_check_json_body(const char *body, size_t len, SnError **reterr);

/*
 * Renders body (any JSON text) the way Go's json.MarshalIndent(v, "", "  ") does. Returns 0 and
 * *ret (caller frees), or -EBADMSG when body is not JSON.
 */
int sn_assert_json_canonical(const char *body, size_t len, char **ret, SnError **reterr);
