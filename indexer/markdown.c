/* markdown.c — plain text and sections of a Jekyll body (see fl_markdown.h).
 *
 * Liquid and kramdown extensions are removed by hand first (Jekyll renders
 * Liquid before Markdown, so this is the order the site sees), then md4c
 * parses the CommonMark; we never render HTML, only collect text.
 */
#include "fl_markdown.h"

#include "fl_err.h"
#include "fl_utf8.h"

#include <ctype.h>
#include <md4c.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

/* ------------------------------------------------------------------ Liquid */

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Finds "%}" from s; returns the offset just after it or 0 when absent. */
static size_t find_close(const char *s, size_t len, size_t from, char a, char b)
{
    for (size_t i = from; i + 1 < len; i++)
        if (s[i] == a && s[i + 1] == b)
            return i + 2;
    return 0;
}

/* Tag body (between "{%" and "%}") without "-" trim markers and spaces. */
static void tag_body(const char *s, size_t len, const char **b, size_t *blen)
{
    size_t i = 0, j = len;
    if (i < j && s[i] == '-')
        i++;
    if (j > i && s[j - 1] == '-')
        j--;
    while (i < j && is_ws(s[i]))
        i++;
    while (j > i && is_ws(s[j - 1]))
        j--;
    *b = s + i;
    *blen = j - i;
}

static bool tag_is(const char *b, size_t blen, const char *name)
{
    size_t n = strlen(name);
    return blen >= n && memcmp(b, name, n) == 0 && (blen == n || is_ws(b[n]));
}

/* Finds the next "{% name %}" at or after `from`: sets *start (offset of "{%")
 * and returns the offset after "%}", or 0. */
static size_t find_tag(const char *s, size_t len, size_t from, const char *name, size_t *start)
{
    for (size_t i = from; i + 1 < len; i++) {
        if (s[i] != '{' || s[i + 1] != '%')
            continue;
        size_t end = find_close(s, len, i + 2, '%', '}');
        if (!end)
            return 0;
        const char *b;
        size_t blen;
        tag_body(s + i + 2, end - 2 - (i + 2), &b, &blen);
        if (tag_is(b, blen, name)) {
            *start = i;
            return end;
        }
    }
    return 0;
}

/* Argument names whose quoted values are text a reader sees on the page. */
static bool readable_arg(const char *k, size_t klen)
{
    static const char *const names[] = {
        "text",    "title",   "label", "alt",     "caption", "description", "heading",
        "headline", "subtitle", "summary", "quote", "content", "button",     "teaser",
        "cta",     "name",    "subline", "intro", "message", NULL};
    for (int i = 0; names[i]; i++)
        if (strlen(names[i]) == klen && strncasecmp(k, names[i], klen) == 0)
            return true;
    /* button_text, link_title, img_alt ... */
    static const char *const suffixes[] = {"_text", "_title", "_label", "_alt", "_caption", NULL};
    for (int i = 0; suffixes[i]; i++) {
        size_t sl = strlen(suffixes[i]);
        if (klen > sl && strncasecmp(k + klen - sl, suffixes[i], sl) == 0)
            return true;
    }
    return false;
}

/* A value that names a file or address rather than saying something. */
static bool looks_like_path(const char *v, size_t n)
{
    bool space = memchr(v, ' ', n) != NULL;
    if (!space && (memchr(v, '/', n) || memchr(v, '@', n)))
        return true;
    if (!space && n > 4 && memchr(v, '.', n)) {
        const char *dot = v + n;
        while (dot > v && dot[-1] != '.')
            dot--;
        size_t ext = (size_t)(v + n - dot);
        if (ext >= 2 && ext <= 4)
            return true;
    }
    return false;
}

/* Appends the readable string arguments of a tag body. */
static void tag_strings(const char *b, size_t blen, fl_buf *out)
{
    size_t i = 0;
    while (i < blen) {
        /* key = "value" | key='value' | key: "value" */
        size_t ks = i;
        while (i < blen && (isalnum((unsigned char)b[i]) || b[i] == '_' || b[i] == '-'))
            i++;
        size_t ke = i;
        while (i < blen && b[i] == ' ')
            i++;
        if (ke > ks && i < blen && (b[i] == '=' || b[i] == ':')) {
            i++;
            while (i < blen && b[i] == ' ')
                i++;
            if (i < blen && (b[i] == '"' || b[i] == '\'')) {
                char q = b[i++];
                size_t vs = i;
                while (i < blen && b[i] != q)
                    i++;
                size_t vn = i - vs;
                if (i < blen)
                    i++;
                if (readable_arg(b + ks, ke - ks) && vn && !looks_like_path(b + vs, vn)) {
                    fl_buf_putc(out, ' ');
                    fl_buf_append(out, b + vs, vn);
                    fl_buf_putc(out, ' ');
                }
                continue;
            }
        }
        if (i == ks)
            i++;
    }
}

