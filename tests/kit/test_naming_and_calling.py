"""Unit tests of the kit's plumbing: the names it makes, how it calls plugin code under a
timeout, how the tracked client calls each method, and profile validation messages."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from plugins_for_kit.kit_helpers import PRIMARY_MODEL, unique

import conformance.api as api
from conformance._calling import CallRunner, accepts, render_call
from conformance._leases import Lease, leases_folder, run_is_live
from conformance._naming import (
    KIT_NAME_PATTERN,
    MAX_LABEL,
    Namer,
    is_dns_label,
    is_kit_name,
    kit_token_in_full,
    new_run_token,
)
from conformance._profile import Profile, ProfileError, validate
from conformance._tracking import TrackedClient
from conformance._verdicts import CapabilityAbsent, PluginRaised, PluginTimedOut
from reference_target import MemoryDeploymentClient
from reference_target.store import drop_store

# -- naming ---------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _outside_xdist(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every namer here is made as in a run without xdist, unless a test says otherwise."""
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)


def _kit_label(name: str, prefix: str) -> bool:
    return (
        is_dns_label(name)
        and len(name) <= MAX_LABEL
        and bool(KIT_NAME_PATTERN.match(name))
        and name.startswith(prefix + "-")
        and is_kit_name(name)
    )


@given(purposes=st.lists(st.text(max_size=120), min_size=1, max_size=30))
def test_fresh_names_are_unique_kit_labels_whatever_the_purpose(purposes: list[str]) -> None:
    namer = Namer()

    names = [namer.fresh(purpose) for purpose in purposes]

    assert len(set(names)) == len(names)
    assert all(_kit_label(name, namer.prefix) for name in names)


def test_fresh_names_keep_a_readable_purpose() -> None:
    namer = Namer(token="abc123")

    assert namer.fresh("Shared Deployment!") == "mdc-abc123-m-shared-deployment-1"
    assert namer.fresh("Shared Deployment!") == "mdc-abc123-m-shared-deployment-2"
    # Each purpose counts on its own, so a name does not depend on which scenario asked first.
    assert namer.fresh() == "mdc-abc123-m-1"
    long = namer.fresh("x" * 200)
    assert len(long) == MAX_LABEL
    assert long.endswith("-1")


def test_fresh_names_are_unique_across_threads() -> None:
    namer = Namer()
    names: list[str] = []

    def take() -> None:
        names.extend(namer.fresh("race") for _ in range(200))

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(names)) == 800


def test_each_namer_has_its_own_token() -> None:
    tokens = {Namer().token for _ in range(50)}

    assert len(tokens) == 50
    assert all(re.fullmatch(r"[a-z0-9]{6}", token) for token in tokens)


@pytest.mark.parametrize(
    ("worker", "tag"),
    [(None, "m"), ("gw0", "w0"), ("gw1", "w1"), ("gw12", "w12"), ("master", "m"), ("", "m")],
)
def test_the_prefix_carries_the_xdist_worker(
    monkeypatch: pytest.MonkeyPatch, worker: str | None, tag: str
) -> None:
    if worker is not None:
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)

    namer = Namer(token="abc123")

    assert namer.prefix == f"mdc-abc123-{tag}"
    assert _kit_label(namer.fresh("shared"), namer.prefix)


@pytest.mark.parametrize(
    ("name", "kit"),
    [
        ("mdc-abc123-m-shared-1", True),
        ("mdc-abc123-w3-endpoint-2", True),
        ("user-owned", False),
        ("mdc-abc123-shared-1", False),  # no worker tag
        ("../mdc-abc123-m-escape", True),  # the hostile-name check's leftovers are swept too
        ("mdc-abc123-m-ctl\n\t", True),
        ("mdc-ABC123-m-shared-1", False),
        (None, False),
        (42, False),
    ],
)
def test_is_kit_name(name: object, kit: bool) -> None:
    assert is_kit_name(name) is kit


