/* bench/orchestrator: what orchestration costs, each beside its baseline in the same run.
 *
 *  1. deploy: `apply` of the three-stage pipeline (orchestrator/examples/pipeline.yaml),
 *     placed on three sipnodes with its channels over netchan, until every SIP has exited
 *     and orchd knows it -- against running the same pipeline on one sipnode from a local
 *     manifest (sips/apps/pipeline.sipm, process start to exit).
 *  2. failover: kill -9 of the node running a SIP until orchd reports it running on
 *     another node -- against the configured dead-node time (the floor).
 *  3. API: GET /api/v1/sips round trips -- against GET of a missing path (HTTP alone).
 *
 * One result line per figure with the ratio. Run from the repository root. */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests/orchestrator/procs.h"

#define DEAD_MS 1000
#define DEPLOYS 5

static int http_port;
static char orch_addr[64];
static pid_t nodes[4];

static const char *sfield(json_t *row, const char *key)
{
    const char *s = json_string_value(json_object_get(row, key));
    return s ? s : "";
}

static json_t *row_of(json_t *rows, const char *id)
{
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
        if (!strcmp(sfield(r, "id"), id))
            return r;
    return NULL;
}

static pid_t start_node(int i)
{
    char id[8], nc[64];
    snprintf(id, sizeof id, "n%d", i + 1);
    snprintf(nc, sizeof nc, "tcp://127.0.0.1:%d", tp_free_port());
    char *argv[] = { "build/bin/sipnode", "--orch", orch_addr,
                     "--orch-id", id, "--orch-nc", nc, NULL };
    return tp_spawn(id, argv);
}

static int sh(const char *cmd)
{
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Every pipeline SIP exited with 0? */
static int pipeline_done(void)
{
    json_t *sips = tp_get_json(http_port, "/api/v1/sips?app=pipeline");
    size_t i, done = 0;
    json_t *r;
    json_array_foreach(sips, i, r)
        done += !strcmp(sfield(r, "observed"), "exited") && json_integer_value(json_object_get(r, "exit_code")) == 0;
    int ok = json_array_size(sips) == 3 && done == 3;
    json_decref(sips);
    return ok;
}

static double deploy_ms(void)
{
    long long t0 = tp_ms();
    if (sh("build/bin/sipctl apply -f orchestrator/examples/pipeline.yaml >/dev/null"))
        return -1;
    while (!pipeline_done()) {
        if (tp_ms() - t0 > 30000)
            return -1;
        usleep(2000);
    }
    double ms = (double)(tp_ms() - t0);
    if (sh("build/bin/sipctl delete pipeline >/dev/null"))
        return -1;
    usleep(300000);
    return ms;
}

static double local_ms(void)
{
    long long t0 = tp_ms();
    if (sh("build/bin/sipnode -q sips/apps/pipeline.sipm >/dev/null"))
        return -1;
    return (double)(tp_ms() - t0);
}

static double failover_ms(void)
{
    if (sh("build/bin/sipctl apply -f orchestrator/examples/tick.yaml >/dev/null 2>&1"))
        return -1;
    char node[16] = "";
    long long t0 = tp_ms();
    while (!node[0] && tp_ms() - t0 < 10000) {
        json_t *s = tp_get_json(http_port, "/api/v1/sips");
        json_t *r = row_of(s, "tick/ticker/0");
        if (r && !strcmp(sfield(r, "observed"), "running"))
            snprintf(node, sizeof node, "%s", sfield(r, "node"));
        json_decref(s);
        usleep(5000);
    }
    if (node[0] != 'n')
        return -1;
    usleep(500000);
    int idx = node[1] - '1';
    tp_kill(nodes[idx], SIGKILL);
    nodes[idx] = 0;
    long long t1 = tp_ms();
    for (;;) {
        json_t *s = tp_get_json(http_port, "/api/v1/sips");
        json_t *r = row_of(s, "tick/ticker/0");
        int moved = r && !strcmp(sfield(r, "observed"), "running") && json_is_string(json_object_get(r, "node")) &&
                    strcmp(sfield(r, "node"), node);
        json_decref(s);
        if (moved)
            return (double)(tp_ms() - t1);
        if (tp_ms() - t1 > 20000)
            return -1;
        usleep(2000);
    }
}

static double get_us(const char *path, int n)
{
    long long t0 = tp_ms();
    for (int i = 0; i < n; i++)
        free(tp_get_text(http_port, path));
    return (double)(tp_ms() - t0) * 1000.0 / n;
}

int main(void)
{
    if (!tp_tmpdir()[0])
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    http_port = tp_free_port();
    snprintf(orch_addr, sizeof orch_addr, "tcp://127.0.0.1:%d", tp_free_port());
    char db[128], http[16], server[64], dead[16];
    snprintf(db, sizeof db, "%s/orchd.db", tp_tmpdir());
    snprintf(http, sizeof http, "%d", http_port);
    snprintf(server, sizeof server, "http://127.0.0.1:%d", http_port);
    snprintf(dead, sizeof dead, "%d", DEAD_MS);
    setenv("SIPCTL_SERVER", server, 1);
    char *argv[] = { "build/bin/orchd", "--db", db, "--listen", orch_addr, "--http", http,
                     "--dead-ms", dead, "--hb-ms", "100", NULL };
    tp_spawn("orchd", argv);
    for (int i = 0; i < 4; i++)
        nodes[i] = start_node(i);
    int rc = 1;
    long long t0 = tp_ms();
    for (;;) {
        json_t *n = tp_get_json(http_port, "/api/v1/nodes");
        size_t k = json_array_size(n);
        json_decref(n);
        if (k == 4)
            break;
        if (tp_ms() - t0 > 10000) {
            fprintf(stderr, "orch_bench: nodes did not register\n");
            goto out;
        }
        usleep(20000);
    }

    double best_dep = 1e18, best_loc = 1e18;
    for (int i = 0; i < DEPLOYS; i++) {
        double d = deploy_ms(), l = local_ms();
        if (d < 0 || l < 0) {
            fprintf(stderr, "orch_bench: pipeline run failed\n");
            goto out;
        }
        if (d < best_dep) best_dep = d;
        if (l < best_loc) best_loc = l;
    }
    printf("orchestrator deploy: pipeline over 3 nodes apply->all exited %.0f ms, one local sipnode %.0f ms, "
           "ratio %.1f (best of %d)\n", best_dep, best_loc, best_dep / best_loc, DEPLOYS);

    double f = failover_ms();
    if (f < 0) {
        fprintf(stderr, "orch_bench: failover did not happen\n");
        goto out;
    }
    printf("orchestrator failover: kill -9 -> running elsewhere %.0f ms, dead-node time %d ms, ratio %.2f\n",
           f, DEAD_MS, f / DEAD_MS);

    double api = get_us("/api/v1/sips", 200), bare = get_us("/nowhere", 200);
    printf("orchestrator API: GET /api/v1/sips %.0f us, HTTP 404 alone %.0f us, ratio %.1f\n", api, bare, api / bare);
    rc = 0;
out:
    tp_cleanup();
    curl_global_cleanup();
    return rc;
}
