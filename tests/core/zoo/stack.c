/* Hostile SIP: unbounded recursion. Must trap (call stack exhausted, or its shadow stack
 * running off the bottom of memory), never take the node down. */
static int deep(volatile int *x, int n)
{
    volatile int frame[16];
    if (n < 0)                                  /* never: n only grows */
        return 0;
    frame[n & 15] = n;
    return deep(x, n + 1) + frame[(n + 1) & 15] + *x;
}

int main(void)
{
    volatile int x = 1;
    return deep(&x, 0);
}
