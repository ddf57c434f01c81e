"""What the checks of one process share: the loaded plugin, the tracked client, the models, the
sample input, and scenarios that several checks judge (run once, then cached).
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from conformance.calling import CallObserver, CallRunner, Outcome
from conformance.catalogue import Capability
from conformance.naming import Namer
from conformance.profile import Profile
from conformance.recording import CallLog
from conformance.scenarios import Scenarios
from conformance.statistics import RunStatistics
from conformance.tracking import TrackedClient, inherited_from_base
from conformance.verdicts import (
    CheckFailed,
    PluginEscape,
    PluginRaised,
    PluginTimedOut,
    PreconditionFailed,
    describe,
)

if TYPE_CHECKING:
    import pytest

    from conformance.api.targets import ModuleInspection
    from conformance.foreign import Snapshot
    from conformance.leases import Lease
    from conformance.models import ModelPair
    from conformance.watchdog import Watchdog

__all__ = ["Context", "LoadedPlugin", "StoppableRunner"]

# How long cleanup waits for calls that timed out to finish before deleting what they made.
_SETTLE_SECONDS = 10.0


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


@dataclass
class Context:
    """Per-process state of a run (each xdist worker has its own)."""

    config: pytest.Config
    profile: Profile
    run_token: str | None = None
    namer: Namer = field(init=False)
    runner: CallRunner = field(init=False)
    notes: dict[str, Any] = field(default_factory=dict)
    swept: list[str] = field(default_factory=list)
    foreign_snapshot: Snapshot | None = None
    current_item: Any = None
    call_log: CallLog = field(default_factory=CallLog)
    _lease: Lease | None = None
    _plugin: LoadedPlugin | None = None
    _tracked: TrackedClient | None = None
    _models: ModelPair | None = None
    _input: Any = None
    _input_is_default: bool = True
    scenarios: Scenarios = field(init=False)
    _watchdog: Watchdog | None = None
    _client_lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.namer = Namer(self.run_token)
        self.runner = CallRunner(self.profile.timeout)
        self.scenarios = Scenarios(self, concurrent=self.profile.thread_safe)

    def watch(self, watchdog: Watchdog | None) -> None:
        """Tell ``watchdog`` of every plugin call and every resource from now on."""
        self._watchdog = watchdog
        self.runner.observer = watchdog

    # -- the plugin -----------------------------------------------------------------------------

    @property
    def target_name(self) -> str:
        from conformance.api.targets import parse_target_uri

        return parse_target_uri(self.profile.target)

    def plugin(self) -> LoadedPlugin:
        """Load the plugin once; failures are recorded, never raised."""
        with self._client_lock:  # scenario threads ask at once; the plugin loads once
            if self._plugin is None:
                self._plugin = self._load()
            return self._plugin

    def _load(self) -> LoadedPlugin:
        from conformance.api import targets

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

    @property
    def client(self) -> TrackedClient:
        """The tracked client of the running scenario, or the run's own outside scenarios; a
        plugin that did not load makes the check skip."""
        own = self.scenarios.client
        if own is not None:
            return own
        with self._client_lock:
            return self._main_client()

    def _main_client(self) -> TrackedClient:
        if self._tracked is None:
            plugin = self.plugin()
            if not plugin.usable:
                reason = plugin.load_error or plugin.construct_error
                inspection = plugin.inspection
                owner = (
                    "module.one-client-class"
                    if inspection is not None and len(inspection.client_classes) != 1
                    else "module.loads"
                )
                raise PreconditionFailed(f"the plugin did not load, see {owner}: {reason}")
            self._tracked = TrackedClient(
                plugin.client,
                self.runner,
                self.namer,
                read_only=self.profile.read_only(),
                log=self.call_log,
            )
            if self._watchdog is not None:
                self._tracked.on_resource = self._watchdog.resource
            with self.call_log.working_for("run setup"):  # no check's calls
                self._before_first_create(self._tracked)
        return self._tracked

    def _before_first_create(self, tracked: TrackedClient) -> None:
        """Hold this run's lease, note what the target held before the run, then sweep."""
        import os

        from conformance.foreign import shared_snapshot, take_snapshot
        from conformance.leases import Lease, run_is_live

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

    def scenario_client(self, scenario: str) -> tuple[TrackedClient, CallRunner]:
        """A tracked client of its own for ``scenario``'s thread, with a call runner of its own.

        The plugin's client is built on the runner's thread, where all its calls will run, so
        a client bound to the thread that built it keeps working. It shares the run's record
        of resources, cleanup and watchdog with the run's client.
        """
        main = self.client  # the lease, the snapshot and the sweep come before any create
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
        with self._client_lock:
            self.scenarios.clients.append(tracked)
            self.scenarios.runners.append(runner)
        return tracked, runner

    def warn(self, message: str) -> None:
        """A SHOULD-level remark on the running check, which still passes."""
        if self.current_item is not None:
            self.current_item.remark(message)

    # -- capabilities ---------------------------------------------------------------------------

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

    # -- models and input -----------------------------------------------------------------------

    def models(self) -> ModelPair:
        """The models to deploy; without any, a clear error says which option to set."""
        with self._client_lock:
            return self._resolve_models()

    def _resolve_models(self) -> ModelPair:
        if self._models is None:
            from conformance.models import ModelPair, default_models

            given = getattr(self.config.option, "conformance_model_uris", None)
            hooked = (
                None
                if given
                else self.config.hook.pytest_conformance_models(
                    config=self.config, target_uri=self.profile.target
                )
            )
            uris = list(given or hooked or self.profile.model_uris)
            if uris:
                source = "the pytest_conformance_models hook" if hooked else "the profile"
                second = uris[1] if len(uris) > 1 else None
                self._models = ModelPair(uris[0], second, source)
            else:
                pair = default_models(self.target_name)
                if pair is None:
                    raise PreconditionFailed(
                        f"no model to deploy to {self.profile.target!r}: pass "
                        "--deployment-model-uri twice (the primary model, then the model to "
                        "update to), or install the kit's mlflow extra so it can save two tiny "
                        "pyfunc models itself"
                    )
                self._models = pair
        return self._models

    def sample_input(self) -> Any:
        """A fresh copy of the sample input for each call, so no call sees another's changes."""
        with self._client_lock:
            return copy.deepcopy(self._read_input())

    def _read_input(self) -> Any:
        if self._input is None:
            from conformance.inputs import default_input, read_input

            given = getattr(self.config.option, "conformance_input", None)
            hooked = (
                None
                if given
                else self.config.hook.pytest_conformance_sample_input(
                    config=self.config, target_uri=self.profile.target
                )
            )
            if hooked is not None:
                self._input, self._input_is_default = hooked, False
            elif self.profile.input:
                self._input = read_input(self.profile.input, self.profile.input_format)
                self._input_is_default = False
            else:
                self._input = default_input()
        return self._input

    @property
    def input_is_default(self) -> bool:
        """Whether the sample input is the kit's own (so the kit knows what models predict)."""
        with self._client_lock:
            self._read_input()
            return self._input_is_default

    def expected_predictions(self, model_uri: str) -> list[Any] | None:
        """Exact predictions for ``model_uri`` on the sample input, when the kit knows them."""
        return self.models().expected(model_uri, self.sample_input(), self._input_is_default)

    @property
    def create_config(self) -> dict[str, Any]:
        """The config passed to create: the profile's, as a dict even when empty.

        MLflow's CLI always passes a dict; ``deployment.create.config-none`` checks None.
        """
        return dict(self.profile.config)

    def start_scenarios(self, names: Iterable[str]) -> None:
        """Begin the named scenarios (and what they depend on) now, each on its own thread."""
        from conformance.checks import scenarios

        declared = scenarios()
        self.scenarios.start([declared[name] for name in dict.fromkeys(names)])

    def deployments_created(self) -> int:
        """Deployments the run's clients have created so far, in every scenario."""
        clients = [self._tracked, *self.scenarios.clients] if self._tracked is not None else []
        return sum(client.deployments_created for client in clients)

    def measured_latency(self) -> float:
        """Seconds one create took, from the shared deployment; 0 when unknown."""
        return float(self.notes.get("create_seconds", 0.0))

    # -- teardown ---------------------------------------------------------------------------------

    def finish(self, interrupted: bool = False) -> RunStatistics:
        """Delete what the run created; the run's statistics.

        After Ctrl-C the deletes still run (a second Ctrl-C skips them, and the statistics
        name what is left); background scenarios are not waited for then.
        """
        if interrupted:
            self.scenarios.stop()
        else:
            self.scenarios.wait()  # what a scenario creates must be deleted
        tracked = self._tracked
        clients = [tracked, *self.scenarios.clients] if tracked is not None else []
        leftovers: list[str] = []
        foreign: dict[str, list[str]] = {"vanished": [], "changed": []}
        if tracked is not None:
            try:
                deadline = time.monotonic() + _SETTLE_SECONDS
                for runner in self.scenarios.runners:
                    runner.abandon()
                    runner.settle(max(deadline - time.monotonic(), 0))
                leftovers = tracked.cleanup(settle_seconds=max(deadline - time.monotonic(), 0))
                if self.foreign_snapshot is not None:
                    from conformance.foreign import compare

                    # The checks judged before cleanup; a delete at cleanup can harm too.
                    comparison = compare(self.foreign_snapshot, tracked)
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
            swept=tuple(self.swept),
            foreign_vanished=tuple(foreign["vanished"]),
            foreign_changed=tuple(foreign["changed"]),
            notes=dict(self.notes),
        )
