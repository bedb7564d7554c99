/* contractc: the C header of typed stubs for SIP authors. For contract C it defines
 * C_tag_<M> (message tags), C_state_<S>, C_FINGERPRINT, one C_send_<M>(ep, args...) per
 * message that packs the payload and handles and calls sip_send, and C_recv(ep, &msg),
 * which calls sip_recv, checks the shape and unpacks into the C_msg union. */
#include <inttypes.h>
#include "contracts/contractc/emit.h"

static void emit_pack(FILE *o, const contract_arg *a)
{
    const char *n = a->name;
    unsigned off = a->index;
    switch (a->kind) {
    case CONTRACT_I8: case CONTRACT_U8:
        fprintf(o, "    _p[%u] = (uint8_t)%s;\n", off, n); break;
    case CONTRACT_BOOL:
        fprintf(o, "    _p[%u] = %s ? 1 : 0;\n", off, n); break;
    case CONTRACT_I16: case CONTRACT_U16:
        fprintf(o, "    contract_put_u16(_p + %u, (uint16_t)%s);\n", off, n); break;
    case CONTRACT_I32: case CONTRACT_U32:
        fprintf(o, "    contract_put_u32(_p + %u, (uint32_t)%s);\n", off, n); break;
    case CONTRACT_I64: case CONTRACT_U64:
        fprintf(o, "    contract_put_u64(_p + %u, (uint64_t)%s);\n", off, n); break;
    case CONTRACT_F32:
        fprintf(o, "    contract_put_f32(_p + %u, %s);\n", off, n); break;
    case CONTRACT_F64:
        fprintf(o, "    contract_put_f64(_p + %u, %s);\n", off, n); break;
    default:
        fprintf(o, "    _h[%u] = %s;\n", off, n); break;
    }
}

static void emit_unpack(FILE *o, const char *msg, const contract_arg *a)
{
    const char *n = a->name;
    unsigned off = a->index;
    const char *t = kind_c_type(a->kind);
    fprintf(o, "        m->%s.%s = ", msg, n);
    switch (a->kind) {
    case CONTRACT_I8: case CONTRACT_U8: fprintf(o, "(%s)_p[%u];\n", t, off); break;
    case CONTRACT_BOOL: fprintf(o, "_p[%u] != 0;\n", off); break;
    case CONTRACT_I16: case CONTRACT_U16: fprintf(o, "(%s)contract_get_u16(_p + %u);\n", t, off); break;
    case CONTRACT_I32: case CONTRACT_U32: fprintf(o, "(%s)contract_get_u32(_p + %u);\n", t, off); break;
    case CONTRACT_I64: case CONTRACT_U64: fprintf(o, "(%s)contract_get_u64(_p + %u);\n", t, off); break;
    case CONTRACT_F32: fprintf(o, "contract_get_f32(_p + %u);\n", off); break;
    case CONTRACT_F64: fprintf(o, "contract_get_f64(_p + %u);\n", off); break;
    default: fprintf(o, "_h[%u];\n", off); break;
    }
}

static void emit_signature_args(FILE *o, const contract_message *m)
{
    for (uint32_t i = 0; i < m->nargs; i++)
        fprintf(o, ", %s %s", kind_c_type(m->args[i].kind), m->args[i].name);
}

static void emit_send(FILE *o, const contract *c, const contract_message *m)
{
    char buf[160];
    fprintf(o, "/* %s(", m->name);
    for (uint32_t i = 0; i < m->nargs; i++)
        fprintf(o, "%s%s %s", i ? ", " : "", kind_source_name(&m->args[i], buf, sizeof buf),
                m->args[i].name);
    fprintf(o, "): %s, sent by the %s side.%s */\n",
            m->dir == CONTRACT_IN ? "in (imp -> exp)" : "out (exp -> imp)",
            m->dir == CONTRACT_IN ? "importing" : "exporting",
            m->nhandles ? " Moves its handles to the peer." : "");
    fprintf(o, "static inline int32_t %s_send_%s(sip_ep ep", c->name, m->name);
    emit_signature_args(o, m);
    fprintf(o, ")\n{\n");
    if (m->payload_size) fprintf(o, "    uint8_t _p[%u];\n", m->payload_size);
    if (m->nhandles) fprintf(o, "    sip_block _h[%u];\n", m->nhandles);
    for (uint32_t i = 0; i < m->nargs; i++) emit_pack(o, &m->args[i]);
    fprintf(o, "    return sip_send(ep, %s_tag_%s, %s, %u, %s, %u);\n}\n\n", c->name, m->name,
            m->payload_size ? "_p" : "(const void *)0", m->payload_size,
            m->nhandles ? "_h" : "(const sip_block *)0", m->nhandles);
}

