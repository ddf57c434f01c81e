"""The run's results as a report: JSON (validated by the shipped schema) and a Markdown
certificate. The terminal summary is in :mod:`conformance._terminal`.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import re
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from conformance._catalogue import CATALOGUE, Capability, Level
from conformance._judgement import CheckOutcome, RunEnding, Verdict, VerdictBasis, decide_verdict

__all__ = [
    "CheckResult",
    "Report",
    "ReportWriteError",
    "catalogue_digest",
    "plugin_version",
    "publish",
    "redact_target",
]

SCHEMA_PATH = Path(__file__).with_name("schemas") / "report.schema.json"
KIT_DISTRIBUTION = "mlflow-deployments-conformance"
_ABSENT_PREFIX = re.compile(r"^capability '[^']+' not supported: ")
_USER_INFO = re.compile(r"^([a-zA-Z][\w+.-]*://)[^/@?#]*@")
_SECRET_QUERY = re.compile(
    r"([?&][^=&#]*(?:pass|secret|token|key|credential|auth|signature|sig)[^=&#]*=)[^&#]*",
    re.IGNORECASE,
)


class ReportWriteError(OSError):
    """The report or the certificate could not be written where the settings asked."""


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


def catalogue_digest() -> str:
    """SHA-256 of what the catalogue promises (ids, levels, capabilities, clauses).

    Two kits with the same digest judge by the same contract, so a report can be checked
    against the kit that verifies it.
    """
    import orjson

    entries = [[c.id, str(c.level), str(c.capability), c.clause] for c in CATALOGUE]
    return "sha256:" + hashlib.sha256(orjson.dumps(entries)).hexdigest()


def redact_target(uri: str) -> str:
    """``uri`` without credentials: user info and secret-looking query values become '***'.

    Everything else is kept to the character (``memory:///path`` stays as it is).
    """
    uri = _USER_INFO.sub(r"\1***@", uri)
    return _SECRET_QUERY.sub(r"\1***", uri)


@dataclass
class CheckResult:
    """One check's outcome, in the words of :class:`~conformance._judgement.CheckOutcome`."""

    id: str
    level: str
    capability: str
    outcome: str = CheckOutcome.NOT_RUN.value
    message: str = "not run"
    duration: float = 0.0
    warnings: list[str] = field(default_factory=list)
    waiver: str | None = None  # the user's reason, when the check is waived
    since_mlflow: str | None = None  # the MLflow release that brought what the clause needs
    # Each plugin call the check made or relied on (see conformance._recording.Call.to_dict).
    calls: list[dict[str, Any]] = field(default_factory=list)
    traceback: str | None = None  # the plugin's, when a plugin exception caused the failure
    reproducer: str | None = None  # a standalone script, for a failed or unchecked check
    reproducer_path: str | None = None  # where --conformance-reproducers wrote it

    @property
    def state(self) -> CheckOutcome:
        """The outcome as a :class:`CheckOutcome` member."""
        return CheckOutcome(self.outcome)


@dataclass
class Report:
    """Everything a run found, in catalogue order, with where and how it was found."""

    target: str
    checks: list[CheckResult]
    plugin: dict[str, str | None] = field(default_factory=dict)
    statistics: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str | None] = field(default_factory=dict)
    created: str = field(
        default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds")
    )
    ending: str = RunEnding.FINISHED.value
    settings: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.target = redact_target(self.target)
        if not self.versions:
            self.versions = {
                "kit": _version(KIT_DISTRIBUTION),
                "mlflow": _version("mlflow") or _version("mlflow-skinny") or "absent",
                "python": platform.python_version(),
            }
        if not self.provenance:
            self.provenance = {
                "catalogue_digest": catalogue_digest(),
                "platform": platform.platform(),
            }

    @classmethod
    def empty(cls, target: str, waivers: dict[str, str] | None = None) -> Report:
        """Every catalogue check, not run yet; ``waivers`` maps check ids to reasons."""
        waivers = waivers or {}
        return cls(
            target,
            [
                CheckResult(
                    c.id,
                    str(c.level),
                    str(c.capability),
                    waiver=waivers.get(c.id),
                    since_mlflow=c.since_mlflow,
                )
                for c in CATALOGUE
            ],
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """A report read back from its JSON form."""
        return cls(
            target=data["target"],
            checks=[CheckResult(**check) for check in data["checks"]],
            plugin=data.get("plugin", {}),
            statistics=data.get("statistics", {}),
            versions=data.get("versions", {}),
            created=data.get("created", ""),
            ending=data.get("ending", RunEnding.FINISHED.value),
            settings=data.get("settings", {}),
            provenance=data.get("provenance", {}),
        )

    def result(self, check_id: str) -> CheckResult:
        """The result of one check, by id; an unknown id raises KeyError."""
        for result in self.checks:
            if result.id == check_id:
                return result
        raise KeyError(check_id)

    # -- derived views ------------------------------------------------------------------------

    def with_outcome(
        self, *outcomes: CheckOutcome, level: Level | None = None
    ) -> list[CheckResult]:
        """The checks with one of ``outcomes`` (and ``level``, when given)."""
        wanted = {str(outcome) for outcome in outcomes}
        return [
            c
            for c in self.checks
            if c.outcome in wanted and (level is None or c.level == str(level))
        ]

    @property
    def must_failures(self) -> list[CheckResult]:
        """The MUST checks that failed: a non-empty list means not conformant."""
        return self.with_outcome(CheckOutcome.FAILED, level=Level.MUST)

    @property
    def should_failures(self) -> list[CheckResult]:
        """The SHOULD checks that failed: warnings, which do not change the verdict."""
        return self.with_outcome(CheckOutcome.FAILED, level=Level.SHOULD)

    @property
    def applicable(self) -> list[CheckResult]:
        """Checks that reached a verdict of their own (passed, failed or waived)."""
        return self.with_outcome(CheckOutcome.PASSED, CheckOutcome.FAILED, CheckOutcome.WAIVED)

    def counts(self, results: list[CheckResult] | None = None) -> dict[str, int]:
        """How many checks (of ``results``, or all) ended in each outcome."""
        counts = {str(outcome): 0 for outcome in CheckOutcome}
        for result in self.checks if results is None else results:
            counts[result.outcome] += 1
        return counts

    def counts_by_capability(self) -> dict[str, dict[str, int]]:
        """Outcome counts per capability, as the certificate's table shows them."""
        return {
            str(capability): self.counts([c for c in self.checks if c.capability == capability])
            for capability in Capability
        }

    def capabilities(self) -> dict[str, str]:
        """Each capability: 'supported', 'not supported (reason)' or 'not checked'."""
        states: dict[str, str] = {}
        for capability in Capability:
            results = [c for c in self.checks if c.capability == str(capability)]
            if any(c.state in (CheckOutcome.PASSED, CheckOutcome.FAILED) for c in results):
                states[str(capability)] = "supported"
                continue
            absent = [
                _ABSENT_PREFIX.sub("", c.message)
                for c in results
                if c.state is CheckOutcome.NOT_APPLICABLE
            ]
            states[str(capability)] = f"not supported ({absent[0]})" if absent else "not checked"
        return states

    def waivers(self) -> list[dict[str, str]]:
        """Each waiver: the check, its level, the user's reason and what it covered.

        ``outcome`` is "waived" when the waiver covered a check that did not pass, and "stale"
        when the check passed, so the waiver can go.
        """
        return [
            {
                "id": c.id,
                "level": c.level,
                "reason": c.waiver,
                "outcome": "stale" if c.state is CheckOutcome.PASSED else c.outcome,
            }
            for c in self.checks
            if c.waiver is not None
        ]

    def verdict(self) -> tuple[Verdict, list[str]]:
        """The verdict and, for an incomplete run, why."""
        basis = [
            VerdictBasis(c.id, c.level, c.capability, c.state, c.waiver is not None)
            for c in self.checks
        ]
        return decide_verdict(basis, RunEnding(self.ending), bool(self.settings.get("strict")))

    def summary(self) -> dict[str, Any]:
        """The verdict, its reasons, the counts and the waivers: the JSON report's ``summary``."""
        verdict, reasons = self.verdict()
        return {
            "verdict": str(verdict),
            "incomplete_because": reasons,
            "conformant": verdict in (Verdict.CONFORMANT, Verdict.CONFORMANT_WITH_WAIVERS),
            "counts": self.counts(),
            "total": len(self.checks),
            "must_failures": [c.id for c in self.must_failures],
            "should_failures": [c.id for c in self.should_failures],
            "waivers": self.waivers(),
            "deployments_created": int(self.statistics.get("deployments_created", 0)),
            "leftovers": list(self.statistics.get("leftovers", [])),
        }

    # -- output -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The whole report as plain data, in the shape of the report schema."""
        return {
            "kit": KIT_DISTRIBUTION,
            "created": self.created,
            "target": self.target,
            "versions": self.versions,
            "plugin": self.plugin,
            "provenance": self.provenance,
            "settings": self.settings,
            "ending": self.ending,
            "capabilities": self.capabilities(),
            "checks": [asdict(c) for c in self.checks],
            "summary": self.summary(),
            "statistics": self.statistics,
        }

    def to_json(self) -> str:
        """The JSON report, indented, as :meth:`write_json` writes it."""
        import orjson

        return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2, default=str).decode()

    def write_json(self, path: str | Path) -> str:
        """Write the JSON report; its SHA-256, which the certificate quotes."""
        text = self.to_json() + "\n"
        write_atomically(Path(path), text)
        return hashlib.sha256(text.encode()).hexdigest()

    def certificate(
        self,
        report_sha256: str | None = None,
        report_path: str | None = None,
        certificate_path: str | Path | None = None,
    ) -> str:
        """A Markdown verdict-and-table for a plugin's README."""
        summary = self.summary()
        verdict = summary["verdict"]
        plugin = self.plugin.get("distribution") or self.plugin.get("module") or self.target
        version = self.plugin.get("version") or "unknown version"
        counts = summary["counts"]
        lines = [
            f"## MLflow deployments conformance: {plugin} {version}",
            "",
            f"**Verdict: {verdict}** against target `{self.target}`.",
            "",
            f"- Checks: {_count_words(counts)}.",
            f"- Kit {self.versions.get('kit')} "
            f"(catalogue {self.provenance.get('catalogue_digest')}),"
            f" MLflow {self.versions.get('mlflow') or 'absent'}, Python "
            f"{self.versions.get('python')} on {self.provenance.get('platform')}, {self.created}.",
        ]
        if report_sha256:
            where = f" `{Path(report_path).name}`" if report_path else ""
            lines.append(f"- JSON report{where}: SHA-256 `{report_sha256}`.")
        settings = self.settings
        absent = settings.get("capabilities_declared_absent") or []
        if absent:
            lines.append(f"- Capabilities declared absent: {', '.join(absent)}.")
        if settings.get("strict"):
            lines.append("- Strict: SHOULD failures count against the verdict.")
        lines += [
            "",
            "| capability | status | passed | failed | could not check | not applicable | waived |",
            "|---|---|---|---|---|---|---|",
        ]
        states = self.capabilities()
        for capability, part in self.counts_by_capability().items():
            lines.append(
                f"| {capability} | {states[capability]} | {part['passed']} | {part['failed']} | "
                f"{part['could-not-check']} | {part['not-applicable']} | {part['waived']} |"
            )
        problems = self.with_outcome(CheckOutcome.FAILED, CheckOutcome.COULD_NOT_CHECK)
        if problems:
            lines += [
                "",
                "| check | level | outcome | reason | reproducer |",
                "|---|---|---|---|---|",
            ]
            for result in problems:
                lines.append(
                    f"| `{result.id}` | {result.level} | {result.state.label} | "
                    f"{_cell(result.message)} | {_reproducer_link(result, certificate_path)} |"
                )
        if summary["waivers"]:
            lines += [
                "",
                "Waivers:",
                "",
                "| check | level | covered | reason |",
                "|---|---|---|---|",
            ]
            for waiver in summary["waivers"]:
                lines.append(
                    f"| `{waiver['id']}` | {waiver['level']} | {waiver['outcome']} | "
                    f"{_cell(waiver['reason'] or '')} |"
                )
        lines += ["", f"Deployments created: {summary['deployments_created']}.", ""]
        return "\n".join(lines)

    def write_certificate(
        self, path: str | Path, report_sha256: str | None = None, report_path: str | None = None
    ) -> None:
        """Write the Markdown certificate whole or not at all; see :meth:`certificate`."""
        write_atomically(Path(path), self.certificate(report_sha256, report_path, path))


