"""int8 builds with a time path on the board, bit for bit against numpy (issue 15): the zoo unet
(its time path an int8 table per timestep, codegen/passes/int8_time_tables.py) and the 4-step
demo student with its on-board sampler (model int8, time path tabulated per step, the float
update and the board's noise repeated by sdk/verify/int8_sampler.py). One board each (CI
time); calibration is cut to 64 inputs, which changes the ranges, not the exactness."""

from __future__ import annotations

import numpy as np
import pytest

from codegen.ir import Graph
from sdk.compile.int8_summary import float_layers, time_table_bytes
from sdk.compile.manifest import BuildManifest
from sdk.models import load_model
from sdk.report.strict_json import read_json
from tests.helpers.cli import sdk

pytestmark = [pytest.mark.kernel, pytest.mark.hil, pytest.mark.slow]

STUDENT = "examples/demo/digits_4steps.pt"


def _build(tmp_path_factory, model: str, target: str):
    from sdk.compile.build import build
    from sdk.compile.precision import load_policy
    from sdk.quant import calibration
    root = tmp_path_factory.mktemp(target)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(calibration, "CALIBRATION_SAMPLES", 64)
        build(model, target, root, load_policy("int8"))
    return root / target


@pytest.fixture(scope="module")
def unet_m55(tmp_path_factory):
    return _build(tmp_path_factory, "unet", "cortex-m55")


@pytest.fixture(scope="module")
def student_m4(tmp_path_factory):
    return _build(tmp_path_factory, STUDENT, "cortex-m4")


def test_zoo_unet_int8_on_the_board_equals_the_numpy_reference(capsys, unet_m55, tmp_path):
    graph = Graph.load(unet_m55 / "gen" / "graph.json")
    assert float_layers(graph) == [] and time_table_bytes(graph) == 1000 * 32
    manifest = BuildManifest.load(unet_m55 / "build.json")
    assert manifest.rodata_bytes > time_table_bytes(graph)  # the tables are in the image the fit check saw
    code, out = sdk(capsys, "--build-dir", unet_m55.parent, "validate", "--target", "cortex-m55", "--emulator",
                    "--samples", 1, "--json", tmp_path / "v.json", "--png", tmp_path / "v.png")
    assert code == 0, out
    report = read_json(tmp_path / "v.json")
    assert report["passed"] is True and report["int8_reference"]["mismatched_elements"] == 0
    assert report["max_rel_error"] > 0  # quantised, and reported


def test_student_int8_board_samples_equal_the_numpy_int8_sampler(capsys, student_m4, tmp_path):
    code, out = sdk(capsys, "--build-dir", student_m4.parent, "validate", "--target", "cortex-m4", "--emulator",
                    "--samples", 1, "--json", tmp_path / "v.json", "--png", tmp_path / "v.png")
    assert code == 0, out
    report = read_json(tmp_path / "v.json")
    assert report["int8_reference"]["mismatched_elements"] == 0
    sampler = report["sampler"]
    assert sampler["passed"] is True and sampler["int8_mismatched_elements"] == 0 and sampler["steps"] == 4
    assert 0 < sampler["max_abs_error"] < 0.5  # the distance from torch's sample: quantisation, reported
    assert "equal, every element of every sample" in " ".join(out.split())


class _Board:
    """A stand-in client that returns given samples, so the sampler check's verdict is tested
    without another emulator run."""

    port_name = "stub"

    def __init__(self, samples):
        self.samples, self.last = samples, None

    def sample(self, seed, device_noise=True, steps=None):
        self.last = self.samples[seed]
        return 1

    def read_output(self, index):
        return self.last


def test_the_sampler_check_fails_on_one_flipped_bit(student_m4):
    """The twin's own sample passes; the same with one element one float32 ulp off fails."""
    from sdk.verify.int8_sampler import int8_host_sample
    from sdk.verify.sampler_check import check_sampler
    manifest = BuildManifest.load(student_m4 / "build.json")
    spec = load_model(STUDENT)
    shape = tuple(manifest.inputs[0]["shape"])
    graph = Graph.load(student_m4 / "gen" / "graph.json")
    exact = int8_host_sample(graph, spec.sampler, 5, shape).sample.astype(np.float32)
    off = exact.copy()
    off.reshape(-1)[7] = np.nextafter(off.reshape(-1)[7], np.float32(2))
    assert check_sampler(manifest, spec, _Board({5: exact}), 1, 5)["passed"] is True
    failed = check_sampler(manifest, spec, _Board({5: off}), 1, 5)
    assert failed["passed"] is False and failed["int8_mismatched_elements"] == 1
