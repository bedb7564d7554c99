/* migrate_bench: how long a SIP is stopped when it migrates (downtime: pause -> running on
 * the target) and the whole migration (pause -> released on the source), for SIPs whose
 * linear memory holds 64 KiB, 1 MiB and 16 MiB of live (non-zero) data. Two paths:
 *   in-process   kernel to kernel in this process (migrate_local.h);
 *   loopback     into a forked target process over 127.0.0.1 TCP (tests/migrate).
 * Baselines, same run, same bytes: memcpy of the image (in-process) and a raw TCP transfer
 * of the image plus the answer frame (loopback). Medians of several runs; one line each.
 * Usage: migrate_bench [--quick | --size KIB]   (run from the repository root) */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "node-kernel/core/migrate_local.h"
#include "node-kernel/core/platform.h"
#include "node-kernel/hosted/deploy.h"
#include "tests/migrate/proc_target.h"
#include "tests/migrate/xfer.h"

#define SIPS "build/sips/tests/migrate/sips"

static deployment D;

static const wasm_module *find_module(void *arg, const uint8_t *hash, char *err, size_t errlen)
{
    for (uint32_t i = 0; i < D.nmods; i++)
        if (!memcmp(wasm_module_hash(D.mods[i]), hash, 32))
            return D.mods[i];
    snprintf(err, errlen, "no such module");
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double median_ms(uint64_t *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_u64);
    return v[n / 2] / 1e6;
}

/* A kernel running the compute SIP with `kib` KiB of live data, filled and computing. */
static sip *start_sip(kernel *k, unsigned kib)
{
    char text[512];
    snprintf(text, sizeof text,
             "contract contracts/lib/echo.contract\n"
             "sip calc " SIPS "/compute.wasm %u 100000000\n"
             "quota calc memory=64M\n", kib);
    manifest m;
    char err[512];
    if (manifest_parse(text, "bench.sipm", &m, err, sizeof err) || deploy(k, &m, &D, err, sizeof err)) {
        fprintf(stderr, "migrate_bench: %s\n", err);
        exit(1);
    }
    manifest_free(&m);
    sip *s = sip_by_name(k, "calc");
    while (s && s->ht.count < 3)               /* until its buffer is filled */
        kernel_run(k, 16);
    kernel_run(k, 4);
    return s;
}

