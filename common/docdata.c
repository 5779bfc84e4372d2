/* docdata.c — encode/decode the stored document data (see fl_docdata.h). */
#include "fl_docdata.h"

#include "fl_err.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void put_escaped(fl_buf *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '\\': fl_buf_puts(out, "\\\\"); break;
        case '\t': fl_buf_puts(out, "\\t"); break;
        case '\n': fl_buf_puts(out, "\\n"); break;
        case '\r': fl_buf_puts(out, "\\r"); break;
        default: fl_buf_putc(out, *s);
        }
    }
}

static void put_field(fl_buf *out, const char *key, const char *val)
{
    if (!val)
        return;
    fl_buf_puts(out, key);
    fl_buf_putc(out, '\t');
    put_escaped(out, val);
    fl_buf_putc(out, '\n');
}

static void put_list(fl_buf *out, const char *key, const fl_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        put_field(out, key, l->items[i]);
}

/* The section table's digits: 32 final digits, then 32 "more follow" ones;
 * none of them needs escaping. */
static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV"
                             "abcdefghijklmnopqrstuvwxyz!#$%&*";

static void put_num(fl_buf *out, uint32_t v)
{
    while (v >= 32) {
        fl_buf_putc(out, digits[32 + (v & 31)]);
        v >>= 5;
    }
    fl_buf_putc(out, digits[v]);
}

void fl_docdata_encode(const fl_page *p, fl_buf *out)
{
    fl_buf_puts(out, "v\t2\n");
    put_field(out, "id", p->id);
    put_field(out, "url", p->url);
    put_field(out, "collection", p->collection);
    put_field(out, "title", p->title);
    put_field(out, "teaser", p->teaser);
    put_field(out, "date", p->date);
    put_field(out, "datetime", p->datetime);
    put_field(out, "image", p->image);
    put_field(out, "lang", p->lang);
    put_list(out, "author", &p->authors);
    put_list(out, "category", &p->categories);
    put_list(out, "tag", &p->tags);
    if (p->nsections) {
        fl_buf_printf(out, "sections\t%zu\t", p->nsections);
        /* Each start is stored after the previous end, as the decoder
         * reads it back; fl_docbuild's positions only grow, a start before
         * the previous end (a hand-made page) is moved up to it. */
        uint32_t prev_end = 0;
        for (size_t i = 0; i < p->nsections; i++) {
            const fl_section *s = &p->sections[i];
            /* A decoded page has no anchors, only the flag. */
            bool anchored = s->has_anchor || (s->anchor && *s->anchor);
            uint32_t level = s->level < 0 ? 0 : s->level > 64 ? 64 : (uint32_t)s->level;
            uint32_t start = s->pos_start > prev_end ? s->pos_start : prev_end;
            uint32_t span = s->pos_end > start ? s->pos_end - start : 0;
            put_num(out, level * 2 + anchored);
            put_num(out, start - prev_end);
            put_num(out, span);
            put_num(out, s->title_tokens);
            prev_end = start + span;
        }
        fl_buf_putc(out, '\n');
    }
}

char *fl_docdata_unescape(const char *s, size_t len)
{
    /* Most values have nothing escaped: one copy (a big law's section
     * table is thousands of them, read for every hit). */
    if (!memchr(s, '\\', len))
        return fl_xstrndup(s, len);
    fl_buf b = FL_BUF_INIT;
    fl_buf_reserve(&b, len);
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\\' && i + 1 < len) {
            char n = s[++i];
            c = n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n;
        }
        fl_buf_putc(&b, c);
    }
    return fl_buf_detach(&b);
}

/* Splits line[0..len) at unescaped tabs into at most max fields. */
static size_t split_tabs(const char *line, size_t len, const char **f, size_t *flen, size_t max)
{
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= len && n < max; i++) {
        if (i == len || (line[i] == '\t' && n + 1 < max)) {
            f[n] = line + start;
            flen[n] = i - start;
            n++;
            start = i + 1;
        } else if (line[i] == '\\') {
            i++;
        }
    }
    return n;
}

static void set_str(char **dst, const char *s, size_t len)
{
    free(*dst);
    *dst = fl_docdata_unescape(s, len);
}

static bool key_is(const char *k, size_t klen, const char *name)
{
    return klen == strlen(name) && memcmp(k, name, klen) == 0;
}

/* A digit's value, -1 for any other byte.  By ranges, not by searching
 * the alphabet: a search decodes the table of every hit, four numbers a
 * section and thousands of sections in a law. */
