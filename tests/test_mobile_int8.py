"""int8 TFLite: diffusion-aware calibration, what stays float, concat scales, LiteRT against
TFLite Micro bit for bit, and the int8 error against torch within a derived bound."""

from __future__ import annotations

import math
from collections import Counter

import litert_torch
import numpy as np
import pytest
import torch
from ai_edge_litert.interpreter import Interpreter

from sdk.diffusion.device_model import trajectory_states
from sdk.diffusion.train import TeacherConfig, save_checkpoint
from sdk.errors import UserError
from sdk.quant.calibration import calibration_inputs
from sdk.mobile.int8 import LiteRT, dequantize_outputs, quantize_inputs, quantize_tflite
from sdk.mobile.step import StepFunction, example_inputs
from sdk.mobile.tflm import run_tflite_micro
from sdk.models import load_model

pytestmark = [pytest.mark.unit, pytest.mark.slow]  # converters and runtimes: seconds each

STEPS = 4
# docs/MOBILE_INT8.md: the time path (a function of the step index alone) and the
# QUANTIZE that hands its result to the int8 body.
FLOAT_OPS = ["CONCATENATION", "COS", "FULLY_CONNECTED", "GATHER_ND", "LOGISTIC", "MUL",
             "QUANTIZE", "RESHAPE", "SIN"]

MOVES_BYTES = {"RESHAPE", "TRANSPOSE", "PAD", "RESIZE_NEAREST_NEIGHBOR", "CONCATENATION"}


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    """An untrained width-8 student with a 4-step sampler: arithmetic, not quality."""
    torch.manual_seed(0)
    config = TeacherConfig(width=8, mults=[1, 2], emb_dim=16, groups=4, prediction="v")
    path = tmp_path_factory.mktemp("int8") / "student_4steps.pt"
    return load_model(str(save_checkpoint(path, config, config.make_model(), "student",
                                          sampling_steps=STEPS)))


@pytest.fixture(scope="module")
def quantized(spec, tmp_path_factory):
    root = tmp_path_factory.mktemp("tflite")
    litert_torch.convert(StepFunction(spec).eval(), example_inputs(spec)).export(str(root / "f.tflite"))
    path = root / "int8.tflite"
    return path, quantize_tflite(root / "f.tflite", calibration_inputs(spec, 32, seed=0), path)


def test_calibration_is_uniform_over_the_steps_and_on_the_sampler_trajectories(spec):
    inputs = calibration_inputs(spec, 10, seed=3)
    assert len(inputs) == 12 and Counter(int(s[0]) for _, s in inputs) == {k: 3 for k in range(STEPS)}
    assert all(x.dtype == np.float32 and s.dtype == np.int32 and s.shape == (1,) for x, s in inputs)
    gen = torch.Generator().manual_seed(3)
    for x, s in inputs:
        noise = torch.randn(x.shape, generator=gen)
        state = trajectory_states(spec.module, spec.sampler, noise, int(s[0])).numpy()
        np.testing.assert_array_equal(x, state)
        assert (int(s[0]) == 0) == np.array_equal(x, noise.numpy())


def _tensors(path):
    interp = Interpreter(str(path))
    return interp, {t["index"]: t for t in interp.get_tensor_details()}, interp._get_ops_details()


def _image_cone(interp, ops) -> dict[int, int]:
    """Tensors computed from the image input → ops that round (not the ones that only move
    bytes) on the longest path to them."""
    depth = {interp.get_input_details()[0]["index"]: 0}
    for op in ops:
        seen = [depth[i] for i in op["inputs"] if i in depth]
        for o in op["outputs"] if seen else []:
            depth[o] = max(seen) + (op["op_name"] not in MOVES_BYTES)
    return depth


