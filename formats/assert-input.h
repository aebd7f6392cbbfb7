/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The input of `snap sign`: the headers of an assertion as a JSON object (what snapd's signtool
 * reads) or, when the text is not JSON, a YAML mapping. Values must be strings, lists or maps
 * (JSON numbers, booleans and null are refused as snapd refuses them; YAML scalars are taken as
 * strings). A "body" pseudo-header, when present, becomes the body.
 */
#pragma once

#include <stddef.h>

#include "assert-value.h"
#include "error.h"

/*
 * Parses text into a MAP of headers (*ret) and the body (*ret_body, caller frees, NULL when
 * there is no "body" entry). Returns 0 or -EINVAL with the reason.
 */
int sn_assert_input_parse(const char *text, size_t len, SnAssertValue **ret, char **ret_body, SnError **reterr);
