"""What a build was made from, as one digest the manifest keeps (build.json
"model_fingerprint"), so `sdk validate` learns whether the model changed since the build by
loading it, not by capturing and lowering it again.

The digest covers what can change the generated C for the same precision policy:
- the model file's bytes when --model is a file (a .py model, a .pt checkpoint): any edit;
- the source of every class in the module tree that is not torch's own (the zoo's, a
  user's neighbour file's): a changed forward();
- every parameter and buffer of the module (name, dtype, shape, bytes): the weights;
- the example inputs' shapes and dtypes, the precision policy and the sampler plan.
It is deliberately strict: an edit that leaves the graph as it was (a comment) also asks for
a rebuild, never the reverse.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from pathlib import Path

import torch

from sdk.models.spec import ModelSpec

TORCH_ROOT = Path(torch.__file__).resolve().parent


def _class_sources(module: torch.nn.Module) -> list[tuple[str, bytes]]:
    """(qualified name, source file bytes) of every non-torch class in the module tree."""
    found = {}
    for sub in module.modules():
        cls = type(sub)
        try:
            path = Path(inspect.getsourcefile(cls) or "").resolve()
        except TypeError:  # a builtin class: nothing to read
            continue
        if path.is_file() and not path.is_relative_to(TORCH_ROOT):
            found[f"{cls.__module__}.{cls.__qualname__}"] = path.read_bytes()
    return sorted(found.items())


def model_fingerprint(model_ref: str, spec: ModelSpec, policy: dict) -> str:
    """A hex digest of everything listed in the module docstring."""
    digest = hashlib.sha256()
    path = Path(model_ref)
    if path.is_file():
        digest.update(b"file\0" + path.read_bytes())
    for name, source in _class_sources(spec.module):
        digest.update(name.encode() + b"\0" + source + b"\0")
    for name, tensor in spec.module.state_dict().items():
        value = tensor.detach().cpu().contiguous()
        digest.update(f"{name}\0{value.dtype}\0{tuple(value.shape)}\0".encode())
        digest.update(value.reshape(-1).view(torch.uint8).numpy().tobytes())
    digest.update(json.dumps({
        "inputs": [[list(x.shape), str(x.dtype)] for x in spec.example_inputs],
        "policy": policy,
        "sampler": spec.sampler.to_dict() if spec.sampler is not None else None,
    }, sort_keys=True).encode())
    return digest.hexdigest()[:16]
