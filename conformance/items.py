"""The pytest item that runs one catalogue check; its node id is the check id."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conformance.catalogue import Capability, Check, Level
from conformance.verdicts import (
    CapabilityAbsent,
    CheckFailed,
    PreconditionFailed,
    ShapeFailed,
)

if TYPE_CHECKING:
    from conformance.checks import CheckBody
    from conformance.context import Context

__all__ = ["MESSAGE", "OUTCOME_HINT", "WARNING", "CheckItem"]

# user_properties keys: they travel with each report (to xdist's controller and to junit).
MESSAGE = "conformance_message"
WARNING = "conformance_warning"
OUTCOME_HINT = "conformance_outcome"


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
        from conformance.plugin import SESSION_PLUGIN_NAME

        session_plugin = self.config.pluginmanager.get_plugin(SESSION_PLUGIN_NAME)
        return session_plugin.context

    def _strict(self) -> bool:
        return self.context.profile.strict

    def _capability_gate(self) -> None:
        context = self.context
        capability = self.check.capability
        if capability is Capability.MODULE:
            return
        if capability is Capability.RUN_LOCAL:
            plugin = context.plugin()
            if plugin.module is None:
                pytest.skip(f"the plugin did not load, see module.loads: {plugin.load_error}")
            return
        context.client  # noqa: B018 - skips the check when the plugin did not load
        declared = context.declared(str(capability))
        if declared is False:
            pytest.skip(f"capability '{capability}' declared absent")
        if capability is Capability.CORE:
            return
        absent = context.statically_absent(str(capability))
        if absent:
            raise CapabilityAbsent(str(capability), absent)

    def runtest(self) -> None:
        self.context.current_item = self
        try:
            self._capability_gate()
            self.body(self.context)
        except CapabilityAbsent as absent:
            if self.context.declared(absent.capability):
                self._fail(CheckFailed(f"declared present, but {absent}"))
            pytest.skip(str(absent))
        except PreconditionFailed as cannot:
            self._cannot_check(cannot)
        except CheckFailed as failure:
            if isinstance(failure, ShapeFailed) and failure.owner not in (None, self.check.id):
                # The defect is another check's to report; this one could only not look.
                self._cannot_check(PreconditionFailed(f"{failure}; see {failure.owner}"))
            self._fail(failure)
        except Exception as error:
            # Hypothesis reports a failure that did not reproduce on replay as a group.
            failures = [e for e in _leaves(error) if isinstance(e, CheckFailed)]
            if not failures or failures[0] is error:
                raise
            self._fail(
                CheckFailed(
                    f"{failures[0]} (it did not fail again on replay: the target behaves "
                    "inconsistently)"
                )
            )

    def _cannot_check(self, cannot: PreconditionFailed) -> None:
        self.user_properties.append((OUTCOME_HINT, "error"))
        self._fail(cannot)

    def _fail(self, failure: Exception) -> None:
        message = str(failure)
        self.user_properties.append((MESSAGE, message))
        if self.check.level is Level.SHOULD and not self._strict():
            if not any(key == OUTCOME_HINT for key, _ in self.user_properties):
                self.user_properties.append((OUTCOME_HINT, "failed"))
            pytest.xfail(f"SHOULD: {message}")
        raise failure

    def warn(self, message: str) -> None:
        """Record a SHOULD-level warning on a passing check."""
        self.user_properties.append((WARNING, message))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        error = excinfo.value
        if isinstance(error, PreconditionFailed):
            return f"[{self.check.id}] could not be checked: {error}"
        if isinstance(error, CheckFailed):
            lines = [f"[{self.check.id}] {self.check.level}: {self.check.clause}", f"  {error}"]
            lines += [f"  {note}" for note in getattr(error, "__notes__", [])]
            return "\n".join(lines)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        source = inspect.getsourcefile(self.body)
        try:
            line = inspect.getsourcelines(self.body)[1]
        except OSError:
            line = None
        return Path(source or __file__), line, self.check.id
