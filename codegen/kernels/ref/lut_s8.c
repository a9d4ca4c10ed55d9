/* Reference int8 table lookup: out = table[in + 128]. Every int8 -> int8 elementwise op
 * (logistic, tanh, and whatever activation a build tabulates) is one 256-byte table made at
 * build time by the numpy reference (codegen/int8/lut.py), so the device runs no
 * transcendental math and gives the reference's bytes. out may equal in. */
#include "edgediff/kernels.h"

void edgediff_lut_s8(const int8_t *table, const int8_t *in, int8_t *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = table[(int32_t)in[i] + 128];
    }
}
