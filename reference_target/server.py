"""``run_local``: serve one model over HTTP with the MLflow scoring protocol.

- ``GET /ping`` and ``GET /health`` answer 200; ``GET /version`` answers the package version.
- ``POST /invocations`` takes ``application/json`` (an object with exactly one of
  ``dataframe_split``, ``dataframe_records``, ``instances``, ``inputs``, and optionally
  ``params``) or ``text/csv`` (a header row, then rows), and answers ``{"predictions": ...}``.
- A malformed body answers 400 ``{"error_code": "BAD_REQUEST", "message": ...}``; a model error
  answers 400 with the model's error code; another content type 415; another path 404.

The server binds 127.0.0.1 only. :func:`serve` runs it in a background thread, which is how the
tests use it; :func:`run_local` runs it in the foreground until Ctrl+C.
"""

from __future__ import annotations

import importlib.metadata
import json
import threading
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson

import conformance.api as api
from conformance.api.predictions import to_jsonable_bytes
from reference_target.inputs import PAYLOAD_KEYS, ModelInput, frame_from_csv, from_payload
from reference_target.models import Model, load_model
from reference_target.names import (
    validate_config,
    validate_flavor,
    validate_model_uri,
    validate_name,
)

__all__ = ["DEFAULT_PORT", "LOCAL_HOST", "ScoringServer", "make_server", "run_local", "serve"]

LOCAL_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
DISTRIBUTION = "mlflow-deployments-conformance"
_HEALTH_PATHS = ("/ping", "/health")
_KNOWN_PATHS = (*_HEALTH_PATHS, "/version", "/invocations")
# How often a background server looks for stop(); the default half second makes stop() slow.
_STOP_POLL_SECONDS = 0.05


def _version() -> str:
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


