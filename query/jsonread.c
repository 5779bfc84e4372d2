/* jsonread.c — the small JSON reader of fl_jsonread.h (recursive descent). */
#include "fl_jsonread.h"

#include "fl_buf.h"
#include "fl_err.h"
#include "fl_utf8.h"

#include <stdlib.h>
#include <string.h>

typedef struct jp {
    const char *s;
    size_t len, pos;
    int depth;
} jp;

static void ws(jp *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static char *parse_string(jp *p)
{
    if (p->pos >= p->len || p->s[p->pos] != '"')
        return NULL;
    p->pos++;
    fl_buf b = FL_BUF_INIT;
    while (p->pos < p->len && p->s[p->pos] != '"') {
        char c = p->s[p->pos++];
        if (c != '\\') {
            fl_buf_putc(&b, c);
            continue;
        }
        if (p->pos >= p->len)
            break;
        char e = p->s[p->pos++];
        switch (e) {
        case 'n': fl_buf_putc(&b, '\n'); break;
        case 't': fl_buf_putc(&b, '\t'); break;
        case 'r': fl_buf_putc(&b, '\r'); break;
        case 'b': fl_buf_putc(&b, '\b'); break;
        case 'f': fl_buf_putc(&b, '\f'); break;
        case 'u': {
            unsigned cp;
            if (p->pos + 4 > p->len || hex4(p->s + p->pos, &cp) != 0) {
                fl_buf_free(&b);
                return NULL;
            }
            p->pos += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && p->pos + 6 <= p->len && p->s[p->pos] == '\\' &&
                p->s[p->pos + 1] == 'u') {
                unsigned lo;
                if (hex4(p->s + p->pos + 2, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p->pos += 6;
                }
            }
            fl_utf8_encode(&b, cp);
            break;
        }
        default: fl_buf_putc(&b, e);
        }
    }
    if (p->pos >= p->len) {
        fl_buf_free(&b);
        return NULL;
    }
    p->pos++;
    return fl_buf_detach(&b);
}

static fl_jv *parse_value(jp *p);

static fl_jv *jv_new(fl_jtype t)
{
    fl_jv *v = fl_xcalloc(1, sizeof *v);
    v->type = t;
    return v;
}

static void jv_add(fl_jv *v, char *key, fl_jv *item)
{
    v->items = fl_xrealloc(v->items, (v->n + 1) * sizeof *v->items);
    if (v->type == FL_J_OBJ)
        v->keys = fl_xrealloc(v->keys, (v->n + 1) * sizeof *v->keys), v->keys[v->n] = key;
    v->items[v->n++] = item;
}

static fl_jv *parse_container(jp *p, bool obj)
{
    if (++p->depth > 64)
        return NULL;
    fl_jv *v = jv_new(obj ? FL_J_OBJ : FL_J_ARR);
    p->pos++;
    ws(p);
    char close = obj ? '}' : ']';
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
        p->depth--;
        return v;
    }
    for (;;) {
        char *key = NULL;
        ws(p);
        if (obj) {
            key = parse_string(p);
            ws(p);
            if (!key || p->pos >= p->len || p->s[p->pos] != ':') {
                free(key);
                fl_jv_free(v);
                return NULL;
            }
            p->pos++;
        }
        fl_jv *item = parse_value(p);
        if (!item) {
            free(key);
            fl_jv_free(v);
            return NULL;
        }
        jv_add(v, key, item);
        ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == close) {
            p->pos++;
            p->depth--;
            return v;
        }
        fl_jv_free(v);
        return NULL;
    }
}

static fl_jv *parse_value(jp *p)
{
    ws(p);
    if (p->pos >= p->len)
        return NULL;
    char c = p->s[p->pos];
    if (c == '{' || c == '[')
        return parse_container(p, c == '{');
    if (c == '"') {
        char *s = parse_string(p);
        if (!s)
            return NULL;
        fl_jv *v = jv_new(FL_J_STR);
        v->str = s;
        return v;
    }
    static const struct { const char *w; fl_jtype t; bool b; } lits[] = {
        {"null", FL_J_NULL, false}, {"true", FL_J_BOOL, true}, {"false", FL_J_BOOL, false}};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(lits[i].w);
        if (p->len - p->pos >= n && memcmp(p->s + p->pos, lits[i].w, n) == 0) {
            p->pos += n;
            fl_jv *v = jv_new(lits[i].t);
            v->b = lits[i].b;
            return v;
        }
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        char tmp[64];
        size_t n = 0;
        while (p->pos < p->len && n < sizeof tmp - 1 && strchr("+-0123456789.eE", p->s[p->pos]))
            tmp[n++] = p->s[p->pos++];
        tmp[n] = '\0';
        fl_jv *v = jv_new(FL_J_NUM);
        v->num = strtod(tmp, NULL);
        return v;
    }
    return NULL;
}

fl_jv *fl_jv_parse(const char *s, size_t len, char **err)
{
    jp p = {s, len, 0, 0};
    fl_jv *v = parse_value(&p);
    ws(&p);
    if (!v || p.pos != len) {
        fl_jv_free(v);
        fl_err_set(err, "malformed JSON near byte %zu", p.pos);
        return NULL;
    }
    return v;
}

void fl_jv_free(fl_jv *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        fl_jv_free(v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
    free(v);
}

const fl_jv *fl_jv_get(const fl_jv *v, const char *key)
{
    if (!v || v->type != FL_J_OBJ)
        return NULL;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->keys[i], key) == 0)
            return v->items[i];
    return NULL;
}

const char *fl_jv_str(const fl_jv *v) { return v && v->type == FL_J_STR ? v->str : NULL; }
