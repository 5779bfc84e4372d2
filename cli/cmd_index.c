/* cmd_index.c — `findling index`: a site into the index (see fl_indexer.h). */
#include "fl_cli.h"

#include "fl_buf.h"
#include "fl_config.h"
#include "fl_indexer.h"
#include "fl_json.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char help[] =
    "Usage: findling index [OPTIONS] SITE_DIR\n"
    "\n"
    "Indexes a Jekyll site (a folder with _config.yml) or a plain Markdown archive.\n"
    "Runs are incremental: only added, changed and deleted files are touched, and the\n"
    "whole run becomes visible to searches at once when it ends.\n"
    "\n"
    "Options:\n"
    "  --db DIR        index folder (else $FINDLING_DB, the config's db:, ./findling.db)\n"
    "  --config FILE   findling.yml (else $FINDLING_CONFIG, else SITE_DIR/findling.yml)\n"
    "  --full          rebuild from scratch beside the live index, then swap it in\n"
    "  --drafts        also index _drafts/\n"
    "  --quiet         print only errors and the summary line\n"
    "  --verbose       also name the files skipped on purpose (noindex, future, ...)\n"
    "  --json          print the summary as one JSON object\n"
    "  --threads N     analysis threads (default: one per CPU, at most 4)\n"
    "  --writers N     full build: N writer threads, each filling a part, merged at\n"
    "                  the end (default: one per CPU, at most 4, from 500 files on)\n"
    "  --no-compact    full build: skip the compaction at the end (of the merged\n"
    "                  parts, or of each shard): faster, about twice the disk\n"
    "  --shards N      keep the index as N shard databases (1..64; default: the\n"
    "                  config's shards:, else the index's current count, else 1).\n"
    "                  A different count than the index has means a full rebuild.\n"
    "                  Searches open all shards as one (also remote ones, see README)\n"
    "  --changesets N  keep N changesets in the index for xapian-replicate-server, so\n"
    "                  replicas fetch only what changed (else the config's\n"
    "                  changesets:, else none; see README \"Scaling out\")\n"
    "  --help          this text\n"
    "\n"
    "Problems with single files are printed to stderr as PATH:LINE: REASON; the rest\n"
    "of the site is indexed.  A progress bar is shown on a terminal only.\n"
    "\n"
    "Exit status: 0 all indexed; 1 committed, but some files failed; 2 usage error;\n"
    "3 fatal error, the index is left as it was; 75 another run holds the index lock.\n"
    "\n"
    "Examples:\n"
    "  findling index --db /var/lib/findling/site.db /srv/www/site\n"
    "  findling index --db laws.db --full --json ~/gesetze\n"
    "  FINDLING_DB=site.db findling index --quiet .    # nightly, from cron\n";

typedef struct cli_state {
    bool quiet, verbose, progress;
    double t0, last_draw;
    bool drawn;
} cli_state;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void clear_bar(cli_state *st)
{
    if (st->drawn) {
        fputs("\r\033[K", stderr);
        st->drawn = false;
    }
}

static void on_report(void *ud, fl_index_level lvl, const char *path, int line, const char *msg)
{
    cli_state *st = ud;
    if (lvl == FL_INDEX_INFO && !st->verbose)
        return;
    if (lvl == FL_INDEX_WARNING && st->quiet)
        return;
    clear_bar(st);
    const char *kind = lvl == FL_INDEX_ERROR ? "" : lvl == FL_INDEX_WARNING ? "warning: " : "skipped: ";
    if (!path)
        fprintf(stderr, "%s%s\n", kind, msg);
    else if (line > 0)
        fprintf(stderr, "%s:%d: %s%s\n", path, line, kind, msg);
    else
        fprintf(stderr, "%s: %s%s\n", path, kind, msg);
}

static void on_progress(void *ud, size_t done, size_t total)
{
    cli_state *st = ud;
    if (!st->progress || total == 0)
        return;
    double now = mono();
    if (done < total && now - st->last_draw < 0.1)
        return;
    st->last_draw = now;
    double el = now - st->t0;
    double rate = el > 0 ? done / el : 0;
    double eta = rate > 0 ? (total - done) / rate : 0;
    int width = 30, fill = (int)(width * (double)done / (double)total);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '-';
    bar[width] = '\0';
    fprintf(stderr, "\r\033[K[%s] %zu/%zu files  %.0f docs/s  ETA %d:%02d", bar, done, total, rate,
            (int)eta / 60, (int)eta % 60);
    st->drawn = true;
    if (done == total)
        clear_bar(st);
}