# -- calling --------------------------------------------------------------------------------------


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at the end of the test, so a call left hanging ends with it."""
    event = threading.Event()
    yield event
    event.set()


def test_calls_run_one_at_a_time_on_one_long_lived_thread() -> None:
    runner = CallRunner(timeout=5)

    threads = {runner.call("ident", threading.get_ident) for _ in range(5)}

    assert len(threads) == 1
    assert threads != {threading.get_ident()}


def test_a_calls_exception_reaches_the_caller() -> None:
    runner = CallRunner(timeout=5)

    def broken() -> None:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        runner.call("broken()", broken)
    assert runner.call("after", lambda: 7) == 7


def test_a_hung_call_times_out_and_the_next_call_gets_a_fresh_thread(
    release: threading.Event,
) -> None:
    runner = CallRunner(timeout=0.2)
    hung_on: list[int] = []

    def hang() -> None:
        hung_on.append(threading.get_ident())
        release.wait(30)

    started = time.perf_counter()
    with pytest.raises(PluginTimedOut) as raised:
        runner.call("hang('x')", hang)
    waited = time.perf_counter() - started
    next_thread = runner.call("ident", threading.get_ident)

    assert 0.2 <= waited < 5
    assert raised.value.call == "hang('x')"
    assert "did not return within 0.2 s" in str(raised.value)
    assert next_thread not in hung_on


@pytest.mark.parametrize("error", [KeyboardInterrupt(), SystemExit(0), GeneratorExit()])
def test_a_base_exception_from_plugin_code_is_carried_as_an_exception(
    error: BaseException,
) -> None:
    """The plugin's own KeyboardInterrupt or SystemExit must not end the caller's run."""
    from conformance._verdicts import PluginEscape

    runner = CallRunner(timeout=5)

    def escape() -> None:
        raise error

    with pytest.raises(PluginEscape) as raised:
        runner.call("escape()", escape)
    assert raised.value.error is error
    assert runner.call("after", lambda: "still works") == "still works"


def test_os_exit_from_plugin_code_is_caught_while_guarded() -> None:
    import os

    from conformance._calling import guard_process_exit
    from conformance._verdicts import PluginEscape, PluginExited

    runner = CallRunner(timeout=5)
    guard_process_exit(True)
    try:
        with pytest.raises(PluginEscape) as raised:
            runner.call("exit()", os._exit, 3)
    finally:
        guard_process_exit(False)
    assert isinstance(raised.value.error, PluginExited)
    assert raised.value.error.code == 3


def test_call_concurrently_starts_every_call_together() -> None:
    runner = CallRunner(timeout=10)
    starts: list[float] = []
    pause = 0.5

    def slow(index: int) -> int:
        starts.append(time.perf_counter())
        time.sleep(pause)
        return index

    began = time.perf_counter()
    outcomes = runner.call_concurrently([(slow, (i,), {}) for i in range(4)])
    took = time.perf_counter() - began

    assert [o.value for o in outcomes] == [0, 1, 2, 3]
    assert all(o.ok and o.seconds >= pause for o in outcomes)
    # Released by one barrier: they overlap, where one after another would take 4 pauses.
    assert max(starts) - min(starts) < pause
    assert took < 3 * pause


def test_call_concurrently_reports_errors_and_hangs_per_call(release: threading.Event) -> None:
    runner = CallRunner(timeout=0.3)

    def fine() -> str:
        return "ok"

    def broken() -> None:
        raise RuntimeError("broken")

    outcomes = runner.call_concurrently(
        [(fine, (), {}), (broken, (), {}), (release.wait, (30,), {})]
    )

    assert outcomes[0].value == "ok"
    assert isinstance(outcomes[1].error, RuntimeError)
    assert isinstance(outcomes[2].error, PluginTimedOut)


def _positional(name: str, model_uri: str, flavor: str | None = None) -> str:
    return name


def _with_config(
    name: str, model_uri: str, flavor: str | None = None, config: dict[str, Any] | None = None
) -> str:
    return name


def _keywords(name: str, **kwargs: Any) -> str:
    return name


@pytest.mark.parametrize(
    ("function", "parameter", "expected"),
    [
        (_positional, "config", False),
        (_with_config, "config", True),
        (_with_config, "endpoint", False),
        (_keywords, "endpoint", True),
        (max, "config", True),  # no readable signature: pass it, as MLflow would
    ],
)
def test_accepts(function: Any, parameter: str, expected: bool) -> None:
    assert accepts(function, parameter) is expected


def test_render_call_is_short() -> None:
    text = render_call("predict", ("name", "x" * 500), {"endpoint": None})

    assert text.startswith("predict('name', 'xxx")
    assert text.endswith("..., endpoint=None)")
    assert len(text) < 140


# -- the tracked client ---------------------------------------------------------------------------


class LegacyClient(api.BaseDeploymentClient):
    """Written against an old API: no config and no endpoint parameters anywhere."""

    def __init__(self) -> None:
        super().__init__("legacy")
        self.calls: list[tuple[Any, ...]] = []
        self.names: list[str] = []

    def create_deployment(  # type: ignore[override]
        self, name: str, model_uri: str, flavor: str | None = None
    ) -> dict[str, Any]:
        self.calls.append(("create", name, model_uri, flavor))
        self.names.append(name)
        return {"name": name, "flavor": flavor}

    def update_deployment(  # type: ignore[override]
        self, name: str, model_uri: str | None = None, flavor: str | None = None
    ) -> dict[str, Any]:
        self.calls.append(("update", name, model_uri, flavor))
        return {"name": name}

    def delete_deployment(self, name: str) -> None:  # type: ignore[override]
        self.calls.append(("delete", name))
        if name in self.names:
            self.names.remove(name)

    def list_deployments(self) -> list[dict[str, Any]]:  # type: ignore[override]
        self.calls.append(("list",))
        return [{"name": name} for name in self.names]

    def get_deployment(self, name: str) -> dict[str, Any]:  # type: ignore[override]
        self.calls.append(("get", name))
        return {"name": name}

    def predict(  # type: ignore[override]
        self, deployment_name: str | None = None, inputs: Any = None
    ) -> api.PredictionsResponse:
        self.calls.append(("predict", deployment_name, inputs))
        return api.PredictionsResponse({"predictions": [1]})


class ModernClient(LegacyClient):
    """Takes config as MLflow's CLI passes it, and explain raises NotImplementedError."""

    def create_deployment(  # type: ignore[override]
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        self.calls.append(("create", name, model_uri, flavor, config))
        self.names.append(name)
        return {"name": name, "flavor": flavor}

    def update_deployment(  # type: ignore[override]
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        self.calls.append(("update", name, model_uri, flavor, config))
        return {"name": name}

    def explain(
        self, deployment_name: str | None = None, df: Any = None, endpoint: str | None = None
    ) -> Any:
        raise NotImplementedError

    def predict_stream(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Any:
        raise api.MlflowException("no streaming here", api.NOT_IMPLEMENTED)

    def get_deployment(self, name: str) -> dict[str, Any]:  # type: ignore[override]
        raise NotImplementedError("core methods may not opt out")


def _tracked(client: Any, token: str = "abc123") -> TrackedClient:
    return TrackedClient(client, CallRunner(timeout=5), Namer(token=token))


def test_a_legacy_client_is_called_without_config_or_endpoint() -> None:
    client = LegacyClient()
    tracked = _tracked(client)

    tracked.create_deployment("mdc-abc123-m-a-1", "m1", None, config={"replicas": "2"})
    tracked.update_deployment("mdc-abc123-m-a-1", model_uri="m2", config={"replicas": "3"})
    tracked.predict("mdc-abc123-m-a-1", [[1.0]])
    tracked.list_deployments()
    tracked.delete_deployment("mdc-abc123-m-a-1")

    assert client.calls == [
        ("create", "mdc-abc123-m-a-1", "m1", None),
        ("update", "mdc-abc123-m-a-1", "m2", None),
        ("predict", "mdc-abc123-m-a-1", [[1.0]]),
        ("list",),
        ("delete", "mdc-abc123-m-a-1"),
    ]


def test_a_client_that_takes_config_gets_it() -> None:
    client = ModernClient()

    _tracked(client).create_deployment("mdc-abc123-m-a-1", "m1", "pyfunc", config={"k": "v"})

    assert client.calls == [("create", "mdc-abc123-m-a-1", "m1", "pyfunc", {"k": "v"})]


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("predict", ("n", [[1.0]])),
        ("create_deployment", ("n", "m1")),
        ("get_deployment", ("n",)),
        ("list_deployments", ()),
        ("delete_deployment", ("n",)),
    ],
)
def test_an_endpoint_for_a_method_without_one_is_capability_absent(
    method: str, args: tuple[Any, ...]
) -> None:
    client = LegacyClient()
    tracked = _tracked(client)

    with pytest.raises(CapabilityAbsent) as raised:
        getattr(tracked, method)(*args, endpoint="an-endpoint")

    assert raised.value.capability == "endpoints"
    assert client.calls == []  # refused before anything reached the plugin
    assert tracked.resources == {}


@pytest.mark.parametrize(
    ("method", "args", "capability"),
    [
        ("explain", ("n", [[1.0]]), "explain"),
        ("predict_stream", ("n", [[1.0]]), "stream"),
        ("create_endpoint", ("e",), "endpoints"),
        ("get_endpoint", ("e",), "endpoints"),
        ("list_endpoints", (), "endpoints"),
        ("delete_endpoint", ("e",), "endpoints"),
    ],
)
def test_optional_methods_left_to_the_base_class_are_capability_absent(
    method: str, args: tuple[Any, ...], capability: str
) -> None:
    with pytest.raises(CapabilityAbsent, match="left to the base class") as raised:
        getattr(_tracked(LegacyClient()), method)(*args)

    assert raised.value.capability == capability


@pytest.mark.parametrize(
    ("method", "capability"), [("explain", "explain"), ("predict_stream", "stream")]
)
def test_an_optional_method_that_says_unsupported_is_capability_absent(
    method: str, capability: str
) -> None:
    with pytest.raises(CapabilityAbsent) as raised:
        getattr(_tracked(ModernClient()), method)("n", [[1.0]])

    assert raised.value.capability == capability


def test_a_core_method_that_raises_not_implemented_fails() -> None:
    with pytest.raises(PluginRaised, match="NotImplementedError"):
        _tracked(ModernClient()).get_deployment("n")


def test_a_client_without_optional_methods_at_all_is_capability_absent() -> None:
    class Bare:
        """Not even a BaseDeploymentClient subclass."""

    with pytest.raises(CapabilityAbsent, match="has no explain"):
        _tracked(Bare()).explain("n", [[1.0]])


def test_cleanup_deletes_newest_first_and_skips_what_is_already_deleted() -> None:
    client = LegacyClient()
    tracked = _tracked(client)
    for name in ("mdc-abc123-m-a-1", "mdc-abc123-m-b-2", "mdc-abc123-m-c-3"):
        tracked.create_deployment(name, "m1")
    tracked.delete_deployment("mdc-abc123-m-b-2")
    client.calls.clear()

    leftovers = tracked.cleanup()

    deletes = [call for call in client.calls if call[0] == "delete"]
    assert deletes == [("delete", "mdc-abc123-m-c-3"), ("delete", "mdc-abc123-m-a-1")]
    assert leftovers == []
    assert tracked.deployments_created == 3


def test_cleanup_retries_a_create_that_failed_and_reports_what_stays() -> None:
    class Stubborn(LegacyClient):
        def create_deployment(  # type: ignore[override]
            self, name: str, model_uri: str, flavor: str | None = None
        ) -> dict[str, Any]:
            self.names.append(name)
            raise RuntimeError("created, then failed to say so")

        def delete_deployment(self, name: str) -> None:  # type: ignore[override]
            self.calls.append(("delete", name))
            raise RuntimeError("cannot delete")

    client = Stubborn()
    tracked = _tracked(client)
    with pytest.raises(PluginRaised):
        tracked.create_deployment("mdc-abc123-m-a-1", "m1")

    leftovers = tracked.cleanup()

    assert ("delete", "mdc-abc123-m-a-1") in client.calls
    assert leftovers == ["deployment mdc-abc123-m-a-1"]
    assert tracked.deployments_created == 0


@pytest.fixture
def memory_namespace() -> Iterator[str]:
    name = unique("ns")
    yield name
    drop_store(name)


def _finished(token: str) -> bool:
    """Every run counts as finished: what the sweep decides from names alone."""
    return False


def test_sweep_deletes_only_earlier_kit_runs_leftovers(memory_namespace: str) -> None:
    store = MemoryDeploymentClient(f"memory:/{memory_namespace}")
    for name in ("user-owned", "mdc-old999-m-shared-1", "mdc-abc123-m-mine-1"):
        store.create_deployment(name, PRIMARY_MODEL)
    store.create_endpoint("mdc-old999-w2-endpoint-4")

    swept = _tracked(MemoryDeploymentClient(f"memory:/{memory_namespace}")).sweep(_finished)

    assert swept.deleted == [
        "deployment mdc-old999-m-shared-1",
        "endpoint mdc-old999-w2-endpoint-4",
    ]
    assert swept.skipped == {"deployment mdc-abc123-m-mine-1": "this run made it"}
    assert {d["name"] for d in store.list_deployments()} == {"user-owned", "mdc-abc123-m-mine-1"}
    assert store.list_endpoints() == []


def test_a_workers_sweep_spares_the_other_workers_of_its_run(
    monkeypatch: pytest.MonkeyPatch, memory_namespace: str
) -> None:
    uri = f"memory:/{memory_namespace}"
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    first = _tracked(MemoryDeploymentClient(uri), token="run123")
    shared = first.namer.fresh("shared")
    first.create_deployment(shared, PRIMARY_MODEL)
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    second = _tracked(MemoryDeploymentClient(uri), token="run123")

    swept = second.sweep(_finished)

    assert swept.deleted == []
    assert swept.skipped == {f"deployment {shared}": "this run made it"}
    assert shared in {d["name"] for d in MemoryDeploymentClient(uri).list_deployments()}


# -- profile validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"timeuot": 5}, "my source: unknown key 'timeuot'; known keys: bad_model_uri"),
        ({"timeout": "x"}, "my source: key 'timeout': 'x' is not of type 'number'"),
        ({"timeout": 0}, "my source: key 'timeout':"),
        ({"strict": "yes"}, "my source: key 'strict':"),
        ({"model_uris": ["a", "b", "c"]}, "my source: key 'model_uris':"),
        ({"xfail": {"names.hostile": ""}}, "my source: key 'xfail.names.hostile':"),
        ({"capabilities": {"gpu": True}}, "my source: key 'capabilities':"),
        ({"capabilities": {"endpoints": "off"}}, "my source: key 'capabilities.endpoints':"),
        ({"hypothesis": "endless"}, "my source: key 'hypothesis':"),
    ],
)
def test_validate_names_the_source_and_the_key(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ProfileError) as raised:
        validate(settings, "my source")

    assert str(raised.value).startswith(message)


