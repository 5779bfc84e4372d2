/* fuzz_stem.c — the German stemmer (fl_stem.h) on any bytes.
 *
 * Properties: never crashes, output is valid UTF-8 (invalid input bytes
 * come out as U+FFFD), the buffer and the _dup forms agree, appending does
 * not disturb what is already in the buffer, and the stemmer keeps no state
 * between words (the same word stems the same after another one). */
#include "fuzz_util.h"

#include "fl_stem.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *w = (const char *)data;
    fl_buf out = FL_BUF_INIT;
    fl_buf_puts(&out, "pre");
    fl_german_stem(w, size, &out);
    FUZZ_CHECK(out.len >= 3 && memcmp(out.data, "pre", 3) == 0, "stem overwrote the buffer");
    fuzz_check_utf8("stem", out.data + 3, out.len - 3);

    /* The _dup form is a C string: equal up to a NUL byte in the word. */
    char *dup = fl_german_stem_dup(w, size);
    size_t dlen = strlen(dup), slen = strnlen(out.data + 3, out.len - 3);
    FUZZ_CHECK(dlen == slen && memcmp(dup, out.data + 3, dlen) == 0,
               "fl_german_stem_dup differs from fl_german_stem");

    /* Each half on its own, then the whole again: same result. */
    size_t half = size / 2;
    char *a = fl_german_stem_dup(w, half);
    char *b = fl_german_stem_dup(w + half, size - half);
    char *again = fl_german_stem_dup(w, size);
    FUZZ_CHECK(strcmp(again, dup) == 0, "stem changed after stemming other words");
    free(a);
    free(b);
    free(again);
    free(dup);
    fl_buf_free(&out);
    return 0;
}
