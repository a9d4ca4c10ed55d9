"""Verdicts a user can trust: a NaN or ±inf the reference does not have fails validation
and is named (sample, output, element count), wherever errors are summarised (per-call
validation, the on-board sampler check, mobile validation, bench, generate); --samples is
checked before a board is touched; validation inputs are made in bounded chunks.

The end-to-end cases run the `host` board (a native process) on an FP16 build whose
activations overflow 65504 on some inputs while torch FP32 stays finite."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from sdk.cli import commands as cli
from sdk.compile.manifest import load_manifest
from sdk.diffusion.device_model import checkpoint_spec
from sdk.models import load_model
from sdk.report.strict_json import read_json
from sdk.runner.board_sampling import BoardSample
from sdk.runner.protocol import StackUsage
from sdk.verify.host_sample import host_sample
from tests.helpers.cli import sdk
from tests.tiny_unet import untrained_student

pytestmark = pytest.mark.usefixtures("wide_console")  # no message is wrapped

# out = a(x) − b(x) = 1e4·x in FP32. In FP16 a(x) = 2e4·x overflows to inf once |x| > 3.3 and
# b(x) once |x| > 6.6: x = 5 gives inf − 5e4 = inf, x = 10 gives inf − inf = NaN. The other
# levels are exact in FP16 (x·1e4 and x·2e4 are small integers), so those samples agree exactly.
OVERFLOW_SOURCE = """\
import torch
from torch import nn


