/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * OpenPGP packet framing (RFC 4880 section 4): a bounds-checked byte reader, packet headers in
 * both formats, MPIs, and their encoding.
 */
#include <errno.h>
#include <string.h>

#include "openpgp-internal.h"

bool sn_pgp_reader_take(SnPgpReader *r, size_t n, const uint8_t **ret)
{
    if (r->left < n)
        return false;
    *ret = r->p;
    r->p += n;
    r->left -= n;
    return true;
}

bool sn_pgp_reader_u8(SnPgpReader *r, uint8_t *ret)
{
    const uint8_t *p;
    if (!sn_pgp_reader_take(r, 1, &p))
        return false;
    *ret = p[0];
    return true;
}

bool sn_pgp_reader_be16(SnPgpReader *r, uint32_t *ret)
{
    const uint8_t *p;
    if (!sn_pgp_reader_take(r, 2, &p))
        return false;
    *ret = (uint32_t)p[0] << 8 | p[1];
    return true;
}

bool sn_pgp_reader_be32(SnPgpReader *r, uint32_t *ret)
{
    const uint8_t *p;
    if (!sn_pgp_reader_take(r, 4, &p))
        return false;
    *ret = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return true;
}

int sn_pgp_read_packet(SnPgpReader *r, unsigned *ret_tag, SnPgpReader *ret_body, SnError **reterr, const char *kind)
{
    uint8_t h;
    if (!sn_pgp_reader_u8(r, &h) || !(h & 0x80))
        return sn_error_set(reterr, -EBADMSG, "cannot decode %s: not an OpenPGP packet", kind);
    unsigned tag;
    size_t len;
    if (h & 0x40) {
        tag = h & 0x3f;
        uint8_t b0;
        if (!sn_pgp_reader_u8(r, &b0))
            return sn_error_set(reterr, -EBADMSG, "cannot decode %s: truncated packet header", kind);
        if (b0 < 192) {
            len = b0;
        } else if (b0 < 224) {
            uint8_t b1;
            if (!sn_pgp_reader_u8(r, &b1))
                return sn_error_set(reterr, -EBADMSG, "cannot decode %s: truncated packet header", kind);
            len = ((size_t)(b0 - 192) << 8) + b1 + 192;
        } else if (b0 == 255) {
            uint32_t l;
            if (!sn_pgp_reader_be32(r, &l))
                return sn_error_set(reterr, -EBADMSG, "cannot decode %s: truncated packet header", kind);
            len = l;
        } else {
            return sn_error_set(reterr, -EBADMSG, "cannot decode %s: partial packet lengths are not supported", kind);
        }
    } else {
        tag = (h >> 2) & 0xf;
        switch (h & 3) {
        case 0: {
            uint8_t l;
            if (!sn_pgp_reader_u8(r, &l))
                return sn_error_set(reterr, -EBADMSG, "cannot decode %s: truncated packet header", kind);
            len = l;
            break;
        }
        case 1: {
            uint32_t l;
            if (!sn_pgp_reader_be16(r, &l))
                return sn_error_set(reterr, -EBADMSG, "cannot decode %s: truncated packet header", kind);
            len = l;
            break;
        }
        case 2: {
            uint32_t l;
            if (!sn_pgp_reader_be32(r, &l))
                return sn_error_set(reterr, -EBADMSG, "cannot decode %s: truncated packet header", kind);
            len = l;
            break;
        }
        default:
            len = r->left; /* indeterminate: to the end */
            break;
        }
    }
    const uint8_t *body;
    if (!sn_pgp_reader_take(r, len, &body))
        return sn_error_set(reterr, -EBADMSG, "cannot decode %s: packet longer than its data", kind);
    *ret_tag = tag;
    *ret_body = (SnPgpReader){body, len};
    return 0;
}

int sn_pgp_read_mpi(SnPgpReader *r, const uint8_t **ret, size_t *ret_len)
{
    uint32_t bits;
    if (!sn_pgp_reader_be16(r, &bits) || bits > PGP_MAX_MPI_BITS)
        return -EBADMSG;
    const uint8_t *p;
    size_t n = (bits + 7) / 8;
    if (!sn_pgp_reader_take(r, n, &p))
        return -EBADMSG;
    while (n > 0 && p[0] == 0) {
        p++;
        n--;
    }
    *ret = p;
    *ret_len = n;
    return 0;
}

int sn_pgp_append_mpi(SnBuf *b, const uint8_t *p, size_t n)
{
    while (n > 0 && p[0] == 0) {
        p++;
        n--;
    }
    unsigned bits = 0;
    if (n > 0) {
        bits = (unsigned)(n - 1) * 8;
        for (uint8_t top = p[0]; top; top >>= 1)
            bits++;
    }
    uint8_t hdr[2] = {(uint8_t)(bits >> 8), (uint8_t)bits};
    sn_buf_append(b, hdr, 2);
    return sn_buf_append(b, p, n);
}

int sn_pgp_append_packet_header(SnBuf *b, unsigned tag, size_t len)
{
    uint8_t h[6];
    size_t n = 0;
    h[n++] = (uint8_t)(0xc0 | tag);
    if (len < 192) {
        h[n++] = (uint8_t)len;
    } else if (len < 8384) {
        h[n++] = (uint8_t)(((len - 192) >> 8) + 192);
        h[n++] = (uint8_t)((len - 192) & 0xff);
    } else {
        h[n++] = 255;
        h[n++] = (uint8_t)(len >> 24);
        h[n++] = (uint8_t)(len >> 16);
        h[n++] = (uint8_t)(len >> 8);
        h[n++] = (uint8_t)len;
    }
    return sn_buf_append(b, h, n);
}

void sn_pgp_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
