/* excerpt.c — excerpts with every matched form highlighted.
 *
 * Xapian's MSet::snippet cannot know our compound parts and gender forms, so
 * we mark every token whose stem, exact form or compound parts are among the
 * query's terms: known from the hit's term positions where the caller has
 * them (fl_excerpt_at with a token map), else found by analysing the passage
 * with the same chain.  Forms without positions (a gender word's person
 * forms, a wildcard's words) are found by their exact forms, analysing only
 * the words that may have one (fl_hl_may_match_exact).  Only a window of the
 * text around the expected match is looked at, so a 2 MB law costs the same
 * as a blog post.
 */
#include "search_int.h"

#include "fl_tokenize.h"
#include "fl_utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Text beyond this is not analysed as a whole: a window around the hint is. */
#define ANALYSE_MAX 12000
#define ANALYSE_HALF 3000

/* The group of a wildcard prefix that exact starts with (10000 + its
 * index), or -1. */
static int prefix_group(const fl_hl *hl, const char *exact)
{
    for (size_t i = 0; i < hl->prefixes.n; i++)
        if (strncmp(exact, hl->prefixes.items[i], strlen(hl->prefixes.items[i])) == 0)
            return 10000 + (int)i;
    return -1;
}

int fl_hl_match(const fl_hl *hl, const fl_token *t)
{
    int g;
    if (t->stem && (g = fl_strset_find(&hl->stems, t->stem)) >= 0)
        return g;
    if (t->exact && (g = fl_strset_find(&hl->exacts, t->exact)) >= 0)
        return g;
    if (t->stem && (g = fl_strset_find(&hl->parts, t->stem)) >= 0)
        return g;
    for (size_t i = 0; i < t->nparts; i++) {
        if ((g = fl_strset_find(&hl->stems, t->parts[i])) >= 0)
            return g;
        if ((g = fl_strset_find(&hl->parts, t->parts[i])) >= 0)
            return g;
    }
    return t->exact ? prefix_group(hl, t->exact) : -1;
}

/* Whether a form can be the exact form of a word starting with w[0..n)
 * (lower-cased): one is a prefix of the other. */
static bool agrees(const unsigned char *w, size_t n, const char *form)
{
    for (size_t i = 0; i < n && form[i]; i++) {
        unsigned char c = w[i] >= 'A' && w[i] <= 'Z' ? (unsigned char)(w[i] - 'A' + 'a') : w[i];
        if ((unsigned char)form[i] != c)
            return false;
    }
    return true;
}

static bool ascii_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The i-th form of exacts then prefixes. */
static const char *form_at(const fl_strset *exacts, const fl_strlist *prefixes, size_t i)
{
    return i < exacts->n ? exacts->s[i] : prefixes->items[i - exacts->n];
}

/* Whether one of the forms starts with a byte other than an ASCII letter
 * (but for the letters of allow). */
static bool form_starts_other(const fl_strset *exacts, const fl_strlist *prefixes,
                              const char *allow)
{
    for (size_t i = 0; i < exacts->n + prefixes->n; i++) {
        unsigned char c = (unsigned char)form_at(exacts, prefixes, i)[0];
        bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!letter || strchr(allow, c))
            return true;
    }
    return false;
}

bool fl_hl_may_match_exact(const fl_hl *hl, bool loose_only, const char *text,
                           const fl_rawtoken *rt)
{
    const fl_strset *exacts = loose_only ? &hl->loose_exacts : &hl->exacts;
    const fl_strlist *prefixes = &hl->prefixes;
    switch (rt->kind) {
    case FL_TOKEN_NUMBER:
    case FL_TOKEN_DATE:
        return form_starts_other(exacts, prefixes, ""); /* "1000", "2026-01-15" */
    case FL_TOKEN_PARAGRAPH:
        return form_starts_other(exacts, prefixes, "a"); /* "§622", "art3" */
    default:
        break; /* words, addresses: their letters and digits as written */
    }
    const unsigned char *w = (const unsigned char *)text + rt->start;
    size_t n = 0;
    while (n < rt->len && ascii_alnum(w[n]))
        n++;
    if (n > 0 && n < rt->len && w[n] >= 0x80)
        n--;
    if (n == 0)
        return true;
    for (size_t i = 0; i < exacts->n + prefixes->n; i++)
        if (agrees(w, n, form_at(exacts, prefixes, i)))
            return true;
    return false;
}

