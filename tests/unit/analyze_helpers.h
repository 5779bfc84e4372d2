/* analyze_helpers.h — collects fl_analyze() tokens for the analysis tests. */
#ifndef FL_TEST_ANALYZE_HELPERS_H
#define FL_TEST_ANALYZE_HELPERS_H

#include "fl_analyzer.h"

#include <stdlib.h>
#include <string.h>

#define MAX_TOKS 64

typedef struct tok_copy {
    char surface[128], exact[128], stem[128], gbase[64];
    char parts[512]; /* '+'-joined */
    int has_gbase;
    fl_token_kind kind;
    unsigned flags;
    size_t offset, nparts;
    uint32_t index;
} tok_copy;

typedef struct toks {
    tok_copy t[MAX_TOKS];
    size_t n;
} toks;

static inline void copy_str(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static inline int collect_cb(void *ud, const fl_token *tok)
{
    toks *ts = ud;
    if (ts->n >= MAX_TOKS)
        return 0;
    tok_copy *c = &ts->t[ts->n++];
    memset(c, 0, sizeof *c);
    copy_str(c->surface, sizeof c->surface, tok->surface, tok->surface_len);
    copy_str(c->exact, sizeof c->exact, tok->exact, strlen(tok->exact));
    copy_str(c->stem, sizeof c->stem, tok->stem, strlen(tok->stem));
    if (tok->gender_base) {
        c->has_gbase = 1;
        copy_str(c->gbase, sizeof c->gbase, tok->gender_base, strlen(tok->gender_base));
    }
    size_t off = 0;
    for (size_t i = 0; i < tok->nparts; i++) {
        size_t l = strlen(tok->parts[i]);
        if (off + l + 2 >= sizeof c->parts)
            break;
        if (i)
            c->parts[off++] = '+';
        memcpy(c->parts + off, tok->parts[i], l);
        off += l;
    }
    c->parts[off] = '\0';
    c->kind = tok->kind;
    c->flags = tok->flags;
    c->offset = tok->offset;
    c->nparts = tok->nparts;
    c->index = tok->index;
    return 0;
}

static inline int analyze_str(const fl_analyzer *a, const char *s, toks *out)
{
    memset(out, 0, sizeof *out);
    return fl_analyze(a, s, strlen(s), collect_cb, out, NULL);
}

/* Whether '+'-joined list has item. */
static inline int has_part(const char *list, const char *item)
{
    size_t n = strlen(item);
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, '+');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && memcmp(p, item, n) == 0)
            return 1;
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

#endif
