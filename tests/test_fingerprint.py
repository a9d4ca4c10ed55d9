"""The model fingerprint a build records (sdk/compile/fingerprint.py) changes with the weights,
the model file, the precision policy and the input shapes, and with nothing else."""

from __future__ import annotations

import torch

from sdk.compile.fingerprint import model_fingerprint
from sdk.models import load_model
from sdk.models.spec import ModelSpec, gaussian_sampler

FP32 = {"default": "fp32", "layers": {}}


def _spec(seed: int = 0, shape=(1, 1, 8, 8)) -> ModelSpec:
    torch.manual_seed(seed)
    module = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.ReLU())
    example = (torch.randn(*shape),)
    return ModelSpec("net", module, example, gaussian_sampler(example))


def test_same_model_same_fingerprint():
    assert model_fingerprint("unet", load_model("unet"), FP32) == model_fingerprint("unet", load_model("unet"), FP32)


def test_weights_policy_and_shapes_change_it():
    base = model_fingerprint("net", _spec(), FP32)
    assert model_fingerprint("net", _spec(seed=1), FP32) != base
    assert model_fingerprint("net", _spec(), {"default": "fp16", "layers": {}}) != base
    assert model_fingerprint("net", _spec(shape=(1, 1, 16, 16)), FP32) != base


def test_model_file_bytes_change_it(tmp_path):
    path = tmp_path / "model.py"
    path.write_text("# v1\n")
    before = model_fingerprint(str(path), _spec(), FP32)
    path.write_text("# v2\n")
    assert model_fingerprint(str(path), _spec(), FP32) != before


def test_zoo_class_source_is_part_of_it():
    from sdk.compile.fingerprint import _class_sources

    names = [name for name, _ in _class_sources(load_model("unet").module)]
    assert "sdk.models.unet.TinyUNet" in names and not any(n.startswith("torch.") for n in names)
