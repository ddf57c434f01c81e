"""``scoring_load``: the ``run_local`` scoring server under load, beside MLflow's own.

Three servers run at once on 127.0.0.1, each in its own process group, one process each:

- ``reference``: ``run_local`` serving ``reference:/linear?weights=2,-1&bias=0.5``;
- ``pyfunc``: ``run_local`` serving an MLflow pyfunc model that computes the same function;
- ``mlflow``: ``mlflow models serve --env-manager local -w 1`` serving that same pyfunc model.

A round puts each under the same load in turn (the order alternates between rounds): 32
client threads, each with its own connection (kept alive where the server allows it), post a
10-row ``dataframe_split`` to ``/invocations`` as fast as answers come back, for 10 seconds.
The figure is the pyfunc model's requests per second on ``run_local`` over MLflow's, one ratio
per round (goal ≥ 1); the details give each side's requests per second, the p50 and p99
latency of its answers, the p99 ratio, the non-200 answers and errors (any stops the run), and
each server's peak resident memory. Needs the ``mlflow`` extra; skipped without it. Only with
``--all`` or ``--only scoring_load``: a round takes half a minute.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import ROOT, Figure, Settings, run_env, spread

NAME = "scoring_load"
GOAL = 1.0
HOST = "127.0.0.1"
MODEL_URI = "reference:/linear?weights=2,-1&bias=0.5"
CLIENTS = 32
SECONDS = 10.0
ROWS = 10
_HEADERS = {"Content-Type": "application/json"}
_STARTUP_SECONDS = 120.0

# The same function as MODEL_URI, as an MLflow "model from code".
_PYFUNC_CODE = """\
import mlflow
import numpy as np


class Linear(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input.to_numpy(dtype=np.float64) @ np.array([2.0, -1.0]) + 0.5


mlflow.models.set_model(Linear())
"""


def _body() -> bytes:
    data = [[float(row), float(row % 3)] for row in range(ROWS)]
    return json.dumps({"dataframe_split": {"columns": ["x1", "x2"], "data": data}}).encode()


def _expected() -> list[float]:
    return [2.0 * row - (row % 3) + 0.5 for row in range(ROWS)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass
class _Server:
    """One server process group on a port of 127.0.0.1."""

    name: str
    command: list[str]
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    def start(self, folder: Path) -> None:
        self.log = folder / f"{self.name}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [part.replace("{port}", str(self.port)) for part in self.command],
                cwd=folder,
                env={
                    **run_env(),
                    "PYTHONPATH": str(ROOT),
                    # MLflow's CLI runs uvicorn by name: this environment's scripts come first.
                    "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
                },
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # MLflow's CLI starts uvicorn: end the whole group
            )

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + _STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                break
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
                connection.request("GET", "/ping")
                if connection.getresponse().status == 200:
                    connection.close()
                    return
            time.sleep(0.2)
        tail = self.log.read_text(errors="replace")[-2000:] if self.log else ""
        raise RuntimeError(f"the {self.name} server did not start on port {self.port}:\n{tail}")

    def peak_rss_mb(self) -> float:
        """The largest peak resident memory among the group's processes, in MB."""
        assert self.process is not None
        peaks = []
        for status in Path("/proc").glob("[0-9]*/status"):
            with contextlib.suppress(OSError, ValueError):
                pid = int(status.parent.name)
                if os.getpgid(pid) != self.process.pid:
                    continue
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]) / 1024)
        return max(peaks, default=float("nan"))

    def stop(self) -> None:
        if self.process is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=10)
                break
            except subprocess.TimeoutExpired:
                continue
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # workers the leader left behind


