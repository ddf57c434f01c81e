"""The pytest item that runs one catalogue check; its node id is the check id.

How a check's outcome shows in pytest's own words (the kit's words are in the report):

============================  =====================================
kit outcome                   pytest outcome
============================  =====================================
passed                        passed
failed, MUST                  failed
failed, SHOULD                passed, with a ConformanceShouldWarning
                              (failed with --conformance-strict)
waived (failed, with waiver)  xfailed, with the user's reason
could not check               skipped ("could not check: ...")
not applicable                skipped
not run                       deselected, or never reached
============================  =====================================
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from _pytest._code.code import TerminalRepr
from _pytest._io import TerminalWriter

from conformance._catalogue import Capability, Check, Level, known_id
from conformance._judgement import CheckOutcome
from conformance._mlflow_features import unavailable_under_installed_mlflow
from conformance._verdicts import (
    CapabilityAbsent,
    CheckFailed,
    PreconditionFailed,
    ShapeFailed,
    describe,
)

if TYPE_CHECKING:
    from conformance._checks import CheckBody
    from conformance._context import Context
    from conformance._reproducers import Deploying

__all__ = [
    "CheckItem",
    "ConformanceShouldWarning",
    "context_key",
    "recorded_details",
    "recorded_outcome",
]

# user_properties keys: they travel with each report (to xdist's controller and to junit).
_OUTCOME = "conformance_outcome"
_MESSAGE = "conformance_message"
_WARNING = "conformance_warning"
_DETAILS = {
    "conformance_calls": "calls",
    "conformance_traceback": "traceback",
    "conformance_reproducer": "reproducer",
    "conformance_reproducer_path": "reproducer_path",
}
_NEEDS_REPRODUCER = (CheckOutcome.FAILED, CheckOutcome.COULD_NOT_CHECK)
_LOADS = known_id("module.loads")

context_key = pytest.StashKey["Context"]()


class ConformanceShouldWarning(pytest.PytestWarning):
    """A SHOULD clause the plugin does not keep: the check passes in pytest, with this warning."""


def recorded_outcome(
    properties: list[tuple[str, object]],
) -> tuple[CheckOutcome | None, str | None, list[str]]:
    """What a check's item recorded about itself: outcome, message and warnings."""
    outcome = message = None
    warnings: list[str] = []
    for key, value in properties:
        if key == _OUTCOME:
            outcome = CheckOutcome(str(value))
        elif key == _MESSAGE:
            message = str(value)
        elif key == _WARNING:
            warnings.append(str(value))
    return outcome, message, warnings


def recorded_details(properties: list[tuple[str, object]]) -> dict[str, Any]:
    """What a check's item recorded for the report beyond its outcome: the plugin calls it made
    or relied on, the plugin's traceback and the reproducer (with the file it was written to)."""
    return {_DETAILS[key]: value for key, value in properties if key in _DETAILS}


@dataclass
class _Crash:
    message: str


class _FailureRepr(TerminalRepr):
    """A failed check as pytest shows it; the short summary line shows the message alone."""

    def __init__(self, lines: list[str], message: str) -> None:
        self.lines = lines
        self.reprcrash = _Crash(" ".join(message.split()))

    def toterminal(self, tw: TerminalWriter) -> None:
        for line in self.lines:
            tw.line(line)


def _leaves(error: BaseException) -> list[BaseException]:
    nested = getattr(error, "exceptions", None)
    if not isinstance(nested, (list, tuple)):
        return [error]
    return [leaf for inner in nested for leaf in _leaves(inner)]


