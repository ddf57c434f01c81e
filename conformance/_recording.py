"""The plugin calls of a run, each attributed to the check or scenario it was made for.

Every call the tracked client makes lands here: its method, its arguments (kept as copies, so a
reproducer can replay them even when the plugin changed what it was given), its outcome and
its duration. A check relies on the scenarios it reads, so its calls are its own plus those of
every scenario it relied on, in the order they were made.

Recording is cheap on purpose: a value is summarised once, in a bounded one-line form, and a
label keeps at most :data:`MAX_CALLS_PER_LABEL` calls, its first ones and its last ones (a
generated check makes thousands, and the example hypothesis shrank to is replayed last).
"""

from __future__ import annotations

import copy
import itertools
import reprlib
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MAX_CALLS_PER_LABEL",
    "WRITES",
    "Call",
    "CallLog",
    "scenario_label",
    "shape_of",
    "summarise",
]

MAX_CALLS_PER_LABEL = 200  # the first half and the last half are kept
# How many calls a check's report entry lists; the rest are counted, not listed.
MAX_CALLS_REPORTED = 60


def scenario_label(key: str) -> str:
    """The label of the calls a scenario made."""
    return f"scenario: {key}"


class _OneLine(reprlib.Repr):
    """reprlib, bounded everywhere, with tabular values as their shape and columns."""

    def __init__(self) -> None:
        super().__init__()
        self.maxstring = 80
        self.maxother = 80
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = 8
        self.maxlevel = 4

    def repr1(self, x: Any, level: int) -> str:
        kind = type(x).__name__
        if kind == "DataFrame" and hasattr(x, "columns"):
            columns = [str(c) for c in list(x.columns)[:8]]
            more = ", ..." if len(x.columns) > 8 else ""
            rows, width = x.shape
            return f"DataFrame({rows}x{width}, columns=[{', '.join(columns)}{more}])"
        if kind in ("Series", "ndarray") and hasattr(x, "shape"):
            return f"{kind}(shape={tuple(x.shape)}, dtype={getattr(x, 'dtype', '?')})"
        return super().repr1(x, level)

    def repr_instance(self, x: Any, level: int) -> str:
        try:
            text = " ".join(repr(x).split())
        except BaseException:  # a plugin's __repr__ may itself raise
            return f"<{type(x).__name__} object>"
        return text if len(text) <= self.maxother else text[: self.maxother - 3] + "..."


_ONE_LINE = _OneLine()


def summarise(value: Any, limit: int = 200) -> str:
    """``value`` on one bounded line: a DataFrame as its shape and columns, never its rows."""
    try:
        text = _ONE_LINE.repr(value)
    except BaseException:
        text = f"<{type(value).__name__} object>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shape_of(value: Any) -> str:
    """The type of ``value``, with a dict's keys: what two runs' answers share when they agree
    in form (the names in them differ from run to run)."""
    if isinstance(value, dict):
        keys = sorted(str(key) for key in list(value)[:20])
        return f"dict[{', '.join(keys)}]"
    return type(value).__name__


def _error_text(error: BaseException) -> tuple[str, str]:
    from conformance._verdicts import describe

    described = describe(error)
    name, _, message = described.partition(": ")
    return name, message


