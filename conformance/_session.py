"""The kit at work inside pytest: loads and checks the settings, adds one item per catalogue
check, gathers their outcomes (from xdist workers too), cleans up, and writes the report.

Every run ends with a report: a run interrupted by Ctrl-C says so (incomplete), and a run whose
process the plugin ends or hangs is reported by the watchdog (:mod:`conformance._watchdog`).
"""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

import pytest

from conformance._calling import guard_process_exit
from conformance._catalogue import CATALOGUE, by_id, known_id
from conformance._items import CheckItem, context_key, recorded_details, recorded_outcome
from conformance._judgement import CheckOutcome, RunEnding
from conformance._naming import new_run_token
from conformance._profile import Profile, ProfileError, check_settings, load_profile
from conformance._statistics import RunStatistics
from conformance._watchdog import Watchdog
from conformance.report import Published, Report, plugin_version, publish

__all__ = ["ConformanceSession"]

_STATS_KEY = "conformance_statistics"
_GROUPING_KEY = "conformance_loadgroup"
_TOKEN_KEY = "conformance_run_token"
_CHECK_IDS = {c.id for c in CATALOGUE}
_FOREIGN_KEPT = known_id("resources.foreign-kept")
_FOREIGN_UNCHANGED = known_id("resources.foreign-unchanged")


def _check_id(nodeid: str) -> str | None:
    check_id = nodeid.split("@")[0]  # xdist's loadgroup appends "@group"
    return check_id if check_id in _CHECK_IDS else None


