/* Well-formedness: every class of error is rejected with "file:line: reason" naming the
 * right line, and nothing leaks or crashes on the way out. */
#include <stdio.h>
#include <string.h>
#include "tests/contracts/helpers.h"

typedef struct {
    const char *what;
    const char *src;
    uint32_t line;
    const char *reason;       /* a substring the message must contain */
} bad_case;

static const bad_case cases[] = {
    { "syntax: missing ';'",
      "contract A {\n"
      "  in message M(bytes x)\n"
      "  state S { M? -> S; }\n"
      "}\n", 3, "expected ';'" },
    { "syntax: unknown type",
      "contract A {\n  in message M(string x);\n  state S { M? -> S; }\n}\n", 2, "argument type" },
    { "syntax: bad character",
      "contract A {\n  in message M();\n  state S { M? => S; }\n}\n", 3, "unexpected character '='" },
    { "syntax: unterminated comment",
      "contract A {\n  /* open\n\n  in message M();\n", 2, "unterminated" },
    { "syntax: end of file inside a contract",
      "contract A {\n  in message M();\n", 3, "end of file" },
    { "syntax: keyword as a name",
      "contract state {\n  final state S { }\n}\n", 1, "keyword" },
    { "syntax: reserved argument name",
      "contract A {\n  in message M(i32 int);\n  state S { M? -> S; }\n}\n", 2, "reserved" },
    { "syntax: missing arrow",
      "contract A {\n  in message M();\n  state S { M? S; }\n}\n", 3, "'->'" },
    { "syntax: missing ! or ?",
      "contract A {\n  in message M();\n  state S { M -> S; }\n}\n", 3, "'!'" },
    { "unknown state",
      "contract A {\n  in message M();\n  state S {\n    M? -> Nowhere;\n  }\n}\n", 4,
      "unknown state 'Nowhere'" },
    { "unknown message",
      "contract A {\n  in message M();\n  state S {\n    M? -> S;\n    N? -> S;\n  }\n}\n", 5,
      "unknown message 'N'" },
    { "duplicate message",
      "contract A {\n  in message M();\n  out message M();\n  state S { M? -> S; }\n}\n", 3,
      "duplicate message 'M'" },
    { "duplicate state",
      "contract A {\n  in message M();\n  state S { M? -> S; }\n  state S { M? -> S; }\n}\n", 4,
      "duplicate state 'S'" },
    { "duplicate argument",
      "contract A {\n  in message M(i32 x,\n               u8 x);\n  state S { M? -> S; }\n}\n", 3,
      "duplicate argument 'x'" },
    { "duplicate contract",
      "contract A { final state S { } }\n\ncontract A { final state S { } }\n", 3,
      "duplicate contract 'A'" },
    { "duplicate transition",
      "contract A {\n  in message M();\n  state S { M? -> S;\n    M? -> T; }\n"
      "  state T { M? -> S; }\n}\n", 4, "duplicate transition" },
    { "direction mismatch: in message with !",
      "contract A {\n  in message M();\n  state S {\n    M! -> S;\n  }\n}\n", 4,
      "direction mismatch" },
    { "direction mismatch: out message with ?",
      "contract A {\n  out message R();\n  in message M();\n  state S { M? -> T; }\n"
      "  state T { R? -> S; }\n}\n", 5, "direction mismatch" },
    { "unreachable state",
      "contract A {\n  in message M();\n  state S { M? -> S; }\n  state Island { M? -> S; }\n}\n", 4,
      "unreachable" },
    { "message never used",
      "contract A {\n  in message M();\n  out message Unused(u32 x);\n  state S { M? -> S; }\n}\n", 3,
      "never used" },
    { "non-final state without transitions",
      "contract A {\n  in message M();\n  state S { M? -> Stuck; }\n  state Stuck { }\n}\n", 4,
      "not marked final" },
    { "final state with a transition",
      "contract A {\n  in message M();\n  state S { M? -> D; }\n  final state D {\n"
      "    M? -> S;\n  }\n}\n", 5, "final state 'D' has a transition" },
    { "unknown contract in imp<>",
      "contract A {\n  in message M(bytes b,\n    imp<Ghost> g);\n  state S { M? -> S; }\n}\n", 3,
      "unknown contract 'Ghost'" },
    { "unknown contract in exp<>",
      "contract A {\n  out message M(exp<Ghost> g);\n  state S { M! -> S; }\n}\n", 2,
      "unknown contract 'Ghost'" },
    { "contract without states",
      "\ncontract A {\n  in message M();\n}\n", 2, "no states" },
    { "race: a send may cross a move into a final state",
      "contract A {\n  in message Close();\n  out message Data();\n  state Open {\n"
      "    Close? -> Done;\n    Data! -> Open;\n  }\n  final state Done { }\n}\n", 4,
      "race in state 'Open'" },
    { "race: the two orders end in different states",
      "contract A {\n  in message M();\n  out message N();\n  state S { M? -> P; N! -> Q; }\n"
      "  state P { N! -> S; }\n  state Q { M? -> Q2; }\n  state Q2 { N! -> S; }\n}\n", 4,
      "the ends disagree ('S' vs 'Q2')" },
    { "chain: direction mismatch in a later step",
      "contract A {\n  in message M();\n  in message N();\n  state S {\n    M? ->\n      N! -> S;\n  }\n}\n",
      6, "direction mismatch" },
    { "chain: two chains start with the same message",
      "contract A {\n  in message M();\n  out message N();\n  out message O();\n"
      "  state S {\n    M? -> N! -> S;\n    M? -> O! -> S;\n  }\n}\n", 7,
      "duplicate transition on 'M' in state 'S'" },
    { "chain: its state's name is taken",
      "contract A {\n  in message M();\n  out message N();\n  state S { M? -> N! -> S; }\n"
      "  state S_M { N! -> S; }\n}\n", 5, "clashes with the state the chain" },
    { "chain: a step without a mark",
      "contract A {\n  in message M();\n  state S { M? -> N -> S; }\n}\n", 3, "expected ';'" },
    { "garbage at top level",
      "message M();\n", 1, "expected 'contract'" },
    { "name starting with a digit",
      "contract 9A { final state S { } }\n", 1, "start with a letter" },
};

