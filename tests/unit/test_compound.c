/* test_compound.c — compound splitting: the search cases from the issue,
 * nonsense guards, and precision/recall on the gold table
 * tests/data/compounds.tsv (compounds from the two corpora with their
 * correct parts, and words that must not be split).
 *
 * Measure (parts-based, the usual one for decompounding): for every word the
 * system's parts (none when it leaves the word whole) are compared with the
 * gold parts (none for a word that must stay whole) as multisets of stems,
 * so linking elements and elided -e do not matter (Schul+hof = Schule+Hof).
 *   precision = correct parts / parts the system produced
 *   recall    = correct parts / gold parts of the compounds
 */
#include "analyze_helpers.h"
#include "fl_normalize.h"
#include "tap.h"

#include <stdio.h>
#include <unistd.h>

#define MAXP 16

static size_t stems_of(const fl_analyzer *a, char *list, char sep, char out[][96])
{
    size_t n = 0;
    char *save = NULL, d[2] = {sep, 0};
    for (char *p = strtok_r(list, d, &save); p && n < MAXP; p = strtok_r(NULL, d, &save)) {
        fl_buf b = FL_BUF_INIT;
        fl_analyzer_stem_word(a, p, strlen(p), &b);
        snprintf(out[n++], 96, "%s", fl_buf_cstr(&b));
        fl_buf_free(&b);
    }
    return n;
}

static void token_has_part(const fl_analyzer *a, const char *word, const char *part)
{
    toks ts;
    analyze_str(a, word, &ts);
    fl_buf b = FL_BUF_INIT;
    fl_analyzer_stem_word(a, part, strlen(part), &b);
    ok(ts.n == 1 && has_part(ts.t[0].parts, fl_buf_cstr(&b)), "'%s' is found by '%s' (P%s; parts %s)",
       word, part, fl_buf_cstr(&b), ts.n ? ts.t[0].parts : "-");
    fl_buf_free(&b);
}

static void not_split(const fl_analyzer *a, const char *word)
{
    toks ts;
    analyze_str(a, word, &ts);
    ok(ts.n == 1 && ts.t[0].nparts == 0 && !(ts.t[0].flags & FL_TOKFLAG_COMPOUND),
       "'%s' is not split (parts %s)", word, ts.n ? ts.t[0].parts : "-");
}

