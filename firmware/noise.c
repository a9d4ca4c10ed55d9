/* Integer-only Gaussian noise: see sdk/diffusion/device_noise.py for why it is exact. */
#include "noise.h"

#define UNIFORMS_PER_VALUE 12
#define CENTRE (UNIFORMS_PER_VALUE * 65535 / 2)

static uint32_t mix(uint32_t z)
{
    z = (z ^ (z >> 16)) * 0x85EBCA6Bu;
    z = (z ^ (z >> 13)) * 0xC2B2AE35u;
    z ^= z >> 16;
    return z ? z : 0x9E3779B9u;
}

void noise_fill_gaussian(uint32_t seed, float *out, uint32_t count)
{
    uint32_t state = mix(seed);
    for (uint32_t i = 0; i < count; i++) {
        int32_t total = 0;
        for (int32_t k = 0; k < UNIFORMS_PER_VALUE; k++) {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            total += (int32_t)(state >> 16);
        }
        out[i] = (float)(total - CENTRE) * (1.0f / 65536.0f);
    }
}
