/* german_stem.c — the current Snowball German stemmer (see fl_stem.h).
 *
 * Written from the published description of the algorithm
 * (snowballstem.org, German), in its current form, which merged the former
 * "german2" variant and added later refinements:
 *
 *   prelude   u and y between vowels become the consonants U and Y;
 *             then ß → ss, ae → ä, oe → ö, ue → ü (but "qu" is left alone,
 *             so the u of "quelle" never starts a "ue");
 *   regions   R1 = after the first non-vowel following a vowel, but at
 *             least 3 letters in; R2 = the same rule applied again after R1;
 *   step 1    the longest of em ern er erin erinnen e en es s ln lns, if in
 *             R1: em is kept after "syst"; e/en/es also drop the s of a
 *             remaining "niss"; s needs a valid s-ending before it; ln/lns
 *             become l;
 *   step 2    the longest of en er est st et, if in R1: st needs a valid
 *             st-ending preceded by at least 3 letters; et needs a valid
 *             et-ending and is kept after geordn, intern, plan, tick, tr
 *             (Planet, Ticket, Internet are not verb forms);
 *   step 3    the longest of end ung ig ik isch lich heit keit, if in R2,
 *             with the follow-up deletions listed at step3();
 *   postlude  U, Y back to u, y; ä ö ü lose their umlaut.
 *
 * The word is held as an array of code points: every rule is a comparison
 * of a few letters at the end of the word, so this keeps each rule a plain
 * loop, and nothing is allocated for words up to WORD_INLINE letters.
 * Internal markers are the upper-case letters 'U' and 'Y', which cannot
 * occur otherwise because the input is lower-cased first.
 */
#include "fl_stem.h"

#include "fl_utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define A_UML 0x00E4 /* ä */
#define O_UML 0x00F6 /* ö */
#define U_UML 0x00FC /* ü */
#define SHARP_S 0x00DF
#define WORD_INLINE 128

typedef struct {
    uint32_t *c; /* code points */
    size_t len;
    size_t p1, p2; /* start of R1 and R2 */
} word;

/* Letter classes of the algorithm, as bit flags over Latin-1 (every letter
 * the rules name is below U+0100): a table lookup per letter keeps the
 * region search and the ending checks cheap. */
enum {
    VOWEL = 1,     /* a e i o u y ä ö ü */
    S_ENDING = 2,  /* may precede a deletable -s (step 1) */
    ST_ENDING = 4, /* may precede a deletable -st (step 2): s-endings but r */
    ET_ENDING = 8, /* may precede a deletable -et (step 2) */
};

static const unsigned char letter_class[256] = {
    ['a'] = VOWEL, ['e'] = VOWEL, ['i'] = VOWEL, ['o'] = VOWEL, ['u'] = VOWEL, ['y'] = VOWEL,
    [A_UML] = VOWEL | ET_ENDING, [O_UML] = VOWEL, [U_UML] = VOWEL,
    ['b'] = S_ENDING | ST_ENDING, ['d'] = S_ENDING | ST_ENDING | ET_ENDING,
    ['f'] = S_ENDING | ST_ENDING | ET_ENDING, ['g'] = S_ENDING | ST_ENDING | ET_ENDING,
    ['h'] = S_ENDING | ST_ENDING, ['k'] = S_ENDING | ST_ENDING | ET_ENDING,
    ['l'] = S_ENDING | ST_ENDING | ET_ENDING, ['m'] = S_ENDING | ST_ENDING | ET_ENDING,
    ['n'] = S_ENDING | ST_ENDING | ET_ENDING, ['r'] = S_ENDING | ET_ENDING,
    ['t'] = S_ENDING | ST_ENDING | ET_ENDING, ['s'] = ET_ENDING, ['z'] = ET_ENDING,
    ['U'] = ET_ENDING, /* the consonant u of the prelude */
};

static inline bool has_class(uint32_t c, unsigned char cls)
{
    return c < 256 && (letter_class[c] & cls);
}

static inline bool is_vowel(uint32_t c)
{
    return has_class(c, VOWEL);
}

/* Does w[0..end) end with the n-letter ASCII string s?  Compared from the
 * last letter, which rules out most candidates at once. */
static bool ends_with_n(const word *w, size_t end, const char *s, size_t n)
{
    if (n > end)
        return false;
    const uint32_t *p = w->c + end - n;
    for (size_t i = n; i-- > 0;)
        if (p[i] != (unsigned char)s[i])
            return false;
    return true;
}

/* For string literals: the length is known at compile time. */
#define ENDS_AT(w, end, lit) ends_with_n((w), (end), lit, sizeof(lit) - 1)
#define ENDS(w, lit) ENDS_AT((w), (w)->len, lit)

/* One entry of a suffix list: the suffix and the rule it selects. */
typedef struct {
    const char *s;
    unsigned char len;
    unsigned char rule;
} suffix;

