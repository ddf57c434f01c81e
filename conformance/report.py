"""The run's results as a report: JSON (validated by the shipped schema) and a Markdown
certificate. The terminal summary is in :mod:`conformance.terminal`.
"""

from __future__ import annotations

import importlib.metadata
import platform
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from conformance.catalogue import CATALOGUE, Capability, Level

__all__ = ["OUTCOMES", "CheckResult", "Report", "plugin_version"]

OUTCOMES = ("passed", "failed", "skipped", "xfailed", "error")
SCHEMA_PATH = Path(__file__).with_name("schemas") / "report.schema.json"


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def plugin_version(target_name: str, module_name: str | None) -> dict[str, str | None]:
    """The distribution that provides the plugin, found without importing it."""
    for entry_point in importlib.metadata.entry_points(group="mlflow.deployments"):
        if entry_point.name == target_name and module_name in (None, entry_point.value):
            dist = entry_point.dist
            return {
                "module": entry_point.value,
                "distribution": dist.name if dist else None,
                "version": dist.version if dist else None,
            }
    if module_name:
        top = module_name.split(".")[0]
        for dist_name in importlib.metadata.packages_distributions().get(top, []):
            return {
                "module": module_name,
                "distribution": dist_name,
                "version": _version(dist_name),
            }
    return {"module": module_name, "distribution": None, "version": None}


@dataclass
class CheckResult:
    """One check's verdict."""

    id: str
    level: str
    capability: str
    outcome: str = "skipped"
    message: str = ""
    duration: float = 0.0
    warnings: list[str] = field(default_factory=list)


@dataclass
class Report:
    """Everything a run found, in catalogue order."""

    target: str
    checks: list[CheckResult]
    plugin: dict[str, str | None] = field(default_factory=dict)
    statistics: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str | None] = field(default_factory=dict)
    created: str = field(
        default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds")
    )

    def __post_init__(self) -> None:
        if not self.versions:
            self.versions = {
                "kit": _version("mlflow-deployments-conformance"),
                "mlflow": _version("mlflow") or _version("mlflow-skinny"),
                "python": platform.python_version(),
            }

    @classmethod
    def empty(cls, target: str) -> Report:
        return cls(target, [CheckResult(c.id, str(c.level), str(c.capability)) for c in CATALOGUE])

    def result(self, check_id: str) -> CheckResult:
        for result in self.checks:
            if result.id == check_id:
                return result
        raise KeyError(check_id)

    # -- derived views ------------------------------------------------------------------------

    def _with(self, outcomes: tuple[str, ...], level: str | None = None) -> list[CheckResult]:
        return [c for c in self.checks if c.outcome in outcomes and level in (None, c.level)]

    @property
    def must_failures(self) -> list[CheckResult]:
        return self._with(("failed", "error"), str(Level.MUST))

    @property
    def should_failures(self) -> list[CheckResult]:
        return self._with(("failed", "error"), str(Level.SHOULD))

    @property
    def applicable(self) -> list[CheckResult]:
        """Checks that reached a verdict (anything but skipped)."""
        return [c for c in self.checks if c.outcome != "skipped"]

    def capabilities(self) -> dict[str, str]:
        """Each capability: 'supported', 'not supported' (with reason) or 'not checked'."""
        states: dict[str, str] = {}
        for capability in Capability:
            results = [c for c in self.checks if c.capability == str(capability)]
            judged = [c for c in results if c.outcome != "skipped"]
            if judged:
                states[str(capability)] = "supported"
                continue
            reasons = {c.message for c in results if c.message}
            unsupported = [r for r in reasons if "not supported" in r or "declared absent" in r]
            states[str(capability)] = (
                f"not supported ({unsupported[0]})" if unsupported else "not checked"
            )
        return states

    def summary(self) -> dict[str, Any]:
        counts = {outcome: 0 for outcome in OUTCOMES}
        for result in self.checks:
            counts[result.outcome] += 1
        return {
            **counts,
            "total": len(self.checks),
            "must_failures": [c.id for c in self.must_failures],
            "should_failures": [c.id for c in self.should_failures],
            "deployments_created": int(self.statistics.get("deployments_created", 0)),
            "leftovers": list(self.statistics.get("leftovers", [])),
            "conformant": not self.must_failures and bool(self.applicable),
        }

    # -- output -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "kit": "mlflow-deployments-conformance",
            "created": self.created,
            "target": self.target,
            "versions": self.versions,
            "plugin": self.plugin,
            "capabilities": self.capabilities(),
            "checks": [asdict(c) for c in self.checks],
            "summary": self.summary(),
            "statistics": self.statistics,
        }

    def to_json(self) -> str:
        import orjson

        return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2, default=str).decode()

    def write_json(self, path: str | Path) -> None:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.to_json() + "\n")

    def certificate(self) -> str:
        """A Markdown badge-and-table for a plugin's README."""
        summary = self.summary()
        verdict = "conformant" if summary["conformant"] else "not conformant"
        plugin = self.plugin.get("distribution") or self.plugin.get("module") or self.target
        version = self.plugin.get("version") or "unknown version"
        lines = [
            f"## MLflow deployments conformance: {plugin} {version}",
            "",
            f"**Verdict: {verdict}** against target `{self.target}` "
            f"(kit {self.versions.get('kit')}, "
            f"MLflow {self.versions.get('mlflow') or 'not installed'}, "
            f"Python {self.versions.get('python')}, {self.created}).",
            "",
            "| capability | status | passed | failed | skipped |",
            "|---|---|---|---|---|",
        ]
        for capability, state in self.capabilities().items():
            results = [c for c in self.checks if c.capability == capability]
            passed = sum(c.outcome == "passed" for c in results)
            failed = sum(c.outcome in ("failed", "error") for c in results)
            skipped = sum(c.outcome in ("skipped", "xfailed") for c in results)
            lines.append(f"| {capability} | {state} | {passed} | {failed} | {skipped} |")
        if self.must_failures or self.should_failures:
            lines += ["", "| check | level | reason |", "|---|---|---|"]
            for result in self.must_failures + self.should_failures:
                reason = result.message.replace("|", "\\|").replace("\n", " ")
                lines.append(f"| `{result.id}` | {result.level} | {reason} |")
        lines += ["", f"Deployments created: {summary['deployments_created']}.", ""]
        return "\n".join(lines)

    def write_certificate(self, path: str | Path) -> None:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.certificate())