def _kept(value: Any) -> Any:
    """A copy of an argument as it was when the call was made (plain values as they are)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    try:
        return copy.deepcopy(value)
    except Exception:
        return value


_SMALL = 100  # predictions with more entries than this are not kept
# The calls that change what the target holds.
WRITES = frozenset(
    f"{verb}_{kind}"
    for verb in ("create", "update", "delete")
    for kind in ("deployment", "endpoint")
)
_MEANWHILE = 20  # other scenarios' writes a reproducer replays before one failed call


def _small_predictions(value: Any) -> Any:
    """The predictions of a response as plain lists, or None when there are many."""
    try:
        predictions: Any = value["predictions"] if isinstance(value, dict) else None
        if hasattr(predictions, "tolist"):
            predictions = predictions.tolist()
        if isinstance(predictions, list) and len(predictions) <= _SMALL:
            return copy.deepcopy(predictions)
    except Exception:  # a plugin's odd response is the checks' to judge, not the recorder's
        return None
    return None


def _listed_names(value: Any) -> tuple[str, ...]:
    """The names in a listing, as far as it is a list of dicts with str names."""
    if not isinstance(value, list):
        return ()
    names = (entry.get("name") for entry in value[:_SMALL] if isinstance(entry, dict))
    return tuple(name for name in names if isinstance(name, str))


@dataclass
class Call:
    """One plugin call: what was asked and what came of it."""

    seq: int
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    seconds: float = 0.0
    value: str | None = None  # summarised
    shape: str = ""  # the returned value's type (and a dict's keys), for comparing outcomes
    error: BaseException | None = None
    copies: int = 1  # >1 for creates started at the same instant
    outcomes: list[str] = field(default_factory=list)  # one per copy, for concurrent calls
    made_for: str = ""  # the check or scenario label the call was made for
    # What a predict answered, as plain values, when it is small: reproducers of generated
    # sequences compare with the predictions each model gave earlier in the run.
    predictions: Any = None
    # The names a deployment listing showed (the first hundred): a generated sequence's
    # reproducer stands in for the other scenarios' deployments its listings saw.
    listed: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        """The call as the report lists it: plain, bounded, one line per value."""
        entry: dict[str, Any] = {
            "seq": self.seq,
            "method": self.method,
            "arguments": [summarise(a, 120) for a in self.args]
            + [f"{k}={summarise(v, 120)}" for k, v in self.kwargs.items()],
            "seconds": round(self.seconds, 4),
        }
        if self.copies > 1:
            entry["copies"] = self.copies
            entry["outcome"] = "concurrent"
            entry["outcomes"] = self.outcomes
        elif self.error is None:
            entry["outcome"] = "returned"
            entry["value"] = self.value
        else:
            name, message = _error_text(self.error)
            entry["outcome"] = "raised"
            entry["error"] = {"type": name, "message": message}
        return entry


class CallLog:
    """Every recorded call of one process, and which checks and scenarios they belong to."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self._calls: dict[str, list[Call]] = {}  # the first calls of each label
        self._last: dict[str, deque[Call]] = {}  # and its last ones, once the first are many
        self._omitted: dict[str, int] = {}
        self._relies: dict[str, set[str]] = {}

    # -- who is calling -------------------------------------------------------------------------

    def _stack(self) -> list[str]:
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    @property
    def current(self) -> str | None:
        """The check or scenario this thread works for, if any."""
        stack = self._stack()
        return stack[-1] if stack else None

    @contextmanager
    def working_for(self, label: str) -> Iterator[None]:
        """Calls made on this thread inside the block belong to ``label``."""
        stack = self._stack()
        stack.append(label)
        try:
            yield
        finally:
            stack.pop()

    def relies_on(self, scenario_key: str) -> None:
        """The current check or scenario judges what the scenario ``scenario_key`` did."""
        current = self.current
        if current is not None:
            with self._lock:
                self._relies.setdefault(current, set()).add(scenario_label(scenario_key))

    # -- recording ------------------------------------------------------------------------------

    def record(
        self,
        method: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        seconds: float,
        value: Any = None,
        error: BaseException | None = None,
    ) -> Call | None:
        """Note one call for the current label; None when no check or scenario is calling."""
        label = self.current
        if label is None:
            return None
        with self._lock:
            call = Call(next(self._seq), method, args, kwargs, seconds, made_for=label)
            first = self._calls.setdefault(label, [])
            if len(first) < MAX_CALLS_PER_LABEL // 2:
                first.append(call)
            else:
                last = self._last.setdefault(label, deque(maxlen=MAX_CALLS_PER_LABEL // 2))
                if len(last) == last.maxlen:
                    self._omitted[label] = self._omitted.get(label, 0) + 1
                last.append(call)
        call.error = error
        if error is None:
            call.value = summarise(value)
            call.shape = shape_of(value)
            if method == "predict":
                call.predictions = _small_predictions(value)
            elif method == "list_deployments":
                call.listed = _listed_names(value)
        return call

    @staticmethod
    def kept(
        args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Copies of a call's arguments, taken before the plugin sees them."""
        return tuple(_kept(a) for a in args), {k: _kept(v) for k, v in kwargs.items()}

    # -- reading --------------------------------------------------------------------------------

    def _closure(self, label: str) -> list[str]:
        seen: list[str] = []
        pending = [label]
        with self._lock:
            while pending:
                current = pending.pop()
                if current in seen:
                    continue
                seen.append(current)
                pending.extend(sorted(self._relies.get(current, ())))
        return seen

    def writes_between(self, after: int, before: int, own: list[Call]) -> list[Call]:
        """The creates, updates and deletes that ended between the calls numbered ``after``
        and ``before``, made for anything but ``own`` calls: what the run's other scenarios
        did to the target in the meantime (the first few, in order)."""
        mine = {id(call) for call in own}
        with self._lock:
            found = [
                call
                for calls in [*self._calls.values(), *self._last.values()]
                for call in calls
                if after < call.seq < before
                and call.method in WRITES
                and call.copies == 1
                and id(call) not in mine
            ]
        return sorted(found, key=lambda call: call.seq)[:_MEANWHILE]

    def calls_for(self, label: str) -> list[Call]:
        """The calls ``label`` made or relied on, in the order they were made."""
        labels = self._closure(label)
        with self._lock:
            calls = [
                call
                for name in labels
                for call in [*self._calls.get(name, []), *self._last.get(name, ())]
            ]
        return sorted(calls, key=lambda call: call.seq)

    def omitted_for(self, label: str) -> int:
        """How many calls of ``label`` (and what it relied on) were not kept."""
        labels = self._closure(label)
        with self._lock:
            return sum(self._omitted.get(name, 0) for name in labels)

    def report_entries(self, label: str) -> list[dict[str, Any]]:
        """The report's ``calls`` of a check: the first calls, then the last ones."""
        calls = self.calls_for(label)
        if len(calls) > MAX_CALLS_REPORTED:
            half = MAX_CALLS_REPORTED // 2
            calls = calls[:half] + calls[-half:]
        return [call.to_dict() for call in calls]
