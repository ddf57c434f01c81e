"""Scenarios: the plugin calls that checks judge, declared once and run concurrently.

A :class:`Scenario` is a named sequence of plugin calls whose typed, frozen result one or more
catalogue checks judge (each :class:`~conformance.catalogue.Check` names its scenario). It
declares what the kit needs to schedule it: the scenarios whose results it reads
(``depends_on``), the deployments it creates on a conformant target, and how many target
latencies its calls wait through one after another (``waits``). From that one declaration the
kit derives everything else:

- which checks share an xdist group (a scenario and the short ones that read it run on one
  worker, so each runs once) and the order groups are handed out (longest chain first);
- which scenarios a run starts, all at once when it begins, each on its own thread with a
  client of its own (:class:`Scenarios`), so a slow target's waits overlap;
- when a scenario may release what it holds: once every check judging it has run and every
  scenario reading it has finished.

Calls inside one scenario run in order, on one client: a scenario is the unit whose order the
checks judge, so calls whose order a MUST check judges are never made concurrently on one
deployment. Scenarios share no deployment they change.
"""

from __future__ import annotations

import ast
import functools
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from conformance.recording import scenario_label
from conformance.verdicts import CheckFailed, PreconditionFailed

if TYPE_CHECKING:
    from conformance.calling import CallRunner
    from conformance.context import Context
    from conformance.tracking import TrackedClient

__all__ = ["LONG_CHAIN", "Scenario", "Scenarios", "registered", "scenario", "slowest_first"]

R = TypeVar("R")


# A scenario whose own calls wait through at least this many target latencies in sequence gets
# an xdist worker of its own; a shorter one runs on the worker of the scenario it reads.
LONG_CHAIN = 4


@dataclass(frozen=True, eq=False)
class Scenario(Generic[R]):
    """One scenario: its plugin calls (``run``), what it reads, costs and holds."""

    name: str
    run: Callable[[Context], R]
    depends_on: tuple[Scenario[Any], ...] = ()
    # Deployments it creates on a conformant target (the run's cost is their sum).
    creates: int = 0
    # Target latencies its own calls wait through one after another on a conformant target.
    waits: int = 0
    # It judges what every other scenario did: it starts once they have finished, and its
    # xdist group is handed out last.
    last: bool = False
    # Called with its result once nothing needs it any more: deletes what it kept alive for
    # the checks judging it (the shared deployment, say).
    release: Callable[[Context, R], None] | None = None
    # False for a scenario that only inspects the plugin module: it needs no client.
    uses_client: bool = True

    def result(self, context: Context) -> R:
        """This scenario's result in ``context``'s run: run once, then recorded.

        A scenario the plugin could not take through raises PreconditionFailed (the check
        cannot judge); a defect of the kit raises as it was.
        """
        value: R = context.scenarios.result(self)
        return value

    @property
    def chain(self) -> int:
        """Target latencies from the run's start to this scenario's end, dependencies included."""
        return self.waits + max((d.chain for d in self.depends_on), default=0)

    @property
    def group(self) -> str:
        """Its xdist group: its own when its chain is long, else that of what it reads."""
        if self.depends_on and self.waits < LONG_CHAIN and not self.last:
            return self.depends_on[0].group
        return self.name


_REGISTERED: dict[str, Scenario[Any]] = {}


def scenario(
    name: str,
    *,
    depends_on: Iterable[Scenario[Any]] = (),
    creates: int = 0,
    waits: int = 0,
    last: bool = False,
    release: Callable[[Context, Any], None] | None = None,
    uses_client: bool = True,
) -> Callable[[Callable[[Context], R]], Scenario[R]]:
    """Declare the decorated function as scenario ``name``'s plugin calls (see
    :class:`Scenario` for the rest)."""

    def declare(run: Callable[[Context], R]) -> Scenario[R]:
        if name in _REGISTERED:
            raise RuntimeError(f"two scenarios named {name!r}")
        declared = Scenario(
            name, run, tuple(depends_on), creates, waits, last, release, uses_client
        )
        _REGISTERED[name] = declared
        return declared

    return declare


def registered() -> dict[str, Scenario[Any]]:
    """Every declared scenario by name (the check modules declare them when imported)."""
    return dict(_REGISTERED)


def slowest_first(scenarios: Iterable[Scenario[Any]]) -> list[str]:
    """xdist groups, longest chain first and the ``last`` ones at the end.

    xdist hands groups out in this order, first one to each worker and then a second to each,
    so the long chains start at once on separate workers and the cheap groups pair with them.
    """
    chains: dict[str, tuple[bool, int]] = {}
    for declared in scenarios:
        last, chain = chains.get(declared.group, (False, 0))
        chains[declared.group] = (last or declared.last, max(chain, declared.chain))
    return sorted(chains, key=lambda group: (chains[group][0], -chains[group][1]))


def _affected_by_ast_threading_bug(version: tuple[int, int, int]) -> bool:
    """CPython before 3.11.8 and 3.12.2 kept the AST constructor's recursion depth per
    interpreter, not per thread: two threads building ASTs at once (hypothesis describing a
    rule in a scenario thread while pytest formats a report) can raise SystemError
    ("AST constructor recursion depth mismatch"), CPython issue 106905."""
    return version < (3, 11, 8) or (3, 12, 0) <= version < (3, 12, 2)


_ast_lock = threading.Lock()


def _serialise_ast_parsing() -> None:
    """On an affected CPython, let one thread at a time turn source into an AST."""
    if not _affected_by_ast_threading_bug(sys.version_info[:3]) or hasattr(ast.parse, "_locked"):
        return
    parse = ast.parse

    @functools.wraps(parse)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with _ast_lock:
            return parse(*args, **kwargs)

    locked._locked = True  # type: ignore[attr-defined]
    ast.parse = locked


@dataclass
class _Record:
    """A scenario's run: its result, or why it could not run."""

    done: threading.Event = field(default_factory=threading.Event)
    ok: bool | None = None  # None: the kit itself failed, and ``value`` is its exception
    value: Any = None
    released: bool = False


class Scenarios:
    """The scenarios of one process's run.

    With a thread-safe client (the default) each scenario runs on a thread of its own, with a
    plugin client of its own built as MLflow builds clients, behind a
    :class:`~conformance.tracking.TrackedClient` that shares the run's record of resources. A
    profile that declares the client not thread-safe runs them one by one, on the thread that
    first asks, with the run's one client.
    """

    def __init__(self, context: Context, concurrent: bool) -> None:
        self.context = context
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
        self.context.call_log.relies_on(declared.name)
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
            raise PreconditionFailed(f"the {declared.name} scenario could not run: {record.value}")
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
            self._local.client, self._local.runner = self.context.scenario_client(declared.name)
        except (CheckFailed, PreconditionFailed) as failure:
            record.ok, record.value = False, failure
            record.done.set()
            return
        except BaseException as unexpected:
            record.ok, record.value = None, unexpected
            record.done.set()
            return
        self._build(declared, record)
        self._maybe_release_dependencies(declared)

    def _build(self, declared: Scenario[Any], record: _Record) -> None:
        if declared.last:
            others = [s for s in _REGISTERED.values() if s is not declared and not s.last]
            self.wait(others)
        try:
            with self.context.call_log.working_for(scenario_label(declared.name)):
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
        declared = _REGISTERED.get(scenario_name)
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
                for other in _REGISTERED.values()
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
