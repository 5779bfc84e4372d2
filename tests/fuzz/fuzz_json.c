/* fuzz_json.c — the JSON writer (fl_json.h), round trip.
 *
 * The input is a program: each byte picks the next writer call (object or
 * array begin/end, key, string, integer, double, bool, null) with its
 * argument taken from the following bytes.  The harness keeps the calls in
 * a legal order (keys only inside objects, nesting within
 * FL_JSON_MAX_DEPTH, one top-level value), builds the value it means in
 * parallel, then parses the output with the strict parser of
 * tests/lib/json_check.h and compares: same structure, strings equal to
 * the input with invalid UTF-8 repaired (fl_utf8_repair), integers exact,
 * doubles within the rounding of the requested decimals. */
#include "fuzz_util.h"

#include "fl_json.h"
#include "fl_utf8.h"
#include "json_check.h"

#include <math.h>
#include <stdint.h>

typedef struct {
    fuzz_input in;
    fl_json j;
    int ops;
} prog;

static jc_value *new_value(jc_kind k)
{
    jc_value *v = jc_alloc(sizeof *v);
    v->kind = k;
    return v;
}

/* The expected decoded form of a written string: repaired UTF-8. */
static void expect_string(const char *s, size_t len, char **out, size_t *out_len)
{
    fl_buf b = FL_BUF_INIT;
    fl_utf8_repair(&b, s, len, NULL);
    *out_len = b.len;
    *out = fl_buf_detach(&b);
}

static jc_value *gen_value(prog *p, int depth);

static jc_value *gen_container(prog *p, int depth, bool object)
{
    jc_value *v = new_value(object ? JC_OBJECT : JC_ARRAY);
    if (object)
        fl_json_object_begin(&p->j);
    else
        fl_json_array_begin(&p->j);
    for (;;) {
        uint8_t op = fuzz_byte(&p->in);
        if (op % 4 == 0 || p->in.n == 0 || ++p->ops > 4000)
            break; /* close */
        v->items = jc_grow(v->items, (v->n + 1) * sizeof *v->items);
        if (object) {
            size_t klen;
            const char *k = fuzz_bytes(&p->in, 40, &klen);
            char *key = fl_xstrndup(k, klen); /* fl_json_key takes a C string */
            v->keys = jc_grow(v->keys, (v->n + 1) * sizeof *v->keys);
            v->key_lens = jc_grow(v->key_lens, (v->n + 1) * sizeof *v->key_lens);
            expect_string(key, strlen(key), &v->keys[v->n], &v->key_lens[v->n]);
            fl_json_key(&p->j, key);
            free(key);
        }
        v->items[v->n++] = gen_value(p, depth + 1);
    }
    if (object)
        fl_json_object_end(&p->j);
    else
        fl_json_array_end(&p->j);
    return v;
}

static jc_value *gen_value(prog *p, int depth)
{
    uint8_t op = fuzz_byte(&p->in);
    jc_value *v;
    switch (op % 9) {
    case 0:
    case 1:
        if (depth < FL_JSON_MAX_DEPTH)
            return gen_container(p, depth, op % 9 == 0);
        /* fall through: too deep, write a string instead */
    case 2: {
        size_t len;
        const char *s = fuzz_bytes(&p->in, 255, &len);
        v = new_value(JC_STRING);
        expect_string(s, len, &v->text, &v->len);
        fl_json_string_n(&p->j, s, len);
        return v;
    }
    case 3: {
        int64_t n = (int64_t)fuzz_u64(&p->in);
        v = new_value(JC_NUMBER);
        v->text = fl_xasprintf("%lld", (long long)n);
        fl_json_int(&p->j, n);
        return v;
    }
    case 4: {
        uint64_t bits = fuzz_u64(&p->in);
        int decimals = (int)(fuzz_byte(&p->in) % 24) - 2;
        double d;
        memcpy(&d, &bits, sizeof d);
        fl_json_double(&p->j, d, decimals);
        if (!isfinite(d))
            return new_value(JC_NULL);
        v = new_value(JC_NUMBER);
        v->num = d;
        v->b = true; /* marks "compare approximately" */
        v->len = (size_t)(decimals < 0 ? 0 : decimals > 17 ? 17 : decimals);
        return v;
    }
    case 5:
    case 6:
        v = new_value(JC_BOOL);
        v->b = op % 9 == 5;
        fl_json_bool(&p->j, v->b);
        return v;
    case 7:
        fl_json_null(&p->j);
        return new_value(JC_NULL);
    default:
        fl_json_string_or_null(&p->j, NULL);
        return new_value(JC_NULL);
    }
}

static void check_same(const jc_value *want, const jc_value *got, const char *path)
{
    FUZZ_CHECK(want->kind == got->kind, "%s: kind %d written, %d read", path, want->kind,
               got->kind);
    switch (want->kind) {
    case JC_NULL: break;
    case JC_BOOL: FUZZ_CHECK(want->b == got->b, "%s: bool changed", path); break;
    case JC_STRING:
        if (want->len != got->len || memcmp(want->text, got->text, want->len) != 0) {
            fuzz_dump("wrote", want->text, want->len);
            fuzz_dump("read", got->text, got->len);
            FUZZ_CHECK(0, "%s: string changed", path);
        }
        break;
    case JC_NUMBER:
        if (!want->b) {
            FUZZ_CHECK(strcmp(want->text, got->text) == 0, "%s: integer %s read as %s", path,
                       want->text, got->text);
        } else {
            /* %.Nf rounds to N decimals; allow that plus the double's own
             * precision (the text is then read back by strtod). */
            double tol = 0.5 * pow(10.0, -(double)want->len) + fabs(want->num) * 1e-15 + 1e-300;
            FUZZ_CHECK(fabs(got->num - want->num) <= tol,
                       "%s: double %.17g with %zu decimals read back as %s", path, want->num,
                       want->len, got->text);
        }
        break;
    case JC_ARRAY:
    case JC_OBJECT:
        FUZZ_CHECK(want->n == got->n, "%s: %zu members written, %zu read", path, want->n,
                   got->n);
        for (size_t i = 0; i < want->n; i++) {
            if (want->kind == JC_OBJECT)
                FUZZ_CHECK(want->key_lens[i] == got->key_lens[i] &&
                               memcmp(want->keys[i], got->keys[i], want->key_lens[i]) == 0,
                           "%s: key %zu changed", path, i);
            char sub[64];
            snprintf(sub, sizeof sub, "%.40s/%zu", path, i);
            check_same(want->items[i], got->items[i], sub);
        }
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fl_buf out = FL_BUF_INIT;
    prog p = {{data, size}, {0}, 0};
    fl_json_init(&p.j, &out);
    jc_value *want = gen_value(&p, 0);
    const char *why = NULL;
    size_t at = 0;
    jc_value *got = jc_parse(fl_buf_cstr(&out), out.len, &why, &at);
    if (!got) {
        fuzz_dump("output", out.data, out.len);
        FUZZ_CHECK(got, "writer output is not JSON: %s at byte %zu", why, at);
    }
    check_same(want, got, "$");
    /* U+2028/2029 must be escaped (they end JavaScript string literals). */
    const char *o = fl_buf_cstr(&out);
    for (size_t i = 0; i + 2 < out.len; i++)
        FUZZ_CHECK(!(o[i] == '\xE2' && o[i + 1] == '\x80' && (o[i + 2] == '\xA8' || o[i + 2] == '\xA9')),
                   "raw U+2028/U+2029 in output at byte %zu", i);
    jc_free(want);
    jc_free(got);
    fl_buf_free(&out);
    return 0;
}