/* The group of a token found by its exact form alone (fl_hl.loose_exacts,
 * prefixes), or -1. */
static int loose_match(const fl_hl *hl, const fl_token *t)
{
    if (!t->exact)
        return -1;
    int g = fl_strset_find(&hl->loose_exacts, t->exact);
    return g >= 0 ? g : prefix_group(hl, t->exact);
}

typedef struct loose_ask {
    const fl_hl *hl;
    int group;
} loose_ask;

static int loose_cb(void *ud, const fl_token *t)
{
    loose_ask *a = ud;
    a->group = loose_match(a->hl, t);
    return 0;
}

typedef struct mark {
    size_t start, end;
    int group;
} mark;

typedef struct marks {
    const fl_hl *hl;
    size_t base;
    mark *m;
    size_t n, cap;
} marks;

static void mark_push(marks *ms, size_t start, size_t end, int group)
{
    if (ms->n == ms->cap) {
        ms->cap = ms->cap ? ms->cap * 2 : 32;
        ms->m = fl_xrealloc(ms->m, ms->cap * sizeof *ms->m);
    }
    ms->m[ms->n++] = (mark){start, end, group};
}

static int mark_cb(void *ud, const fl_token *t)
{
    marks *ms = ud;
    int g = fl_hl_match(ms->hl, t);
    if (g >= 0)
        mark_push(ms, ms->base + t->offset, ms->base + t->offset + t->surface_len, g);
    return 0;
}

/* What emit does with a byte: copy it (0), collapse it as white space (1),
 * escape it (2).  A table: emit's runs of plain bytes cost a load and a
 * test a byte, and go out with one copy. */
static const unsigned char emit_class[256] = {
    [' '] = 1, ['\n'] = 1, ['\t'] = 1, ['\r'] = 1,
    ['&'] = 2, ['<'] = 2,   ['>'] = 2,   ['"'] = 2, ['\''] = 2};

static bool is_ws(char c) { return emit_class[(unsigned char)c] == 1; }

