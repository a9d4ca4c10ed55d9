"""Score the photo denoiser on the board: `python examples/photo_denoiser/evaluate.py
[--target nucleo-f446re] [--crops 4]`.

Builds model.py for the target (on NUCLEO-F446RE the fit check tiles it), starts the
emulated board and, for 64x64 crops along the diagonal of each held-out photo
(sdk/denoise/photos.py HELD_OUT) with seeded noise of sigma 25, denoises them on the board;
scores the noisy crop, the two classical denoisers and the board's output with PSNR and
SSIM against the clean crop (sdk/denoise/scores.py). Prints the table (mean over crops) in
docs/QUALITY.md's form, checks the board against torch, and writes results.json and
compare.png (noisy / TV / wavelet / ours / clean, one crop per photo) beside this file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from sdk.compile.build import build
from sdk.denoise.patches import SIGMA, add_noise, center_crops
from sdk.denoise.photos import HELD_OUT, photo
from sdk.denoise.scores import classical, score
from sdk.runner.board import open_board

HERE = Path(__file__).resolve().parent
METHODS = ("noisy", "tv_chambolle", "wavelet", "ours (board)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="nucleo-f446re")
    parser.add_argument("--crops", type=int, default=4)
    parser.add_argument("--build-dir", type=Path, default=Path("build"))
    args = parser.parse_args()
    import model as spec  # examples/photo_denoiser/model.py, on sys.path as this script's folder

    manifest = build(str(HERE / "model.py"), args.target, args.build_dir)
    rng = np.random.default_rng(25)
    scores: dict[str, list[tuple[float, float]]] = {m: [] for m in METHODS}
    panels, worst = [], 0.0
    with open_board(manifest, True, None, timeout=60) as board:
        for name in HELD_OUT:
            for k, clean in enumerate(center_crops(photo(name), spec.SIZE, args.crops)):
                noisy = add_noise(clean, rng)
                board.write_input(0, noisy[None, None])
                board.run()
                ours = board.read_output(0)[0, 0].astype(np.float64)
                with torch.no_grad():
                    worst = max(worst, float(np.abs(spec.model(torch.from_numpy(noisy)[None, None])[0, 0].numpy() - ours).max()))
                outputs = {"noisy": noisy.astype(np.float64), **classical(noisy, SIGMA), "ours (board)": ours}
                for method in METHODS:
                    scores[method].append(score(clean, outputs[method]))
                if k == args.crops // 2:
                    panels.append([outputs[m] for m in METHODS] + [clean])
    table = {m: {"psnr": float(np.mean([s[0] for s in v])), "ssim": float(np.mean([s[1] for s in v]))}
             for m, v in scores.items()}
    result = {"target": args.target, "tiling": manifest.tiling, "held_out": list(HELD_OUT),
              "crops": args.crops * len(HELD_OUT), "sigma": SIGMA, "board_vs_torch_max_abs": worst,
              "scores": table}
    (HERE / "results.json").write_text(json.dumps(result, indent=1))
    for m, v in table.items():
        print(f"| {m} | {v['psnr']:.2f} | {v['ssim']:.4f} |")
    print(f"board vs torch: max |difference| {worst:.2e}; tiling: {manifest.tiling}")
    _picture(panels, HERE / "compare.png")


def _picture(panels, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    titles = [*METHODS, "clean"]
    fig, axes = plt.subplots(len(panels), len(titles), figsize=(2 * len(titles), 2 * len(panels)), squeeze=False)
    for row, images in zip(axes, panels):
        for ax, image, title in zip(row, images, titles):
            ax.imshow(np.clip(image, 0, 1), cmap="gray", vmin=0, vmax=1)
            ax.set_axis_off()
            ax.set_title(title, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
