/* json_check.h — a strict RFC 8259 JSON parser for tests.
 *
 * Used to check that what Findling writes is JSON and means what was meant
 * (the JSON writer's round trip, the HTTP API's answers).  Strict: exactly
 * one value with optional white space around it, no trailing commas, no
 * leading zeros, no control characters or invalid UTF-8 inside strings, no
 * unpaired surrogate escapes, nesting at most JC_MAX_DEPTH.
 *
 *     jc_value *v = jc_parse(text, len, &why);   // NULL: why = static reason
 *     ... v->kind, v->str/len, v->num, v->items[i], v->keys[i] ...
 *     jc_free(v);
 *
 * Header-only (static functions) like tap.h; allocation failure aborts.
 */
#ifndef FL_JSON_CHECK_H
#define FL_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JC_MAX_DEPTH 512
/* Unused helpers must not warn under -Wall -Werror. */
#define JC_FN static inline __attribute__((unused))

typedef enum { JC_NULL, JC_BOOL, JC_NUMBER, JC_STRING, JC_ARRAY, JC_OBJECT } jc_kind;

typedef struct jc_value jc_value;
struct jc_value {
    jc_kind kind;
    bool b;              /* JC_BOOL */
    double num;          /* JC_NUMBER: the value */
    char *text;          /* JC_NUMBER: the literal as written; JC_STRING: decoded bytes (NUL-terminated) */
    size_t len;          /* JC_STRING: decoded length (may contain NULs) */
    size_t n;            /* JC_ARRAY / JC_OBJECT: members */
    jc_value **items;    /* members' values */
    char **keys;         /* JC_OBJECT: decoded keys (NUL-terminated) */
    size_t *key_lens;
};

typedef struct {
    const unsigned char *s;
    size_t len, pos;
    int depth;
    const char *why;
} jc_parser;

JC_FN void *jc_alloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p)
        abort();
    return p;
}

JC_FN void *jc_grow(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        abort();
    return p;
}

JC_FN void jc_free(jc_value *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        jc_free(v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->key_lens);
    free(v->text);
    free(v);
}

JC_FN void jc_ws(jc_parser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
}

JC_FN int jc_fail(jc_parser *p, const char *why)
{
    if (!p->why)
        p->why = why;
    return -1;
}

JC_FN int jc_hex4(jc_parser *p, uint32_t *out)
{
    if (p->len - p->pos < 4)
        return jc_fail(p, "short \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = p->s[p->pos++];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
        else return jc_fail(p, "bad hex digit in \\u escape");
    }
    *out = v;
    return 0;
}

/* Length of the valid UTF-8 sequence at s (shortest form, no surrogates), or 0. */
JC_FN size_t jc_utf8_len(const unsigned char *s, size_t len)
{
    if (s[0] < 0x80) return 1;
    size_t n;
    uint32_t cp;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) { n = 2; cp = s[0] & 0x1F; }
    else if (s[0] >= 0xE0 && s[0] <= 0xEF) { n = 3; cp = s[0] & 0x0F; }
    else if (s[0] >= 0xF0 && s[0] <= 0xF4) { n = 4; cp = s[0] & 0x07; }
    else return 0;
    if (len < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

JC_FN void jc_put(char **buf, size_t *len, size_t *cap, const void *d, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = jc_grow(*buf, *cap);
    }
    memcpy(*buf + *len, d, n);
    *len += n;
    (*buf)[*len] = '\0';
}

JC_FN void jc_put_cp(char **buf, size_t *len, size_t *cap, uint32_t cp)
{
    unsigned char u[4];
    size_t n;
    if (cp < 0x80) { u[0] = (unsigned char)cp; n = 1; }
    else if (cp < 0x800) { u[0] = (unsigned char)(0xC0 | (cp >> 6)); u[1] = (unsigned char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) { u[0] = (unsigned char)(0xE0 | (cp >> 12)); u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); u[2] = (unsigned char)(0x80 | (cp & 0x3F)); n = 3; }
    else { u[0] = (unsigned char)(0xF0 | (cp >> 18)); u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F)); u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (unsigned char)(0x80 | (cp & 0x3F)); n = 4; }
    jc_put(buf, len, cap, u, n);
}