static void bench_size(unsigned kib, int reps)
{
    char label[32];
    snprintf(label, sizeof label, kib >= 1024 ? "%u MiB" : "%u KiB", kib >= 1024 ? kib / 1024 : kib);
    kernel *k[2] = { kernel_new(0), kernel_new(0) };
    sip *s = start_sip(k[0], kib);
    kernel_add_contracts(k[1], D.cset);
    mlink *l = mlink_new();
    uint64_t down[32], base[32];
    uint64_t image = 0;
    int at = 0;
    char err[256];
    /* in-process: kernel 0 <-> kernel 1 */
    for (int i = 0; i < reps; i++) {
        migrate_stats st;
        sip *t = mlink_migrate(l, s, k[1 - at], find_module, NULL, &st, err, sizeof err);
        if (!t) {
            fprintf(stderr, "migrate_bench: %s\n", err);
            exit(1);
        }
        s = t;
        at = 1 - at;
        kernel_run(k[at], 2);
        down[i] = st.downtime_ns;
        image = st.image_bytes;
        uint8_t *a = malloc(image), *b = malloc(image);
        memset(a, i + 1, image);
        memset(b, 0, image);
        uint64_t t0 = plat_time_ns(1);
        memcpy(b, a, image);
        __asm__ volatile("" : : "r"(b) : "memory");
        base[i] = plat_time_ns(1) - t0;
        free(a);
        free(b);
    }
    double d = median_ms(down, reps), bm = median_ms(base, reps);
    printf("migrate %-6s in-process  downtime %8.3f ms  | memcpy of the %.2f MiB image %7.3f ms | ratio %6.1f\n",
           label, d, image / 1048576.0, bm, bm > 0 ? d / bm : 0);
    /* loopback: into a forked process, which restores, confirms and discards it */
    uint16_t port;
    int ls = xfer_listen(&port);
    pid_t pid = ls >= 0 ? target_spawn(port, TARGET_SINK, D.cset) : -1;
    int fd = pid > 0 ? xfer_accept(ls, 5000) : -1;
    if (fd < 0) {
        fprintf(stderr, "migrate_bench: no target process\n");
    } else {
        proc_source ps = { .fd = fd, .mods = D.mods, .paths = D.mod_paths, .nmods = D.nmods,
                           .timeout_ms = 30000, .keep_source = true };
        uint64_t tot[32];
        for (int i = 0; i < reps; i++) {
            proc_result r;
            proc_source_migrate(&ps, s, &r);
            if (!r.moved) {
                fprintf(stderr, "migrate_bench: %s\n", r.error);
                break;
            }
            kernel_run(k[at], 2);
            down[i] = r.downtime_ns;
            tot[i] = r.total_ns;
            image = r.image_bytes;
            uint8_t *raw = calloc(1, image);
            memset(raw, 0x5A, image);
            uint64_t t0 = plat_time_ns(1);
            uint32_t type;
            uint8_t *ans;
            size_t len;
            if (xfer_send(fd, XF_RAW, raw, image) == 0 &&
                xfer_recv(fd, &type, &ans, &len, 64, 30000) == 0)
                free(ans);
            base[i] = plat_time_ns(1) - t0;
            free(raw);
        }
        double dl = median_ms(down, reps), tl = median_ms(tot, reps), bl = median_ms(base, reps);
        printf("migrate %-6s loopback    downtime %8.3f ms  | raw TCP transfer of %.2f MiB %7.3f ms | ratio %6.1f\n",
               label, dl, image / 1048576.0, bl, bl > 0 ? dl / bl : 0);
        printf("migrate %-6s loopback    total    %8.3f ms  | raw TCP transfer of %.2f MiB %7.3f ms | ratio %6.1f\n",
               label, tl, image / 1048576.0, bl, bl > 0 ? tl / bl : 0);
        /* the same with pre-copy: rounds of pages while the SIP runs, then the rest */
        ps.precopy_rounds = 5;
        ps.k = k[at];
        ps.slices_between = 1;
        ps.stop_dirty = 16;
        uint64_t pre[32];
        int rounds = 0;
        for (int i = 0; i < reps; i++) {
            proc_result r;
            proc_source_migrate(&ps, s, &r);
            if (!r.moved) {
                fprintf(stderr, "migrate_bench: %s\n", r.error);
                break;
            }
            kernel_run(k[at], 2);
            down[i] = r.downtime_ns;
            tot[i] = r.total_ns;
            pre[i] = r.image_bytes;
            rounds = r.rounds;
        }
        dl = median_ms(down, reps);
        tl = median_ms(tot, reps);
        double last = median_ms(pre, reps) * 1e6 / 1024.0;
        printf("migrate %-6s pre-copy    downtime %8.3f ms  | raw TCP transfer of %.2f MiB %7.3f ms | ratio %6.1f"
               "  (%d rounds, final image %.0f KiB)\n", label, dl, image / 1048576.0, bl,
               bl > 0 ? dl / bl : 0, rounds, last);
        printf("migrate %-6s pre-copy    total    %8.3f ms  | raw TCP transfer of %.2f MiB %7.3f ms | ratio %6.1f\n",
               label, tl, image / 1048576.0, bl, bl > 0 ? tl / bl : 0);
        xfer_send(fd, XF_QUIT, NULL, 0);
        close(fd);
    }
    if (pid > 0) {
        int st;
        if (waitpid(pid, &st, 0) < 0)
            kill(pid, SIGKILL);
    }
    if (ls >= 0)
        close(ls);
    mlink_free(l);
    kernel_free(k[0]);
    kernel_free(k[1]);
    deploy_free(&D);
    memset(&D, 0, sizeof D);
}

int main(int argc, char **argv)
{
    bool quick = argc > 1 && !strcmp(argv[1], "--quick");
    int reps = quick ? 3 : 7;
    if (argc > 2 && !strcmp(argv[1], "--size")) {          /* one size, in KiB */
        bench_size((unsigned)strtoul(argv[2], NULL, 10), reps);
        return 0;
    }
    bench_size(64, reps);
    bench_size(1024, reps);
    if (!quick)
        bench_size(16384, reps);
    return 0;
}
