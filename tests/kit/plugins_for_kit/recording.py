"""A fully capable plugin that logs every create, update, delete and predict."""

from plugins_for_kit import _recording as rec


class RecordingClient(rec.EndpointMethods, rec.OptionalMethods, rec.RecordingCore):
    """Everything the memory target does, logged."""


run_local = rec.run_local
target_help = rec.target_help
