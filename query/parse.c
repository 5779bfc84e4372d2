/* parse.c — the query language of fl_query.h: a lexer and a recursive-descent
 * parser that never fails on odd input; it reads it as text instead.
 *
 * Grammar (after lexing; operators are upper-case words only):
 *   or    := seq (OR seq)*
 *   seq   := item*            items joined by AND are required, NOT/- excluded
 *   item  := '(' or ')' | PHRASE | FIELD | WILDCARD | '*' | WORD
 * Adjacent plain words become one TEXT node so that the analysis chain sees
 * them together ("§ 622 BGB", hyphenated words, synonyms of several words).
 */
#include "fl_query.h"

#include "fl_buf.h"
#include "fl_err.h"
#include "fl_utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum tkind { T_EOF, T_WORD, T_PHRASE, T_LPAREN, T_RPAREN, T_OR, T_AND, T_NOT } tkind;

typedef struct tok {
    tkind kind;
    char *text;       /* WORD/PHRASE text; for operators the word as typed */
    char *field;      /* canonical field when "field:" preceded the value */
    bool neg;         /* '-' prefix */
} tok;

typedef struct lexer {
    tok *toks;
    size_t n, cap;
    size_t pos;       /* parser cursor */
    size_t nterms;    /* words seen so far (for the cap) */
    bool truncated;
} lexer;

static const struct {
    const char *name;
    const char *canon;
} field_names[] = {
    {"titel", "title"},       {"title", "title"},     {"autor", "author"},
    {"author", "author"},     {"autorin", "author"},  {"kategorie", "category"},
    {"category", "category"}, {"tag", "tag"},         {"schlagwort", "tag"},
    {"jahr", "year"},         {"year", "year"},       {"datum", "date"},
    {"date", "date"},
};

const char *fl_query_field_name(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof field_names / sizeof field_names[0]; i++) {
        const char *f = field_names[i].name;
        if (strlen(f) != len)
            continue;
        size_t k = 0;
        while (k < len && (name[k] | 0x20) == f[k])
            k++;
        if (k == len)
            return field_names[i].canon;
    }
    return NULL;
}

static bool is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return n > 0;
}

/* Value of the n digits at s (checked by is_digits): unlike atoi it stops
 * at n, since s need not be NUL-terminated there. */
