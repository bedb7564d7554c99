/* Validate and compile one function body in a single pass.
 *
 * The validator runs the spec's operand/control stack algorithm; because it knows every
 * stack height, the compiler gives each operand a fixed frame slot (locals first, then one
 * slot per stack height) and emits "slot code" (see ops.h) that names its operands by slot.
 * local.get pushes a reference to the local's own slot instead of copying it; such
 * references are materialised into their stack slot before the local is overwritten and at
 * every control boundary. Branch targets are resolved to relative code offsets, values a
 * branch carries are moved to the target's slots with COPY, fuel is charged by FUEL
 * instructions at function entry and loop headers. */
#include "sips/engine/internal.h"
#include "sips/engine/compile_internal.h"

static const uint8_t vt_i32[1] = { WASM_I32 }, vt_i64[1] = { WASM_I64 },
                     vt_f32[1] = { WASM_F32 }, vt_f64[1] = { WASM_F64 },
                     vt_fref[1] = { WASM_FUNCREF }, vt_eref[1] = { WASM_EXTERNREF };

static const uint8_t *single_vt(uint8_t t)
{
    switch (t) {
    case WASM_I32: return vt_i32;
    case WASM_I64: return vt_i64;
    case WASM_F32: return vt_f32;
    case WASM_F64: return vt_f64;
    case WASM_FUNCREF: return vt_fref;
    case WASM_EXTERNREF: return vt_eref;
    default: return NULL;
    }
}

static bool is_num(uint8_t t) { return t == WASM_I32 || t == WASM_I64 || t == WASM_F32 || t == WASM_F64; }
static bool is_ref(uint8_t t) { return t == WASM_FUNCREF || t == WASM_EXTERNREF; }

/* ---- code emission -------------------------------------------------------------------- */
static bool dead(cc *c)
{
    ctrl *f = &c->ctl[c->nctl - 1];
    return f->unreachable || f->dead_parent;
}

/* Append an instruction of op with nops operand words; returns a pointer to its operand
 * words (valid until the next emit), or a scratch area in dead code. */
static uint32_t *emit(cc *c, int op, uint32_t nops)
{
    if (dead(c) || c->fail)
        return c->scratch;
    if (!engine_grow((void **)&c->code, &c->ccode, c->ncode + 1 + nops, sizeof(uint32_t))) {
        c->fail = WASM_ERR_NOMEM;
        return c->scratch;
    }
    c->prev_pos = c->last_pos;
    c->prev_op = c->last_op;
    c->last_pos = c->ncode;
    c->last_op = op;
    c->code[c->ncode] = (uint32_t)c->h[op];
    c->ncode += 1 + nops;
    return &c->code[c->last_pos + 1];
}

static void no_last(cc *c) { c->last_op = -1; c->prev_op = -1; }

/* A slot-to-slot copy; two in a row become one COPY2, more one COPYN (done in order). */
static void emit_copy(cc *c, uint32_t dst, uint32_t src)
{
    if (!dead(c) && !c->fail && (c->last_op == OP_COPY2 || c->last_op == OP_COPYN) &&
        c->last_pos + (c->last_op == OP_COPY2 ? 5 : 2 + 2 * c->code[c->last_pos + 1]) == c->ncode) {
        if (!engine_grow((void **)&c->code, &c->ccode, c->ncode + 3, sizeof(uint32_t))) {
            c->fail = WASM_ERR_NOMEM;
            return;
        }
        uint32_t at = c->last_pos;
        if (c->last_op == OP_COPY2) {
            /* COPY2 d1 s1 d2 s2 -> COPYN 2 d1 s1 d2 s2 */
            rt_memmove(&c->code[at + 2], &c->code[at + 1], 4 * sizeof(uint32_t));
            c->code[at] = (uint32_t)c->h[OP_COPYN];
            c->code[at + 1] = 2;
            c->ncode++;
            c->last_op = OP_COPYN;
        }
        c->code[at + 1]++;
        c->code[c->ncode++] = dst;
        c->code[c->ncode++] = src;
        return;
    }
    if (!dead(c) && !c->fail && c->last_op == OP_COPY && c->last_pos + 3 == c->ncode) {
        if (!engine_grow((void **)&c->code, &c->ccode, c->ncode + 2, sizeof(uint32_t))) {
            c->fail = WASM_ERR_NOMEM;
            return;
        }
        c->code[c->last_pos] = (uint32_t)c->h[OP_COPY2];
        c->code[c->ncode++] = dst;
        c->code[c->ncode++] = src;
        c->last_op = OP_COPY2;
        return;
    }
    uint32_t *w = emit(c, OP_COPY, 2);
    w[0] = dst;
    w[1] = src;
}

static uint32_t slot_of(cc *c, uint32_t height) { return (c->nlocals + height) * WASM_SLOT; }

static bool bad(cc *c, wasm_errcode code, const char *msg)
{
    if (!c->fail) {
        c->fail = code;
        engine_err(c->err, code, msg);
    }
    return false;
}
#define INVALID(msg)   bad(c, WASM_ERR_INVALID, msg)
#define MALFORMED(msg) bad(c, WASM_ERR_MALFORMED, msg)

/* ---- operand stack -------------------------------------------------------------------- */
static void push_slot(cc *c, uint8_t type, uint32_t slot)
{
    if (!engine_grow((void **)&c->stk, &c->cstk, c->nstk + 1, sizeof(operand))) {
        c->fail = WASM_ERR_NOMEM;
        return;
    }
    c->stk[c->nstk].type = type;
    c->stk[c->nstk].slot = slot;
    c->stk[c->nstk].is_const = false;
    c->stk[c->nstk].is_addk = false;
    c->stk[c->nstk].base = 0;
    c->stk[c->nstk].k = 0;
    c->nstk++;
    if (c->nstk > c->max_height)
        c->max_height = c->nstk;
}

/* Push a result into its canonical slot; returns the slot. */
static uint32_t push(cc *c, uint8_t type)
{
    uint32_t s = slot_of(c, c->nstk);
    push_slot(c, type, s);
    return s;
}

/* Push a constant lazily: no code until an instruction needs it in its slot. */
static void push_const(cc *c, uint8_t type, uint64_t k)
{
    push(c, type);
    if (!c->fail) {
        c->stk[c->nstk - 1].is_const = true;
        c->stk[c->nstk - 1].k = k;
    }
}

static void emit_const(cc *c, uint8_t type, uint32_t slot, uint64_t k)
{
    if (type == WASM_I32 || type == WASM_F32) {
        uint32_t *w = emit(c, OP_CONST32, 2);
        w[0] = slot; w[1] = (uint32_t)k;
    } else {
        uint32_t *w = emit(c, OP_CONST64, 3);
        w[0] = slot; w[1] = (uint32_t)k; w[2] = (uint32_t)(k >> 32);
    }
}

/* The slot holding operand o, writing a lazy constant into its slot first. */
static uint32_t use(cc *c, operand *o)
{
    if (o->is_const) {
        emit_const(c, o->type, o->slot, o->k);
        o->is_const = false;
    } else if (o->is_addk) {
        uint32_t *w = emit(c, OP_I32_ADD_K, 3);
        w[0] = o->slot; w[1] = o->base; w[2] = (uint32_t)o->k;
        o->is_addk = false;
    }
    return o->slot;
}

static bool pop(cc *c, uint8_t expect, operand *out)
{
    ctrl *f = &c->ctl[c->nctl - 1];
    if (c->nstk == f->height) {
        if (f->unreachable) {
            out->type = expect;
            out->slot = slot_of(c, c->nstk);
            out->is_const = false;
            out->is_addk = false;
            out->k = 0;
            return true;
        }
        return INVALID("type mismatch");
    }
    operand o = c->stk[--c->nstk];
    if (expect != WASM_VT_UNKNOWN && o.type != WASM_VT_UNKNOWN && o.type != expect)
        return INVALID("type mismatch");
    if (o.type == WASM_VT_UNKNOWN)
        o.type = expect;
    *out = o;
    return true;
}

static uint32_t pop_slot(cc *c, uint8_t expect)
{
    operand o;
    if (!pop(c, expect, &o))
        return 0;
    return use(c, &o);
}

static bool pop_types(cc *c, uint32_t n, const uint8_t *types)
{
    operand o;
    for (uint32_t i = n; i-- > 0;)
        if (!pop(c, types[i], &o))
            return false;
    return true;
}

static void push_types(cc *c, uint32_t n, const uint8_t *types)
{
    for (uint32_t i = 0; i < n; i++)
        push(c, types[i]);
}

/* Copy every folded local reference on the stack into its own slot. */
static void materialise_all(cc *c)
{
    for (uint32_t i = 0; i < c->nstk; i++) {
        uint32_t want = slot_of(c, i);
        if (c->stk[i].is_const || c->stk[i].is_addk) {
            use(c, &c->stk[i]);
        } else if (c->stk[i].slot != want) {
            emit_copy(c, want, c->stk[i].slot);
            c->stk[i].slot = want;
        }
    }
}