def test_validate_names_every_unknown_key() -> None:
    with pytest.raises(ProfileError, match="unknown key 'alpha', 'beta'"):
        validate({"alpha": 1, "beta": 2, "timeout": 5}, "my source")


def test_validate_accepts_every_key_of_a_full_profile() -> None:
    settings = {
        "target": "memory",
        "plugin": "my_plugin",
        "model_uris": ["a", "b"],
        "bad_model_uri": "nowhere://x",
        "flavor": "python_function",
        "input": "input.json",
        "config": {"replicas": 2},
        "report": "report.json",
        "certificate": "cert.md",
        "strict": True,
        "timeout": 30,
        "sweep": True,
        "xfail": {"names.hostile": "on purpose"},
        "capabilities": {"endpoints": False},
        "hypothesis": "thorough",
    }

    validate(settings, "my source")
    profile = Profile.from_mapping(settings)

    assert profile.model_uris == ("a", "b")
    assert profile.capabilities == {"endpoints": False}


def test_a_profile_without_a_target_says_how_to_give_one() -> None:
    with pytest.raises(ProfileError, match="no target: pass --deployment-target=URI"):
        Profile.from_mapping({"timeout": 5})


# -- scenarios ------------------------------------------------------------------------------------


def _context(pytestconfig: pytest.Config) -> Any:
    from conformance._context import Context

    return Context(pytestconfig, Profile(target="memory:/scenarios"))