static void put_newlines(fl_buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\n')
            fl_buf_putc(out, '\n');
}

void fl_liquid_strip(const char *s, size_t len, fl_buf *out)
{
    size_t i = 0;
    while (i < len) {
        const char *p = memchr(s + i, '{', len - i);
        if (!p) {
            fl_buf_append(out, s + i, len - i);
            return;
        }
        size_t at = (size_t)(p - s);
        fl_buf_append(out, s + i, at - i);
        i = at;
        if (i + 1 < len && s[i + 1] == '{') {
            size_t end = find_close(s, len, i + 2, '}', '}');
            if (!end) {
                fl_buf_append(out, s + i, len - i);
                return;
            }
            put_newlines(out, s + i, end - i);
            i = end;
            continue;
        }
        if (i + 1 < len && s[i + 1] == '%') {
            size_t end = find_close(s, len, i + 2, '%', '}');
            if (!end) {
                fl_buf_append(out, s + i, len - i);
                return;
            }
            const char *b;
            size_t blen;
            tag_body(s + i + 2, end - 2 - (i + 2), &b, &blen);
            if (tag_is(b, blen, "raw")) {
                size_t st;
                size_t e2 = find_tag(s, len, end, "endraw", &st);
                if (!e2) { /* unterminated: Liquid would fail; keep the rest */
                    fl_buf_append(out, s + end, len - end);
                    return;
                }
                fl_buf_append(out, s + end, st - end);
                i = e2;
                continue;
            }
            if (tag_is(b, blen, "comment")) {
                size_t st;
                size_t e2 = find_tag(s, len, end, "endcomment", &st);
                if (!e2)
                    e2 = len;
                put_newlines(out, s + i, e2 - i);
                i = e2;
                continue;
            }
            tag_strings(b, blen, out);
            put_newlines(out, s + i, end - i);
            i = end;
            continue;
        }
        fl_buf_putc(out, '{');
        i++;
    }
}

/* Removes kramdown extensions: "{:...}" attribute lists and "{::x}...{:/x}"
 * blocks (comment, options, nomarkdown's markers).  "{#id}" stays: heading ids
 * are read from it later. */
static void kramdown_strip(const char *s, size_t len, fl_buf *out)
{
    size_t i = 0;
    while (i < len) {
        if (s[i] == '{' && i + 1 < len && s[i + 1] == ':') {
            const char *nl = memchr(s + i, '\n', len - i);
            size_t lim = nl ? (size_t)(nl - s) : len;
            const char *close = memchr(s + i, '}', lim - i);
            if (close) {
                size_t end = (size_t)(close - s) + 1;
                if (i + 2 < len && s[i + 2] == ':' && end - i > 4 &&
                    strncmp(s + i + 3, "comment", 7) == 0) {
                    /* {::comment} ... {:/comment} or {:/} */
                    const char *q = s + end;
                    const char *stop = NULL;
                    while ((q = memchr(q, '{', (size_t)(s + len - q))) != NULL) {
                        if ((size_t)(s + len - q) >= 3 && q[1] == ':' && q[2] == '/') {
                            stop = memchr(q, '}', (size_t)(s + len - q));
                            break;
                        }
                        q++;
                    }
                    size_t e2 = stop ? (size_t)(stop - s) + 1 : len;
                    put_newlines(out, s + i, e2 - i);
                    i = e2;
                    continue;
                }
                i = end;
                continue;
            }
        }
        fl_buf_putc(out, s[i]);
        i++;
    }
}

/* ------------------------------------------------------------------ HTML */

