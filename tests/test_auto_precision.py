"""`--precision auto`: HAWQ-V2 sensitivities (sdk/compress/sensitivity.py) and the budgeted
choice of FP32/FP16/int8 per layer (sdk/compile/auto_precision.py)."""

from __future__ import annotations

import json
import tomllib

import numpy as np
import pytest
import torch

from sdk.compile.auto_precision import Budget, Move, assignment, choose, measured_rel_error, moves, order
from sdk.compile.manifest import load_manifest
from sdk.compress.sensitivity import HALF_UNIT_ROUNDOFF, LayerSensitivity, Sensitivities, estimate
from sdk.errors import UserError
from sdk.models import load_model
from sdk.models.spec import ModelSpec, gaussian_sampler
from sdk.report.strict_json import read_json
from tests.helpers.cli import sdk


@pytest.mark.unit
@pytest.mark.parametrize("text, ram, flash", [("ram=96K", 96 * 1024, None), ("flash=1.5M", None, 1572864),
                                              ("ram=1000,flash=2KB", 1000, 2000), ("flash=512KiB", None, 524288)])
def test_budget_parses_sizes(text, ram, flash):
    assert Budget.parse(text) == Budget(ram=ram, flash=flash)
    assert Budget.parse(str(Budget.parse(text))) == Budget.parse(text)  # as precision.toml records it


@pytest.mark.unit
@pytest.mark.parametrize("text", ["", "ram", "ram=", "ram=12Q", "stack=4K", "ram=-1"])
def test_budget_refuses_what_it_cannot_read(text):
    with pytest.raises(UserError, match="--budget"):
        Budget.parse(text)


def _linear_spec(weight: torch.Tensor) -> ModelSpec:
    model = torch.nn.Linear(weight.shape[1], weight.shape[0], bias=False)
    with torch.no_grad():
        model.weight.copy_(weight)
    example = (torch.randn(1, weight.shape[1]),)
    return ModelSpec(name="linear", module=model.eval(), example_inputs=example,
                     sample_inputs=gaussian_sampler(example))


@pytest.mark.unit
def test_sensitivity_of_a_linear_layer_is_the_exact_gauss_newton_weighting():
    """y = W x: ∂y_i/∂W_ij = x_j, so (Jᵀu)_ij = u_i x_j and its square is x_j² for every
    Rademacher u: Hutchinson's estimate is exact, and Ω(fp16) must be Σ_ij x_j² (W_ij −
    fp16(W_ij))² for the weights and Σ_i (2⁻¹¹ y_i)² / 3 for the output (J_y = I)."""
    torch.manual_seed(0)
    weight = torch.randn(6, 5)
    spec = _linear_spec(weight)
    inputs = spec.sample_inputs(3, 7)
    sens = estimate(spec, inputs, probes=2)
    (layer,) = sens.layers.values()
    x = torch.cat([i[0] for i in inputs]).double()
    w_err = (weight - weight.half().float()).double() ** 2
    expected_w = float(((x ** 2) @ w_err.T).sum()) / len(inputs)
    y = x @ weight.double().T
    expected_a = float(((HALF_UNIT_ROUNDOFF * y) ** 2 / 3).sum()) / len(inputs)
    assert layer.weights["fp16"] == pytest.approx(expected_w, rel=1e-5)
    assert layer.activation["fp16"] == pytest.approx(expected_a, rel=1e-5)
    assert layer.weight_elements == weight.numel() and layer.output_elements == 6


@pytest.mark.unit
def test_int8_sensitivity_of_a_linear_layer_is_the_exact_weighting_of_int8_rounding():
    """The same layer in int8: the weights round per output row to max |w_i| / 127 (exact error
    weighted by x_j²), the output to the step of its range over the inputs, (max − min) / 255
    with 0 inside, whose error is uniform: E[δ²] = s² / 12 for each of its elements."""
    torch.manual_seed(1)
    weight = torch.randn(6, 5)
    spec = _linear_spec(weight)
    inputs = spec.sample_inputs(3, 8)
    (layer,) = estimate(spec, inputs, probes=2).layers.values()
    x = torch.cat([i[0] for i in inputs]).double()
    w = weight.double()
    scale = w.abs().amax(dim=1, keepdim=True) / 127
    w_err = (w - torch.round(w / scale) * scale) ** 2
    expected_w = float(((x ** 2) @ w_err.T).sum()) / len(inputs)
    y = x @ w.T
    step = (max(float(y.max()), 0.0) - min(float(y.min()), 0.0)) / 255
    assert layer.weights["int8"] == pytest.approx(expected_w, rel=1e-5)
    assert layer.activation["int8"] == pytest.approx(6 * step ** 2 / 12, rel=1e-5)