static bool local_referenced(cc *c, uint32_t lslot)
{
    for (uint32_t i = 0; i < c->nstk; i++)
        if (c->stk[i].slot == lslot || (c->stk[i].is_addk && c->stk[i].base == lslot))
            return true;
    return false;
}

/* Before local lslot is written: compute everything on the stack that still reads it. */
static void materialise_local(cc *c, uint32_t lslot)
{
    for (uint32_t i = 0; i < c->nstk; i++) {
        if (c->stk[i].is_addk && c->stk[i].base == lslot) {
            use(c, &c->stk[i]);
        } else if (c->stk[i].slot == lslot) {
            emit_copy(c, slot_of(c, i), lslot);
            c->stk[i].slot = slot_of(c, i);
        }
    }
}

/* ---- control stack ------------------------------------------------------------------ */
static void push_ctrl(cc *c, uint8_t kind, uint32_t np, const uint8_t *p, uint32_t nr,
                      const uint8_t *r)
{
    if (!engine_grow((void **)&c->ctl, &c->cctl, c->nctl + 1, sizeof(ctrl))) {
        c->fail = WASM_ERR_NOMEM;
        return;
    }
    ctrl *f = &c->ctl[c->nctl];
    bool parent_dead = c->nctl ? dead(c) : false;
    rt_memset(f, 0, sizeof *f);
    f->kind = kind;
    f->nparams = np; f->params = p;
    f->nresults = nr; f->results = r;
    f->height = c->nstk - np;
    f->dead_parent = parent_dead;
    f->else_instr = UINT32_MAX;
    f->fix_start = c->nfix;
    c->nctl++;
}

/* Check the top n operands against types and give them those types, keeping their slots;
 * in unreachable code, missing operands are supplied (the polymorphic stack). */
static bool retype(cc *c, uint32_t n, const uint8_t *types)
{
    ctrl *top = &c->ctl[c->nctl - 1];
    uint32_t avail = c->nstk - top->height;
    if (avail < n) {
        if (!top->unreachable)
            return INVALID("type mismatch");
        uint32_t missing = n - avail;
        if (!engine_grow((void **)&c->stk, &c->cstk, c->nstk + missing, sizeof(operand)))
            return bad(c, WASM_ERR_NOMEM, "out of memory");
        rt_memmove(&c->stk[top->height + missing], &c->stk[top->height], avail * sizeof(operand));
        for (uint32_t i = 0; i < missing; i++) {
            c->stk[top->height + i].type = WASM_VT_UNKNOWN;
            c->stk[top->height + i].slot = slot_of(c, top->height + i);
            c->stk[top->height + i].is_const = false;
            c->stk[top->height + i].is_addk = false;
        }
        c->nstk += missing;
        if (c->nstk > c->max_height)
            c->max_height = c->nstk;
    }
    for (uint32_t k = 0; k < n; k++) {
        operand *o = &c->stk[c->nstk - n + k];
        if (o->type != WASM_VT_UNKNOWN && o->type != types[k])
            return INVALID("type mismatch");
        o->type = types[k];
    }
    return true;
}

static uint32_t label_arity(const ctrl *f) { return f->kind == CTRL_LOOP ? f->nparams : f->nresults; }
static const uint8_t *label_types(const ctrl *f) { return f->kind == CTRL_LOOP ? f->params : f->results; }
static uint32_t label_base(cc *c, const ctrl *f) { return f->kind == CTRL_FUNC ? 0 : slot_of(c, f->height); }

static void add_fixup(cc *c, uint32_t target, uint32_t word, uint32_t instr)
{
    if (dead(c) || c->fail)
        return;
    if (!engine_grow((void **)&c->fix, &c->cfix, c->nfix + 1, sizeof(fixup))) {
        c->fail = WASM_ERR_NOMEM;
        return;
    }
    c->fix[c->nfix].target = target;
    c->fix[c->nfix].word = word;
    c->fix[c->nfix].instr = instr;
    c->nfix++;
}

/* Resolve the fixups of ctl[idx] to the current position; keep the others. */
static void place_label(cc *c, uint32_t idx)
{
    uint32_t keep = c->ctl[idx].fix_start;
    for (uint32_t i = c->ctl[idx].fix_start; i < c->nfix; i++) {
        fixup x = c->fix[i];
        if (x.target == idx)
            c->code[x.word] = c->ncode - x.instr;
        else
            c->fix[keep++] = x;
    }
    c->nfix = keep;
    no_last(c);
}

/* Do the n values on top of the stack need moving to reach label f? (stack materialised) */
static bool needs_moves(cc *c, const ctrl *f)
{
    uint32_t n = label_arity(f);
    if (f->kind == CTRL_FUNC)
        return true;
    return n && slot_of(c, c->nstk - n) != label_base(c, f);
}

static void emit_moves(cc *c, const ctrl *f)
{
    uint32_t n = label_arity(f), base = label_base(c, f);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t src = slot_of(c, c->nstk - n + k);
        if (src != base + k * WASM_SLOT) {
            emit_copy(c, base + k * WASM_SLOT, src);
        }
    }
}

/* Unconditional jump to label idx after its values were moved. */
static void emit_jump(cc *c, uint32_t idx)
{
    ctrl *f = &c->ctl[idx];
    if (f->kind == CTRL_FUNC) {
        emit(c, OP_RETURN, 0);
        return;
    }
    if (!dead(c) && !c->fail && c->last_op == OP_I32_ADD_K && c->last_pos + 4 == c->ncode &&
        c->code[c->last_pos + 1] < c->nlocals * WASM_SLOT) {
        /* a local update right before the jump (i++ at the end of a loop or switch case) */
        if (!engine_grow((void **)&c->code, &c->ccode, c->ncode + 1, sizeof(uint32_t))) {
            c->fail = WASM_ERR_NOMEM;
            return;
        }
        uint32_t at = c->last_pos;
        c->code[at] = (uint32_t)c->h[OP_I32_ADD_K_BR];
        c->ncode++;
        c->last_op = OP_I32_ADD_K_BR;
        if (f->kind == CTRL_LOOP)
            c->code[at + 4] = f->loop_pos - at;
        else
            add_fixup(c, idx, at + 4, at);
        return;
    }
    if (!dead(c) && !c->fail && (c->last_op == OP_COPY || c->last_op == OP_COPY2 ||
                                 c->last_op == OP_COPYN)) {
        /* copies that move a branch's values (or a loop's rotating locals), then the jump */
        uint32_t at = c->last_pos;
        uint32_t len = c->last_op == OP_COPY ? 3 : c->last_op == OP_COPY2 ? 5 : 2 + 2 * c->code[at + 1];
        if (at + len == c->ncode) {
            if (!engine_grow((void **)&c->code, &c->ccode, c->ncode + 2, sizeof(uint32_t))) {
                c->fail = WASM_ERR_NOMEM;
                return;
            }
            if (c->last_op != OP_COPYN) {
                rt_memmove(&c->code[at + 2], &c->code[at + 1], (len - 1) * sizeof(uint32_t));
                c->code[at + 1] = (len - 1) / 2;
                c->ncode++;
            }
            c->code[at] = (uint32_t)c->h[OP_COPYN_BR];
            uint32_t rel = c->ncode++;
            c->last_op = OP_COPYN_BR;
            if (f->kind == CTRL_LOOP)
                c->code[rel] = f->loop_pos - at;
            else
                add_fixup(c, idx, rel, at);
            return;
        }
    }
    uint32_t at = c->ncode;
    uint32_t *w = emit(c, OP_BR, 1);
    if (f->kind == CTRL_LOOP)
        w[0] = f->loop_pos - at;
    else
        add_fixup(c, idx, at + 1, at);
}

/* Point the relative word `word` of instruction `instr` at label idx (no moves needed). */
static void target_label(cc *c, uint32_t idx, uint32_t word, uint32_t instr)
{
    ctrl *f = &c->ctl[idx];
    if (dead(c) || c->fail)
        return;
    if (f->kind == CTRL_LOOP)
        c->code[word] = f->loop_pos - instr;
    else
        add_fixup(c, idx, word, instr);
}

/* Check the operand stack against label types without popping. */
static bool check_label(cc *c, const ctrl *f)
{
    ctrl *top = &c->ctl[c->nctl - 1];
    uint32_t n = label_arity(f);
    const uint8_t *t = label_types(f);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t depth = n - k;                 /* 1 = top of stack */
        if (c->nstk < top->height + depth) {
            if (!top->unreachable)
                return INVALID("type mismatch");
            continue;
        }
        uint8_t have = c->stk[c->nstk - depth].type;
        if (have != WASM_VT_UNKNOWN && have != t[k])
            return INVALID("type mismatch");
    }
    return true;
}