static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'V')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 32;
    switch (c) {
    case '!': return 58;
    case '#': return 59;
    case '$': return 60;
    case '%': return 61;
    case '&': return 62;
    case '*': return 63;
    default: return -1;
    }
}

/* Reads one number of the section table at *i; false when malformed. */
static bool get_num(const char *t, size_t len, size_t *i, uint32_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; *i < len && shift < 35; shift += 5) {
        int d = digit_value(t[(*i)++]);
        if (d < 0)
            return false;
        x |= (uint64_t)(d & 31) << shift;
        if (d < 32) {
            if (x > UINT32_MAX)
                return false;
            *v = (uint32_t)x;
            return true;
        }
    }
    return false;
}

/* The "sections" line: N, then the table (see fl_docdata.h). */
static int decode_sections(const char *v, size_t vlen, fl_page *p, char **err)
{
    const char *tab = memchr(v, '\t', vlen);
    if (!tab || tab == v)
        return fl_err_set(err, "document data: malformed section table");
    /* The count by hand: strtoull would skip white space, even the tab,
     * and read on beyond the data. */
    size_t n = 0, tlen = vlen - (size_t)(tab + 1 - v);
    for (const char *d = v; d < tab; d++) {
        if (*d < '0' || *d > '9' || n > tlen)
            return fl_err_set(err, "document data: malformed section table");
        n = n * 10 + (size_t)(*d - '0');
    }
    /* Four numbers of at least one byte each: more sections than that are
     * a lie, not a reason to allocate. */
    if (n == 0 || n > tlen / 4 || p->nsections)
        return fl_err_set(err, "document data: malformed section table");
    p->sections = fl_xcalloc(n, sizeof *p->sections);
    const char *t = tab + 1;
    size_t i = 0;
    uint32_t prev_end = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t la, gap, span, tt;
        if (!get_num(t, tlen, &i, &la) || !get_num(t, tlen, &i, &gap) ||
            !get_num(t, tlen, &i, &span) || !get_num(t, tlen, &i, &tt) || la / 2 > 64 ||
            gap > UINT32_MAX - prev_end || span > UINT32_MAX - prev_end - gap)
            goto bad;
        fl_section *s = &p->sections[k];
        s->level = (int)(la / 2);
        s->has_anchor = la & 1;
        s->pos_start = prev_end + gap;
        s->pos_end = s->pos_start + span;
        s->title_tokens = tt;
        prev_end = s->pos_end;
    }
    if (i != tlen)
        goto bad;
    p->nsections = n;
    return 0;
bad:
    free(p->sections);
    p->sections = NULL;
    return fl_err_set(err, "document data: malformed section table");
}

