/* Hostile SIP: reads far outside its linear memory. Must trap. */
int main(void)
{
    volatile unsigned *p = (volatile unsigned *)0xFFFFFFF0u;
    return (int)*p;
}
