/* test_metal_migrate.c: live migration through orchd between hosted and metal nodes.
 * orchd, two hosted sipnodes (n1: zone=z1, n2: zone=z2) and one metal kernel in QEMU
 * (zone=z3, its netchan port forwarded to the host; it reaches the host as 10.0.2.2).
 * A client on n1 streams numbered blocks to a server on n2 over netchan (the stream
 * test SIPs of tests/orchestrator); the server's closing line (count, blocks out of
 * order, checksum) from an unmigrated run is the reference. Then the server is moved
 * n2 -> metal -> n2 with `sipctl migrate` mid-stream: each move prints its downtime,
 * `sipctl get sips` shows the new node, and the server's closing line equals the
 * reference (nothing lost, duplicated or reordered). Every process is stopped by PID and
 * the temporary directory removed, pass or fail. Run from the repository root;
 * MULT_MIGRATE_LOGS=1 prints every node's log after each moving test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <CUnit/CUnit.h>
#include "tests/cunit_main.h"
#include "tests/metal/qemu_vm.h"
#include "tests/metal/orchd_proc.h"

#define BOOT_TIMEOUT_S 150
#define BLOCKS   1500           /* per stream */
#define PAUSE_MS 3              /* client's pause between blocks */
#define METAL_A  "metal-52540000000a"
#define METAL_B  "metal-52540000000b"

static char reference[160];     /* the server's line from the unmigrated run */

static int contains(const char *out, const char *text) { return out && strstr(out, text) != NULL; }

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Polls `sipctl ARGS` until its output contains `want` (or timeout_s passes). */
static int sipctl_until(struct orchd_proc *o, const char *args, const char *want, int timeout_s)
{
    for (int i = 0; i < timeout_s * 4; i++) {
        int status;
        char *out = orchd_sipctl(o, args, &status);
        int ok = status == 0 && contains(out, want);
        free(out);
        if (ok) return 1;
        sleep_ms(250);
    }
    return 0;
}

/* `sipctl get sips` has a line for sip whose next column is node (within timeout_s). */
static int placed_on(struct orchd_proc *o, const char *sip, const char *node, int timeout_s)
{
    for (int i = 0; i < timeout_s * 4; i++) {
        int status;
        char *out = orchd_sipctl(o, "get sips", &status);
        int ok = 0;
        for (char *l = out; status == 0 && l && *l && !ok; ) {
            char id[128], at[128];
            if (sscanf(l, "%127s %127s", id, at) == 2 && !strcmp(id, sip) && !strcmp(at, node)) ok = 1;
            l = strchr(l, '\n');
            if (l) l++;
        }
        free(out);
        if (ok) return 1;
        sleep_ms(250);
    }
    return 0;
}

/* The stream app: client on zone z1, server on zone z2. */
static int deploy(struct orchd_proc *o, const char *app)
{
    char yaml[1024], name[64], args[160];
    snprintf(yaml, sizeof yaml,
             "app: %s\ncontracts: [sips/apps/stage.contract]\nsips:\n"
             "  - name: client\n    module: build/sips/tests/orchestrator/sips/stream_client.wasm\n"
             "    args: [\"%d\", \"%d\"]\n    memory: 16M\n"
             "    endpoints: [{name: down, contract: Stage}]\n    placement: {labels: {zone: z1}}\n"
             "  - name: server\n    module: build/sips/tests/orchestrator/sips/stream_server.wasm\n"
             "    memory: 16M\n    endpoints: [{name: up, contract: Stage}]\n"
             "    placement: {labels: {zone: z2}}\n"
             "channels:\n  - {from: client.down, to: server.up, contract: Stage}\n", app, BLOCKS, PAUSE_MS);
    snprintf(name, sizeof name, "%s.yaml", app);
    const char *path = orchd_write_file(o, name, yaml);
    snprintf(args, sizeof args, "apply -f %s", path ? path : "/nonexistent");
    int status = -1;
    char *out = orchd_sipctl(o, args, &status);
    if (status) fprintf(stderr, "\nsipctl %s: %s\n", args, out);
    free(out);
    if (status) return -1;
    char sip[96];
    snprintf(sip, sizeof sip, "%s/server/0", app);
    return placed_on(o, sip, "n2", 20) ? 0 : -1;
}

