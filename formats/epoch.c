/* SPDX-License-Identifier: GPL-3.0-only */
#include "epoch.h"

#include <errno.h>
#include <string.h>

#include "strutil.h"
#include "yaml-tree.h"

#define MSG_ZERO_STAR "0* is an invalid epoch"
#define MSG_EMPTY_LIST "epoch list cannot be explicitly empty"
#define MSG_BAD_LIST "epoch read/write attributes must be lists of epoch numbers"
#define MSG_NOT_INCREASING "epoch list must be a strictly increasing sequence"
#define MSG_TOO_LONG "epoch list must not have more than 10 entries"
#define MSG_NO_INTERSECTION "epoch read and write lists must have a non-empty intersection"

void sn_epoch_init_default(SnEpoch *ret)
{
    *ret = (SnEpoch){.n_read = 1, .n_write = 1};
}

/* Decimal, no sign, no zero padding, below 2^32. */
static int parse_number(const char *s, int line, uint32_t *ret, SnError **reterr)
{
    uint64_t v;
    bool digits = *s != '\0';
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            digits = false;
    if (digits && !(strlen(s) > 1 && s[0] == '0')) {
        int r = sn_parse_u64(s, &v);
        if (r == -ERANGE || (r == 0 && v > UINT32_MAX))
            return sn_error_set_at(reterr, -EINVAL, line, "epoch numbers must be less than 2^32, but got \"%s\"", s);
        if (r == 0) {
            *ret = (uint32_t)v;
            return 0;
        }
    }
    return sn_error_set_at(reterr, -EINVAL, line, "epoch numbers must be base 10 with no zero padding, but got \"%s\"",
                           s);
}

static int from_string_at(const char *s, int line, SnEpoch *ret, SnError **reterr)
{
    _sn_free_ char *copy = NULL;
    bool star = false;
    uint32_t n;

    if (!s || !*s || SN_STREQ(s, "0")) {
        sn_epoch_init_default(ret);
        return 0;
    }
    copy = strdup(s);
    if (!copy)
        return -ENOMEM;
    size_t len = strlen(copy);
    if (copy[len - 1] == '*') {
        star = true;
        copy[len - 1] = '\0';
    }
    int r = parse_number(copy, line, &n, reterr);
    if (r < 0)
        return r;
    SnEpoch e = {0};
    if (star) {
        if (n == 0)
            return sn_error_set_at(reterr, -EINVAL, line, MSG_ZERO_STAR);
        e.read[0] = n - 1;
        e.read[1] = n;
        e.n_read = 2;
    } else {
        e.read[0] = n;
        e.n_read = 1;
    }
    e.write[0] = n;
    e.n_write = 1;
    *ret = e;
    return 0;
}

int sn_epoch_from_string(const char *s, SnEpoch *ret, SnError **reterr)
{
    return from_string_at(s, 0, ret, reterr);
}

static bool increasing(const uint32_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (v[i - 1] >= v[i])
            return false;
    return true;
}

static bool intersect(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            if (a[i] == b[j])
                return true;
    return false;
}

static bool is_zero(const SnEpoch *e)
{
    bool r0 = e->n_read == 0 || (e->n_read == 1 && e->read[0] == 0);
    bool w0 = e->n_write == 0 || (e->n_write == 1 && e->write[0] == 0);
    return r0 && w0;
}

static int validate_at(const SnEpoch *e, int line, SnError **reterr)
{
    if (is_zero(e))
        return 0;
    if (e->n_read > SN_EPOCH_MAX || e->n_write > SN_EPOCH_MAX)
        return sn_error_set_at(reterr, -EINVAL, line, MSG_TOO_LONG);
    if (!increasing(e->read, e->n_read) || !increasing(e->write, e->n_write))
        return sn_error_set_at(reterr, -EINVAL, line, MSG_NOT_INCREASING);
    if (!intersect(e->read, e->n_read, e->write, e->n_write))
        return sn_error_set_at(reterr, -EINVAL, line, MSG_NO_INTERSECTION);
    return 0;
}

int sn_epoch_validate(const SnEpoch *epoch, SnError **reterr)
{
    return validate_at(epoch, 0, reterr);
}

