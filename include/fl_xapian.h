/* fl_xapian.h — Findling's thin C API over Xapian 1.4 (xapian-c/fl_xapian.cc).
 *
 * This is the only door to C++ in the project.  Everything here is an opaque
 * handle with an explicit free function; no C++ exception ever crosses into
 * C.  Model: notmuch's lib/notmuch.h.
 *
 * Errors.  Every function that can fail returns an fl_xstatus.  On failure
 * the calling thread's "last error" holds Xapian's error class and message
 * (fl_xlast_error_class(), fl_xlast_error()); it stays valid until the next
 * failing call in the same thread.  Output parameters are only written on
 * success.
 *
 * Threads.  Handles are not thread-safe (neither are Xapian's objects): use
 * one database handle and everything derived from it per thread.
 *
 * Ownership.  Handles returned through `**out` belong to the caller.  Functions
 * that take another handle (e.g. fl_xquery_combine, fl_xenquire_set_query)
 * copy what they need (Xapian objects are reference counted), so the caller
 * may free its handle right after, EXCEPT where noted (term generator's
 * document, enquire's match spies: those must outlive their use).
 * Strings returned through `char **` are malloc'd; the caller free()s them.
 * Strings passed in are (pointer, length) pairs where binary data is allowed
 * (terms, values, data, metadata) and NUL-terminated elsewhere.
 */
#ifndef FL_XAPIAN_H
#define FL_XAPIAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fl_xstatus {
    FL_XOK = 0,
    FL_XERR_NOT_FOUND,        /* DatabaseNotFoundError, DocNotFoundError, missing term/key */
    FL_XERR_LOCKED,           /* DatabaseLockError: another writer holds the database */
    FL_XERR_CORRUPT,          /* DatabaseCorruptError; also plain DatabaseError, which is
                                 what a damaged table gives on a short read */
    FL_XERR_OPENING,          /* DatabaseOpeningError, DatabaseVersionError (not a database),
                                 DatabaseCreateError (FL_XDB_CREATE of an existing db) */
    FL_XERR_MODIFIED,         /* DatabaseModifiedError: reopen and retry */
    FL_XERR_QUERY,            /* QueryParserError */
    FL_XERR_INVALID_ARGUMENT, /* InvalidArgumentError, InvalidOperationError, bad C arguments */
    FL_XERR_NETWORK,          /* NetworkError, NetworkTimeoutError (remote backend) */
    FL_XERR_RANGE,            /* RangeError (e.g. an index past the end of an MSet) */
    FL_XERR_OTHER             /* any other Xapian::Error or std::exception */
} fl_xstatus;

/* Last error of this thread: "ClassName: message" / class / message / status. */
const char *fl_xlast_error(void);
const char *fl_xlast_error_class(void);
const char *fl_xlast_error_message(void);
fl_xstatus fl_xlast_status(void);
/* Human name of a status ("locked", "corrupt", ...). */
const char *fl_xstatus_name(fl_xstatus st);
/* Xapian library version string, e.g. "1.4.22". */
const char *fl_xapian_version(void);

typedef uint32_t fl_xdocid;
typedef uint32_t fl_xtermpos;
typedef uint32_t fl_xvalueno;

typedef struct fl_xdb fl_xdb;
typedef struct fl_xdoc fl_xdoc;
typedef struct fl_xstem fl_xstem;
typedef struct fl_xstopper fl_xstopper;
typedef struct fl_xtermgen fl_xtermgen;
typedef struct fl_xqp fl_xqp;
typedef struct fl_xquery fl_xquery;
typedef struct fl_xenquire fl_xenquire;
typedef struct fl_xmset fl_xmset;
typedef struct fl_xspy fl_xspy;
typedef struct fl_xvalue fl_xvalue;

/* Iteration callbacks return 0 to go on, non-zero to stop early.
 * wdf_or_freq is the wdf for a document's terms, the term/spelling frequency
 * for database-wide lists, the count for match spies, the number of
 * occurrences in the query for fl_xquery_terms, and 1 for
 * fl_xenquire_matching_terms. */
typedef int (*fl_xterm_cb)(void *ud, const char *term, size_t len, uint32_t wdf_or_freq);
typedef int (*fl_xdocid_cb)(void *ud, fl_xdocid docid, uint32_t wdf);
typedef int (*fl_xstring_cb)(void *ud, const char *s, size_t len);

/* ---------------------------------------------------------------- databases */

typedef enum fl_xdb_mode {
    FL_XDB_CREATE_OR_OPEN,      /* open, or create when missing */
    FL_XDB_CREATE,              /* create; fail if it exists */
    FL_XDB_CREATE_OR_OVERWRITE, /* create, replacing any existing database */
    FL_XDB_OPEN                 /* open; fail if missing */
} fl_xdb_mode;