static void test_each_error_class(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bad_case *bc = &cases[i];
        contract_error err = { 0 };
        contract_set *s = (contract_set *)1;
        int r = contract_parse(bc->src, strlen(bc->src), "bad.contract", &s, &err);
        bool ok = r == CONTRACT_E_SYNTAX && s == NULL && err.line == bc->line &&
                  strstr(err.text, bc->reason) != NULL;
        char prefix[32];
        snprintf(prefix, sizeof prefix, "bad.contract:%u: ", bc->line);
        ok = ok && strncmp(err.text, prefix, strlen(prefix)) == 0;
        if (!ok)
            fprintf(stderr, "\n  case '%s': got r=%d line=%u \"%s\", want line %u with \"%s\"\n",
                    bc->what, r, err.line, err.text, bc->line, bc->reason);
        CU_ASSERT(ok);
    }
}

/* An error in the second file of a set names that file. */
static void test_error_names_its_file(void)
{
    const char *good = "contract A { final state S { } }";
    const char *bad = "contract B {\n  in message M();\n  state S { M? -> X; }\n}";
    contract_error err = { 0 };
    contract_set *s = contract_set_new();
    CU_ASSERT_EQUAL(contract_set_add(s, good, strlen(good), "one.contract", &err), 0);
    CU_ASSERT_EQUAL(contract_set_add(s, bad, strlen(bad), "two.contract", &err), 0);
    CU_ASSERT_EQUAL(contract_set_finish(s, &err), CONTRACT_E_SYNTAX);
    CU_ASSERT_STRING_EQUAL(err.text, "two.contract:3: unknown state 'X'");
    /* a failed set cannot be finished again */
    CU_ASSERT_NOT_EQUAL(contract_set_finish(s, &err), 0);
    contract_set_free(s);
}

/* Hostile sizes: a huge name, too many arguments, deep garbage -- clear errors. */
static void test_limits(void)
{
    char buf[8192];
    contract_error err = { 0 };
    memset(buf, 'a', 200);
    memcpy(buf, "contract ", 9);
    buf[200] = 0;
    CU_ASSERT_PTR_NULL(parse_text(buf, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "longer than"));

    int n = snprintf(buf, sizeof buf, "contract A { in message M(");
    for (int i = 0; i < 70; i++) n += snprintf(buf + n, sizeof buf - n, "%su8 a%d", i ? ", " : "", i);
    snprintf(buf + n, sizeof buf - n, "); state S { M? -> S; } }");
    CU_ASSERT_PTR_NULL(parse_text(buf, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "more than 64 arguments"));

    const char bytes[] = { 'c', 'o', 'n', 't', 'r', 'a', 'c', 't', ' ', 'A', 0, '{' };
    contract_set *s = NULL;
    CU_ASSERT_EQUAL(contract_parse(bytes, sizeof bytes, "nul", &s, &err), CONTRACT_E_SYNTAX);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "unexpected byte 0"));
    CU_ASSERT_EQUAL(contract_parse("", 0, "empty", &s, NULL), 0);   /* NULL err is fine */
    contract_set_free(s);
    CU_ASSERT_EQUAL(contract_parse("}", 1, NULL, &s, NULL), CONTRACT_E_SYNTAX);
}

void register_errors_suite(void)
{
    CU_pSuite s = CU_add_suite("contracts/errors", NULL, NULL);
    CU_add_test(s, "each well-formedness error class, with its line", test_each_error_class);
    CU_add_test(s, "errors name the file of a multi-file set", test_error_names_its_file);
    CU_add_test(s, "limits and hostile bytes", test_limits);
}
