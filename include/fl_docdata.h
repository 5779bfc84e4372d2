/* fl_docdata.h — the document data stored with every indexed page.
 *
 * Everything a hit shows comes from here, never from the source files:
 * id, url, title, teaser, date, image, authors, categories, tags and the
 * section table (level, term positions, title length, whether the section
 * has an anchor).  A section's title, anchor and text are stored apart, as
 * one metadata entry per section (see fl_terms.h and fl_secentry below):
 * a search reads the table of every hit, but the titles and texts of only
 * the few sections it shows.  A law has thousands of sections; with their
 * titles in the data, fetching and inflating it cost more than the match.
 *
 * Format (version 2): UTF-8 lines "key\tvalue\n"; list fields repeat their
 * key.  Backslash, tab, CR and LF inside values are escaped as \\ \t \r \n.
 * The section table is one line "sections\tN\tTABLE": per section four
 * numbers, level * 2 + has_anchor (level 0..64), pos_start - (previous
 * pos_end), pos_end - pos_start and title_tokens, each a little-endian
 * base-32 number of at most 32 bits: 5 bits a digit, low digits first, from
 * the alphabet "0-9A-V" for a number's last digit and "a-z!#$%&*" (in that
 * order) for a digit with more to follow; about five bytes a section and
 * nothing to escape.
 * Unknown keys are ignored when decoding (forward compatibility).
 */
#ifndef FL_DOCDATA_H
#define FL_DOCDATA_H

#include "fl_buf.h"
#include "fl_page.h"

/* Appends the encoded display fields and section table of p to out
 * (section titles, anchors, texts and the body are not included; a
 * section's title_tokens must be set, see fl_section). */
void fl_docdata_encode(const fl_page *p, fl_buf *out);

/* Fills p (initialised by the caller with fl_page_init) from data.
 * Sections get level, positions, title_tokens and has_anchor; their title,
 * anchor and text are NULL (they are in the section entries).
 * Returns 0, or -1 with *err on malformed data. */
int fl_docdata_decode(const char *data, size_t len, fl_page *p, char **err);

/* ---- Section entries: one metadata value per section.
 * Layout: varint anchor length, the anchor, varint title length, the title,
 * varint number of checkpoints, that many FL_SECENTRY_CHECK_BYTES-byte
 * little-endian byte offsets, then the text to the end.  Varints are LEB128
 * (7 bits a byte, low first).  Checkpoint j (1-based) is the byte offset of
 * raw token j * FL_SECENTRY_STRIDE of the text (checkpoint 0 is offset 0):
 * a search finds the byte offset of a matched token by tokenising at most
 * FL_SECENTRY_STRIDE tokens instead of the section from its beginning.
 * Index format 6 (before: every 64th token, varint deltas): 16 tokens, and
 * offsets of a fixed width that a reader takes or bisects without decoding
 * the ones before.  The laws' index grows by 4 MB (406 -> 410 MB); their 63
 * bench queries take 1.7 % fewer instructions, answers unchanged.  Part of
 * the on-disk format. */
#define FL_SECENTRY_STRIDE 16
#define FL_SECENTRY_CHECK_BYTES 4

typedef struct fl_secentry {
    const char *anchor, *title, *text; /* slices of the entry, not terminated */
    size_t anchor_len, title_len, text_len;
    const unsigned char *checks;       /* the stored checkpoints */
    size_t nchecks;
    size_t checks_len;
} fl_secentry;

/* Appends the entry of a section: checks[0..nchecks) are the byte offsets
 * (ascending, absolute) of raw tokens FL_SECENTRY_STRIDE, 2 * STRIDE, ... */
void fl_secentry_encode(const char *anchor, const char *title, const size_t *checks,
                        size_t nchecks, const char *text, size_t text_len, fl_buf *out);
/* Reads an entry into *e (slices of data, which must outlive them).
 * Returns 0, or -1 when data is not a well-formed entry. */
int fl_secentry_decode(const char *data, size_t len, fl_secentry *e);
/* The byte offset of checkpoint j (0 for j = 0; j is clamped to nchecks):
 * O(1). */
size_t fl_secentry_checkpoint(const fl_secentry *e, size_t j);
/* The last checkpoint at or before byte: its offset, and its number in *j
 * (bisected). */
size_t fl_secentry_checkpoint_before(const fl_secentry *e, size_t byte, size_t *j);

/* One encoded value s[0..len) unescaped into a new string (never NULL): for
 * readers that pick single fields out of the data without decoding it all. */
char *fl_docdata_unescape(const char *s, size_t len);

#endif
