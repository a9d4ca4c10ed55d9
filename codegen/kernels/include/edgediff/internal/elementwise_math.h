/*
 * The float math of the elementwise kernels (codegen/ops/elementwise_unary.py and
 * elementwise_param.py), shared by each op's FP32 and FP16 reference kernel so both compute
 * the same float value (the FP16 one then rounds it once on store). Not part of the public
 * API. Each formula is chosen to stay accurate where the textbook one cancels, and says so.
 */
#ifndef EDGEDIFF_ELEMENTWISE_MATH_H
#define EDGEDIFF_ELEMENTWISE_MATH_H

#include <math.h>
#include <stdint.h>

/* |x| by clearing the sign bit: exact, abs(-0) = +0 as torch, and no libm call (fabsf is
 * not a builtin under -ffreestanding). */
static inline float edgediff_abs(float x) {
    union {
        float f;
        uint32_t u;
    } bits = {x};
    bits.u &= 0x7fffffffu;
    return bits.f;
}

/* 1 / (1 + e^-x): never NaN for finite x (e^-x overflows to inf for x < -88.7, giving 0). */
static inline float edgediff_sigmoid(float x) {
    return 1.0f / (1.0f + expf(-x));
}

/* x * Phi(x) = x/2 * erfc(-x/sqrt(2)). The usual x/2 * (1 + erf(x/sqrt(2))) loses every
 * digit for x below about -4 (1 + erf cancels); erfc of the negated argument does not. */
static inline float edgediff_gelu(float x) {
    return 0.5f * x * erfcf(-x * 0.70710678118654752f);
}

/* torch's tanh form, x/2 * (1 + tanh(z)) with z = sqrt(2/pi) * (x + 0.044715 x^3), written
 * as x / (1 + e^(-2z)) (the same function: 1 + tanh(z) = 2 / (1 + e^-2z)), which does not
 * cancel for negative x. */
static inline float edgediff_gelu_tanh(float x) {
    const float z = 0.79788456080286536f * (x + 0.044715f * x * x * x);
    return x / (1.0f + expf(-2.0f * z));
}

/* x * relu6(x + 3) / 6, in torch's order of operations. */
static inline float edgediff_hardswish(float x) {
    float t = x + 3.0f;
    t = t < 0.0f ? 0.0f : t;
    t = t > 6.0f ? 6.0f : t;
    return x * t / 6.0f;
}

/* x * tanh(softplus(x)), softplus = log1p(e^x): e^x overflowing for x > 88.7 gives
 * tanh(inf) = 1, so x; e^x underflowing gives x * 0. */
static inline float edgediff_mish(float x) {
    return x * tanhf(log1pf(expf(x)));
}

/* ELU: x where x > 0, else alpha * (e^x - 1) with expm1 (no cancellation near 0). */
static inline float edgediff_elu(float x, float alpha) {
    return x > 0.0f ? x : alpha * expm1f(x);
}

/* x where x > 0, else slope * x (one rounding: the product). */
static inline float edgediff_leaky_relu(float x, float slope) {
    return x > 0.0f ? x : x * slope;
}

/* min(max(x, lo), hi) as torch: NaN stays NaN (comparisons with NaN are false, unlike
 * fminf/fmaxf, which would drop it), and lo > hi gives hi. */
static inline float edgediff_clamp(float x, float lo, float hi) {
    x = x < lo ? lo : x;
    return x > hi ? hi : x;
}

#endif /* EDGEDIFF_ELEMENTWISE_MATH_H */
