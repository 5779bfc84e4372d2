/* normalize.c — Unicode normalisation for German text (see fl_normalize.h).
 *
 * utf8proc does the Unicode work (decomposition, case folding, canonical
 * ordering, composition, categories).  We drive it code point by code point
 * instead of calling utf8proc_map() because of three German requirements that
 * no utf8proc option expresses:
 *   - full case folding turns ß into "ss"; we want ẞ and ß to become ß;
 *   - accent stripping must keep the umlauts ä ö ü (the stemmer folds them);
 *   - a few Latin letters carry a stroke rather than a combining mark
 *     (ø, ł, đ ...) and have no decomposition in Unicode at all.
 *
 * Pipeline (all forms):
 *   decode + validate → per code point: utf8proc_decompose_char (canonical,
 *   or compatibility for the folded forms, optionally case folded) →
 *   canonical reordering of combining marks → form-specific filtering →
 *   utf8proc_normalize_utf32(COMPOSE) → white-space handling → encode.
 * Pure ASCII input, the common case for German text tokens, takes a fast
 * path (NFC is the identity there and case folding is tolower).
 */
#include "fl_normalize.h"

#include "fl_err.h"

#include <string.h>
#include <utf8proc.h>

enum {
    M_CASEFOLD = 1 << 0, /* case fold, ẞ/ß → ß */
    M_STRIP = 1 << 1,    /* strip non-German diacritics, NFKC */
    M_FACET = 1 << 2,    /* also ä→a ö→o ü→u ß→ss */
    M_SPACE = 1 << 3,    /* trim, collapse inner white space to one space */
};

#define SHARP_S 0x00DF
#define CAPITAL_SHARP_S 0x1E9E
#define DIAERESIS 0x0308

/* Code point vector with a small inline store: normalising a word must not
 * cost a malloc. */
typedef struct {
    utf8proc_int32_t *v;
    size_t len, cap;
    utf8proc_int32_t inl[128];
} cpvec;

static void cv_init(cpvec *c)
{
    c->v = c->inl;
    c->len = 0;
    c->cap = sizeof c->inl / sizeof c->inl[0];
}

static void cv_free(cpvec *c)
{
    if (c->v != c->inl)
        free(c->v);
}

static void cv_reserve(cpvec *c, size_t extra)
{
    if (c->len + extra <= c->cap)
        return;
    size_t ncap = c->cap * 2;
    while (ncap < c->len + extra)
        ncap *= 2;
    if (c->v == c->inl) {
        utf8proc_int32_t *nv = fl_xmalloc(ncap * sizeof *nv);
        memcpy(nv, c->v, c->len * sizeof *nv);
        c->v = nv;
    } else {
        c->v = fl_xrealloc(c->v, ncap * sizeof *c->v);
    }
    c->cap = ncap;
}

static void cv_push(cpvec *c, utf8proc_int32_t cp)
{
    cv_reserve(c, 1);
    c->v[c->len++] = cp;
}

