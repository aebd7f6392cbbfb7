/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * libFuzzer target for the squashfs reader: open an image from memory, walk every entry, read
 * meta/snap.yaml and stat/readlink a few paths. Any input must give either data or a clean
 * error: no crash, no leak, no sanitizer report, bounded time and memory.
 */
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "snap-yaml.h"
#include "squashfs-read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct Count {
    size_t entries;
    SnSquashfs *sq;
} Count;

static int visit(const char *path, const SnSquashfsStat *st, const char *link_target, void *userdata)
{
    Count *c = userdata;
    c->entries++;
    (void)link_target;
    /* Read small regular files through the data reader too. */
    if (S_ISREG(st->mode) && st->size <= 4096) {
        char *buf = NULL;
        if (sn_squashfs_read_file(c->sq, path, 4096, &buf, NULL, NULL) >= 0)
            free(buf);
    }
    return c->entries > 10000 ? -E2BIG : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SnSquashfs *sq = NULL;
    if (sn_squashfs_open_memory(data, size, &sq, NULL) < 0)
        return 0;
    Count c = {.sq = sq};
    (void)sn_squashfs_walk(sq, visit, &c, NULL);

    char *yaml = NULL;
    size_t len = 0;
    if (sn_squashfs_read_file(sq, "meta/snap.yaml", SN_SNAP_YAML_MAX_SIZE, &yaml, &len, NULL) >= 0)
        free(yaml);
    char **names = NULL;
    if (sn_squashfs_list_dir(sq, "meta", &names, NULL) >= 0) {
        for (char **n = names; *n; n++)
            free(*n);
        free(names);
    }
    SnSquashfsStat st;
    (void)sn_squashfs_lstat(sq, "bin/hello", &st, NULL);
    char *target = NULL;
    if (sn_squashfs_readlink(sq, "bin/link", &target, NULL) >= 0)
        free(target);
    sn_squashfs_free(sq);
    return 0;
}
