/* terms.c — helpers of the index layout (see fl_terms.h). */
#include "fl_terms.h"

#include "fl_hash.h"
#include "fl_utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

static void put_key_cp(fl_buf *out, utf8proc_int32_t cp)
{
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z')
            fl_buf_putc(out, (char)(cp - 'A' + 'a'));
        else if (cp >= 'a' && cp <= 'z')
            fl_buf_putc(out, (char)cp);
        return; /* ASCII non-letters are dropped */
    }
    utf8proc_category_t cat = utf8proc_category(cp);
    if (cat < UTF8PROC_CATEGORY_LU || cat > UTF8PROC_CATEGORY_LO)
        return;
    fl_utf8_encode(out, (uint32_t)cp);
}

/* The key letters of s appended to out: case folded, compatibility
 * decomposed, marks stripped ("É" → "e", "ß" → "ss", "ﬁ" → "fi"),
 * non-letters dropped; ä/ö/ü → "ae"/"oe"/"ue" when spell_umlauts, else
 * "a"/"o"/"u" like any other mark. */
static void put_key_chars(const char *s, size_t len, bool spell_umlauts, fl_buf *out)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            put_key_cp(out, c);
            i++;
            continue;
        }
        size_t adv;
        uint32_t cp = fl_utf8_decode(s + i, len - i, &adv);
        i += adv;
        const char *spelt = !spell_umlauts                ? NULL
                            : cp == 0xE4 || cp == 0xC4   ? "ae"
                            : cp == 0xF6 || cp == 0xD6   ? "oe"
                            : cp == 0xFC || cp == 0xDC   ? "ue"
                                                         : NULL;
        if (spelt) {
            fl_buf_puts(out, spelt);
            continue;
        }
        utf8proc_int32_t dst[16];
        int last = 0;
        utf8proc_ssize_t n = utf8proc_decompose_char(
            (utf8proc_int32_t)cp, dst, 16,
            UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_STRIPMARK, &last);
        if (n < 0 || n > 16)
            continue;
        for (utf8proc_ssize_t k = 0; k < n; k++)
            put_key_cp(out, dst[k]);
    }
}

void fl_suggest_key(const char *s, size_t len, fl_buf *out)
{
    size_t start = out->len;
    put_key_chars(s, len, false, out);
    /* ae/oe/ue → a/o/u, so that "Buerger" and "Bürger" share a key.  In place:
     * the result only ever shrinks. */
    char *d = out->data ? out->data + start : NULL;
    size_t n = out->len - start, w = 0;
    for (size_t r = 0; r < n; r++) {
        char ch = d[r];
        d[w++] = ch;
        if ((ch == 'a' || ch == 'o' || ch == 'u') && r + 1 < n && d[r + 1] == 'e')
            r++;
    }
    if (d)
        fl_buf_truncate(out, start + w);
}

void fl_suggest_key_spelt(const char *s, size_t len, fl_buf *out)
{
    put_key_chars(s, len, true, out);
}

unsigned fl_shard_of(const char *id, unsigned nshards)
{
    if (nshards <= 1 || !id)
        return 0;
    return (unsigned)(fl_fnv1a(id, strlen(id), FL_FNV1A_INIT) % nshards);
}

void fl_title_start_key(const char *words, size_t len, fl_buf *out)
{
    bool first = true;
    for (size_t i = 0; i < len;) {
        const char *sep = memchr(words + i, FL_TITLE_START_SEP, len - i);
        size_t end = sep ? (size_t)(sep - words) : len;
        if (end > i) {
            if (!first)
                fl_buf_putc(out, FL_TITLE_START_SEP);
            size_t before = out->len;
            fl_suggest_key(words + i, end - i, out);
            if (out->len == before)
                fl_buf_append(out, words + i, end - i);
            first = false;
        }
        i = end + 1;
    }
}
