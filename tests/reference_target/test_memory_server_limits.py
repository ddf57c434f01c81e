"""run_local's scoring server under attack: every limit answers 4xx (or 503), never 500 or a
dropped connection, and threads and memory stay bounded."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import conformance.api as api
import reference_target.server as server_module
from reference_target import run_local
from reference_target.models import load_model
from reference_target.server import (
    DEFAULT_MAX_BODY_BYTES,
    LISTEN_BACKLOG,
    ScoringServer,
    ServerLimits,
    serve,
)

LINEAR = "reference:/linear?weights=1,2&bias=0.5"


@pytest.fixture
def small() -> Iterator[ScoringServer]:
    """A server with small limits, so each can be reached cheaply."""
    limits = ServerLimits(max_body_bytes=1000, workers=4, read_timeout=0.5)
    running = serve(load_model(LINEAR), "127.0.0.1", 0, limits)
    yield running
    running.stop()


@pytest.fixture
def echo() -> Iterator[ScoringServer]:
    running = serve(load_model("reference:/echo"), "127.0.0.1", 0)
    yield running
    running.stop()


def exchange(server: ScoringServer, raw: bytes, timeout: float = 10.0) -> tuple[int, Any]:
    """Send ``raw`` as it is; the status and JSON body of the answer read to the end."""
    with socket.create_connection(server.server_address[:2], timeout=timeout) as connection:
        connection.sendall(raw)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head, "the server closed the connection without an answer"
    return int(head.split()[1]), json.loads(body) if body else None


def post(body: bytes, *headers: str, content_type: str = "application/json") -> bytes:
    lines = ["POST /invocations HTTP/1.1", "Host: 127.0.0.1", f"Content-Type: {content_type}"]
    return ("\r\n".join([*lines, *headers]) + "\r\n\r\n").encode() + body


def payload(value: Any) -> bytes:
    return json.dumps(value).encode()


# -- the body's length ---------------------------------------------------------------------


def test_a_huge_declared_length_is_413_before_anything_is_read(small: ScoringServer) -> None:
    status, answer = exchange(small, post(b"", "Content-Length: 1000000000000000"))
    assert status == 413
    assert "max_body_bytes" in answer["message"]


def test_a_body_over_the_limit_sent_whole_still_gets_its_413(small: ScoringServer) -> None:
    body = payload({"instances": [[1, 2]] * 500})
    assert len(body) > small.limits.max_body_bytes
    status, answer = exchange(small, post(body, f"Content-Length: {len(body)}"))
    assert status == 413
    assert "at most 1000" in answer["message"]


def test_a_missing_length_is_411(small: ScoringServer) -> None:
    status, answer = exchange(small, post(b""))
    assert status == 411
    assert "Content-Length" in answer["message"]


def test_a_chunked_body_is_refused_with_411_not_ignored(small: ScoringServer) -> None:
    body = payload({"instances": [[1, 2]]})
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    status, answer = exchange(small, post(chunked, "Transfer-Encoding: chunked"))
    assert status == 411
    assert "Transfer-Encoding" in answer["message"]


def test_two_content_lengths_are_400(small: ScoringServer) -> None:
    body = payload({"instances": [[1, 2]]})
    status, answer = exchange(
        small, post(body, f"Content-Length: {len(body)}", f"Content-Length: {len(body) - 1}")
    )
    assert status == 400
    assert "exactly one" in answer["message"]


@pytest.mark.parametrize("length", ["-1", "1e3", "ten", "٣"])
def test_a_length_that_is_not_a_byte_count_is_400(small: ScoringServer, length: str) -> None:
    status, answer = exchange(small, post(b"", f"Content-Length: {length}"))
    assert status == 400
    assert "Content-Length" in answer["message"]


def test_a_body_shorter_than_its_length_is_400(small: ScoringServer) -> None:
    with socket.create_connection(small.server_address[:2], timeout=10) as connection:
        connection.sendall(post(b"{}", "Content-Length: 100"))
        connection.shutdown(socket.SHUT_WR)
        answer = connection.makefile("rb").read()
    assert answer.split()[1] == b"400"
    assert b"ended after 2 of the 100 bytes" in answer


# -- time and threads ----------------------------------------------------------------------


def test_a_stalled_body_is_408_after_the_read_timeout(small: ScoringServer) -> None:
    started = time.monotonic()
    with socket.create_connection(small.server_address[:2], timeout=10) as connection:
        connection.sendall(post(b'{"inst', "Content-Length: 100"))
        answer = connection.makefile("rb").read()
    assert answer.split()[1] == b"408"
    assert time.monotonic() - started < 5


def test_a_request_head_that_stalls_is_408_after_the_read_timeout(small: ScoringServer) -> None:
    with socket.create_connection(small.server_address[:2], timeout=10) as connection:
        connection.sendall(b"POST /invocations HTTP/1.1\r\n")
        started = time.monotonic()
        answer = connection.makefile("rb").read()
    assert time.monotonic() - started < 5
    assert answer.split()[1] == b"408"
    assert b"did not arrive within 0.5 s" in answer


def test_a_body_that_trickles_is_cut_off_at_the_read_timeout(small: ScoringServer) -> None:
    body = payload({"instances": [[1, 2]]})
    started = time.monotonic()
    with socket.create_connection(small.server_address[:2], timeout=10) as connection:
        connection.sendall(post(b"", f"Content-Length: {len(body)}"))
        # One byte every 0.2 s: each read is quick, but the whole body would take seconds.
        for byte in body[:10]:
            connection.sendall(bytes([byte]))
            time.sleep(0.2)
        answer = connection.makefile("rb").read()
    assert answer.split()[1] == b"408"
    assert time.monotonic() - started < 3


def test_slow_clients_hold_no_worker_and_others_are_served() -> None:
    running = serve(load_model(LINEAR), "127.0.0.1", 0, ServerLimits(workers=2, read_timeout=30.0))
    body = payload({"instances": [[1, 2]]})
    # Slow-loris: many connections that send part of their headers and then nothing.
    stalled = [socket.create_connection(running.server_address[:2]) for _ in range(1000)]
    try:
        for connection in stalled:
            connection.sendall(b"POST /invocations HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        status, answer = exchange(running, post(body, f"Content-Length: {len(body)}"))
        assert (status, answer) == (200, {"predictions": [5.5]})
        assert time.monotonic() - started < 2
        assert len(threads_of(running)) == running.limits.workers + 1  # and the acceptor
    finally:
        for connection in stalled:
            connection.close()
        running.stop()


def test_headers_beyond_the_limit_are_431(small: ScoringServer) -> None:
    huge = "X-Padding: " + "x" * (server_module.MAX_HEAD_BYTES + 10)
    status, answer = exchange(small, post(b"", huge))
    assert status == 431
    assert "headers" in answer["message"]


def threads_of(server: ScoringServer) -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if server.url in thread.name]


def test_worker_threads_are_bounded_whatever_the_connections(small: ScoringServer) -> None:
    idle = [socket.create_connection(small.server_address[:2]) for _ in range(40)]
    try:
        time.sleep(0.2)
        assert len(threads_of(small)) == small.limits.workers + 1  # and the acceptor
    finally:
        for connection in idle:
            connection.close()


def test_a_burst_beyond_the_workers_is_answered_in_full() -> None:
    running = serve(load_model(LINEAR), "127.0.0.1", 0, ServerLimits(workers=2))
    body = payload({"instances": [[1, 2]]})
    try:
        assert running.socket.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
        with ThreadPoolExecutor(200) as pool:
            statuses = list(
                pool.map(
                    lambda _: exchange(running, post(body, f"Content-Length: {len(body)}"))[0],
                    range(500),
                )
            )
    finally:
        running.stop()
    assert statuses == [200] * 500
    assert LISTEN_BACKLOG >= 1024


def test_a_full_queue_turns_connections_away_with_503(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server_module, "QUEUED_CONNECTIONS", 1)
    running = serve(load_model(LINEAR), "127.0.0.1", 0, ServerLimits(workers=1, read_timeout=5.0))
    stalled: list[socket.socket] = []
    try:
        # One stalled connection holds the worker and one waits in the queue; which of the
        # first few is turned away depends on when the worker takes its first, so keep going.
        for _ in range(4):
            connection = socket.create_connection(running.server_address[:2], timeout=1)
            stalled.append(connection)
            connection.sendall(b"GET /ping HTTP/1.1\r\n")
            try:
                answer = connection.recv(1000)
            except TimeoutError:
                continue
            assert answer.startswith(b"HTTP/1.0 503")
            assert b"TEMPORARILY_UNAVAILABLE" in answer
            break
        else:
            pytest.fail("no connection was turned away")
    finally:
        for connection in stalled:
            connection.close()
        running.stop()


# -- what the body holds -------------------------------------------------------------------


def nested(depth: int) -> bytes:
    return b"[" * depth + b"1" + b"]" * depth


@pytest.mark.parametrize("depth", [1100, 5000])
def test_json_nested_too_deep_is_400(echo: ScoringServer, depth: int) -> None:
    body = b'{"inputs": {"a": [' + nested(depth) + b"]}}"
    status, answer = exchange(echo, post(body, f"Content-Length: {len(body)}"))
    assert status == 400
    assert "nested more than 1024" in answer["message"]


def test_json_with_nan_tokens_nested_too_deep_is_400(echo: ScoringServer) -> None:
    # NaN sends the body to the standard library's parser, which recurses.
    body = b'{"inputs": {"a": [NaN, ' + nested(5000) + b"]}}"
    status, answer = exchange(echo, post(body, f"Content-Length: {len(body)}"))
    assert status == 400
    assert "nested more than 1024" in answer["message"]


def test_predictions_nested_too_deep_to_write_are_400_not_500(echo: ScoringServer) -> None:
    body = b'{"inputs": {"a": [' + nested(1000) + b"]}}"
    status, answer = exchange(echo, post(body, f"Content-Length: {len(body)}"))
    assert status == 400
    assert answer["error_code"] == api.INVALID_PARAMETER_VALUE
    assert "nested too deep" in answer["message"]


def test_csv_rows_with_more_fields_than_the_header_are_400(small: ScoringServer) -> None:
    body = b"a,b\n1,2,3,4\n"
    status, answer = exchange(
        small, post(body, f"Content-Length: {len(body)}", content_type="text/csv")
    )
    assert status == 400
    assert "more fields than the header" in answer["message"]


def test_a_split_whose_index_outnumbers_its_rows_is_400(small: ScoringServer) -> None:
    body = payload(
        {"dataframe_split": {"columns": ["x", "y"], "data": [[1, 2]], "index": [0, 1, 2]}}
    )
    status, answer = exchange(small, post(body, f"Content-Length: {len(body)}"))
    assert status == 400
    assert "one label per row" in answer["message"]


# -- memory --------------------------------------------------------------------------------


def _serve_in_a_process(
    tmp_path: Path, config: dict[str, Any]
) -> tuple[subprocess.Popen[str], int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = (
        "from reference_target import run_local\n"
        f"run_local('big', {LINEAR!r}, None, {{**{config!r}, 'port': {port}}})\n"
    )
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env, cwd=tmp_path
    )
    assert process.stdout is not None
    assert "Serving" in process.stdout.readline()
    return process, port


def _peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


def _rows_body(size: int) -> bytes:
    row = b"[1.25,2.5],"
    rows = row * (size // len(row))
    return b'{"dataframe_split":{"columns":["x","y"],"data":[' + rows + b"[1,2]]}}"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
@pytest.mark.parametrize(
    ("size", "status"),
    [(70_000_000, 413), (DEFAULT_MAX_BODY_BYTES - 100, 200)],
    ids=["70MB", "max"],
)
def test_peak_memory_stays_under_600_mb(tmp_path: Path, size: int, status: int) -> None:
    process, port = _serve_in_a_process(tmp_path, {})
    try:
        body = _rows_body(size)
        with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
            connection.sendall(post(body, f"Content-Length: {len(body)}"))
            answer = connection.makefile("rb").read()
        assert answer.split()[1] == str(status).encode()
        assert _peak_rss_mb(process.pid) < 600
    finally:
        process.terminate()
        process.wait(10)


def test_run_local_reads_its_limits_from_config() -> None:
    limits = server_module.server_limits(
        {"max_body_bytes": "2048", "workers": "3", "read_timeout": "1.5"}
    )
    assert limits == ServerLimits(max_body_bytes=2048, workers=3, read_timeout=1.5)
    assert server_module.server_limits({}) == ServerLimits()


@pytest.mark.parametrize(
    "config",
    [
        {"max_body_bytes": 0},
        {"max_body_bytes": "lots"},
        {"workers": 1.5},
        {"workers": True},
        {"read_timeout": 0},
        {"read_timeout": "1e400"},
    ],
)
def test_run_local_refuses_bad_limits_before_serving(config: dict[str, Any]) -> None:
    with pytest.raises(api.MlflowException) as caught:
        run_local("demo", LINEAR, None, {**config, "port": 0})
    assert caught.value.error_code == api.INVALID_PARAMETER_VALUE
    assert next(iter(config)) in caught.value.message


@pytest.mark.parametrize(
    ("raw", "status"),
    [(b"NONSENSE\r\n\r\n", 400), (b"PUT /invocations HTTP/1.1\r\n\r\n", 501)],
    ids=["malformed request line", "unknown method"],
)
def test_the_servers_own_refusals_are_json_too(
    small: ScoringServer, raw: bytes, status: int
) -> None:
    answer_status, answer = exchange(small, raw)
    assert answer_status == status
    assert answer["error_code"] == "BAD_REQUEST"
    assert answer["message"]
