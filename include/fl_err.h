/* fl_err.h — how errors travel to the caller.
 *
 * Convention used by every module (SQLite's errmsg style): a function that
 * can fail returns an int status (0 = success, non-zero = failure; modules
 * may define their own positive codes) and takes a trailing `char **err`.
 * On failure it stores a malloc'd, human-readable message in *err (when err
 * is not NULL) that names what failed (file, line, parameter) and why.  The
 * caller owns the message and free()s it.  On success *err is left alone.
 */
#ifndef FL_ERR_H
#define FL_ERR_H

/* Sets *err (if err != NULL and *err == NULL) to a formatted message.
 * An existing message is kept: the first, most specific error wins.
 * Always returns -1 so that `return fl_err_set(err, ...)` reads well. */
int fl_err_set(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefixes an existing message with context: "context: old message".
 * Sets "context" alone when *err is NULL. Returns -1. */
int fl_err_wrap(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