static const struct {
    const char *name;
    uint32_t cp;
} entities[] = {
    {"amp", '&'},     {"lt", '<'},       {"gt", '>'},        {"quot", '"'},     {"apos", '\''},
    {"nbsp", 0xA0},   {"auml", 0xE4},    {"ouml", 0xF6},     {"uuml", 0xFC},    {"Auml", 0xC4},
    {"Ouml", 0xD6},   {"Uuml", 0xDC},    {"szlig", 0xDF},    {"eacute", 0xE9},  {"egrave", 0xE8},
    {"Eacute", 0xC9}, {"agrave", 0xE0},  {"aacute", 0xE1},   {"ccedil", 0xE7},  {"ntilde", 0xF1},
    {"oacute", 0xF3}, {"iacute", 0xED},  {"uacute", 0xFA},   {"ecirc", 0xEA},   {"euml", 0xEB},
    {"iuml", 0xEF},   {"ndash", 0x2013}, {"mdash", 0x2014},  {"hellip", 0x2026}, {"shy", 0xAD},
    {"laquo", 0xAB},  {"raquo", 0xBB},   {"bdquo", 0x201E},  {"ldquo", 0x201C}, {"rdquo", 0x201D},
    {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"sbquo", 0x201A}, {"copy", 0xA9},    {"reg", 0xAE},
    {"trade", 0x2122}, {"euro", 0x20AC}, {"sect", 0xA7},     {"para", 0xB6},    {"deg", 0xB0},
    {"middot", 0xB7}, {"bull", 0x2022},  {"times", 0xD7},    {"eur", 0x20AC},   {"thinsp", 0x2009},
    {"ensp", 0x2002}, {"emsp", 0x2003},  {"zwnj", 0x200C},   {"zwj", 0x200D},   {"half", 0xBD},
    {NULL, 0}};

size_t fl_html_entity(const char *s, size_t len, fl_buf *out)
{
    if (len < 3 || s[0] != '&')
        return 0;
    size_t i = 1;
    if (s[1] == '#') {
        uint32_t cp = 0;
        int base = 10;
        i = 2;
        if (i < len && (s[i] == 'x' || s[i] == 'X'))
            base = 16, i++;
        size_t ds = i;
        while (i < len && i - ds < 8 &&
               (base == 16 ? isxdigit((unsigned char)s[i]) : isdigit((unsigned char)s[i]))) {
            int d = isdigit((unsigned char)s[i]) ? s[i] - '0' : (tolower((unsigned char)s[i]) - 'a' + 10);
            cp = cp * (uint32_t)base + (uint32_t)d;
            i++;
        }
        if (i == ds || i >= len || s[i] != ';')
            return 0;
        fl_utf8_encode(out, cp == 0 ? 0xFFFD : cp);
        return i + 1;
    }
    while (i < len && i < 12 && isalnum((unsigned char)s[i]))
        i++;
    if (i >= len || s[i] != ';')
        return 0;
    for (int k = 0; entities[k].name; k++)
        if (strlen(entities[k].name) == i - 1 && memcmp(entities[k].name, s + 1, i - 1) == 0) {
            fl_utf8_encode(out, entities[k].cp);
            return i + 1;
        }
    return 0;
}

/* Appends text with entities decoded. */
static void put_decoded(fl_buf *out, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        const char *amp = memchr(s + i, '&', len - i);
        if (!amp) {
            fl_buf_append(out, s + i, len - i);
            return;
        }
        size_t at = (size_t)(amp - s);
        fl_buf_append(out, s + i, at - i);
        size_t n = fl_html_entity(s + at, len - at, out);
        if (n) {
            i = at + n;
        } else {
            fl_buf_putc(out, '&');
            i = at + 1;
        }
    }
}

/* Tag name of "<name ...>" / "</name>" into buf (lower case). */
static void tag_name(const char *s, size_t len, char *buf, size_t cap, bool *closing)
{
    size_t i = 1, k = 0;
    *closing = false;
    if (i < len && s[i] == '/')
        *closing = true, i++;
    while (i < len && k + 1 < cap && (isalnum((unsigned char)s[i])))
        buf[k++] = (char)tolower((unsigned char)s[i++]);
    buf[k] = 0;
}

static bool block_tag(const char *name)
{
    static const char *const blocks[] = {"p",  "div", "br", "li",  "ul",  "ol",  "h1",  "h2",
                                         "h3", "h4",  "h5", "h6",  "tr",  "td",  "th",  "table",
                                         "section", "article", "blockquote", "figure",
                                         "figcaption", "header", "footer", "hr", "dd", "dt", NULL};
    for (int i = 0; blocks[i]; i++)
        if (!strcmp(name, blocks[i]))
            return true;
    return false;
}