/* Read-only database at `path` (a glass directory or a stub file, which may
 * list several local or remote shards). */
fl_xstatus fl_xdb_open(const char *path, fl_xdb **out);
/* Writable glass database at `path`.  Fails with FL_XERR_LOCKED when another
 * writer has it open.  `flush_threshold` is the number of changed documents
 * after which Xapian flushes to disk in a transaction-less run (0 = Xapian's
 * default / XAPIAN_FLUSH_THRESHOLD).
 * Xapian 1.4 has no API for it: a non-zero threshold is passed by setting
 * XAPIAN_FLUSH_THRESHOLD in the environment around the open (under a mutex,
 * previous value restored), so do not call this while another thread reads or
 * writes the environment. */
fl_xstatus fl_xdb_open_writable(const char *path, fl_xdb_mode mode,
                                unsigned flush_threshold, fl_xdb **out);
/* Sharded indexes.  fl_xdb_open() of a folder holding a stub XAPIANDB (or of
 * a stub file) that lists several entries ("auto PATH", "glass PATH",
 * "remote HOST:PORT", as in Xapian's stub format) opens each entry itself and
 * keeps its handle, so that:
 *   - fl_xdb_get_metadata() answers from the first shard that has the key
 *     (Xapian 1.4 would read the first shard only);
 *   - fl_xdb_metadata_keys() lists the union over all shards;
 *   - fl_xdb_revision() is the sum of the shards' revisions (Xapian has none
 *     for a combined database): it changes whenever any shard commits.
 *     Remote shards have no revision (Xapian: UnimplementedError); for them
 *     the handle counts the reopens that found changes, so the value is per
 *     handle, not per index: an application that needs one revision for all
 *     its handles stores its own stamp in each shard's metadata and reads it
 *     with fl_xdb_shard_metadata();
 *   - remote entries get short timeouts (connect 2 s, reply 5 s), so that a
 *     dead shard fails a search quickly instead of hanging it.
 * Docids of a combined database interleave: shard = (docid-1) % n.
 * Number of shards of db (1 for a single database). */
uint32_t fl_xdb_shard_count(const fl_xdb *db);
/* Whether any shard of db is remote. */
bool fl_xdb_has_remote(const fl_xdb *db);
/* Document count and revision of shard i (0-based; i = 0 of a single
 * database is the database itself).  Either output may be NULL. */
fl_xstatus fl_xdb_shard_info(fl_xdb *db, uint32_t i, uint32_t *doccount, uint64_t *revision);
/* The metadata value of key in shard i alone (missing: *val = NULL, *len = 0). */
fl_xstatus fl_xdb_shard_metadata(fl_xdb *db, uint32_t i, const char *key, size_t keylen,
                                 char **val, size_t *len);
/* As fl_xdb_open_writable, and with max_changesets > 0 every commit also
 * writes a changeset file into the database directory (the newest
 * max_changesets are kept), which xapian-replicate-server sends to replicas
 * instead of a whole copy.  Xapian 1.4 reads XAPIAN_MAX_CHANGESETS from the
 * environment when the database is opened, so it is set around the open like
 * the flush threshold (same threading caveat).  0 = leave the environment as
 * it is (an inherited XAPIAN_MAX_CHANGESETS still applies). */
fl_xstatus fl_xdb_open_writable_changesets(const char *path, fl_xdb_mode mode,
                                           unsigned flush_threshold, unsigned max_changesets,
                                           fl_xdb **out);
/* An empty read-only database to which shards are added with fl_xdb_add(). */
fl_xstatus fl_xdb_new_empty(fl_xdb **out);
/* Adds `shard` (read-only) to the combined read-only database `db`. */
fl_xstatus fl_xdb_add(fl_xdb *db, const fl_xdb *shard);
/* Remote database served by xapian-tcpsrv; timeouts in milliseconds
 * (0 = Xapian's defaults). */
fl_xstatus fl_xdb_open_remote(const char *host, unsigned port, unsigned timeout_ms,
                              unsigned connect_timeout_ms, fl_xdb **out);
/* Closes (a writable database is NOT committed) and frees.  NULL is fine.
 * Xapian 1.4 caveat: only changes inside an active transaction are discarded
 * (the transaction is cancelled); outside a transaction Xapian's destructor
 * commits pending changes implicitly and offers no way to drop them.  To make
 * changes all-or-nothing, wrap them in fl_xdb_begin_transaction(). */
void fl_xdb_free(fl_xdb *db);
bool fl_xdb_is_writable(const fl_xdb *db);

/* Brings a read-only handle to the latest committed revision.
 * *changed (may be NULL) is set to whether anything changed. */
