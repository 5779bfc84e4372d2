/* cmd_index.c — `findling index`. */
#include "fl_cli.h"

#include <stdio.h>
#include <string.h>

int fl_cmd_index(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("findling index: not implemented yet (tracked in issue 4)\n");
        return 0;
    }
    fprintf(stderr, "findling index: not implemented yet (tracked in issue 4)\n");
    return 2;
}
