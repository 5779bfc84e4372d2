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
 *                   A content word whose stem equals a stop word's ends in
 *                   FL_STEM_APART ("Sicherheit" → sich~, the pronoun "sich"
 *                   → sich), in P<stem> too.
 *   E<exact>        the exact word (NFC, case-folded, gender marker removed),
 *                   no positions: lets exact matches rank above stem matches.
 *   P<stem>         a compound part ("Zivilgesellschaft" → Pzivil,
 *                   Pgesellschaft), POSITIONAL at the compound's position:
 *                   found by a search for the part, ranked below whole words.
 * Field terms (for `titel:` etc. and field weighting), no positions:
 *   S<stem>         title        XT<stem>  teaser        XH<stem>  headings
 *   (field words are also indexed as free text with a higher wdf so that BM25
 *   weights title > teaser > headings > body.)
 *   XS<words>       how the title (and each short name, e.g. a law's jurabk)
 *                   starts: its first 1, 2 and 3 words that are no stop
 *                   words, as fl_title_start_key makes them ("Bürgerliches
 *                   Gesetzbuch" → XSburgerliches, XSburgerliches gesetzbuch).
 *                   A query of just those words names the document
 *                   (known-item search).  Words, not stems: Snowball gives
 *                   "Bürgerliches" and "Bürger" one stem.
 * Boolean (filter) terms:
 *   Q<id>           the document's unique id (source path)
 *   XF<facet>:<key> a facet value, key = fl_norm_facet_key(value),
 *                   e.g. "XFcategory:ruckblick", "XFauthor:maria goncalves",
 *                   "XFyear:2025"
 *   XK<kind>        document kind: "XKpost", "XKpage", ... (collection name)
 * Autocomplete entries (boolean, per document: one per distinct word of >= 3
 * letters of the title, teaser and headings, one per distinct body word of
 * >= 3 letters written with a capital somewhere (nouns, names, acronyms:
 * "Bürger", "KI", "eGovernment"; lower-case-only body words get none), and
 * one for the whole title):
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
 *   DIR/wordlist.cache  the analyzer's word list as a mappable table
 *                       (FL_WORDLIST_CACHE, fl_wordlist.h), written by the
 *                       indexer, mapped by searchers; only a cache.
 * A SHARDED index (`findling index --shards N`, N >= 2) has N glass databases
 * per generation, DIR/gen-NNNNNN/shard-K (K = 0..N-1), and its stub lists
 * them all, one "auto gen-NNNNNN/shard-K" line each, so that opening DIR
 * opens them as one database.  A document lives in shard
 * fl_shard_of(id, N) (a stable hash of its id), so incremental runs find
 * and update it there and it never exists twice.  Run-wide metadata
 * (format, config, input hash, last run, facet display spellings and
 * their counts over ALL shards) is kept in shard 0; a document's section
 * texts are in its own shard; FL_META_SHARDS is in every shard.  Readers
 * ask every shard for a key (fl_xdb_get_metadata), so shard 0 answers the
 * run-wide ones.  The stub may also be written by hand to list the same
 * shards as "remote HOST:PORT" lines served by xapian-tcpsrv.
 * Readers notice a swap by the stub's content changing (reopen() alone keeps
 * the old generation open): fl_searcher_reopen() re-opens DIR when it does.
 * Every glass database also holds the positions mirror (fl_xapian.h): its
 * metadata keys "~" term "\0" docid and the flag FL_XDB_POSITIONS_MIRROR_KEY,
 * written by the wrapper, so docids must survive compaction and merges.
 */
#ifndef FL_TERMS_H
#define FL_TERMS_H

#define FL_INDEX_FORMAT "8"

#define FL_PREFIX_EXACT "E"
#define FL_PREFIX_PART "P"
#define FL_PREFIX_TITLE "S"
#define FL_PREFIX_TEASER "XT"
#define FL_PREFIX_HEADING "XH"
#define FL_PREFIX_TITLE_START "XS"
#define FL_TITLE_START_SEP ' '
#define FL_TITLE_START_WORDS 3
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
    FL_SLOT_ID = 3,       /* the document's id (as in its Q term): the query
                             side breaks ties of equal weight by it, so that
                             the order does not depend on docids (which
                             differ between one database and N shards) */
    FL_SLOT_DATE_ID = 4,  /* "YYYYMMDD" (undated: "00000000") "\x1f" id: the
                             oldest-first browse order (date, then id) as
                             ONE value, so that a plain value sort gives it
                             -- Xapian's multi-slot KeyMaker does not run on
                             remote shards */
    FL_SLOT_NEWEST_ID = 5, /* 99999999 - YYYYMMDD as 8 digits (undated:
                             "99999999") "\x1f" id: the newest-first browse
                             order (date descending, then id ascending), the
                             default listing, in ascending order.  An
                             ascending sort also drops a document that comes
                             after the page's last at one comparison: ids
                             mostly grow with the docid (documents are added
                             in path order), while in a descending sort
                             nearly every document went through Xapian's
                             heap of the best (a third of the browse's time
                             on the laws). */
    FL_SLOT_FACET0 = 10,  /* facet i (in the order of the config's facet list,
                             stored in FL_META_CONFIG) lives in slot
                             FL_SLOT_FACET0 + i: its KEYS (fl_norm_facet_key)
                             joined by FL_FACET_SEP.  Keys, not display
                             spellings, so that a match spy counts
                             "Maria Goncalves" and "Maria Gonçalves" as one
                             value; show a key through the metadata
                             FL_META_FACET_PREFIX facet ":" key. */
    FL_SLOT_FACET_DISPLAY0 = 40 /* facet i's display values as written in this
                             document (cleaned), joined by FL_FACET_SEP, in
                             the same order as the keys in FL_SLOT_FACET0 + i:
                             lets the indexer keep spelling counts right when
                             the document is replaced or deleted. */
};
#define FL_FACET_SEP '\x1f'