int fl_docdata_decode(const char *data, size_t len, fl_page *p, char **err)
{
    size_t pos = 0;
    while (pos < len) {
        const char *line = data + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - line) : len - pos;
        pos += llen + 1;
        if (llen == 0)
            continue;
        const char *f[2];
        size_t fl[2];
        size_t nf = split_tabs(line, llen, f, fl, 2);
        if (nf < 2)
            return fl_err_set(err, "document data: line without a value");
        if (key_is(f[0], fl[0], "sections")) {
            if (decode_sections(f[1], fl[1], p, err) != 0)
                return -1;
            continue;
        }
        /* Ordinary fields: the value is everything after the first tab. */
        const char *v = f[0] + fl[0] + 1;
        size_t vlen = llen - fl[0] - 1;
        if (key_is(f[0], fl[0], "id")) set_str(&p->id, v, vlen);
        else if (key_is(f[0], fl[0], "url")) set_str(&p->url, v, vlen);
        else if (key_is(f[0], fl[0], "collection")) set_str(&p->collection, v, vlen);
        else if (key_is(f[0], fl[0], "title")) set_str(&p->title, v, vlen);
        else if (key_is(f[0], fl[0], "teaser")) set_str(&p->teaser, v, vlen);
        else if (key_is(f[0], fl[0], "date")) set_str(&p->date, v, vlen);
        else if (key_is(f[0], fl[0], "datetime")) set_str(&p->datetime, v, vlen);
        else if (key_is(f[0], fl[0], "image")) set_str(&p->image, v, vlen);
        else if (key_is(f[0], fl[0], "lang")) set_str(&p->lang, v, vlen);
        else if (key_is(f[0], fl[0], "author") || key_is(f[0], fl[0], "category") ||
                 key_is(f[0], fl[0], "tag")) {
            fl_strlist *l = key_is(f[0], fl[0], "author")     ? &p->authors
                            : key_is(f[0], fl[0], "category") ? &p->categories
                                                               : &p->tags;
            char *s = fl_docdata_unescape(v, vlen);
            fl_strlist_push(l, s);
            free(s);
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- section entries */

static void put_varint(fl_buf *out, size_t v)
{
    while (v >= 0x80) {
        fl_buf_putc(out, (char)(0x80 | (v & 0x7F)));
        v >>= 7;
    }
    fl_buf_putc(out, (char)v);
}

/* Reads a varint at *i of d[0..len); false when truncated or beyond size_t. */
static bool get_varint(const unsigned char *d, size_t len, size_t *i, size_t *v)
{
    size_t x = 0;
    for (unsigned shift = 0; *i < len && shift < 8 * sizeof x; shift += 7) {
        unsigned char b = d[(*i)++];
        if (shift > 8 * sizeof x - 7 && (b & 0x7F) >> (8 * sizeof x - shift))
            return false; /* bits that do not fit */
        x |= (size_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return true;
        }
    }
    return false;
}

void fl_secentry_encode(const char *anchor, const char *title, const size_t *checks,
                        size_t nchecks, const char *text, size_t text_len, fl_buf *out)
{
    size_t al = anchor ? strlen(anchor) : 0, tl = title ? strlen(title) : 0;
    put_varint(out, al);
    fl_buf_append(out, anchor ? anchor : "", al);
    put_varint(out, tl);
    fl_buf_append(out, title ? title : "", tl);
    /* Offsets past 4 GiB get no checkpoint (a reader then tokenises from
     * the last one): no section of an indexable file is that long. */
    size_t n = 0;
    while (n < nchecks && checks[n] <= UINT32_MAX)
        n++;
    put_varint(out, n);
    for (size_t j = 0; j < n; j++) {
        unsigned char b[FL_SECENTRY_CHECK_BYTES];
        for (size_t k = 0; k < FL_SECENTRY_CHECK_BYTES; k++)
            b[k] = (unsigned char)(checks[j] >> (8 * k));
        fl_buf_append(out, b, sizeof b);
    }
    if (text_len)
        fl_buf_append(out, text, text_len);
}

/* Checkpoint j (1-based) as stored. */
static size_t check_at(const fl_secentry *e, size_t j)
{
    const unsigned char *b = e->checks + (j - 1) * FL_SECENTRY_CHECK_BYTES;
    size_t v = 0;
    for (size_t k = FL_SECENTRY_CHECK_BYTES; k-- > 0;)
        v = v << 8 | b[k];
    return v;
}

int fl_secentry_decode(const char *data, size_t len, fl_secentry *e)
{
    const unsigned char *d = (const unsigned char *)data;
    size_t i = 0, n = 0;
    memset(e, 0, sizeof *e);
    if (!get_varint(d, len, &i, &n) || n > len - i)
        return -1;
    e->anchor = data + i;
    e->anchor_len = n;
    i += n;
    if (!get_varint(d, len, &i, &n) || n > len - i)
        return -1;
    e->title = data + i;
    e->title_len = n;
    i += n;
    if (!get_varint(d, len, &i, &n) || n > (len - i) / FL_SECENTRY_CHECK_BYTES)
        return -1;
    e->nchecks = n;
    e->checks = d + i;
    e->checks_len = n * FL_SECENTRY_CHECK_BYTES;
    i += e->checks_len;
    e->text = data + i;
    e->text_len = len - i;
    /* Checkpoints only grow and stay inside the text: a reader is never
     * sent out of it, and they can be bisected. */
    size_t prev = 0;
    for (size_t j = 1; j <= n; j++) {
        size_t at = check_at(e, j);
        if (at < prev || at > e->text_len)
            return -1;
        prev = at;
    }
    return 0;
}

size_t fl_secentry_checkpoint(const fl_secentry *e, size_t j)
{
    if (j > e->nchecks)
        j = e->nchecks;
    return j ? check_at(e, j) : 0;
}

size_t fl_secentry_checkpoint_before(const fl_secentry *e, size_t byte, size_t *j)
{
    /* The last checkpoint at or before byte: bisected (they only grow). */
    size_t lo = 0, hi = e->nchecks; /* checkpoint lo is <= byte; hi + 1 is not */
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (check_at(e, mid) <= byte)
            lo = mid;
        else
            hi = mid - 1;
    }
    *j = lo;
    return lo ? check_at(e, lo) : 0;
}
