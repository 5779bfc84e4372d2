/* search_int.h — internals shared by the query/ files (not a public API). */
#ifndef FL_SEARCH_INT_H
#define FL_SEARCH_INT_H

#include "fl_analyzer.h"
#include "fl_buf.h"
#include "fl_page.h"
#include "fl_query.h"
#include "fl_search.h"
#include "fl_terms.h"
#include "fl_xapian.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A small set of strings (query terms are few: linear search is fastest). */
typedef struct fl_strset {
    char **s;
    int *group;   /* which query word a string belongs to (for "distinct words") */
    size_t n;
} fl_strset;

void fl_strset_add(fl_strset *set, const char *s, int group);
int fl_strset_find(const fl_strset *set, const char *s); /* group or -1 */
void fl_strset_free(fl_strset *set);

typedef struct fl_facet_def {
    char *name;
    fl_xvalueno slot;
    bool live;           /* some document has a value in slot (else: nothing to count) */
} fl_facet_def;

/* A synonym group: members as written and as stem sequences ("künstlich intelligenz"). */
typedef struct fl_syn_group {
    fl_strlist members;
    fl_strlist stems;    /* parallel: space-joined stems of each member */
} fl_syn_group;

struct fl_searcher {
    char *path;
    char *stub;          /* content of DIR/XAPIANDB when opened (or NULL) */
    fl_xdb *db;
    const fl_analyzer *an;
    uint32_t doccount;
    fl_facet_def *facets;
    size_t nfacets;
    fl_syn_group *syns;
    size_t nsyns;
    double recency;      /* weight of the recency boost (0 = off) */
    double half_life;    /* days after which the recency boost has halved */
    bool dates_live;     /* some document has a date (FL_SLOT_DATE) */
    fl_completions *compl; /* autocomplete table (suggest.c), or NULL */
    struct fl_doccache *docs; /* decoded documents of recent hits (search.c) */
    struct fl_secscratch *secs; /* per-section tallies of a hit (search.c) */
    fl_xvalue *secval;   /* the section entry read last (section_read, search.c) */
    uint64_t epoch;      /* counts (re)opens that changed what the handle sees */
    /* With remote shards (no revision in Xapian): the sum of the shards'
     * run stamps (FL_META_RUN), read at each (re)open that found changes;
     * stamps_ok false for an index without them (then fl_xdb_revision). */
    uint64_t stamp_rev;
    bool stamps_ok;
};

/* The stem a positional term stands for: "Pgesellschaft" (a compound
 * part's term; also "P622", a number inside a citation or a date) →
 * "gesellschaft"; a stem (never starting with a capital) is itself. */
static inline const char *fl_posterm_stem(const char *term)
{
    size_t np = strlen(FL_PREFIX_PART);
    return strncmp(term, FL_PREFIX_PART, np) == 0 && term[np] ? term + np : term;
}

/* A phrase of the query: its words' stems and where each stands relative
 * to the first (a stop word the index lacks leaves a gap). */
typedef struct fl_phrase {
    char **stems;
    uint32_t *offsets;
    size_t n;
} fl_phrase;

/* What matching looks like for highlighting and sections. */
typedef struct fl_hl {
    fl_strset stems;     /* positional stems (free text, phrases, title:) */
    fl_strset parts;     /* compound-part stems searched as P terms */
    fl_strset exacts;    /* exact forms */
    fl_strlist prefixes; /* wildcard prefixes (exact form) */
    fl_strlist posterms; /* positional terms to look up in hits ("burg", "Pgesellschaft") */
    /* The posterms that only stand for the parts of a compound the reader
     * typed (fahr, Pfahr, zeug, Pzeug of "Fahrzeug"): a hit's sub-results
     * and marks use them only when it lacks the word itself, whole or in a
     * compound (search.c).  A law full of "Kraftfahrzeug" has thousands of
     * each, at the same positions, and a section with "Fahrer" and "Zeug"
     * is not one about vehicles. */
    fl_strlist splitterms;
    /* The query's phrases of two words or more.  A stem that is only a
     * phrase word (no free word of the query has it) counts, in a hit's
     * sections and marks, only where the phrase stands (search.c): "des"
     * of "Würde des Menschen" is in every section of a law. */
    fl_phrase *phrases;
    size_t nphrases;
    fl_strlist phraseterms; /* those phrase-only stems among the posterms */
    int ngroups;
    uint64_t cite_groups; /* groups (bit g % 64) that are legal citations ("§622") */
    /* Some forms to mark are not found through the posterms' positions
     * (phrase words inside compounds, title: words; fl_compile decides): an
     * excerpt then analyses its whole window instead of the tokens at the
     * matched positions (fl_excerpt_at), and marks split parts too. */
    bool unpositioned;
    /* The person forms of a gender word (their stems need not be the
     * word's; kept in exacts too): like the wildcards' prefixes, found by
     * the exact form alone, beside what the positions find.  Where the
     * positions mark an excerpt, the other words of its window are looked
     * at for these and the prefixes; a word is analysed for that only if it
     * may have one of them (fl_hl_may_match_exact). */
    fl_strset loose_exacts;
} fl_hl;

