"""How high an integer input may go: the rows of the embedding it indexes.

Validation and calibration draw a model's integer inputs (a diffusers timestep, class labels)
from 0 to twice the example's value (spec.gaussian_sampler). An input that indexes an
nn.Embedding must stay below its number of rows, or torch itself fails on the reference
(and the board clamps the index, sdk's table_row kernels). The model is run once on its
example with a hook on every embedding: an integer input whose example values are the ones
an embedding was asked for is bounded by that embedding's rows (two integer inputs with the
same example values are both bounded: narrower, never out of range).
"""

from __future__ import annotations

import torch


def embedding_bounds(model: torch.nn.Module, example: tuple[torch.Tensor, ...]) -> dict[int, int]:
    """{input index: largest valid value} for the integer inputs that index an embedding."""
    integer = {i: set(e.flatten().tolist()) for i, e in enumerate(example)
               if not e.is_floating_point() and e.numel()}
    if not integer:
        return {}
    bounds: dict[int, int] = {}

    def seen(module: torch.nn.Embedding, args) -> None:
        indices = set(args[0].flatten().tolist()) if args and isinstance(args[0], torch.Tensor) else set()
        for i, values in integer.items():
            if indices and indices == values:
                bounds[i] = min(bounds.get(i, module.num_embeddings - 1), module.num_embeddings - 1)

    hooks = [m.register_forward_pre_hook(seen) for m in model.modules() if isinstance(m, torch.nn.Embedding)]
    try:
        with torch.no_grad():
            model(*example)
    except Exception:  # noqa: BLE001 - the model's own failure is reported where it is captured
        return {}
    finally:
        for hook in hooks:
            hook.remove()
    return bounds
