"""Calling plugin code: on a worker thread, under a timeout, the way MLflow's CLI calls it.

A hung call becomes :class:`~conformance._verdicts.PluginTimedOut`; its thread is abandoned (a
thread cannot be killed) and later calls get a fresh one, so the run goes on. Whatever the
plugin raises, ``SystemExit`` and ``KeyboardInterrupt`` included, comes back as
:class:`PluginEscape` when it is not an ``Exception``, so it is the check's failure and never
ends the run. A hang the thread cannot break (a C call that holds the GIL) is the watchdog's
to end (:mod:`conformance._watchdog`), which is told of every call's start and end.
"""

from __future__ import annotations

import inspect
import itertools
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, NoReturn, Protocol

from conformance._verdicts import PluginEscape, PluginExited, PluginTimedOut

__all__ = [
    "CallObserver",
    "CallRunner",
    "Outcome",
    "accepts",
    "guard_process_exit",
    "in_plugin_call",
    "render_call",
]


class CallObserver(Protocol):
    """Told when each plugin call starts and ends, so a hang can be ended from outside."""

    def call_started(self, call_id: int, description: str, timeout: float) -> None: ...

    def call_ended(self, call_id: int) -> None: ...


_plugin_thread = threading.local()
_call_ids = itertools.count(1)
_real_exit = os._exit


def in_plugin_call() -> bool:
    """True on a thread that is running plugin code for the kit."""
    return bool(getattr(_plugin_thread, "active", False))


def _guarded_exit(code: int) -> NoReturn:
    if in_plugin_call():
        raise PluginExited(code)
    _real_exit(code)


def guard_process_exit(enabled: bool) -> None:
    """While enabled, ``os._exit`` called from plugin code the kit runs raises PluginExited."""
    os._exit = _guarded_exit if enabled else _real_exit  # type: ignore[assignment]


def _run_plugin_code(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    _plugin_thread.active = True
    try:
        return function(*args, **kwargs)
    except Exception:
        raise
    except BaseException as error:  # SystemExit, KeyboardInterrupt, GeneratorExit, ...
        raise PluginEscape(error) from error
    finally:
        _plugin_thread.active = False


def accepts(function: Callable[..., Any], parameter: str) -> bool:
    """Whether ``function`` takes ``parameter`` by name; MLflow's CLI checks before passing it."""
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return True
    return parameter in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


def _short_repr(value: Any) -> str:
    text = repr(value)
    if type(value).__name__ == "DataFrame":
        text = f"<DataFrame {getattr(value, 'shape', '')}>"
    return text if len(text) <= 80 else text[:77] + "..."


def render_call(method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """``method('a', 'b', config=None)``, for messages."""
    parts = [_short_repr(a) for a in args] + [f"{k}={_short_repr(v)}" for k, v in kwargs.items()]
    return f"{method}({', '.join(parts)})"


@dataclass
class Outcome:
    """What one call did: its value or its exception, and how long it took."""

    value: Any = None
    error: BaseException | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


_Job = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any], "Future[Any]"]


class _Worker:
    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._loop, name="conformance-call", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while (job := self.jobs.get()) is not None:
            function, args, kwargs, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(_run_plugin_code(function, *args, **kwargs))
            except BaseException as error:  # the plugin's exceptions are the verdict's input
                future.set_exception(error)


class CallRunner:
    """Runs calls one at a time on a long-lived thread, each under ``timeout`` seconds.

    One thread for all calls keeps plugins that hold thread-bound resources (an SQLite
    connection, say) working as they would in a user's process.
    """

    def __init__(self, timeout: float, observer: CallObserver | None = None) -> None:
        self.timeout = timeout
        self.observer = observer
        self.abandoned: list[Future[Any]] = []  # calls that timed out and may still finish
        self._worker: _Worker | None = None
        self._lock = threading.Lock()

    def _current(self) -> _Worker:
        with self._lock:
            if self._worker is None:
                self._worker = _Worker()
            return self._worker

    def abandon(self) -> None:
        """Leave the current thread to whatever it is stuck in; the next call gets a new one."""
        with self._lock:
            if self._worker is not None:
                self._worker.jobs.put(None)
            self._worker = None

    def call(
        self, description: str, function: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> Any:
        """``function(*args, **kwargs)``; its exception propagates; a hang raises PluginTimedOut."""
        future: Future[Any] = Future()
        call_id = next(_call_ids)
        if self.observer is not None:
            self.observer.call_started(call_id, description, self.timeout)
        self._current().jobs.put((function, args, kwargs, future))
        try:
            return future.result(timeout=self.timeout)
        except TimeoutError:
            self.abandoned.append(future)
            self.abandon()
            raise PluginTimedOut(description, self.timeout) from None
        except KeyboardInterrupt:
            self.abandon()  # cleanup after Ctrl-C must not queue behind the interrupted call
            raise
        finally:
            if self.observer is not None:
                self.observer.call_ended(call_id)

    def settle(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for calls that timed out to finish; True when all have.

        A create that completes after its timeout leaves a deployment: cleanup waits a little
        for such calls before it deletes, so it does not delete before the create lands.
        """
        deadline = time.monotonic() + seconds
        for future in self.abandoned:
            try:
                future.exception(timeout=max(deadline - time.monotonic(), 0))
            except TimeoutError:
                return False
            except BaseException:  # cancelled, or whatever the plugin raised: it has finished
                continue
        return True

    def call_concurrently(
        self, calls: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]]
    ) -> list[Outcome]:
        """Start every call at once on its own thread; each outcome, or a timeout error."""
        barrier = threading.Barrier(len(calls))
        outcomes = [Outcome() for _ in calls]

        def run(index: int) -> None:
            function, args, kwargs = calls[index]
            barrier.wait()
            started = time.perf_counter()
            try:
                outcomes[index].value = _run_plugin_code(function, *args, **kwargs)
            except BaseException as error:
                outcomes[index].error = error
            outcomes[index].seconds = time.perf_counter() - started

        call_id = next(_call_ids)
        if self.observer is not None:
            self.observer.call_started(call_id, f"{len(calls)} concurrent calls", self.timeout)

        threads = [
            threading.Thread(target=run, args=(i,), daemon=True, name="conformance-race")
            for i in range(len(calls))
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + self.timeout
        try:
            for index, thread in enumerate(threads):
                thread.join(max(deadline - time.monotonic(), 0))
                if thread.is_alive():
                    outcomes[index].error = PluginTimedOut("a concurrent call", self.timeout)
        finally:
            if self.observer is not None:
                self.observer.call_ended(call_id)
        return outcomes
