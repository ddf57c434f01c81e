"""``run_local``: serve one model over HTTP with the MLflow scoring protocol.

- ``GET /ping`` and ``GET /health`` answer 200; ``GET /version`` answers the package version.
- ``POST /invocations`` takes ``application/json`` (an object with exactly one of
  ``dataframe_split``, ``dataframe_records``, ``instances``, ``inputs``, and optionally
  ``params``) or ``text/csv`` (a header row, then rows), and answers ``{"predictions": ...}``.
- A malformed body answers 400 ``{"error_code": "BAD_REQUEST", "message": ...}``; a model error
  answers 400 with the model's error code; another content type 415; another path 404.

The server binds 127.0.0.1 only. :func:`serve` runs it in a background thread, which is how the
tests use it; :func:`run_local` runs it in the foreground until Ctrl+C.

Its limits (:class:`ServerLimits`, set through ``run_local``'s config) keep one client from
knocking it over. One thread accepts connections and reads every request's head at once; only a
whole request reaches one of the fixed pool of ``workers`` threads, so slow or silent clients
hold no worker. A head must arrive within ``read_timeout`` seconds and within
:data:`MAX_HEAD_BYTES` (408, 431), and so must the body (408); a body needs one
``Content-Length`` no larger than ``max_body_bytes``, checked before anything of it is read
(411, 413; chunked bodies are refused with 411), and the bodies scored at once total at most
``max_body_bytes`` too. At most :data:`QUEUED_CONNECTIONS` connections wait (503 beyond), and
the kernel holds :data:`LISTEN_BACKLOG` more. JSON nested deeper than :data:`MAX_JSON_DEPTH`
levels is refused with 400, and so are predictions too deep to write. A client's mistake is
always a 4xx with a JSON message, never a 500 or a dropped connection.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import io
import json
import math
import queue
import selectors
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import orjson

import conformance.api as api
from conformance.api._predictions import to_jsonable_bytes
from reference_target.inputs import PAYLOAD_KEYS, ModelInput, frame_from_csv, from_payload
from reference_target.models import Model, load_model
from reference_target.names import (
    validate_config,
    validate_flavor,
    validate_model_uri,
    validate_name,
)

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_PORT",
    "DEFAULT_READ_TIMEOUT_SECONDS",
    "DEFAULT_WORKERS",
    "LISTEN_BACKLOG",
    "LOCAL_HOST",
    "MAX_HEAD_BYTES",
    "MAX_JSON_DEPTH",
    "QUEUED_CONNECTIONS",
    "ScoringServer",
    "ServerLimits",
    "make_server",
    "run_local",
    "serve",
]

LOCAL_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
DISTRIBUTION = "mlflow-deployments-conformance"
_HEALTH_PATHS = ("/ping", "/health")
_KNOWN_PATHS = (*_HEALTH_PATHS, "/version", "/invocations")
# How often a background server looks for stop(); the default half second makes stop() slow.
_STOP_POLL_SECONDS = 0.05

DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
DEFAULT_WORKERS = 32
DEFAULT_READ_TIMEOUT_SECONDS = 30.0
# Connections accepted but not yet served (their heads still arriving, or waiting for a worker);
# past this, the next ones are answered 503 at once.
QUEUED_CONNECTIONS = 1024
# A request line and headers longer than this are answered 431.
MAX_HEAD_BYTES = 64 * 1024
_HEAD_CHUNK = 16 * 1024
# How often the accepting thread looks for heads past their deadline.
_EXPIRY_SECONDS = 0.1
# Connections the kernel holds before the server accepts them (capped by net.core.somaxconn).
LISTEN_BACKLOG = 1024
# orjson reads JSON nested up to this deep; deeper bodies are refused rather than recursed into.
MAX_JSON_DEPTH = 1024
# After refusing a body it did not read, the server reads and drops what the client is still
# sending, for this long at most: a client busy writing its body then sees the answer, not a
# reset connection.
_DISCARD_SECONDS = 2.0
_DISCARD_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ServerLimits:
    """How much one scoring server takes on; ``run_local`` reads each from its config."""

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    workers: int = DEFAULT_WORKERS
    read_timeout: float = DEFAULT_READ_TIMEOUT_SECONDS


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


def _bad_request(message: str) -> _BadRequest:
    return _BadRequest(HTTPStatus.BAD_REQUEST, "BAD_REQUEST", message)


def _too_deep() -> _BadRequest:
    return _bad_request(
        f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep; send flatter JSON."
    )


def _parse_json(body: bytes | bytearray) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if "depth limit" in str(exc):
            raise _too_deep() from None
    try:
        # Python's own json writes NaN and Infinity tokens; accept what it writes.
        return json.loads(body)
    except RecursionError:
        raise _too_deep() from None
    except ValueError as exc:
        raise _bad_request(f"The body is not valid JSON: {exc}") from exc


def _json_input(body: bytes | bytearray) -> ModelInput:
    payload = _parse_json(body)
    if not isinstance(payload, dict):
        raise _bad_request(
            f"The JSON body must be an object with exactly one of {', '.join(PAYLOAD_KEYS)}."
        )
    present = [key for key in PAYLOAD_KEYS if key in payload]
    if len(present) != 1:
        raise _bad_request(
            f"The JSON body must hold exactly one of {', '.join(PAYLOAD_KEYS)} (and optionally "
            f"params); it holds {', '.join(present) or 'none of them'}."
        )
    return from_payload(payload)


class ScoringHandler(BaseHTTPRequestHandler):
    """Answers the scoring protocol for the server's one model."""

    server: ScoringServer
    server_version = "reference-target"
    # Answer even a request line too broken to name its version with a status line and headers.
    default_request_version = "HTTP/1.0"

    def setup(self) -> None:
        # StreamRequestHandler applies self.timeout to the socket: every write waits at most
        # that long, and so does every read (the body's reads share one deadline, below).
        self.timeout = self.server.limits.read_timeout  # type: ignore[misc] # per connection
        self.unread_body = False
        super().setup()
        # The server read the request's head (and maybe some of its body) before handing the
        # connection over: those bytes come first.
        self.rfile.close()
        self.rfile = io.BufferedReader(
            _Prefixed(self.server.take_head(self.connection), self.connection.makefile("rb", 0))
        )

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer the refusals the base class makes itself (a malformed request line, an
        unknown method) in the same JSON as every other error."""
        self.close_connection = True
        self._send_error(code, "BAD_REQUEST", message or HTTPStatus(code).description)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: a scoring server used in tests should not chatter on stderr."""

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.unread_body:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _send_error(self, status: int, error_code: str, message: str) -> None:
        self._send(status, orjson.dumps({"error_code": error_code, "message": message}))

    def _route(self) -> str:
        return urllib.parse.urlsplit(self.path).path

    def _content_length(self) -> int:
        """The body's declared length, refused (before any of it is read) when unusable."""
        limit = self.server.limits.max_body_bytes
        if "Transfer-Encoding" in self.headers:
            raise _BadRequest(
                HTTPStatus.LENGTH_REQUIRED,
                "BAD_REQUEST",
                f"Transfer-Encoding {self.headers['Transfer-Encoding']!r} is not accepted: send "
                f"the body whole, with a Content-Length header (at most {limit} bytes).",
            )
        declared = self.headers.get_all("Content-Length") or []
        if not declared:
            raise _BadRequest(
                HTTPStatus.LENGTH_REQUIRED,
                "BAD_REQUEST",
                f"A POST needs a Content-Length header (at most {limit} bytes).",
            )
        if len(declared) > 1:
            raise _bad_request(
                f"The request has {len(declared)} Content-Length headers ({', '.join(declared)}); "
                "send exactly one."
            )
        text = declared[0].strip()
        if not text.isdigit() or not text.isascii():
            raise _bad_request(f"Content-Length must be a number of bytes; got {declared[0]!r}.")
        length = int(text)
        if length > limit:
            raise _BadRequest(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                "BAD_REQUEST",
                f"The body has {length} bytes; this server takes at most {limit}. Send fewer "
                "rows per request, or start run_local with a larger config max_body_bytes.",
            )
        return length

    def _read_body(self, length: int) -> bytearray:
        """The body, read whole within ``read_timeout`` however slowly it trickles in."""
        timeout = self.server.limits.read_timeout
        deadline = time.monotonic() + timeout
        body = bytearray(length)
        view = memoryview(body)
        received = 0
        try:
            while received < length:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                self.connection.settimeout(left)
                count = self.rfile.readinto1(view[received:])
                if not count:
                    break
                received += count
        except TimeoutError:
            raise _BadRequest(
                HTTPStatus.REQUEST_TIMEOUT,
                "BAD_REQUEST",
                f"The body did not arrive within {timeout:g} s ({received} of {length} bytes "
                "came). Send the whole body at once.",
            ) from None
        finally:
            view.release()
        if received != length:
            raise _bad_request(
                f"The body ended after {received} of the {length} bytes its Content-Length "
                "declares; send the whole body."
            )
        return body

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
        # Until the body is read whole, closing would reset the connection under the answer.
        self.unread_body = True
        try:
            length = self._content_length()
            with self.server.body_budget.share(length):
                answer = self._score(length)
            if answer is not None:
                self._send(HTTPStatus.OK, answer)
        except _BadRequest as exc:
            self._send_error(exc.status, exc.error_code, exc.message)
        except api.MlflowException as exc:
            self._send_error(HTTPStatus.BAD_REQUEST, str(exc.error_code), exc.message)
        except MemoryError:
            self._send_error(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "TEMPORARILY_UNAVAILABLE",
                "The server ran out of memory scoring this request; send fewer rows at once.",
            )
        except Exception as exc:
            self._send_error(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                "INTERNAL_ERROR",
                f"Scoring failed unexpectedly: {type(exc).__name__}: {exc}",
            )

    def _score(self, length: int) -> bytes | None:
        """The predictions for the body as JSON, or None when another answer went out."""
        body = self._read_body(length)
        self.unread_body = False
        route = self._route()
        if route != "/invocations":
            self._wrong_place(route)
            return None
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
        del body  # the frame holds the data now: this is the only reference to the raw bytes
        return to_jsonable_bytes({"predictions": self.server.model.predict(frame, params)})

    def finish(self) -> None:
        super().finish()
        if self.unread_body:
            _discard_input(self.connection)