int fl_cmd_index(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},    {"config", required_argument, NULL, 'c'},
        {"full", no_argument, NULL, 'f'},        {"drafts", no_argument, NULL, 'D'},
        {"quiet", no_argument, NULL, 'q'},       {"verbose", no_argument, NULL, 'v'},
        {"json", no_argument, NULL, 'j'},        {"threads", required_argument, NULL, 't'},
        {"no-compact", no_argument, NULL, 'N'},  {"help", no_argument, NULL, 'h'},
        {"shards", required_argument, NULL, 'S'},
        {"writers", required_argument, NULL, 'W'},
        {"changesets", required_argument, NULL, 'C'},
        {NULL, 0, NULL, 0}};
    const char *db_arg = NULL, *config_arg = NULL;
    bool full = false, drafts = false, json = false, no_compact = false;
    unsigned threads = 0, shards = 0, writers = 0, changesets = 0;
    cli_state st = {0};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+hqv", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db_arg = optarg; break;
        case 'c': config_arg = optarg; break;
        case 'f': full = true; break;
        case 'D': drafts = true; break;
        case 'q': st.quiet = true; break;
        case 'v': st.verbose = true; break;
        case 'j': json = true; break;
        case 'N': no_compact = true; break;
        case 't': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 64) {
                fprintf(stderr, "findling index: --threads: expected 1..64, got '%s'\n", optarg);
                return 2;
            }
            threads = (unsigned)n;
            break;
        }
        case 'W': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 4) {
                fprintf(stderr, "findling index: --writers: expected 1..4, got '%s'\n", optarg);
                return 2;
            }
            writers = (unsigned)n;
            break;
        }
        case 'S': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > FL_CONFIG_MAX_SHARDS) {
                fprintf(stderr, "findling index: --shards: expected 1..%d, got '%s'\n",
                        FL_CONFIG_MAX_SHARDS, optarg);
                return 2;
            }
            shards = (unsigned)n;
            break;
        }
        case 'C': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || end == optarg || n < 1 || n > 100000) {
                fprintf(stderr, "findling index: --changesets: expected 1..100000, got '%s'\n",
                        optarg);
                return 2;
            }
            changesets = (unsigned)n;
            break;
        }
        case 'h': fputs(help, stdout); return 0;
        default:
            fprintf(stderr, "findling index: unknown or incomplete option '%s'\n"
                            "Try 'findling index --help'.\n", argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "findling index: expected exactly one SITE_DIR\n"
                        "Usage: findling index [--db DIR] [--config FILE] [--full] [--drafts] "
                        "[--quiet] [--json] SITE_DIR\n");
        return 2;
    }
    const char *site = argv[optind];
    struct stat sst;
    if (stat(site, &sst) != 0 || !S_ISDIR(sst.st_mode)) {
        fprintf(stderr, "findling index: %s: not a folder\n", site);
        return 2;
    }
    char *err = NULL;
    fl_config *cfg = fl_config_load(config_arg, site, &err);
    if (!cfg) {
        fprintf(stderr, "findling index: %s\n", err ? err : "cannot load the config");
        free(err);
        return 2;
    }
    if (!st.quiet)
        for (size_t i = 0; i < cfg->warnings.n; i++)
            fprintf(stderr, "warning: %s\n", cfg->warnings.items[i]);
    char *db = fl_cli_db_path(db_arg, cfg->db);
    st.progress = !st.quiet && isatty(STDERR_FILENO) && isatty(STDOUT_FILENO);
    st.t0 = mono();

    fl_index_options opt = {0};
    opt.site_dir = site;
    opt.db_dir = db;
    opt.config = cfg;
    opt.full = full;
    opt.drafts = drafts;
    opt.threads = threads;
    opt.no_compact = no_compact;
    opt.writers = writers;
    opt.shards = shards;
    opt.changesets = changesets;
    opt.report = on_report;
    opt.progress = on_progress;
    opt.ud = &st;
    fl_index_summary sum;
    int rc = fl_index_run(&opt, &sum, &err);
    clear_bar(&st);
    if (rc == FL_INDEX_OK || rc == FL_INDEX_PARTIAL) {
        if (json) {
            fl_buf b = FL_BUF_INIT;
            fl_json j;
            fl_json_init(&j, &b);
            fl_json_object_begin(&j);
            fl_json_key(&j, "added");
            fl_json_int(&j, sum.added);
            fl_json_key(&j, "updated");
            fl_json_int(&j, sum.updated);
            fl_json_key(&j, "deleted");
            fl_json_int(&j, sum.deleted);
            fl_json_key(&j, "unchanged");
            fl_json_int(&j, sum.unchanged);
            fl_json_key(&j, "failed");
            fl_json_int(&j, sum.failed);
            fl_json_key(&j, "seconds");
            fl_json_double(&j, sum.seconds, 3);
            fl_json_key(&j, "documents");
            fl_json_int(&j, sum.documents);
            fl_json_key(&j, "revision");
            fl_json_int(&j, (int64_t)sum.revision);
            fl_json_key(&j, "full");
            fl_json_bool(&j, sum.full);
            fl_json_object_end(&j);
            printf("%s\n", fl_buf_cstr(&b));
            fl_buf_free(&b);
        } else {
            printf("indexed: %u added, %u updated, %u deleted, %u unchanged, %u failed in %.1f s "
                   "(%u documents)\n",
                   sum.added, sum.updated, sum.deleted, sum.unchanged, sum.failed, sum.seconds,
                   sum.documents);
        }
    } else {
        fprintf(stderr, "findling index: %s\n", err ? err : "failed");
        if (rc == FL_INDEX_EFATAL)
            fprintf(stderr, "findling index: nothing was changed in %s\n", db);
    }
    free(err);
    free(db);
    fl_config_free(cfg);
    return rc;
}
