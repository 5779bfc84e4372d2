/* fl_terms.h — how Findling lays out terms, values and metadata in Xapian.
 *
 * This is the one place both sides (indexer/ and query/) read the index
 * layout from.  Changing anything here changes the on-disk format: bump
 * FL_INDEX_FORMAT so that an old index is rebuilt instead of misread.
 *
 * Free-text terms (from title, teaser, headings and body alike):
 *   <stem>          unprefixed, POSITIONAL: the German stem of a word as the
 *                   analysis chain makes it (gender forms unified, umlauts
 *                   and ae/oe/ue folded).  Phrases and proximity use these.
 *   E<exact>        the exact word (NFC, case-folded, gender marker removed),
 *                   no positions: lets exact matches rank above stem matches.
 *   P<stem>         a compound part ("Zivilgesellschaft" → Pzivil,
 *                   Pgesellschaft), POSITIONAL at the compound's position:
 *                   found by a search for the part, ranked below whole words.
 * Field terms (for `titel:` etc. and field weighting), no positions:
 *   S<stem>         title        XT<stem>  teaser        XH<stem>  headings
 *   (field words are also indexed as free text with a higher wdf so that BM25
 *   weights title > teaser > headings > body.)
 * Boolean (filter) terms:
 *   Q<id>           the document's unique id (source path)
 *   XF<facet>:<key> a facet value, key = fl_norm_facet_key(value),
 *                   e.g. "XFcategory:ruckblick", "XFauthor:maria goncalves",
 *                   "XFyear:2025"
 *   XK<kind>        document kind: "XKpost", "XKpage", ... (collection name)
 * Autocomplete entries (boolean, one per distinct word of >= 3 letters and per
 * title, per document):
 *   XW<key>\t<surface>  key = fl_suggest_key(surface); surface as written
 *                       ("XWburger\tBürger*innen"), so a prefix scan over
 *                       XW<typed key> yields completions in their written form
 *                       with a document frequency to rank them.
 *
 * On-disk layout of an index directory DIR (the --db path):
 *   DIR/XAPIANDB        a Xapian stub file naming the live generation
 *                       ("auto gen-000007"): opening DIR opens it.  A --full
 *                       run builds DIR/gen-000008 beside it and renames a new
 *                       stub over XAPIANDB (atomic), then removes the old one.
 *   DIR/gen-NNNNNN/     glass databases; incremental runs update the live one
 *                       in place with a single commit.
 *   DIR/lock            flock()ed by `findling index` (exit 75 when held).
 * Readers notice a swap by the stub's content changing (reopen() alone keeps
 * the old generation open): fl_searcher_reopen() re-opens DIR when it does.
 */
#ifndef FL_TERMS_H
#define FL_TERMS_H

#define FL_INDEX_FORMAT "1"

#define FL_PREFIX_EXACT "E"
#define FL_PREFIX_PART "P"
#define FL_PREFIX_TITLE "S"
#define FL_PREFIX_TEASER "XT"
#define FL_PREFIX_HEADING "XH"
#define FL_PREFIX_ID "Q"
#define FL_PREFIX_FACET "XF"
#define FL_PREFIX_KIND "XK"

/* wdf given to every occurrence of a word in each field (BM25 field weights). */
#define FL_WDF_TITLE 6
#define FL_WDF_TEASER 3
#define FL_WDF_HEADING 2
#define FL_WDF_BODY 1

/* Value slots. */
enum {
    FL_SLOT_DATE = 0,     /* "YYYYMMDD" (sortable); absent when undated */
    FL_SLOT_HASH = 1,     /* content hash of the source file (hex) */
    FL_SLOT_MTIME = 2,    /* "mtime:size" of the source at indexing time */
    FL_SLOT_FACET0 = 10   /* facet i lives in slot FL_SLOT_FACET0 + i: its
                             display values joined by FL_FACET_SEP */
};
#define FL_FACET_SEP '\x1f'

/* Metadata keys. */
#define FL_META_FORMAT "findling:format"        /* FL_INDEX_FORMAT */
#define FL_META_CONFIG "findling:config"        /* facet names, synonyms (JSON) */
#define FL_META_LAST_RUN "findling:last-run"    /* JSON summary of the last index run */
/* Section texts: "findling:sec:" <id> "\x1f" <n>  → plain text of section n. */
#define FL_META_SECTION_PREFIX "findling:sec:"
/* Facet display spelling: "findling:facet:" <facet> ":" <key> → display value. */
#define FL_META_FACET_PREFIX "findling:facet:"

#include "fl_buf.h"
#include <stddef.h>

/* Autocomplete key of a word or prefix: lower-case, accents stripped,
 * ä/ae→a, ö/oe→o, ü/ue→u, ß→ss, non-letters dropped — so that "Buerg",
 * "bürg" and "Burg" share a key prefix.  Appends to out. */
void fl_suggest_key(const char *s, size_t len, fl_buf *out);

#endif
