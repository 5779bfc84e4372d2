/* findling.c — the one `findling` binary: dispatches to the subcommands. */
#include "fl_cli.h"
#include "fl_xapian.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
    "findling — German full-text search for websites and their archives\n"
    "\n"
    "Usage: findling COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Commands:\n"
    "  index    index a Jekyll site or a Markdown archive (incremental, atomic)\n"
    "  search   search the index from the terminal (filters, facets, JSON)\n"
    "  serve    run the JSON search server and the search widget\n"
    "  analyze  show what the German analysis chain makes of a text\n"
    "  stats    show what the index holds\n"
    "\n"
    "Options:\n"
    "  --help       this text; `findling COMMAND --help` explains a command\n"
    "  --version    print the version\n"
    "\n"
    "The index is --db DIR, else $FINDLING_DB, else the config's db:, else ./findling.db.\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("findling %s (Xapian %s)\n", FL_VERSION, fl_xapian_version());
        return 0;
    }
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } commands[] = {
        {"index", fl_cmd_index},     {"search", fl_cmd_search}, {"serve", fl_cmd_serve},
        {"analyze", fl_cmd_analyze}, {"stats", fl_cmd_stats},
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "findling: unknown command '%s'\n\n%s", cmd, usage);
    return 2;
}
