/* cmd_analyze.c — `findling analyze`: shows what the German analysis chain
 * makes of a text, so an admin can see why something matched (or did not). */
#include "fl_analyzer.h"
#include "fl_buf.h"
#include "fl_cli.h"
#include "fl_json.h"
#include "fl_stem.h"
#include "fl_terms.h"
#include "fl_utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: findling analyze [--json] [--query] [OPTIONS] [TEXT...]\n"
    "       findling analyze --stem < WORDS\n"
    "\n"
    "Shows what the German analysis chain makes of TEXT (or of standard input\n"
    "when no TEXT is given): one line per token with its exact form, its stem,\n"
    "its compound parts and flags, and the terms the index stores for it:\n"
    "  <stem>     the stemmed word (positional; phrases use it)\n"
    "  E<exact>   the exact word, lower case (ranks exact matches higher)\n"
    "  P<part>    a compound part (\"Zivilgesellschaft\" -> Pzivil, Pgesellschaft)\n"
    "\n"
    "Options:\n"
    "  --query           show the terms a search for TEXT looks up instead: stop\n"
    "                    words are dropped; each word searches <stem>, E<exact> and\n"
    "                    P<stem> (compounds that contain the word)\n"
    "  --json            a JSON list of {\"token\", \"terms\", \"exact\", \"stem\",\n"
    "                    \"parts\", \"kind\", \"flags\", ...} objects\n"
    "  --stem            read words one per line from standard input and print\n"
    "                    one Snowball German stem per line (nothing else)\n"
    "  --wordlist FILE   word list for compounds and gender forms\n"
    "                    (default " FL_DEFAULT_WORDLIST " when present)\n"
    "  --no-compounds    do not split compound words\n"
    "  --no-gender       do not unify gender forms\n"
    "  --help            this text\n"
    "\n"
    "Examples:\n"
    "  findling analyze 'Bürger*innen und Expertinnen im Kündigungsschutzgesetz'\n"
    "  findling analyze --query 'Rückblick auf das KI-Meetup am 15.01.2026'\n"
    "  echo '§ 622 BGB, z. B. info@example.org' | findling analyze --json\n"
    "  findling analyze --stem < voc.txt | diff - output.txt\n"
    "\n"
    "Exit status: 0 success, 1 error (e.g. unreadable word list), 2 usage error.\n";

typedef struct ctx {
    bool json, query;
    fl_json j;
    fl_buf *out;
    fl_buf line;
} ctx;

static const char *kind_name(fl_token_kind k)
{
    switch (k) {
    case FL_TOKEN_WORD:
        return "word";
    case FL_TOKEN_NUMBER:
        return "number";
    case FL_TOKEN_DATE:
        return "date";
    case FL_TOKEN_PARAGRAPH:
        return "citation";
    case FL_TOKEN_EMAIL:
        return "email";
    case FL_TOKEN_URL:
        return "url";
    }
    return "?";
}

static const struct {
    unsigned flag;
    const char *name;
} flag_names[] = {
    {FL_TOKFLAG_GENDER, "gender"},         {FL_TOKFLAG_COMPOUND, "compound"},
    {FL_TOKFLAG_FOLDED, "folded"},         {FL_TOKFLAG_STOPWORD, "stopword"},
    {FL_TOKFLAG_HYPHENATED, "hyphenated"},
};

/* The terms for a token, '\0'-separated in out; returns their number. */
static size_t token_terms(const fl_token *t, bool query, fl_buf *out)
{
    fl_buf_reset(out);
    if (query && (t->flags & FL_TOKFLAG_STOPWORD))
        return 0;
    size_t n = 0;
    fl_buf_puts(out, t->stem);
    fl_buf_putc(out, 0);
    n++;
    fl_buf_printf(out, "%s%s", FL_PREFIX_EXACT, t->exact);
    fl_buf_putc(out, 0);
    n++;
    if (query) {
        fl_buf_printf(out, "%s%s", FL_PREFIX_PART, t->stem);
        fl_buf_putc(out, 0);
        n++;
    } else {
        for (size_t i = 0; i < t->nparts; i++) {
            fl_buf_printf(out, "%s%s", FL_PREFIX_PART, t->parts[i]);
            fl_buf_putc(out, 0);
            n++;
        }
    }
    return n;
}

