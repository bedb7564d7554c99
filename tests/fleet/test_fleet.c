/* test_fleet.c: `sipctl fleet` against a private libvirtd started inside a network
 * namespace this test creates (tests/fleet/lab_libvirtd.c), never the system's.
 *
 *   up -n 4     a libvirt network and four domains network-boot the metal kernel through
 *               iPXE from the fleet's boot server; `up` returns when all four have
 *               registered with an orchd running in the namespace (or, with a kernel that
 *               cannot register yet, have a DHCP address); orchd lists the four MACs
 *   status      four running nodes at that stage
 *   down        no domain, no network, no bridge, no boot server, no state left
 *   bad input   refused with a message and nothing created
 *
 * KVM when the metal tests find it usable, else libvirt domain type 'qemu' (TCG). */
#define _GNU_SOURCE
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "orchestrator/fleet_libvirt.h"
#include "orchestrator/fleet_progress.h"
#include "orchestrator/fleet_state.h"
#include "tests/cunit_main.h"
#include "tests/fleet/lab_libvirtd.h"
#include "tests/pxe/proc.h"

#define SIPCTL "build/bin/sipctl"
#define KERNEL "build/bin/multiplicity-metal.elf"
#define NODES 4

static struct lab_libvirtd lab;
static int lab_up, can_register;

static void stop_lab(void) { lab_libvirtd_stop(&lab); }

/* The kernel registers if it carries orch_agent's message and orchd exists. */
static int kernel_can_register(void)
{
    FILE *f = fopen(KERNEL, "rb");
    if (!f) return 0;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *buf = len > 0 ? malloc((size_t)len) : NULL;
    int found = buf && fread(buf, 1, (size_t)len, f) == (size_t)len &&
                memmem(buf, (size_t)len, "ORCH: registered as", 19) != NULL;
    fclose(f);
    free(buf);
    return found && access("build/bin/orchd", X_OK) == 0;
}

static int suite_init(void)
{
    proc_on_exit(stop_lab);
    if (lab_libvirtd_start(&lab, "fleet")) {
        fprintf(stderr, "fleet: private libvirtd did not start (see %s)\n", lab.dir);
        return 0;                       /* the tests then fail with a clear assertion */
    }
    lab_up = 1;
    can_register = kernel_can_register() && lab_orchd_start(&lab) == 0;
    if (!can_register)
        fprintf(stderr, "fleet: kernel cannot register (or orchd missing): waiting for DHCP only\n");
    return 0;
}

static int suite_clean(void) { stop_lab(); return 0; }

static int sipctl(const char *out_file, const char *fmt, const char *arg1, const char *arg2)
{
    char args[1024];
    snprintf(args, sizeof args, fmt, arg1, arg2);
    return proc_run("ip netns exec %s " SIPCTL " fleet %s --uri '%s' >%s 2>&1", lab.netns, args,
                    lab.uri, out_file);
}

