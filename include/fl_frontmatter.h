/* fl_frontmatter.h — YAML front matter: finding it and reading its fields.
 *
 * A front matter block is a line "---" as the first line of the file
 * (after an optional UTF-8 BOM; CRLF line ends accepted), YAML, and a closing
 * "---" (or "...") line.  Reading never fails a document:
 *  - broken YAML → the block is dropped, the body starts after it, and a
 *    warning "LINE: front matter is not valid YAML: ..." is recorded;
 *  - text before the opening "---" (a "---" line with a YAML mapping after
 *    it within the first lines) → the front matter is still read when it is
 *    valid, the text before it becomes body, and a warning
 *    "LINE: front matter not at the top of the file" is recorded;
 *  - no closing line → treated as no front matter, with a warning.
 */
#ifndef FL_FRONTMATTER_H
#define FL_FRONTMATTER_H

#include "fl_config.h"
#include "fl_page.h"
#include "fl_yaml.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct fl_frontmatter {
    fl_yaml *yaml;        /* the mapping, or NULL (none, broken or not a mapping) */
    bool present;         /* a front matter block was found (even if broken) */
    const char *pre;      /* text before the block (misplaced front matter), or NULL */
    size_t pre_len;
    const char *body;     /* the Markdown after the block (points into the input) */
    size_t body_len;
    int body_line;        /* 1-based line of body[0] in the file */
} fl_frontmatter;

/* Splits text (valid UTF-8, BOM allowed) into front matter and body.
 * Problems are recorded on `warn_to` (may be NULL).  `allow_late`: look for
 * front matter that is not at the top (plain archives).  Always succeeds;
 * free with fl_frontmatter_free. */
void fl_frontmatter_split(const char *text, size_t len, bool allow_late,
                          fl_frontmatter *fm, fl_page *warn_to);
void fl_frontmatter_free(fl_frontmatter *fm);

/* Reads a list-valued field the way Jekyll does: a YAML list, or a scalar;
 * with `split_spaces` a scalar string is split on white space (Jekyll's rule
 * for `categories:` and `tags:`; `category:`/`tag:` are one value).
 * Each value is appended to `out` as is (not yet cleaned). */
void fl_frontmatter_list(const fl_yaml *v, bool split_spaces, fl_strlist *out);

/* Parses a Jekyll date ("2025-03-01", "2025-03-01 10:00", "2025-03-01
 * 10:00:00 +0100", "2025-03-01T10:00:00Z" ...).  Sets *utc to the instant
 * (a date without zone is local time in `tz`, NULL/"" = the system zone)
 * and writes the date in that zone as "YYYY-MM-DD" to date_out[11].
 * Returns 0, -1 when not a date. */
int fl_frontmatter_date(const char *s, const char *tz, long long *utc, char date_out[11]);

/* The calendar date "YYYY-MM-DD" of instant `utc` in zone tz. */
void fl_frontmatter_date_in_tz(long long utc, const char *tz, char date_out[11]);

#endif
