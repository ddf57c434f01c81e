"""A plugin whose predict always raises, so many checks fail while deployments exist."""

from typing import Any

from plugins_for_kit import _recording as rec


class FailingPredictClient(rec.EndpointMethods, rec.OptionalMethods, rec.RecordingCore):
    """Creates and deletes work; predict raises RuntimeError."""

    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Any:
        rec.record("predict", name=deployment_name, ok=False, error="RuntimeError")
        raise RuntimeError("this plugin cannot score")


run_local = rec.run_local
target_help = rec.target_help
