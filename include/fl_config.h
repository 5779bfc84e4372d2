/* fl_config.h — Findling's own configuration file, findling.yml (libyaml).
 *
 * Everything is optional; an absent file means the defaults below.
 *
 *   db: /var/lib/findling/site.db      # index location (after --db, $FINDLING_DB)
 *   facets:                            # replaces the default list when given
 *     - field: categories              # front matter field ("category", "author",
 *       name: category                 #   "tag" and "year" are the built-ins)
 *       label: Kategorie               # display name (default: name)
 *       prefix: kategorie              # query field prefix, e.g. `kategorie:` (optional)
 *   synonyms:                          # groups of equivalent strings
 *     - [KI, Künstliche Intelligenz]
 *   max_file_size: 10MB                # bytes; suffixes k/K/KB, M/MB, G/GB accepted
 *   exclude: ["archiv/alt"]               # extra globs (fnmatch) on site-relative paths
 *   words: [Bürgerbeteiligung]         # extra words for compound splitting
 *   recency_boost: 0.1                 # 0 = off; see README (Configuration)
 *   recency_half_life: 365             # days after which the boost has halved
 *   shards: 4                          # persistent shards (1..64; see fl_indexer.h)
 *
 * Default facets: category (Kategorie), author (Autor*in), tag (Schlagwort),
 * year (Jahr).  The built-in facet names read these front matter fields:
 *   category ← categories / category     author ← authors / author
 *   tag      ← tags / tag                 year   ← the document's date
 * Any other `field:` is read from the front matter as a scalar or list.
 *
 * Ownership: an fl_config owns all its strings; fl_config_free() releases it.
 * Errors: a config that is not valid YAML or has a value of the wrong shape is
 * rejected with "FILE:LINE: what is wrong" in *err; unknown keys are ignored
 * (so newer configs still load) but listed in cfg->warnings.
 */
#ifndef FL_CONFIG_H
#define FL_CONFIG_H

#include "fl_page.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fl_facet_conf {
    char *name;    /* facet name used in terms/API: "category", "author", ... */
    char *field;   /* front matter field it is read from ("year": the date) */
    char *label;   /* display name, e.g. "Kategorie" */
    char *prefix;  /* query field prefix, or NULL */
} fl_facet_conf;

typedef struct fl_config {
    char *path;             /* file it was read from; NULL for pure defaults */
    char *db;               /* `db:` or NULL */
    fl_facet_conf *facets;
    size_t nfacets;
    fl_strlist *synonyms;   /* each group: the equivalent strings */
    size_t nsynonyms;
    uint64_t max_file_size; /* default FL_CONFIG_DEFAULT_MAX_FILE_SIZE */
    fl_strlist exclude;     /* extra exclude globs */
    fl_strlist words;       /* extra compound-splitting words */
    double recency_boost;   /* default 0 */
    double recency_half_life; /* days, > 0; default FL_CONFIG_DEFAULT_HALF_LIFE */
    unsigned shards;        /* `shards:`; 0 = not given */
    unsigned changesets;    /* `changesets: N`: replication changesets kept by
                               incremental runs; default 0 (none) */
    fl_strlist warnings;    /* "FILE:LINE: unknown key 'x'" and the like */
} fl_config;

/* Most persistent shards an index may have. */
#define FL_CONFIG_MAX_SHARDS 64

#define FL_CONFIG_DEFAULT_MAX_FILE_SIZE ((uint64_t)10 * 1024 * 1024)
#define FL_CONFIG_DEFAULT_HALF_LIFE 365.0

/* A config holding only the defaults. Never NULL. */
fl_config *fl_config_new_default(void);

/* Reads `path` (must exist) into a new config built on the defaults.
 * Returns NULL with *err ("findling.yml:7: facets: expected a list") on failure. */
fl_config *fl_config_load_file(const char *path, char **err);

/* Finds and loads the config by the location rule of design/interfaces.md:
 * `cli_path` (--config, must exist) else $FINDLING_CONFIG (must exist) else
 * SITE_DIR/findling.yml when present, else the defaults.  `site_dir` may be
 * NULL (search/serve have no site).  Returns NULL with *err on failure. */
fl_config *fl_config_load(const char *cli_path, const char *site_dir, char **err);

void fl_config_free(fl_config *cfg);

/* The facet named `name`, or NULL. */
const fl_facet_conf *fl_config_facet(const fl_config *cfg, const char *name);

#endif