/* Whether raw token rt of text may have an exact form among hl's exacts
 * (loose_only: its loose_exacts) or start with one of its prefixes.  A word (or address) is ruled out by its
 * leading ASCII letters and digits: its exact form starts with them in
 * lower case (NFC and case folding keep them, gender marks and hyphens come
 * after them), but for the last one when a non-ASCII byte follows it (a
 * combining mark would make another letter of it).  A number's or date's
 * exact form starts with a digit, a citation's with "§" or "art".  Checked
 * on the 19 million tokens of the laws and the site. */
struct fl_rawtoken;
bool fl_hl_may_match_exact(const fl_hl *hl, bool loose_only, const char *text,
                           const struct fl_rawtoken *rt);

/* Xapian BM25 parameters of every relevance search (search.c, rerank.c). */
#define FL_BM25_K1 1.2
#define FL_BM25_B 0.75
#define FL_NEAR_BONUS 0.5
#define FL_NEAR_SLACK 3
#define FL_NEAR_GROUPS 8

typedef struct fl_compiled {
    fl_xquery *q;          /* NULL = match nothing */
    /* Proximity groups: the stems of each run of 2 to 8 words the query
     * combines (its top-level words, a parenthesised group, an OR branch),
     * at most FL_NEAR_GROUPS of them.  A candidate with all stems of a group
     * within FL_NEAR_SLACK positions more than the group has stems gains
     * FL_NEAR_BONUS times their BM25 weight.  The searcher computes that for
     * the best candidates itself (rerank.c): checking positions in every
     * match costs more than the rest of the match on long documents, and
     * Xapian's NEAR weighs differently over several shards than over one
     * database. */
    fl_strlist near_groups[FL_NEAR_GROUPS];
    size_t n_near_groups;
    fl_hl hl;
    fl_strlist why_term;   /* explain: term ... */
    fl_strlist why_text;   /* ... and its reason */
    char *corrected;       /* corrected query text, or NULL */
    bool correction_used;  /* some word was only known through its correction */
    bool has_words;        /* free text was present (else: browse, sort by date) */
    uint32_t qlen;
    fl_strlist stemseq;    /* stems of all free-text words in order (proximity) */
} fl_compiled;

/* Builds the Xapian query of a parsed query (build.c).  and_all: multi-word
 * free text requires every word (else: OR with a bonus for all); explain:
 * keep why each term is searched (why_term, why_text; else they stay empty). */
int fl_compile(fl_searcher *s, const fl_qnode *root, const char *raw, bool and_all,
               bool explain, fl_compiled *out, char **err);
void fl_compiled_free(fl_compiled *c);

/* The term positions of one search (posmemo.c): each (document, term) read
 * once, however many parts of the search ask for it.  Owns what it read. */
typedef struct fl_posmemo fl_posmemo;
fl_posmemo *fl_posmemo_new(fl_xdb *db);
void fl_posmemo_free(fl_posmemo *m);
/* Reads the positions of every term in every document not read yet, term by
 * term (fl_xdb_term_positions: documents without the term are not looked
 * up).  A read that fails is not kept: fl_posmemo_get asks again and reports
 * it. */
void fl_posmemo_prefetch(fl_posmemo *m, const fl_xdocid *docids, size_t ndocs,
                         const char *const *terms, size_t nterms);
/* term's positions in docid, sorted (*n == 0: none); *pos belongs to m and
 * lives as long as it.  FL_XOK, or the Xapian error (pending). */
fl_xstatus fl_posmemo_get(fl_posmemo *m, fl_xdocid docid, const char *term,
                          const fl_xtermpos **pos, size_t *n);

/* A position with what it belongs to (a query term, a word group). */
typedef struct fl_tagpos {
    uint32_t pos;
    uint32_t tag;
} fl_tagpos;
/* Sorts v[0..n) by position when it is made of nruns runs already sorted by
 * position -- run r is v[bounds[r] .. bounds[r + 1]), bounds[0] = 0,
 * bounds[nruns] = n -- as the positions of several terms are: merging them
 * costs n log(nruns) moves, not a sort's n log(n) calls of a comparison.
 * Equal positions keep the order of their runs.  bounds is used up. */
void fl_tagpos_merge(fl_tagpos *v, size_t n, size_t *bounds, size_t nruns);

/* The second stage of a relevance search (rerank.c): the first `pool`
 * candidates of mset (the first match, best first, sorted by relevance then
 * FL_SLOT_ID: its sort keys are the candidates' document ids) with c's proximity bonus
 * and, when recency is set, the searcher's recency boost, sorted by that
 * weight and then by document id; the candidates after them keep their
 * order and weight (so that pages beyond the pool follow on from it).
 * *order receives the MSet indexes in the new order, *weights their weights
 * (both malloc'd, fl_xmset_size entries).  Only the first `need` places are
 * exact: candidates that cannot reach them are left without their
 * bonuses.  Returns 0, or -1 with the Xapian error pending (nothing
 * allocated). */
