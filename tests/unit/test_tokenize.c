/* test_tokenize.c — token boundaries and kinds, normalisation, stop words. */
#include "analyze_helpers.h"
#include "fl_tokenize.h"
#include "tap.h"

size_t fl_stopwords_count(void);
const char *fl_stopwords_at(size_t i);

static void one(const fl_analyzer *a, const char *text, const char *surface, fl_token_kind kind,
                const char *exact, const char *stem)
{
    toks ts;
    analyze_str(a, text, &ts);
    if (!ok(ts.n == 1, "'%s' is one token (got %zu)", text, ts.n)) {
        for (size_t i = 0; i < ts.n; i++)
            diag("  token %zu: '%s'", i, ts.t[i].surface);
        return;
    }
    is_str(ts.t[0].surface, surface, "'%s' surface", text);
    is_int(ts.t[0].kind, kind, "'%s' kind", text);
    if (exact)
        is_str(ts.t[0].exact, exact, "'%s' exact", text);
    if (stem)
        is_str(ts.t[0].stem, stem, "'%s' stem", text);
}

static void same_stem(const fl_analyzer *a, const char *x, const char *y)
{
    fl_buf bx = FL_BUF_INIT, by = FL_BUF_INIT;
    fl_analyzer_stem_word(a, x, strlen(x), &bx);
    fl_analyzer_stem_word(a, y, strlen(y), &by);
    ok(bx.len && strcmp(fl_buf_cstr(&bx), fl_buf_cstr(&by)) == 0, "'%s' and '%s' stem alike (%s / %s)",
       x, y, fl_buf_cstr(&bx), fl_buf_cstr(&by));
    fl_buf_free(&bx);
    fl_buf_free(&by);
}

