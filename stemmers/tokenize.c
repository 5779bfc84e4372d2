/* tokenize.c — raw token boundaries for German text (see fl_tokenize.h).
 *
 * A hand-written scanner because no library does this: ICU-style word
 * breaking would cut "Bürger*innen", "§ 622" and "15.01.2026" apart, and
 * Xapian's TermGenerator has no notion of gender marks.  Character classes
 * come from utf8proc through fl_normalize.h, so any script's letters work.
 */
#include "fl_tokenize.h"

#include "fl_normalize.h"
#include "fl_utf8.h"

#include <stdint.h>
#include <string.h>

#define CP_SOFT_HYPHEN 0x00ADu
#define CP_MIDDLE_DOT 0x00B7u
#define CP_NB_HYPHEN 0x2011u
#define CP_RSQUO 0x2019u

static uint32_t cp_at(const char *t, size_t len, size_t i, size_t *adv)
{
    if (i >= len) {
        *adv = 0;
        return 0;
    }
    unsigned char c = (unsigned char)t[i];
    if (c < 0x80) {
        *adv = 1;
        return c;
    }
    return fl_utf8_decode(t + i, len - i, adv);
}

static bool is_alpha(uint32_t cp)
{
    if (cp < 0x80)
        return (cp | 32) >= 'a' && (cp | 32) <= 'z';
    return fl_is_letter(cp) || fl_is_mark(cp);
}

static bool is_digit(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= '0' && cp <= '9';
    return fl_is_digit(cp);
}

static bool is_wordch(uint32_t cp)
{
    return is_alpha(cp) || is_digit(cp) || cp == CP_SOFT_HYPHEN;
}

static bool is_ascii_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hspace(const char *t, size_t len, size_t i, size_t *adv)
{
    uint32_t cp = cp_at(t, len, i, adv);
    return cp == ' ' || cp == '\t' || cp == 0xA0 || cp == 0x202F || cp == 0x2009;
}

static bool is_lower_ascii_or_umlaut(const char *t, size_t len, size_t i, size_t *adv)
{
    uint32_t cp = cp_at(t, len, i, adv);
    return (cp >= 'a' && cp <= 'z') || cp == 0xE4 || cp == 0xF6 || cp == 0xFC || cp == 0xDF;
}

static size_t digits(const char *t, size_t len, size_t i)
{
    size_t j = i;
    while (j < len && is_ascii_digit(t[j]))
        j++;
    return j - i;
}

/* ------------------------------------------------------------------ URL / e-mail */

static bool prefix_ci(const char *t, size_t len, size_t i, const char *p)
{
    size_t n = strlen(p);
    if (len - i < n)
        return false;
    for (size_t k = 0; k < n; k++) {
        char c = t[i + k];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != p[k])
            return false;
    }
    return true;
}

static size_t scan_url(const char *t, size_t len, size_t i)
{
    /* Every word is asked: most start with none of the schemes' letters. */
    char c0 = (char)(t[i] | 32);
    if (c0 != 'h' && c0 != 'f' && c0 != 'w')
        return 0;
    size_t p;
    if (prefix_ci(t, len, i, "https://"))
        p = 8;
    else if (prefix_ci(t, len, i, "http://"))
        p = 7;
    else if (prefix_ci(t, len, i, "ftp://"))
        p = 6;
    else if (prefix_ci(t, len, i, "www.") && i + 4 < len &&
             (is_ascii_digit(t[i + 4]) || ((t[i + 4] | 32) >= 'a' && (t[i + 4] | 32) <= 'z')))
        p = 4;
    else
        return 0;
    size_t j = i + p;
    int paren = 0;
    while (j < len) {
        unsigned char c = (unsigned char)t[j];
        if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == '`' || c == '[' || c == ']' ||
            c == '{' || c == '}' || c == '|' || c == '\\')
            break;
        if (c >= 0x80) {
            size_t adv;
            uint32_t cp = cp_at(t, len, j, &adv);
            if (fl_is_space(cp) || cp == 0x201C || cp == 0x201D || cp == 0x201E || cp == 0xBB ||
                cp == 0xAB)
                break;
            j += adv;
            continue;
        }
        if (c == '(')
            paren++;
        if (c == ')') {
            if (paren == 0)
                break;
            paren--;
        }
        j++;
    }
    /* Sentence punctuation after a URL is not part of it. */
    while (j > i + p && strchr(".,;:!?'*_", t[j - 1]))
        j--;
    return j > i + p ? j - i : 0;
}