/* One of read/write: absent (null) gives *ret_present false; a list fills v (first 10 kept). */
static int parse_list(const SnYamlNode *node, uint32_t *v, size_t *ret_n, bool *ret_present, bool *ret_too_long,
                      SnError **reterr)
{
    *ret_present = false;
    *ret_too_long = false;
    *ret_n = 0;
    if (!node || node->kind == SN_YAML_NULL)
        return 0;
    if (node->kind != SN_YAML_SEQ)
        return sn_error_set_at(reterr, -EINVAL, node->line, MSG_BAD_LIST);
    for (size_t i = 0; i < node->n_items; i++) {
        const SnYamlNode *it = &node->items[i];
        if (it->kind == SN_YAML_SEQ || it->kind == SN_YAML_MAP)
            return sn_error_set_at(reterr, -EINVAL, it->line, MSG_BAD_LIST);
    }
    for (size_t i = 0; i < node->n_items; i++) {
        const SnYamlNode *it = &node->items[i];
        uint32_t n;
        int r = parse_number(it->scalar ? it->scalar : "", it->line, &n, reterr);
        if (r < 0)
            return r;
        if (i < SN_EPOCH_MAX)
            v[i] = n;
    }
    *ret_present = true;
    *ret_too_long = node->n_items > SN_EPOCH_MAX;
    *ret_n = SN_MIN(node->n_items, (size_t)SN_EPOCH_MAX);
    return 0;
}

int sn_epoch_from_yaml(const SnYamlNode *node, SnEpoch *ret, SnError **reterr)
{
    if (!node || node->kind == SN_YAML_NULL) {
        sn_epoch_init_default(ret);
        return 0;
    }
    if (node->kind == SN_YAML_SCALAR)
        return from_string_at(node->scalar, node->line, ret, reterr);
    if (node->kind != SN_YAML_MAP)
        return sn_error_set_at(reterr, -EINVAL, node->line, "epoch must be a number, N* or a map of read/write lists");

    SnEpoch e = {0};
    bool has_read, has_write, long_read, long_write;
    int r = parse_list(sn_yaml_node_get(node, "read"), e.read, &e.n_read, &has_read, &long_read, reterr);
    if (r < 0)
        return r;
    r = parse_list(sn_yaml_node_get(node, "write"), e.write, &e.n_write, &has_write, &long_write, reterr);
    if (r < 0)
        return r;

    if (!has_read) {
        if (!has_write) {
            e.write[0] = 0;
            e.n_write = 1;
            has_write = true;
        }
        memcpy(e.read, e.write, sizeof(e.read));
        e.n_read = e.n_write;
        long_read = long_write;
    } else if (e.n_read == 0) {
        return sn_error_set_at(reterr, -EINVAL, node->line, MSG_EMPTY_LIST);
    }
    if (!has_write) {
        e.write[0] = e.read[e.n_read - 1];
        e.n_write = 1;
        /* With more than 10 read entries the last one is unknown here, but the list is refused anyway. */
    } else if (e.n_write == 0) {
        return sn_error_set_at(reterr, -EINVAL, node->line, MSG_EMPTY_LIST);
    }
    if (long_read || long_write)
        return sn_error_set_at(reterr, -EINVAL, node->line, MSG_TOO_LONG);
    r = validate_at(&e, node->line, reterr);
    if (r < 0)
        return r;
    *ret = e;
    return 0;
}

bool sn_epoch_can_read(const SnEpoch *reader, const SnEpoch *writer)
{
    static const uint32_t zero[1] = {0};
    const uint32_t *rs = reader && reader->n_read ? reader->read : zero;
    size_t nr = reader && reader->n_read ? reader->n_read : 1;
    const uint32_t *ws = writer && writer->n_write ? writer->write : zero;
    size_t nw = writer && writer->n_write ? writer->n_write : 1;
    return intersect(rs, nr, ws, nw);
}

static void put_list(SnBuf *b, const uint32_t *v, size_t n)
{
    sn_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++)
        sn_buf_printf(b, "%s%u", i ? ", " : "", v[i]);
    sn_buf_putc(b, ']');
}

char *sn_epoch_to_string(const SnEpoch *e)
{
    SnBuf b = {0};
    if (!e || is_zero(e))
        return strdup("0");
    if (e->n_read == 1 && e->n_write == 1 && e->read[0] == e->write[0])
        return sn_strdup_printf("%u", e->read[0]);
    if (e->n_write == 1 && e->n_read == 2 && e->read[0] + 1 == e->read[1] && e->read[1] == e->write[0])
        return sn_strdup_printf("%u*", e->read[1]);
    sn_buf_puts(&b, "{read: ");
    put_list(&b, e->read, e->n_read);
    sn_buf_puts(&b, ", write: ");
    put_list(&b, e->write, e->n_write);
    sn_buf_putc(&b, '}');
    return sn_buf_steal(&b);
}
