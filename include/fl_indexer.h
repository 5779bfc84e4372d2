/* fl_indexer.h — one `findling index` run: a site into the index directory.
 *
 * The index directory DIR holds a stub XAPIANDB naming the live generation,
 * the generations gen-NNNNNN/, and the lock file (layout in fl_terms.h).
 *
 * A run:
 *  1. takes flock(DIR/lock) without waiting (FL_INDEX_ELOCKED when held);
 *  2. removes what a killed earlier run left (XAPIANDB.tmp, tmp-*, and
 *     gen-* directories the stub does not name);
 *  3. lists the site and compares it with the live generation: a file whose
 *     "mtime:size" equals the stored one is unchanged without being read;
 *     otherwise its content hash decides;
 *  4. incremental (the default): adds, replaces and deletes only what
 *     changed inside ONE Xapian transaction on the live generation, committed
 *     at the end — readers see the old revision until then, and a killed run
 *     leaves it untouched (Xapian commits atomically).
 *     Full (--full, first run, another index format or another site/config
 *     input, or most of the site changed): builds gen-(N+1) beside the live
 *     one (flushing often, then compacted), renames a new stub over XAPIANDB
 *     (atomic) and only then removes the old generation.
 * Nothing is written outside DIR.
 *
 * Threads: files are read and analysed by worker threads while the calling
 * thread writes -- or, in a sharded full build, while one writer thread per
 * shard writes and the calling thread reports; callbacks are only ever
 * called from the calling thread, in file order.
 */
#ifndef FL_INDEXER_H
#define FL_INDEXER_H

#include "fl_config.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Return codes of fl_index_run (chosen to be `findling index`'s exit codes). */
enum {
    FL_INDEX_OK = 0,        /* committed; every file indexed or deliberately skipped */
    FL_INDEX_PARTIAL = 1,   /* committed; some files failed (reported) */
    FL_INDEX_EFATAL = 3,    /* nothing committed; the index is as it was; *err says why */
    FL_INDEX_ELOCKED = 75   /* another run holds DIR/lock; *err says so */
};

typedef enum fl_index_level {
    FL_INDEX_WARNING,   /* indexed, but something was wrong with the file */
    FL_INDEX_ERROR,     /* the file was not indexed */
    FL_INDEX_INFO       /* skipped on purpose (noindex, future, ...): verbose only */
} fl_index_level;

/* A message about one file: "relpath:line: message" (line 0 = none). */
typedef void (*fl_index_report_fn)(void *ud, fl_index_level level, const char *relpath,
                                   int line, const char *message);
/* Progress: done of total files looked at so far. */
typedef void (*fl_index_progress_fn)(void *ud, size_t done, size_t total);

/* Auto sharding starts at this many files to index (below it the merge
 * costs more than the second writer saves). */
#define FL_INDEX_SHARD_MIN 500

typedef struct fl_index_options {
    const char *site_dir;
    const char *db_dir;
    const fl_config *config;   /* NULL = defaults */
    bool full;                 /* rebuild in a new generation */
    bool drafts;               /* include _drafts/ */
    time_t now;                /* 0 = time(NULL): decides future-dated posts */
    unsigned threads;          /* analysis threads; 0 = one per CPU (at most 4) */
    unsigned flush_every;      /* full build: documents per flush; 0 = 300 */
    bool no_compact;           /* full build: keep the uncompacted database(s);
                                  sharded, each shard is compacted in place */
    unsigned writers;          /* full build of a single database: writer threads,
                                  each filling its own part, merged by compaction
                                  at the end; 0 = auto (one per CPU, at most 4,
                                  for sites of at least FL_INDEX_SHARD_MIN
                                  files), 1 = one writer.  Ignored with
                                  no_compact and for sharded indexes. */
    unsigned shards;           /* persistent shards (fl_terms.h: a sharded
                                  index): 0 = the config's `shards:`, else the
                                  index's current count, else 1.  A count
                                  different from the index's forces a full
                                  rebuild (reported as an info message).  A
                                  full build fills the shards in parallel,
                                  one writer thread each. */
    unsigned changesets;       /* incremental runs: keep this many changesets
                                  in the live generation for
                                  xapian-replicate-server; 0 = the config's
                                  `changesets:` (else none, or whatever
                                  XAPIAN_MAX_CHANGESETS says) */
    fl_index_report_fn report;
    fl_index_progress_fn progress;
    void *ud;                  /* passed to report and progress */
} fl_index_options;

typedef struct fl_index_summary {
    unsigned added, updated, deleted, unchanged, failed, skipped;
    double seconds;
    uint32_t documents;        /* in the index after the run */
    uint64_t revision;         /* of the live generation after the run */
    bool full;                 /* a new generation was built */
} fl_index_summary;

/* Runs one index run.  Returns an FL_INDEX_* code; *sum is filled for OK and
 * PARTIAL; *err is set for EFATAL and ELOCKED. */
int fl_index_run(const fl_index_options *opt, fl_index_summary *sum, char **err);

/* The live generation's path ("DIR/gen-000007", malloc'd) from DIR's stub,
 * or NULL when DIR has no stub (no index yet). */
char *fl_index_live_path(const char *db_dir);

/* The findling.yml synonym groups, facets and extra words as stored in
 * FL_META_CONFIG. */
void fl_index_config_json(const fl_config *cfg, fl_buf *out);

/* Appends the extra compound words (findling.yml `words`) stored in the
 * index at db_dir (FL_META_CONFIG "words") to out, so that a searcher builds
 * its analyzer (fl_analyzer_options.extra_words) exactly as the indexer did.
 * An index without them appends nothing.  Returns 0, or -1 with *err when
 * the index cannot be opened. */
int fl_index_stored_words(const char *db_dir, fl_strlist *out, char **err);

#endif
