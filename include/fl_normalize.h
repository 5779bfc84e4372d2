/* fl_normalize.h — Unicode normalisation for German text (via utf8proc).
 *
 * Two forms of a word exist in Findling:
 *  - the *exact* form: NFC, case-folded (ẞ/ß → ß stays ß; "Straße" →
 *    "straße"), used for exact-match terms and shown to admins;
 *  - the *folded* form: the exact form with accents of non-German letters
 *    removed (ç → c, é → e, ø → o ...) while ä ö ü ß are kept, because the
 *    German stemmer itself folds those (and ae/oe/ue) consistently.
 * Both accept any valid UTF-8; invalid input must be repaired first
 * (fl_utf8_repair).
 */
#ifndef FL_NORMALIZE_H
#define FL_NORMALIZE_H

#include "fl_buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* NFC of s, appended to out. Returns 0, or -1 (with *err) on invalid UTF-8. */
int fl_nfc(const char *s, size_t len, fl_buf *out, char **err);

/* Exact form (NFC + case fold, ß kept), appended to out. 0 / -1 as above. */
int fl_norm_exact(const char *s, size_t len, fl_buf *out, char **err);

/* Folded form (exact form with non-German diacritics stripped). 0 / -1.
 * Also applies compatibility decomposition (NFKC: fullwidth letters, long s,
 * ligatures) and replaces letters with a stroke that Unicode does not
 * decompose (ø→o, ł→l, đ→d, æ→ae, œ→oe, þ→th ...).  Decomposed umlauts
 * come out precomposed (u + U+0308 → ü). */
int fl_norm_fold(const char *s, size_t len, fl_buf *out, char **err);

/* Facet key: folded form with umlauts and ß also folded (ä→a, ß→ss) and inner
 * white space collapsed to one space, trimmed — values that differ only in
 * case, accents or spacing share a key ("Maria Goncalves" = "Maria Gonçalves"). */
int fl_norm_facet_key(const char *s, size_t len, fl_buf *out, char **err);

/* Display clean-up of a facet value: trims surrounding white space and CR,
 * NFC, collapses inner white space. */
int fl_norm_display(const char *s, size_t len, fl_buf *out, char **err);

/* Character classes used by the tokenizer (Unicode general categories). */
bool fl_is_letter(uint32_t cp);
bool fl_is_digit(uint32_t cp);
bool fl_is_space(uint32_t cp);
bool fl_is_mark(uint32_t cp); /* combining marks: part of the preceding letter */

#endif
