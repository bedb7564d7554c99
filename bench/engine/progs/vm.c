/* bench: a small stack-machine bytecode interpreter (switch dispatch) running a program
 * that computes, for every n below a bound, the length of its Collatz sequence, and sums
 * them. Size = the bound in tens of thousands. */
#include "bench_common.h"

enum op { PUSH, LOAD, STORE, ADD, SUB, MUL, DIV, MOD, LT, EQ, JMP, JZ, HALT };

typedef struct { uint8_t op; int32_t arg; } insn;

static int64_t run(const insn *code, int64_t *vars)
{
    int64_t stack[64];
    int sp = 0, pc = 0;
    for (;;) {
        const insn *i = &code[pc++];
        switch (i->op) {
        case PUSH:  stack[sp++] = i->arg; break;
        case LOAD:  stack[sp++] = vars[i->arg]; break;
        case STORE: vars[i->arg] = stack[--sp]; break;
        case ADD:   sp--; stack[sp - 1] += stack[sp]; break;
        case SUB:   sp--; stack[sp - 1] -= stack[sp]; break;
        case MUL:   sp--; stack[sp - 1] *= stack[sp]; break;
        case DIV:   sp--; stack[sp - 1] /= stack[sp]; break;
        case MOD:   sp--; stack[sp - 1] %= stack[sp]; break;
        case LT:    sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case EQ:    sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
        case JMP:   pc = i->arg; break;
        case JZ:    if (stack[--sp] == 0) pc = i->arg; break;
        case HALT:  return vars[0];
        }
    }
}

int main(int argc, char **argv)
{
    long limit = bench_size(argc, argv, 6) * 10000;
    /* vars: 0 total, 1 n, 2 x, 3 limit */
    const insn prog[] = {
        /*  0 */ {PUSH, 1}, {STORE, 1},
        /*  2: while n < limit */
        {LOAD, 1}, {LOAD, 3}, {LT, 0}, {JZ, 38},
        /*  6: x = n */
        {LOAD, 1}, {STORE, 2},
        /*  8: while x != 1 */
        {LOAD, 2}, {PUSH, 1}, {EQ, 0}, {JZ, 13}, {JMP, 33},
        /* 13: total += 1 */
        {LOAD, 0}, {PUSH, 1}, {ADD, 0}, {STORE, 0},
        /* 17: if x % 2 == 0 goto even */
        {LOAD, 2}, {PUSH, 2}, {MOD, 0}, {JZ, 28},
        /* 21: x = 3x + 1 */
        {LOAD, 2}, {PUSH, 3}, {MUL, 0}, {PUSH, 1}, {ADD, 0}, {STORE, 2}, {JMP, 8},
        /* 28: even: x = x / 2 */
        {LOAD, 2}, {PUSH, 2}, {DIV, 0}, {STORE, 2}, {JMP, 8},
        /* 33: n += 1 */
        {LOAD, 1}, {PUSH, 1}, {ADD, 0}, {STORE, 1}, {JMP, 2},
        /* 38 */ {HALT, 0},
    };
    int64_t vars[4] = {0, 0, 0, limit};
    int64_t total = run(prog, vars);
    bench_result("vm", (uint64_t)total);
    return 0;
}
