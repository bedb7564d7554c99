/* The WebAssembly binary decoder: turns the bytes of a module into a wasm_decoded (see
 * module.h), checking every structural rule of the binary format (WebAssembly 2.0 without
 * SIMD): magic and version, section ids, order and exact sizes, LEB128 encodings, UTF-8
 * names, the encodings of types, limits, imports, exports, element and data segments, and
 * the counts that must agree (function/code, data count/data). Constant expressions are
 * scanned instruction by instruction only to find where they end; function bodies are kept
 * as byte ranges for the validator. Every count is checked against the bytes that remain
 * before anything is allocated from it. Errors name the section and the byte offset. */
#include "sips/engine/module.h"

/* Locals are the one count the decoder expands (a few bytes can declare thousands), so
 * they are capped per function and over the whole module to bound memory. */
#define MAX_LOCALS_PER_FUNC   50000u
#define MAX_LOCALS_PER_MODULE (1u << 24)

enum {
    SEC_CUSTOM = 0, SEC_TYPE, SEC_IMPORT, SEC_FUNCTION, SEC_TABLE, SEC_MEMORY, SEC_GLOBAL,
    SEC_EXPORT, SEC_START, SEC_ELEMENT, SEC_CODE, SEC_DATA, SEC_DATA_COUNT,
};

typedef struct {
    const uint8_t *base;        /* start of the module's bytes (for offsets in messages) */
    wasm_reader r;              /* current position; end is the end of the current section */
    wasm_decoded *d;
    wasm_err *err;
    int section;                /* id of the section being decoded, -1 for the header */
    bool have_func_section, have_code_section, have_data_section;
    uint64_t module_locals;     /* locals declared so far by all functions */
} decoder;

#define TRY(x) do { if (!(x)) return false; } while (0)

/* ---- errors ---------------------------------------------------------------------------- */

static const char *section_name(int id)
{
    static const char *const names[] = {
        "custom", "type", "import", "function", "table", "memory", "global",
        "export", "start", "element", "code", "data", "data count",
    };
    return id >= 0 && id <= SEC_DATA_COUNT ? names[id] : "?";
}

static bool fail_at(decoder *dc, const uint8_t *at, const char *what)
{
    unsigned off = (unsigned)(at - dc->base);
    dc->err->code = WASM_ERR_MALFORMED;
    if (dc->section < 0)
        rt_snprintf(dc->err->msg, sizeof dc->err->msg, "%s at offset 0x%x", what, off);
    else
        rt_snprintf(dc->err->msg, sizeof dc->err->msg, "section %d (%s): %s at offset 0x%x",
                    dc->section, section_name(dc->section), what, off);
    return false;
}

static bool fail(decoder *dc, const char *what)
{
    return fail_at(dc, dc->r.p, what);
}

static bool fail_nomem(decoder *dc)
{
    dc->err->code = WASM_ERR_NOMEM;
    rt_snprintf(dc->err->msg, sizeof dc->err->msg, "out of memory decoding section %d",
                dc->section);
    return false;
}

/* After a LEB128 reader refused: say why (end of input, too many bytes, or bad unused bits). */
static bool fail_leb(decoder *dc, unsigned maxbytes)
{
    const uint8_t *p = dc->r.p;
    for (unsigned i = 0; i < maxbytes; i++, p++) {
        if (p >= dc->r.end)
            return fail(dc, "unexpected end");
        if (!(*p & 0x80))
            return fail(dc, "integer too large");
    }
    return fail(dc, "integer representation too long");
}

/* ---- primitive readers with error reporting ------------------------------------------- */

static size_t remaining(const decoder *dc)
{
    return (size_t)(dc->r.end - dc->r.p);
}

static bool rd_byte(decoder *dc, uint8_t *out)
{
    return wasm_read_u8(&dc->r, out) || fail(dc, "unexpected end");
}

static bool rd_u32(decoder *dc, uint32_t *out)
{
    return wasm_read_u32(&dc->r, out) || fail_leb(dc, 5);
}

static bool rd_s32(decoder *dc)
{
    int32_t v;
    return wasm_read_s32(&dc->r, &v) || fail_leb(dc, 5);
}

static bool rd_s33(decoder *dc)
{
    int64_t v;
    return wasm_read_s33(&dc->r, &v) || fail_leb(dc, 5);
}

