/* test_common.c — buffers, errors, JSON writer, UTF-8 helpers, document data. */
#include "fl_buf.h"
#include "fl_docdata.h"
#include "fl_err.h"
#include "fl_json.h"
#include "fl_page.h"
#include "fl_utf8.h"
#include "tap.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_buf(void)
{
    fl_buf b = FL_BUF_INIT;
    is_str(fl_buf_cstr(&b), "", "empty buffer reads as empty string");
    for (int i = 0; i < 1000; i++)
        fl_buf_printf(&b, "%d,", i);
    ok(b.len > 3000 && b.data[b.len] == '\0', "buffer grows and stays NUL-terminated");
    fl_buf_truncate(&b, 4);
    is_str(b.data, "0,1,", "truncate");
    fl_buf_append(&b, "a\0b", 3);
    is_int(b.len, 7, "binary append keeps inner NUL");
    char *s = fl_buf_detach(&b);
    ok(b.data == NULL && b.len == 0, "detach leaves buffer empty");
    free(s);
    char *e = fl_buf_detach(&b);
    is_str(e, "", "detach of empty buffer gives an owned empty string");
    free(e);
    fl_buf_puts(&b, "x");
    fl_buf_put_uint(&b, 0);
    fl_buf_putc(&b, ',');
    fl_buf_put_uint(&b, 7);
    fl_buf_putc(&b, ',');
    fl_buf_put_uint(&b, 1090);
    fl_buf_putc(&b, ',');
    fl_buf_put_uint(&b, UINT64_MAX);
    is_str(fl_buf_cstr(&b), "x0,7,1090,18446744073709551615", "decimal digits of unsigned numbers");
    fl_buf_free(&b);
    /* Regression: reserve without a write used to leave fresh memory
     * unterminated (an empty section title read past its end in serve). */
    fl_buf r = FL_BUF_INIT;
    fl_buf_reserve(&r, 0);
    is_str(fl_buf_cstr(&r), "", "reserve on an empty buffer reads as empty string");
    char *rd = fl_buf_detach(&r);
    ok(rd[0] == '\0', "reserve then detach gives an empty string");
    free(rd);
    char *f = fl_xasprintf("%s-%d", "x", 7);
    is_str(f, "x-7", "fl_xasprintf");
    free(f);
}

static void test_err(void)
{
    char *err = NULL;
    ok(fl_err_set(&err, "first %d", 1) == -1, "fl_err_set returns -1");
    fl_err_set(&err, "second");
    is_str(err, "first 1", "first error wins");
    fl_err_wrap(&err, "reading %s", "a.md");
    is_str(err, "reading a.md: first 1", "wrap adds context");
    free(err);
    ok(fl_err_set(NULL, "x") == -1, "NULL err pointer is accepted");
}

