"""Load a checkpoint written by `sdk train` / `sdk distill` and rebuild its model.

A checkpoint carries its config; the model is rebuilt from it and the weights must fit
exactly. A mismatch names the tensors that differ, so a config edited by hand or a file
from another run fails loudly instead of sampling noise.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import torch

from sdk.diffusion.train import TeacherConfig
from sdk.errors import UserError


def load_checkpoint(path: Path) -> tuple[dict, TeacherConfig, torch.nn.Module]:
    """(the raw checkpoint dict, its model config, the model in eval mode)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"checkpoint {path} does not exist: run `sdk train` first")
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    known = {f.name for f in fields(TeacherConfig)}
    unknown = set(ckpt.get("config", {})) - known
    if "config" not in ckpt or unknown:
        raise UserError(f"{path} is not an EdgeDiff checkpoint (config keys {sorted(unknown)} unknown)")
    config = TeacherConfig(**ckpt["config"])
    try:
        model = config.make_model()
    except (ValueError, KeyError, AttributeError) as e:  # e.g. a `binary` entry naming no layer
        raise UserError(f"{path}: its model config cannot be rebuilt ({e})") from None
    expected = model.state_dict()
    got = ckpt["state_dict"]
    problems = [f"missing {k}" for k in expected if k not in got]
    problems += [f"unexpected {k}" for k in got if k not in expected]
    problems += [f"{k}: checkpoint {tuple(got[k].shape)} vs config {tuple(v.shape)}"
                 for k, v in expected.items() if k in got and got[k].shape != v.shape]
    if problems:
        raise UserError(f"{path} does not match its model config (width={config.width}, "
                        f"mults={config.mults}, emb_dim={config.emb_dim}): " + "; ".join(problems[:5]))
    model.load_state_dict(got)
    return ckpt, config, model.eval()
