/* fuzz_utf8.c — UTF-8 validation, repair, decoding and clamping (fl_utf8.h).
 *
 * Properties: repair yields valid UTF-8 and replaces nothing exactly when the
 * input was valid; the first bad offset is where validation stops; decoding
 * walks the repaired text in steps that re-encode to the same bytes; clamp
 * never cuts a character. */
#include "fuzz_util.h"

#include "fl_utf8.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    bool valid = fl_utf8_is_valid(s, size);

    fl_buf fixed = FL_BUF_INIT;
    size_t first_bad = (size_t)-1;
    size_t bad = fl_utf8_repair(&fixed, s, size, &first_bad);
    FUZZ_CHECK((bad == 0) == valid, "repair replaced %zu bytes of %s input", bad,
               valid ? "valid" : "invalid");
    FUZZ_CHECK(fl_utf8_is_valid(fl_buf_cstr(&fixed), fixed.len), "repaired text is invalid");
    FUZZ_CHECK(fixed.len == size + 2 * bad, "repair: %zu bytes from %zu with %zu replaced",
               fixed.len, size, bad);
    if (valid) {
        FUZZ_CHECK(size == 0 || memcmp(fixed.data, s, size) == 0, "valid input changed");
    } else {
        FUZZ_CHECK(first_bad < size, "first bad offset %zu out of range", first_bad);
        FUZZ_CHECK(fl_utf8_is_valid(s, first_bad), "text before the first bad byte is invalid");
        FUZZ_CHECK(fl_utf8_valid_prefix_len(s + first_bad, size - first_bad) == 0,
                   "first bad offset %zu starts a valid sequence", first_bad);
    }

    /* Walk the raw input: valid sequences decode and re-encode unchanged. */
    size_t i = 0;
    while (i < size) {
        size_t n = fl_utf8_valid_prefix_len(s + i, size - i);
        size_t adv = 0;
        uint32_t cp = fl_utf8_decode(s + i, size - i, &adv);
        FUZZ_CHECK(adv >= 1 && adv <= size - i, "decode advanced %zu at %zu", adv, i);
        if (n) {
            FUZZ_CHECK(adv == n, "decode length %zu, validator %zu", adv, n);
            fl_buf enc = FL_BUF_INIT;
            fl_utf8_encode(&enc, cp);
            FUZZ_CHECK(enc.len == n && memcmp(enc.data, s + i, n) == 0,
                       "U+%04X does not re-encode to its bytes", (unsigned)cp);
            fl_buf_free(&enc);
        } else {
            FUZZ_CHECK(cp == 0xFFFD && adv == 1, "invalid byte decoded to U+%04X/%zu",
                       (unsigned)cp, adv);
        }
        i += adv;
    }

    /* Clamp the repaired text at every length: never inside a character. */
    const char *t = fl_buf_cstr(&fixed);
    for (size_t max = 0; max <= fixed.len && max < 64; max++) {
        size_t c = fl_utf8_clamp(t, fixed.len, max);
        FUZZ_CHECK(c <= max, "clamp(%zu) = %zu", max, c);
        FUZZ_CHECK(fl_utf8_is_valid(t, c), "clamp(%zu) = %zu cuts a character", max, c);
        FUZZ_CHECK(max - c < 4, "clamp(%zu) = %zu drops a whole character", max, c);
    }

    /* Any 32-bit value encodes to valid UTF-8. */
    if (size >= 4) {
        uint32_t cp = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
                      (uint32_t)data[2] << 8 | data[3];
        fl_buf enc = FL_BUF_INIT;
        fl_utf8_encode(&enc, cp);
        FUZZ_CHECK(fl_utf8_is_valid(enc.data, enc.len), "encode(0x%08X) is invalid", (unsigned)cp);
        fl_buf_free(&enc);
    }
    fl_buf_free(&fixed);
    return 0;
}