/* A byte of an e-mail address's local part: ASCII letters and digits and
 * . _ % + -.  As bits of two masks (bytes 0-63, 64-127): every word of a
 * text is scanned with it before it is known not to be an address. */
#define BIT(c) (1ull << ((c) & 63))
#define DIGITS_LO 0x03FF000000000000ull  /* 0-9 among bytes 0-63 */
#define LETTERS_HI 0x07FFFFFE07FFFFFEull /* A-Z, a-z among bytes 64-127 */
static const uint64_t email_local_lo = DIGITS_LO | BIT('.') | BIT('%') | BIT('+') | BIT('-');
static const uint64_t email_local_hi = LETTERS_HI | BIT('_');

static bool is_email_local(char c)
{
    unsigned char u = (unsigned char)c;
    return u < 64 ? (email_local_lo >> u) & 1 : u < 128 ? (email_local_hi >> (u - 64)) & 1 : false;
}

static size_t scan_email(const char *t, size_t len, size_t i)
{
    size_t j = i;
    while (j < len && is_email_local(t[j]))
        j++;
    if (j == i || j >= len || t[j] != '@' || t[j - 1] == '.')
        return 0;
    size_t d = j + 1, e = d, lastdot = 0;
    while (e < len && (is_ascii_digit(t[e]) || ((t[e] | 32) >= 'a' && (t[e] | 32) <= 'z') ||
                       t[e] == '-' || t[e] == '.')) {
        if (t[e] == '.' && e + 1 < len && t[e + 1] != '.' && e > d)
            lastdot = e;
        e++;
    }
    while (e > d && (t[e - 1] == '.' || t[e - 1] == '-'))
        e--;
    if (!lastdot || lastdot >= e || e - lastdot - 1 < 2)
        return 0;
    for (size_t k = lastdot + 1; k < e; k++)
        if (!((t[k] | 32) >= 'a' && (t[k] | 32) <= 'z'))
            return 0;
    return e - i;
}

/* ------------------------------------------------------------------ numbers */

static int num_at(const char *t, size_t i, size_t n)
{
    int v = 0;
    for (size_t k = 0; k < n; k++)
        v = v * 10 + (t[i + k] - '0');
    return v;
}

static size_t scan_date(const char *t, size_t len, size_t i)
{
    size_t a = digits(t, len, i);
    if ((a == 1 || a == 2) && i + a < len && t[i + a] == '.') {
        size_t j = i + a + 1, b = digits(t, len, j);
        if ((b == 1 || b == 2) && j + b < len && t[j + b] == '.') {
            size_t k = j + b + 1, c = digits(t, len, k);
            int d = num_at(t, i, a), m = num_at(t, j, b);
            if (c == 4 && d >= 1 && d <= 31 && m >= 1 && m <= 12)
                return k + 4 - i;
        }
    }
    if (a == 4 && len - i >= 10 && t[i + 4] == '-' && digits(t, len, i + 5) == 2 && t[i + 7] == '-' &&
        digits(t, len, i + 8) == 2) {
        int m = num_at(t, i + 5, 2), d = num_at(t, i + 8, 2);
        if (m >= 1 && m <= 12 && d >= 1 && d <= 31)
            return 10;
    }
    return 0;
}

static size_t scan_number(const char *t, size_t len, size_t i)
{
    size_t j = i + digits(t, len, i);
    /* thousands groups: 1.000, 1.000.000 */
    while (j + 3 < len + 0 && t[j] == '.' && digits(t, len, j + 1) == 3)
        j += 4;
    if (j + 1 < len && t[j] == ',' && is_ascii_digit(t[j + 1]))
        j += 1 + digits(t, len, j + 1);
    return j - i;
}

/* ------------------------------------------------------------------ citations */

/* Number of a citation: digits plus an optional single letter (§ 622a). */
static size_t scan_cite_number(const char *t, size_t len, size_t j)
{
    size_t d = digits(t, len, j);
    if (!d)
        return 0;
    size_t e = j + d, adv, adv2;
    if (e < len && t[e] >= 'a' && t[e] <= 'z' && !is_wordch(cp_at(t, len, e + 1, &adv2)))
        e++;
    (void)adv;
    return e - j;
}

static size_t skip_hspace(const char *t, size_t len, size_t j)
{
    size_t adv;
    while (j < len && is_hspace(t, len, j, &adv))
        j += adv;
    return j;
}