#define SUF(lit, rule) {lit, sizeof(lit) - 1, rule}

/* The longest suffix of w from `list` (ordered longest first, ending with a
 * NULL entry), or NULL.  Like Snowball's "among": the rule is chosen by the
 * longest match alone; if its conditions then fail, no shorter suffix is
 * tried. */
static const suffix *longest_suffix(const word *w, const suffix *list)
{
    for (; list->s; list++)
        if (ends_with_n(w, w->len, list->s, list->len))
            return list;
    return NULL;
}

/* ---------------------------------------------------------------- prelude */

/* Lower-cases ASCII, Ä Ö Ü and ẞ, and spells ß (either case) as "ss" right
 * away: ß is neither a vowel nor u/y, so doing it before the u/y marking
 * gives the same result as the published order.  Returns the number of code
 * points written to c (at most len). */
static size_t decode_word(const char *s, size_t len, uint32_t *c)
{
    size_t n = 0, i = 0;
    while (i < len) {
        unsigned char b = (unsigned char)s[i];
        uint32_t cp;
        if (b < 0x80) {
            cp = (b >= 'A' && b <= 'Z') ? (uint32_t)(b + 32) : b;
            i++;
        } else {
            size_t adv;
            cp = fl_utf8_decode(s + i, len - i, &adv);
            i += adv;
            switch (cp) {
            case 0x00C4: cp = A_UML; break;
            case 0x00D6: cp = O_UML; break;
            case 0x00DC: cp = U_UML; break;
            case SHARP_S:
            case 0x1E9E: /* capital ẞ */
                c[n++] = 's';
                cp = 's';
                break;
            default: break;
            }
        }
        c[n++] = cp;
    }
    return n;
}

static void prelude(word *w)
{
    uint32_t *c = w->c;
    /* u or y between vowels is a consonant: mark it, left to right, so that
     * a marked letter no longer counts as a vowel for its right neighbour. */
    for (size_t i = 1; i + 1 < w->len; i++)
        if ((c[i] == 'u' || c[i] == 'y') && is_vowel(c[i - 1]) && is_vowel(c[i + 1]))
            c[i] = c[i] == 'u' ? 'U' : 'Y';

    /* ae, oe, ue are written-out umlauts, except the u of "qu". */
    size_t o = 0, i = 0;
    while (i < w->len) {
        if (i + 1 < w->len) {
            uint32_t a = c[i], b = c[i + 1];
            if (a == 'q' && b == 'u') {
                c[o++] = a;
                c[o++] = b;
                i += 2;
                continue;
            }
            if (b == 'e' && (a == 'a' || a == 'o' || a == 'u')) {
                c[o++] = a == 'a' ? A_UML : a == 'o' ? O_UML : U_UML;
                i += 2;
                continue;
            }
        }
        c[o++] = c[i++];
    }
    w->len = o;
}

/* ---------------------------------------------------------------- regions */

/* Position after the first non-vowel that follows a vowel, searching from
 * `from`; w->len when there is none. */
static size_t region_after(const word *w, size_t from)
{
    size_t i = from;
    while (i < w->len && !is_vowel(w->c[i]))
        i++;
    while (i < w->len && is_vowel(w->c[i]))
        i++;
    return i < w->len ? i + 1 : w->len;
}

static void mark_regions(word *w)
{
    w->p1 = w->p2 = w->len;
    if (w->len < 3)
        return; /* the region rule needs at least 3 letters */
    size_t r1 = region_after(w, 0);
    /* R2 is searched from the unadjusted R1 start. */
    w->p2 = region_after(w, r1);
    w->p1 = r1 < 3 ? 3 : r1;
}

/* ---------------------------------------------------------------- steps */

enum { S1_EM, S1_ER, S1_E, S1_S, S1_LN };

static void step1(word *w)
{
    static const suffix suffixes[] = {
        SUF("erinnen", S1_ER), SUF("erin", S1_ER), SUF("ern", S1_ER), SUF("lns", S1_LN),
        SUF("em", S1_EM),      SUF("er", S1_ER),   SUF("en", S1_E),   SUF("es", S1_E),
        SUF("ln", S1_LN),      SUF("e", S1_E),     SUF("s", S1_S),    {NULL, 0, 0}};
    const suffix *suf = longest_suffix(w, suffixes);
    if (!suf)
        return;
    size_t start = w->len - suf->len;
    if (start < w->p1)
        return;
    switch (suf->rule) {
    case S1_EM: /* -system keeps its m */
        if (!ENDS_AT(w, start, "syst"))
            w->len = start;
        break;
    case S1_ER: /* er ern erin erinnen */
        w->len = start;
        break;
    case S1_E: /* e en es; bedürfnissen → bedürfnis */
        w->len = start;
        if (ENDS(w, "niss"))
            w->len--;
        break;
    case S1_S:
        if (start > 0 && has_class(w->c[start - 1], S_ENDING))
            w->len = start;
        break;
    case S1_LN: /* ln lns → l */
        w->len = start + 1;
        break;
    }
}

