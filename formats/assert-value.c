/* SPDX-License-Identifier: GPL-3.0-only */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "assert-value.h"

static SnAssertValue *value_new(SnAssertValueKind kind)
{
    SnAssertValue *v = calloc(1, sizeof(*v));
    if (v)
        v->kind = kind;
    return v;
}

SnAssertValue *sn_assert_value_new_string_len(const char *s, size_t len)
{
    SnAssertValue *v = value_new(SN_ASSERT_VALUE_STRING);
    if (!v)
        return NULL;
    v->str = strndup(s, len);
    if (!v->str) {
        free(v);
        return NULL;
    }
    return v;
}

SnAssertValue *sn_assert_value_new_string(const char *s)
{
    return sn_assert_value_new_string_len(s, strlen(s));
}

SnAssertValue *sn_assert_value_new_list(void)
{
    return value_new(SN_ASSERT_VALUE_LIST);
}

SnAssertValue *sn_assert_value_new_map(void)
{
    return value_new(SN_ASSERT_VALUE_MAP);
}

SnAssertValue *sn_assert_value_free(SnAssertValue *v)
{
    if (!v)
        return NULL;
    free(v->str);
    for (size_t i = 0; i < v->n; i++) {
        if (v->keys)
            free(v->keys[i]);
        sn_assert_value_free(v->items[i]);
    }
    free(v->keys);
    free(v->items);
    free(v);
    return NULL;
}

static int grow(SnAssertValue *v)
{
    if (v->n < v->cap)
        return 0;
    size_t cap = v->cap ? v->cap * 2 : 4;
    SnAssertValue **items = realloc(v->items, cap * sizeof(*items));
    if (!items)
        return -ENOMEM;
    v->items = items;
    if (v->kind == SN_ASSERT_VALUE_MAP) {
        char **keys = realloc(v->keys, cap * sizeof(*keys));
        if (!keys)
            return -ENOMEM;
        v->keys = keys;
    }
    v->cap = cap;
    return 0;
}

int sn_assert_value_list_append(SnAssertValue *list, SnAssertValue *item)
{
    if (!item)
        return -ENOMEM;
    if (list->kind != SN_ASSERT_VALUE_LIST || grow(list) < 0) {
        sn_assert_value_free(item);
        return list->kind != SN_ASSERT_VALUE_LIST ? -EINVAL : -ENOMEM;
    }
    list->items[list->n++] = item;
    return 0;
}

static ssize_t map_index(const SnAssertValue *map, const char *key)
{
    if (!map || map->kind != SN_ASSERT_VALUE_MAP)
        return -1;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i], key) == 0)
            return (ssize_t)i;
    return -1;
}

int sn_assert_value_map_set(SnAssertValue *map, const char *key, SnAssertValue *value)
{
    if (!value)
        return -ENOMEM;
    if (map->kind != SN_ASSERT_VALUE_MAP) {
        sn_assert_value_free(value);
        return -EINVAL;
    }
    ssize_t i = map_index(map, key);
    if (i >= 0) {
        sn_assert_value_free(map->items[i]);
        map->items[i] = value;
        return 0;
    }
    char *k = strdup(key);
    if (!k || grow(map) < 0) {
        free(k);
        sn_assert_value_free(value);
        return -ENOMEM;
    }
    map->keys[map->n] = k;
    map->items[map->n++] = value;
    return 0;
}

int sn_assert_value_map_set_string(SnAssertValue *map, const char *key, const char *value)
{
    return sn_assert_value_map_set(map, key, sn_assert_value_new_string(value));
}

SnAssertValue *sn_assert_value_map_get(const SnAssertValue *map, const char *key)
{
    ssize_t i = map_index(map, key);
    return i < 0 ? NULL : map->items[i];
}

const char *sn_assert_value_map_get_string(const SnAssertValue *map, const char *key)
{
    SnAssertValue *v = sn_assert_value_map_get(map, key);
    return v && v->kind == SN_ASSERT_VALUE_STRING ? v->str : NULL;
}

void sn_assert_value_map_remove(SnAssertValue *map, const char *key)
{
    ssize_t i = map_index(map, key);
    if (i < 0)
        return;
    free(map->keys[i]);
    sn_assert_value_free(map->items[i]);
    memmove(map->keys + i, map->keys + i + 1, (map->n - (size_t)i - 1) * sizeof(*map->keys));
    memmove(map->items + i, map->items + i + 1, (map->n - (size_t)i - 1) * sizeof(*map->items));
    map->n--;
}

SnAssertValue *sn_assert_value_copy(const SnAssertValue *v)
{
    if (v->kind == SN_ASSERT_VALUE_STRING)
        return sn_assert_value_new_string(v->str);
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *c = value_new(v->kind);
    if (!c)
        return NULL;
    for (size_t i = 0; i < v->n; i++) {
        int r = v->kind == SN_ASSERT_VALUE_MAP
                    ? sn_assert_value_map_set(c, v->keys[i], sn_assert_value_copy(v->items[i]))
                    : sn_assert_value_list_append(c, sn_assert_value_copy(v->items[i]));
        if (r < 0)
            return NULL;
    }
    return SN_TAKE_PTR(c);
}

bool sn_assert_value_equal(const SnAssertValue *a, const SnAssertValue *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case SN_ASSERT_VALUE_STRING:
        return strcmp(a->str, b->str) == 0;
    case SN_ASSERT_VALUE_LIST:
        if (a->n != b->n)
            return false;
        for (size_t i = 0; i < a->n; i++)
            if (!sn_assert_value_equal(a->items[i], b->items[i]))
                return false;
        return true;
    case SN_ASSERT_VALUE_MAP:
        if (a->n != b->n)
            return false;
        for (size_t i = 0; i < a->n; i++)
            if (!sn_assert_value_equal(a->items[i], sn_assert_value_map_get(b, a->keys[i])))
                return false;
        return true;
    }
    return false;
}
