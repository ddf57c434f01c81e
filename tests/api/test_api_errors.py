"""``MlflowException``: error-code names, JSON form and HTTP status, standalone and with MLflow."""

from __future__ import annotations

import copy
import json
import pickle
import subprocess
import sys
from types import ModuleType
from typing import Any

import pytest

import conformance.api as api

EXPECTED_STATUS = {
    "INTERNAL_ERROR": 500,
    "INVALID_PARAMETER_VALUE": 400,
    "RESOURCE_ALREADY_EXISTS": 400,
    "RESOURCE_DOES_NOT_EXIST": 404,
    "NOT_IMPLEMENTED": 501,
    "BAD_REQUEST": 400,
}


def test_default_code_is_internal_error() -> None:
    error = api.MlflowException("it broke")
    assert error.message == "it broke"
    assert error.error_code == "INTERNAL_ERROR"
    assert str(error) == "it broke"


def test_every_error_code_member_is_covered() -> None:
    # The table above must grow with the enum, or the tests below silently miss a code.
    assert {member.value for member in api.ErrorCode} == set(EXPECTED_STATUS)


@pytest.mark.parametrize("name", sorted(EXPECTED_STATUS))
def test_code_given_by_name(name: str) -> None:
    error = api.MlflowException("message", name)
    assert error.error_code == name
    assert type(error.error_code) is str


@pytest.mark.parametrize("member", list(api.ErrorCode), ids=str)
def test_code_given_as_member_is_stored_as_its_plain_name(member: api.ErrorCode) -> None:
    error = api.MlflowException("message", member)
    assert error.error_code == member.value
    # A plain str, not the enum: it must compare and serialise exactly like MLflow's name.
    assert type(error.error_code) is str


def test_module_level_constants_are_the_members() -> None:
    assert api.INVALID_PARAMETER_VALUE is api.ErrorCode.INVALID_PARAMETER_VALUE
    assert api.RESOURCE_DOES_NOT_EXIST is api.ErrorCode.RESOURCE_DOES_NOT_EXIST
    assert api.RESOURCE_ALREADY_EXISTS is api.ErrorCode.RESOURCE_ALREADY_EXISTS
    assert api.NOT_IMPLEMENTED is api.ErrorCode.NOT_IMPLEMENTED
    assert api.INTERNAL_ERROR is api.ErrorCode.INTERNAL_ERROR
    assert str(api.ErrorCode.NOT_IMPLEMENTED) == "NOT_IMPLEMENTED"


@pytest.mark.parametrize("code", ["nope", "", "invalid_parameter_value", "NOT A CODE", None, 2.5])
def test_unknown_codes_become_internal_error(code: Any) -> None:
    assert api.MlflowException("message", code).error_code == "INTERNAL_ERROR"


def test_unknown_upper_case_name_becomes_internal_error() -> None:
    assert api.MlflowException("message", "NO_SUCH_CODE").error_code == "INTERNAL_ERROR"


def test_message_may_be_any_object() -> None:
    error = api.MlflowException(ValueError("inner"), api.INVALID_PARAMETER_VALUE)
    assert error.message == "inner"
    assert isinstance(error.message, str)


