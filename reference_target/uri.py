"""The ``memory`` target URI: ``memory``, ``memory:/<namespace>``, ``memory:///<path>``, and the
``latency`` option.

Clients whose URIs name the same namespace share one store, as clients of one server would.
``memory:///absolute/path/to/store.db`` (``memory://``, then an absolute path, so three slashes)
keeps the store in that SQLite file instead: it outlives the process, and every process that
names the file shares it. The path is percent-decoded (``%20`` for a space, ``%3F`` for '?').
``latency=<seconds>`` makes every create, update and delete wait that long before completing;
it does not pick the store, so ``memory:/slow`` and ``memory:/slow?latency=1`` share one.
"""

from __future__ import annotations

import math
import os
import re
import urllib.parse
from dataclasses import dataclass

import conformance.api as api
from reference_target.names import validate_name

__all__ = [
    "DEFAULT_NAMESPACE",
    "MAX_LATENCY_SECONDS",
    "QUERY_OPTIONS",
    "SCHEME",
    "TargetSettings",
    "parse_target_uri",
]

SCHEME = "memory"
DEFAULT_NAMESPACE = "default"
QUERY_OPTIONS = ("latency",)
# An hour: longer than any test wants to wait, and far below what time.sleep() can take.
MAX_LATENCY_SECONDS = 3600.0
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

_FORMS = (
    "Write 'memory', 'memory:/<namespace>' (kept in this process) or "
    "'memory:///<absolute path of a store file>' (kept in that SQLite file), each optionally "
    "followed by '?latency=<seconds>' (for example 'memory:/team-a?latency=0.5' or "
    "'memory:///var/lib/mlflow/deployments.db')."
)


@dataclass(frozen=True)
class TargetSettings:
    """What a ``memory`` URI asks for: which store, and how slow its changes are.

    ``path`` is the absolute path of a durable store's SQLite file, and then also its
    ``namespace``; None keeps the store in this process.
    """

    namespace: str = DEFAULT_NAMESPACE
    latency: float = 0.0
    path: str | None = None


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
    if not math.isfinite(latency) or not 0 <= latency <= MAX_LATENCY_SECONDS:
        raise _invalid(
            target_uri,
            f"latency must be a number of seconds from 0 to {MAX_LATENCY_SECONDS:g}; "
            f"got {values[0]!r}",
        )
    return latency


def _unquote(target_uri: str, text: str, what: str) -> str:
    """``text`` percent-decoded; escapes that are not UTF-8 raise rather than change it."""
    try:
        # Strict: an escape such as %ED%A0%80 (a lone surrogate) would otherwise become
        # replacement characters, and so silently name another file or namespace.
        return urllib.parse.unquote(text, errors="strict")
    except UnicodeDecodeError as error:
        raise _invalid(
            target_uri,
            f"the {what}'s percent escapes are not UTF-8 ({error.reason}); percent-encode "
            "its UTF-8 bytes",
        ) from None


def _store_path(target_uri: str, parts: urllib.parse.SplitResult) -> str:
    """The absolute path of ``memory:///<path>``; anything else after '://' raises."""
    if parts.netloc:
        raise _invalid(
            target_uri,
            "a namespace follows ':/', not '://'; a store file follows 'memory://' as an "
            "absolute path, so with three slashes, such as 'memory:///tmp/store.db' (a "
            f"relative path such as {parts.netloc + parts.path!r} cannot be used)",
        )
    path = _unquote(target_uri, parts.path, "store path")
    if not path:
        raise _invalid(
            target_uri, "'memory://' must be followed by the absolute path of a store file"
        )
    if path.endswith("/"):
        raise _invalid(
            target_uri,
            f"{path!r} names a directory; name a file in it, such as "
            f"'memory://{path.rstrip('/')}/store.db'",
        )
    control = _CONTROL.search(path)
    if control is not None:
        raise _invalid(
            target_uri, f"the store path holds the control character {control.group()!r}"
        )
    return os.path.normpath(path)


def parse_target_uri(target_uri: object) -> TargetSettings:
    """The store (namespace or file) and latency named by ``target_uri``; malformed raises."""
    if not isinstance(target_uri, str):
        raise _invalid(target_uri, f"it is a {type(target_uri).__name__}, not a str")
    parts = urllib.parse.urlsplit(target_uri)
    path = None
    if parts.scheme:
        if parts.scheme != SCHEME:
            raise _invalid(target_uri, f"the scheme is {parts.scheme!r}, not {SCHEME!r}")
        # urlsplit drops an empty authority, so only the text tells 'memory:///p' from 'memory:/p'.
        if target_uri[len(SCHEME) + 1 :].startswith("//"):
            path = _store_path(target_uri, parts)
            namespace = path
        else:
            namespace = _unquote(target_uri, parts.path, "namespace").strip("/")
            namespace = namespace or DEFAULT_NAMESPACE
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
    if path is None:
        validate_name(namespace, "namespace")
    return TargetSettings(namespace=namespace, latency=latency, path=path)