static size_t scan_paragraph(const char *t, size_t len, size_t i)
{
    size_t j = i + 2; /* '§' is 2 bytes */
    if (j + 1 < len && (unsigned char)t[j] == 0xC2 && (unsigned char)t[j + 1] == 0xA7)
        j += 2;
    j = skip_hspace(t, len, j);
    size_t n = scan_cite_number(t, len, j);
    return n ? j + n - i : 0;
}

static size_t scan_article(const char *t, size_t len, size_t i)
{
    size_t j;
    if (len - i >= 7 && (memcmp(t + i, "Artikel", 7) == 0 || memcmp(t + i, "artikel", 7) == 0))
        j = i + 7;
    else if (len - i >= 4 && (memcmp(t + i, "Art.", 4) == 0 || memcmp(t + i, "art.", 4) == 0))
        j = i + 4;
    else
        return 0;
    size_t k = skip_hspace(t, len, j);
    if (k == j)
        return 0;
    size_t n = scan_cite_number(t, len, k);
    return n ? k + n - i : 0;
}

/* ------------------------------------------------------------------ abbreviations */

static bool single_letter_dot(const char *t, size_t len, size_t i, size_t *after)
{
    size_t adv, adv2;
    uint32_t cp = cp_at(t, len, i, &adv);
    if (!is_alpha(cp) || i + adv >= len || t[i + adv] != '.')
        return false;
    (void)adv2;
    *after = i + adv + 1;
    return true;
}

/* "z. B.", "z.B.", "u. a.", "i. d. R.": two or more single letters each
 * followed by a dot. */
static size_t scan_multi_abbrev(const char *t, size_t len, size_t i)
{
    size_t j, groups = 0, end = i;
    size_t k = i;
    while (single_letter_dot(t, len, k, &j)) {
        groups++;
        end = j;
        size_t n = j;
        if (n < len && t[n] == ' ')
            n++;
        size_t adv;
        /* the next letter must be single: "z. Beispiel" is not "z. B." */
        uint32_t cp = cp_at(t, len, n, &adv);
        if (!is_alpha(cp))
            break;
        size_t a2;
        uint32_t nx = cp_at(t, len, n + adv, &a2);
        if (nx != '.')
            break;
        k = n;
    }
    return groups >= 2 ? end - i : 0;
}

static const char *const single_abbrevs[] = {"bspw", "bzgl", "bzw", "ca", "etc", "evtl", "ggf",
                                             "inkl", "insb", "sog", "usw", "vgl", "zzgl", NULL};

static bool is_single_abbrev(const char *t, size_t n)
{
    for (size_t k = 0; single_abbrevs[k]; k++) {
        if (strlen(single_abbrevs[k]) != n)
            continue;
        size_t m = 0;
        while (m < n && (t[m] | 32) == single_abbrevs[k][m])
            m++;
        if (m == n)
            return true;
    }
    return false;
}

/* ------------------------------------------------------------------ gender marks */

static bool suffix_is(const char *t, size_t n, const char *s)
{
    return strlen(s) == n && memcmp(t, s, n) == 0;
}

/* At t[j] (right after a base of >= 2 letters) looks for a gender mark and a
 * valid suffix.  Sets *mark_end; returns true when the mark is accepted. */
