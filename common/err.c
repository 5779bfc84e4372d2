/* err.c — error message helpers (see fl_err.h). */
#include "fl_err.h"

#include "fl_buf.h"

#include <stdarg.h>
#include <stdlib.h>

int fl_err_set(char **err, const char *fmt, ...)
{
    if (!err || *err)
        return -1;
    fl_buf b = FL_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    fl_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    *err = fl_buf_detach(&b);
    return -1;
}

int fl_err_wrap(char **err, const char *fmt, ...)
{
    if (!err)
        return -1;
    fl_buf b = FL_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    fl_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (*err) {
        fl_buf_puts(&b, ": ");
        fl_buf_puts(&b, *err);
        free(*err);
    }
    *err = fl_buf_detach(&b);
    return -1;
}