def _discard_input(connection: socket.socket) -> None:
    """Read and drop what the client still sends, briefly, so the answer is not lost."""
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + _DISCARD_SECONDS
        sink = bytearray(_DISCARD_CHUNK)
        while (left := deadline - time.monotonic()) > 0:
            connection.settimeout(left)
            if not connection.recv_into(sink):
                return


class _Prefixed(io.RawIOBase):
    """A connection's input: the bytes the server already read, then the socket's."""

    def __init__(self, prefix: bytes, rest: Any) -> None:
        self._prefix = memoryview(prefix)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            count = min(len(buffer), len(self._prefix))
            buffer[:count] = self._prefix[:count]
            self._prefix = self._prefix[count:]
            return count
        return int(self._rest.readinto(buffer) or 0)

    def close(self) -> None:
        self._rest.close()
        super().close()


@dataclass
class _Arriving:
    """A connection whose request head is still coming in."""

    address: Any
    deadline: float
    head: bytearray = field(default_factory=bytearray)


def _answer_and_close(connection: socket.socket, answer: bytes) -> None:
    """Send a short answer without waiting, then close: for connections no worker serves."""
    with contextlib.suppress(OSError):
        connection.setblocking(False)
        connection.send(answer)
        connection.shutdown(socket.SHUT_WR)
    connection.close()


