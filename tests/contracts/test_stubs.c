/* The generated stubs on the host: sip_send/sip_recv are a loopback "kernel" here that
 * checks every message with contract_step and contract_check_message, so a round trip
 * proves the stubs pack exactly the layout the checker expects and unpack it back. */
#include <string.h>
#include "tests/contracts/helpers.h"
#include "contracts/Timer.h"
#include "contracts/Log.h"
#include "contracts/EndpointPass.h"

/* one message in flight, one checked endpoint pair */
static struct {
    const contract *c;
    uint32_t imp_state, exp_state;
    int sender;                      /* which side sends next: CONTRACT_IMP / CONTRACT_EXP */
    bool full;
    uint32_t tag, len, nhandles;
    uint8_t payload[256];
    sip_block handles[16];
    int last_error;
} wire;

#define LOOP_ECONTRACT (-4)     /* what the loopback returns for a contract violation */

int32_t sip_send(sip_ep ep, uint32_t tag, const void *payload, uint32_t payload_len,
                 const sip_block *handles, uint32_t nhandles)
{
    uint32_t *st = ep == CONTRACT_IMP ? &wire.imp_state : &wire.exp_state;
    contract_handle kinds[16];
    if (nhandles > 16 || payload_len > sizeof wire.payload || wire.full) return SIP_EINVAL;
    const contract_message *m = contract_message_by_tag(wire.c, tag);
    for (uint32_t i = 0; i < nhandles && m && i < m->nhandles; i++) {
        kinds[i].kind = contract_handle_arg(m, i)->kind;   /* a real kernel knows each handle's kind */
        kinds[i].fingerprint = 0;
    }
    int r = contract_check_message(wire.c, tag, payload_len, kinds, nhandles);
    if (!r) r = contract_step(wire.c, st, ep, true, tag);
    if (r) { wire.last_error = r; return LOOP_ECONTRACT; }
    wire.full = true;
    wire.sender = ep;
    wire.tag = tag;
    wire.len = payload_len;
    wire.nhandles = nhandles;
    if (payload_len) memcpy(wire.payload, payload, payload_len);
    if (nhandles) memcpy(wire.handles, handles, nhandles * sizeof *handles);
    return 0;
}

int32_t sip_recv(sip_ep ep, uint32_t *tag, void *payload, uint32_t cap, sip_block *handles,
                 uint32_t hcap)
{
    if (!wire.full || wire.sender == ep) return -1;
    if (wire.len > cap || wire.nhandles > hcap) return -9;
    uint32_t *st = ep == CONTRACT_IMP ? &wire.imp_state : &wire.exp_state;
    int r = contract_step(wire.c, st, ep, false, wire.tag);
    if (r) { wire.last_error = r; return LOOP_ECONTRACT; }
    *tag = wire.tag;
    memcpy(payload, wire.payload, wire.len);
    memcpy(handles, wire.handles, wire.nhandles * sizeof *handles);
    wire.full = false;
    return (int32_t)wire.len;
}

static contract_set *lib;
static int suite_init(void) { lib = parse_library(); return lib ? 0 : 1; }
static int suite_clean(void) { contract_set_free(lib); lib = NULL; return 0; }

