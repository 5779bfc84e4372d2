/* tap.h — a tiny TAP producer for Findling's C unit tests.
 *
 * Each check prints "ok N - name" or "not ok N - name" with a diagnostic;
 * tap_done() prints the plan and returns the exit status (0 when all passed).
 * The runner (tests/run-tests.sh) counts the lines across all test programs.
 */
#ifndef FL_TAP_H
#define FL_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static void tap_vresult(int pass, const char *file, int line, const char *fmt, va_list ap)
{
    tap_n++;
    if (!pass)
        tap_failed++;
    printf("%sok %d - ", pass ? "" : "not ", tap_n);
    vprintf(fmt, ap);
    printf("\n");
    if (!pass)
        printf("#   failed at %s:%d\n", file, line);
    fflush(stdout);
}

static int tap_ok_(int pass, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int tap_ok_(int pass, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_vresult(pass, file, line, fmt, ap);
    va_end(ap);
    return pass;
}

#define ok(cond, ...) tap_ok_(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* String equality with a diagnostic showing both sides. */
#define is_str(got, want, ...)                                                          \
    do {                                                                                \
        const char *g_ = (got), *w_ = (want);                                           \
        int p_ = (g_ == NULL && w_ == NULL) || (g_ && w_ && strcmp(g_, w_) == 0);       \
        if (!tap_ok_(p_, __FILE__, __LINE__, __VA_ARGS__))                              \
            printf("#        got: '%s'\n#   expected: '%s'\n", g_ ? g_ : "(null)",     \
                   w_ ? w_ : "(null)");                                                 \
    } while (0)

#define is_int(got, want, ...)                                                          \
    do {                                                                                \
        long long g_ = (long long)(got), w_ = (long long)(want);                        \
        if (!tap_ok_(g_ == w_, __FILE__, __LINE__, __VA_ARGS__))                        \
            printf("#        got: %lld\n#   expected: %lld\n", g_, w_);                 \
    } while (0)

#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))
#define skip(reason) (tap_n++, printf("ok %d # SKIP %s\n", tap_n, reason))

static int tap_done(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif
