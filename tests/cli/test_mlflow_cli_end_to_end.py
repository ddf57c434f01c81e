"""MLflow's own ``mlflow deployments`` CLI, run as separate processes on a durable memory store.

Each command is the real console script next to this interpreter, started as its own process,
and each is judged by what it prints. The store is a file, so this process reads the same store
through the Python API to see what each command really did. Commands that do not depend on one
another start together: each one spends seconds importing MLflow.
"""

from __future__ import annotations

import ast
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Every test reads one transcript whose dozen MLflow processes take well over ten seconds.
pytestmark = [pytest.mark.mlflow, pytest.mark.slow]

pytest.importorskip("mlflow")

import pandas as pd  # noqa: E402

from reference_target import MemoryDeploymentClient, target_help  # noqa: E402
from reference_target.store import close_sqlite_store  # noqa: E402

MLFLOW = Path(sys.executable).parent / "mlflow"
ENV = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "1"}
LINEAR = "reference:/linear?weights=2,-1&bias=0.5"
CONSTANT = "reference:/constant?value=7"
FRAME = {"x1": [1.0, 3.0], "x2": [2.0, 0.5]}
LINEAR_PREDICTIONS = [0.5, 6.0]  # 2*x1 - x2 + 0.5, row by row
COMMAND_SECONDS = 180  # a generous bound: MLflow alone takes seconds to import on a busy machine
SERVER_SECONDS = 120


