/* fl_docbuild.h — an fl_page becomes a Xapian document (the layout of fl_terms.h).
 *
 * fl_docbuild() only needs the analyzer, never the database, so that it can
 * run in a worker thread while another thread writes: everything the writer
 * must do besides adding the document (spelling words, facet spellings,
 * section entries) is returned in the fl_built_doc.
 *
 * Positions: title first, then the teaser, then each section (its heading,
 * then its text).  Consecutive fields and sections are FL_DOCBUILD_GAP
 * positions apart, so a phrase never spans two of them.  Each section's
 * [pos_start, pos_end) is written into p->sections (and thus into the
 * document data).
 */
#ifndef FL_DOCBUILD_H
#define FL_DOCBUILD_H

#include "fl_analyzer.h"
#include "fl_page.h"
#include "fl_xapian.h"

#include <stdint.h>

#define FL_DOCBUILD_GAP 100

/* One facet value of the document: facet index (config order), key, display. */
typedef struct fl_built_facet {
    unsigned facet;
    char *name;
    char *key;
    char *display;
} fl_built_facet;

typedef struct fl_built_doc {
    char *id;            /* the page id (source path) */
    char *idterm;        /* "Q" id */
    fl_xdoc *doc;        /* terms, values, data */
    fl_strlist spelling; /* distinct exact words for the spelling table */
    fl_built_facet *facets;
    size_t nfacets;
    fl_buf *section_entries; /* nsections section entries (fl_secentry_encode) */
    size_t nsections;
} fl_built_doc;

/* Facets of the index: names in slot order (config order). */
typedef struct fl_docbuild_config {
    const char *const *facet_names;
    size_t nfacets;
} fl_docbuild_config;

/* Builds the document for p.  mtime/size describe the source file (for the
 * FL_SLOT_MTIME shortcut value).  Takes the section texts from p (they are
 * encoded into out->section_entries with their titles and anchors;
 * p->sections[i].text becomes NULL) and sets the sections' positions and
 * title_tokens.  Returns 0, or -1 with *err (the page cannot be
 * indexed, e.g. its id is too long for a Xapian term); out is then empty. */
int fl_docbuild(const fl_analyzer *an, const fl_docbuild_config *cfg, fl_page *p,
                int64_t mtime, int64_t size, fl_built_doc *out, char **err);
void fl_built_doc_free(fl_built_doc *b);

/* Whether an exact word goes into the spelling table (the same rule on add
 * and on remove, so frequencies stay right): letters only, at least
 * FL_SPELLING_MIN_LETTERS of them. */
bool fl_spelling_word(const char *exact, size_t len);

/* The FL_SLOT_MTIME value "mtime:size". */
void fl_mtime_value(int64_t mtime, int64_t size, fl_buf *out);

#endif
