/* test_search_fast.c — the pieces that make searching fast on big indexes:
 * the wrapper's value frequency, term cursor with skip_to, docid-list and
 * term-bonus queries (include/fl_xapian.h), and the trie walk that finds
 * spelling corrections in Xapian's spelling data, or among the index's exact
 * words when it has none (query/spell.c), and excerpts marked from term
 * positions without analysing the text again (fl_excerpt_at with a token
 * map, query/excerpt.c).
 */
#include "../../query/search_int.h"

#include "fl_buf.h"
#include "fl_terms.h"
#include "fl_tokenize.h"
#include "fl_xapian.h"
#include "tap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/fl_search_fast_XXXXXX";

/* Adds a document with the given space-separated terms (wdf 1 each), and a
 * value in slot 10 when val is not NULL. */
static fl_xdocid add_doc(fl_xdb *w, const char *terms, const char *val)
{
    fl_xdoc *d = NULL;
    fl_xdoc_new(&d);
    char *copy = fl_xstrdup(terms);
    for (char *save = NULL, *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
        fl_xdoc_add_term(d, t, strlen(t), 1);
    if (val)
        fl_xdoc_set_value(d, 10, val, strlen(val));
    fl_xdocid id = 0;
    fl_xdb_add_document(w, d, &id);
    fl_xdoc_free(d);
    free(copy);
    return id;
}

typedef struct hits {
    fl_xdocid ids[16];
    double w[16];
    size_t n;
} hits;

static void run(fl_xdb *db, fl_xquery *q, hits *h)
{
    memset(h, 0, sizeof *h);
    fl_xenquire *e = NULL;
    fl_xmset *m = NULL;
    fl_xenquire_new(db, &e);
    fl_xenquire_set_query(e, q, 1);
    fl_xenquire_get_mset(e, 0, 16, 0, &m);
    for (uint32_t i = 0; i < fl_xmset_size(m) && i < 16; i++) {
        fl_xmset_docid(m, i, &h->ids[i]);
        fl_xmset_weight(m, i, &h->w[i]);
        h->n++;
    }
    fl_xmset_free(m);
    fl_xenquire_free(e);
}

/* A token map for the sentence of test_excerpt_tokmap: which raw tokens are
 * at a query term's position, and with which group. */
typedef struct stubmap {
    const int *groups; /* per raw token: group or -1 */
    size_t n;
    long last;         /* the last token asked for */
    bool backwards;    /* a token was asked for again or out of order */
} stubmap;

static size_t stub_start_before(void *ud, size_t byte, uint32_t *tok)
{
    (void)byte;
    stubmap *m = ud;
    m->last = -1;
    *tok = 0;
    return 0;
}

static int stub_matched(void *ud, uint32_t tok)
{
    stubmap *m = ud;
    if ((long)tok <= m->last)
        m->backwards = true;
    m->last = tok;
    return tok < m->n ? m->groups[tok] : -1;
}

/* A stub map that also says where the next matched token starts, as a
 * section's checkpoints do (starts: every raw token's first byte). */
typedef struct jumpmap {
    stubmap m;
    size_t starts[16];
    size_t asked; /* tokens asked about */
} jumpmap;

static int jump_matched(void *ud, uint32_t tok)
{
    jumpmap *j = ud;
    j->asked++;
    return stub_matched(&j->m, tok);
}

static size_t jump_start_before(void *ud, size_t byte, uint32_t *tok)
{
    jumpmap *j = ud;
    return stub_start_before(&j->m, byte, tok);
}

static size_t jump_resume(void *ud, uint32_t tok, size_t pos, uint32_t *next_tok)
{
    jumpmap *j = ud;
    *next_tok = tok + 1;
    for (uint32_t t = tok + 1; t < j->m.n; t++)
        if (j->m.groups[t] >= 0) {
            if (t == tok + 1)
                return pos;
            *next_tok = t;
            return j->starts[t];
        }
    return SIZE_MAX;
}

/* A jumping map over text's raw tokens with the given groups; returns the
 * number of raw tokens (at most 16 are noted). */
static size_t jumpmap_init(jumpmap *jm, const int *groups, size_t n, const char *text)
{
    memset(jm, 0, sizeof *jm);
    jm->m = (stubmap){groups, n, -1, false};
    size_t at = 0, nt = 0;
    fl_rawtoken rt;
    while (nt < 16 && fl_tokenize_next(text, strlen(text), &at, &rt))
        jm->starts[nt++] = rt.start;
    return nt;
}

/* An analyzer with the default word list, or NULL (a failed test). */
static fl_analyzer *test_analyzer(const char *what)
{
    char *err = NULL;
    fl_analyzer *an = fl_analyzer_new(NULL, &err);
    ok(an != NULL, "analyzer for %s (%s)", what, err ? err : "ok");
    free(err);
    return an;
}

static void test_excerpt_tokmap(void)
{
    fl_analyzer *an = test_analyzer("the excerpts");
    if (!an)
        return;
    const char *text = "Die Drohnen-Verordnung gilt für Betreiber*innen von Drohnen.";
    /* Raw tokens: Die, Drohnen-Verordnung, gilt, für, Betreiber*innen, von,
     * Drohnen.  The query's terms (hl) are empty on purpose: with a token
     * map the marks come from the positions alone. */
    const int groups[] = {-1, 1, -1, -1, 2, -1, 0};
    stubmap m = {groups, sizeof groups / sizeof *groups, -1, false};
    fl_tokmap tm = {stub_start_before, stub_matched, NULL, &m};
    fl_hl hl;
    memset(&hl, 0, sizeof hl);
    fl_buf out = FL_BUF_INIT;
    size_t nm = fl_excerpt_at(an, &hl, text, strlen(text), 4, 220, &tm, &out);
    is_str(fl_buf_cstr(&out),
           "Die <mark>Drohnen-Verordnung</mark> gilt für <mark>Betreiber*innen</mark> von "
           "<mark>Drohnen</mark>.",
           "token map: the tokens at matched positions are marked whole, hyphenated and "
           "gender forms too");
    ok(nm == 3, "…three marks counted (%zu)", nm);
    ok(!m.backwards, "…the map is asked for each token once, in order");
    /* The same with a map that says where the next matched token starts:
     * the same excerpt, the tokens between never scanned nor asked about,
     * none after the last matched one. */
    jumpmap jm;
    size_t nt = jumpmap_init(&jm, groups, sizeof groups / sizeof *groups, text);
    ok(nt == jm.m.n, "the sentence has %zu raw tokens (%zu)", jm.m.n, nt);
    fl_tokmap jtm = {jump_start_before, jump_matched, jump_resume, &jm};
    fl_buf jout = FL_BUF_INIT;
    size_t jnm = fl_excerpt_at(an, &hl, text, strlen(text), 4, 220, &jtm, &jout);
    is_str(fl_buf_cstr(&jout), fl_buf_cstr(&out), "token map with jumps: the same excerpt");
    ok(jnm == nm, "…the same marks (%zu)", jnm);
    ok(jm.asked == 4 && !jm.m.backwards,
       "…asked about the first token and the three matched ones only, in order (%zu)",
       jm.asked);
    fl_buf_free(&jout);
    /* Without the map the window is analysed, and nothing matches the empty
     * query terms. */
    out.len = 0;
    nm = fl_excerpt_at(an, &hl, text, strlen(text), 4, 220, NULL, &out);
    ok(nm == 0 && strstr(fl_buf_cstr(&out), "<mark>") == NULL,
       "without a token map the analysis decides: no query terms, no marks");
    /* Excerpts of 20 bytes (the shortest excerpt_length): a matched word
     * longer than that is shown whole, and a second match running past the
     * end with no space to cut at is cut, unmarked.  Both once read before
     * the marks and could loop for ever. */
    static const int lw_groups[] = {-1, 0, -1, -1}, j_groups[] = {0, 1, -1};
    static const struct {
        const char *text;
        const int *groups;
        size_t ngroups, match;
        const char *want, *name;
    } short_cases[] = {
        {"Das Kündigungsschutzgesetz gilt hier.", lw_groups, 4, 4,
         "… <mark>Kündigungsschutzgesetz</mark> …",
         "a matched word longer than the excerpt: shown whole"},
        {"Drohnen/Verordnungsentwürfe gelten.", j_groups, 3, 0,
         "<mark>Drohnen</mark>/Verordnungse …",
         "a match crossing the excerpt's end is cut, not marked"},
    };
    for (size_t k = 0; k < sizeof short_cases / sizeof short_cases[0]; k++) {
        stubmap sm = {short_cases[k].groups, short_cases[k].ngroups, -1, false};
        fl_tokmap stm = {stub_start_before, stub_matched, NULL, &sm};
        out.len = 0;
        nm = fl_excerpt_at(an, &hl, short_cases[k].text, strlen(short_cases[k].text),
                           short_cases[k].match, 20, &stm, &out);
        is_str(fl_buf_cstr(&out), short_cases[k].want, short_cases[k].name);
        ok(nm == 1, "…one mark counted (%zu)", nm);
    }
    /* HTML escaping and white space: the five special bytes escaped in
     * plain text and inside a mark, runs of white space one space, at every
     * place in a run of plain bytes (the writer copies such runs whole). */
    const char *esc = "A&B   <Ziel\"> \t\n x'y  \"Q&Q\"  Ende>";
    /* Raw tokens: A, B, Ziel, x'y, Q, Q, Ende -- with these groups the
     * second and fourth are marked. */
    static const int esc_groups2[] = {-1, 0, -1, 1, -1, -1, -1};
    stubmap em = {esc_groups2, sizeof esc_groups2 / sizeof *esc_groups2, -1, false};
    fl_tokmap etm = {stub_start_before, stub_matched, NULL, &em};
    out.len = 0;
    nm = fl_excerpt_at(an, &hl, esc, strlen(esc), 0, 220, &etm, &out);
    is_str(fl_buf_cstr(&out),
           "A&amp;<mark>B</mark> &lt;Ziel&quot;&gt; <mark>x&#39;y</mark> &quot;Q&amp;Q&quot; "
           "Ende&gt;",
           "escaped in text and in marks, white space runs one space");
    ok(nm == 2, "…two marks counted (%zu)", nm);
    /* Words with one space between them go out as one run; other white
     * space (two spaces, a tab, a line break) still becomes one space. */
    const char *ws = "eins zwei  drei\tvier\n fünf &sechs sieben";
    stubmap wm = {NULL, 0, -1, false};
    fl_tokmap wtm = {stub_start_before, stub_matched, NULL, &wm};
    out.len = 0;
    fl_excerpt_at(an, &hl, ws, strlen(ws), 0, 220, &wtm, &out);
    is_str(fl_buf_cstr(&out), "eins zwei drei vier fünf &amp;sechs sieben",
           "single spaces kept in a run, other white space one space");
    char plain[64];
    bool all_ok = true;
    for (size_t at = 0; at < 40 && all_ok; at++) {
        /* A special byte at each offset of a long plain word. */
        memset(plain, 'a', 40);
        plain[at] = '&';
        plain[40] = '\0';
        stubmap pm = {NULL, 0, -1, false};
        fl_tokmap ptm = {stub_start_before, stub_matched, NULL, &pm};
        out.len = 0;
        fl_excerpt_at(an, &hl, plain, 40, 0, 220, &ptm, &out);
        char want[80];
        snprintf(want, sizeof want, "%.*s&amp;%.*s", (int)at, plain, (int)(39 - at),
                 plain + at + 1);
        all_ok = strcmp(fl_buf_cstr(&out), want) == 0;
        if (!all_ok)
            diag("'&' at %zu: got \"%s\"", at, fl_buf_cstr(&out));
    }
    ok(all_ok, "'&' escaped at every offset of a 40-byte word");
    fl_buf_free(&out);
    fl_analyzer_free(an);
}

/* The first raw token of text. */
static fl_rawtoken first_token(const char *text)
{
    fl_rawtoken rt;
    size_t at = 0;
    memset(&rt, 0, sizeof rt);
    fl_tokenize_next(text, strlen(text), &at, &rt);
    return rt;
}

/* Forms without positions (a gender word's person forms, a wildcard's
 * prefix) are marked beside the tokens the positions give, and only the
 * words that may have such a form are analysed for it. */
static void test_excerpt_loose_forms(void)
{
    fl_analyzer *an = test_analyzer("the loose forms");
    if (!an)
        return;
    fl_hl hl;
    memset(&hl, 0, sizeof hl);
    fl_strset_add(&hl.exacts, "betreiberinnen", 0);
    fl_strset_add(&hl.loose_exacts, "betreiberinnen", 0);
    fl_strlist_push(&hl.prefixes, "drohn");

    /* Which words may have one of the forms. */
    static const struct {
        const char *text;
        bool may;
        const char *name;
    } cases[] = {
        {"Drohnenflüge", true, "a word starting with a prefix"},
        {"DROHNE", true, "…in capitals"},
        {"Betreiber", true, "a word starting like an exact form"},
        {"Betreiberinnen", true, "the exact form itself"},
        {"Einheiten", false, "a word starting otherwise: not analysed"},
        {"Drache", false, "…also when its first letters agree"},
        {"Überflug", true, "a word starting with a non-ASCII letter: analysed"},
        {"U\xcc\x88" "berflug", true, "a letter with a combining mark after it: analysed"},
        {"2026", false, "a number: its exact form starts with a digit"},
        {"§ 5", false, "a citation: its exact form starts with § or art"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fl_rawtoken rt = first_token(cases[i].text);
        bool may = fl_hl_may_match_exact(&hl, false, cases[i].text, &rt);
        ok(may == cases[i].may, "may match: %s (%s: %d)", cases[i].name, cases[i].text, may);
    }
    /* An ordinary word's exact form is found through the positions: beside
     * them only the loose forms and prefixes count. */
    fl_strset_add(&hl.exacts, "fliegen", 1);
    fl_rawtoken fly = first_token("fliegen");
    ok(fl_hl_may_match_exact(&hl, false, "fliegen", &fly), "an ordinary exact form: may match");
    ok(!fl_hl_may_match_exact(&hl, true, "fliegen", &fly), "…but not among the loose forms");

    /* With a token map: "Betreiber" at a matched position (group 1), the
     * person form and the prefix's words by their exact forms, the other
     * words unmarked. */
    const char *text = "Betreiberinnen und Betreiber fliegen Drohnen, Drohnenflüge und Einheiten.";
    /* Raw tokens: Betreiberinnen, und, Betreiber, fliegen, Drohnen,
     * Drohnenflüge, und, Einheiten. */
    static const int groups[] = {-1, -1, 1, -1, -1, -1, -1, -1};
    const char *want = "<mark>Betreiberinnen</mark> und <mark>Betreiber</mark> fliegen "
                       "<mark>Drohnen</mark>, <mark>Drohnenflüge</mark> und Einheiten.";
    stubmap m = {groups, sizeof groups / sizeof *groups, -1, false};
    fl_tokmap tm = {stub_start_before, stub_matched, NULL, &m};
    fl_buf out = FL_BUF_INIT;
    size_t nm = fl_excerpt_at(an, &hl, text, strlen(text), 0, 220, &tm, &out);
    is_str(fl_buf_cstr(&out), want, "token map and loose forms: both marked");
    ok(nm == 4, "…four marks (%zu)", nm);
    ok(!m.backwards, "…the map asked for each token once, in order");
    /* A map that jumps to the next matched token would skip the loose
     * forms' words: with loose forms every word is looked at. */
    jumpmap jm;
    size_t nt = jumpmap_init(&jm, groups, sizeof groups / sizeof *groups, text);
    fl_tokmap jtm = {jump_start_before, jump_matched, jump_resume, &jm};
    out.len = 0;
    fl_excerpt_at(an, &hl, text, strlen(text), 0, 220, &jtm, &out);
    is_str(fl_buf_cstr(&out), want, "…with a jumping map too");
    ok(jm.asked == nt && !jm.m.backwards, "…every token asked about, in order (%zu of %zu)",
       jm.asked, nt);

    /* Without a map and with nothing but exact forms and prefixes to find
     * (a wildcard search), the window's words that may have one are
     * analysed: the same marks as analysing them all. */
    fl_hl only;
    memset(&only, 0, sizeof only);
    fl_strlist_push(&only.prefixes, "drohn");
    fl_strlist_push(&only.prefixes, "betreiber");
    out.len = 0;
    nm = fl_excerpt_at(an, &only, text, strlen(text), 0, 220, NULL, &out);
    is_str(fl_buf_cstr(&out),
           "<mark>Betreiberinnen</mark> und <mark>Betreiber</mark> fliegen <mark>Drohnen</mark>, "
           "<mark>Drohnenflüge</mark> und Einheiten.",
           "no map, prefixes only: the words with the prefixes marked");
    ok(nm == 4, "…four marks (%zu)", nm);
    /* The same sentence after 300 bytes of other words: the window starts
     * inside the text, the marks where the words are. */
    fl_buf longer = FL_BUF_INIT;
    for (int k = 0; k < 30; k++)
        fl_buf_puts(&longer, "Wald Feld ");
    size_t at_sentence = longer.len;
    fl_buf_puts(&longer, text);
    out.len = 0;
    nm = fl_excerpt_at(an, &only, fl_buf_cstr(&longer), longer.len, at_sentence, 60, NULL, &out);
    is_str(fl_buf_cstr(&out),
           "… <mark>Betreiberinnen</mark> und <mark>Betreiber</mark> fliegen <mark>Drohnen</mark>, "
           "<mark>Drohnenflüge</mark> …",
           "no map, a window inside the text: its words marked in place");
    ok(nm == 4, "…four marks (%zu)", nm);
    fl_buf_free(&longer);
    fl_buf_free(&out);
    fl_rawtoken num = first_token("2026"), cite = first_token("Art. 3");
    fl_strlist_push(&hl.prefixes, "art");
    ok(fl_hl_may_match_exact(&hl, false, "Art. 3", &cite), "a citation, once a form starts with 'a'");
    ok(!fl_hl_may_match_exact(&hl, false, "2026", &num), "…a number still not");
    fl_strlist_push(&hl.prefixes, "20");
    ok(fl_hl_may_match_exact(&hl, false, "2026", &num), "a number, once a form starts with a digit");
    fl_strset_free(&hl.exacts);
    fl_strset_free(&hl.loose_exacts);
    fl_strlist_free(&hl.prefixes);
    fl_strlist_free(&only.prefixes);
    fl_analyzer_free(an);
}

/* fl_tagpos_merge against a sort by (position, run): runs of every length
 * (empty ones too, which the callers leave out), equal positions across
 * runs. */
static int tagpos_cmp(const void *a, const void *b)
{
    const fl_tagpos *x = a, *y = b;
    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    return (x->tag > y->tag) - (x->tag < y->tag);
}

static void test_tagpos_merge(void)
{
    unsigned seed = 12345;
    bool all_ok = true;
    for (int round = 0; round < 200 && all_ok; round++) {
        size_t nruns = 1 + (size_t)(round % 19), n = 0;
        fl_tagpos v[600], want[600];
        size_t bounds[20];
        for (size_t r = 0; r < nruns; r++) {
            bounds[r] = n;
            size_t len = (seed = seed * 1103515245u + 12345u) >> 16 & 31;
            uint32_t p = 0;
            for (size_t k = 0; k < len; k++) {
                p += (seed = seed * 1103515245u + 12345u) >> 16 & 3; /* repeats too */
                v[n++] = (fl_tagpos){p, (uint32_t)r};
            }
        }
        bounds[nruns] = n;
        memcpy(want, v, n * sizeof *v);
        qsort(want, n, sizeof *want, tagpos_cmp);
        fl_tagpos_merge(v, n, bounds, nruns);
        all_ok = n == 0 || memcmp(v, want, n * sizeof *v) == 0;
        if (!all_ok)
            diag("round %d: %zu runs, %zu positions differ", round, nruns, n);
    }
    ok(all_ok, "merging sorted runs: by position, equal positions in run order (200 cases)");
    fl_tagpos one[3] = {{5, 0}, {1, 0}, {3, 0}};
    size_t b1[2] = {0, 3};
    fl_tagpos_merge(one, 3, b1, 1);
    ok(one[0].pos == 5 && one[1].pos == 1, "a single run is left as it is");
}

/* A random lower-case word of 3..12 letters from a small alphabet (so that
 * words share prefixes, as a dictionary's do). */
static void random_word(unsigned *seed, char *w)
{
    *seed = *seed * 1103515245u + 12345u;
    size_t n = 3 + (*seed >> 16) % 10;
    for (size_t i = 0; i < n; i++) {
        *seed = *seed * 1103515245u + 12345u;
        w[i] = "aeinrstu"[(*seed >> 16) % 8];
    }
    w[n] = '\0';
}

/* Optimal string alignment distance of a and b (ASCII): the reference the
 * spelling walk's edit-distance rows are checked against. */
static unsigned osa_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    unsigned d[24][24];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            unsigned v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + (a[i - 1] != b[j - 1]) < v)
                v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (i >= 2 && j >= 2 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

/* What the walk must answer for `typo` within k edits, found by measuring
 * every word of the table: fewest edits (at least one), then most
 * documents, then the first in the dictionary's order; the first letter
 * right, or the typo's second (query/spell.c); four letters or more. */
static const char *brute_suggestion(const fl_completions *c, const char *typo, unsigned k)
{
    static char best[24];
    char cur[24];
    bool found = false;
    unsigned best_dist = 0;
    uint32_t best_freq = 0;
    for (size_t i = 0; i < fl_completions_spell_count(c); i++) {
        size_t wl = 0;
        uint32_t wf = 0;
        const char *w = fl_spellwords_word(c, i, &wl, &wf);
        if (wl >= sizeof cur || wl < FL_SPELLING_MIN_LETTERS)
            continue;
        if (w[0] != typo[0] && (strlen(typo) < 2 || w[0] != typo[1]))
            continue;
        memcpy(cur, w, wl);
        cur[wl] = '\0';
        unsigned dist = osa_distance(typo, cur);
        if (dist == 0 || dist > k)
            continue;
        if (!found || dist < best_dist || (dist == best_dist && wf > best_freq)) {
            memcpy(best, cur, wl + 1);
            found = true;
            best_dist = dist;
            best_freq = wf;
        }
    }
    return found ? best : NULL;
}

/* The copy of the spelling dictionary a completion table holds (the
 * server's typo walk): its galloping seek agrees with a linear scan, and
 * walking it suggests what walking Xapian's dictionary does. */
static void test_spelling_copy(const char *path)
{
    fl_xdb *w = NULL;
    unsigned seed = 42;
    char word[16];
    bool added = fl_xdb_open_writable(path, FL_XDB_OPEN, 0, &w) == FL_XOK;
    for (int i = 0; i < 3000 && added; i++) {
        random_word(&seed, word);
        added = fl_xdb_add_spelling(w, word, 1 + (seed >> 20) % 9) == FL_XOK;
    }
    ok(added && fl_xdb_commit(w) == FL_XOK, "3,000 random spelling words added");
    fl_xdb_free(w);
    char *err = NULL;
    fl_analyzer *an = fl_analyzer_new(NULL, &err);
    fl_searcher *sr = an ? fl_searcher_open(path, an, &err) : NULL;
    fl_completions *c = sr ? fl_completions_build(sr, &err) : NULL;
    ok(c != NULL, "a completion table of the database (%s)", err ? err : "ok");
    free(err);
    if (!c) {
        skip("no table");
        skip("no table");
        skip("no table");
        skip("no table");
    } else {
        /* The dictionary, as Xapian lists it. */
        fl_xtermit *it = NULL;
        size_t n = 0;
        bool same = fl_xdb_spellings_open(sr->db, &it) == FL_XOK;
        for (; same && !fl_xtermit_at_end(it); n++) {
            size_t tl = 0, cl = 0;
            uint32_t tf = 0, cf = 0;
            const char *t = fl_xtermit_term(it, &tl, &tf);
            const char *cw = n < fl_completions_spell_count(c) ? fl_spellwords_word(c, n, &cl, &cf)
                                                                 : NULL;
            same = cw && tl == cl && memcmp(t, cw, tl) == 0 && tf == cf &&
                   fl_xtermit_next(it) == FL_XOK;
        }
        fl_xtermit_free(it);
        ok(same && n == fl_completions_spell_count(c) && n > 1000,
           "the copy holds Xapian's words and frequencies, in its order (%zu words)", n);
        /* Seek from random points to random keys (some past the end, some
         * prefixes of words) against a linear scan. */
        bool agree = true;
        for (int i = 0; i < 2000 && agree; i++) {
            random_word(&seed, word);
            size_t kl = strlen(word);
            if (i % 3 == 0)
                word[kl++] = (char)0xFF; /* past every word with this prefix */
            seed = seed * 1103515245u + 12345u;
            size_t from = i % 5 == 0 ? n : (seed >> 8) % (n + 1);
            size_t want = from;
            while (want < n) {
                size_t wl = 0;
                uint32_t wf = 0;
                const char *x = fl_spellwords_word(c, want, &wl, &wf);
                int r = memcmp(x, word, wl < kl ? wl : kl);
                if (r > 0 || (r == 0 && wl >= kl))
                    break;
                want++;
            }
            size_t got = fl_spellwords_seek(c, from, word, kl);
            if (got != want) {
                diag("seek from %zu to %.*s: %zu, the scan %zu", from, (int)kl, word, got, want);
                agree = false;
            }
        }
        ok(agree, "the seek agrees with a linear scan (2,000 random seeks)");
        /* Past a prefix of a word: the first later word without it. */
        bool past_ok = true;
        for (int i = 0; i < 3000 && past_ok; i++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % n, wl = 0, xl = 0;
            uint32_t wf = 0;
            const char *x = fl_spellwords_word(c, at, &wl, &wf);
            seed = seed * 1103515245u + 12345u;
            size_t plen = 1 + (seed >> 8) % wl;
            size_t want = at + 1;
            while (want < n) {
                const char *y = fl_spellwords_word(c, want, &xl, &wf);
                if (xl < plen || memcmp(x, y, plen) != 0)
                    break;
                want++;
            }
            size_t got = fl_spellwords_past_prefix(c, at, plen);
            if (got != want) {
                diag("past %zu bytes of word %zu: %zu, the scan %zu", plen, at, got, want);
                past_ok = false;
            }
        }
        ok(past_ok, "past a word's prefix: agrees with a linear scan (3,000 cases)");
        /* Typos of dictionary words: the same suggestion both ways. */
        bool equal = true;
        for (int i = 0; i < 300 && equal; i++) {
            size_t wl = 0;
            uint32_t wf = 0;
            seed = seed * 1103515245u + 12345u;
            const char *x = fl_spellwords_word(c, (seed >> 8) % n, &wl, &wf);
            if (wl >= sizeof word)
                continue;
            memcpy(word, x, wl);
            word[wl] = '\0';
            seed = seed * 1103515245u + 12345u;
            word[1 + (seed >> 16) % (wl - 1)] = "aeinrstuxy"[(seed >> 8) % 10];
            char *a = NULL, *b = NULL;
            unsigned k = wl >= 9 ? 2 : 1;
            int ra = fl_spell_suggest(sr->db, NULL, word, k, &a);
            int rb = fl_spell_suggest(sr->db, c, word, k, &b);
            equal = ra == 0 && rb == 0 && ((!a && !b) || (a && b && strcmp(a, b) == 0));
            if (!equal)
                diag("%s: index %s, copy %s", word, a ? a : "-", b ? b : "-");
            free(a);
            free(b);
        }
        ok(equal, "300 typos: the copy suggests what the index's dictionary does");
        /* Typos of one or two random edits (a letter changed, added,
         * dropped, two swapped): the walk answers what measuring every
         * word answers -- its rows are cut to the budget's band. */
        bool brute_same = true;
        int compared = 0;
        for (int i = 0; i < 400 && brute_same; i++) {
            size_t wl = 0;
            uint32_t wf = 0;
            seed = seed * 1103515245u + 12345u;
            const char *x = fl_spellwords_word(c, (seed >> 8) % n, &wl, &wf);
            if (wl + 3 >= sizeof word || wl < 3)
                continue;
            memcpy(word, x, wl);
            word[wl] = '\0';
            seed = seed * 1103515245u + 12345u;
            unsigned edits = 1 + (seed >> 12) % 2;
            for (unsigned e = 0; e < edits; e++) {
                size_t len = strlen(word);
                seed = seed * 1103515245u + 12345u;
                size_t at = (seed >> 16) % len;
                char letter = "aeinrstuxy"[(seed >> 8) % 10];
                unsigned op = (seed >> 4) % 4;
                if (op == 0) { /* a letter changed */
                    word[at] = letter;
                } else if (op == 1) { /* one added */
                    memmove(word + at + 1, word + at, len - at + 1);
                    word[at] = letter;
                } else if (op == 2 && len > 3) { /* one dropped */
                    memmove(word + at, word + at + 1, len - at);
                } else if (op == 3 && at + 1 < len) { /* two swapped */
                    char t = word[at];
                    word[at] = word[at + 1];
                    word[at + 1] = t;
                }
            }
            unsigned k = strlen(word) >= 9 ? 2 : 1;
            char *got = NULL;
            int rc = fl_spell_suggest(sr->db, c, word, k, &got);
            const char *want = brute_suggestion(c, word, k);
            brute_same = rc == 0 && ((!got && !want) || (got && want && strcmp(got, want) == 0));
            if (!brute_same)
                diag("%s (k %u): walk %s, every word %s", word, k, got ? got : "-",
                     want ? want : "-");
            compared += want != NULL;
            free(got);
        }
        ok(brute_same && compared > 100,
           "400 typos of one or two edits: the walk's suggestion is the nearest word (%d found)",
           compared);
    }
    fl_completions_unref(c);
    fl_searcher_free(sr);
    fl_analyzer_free(an);
}

static char *suggest(fl_xdb *db, const char *word, unsigned k)
{
    char *s = NULL;
    if (fl_spell_suggest(db, NULL, word, k, &s) != 0)
        return fl_xstrdup("(error)");
    return s ? s : fl_xstrdup("(none)");
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_tagpos_merge();
    char *path = fl_xasprintf("%s/db", tmpdir);
    fl_xdb *w = NULL;
    ok(fl_xdb_open_writable(path, FL_XDB_CREATE, 0, &w) == FL_XOK, "create a database");
    /* Exact words with document frequencies: kündigungsfrist ×3,
     * kündigungsfristen ×1, mutterschutz ×2, mutterschaft ×1, zeit ×1. */
    fl_xdocid d1 = add_doc(w, "Ekündigungsfrist Emutterschutz XHgesetz", "a");
    fl_xdocid d2 = add_doc(w, "Ekündigungsfrist Emutterschutz Ezeit Eakt", NULL);
    fl_xdocid d3 = add_doc(w, "Ekündigungsfrist Ekündigungsfristen Emutterschaft", NULL);
    fl_xdocid d4 = add_doc(w, "Ebetrieb Eb2b E§622 Ebetriebe", NULL);
    ok(fl_xdb_commit(w) == FL_XOK, "commit");
    fl_xdb_free(w);
    fl_xdb *db = NULL;
    ok(fl_xdb_open(path, &db) == FL_XOK, "open read-only");

    /* value frequency */
    uint32_t f = 99;
    ok(fl_xdb_value_freq(db, 10, &f) == FL_XOK && f == 1, "value_freq: one document has slot 10");
    ok(fl_xdb_value_freq(db, 11, &f) == FL_XOK && f == 0, "value_freq: none has slot 11");
    ok(fl_xdb_value_freq(NULL, 10, &f) == FL_XERR_INVALID_ARGUMENT, "value_freq: NULL database refused");

    /* term cursor */
    fl_xtermit *it = NULL;
    ok(fl_xdb_allterms_open(db, "Em", 2, &it) == FL_XOK && !fl_xtermit_at_end(it), "cursor on Em…");
    size_t tl = 0;
    uint32_t tf = 0;
    const char *t = fl_xtermit_term(it, &tl, &tf);
    ok(t && tl == strlen("Emutterschaft") && memcmp(t, "Emutterschaft", tl) == 0 && tf == 1,
       "first term in byte order with its frequency");
    ok(fl_xtermit_skip_to(it, "Emutters\xff", 9) == FL_XOK && fl_xtermit_at_end(it),
       "skip_to past the last term with the prefix: at the end");
    ok(fl_xtermit_term(it, &tl, &tf) == NULL && tl == 0, "no term at the end");
    fl_xtermit_free(it);
    ok(fl_xdb_allterms_open(db, "E", 1, &it) == FL_XOK, "cursor on E…");
    ok(fl_xtermit_skip_to(it, "Ek", 2) == FL_XOK, "skip_to Ek");
    t = fl_xtermit_term(it, &tl, &tf);
    ok(t && strncmp(t, "Ekündigungsfrist", tl) == 0 && tf == 3, "lands on the first term >= Ek");
    ok(fl_xtermit_skip_to(it, "Eb", 2) == FL_XOK &&
           strncmp(fl_xtermit_term(it, &tl, NULL), "Ekündigungsfrist", tl) == 0,
       "skip_to never moves backwards");
    ok(fl_xtermit_next(it) == FL_XOK &&
           strncmp(fl_xtermit_term(it, &tl, NULL), "Ekündigungsfristen", tl) == 0,
       "next");
    fl_xtermit_free(it);
    fl_xtermit_free(NULL);
    ok(fl_xdb_allterms_open(db, "Zz", 2, &it) == FL_XOK && fl_xtermit_at_end(it),
       "cursor over no terms is at its end");
    ok(fl_xtermit_next(it) == FL_XOK && fl_xtermit_at_end(it), "next at the end stays there");
    fl_xtermit_free(it);

    (void)d3;
    (void)d4;
    hits h;
    fl_xquery *q = NULL, *term = NULL, *pair[2];
    fl_xquery_term("Ekündigungsfrist", strlen("Ekündigungsfrist"), 1, 0, &term);

    /* term bonus: the same weight for every document with the term, in
     * both forms (Xapian's own parts for remote shards, our posting source
     * for local databases), which must agree. */
    for (int portable = 1; portable >= 0; portable--) {
        const char *form = portable ? "portable" : "local";
        ok(fl_xquery_term_bonus("Emutterschutz", strlen("Emutterschutz"), 2.5, portable, &q) ==
               FL_XOK,
           "%s term bonus query", form);
        run(db, q, &h);
        ok(h.n == 2 && fabs(h.w[0] - 2.5) < 1e-9 && fabs(h.w[1] - 2.5) < 1e-9,
           "%s: both documents with the term weigh exactly the bonus", form);
        pair[0] = term;
        pair[1] = q;
        fl_xquery *sum = NULL;
        fl_xquery_combine(FL_XOP_OR, pair, 2, 0, &sum);
        run(db, sum, &h);
        ok(h.n == 3 && (h.ids[0] == d1 || h.ids[0] == d2) && h.w[0] > 2.5,
           "%s: OR'ed with a term, the bonus lifts the documents that have it", form);
        fl_xquery_free(sum);
        /* Under AND the bonus is skipped to the other side's documents. */
        fl_xquery *both = NULL;
        fl_xquery_combine(FL_XOP_AND, pair, 2, 0, &both);
        hits ha;
        run(db, both, &ha);
        ok(ha.n == 2 && ((ha.ids[0] == d1 && ha.ids[1] == d2) || (ha.ids[0] == d2 && ha.ids[1] == d1)) &&
               ha.w[0] > 2.5 && ha.w[1] > 2.5,
           "%s: AND'ed with a term: the two documents with both, the bonus added (%u)", form,
           (unsigned)ha.n);
        fl_xquery_free(both);
        fl_xquery_free(q);
        q = NULL;
        ok(fl_xquery_term_bonus("Enothing", 8, 1.0, portable, &q) == FL_XOK,
           "%s: bonus on an absent term", form);
        run(db, q, &h);
        ok(h.n == 0, "%s: matches nothing", form);
        fl_xquery_free(q);
        q = NULL;
        ok(fl_xquery_term_bonus("Ex", 2, -1.0, portable, &q) == FL_XERR_INVALID_ARGUMENT &&
               q == NULL,
           "%s: negative bonus refused", form);
    }
    fl_xquery_free(term);

    /* spelling corrections */
    char *s;
    is_str(s = suggest(db, "kündigungsfirst", 2), "kündigungsfrist", "swapped letters: one edit");
    free(s);
    is_str(s = suggest(db, "kündigungsfrst", 1), "kündigungsfrist", "a missing letter");
    free(s);
    is_str(s = suggest(db, "kündgungsfirst", 2), "kündigungsfrist",
           "two edits: found by the walk within two, after none within one");
    free(s);
    is_str(s = suggest(db, "kündgungsfirst", 1), "(none)", "…which a budget of one does not reach");
    free(s);
    is_str(s = suggest(db, "mutterschtz", 2), "mutterschutz",
           "fewest edits win over a more frequent word further away");
    free(s);
    is_str(s = suggest(db, "mutterschuts", 1), "mutterschutz", "a wrong letter");
    free(s);
    is_str(s = suggest(db, "kündigungsfristem", 2), "kündigungsfristen",
           "the nearest word, not the most frequent one");
    free(s);
    is_str(s = suggest(db, "kundigungsfrist", 1), "kündigungsfrist",
           "an umlaut typed without dots (one code point, not two bytes)");
    free(s);
    is_str(s = suggest(db, "xündigungsfrist", 1), "(none)",
           "a wrong first letter is not corrected (the walk starts from it)");
    free(s);
    is_str(s = suggest(db, "ükündigungsfrist", 1), "kündigungsfrist",
           "an extra first letter is (the walk may start from the second)");
    free(s);
    is_str(s = suggest(db, "mutterschutz", 2), "(none)",
           "a known word is never its own suggestion (mutterschaft is 3 edits away)");
    free(s);
    is_str(s = suggest(db, "betrieb", 1), "betriebe", "a missing last letter");
    free(s);
    is_str(s = suggest(db, "b2bb", 1), "(none)", "letters only: 'b2b' is never offered");
    free(s);
    is_str(s = suggest(db, "aktx", 1), "(none)", "words under the minimum length are not offered");
    free(s);
    is_str(s = suggest(db, "xyzxyz", 2), "(none)", "nothing near: no suggestion");
    free(s);
    is_str(s = suggest(db, "kündigungsfirst", 0), "(none)", "no budget: no suggestion");
    free(s);
    char longw[300];
    memset(longw, 'k', sizeof longw - 1);
    longw[sizeof longw - 1] = '\0';
    is_str(s = suggest(db, longw, 2), "(none)", "an overlong word gets no suggestion, no crash");
    free(s);

    fl_xdb_free(db);

    /* With Xapian's spelling data (what the indexer writes), the walk runs
     * over its word list and frequencies, not over the E terms. */
    ok(fl_xdb_open_writable(path, FL_XDB_OPEN, 0, &w) == FL_XOK, "reopen writable");
    ok(fl_xdb_add_spelling(w, "verwaltungsakt", 2) == FL_XOK &&
           fl_xdb_add_spelling(w, "verwaltungsart", 1) == FL_XOK &&
           fl_xdb_add_spelling(w, "mutterschutz", 1) == FL_XOK &&
           fl_xdb_add_spelling(w, "mutterschuh", 5) == FL_XOK,
       "add spelling words");
    ok(fl_xdb_commit(w) == FL_XOK, "commit");
    fl_xdb_free(w);
    ok(fl_xdb_open(path, &db) == FL_XOK, "open read-only");
    is_str(s = suggest(db, "verwaltungsackt", 2), "verwaltungsakt",
           "a word only in the spelling data is found");
    free(s);
    is_str(s = suggest(db, "verwaltungsaet", 1), "verwaltungsakt",
           "same distance: the spelling frequency decides");
    free(s);
    is_str(s = suggest(db, "kündigungsfirst", 2), "(none)",
           "an E term missing from the spelling data is not offered");
    free(s);
    is_str(s = suggest(db, "mutterschuts", 1), "mutterschutz", "fewest edits first");
    free(s);
    fl_xdb_free(db);

    test_spelling_copy(path);
    test_excerpt_tokmap();
    test_excerpt_loose_forms();

    char *cmd = fl_xasprintf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        diag("could not remove %s", tmpdir);
    free(cmd);
    free(path);
    return tap_done();
}
