/* math.c: the libm functions compiled code calls on this kernel (the engine's f32/f64
 * square roots: gcc keeps a call to sqrt for errno's sake). Uses SSE, so it is built
 * without -mgeneral-regs-only, like the engine. */
double sqrt(double x)
{
    double r;
    __asm__("sqrtsd %1, %0" : "=x"(r) : "x"(x));
    return r;
}

float sqrtf(float x)
{
    float r;
    __asm__("sqrtss %1, %0" : "=x"(r) : "x"(x));
    return r;
}
