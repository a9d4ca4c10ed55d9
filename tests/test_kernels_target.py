"""Every kernel × precision × target: one firmware image per target and precision carries
all the cases of tests/kernel_cases.py, runs them once on the (emulated) board and sends
each result back over serial; each is checked against float64 numpy on the same stored
inputs with a bound derived from the arithmetic the selected kernel does. The 1-bit
convolutions (integer dot, fixed output rounding) must equal codegen/binary.py bit for bit,
and run the target's ISA kernel where it has one. The run and the bounds are in
tests/helpers/kernel_check.py."""

from __future__ import annotations

import pytest

from tests.helpers.kernel_check import case_failures, run_cases_for, target_precisions
from sdk.target import load_target
from tests.kernel_cases import kernel_case_graph

pytestmark = [pytest.mark.kernel, pytest.mark.hil, pytest.mark.slow]

# The binary_conv2d kernel each target must select (suffix of the reference's name).
BINARY_CONV_KERNEL = {"rv32": "_zbb", "rv32v": "_rvv", "cortex-m55": "_mve", "cortex-m4": "",
                      "host": "", "cortex-m7": "", "cortex-m33": ""}
# The sign_pack kernel each (target, dtype) must select; anything not listed: the reference.
SIGN_PACK_KERNEL = {("cortex-m55", "f16"): "_mve", ("rv32v", "f16"): "_rvv"}
BINARY_WEIGHT_CONV_KERNEL = {"rv32v": "_rvv", "cortex-m55": "_mve"}  # elsewhere: the reference
# The float kernels: every float case runs the ISA kernel (suffix) on these targets, and the
# reference elsewhere, except the cases that ISA's predicates refuse or it has no kernel for:
# PReLU, an add on [N, C] operands (rank 2) and, on MVE, ReLU.
# On a scalar FPU target (ISA feature "fpu" and no vector unit: rv32, cortex-m4, and
# cortex-m7/m33 once their target.toml lists it) the ISA kernel is the _fpu one, for the ops
# of FPU_OPS; the vector targets run it for the cases of FLOAT_FPU_CASES (their vector
# kernels refuse the shape); an upsampling that is not 2x keeps the reference everywhere.
FLOAT_ISA_KERNEL = {"rv32v": "_rvv", "cortex-m55": "_mve"}
# The scalar FPU targets run the `_fpu` kernel on the float cases whose shapes an fpu override
# takes (codegen/kernels/overrides/fpu.py; case -> the kernel's base name), the reference on
# the rest.
FPU_TARGETS = {"rv32", "cortex-m4", "cortex-m7", "cortex-m33"}
FPU_CASES = {"conv3x3": "conv2d", "conv3x3_odd": "conv2d", "conv3x3_wide_out": "conv2d",
             "conv3x3_s2": "conv2d", "conv1x1": "conv2d_1x1", "conv1x1_odd": "conv2d_1x1",
             "conv3x3_tail": "conv2d", "conv3x3_s2_odd": "conv2d", "conv3x3_narrow": "conv2d",
             "conv_depthwise": "conv2d_dw", "conv3x3_wide_in": "conv2d"}
FPU_OPS = {"linear", "group_norm", "silu", "add", "sub", "mul", "concat", "upsample_nearest2d"}
FLOAT_REFERENCE_CASES = {
    "rv32v": {"prelu", "prelu_shared", "prelu_shared_nc", "upsample_3x"},
    "cortex-m55": {"relu", "prelu", "prelu_shared", "prelu_shared_nc",
                   "upsample_3x"},
}
FLOAT_FPU_CASES = {"rv32v": {"add_channel_nc", "add_rows", "mul_col", "conv_depthwise"},
                   "cortex-m55": {"add_channel_nc", "mul_col", "conv_depthwise"}}


def _expected_float_kernel(target: str, node, dtype: str) -> str:
    """The function a float case must run on target (see the tables above)."""
    if target not in FLOAT_ISA_KERNEL and "fpu" in load_target(target).isa_features:
        fpu = node.op in FPU_OPS and node.name != "upsample_3x"
        return f"{node.op}_{dtype}{'_fpu' if fpu else ''}"
    if node.name in FLOAT_FPU_CASES.get(target, set()):
        return f"{FPU_CASES.get(node.name, node.op)}_{dtype}_fpu"
    isa = "" if node.name in FLOAT_REFERENCE_CASES.get(target, set()) else FLOAT_ISA_KERNEL.get(target, "")
    return f"{node.op}_{dtype}{isa}"


ONE_BIT_OPS = {"sign_pack", "binary_conv2d", "binary_weight_conv2d"}  # checked on their own below


@pytest.fixture(scope="module", params=target_precisions(), ids=lambda tp: f"{tp[0]}-{tp[1]}")
def results(request, tmp_path_factory):
    return run_cases_for(request, tmp_path_factory, kernel_case_graph, seed=1)


def test_every_case_matches_exact_arithmetic(results):
    failures = case_failures(results)
    assert not failures, "\n".join(failures)


def test_binary_convolutions_run_the_isa_kernel(results, request):
    target = request.node.callspec.params["results"][0]
    graph, _, dtype, functions, _ = results
    want = f"binary_conv2d_{dtype}{BINARY_CONV_KERNEL[target]}"
    ran = {n.name: functions[n.name] for n in graph.nodes if n.op == "binary_conv2d"}
    assert ran and set(ran.values()) == {want}, ran
    want = f"sign_pack_{dtype}{SIGN_PACK_KERNEL.get((target, dtype), '')}"
    ran = {n.name: functions[n.name] for n in graph.nodes if n.op == "sign_pack"}
    assert ran and set(ran.values()) == {want}, ran
    # W1A16: the SIMD conv's shapes take the override; a strided 1x1 stays on the reference.
    isa = BINARY_WEIGHT_CONV_KERNEL.get(target, "")
    ran = {n.name: functions[n.name] for n in graph.nodes if n.op == "binary_weight_conv2d"}
    want = {name: f"binary_weight_conv2d_{dtype}{'' if name == 'bwconv1x1_s2' else isa}" for name in ran}
    assert ran and ran == want, ran


def test_float_cases_run_the_isa_kernel(results, request):
    """Which float kernel each case ran, as the build recorded it: on cortex-m55 the MVE
    kernels and on rv32v the RVV kernels wherever their predicates take the shape (the
    scalar FPU kernels where they do not), on the scalar FPU targets the _fpu kernels, the
    portable reference on targets without float ISA kernels."""
    target = request.node.callspec.params["results"][0]
    graph, _, dtype, functions, _ = results
    ran = {n.name: functions[n.name] for n in graph.nodes if n.op not in ONE_BIT_OPS}
    want = {n.name: _expected_float_kernel(target, n, dtype)
            for n in graph.nodes if n.op not in ONE_BIT_OPS}
    if target in FPU_TARGETS:
        want = {name: f"{FPU_CASES[name]}_{dtype}_fpu" if name in FPU_CASES else kernel
                for name, kernel in want.items()}
    assert len(ran) >= 20 and FLOAT_REFERENCE_CASES.get(target, set()) <= set(ran), sorted(ran)
    assert ran == want, {name: (ran[name], want[name]) for name in ran if ran[name] != want[name]}
