/* fl_buf.h — growable byte buffers and the project's allocation policy.
 *
 * Ownership: an fl_buf owns its `data`; fl_buf_free() releases it,
 * fl_buf_detach() hands it to the caller (who then free()s it).
 * `data` is always NUL-terminated after any append (len excludes the NUL),
 * so it can be used as a C string when the content has no inner NULs.
 *
 * Allocation policy (the Redis way): running out of memory is not an error a
 * search engine can recover from meaningfully, so fl_xmalloc & co. print a
 * message and abort() instead of returning NULL.  Every other failure is
 * reported to the caller; nothing in a library calls exit().
 */
#ifndef FL_BUF_H
#define FL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fl_buf {
    char *data;   /* NULL until the first append; NUL-terminated after */
    size_t len;
    size_t cap;
} fl_buf;

#define FL_BUF_INIT {NULL, 0, 0}

void *fl_xmalloc(size_t n);
void *fl_xcalloc(size_t count, size_t size);
void *fl_xrealloc(void *p, size_t n);
char *fl_xstrdup(const char *s);
char *fl_xstrndup(const char *s, size_t n);
/* Allocating sprintf. */
char *fl_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void fl_buf_init(fl_buf *b);
void fl_buf_free(fl_buf *b);
/* Empties the buffer but keeps its memory for reuse. */
void fl_buf_reset(fl_buf *b);
/* Makes room for at least `extra` more bytes (plus the NUL). */
void fl_buf_reserve(fl_buf *b, size_t extra);
void fl_buf_append(fl_buf *b, const void *data, size_t len);
void fl_buf_puts(fl_buf *b, const char *s);
void fl_buf_putc(fl_buf *b, char c);
/* The decimal digits of v (what printf's %ju gives, without its cost on
 * the paths that build a key per shown section). */
void fl_buf_put_uint(fl_buf *b, uintmax_t v);
void fl_buf_printf(fl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fl_buf_vprintf(fl_buf *b, const char *fmt, va_list ap);
/* Shortens to `len` bytes (no-op when already shorter). */
void fl_buf_truncate(fl_buf *b, size_t len);
/* Returns the NUL-terminated content (never NULL, "" when empty) and leaves
 * `b` empty; the caller owns the result. */
char *fl_buf_detach(fl_buf *b);
/* The content as a C string, "" when nothing was appended yet. */
const char *fl_buf_cstr(const fl_buf *b);

#endif
