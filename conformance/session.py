"""The kit at work inside pytest: loads the profile, adds one item per catalogue check, gathers
their verdicts (from xdist workers too), cleans up, and writes the report.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from conformance.catalogue import CATALOGUE, by_id
from conformance.items import MESSAGE, OUTCOME_HINT, WARNING, CheckItem
from conformance.naming import new_run_token
from conformance.profile import Profile, ProfileError, load_profile
from conformance.report import Report, plugin_version

__all__ = ["ConformanceSession"]

_STATS_KEY = "conformance_statistics"
_GROUPING_KEY = "conformance_loadgroup"
_TOKEN_KEY = "conformance_run_token"


class ConformanceSession:
    """Registered as a pytest plugin when a target is given."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.profile: Profile | None = None
        self.report: Report | None = None
        self.worker_statistics: list[dict[str, Any]] = []
        self._context: Any = None
        self._started = time.perf_counter()
        workerinput = getattr(config, "workerinput", {})
        # One token for the whole run, so every worker's sweep spares every other worker's names.
        self.run_token: str = workerinput.get(_TOKEN_KEY) or new_run_token()

    @property
    def distributing(self) -> bool:
        """True in xdist's controller, which runs no checks itself."""
        numprocesses = getattr(self.config.option, "numprocesses", None)
        dist = getattr(self.config.option, "dist", "no")
        return not hasattr(self.config, "workerinput") and bool(numprocesses) and dist != "no"

    @property
    def context(self) -> Any:
        if self._context is None:
            from conformance.context import Context

            assert self.profile is not None
            self._context = Context(self.config, self.profile, self.run_token)
        return self._context

    # -- configuration ------------------------------------------------------------------------

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "conformance: a check of the deployment conformance kit")
        try:
            self.profile = load_profile(config)
        except ProfileError as error:
            raise pytest.UsageError(f"deployment conformance: {error}") from None
        unknown = sorted(set(self.profile.xfail) - {c.id for c in CATALOGUE})
        if unknown:
            config.issue_config_time_warning(
                pytest.PytestConfigWarning(
                    f"expected failures name unknown check ids: {', '.join(unknown)} "
                    "(see `pytest --deployment-target=URI --collect-only -q` for the ids)"
                ),
                stacklevel=2,
            )
        self._group_checks_per_worker(config)
        if config.args_source is not pytest.Config.ArgsSource.ARGS:
            # Without explicit paths, run the contract alone rather than the folder's tests.
            config.args = []
        self.report = Report.empty(self.profile.target)

    def _group_checks_per_worker(self, config: pytest.Config) -> None:
        """Under xdist, keep each scenario's checks on one worker so it runs once.

        The controller switches xdist's default 'load' mode to 'loadgroup' unless --dist was
        given; workers learn it through their workerinput.
        """
        workerinput = getattr(config, "workerinput", None)
        if workerinput is not None:
            if workerinput.get(_GROUPING_KEY):
                config.option.loadgroup = True
            return
        explicit = any(arg.startswith(("--dist", "-d")) for arg in config.invocation_params.args)
        if self.distributing and not explicit and config.option.dist == "load":
            config.option.dist = "loadgroup"
            # Hand out groups in the kit's order, slowest scenario first (see
            # conformance.checks.SLOWEST_FIRST), not by how many checks each holds.
            config.option.loadscopereorder = False

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[_GROUPING_KEY] = self.config.option.dist == "loadgroup"
        node.workerinput[_TOKEN_KEY] = self.run_token

    # -- collection ----------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        from conformance.checks import SLOWEST_FIRST, bodies, groups

        assert self.profile is not None
        checks = []
        scenario_groups = groups()
        use_groups = config.pluginmanager.hasplugin("xdist")
        # xdist's loadgroup mode schedules by a "@group" suffix of the node id. It appends the
        # suffix itself under pytest 8 but not under pytest 9, so the kit writes it.
        suffix = bool(getattr(config.option, "loadgroup", False))
        ordered = list(bodies().items())
        if suffix:
            ordered.sort(key=lambda entry: SLOWEST_FIRST.index(scenario_groups[entry[0]]))
        for check_id, body in ordered:
            group = scenario_groups[check_id]
            item = CheckItem.create(session, by_id(check_id), body, group if suffix else None)
            if use_groups:
                item.add_marker(pytest.mark.xdist_group(group))
            reason = self.profile.xfail.get(check_id)
            if reason:
                item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
            checks.append(item)
        session.ihook.pytest_collectreport(
            report=pytest.CollectReport("", "passed", None, checks)  # type: ignore[arg-type]
        )
        items[:0] = checks

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        for item in items:
            if isinstance(item, CheckItem) and self.report is not None:
                self.report.result(item.check.id).message = "not run: deselected"

    # -- results -------------------------------------------------------------------------------

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        check_id = report.nodeid.split("@")[0]  # xdist's loadgroup appends "@group"
        if self.report is None or check_id not in {c.id for c in CATALOGUE}:
            return
        result = self.report.result(check_id)
        properties = dict(report.user_properties)
        result.duration = round(result.duration + report.duration, 4)
        result.warnings = [v for k, v in report.user_properties if k == WARNING]
        hint = properties.get(OUTCOME_HINT)
        if report.when == "call" or report.outcome != "passed":
            if report.skipped and hasattr(report, "wasxfail"):
                expected = self.profile is not None and check_id in self.profile.xfail
                result.outcome = "xfailed" if expected else (hint or "xfailed")
                result.message = properties.get(MESSAGE) or str(report.wasxfail)
            elif report.skipped:
                result.outcome = "skipped"
                result.message = _skip_reason(report)
            elif report.failed:
                result.outcome = hint or ("failed" if report.when == "call" else "error")
                result.message = properties.get(MESSAGE) or _first_line(report)
            else:
                result.outcome, result.message = "passed", ""

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        statistics = getattr(node, "workeroutput", {}).get(_STATS_KEY)
        if statistics:
            self.worker_statistics.append(statistics)

    # -- the end -------------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self._context is not None:
            statistics = self._context.finish()
            if hasattr(self.config, "workeroutput"):
                self.config.workeroutput[_STATS_KEY] = statistics
            else:
                self.worker_statistics.append(statistics)
        if self.report is None or self.profile is None or hasattr(self.config, "workerinput"):
            return
        if self.config.option.collectonly:
            return  # nothing was judged, so there is nothing to report
        self.report.statistics = _merge(self.worker_statistics)
        self.report.statistics["seconds"] = round(time.perf_counter() - self._started, 2)
        self.report.plugin = plugin_version(
            _target_name(self.profile.target), self.profile.plugin or self._loaded_module_name()
        )
        self.config.hook.pytest_conformance_report(config=self.config, report=self.report)
        if self.profile.report:
            self.report.write_json(self.profile.report)
        if self.profile.certificate:
            self.report.write_certificate(self.profile.certificate)
        if not self.report.applicable and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if self.profile.strict and self.report.should_failures:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def _loaded_module_name(self) -> str | None:
        """The plugin module this process loaded (MLflow's built-in targets have no entry
        point to name it); None in xdist's controller, which loads nothing."""
        plugin = getattr(self._context, "_plugin", None)
        module = getattr(plugin, "module", None)
        return getattr(module, "__name__", None)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.report is None or hasattr(self.config, "workerinput"):
            return
        if self.config.option.collectonly:
            return
        from conformance.terminal import write_summary

        write_summary(terminalreporter, self.report, self.profile)


def _target_name(target: str) -> str:
    from conformance.api.targets import parse_target_uri

    try:
        return parse_target_uri(target)
    except Exception:
        return target


def _first_line(report: pytest.TestReport) -> str:
    text = str(report.longreprtext or "").strip().splitlines()
    return text[-1][:300] if text else "failed"


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr or "")


def _merge(statistics: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {
        "deployments_created": 0,
        "plugin_calls": 0,
        "leftovers": [],
        "swept": [],
        "workers": len(statistics),
    }
    for part in statistics:
        merged["deployments_created"] += part.get("deployments_created", 0)
        merged["plugin_calls"] += part.get("plugin_calls", 0)
        merged["leftovers"] += part.get("leftovers", [])
        merged["swept"] += part.get("swept", [])
        notes = merged.setdefault("notes", {})
        for key, value in part.get("notes", {}).items():
            if isinstance(value, dict):
                notes.setdefault(key, {}).update(value)
            else:
                notes[key] = value
    return merged
