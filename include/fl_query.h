/* fl_query.h — Findling's query language: what a German reader types, parsed.
 *
 * fl_query_parse() turns the user's string into a small tree (AST); the
 * search module (query/build.c) turns the tree into a Xapian query through
 * the analysis chain.  The parser knows syntax only — no analysis, no index.
 *
 * Syntax (case matters for the operators, so that the German "und" stays a word):
 *   Wort Wort          plain words: all preferred, not all required
 *   "eine Phrase"      words adjacent in this order
 *   -wort  -"phrase"   exclude
 *   a OR b, a ODER b   either
 *   a AND b, a UND b   both required
 *   a NOT b, a NICHT b a but not b
 *   ( ... )            grouping
 *   Innov*             trailing wildcard (at least 2 letters before the *)
 *   titel:Wort  title:"…"          title words
 *   autor:/author:, kategorie:/category:, tag:, jahr:/year:   facet values
 *   datum:2025-01-01..2025-06-30, jahr:2024..2025, datum:2025-03  date ranges
 *   *                  every document
 * Anything else is text: an operator without operands is read as a word,
 * unbalanced quotes and parentheses are closed at the end, invalid UTF-8 is
 * repaired, control characters are white space.  Only inputs that cannot
 * mean anything useful are errors (over-long queries, bad date ranges).
 *
 * Ownership: fl_query_parse returns a tree the caller frees with
 * fl_qnode_free(); every string in it is owned by its node.
 */
#ifndef FL_QUERY_H
#define FL_QUERY_H

#include <stdbool.h>
#include <stddef.h>

/* Limits: longer input is an error, more terms are an error (the message
 * says so) — a search box never needs more and Xapian time grows with both. */
#define FL_QUERY_MAX_BYTES 1000
#define FL_QUERY_MAX_TERMS 32

typedef enum fl_qkind {
    FL_Q_TEXT,    /* free text: one or more plain words (text = raw words, space-joined) */
    FL_Q_PHRASE,  /* quoted words (text) */
    FL_Q_WILDCARD,/* text = the prefix without '*' */
    FL_Q_FIELD,   /* field:text (field = canonical name; phrase flag when quoted) */
    FL_Q_RANGE,   /* date range: lo/hi "YYYYMMDD" (either may be NULL) */
    FL_Q_ALL,     /* '*' */
    FL_Q_SEQ,     /* juxtaposed items: kids; each kid has `req` and `neg` */
    FL_Q_OR,      /* kids OR'ed */
} fl_qkind;

typedef struct fl_qnode {
    fl_qkind kind;
    char *text;          /* TEXT/PHRASE/WILDCARD/FIELD */
    char *field;         /* FIELD: "title", "author", "category", "tag", "year" */
    bool quoted;         /* FIELD: value was quoted */
    char *lo, *hi;       /* RANGE */
    bool req;            /* inside a SEQ: joined by AND (must match) */
    bool neg;            /* inside a SEQ: '-', NOT or NICHT (must not match) */
    struct fl_qnode **kids;
    size_t nkids;
} fl_qnode;

/* Parses q[0..len).  Returns 0 and *out (never NULL on success: an empty or
 * blank query yields an empty SEQ), or -1 with *err for unusable input.
 * *notes (may be NULL) receives a malloc'd remark for the user when the
 * input was repaired ("ungültiges UTF-8 ersetzt"), else stays NULL. */
int fl_query_parse(const char *q, size_t len, fl_qnode **out, char **notes, char **err);
void fl_qnode_free(fl_qnode *n);

/* A canonical, readable rendering of the tree (for tests and --explain). */
char *fl_qnode_describe(const fl_qnode *n);

/* Field name as typed ("Titel", "autor", ...) → canonical name, or NULL. */
const char *fl_query_field_name(const char *name, size_t len);

/* Parses a date bound: "YYYY", "YYYY-MM" or "YYYY-MM-DD"; upper=true gives the
 * last day of the year/month.  Writes "YYYYMMDD" (9 bytes incl. NUL) to out.
 * Returns 0, or -1 when s is not such a date. */
int fl_query_parse_date(const char *s, size_t len, bool upper, char out[9]);

#endif
