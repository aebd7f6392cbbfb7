/* SPDX-License-Identifier: GPL-3.0-only */
#include "yaml-tree.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "strutil.h"

typedef struct Anchor {
    char *name;
    SnYamlNode node;
} Anchor;

typedef struct Loader {
    yaml_parser_t parser;
    size_t n_nodes;
    size_t n_bytes;
    Anchor *anchors;
    size_t n_anchors;
    SnError **reterr;
} Loader;

#define MAX_ANCHORS 1024u

void sn_yaml_node_done(SnYamlNode *node)
{
    if (!node)
        return;
    free(node->scalar);
    for (size_t i = 0; i < node->n_items; i++) {
        sn_yaml_node_done(&node->items[i]);
        if (node->keys)
            free(node->keys[i]);
    }
    free(node->items);
    free(node->keys);
    *node = (SnYamlNode){0};
}

const char *sn_yaml_kind_to_string(SnYamlKind kind)
{
    switch (kind) {
    case SN_YAML_NULL:
        return "null";
    case SN_YAML_SCALAR:
        return "string";
    case SN_YAML_SEQ:
        return "sequence";
    case SN_YAML_MAP:
        return "map";
    }
    return "unknown";
}

const SnYamlNode *sn_yaml_node_get(const SnYamlNode *node, const char *key)
{
    if (!node || node->kind != SN_YAML_MAP || !key)
        return NULL;
    for (size_t i = 0; i < node->n_items; i++)
        if (SN_STREQ(node->keys[i], key))
            return &node->items[i];
    return NULL;
}

/* Counts one node of `bytes` scalar bytes against the caps; a copy made for an alias counts too. */
static int budget(Loader *l, size_t bytes, int line)
{
    if (++l->n_nodes > SN_YAML_MAX_NODES)
        return sn_error_set_at(l->reterr, -E2BIG, line, "yaml: line %d: document has more than %u nodes", line,
                               SN_YAML_MAX_NODES);
    if (bytes > SN_YAML_MAX_BYTES || l->n_bytes + bytes > SN_YAML_MAX_BYTES)
        return sn_error_set_at(l->reterr, -E2BIG, line, "yaml: line %d: document expands to more than %u bytes", line,
                               SN_YAML_MAX_BYTES);
    l->n_bytes += bytes;
    return 0;
}

/* Copies src; with a loader, the copy counts against its caps and lands at nesting level depth. */
static int copy_node(Loader *l, const SnYamlNode *src, SnYamlNode *ret, unsigned depth)
{
    SnYamlNode n = {.kind = src->kind, .line = src->line, .quoted = src->quoted};
    int r;

    if (l) {
        if (depth >= SN_YAML_MAX_DEPTH)
            return sn_error_set_at(l->reterr, -E2BIG, src->line, "yaml: line %d: nesting deeper than %u levels",
                                   src->line, SN_YAML_MAX_DEPTH);
        r = budget(l, src->scalar ? strlen(src->scalar) : 0, src->line);
        if (r < 0)
            return r;
    }
    if (src->scalar) {
        n.scalar = strdup(src->scalar);
        if (!n.scalar)
            return -ENOMEM;
    }
    if (src->n_items > 0) {
        n.items = calloc(src->n_items, sizeof(*n.items));
        if (!n.items) {
            sn_yaml_node_done(&n);
            return -ENOMEM;
        }
        if (src->keys) {
            n.keys = calloc(src->n_items, sizeof(*n.keys));
            if (!n.keys) {
                sn_yaml_node_done(&n);
                return -ENOMEM;
            }
        }
        for (size_t i = 0; i < src->n_items; i++) {
            n.n_items = i + 1;
            if (src->keys) {
                n.keys[i] = strdup(src->keys[i]);
                if (!n.keys[i]) {
                    sn_yaml_node_done(&n);
                    return -ENOMEM;
                }
            }
            r = copy_node(l, &src->items[i], &n.items[i], depth + 1);
            if (r < 0) {
                sn_yaml_node_done(&n);
                return r;
            }
        }
    }
    *ret = n;
    return 0;
}

int sn_yaml_node_copy(const SnYamlNode *src, SnYamlNode *ret)
{
    *ret = (SnYamlNode){0};
    if (!src)
        return 0;
    return copy_node(NULL, src, ret, 0);
}

