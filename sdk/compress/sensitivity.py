"""How much each layer's rounding would cost the output: HAWQ-V2 sensitivities, estimated
with Hutchinson's method on the model's own calibration inputs.

The loss is the squared distance of the output from the FP32 model's, L = ½‖f(θ, a) − f₀‖²,
whose Hessian at the FP32 point is the Gauss–Newton matrix JᵀJ (the residual is zero there).
A rounding δ of a layer's weights or of its output activation then moves the loss by
½ δᵀ JᵀJ δ to first order, and for rounding errors that are independent between elements
that is ½ Σᵢ (JᵀJ)ᵢᵢ E[δᵢ²]: the Hessian's diagonal weighted by each element's rounding error.
Hutchinson's estimator gives that diagonal from backward passes alone: for a Rademacher
vector u over the output, E[(Jᵀu)ᵢ²] = (JᵀJ)ᵢᵢ, and one backward pass of uᵀf yields Jᵀu for
every weight and every intermediate activation at once (HAWQ-V2 uses the trace; the diagonal
weights each element by its own rounding, which matters for per-channel scales).

Ω(layer, precision) = Σ over its weights and output elements of diag(JᵀJ) · E[δ²] is the
expected increase of ‖f − f₀‖² (per input) when that layer alone is rounded; the layers'
contributions add (first order, independent roundings), so Σ Ω predicts the output error of
a whole assignment. The layers are the IR's node names (capture keeps torch.export's names),
the weights the IR's constant names (the parameters' qualified names).

E[δ²] per precision (codegen/passes/precision_policy.py names them):
- fp16: round to nearest binary16, error uniform within half an ulp: E[δ²] = (2⁻¹¹ |v|)² / 3,
  the model sdk/verify/tolerance.py uses for FP16 builds; weights: the exact error
  (w − fp16(w))²;
- int8 (codegen/passes/quantize_int8.py's arithmetic): an activation rounds to the step
  s = (max − min) / 255 of its range over these inputs (widened to hold 0), error uniform
  within half a step: E[δ²] = s² / 12 for every element; weights of two or more dimensions
  (conv, linear) round symmetrically per output channel to max |w_c| / 127: the exact error;
  vectors (biases: int32 at a far finer step; a norm's affine) count 0;
- fp32: 0 (the reference).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from codegen.capture import export_model
from sdk.models.spec import ModelSpec

HALF_UNIT_ROUNDOFF = 2.0 ** -11


@dataclass
class LayerSensitivity:
    """One node's estimated cost of rounding, per precision: `activation[p]` for its output,
    `weights[p]` for the constants it reads (summed). Units: squared output error per input."""
    name: str
    output_elements: int
    weight_elements: int
    activation: dict[str, float] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)

    def omega(self, precision: str) -> float:
        return self.activation.get(precision, 0.0) + self.weights.get(precision, 0.0)


@dataclass
class Sensitivities:
    layers: dict[str, LayerSensitivity]
    inputs: int
    probes: int
    output_elements: int
    output_scale: float  # max |f₀| over the calibration inputs

    def predicted_rel_error(self, assignment: dict[str, str]) -> float:
        """The RMS output error of an assignment (node -> precision; absent: fp32), relative
        to the output scale: sqrt(Σ Ω / output elements) / scale."""
        total = sum(self.layers[n].omega(p) for n, p in assignment.items() if n in self.layers)
        return float(np.sqrt(max(total, 0.0) / self.output_elements) / self.output_scale)


def _module_inputs(spec: ModelSpec, inputs: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
    """What the torch module takes: a sampler model's step index becomes its time (ModelSpec.reference)."""
    if spec.sampler is None:
        return inputs
    x, step = inputs
    example_t = spec.example_inputs[1]
    t = torch.tensor([spec.sampler.times[int(step.reshape(-1)[0])]]).to(example_t.dtype).reshape(example_t.shape)
    return x, t


class _Recorder(torch.fx.Interpreter):
    """Runs the exported graph keeping every floating-point node output, its gradient retained."""

    def __init__(self, gm: torch.fx.GraphModule):
        super().__init__(gm)
        self.values: dict[str, torch.Tensor] = {}

    def run_node(self, node: torch.fx.Node):
        result = super().run_node(node)
        if node.op == "call_function" and isinstance(result, torch.Tensor) and result.is_floating_point() \
                and result.requires_grad:
            result.retain_grad()
            self.values[node.name] = result
        return result


