/* test_query_parse.c — the query language parser (query/parse.c). */
#include "fl_query.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static void check(const char *q, const char *want)
{
    fl_qnode *n = NULL;
    char *err = NULL;
    int rc = fl_query_parse(q, strlen(q), &n, NULL, &err);
    if (rc != 0) {
        ok(0, "parse '%s': %s", q, err ? err : "?");
        free(err);
        return;
    }
    char *d = fl_qnode_describe(n);
    is_str(d, want, "parse '%s'", q);
    free(d);
    fl_qnode_free(n);
}

static void check_err(const char *q, size_t len, const char *needle, const char *name)
{
    fl_qnode *n = NULL;
    char *err = NULL;
    int rc = fl_query_parse(q, len, &n, NULL, &err);
    ok(rc != 0 && err && strstr(err, needle), "%s: error mentions '%s' (%s)", name, needle,
       err ? err : "no error");
    free(err);
    fl_qnode_free(n);
}

/* Must not crash, must either parse or give a message. */
static void survives(const char *q, size_t len, const char *name)
{
    fl_qnode *n = NULL;
    char *err = NULL, *notes = NULL;
    int rc = fl_query_parse(q, len, &n, &notes, &err);
    ok((rc == 0 && n) || (rc != 0 && err && *err), "%s survives (%s)", name,
       rc == 0 ? "parsed" : err);
    if (rc == 0) {
        char *d = fl_qnode_describe(n);
        free(d);
    }
    free(err);
    free(notes);
    fl_qnode_free(n);
}