def test_a_scenario_started_in_the_background_runs_once_and_is_waited_for(
    pytestconfig: pytest.Config,
) -> None:
    from conformance._scenarios import Scenario

    context = _context(pytestconfig)
    context.scenarios.client  # noqa: B018 - outside a scenario thread: None
    release, builds = threading.Event(), []

    def build(_: Any) -> str:
        release.wait(5)
        builds.append(threading.current_thread().name)
        return "built"

    slow = Scenario("slow", build, uses_client=False)
    context.scenarios.start([slow])
    context.scenarios.start([slow])  # already running: not started twice
    release.set()
    assert slow.result(context) == "built"
    assert slow.result(context) == "built"
    assert builds == ["conformance-slow"]


def test_a_background_scenario_that_fails_reports_like_one_run_in_place(
    pytestconfig: pytest.Config,
) -> None:
    from conformance._scenarios import Scenario
    from conformance._verdicts import CheckFailed, PreconditionFailed

    context = _context(pytestconfig)

    def refused(_: Any) -> None:
        raise CheckFailed("the target refused")

    def broken(_: Any) -> None:
        raise ZeroDivisionError("a defect of the build itself")

    refusing = Scenario("refused", refused, uses_client=False)
    breaking = Scenario("broken", broken, uses_client=False)
    context.scenarios.start([refusing, breaking])
    with pytest.raises(PreconditionFailed, match="the refused scenario could not run: the target"):
        refusing.result(context)
    with pytest.raises(ZeroDivisionError, match="a defect of the build itself"):
        breaking.result(context)


