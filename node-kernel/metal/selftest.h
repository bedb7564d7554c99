/* selftest.h: checks the kernel can run on itself at boot (option selftest=heap). */
#ifndef METAL_SELFTEST_H
#define METAL_SELFTEST_H
/* Random malloc/realloc/free with every block filled and verified; prints
 * "HEAP SELFTEST OK ..." or "HEAP SELFTEST FAILED: ..." and returns 0 or -1. */
int selftest_heap(unsigned ops);
#endif
