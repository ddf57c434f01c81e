"""The tracked client: the only way checks reach the plugin.

It calls each method the way MLflow's CLI does (name, model_uri and flavor positionally;
``config=`` and ``endpoint=`` only when the signature takes them), under the run's timeout. It
records what it creates and, at teardown, deletes it in reverse order. It never deletes a name
it did not create, except the kit's own leftovers of finished runs when asked to sweep, and
it never creates, updates or deletes an endpoint or deployment the profile names as existing
(read-only).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance._calling import CallRunner, Outcome, accepts, render_call
from conformance._catalogue import Capability
from conformance._naming import Namer, kit_token_in_full, run_token_of
from conformance._recording import CallLog, summarise
from conformance._verdicts import (
    CapabilityAbsent,
    CheckFailed,
    PluginEscape,
    PluginRaised,
    PluginTimedOut,
    describe,
)

__all__ = [
    "OPTIONAL_METHODS",
    "ReadOnlyViolation",
    "Resource",
    "SweepResult",
    "TrackedClient",
    "inherited_from_base",
]

# Optional methods and the capability each belongs to (the capability owns the list).
OPTIONAL_METHODS = {method: str(c) for c in Capability for method in c.methods}
_STREAM_CHUNK_LIMIT = 10_000


def _base_classes() -> list[type]:
    from conformance.api._client import BaseDeploymentClient
    from conformance.api._mlflow import mlflow_deployments

    bases: list[type] = [BaseDeploymentClient]
    deployments = mlflow_deployments()
    if deployments is not None:
        bases.append(deployments.BaseDeploymentClient)
    return bases


def inherited_from_base(client: Any, method: str) -> bool:
    """True when ``method`` is the base class's placeholder, not the plugin's own code."""
    implementation = getattr(type(client), method, None)
    return any(getattr(base, method, object()) is implementation for base in _base_classes())


def _signals_unsupported(error: BaseException) -> bool:
    return isinstance(error, NotImplementedError) or (
        getattr(error, "error_code", None) == "NOT_IMPLEMENTED"
        or "unimplemented in base client" in str(error)
    )


class ReadOnlyViolation(RuntimeError):
    """The kit was about to change something the user lent it read-only: a bug in the kit."""


@dataclass
class Resource:
    """One deployment or endpoint the kit asked for, and what it believes became of it."""

    kind: str  # "deployment" or "endpoint"
    name: str
    endpoint: str | None = None
    state: str = "pending"  # pending → live / uncertain (raised) / timed-out → deleted
    timed_out: bool = False  # its create timed out: it may land later, even after a delete


@dataclass
class TrackedClient:
    """Wraps the plugin's client; every check goes through it."""

    client: Any
    runner: CallRunner
    namer: Namer
    resources: dict[tuple[str, str], Resource] = field(default_factory=dict)
    deployments_created: int = 0
    calls: int = 0
    # Told of every resource's state, so a watchdog can list what a killed run left behind.
    on_resource: Callable[[Resource], None] | None = None
    # (kind, name) of what the user lent the kit to read and predict against, never to change.
    read_only: frozenset[tuple[str, str]] = frozenset()
    # Where each call is recorded, for the report and for reproducers.
    log: CallLog = field(default_factory=CallLog)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- plumbing ---------------------------------------------------------------------------

    def _method(self, method: str) -> Callable[..., Any]:
        capability = OPTIONAL_METHODS.get(method)
        if capability and inherited_from_base(self.client, method):
            raise CapabilityAbsent(capability, f"{method}() is left to the base class")
        function = getattr(self.client, method, None)
        if not callable(function):
            if capability:
                raise CapabilityAbsent(capability, f"the client has no {method}()")
            raise PluginRaised(f"{method}()", AttributeError(f"the client has no {method}()"))
        return function

    def invoke(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``method``; a plugin exception becomes :class:`PluginRaised`."""
        function = self._method(method)
        return self._run(method, args, kwargs, lambda: function(*args, **kwargs))

    def _run(
        self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any], body: Callable[[], Any]
    ) -> Any:
        with self._lock:
            self.calls += 1
        description = render_call(method, args, kwargs)
        kept_args, kept_kwargs = self.log.kept(args, kwargs)
        started = time.perf_counter()
        try:
            value = self.runner.call(description, body)
        except BaseException as raised:
            plugin_error = raised.error if isinstance(raised, PluginEscape) else raised
            self.log.record(
                method, kept_args, kept_kwargs, time.perf_counter() - started, error=plugin_error
            )
            self._judge_raised(method, description, raised)
            raise
        self.log.record(method, kept_args, kept_kwargs, time.perf_counter() - started, value)
        return value

    def _judge_raised(self, method: str, description: str, error: BaseException) -> None:
        """Raise what the checks expect for a call that raised ``error``; return to re-raise."""
        if isinstance(error, (CheckFailed, CapabilityAbsent)) or not isinstance(error, Exception):
            return
        capability = OPTIONAL_METHODS.get(method)
        if capability and _signals_unsupported(error):
            reason = f"{method}() raised {type(error).__name__}"
            raise CapabilityAbsent(capability, reason) from error
        raise PluginRaised(description, error) from error

    def attempt(self, method: str, *args: Any, **kwargs: Any) -> Outcome:
        """Like :meth:`invoke`, but the outcome is returned whether it raised or not."""

        started = time.perf_counter()
        try:
            value = getattr(self, method)(*args, **kwargs)
        except CheckFailed as raised:  # PluginRaised or PluginTimedOut
            return Outcome(error=raised, seconds=time.perf_counter() - started)
        return Outcome(value=value, seconds=time.perf_counter() - started)

    def _keywords(self, method: str, **candidates: Any) -> dict[str, Any]:
        """The keyword arguments ``method`` accepts, as MLflow's CLI decides them."""
        function = self._method(method)
        keywords: dict[str, Any] = {}
        for name, value in candidates.items():
            if name == "endpoint" and value is None:
                continue
            if accepts(function, name):
                keywords[name] = value
            elif name == "endpoint":
                raise CapabilityAbsent("endpoints", f"{method}() takes no endpoint argument")
        return keywords

    def _writable(self, kind: str, name: str) -> None:
        if (kind, name) in self.read_only:
            raise ReadOnlyViolation(f"the kit must not change the existing {kind} {name!r}")

    def _remember(self, kind: str, name: str, endpoint: str | None = None) -> Resource:
        with self._lock:
            resource = Resource(kind, name, endpoint)
            self.resources.pop((kind, name), None)  # re-creating moves it to the end
            self.resources[(kind, name)] = resource
        self._set_state(resource, resource.state)
        return resource

    def _set_state(self, resource: Resource, state: str) -> None:
        resource.state = state
        if self.on_resource is not None:
            self.on_resource(resource)

    def _mark(self, kind: str, name: str, state: str) -> None:
        with self._lock:
            resource = self.resources.get((kind, name))
        if resource is not None:
            self._set_state(resource, state)

    # -- deployments --------------------------------------------------------------------------

    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> Any:
        self._writable("deployment", name)
        keywords = self._keywords("create_deployment", config=config, endpoint=endpoint)
        resource = self._remember("deployment", name, endpoint)
        try:
            result = self.invoke("create_deployment", name, model_uri, flavor, **keywords)
        except PluginTimedOut:
            resource.timed_out = True
            self._set_state(resource, "timed-out")
            raise
        except BaseException:
            self._set_state(resource, "uncertain")
            raise
        self._set_state(resource, "live")
        with self._lock:
            self.deployments_created += 1
        return result

    def create_concurrently(
        self,
        name: str,
        model_uri: str,
        copies: int,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
    ) -> list[Outcome]:
        """``copies`` creates of one name, started at the same instant."""
        self._writable("deployment", name)
        function = self._method("create_deployment")
        keywords = self._keywords("create_deployment", config=config)
        resource = self._remember("deployment", name)
        with self._lock:
            self.calls += copies
        args = (name, model_uri, flavor)
        kept_args, kept_kwargs = self.log.kept(args, keywords)
        outcomes = self.runner.call_concurrently(
            [(function, args, keywords) for _ in range(copies)]
        )
        call = self.log.record(
            "create_deployment",
            kept_args,
            kept_kwargs,
            max((outcome.seconds for outcome in outcomes), default=0.0),
        )
        if call is not None:
            call.copies = copies
            call.outcomes = [
                f"raised {describe(o.error)}"
                if o.error is not None
                else f"returned {summarise(o.value, 120)}"
                for o in outcomes
            ]
        successes = sum(outcome.ok for outcome in outcomes)
        self._set_state(resource, "live" if successes else "uncertain")
        with self._lock:
            self.deployments_created += successes
        return outcomes

    def update_deployment(
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> Any:
        self._writable("deployment", name)
        keywords = self._keywords("update_deployment", config=config, endpoint=endpoint)
        return self.invoke(
            "update_deployment", name, model_uri=model_uri, flavor=flavor, **keywords
        )

    def delete_deployment(self, name: str, endpoint: str | None = None) -> Any:
        self._writable("deployment", name)
        keywords = self._keywords("delete_deployment", endpoint=endpoint)
        result = self.invoke("delete_deployment", name, **keywords)
        self._mark("deployment", name, "deleted")
        return result

    def list_deployments(self, endpoint: str | None = None) -> Any:
        return self.invoke(
            "list_deployments", **self._keywords("list_deployments", endpoint=endpoint)
        )

    def get_deployment(self, name: str, endpoint: str | None = None) -> Any:
        keywords = self._keywords("get_deployment", endpoint=endpoint)
        return self.invoke("get_deployment", name, **keywords)

    def predict(self, name: str | None, inputs: Any, endpoint: str | None = None) -> Any:
        return self.invoke("predict", name, inputs, **self._keywords("predict", endpoint=endpoint))

    def explain(self, name: str | None, inputs: Any, endpoint: str | None = None) -> Any:
        return self.invoke("explain", name, inputs, **self._keywords("explain", endpoint=endpoint))

    def predict_stream(self, name: str, inputs: Any) -> list[Any]:
        """Every chunk the stream yields, read inside the timed call."""

        def read_all(function: Callable[..., Any]) -> list[Any]:
            chunks = []
            for chunk in function(name, inputs):
                chunks.append(chunk)
                if len(chunks) >= _STREAM_CHUNK_LIMIT:
                    break
            return chunks

        function = self._method("predict_stream")
        return self._run("predict_stream", (name, inputs), {}, lambda: read_all(function))

    # -- endpoints ----------------------------------------------------------------------------

    def create_endpoint(self, name: str, config: dict[str, Any] | None = None) -> Any:
        self._writable("endpoint", name)
        keywords = self._keywords("create_endpoint", config=config)
        resource = self._remember("endpoint", name)
        try:
            result = self.invoke("create_endpoint", name, **keywords)
        except PluginTimedOut:
            resource.timed_out = True
            self._set_state(resource, "timed-out")
            raise
        except BaseException:
            self._set_state(resource, "uncertain")
            raise
        self._set_state(resource, "live")
        return result

    def update_endpoint(self, name: str, config: Any = None) -> Any:
        self._writable("endpoint", name)
        return self.invoke(
            "update_endpoint", name, **self._keywords("update_endpoint", config=config)
        )

    def get_endpoint(self, name: str) -> Any:
        return self.invoke("get_endpoint", name)

    def list_endpoints(self) -> Any:
        return self.invoke("list_endpoints")

    def delete_endpoint(self, name: str) -> Any:
        self._writable("endpoint", name)
        result = self.invoke("delete_endpoint", name)
        self._mark("endpoint", name, "deleted")
        return result

    # -- teardown -----------------------------------------------------------------------------

    def cleanup(self, settle_seconds: float = 0.0) -> list[str]:
        """Delete what the kit created, newest first; return what is still there afterwards.

        Calls that timed out get ``settle_seconds`` to finish first: a create that lands after
        its timeout must be deleted, not left behind. A real Ctrl-C stops the deletes and
        propagates; :meth:`unsettled` then says what is left.
        """
        self.runner.abandon()  # never queue behind a call that hung or was interrupted
        settled = self.runner.settle(settle_seconds)
        for resource in self.unsettled():
            deleter = (
                self.delete_deployment if resource.kind == "deployment" else self.delete_endpoint
            )
            try:
                if resource.kind == "deployment":
                    deleter(resource.name, endpoint=resource.endpoint)  # type: ignore[call-arg]
                else:
                    deleter(resource.name)
            except Exception:  # judged by the leftover listing below, not here
                continue
        return self.leftovers(settled)

    def unsettled(self) -> list[Resource]:
        """What the kit asked for and has not deleted, newest first."""
        with self._lock:
            resources = list(self.resources.values())
        return [r for r in reversed(resources) if r.state != "deleted"]

    def _listing(self, kind: str) -> list[Any] | None:
        """The names the target lists for ``kind``; None when it cannot list them."""
        lister = self.list_deployments if kind == "deployment" else self.list_endpoints
        try:
            listed = lister()
        except Exception:
            return None
        if not isinstance(listed, list):
            return None
        return [entry.get("name") for entry in listed if isinstance(entry, dict)]

    def names_listed(self, kind: str) -> list[Any]:
        """The names the target lists for ``kind``, read leniently: a listing that fails or has
        the wrong shape gives what can be read (judging it is the list checks' job)."""
        return self._listing(kind) or []

    def leftovers(self, settled: bool = True) -> list[str]:
        """What the kit created that is still there, by listing the target.

        Where the target cannot list, what the kit did not manage to delete counts; and a
        create that had not finished when the run ended counts too (``settled`` False).
        """
        with self._lock:
            mine = list(self.resources.values())
        listings = {kind: self._listing(kind) for kind in {r.kind for r in mine}}
        found: list[str] = []
        for resource in mine:
            listed = listings[resource.kind]
            label = f"{resource.kind} {resource.name}"
            if listed is not None and resource.name in listed:
                found.append(label)
            elif resource.timed_out and not settled:
                found.append(f"{label} (its create had not finished when the run ended)")
            elif listed is None and resource.state != "deleted":
                found.append(f"{label} (the target could not list {resource.kind}s to tell)")
        return found

    def sweep(self, is_live: Callable[[str], bool | None] | None = None) -> SweepResult:
        """Delete what earlier, finished runs of the kit left on the target.

        Only names the kit writes, matched in full, of runs that no process on this machine
        still holds a lease for (``is_live``, by default :func:`conformance._leases.run_is_live`).
        Every name that resembles the kit's and is spared is reported with the reason.
        """
        from conformance._leases import run_is_live

        live = is_live or run_is_live
        verdicts: dict[str, bool | None] = {}  # one lease question per run, not per name
        result = SweepResult()
        for kind, deleter in (
            ("deployment", self.delete_deployment),
            ("endpoint", self.delete_endpoint),
        ):
            for name in self.names_listed(kind):
                label = f"{kind} {name}"
                if run_token_of(name) is None:
                    continue  # nothing like the kit's: not the sweep's business
                reason = self._spared(name, verdicts, live)
                if reason is None:
                    try:
                        deleter(name)
                    except Exception as error:
                        reason = f"its delete failed: {error}"
                if reason is None:
                    result.deleted.append(label)
                else:
                    result.skipped[label] = reason
        return result

    def _spared(
        self, name: str, verdicts: dict[str, bool | None], live: Callable[[str], bool | None]
    ) -> str | None:
        """Why the sweep must leave ``name`` alone, or None when it may delete it."""
        if run_token_of(name) == self.namer.token:
            return "this run made it"
        token = kit_token_in_full(name)
        if token is None:
            return "it only resembles the kit's names, so it may be someone else's"
        if token == self.namer.token:
            return "this run made it"
        if token not in verdicts:
            verdicts[token] = live(token)
        if verdicts[token] is None:
            return f"this system has no file locks, so whether run {token} is live is unknown"
        if verdicts[token]:
            return f"run {token} is still live on this machine"
        return None


@dataclass
class SweepResult:
    """What a sweep deleted, and what it left alone with the reason (keys: "<kind> <name>")."""

    deleted: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