int fl_rerank(fl_searcher *s, const fl_compiled *c, fl_xmset *mset, fl_posmemo *pm, bool recency,
              uint32_t pool, uint32_t need, uint32_t **order, double **weights);

/* Excerpt of text[0..len) with query matches marked (excerpt.c).  hint_byte
 * is where a match is expected (or SIZE_MAX); appends HTML to out.  Returns
 * the number of marks. */
size_t fl_excerpt(const fl_analyzer *an, const fl_hl *hl, const char *text, size_t len,
                  size_t hint_byte, size_t length, bool fallback_start, fl_buf *out);
/* Where the tokens of a text are and which of them matched, from the term
 * positions of a hit (search.c): for fl_excerpt_at. */
typedef struct fl_tokmap {
    /* A token start at or before byte (checkpoints of the section entry);
     * *tok receives its index among the text's raw tokens. */
    size_t (*start_before)(void *ud, size_t byte, uint32_t *tok);
    /* The query word group (fl_hl) of the term at raw token tok's
     * position, or -1 when there is none; asked for increasing tok, from
     * the one start_before gave.  Where terms of several groups meet (a
     * compound holding two query words) a whole word's group counts before
     * a compound part's. */
    int (*matched)(void *ud, uint32_t tok);
    /* Optional (NULL: every token is asked about): where to read on after
     * raw token tok, whose scan ended at byte pos.  Either pos itself
     * (*next_tok = tok + 1), or the start of a later token *next_tok at or
     * before the next matched one (the tokens between match nothing, and
     * scanning them just to step over them was most of an excerpt's cost),
     * or SIZE_MAX when no later token is matched.  Not asked when hl has
     * person forms or prefixes to find: every token is looked at then. */
    size_t (*resume)(void *ud, uint32_t tok, size_t pos, uint32_t *next_tok);
    void *ud;
} fl_tokmap;
/* The same for a text whose match is known to start at match_byte (from the
 * term positions): only the text around it is looked at.  When tm knows the
 * matched tokens (and not hl->unpositioned), those raw tokens are marked
 * whole, with the groups tm gives: their positions already say they are
 * query terms, and the analysis chain, which makes one token of a raw
 * token, would mark them whole too; the other words are looked at for
 * hl's person forms and prefixes (fl_hl.loose_exacts).  Without tm the
 * window is analysed.  The excerpt is the same either way, but for which
 * group a token holding two query words counts for (tm: a whole word's
 * before a part's, then the query's order; the analysis: the order of the
 * token's parts). */
size_t fl_excerpt_at(const fl_analyzer *an, const fl_hl *hl, const char *text, size_t len,
                     size_t match_byte, size_t length, const fl_tokmap *tm, fl_buf *out);
/* The best spelling correction of an exact (case-folded) word within
 * maxedit edits among the index's words (spell.c): *out is malloc'd, or NULL
 * when there is none.  Returns 0, or -1 when the index could not be read.
 * words: a completion table of db's revision, whose copy of the spelling
 * dictionary is walked instead of the index's (the same answer, faster), or
 * NULL. */
int fl_spell_suggest(fl_xdb *db, const fl_completions *words, const char *word, unsigned maxedit,
                     char **out);
/* The spelling dictionary's copy in a completion table (complete.c;
 * fl_completions_spell_count words): word i (not NUL-terminated) and its
 * frequency; the first index >= from whose word is >= key in byte order
 * (the count when none). */
const char *fl_spellwords_word(const fl_completions *c, size_t i, size_t *len, uint32_t *freq);
size_t fl_spellwords_seek(const fl_completions *c, size_t from, const char *key, size_t len);
/* The first index after i whose word does not start with the first plen
 * bytes of word i (which has at least plen; plen <= FL_SPELLWORDS_PREFIX_MAX),
 * the count when none: past the subtree of a prefix in the walk's trie,
 * without comparing words. */
#define FL_SPELLWORDS_PREFIX_MAX 255
size_t fl_spellwords_past_prefix(const fl_completions *c, size_t i, size_t plen);
/* Typos a word of s[0..len) may have and still be corrected (spell.c): the
 * Meilisearch rule, 5+ letters one, 9+ two, fewer none. */
unsigned fl_typo_budget(const char *s, size_t len);
/* The same for a compound the index does not have whole, with the typo in
 * one part ("barrierefreiheitsgestz"): a split point where one side is a
 * word of the index or of an's word list (the modifier, before its linking
 * element, or the head)
 * and the other side has a correction within its own budget (5+ letters
 * one edit, 9+ two, never more than maxedit); the recombined word
 * ("barrierefreiheitsgesetz") in *out, or NULL.  Returns 0 or -1. */
int fl_spell_suggest_compound(fl_xdb *db, const fl_completions *words, const fl_analyzer *an,
                              const char *word, unsigned maxedit, char **out);
/* Whether a token's analysis matches the query (group or -1). */
int fl_hl_match(const fl_hl *hl, const fl_token *t);

#endif