def _plain_answer(status: HTTPStatus, error_code: str, message: str) -> bytes:
    body = orjson.dumps({"error_code": error_code, "message": message})
    retry = b"Retry-After: 1\r\n" if status == HTTPStatus.SERVICE_UNAVAILABLE else b""
    return (
        f"HTTP/1.0 {status.value} {status.phrase}\r\nContent-Type: application/json\r\n"
        f"Connection: close\r\nContent-Length: {len(body)}\r\n".encode()
        + retry
        + b"\r\n"
        + body
    )


_BUSY = _plain_answer(
    HTTPStatus.SERVICE_UNAVAILABLE,
    "TEMPORARILY_UNAVAILABLE",
    "The server has too many connections waiting; retry in a moment.",
)
_HEAD_TOO_LARGE = _plain_answer(
    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
    "BAD_REQUEST",
    f"The request line and headers take more than {MAX_HEAD_BYTES} bytes; send fewer headers.",
)


class _BodyBudget:
    """The bytes of the bodies being read and scored at once, kept under a total.

    Scoring a JSON body takes many times its size in Python objects, so bodies that together
    pass the total wait their turn (at most ``timeout`` seconds, then 503) rather than share
    the memory.
    """

    def __init__(self, total: int, timeout: float) -> None:
        self.total = total
        self.timeout = timeout
        self._used = 0
        self._freed = threading.Condition()

    @contextlib.contextmanager
    def share(self, size: int) -> Iterator[None]:
        with self._freed:
            if not self._freed.wait_for(lambda: self._used + size <= self.total, self.timeout):
                raise _BadRequest(
                    HTTPStatus.SERVICE_UNAVAILABLE,
                    "TEMPORARILY_UNAVAILABLE",
                    f"The server is busy scoring {self._used} bytes of other bodies (it scores "
                    f"at most {self.total} at once); retry in a moment.",
                )
            self._used += size
        try:
            yield
        finally:
            with self._freed:
                self._used -= size
                self._freed.notify_all()