static void test_json(void)
{
    fl_buf b = FL_BUF_INIT;
    fl_json j;
    fl_json_init(&j, &b);
    fl_json_object_begin(&j);
    fl_json_key(&j, "q");
    fl_json_string(&j, "B\xC3\xBCrger*innen \"<x>\"\n\t\\");
    fl_json_key(&j, "n");
    fl_json_int(&j, -42);
    fl_json_key(&j, "d");
    fl_json_double(&j, 0.8000, 3);
    fl_json_key(&j, "list");
    fl_json_array_begin(&j);
    fl_json_string(&j, "a");
    fl_json_null(&j);
    fl_json_bool(&j, true);
    fl_json_array_begin(&j);
    fl_json_array_end(&j);
    fl_json_array_end(&j);
    fl_json_key(&j, "bad");
    fl_json_string_n(&j, "a\xFF\xC3", 3);
    fl_json_key(&j, "ctl");
    fl_json_string(&j, "\x01\xE2\x80\xA8");
    /* Keys other than plain ASCII (a facet named in findling.yml) are
     * escaped like strings. */
    fl_json_key(&j, "Kategorie \"Ä\"\\");
    fl_json_int(&j, 1);
    fl_json_object_end(&j);
    is_str(b.data,
           "{\"q\":\"B\xC3\xBCrger*innen \\\"<x>\\\"\\n\\t\\\\\",\"n\":-42,\"d\":0.8,"
           "\"list\":[\"a\",null,true,[]],\"bad\":\"a\xEF\xBF\xBD\xEF\xBF\xBD\","
           "\"ctl\":\"\\u0001\\u2028\",\"Kategorie \\\"Ä\\\"\\\\\":1}",
           "JSON writer: commas, nesting, escaping, invalid UTF-8 replaced, keys escaped");
    fl_buf_reset(&b);
    fl_json_escape(&b, "x\xE2\x80\xA9y\xC3\xA4\xF0\x9F\x98\x80z\xE2\x82!\xED\xA0\x80\"", 19);
    is_str(b.data,
           "x\\u2029y\xC3\xA4\xF0\x9F\x98\x80z\xEF\xBF\xBD\xEF\xBF\xBD!"
           "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\\\"",
           "JSON escaping inside text: U+2029, umlaut, emoji, a cut sequence, a surrogate");
    fl_buf_reset(&b);
    fl_json_escape(&b, "run one\x7frun two\\end", 19);
    is_str(b.data, "run one\\u007frun two\\\\end", "escapes inside and between runs of plain ASCII");
    /* Each byte that needs a look of its own, at each place of a 24-byte
     * plain text: the writer passes plain text 8 bytes at a time, and must
     * stop at every one of them wherever it stands. */
    static const struct { const char *in, *out; } odd[] = {
        {"\"", "\\\""}, {"\\", "\\\\"}, {"\x7f", "\\u007f"}, {"\x1f", "\\u001f"},
        {"\n", "\\n"}, {"\xC3\xA4", "\xC3\xA4"}, {"\xFF", "\xEF\xBF\xBD"},
        {"\xE2\x80\xA8", "\\u2028"}, {" ", " "}, {"~", "~"}};
    int all = 1;
    for (size_t k = 0; k < sizeof odd / sizeof *odd; k++)
        for (size_t at = 0; at < 24; at++) {
            char in[64], want[64];
            snprintf(in, sizeof in, "%.*s%s%.*s", (int)at, "abcdefghijklmnopqrstuvwx", odd[k].in,
                     (int)(24 - at), "ABCDEFGHIJKLMNOPQRSTUVWX");
            snprintf(want, sizeof want, "%.*s%s%.*s", (int)at, "abcdefghijklmnopqrstuvwx",
                     odd[k].out, (int)(24 - at), "ABCDEFGHIJKLMNOPQRSTUVWX");
            fl_buf_reset(&b);
            fl_json_escape(&b, in, strlen(in));
            if (strcmp(fl_buf_cstr(&b), want) != 0) {
                diag("byte %zu at %zu: got %s", k, at, fl_buf_cstr(&b));
                all = 0;
            }
        }
    ok(all, "every byte needing an escape is found at every offset of a plain run");
    fl_buf_reset(&b);
    fl_json_init(&j, &b);
    fl_json_double(&j, 1.0 / 0.0, 2);
    is_str(b.data, "null", "infinity becomes null");
    /* Numbers: what printf's "%.*f" gives, trailing zeros trimmed, for
     * scores (percent / 100), timings, halves at every decimal, negative
     * values, big and random ones -- the digits are made without printf
     * where that is safe. */
    size_t bad = 0, tried = 0;
    uint64_t x = 88172645463325252ull;
    for (int d = 0; d <= 8; d++)
        for (int i = 0; i < 4000; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            double v;
            switch (i % 5) {
            case 0: v = (i / 5 % 101) / 100.0; break;
            case 1: v = (double)(x % 100000000) / 1000.0; break;
            case 2: v = ((double)(x % 2000) + 0.5) / pow(10, d); break;
            case 3: v = -((double)(x % 1000000)) / 977.0; break;
            default: v = (double)(x >> 11) / (double)(1ull << (x % 60)); break;
            }
            char want[512];
            int n = snprintf(want, sizeof want, "%.*f", d, v);
            if (strchr(want, '.')) {
                while (want[n - 1] == '0')
                    n--;
                if (want[n - 1] == '.')
                    n--;
            }
            want[n] = '\0';
            if (strcmp(want, "-0") == 0)
                strcpy(want, "0");
            fl_buf_reset(&b);
            fl_json_init(&j, &b);
            fl_json_double(&j, v, d);
            tried++;
            if (strcmp(b.data, want) != 0 && bad++ < 5)
                diag("%.17g with %d decimals: got %s, printf %s", v, d, b.data, want);
        }
    ok(bad == 0, "numbers as printf writes them (%zu of %zu differ)", bad, tried);
    fl_buf_free(&b);
}

