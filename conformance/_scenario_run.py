"""The scenarios run of one process: each scenario on a thread of its own with a client of its
own, its result recorded for the checks that judge it, what it holds released once nothing needs
it, and at the end, the wait for every scenario and the cleanup of what the run created.

What a scenario is, and how the kit schedules it, is declared in :mod:`conformance._scenarios`.
"""

from __future__ import annotations

import ast
import functools
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from conformance._recording import CallLog, scenario_label
from conformance._scenarios import Scenario, registered
from conformance._statistics import RunStatistics
from conformance._verdicts import CheckFailed, PreconditionFailed

if TYPE_CHECKING:
    from conformance._calling import CallRunner
    from conformance._context import Context
    from conformance._loading import PluginLoader
    from conformance._tracking import TrackedClient

__all__ = ["ScenarioRun", "first_cause", "passed_on"]

R = TypeVar("R")

# How long cleanup waits for calls that timed out to finish before deleting what they made.
_SETTLE_SECONDS = 10.0


def _affected_by_ast_threading_bug(version: tuple[int, int, int]) -> bool:
    """CPython before 3.11.8 and 3.12.2 kept the AST constructor's recursion depth per
    interpreter, not per thread: two threads building ASTs at once (hypothesis describing a
    rule in a scenario thread while pytest formats a report) can raise SystemError
    ("AST constructor recursion depth mismatch"), CPython issue 106905."""
    return version < (3, 11, 8) or (3, 12, 0) <= version < (3, 12, 2)


_ast_lock = threading.Lock()
_parsing = threading.local()
_original_parse = ast.parse


def _serialise_ast_parsing() -> None:
    """On an affected CPython, let one thread at a time turn source into an AST."""
    if not _affected_by_ast_threading_bug(sys.version_info[:3]) or hasattr(ast.parse, "_locked"):
        return

    @functools.wraps(_original_parse)
    def locked(*args: Any, **kwargs: Any) -> Any:
        if getattr(_parsing, "active", False):
            # A finaliser the garbage collector ran mid-parse failed (after Ctrl-C, say), and
            # formatting its traceback parses again on this thread: that would corrupt the
            # outer parse the same way (or wait for its lock forever). Tracebacks do without.
            raise SyntaxError("not parsed: this thread is in the middle of another parse")
        with _ast_lock:
            try:
                _parsing.active = True
                return _original_parse(*args, **kwargs)
            finally:
                _parsing.active = False

    locked._locked = True  # type: ignore[attr-defined]
    ast.parse = locked


def passed_on(scenario: str, cause: object) -> str:
    """Why a check could not judge: the scenario it reads could not run, and why."""
    return f"the {scenario} scenario could not run: {cause}"


_PASSED_ON = re.compile(r"^(?:the [a-z0-9 ]+ scenario could not run: )+")


def first_cause(message: str) -> str:
    """``message`` without the scenarios that passed its cause on (see :func:`passed_on`)."""
    return _PASSED_ON.sub("", message)


@dataclass
class _Record:
    """A scenario's run: its result, or why it could not run."""

    done: threading.Event = field(default_factory=threading.Event)
    ok: bool | None = None  # None: the kit itself failed, and ``value`` is its exception
    value: Any = None
    released: bool = False


