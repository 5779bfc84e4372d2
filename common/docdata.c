/* docdata.c — encode/decode the stored document data (see fl_docdata.h). */
#include "fl_docdata.h"

#include "fl_err.h"

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

void fl_docdata_encode(const fl_page *p, fl_buf *out)
{
    fl_buf_puts(out, "v\t1\n");
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
    for (size_t i = 0; i < p->nsections; i++) {
        const fl_section *s = &p->sections[i];
        fl_buf_printf(out, "section\t%d\t%u\t%u\t", s->level, (unsigned)s->pos_start,
                      (unsigned)s->pos_end);
        put_escaped(out, s->anchor ? s->anchor : "");
        fl_buf_putc(out, '\t');
        put_escaped(out, s->title ? s->title : "");
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

size_t fl_docdata_count_sections(const char *data, size_t len)
{
    size_t nsec = 0;
    for (const char *q = data, *end = data + len; q && q < end;) {
        if ((size_t)(end - q) >= 8 && memcmp(q, "section\t", 8) == 0)
            nsec++;
        q = memchr(q, '\n', (size_t)(end - q));
        q = q ? q + 1 : NULL;
    }
    return nsec;
}

int fl_docdata_decode(const char *data, size_t len, fl_page *p, char **err)
{
    /* Room for every section line at once instead of growing per line. */
    size_t nsec = fl_docdata_count_sections(data, len);
    if (nsec)
        p->sections = fl_xrealloc(p->sections, (p->nsections + nsec) * sizeof *p->sections);
    size_t seccap = p->nsections + nsec;
    size_t pos = 0;
    while (pos < len) {
        const char *line = data + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - line) : len - pos;
        pos += llen + 1;
        if (llen == 0)
            continue;
        const char *f[6];
        size_t fl[6];
        size_t nf = split_tabs(line, llen, f, fl, 6);
        if (nf < 2)
            return fl_err_set(err, "document data: line without a value");
        if (key_is(f[0], fl[0], "section")) {
            if (nf != 6)
                return fl_err_set(err, "document data: malformed section line");
            if (p->nsections >= seccap) /* not reached: counted above */
                p->sections = fl_xrealloc(p->sections, (seccap = p->nsections + 1) *
                                                           sizeof *p->sections);
            fl_section *s = &p->sections[p->nsections++];
            memset(s, 0, sizeof *s);
            s->level = atoi(f[1]);
            s->pos_start = (uint32_t)strtoul(f[2], NULL, 10);
            s->pos_end = (uint32_t)strtoul(f[3], NULL, 10);
            s->anchor = fl_docdata_unescape(f[4], fl[4]);
            s->title = fl_docdata_unescape(f[5], fl[5]);
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
