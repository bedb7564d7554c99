/* Cost of the run-time contract checks the kernel makes on every message, against a
 * hand-written switch that checks the same Echo protocol (the cheapest possible checker,
 * measured in the same run), and the cost of parsing the contract library against
 * copying its text. One result line per figure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "contracts/contract.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Echo by hand: states Start=0 Waiting=1 Replying=2; tags Request=0 Response=1 Ready=2. */
static int echo_by_hand(uint32_t *state, int side, bool sending, uint32_t tag)
{
    bool exporter_sends = (side == CONTRACT_EXP) == sending;
    switch (*state) {
    case 0: if (tag == 2 && exporter_sends) { *state = 1; return 0; } return -1;
    case 1: if (tag == 0 && !exporter_sends) { *state = 2; return 0; } return -1;
    case 2: if (tag == 1 && exporter_sends) { *state = 1; return 0; } return -1;
    }
    return -1;
}

/* One Echo round on both ends: a request sent and received, a response sent and received. */
typedef struct { int side; bool sending; uint32_t tag; } event;
static const event round_events[] = {
    { CONTRACT_IMP, true, 0 }, { CONTRACT_EXP, false, 0 },
    { CONTRACT_EXP, true, 1 }, { CONTRACT_IMP, false, 1 },
};

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    fclose(f);
    return b;
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 5000000;
    size_t len;
    char *src = slurp("contracts/lib/echo.contract", &len);
    contract_set *s = NULL;
    contract_error err;
    if (!src || contract_parse(src, len, "echo.contract", &s, &err)) {
        fprintf(stderr, "contract_bench: cannot load contracts/lib/echo.contract\n");
        return 1;
    }
    const contract *c = contract_find(s, "Echo");
    contract_handle block = { CONTRACT_BYTES, 0 };
    volatile uint32_t sink = 0;

    /* 1. contract_step vs the hand-written switch */
    uint32_t st[2] = { 1, 1 };     /* both ends Waiting */
    double t0 = now_ns();
    for (long r = 0; r < rounds; r++)
        for (int i = 0; i < 4; i++) {
            const event *e = &round_events[i];
            sink += (uint32_t)echo_by_hand(&st[e->side], e->side, e->sending, e->tag);
        }
    double hand = (now_ns() - t0) / (rounds * 4.0);
    st[0] = st[1] = 1;
    t0 = now_ns();
    for (long r = 0; r < rounds; r++)
        for (int i = 0; i < 4; i++) {
            const event *e = &round_events[i];
            sink += (uint32_t)contract_step(c, &st[e->side], e->side, e->sending, e->tag);
        }
    double step = (now_ns() - t0) / (rounds * 4.0);
    printf("contract_step            %6.2f ns/event  hand-written switch %6.2f ns/event  ratio %5.2f\n",
           step, hand, step / hand);

    /* 2. the kernel's full check per event: shape + step */
    st[0] = st[1] = 1;
    t0 = now_ns();
    for (long r = 0; r < rounds; r++)
        for (int i = 0; i < 4; i++) {
            const event *e = &round_events[i];
            sink += (uint32_t)contract_check_message(c, e->tag, 0, &block, 1);
            sink += (uint32_t)contract_step(c, &st[e->side], e->side, e->sending, e->tag);
        }
    double full = (now_ns() - t0) / (rounds * 4.0);
    printf("check_message+step       %6.2f ns/event  hand-written switch %6.2f ns/event  ratio %5.2f\n",
           full, hand, full / hand);

    /* 3. parsing the whole library vs copying its text */
    static const char *files[] = { "echo", "keyvalue", "pipeline", "endpointpass",
                                   "nameservice", "timer", "log" };
    enum { NF = sizeof files / sizeof files[0] };
    char *text[NF];
    size_t tlen[NF], total = 0;
    for (int i = 0; i < NF; i++) {
        char path[128];
        snprintf(path, sizeof path, "contracts/lib/%s.contract", files[i]);
        text[i] = slurp(path, &tlen[i]);
        if (!text[i]) { fprintf(stderr, "contract_bench: cannot read %s\n", path); return 1; }
        total += tlen[i];
    }
    int loads = 2000;
    char *copy = malloc(total);
    t0 = now_ns();
    for (int k = 0; k < loads; k++) {
        size_t off = 0;
        for (int i = 0; i < NF; i++) { memcpy(copy + off, text[i], tlen[i]); off += tlen[i]; }
        sink += (uint8_t)copy[k % total];
    }
    double copy_ns = (now_ns() - t0) / loads;
    t0 = now_ns();
    for (int k = 0; k < loads; k++) {
        contract_set *lib = contract_set_new();
        for (int i = 0; i < NF; i++) contract_set_add(lib, text[i], tlen[i], files[i], &err);
        if (contract_set_finish(lib, &err)) { fprintf(stderr, "%s\n", err.text); return 1; }
        sink += contract_set_count(lib);
        contract_set_free(lib);
    }
    double parse_ns = (now_ns() - t0) / loads;
    printf("parse library (%zu bytes) %8.1f us/load (%.1f MB/s)  memcpy %6.2f us  ratio %7.1f\n",
           total, parse_ns / 1e3, total / parse_ns * 1e3, copy_ns / 1e3, parse_ns / copy_ns);

    for (int i = 0; i < NF; i++) free(text[i]);
    free(copy);
    free(src);
    contract_set_free(s);
    return sink == 0xFFFFFFFF;   /* keep the sink alive */
}
