/* spell.c — spelling corrections from Xapian's spelling data.
 *
 * The indexer fills Xapian's spelling dictionary with the exact words of at
 * least FL_SPELLING_MIN_LETTERS letters (fl_terms.h), frequency = number of
 * documents.  Xapian's own get_spelling_suggestion() answers by merging the
 * word lists of every trigram of the typed word: on the laws (hundreds of
 * thousands of distinct words) that took 20–110 ms per word, more than the
 * rest of a search.  Instead we walk the same dictionary's sorted word list
 * (Database::spellings_begin) like a trie, carrying the rows of an
 * edit-distance table, and jump over every branch whose prefix is already
 * too far from the typed word (TermIterator::skip_to).  Only prefixes within
 * the edit budget are visited, a few hundred to a few thousand B-tree seeks:
 * 0.4–1 ms per word on the laws.  (Walking the E terms instead finds the same
 * words but takes twice as long: they include numbers and other non-words,
 * and their frequencies are read from the posting lists; the walk falls back
 * to them for an index without spelling data.)
 *
 * The first letter must be right (or swapped with the second): see visit().
 * Distance: optimal string alignment (insert, delete, substitute, swap two
 * neighbours), on code points — what Xapian's spelling uses too.  Best
 * candidate: fewest edits, then most documents.
 */
#include "search_int.h"

#include "fl_terms.h"
#include "fl_utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORD 64           /* code points; longer words get no suggestion */
#define MAX_VISITS 20000      /* trie nodes per suggestion: bounds the worst case */
#define MIN_PART 4            /* letters of a compound part, known or corrected */
#define MAX_SIDE_TRIES 2      /* compound corrections tried per side, see below */

typedef struct spell {
    /* The dictionary: Xapian's iterator over it, or (when tab) the copy a
     * completion table holds, at word ti -- the same words in the same
     * order, a binary search instead of a B-tree descent per skip (the
     * walk was a twentieth of the server's CPU on the laws). */
    fl_xtermit *it;
    const fl_completions *tab;
    size_t ti;
    size_t plen0;             /* length of the dictionary's term prefix */
    const uint32_t *q;        /* the typed word, code points */
    size_t qn;
    unsigned k;               /* edit budget */
    fl_buf prefix;            /* current trie node: "E" + bytes */
    uint32_t rows[MAX_WORD + 3][MAX_WORD + 1];
    uint32_t chars[MAX_WORD + 3]; /* code point at each depth (1-based) */
    size_t visits;
    bool failed;
    char *best;               /* without the prefix */
    unsigned best_dist;
    uint32_t best_freq;
} spell;