static void set_unreachable(cc *c)
{
    ctrl *f = &c->ctl[c->nctl - 1];
    c->nstk = f->height;
    f->unreachable = true;
    no_last(c);
}

/* ---- fuel ------------------------------------------------------------------------------ */
static void close_fuel(cc *c)
{
    if (c->fuel_word != UINT32_MAX)
        c->code[c->fuel_word] = c->fuel_count ? c->fuel_count : 1;
    c->fuel_word = UINT32_MAX;
    c->fuel_count = 0;
}

static void emit_fuel(cc *c)
{
    close_fuel(c);
    if (dead(c) || c->fail)
        return;
    uint32_t at = c->ncode;
    emit(c, OP_FUEL, 1);
    c->fuel_word = at + 1;
    no_last(c);
}

/* ---- reading immediates ---------------------------------------------------------------- */
static bool rd_u32(cc *c, uint32_t *v)
{
    if (!wasm_read_u32(&c->r, v))
        return MALFORMED(c->r.p >= c->r.end ? "unexpected end" : "malformed integer");
    return true;
}

static bool rd_u8(cc *c, uint8_t *v)
{
    if (!wasm_read_u8(&c->r, v))
        return MALFORMED("unexpected end");
    return true;
}

static bool rd_zero(cc *c)
{
    uint8_t b;
    if (!rd_u8(c, &b))
        return false;
    if (b != 0)
        return MALFORMED("zero byte expected");
    return true;
}

static bool read_blocktype(cc *c, uint32_t *np, const uint8_t **p, uint32_t *nr, const uint8_t **r)
{
    int64_t bt;
    if (!wasm_read_s33(&c->r, &bt))
        return MALFORMED("malformed block type");
    *np = 0; *p = NULL;
    if (bt == -64) {
        *nr = 0; *r = NULL;
        return true;
    }
    if (bt < 0) {
        uint8_t t = (uint8_t)(bt & 0x7F);
        *r = single_vt(t);
        *nr = 1;
        if (!*r)
            return MALFORMED("malformed value type");
        return true;
    }
    if ((uint64_t)bt >= c->m->d.ntypes)
        return INVALID("unknown type");
    const wasm_decoded_type *t = &c->m->d.types[bt];
    *np = t->nparams; *p = t->params;
    *nr = t->nresults; *r = t->results;
    return true;
}

static bool read_memarg(cc *c, uint32_t natural_log2, uint32_t *offset)
{
    uint32_t align;
    if (!rd_u32(c, &align) || !rd_u32(c, offset))
        return false;
    if (c->m->nmems_all == 0)
        return INVALID("unknown memory 0");
    if (align > natural_log2)
        return INVALID("alignment must not be larger than natural");
    return true;
}

static bool need_table(cc *c, uint32_t t)
{
    if (t >= c->m->ntables_all)
        return INVALID("unknown table");
    return true;
}

/* ---- instruction groups --------------------------------------------------------------- */
/* If the address operand a was just computed by i32.add (of a slot and a constant, or of
 * two slots) into its temporary slot, take that instruction back and return its parts so
 * the memory access computes the address itself: 1 = slot+constant, 2 = slot+slot. */
static int take_address(cc *c, const operand *a, uint32_t *x, uint32_t *y)
{
    if (a->is_addk) {
        *x = a->base;
        *y = (uint32_t)a->k;
        return 1;
    }
    if (dead(c) || c->fail || a->is_const || c->last_op < 0 || a->slot != slot_of(c, c->nstk))
        return 0;
    if (c->code[c->last_pos + 1] != a->slot)
        return 0;
    int kind;
    if (c->last_op == OP_I32_ADD_K)
        kind = 1;
    else if (c->last_op == OP_I32_ADD)
        kind = 2;
    else
        return 0;
    *x = c->code[c->last_pos + 2];
    *y = c->code[c->last_pos + 3];
    c->ncode = c->last_pos;
    c->last_op = -1;
    return kind;
}

static bool do_load(cc *c, int op, uint8_t type, uint32_t nat)
{
    uint32_t off, x, y;
    operand a;
    if (!read_memarg(c, nat, &off) || !pop(c, WASM_I32, &a))
        return false;
    int kind = take_address(c, &a, &x, &y);
    if (kind) {
        uint32_t d = push(c, type);
        uint32_t *w = emit(c, op + (kind == 1 ? OP_LOAD32_K : OP_LOAD32_X) - OP_LOAD32, 4);
        w[0] = d; w[1] = x; w[2] = off; w[3] = y;
    } else if (a.is_const) {
        uint64_t ea = (uint64_t)(uint32_t)a.k + off;
        uint32_t d = push(c, type);
        uint32_t *w = emit(c, op + OP_LOAD32_A - OP_LOAD32, 3);
        w[0] = d; w[1] = (uint32_t)ea; w[2] = (uint32_t)(ea >> 32);
    } else {
        uint32_t sa = use(c, &a);
        uint32_t d = push(c, type);
        uint32_t *w = emit(c, op, 3);
        w[0] = d; w[1] = sa; w[2] = off;
    }
    return !c->fail;
}

static bool do_store(cc *c, int op, uint8_t type, uint32_t nat)
{
    uint32_t off, x, y;
    operand a, v;
    if (!read_memarg(c, nat, &off) || !pop(c, type, &v) || !pop(c, WASM_I32, &a))
        return false;
    /* the value must not have been computed after the address */
    int kind = 0;
    if (a.is_addk || v.is_const || v.slot != slot_of(c, c->nstk + 1))
        kind = take_address(c, &a, &x, &y);
    if (kind && (v.is_const || v.is_addk) && (v.slot == x || (kind == 2 && v.slot == y))) {
        /* writing the lazy value into its slot would clobber an addend of the address
         * (e.g. p + f() then a constant value): compute the address first */
        uint32_t *w = emit(c, kind == 1 ? OP_I32_ADD_K : OP_I32_ADD, 3);
        w[0] = a.slot; w[1] = x; w[2] = y;
        a.is_addk = false;
        kind = 0;
    }
    uint32_t sv = use(c, &v);
    if (kind) {
        uint32_t *w = emit(c, op + (kind == 1 ? OP_STORE32_K : OP_STORE32_X) - OP_STORE32, 4);
        w[0] = x; w[1] = sv; w[2] = off; w[3] = y;
    } else if (a.is_const) {
        uint64_t ea = (uint64_t)(uint32_t)a.k + off;
        uint32_t *w = emit(c, op + OP_STORE32_A - OP_STORE32, 3);
        w[0] = (uint32_t)ea; w[1] = sv; w[2] = (uint32_t)(ea >> 32);
    } else {
        uint32_t sa = use(c, &a);
        uint32_t *w = emit(c, op, 3);
        w[0] = sa; w[1] = sv; w[2] = off;
    }
    no_last(c);
    return !c->fail;
}

/* Types of numeric opcodes 0x45..0xC4: in1, in2 (0 for unary), out. */
static void numeric_sig(uint8_t op, uint8_t *a, uint8_t *b, uint8_t *r)
{
    const uint8_t I = WASM_I32, L = WASM_I64, F = WASM_F32, D = WASM_F64;
    *b = 0;
    if (op == 0x45) { *a = I; *r = I; }
    else if (op <= 0x4F) { *a = *b = I; *r = I; }
    else if (op == 0x50) { *a = L; *r = I; }
    else if (op <= 0x5A) { *a = *b = L; *r = I; }
    else if (op <= 0x60) { *a = *b = F; *r = I; }
    else if (op <= 0x66) { *a = *b = D; *r = I; }
    else if (op <= 0x69) { *a = I; *r = I; }
    else if (op <= 0x78) { *a = *b = I; *r = I; }
    else if (op <= 0x7B) { *a = L; *r = L; }
    else if (op <= 0x8A) { *a = *b = L; *r = L; }
    else if (op <= 0x91) { *a = F; *r = F; }
    else if (op <= 0x98) { *a = *b = F; *r = F; }
    else if (op <= 0x9F) { *a = D; *r = D; }
    else if (op <= 0xA6) { *a = *b = D; *r = D; }
    else {
        static const uint8_t conv[][2] = {
            /* A7 */ {L, I}, {F, I}, {F, I}, {D, I}, {D, I}, {I, L}, {I, L}, {F, L}, {F, L},
            /* B0 */ {D, L}, {D, L}, {I, F}, {I, F}, {L, F}, {L, F}, {D, F}, {I, D}, {I, D},
            /* B9 */ {L, D}, {L, D}, {F, D}, {F, I}, {D, L}, {I, F}, {L, D},
            /* C0 */ {I, I}, {I, I}, {L, L}, {L, L}, {L, L},
        };
        *a = conv[op - 0xA7][0];
        *r = conv[op - 0xA7][1];
    }
}

