"""The per-process model cache of durable stores: bounded by count and by size."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reference_target import model_cache
from reference_target.models import load_model


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    model_cache.clear_model_cache()
    yield
    model_cache.clear_model_cache()


def linear(width: int, bias: int = 0) -> str:
    return f"reference:/linear?weights={','.join(['1'] * width)}&bias={bias}"


def test_the_cache_is_bounded_by_the_size_of_its_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_cache, "MODEL_CACHE_BYTES", 100_000)
    for bias in range(10):
        model_cache.cached_model(linear(1000, bias), "python_function")  # ~33 kB each
    assert model_cache.cached_bytes() <= 100_000
    kept = [
        bias for bias in range(10) if (linear(1000, bias), "python_function") in model_cache._models
    ]
    assert kept == [7, 8, 9]  # the most recent


def test_the_cache_is_bounded_by_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_cache, "MODEL_CACHE_SIZE", 4)
    for bias in range(10):
        model_cache.cached_model(linear(1, bias), "python_function")
    assert len(model_cache._models) == 4


def test_a_model_bigger_than_the_bound_is_kept_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_cache, "MODEL_CACHE_BYTES", 1000)
    model_cache.cached_model(linear(1), "python_function")
    big = model_cache.cached_model(linear(100), "python_function")
    assert list(model_cache._models) == [(linear(100), "python_function")]
    assert model_cache.cached_model(linear(100), "python_function") is big


def test_forgetting_a_model_gives_back_its_size() -> None:
    model_cache.cached_model(linear(100), "python_function")
    assert model_cache.cached_bytes() == load_model(linear(100)).footprint()
    model_cache.forget_model(linear(100), "python_function")
    assert model_cache.cached_bytes() == 0
    model_cache.forget_model(linear(100), "python_function")  # twice is no error