/* Attribute values worth indexing: alt and title. */
static void tag_attr_text(const char *s, size_t len, fl_buf *out)
{
    static const char *const attrs[] = {"alt", "title", NULL};
    for (size_t i = 0; i < len; i++) {
        for (int a = 0; attrs[a]; a++) {
            size_t n = strlen(attrs[a]);
            if (i + n + 2 < len && is_ws(s[i]) && strncasecmp(s + i + 1, attrs[a], n) == 0 &&
                s[i + 1 + n] == '=' && (s[i + 2 + n] == '"' || s[i + 2 + n] == '\'')) {
                char q = s[i + 2 + n];
                size_t vs = i + 3 + n, ve = vs;
                while (ve < len && s[ve] != q)
                    ve++;
                if (ve > vs) {
                    fl_buf_putc(out, ' ');
                    put_decoded(out, s + vs, ve - vs);
                    fl_buf_putc(out, ' ');
                }
            }
        }
    }
}

void fl_html_text(const char *s, size_t len, fl_buf *out)
{
    size_t i = 0;
    while (i < len) {
        if (s[i] == '<') {
            if (i + 3 < len && strncmp(s + i, "<!--", 4) == 0) {
                const char *e = NULL;
                for (size_t k = i + 4; k + 2 < len; k++)
                    if (s[k] == '-' && s[k + 1] == '-' && s[k + 2] == '>') {
                        e = s + k + 3;
                        break;
                    }
                i = e ? (size_t)(e - s) : len;
                continue;
            }
            bool closing;
            char name[16];
            tag_name(s + i, len - i, name, sizeof name, &closing);
            if (!name[0] && !(i + 1 < len && (s[i + 1] == '!' || s[i + 1] == '?'))) {
                fl_buf_putc(out, '<'); /* a lone "<" in text */
                i++;
                continue;
            }
            const char *gt = memchr(s + i, '>', len - i);
            size_t end = gt ? (size_t)(gt - s) + 1 : len;
            if (!closing && (!strcmp(name, "script") || !strcmp(name, "style"))) {
                /* Skip to the matching close tag. */
                size_t k = end;
                size_t nl = strlen(name);
                while (k + 2 + nl < len &&
                       !(s[k] == '<' && s[k + 1] == '/' && strncasecmp(s + k + 2, name, nl) == 0))
                    k++;
                const char *g2 = k < len ? memchr(s + k, '>', len - k) : NULL;
                i = g2 ? (size_t)(g2 - s) + 1 : len;
                continue;
            }
            if (!closing && (!strcmp(name, "img") || !strcmp(name, "area") || !strcmp(name, "abbr")))
                tag_attr_text(s + i, end - i, out);
            if (block_tag(name))
                fl_buf_putc(out, '\n');
            i = end;
            continue;
        }
        if (s[i] == '&') {
            size_t n = fl_html_entity(s + i, len - i, out);
            if (n) {
                i += n;
                continue;
            }
        }
        fl_buf_putc(out, s[i]);
        i++;
    }
}

/* ------------------------------------------------------------------ anchors */

/* kramdown's typographic symbols "--" and "---" become dashes that the GFM id
 * rule drops, while a single "-" is kept: in a run of n hyphens, one
 * survives exactly when n % 3 == 1 (observed with jekyll 4.3 / kramdown 2.4). */
