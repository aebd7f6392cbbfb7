/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Assertion header values. snapd's headers hold only three kinds of value: strings, lists and
 * maps with string keys (ints and bools are strings). A map keeps its insertion order (decoding
 * order); encoding sorts map entries by key, as snapd does.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macros.h"

typedef enum SnAssertValueKind {
    SN_ASSERT_VALUE_STRING,
    SN_ASSERT_VALUE_LIST,
    SN_ASSERT_VALUE_MAP,
} SnAssertValueKind;

typedef struct SnAssertValue SnAssertValue;
struct SnAssertValue {
    SnAssertValueKind kind;
    char *str;             /* STRING: NUL-terminated, owned (headers never contain NUL) */
    size_t n;              /* LIST / MAP: number of items */
    size_t cap;            /* */
    char **keys;           /* MAP: keys, owned */
    SnAssertValue **items; /* LIST items / MAP values, owned */
};

/* Constructors: return NULL on allocation failure. */
SnAssertValue *sn_assert_value_new_string(const char *s);
SnAssertValue *sn_assert_value_new_string_len(const char *s, size_t len);
SnAssertValue *sn_assert_value_new_list(void);
SnAssertValue *sn_assert_value_new_map(void);

/* Frees v and everything under it. Accepts NULL; returns NULL. */
SnAssertValue *sn_assert_value_free(SnAssertValue *v);
SN_DEFINE_CLEANUP_FUNC(SnAssertValue *, sn_assert_value_free)

/* Deep copy; NULL on allocation failure. */
SnAssertValue *sn_assert_value_copy(const SnAssertValue *v);

/* Deep equality (map order is ignored). */
bool sn_assert_value_equal(const SnAssertValue *a, const SnAssertValue *b);

/* Appends item to a list, taking it (freed on failure too). Returns 0 or -ENOMEM. */
int sn_assert_value_list_append(SnAssertValue *list, SnAssertValue *item);

/* Sets key in a map to value, taking value (freed on failure too) and replacing any old value. */
int sn_assert_value_map_set(SnAssertValue *map, const char *key, SnAssertValue *value);
/* The same with a string value. */
int sn_assert_value_map_set_string(SnAssertValue *map, const char *key, const char *value);

/* The value of key in map, or NULL (also when map is NULL or not a map). */
SnAssertValue *sn_assert_value_map_get(const SnAssertValue *map, const char *key);
/* The string value of key, or NULL when absent or not a string. */
const char *sn_assert_value_map_get_string(const SnAssertValue *map, const char *key);
/* Removes key from map (no-op when absent). */
void sn_assert_value_map_remove(SnAssertValue *map, const char *key);