fl_xstatus fl_xdb_reopen(fl_xdb *db, bool *changed);
fl_xstatus fl_xdb_commit(fl_xdb *db);
/* flushed=true: commit_transaction() also commits to disk. */
fl_xstatus fl_xdb_begin_transaction(fl_xdb *db, bool flushed);
fl_xstatus fl_xdb_commit_transaction(fl_xdb *db);
fl_xstatus fl_xdb_cancel_transaction(fl_xdb *db);

fl_xstatus fl_xdb_revision(fl_xdb *db, uint64_t *rev);
fl_xstatus fl_xdb_uuid(fl_xdb *db, char **out);
fl_xstatus fl_xdb_doccount(fl_xdb *db, uint32_t *count);
fl_xstatus fl_xdb_lastdocid(fl_xdb *db, fl_xdocid *docid);
fl_xstatus fl_xdb_avlength(fl_xdb *db, double *avlen);
/* Length (sum of wdf) of one document, as BM25 normalises it. */
fl_xstatus fl_xdb_doclength(fl_xdb *db, fl_xdocid docid, uint32_t *len);
/* Number of documents indexed by `term` (0 when absent). */
fl_xstatus fl_xdb_termfreq(fl_xdb *db, const char *term, size_t len, uint32_t *freq);
/* Total wdf of `term` across the database. */
fl_xstatus fl_xdb_collection_freq(fl_xdb *db, const char *term, size_t len, uint32_t *freq);
fl_xstatus fl_xdb_term_exists(fl_xdb *db, const char *term, size_t len, bool *exists);

/* User metadata.  A missing key yields FL_XOK with *val = NULL, *len = 0. */
fl_xstatus fl_xdb_get_metadata(fl_xdb *db, const char *key, size_t keylen, char **val,
                               size_t *len);
/* A value read into storage the caller keeps and reads into again: the
 * value is handed over as Xapian returns it, neither copied nor allocated
 * again (a loop of reads of big values, such as the searcher's section
 * texts, otherwise copies each one once more).  fl_xvalue_data() points
 * into v until the next read into v or fl_xvalue_free(v); NULL (*len 0)
 * for a missing key. */
fl_xstatus fl_xvalue_new(fl_xvalue **out);
void fl_xvalue_free(fl_xvalue *v); /* NULL is fine */
const char *fl_xvalue_data(const fl_xvalue *v, size_t *len);
/* fl_xdb_get_metadata() and fl_xdb_shard_metadata() into v; on an error v
 * holds no value. */
fl_xstatus fl_xdb_get_metadata_into(fl_xdb *db, const char *key, size_t keylen, fl_xvalue *v);
fl_xstatus fl_xdb_shard_metadata_into(fl_xdb *db, uint32_t i, const char *key, size_t keylen,
                                      fl_xvalue *v);
/* An empty value deletes the key. */
fl_xstatus fl_xdb_set_metadata(fl_xdb *db, const char *key, size_t keylen, const char *val,
                               size_t len);
/* All metadata keys starting with prefix. */
fl_xstatus fl_xdb_metadata_keys(fl_xdb *db, const char *prefix, fl_xstring_cb cb, void *ud);

/* Spelling dictionary. */
fl_xstatus fl_xdb_add_spelling(fl_xdb *db, const char *word, uint32_t freqinc);
fl_xstatus fl_xdb_remove_spelling(fl_xdb *db, const char *word, uint32_t freqdec);
/* Best suggestion within max_edit_distance, or *out = NULL when none. */
fl_xstatus fl_xdb_spelling_suggestion(fl_xdb *db, const char *word, unsigned max_edit_distance,
                                      char **out);
/* Spelling words with their frequencies (prefix "" = all). */
fl_xstatus fl_xdb_spellings(fl_xdb *db, fl_xterm_cb cb, void *ud);

/* Synonyms (term → alternatives; multi-word keys use a single space). */
fl_xstatus fl_xdb_add_synonym(fl_xdb *db, const char *term, const char *synonym);
fl_xstatus fl_xdb_clear_synonyms(fl_xdb *db, const char *term);
fl_xstatus fl_xdb_synonyms(fl_xdb *db, const char *term, fl_xstring_cb cb, void *ud);
/* Every term that has synonyms (for listing and for clearing all). */
fl_xstatus fl_xdb_synonym_keys(fl_xdb *db, fl_xstring_cb cb, void *ud);

/* Documents. */
fl_xstatus fl_xdb_add_document(fl_xdb *db, const fl_xdoc *doc, fl_xdocid *docid);
/* Replaces the document(s) indexed by unique_term, or adds it. */
fl_xstatus fl_xdb_replace_document_by_term(fl_xdb *db, const char *unique_term,
                                           const fl_xdoc *doc, fl_xdocid *docid);
