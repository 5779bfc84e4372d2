/* fl_analyzer.h — the German analysis chain, shared by indexing and queries.
 *
 *   text → tokenize → normalise (NFC, case, accents) → gender forms
 *        → compound parts → Snowball German stem
 *
 * One fl_analyzer is built once (it loads the word list used to split
 * compounds and recognise gender forms) and then used read-only: it is safe to
 * share between threads after fl_analyzer_new() returns.  Indexer and query
 * parser call the very same fl_analyze(), so both sides always agree on terms.
 *
 * What a token yields (see fl_terms.h for how these become Xapian terms):
 *   exact  — NFC, case-folded, gender marker removed ("Bürger*innen" →
 *            "bürgerinnen"); stored as E<exact>
 *   stem   — Snowball stem after gender unification ("Bürger*innen",
 *            "Bürgerin", "Bürger" → "burg"); the positional term
 *   parts  — stems of compound parts ("Zivilgesellschaft" → "zivil",
 *            "gesellschaft"), empty for simple words; P<part>
 *
 * Details of the chain (stemmers/analyzer.c and the modules it calls):
 *  - parts also hold the sub-compounds of neighbouring parts
 *    ("Kündigungsschutzgesetz" → kundigung, schutz, gesetz, kundigungsschutz,
 *    schutzgesetz), never the token's own stem, never one-letter parts;
 *    hyphenated words ("KI-Meetup") have their pieces (and the pieces'
 *    compound parts) as parts and the piece stems joined by '-' as stem;
 *  - gender_base is also set for unmarked feminine forms ("Expertin" →
 *    "expert"), with FL_TOKFLAG_GENDER;
 *  - dotted abbreviations ("z. B." → "z.b.", "bzw." → "bzw") are WORD tokens
 *    flagged STOPWORD; dates also carry the year as a part, citations their
 *    number ("§ 622" → part "622"); URLs and e-mail addresses are lower-cased
 *    whole (exact = stem);
 *  - an apostrophe clitic is dropped from the stem ("geht's" → "geht").
 * Context: what one raw token (fl_tokenize.h) yields depends on that token's
 * text alone, never on its neighbours, and tokenizing from any token's start
 * finds the same tokens as tokenizing from the text's start.  Excerpts rely
 * on both: they analyse single tokens found through term positions, counting
 * from checkpoints in the middle of a text (query/excerpt.c, fl_docdata.h).
 * Threads: each thread that calls fl_analyze() gets its own cache of word
 * analyses (a pthread key of the analyzer), freed when the thread exits;
 * call fl_analyzer_free() after the worker threads have ended.
 */
#ifndef FL_ANALYZER_H
#define FL_ANALYZER_H

#include "fl_buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fl_analyzer fl_analyzer;

typedef enum fl_token_kind {
    FL_TOKEN_WORD,      /* letters (may contain inner hyphens, apostrophes, gender marks) */
    FL_TOKEN_NUMBER,    /* 2026, 3,5, 1.000 */
    FL_TOKEN_DATE,      /* 15.01.2026 → exact/stem "2026-01-15" */
    FL_TOKEN_PARAGRAPH, /* "§ 622", "§§ 1", "Art. 3" → "§622" / "art3" */
    FL_TOKEN_EMAIL,     /* name@example.org, kept whole */
    FL_TOKEN_URL        /* https://..., www.example.org, kept whole */
} fl_token_kind;

enum {
    FL_TOKFLAG_GENDER = 1 << 0,    /* a gender-inclusive form was recognised */
    FL_TOKFLAG_COMPOUND = 1 << 1,  /* parts[] were found */
    FL_TOKFLAG_FOLDED = 1 << 2,    /* accents/umlaut spellings were folded */
    FL_TOKFLAG_STOPWORD = 1 << 3,  /* on the German stop word list */
    FL_TOKFLAG_HYPHENATED = 1 << 4 /* "KI-Meetup": parts are the hyphen pieces */
};

typedef struct fl_token {
    const char *surface;    /* the token as written, pointing into the input */
    size_t surface_len;
    size_t offset;          /* byte offset of surface in the input */
    fl_token_kind kind;
    unsigned flags;         /* FL_TOKFLAG_* */
    const char *exact;      /* NUL-terminated; valid during the callback only */
    const char *stem;       /* NUL-terminated; valid during the callback only */
    const char *const *parts; /* nparts NUL-terminated part stems */
    size_t nparts;
    const char *gender_base; /* "bürger" for "Bürger*innen", else NULL */
    uint32_t index;         /* 0-based token number: positions are derived from it */
} fl_token;

/* Return 0 to go on, non-zero to stop (fl_analyze then returns that value). */
typedef int (*fl_token_cb)(void *ud, const fl_token *tok);

