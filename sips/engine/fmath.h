/* Floating-point and integer helpers with WebAssembly semantics, without libm:
 * rounding (ceil/floor/trunc/nearest), min/max with NaN and signed-zero rules, range checks
 * for float-to-int conversions (trapping and saturating), bit counts. Inline because the
 * interpreter calls them on its hot path; SSE2 only. */
#ifndef SIPS_ENGINE_FMATH_H
#define SIPS_ENGINE_FMATH_H

#include <stdint.h>
#include <stdbool.h>

static inline uint32_t fm_bits32(float f) { uint32_t u; __builtin_memcpy(&u, &f, 4); return u; }
static inline uint64_t fm_bits64(double f) { uint64_t u; __builtin_memcpy(&u, &f, 8); return u; }
static inline float fm_f32(uint32_t u) { float f; __builtin_memcpy(&f, &u, 4); return f; }
static inline double fm_f64(uint64_t u) { double f; __builtin_memcpy(&f, &u, 8); return f; }

/* ---- rounding: exact for |x| below 2^23 / 2^52, where every float is not an integer ---- */
static inline float fm_truncf(float x)
{
    if (!(__builtin_fabsf(x) < 8388608.0f))
        return x == x ? x : x + x;      /* large integers and inf as they are; NaN quieted */
    return __builtin_copysignf((float)(int32_t)x, x);
}

static inline double fm_trunc(double x)
{
    if (!(__builtin_fabs(x) < 4503599627370496.0))
        return x == x ? x : x + x;
    return __builtin_copysign((double)(int64_t)x, x);
}

static inline float fm_floorf(float x)
{
    float t = fm_truncf(x);
    return t > x ? t - 1.0f : t;
}

static inline double fm_floor(double x)
{
    double t = fm_trunc(x);
    return t > x ? t - 1.0 : t;
}

static inline float fm_ceilf(float x)
{
    float t = fm_truncf(x);
    return t < x ? __builtin_copysignf(t + 1.0f, x) : t;
}

static inline double fm_ceil(double x)
{
    double t = fm_trunc(x);
    return t < x ? __builtin_copysign(t + 1.0, x) : t;
}

/* Round half to even: adding and subtracting 2^23 (2^52) rounds in the current (nearest)
 * mode. volatile keeps the compiler from folding the pair away. */
static inline float fm_nearestf(float x)
{
    float a = __builtin_fabsf(x);
    if (!(a < 8388608.0f))
        return x == x ? x : x + x;
    volatile float big = 8388608.0f;
    float r = (a + big) - big;
    return __builtin_copysignf(r, x);
}

static inline double fm_nearest(double x)
{
    double a = __builtin_fabs(x);
    if (!(a < 4503599627370496.0))
        return x == x ? x : x + x;
    volatile double big = 4503599627370496.0;
    double r = (a + big) - big;
    return __builtin_copysign(r, x);
}

/* ---- min / max: NaN if either is NaN; -0 < +0 ---- */
static inline float fm_minf(float a, float b)
{
    if (a != a || b != b) return a + b;
    if (a == b) return fm_f32(fm_bits32(a) | fm_bits32(b));
    return a < b ? a : b;
}

static inline float fm_maxf(float a, float b)
{
    if (a != a || b != b) return a + b;
    if (a == b) return fm_f32(fm_bits32(a) & fm_bits32(b));
    return a > b ? a : b;
}

static inline double fm_min(double a, double b)
{
    if (a != a || b != b) return a + b;
    if (a == b) return fm_f64(fm_bits64(a) | fm_bits64(b));
    return a < b ? a : b;
}

static inline double fm_max(double a, double b)
{
    if (a != a || b != b) return a + b;
    if (a == b) return fm_f64(fm_bits64(a) & fm_bits64(b));
    return a > b ? a : b;
}

/* ---- float to int: in-range predicates (false for NaN) ---- */
static inline bool fm_fits_i32_f32(float x) { return x >= -2147483648.0f && x < 2147483648.0f; }
static inline bool fm_fits_u32_f32(float x) { return x > -1.0f && x < 4294967296.0f; }
static inline bool fm_fits_i32_f64(double x) { return x > -2147483649.0 && x < 2147483648.0; }
static inline bool fm_fits_u32_f64(double x) { return x > -1.0 && x < 4294967296.0; }
static inline bool fm_fits_i64_f32(float x) { return x >= -9223372036854775808.0f && x < 9223372036854775808.0f; }
static inline bool fm_fits_u64_f32(float x) { return x > -1.0f && x < 18446744073709551616.0f; }
static inline bool fm_fits_i64_f64(double x) { return x >= -9223372036854775808.0 && x < 9223372036854775808.0; }
static inline bool fm_fits_u64_f64(double x) { return x > -1.0 && x < 18446744073709551616.0; }

/* Saturating forms: NaN gives 0, out of range gives the nearest bound. */
static inline int32_t fm_sat_i32(double x)
{
    if (x != x) return 0;
    if (x <= -2147483648.0) return INT32_MIN;
    if (x >= 2147483647.0) return INT32_MAX;
    return (int32_t)x;
}

static inline uint32_t fm_sat_u32(double x)
{
    if (!(x > 0.0)) return 0;
    if (x >= 4294967295.0) return UINT32_MAX;
    return (uint32_t)x;
}

static inline int64_t fm_sat_i64(double x)
{
    if (x != x) return 0;
    if (x < -9223372036854775808.0) return INT64_MIN;
    if (x >= 9223372036854775808.0) return INT64_MAX;
    return (int64_t)x;
}

static inline uint64_t fm_sat_u64(double x)
{
    if (!(x > 0.0)) return 0;
    if (x >= 18446744073709551616.0) return UINT64_MAX;
    return (uint64_t)x;
}

/* ---- bit counts without libgcc helpers ---- */
static inline uint32_t fm_popcnt64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (uint32_t)((x * 0x0101010101010101ull) >> 56);
}

static inline uint32_t fm_clz32(uint32_t x) { return x ? (uint32_t)__builtin_clz(x) : 32; }
static inline uint32_t fm_ctz32(uint32_t x) { return x ? (uint32_t)__builtin_ctz(x) : 32; }
static inline uint64_t fm_clz64(uint64_t x) { return x ? (uint64_t)__builtin_clzll(x) : 64; }
static inline uint64_t fm_ctz64(uint64_t x) { return x ? (uint64_t)__builtin_ctzll(x) : 64; }

#endif
