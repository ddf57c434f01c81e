"""Error codes: the errors the contract asks for should carry the code that names the problem."""

from __future__ import annotations

from conformance.checks import check
from conformance.checks._support import expect_code, expect_error
from conformance.checks.create import conflict_scenario
from conformance.checks.lifecycle import life
from conformance.checks.read import missing_get
from conformance.context import Context


@check("errors.already-exists-code")
def already_exists_code(context: Context) -> None:
    error = expect_error(
        context, conflict_scenario(context)["attempt"], "creating a name that is in use must raise"
    )
    expect_code(error, "RESOURCE_ALREADY_EXISTS", "the conflicting create_deployment")


@check("errors.does-not-exist-code")
def does_not_exist_code(context: Context) -> None:
    error = expect_error(context, missing_get(context), "getting a missing name must raise")
    expect_code(error, "RESOURCE_DOES_NOT_EXIST", "get_deployment of a missing name")


@check("errors.invalid-parameter-code", group="lifecycle")
def invalid_parameter_code(context: Context) -> None:
    error = expect_error(
        context,
        life(context).step("update flavor only"),
        "update_deployment with a flavor but no model_uri must raise",
    )
    expect_code(error, "INVALID_PARAMETER_VALUE", "update_deployment(name, flavor=…)")