static bool rd_s64(decoder *dc)
{
    int64_t v;
    return wasm_read_s64(&dc->r, &v) || fail_leb(dc, 10);
}

static bool skip(decoder *dc, size_t n)
{
    if (remaining(dc) < n)
        return fail(dc, "unexpected end");
    dc->r.p += n;
    return true;
}

/* A vector length whose entries take at least min_size bytes each: refuse counts that the
 * remaining bytes cannot hold, so that no allocation is ever sized by a lie. */
static bool rd_count(decoder *dc, uint32_t *n, size_t min_size)
{
    const uint8_t *at = dc->r.p;
    TRY(rd_u32(dc, n));
    if (min_size && (size_t)*n > remaining(dc) / min_size)
        return fail_at(dc, at, "length out of bounds");
    return true;
}

static bool alloc_array(decoder *dc, uint32_t n, size_t size, void **out)
{
    *out = NULL;
    if (n == 0)
        return true;
    if ((size_t)n > SIZE_MAX / size)
        return fail_nomem(dc);
    *out = rt_calloc((size_t)n * size);
    return *out != NULL || fail_nomem(dc);
}

static bool utf8_valid(const uint8_t *s, uint32_t n)
{
    uint32_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        uint32_t len, cp, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0)      { len = 2; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min = 0x10000; }
        else return false;
        if (n - i < len)
            return false;
        for (uint32_t k = 1; k < len; k++) {
            uint8_t b = s[i + k];
            if ((b & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (b & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

static bool rd_name(decoder *dc, const char **name, uint32_t *len)
{
    const uint8_t *at = dc->r.p;
    TRY(rd_u32(dc, len));
    if (*len > remaining(dc))
        return fail_at(dc, at, "length out of bounds");
    if (!utf8_valid(dc->r.p, *len))
        return fail(dc, "malformed UTF-8 encoding");
    *name = (const char *)dc->r.p;
    dc->r.p += *len;
    return true;
}

static bool is_reftype(uint8_t b)
{
    return b == WASM_FUNCREF || b == WASM_EXTERNREF;
}

static bool rd_valtype(decoder *dc, uint8_t *t)
{
    const uint8_t *at = dc->r.p;
    TRY(rd_byte(dc, t));
    switch (*t) {
    case WASM_I32: case WASM_I64: case WASM_F32: case WASM_F64:
    case WASM_FUNCREF: case WASM_EXTERNREF:
        return true;
    case WASM_V128:
        return fail_at(dc, at, "malformed value type: v128 (SIMD) is not supported");
    default:
        return fail_at(dc, at, "malformed value type");
    }
}

static bool rd_reftype(decoder *dc, uint8_t *t)
{
    const uint8_t *at = dc->r.p;
    TRY(rd_byte(dc, t));
    return is_reftype(*t) || fail_at(dc, at, "malformed reference type");
}

static bool rd_limits(decoder *dc, wasm_limits *lim)
{
    const uint8_t *at = dc->r.p;
    uint8_t flags;
    TRY(rd_byte(dc, &flags));
    if (flags > 1)
        return fail_at(dc, at, "integer too large: malformed limits flags");
    lim->has_max = flags == 1;
    TRY(rd_u32(dc, &lim->min));
    lim->max = 0;
    if (lim->has_max)
        TRY(rd_u32(dc, &lim->max));
    return true;
}

static bool rd_mutability(decoder *dc, bool *mut)
{
    const uint8_t *at = dc->r.p;
    uint8_t b;
    TRY(rd_byte(dc, &b));
    if (b > 1)
        return fail_at(dc, at, "malformed mutability");
    *mut = b == 1;
    return true;
}

/* ---- constant expressions ------------------------------------------------------------ */

/* Skip the immediates of one instruction (opcode already read). Knows every non-SIMD
 * instruction of WebAssembly 2.0, so that a non-constant instruction in a constant
 * expression is left for the validator to refuse ("constant expression required"). */
static bool skip_immediates(decoder *dc, uint8_t op, const uint8_t *at)
{
    uint32_t n, sub;
    uint8_t b;
    switch (op) {
    case 0x02: case 0x03: case 0x04:               /* block loop if: blocktype */
        return rd_s33(dc);
    case 0x0C: case 0x0D: case 0x10:               /* br br_if call */
    case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26:
    case 0xD2:                                     /* ref.func */
        return rd_u32(dc, &n);
    case 0x0E:                                     /* br_table */
        TRY(rd_count(dc, &n, 1));
        for (uint32_t i = 0; i <= n; i++)
            TRY(rd_u32(dc, &sub));
        return true;
    case 0x11:                                     /* call_indirect */
        TRY(rd_u32(dc, &n));
        return rd_u32(dc, &n);
    case 0x1C:                                     /* select t* */
        TRY(rd_count(dc, &n, 1));
        for (uint32_t i = 0; i < n; i++)
            TRY(rd_valtype(dc, &b));
        return true;
    case 0x3F: case 0x40:                          /* memory.size/grow: reserved zero */
        TRY(rd_byte(dc, &b));
        return b == 0 || fail_at(dc, at, "zero byte expected");
    case 0x41:
        return rd_s32(dc);
    case 0x42:
        return rd_s64(dc);
    case 0x43:
        return skip(dc, 4);
    case 0x44:
        return skip(dc, 8);
    case 0xD0:                                     /* ref.null t */
        return rd_reftype(dc, &b);
    case 0xFC:
        TRY(rd_u32(dc, &sub));
        switch (sub) {
        case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
            return true;                           /* trunc_sat */
        case 8:                                    /* memory.init dataidx 0x00 */
            TRY(rd_u32(dc, &n));
            TRY(rd_byte(dc, &b));
            return b == 0 || fail_at(dc, at, "zero byte expected");
        case 9: case 13: case 15: case 16: case 17:
            return rd_u32(dc, &n);
        case 10:                                   /* memory.copy 0x00 0x00 */
            TRY(rd_byte(dc, &b));
            TRY(b == 0 || fail_at(dc, at, "zero byte expected"));
            TRY(rd_byte(dc, &b));
            return b == 0 || fail_at(dc, at, "zero byte expected");
        case 11:                                   /* memory.fill 0x00 */
            TRY(rd_byte(dc, &b));
            return b == 0 || fail_at(dc, at, "zero byte expected");
        case 12: case 14:
            TRY(rd_u32(dc, &n));
            return rd_u32(dc, &n);
        default:
            return fail_at(dc, at, "illegal opcode");
        }
    default:
        if (op >= 0x28 && op <= 0x3E) {            /* loads and stores: memarg */
            TRY(rd_u32(dc, &n));
            return rd_u32(dc, &n);
        }
        if (op == 0x00 || op == 0x01 || op == 0x05 || op == 0x0F || op == 0x1A ||
            op == 0x1B || (op >= 0x45 && op <= 0xC4) || op == 0xD1)
            return true;
        return fail_at(dc, at, "illegal opcode");
    }
}

/* An expression: instructions up to the 0x0B that closes it. */
static bool rd_expr(decoder *dc, wasm_bytes *out)
{
    const uint8_t *start = dc->r.p;
    uint32_t depth = 0;
    for (;;) {
        const uint8_t *at = dc->r.p;
        uint8_t op;
        TRY(rd_byte(dc, &op));
        if (op == 0x0B) {
            if (depth == 0)
                break;
            depth--;
        } else {
            TRY(skip_immediates(dc, op, at));
            if (op == 0x02 || op == 0x03 || op == 0x04)
                depth++;
        }
    }
    out->start = start;
    out->len = (uint32_t)(dc->r.p - start);
    return true;
}

/* ---- sections -------------------------------------------------------------------------- */

static bool rd_valtype_vec(decoder *dc, uint32_t *n, uint8_t **types)
{
    TRY(rd_count(dc, n, 1));
    TRY(alloc_array(dc, *n, 1, (void **)types));
    for (uint32_t i = 0; i < *n; i++)
        TRY(rd_valtype(dc, &(*types)[i]));
    return true;
}

static bool decode_types(decoder *dc)
{
    wasm_decoded *d = dc->d;
    uint32_t n;
    TRY(rd_count(dc, &n, 3));
    TRY(alloc_array(dc, n, sizeof *d->types, (void **)&d->types));
    d->ntypes = n;
    for (uint32_t i = 0; i < n; i++) {
        wasm_decoded_type *t = &d->types[i];
        const uint8_t *at = dc->r.p;
        uint8_t form;
        TRY(rd_byte(dc, &form));
        if (form != 0x60)
            return fail_at(dc, at, "malformed function type (0x60 expected)");
        TRY(rd_valtype_vec(dc, &t->nparams, &t->params));
        TRY(rd_valtype_vec(dc, &t->nresults, &t->results));
    }
    return true;
}

static bool decode_imports(decoder *dc)
{
    wasm_decoded *d = dc->d;
    uint32_t n;
    TRY(rd_count(dc, &n, 3));
    TRY(alloc_array(dc, n, sizeof *d->imports, (void **)&d->imports));
    d->nimports = n;
    for (uint32_t i = 0; i < n; i++) {
        wasm_decoded_import *im = &d->imports[i];
        TRY(rd_name(dc, &im->module, &im->module_len));
        TRY(rd_name(dc, &im->name, &im->name_len));
        const uint8_t *at = dc->r.p;
        TRY(rd_byte(dc, &im->kind));
        switch (im->kind) {
        case WASM_EXTERN_FUNC:
            TRY(rd_u32(dc, &im->type_index));
            d->num_imported_funcs++;
            break;
        case WASM_EXTERN_TABLE:
            TRY(rd_reftype(dc, &im->table.elem));
            TRY(rd_limits(dc, &im->table.limits));
            d->num_imported_tables++;
            break;
        case WASM_EXTERN_MEMORY:
            TRY(rd_limits(dc, &im->memory));
            d->num_imported_memories++;
            break;
        case WASM_EXTERN_GLOBAL:
            TRY(rd_valtype(dc, &im->global.type));
            TRY(rd_mutability(dc, &im->global.mut));
            d->num_imported_globals++;
            break;
        default:
            return fail_at(dc, at, "malformed import kind");
        }
    }
    return true;
}

static bool decode_functions(decoder *dc)
{
    wasm_decoded *d = dc->d;
    uint32_t n;
    TRY(rd_count(dc, &n, 1));
    TRY(alloc_array(dc, n, sizeof *d->funcs, (void **)&d->funcs));
    d->nfuncs = n;
    for (uint32_t i = 0; i < n; i++)
        TRY(rd_u32(dc, &d->funcs[i].type_index));
    dc->have_func_section = true;
    return true;
}

static bool decode_tables(decoder *dc)
{
    wasm_decoded *d = dc->d;
    uint32_t n;
    TRY(rd_count(dc, &n, 3));
    TRY(alloc_array(dc, n, sizeof *d->tables, (void **)&d->tables));
    d->ntables = n;
    for (uint32_t i = 0; i < n; i++) {
        TRY(rd_reftype(dc, &d->tables[i].elem));
        TRY(rd_limits(dc, &d->tables[i].limits));
    }
    return true;
}

static bool decode_memories(decoder *dc)
{
    wasm_decoded *d = dc->d;
    uint32_t n;
    TRY(rd_count(dc, &n, 2));
    TRY(alloc_array(dc, n, sizeof *d->memories, (void **)&d->memories));
    d->nmemories = n;
    for (uint32_t i = 0; i < n; i++)
        TRY(rd_limits(dc, &d->memories[i]));
    return true;
}

static bool decode_globals(decoder *dc)
{
    wasm_decoded *d = dc->d;
    uint32_t n;
    TRY(rd_count(dc, &n, 3));
    TRY(alloc_array(dc, n, sizeof *d->globals, (void **)&d->globals));
    d->nglobals = n;
    for (uint32_t i = 0; i < n; i++) {
        wasm_decoded_global *g = &d->globals[i];
        TRY(rd_valtype(dc, &g->type.type));
        TRY(rd_mutability(dc, &g->type.mut));
        TRY(rd_expr(dc, &g->init));
    }
    return true;
}

static bool decode_exports(decoder *dc)
{
    wasm_decoded *d = dc->d;
    uint32_t n;
    TRY(rd_count(dc, &n, 3));
    TRY(alloc_array(dc, n, sizeof *d->exports, (void **)&d->exports));
    d->nexports = n;
    for (uint32_t i = 0; i < n; i++) {
        wasm_decoded_export *e = &d->exports[i];
        TRY(rd_name(dc, &e->name, &e->name_len));
        const uint8_t *at = dc->r.p;
        TRY(rd_byte(dc, &e->kind));
        if (e->kind > WASM_EXTERN_GLOBAL)
            return fail_at(dc, at, "malformed export kind");
        TRY(rd_u32(dc, &e->index));
    }
    return true;
}

static bool decode_start(decoder *dc)
{
    TRY(rd_u32(dc, &dc->d->start));
    dc->d->has_start = true;
    return true;
}

/* Element segments, all eight encodings. The flags' bits: 0 = passive or declarative,
 * 1 = explicit table index (active) or declarative (not active), 2 = items are
 * expressions rather than function indices. */
static bool decode_elem_segment(decoder *dc, wasm_decoded_elem *e)
{
    const uint8_t *at = dc->r.p;
    uint32_t flags;
    TRY(rd_u32(dc, &flags));
    if (flags > 7)
        return fail_at(dc, at, "malformed elements segment kind");
    bool active = !(flags & 1), exprs = flags & 4;
    e->elem_type = WASM_FUNCREF;
    if (active) {
        e->mode = WASM_SEG_ACTIVE;
        e->table_index = 0;
        if (flags & 2)
            TRY(rd_u32(dc, &e->table_index));
        TRY(rd_expr(dc, &e->offset));
    } else {
        e->mode = flags & 2 ? WASM_SEG_DECLARATIVE : WASM_SEG_PASSIVE;
    }
    if (flags & 3) {                               /* an explicit elemkind or reftype */
        if (exprs) {
            TRY(rd_reftype(dc, &e->elem_type));
        } else {
            const uint8_t *kat = dc->r.p;
            uint8_t kind;
            TRY(rd_byte(dc, &kind));
            if (kind != 0x00)
                return fail_at(dc, kat, "malformed element kind");
        }
    }
    uint32_t n;
    TRY(rd_count(dc, &n, 1));
    TRY(alloc_array(dc, n, sizeof *e->items, (void **)&e->items));
    e->nitems = n;
    for (uint32_t i = 0; i < n; i++) {
        e->items[i].is_expr = exprs;
        if (exprs)
            TRY(rd_expr(dc, &e->items[i].expr));
        else
            TRY(rd_u32(dc, &e->items[i].func_index));
    }
    return true;
}

static bool decode_elems(decoder *dc)
{
    wasm_decoded *d = dc->d;
    uint32_t n;
    TRY(rd_count(dc, &n, 2));
    TRY(alloc_array(dc, n, sizeof *d->elems, (void **)&d->elems));
    d->nelems = n;
    for (uint32_t i = 0; i < n; i++)
        TRY(decode_elem_segment(dc, &d->elems[i]));
    return true;
}

static bool decode_data_count(decoder *dc)
{
    TRY(rd_u32(dc, &dc->d->data_count));
    dc->d->has_data_count = true;
    return true;
}

/* One code entry: its size, the locals declarations (groups of count + type, expanded),
 * and the instruction bytes, which must close with an end opcode. */
static bool decode_code_entry(decoder *dc, wasm_decoded_func *f)
{
    const uint8_t *at = dc->r.p;
    uint32_t size;
    TRY(rd_u32(dc, &size));
    if (size > remaining(dc))
        return fail_at(dc, at, "unexpected end of section or function");
    const uint8_t *section_end = dc->r.end;
    const uint8_t *body_end = dc->r.p + size;
    dc->r.end = body_end;

    uint32_t ngroups;
    TRY(rd_count(dc, &ngroups, 2));
    const uint8_t *groups = dc->r.p;
    uint64_t total = 0;
    for (uint32_t i = 0; i < ngroups; i++) {
        const uint8_t *gat = dc->r.p;
        uint32_t count;
        uint8_t type;
        TRY(rd_u32(dc, &count));
        total += count;
        if (total > MAX_LOCALS_PER_FUNC)
            return fail_at(dc, gat, "too many locals");
        if (dc->module_locals + total > MAX_LOCALS_PER_MODULE)
            return fail_at(dc, gat, "too many locals (module total)");
        TRY(rd_valtype(dc, &type));
    }
    TRY(alloc_array(dc, (uint32_t)total, 1, (void **)&f->local_types));
    f->nlocals = (uint32_t)total;
    dc->module_locals += total;
    wasm_reader again = { groups, body_end };
    uint32_t k = 0;
    for (uint32_t i = 0; i < ngroups; i++) {
        uint32_t count;
        uint8_t type;
        wasm_read_u32(&again, &count);         /* already checked above */
        wasm_read_u8(&again, &type);
        for (uint32_t j = 0; j < count; j++)
            f->local_types[k++] = type;
    }

    if (dc->r.p == body_end || body_end[-1] != 0x0B)
        return fail_at(dc, body_end, "END opcode expected");
    f->body.start = dc->r.p;
    f->body.len = (uint32_t)(body_end - dc->r.p);
    dc->r.p = body_end;
    dc->r.end = section_end;
    return true;
}

static bool decode_code(decoder *dc)
{
    wasm_decoded *d = dc->d;
    const uint8_t *at = dc->r.p;
    uint32_t n;
    TRY(rd_count(dc, &n, 2));
    if (n != d->nfuncs)
        return fail_at(dc, at, "function and code section have inconsistent lengths");
    for (uint32_t i = 0; i < n; i++)
        TRY(decode_code_entry(dc, &d->funcs[i]));
    dc->have_code_section = true;
    return true;
}

static bool decode_data_segment(decoder *dc, wasm_decoded_data *seg)
{
    const uint8_t *at = dc->r.p;
    uint32_t flags;
    TRY(rd_u32(dc, &flags));
    switch (flags) {
    case 0:
        seg->mode = WASM_SEG_ACTIVE;
        seg->memory_index = 0;
        TRY(rd_expr(dc, &seg->offset));
        break;
    case 1:
        seg->mode = WASM_SEG_PASSIVE;
        break;
    case 2:
        seg->mode = WASM_SEG_ACTIVE;
        TRY(rd_u32(dc, &seg->memory_index));
        TRY(rd_expr(dc, &seg->offset));
        break;
    default:
        return fail_at(dc, at, "malformed data segment kind");
    }
    at = dc->r.p;
    TRY(rd_u32(dc, &seg->len));
    if (seg->len > remaining(dc))
        return fail_at(dc, at, "unexpected end of section or function");
    seg->bytes = dc->r.p;
    dc->r.p += seg->len;
    return true;
}

static bool decode_datas(decoder *dc)
{
    wasm_decoded *d = dc->d;
    const uint8_t *at = dc->r.p;
    uint32_t n;
    TRY(rd_count(dc, &n, 2));
    if (d->has_data_count && n != d->data_count)
        return fail_at(dc, at, "data count and data section have inconsistent lengths");
    TRY(alloc_array(dc, n, sizeof *d->datas, (void **)&d->datas));
    d->ndatas = n;
    for (uint32_t i = 0; i < n; i++)
        TRY(decode_data_segment(dc, &d->datas[i]));
    dc->have_data_section = true;
    return true;
}

static bool decode_custom(decoder *dc)
{
    const char *name;
    uint32_t len;
    TRY(rd_name(dc, &name, &len));
    dc->r.p = dc->r.end;                           /* contents are not interpreted */
    return true;
}

/* Where each known section may appear: its rank must increase strictly. Data count (12)
 * sits between element (9) and code (10). */
static int section_rank(uint8_t id)
{
    static const uint8_t rank[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10 };
    return rank[id];
}

static bool decode_section(decoder *dc, uint8_t id)
{
    switch (id) {
    case SEC_CUSTOM:     return decode_custom(dc);
    case SEC_TYPE:       return decode_types(dc);
    case SEC_IMPORT:     return decode_imports(dc);
    case SEC_FUNCTION:   return decode_functions(dc);
    case SEC_TABLE:      return decode_tables(dc);
    case SEC_MEMORY:     return decode_memories(dc);
    case SEC_GLOBAL:     return decode_globals(dc);
    case SEC_EXPORT:     return decode_exports(dc);
    case SEC_START:      return decode_start(dc);
    case SEC_ELEMENT:    return decode_elems(dc);
    case SEC_CODE:       return decode_code(dc);
    case SEC_DATA:       return decode_datas(dc);
    case SEC_DATA_COUNT: return decode_data_count(dc);
    }
    return fail(dc, "malformed section id");
}

static bool decode_header(decoder *dc)
{
    static const uint8_t magic[4] = { 0x00, 0x61, 0x73, 0x6D };
    static const uint8_t version[4] = { 0x01, 0x00, 0x00, 0x00 };
    if (remaining(dc) < 4 || rt_memcmp(dc->r.p, magic, 4) != 0)
        return fail(dc, "magic header not detected");
    dc->r.p += 4;
    if (remaining(dc) < 4 || rt_memcmp(dc->r.p, version, 4) != 0)
        return fail(dc, "unknown binary version");
    dc->r.p += 4;
    return true;
}

static bool decode_module(decoder *dc)
{
    wasm_decoded *d = dc->d;
    const uint8_t *module_end = dc->r.end;
    int last_rank = 0;

    dc->section = -1;
    TRY(decode_header(dc));
    while (dc->r.p < module_end) {
        const uint8_t *at = dc->r.p;
        uint8_t id;
        uint32_t size;
        dc->section = -1;
        TRY(rd_byte(dc, &id));
        if (id > SEC_DATA_COUNT)
            return fail_at(dc, at, "malformed section id");
        dc->section = id;
        TRY(rd_u32(dc, &size));
        if (size > remaining(dc))
            return fail(dc, "length out of bounds (section size)");
        if (id != SEC_CUSTOM) {
            if (section_rank(id) <= last_rank)
                return fail_at(dc, at, "unexpected content after last section "
                                       "(section out of order or repeated)");
            last_rank = section_rank(id);
        }
        dc->r.end = dc->r.p + size;
        TRY(decode_section(dc, id));
        if (dc->r.p != dc->r.end)
            return fail(dc, "section size mismatch");
        dc->r.end = module_end;
    }
    dc->section = -1;
    if (d->nfuncs != 0 && !dc->have_code_section)
        return fail(dc, "function and code section have inconsistent lengths");
    if (d->has_data_count && !dc->have_data_section && d->data_count != 0)
        return fail(dc, "data count and data section have inconsistent lengths");
    return true;
}

wasm_errcode wasm_decode(const uint8_t *bytes, size_t len, wasm_decoded *d, wasm_err *err)
{
    wasm_err scratch;
    if (!err)
        err = &scratch;
    err->code = WASM_OK;
    err->msg[0] = '\0';
    if (!d) {
        err->code = WASM_ERR_ARG;
        rt_snprintf(err->msg, sizeof err->msg, "no place for the decoded module");
        return err->code;
    }
    rt_memset(d, 0, sizeof *d);
    if (!bytes && len) {
        err->code = WASM_ERR_ARG;
        rt_snprintf(err->msg, sizeof err->msg, "no module bytes");
        return err->code;
    }
    if (len > UINT32_MAX) {
        err->code = WASM_ERR_MALFORMED;
        rt_snprintf(err->msg, sizeof err->msg, "module larger than 4 GiB");
        return err->code;
    }
    d->binary = rt_malloc(len ? len : 1);
    if (!d->binary) {
        err->code = WASM_ERR_NOMEM;
        rt_snprintf(err->msg, sizeof err->msg, "out of memory copying the module");
        return err->code;
    }
    if (len)
        rt_memcpy(d->binary, bytes, len);
    d->binary_len = len;

    decoder dc = { .base = d->binary, .r = { d->binary, d->binary + len }, .d = d, .err = err };
    if (!decode_module(&dc)) {
        wasm_errcode code = err->code;
        wasm_decoded_free(d);
        return code;
    }
    return WASM_OK;
}

void wasm_decoded_free(wasm_decoded *d)
{
    if (!d)
        return;
    for (uint32_t i = 0; i < d->ntypes; i++) {
        rt_free(d->types[i].params);
        rt_free(d->types[i].results);
    }
    rt_free(d->types);
    rt_free(d->imports);
    for (uint32_t i = 0; i < d->nfuncs; i++)
        rt_free(d->funcs[i].local_types);
    rt_free(d->funcs);
    rt_free(d->tables);
    rt_free(d->memories);
    rt_free(d->globals);
    rt_free(d->exports);
    for (uint32_t i = 0; i < d->nelems; i++)
        rt_free(d->elems[i].items);
    rt_free(d->elems);
    rt_free(d->datas);
    rt_free(d->binary);
    rt_memset(d, 0, sizeof *d);
}