def test_scenarios_run_one_by_one_when_the_client_is_not_thread_safe(
    pytestconfig: pytest.Config,
) -> None:
    from conformance._context import Context
    from conformance._scenarios import Scenario

    context = Context(pytestconfig, Profile(target="memory:/scenarios", thread_safe=False))
    threads: list[str] = []
    here = Scenario("here", lambda _: threads.append(threading.current_thread().name))
    context.scenarios.start([here])  # not started: it runs when asked, on the asking thread
    assert threads == []
    here.result(context)
    assert threads == [threading.current_thread().name]


def test_a_long_scenario_gets_an_xdist_group_of_its_own_and_a_short_one_joins_its_reader() -> None:
    from conformance._checks import groups, scenarios, slowest_groups

    declared = scenarios()
    shared = declared["shared deployment"]
    assert declared["conflicting create"].group == shared.group
    assert declared["lifecycle"].group == "lifecycle"
    order = slowest_groups()
    assert order[-1] == "foreign resources"
    assert order.index("endpoint life") < order.index(shared.group)
    assert set(groups().values()) == set(order)


LOOK_ALIKES = {
    # Another token than the tracked client's (abc123), whose own names the sweep spares anyway.
    "deployment": ("mdc-europe-m-churn", "team/mdc-xyz789-w1-model", "mdc-xyz789-w1-model"),
    "endpoint": ("mdc-europe-m-ep",),
}


