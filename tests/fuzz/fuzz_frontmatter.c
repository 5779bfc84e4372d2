/* fuzz_frontmatter.c — front matter splitting and field handling
 * (fl_frontmatter.h, fl_yaml.h).
 *
 * The first byte picks the mode (allow_late) and the time zone for dates;
 * the rest, repaired to valid UTF-8 as the site reader does, is split into
 * front matter and body.  Every field is then read the ways the site reader
 * does: as string, boolean, list (with and without splitting on spaces) and
 * date.  Properties: the body lies inside the input, warnings carry text,
 * list values and dates are well-formed. */
#include "fuzz_util.h"

#include "fl_frontmatter.h"
#include "fl_page.h"
#include "fl_utf8.h"
#include "fl_yaml.h"

#include <stdint.h>
#include <stdlib.h>

static const char *zones[] = {NULL, "", "Europe/Berlin", "UTC", "America/St_Johns", "Nowhere/Bogus"};

static bool is_date(const char d[11])
{
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? d[i] != '-' : (d[i] < '0' || d[i] > '9'))
            return false;
    return d[10] == '\0';
}

static void check_value(const fl_yaml *v, const char *tz, int depth)
{
    if (!v)
        return;
    FUZZ_CHECK(v->kind <= FL_YAML_MAP, "bad node kind %d", v->kind);
    const char *s = fl_yaml_str(v);
    fl_yaml_bool(v);
    if (s) {
        long long utc = 0;
        char date[11] = "xxxxxxxxxx";
        if (fl_frontmatter_date(s, tz, &utc, date) == 0) {
            FUZZ_CHECK(is_date(date), "date '%s' from '%.60s'", date, s);
            char again[11];
            fl_frontmatter_date_in_tz(utc, tz, again);
            FUZZ_CHECK(is_date(again), "date_in_tz gave '%.11s'", again);
        }
    }
    for (int split = 0; split <= 1; split++) {
        fl_strlist l = {0};
        fl_frontmatter_list(v, split, &l);
        for (size_t i = 0; i < l.n; i++) {
            FUZZ_CHECK(l.items[i] != NULL, "NULL list item");
            fuzz_check_utf8_str("list value", l.items[i]);
            if (split && v->kind == FL_YAML_SCALAR)
                FUZZ_CHECK(!strchr(l.items[i], ' ') && l.items[i][0],
                           "split value '%s' has a space or is empty", l.items[i]);
        }
        fl_strlist_free(&l);
    }
    if (depth < 8 && (v->kind == FL_YAML_SEQ || v->kind == FL_YAML_MAP)) {
        size_t n = v->kind == FL_YAML_MAP ? 2 * v->n : v->n;
        for (size_t i = 0; i < n; i++)
            check_value(v->items[i], tz, depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    bool late = data[0] & 1;
    const char *tz = zones[(data[0] >> 1) % (sizeof zones / sizeof *zones)];
    fl_buf text = FL_BUF_INIT;
    fl_utf8_repair(&text, (const char *)data + 1, size - 1, NULL);
    const char *t = fl_buf_cstr(&text);

    fl_page warn;
    fl_page_init(&warn);
    fl_frontmatter fm;
    fl_frontmatter_split(t, text.len, late, &fm, &warn);
    FUZZ_CHECK(fm.body >= t && fm.body + fm.body_len <= t + text.len,
               "body outside the input");
    FUZZ_CHECK(fm.body_line >= 1, "body line %d", fm.body_line);
    if (fm.pre)
        FUZZ_CHECK(fm.pre >= t && fm.pre + fm.pre_len <= t + text.len, "pre outside the input");
    FUZZ_CHECK(!fm.yaml || fm.present, "YAML without a front matter block");
    FUZZ_CHECK(!fm.yaml || fm.yaml->kind == FL_YAML_MAP, "front matter that is not a mapping");
    for (size_t i = 0; i < warn.nwarnings; i++) {
        FUZZ_CHECK(warn.warnings[i].message && *warn.warnings[i].message, "empty warning");
        fuzz_check_utf8_str("warning", warn.warnings[i].message);
    }
    check_value(fm.yaml, tz, 0);
    if (fm.yaml) {
        for (size_t i = 0; i < fm.yaml->n; i++) {
            const char *k = fl_yaml_str(fm.yaml->items[2 * i]);
            if (k)
                FUZZ_CHECK(fl_yaml_get(fm.yaml, k) != NULL, "key '%s' not found by fl_yaml_get", k);
        }
    }
    fl_frontmatter_free(&fm);
    fl_page_free(&warn);
    fl_buf_free(&text);
    return 0;
}
