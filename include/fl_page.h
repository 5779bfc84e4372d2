/* fl_page.h — one source document, read and understood, before indexing.
 *
 * indexer/frontmatter.c and indexer/markdown.c fill an fl_page from a file;
 * indexer/docbuild.c turns it into a Xapian document; query/ reads the
 * display part back from the document data (fl_page_data_*).
 * An fl_page owns every string and array it points to; fl_page_free()
 * releases them all.
 */
#ifndef FL_PAGE_H
#define FL_PAGE_H

#include "fl_buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fl_strlist {
    char **items;
    size_t n;
} fl_strlist;

void fl_strlist_push(fl_strlist *l, const char *s);
void fl_strlist_push_n(fl_strlist *l, const char *s, size_t len);
bool fl_strlist_contains(const fl_strlist *l, const char *s);
void fl_strlist_free(fl_strlist *l);

/* A named facet of a page: e.g. name "category", values ["Rückblick"]. */
typedef struct fl_facet_values {
    char *name;
    fl_strlist values;  /* cleaned display values (fl_norm_display), deduplicated by key */
} fl_facet_values;

/* A heading and the text under it, up to the next heading.
 * Section 0 is the text before the first heading (title "" and anchor ""),
 * present only when that text is non-empty. */
typedef struct fl_section {
    char *title;        /* heading text, plain */
    char *anchor;       /* id the site's renderer gives the heading ("" for section 0) */
    int level;          /* 1–6; 0 for section 0 */
    char *text;         /* plain text of the section body (heading excluded) */
    size_t text_len;
    /* Term positions of the section in the indexed document (set when the
     * document is built; stored in the document data so that a search can map
     * matching positions to sections): [pos_start, pos_end). */
    uint32_t pos_start, pos_end;
    /* Raw tokens of the title (they take positions pos_start ..): set by
     * the document builder, kept in the document data so that a search
     * knows where the text's positions begin without reading the title. */
    uint32_t title_tokens;
    /* Set by fl_docdata_decode, which leaves title and anchor NULL: whether
     * the section has an anchor (so can be a sub-result). */
    bool has_anchor;
} fl_section;

/* A problem found while reading a file that did not stop it being indexed
 * ("path:line: reason"). */
typedef struct fl_warning {
    int line;           /* 1-based; 0 when unknown */
    char *message;
} fl_warning;

typedef struct fl_page {
    char *id;           /* source path relative to the site root ("_beitraege/x.md") */
    char *url;          /* published URL (with baseurl), e.g. "/beitraege/x/" */
    char *collection;   /* "posts", "beitraege", "pages", ... */
    char *title;
    char *teaser;       /* teaser / description / excerpt; NULL when none */
    char *date;         /* "YYYY-MM-DD" or NULL */
    char *datetime;     /* full ISO date-time as written, or NULL */
    char *image;        /* image / header_image, or NULL */
    char *lang;         /* or NULL */
    fl_strlist authors;
    fl_strlist categories;
    fl_strlist tags;
    fl_strlist keywords; /* short names the page is known by: front matter
                            jurabk, abbreviation, short_title, keywords
                            (indexed like the title) */
    fl_facet_values *facets; /* all configured facets incl. category, author, tag, year */
    size_t nfacets;
    fl_section *sections;
    size_t nsections;
    char *body;         /* whole plain text (all sections, headings included) */
    size_t body_len;
    char *content_hash; /* hex hash of the raw file bytes */
    fl_warning *warnings;
    size_t nwarnings;
} fl_page;

void fl_page_init(fl_page *p);
void fl_page_free(fl_page *p);
void fl_page_warn(fl_page *p, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