class ConformanceSession:
    """Registered as a pytest plugin when a target is given."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.profile: Profile | None = None
        self.report: Report | None = None
        self.worker_statistics: list[RunStatistics] = []
        self.publication: list[Published] = []
        self.watchdog: Watchdog | None = None
        self._previous_sigint: Any = None
        self._interrupted = False  # Ctrl-C reached this process, whatever pytest made of it
        self._unstarted: list[str] = []  # scenarios to start when the first check begins
        self.workers_asked: int | None = None  # -n N, when the kit kept the run in this process
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
    def is_worker(self) -> bool:
        return hasattr(self.config, "workerinput")

    # -- configuration ------------------------------------------------------------------------

    def pytest_configure(self, config: pytest.Config) -> None:
        from conformance._context import Context

        config.addinivalue_line("markers", "conformance: a check of the deployment conformance kit")
        try:
            self.profile = load_profile(config)
            check_settings(self.profile, _CHECK_IDS)
        except ProfileError as error:
            raise pytest.UsageError(f"deployment conformance: {error}") from None
        self._group_checks_per_worker(config)
        if config.args_source is not pytest.Config.ArgsSource.ARGS:
            # Without explicit paths, run the contract alone rather than the folder's tests.
            config.args = []
        self.report = Report.empty(self.profile.target, self.profile.xfail)
        self.report.settings = _verdict_settings(self.profile)
        context = Context(config, self.profile, self.run_token)
        config.stash[context_key] = context
        if config.option.collectonly:
            return
        debugging = config.option.usepdb or getattr(config.option, "trace", False)
        if self.profile.watchdog and not debugging:
            # A debugger stopped inside a plugin call is not a hang.
            self.watchdog = Watchdog.start(
                {
                    "role": "worker" if self.is_worker else "reporter",
                    "report": self.profile.report,
                    "certificate": self.profile.certificate,
                    "skeleton": self.report.to_dict(),
                }
            )
        context.watch(self.watchdog)
        guard_process_exit(True)
        if threading.current_thread() is threading.main_thread():
            self._previous_sigint = signal.signal(signal.SIGINT, self._on_interrupt)

    def _on_interrupt(self, signum: int, frame: Any) -> None:
        self._interrupted = True
        if self.watchdog is not None:
            self.watchdog.interrupted()
        raise KeyboardInterrupt

    @pytest.hookimpl(wrapper=True)
    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:
        # Rendering where Ctrl-C landed can fail inside pytest (a traceback entry without a
        # line number, from CPython); that must not turn the interrupted run into a crash
        # that ends as if the run had finished.
        try:
            return (yield)
        except Exception:
            return None

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        guard_process_exit(False)
        if self._previous_sigint is not None:
            signal.signal(signal.SIGINT, self._previous_sigint)
            self._previous_sigint = None
        if self.watchdog is not None:
            self.watchdog.done()
            self.watchdog = None

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
        if self._one_process_is_enough(config, explicit):
            # xdist starts its workers only if "dist" still asks for them when its own
            # pytest_configure (which runs last) sees it: the run then stays in this process.
            self.workers_asked = config.option.numprocesses
            config.option.dist = "no"
            config.option.tx = []
            config.option.numprocesses = None
            return
        if self.distributing and not explicit and config.option.dist == "load":
            config.option.dist = "loadgroup"
            # Hand out groups in the kit's order, longest scenario chain first (see
            # conformance._scenarios.slowest_first), not by how many checks each holds.
            config.option.loadscopereorder = False

    def _one_process_is_enough(self, config: pytest.Config, explicit_dist: bool) -> bool:
        """Whether ``-n N`` should start no worker at all: the run holds the contract alone and
        its scenarios run concurrently in one process, so workers would only repeat the shared
        deployment and pay their own start-up (each imports pandas, and MLflow when present)."""
        assert self.profile is not None
        tx_given = any(arg.startswith("--tx") for arg in config.invocation_params.args)
        return (
            self.distributing
            and self.profile.thread_safe
            and not explicit_dist
            and not tx_given
            and config.args_source is not pytest.Config.ArgsSource.ARGS
            and isinstance(config.option.numprocesses, int)
            and config.option.numprocesses >= 1
        )

    def pytest_report_header(self, config: pytest.Config) -> str | None:
        if self.workers_asked is None:
            return None
        return (
            f"deployment-conformance: running in this process, not on {self.workers_asked} xdist "
            "workers: the scenarios already run concurrently here, so workers would only add "
            "start-up; they spread over workers for a client declared not thread-safe "
            "(thread_safe = false)"
        )

    @pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: unknown without it
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[_GROUPING_KEY] = self.config.option.dist == "loadgroup"
        node.workerinput[_TOKEN_KEY] = self.run_token

    # -- collection ----------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        from conformance._checks import bodies, finishing_order, groups, slowest_groups

        assert self.profile is not None
        checks = []
        scenario_groups = groups()
        order = slowest_groups()
        use_groups = config.pluginmanager.hasplugin("xdist")
        # xdist's loadgroup mode schedules by a "@group" suffix of the node id. It appends the
        # suffix itself under pytest 8 but not under pytest 9, so the kit writes it.
        suffix = bool(getattr(config.option, "loadgroup", False))
        # Scenarios that run concurrently in one process gain nothing from being spread over
        # workers: each worker would repeat the shared deployment and pay its own start-up.
        # Only a client declared not thread-safe spreads its scenarios over workers.
        spread = not self.profile.thread_safe
        ordered = list(bodies().items())
        if suffix and spread:
            # The longest chains are handed out first.
            ordered.sort(key=lambda entry: order.index(scenario_groups[entry[0]]))
        else:
            # Every scenario started at once in one process: see finishing_order.
            rank = {check_id: i for i, check_id in enumerate(finishing_order())}
            ordered.sort(key=lambda entry: rank[entry[0]])

        for check_id, body in ordered:
            group = scenario_groups[check_id] if spread else ONE_WORKER
            item = CheckItem.create(session, by_id(check_id), body, group if suffix else None)
            if use_groups:
                item.add_marker(pytest.mark.xdist_group(group))
            checks.append(item)
        session.ihook.pytest_collectreport(
            report=pytest.CollectReport("", "passed", None, checks)  # type: ignore[arg-type]
        )
        items[:0] = checks

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> None:
        context = self.config.stash.get(context_key, None)
        if context is None or self.config.option.collectonly or self.distributing:
            return
        if self.is_worker:
            return
        checks = [item.check for item in session.items if isinstance(item, CheckItem)]
        context.scenarios.expect({check.id: check.scenario for check in checks})
        self._unstarted = [check.scenario for check in checks]

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Start the scenarios the selected checks judge when the first check that waits for
        one begins, before any asks. That check is running while they run, so the watchdog has
        one to blame for a call that hangs the whole process. An xdist worker does not know
        which checks it will be sent: it starts each check's scenario when the check comes."""
        from conformance._checks import scenario_of

        context = self.config.stash.get(context_key, None)
        if context is None or not isinstance(item, CheckItem):
            return
        if self.is_worker:
            queued = [item, *_queued_on_this_worker(self.config, item.session)]
            context.start_scenarios(i.check.scenario for i in queued if isinstance(i, CheckItem))
        elif scenario_of(item.check.id).uses_client:
            context.start_scenarios([*self._unstarted, item.check.scenario])
            self._unstarted = []
        else:
            context.start_scenarios([item.check.scenario])

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        check_id = _check_id(nodeid)
        context = self.config.stash.get(context_key, None)
        if check_id is not None and context is not None and not self.distributing:
            context.scenarios.judged(check_id, by_id(check_id).scenario)

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        for item in items:
            if isinstance(item, CheckItem) and self.report is not None:
                self.report.result(item.check.id).message = "not run: deselected"

    # -- results -------------------------------------------------------------------------------

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        check_id = _check_id(nodeid)
        if check_id is not None and self.watchdog is not None:
            self.watchdog.check_started(check_id)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        check_id = _check_id(report.nodeid)
        if self.report is None or check_id is None:
            return
        result = self.report.result(check_id)
        result.duration = round(result.duration + report.duration, 4)
        if report.when != "call" and report.outcome == "passed":
            return
        outcome, message, warnings = recorded_outcome(report.user_properties)
        if outcome is None:  # the item never recorded itself: xdist lost its worker, say
            if report.failed:
                outcome, message = CheckOutcome.FAILED, _lost_check_message(report)
            elif report.skipped:
                outcome, message = CheckOutcome.NOT_APPLICABLE, _skip_reason(report)
            else:
                outcome = CheckOutcome.PASSED
        result.outcome, result.message = str(outcome), message or ""
        result.warnings = warnings
        for key, value in recorded_details(report.user_properties).items():
            setattr(result, key, value)
        if self.watchdog is not None:
            self.watchdog.check_result(result)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        statistics = getattr(node, "workeroutput", {}).get(_STATS_KEY)
        if statistics:
            self.worker_statistics.append(RunStatistics.from_dict(statistics))

    # -- the end -------------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED or self._interrupted
        context = self.config.stash.get(context_key, None)
        # xdist's controller makes no plugin calls: its workers report their own statistics.
        if context is not None and not self.config.option.collectonly and not self.distributing:
            statistics = context.finish(interrupted)
            if self.is_worker:
                workeroutput: dict[str, Any] = self.config.workeroutput  # type: ignore[attr-defined]
                workeroutput[_STATS_KEY] = statistics.to_dict()
            else:
                self.worker_statistics.append(statistics)
        if self.report is None or self.profile is None or self.is_worker:
            return
        if self.config.option.collectonly:
            return  # nothing was judged, so there is nothing to report
        self.report.ending = str(RunEnding.INTERRUPTED if interrupted else RunEnding.FINISHED)
        self.report.statistics = RunStatistics.merge(self.worker_statistics).to_dict()
        _judge_foreign_after_cleanup(self.report)
        self.report.statistics["seconds"] = round(time.perf_counter() - self._started, 2)
        self.report.plugin = plugin_version(
            _target_name(self.profile.target), self.profile.plugin or self._loaded_module_name()
        )
        self.config.hook.pytest_conformance_report(config=self.config, report=self.report)
        self.publication = publish(self.report, self.profile.report, self.profile.certificate)
        _record_junit_verdict(self.config, self.report)
        if self.watchdog is not None:
            self.watchdog.done()  # the report is written: nothing is left for it to write
            self.watchdog = None
        if exitstatus not in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
            verdict, _ = self.report.verdict()
            session.exitstatus = verdict.exit_code
        if any(published.failed for published in self.publication) and not session.exitstatus:
            session.exitstatus = pytest.ExitCode.USAGE_ERROR

    def _loaded_module_name(self) -> str | None:
        """The plugin module this process loaded (MLflow's built-in targets have no entry
        point to name it); None in xdist's controller, which loads nothing."""
        context = self.config.stash.get(context_key, None)
        plugin = None if context is None else context.loader.loaded
        module = None if plugin is None else plugin.module
        return None if module is None else module.__name__

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.report is None or hasattr(self.config, "workerinput"):
            return
        if self.config.option.collectonly:
            return
        from conformance._terminal import write_summary

        write_summary(terminalreporter, self.report, self.profile, self.publication)


