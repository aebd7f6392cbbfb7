/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Replays a libFuzzer corpus without a fuzzing engine: every file in every directory (or file)
 * named on the command line goes through LLVMFuzzerTestOneInput once. A crash, a sanitizer
 * report or a leak fails the test, as it would under libFuzzer.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path, unsigned *count)
{
    char *data = NULL;
    size_t len = 0;
    int r = sn_read_file_at(AT_FDCWD, path, 64u * 1024u * 1024u, &data, &len);
    if (r < 0) {
        fprintf(stderr, "cannot read %s: %s\n", path, strerror(-r));
        return r;
    }
    /* Copy into an exact-size allocation so ASan catches reads past the input's end. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(data);
        return -ENOMEM;
    }
    memcpy(exact, data, len);
    free(data);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    (*count)++;
    return 0;
}

static int replay_path(const char *path, unsigned *count)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        fprintf(stderr, "cannot stat %s: %s\n", path, strerror(errno));
        return -errno;
    }
    if (!S_ISDIR(st.st_mode))
        return replay_file(path, count);
    struct dirent **names = NULL;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0)
        return -errno;
    int ret = 0;
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char *child = NULL;
            if (asprintf(&child, "%s/%s", path, names[i]->d_name) >= 0) {
                int r = replay_path(child, count);
                if (r < 0)
                    ret = r;
                free(child);
            }
        }
        free(names[i]);
    }
    free(names);
    return ret;
}

int main(int argc, char **argv)
{
    unsigned count = 0;
    int ret = 0;
    for (int i = 1; i < argc; i++)
        if (replay_path(argv[i], &count) < 0)
            ret = 1;
    printf("replayed %u inputs\n", count);
    if (count == 0) {
        fprintf(stderr, "no inputs found: an empty corpus proves nothing\n");
        return 1;
    }
    return ret;
}