@pytest.mark.parametrize(
    "name",
    [
        "mdc-europe-m-churn",  # a word is never a token
        "mdc-europe-m-churn-1",
        "team/mdc-abc123-w1-model",  # only names.hostile's escape climbs, and only with '../'
        "../mdc-abc123-w1-model-1",
        "mdc-abc123-w1-model",  # the kit's fresh names end in a number
        "mdc-europe-m-ep",
        "mdc-abc123-m-shared-1\n",
        "mdc-abc123-shared-1",
    ],
)
def test_look_alikes_are_not_kit_names_in_full(name: str) -> None:
    assert kit_token_in_full(name) is None


@pytest.mark.parametrize(
    "purpose", ["shared", "never-created", "lifecycle", "endpoint", "in-endpoint", ""]
)
def test_every_name_the_kit_makes_is_one_in_full(purpose: str) -> None:
    namer = Namer()
    hostile = ["../{p}-escape", "{p}-" + "x" * 300, "{p}-ctl\n\t\x1b", "{p}-s00af-ab-3c"]
    for name in [namer.fresh(purpose), *(h.format(p=namer.prefix) for h in hostile)]:
        assert kit_token_in_full(name) == namer.token, name


def test_run_tokens_mix_letters_and_digits() -> None:
    tokens = [new_run_token() for _ in range(200)]
    assert all(any(c.isdigit() for c in t) and any(c.isalpha() for c in t) for t in tokens)