class ScoringServer(HTTPServer):
    """An HTTP server scoring one model with a fixed pool of worker threads.

    One thread accepts connections and reads each request's head (request line and headers)
    for all of them at once, without blocking on any; only a connection whose head has
    arrived goes to a worker, through a bounded queue. So clients that send slowly or not at
    all hold no worker: past ``read_timeout`` they get 408, and beyond
    :data:`QUEUED_CONNECTIONS` waiting connections new ones get 503 at once. Threads and
    memory stay bounded whatever the number of clients.
    """

    request_queue_size = LISTEN_BACKLOG

    def __init__(
        self,
        model: Model,
        host: str = LOCAL_HOST,
        port: int = 0,
        limits: ServerLimits | None = None,
    ) -> None:
        self.model = model
        self.limits = limits or ServerLimits()
        self.body_budget = _BodyBudget(self.limits.max_body_bytes, self.limits.read_timeout)
        self._thread: threading.Thread | None = None
        self._ready: queue.Queue[tuple[socket.socket, Any] | None] = queue.Queue(QUEUED_CONNECTIONS)
        self._heads: dict[socket.socket, bytes] = {}
        self._arriving: dict[socket.socket, _Arriving] = {}
        self._workers: list[threading.Thread] = []
        self._stop_asked = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()
        super().__init__((host, port), ScoringHandler)

    @property
    def url(self) -> str:
        """Where the server listens, such as ``http://127.0.0.1:5000``."""
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}"

    # -- the thread that accepts connections and reads their heads ------------------------------

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Accept connections and hand complete requests to the workers until ``shutdown()``."""
        self._start_workers()
        # A shutdown() that came before this thread got here stops it at once.
        self._stopped.clear()
        # Deadlines are checked between events, so the wait for events is kept short.
        wait = min(poll_interval, _EXPIRY_SECONDS)
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self.socket, selectors.EVENT_READ)
                next_expiry = time.monotonic() + _EXPIRY_SECONDS
                while not self._stop_asked.is_set():
                    for key, _ in selector.select(wait):
                        if key.fileobj is self.socket:
                            self._accept(selector)
                        else:
                            self._read_head(selector, key.fileobj)  # type: ignore[arg-type]
                    if time.monotonic() >= next_expiry:
                        self._expire(selector)
                        next_expiry = time.monotonic() + _EXPIRY_SECONDS
        finally:
            for connection in list(self._arriving):
                self._arriving.pop(connection)
                connection.close()
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop ``serve_forever`` and wait until it has returned."""
        self._stop_asked.set()
        self._stopped.wait()

    def _accept(self, selector: selectors.BaseSelector) -> None:
        try:
            connection, address = self.socket.accept()
        except OSError:  # gone already, or out of file descriptors: the backlog keeps it
            return
        if len(self._arriving) + self._ready.qsize() >= QUEUED_CONNECTIONS:
            _answer_and_close(connection, _BUSY)
            return
        connection.setblocking(False)
        deadline = time.monotonic() + self.limits.read_timeout
        self._arriving[connection] = _Arriving(address, deadline)
        selector.register(connection, selectors.EVENT_READ)

    def _read_head(self, selector: selectors.BaseSelector, connection: socket.socket) -> None:
        arriving = self._arriving[connection]
        try:
            chunk = connection.recv(_HEAD_CHUNK)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        searched = max(0, len(arriving.head) - 3)
        arriving.head += chunk
        ends = [
            found
            for found in (
                arriving.head.find(b"\r\n\r\n", searched),
                arriving.head.find(b"\n\n", searched),
            )
            if found >= 0
        ]
        complete = bool(ends) and min(ends) <= MAX_HEAD_BYTES
        if chunk and not ends and len(arriving.head) <= MAX_HEAD_BYTES:
            return
        selector.unregister(connection)
        del self._arriving[connection]
        if not chunk and not ends:  # the client left before its request was whole
            connection.close()
        elif not complete:
            _answer_and_close(connection, _HEAD_TOO_LARGE)
        else:
            self._hand_over(connection, arriving)

    def _hand_over(self, connection: socket.socket, arriving: _Arriving) -> None:
        connection.setblocking(True)
        self._heads[connection] = bytes(arriving.head)
        try:
            self._ready.put_nowait((connection, arriving.address))
        except queue.Full:
            del self._heads[connection]
            _answer_and_close(connection, _BUSY)

    def _expire(self, selector: selectors.BaseSelector) -> None:
        now = time.monotonic()
        late = [c for c, arriving in self._arriving.items() if arriving.deadline <= now]
        for connection in late:
            selector.unregister(connection)
            del self._arriving[connection]
            _answer_and_close(
                connection,
                _plain_answer(
                    HTTPStatus.REQUEST_TIMEOUT,
                    "BAD_REQUEST",
                    f"The request line and headers did not arrive within "
                    f"{self.limits.read_timeout:g} s; send the request at once.",
                ),
            )

    # -- the workers ----------------------------------------------------------------------------

    def _start_workers(self) -> None:
        while len(self._workers) < self.limits.workers:
            worker = threading.Thread(
                target=self._work, name=f"scoring-worker {self.url}", daemon=True
            )
            worker.start()
            self._workers.append(worker)

    def _work(self) -> None:
        while (item := self._ready.get()) is not None:
            connection, address = item
            try:
                self.finish_request(connection, address)
            except Exception:
                self.handle_error(connection, address)
            finally:
                self._heads.pop(connection, None)
                self.shutdown_request(connection)

    def take_head(self, connection: socket.socket) -> bytes:
        """The bytes of ``connection``'s request read before a worker took it."""
        return self._heads.pop(connection, b"")

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection that failed mid-way (the client went away) concerns no one else."""

    # -- starting and stopping ------------------------------------------------------------------

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

    def server_close(self) -> None:
        """Close the port, drop the connections waiting for a worker, let the workers end."""
        super().server_close()
        with contextlib.suppress(queue.Empty):
            while True:
                item = self._ready.get_nowait()
                if item is not None:
                    self.shutdown_request(item[0])
        self._heads.clear()
        for _ in self._workers:
            self._ready.put(None)
        self._workers = []


def make_server(
    model: Model, host: str = LOCAL_HOST, port: int = 0, limits: ServerLimits | None = None
) -> ScoringServer:
    """A server for ``model`` bound to ``host:port`` (0 picks a free port), not yet serving."""
    try:
        return ScoringServer(model, host, port, limits)
    except OSError as exc:
        raise api.MlflowException(
            f"Cannot listen on {host}:{port}: {exc}. Pick a free port with config "
            "{'port': ...}, or 0 for any free port.",
            api.INVALID_PARAMETER_VALUE,
        ) from exc


def serve(
    model: Model, host: str = LOCAL_HOST, port: int = 0, limits: ServerLimits | None = None
) -> ScoringServer:
    """A server for ``model``, already serving in the background; ``stop()`` ends it."""
    server = make_server(model, host, port, limits)
    server.start()
    return server


def _config_number(
    settings: dict[str, Any], key: str, default: float, *, least: float, integer: bool
) -> Any:
    """``settings[key]`` as a number of at least ``least``; the CLI passes strings."""
    value = settings.get(key, default)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = int(value) if integer else float(value)
    wrong_type = isinstance(value, bool) or not isinstance(value, int if integer else (int, float))
    if wrong_type or not math.isfinite(value) or value < least:
        raise api.MlflowException(
            f"config[{key!r}] must be {'an integer' if integer else 'a number'} of at least "
            f"{least:g}; got {value!r}. Leave it out for the default, {default:g}.",
            api.INVALID_PARAMETER_VALUE,
        )
    return value


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


def server_limits(settings: dict[str, Any]) -> ServerLimits:
    """The limits ``run_local``'s config sets; a bad value raises INVALID_PARAMETER_VALUE."""
    return ServerLimits(
        max_body_bytes=_config_number(
            settings, "max_body_bytes", DEFAULT_MAX_BODY_BYTES, least=1, integer=True
        ),
        workers=_config_number(settings, "workers", DEFAULT_WORKERS, least=1, integer=True),
        read_timeout=float(
            _config_number(
                settings, "read_timeout", DEFAULT_READ_TIMEOUT_SECONDS, least=0.001, integer=False
            )
        ),
    )


def run_local(
    name: str,
    model_uri: str,
    flavor: str | None = None,
    config: dict[str, Any] | None = None,
) -> None:
    """Serve ``model_uri`` on 127.0.0.1 (port ``config["port"]``, default 5000) until Ctrl+C.

    ``config`` may also set ``max_body_bytes``, ``workers`` and ``read_timeout`` (seconds);
    see :class:`ServerLimits`. MLflow calls this as ``run_local(name, model_uri, flavor,
    config)``, without the target its documentation puts first, so that is the signature here.
    """
    name = validate_name(name)
    model_uri = validate_model_uri(model_uri)
    flavor = validate_flavor(flavor)
    settings = validate_config(config)
    port = _port(settings.get("port", DEFAULT_PORT))
    limits = server_limits(settings)
    server = make_server(load_model(model_uri, flavor), LOCAL_HOST, port, limits)
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