fl_xstatus fl_xdb_replace_document(fl_xdb *db, fl_xdocid docid, const fl_xdoc *doc);
fl_xstatus fl_xdb_delete_document(fl_xdb *db, fl_xdocid docid);
fl_xstatus fl_xdb_delete_document_by_term(fl_xdb *db, const char *unique_term);
/* FL_XERR_NOT_FOUND when there is no such document. */
fl_xstatus fl_xdb_get_document(fl_xdb *db, fl_xdocid docid, fl_xdoc **out);
/* First document indexed by term; FL_XERR_NOT_FOUND when none. */
fl_xstatus fl_xdb_find_document(fl_xdb *db, const char *term, size_t len, fl_xdocid *docid);

/* Iteration. */
fl_xstatus fl_xdb_allterms(fl_xdb *db, const char *prefix, fl_xterm_cb cb, void *ud);
fl_xstatus fl_xdb_postlist(fl_xdb *db, const char *term, size_t len, fl_xdocid_cb cb, void *ud);
/* Positions of term in docid (sorted); *n = 0 when none.  *pos is malloc'd. */
fl_xstatus fl_xdb_positions(fl_xdb *db, fl_xdocid docid, const char *term, size_t len,
                            fl_xtermpos **pos, size_t *n);
/* Positions of term in each of ndocs documents (docids strictly ascending):
 * pos[i] (malloc'd, sorted) and npos[i] for docids[i], NULL and 0 where the
 * document lacks the term.  Cheaper than one fl_xdb_positions per
 * document: with the positions mirror (below) the term's entries are
 * neighbours, read in docid order; without it, the term's posting list
 * says which documents have it and the position table is read for those
 * only (over remote shards, which send a posting list whole, it is one ask
 * per document).  On error every pos[i] is NULL. */
fl_xstatus fl_xdb_term_positions(fl_xdb *db, const char *term, size_t len,
                                 const fl_xdocid *docids, size_t ndocs, fl_xtermpos **pos,
                                 size_t *npos);

/* Positions mirror.  Every position list of a database kept once more as
 * metadata entries keyed term first ("~" term "\0" docid, 4 bytes
 * big-endian; the value the positions as LEB128 varints of their gaps).
 * Why: Xapian 1.4 reads each (document, term) position list with a fresh
 * cursor over its position table, which is keyed document first, so the
 * few documents a search shows or re-ranks cost one or two 8 KB block
 * reads each per term, and an interpolative decode.  The mirror's entries
 * of one term are neighbours, read through the metadata table's own
 * cursor: on the laws' 63 bench queries -37 % block reads and -13 %
 * instructions for +26 % index size.  Xapian's positions stay (phrase
 * matching uses them), so an index without the mirror still answers the
 * same, only slower; a mirror entry that does not decode is read from
 * Xapian's table instead, but a MISSING entry reads as "the document lacks
 * the term" (that is what makes the mirror cheap).  The entries ride in
 * Xapian's own commits, transactions, compaction (which must keep docids:
 * fl_xdb_compact does for a mirrored database) and replication.  A
 * writer's entries wait, sorted, until fl_xdb_commit(), a transaction's
 * begin or commit, fl_xdb_free() outside a transaction or 32 MB of them;
 * so outside a transaction, a flush Xapian makes by itself (its flush
 * threshold) commits documents whose entries come with the next of
 * those -- write where readers look in a transaction, as the indexer's
 * incremental runs do (its full builds are read only once complete). */
#define FL_XDB_POSITIONS_MIRROR_KEY "findling:positions-mirror" /* "1": complete */
/* On a writable database: start the mirror on a database with no document
 * ever (docid 0 never used: the flag key saying it is complete is set) and
 * keep it up to date in every later add, replace and delete through this
 * handle.  A writable handle opened on a database that has the mirror
 * keeps it anyway; *mirrored = false for one built without it (left
 * alone: readers use Xapian's positions). */
fl_xstatus fl_xdb_mirror_positions(fl_xdb *db, bool *mirrored);
/* Whether position reads through db use the mirror: every shard has it
 * complete and none is remote (looked at again after a reopen that found
 * changes). */
fl_xstatus fl_xdb_positions_mirrored(fl_xdb *db, bool *yes);
/* For tests and measurements: off sends position reads to Xapian's own
 * table until the next reopen that finds changes; on looks again. */
fl_xstatus fl_xdb_set_mirror_reads(fl_xdb *db, bool on);
/* Number of documents with a value in `slot` (0 when none: e.g. a facet no
 * document has, so that a search can skip counting it). */
fl_xstatus fl_xdb_value_freq(fl_xdb *db, fl_xvalueno slot, uint32_t *freq);

/* A cursor over the terms starting with `prefix`, in byte order, that can
 * jump forward (TermIterator::skip_to): lets a caller walk the term
 * dictionary like a trie (e.g. to find near spellings) without listing it. */
typedef struct fl_xtermit fl_xtermit;
fl_xstatus fl_xdb_allterms_open(fl_xdb *db, const char *prefix, size_t len, fl_xtermit **out);
/* The same cursor over Xapian's spelling dictionary (Database::spellings_begin):
 * its words in byte order, no prefix, with their spelling frequencies. */