static void test_utf8(void)
{
    ok(fl_utf8_is_valid("Gr\xC3\xB6\xC3\x9F" "e", 6), "valid UTF-8 accepted");
    ok(!fl_utf8_is_valid("\xC0\xAF", 2), "overlong encoding rejected");
    ok(!fl_utf8_is_valid("\xED\xA0\x80", 3), "surrogate rejected");
    ok(!fl_utf8_is_valid("\xF4\x90\x80\x80", 4), "code point above U+10FFFF rejected");
    ok(!fl_utf8_is_valid("\xE2\x82", 2), "truncated sequence rejected");
    fl_buf b = FL_BUF_INIT;
    size_t first = 99;
    size_t bad = fl_utf8_repair(&b, "ab\xFF" "c\xE2\x82", 6, &first);
    is_int(bad, 3, "repair counts every invalid byte");
    is_int(first, 2, "repair reports the first bad offset");
    is_str(b.data, "ab\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD", "repair replaces with U+FFFD");
    fl_buf_reset(&b);
    fl_utf8_encode(&b, 0x1E9E);
    size_t adv;
    is_int(fl_utf8_decode(b.data, b.len, &adv), 0x1E9E, "encode/decode round trip (ẞ)");
    is_int(adv, 3, "decode length");
    is_int(fl_utf8_clamp("a\xC3\xA4" "b", 4, 2), 1, "clamp does not split a character");
    is_int(fl_utf8_clamp("abc", 3, 10), 3, "clamp of a short string");
    fl_buf_free(&b);
}

