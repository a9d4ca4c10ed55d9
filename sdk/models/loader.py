"""Resolve `--model`: a model-zoo name or a Python file defining `model` and `example_input`."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch

from sdk.errors import UserError
from sdk.models.spec import ModelSpec, gaussian_sampler


def load_model(ref: str) -> ModelSpec:
    from sdk.models.zoo import ZOO

    if ref in ZOO:
        return ZOO[ref]()
    path = Path(ref)
    if path.suffix == ".pt":  # a diffusion checkpoint from `sdk train` / `sdk distill`
        from sdk.diffusion.device_model import checkpoint_spec

        return checkpoint_spec(path)
    if not path.is_file():
        raise UserError(f"--model {ref!r} is neither a file nor a zoo model; "
                        f"zoo models: {', '.join(sorted(ZOO))}")
    return _load_file(path)


def _load_file(path: Path) -> ModelSpec:
    spec = importlib.util.spec_from_file_location(f"edgediff_user_model_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("model", "example_input"):
        if not hasattr(module, name):
            raise UserError(f"{path} must define `{name}` "
                            "(model: an nn.Module, example_input: a tensor or tuple of tensors)")
    model = module.model
    if not isinstance(model, torch.nn.Module):
        raise UserError(f"{path}: `model` is a {type(model).__name__}, expected torch.nn.Module")
    example = module.example_input
    example = tuple(example) if isinstance(example, (tuple, list)) else (example,)
    if not all(isinstance(e, torch.Tensor) for e in example):
        raise UserError(f"{path}: `example_input` must be a tensor or a tuple of tensors")
    sampler = getattr(module, "sample_inputs", None) or gaussian_sampler(example)
    name = path.parent.name if path.stem == "model" else path.stem  # examples/denoiser/model.py
    return ModelSpec(name, model.eval(), example, sampler)
