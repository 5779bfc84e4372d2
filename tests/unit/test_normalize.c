/* test_normalize.c — NFC, case folding, accent folding, facet keys, display
 * clean-up and character classes (stemmers/normalize.c). */
#include "fl_normalize.h"

#include "tap.h"

#include <stdlib.h>

typedef int (*norm_fn)(const char *, size_t, fl_buf *, char **);

/* The test name with control characters escaped, so TAP lines stay whole. */
static const char *esc(const char *s)
{
    static char buf[4][256];
    static int k;
    char *o = buf[k++ & 3];
    size_t n = 0;
    for (; *s && n < 250; s++) {
        if ((unsigned char)*s < 0x20)
            n += (size_t)snprintf(o + n, 6, "\\x%02X", (unsigned char)*s);
        else
            o[n++] = *s;
    }
    o[n] = '\0';
    return o;
}

/* Runs fn on s; returns the malloc'd result, or NULL on failure. */
static char *run(norm_fn fn, const char *s, size_t len)
{
    fl_buf b = FL_BUF_INIT;
    char *err = NULL;
    if (fn(s, len, &b, &err) != 0) {
        free(err);
        fl_buf_free(&b);
        return NULL;
    }
    return fl_buf_detach(&b);
}

#define CHECK(fn, in, want)                                                           \
    do {                                                                              \
        char *got_ = run(fn, in, strlen(in));                                         \
        is_str(got_, want, "%s(\"%s\") = \"%s\"", #fn, esc(in), esc(want));                     \
        free(got_);                                                                   \
    } while (0)

static void test_nfc(void)
{
    CHECK(fl_nfc, "", "");
    CHECK(fl_nfc, "Haus", "Haus");
    /* decomposed umlauts as typed on a Mac become precomposed */
    CHECK(fl_nfc, "Ru\xCC\x88" "ckblick", "R\xC3\xBC" "ckblick");
    CHECK(fl_nfc, "A\xCC\x88rger", "\xC3\x84rger");
    /* case is kept */
    CHECK(fl_nfc, "STRASSE Stra\xC3\x9F" "e", "STRASSE Stra\xC3\x9F" "e");
    /* canonical reordering: dot below (220) sorts before diaeresis (230) */
    CHECK(fl_nfc, "u\xCC\x88\xCC\xA3", "\xE1\xBB\xA5\xCC\x88");
    /* white space is not touched by NFC */
    CHECK(fl_nfc, " a  b\r", " a  b\r");
}

static void test_exact(void)
{
    CHECK(fl_norm_exact, "Haus", "haus");
    CHECK(fl_norm_exact, "HAUS", "haus");
    CHECK(fl_norm_exact, "Stra\xC3\x9F" "e", "stra\xC3\x9F" "e");
    /* capital sharp s ẞ → ß, not "ss" */
    CHECK(fl_norm_exact, "STRA\xE1\xBA\x9E" "E", "stra\xC3\x9F" "e");
    CHECK(fl_norm_exact, "\xC3\x84RGER \xC3\x96L \xC3\x9C" "BER",
          "\xC3\xA4rger \xC3\xB6l \xC3\xBC" "ber");
    CHECK(fl_norm_exact, "Ru\xCC\x88" "ckblick", "r\xC3\xBC" "ckblick");
    CHECK(fl_norm_exact, "U\xCC\x88" "BER", "\xC3\xBC" "ber");
    /* accents of other languages stay in the exact form */
    CHECK(fl_norm_exact, "GON\xC3\x87" "ALVES", "gon\xC3\xA7" "alves");
    CHECK(fl_norm_exact, "Caf\xC3\xA9", "caf\xC3\xA9");
    /* Greek final sigma folds like sigma */
    CHECK(fl_norm_exact, "\xCE\xA3\xCE\xBF\xCF\x82", "\xCF\x83\xCE\xBF\xCF\x83");
    /* the ligature ﬁ folds to "fi" (full case folding) */
    CHECK(fl_norm_exact, "\xEF\xAC\x81nden", "finden");
    CHECK(fl_norm_exact, "\xC3\x9F\xC3\x9F", "\xC3\x9F\xC3\x9F");
}

static void test_fold(void)
{
    CHECK(fl_norm_fold, "Gon\xC3\xA7" "alves", "goncalves");
    CHECK(fl_norm_fold, "Caf\xC3\xA9", "cafe");
    CHECK(fl_norm_fold, "Espa\xC3\xB1" "a", "espana");
    CHECK(fl_norm_fold, "\xC3\x98resund", "oresund");
    CHECK(fl_norm_fold, "\xC5\x81" "\xC3\xB3" "d\xC5\xBA", "lodz");
    CHECK(fl_norm_fold, "\xC3\x85" "ngstr\xC3\xB6m", "angstr\xC3\xB6m");
    CHECK(fl_norm_fold, "Dvo\xC5\x99\xC3\xA1k", "dvorak");
    CHECK(fl_norm_fold, "Citro\xC3\xABn", "citroen");
    CHECK(fl_norm_fold, "\xC3\x86gypten", "aegypten");
    /* German letters are kept; the stemmer folds them */
    CHECK(fl_norm_fold, "M\xC3\xBCller", "m\xC3\xBCller");
    CHECK(fl_norm_fold, "\xC3\x84RGER", "\xC3\xA4rger");
    CHECK(fl_norm_fold, "Stra\xC3\x9F" "e", "stra\xC3\x9F" "e");
    CHECK(fl_norm_fold, "GRO\xE1\xBA\x9E", "gro\xC3\x9F");
    /* decomposed umlauts come out precomposed */
    CHECK(fl_norm_fold, "Ru\xCC\x88" "ckblick", "r\xC3\xBC" "ckblick");
    CHECK(fl_norm_fold, "O\xCC\x88l", "\xC3\xB6l");
    /* a diaeresis on other letters is an accent: ï → i */
    CHECK(fl_norm_fold, "na\xC3\xAFv", "naiv");
    /* umlaut with an extra accent keeps only the umlaut */
    CHECK(fl_norm_fold, "u\xCC\x88\xCC\xA3", "\xC3\xBC");
    /* compatibility forms: fullwidth letters, long s */
    CHECK(fl_norm_fold, "\xEF\xBC\xB4\xEF\xBD\x85st", "test");
    CHECK(fl_norm_fold, "Wa\xC5\xBF" "\xC5\xBF" "er", "wasser");
    CHECK(fl_norm_fold, "plain ascii", "plain ascii");
}

static void test_facet_key(void)
{
    CHECK(fl_norm_facet_key, "Maria Goncalves", "maria goncalves");
    CHECK(fl_norm_facet_key, " maria  Gon\xC3\xA7" "alves\r", "maria goncalves");
    CHECK(fl_norm_facet_key, "Maria\tGon\xC3\xA7" "alves\n", "maria goncalves");
    CHECK(fl_norm_facet_key, "J\xC3\xBCrgen M\xC3\xBCller", "jurgen muller");
    CHECK(fl_norm_facet_key, "Ju\xCC\x88rgen  MU\xCC\x88LLER", "jurgen muller");
    CHECK(fl_norm_facet_key, "Stra\xC3\x9F" "e", "strasse");
    CHECK(fl_norm_facet_key, "STRA\xE1\xBA\x9E" "E", "strasse");
    CHECK(fl_norm_facet_key, "\xC2\xA0Nbsp\xC2\xA0 value\xE2\x80\x83", "nbsp value");
    CHECK(fl_norm_facet_key, "   ", "");
    CHECK(fl_norm_facet_key, "", "");
}

static void test_display(void)
{
    CHECK(fl_norm_display, "  Maria   Gon\xC3\xA7" "alves \r", "Maria Gon\xC3\xA7" "alves");
    CHECK(fl_norm_display, "Ru\xCC\x88" "ckblick\r\n", "R\xC3\xBC" "ckblick");
    CHECK(fl_norm_display, "Arbeits-  und\tSozialrecht", "Arbeits- und Sozialrecht");
    CHECK(fl_norm_display, "STRA\xE1\xBA\x9E" "E", "STRA\xE1\xBA\x9E" "E");
    CHECK(fl_norm_display, "\r\n", "");
}

static void test_invalid(void)
{
    static const struct {
        const char *s;
        const char *what;
    } bad[] = {
        {"abc\xFF", "stray 0xFF"},
        {"\xC3", "truncated sequence"},
        {"\xC0\xAF", "overlong encoding"},
        {"\xED\xA0\x80", "surrogate"},
        {"M\xC3\xBCller\x80", "continuation byte after valid text"},
    };
    norm_fn fns[] = {fl_nfc, fl_norm_exact, fl_norm_fold, fl_norm_facet_key, fl_norm_display};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++) {
            fl_buf b = FL_BUF_INIT;
            char *err = NULL;
            int rc = fns[f](bad[i].s, strlen(bad[i].s), &b, &err);
            ok(rc == -1 && err && strstr(err, "invalid UTF-8"),
               "function %zu rejects %s (%s)", f, bad[i].what, err ? err : "no message");
            free(err);
            fl_buf_free(&b);
        }
    }
    /* err may be NULL */
    fl_buf b = FL_BUF_INIT;
    is_int(fl_norm_exact("\xFF", 1, &b, NULL), -1, "invalid input with err == NULL");
    fl_buf_free(&b);
}