class _BadRequest(Exception):
    """A request the protocol rejects, with the status and error code to answer."""

    def __init__(self, status: int, error_code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message


def _parse_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        pass
    try:
        # Python's own json writes NaN and Infinity tokens; accept what it writes.
        return json.loads(body)
    except ValueError as exc:
        raise _BadRequest(
            HTTPStatus.BAD_REQUEST, "BAD_REQUEST", f"The body is not valid JSON: {exc}"
        ) from exc


def _json_input(body: bytes) -> ModelInput:
    payload = _parse_json(body)
    if not isinstance(payload, dict):
        raise _BadRequest(
            HTTPStatus.BAD_REQUEST,
            "BAD_REQUEST",
            f"The JSON body must be an object with exactly one of {', '.join(PAYLOAD_KEYS)}.",
        )
    present = [key for key in PAYLOAD_KEYS if key in payload]
    if len(present) != 1:
        raise _BadRequest(
            HTTPStatus.BAD_REQUEST,
            "BAD_REQUEST",
            f"The JSON body must hold exactly one of {', '.join(PAYLOAD_KEYS)} (and optionally "
            f"params); it holds {', '.join(present) or 'none of them'}.",
        )
    return from_payload(payload)


class ScoringHandler(BaseHTTPRequestHandler):
    """Answers the scoring protocol for the server's one model."""

    server: ScoringServer
    server_version = "reference-target"

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: a scoring server used in tests should not chatter on stderr."""

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_error(self, status: int, error_code: str, message: str) -> None:
        self._send(status, orjson.dumps({"error_code": error_code, "message": message}))

    def _route(self) -> str:
        return urllib.parse.urlsplit(self.path).path

    def _read_body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        return self.rfile.read(length) if length > 0 else b""

    def _wrong_place(self, route: str) -> None:
        if route in _KNOWN_PATHS:
            self._send_error(
                HTTPStatus.METHOD_NOT_ALLOWED,
                "BAD_REQUEST",
                f"{self.command} is not allowed on {route}; use "
                f"{'POST' if route == '/invocations' else 'GET'}.",
            )
        else:
            self._send_error(
                HTTPStatus.NOT_FOUND,
                "RESOURCE_DOES_NOT_EXIST",
                f"No such path {route!r}; this server answers {', '.join(_KNOWN_PATHS)}.",
            )

    def do_GET(self) -> None:
        route = self._route()
        if route in _HEALTH_PATHS:
            self._send(HTTPStatus.OK, b'{"status":"ok"}')
        elif route == "/version":
            self._send(HTTPStatus.OK, _version().encode(), "text/plain; charset=utf-8")
        else:
            self._wrong_place(route)

    def do_POST(self) -> None:
        route = self._route()
        body = self._read_body()
        if route != "/invocations":
            self._wrong_place(route)
            return
        try:
            self._send(HTTPStatus.OK, self._score(body))
        except _BadRequest as exc:
            self._send_error(exc.status, exc.error_code, exc.message)
        except api.MlflowException as exc:
            self._send_error(HTTPStatus.BAD_REQUEST, str(exc.error_code), exc.message)
        except Exception as exc:
            self._send_error(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                "INTERNAL_ERROR",
                f"Scoring failed unexpectedly: {type(exc).__name__}: {exc}",
            )

    def _score(self, body: bytes) -> bytes:
        content_type = self.headers.get_content_type()
        if content_type == "application/json":
            frame, params = _json_input(body)
        elif content_type == "text/csv":
            frame, params = frame_from_csv(body), None
        else:
            raise _BadRequest(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "BAD_REQUEST",
                f"Content type {content_type!r} is not supported; send application/json or "
                "text/csv.",
            )
        return to_jsonable_bytes({"predictions": self.server.model.predict(frame, params)})


class ScoringServer(ThreadingHTTPServer):
    """An HTTP server scoring one model; each request runs in its own thread."""

    daemon_threads = True

    def __init__(self, model: Model, host: str = LOCAL_HOST, port: int = 0) -> None:
        self.model = model
        self._thread: threading.Thread | None = None
        super().__init__((host, port), ScoringHandler)

    @property
    def url(self) -> str:
        """Where the server listens, such as ``http://127.0.0.1:5000``."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        """Serve in a background daemon thread."""
        self._thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": _STOP_POLL_SECONDS},
            name=f"scoring-server {self.url}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()


def make_server(model: Model, host: str = LOCAL_HOST, port: int = 0) -> ScoringServer:
    """A server for ``model`` bound to ``host:port`` (0 picks a free port), not yet serving."""
    try:
        return ScoringServer(model, host, port)
    except OSError as exc:
        raise api.MlflowException(
            f"Cannot listen on {host}:{port}: {exc}. Pick a free port with config "
            "{'port': ...}, or 0 for any free port.",
            api.INVALID_PARAMETER_VALUE,
        ) from exc


def serve(model: Model, host: str = LOCAL_HOST, port: int = 0) -> ScoringServer:
    """A server for ``model``, already serving in the background; ``stop()`` ends it."""
    server = make_server(model, host, port)
    server.start()
    return server


def _port(value: object) -> int:
    """A TCP port from config; the CLI passes it as a string."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise api.MlflowException(
            f"config['port'] must be a port number from 0 to 65535 (0 picks a free one); got "
            f"{value!r}.",
            api.INVALID_PARAMETER_VALUE,
        )
    return value


def run_local(
    name: str,
    model_uri: str,
    flavor: str | None = None,
    config: dict[str, Any] | None = None,
) -> None:
    """Serve ``model_uri`` on 127.0.0.1 (port ``config["port"]``, default 5000) until Ctrl+C.

    MLflow calls this as ``run_local(name, model_uri, flavor, config)``, without the target
    its documentation puts first, so that is the signature here.
    """
    name = validate_name(name)
    model_uri = validate_model_uri(model_uri)
    flavor = validate_flavor(flavor)
    settings = validate_config(config)
    port = _port(settings.get("port", DEFAULT_PORT))
    server = make_server(load_model(model_uri, flavor), LOCAL_HOST, port)
    print(
        f"Serving deployment {name!r} (model {model_uri}) at {server.url}; press Ctrl+C to stop.",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
