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

typedef struct spell {
    fl_xtermit *it;
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

/* Visits the children of the node sp->prefix at depth d (its row is
 * rows[d]).  The cursor is at or before the node's first child. */
static void visit(spell *sp, size_t d)
{
    size_t plen = sp->prefix.len;
    if (fl_xtermit_skip_to(sp->it, sp->prefix.data, plen) != FL_XOK) {
        sp->failed = true;
        return;
    }
    while (!sp->failed && !fl_xtermit_at_end(sp->it)) {
        if (++sp->visits > MAX_VISITS)
            return;
        size_t tl = 0;
        uint32_t freq = 0;
        const char *t = fl_xtermit_term(sp->it, &tl, &freq);
        if (tl < plen || memcmp(t, sp->prefix.data, plen) != 0)
            return; /* past this node's subtree */
        if (tl == plen) {
            /* the node's own word: counted by the parent */
            if (fl_xtermit_next(sp->it) != FL_XOK)
                sp->failed = true;
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
            uint32_t *prev = sp->rows[d], *row = sp->rows[d + 1];
            sp->chars[d + 1] = c;
            row[0] = (uint32_t)(d + 1);
            uint32_t best = row[0];
            for (size_t j = 1; j <= sp->qn; j++) {
                uint32_t cost = sp->q[j - 1] == c ? 0 : 1;
                uint32_t v = min3(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
                if (d >= 1 && j >= 2 && sp->q[j - 1] == sp->chars[d] && sp->q[j - 2] == c &&
                    sp->rows[d - 1][j - 2] + 1 < v)
                    v = sp->rows[d - 1][j - 2] + 1;
                row[j] = v;
                if (v < best)
                    best = v;
            }
            fl_buf_append(&sp->prefix, t + plen, adv);
            if (row[sp->qn] <= sp->k && tl == sp->prefix.len)
                consider(sp, t, tl, row[sp->qn], freq);
            if (best <= sp->k)
                visit(sp, d + 1);
        }
    skip:
        if (sp->failed)
            return;
        /* Past every term starting with the child: no UTF-8 byte is 0xFF. */
        fl_buf_putc(&sp->prefix, (char)0xFF);
        if (fl_xtermit_skip_to(sp->it, sp->prefix.data, sp->prefix.len) != FL_XOK)
            sp->failed = true;
        sp->prefix.len = plen;
        sp->prefix.data[plen] = '\0';
    }
}

int fl_spell_suggest(fl_xdb *db, const char *word, unsigned maxedit, char **out)
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
    sp->k = maxedit;
    for (size_t j = 0; j <= qn; j++)
        sp->rows[0][j] = (uint32_t)j;
    int rc = 0;
    fl_xstatus st = fl_xdb_spellings_open(db, &sp->it);
    if (st == FL_XOK && fl_xtermit_at_end(sp->it)) {
        /* No spelling data (an index built without it): the E terms. */
        fl_xtermit_free(sp->it);
        sp->it = NULL;
        fl_buf_puts(&sp->prefix, FL_PREFIX_EXACT);
        sp->plen0 = strlen(FL_PREFIX_EXACT);
        st = fl_xdb_allterms_open(db, FL_PREFIX_EXACT, sp->plen0, &sp->it);
    }
    if (st != FL_XOK) {
        rc = -1;
    } else {
        visit(sp, 0);
        if (sp->failed)
            rc = -1;
    }
    if (rc == 0)
        *out = sp->best;
    else
        free(sp->best);
    fl_xtermit_free(sp->it);
    fl_buf_free(&sp->prefix);
    free(sp);
    return rc;
}
