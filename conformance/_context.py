"""What the checks of one process share, composed of three parts that each change for one reason:

- :class:`~conformance._loading.PluginLoader` (``context.loader``): the target URI to the plugin
  module, its client, and the tracked clients every call goes through;
- :class:`~conformance._run_inputs.RunInputs` (``context.inputs``): the models, the sample input
  and the create config the profile gives, and the predictions the kit expects;
- :class:`~conformance._scenario_run.ScenarioRun` (``context.scenarios``): the scenarios' threads
  and results, and the run's end, which waits for them and cleans up.

Items reach the context through ``config.stash`` (:data:`conformance._items.context_key`). Check
bodies call it for what they need; it hands each request to the part that owns it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from conformance._calling import CallRunner
from conformance._loading import LoadedPlugin, PluginLoader, StoppableRunner
from conformance._naming import Namer
from conformance._profile import Profile
from conformance._recording import CallLog
from conformance._run_inputs import RunInputs
from conformance._scenario_run import ScenarioRun
from conformance._statistics import RunStatistics
from conformance._tracking import TrackedClient

if TYPE_CHECKING:
    import pytest

    from conformance._foreign import Snapshot
    from conformance._models import ModelPair
    from conformance._watchdog import Watchdog

__all__ = ["Context", "LoadedPlugin", "StoppableRunner"]


class Context:
    """Per-process state of a run (each xdist worker has its own)."""

    def __init__(
        self, config: pytest.Config, profile: Profile, run_token: str | None = None
    ) -> None:
        self.config = config
        self.profile = profile
        self.namer = Namer(run_token)
        self.call_log = CallLog()
        # Facts about the run for its statistics: the sweep's, the shared create's seconds...
        self.notes: dict[str, Any] = {}
        self.current_item: Any = None  # the running check's item, for warnings
        # One lock for the lazy set-up of the plugin and of the inputs: loading either imports
        # plugin or MLflow code, which the run's threads then never do at once.
        setting_up = threading.RLock()
        self.loader = PluginLoader(
            config, profile, self.namer, self.call_log, self.notes, setting_up
        )
        self.inputs = RunInputs(config, profile, setting_up)
        self.scenarios = ScenarioRun(
            self, self.loader, self.call_log, self.notes, concurrent=profile.thread_safe
        )

    def watch(self, watchdog: Watchdog | None) -> None:
        """Tell ``watchdog`` of every plugin call and every resource from now on."""
        self.loader.watch(watchdog)

    def warn(self, message: str) -> None:
        """A SHOULD-level remark on the running check, which still passes."""
        if self.current_item is not None:
            self.current_item.remark(message)

    # -- the plugin and its clients (conformance._loading) -----------------------------------------

    @property
    def target_name(self) -> str:
        return self.loader.target_name

    @property
    def runner(self) -> CallRunner:
        """The run's own call runner, for calls made outside any scenario."""
        return self.loader.runner

    def plugin(self) -> LoadedPlugin:
        """The plugin, loaded once; failures are recorded, never raised."""
        return self.loader.plugin()

    @property
    def client(self) -> TrackedClient:
        """The tracked client of the running scenario, or the run's own outside scenarios; a
        plugin that did not load makes the check skip."""
        own = self.scenarios.client
        return own if own is not None else self.loader.main_client()

    def new_raw_client(self, runner: CallRunner | None = None) -> Any:
        """A second, untracked client for the same URI (see PluginLoader.new_raw_client)."""
        return self.loader.new_raw_client(runner)

    @property
    def foreign_snapshot(self) -> Snapshot | None:
        """What the target held before the run, once the run's client has looked."""
        return self.loader.foreign_snapshot

    def declared(self, capability: str) -> bool | None:
        """What the profile or a hook declares about ``capability``; None when nothing."""
        return self.loader.declared(capability)

    def statically_absent(self, capability: str) -> str | None:
        """Why ``capability`` is absent without calling anything, or None if it may be there."""
        return self.loader.statically_absent(capability)

    # -- models and input (conformance._run_inputs) ------------------------------------------------

    def models(self) -> ModelPair:
        """The models to deploy; without any, a clear error says which option to set."""
        return self.inputs.models()

    def sample_input(self) -> Any:
        """A fresh copy of the sample input for each call."""
        return self.inputs.sample_input()

    @property
    def input_is_default(self) -> bool:
        """Whether the sample input is the kit's own (so the kit knows what models predict)."""
        return self.inputs.input_is_default

    def expected_predictions(self, model_uri: str) -> list[Any] | None:
        """Exact predictions for ``model_uri`` on the sample input, when the kit knows them."""
        return self.inputs.expected_predictions(model_uri)

    @property
    def create_config(self) -> dict[str, Any]:
        """The config passed to create: the profile's, as a dict even when empty."""
        return self.inputs.create_config

    # -- the scenarios and the run's end (conformance._scenario_run) -------------------------------

    def start_scenarios(self, names: Iterable[str]) -> None:
        """Begin the named scenarios (and what they depend on) now, each on its own thread."""
        self.scenarios.start_named(names)

    def deployments_created(self) -> int:
        """Deployments the run's clients have created so far, in every scenario."""
        return self.scenarios.deployments_created()

    def measured_latency(self) -> float:
        """Seconds one create took, from the shared deployment; 0 when unknown."""
        return self.scenarios.measured_latency()

    def finish(self, interrupted: bool = False) -> RunStatistics:
        """Delete what the run created; the run's statistics."""
        return self.scenarios.finish(interrupted)
