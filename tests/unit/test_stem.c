/* test_stem.c — the German Snowball stemmer (stemmers/german_stem.c).
 *
 * Two parts:
 *  - our own table of words, chosen to exercise every rule of the algorithm
 *    (it keeps the test meaningful where the reference data is absent);
 *  - the Snowball reference vocabulary (35,033 words) from
 *    $SHARED/reference/snowball-german or ../shared/..., which must be
 *    reproduced exactly; skipped when the data is not there (it is
 *    third-party data and not part of this repository).
 */
#include "fl_stem.h"

#include "tap.h"

#include <stdio.h>
#include <stdlib.h>

static const struct {
    const char *word, *stem, *why;
} cases[] = {
    /* step 1: em ern er e en es */
    {"kinder", "kind", "step 1 -er"},
    {"kindern", "kind", "step 1 -ern"},
    {"geldes", "geld", "step 1 -es"},
    {"hause", "haus", "step 1 -e"},
    {"erleben", "erleb", "step 1 -en"},
    {"problem", "probl", "step 1 -em"},
    {"system", "system", "step 1 keeps -em after syst"},
    {"systemen", "system", "step 1 -en, then -em after syst kept"},
    {"bedürfnissen", "bedurfnis", "step 1 -en drops the s of niss"},
    {"bedürfnisse", "bedurfnis", "step 1 -e drops the s of niss"},
    {"ab", "ab", "too short for any region"},
    {"aus", "aus", "three letters, no suffix in R1"},
    /* step 1: the s-ending rule */
    {"hotels", "hotel", "step 1 -s after l"},
    {"ackers", "ack", "step 1 -s after r, then step 2 -er"},
    {"autos", "autos", "step 1 keeps -s after a vowel"},
    {"boys", "boys", "step 1 keeps -s after y"},
    /* step 1: ln / lns */
    {"wechseln", "wechsel", "step 1 -ln becomes -l"},
    {"wechselns", "wechsel", "step 1 -lns becomes -l"},
    {"achseln", "achsel", "step 1 -ln (noun plural)"},
    /* step 1: -erin / -erinnen */
    {"lehrerin", "lehr", "step 1 -erin"},
    {"lehrerinnen", "lehr", "step 1 -erinnen"},
    {"bürgerinnen", "burg", "step 1 -erinnen, umlaut removed"},
    {"bürgerin", "burg", "step 1 -erin, umlaut removed"},
    {"bürger", "burg", "step 1 -er"},
    {"kolleginnen", "kolleginn", "-innen without -er is not the erin rule"},
    {"ärztinnen", "arztinn", "-innen after t stays"},
    /* step 2: en er est st */
    {"kleineren", "klein", "step 1 -en, step 2 -er"},
    {"derbsten", "derb", "step 1 -en, step 2 -st after b"},
    {"schönste", "schon", "step 1 -e, step 2 -st after n"},
    {"kaufst", "kauf", "step 2 -st after f with 3 letters before"},
    {"verkaufst", "verkauf", "step 2 -st in a longer word"},
    {"größten", "grosst", "step 2 keeps -st after s (not an st-ending)"},
    {"zuerst", "zurst", "step 2 keeps -st after r; ue becomes u"},
    /* step 2: et */
    {"arbeitet", "arbeit", "step 2 -et after t"},
    {"rechnet", "rechn", "step 2 -et after n"},
    {"haltet", "halt", "step 2 -et after t"},
    {"tablet", "tabl", "step 2 -et after l"},
    {"alphabet", "alphabet", "step 2 keeps -et after b"},
    {"internet", "internet", "step 2 keeps -et after intern"},
    {"internes", "intern", "internes is not conflated with Internet"},
    {"planet", "planet", "step 2 keeps -et after plan"},
    {"ticket", "ticket", "step 2 keeps -et after tick"},
    {"untergeordnet", "untergeordnet", "step 2 keeps -et after geordn"},
    {"vertreten", "vertret", "step 2 keeps -et after tr"},
    {"vertretet", "vertret", "step 2 -et after t, vertret stays"},
    {"abgewendet", "abgew", "step 2 -et, then step 3 -end"},
    /* step 3 */
    {"bedeutung", "bedeut", "step 3 -ung in R2"},
    {"zeitung", "zeitung", "step 3 -ung not in R2"},
    {"verwaltung", "verwalt", "step 3 -ung"},
    {"beschäftigung", "beschaft", "step 3 -ung then -ig"},
    {"abwesend", "abwes", "step 3 -end in R2"},
    {"lesend", "lesend", "step 3 -end not in R2"},
    {"katholischen", "kathol", "step 3 -isch"},
    {"politik", "polit", "step 3 -ik"},
    {"wichtigen", "wichtig", "step 3 -ig not in R2"},
    {"wissenschaftlich", "wissenschaft", "step 3 -lich"},
    {"ehrlich", "ehrlich", "step 3 -lich not in R2"},
    {"gesundheit", "gesund", "step 3 -heit"},
    {"sicherheit", "sich", "step 3 -heit, then -er in R1"},
    {"möglichkeit", "moglich", "step 3 -keit, -lich not in R2"},
    {"beweglichkeit", "beweg", "step 3 -keit, then -lich in R2"},
    {"fähigkeit", "fahig", "step 3 -keit, -ig not in R2"},
    {"lesbarkeit", "lesbar", "step 3 -keit"},
    /* prelude: u and y between vowels */
    {"feuer", "feu", "u between vowels is a consonant, no ue"},
    {"neuer", "neu", "u between vowels"},
    {"bauer", "bau", "u between vowels"},
    {"mayer", "may", "y between vowels"},
    {"bayern", "bay", "y between vowels, -ern"},
    /* prelude: ae oe ue, qu */
    {"aerger", "arg", "ae is ä"},
    {"ärger", "arg", "ä"},
    {"schoen", "schon", "oe is ö"},
    {"poet", "pot", "oe is ö even where it is not an umlaut"},
    {"muede", "mud", "ue is ü"},
    {"mueller", "mull", "ue is ü (Mueller = Müller)"},
    {"müller", "mull", "ü"},
    {"rueckblick", "ruckblick", "Rueckblick = Rückblick"},
    {"rückblick", "ruckblick", "Rückblick"},
    {"ruckblick", "ruckblick", "Ruckblick"},
    {"quelle", "quell", "ue after q is not an umlaut"},
    {"bequem", "bequ", "qu, then -em"},
    /* ß */
    {"straße", "strass", "ß is ss"},
    {"strasse", "strass", "ss"},
    {"maß", "mass", "ß at the end"},
    /* capitalised input */
    {"Straße", "strass", "capital S"},
    {"STRASSE", "strass", "all capitals"},
    {"STRA\xE1\xBA\x9E" "E", "strass", "capital sharp s"},
    {"Häuser", "haus", "capital with umlaut inside"},
    {"\xC3\x84RGER", "arg", "capital Ä"},
    {"\xC3\x96L", "ol", "capital Ö"},
    {"\xC3\x9C" "BERGABEN", "ubergab", "capital Ü"},
    {"KINDER", "kind", "all capitals"},
    {"Rueckblick", "ruckblick", "capitalised ue form"},
    {"BÜRGERINNEN", "burg", "all capitals -erinnen"},
    /* non-letters and foreign letters */
    {"", "", "empty word"},
    {"x", "x", "one letter"},
    {"2026", "2026", "digits"},
    {"§622", "§622", "symbol and digits"},
    {"e-mail", "e-mail", "hyphen"},
    {"café", "café", "é is not a German vowel"},
    {"sozialen", "sozial", "plain -en"},
};

