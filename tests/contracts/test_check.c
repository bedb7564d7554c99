/* Run-time checks: contract_step sequences on both sides (valid runs, invalid sends and
 * receives, final states), message shape checks, and fingerprints. */
#include <string.h>
#include "tests/contracts/helpers.h"

static contract_set *lib;

static int suite_init(void) { lib = parse_library(); return lib ? 0 : 1; }
static int suite_clean(void) { contract_set_free(lib); lib = NULL; return 0; }

static uint32_t tag(const contract *c, const char *name)
{
    const contract_message *m = contract_message_by_name(c, name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    return m->tag;
}

/* Both ends of an Echo channel walk the same conversation. */
static void test_echo_valid_run(void)
{
    const contract *c = contract_find(lib, "Echo");
    uint32_t imp = c->initial, exp = c->initial;
    uint32_t ready = tag(c, "Ready"), req = tag(c, "Request"), resp = tag(c, "Response");
    CU_ASSERT_EQUAL(contract_step(c, &exp, CONTRACT_EXP, true, ready), CONTRACT_OK);
    CU_ASSERT_EQUAL(contract_step(c, &imp, CONTRACT_IMP, false, ready), CONTRACT_OK);
    for (int round = 0; round < 3; round++) {
        CU_ASSERT_EQUAL(contract_step(c, &imp, CONTRACT_IMP, true, req), CONTRACT_OK);
        CU_ASSERT_EQUAL(contract_step(c, &exp, CONTRACT_EXP, false, req), CONTRACT_OK);
        CU_ASSERT_EQUAL(imp, exp);
        CU_ASSERT_STRING_EQUAL(c->states[exp].name, "Replying");
        CU_ASSERT_EQUAL(contract_step(c, &exp, CONTRACT_EXP, true, resp), CONTRACT_OK);
        CU_ASSERT_EQUAL(contract_step(c, &imp, CONTRACT_IMP, false, resp), CONTRACT_OK);
        CU_ASSERT_EQUAL(imp, exp);
        CU_ASSERT_STRING_EQUAL(c->states[imp].name, "Waiting");
    }
}

static void test_echo_invalid_send(void)
{
    const contract *c = contract_find(lib, "Echo");
    uint32_t imp = c->initial;
    /* the importer may not send Request before the exporter said Ready */
    CU_ASSERT_EQUAL(contract_step(c, &imp, CONTRACT_IMP, true, tag(c, "Request")), CONTRACT_E_STATE);
    CU_ASSERT_EQUAL(imp, c->initial);
    /* nor send an `out` message at all */
    CU_ASSERT_EQUAL(contract_step(c, &imp, CONTRACT_IMP, true, tag(c, "Ready")), CONTRACT_E_DIRECTION);
    CU_ASSERT_EQUAL(imp, c->initial);
    /* the exporter may not send Response while Waiting for a request */
    uint32_t exp = (uint32_t)contract_state_by_name(c, "Waiting");
    CU_ASSERT_EQUAL(contract_step(c, &exp, CONTRACT_EXP, true, tag(c, "Response")), CONTRACT_E_STATE);
    CU_ASSERT_EQUAL(exp, (uint32_t)contract_state_by_name(c, "Waiting"));
    /* two requests in a row */
    uint32_t s = (uint32_t)contract_state_by_name(c, "Waiting");
    CU_ASSERT_EQUAL(contract_step(c, &s, CONTRACT_IMP, true, tag(c, "Request")), CONTRACT_OK);
    CU_ASSERT_EQUAL(contract_step(c, &s, CONTRACT_IMP, true, tag(c, "Request")), CONTRACT_E_STATE);
}

static void test_echo_invalid_receive(void)
{
    const contract *c = contract_find(lib, "Echo");
    uint32_t exp = c->initial;
    /* a Request arriving before Ready was sent breaks the contract on the receiving side */
    CU_ASSERT_EQUAL(contract_step(c, &exp, CONTRACT_EXP, false, tag(c, "Request")), CONTRACT_E_STATE);
    CU_ASSERT_EQUAL(exp, c->initial);
    /* the exporter never receives an `out` message */
    CU_ASSERT_EQUAL(contract_step(c, &exp, CONTRACT_EXP, false, tag(c, "Ready")), CONTRACT_E_DIRECTION);
    /* the importer never receives an `in` message */
    uint32_t imp = (uint32_t)contract_state_by_name(c, "Replying");
    CU_ASSERT_EQUAL(contract_step(c, &imp, CONTRACT_IMP, false, tag(c, "Request")), CONTRACT_E_DIRECTION);
    /* Response arriving at the importer that is still Waiting */
    imp = (uint32_t)contract_state_by_name(c, "Waiting");
    CU_ASSERT_EQUAL(contract_step(c, &imp, CONTRACT_IMP, false, tag(c, "Response")), CONTRACT_E_STATE);
}

static void test_final_state(void)
{
    const contract *c = contract_find(lib, "KeyValue");
    uint32_t imp = c->initial;
    CU_ASSERT_FALSE(contract_state_is_final(c, imp));
    CU_ASSERT_EQUAL(contract_step(c, &imp, CONTRACT_IMP, true, tag(c, "Put")), CONTRACT_OK);
    CU_ASSERT_EQUAL(contract_step(c, &imp, CONTRACT_IMP, false, tag(c, "Ok")), CONTRACT_OK);
    CU_ASSERT_EQUAL(contract_step(c, &imp, CONTRACT_IMP, true, tag(c, "Close")), CONTRACT_OK);
    CU_ASSERT(contract_state_is_final(c, imp));
    uint32_t closed = imp;
    CU_ASSERT_EQUAL(contract_step(c, &imp, CONTRACT_IMP, true, tag(c, "Get")), CONTRACT_E_FINAL);
    CU_ASSERT_EQUAL(contract_step(c, &imp, CONTRACT_IMP, false, tag(c, "Ok")), CONTRACT_E_FINAL);
    CU_ASSERT_EQUAL(imp, closed);

    const contract *p = contract_find(lib, "PipelineStage");
    uint32_t up = p->initial;
    CU_ASSERT_EQUAL(contract_step(p, &up, CONTRACT_IMP, false, tag(p, "Credit")), CONTRACT_OK);
    for (int i = 0; i < 10; i++)
        CU_ASSERT_EQUAL(contract_step(p, &up, CONTRACT_IMP, true, tag(p, "Data")), CONTRACT_OK);
    CU_ASSERT_EQUAL(contract_step(p, &up, CONTRACT_IMP, true, tag(p, "Done")), CONTRACT_OK);
    CU_ASSERT_EQUAL(contract_step(p, &up, CONTRACT_IMP, true, tag(p, "Data")), CONTRACT_E_STATE);
    CU_ASSERT_EQUAL(contract_step(p, &up, CONTRACT_IMP, false, tag(p, "Finished")), CONTRACT_OK);
    CU_ASSERT(contract_state_is_final(p, up));
}

/* Messages crossing on the wire: each end steps through its own sends first, then the
 * other's. The race check guarantees they meet again. */
static void test_crossing_messages(void)
{
    const contract *t = contract_find(lib, "Timer");
    uint32_t imp = (uint32_t)contract_state_by_name(t, "Armed"), exp = imp;
    CU_ASSERT_EQUAL(contract_step(t, &imp, CONTRACT_IMP, true, tag(t, "Cancel")), CONTRACT_OK);
    CU_ASSERT_EQUAL(contract_step(t, &exp, CONTRACT_EXP, true, tag(t, "Fired")), CONTRACT_OK);
    CU_ASSERT_EQUAL(contract_step(t, &exp, CONTRACT_EXP, false, tag(t, "Cancel")), CONTRACT_OK);
    CU_ASSERT_EQUAL(contract_step(t, &imp, CONTRACT_IMP, false, tag(t, "Fired")), CONTRACT_OK);
    CU_ASSERT_EQUAL(imp, exp);
    CU_ASSERT_EQUAL(contract_step(t, &exp, CONTRACT_EXP, true, tag(t, "Cancelled")), CONTRACT_OK);
    CU_ASSERT_EQUAL(contract_step(t, &imp, CONTRACT_IMP, false, tag(t, "Cancelled")), CONTRACT_OK);
    CU_ASSERT_EQUAL(imp, exp);
    CU_ASSERT_STRING_EQUAL(t->states[imp].name, "Idle");

    /* a pipeline: upstream sends three Data and Done while downstream grants two Credits */
    const contract *p = contract_find(lib, "PipelineStage");
    uint32_t up = (uint32_t)contract_state_by_name(p, "Flowing"), down = up;
    uint32_t data = tag(p, "Data"), done = tag(p, "Done"), credit = tag(p, "Credit");
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(contract_step(p, &up, CONTRACT_IMP, true, data), CONTRACT_OK);
    CU_ASSERT_EQUAL(contract_step(p, &up, CONTRACT_IMP, true, done), CONTRACT_OK);
    for (int i = 0; i < 2; i++)
        CU_ASSERT_EQUAL(contract_step(p, &down, CONTRACT_EXP, true, credit), CONTRACT_OK);
    for (int i = 0; i < 2; i++)
        CU_ASSERT_EQUAL(contract_step(p, &up, CONTRACT_IMP, false, credit), CONTRACT_OK);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(contract_step(p, &down, CONTRACT_EXP, false, data), CONTRACT_OK);
    CU_ASSERT_EQUAL(contract_step(p, &down, CONTRACT_EXP, false, done), CONTRACT_OK);
    CU_ASSERT_EQUAL(up, down);
    CU_ASSERT_STRING_EQUAL(p->states[up].name, "Draining");
}

static void test_step_bad_arguments(void)
{
    const contract *c = contract_find(lib, "Echo");
    uint32_t s = 0;
    CU_ASSERT_EQUAL(contract_step(c, &s, CONTRACT_EXP, true, 99), CONTRACT_E_TAG);
    CU_ASSERT_EQUAL(contract_step(c, &s, 7, true, 0), CONTRACT_E_ARG);
    CU_ASSERT_EQUAL(contract_step(NULL, &s, CONTRACT_EXP, true, 0), CONTRACT_E_ARG);
    CU_ASSERT_EQUAL(contract_step(c, NULL, CONTRACT_EXP, true, 0), CONTRACT_E_ARG);
    s = 1000;
    CU_ASSERT_EQUAL(contract_step(c, &s, CONTRACT_EXP, true, 2), CONTRACT_E_ARG);
    CU_ASSERT_EQUAL(s, 1000);
    CU_ASSERT_STRING_EQUAL(contract_strerror(CONTRACT_E_STATE), "message not allowed in the current state");
    CU_ASSERT_PTR_NOT_NULL(contract_strerror(-12345));
}

static void test_message_shape(void)
{
    const contract *t = contract_find(lib, "Timer");
    CU_ASSERT_EQUAL(contract_check_message(t, tag(t, "Arm"), 12, NULL, 0), CONTRACT_OK);
    CU_ASSERT_EQUAL(contract_check_message(t, tag(t, "Arm"), 11, NULL, 0), CONTRACT_E_PAYLOAD);
    CU_ASSERT_EQUAL(contract_check_message(t, tag(t, "Arm"), 16, NULL, 0), CONTRACT_E_PAYLOAD);
    CU_ASSERT_EQUAL(contract_check_message(t, 42, 0, NULL, 0), CONTRACT_E_TAG);
    contract_handle blk = { CONTRACT_BYTES, 0 };
    CU_ASSERT_EQUAL(contract_check_message(t, tag(t, "Arm"), 12, &blk, 1), CONTRACT_E_NHANDLES);

    const contract *ep = contract_find(lib, "EndpointPass");
    const contract *echo = contract_find(lib, "Echo");
    const contract *kv = contract_find(lib, "KeyValue");
    uint32_t publish = tag(ep, "Publish");
    contract_handle good[] = { { CONTRACT_BYTES, 0 }, { CONTRACT_EXP_EP, echo->fingerprint } };
    CU_ASSERT_EQUAL(contract_check_message(ep, publish, 0, good, 2), CONTRACT_OK);
    contract_handle unchecked[] = { { CONTRACT_BYTES, 0 }, { CONTRACT_EXP_EP, 0 } };
    CU_ASSERT_EQUAL(contract_check_message(ep, publish, 0, unchecked, 2), CONTRACT_OK);
    contract_handle wrong_side[] = { { CONTRACT_BYTES, 0 }, { CONTRACT_IMP_EP, echo->fingerprint } };
    CU_ASSERT_EQUAL(contract_check_message(ep, publish, 0, wrong_side, 2), CONTRACT_E_HANDLE_KIND);
    contract_handle block_for_ep[] = { { CONTRACT_BYTES, 0 }, { CONTRACT_BYTES, 0 } };
    CU_ASSERT_EQUAL(contract_check_message(ep, publish, 0, block_for_ep, 2), CONTRACT_E_HANDLE_KIND);
    contract_handle wrong_contract[] = { { CONTRACT_BYTES, 0 }, { CONTRACT_EXP_EP, kv->fingerprint } };
    CU_ASSERT_EQUAL(contract_check_message(ep, publish, 0, wrong_contract, 2), CONTRACT_E_HANDLE_CONTRACT);
    CU_ASSERT_EQUAL(contract_check_message(ep, publish, 0, good, 1), CONTRACT_E_NHANDLES);
    CU_ASSERT_EQUAL(contract_check_message(ep, publish, 1, good, 2), CONTRACT_E_PAYLOAD);
    CU_ASSERT_EQUAL(contract_check_message(ep, publish, 0, NULL, 2), CONTRACT_E_ARG);
}

static uint64_t fingerprint_of(const char *src, const char *name)
{
    contract_error err;
    contract_set *s = parse_text(src, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    uint64_t fp = contract_find(s, name)->fingerprint;
    CU_ASSERT_EQUAL(fp, contract_fingerprint(contract_find(s, name)));
    contract_set_free(s);
    return fp;
}

static void test_fingerprint(void)
{
    const char *a = "contract E { in message Q(bytes d); out message R(bytes d);\n"
                    "state W { Q? -> X; } state X { R! -> W; } }";
    const char *same = "// the same contract, laid out differently\ncontract E {\n"
                       "  in  message Q(bytes d);  /* request */\n  out message R(bytes d);\n"
                       "  state W { Q? -> X; }\n  state X { R! -> W; }\n}\n";
    const char *renamed_arg = "contract E { in message Q(bytes data); out message R(bytes d);\n"
                              "state W { Q? -> X; } state X { R! -> W; } }";
    const char *other_type = "contract E { in message Q(u32 d); out message R(bytes d);\n"
                             "state W { Q? -> X; } state X { R! -> W; } }";
    const char *swapped = "contract E { out message R(bytes d); in message Q(bytes d);\n"
                          "state W { Q? -> X; } state X { R! -> W; } }";
    uint64_t fa = fingerprint_of(a, "E");
    CU_ASSERT_NOT_EQUAL(fa, 0);
    CU_ASSERT_EQUAL(fa, fingerprint_of(same, "E"));
    CU_ASSERT_NOT_EQUAL(fa, fingerprint_of(renamed_arg, "E"));
    CU_ASSERT_NOT_EQUAL(fa, fingerprint_of(other_type, "E"));
    CU_ASSERT_NOT_EQUAL(fa, fingerprint_of(swapped, "E"));   /* tags changed */
    /* distinct library contracts differ */
    for (uint32_t i = 0; i < contract_set_count(lib); i++)
        for (uint32_t j = i + 1; j < contract_set_count(lib); j++)
            CU_ASSERT_NOT_EQUAL(contract_set_at(lib, i)->fingerprint, contract_set_at(lib, j)->fingerprint);
}

void register_check_suite(void)
{
    CU_pSuite s = CU_add_suite("contracts/check", suite_init, suite_clean);
    CU_add_test(s, "Echo: valid conversation on both sides", test_echo_valid_run);
    CU_add_test(s, "Echo: invalid sends are refused, state kept", test_echo_invalid_send);
    CU_add_test(s, "Echo: invalid receives are refused", test_echo_invalid_receive);
    CU_add_test(s, "final states end the conversation", test_final_state);
    CU_add_test(s, "crossing messages: both ends still agree", test_crossing_messages);
    CU_add_test(s, "bad tags, sides, states", test_step_bad_arguments);
    CU_add_test(s, "message shape: payload, handle count, kinds, contracts", test_message_shape);
    CU_add_test(s, "fingerprint: stable across layout, sensitive to definition", test_fingerprint);
}