static void emit_msg_struct(FILE *o, const contract *c)
{
    fprintf(o, "/* A received message: `tag` says which member of the union is valid. */\n");
    fprintf(o, "typedef struct %s_msg {\n    uint32_t tag;\n    union {\n", c->name);
    fprintf(o, "        uint8_t _unused;\n");
    for (uint32_t t = 0; t < c->nmessages; t++) {
        const contract_message *m = &c->messages[t];
        if (!m->nargs) continue;
        fprintf(o, "        struct {");
        for (uint32_t i = 0; i < m->nargs; i++)
            fprintf(o, " %s %s;", kind_c_type(m->args[i].kind), m->args[i].name);
        fprintf(o, " } %s;\n", m->name);
    }
    fprintf(o, "    };\n} %s_msg;\n\n", c->name);
}

static void emit_recv(FILE *o, const contract *c)
{
    uint32_t maxp = 0, maxh = 0;
    for (uint32_t t = 0; t < c->nmessages; t++) {
        if (c->messages[t].payload_size > maxp) maxp = c->messages[t].payload_size;
        if (c->messages[t].nhandles > maxh) maxh = c->messages[t].nhandles;
    }
    fprintf(o, "/* Receive the next message on `ep` (either side): returns its tag (%s_tag_*)\n"
               " * with the arguments unpacked into *m, or a negative error. The handles it\n"
               " * carried are now owned by the caller. */\n", c->name);
    fprintf(o, "static inline int32_t %s_recv(sip_ep ep, %s_msg *m)\n{\n", c->name, c->name);
    fprintf(o, "    uint8_t _p[%u];\n    sip_block _h[%u];\n    uint32_t _tag = 0;\n",
            maxp ? maxp : 1, maxh ? maxh : 1);
    fprintf(o, "    int32_t _len = sip_recv(ep, &_tag, _p, %u, _h, %u);\n", maxp, maxh);
    fprintf(o, "    if (_len < 0) return _len;\n    switch (_tag) {\n");
    for (uint32_t t = 0; t < c->nmessages; t++) {
        const contract_message *m = &c->messages[t];
        fprintf(o, "    case %s_tag_%s:\n", c->name, m->name);
        fprintf(o, "        if (_len != %u) return SIP_EINVAL;\n", m->payload_size);
        for (uint32_t i = 0; i < m->nargs; i++) emit_unpack(o, m->name, &m->args[i]);
        fprintf(o, "        break;\n");
    }
    fprintf(o, "    default:\n        return SIP_EINVAL;\n    }\n");
    fprintf(o, "    m->tag = _tag;\n    return (int32_t)_tag;\n}\n\n");
}

int emit_header(FILE *o, const contract *c)
{
    fprintf(o, "/* %s.h: typed channel stubs for contract %s (SIP side), generated by contractc\n"
               " * from %s. Do not edit: change the contract and regenerate.\n"
               " * The ABI calls and payload packing come from contracts/stub_support.h. */\n",
            c->name, c->name, c->file);
    fprintf(o, "#ifndef CONTRACT_%s_H\n#define CONTRACT_%s_H\n\n", c->name, c->name);
    fprintf(o, "#include \"contracts/stub_support.h\"\n\n");
    fprintf(o, "#define %s_CONTRACT \"%s\"\n", c->name, c->name);
    fprintf(o, "#define %s_FINGERPRINT UINT64_C(0x%016" PRIx64 ")\n\n", c->name, c->fingerprint);
    fprintf(o, "/* message tags */\nenum {\n");
    for (uint32_t t = 0; t < c->nmessages; t++)
        fprintf(o, "    %s_tag_%s = %u,\n", c->name, c->messages[t].name, t);
    fprintf(o, "    %s_MESSAGE_COUNT = %u\n};\n\n", c->name, c->nmessages);
    fprintf(o, "/* states (the first is initial) */\nenum {\n");
    for (uint32_t s = 0; s < c->nstates; s++)
        fprintf(o, "    %s_state_%s = %u,%s\n", c->name, c->states[s].name, s,
                c->states[s].final ? "   /* final */" : "");
    fprintf(o, "    %s_STATE_COUNT = %u\n};\n\n", c->name, c->nstates);
    for (uint32_t t = 0; t < c->nmessages; t++) emit_send(o, c, &c->messages[t]);
    emit_msg_struct(o, c);
    emit_recv(o, c);
    fprintf(o, "#endif\n");
    return ferror(o) ? -1 : 0;
}
