/* Parsing: the contract library, the tables built from it (tags, directions, payload
 * layout, handle slots, states, transitions), multi-file sets and lookups. */
#include <stdio.h>
#include <string.h>
#include "tests/contracts/helpers.h"

static void test_library_parses(void)
{
    contract_set *s = parse_library();
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    const char *names[] = { "Echo", "KeyValue", "PipelineStage", "EndpointPass",
                            "NameService", "ByteStream", "Timer", "Log" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        CU_ASSERT_PTR_NOT_NULL(contract_find(s, names[i]));
    CU_ASSERT_EQUAL(contract_set_count(s), 8);
    CU_ASSERT_PTR_NULL(contract_find(s, "NoSuchContract"));
    const contract *kv = contract_find(s, "KeyValue");
    CU_ASSERT_PTR_EQUAL(contract_find_fingerprint(s, kv->fingerprint), kv);
    CU_ASSERT_PTR_NULL(contract_find_fingerprint(s, kv->fingerprint ^ 1));
    contract_set_free(s);
}

static void test_echo_tables(void)
{
    contract_set *s = parse_library();
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    const contract *c = contract_find(s, "Echo");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->nmessages, 3);
    CU_ASSERT_STRING_EQUAL(c->messages[0].name, "Request");
    CU_ASSERT_EQUAL(c->messages[0].dir, CONTRACT_IN);
    CU_ASSERT_EQUAL(c->messages[1].dir, CONTRACT_OUT);
    CU_ASSERT_EQUAL(c->messages[2].tag, 2);
    CU_ASSERT_EQUAL(c->messages[0].nhandles, 1);
    CU_ASSERT_EQUAL(c->messages[0].payload_size, 0);
    CU_ASSERT_EQUAL(contract_handle_arg(&c->messages[0], 0)->kind, CONTRACT_BYTES);
    CU_ASSERT_PTR_NULL(contract_handle_arg(&c->messages[0], 1));
    CU_ASSERT_EQUAL(c->nstates, 3);
    CU_ASSERT_EQUAL(c->initial, 0);
    CU_ASSERT_STRING_EQUAL(c->states[c->initial].name, "Start");
    CU_ASSERT_EQUAL(contract_state_by_name(c, "Replying"), 2);
    CU_ASSERT_EQUAL(contract_state_by_name(c, "Nope"), -1);
    CU_ASSERT_PTR_EQUAL(contract_message_by_name(c, "Ready"), &c->messages[2]);
    CU_ASSERT_PTR_EQUAL(contract_message_by_tag(c, 1), &c->messages[1]);
    CU_ASSERT_PTR_NULL(contract_message_by_tag(c, 3));
    const contract_state *waiting = &c->states[1];
    CU_ASSERT_EQUAL(waiting->ntransitions, 1);
    CU_ASSERT_EQUAL(waiting->transitions[0].tag, 0);
    CU_ASSERT_EQUAL(waiting->transitions[0].to, 2);
    CU_ASSERT_EQUAL(c->messages[0].line, 3);
    CU_ASSERT_STRING_EQUAL(c->file, "contracts/lib/echo.contract");
    contract_set_free(s);
}