char *fl_markdown_anchor(const char *title, fl_strlist *seen)
{
    fl_buf b = FL_BUF_INIT;
    size_t len = strlen(title), i = 0;
    while (i < len) {
        if (title[i] == '-') {
            size_t run = 0;
            while (i < len && title[i] == '-')
                run++, i++;
            if (run % 3 == 1)
                fl_buf_putc(&b, '-');
            continue;
        }
        size_t adv;
        uint32_t cp = fl_utf8_decode(title + i, len - i, &adv);
        i += adv;
        if (cp == ' ' || cp == '\t') {
            fl_buf_putc(&b, '-');
            continue;
        }
        utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
        bool word = (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
                    c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC ||
                    c == UTF8PROC_CATEGORY_ME || c == UTF8PROC_CATEGORY_ND ||
                    c == UTF8PROC_CATEGORY_NL || c == UTF8PROC_CATEGORY_PC;
        if (!word)
            continue;
        if (cp == 0x130) { /* Ruby's full lower-casing: İ → i + combining dot */
            fl_buf_puts(&b, "i\xCC\x87");
            continue;
        }
        fl_utf8_encode(&b, (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp));
    }
    char *base = fl_buf_detach(&b);
    /* kramdown counts per base id: "Foo", "Foo 1", "Foo" → foo, foo-1, foo-1. */
    size_t count = 0;
    if (seen) {
        for (size_t k = 0; k < seen->n; k++)
            if (strcmp(seen->items[k], base) == 0)
                count++;
        fl_strlist_push(seen, base);
    }
    if (count == 0)
        return base;
    char *r = fl_xasprintf("%s-%zu", base, count);
    free(base);
    return r;
}

/* ------------------------------------------------------------------ md4c */

typedef struct {
    fl_page *p;
    fl_buf body;       /* whole text */
    fl_buf block;      /* current leaf block text */
    fl_buf sec;        /* current section text */
    fl_buf head;       /* heading text (display) */
    fl_buf head_id;    /* heading text as kramdown sees it for the id */
    fl_strlist seen;   /* anchor bases so far */
    int heading;       /* level while inside a heading, else 0 */
    int img;           /* depth inside image spans (alt text) */
    int code_block;
    bool html_skip;    /* inside inline <script>/<style> */
    char *sec_title, *sec_anchor;
    int sec_level;
    bool have_section; /* a heading section is open */
} md_ctx;

static void sep_append(fl_buf *dst, const char *s, size_t n)
{
    if (!n)
        return;
    if (dst->len)
        fl_buf_puts(dst, "\n\n");
    fl_buf_append(dst, s, n);
}

/* Trims surrounding white space of the block and appends it as a paragraph. */
static void flush_block(md_ctx *c)
{
    const char *s = fl_buf_cstr(&c->block);
    size_t a = 0, e = c->block.len;
    while (a < e && is_ws(s[a]))
        a++;
    while (e > a && is_ws(s[e - 1]))
        e--;
    sep_append(&c->body, s + a, e - a);
    sep_append(&c->sec, s + a, e - a);
    fl_buf_reset(&c->block);
}

static void push_section(md_ctx *c)
{
    fl_page *p = c->p;
    if (!c->have_section && c->sec.len == 0)
        return; /* section 0 only when there is text before the first heading */
    p->sections = fl_xrealloc(p->sections, (p->nsections + 1) * sizeof *p->sections);
    fl_section *s = &p->sections[p->nsections++];
    memset(s, 0, sizeof *s);
    s->title = c->have_section ? c->sec_title : fl_xstrdup("");
    s->anchor = c->have_section ? c->sec_anchor : fl_xstrdup("");
    s->level = c->have_section ? c->sec_level : 0;
    s->text_len = c->sec.len;
    s->text = fl_buf_detach(&c->sec);
    c->sec_title = c->sec_anchor = NULL;
}

static void collapse_ws(fl_buf *b)
{
    size_t w = 0;
    bool sp = true;
    for (size_t r = 0; r < b->len; r++) {
        char ch = b->data[r];
        if (is_ws(ch)) {
            if (!sp)
                b->data[w++] = ' ';
            sp = true;
        } else {
            b->data[w++] = ch;
            sp = false;
        }
    }
    if (w && b->data[w - 1] == ' ')
        w--;
    fl_buf_truncate(b, w);
}

static void end_heading(md_ctx *c)
{
    push_section(c);
    collapse_ws(&c->head);
    char *title = fl_buf_detach(&c->head);
    char *anchor = NULL;
    /* kramdown's explicit id: "## Title {#my-id}" */
    size_t tl = strlen(title);
    char *open = tl && title[tl - 1] == '}' ? strstr(title, "{#") : NULL;
    if (open && !strchr(open + 2, ' ')) {
        anchor = fl_xstrndup(open + 2, (size_t)(title + tl - 1 - (open + 2)));
        while (open > title && open[-1] == ' ')
            open--;
        *open = 0;
    } else {
        /* the id text keeps tabs and runs of spaces as kramdown sees them */
        anchor = fl_markdown_anchor(fl_buf_cstr(&c->head_id), &c->seen);
    }
    fl_buf_reset(&c->head_id);
    sep_append(&c->body, title, strlen(title));
    c->have_section = true;
    c->sec_title = title;
    c->sec_anchor = anchor;
    c->sec_level = c->heading;
    c->heading = 0;
}

static void put_text(md_ctx *c, const char *s, size_t n, bool for_id)
{
    if (c->html_skip)
        return;
    if (c->heading) {
        fl_buf_append(&c->head, s, n);
        if (for_id && !c->img)
            fl_buf_append(&c->head_id, s, n);
    } else {
        fl_buf_append(&c->block, s, n);
    }
}

static int enter_block(MD_BLOCKTYPE t, void *detail, void *ud)
{
    md_ctx *c = ud;
    if (t == MD_BLOCK_TD || t == MD_BLOCK_TH)
        return 0;
    flush_block(c);
    if (t == MD_BLOCK_H) {
        c->heading = (int)((MD_BLOCK_H_DETAIL *)detail)->level;
        fl_buf_reset(&c->head);
        fl_buf_reset(&c->head_id);
    } else if (t == MD_BLOCK_CODE) {
        c->code_block = 1;
    }
    return 0;
}

static int leave_block(MD_BLOCKTYPE t, void *detail, void *ud)
{
    (void)detail;
    md_ctx *c = ud;
    if (t == MD_BLOCK_TD || t == MD_BLOCK_TH) {
        fl_buf_putc(&c->block, ' ');
        return 0;
    }
    if (t == MD_BLOCK_H) {
        end_heading(c);
        return 0;
    }
    if (t == MD_BLOCK_HTML) {
        /* The block's raw HTML was collected in block: reduce it to text. */
        fl_buf html = c->block;
        fl_buf_init(&c->block);
        fl_html_text(fl_buf_cstr(&html), html.len, &c->block);
        fl_buf_free(&html);
    }
    if (t == MD_BLOCK_CODE)
        c->code_block = 0;
    flush_block(c);
    return 0;
}

static bool attr_eq(const MD_ATTRIBUTE *a, const char *prefix, const char *s, size_t n)
{
    size_t pl = strlen(prefix);
    return a->size == pl + n && memcmp(a->text, prefix, pl) == 0 && memcmp(a->text + pl, s, n) == 0;
}

static int enter_span(MD_SPANTYPE t, void *detail, void *ud)
{
    (void)detail;
    md_ctx *c = ud;
    if (t == MD_SPAN_IMG) {
        c->img++;
        put_text(c, " ", 1, false);
    }
    return 0;
}

static int leave_span(MD_SPANTYPE t, void *detail, void *ud)
{
    (void)detail;
    md_ctx *c = ud;
    if (t == MD_SPAN_IMG) {
        c->img--;
        put_text(c, " ", 1, false);
    }
    return 0;
}

static int text_cb(MD_TEXTTYPE t, const MD_CHAR *s, MD_SIZE n, void *ud)
{
    md_ctx *c = ud;
    switch (t) {
    case MD_TEXT_NULLCHAR:
        put_text(c, "\xEF\xBF\xBD", 3, true);
        break;
    case MD_TEXT_BR:
        put_text(c, "\n", 1, false);
        break;
    case MD_TEXT_SOFTBR:
        put_text(c, c->heading ? " " : "\n", 1, c->heading != 0);
        break;
    case MD_TEXT_ENTITY: {
        fl_buf e = FL_BUF_INIT;
        if (!fl_html_entity(s, n, &e))
            fl_buf_append(&e, s, n);
        put_text(c, fl_buf_cstr(&e), e.len, true);
        fl_buf_free(&e);
        break;
    }
    case MD_TEXT_HTML:
        {
            /* inline tags: drop them, but skip <script>/<style> content */
            bool closing;
            char name[16];
            tag_name(s, n, name, sizeof name, &closing);
            if (!strcmp(name, "script") || !strcmp(name, "style")) {
                c->html_skip = !closing;
                break;
            }
            if (!closing && !strcmp(name, "img")) {
                fl_buf alt = FL_BUF_INIT;
                tag_attr_text(s, n, &alt);
                put_text(c, fl_buf_cstr(&alt), alt.len, false);
                fl_buf_free(&alt);
            } else if (!strcmp(name, "br")) {
                put_text(c, " ", 1, false);
            }
        }
        break;
    default: /* NORMAL, CODE, LATEXMATH */
        put_text(c, s, n, true);
    }
    return 0;
}

/* For HTML blocks md4c hands us raw HTML as MD_TEXT_HTML inside
 * MD_BLOCK_HTML; collect it verbatim there instead of dropping tags. */
static int text_cb_outer(MD_TEXTTYPE t, const MD_CHAR *s, MD_SIZE n, void *ud);

typedef struct {
    md_ctx c;
    int in_html_block;
} md_outer;

static int enter_block_outer(MD_BLOCKTYPE t, void *d, void *ud)
{
    md_outer *o = ud;
    int rc = enter_block(t, d, &o->c);
    if (t == MD_BLOCK_HTML)
        o->in_html_block = 1;
    return rc;
}

static int leave_block_outer(MD_BLOCKTYPE t, void *d, void *ud)
{
    md_outer *o = ud;
    if (t == MD_BLOCK_HTML)
        o->in_html_block = 0;
    return leave_block(t, d, &o->c);
}

/* Autolinks: md4c gives the URL as the link's text; a link whose text is its
 * own href (or mailto:/http:// + text) is an address, not prose. */
typedef struct {
    md_outer o;
    fl_buf href;  /* a copy: md4c's detail strings die with the callback */
    int in_a;
} md_full;

static int enter_span_full(MD_SPANTYPE t, void *d, void *ud)
{
    md_full *f = ud;
    if (t == MD_SPAN_A) {
        MD_SPAN_A_DETAIL *a = d;
        fl_buf_reset(&f->href);
        fl_buf_append(&f->href, a->href.text, a->href.size);
        f->in_a = 1;
        return 0;
    }
    return enter_span(t, d, &f->o.c);
}

static int leave_span_full(MD_SPANTYPE t, void *d, void *ud)
{
    md_full *f = ud;
    if (t == MD_SPAN_A) {
        f->in_a = 0;
        return 0;
    }
    return leave_span(t, d, &f->o.c);
}

static int text_cb_full(MD_TEXTTYPE t, const MD_CHAR *s, MD_SIZE n, void *ud)
{
    md_full *f = ud;
    if (f->in_a && !f->o.c.heading && t == MD_TEXT_NORMAL && f->href.len) {
        MD_ATTRIBUTE a = {.text = f->href.data, .size = (MD_SIZE)f->href.len};
        if (attr_eq(&a, "", s, n) || attr_eq(&a, "mailto:", s, n) ||
            attr_eq(&a, "http://", s, n) || attr_eq(&a, "https://", s, n))
            return 0;
    }
    return text_cb_outer(t, s, n, &f->o);
}

static int text_cb_outer(MD_TEXTTYPE t, const MD_CHAR *s, MD_SIZE n, void *ud)
{
    md_outer *o = ud;
    if (o->in_html_block) {
        fl_buf_append(&o->c.block, s, n);
        return 0;
    }
    return text_cb(t, s, n, &o->c);
}

int fl_markdown_extract(const char *text, size_t len, bool is_html, fl_page *p, char **err)
{
    fl_buf liquid = FL_BUF_INIT, src = FL_BUF_INIT;
    fl_liquid_strip(text, len, &liquid);
    md_full f;
    memset(&f, 0, sizeof f);
    md_ctx *c = &f.o.c;
    c->p = p;
    int rc = 0;
    if (is_html) {
        fl_html_text(fl_buf_cstr(&liquid), liquid.len, &c->block);
        /* paragraphs: collapse the blank-line soup HTML leaves */
        flush_block(c);
    } else {
        kramdown_strip(fl_buf_cstr(&liquid), liquid.len, &src);
        MD_PARSER parser = {
            .abi_version = 0,
            .flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_PERMISSIVEAUTOLINKS,
            .enter_block = enter_block_outer,
            .leave_block = leave_block_outer,
            .enter_span = enter_span_full,
            .leave_span = leave_span_full,
            .text = text_cb_full,
        };
        if (md_parse(fl_buf_cstr(&src), (MD_SIZE)src.len, &parser, &f) != 0)
            rc = fl_err_set(err, "the Markdown parser failed");
        flush_block(c);
    }
    push_section(c);
    free(p->body);
    p->body_len = c->body.len;
    p->body = fl_buf_detach(&c->body);
    free(c->sec_title);
    free(c->sec_anchor);
    fl_buf_free(&c->block);
    fl_buf_free(&c->sec);
    fl_buf_free(&c->head);
    fl_buf_free(&c->head_id);
    fl_strlist_free(&c->seen);
    fl_buf_free(&f.href);
    fl_buf_free(&liquid);
    fl_buf_free(&src);
    return rc;
}