static void test_fleet_up_status_down(void)
{
    CU_ASSERT_FATAL(lab_up);
    char state[128], out[128], cmd[512];
    struct fleet_state st;
    char err[256];
    snprintf(state, sizeof state, "%s/fleet", lab.dir);
    snprintf(out, sizeof out, "%s/up.out", lab.dir);
    snprintf(cmd, sizeof cmd, "up -n %d --name tf --state-dir %%s --domain-type %s --labels test=fleet "
             "--wait-for %s --timeout 400", NODES, lab_domain_type(), can_register ? "registered" : "dhcp");
    int rc = sipctl(out, cmd, state, NULL);
    char *text = file_read(out);
    CU_ASSERT(rc == 0);
    CU_ASSERT(strstr(text, "all 4 nodes") != NULL);
    for (int i = 1; i <= NODES; i++) {
        char want[64];
        snprintf(want, sizeof want, "mult-tf-%d", i);
        CU_ASSERT(strstr(text, want) != NULL);
    }
    if (rc) fprintf(stderr, "fleet up:\n%s\n", text);
    free(text);

    /* what up recorded */
    int loaded = fleet_state_load(state, &st, err, sizeof err) == 0;
    CU_ASSERT_FATAL(loaded);
    CU_ASSERT(st.n == NODES && st.server_pid > 0 && kill(st.server_pid, 0) == 0);

    if (can_register) {           /* orchd knows the four nodes by their MACs */
        char nodes[128];
        snprintf(nodes, sizeof nodes, "%s/nodes.json", lab.dir);
        CU_ASSERT(proc_run("ip netns exec %s curl -sf http://127.0.0.1:7780/api/v1/nodes -o %s",
                           lab.netns, nodes) == 0);
        char *j = file_read(nodes);
        for (int i = 0; i < NODES; i++) CU_ASSERT(strstr(j, st.nodes[i].mac) != NULL);
        CU_ASSERT(strstr(j, "\"platform\": \"metal\"") != NULL);
        CU_ASSERT(strstr(j, "test") != NULL);          /* the label made it */
        free(j);
    }

    snprintf(out, sizeof out, "%s/status.out", lab.dir);
    CU_ASSERT(sipctl(out, "status --name tf --state-dir %s", state, NULL) == 0);
    text = file_read(out);
    int running = 0;
    for (char *p = text; (p = strstr(p, " running ")); p++) running++;
    CU_ASSERT(running == NODES);
    CU_ASSERT(strstr(text, can_register ? "registered" : "DHCP address") != NULL);
    CU_ASSERT(strstr(text, "boot server running") != NULL);
    free(text);

    snprintf(out, sizeof out, "%s/down.out", lab.dir);
    CU_ASSERT(sipctl(out, "down --name tf --state-dir %s", state, NULL) == 0);
    text = file_read(out);
    CU_ASSERT(strstr(text, "4 domains and the network removed") != NULL);
    free(text);

    /* nothing left behind */
    CU_ASSERT(proc_run("virsh -c '%s' list --all --name | grep -q mult-tf", lab.uri) != 0);
    CU_ASSERT(proc_run("virsh -c '%s' net-list --all --name | grep -q mult-tf", lab.uri) != 0);
    CU_ASSERT(proc_run("ip -n %s link show mlt-tf", lab.netns) != 0);
    CU_ASSERT(access(state, F_OK) != 0);
    usleep(200000);
    CU_ASSERT(kill(st.server_pid, 0) != 0);
}

/* The production path: orchd serves the boot itself, `fleet up --orch URL`. */
static void test_fleet_booted_by_orchd(void)
{
    CU_ASSERT_FATAL(lab_up);
    if (!can_register) { fprintf(stderr, "fleet: no registering kernel/orchd: orchd-served fleet not run\n"); return; }
    char state[128], out[128], cmd[512];
    snprintf(state, sizeof state, "%s/fleet-orchd", lab.dir);
    snprintf(out, sizeof out, "%s/up-orchd.out", lab.dir);
    snprintf(cmd, sizeof cmd, "up -n 2 --name to --subnet " LAB_ORCHD_SUBNET " --orch http://" LAB_ORCHD_BOOT_HOST
             ":8080 --state-dir %%s --domain-type %s --timeout 400", lab_domain_type());
    int rc = sipctl(out, cmd, state, NULL);
    char *text = file_read(out);
    CU_ASSERT(rc == 0);
    CU_ASSERT(strstr(text, "all 2 nodes registered") != NULL);
    CU_ASSERT(strstr(text, "boot from http://" LAB_ORCHD_BOOT_HOST ":8080/boot.ipxe") != NULL);
    if (rc) fprintf(stderr, "fleet up:\n%s\n", text);
    free(text);
    struct fleet_state st;
    char err[256];
    CU_ASSERT_FATAL(fleet_state_load(state, &st, err, sizeof err) == 0);
    CU_ASSERT(st.server_pid == 0);                    /* no boot server of its own */
    char nodes[128];
    snprintf(nodes, sizeof nodes, "%s/nodes-orchd.json", lab.dir);
    CU_ASSERT(proc_run("ip netns exec %s curl -sf http://127.0.0.1:7780/api/v1/nodes -o %s", lab.netns, nodes) == 0);
    char *j = file_read(nodes);
    for (int i = 0; i < st.n; i++) CU_ASSERT(strstr(j, st.nodes[i].mac) != NULL);
    CU_ASSERT(strstr(j, "served") != NULL);          /* orchd's --boot-labels reached the node */
    free(j);
    snprintf(out, sizeof out, "%s/down-orchd.out", lab.dir);
    CU_ASSERT(sipctl(out, "down --state-dir %s", state, NULL) == 0);
    CU_ASSERT(proc_run("virsh -c '%s' list --all --name | grep -q mult-to", lab.uri) != 0);
    CU_ASSERT(proc_run("virsh -c '%s' net-list --all --name | grep -q mult-to", lab.uri) != 0);
    CU_ASSERT(access(state, F_OK) != 0);
}

