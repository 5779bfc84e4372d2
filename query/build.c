/* build.c — from the parsed query (fl_query.h) to a Xapian query.
 *
 * Every word goes through the same analysis chain as the index, then becomes
 * an OR of the terms that can match it, weighted so that exact words rank
 * above stems, stems above compound parts, and corrected words below all of
 * them (see fl_terms.h for the terms):
 *     stem                    the positional stem (gender forms, umlauts unified)
 *     E<exact>   × W_EXACT    bonus for the word as typed
 *     P<stem>    × W_PART     the word inside a compound
 *     AND(parts) × W_SPLIT    a compound typed whole also finds its parts
 *     typo alternatives × W_TYPO (Xapian's spelling data)
 *     synonyms (findling.yml) × W_SYN
 * Several words: OR of the words plus a bonus for documents with all of them
 * (AND_MAYBE) and a proximity bonus (NEAR on the stems) — a long query does not
 * lose the right document because it lacks one word.  Measured with make eval.
 * A word in more than half the documents only adds its weight to the
 * documents the rarer words find (any_word_q).
 */
#include "search_int.h"

#include "fl_err.h"
#include "fl_normalize.h"
#include "fl_terms.h"
#include "fl_utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W_EXACT 0.6
#define W_PERSON 1.0      /* a gender form's person nouns, see person_q */
#define W_GENDER_STEM 0.5 /* ... and its bare stem */
#define W_PART 0.5
#define W_SPLIT 0.6
#define W_TYPO 0.7
#define W_SYN 0.8
#define W_ALL 1.0
#define W_TITLE 0.5
#define W_HEADING_BONUS 0.75 /* × idf, see word_q */
#define W_TITLE_START 2.0    /* × idf × words, see title_start_q */
#define WILDCARD_MAX 100
/* Below this many documents no word counts as common (any_word_q): in a
 * small index "most documents" is a handful. */
#define COMMON_MIN_DOCS 100
/* From this many documents with a compound, its parts apart are not
 * searched (word_q). */
#define PARTS_ENOUGH_DOCS 100

/* ---------------------------------------------------------------- strset */

void fl_strset_add(fl_strset *set, const char *s, int group)
{
    if (fl_strset_find(set, s) >= 0)
        return;
    set->s = fl_xrealloc(set->s, (set->n + 1) * sizeof *set->s);
    set->group = fl_xrealloc(set->group, (set->n + 1) * sizeof *set->group);
    set->s[set->n] = fl_xstrdup(s);
    set->group[set->n] = group;
    set->n++;
}

int fl_strset_find(const fl_strset *set, const char *s)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->s[i], s) == 0)
            return set->group[i];
    return -1;
}

void fl_strset_free(fl_strset *set)
{
    for (size_t i = 0; i < set->n; i++)
        free(set->s[i]);
    free(set->s);
    free(set->group);
    memset(set, 0, sizeof *set);
}

static void phrase_free(fl_phrase *ph)
{
    for (size_t k = 0; k < ph->n; k++)
        free(ph->stems[k]);
    free(ph->stems);
    free(ph->offsets);
}

void fl_compiled_free(fl_compiled *c)
{
    fl_xquery_free(c->q);
    for (size_t i = 0; i < c->n_near_groups; i++)
        fl_strlist_free(&c->near_groups[i]);
    fl_strset_free(&c->hl.stems);
    fl_strset_free(&c->hl.parts);
    fl_strset_free(&c->hl.exacts);
    fl_strset_free(&c->hl.loose_exacts);
    fl_strlist_free(&c->hl.prefixes);
    fl_strlist_free(&c->hl.posterms);
    fl_strlist_free(&c->hl.splitterms);
    fl_strlist_free(&c->hl.phraseterms);
    for (size_t i = 0; i < c->hl.nphrases; i++)
        phrase_free(&c->hl.phrases[i]);
    free(c->hl.phrases);
    fl_strlist_free(&c->why_term);
    fl_strlist_free(&c->why_text);
    fl_strlist_free(&c->stemseq);
    free(c->corrected);
    memset(c, 0, sizeof *c);
}

/* ---------------------------------------------------------------- tokens */

typedef struct qtok {
    char *surface, *exact, *stem;
    char *gender_base; /* "aussteller" for "Aussteller*innen", else NULL */
    char **parts;
    size_t nparts;
    unsigned flags;
    fl_token_kind kind;
} qtok;

typedef struct qtoks {
    qtok *t;
    size_t n;
} qtoks;

static int collect_cb(void *ud, const fl_token *tok)
{
    qtoks *a = ud;
    a->t = fl_xrealloc(a->t, (a->n + 1) * sizeof *a->t);
    qtok *q = &a->t[a->n++];
    q->surface = fl_xstrndup(tok->surface, tok->surface_len);
    q->exact = fl_xstrdup(tok->exact ? tok->exact : "");
    q->stem = fl_xstrdup(tok->stem ? tok->stem : "");
    q->gender_base = tok->gender_base && tok->gender_base[0] ? fl_xstrdup(tok->gender_base) : NULL;
    q->nparts = tok->nparts;
    q->parts = tok->nparts ? fl_xcalloc(tok->nparts, sizeof *q->parts) : NULL;
    for (size_t i = 0; i < tok->nparts; i++)
        q->parts[i] = fl_xstrdup(tok->parts[i]);
    q->flags = tok->flags;
    q->kind = tok->kind;
    return 0;
}

static void qtoks_free(qtoks *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->t[i].surface);
        free(a->t[i].exact);
        free(a->t[i].stem);
        free(a->t[i].gender_base);
        for (size_t k = 0; k < a->t[i].nparts; k++)
            free(a->t[i].parts[k]);
        free(a->t[i].parts);
    }
    free(a->t);
    a->t = NULL;
    a->n = 0;
}

static int analyze(const fl_analyzer *an, const char *text, qtoks *out, char **err)
{
    fl_buf clean = FL_BUF_INIT;
    fl_utf8_repair(&clean, text, strlen(text), NULL);
    int rc = fl_analyze(an, fl_buf_cstr(&clean), clean.len, collect_cb, out, err);
    fl_buf_free(&clean);
    return rc;
}

/* ---------------------------------------------------------------- context */

typedef struct cctx {
    fl_searcher *s;
    fl_compiled *c;
    char **err;
    bool and_all;
    bool explain;             /* keep why each term is searched (why()) */
    int xerr;                 /* a Xapian call failed */
    fl_strlist repl_from, repl_to; /* corrections: surface → suggestion */
    bool offered;             /* a correction is offered but not searched */
    int depth;                /* nesting of node_q: 1 = the query's top level */
    /* Term frequencies asked already (tfreq): a word's stem is asked for
     * its typo budget, for whether it is common (word_df) and for its
     * bonuses, each a descent of Xapian's B-tree. */
    fl_strlist tf_terms;
    uint32_t *tf_freqs;
} cctx;

static fl_xquery *term_q(cctx *x, const char *prefix, const char *t, uint32_t pos)
{
    fl_buf b = FL_BUF_INIT;
    fl_buf_puts(&b, prefix);
    fl_buf_puts(&b, t);
    fl_xquery *q = NULL;
    if (fl_xquery_term(b.data, b.len, 1, pos, &q) != FL_XOK)
        x->xerr = 1;
    fl_buf_free(&b);
    return q;
}

static fl_xquery *scale_q(cctx *x, fl_xquery *q, double f)
{
    if (!q)
        return NULL;
    fl_xquery *r = NULL;
    if (fl_xquery_scale(q, f, &r) != FL_XOK)
        x->xerr = 1;
    fl_xquery_free(q);
    return r;
}

