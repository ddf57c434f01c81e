"""Plugin loading: the target URI to the plugin module, the module to a client, and the client to
the tracked clients the checks and scenarios call through.

What it loads is recorded, never raised, so ``module.loads`` and ``module.one-client-class``
can report why a plugin did not load; the checks that need a client then could not check.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from conformance._calling import CallObserver, CallRunner, Outcome
from conformance._catalogue import Capability, known_id
from conformance._naming import Namer
from conformance._profile import Profile
from conformance._recording import CallLog
from conformance._tracking import TrackedClient, inherited_from_base
from conformance._verdicts import (
    CheckFailed,
    PluginEscape,
    PluginRaised,
    PluginTimedOut,
    PreconditionFailed,
    describe,
)

if TYPE_CHECKING:
    import pytest

    from conformance._foreign import Snapshot
    from conformance._leases import Lease
    from conformance._watchdog import Watchdog
    from conformance.api._targets import ModuleInspection

__all__ = ["LoadedPlugin", "PluginLoader", "StoppableRunner"]

_LOADS = known_id("module.loads")
_ONE_CLIENT_CLASS = known_id("module.one-client-class")


class StoppableRunner(CallRunner):
    """A scenario thread's call runner: after Ctrl-C it refuses new calls, so a scenario still
    running cannot create while the run's cleanup deletes."""

    stopped = False

    def stop(self) -> None:
        self.stopped = True

    def call(
        self, description: str, function: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> Any:
        if self.stopped:
            raise KeyboardInterrupt(f"the run was interrupted before {description}")
        return super().call(description, function, *args, **kwargs)

    def call_concurrently(
        self, calls: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]]
    ) -> list[Outcome]:
        if self.stopped:
            raise KeyboardInterrupt("the run was interrupted before concurrent calls")
        return super().call_concurrently(calls)


@dataclass(frozen=True)
class _InScenario:
    """Tells the watchdog of a scenario thread's calls, naming the scenario: a call that hangs
    the process names where it was made, whichever check was running then."""

    watchdog: CallObserver
    scenario: str

    def call_started(self, call_id: int, description: str, timeout: float) -> None:
        self.watchdog.call_started(
            call_id, f"{description} (the {self.scenario} scenario)", timeout
        )

    def call_ended(self, call_id: int) -> None:
        self.watchdog.call_ended(call_id)


@dataclass
class LoadedPlugin:
    """The outcome of loading the plugin: each stage's result or the reason it failed."""

    module: ModuleType | None = None
    load_error: str | None = None
    load_exception: BaseException | None = None  # what importing raised, for its traceback
    inspection: ModuleInspection | None = None
    client_class: type | None = None
    client: Any = None
    construct_error: str | None = None

    @property
    def usable(self) -> bool:
        return self.client is not None


