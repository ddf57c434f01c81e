"""Breaks names.hostile (SHOULD): each deployment's record is written to '<name>.json' under the
plugin's folder, with the name used unchecked: '../x' lands outside the folder, and a
300-character name fails with OSError instead of MlflowException.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "names.hostile"
ALSO_FAILS: set[str] = set()

# Relative to the working directory of the run, which is a temporary folder in the kit's tests.
FOLDER = Path("plugin-store", "deployments").resolve()


class Client(good.Client):
    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        path = FOLDER / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"model_uri": model_uri}))
        return super().create_deployment(name, model_uri, flavor, config, endpoint)

    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        (FOLDER / f"{name}.json").unlink(missing_ok=True)
        super().delete_deployment(name, config, endpoint)