/* Combines subs[0..n) with op and frees them; NULL entries are skipped. */
static fl_xquery *combine_q(cctx *x, fl_xop op, fl_xquery **subs, size_t n, uint32_t window)
{
    size_t live = 0;
    fl_xquery *one = NULL;
    for (size_t i = 0; i < n; i++)
        if (subs[i])
            live++, one = subs[i];
    if (live == 0)
        return NULL;
    if (live == 1) {
        /* Binary operators with one side missing: the left side alone is the
         * result (AND_MAYBE, FILTER, AND_NOT); a lone right side of FILTER
         * is the filter itself, of AND_NOT or AND_MAYBE nothing. */
        bool binary = op == FL_XOP_AND_MAYBE || op == FL_XOP_FILTER || op == FL_XOP_AND_NOT;
        if (binary && one != subs[0] && op != FL_XOP_FILTER) {
            fl_xquery_free(one);
            return NULL;
        }
        return one;
    }
    fl_xquery *r = NULL;
    if (fl_xquery_combine(op, subs, n, window, &r) != FL_XOK)
        x->xerr = 1;
    for (size_t i = 0; i < n; i++)
        fl_xquery_free(subs[i]);
    return r;
}

static uint32_t tfreq(cctx *x, const char *prefix, const char *t)
{
    fl_buf b = FL_BUF_INIT;
    fl_buf_puts(&b, prefix);
    fl_buf_puts(&b, t);
    const char *term = fl_buf_cstr(&b);
    for (size_t i = 0; i < x->tf_terms.n; i++)
        if (strcmp(x->tf_terms.items[i], term) == 0) {
            fl_buf_free(&b);
            return x->tf_freqs[i];
        }
    uint32_t f = 0;
    if (fl_xdb_termfreq(x->s->db, b.data, b.len, &f) != FL_XOK) {
        if (fl_xlast_status() == FL_XERR_MODIFIED)
            x->xerr = 1;
        fl_buf_free(&b);
        return 0; /* not kept: an error is not a frequency */
    }
    x->tf_freqs = fl_xrealloc(x->tf_freqs, (x->tf_terms.n + 1) * sizeof *x->tf_freqs);
    x->tf_freqs[x->tf_terms.n] = f;
    fl_strlist_push(&x->tf_terms, term);
    fl_buf_free(&b);
    return f;
}

/* A length-independent bonus for documents with prefix+t: w times the
 * term's idf (rarer title words weigh more), or NULL when no document has it. */
static fl_xquery *bonus_q(cctx *x, const char *prefix, const char *t, double w)
{
    uint32_t tf = tfreq(x, prefix, t);
    if (tf == 0 || x->s->doccount == 0)
        return NULL;
    double idf = log((double)x->s->doccount / (double)tf);
    if (idf <= 0)
        return NULL;
    fl_buf b = FL_BUF_INIT;
    fl_buf_puts(&b, prefix);
    fl_buf_puts(&b, t);
    fl_xquery *q = NULL;
    if (fl_xquery_term_bonus(b.data, b.len, w * idf, fl_xdb_has_remote(x->s->db), &q) != FL_XOK)
        x->xerr = 1;
    fl_buf_free(&b);
    return q;
}