static uint32_t min3(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* Whether a dictionary word may be offered: letters only, long enough. */
static bool word_ok(const char *w, size_t len)
{
    size_t letters = 0;
    for (size_t i = 0; i < len;) {
        unsigned char b = (unsigned char)w[i];
        if (b < 0x80) {
            if (!(b >= 'a' && b <= 'z'))
                return false;
            i++;
        } else {
            i++;
            while (i < len && ((unsigned char)w[i] & 0xC0) == 0x80)
                i++;
        }
        letters++;
    }
    return letters >= FL_SPELLING_MIN_LETTERS;
}

static void consider(spell *sp, const char *term, size_t len, unsigned dist, uint32_t freq)
{
    const char *w = term + sp->plen0;
    size_t wl = len - sp->plen0;
    if (dist == 0 || !word_ok(w, wl))
        return;
    if (sp->best && (dist > sp->best_dist || (dist == sp->best_dist && freq <= sp->best_freq)))
        return;
    free(sp->best);
    sp->best = fl_xstrndup(w, wl);
    sp->best_dist = dist;
    sp->best_freq = freq;
}

/* The cursor: to the first word >= key; at the end; the word at it; on. */
static void cur_skip_to(spell *sp, const char *key, size_t len)
{
    if (sp->tab)
        sp->ti = fl_spellwords_seek(sp->tab, sp->ti, key, len);
    else if (fl_xtermit_skip_to(sp->it, key, len) != FL_XOK)
        sp->failed = true;
}

static bool cur_at_end(const spell *sp)
{
    return sp->tab ? sp->ti >= fl_completions_spell_count(sp->tab) : fl_xtermit_at_end(sp->it);
}

static const char *cur_term(const spell *sp, size_t *len, uint32_t *freq)
{
    return sp->tab ? fl_spellwords_word(sp->tab, sp->ti, len, freq)
                   : fl_xtermit_term(sp->it, len, freq);
}

static void cur_next(spell *sp)
{
    if (sp->tab)
        sp->ti++;
    else if (fl_xtermit_next(sp->it) != FL_XOK)
        sp->failed = true;
}

/* Visits the children of the node sp->prefix at depth d (its row is
 * rows[d]).  The cursor is at or before the node's first child. */
static void visit(spell *sp, size_t d)
{
    size_t plen = sp->prefix.len;
    cur_skip_to(sp, sp->prefix.data, plen);
    while (!sp->failed && !cur_at_end(sp)) {
        if (++sp->visits > MAX_VISITS)
            return;
        size_t tl = 0;
        uint32_t freq = 0;
        const char *t = cur_term(sp, &tl, &freq);
        if (tl < plen || memcmp(t, sp->prefix.data, plen) != 0)
            return; /* past this node's subtree */
        if (tl == plen) {
            /* the node's own word: counted by the parent */
            cur_next(sp);
            continue;
        }
        size_t adv = 0;
        uint32_t c = fl_utf8_decode(t + plen, tl - plen, &adv);
        if (adv == 0)
            adv = 1;
        /* A typo in the first letter is rare and, allowed, would make every
         * branch of the first two levels worth a visit (Meilisearch counts
         * it as two typos): the word starts with its first letter, or with
         * its second when the first two are swapped or the first is extra. */
        if ((d + 1 > sp->qn + sp->k || d + 1 >= MAX_WORD + 2) ||
            (d == 0 && c != sp->q[0] && (sp->qn < 2 || c != sp->q[1]))) {
            /* deeper than any word within the budget: skip the subtree */
            fl_buf_append(&sp->prefix, t + plen, adv);
            goto skip;
        }
        {
            /* Only the band of cells within the budget of the diagonal
             * (|i - j| <= k) can hold k or less: the cells just outside it
             * are set to k + 1, which is at most their real value, so every
             * value of k or less comes out exact and the walk is the same
             * as with whole rows (Ukkonen's cut-off).  A row of a 20-letter
             * word is 5 cells instead of 20 within two edits. */
            uint32_t *prev = sp->rows[d], *row = sp->rows[d + 1];
            const size_t i = d + 1, k = sp->k;
            const uint32_t cap = (uint32_t)k + 1;
            size_t lo = i > k ? i - k : 1, hi = i + k < sp->qn ? i + k : sp->qn;
            sp->chars[i] = c;
            row[0] = (uint32_t)i;
            if (lo > 1)
                row[lo - 1] = cap;
            uint32_t best = row[0];
            for (size_t j = lo; j <= hi; j++) {
                uint32_t cost = sp->q[j - 1] == c ? 0 : 1;
                uint32_t v = min3(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
                if (d >= 1 && j >= 2 && sp->q[j - 1] == sp->chars[d] && sp->q[j - 2] == c &&
                    sp->rows[d - 1][j - 2] + 1 < v)
                    v = sp->rows[d - 1][j - 2] + 1;
                row[j] = v;
                if (v < best)
                    best = v;
            }
            if (hi < sp->qn)
                row[hi + 1] = cap;
            fl_buf_append(&sp->prefix, t + plen, adv);
            /* row[qn] outside the band: the word is more than k away */
            if (hi == sp->qn && row[sp->qn] <= sp->k && tl == sp->prefix.len)
                consider(sp, t, tl, row[sp->qn], freq);
            if (best <= sp->k)
                visit(sp, d + 1);
        }
    skip:
        if (sp->failed)
            return;
        /* Past every term starting with the child (prefix + its letter).
         * The cursor is at or after the child's first term. */
        if (sp->tab && sp->prefix.len <= FL_SPELLWORDS_PREFIX_MAX) {
            size_t cl = sp->prefix.len, wl = 0;
            uint32_t wf = 0;
            const char *w = cur_at_end(sp) ? NULL : cur_term(sp, &wl, &wf);
            if (w && wl >= cl && memcmp(w, sp->prefix.data, cl) == 0)
                sp->ti = fl_spellwords_past_prefix(sp->tab, sp->ti, cl);
        } else {
            /* no UTF-8 byte is 0xFF */
            fl_buf_putc(&sp->prefix, (char)0xFF);
            cur_skip_to(sp, sp->prefix.data, sp->prefix.len);
        }
        sp->prefix.len = plen;
        sp->prefix.data[plen] = '\0';
    }
}

/* Puts the walk at the dictionary's first word: the table's copy, else
 * Xapian's spelling words, else (an index built without spelling data, as
 * the first walk found) the E terms, whose prefix then starts every node's
 * path.  A Xapian iterator only goes forward: each walk opens its own. */
static fl_xstatus walk_start(spell *sp, fl_xdb *db)
{
    sp->ti = 0;
    fl_buf_truncate(&sp->prefix, sp->plen0); /* the root's path */
    fl_xtermit_free(sp->it);
    sp->it = NULL;
    if (sp->tab)
        return FL_XOK;
    if (sp->plen0 == 0) {
        fl_xstatus st = fl_xdb_spellings_open(db, &sp->it);
        if (st != FL_XOK || !fl_xtermit_at_end(sp->it))
            return st;
        fl_xtermit_free(sp->it);
        sp->it = NULL;
        fl_buf_puts(&sp->prefix, FL_PREFIX_EXACT);
        sp->plen0 = strlen(FL_PREFIX_EXACT);
    }
    return fl_xdb_allterms_open(db, FL_PREFIX_EXACT, sp->plen0, &sp->it);
}

/* fl_spell_suggest, also giving the suggestion's distance and frequency. */
static int suggest(fl_xdb *db, const fl_completions *words, const char *word, unsigned maxedit,
                   char **out, unsigned *dist, uint32_t *freq)
{
    *out = NULL;
    uint32_t q[MAX_WORD];
    size_t qn = 0, len = strlen(word);
    for (size_t i = 0; i < len;) {
        size_t adv = 0;
        uint32_t c = fl_utf8_decode(word + i, len - i, &adv);
        if (qn == MAX_WORD)
            return 0;
        q[qn++] = c;
        i += adv ? adv : 1;
    }
    if (qn == 0 || maxedit == 0)
        return 0;
    spell *sp = fl_xcalloc(1, sizeof *sp);
    sp->q = q;
    sp->qn = qn;
    for (size_t j = 0; j <= qn; j++)
        sp->rows[0][j] = (uint32_t)j;
    /* The spelling words have no prefix: the node path starts empty (but
     * allocated: it is compared with memcmp). */
    fl_buf_reserve(&sp->prefix, 64);
    int rc = 0;
    /* Within one edit first: the fewest edits win, so a word that close
     * is the answer of the walk within two as well (the same words are met
     * in the same order), and that walk visits many times the nodes.  Most
     * typos are one edit. */
    if (fl_completions_spell_count(words) > 0)
        sp->tab = words;
    for (unsigned k = maxedit > 1 ? 1 : maxedit;; k = maxedit) {
        sp->k = k;
        sp->visits = 0;
        if (walk_start(sp, db) != FL_XOK) {
            rc = -1;
            break;
        }
        visit(sp, 0);
        if (sp->failed) {
            rc = -1;
            break;
        }
        if (sp->best || k == maxedit)
            break;
    }
    if (rc == 0) {
        *out = sp->best;
        *dist = sp->best_dist;
        *freq = sp->best_freq;
    } else {
        free(sp->best);
    }
    fl_xtermit_free(sp->it);
    fl_buf_free(&sp->prefix);
    free(sp);
    return rc;
}

int fl_spell_suggest(fl_xdb *db, const fl_completions *words, const char *word, unsigned maxedit,
                     char **out)
{
    unsigned dist;
    uint32_t freq;
    return suggest(db, words, word, maxedit, out, &dist, &freq);
}

/* ------------------------------------------------------------ compounds */

/* Whether w[0..len) is a word of the index (an E term) or of the word
 * list. -1: index error. */
static int known(fl_xdb *db, const fl_analyzer *an, const char *w, size_t len)
{
    if (fl_analyzer_knows(an, w, len))
        return 1;
    fl_buf b = FL_BUF_INIT;
    fl_buf_puts(&b, FL_PREFIX_EXACT);
    fl_buf_append(&b, w, len);
    uint32_t f = 0;
    int rc = fl_xdb_termfreq(db, b.data, b.len, &f) == FL_XOK ? f > 0 : -1;
    fl_buf_free(&b);
    return rc;
}

static size_t cps(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

unsigned fl_typo_budget(const char *s, size_t len)
{
    size_t n = cps(s, len);
    return n >= 9 ? 2 : n >= 5 ? 1 : 0;
}

/* A compound part's own budget, capped by the whole word's. */
static unsigned part_budget(const char *s, size_t len, unsigned maxedit)
{
    unsigned b = fl_typo_budget(s, len);
    return b < maxedit ? b : maxedit;
}

typedef struct cand {
    char *word;
    unsigned dist;
    size_t known_len;
    uint32_t freq;
} cand;

/* Offers known + link + corrected(rest) or corrected(rest) + link + known
 * (head_known says which side is known); keeps the best candidate: fewest
 * edits, then the longest known side, then the most frequent correction. */
static int try_side(fl_xdb *db, const fl_completions *words, cand *best, const char *head,
                    size_t hl, const char *link, const char *tail, size_t tl, bool head_known,
                    unsigned maxedit)
{
    const char *fix = head_known ? tail : head;
    size_t fl = head_known ? tl : hl;
    unsigned budget = part_budget(fix, fl, maxedit);
    if (budget == 0)
        return 0;
    char *typed = fl_xstrndup(fix, fl), *sug = NULL;
    unsigned dist = 0;
    uint32_t freq = 0;
    int rc = suggest(db, words, typed, budget, &sug, &dist, &freq);
    free(typed);
    if (rc != 0 || !sug)
        return rc;
    size_t known_len = head_known ? hl : tl;
    if (!best->word || dist < best->dist ||
        (dist == best->dist &&
         (known_len > best->known_len || (known_len == best->known_len && freq > best->freq)))) {
        free(best->word);
        best->word = head_known ? fl_xasprintf("%.*s%s%s", (int)hl, head, link, sug)
                                : fl_xasprintf("%s%s%.*s", sug, link, (int)tl, tail);
        best->dist = dist;
        best->known_len = known_len;
        best->freq = freq;
    }
    free(sug);
    return 0;
}

/* German linking elements a compound's modifier may end with ("Arbeit-s-",
 * "Schwan-en-"); the longest first. */
static const char *const links[] = {"ens", "es", "en", "er", "ns", "s", "n", "e", ""};
#define NLINKS (sizeof links / sizeof links[0])

int fl_spell_suggest_compound(fl_xdb *db, const fl_completions *words, const fl_analyzer *an,
                              const char *word, unsigned maxedit, char **out)
{
    *out = NULL;
    size_t len = strlen(word);
    if (maxedit == 0 || cps(word, len) < 2 * MIN_PART || cps(word, len) > MAX_WORD)
        return 0;
    /* First the cheap look-ups: which split points (code point boundaries,
     * MIN_PART+ letters each side) have a known modifier (before a linking
     * element) or a known head.  A split with both known means the compound
     * is made of correct words: nothing to correct. */
    size_t heads[MAX_WORD], tails[MAX_WORD]; /* split points, bytes */
    size_t nh = 0, nt = 0;
    for (size_t i = 1; i < len; i++) {
        if (((unsigned char)word[i] & 0xC0) == 0x80)
            continue;
        if (cps(word, i) < MIN_PART || cps(word + i, len - i) < MIN_PART)
            continue;
        int kh = known(db, an, word, i), kt = known(db, an, word + i, len - i);
        if (kh < 0 || kt < 0)
            return -1;
        if (kh)
            heads[nh++] = i;
        if (kt)
            tails[nt++] = i;
        for (size_t k = 0; k < NLINKS && (kh || kt); k++) {
            size_t ll = strlen(links[k]);
            int both = 0;
            if (kh && ll < len - i && strncmp(word + i, links[k], ll) == 0)
                both = known(db, an, word + i + ll, len - i - ll);
            if (both == 0 && kt && ll < i && strncmp(word + i - ll, links[k], ll) == 0)
                both = known(db, an, word, i - ll);
            if (both != 0)
                return both < 0 ? -1 : 0;
        }
    }
    /* Then the corrections, each a walk of the dictionary: the typo after
     * the longest known modifiers, or before the longest known heads — a
     * longer known side leaves less to guess.  A few of each. */
    cand best = {0};
    int rc = 0;
    for (size_t h = nh; h-- > 0 && nh - h <= MAX_SIDE_TRIES && rc == 0;) {
        size_t i = heads[h];
        for (size_t k = 0; k < NLINKS && rc == 0; k++) {
            size_t ll = strlen(links[k]);
            if (ll < len - i && strncmp(word + i, links[k], ll) == 0)
                rc = try_side(db, words, &best, word, i, links[k], word + i + ll, len - i - ll,
                              true, maxedit);
        }
    }
    for (size_t t = 0; t < nt && t < MAX_SIDE_TRIES && rc == 0; t++) {
        size_t i = tails[t];
        for (size_t k = 0; k < NLINKS && rc == 0; k++) {
            size_t ll = strlen(links[k]);
            if (ll < i && strncmp(word + i - ll, links[k], ll) == 0)
                rc = try_side(db, words, &best, word, i - ll, links[k], word + i, len - i,
                              false, maxedit);
        }
    }
    if (rc == 0 && best.word && best.dist <= maxedit)
        *out = best.word;
    else
        free(best.word);
    return rc;
}