/* Scalars are packed in declaration order at natural sizes with no padding. */
static void test_payload_layout(void)
{
    contract_set *s = parse_library();
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    const contract *t = contract_find(s, "Timer");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    const contract_message *fired = contract_message_by_name(t, "Fired");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fired);
    CU_ASSERT_EQUAL(fired->payload_size, 13);
    CU_ASSERT_EQUAL(fired->args[0].index, 0);   /* u32 cookie */
    CU_ASSERT_EQUAL(fired->args[1].index, 4);   /* u64 now_ns */
    CU_ASSERT_EQUAL(fired->args[1].size, 8);
    CU_ASSERT_EQUAL(fired->args[2].index, 12);  /* bool late */
    CU_ASSERT_EQUAL(fired->args[2].size, 1);

    const contract *l = contract_find(s, "Log");
    const contract_message *rec = contract_message_by_name(l, "Record");
    CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
    CU_ASSERT_EQUAL(rec->payload_size, 9);     /* u8 + i64 */
    CU_ASSERT_EQUAL(rec->args[1].index, 1);
    CU_ASSERT_EQUAL(rec->nhandles, 1);
    CU_ASSERT_EQUAL(rec->args[2].index, 0);    /* bytes text: handle slot 0 */
    CU_ASSERT_EQUAL(rec->handle_arg[0], 2);
    const contract_message *thr = contract_message_by_name(l, "Throttle");
    CU_ASSERT_EQUAL(thr->args[0].kind, CONTRACT_F32);
    CU_ASSERT_EQUAL(thr->payload_size, 4);

    /* every kind's size, all in one message */
    contract_error err;
    contract_set *all = parse_text(
        "contract K { in message M(i8 a, u8 b, i16 c, u16 d, i32 e, u32 f, i64 g, u64 h,\n"
        "  f32 i, f64 j, bool k, bytes l, imp<K> m, exp<K> n);\n"
        "  state S { M? -> S; } }", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(all);
    const contract_message *m = &contract_find(all, "K")->messages[0];
    static const uint32_t sizes[] = { 1, 1, 2, 2, 4, 4, 8, 8, 4, 8, 1, 0, 0, 0 };
    static const uint32_t index[] = { 0, 1, 2, 4, 6, 10, 14, 22, 30, 34, 42, 0, 1, 2 };
    for (int i = 0; i < 14; i++) {
        CU_ASSERT_EQUAL(m->args[i].size, sizes[i]);
        CU_ASSERT_EQUAL(m->args[i].index, index[i]);
    }
    CU_ASSERT_EQUAL(m->payload_size, 43);
    CU_ASSERT_EQUAL(m->nhandles, 3);
    CU_ASSERT_EQUAL(m->args[12].kind, CONTRACT_IMP_EP);
    CU_ASSERT_EQUAL(m->args[13].kind, CONTRACT_EXP_EP);
    CU_ASSERT_PTR_EQUAL(m->args[12].peer, contract_find(all, "K"));
    contract_set_free(all);
    contract_set_free(s);
}

static void test_endpoint_args_resolve(void)
{
    contract_set *s = parse_library();
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    const contract *ep = contract_find(s, "EndpointPass");
    const contract_message *found = contract_message_by_name(ep, "Found");
    CU_ASSERT_PTR_NOT_NULL_FATAL(found);
    CU_ASSERT_EQUAL(found->args[0].kind, CONTRACT_IMP_EP);
    CU_ASSERT_STRING_EQUAL(found->args[0].peer_name, "Echo");
    CU_ASSERT_PTR_EQUAL(found->args[0].peer, contract_find(s, "Echo"));
    contract_set_free(s);
}

/* Two files in one set: the second names a contract of the first. */
static void test_multi_file_set(void)
{
    const char *a = "contract A { in message Go(); state S { Go? -> S; } }";
    const char *b = "\n\ncontract B { out message Give(imp<A> a);\n state S { Give! -> S; } }";
    contract_error err = { 0 };
    contract_set *s = contract_set_new();
    CU_ASSERT_EQUAL(contract_set_add(s, a, strlen(a), "a.contract", &err), 0);
    CU_ASSERT_EQUAL(contract_set_add(s, b, strlen(b), "b.contract", &err), 0);
    CU_ASSERT_EQUAL(contract_set_finish(s, &err), 0);
    CU_ASSERT_STRING_EQUAL(contract_find(s, "B")->file, "b.contract");
    CU_ASSERT_EQUAL(contract_find(s, "B")->line, 3);
    CU_ASSERT_PTR_EQUAL(contract_find(s, "B")->messages[0].args[0].peer, contract_find(s, "A"));
    /* a finished set takes no more files */
    CU_ASSERT_NOT_EQUAL(contract_set_add(s, a, strlen(a), "again", &err), 0);
    contract_set_free(s);

    /* the same pair alone fails: A is unknown */
    s = parse_text(b, &err);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_EQUAL(err.line, 3);
}

