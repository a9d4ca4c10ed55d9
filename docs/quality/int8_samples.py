"""Samples of an int8 (or --precision auto) sampler build, made on the host by its lowered graph in
numpy (for an int8 build: its bit-exact twin), from the
noise `sdk eval` draws for a seed (torch.randn), for docs/QUALITY.md's int8 rows:

    python docs/quality/int8_samples.py CHECKPOINT build/<target>/gen/graph.json SEED N OUT.npy
    sdk eval --checkpoint CHECKPOINT --samples OUT.npy --seed SEED --json build/q/table/<row>_s<SEED>.json

The board makes the same samples bit for bit (sdk/verify/int8_sampler.py; `sdk validate`
checks it on the board's own noise, tests/test_int8_sampler_board.py)."""

from __future__ import annotations

import sys

import numpy as np
import torch

from codegen.ir import Graph
from sdk.diffusion.checkpoint import load_checkpoint
from sdk.diffusion.sampling import run_plan
from sdk.models import load_model
from sdk.verify.int8_sampler import GraphModel


def main(checkpoint: str, graph_path: str, seed: int, n: int, out: str) -> None:
    _, config, _ = load_checkpoint(checkpoint)
    plan = load_model(checkpoint).sampler
    model = GraphModel(Graph.load(graph_path), plan)
    noise = torch.randn((n, *config.sample_shape), generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        samples = [run_plan(plan, model, noise[i:i + 1]).numpy()[0] for i in range(n)]
    np.save(out, np.stack(samples))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
