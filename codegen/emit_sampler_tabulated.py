"""C for a "tabulated" sampler: a diffusers scheduler's steps as rows of coefficients
(sdk/diffusion/scheduler_plan.py reads them off the scheduler; sdk/diffusion/sampling.py
names them). Per step k and element i:

    x_in = s_in·x                       (into a buffer of its own, only if some s_in ≠ 1)
    o    = model(x_in, k)
    x'   = A·x + D·o + B·clip(cx·x + co·o) + Σ_j P_j·x_{k−j} + Q_j·o_{k−j}

The previous states and outputs a multistep solver reads are kept in static buffers (zeroed
at the start of every sample: a step with no predecessor has zero coefficients there). The
initial noise is scaled by the scheduler's init_noise_sigma first; the sample is the final
state, clipped only if the plan says so.
"""

from __future__ import annotations

from codegen.emit_c import HEADER_NOTE, c_float

# The update is float32 arithmetic that a host twin repeats (an int8 build's samples are
# checked bit for bit, sdk/verify/int8_sampler.py): no product may be fused with a sum, which
# clang does by default (fmadd.s on rv32) and GCC in its GNU modes. Both samplers start so.
NO_CONTRACTION = """#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
"""

FIXED = 7  # s_in, cx, co, clip, A, B, D (ROW_FIELDS in sdk/diffusion/sampling.py)


def tabulated_source(plan, x_input: int) -> str:
    history = plan.history
    width = FIXED + 2 * history
    rows = ",\n".join("    {" + ", ".join(c_float(c) for c in row) + "}" for row in plan.coefficients)
    scaled = any(row[0] != 1.0 for row in plan.coefficients)
    estimate = any(row[5] != 0.0 for row in plan.coefficients)
    buffers, prologue, per_element = [], [], []
    if scaled:
        buffers.append("static float sampler_in[MODEL_SAMPLER_VALUES];")
    if history:
        buffers += [f"static float sampler_past_x[{history}][MODEL_SAMPLER_VALUES];",
                    f"static float sampler_past_o[{history}][MODEL_SAMPLER_VALUES];"]
        prologue.append(f"""    for (int32_t j = 0; j < {history}; ++j) {{
        for (uint32_t i = 0; i < MODEL_SAMPLER_VALUES; ++i) {{
            sampler_past_x[j][i] = 0.0f;
            sampler_past_o[j][i] = 0.0f;
        }}
    }}""")
    if plan.init_sigma != 1.0:
        prologue.append(f"""    for (uint32_t i = 0; i < MODEL_SAMPLER_VALUES; ++i) {{
        x[i] = x[i] * {c_float(plan.init_sigma)};
    }}""")
    per_element.append("float next = c[4] * x[i] + c[6] * o[i];")
    if estimate:
        per_element += ["if (c[5] != 0.0f) {",
                        "    float x0 = c[1] * x[i] + c[2] * o[i];",
                        "    if (c[3] > 0.0f) {",
                        "        x0 = x0 < -c[3] ? -c[3] : (x0 > c[3] ? c[3] : x0);",
                        "    }",
                        "    next += c[5] * x0;",
                        "}"]
    if history:
        per_element += [f"for (int32_t j = 0; j < {history}; ++j) {{",
                        f"    next += c[{FIXED} + 2 * j] * sampler_past_x[j][i]"
                        f" + c[{FIXED + 1} + 2 * j] * sampler_past_o[j][i];",
                        "}",
                        f"for (int32_t j = {history - 1}; j > 0; --j) {{",
                        "    sampler_past_x[j][i] = sampler_past_x[j - 1][i];",
                        "    sampler_past_o[j][i] = sampler_past_o[j - 1][i];",
                        "}",
                        "sampler_past_x[0][i] = x[i];",
                        "sampler_past_o[0][i] = o[i];"]
    per_element.append("x[i] = next;")
    body = "\n".join("            " + line for line in per_element)
    model_input = ("""        for (uint32_t i = 0; i < MODEL_SAMPLER_VALUES; ++i) {
            sampler_in[i] = c[0] * x[i];
        }
""" if scaled else "")
    final = "x[i] < -1.0f ? -1.0f : (x[i] > 1.0f ? 1.0f : x[i])" if plan.clip_final else "x[i]"
    return HEADER_NOTE + f"""/* Tabulated sampler: {plan.scheduler or 'a scheduler'}, {plan.prediction} prediction,
 * {plan.steps} steps, {history} previous step(s) kept. */
#include <stdint.h>

#include "model.h"
#include "sampler.h"

{NO_CONTRACTION}
/* Per step: s_in, cx, co, clip, A, B, D, then (P_j, Q_j) per previous step. */
static const float sampler_rows[MODEL_SAMPLER_STEPS][{width}] = {{
{rows}
}};
{chr(10).join(buffers)}

void model_sample(float *x, float *out)
{{
{chr(10).join(prologue)}
    for (int32_t step = 0; step < MODEL_SAMPLER_STEPS; ++step) {{
        const float *c = sampler_rows[step];
        const float index = (float)step;
{model_input}        const float *inputs[2];
        inputs[{x_input}] = {'sampler_in' if scaled else 'x'};
        inputs[{1 - x_input}] = &index;
        float *outputs[1] = {{out}};
        model_run_v(inputs, outputs);
        const float *o = out;
        for (uint32_t i = 0; i < MODEL_SAMPLER_VALUES; ++i) {{
{body}
        }}
    }}
    for (uint32_t i = 0; i < MODEL_SAMPLER_VALUES; ++i) {{
        out[i] = {final};
    }}
}}
"""
