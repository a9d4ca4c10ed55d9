"""The one output tensor EdgeDiff compiles and compares, when a model's forward returns more
than a tensor.

The rule: a tensor is the output. A dict, a dataclass (e.g. diffusers' UNet2DOutput or any
BaseOutput) or a namedtuple: its field `sample` if that is a tensor, else its only tensor
field. A tuple or list: its only tensor. Fields that are not tensors (None, numbers) do not
count. Anything else (several tensors and none named `sample`, no tensor at all) is refused
with a message listing the fields.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from sdk.errors import UserError

Key = str | int


def _fields(out: Any) -> list[tuple[Key, Any]] | None:
    if isinstance(out, Mapping):
        return list(out.items())
    if dataclasses.is_dataclass(out) and not isinstance(out, type):
        return [(f.name, getattr(out, f.name)) for f in dataclasses.fields(out)]
    if isinstance(out, tuple) and hasattr(out, "_fields"):  # a namedtuple
        return [(name, getattr(out, name)) for name in out._fields]
    if isinstance(out, (tuple, list)):
        return list(enumerate(out))
    return None


def _pick(out: Any, key: Key) -> Any:
    return out[key] if isinstance(out, Mapping) or isinstance(key, int) else getattr(out, key)


def _describe(key: Key, value: Any) -> str:
    what = f"tensor {list(value.shape)}" if isinstance(value, torch.Tensor) else type(value).__name__
    return f"{key}: {what}"


def output_key(out: Any) -> Key | None:
    """Which field of a forward's result is the model's output (None: it is a tensor)."""
    if isinstance(out, torch.Tensor):
        return None
    fields = _fields(out)
    if fields is None:
        raise UserError(f"the model's forward returns a {type(out).__name__}; EdgeDiff needs a tensor "
                        "(or a dict/dataclass/tuple holding one): return the output tensor")
    tensors = [key for key, value in fields if isinstance(value, torch.Tensor)]
    if "sample" in tensors:
        return "sample"
    if len(tensors) == 1:
        return tensors[0]
    listed = ", ".join(_describe(k, v) for k, v in fields) or "none"
    why = "no tensor" if not tensors else f"{len(tensors)} tensors and none named `sample`"
    raise UserError(f"the model's forward returns a {type(out).__name__} with {why} (fields: {listed}); "
                    "EdgeDiff runs one output tensor: return it alone, or name it `sample`")


class SelectOutput(nn.Module):
    """The model with its forward's result reduced to the field output_key chose."""

    def __init__(self, model: nn.Module, key: Key):
        super().__init__()
        self.model = model
        self.key = key

    def forward(self, *inputs):
        return _pick(self.model(*inputs), self.key)


def single_output(model: nn.Module, example_inputs: tuple[torch.Tensor, ...], where: str) -> nn.Module:
    """model itself if forward returns a tensor, else the model reduced to its output tensor
    by the rule above. where: the model file, for the message if forward fails."""
    from codegen.user_code import describe

    try:
        with torch.no_grad():
            out = model(*example_inputs)
    except Exception as e:  # the user's code failed: say where, not a stack trace
        raise UserError(f"{where}: model(*example_input) failed: {describe(e)}") from None
    key = output_key(out)
    return model if key is None else SelectOutput(model, key)