class ScenarioRun:
    """The scenarios of one process's run.

    With a thread-safe client (the default) each scenario runs on a thread of its own, with a
    plugin client of its own built as MLflow builds clients, behind a
    :class:`~conformance._tracking.TrackedClient` that shares the run's record of resources. A
    profile that declares the client not thread-safe runs them one by one, on the thread that
    first asks, with the run's one client.
    """

    def __init__(
        self,
        context: Context,
        loader: PluginLoader,
        call_log: CallLog,
        notes: dict[str, Any],
        concurrent: bool,
    ) -> None:
        self.context = context  # what each scenario's calls are given
        self.loader = loader
        self.call_log = call_log
        self.notes = notes
        self.concurrent = concurrent
        self._records: dict[str, _Record] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        self._pending_checks: dict[str, set[str]] = {}
        self.clients: list[TrackedClient] = []
        self.runners: list[CallRunner] = []
        self.stopped = False
        # Set once the run knows every check it will judge (not so on an xdist worker, which
        # is sent checks as it goes): only then may a scenario release what it holds early.
        self.releasing = False

    # -- what the current thread calls the plugin with -------------------------------------

    @property
    def client(self) -> TrackedClient | None:
        """The running scenario's own tracked client; None outside a scenario thread."""
        return getattr(self._local, "client", None)

    @property
    def runner(self) -> CallRunner | None:
        return getattr(self._local, "runner", None)

    # -- starting and waiting ----------------------------------------------------------------

    def start(self, wanted: Iterable[Scenario[Any]]) -> None:
        """Begin ``wanted`` and what they depend on, each on its own thread, now.

        Does nothing for scenarios begun already, or when scenarios run one by one.
        """
        if not self.concurrent:
            return
        _serialise_ast_parsing()
        for declared in wanted:
            self.start(declared.depends_on)
            with self._lock:
                if declared.name in self._threads or self.stopped:
                    continue
                self._records.setdefault(declared.name, _Record())
                thread = threading.Thread(
                    target=self._run,
                    args=(declared,),
                    name=f"conformance-{declared.name}",
                    daemon=True,
                )
                self._threads[declared.name] = thread
            thread.start()

    def result(self, declared: Scenario[R]) -> R:
        """``declared``'s result, waiting for it (or running it here when not concurrent)."""
        self.call_log.relies_on(declared.name)
        if self.concurrent and not self.stopped:
            self.start([declared])
        with self._lock:
            record = self._records.setdefault(declared.name, _Record())
            run_here = declared.name not in self._threads and not record.done.is_set()
        if run_here:  # one by one, or a scenario asked for after an interruption
            self._build(declared, record)
        record.done.wait()
        if record.ok is None:
            raise record.value
        if not record.ok:
            raise PreconditionFailed(passed_on(declared.name, record.value))
        value: R = record.value
        return value

    def wait(self, scenarios: Iterable[Scenario[Any]] | None = None) -> None:
        """Let the scenarios started so far (or ``scenarios``) finish."""
        names = None if scenarios is None else {s.name for s in scenarios}
        for name, thread in list(self._threads.items()):
            if (names is None or name in names) and thread is not threading.current_thread():
                thread.join()

    def _run(self, declared: Scenario[Any]) -> None:
        record = self._records[declared.name]
        if not declared.uses_client:
            self._build(declared, record)
            return
        try:
            client, runner = self.loader.scenario_client(declared.name)
        except (CheckFailed, PreconditionFailed) as failure:
            record.ok, record.value = False, failure
            record.done.set()
            return
        except BaseException as unexpected:
            record.ok, record.value = None, unexpected
            record.done.set()
            return
        with self._lock:
            self.clients.append(client)
            self.runners.append(runner)
        self._local.client, self._local.runner = client, runner
        self._build(declared, record)
        self._maybe_release_dependencies(declared)

    def _build(self, declared: Scenario[Any], record: _Record) -> None:
        if declared.last:
            others = [s for s in registered().values() if s is not declared and not s.last]
            self.wait(others)
        try:
            with self.call_log.working_for(scenario_label(declared.name)):
                record.value, record.ok = declared.run(self.context), True
        except (CheckFailed, PreconditionFailed) as failure:
            record.ok, record.value = False, failure
        except BaseException as unexpected:
            record.ok, record.value = None, unexpected
        finally:
            record.done.set()

    # -- releasing what a scenario holds ---------------------------------------------------

    def expect(self, check_scenarios: dict[str, str]) -> None:
        """The checks this process will run, as check id to scenario name: a scenario with a
        ``release`` keeps what it holds until they have all run."""
        with self._lock:
            for check_id, name in check_scenarios.items():
                self._pending_checks.setdefault(name, set()).add(check_id)
            self.releasing = True

    def judged(self, check_id: str, scenario_name: str) -> None:
        """Check ``check_id`` has run: release its scenario if nothing else needs it."""
        with self._lock:
            self._pending_checks.get(scenario_name, set()).discard(check_id)
        declared = registered().get(scenario_name)
        if declared is not None:
            self._maybe_release(declared)

    def _maybe_release_dependencies(self, declared: Scenario[Any]) -> None:
        for dependency in declared.depends_on:
            self._maybe_release(dependency)

    def _maybe_release(self, declared: Scenario[Any]) -> None:
        if declared.release is None or not self.concurrent or not self.releasing:
            return  # what the scenario holds is left to the run's cleanup
        with self._lock:
            record = self._records.get(declared.name)
            if record is None or not record.done.is_set() or record.released or not record.ok:
                return
            if self._pending_checks.get(declared.name):
                return
            readers = [
                other.name
                for other in registered().values()
                if declared in other.depends_on and other.name in self._threads
            ]
            if any(not self._records[reader].done.is_set() for reader in readers):
                return
            record.released = True
        release = declared.release
        value = record.value
        thread = threading.Thread(
            target=self._release,
            args=(declared, release, value),
            name=f"conformance-release-{declared.name}",
            daemon=True,
        )
        with self._lock:
            self._threads[f"release {declared.name}"] = thread
        thread.start()

    def _release(self, declared: Scenario[Any], release: Callable[..., None], value: Any) -> None:
        try:
            release(self.context, value)
        except BaseException:  # cleanup at the end of the run deletes whatever is left
            return

    def stop(self) -> None:
        """Start nothing more (after Ctrl-C): plugin calls of running scenarios are refused."""
        with self._lock:
            self.stopped = True
        for runner in self.runners:
            stop = getattr(runner, "stop", None)
            if stop is not None:
                stop()

    # -- the run's figures and its end -----------------------------------------------------------

    def start_named(self, names: Iterable[str]) -> None:
        """Begin the named scenarios (and what they depend on) now, each on its own thread."""
        from conformance._checks import scenarios

        declared = scenarios()
        self.start([declared[name] for name in dict.fromkeys(names)])

    def _all_clients(self) -> list[TrackedClient]:
        """The run's tracked client and every scenario's; none before the run's is built."""
        main = self.loader.tracked
        return [] if main is None else [main, *self.clients]

    def deployments_created(self) -> int:
        """Deployments the run's clients have created so far, in every scenario."""
        return sum(client.deployments_created for client in self._all_clients())

    def measured_latency(self) -> float:
        """Seconds one create took, from the shared deployment; 0 when unknown."""
        return float(self.notes.get("create_seconds", 0.0))

    def finish(self, interrupted: bool = False) -> RunStatistics:
        """Delete what the run created; the run's statistics.

        After Ctrl-C the deletes still run (a second Ctrl-C skips them, and the statistics
        name what is left); background scenarios are not waited for then.
        """
        if interrupted:
            self.stop()
        else:
            self.wait()  # what a scenario creates must be deleted
        tracked = self.loader.tracked
        clients = self._all_clients()
        leftovers: list[str] = []
        foreign: dict[str, list[str]] = {"vanished": [], "changed": []}
        if tracked is not None:
            try:
                deadline = time.monotonic() + _SETTLE_SECONDS
                for runner in self.runners:
                    runner.abandon()
                    runner.settle(max(deadline - time.monotonic(), 0))
                leftovers = tracked.cleanup(settle_seconds=max(deadline - time.monotonic(), 0))
                snapshot = self.loader.foreign_snapshot
                if snapshot is not None:
                    from conformance._foreign import compare

                    # The checks judged before cleanup; a delete at cleanup can harm too.
                    comparison = compare(snapshot, tracked)
                    foreign = {"vanished": comparison.vanished, "changed": comparison.changed}
            except KeyboardInterrupt:
                self.notes["cleanup"] = "skipped by a second Ctrl-C"
                leftovers = [
                    f"{r.kind} {r.name} (cleanup skipped by a second Ctrl-C)"
                    for r in tracked.unsettled()
                ]
        return RunStatistics(
            deployments_created=sum(c.deployments_created for c in clients),
            plugin_calls=sum(c.calls for c in clients),
            leftovers=tuple(leftovers),
            swept=tuple(self.loader.swept),
            foreign_vanished=tuple(foreign["vanished"]),
            foreign_changed=tuple(foreign["changed"]),
            notes=dict(self.notes),
        )
