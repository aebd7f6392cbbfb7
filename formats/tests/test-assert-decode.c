/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <string.h>

#include "assert-corpus.h"
#include "assert-decode.h"
#include "assert-encode.h"

static SnAssertion **decode_ok(const char *data, size_t len, size_t *n, const char *what)
{
    SnAssertion **list = NULL;
    SnError *err = NULL;
    int r = sn_assert_decode_stream(data, len, &list, n, &err);
    cr_assert_eq(r, 0, "%s: %s", what, sn_error_message(err, r));
    sn_error_free(err);
    return list;
}

Test(assert_decode, every_corpus_file_decodes_and_reencodes_byte_for_byte)
{
    _sn_strv_free_ char **files = corpus_files(false);
    size_t total = 0;
    for (char **f = files; *f; f++) {
        size_t len, n;
        _sn_free_ char *data = corpus_read(*f, &len);
        _sn_cleanup_(sn_assertion_list_freep) SnAssertion **list = decode_ok(data, len, &n, *f);
        cr_assert_gt(n, 0, "%s: no assertion", *f);
        total += n;
        for (int canonical = 0; canonical < 2; canonical++) {
            _sn_free_ char *enc = NULL;
            size_t enclen;
            cr_assert_eq(sn_assert_encode_stream(list, n, canonical, &enc, &enclen), 0);
            if (enclen != len || memcmp(enc, data, len) != 0) {
                size_t i = 0;
                while (i < len && i < enclen && enc[i] == data[i])
                    i++;
                cr_assert_fail("%s (%s): re-encoding differs at byte %zu: ...%.40s... vs ...%.40s...", *f,
                               canonical ? "canonical" : "as received", i, data + (i > 20 ? i - 20 : 0),
                               enc + (i > 20 ? i - 20 : 0));
            }
        }
        /* single-assertion files also decode with the non-stream decoder, to the same headers */
        if (n == 1) {
            SnAssertion *one = NULL;
            SnError *err = NULL;
            int r = sn_assert_decode(data, len, &one, &err);
            cr_assert_eq(r, 0, "%s: %s", *f, sn_error_message(err, r));
            cr_assert(sn_assert_value_equal(one->headers, list[0]->headers));
            cr_assert_eq(one->content_len, list[0]->content_len);
            sn_assertion_free(one);
        }
    }
    cr_assert_geq(total, 118, "only %zu assertions in the corpus", total);
}

static void expect_decode_error(const char *text, const char *want)
{
    SnAssertion **list = NULL;
    SnError *err = NULL;
    int r = sn_assert_decode_stream(text, strlen(text), &list, NULL, &err);
    cr_assert_lt(r, 0, "decoded, but expected an error containing \"%s\"", want);
    cr_assert(strstr(sn_error_message(err, r), want), "error \"%s\" does not contain \"%s\"", sn_error_message(err, r),
              want);
    sn_error_free(err);
}

#define KEY "sign-key-sha3-384: Jv8_JiHiIzJVcO9M55pPdqSDWUvuhfDIBJUS-3VW7F_idjix7Ul8RVgvgjfH7mAZ"

