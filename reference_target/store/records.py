"""The records a store keeps: immutable deployments and endpoints, and what a listing shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

import conformance.api as api

if TYPE_CHECKING:
    from reference_target.models import Model

__all__ = ["READY", "Deployment", "Endpoint", "deployment_summaries"]

READY = "ready"


def _load_config(config_json: bytes, owner: str) -> dict[str, Any]:
    """A stored config as a fresh dict. Only a store file edited by hand can hold one that is
    not a JSON object; that is reported, not passed on as a raw decode error."""
    try:
        config = orjson.loads(config_json)
    except orjson.JSONDecodeError as error:
        problem = f"is not valid JSON ({error})"
    else:
        if isinstance(config, dict):
            return config
        problem = f"is a JSON {type(config).__name__}, not an object"
    raise api.MlflowException(
        f"The stored config of {owner} {problem}: the store was changed outside the memory "
        "target. Write a JSON object into that config, or delete and create it again.",
        api.ErrorCode.INTERNAL_ERROR,
    )


@dataclass(frozen=True, slots=True)
class Deployment:
    """One deployment. ``config_json`` keeps the config immutable; ``config`` is a fresh copy."""

    name: str
    model_uri: str
    flavor: str
    model: Model
    config_json: bytes = b"{}"
    endpoint: str | None = None
    # The summary a listing shows, built once: listing many deployments then costs one flat
    # copy each. Its values are all str or None, so the GC does not track it or its copies.
    _summary: dict[str, str | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        summary = {
            "name": self.name,
            "flavor": self.flavor,
            "model_uri": self.model_uri,
            "endpoint": self.endpoint,
            "state": READY,
        }
        object.__setattr__(self, "_summary", summary)

    @property
    def config(self) -> dict[str, Any]:
        # Most deployments have no config: a new empty dict is cheaper than parsing b"{}".
        if self.config_json == b"{}":
            return {}
        return _load_config(self.config_json, f"deployment {self.name!r}")

    def to_dict(self) -> dict[str, Any]:
        """The whole deployment as callers see it, ``config`` included: theirs to change."""
        return {
            "name": self.name,
            "flavor": self.flavor,
            "model_uri": self.model_uri,
            "config": self.config,
            "endpoint": self.endpoint,
            "state": READY,
        }


def deployment_summaries(deployments: list[Deployment]) -> list[dict[str, Any]]:
    """What a listing shows: each deployment's dict but ``config``, JSON-able and the caller's.

    Leaving ``config`` out (``get_deployment`` gives it) makes each entry one flat copy of the
    summary built with the record. The copies hold no container, so the cyclic GC does not
    track them: the collections their allocations set off find almost nothing young to scan.
    """
    return [deployment._summary.copy() for deployment in deployments]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One endpoint: a named group of deployments with its own config."""

    name: str
    config_json: bytes = b"{}"

    @property
    def config(self) -> dict[str, Any]:
        return _load_config(self.config_json, f"endpoint {self.name!r}")

    def to_dict(self) -> dict[str, Any]:
        """The endpoint as callers see it: JSON-able, and theirs to change."""
        return {"name": self.name, "config": self.config}
