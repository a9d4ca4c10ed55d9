"""Generated model C, compiled for the host, against torch; reproducibility; strict flags."""

from __future__ import annotations

import numpy as np
import pytest

from sdk.compile.lower import generate_c
from sdk.models import load_model
from tests.host_build import compile_model, run_model

pytestmark = pytest.mark.kernel


@pytest.mark.parametrize("name", ["unet", "dncnn"])
def test_generated_model_matches_torch_on_host(name, tmp_path):
    spec = load_model(name)
    generated = generate_c(spec, tmp_path / "gen")
    lib = compile_model(generated, tmp_path)
    for inputs in spec.sample_inputs(4, seed=7):
        ref = spec.reference(inputs).numpy()
        out = run_model(lib, generated, inputs)
        # Same bound as the on-device test: FP32 kernels differ from torch only by
        # summation order, far below 1e-4 of the output scale.
        assert np.abs(out - ref).max() <= 1e-4 * np.abs(ref).max()


def test_generated_sources_are_byte_identical_across_builds(tmp_path):
    first = generate_c(load_model("unet"), tmp_path / "a")
    second = generate_c(load_model("unet"), tmp_path / "b")
    for name in ("model.c", "model.h", "graph.json", "plan.json"):
        assert (first.directory / name).read_bytes() == (second.directory / name).read_bytes(), name


def test_generated_code_has_no_malloc_and_reports_arena(tmp_path):
    generated = generate_c(load_model("unet"), tmp_path / "gen")
    source = (generated.directory / "model.c").read_text()
    assert "malloc" not in source and "double" not in source
    header = (generated.directory / "model.h").read_text()
    assert f"#define MODEL_ARENA_BYTES {generated.plan.arena_bytes}u" in header
    assert generated.plan.arena_bytes >= generated.plan.lower_bound_bytes > 0
