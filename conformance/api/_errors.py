"""``MlflowException`` and the error codes the deployments contract speaks of."""

from __future__ import annotations

import enum
from typing import Any

import orjson

from conformance.api._mlflow import mlflow_error_code_value, mlflow_exceptions

__all__ = [
    "INTERNAL_ERROR",
    "INVALID_PARAMETER_VALUE",
    "NOT_IMPLEMENTED",
    "RESOURCE_ALREADY_EXISTS",
    "RESOURCE_DOES_NOT_EXIST",
    "ErrorCode",
    "MlflowException",
]


class ErrorCode(str, enum.Enum):
    """Error-code names, spelled as MLflow spells them in ``MlflowException.error_code``."""

    INTERNAL_ERROR = "INTERNAL_ERROR"
    INVALID_PARAMETER_VALUE = "INVALID_PARAMETER_VALUE"
    RESOURCE_ALREADY_EXISTS = "RESOURCE_ALREADY_EXISTS"
    RESOURCE_DOES_NOT_EXIST = "RESOURCE_DOES_NOT_EXIST"
    NOT_IMPLEMENTED = "NOT_IMPLEMENTED"
    BAD_REQUEST = "BAD_REQUEST"

    def __str__(self) -> str:
        return self.value

    @property
    def http_status(self) -> int:
        """The HTTP status a server answers this code with, as MLflow maps it (500 otherwise)."""
        return _HTTP_STATUS[self.value]


# The HTTP status a server answers each code with, as MLflow maps them; others answer 500.
_HTTP_STATUS = {
    "INTERNAL_ERROR": 500,
    "INVALID_STATE": 500,
    "DATA_LOSS": 500,
    "NOT_IMPLEMENTED": 501,
    "TEMPORARILY_UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
    "REQUEST_LIMIT_EXCEEDED": 429,
    "CANCELLED": 499,
    "RESOURCE_EXHAUSTED": 429,
    "ABORTED": 409,
    "RESOURCE_CONFLICT": 409,
    "ALREADY_EXISTS": 409,
    "NOT_FOUND": 404,
    "ENDPOINT_NOT_FOUND": 404,
    "RESOURCE_DOES_NOT_EXIST": 404,
    "PERMISSION_DENIED": 403,
    "CUSTOMER_UNAUTHORIZED": 401,
    "UNAUTHENTICATED": 401,
    "BAD_REQUEST": 400,
    "RESOURCE_ALREADY_EXISTS": 400,
    "INVALID_PARAMETER_VALUE": 400,
}

# Every code name MLflow's protobuf defines, so the standalone exception accepts the same
# names MLflow does and, like MLflow, turns any other into INTERNAL_ERROR.
_KNOWN_CODE_NAMES = frozenset(
    [
        "ABORTED",
        "ALREADY_EXISTS",
        "BAD_REQUEST",
        "CANCELLED",
        "CATALOG_ALREADY_EXISTS",
        "CATALOG_DOES_NOT_EXIST",
        "CATALOG_NOT_EMPTY",
        "COULD_NOT_ACQUIRE_LOCK",
        "CUSTOMER_UNAUTHORIZED",
        "DAC_ALREADY_EXISTS",
        "DAC_DOES_NOT_EXIST",
        "DATA_LOSS",
        "DEADLINE_EXCEEDED",
        "DEPLOYMENT_TIMEOUT",
        "DIRECTORY_NOT_EMPTY",
        "DIRECTORY_PROTECTED",
        "DRY_RUN_FAILED",
        "ENDPOINT_NOT_FOUND",
        "EXTERNAL_LOCATION_ALREADY_EXISTS",
        "EXTERNAL_LOCATION_DOES_NOT_EXIST",
        "FEATURE_DISABLED",
        "GIT_CONFLICT",
        "GIT_REMOTE_ERROR",
        "GIT_SENSITIVE_TOKEN_DETECTED",
        "GIT_UNKNOWN_REF",
        "GIT_URL_NOT_ON_ALLOW_LIST",
        "INSECURE_PARTNER_RESPONSE",
        "INTERNAL_ERROR",
        "INVALID_PARAMETER_VALUE",
        "INVALID_STATE",
        "INVALID_STATE_TRANSITION",
        "IO_ERROR",
        "IPYNB_FILE_IN_REPO",
        "MALFORMED_PARTNER_RESPONSE",
        "MALFORMED_REQUEST",
        "MANAGED_RESOURCE_GROUP_DOES_NOT_EXIST",
        "MAX_BLOCK_SIZE_EXCEEDED",
        "MAX_CHILD_NODE_SIZE_EXCEEDED",
        "MAX_LIST_SIZE_EXCEEDED",
        "MAX_NOTEBOOK_SIZE_EXCEEDED",
        "MAX_READ_SIZE_EXCEEDED",
        "METASTORE_ALREADY_EXISTS",
        "METASTORE_DOES_NOT_EXIST",
        "METASTORE_NOT_EMPTY",
        "NOT_FOUND",
        "NOT_IMPLEMENTED",
        "PARTIAL_DELETE",
        "PERMISSION_DENIED",
        "PERMISSION_NOT_PROPAGATED",
        "PRINCIPAL_DOES_NOT_EXIST",
        "PROJECTS_OPERATION_TIMEOUT",
        "PROVIDER_ALREADY_EXISTS",
        "PROVIDER_DOES_NOT_EXIST",
        "PROVIDER_SHARE_NOT_ACCESSIBLE",
        "QUOTA_EXCEEDED",
        "RECIPIENT_ALREADY_EXISTS",
        "RECIPIENT_DOES_NOT_EXIST",
        "REQUEST_LIMIT_EXCEEDED",
        "RESOURCE_ALREADY_EXISTS",
        "RESOURCE_CONFLICT",
        "RESOURCE_DOES_NOT_EXIST",
        "RESOURCE_EXHAUSTED",
        "RESOURCE_LIMIT_EXCEEDED",
        "SCHEMA_ALREADY_EXISTS",
        "SCHEMA_DOES_NOT_EXIST",
        "SCHEMA_NOT_EMPTY",
        "SEARCH_QUERY_TOO_LONG",
        "SEARCH_QUERY_TOO_SHORT",
        "SERVICE_UNDER_MAINTENANCE",
        "SHARE_ALREADY_EXISTS",
        "SHARE_DOES_NOT_EXIST",
        "STORAGE_CREDENTIAL_ALREADY_EXISTS",
        "STORAGE_CREDENTIAL_DOES_NOT_EXIST",
        "TABLE_ALREADY_EXISTS",
        "TABLE_DOES_NOT_EXIST",
        "TEMPORARILY_UNAVAILABLE",
        "UNAUTHENTICATED",
        "UNPARSEABLE_HTTP_ERROR",
        "WORKSPACE_TEMPORARILY_UNAVAILABLE",
    ]
)

