/* fl_wordlist.h — the German word list behind compound splitting and gender
 * recognition.
 *
 * A word list is a set of lower-case, accent-folded word forms (the key form
 * the analysis chain compares against: fl_norm_fold output, ä ö ü ß kept),
 * each with flags saying how the word was written in the source list:
 * capitalised (a noun or a name, in German orthography) and/or lower case
 * (verb, adjective, function word).  Debian's wngerman list
 * (/usr/share/dict/ngerman, ~356k full forms) loads in a few tens of ms:
 * the file is read once into one arena and indexed by an open-addressing
 * hash table of offsets (no per-word allocation).
 *
 * Ownership: fl_wordlist_new() returns a list the caller frees with
 * fl_wordlist_free().  After loading, lookups are read-only and safe from
 * many threads at once; adding words is not.
 */
#ifndef FL_WORDLIST_H
#define FL_WORDLIST_H

#include <stdbool.h>
#include <stddef.h>

typedef struct fl_wordlist fl_wordlist;

enum {
    FL_WORD_NOUN = 1 << 0,  /* seen capitalised ("Gesetz", "Berlin") */
    FL_WORD_LOWER = 1 << 1  /* seen in lower case ("halten", "zivil") */
};

fl_wordlist *fl_wordlist_new(void);
void fl_wordlist_free(fl_wordlist *wl);

/* Loads a word list file, one word per line; a hunspell-style "/FLAGS"
 * suffix, trailing white space and CR are ignored, as are empty lines and
 * lines starting with '#'.  Invalid UTF-8 lines are skipped.  Returns 0,
 * or -1 with *err naming the file when it cannot be read. */
int fl_wordlist_load(fl_wordlist *wl, const char *path, char **err);

/* Adds one word as written (its capitalisation decides the flags).
 * Words that are not valid UTF-8 are ignored. */
void fl_wordlist_add(fl_wordlist *wl, const char *word, size_t len);

/* Adds one key (already lower case and folded) with the given flags. */
void fl_wordlist_add_key(fl_wordlist *wl, const char *key, size_t len, unsigned flags);

/* Flags of a key (lower case, folded), 0 when absent. */
unsigned fl_wordlist_lookup(const fl_wordlist *wl, const char *key, size_t len);

/* Number of distinct keys (of a mapped list plus its additions: an upper
 * bound). */
size_t fl_wordlist_size(const fl_wordlist *wl);

/* A cache of a list loaded from source_path (and nothing else yet): its
 * table written to cache_path (atomically: a temporary file renamed over
 * it) with source_path's size and mtime.  Returns 0, or -1 with *err. */
int fl_wordlist_save_cache(const fl_wordlist *wl, const char *source_path, const char *cache_path,
                           char **err);
/* The list of a cache file written by fl_wordlist_save_cache, mapped
 * read-only, or NULL when there is none or it is stale (source_path's size
 * or mtime differ), damaged or from another machine layout — then load the
 * source.  Words added to a mapped list are kept beside the mapping;
 * fl_wordlist_free() unmaps it. */
fl_wordlist *fl_wordlist_map_cache(const char *cache_path, const char *source_path);

#endif
