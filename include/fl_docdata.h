/* fl_docdata.h — the document data stored with every indexed page.
 *
 * Everything a hit shows comes from here, never from the source files:
 * id, url, title, teaser, date, image, authors, categories, tags and the
 * section table (title, anchor, level, term positions).  Section texts are
 * stored separately as metadata (see fl_terms.h) so that reading a hit's
 * data stays cheap even for a 2 MB law.
 *
 * Format (version 1): UTF-8 lines "key\tvalue\n"; list fields repeat their
 * key; a section is "section\tLEVEL\tPOS_START\tPOS_END\tANCHOR\tTITLE".
 * Backslash, tab, CR and LF inside values are escaped as \\ \t \r \n.
 * Unknown keys are ignored when decoding (forward compatibility).
 */
#ifndef FL_DOCDATA_H
#define FL_DOCDATA_H

#include "fl_buf.h"
#include "fl_page.h"

/* Appends the encoded display fields and section table of p to out
 * (section texts and the body are not included). */
void fl_docdata_encode(const fl_page *p, fl_buf *out);

/* Fills p (initialised by the caller with fl_page_init) from data.
 * Sections get title, anchor, level and positions; their text is NULL.
 * Returns 0, or -1 with *err on malformed data. */
int fl_docdata_decode(const char *data, size_t len, fl_page *p, char **err);
/* The number of section lines in encoded data (to size a section table). */
size_t fl_docdata_count_sections(const char *data, size_t len);

/* One encoded value s[0..len) unescaped into a new string (never NULL): for
 * readers that pick single fields out of the data without decoding it all. */
char *fl_docdata_unescape(const char *s, size_t len);

#endif