INTERNAL_ERROR = ErrorCode.INTERNAL_ERROR
INVALID_PARAMETER_VALUE = ErrorCode.INVALID_PARAMETER_VALUE
RESOURCE_ALREADY_EXISTS = ErrorCode.RESOURCE_ALREADY_EXISTS
RESOURCE_DOES_NOT_EXIST = ErrorCode.RESOURCE_DOES_NOT_EXIST
NOT_IMPLEMENTED = ErrorCode.NOT_IMPLEMENTED


def _code_name(error_code: Any) -> str:
    """Accept a name, an :class:`ErrorCode` or (with MLflow) a protobuf number; return the name."""
    if isinstance(error_code, ErrorCode):
        return error_code.value
    if isinstance(error_code, str):
        return error_code if error_code in _KNOWN_CODE_NAMES else ErrorCode.INTERNAL_ERROR.value
    if isinstance(error_code, int) and mlflow_exceptions() is not None:
        from mlflow.protos.databricks_pb2 import ErrorCode as ProtoErrorCode

        try:
            return str(ProtoErrorCode.Name(error_code))
        except ValueError:
            pass
    return ErrorCode.INTERNAL_ERROR.value


_mlflow_exceptions = mlflow_exceptions()

if _mlflow_exceptions is None:

    class MlflowException(Exception):
        """The error every deployment call raises when it cannot do what was asked.

        ``error_code`` holds the code's name (``"RESOURCE_DOES_NOT_EXIST"``), as MLflow's does.
        """

        def __init__(
            self, message: object, error_code: Any = ErrorCode.INTERNAL_ERROR, **kwargs: Any
        ) -> None:
            self.message = str(message)
            self.error_code = _code_name(error_code)
            self.json_kwargs = kwargs
            super().__init__(self.message)

        def serialize_as_json(self) -> str:
            """The error as ``{"error_code": …, "message": …}`` plus any extra keyword fields."""
            body = {"error_code": self.error_code, "message": self.message, **self.json_kwargs}
            return orjson.dumps(body, default=str).decode()

        def get_http_status_code(self) -> int:
            """The HTTP status a server would answer this error with."""
            return _HTTP_STATUS.get(self.error_code, 500)

        @classmethod
        def invalid_parameter_value(cls, message: object, **kwargs: Any) -> MlflowException:
            """An INVALID_PARAMETER_VALUE error, as MLflow's own helper of that name builds it."""
            return cls(message, ErrorCode.INVALID_PARAMETER_VALUE, **kwargs)

else:
    _MlflowBase: type[Exception] = _mlflow_exceptions.MlflowException

    # A base chosen at run time: mypy cannot follow it, the tests in both worlds do.
    class MlflowException(_MlflowBase):  # type: ignore[no-redef,valid-type,misc]
        """The error every deployment call raises; with MLflow installed it *is* MLflow's.

        Code that catches ``mlflow.exceptions.MlflowException`` catches this too, and
        ``error_code`` holds the code's name exactly as MLflow's exception does.
        """

        def __init__(
            self, message: object, error_code: Any = ErrorCode.INTERNAL_ERROR, **kwargs: Any
        ) -> None:
            try:
                proto_code = mlflow_error_code_value(_code_name(error_code))
            except ValueError:  # a name MLflow's protobuf does not know
                proto_code = mlflow_error_code_value(ErrorCode.INTERNAL_ERROR.value)
            super().__init__(message, proto_code, **kwargs)
