"""Classifier-based recognisability of a checkpoint's samples, next to a reference checkpoint.

For N samples from the same noise as `sdk eval --n N --seed S` (same generator, same plan):
- confident: fraction the eval classifier labels with max softmax >= 0.9 (the threshold
  sdk eval's classes_covered uses), for the checkpoint and for the reference;
- agree: fraction whose predicted class equals the reference checkpoint's sample from the
  same noise (deterministic DDIM: the reference's label is the digit this noise "should" be).

    python docs/quality/recognisable.py CKPT REFERENCE_CKPT SEED [N]
"""

from __future__ import annotations

import json
import sys

import torch

from sdk.diffusion import sampling
from sdk.diffusion.checkpoint import load_checkpoint
from sdk.diffusion.quality import eval_cache_dir, train_classifier


def class_probabilities(classifier, path: str, seed: int, n: int) -> torch.Tensor:
    ckpt, config, model = load_checkpoint(path)
    noise = torch.randn((n, *config.sample_shape), generator=torch.Generator().manual_seed(seed))
    plan = sampling.plan_for(config.prediction, ckpt.get("sampling_steps", 50))
    with torch.no_grad():
        return torch.softmax(classifier(sampling.sample(model, plan, noise)), 1)


def main(ckpt: str, reference: str, seed: int, n: int = 256) -> dict:
    classifier, _ = train_classifier("digits16", eval_cache_dir())
    p, ref = (class_probabilities(classifier, path, seed, n) for path in (ckpt, reference))
    return {"checkpoint": ckpt, "seed": seed,
            "confident": float((p.max(1).values >= 0.9).float().mean()),
            "ref_confident": float((ref.max(1).values >= 0.9).float().mean()),
            "agree": float((p.argmax(1) == ref.argmax(1)).float().mean())}


if __name__ == "__main__":
    args = sys.argv[1:]
    print(json.dumps(main(args[0], args[1], int(args[2]), *(int(a) for a in args[3:]))))
