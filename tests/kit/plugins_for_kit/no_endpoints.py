"""A plugin that leaves every endpoint method to the base class."""

from plugins_for_kit import _recording as rec


class NoEndpointsClient(rec.OptionalMethods, rec.RecordingCore):
    """Deployments, explain and streaming; no endpoints."""


run_local = rec.run_local
target_help = rec.target_help
