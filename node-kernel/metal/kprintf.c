/* kprintf.c: a small printf engine. Supports flags '-' and '0', a width (or '*'),
 * a precision for strings (or '.*'), the length modifiers hh h l ll z, and the
 * conversions d i u x X p c s %. Output is always NUL-terminated when size > 0. */
#include <stdint.h>
#include "node-kernel/metal/kprintf.h"
#include "node-kernel/metal/serial.h"

struct out { char *buf; size_t size, len; };

static void emit(struct out *o, char c)
{
    if (o->len + 1 < o->size) o->buf[o->len] = c;
    o->len++;
}

static void emit_padded(struct out *o, const char *s, size_t n, int width, int left, char pad)
{
    int fill = width > (int)n ? width - (int)n : 0;
    if (!left) while (fill-- > 0) emit(o, pad);
    for (size_t i = 0; i < n; i++) emit(o, s[i]);
    if (left) while (fill-- > 0) emit(o, ' ');
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };
    for (; *fmt; fmt++) {
        if (*fmt != '%') { emit(&o, *fmt); continue; }
        fmt++;
        int left = 0, zero = 0, width = 0, prec = -1, lng = 0;
        for (;; fmt++) {
            if (*fmt == '-') left = 1;
            else if (*fmt == '0') zero = 1;
            else break;
        }
        if (*fmt == '*') { width = va_arg(ap, int); fmt++; }
        else while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        if (*fmt == '.') {
            fmt++; prec = 0;
            if (*fmt == '*') { prec = va_arg(ap, int); fmt++; }
            else while (*fmt >= '0' && *fmt <= '9') prec = prec * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l' || *fmt == 'h' || *fmt == 'z') {
            if (*fmt == 'l' || *fmt == 'z') lng++;
            fmt++;
        }
        char tmp[24];
        int n = 0;
        uint64_t u = 0;
        int neg = 0, base = 10, upper = 0;
        switch (*fmt) {
        case 'c':
            tmp[0] = (char)va_arg(ap, int);
            emit_padded(&o, tmp, 1, width, left, ' ');
            continue;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            size_t len = 0;
            while (s[len] && (prec < 0 || (int)len < prec)) len++;
            emit_padded(&o, s, len, width, left, ' ');
            continue;
        }
        case '%':
            emit(&o, '%');
            continue;
        case 'd': case 'i': {
            int64_t v = lng ? va_arg(ap, long) : va_arg(ap, int);
            if (v < 0) { neg = 1; u = (uint64_t)0 - (uint64_t)v; } else u = (uint64_t)v;
            break;
        }
        case 'p':
            u = (uintptr_t)va_arg(ap, void *); base = 16;
            emit(&o, '0'); emit(&o, 'x');
            break;
        case 'X': upper = 1; /* fall through */
        case 'x': base = 16; /* fall through */
        case 'u':
            u = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            break;
        case '\0':
            fmt--;
            continue;
        default:
            emit(&o, '%'); emit(&o, *fmt);
            continue;
        }
        do {
            int d = (int)(u % (unsigned)base);
            tmp[n++] = (char)(d < 10 ? '0' + d : (upper ? 'A' : 'a') + d - 10);
            u /= (unsigned)base;
        } while (u);
        if (neg) {
            if (zero && !left) { emit(&o, '-'); width--; }
            else tmp[n++] = '-';
        }
        char digits[24];
        for (int i = 0; i < n; i++) digits[i] = tmp[n - 1 - i];
        emit_padded(&o, digits, (size_t)n, width, left, zero && !left ? '0' : ' ');
    }
    if (size) o.buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int kprintf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    serial_write(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
    return n;
}