/* If the condition in slot `cond` was just computed by an i32 comparison (or eqz), turn
 * that instruction into a compare-and-branch (on the negated condition when `negate`).
 * Returns the instruction start and sets *rel to the word the caller fills with the
 * relative target, or UINT32_MAX if not possible. */
static uint32_t fuse_compare(cc *c, uint32_t cond, bool negate, uint32_t *rel)
{
    if (dead(c) || c->last_op < 0 || c->fail)
        return UINT32_MAX;
    uint32_t at = c->last_pos;
    int op = c->last_op;
    if (c->code[at + 1] != cond || cond != slot_of(c, c->nstk))
        return UINT32_MAX;
    static const int inv[] = { 1, 0, 8, 9, 6, 7, 4, 5, 2, 3 };   /* eq<->ne, lt<->ge, gt<->le */
    int base;
    if (op >= OP_I32_EQ && op <= OP_I32_GE_U)
        base = OP_BR_I32_EQ, op -= OP_I32_EQ;
    else if (op >= OP_I32_EQ_K && op <= OP_I32_GE_U_K)
        base = OP_BR_I32_EQ_K, op -= OP_I32_EQ_K;
    else if (op == OP_I32_EQZ) {
        uint32_t a = c->code[at + 2];
        c->code[at] = (uint32_t)c->h[negate ? OP_BR_IF : OP_BR_UNLESS];
        c->code[at + 1] = a;
        *rel = at + 2;
        c->last_op = -1;
        return at;
    } else
        return UINT32_MAX;
    if (negate)
        op = inv[op];
    uint32_t a = c->code[at + 2], b = c->code[at + 3];
    c->last_op = -1;
    if (c->prev_op == OP_I32_ADD_K && c->prev_pos + 4 == at) {
        /* i += k right before the test (the closing branch of a counted loop): one
         * instruction doing both in order, dst a k | x y rel */
        uint32_t p = c->prev_pos;
        c->code[p] = (uint32_t)c->h[(base == OP_BR_I32_EQ ? OP_ADDK_BR_I32_EQ : OP_ADDK_BR_I32_EQ_K) + op];
        c->code[p + 4] = a;
        c->code[p + 5] = b;
        c->ncode = p + 7;
        c->prev_op = -1;
        *rel = p + 6;
        return p;
    }
    c->code[at] = (uint32_t)c->h[base + op];
    c->code[at + 1] = a;
    c->code[at + 2] = b;
    *rel = at + 3;
    return at;
}

static bool do_br_if(cc *c, uint32_t depth)
{
    if (depth >= c->nctl)
        return INVALID("unknown label");
    uint32_t cond = pop_slot(c, WASM_I32);
    uint32_t idx = c->nctl - 1 - depth;
    ctrl *f = &c->ctl[idx];
    if (!retype(c, label_arity(f), label_types(f)))
        return false;
    materialise_all(c);
    if (!needs_moves(c, f)) {
        uint32_t rel;
        uint32_t at = fuse_compare(c, cond, false, &rel);
        if (at != UINT32_MAX) {
            target_label(c, idx, rel, at);
            return true;
        }
        at = c->ncode;
        uint32_t *w = emit(c, OP_BR_IF, 2);
        w[0] = cond;
        target_label(c, idx, at + 2, at);
        return !c->fail;
    }
    uint32_t at = c->ncode;
    uint32_t *w = emit(c, OP_BR_UNLESS, 2);
    w[0] = cond;
    emit_moves(c, f);
    emit_jump(c, idx);
    if (!dead(c) && !c->fail)
        c->code[at + 2] = c->ncode - at;
    no_last(c);
    return !c->fail;
}

static bool do_br_table(cc *c)
{
    uint32_t n;
    if (!rd_u32(c, &n))
        return false;
    if ((uint64_t)n > (uint64_t)(c->r.end - c->r.p))
        return MALFORMED("unexpected end");
    uint32_t *labels = rt_malloc(((size_t)n + 1) * sizeof(uint32_t));
    if (!labels)
        return bad(c, WASM_ERR_NOMEM, "out of memory");
    bool ok = true;
    for (uint32_t i = 0; i <= n && ok; i++) {
        ok = rd_u32(c, &labels[i]);
        if (ok && labels[i] >= c->nctl)
            ok = INVALID("unknown label");
    }
    uint32_t cond = 0;
    if (ok) {
        cond = pop_slot(c, WASM_I32);
        ok = !c->fail;
    }
    if (ok) {
        uint32_t arity = label_arity(&c->ctl[c->nctl - 1 - labels[n]]);
        for (uint32_t i = 0; i <= n && ok; i++) {
            ctrl *f = &c->ctl[c->nctl - 1 - labels[i]];
            if (label_arity(f) != arity)
                ok = INVALID("type mismatch");
            else
                ok = check_label(c, f);
        }
    }
    if (ok && !dead(c)) {
        materialise_all(c);
        uint32_t at, hdr;
        uint32_t *w;
        if (c->last_op == OP_LOAD8_U32_K && c->last_pos + 5 == c->ncode && !c->fail &&
            c->code[c->last_pos + 1] == cond && cond >= slot_of(c, c->nstk)) {
            /* the index byte was just loaded: load it in the branch */
            uint32_t a = c->code[c->last_pos + 2], off = c->code[c->last_pos + 3];
            uint32_t k = c->code[c->last_pos + 4];
            c->ncode = c->last_pos;
            c->last_op = -1;
            at = c->ncode;
            hdr = 5;
            w = emit(c, OP_BR_TABLE_L8K, 4 + n + 1);
            if (!c->fail) {
                w[0] = a; w[1] = off; w[2] = k; w[3] = n;
            }
        } else {
            at = c->ncode;
            hdr = 3;
            w = emit(c, OP_BR_TABLE, 2 + n + 1);
            if (!c->fail) {
                w[0] = cond;
                w[1] = n;
            }
        }
        if (!c->fail) {
            for (uint32_t i = 0; i <= n; i++) {
                uint32_t idx = c->nctl - 1 - labels[i];
                ctrl *f = &c->ctl[idx];
                if (!needs_moves(c, f)) {
                    target_label(c, idx, at + hdr + i, at);
                } else {
                    c->code[at + hdr + i] = c->ncode - at;
                    emit_moves(c, f);
                    emit_jump(c, idx);
                }
            }
        }
    }
    rt_free(labels);
    if (ok)
        set_unreachable(c);
    return ok && !c->fail;
}

static bool do_call(cc *c, uint32_t typeidx, int op, uint32_t a0, uint32_t a1, bool indirect)
{
    const wasm_decoded_type *t = &c->m->d.types[typeidx];
    uint32_t idx = 0;
    if (indirect)
        idx = pop_slot(c, WASM_I32);
    materialise_all(c);
    if (!pop_types(c, t->nparams, t->params))
        return false;
    uint32_t argoff = slot_of(c, c->nstk);
    /* the callee's results land where its arguments were */
    push_types(c, t->nresults, t->results);
    if (indirect) {
        uint32_t *w = emit(c, op, 4);
        w[0] = a0; w[1] = a1; w[2] = idx; w[3] = argoff;
    } else {
        uint32_t *w = emit(c, op, 2);
        w[0] = a0; w[1] = argoff;
    }
    no_last(c);
    return !c->fail;
}

static bool do_local_set(cc *c, uint32_t x, bool tee)
{
    if (x >= c->nlocals)
        return INVALID("unknown local");
    uint8_t type = c->local_types[x];
    operand v;
    if (!pop(c, type, &v))
        return false;
    uint32_t ls = x * WASM_SLOT;
    if (!dead(c) && v.is_const) {
        materialise_local(c, ls);
        emit_const(c, type, ls, v.k);
    } else if (!dead(c) && v.is_addk) {
        materialise_local(c, ls);
        if (c->last_op == OP_I32_ADD_K && c->last_pos + 4 == c->ncode && !c->fail &&
            c->code[c->last_pos + 1] < c->nlocals * WASM_SLOT) {
            /* two local updates in a row (i += 1; p += 8) */
            if (!engine_grow((void **)&c->code, &c->ccode, c->ncode + 3, sizeof(uint32_t)))
                return bad(c, WASM_ERR_NOMEM, "out of memory");
            c->code[c->last_pos] = (uint32_t)c->h[OP_I32_ADD_K2];
            c->code[c->ncode++] = ls;
            c->code[c->ncode++] = v.base;
            c->code[c->ncode++] = (uint32_t)v.k;
            c->last_op = OP_I32_ADD_K2;
        } else {
            uint32_t *w = emit(c, OP_I32_ADD_K, 3);
            w[0] = ls; w[1] = v.base; w[2] = (uint32_t)v.k;
        }
    } else if (!dead(c)) {
        bool refd = local_referenced(c, ls);
        if (c->last_op >= 0 && v.slot == slot_of(c, c->nstk) &&
            c->code[c->last_pos + 1] == v.slot && op_has_dst(c->last_op)) {
            /* retarget the producer; what still reads the old local is computed first */
            uint32_t n = c->ncode - c->last_pos, words[8];
            if (refd && n <= 8) {
                rt_memcpy(words, &c->code[c->last_pos], n * sizeof(uint32_t));
                c->ncode = c->last_pos;
                c->last_op = -1;
                materialise_local(c, ls);
                if (!engine_grow((void **)&c->code, &c->ccode, c->ncode + n, sizeof(uint32_t)))
                    return bad(c, WASM_ERR_NOMEM, "out of memory");
                rt_memcpy(&c->code[c->ncode], words, n * sizeof(uint32_t));
                c->ncode += n;
                refd = false;
                c->last_pos = c->ncode - n;
                c->last_op = -1;
            }
            if (refd) {
                materialise_local(c, ls);
                emit_copy(c, ls, v.slot);
            } else {
                c->code[c->last_pos + 1] = ls;
            }
        } else if (v.slot != ls) {
            materialise_local(c, ls);
            emit_copy(c, ls, v.slot);
        }
    }
    /* a copy may pair with the next local.set's; nothing else may be fused across */
    if (c->last_op != OP_COPY && c->last_op != OP_COPY2 && c->last_op != OP_COPYN &&
        !(c->last_op == OP_I32_ADD_K && c->code[c->last_pos + 1] == ls))
        no_last(c);
    if (tee)
        push_slot(c, type, ls);
    return !c->fail;
}

