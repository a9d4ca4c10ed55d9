"""The photo denoiser's plumbing (sdk/denoise, examples/photo_denoiser) without training it
and without scikit-image: a few steps on synthetic images, the checkpoint written and read
back through the SDK's digests, the example's model file loading it, and its 64x64 graph
one tiled stage. The real training and scores are examples/photo_denoiser's scripts."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from codegen.tile import stage_kernels, tile_plan
from sdk.compile.lower import lower
from sdk.denoise.patches import add_noise, center_crops, random_crops
from sdk.denoise.train import DenoiserConfig, load_denoiser, save_denoiser, train_denoiser
from sdk.errors import UserError
from sdk.models import load_model

pytestmark = [pytest.mark.unit]


def _images(n: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [np.kron(rng.random((6, 6)), np.ones((12, 12))) for _ in range(n)]


def test_crops_and_noise_are_seeded_and_sized():
    images = _images(2, 0)
    a = random_crops(images, 16, 5, np.random.default_rng(1))
    assert a.shape == (5, 1, 16, 16) and np.array_equal(a, random_crops(images, 16, 5, np.random.default_rng(1)))
    noise = add_noise(np.zeros((256, 256)), np.random.default_rng(2)) * 255
    assert abs(noise.std() - 25) < 0.5 and noise.dtype == np.float32
    crops = center_crops(images[0], 64, 3)
    assert [c.shape for c in crops] == [(64, 64)] * 3 and np.array_equal(crops[-1], images[0][8:, 8:])


def test_a_few_steps_train_save_load_and_build_the_example(tmp_path, monkeypatch):
    config = DenoiserConfig(features=4, depth=3, crop=16, batch=4, steps=3)
    model = train_denoiser(_images(3, 0), config, progress=False)
    again = train_denoiser(_images(3, 0), config, progress=False)
    for p, q in zip(model.parameters(), again.parameters()):
        assert torch.equal(p, q)  # seeded
    path = save_denoiser(tmp_path / "d.pt", config, model)
    loaded_config, loaded = load_denoiser(path)
    assert loaded_config == config
    x = torch.rand(1, 1, 20, 20)
    assert torch.equal(loaded(x), model(x))
    with pytest.raises(UserError, match="at least 16x16"):
        train_denoiser([np.zeros((8, 8))], config, progress=False)

    monkeypatch.setenv("EDGEDIFF_DENOISER", str(path))
    spec = load_model("examples/photo_denoiser/model.py")
    graph, _ = lower(spec, None, ["fpu"])
    plan = tile_plan(graph, stage_kernels(graph, ["fpu"]), 4)
    assert len(plan.nodes) == len(graph.nodes) and plan.halo == 3 and plan.bands == 16
    assert spec.sample_inputs(2, 0)[1][0].shape == (1, 1, 64, 64)