def _queued_on_this_worker(config: pytest.Config, session: pytest.Session) -> list[pytest.Item]:
    """The items xdist has sent this worker and it has not run yet, so their scenarios start
    now rather than one group after another. xdist keeps them in its worker's queue
    (``torun``), which is no public API: without it, each check's scenario starts when it comes.
    """
    for plugin in config.pluginmanager.get_plugins():
        queue = getattr(plugin, "torun", None)
        if queue is None or not hasattr(queue, "lock"):
            continue
        try:
            with queue.lock() as pending:
                indices = [index for index in pending if isinstance(index, int)]
            return [session.items[index] for index in indices]
        except Exception:  # another xdist: start scenarios as checks come
            return []
    return []


def _target_name(target: str) -> str:
    from conformance.api._targets import parse_target_uri

    try:
        return parse_target_uri(target)
    except Exception:
        return target


def _lost_check_message(report: pytest.TestReport) -> str:
    text = str(report.longreprtext or "").strip().splitlines()
    last = text[-1][:300] if text else "failed"
    if "crashed" in last:
        return (
            f"the process running this check ended ({last}): the plugin ended it or hung it "
            "past the timeout, and the kit's watchdog ended it"
        )
    return last


def _record_junit_verdict(config: pytest.Config, report: Report) -> None:
    """The verdict as a property of the junit XML's test suite, for CI systems that read it."""
    try:
        from _pytest.junitxml import xml_key
    except ImportError:  # pragma: no cover - pytest moved its junit writer
        return
    xml = config.stash.get(xml_key, None)
    if xml is not None:
        summary = report.summary()
        xml.add_global_property("conformance_verdict", summary["verdict"])
        for outcome, count in summary["counts"].items():
            xml.add_global_property(f"conformance_{outcome.replace('-', '_')}", str(count))


