/* compound.c — dictionary-based German compound splitting (see fl_compound.h).
 *
 * Dynamic programming over the suffixes of the word: best[i] is the best
 * split of w[i..] into modifiers and a final head.  Then every part is split
 * again (binary decomposition), which gives the full part list while the
 * "fewest parts" preference keeps accidental short words out.
 */
#include "fl_compound.h"

#include "fl_analyzer.h"
#include "fl_gender.h"

#include <stdbool.h>
#include <string.h>

/* Verb particles and prefixes: "Auftrag", "Beitrag", "Vorstand", "Umwelt"
 * are derivations, not compounds of "auf"/"bei"/"vor"/"um". */
static const char *const bad_modifiers[] = {
    "ab", "an", "auf", "aus", "bei", "da", "dar", "durch", "ein", "emp", "ent", "er", "fort",
    "ge", "gegen", "her", "hin", "hinter", "los", "miss", "mit", "nach", "neben", "ob",
    "über", "um", "un", "unter", "ur", "ver", "vor", "weg", "wider", "zer", "zu", "zurück",
    "zusammen", "außer", "wieder", "weiter", "pro", "kon", "kom", "per", "prä", "inter",
    "teil", "verb", "bunde", "fest", "bereit", "bekannt", "voll", "nieder", "statt",
    "wahr", "voran", "voraus", "vorbei", "herab", "heran", "herauf", "heraus", "herbei", "herein",
    "hinab", "hinauf", "hinaus", "hinein", "empor", "entgegen", "gen", "dis", "re", "de",
    NULL};

/* Heads that are words but in a compound are (almost always) derivational
 * suffixes or Latin endings: "Wirt"+"schaft", "Gene"+"ration". */
static const char *const bad_heads[] = {
    "schaft", "schaften", "schafts", "statt", "ing", "tücke", "tücken", "heit", "heiten", "keit", "keiten", "tung", "tungen", "dung",
    "dungen", "lung", "lungen", "nung", "nungen", "rung", "rungen", "ung", "ungen", "ion",
    "ionen", "ration", "rationen", "nation", "nationen", "lich", "liche", "lichen", "nis",
    "nisse", "tum", "ling", "linge", "chen", "lein", "erei", "ismus", "ist", "isten",
    "ität", "ent", "enten", "ant", "anten", "ier", "iere", "ieren", "ine", "inen", "tor",
    "toren", "ur", "uren", "ade", "age", "ette", "ose", "ine", "ment", "ante", "ender",
    "ende", "enden", "ung", "ern", "eln", "ens", "bar", "sam", "haft", "los", NULL};

/* Words that look like compounds but are names. */
static const char *const no_split[] = {"frankfurt", "bernstein", "hermann", "hoffmann",
                                       "kaufmann", "neumann", "zimmermann", NULL};

static bool in_list(const char *const *list, const char *s, size_t n)
{
    for (size_t i = 0; list[i]; i++)
        if (list[i][0] == s[0] && strncmp(list[i], s, n) == 0 && list[i][n] == '\0')
            return true;
    return false;
}

static size_t chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

static bool ends_with(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(s + n - k, suf, k) == 0;
}

static unsigned lookup_plus(const fl_wordlist *wl, const char *s, size_t n, const char *add)
{
    char buf[FL_COMPOUND_MAX_BYTES + 8];
    size_t k = strlen(add);
    if (n > FL_COMPOUND_MAX_BYTES || k > 7)
        return 0;
    memcpy(buf, s, n);
    memcpy(buf + n, add, k);
    return fl_wordlist_lookup(wl, buf, n + k);
}

static bool is_head(const fl_wordlist *wl, const char *s, size_t n, size_t min_chars)
{
    size_t c = chars(s, n);
    if (c < min_chars || c < 3)
        return false;
    if (in_list(bad_heads, s, n))
        return false;
    if ((ends_with(s, n, "ung") || ends_with(s, n, "ungen")) && c < (ends_with(s, n, "en") ? 7 : 5))
        return false;
    unsigned f = fl_wordlist_lookup(wl, s, n);
    if (f & FL_WORD_NOUN)
        return true;
    /* wngerman lists a noun only in lower case when a lower-case homograph
     * exists ("zeit", "recht", "plan", "steuer", "kosten"): accept those, but
     * not what looks like a conjugated verb ("beinhaltet" → "haltet"). */
    if (!(f & FL_WORD_LOWER))
        return false;
    if (!(ends_with(s, n, "et") || ends_with(s, n, "st") || ends_with(s, n, "te")))
        return true;
    /* looks like a verb form: accept it only when a capitalised inflection
     * shows it is a noun too ("dienst" → "Dienste", "punkte" → "Punkt") */
    static const char *const infl[] = {"e", "en", "es", "s", NULL};
    for (size_t i = 0; infl[i]; i++)
        if (lookup_plus(wl, s, n, infl[i]) & FL_WORD_NOUN)
            return true;
    if (ends_with(s, n, "e") && (fl_wordlist_lookup(wl, s, n - 1) & FL_WORD_NOUN))
        return true;
    return false;
}

