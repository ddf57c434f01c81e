"""run_local's scoring server: every path and status, on 127.0.0.1 and a free port."""

from __future__ import annotations

import http.client
import importlib.metadata
import inspect
import json
import math
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

import conformance.api as api
from reference_target import run_local
from reference_target.models import load_model
from reference_target.server import ScoringServer, serve

JSON = "application/json"


@pytest.fixture(scope="module")
def server() -> Iterator[ScoringServer]:
    running = serve(load_model("reference:/linear?weights=1,2&bias=0.5"), "127.0.0.1", 0)
    yield running
    running.stop()


def request(
    server: ScoringServer,
    method: str,
    path: str,
    body: bytes | str | None = None,
    content_type: str | None = None,
) -> tuple[int, str, bytes]:
    """Status, content type and body; http.client never consults proxy settings."""
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
    try:
        headers = {"Content-Type": content_type} if content_type else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


def post_json(server: ScoringServer, payload: Any) -> tuple[int, Any]:
    status, _, body = request(server, "POST", "/invocations", json.dumps(payload), JSON)
    return status, json.loads(body)


def test_the_server_listens_on_loopback_only(server: ScoringServer) -> None:
    assert server.server_address[0] == "127.0.0.1"
    assert server.url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize("path", ["/ping", "/health"])
def test_health_paths_answer_200(server: ScoringServer, path: str) -> None:
    assert request(server, "GET", path)[0] == 200


def test_version_answers_the_package_version(server: ScoringServer) -> None:
    status, _, body = request(server, "GET", "/version")
    assert status == 200
    assert body.decode() == importlib.metadata.version("mlflow-deployments-conformance")


@pytest.mark.parametrize(
    "payload",
    [
        {"dataframe_split": {"columns": ["x", "y"], "data": [[1, 2], [3, 4]]}},
        {"dataframe_records": [{"x": 1, "y": 2}, {"x": 3, "y": 4}]},
        {"instances": [[1, 2], [3, 4]]},
        {"inputs": {"x": [1, 3], "y": [2, 4]}},
        {"inputs": [[1, 2], [3, 4]], "params": {"ignored": True}},
    ],
    ids=["dataframe_split", "dataframe_records", "instances", "inputs", "inputs+params"],
)
def test_json_payloads_are_scored(server: ScoringServer, payload: dict[str, Any]) -> None:
    assert post_json(server, payload) == (200, {"predictions": [5.5, 11.5]})


def test_json_with_a_charset_is_json(server: ScoringServer) -> None:
    body = json.dumps({"instances": [[1, 2]]})
    status, content_type, answer = request(
        server, "POST", "/invocations", body, "application/json; charset=utf-8"
    )
    assert (status, json.loads(answer)) == (200, {"predictions": [5.5]})
    assert content_type.startswith(JSON)


def test_nan_tokens_are_read(server: ScoringServer) -> None:
    body = json.dumps({"instances": [[math.nan, 1.0]]})
    status, _, raw = request(server, "POST", "/invocations", body, JSON)
    answer = json.loads(raw)
    assert status == 200
    assert answer == {"predictions": [None]}  # NaN is written as null: strict JSON out


def test_csv_is_scored(server: ScoringServer) -> None:
    status, _, body = request(server, "POST", "/invocations", "x,y\n1,2\n3,4\n", "text/csv")
    assert (status, json.loads(body)) == (200, {"predictions": [5.5, 11.5]})


@pytest.mark.parametrize(
    "body",
    [
        {"rows": [[1, 2]]},
        {},
        {"params": {"a": 1}},
        {"instances": [[1, 2]], "inputs": [[1, 2]]},
        {"dataframe_split": {"data": [[1, 2]]}, "dataframe_records": [{"x": 1, "y": 2}]},
        [[1, 2]],
    ],
    ids=["unknown key", "empty", "params only", "two keys", "two dataframe keys", "array"],
)
def test_bodies_without_exactly_one_key_are_bad_requests(server: ScoringServer, body: Any) -> None:
    status, answer = post_json(server, body)
    assert status == 400
    assert answer["error_code"] == "BAD_REQUEST"
    assert "exactly one" in answer["message"]


@pytest.mark.parametrize("body", ["{not json", "", "{'single': 'quotes'}"])
def test_invalid_json_is_a_bad_request(server: ScoringServer, body: str) -> None:
    status, _, raw = request(server, "POST", "/invocations", body, JSON)
    assert status == 400
    assert json.loads(raw)["error_code"] == "BAD_REQUEST"


