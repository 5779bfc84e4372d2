/* fl_compound.h — splitting German compounds with a word list.
 *
 * Rules (all general; the exception list only names a handful of place
 * names that look like compounds):
 *  - the word is split into modifiers + a head; the head must be a noun form
 *    in the word list (any inflection: "Gesetzes"), at least 3 letters, and
 *    not a derivational suffix that happens to be a word ("Schaft", "Ion",
 *    "Dung", "Ration"...); heads in -ung need 5 letters ("Verwaltung" is not
 *    "Verwal"+"tung");
 *  - a modifier is a noun form ("Stadt", "Bürger"), a noun without its final
 *    -e ("Schul"-hof, "Sprach"-kurs), or — from 4 letters on — an adjective
 *    or verb stem ("Zivil", "Mindest", "Wohn"); never a verb particle or
 *    prefix ("Auf"-trag, "Bei"-spiel, "Ver"-kehr) or a stop word;
 *  - linking elements -s- -es- -n- -en- -er- -e- -ens- -ns- between parts;
 *  - words the list knows only in lower case (verbs, adjectives:
 *    "beinhaltet") are not split; words the list knows as nouns are split
 *    only into parts of 4 letters or more ("Zivilgesellschaft" yes,
 *    "Teenager" no);
 *  - among valid splits the one with the fewest parts wins, then the one
 *    whose shortest part is longest; each part is then split again the same
 *    way, so "Kündigungsschutzgesetz" becomes Kündigung+Schutz+Gesetz.
 * Input is one folded lower-case word (fl_norm_fold); nothing is allocated.
 */
#ifndef FL_COMPOUND_H
#define FL_COMPOUND_H

#include "fl_wordlist.h"

#include <stddef.h>

/* Longest word (bytes) the splitter looks at; longer ones stay whole. */
#define FL_COMPOUND_MAX_BYTES 160
/* Most parts reported. */
#define FL_COMPOUND_MAX_PARTS 16

typedef struct fl_compound_part {
    size_t start, len; /* the part's span in the word, linking element excluded */
} fl_compound_part;

/* Splits w[0..len); fills parts (left to right) and returns their number:
 * 0 when the word is not a compound (never 1).  wl may be NULL (no split). */
size_t fl_compound_split(const fl_wordlist *wl, const char *w, size_t len,
                         fl_compound_part parts[FL_COMPOUND_MAX_PARTS]);

#endif