/* Parses a string at p->pos (on the opening quote) into a malloc'd buffer. */
JC_FN int jc_string(jc_parser *p, char **out, size_t *out_len)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    jc_put(&buf, &len, &cap, "", 0);
    p->pos++; /* opening quote */
    for (;;) {
        if (p->pos >= p->len) {
            free(buf);
            return jc_fail(p, "unterminated string");
        }
        unsigned char c = p->s[p->pos];
        if (c == '"') {
            p->pos++;
            break;
        }
        if (c < 0x20) {
            free(buf);
            return jc_fail(p, "control character in string");
        }
        if (c == '\\') {
            if (++p->pos >= p->len) {
                free(buf);
                return jc_fail(p, "unterminated escape");
            }
            unsigned char e = p->s[p->pos++];
            const char *map = NULL;
            switch (e) {
            case '"': map = "\""; break;
            case '\\': map = "\\"; break;
            case '/': map = "/"; break;
            case 'b': map = "\b"; break;
            case 'f': map = "\f"; break;
            case 'n': map = "\n"; break;
            case 'r': map = "\r"; break;
            case 't': map = "\t"; break;
            case 'u': {
                uint32_t cp;
                if (jc_hex4(p, &cp)) {
                    free(buf);
                    return -1;
                }
                if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    free(buf);
                    return jc_fail(p, "unpaired low surrogate escape");
                }
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    uint32_t lo;
                    if (p->len - p->pos < 6 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
                        free(buf);
                        return jc_fail(p, "unpaired high surrogate escape");
                    }
                    p->pos += 2;
                    if (jc_hex4(p, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
                        free(buf);
                        return jc_fail(p, "bad low surrogate escape");
                    }
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                jc_put_cp(&buf, &len, &cap, cp);
                continue;
            }
            default:
                free(buf);
                return jc_fail(p, "unknown escape");
            }
            jc_put(&buf, &len, &cap, map, 1);
            continue;
        }
        size_t n = jc_utf8_len(p->s + p->pos, p->len - p->pos);
        if (n == 0) {
            free(buf);
            return jc_fail(p, "invalid UTF-8 in string");
        }
        jc_put(&buf, &len, &cap, p->s + p->pos, n);
        p->pos += n;
    }
    *out = buf;
    *out_len = len;
    return 0;
}

JC_FN int jc_number(jc_parser *p, jc_value *v)
{
    size_t start = p->pos;
    const unsigned char *s = p->s;
#define JC_DIGIT(i) ((i) < p->len && s[i] >= '0' && s[i] <= '9')
    if (p->pos < p->len && s[p->pos] == '-')
        p->pos++;
    if (!JC_DIGIT(p->pos))
        return jc_fail(p, "number without digits");
    if (s[p->pos] == '0') {
        p->pos++;
        if (JC_DIGIT(p->pos))
            return jc_fail(p, "leading zero");
    } else {
        while (JC_DIGIT(p->pos))
            p->pos++;
    }
    if (p->pos < p->len && s[p->pos] == '.') {
        p->pos++;
        if (!JC_DIGIT(p->pos))
            return jc_fail(p, "no digits after decimal point");
        while (JC_DIGIT(p->pos))
            p->pos++;
    }
    if (p->pos < p->len && (s[p->pos] == 'e' || s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (s[p->pos] == '+' || s[p->pos] == '-'))
            p->pos++;
        if (!JC_DIGIT(p->pos))
            return jc_fail(p, "no digits in exponent");
        while (JC_DIGIT(p->pos))
            p->pos++;
    }
#undef JC_DIGIT
    v->kind = JC_NUMBER;
    v->text = jc_alloc(p->pos - start + 1);
    memcpy(v->text, s + start, p->pos - start);
    v->num = strtod(v->text, NULL);
    return 0;
}