def test_everything_the_image_flows_through_is_int8(quantized):
    path, summary = quantized
    assert summary["float_ops"] == FLOAT_OPS
    interp, tensors, ops = _tensors(path)
    assert {tensors[i]["dtype"] for i in _image_cone(interp, ops)} == {np.int8}
    assert [d["dtype"] for d in summary["io"]["inputs"]] == ["int8", "int32"]
    assert [d["dtype"] for d in summary["io"]["outputs"]] == ["int8"]
    convs = [op for op in ops if op["op_name"] in ("CONV_2D", "DEPTHWISE_CONV_2D")]
    assert summary["ops"]["CONV_2D"] >= 10
    for op in convs:  # per-channel int8 weights (the output conv has one channel)
        weights = tensors[op["inputs"][1]]
        channels = weights["shape"][3 if op["op_name"] == "DEPTHWISE_CONV_2D" else 0]
        assert weights["dtype"] == np.int8
        assert len(weights["quantization_parameters"]["scales"]) == channels


def test_skip_concat_inputs_keep_their_own_scales_and_are_requantized_for_the_kernel(quantized):
    concats = quantized[1]["concat_scales"]
    assert len(concats) == 2  # the up path's two skips; the time path's concat is float
    for c in concats:
        # TFLite's and TFLite Micro's int8 CONCATENATION refuse operands at another scale.
        assert c["operands"] == [c["output_scale"]] * 2
        assert c["inputs"][0] != c["inputs"][1]
        assert min(c["inputs"]) < c["output_scale"]  # the narrower input kept its resolution


def test_litert_reference_kernels_and_tflite_micro_agree_bit_for_bit(spec, quantized):
    path, summary = quantized
    litert = LiteRT(path)
    inputs = [quantize_inputs(summary["io"], x) for x in calibration_inputs(spec, 4, seed=11)]
    rng = np.random.default_rng(0)
    inputs += [(rng.integers(-128, 128, (1, 1, 16, 16), dtype=np.int8), np.array([k], np.int32))
               for k in (0, STEPS - 1)]
    for x in inputs:
        ours, micro = litert(x), run_tflite_micro(path, x)
        assert len(ours) == len(micro) == 1 and ours[0].dtype == micro[0].dtype == np.int8
        np.testing.assert_array_equal(ours[0], micro[0])


def test_int8_error_against_torch_is_within_the_rounding_noise_bound(spec, quantized):
    """Each of the L rounding int8 ops on the longest image path rounds to its own grid: uniform
    noise of rms s/√12 in its tensor's scale s. The scales follow the calibrated ranges, so
    in units of the output step s_out each stage's relative error carries through: rms
    error ≤ s_out·√(L/12). The largest of n roughly Gaussian errors stays below
    rms·√(2 ln n). Held-out inputs (another seed) can exceed the calibrated ranges, so
    clipping is included, not excluded."""
    path, summary = quantized
    interp, tensors, ops = _tensors(path)
    longest = _image_cone(interp, ops)[interp.get_output_details()[0]["index"]]
    bound = summary["io"]["outputs"][0]["scale"] * math.sqrt(longest / 12)
    litert, errors = LiteRT(path), []
    for x, s in calibration_inputs(spec, 16, seed=5):
        got = dequantize_outputs(summary["io"], litert(quantize_inputs(summary["io"], (x, s))))[0]
        error = got - spec.reference((torch.from_numpy(x), torch.from_numpy(s))).numpy()
        assert np.sqrt(np.mean(error ** 2)) <= bound
        errors.append(error)
    errors = np.concatenate([e.ravel() for e in errors])
    assert np.abs(errors).max() <= bound * math.sqrt(2 * math.log(errors.size))


def test_a_calibration_set_that_does_not_fit_the_model_is_a_user_error(quantized, tmp_path):
    path, _ = quantized
    with pytest.raises(UserError, match="2 inputs"):
        quantize_tflite(path.parent / "f.tflite", [(np.zeros((1, 1, 16, 16), np.float32),)],
                        tmp_path / "x.tflite")