@dataclass
class _Load:
    """What one side answered under load."""

    seconds: float
    latencies: list[float]
    failures: int

    @property
    def requests_per_second(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _client(
    port: int, body: bytes, stop_at: float, latencies: list[float], failed: list[int]
) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        while (start := time.perf_counter()) < stop_at:
            try:
                connection.request("POST", "/invocations", body, _HEADERS)
                reply = connection.getresponse()
                reply.read()
                ok = reply.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()  # reopened by the next request
                ok = False
            if ok:
                latencies.append(time.perf_counter() - start)
            else:
                failed.append(1)
    finally:
        connection.close()


def _load(port: int, body: bytes, seconds: float) -> _Load:
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    failed: list[int] = []
    start = time.perf_counter()
    stop_at = start + seconds
    threads = [
        threading.Thread(target=_client, args=(port, body, stop_at, latencies[n], failed))
        for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return _Load(elapsed, [value for client in latencies for value in client], len(failed))


def _check_answers(server: _Server, body: bytes) -> None:
    connection = http.client.HTTPConnection(HOST, server.port, timeout=30)
    try:
        connection.request("POST", "/invocations", body, _HEADERS)
        reply = connection.getresponse()
        answer = json.loads(reply.read())
    finally:
        connection.close()
    predictions = answer.get("predictions") if isinstance(answer, dict) else None
    if reply.status != 200 or predictions != _expected():
        raise RuntimeError(f"the {server.name} server answered {reply.status}: {answer!r}")


def _run_local(model_uri: str) -> list[str]:
    script = (
        "from reference_target import run_local\n"
        f"run_local('bench', {model_uri!r}, None, {{'port': '{{port}}'}})\n"
    )
    return [sys.executable, "-c", script]


@contextlib.contextmanager
def _servers(folder: Path) -> Iterator[dict[str, _Server]]:
    import mlflow.pyfunc

    code = folder / "linear_model.py"
    code.write_text(_PYFUNC_CODE)
    model = folder / "model"
    mlflow.pyfunc.save_model(str(model), python_model=str(code), pip_requirements=[])
    python = sys.executable
    servers = {
        "reference": _Server("reference", _run_local(MODEL_URI)),
        "pyfunc": _Server("pyfunc", _run_local(str(model))),
        "mlflow": _Server(
            "mlflow",
            [
                str(Path(python).with_name("mlflow")),
                "models",
                "serve",
                "-m",
                str(model),
                "--env-manager",
                "local",
                "-w",
                "1",
                "-h",
                HOST,
                "-p",
                "{port}",
            ],
        ),
    }
    try:
        for server in servers.values():
            server.start(folder)
        for server in servers.values():
            server.wait_until_ready()
        yield servers
    finally:
        for server in servers.values():
            server.stop()


def measure(settings: Settings) -> Figure:
    figure = Figure(
        NAME,
        measures=(
            f"requests/s of run_local over `mlflow models serve`, one pyfunc model, "
            f"{CLIENTS} loopback clients"
        ),
        unit="x",
        goal=f"≥ {GOAL:g}",
    )
    try:
        import mlflow.pyfunc  # noqa: F401
    except ImportError:
        figure.skipped = "needs the mlflow extra (mlflow models serve)"
        return figure
    if not Path("/proc/self/status").exists():
        figure.skipped = "reads peak memory from /proc"
        return figure
    seconds = 3.0 if settings.quick else SECONDS
    body = _body()
    loads: dict[str, list[_Load]] = {"reference": [], "pyfunc": [], "mlflow": []}
    with (
        tempfile.TemporaryDirectory(prefix="scoring-load-") as scratch,
        _servers(Path(scratch)) as servers,
    ):
        for server in servers.values():
            _check_answers(server, body)
            _load(server.port, body, 0.5)  # warm up: imports, first connections
        names = list(servers)
        for number in range(settings.rounds):
            for name in names if number % 2 == 0 else reversed(names):
                load = _load(servers[name].port, body, seconds)
                if load.failures:
                    raise RuntimeError(f"{load.failures} requests to {name} failed under load")
                loads[name].append(load)
        peaks = {name: server.peak_rss_mb() for name, server in servers.items()}
    ratios = [
        ours.requests_per_second / theirs.requests_per_second
        for ours, theirs in zip(loads["pyfunc"], loads["mlflow"], strict=True)
    ]
    figure.judge(spread(ratios), GOAL, higher_is_better=True)
    figure.details = {
        "clients": CLIENTS,
        "seconds_per_side": seconds,
        "rows_per_request": ROWS,
        "rounds": settings.rounds,
        "p99_ratio": vars(
            spread(
                [
                    ours.percentile(0.99) / theirs.percentile(0.99)
                    for ours, theirs in zip(loads["pyfunc"], loads["mlflow"], strict=True)
                ]
            )
        ),
        "sides": {
            name: {
                "requests_per_second": vars(spread([load.requests_per_second for load in runs])),
                "p50_ms": vars(spread([load.percentile(0.5) * 1e3 for load in runs])),
                "p99_ms": vars(spread([load.percentile(0.99) * 1e3 for load in runs])),
                "requests": [len(load.latencies) for load in runs],
                "peak_rss_mb": round(peaks[name], 1),
            }
            for name, runs in loads.items()
        },
        "median_latency_ms_overall": {
            name: statistics.median(value * 1e3 for load in runs for value in load.latencies)
            for name, runs in loads.items()
        },
    }
    return figure
