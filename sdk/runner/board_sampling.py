"""Samples made on the board by its own sampler (SAMPLE): sample i uses seed + i and the
board's own noise generator (firmware/noise.c). Their host twins: sdk/verify/host_sample.py."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.progress import Progress

from sdk.runner.client import DeviceClient


@dataclass
class BoardSample:
    seed: int
    sample: np.ndarray  # made on the board
    instructions: int  # the whole sampler, all steps


def board_samples(client: DeviceClient, steps: int, n: int, seed: int) -> list[BoardSample]:
    samples = []
    with Progress(transient=True) as progress:
        task = progress.add_task(f"sampling on {client.port_name}", total=n)
        for i in range(n):
            instructions = client.sample(seed + i, device_noise=True, steps=steps)
            samples.append(BoardSample(seed + i, client.read_output(0), instructions))
            progress.advance(task)
    return samples
