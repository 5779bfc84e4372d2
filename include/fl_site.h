/* fl_site.h — a site directory as Jekyll sees it: which files are documents,
 * what their URLs are, and the fl_page each one becomes.
 *
 * Two kinds of site:
 *  - a Jekyll site (SITE_DIR/_config.yml exists): _posts/, every collection
 *    with `output: true`, and pages (.md/.markdown, .html with front matter)
 *    outside underscore folders; URLs by Jekyll's permalink rules (global
 *    `permalink:` style or pattern, collection permalinks, front matter
 *    `permalink:`, `baseurl`), front matter `defaults`, `exclude`/`include`,
 *    `timezone`, `future`.
 *  - a plain Markdown archive (no _config.yml): every .md/.markdown file is
 *    a document, front matter optional, URL from its path
 *    ("a/x/index.md" → "/a/x/", "a/b.md" → "/a/b/").
 * Never walked: _site/, _drafts/ (unless drafts), vendor/, node_modules/,
 * .hidden files and folders, `exclude:` paths and the config's extra globs.
 *
 * Use:
 *     fl_site *s = fl_site_open(root, cfg, &err);
 *     fl_site_files fs;
 *     fl_site_list(s, drafts, &fs, &err);
 *     for each fs.files[i]:          (fs.problems: symlink loops etc., report them)
 *         fl_page p; fl_site_skip skip;
 *         if (fl_site_read(s, &fs.files[i], time(NULL), &p, &skip, &err) != 0)
 *             report err (file named in it), count as failed
 *         else if (skip != FL_SKIP_NONE)
 *             report fl_site_skip_reason(skip), don't index p.id
 *         else
 *             index p; print p.warnings as "id:line: message"
 *         fl_page_free(&p);
 *     fl_site_files_free(&fs); fl_site_close(s);
 *
 * Threads: an fl_site is read-only after fl_site_open, so fl_site_read may run
 * in several threads at once on one fl_site (it keeps no per-call state; the
 * time-zone conversion takes an internal lock).
 */
#ifndef FL_SITE_H
#define FL_SITE_H

#include "fl_config.h"
#include "fl_page.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct fl_site fl_site;

/* One candidate document found by the walk. */
typedef struct fl_site_file {
    char *relpath;       /* path relative to the site root: the document id */
    char *abspath;       /* path to open */
    uint64_t size;       /* bytes (of the target, for symlinks) */
    int64_t mtime_ns;    /* modification time, ns since the epoch */
    const char *collection; /* "posts", "pages", "beitraege", ...; owned by the fl_site */
} fl_site_file;

/* Something wrong found while walking (a symlink loop, an unreadable
 * folder): reported like a failed file. */
typedef struct fl_site_problem {
    char *relpath;
    char *message;       /* "symlink loop", "cannot read folder: Permission denied" */
} fl_site_problem;

typedef struct fl_site_files {
    fl_site_file *files;    /* sorted by relpath */
    size_t n;
    fl_site_problem *problems;
    size_t nproblems;
} fl_site_files;

/* Why a readable document is not indexed.  Each is Jekyll's (or the
 * site's) own decision, reported so the caller can count and print it. */
typedef enum fl_site_skip {
    FL_SKIP_NONE = 0,
    FL_SKIP_UNPUBLISHED,  /* published: false (front matter or defaults) */
    FL_SKIP_NOSEARCH,     /* search: false */
    FL_SKIP_NOINDEX,      /* noindex: true */
    FL_SKIP_NOSITEMAP,    /* sitemap: false */
    FL_SKIP_FUTURE,       /* dated after `now` and the site lacks future: true */
} fl_site_skip;

/* "published: false", "search: false", "noindex: true", "sitemap: false",
 * "dated in the future"; "" for FL_SKIP_NONE. */
const char *fl_site_skip_reason(fl_site_skip skip);

/* Opens the site at `root` and reads its _config.yml (if any).  `cfg` may be
 * NULL (defaults); it must outlive the fl_site.  Returns NULL with *err
 * ("SITE/_config.yml:12: ...", "SITE: not a folder") on failure. */
fl_site *fl_site_open(const char *root, const fl_config *cfg, char **err);
void fl_site_close(fl_site *s);

/* True when the site has a _config.yml (Jekyll mode). */
bool fl_site_is_jekyll(const fl_site *s);
/* The site's baseurl ("" when none), e.g. "/blog". */
const char *fl_site_baseurl(const fl_site *s);

/* Walks the site and fills *out with the candidate documents (which may
 * still be skipped by fl_site_read) and the walk's problems.  Returns 0, or
 * -1 with *err when the root itself cannot be read.  Free with
 * fl_site_files_free(). */
int fl_site_list(fl_site *s, bool drafts, fl_site_files *out, char **err);
void fl_site_files_free(fl_site_files *f);

/* Reads one file into *out (fl_page_init'ed here; the caller always
 * fl_page_free()s it, also on error or skip).  Fills id, url, collection,
 * title, teaser, date, datetime, image, lang, authors, categories, tags,
 * facets (those of the site's config), sections, body, content_hash and
 * warnings (broken or misplaced front matter, repaired UTF-8, ...).
 * `now` decides what counts as future-dated.
 * *skip is set to FL_SKIP_NONE or the reason not to index the page.
 * Returns 0, or -1 with *err naming the file for: unreadable file, file
 * larger than cfg->max_file_size, binary file (NUL bytes). */
int fl_site_read(const fl_site *s, const fl_site_file *f, time_t now, fl_page *out,
                 fl_site_skip *skip, char **err);

/* FNV-1a 64 of the bytes as 16 lower-case hex digits (content_hash). */
char *fl_site_hash(const void *data, size_t len);

#endif
