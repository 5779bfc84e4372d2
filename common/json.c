/* json.c — streaming JSON writer (see fl_json.h). */
#include "fl_json.h"

#include "fl_utf8.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void fl_json_init(fl_json *j, fl_buf *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
}

/* Emits the separating comma before a value or key, unless we directly
 * follow a key (then the value belongs to it). */
static void before_value(fl_json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (j->need_comma[j->depth])
        fl_buf_putc(j->out, ',');
    j->need_comma[j->depth] = true;
}

static void open(fl_json *j, char c)
{
    before_value(j);
    fl_buf_putc(j->out, c);
    if (j->depth < FL_JSON_MAX_DEPTH)
        j->depth++;
    j->need_comma[j->depth] = false;
}

static void close_(fl_json *j, char c)
{
    fl_buf_putc(j->out, c);
    if (j->depth > 0)
        j->depth--;
}

void fl_json_object_begin(fl_json *j) { open(j, '{'); }
void fl_json_object_end(fl_json *j) { close_(j, '}'); }
void fl_json_array_begin(fl_json *j) { open(j, '['); }
void fl_json_array_end(fl_json *j) { close_(j, ']'); }

/* A byte a JSON string takes as it is: printable ASCII but '"' and '\\'
 * (bytes of 0x80 and up are looked at as UTF-8 by fl_json_escape). */
static bool plain_byte(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void fl_json_key(fl_json *j, const char *key)
{
    before_value(j);
    size_t n = strlen(key);
    /* Keys are mostly the program's own names, printable ASCII: written
     * with their quotes and colon in one piece (a search answer has some
     * 200 of them). */
    bool plain = true;
    for (size_t i = 0; i < n && plain; i++)
        plain = plain_byte((unsigned char)key[i]);
    if (plain) {
        fl_buf_reserve(j->out, n + 3);
        char *w = j->out->data + j->out->len;
        *w++ = '"';
        memcpy(w, key, n);
        w += n;
        *w++ = '"';
        *w++ = ':';
        j->out->len += n + 3;
        j->out->data[j->out->len] = '\0';
    } else {
        fl_buf_putc(j->out, '"');
        fl_json_escape(j->out, key, n);
        fl_buf_puts(j->out, "\":");
    }
    j->after_key = true;
}

/* Whether none of the 8 bytes in v needs a look of its own: all are
 * printable ASCII other than '"', '\\' and DEL (the classic SWAR tests for
 * a zero byte and for a byte below a bound, exact once no byte has its top
 * bit set). */
static bool plain8(uint64_t v)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    if (v & highs)
        return false;
    uint64_t below_space = (v - 0x20 * ones) & ~v & highs;
    uint64_t q = v ^ ('"' * ones), b = v ^ ('\\' * ones), d = v ^ (0x7f * ones);
    uint64_t special = ((q - ones) & ~q) | ((b - ones) & ~b) | ((d - ones) & ~d);
    return !(below_space | (special & highs));
}

