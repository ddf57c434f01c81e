"""Loaded models kept per process, bounded by count and by size.

A durable store keeps model URIs, not models: a deployment read from the file carries a
:class:`StoredModel`, which loads its model on first use through this cache, keyed by model
URI and flavor. The client loads a new model before it writes, and that model goes into the
cache, so a process that deploys a model never loads it twice. The cache keeps the most
recently used models, at most :data:`MODEL_CACHE_SIZE` of them and at most
:data:`MODEL_CACHE_BYTES` of their estimated size (see :meth:`Model.footprint`); a deleted
deployment's model is dropped from it at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import pandas as pd

from reference_target.models import Model, load_model

__all__ = [
    "MODEL_CACHE_BYTES",
    "MODEL_CACHE_SIZE",
    "StoredModel",
    "cached_bytes",
    "cached_model",
    "clear_model_cache",
    "forget_model",
    "remember_model",
]

MODEL_CACHE_SIZE = 32
MODEL_CACHE_BYTES = 64 * 1024 * 1024

_Key = tuple[str, str]
_models: OrderedDict[_Key, tuple[Model, int]] = OrderedDict()
_models_lock = threading.Lock()
_cached_bytes = 0


def remember_model(model_uri: str, flavor: str, model: Model) -> None:
    """Keep ``model`` as the most recent, dropping the least recent beyond either bound."""
    global _cached_bytes
    key = (model_uri, flavor)
    size = model.footprint()
    with _models_lock:
        previous = _models.pop(key, None)
        if previous is not None:
            _cached_bytes -= previous[1]
        _models[key] = (model, size)
        _cached_bytes += size
        # The newest model stays even when it alone passes the byte bound: it is in use.
        while len(_models) > 1 and (
            len(_models) > MODEL_CACHE_SIZE or _cached_bytes > MODEL_CACHE_BYTES
        ):
            _, (_, dropped) = _models.popitem(last=False)
            _cached_bytes -= dropped


def forget_model(model_uri: str, flavor: str) -> None:
    """Stop keeping the model of ``model_uri``; it is loaded again if it is scored again."""
    global _cached_bytes
    with _models_lock:
        dropped = _models.pop((model_uri, flavor), None)
        if dropped is not None:
            _cached_bytes -= dropped[1]


def cached_model(model_uri: str, flavor: str) -> Model:
    """The model at ``model_uri``, loaded once per process while it stays among the recent."""
    with _models_lock:
        entry = _models.get((model_uri, flavor))
        if entry is not None:
            _models.move_to_end((model_uri, flavor))
            return entry[0]
    # Loaded outside the lock: a slow load must not hold up predictions of other models.
    model = load_model(model_uri, flavor)
    remember_model(model_uri, flavor, model)
    return model


def cached_bytes() -> int:
    """The estimated size of the models kept now."""
    return _cached_bytes


def clear_model_cache() -> None:
    """Forget every loaded model: each is loaded again from its URI when next scored."""
    global _cached_bytes
    with _models_lock:
        _models.clear()
        _cached_bytes = 0


@dataclass(frozen=True)
class StoredModel(Model):
    """A deployment's model as a store file knows it: a URI, loaded when first used."""

    model_uri: str
    flavor: str

    def predict(self, frame: pd.DataFrame, params: Any = None) -> Any:
        return cached_model(self.model_uri, self.flavor).predict(frame, params)

    def explain(self, frame: pd.DataFrame) -> dict[str, Any]:
        return cached_model(self.model_uri, self.flavor).explain(frame)