static void test_append_and_len(void)
{
    fl_buf b = FL_BUF_INIT;
    fl_buf_puts(&b, "x:");
    char *err = NULL;
    is_int(fl_norm_exact("\xC3\x84" "BC", 3, &b, &err), 0, "length limits the input");
    is_str(fl_buf_cstr(&b), "x:\xC3\xA4" "b", "output is appended, only len bytes read");
    fl_buf_reset(&b);
    is_int(fl_norm_exact("AB\xC3\x84", 3, &b, &err), -1, "len cutting a sequence is invalid");
    free(err);
    err = NULL;
    /* embedded NUL is data, not the end */
    fl_buf_reset(&b);
    is_int(fl_norm_exact("A\0B", 3, &b, &err), 0, "embedded NUL accepted");
    ok(b.len == 3 && b.data[1] == '\0' && b.data[2] == 'b', "embedded NUL kept");
    /* a long non-ASCII string exceeds the inline store */
    fl_buf in = FL_BUF_INIT, want = FL_BUF_INIT;
    for (int i = 0; i < 500; i++) {
        fl_buf_puts(&in, "\xC3\x84" "E\xCC\x81 ");
        fl_buf_puts(&want, "\xC3\xA4" "e ");
    }
    fl_buf_reset(&b);
    is_int(fl_norm_fold(in.data, in.len, &b, &err), 0, "long input folds");
    is_str(fl_buf_cstr(&b), want.data, "long input folded correctly");
    fl_buf_free(&in);
    fl_buf_free(&want);
    fl_buf_free(&b);
}