@dataclass
class Run:
    """One finished CLI process."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def ok(self) -> str:
        """The output, once the command has exited 0."""
        assert self.returncode == 0, f"{' '.join(self.args)} failed:\n{self.stderr}"
        return self.stdout


@dataclass
class Transcript:
    """What every command printed, and what the store held at the points that matter."""

    target: str
    runs: dict[str, Run] = field(default_factory=dict)
    seen: dict[str, Any] = field(default_factory=dict)


def start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(MLFLOW), "deployments", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        cwd=cwd,
    )


def run_together(commands: dict[str, list[str]], cwd: Path) -> dict[str, Run]:
    """Start every command at once; each one's outcome once all have ended."""
    processes = {key: start(args, cwd) for key, args in commands.items()}
    runs = {}
    try:
        for key, process in processes.items():
            stdout, stderr = process.communicate(timeout=COMMAND_SECONDS)
            runs[key] = Run(commands[key], process.returncode, stdout, stderr)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    return runs


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def request(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    """Status and body; http.client never consults proxy settings."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def start_run_local(target: str, port: int, cwd: Path) -> subprocess.Popen[str]:
    # A process started in the background of a non-interactive shell ignores SIGINT, and its
    # children inherit that. The CLI gets SIGINT's default back, as it has in a terminal, so
    # the SIGINT below is the Ctrl+C a user would press; exec keeps it the CLI's own process.
    restore = (
        "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
        "os.execv(sys.argv[1], sys.argv[1:])"
    )
    arguments = ["-t", target, "--name", "served", "-m", LINEAR, "-C", f"port={port}"]
    return subprocess.Popen(
        [sys.executable, "-c", restore, str(MLFLOW), "deployments", "run-local", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        cwd=cwd,
    )


def serve_and_stop(process: subprocess.Popen[str], port: int) -> dict[str, Any]:
    """Wait for /ping, score through /invocations, then stop the server with SIGINT."""
    seen: dict[str, Any] = {}
    deadline = time.monotonic() + SERVER_SECONDS
    while True:
        if process.poll() is not None:
            stderr = process.stderr.read() if process.stderr else ""
            seen["early exit"] = (process.returncode, stderr)
            return seen
        try:
            seen["ping"] = request(port, "GET", "/ping")
            break
        except OSError:
            if time.monotonic() > deadline:
                seen["never ready"] = f"nothing answered on port {port} in {SERVER_SECONDS} s"
                return seen
            time.sleep(0.2)
    rows = [list(row) for row in zip(*FRAME.values(), strict=True)]
    body = {"dataframe_split": {"columns": list(FRAME), "data": rows}}
    seen["invocations"] = request(port, "POST", "/invocations", json.dumps(body).encode())
    process.send_signal(signal.SIGINT)
    try:
        stdout, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        seen["exit"] = (None, "", "still running 30 s after SIGINT")
    else:
        seen["exit"] = (process.returncode, stdout, stderr)
    return seen


@pytest.fixture(scope="module")
def transcript(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Transcript]:
    """The whole session: each stage's commands together, the server alongside the first."""
    folder = tmp_path_factory.mktemp("cli")
    store = folder / "store.db"
    target = f"memory://{store}"
    record = Transcript(target)
    api = MemoryDeploymentClient(target)
    # Made through the Python API: the CLI's create-endpoint cannot make one (see below).
    api.create_endpoint("ep", {"tier": "gold"})
    api.create_deployment("doomed", CONSTANT)
    input_path = folder / "input.json"
    pd.DataFrame(FRAME).to_json(input_path)  # what --input-path files usually are

    port = free_port()
    server = start_run_local(target, port, folder)
    try:
        record.runs |= run_together(
            {
                "help": ["help", "-t", "memory"],
                "create": ["create", "-t", target, "--name", "lin", "-m", LINEAR],
                "create-endpoint": ["create-endpoint", "-t", target, "--endpoint", "cli-ep"],
                "list-endpoints": ["list-endpoints", "-t", target],
                "get-endpoint": ["get-endpoint", "-t", target, "--endpoint", "ep"],
                "delete": ["delete", "-t", target, "--name", "doomed"],
            },
            folder,
        )
        record.seen["after create"] = api.get_deployment("lin")
        record.seen["endpoints after create-endpoint"] = api.list_endpoints()
        record.seen["run-local"] = serve_and_stop(server, port)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    record.runs |= run_together(
        {
            "list": ["list", "-t", target],
            "get": ["get", "-t", target, "--name", "lin"],
            "predict": ["predict", "-t", target, "--name", "lin", "--input-path", str(input_path)],
            "delete again": ["delete", "-t", target, "--name", "doomed"],
            "delete-endpoint": ["delete-endpoint", "-t", target, "--endpoint", "ep"],
        },
        folder,
    )
    record.seen["deployments after deletes"] = [d["name"] for d in api.list_deployments()]
    record.seen["endpoints after delete-endpoint"] = api.list_endpoints()
    record.runs |= run_together(
        {"update": ["update", "-t", target, "--name", "lin", "-m", CONSTANT]}, folder
    )
    record.seen["after update"] = api.get_deployment("lin")
    record.seen["predictions after update"] = api.predict("lin", pd.DataFrame(FRAME))
    yield record
    close_sqlite_store(str(store))


def test_help_prints_the_target_help(transcript: Transcript) -> None:
    output = transcript.runs["help"].ok()
    assert target_help().strip() in output
    assert "memory:///<absolute path>" in output


def test_create_prints_the_flavor_and_the_name(transcript: Transcript) -> None:
    assert "python_function deployment lin is created" in transcript.runs["create"].ok()
    created = transcript.seen["after create"]
    assert (created["name"], created["model_uri"], created["flavor"]) == (
        "lin",
        LINEAR,
        "python_function",
    )
    assert created["config"] == {}  # the CLI passes config={} when no -C is given


def test_list_prints_every_deployment(transcript: Transcript) -> None:
    output = transcript.runs["list"].ok()
    heading, _, listing = output.partition("\n")
    assert heading == "List of all deployments:"
    deployments = ast.literal_eval(listing.strip())
    assert [d["name"] for d in deployments] == ["lin"]  # 'doomed' was deleted before
    assert deployments[0]["model_uri"] == LINEAR


def test_get_prints_each_field(transcript: Transcript) -> None:
    lines = transcript.runs["get"].ok().splitlines()
    for field_line in [
        "name: lin",
        "flavor: python_function",
        f"model_uri: {LINEAR}",
        "state: ready",
    ]:
        assert field_line in lines


def test_predict_reads_a_pandas_json_file_and_prints_json(transcript: Transcript) -> None:
    output = transcript.runs["predict"].ok()
    assert json.loads(output) == {"predictions": LINEAR_PREDICTIONS}


def test_update_prints_the_flavor_it_returns(transcript: Transcript) -> None:
    # The CLI reads ret["flavor"] from update_deployment's result, which MLflow documents as None.
    output = transcript.runs["update"].ok()
    assert "Deployment lin is updated (with flavor python_function)" in output
    assert transcript.seen["after update"]["model_uri"] == CONSTANT
    assert transcript.seen["predictions after update"]["predictions"].tolist() == [7.0, 7.0]


def test_delete_succeeds_twice(transcript: Transcript) -> None:
    assert "Deployment doomed is deleted" in transcript.runs["delete"].ok()
    assert "Deployment doomed is deleted" in transcript.runs["delete again"].ok()
    assert transcript.seen["deployments after deletes"] == ["lin"]


def test_create_endpoint_prints_the_name(transcript: Transcript) -> None:
    run = transcript.runs["create-endpoint"]
    if "unexpected keyword argument 'endpoint'" in run.stderr:
        # MLflow's own bug, before any plugin code runs: the option is --endpoint, but the
        # command's function takes `name`. Nothing may have reached the store.
        assert run.returncode != 0
        assert [e["name"] for e in transcript.seen["endpoints after create-endpoint"]] == ["ep"]
        pytest.xfail(
            "MLflow's `mlflow deployments create-endpoint` passes --endpoint as a keyword its "
            "command function does not take (TypeError); endpoints are made with the Python API"
        )
    assert "Endpoint cli-ep is created" in run.ok()
    names = [e["name"] for e in transcript.seen["endpoints after create-endpoint"]]
    assert "cli-ep" in names


def test_list_endpoints_prints_every_endpoint(transcript: Transcript) -> None:
    output = transcript.runs["list-endpoints"].ok()
    heading, _, listing = output.partition("\n")
    assert heading == "List of all endpoints:"
    assert {"name": "ep", "config": {"tier": "gold"}} in ast.literal_eval(listing.strip())


def test_get_endpoint_prints_each_field(transcript: Transcript) -> None:
    lines = transcript.runs["get-endpoint"].ok().splitlines()
    assert "name: ep" in lines
    assert "config: {'tier': 'gold'}" in lines


def test_delete_endpoint(transcript: Transcript) -> None:
    assert "Endpoint ep is deleted" in transcript.runs["delete-endpoint"].ok()
    assert "ep" not in [e["name"] for e in transcript.seen["endpoints after delete-endpoint"]]


def test_run_local_serves_the_scoring_protocol_until_sigint(transcript: Transcript) -> None:
    seen = transcript.seen["run-local"]
    assert "early exit" not in seen, seen.get("early exit")
    assert "never ready" not in seen, seen.get("never ready")
    assert seen["ping"][0] == 200
    status, body = seen["invocations"]
    assert status == 200, body
    assert json.loads(body) == {"predictions": LINEAR_PREDICTIONS}
    returncode, stdout, stderr = seen["exit"]
    assert returncode == 0, stderr
    assert "Serving deployment 'served'" in stdout
    assert "press Ctrl+C to stop" in stdout
