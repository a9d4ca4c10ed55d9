"""The on-device sampler: the tabulated time path, the noise twin, and samples made on
emulated boards (and the host board) against the host sampler from the same noise."""

from __future__ import annotations

import ctypes
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from codegen.capture import capture
from codegen.interpret import run_graph
from codegen.passes import run_passes, tabulate_time
from sdk.cli import main
from sdk.compile.build import build
from sdk.compile.precision import load_policy
from sdk.diffusion import device_noise
from sdk.diffusion.device_model import checkpoint_spec
from sdk.diffusion.train import TeacherConfig, save_checkpoint
from sdk.runner.board import open_board
from sdk.runner.board_sampling import board_samples
from sdk.runner.protocol import DeviceError, ErrorCode, MsgType
from sdk.verify.host_sample import host_sample
from sdk.verify.tolerance import sample_tolerance
from sdk.verify.validate import validate
from tests.helpers.tools import require_target

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = str(REPO / "examples" / "denoiser" / "model.py")
# (target, precision, prediction): each update rule of the C sampler on at least one board,
# FP16 on the Helium board, FP32 on RV32.
BOARDS = [("rv32", "fp32", "v"), ("cortex-m55", "fp16", "v"), ("host", "fp32", "eps"),
          ("host", "fp32", "flow")]


def make_checkpoint(path: Path, prediction: str, steps: int = 4) -> Path:
    """An untrained student: the arithmetic, not the quality, is under test here."""
    torch.manual_seed(0)
    config = TeacherConfig(prediction=prediction)
    return save_checkpoint(path, config, config.make_model(), "student", sampling_steps=steps)


@pytest.mark.unit
def test_tabulated_graph_matches_torch_at_every_step_without_a_time_mlp(tmp_path):
    spec = checkpoint_spec(make_checkpoint(tmp_path / "s.pt", "v"))
    graph = capture(spec.module, spec.example_inputs)
    time_ops = {n.op for n in graph.nodes if n.op in ("sin", "cos")}
    graph = tabulate_time.run(graph, graph.inputs[1], spec.sampler.times)
    assert time_ops == {"sin", "cos"} and not {"sin", "cos"} & {n.op for n in graph.nodes}
    assert graph.inputs[1] == "step" and all(n.op != "linear" for n in graph.nodes)
    x = torch.randn(1, 1, 16, 16)
    for step in range(spec.sampler.steps):
        got = run_graph(graph, [x.numpy(), np.array([step], np.float32)])[0]
        want = spec.reference((x, torch.tensor([float(step)]))).numpy()
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-4 * np.abs(want).max())


@pytest.mark.unit
def test_the_schedule_in_the_pipeline_tabulates_as_the_direct_call_does(tmp_path):
    spec = checkpoint_spec(make_checkpoint(tmp_path / "s.pt", "v"))
    direct = capture(spec.module, spec.example_inputs)
    direct = run_passes(tabulate_time.run(direct, direct.inputs[1], spec.sampler.times))
    piped = capture(spec.module, spec.example_inputs)
    piped = run_passes(piped, None, piped.inputs[1], spec.sampler.times)
    assert piped.to_json() == direct.to_json()


@pytest.mark.unit
def test_tabulating_needs_a_time_input_that_only_feeds_a_time_path():
    class ReadsTimeDirectly(torch.nn.Module):
        def forward(self, x, t):
            return x * t

    graph = capture(ReadsTimeDirectly(), (torch.ones(1, 4), torch.ones(1)))
    with pytest.raises(ValueError, match="read directly by the network"):
        tabulate_time.run(graph, graph.inputs[1], [1.0, 2.0])
    with pytest.raises(ValueError, match="is not a graph input"):
        tabulate_time.run(graph, "nope", [1.0])