static int parse_error(Loader *l)
{
    const yaml_parser_t *p = &l->parser;
    if (p->error == YAML_MEMORY_ERROR)
        return sn_error_set(l->reterr, -ENOMEM, "yaml: out of memory");
    int line = (int)SN_MIN(p->problem_mark.line + 1, (size_t)INT_MAX);
    if (p->context)
        return sn_error_set_at(l->reterr, -EINVAL, line, "yaml: line %d: %s %s", line, p->problem ?: "error",
                               p->context);
    return sn_error_set_at(l->reterr, -EINVAL, line, "yaml: line %d: %s", line, p->problem ?: "cannot parse");
}

static int next_event(Loader *l, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&l->parser, ev))
        return parse_error(l);
    return 0;
}

static int event_line(const yaml_event_t *ev)
{
    return (int)SN_MIN(ev->start_mark.line + 1, (size_t)INT_MAX);
}

static int load_node(Loader *l, yaml_event_t *ev, unsigned depth, SnYamlNode *ret);

static int remember_anchor(Loader *l, const char *name, const SnYamlNode *node)
{
    Anchor *slot = NULL;
    for (size_t i = 0; i < l->n_anchors; i++)
        if (SN_STREQ(l->anchors[i].name, name))
            slot = &l->anchors[i];
    if (!slot) {
        if (l->n_anchors >= MAX_ANCHORS)
            return sn_error_set_at(l->reterr, -E2BIG, node->line, "yaml: line %d: more than %u anchors", node->line,
                                   MAX_ANCHORS);
        Anchor *a = realloc(l->anchors, (l->n_anchors + 1) * sizeof(*a));
        if (!a)
            return -ENOMEM;
        l->anchors = a;
        slot = &a[l->n_anchors];
        *slot = (Anchor){.name = strdup(name)};
        if (!slot->name)
            return -ENOMEM;
        l->n_anchors++;
    } else {
        sn_yaml_node_done(&slot->node);
    }
    return copy_node(l, node, &slot->node, 0);
}

typedef struct KeyLine {
    const char *key;
    int line;
} KeyLine;

static int cmp_keyline(const void *a, const void *b)
{
    const KeyLine *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c != 0)
        return c;
    return (x->line > y->line) - (x->line < y->line);
}

static int check_duplicate_keys(Loader *l, const SnYamlNode *map, const int *key_lines)
{
    if (map->n_items < 2)
        return 0;
    _sn_free_ KeyLine *kl = calloc(map->n_items, sizeof(*kl));
    if (!kl)
        return -ENOMEM;
    for (size_t i = 0; i < map->n_items; i++)
        kl[i] = (KeyLine){map->keys[i], key_lines[i]};
    qsort(kl, map->n_items, sizeof(*kl), cmp_keyline);
    for (size_t i = 1; i < map->n_items; i++)
        if (SN_STREQ(kl[i].key, kl[i - 1].key))
            return sn_error_set_at(l->reterr, -EINVAL, kl[i].line,
                                   "yaml: line %d: mapping key \"%s\" already defined at line %d", kl[i].line,
                                   kl[i].key, kl[i - 1].line);
    return 0;
}