# The one xdist group of a run whose scenarios run concurrently.
ONE_WORKER = "concurrent scenarios"


def _verdict_settings(profile: Profile) -> dict[str, Any]:
    """The settings that change what a verdict means, for the report and the certificate."""
    return {
        "strict": profile.strict,
        "waivers": dict(profile.xfail),
        "capabilities_declared_absent": sorted(k for k, v in profile.capabilities.items() if not v),
        "capabilities_declared_present": sorted(k for k, v in profile.capabilities.items() if v),
        "timeout": profile.timeout,
        "hypothesis": profile.hypothesis,
        "watchdog": profile.watchdog,
        "scenarios": "concurrent"
        if profile.thread_safe
        else "one by one (the profile declares the client not thread-safe)",
        "sources": dict(profile.sources),
    }


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr or "")


def _judge_foreign_after_cleanup(report: Report) -> None:
    """Fail the foreign-resource checks for harm done after they judged (at cleanup, or by
    another xdist worker): what was there before the run must still be there at its end."""
    from conformance._foreign import named

    found = report.statistics.get("foreign_after_cleanup", {})
    for check_id, key, what in (
        (_FOREIGN_KEPT, "vanished", "are gone"),
        (_FOREIGN_UNCHANGED, "changed", "changed"),
    ):
        labels = found.get(key) or []
        result = report.result(check_id)
        if labels and result.outcome == str(CheckOutcome.PASSED):
            result.outcome = str(CheckOutcome.FAILED)
            result.message = (
                f"after the kit's cleanup, resources that existed before the run {what}: "
                f"{named(labels)}"
            )
