/* SPDX-License-Identifier: GPL-3.0-only */
/* bench helper: prints snapd's sha3-384 forms of each file, through formats/digest.c. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include "digest.h"

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        char *b64 = NULL, *hex = NULL;
        SnError *err = NULL;
        int r = sn_digest_file_sha3_384(AT_FDCWD, argv[i], &b64, &hex, NULL, &err);
        if (r < 0) {
            fprintf(stderr, "error: %s\n", sn_error_message(err, r));
            return 1;
        }
        printf("%s  %s  %s\n", hex, b64, argv[i]);
        free(b64);
        free(hex);
    }
    return 0;
}