/* The constant-right-operand form of a binary opcode, or -1. */
static int k_form(uint8_t opc)
{
    if (opc >= 0x46 && opc <= 0x4F) return OP_I32_EQ_K + (opc - 0x46);
    if (opc >= 0x51 && opc <= 0x5A) return OP_I64_EQ_K + (opc - 0x51);
    if (opc >= 0x6A && opc <= 0x78) return OP_I32_ADD_K + (opc - 0x6A);
    if (opc >= 0x7C && opc <= 0x8A) return OP_I64_ADD_K + (opc - 0x7C);
    return -1;
}

/* The opcode computing the same with its operands swapped, or 0. */
static uint8_t swapped(uint8_t opc)
{
    switch (opc) {
    case 0x46: case 0x47: case 0x51: case 0x52:                        /* eq ne */
    case 0x6A: case 0x6C: case 0x71: case 0x72: case 0x73:             /* i32 add mul and or xor */
    case 0x7C: case 0x7E: case 0x83: case 0x84: case 0x85:             /* i64 */
        return opc;
    case 0x48: case 0x49: case 0x4C: case 0x4D: return opc + 2;        /* lt->gt, le->ge */
    case 0x4A: case 0x4B: case 0x4E: case 0x4F: return opc - 2;
    case 0x53: case 0x54: case 0x57: case 0x58: return opc + 2;
    case 0x55: case 0x56: case 0x59: case 0x5A: return opc - 2;
    }
    return 0;
}

static void emit_k(cc *c, int kop, uint8_t ta, uint8_t tr, operand *a, uint64_t k)
{
    uint32_t sa = use(c, a);
    uint32_t d = push(c, tr);
    if (ta == WASM_I32) {
        uint32_t *w = emit(c, kop, 3);
        w[0] = d; w[1] = sa; w[2] = (uint32_t)k;
    } else {
        uint32_t *w = emit(c, kop, 4);
        w[0] = d; w[1] = sa; w[2] = (uint32_t)k; w[3] = (uint32_t)(k >> 32);
    }
}

/* The slot the last instruction wrote if it is a temporary consumed by the current
 * instruction (at or above the result's height), else UINT32_MAX. */
static uint32_t last_temp_dst(cc *c)
{
    if (dead(c) || c->fail || c->last_op < 0 || c->last_pos + 1 >= c->ncode)
        return UINT32_MAX;
    uint32_t d = c->code[c->last_pos + 1];
    return d >= slot_of(c, c->nstk) ? d : UINT32_MAX;
}

/* f64 add/sub/mul/div whose operand was just loaded by f64.load: one instruction that
 * loads and computes (the load still comes first, so a trap happens at the same point). */
static bool fuse_f64_load(cc *c, uint8_t opc, operand *a, operand *b)
{
    uint32_t t = last_temp_dst(c);
    if (t == UINT32_MAX || a->is_const || b->is_const || a->slot == b->slot ||
        (c->last_op != OP_LOAD64 && c->last_op != OP_LOAD64_K))
        return false;
    operand *other;
    if (t == b->slot)
        other = a;
    else if (t == a->slot && (opc == 0xA0 || opc == 0xA2))     /* add, mul commute */
        other = b;
    else
        return false;
    bool k = c->last_op == OP_LOAD64_K;
    uint32_t addr = c->code[c->last_pos + 2], off = c->code[c->last_pos + 3];
    uint32_t kk = k ? c->code[c->last_pos + 4] : 0;
    uint32_t x = other->slot;
    c->ncode = c->last_pos;
    c->last_op = -1;
    uint32_t d = push(c, WASM_F64);
    int op = (k ? OP_F64_ADD_MK : OP_F64_ADD_M) + (opc - 0xA0);
    uint32_t *w = emit(c, op, k ? 5 : 4);
    w[0] = d; w[1] = x; w[2] = addr; w[3] = off;
    if (k)
        w[4] = kk;
    return true;
}

/* i32 add/and/or/xor with an operand just computed by a shift or rotate by a constant. */
static bool fuse_i32_shift(cc *c, uint8_t opc, operand *a, operand *b)
{
    uint32_t t = last_temp_dst(c);
    int sh;
    switch (c->last_op) {
    case OP_I32_SHL_K: sh = 0; break;
    case OP_I32_SHR_U_K: sh = 1; break;
    case OP_I32_ROTL_K: sh = 2; break;
    case OP_I32_ROTR_K: sh = 3; break;
    default: return false;
    }
    /* the shift must be the whole tail of the code (4 words) for its words to be read back */
    if (t == UINT32_MAX || c->last_pos + 4 != c->ncode || a->is_const || b->is_const ||
        a->is_addk || b->is_addk || a->slot == b->slot)
        return false;
    operand *other = t == b->slot ? a : t == a->slot ? b : NULL;
    if (!other)
        return false;
    uint32_t y = c->code[c->last_pos + 2], k = c->code[c->last_pos + 3];
    uint32_t x = other->slot;
    c->ncode = c->last_pos;
    c->last_op = -1;
    int group = opc == 0x6A ? 0 : opc - 0x71 + 1;               /* add, and, or, xor */
    uint32_t d = push(c, WASM_I32);
    uint32_t *w = emit(c, OP_I32_ADD_SHL + group * 4 + sh, 4);
    w[0] = d; w[1] = x; w[2] = y; w[3] = k;
    return true;
}

