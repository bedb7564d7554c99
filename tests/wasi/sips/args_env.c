/* Test SIP: prints its arguments and environment as the host gave them. */
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    int n = 0;
    for (char **e = environ; *e; e++, n++)
        printf("env=%s\n", *e);
    printf("envc=%d\n", n);
    const char *role = getenv("ROLE");
    printf("ROLE=%s\n", role ? role : "(unset)");
    return 0;
}