fl_xstatus fl_xdb_spellings_open(fl_xdb *db, fl_xtermit **out);
void fl_xtermit_free(fl_xtermit *it);
/* Whether the cursor is past the last term with the prefix. */
bool fl_xtermit_at_end(const fl_xtermit *it);
/* The current term (valid until the cursor moves) and its document frequency;
 * NULL at the end. */
const char *fl_xtermit_term(const fl_xtermit *it, size_t *len, uint32_t *termfreq);
fl_xstatus fl_xtermit_next(fl_xtermit *it);
/* Moves to the first term >= target (never backwards). */
fl_xstatus fl_xtermit_skip_to(fl_xtermit *it, const char *target, size_t len);
/* Terms of a stored document with their wdf (from the database's termlist). */
fl_xstatus fl_xdb_termlist(fl_xdb *db, fl_xdocid docid, fl_xterm_cb cb, void *ud);

/* Writes a compacted copy of db to dest_path (a new directory).
 * single_file: one file instead of a directory.  Document ids are
 * renumbered to close gaps, as Xapian does, unless a database of db has
 * the positions mirror: then they are kept, and databases whose docid
 * ranges overlap cannot be merged (FL_XERR_INVALID_ARGUMENT). */
fl_xstatus fl_xdb_compact(fl_xdb *db, const char *dest_path, bool single_file);

/* ---------------------------------------------------------------- documents */

fl_xstatus fl_xdoc_new(fl_xdoc **out);
void fl_xdoc_free(fl_xdoc *doc);
fl_xdocid fl_xdoc_docid(const fl_xdoc *doc); /* 0 for a new document */
fl_xstatus fl_xdoc_add_term(fl_xdoc *doc, const char *term, size_t len, uint32_t wdfinc);
fl_xstatus fl_xdoc_add_posting(fl_xdoc *doc, const char *term, size_t len, fl_xtermpos pos,
                               uint32_t wdfinc);
/* A term with wdf 0 that does not count towards document length (filters). */
fl_xstatus fl_xdoc_add_boolean_term(fl_xdoc *doc, const char *term, size_t len);
/* FL_XERR_NOT_FOUND when the document does not have the term. */
fl_xstatus fl_xdoc_remove_term(fl_xdoc *doc, const char *term, size_t len);
fl_xstatus fl_xdoc_set_value(fl_xdoc *doc, fl_xvalueno slot, const char *val, size_t len);
/* Missing value: FL_XOK with *val = NULL, *len = 0. */
fl_xstatus fl_xdoc_get_value(const fl_xdoc *doc, fl_xvalueno slot, char **val, size_t *len);
fl_xstatus fl_xdoc_set_data(fl_xdoc *doc, const char *data, size_t len);
/* *data is always a malloc'd buffer (NUL-terminated, "" when there is no data). */
fl_xstatus fl_xdoc_get_data(const fl_xdoc *doc, char **data, size_t *len);
fl_xstatus fl_xdoc_termlist(const fl_xdoc *doc, fl_xterm_cb cb, void *ud);
fl_xstatus fl_xdoc_termcount(const fl_xdoc *doc, uint32_t *count);

/* ---------------------------------------------------------------- stemmers */

/* Callback behind a custom stemmer: stems word[0..len) (UTF-8) and returns a
 * malloc'd NUL-terminated stem, or NULL to keep the word unchanged. */
typedef char *(*fl_xstem_fn)(void *ud, const char *word, size_t len);

/* Xapian's built-in stemmer for `language` ("german", "none", ...). */
fl_xstatus fl_xstem_new(const char *language, fl_xstem **out);
/* Our own stemmer, as a Xapian::StemImplementation calling fn(ud, ...).
 * `ud` must outlive every use of the stemmer (also inside term generators and
 * query parsers it was given to).  `description` names it in Xapian's output. */
fl_xstatus fl_xstem_new_custom(fl_xstem_fn fn, void *ud, const char *description,
                               fl_xstem **out);
void fl_xstem_free(fl_xstem *stem);
fl_xstatus fl_xstem_apply(fl_xstem *stem, const char *word, size_t len, char **out);

/* Stop word list (Xapian::SimpleStopper). */
fl_xstatus fl_xstopper_new(const char *const *words, size_t n, fl_xstopper **out);
void fl_xstopper_free(fl_xstopper *stopper);

typedef enum fl_xstem_strategy {
    FL_XSTEM_NONE,
    FL_XSTEM_SOME,
    FL_XSTEM_ALL,
    FL_XSTEM_ALL_Z,
    FL_XSTEM_SOME_FULL_POS
} fl_xstem_strategy;

/* ---------------------------------------------------------------- term generator */

