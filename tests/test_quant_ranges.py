"""int8 ranges that cover what a model will be fed (sdk/quant/ranges.py) and calibration
inputs drawn from the generator validation uses (sdk/quant/calibration.py).

The counts below come from seeded draws, so they are fixed numbers, checked against what
the rule's arithmetic says they should be: the envelope of N inputs is exceeded by M fresh
ones about M/(N+1) times per side, the covered range about M/calls times."""

from __future__ import annotations

import numpy as np
import pytest

from sdk.models import load_model
from sdk.quant.calibration import CALIBRATION_SAMPLES, calibration_inputs
from sdk.quant.ranges import COVERED_CALLS, covered_range

pytestmark = [pytest.mark.unit]

N, FRESH, ELEMENTS = 1024, 20_000, 256


def _extremes(rng, n):
    x = rng.standard_normal((n, ELEMENTS))
    return x.min(axis=1), x.max(axis=1)


def test_gaussian_tails_are_covered_where_the_envelope_is_not():
    """Per-input extremes of 256 standard normals (an image of noise): fresh inputs pass
    the calibration envelope about FRESH/(N+1) ≈ 20 times per side, the covered range about
    FRESH/COVERED_CALLS = 0.2 times (the exponential tail it assumes is heavier than a
    Gaussian's, so fewer)."""
    rng = np.random.default_rng(0)
    mins, maxs = _extremes(rng, N)
    low, high = covered_range(mins, maxs)
    fresh_mins, fresh_maxs = _extremes(rng, FRESH)
    past_envelope = int((fresh_maxs > maxs.max()).sum() + (fresh_mins < mins.min()).sum())
    past_range = int((fresh_maxs > high).sum() + (fresh_mins < low).sum())
    assert past_envelope >= 5  # 2·FRESH/(N+1) ≈ 39 on average over calibration draws; 16 here
    assert past_range <= 2  # expected ≤ 2·FRESH/COVERED_CALLS = 0.4
    # and no wider than needed: the normal quantile at 1/(256·COVERED_CALLS) is 5.9σ
    assert 4.5 < high < 7.0 and -7.0 < low < -4.5


def test_bounded_sides_keep_their_bound_and_the_range_is_never_narrower():
    rng = np.random.default_rng(1)
    relu = np.maximum(rng.standard_normal((N, ELEMENTS)), 0)
    low, high = covered_range(relu.min(axis=1), relu.max(axis=1))
    assert low == 0.0 and high >= relu.max()
    weights = np.tile(np.array([[-0.5, 0.25]]), (N, 1))  # a constant: the same every input
    low, high = covered_range(weights, weights)
    np.testing.assert_array_equal(low, [-0.5, 0.25])
    np.testing.assert_array_equal(high, [-0.5, 0.25])
    few = rng.standard_normal((4, 3))  # too few inputs to fit a tail: the envelope
    low, high = covered_range(few, few)
    np.testing.assert_array_equal(low, few.min(axis=0))
    np.testing.assert_array_equal(high, few.max(axis=0))


@pytest.mark.parametrize("model", ["dncnn", "unet"])
def test_calibration_covers_the_inputs_sdk_validate_feeds(model):
    """A model without a sampler calibrates on its own input generator (another seed), and
    its image input's covered range holds every image `sdk validate` makes for seeds 0-19
    (16 samples each). The 64-input envelope the export used before did not: seed 0's
    second image has a pixel of 4.03 against a range ending at 2.97."""
    spec = load_model(model)
    calibration = calibration_inputs(spec, CALIBRATION_SAMPLES, seed=1)
    assert len(calibration) == CALIBRATION_SAMPLES
    for ours, theirs in zip(calibration, spec.sample_inputs(CALIBRATION_SAMPLES, 1)):  # the generator
        for a, b in zip(ours, theirs):
            np.testing.assert_array_equal(a, b.numpy())
    images = np.stack([x[0] for x in calibration]).reshape(len(calibration), -1)
    low, high = covered_range(images.min(axis=1), images.max(axis=1))
    validated = np.stack([x[0].numpy() for seed in range(20) for x in spec.sample_inputs(16, seed)])
    assert low <= validated.min() and validated.max() <= high
    old = np.stack([x[0] for x in calibration_inputs(spec, 64, seed=1)])
    assert validated.max() > old.max() or validated.min() < old.min()  # what failed before
