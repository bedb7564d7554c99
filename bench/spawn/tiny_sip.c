/* bench/spawn: the smallest SIP -- a WASI command that returns at once. */
int main(void)
{
    return 0;
}
