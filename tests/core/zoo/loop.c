/* Hostile SIP: spins forever. The scheduler must preempt it when its fuel slice runs out. */
int main(void)
{
    volatile unsigned long n = 0;
    for (;;)
        n++;
}
