"""What the ``memory`` target accepts as names, flavors, model URIs and config.

Name policy: a deployment or endpoint name is any ``str`` of 1 to 256 characters with no control
character (Unicode category Cc, such as ``"\\n"`` or ``"\\x00"``) and no lone surrogate (the name
must be encodable as UTF-8). Everything else is accepted, ``"../x"``, spaces and any Unicode
included, and comes back byte for byte: names are dictionary keys and are never used as paths.

Every check here raises ``MlflowException`` with INVALID_PARAMETER_VALUE and a message saying
what to pass instead; the client runs them all before it changes anything.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import orjson

import conformance.api as api

__all__ = [
    "DEFAULT_FLAVOR",
    "DEFAULT_STREAM_CHUNK_SIZE",
    "MAX_MODEL_URI_LENGTH",
    "MAX_NAME_LENGTH",
    "SUPPORTED_FLAVORS",
    "dump_config",
    "stream_chunk_size",
    "validate_config",
    "validate_flavor",
    "validate_model_uri",
    "validate_name",
]

MAX_NAME_LENGTH = 256
# Room for a linear model's most weights written out in full; far beyond any path or URI.
MAX_MODEL_URI_LENGTH = 256 * 1024
DEFAULT_FLAVOR = "python_function"
SUPPORTED_FLAVORS = (DEFAULT_FLAVOR,)
DEFAULT_STREAM_CHUNK_SIZE = 1000

# Unicode category Cc is exactly these two ranges; a regex finds them faster than unicodedata.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _invalid(message: str) -> api.MlflowException:
    return api.MlflowException(message, api.INVALID_PARAMETER_VALUE)


def validate_name(name: object, kind: str = "deployment") -> str:
    """``name`` unchanged when it keeps the name policy; otherwise raise."""
    if not isinstance(name, str):
        raise _invalid(
            f"A {kind} name must be a str; got {type(name).__name__} {name!r}. "
            f"Pass a string of 1 to {MAX_NAME_LENGTH} characters."
        )
    if not name:
        raise _invalid(
            f"A {kind} name must not be empty. Pass a string of 1 to {MAX_NAME_LENGTH} characters."
        )
    if len(name) > MAX_NAME_LENGTH:
        raise _invalid(
            f"A {kind} name may have at most {MAX_NAME_LENGTH} characters; this one has "
            f"{len(name)} ({name[:40]!r}…). Use a shorter name."
        )
    control = _CONTROL.search(name)
    if control is not None:
        raise _invalid(
            f"The {kind} name {name!r} holds the control character {control.group()!r} at "
            f"position {control.start()}. Names may hold any character but control characters."
        )
    surrogate = _SURROGATE.search(name)
    if surrogate is not None:
        raise _invalid(
            f"The {kind} name {name!r} holds a lone surrogate at position {surrogate.start()}, "
            "so it cannot be written as UTF-8. Use a valid Unicode string."
        )
    return name


def validate_model_uri(model_uri: object) -> str:
    """``model_uri`` when it is a non-empty str; otherwise raise."""
    if not isinstance(model_uri, str) or not model_uri.strip():
        raise _invalid(
            f"model_uri must be a non-empty str such as 'reference:/constant?value=1', a local "
            f"path or 'runs:/<run_id>/model'; got {model_uri!r}."
        )
    if len(model_uri) > MAX_MODEL_URI_LENGTH:
        raise _invalid(
            f"model_uri may have at most {MAX_MODEL_URI_LENGTH} characters; this one has "
            f"{len(model_uri)} ({model_uri[:40]!r}…). Use a shorter URI."
        )
    return model_uri


def validate_flavor(flavor: object) -> str:
    """The flavor to use: ``None`` means the default; anything unsupported raises."""
    if flavor is None:
        return DEFAULT_FLAVOR
    if not isinstance(flavor, str) or flavor not in SUPPORTED_FLAVORS:
        raise _invalid(
            f"The memory target does not support flavor {flavor!r}. Supported flavors: "
            f"{', '.join(SUPPORTED_FLAVORS)} (or None for {DEFAULT_FLAVOR})."
        )
    return SUPPORTED_FLAVORS[SUPPORTED_FLAVORS.index(flavor)]


def validate_config(config: object, *, what: str = "config") -> dict[str, Any]:
    """A private, JSON-able copy of ``config`` (``None`` gives ``{}``); anything else raises.

    Known keys are checked too, so a bad value fails when it is set rather than when it is used.
    """
    if config is None:
        return {}
    if not isinstance(config, Mapping):
        raise _invalid(
            f"{what} must be a dict or None; got {type(config).__name__} {config!r}. "
            "Pass a dict such as {'stream_chunk_size': 100}."
        )
    bad_keys = [key for key in config if not isinstance(key, str)]
    if bad_keys:
        raise _invalid(f"{what} keys must be strings; got {bad_keys!r}. Use string keys.")
    try:
        # A JSON round trip both proves the config can be returned as JSON and deep-copies it.
        copied: dict[str, Any] = orjson.loads(orjson.dumps(dict(config)))
    except (orjson.JSONEncodeError, TypeError) as exc:
        raise _invalid(
            f"{what} must hold JSON values only (str, numbers, bool, None, lists, dicts with "
            f"string keys): {exc}."
        ) from exc
    where = _non_finite(config)
    if where is not None:
        # JSON has no NaN or infinity, and writing null instead would change the caller's data.
        raise _invalid(
            f"{what}{where} is not a finite number; JSON holds no NaN or infinity. Pass a "
            "finite number, None or a string such as 'nan'."
        )
    if "stream_chunk_size" in copied:
        stream_chunk_size(copied)
    return copied


def _non_finite(config: Mapping[str, Any]) -> str | None:
    """Where ``config`` (already known to be JSON-able) holds NaN or infinity, or None."""
    # A stack rather than recursion: nesting is bounded only by what orjson accepted.
    pending: list[tuple[str, Any]] = [("", config)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return where
        if isinstance(value, Mapping):
            pending.extend((f"{where}[{key!r}]", item) for key, item in value.items())
        elif isinstance(value, (list, tuple)):
            pending.extend((f"{where}[{index}]", item) for index, item in enumerate(value))
    return None


_EMPTY_CONFIG = b"{}"


def dump_config(config: Mapping[str, Any]) -> bytes:
    """``config`` as JSON bytes: an immutable form that gives a fresh copy on every read."""
    if not config:
        return _EMPTY_CONFIG  # the common case: one shared object, no allocation
    # orjson's result keeps its whole write buffer (4 KiB at least); a stored config keeps
    # only its own bytes.
    return bytes(memoryview(orjson.dumps(config)))


def stream_chunk_size(config: Mapping[str, Any]) -> int:
    """``config["stream_chunk_size"]`` as a positive int (strings from the CLI included)."""
    value = config.get("stream_chunk_size", DEFAULT_STREAM_CHUNK_SIZE)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _invalid(
            f"config['stream_chunk_size'] must be a positive integer; got {value!r}. "
            f"Leave it out for the default, {DEFAULT_STREAM_CHUNK_SIZE}."
        )
    return value
