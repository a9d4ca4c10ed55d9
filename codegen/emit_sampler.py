"""C emitter for the on-device sampler: sampler.h (always) and sampler.c (with a plan).

The sampler runs the model once per step of a fixed plan (sdk/diffusion/sampling.py: the
model's time input was turned into a step index by passes/tabulate_time.py) and applies
the plan's update in float32, in the order the host sampler computes it. The state lives
in the caller's input buffer and the model output in the caller's output buffer, so the
sampler adds no RAM beyond the model's own arena. Builds without a plan get a header that
says so (MODEL_SAMPLER_STEPS 0), which the firmware checks at compile time.
"""

from __future__ import annotations

from dataclasses import dataclass

from codegen.emit_c import HEADER_NOTE, c_float
from codegen.emit_sampler_tabulated import NO_CONTRACTION, tabulated_source
from codegen.ir import Graph
from codegen.passes.tabulate_time import STEP_INPUT

# The per-element update of each (kind, prediction), over x (state), o (model output) and
# the step's coefficients c[0..3]; see sdk/diffusion/sampling.py.
UPDATES = {
    ("ddim", "v"): ["const float x0 = sampler_clip(c[0] * x[i] - c[1] * o[i]);",
                    "const float eps = c[1] * x[i] + c[0] * o[i];",
                    "x[i] = c[2] * x0 + c[3] * eps;"],
    ("ddim", "eps"): ["const float x0 = sampler_clip((x[i] - c[1] * o[i]) / c[0]);",
                      "x[i] = c[2] * x0 + c[3] * o[i];"],
    ("euler", "flow"): ["x[i] = x[i] + c[0] * o[i];"],
}


@dataclass
class EmittedSampler:
    header: str
    source: str | None  # None: no sampler in this build


def _header(steps: int, values: int) -> str:
    declaration = ("""
/* Run the whole sampler: x holds the initial noise (MODEL_SAMPLER_VALUES floats) and is
 * used as the state; out (the model's output 0) receives the sample, clipped to [-1, 1]. */
void model_sample(float *x, float *out);
""" if steps else "")
    return HEADER_NOTE + f"""#ifndef EDGEDIFF_SAMPLER_H
#define EDGEDIFF_SAMPLER_H

#define MODEL_SAMPLER_STEPS {steps}
#define MODEL_SAMPLER_VALUES {values}u
{declaration}
#endif /* EDGEDIFF_SAMPLER_H */
"""


def sampler_io(graph: Graph) -> tuple[int, int]:
    """(index of the state input x, values in x) of a sampler build's graph."""
    if STEP_INPUT not in graph.inputs or len(graph.outputs) != 1:
        raise ValueError("a sampler build needs a step input (passes/tabulate_time.py) and one output")
    x_input = next(i for i, name in enumerate(graph.inputs) if name != STEP_INPUT)
    values = graph.tensors[graph.inputs[x_input]].numel
    if graph.tensors[graph.outputs[0]].numel != values or len(graph.inputs) != 2:
        raise ValueError("a sampler build needs inputs (x, step) and an output shaped like x")
    return x_input, values


def emit_sampler(graph: Graph, plan=None) -> EmittedSampler:
    """plan: a SamplerPlan (kind, prediction, coefficients), or None for a plain model."""
    if plan is None:
        return EmittedSampler(_header(0, 0), None)
    x_input, values = sampler_io(graph)
    if plan.kind == "tabulated":
        return EmittedSampler(_header(plan.steps, values), tabulated_source(plan, x_input))
    update = UPDATES.get((plan.kind, plan.prediction))
    if update is None:
        raise ValueError(f"no on-device sampler for {plan.kind} with {plan.prediction}-prediction")
    rows = ",\n".join("    {" + ", ".join(c_float(c) for c in coefficients) + "}"
                      for coefficients in plan.coefficients)
    body = "\n".join("            " + line for line in update)
    source = HEADER_NOTE + f"""/* {plan.kind} sampler, {plan.prediction}-prediction, {plan.steps} steps. */
#include <stdint.h>

#include "model.h"
#include "sampler.h"

{NO_CONTRACTION}
/* Per step: the update's coefficients (sdk/diffusion/sampling.py names them). */
static const float sampler_coefficients[MODEL_SAMPLER_STEPS][4] = {{
{rows}
}};

static inline float sampler_clip(float v)
{{
    return v < -1.0f ? -1.0f : (v > 1.0f ? 1.0f : v);
}}

void model_sample(float *x, float *out)
{{
    for (int32_t step = 0; step < MODEL_SAMPLER_STEPS; ++step) {{
        const float index = (float)step;
        const float *inputs[2];
        inputs[{x_input}] = x;
        inputs[{1 - x_input}] = &index;
        float *outputs[1] = {{out}};
        model_run_v(inputs, outputs);
        const float *c = sampler_coefficients[step];
        const float *o = out;
        for (uint32_t i = 0; i < MODEL_SAMPLER_VALUES; ++i) {{
{body}
        }}
    }}
    for (uint32_t i = 0; i < MODEL_SAMPLER_VALUES; ++i) {{
        out[i] = sampler_clip(x[i]);
    }}
}}
"""
    return EmittedSampler(_header(plan.steps, values), source)
