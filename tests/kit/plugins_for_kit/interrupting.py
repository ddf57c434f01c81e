"""A plugin whose first predict raises KeyboardInterrupt, as Ctrl-C in the middle of a run."""

from typing import Any

from plugins_for_kit import _recording as rec

_interrupted = False


class InterruptingClient(rec.EndpointMethods, rec.OptionalMethods, rec.RecordingCore):
    """The first predict call interrupts the run; the kit must still clean up."""

    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Any:
        global _interrupted
        if not _interrupted:
            _interrupted = True
            rec.record("predict", name=deployment_name, ok=False, error="KeyboardInterrupt")
            raise KeyboardInterrupt
        return super().predict(deployment_name, inputs, endpoint)


run_local = rec.run_local
target_help = rec.target_help