int main(void)
{
    char *err = NULL;
    fl_analyzer *a = fl_analyzer_new(NULL, &err);
    ok(a != NULL, "analyzer with default options");
    if (!a)
        return tap_done();

    /* words */
    one(a, "KI-Meetup", "KI-Meetup", FL_TOKEN_WORD, "ki-meetup", NULL);
    one(a, "geht's", "geht's", FL_TOKEN_WORD, "geht's", "geht");
    one(a, "Jenny’s", "Jenny’s", FL_TOKEN_WORD, "jenny's", "jenny");
    one(a, "Bürger*innen", "Bürger*innen", FL_TOKEN_WORD, "bürgerinnen", "burg");
    one(a, "Expert\\*innen", "Expert\\*innen", FL_TOKEN_WORD, "expertinnen", "expert");
    one(a, "Jede*r", "Jede*r", FL_TOKEN_WORD, "jeder", NULL);
    one(a, "Ver\xc2\xad" "waltung", "Ver\xc2\xad" "waltung", FL_TOKEN_WORD, "verwaltung", NULL);
    one(a, "MP3", "MP3", FL_TOKEN_WORD, "mp3", NULL);
    one(a, "3D", "3D", FL_TOKEN_WORD, "3d", NULL);
    /* numbers and dates */
    one(a, "2026", "2026", FL_TOKEN_NUMBER, "2026", "2026");
    one(a, "1.000", "1.000", FL_TOKEN_NUMBER, "1000", "1000");
    one(a, "3,5", "3,5", FL_TOKEN_NUMBER, "3,5", NULL);
    one(a, "15.01.2026", "15.01.2026", FL_TOKEN_DATE, "2026-01-15", "2026-01-15");
    one(a, "1.2.2026", "1.2.2026", FL_TOKEN_DATE, "2026-02-01", NULL);
    one(a, "2026-01-15", "2026-01-15", FL_TOKEN_DATE, "2026-01-15", NULL);
    /* citations */
    one(a, "§ 622", "§ 622", FL_TOKEN_PARAGRAPH, "§622", "§622");
    one(a, "§622", "§622", FL_TOKEN_PARAGRAPH, "§622", NULL);
    one(a, "§§ 1", "§§ 1", FL_TOKEN_PARAGRAPH, "§1", NULL);
    one(a, "§ 622a", "§ 622a", FL_TOKEN_PARAGRAPH, "§622a", NULL);
    one(a, "Art. 3", "Art. 3", FL_TOKEN_PARAGRAPH, "art3", "art3");
    one(a, "Artikel 20", "Artikel 20", FL_TOKEN_PARAGRAPH, "art20", NULL);
    /* e-mail, URL */
    one(a, "info@example.org", "info@example.org", FL_TOKEN_EMAIL, "info@example.org", NULL);
    one(a, "Max.Muster@Example.ORG.", "Max.Muster@Example.ORG", FL_TOKEN_EMAIL, "max.muster@example.org",
        NULL);
    one(a, "https://example.org/a/b?x=1.", "https://example.org/a/b?x=1", FL_TOKEN_URL, NULL, NULL);
    one(a, "(www.example.org)", "www.example.org", FL_TOKEN_URL, "www.example.org", NULL);
    one(a, "https://de.wikipedia.org/wiki/Foo_(Bar)", "https://de.wikipedia.org/wiki/Foo_(Bar)",
        FL_TOKEN_URL, NULL, NULL);
    /* abbreviations: one stop-word token each */
    one(a, "z. B.", "z. B.", FL_TOKEN_WORD, "z.b.", NULL);
    one(a, "z.B.", "z.B.", FL_TOKEN_WORD, "z.b.", NULL);
    one(a, "u. a.", "u. a.", FL_TOKEN_WORD, "u.a.", NULL);
    one(a, "d. h.", "d. h.", FL_TOKEN_WORD, "d.h.", NULL);
    one(a, "bzw.", "bzw.", FL_TOKEN_WORD, "bzw", NULL);

    toks ts;
    analyze_str(a, "z. B. usw. i. d. R.", &ts);
    is_int(ts.n, 3, "three abbreviations");
    int all_stop = ts.n == 3;
    for (size_t i = 0; i < ts.n; i++)
        all_stop &= (ts.t[i].flags & FL_TOKFLAG_STOPWORD) != 0;
    ok(all_stop, "abbreviations are stop words");

    /* no false joins */
    analyze_str(a, "Ende. Anfang", &ts);
    is_int(ts.n, 2, "sentence end is no abbreviation");
    analyze_str(a, "dem*der Leser", &ts);
    is_int(ts.n, 3, "'dem*der' stays two words");
    analyze_str(a, "Kranken- und Pflegeversicherung", &ts);
    ok(ts.n == 3 && strcmp(ts.t[0].surface, "Kranken") == 0, "trailing hyphen is not part of a word");
    analyze_str(a, "Hinweis: innen liegt", &ts);
    is_int(ts.n, 3, "colon plus space is no gender mark");
    analyze_str(a, "2026: Das Jahr", &ts);
    ok(ts.n == 3 && ts.t[0].kind == FL_TOKEN_NUMBER, "number then colon");
    analyze_str(a, "am 32.13.2026", &ts);
    ok(ts.n >= 2 && ts.t[1].kind != FL_TOKEN_DATE, "invalid date is not a date");
    analyze_str(a, "Art und Weise", &ts);
    ok(ts.n == 3 && ts.t[0].kind == FL_TOKEN_WORD, "'Art' without number is a word");
    analyze_str(a, "§ ohne Nummer", &ts);
    ok(ts.n == 2 && ts.t[0].kind == FL_TOKEN_WORD, "'§' without number is dropped");
    analyze_str(a, "a@b", &ts);
    ok(ts.n == 2 && ts.t[0].kind == FL_TOKEN_WORD, "'a@b' is no e-mail address");

    /* positions and offsets */
    analyze_str(a, "Die Bürger*innen von Bielefeld", &ts);
    ok(ts.n == 4 && ts.t[1].offset == 4 && ts.t[3].index == 3, "offsets and indexes");
    ok(ts.n == 4 && (ts.t[0].flags & FL_TOKFLAG_STOPWORD) && !(ts.t[1].flags & FL_TOKFLAG_STOPWORD),
       "'Die' is a stop word, 'Bürger*innen' not");

    /* normalisation */
    same_stem(a, "Bu\xcc\x88rger", "Bürger"); /* decomposed ü (NFC) */
    same_stem(a, "Gonçalves", "Goncalves");
    same_stem(a, "Rückblick", "Rueckblick");
    same_stem(a, "Rückblick", "Ruckblick");
    same_stem(a, "Straße", "Strasse");
    same_stem(a, "STRAẞE", "straße");
    same_stem(a, "Café", "Cafe");
    analyze_str(a, "Gonçalves", &ts);
    ok(ts.n == 1 && (ts.t[0].flags & FL_TOKFLAG_FOLDED), "accent folding is flagged");

    /* stop words */
    ok(fl_is_stopword("und", 3), "'und' is a stop word");
    ok(fl_is_stopword("für", strlen("für")), "'für' is a stop word");
    ok(fl_is_stopword("dass", 4), "'dass' is a stop word");
    ok(!fl_is_stopword("bürger", strlen("bürger")), "'bürger' is not");
    ok(!fl_is_stopword("", 0), "empty is not");
    int sorted = 1;
    for (size_t i = 1; i < fl_stopwords_count(); i++)
        sorted &= strcmp(fl_stopwords_at(i - 1), fl_stopwords_at(i)) < 0;
    ok(sorted, "stop word table is sorted (%zu words)", fl_stopwords_count());

    /* raw tokenizer directly */
    const char *t = "Bürger/-innen";
    size_t pos = 0;
    fl_rawtoken rt;
    ok(fl_tokenize_next(t, strlen(t), &pos, &rt) && (rt.flags & FL_RAW_GENDER) && rt.mark_start == 7 &&
           rt.mark_end == 9,
       "'/-' mark found");
    ok(!fl_tokenize_next(t, strlen(t), &pos, &rt), "then the end");
    pos = 0;
    ok(!fl_tokenize_next("  ,;  ", 6, &pos, &rt), "no tokens in punctuation");

    /* Plain words (letters, umlauts, ß, then a space or punctuation) take
     * a short path; the bytes that end one must not hide what the general
     * scanners find just after a word. */
    static const struct {
        const char *text;
        size_t len;
        fl_token_kind kind;
        unsigned flags;
    } first[] = {
        {"Straße, und", 7, FL_TOKEN_WORD, 0},
        {"Wort", 4, FL_TOKEN_WORD, 0},
        {"Müller×Schmidt", 7, FL_TOKEN_WORD, 0},
        {"Ärztin.", 7, FL_TOKEN_WORD, 0},
        {"BürgerInnen sind", 12, FL_TOKEN_WORD, FL_RAW_BINNEN_I},
        {"ÄrztInnen)", 10, FL_TOKEN_WORD, FL_RAW_BINNEN_I},
        {"Bürger*innen", 13, FL_TOKEN_WORD, FL_RAW_GENDER},
        {"Jede:r", 6, FL_TOKEN_WORD, FL_RAW_GENDER},
        {"Straßen-Bahn", 13, FL_TOKEN_WORD, FL_RAW_HYPHEN},
        {"Kündigungs\xC2\xAD" "frist", 18, FL_TOKEN_WORD, 0},
        {"geht's los", 6, FL_TOKEN_WORD, FL_RAW_APOSTROPHE},
        {"Artikel 3 GG", 9, FL_TOKEN_PARAGRAPH, 0},
        {"Artikel, der", 7, FL_TOKEN_WORD, 0},
        {"info@example.org!", 16, FL_TOKEN_EMAIL, 0},
        {"www.example.org ", 15, FL_TOKEN_URL, 0},
        {"z. B. so", 5, FL_TOKEN_WORD, FL_RAW_ABBREV},
        {"bzw. so", 4, FL_TOKEN_WORD, FL_RAW_ABBREV},
        {"Abc1 ", 4, FL_TOKEN_WORD, 0},
        /* A full stop then white space or the end: a sentence's end, the
         * short path too; every dot the general scanners take is kept. */
        {"Gesetzes. Die", 8, FL_TOKEN_WORD, 0},
        {"Gesetzes.\n", 8, FL_TOKEN_WORD, 0},
        {"Gesetzes.", 8, FL_TOKEN_WORD, 0},
        {"Gesetzes.de", 8, FL_TOKEN_WORD, 0},
        {"Bürgerinnen. So", 12, FL_TOKEN_WORD, 0},
        {"BürgerInnen. So", 12, FL_TOKEN_WORD, FL_RAW_BINNEN_I},
        {"Lehrer*innen. So", 12, FL_TOKEN_WORD, FL_RAW_GENDER},
        {"Art. 3 GG", 6, FL_TOKEN_PARAGRAPH, 0},
        {"insb. die", 5, FL_TOKEN_WORD, FL_RAW_ABBREV},
        {"zzgl.\n", 5, FL_TOKEN_WORD, FL_RAW_ABBREV},
        {"www.example.org. ", 15, FL_TOKEN_URL, 0},
        {"maximilian.muster@example.org ", 29, FL_TOKEN_EMAIL, 0},
        /* Letter runs are read 8 bytes at a time: a word's end at each
         * offset of such a run, and non-ASCII bytes inside one. */
        {"Abcdefgh ij", 8, FL_TOKEN_WORD, 0},
        {"Abcdefghi j", 9, FL_TOKEN_WORD, 0},
        {"Abcdefghijklmnop, q", 16, FL_TOKEN_WORD, 0},
        {"Abcdefghijklmnopq-r", 19, FL_TOKEN_WORD, FL_RAW_HYPHEN},
        {"Zuständigkeitsbereich ", 22, FL_TOKEN_WORD, 0},
        {"Abcdefg@example.org", 19, FL_TOKEN_EMAIL, 0},
        {"Abcdefg[x]", 7, FL_TOKEN_WORD, 0},
        {"Abcdefg`x", 7, FL_TOKEN_WORD, 0},
        {"Abcdefg{x", 7, FL_TOKEN_WORD, 0},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ", 52, FL_TOKEN_WORD, 0},
        {"Abcdefg7 ", 8, FL_TOKEN_WORD, 0},
    };
    for (size_t k = 0; k < sizeof first / sizeof first[0]; k++) {
        pos = 0;
        bool got = fl_tokenize_next(first[k].text, strlen(first[k].text), &pos, &rt);
        ok(got && rt.start == 0 && rt.len == first[k].len && pos == first[k].len &&
               rt.kind == first[k].kind && rt.flags == first[k].flags,
           "'%s': first token %zu bytes, kind %d, flags %u (got %zu, %d, %u)", first[k].text,
           first[k].len, (int)first[k].kind, first[k].flags, got ? rt.len : 0,
           got ? (int)rt.kind : -1, got ? rt.flags : 0);
    }

    fl_analyzer_free(a);
    return tap_done();
}