int main(void)
{
    if (access(FL_DEFAULT_WORDLIST, R_OK) != 0) {
        printf("1..0 # SKIP no word list at %s\n", FL_DEFAULT_WORDLIST);
        return 0;
    }
    char *err = NULL;
    fl_analyzer *a = fl_analyzer_new(NULL, &err);
    ok(a != NULL, "analyzer");
    if (!a)
        return tap_done();

    token_has_part(a, "Zivilgesellschaft", "Gesellschaft");
    token_has_part(a, "Stadtgesellschaft", "Gesellschaft");
    token_has_part(a, "Kündigungsschutz", "Schutz");
    token_has_part(a, "Kündigungsschutzgesetz", "Kündigungsschutz");
    token_has_part(a, "Kündigungsschutzgesetzes", "Gesetz");
    token_has_part(a, "Mindesturlaub", "Urlaub");
    token_has_part(a, "Innovationsbüro", "Büro");
    token_has_part(a, "Bundesamtes", "Amt");
    token_has_part(a, "Schulgebäude", "Schule");
    token_has_part(a, "KI-Meetup", "Meetup");
    token_has_part(a, "KI-Meetup", "KI");
    token_has_part(a, "Datenschutz-Grundverordnung", "Datenschutz");
    token_has_part(a, "Datenschutz-Grundverordnung", "Verordnung");
    token_has_part(a, "Bürger*innenrat", "Rat");

    const char *whole[] = {"Verwaltung", "beinhaltet", "Beinhaltet", "Verkehr", "Beratung",
                           "Erfahrung", "Wirtschaft", "Bildung", "Gesellschaft", "Auftrag",
                           "Beispiel", "Generation", "Teenager", "Termin", "Urlaub", "Frankfurt"};
    for (size_t i = 0; i < sizeof whole / sizeof *whole; i++)
        not_split(a, whole[i]);

    /* exact word vs part: the compound's own stem is not among its parts */
    toks ts;
    analyze_str(a, "Zivilgesellschaft", &ts);
    ok(ts.n == 1 && !has_part(ts.t[0].parts, ts.t[0].stem), "a compound's stem is not its own part");

    /* extra words extend the list */
    const char *extra[] = {"Quorkel"};
    fl_analyzer_options o = {0};
    o.extra_words = extra;
    o.n_extra_words = 1;
    fl_analyzer *b = fl_analyzer_new(&o, &err);
    token_has_part(b, "Quorkelbüro", "Quorkel");
    o.no_compounds = true;
    fl_analyzer *c = fl_analyzer_new(&o, &err);
    not_split(c, "Zivilgesellschaft");
    fl_analyzer_free(c);
    fl_analyzer_free(b);

    /* gold table */
    FILE *f = fopen("tests/data/compounds.tsv", "r");
    ok(f != NULL, "gold table readable");
    if (!f) {
        fl_analyzer_free(a);
        return tap_done();
    }
    char line[1024];
    size_t n_comp = 0, n_whole = 0, sys_parts = 0, gold_parts = 0, correct = 0;
    size_t shown = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        const char *word = line;
        char gold_list[512];
        snprintf(gold_list, sizeof gold_list, "%s", tab + 1);
        bool is_comp = strchr(gold_list, '+') != NULL;
        char gold[MAXP][96], sys[MAXP][96];
        size_t ng = is_comp ? stems_of(a, gold_list, '+', gold) : 0;
        fl_buf fold = FL_BUF_INIT, split = FL_BUF_INIT;
        fl_norm_fold(word, strlen(word), &fold, NULL);
        size_t np = fl_analyzer_split(a, fl_buf_cstr(&fold), fold.len, &split);
        char splitbuf[512];
        snprintf(splitbuf, sizeof splitbuf, "%s", fl_buf_cstr(&split));
        size_t ns = np >= 2 ? stems_of(a, splitbuf, '\n', sys) : 0;
        fl_buf_free(&fold);
        fl_buf_free(&split);
        size_t hit = 0;
        bool used[MAXP] = {0};
        for (size_t i = 0; i < ns; i++)
            for (size_t j = 0; j < ng; j++)
                if (!used[j] && strcmp(sys[i], gold[j]) == 0) {
                    used[j] = true;
                    hit++;
                    break;
                }
        if (is_comp)
            n_comp++;
        else
            n_whole++;
        sys_parts += ns;
        gold_parts += ng;
        correct += hit;
        if ((hit != ns || hit != ng) && shown++ < 40) {
            char s[512] = "";
            for (size_t i = 0; i < ns; i++)
                snprintf(s + strlen(s), sizeof s - strlen(s), "%s%s", i ? "+" : "", sys[i]);
            diag("mismatch: %s: got '%s', gold '%s'", word, ns ? s : "(whole)", tab + 1);
        }
    }
    fclose(f);
    double p = sys_parts ? (double)correct / (double)sys_parts : 0;
    double r = gold_parts ? (double)correct / (double)gold_parts : 0;
    diag("gold table: %zu compounds, %zu whole words", n_comp, n_whole);
    diag("split precision %.1f %% (%zu/%zu parts), recall %.1f %% (%zu/%zu parts)", 100 * p, correct,
         sys_parts, 100 * r, correct, gold_parts);
    ok(n_comp >= 220 && n_whole >= 60, "gold table size (>= 220 compounds, >= 60 whole words)");
    ok(p >= 0.95, "split precision >= 95 %% (%.1f %%)", 100 * p);
    ok(r >= 0.90, "split recall >= 90 %% (%.1f %%)", 100 * r);

    fl_analyzer_free(a);
    return tap_done();
}
