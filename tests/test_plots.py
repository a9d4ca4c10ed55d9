"""The validation picture: a diffusion build shows the clean digit behind each side's output
(the x̂0 its sampler computes), and no text of a row overlaps another."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from sdk.diffusion import sampling
from sdk.report.plots import _panels, save_validation_grid
from sdk.verify.validate import SampleRecord

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

pytestmark = pytest.mark.unit

EPS32 = float(np.finfo(np.float32).eps)


def _records(n: int, error: float, steps: int = 4) -> list[SampleRecord]:
    rng = np.random.default_rng(0)
    records = []
    for i in range(n):
        x = rng.standard_normal((1, 1, 16, 16)).astype(np.float32)
        reference = rng.standard_normal((1, 1, 16, 16)).astype(np.float32)
        output = (reference + error * rng.standard_normal(reference.shape)).astype(np.float32)
        records.append(SampleRecord((x, np.array([float(i % steps)], np.float32)), reference, output))
    return records


@pytest.mark.parametrize("prediction", ["v", "eps", "flow"])
def test_diffusion_rows_show_the_samplers_clean_estimate(prediction):
    plan = sampling.plan_for(prediction, 4)
    for rec in _records(4, 1e-3):
        step = int(rec.inputs[1][0])
        (_, state, _), (_, torch_x0, _), (_, device_x0, _), (title, error, _) = _panels(rec, plan)
        x = rec.inputs[0].astype(np.float64)
        a, s = plan.coefficients[step][:2]
        if prediction == "flow":  # x0 = x − s·v at the flow time s (the Euler plan starts at s = 1)
            tau = plan.times[step] / sampling.FLOW_TIME_SCALE
            expect = [x - tau * out for out in (rec.reference, rec.output)]
        elif prediction == "v":  # the sampler's x̂0 = a·x − s·v
            expect = [a * x - s * out for out in (rec.reference, rec.output)]
        else:  # x̂0 = (x − s·ε) / a
            expect = [(x - s * out) / a for out in (rec.reference, rec.output)]
        expect = [np.clip(e, -1, 1)[0, 0] for e in expect]
        # the same formula in float32 with a, s rounded independently: a few ulps of the terms
        terms = float((np.abs(x) + np.abs(rec.reference) + np.abs(rec.output)).max())
        bound = 8 * EPS32 * terms / (a if prediction == "eps" else 1.0)
        np.testing.assert_allclose(torch_x0, expect[0], rtol=0, atol=bound)
        np.testing.assert_allclose(device_x0, expect[1], rtol=0, atol=bound)
        np.testing.assert_array_equal(state, rec.inputs[0][0, 0])
        np.testing.assert_array_equal(error, np.abs(device_x0 - torch_x0))
        assert f"max {np.abs(device_x0 - torch_x0).max():.1e}" in title


def test_other_models_show_their_raw_tensors():
    rec = _records(1, 1e-6)[0]
    (_, first, _), (_, torch_side, _), (_, device, _), (_, error, _) = _panels(rec, None)
    np.testing.assert_array_equal(first, rec.inputs[0][0, 0])
    np.testing.assert_array_equal(torch_side, rec.reference[0, 0])
    np.testing.assert_array_equal(device, rec.output[0, 0])
    np.testing.assert_array_equal(error, np.abs(rec.output - rec.reference)[0, 0])


@pytest.mark.parametrize("diffusion", [False, True])
@pytest.mark.parametrize("error", [1e-6, 1e-3, 1.0])
def test_no_text_overlaps_in_the_picture(tmp_path, monkeypatch, error, diffusion):
    figures = []
    monkeypatch.setattr(plt, "close", figures.append)  # keep the figure save_validation_grid drew
    sampler = sampling.plan_for("v", 4) if diffusion else None
    assert save_validation_grid(_records(4, error), tmp_path / "v.png", sampler=sampler) == tmp_path / "v.png"
    figure = figures[0]
    renderer = figure.canvas.get_renderer()
    drawn = [[ax.title] + ([ax.yaxis.get_offset_text(), *ax.get_yticklabels()] if ax.axison else [])
             for ax in figure.axes]  # images have their axes off: only the colour bars have ticks
    texts = [t for row in drawn for t in row if t.get_visible() and t.get_text()]
    texts += [figure._suptitle] if figure._suptitle is not None else []
    boxes = [t.get_window_extent(renderer) for t in texts]
    clashes = [(texts[i].get_text(), texts[j].get_text()) for i in range(len(boxes))
               for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]
    plt.close("all")
    assert clashes == []