static void test_fleet_bad_input(void)
{
    CU_ASSERT_FATAL(lab_up);
    char state[128], out[128];
    snprintf(state, sizeof state, "%s/bad", lab.dir);
    snprintf(out, sizeof out, "%s/bad.out", lab.dir);
    CU_ASSERT(sipctl(out, "up -n 0 --state-dir %s", state, NULL) == 2);
    CU_ASSERT(sipctl(out, "up -n 2 --name Bad_Name --state-dir %s", state, NULL) == 2);
    CU_ASSERT(sipctl(out, "up -n 2 --subnet 300.1.2 --state-dir %s", state, NULL) == 2);
    CU_ASSERT(sipctl(out, "up -n 2 --wait-for lunch --state-dir %s", state, NULL) == 2);
    CU_ASSERT(sipctl(out, "status --state-dir %s", state, NULL) == 1);
    char *text = file_read(out);
    CU_ASSERT(strstr(text, "no fleet here") != NULL);
    free(text);
    CU_ASSERT(proc_run("ip netns exec %s " SIPCTL " fleet up -n 1 --uri 'qemu+unix:///system?socket=/nonexistent' "
                       "--state-dir %s", lab.netns, state) == 1);
    CU_ASSERT(access(state, F_OK) != 0);            /* a failed up leaves no state behind */
    CU_ASSERT(proc_run("virsh -c '%s' net-list --all --name | grep -q mult-", lab.uri) != 0);

    /* a network of the same name that up did not make is reported and left alone */
    char xml[160];
    snprintf(xml, sizeof xml, "%s/dup.xml", lab.dir);
    FILE *f = fopen(xml, "w");
    fputs("<network><name>mult-dup</name><bridge name='mlt-dup'/></network>\n", f);
    fclose(f);
    CU_ASSERT_FATAL(proc_run("virsh -c '%s' net-create %s", lab.uri, xml) == 0);
    CU_ASSERT(sipctl(out, "up -n 1 --name dup --domain-type qemu --state-dir %s", state, NULL) == 1);
    text = file_read(out);
    CU_ASSERT(strstr(text, "mult-dup") != NULL);
    free(text);
    CU_ASSERT(proc_run("virsh -c '%s' net-list --name | grep -q mult-dup", lab.uri) == 0);
    CU_ASSERT(proc_run("virsh -c '%s' list --all --name | grep -q mult-dup", lab.uri) != 0);
    CU_ASSERT(access(state, F_OK) != 0);
    proc_run("virsh -c '%s' net-destroy mult-dup", lab.uri);
}

/* ---- without VMs: XML, state file, progress parsing ------------------------------- */

static void fill(struct fleet_state *f, const char *dir)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "%s", dir);
    snprintf(f->name, sizeof f->name, "u");
    snprintf(f->uri, sizeof f->uri, "qemu:///system");
    snprintf(f->network, sizeof f->network, "mult-u");
    snprintf(f->bridge, sizeof f->bridge, "mlt-u");
    snprintf(f->gateway, sizeof f->gateway, "10.9.8.1");
    snprintf(f->boot_url, sizeof f->boot_url, "http://10.9.8.1:80/boot.ipxe?mac=${net0/mac:hexhyp}&x=<y>");
    snprintf(f->domain_type, sizeof f->domain_type, "qemu");
    snprintf(f->nic, sizeof f->nic, "e1000");
    f->memory_mib = 96;
    f->n = 2;
    for (int i = 0; i < 2; i++) {
        snprintf(f->nodes[i].name, sizeof f->nodes[i].name, "mult-u-%d", i + 1);
        snprintf(f->nodes[i].mac, sizeof f->nodes[i].mac, "52:54:00:aa:bb:%02x", i + 1);
        snprintf(f->nodes[i].serial, sizeof f->nodes[i].serial, "%s/mult-u-%d.serial", dir, i + 1);
    }
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) { fputs(text, f); fclose(f); }
}

