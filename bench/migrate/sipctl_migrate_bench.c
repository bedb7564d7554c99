/* Migration through the orchestrator: orchd and three sipnodes on loopback, a client
 * streaming numbered blocks to a server (tests/orchestrator/sips/stream_*.c); the server
 * is moved between two nodes with `sipctl migrate` while the stream runs. The figure is
 * the command's wall time from start to exit (request, MigrateIn, module and contracts
 * ready, MigrateOut, pause, image, channel ends, resumed, placement recorded, answer
 * polled), against the same sipctl process doing `get sips` (process start + one API
 * round trip) in the same run. The downtime the source node measured is printed beside.
 * Every process is ended by PID; the temporary directory is removed.
 *
 *   build/bench/migrate/sipctl_migrate_bench [--runs N]     (from the repository root) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/orchestrator/procs.h"

static int http_port;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Wall time of one sipctl command in ms (-1 if it failed). */
static double timed(const char *args)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "build/bin/sipctl %s >/dev/null 2>&1", args);
    long long t0 = tp_ms();
    int rc = tp_run(cmd, NULL);
    long long t1 = tp_ms();
    return rc ? -1 : (double)(t1 - t0);
}

static bool wait_running(const char *app, int ms)
{
    long long end = tp_ms() + ms;
    char path[96];
    snprintf(path, sizeof path, "/api/v1/sips?app=%s", app);
    do {
        json_t *rows = tp_get_json(http_port, path);
        size_t i, n = 0, ok = 0;
        json_t *r;
        json_array_foreach(rows, i, r) {
            n++;
            ok += !strcmp(json_string_value(json_object_get(r, "observed")) ?: "", "running");
        }
        json_decref(rows);
        if (n && n == ok)
            return true;
        usleep(20000);
    } while (tp_ms() < end);
    return false;
}

int main(int argc, char **argv)
{
    int runs = 15;
    if (argc == 3 && !strcmp(argv[1], "--runs"))
        runs = atoi(argv[2]);
    if (runs < 1 || runs > 200) {
        fprintf(stderr, "usage: sipctl_migrate_bench [--runs 1..200]\n");
        return 2;
    }
    if (!tp_tmpdir()[0])
        return 1;
    char db[128], orch[64], http[16], server[64];
    http_port = tp_free_port();
    snprintf(db, sizeof db, "%s/orchd.db", tp_tmpdir());
    snprintf(orch, sizeof orch, "tcp://127.0.0.1:%d", tp_free_port());
    snprintf(http, sizeof http, "%d", http_port);
    snprintf(server, sizeof server, "http://127.0.0.1:%d", http_port);
    setenv("SIPCTL_SERVER", server, 1);
    char *oargv[] = { "build/bin/orchd", "--db", db, "--listen", orch, "--http", http, NULL };
    tp_spawn("orchd", oargv);
    for (int i = 1; i <= 3; i++) {
        char id[8], nc[64], label[16];
        snprintf(id, sizeof id, "n%d", i);
        snprintf(nc, sizeof nc, "tcp://127.0.0.1:%d", tp_free_port());
        snprintf(label, sizeof label, "zone=z%d", i);
        char *nargv[] = { "build/bin/sipnode", "--orch", orch, "--orch-id", id, "--orch-nc", nc,
                          "--orch-label", label, NULL };
        tp_spawn(id, nargv);
    }
    char path[256];
    snprintf(path, sizeof path, "%s/bench.yaml", tp_tmpdir());
    FILE *f = fopen(path, "w");
    if (!f) {
        tp_cleanup();
        return 1;
    }
    fprintf(f, "app: bench\ncontracts: [sips/apps/stage.contract]\nsips:\n"
            "  - name: client\n    module: build/sips/tests/orchestrator/sips/stream_client.wasm\n"
            "    args: [\"100000000\", \"1\"]\n    endpoints: [{name: down, contract: Stage}]\n"
            "    placement: {labels: {zone: z1}}\n"
            "  - name: server\n    module: build/sips/tests/orchestrator/sips/stream_server.wasm\n"
            "    endpoints: [{name: up, contract: Stage}]\n    placement: {labels: {zone: z2}}\n"
            "channels:\n  - {from: client.down, to: server.up, contract: Stage}\n");
    fclose(f);
    usleep(1500000);                            /* nodes register */
    char cmd[300];
    snprintf(cmd, sizeof cmd, "apply -f %s", path);
    if (timed(cmd) < 0 || !wait_running("bench", 10000)) {
        fprintf(stderr, "sipctl_migrate_bench: the stream did not start\n");
        tp_cleanup();
        return 1;
    }
    double *mig = calloc((size_t)runs, sizeof *mig), *base = calloc((size_t)runs, sizeof *base);
    int fails = 0;
    for (int i = 0; i < runs; i++) {
        usleep(100000);                         /* let blocks flow between moves */
        base[i] = timed("get sips");
        snprintf(cmd, sizeof cmd, "migrate bench/server --to %s", i % 2 ? "n2" : "n3");
        mig[i] = timed(cmd);
        if (mig[i] < 0 || base[i] < 0)
            fails++;
    }
    json_t *rows = tp_get_json(http_port, "/api/v1/migrations");
    double *down = calloc(json_array_size(rows) + 1, sizeof *down);
    int nd = 0;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
        if (!strcmp(json_string_value(json_object_get(r, "state")) ?: "", "done"))
            down[nd++] = (double)json_integer_value(json_object_get(r, "downtime_us")) / 1000.0;
    json_decref(rows);
    if (fails || nd != runs) {
        fprintf(stderr, "sipctl_migrate_bench: %d commands failed, %d of %d migrations done\n", fails, nd, runs);
        tp_cleanup();
        return 1;
    }
    double m = median(mig, runs), b = median(base, runs), d = median(down, nd);
    printf("migrate via sipctl: command to completion %.1f ms (median of %d, server SIP between "
           "two nodes mid-stream; downtime %.1f ms), baseline sipctl get sips %.1f ms, ratio %.1f\n",
           m, runs, d, b, m / b);
    free(mig);
    free(base);
    free(down);
    timed("delete bench");
    tp_cleanup();
    return 0;
}