def test_sweep_spares_look_alikes_and_says_why(memory_namespace: str) -> None:
    store = MemoryDeploymentClient(f"memory:/{memory_namespace}")
    for name in LOOK_ALIKES["deployment"]:
        store.create_deployment(name, PRIMARY_MODEL)
    for name in LOOK_ALIKES["endpoint"]:
        store.create_endpoint(name)

    swept = _tracked(MemoryDeploymentClient(f"memory:/{memory_namespace}")).sweep(_finished)

    assert swept.deleted == []
    assert set(swept.skipped) == {
        f"{kind} {name}" for kind, names in LOOK_ALIKES.items() for name in names
    }
    assert all("only resembles" in reason for reason in swept.skipped.values())
    assert {d["name"] for d in store.list_deployments()} == set(LOOK_ALIKES["deployment"])


def test_sweep_spares_a_run_that_still_holds_its_lease(
    memory_namespace: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    store = MemoryDeploymentClient(f"memory:/{memory_namespace}")
    store.create_deployment("mdc-live42-w0-shared-1", PRIMARY_MODEL)
    store.create_deployment("mdc-dead42-w0-shared-1", PRIMARY_MODEL)
    live = Lease("live42").take()
    dead = Lease("dead42").take()
    dead.release()  # as the operating system does when a run's process ends
    try:
        swept = _tracked(MemoryDeploymentClient(f"memory:/{memory_namespace}")).sweep()
    finally:
        live.release()

    assert swept.deleted == ["deployment mdc-dead42-w0-shared-1"]
    assert swept.skipped == {
        "deployment mdc-live42-w0-shared-1": "run live42 is still live on this machine"
    }
    assert {d["name"] for d in store.list_deployments()} == {"mdc-live42-w0-shared-1"}
    assert not list(leases_folder().glob("dead42.*")), "a finished run's lease is removed"


def test_a_lease_is_live_until_released(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert run_is_live("abc123") is False
    first, second = Lease("abc123").take(), Lease("abc123").take()  # two workers of one run
    assert run_is_live("abc123") is True
    first.release()
    assert run_is_live("abc123") is True
    second.release()
    assert run_is_live("abc123") is False
    assert str(leases_folder()).startswith(str(tmp_path))