static void test_table(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = fl_german_stem_dup(cases[i].word, strlen(cases[i].word));
        char name[256];
        snprintf(name, sizeof name, "%s -> %s (%s)", cases[i].word, cases[i].stem, cases[i].why);
        is_str(got, cases[i].stem, "%s", name);
        free(got);
    }
}

static void test_buffer(void)
{
    /* output is appended, not reset */
    fl_buf b = FL_BUF_INIT;
    fl_buf_puts(&b, "Z:");
    fl_german_stem("kinder", 6, &b);
    fl_german_stem("hotels", 6, &b);
    is_str(fl_buf_cstr(&b), "Z:kindhotel", "stems are appended to the buffer");
    /* only len bytes are read */
    fl_buf_reset(&b);
    fl_german_stem("kindern und", 7, &b);
    is_str(fl_buf_cstr(&b), "kind", "only len bytes are read");
    fl_buf_free(&b);

    /* a word longer than the inline store (no truncation) */
    fl_buf in = FL_BUF_INIT, want = FL_BUF_INIT;
    for (int i = 0; i < 60; i++) {
        fl_buf_puts(&in, "stra\xC3\x9F" "en");
        fl_buf_puts(&want, "strassen");
    }
    fl_buf_puts(&in, "bedeutungen");
    fl_buf_puts(&want, "bedeut");
    char *got = fl_german_stem_dup(in.data, in.len);
    is_str(got, want.data, "a %zu-byte word is stemmed whole", in.len);
    free(got);
    fl_buf_free(&in);
    fl_buf_free(&want);

    /* invalid UTF-8 does not crash; the bad byte becomes U+FFFD */
    got = fl_german_stem_dup("kind\xFF" "er", 7);
    is_str(got, "kind\xEF\xBF\xBD", "invalid byte replaced, stemming continues");
    free(got);
}