@pytest.mark.kernel
def test_noise_twin_matches_the_firmware_generator_bit_for_bit(tmp_path):
    lib = tmp_path / "libnoise.so"
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", lib, REPO / "firmware" / "noise.c"], check=True)
    fill = ctypes.CDLL(str(lib)).noise_fill_gaussian
    for seed in (0, 1, 7, 2**31, 2**32 - 1):
        out = np.empty(1000, dtype=np.float32)
        fill(ctypes.c_uint32(seed), out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), 1000)
        np.testing.assert_array_equal(out.view(np.uint32), device_noise.gaussian(seed, 1000).view(np.uint32))
    values = device_noise.gaussian(3, 20000)
    assert abs(values.mean()) < 0.03 and abs(values.std() - 1) < 0.03  # 4σ of N=20000


@pytest.fixture(scope="module", params=BOARDS, ids=lambda b: "-".join(b))
def config(request):
    require_target(request.param[0])
    return request.param


@pytest.fixture(scope="module")
def manifest(config, tmp_path_factory):
    target, precision, prediction = config
    root = tmp_path_factory.mktemp("sampler")
    return build(str(make_checkpoint(root / "student.pt", prediction)), target, root / "build",
                 load_policy(precision))


@pytest.fixture(scope="module")
def board(manifest):
    with open_board(manifest, emulator=True, port=None) as client:
        yield client


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_board_samples_match_the_host_sampler_from_the_same_noise(manifest, board):
    spec = checkpoint_spec(Path(manifest.model))
    shape = tuple(manifest.inputs[0]["shape"])
    for made in board_samples(board, spec.sampler.steps, 2, seed=40):
        host = host_sample(spec.module, spec.sampler, made.seed, shape)
        limit = sample_tolerance(manifest.layers, spec.sampler, host.output_scales)
        assert np.abs(made.sample - host.sample).max() <= limit
        assert np.abs(made.sample).max() <= 1 and made.instructions > 0


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_host_noise_and_board_noise_give_the_same_sample(manifest, board):
    steps = manifest.sampler["steps"]
    board.sample(seed=5, device_noise=True, steps=steps)
    from_board_noise = board.read_output(0)
    board.write_input(0, device_noise.gaussian(5, from_board_noise.size).reshape(from_board_noise.shape))
    board.sample(seed=0, device_noise=False, steps=steps)
    np.testing.assert_array_equal(board.read_output(0), from_board_noise)


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_sample_requests_that_cannot_run_get_error_replies(manifest, board):
    with pytest.raises(DeviceError) as err:
        board.sample(seed=0, device_noise=False)  # no noise written since the last run
    assert err.value.code == ErrorCode.INPUT_INCOMPLETE
    with pytest.raises(DeviceError) as err:
        board.request(MsgType.SAMPLE, b"\x02\x00\x00\x00\x00")
    assert err.value.code == ErrorCode.BAD_PAYLOAD
    report, _ = validate(manifest, board, samples=2, seed=3)
    assert report.passed and report.sampler["passed"] and report.sampler["steps"] == 4


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_an_image_without_sampler_says_so(tmp_path):
    manifest = build(EXAMPLE, "host", tmp_path)
    with open_board(manifest, emulator=True, port=None) as client:
        with pytest.raises(DeviceError) as err:
            client.sample(seed=0)
    assert err.value.code == ErrorCode.NO_SAMPLER and "no sampler" in str(err.value)


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_generate_writes_the_board_samples_as_a_grid(tmp_path, capsys):
    checkpoint = make_checkpoint(tmp_path / "student.pt", "v", steps=2)
    assert main(["--build-dir", str(tmp_path / "b"), "build", "--target", "host",
                 "--model", str(checkpoint)]) == 0
    assert main(["--build-dir", str(tmp_path / "b"), "generate", "--target", "host", "--n", "3",
                 "--seed", "8", "--png", str(tmp_path / "grid.png")]) == 0
    out = capsys.readouterr().out
    samples = np.load(tmp_path / "grid.npy")
    assert (tmp_path / "grid.png").stat().st_size > 0 and samples.shape == (3, 1, 16, 16)
    spec = checkpoint_spec(checkpoint)
    host = host_sample(spec.module, spec.sampler, 10, (1, 1, 16, 16)).sample[0]
    np.testing.assert_allclose(samples[2], host, rtol=0, atol=1e-4)
    assert "ddim, v-prediction, 2 steps" in out and "max |board − host sampler|" in out
