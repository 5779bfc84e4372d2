/* cmd_search.c — `findling search`. */
#include "fl_cli.h"

#include <stdio.h>
#include <string.h>

int fl_cmd_search(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("findling search: not implemented yet (tracked in issue 5)\n");
        return 0;
    }
    fprintf(stderr, "findling search: not implemented yet (tracked in issue 5)\n");
    return 2;
}