class PluginLoader:
    """Loads the profile's plugin once and builds its clients: the run's tracked client (before
    whose first create the run takes its lease, notes what the target held and sweeps), a raw
    second client, and a tracked client of its own for each scenario thread.

    ``lock`` serialises the lazy set-up the run's threads may ask for at once.
    """

    def __init__(
        self,
        config: pytest.Config,
        profile: Profile,
        namer: Namer,
        call_log: CallLog,
        notes: dict[str, Any],
        lock: threading.RLock,
    ) -> None:
        self.config = config
        self.profile = profile
        self.namer = namer
        self.call_log = call_log
        self.notes = notes
        self.runner = CallRunner(profile.timeout)
        self.swept: list[str] = []
        self.foreign_snapshot: Snapshot | None = None
        self._lock = lock
        self._loaded: LoadedPlugin | None = None
        self._tracked: TrackedClient | None = None
        self._lease: Lease | None = None
        self._watchdog: Watchdog | None = None

    def watch(self, watchdog: Watchdog | None) -> None:
        """Tell ``watchdog`` of every plugin call and every resource from now on."""
        self._watchdog = watchdog
        self.runner.observer = watchdog

    @property
    def target_name(self) -> str:
        from conformance.api._targets import parse_target_uri

        return parse_target_uri(self.profile.target)

    # -- the module and its client ----------------------------------------------------------------

    @property
    def loaded(self) -> LoadedPlugin | None:
        """What loading gave, without loading; None before anything asked for the plugin."""
        return self._loaded

    def plugin(self) -> LoadedPlugin:
        """Load the plugin once; failures are recorded, never raised."""
        with self._lock:  # scenario threads ask at once; the plugin loads once
            if self._loaded is None:
                self._loaded = self._load()
            return self._loaded

    def _load(self) -> LoadedPlugin:
        from conformance.api import _targets as targets

        loaded = LoadedPlugin()
        try:
            if self.profile.plugin:
                targets.register_target(self.target_name, self.profile.plugin)
            # Importing runs the plugin's code: under the timeout, and whatever it raises
            # (SystemExit included) is the module check's failure, not the end of the run.
            loaded.module = self.runner.call(
                f"importing the plugin for {self.profile.target!r}",
                targets.load_target_module,
                self.profile.target,
            )
        except PluginTimedOut as timed_out:
            loaded.load_error = str(timed_out)
            return loaded
        except PluginEscape as escape:
            loaded.load_error = str(PluginRaised("importing the plugin module", escape))
            return loaded
        except Exception as error:
            loaded.load_error = getattr(error, "message", None) or describe(error)
            loaded.load_exception = error.__cause__ or error
            return loaded
        loaded.inspection = targets.inspect_plugin_module(loaded.module)
        if len(loaded.inspection.client_classes) != 1:
            loaded.construct_error = "the module does not have exactly one client class"
            return loaded
        loaded.client_class = getattr(loaded.module, loaded.inspection.client_classes[0])
        try:
            loaded.client = self.runner.call(
                f"{loaded.client_class.__name__}({self.profile.target!r})",
                loaded.client_class,
                self.profile.target,
            )
        except CheckFailed as failure:
            loaded.construct_error = str(failure)
        except PluginEscape as escape:
            loaded.construct_error = str(
                PluginRaised(f"{loaded.client_class.__name__}({self.profile.target!r})", escape)
            )
        except Exception as error:
            loaded.construct_error = (
                f"{loaded.client_class.__name__}({self.profile.target!r}) raised {describe(error)}"
            )
        return loaded

    # -- tracked clients --------------------------------------------------------------------------

    @property
    def tracked(self) -> TrackedClient | None:
        """The run's tracked client, once built; None before."""
        return self._tracked

    def main_client(self) -> TrackedClient:
        """The run's tracked client, built on first use; a plugin that did not load makes the
        asking check skip."""
        with self._lock:
            if self._tracked is None:
                self._tracked = self._track(self.plugin())
            return self._tracked

    def _track(self, plugin: LoadedPlugin) -> TrackedClient:
        if not plugin.usable:
            reason = plugin.load_error or plugin.construct_error
            inspection = plugin.inspection
            owner = (
                _ONE_CLIENT_CLASS
                if inspection is not None and len(inspection.client_classes) != 1
                else _LOADS
            )
            raise PreconditionFailed(f"the plugin did not load, see {owner}: {reason}")
        tracked = TrackedClient(
            plugin.client,
            self.runner,
            self.namer,
            read_only=self.profile.read_only(),
            log=self.call_log,
        )
        if self._watchdog is not None:
            tracked.on_resource = self._watchdog.resource
        with self.call_log.working_for("run setup"):  # no check's calls
            self._before_first_create(tracked)
        return tracked

    def _before_first_create(self, tracked: TrackedClient) -> None:
        """Hold this run's lease, note what the target held before the run, then sweep."""
        import os

        from conformance._foreign import shared_snapshot, take_snapshot
        from conformance._leases import Lease, run_is_live

        token = self.namer.token
        self._lease = Lease(token).take()

        def release() -> None:
            assert self._lease is not None
            self._lease.release()
            run_is_live(token)  # the last process of the run removes the run's files

        self.config.add_cleanup(release)
        under_xdist = bool(os.environ.get("PYTEST_XDIST_WORKER"))
        self.foreign_snapshot = (shared_snapshot if under_xdist else take_snapshot)(tracked, token)
        if self.profile.sweep:
            result = tracked.sweep()
            self.swept = result.deleted
            self.notes["sweep_skipped"] = result.skipped

    def new_raw_client(self, runner: CallRunner | None = None) -> Any:
        """A second, untracked client for the same URI, built as MLflow builds clients: on
        ``runner``'s thread (the run's by default), the thread its calls will run on."""
        plugin = self.plugin()
        assert plugin.client_class is not None
        return (runner or self.runner).call(
            f"{plugin.client_class.__name__}({self.profile.target!r})",
            plugin.client_class,
            self.profile.target,
        )

    def scenario_client(self, scenario: str) -> tuple[TrackedClient, StoppableRunner]:
        """A tracked client of its own for ``scenario``'s thread, with a call runner of its own.

        The plugin's client is built on the runner's thread, where all its calls will run, so
        a client bound to the thread that built it keeps working. It shares the run's record
        of resources, cleanup and watchdog with the run's client.
        """
        main = self.main_client()  # the lease, the snapshot and the sweep come before any create
        observer = None if self._watchdog is None else _InScenario(self._watchdog, scenario)
        runner = StoppableRunner(self.profile.timeout, observer=observer)
        try:
            raw = self.new_raw_client(runner)
        except CheckFailed:
            raise
        except BaseException as error:
            raise PluginRaised(f"building a client for the {scenario} scenario", error) from error
        tracked = TrackedClient(
            raw,
            runner,
            self.namer,
            resources=main.resources,
            on_resource=main.on_resource,
            read_only=main.read_only,
            log=self.call_log,
            _lock=main._lock,
        )
        return tracked, runner

    # -- capabilities -----------------------------------------------------------------------------

    def declared(self, capability: str) -> bool | None:
        """What the profile or a hook declares about ``capability``; None when nothing."""
        declared = dict(self.profile.capabilities)
        for answer in self.config.hook.pytest_conformance_capabilities(
            config=self.config, target_uri=self.profile.target
        ):
            declared.update(answer or {})
        return declared.get(capability)

    def statically_absent(self, capability: str) -> str | None:
        """Why ``capability`` is absent without calling anything, or None if it may be there."""
        plugin = self.plugin()
        if plugin.client is None:
            return None
        methods = list(Capability(capability).methods)
        left = [m for m in methods if inherited_from_base(plugin.client, m)]
        if methods and left:
            return f"{', '.join(left)} left to the base class"
        return None