static void test_docdata(void)
{
    fl_page p;
    fl_page_init(&p);
    p.id = fl_xstrdup("_beitraege/x.md");
    p.url = fl_xstrdup("/beitraege/x/");
    p.title = fl_xstrdup("Tab\there\nand \\ backslash");
    p.date = fl_xstrdup("2026-01-15");
    fl_strlist_push(&p.authors, "Maria Gon\xC3\xA7" "alves");
    fl_strlist_push(&p.authors, "Jens Edler");
    fl_strlist_push(&p.categories, "R\xC3\xBC" "ckblick");
    p.sections = fl_xcalloc(2, sizeof *p.sections);
    p.nsections = 2;
    p.sections[0] = (fl_section){fl_xstrdup(""), fl_xstrdup(""), 0, NULL, 0, 5, 40, 0, false};
    p.sections[1] = (fl_section){fl_xstrdup("Pizza, Mocktails & Vernetzung"),
                                 fl_xstrdup("pizza-mocktails--vernetzung"), 2, NULL, 0, 40, 90000,
                                 4, false};
    fl_buf b = FL_BUF_INIT;
    fl_docdata_encode(&p, &b);
    fl_page q;
    fl_page_init(&q);
    char *err = NULL;
    ok(fl_docdata_decode(b.data, b.len, &q, &err) == 0, "decode succeeds");
    is_str(q.id, p.id, "id round trip");
    is_str(q.title, p.title, "escaped title round trip");
    is_str(q.teaser, NULL, "absent teaser stays NULL");
    is_int(q.authors.n, 2, "two authors");
    is_str(q.authors.items[0], "Maria Gon\xC3\xA7" "alves", "author round trip");
    is_int(q.nsections, 2, "two sections");
    ok(!q.sections[0].has_anchor && q.sections[1].has_anchor, "which sections have an anchor");
    is_int(q.sections[1].level, 2, "section level");
    is_int(q.sections[0].pos_start, 5, "first section start position");
    is_int(q.sections[1].pos_start, 40, "section start position");
    is_int(q.sections[1].pos_end, 90000, "section end position (a many-digit number)");
    is_int(q.sections[1].title_tokens, 4, "title tokens");
    ok(q.sections[1].text == NULL && q.sections[1].title == NULL && q.sections[1].anchor == NULL,
       "section title, anchor and text are not in the data");
    fl_page_free(&q);
    /* Damaged tables are errors, never reads beyond the data. */
    const char *bad[] = {"sections\t2\t0000\n",   /* fewer rows than said */
                         "sections\t1\t00000\n",  /* a number left over */
                         "sections\t1\t00a0\n",   /* a number cut short */
                         "sections\t1\t00 00\n",  /* not a digit */
                         "sections\tx\t0000\n",   /* no count */
                         "sections\t99999999\t0000\n",
                         "sections\t1\t0&&&&&&&&0\n", /* more than 7 digits */
                         "sections\t1\t0&&&&&&400\n",  /* 2^32 and more */
                         "sections\t1\tc4000\n",       /* level 65 */
                         "sections\t\t0000\n",         /* an empty count */
                         "sections\t 1\t0000\n",       /* a count with a space */
                         "sections\t\t",               /* no table at the very end */
                         "sections\t1\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        /* Exactly the data, no terminating NUL after it: a read beyond it
         * is an error under ASan. */
        size_t bl = strlen(bad[i]);
        char *data = fl_xmalloc(bl);
        memcpy(data, bad[i], bl);
        fl_page_init(&q);
        err = NULL;
        ok(fl_docdata_decode(data, bl, &q, &err) != 0 && err != NULL && q.nsections == 0,
           "malformed section table %zu is an error", i);
        free(err);
        free(data);
        fl_page_free(&q);
    }

    /* A byte beside the alphabet's ranges is no digit, neither a last one
     * ("00X0" would be a whole row) nor one with more to follow ("0X000"). */
    const char beside[] = "W@{`\"'+/:";
    for (const char *c = beside; *c; c++) {
        char row[2][32];
        snprintf(row[0], sizeof row[0], "sections\t1\t00%c0\n", *c);
        snprintf(row[1], sizeof row[1], "sections\t1\t0%c000\n", *c);
        for (int r = 0; r < 2; r++) {
            fl_page_init(&q);
            err = NULL;
            ok(fl_docdata_decode(row[r], strlen(row[r]), &q, &err) != 0 && q.nsections == 0,
               "'%c' is no digit (%s)", *c, r ? "with more to follow" : "a last one");
            free(err);
            fl_page_free(&q);
        }
    }

    /* Every digit of the alphabet decodes to its value: section k's span
     * is k * 33, written as the "more follows" digit k and the final digit
     * k. */
    fl_page_init(&q);
    q.sections = fl_xcalloc(32, sizeof *q.sections);
    q.nsections = 32;
    for (uint32_t k = 0; k < 32; k++) {
        q.sections[k].pos_start = k ? q.sections[k - 1].pos_end : 0;
        q.sections[k].pos_end = q.sections[k].pos_start + k * 33;
    }
    fl_buf_reset(&b);
    fl_docdata_encode(&q, &b);
    fl_page_free(&q);
    fl_page_init(&q);
    ok(strstr(fl_buf_cstr(&b), "z" "P000!Q000#R000$S000%T000&U000*V0\n") != NULL,
       "the table uses the last digits (got %s)", fl_buf_cstr(&b));
    ok(fl_docdata_decode(b.data, b.len, &q, &err) == 0 && q.nsections == 32,
       "a table with every digit decodes");
    size_t right = 0;
    for (size_t k = 0; k < q.nsections; k++)
        right += q.sections[k].pos_end - q.sections[k].pos_start == k * 33;
    is_int(right, 32, "every digit has its value");
    fl_page_free(&q);

    /* What decodes re-encodes to the same table: the anchor flag and a
     * level of 64 survive a second round. */
    const char *table = "sections\t2\t1000a4000\n";
    fl_page_init(&q);
    ok(fl_docdata_decode(table, strlen(table), &q, &err) == 0 && q.nsections == 2 &&
           q.sections[0].has_anchor && q.sections[1].level == 64 && !q.sections[1].has_anchor,
       "a table with an anchored section and level 64 decodes");
    fl_buf_reset(&b);
    fl_docdata_encode(&q, &b);
    ok(strstr(fl_buf_cstr(&b), "sections\t2\t1000a4000\n") != NULL,
       "and encodes to itself (got %s)", fl_buf_cstr(&b));
    fl_page_free(&q);

    /* Section entries: anchor, title, checkpoints and text round trip. */
    fl_buf e = FL_BUF_INIT;
    size_t checks[] = {3, 200, 70000};
    char *text = fl_xmalloc(70010);
    memset(text, 'x', 70009);
    text[70009] = '\0';
    fl_secentry_encode("a-b", "Titel \xC3\xA4", checks, 3, text, 70009, &e);
    fl_secentry se;
    ok(fl_secentry_decode(e.data, e.len, &se) == 0, "section entry decodes");
    ok(se.anchor_len == 3 && memcmp(se.anchor, "a-b", 3) == 0, "entry anchor");
    ok(se.title_len == 8 && memcmp(se.title, "Titel \xC3\xA4", 8) == 0, "entry title");
    ok(se.text_len == 70009 && se.text[0] == 'x', "entry text");
    is_int(se.nchecks, 3, "entry checkpoints");
    is_int(fl_secentry_checkpoint(&se, 0), 0, "checkpoint 0 is the start");
    is_int(fl_secentry_checkpoint(&se, 2), 200, "checkpoint 2");
    is_int(fl_secentry_checkpoint(&se, 3), 70000, "checkpoint 3 (past 16 bits)");
    is_int(fl_secentry_checkpoint(&se, 9), 70000, "a checkpoint beyond the last is the last");
    size_t j = 99;
    is_int(fl_secentry_checkpoint_before(&se, 2, &j), 0, "the checkpoint before byte 2 is 0");
    is_int(j, 0, "…number 0");
    is_int(fl_secentry_checkpoint_before(&se, 3, &j), 3, "a checkpoint's own byte finds it");
    is_int(j, 1, "…number 1");
    is_int(fl_secentry_checkpoint_before(&se, 69999, &j), 200, "between two: the earlier one");
    is_int(j, 2, "…number 2");
    is_int(fl_secentry_checkpoint_before(&se, SIZE_MAX, &j), 70000, "beyond all: the last");
    is_int(j, 3, "…number 3");
    for (size_t cut = 0; cut < 12; cut++)
        ok(fl_secentry_decode(e.data, cut, &se) != 0, "entry cut to %zu bytes is refused", cut);
    fl_buf_reset(&e);
    /* More checkpoints than the entry holds, and checkpoints going back:
     * refused (a reader bisects them and starts tokenising at one). */
    const char many[] = {0, 0, 9, 1, 0, 0, 0, 'x', 'y'};
    ok(fl_secentry_decode(many, sizeof many, &se) != 0, "more checkpoints than bytes: refused");
    const char back[] = {0, 0, 2, 3, 0, 0, 0, 2, 0, 0, 0, 'a', 'b', 'c', 'd'};
    ok(fl_secentry_decode(back, sizeof back, &se) != 0, "checkpoints going back: refused");
    const char fine[] = {0, 0, 2, 2, 0, 0, 0, 4, 0, 0, 0, 'a', 'b', 'c', 'd'};
    ok(fl_secentry_decode(fine, sizeof fine, &se) == 0 && se.nchecks == 2 && se.text_len == 4 &&
           fl_secentry_checkpoint(&se, 2) == 4,
       "two checkpoints, the second at the text's end: fine");
    for (size_t b = 0; b <= 5; b++) {
        size_t jb = 9;
        size_t at = fl_secentry_checkpoint_before(&se, b, &jb);
        ok(at == (b < 2 ? 0 : b < 4 ? 2 : 4) && jb == (b < 2 ? 0 : b < 4 ? 1 : 2),
           "checkpoint before byte %zu: %zu (number %zu)", b, at, jb);
    }
    /* Many checkpoints: bisected like a walk would find them. */
    size_t many_checks[300];
    for (size_t k = 0; k < 300; k++)
        many_checks[k] = 7 * (k + 1);
    fl_secentry_encode("", "", many_checks, 300, text, 2200, &e);
    ok(fl_secentry_decode(e.data, e.len, &se) == 0 && se.nchecks == 300, "300 checkpoints");
    bool same = true;
    for (size_t b = 0; b < 2200 && same; b++) {
        size_t jb = 0, want = b / 7 > 300 ? 300 : b / 7;
        same = fl_secentry_checkpoint_before(&se, b, &jb) == 7 * want && jb == want;
    }
    ok(same, "…the one before each byte found by bisection");
    fl_buf_reset(&e);
    size_t far[] = {10};
    fl_secentry_encode("", "", far, 1, "short", 5, &e);
    ok(fl_secentry_decode(e.data, e.len, &se) != 0, "a checkpoint beyond the text is refused");
    fl_buf_reset(&e);
    fl_secentry_encode(NULL, NULL, NULL, 0, "", 0, &e);
    ok(fl_secentry_decode(e.data, e.len, &se) == 0 && se.text_len == 0 && se.anchor_len == 0,
       "an empty entry");
    free(text);
    fl_buf_free(&e);
    fl_page_free(&p);
    fl_buf_free(&b);
}

int main(void)
{
    test_buf();
    test_err();
    test_json();
    test_utf8();
    test_docdata();
    return tap_done();
}