static bool scan_gender_mark(const char *t, size_t len, size_t j, size_t base_chars,
                             size_t *mark_end)
{
    size_t adv;
    uint32_t c = cp_at(t, len, j, &adv);
    size_t m = j + adv;
    bool slash = false;
    if (c == '\\') {
        if (m >= len || (t[m] != '*' && t[m] != '_' && t[m] != ':'))
            return false;
        m++;
    } else if (c == '/') {
        slash = true;
        if (m < len && t[m] == '-')
            m++;
    } else if (c != '*' && c != ':' && c != '_' && c != CP_MIDDLE_DOT) {
        return false;
    }
    /* suffix letters */
    size_t s = m, e = m;
    while (e < len) {
        size_t a;
        uint32_t cp = cp_at(t, len, e, &a);
        if (!is_alpha(cp))
            break;
        e += a;
    }
    if (e == s)
        return false;
    size_t a;
    if (e < len && is_digit(cp_at(t, len, e, &a)))
        return false;
    const char *suf = t + s;
    size_t n = e - s;
    bool inn = (n == 2 && (suffix_is(suf, n, "in") || suffix_is(suf, n, "In"))) ||
               (n == 5 && (suffix_is(suf, n, "innen") || suffix_is(suf, n, "Innen")));
    /* "Bürger*innenrat": the gender form inside a compound (not after '/') */
    bool inn_compound = !slash && n > 5 && memcmp(suf, "innen", 5) == 0;
    bool short_suf = !slash && (suffix_is(suf, n, "r") || suffix_is(suf, n, "e") ||
                                suffix_is(suf, n, "n") || suffix_is(suf, n, "en") ||
                                suffix_is(suf, n, "er") || suffix_is(suf, n, "es") ||
                                suffix_is(suf, n, "m") || suffix_is(suf, n, "s"));
    if ((inn || inn_compound) && base_chars >= 3) {
        *mark_end = m;
        return true;
    }
    if (short_suf && base_chars >= 2) {
        *mark_end = m;
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------ words */

static void binnen_i(const char *t, size_t start, size_t end, size_t piece, fl_rawtoken *tok)
{
    /* piece = start of the last hyphen piece; shape: Upper lower+ ("In" | "Innen") */
    size_t n = end - piece;
    size_t suf;
    /* Both endings end in 'n': most words are out at the first byte. */
    if (n < 5 || t[end - 1] != 'n')
        return;
    if (n >= 7 && memcmp(t + end - 5, "Innen", 5) == 0)
        suf = 5;
    else if (memcmp(t + end - 2, "In", 2) == 0)
        suf = 2;
    else
        return;
    size_t base_end = end - suf;
    size_t adv;
    if (!is_lower_ascii_or_umlaut(t, end, base_end - 1, &adv) &&
        !((unsigned char)t[base_end - 1] >= 0x80))
        return;
    /* first letter upper case, all others of the base lower case */
    unsigned char f = (unsigned char)t[piece];
    bool upper = (f >= 'A' && f <= 'Z') || (f == 0xC3 && ((unsigned char)t[piece + 1] == 0x84 ||
                                                          (unsigned char)t[piece + 1] == 0x96 ||
                                                          (unsigned char)t[piece + 1] == 0x9C));
    if (!upper)
        return;
    size_t k = piece + (f < 0x80 ? 1 : 2);
    while (k < base_end) {
        if (!is_lower_ascii_or_umlaut(t, base_end, k, &adv))
            return;
        k += adv;
    }
    tok->flags |= FL_RAW_BINNEN_I;
    tok->mark_start = tok->mark_end = base_end - start;
}

static size_t scan_word(const char *t, size_t len, size_t i, fl_rawtoken *tok)
{
    size_t j = i, piece = i, adv;
    size_t piece_chars = 0;
    bool letters_only = true;
    for (;;) {
        while (j < len) {
            /* ASCII letters and digits (most of any German text) without
             * the code point machinery: same outcome as the general case. */
            unsigned char b = (unsigned char)t[j];
            if (b < 0x80) {
                if ((b | 32) >= 'a' && (b | 32) <= 'z') {
                    piece_chars++;
                    j++;
                    continue;
                }
                if (b >= '0' && b <= '9') {
                    letters_only = false;
                    piece_chars++;
                    j++;
                    continue;
                }
                break;
            }
            uint32_t cp = cp_at(t, len, j, &adv);
            if (!is_wordch(cp))
                break;
            if (!is_alpha(cp) && cp != CP_SOFT_HYPHEN)
                letters_only = false;
            if (cp != CP_SOFT_HYPHEN && !fl_is_mark(cp))
                piece_chars++;
            j += adv;
        }
        if (j >= len)
            break;
        uint32_t c = cp_at(t, len, j, &adv);
        size_t a2;
        uint32_t next = cp_at(t, len, j + adv, &a2);
        if ((c == '-' || c == CP_NB_HYPHEN) && is_wordch(next)) {
            tok->flags |= FL_RAW_HYPHEN;
            j += adv;
            piece = j;
            piece_chars = 0;
            letters_only = true;
            continue;
        }
        if ((c == '\'' || c == CP_RSQUO) && is_alpha(next) && j > i) {
            tok->flags |= FL_RAW_APOSTROPHE;
            j += adv;
            continue;
        }
        size_t mark_end;
        if (!(tok->flags & FL_RAW_GENDER) && letters_only &&
            scan_gender_mark(t, len, j, piece_chars, &mark_end)) {
            tok->flags |= FL_RAW_GENDER;
            tok->mark_start = j - i;
            tok->mark_end = mark_end - i;
            j = mark_end;
            continue;
        }
        break;
    }
    if (!(tok->flags & (FL_RAW_GENDER | FL_RAW_APOSTROPHE)))
        binnen_i(t, i, j, piece, tok);
    return j - i;
}

/* A byte that ends a plain word and starts nothing the scanners above would
 * join to it: ASCII, neither letter nor digit, and none of - ' * : _ / \ .
 * @ % + (hyphens, apostrophes, gender marks, dots of abbreviations, dates
 * and URLs, the characters of an e-mail address).  Bytes of 0x80 and up
 * may be letters, marks or special hyphens: never plain. */
static const uint64_t plain_end_lo = ~(DIGITS_LO | BIT('-') | BIT('\'') | BIT('*') | BIT(':') |
                                        BIT('/') | BIT('.') | BIT('%') | BIT('+'));
static const uint64_t plain_end_hi = ~(LETTERS_HI | BIT('_') | BIT('\\') | BIT('@'));

static bool is_plain_end(const char *t, size_t len, size_t j)
{
    if (j >= len)
        return true;
    unsigned char u = (unsigned char)t[j];
    return u < 64 ? (plain_end_lo >> u) & 1 : u < 128 ? (plain_end_hi >> (u - 64)) & 1 : false;
}

/* A word of n >= 5 bytes ended by a full stop and then white space or the
 * text's end: the end of a sentence, which the general scanners end the
 * same way (the dot is not the word's).  None of them takes such a dot:
 * the abbreviations (single_abbrevs, "z. B.", "Art.", "www.") are shorter,
 * and a gender dot ("Lehrer.innen"), a URL or an e-mail address goes on
 * with a letter.  About one token in 20 of a law; the general path costs
 * several times a plain word's. */
static bool is_sentence_end(const char *t, size_t len, size_t j, size_t n)
{
    if (n < 5 || j >= len || t[j] != '.')
        return false;
    if (j + 1 == len)
        return true;
    char c = t[j + 1];
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* How many of the 8 bytes at t (t[0] first) are ASCII letters before the
 * first that is not: 8 when all are.  Per byte, with no carry between bytes
 * (every sum stays below 0x100): y is the byte folded to lower case with its
 * high bit cleared; y + 0x1F has bit 7 set when y >= 'a', y + 0x05 when
 * y > 'z'; bytes of 0x80 and up are never letters here.  Most German words
 * are longer than a few letters, so this does a word's letters 8 at a time.
 * With between_tokens and is_sentence_end: 183 -> 136 instructions a token
 * on the ArbSchG (callgrind). */
static size_t ascii_letters8(const char *t)
{
    const uint64_t highs = 0x8080808080808080ull, low7 = 0x7F7F7F7F7F7F7F7Full;
    uint64_t v;
    memcpy(&v, t, 8);
    uint64_t y = (v | 0x2020202020202020ull) & low7;
    uint64_t letter = (y + 0x1F1F1F1F1F1F1F1Full) & ~(y + 0x0505050505050505ull) & ~v & highs;
    uint64_t other = ~letter & highs;
    if (!other)
        return 8;
    /* The lowest set bit is the first byte that is not a letter (t is read
     * as little-endian: byte k is bits 8k..8k+7). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    other = __builtin_bswap64(other);
#endif
    return (size_t)__builtin_ctzll(other) / 8;
}

/* Most tokens of German text are plain words: letters of ASCII or of
 * U+00C0..U+00FF (umlauts, ß) ended by a space, punctuation or a sentence's
 * full stop (is_sentence_end).  Such a word is found here in one pass, with
 * the outcome the general scanners would give: none of them matches a word
 * ended by a plain byte (is_plain_end), except "Artikel" before a number,
 * which is left to them.  0 when the word is not plain. */
static size_t scan_plain_word(const char *t, size_t len, size_t i, fl_rawtoken *tok)
{
    size_t j = i;
    while (j < len) {
        if (j + 8 <= len) {
            size_t k = ascii_letters8(t + j);
            j += k;
            if (k == 8)
                continue;
        }
        if (j >= len)
            break;
        unsigned char b = (unsigned char)t[j];
        if ((b | 32) >= 'a' && (b | 32) <= 'z') {
            j++;
        } else if (b == 0xC3 && j + 1 < len && (unsigned char)t[j + 1] >= 0x80 &&
                   (unsigned char)t[j + 1] <= 0xBF && (unsigned char)t[j + 1] != 0x97 &&
                   (unsigned char)t[j + 1] != 0xB7) {
            j += 2; /* U+00C0..U+00FF but for × and ÷: letters */
        } else {
            break;
        }
    }
    if (j == i || !(is_plain_end(t, len, j) || is_sentence_end(t, len, j, j - i)))
        return 0;
    if (j - i == 7 && (memcmp(t + i, "Artikel", 7) == 0 || memcmp(t + i, "artikel", 7) == 0))
        return 0;
    memset(tok, 0, sizeof *tok);
    tok->start = i;
    tok->kind = FL_TOKEN_WORD;
    /* binnen_i's own first test, here: most words are out before the call. */
    if (j - i >= 5 && t[j - 1] == 'n')
        binnen_i(t, i, j, i, tok);
    return j - i;
}

/* The bytes passed over between tokens: ASCII but for letters and digits
 * (a table: one load a byte instead of three comparisons). */
#define BT4(c) [c] = 1, [c + 1] = 1, [c + 2] = 1, [c + 3] = 1
#define BT16(c) BT4(c), BT4(c + 4), BT4(c + 8), BT4(c + 12)
static const unsigned char between_tokens[256] = {
    BT16(0x00), BT16(0x10), BT16(0x20), [0x3A] = 1, [0x3B] = 1, [0x3C] = 1, [0x3D] = 1,
    [0x3E] = 1, [0x3F] = 1, [0x40] = 1, [0x5B] = 1, [0x5C] = 1, [0x5D] = 1, [0x5E] = 1,
    [0x5F] = 1, [0x60] = 1, [0x7B] = 1, [0x7C] = 1, [0x7D] = 1, [0x7E] = 1, [0x7F] = 1};

bool fl_tokenize_next(const char *t, size_t len, size_t *pos, fl_rawtoken *tok)
{
    size_t i = *pos, adv;
    while (i < len) {
        /* Spaces and ASCII punctuation between tokens: no token starts with
         * one (every scanner below starts at a letter, a digit or §), so
         * they are passed over a byte at a time without the scanners. */
        if (between_tokens[(unsigned char)t[i]]) {
            i++;
            continue;
        }
        size_t plain = scan_plain_word(t, len, i, tok);
        if (plain) {
            tok->len = plain;
            *pos = i + plain;
            return true;
        }
        uint32_t cp = cp_at(t, len, i, &adv);
        memset(tok, 0, sizeof *tok);
        tok->start = i;
        size_t n = 0;
        if (cp == 0xA7) { /* § */
            n = scan_paragraph(t, len, i);
            if (n) {
                tok->kind = FL_TOKEN_PARAGRAPH;
                goto found;
            }
            i += adv;
            continue;
        }
        if (!is_alpha(cp) && !is_digit(cp)) {
            i += adv;
            continue;
        }
        if (cp < 0x80) {
            if ((n = scan_url(t, len, i))) {
                tok->kind = FL_TOKEN_URL;
                goto found;
            }
            if ((n = scan_email(t, len, i))) {
                tok->kind = FL_TOKEN_EMAIL;
                goto found;
            }
        }
        if (is_digit(cp) && cp < 0x80) {
            if ((n = scan_date(t, len, i))) {
                tok->kind = FL_TOKEN_DATE;
                goto found;
            }
            n = scan_number(t, len, i);
            size_t a2;
            uint32_t next = cp_at(t, len, i + n, &a2);
            if (!is_alpha(next)) {
                tok->kind = FL_TOKEN_NUMBER;
                goto found;
            }
        } else if (is_alpha(cp)) {
            if ((n = scan_article(t, len, i))) {
                tok->kind = FL_TOKEN_PARAGRAPH;
                goto found;
            }
            if ((n = scan_multi_abbrev(t, len, i))) {
                tok->kind = FL_TOKEN_WORD;
                tok->flags = FL_RAW_ABBREV;
                goto found;
            }
        }
        tok->kind = FL_TOKEN_WORD;
        n = scan_word(t, len, i, tok);
        if (!(tok->flags & ~FL_RAW_APOSTROPHE) && i + n < len && t[i + n] == '.' &&
            is_single_abbrev(t + i, n)) {
            tok->flags = FL_RAW_ABBREV;
            n++;
        }
    found:
        tok->len = n;
        *pos = i + n;
        return true;
    }
    *pos = len;
    return false;
}
