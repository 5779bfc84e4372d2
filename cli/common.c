/* common.c — helpers shared by the subcommands. */
#include "fl_cli.h"

#include "fl_analyzer.h"
#include "fl_buf.h"
#include "fl_indexer.h"
#include "fl_page.h"

#include <stdlib.h>

char *fl_cli_db_path(const char *db_arg, const char *config_db)
{
    if (db_arg && *db_arg)
        return fl_xstrdup(db_arg);
    const char *env = getenv("FINDLING_DB");
    if (env && *env)
        return fl_xstrdup(env);
    if (config_db && *config_db)
        return fl_xstrdup(config_db);
    return fl_xstrdup("./findling.db");
}

fl_analyzer *fl_cli_analyzer_for_index(const char *db_path, char **err)
{
    fl_strlist words = {0};
    char *werr = NULL;
    fl_index_stored_words(db_path, &words, &werr);
    free(werr);
    fl_analyzer_options aopt = {0};
    aopt.extra_words = (const char *const *)words.items;
    aopt.n_extra_words = words.n;
    /* The indexer leaves a cache of the word list in the index directory:
     * mapping it instead of loading 4.7 MB is most of a CLI search's start. */
    char *cache = fl_xasprintf("%s/%s", db_path, FL_WORDLIST_CACHE);
    aopt.wordlist_cache = cache;
    /* Searchers run for months: bound each thread's word cache (the
     * indexer's default of ~72 MB suits one run over a whole corpus). */
    aopt.word_cache_bytes = FL_SEARCH_WORD_CACHE_BYTES;
    fl_analyzer *an = fl_analyzer_new(&aopt, err);
    free(cache);
    fl_strlist_free(&words);
    return an;
}