static void test_classes(void)
{
    ok(fl_is_letter('a') && fl_is_letter('Z') && fl_is_letter(0xE4) && fl_is_letter(0xDF),
       "a Z ä ß are letters");
    ok(fl_is_letter(0x1E9E) && fl_is_letter(0x3B1) && fl_is_letter(0x4E2D),
       "ẞ, alpha, CJK are letters");
    ok(!fl_is_letter('1') && !fl_is_letter('-') && !fl_is_letter(' ') && !fl_is_letter(0x308),
       "digits, hyphen, space, combining mark are not letters");
    ok(!fl_is_letter(0x110000), "out of range is not a letter");
    ok(fl_is_digit('0') && fl_is_digit('9') && fl_is_digit(0x663), "ASCII and Arabic-Indic digits");
    ok(!fl_is_digit('a') && !fl_is_digit(0xB2), "a and superscript two are not Nd digits");
    ok(fl_is_space(' ') && fl_is_space('\t') && fl_is_space('\r') && fl_is_space('\n'),
       "ASCII white space");
    ok(fl_is_space(0xA0) && fl_is_space(0x2003) && fl_is_space(0x2028) && fl_is_space(0x85),
       "NBSP, em space, line separator, NEL");
    ok(!fl_is_space('a') && !fl_is_space(0x200B) && !fl_is_space(0),
       "letters, zero-width space, NUL are not space");
    ok(fl_is_mark(0x308) && fl_is_mark(0x301) && fl_is_mark(0x20DD), "combining marks");
    ok(!fl_is_mark('a') && !fl_is_mark(0xE4) && !fl_is_mark(0xA8), "letters and spacing diaeresis");
}

int main(void)
{
    test_nfc();
    test_exact();
    test_fold();
    test_facet_key();
    test_display();
    test_invalid();
    test_append_and_len();
    test_classes();
    return tap_done();
}
