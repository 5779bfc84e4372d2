/* fl_search.h — the query engine shared by `findling search` and the server.
 *
 * An fl_searcher holds one read handle on the index plus the analysis chain;
 * it is NOT thread-safe: the server keeps one per worker thread.  The
 * analyzer may be shared (it is read-only after creation) and must outlive
 * the searchers using it.
 *
 * A request is plain data (all strings borrowed from the caller for the
 * duration of fl_search_run); a result owns everything it points to and is
 * released with fl_search_result_free().
 */
#ifndef FL_SEARCH_H
#define FL_SEARCH_H

#include "fl_analyzer.h"
#include "fl_buf.h"
#include "fl_page.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fl_searcher fl_searcher;

typedef enum fl_sort { FL_SORT_RELEVANCE, FL_SORT_DATE_DESC, FL_SORT_DATE_ASC } fl_sort;

/* One facet filter: facet name ("category", "author", "tag", "year" or a
 * configured one) and the accepted values (OR'ed); filters on different
 * facets are AND'ed. */
typedef struct fl_filter {
    const char *facet;
    const char *const *values;
    size_t nvalues;
} fl_filter;

typedef struct fl_search_request {
    const char *query;     /* what the user typed; "*" = every document */
    const fl_filter *filters;
    size_t nfilters;
    const char *since;     /* "YYYY-MM-DD" or NULL */
    const char *until;     /* "YYYY-MM-DD" or NULL (inclusive) */
    fl_sort sort;
    uint32_t offset;
    uint32_t limit;        /* 1..100 */
    bool no_excerpts;      /* skip excerpts and sections (ids only) */
    bool no_facets;
    bool explain;          /* fill fl_hit.explain */
    size_t excerpt_length; /* in characters; 0 = default (~220) */
} fl_search_request;

typedef struct fl_hit_section {
    char *title;
    char *anchor;
    char *url;
    char *excerpt;         /* HTML-escaped; only <mark>…</mark> is markup */
} fl_hit_section;

typedef struct fl_hit {
    char *id;
    char *url;
    char *title;
    char *teaser;          /* or NULL */
    char *date;            /* or NULL */
    fl_strlist categories;
    fl_strlist authors;
    fl_strlist tags;
    char *image;           /* or NULL */
    double score;          /* 0..1 */
    char *excerpt;         /* HTML-escaped; only <mark>…</mark> is markup */
    fl_hit_section *sections;
    size_t nsections;
    char *explain;         /* human-readable reasons, or NULL */
} fl_hit;

typedef struct fl_facet_count {
    char *value;
    uint32_t count;
} fl_facet_count;

typedef struct fl_facet_result {
    char *name;            /* "category", "author", "year", ... */
    fl_facet_count *counts;
    size_t ncounts;
} fl_facet_result;

typedef struct fl_search_result {
    char *query;
    char *corrected_query; /* or NULL */
    uint32_t total;
    uint32_t offset;
    uint32_t limit;
    double took_ms;
    fl_hit *hits;
    size_t nhits;
    fl_facet_result *facets;
    size_t nfacets;
} fl_search_result;

/* Error codes of fl_search_run (besides 0). */
enum {
    FL_SEARCH_EBADQUERY = 1,  /* the user's input is unusable: message says why */
    FL_SEARCH_EINDEX = 2,     /* the index could not be read */
};

/* Opens the index at db_path read-only. NULL with *err on failure. */
fl_searcher *fl_searcher_open(const char *db_path, const fl_analyzer *an, char **err);
void fl_searcher_free(fl_searcher *s);
/* Picks up a newer committed revision (incremental run or --full swap).
 * *changed may be NULL. */
int fl_searcher_reopen(fl_searcher *s, bool *changed, char **err);
uint64_t fl_searcher_revision(fl_searcher *s);
uint32_t fl_searcher_doccount(fl_searcher *s);

/* Runs a search. Returns 0 and fills *res (caller frees), or an FL_SEARCH_E*
 * code with *err. */
int fl_search_run(fl_searcher *s, const fl_search_request *req, fl_search_result *res,
                  char **err);
void fl_search_result_free(fl_search_result *res);

/* The JSON of design/interfaces.md, appended to out. */
void fl_search_result_json(const fl_search_result *res, fl_buf *out);

/* Autocomplete: up to `limit` completions of the last word of prefix, as
 * written in the texts. Returns 0 and a list the caller frees. */
int fl_suggest(fl_searcher *s, const char *prefix, size_t limit, fl_strlist *out, char **err);

/* The completion table behind fl_suggest: every autocomplete entry (and the
 * spelling dictionary) of one index revision in memory, immutable, shareable
 * read-only between threads
 * (reference counted: the last unref frees it).  fl_suggest builds one on
 * first use and keeps it in the searcher until the revision changes; a
 * server with many searchers builds it once and hands it to each with
 * fl_searcher_set_completions. */
typedef struct fl_completions fl_completions;
#define FL_COMPLETIONS_MAX_K 20   /* most completions one call returns */
#define FL_SUGGEST_FUZZY_MIN 5    /* key letters from which one typo is forgiven */

/* Reads the searcher's current revision's entries.  NULL with *err. */
fl_completions *fl_completions_build(fl_searcher *s, char **err);
fl_completions *fl_completions_ref(fl_completions *c);  /* returns c */
void fl_completions_unref(fl_completions *c);           /* NULL is fine */
size_t fl_completions_count(const fl_completions *c);   /* entries */
size_t fl_completions_bytes(const fl_completions *c);   /* memory held */
/* Words of the copy of Xapian's spelling dictionary the table also holds:
 * a searcher with a current table walks it for typo corrections instead of
 * the index's (the same answers, without a B-tree descent per step). */
size_t fl_completions_spell_count(const fl_completions *c);
/* Whether c was built from the revision (and generation) s has open. */
bool fl_completions_current(const fl_completions *c, fl_searcher *s);
/* Whether c was built from a later revision of the generation s has open
 * (s has not reopened yet). */
bool fl_completions_behind(const fl_completions *c, fl_searcher *s);
/* fl_suggest over a table (up to FL_COMPLETIONS_MAX_K results). */
int fl_completions_suggest(const fl_completions *c, const char *prefix, size_t limit,
                           fl_strlist *out);
/* The table the searcher uses (borrowed; NULL before the first suggest), and
 * giving it one (the searcher takes its own reference; NULL drops it). */
fl_completions *fl_searcher_completions(fl_searcher *s);
void fl_searcher_set_completions(fl_searcher *s, fl_completions *c);
/* Hash of the index generation the searcher has open (0-based FNV of the
 * stub naming it): with fl_searcher_revision it names what it sees. */
uint64_t fl_searcher_stub_hash(const fl_searcher *s);

#endif