static bool do_numeric(cc *c, uint8_t opc)
{
    uint8_t ta, tb, tr;
    numeric_sig(opc, &ta, &tb, &tr);
    int op = OP_I32_EQZ + (opc - 0x45);
    operand a, b;
    if (opc == 0xA7 || (opc >= 0xBC && opc <= 0xBF)) {
        /* wrap and reinterpret leave the slot's bits as they are */
        if (!pop(c, ta, &a))
            return false;
        if (a.is_addk)
            use(c, &a);
        push_slot(c, tr, a.slot);
        if (!c->fail) {
            c->stk[c->nstk - 1].is_const = a.is_const;
            c->stk[c->nstk - 1].k = opc == 0xA7 ? (uint32_t)a.k : a.k;
        }
        return !c->fail;
    }
    if (tb) {
        if (!pop(c, tb, &b) || !pop(c, ta, &a))
            return false;
        int kop = k_form(opc);
        if ((opc == 0x6A || opc == 0x6B) && b.is_const && !a.is_const && !dead(c)) {
            /* x + k (or x - k) stays lazy; a chain of them adds up the constants */
            uint32_t k = opc == 0x6A ? (uint32_t)b.k : (uint32_t)-(uint32_t)b.k;
            uint32_t base = a.is_addk ? a.base : a.slot;
            if (a.is_addk)
                k += (uint32_t)a.k;
            uint32_t d = push(c, tr);
            if (!c->fail) {
                operand *o = &c->stk[c->nstk - 1];
                o->is_addk = true;
                o->base = base;
                o->k = k;
                o->slot = d;
            }
        } else if (opc == 0x6A && a.is_const && !b.is_const && !dead(c)) {
            uint32_t k = (uint32_t)a.k;
            uint32_t base = b.is_addk ? b.base : b.slot;
            if (b.is_addk)
                k += (uint32_t)b.k;
            uint32_t d = push(c, tr);
            if (!c->fail) {
                operand *o = &c->stk[c->nstk - 1];
                o->is_addk = true;
                o->base = base;
                o->k = k;
                o->slot = d;
            }
        } else if (kop >= 0 && b.is_const && !a.is_const) {
            emit_k(c, kop, ta, tr, &a, b.k);
        } else if (kop >= 0 && a.is_const && !b.is_const && swapped(opc)) {
            emit_k(c, k_form(swapped(opc)), ta, tr, &b, a.k);
        } else if (opc == 0x6A && !dead(c) && !a.is_const && !b.is_const &&
                   c->last_op == OP_I32_SHL_K && a.slot != b.slot &&
                   c->code[c->last_pos + 1] >= slot_of(c, c->nstk) &&
                   ((c->code[c->last_pos + 1] == b.slot && !b.is_addk) ||
                    (c->code[c->last_pos + 1] == a.slot && !a.is_addk))) {
            /* base (+ k) + (index << s): fold the shift into the add */
            uint32_t shifted = c->code[c->last_pos + 1];
            uint32_t x = c->code[c->last_pos + 2], k = c->code[c->last_pos + 3];
            operand *other = (shifted == b.slot && !b.is_addk) ? &a : &b;
            uint32_t base = other->is_addk ? other->base : other->slot;
            uint32_t addend = other->is_addk ? (uint32_t)other->k : 0;
            c->ncode = c->last_pos;
            uint32_t d = push(c, tr);
            uint32_t *w = emit(c, OP_I32_ADD_SHL_K, 5);
            w[0] = d; w[1] = base; w[2] = x; w[3] = k; w[4] = addend;
        } else if (opc == 0xA0 && !dead(c) && !a.is_const && !b.is_const && c->last_op == OP_F64_MUL &&
                   (c->code[c->last_pos + 1] == b.slot || c->code[c->last_pos + 1] == a.slot) &&
                   c->code[c->last_pos + 1] >= slot_of(c, c->nstk) && a.slot != b.slot) {
            /* x * y + other: one instruction */
            uint32_t prod = c->code[c->last_pos + 1];
            uint32_t x = c->code[c->last_pos + 2], y = c->code[c->last_pos + 3];
            uint32_t other = prod == b.slot ? a.slot : b.slot;
            c->ncode = c->last_pos;
            uint32_t d = push(c, tr);
            uint32_t *w = emit(c, OP_F64_MUL_ADD, 4);
            w[0] = d; w[1] = x; w[2] = y; w[3] = other;
        } else if (opc >= 0xA0 && opc <= 0xA3 && fuse_f64_load(c, opc, &a, &b)) {
            /* done: x op load(...) */
        } else if ((opc == 0x6A || (opc >= 0x71 && opc <= 0x73)) && fuse_i32_shift(c, opc, &a, &b)) {
            /* done: x op (y shift k) */
        } else {
            uint32_t sa = use(c, &a), sb = use(c, &b);
            uint32_t d = push(c, tr);
            uint32_t *w = emit(c, op, 3);
            w[0] = d; w[1] = sa; w[2] = sb;
        }
    } else {
        uint32_t sa = pop_slot(c, ta);
        uint32_t d = push(c, tr);
        uint32_t *w = emit(c, op, 2);
        w[0] = d; w[1] = sa;
    }
    return !c->fail;
}

static bool do_const(cc *c, uint8_t type, uint64_t v)
{
    push_const(c, type, v);
    return !c->fail;
}

/* ---- the 0xFC prefix -------------------------------------------------------------------- */
static bool do_prefix_fc(cc *c)
{
    uint32_t sub, x, y;
    const wasm_module *m = c->m;
    if (!rd_u32(c, &sub))
        return false;
    if (sub <= 7) {
        static const uint8_t from[8] = { WASM_F32, WASM_F32, WASM_F64, WASM_F64,
                                         WASM_F32, WASM_F32, WASM_F64, WASM_F64 };
        uint32_t a = pop_slot(c, from[sub]);
        uint32_t d = push(c, sub < 4 ? WASM_I32 : WASM_I64);
        uint32_t *w = emit(c, OP_I32_TRUNC_SAT_F32_S + (int)sub, 2);
        w[0] = d; w[1] = a;
        return !c->fail;
    }
    switch (sub) {
    case 8: {       /* memory.init */
        if (!rd_u32(c, &x))
            return false;
        if (!rd_zero(c))
            return false;
        if (m->nmems_all == 0)
            return INVALID("unknown memory 0");
        if (x >= m->d.ndatas)
            return INVALID("unknown data segment");
        if (!m->d.has_data_count)
            return MALFORMED("data count section required");
        uint32_t n = pop_slot(c, WASM_I32), s = pop_slot(c, WASM_I32), d = pop_slot(c, WASM_I32);
        uint32_t *w = emit(c, OP_MEMORY_INIT, 4);
        w[0] = x; w[1] = d; w[2] = s; w[3] = n;
        break;
    }
    case 9:         /* data.drop */
        if (!rd_u32(c, &x))
            return false;
        if (x >= m->d.ndatas)
            return INVALID("unknown data segment");
        if (!m->d.has_data_count)
            return MALFORMED("data count section required");
        emit(c, OP_DATA_DROP, 1)[0] = x;
        break;
    case 10: {      /* memory.copy */
        if (!rd_zero(c) || !rd_zero(c))
            return false;
        if (m->nmems_all == 0)
            return INVALID("unknown memory 0");
        uint32_t n = pop_slot(c, WASM_I32), s = pop_slot(c, WASM_I32), d = pop_slot(c, WASM_I32);
        uint32_t *w = emit(c, OP_MEMORY_COPY, 3);
        w[0] = d; w[1] = s; w[2] = n;
        break;
    }
    case 11: {      /* memory.fill */
        if (!rd_zero(c))
            return false;
        if (m->nmems_all == 0)
            return INVALID("unknown memory 0");
        uint32_t n = pop_slot(c, WASM_I32), v = pop_slot(c, WASM_I32), d = pop_slot(c, WASM_I32);
        uint32_t *w = emit(c, OP_MEMORY_FILL, 3);
        w[0] = d; w[1] = v; w[2] = n;
        break;
    }
    case 12: {      /* table.init elem table */
        if (!rd_u32(c, &x) || !rd_u32(c, &y))
            return false;
        if (!need_table(c, y))
            return false;
        if (x >= m->d.nelems)
            return INVALID("unknown elem segment");
        if (m->d.elems[x].elem_type != m->table_types[y].elem)
            return INVALID("type mismatch");
        uint32_t n = pop_slot(c, WASM_I32), s = pop_slot(c, WASM_I32), d = pop_slot(c, WASM_I32);
        uint32_t *w = emit(c, OP_TABLE_INIT, 5);
        w[0] = y; w[1] = x; w[2] = d; w[3] = s; w[4] = n;
        break;
    }
    case 13:        /* elem.drop */
        if (!rd_u32(c, &x))
            return false;
        if (x >= m->d.nelems)
            return INVALID("unknown elem segment");
        emit(c, OP_ELEM_DROP, 1)[0] = x;
        break;
    case 14: {      /* table.copy dst src */
        if (!rd_u32(c, &x) || !rd_u32(c, &y))
            return false;
        if (!need_table(c, x) || !need_table(c, y))
            return false;
        if (m->table_types[x].elem != m->table_types[y].elem)
            return INVALID("type mismatch");
        uint32_t n = pop_slot(c, WASM_I32), s = pop_slot(c, WASM_I32), d = pop_slot(c, WASM_I32);
        uint32_t *w = emit(c, OP_TABLE_COPY, 5);
        w[0] = x; w[1] = y; w[2] = d; w[3] = s; w[4] = n;
        break;
    }
    case 15: {      /* table.grow */
        if (!rd_u32(c, &x))
            return false;
        if (!need_table(c, x))
            return false;
        uint32_t n = pop_slot(c, WASM_I32), v = pop_slot(c, m->table_types[x].elem);
        uint32_t d = push(c, WASM_I32);
        uint32_t *w = emit(c, OP_TABLE_GROW, 4);
        w[0] = d; w[1] = x; w[2] = v; w[3] = n;
        break;
    }
    case 16: {      /* table.size */
        if (!rd_u32(c, &x))
            return false;
        if (!need_table(c, x))
            return false;
        uint32_t d = push(c, WASM_I32);
        uint32_t *w = emit(c, OP_TABLE_SIZE, 2);
        w[0] = d; w[1] = x;
        break;
    }
    case 17: {      /* table.fill */
        if (!rd_u32(c, &x))
            return false;
        if (!need_table(c, x))
            return false;
        uint32_t n = pop_slot(c, WASM_I32), v = pop_slot(c, m->table_types[x].elem);
        uint32_t i = pop_slot(c, WASM_I32);
        uint32_t *w = emit(c, OP_TABLE_FILL, 4);
        w[0] = x; w[1] = i; w[2] = v; w[3] = n;
        break;
    }
    default:
        return MALFORMED("illegal opcode");
    }
    no_last(c);
    return !c->fail;
}