class Overflow(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(1, 1, 1, bias=False)
        self.b = nn.Conv2d(1, 1, 1, bias=False)
        with torch.no_grad():
            self.a.weight.fill_(2e4)
            self.b.weight.fill_(1e4)

    def forward(self, x):
        return self.a(x) - self.b(x)


model = Overflow()
example_input = torch.full((1, 1, 4, 4), 0.5)
LEVELS = {levels}


def sample_inputs(n, seed):
    return [(torch.full((1, 1, 4, 4), LEVELS[i % len(LEVELS)]),) for i in range(n)]
"""
NAN_AT_1 = [0.5, 10.0, 5.0, 0.75]  # sample 1: NaN, sample 2: inf, on the device only
ELEMENTS = 16  # every element of a 1x1x4x4 output


def overflow_model(directory: Path, levels: list[float]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "overflow.py"
    path.write_text(OVERFLOW_SOURCE.format(levels=levels))
    return path


@pytest.fixture(scope="module")
def overflow_build(tmp_path_factory) -> Path:
    """The overflow model built in FP16 for the host board; returns the build root."""
    root = tmp_path_factory.mktemp("build")
    model = overflow_model(tmp_path_factory.mktemp("model"), NAN_AT_1)
    assert cli.main(["--build-dir", str(root), "build", "--target", "host", "--model", str(model),
                     "--precision", "fp16"]) == 0
    return root


# ------------------------------------------------------------------ the shared reductions

@pytest.mark.unit
def test_nan_after_finite_values_survives_the_reductions():
    from sdk.verify.metrics import compare, nan_max, nan_min, summarize

    assert max([0.1, math.nan, 0.2]) == 0.2  # what used to hide a NaN sample
    assert math.isnan(nan_max([0.1, math.nan, 0.2])) and math.isnan(nan_min([30.0, math.nan]))
    assert nan_max([0.1, math.inf]) == math.inf and nan_min([30.0, 20.0]) == 20.0
    reference = np.linspace(-1, 1, 8, dtype=np.float32)
    broken = reference.copy()
    broken[[2, 5]] = np.nan
    per_sample = [{"index": i, **compare(out, reference)} for i, out in enumerate([reference, reference, broken])]
    summary = summarize(per_sample, "y")
    assert math.isnan(summary["max_rel_error"]) and math.isnan(summary["max_abs_error"])
    assert math.isnan(summary["min_psnr_db"])
    assert summary["nonfinite_elements"] == 2
    assert summary["first_nonfinite"] == {"index": 2, "output": "y", "elements": 2, "device": 2,
                                          "torch": 0, "samples": 1}


@pytest.mark.unit
def test_compare_counts_every_non_finite_disagreement():
    from sdk.verify.metrics import compare

    reference = np.array([0.5, -0.25, 1.0, 2.0], dtype=np.float32)
    device_inf = reference.copy()
    device_inf[1] = np.inf
    errors = compare(device_inf, reference)
    assert errors["max_rel_error"] == math.inf and errors["nonfinite_elements"] == 1

    torch_nan = reference.copy()
    torch_nan[3] = np.nan  # torch non-finite where the device is finite
    errors = compare(reference, torch_nan)
    assert math.isnan(errors["max_rel_error"])
    assert (errors["nonfinite_elements"], errors["nonfinite_device"], errors["nonfinite_torch"]) == (1, 0, 1)

    both = np.array([np.inf, 0.0, np.nan, 1.0], dtype=np.float32)
    other = np.array([-np.inf, np.nan, np.nan, 1.0], dtype=np.float32)  # other sign; other place
    assert compare(other, both)["nonfinite_elements"] == 2
    same = compare(both.copy(), both)  # the same non-finite values in the same places agree
    assert same["nonfinite_elements"] == 0 and same["max_abs_error"] == 0.0


# ------------------------------------------------------------- validate on the host board

@pytest.mark.kernel
@pytest.mark.hil
def test_a_finite_error_past_the_tolerance_fails_and_one_within_it_passes(capsys, overflow_build, tmp_path,
                                                                           monkeypatch):
    """Sample 0 (level 0.5) is exact in FP16; one element of the board's answer is moved by a
    fraction of the derived limit: 0.5 of it passes, 2 of it fails (the finite comparison, not
    the NaN rule, decides)."""
    import sdk.verify.validate as validate_module

    def validate(shift: float) -> dict:
        real = validate_module.run_sample

        def shifted(client, inputs):
            output, count = real(client, inputs)
            output = output.copy()
            output.flat[3] += shift
            return output, count
        monkeypatch.setattr(validate_module, "run_sample", shifted)
        code, out = sdk(capsys, "--build-dir", overflow_build, "validate", "--target", "host", "--emulator",
                        "--samples", 1, "--json", tmp_path / "r.json", "--png", tmp_path / "v.png")
        monkeypatch.setattr(validate_module, "run_sample", real)
        report = read_json(tmp_path / "r.json")
        assert code == (0 if report["passed"] else 1), out
        return report

    exact = validate(0.0)
    assert exact["passed"] and exact["max_abs_error"] == 0.0
    limit = exact["tolerance_rel"] * 0.5e4  # the output scale: 1e4 · 0.5
    assert validate(0.5 * limit)["passed"] is True
    failed = validate(2.0 * limit)
    assert failed["passed"] is False and failed["nonfinite_elements"] == 0


@pytest.mark.kernel
@pytest.mark.hil
def test_validate_fails_and_names_a_sample_that_is_nan_on_the_board(capsys, overflow_build, tmp_path):
    report_path = tmp_path / "report.json"
    code, out = sdk(capsys, "--build-dir", overflow_build, "validate", "--target", "host", "--emulator",
                    "--samples", 4, "--json", report_path, "--png", tmp_path / "v.png")
    assert code == 1, out
    report = read_json(report_path)  # strict JSON: NaN as a string
    per_sample = report["per_sample"]
    assert per_sample[0]["max_rel_error"] == 0.0  # a finite sample first: max() kept it and dropped the NaN
    assert math.isnan(per_sample[1]["max_abs_error"]) and per_sample[2]["max_abs_error"] == math.inf
    assert report["passed"] is False and math.isnan(report["max_rel_error"])
    output = load_manifest("host", overflow_build).outputs[0]["name"]
    assert report["first_nonfinite"] == {"index": 1, "output": output, "elements": ELEMENTS,
                                         "device": ELEMENTS, "torch": 0, "samples": 2}
    assert report["nonfinite_elements"] == 2 * ELEMENTS
    assert f"sample 1, output {output}: {ELEMENTS} elements NaN/inf on one side only (device {ELEMENTS}, torch 0)" in out
    assert "FAIL" in out and "PASS" not in out


@pytest.mark.unit
def test_sampler_check_fails_on_a_nan_sample_and_names_its_seed(monkeypatch, tmp_path):
    from sdk.verify import sampler_check as validate

    spec = checkpoint_spec(untrained_student(tmp_path))
    shape = tuple(spec.example_inputs[0].shape)
    manifest = SimpleNamespace(inputs=[{"shape": list(shape)}], layers=[], target="host", int8_noise=None)
    asked = []

    def board_samples(client, steps, n, seed):  # the host's own samples, seed 3 all NaN
        asked.append(n)
        return [BoardSample(s, np.full(shape, np.nan, np.float32) if s == 3 else
                            host_sample(spec.module, spec.sampler, s, shape).sample, 1)
                for s in range(seed, seed + n)]

    monkeypatch.setattr(validate, "board_samples", board_samples)
    check = validate.check_sampler(manifest, spec, client=None, samples=5, seed=2)
    assert check["passed"] is False and math.isnan(check["max_abs_error"])
    assert check["first_nonfinite"]["seed"] == 3
    assert check["first_nonfinite"]["elements"] == int(np.prod(shape))
    assert [r["max_abs_error"] for r in check["per_sample"] if r["seed"] != 3] == [0.0] * 4

    monkeypatch.setattr(validate, "INPUT_CHUNK", 2)  # boards sampled a chunk at a time, same seeds
    asked.clear()
    check = validate.check_sampler(manifest, spec, client=None, samples=5, seed=2)
    assert asked == [2, 2, 1] and [r["seed"] for r in check["per_sample"]] == [2, 3, 4, 5, 6]


@pytest.mark.unit
def test_generate_exits_1_when_the_board_draws_non_finite_values(capsys, monkeypatch, tmp_path):
    import contextlib

    from sdk.runner import board as runner_board
    from sdk.verify import generate as generation

    spec = checkpoint_spec(untrained_student(tmp_path))
    shape = tuple(spec.example_inputs[0].shape)
    manifest = SimpleNamespace(target="host", model=str(tmp_path / "student_2steps.pt"), model_name="s",
                               precision="fp32", inputs=[{"shape": list(shape)}],
                               sampler={"steps": spec.sampler.steps, "kind": "ddim", "prediction": "v"})

    def board_samples(client, steps, n, seed):  # the host's own samples, seed 1 with one NaN
        made = []
        for s in range(seed, seed + n):
            sample = host_sample(spec.module, spec.sampler, s, shape).sample.copy()
            if s == 1:
                sample.flat[5] = np.nan
            made.append(BoardSample(s, sample, 1))
        return made

    monkeypatch.setattr(cli, "load_manifest", lambda target, root: manifest)
    monkeypatch.setattr(runner_board, "open_board", lambda *a, **k: contextlib.nullcontext(None))
    monkeypatch.setattr(generation, "board_samples", board_samples)
    code, out = sdk(capsys, "generate", "--target", "host", "--n", "3", "--png", tmp_path / "g.png")
    assert code == 1, out
    assert "seed 1" in out and "NaN/inf values" in out
    monkeypatch.setattr(generation, "board_samples",
                        lambda c, steps, n, seed: [BoardSample(s, host_sample(spec.module, spec.sampler, s,
                                                                              shape).sample, 1)
                                                   for s in range(seed, seed + n)])
    assert sdk(capsys, "generate", "--target", "host", "--n", "3", "--png", tmp_path / "g.png")[0] == 0


# --------------------------------------------------------------------------- mobile, bench

@pytest.mark.slow  # exports to a mobile runtime
@pytest.mark.unit
def test_mobile_validate_fails_on_a_nan_runtime_output(monkeypatch, tmp_path):
    from sdk.mobile import validate as mobile_validate
    from sdk.mobile.export import export

    model = overflow_model(tmp_path / "model", [0.5, 0.25, 0.75, 1.0])  # finite everywhere in FP32
    card = export(str(model), "onnx", "fp32", tmp_path / "build")
    real_open = mobile_validate.open_runtime

    class NanOnSecondCall:
        """The real onnxruntime session, except that its 2nd answer is all NaN."""

        def __init__(self, runtime):
            self.runtime, self.calls = runtime, 0
            self.name, self.version, self.outputs = runtime.name, runtime.version, runtime.outputs

        def __call__(self, *arrays):
            self.calls += 1
            output = self.runtime(*arrays)
            return np.full_like(output, np.nan) if self.calls == 2 else output

    monkeypatch.setattr(mobile_validate, "open_runtime", lambda *a, **k: NanOnSecondCall(real_open(*a, **k)))
    result = mobile_validate.validate_export("onnx", tmp_path / "build", samples=4, seed=0, quality_samples=0)
    report = result.report
    assert report.passed is False and math.isnan(report.max_rel_error)
    assert report.first_nonfinite["index"] == 1 and report.first_nonfinite["elements"] == ELEMENTS
    assert report.first_nonfinite["output"] == card["outputs"][0]["name"]


@pytest.mark.kernel
@pytest.mark.hil
def test_bench_error_column_shows_non_finite_output(capsys, tmp_path):
    model = overflow_model(tmp_path / "model", [10.0])  # the bench input: NaN on the device
    code, out = sdk(capsys, "--build-dir", tmp_path / "b", "bench", "--target", "host", "--model", model,
                    "--precision", "fp16", "--json", tmp_path / "bench.json")
    assert code == 0, out
    result = read_json(tmp_path / "bench.json")
    assert math.isnan(result["max_rel_error"]) and result["nonfinite_elements"] == ELEMENTS
    assert f"max rel. error vs torch nan ({ELEMENTS} output elements NaN/inf where torch is finite" in out


# ------------------------------------------------------------------------------ --samples

@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.parametrize("argv", [["validate", "--samples", "0"], ["validate", "--samples", "-1"],
                                  ["validate", "--samples", "1000000"], ["validate", "--samples", "many"],
                                  ["validate", "--quality-samples", "-1"], ["generate", "--n", "0"]])
def test_bad_sample_count_exits_2_before_the_board_is_touched(capsys, monkeypatch, overflow_build, argv):
    import sdk.runner.board

    opened = []
    monkeypatch.setattr(sdk.runner.board, "open_board", lambda *a, **k: opened.append(a) or pytest.fail("board opened"))
    with pytest.raises(SystemExit) as stop:
        cli.main(["--build-dir", str(overflow_build), argv[0], "--target", "host", "--emulator", *argv[1:]])
    assert stop.value.code == 2 and not opened
    err = capsys.readouterr().err
    low = 0 if argv[1] == "--quality-samples" else 1
    assert f"argument {argv[1]}: '{argv[2]}': give a whole number from {low} to 100,000" in err
    assert "Traceback" not in err


# ------------------------------------------------------------------- inputs in chunks

@pytest.mark.unit
def test_input_chunks_are_the_old_inputs_up_to_a_chunk_and_bounded_beyond():
    from sdk.models.spec import INPUT_CHUNK

    spec = load_model("dncnn")
    n = INPUT_CHUNK
    (only,) = list(spec.input_chunks(n, seed=3))
    for got, want in zip(only, spec.sample_inputs(n, 3), strict=True):
        torch.testing.assert_close(got, want, rtol=0, atol=0)
    chunks = list(spec.input_chunks(2 * n + 5, seed=3))
    assert [len(c) for c in chunks] == [n, n, 5]
    torch.testing.assert_close(chunks[0][0], only[0], rtol=0, atol=0)
    firsts = [c[0][0] for c in chunks]  # each chunk draws new inputs
    assert not any(torch.equal(a, b) for i, a in enumerate(firsts) for b in firsts[i + 1:])


@pytest.mark.kernel
@pytest.mark.hil
def test_validate_asks_for_inputs_a_chunk_at_a_time_and_keeps_only_the_picture(monkeypatch, overflow_build):
    from sdk.models.spec import INPUT_CHUNK
    from sdk.verify import validate

    manifest = load_manifest("host", overflow_build)
    spec = load_model(manifest.model)
    asked = []
    spec.sample_inputs = lambda n, seed, make=spec.sample_inputs: asked.append(n) or make(n, seed)
    monkeypatch.setattr(validate, "load_model", lambda ref: spec)

    class EchoBoard:
        """Answers each RUN with torch's output for the inputs it was sent."""
        port_name = "echo"

        def __init__(self):
            self.inputs = {}

        def write_input(self, index, x):
            self.inputs[index] = torch.from_numpy(x.copy())

        def run(self):
            self.output = spec.reference(tuple(self.inputs[i] for i in sorted(self.inputs))).numpy()
            return 1

        def read_output(self, index):
            return self.output

        def stack(self):
            return StackUsage(0, 0)  # a host-like board: no stack region to measure

    samples = 2 * INPUT_CHUNK + 3
    report, records = validate.validate(manifest, EchoBoard(), samples)
    assert asked == [INPUT_CHUNK, INPUT_CHUNK, 3]
    assert len(records) == validate.PICTURE_ROWS and len(report.per_sample) == samples
    assert report.passed
