"""The ``memory`` target URI: ``memory``, ``memory:/<namespace>``, and the ``latency`` option.

Clients whose URIs name the same namespace share one store, as clients of one server would.
``latency=<seconds>`` makes every create, update and delete wait that long before completing;
it does not pick the store, so ``memory:/slow`` and ``memory:/slow?latency=1`` share one.
"""

from __future__ import annotations

import math
import urllib.parse
from dataclasses import dataclass

import conformance.api as api
from reference_target.names import validate_name

__all__ = ["DEFAULT_NAMESPACE", "QUERY_OPTIONS", "SCHEME", "TargetSettings", "parse_target_uri"]

SCHEME = "memory"
DEFAULT_NAMESPACE = "default"
QUERY_OPTIONS = ("latency",)

_FORMS = (
    "Write 'memory', 'memory:/<namespace>' or 'memory:/<namespace>?latency=<seconds>' "
    "(for example 'memory:/team-a?latency=0.5')."
)


@dataclass(frozen=True)
class TargetSettings:
    """What a ``memory`` URI asks for: which store, and how slow its changes are."""

    namespace: str = DEFAULT_NAMESPACE
    latency: float = 0.0


def _invalid(target_uri: object, reason: str) -> api.MlflowException:
    return api.MlflowException(
        f"{target_uri!r} is not a memory target URI: {reason}. {_FORMS}",
        api.INVALID_PARAMETER_VALUE,
    )


def _latency(target_uri: str, values: list[str]) -> float:
    if len(values) > 1:
        raise _invalid(target_uri, "latency is given more than once")
    try:
        latency = float(values[0])
    except ValueError:
        latency = math.nan
    if not math.isfinite(latency) or latency < 0:
        raise _invalid(
            target_uri, f"latency must be a number of seconds, 0 or more; got {values[0]!r}"
        )
    return latency


def parse_target_uri(target_uri: object) -> TargetSettings:
    """The namespace and latency named by ``target_uri``; anything malformed raises."""
    if not isinstance(target_uri, str):
        raise _invalid(target_uri, f"it is a {type(target_uri).__name__}, not a str")
    parts = urllib.parse.urlsplit(target_uri)
    if parts.scheme:
        if parts.scheme != SCHEME:
            raise _invalid(target_uri, f"the scheme is {parts.scheme!r}, not {SCHEME!r}")
        if parts.netloc:
            raise _invalid(target_uri, "a namespace follows ':/', not '://'")
        namespace = urllib.parse.unquote(parts.path).strip("/") or DEFAULT_NAMESPACE
    elif parts.path == SCHEME and not parts.netloc:
        namespace = DEFAULT_NAMESPACE
    else:
        raise _invalid(target_uri, f"it does not start with {SCHEME!r}")
    if parts.fragment:
        raise _invalid(target_uri, "it has a '#' fragment")
    try:
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        if parts.query:
            raise _invalid(target_uri, "its query is not key=value pairs joined by '&'") from None
        query = {}
    unknown = sorted(set(query) - set(QUERY_OPTIONS))
    if unknown:
        raise _invalid(
            target_uri,
            f"unknown option {', '.join(map(repr, unknown))}; "
            f"the only option is {', '.join(QUERY_OPTIONS)}",
        )
    latency = _latency(target_uri, query["latency"]) if "latency" in query else 0.0
    validate_name(namespace, "namespace")
    return TargetSettings(namespace=namespace, latency=latency)