static void test_xml_state_progress(void)
{
    char dir[64], xml[4096], err[256], path[200];
    struct fleet_state f, g;
    struct fleet_progress p[2];
    CU_ASSERT_FATAL(proc_tmpdir(dir, sizeof dir) == 0);
    fill(&f, dir);

    CU_ASSERT(fleet_network_xml(xml, sizeof xml, &f) > 0);
    CU_ASSERT(strstr(xml, "<range start='10.9.8.100' end='10.9.8.199'/>") != NULL);
    CU_ASSERT(strstr(xml, "&amp;x=&lt;y&gt;") != NULL);          /* the URL is escaped */
    CU_ASSERT(strstr(xml, "family='ipv6'") != NULL);
    f.no_ipv6 = 1;                                                  /* --no-ipv6: IPv4 only */
    CU_ASSERT(fleet_network_xml(xml, sizeof xml, &f) > 0 && strstr(xml, "family='ipv6'") == NULL);
    f.no_ipv6 = 0;
    CU_ASSERT(fleet_domain_xml(xml, sizeof xml, &f, 1) > 0);
    CU_ASSERT(strstr(xml, "<domain type='qemu'>") && strstr(xml, "<boot dev='network'/>") &&
              strstr(xml, "<mac address='52:54:00:aa:bb:02'/>") && strstr(xml, "<model type='e1000'/>") &&
              strstr(xml, "pxe-e1000.rom") && strstr(xml, "<memory unit='MiB'>96</memory>"));
    snprintf(f.nic, sizeof f.nic, "virtio");                       /* virtio 1.0 and its ROM */
    CU_ASSERT(fleet_domain_xml(xml, sizeof xml, &f, 1) > 0);
    CU_ASSERT(strstr(xml, "<model type='virtio-non-transitional'/>") && strstr(xml, "pxe-virtio.rom"));
    snprintf(f.nic, sizeof f.nic, "e1000");
    CU_ASSERT(fleet_network_xml(xml, 64, &f) == -1);               /* too small: refused */

    CU_ASSERT(fleet_state_save(&f, err, sizeof err) == 0);
    CU_ASSERT(fleet_state_load(dir, &g, err, sizeof err) == 0);
    CU_ASSERT(g.n == 2 && !strcmp(g.nodes[1].mac, f.nodes[1].mac) && !strcmp(g.boot_url, f.boot_url) &&
              g.memory_mib == 96 && !strcmp(g.nic, "e1000"));
    snprintf(path, sizeof path, "%s/fleet.state", dir);
    write_text(path, "name u\nuri qemu:///system\nnetwork mult-u\nnode only-a-name\n");
    CU_ASSERT(fleet_state_load(dir, &g, err, sizeof err) == -1 && strstr(err, "malformed"));
    write_text(path, "garbage\n");
    CU_ASSERT(fleet_state_load(dir, &g, err, sizeof err) == -1);

    /* progress: node 1 registered, node 2 only fetched its script */
    snprintf(path, sizeof path, "%s/boot.log", dir);
    write_text(path, "1 10.9.8.100 script 52:54:00:aa:bb:01 200\n2 10.9.8.100 kernel - 200\n"
                     "3 10.9.8.101 script 52:54:00:aa:bb:02 200\n4 10.9.8.102 kernel - 200\nbad line\n");
    write_text(f.nodes[0].serial, "Multiplicity metal node kernel booting\nDHCP: bound 10.9.8.100 netmask x\n"
                                  "ORCH: registered as metal-525400aabb01 (node index 1)\n");
    fleet_progress_read(&f, p);
    CU_ASSERT(p[0].stage == STAGE_REGISTERED && !strcmp(p[0].address, "10.9.8.100"));
    CU_ASSERT(p[1].stage == STAGE_SCRIPT);      /* the kernel fetch came from another address */
    write_text(f.nodes[1].serial, "Multiplicity metal node kernel booting\nPANIC: CPU exception 14\n");
    fleet_progress_read(&f, p);
    CU_ASSERT(p[1].stage == STAGE_FAILED && strstr(p[1].detail, "PANIC"));
    CU_ASSERT(fleet_stage_parse("registered") == STAGE_REGISTERED && fleet_stage_parse("x") == -1);
    proc_rmdir(dir);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite u = CU_add_suite("fleet pieces", NULL, NULL);
    CU_add_test(u, "libvirt XML, state file, progress from logs", test_xml_state_progress);
    if (geteuid() != 0 || access("/usr/sbin/libvirtd", X_OK) || access(KERNEL, R_OK)) {
        fprintf(stderr, "fleet: needs root, libvirtd and the kernel image: not run\n");
        return cunit_run_all("build/tests/fleet/test_fleet");
    }
    CU_pSuite s = CU_add_suite("sipctl fleet on a private libvirtd", suite_init, suite_clean);
    CU_add_test(s, "bad input is refused, nothing created", test_fleet_bad_input);
    CU_add_test(s, "up -n 4, status, down", test_fleet_up_status_down);
    CU_add_test(s, "up -n 2 booted by orchd (--orch), down", test_fleet_booted_by_orchd);
    return cunit_run_all("build/tests/fleet/test_fleet");
}