/* What a modifier candidate s[0..n) allows (computed once per span, then
 * checked against each linking element). */
enum {
    MOD_ANY = 1,        /* noun / listed word: any linking element */
    MOD_ELIDE = 2,      /* noun minus -e (Schul-hof, Hilf-s-mittel): "" or -s- */
    MOD_STEM = 4,       /* adjective / verb stem (Mindest-, Wohn-, Warte-): "" or -e- */
    MOD_NEED_S = 8,     /* -ung, -heit ...: only -s- */
    MOD_NEED_S_EN = 16  /* -ion: -s- or -en- */
};

static unsigned modifier_info(const fl_wordlist *wl, const char *s, size_t n, size_t min_chars)
{
    size_t c = chars(s, n);
    if (c < min_chars || c < 3)
        return 0;
    if (in_list(bad_modifiers, s, n) || fl_is_stopword(s, n))
        return 0;
    /* After -ung, -heit, -keit, -schaft, -tät, -ling, -tum the linking -s-
     * is obligatory (Prüfung-s-teil, never Prüfung+steil); -ion takes -s-
     * or plural -en- (Million-en-stadt). */
    unsigned need = 0;
    if (ends_with(s, n, "ung") || ends_with(s, n, "heit") || ends_with(s, n, "keit") ||
        ends_with(s, n, "schaft") || ends_with(s, n, "tät") || ends_with(s, n, "ling") ||
        ends_with(s, n, "tum"))
        need = MOD_NEED_S;
    else if (ends_with(s, n, "ion"))
        need = MOD_NEED_S_EN;
    unsigned f = fl_wordlist_lookup(wl, s, n);
    if (f & FL_WORD_NOUN)
        return MOD_ANY | need;
    if (c < 4)
        return 0;
    /* nouns listed only in lower case (Zeit-, Recht-s-), adjectives */
    if (f & FL_WORD_LOWER)
        return MOD_ANY | need;
    unsigned r = 0;
    unsigned fe = lookup_plus(wl, s, n, "e");
    if (fe & FL_WORD_NOUN)
        r |= MOD_ELIDE;
    if ((fe & FL_WORD_LOWER) || (lookup_plus(wl, s, n, "en") & FL_WORD_LOWER))
        r |= MOD_STEM;
    return r ? r | need : 0;
}

static bool link_ok(unsigned info, const char *link, size_t ln)
{
    if (!info)
        return false;
    bool s = ln == 1 && link[0] == 's';
    if (info & MOD_NEED_S)
        return s;
    if ((info & MOD_NEED_S_EN) && !s && !(ln == 2 && link[0] == 'e' && link[1] == 'n'))
        return false;
    if (info & MOD_ANY)
        return true;
    if ((info & MOD_ELIDE) && (ln == 0 || s))
        return true;
    if ((info & MOD_STEM) && (ln == 0 || (ln == 1 && link[0] == 'e')))
        return true;
    return false;
}

static const char *const links[] = {"", "s", "es", "n", "en", "er", "e", "ens", "ns", NULL};
static const size_t link_len[] = {0, 1, 2, 1, 2, 2, 1, 3, 2, 0};

typedef struct cand {
    unsigned char valid;
    unsigned char nparts;
    unsigned char minc;   /* shortest part in characters */
    unsigned char linkc;  /* total linking bytes */
    unsigned char next;   /* start of the rest after modifier+link (0 = head only) */
    unsigned char modlen; /* modifier length in bytes */
} cand;

static bool better(const cand *a, const cand *b)
{
    if (!b->valid)
        return a->valid;
    if (!a->valid)
        return false;
    if (a->nparts != b->nparts)
        return a->nparts < b->nparts;
    if (a->minc != b->minc)
        return a->minc > b->minc;
    return a->linkc < b->linkc;
}

static bool is_boundary(const char *w, size_t i)
{
    return ((unsigned char)w[i] & 0xC0) != 0x80;
}

/* Best split of w[0..len) into >= 2 parts; returns nparts (0 = none) and
 * fills spans.  min_chars: minimum part length. */
