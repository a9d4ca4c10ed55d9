"""Resolve `--model`: a model-zoo name or a Python file defining `model` and `example_input`."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import torch

from codegen.user_code import describe
from sdk.errors import UserError
from sdk.models.output import single_output
from sdk.models.integer_inputs import embedding_bounds
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


def _import(path: Path):
    """The model file as a module; its folder is on sys.path meanwhile, as `python file`
    would have it, so it may import its neighbours."""
    spec = importlib.util.spec_from_file_location(f"edgediff_user_model_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as e:  # the user's code failed: say where, not a stack trace
        raise UserError(f"{path} failed to load: {describe(e)}\n"
                        f"(`python {path}` shows the whole traceback)") from None
    finally:
        sys.path.remove(folder)
    return module


def _inference_module(model):
    """model in eval mode. torch.export's ExportedProgram, and the GraphModule its .module()
    returns, are accepted as the model they captured: a plain GraphModule of the same graph
    (ep.module() itself refuses eval())."""
    if isinstance(model, torch.export.ExportedProgram):
        model = model.module()
    if isinstance(model, torch.fx.GraphModule):
        model = torch.fx.GraphModule(model, model.graph)
    return model.eval() if isinstance(model, torch.nn.Module) else model


def _load_file(path: Path) -> ModelSpec:
    module = _import(path)
    for name in ("model", "example_input"):
        if not hasattr(module, name):
            raise UserError(f"{path} must define `{name}` "
                            "(model: an nn.Module, example_input: a tensor or tuple of tensors)")
    model = _inference_module(module.model)
    if isinstance(model, type) and issubclass(model, torch.nn.Module):
        raise UserError(f"{path}: `model` is the class {model.__name__}, not a model: "
                        f"create one, e.g. model = {model.__name__}()")
    if not isinstance(model, torch.nn.Module):
        raise UserError(f"{path}: `model` is a {type(model).__name__}, expected torch.nn.Module")
    example = module.example_input
    example = tuple(example) if isinstance(example, (tuple, list)) else (example,)
    if not all(isinstance(e, torch.Tensor) for e in example):
        raise UserError(f"{path}: `example_input` must be a tensor or a tuple of tensors")
    model = single_output(model, example, str(path))
    name = path.parent.name if path.stem == "model" else path.stem  # examples/denoiser/model.py
    if getattr(module, "scheduler", None) is not None:
        if not hasattr(module, "num_inference_steps"):
            raise UserError(f"{path} defines `scheduler` but not `num_inference_steps` (the number "
                            "of sampling steps the board runs)")
        from sdk.diffusion.scheduler_model import scheduler_spec

        return scheduler_spec(name, model, example, module.scheduler, module.num_inference_steps)
    time_steps = getattr(module, "time_steps", None)  # the timestep input takes 0..time_steps-1
    if time_steps is not None and (not isinstance(time_steps, int) or time_steps < 1):
        raise UserError(f"{path}: `time_steps` must be a positive int (the timestep input's values "
                        f"are 0..time_steps-1), not {time_steps!r}")
    sampler = getattr(module, "sample_inputs", None) or gaussian_sampler(example, embedding_bounds(model, example),
                                                                         time_steps)
    return ModelSpec(name, model, example, sampler, time_steps=time_steps)