/* Metadata keys. */
#define FL_META_FORMAT "findling:format"        /* FL_INDEX_FORMAT */
/* FL_META_CONFIG (JSON) — what the query side needs from findling.yml:
 *   {"facets": [{"name": "category", "label": "Kategorie"}, ...],
 *    "synonyms": [["Auto", "PKW", "Kraftfahrzeug"], ...],
 *    "recency_boost": 0.1, "recency_half_life": 365,
 *    "words": ["Quartier", ...]}   (findling.yml `words`: extra compound parts;
 *                                  the query side's analyzer needs them too,
 *                                  see fl_index_stored_words)
 * The facet list's order gives the value slots (FL_SLOT_FACET0 + i).
 * Synonym groups are stored as written; they are ALSO in Xapian's synonym
 * table, analysed: for every member (its analysed stems joined by one space)
 * the stems of each other member of its group are its synonyms, so the query
 * side can look up fl_xdb_synonyms(stem) after running the same chain. */
#define FL_META_CONFIG "findling:config"
#define FL_META_LAST_RUN "findling:last-run"    /* JSON summary of the last index run */
/* Section entries: "findling:sec:" <id> "\x1f" <n>  → anchor, title, token
 * checkpoints and plain text of section n (fl_secentry, fl_docdata.h). */
#define FL_META_SECTION_PREFIX "findling:sec:"
/* Facet display spelling: "findling:facet:" <facet> ":" <key> → display value
 * (the most frequent spelling of that key across the indexed documents). */
#define FL_META_FACET_PREFIX "findling:facet:"
/* Indexer bookkeeping behind the display spelling:
 * "findling:facetn:" <facet> ":" <key> → lines "COUNT\tSPELLING\n". */
#define FL_META_FACET_COUNT_PREFIX "findling:facetn:"
/* Hash of everything outside the documents that changes how they are built
 * (site _config.yml, findling.yml, format): a change → full rebuild. */
#define FL_META_INPUT_HASH "findling:input-hash"
/* "K/N": this database is shard K (0-based) of an index with N shards
 * (absent: a single database). */
#define FL_META_SHARDS "findling:shard"
/* The index run that last committed this database (milliseconds since the
 * epoch at its end), written to every shard by every run: remote shards
 * have no revision, so a reader's revision of them is the sum of these. */
#define FL_META_RUN "findling:run"

/* Spelling dictionary: the exact forms (E terms) of words of at least
 * FL_SPELLING_MIN_LETTERS letters (letters only); frequency = number of
 * documents containing the word. */
#define FL_SPELLING_MIN_LETTERS 4
/* Autocomplete: words of at least FL_SUGGEST_MIN_LETTERS letters. */
#define FL_SUGGEST_MIN_LETTERS 3
/* Xapian's limit on a term's length is 245 bytes; longer terms are skipped. */
#define FL_MAX_TERM_LEN 240

#include "fl_buf.h"
#include <stddef.h>

/* Autocomplete key of a word or prefix: lower-case, accents stripped,
 * ä/ae→a, ö/oe→o, ü/ue→u, ß→ss, non-letters dropped — so that "Buerg",
 * "bürg" and "Burg" share a key prefix.  Appends to out. */
void fl_suggest_key(const char *s, size_t len, fl_buf *out);

/* The same with the umlauts spelt out and nothing merged: ä/Ä→ae, ö/Ö→oe,
 * ü/Ü→ue, "ae"/"oe"/"ue" kept.  What tells a typed "Bü" or "Bue" (Bürger,
 * Bühne) from "Bu" (Bus), which fl_suggest_key gives one key. */
void fl_suggest_key_spelt(const char *s, size_t len, fl_buf *out);

/* Shard (0..nshards-1) of the document with this id: FNV-1a 64 of the id's
 * bytes modulo nshards.  Part of the on-disk format: never change it. */
unsigned fl_shard_of(const char *id, unsigned nshards);

/* The XS key of words[0..len), exact words separated by FL_TITLE_START_SEP
 * (fl_analyzer_lead_words): each word's fl_suggest_key (case, accents,
 * umlauts and ae/oe/ue folded, so "Buergerliches" meets "Bürgerliches"), or
 * the word itself when that is empty ("2009"), appended to out joined by
 * FL_TITLE_START_SEP. */
void fl_title_start_key(const char *words, size_t len, fl_buf *out);

#endif