static int grow(SnYamlNode *n, size_t *cap, int **key_lines)
{
    if (n->n_items < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 4;
    SnYamlNode *items = reallocarray(n->items, ncap, sizeof(*items));
    if (!items)
        return -ENOMEM;
    n->items = items;
    if (key_lines) {
        char **keys = reallocarray(n->keys, ncap, sizeof(*keys));
        if (!keys)
            return -ENOMEM;
        n->keys = keys;
        int *kl = reallocarray(*key_lines, ncap, sizeof(*kl));
        if (!kl)
            return -ENOMEM;
        *key_lines = kl;
    }
    *cap = ncap;
    return 0;
}

/* Reads a map key: a scalar, or an alias of one. Returns the owned text in *ret_key. */
static int load_key(Loader *l, yaml_event_t *ev, unsigned depth, char **ret_key)
{
    SnYamlNode key = {0};
    int line = event_line(ev);
    if (ev->type != YAML_SCALAR_EVENT && ev->type != YAML_ALIAS_EVENT)
        return sn_error_set_at(l->reterr, -EINVAL, line, "yaml: line %d: mapping keys must be scalars", line);
    int r = load_node(l, ev, depth, &key);
    if (r < 0)
        return r;
    if (key.kind == SN_YAML_SEQ || key.kind == SN_YAML_MAP) {
        sn_yaml_node_done(&key);
        return sn_error_set_at(l->reterr, -EINVAL, line, "yaml: line %d: mapping keys must be scalars", line);
    }
    *ret_key = key.scalar ? SN_TAKE_PTR(key.scalar) : strdup("");
    sn_yaml_node_done(&key);
    return *ret_key ? 0 : -ENOMEM;
}

static bool plain_is_null(const char *s)
{
    return !*s || SN_STREQ(s, "~") || SN_STREQ(s, "null") || SN_STREQ(s, "Null") || SN_STREQ(s, "NULL");
}

static int load_collection(Loader *l, bool is_map, int line, unsigned depth, SnYamlNode *n)
{
    yaml_event_type_t end = is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
    size_t cap = 0;
    _sn_free_ int *key_lines = NULL;
    int r;

    *n = (SnYamlNode){.kind = is_map ? SN_YAML_MAP : SN_YAML_SEQ, .line = line};
    for (;;) {
        yaml_event_t ev;
        r = next_event(l, &ev);
        if (r < 0)
            return r;
        if (ev.type == end) {
            yaml_event_delete(&ev);
            break;
        }
        r = grow(n, &cap, is_map ? &key_lines : NULL);
        if (r < 0) {
            yaml_event_delete(&ev);
            return r;
        }
        size_t i = n->n_items;
        if (is_map) {
            key_lines[i] = event_line(&ev);
            r = load_key(l, &ev, depth, &n->keys[i]);
            yaml_event_delete(&ev);
            if (r < 0)
                return r;
            r = next_event(l, &ev);
            if (r < 0) {
                free(n->keys[i]);
                return r;
            }
        }
        n->items[i] = (SnYamlNode){0};
        n->n_items++;
        r = load_node(l, &ev, depth, &n->items[i]);
        yaml_event_delete(&ev);
        if (r < 0)
            return r;
        /* A map value is "where its key is": a block collection starts on the next line. */
        if (is_map)
            n->items[i].line = key_lines[i];
    }
    if (is_map)
        return check_duplicate_keys(l, n, key_lines);
    return 0;
}

/* Loads the node that starts with *ev (which the caller deletes) into *ret (zeroed by the caller). */
static int load_node(Loader *l, yaml_event_t *ev, unsigned depth, SnYamlNode *ret)
{
    int line = event_line(ev);
    const char *anchor = NULL;
    int r;

    if (depth >= SN_YAML_MAX_DEPTH)
        return sn_error_set_at(l->reterr, -E2BIG, line, "yaml: line %d: nesting deeper than %u levels", line,
                               SN_YAML_MAX_DEPTH);

    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        const char *text = (const char *)ev->data.scalar.value;
        size_t len = ev->data.scalar.length;
        const char *tag = (const char *)ev->data.scalar.tag;
        bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        bool str_tag = tag && SN_STREQ(tag, YAML_STR_TAG);
        anchor = (const char *)ev->data.scalar.anchor;
        r = budget(l, len, line);
        if (r < 0)
            return r;
        if (memchr(text, '\0', len))
            return sn_error_set_at(l->reterr, -EINVAL, line, "yaml: line %d: scalar contains a NUL character", line);
        if ((plain && !str_tag && plain_is_null(text)) || (tag && SN_STREQ(tag, YAML_NULL_TAG))) {
            *ret = (SnYamlNode){.kind = SN_YAML_NULL, .line = line};
        } else {
            char *s = strndup(text, len);
            if (!s)
                return -ENOMEM;
            *ret = (SnYamlNode){.kind = SN_YAML_SCALAR, .line = line, .scalar = s, .quoted = !plain || str_tag};
        }
        break;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        bool is_map = ev->type == YAML_MAPPING_START_EVENT;
        anchor = (const char *)(is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor);
        r = budget(l, 0, line);
        if (r < 0)
            return r;
        r = load_collection(l, is_map, line, depth + 1, ret);
        if (r < 0) {
            sn_yaml_node_done(ret);
            return r;
        }
        break;
    }
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev->data.alias.anchor;
        for (size_t i = l->n_anchors; i > 0; i--)
            if (SN_STREQ(l->anchors[i - 1].name, name)) {
                r = copy_node(l, &l->anchors[i - 1].node, ret, depth);
                if (r < 0)
                    return r;
                ret->line = line;
                return 0;
            }
        return sn_error_set_at(l->reterr, -EINVAL, line, "yaml: line %d: unknown anchor '%s' referenced", line, name);
    }
    default:
        return sn_error_set_at(l->reterr, -EINVAL, line, "yaml: line %d: unexpected event", line);
    }

    if (anchor) {
        r = remember_anchor(l, anchor, ret);
        if (r < 0) {
            sn_yaml_node_done(ret);
            return r;
        }
    }
    return 0;
}

