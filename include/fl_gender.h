/* fl_gender.h — recognising feminine -in/-innen forms without a gender mark.
 *
 * "Bürgerin", "Expertinnen", "Ärztin" are unified with the masculine base
 * ("bürger", "expert", "ärzt": the Snowball stemmer then folds the umlaut)
 * so that every gender form shares one stem.  Marked forms (Bürger*innen,
 * BürgerInnen ...) are found by the tokenizer; this module decides the
 * unmarked ones, where a wrong guess would change a word's meaning
 * ("Termin", "Medizin", "Berlin", "Cousin" are not feminine forms).
 *
 * Rule: a word W ending in -in is feminine when the word list has the noun
 * W+"nen" (its feminine plural: "Bürgerinnen"), and W ending in -innen when
 * the list has the noun W itself or its singular W-"nen"; failing that, when
 * the masculine base is a listed noun of 5+ letters ending in a consonant
 * (Umsetzer-in), or when the list does not know the word at all and the
 * base of 6+ letters ends in an agent suffix (-or, -ent, -ant, -and, -eur,
 * -ist, -log, -at: Innovator-in, Praktikant-in).  The base must keep at
 * least 3 letters and the word must not be on the exception list.
 * Without a word list only -erin/-erinnen are recognised.
 */
#ifndef FL_GENDER_H
#define FL_GENDER_H

#include "fl_wordlist.h"

#include <stdbool.h>
#include <stddef.h>

/* For a folded lower-case word, returns the byte length of the masculine
 * base (w[0..return)) when w is a feminine -in/-innen form, else 0. */
size_t fl_gender_feminine_base(const fl_wordlist *wl, const char *w, size_t len);

/* Whether a folded word is on the list of words that look feminine but are
 * not ("termin", "berlin", "linkedin"); also used for binnen-I forms. */
bool fl_gender_is_exception(const char *w, size_t len);

#endif