static int digits_value(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n && i < 4; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

int fl_query_parse_date(const char *s, size_t len, bool upper, char out[9])
{
    int y = 0, m = 0, d = 0;
    if (len == 4 && is_digits(s, 4)) {
        y = digits_value(s, 4);
        m = upper ? 12 : 1;
        d = upper ? 31 : 1;
    } else if ((len == 7 || len == 6) && is_digits(s, 4) && s[4] == '-' &&
               is_digits(s + 5, len - 5)) {
        y = digits_value(s, 4);
        m = digits_value(s + 5, len - 5);
        d = upper ? 31 : 1;
    } else if (len >= 8 && len <= 10 && is_digits(s, 4) && s[4] == '-') {
        const char *dash = memchr(s + 5, '-', len - 5);
        if (!dash || !is_digits(s + 5, (size_t)(dash - s - 5)) ||
            !is_digits(dash + 1, len - (size_t)(dash + 1 - s)))
            return -1;
        y = digits_value(s, 4);
        m = digits_value(s + 5, (size_t)(dash - s - 5));
        d = digits_value(dash + 1, len - (size_t)(dash + 1 - s));
    } else {
        return -1;
    }
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    /* The stored dates are strings compared as strings: day 31 as an upper
     * bound of any month is correct even for short months. */
    snprintf(out, 9, "%04d%02d%02d", y, m, d);
    return 0;
}

static void push_tok(lexer *lx, tkind kind, const char *s, size_t len, const char *field,
                     bool neg)
{
    if (lx->n == lx->cap) {
        lx->cap = lx->cap ? lx->cap * 2 : 16;
        lx->toks = fl_xrealloc(lx->toks, lx->cap * sizeof *lx->toks);
    }
    tok *t = &lx->toks[lx->n++];
    t->kind = kind;
    t->text = s ? fl_xstrndup(s, len) : NULL;
    t->field = field ? fl_xstrdup(field) : NULL;
    t->neg = neg;
}

static bool is_space_byte(unsigned char c)
{
    /* Control characters (NUL included) count as white space. */
    return c <= 0x20 || c == 0x7f;
}

static tkind op_kind(const char *s, size_t n)
{
#define IS(w) (n == sizeof(w) - 1 && memcmp(s, w, n) == 0)
    if (IS("OR") || IS("ODER"))
        return T_OR;
    if (IS("AND") || IS("UND"))
        return T_AND;
    if (IS("NOT") || IS("NICHT"))
        return T_NOT;
#undef IS
    return T_WORD;
}

static void lex(lexer *lx, const char *s, size_t len)
{
    size_t i = 0;
    int depth = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (is_space_byte(c)) {
            i++;
            continue;
        }
        bool neg = false;
        if (c == '-' && i + 1 < len && !is_space_byte((unsigned char)s[i + 1]) &&
            s[i + 1] != '-') {
            neg = true;
            i++;
            c = (unsigned char)s[i];
        }
        if (c == '(') {
            push_tok(lx, T_LPAREN, NULL, 0, NULL, neg);
            depth++;
            i++;
            continue;
        }
        if (c == ')') {
            if (depth > 0) {
                push_tok(lx, T_RPAREN, NULL, 0, NULL, false);
                depth--;
            }
            i++;
            continue;
        }
        if (c == '"') {
            size_t start = ++i;
            while (i < len && s[i] != '"')
                i++;
            push_tok(lx, T_PHRASE, s + start, i - start, NULL, neg);
            if (i < len)
                i++;
            continue;
        }
        /* A word: up to white space, a quote, or a ')' closing a group. */
        size_t start = i;
        while (i < len && !is_space_byte((unsigned char)s[i]) && s[i] != '"') {
            if (s[i] == ')' && depth > 0)
                break;
            i++;
        }
        const char *w = s + start;
        size_t wn = i - start;
        const char *colon = memchr(w, ':', wn);
        const char *field = colon ? fl_query_field_name(w, (size_t)(colon - w)) : NULL;
        if (field) {
            size_t vstart = (size_t)(colon - w) + 1;
            if (vstart == wn && i < len && s[i] == '"') {
                /* field:"quoted value" */
                size_t qs = ++i;
                while (i < len && s[i] != '"')
                    i++;
                push_tok(lx, T_PHRASE, s + qs, i - qs, field, neg);
                if (i < len)
                    i++;
                continue;
            }
            if (vstart < wn) {
                push_tok(lx, T_WORD, w + vstart, wn - vstart, field, neg);
                continue;
            }
            /* "titel:" with nothing after it: just a word. */
        }
        tkind k = neg ? T_WORD : op_kind(w, wn);
        if (neg && wn == 0) /* a lone '-' */
            continue;
        push_tok(lx, k, w, wn, NULL, neg);
    }
    push_tok(lx, T_EOF, NULL, 0, NULL, false);
}

/* ---------------------------------------------------------------- tree */

static fl_qnode *node_new(fl_qkind kind)
{
    fl_qnode *n = fl_xcalloc(1, sizeof *n);
    n->kind = kind;
    return n;
}

static void node_add(fl_qnode *parent, fl_qnode *kid)
{
    parent->kids = fl_xrealloc(parent->kids, (parent->nkids + 1) * sizeof *parent->kids);
    parent->kids[parent->nkids++] = kid;
}

void fl_qnode_free(fl_qnode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nkids; i++)
        fl_qnode_free(n->kids[i]);
    free(n->kids);
    free(n->text);
    free(n->field);
    free(n->lo);
    free(n->hi);
    free(n);
}

