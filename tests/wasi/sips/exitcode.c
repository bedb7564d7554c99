/* Test SIP: ends with the exit code given as argv[1], through exit() (proc_exit), after
 * output that stdio must flush first. With argv[2] == "return" it returns from main. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    int code = argc > 1 ? atoi(argv[1]) : 0;
    printf("exiting with %d", code);          /* no newline: exit must flush it */
    if (argc > 2 && !strcmp(argv[2], "return")) return code;
    exit(code);
}