/* ---- control instructions --------------------------------------------------------------- */
static bool do_end(cc *c)
{
    ctrl *f = &c->ctl[c->nctl - 1];
    if (!dead(c))
        materialise_all(c);
    if (!pop_types(c, f->nresults, f->results))
        return false;
    if (c->nstk != f->height)
        return INVALID("type mismatch");
    if (f->kind == CTRL_IF) {
        /* no else: the false path must produce the results from the params */
        if (f->nparams != f->nresults || (f->nparams && rt_memcmp(f->params, f->results, f->nparams)))
            return INVALID("type mismatch");
    }
    /* results sit in their canonical slots */
    if (f->kind == CTRL_FUNC) {
        if (!dead(c)) {
            c->nstk = f->height + f->nresults;
            emit_moves(c, f);
            emit(c, OP_RETURN, 0);
            c->nstk = f->height;
        }
        close_fuel(c);
        c->nctl--;
        return !c->fail;
    }
    bool was_dead = f->dead_parent;
    uint32_t idx = c->nctl - 1;
    if (f->else_instr != UINT32_MAX && !was_dead && !c->fail)
        c->code[f->else_word] = c->ncode - f->else_instr;
    if (!was_dead && !c->fail)
        place_label(c, idx);
    uint32_t nr = f->nresults;
    const uint8_t *r = f->results;
    c->nctl--;
    push_types(c, nr, r);
    no_last(c);
    return !c->fail;
}

static bool do_else(cc *c)
{
    ctrl *f = &c->ctl[c->nctl - 1];
    if (f->kind != CTRL_IF)
        return INVALID("else without if");
    if (!dead(c))
        materialise_all(c);
    if (!pop_types(c, f->nresults, f->results))
        return false;
    if (c->nstk != f->height)
        return INVALID("type mismatch");
    uint32_t idx = c->nctl - 1;
    if (!dead(c)) {
        /* then-branch falls through: jump to the end */
        uint32_t at = c->ncode;
        emit(c, OP_BR, 1);
        add_fixup(c, idx, at + 1, at);
    }
    if (f->else_instr != UINT32_MAX && !f->dead_parent && !c->fail)
        c->code[f->else_word] = c->ncode - f->else_instr;
    f->else_instr = UINT32_MAX;
    f->kind = CTRL_ELSE;
    f->unreachable = false;
    c->nstk = f->height;
    push_types(c, f->nparams, f->params);
    no_last(c);
    return !c->fail;
}

/* ---- the main loop ------------------------------------------------------------------------ */
static bool compile_body(cc *c)
{
    const wasm_module *m = c->m;
    for (;;) {
        if (c->fail)
            return false;
        if (c->nctl == 0) {
            if (c->r.p != c->r.end)
                return MALFORMED("operator after end of function");
            return true;
        }
        uint8_t opc;
        if (!wasm_read_u8(&c->r, &opc))
            return MALFORMED("unexpected end of section or function");
        c->fuel_count++;
        uint32_t x, y;
        operand o;
        switch (opc) {
        case 0x00:  /* unreachable */
            emit(c, OP_UNREACHABLE, 0);
            set_unreachable(c);
            break;
        case 0x01:  /* nop */
            break;
        case 0x02: case 0x03: case 0x04: {
            uint32_t np, nr;
            const uint8_t *p, *r;
            if (!read_blocktype(c, &np, &p, &nr, &r))
                return false;
            uint32_t cond = 0;
            if (opc == 0x04)
                cond = pop_slot(c, WASM_I32);
            if (c->fail || !retype(c, np, p))
                return false;
            materialise_all(c);
            uint32_t e_instr = UINT32_MAX, e_word = 0;
            if (opc == 0x04 && !dead(c)) {
                uint32_t rel;
                uint32_t at = fuse_compare(c, cond, true, &rel);
                if (at != UINT32_MAX) {
                    e_instr = at;
                    e_word = rel;
                } else {
                    at = c->ncode;
                    uint32_t *w = emit(c, OP_BR_UNLESS, 2);
                    w[0] = cond;
                    e_instr = at;
                    e_word = at + 2;
                }
            }
            push_ctrl(c, opc == 0x02 ? CTRL_BLOCK : opc == 0x03 ? CTRL_LOOP : CTRL_IF, np, p, nr, r);
            if (c->fail)
                return false;
            ctrl *f = &c->ctl[c->nctl - 1];
            f->else_instr = e_instr;
            f->else_word = e_word;
            if (opc == 0x03) {
                emit_fuel(c);
                f->loop_pos = c->ncode;     /* branches land after the FUEL (see interp.c) */
            }
            no_last(c);
            break;
        }
        case 0x05:
            if (!do_else(c))
                return false;
            break;
        case 0x0B:
            if (!do_end(c))
                return false;
            break;
        case 0x0C: {    /* br */
            if (!rd_u32(c, &x))
                return false;
            if (x >= c->nctl)
                return INVALID("unknown label");
            uint32_t idx = c->nctl - 1 - x;
            ctrl *f = &c->ctl[idx];
            if (!check_label(c, f))
                return false;
            if (!dead(c)) {
                materialise_all(c);
                if (needs_moves(c, f))
                    emit_moves(c, f);
                emit_jump(c, idx);
            }
            set_unreachable(c);
            break;
        }
        case 0x0D:
            if (!rd_u32(c, &x) || !do_br_if(c, x))
                return false;
            break;
        case 0x0E:
            if (!do_br_table(c))
                return false;
            break;
        case 0x0F: {    /* return */
            ctrl *f = &c->ctl[0];
            if (!check_label(c, f))
                return false;
            if (!dead(c)) {
                materialise_all(c);
                emit_moves(c, f);
                emit(c, OP_RETURN, 0);
            }
            set_unreachable(c);
            break;
        }
        case 0x10:      /* call */
            if (!rd_u32(c, &x))
                return false;
            if (x >= m->nfuncs_all)
                return INVALID("unknown function");
            if (!do_call(c, m->func_types[x], OP_CALL, x, 0, false))
                return false;
            break;
        case 0x11:      /* call_indirect type table */
            if (!rd_u32(c, &x) || !rd_u32(c, &y))
                return false;
            if (!need_table(c, y))
                return false;
            if (x >= m->d.ntypes)
                return INVALID("unknown type");
            if (m->table_types[y].elem != WASM_FUNCREF)
                return INVALID("type mismatch");
            if (!do_call(c, x, OP_CALL_INDIRECT, x, y, true))
                return false;
            break;
        case 0x1A:      /* drop */
            if (!pop(c, WASM_VT_UNKNOWN, &o))
                return false;
            break;
        case 0x1B: case 0x1C: {     /* select, select t */
            uint8_t t = WASM_VT_UNKNOWN;
            if (opc == 0x1C) {
                uint32_t n;
                if (!rd_u32(c, &n))
                    return false;
                if (n != 1)
                    return INVALID("invalid result arity");
                if (!rd_u8(c, &t))
                    return false;
                if (!single_vt(t))
                    return MALFORMED("malformed value type");
            }
            uint32_t cond = pop_slot(c, WASM_I32);
            operand b, a;
            if (!pop(c, t, &b) || !pop(c, t, &a))
                return false;
            if (opc == 0x1B) {
                if ((a.type && !is_num(a.type)) || (b.type && !is_num(b.type)))
                    return INVALID("type mismatch");
                if (a.type && b.type && a.type != b.type)
                    return INVALID("type mismatch");
                t = a.type ? a.type : b.type;
            }
            uint32_t sa = use(c, &a), sb = use(c, &b);
            uint32_t d = push(c, t);
            uint32_t *w = emit(c, OP_SELECT, 4);
            w[0] = d; w[1] = sa; w[2] = sb; w[3] = cond;
            break;
        }
        case 0x20:      /* local.get */
            if (!rd_u32(c, &x))
                return false;
            if (x >= c->nlocals)
                return INVALID("unknown local");
            push_slot(c, c->local_types[x], x * WASM_SLOT);
            break;
        case 0x21: case 0x22:
            if (!rd_u32(c, &x) || !do_local_set(c, x, opc == 0x22))
                return false;
            break;
        case 0x23: {    /* global.get */
            if (!rd_u32(c, &x))
                return false;
            if (x >= m->nglobals_all)
                return INVALID("unknown global");
            uint32_t d = push(c, m->global_types[x].type);
            uint32_t *w = emit(c, OP_GLOBAL_GET, 2);
            w[0] = d; w[1] = x;
            break;
        }
        case 0x24: {    /* global.set */
            if (!rd_u32(c, &x))
                return false;
            if (x >= m->nglobals_all)
                return INVALID("unknown global");
            if (!m->global_types[x].mut)
                return INVALID("global is immutable");
            uint32_t v = pop_slot(c, m->global_types[x].type);
            uint32_t *w = emit(c, OP_GLOBAL_SET, 2);
            w[0] = x; w[1] = v;
            no_last(c);
            break;
        }
        case 0x25: {    /* table.get */
            if (!rd_u32(c, &x))
                return false;
            if (!need_table(c, x))
                return false;
            uint32_t i = pop_slot(c, WASM_I32);
            uint32_t d = push(c, m->table_types[x].elem);
            uint32_t *w = emit(c, OP_TABLE_GET, 3);
            w[0] = d; w[1] = x; w[2] = i;
            break;
        }
        case 0x26: {    /* table.set */
            if (!rd_u32(c, &x))
                return false;
            if (!need_table(c, x))
                return false;
            uint32_t v = pop_slot(c, m->table_types[x].elem);
            uint32_t i = pop_slot(c, WASM_I32);
            uint32_t *w = emit(c, OP_TABLE_SET, 3);
            w[0] = x; w[1] = i; w[2] = v;
            no_last(c);
            break;
        }
        case 0x28: if (!do_load(c, OP_LOAD32, WASM_I32, 2)) return false; break;
        case 0x29: if (!do_load(c, OP_LOAD64, WASM_I64, 3)) return false; break;
        case 0x2A: if (!do_load(c, OP_LOAD32, WASM_F32, 2)) return false; break;
        case 0x2B: if (!do_load(c, OP_LOAD64, WASM_F64, 3)) return false; break;
        case 0x2C: if (!do_load(c, OP_LOAD8_S32, WASM_I32, 0)) return false; break;
        case 0x2D: if (!do_load(c, OP_LOAD8_U32, WASM_I32, 0)) return false; break;
        case 0x2E: if (!do_load(c, OP_LOAD16_S32, WASM_I32, 1)) return false; break;
        case 0x2F: if (!do_load(c, OP_LOAD16_U32, WASM_I32, 1)) return false; break;
        case 0x30: if (!do_load(c, OP_LOAD8_S64, WASM_I64, 0)) return false; break;
        case 0x31: if (!do_load(c, OP_LOAD8_U64, WASM_I64, 0)) return false; break;
        case 0x32: if (!do_load(c, OP_LOAD16_S64, WASM_I64, 1)) return false; break;
        case 0x33: if (!do_load(c, OP_LOAD16_U64, WASM_I64, 1)) return false; break;
        case 0x34: if (!do_load(c, OP_LOAD32_S64, WASM_I64, 2)) return false; break;
        case 0x35: if (!do_load(c, OP_LOAD32_U64, WASM_I64, 2)) return false; break;
        case 0x36: if (!do_store(c, OP_STORE32, WASM_I32, 2)) return false; break;
        case 0x37: if (!do_store(c, OP_STORE64, WASM_I64, 3)) return false; break;
        case 0x38: if (!do_store(c, OP_STORE32, WASM_F32, 2)) return false; break;
        case 0x39: if (!do_store(c, OP_STORE64, WASM_F64, 3)) return false; break;
        case 0x3A: if (!do_store(c, OP_STORE8, WASM_I32, 0)) return false; break;
        case 0x3B: if (!do_store(c, OP_STORE16, WASM_I32, 1)) return false; break;
        case 0x3C: if (!do_store(c, OP_STORE8, WASM_I64, 0)) return false; break;
        case 0x3D: if (!do_store(c, OP_STORE16, WASM_I64, 1)) return false; break;
        case 0x3E: if (!do_store(c, OP_STORE32, WASM_I64, 2)) return false; break;
        case 0x3F: {    /* memory.size */
            if (!rd_zero(c))
                return false;
            if (m->nmems_all == 0)
                return INVALID("unknown memory 0");
            uint32_t d = push(c, WASM_I32);
            emit(c, OP_MEMORY_SIZE, 1)[0] = d;
            break;
        }
        case 0x40: {    /* memory.grow */
            if (!rd_zero(c))
                return false;
            if (m->nmems_all == 0)
                return INVALID("unknown memory 0");
            uint32_t a = pop_slot(c, WASM_I32);
            uint32_t d = push(c, WASM_I32);
            uint32_t *w = emit(c, OP_MEMORY_GROW, 2);
            w[0] = d; w[1] = a;
            no_last(c);
            break;
        }
        case 0x41: {
            int32_t v;
            if (!wasm_read_s32(&c->r, &v))
                return MALFORMED("malformed integer");
            if (!do_const(c, WASM_I32, (uint32_t)v))
                return false;
            break;
        }
        case 0x42: {
            int64_t v;
            if (!wasm_read_s64(&c->r, &v))
                return MALFORMED("malformed integer");
            if (!do_const(c, WASM_I64, (uint64_t)v))
                return false;
            break;
        }
        case 0x43: {
            uint32_t v;
            if (!wasm_read_f32(&c->r, &v))
                return MALFORMED("unexpected end");
            if (!do_const(c, WASM_F32, v))
                return false;
            break;
        }
        case 0x44: {
            uint64_t v;
            if (!wasm_read_f64(&c->r, &v))
                return MALFORMED("unexpected end");
            if (!do_const(c, WASM_F64, v))
                return false;
            break;
        }
        case 0xD0: {    /* ref.null t */
            uint8_t t;
            if (!rd_u8(c, &t))
                return false;
            if (!is_ref(t))
                return MALFORMED("malformed reference type");
            if (!do_const(c, t, WASM_REF_NULL))
                return false;
            break;
        }
        case 0xD1: {    /* ref.is_null */
            if (!pop(c, WASM_VT_UNKNOWN, &o))
                return false;
            if (o.type != WASM_VT_UNKNOWN && !is_ref(o.type))
                return INVALID("type mismatch");
            uint32_t so = use(c, &o);
            uint32_t d = push(c, WASM_I32);
            uint32_t *w = emit(c, OP_REF_IS_NULL, 2);
            w[0] = d; w[1] = so;
            break;
        }
        case 0xD2: {    /* ref.func */
            if (!rd_u32(c, &x))
                return false;
            if (x >= m->nfuncs_all)
                return INVALID("unknown function");
            if (!m->func_declared[x])
                return INVALID("undeclared function reference");
            uint32_t d = push(c, WASM_FUNCREF);
            uint32_t *w = emit(c, OP_REF_FUNC, 2);
            w[0] = d; w[1] = x;
            break;
        }
        case 0xFC:
            if (!do_prefix_fc(c))
                return false;
            break;
        default:
            if (opc >= 0x45 && opc <= 0xC4) {
                if (!do_numeric(c, opc))
                    return false;
                break;
            }
            return MALFORMED("illegal opcode");
        }
    }
}

