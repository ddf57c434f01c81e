"""A plugin whose create returns only the name: it breaks a SHOULD clause and nothing else."""

from typing import Any

from plugins_for_kit import _recording as rec


class NoFlavorClient(rec.EndpointMethods, rec.OptionalMethods, rec.RecordingCore):
    """create_deployment returns {'name': name}, which `mlflow deployments create` trips on."""

    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        created = super().create_deployment(name, model_uri, flavor, config, endpoint)
        return {"name": created["name"]}


run_local = rec.run_local
target_help = rec.target_help