bool fl_is_letter(uint32_t cp)
{
    if (cp < 0x80)
        return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
    if (cp > 0x10FFFF)
        return false;
    switch (utf8proc_category((utf8proc_int32_t)cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return true;
    default:
        return false;
    }
}

bool fl_is_digit(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= '0' && cp <= '9';
    return cp <= 0x10FFFF && utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_ND;
}

bool fl_is_space(uint32_t cp)
{
    if (cp < 0x80)
        return cp == ' ' || (cp >= '\t' && cp <= '\r');
    if (cp == 0x85)
        return true; /* NEL: a control (Cc) that is a line break */
    if (cp > 0x10FFFF)
        return false;
    switch (utf8proc_category((utf8proc_int32_t)cp)) {
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
        return true;
    default:
        return false;
    }
}

bool fl_is_mark(uint32_t cp)
{
    if (cp < 0x300 || cp > 0x10FFFF)
        return false;
    switch (utf8proc_category((utf8proc_int32_t)cp)) {
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return true;
    default:
        return false;
    }
}

/* Letters whose accent is part of the glyph (no Unicode decomposition), as
 * lower case after folding.  Returns the replacement (1–2 ASCII letters) or
 * NULL. */
static const char *stroke_letter(utf8proc_int32_t cp)
{
    switch (cp) {
    case 0x00F8: return "o";  /* ø */
    case 0x0142: return "l";  /* ł */
    case 0x0111: return "d";  /* đ */
    case 0x00F0: return "d";  /* ð */
    case 0x0127: return "h";  /* ħ */
    case 0x0167: return "t";  /* ŧ */
    case 0x0131: return "i";  /* dotless ı */
    case 0x0180: return "b";  /* ƀ */
    case 0x01B6: return "z";  /* ƶ */
    case 0x00E6: return "ae"; /* æ */
    case 0x0153: return "oe"; /* œ */
    case 0x00FE: return "th"; /* þ */
    default: return NULL;
    }
}

static bool is_umlaut_base(utf8proc_int32_t cp)
{
    return cp == 'a' || cp == 'o' || cp == 'u' || cp == 'A' || cp == 'O' || cp == 'U';
}

static int ascii_fast(const char *s, size_t len, fl_buf *out, int mode)
{
    size_t i = 0, end = len;
    if (mode & M_SPACE) {
        while (i < end && fl_is_space((unsigned char)s[i]))
            i++;
        while (end > i && fl_is_space((unsigned char)s[end - 1]))
            end--;
    }
    fl_buf_reserve(out, end - i);
    bool in_space = false;
    for (; i < end; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((mode & M_SPACE) && fl_is_space(c)) {
            in_space = true;
            continue;
        }
        if (in_space) {
            fl_buf_putc(out, ' ');
            in_space = false;
        }
        if ((mode & M_CASEFOLD) && c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        out->data[out->len++] = (char)c;
    }
    out->data[out->len] = '\0';
    return 0;
}

/* Canonical ordering: a stable sort of each run of combining marks by their
 * combining class (runs are short; insertion sort). */
static void canonical_order(cpvec *c)
{
    for (size_t i = 1; i < c->len; i++) {
        int cc = utf8proc_get_property(c->v[i])->combining_class;
        if (cc == 0)
            continue;
        size_t j = i;
        utf8proc_int32_t cp = c->v[i];
        while (j > 0) {
            int pc = utf8proc_get_property(c->v[j - 1])->combining_class;
            if (pc <= cc)
                break;
            c->v[j] = c->v[j - 1];
            j--;
        }
        c->v[j] = cp;
    }
}

static int normalize(const char *s, size_t len, fl_buf *out, char **err, int mode,
                     const char *what)
{
    size_t i;
    for (i = 0; i < len && (unsigned char)s[i] < 0x80; i++)
        ;
    if (i == len)
        return ascii_fast(s, len, out, mode);

    utf8proc_option_t opts = UTF8PROC_DECOMPOSE;
    if (mode & M_CASEFOLD)
        opts |= UTF8PROC_CASEFOLD;
    if (mode & M_STRIP)
        opts |= UTF8PROC_COMPAT;

    cpvec cv;
    cv_init(&cv);
    i = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0) {
            cv_free(&cv);
            return fl_err_set(err, "%s: invalid UTF-8 at byte %zu of %zu", what, i, len);
        }
        i += (size_t)n;
        if ((mode & M_CASEFOLD) && (cp == SHARP_S || cp == CAPITAL_SHARP_S)) {
            cv_push(&cv, SHARP_S);
            continue;
        }
        for (;;) {
            int bc = 0;
            utf8proc_ssize_t k = utf8proc_decompose_char(
                cp, cv.v + cv.len, (utf8proc_ssize_t)(cv.cap - cv.len), opts, &bc);
            if (k < 0) { /* cannot happen for a valid code point; be safe */
                cv_free(&cv);
                return fl_err_set(err, "%s: cannot normalise U+%04X: %s", what, (unsigned)cp,
                                  utf8proc_errmsg(k));
            }
            if ((size_t)k <= cv.cap - cv.len) {
                cv.len += (size_t)k;
                break;
            }
            cv_reserve(&cv, (size_t)k);
        }
    }
    canonical_order(&cv);

    if (mode & M_STRIP) {
        /* Drop combining marks except the diaeresis directly on a/o/u;
         * replace stroke letters; for facet keys fold umlauts and ß too. */
        cpvec tmp;
        cv_init(&tmp);
        utf8proc_int32_t prev = 0;
        for (size_t j = 0; j < cv.len; j++) {
            utf8proc_int32_t cp = cv.v[j];
            if (fl_is_mark((uint32_t)cp)) {
                if (cp == DIAERESIS && is_umlaut_base(prev) && !(mode & M_FACET)) {
                    cv_push(&tmp, cp);
                    prev = cp;
                }
                continue;
            }
            const char *rep = stroke_letter(cp);
            if (rep) {
                for (; *rep; rep++)
                    cv_push(&tmp, (unsigned char)*rep);
                prev = tmp.v[tmp.len - 1];
                continue;
            }
            if ((mode & M_FACET) && cp == SHARP_S) {
                cv_push(&tmp, 's');
                cv_push(&tmp, 's');
                prev = 's';
                continue;
            }
            cv_push(&tmp, cp);
            prev = cp;
        }
        cv_free(&cv);
        cv = tmp;
        if (tmp.v == tmp.inl)
            cv.v = cv.inl; /* the struct moved: re-point at its own store */
    }

    utf8proc_ssize_t n = utf8proc_normalize_utf32(cv.v, (utf8proc_ssize_t)cv.len,
                                                  UTF8PROC_COMPOSE | UTF8PROC_STABLE);
    if (n < 0) {
        cv_free(&cv);
        return fl_err_set(err, "%s: normalisation failed: %s", what, utf8proc_errmsg(n));
    }
    cv.len = (size_t)n;

    size_t start = 0, end = cv.len;
    if (mode & M_SPACE) {
        while (start < end && fl_is_space((uint32_t)cv.v[start]))
            start++;
        while (end > start && fl_is_space((uint32_t)cv.v[end - 1]))
            end--;
    }
    fl_buf_reserve(out, (end - start) * 4);
    bool in_space = false;
    for (size_t j = start; j < end; j++) {
        utf8proc_int32_t cp = cv.v[j];
        if ((mode & M_SPACE) && fl_is_space((uint32_t)cp)) {
            in_space = true;
            continue;
        }
        if (in_space) {
            out->data[out->len++] = ' ';
            in_space = false;
        }
        out->len += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)out->data + out->len);
    }
    out->data[out->len] = '\0';
    cv_free(&cv);
    return 0;
}

int fl_nfc(const char *s, size_t len, fl_buf *out, char **err)
{
    return normalize(s, len, out, err, 0, "NFC");
}

int fl_norm_exact(const char *s, size_t len, fl_buf *out, char **err)
{
    return normalize(s, len, out, err, M_CASEFOLD, "normalising text");
}

int fl_norm_fold(const char *s, size_t len, fl_buf *out, char **err)
{
    return normalize(s, len, out, err, M_CASEFOLD | M_STRIP, "folding text");
}

int fl_norm_facet_key(const char *s, size_t len, fl_buf *out, char **err)
{
    return normalize(s, len, out, err, M_CASEFOLD | M_STRIP | M_FACET | M_SPACE,
                     "facet value");
}

int fl_norm_display(const char *s, size_t len, fl_buf *out, char **err)
{
    return normalize(s, len, out, err, M_SPACE, "facet value");
}
