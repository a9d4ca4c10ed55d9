/* Gaussian noise for the on-device sampler, with an exact Python twin
 * (sdk/diffusion/device_noise.py): same seed, same float32 bits. */
#ifndef EDGEDIFF_NOISE_H
#define EDGEDIFF_NOISE_H

#include <stdint.h>

/* count values of mean 0 and variance ~1 (Irwin-Hall, twelve 16-bit uniforms) into out. */
void noise_fill_gaussian(uint32_t seed, float *out, uint32_t count);

#endif
