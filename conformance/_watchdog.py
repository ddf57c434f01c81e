"""The watchdog: a small process beside each run that ends what a thread timeout cannot.

A plugin call that holds the GIL (a long C loop), blocks signals, calls ``os._exit`` from a
thread of its own, or crashes the interpreter stops the run's own timers and reporting with it.
So every run starts this process and tells it, through a pipe, what it is doing: each plugin
call with its timeout, each check's start and result, each resource it creates or deletes.

- When a call outlives its timeout plus a grace and the run has not taken control back, the
  watchdog kills the run's process and writes the report itself: the running check fails.
- When the run's process ends without saying it is done, the watchdog writes the report from
  what it was told, with the run marked as ended by the process.
- When Ctrl-C reaches a run that cannot answer it (the same GIL-holding call), the watchdog
  ends it after a grace and writes an incomplete report.

Run as ``python -m conformance._watchdog``; :class:`Watchdog` is the run's side of the pipe.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from typing import IO, Any

__all__ = ["GRACE_SECONDS", "INTERRUPT_GRACE_SECONDS", "Watchdog"]

GRACE_SECONDS = 5.0  # beyond a call's own timeout, before the process is ended
INTERRUPT_GRACE_SECONDS = 3.0  # for the run to answer Ctrl-C


class Watchdog:
    """The run's side: sends what the run does; never raises, never blocks the run for long."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self._stream: IO[bytes] | None = process.stdin
        self._lock = threading.Lock()
        self._interrupt_pending = False

    @classmethod
    def start(cls, setup: dict[str, Any]) -> Watchdog | None:
        """Start the watchdog process; None when it cannot start (the run goes on without)."""
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "conformance._watchdog", str(os.getpid())],
                stdin=subprocess.PIPE,
                close_fds=True,
            )
        except OSError:
            return None
        watchdog = cls(process)
        watchdog.send({"type": "setup", **setup})
        return watchdog

    def send(self, message: dict[str, Any]) -> None:
        line = _encode(message)
        with self._lock:
            if self._interrupt_pending:
                self._interrupt_pending = False
                line = _encode(_INTERRUPTED) + line
            self._write(line)

    def _write(self, line: bytes) -> None:
        """Write while holding the lock."""
        if self._stream is None:
            return
        try:
            self._stream.write(line)
            self._stream.flush()
        except (OSError, ValueError):  # the watchdog is gone: the run goes on without it
            self._stream = None

    # -- what the run tells it ----------------------------------------------------------------

    def call_started(self, call_id: int, description: str, timeout: float) -> None:
        self.send({"type": "call", "id": call_id, "call": description, "timeout": timeout})

    def call_ended(self, call_id: int) -> None:
        self.send({"type": "end", "id": call_id})

    def check_started(self, check_id: str) -> None:
        self.send({"type": "check", "id": check_id})

    def check_result(self, result: Any) -> None:
        self.send({"type": "result", "result": asdict(result)})

    def resource(self, resource: Any) -> None:
        self.send(
            {
                "type": "resource",
                "kind": resource.kind,
                "name": resource.name,
                "state": resource.state,
            }
        )

    def interrupted(self) -> None:
        """The run received Ctrl-C and is handling it.

        Called from the SIGINT handler, which can run while this very thread is inside
        :meth:`send` holding the lock: waiting for it there would hang the run for good. So
        this never waits; a note that cannot go now goes ahead of the next message.
        """
        if not self._lock.acquire(blocking=False):
            self._interrupt_pending = True
            return
        try:
            self._write(_encode(_INTERRUPTED))
        finally:
            self._lock.release()

    def done(self) -> None:
        """The run wrote its own report: the watchdog may go."""
        self.send({"type": "done"})
        with self._lock:
            stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


_INTERRUPTED = {"type": "interrupted"}


def _encode(message: dict[str, Any]) -> bytes:
    return (json.dumps(message, default=str) + "\n").encode()


# -- the watchdog process ---------------------------------------------------------------------