JC_FN jc_value *jc_value_at(jc_parser *p);

JC_FN int jc_literal(jc_parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return jc_fail(p, "unknown literal");
    p->pos += n;
    return 0;
}

JC_FN jc_value *jc_container(jc_parser *p, jc_value *v, bool object)
{
    v->kind = object ? JC_OBJECT : JC_ARRAY;
    if (++p->depth > JC_MAX_DEPTH) {
        jc_fail(p, "nested too deeply");
        goto fail;
    }
    p->pos++;
    jc_ws(p);
    char close = object ? '}' : ']';
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
        p->depth--;
        return v;
    }
    for (;;) {
        char *key = NULL;
        size_t klen = 0;
        jc_ws(p);
        if (object) {
            if (p->pos >= p->len || p->s[p->pos] != '"') {
                jc_fail(p, "expected a key");
                goto fail;
            }
            if (jc_string(p, &key, &klen))
                goto fail;
            jc_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') {
                free(key);
                jc_fail(p, "expected ':'");
                goto fail;
            }
            p->pos++;
        }
        jc_value *item = jc_value_at(p);
        if (!item) {
            free(key);
            goto fail;
        }
        v->items = jc_grow(v->items, (v->n + 1) * sizeof *v->items);
        if (object) {
            v->keys = jc_grow(v->keys, (v->n + 1) * sizeof *v->keys);
            v->key_lens = jc_grow(v->key_lens, (v->n + 1) * sizeof *v->key_lens);
            v->keys[v->n] = key;
            v->key_lens[v->n] = klen;
        }
        v->items[v->n++] = item;
        jc_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == close) {
            p->pos++;
            break;
        }
        jc_fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
        goto fail;
    }
    p->depth--;
    return v;
fail:
    jc_free(v);
    return NULL;
}

JC_FN jc_value *jc_value_at(jc_parser *p)
{
    jc_ws(p);
    if (p->pos >= p->len) {
        jc_fail(p, "expected a value");
        return NULL;
    }
    jc_value *v = jc_alloc(sizeof *v);
    int rc = 0;
    switch (p->s[p->pos]) {
    case '{': return jc_container(p, v, true);
    case '[': return jc_container(p, v, false);
    case '"':
        v->kind = JC_STRING;
        rc = jc_string(p, &v->text, &v->len);
        break;
    case 't': v->kind = JC_BOOL; v->b = true; rc = jc_literal(p, "true"); break;
    case 'f': v->kind = JC_BOOL; rc = jc_literal(p, "false"); break;
    case 'n': v->kind = JC_NULL; rc = jc_literal(p, "null"); break;
    default: rc = jc_number(p, v);
    }
    if (rc) {
        jc_free(v);
        return NULL;
    }
    return v;
}

/* Parses text[0..len) as one JSON document.  Returns the tree, or NULL with
 * *why (may be NULL) set to a static description and *at (may be NULL) to
 * the byte offset of the problem. */
JC_FN jc_value *jc_parse(const char *text, size_t len, const char **why, size_t *at)
{
    jc_parser p = {(const unsigned char *)text, len, 0, 0, NULL};
    jc_value *v = jc_value_at(&p);
    if (v) {
        jc_ws(&p);
        if (p.pos != len) {
            jc_fail(&p, "text after the value");
            jc_free(v);
            v = NULL;
        }
    }
    if (!v) {
        if (why)
            *why = p.why ? p.why : "invalid JSON";
        if (at)
            *at = p.pos;
    }
    return v;
}

/* The member `key` of an object, or NULL. */
JC_FN const jc_value *jc_get(const jc_value *obj, const char *key)
{
    if (!obj || obj->kind != JC_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return obj->items[i];
    return NULL;
}

#endif
