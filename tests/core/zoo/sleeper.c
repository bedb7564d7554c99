/* A polite SIP (kept with the zoo for the scheduler tests): sleeps three times 20 ms
 * through WASI, then reports. While it sleeps it must not be scheduled. */
#include <stdio.h>
#include <time.h>

int main(void)
{
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    for (int i = 0; i < 3; i++)
        nanosleep(&ts, NULL);
    printf("sleeper: woke up 3 times\n");
    return 0;
}
