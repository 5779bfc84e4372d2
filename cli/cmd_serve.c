/* cmd_serve.c — `findling serve`: the JSON search server and the widget.
 *
 * SIGTERM and SIGINT are blocked before the server's threads start (they
 * inherit the mask), so only this thread receives them, in sigwait(): no
 * async-signal-safety puzzles, and a clean stop with in-flight requests
 * finishing.
 */
#include "fl_cli.h"
#include "fl_indexer.h"

#include "fl_analyzer.h"
#include "fl_buf.h"
#include "fl_server.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char serve_usage[] =
    "Usage: findling serve [OPTIONS]\n"
    "\n"
    "Serves the index over HTTP: the JSON search API, autocomplete, the search\n"
    "widget and a demo search page.  Picks up every new index revision (also a\n"
    "`findling index --full` swap) within a second, without a restart.\n"
    "\n"
    "Options:\n"
    "  --db DIR              the index (default: $FINDLING_DB, else ./findling.db)\n"
    "  --listen HOST:PORT    address to listen on (default 127.0.0.1:8080;\n"
    "                        IPv6 as [::1]:8080; port 0 picks a free port)\n"
    "  --threads N           HTTP threads and search threads, N of each (default:\n"
    "                        number of cores)\n"
    "  --cors-origin ORIGIN  allow this exact origin (e.g. https://example.org)\n"
    "                        cross-origin access; repeatable\n"
    "  --access-log FILE|-   append one line per request (- = stdout); SIGHUP\n"
    "                        reopens FILE (log rotation)\n"
    "  --rate-limit N        at most N requests per second per client IP (429)\n"
    "  --trust-proxy IP      requests from this address (a reverse proxy) count for\n"
    "                        the last address in their X-Forwarded-For (rate limit,\n"
    "                        access log); without it the header is ignored\n"
    "  --max-connections N   concurrent connections (default 512)\n"
    "  --max-connections-per-ip N  concurrent connections per client IP (default:\n"
    "                        no limit; set it when clients connect directly)\n"
    "  --timeout SECONDS     idle connection timeout (default 15)\n"
    "  --request-timeout SECONDS  a request must arrive whole within this time of\n"
    "                        its connection's opening (on a kept-alive connection:\n"
    "                        after the idle time --timeout allows), else the\n"
    "                        connection is closed (default 30; against clients\n"
    "                        trickling their headers)\n"
    "  --shutdown-timeout SECONDS  on SIGTERM/SIGINT, how long requests in flight\n"
    "                        and searches queued may still take (default 10;\n"
    "                        decimals allowed); searches still queued then get 503\n"
    "  --cache-mb N          keep answers of repeated searches and suggestions in\n"
    "                        at most N MiB (default 32; 0 = no cache); a new index\n"
    "                        revision drops them\n"
    "  --map-mb N            read the index through read-only mappings of its files,\n"
    "                        keeping at most N MiB of their pages mapped (default 48;\n"
    "                        0 = one pread() per block, as Xapian does alone)\n"
    "  -h, --help            this text\n"
    "\n"
    "Endpoints:\n"
    "  GET /api/search?q=&category=&author=&tag=&year=&since=&until=&sort=&offset=&limit=\n"
    "  GET /api/suggest?q=   GET /healthz   GET /metrics\n"
    "  GET /widget.js   GET /widget.css   GET /  (demo search page)\n"
    "\n"
    "Exit status: 0 after SIGTERM/SIGINT, 2 usage error, 3 cannot open the index or the port.\n";

