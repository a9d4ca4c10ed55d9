"""The model fingerprint a build records (sdk/compile/fingerprint.py) changes with the weights,
the model file, the precision policy and the input shapes; validate compares it without
capturing the model again."""

from __future__ import annotations

import pytest
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


@pytest.mark.unit
def test_same_model_same_fingerprint():
    assert model_fingerprint("unet", load_model("unet"), FP32) == model_fingerprint("unet", load_model("unet"), FP32)


@pytest.mark.unit
def test_weights_policy_and_shapes_change_it():
    base = model_fingerprint("net", _spec(), FP32)
    assert model_fingerprint("net", _spec(seed=1), FP32) != base
    assert model_fingerprint("net", _spec(), {"default": "fp16", "layers": {}}) != base
    assert model_fingerprint("net", _spec(shape=(1, 1, 16, 16)), FP32) != base


@pytest.mark.unit
def test_model_file_bytes_change_it(tmp_path):
    path = tmp_path / "model.py"
    path.write_text("# v1\n")
    before = model_fingerprint(str(path), _spec(), FP32)
    path.write_text("# v2\n")
    assert model_fingerprint(str(path), _spec(), FP32) != before


@pytest.mark.unit
def test_zoo_class_source_is_part_of_it():
    from sdk.compile.fingerprint import _class_sources

    names = [name for name, _ in _class_sources(load_model("unet").module)]
    assert "sdk.models.unet.TinyUNet" in names and not any(n.startswith("torch.") for n in names)


MODEL_FILE = """
import torch
torch.manual_seed({seed})
model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.ReLU())
example_input = torch.randn(1, 1, 8, 8)
"""


@pytest.mark.kernel
def test_validate_learns_a_model_changed_without_capturing_it(tmp_path, monkeypatch):
    """The build records the fingerprint; the check loads the model and compares digests:
    torch.export (capture) is never called."""
    import pytest

    from sdk.compile.build import build
    from sdk.errors import UserError
    from sdk.verify.validate import check_model_unchanged

    path = tmp_path / "net.py"
    path.write_text(MODEL_FILE.format(seed=1))
    manifest = build(str(path), "host", tmp_path / "build")
    assert all(layer["input_dtype"] == "f32" and layer["accumulation_dtype"] == "f32" for layer in manifest.layers)
    assert manifest.model_fingerprint == model_fingerprint(str(path), load_model(str(path)), manifest.precision_policy)
    monkeypatch.setattr(torch.export, "export", lambda *a, **k: pytest.fail("validate captured the model"))
    check_model_unchanged(load_model(manifest.model), manifest)
    path.write_text(MODEL_FILE.format(seed=2))  # new weights
    with pytest.raises(UserError, match="changed since it was built"):
        check_model_unchanged(load_model(manifest.model), manifest)