static void attach(const char *name)
{
    memset(&wire, 0, sizeof wire);
    wire.c = contract_find(lib, name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(wire.c);
}

static void test_timer_round_trip(void)
{
    attach("Timer");
    const sip_ep imp = CONTRACT_IMP, exp = CONTRACT_EXP;
    CU_ASSERT_EQUAL(Timer_FINGERPRINT, wire.c->fingerprint);
    CU_ASSERT_EQUAL(Timer_send_Arm(imp, 1500000000ULL, 0xdeadbeef), 0);
    /* the payload is the packed little-endian layout */
    static const uint8_t want[12] = { 0x00, 0x2f, 0x68, 0x59, 0, 0, 0, 0, 0xef, 0xbe, 0xad, 0xde };
    CU_ASSERT_EQUAL(wire.len, 12);
    CU_ASSERT_EQUAL(memcmp(wire.payload, want, 12), 0);
    Timer_msg m = { 0 };
    CU_ASSERT_EQUAL(Timer_recv(exp, &m), Timer_tag_Arm);
    CU_ASSERT_EQUAL(m.Arm.after_ns, 1500000000ULL);
    CU_ASSERT_EQUAL(m.Arm.cookie, 0xdeadbeef);
    CU_ASSERT_EQUAL(Timer_send_Fired(exp, 7, UINT64_MAX - 1, true), 0);
    CU_ASSERT_EQUAL(Timer_recv(imp, &m), Timer_tag_Fired);
    CU_ASSERT_EQUAL(m.Fired.cookie, 7);
    CU_ASSERT_EQUAL(m.Fired.now_ns, UINT64_MAX - 1);
    CU_ASSERT_EQUAL(m.Fired.late, true);
    CU_ASSERT_EQUAL(wire.imp_state, (uint32_t)Timer_state_Idle);
    /* the loopback kernel refuses a send the contract forbids */
    wire.imp_state = (uint32_t)Timer_state_Armed;       /* arming twice is not allowed */
    CU_ASSERT_EQUAL(Timer_send_Arm(imp, 1, 2), LOOP_ECONTRACT);
    CU_ASSERT_EQUAL(wire.last_error, CONTRACT_E_STATE);
    CU_ASSERT_EQUAL(wire.imp_state, (uint32_t)Timer_state_Armed);
    CU_ASSERT_EQUAL(Timer_send_Fired(imp, 1, 2, false), LOOP_ECONTRACT);
    CU_ASSERT_EQUAL(wire.last_error, CONTRACT_E_DIRECTION);
    /* a message whose payload length disagrees with its tag is refused by the stub */
    wire.full = true; wire.sender = exp; wire.tag = Timer_tag_Cancelled; wire.len = 3;
    wire.imp_state = (uint32_t)Timer_state_Cancelling;
    CU_ASSERT_EQUAL(Timer_recv(imp, &m), SIP_EINVAL);
}

static void test_log_floats_and_handles(void)
{
    attach("Log");
    const sip_ep imp = CONTRACT_IMP, exp = CONTRACT_EXP;
    CU_ASSERT_EQUAL(Log_send_Record(imp, 3, -42, (sip_block)1234), 0);
    CU_ASSERT_EQUAL(wire.len, 9);
    CU_ASSERT_EQUAL(wire.nhandles, 1);
    Log_msg m = { 0 };
    CU_ASSERT_EQUAL(Log_recv(exp, &m), Log_tag_Record);
    CU_ASSERT_EQUAL(m.Record.level, 3);
    CU_ASSERT_EQUAL(m.Record.time_ns, -42);
    CU_ASSERT_EQUAL(m.Record.text, 1234);
    CU_ASSERT_EQUAL(Log_send_Throttle(exp, 2.5f), 0);
    CU_ASSERT_EQUAL(Log_recv(imp, &m), Log_tag_Throttle);
    CU_ASSERT_DOUBLE_EQUAL(m.Throttle.max_per_second, 2.5, 0.0);
}

static void test_endpoint_in_message(void)
{
    attach("EndpointPass");
    const sip_ep imp = CONTRACT_IMP, exp = CONTRACT_EXP;
    CU_ASSERT_EQUAL(EndpointPass_send_Publish(imp, (sip_block)10, (sip_ep)11), 0);
    EndpointPass_msg m = { 0 };
    CU_ASSERT_EQUAL(EndpointPass_recv(exp, &m), EndpointPass_tag_Publish);
    CU_ASSERT_EQUAL(m.Publish.name, 10);
    CU_ASSERT_EQUAL(m.Publish.server, 11);
    CU_ASSERT_EQUAL(EndpointPass_send_Published(exp), 0);
    CU_ASSERT_EQUAL(EndpointPass_recv(imp, &m), EndpointPass_tag_Published);
    CU_ASSERT_EQUAL(EndpointPass_send_Lookup(imp, (sip_block)12), 0);
    CU_ASSERT_EQUAL(EndpointPass_recv(exp, &m), EndpointPass_tag_Lookup);
    CU_ASSERT_EQUAL(EndpointPass_send_Found(exp, (sip_ep)13), 0);
    CU_ASSERT_EQUAL(EndpointPass_recv(imp, &m), EndpointPass_tag_Found);
    CU_ASSERT_EQUAL(m.Found.client, 13);
    /* errors from sip_recv reach the caller unchanged */
    wire.full = true; wire.sender = exp; wire.tag = EndpointPass_tag_Missing; wire.len = 3;
    wire.imp_state = (uint32_t)EndpointPass_state_Looking;
    CU_ASSERT_EQUAL(EndpointPass_recv(imp, &m), -9);
}

void register_stubs_suite(void)
{
    CU_pSuite s = CU_add_suite("contracts/stubs", suite_init, suite_clean);
    CU_add_test(s, "Timer: scalars pack little-endian and round-trip", test_timer_round_trip);
    CU_add_test(s, "Log: mixed scalars, floats and a block", test_log_floats_and_handles);
    CU_add_test(s, "EndpointPass: endpoints travel as handles", test_endpoint_in_message);
}