/* The server's closing line ("server: ...") once it is in its log, into line. */
static int server_line(struct orchd_proc *o, const char *app, char *line, size_t len, int timeout_s)
{
    char args[96];
    snprintf(args, sizeof args, "logs %s/server/0", app);
    line[0] = 0;
    for (int i = 0; i < timeout_s * 4; i++) {
        int status;
        char *out = orchd_sipctl(o, args, &status);
        const char *at = out ? strstr(out, "server: ") : NULL;
        if (at && strchr(at, '\n')) {
            snprintf(line, len, "%.*s", (int)(strchr(at, '\n') - at), at);
            free(out);
            return 0;
        }
        free(out);
        sleep_ms(250);
    }
    return -1;
}

/* sipctl migrate SIP --to TO; asserts it says so and that `get sips` shows the move.
 * Prints sipctl's line (it carries the downtime). */
static void migrate_ok(struct orchd_proc *o, const char *sip, const char *from, const char *to)
{
    char args[160], want[200];
    snprintf(args, sizeof args, "migrate %s --to %s", sip, to);
    snprintf(want, sizeof want, "migrated %s from %s to %s: downtime ", sip, from, to);
    int status = -1;
    char *out = orchd_sipctl(o, args, &status);
    CU_ASSERT_EQUAL(status, 0);
    CU_ASSERT(contains(out, want));
    fprintf(stderr, "\n  sipctl %s: %s", args, out ? out : "(nothing)\n");
    free(out);
    CU_ASSERT(placed_on(o, sip, to, 5));
}

/* One cluster for the whole program: orchd, hosted n1 and n2, metal A and B. */
static struct orchd_proc O;
static pid_t N1 = -1, N2 = -1;
static struct qemu_vm VM[2];
static int nvms, cluster_up;
static const char *const macs[2] = { "52:54:00:00:00:0a", "52:54:00:00:00:0b" };

static int setup(void)
{
    if (orchd_start(&O)) return -1;
    N1 = orchd_start_sipnode(&O, "n1", orchd_free_port(), "zone=z1");
    N2 = orchd_start_sipnode(&O, "n2", orchd_free_port(), "zone=z2");
    for (int i = 0; i < 2 && N1 > 0 && N2 > 0; i++) {
        int port = orchd_free_port();
        char append[192];
        snprintf(append, sizeof append, "orch=%d labels=zone=z%d ncaddr=tcp://127.0.0.1:%d hostalias=10.0.2.2",
                 O.node_port, 3 + i, port);
        if (qemu_start_fwd(&VM[i], qemu_accel(), "virtio", append, port, port, macs[i]) != 0) break;
        nvms++;
    }
    cluster_up = nvms == 2 && sipctl_until(&O, "get nodes", METAL_A "  ready", BOOT_TIMEOUT_S) &&
                 sipctl_until(&O, "get nodes", METAL_B "  ready", 30) &&
                 sipctl_until(&O, "get nodes", "n1", 10) && sipctl_until(&O, "get nodes", "n2", 10);
    return 0;                   /* the tests fail on !cluster_up; teardown cleans up */
}

static int teardown(void)
{
    char *out[2] = { NULL, NULL };
    for (int i = 0; i < nvms; i++) {
        out[i] = qemu_output(&VM[i]);
        qemu_stop(&VM[i]);
    }
    orchd_stop_pid(N1);
    orchd_stop_pid(N2);
    orchd_stop(&O);
    for (int i = 0; i < nvms; i++) {
        if (contains(out[i], "PANIC")) fprintf(stderr, "\nmetal node %d panicked:\n%s\n", i, out[i]);
        free(out[i]);
    }
    return 0;
}

