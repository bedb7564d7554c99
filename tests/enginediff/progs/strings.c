/* Differential program: C string functions (strcat, strcpy, strlen, strcmp, strchr, ...)
 * on buffers at every small alignment, which sends wasi-libc through its word-at-a-time
 * loops. Printed output must match the native build byte for byte. */
#include <stdio.h>
#include <string.h>

static unsigned hash(const char *s, size_t n)
{
    unsigned h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

int main(void)
{
    static const char *words[] = { "one", "two", "three", "", "fourteen", "a", "sixteen-chars-xx" };
    char text[128] = "pair ok:";
    for (int i = 0; i < 3; i++) {
        char w[16];
        snprintf(w, sizeof w, "%s", words[i]);
        strcat(text, " ");
        strcat(text, w);
    }
    printf("[%s]\n", text);

    char buf[256];
    for (int off = 0; off < 8; off++) {
        for (unsigned wi = 0; wi < sizeof words / sizeof words[0]; wi++) {
            char *d = buf + off;
            strcpy(d, words[wi]);
            strcat(d, "|");
            strcat(d, words[(wi + 1) % 7]);
            char *e = stpcpy(d + strlen(d), "#");
            *e = 0;
            printf("%d %u len=%zu '%s' h=%08x\n", off, wi, strlen(d), d, hash(d, strlen(d)));
        }
    }
    for (int off = 0; off < 4; off++) {
        char *s = buf + off;
        strcpy(s, "the quick brown fox jumps over the lazy dog");
        printf("chr=%td rchr=%td str=%td cmp=%d ncmp=%d spn=%zu cspn=%zu\n",
               strchr(s, 'q') - s, strrchr(s, 'o') - s, strstr(s, "lazy") - s,
               strcmp(s, "the quick") > 0, strncmp(s, "the quick", 9), strspn(s, "the "),
               strcspn(s, "xyz"));
        char n[32];
        memset(n, 'Z', sizeof n);
        strncpy(n + off, s + 4, 10);
        n[off + 10] = 0;
        printf("ncpy '%s'\n", n + off);
    }
    /* string built by appending one character at a time at a moving end */
    char line[200];
    line[0] = 0;
    for (int i = 0; i < 150; i++) {
        size_t l = strlen(line);
        line[l] = (char)('a' + (i * 7) % 26);
        line[l + 1] = 0;
    }
    printf("line %zu %08x\n", strlen(line), hash(line, strlen(line)));
    return 0;
}