/* Counts the white-space separated words of s (for the term cap). */
static size_t count_words(const char *s)
{
    size_t n = 0;
    bool in = false;
    for (; *s; s++) {
        bool sp = is_space_byte((unsigned char)*s);
        if (!sp && !in)
            n++;
        in = !sp;
    }
    return n;
}

typedef struct parser {
    lexer *lx;
    char **err;
    int depth;
} parser;

static tok *peek(parser *p) { return &p->lx->toks[p->lx->pos]; }
static tok *next(parser *p)
{
    tok *t = &p->lx->toks[p->lx->pos];
    if (t->kind != T_EOF)
        p->lx->pos++;
    return t;
}

static fl_qnode *parse_or(parser *p);

/* A range "LO..HI" (either side may be empty) or a single date. */
static fl_qnode *range_node(const char *v, bool *bad)
{
    const char *dots = strstr(v, "..");
    const char *lo = v, *hi = v;
    size_t lon = strlen(v), hin = lon;
    if (dots) {
        lon = (size_t)(dots - v);
        hi = dots + 2;
        hin = strlen(hi);
    }
    char l[9], h[9];
    if ((lon && fl_query_parse_date(lo, lon, false, l) != 0) ||
        (hin && fl_query_parse_date(hi, hin, true, h) != 0) || (!lon && !hin)) {
        *bad = true;
        return NULL;
    }
    fl_qnode *n = node_new(FL_Q_RANGE);
    n->lo = lon ? fl_xstrdup(l) : NULL;
    n->hi = hin ? fl_xstrdup(h) : NULL;
    if (n->lo && n->hi && strcmp(n->lo, n->hi) > 0) {
        fl_qnode_free(n);
        *bad = true;
        return NULL;
    }
    return n;
}

static bool budget(parser *p, const char *text)
{
    size_t w = count_words(text);
    if (p->lx->nterms + w > FL_QUERY_MAX_TERMS) {
        p->lx->truncated = true;
        return false;
    }
    p->lx->nterms += w;
    return true;
}

/* One item, or NULL when the token produced nothing (or on error: *p->err). */
static fl_qnode *parse_item(parser *p)
{
    tok *t = next(p);
    fl_qnode *n = NULL;
    switch (t->kind) {
    case T_LPAREN: {
        if (p->depth >= 16) { /* deep nesting: read the rest flat */
            n = parse_or(p);
            break;
        }
        p->depth++;
        n = parse_or(p);
        p->depth--;
        if (peek(p)->kind == T_RPAREN)
            next(p);
        if (n && t->neg)
            n->neg = true;
        return n;
    }
    case T_PHRASE:
        if (!budget(p, t->text))
            return NULL;
        if (t->field) {
            if (strcmp(t->field, "date") == 0 || strcmp(t->field, "year") == 0) {
                bool bad = false;
                /* a quoted year/date: same as unquoted */
                if (strstr(t->text, "..") || strcmp(t->field, "date") == 0) {
                    n = range_node(t->text, &bad);
                    if (bad) {
                        fl_err_set(p->err, "bad date range '%s' (use e.g. datum:2025-01-01..2025-06-30)",
                                   t->text);
                        return NULL;
                    }
                    break;
                }
            }
            n = node_new(FL_Q_FIELD);
            n->field = fl_xstrdup(t->field);
            n->text = fl_xstrdup(t->text);
            n->quoted = true;
        } else {
            n = node_new(FL_Q_PHRASE);
            n->text = fl_xstrdup(t->text);
        }
        break;
    case T_WORD: {
        if (!budget(p, t->text))
            return NULL;
        size_t len = strlen(t->text);
        if (t->field) {
            if (strcmp(t->field, "date") == 0 ||
                (strcmp(t->field, "year") == 0 && strstr(t->text, ".."))) {
                bool bad = false;
                n = range_node(t->text, &bad);
                if (bad) {
                    fl_err_set(p->err, "bad date range '%s' (use e.g. datum:2025-01-01..2025-06-30 or jahr:2024..2025)",
                               t->text);
                    return NULL;
                }
                break;
            }
            n = node_new(FL_Q_FIELD);
            n->field = fl_xstrdup(t->field);
            n->text = fl_xstrdup(t->text);
            break;
        }
        if (len == 1 && t->text[0] == '*') {
            n = node_new(FL_Q_ALL);
            break;
        }
        /* Trailing wildcard: at least two characters before it and no other
         * '*' (a '*' inside a word is a gender star: "Bürger*innen"). */
        if (len >= 3 && t->text[len - 1] == '*' && !memchr(t->text, '*', len - 1)) {
            n = node_new(FL_Q_WILDCARD);
            n->text = fl_xstrndup(t->text, len - 1);
            break;
        }
        n = node_new(FL_Q_TEXT);
        n->text = fl_xstrdup(t->text);
        break;
    }
    case T_OR:
    case T_AND:
    case T_NOT:
        /* Operators in a place where they cannot be operators: words. */
        if (!budget(p, t->text))
            return NULL;
        n = node_new(FL_Q_TEXT);
        n->text = fl_xstrdup(t->text);
        break;
    default:
        return NULL;
    }
    if (n && t->neg)
        n->neg = true;
    return n;
}