fl_xstatus fl_xtermgen_new(fl_xtermgen **out);
void fl_xtermgen_free(fl_xtermgen *tg);
fl_xstatus fl_xtermgen_set_stemmer(fl_xtermgen *tg, const fl_xstem *stem);
fl_xstatus fl_xtermgen_set_stemming_strategy(fl_xtermgen *tg, fl_xstem_strategy s);
fl_xstatus fl_xtermgen_set_stopper(fl_xtermgen *tg, const fl_xstopper *stopper);
/* The document receives the terms; it must outlive the term generator's use of it
 * (until the next set_document or free). */
fl_xstatus fl_xtermgen_set_document(fl_xtermgen *tg, fl_xdoc *doc);
/* Makes the generator add spelling data to db (which must be writable and outlive it). */
fl_xstatus fl_xtermgen_set_database(fl_xtermgen *tg, fl_xdb *db);
fl_xstatus fl_xtermgen_enable_spelling(fl_xtermgen *tg, bool on);
fl_xstatus fl_xtermgen_index_text(fl_xtermgen *tg, const char *text, size_t len, uint32_t wdfinc,
                                  const char *prefix);
fl_xstatus fl_xtermgen_index_text_without_positions(fl_xtermgen *tg, const char *text,
                                                    size_t len, uint32_t wdfinc,
                                                    const char *prefix);
fl_xstatus fl_xtermgen_increase_termpos(fl_xtermgen *tg, fl_xtermpos delta);
fl_xtermpos fl_xtermgen_get_termpos(const fl_xtermgen *tg);
fl_xstatus fl_xtermgen_set_termpos(fl_xtermgen *tg, fl_xtermpos pos);

/* ---------------------------------------------------------------- queries */

typedef enum fl_xop {
    FL_XOP_AND,
    FL_XOP_OR,
    FL_XOP_AND_NOT,
    FL_XOP_XOR,
    FL_XOP_AND_MAYBE,
    FL_XOP_FILTER,
    FL_XOP_NEAR,
    FL_XOP_PHRASE,
    FL_XOP_ELITE_SET,
    FL_XOP_SYNONYM,
    FL_XOP_MAX
} fl_xop;

/* A term query; wqf = within-query frequency (1 normally), pos = query position (0 = none). */
fl_xstatus fl_xquery_term(const char *term, size_t len, uint32_t wqf, fl_xtermpos pos,
                          fl_xquery **out);
/* op over subs[0..n) (NULL entries are skipped).  window is used by NEAR/PHRASE
 * (0 = number of subqueries) and as the set size by ELITE_SET. */
fl_xstatus fl_xquery_combine(fl_xop op, fl_xquery *const *subs, size_t n, uint32_t window,
                             fl_xquery **out);
/* OP_SCALE_WEIGHT. factor >= 0 (0 makes a pure filter). */
fl_xstatus fl_xquery_scale(const fl_xquery *q, double factor, fl_xquery **out);
/* Documents whose value in slot lies in [lo, hi] (string comparison);
 * lo = NULL: no lower bound; hi = NULL: no upper bound (both NULL: every
 * document that has a value in slot). */
fl_xstatus fl_xquery_value_range(fl_xvalueno slot, const char *lo, const char *hi,
                                 fl_xquery **out);
fl_xstatus fl_xquery_match_all(fl_xquery **out);
/* The documents indexed by `term`, each weighing exactly `weight` whatever
 * its length or wdf (a Xapian PostingSource): a bonus BM25's length
 * normalisation cannot shrink, e.g. for a title word of a 2 MB law.
 * portable: built of Xapian's own parts only, which a remote shard
 * (xapian-tcpsrv) can run; else a lighter posting source of ours, for
 * local databases only.  Both give the same documents and weights. */
fl_xstatus fl_xquery_term_bonus(const char *term, size_t len, double weight, bool portable,
                                fl_xquery **out);
fl_xstatus fl_xquery_match_nothing(fl_xquery **out);
fl_xstatus fl_xquery_copy(const fl_xquery *q, fl_xquery **out);
void fl_xquery_free(fl_xquery *q);
bool fl_xquery_is_empty(const fl_xquery *q);
/* Xapian's description, for debugging and --explain. */
fl_xstatus fl_xquery_describe(const fl_xquery *q, char **out);
/* The distinct terms of the query (in query order). */
fl_xstatus fl_xquery_terms(const fl_xquery *q, fl_xterm_cb cb, void *ud);

/* ---------------------------------------------------------------- query parser */

