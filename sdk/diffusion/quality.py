"""Sample quality, measured the same way for every row of every table.

Features come from a small classifier the project trains itself on the same data (there
is no Inception network offline, and Inception features of 16x16 digits would mean
little). On its penultimate features: Fréchet distance (FD) and kernel inception distance
(KID, unbiased MMD² with the cubic polynomial kernel) between N samples and the training
set; the classifier's confidence on the samples; and a nearest-neighbour memorisation
check in pixel space.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from scipy import linalg
from torch import nn

from sdk.data.datasets import load_dataset

CLASSIFIER_STEPS = 1500
EVAL_CACHE_ENV = "EDGEDIFF_EVAL_CACHE"  # where the feature classifiers are cached (tests: a temp dir)


def eval_cache_dir() -> Path:
    """The classifier cache: $EDGEDIFF_EVAL_CACHE, or build/eval under the working directory."""
    return Path(os.environ.get(EVAL_CACHE_ENV) or Path("build") / "eval")
KID_SUBSETS = 20


class FeatureClassifier(nn.Module):
    """Two conv layers and two dense layers; `features` is the 64-d penultimate layer."""

    def __init__(self, signal_1d: bool):
        super().__init__()
        k, pool = ((1, 3), (1, 2)) if signal_1d else (3, 2)
        pad = (0, 1) if signal_1d else 1
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, k, padding=pad), nn.ReLU(), nn.MaxPool2d(pool),
            nn.Conv2d(16, 32, k, padding=pad), nn.ReLU(), nn.MaxPool2d(pool), nn.Flatten(),
            nn.LazyLinear(64), nn.ReLU())
        self.head = nn.Linear(64, 10)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x if x.dim() == 4 else x[:, :, None, :])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def _as_images(x: torch.Tensor) -> torch.Tensor:
    return x if x.dim() == 4 else x[:, :, None, :]


def train_classifier(dataset: str, cache_dir: Path, seed: int = 0) -> tuple[FeatureClassifier, float]:
    """The dataset's feature classifier and its held-out accuracy, trained once and cached."""
    path = Path(cache_dir) / f"classifier_{dataset}.pt"
    data, labels = load_dataset(dataset)
    data = _as_images(data)
    model = FeatureClassifier(signal_1d=dataset == "mnist1d")
    model(data[:2])  # materialise the lazy layer
    if path.is_file():
        saved = torch.load(path, map_location="cpu", weights_only=True)
        model.load_state_dict(saved["state_dict"])
        return model.eval(), float(saved["test_accuracy"])
    gen = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(data), generator=gen)
    test, train = order[: len(data) // 5], order[len(data) // 5:]
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    for step in range(CLASSIFIER_STEPS):
        idx = train[torch.randint(len(train), (128,), generator=gen)]
        x = data[idx] + 0.05 * torch.randn(data[idx].shape, generator=gen)  # robust to sampler noise
        loss = nn.functional.cross_entropy(model(x), labels[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        accuracy = float((model(data[test]).argmax(1) == labels[test]).float().mean())
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")  # parallel runs: no half file read
    torch.save({"state_dict": model.state_dict(), "test_accuracy": accuracy}, partial)
    os.replace(partial, path)
    return model, accuracy


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root, _ = linalg.sqrtm(cov_a @ cov_b, disp=False)
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * np.real(root)))


def kernel_distance(a: np.ndarray, b: np.ndarray, seed: int = 0) -> float:
    """KID: unbiased MMD² with k(x, y) = (x·y/d + 1)³, mean over random equal-size subsets."""
    rng = np.random.default_rng(seed)
    m = min(len(a), len(b), 200)
    d = a.shape[1]
    estimates = []
    for _ in range(KID_SUBSETS):
        x = a[rng.choice(len(a), m, replace=False)]
        y = b[rng.choice(len(b), m, replace=False)]
        kxx, kyy, kxy = ((x @ x.T) / d + 1) ** 3, ((y @ y.T) / d + 1) ** 3, ((x @ y.T) / d + 1) ** 3
        off = ~np.eye(m, dtype=bool)
        estimates.append(kxx[off].mean() + kyy[off].mean() - 2 * kxy.mean())
    return float(np.mean(estimates))


@dataclass
class QualityReport:
    samples: int
    fd: float
    kid: float
    confidence: float          # mean max softmax probability on the samples
    classes_covered: int       # distinct predicted classes among confident samples
    memorised_fraction: float  # samples closer to a training image than training images are to each other (5th pct)
    classifier_test_accuracy: float

    def to_dict(self) -> dict:
        return asdict(self)


def evaluate_samples(samples: torch.Tensor, dataset: str, cache_dir: Path) -> QualityReport:
    classifier, accuracy = train_classifier(dataset, cache_dir)
    data, _ = load_dataset(dataset)
    with torch.no_grad():
        real = classifier.features(_as_images(data)).numpy().astype(np.float64)
        fake = classifier.features(_as_images(samples)).numpy().astype(np.float64)
        probs = torch.softmax(classifier(_as_images(samples)), 1)
    # Standardise both with the training set's statistics, so FD and KID are in units of the
    # real features' spread whatever the classifier's scale.
    mean, std = real.mean(0), real.std(0) + 1e-6
    real, fake = (real - mean) / std, (fake - mean) / std
    confident = probs.max(1).values > 0.9
    flat_real, flat_fake = data.flatten(1), samples.flatten(1)
    nn_fake = torch.cdist(flat_fake, flat_real).min(1).values
    real_d = torch.cdist(flat_real[:500], flat_real)
    real_d[torch.arange(500), torch.arange(500)] = float("inf")
    threshold = torch.quantile(real_d.min(1).values, 0.05)
    return QualityReport(
        samples=len(samples), fd=frechet_distance(fake, real), kid=kernel_distance(fake, real),
        confidence=float(probs.max(1).values.mean()),
        classes_covered=int(probs.argmax(1)[confident].unique().numel()),
        memorised_fraction=float((nn_fake < threshold).float().mean()),
        classifier_test_accuracy=accuracy)


def _draw(ax, x: np.ndarray) -> None:
    """One sample in [-1, 1]: [C, H, W] an image (one channel grey, three RGB, any other count
    its channels side by side in grey), [C, L] or [C, 1, L] a signal (a curve per channel)."""
    if x.ndim == 3 and x.shape[1] == 1 and x.shape[2] > 1:  # a 1-D model run as height 1
        x = x[:, 0]
    if x.ndim == 3 and x.shape[0] == 3:
        ax.imshow(np.clip((x.transpose(1, 2, 0) + 1) / 2, 0, 1))
    elif x.ndim == 3:
        ax.imshow(np.concatenate(list(x), axis=1), cmap="gray", vmin=-1, vmax=1)
    else:
        ax.plot(x.reshape(-1, x.shape[-1]).T, linewidth=0.8)


def save_grid(samples: torch.Tensor, path: Path, columns: int = 8) -> Path:
    """A PNG of the samples (images, or signals drawn as curves)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(samples)
    rows = (n + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.2, rows * 1.2), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, x in zip(axes.flat, samples):
        _draw(ax, x.numpy())
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)
