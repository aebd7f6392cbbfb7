/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * A bounded YAML loader: libyaml events into an SnYamlNode tree (the first document only).
 *
 * Hostile input is capped: nesting depth (SN_YAML_MAX_DEPTH), total nodes (SN_YAML_MAX_NODES) and
 * total scalar bytes (SN_YAML_MAX_BYTES), counting every copy an alias makes, so "billion laughs"
 * stops early. Mapping keys must be scalars and unique within their map.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "snap-yaml.h"

#define SN_YAML_MAX_DEPTH 64
#define SN_YAML_MAX_NODES 200000u
#define SN_YAML_MAX_BYTES (16u * 1024u * 1024u)

/*
 * Loads data[0..len) into *ret_root (the caller releases it with sn_yaml_node_done()). An empty
 * document gives a SN_YAML_NULL root. Returns 0, -EINVAL (bad YAML, with the libyaml problem and
 * line in *reterr), -E2BIG (a cap was hit) or -ENOMEM. *ret_root is written only on success.
 */
int sn_yaml_tree_load(const char *data, size_t len, SnYamlNode *ret_root, SnError **reterr);

/* Deep-copies src into *ret (zeroed first). Returns 0 or -ENOMEM (then *ret is left empty). */
int sn_yaml_node_copy(const SnYamlNode *src, SnYamlNode *ret);

/* The type a plain scalar resolves to under YAML 1.1 rules, as gopkg.in/yaml.v2 resolves it. */
typedef enum SnYamlScalarType {
    SN_YAML_TYPE_NULL,
    SN_YAML_TYPE_STR,
    SN_YAML_TYPE_BOOL,
    SN_YAML_TYPE_INT,
    SN_YAML_TYPE_FLOAT,
    SN_YAML_TYPE_COLLECTION, /* a sequence or a map */
} SnYamlScalarType;

/* The resolved type of node: NULL for SN_YAML_NULL, STR for quoted scalars, COLLECTION for seq/map. */
SnYamlScalarType sn_yaml_node_type(const SnYamlNode *node);

/*
 * Parses s as a YAML 1.1 integer as yaml.v2 does ('_' ignored; 0x, 0o, 0b and leading-0 octal;
 * optional sign). Returns 0 and *ret, or -EINVAL / -ERANGE.
 */
int sn_yaml_parse_int(const char *s, int64_t *ret);

/* Looks up key in a SN_YAML_MAP node; NULL when node is not a map or has no such key. */
const SnYamlNode *sn_yaml_node_get(const SnYamlNode *node, const char *key);

/* "null", "string", "sequence" or "map": for messages. */
const char *sn_yaml_kind_to_string(SnYamlKind kind);
