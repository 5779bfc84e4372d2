/* cmd_analyze.c — `findling analyze`. */
#include "fl_cli.h"

#include <stdio.h>
#include <string.h>

int fl_cmd_analyze(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("findling analyze: not implemented yet (tracked in issue 3)\n");
        return 0;
    }
    fprintf(stderr, "findling analyze: not implemented yet (tracked in issue 3)\n");
    return 2;
}
