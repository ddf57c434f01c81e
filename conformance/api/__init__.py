"""The deployments API: standalone, and the very same classes as MLflow's when it is installed."""

from conformance.api._client import BaseDeploymentClient, UnsupportedOperation
from conformance.api._errors import (
    INTERNAL_ERROR,
    INVALID_PARAMETER_VALUE,
    NOT_IMPLEMENTED,
    RESOURCE_ALREADY_EXISTS,
    RESOURCE_DOES_NOT_EXIST,
    ErrorCode,
    MlflowException,
)
from conformance.api._predictions import PredictionsResponse
from conformance.api._targets import (
    ENTRY_POINT_GROUP,
    get_deploy_client,
    inspect_plugin_module,
    load_target_module,
    parse_target_uri,
    register_target,
    run_local,
    target_help,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "INTERNAL_ERROR",
    "INVALID_PARAMETER_VALUE",
    "NOT_IMPLEMENTED",
    "RESOURCE_ALREADY_EXISTS",
    "RESOURCE_DOES_NOT_EXIST",
    "BaseDeploymentClient",
    "ErrorCode",
    "MlflowException",
    "PredictionsResponse",
    "UnsupportedOperation",
    "get_deploy_client",
    "inspect_plugin_module",
    "load_target_module",
    "parse_target_uri",
    "register_target",
    "run_local",
    "target_help",
]
