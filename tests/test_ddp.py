"""Data parallelism: 2 gloo processes take the same optimizer step as one process on the
whole batch (same global batch, each rank a slice, DDP averages the gradients) — for
teacher training and for a progressive-distillation step."""

from __future__ import annotations

import copy
import os
import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from sdk.data.datasets import load_dataset
from sdk.diffusion.loop import world
from sdk.diffusion.progressive import distill_loss
from sdk.diffusion.schedule import CosineSchedule
from sdk.diffusion.train import TeacherConfig, teacher_loss

pytestmark = [pytest.mark.unit, pytest.mark.slow]

CONFIG = TeacherConfig(width=8, mults=[1, 2], emb_dim=16, groups=4, batch=8, steps=1, seed=3,
                       prediction="v")


def _fresh_model():
    torch.manual_seed(CONFIG.seed)
    return CONFIG.make_model()


def _one_step(kind: str, model, rank: int, size: int):
    data, _ = load_dataset(CONFIG.dataset)
    teacher = copy.deepcopy(model).eval()  # the distillation teacher: the same initial weights
    net = torch.nn.parallel.DistributedDataParallel(model) if size > 1 else model
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    if kind == "train":
        loss = teacher_loss(net, CosineSchedule(), CONFIG, data, step=0, rank=rank, size=size)
    else:
        loss = distill_loss(teacher, net, CosineSchedule(), CONFIG.prediction, data,
                            student_steps=2, batch=CONFIG.batch, gen=torch.Generator().manual_seed(5),
                            rank=rank, size=size)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return model


def _worker(rank: int, size: int, port: int, kind: str, out: str):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank),
                      WORLD_SIZE=str(size))
    torch.set_num_threads(1)
    got_rank, got_size = world()
    assert (got_rank, got_size) == (rank, size)
    model = _one_step(kind, _fresh_model(), rank, size)
    if rank == 0:
        torch.save(model.state_dict(), out)
    dist.destroy_process_group()


@pytest.mark.parametrize("kind", ["train", "distill"])
def test_two_gloo_processes_match_one_process_step(tmp_path, kind):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "ddp.pt"
    mp.spawn(_worker, args=(2, port, kind, str(out)), nprocs=2, join=True)
    ddp = torch.load(out, weights_only=True)

    single = _one_step(kind, _fresh_model(), rank=0, size=1).state_dict()
    before = _fresh_model().state_dict()
    moved = 0
    for name, value in single.items():
        # Same step up to float32 summation order in the gradient all-reduce.
        torch.testing.assert_close(ddp[name], value, rtol=1e-5, atol=1e-6)
        moved += int(not torch.equal(value, before[name]))
    assert moved > 0  # the step did change the weights
