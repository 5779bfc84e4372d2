/* fuzz_util.h — shared helpers of the libFuzzer targets (tests/fuzz/fuzz_*.c).
 *
 * A failed property check prints what was expected and aborts, which
 * libFuzzer reports as a crash and saves the input, like a sanitizer finding.
 * Scratch files live in one folder per process (under /dev/shm when it
 * exists, so writing an input per run stays cheap), removed at exit.
 */
#ifndef FL_FUZZ_UTIL_H
#define FL_FUZZ_UTIL_H

#define _XOPEN_SOURCE 700 /* nftw */
#include "fl_buf.h"
#include "fl_utf8.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FUZZ_FN static inline __attribute__((unused))

#define FUZZ_CHECK(cond, ...)                                                   \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                     \
            fprintf(stderr, "  " __VA_ARGS__);                                  \
            fprintf(stderr, "\n");                                              \
            abort();                                                            \
        }                                                                       \
    } while (0)

/* Prints bytes for a diagnostic, escaping what is not printable ASCII. */
FUZZ_FN void fuzz_dump(const char *label, const char *s, size_t len)
{
    fprintf(stderr, "  %s (%zu bytes): \"", label, len);
    for (size_t i = 0; i < len && i < 400; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            fputc(c, stderr);
        else
            fprintf(stderr, "\\x%02x", c);
    }
    fprintf(stderr, "%s\"\n", len > 400 ? "..." : "");
}

static char fuzz_dir_[256];

static int fuzz_rm_(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

FUZZ_FN void fuzz_cleanup_(void)
{
    if (fuzz_dir_[0])
        nftw(fuzz_dir_, fuzz_rm_, 16, FTW_DEPTH | FTW_PHYS);
}

/* This process's scratch folder (created on first use). */
FUZZ_FN const char *fuzz_tmpdir(void)
{
    if (!fuzz_dir_[0]) {
        struct stat st;
        const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
                                   access("/dev/shm", W_OK) == 0
                               ? "/dev/shm"
                               : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        snprintf(fuzz_dir_, sizeof fuzz_dir_, "%s/findling-fuzz.XXXXXX", base);
        if (!mkdtemp(fuzz_dir_)) {
            perror(fuzz_dir_);
            abort();
        }
        atexit(fuzz_cleanup_);
    }
    return fuzz_dir_;
}

/* Writes data to path (replacing it); aborts on failure (a harness problem). */
FUZZ_FN void fuzz_write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        perror(path);
        abort();
    }
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n <= 0) {
            perror(path);
            abort();
        }
        p += n;
        len -= (size_t)n;
    }
    close(fd);
}

/* Checks that s[0..len) is valid UTF-8, naming `what` otherwise. */
FUZZ_FN void fuzz_check_utf8(const char *what, const char *s, size_t len)
{
    if (!s)
        return;
    if (!fl_utf8_is_valid(s, len)) {
        fuzz_dump(what, s, len);
        FUZZ_CHECK(0, "%s is not valid UTF-8", what);
    }
}

FUZZ_FN void fuzz_check_utf8_str(const char *what, const char *s)
{
    if (s)
        fuzz_check_utf8(what, s, strlen(s));
}

/* A cursor that hands out the fuzz input piece by piece (to drive a
 * sequence of API calls); when the input runs out it gives zeros. */
typedef struct {
    const uint8_t *p;
    size_t n;
} fuzz_input;

FUZZ_FN uint8_t fuzz_byte(fuzz_input *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

FUZZ_FN uint64_t fuzz_u64(fuzz_input *in)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | fuzz_byte(in);
    return v;
}

/* Up to `max` bytes: a length byte, then that many bytes (fewer at the end). */
FUZZ_FN const char *fuzz_bytes(fuzz_input *in, size_t max, size_t *len)
{
    size_t want = fuzz_byte(in);
    if (want > max)
        want = max;
    if (want > in->n)
        want = in->n;
    const char *s = (const char *)in->p;
    in->p += want;
    in->n -= want;
    *len = want;
    return s;
}

#endif