static bool seq_end(tkind k) { return k == T_EOF || k == T_RPAREN || k == T_OR; }

/* Merges adjacent plain TEXT kids (neither required nor excluded). */
static void merge_text(fl_qnode *seq)
{
    size_t w = 0;
    for (size_t i = 0; i < seq->nkids; i++) {
        fl_qnode *k = seq->kids[i];
        if (w > 0) {
            fl_qnode *prev = seq->kids[w - 1];
            if (prev->kind == FL_Q_TEXT && k->kind == FL_Q_TEXT && !prev->neg && !k->neg &&
                prev->req == k->req) {
                char *j = fl_xasprintf("%s %s", prev->text, k->text);
                free(prev->text);
                prev->text = j;
                fl_qnode_free(k);
                continue;
            }
        }
        seq->kids[w++] = k;
    }
    seq->nkids = w;
}

static fl_qnode *parse_seq(parser *p)
{
    fl_qnode *seq = node_new(FL_Q_SEQ);
    bool pending_req = false, pending_neg = false;
    while (!seq_end(peek(p)->kind) || (seq->nkids == 0 && peek(p)->kind == T_OR &&
                                       !pending_req && !pending_neg)) {
        tok *t = peek(p);
        if (t->kind == T_AND && seq->nkids > 0 && !seq_end(p->lx->toks[p->lx->pos + 1].kind)) {
            next(p);
            seq->kids[seq->nkids - 1]->req = !seq->kids[seq->nkids - 1]->neg;
            pending_req = true;
            continue;
        }
        if (t->kind == T_NOT && !seq_end(p->lx->toks[p->lx->pos + 1].kind) &&
            p->lx->toks[p->lx->pos + 1].kind != T_AND &&
            p->lx->toks[p->lx->pos + 1].kind != T_NOT) {
            next(p);
            pending_neg = true;
            continue;
        }
        if ((t->kind == T_AND || t->kind == T_NOT) && seq_end(p->lx->toks[p->lx->pos + 1].kind) &&
            seq->nkids > 0) {
            next(p); /* dangling operator at the end: ignore it */
            continue;
        }
        fl_qnode *it = parse_item(p);
        if (!it) {
            if (p->err && *p->err) {
                fl_qnode_free(seq);
                return NULL;
            }
            continue;
        }
        if (pending_neg)
            it->neg = true;
        else if (pending_req)
            it->req = true;
        pending_req = pending_neg = false;
        node_add(seq, it);
    }
    merge_text(seq);
    return seq;
}

