"""The plugin's own traceback: where in the plugin's code a failed check's exception came from.

The kit's machinery (the tracked client, the call runner, the worker thread, the futures that
carry the exception back) is hidden; every other frame is shown, the plugin's own first.
"""

from __future__ import annotations

import os
import traceback
from pathlib import Path

from conformance._recording import Call
from conformance._verdicts import PluginEscape, PluginRaised, describe

__all__ = ["find_plugin_error", "plugin_traceback"]

_KIT = str(Path(__file__).resolve().parent)
_KIT_API = str(Path(__file__).resolve().parent / "api")
_MACHINERY = (
    f"{os.sep}concurrent{os.sep}futures{os.sep}",
    f"{os.sep}threading.py",
    f"{os.sep}importlib{os.sep}",
    "<frozen importlib",
)


def _hidden(frame: traceback.FrameSummary) -> bool:
    filename = frame.filename
    if filename.startswith(_KIT) and not filename.startswith(_KIT_API):
        return True  # the kit's machinery; its API (MlflowException, say) is the plugin's to use
    if filename.startswith(_KIT_API) and frame.name in ("_import", "load_target_module"):
        return True
    return any(part in filename for part in _MACHINERY)


def _relative(filename: str) -> str:
    """A file under the working folder by its relative path, as pytest shows test files."""
    try:
        relative = Path(filename).resolve().relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return filename
    return relative.as_posix()


def _is_kit_verdict(error: BaseException) -> bool:
    return type(error).__module__ == "conformance._verdicts"


def plugin_traceback(error: BaseException, short: bool = False) -> str | None:
    """``error``'s traceback without the kit's frames; None when no frame is left to show.

    ``short`` keeps the innermost frame alone, as pytest's ``--tb=short`` does.
    """
    shown = (
        (frame, line)
        for frame, line in traceback.walk_tb(error.__traceback__)
        if not frame.f_locals.get("__tracebackhide__")
    )
    frames = [frame for frame in traceback.StackSummary.extract(shown) if not _hidden(frame)]
    if not frames:
        return None
    for frame in frames:
        frame.filename = _relative(frame.filename)
    if short:
        frames = frames[-1:]
    lines = ["Traceback (most recent call last):"]
    lines += [line.rstrip("\n") for line in traceback.format_list(frames)]
    lines.append(describe(error))
    return "\n".join(lines)


def find_plugin_error(
    failure: BaseException | None,
    calls: list[Call],
    message: str,
    load_exception: BaseException | None = None,
) -> BaseException | None:
    """The exception plugin code raised that explains the failure, when there is one.

    The failure's own chain first (a call the check expected to work raised); else the last
    recorded call whose exception the message quotes; else what importing the plugin raised,
    when the message is about that.
    """
    seen: set[int] = set()
    current = failure
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, PluginRaised):
            inner = current.error
            return inner.error if isinstance(inner, PluginEscape) else inner
        current = current.__cause__ or current.__context__
    for call in reversed(calls):
        error = call.error
        if error is not None and not _is_kit_verdict(error) and describe(error) in message:
            return error
    if load_exception is not None and "failed to import" in message:
        return load_exception
    return None
