/* fl_stem.h — the current Snowball German stemmer, in our own C.
 *
 * Written from the published algorithm (snowballstem.org, German, including
 * the former german2 handling of ae/oe/ue, the -erin/-erinnen and -et rules).
 * Input is one word in UTF-8; it is lower-cased by the caller (the analysis
 * chain) but the stemmer also accepts upper case by folding ASCII and the
 * German umlauts itself.  Output is the stem in UTF-8, exactly what the
 * Snowball reference produces.
 */
#ifndef FL_STEM_H
#define FL_STEM_H

#include "fl_buf.h"

#include <stddef.h>

/* Appends the stem of word[0..len) to out (out is not reset first).
 * Never fails: a word that is not German letters comes back lower-cased
 * and otherwise unchanged.  Only ASCII, Ä Ö Ü and ẞ are lower-cased here
 * (other letters are the normaliser's job); an invalid UTF-8 byte comes out
 * as U+FFFD.  Allocates nothing for words up to 128 bytes beyond growing
 * `out`, so it can run once per token while indexing. */
void fl_german_stem(const char *word, size_t len, fl_buf *out);

/* Convenience: malloc'd NUL-terminated stem. */
char *fl_german_stem_dup(const char *word, size_t len);

#endif
