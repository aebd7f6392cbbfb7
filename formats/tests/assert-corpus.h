/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Test helpers (header-only, tests only): walk the assertion corpus of SN_CONFORMANCE_DIR.
 */
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "fd-util.h"
#include "strutil.h"

static inline const char *corpus_dir(void)
{
    static char dir[4096];
    const char *base = getenv("SN_CONFORMANCE_DIR");
    cr_assert(base, "SN_CONFORMANCE_DIR is not set");
    snprintf(dir, sizeof(dir), "%s/assertions", base);
    return dir;
}

static inline int corpus_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Relative paths ("folder/file") of every corpus file in folders (NULL: all but test-keys), sorted. */
static inline char **corpus_files(bool negative)
{
    char **list = NULL;
    DIR *top = opendir(corpus_dir());
    cr_assert(top);
    struct dirent *de;
    while ((de = readdir(top))) {
        if (de->d_name[0] == '.' || SN_STREQ(de->d_name, "test-keys") || SN_STREQ(de->d_name, "INDEX.md"))
            continue;
        if (SN_STREQ(de->d_name, "negative") != negative)
            continue;
        char sub[4400];
        snprintf(sub, sizeof(sub), "%s/%s", corpus_dir(), de->d_name);
        DIR *d = opendir(sub);
        if (!d)
            continue;
        struct dirent *fe;
        while ((fe = readdir(d))) {
            if (fe->d_name[0] == '.')
                continue;
            char *rel = sn_strdup_printf("%s/%s", de->d_name, fe->d_name);
            cr_assert(rel && sn_strv_push(&list, rel) == 0);
            free(rel);
        }
        closedir(d);
    }
    closedir(top);
    cr_assert(list);
    qsort(list, sn_strv_length(list), sizeof(*list), corpus_cmp);
    return list;
}

static inline char *corpus_read(const char *rel, size_t *ret_len)
{
    char path[8192];
    snprintf(path, sizeof(path), "%s/%s", corpus_dir(), rel);
    char *data = NULL;
    size_t len = 0;
    int r = sn_read_file_at(AT_FDCWD, path, 16u << 20, &data, &len);
    cr_assert_eq(r, 0, "cannot read %s", path);
    *ret_len = len;
    return data;
}