int main(void)
{
    check("Bürger Häuser", "SEQ[TEXT(Bürger Häuser)]");
    check("  ", "SEQ[]");
    check("\"Gemeinsam alleine\"", "SEQ[PHRASE(Gemeinsam alleine)]");
    check("Kunst und Kultur", "SEQ[TEXT(Kunst und Kultur)]");
    check("Kunst UND Kultur", "SEQ[+TEXT(Kunst Kultur)]");
    check("Kunst AND Kultur -x", "SEQ[+TEXT(Kunst Kultur) -TEXT(x)]");
    check("a b AND c", "SEQ[TEXT(a) +TEXT(b c)]");
    check("Kunst ODER Kultur", "OR[SEQ[TEXT(Kunst)] SEQ[TEXT(Kultur)]]");
    check("a OR b c", "OR[SEQ[TEXT(a)] SEQ[TEXT(b c)]]");
    check("Kunst NICHT Kultur", "SEQ[TEXT(Kunst) -TEXT(Kultur)]");
    check("Kunst -Kultur", "SEQ[TEXT(Kunst) -TEXT(Kultur)]");
    check("Kunst -\"neue Kultur\"", "SEQ[TEXT(Kunst) -PHRASE(neue Kultur)]");
    check("Innov*", "SEQ[WILD(Innov)]");
    check("Bürger*innen", "SEQ[TEXT(Bürger*innen)]");
    check("*", "SEQ[ALL]");
    check("titel:Innovation", "SEQ[FIELD(title:Innovation)]");
    check("Titel:\"Open Innovation\"", "SEQ[FIELD(title:Open Innovation,q)]");
    check("autor:\"Maria Gonçalves\" KI", "SEQ[FIELD(author:Maria Gonçalves,q) TEXT(KI)]");
    check("kategorie:Rückblick", "SEQ[FIELD(category:Rückblick)]");
    check("category:Events tag:ki", "SEQ[FIELD(category:Events) FIELD(tag:ki)]");
    check("jahr:2025", "SEQ[FIELD(year:2025)]");
    check("jahr:2024..2025", "SEQ[RANGE(20240101..20251231)]");
    check("datum:2025-01-01..2025-06-30", "SEQ[RANGE(20250101..20250630)]");
    check("datum:2025-03", "SEQ[RANGE(20250301..20250331)]");
    check("datum:..2025-06-30", "SEQ[RANGE(..20250630)]");
    check("Hinweis: Text", "SEQ[TEXT(Hinweis: Text)]");
    check("https://example.org/x", "SEQ[TEXT(https://example.org/x)]");
    check("(Kunst OR Kultur) Bielefeld",
          "SEQ[OR[SEQ[TEXT(Kunst)] SEQ[TEXT(Kultur)]] TEXT(Bielefeld)]");
    check("§ 622 BGB", "SEQ[TEXT(§ 622 BGB)]");
    check("KI-Meetup", "SEQ[TEXT(KI-Meetup)]");
    check("-", "SEQ[TEXT(-)]");

    /* Lone and dangling operators are words or are ignored. */
    check("OR", "SEQ[TEXT(OR)]");
    check("AND", "SEQ[TEXT(AND)]");
    check("NOT", "SEQ[TEXT(NOT)]");
    check("Kunst OR", "SEQ[TEXT(Kunst)]");
    check("Kunst AND", "SEQ[TEXT(Kunst)]");
    check("NOT Kunst", "SEQ[-TEXT(Kunst)]");
    check("OR Kunst", "SEQ[TEXT(OR Kunst)]");
    check("Kunst AND AND Kultur", "SEQ[+TEXT(Kunst Kultur)]");

    /* Unbalanced quotes and parentheses are closed at the end. */
    check("\"offene Phrase", "SEQ[PHRASE(offene Phrase)]");
    check("(Kunst Kultur", "SEQ[SEQ[TEXT(Kunst Kultur)]]");
    check("Kunst) Kultur", "SEQ[TEXT(Kunst) Kultur)]");
    check("\"\"", "SEQ[PHRASE()]");

    /* Errors: clear messages. */
    check_err("datum:gestern", strlen("datum:gestern"), "datum:", "bad date");
    check_err("datum:2025-13-01", strlen("datum:2025-13-01"), "bad date range", "month 13");
    check_err("jahr:2026..2024", strlen("jahr:2026..2024"), "bad date range", "reversed range");
    char big[10240];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)("ab\"(-) *:OR"[i % 11]);
    check_err(big, sizeof big, "too long", "10 kB junk");

    /* Hostile strings survive. */
    survives("\xff\xfe Bürger \xc3", 11, "invalid UTF-8");
    survives("a\0b\0c", 5, "NUL bytes");
    char junk[1000];
    unsigned seed = 12345;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof junk; i++) {
            seed = seed * 1103515245u + 12345u;
            junk[i] = (char)(seed >> 16);
        }
        fl_qnode *n = NULL;
        char *err = NULL;
        int rc = fl_query_parse(junk, sizeof junk, &n, NULL, &err);
        if (!((rc == 0 && n) || (rc != 0 && err))) {
            ok(0, "random junk round %d", round);
            break;
        }
        free(err);
        fl_qnode_free(n);
        if (round == 199)
            ok(1, "200 rounds of random bytes parse or fail cleanly");
    }
    char ops[1000];
    for (size_t i = 0; i < sizeof ops; i++)
        ops[i] = "((((\"OR AND NOT-"[i % 16];
    survives(ops, sizeof ops, "operator soup");
    char parens[1000];
    memset(parens, '(', sizeof parens);
    survives(parens, sizeof parens, "1000 open parentheses");

    /* Term cap: long input is truncated with a note. */
    {
        char many[600] = "";
        for (int i = 0; i < 40; i++)
            strcat(many, "wort ");
        fl_qnode *n = NULL;
        char *err = NULL, *notes = NULL;
        int rc = fl_query_parse(many, strlen(many), &n, &notes, &err);
        ok(rc == 0 && notes && strstr(notes, "first 32 words"), "40 words: truncation note (%s)",
           notes ? notes : "none");
        free(notes);
        free(err);
        fl_qnode_free(n);
    }
    {
        fl_qnode *n = NULL;
        char *notes = NULL;
        fl_query_parse("\xff", 1, &n, &notes, NULL);
        ok(notes && strstr(notes, "invalid UTF-8"), "repair noted (%s)", notes ? notes : "none");
        free(notes);
        fl_qnode_free(n);
    }

    char d[9];
    ok(fl_query_parse_date("2024-02", 7, true, d) == 0 && strcmp(d, "20240231") == 0,
       "upper bound of a month");
    ok(fl_query_parse_date("2024", 4, false, d) == 0 && strcmp(d, "20240101") == 0,
       "lower bound of a year");
    ok(fl_query_parse_date("2024-1-5", 8, false, d) == 0 && strcmp(d, "20240105") == 0,
       "short month and day");
    ok(fl_query_parse_date("24-01-05", 8, false, d) != 0, "two-digit year rejected");
    ok(fl_query_field_name("TITEL", 5) && !fl_query_field_name("http", 4), "field names");
    return tap_done();
}
