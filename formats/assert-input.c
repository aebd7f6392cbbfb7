/* SPDX-License-Identifier: GPL-3.0-only */
#include <errno.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "assert-input.h"

static int from_json(json_t *j, int depth, SnAssertValue **ret, SnError **reterr)
{
    if (depth > 64)
        return sn_error_set(reterr, -EINVAL, "assertion input nested too deeply");
    switch (json_typeof(j)) {
    case JSON_STRING:
        if (memchr(json_string_value(j), 0, json_string_length(j)))
            return sn_error_set(reterr, -EINVAL, "header values cannot contain NUL characters");
        *ret = sn_assert_value_new_string(json_string_value(j));
        return *ret ? 0 : -ENOMEM;
    case JSON_ARRAY: {
        _sn_cleanup_(sn_assert_value_freep) SnAssertValue *l = sn_assert_value_new_list();
        if (!l)
            return -ENOMEM;
        size_t i;
        json_t *item;
        json_array_foreach(j, i, item)
        {
            SnAssertValue *v = NULL;
            int r = from_json(item, depth + 1, &v, reterr);
            if (r < 0 || (r = sn_assert_value_list_append(l, v)) < 0)
                return r;
        }
        *ret = SN_TAKE_PTR(l);
        return 0;
    }
    case JSON_OBJECT: {
        _sn_cleanup_(sn_assert_value_freep) SnAssertValue *m = sn_assert_value_new_map();
        if (!m)
            return -ENOMEM;
        const char *k;
        json_t *item;
        json_object_foreach(j, k, item)
        {
            SnAssertValue *v = NULL;
            int r = from_json(item, depth + 1, &v, reterr);
            if (r < 0 || (r = sn_assert_value_map_set(m, k, v)) < 0)
                return r;
        }
        *ret = SN_TAKE_PTR(m);
        return 0;
    }
    default:
        return sn_error_set(reterr, -EINVAL,
                            "header values must be strings or nested lists or maps with strings as the only scalars");
    }
}

static int from_yaml(yaml_document_t *doc, yaml_node_t *node, int depth, SnAssertValue **ret, SnError **reterr)
{
    if (!node || depth > 64)
        return sn_error_set(reterr, -EINVAL, "invalid assertion input");
    switch (node->type) {
    case YAML_SCALAR_NODE:
        if (memchr(node->data.scalar.value, 0, node->data.scalar.length))
            return sn_error_set(reterr, -EINVAL, "header values cannot contain NUL characters");
        *ret = sn_assert_value_new_string_len((const char *)node->data.scalar.value, node->data.scalar.length);
        return *ret ? 0 : -ENOMEM;
    case YAML_SEQUENCE_NODE: {
        _sn_cleanup_(sn_assert_value_freep) SnAssertValue *l = sn_assert_value_new_list();
        if (!l)
            return -ENOMEM;
        for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++) {
            SnAssertValue *v = NULL;
            int r = from_yaml(doc, yaml_document_get_node(doc, *it), depth + 1, &v, reterr);
            if (r < 0 || (r = sn_assert_value_list_append(l, v)) < 0)
                return r;
        }
        *ret = SN_TAKE_PTR(l);
        return 0;
    }
    case YAML_MAPPING_NODE: {
        _sn_cleanup_(sn_assert_value_freep) SnAssertValue *m = sn_assert_value_new_map();
        if (!m)
            return -ENOMEM;
        for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(doc, p->key);
            if (!k || k->type != YAML_SCALAR_NODE)
                return sn_error_set(reterr, -EINVAL, "assertion input keys must be strings");
            SnAssertValue *v = NULL;
            int r = from_yaml(doc, yaml_document_get_node(doc, p->value), depth + 1, &v, reterr);
            if (r < 0 || (r = sn_assert_value_map_set(m, (const char *)k->data.scalar.value, v)) < 0)
                return r;
        }
        *ret = SN_TAKE_PTR(m);
        return 0;
    }
    default:
        return sn_error_set(reterr, -EINVAL, "invalid assertion input");
    }
}

static int take_body(SnAssertValue *headers, char **ret_body, SnError **reterr)
{
    *ret_body = NULL;
    SnAssertValue *b = sn_assert_value_map_get(headers, "body");
    if (!b)
        return 0;
    if (b->kind != SN_ASSERT_VALUE_STRING)
        return sn_error_set(reterr, -EINVAL, "body if specified must be a string");
    *ret_body = strdup(b->str);
    if (!*ret_body)
        return -ENOMEM;
    sn_assert_value_map_remove(headers, "body");
    return 0;
}

int sn_assert_input_parse(const char *text, size_t len, SnAssertValue **ret, char **ret_body, SnError **reterr)
{
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *headers = NULL;
    json_error_t jerr;
    json_t *j = json_loadb(text, len, 0, &jerr);
    int r;
    if (j) {
        r = from_json(j, 0, &headers, reterr);
        json_decref(j);
        if (r < 0)
            return r;
    } else {
        yaml_parser_t parser;
        yaml_document_t doc;
        if (!yaml_parser_initialize(&parser))
            return -ENOMEM;
        yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
        if (!yaml_parser_load(&parser, &doc)) {
            r = sn_error_set(reterr, -EINVAL, "cannot parse the assertion input as JSON (%s) or YAML (%s, line %zu)",
                             jerr.text, parser.problem ? parser.problem : "error", parser.problem_mark.line + 1);
            yaml_parser_delete(&parser);
            return r;
        }
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (!root || root->type != YAML_MAPPING_NODE)
            r = sn_error_set(reterr, -EINVAL, "the assertion input must be a mapping of headers");
        else
            r = from_yaml(&doc, root, 0, &headers, reterr);
        yaml_document_delete(&doc);
        yaml_parser_delete(&parser);
        if (r < 0)
            return r;
    }
    if (headers->kind != SN_ASSERT_VALUE_MAP)
        return sn_error_set(reterr, -EINVAL, "the assertion input must be a mapping of headers");
    r = take_body(headers, ret_body, reterr);
    if (r < 0)
        return r;
    *ret = SN_TAKE_PTR(headers);
    return 0;
}