/* Reads a whole file; NULL when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fl_buf b = FL_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fl_buf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return fl_buf_detach(&b);
}

static char *next_line(char **p, char *end, size_t *len)
{
    if (*p >= end)
        return NULL;
    char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
    char *e = nl ? nl : end;
    *len = (size_t)(e - s);
    if (*len > 0 && s[*len - 1] == '\r')
        (*len)--;
    *p = nl ? nl + 1 : end;
    return s;
}

static void test_reference(void)
{
    const char *shared = getenv("SHARED");
    char dir[4096];
    if (shared && *shared)
        snprintf(dir, sizeof dir, "%s/reference/snowball-german", shared);
    else
        snprintf(dir, sizeof dir, "../shared/reference/snowball-german");
    char vpath[4200], opath[4200];
    snprintf(vpath, sizeof vpath, "%s/voc.txt", dir);
    snprintf(opath, sizeof opath, "%s/output.txt", dir);
    size_t vlen = 0, olen = 0;
    char *voc = slurp(vpath, &vlen), *outp = slurp(opath, &olen);
    if (!voc || !outp) {
        skip("Snowball reference data not found (set SHARED)");
        skip("Snowball reference data not found (set SHARED)");
        free(voc);
        free(outp);
        return;
    }
    char *vp = voc, *op = outp;
    size_t words = 0, mismatches = 0, wl, sl;
    char *w, *s;
    fl_buf got = FL_BUF_INIT;
    while ((w = next_line(&vp, voc + vlen, &wl)) != NULL) {
        s = next_line(&op, outp + olen, &sl);
        if (!s) {
            diag("output.txt has fewer lines than voc.txt");
            mismatches++;
            break;
        }
        words++;
        fl_buf_reset(&got);
        fl_german_stem(w, wl, &got);
        if (got.len != sl || memcmp(got.data, s, sl) != 0) {
            if (mismatches < 20)
                diag("line %zu: %.*s -> '%s', expected '%.*s'", words, (int)wl, w,
                     fl_buf_cstr(&got), (int)sl, s);
            mismatches++;
        }
    }
    is_int(words, 35033, "reference vocabulary read whole (%s)", vpath);
    is_int(mismatches, 0, "every reference word stems exactly as Snowball does");
    fl_buf_free(&got);
    free(voc);
    free(outp);
}

int main(void)
{
    test_table();
    test_buffer();
    test_reference();
    return tap_done();
}