def _sens(**omegas) -> Sensitivities:
    """Layers of 10 weight + 10 output elements with the given (Ω fp16, Ω int8)."""
    layers = {name: LayerSensitivity(name, 10, 10, activation={"fp16": o16, "int8": o8})
              for name, (o16, o8) in omegas.items()}
    return Sensitivities(layers, inputs=1, probes=1, output_elements=1, output_scale=1.0)


class _Node:
    def __init__(self, name):
        self.name = name


class _Graph:
    def __init__(self, *names):
        self.nodes = [_Node(n) for n in names]


@pytest.mark.unit
def test_moves_take_the_cheapest_loss_per_byte_first_and_fp16_before_int8():
    """a: int8 costs little more than FP16, so straight to int8 (3 bytes per element at once);
    b: int8 costs far more than FP16, so FP16 first and int8 only after cheaper steps;
    c: no int8 form, FP16 only."""
    sens = _sens(a=(1.0, 1.2), b=(0.5, 30.0), c=(2.0, 0.0))
    steps = moves(sens, _Graph("a", "b", "c"), int8={"a", "b"})
    assert [(m.layer, m.precision) for m in steps] == [("b", "fp16"), ("a", "int8"), ("c", "fp16"), ("b", "int8")]
    assert steps[0].cost == pytest.approx(0.5 / 40) and steps[1].cost == pytest.approx(1.2 / 60)
    assert steps[3].cost == pytest.approx(29.5 / 20)
    assert assignment(steps, 2) == {"b": "fp16", "a": "int8"}
    assert assignment(steps, 4) == {"b": "int8", "a": "int8", "c": "fp16"}
    assert all(isinstance(m, Move) for m in steps)


@pytest.mark.unit
@pytest.mark.slow
def test_the_least_sensitive_half_in_fp16_costs_less_than_the_most_sensitive_half():
    """The order is the point: rounding the half of the layers the sensitivities call cheapest
    must measure better (lowered graph in numpy vs torch) than rounding the other half."""
    from sdk.compile.auto_precision import _Lowering
    from codegen.passes import PrecisionPolicy

    spec = load_model("unet")
    inputs = spec.sample_inputs(4, 11)
    sens = estimate(spec, inputs, probes=4)
    lowering = _Lowering(spec, [])
    graph, _ = lowering(PrecisionPolicy("fp32"))
    names = order(sens, graph)
    # halves of equal bytes saved, so the comparison is of sensitivity, not of size
    saved = np.cumsum([2 * (sens.layers[n].weight_elements + sens.layers[n].output_elements) for n in names])
    cut = int(np.searchsorted(saved, saved[-1] / 2))
    errors = []
    for half in (names[:cut], names[cut:]):
        graph, _ = lowering(PrecisionPolicy("fp32", {n: "fp16" for n in half}))
        errors.append(measured_rel_error(spec, graph, inputs, sens.output_scale))
    assert errors[0] < errors[1], errors