enum { S2_DEL, S2_ST, S2_ET };

static void step2(word *w)
{
    static const suffix suffixes[] = {SUF("est", S2_DEL), SUF("en", S2_DEL), SUF("er", S2_DEL),
                                      SUF("et", S2_ET),   SUF("st", S2_ST),  {NULL, 0, 0}};
    const suffix *suf = longest_suffix(w, suffixes);
    if (!suf)
        return;
    size_t start = w->len - suf->len;
    if (start < w->p1)
        return;
    switch (suf->rule) {
    case S2_DEL: /* en er est */
        w->len = start;
        break;
    case S2_ST: /* the st-ending letter itself must be preceded by 3 letters */
        if (start >= 4 && has_class(w->c[start - 1], ST_ENDING))
            w->len = start;
        break;
    case S2_ET:
        if (start == 0 || !has_class(w->c[start - 1], ET_ENDING))
            break;
        /* Planet, Ticket, Internet, untergeordnet, vertret: not verb forms */
        if (ENDS_AT(w, start, "geordn") || ENDS_AT(w, start, "intern") ||
            ENDS_AT(w, start, "plan") || ENDS_AT(w, start, "tick") || ENDS_AT(w, start, "tr"))
            break;
        w->len = start;
        break;
    }
}

enum { S3_END_UNG, S3_IG_IK_ISCH, S3_LICH_HEIT, S3_KEIT };

/* Step 3 (derivational suffixes, in R2):
 *   end ung    delete; then a preceding ig goes too if in R2 and not after e
 *   ig ik isch delete unless after e
 *   lich heit  delete; then a preceding er or en goes too if in R1
 *   keit       delete; then a preceding lich or ig goes too if in R2 */
static void step3(word *w)
{
    static const suffix suffixes[] = {
        SUF("isch", S3_IG_IK_ISCH), SUF("lich", S3_LICH_HEIT), SUF("heit", S3_LICH_HEIT),
        SUF("keit", S3_KEIT),       SUF("end", S3_END_UNG),    SUF("ung", S3_END_UNG),
        SUF("ig", S3_IG_IK_ISCH),   SUF("ik", S3_IG_IK_ISCH),  {NULL, 0, 0}};
    static const suffix after_keit[] = {SUF("lich", 0), SUF("ig", 0), {NULL, 0, 0}};
    const suffix *suf = longest_suffix(w, suffixes);
    if (!suf)
        return;
    size_t start = w->len - suf->len;
    if (start < w->p2)
        return;
    switch (suf->rule) {
    case S3_END_UNG:
        w->len = start;
        if (ENDS(w, "ig") && w->len - 2 >= w->p2 && !ENDS_AT(w, w->len - 2, "e"))
            w->len -= 2;
        break;
    case S3_IG_IK_ISCH:
        if (!ENDS_AT(w, start, "e"))
            w->len = start;
        break;
    case S3_LICH_HEIT:
        w->len = start;
        if ((ENDS(w, "er") || ENDS(w, "en")) && w->len - 2 >= w->p1)
            w->len -= 2;
        break;
    case S3_KEIT: {
        w->len = start;
        const suffix *s2 = longest_suffix(w, after_keit);
        if (s2 && w->len - s2->len >= w->p2)
            w->len -= s2->len;
        break;
    }
    }
}

/* ---------------------------------------------------------------- output */

static void postlude_encode(const word *w, fl_buf *out)
{
    fl_buf_reserve(out, w->len * 4);
    for (size_t i = 0; i < w->len; i++) {
        uint32_t cp = w->c[i];
        switch (cp) {
        case 'U': cp = 'u'; break;
        case 'Y': cp = 'y'; break;
        case A_UML: cp = 'a'; break;
        case O_UML: cp = 'o'; break;
        case U_UML: cp = 'u'; break;
        default: break;
        }
        if (cp < 0x80)
            out->data[out->len++] = (char)cp;
        else
            fl_utf8_encode(out, cp);
    }
    out->data[out->len] = '\0';
}

void fl_german_stem(const char *s, size_t len, fl_buf *out)
{
    uint32_t inl[WORD_INLINE];
    /* Each byte yields at most one code point (ß and ẞ take 2–3 bytes and
     * become 2), so len code points always suffice. */
    uint32_t *c = len <= WORD_INLINE ? inl : fl_xmalloc(len * sizeof *c);
    word w = {c, 0, 0, 0};
    w.len = decode_word(s, len, c);

    prelude(&w);
    mark_regions(&w);
    step1(&w);
    step2(&w);
    step3(&w);
    postlude_encode(&w, out);

    if (c != inl)
        free(c);
}

char *fl_german_stem_dup(const char *word, size_t len)
{
    fl_buf b = FL_BUF_INIT;
    fl_german_stem(word, len, &b);
    return fl_buf_detach(&b);
}