class _Watch:
    """What the watchdog knows of the run, from the run's messages."""

    def __init__(self, run_pid: int) -> None:
        self.run_pid = run_pid
        self.setup: dict[str, Any] = {}
        self.results: dict[str, dict[str, Any]] = {}
        self.running_check: str | None = None
        self.calls: dict[int, tuple[float, str, float]] = {}  # id -> (started, call, timeout)
        self.resources: dict[tuple[str, str], str] = {}
        self.interrupt_at: float | None = None
        self.answered_at: float | None = None
        self.done = False

    def take(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "setup":
            self.setup = message
        elif kind == "call":
            self.calls[message["id"]] = (time.monotonic(), message["call"], message["timeout"])
        elif kind == "end":
            self.calls.pop(message["id"], None)
        elif kind == "check":
            self.running_check = message["id"]
        elif kind == "result":
            self.results[message["result"]["id"]] = message["result"]
            if self.running_check == message["result"]["id"]:
                self.running_check = None
        elif kind == "resource":
            self.resources[(message["kind"], message["name"])] = message["state"]
        elif kind == "interrupted":
            self.answered_at = time.monotonic()
        elif kind == "done":
            self.done = True

    def overdue(self, now: float) -> tuple[str, float] | None:
        """A call past its timeout plus the grace, which the run has not taken back."""
        grace = float(self.setup.get("grace", GRACE_SECONDS))
        for started, call, timeout in self.calls.values():
            if now > started + timeout + grace:
                return call, timeout
        return None

    def unanswered_interrupt(self, now: float) -> bool:
        """Ctrl-C came, and the run has not said it is handling it within the grace."""
        if self.interrupt_at is None:
            return False
        # The run's answer and the watchdog's own signal race; an answer just before counts.
        if self.answered_at is not None and self.answered_at >= self.interrupt_at - 1.0:
            self.interrupt_at = None
            return False
        return now > self.interrupt_at + INTERRUPT_GRACE_SECONDS

    @property
    def writes_report(self) -> bool:
        return self.setup.get("role") == "reporter"


def _write_report(watch: _Watch, ending: str, failure: str | None, note: str) -> None:
    """The report of a run that could not write its own."""
    from conformance._judgement import CheckOutcome
    from conformance.report import Report, publish

    skeleton = watch.setup.get("skeleton")
    if not skeleton:
        return
    report = Report.from_dict(skeleton)
    for result in report.checks:
        if result.id in watch.results:
            for key, value in watch.results[result.id].items():
                setattr(result, key, value)
    if watch.running_check and failure is not None:
        running = report.result(watch.running_check)
        running.outcome = str(CheckOutcome.FAILED)
        running.message = failure
    for result in report.checks:
        if result.outcome == str(CheckOutcome.NOT_RUN):
            result.message = f"not run: {note}"
    report.ending = ending
    report.statistics = {
        "deployments_created": sum(
            1
            for (kind, _), state in watch.resources.items()
            if kind == "deployment" and state != "uncertain"
        ),
        "leftovers": [
            f"{kind} {name} (not cleaned up: {note})"
            for (kind, name), state in watch.resources.items()
            if state != "deleted"
        ],
        "ended_by_watchdog": note,
    }
    lines = publish(report, watch.setup.get("report"), watch.setup.get("certificate"))
    verdict = report.summary()["verdict"]
    sys.stderr.write(f"\ndeployment conformance: {note}\nverdict: {verdict}\n")
    for published in lines:
        sys.stderr.write(published.line + "\n")
    sys.stderr.flush()


def _kill(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def main(argv: list[str]) -> int:
    watch = _Watch(int(argv[0]))

    def on_interrupt(signum: int, frame: Any) -> None:
        if watch.interrupt_at is None:
            watch.interrupt_at = time.monotonic()

    signal.signal(signal.SIGINT, on_interrupt)
    buffer = b""
    stdin = sys.stdin.fileno()
    while True:
        try:
            ready, _, _ = select.select([stdin], [], [], 0.2)
        except InterruptedError:
            ready = []
        if ready:
            chunk = os.read(stdin, 65536)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                with contextlib.suppress(ValueError):  # a write cut short by a signal
                    watch.take(json.loads(line))
            if watch.done:
                return 0
        now = time.monotonic()
        overdue = watch.overdue(now)
        if overdue is not None:
            call, timeout = overdue
            _kill(watch.run_pid)
            grace = float(watch.setup.get("grace", GRACE_SECONDS))
            note = (
                f"{call} did not return within {timeout:g} s and the process did not answer "
                f"for {grace:g} s more (a call that holds the GIL or blocks signals); the kit's "
                "watchdog ended the process"
            )
            if watch.writes_report:
                _write_report(watch, "process-ended", note, note)
            return 0
        if watch.unanswered_interrupt(now):
            _kill(watch.run_pid)
            calls = [call for _, call, _ in watch.calls.values()]
            note = (
                "interrupted; the run did not answer Ctrl-C within "
                f"{INTERRUPT_GRACE_SECONDS:g} s"
                + (f" (busy in {calls[0]})" if calls else "")
                + ", so the kit's watchdog ended it"
            )
            if watch.writes_report:
                _write_report(watch, "interrupted", None, note)
            return 0
    if not watch.done and watch.writes_report:
        calls = [call for _, call, _ in watch.calls.values()]
        if calls:
            failure = (
                f"the process ended during {calls[0]}: the plugin ended it (os._exit, a signal "
                "or a crash such as a segfault); a plugin must raise MlflowException instead"
            )
            note = f"the process running the checks ended during {calls[0]}"
        else:
            failure, note = None, "the process running the checks ended before the run finished"
        _write_report(watch, "process-ended", failure, note)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
