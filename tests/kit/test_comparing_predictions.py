"""How checks compare predictions: a value that survives a round trip is equal to itself."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from conformance._checks._support import canonical, matches, survives_round_trip

INF, NAN = math.inf, math.nan


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ([1.0, NAN, 3.0], [1.0, NAN, 3.0]),
        ([INF, -INF], [INF, -INF]),
        ([-0.0], [-0.0]),
        ([{"label": "a", "score": NAN}], [{"label": "a", "score": NAN}]),
        (np.array([1.0, NAN]), [1.0, NAN]),
        ([1.0, NAN], [1.0, None]),  # a strict writer spells NaN as null
        (pd.DataFrame({"y": [1.0, INF]}), [{"y": 1.0}, {"y": INF}]),
    ],
)
def test_values_that_survive_match(left: object, right: object) -> None:
    assert matches(left, right)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ([INF], [-INF]),
        ([INF], [NAN]),
        ([{"label": "a", "score": INF}], [{"label": "a", "score": -INF}]),
        ([{"label": "a", "score": NAN}], [{"label": "a", "score": 1.0}]),
        ([1.0, 2.0], [1.0, 2.0, 3.0]),
        (["a"], ["b"]),
    ],
)
def test_values_that_differ_do_not_match(left: object, right: object) -> None:
    assert not matches(left, right)


def test_mlflows_nan_token_round_trip_survives() -> None:
    original = {"predictions": [1.5, NAN, INF, -INF, -0.0]}
    restored = json.loads(json.dumps(original))
    assert restored != original  # a dict's == says NaN differs from itself
    assert survives_round_trip(original, restored)


@pytest.mark.parametrize(
    "restored", [{"predictions": [1.5, 0.0]}, {"predictions": [1.5]}, {"predictions": [INF, 0.0]}]
)
def test_a_lossy_round_trip_does_not_survive(restored: dict[str, object]) -> None:
    assert not survives_round_trip({"predictions": [1.5, NAN]}, restored)


def test_canonical_keeps_non_finite_floats_and_numpy_scalars() -> None:
    value = {"a": np.float32(2.5), "b": np.int64(3), "c": np.array([[NAN, -0.0]])}
    plain = canonical(value)
    assert plain["a"] == 2.5 and type(plain["a"]) is float
    assert plain["b"] == 3 and type(plain["b"]) is int
    assert math.isnan(plain["c"][0][0]) and math.copysign(1.0, plain["c"][0][1]) == -1.0
