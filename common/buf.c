/* buf.c — growable buffers and aborting allocators (see fl_buf.h). */
#include "fl_buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "findling: out of memory (allocating %zu bytes)\n", n);
    abort();
}

void *fl_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *fl_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        oom(count * size);
    return p;
}

void *fl_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *fl_xstrdup(const char *s)
{
    return fl_xstrndup(s, strlen(s));
}

char *fl_xstrndup(const char *s, size_t n)
{
    char *p = fl_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *fl_xasprintf(const char *fmt, ...)
{
    fl_buf b = FL_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    fl_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return fl_buf_detach(&b);
}

void fl_buf_init(fl_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void fl_buf_free(fl_buf *b)
{
    free(b->data);
    fl_buf_init(b);
}

void fl_buf_reset(fl_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void fl_buf_reserve(fl_buf *b, size_t extra)
{
    if (extra > (size_t)-1 - b->len - 1)
        oom((size_t)-1);
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
    b->data = fl_xrealloc(b->data, cap);
    b->cap = cap;
    /* Keep data NUL-terminated even before the first append: a buffer that
     * was only reserved is detached or read as "" (fl_buf_detach). */
    b->data[b->len] = '\0';
}

void fl_buf_append(fl_buf *b, const void *data, size_t len)
{
    fl_buf_reserve(b, len);
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void fl_buf_puts(fl_buf *b, const char *s)
{
    fl_buf_append(b, s, strlen(s));
}

void fl_buf_putc(fl_buf *b, char c)
{
    fl_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void fl_buf_put_uint(fl_buf *b, uintmax_t v)
{
    char d[24]; /* 2^64 has 20 digits */
    size_t n = sizeof d;
    do {
        d[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    fl_buf_append(b, d + n, sizeof d - n);
}

void fl_buf_vprintf(fl_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return; /* an invalid format is a programming error; append nothing */
    fl_buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void fl_buf_printf(fl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fl_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void fl_buf_truncate(fl_buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

char *fl_buf_detach(fl_buf *b)
{
    char *p = b->data ? b->data : fl_xstrdup("");
    fl_buf_init(b);
    return p;
}

const char *fl_buf_cstr(const fl_buf *b)
{
    return b->data ? b->data : "";
}