def test_serialize_as_json_holds_code_message_and_extra_fields() -> None:
    message = 'quotes " and \\ and ünïcode and\nnewline'
    error = api.MlflowException(message, api.RESOURCE_DOES_NOT_EXIST, deployment="d-1")
    body = json.loads(error.serialize_as_json())
    assert body["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    assert body["message"] == message
    assert body["deployment"] == "d-1"


@pytest.mark.parametrize(("name", "status"), sorted(EXPECTED_STATUS.items()))
def test_http_status(name: str, status: int) -> None:
    assert api.MlflowException("message", name).get_http_status_code() == status
    assert api.ErrorCode(name).http_status == status


def test_invalid_parameter_value_constructor() -> None:
    error = api.MlflowException.invalid_parameter_value("bad value")
    assert isinstance(error, api.MlflowException)
    assert error.error_code == "INVALID_PARAMETER_VALUE"
    assert error.message == "bad value"


def test_unsupported_operation_is_a_not_implemented_mlflow_exception() -> None:
    error = api.UnsupportedOperation("memory:/ns", "explain")
    assert isinstance(error, api.MlflowException)
    assert error.error_code == "NOT_IMPLEMENTED"
    assert error.get_http_status_code() == 501
    assert "explain()" in error.message
    assert "'memory:/ns'" in error.message


def test_pickles_with_its_code_and_message() -> None:
    # Errors cross process boundaries (process pools, multiprocessing-based plugins).
    error = api.MlflowException("gone", api.RESOURCE_DOES_NOT_EXIST)
    for restored in (pickle.loads(pickle.dumps(error)), copy.copy(error)):
        assert type(restored) is api.MlflowException
        assert (restored.error_code, restored.message) == ("RESOURCE_DOES_NOT_EXIST", "gone")


def test_unsupported_operation_pickles() -> None:
    error = api.UnsupportedOperation("memory", "explain")
    restored = pickle.loads(pickle.dumps(error))
    assert (restored.error_code, restored.message) == (error.error_code, error.message)


# --- with MLflow installed ---------------------------------------------------------------


@pytest.mark.mlflow
def test_is_mlflows_exception(mlflow: ModuleType) -> None:
    error = api.MlflowException("message", api.RESOURCE_DOES_NOT_EXIST)
    assert isinstance(error, mlflow.exceptions.MlflowException)
    with pytest.raises(mlflow.exceptions.MlflowException) as caught:
        raise error
    assert caught.value is error


@pytest.mark.mlflow
def test_mlflows_handler_catches_it(mlflow: ModuleType) -> None:
    def call_like_mlflow_user() -> str:
        try:
            raise api.MlflowException("gone", api.RESOURCE_DOES_NOT_EXIST)
        except mlflow.exceptions.MlflowException as error:
            return error.error_code

    assert call_like_mlflow_user() == "RESOURCE_DOES_NOT_EXIST"


@pytest.mark.mlflow
@pytest.mark.parametrize("name", sorted(EXPECTED_STATUS))
def test_names_and_status_match_mlflows(mlflow: ModuleType, name: str) -> None:
    from mlflow.protos.databricks_pb2 import ErrorCode as ProtoErrorCode

    theirs = mlflow.exceptions.MlflowException("message", ProtoErrorCode.Value(name))
    ours = api.MlflowException("message", name)
    assert ours.error_code == theirs.error_code == name
    assert ours.get_http_status_code() == theirs.get_http_status_code()
    assert json.loads(ours.serialize_as_json()) == json.loads(theirs.serialize_as_json())


@pytest.mark.mlflow
@pytest.mark.parametrize("name", [*sorted(EXPECTED_STATUS), "NOT_FOUND", "PERMISSION_DENIED"])
def test_mlflows_protobuf_numbers_are_accepted(mlflow: ModuleType, name: str) -> None:
    from mlflow.protos.databricks_pb2 import ErrorCode as ProtoErrorCode

    number = ProtoErrorCode.Value(name)
    error = api.MlflowException("message", number)
    assert error.error_code == name
    assert (
        error.get_http_status_code()
        == mlflow.exceptions.MlflowException("message", number).get_http_status_code()
    )


@pytest.mark.mlflow
def test_unknown_protobuf_number_becomes_internal_error(mlflow: ModuleType) -> None:
    assert api.MlflowException("message", 987_654_321).error_code == "INTERNAL_ERROR"


@pytest.mark.mlflow
def test_mlflows_own_invalid_parameter_value_builds_ours(mlflow: ModuleType) -> None:
    # MLflow's classmethod passes the protobuf number and extra keywords to our __init__.
    error = api.MlflowException.invalid_parameter_value("bad", error_class="X")
    assert error.error_code == "INVALID_PARAMETER_VALUE"
    assert isinstance(error, mlflow.exceptions.MlflowException)


@pytest.mark.mlflow
def test_standalone_accepts_exactly_mlflows_code_names(mlflow: ModuleType) -> None:
    from mlflow.protos.databricks_pb2 import ErrorCode as ProtoErrorCode

    from conformance.api import _errors as errors

    # The standalone list is kept by hand: this catches it drifting from MLflow's protobuf.
    assert set(ProtoErrorCode.keys()) == errors._KNOWN_CODE_NAMES


STANDALONE_STATUSES = """
import json, sys
sys.modules["mlflow"] = None  # force the standalone exception in this venv
from conformance.api import _errors as errors
names = sorted(errors._KNOWN_CODE_NAMES)
print(json.dumps({n: errors.MlflowException("m", n).get_http_status_code() for n in names}))
"""


@pytest.mark.mlflow
def test_standalone_http_statuses_match_mlflows(mlflow: ModuleType) -> None:
    from mlflow.protos.databricks_pb2 import ErrorCode as ProtoErrorCode

    completed = subprocess.run(
        [sys.executable, "-c", STANDALONE_STATUSES],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    standalone: dict[str, int] = json.loads(completed.stdout)
    theirs = {
        name: mlflow.exceptions.MlflowException(
            "m", ProtoErrorCode.Value(name)
        ).get_http_status_code()
        for name in standalone
    }
    assert standalone == theirs