typedef struct fl_analyzer_options {
    /* Word list for compound splitting and gender recognition, one word per
     * line (hunspell-style "/flags" suffixes ignored).  NULL = the default
     * FL_DEFAULT_WORDLIST when present; a missing default is not an error
     * (compounds are then split only with the built-in and extra words). */
    const char *wordlist_path;
    /* Extra words (e.g. from findling.yml), NUL-terminated UTF-8. */
    const char *const *extra_words;
    size_t n_extra_words;
    bool no_compounds;     /* disable compound splitting */
    bool no_gender;        /* disable gender-form handling */
    /* A cache file of the word list (fl_wordlist_save_cache), e.g.
     * FL_WORDLIST_CACHE inside the index directory, or NULL: mapped when it
     * matches the list's size and mtime, else the list is loaded and — with
     * write_wordlist_cache (the indexer) — the cache written (best effort:
     * silently skipped when the file cannot be written).  Searchers only
     * read it: they never write into the index directory. */
    const char *wordlist_cache;
    bool write_wordlist_cache;
    /* Bound of each thread's cache of analysed words, in bytes; 0 = the
     * default (~72 MB, sized for indexing big corpora).  A long-running
     * server sets less: the cache is cleared when full, never grows past it. */
    size_t word_cache_bytes;
} fl_analyzer_options;

/* The word cache bound of searchers (CLI and server threads). */
#define FL_SEARCH_WORD_CACHE_BYTES ((size_t)16 << 20)

/* The word list cache's name inside an index directory. */
#define FL_WORDLIST_CACHE "wordlist.cache"

#define FL_DEFAULT_WORDLIST "/usr/share/dict/ngerman"

/* opts may be NULL (defaults).  Returns NULL with *err on failure
 * (e.g. an explicitly given word list that cannot be read). */
fl_analyzer *fl_analyzer_new(const fl_analyzer_options *opts, char **err);
void fl_analyzer_free(fl_analyzer *a);

/* Analyses text[0..len) (valid UTF-8; repair it first) and calls cb for every
 * token in order.  Returns 0, cb's non-zero value, or -1 with *err. */
int fl_analyze(const fl_analyzer *a, const char *text, size_t len, fl_token_cb cb, void *ud,
               char **err);

/* Analyses one raw token of text (as fl_tokenize_next found it there) the
 * way fl_analyze analyses it among the others: one call of cb with the
 * token, its offset relative to text, its index 0.  For callers that walk a
 * text's raw tokens themselves and need only some of them analysed
 * (excerpt marks).
 * Returns 0, cb's non-zero value, or -1 with *err. */
struct fl_rawtoken; /* fl_tokenize.h */
int fl_analyze_token(const fl_analyzer *a, const char *text, const struct fl_rawtoken *rt,
                     fl_token_cb cb, void *ud, char **err);

/* Stems a single word the way fl_analyze would (for spelling candidates,
 * suggestions and wildcards).  Appends to out. */
void fl_analyzer_stem_word(const fl_analyzer *a, const char *word, size_t len, fl_buf *out);

/* The exact forms of text's first tokens that are no stop words, at most
 * max of them, appended to out separated by sep (how a title starts, and
 * the query that names it: fl_title_start_key).  Returns how many there are
 * in all (more than max when the text goes on), or -1 with *err. */
long fl_analyzer_lead_words(const fl_analyzer *a, const char *text, size_t len, size_t max,
                            char sep, fl_buf *out, char **err);

/* Adapter for the Xapian wrapper's stemmer hook (fl_xstem_new_custom() in
 * fl_xapian.h): ud is a const fl_analyzer *; returns the malloc'd stem of
 * word as fl_analyzer_stem_word() makes it (gender forms unified), or NULL
 * for an empty result.  Lets Xapian's QueryParser/TermGenerator use our
 * chain's stems, e.g. for wildcard and spelling features. */
char *fl_analyzer_xstem_cb(void *ud, const char *word, size_t len);

/* Whether the exact (case-folded) word is a German stop word. */
bool fl_is_stopword(const char *exact, size_t len);

/* Whether stem is the Snowball stem of a stop word ("sich", "weg"). */
bool fl_is_stopword_stem(const char *stem, size_t len);

/* What the chain appends to a content word's stem that equals a stop word's
 * ("Sicherheit" → sich~, the pronoun "sich" stays sich), so that the two
 * are different terms.  Part of the index format (fl_terms.h). */
#define FL_STEM_APART '~'

/* Whether the word list knows a (folded, lower-case) word in any form
 * ("bürger", "beteiligung"): e.g. to tell a misspelt compound part from a
 * correct one. */
bool fl_analyzer_knows(const fl_analyzer *a, const char *word, size_t len);

/* Splits a (folded, lower-case) word into compound parts as the chain does:
 * appends each part's surface form, '\n'-separated, to out; returns the
 * number of parts (0 or 1 = not a compound).  For the gold-table evaluation
 * and `findling analyze`. */
size_t fl_analyzer_split(const fl_analyzer *a, const char *word, size_t len, fl_buf *out);

#endif
