/* Migration into another process over loopback TCP: the SIP moves mid-computation to a
 * forked target that has to fetch (and verify) the module by hash, and finishes there with
 * the result of an unmigrated run; a target that dies before confirming -- killed while it
 * holds the restored SIP, or as the image arrives -- leaves the SIP running on the source,
 * which finishes it with the same result. Every child is killed by PID and reaped. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests/migrate/fixture.h"
#include "tests/migrate/proc_target.h"
#include "tests/migrate/xfer.h"

static const char *COMPUTE =
    "contract contracts/lib/echo.contract\n"
    "sip calc " MIG_SIPS "/compute.wasm 256 8\n";

static char *unmigrated(void)
{
    fx_setup();
    char *r = NULL;
    if (fx_deploy(COMPUTE) == 0 && fx_run(64, 30000) == 0)
        r = strdup(fx_log("calc"));
    fx_teardown();
    return r;
}

typedef struct child { pid_t pid; int lsock, fd; } child;

static bool child_start(child *c, target_mode mode)
{
    uint16_t port;
    c->fd = -1;
    c->pid = -1;
    c->lsock = xfer_listen(&port);
    if (c->lsock < 0)
        return false;
    c->pid = target_spawn(port, mode, DEP.cset);
    if (c->pid > 0)
        c->fd = xfer_accept(c->lsock, 5000);
    return c->pid > 0 && c->fd >= 0;
}

/* Kill (if still running) and reap; returns the wait status. */
static int child_end(child *c, bool kill_it)
{
    int st = -1;
    if (c->pid > 0) {
        if (kill_it)
            kill(c->pid, SIGKILL);
        waitpid(c->pid, &st, 0);
    }
    if (c->fd >= 0)
        close(c->fd);
    if (c->lsock >= 0)
        close(c->lsock);
    c->pid = -1;
    return st;
}

static proc_source source_for(int fd, int timeout_ms)
{
    proc_source ps = { .fd = fd, .mods = DEP.mods, .paths = DEP.mod_paths, .nmods = DEP.nmods,
                       .timeout_ms = timeout_ms };
    return ps;
}

static void run_slices(int n)
{
    for (int i = 0; i < n; i++)
        fx_step(1);
}

static void to_another_process(int precopy_rounds)
{
    char *want = unmigrated();
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    fx_setup();
    CU_ASSERT_FATAL(fx_deploy(COMPUTE) == 0);
    child c;
    bool up = child_start(&c, TARGET_RUN);
    CU_ASSERT(up);
    if (up) {
        run_slices(20);                         /* mid-computation */
        sip *s = fx_find("calc", NULL);
        CU_ASSERT_PTR_NOT_NULL(s);
        proc_source ps = source_for(c.fd, 10000);
        ps.precopy_rounds = precopy_rounds;
        ps.k = KN[0];
        ps.slices_between = 2;
        proc_result r;
        if (s)
            proc_source_migrate(&ps, s, &r);
        CU_ASSERT(s && r.moved);
        CU_ASSERT(!precopy_rounds || r.rounds > 0);
        if (s && !r.moved)
            fprintf(stderr, "\nmigration failed: %s\n", r.error);
        CU_ASSERT_PTR_NULL(fx_find("calc", NULL));   /* released here */
        uint32_t type;
        uint8_t *data = NULL;
        size_t len;
        CU_ASSERT(xfer_recv(c.fd, &type, &data, &len, 1 << 20, 30000) == 0 && type == XF_LOG);
        if (data)
            CU_ASSERT(len == strlen(want) && !memcmp(data, want, len));
        free(data);
        data = NULL;
        CU_ASSERT(xfer_recv(c.fd, &type, &data, &len, 64, 10000) == 0 && type == XF_EXIT &&
                  len == 4 && *(int32_t *)data == 0);
        free(data);
    }
    int st = child_end(&c, !up);
    CU_ASSERT(up && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    fx_check_all();
    fx_teardown();
    free(want);
}

static void test_to_another_process(void) { to_another_process(0); }
static void test_to_another_process_precopy(void) { to_another_process(4); }

static void killed_target(target_mode mode)
{
    char *want = unmigrated();
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    fx_setup();
    CU_ASSERT_FATAL(fx_deploy(COMPUTE) == 0);
    child c;
    bool up = child_start(&c, mode);
    CU_ASSERT(up);
    if (up) {
        run_slices(20);
        sip *s = fx_find("calc", NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        if (mode == TARGET_STALL) {
            /* the target hangs holding the restored SIP; kill it after a moment */
            pid_t killer = fork();
            if (killer == 0) {
                usleep(300000);
                kill(c.pid, SIGKILL);
                _exit(0);
            }
            proc_source ps = source_for(c.fd, 5000);
            proc_result r;
            proc_source_migrate(&ps, s, &r);
            CU_ASSERT_FALSE(r.moved);
            CU_ASSERT(r.error[0] != 0);
            waitpid(killer, NULL, 0);
        } else {
            proc_source ps = source_for(c.fd, 5000);
            proc_result r;
            proc_source_migrate(&ps, s, &r);
            CU_ASSERT_FALSE(r.moved);
        }
        /* the SIP is still here and runnable; it finishes with the unmigrated result */
        CU_ASSERT_PTR_EQUAL(fx_find("calc", NULL), s);
        CU_ASSERT_EQUAL(fx_run(64, 30000), 0);
        CU_ASSERT_EQUAL(fx_ending("calc", NULL, NULL), 1);
        CU_ASSERT_STRING_EQUAL(fx_log("calc"), want);
    }
    int st = child_end(&c, true);
    CU_ASSERT(WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) == 9));
    fx_check_all();
    fx_teardown();
    free(want);
}

static void test_target_killed_before_confirming(void) { killed_target(TARGET_STALL); }
static void test_target_dies_during_transfer(void) { killed_target(TARGET_DIE_EARLY); }

void register_process_tests(void)
{
    CU_pSuite s = CU_add_suite("migration to another process (loopback TCP)", NULL, NULL);
    CU_add_test(s, "mid-computation to a forked target: same result", test_to_another_process);
    CU_add_test(s, "the same with pre-copy rounds while it runs", test_to_another_process_precopy);
    CU_add_test(s, "target killed before confirming: runs on at the source",
                test_target_killed_before_confirming);
    CU_add_test(s, "target dies as the image arrives: runs on at the source",
                test_target_dies_during_transfer);
}
