/* Test SIP: sched_yield hands the CPU back and then returns 0; counts to prove it resumes. */
#include <sched.h>
#include <stdio.h>

int main(void)
{
    int ok = 0;
    for (int i = 0; i < 5; i++) ok += sched_yield() == 0;
    printf("yielded %d\n", ok);
    return 0;
}