enum {
    FL_XQP_BOOLEAN = 1 << 0,
    FL_XQP_PHRASE = 1 << 1,
    FL_XQP_LOVEHATE = 1 << 2,
    FL_XQP_BOOLEAN_ANY_CASE = 1 << 3,
    FL_XQP_WILDCARD = 1 << 4,
    FL_XQP_PURE_NOT = 1 << 5,
    FL_XQP_PARTIAL = 1 << 6,
    FL_XQP_SPELLING_CORRECTION = 1 << 7,
    FL_XQP_SYNONYM = 1 << 8,
    FL_XQP_AUTO_SYNONYMS = 1 << 9,
    FL_XQP_AUTO_MULTIWORD_SYNONYMS = 1 << 10,
    FL_XQP_DEFAULT = FL_XQP_PHRASE | FL_XQP_BOOLEAN | FL_XQP_LOVEHATE
};

fl_xstatus fl_xqp_new(fl_xqp **out);
void fl_xqp_free(fl_xqp *qp);
fl_xstatus fl_xqp_set_stemmer(fl_xqp *qp, const fl_xstem *stem);
fl_xstatus fl_xqp_set_stemming_strategy(fl_xqp *qp, fl_xstem_strategy s);
fl_xstatus fl_xqp_set_stopper(fl_xqp *qp, const fl_xstopper *stopper);
/* Needed for wildcards, spelling correction and synonyms; db must outlive qp. */
fl_xstatus fl_xqp_set_database(fl_xqp *qp, fl_xdb *db);
fl_xstatus fl_xqp_set_default_op(fl_xqp *qp, fl_xop op);
fl_xstatus fl_xqp_add_prefix(fl_xqp *qp, const char *field, const char *prefix);
/* exclusive=true: several terms of this field are OR'd, not AND'ed. */
fl_xstatus fl_xqp_add_boolean_prefix(fl_xqp *qp, const char *field, const char *prefix,
                                     bool exclusive);
/* field:LO..HI ranges on a value slot; dates (YYYY-MM-DD, stored YYYYMMDD)
 * when is_date, else plain string ranges. */
fl_xstatus fl_xqp_add_range(fl_xqp *qp, fl_xvalueno slot, const char *field, bool is_date);
fl_xstatus fl_xqp_parse(fl_xqp *qp, const char *text, unsigned flags, const char *default_prefix,
                        fl_xquery **out);
/* The spelling-corrected query string of the last parse, or *out = NULL. */
fl_xstatus fl_xqp_corrected_query(fl_xqp *qp, char **out);

/* ---------------------------------------------------------------- match spies */

/* Counts the values in `slot` of every document the match sees. */
fl_xstatus fl_xspy_new_values(fl_xvalueno slot, fl_xspy **out);
/* Like fl_xspy_new_values, but a value holding several items separated by
 * `sep` counts each distinct item once (multi-valued facets).  Empty items are
 * ignored.  Built on Xapian's ValueCountMatchSpy (combinations counted, split
 * when read), so it works over remote shards too. */
fl_xstatus fl_xspy_new_multivalue(fl_xvalueno slot, char sep, fl_xspy **out);
void fl_xspy_free(fl_xspy *spy);
/* Number of documents the spy has seen. */
fl_xstatus fl_xspy_total(const fl_xspy *spy, uint32_t *total);
/* Values with counts, most frequent first (ties: by value). */
fl_xstatus fl_xspy_results(const fl_xspy *spy, fl_xterm_cb cb, void *ud);

/* ---------------------------------------------------------------- enquire */

fl_xstatus fl_xenquire_new(fl_xdb *db, fl_xenquire **out);
void fl_xenquire_free(fl_xenquire *e);
fl_xstatus fl_xenquire_set_query(fl_xenquire *e, const fl_xquery *q, uint32_t qlen);
/* Xapian's BM25Weight.  With k2 = 0 on a single local read-only database the
 * weights are computed by the wrapper, the same to the last bit, but with
 * each document's length read from an array the database handle keeps (4
 * bytes a docid, built by the first such match and again by the first after
 * a reopen that brings a new revision) instead of asked of Xapian once per
 * matching term (6-8 % of a search on the laws).  Not where that could
 * weigh differently: a match that may raise its minimum weight (a cutoff,
 * check_at_least below the documents) or a query with a phrase or NEAR
 * among other weighed parts get Xapian's BM25Weight. */
fl_xstatus fl_xenquire_set_weighting_bm25(fl_xenquire *e, double k1, double k2, double k3,
                                          double b, double min_normlen);
/* How the enquire's last match weighed (for tests): with Xapian's weighting
 * scheme, with the wrapper's BM25 and its lengths array, or with the
 * wrapper's and then again with Xapian's (a term was weighed before its
 * document's length was known: never expected). */