void fl_json_escape(fl_buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    while (i < len) {
        /* A run of text needing no escape goes out in one piece: printable
         * ASCII and valid UTF-8 sequences but U+2028/U+2029 (most of a
         * German text: a byte, or an umlaut, at a time was a visible share
         * of a search's CPU); plain ASCII is passed 8 bytes at a time. */
        size_t run = i;
        while (run < len) {
            if (len - run >= 8) {
                uint64_t v;
                memcpy(&v, s + run, 8);
                if (plain8(v)) {
                    run += 8;
                    continue;
                }
            }
            unsigned char r = (unsigned char)s[run];
            if (plain_byte(r)) {
                run++;
                continue;
            }
            if (r < 0x80)
                break;
            size_t n = fl_utf8_valid_prefix_len(s + run, len - run);
            if (n == 0 || (n == 3 && r == 0xE2 && (unsigned char)s[run + 1] == 0x80 &&
                           ((unsigned char)s[run + 2] == 0xA8 || (unsigned char)s[run + 2] == 0xA9)))
                break;
            run += n;
        }
        if (run > i) {
            fl_buf_append(out, s + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            switch (c) {
            case '"': fl_buf_puts(out, "\\\""); break;
            case '\\': fl_buf_puts(out, "\\\\"); break;
            case '\n': fl_buf_puts(out, "\\n"); break;
            case '\r': fl_buf_puts(out, "\\r"); break;
            case '\t': fl_buf_puts(out, "\\t"); break;
            case '\b': fl_buf_puts(out, "\\b"); break;
            case '\f': fl_buf_puts(out, "\\f"); break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
                    fl_buf_puts(out, u);
                } else {
                    fl_buf_putc(out, (char)c);
                }
            }
            i++;
            continue;
        }
        size_t n = fl_utf8_valid_prefix_len(s + i, len - i);
        if (n == 0) {
            fl_buf_puts(out, "\xEF\xBF\xBD"); /* U+FFFD for an invalid byte */
            i++;
            continue;
        }
        /* U+2028/U+2029 are valid JSON but break JavaScript string literals. */
        if (n == 3 && (unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
            ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
            fl_buf_puts(out, (unsigned char)s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
        } else {
            fl_buf_append(out, s + i, n);
        }
        i += n;
    }
}

void fl_json_string_n(fl_json *j, const char *s, size_t len)
{
    before_value(j);
    fl_buf_putc(j->out, '"');
    fl_json_escape(j->out, s, len);
    fl_buf_putc(j->out, '"');
}

void fl_json_string(fl_json *j, const char *s)
{
    fl_json_string_n(j, s, strlen(s));
}

void fl_json_string_or_null(fl_json *j, const char *s)
{
    if (s)
        fl_json_string(j, s);
    else
        fl_json_null(j);
}

void fl_json_int(fl_json *j, int64_t v)
{
    before_value(j);
    fl_buf_printf(j->out, "%lld", (long long)v);
}

void fl_json_double(fl_json *j, double v, int decimals)
{
    if (!isfinite(v)) {
        fl_json_null(j);
        return;
    }
    before_value(j);
    if (decimals < 0)
        decimals = 0;
    if (decimals > 17)
        decimals = 17;
    size_t start = j->out->len;
    /* Scores and timings (a few decimals, small): the digits from the
     * rounded integer v * 10^decimals, when v * 10^decimals is not near
     * a half (where its rounding could differ from printf's, which rounds
     * v's exact binary value) -- printf's floating point was a visible
     * share of writing a result. */
    static const double tens[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    double t = decimals < 7 ? fabs(v) * tens[decimals] : 0;
    double r = nearbyint(t);
    if (decimals < 7 && t < 1e12 && fabs(t - r) < 0.49) {
        uint64_t n = (uint64_t)r, scale = (uint64_t)tens[decimals];
        char tmp[40], digits[24];
        int k = 0, nd = 0;
        if (v < 0)
            tmp[k++] = '-';
        uint64_t whole = n / scale;
        do {
            digits[nd++] = (char)('0' + whole % 10);
            whole /= 10;
        } while (whole);
        while (nd > 0)
            tmp[k++] = digits[--nd];
        if (decimals > 0) {
            uint64_t frac = n % scale;
            tmp[k++] = '.';
            for (int d = decimals - 1; d >= 0; d--) {
                tmp[k + d] = (char)('0' + frac % 10);
                frac /= 10;
            }
            k += decimals;
        }
        fl_buf_append(j->out, tmp, (size_t)k);
    } else {
        /* Printed straight into the output: "%.17f" of 1e308 is over 300
         * characters, so no fixed buffer. */
        fl_buf_printf(j->out, "%.*f", decimals, v);
    }
    char *num = j->out->data + start;
    size_t len = j->out->len - start;
    /* Trim trailing zeros ("0.800" → "0.8", "3.000" → "3"). */
    if (memchr(num, '.', len)) {
        while (num[len - 1] == '0')
            len--;
        if (num[len - 1] == '.')
            len--;
    }
    if (len == 2 && num[0] == '-' && num[1] == '0') {
        num[0] = '0';
        len = 1;
    }
    fl_buf_truncate(j->out, start + len);
}

void fl_json_bool(fl_json *j, bool v)
{
    before_value(j);
    fl_buf_puts(j->out, v ? "true" : "false");
}

void fl_json_null(fl_json *j)
{
    before_value(j);
    fl_buf_puts(j->out, "null");
}

void fl_json_raw(fl_json *j, const char *json_value)
{
    before_value(j);
    fl_buf_puts(j->out, json_value);
}
