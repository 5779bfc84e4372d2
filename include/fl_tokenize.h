/* fl_tokenize.h — splitting German text into raw tokens (first step of the
 * analysis chain, see fl_analyzer.h).
 *
 * The tokenizer only finds token boundaries and says what kind of token it
 * saw; normalising, stemming and splitting happen later.  It recognises:
 *  - words: letters (any script, with combining marks), inner digits, inner
 *    apostrophes ("geht's"), inner hyphens ("KI-Meetup": HYPHEN flag),
 *    soft hyphens (dropped later), and gender forms as ONE word:
 *    Bürger*innen, Bürger:innen, Bürger_innen, Bürger·innen, Bürger/-innen,
 *    Bürger/innen, Expert\*in (Markdown escape), Jede*r, BürgerInnen;
 *  - numbers (2026, 3,5, 1.000), dates (15.01.2026, 2026-01-15);
 *  - legal citations: § 622, §§ 1, Art. 3, Artikel 3;
 *  - e-mail addresses and URLs (http(s)://, ftp://, www.) as single tokens;
 *  - dotted abbreviations (z. B., u. a., d. h., bzw., usw.) as ABBREV words.
 * It never allocates; input must be valid UTF-8.
 */
#ifndef FL_TOKENIZE_H
#define FL_TOKENIZE_H

#include "fl_analyzer.h"

#include <stdbool.h>
#include <stddef.h>

enum {
    FL_RAW_HYPHEN = 1 << 0,  /* word with inner hyphens */
    FL_RAW_GENDER = 1 << 1,  /* gender mark: see gender_* fields */
    FL_RAW_BINNEN_I = 1 << 2,/* BürgerInnen (capital I, no mark) */
    FL_RAW_ABBREV = 1 << 3,  /* dotted abbreviation: z. B., bzw. */
    FL_RAW_APOSTROPHE = 1 << 4
};

typedef struct fl_rawtoken {
    size_t start, len;       /* surface span in the input */
    fl_token_kind kind;
    unsigned flags;          /* FL_RAW_* */
    /* Gender forms (FL_RAW_GENDER or FL_RAW_BINNEN_I): the base ends at
     * start+mark_start, the mark occupies [mark_start, mark_end) relative to
     * start (empty for binnen-I), the suffix ("innen", "in", "r", "e" ...)
     * runs from mark_end to the end of the word (or of its hyphen piece). */
    size_t mark_start, mark_end;
} fl_rawtoken;

/* Finds the next token at or after *pos in text[0..len).  Returns false at
 * the end of the text.  *pos is advanced past the token. */
bool fl_tokenize_next(const char *text, size_t len, size_t *pos, fl_rawtoken *tok);

#endif
