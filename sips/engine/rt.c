/* rt_snprintf: bounded printf-style formatting for the freestanding engine (error and trap
 * messages). Supports the flags '-' and '0', a field width and a string precision (digits
 * or '*'), the length modifiers hh h l ll z j t, and the conversions d i u x X c s p %.
 * Like C's snprintf it always NUL-terminates (when size > 0) and returns the length the
 * whole output would have had. */
#include <stdarg.h>
#include "sips/engine/rt.h"

typedef struct { char *buf; size_t size, len; } outbuf;

static void put(outbuf *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_padded(outbuf *o, const char *s, size_t n, int width, bool left, char pad)
{
    size_t fill = width > 0 && (size_t)width > n ? (size_t)width - n : 0;
    if (!left)
        for (size_t i = 0; i < fill; i++)
            put(o, pad);
    for (size_t i = 0; i < n; i++)
        put(o, s[i]);
    if (left)
        for (size_t i = 0; i < fill; i++)
            put(o, ' ');
}

/* Format an unsigned magnitude with an optional minus sign; '0' padding goes after it. */
static void put_number(outbuf *o, uint64_t v, bool neg, unsigned base, bool upper,
                       int width, bool left, bool zero)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    size_t n = 0;
    do {
        tmp[sizeof tmp - 1 - n++] = digits[v % base];
        v /= base;
    } while (v);
    if (neg)
        tmp[sizeof tmp - 1 - n++] = '-';
    const char *s = tmp + sizeof tmp - n;
    if (zero && !left && neg) {
        put(o, '-');
        put_padded(o, s + 1, n - 1, width - 1, false, '0');
    } else {
        put_padded(o, s, n, width, left, zero && !left ? '0' : ' ');
    }
}

static int vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
    outbuf o = { buf, size, 0 };
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            put(&o, *f);
            continue;
        }
        f++;
        bool left = false, zero = false;
        for (;; f++) {
            if (*f == '-') left = true;
            else if (*f == '0') zero = true;
            else break;
        }
        int width = 0, prec = -1;
        if (*f == '*') {
            width = va_arg(ap, int);
            if (width < 0) { left = true; width = -width; }
            f++;
        } else {
            while (*f >= '0' && *f <= '9')
                width = width * 10 + (*f++ - '0');
        }
        if (*f == '.') {
            f++;
            prec = 0;
            if (*f == '*') {
                prec = va_arg(ap, int);
                f++;
            } else {
                while (*f >= '0' && *f <= '9')
                    prec = prec * 10 + (*f++ - '0');
            }
        }
        int lng = 0;                          /* 0 int, 1 long, 2 long long, 3 size_t */
        for (;; f++) {
            if (*f == 'h') continue;          /* promoted to int anyway */
            if (*f == 'l') { lng++; continue; }
            if (*f == 'z' || *f == 't') { lng = 3; continue; }
            if (*f == 'j') { lng = 2; continue; }
            break;
        }
        switch (*f) {
        case 'd': case 'i': {
            int64_t v = lng == 0 ? va_arg(ap, int) : lng == 1 ? va_arg(ap, long)
                      : lng == 2 ? va_arg(ap, long long) : (int64_t)va_arg(ap, ptrdiff_t);
            uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
            put_number(&o, mag, v < 0, 10, false, width, left, zero);
            break;
        }
        case 'u': case 'x': case 'X': {
            uint64_t v = lng == 0 ? va_arg(ap, unsigned) : lng == 1 ? va_arg(ap, unsigned long)
                       : lng == 2 ? va_arg(ap, unsigned long long) : va_arg(ap, size_t);
            put_number(&o, v, false, *f == 'u' ? 10 : 16, *f == 'X', width, left, zero);
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            put(&o, '0');
            put(&o, 'x');
            put_number(&o, v, false, 16, false, 0, false, false);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            put_padded(&o, &c, 1, width, left, ' ');
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            size_t n = 0;
            while ((prec < 0 || n < (size_t)prec) && s[n])
                n++;
            put_padded(&o, s, n, width, left, ' ');
            break;
        }
        case '%':
            put(&o, '%');
            break;
        case '\0':
            f--;                              /* lone '%' at the end: stop cleanly */
            break;
        default:                              /* unknown conversion: print it verbatim */
            put(&o, '%');
            put(&o, *f);
            break;
        }
    }
    if (size > 0)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int rt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
