/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * openpgp-packet.c: packet headers in both formats, MPIs, and the bounds-checked reader.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "openpgp-internal.h"

Test(openpgp_packet, reader_never_reads_past_its_end)
{
    const uint8_t data[] = {1, 2, 3, 4, 5, 6, 7};
    SnPgpReader r = {data, sizeof(data)};
    uint8_t u8;
    uint32_t v;
    const uint8_t *p;
    cr_assert(sn_pgp_reader_u8(&r, &u8));
    cr_assert_eq(u8, 1);
    cr_assert(sn_pgp_reader_be16(&r, &v));
    cr_assert_eq(v, 0x0203);
    cr_assert_not(sn_pgp_reader_take(&r, 5, &p));
    cr_assert_eq(r.left, 4, "a failed take consumes nothing");
    cr_assert(sn_pgp_reader_be32(&r, &v));
    cr_assert_eq(v, 0x04050607);
    cr_assert_eq(r.left, 0);
    cr_assert_not(sn_pgp_reader_u8(&r, &u8));
    cr_assert_not(sn_pgp_reader_be16(&r, &v));
    cr_assert_not(sn_pgp_reader_be32(&r, &v));
}

/* Every length form the writer makes reads back, at each boundary. */
Test(openpgp_packet, new_format_headers_round_trip_at_every_length_boundary)
{
    static const size_t lens[] = {0, 1, 191, 192, 193, 8383, 8384, 70000};
    static const size_t hdr[] = {2, 2, 2, 3, 3, 3, 6, 6};
    for (size_t i = 0; i < SN_ELEMENTSOF(lens); i++) {
        SnBuf b = {0};
        cr_assert_eq(sn_pgp_append_packet_header(&b, 6, lens[i]), 0);
        cr_assert_eq(b.len, hdr[i], "header of a %zu-byte body", lens[i]);
        for (size_t k = 0; k < lens[i]; k++)
            sn_buf_putc(&b, (char)k);
        cr_assert(sn_buf_ok(&b));
        SnPgpReader r = {(const uint8_t *)b.data, b.len}, body;
        unsigned tag = 0;
        cr_assert_eq(sn_pgp_read_packet(&r, &tag, &body, NULL, "test"), 0);
        cr_assert_eq(tag, 6);
        cr_assert_eq(body.left, lens[i]);
        cr_assert_eq(r.left, 0);
        sn_buf_done(&b);
    }
}

Test(openpgp_packet, old_format_headers)
{
    /* tag 2, one-byte length; tag 6, two-byte length; tag 5, indeterminate length */
    const uint8_t one[] = {0x88, 2, 0xaa, 0xbb, 0xcc};
    const uint8_t two[] = {0x99, 0, 1, 0xaa};
    const uint8_t indet[] = {0x97, 1, 2, 3};
    SnPgpReader r = {one, sizeof(one)}, body;
    unsigned tag;
    cr_assert_eq(sn_pgp_read_packet(&r, &tag, &body, NULL, "t"), 0);
    cr_assert_eq(tag, 2);
    cr_assert_eq(body.left, 2);
    cr_assert_eq(r.left, 1, "the rest stays for the next packet");
    r = (SnPgpReader){two, sizeof(two)};
    cr_assert_eq(sn_pgp_read_packet(&r, &tag, &body, NULL, "t"), 0);
    cr_assert_eq(tag, 6);
    cr_assert_eq(body.left, 1);
    r = (SnPgpReader){indet, sizeof(indet)};
    cr_assert_eq(sn_pgp_read_packet(&r, &tag, &body, NULL, "t"), 0);
    cr_assert_eq(tag, 5);
    cr_assert_eq(body.left, 3);
}

Test(openpgp_packet, hostile_headers_are_refused_with_a_reason)
{
    static const struct {
        uint8_t bytes[6];
        size_t len;
        const char *message;
    } bad[] = {
        {{0x46, 1, 0}, 3, "cannot decode thing: not an OpenPGP packet"},
        {{0xc6}, 1, "cannot decode thing: truncated packet header"},
        {{0xc6, 0xc5}, 2, "cannot decode thing: truncated packet header"},
        {{0xc6, 0xe1, 0}, 3, "cannot decode thing: partial packet lengths are not supported"},
        {{0xc6, 0xff, 0xff, 0xff, 0xff, 0xff}, 6, "cannot decode thing: packet longer than its data"},
        {{0xc6, 5, 1, 2}, 4, "cannot decode thing: packet longer than its data"},
        {{0x99, 1}, 2, "cannot decode thing: truncated packet header"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(bad); i++) {
        SnPgpReader r = {bad[i].bytes, bad[i].len}, body;
        unsigned tag;
        SnError *e = NULL;
        cr_assert_eq(sn_pgp_read_packet(&r, &tag, &body, &e, "thing"), -EBADMSG, "case %zu", i);
        cr_assert_str_eq(e->message, bad[i].message, "case %zu", i);
        sn_error_free(e);
    }
}

Test(openpgp_packet, mpis_are_minimal_and_capped)
{
    SnBuf b = {0};
    const uint8_t v[] = {0, 0, 0x01, 0xff};
    cr_assert_eq(sn_pgp_append_mpi(&b, v, sizeof(v)), 0);
    cr_assert_eq(b.len, 4);
    cr_assert_eq((uint8_t)b.data[0], 0);
    cr_assert_eq((uint8_t)b.data[1], 9, "0x01ff has 9 bits");
    SnPgpReader r = {(const uint8_t *)b.data, b.len};
    const uint8_t *p;
    size_t n;
    cr_assert_eq(sn_pgp_read_mpi(&r, &p, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(p[0], 0x01);
    sn_buf_done(&b);

    /* a bit count that claims leading zero bytes reads back without them */
    const uint8_t padded[] = {0, 24, 0, 0, 7};
    r = (SnPgpReader){padded, sizeof(padded)};
    cr_assert_eq(sn_pgp_read_mpi(&r, &p, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(p[0], 7);

    const uint8_t huge[] = {0x40, 0x01, 0xff};
    r = (SnPgpReader){huge, sizeof(huge)};
    cr_assert_eq(sn_pgp_read_mpi(&r, &p, &n), -EBADMSG, "more than 16384 bits");
    const uint8_t short_mpi[] = {0, 16, 1};
    r = (SnPgpReader){short_mpi, sizeof(short_mpi)};
    cr_assert_eq(sn_pgp_read_mpi(&r, &p, &n), -EBADMSG);

    uint8_t be[4];
    sn_pgp_put_be32(be, 0x01020304);
    cr_assert(be[0] == 1 && be[1] == 2 && be[2] == 3 && be[3] == 4);
}