wasm_errcode wasm_compile_func(const wasm_module *m, uint32_t func_index, wasm_code *out,
                               wasm_err *err)
{
    const wasm_decoded_func *df = &m->d.funcs[func_index];
    const wasm_decoded_type *t = &m->d.types[df->type_index];
    cc c;
    rt_memset(&c, 0, sizeof c);
    rt_memset(out, 0, sizeof *out);
    c.m = m;
    c.err = err;
    c.h = wasm_interp_handlers();
    c.r.p = df->body.start;
    c.r.end = df->body.start + df->body.len;
    c.fuel_word = UINT32_MAX;
    c.last_op = -1;
    uint64_t nl = (uint64_t)t->nparams + df->nlocals;
    if (nl > 50000)
        return engine_err(err, WASM_ERR_LIMIT, "too many locals");
    c.nlocals = (uint32_t)nl;
    c.local_types = rt_malloc(nl ? nl : 1);
    if (!c.local_types)
        return engine_err(err, WASM_ERR_NOMEM, "out of memory");
    if (t->nparams)
        rt_memcpy(c.local_types, t->params, t->nparams);
    if (df->nlocals)
        rt_memcpy(c.local_types + t->nparams, df->local_types, df->nlocals);

    push_ctrl(&c, CTRL_FUNC, 0, NULL, t->nresults, t->results);
    emit_fuel(&c);
    bool ok = !c.fail && compile_body(&c);
    if (ok && c.max_height + (uint64_t)c.nlocals > 1000000)
        ok = bad(&c, WASM_ERR_LIMIT, "function frame too large");
    rt_free(c.local_types);
    rt_free(c.stk);
    rt_free(c.ctl);
    rt_free(c.fix);
    if (!ok || c.fail) {
        rt_free(c.code);
        if (c.fail == WASM_ERR_NOMEM)
            engine_err(err, WASM_ERR_NOMEM, "out of memory");
        return c.fail ? c.fail : WASM_ERR_INVALID;
    }
    out->type_index = df->type_index;
    out->nparams = t->nparams;
    out->nresults = t->nresults;
    out->nlocals = c.nlocals;
    /* results may exceed params+locals: the frame must hold them at slot 0.. */
    uint32_t fs = c.nlocals + c.max_height;
    if (fs < t->nresults)
        fs = t->nresults;
    out->frame_slots = fs;
    out->code = c.code;
    out->code_len = c.ncode;
    return WASM_OK;
}
