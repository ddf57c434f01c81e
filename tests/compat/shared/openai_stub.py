"""A minimal OpenAI-compatible chat server on 127.0.0.1, standing in for Crusoe's hosted API.

It answers ``POST /v1/chat/completions`` with a completion whose text names the requested
model, so two model ids predict differently, and counts the requests it served.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["OpenAIStub"]


def completion(model: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The reply the stub gives: deterministic, and different for each model."""
    prompt = str(messages[-1].get("content", "")) if messages else ""
    text = f"{model} answers: {prompt[::-1]}"
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": len(prompt), "completion_tokens": len(text), "total_tokens": 0},
    }


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._reply(400, {"error": {"message": "body is not JSON"}})
            return
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._reply(404, {"error": {"message": f"no route {self.path}"}})
            return
        with self.server.lock:
            self.server.requests += 1
        self._reply(200, completion(str(body.get("model")), list(body.get("messages") or [])))

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the kit's output is what the run is about."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    lock = threading.Lock()
    requests = 0


class OpenAIStub:
    """The stub server, serving on a free loopback port from a daemon thread."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def requests(self) -> int:
        return self._server.requests

    def start(self) -> OpenAIStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


if __name__ == "__main__":  # pragma: no cover - for trying the stub by hand
    stub = OpenAIStub().start()
    print(stub.base_url, flush=True)
    while True:
        time.sleep(3600)
