"""Scenarios: the plugin calls that checks judge, declared once and run concurrently.

A :class:`Scenario` is a named sequence of plugin calls whose typed, frozen result one or more
catalogue checks judge (each :class:`~conformance._catalogue.Check` names its scenario). It
declares what the kit needs to schedule it: the scenarios whose results it reads
(``depends_on``), the deployments it creates on a conformant target, and how many target
latencies its calls wait through one after another (``waits``). From that one declaration the
kit derives everything else:

- which checks share an xdist group (a scenario and the short ones that read it run on one
  worker, so each runs once) and the order groups are handed out (longest chain first);
- which scenarios a run starts, all at once when it begins, each on its own thread with a
  client of its own (:class:`~conformance._scenario_run.ScenarioRun`), so a slow target's waits
  overlap;
- when a scenario may release what it holds: once every check judging it has run and every
  scenario reading it has finished.

Calls inside one scenario run in order, on one client: a scenario is the unit whose order the
checks judge, so calls whose order a MUST check judges are never made concurrently on one
deployment. Scenarios share no deployment they change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from conformance._context import Context

__all__ = ["LONG_CHAIN", "Scenario", "registered", "scenario", "slowest_first"]

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
        """Its xdist group: its own when its chain is long, else that of what it reads (a
        ``last`` one too: on another worker it would build what it reads a second time)."""
        if self.depends_on and self.waits < LONG_CHAIN:
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
        # A group is handed out last when the scenario it is named after is; one that only
        # hosts a last scenario reading it keeps its place.
        leads = declared.group == declared.name
        chains[declared.group] = (last or (leads and declared.last), max(chain, declared.chain))
    return sorted(chains, key=lambda group: (chains[group][0], -chains[group][1]))