static int parse_unsigned(const char *opt, const char *s, unsigned min, unsigned max,
                          unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || errno || s[0] == '-' || v < min || v > max) {
        fprintf(stderr, "findling serve: %s must be a whole number from %u to %u, not '%s'\n",
                opt, min, max, s);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

int fl_cmd_serve(int argc, char **argv)
{
    enum { OPT_DB = 256, OPT_LISTEN, OPT_THREADS, OPT_CORS, OPT_LOG, OPT_RATE, OPT_MAXCONN,
           OPT_TIMEOUT, OPT_MAXCONNIP, OPT_TRUSTPROXY, OPT_CACHEMB, OPT_MAPMB, OPT_SHUTDOWN,
           OPT_REQTIMEOUT };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"cors-origin", required_argument, NULL, OPT_CORS},
        {"access-log", required_argument, NULL, OPT_LOG},
        {"rate-limit", required_argument, NULL, OPT_RATE},
        {"max-connections", required_argument, NULL, OPT_MAXCONN},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"max-connections-per-ip", required_argument, NULL, OPT_MAXCONNIP},
        {"trust-proxy", required_argument, NULL, OPT_TRUSTPROXY},
        {"cache-mb", required_argument, NULL, OPT_CACHEMB},
        {"map-mb", required_argument, NULL, OPT_MAPMB},
        {"shutdown-timeout", required_argument, NULL, OPT_SHUTDOWN},
        {"request-timeout", required_argument, NULL, OPT_REQTIMEOUT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    fl_server_options o;
    memset(&o, 0, sizeof o);
    o.cache_mb = 32;
    o.map_mb = 48;
    const char *db_arg = NULL;
    const char **cors = fl_xcalloc((size_t)argc + 1, sizeof *cors);
    size_t ncors = 0;
    int status = 2;

    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: db_arg = optarg; break;
        case OPT_LISTEN: o.listen = optarg; break;
        case OPT_THREADS:
            if (parse_unsigned("--threads", optarg, 1, 256, &o.threads) != 0)
                goto out;
            break;
        case OPT_CORS:
            if (!fl_server_origin_valid(optarg)) {
                fprintf(stderr, "findling serve: --cors-origin wants an exact origin as a "
                                "browser sends it, such as https://example.org or "
                                "http://localhost:4000 (lower case, no '*', no path, no "
                                "trailing slash), not '%s'\n",
                        optarg);
                goto out;
            }
            cors[ncors++] = optarg;
            break;
        case OPT_LOG: o.access_log = optarg; break;
        case OPT_RATE: {
            char *end;
            errno = 0;
            double r = strtod(optarg, &end);
            if (!*optarg || *end || errno || !(r > 0) || r > 1e6) {
                fprintf(stderr, "findling serve: --rate-limit must be a positive number of "
                                "requests per second, not '%s'\n", optarg);
                goto out;
            }
            o.rate_limit = r;
            break;
        }
        case OPT_MAXCONN:
            if (parse_unsigned("--max-connections", optarg, 1, 100000, &o.max_connections) != 0)
                goto out;
            break;
        case OPT_MAXCONNIP:
            if (parse_unsigned("--max-connections-per-ip", optarg, 1, 100000,
                               &o.max_connections_per_ip) != 0)
                goto out;
            break;
        case OPT_TRUSTPROXY: o.trust_proxy = optarg; break;
        case OPT_CACHEMB:
            if (parse_unsigned("--cache-mb", optarg, 0, 65536, &o.cache_mb) != 0)
                goto out;
            break;
        case OPT_MAPMB:
            if (parse_unsigned("--map-mb", optarg, 0, 1048576, &o.map_mb) != 0)
                goto out;
            break;
        case OPT_TIMEOUT:
            if (parse_unsigned("--timeout", optarg, 1, 3600, &o.connection_timeout_s) != 0)
                goto out;
            break;
        case OPT_REQTIMEOUT:
            if (parse_unsigned("--request-timeout", optarg, 1, 3600, &o.request_timeout_s) != 0)
                goto out;
            break;
        case OPT_SHUTDOWN: {
            char *end;
            errno = 0;
            double t = strtod(optarg, &end);
            if (!*optarg || *end || errno || !(t >= 0.001) || t > 3600) {
                fprintf(stderr, "findling serve: --shutdown-timeout must be a number of seconds "
                                "from 0.001 to 3600, not '%s'\n", optarg);
                goto out;
            }
            o.drain_ms = (unsigned)(t * 1000 + 0.5);
            break;
        }
        case 'h':
            fputs(serve_usage, stdout);
            status = 0;
            goto out;
        default:
            if (optopt && optopt < 256 && optopt != '?')
                fprintf(stderr, "findling serve: unknown option '-%c'\n\n", optopt);
            else
                fprintf(stderr, "findling serve: bad option '%s'\n\n", argv[optind - 1]);
            fputs(serve_usage, stderr);
            goto out;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "findling serve: unexpected argument '%s'\n\n%s", argv[optind],
                serve_usage);
        goto out;
    }
    if (o.listen) {
        /* Usage errors before anything is opened (exit 2, not 3). */
        char *host = NULL, *lerr = NULL;
        unsigned port;
        if (fl_server_parse_listen(o.listen, &host, &port, &lerr) != 0) {
            fprintf(stderr, "findling serve: %s\n", lerr);
            free(lerr);
            goto out;
        }
        free(host);
    }
    o.cors_origins = cors;
    o.ncors_origins = ncors;

    char *db = fl_cli_db_path(db_arg, NULL);
    o.db_path = db;
    char *err = NULL;
    /* Read at start: a later --full with other findling.yml words needs a
     * restart of serve to take effect. */
    fl_analyzer *an = fl_cli_analyzer_for_index(db, &err);
    if (!an) {
        fprintf(stderr, "findling serve: %s\n", err ? err : "cannot set up the analyzer");
        free(err);
        free(db);
        status = 3;
        goto out;
    }

    /* Block the stop signals in every thread; this one waits for them. */
    sigset_t stopset, oldset;
    sigemptyset(&stopset);
    sigaddset(&stopset, SIGTERM);
    sigaddset(&stopset, SIGINT);
    sigaddset(&stopset, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stopset, &oldset);
    signal(SIGPIPE, SIG_IGN);

    fl_server *srv = NULL;
    int rc = fl_server_start(&o, an, &srv, &err);
    if (rc != 0) {
        fprintf(stderr, "findling serve: %s\n", err ? err : "cannot start");
        free(err);
        status = rc == FL_SERVER_EUSAGE ? 2 : 3;
    } else {
        printf("findling serve: listening on %s (index %s)\n", fl_server_url(srv), db);
        fflush(stdout);
        int sig = 0;
        for (;;) {
            if (sigwait(&stopset, &sig) != 0)
                continue;
            if (sig != SIGHUP)
                break;
            if (fl_server_reopen_log(srv, &err) != 0) {
                fprintf(stderr, "findling serve: %s\n", err);
                free(err);
                err = NULL;
            }
        }
        fprintf(stderr, "findling serve: %s received, finishing requests\n",
                sig == SIGTERM ? "SIGTERM" : "SIGINT");
        fl_server_stop(srv);
        status = 0;
    }
    pthread_sigmask(SIG_SETMASK, &oldset, NULL);
    fl_analyzer_free(an);
    free(db);
out:
    free(cors);
    return status;
}
