/* fl_params.h — strict parsing of the HTTP query string of /api/search and
 * /api/suggest (query/params.c).
 *
 * The server hands over the raw query string exactly as the client sent it
 * (still percent-encoded); this module decodes it ('+' = space, %XX), checks
 * that every name and value is valid UTF-8 without NUL bytes, and validates
 * each known parameter.  The first problem found is reported as a message
 * that names the parameter, plus the parameter's name on its own (for the
 * "param" member of the JSON error).  Unknown parameters are ignored (cache
 * busters, tracking parameters) and do not take part in the cache key.
 *
 * Ownership: an fl_search_params owns all its strings; release it with
 * fl_search_params_free() (also after a failed parse).  fl_search_params_request()
 * fills an fl_search_request whose strings are borrowed from the params.
 */
#ifndef FL_PARAMS_H
#define FL_PARAMS_H

#include "fl_buf.h"
#include "fl_page.h"
#include "fl_search.h"

#include <stddef.h>
#include <stdint.h>

#define FL_PARAMS_MAX_QUERY_CHARS 512   /* q longer than this (code points) → 400 */
#define FL_PARAMS_MAX_VALUE_CHARS 200   /* one filter value */
#define FL_PARAMS_MAX_FILTER_VALUES 50  /* all filter values together */
#define FL_PARAMS_MAX_OFFSET 10000
#define FL_PARAMS_MAX_LIMIT 100
#define FL_PARAMS_DEFAULT_LIMIT 10
#define FL_PARAMS_SUGGEST_DEFAULT_LIMIT 8
#define FL_PARAMS_SUGGEST_MAX_LIMIT 20

/* The repeatable facet filters, in this order. */
enum { FL_PARAM_CATEGORY, FL_PARAM_AUTHOR, FL_PARAM_TAG, FL_PARAM_YEAR, FL_PARAM_NFACETS };
extern const char *const fl_param_facet_names[FL_PARAM_NFACETS];

typedef struct fl_search_params {
    char *q;                                   /* required, non-empty */
    fl_strlist facets[FL_PARAM_NFACETS];       /* filter values as given */
    char *since, *until;                       /* "YYYY-MM-DD" or NULL */
    fl_sort sort;                              /* relevance (default) | date | -date */
    uint32_t offset;                           /* default 0 */
    uint32_t limit;                            /* default 10 (suggest: 8) */
    size_t excerpt_length;                     /* characters, 0 = engine default */
    /* Storage for fl_search_params_request(). */
    fl_filter filters[FL_PARAM_NFACETS];
} fl_search_params;

void fl_search_params_init(fl_search_params *p);
void fl_search_params_free(fl_search_params *p);

/* Parses the raw query string of /api/search (without the '?'; NULL = none).
 * Returns 0, or -1 with *err = message and *param = the offending parameter's
 * name (both malloc'd; *param may be "" when no name applies). */
int fl_params_parse_search(const char *qs, fl_search_params *p, char **param, char **err);

/* Parses /api/suggest: q (required, may be short), limit (1..20, default 8).
 * Only q and limit of p are set. */
int fl_params_parse_suggest(const char *qs, fl_search_params *p, char **param, char **err);

/* A request for fl_search_run() borrowing p's strings. */
void fl_search_params_request(fl_search_params *p, fl_search_request *req);

/* A canonical text of the request (for the ETag): same results ⇔ same text.
 * Filter values are sorted (their order does not matter). */
void fl_search_params_canonical(const fl_search_params *p, fl_buf *out);

/* Strict application/x-www-form-urlencoded decoding of s[0..len): '+' is a
 * space, '%' must be followed by two hex digits, the result must be valid
 * UTF-8 without NUL.  Appends to out; returns 0 or -1 (out then undefined). */
int fl_params_decode(const char *s, size_t len, fl_buf *out);

/* Whether s is a real calendar date written YYYY-MM-DD. */
int fl_params_valid_date(const char *s);

#endif
