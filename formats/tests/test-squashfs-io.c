/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include <sqfs/compressor.h>
#include <sqfs/error.h>

#include "squashfs-internal.h"

Test(squashfs_io, memory_file_refuses_reads_out_of_bounds)
{
    static const char data[] = "0123456789";
    sqfs_file_t *f = sn_sqfs_file_from_memory(data, 10);
    char buf[8];
    cr_assert_eq(f->get_size(f), 10);
    cr_assert_eq(f->read_at(f, 2, buf, 8), 0);
    cr_assert_eq(memcmp(buf, "23456789", 8), 0);
    cr_assert_eq(f->read_at(f, 3, buf, 8), SQFS_ERROR_OUT_OF_BOUNDS);
    cr_assert_eq(f->read_at(f, UINT64_MAX, buf, 2), SQFS_ERROR_OUT_OF_BOUNDS);
    cr_assert_eq(f->write_at(f, 0, buf, 1), SQFS_ERROR_IO);
    sqfs_destroy(f);
}

Test(squashfs_io, errors_map_to_errno)
{
    cr_assert_eq(sn_sqfs_errno(SQFS_ERROR_ALLOC), -ENOMEM);
    cr_assert_eq(sn_sqfs_errno(SQFS_ERROR_CORRUPTED), -EBADMSG);
    cr_assert_eq(sn_sqfs_errno(SQFS_ERROR_OUT_OF_BOUNDS), -EBADMSG);
    cr_assert_eq(sn_sqfs_errno(SQFS_ERROR_LINK_LOOP), -ELOOP);
    cr_assert_eq(sn_sqfs_errno(SQFS_ERROR_NO_ENTRY), -ENOENT);
    cr_assert_str_eq(sn_sqfs_strerror(SFQS_ERROR_SUPER_MAGIC), "bad superblock magic");
    cr_assert_str_eq(sn_sqfs_strerror(-1000), "unknown error");
}

Test(squashfs_io, lzo_round_trips_through_liblzo2)
{
    sqfs_compressor_config_t cfg;
    cr_assert_eq(sqfs_compressor_config_init(&cfg, SQFS_COMP_LZO, 131072, 0), 0);
    sqfs_compressor_t *c = NULL, *d = NULL;
    cr_assert_eq(sn_sqfs_compressor_create(&cfg, &c), 0);
    cfg.flags |= SQFS_COMP_FLAG_UNCOMPRESS;
    cr_assert_eq(sn_sqfs_compressor_create(&cfg, &d), 0);
    static uint8_t in[65536], packed[65536], out[65536];
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (uint8_t)("microsnap"[i % 9] + (i / 4096));
    sqfs_s32 n = c->do_block(c, in, sizeof(in), packed, sizeof(packed));
    cr_assert_gt(n, 0);
    cr_assert_lt(n, (sqfs_s32)sizeof(in) / 4);
    sqfs_s32 m = d->do_block(d, packed, (sqfs_u32)n, out, sizeof(out));
    cr_assert_eq(m, (sqfs_s32)sizeof(in));
    cr_assert_eq(memcmp(in, out, sizeof(in)), 0);
    /* Corrupted data is an error, never an overrun. */
    packed[n / 2] ^= 0xFF;
    packed[1] ^= 0x55;
    sqfs_s32 bad = d->do_block(d, packed, (sqfs_u32)n, out, 100);
    cr_assert_lt(bad, 0);
    /* Copies work independently (the block processor makes one per thread). */
    sqfs_compressor_t *c2 = sqfs_copy(c);
    cr_assert_not_null(c2);
    cr_assert_eq(c2->do_block(c2, in, sizeof(in), packed, sizeof(packed)), n);
    sqfs_destroy(c2);
    sqfs_destroy(c);
    sqfs_destroy(d);
}