@pytest.mark.unit
@pytest.mark.slow
def test_choose_rounds_only_what_the_budget_needs():
    """With fake sizes (flash = a fixed overhead + the weights' bytes), the choice is the
    shortest prefix of the order that fits, and its flash is within the budget."""
    from sdk.compile.auto_precision import weight_bytes

    spec = load_model("dncnn")
    def sizes(graph, plan):
        return {"flash": 10_000 + weight_bytes(graph), "ram": plan.arena_bytes}

    budget = Budget(flash=10_000 + 3 * fp32_weights_of(spec) // 4)
    choice = choose(spec, [], budget, sizes, int8=False)
    assert choice.sizes["flash"] <= budget.flash
    assert 0 < len(choice.fp16_layers) < choice.candidates
    # one layer fewer would not have fitted
    from sdk.compile.auto_precision import _Lowering
    from codegen.passes import PrecisionPolicy
    graph, _ = _Lowering(spec, [])(PrecisionPolicy("fp32", {n: "fp16" for n in choice.fp16_layers[:-1]}))
    assert 10_000 + weight_bytes(graph) > budget.flash
    assert choice.measured_rel_error > 0 and choice.predicted_rel_error > 0
    config = tomllib.loads(choice.config_toml())
    assert config["default"] == "fp32" and sorted(config["layers"]) == sorted(choice.fp16_layers)


@pytest.mark.unit
@pytest.mark.slow
def test_a_budget_fp16_cannot_meet_takes_int8_layers_and_no_more_than_it_needs():
    """Below the all-FP16 weights, some layers must be int8; the assignment one move shorter
    (same order) would not have fitted; the lowered mixed graph is near torch."""
    from codegen.passes import PrecisionPolicy
    from sdk.compile.auto_precision import _Lowering, int8_candidates, weight_bytes
    from sdk.compress.sensitivity import estimate as sensitivities
    from sdk.compile.auto_precision import CALIBRATION_INPUTS, CALIBRATION_SEED, PROBES

    spec = load_model("dncnn")
    def sizes(graph, plan):
        return {"flash": 10_000 + weight_bytes(graph), "ram": plan.arena_bytes}

    budget = Budget(flash=10_000 + 3 * fp32_weights_of(spec) // 8)  # FP16 weights need 4/8
    choice = choose(spec, [], budget, sizes)
    assert choice.sizes["flash"] <= budget.flash and choice.int8_layers
    lowering = _Lowering(spec, [], int8=True)
    graph, _ = lowering(PrecisionPolicy("fp32"))
    sens = sensitivities(spec, spec.sample_inputs(CALIBRATION_INPUTS, CALIBRATION_SEED), probes=PROBES)
    steps = moves(sens, graph, int8_candidates(graph))
    k = next(k for k in range(len(steps) + 1) if assignment(steps, k) == choice.layers)
    shorter, _ = lowering(PrecisionPolicy("fp32", assignment(steps, k - 1)))
    assert 10_000 + weight_bytes(shorter) > budget.flash
    assert 0 < choice.measured_rel_error < 0.05
    config = tomllib.loads(choice.config_toml())
    assert config["layers"] == choice.layers


def fp32_weights_of(spec: ModelSpec) -> int:
    return sum(p.numel() * 4 for p in spec.module.parameters())


@pytest.mark.unit
@pytest.mark.slow
def test_a_budget_nothing_fits_says_by_how_much():
    spec = load_model("dncnn")
    with pytest.raises(UserError, match=r"no FP32/FP16/int8 assignment fits --budget flash=1000: .* flash [\d,]+ B "
                                        r"\([\d,]+ B over\); raise the budget to at least flash="):
        choose(spec, [], Budget(flash=1000), lambda graph, plan: {"flash": 20_000, "ram": 0})


@pytest.mark.kernel
@pytest.mark.slow
def test_auto_build_fits_its_budget_and_records_the_choice(capsys, tmp_path):
    """A real rv32 build of the zoo unet that does not fit in FP32: auto rounds some layers,
    the linked image fits, and precision.toml rebuilds the same image."""
    code, out = sdk(capsys, "--build-dir", tmp_path, "build", "--target", "rv32", "--model", "unet")
    assert code == 0, out
    fp32 = load_manifest("rv32", tmp_path)
    flash = fp32.flash_bytes - 40_000  # FP16 weights of a few layers save this much
    code, out = sdk(capsys, "--build-dir", tmp_path, "build", "--target", "rv32", "--model", "unet",
                    "--precision", "auto", "--budget", f"flash={flash}")
    assert code == 0, out
    m = load_manifest("rv32", tmp_path)
    assert m.flash_bytes <= flash < fp32.flash_bytes
    fp16 = m.auto_precision["fp16_layers"]
    assert fp16 and len(fp16) < m.auto_precision["candidates"]
    built = {layer["name"]: layer["dtype"] for layer in m.layers}
    assert any(name in built for name in fp16)
    assert all(built[name] == "f16" for name in fp16 if name in built)
    assert "--precision auto: unet on rv32" in out and (tmp_path / "rv32" / "precision.toml").is_file()
    code, out = sdk(capsys, "--build-dir", tmp_path / "again", "build", "--target", "rv32", "--model", "unet",
                    "--precision-config", tmp_path / "rv32" / "precision.toml")
    assert code == 0, out
    assert load_manifest("rv32", tmp_path / "again").model_hash == m.model_hash


@pytest.mark.unit
@pytest.mark.parametrize("argv, message", [
    (["--precision", "auto"], "--precision auto needs --budget"),
    (["--budget", "ram=96K"], "--budget is for --precision auto"),
    (["--precision", "fp16", "--budget", "ram=96K"], "--budget is for --precision auto"),
    (["--precision", "auto", "--budget", "disk=1K"], "--budget 'disk=1K'"),
])
def test_auto_options_are_checked_before_anything_runs(capsys, tmp_path, argv, message):
    code, out = sdk(capsys, "--build-dir", tmp_path, "build", "--target", "rv32", "--model", "unet", *argv)
    assert code == 2 and message in out and "Traceback" not in out
    assert not (tmp_path / "rv32").exists()


@pytest.fixture(scope="module")
def mixed_build(tmp_path_factory):
    """zoo dncnn on rv32 under a RAM budget halfway between its int8 and FP16 images: FP16
    does not fit, so auto must put layers in int8 (a float build with int8 layers)."""
    from codegen.passes import PrecisionPolicy
    from sdk.compile.build import build

    root = tmp_path_factory.mktemp("mixed")
    need = {}
    for precision in ("fp16", "int8"):
        m = build("dncnn", "rv32", root / precision, PrecisionPolicy(precision))
        need[precision] = m.ram_bytes + m.stack_bytes  # what the budget counts: static + stack reserved
    budget = (need["fp16"] + need["int8"]) // 2
    return root / "auto", budget, need, build("dncnn", "rv32", root / "auto", budget=Budget(ram=budget))


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_auto_under_a_ram_budget_fp16_cannot_meet_builds_int8_layers_and_validates(capsys, mixed_build, tmp_path):
    root, budget, need, m = mixed_build
    assert need["fp16"] > budget and m.ram_bytes + m.stack_bytes <= budget
    assert m.auto_precision["int8_layers"] and m.int8_noise["roundings"] > 0
    assert any(layer["dtype"] == "i8" for layer in m.layers) and any(layer["dtype"] == "f32" for layer in m.layers)
    code, out = sdk(capsys, "--build-dir", root, "validate", "--target", "rv32", "--emulator",
                    "--samples", 4, "--json", tmp_path / "v.json", "--png", tmp_path / "v.png")
    assert code == 0, out
    report = read_json(tmp_path / "v.json")
    assert report["passed"] is True and report["int8_reference"] is None  # within a tolerance, not bit for bit
    assert 1e-4 < report["max_rel_error"] <= report["tolerance_rel"]
    from sdk.verify.tolerance import output_tolerance
    assert report["tolerance_rel"] > output_tolerance(m.layers)  # the int8 roundings' share is in it


@pytest.mark.unit
def test_int8_noise_is_five_sigma_of_the_roundings_in_output_steps():
    """L roundings of rms step/√12 each, relative to their ranges, carried to the output's
    step (range / 255, widened to hold 0): 5·step·√(L/12); it adds to every sampler call."""
    from sdk.verify.tolerance import int8_noise, sample_tolerance

    assert int8_noise(None) == 0.0
    assert int8_noise({"roundings": 12, "output_range": [0.5, 2.55]}) == pytest.approx(5 * 0.01 * 1.0)
    assert int8_noise({"roundings": 3, "output_range": [-1.0, 1.55]}) == pytest.approx(5 * 0.01 * 0.5)

    class Plan:
        kind, prediction, coefficients = "euler", "epsilon", [(2.0, 0, 0, 0), (0.5, 0, 0, 0)]
    layers = [{"dtype": "f32", "accumulation_dtype": "f32", "accumulation": 9}]
    assert sample_tolerance(layers, Plan, [1.0, 4.0], noise=0.1) == pytest.approx(
        2.0 * (1e-4 * 1.0 + 0.1) + 0.5 * (1e-4 * 4.0 + 0.1))


TIMED_NET = """
import torch
from torch import nn

torch.manual_seed(0)


class Timed(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.time = nn.Linear(1, 4)
        self.out = nn.Conv2d(4, 1, 3, padding=1)

    def forward(self, x, t):
        return self.out(self.conv(x) + self.time(t.reshape(1, 1)).reshape(1, 4, 1, 1))


model = Timed().eval()
example_input = (torch.randn(1, 1, 6, 6), torch.tensor([3.0]))
time_steps = 10
"""


@pytest.mark.kernel
@pytest.mark.slow
def test_naming_a_time_layer_that_int8_turns_into_tables_is_not_refused(capsys, tmp_path):
    """With int8 layers and integer timesteps the time path becomes tables, so a layer of it
    named in the policy (as --precision auto names it) is gone from the built graph: that is
    not a typo, and the build goes on; a name no layer ever had is still refused."""
    model = tmp_path / "timed.py"
    model.write_text(TIMED_NET)
    config = tmp_path / "p.toml"
    config.write_text('default = "fp32"\n[layers]\n"linear" = "fp16"\n"conv2d" = "int8"\n"add" = "int8"\n"conv2d_1" = "int8"\n')
    code, out = sdk(capsys, "--build-dir", tmp_path, "build", "--target", "rv32", "--model", model,
                    "--precision-config", config)
    assert code == 0, out
    built = {layer["name"] for layer in load_manifest("rv32", tmp_path).layers}
    assert "linear" not in built and "conv2d" in built
    config.write_text('default = "fp32"\n[layers]\n"linaer" = "fp16"\n"conv2d" = "int8"\n')
    code, out = sdk(capsys, "--build-dir", tmp_path / "typo", "build", "--target", "rv32", "--model", model,
                    "--precision-config", config)
    assert code == 2 and "precision overrides match no layer: linaer" in out
