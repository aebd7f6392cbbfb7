/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <string.h>

#include "multipart.h"
#include "strutil.h"

typedef struct Collect {
    SnBuf log; /* "begin name filename|data...|end;" */
} Collect;

static int c_begin(void *ud, const char *name, const char *filename, SnError **reterr)
{
    Collect *c = ud;
    sn_buf_printf(&c->log, "[%s:%s]", name, filename ? filename : "-");
    return 0;
}

static int c_data(void *ud, const char *data, size_t len, SnError **reterr)
{
    Collect *c = ud;
    return sn_buf_append(&c->log, data, len);
}

static int c_end(void *ud, SnError **reterr)
{
    Collect *c = ud;
    return sn_buf_puts(&c->log, ";");
}

static const SnMultipartCallbacks cbs = {c_begin, c_data, c_end};

static const char body[] = "preamble ignored\r\n"
                           "--XyZ\r\n"
                           "Content-Disposition: form-data; name=\"action\"\r\n"
                           "\r\n"
                           "install\r\n"
                           "--XyZ\r\n"
                           "Content-Disposition: form-data; name=\"snap\"; filename=\"a b.snap\"\r\n"
                           "Content-Type: application/octet-stream\r\n"
                           "\r\n"
                           "bytes\r\n--XyNOT a delimiter\r\r\n--X\r\n"
                           "--XyZ--\r\n"
                           "epilogue ignored";

static const char want[] = "[action:-]install;[snap:a b.snap]bytes\r\n--XyNOT a delimiter\r\r\n--X;";

/* Feeds the body in pieces of `step` bytes. */
static char *parse_in_steps(size_t step, int *ret)
{
    Collect c = {0};
    SnMultipart *mp = NULL;
    cr_assert_eq(sn_multipart_new("multipart/form-data; boundary=XyZ", &cbs, &c, &mp, NULL), 0);
    size_t len = strlen(body);
    int r = 0;
    for (size_t off = 0; off < len && r >= 0; off += step)
        r = sn_multipart_feed(mp, body + off, SN_MIN(step, len - off), NULL);
    if (r >= 0)
        r = sn_multipart_finish(mp, NULL);
    sn_multipart_free(mp);
    *ret = r;
    return sn_buf_steal(&c.log);
}

Test(multipart, parses_fields_and_files_whole)
{
    int r;
    _sn_free_ char *got = parse_in_steps(1 << 20, &r);
    cr_assert_eq(r, 0);
    cr_assert_str_eq(got, want);
}

Test(multipart, parses_the_same_fed_byte_by_byte_and_in_odd_pieces)
{
    for (size_t step = 1; step <= 13; step++) {
        int r;
        _sn_free_ char *got = parse_in_steps(step, &r);
        cr_assert_eq(r, 0, "step %zu", step);
        cr_assert_str_eq(got, want, "step %zu", step);
    }
}

Test(multipart, quoted_boundary_and_body_starting_with_the_delimiter)
{
    Collect c = {0};
    SnMultipart *mp = NULL;
    cr_assert_eq(sn_multipart_new("multipart/form-data; boundary=\"a:b\"", &cbs, &c, &mp, NULL), 0);
    const char *b = "--a:b\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--a:b--";
    cr_assert_eq(sn_multipart_feed(mp, b, strlen(b), NULL), 0);
    cr_assert_eq(sn_multipart_finish(mp, NULL), 0);
    sn_multipart_free(mp);
    _sn_free_ char *got = sn_buf_steal(&c.log);
    cr_assert_str_eq(got, "[x:-]1;");
}

Test(multipart, refuses_other_content_types_and_missing_boundaries)
{
    Collect c = {0};
    SnMultipart *mp = NULL;
    SnError *e = NULL;
    cr_assert_eq(sn_multipart_new("application/json", &cbs, &c, &mp, &e), -EINVAL);
    e = sn_error_free(e);
    cr_assert_eq(sn_multipart_new("multipart/form-data", &cbs, &c, &mp, &e), -EINVAL);
    cr_assert(strstr(e->message, "boundary"));
    e = sn_error_free(e);
    cr_assert_eq(sn_multipart_new("multipart/form-data; boundary=", &cbs, &c, &mp, NULL), -EINVAL);
    sn_buf_done(&c.log);
}

Test(multipart, a_body_cut_short_is_an_error)
{
    Collect c = {0};
    SnMultipart *mp = NULL;
    cr_assert_eq(sn_multipart_new("multipart/form-data; boundary=XyZ", &cbs, &c, &mp, NULL), 0);
    const char *b = "--XyZ\r\nContent-Disposition: form-data; name=\"snap\"; filename=\"f\"\r\n\r\npartial";
    cr_assert_eq(sn_multipart_feed(mp, b, strlen(b), NULL), 0);
    SnError *e = NULL;
    cr_assert_eq(sn_multipart_finish(mp, &e), -EBADMSG);
    cr_assert(strstr(e->message, "unexpected end"), "%s", e->message);
    sn_error_free(e);
    sn_multipart_free(mp);
    sn_buf_done(&c.log);
}

Test(multipart, refuses_huge_headers_and_parts_without_a_name)
{
    Collect c = {0};
    SnMultipart *mp = NULL;
    cr_assert_eq(sn_multipart_new("multipart/form-data; boundary=B", &cbs, &c, &mp, NULL), 0);
    const char *start = "--B\r\nX-Junk: ";
    cr_assert_eq(sn_multipart_feed(mp, start, strlen(start), NULL), 0);
    char junk[1024];
    memset(junk, 'a', sizeof(junk));
    int r = 0;
    for (int i = 0; i < 20 && r == 0; i++)
        r = sn_multipart_feed(mp, junk, sizeof(junk), NULL);
    cr_assert_eq(r, -EBADMSG);
    sn_multipart_free(mp);

    cr_assert_eq(sn_multipart_new("multipart/form-data; boundary=B", &cbs, &c, &mp, NULL), 0);
    const char *noname = "--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--";
    cr_assert_eq(sn_multipart_feed(mp, noname, strlen(noname), NULL), -EBADMSG);
    sn_multipart_free(mp);
    sn_buf_done(&c.log);
}

static int fail_data(void *ud, const char *data, size_t len, SnError **reterr)
{
    return sn_error_set(reterr, -ENOSPC, "disk full");
}

Test(multipart, a_callback_error_stops_the_parse)
{
    SnMultipartCallbacks f = {c_begin, fail_data, c_end};
    Collect c = {0};
    SnMultipart *mp = NULL;
    cr_assert_eq(sn_multipart_new("multipart/form-data; boundary=XyZ", &f, &c, &mp, NULL), 0);
    SnError *e = NULL;
    cr_assert_eq(sn_multipart_feed(mp, body, strlen(body), &e), -ENOSPC);
    cr_assert_str_eq(e->message, "disk full");
    sn_error_free(e);
    cr_assert_eq(sn_multipart_feed(mp, "more", 4, NULL), -EBADMSG);
    sn_multipart_free(mp);
    sn_buf_done(&c.log);
}