Test(assert_decode, negative_vectors_fail_to_parse_for_their_reason)
{
    struct {
        const char *file, *reason;
    } cases[] = {
        {"negative/derived-02-account-key-wrong-body-length.assert", "missing content/signature separator"},
        {"negative/derived-03-model-no-blank-line-before-signature.assert", "unexpected EOF"},
        {"negative/derived-04-model-repeated-header.assert", "repeated header: \"series\""},
        {"negative/derived-05-model-header-missing-space.assert", "should have a space or newline"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        size_t len;
        _sn_free_ char *data = corpus_read(cases[i].file, &len);
        SnAssertion **list = NULL;
        SnError *err = NULL;
        int r = sn_assert_decode_stream(data, len, &list, NULL, &err);
        cr_assert_lt(r, 0, "%s decoded", cases[i].file);
        cr_assert(strstr(sn_error_message(err, r), cases[i].reason), "%s: \"%s\" lacks \"%s\"", cases[i].file,
                  sn_error_message(err, r), cases[i].reason);
        sn_error_free(err);
        /* the single decoder agrees for the separator and header cases */
        SnAssertion *one = NULL;
        r = sn_assert_decode(data, len, &one, NULL);
        cr_assert_lt(r, 0, "%s decoded with sn_assert_decode", cases[i].file);
    }
    /* an empty file is no assertion at all */
    SnAssertion *one = NULL;
    SnError *err = NULL;
    cr_assert_lt(sn_assert_decode("", 0, &one, &err), 0);
    cr_assert(strstr(err->message, "separator not found"));
    sn_error_free(err);
}

Test(assert_decode, header_syntax_follows_snapd)
{
    expect_decode_error("type: account\nBad: x\n\nsig", "invalid header name: \"Bad\"");
    expect_decode_error("type: account\nnocolon\n\nsig", "header entry missing ':' separator");
    expect_decode_error("type: account\nmulti:\nnot-indented\n\nsig", "expected 4 chars nesting prefix");
    expect_decode_error("type: account\nmulti:\n\nsig", "nesting prefix after multiline introduction");
    expect_decode_error("type: account\nm:\n  a: 1\n  a: 2\n\nsig", "repeated map entry: \"a\"");
    expect_decode_error("type: account\nm:\n  A: 1\n\nsig", "invalid map entry key");
    expect_decode_error("type: nosuchtype\nauthority-id: x\n" KEY "\n\nsig", "unknown assertion type: \"nosuchtype\"");
    expect_decode_error("type: account\n" KEY "\n\nsig", "\"authority-id\" header is mandatory");
    expect_decode_error("type: account\nauthority-id: canonical\nsign-key-sha3-384: short\n\nsig",
                        "\"sign-key-sha3-384\" header cannot be decoded");
    expect_decode_error("type: account\nauthority-id: c\naccount-id: a/b\n" KEY "\n\nsig", "cannot contain '/'");
    expect_decode_error("type: account\nauthority-id: c\naccount-id: ab\n" KEY "\nrevision: 01\n\nsig",
                        "\"revision\" header is not an integer");
    expect_decode_error("type: account\nauthority-id: c\naccount-id: ab\n" KEY "\n\n\n\n", "empty assertion signature");
    expect_decode_error("type: account\nauthority-id: c\naccount-id: ab\n" KEY "\n\nsig",
                        "assertion account: \"display-name\" header is mandatory");
    expect_decode_error("type: account\nauthority-id: c\naccount-id: ab\ndisplay-name: x\nvalidation: v\n"
                        "timestamp: 2016-13-01T00:00:00Z\n" KEY "\n\nsig",
                        "\"timestamp\" header is not a RFC3339 date");
    expect_decode_error("type: account\nauthority-id: c\naccount-id: \xff\n\nsig", "header is not utf8");
    expect_decode_error("type: account\nbody-length: 3000000\n\nsig", "exceeds maximum body size");
    expect_decode_error("type: serial-request\nauthority-id: x\n" KEY "\n\nsig", "cannot have authority-id set");
}

Test(assert_decode, nested_lists_and_maps)
{
    const char *text = "type: account\nauthority-id: c\naccount-id: ab\ndisplay-name: x\nvalidation: unproven\n"
                       "timestamp: 2016-01-01T00:00:00Z\n"
                       "l:\n  - a\n  -\n    - b\n    - c\n  -\n    k: v\n    m:\n      x: y\n  - multi:\n"
                       "t:\n    line1\n    line2\n"
                       "emptytext: \n" KEY "\n\nAQ==\n";
    SnAssertion *a = NULL;
    SnError *err = NULL;
    int r = sn_assert_decode(text, strlen(text), &a, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    SnAssertValue *l = sn_assert_value_map_get(a->headers, "l");
    cr_assert(l && l->kind == SN_ASSERT_VALUE_LIST && l->n == 4);
    cr_assert_str_eq(l->items[0]->str, "a");
    cr_assert(l->items[1]->kind == SN_ASSERT_VALUE_LIST && l->items[1]->n == 2);
    cr_assert_str_eq(l->items[1]->items[1]->str, "c");
    cr_assert(l->items[2]->kind == SN_ASSERT_VALUE_MAP);
    cr_assert_str_eq(sn_assert_value_map_get_string(sn_assert_value_map_get(l->items[2], "m"), "x"), "y");
    cr_assert_str_eq(l->items[3]->str, "multi:");
    cr_assert_str_eq(sn_assertion_header(a, "t"), "line1\nline2");
    cr_assert_str_eq(sn_assertion_header(a, "emptytext"), "");
    /* canonical re-encoding sorts the other headers and keeps the nesting */
    char *enc = NULL;
    size_t len;
    cr_assert_eq(sn_assert_encode_canonical(a, &enc, &len), 0);
    cr_assert(strstr(enc, "account-id: ab\ndisplay-name: x\nemptytext: \nl:\n  - a\n  -\n    - b\n    - c\n  -\n"
                          "    k: v\n    m:\n      x: y\n  - multi:\nt:\n    line1\n    line2\ntimestamp:"),
              "%s", enc);
    SnAssertion *again = NULL;
    cr_assert_eq(sn_assert_decode(enc, len, &again, NULL), 0);
    cr_assert(sn_assert_value_equal(a->headers, again->headers));
    free(enc);
    sn_assertion_free(again);
    sn_assertion_free(a);
}
