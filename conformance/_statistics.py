"""What a run cost and left behind: one shape for one process's figures and for the run's.

Each process that calls the plugin (the run's, or each xdist worker's) ends with a
:class:`RunStatistics` (:meth:`conformance._scenario_run.ScenarioRun.finish`); xdist workers send
theirs to the controller as a dict. :meth:`RunStatistics.merge` adds them up for the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["RunStatistics"]


@dataclass(frozen=True)
class RunStatistics:
    """Deployments created, plugin calls made, what is left, and what the run noted."""

    deployments_created: int = 0
    plugin_calls: int = 0
    leftovers: tuple[str, ...] = ()
    swept: tuple[str, ...] = ()
    # Foreign resources found gone ("vanished") or changed after cleanup, by label.
    foreign_vanished: tuple[str, ...] = ()
    foreign_changed: tuple[str, ...] = ()
    notes: dict[str, Any] = field(default_factory=dict)
    workers: int = 1

    def to_dict(self) -> dict[str, Any]:
        """The figures as the report's ``statistics`` (and an xdist worker's message) hold them."""
        return {
            "deployments_created": self.deployments_created,
            "plugin_calls": self.plugin_calls,
            "leftovers": list(self.leftovers),
            "swept": list(self.swept),
            "workers": self.workers,
            "notes": dict(self.notes),
            "foreign_after_cleanup": {
                "vanished": sorted(self.foreign_vanished),
                "changed": sorted(self.foreign_changed),
            },
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RunStatistics:
        foreign = values.get("foreign_after_cleanup", {})
        return cls(
            deployments_created=int(values.get("deployments_created", 0)),
            plugin_calls=int(values.get("plugin_calls", 0)),
            leftovers=tuple(values.get("leftovers", ())),
            swept=tuple(values.get("swept", ())),
            foreign_vanished=tuple(foreign.get("vanished", ())),
            foreign_changed=tuple(foreign.get("changed", ())),
            notes=dict(values.get("notes", {})),
            workers=int(values.get("workers", 1)),
        )

    @classmethod
    def merge(cls, parts: list[RunStatistics]) -> RunStatistics:
        """The run's figures from each process's: counts add up, lists join, foreign labels
        are counted once, and notes that are dicts (per check) are combined."""
        notes: dict[str, Any] = {}
        for part in parts:
            for key, value in part.notes.items():
                if isinstance(value, dict):
                    notes.setdefault(key, {}).update(value)
                else:
                    notes[key] = value
        return cls(
            deployments_created=sum(p.deployments_created for p in parts),
            plugin_calls=sum(p.plugin_calls for p in parts),
            leftovers=tuple(label for p in parts for label in p.leftovers),
            swept=tuple(label for p in parts for label in p.swept),
            foreign_vanished=tuple(sorted({label for p in parts for label in p.foreign_vanished})),
            foreign_changed=tuple(sorted({label for p in parts for label in p.foreign_changed})),
            notes=notes,
            workers=len(parts),
        )
