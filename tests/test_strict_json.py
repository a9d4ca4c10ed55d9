"""Reports are strict JSON: non-finite numbers are strings that read back as floats."""

import json
import math

import numpy as np
import pytest

from sdk.report.strict_json import dumps, read_json, write_json

pytestmark = [pytest.mark.unit]


def test_non_finite_numbers_are_written_as_strings_any_parser_accepts(tmp_path):
    report = {"max": float("nan"), "rows": [np.float32("inf"), -math.inf, 1.5, np.float64(2.0)],
              "nested": {"x": (np.float32("nan"), 3)}, "passed": False, "name": "NaN-free"}
    text = dumps(report)
    parsed = json.loads(text, parse_constant=lambda token: pytest.fail(f"bare {token} in {text}"))
    assert parsed["max"] == "NaN" and parsed["rows"][:2] == ["Infinity", "-Infinity"]
    assert parsed["rows"][2:] == [1.5, 2.0] and parsed["nested"]["x"] == ["NaN", 3]
    write_json(tmp_path / "r.json", report)
    back = read_json(tmp_path / "r.json")
    assert math.isnan(back["max"]) and back["rows"][:2] == [math.inf, -math.inf]
    assert back["passed"] is False and back["name"] == "NaN-free"


def test_reading_a_bare_nan_token_is_an_error(tmp_path):
    (tmp_path / "old.json").write_text('{"max": NaN}')
    with pytest.raises(ValueError, match="bare NaN"):
        read_json(tmp_path / "old.json")