static fl_qnode *parse_or(parser *p)
{
    fl_qnode *first = parse_seq(p);
    if (!first)
        return NULL;
    if (peek(p)->kind != T_OR)
        return first;
    fl_qnode *or = node_new(FL_Q_OR);
    node_add(or, first);
    while (peek(p)->kind == T_OR) {
        next(p);
        fl_qnode *s = parse_seq(p);
        if (!s) {
            fl_qnode_free(or);
            return NULL;
        }
        if (s->nkids == 0)
            fl_qnode_free(s); /* "a OR" */
        else
            node_add(or, s);
    }
    if (or->nkids == 1) {
        fl_qnode *only = or->kids[0];
        or->nkids = 0;
        fl_qnode_free(or);
        return only;
    }
    return or;
}

int fl_query_parse(const char *q, size_t len, fl_qnode **out, char **notes, char **err)
{
    if (!q)
        q = "", len = 0;
    if (len > FL_QUERY_MAX_BYTES)
        return fl_err_set(err, "query too long (%zu bytes; at most %d)", len, FL_QUERY_MAX_BYTES);
    fl_buf clean = FL_BUF_INIT;
    size_t bad = fl_utf8_repair(&clean, q, len, NULL);
    lexer lx = {0};
    lex(&lx, clean.data ? clean.data : "", clean.len);
    fl_buf_free(&clean);
    parser p = {&lx, err, 0};
    char *perr = NULL;
    p.err = &perr;
    fl_qnode *root = parse_or(&p);
    /* Anything left over (stray ')' cannot happen; be safe): parse on. */
    while (root && peek(&p)->kind != T_EOF) {
        next(&p);
        fl_qnode *more = parse_or(&p);
        if (!more)
            break;
        fl_qnode *seq = node_new(FL_Q_SEQ);
        node_add(seq, root);
        node_add(seq, more);
        root = seq;
    }
    for (size_t i = 0; i < lx.n; i++) {
        free(lx.toks[i].text);
        free(lx.toks[i].field);
    }
    free(lx.toks);
    if (!root || perr) {
        fl_qnode_free(root);
        if (!perr)
            perr = fl_xstrdup("query could not be read");
        if (err && !*err)
            *err = perr;
        else
            free(perr);
        return -1;
    }
    if (notes) {
        fl_buf nb = FL_BUF_INIT;
        if (bad)
            fl_buf_printf(&nb, "%zu invalid UTF-8 byte%s replaced", bad, bad == 1 ? "" : "s");
        if (lx.truncated)
            fl_buf_printf(&nb, "%sonly the first %d words were searched", nb.len ? "; " : "",
                          FL_QUERY_MAX_TERMS);
        *notes = nb.len ? fl_buf_detach(&nb) : NULL;
        fl_buf_free(&nb);
    }
    *out = root;
    return 0;
}

static void describe(const fl_qnode *n, fl_buf *b)
{
    if (n->neg)
        fl_buf_putc(b, '-');
    if (n->req)
        fl_buf_putc(b, '+');
    switch (n->kind) {
    case FL_Q_TEXT: fl_buf_printf(b, "TEXT(%s)", n->text); break;
    case FL_Q_PHRASE: fl_buf_printf(b, "PHRASE(%s)", n->text); break;
    case FL_Q_WILDCARD: fl_buf_printf(b, "WILD(%s)", n->text); break;
    case FL_Q_FIELD: fl_buf_printf(b, "FIELD(%s:%s%s)", n->field, n->text, n->quoted ? ",q" : ""); break;
    case FL_Q_RANGE:
        fl_buf_printf(b, "RANGE(%s..%s)", n->lo ? n->lo : "", n->hi ? n->hi : "");
        break;
    case FL_Q_ALL: fl_buf_puts(b, "ALL"); break;
    case FL_Q_SEQ:
    case FL_Q_OR:
        fl_buf_puts(b, n->kind == FL_Q_SEQ ? "SEQ[" : "OR[");
        for (size_t i = 0; i < n->nkids; i++) {
            if (i)
                fl_buf_putc(b, ' ');
            describe(n->kids[i], b);
        }
        fl_buf_putc(b, ']');
        break;
    }
}

char *fl_qnode_describe(const fl_qnode *n)
{
    fl_buf b = FL_BUF_INIT;
    if (n)
        describe(n, &b);
    return fl_buf_detach(&b);
}
