/* bench/spawn baseline: the smallest useful Linux program, linked statically. */
int main(void)
{
    return 0;
}