/* Moves i back to a character boundary. */
static size_t char_start(const char *s, size_t i)
{
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

/* Writes c HTML-escaped at w; returns the end. */
static char *escape_byte(char *w, char c)
{
    const char *rep;
    switch (c) {
    case '&': rep = "&amp;"; break;
    case '<': rep = "&lt;"; break;
    case '>': rep = "&gt;"; break;
    case '"': rep = "&quot;"; break;
    case '\'': rep = "&#39;"; break;
    default: *w++ = c; return w;
    }
    size_t n = strlen(rep);
    memcpy(w, rep, n);
    return w + n;
}

/* Writes s[i..end) at w, escaped, white space as it is (a mark's text);
 * returns the end. */
static char *put_escaped(char *w, const char *s, size_t i, size_t end)
{
    while (i < end) {
        size_t r = i;
        while (r < end && emit_class[(unsigned char)s[r]] != 2)
            r++;
        memcpy(w, s + i, r - i);
        w += r - i;
        if (r < end)
            w = escape_byte(w, s[r++]);
        i = r;
    }
    return w;
}

/* Appends s[a..b) with white space runs collapsed and marks applied,
 * HTML-escaped (escape_byte).  Written straight into room
 * reserved for the worst case -- every byte escaped ("&quot;", 6 bytes),
 * every mark's tags -- instead of a call per word. */
static void emit(fl_buf *out, const char *s, size_t a, size_t b, const mark *m, size_t nm)
{
    static const char open_tag[] = "<mark>", close_tag[] = "</mark>";
    fl_buf_reserve(out, (b - a) * 6 + nm * (sizeof open_tag + sizeof close_tag));
    char *w = out->data + out->len;
    size_t k = 0;
    while (k < nm && m[k].start < a)
        k++;
    size_t i = a;
    bool sp = false;
    while (i < b) {
        if (k < nm && m[k].start == i && m[k].end <= b) {
            if (sp)
                *w++ = ' ';
            sp = false;
            memcpy(w, open_tag, sizeof open_tag - 1);
            w += sizeof open_tag - 1;
            w = put_escaped(w, s, m[k].start, m[k].end);
            memcpy(w, close_tag, sizeof close_tag - 1);
            w += sizeof close_tag - 1;
            i = m[k].end;
            k++;
            while (k < nm && m[k].start < i)
                k++;
            continue;
        }
        if (is_ws(s[i])) {
            sp = true;
            i++;
            continue;
        }
        if (sp)
            *w++ = ' ';
        sp = false;
        /* A mark that does not end by b is not applied (its text is cut):
         * the text runs on to b.  The words' bytes up to other white space
         * than one space between two plain bytes, or the next mark: runs of
         * plain ones copied whole, the words of a sentence mostly one run. */
        size_t stop = k < nm && m[k].end <= b ? m[k].start : b;
        while (i < stop) {
            size_t r = i;
            while (r < stop) {
                if (!emit_class[(unsigned char)s[r]])
                    r++;
                else if (s[r] == ' ' && r > i && r + 1 < stop &&
                         !emit_class[(unsigned char)s[r + 1]])
                    r += 2;
                else
                    break;
            }
            memcpy(w, s + i, r - i);
            w += r - i;
            i = r;
            if (i >= stop || is_ws(s[i]))
                break;
            w = escape_byte(w, s[i++]);
        }
    }
    out->len = (size_t)(w - out->data);
    out->data[out->len] = '\0';
}

static size_t excerpt_region(const fl_analyzer *an, const fl_hl *hl, const char *text, size_t len,
                             size_t ra, size_t rb, size_t length, bool fallback_start,
                             const fl_tokmap *tm, fl_buf *out);

/* Widens [*ra, *rb) to word boundaries. */
static void to_words(const char *text, size_t len, size_t *ra, size_t *rb)
{
    while (*ra > 0 && !is_ws(text[*ra - 1]))
        (*ra)--;
    while (*rb < len && !is_ws(text[*rb]))
        (*rb)++;
}

size_t fl_excerpt(const fl_analyzer *an, const fl_hl *hl, const char *text, size_t len,
                  size_t hint_byte, size_t length, bool fallback_start, fl_buf *out)
{
    if (!text || len == 0)
        return 0;
    if (length == 0)
        length = 220;
    /* The region to analyse. */
    size_t ra = 0, rb = len;
    if (len > ANALYSE_MAX) {
        size_t c = hint_byte == SIZE_MAX ? 0 : (hint_byte < len ? hint_byte : len - 1);
        ra = c > ANALYSE_HALF ? c - ANALYSE_HALF : 0;
        rb = ra + 2 * ANALYSE_HALF < len ? ra + 2 * ANALYSE_HALF : len;
        to_words(text, len, &ra, &rb);
    }
    return excerpt_region(an, hl, text, len, ra, rb, length, fallback_start, NULL, out);
}

size_t fl_excerpt_at(const fl_analyzer *an, const fl_hl *hl, const char *text, size_t len,
                     size_t match_byte, size_t length, const fl_tokmap *tm, fl_buf *out)
{
    if (!text || len == 0)
        return 0;
    if (length == 0)
        length = 220;
    /* The excerpt starts at most a third of its length before the match
     * and ends at most its length after it: analysing more costs time. */
    size_t c = match_byte < len ? match_byte : len - 1;
    size_t ra = c > length / 2 ? c - length / 2 : 0;
    size_t rb = c + length + length / 4 < len ? c + length + length / 4 : len;
    to_words(text, len, &ra, &rb);
    return excerpt_region(an, hl, text, len, ra, rb, length, true, hl->unpositioned ? NULL : tm,
                          out);
}

/* The marks of text[ra..rb): every token the analysis chain matches with hl
 * in the region (only the words that may have an exact form or prefix of
 * hl analysed when there are no stems or parts to find), or, when tm knows
 * the matched tokens, those tokens whole, with the group tm gives -- what
 * analysing them would give (the chain makes one token of each raw token,
 * its surface the whole raw token, and a token at a query term's position
 * matches hl), without repeating the indexer's work -- and the words with
 * one of hl's person forms or prefixes (fl_hl.loose_exacts). */
static void find_marks(const fl_analyzer *an, const char *text, size_t ra, size_t rb,
                       const fl_tokmap *tm, marks *ms)
{
    const fl_hl *hl = ms->hl;
    if (!tm) {
        ms->base = ra;
        if (hl->stems.n || hl->parts.n) {
            fl_analyze(an, text + ra, rb - ra, mark_cb, ms, NULL);
            return;
        }
        /* Only exact forms and prefixes to match (a wildcard's): the words
         * that cannot have one are not analysed -- most of a window. */
        const char *w = text + ra;
        size_t pos = 0;
        fl_rawtoken rt;
        while (fl_tokenize_next(w, rb - ra, &pos, &rt))
            if (fl_hl_may_match_exact(hl, false, w, &rt))
                fl_analyze_token(an, w, &rt, mark_cb, ms, NULL);
        return;
    }
    /* Forms without positions: every word of the window is looked at. */
    bool loose = hl->loose_exacts.n || hl->prefixes.n;
    uint32_t tok = 0;
    size_t pos = tm->start_before(tm->ud, ra, &tok);
    fl_rawtoken rt;
    while (fl_tokenize_next(text, rb, &pos, &rt)) {
        if (rt.start >= ra) {
            int group = tm->matched(tm->ud, tok);
            if (group < 0 && loose && fl_hl_may_match_exact(hl, true, text, &rt)) {
                loose_ask a = {hl, -1};
                fl_analyze_token(an, text, &rt, loose_cb, &a, NULL);
                group = a.group;
            }
            if (group >= 0)
                mark_push(ms, rt.start, rt.start + rt.len, group);
        }
        uint32_t next = tok + 1;
        if (tm->resume && !loose) {
            size_t at = tm->resume(tm->ud, tok, pos, &next);
            if (at == SIZE_MAX || at >= rb)
                break;
            pos = at;
        }
        tok = next;
    }
}

static size_t excerpt_region(const fl_analyzer *an, const fl_hl *hl, const char *text, size_t len,
                             size_t ra, size_t rb, size_t length, bool fallback_start,
                             const fl_tokmap *tm, fl_buf *out)
{
    marks ms = {hl, ra, NULL, 0, 0};
    find_marks(an, text, ra, rb, tm, &ms);
    if (ms.n == 0 && !fallback_start) {
        free(ms.m);
        return 0;
    }
    /* Best window: most distinct query words, then most marks. */
    size_t best_i = 0, best_j = 0;
    long best = -1;
    for (size_t i = 0; i < ms.n; i++) {
        size_t j = i;
        int seen[16];
        int nseen = 0;
        long count = 0;
        /* A window holds at least its first mark, even one longer than
         * the excerpt (a 23-letter compound in a 20-byte excerpt). */
        while (j < ms.n && (j == i || ms.m[j].end - ms.m[i].start <= length)) {
            bool dup = false;
            for (int k = 0; k < nseen; k++)
                dup |= seen[k] == ms.m[j].group;
            if (!dup && nseen < 16)
                seen[nseen++] = ms.m[j].group;
            count++;
            j++;
        }
        long score = nseen * 1000L + count;
        if (score > best) {
            best = score;
            best_i = i;
            best_j = j;
        }
    }
    size_t start, end;
    if (ms.n == 0) {
        start = ra;
    } else {
        size_t ms0 = ms.m[best_i].start;
        size_t me = ms.m[best_j - 1].end;
        size_t slack = length > me - ms0 ? length - (me - ms0) : 0;
        start = ms0 > slack / 3 ? ms0 - slack / 3 : 0;
        /* Short texts: show from the beginning when the match fits. */
        if (me <= length)
            start = 0;
    }
    end = start + length < len ? start + length : len;
    if (end == len && len > length)
        start = len - length > start ? start : len - length;
    /* Cut on word boundaries, UTF-8-safe. */
    if (start > 0) {
        size_t s2 = start;
        while (s2 < end && !is_ws(text[s2 - 1]))
            s2++;
        start = s2 < end && (ms.n == 0 || s2 <= ms.m[best_i].start) ? s2 : char_start(text, start);
    }
    if (end < len) {
        size_t e2 = end;
        while (e2 > start && !is_ws(text[e2]))
            e2--;
        end = e2 > start && (ms.n == 0 || e2 >= ms.m[best_j - 1].end) ? e2 : char_start(text, end);
    }
    /* The best window's first mark whole, even past the length. */
    if (ms.n > 0 && ms.m[best_i].start >= start && ms.m[best_i].end > end)
        end = ms.m[best_i].end;
    while (start < end && is_ws(text[start]))
        start++;
    while (end > start && is_ws(text[end - 1]))
        end--;
    if (start > 0)
        fl_buf_puts(out, "… ");
    emit(out, text, start, end, ms.m, ms.n);
    if (end < len)
        fl_buf_puts(out, " …");
    size_t nm = 0;
    for (size_t i = 0; i < ms.n; i++)
        nm += ms.m[i].start >= start && ms.m[i].end <= end;
    free(ms.m);
    return nm;
}