typedef enum fl_xweighting {
    FL_XWEIGHT_XAPIAN,
    FL_XWEIGHT_KNOWN_LENGTHS,
    FL_XWEIGHT_AGAIN
} fl_xweighting;
fl_xweighting fl_xenquire_last_weighting(const fl_xenquire *e);
fl_xstatus fl_xenquire_set_weighting_bool(fl_xenquire *e);
fl_xstatus fl_xenquire_set_sort_by_relevance(fl_xenquire *e);
fl_xstatus fl_xenquire_set_sort_by_value(fl_xenquire *e, fl_xvalueno slot, bool reverse);
fl_xstatus fl_xenquire_set_sort_by_value_then_relevance(fl_xenquire *e, fl_xvalueno slot,
                                                        bool reverse);
fl_xstatus fl_xenquire_set_sort_by_relevance_then_value(fl_xenquire *e, fl_xvalueno slot,
                                                        bool reverse);
/* Ascending docid order among equal weights (the default) or descending. */
fl_xstatus fl_xenquire_set_docid_order_descending(fl_xenquire *e, bool descending);
fl_xstatus fl_xenquire_set_collapse_key(fl_xenquire *e, fl_xvalueno slot, uint32_t max);
fl_xstatus fl_xenquire_set_cutoff(fl_xenquire *e, int percent_cutoff, double weight_cutoff);
/* The spy must stay alive until the enquire is freed or spies are cleared. */
fl_xstatus fl_xenquire_add_matchspy(fl_xenquire *e, fl_xspy *spy);
fl_xstatus fl_xenquire_clear_matchspies(fl_xenquire *e);
/* check_at_least: make Xapian look at at least that many matches (so that
 * spies see them all and estimates are exact).  Sorted by relevance then
 * value with check_at_least >= the documents (and no collapse key, no
 * cutoff, local databases), the match runs by relevance alone and the
 * wrapper orders ties by value itself -- the same hits in the same order,
 * without reading every match's value; it runs Xapian's sort again when a
 * weight ties across an edge of the page. */
fl_xstatus fl_xenquire_get_mset(fl_xenquire *e, uint32_t first, uint32_t maxitems,
                                uint32_t check_at_least, fl_xmset **out);
/* The query terms that match docid (for --explain). */
fl_xstatus fl_xenquire_matching_terms(fl_xenquire *e, fl_xdocid docid, fl_xterm_cb cb,
                                      void *ud);

/* ---------------------------------------------------------------- match sets */

void fl_xmset_free(fl_xmset *m);
uint32_t fl_xmset_size(const fl_xmset *m);
uint32_t fl_xmset_matches_estimated(const fl_xmset *m);
uint32_t fl_xmset_matches_lower_bound(const fl_xmset *m);
uint32_t fl_xmset_matches_upper_bound(const fl_xmset *m);
double fl_xmset_max_possible(const fl_xmset *m);
double fl_xmset_max_attained(const fl_xmset *m);
/* i is 0-based within this MSet; FL_XERR_RANGE past the end. */
fl_xstatus fl_xmset_docid(const fl_xmset *m, uint32_t i, fl_xdocid *docid);
fl_xstatus fl_xmset_weight(const fl_xmset *m, uint32_t i, double *weight);
fl_xstatus fl_xmset_percent(const fl_xmset *m, uint32_t i, int *percent);
/* The percentage m would give a hit of this weight (Xapian's scale: the
 * best hit's share of the query's terms, at most 100). */
fl_xstatus fl_xmset_weight_percent(const fl_xmset *m, double weight, int *percent);
fl_xstatus fl_xmset_document(const fl_xmset *m, uint32_t i, fl_xdoc **out);
/* The value hit i was sorted by (sort by value, or by relevance then value;
 * malloc'd, NULL when empty).  Empty when the match sorted by relevance
 * alone.  Usually from the match itself; after a relevance-then-value match
 * that looked at every match (see fl_xenquire_get_mset) read from the
 * document's values. */
fl_xstatus fl_xmset_sort_key(const fl_xmset *m, uint32_t i, char **key, size_t *len);
fl_xstatus fl_xmset_termfreq(const fl_xmset *m, const char *term, size_t len, uint32_t *freq);
fl_xstatus fl_xmset_termweight(const fl_xmset *m, const char *term, size_t len, double *w);

enum {
    FL_XSNIPPET_BACKGROUND_MODEL = 1 << 0,
    FL_XSNIPPET_EXHAUSTIVE = 1 << 1,
    FL_XSNIPPET_EMPTY_WITHOUT_MATCH = 1 << 2,
    FL_XSNIPPET_CJK_NGRAM = 1 << 3
};
/* MSet::snippet: an excerpt of `text` of about `length` bytes around the
 * best match of the enquire's query, matches wrapped in hi_start/hi_end,
 * cut points marked with `omit`.  stem must match the query's stemming
 * (NULL: no stemming). */
fl_xstatus fl_xmset_snippet(const fl_xmset *m, const char *text, size_t len, size_t length,
                            const fl_xstem *stem, unsigned flags, const char *hi_start,
                            const char *hi_end, const char *omit, char **out);

#ifdef __cplusplus
}
#endif

#endif