class CheckItem(pytest.Item):
    """Runs one check body against the run's context."""

    def __init__(self, *, check: Check, body: CheckBody, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.body = body
        self.user_properties.extend(
            [
                ("check_id", check.id),
                ("level", str(check.level)),
                ("capability", str(check.capability)),
            ]
        )
        self.add_marker(pytest.mark.conformance)

    @classmethod
    def create(
        cls, parent: pytest.Session, check: Check, body: CheckBody, group: str | None = None
    ) -> CheckItem:
        """The item for ``check``; with ``group``, its node id carries xdist's "@group" suffix."""
        nodeid = f"{check.id}@{group}" if group else check.id
        return cls.from_parent(parent, name=check.id, nodeid=nodeid, check=check, body=body)

    @property
    def context(self) -> Context:
        return self.config.stash[context_key]

    def _capability_gate(self) -> None:
        context = self.context
        capability = self.check.capability
        if capability is Capability.MODULE:
            return
        if capability is Capability.RUN_LOCAL:
            plugin = context.plugin()
            if plugin.module is None:
                raise PreconditionFailed(
                    f"the plugin did not load, see {_LOADS}: {plugin.load_error}"
                )
            return
        context.client  # noqa: B018 - raises PreconditionFailed when the plugin did not load
        if context.declared(str(capability)) is False:
            raise CapabilityAbsent(str(capability), "declared absent")
        too_old = unavailable_under_installed_mlflow(self.check)
        if too_old:
            raise CapabilityAbsent(str(capability), too_old)
        if capability is Capability.CORE:
            return
        absent = context.statically_absent(str(capability))
        if absent:
            raise CapabilityAbsent(str(capability), absent)

    def runtest(self) -> None:
        self.context.current_item = self
        self._problem: BaseException | None = None
        self._plugin_traceback: str | None = None
        self._plugin_error: BaseException | None = None
        try:
            with self.context.call_log.working_for(self.check.id):
                self._judge()
        finally:
            self._attach_details()

    def _judge(self) -> None:
        try:
            self._capability_gate()
            self.body(self.context)
        except CapabilityAbsent as absent:
            if self.context.declared(absent.capability) and "declared absent" not in str(absent):
                self._failed(CheckFailed(f"declared present, but {absent}"))
            else:
                self._record(CheckOutcome.NOT_APPLICABLE, str(absent))
                pytest.skip(str(absent))
        except PreconditionFailed as cannot:
            self._problem = cannot
            self._could_not_check(str(cannot))
        except CheckFailed as failure:
            if isinstance(failure, ShapeFailed) and failure.owner not in (None, self.check.id):
                # The defect is another check's to report; this one could only not look.
                self._could_not_check(f"{failure}; see {failure.owner}")
            self._failed(failure)
        except (pytest.skip.Exception, pytest.fail.Exception, pytest.xfail.Exception):
            raise
        except Exception as error:
            # Hypothesis reports a failure that did not reproduce on replay as a group.
            failures = [e for e in _leaves(error) if isinstance(e, CheckFailed)]
            self._problem = failures[0] if failures else error
            if failures and failures[0] is not error:
                self._failed(
                    CheckFailed(
                        f"{failures[0]} (it did not fail again on replay: the target behaves "
                        "inconsistently)"
                    )
                )
                return
            # Anything else is a defect of the kit, never the plugin's to carry.
            self._record(
                CheckOutcome.COULD_NOT_CHECK,
                f"the kit could not judge this check: {describe(error)} (an error inside the "
                "kit; the traceback is in pytest's output)",
            )
            raise
        else:
            self._record(CheckOutcome.PASSED, "")

    def _record(self, outcome: CheckOutcome, message: str) -> None:
        self.user_properties.append((_OUTCOME, str(outcome)))
        self.user_properties.append((_MESSAGE, message))

    def _could_not_check(self, reason: str) -> None:
        self._record(CheckOutcome.COULD_NOT_CHECK, reason)
        pytest.skip(f"could not check: {reason}")

    def _failed(self, failure: CheckFailed) -> None:
        self._problem = self._problem or failure
        message = str(failure)
        waiver = self.context.profile.xfail.get(self.check.id)
        if waiver is not None:
            self._record(CheckOutcome.WAIVED, message)
            pytest.xfail(f"waived: {waiver} ({message})")
        self._record(CheckOutcome.FAILED, message)
        if self.check.level is Level.SHOULD and not self.context.profile.strict:
            # A SHOULD failure passes in pytest, with a warning in pytest's warnings summary.
            self.warn(ConformanceShouldWarning(f"[{self.check.id}] SHOULD: {message}"))
            return
        raise failure

    def _attach_details(self) -> None:
        """Record the calls and, for a failure, the plugin's traceback and the reproducer."""
        from conformance._reproducers import reproducer_name, reproducer_script
        from conformance._tracebacks import find_plugin_error, plugin_traceback

        context = self.context
        log = context.call_log
        self.user_properties.append(("conformance_calls", log.report_entries(self.check.id)))
        outcome, message, _ = recorded_outcome(self.user_properties)
        if outcome not in _NEEDS_REPRODUCER:
            return
        message = message or ""
        calls = log.calls_for(self.check.id)
        plugin = context.loader.loaded
        load_exception = plugin.load_exception if plugin is not None else None
        error = self._plugin_error = find_plugin_error(
            self._problem, calls, message, load_exception
        )
        if error is not None:
            self._plugin_traceback = plugin_traceback(error)
            if self._plugin_traceback:
                self.user_properties.append(("conformance_traceback", self._plugin_traceback))
        notes = [str(n) for n in getattr(self._problem, "__notes__", [])]
        try:
            script = reproducer_script(
                self.check,
                calls,
                message,
                target=context.profile.target,
                plugin=context.profile.plugin,
                token=context.namer.token,
                notes=notes,
                expected=context.expected_predictions,
                timeout=context.profile.timeout,
                deploying=_deploying(context),
                meanwhile=log.writes_between,
            )
        except Exception as failure:  # never let the reproducer hide the check's own verdict
            script = f"# the kit could not write this reproducer: {failure!r}\n"
        self.user_properties.append(("conformance_reproducer", script))
        folder = context.profile.reproducers
        if folder:
            # Checks blocked by a plugin that did not load share one file, the loading check's.
            path = Path(folder) / f"{reproducer_name(self.check.id, message)}.py"
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                if not path.is_file() or path.read_text() != script:
                    path.write_text(script)
                self.user_properties.append(("conformance_reproducer_path", str(path)))
            except OSError as failure:
                self.user_properties.append(
                    ("conformance_reproducer_path", f"NOT written ({failure.strerror or failure})")
                )

    def remark(self, message: str) -> None:
        """Record a SHOULD-level remark on a passing check."""
        self.user_properties.append((_WARNING, message))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        error = excinfo.value
        if isinstance(error, CheckFailed):
            lines = [f"[{self.check.id}] {self.check.level}: {self.check.clause}", f"  {error}"]
            lines += [f"  {note}" for note in getattr(error, "__notes__", [])]
            lines += self._failure_details()
            return _FailureRepr(lines, str(error))
        return super().repr_failure(excinfo)

    def _failure_details(self) -> list[str]:
        """The plugin's traceback (as --tb asks) and where the reproducer is (inline with -v)."""
        from conformance._tracebacks import plugin_traceback

        style = self.config.getoption("tbstyle", "auto")
        lines: list[str] = []
        text = self._plugin_traceback if style in ("auto", "long", "native") else None
        if style == "short" and self._plugin_error is not None:
            text = plugin_traceback(self._plugin_error, short=True)
        if text:
            lines += ["", "The plugin's traceback (the kit's own frames hidden):"]
            lines += [f"  {line}" for line in text.splitlines()]
        details = recorded_details(self.user_properties)
        path = details.get("reproducer_path")
        if path:
            lines += ["", f"reproducer: {path}"]
        if self.config.getoption("verbose", 0) > 0 and details.get("reproducer"):
            lines += ["", "reproducer script:", *str(details["reproducer"]).splitlines()]
        return lines

    def reportinfo(self) -> tuple[Path, int | None, str]:
        source = inspect.getsourcefile(self.body)
        try:
            line = inspect.getsourcelines(self.body)[1]
        except OSError:
            line = None
        return Path(source or __file__), line, self.check.id


def _deploying(context: Context) -> Deploying | None:
    """How the run deployed; None when it had no model to deploy."""
    from conformance._reproducers import Deploying

    try:
        models = context.models()
    except Exception:  # no model: the scripts that would deploy say they cannot judge
        return None
    return Deploying(
        models.primary, models.secondary, context.profile.flavor, context.create_config
    )
