"""Foreign resources: the deployments and endpoints that were on the target before the run.

The kit must never be the reason one of them is lost. Before the first create it takes a
:class:`Snapshot` of them (one ``list_deployments()`` and one ``list_endpoints()``); at the
end, :func:`compare` lists once more and asks the target about a resource by name only when
the listing no longer shows it. Names a run of the kit writes are not foreign: this run's own,
and other runs' that match the kit's naming grammar in full, which their own runs delete.

Under pytest-xdist every worker must judge against the same snapshot, taken before any worker
created anything: the first worker to build its client takes it and shares it in a file of the
run (next to the run's lease); the others wait for that file and read it.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance._naming import kit_token_in_full, run_token_of
from conformance._verdicts import CapabilityAbsent, CheckFailed

if TYPE_CHECKING:
    from conformance._tracking import TrackedClient

__all__ = [
    "KINDS",
    "WATCHED_FIELDS",
    "Comparison",
    "Snapshot",
    "changed",
    "compare",
    "is_foreign",
    "take_snapshot",
    "vanished",
]

KINDS = ("deployment", "endpoint")
# What a listed dict must keep: a deployment that changed any of these is not what its owner
# deployed. Other fields (status, timestamps) may change on their own.
WATCHED_FIELDS = {"deployment": ("name", "model_uri", "flavor"), "endpoint": ("name",)}
_LISTERS = {"deployment": "list_deployments", "endpoint": "list_endpoints"}
_GETTERS = {"deployment": "get_deployment", "endpoint": "get_endpoint"}
_SHOWN = 10  # resources named in a message; the rest are counted


def is_foreign(name: object, run_token: str) -> bool:
    """True for a name this run did not make and no run of the kit writes."""
    return (
        isinstance(name, str)
        and run_token_of(name) != run_token
        and kit_token_in_full(name) is None
    )


@dataclass
class Snapshot:
    """Each kind's foreign resources, name -> the watched fields of its listed dict; a kind
    whose listing could not be read is in ``unreadable`` with the reason instead."""

    resources: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)

    def count(self) -> int:
        return sum(len(named) for named in self.resources.values())

    def to_json(self) -> str:
        return json.dumps({"resources": self.resources, "unreadable": self.unreadable})

    @classmethod
    def from_json(cls, text: str) -> Snapshot:
        data = json.loads(text)
        return cls(data["resources"], data["unreadable"])


@dataclass
class Comparison:
    """What became of a snapshot's resources: labels are "<kind> <name>"."""

    vanished: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)


class _Unlisted(Exception):
    """A listing that could not be read; the message says why."""


def _watched(kind: str, entry: dict[str, Any]) -> dict[str, Any]:
    plain = (str, int, float, bool, type(None))  # kept as is; anything else by its repr
    return {
        key: entry[key] if isinstance(entry[key], plain) else repr(entry[key])
        for key in WATCHED_FIELDS[kind]
        if key in entry
    }


def _listing(tracked: TrackedClient, kind: str) -> list[dict[str, Any]] | None:
    """The listed dicts of ``kind``; None when the target has no such capability."""
    try:
        listed = getattr(tracked, _LISTERS[kind])()
    except CapabilityAbsent:
        return None
    except CheckFailed as failure:
        raise _Unlisted(str(failure)) from None
    if not isinstance(listed, list) or not all(
        isinstance(entry, dict) and "name" in entry for entry in listed
    ):
        raise _Unlisted(f"{_LISTERS[kind]}() did not return a list of dicts with 'name'")
    return listed


def take_snapshot(tracked: TrackedClient, run_token: str) -> Snapshot:
    """The foreign resources on the target now: one listing per kind, no other call."""
    snapshot = Snapshot()
    for kind in KINDS:
        try:
            listed = _listing(tracked, kind)
        except _Unlisted as why:
            snapshot.unreadable[kind] = str(why)
            continue
        snapshot.resources[kind] = {
            entry["name"]: _watched(kind, entry)
            for entry in listed or []
            if is_foreign(entry["name"], run_token)
        }
    return snapshot


@contextlib.contextmanager
def _exclusively(token: str) -> Iterator[None]:
    from conformance._leases import run_file

    try:
        import fcntl
    except ImportError:  # pragma: no cover - no flock: each process takes its own snapshot
        yield
        return
    with open(run_file(token, ".snapshot.lock"), "ab") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        yield


def shared_snapshot(tracked: TrackedClient, run_token: str) -> Snapshot:
    """The run's one snapshot, shared by its xdist workers through a file of the run."""
    from conformance._leases import run_file

    path = run_file(run_token, ".snapshot.json")
    with _exclusively(run_token):
        if path.is_file():
            return Snapshot.from_json(path.read_text())
        snapshot = take_snapshot(tracked, run_token)
        partial = path.with_name(f"{path.name}.{os.getpid()}")
        partial.write_text(snapshot.to_json())
        os.replace(partial, path)  # readers see the whole snapshot or none
        return snapshot


def _describe_change(kind: str, before: dict[str, Any], after: dict[str, Any]) -> str | None:
    differences = [
        f"{key} {before.get(key)!r} -> {after.get(key)!r}"
        for key in WATCHED_FIELDS[kind]
        if key in before and before.get(key) != after.get(key)
    ]
    return f"{kind} {before['name']}: {', '.join(differences)}" if differences else None


def _fetch(tracked: TrackedClient, kind: str, name: str) -> dict[str, Any] | None:
    """The resource read by name, or None when the target no longer has it."""
    try:
        found = getattr(tracked, _GETTERS[kind])(name)
    except (CheckFailed, CapabilityAbsent):
        return None
    return found if isinstance(found, dict) else None


def compare(snapshot: Snapshot, tracked: TrackedClient) -> Comparison:
    """What became of ``snapshot``'s resources: one listing per kind, and a call by name only
    for a resource the listing no longer shows (a paged or stale listing must not make a
    resource look lost)."""
    comparison = Comparison(unreadable=dict(snapshot.unreadable))
    for kind, before in snapshot.resources.items():
        if not before:
            continue
        try:
            listed = _listing(tracked, kind) or []
        except _Unlisted as why:
            comparison.unreadable[kind] = str(why)
            continue
        now = {entry["name"]: entry for entry in listed if isinstance(entry.get("name"), str)}
        for name, fields in before.items():
            entry = now.get(name)
            if entry is None:
                entry = _fetch(tracked, kind, name)
                if entry is None:
                    comparison.vanished.append(f"{kind} {name}")
                    continue
            change = _describe_change(kind, fields, _watched(kind, entry))
            if change:
                comparison.changed.append(change)
    return comparison


def vanished(snapshot: Snapshot, tracked: TrackedClient) -> list[str]:
    """The snapshot's resources the target no longer has ("<kind> <name>")."""
    return compare(snapshot, tracked).vanished


def changed(snapshot: Snapshot, tracked: TrackedClient) -> list[str]:
    """The snapshot's resources whose name, model_uri or flavor changed, each with how."""
    return compare(snapshot, tracked).changed


def named(labels: list[str]) -> str:
    """``labels`` for a message: the first few, and how many more."""
    shown = ", ".join(labels[:_SHOWN])
    return shown + (f" and {len(labels) - _SHOWN} more" if len(labels) > _SHOWN else "")
