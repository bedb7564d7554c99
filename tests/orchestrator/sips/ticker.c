/* A long-running SIP for the orchestrator tests: prints "tick N" every 100 ms until it
 * is stopped, or exits after argv[1] ticks if given. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    int limit = argc > 1 ? atoi(argv[1]) : 0;
    struct timespec ts = { 0, 100 * 1000 * 1000 };
    for (int i = 1; !limit || i <= limit; i++) {
        printf("tick %d\n", i);
        fflush(stdout);
        nanosleep(&ts, NULL);
    }
    return 0;
}