static size_t split_once(const fl_wordlist *wl, const char *w, size_t len, size_t min_chars,
                         fl_compound_part *out)
{
    cand best[FL_COMPOUND_MAX_BYTES + 1];
    memset(best, 0, sizeof(cand) * (len + 1));
    for (size_t i = len; i-- > 0;) {
        if (!is_boundary(w, i))
            continue;
        cand b = {0};
        if (i > 0 && is_head(wl, w + i, len - i, min_chars)) {
            size_t c = chars(w + i, len - i);
            b = (cand){1, 1, (unsigned char)(c > 255 ? 255 : c), 0, 0, 0};
        }
        for (size_t j = i + 3; j + 3 <= len; j++) {
            if (!is_boundary(w, j))
                continue;
            unsigned info = 0;
            bool have_info = false;
            for (size_t l = 0; links[l]; l++) {
                size_t ln = link_len[l];
                size_t k = j + ln;
                if (k >= len || !best[k].valid || best[k].nparts >= FL_COMPOUND_MAX_PARTS - 1)
                    continue;
                if (ln && memcmp(w + j, links[l], ln) != 0)
                    continue;
                if (!have_info) { /* the word list lookups, once per span */
                    info = modifier_info(wl, w + i, j - i, min_chars);
                    have_info = true;
                }
                if (!link_ok(info, links[l], ln))
                    continue;
                size_t c = chars(w + i, j - i);
                cand x = {1, (unsigned char)(best[k].nparts + 1),
                          (unsigned char)(c < best[k].minc ? c : best[k].minc),
                          (unsigned char)(best[k].linkc + ln), (unsigned char)k,
                          (unsigned char)(j - i)};
                if (better(&x, &b))
                    b = x;
            }
        }
        best[i] = b;
    }
    if (!best[0].valid || best[0].nparts < 2)
        return 0;
    size_t n = 0, i = 0;
    while (best[i].valid && best[i].next) {
        out[n++] = (fl_compound_part){i, best[i].modlen};
        i = best[i].next;
    }
    out[n++] = (fl_compound_part){i, len - i};
    return n;
}

static size_t min_chars_for(const fl_wordlist *wl, const char *w, size_t len, bool *allowed)
{
    unsigned f = fl_wordlist_lookup(wl, w, len);
    *allowed = !(f == FL_WORD_LOWER); /* verbs/adjectives: beinhaltet */
    return (f & FL_WORD_NOUN) ? 4 : 3;
}

static size_t split_rec(const fl_wordlist *wl, const char *w, size_t off, size_t len,
                        fl_compound_part *out, size_t room, int depth)
{
    bool allowed;
    size_t minc = min_chars_for(wl, w + off, len, &allowed);
    fl_compound_part tmp[FL_COMPOUND_MAX_PARTS];
    size_t n = 0;
    /* A feminine part is split as its masculine base: "Bürgerinnen"-rat is
     * not "Bürge"+"Rinnen". */
    size_t fb = depth > 0 ? fl_gender_feminine_base(wl, w + off, len) : 0;
    if (fb) {
        out[0] = (fl_compound_part){off, len};
        n = split_once(wl, w + off, fb, min_chars_for(wl, w + off, fb, &allowed), tmp);
        if (n < 2 || n > room || !allowed)
            return 1;
        /* the last part keeps the feminine ending */
        tmp[n - 1].len = len - tmp[n - 1].start;
        for (size_t k = 0; k < n; k++)
            out[k] = (fl_compound_part){off + tmp[k].start, tmp[k].len};
        return n;
    }
    if (allowed && depth < 8 && room >= 2)
        n = split_once(wl, w + off, len, minc, tmp);
    if (n < 2 || n > room) {
        out[0] = (fl_compound_part){off, len};
        return 1;
    }
    size_t total = 0;
    for (size_t k = 0; k < n; k++) {
        size_t left = room - total - (n - k - 1);
        total += split_rec(wl, w, off + tmp[k].start, tmp[k].len, out + total, left, depth + 1);
    }
    return total;
}

size_t fl_compound_split(const fl_wordlist *wl, const char *w, size_t len,
                         fl_compound_part parts[FL_COMPOUND_MAX_PARTS])
{
    if (!wl || len < 6 || len > FL_COMPOUND_MAX_BYTES || in_list(no_split, w, len))
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)w[i];
        if (c < 0x80 && !(c >= 'a' && c <= 'z'))
            return 0; /* digits, hyphens, apostrophes: not a plain word */
    }
    size_t n = split_rec(wl, w, 0, len, parts, FL_COMPOUND_MAX_PARTS, 0);
    return n >= 2 ? n : 0;
}