def _first_tensor(out):
    if isinstance(out, torch.Tensor):
        return out
    if isinstance(out, (tuple, list)):
        return next(o for o in out if isinstance(o, torch.Tensor))
    raise TypeError(f"the exported module returned {type(out).__name__}, not a tensor")


def fp16_error_sq(values: torch.Tensor) -> torch.Tensor:
    """E[δ²] of rounding each element of an activation to binary16."""
    return (HALF_UNIT_ROUNDOFF * values) ** 2 / 3.0


def int8_step(lo: float, hi: float) -> float:
    """TFLite's asymmetric int8 step for a range widened to hold 0 (quantize_int8.qparams)."""
    return (max(hi, 0.0) - min(lo, 0.0)) / 255.0


def _weight_error_sq(weight: torch.Tensor) -> dict[str, torch.Tensor]:
    w = weight.detach()
    errors = {"fp16": (w - w.half().float()) ** 2, "int8": torch.zeros_like(w)}
    if w.ndim >= 2:
        scale = w.abs().amax(dim=tuple(range(1, w.ndim)), keepdim=True) / 127.0
        scale = torch.where(scale > 0, scale, torch.ones_like(scale))
        errors["int8"] = (w - torch.clamp(torch.round(w / scale), -127, 127) * scale) ** 2
    return errors


def estimate(spec: ModelSpec, inputs: list[tuple[torch.Tensor, ...]], probes: int = 8,
             seed: int = 0, progress=None) -> Sensitivities:
    """Ω per node and precision over `inputs` (validation-style inputs: spec.sample_inputs),
    with `probes` Rademacher vectors per input. progress(k, total) is called per input."""
    gm = export_model(spec.module, spec.example_inputs).module()
    params = dict(gm.named_parameters())
    for p in params.values():
        p.requires_grad_(True)
    # which node reads which parameter: the get_attr nodes of the unlifted module
    readers: dict[str, list[str]] = {}
    for node in gm.graph.nodes:
        if node.op == "get_attr" and node.target in params:
            for user in node.users:
                readers.setdefault(user.name, []).append(node.target)
    gen = torch.Generator().manual_seed(seed)
    act_sum: dict[str, float] = {}
    act_trace: dict[str, float] = {}  # Σ diag(JᵀJ) over the output's elements, averaged over inputs
    act_range: dict[str, tuple[float, float]] = {}
    act_numel: dict[str, int] = {}
    w_diag = {name: torch.zeros_like(p) for name, p in params.items()}
    out_elements, scale = 0, 0.0
    for k, sample in enumerate(inputs):
        recorder = _Recorder(gm)
        out = _first_tensor(recorder.run(*_module_inputs(spec, sample)))
        out_elements, scale = out.numel(), max(scale, float(out.detach().abs().max()))
        values = recorder.values
        diag = {name: torch.zeros_like(v) for name, v in values.items()}
        for _ in range(probes):
            u = torch.randint(0, 2, out.shape, generator=gen).to(out.dtype) * 2 - 1
            grads = torch.autograd.grad(out, [*values.values(), *params.values()], grad_outputs=u,
                                        retain_graph=True, allow_unused=True)
            for name, g in zip(values, grads[:len(values)]):
                if g is not None:
                    diag[name] += g.detach() ** 2 / probes
            for name, g in zip(params, grads[len(values):]):
                if g is not None:
                    w_diag[name] += g.detach() ** 2 / (probes * len(inputs))
        for name, v in values.items():
            act_sum[name] = act_sum.get(name, 0.0) + float((diag[name] * fp16_error_sq(v.detach())).sum()) / len(inputs)
            act_trace[name] = act_trace.get(name, 0.0) + float(diag[name].sum()) / len(inputs)
            lo, hi = act_range.get(name, (0.0, 0.0))
            act_range[name] = (min(lo, float(v.detach().min())), max(hi, float(v.detach().max())))
            act_numel[name] = v.numel()
        if progress:
            progress(k + 1, len(inputs))
    layers = {}
    for name, total in act_sum.items():
        read = readers.get(name, [])
        errors = [(w_diag[p], _weight_error_sq(params[p])) for p in read]
        layers[name] = LayerSensitivity(
            name, act_numel[name], sum(params[p].numel() for p in read),
            activation={"fp16": total, "int8": act_trace[name] * int8_step(*act_range[name]) ** 2 / 12.0},
            weights={p: sum(float((d * e[p]).sum()) for d, e in errors) for p in ("fp16", "int8")})
    return Sensitivities(layers, len(inputs), probes, out_elements, max(scale, 1e-30))