@pytest.mark.parametrize(
    "payload",
    [{"instances": [[1, 2], [3]]}, {"instances": [["a", "b"]]}, {"instances": [[1, 2, 3]]}],
    ids=["ragged", "text", "too many columns"],
)
def test_model_errors_answer_400_with_their_code(
    server: ScoringServer, payload: dict[str, Any]
) -> None:
    status, answer = post_json(server, payload)
    assert status == 400
    assert answer["error_code"] == api.INVALID_PARAMETER_VALUE
    assert answer["message"]


def test_a_bad_csv_body_is_a_400(server: ScoringServer) -> None:
    status, _, raw = request(server, "POST", "/invocations", "", "text/csv")
    assert status == 400
    assert json.loads(raw)["error_code"] == api.INVALID_PARAMETER_VALUE


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", None])
def test_other_content_types_are_415(server: ScoringServer, content_type: str | None) -> None:
    status, _, raw = request(
        server, "POST", "/invocations", '{"instances": [[1, 2]]}', content_type
    )
    assert status == 415
    assert "application/json or text/csv" in json.loads(raw)["message"]


@pytest.mark.parametrize(("method", "path"), [("GET", "/nope"), ("POST", "/predict"), ("GET", "/")])
def test_unknown_paths_are_404(server: ScoringServer, method: str, path: str) -> None:
    status, _, raw = request(server, method, path, "{}" if method == "POST" else None, JSON)
    assert status == 404
    assert "/invocations" in json.loads(raw)["message"]


@pytest.mark.parametrize(("method", "path"), [("GET", "/invocations"), ("POST", "/ping")])
def test_wrong_methods_are_405(server: ScoringServer, method: str, path: str) -> None:
    assert request(server, method, path, "{}" if method == "POST" else None, JSON)[0] == 405


def test_string_predictions_are_served_as_a_list() -> None:
    running = serve(load_model("reference:/constant?value=yes"), "127.0.0.1", 0)
    try:
        assert post_json(running, {"instances": [[1], [2]]}) == (
            200,
            {"predictions": ["yes", "yes"]},
        )
    finally:
        running.stop()


def test_stop_releases_the_port() -> None:
    running = serve(load_model("reference:/echo"), "127.0.0.1", 0)
    port = running.server_address[1]
    running.stop()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


# -- run_local -------------------------------------------------------------------------------------


def test_run_local_takes_the_arguments_mlflow_really_passes() -> None:
    # MLflow calls plugin.run_local(name, model_uri, flavor, config): no target first.
    bound = inspect.signature(run_local).bind("name", "reference:/echo", None, {"port": 0})
    assert bound.arguments == {
        "name": "name",
        "model_uri": "reference:/echo",
        "flavor": None,
        "config": {"port": 0},
    }


@pytest.mark.parametrize(
    ("name", "model_uri", "flavor", "config"),
    [
        ("", "reference:/echo", None, None),
        ("demo", "reference:/nosuch", None, None),
        ("demo", "reference:/echo", "sklearn", None),
        ("demo", "reference:/echo", None, {"port": "http"}),
        ("demo", "reference:/echo", None, {"port": 70000}),
        ("demo", "reference:/echo", None, {"port": True}),
    ],
)
def test_run_local_refuses_bad_arguments_before_serving(
    name: str, model_uri: str, flavor: str | None, config: dict[str, Any] | None
) -> None:
    with pytest.raises(api.MlflowException) as caught:
        run_local(name, model_uri, flavor, config)
    assert caught.value.error_code == api.INVALID_PARAMETER_VALUE


def test_run_local_on_a_busy_port_says_so() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])  # as the CLI passes it: a string
        with pytest.raises(api.MlflowException, match="Cannot listen") as caught:
            run_local("demo", "reference:/echo", None, {"port": port})
    assert caught.value.error_code == api.INVALID_PARAMETER_VALUE


def test_run_local_serves_until_interrupted() -> None:
    # A process started in the background of a non-interactive shell ignores SIGINT, and its
    # children inherit that: the script takes back Python's Ctrl+C handler, as in a terminal.
    script = (
        "import signal\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from reference_target import run_local\n"
        "run_local('demo', 'reference:/constant?value=3', None, {'port': '0'})\n"
    )
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        announced = process.stdout.readline()
        assert "'demo'" in announced
        url = announced.split(" at ", 1)[1].split(";", 1)[0]
        assert url.startswith("http://127.0.0.1:")
        port = int(url.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", "/invocations", '{"inputs": [[1], [2]]}', {"Content-Type": JSON})
        assert json.loads(connection.getresponse().read()) == {"predictions": [3.0, 3.0]}
        connection.close()
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=20)
        assert process.returncode == 0, errors
        assert "Traceback" not in errors
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
