"""Flash bytes of each binary conv in a build against the same conv stored in FP16.

    python docs/quality/binary_flash.py build/cortex-m55 CHECKPOINT.pt

Binary: the layer's constants in the generated graph (packed sign words, alpha, bias and
the folded output step's per-channel values). FP16: the float conv's weight and bias at 2
bytes each. "weights only" sets the packed words against the FP16 weight alone.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from sdk.diffusion.checkpoint import load_checkpoint

BYTES = {"f32": 4, "f16": 2, "u32": 4}


def main(build: Path, checkpoint: str) -> None:
    model = load_checkpoint(checkpoint)[2]
    graph = json.loads((build / "gen" / "graph.json").read_text())
    tensors = {t["name"]: t for t in graph["tensors"]}
    size = {name: math.prod(t["shape"]) * BYTES[t["dtype"]] for name, t in tensors.items()}
    totals = [0, 0]
    print("| layer | shape | FP16 B | binary B | smaller | weights only |\n| --- | --- | --- | --- | --- | --- |")
    for node in graph["nodes"]:
        if node["op"] not in ("binary_conv2d", "binary_weight_conv2d"):
            continue
        constants = [name for name in node["inputs"][1:] if name in graph["constants"]]
        binary = sum(size[name] for name in constants)
        module = next(name for name in constants if name.endswith(".bias.f16") or name.endswith(".bias"))
        weight = model.get_submodule(module.removesuffix(".f16").removesuffix(".bias")).weight
        fp16 = 2 * (weight.numel() + weight.shape[0])
        totals[0] += fp16
        totals[1] += binary
        print(f"| {module.removesuffix('.f16').removesuffix('.bias')} | {tuple(weight.shape)} | {fp16:,} | "
              f"{binary:,} | {fp16 / binary:.1f}× | {2 * weight.numel() / size[node['inputs'][1]]:.1f}× |")
    print(f"| all binary layers | | {totals[0]:,} | {totals[1]:,} | {totals[0] / totals[1]:.1f}× | |")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
