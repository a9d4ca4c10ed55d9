"""PSNR and SSIM (skimage.metrics, data range 1) of a denoised image against the clean one,
for the noisy input, two classical denoisers from scikit-image (total variation, Chambolle;
wavelet BayesShrink with the known sigma) and the network."""

from __future__ import annotations

import numpy as np

from sdk.denoise.photos import _skimage


def score(clean: np.ndarray, image: np.ndarray) -> tuple[float, float]:
    _skimage()
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    return (float(peak_signal_noise_ratio(clean, image, data_range=1.0)),
            float(structural_similarity(clean, image, data_range=1.0)))


def classical(noisy: np.ndarray, sigma: float) -> dict[str, np.ndarray]:
    """The classical denoisers' outputs: TV (a fixed weight of 0.08, not tuned per image) and
    wavelet (BayesShrink, soft thresholds, the true sigma)."""
    _skimage()
    from skimage.restoration import denoise_tv_chambolle, denoise_wavelet

    noisy = noisy.astype(np.float64)
    return {"tv_chambolle": denoise_tv_chambolle(noisy, weight=0.08),
            "wavelet": denoise_wavelet(noisy, sigma=sigma / 255.0, method="BayesShrink", mode="soft",
                                       rescale_sigma=True)}