static void why(cctx *x, const char *prefix, const char *term, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void why(cctx *x, const char *prefix, const char *term, const char *fmt, ...)
{
    if (!x->explain)
        return; /* a reason per term, formatted for every search, only to be dropped */
    char *t = fl_xasprintf("%s%s", prefix, term);
    for (size_t i = 0; i < x->c->why_term.n; i++)
        if (strcmp(x->c->why_term.items[i], t) == 0) {
            free(t);
            return;
        }
    fl_buf b = FL_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    fl_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    fl_strlist_push(&x->c->why_term, t);
    fl_strlist_push(&x->c->why_text, fl_buf_cstr(&b));
    free(t);
    fl_buf_free(&b);
}

static void add_posterm(fl_hl *hl, const char *prefix, const char *t)
{
    char *s = fl_xasprintf("%s%s", prefix, t);
    if (!fl_strlist_contains(&hl->posterms, s))
        fl_strlist_push(&hl->posterms, s);
    free(s);
}

/* Keeps a phrase of two words or more in hl (taking ph's arrays), else
 * frees them. */
static void add_phrase(fl_hl *hl, fl_phrase *ph)
{
    if (ph->n >= 2) {
        hl->phrases = fl_xrealloc(hl->phrases, (hl->nphrases + 1) * sizeof *hl->phrases);
        hl->phrases[hl->nphrases++] = *ph;
        return;
    }
    phrase_free(ph);
}

static char *spelling(cctx *x, const char *exact, unsigned maxedit, bool compound)
{
    char *sug = NULL;
    /* The server's table of this revision holds a copy of the dictionary. */
    const fl_completions *words =
        fl_completions_current(x->s->compl, x->s) ? x->s->compl : NULL;
    if ((compound ? fl_spell_suggest_compound(x->s->db, words, x->s->an, exact, maxedit, &sug)
                  : fl_spell_suggest(x->s->db, words, exact, maxedit, &sug)) != 0) {
        if (fl_xlast_status() == FL_XERR_MODIFIED)
            x->xerr = 1;
        return NULL;
    }
    if (sug && strcmp(sug, exact) == 0) {
        free(sug);
        return NULL;
    }
    return sug;
}

/* A gender form names people ("Aussteller*innen", "Nutzerinnen"), but its
 * stem also stands for the activity: Snowball gives Aussteller and Ausstellung
 * "ausstell", Nutzer and Nutzung "nutz", Teilnehmer and teilnehmen
 * "teilnehm".  A searcher who typed a gender form asked for the people, in
 * any gender: every form of the person noun built on the masculine base —
 * the base and its inflections (-s, -n, -e, -en: Ausstellern, Experten) and
 * the feminine and inclusive forms (-in, -innen; the index keeps
 * "Aussteller*innen", "AusstellerInnen", "Aussteller:innen" as
 * "ausstellerinnen") — counts as a match of the word itself, as one term
 * (OP_SYNONYM: a page using several forms is not counted twice).  Returns
 * NULL when no document has any of them. */
static const char *const person_endings[] = {"", "s", "n", "e", "en", "in", "innen"};
#define NEND (sizeof person_endings / sizeof person_endings[0])

static fl_xquery *person_q(cctx *x, const qtok *t, int group, const char *label)
{
    fl_xquery *forms[NEND] = {0};
    size_t n = 0;
    for (size_t i = 0; i < NEND; i++) {
        char *w = fl_xasprintf("%s%s", t->gender_base, person_endings[i]);
        if (tfreq(x, FL_PREFIX_EXACT, w) > 0) {
            forms[n++] = term_q(x, FL_PREFIX_EXACT, w, 0);
            why(x, FL_PREFIX_EXACT, w, "'%s', a form of the person noun '%s' (gender form)", w,
                label);
            fl_strset_add(&x->c->hl.exacts, w, group);
            fl_strset_add(&x->c->hl.loose_exacts, w, group); /* its stem may not be the word's */
        }
        free(w);
    }
    if (n == 0)
        return NULL;
    return scale_q(x, combine_q(x, FL_XOP_SYNONYM, forms, n, 0), W_PERSON);
}

/* A compound typed whole: documents with all its parts match too (× W_SPLIT).
 * NULL when t is not a compound. */
static fl_xquery *parts_q(cctx *x, const qtok *t, int group, const char *label)
{
    if (t->nparts < 2)
        return NULL;
    fl_compiled *c = x->c;
    fl_xquery **ps = fl_xcalloc(t->nparts, sizeof *ps);
    for (size_t i = 0; i < t->nparts; i++) {
        fl_xquery *alt[2] = {term_q(x, "", t->parts[i], 0),
                             term_q(x, FL_PREFIX_PART, t->parts[i], 0)};
        ps[i] = combine_q(x, FL_XOP_OR, alt, 2, 0);
        why(x, "", t->parts[i], "'%s' (part of '%s')", t->parts[i], label);
        why(x, FL_PREFIX_PART, t->parts[i], "'%s' inside a compound (part of '%s')", t->parts[i],
            label);
        fl_strset_add(&c->hl.parts, t->parts[i], group);
        add_posterm(&c->hl, "", t->parts[i]);
        add_posterm(&c->hl, FL_PREFIX_PART, t->parts[i]);
    }
    fl_xquery *q = scale_q(x, combine_q(x, FL_XOP_AND, ps, t->nparts, 0), W_SPLIT);
    free(ps);
    return q;
}

/* Paired forms ("Bürgerinnen und Bürger", "Aussteller und Ausstellerinnen"):
 * a word that is a person form of a gender form elsewhere in the same text
 * names the same people, so it is searched as one too. */
static void pair_gender_forms(qtoks *a)
{
    for (size_t i = 0; i < a->n; i++) {
        qtok *t = &a->t[i];
        if (t->gender_base || t->kind != FL_TOKEN_WORD)
            continue;
        for (size_t k = 0; k < a->n && !t->gender_base; k++) {
            const char *g = a->t[k].gender_base;
            size_t gl = g ? strlen(g) : 0;
            if (!g || strcmp(a->t[k].stem, t->stem) != 0 || strncmp(t->exact, g, gl) != 0)
                continue;
            for (size_t e = 0; e < NEND; e++)
                if (strcmp(t->exact + gl, person_endings[e]) == 0) {
                    t->gender_base = fl_xstrdup(g);
                    break;
                }
        }
    }
}

/* How many documents have the word: those with its stem, whole or inside a
 * compound (the larger count; the two overlap).  0 for an index too small
 * for "common" to mean anything (COMMON_MIN_DOCS), where it is not asked
 * (nor can 100 documents have a compound there: PARTS_ENOUGH_DOCS). */
static uint32_t word_df(cctx *x, const qtok *t)
{
    if (x->s->doccount < COMMON_MIN_DOCS)
        return 0;
    const char *stem = t->stem[0] ? t->stem : t->exact;
    uint32_t whole = tfreq(x, "", stem), part = tfreq(x, FL_PREFIX_PART, stem);
    return whole > part ? whole : part;
}

/* The OR of everything that matches one analysed word. */
static fl_xquery *word_q(cctx *x, const qtok *t, int group, uint32_t pos, const char *label)
{
    fl_compiled *c = x->c;
    fl_xquery *subs[9] = {0};
    size_t n = 0;
    const char *stem = t->stem[0] ? t->stem : t->exact;
    if (!stem[0])
        return NULL;
    /* A gender form: its person nouns carry the weight, everything built on
     * the (ambiguous) stem counts for less — see person_q. */
    fl_xquery *persons = t->gender_base ? person_q(x, t, group, label) : NULL;
    double sw = persons ? W_GENDER_STEM : 1.0;
    if (persons)
        subs[n++] = persons;
    subs[n++] = persons ? scale_q(x, term_q(x, "", stem, pos), sw) : term_q(x, "", stem, pos);
    const char *form = (t->flags & FL_TOKFLAG_GENDER)   ? " (gender form)"
                       : (t->flags & FL_TOKFLAG_FOLDED) ? " (umlaut/accent variant)"
                                                         : "";
    why(x, "", stem, "stem '%s' of '%s'%s", stem, label, form);
    fl_strset_add(&c->hl.stems, stem, group);
    if (t->kind == FL_TOKEN_PARAGRAPH)
        c->hl.cite_groups |= 1ull << (group % 64);
    add_posterm(&c->hl, "", stem);
    if (t->exact[0]) {
        subs[n++] = scale_q(x, term_q(x, FL_PREFIX_EXACT, t->exact, 0), W_EXACT);
        why(x, FL_PREFIX_EXACT, t->exact, "exact word '%s'", t->exact);
        fl_strset_add(&c->hl.exacts, t->exact, group);
    }
    subs[n++] = scale_q(x, term_q(x, FL_PREFIX_PART, stem, 0), W_PART * sw);
    why(x, FL_PREFIX_PART, stem, "'%s' as part of a compound word", label);
    /* The title and heading bonuses below are on the stem: for a gender form
     * they would favour the activity as much as the people (a page titled
     * "Die Ausstellung" over one naming the Aussteller*innen), so a gender
     * form with person nouns in the index goes without them — its E terms
     * carry the field weights (wdf) themselves. */
    if (!persons) {
        /* The title term again: long documents (laws) otherwise bury a title
         * match under BM25's length normalisation (measured: +0.04 nDCG laws). */
        subs[n++] = scale_q(x, term_q(x, FL_PREFIX_TITLE, stem, 0), W_TITLE);
        why(x, FL_PREFIX_TITLE, stem, "'%s' in the title", label);
        /* The word in a heading, whatever the document's length: a law's name
         * is its first heading ("Bürgerliches Gesetzbuch (BGB)") and each
         * paragraph's number and subject head its section ("§ 622
         * Kündigungsfristen …"), both buried by length normalisation in a 2 MB
         * law otherwise.  Measured with make eval: laws nDCG@10 0.63 → 0.70, the
         * site unchanged; "§ 622 BGB" finds the BGB first. */
        fl_xquery *hb = bonus_q(x, FL_PREFIX_HEADING, stem, W_HEADING_BONUS);
        if (hb)
            subs[n++] = hb;
    }
    add_posterm(&c->hl, FL_PREFIX_PART, stem);
    /* The compound's parts apart, only for a compound few documents have:
     * when PARTS_ENOUGH_DOCS or more have it (whole or inside a longer
     * one), they fill the first pages themselves, and documents with the
     * parts apart, weighed W_SPLIT, rank below them.  Their AND walks the
     * parts' long lists ("fahr" and "zeug" for Fahrzeug): measured on the
     * laws' 63 bench queries, 10 % of a search's instructions; make eval
     * unchanged (below 50 documents the laws' known items suffer). */
    if (t->nparts >= 2 && word_df(x, t) < PARTS_ENOUGH_DOCS)
        subs[n++] = parts_q(x, t, group, label);
    /* Typo tolerance: an unknown word gets its spelling correction as an
     * alternative; a rare one whose correction is far more common has it
     * offered ("Meinten Sie …?") without changing the results. */
    unsigned budget = t->kind == FL_TOKEN_WORD ? fl_typo_budget(t->exact, strlen(t->exact)) : 0;
    if (budget) {
        /* Known to two documents as a stem alone: not a typo, and the
         * other two frequencies are not looked up. */
        uint32_t f = tfreq(x, "", stem);
        if (f <= 1)
            f += tfreq(x, FL_PREFIX_EXACT, t->exact) + tfreq(x, FL_PREFIX_PART, stem);
        if (f <= 1) {
            char *sug = spelling(x, t->exact, budget, false);
            /* A compound the index does not have whole, with a typo in one
             * of its parts ("Barrierefreiheitsgestz"): correct that part. */
            if (!sug && f == 0 && !x->xerr)
                sug = spelling(x, t->exact, budget, true);
            if (sug) {
                qtoks st = {0};
                char *e2 = NULL;
                if (analyze(x->s->an, sug, &st, &e2) == 0 && st.n == 1 && st.t[0].stem[0]) {
                    const qtok *u = &st.t[0];
                    uint32_t f2 = tfreq(x, FL_PREFIX_EXACT, u->exact);
                    if (f == 0 || f2 >= 10 * f + 3) {
                        fl_strlist_push(&x->repl_from, t->surface);
                        fl_strlist_push(&x->repl_to, sug);
                    }
                    if (f == 0) {
                        fl_xquery *alt[4] = {term_q(x, "", u->stem, pos),
                                             scale_q(x, term_q(x, FL_PREFIX_EXACT, u->exact, 0), W_EXACT),
                                             scale_q(x, term_q(x, FL_PREFIX_PART, u->stem, 0), W_PART),
                                             parts_q(x, u, group, sug)};
                        subs[n++] = scale_q(x, combine_q(x, FL_XOP_OR, alt, 4, 0), W_TYPO);
                        why(x, "", u->stem, "corrected '%s' to '%s' (stem '%s')", label, sug,
                            u->stem);
                        why(x, FL_PREFIX_EXACT, u->exact, "corrected '%s' to '%s'", label, sug);
                        why(x, FL_PREFIX_PART, u->stem,
                            "corrected '%s' to '%s', inside a compound", label, sug);
                        fl_strset_add(&c->hl.stems, u->stem, group);
                        fl_strset_add(&c->hl.exacts, u->exact, group);
                        add_posterm(&c->hl, "", u->stem);
                        add_posterm(&c->hl, FL_PREFIX_PART, u->stem);
                        c->correction_used = true;
                    } else {
                        x->offered = true;
                    }
                }
                free(e2);
                qtoks_free(&st);
                free(sug);
            }
        }
    }
    return combine_q(x, FL_XOP_OR, subs, n, 0);
}

/* ---------------------------------------------------------------- synonyms */

/* Stems of toks[i..i+len) space-joined. */
static char *stem_span(const qtoks *a, size_t i, size_t len)
{
    fl_buf b = FL_BUF_INIT;
    for (size_t k = i; k < i + len; k++) {
        if (k > i)
            fl_buf_putc(&b, ' ');
        fl_buf_puts(&b, a->t[k].stem[0] ? a->t[k].stem : a->t[k].exact);
    }
    return fl_buf_detach(&b);
}

/* Query for a synonym (several words → a phrase on their stems). */
static fl_xquery *syn_member_q(cctx *x, const char *member, int group, const char *label)
{
    qtoks a = {0};
    char *e = NULL;
    fl_xquery *q = NULL;
    if (analyze(x->s->an, member, &a, &e) == 0 && a.n > 0) {
        if (a.n == 1) {
            q = word_q(x, &a.t[0], group, 0, member);
        } else {
            fl_xquery **ts = fl_xcalloc(a.n, sizeof *ts);
            for (size_t i = 0; i < a.n; i++) {
                const char *st = a.t[i].stem[0] ? a.t[i].stem : a.t[i].exact;
                ts[i] = term_q(x, "", st, (uint32_t)(i + 1));
                fl_strset_add(&x->c->hl.stems, st, group);
                add_posterm(&x->c->hl, "", st);
            }
            q = combine_q(x, FL_XOP_PHRASE, ts, a.n, 0);
            free(ts);
        }
        why(x, "", a.t[0].stem, "synonym '%s' of '%s'", member, label);
    }
    free(e);
    qtoks_free(&a);
    return q;
}

/* If a synonym group member matches toks starting at i, returns its length
 * in tokens and the group index in *gi. */
static size_t syn_match(cctx *x, const qtoks *a, size_t i, size_t *gi, size_t *mi)
{
    size_t best = 0;
    for (size_t g = 0; g < x->s->nsyns; g++) {
        const fl_syn_group *sg = &x->s->syns[g];
        for (size_t m = 0; m < sg->stems.n; m++) {
            size_t words = 1;
            for (const char *p = sg->stems.items[m]; *p; p++)
                words += *p == ' ';
            if (words <= best || i + words > a->n)
                continue;
            char *span = stem_span(a, i, words);
            if (strcmp(span, sg->stems.items[m]) == 0) {
                best = words;
                *gi = g;
                *mi = m;
            }
            free(span);
        }
    }
    return best;
}

/* ---------------------------------------------------------------- free text */

typedef struct units {
    fl_xquery **q;
    uint32_t *df; /* per unit: its documents as far as known (word_df), else 0 */
    size_t n;
} units;

static void units_add(units *u, fl_xquery *q, uint32_t df)
{
    if (!q)
        return;
    u->q = fl_xrealloc(u->q, (u->n + 1) * sizeof *u->q);
    u->df = fl_xrealloc(u->df, (u->n + 1) * sizeof *u->df);
    u->df[u->n] = df;
    u->q[u->n++] = q;
}

static void units_free(units *u)
{
    free(u->q);
    free(u->df);
    memset(u, 0, sizeof *u);
}

/* The free-text words of one TEXT node → units (one per word or synonym span). */
static int text_units(cctx *x, const char *text, units *u)
{
    qtoks a = {0};
    if (analyze(x->s->an, text, &a, x->err) != 0) {
        qtoks_free(&a);
        return -1;
    }
    pair_gender_forms(&a);
    size_t nonstop = 0;
    for (size_t i = 0; i < a.n; i++)
        if (!(a.t[i].flags & FL_TOKFLAG_STOPWORD))
            nonstop++;
    for (size_t i = 0; i < a.n;) {
        const qtok *t = &a.t[i];
        /* Stop words are dropped from free text, unless there is nothing
         * else or they start a synonym of several words. */
        if ((t->flags & FL_TOKFLAG_STOPWORD) && nonstop > 0) {
            size_t gi, mi;
            if (x->s->nsyns == 0 || syn_match(x, &a, i, &gi, &mi) < 2) {
                i++;
                continue;
            }
        }
        size_t gi = 0, mi = 0;
        size_t span = x->s->nsyns ? syn_match(x, &a, i, &gi, &mi) : 0;
        int group = x->c->hl.ngroups++;
        fl_xquery *orig;
        if (span > 1) {
            fl_xquery **ws = fl_xcalloc(span, sizeof *ws);
            for (size_t k = 0; k < span; k++)
                ws[k] = word_q(x, &a.t[i + k], group, (uint32_t)(i + k + 1), a.t[i + k].surface);
            orig = combine_q(x, FL_XOP_AND, ws, span, 0);
            free(ws);
        } else {
            span = span ? span : 1;
            orig = word_q(x, t, group, (uint32_t)(i + 1), t->surface);
        }
        if (span && x->s->nsyns && syn_match(x, &a, i, &gi, &mi) == span) {
            const fl_syn_group *sg = &x->s->syns[gi];
            size_t nalt = 1 + sg->members.n;
            fl_xquery **alt = fl_xcalloc(nalt, sizeof *alt);
            alt[0] = orig;
            for (size_t m = 0; m < sg->members.n; m++)
                if (m != mi)
                    alt[m + 1] = scale_q(x, syn_member_q(x, sg->members.items[m], group,
                                                         sg->members.items[mi]),
                                         W_SYN);
            orig = combine_q(x, FL_XOP_OR, alt, nalt, 0);
            free(alt);
        }
        /* A synonym span's documents are not counted: it is never common. */
        units_add(u, orig, span == 1 ? word_df(x, t) : 0);
        for (size_t k = i; k < i + span; k++)
            fl_strlist_push(&x->c->stemseq, a.t[k].stem[0] ? a.t[k].stem : a.t[k].exact);
        x->c->has_words = true;
        i += span;
    }
    qtoks_free(&a);
    return 0;
}

/* Documents with any of the words (u's units, taken): their OR, but when
 * some words are in most documents and others are not, only the documents
 * of the others, the common words adding their weight (AND_MAYBE):
 * "§ 1 ArbZG" finds what mentions the ArbZG, not every law that has a § 1.
 * A word in more than half the documents has (next to) no weight of its
 * own in BM25; alone it would only pad the total and make the match visit
 * every document.  The documents left rank exactly as in the OR (their
 * weight is the same sum).  Known documents only: a unit whose count is
 * not known (0: a wildcard, an unknown word, its typo alternatives) is
 * never common, and it anchors nothing either. */
static fl_xquery *any_word_q(cctx *x, units *u)
{
    uint32_t half = x->s->doccount / 2;
    size_t ncommon = 0, nanchor = 0;
    for (size_t i = 0; i < u->n; i++) {
        ncommon += u->df[i] > half;
        nanchor += u->df[i] > 0 && u->df[i] <= half;
    }
    if (ncommon == 0 || nanchor == 0)
        return combine_q(x, FL_XOP_OR, u->q, u->n, 0);
    fl_xquery **rare = fl_xcalloc(u->n, sizeof *rare), **common = fl_xcalloc(u->n, sizeof *common);
    size_t nr = 0, nc = 0;
    for (size_t i = 0; i < u->n; i++) {
        if (u->df[i] > half)
            common[nc++] = u->q[i];
        else
            rare[nr++] = u->q[i];
    }
    fl_xquery *pair[2] = {combine_q(x, FL_XOP_OR, rare, nr, 0),
                          combine_q(x, FL_XOP_OR, common, nc, 0)};
    free(rare);
    free(common);
    return combine_q(x, FL_XOP_AND_MAYBE, pair, 2, 0);
}

/* Words combined: OR + bonus for all (+ proximity), or AND when asked. */
static fl_xquery *combine_words(cctx *x, units *u, const fl_strlist *stems)
{
    if (u->n == 0)
        return NULL;
    x->c->qlen += (uint32_t)u->n;
    if (u->n == 1) {
        fl_xquery *q = u->q[0];
        u->n = 0;
        return q;
    }
    fl_xquery *core;
    if (x->and_all) {
        core = combine_q(x, FL_XOP_AND, u->q, u->n, 0);
    } else {
        fl_xquery **copies = fl_xcalloc(u->n, sizeof *copies);
        for (size_t i = 0; i < u->n; i++)
            if (fl_xquery_copy(u->q[i], &copies[i]) != FL_XOK)
                x->xerr = 1;
        fl_xquery *any = any_word_q(x, u);
        fl_xquery *all = scale_q(x, combine_q(x, FL_XOP_AND, copies, u->n, 0), W_ALL);
        free(copies);
        fl_xquery *pair[2] = {any, all};
        core = combine_q(x, FL_XOP_AND_MAYBE, pair, 2, 0);
    }
    u->n = 0;
    if (stems && stems->n >= 2 && stems->n <= 8 && x->c->n_near_groups < FL_NEAR_GROUPS) {
        /* The proximity bonus: added by the searcher to the best candidates
         * (fl_compiled.near_groups). */
        fl_strlist *g = &x->c->near_groups[x->c->n_near_groups++];
        for (size_t i = 0; i < stems->n; i++)
            fl_strlist_push(g, stems->items[i]);
    }
    return core;
}

/* ---------------------------------------------------------------- other items */

static fl_xquery *phrase_q(cctx *x, const char *text)
{
    qtoks a = {0};
    if (analyze(x->s->an, text, &a, x->err) != 0) {
        qtoks_free(&a);
        return NULL;
    }
    if (a.n == 1) {
        int group = x->c->hl.ngroups++;
        fl_xquery *q = word_q(x, &a.t[0], group, 1, a.t[0].surface);
        x->c->has_words = true;
        x->c->qlen++;
        qtoks_free(&a);
        return q;
    }
    fl_xquery **ts = fl_xcalloc(a.n ? a.n : 1, sizeof *ts);
    size_t n = 0, window = 0;
    fl_phrase ph = {fl_xcalloc(a.n, sizeof *ph.stems), fl_xcalloc(a.n, sizeof *ph.offsets), 0};
    for (size_t i = 0; i < a.n; i++) {
        const char *st = a.t[i].stem[0] ? a.t[i].stem : a.t[i].exact;
        window++;
        /* A stop word the index does not hold would make the phrase
         * impossible: leave a gap for it instead. */
        if ((a.t[i].flags & FL_TOKFLAG_STOPWORD) && tfreq(x, "", st) == 0)
            continue;
        int group = x->c->hl.ngroups++;
        ts[n++] = term_q(x, "", st, (uint32_t)(i + 1));
        fl_strset_add(&x->c->hl.stems, st, group);
        add_posterm(&x->c->hl, "", st);
        ph.stems[ph.n] = fl_xstrdup(st);
        ph.offsets[ph.n++] = (uint32_t)i;
        why(x, "", st, "'%s' in the phrase \"%s\"", a.t[i].surface, text);
    }
    add_phrase(&x->c->hl, &ph);
    fl_xquery *q = NULL;
    if (n > 0) {
        q = combine_q(x, FL_XOP_PHRASE, ts, n, n == window ? 0 : (uint32_t)window);
        x->c->has_words = true;
        x->c->qlen += (uint32_t)n;
    }
    free(ts);
    qtoks_free(&a);
    return q;
}

static fl_xquery *title_q(cctx *x, const char *text)
{
    qtoks a = {0};
    if (analyze(x->s->an, text, &a, x->err) != 0) {
        qtoks_free(&a);
        return NULL;
    }
    fl_xquery **ts = fl_xcalloc(a.n ? a.n : 1, sizeof *ts);
    size_t n = 0;
    for (size_t i = 0; i < a.n; i++) {
        if ((a.t[i].flags & FL_TOKFLAG_STOPWORD) && a.n > 1)
            continue;
        const char *st = a.t[i].stem[0] ? a.t[i].stem : a.t[i].exact;
        int group = x->c->hl.ngroups++;
        ts[n++] = term_q(x, FL_PREFIX_TITLE, st, 0);
        fl_strset_add(&x->c->hl.stems, st, group);
        why(x, FL_PREFIX_TITLE, st, "'%s' in the title", a.t[i].surface);
    }
    fl_xquery *q = combine_q(x, FL_XOP_AND, ts, n, 0);
    if (q) {
        x->c->has_words = true;
        x->c->qlen += (uint32_t)n;
    }
    free(ts);
    qtoks_free(&a);
    return q;
}

typedef struct keyscan {
    const char *key;
    size_t keylen;
    fl_strlist hits;
} keyscan;

/* Facet keys containing the typed key as whole words ("edler" in "jens edler"). */
static int keyscan_cb(void *ud, const char *term, size_t len, uint32_t freq)
{
    (void)freq;
    keyscan *k = ud;
    const char *colon = memchr(term, ':', len);
    if (!colon)
        return 0;
    const char *v = colon + 1;
    size_t vlen = len - (size_t)(v - term);
    for (size_t i = 0; i + k->keylen <= vlen; i++) {
        if ((i == 0 || v[i - 1] == ' ') && memcmp(v + i, k->key, k->keylen) == 0 &&
            (i + k->keylen == vlen || v[i + k->keylen] == ' ')) {
            fl_strlist_push_n(&k->hits, term, len);
            break;
        }
    }
    return 0;
}

/* Boolean query for facet values (OR'ed): exact key, else keys containing it. */
fl_xquery *fl_facet_filter_q(fl_searcher *s, const char *facet, const char *const *values,
                             size_t n, int *xerr);
fl_xquery *fl_facet_filter_q(fl_searcher *s, const char *facet, const char *const *values,
                             size_t n, int *xerr)
{
    fl_strlist terms = {0};
    for (size_t i = 0; i < n; i++) {
        fl_buf key = FL_BUF_INIT;
        if (fl_norm_facet_key(values[i], strlen(values[i]), &key, NULL) != 0 || key.len == 0) {
            fl_buf_free(&key);
            continue;
        }
        char *t = fl_xasprintf("%s%s:%s", FL_PREFIX_FACET, facet, key.data);
        uint32_t f = 0;
        fl_xdb_termfreq(s->db, t, strlen(t), &f);
        if (f > 0) {
            fl_strlist_push(&terms, t);
        } else {
            char *prefix = fl_xasprintf("%s%s:", FL_PREFIX_FACET, facet);
            keyscan k = {key.data, key.len, {0}};
            if (fl_xdb_allterms(s->db, prefix, keyscan_cb, &k) != FL_XOK &&
                fl_xlast_status() == FL_XERR_MODIFIED)
                *xerr = 1;
            for (size_t j = 0; j < k.hits.n; j++)
                fl_strlist_push(&terms, k.hits.items[j]);
            if (k.hits.n == 0)
                fl_strlist_push(&terms, t); /* matches nothing: honest */
            fl_strlist_free(&k.hits);
            free(prefix);
        }
        free(t);
        fl_buf_free(&key);
    }
    if (terms.n == 0) {
        fl_xquery *q = NULL;
        fl_xquery_match_nothing(&q);
        return q;
    }
    fl_xquery **ts = fl_xcalloc(terms.n, sizeof *ts);
    for (size_t i = 0; i < terms.n; i++)
        if (fl_xquery_term(terms.items[i], strlen(terms.items[i]), 1, 0, &ts[i]) != FL_XOK)
            *xerr = 1;
    fl_xquery *q = NULL;
    if (terms.n == 1) {
        q = ts[0];
    } else {
        if (fl_xquery_combine(FL_XOP_OR, ts, terms.n, 0, &q) != FL_XOK)
            *xerr = 1;
        for (size_t i = 0; i < terms.n; i++)
            fl_xquery_free(ts[i]);
    }
    free(ts);
    fl_strlist_free(&terms);
    return q;
}

static bool facet_known(fl_searcher *s, const char *name)
{
    for (size_t i = 0; i < s->nfacets; i++)
        if (strcmp(s->facets[i].name, name) == 0)
            return true;
    return false;
}

static fl_xquery *range_q(cctx *x, const char *lo, const char *hi)
{
    fl_xquery *q = NULL;
    if (fl_xquery_value_range(FL_SLOT_DATE, lo, hi, &q) != FL_XOK)
        x->xerr = 1;
    return q;
}

static fl_xquery *field_q(cctx *x, const fl_qnode *n)
{
    if (strcmp(n->field, "title") == 0)
        return title_q(x, n->text);
    if (strcmp(n->field, "year") == 0 && !facet_known(x->s, "year")) {
        char lo[9], hi[9];
        if (fl_query_parse_date(n->text, strlen(n->text), false, lo) != 0 ||
            fl_query_parse_date(n->text, strlen(n->text), true, hi) != 0) {
            fl_xquery *q = NULL;
            fl_xquery_match_nothing(&q);
            return q;
        }
        return range_q(x, lo, hi);
    }
    const char *v = n->text;
    return fl_facet_filter_q(x->s, n->field, &v, 1, &x->xerr);
}

/* A wildcard's expansion: the WILDCARD_MAX most frequent terms starting with
 * a prefix (ties: the smaller term), kept in a min-heap while the terms are
 * read, so that a short prefix with thousands of terms copies only those. */
typedef struct wterm {
    char *term;
    uint32_t freq;
} wterm;

/* Whether a ranks below b (a less frequent, or as frequent and larger). */
static bool wterm_below(const wterm *a, const wterm *b)
{
    if (a->freq != b->freq)
        return a->freq < b->freq;
    return strcmp(a->term, b->term) > 0;
}

static void wheap_down(wterm *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && wterm_below(&h[l], &h[m]))
            m = l;
        if (r < n && wterm_below(&h[r], &h[m]))
            m = r;
        if (m == i)
            return;
        wterm t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static void wheap_up(wterm *h, size_t i)
{
    while (i > 0 && wterm_below(&h[i], &h[(i - 1) / 2])) {
        wterm t = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

static int wterm_byte_cmp(const void *a, const void *b)
{
    const wterm *x = a, *y = b;
    return strcmp(x->term, y->term);
}

typedef struct wheap {
    wterm v[WILDCARD_MAX];
    size_t n;
    fl_buf cur; /* the term being looked at, NUL-terminated */
} wheap;

static int wheap_offer(void *ud, const char *term, size_t len, uint32_t freq)
{
    wheap *h = ud;
    fl_buf_reset(&h->cur);
    fl_buf_append(&h->cur, term, len);
    wterm cand = {(char *)fl_buf_cstr(&h->cur), freq};
    if (h->n < WILDCARD_MAX) {
        h->v[h->n] = (wterm){fl_xstrndup(term, len), freq};
        wheap_up(h->v, h->n++);
    } else if (wterm_below(&h->v[0], &cand)) {
        free(h->v[0].term);
        h->v[0] = (wterm){fl_xstrndup(term, len), freq};
        wheap_down(h->v, h->n, 0);
    }
    return 0;
}

/* OR over the expansion's terms, each weighed as itself, expanded here over
 * the whole database rather than with Xapian's OP_WILDCARD: over several
 * shards Xapian 1.4 expands per shard (each keeps its own most frequent
 * terms) and estimates an OP_SYNONYM's frequency per shard, so results
 * depended on the shard count.  Not OP_MAX, which would score a page by its
 * best expansion: Xapian 1.4.22 crashes on some OP_MAX queries of dozens of
 * terms over several shards.  The price of OR: each expansion counts as a
 * query term in Xapian's percentages, so wildcard searches show low scores
 * (the order is not affected).  The terms are streamed, not kept (a remote
 * shard sends them again for each wildcard, as it did for OP_WILDCARD): a
 * server's memory does not grow with the prefixes its visitors try. */
static fl_xquery *prefix_q(cctx *x, const char *prefix)
{
    wheap *h = fl_xcalloc(1, sizeof *h);
    fl_xquery *q = NULL;
    if (fl_xdb_allterms(x->s->db, prefix, wheap_offer, h) != FL_XOK) {
        x->xerr = 1;
    } else if (h->n == 0) {
        if (fl_xquery_match_nothing(&q) != FL_XOK)
            x->xerr = 1;
    } else {
        /* In byte order, which is the index's: Xapian opens each posting
         * list from the cursor of the one opened before it, so neighbouring
         * terms share B-tree blocks (the bench's three wildcard searches
         * read 57 % fewer blocks than in order of frequency; same answers). */
        qsort(h->v, h->n, sizeof *h->v, wterm_byte_cmp);
        fl_xquery **ts = fl_xcalloc(h->n, sizeof *ts);
        for (size_t i = 0; i < h->n; i++)
            ts[i] = term_q(x, "", h->v[i].term, 0);
        q = combine_q(x, FL_XOP_OR, ts, h->n, 0);
        free(ts);
    }
    for (size_t i = 0; i < h->n; i++)
        free(h->v[i].term);
    fl_buf_free(&h->cur);
    free(h);
    return q;
}

static fl_xquery *wildcard_q(cctx *x, const char *prefix)
{
    fl_buf ex = FL_BUF_INIT, key = FL_BUF_INIT;
    fl_xquery *subs[2] = {0};
    if (fl_norm_exact(prefix, strlen(prefix), &ex, NULL) == 0 && ex.len >= 2) {
        char *p = fl_xasprintf("%s%s", FL_PREFIX_EXACT, ex.data);
        subs[0] = prefix_q(x, p);
        free(p);
        fl_strlist_push(&x->c->hl.prefixes, ex.data);
        why(x, FL_PREFIX_EXACT, ex.data, "words starting with '%s'", prefix);
    }
    fl_suggest_key(prefix, strlen(prefix), &key);
    if (key.len >= 2) {
        /* Stems start with the folded prefix too (they are what carries positions). */
        subs[1] = prefix_q(x, key.data);
    }
    fl_buf_free(&ex);
    fl_buf_free(&key);
    fl_xquery *q = combine_q(x, FL_XOP_OR, subs, 2, 0);
    if (q) {
        x->c->has_words = true;
        x->c->qlen++;
        x->c->hl.ngroups++;
    }
    return q;
}

/* ---------------------------------------------------------------- tree */

static fl_xquery *node_q(cctx *x, const fl_qnode *n, fl_xquery **filter);

/* A negated item: what it matches, without highlighting or weights. */
static fl_xquery *neg_q(cctx *x, const fl_qnode *n)
{
    fl_compiled saved = *x->c;
    fl_compiled tmp = {0};
    *x->c = tmp;
    fl_xquery *filter = NULL;
    fl_xquery *q = node_q(x, n, &filter);
    if (filter) {
        fl_xquery *pair[2] = {q, filter};
        q = q ? combine_q(x, FL_XOP_FILTER, pair, 2, 0) : filter;
    }
    fl_compiled_free(x->c);
    *x->c = saved;
    return q;
}

static void add_filter(cctx *x, fl_xquery **filter, fl_xquery *f)
{
    if (!f)
        return;
    if (!*filter) {
        *filter = f;
        return;
    }
    fl_xquery *pair[2] = {*filter, f};
    *filter = combine_q(x, FL_XOP_AND, pair, 2, 0);
}

static fl_xquery *seq_q(cctx *x, const fl_qnode *n, fl_xquery **filter)
{
    units should = {0};
    fl_xquery **must = fl_xcalloc(n->nkids + 1, sizeof *must);
    fl_xquery **nots = fl_xcalloc(n->nkids + 1, sizeof *nots);
    size_t nmust = 0, nnot = 0;
    bool all = false;
    fl_strlist stems_before = x->c->stemseq;
    memset(&x->c->stemseq, 0, sizeof x->c->stemseq);
    for (size_t i = 0; i < n->nkids && !x->xerr; i++) {
        const fl_qnode *k = n->kids[i];
        if (k->neg) {
            nots[nnot] = neg_q(x, k);
            if (nots[nnot])
                nnot++;
            continue;
        }
        if (k->kind == FL_Q_TEXT) {
            if (k->req) {
                units u = {0};
                if (text_units(x, k->text, &u) != 0) {
                    units_free(&u);
                    break;
                }
                x->c->qlen += (uint32_t)u.n;
                fl_xquery *q = combine_q(x, FL_XOP_AND, u.q, u.n, 0);
                units_free(&u);
                if (q)
                    must[nmust++] = q;
            } else if (text_units(x, k->text, &should) != 0) {
                break;
            }
            continue;
        }
        if (k->kind == FL_Q_ALL) {
            all = true;
            continue;
        }
        if (k->kind == FL_Q_RANGE) {
            add_filter(x, filter, range_q(x, k->lo, k->hi));
            continue;
        }
        if (k->kind == FL_Q_FIELD && strcmp(k->field, "title") != 0) {
            add_filter(x, filter, field_q(x, k));
            continue;
        }
        if (k->kind == FL_Q_WILDCARD && !k->req) {
            units_add(&should, wildcard_q(x, k->text), 0);
            continue;
        }
        fl_xquery *sub_filter = NULL;
        fl_xquery *q = node_q(x, k, &sub_filter);
        if (sub_filter) {
            fl_xquery *pair[2] = {q, sub_filter};
            q = q ? combine_q(x, FL_XOP_FILTER, pair, 2, 0) : sub_filter;
        }
        if (q)
            must[nmust++] = q;
    }
    fl_xquery *core = combine_words(x, &should, &x->c->stemseq);
    units_free(&should);
    for (size_t i = 0; i < stems_before.n; i++)
        fl_strlist_push(&x->c->stemseq, stems_before.items[i]);
    fl_strlist_free(&stems_before);
    fl_xquery *q;
    if (nmust > 0) {
        q = combine_q(x, FL_XOP_AND, must, nmust, 0);
        if (core) {
            fl_xquery *pair[2] = {q, core};
            q = combine_q(x, FL_XOP_AND_MAYBE, pair, 2, 0);
        }
    } else {
        q = core;
    }
    if (!q && (all || nnot > 0))
        fl_xquery_match_all(&q);
    if (q && nnot > 0) {
        fl_xquery *ors = combine_q(x, FL_XOP_OR, nots, nnot, 0);
        fl_xquery *pair[2] = {q, ors};
        q = combine_q(x, FL_XOP_AND_NOT, pair, 2, 0);
    } else {
        for (size_t i = 0; i < nnot; i++)
            fl_xquery_free(nots[i]);
    }
    free(must);
    free(nots);
    return q;
}

static fl_xquery *node_q_in(cctx *x, const fl_qnode *n, fl_xquery **filter);

static fl_xquery *node_q(cctx *x, const fl_qnode *n, fl_xquery **filter)
{
    x->depth++;
    fl_xquery *q = node_q_in(x, n, filter);
    x->depth--;
    return q;
}

static fl_xquery *node_q_in(cctx *x, const fl_qnode *n, fl_xquery **filter)
{
    switch (n->kind) {
    case FL_Q_SEQ: return seq_q(x, n, filter);
    case FL_Q_OR: {
        fl_xquery **subs = fl_xcalloc(n->nkids, sizeof *subs);
        for (size_t i = 0; i < n->nkids; i++) {
            fl_xquery *f = NULL;
            subs[i] = node_q(x, n->kids[i], &f);
            if (f) {
                fl_xquery *pair[2] = {subs[i], f};
                subs[i] = subs[i] ? combine_q(x, FL_XOP_FILTER, pair, 2, 0) : f;
            }
        }
        fl_xquery *q = combine_q(x, FL_XOP_OR, subs, n->nkids, 0);
        free(subs);
        return q;
    }
    case FL_Q_TEXT: {
        units u = {0};
        if (text_units(x, n->text, &u) != 0) {
            units_free(&u);
            return NULL;
        }
        fl_strlist st = x->c->stemseq;
        fl_xquery *q = combine_words(x, &u, &st);
        units_free(&u);
        return q;
    }
    case FL_Q_PHRASE: return phrase_q(x, n->text);
    case FL_Q_WILDCARD: return wildcard_q(x, n->text);
    case FL_Q_FIELD: return field_q(x, n);
    case FL_Q_RANGE: return range_q(x, n->lo, n->hi);
    case FL_Q_ALL: {
        fl_xquery *q = NULL;
        fl_xquery_match_all(&q);
        return q;
    }
    }
    return NULL;
}

/* The raw query with each corrected word replaced by its correction, keeping
 * an initial capital. */
static char *corrected_text(const char *raw, const fl_strlist *from, const fl_strlist *to)
{
    char *cur = fl_xstrdup(raw);
    for (size_t i = 0; i < from->n; i++) {
        const char *hit = strstr(cur, from->items[i]);
        if (!hit)
            continue;
        fl_buf b = FL_BUF_INIT;
        fl_buf_append(&b, cur, (size_t)(hit - cur));
        const char *rep = to->items[i];
        unsigned char first = (unsigned char)from->items[i][0];
        if (first >= 'A' && first <= 'Z' && rep[0] >= 'a' && rep[0] <= 'z') {
            fl_buf_putc(&b, (char)(rep[0] - 32));
            fl_buf_puts(&b, rep + 1);
        } else if (first == 0xC3 && (unsigned char)from->items[i][1] >= 0x80 &&
                   (unsigned char)from->items[i][1] <= 0x9E && (unsigned char)rep[0] == 0xC3 &&
                   (unsigned char)rep[1] >= 0xA0 && (unsigned char)rep[1] <= 0xBE) {
            /* Ä Ö Ü (U+00C0..U+00DE) from ä ö ü (U+00E0..U+00FE) */
            fl_buf_putc(&b, (char)0xC3);
            fl_buf_putc(&b, (char)((unsigned char)rep[1] - 0x20));
            fl_buf_puts(&b, rep + 2);
        } else {
            fl_buf_puts(&b, rep);
        }
        fl_buf_puts(&b, hit + strlen(from->items[i]));
        free(cur);
        cur = fl_buf_detach(&b);
    }
    return cur;
}

/* Whether every stem and part to mark is looked up in hits both whole and
 * inside compounds (its "" and P terms among the posterms; a phrase word's
 * stem whole only: a phrase is its words as they stand): then the tokens
 * at the matched positions are the ones the analysis would mark for them
 * (fl_hl_match), but for those the positions leave unmarked on purpose:
 * the split parts of a word in a hit that has the word itself
 * (fl_hl.splitterms), compounds holding a phrase word, and a phrase word
 * away from its phrase (fl_hl.phrases).  title: words (no positions) fail
 * it.  A wildcard's words and the person forms of a gender word are not
 * among the posterms (the forms are E terms, which have no positions):
 * they are marked by their exact forms beside the positions
 * (fl_hl.prefixes, fl_hl.loose_exacts, excerpt.c). */
static bool in_phrase(const fl_hl *hl, const char *stem)
{
    for (size_t i = 0; i < hl->nphrases; i++)
        for (size_t k = 0; k < hl->phrases[i].n; k++)
            if (strcmp(hl->phrases[i].stems[k], stem) == 0)
                return true;
    return false;
}

/* Whether stem is looked up inside compounds too: its P term is among the
 * posterms. */
static bool has_part_posterm(const fl_hl *hl, const char *stem)
{
    char *t = fl_xasprintf("%s%s", FL_PREFIX_PART, stem);
    bool has = fl_strlist_contains(&hl->posterms, t);
    free(t);
    return has;
}

static bool marks_by_position(const fl_hl *hl)
{
    const fl_strset *sets[2] = {&hl->stems, &hl->parts};
    bool all = true;
    for (size_t k = 0; k < 2 && all; k++)
        for (size_t i = 0; i < sets[k]->n && all; i++)
            all = fl_strlist_contains(&hl->posterms, sets[k]->s[i]) &&
                  (has_part_posterm(hl, sets[k]->s[i]) ||
                   (k == 0 && in_phrase(hl, sets[k]->s[i])));
    return all;
}

/* hl->splitterms: the posterms whose stem is a split part (parts_q) and no
 * word's own stem ("fahr" of "Fahrzeug", unless the query has a word
 * stemmed "fahr" too). */
static void split_terms(fl_hl *hl)
{
    for (size_t i = 0; i < hl->posterms.n; i++) {
        const char *t = fl_posterm_stem(hl->posterms.items[i]);
        if (fl_strset_find(&hl->parts, t) >= 0 && fl_strset_find(&hl->stems, t) < 0)
            fl_strlist_push(&hl->splitterms, hl->posterms.items[i]);
    }
}

/* hl->phraseterms: the stems among the posterms that are phrase words and
 * no free word's (a free word's stem is looked up inside compounds too:
 * its P term is among the posterms). */
static void phrase_terms(fl_hl *hl)
{
    for (size_t i = 0; i < hl->posterms.n; i++) {
        const char *t = hl->posterms.items[i];
        if (fl_posterm_stem(t) == t && in_phrase(hl, t) && !has_part_posterm(hl, t))
            fl_strlist_push(&hl->phraseterms, t);
    }
}

/* Whether the query is free text alone: words, no phrase, field, wildcard,
 * operator or exclusion. */
static bool plain_words(const fl_qnode *root)
{
    if (root->kind == FL_Q_TEXT)
        return true;
    if (root->kind != FL_Q_SEQ || root->nkids == 0)
        return false;
    for (size_t i = 0; i < root->nkids; i++)
        if (root->kids[i]->kind != FL_Q_TEXT || root->kids[i]->neg || root->kids[i]->req)
            return false;
    return true;
}

/* A query made of just the words a title or short name starts with
 * ("Strafgesetzbuch", "Bürgerliches Gesetzbuch", "KI und Zivilgesellschaft")
 * names that document: it gains a bonus whatever its length (the XS terms,
 * fl_terms.h), as a heading does.  BM25 alone ranks a short text that
 * mentions the name above the long law itself: "Grundgesetz" found the GG
 * fifth, after announcements about it.  NULL when the query is more than
 * plain words, or longer than FL_TITLE_START_WORDS of them. */
static fl_xquery *title_start_q(cctx *x, const fl_qnode *root, const char *text)
{
    if (!text || !plain_words(root))
        return NULL;
    fl_buf lead = FL_BUF_INIT, key = FL_BUF_INIT;
    long n = fl_analyzer_lead_words(x->s->an, text, strlen(text), FL_TITLE_START_WORDS,
                                    FL_TITLE_START_SEP, &lead, NULL);
    fl_xquery *q = NULL;
    if (n >= 1 && n <= FL_TITLE_START_WORDS) {
        fl_title_start_key(fl_buf_cstr(&lead), lead.len, &key);
        q = bonus_q(x, FL_PREFIX_TITLE_START, fl_buf_cstr(&key), W_TITLE_START * (double)n);
        if (q)
            why(x, FL_PREFIX_TITLE_START, fl_buf_cstr(&key), "the title starts with '%s'", text);
    }
    fl_buf_free(&lead);
    fl_buf_free(&key);
    return q;
}

int fl_compile(fl_searcher *s, const fl_qnode *root, const char *raw, bool and_all,
               bool explain, fl_compiled *out, char **err)
{
    memset(out, 0, sizeof *out);
    cctx x = {.s = s, .c = out, .err = err, .and_all = and_all, .explain = explain};
    fl_xquery *filter = NULL;
    char *aerr = NULL;
    x.err = &aerr;
    fl_xquery *q = node_q(&x, root, &filter);
    if (filter) {
        if (!q)
            fl_xquery_match_all(&q);
        fl_xquery *pair[2] = {q, filter};
        q = combine_q(&x, FL_XOP_FILTER, pair, 2, 0);
    }
    out->q = q;
    out->hl.unpositioned |= !marks_by_position(&out->hl);
    split_terms(&out->hl);
    phrase_terms(&out->hl);
    if (x.repl_from.n > 0)
        out->corrected = corrected_text(raw, &x.repl_from, &x.repl_to);
    if (q && !x.xerr && !aerr) {
        fl_xquery *ts = title_start_q(&x, root, out->correction_used ? out->corrected : raw);
        if (ts) {
            fl_xquery *pair[2] = {q, ts};
            out->q = q = combine_q(&x, FL_XOP_AND_MAYBE, pair, 2, 0);
        }
    }
    fl_strlist_free(&x.repl_from);
    fl_strlist_free(&x.repl_to);
    fl_strlist_free(&x.tf_terms);
    free(x.tf_freqs);
    if (aerr) {
        fl_compiled_free(out);
        fl_err_set(err, "query analysis failed: %s", aerr);
        free(aerr);
        return FL_SEARCH_EBADQUERY;
    }
    if (x.xerr) {
        fl_xstatus st = fl_xlast_status();
        fl_compiled_free(out);
        if (st == FL_XERR_MODIFIED)
            return -FL_XERR_MODIFIED;
        fl_err_set(err, "index error while building the query: %s", fl_xlast_error());
        return FL_SEARCH_EINDEX;
    }
    return 0;
}
