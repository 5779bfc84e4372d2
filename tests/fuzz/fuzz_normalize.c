/* fuzz_normalize.c — Unicode normalisation (fl_normalize.h).
 *
 * Raw input: every function succeeds exactly when the input is valid UTF-8
 * and fails with a message otherwise.  Repaired input: every form is valid
 * UTF-8, NFC is idempotent, the facet key is idempotent (it is compared
 * with keys made from its own output), display values carry no
 * surrounding white space, and the character classes of every code point
 * are consistent. */
#include "fuzz_util.h"

#include "fl_normalize.h"
#include "fl_utf8.h"

#include <stdint.h>
#include <stdlib.h>

typedef int (*norm_fn)(const char *, size_t, fl_buf *, char **);

static const struct {
    const char *name;
    norm_fn fn;
} fns[] = {
    {"fl_nfc", fl_nfc},
    {"fl_norm_exact", fl_norm_exact},
    {"fl_norm_fold", fl_norm_fold},
    {"fl_norm_facet_key", fl_norm_facet_key},
    {"fl_norm_display", fl_norm_display},
};

static void run(norm_fn fn, const char *name, const char *s, size_t len, fl_buf *out, bool valid)
{
    char *err = NULL;
    int rc = fn(s, len, out, &err);
    FUZZ_CHECK((rc == 0) == valid, "%s returned %d on %s input", name, rc,
               valid ? "valid" : "invalid");
    if (rc) {
        FUZZ_CHECK(err && *err, "%s failed without a message", name);
        free(err);
    } else {
        fuzz_check_utf8(name, fl_buf_cstr(out), out->len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    bool valid = fl_utf8_is_valid(s, size);
    fl_buf out = FL_BUF_INIT;
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
        fl_buf_reset(&out);
        run(fns[i].fn, fns[i].name, s, size, &out, valid);
    }

    fl_buf fixed = FL_BUF_INIT;
    fl_utf8_repair(&fixed, s, size, NULL);
    const char *t = fl_buf_cstr(&fixed);
    fl_buf once = FL_BUF_INIT, twice = FL_BUF_INIT;
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
        fl_buf_reset(&once);
        run(fns[i].fn, fns[i].name, t, fixed.len, &once, true);
        if (fns[i].fn == fl_nfc || fns[i].fn == fl_norm_facet_key) {
            fl_buf_reset(&twice);
            run(fns[i].fn, fns[i].name, fl_buf_cstr(&once), once.len, &twice, true);
            if (once.len != twice.len || memcmp(fl_buf_cstr(&once), fl_buf_cstr(&twice), once.len)) {
                fuzz_dump("once", fl_buf_cstr(&once), once.len);
                fuzz_dump("twice", fl_buf_cstr(&twice), twice.len);
                FUZZ_CHECK(0, "%s is not idempotent", fns[i].name);
            }
        }
        if (fns[i].fn == fl_norm_display && once.len) {
            size_t adv;
            uint32_t first = fl_utf8_decode(once.data, once.len, &adv);
            FUZZ_CHECK(!fl_is_space(first) && first != '\r', "display value starts with space");
        }
    }

    /* Character classes: a code point is at most one of letter, digit,
     * space, mark. */
    for (size_t i = 0; i < fixed.len;) {
        size_t adv;
        uint32_t cp = fl_utf8_decode(t + i, fixed.len - i, &adv);
        int classes = fl_is_letter(cp) + fl_is_digit(cp) + fl_is_space(cp) + fl_is_mark(cp);
        FUZZ_CHECK(classes <= 1, "U+%04X is in %d classes", (unsigned)cp, classes);
        i += adv;
    }
    fl_buf_free(&out);
    fl_buf_free(&fixed);
    fl_buf_free(&once);
    fl_buf_free(&twice);
    return 0;
}