int sn_yaml_tree_load(const char *data, size_t len, SnYamlNode *ret_root, SnError **reterr)
{
    Loader l = {.reterr = reterr};
    SnYamlNode root = {0};
    yaml_event_t ev;
    int r;

    if (!yaml_parser_initialize(&l.parser))
        return -ENOMEM;
    yaml_parser_set_input_string(&l.parser, (const unsigned char *)data, len);

    /* STREAM-START, then DOCUMENT-START or STREAM-END (an empty stream). */
    r = next_event(&l, &ev);
    if (r < 0)
        goto out;
    yaml_event_delete(&ev);
    r = next_event(&l, &ev);
    if (r < 0)
        goto out;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        goto done;
    }
    yaml_event_delete(&ev);
    r = next_event(&l, &ev);
    if (r < 0)
        goto out;
    r = load_node(&l, &ev, 0, &root);
    yaml_event_delete(&ev);
    if (r < 0)
        goto out;
    /* DOCUMENT-END; later documents are ignored, as yaml.v2's Unmarshal does. */
    r = next_event(&l, &ev);
    if (r < 0)
        goto out;
    yaml_event_delete(&ev);

done:
    *ret_root = root;
    root = (SnYamlNode){0};
    r = 0;
out:
    sn_yaml_node_done(&root);
    for (size_t i = 0; i < l.n_anchors; i++) {
        free(l.anchors[i].name);
        sn_yaml_node_done(&l.anchors[i].node);
    }
    free(l.anchors);
    yaml_parser_delete(&l.parser);
    return r;
}

SnYamlScalarType sn_yaml_node_type(const SnYamlNode *node)
{
    if (!node || node->kind == SN_YAML_NULL)
        return SN_YAML_TYPE_NULL;
    if (node->kind != SN_YAML_SCALAR)
        return SN_YAML_TYPE_COLLECTION;
    if (node->quoted)
        return SN_YAML_TYPE_STR;
    const char *s = node->scalar;
    static const char *const bools[] = {"y", "Y", "yes", "Yes", "YES", "on",  "On",  "ON",  "true",  "True",  "TRUE",
                                        "n", "N", "no",  "No",  "NO",  "off", "Off", "OFF", "false", "False", "FALSE"};
    for (size_t i = 0; i < SN_ELEMENTSOF(bools); i++)
        if (SN_STREQ(s, bools[i]))
            return SN_YAML_TYPE_BOOL;
    static const char *const floats[] = {".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf", "+.INF",
                                         "-.inf", "-.Inf", "-.INF", ".nan",  ".NaN",  ".NAN"};
    for (size_t i = 0; i < SN_ELEMENTSOF(floats); i++)
        if (SN_STREQ(s, floats[i]))
            return SN_YAML_TYPE_FLOAT;
    int64_t v;
    int r = sn_yaml_parse_int(s, &v);
    if (r == 0 || r == -ERANGE)
        return r == 0 ? SN_YAML_TYPE_INT : SN_YAML_TYPE_FLOAT;
    /* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    size_t int_digits = 0, frac_digits = 0;
    while (*p >= '0' && *p <= '9')
        p++, int_digits++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++, frac_digits++;
        if (int_digits == 0 && frac_digits == 0)
            return SN_YAML_TYPE_STR;
    } else if (int_digits == 0) {
        return SN_YAML_TYPE_STR;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        size_t exp_digits = 0;
        while (*p >= '0' && *p <= '9')
            p++, exp_digits++;
        if (exp_digits == 0)
            return SN_YAML_TYPE_STR;
    }
    return *p ? SN_YAML_TYPE_STR : SN_YAML_TYPE_FLOAT;
}

int sn_yaml_parse_int(const char *s, int64_t *ret)
{
    bool neg = false;
    unsigned base = 10;
    const char *p = s;
    uint64_t v = 0;
    size_t digits = 0;

    if (!s)
        return -EINVAL;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        base = 16, p += 2;
    else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
        base = 8, p += 2;
    else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
        base = 2, p += 2;
    else if (p[0] == '0' && p[1])
        base = 8, p += 1;
    for (; *p; p++) {
        unsigned d;
        if (*p == '_')
            continue;
        if (*p >= '0' && *p <= '9')
            d = (unsigned)(*p - '0');
        else if (*p >= 'a' && *p <= 'f')
            d = (unsigned)(*p - 'a' + 10);
        else if (*p >= 'A' && *p <= 'F')
            d = (unsigned)(*p - 'A' + 10);
        else
            return -EINVAL;
        if (d >= base)
            return -EINVAL;
        if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, d, &v))
            return -ERANGE;
        digits++;
    }
    if (digits == 0 && !(base == 8 && p > s && p[-1] == '0'))
        return -EINVAL;
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            return -ERANGE;
        *ret = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX)
            return -ERANGE;
        *ret = (int64_t)v;
    }
    return 0;
}
