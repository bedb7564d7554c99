/* test_metal_migrate.c: live migration through orchd between hosted and metal nodes.
 * orchd, two hosted sipnodes (n1: zone=z1, n2: zone=z2) and one metal kernel in QEMU
 * (zone=z3, its netchan port forwarded to the host; it reaches the host as 10.0.2.2).
 * A client on n1 streams numbered blocks to a server on n2 over netchan (the stream
 * test SIPs of tests/orchestrator); the server's closing line (count, blocks out of
 * order, checksum) from an unmigrated run is the reference. Then the server is moved
 * n2 -> metal -> n2 with `sipctl migrate` mid-stream: each move prints its downtime,
 * `sipctl get sips` shows the new node, and the server's closing line equals the
 * reference (nothing lost, duplicated or reordered). Every process is stopped by PID and
 * the temporary directory removed, pass or fail. Run from the repository root. */
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
#define METAL_ID "metal-525400123456"

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

static void test_hosted_metal_hosted(void)
{
    struct orchd_proc o;
    CU_ASSERT_EQUAL_FATAL(orchd_start(&o), 0);
    int nc_metal = orchd_free_port();
    pid_t n1 = orchd_start_sipnode(&o, "n1", orchd_free_port(), "zone=z1");
    pid_t n2 = orchd_start_sipnode(&o, "n2", orchd_free_port(), "zone=z2");
    char append[192];
    snprintf(append, sizeof append, "orch=%d labels=zone=z3 ncaddr=tcp://127.0.0.1:%d hostalias=10.0.2.2",
             o.node_port, nc_metal);
    struct qemu_vm vm;
    if (n1 < 0 || n2 < 0 || qemu_start_fwd(&vm, qemu_accel(), "virtio", append, nc_metal, nc_metal, NULL) != 0) {
        orchd_stop_pid(n1);
        orchd_stop_pid(n2);
        orchd_stop(&o);
        CU_FAIL_FATAL("cannot start the hosted nodes or QEMU");
    }
    int nodes = sipctl_until(&o, "get nodes", METAL_ID "  ready", BOOT_TIMEOUT_S) &&
                sipctl_until(&o, "get nodes", "n1", 10) && sipctl_until(&o, "get nodes", "n2", 10);
    CU_ASSERT(nodes);

    /* the reference: an unmigrated run, and what stream_server computes for blocks
     * 0..N-1, each once, in order */
    char reference[160] = "", line[160] = "", want[160];
    unsigned long long sum = 0;
    for (unsigned long long i = 0; i < BLOCKS; i++) sum = sum * 31 + i + 1;
    snprintf(want, sizeof want, "server: %d blocks, 0 out of order or damaged, checksum %016llx", BLOCKS, sum);
    if (nodes && deploy(&o, "plain") == 0) server_line(&o, "plain", reference, sizeof reference, 60);
    CU_ASSERT_STRING_EQUAL(reference, want);

    /* the same stream, its server moved n2 -> metal -> n2 while it runs */
    int deployed = nodes && deploy(&o, "hop") == 0;
    CU_ASSERT(deployed);
    if (deployed) {
        sleep_ms(300);                          /* let some blocks through */
        migrate_ok(&o, "hop/server/0", "n2", METAL_ID);
        sleep_ms(500);
        migrate_ok(&o, "hop/server/0", METAL_ID, "n2");
        server_line(&o, "hop", line, sizeof line, 60);
    }
    CU_ASSERT_STRING_EQUAL(line, want);
    char *out = qemu_output(&vm);
    qemu_stop(&vm);
    orchd_stop_pid(n1);
    orchd_stop_pid(n2);
    char *log1 = orchd_read_file(&o, "n1.log"), *log2 = orchd_read_file(&o, "n2.log");
    orchd_stop(&o);
    CU_ASSERT(contains(out, "ORCH: hop/server/0 arrived"));
    CU_ASSERT(contains(out, "ORCH: hop/server/0 migrated away"));
    CU_ASSERT(!contains(out, "PANIC"));
    if (strcmp(line, want))
        fprintf(stderr, "\nserver said '%s'\n--- serial log ---\n%s\n--- n1 ---\n%s\n--- n2 ---\n%s\n---\n",
                line, out, log1, log2);
    free(out);
    free(log1);
    free(log2);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("migration between hosted and metal nodes", NULL, NULL);
    CU_add_test(s, "a streaming server moved hosted -> metal -> hosted mid-stream", test_hosted_metal_hosted);
    return cunit_run_all("build/tests/metal/test_metal_migrate");
}