static int on_token(void *ud, const fl_token *t)
{
    ctx *c = ud;
    fl_buf terms = FL_BUF_INIT;
    size_t nt = token_terms(t, c->query, &terms);
    if (c->json) {
        fl_json *j = &c->j;
        fl_json_object_begin(j);
        fl_json_key(j, "token");
        fl_json_string_n(j, t->surface, t->surface_len);
        fl_json_key(j, "terms");
        fl_json_array_begin(j);
        for (size_t i = 0, off = 0; i < nt; i++) {
            fl_json_string(j, terms.data + off);
            off += strlen(terms.data + off) + 1;
        }
        fl_json_array_end(j);
        fl_json_key(j, "offset");
        fl_json_int(j, (int64_t)t->offset);
        fl_json_key(j, "position");
        fl_json_int(j, (int64_t)t->index);
        fl_json_key(j, "kind");
        fl_json_string(j, kind_name(t->kind));
        fl_json_key(j, "exact");
        fl_json_string(j, t->exact);
        fl_json_key(j, "stem");
        fl_json_string(j, t->stem);
        fl_json_key(j, "parts");
        fl_json_array_begin(j);
        for (size_t i = 0; i < t->nparts; i++)
            fl_json_string(j, t->parts[i]);
        fl_json_array_end(j);
        fl_json_key(j, "gender_base");
        fl_json_string_or_null(j, t->gender_base);
        fl_json_key(j, "flags");
        fl_json_array_begin(j);
        for (size_t i = 0; i < sizeof flag_names / sizeof *flag_names; i++)
            if (t->flags & flag_names[i].flag)
                fl_json_string(j, flag_names[i].name);
        fl_json_array_end(j);
        fl_json_object_end(j);
    } else {
        fl_buf *o = c->out;
        fl_buf_append(o, t->surface, t->surface_len);
        if (c->query) {
            if (t->flags & FL_TOKFLAG_STOPWORD) {
                fl_buf_puts(o, "  (stop word: not searched)\n");
                fl_buf_free(&terms);
                return 0;
            }
            fl_buf_puts(o, "  →");
            for (size_t i = 0, off = 0; i < nt; i++) {
                fl_buf_printf(o, " %s", terms.data + off);
                off += strlen(terms.data + off) + 1;
            }
            fl_buf_putc(o, '\n');
        } else {
            fl_buf_printf(o, "  → exact %s  stem %s", t->exact, t->stem);
            if (t->gender_base)
                fl_buf_printf(o, "  gender-base %s", t->gender_base);
            if (t->nparts) {
                fl_buf_puts(o, "  parts ");
                for (size_t i = 0; i < t->nparts; i++)
                    fl_buf_printf(o, "%s%s", i ? "+" : "", t->parts[i]);
            }
            fl_buf_printf(o, "  [%s", kind_name(t->kind));
            for (size_t i = 0; i < sizeof flag_names / sizeof *flag_names; i++)
                if (t->flags & flag_names[i].flag)
                    fl_buf_printf(o, ",%s", flag_names[i].name);
            fl_buf_puts(o, "]\n    terms:");
            for (size_t i = 0, off = 0; i < nt; i++) {
                fl_buf_printf(o, " %s", terms.data + off);
                off += strlen(terms.data + off) + 1;
            }
            fl_buf_putc(o, '\n');
        }
        if (o->len > 1 << 16) {
            fwrite(o->data, 1, o->len, stdout);
            fl_buf_reset(o);
        }
    }
    fl_buf_free(&terms);
    return 0;
}