@dataclass(frozen=True)
class Published:
    """What became of one file the settings asked for, as a line for the summary."""

    line: str
    written: bool
    failed: bool = False  # it could not be written (an incomplete run's kept certificate was not)


def publish(
    report: Report, report_path: str | None, certificate_path: str | None
) -> list[Published]:
    """Write the JSON report and, for a verdict that certifies, the certificate.

    Returns what became of each file. A run that cannot support a verdict never replaces a
    certificate. Failures to write are reported, never raised: the summary must still reach
    the user.
    """
    lines: list[Published] = []
    digest: str | None = None
    if report_path:
        try:
            digest = report.write_json(report_path)
            lines.append(Published(f"report: {report_path}", written=True))
        except ReportWriteError as error:
            lines.append(Published(f"report NOT written: {error}", written=False, failed=True))
    if certificate_path:
        verdict, _ = report.verdict()
        if not verdict.certifies:
            lines.append(
                Published(
                    f"certificate NOT written ({certificate_path} left as it was): the run is "
                    f"{verdict}, and only a whole run may certify",
                    written=False,
                )
            )
        else:
            if digest is None:
                digest = hashlib.sha256((report.to_json() + "\n").encode()).hexdigest()
            try:
                report.write_certificate(certificate_path, digest, report_path)
                lines.append(Published(f"certificate: {certificate_path}", written=True))
            except ReportWriteError as error:
                lines.append(
                    Published(f"certificate NOT written: {error}", written=False, failed=True)
                )
    return lines


def _reproducer_link(result: CheckResult, certificate_path: str | Path | None) -> str:
    """The reproducer's file name, linked relative to the certificate when it was written."""
    if not result.reproducer:
        return ""
    name = f"{result.id}.py"
    path = result.reproducer_path
    if not path or path.startswith("NOT written") or certificate_path is None:
        return f"`{name}`"
    relative = os.path.relpath(Path(path).resolve(), Path(certificate_path).resolve().parent)
    return f"[`{name}`]({Path(relative).as_posix()})"


def _cell(text: str) -> str:
    line = " ".join(text.split()).replace("|", "\\|")
    return line if len(line) <= 300 else line[:297] + "..."


def _count_words(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[str(o)]} {o.label}" for o in CheckOutcome)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all; a failure raises ReportWriteError."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "w") as file:
                file.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise ReportWriteError(f"cannot write {path}: {error.strerror or error}") from error
