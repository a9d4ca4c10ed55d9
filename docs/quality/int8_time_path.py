"""The demo student's time path in int8 (Q-Diffusion) vs float up to the blocks' projections
(TFMQ-DM), both tabulated over timesteps 0..999 (codegen/passes/int8_time_tables.py), FD at
N = 256 for seeds 0-2 from the bit-exact numpy graph (README "int8 on the microcontrollers"):

    python docs/quality/int8_time_path.py OUT.json    (about 15 min on one core)
"""
import copy
import json
import sys

import numpy as np
import torch

from codegen.capture import capture
from codegen.interpret import run_graph
from codegen.passes import CompileOptions, PrecisionPolicy, run_passes
from sdk.diffusion.checkpoint import load_checkpoint
from sdk.diffusion.quality import evaluate_samples, eval_cache_dir
from sdk.diffusion.sampling import run_plan
from sdk.models import load_model
from sdk.quant.calibration import calibration_inputs
from sdk.compile.int8_summary import time_table_bytes

CK = "examples/demo/digits_4steps.pt"
spec = load_model(CK)
plan = spec.sampler
_, config, module = load_checkpoint(CK)
cal = [(x, np.array([plan.times[int(s.reshape(-1)[0])]], np.float32)) for x, s in calibration_inputs(spec, 64, 7_000_001)]
captured = capture(module, (torch.zeros(1, *config.sample_shape), torch.tensor([999.0])))


class TimestepGraph:
    """The graph as the sampler's model(x, t): here the time input is the timestep itself."""

    def __init__(self, graph):
        self.graph = graph

    def __call__(self, x, t):
        out = run_graph(self.graph, [x.numpy(), t.numpy().astype(np.float32)])[0]
        return torch.from_numpy(out.astype(np.float32).reshape(x.shape))


out = {}
for mode in (False, True):
    g = run_passes(copy.deepcopy(captured), CompileOptions(PrecisionPolicy("int8"), calibration=cal, time_steps=1000, int8_time_path=mode))
    name = "int8_mlp" if mode else "float_path"
    out[name] = {"table_bytes": time_table_bytes(g), "fd": []}
    for seed in (0, 1, 2):
        noise = torch.randn((256, *config.sample_shape), generator=torch.Generator().manual_seed(seed))
        with torch.no_grad():
            samples = torch.cat([run_plan(plan, TimestepGraph(g), noise[i:i + 1]) for i in range(256)])
        r = evaluate_samples(samples, config.dataset, eval_cache_dir())
        out[name]["fd"].append(r.to_dict()["fd"])
        print(name, seed, out[name], flush=True)
json.dump(out, open(sys.argv[1], "w"), indent=1)
