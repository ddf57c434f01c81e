"""The environment of the kit's run against MLflow's gateway client, loaded with
``-p compat_setup``.

It starts the OpenAI-compatible stub in this process, then ``mlflow gateway start`` on a free
127.0.0.1 port with one chat endpoint whose provider is "openai" pointed at the stub, and
points the kit at ``http://127.0.0.1:<port>`` (MLflow's ``MlflowDeploymentClient``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from openai_stub import OpenAIStub
from process_group import end_group, start_group

ENDPOINT = "chat"
_CONFIG = """\
endpoints:
  - name: {endpoint}
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: stub/alpha-model
      config:
        openai_api_key: dummy-key-for-the-local-stub
        openai_api_base: {base_url}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Environment:
    """The stub, the gateway server process and its config folder."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="gateway-compat-"))
        self.stub = OpenAIStub().start()
        config = self.folder / "gateway.yaml"
        config.write_text(_CONFIG.format(endpoint=ENDPOINT, base_url=self.stub.base_url))
        self.port = _free_port()
        self.log = (self.folder / "gateway.log").open("w")
        mlflow = Path(sys.executable).with_name("mlflow")
        command = [str(mlflow), "gateway", "start", "--config-path", str(config)]
        # Its own process group: the gateway starts workers, and close() ends them all.
        self.server = start_group(
            [*command, "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1"],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ},
        )
        self._wait_until_healthy()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_until_healthy(self, seconds: float = 120.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        self.close()
        log = (self.folder / "gateway.log").read_text()[-2000:]
        raise RuntimeError(f"the MLflow gateway did not become healthy on {self.url}:\n{log}")

    def close(self) -> None:
        end_group(self.server)
        self.log.close()
        self.stub.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


_ENVIRONMENT: _Environment | None = None


def environment() -> _Environment:
    """Built on first use: the kit asks for its profile before pytest_configure runs here."""
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = _Environment()
    return _ENVIRONMENT


def pytest_configure(config: Any) -> None:
    environment()


def pytest_conformance_profile(config: Any) -> dict[str, Any]:
    return {"target": environment().url}


def pytest_conformance_sample_input(config: Any, target_uri: str) -> Any:
    return {"messages": [{"role": "user", "content": "Name three prime numbers."}]}


def pytest_unconfigure(config: Any) -> None:
    if _ENVIRONMENT is not None:
        _ENVIRONMENT.close()