/* What stream_server prints for blocks 0..N-1, each once, in order. */
static void expected_line(char *want, size_t len)
{
    unsigned long long sum = 0;
    for (unsigned long long i = 0; i < BLOCKS; i++) sum = sum * 31 + i + 1;
    snprintf(want, len, "server: %d blocks, 0 out of order or damaged, checksum %016llx", BLOCKS, sum);
}

static void test_unmigrated_reference(void)
{
    CU_ASSERT_FATAL(cluster_up);
    char want[160];
    expected_line(want, sizeof want);
    CU_ASSERT_EQUAL_FATAL(deploy(&O, "plain"), 0);
    CU_ASSERT_EQUAL(server_line(&O, "plain", reference, sizeof reference, 60), 0);
    CU_ASSERT_STRING_EQUAL(reference, want);
}

/* Dumps the nodes' logs when a stream's line is not the reference. */
static void explain(const char *app, const char *line)
{
    char *log1 = orchd_read_file(&O, "n1.log"), *log2 = orchd_read_file(&O, "n2.log");
    char *a = qemu_output(&VM[0]), *b = qemu_output(&VM[1]);
    fprintf(stderr, "\n%s: server said '%s'\n--- n1 ---\n%s\n--- n2 ---\n%s\n--- %s ---\n%s\n--- %s ---\n%s\n---\n",
            app, line, log1, log2, METAL_A, a, METAL_B, b);
    free(log1); free(log2); free(a); free(b);
}

static void test_hosted_metal_hosted(void)
{
    CU_ASSERT_FATAL(cluster_up && reference[0]);
    char line[160] = "";
    CU_ASSERT_EQUAL_FATAL(deploy(&O, "hop"), 0);
    sleep_ms(300);                              /* let some blocks through */
    migrate_ok(&O, "hop/server/0", "n2", METAL_A);
    sleep_ms(500);
    migrate_ok(&O, "hop/server/0", METAL_A, "n2");
    server_line(&O, "hop", line, sizeof line, 60);
    CU_ASSERT_STRING_EQUAL(line, reference);
    char *out = qemu_output(&VM[0]);
    CU_ASSERT(contains(out, "ORCH: hop/server/0 arrived"));
    CU_ASSERT(contains(out, "ORCH: hop/server/0 migrated away"));
    free(out);
    if (strcmp(line, reference) || getenv("MULT_MIGRATE_LOGS")) explain("hop", line);
}

static void test_metal_to_metal(void)
{
    CU_ASSERT_FATAL(cluster_up && reference[0]);
    char line[160] = "";
    CU_ASSERT_EQUAL_FATAL(deploy(&O, "tour"), 0);
    sleep_ms(300);
    migrate_ok(&O, "tour/server/0", "n2", METAL_A);
    sleep_ms(400);
    migrate_ok(&O, "tour/server/0", METAL_A, METAL_B);
    sleep_ms(400);
    migrate_ok(&O, "tour/server/0", METAL_B, "n2");
    server_line(&O, "tour", line, sizeof line, 60);
    CU_ASSERT_STRING_EQUAL(line, reference);
    char *b = qemu_output(&VM[1]);
    CU_ASSERT(contains(b, "ORCH: tour/server/0 arrived"));
    CU_ASSERT(contains(b, "ORCH: tour/server/0 migrated away"));
    free(b);
    if (strcmp(line, reference) || getenv("MULT_MIGRATE_LOGS")) explain("tour", line);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("migration between hosted and metal nodes", setup, teardown);
    CU_add_test(s, "unmigrated reference run", test_unmigrated_reference);
    CU_add_test(s, "a streaming server moved hosted -> metal -> hosted mid-stream", test_hosted_metal_hosted);
    CU_add_test(s, "a streaming server moved hosted -> metal -> metal -> hosted mid-stream", test_metal_to_metal);
    return cunit_run_all("build/tests/metal/test_metal_migrate");
}
