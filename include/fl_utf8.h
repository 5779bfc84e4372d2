/* fl_utf8.h — UTF-8 validation, repair and decoding.
 *
 * Outside text (files, query strings, HTTP parameters) may be invalid UTF-8.
 * We never pass invalid UTF-8 further than the edge: it is repaired by
 * replacing each invalid byte with U+FFFD, and the caller is told.
 */
#ifndef FL_UTF8_H
#define FL_UTF8_H

#include "fl_buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length (1–4) of the valid UTF-8 sequence starting at s, or 0 when the
 * bytes there do not start a valid, shortest-form, non-surrogate sequence
 * within `len` bytes. */
size_t fl_utf8_valid_prefix_len(const char *s, size_t len);

/* True when all of s[0..len) is valid UTF-8. */
bool fl_utf8_is_valid(const char *s, size_t len);

/* Appends s to out with every invalid byte replaced by U+FFFD.
 * Returns the number of bytes replaced (0 = input was valid).  When
 * first_bad is not NULL it receives the offset of the first invalid byte. */
size_t fl_utf8_repair(fl_buf *out, const char *s, size_t len, size_t *first_bad);

/* Decodes one code point at s (assumes valid UTF-8 from the repaired text;
 * returns U+FFFD and advances by 1 on an invalid byte).  Stores the sequence
 * length in *adv. */
uint32_t fl_utf8_decode(const char *s, size_t len, size_t *adv);

/* Appends the UTF-8 encoding of cp (U+FFFD for invalid code points). */
void fl_utf8_encode(fl_buf *out, uint32_t cp);

/* Largest n <= max such that s[0..n) does not end inside a UTF-8 sequence:
 * use it to cut text for display without splitting a character. */
size_t fl_utf8_clamp(const char *s, size_t len, size_t max);

#endif