static void test_comments_and_empty(void)
{
    contract_error err;
    contract_set *s = parse_text("// nothing\n/* here\n at all */\n", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(contract_set_count(s), 0);
    contract_set_free(s);
    s = parse_text("contract Null { final state Done { } }", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(contract_find(s, "Null")->nmessages, 0);
    CU_ASSERT(contract_state_is_final(contract_find(s, "Null"), 0));
    contract_set_free(s);
    /* not NUL-terminated: only len bytes are read */
    const char text[] = "contract T { final state D { } }garbage";
    CU_ASSERT_EQUAL(contract_parse(text, sizeof text - 1 - strlen("garbage"), "t", &s, &err), 0);
    contract_set_free(s);
}

/* Chains: `A? -> B! -> S;` goes through an unnamed state named after its origin. */
static void test_chains(void)
{
    contract_error err = { 0 };
    contract_set *s = parse_text(
        "contract Echo2 {\n"
        "  in  message Request(bytes data);\n"
        "  out message Response(bytes data);\n"
        "  out message Ready();\n"
        "  in  message Bye();\n"
        "  out message Ok();\n"
        "  state Start { Ready! -> Waiting; }\n"
        "  state Waiting {\n"
        "    Request? -> Response! -> Waiting;\n"
        "    Bye? -> Ok! -> Done;\n"
        "  }\n"
        "  final state Done { }\n"
        "}\n", &err);
    if (!s) fprintf(stderr, "\n  %s\n", err.text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    const contract *c = contract_find(s, "Echo2");
    CU_ASSERT_EQUAL(c->nstates, 5);
    CU_ASSERT_STRING_EQUAL(c->states[0].name, "Start");
    CU_ASSERT_STRING_EQUAL(c->states[1].name, "Waiting");
    CU_ASSERT_STRING_EQUAL(c->states[2].name, "Waiting_Request");
    CU_ASSERT_STRING_EQUAL(c->states[3].name, "Waiting_Bye");
    CU_ASSERT_STRING_EQUAL(c->states[4].name, "Done");
    CU_ASSERT_EQUAL(c->states[2].line, 9);
    uint32_t exp = 0;
    CU_ASSERT_EQUAL(contract_step(c, &exp, CONTRACT_EXP, true, 2), CONTRACT_OK);    /* Ready */
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL(contract_step(c, &exp, CONTRACT_EXP, false, 0), CONTRACT_OK); /* Request */
        CU_ASSERT_EQUAL(contract_step(c, &exp, CONTRACT_EXP, false, 0), CONTRACT_E_STATE);
        CU_ASSERT_EQUAL(contract_step(c, &exp, CONTRACT_EXP, true, 1), CONTRACT_OK);  /* Response */
    }
    CU_ASSERT_EQUAL(contract_step(c, &exp, CONTRACT_EXP, false, 3), CONTRACT_OK);     /* Bye */
    CU_ASSERT_EQUAL(contract_step(c, &exp, CONTRACT_EXP, true, 4), CONTRACT_OK);      /* Ok */
    CU_ASSERT(contract_state_is_final(c, exp));
    contract_set_free(s);

    /* a three-step chain; the first declared state stays initial */
    s = parse_text("contract T { in message A(); out message B(); in message C();\n"
                   "  state S { A? -> B! -> C? -> S; } }", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    c = contract_find(s, "T");
    CU_ASSERT_EQUAL(c->nstates, 3);
    CU_ASSERT_EQUAL(c->initial, 0);
    CU_ASSERT_STRING_EQUAL(c->states[0].name, "S");
    CU_ASSERT_STRING_EQUAL(c->states[2].name, "S_A_B");
    contract_set_free(s);
}

void register_parse_suite(void)
{
    CU_pSuite s = CU_add_suite("contracts/parse", NULL, NULL);
    CU_add_test(s, "library contracts parse and check", test_library_parses);
    CU_add_test(s, "Echo tables", test_echo_tables);
    CU_add_test(s, "payload layout: packed, little-endian order", test_payload_layout);
    CU_add_test(s, "endpoint arguments resolve", test_endpoint_args_resolve);
    CU_add_test(s, "several files form one set", test_multi_file_set);
    CU_add_test(s, "comments, empty files, final-only contract", test_comments_and_empty);
    CU_add_test(s, "chains: A? -> B! -> S", test_chains);
}