static int read_all(FILE *f, fl_buf *out)
{
    char chunk[1 << 16];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fl_buf_append(out, chunk, n);
    if (!out->data)
        fl_buf_puts(out, "");
    return ferror(f) ? -1 : 0;
}

/* --stem: words one per line in, stems one per line out. */
static int stem_lines(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    fl_buf out = FL_BUF_INIT, rep = FL_BUF_INIT;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        fl_buf_reset(&rep);
        fl_utf8_repair(&rep, line, len, NULL);
        fl_german_stem(rep.data ? rep.data : "", rep.len, &out);
        fl_buf_putc(&out, '\n');
        if (out.len > 1 << 16) {
            fwrite(out.data, 1, out.len, stdout);
            fl_buf_reset(&out);
        }
    }
    if (out.len)
        fwrite(out.data, 1, out.len, stdout);
    free(line);
    fl_buf_free(&out);
    fl_buf_free(&rep);
    if (ferror(stdin)) {
        fprintf(stderr, "findling analyze --stem: error reading standard input\n");
        return 1;
    }
    return 0;
}

int fl_cmd_analyze(int argc, char **argv)
{
    bool json = false, query = false, stem = false;
    fl_analyzer_options opts = {0};
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--query") == 0) {
            query = true;
        } else if (strcmp(a, "--stem") == 0) {
            stem = true;
        } else if (strcmp(a, "--no-compounds") == 0) {
            opts.no_compounds = true;
        } else if (strcmp(a, "--no-gender") == 0) {
            opts.no_gender = true;
        } else if (strcmp(a, "--wordlist") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "findling analyze: --wordlist needs a FILE\n");
                return 2;
            }
            opts.wordlist_path = argv[++i];
        } else if (strncmp(a, "--wordlist=", 11) == 0) {
            opts.wordlist_path = a + 11;
        } else if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "findling analyze: unknown option '%s'\n\n%s", a, usage);
            return 2;
        } else {
            break;
        }
    }
    if (stem) {
        if (i < argc || json || query) {
            fprintf(stderr, "findling analyze: --stem reads words from standard input only\n");
            return 2;
        }
        return stem_lines();
    }
    fl_buf raw = FL_BUF_INIT, text = FL_BUF_INIT;
    if (i < argc) {
        for (int k = i; k < argc; k++) {
            if (k > i)
                fl_buf_putc(&raw, ' ');
            fl_buf_puts(&raw, argv[k]);
        }
    } else if (read_all(stdin, &raw) != 0) {
        fprintf(stderr, "findling analyze: error reading standard input\n");
        fl_buf_free(&raw);
        return 1;
    }
    size_t bad = fl_utf8_repair(&text, fl_buf_cstr(&raw), raw.len, NULL);
    if (bad)
        fprintf(stderr, "findling analyze: warning: %zu invalid UTF-8 byte(s) replaced\n", bad);
    fl_buf_free(&raw);
    if (!text.data)
        fl_buf_puts(&text, "");

    char *err = NULL;
    fl_analyzer *an = fl_analyzer_new(&opts, &err);
    if (!an) {
        fprintf(stderr, "findling analyze: %s\n", err ? err : "cannot set up the analyzer");
        free(err);
        fl_buf_free(&text);
        return 1;
    }
    fl_buf out = FL_BUF_INIT;
    ctx c = {.json = json, .query = query, .out = &out};
    if (json) {
        fl_json_init(&c.j, &out);
        fl_json_array_begin(&c.j);
    }
    int rc = fl_analyze(an, text.data, text.len, on_token, &c, &err);
    if (rc < 0) {
        fprintf(stderr, "findling analyze: %s\n", err ? err : "analysis failed");
        free(err);
    }
    if (json) {
        fl_json_array_end(&c.j);
        fl_buf_putc(&out, '\n');
    }
    fwrite(fl_buf_cstr(&out), 1, out.len, stdout);
    fl_buf_free(&out);
    fl_buf_free(&text);
    fl_analyzer_free(an);
    return rc < 0 ? 1 : 0;
}
